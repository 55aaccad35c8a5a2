// Opens the dashboard in real headless Chromium on a date range, waits for the trend charts, saves a
// screenshot and prints the bars the page drew (weeks: calls, revenue, ROI; hours; weekdays) as one
// JSON line for the Java test to check against the API.
// usage: node trends.mjs <dashboard url> <admin token> <screenshot path>
import { withSignedInDashboard } from './signed-in-dashboard.mjs';

const [url, token, screenshot] = process.argv.slice(2);
await withSignedInDashboard(url, token, async (page, errors) => {
  await page.waitForSelector('body[data-trends-loaded]', { timeout: 60000 });
  const result = await page.evaluate(() => {
    const bars = (id, keys) => [...document.querySelectorAll('[data-testid=' + id + ']')]
      .map((b) => Object.fromEntries(keys.map((k) => [k, b.getAttribute('data-' + k)])));
    return {
      range: document.body.getAttribute('data-trends-loaded'),
      rangeText: document.querySelector('[data-testid=trend-range]').textContent,
      weeks: bars('trend-calls', ['week', 'calls', 'revenue', 'roi']),
      revenueBars: document.querySelectorAll('[data-testid=trend-revenue]').length,
      roiBars: document.querySelectorAll('[data-testid=trend-roi]').length,
      hours: bars('trend-hour', ['hour', 'calls']),
      weekdays: bars('trend-weekday', ['weekday', 'calls']),
    };
  });
  await page.locator('[data-testid=trends]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ ...result, errors }));
});

// Opens the dashboard in real headless Chromium signed in with a property's API key (a client's
// dashboard), waits for its ROI table and health, and prints what the page shows as one JSON line.
// usage: node client-dashboard.mjs <dashboard url> <API key> <screenshot path>
import { withSignedInDashboard } from './signed-in-dashboard.mjs';

const [url, key, screenshot] = process.argv.slice(2);
await withSignedInDashboard(url, key, async (page, errors) => {
  await page.waitForSelector('[data-testid=roi-total]', { timeout: 60000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=health-score]').textContent !== '',
    null, { timeout: 60000 });
  const result = await page.evaluate(() => {
    const cells = (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent);
    return {
      properties: [...document.querySelectorAll('[data-testid=property] option')].map((o) => o.value),
      portfolioHidden: document.getElementById('portfolio-section').hidden,
      portfolioRows: document.querySelectorAll('[data-testid=portfolio-row]').length,
      roiTotal: cells(document.querySelector('[data-testid=roi-total]')),
      healthScore: document.querySelector('[data-testid=health-score]').textContent,
      status: document.querySelector('[data-testid=status]').textContent,
    };
  });
  await page.screenshot({ path: screenshot, fullPage: true, timeout: 120000 });
  console.log(JSON.stringify({ ...result, errors }));
});

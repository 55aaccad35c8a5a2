// Opens the dashboard in real headless Chromium on a property whose name, sources and caller are
// markup (<img src=x onerror=...>), waits for the live calls and the ROI table, and prints as one
// JSON line what the page made of them: the texts shown, any element the data turned into, whether
// a handler ran, and every Content-Security-Policy violation (an inline handler the data smuggled in).
// usage: node hostile-dashboard.mjs <dashboard url> <admin token> <screenshot path>
import { withSignedInDashboard } from './signed-in-dashboard.mjs';

const [url, token, screenshot] = process.argv.slice(2);
await withSignedInDashboard(url, token, async (page, errors) => {
  await page.evaluate(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
  });
  await page.waitForSelector('[data-testid=live] tbody tr td:nth-child(5)', { timeout: 60000 });
  await page.waitForSelector('[data-testid=roi-row]', { timeout: 60000 });
  await page.waitForTimeout(500); // a broken image's error event, if an <img> had been made
  const result = await page.evaluate(() => ({
    options: [...document.querySelectorAll('[data-testid=property] option')].map((o) => o.textContent),
    liveCells: [...document.querySelectorAll('[data-testid=live] tbody td')].map((td) => td.textContent),
    roiSources: [...document.querySelectorAll('[data-testid=roi-row]')].map((tr) => tr.cells[0].textContent),
    injected: document.querySelectorAll('main img, header img, main script, main iframe, select img, option img').length,
    pwned: document.body.getAttribute('data-pwned'),
    violations: window.__violations,
  }));
  await page.screenshot({ path: screenshot, fullPage: true, timeout: 120000 });
  console.log(JSON.stringify({ ...result, errors }));
});

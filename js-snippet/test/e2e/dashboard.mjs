// Opens the dashboard in real headless Chromium (Debian's /usr/bin/chromium through playwright-core),
// signs in with the admin token, waits for the pools and the ROI table, saves a screenshot and prints
// what the page shows as one JSON line for the Java test to check.
// usage: node dashboard.mjs <dashboard url> <admin token> <screenshot path>
import { readFile } from 'node:fs/promises';
import { withSignedInDashboard } from './signed-in-dashboard.mjs';

const [url, token, screenshot] = process.argv.slice(2);
await withSignedInDashboard(url, token, async (page, errors) => {
  await page.waitForSelector('[data-testid=pool]', { timeout: 60000 });
  await page.waitForSelector('[data-testid=roi-total]', { timeout: 60000 });
  await page.waitForSelector('[data-testid=conversation-total]', { timeout: 60000 });
  await page.waitForSelector('[data-testid=portfolio-total]', { timeout: 60000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=health-score]').textContent !== '',
    null, { timeout: 60000 });
  const tokenKept = await page.evaluate(() => sessionStorage.getItem('calltrack.adminToken'));
  const result = await page.evaluate(() => {
    const text = (root, id) => root.querySelector('[data-testid=' + id + ']')?.textContent ?? null;
    const pools = [...document.querySelectorAll('[data-testid=pool]')].map((p) => ({
      poolId: p.getAttribute('data-pool'),
      size: text(p, 'pool-size'), leased: text(p, 'pool-leased'), holding: text(p, 'pool-holding'),
      free: text(p, 'pool-free'), utilization: text(p, 'pool-utilization'), exhausted: text(p, 'pool-exhausted'),
      chartPoints: (p.querySelector('[data-testid=util-line]')?.getAttribute('points') ?? '').split(' ').filter(Boolean).length,
      has75Line: !!p.querySelector('[data-testid=line-75]'),
      exhaustedMarks: p.querySelectorAll('[data-testid=exhausted-mark]').length,
    }));
    const cells = (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent);
    return {
      pools,
      roiRows: [...document.querySelectorAll('[data-testid=roi-row]')].map(cells),
      roiTotal: cells(document.querySelector('[data-testid=roi-total]')),
      conversationRows: [...document.querySelectorAll('[data-testid=conversation-row]')].map(cells),
      conversationTotal: cells(document.querySelector('[data-testid=conversation-total]')),
      hourBars: [...document.querySelectorAll('[data-testid=hour-bar]')].map((b) => Number(b.getAttribute('data-calls'))),
      liveRows: document.querySelectorAll('[data-testid=live] tbody tr').length,
      liveCells: [...document.querySelectorAll('[data-testid=live] tbody tr')].map(cells),
      callbackRows: [...document.querySelectorAll('[data-testid=callback-row]')].map(cells),
      callbacksPending: document.querySelector('[data-testid=callbacks-pending]').textContent,
      from: document.querySelector('[data-testid=from]').value,
      healthScore: text(document, 'health-score'),
      healthProblems: [...document.querySelectorAll('[data-testid=health-problem]')].map((li) => li.getAttribute('data-check')),
      portfolioRows: Object.fromEntries([...document.querySelectorAll('[data-testid=portfolio-row]')]
        .map((tr) => [tr.getAttribute('data-property'), cells(tr)])),
      portfolioTotals: [...document.querySelectorAll('[data-testid=portfolio-total]')].map(cells),
    };
  });
  await page.screenshot({ path: screenshot, fullPage: true, timeout: 120000 }); // slow on a loaded 2-core host
  // the same table under a multi-touch model, chosen as a user would
  await page.selectOption('[data-testid=model]', 'linear');
  await page.waitForFunction(() => (document.body.getAttribute('data-roi-loaded') ?? '').endsWith('/linear'),
    null, { timeout: 60000 });
  const linear = await page.evaluate(() => {
    const cells = (tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent);
    return {
      linearRows: [...document.querySelectorAll('[data-testid=roi-row]')].map(cells),
      linearTotal: cells(document.querySelector('[data-testid=roi-total]')),
    };
  });
  // the call log of the same days, downloaded as a user would
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }),
    page.click('[data-testid=calls-csv]')]);
  const callLog = { name: download.suggestedFilename(),
    lines: (await readFile(await download.path(), 'utf8')).split('\r\n').filter(Boolean) };
  console.log(JSON.stringify({ ...result, ...linear, callLog, tokenKept, errors }));
});

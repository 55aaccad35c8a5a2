// Visits a site in real headless Chromium (Debian's /usr/bin/chromium through playwright-core), once
// per browser time zone given, each in a fresh context (no cookies, no storage): what number each
// visit was shown, and the assign answer behind it. Started by the launcher's RegionsDoneWhenTest.
// usage: node regions.mjs '{"siteUrl": "...", "timeZones": ["America/Chicago", ...], "screenshotDir": "..."}'
import { chromium } from 'playwright-core';

const config = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const visits = [];
try {
  for (const timezoneId of config.timeZones) {
    const context = await browser.newContext({ timezoneId });
    const page = await context.newPage();
    const errors = [];
    let assign = null;
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('response', async (r) => {
      if (r.url().includes('/v1/assign') && r.request().method() === 'POST') {
        assign = { status: r.status(), request: JSON.parse(r.request().postData() || '{}'), body: await r.json() };
      }
    });
    await page.goto(config.siteUrl, { timeout: 60000 });
    await page.waitForFunction(() => window.calltrack && window.calltrack.number && window.calltrack.number(),
      null, { timeout: 30000 });
    const shown = await page.evaluate(() => {
      const a = document.querySelector('#number');
      return { text: a.textContent, href: a.getAttribute('href'), number: window.calltrack.number() };
    });
    await page.screenshot({ path: `${config.screenshotDir}/region-${timezoneId.replace('/', '-')}.png` });
    visits.push({ timezoneId, browserZone: await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
      shown, assign, errors });
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ visits }));

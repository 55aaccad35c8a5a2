// Shared by dashboard.mjs and trends.mjs: opens the dashboard in real headless Chromium (Debian's
// /usr/bin/chromium through playwright-core; never a downloaded browser), signs in with the admin
// token, and hands the page to `use` with the list of page errors and console errors seen so far
// (and from then on). The browser is closed whatever `use` does.
import { chromium } from 'playwright-core';

export async function withSignedInDashboard(url, token, use) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(url, { timeout: 60000 });
    await page.fill('[data-testid=token]', token);
    await page.click('[data-testid=login]');
    return await use(page, errors);
  } finally {
    await browser.close();
  }
}

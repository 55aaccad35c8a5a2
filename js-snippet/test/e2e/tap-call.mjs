// Browser half of the launcher's TapToCallEndToEndTest: two visitors of the same campaign on a real
// headless Chromium (Debian's, driven by playwright-core) share the site's one tracking number; the
// first taps the tel: link (a real touch tap on a phone-sized page). The pages then stay open, both
// visits live, until the test has made its SIPp call and says so at {controlUrl}/done.
//
// Usage: node test/e2e/tap-call.mjs '{"siteUrl": "...", "controlUrl": "...", "chromium": "..."}'
// Prints one line of JSON: each visitor's assign answer, the number shown, its cookies, and the tap
// beacon's status.
import { chromium } from 'playwright-core';

const config = JSON.parse(process.argv[2]);
const WAIT_MS = 30000;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

const browser = await chromium.launch({ executablePath: config.chromium, headless: true, args: FLAGS,
  timeout: WAIT_MS });
const report = {};
try {
  const tapper = await (await browser.newContext(PHONE)).newPage();
  report.tapper = await open(tapper);
  const other = await (await browser.newContext(PHONE)).newPage();
  report.other = await open(other);

  // the tap: a real touch on the tel: link (the dialler it would open does not exist here)
  const beacon = tapper.waitForResponse((r) => r.url().includes('/evidence'), { timeout: WAIT_MS });
  await tapper.tap('#tel', { noWaitAfter: true });
  report.tapBeacon = (await beacon).status();

  // both visits stay on their pages (leases renewed) until the call has been made
  const end = Date.now() + 150000;
  while (Date.now() < end && !(await fetch(`${config.controlUrl}/done`)).ok) {
    await new Promise((r) => setTimeout(r, 250));
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));

async function open(page) {
  const assigned = page.waitForResponse((r) => r.url().includes('/v1/assign') && r.request().method() === 'POST',
    { timeout: WAIT_MS });
  await page.goto(config.siteUrl, { timeout: WAIT_MS });
  const answer = await (await assigned).json();
  await page.waitForFunction((n) => document.getElementById('tel').getAttribute('href') === 'tel:' + n,
    answer.number, { timeout: WAIT_MS });
  return { assign: answer, href: await page.getAttribute('#tel', 'href'), cookie: await page.evaluate(() => document.cookie) };
}

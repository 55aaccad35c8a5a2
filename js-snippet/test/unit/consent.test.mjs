// Consent: with data-consent="required" dni.js reads and writes nothing on the device (cookie,
// localStorage) until the page says calltrack.consent(true); consent(false) erases what it kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar } from 'jsdom';
import { stubServer, openPage, until } from '../support/harness.mjs';

let server;
before(async () => { server = await stubServer(); });
after(() => server.close());

const REQUIRED = { consent: 'required' };
const cookies = (jar) => jar.getCookieStringSync('https://shop.example/');

/** Opens one page view and returns it with the body of its assign. */
async function landOn(url, opts = {}) {
  const page = openPage(server, { url, ...opts });
  await page.ready;
  page.body = server.ofKind('assign').at(-1).body;
  return page;
}

test('without consent nothing is read or written, and each page view is a visit of its own', async () => {
  const cookieJar = new CookieJar();
  // a record a visit with consent left: not read without it
  const earlier = await landOn('https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=A', { cookieJar });
  const storage = earlier.storage();
  assert.ok(storage._calltrack && cookies(cookieJar).includes('_calltrack='), 'kept when consent is not required');
  earlier.close();

  const page = await landOn('https://shop.example/?utm_source=bing&utm_medium=cpc&utm_campaign=B',
    { cookieJar, storage, attrs: REQUIRED });
  assert.equal(page.body.visitorId, undefined, 'the stored visitor is not read');
  assert.equal(page.body.attribution.source, 'bing', 'this page view is attributed');
  assert.equal(page.body.attribution.firstTouch, undefined, 'no first touch from the device');
  assert.equal(page.window.calltrack.number(), '+15559876543', 'the number is swapped all the same');
  assert.deepEqual(page.storage(), storage, 'localStorage untouched');
  page.close();

  const fresh = new CookieJar();
  const blank = await landOn('https://shop.example/?utm_source=bing&utm_medium=cpc', { cookieJar: fresh, attrs: REQUIRED });
  assert.deepEqual(blank.storage(), {}, 'nothing written to localStorage');
  assert.equal(cookies(fresh), '', 'no cookie');
  blank.close();
});

test('consent given later keeps this page\'s touch on the visitor\'s record, and consent withdrawn erases it', async () => {
  const cookieJar = new CookieJar();
  const first = await landOn('https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=A', { cookieJar });
  const storage = first.storage();
  first.close();

  // the banner answered after the number was swapped
  const page = await landOn('https://shop.example/offer?utm_source=bing&utm_medium=cpc&utm_campaign=B',
    { cookieJar, storage, attrs: REQUIRED });
  page.window.calltrack.consent(true);
  const kept = JSON.parse(page.window.localStorage.getItem('_calltrack'));
  assert.equal(kept.f.campaign, 'A', 'the earlier first touch, read once allowed');
  assert.equal(kept.l.campaign, 'B', 'this page\'s touch is the last');
  assert.deepEqual(kept.j.map((t) => t.campaign), ['A', 'B'], 'and in the journey');
  assert.ok(cookies(cookieJar).includes('_calltrack='), 'the cookie is written');

  page.window.calltrack.consent(false);
  assert.deepEqual(page.storage(), {}, 'withdrawn: localStorage erased');
  assert.equal(cookies(cookieJar), '', 'and the cookie');
  page.close();
});

test('consent queued before dni.js loads: the returning visitor is known at once', async () => {
  const cookieJar = new CookieJar();
  const first = await landOn('https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=A', { cookieJar });
  const storage = first.storage();
  first.close();

  const page = await landOn('https://shop.example/pricing', { cookieJar, storage, attrs: REQUIRED,
    queue: [['consent', true]] });
  assert.equal(page.body.visitorId, 'v-new', 'the stored visitor is sent');
  assert.equal(page.body.attribution.campaign, 'A', 'with its campaign');
  page.close();

  // and a page still hidden (prerendered) when consent comes takes no touch before it is shown
  const hidden = openPage(server, { url: 'https://shop.example/?utm_source=yahoo&utm_medium=cpc', cookieJar,
    storage, attrs: REQUIRED, hidden: true });
  await until(() => hidden.window.calltrack.consent); // dni.js loaded
  hidden.window.calltrack.push(['consent', true]);
  assert.equal(JSON.parse(hidden.window.localStorage.getItem('_calltrack')).l.campaign, 'A', 'no touch while unseen');
  assert.equal(server.ofKind('assign').filter((a) => a.body.attribution?.source === 'yahoo').length, 0);
  hidden.show();
  await hidden.ready;
  await until(() => JSON.parse(hidden.window.localStorage.getItem('_calltrack')).l.source === 'yahoo');
  hidden.close();
});

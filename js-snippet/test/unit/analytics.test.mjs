// Google Analytics and Meta ids: dni.js sends the site's GA client id (_ga), GA4 session id (_ga_<id>,
// GS1 or GS2) and Meta Pixel browser id (_fbp) with each assign, so dni-server can send the call to GA4
// as an event of that session and to Meta as that browser's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar } from 'jsdom';
import { stubServer, openPage, until } from '../support/harness.mjs';

let server;
before(async () => { server = await stubServer(); });
after(() => server.close());

const URL = 'https://shop.example/?utm_source=google&utm_medium=cpc';

async function landOn(cookieJar, opts = {}) {
  const page = openPage(server, { url: URL, cookieJar, ...opts });
  await page.ready;
  page.body = server.ofKind('assign').at(-1).body;
  return page;
}

function jarWith(...cookies) {
  const jar = new CookieJar();
  for (const c of cookies) jar.setCookieSync(c + '; Path=/', 'https://shop.example/');
  return jar;
}

for (const [name, sessionCookie, sessionId] of [
  ['GS1', '_ga_ABC123XYZ=GS1.1.1764000000.3.1.1764000500.0.0.0', '1764000000'],
  ['GS2', '_ga_ABC123XYZ=GS2.1.s1764000000$o3$g1$t1764000500$j60$l0$h0', '1764000000']]) {
  test(`the GA client id and the ${name} session id go with the attribution`, async () => {
    const page = await landOn(jarWith('_ga=GA1.1.1234567890.1763990000', sessionCookie, 'other=1'));
    const a = page.body.attribution;
    assert.equal(a.gaClientId, '1234567890.1763990000');
    assert.equal(a.gaSessionId, sessionId);
    assert.equal(a.source, 'google', 'the touch is what it was');
    assert.ok(!page.storage()._calltrack?.includes('1234567890'), 'not kept in the visitor record: read afresh');
    page.close();
  });
}

test('the Meta Pixel browser id goes with the attribution; a malformed one does not', async () => {
  const page = await landOn(jarWith('_fbp=fb.1.1764000000123.1234567890'));
  assert.equal(page.body.attribution.fbp, 'fb.1.1764000000123.1234567890');
  assert.equal(page.body.attribution.gaClientId, undefined, 'no GA on this site');
  page.close();
  const odd = await landOn(jarWith('_fbp=fb.1.abc.<script>', 'my_fbp=fb.1.1.2'));
  assert.equal(odd.body.attribution.fbp, undefined);
  odd.close();
});

test('a cookie merely ending in _ga, or none, sends no ids', async () => {
  const page = await landOn(jarWith('x_ga=GA1.1.111.222', 'my_ga_X=GS1.1.333.1.1.1.0.0.0'));
  assert.equal(page.body.attribution.gaClientId, undefined);
  assert.equal(page.body.attribution.gaSessionId, undefined);
  page.close();
});

test('a domain-level _ga (GA1.2.) is read too; without consent nothing is', async () => {
  const jar = jarWith('_ga=GA1.2.987654321.1700000000');
  const page = await landOn(jar);
  assert.equal(page.body.attribution.gaClientId, '987654321.1700000000');
  page.close();
  const withheld = await landOn(jar, { attrs: { consent: 'required' } });
  assert.equal(withheld.body.attribution.gaClientId, undefined, 'the device is not read before consent');
  withheld.close();
});

test('ids GA and the Meta Pixel write only after the assign (a first page) reach the session by a beacon', async () => {
  const jar = new CookieJar();
  const page = await landOn(jar);
  assert.equal(page.body.attribution.gaClientId, undefined, 'no GA cookie yet at the assign');
  const sessionId = server.ofKind('assign').at(-1).response.sessionId;
  // gtag.js and fbevents.js load after dni.js asked for its number, and write their cookies
  page.document.cookie = '_ga=GA1.1.55555.1764000000; path=/';
  page.document.cookie = '_ga_XYZ=GS2.1.s1764000111$o1$g0$t1764000111$j60$l0$h0; path=/';
  page.document.cookie = '_fbp=fb.1.1764000000999.42; path=/';
  const beacon = await until(() => server.ofKind('evidence')
    .find((r) => r.path === `/v1/sessions/${sessionId}/evidence` && r.body?.kind === 'ids'), 'the ids beacon');
  assert.deepEqual(beacon.body, { kind: 'ids', gaClientId: '55555.1764000000', gaSessionId: '1764000111',
    fbp: 'fb.1.1764000000999.42' });
  page.close();
});

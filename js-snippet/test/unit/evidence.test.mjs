// Evidence for attributing calls: the browser's time zone at assign, and one beacon for a tap on a
// tel: link or on the shown number, a copy of it, and the page hidden or shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stubServer, openPage, until } from '../support/harness.mjs';

let server;
before(async () => { server = await stubServer(); });
after(() => server.close());

const evidenceOf = (sessionId) => server.ofKind('evidence')
  .filter((r) => r.path === `/v1/sessions/${sessionId}/evidence`).map((r) => r.body.kind);

test('assign carries the browser time zone', async () => {
  const page = openPage(server, { body: '<p>555-123-4567</p>' });
  await page.ready;
  const tz = server.ofKind('assign').at(-1).body.timeZone;
  assert.equal(tz, Intl.DateTimeFormat().resolvedOptions().timeZone);
  page.close();
});

test('a tap on a tel: link, a copy of the number and visibility changes each send one beacon', async () => {
  const page = openPage(server, { body: '<a id="call" href="tel:+15551234567"><span>555-123-4567</span></a><p id="other">opening hours</p>' });
  await page.ready;
  const sessionId = server.ofKind('assign').at(-1).response.sessionId;
  const { document, window } = page;
  await until(() => document.getElementById('call').getAttribute('href').includes('9876543'), 'the swap');
  document.querySelector('#call span').dispatchEvent(new window.MouseEvent('click', { bubbles: true }));
  document.getElementById('other').dispatchEvent(new window.MouseEvent('click', { bubbles: true }));
  const range = document.createRange();
  range.selectNodeContents(document.querySelector('#call span'));
  window.getSelection().removeAllRanges();
  window.getSelection().addRange(range);
  document.dispatchEvent(new window.Event('copy', { bubbles: true }));
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  document.dispatchEvent(new window.Event('visibilitychange'));
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
  document.dispatchEvent(new window.Event('visibilitychange'));
  await until(() => evidenceOf(sessionId).length >= 4, 'four beacons');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(evidenceOf(sessionId).sort(), ['copy', 'hidden', 'shown', 'tap']);
  const beacon = server.ofKind('evidence').at(-1);
  assert.match(beacon.contentType, /^text\/plain/);
  page.close();
});

test('a tap on a tel: link to another number, or in a noswap area, is no tap evidence', async () => {
  const page = openPage(server, { body: `
    <p><a id="ours" href="tel:+15551234567">555-123-4567</a></p>
    <div data-calltrack-noswap><a id="office" href="tel:+12125550100">Head office (212) 555-0100</a>
      <span id="kept">555-987-6543</span></div>
    <a id="wp" href="tel:+1%20555%20123%204567">call</a>` });
  await page.ready;
  const sessionId = server.ofKind('assign').at(-1).response.sessionId;
  const { document, window } = page;
  const click = (id) => document.getElementById(id).dispatchEvent(new window.MouseEvent('click', { bubbles: true }));
  click('office');
  click('kept');
  // then a marker beacon, so that "no tap beacon" is not just "not arrived yet"
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  document.dispatchEvent(new window.Event('visibilitychange'));
  await until(() => evidenceOf(sessionId).includes('hidden'), 'the hidden beacon');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(evidenceOf(sessionId), ['hidden'], 'the visitor dialled the head office, not the tracking number');
  // the swapped links (also one written with %20) are taps on the tracking number
  click('ours');
  click('wp');
  await until(() => evidenceOf(sessionId).length === 3, 'two tap beacons');
  page.close();
});

test('a tap on the swapped tel: link of a web component (open shadow root) is tap evidence', async () => {
  const page = openPage(server, { body: '<x-call id="card"></x-call>' });
  const { document, window } = page;
  document.getElementById('card').attachShadow({ mode: 'open' }).innerHTML = '<a id="in" href="tel:+15551234567">Call 555-123-4567</a>';
  await page.ready;
  const sessionId = server.ofKind('assign').at(-1).response.sessionId;
  const link = document.getElementById('card').shadowRoot.getElementById('in');
  await until(() => link.getAttribute('href') === 'tel:+15559876543', 'the swap inside the component');
  link.dispatchEvent(new window.MouseEvent('click', { bubbles: true, composed: true }));
  await until(() => evidenceOf(sessionId).includes('tap'), 'the tap beacon');
  page.close();
});

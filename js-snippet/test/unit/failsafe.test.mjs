// Fail-safe: a slow, down or failing dni-server leaves the page's own numbers, with one warning and
// no errors; anti-flicker hiding ends at the swap or at the timeout, whichever comes first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { stubServer, openPage, until, TRACKING } from '../support/harness.mjs';

let server;
let defaultAnswer;
before(async () => { server = await stubServer(); defaultAnswer = server.answer; });
after(() => server.close());

const BODY = '<p id="p">(555) 123-4567</p><a id="t" href="tel:+15551234567">555-123-4567</a>';

function assertUntouched(page) {
  assert.equal(page.document.getElementById('p').textContent, '(555) 123-4567');
  assert.equal(page.document.getElementById('t').getAttribute('href'), 'tel:+15551234567');
  assert.equal(page.document.getElementById('t').textContent, '555-123-4567');
  assert.equal(page.window.calltrack.number(), null);
  assert.deepEqual(page.errors, [], 'nothing thrown into the page');
  assert.equal(page.warnings.length, 1, 'exactly one warning: ' + JSON.stringify(page.warnings));
  assert.match(page.warnings[0], /^calltrack: /);
}

async function withAnswer(answer, fn) {
  server.answer = answer;
  try { await fn(); } finally { server.answer = defaultAnswer; }
}

for (const [name, answer] of [
  ['an error status', () => ({ status: 500, body: { error: 'internal', detail: 'boom' } })],
  ['a 4xx (unknown property)', () => ({ status: 404, body: { error: 'not_found', detail: 'no property' } })],
  ['an answer without a number', () => ({ status: 200, body: { sessionId: 'x' } })],
]) {
  test(`${name} keeps the page's numbers`, () => withAnswer(answer, async () => {
    const page = openPage(server, { body: BODY });
    assert.equal(await page.ready, null, 'ready callbacks learn there is no tracking number');
    assertUntouched(page);
    page.close();
  }));
}

test('a server that is down keeps the page\'s numbers', async () => {
  const closed = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
  const page = openPage(server, { body: BODY, attrs: { server: `http://127.0.0.1:${closed}` } });
  assert.equal(await page.ready, null);
  assertUntouched(page);
  page.close();
});

test('a server slower than the timeout keeps the page\'s numbers, even when its answer comes later', () =>
  withAnswer((kind, body) => ({ ...defaultAnswer(kind, body), delayMs: 1200 }), async () => {
    const started = Date.now();
    const page = openPage(server, { body: BODY, attrs: { timeout: '200' } });
    assert.equal(await page.ready, null);
    assert.match(page.warnings[0], /slower than 200 ms/);
    await until(() => Date.now() - started > 1600, 'the late answer to have been sent');
    assertUntouched(page);
    page.close();
  }));

test('the default timeout is 1.5 s', () =>
  withAnswer((kind, body) => ({ ...defaultAnswer(kind, body), delayMs: 2500 }), async () => {
    const page = openPage(server, { body: BODY });
    assert.equal(await page.ready, null);
    assert.match(page.warnings[0], /slower than 1500 ms/);
    page.close();
  }));

test('a malformed data-timeout ("2000ms", "-1") or data-lifetime ("90d") means the default, without errors', async () => {
  for (const attrs of [{ timeout: '2000ms', lifetime: '90d' }, { timeout: '-1', lifetime: '-5' }]) {
    const page = openPage(server, { body: BODY, attrs });
    const settled = await Promise.race([page.ready, new Promise((r) => setTimeout(() => r('never'), 3000))]);
    assert.equal(settled, TRACKING, `ready with the number: ${JSON.stringify(attrs)}`);
    assert.equal(page.document.getElementById('p').textContent, '(555) 987-6543');
    assert.deepEqual(page.errors, [], 'nothing thrown into the page');
    const days = (JSON.parse(page.window.localStorage.getItem('_calltrack')).x - Date.now()) / 864e5;
    assert.ok(days > 89.9 && days <= 90, `the record lives 90 days, not ${days}`);
    page.close();
  }
});

test('a sandboxed page (document.cookie and localStorage throw) gets the API, the number and no errors', async () => {
  const page = openPage(server, { body: BODY });
  // as in a page served with CSP "sandbox allow-scripts": an opaque origin (set before dni.js runs)
  const insecure = () => { throw new page.window.DOMException('The operation is insecure.', 'SecurityError'); };
  Object.defineProperty(page.document, 'cookie', { configurable: true, get: insecure, set: insecure });
  Object.defineProperty(page.window, 'localStorage', { configurable: true, get: insecure });
  const settled = await Promise.race([page.ready, new Promise((r) => setTimeout(() => r('never'), 3000))]);
  assert.equal(settled, TRACKING);
  assert.equal(typeof page.window.calltrack.attribution, 'function', 'window.calltrack is the API');
  assert.equal(page.window.calltrack.attribution().visitorId, 'v-new', 'the record lives in the page');
  assert.equal(page.document.getElementById('p').textContent, '(555) 987-6543');
  assert.deepEqual(page.errors, [], 'nothing thrown into the page');
  page.close();
});

test('storage that throws on setItem (old Safari private mode), no sendBeacon and the tag twice: one assign, the number, no errors', async () => {
  const before = server.ofKind('assign').length;
  const page = openPage(server, { body: BODY + `<script async src="${server.base}/dni.js" data-property="acme"></script>` });
  const copies = [...page.document.scripts].map((el) => new Promise((r) => el.addEventListener('load', r)));
  page.window.Storage.prototype.setItem = () => { throw new page.window.DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
  delete page.window.navigator.sendBeacon;
  assert.equal(await page.ready, TRACKING);
  await Promise.all(copies); // both copies ran
  assert.equal(server.ofKind('assign').length, before + 1, 'the second copy does nothing');
  assert.equal(page.document.getElementById('p').textContent, '(555) 987-6543');
  page.document.getElementById('t').dispatchEvent(new page.window.MouseEvent('click', { bubbles: true }));
  page.window.dispatchEvent(new page.window.PageTransitionEvent('pagehide'));
  assert.deepEqual(page.errors, [], 'nothing thrown into the page');
  page.close();
});

test('a callback that throws does not stop the others or the swap', () =>
  withAnswer((kind, body) => ({ ...defaultAnswer(kind, body), delayMs: 300 }), async () => {
  const page = openPage(server, { body: BODY });
  await until(() => page.window.calltrack && page.window.calltrack.ready, 'the script');
  let second;
  page.window.eval('calltrack.ready(function () { throw new Error("site bug"); })');
  page.window.calltrack.ready((n) => { second = n; });
  await page.ready;
  await until(() => second, 'the second callback');
  assert.equal(second, TRACKING);
  assert.equal(page.document.getElementById('p').textContent, '(555) 987-6543');
  // the site's own error surfaces as the site's (asynchronously), not as one of dni.js
  await until(() => page.errors.some((e) => e.includes('site bug')), 'the site error to be reported');
  page.close();
}));

test('a fallback answer shows the default number and renews nothing', () =>
  withAnswer((kind) => (kind === 'assign'
    ? { status: 200, body: { sessionId: null, visitorId: 'v', number: '+15550000000', swap: ['+15551234567'],
      leaseSeconds: 1, fallback: true } }
    : { status: 500 }), async () => {
    const page = openPage(server, { body: BODY });
    assert.equal(await page.ready, '+15550000000');
    assert.equal(page.document.getElementById('p').textContent, '(555) 000-0000');
    const beats = server.ofKind('heartbeat').length;
    page.window.dispatchEvent(new page.window.Event('pagehide'));
    await new Promise((r) => setTimeout(r, 1200)); // two would-be heartbeat periods of a 1 s lease
    assert.equal(server.ofKind('heartbeat').length, beats);
    assert.equal(server.ofKind('release').filter((r) => r.path.includes('null')).length, 0);
    page.close();
  }));

test('a fallback page asks once more at its first heartbeat time, and follows a recovered server', () => {
  let assigns = 0;
  return withAnswer((kind) => {
    if (kind !== 'assign') return { status: 204 };
    assigns++;
    return { status: 200, body: assigns === 1
      ? { sessionId: null, visitorId: 'v', number: '+15550000000', swap: ['+15551234567'], leaseSeconds: 1, fallback: true }
      : { sessionId: 'back', visitorId: 'v', number: TRACKING, swap: ['+15551234567'], leaseSeconds: 60, fallback: false } };
  }, async () => {
    const page = openPage(server, { body: BODY });
    assert.equal(await page.ready, '+15550000000');
    await until(() => page.document.getElementById('p').textContent === '(555) 987-6543', 'the tracking number');
    assert.equal(page.document.getElementById('t').getAttribute('href'), 'tel:+15559876543');
    assert.equal(page.window.calltrack.number(), TRACKING);
    assert.equal(assigns, 2);
    assert.deepEqual(page.errors, []);
    page.close();
  });
});

test('a fallback page asks once more, then no more', () => withAnswer((kind) => (kind === 'assign'
  ? { status: 200, body: { sessionId: null, visitorId: 'v', number: '+15550000000', swap: ['+15551234567'],
    leaseSeconds: 1, fallback: true } }
  : { status: 500 }), async () => {
  const before = server.ofKind('assign').length;
  const beats = server.ofKind('heartbeat').length;
  const page = openPage(server, { body: BODY });
  await page.ready;
  await new Promise((r) => setTimeout(r, 2200)); // four heartbeat periods of a 1 s lease
  assert.equal(server.ofKind('assign').length - before, 2, 'the first assign and one more');
  assert.equal(server.ofKind('heartbeat').length, beats, 'no heartbeats: a fallback has no lease');
  assert.equal(page.document.getElementById('p').textContent, '(555) 000-0000');
  page.close();
}));

test('a fallback refused because of who asks (with a reason: too many assigns) is not asked again', () =>
  withAnswer((kind) => (kind === 'assign'
    ? { status: 200, body: { sessionId: null, visitorId: 'v', number: '+15550000000', swap: ['+15551234567'],
      leaseSeconds: 1, fallback: true, reason: 'too_many_assigns' } }
    : { status: 500 }), async () => {
    const before = server.ofKind('assign').length;
    const page = openPage(server, { body: BODY });
    await page.ready;
    await new Promise((r) => setTimeout(r, 1200)); // two heartbeat periods of a 1 s lease
    assert.equal(server.ofKind('assign').length - before, 1, 'one assign');
    assert.equal(page.document.getElementById('p').textContent, '(555) 000-0000');
    page.close();
  }));

const hidden = (page, id) => page.window.getComputedStyle(page.document.getElementById(id)).visibility === 'hidden';

test('data-hide keeps number elements hidden until they are swapped', () =>
  withAnswer((kind, body) => ({ ...defaultAnswer(kind, body), delayMs: 400 }), async () => {
    const page = openPage(server, { body: BODY + '<span id="n" class="calltrack-number">555-123-4567</span><p id="other">x</p>',
      attrs: { hide: 'true', timeout: '5000' } }); // a generous timeout: only the swap may show them
    await until(() => page.window.calltrack && page.window.calltrack.swap, 'the script');
    assert.ok(hidden(page, 't'), 'tel: link hidden while waiting');
    assert.ok(hidden(page, 'n'), '.calltrack-number hidden while waiting');
    assert.ok(!hidden(page, 'other'), 'the rest of the page is not hidden');
    await page.ready;
    assert.equal(page.document.getElementById('t').textContent, '555-987-6543');
    assert.ok(!hidden(page, 't') && !hidden(page, 'n'), 'shown once swapped');
    page.close();
  }));

test('data-hide shows the original numbers at the timeout when the server is slow', () =>
  withAnswer((kind, body) => ({ ...defaultAnswer(kind, body), delayMs: 3000 }), async () => {
    const page = openPage(server, { body: BODY, attrs: { hide: 'true', timeout: '1000', 'hide-selector': '#p' } });
    await until(() => page.window.calltrack && page.window.calltrack.swap, 'the script');
    assert.ok(hidden(page, 'p'), 'data-hide-selector chooses what is hidden');
    assert.ok(!hidden(page, 't'));
    assert.equal(await page.ready, null);
    assert.ok(!hidden(page, 'p'), 'shown at the timeout');
    assertUntouched(page);
    page.close();
  }));

// Lease upkeep: heartbeats while visible, paused while hidden, re-assign after 410, release on pagehide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stubServer, openPage, until, SWAP, TRACKING } from '../support/harness.mjs';

let server;
let defaultAnswer;
before(async () => { server = await stubServer(); defaultAnswer = server.answer; });
after(() => server.close());

// leaseSeconds 1: dni.js renews every half lease, so heartbeats come every 500 ms
const shortLease = (kind, body) => {
  const a = defaultAnswer(kind, body);
  if (kind === 'assign') a.body.leaseSeconds = 1;
  return a;
};
const beatsOf = (sessionId) => server.ofKind('heartbeat').filter((r) => r.path === `/v1/sessions/${sessionId}/heartbeat`).length;

function setHidden(page, value) {
  Object.defineProperty(page.document, 'hidden', { configurable: true, get: () => value });
  page.document.dispatchEvent(new page.window.Event('visibilitychange'));
}

test('heartbeats renew the lease while the page is visible, pause while hidden, resume when visible', async () => {
  server.answer = shortLease;
  try {
    const page = openPage(server, { body: '<p>555-123-4567</p>' });
    await page.ready;
    const sessionId = server.ofKind('assign').at(-1).response.sessionId;
    await until(() => beatsOf(sessionId) >= 2, 'two heartbeats');

    setHidden(page, true);
    const whileHidden = beatsOf(sessionId);
    await new Promise((r) => setTimeout(r, 1500)); // three heartbeat periods
    assert.ok(beatsOf(sessionId) <= whileHidden + 1, 'at most one already in flight when hidden'); // none scheduled after
    const settled = beatsOf(sessionId);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(beatsOf(sessionId), settled, 'no heartbeats while hidden');

    setHidden(page, false);
    await until(() => beatsOf(sessionId) > settled, 'a heartbeat as soon as the page is visible again');
    page.close();
  } finally {
    server.answer = defaultAnswer;
  }
});

test('a lease that is gone (410) is assigned again for the same visitor and the page follows', async () => {
  let assigns = 0;
  server.answer = (kind, body) => {
    if (kind === 'heartbeat') return { status: 410, body: { error: 'gone', detail: 'lease expired' } };
    if (kind !== 'assign') return defaultAnswer(kind, body);
    assigns++;
    return { status: 200, body: { sessionId: 'lease-' + assigns, visitorId: 'v-410', leaseSeconds: 1, fallback: false,
      swap: [SWAP], number: assigns === 1 ? TRACKING : '+15559870000' } };
  };
  try {
    const page = openPage(server, { body: '<p id="p">555-123-4567</p><a id="t" href="tel:5551234567">x</a>' });
    assert.equal(await page.ready, TRACKING);
    assert.equal(page.document.getElementById('p').textContent, '555-987-6543');
    await until(() => assigns >= 2, 'the re-assign after 410');
    const again = server.ofKind('assign').at(-1).body;
    assert.equal(again.visitorId, 'v-410', 'same visitor, so the server can give the same number back');
    // the server chose another number this time: the page shows the new one, in its own format
    await until(() => page.document.getElementById('p').textContent === '555-987-0000', 'the new number on the page');
    assert.equal(page.document.getElementById('t').getAttribute('href'), 'tel:5559870000');
    assert.equal(page.window.calltrack.number(), '+15559870000');
    page.close();
  } finally {
    server.answer = defaultAnswer;
  }
});

test('a page back from the back/forward cache (pageshow, then visible) renews once and assigns once', async () => {
  let assigns = 0;
  server.answer = (kind, body) => {
    if (kind === 'heartbeat') return { status: 410, body: { error: 'gone', detail: 'released' }, delayMs: 100 };
    if (kind !== 'assign') return defaultAnswer(kind, body);
    assigns++;
    return { status: 200, body: { sessionId: 'bf-' + assigns, visitorId: 'v-bf', leaseSeconds: 60, fallback: false,
      swap: [SWAP], number: TRACKING }, delayMs: 100 };
  };
  try {
    const page = openPage(server, { body: '<p>555-123-4567</p>' });
    await page.ready;
    page.window.dispatchEvent(new page.window.Event('pagehide'));
    // restored: pageshow with persisted, and the page visible again
    const shown = new page.window.Event('pageshow');
    Object.defineProperty(shown, 'persisted', { value: true });
    page.window.dispatchEvent(shown);
    setHidden(page, false);
    await until(() => assigns >= 2, 'the re-assign after the restore');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(beatsOf('bf-1'), 1, 'one heartbeat');
    assert.equal(assigns, 2, 'one re-assign');
    page.close();
  } finally {
    server.answer = defaultAnswer;
  }
});

test('the release names the lease it ends: the one the last heartbeat gave, not the assign\'s', async () => {
  let beats = 0;
  server.answer = (kind, body) => {
    const a = shortLease(kind, body);
    if (kind === 'assign') a.body.leaseExpiresAt = '2026-12-07T10:00:01Z';
    if (kind === 'heartbeat') a.body = { leaseExpiresAt: `2026-12-07T10:00:0${1 + ++beats}.500Z` };
    return a;
  };
  try {
    const page = openPage(server, { body: '<p>555-123-4567</p>' });
    await page.ready;
    const sessionId = server.ofKind('assign').at(-1).response.sessionId;
    page.window.dispatchEvent(new page.window.Event('pagehide'));
    const first = await until(() => server.ofKind('release').find((r) => r.path.includes(sessionId)), 'the first release');
    assert.deepEqual(first.body, { leaseExpiresAt: '2026-12-07T10:00:01Z' }, 'no heartbeat yet: the assign\'s lease');
    setHidden(page, false); // back (a bfcache restore): beats again
    await until(() => beatsOf(sessionId) >= 2, 'two heartbeats');
    setHidden(page, true); // no more beats; the one in flight (answered at once) lands
    await new Promise((r) => setTimeout(r, 200));
    const last = server.ofKind('heartbeat').filter((r) => r.path.includes(sessionId)).at(-1).response.leaseExpiresAt;
    page.window.dispatchEvent(new page.window.Event('pagehide'));
    await until(() => server.ofKind('release').filter((r) => r.path.includes(sessionId)).length >= 2, 'the second release');
    assert.deepEqual(server.ofKind('release').filter((r) => r.path.includes(sessionId)).at(-1).body, { leaseExpiresAt: last });
    page.close();
  } finally {
    server.answer = defaultAnswer;
  }
});

test('pagehide releases the session with a beacon and stops heartbeats', async () => {
  server.answer = shortLease;
  try {
    const page = openPage(server, { body: '<p>555-123-4567</p>' });
    await page.ready;
    const sessionId = server.ofKind('assign').at(-1).response.sessionId;
    page.window.dispatchEvent(new page.window.Event('pagehide'));
    const release = await until(() => server.ofKind('release').find((r) => r.path === `/v1/sessions/${sessionId}/release`),
      'the release beacon');
    assert.match(release.contentType, /^text\/plain/);
    const beats = beatsOf(sessionId);
    await new Promise((r) => setTimeout(r, 1200));
    assert.ok(beatsOf(sessionId) <= beats + 1, 'no more heartbeats after pagehide');
    page.close();
  } finally {
    server.answer = defaultAnswer;
  }
});

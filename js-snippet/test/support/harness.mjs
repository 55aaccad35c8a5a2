// Test support: a small HTTP server that plays dni-server's snippet API (the real one is covered by
// dni-server's browser end-to-end test), and pages in jsdom that load the built dni.js from it
// through a real <script src>, the way a customer's site does.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM, VirtualConsole, CookieJar } from 'jsdom';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILT = resolve(root, 'target/classes/calltrack/dni.js');

export const SWAP = '+15551234567';
export const TRACKING = '+15559876543';

/**
 * Starts the stub API. `server.answer(kind, body, request)` decides each reply: kind is 'assign',
 * 'heartbeat' or 'release'; it returns {status, body, delayMs}. Every request is recorded in
 * `server.requests` as {kind, path, body}.
 */
export async function stubServer() {
  const script = readFileSync(BUILT);
  const requests = [];
  let sessions = 0;
  const state = {
    requests,
    answer(kind, body) {
      if (kind === 'assign') {
        sessions++;
        return { status: 200, body: {
          sessionId: 's' + sessions, visitorId: body.visitorId || 'v-new', number: TRACKING,
          swap: [SWAP], leaseSeconds: 60, leaseExpiresAt: new Date(Date.now() + 60000).toISOString(),
          fallback: false } };
      }
      if (kind === 'heartbeat') return { status: 200, body: { leaseExpiresAt: new Date().toISOString() } };
      return { status: 204 };
    },
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-allow-headers', 'content-type');
      if (req.method === 'OPTIONS') { res.writeHead(204); res.end(); return; }
      if (req.method === 'GET' && req.url === '/dni.js') {
        res.writeHead(200, { 'content-type': 'application/javascript' });
        res.end(script);
        return;
      }
      const m = /^\/v1\/(assign|sessions\/([^/]+)\/(heartbeat|release|evidence))(\?.*)?$/.exec(req.url);
      if (!m || req.method !== 'POST') { res.writeHead(404); res.end(); return; }
      const kind = m[3] || 'assign';
      let body = null;
      try { body = raw ? JSON.parse(raw) : null; } catch { body = raw; }
      const entry = { kind, path: req.url, body, contentType: req.headers['content-type'] };
      requests.push(entry);
      const a = state.answer(kind, body);
      entry.response = a.body;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(a.status, a.body ? { 'content-type': 'application/json' } : {});
        res.end(a.body ? JSON.stringify(a.body) : undefined);
      };
      if (a.delayMs) setTimeout(send, a.delayMs); else send();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  state.base = `http://127.0.0.1:${server.address().port}`;
  state.ofKind = (kind) => requests.filter((r) => r.kind === kind);
  // closes the pages it served too, so a failed test leaves no heartbeat timers running
  state.close = () => new Promise((r) => {
    for (const page of openPages) page.close();
    server.closeAllConnections();
    server.close(r);
  });
  return state;
}

/**
 * Opens `url` in jsdom with `body` as its content and the snippet's script tag (with `attrs` as its
 * data-* attributes) in the head. Options: referrer, cookieJar and storage (a plain object standing
 * for localStorage) to carry a visitor from one page view to the next, src (the script's URL).
 * Returns {window, document, warnings, errors, ready} where ready resolves with the number handed to
 * calltrack.ready callbacks (queued before the script loaded, as sites do).
 */
export function openPage(server, { url = 'https://shop.example/', referrer, body = '', attrs = {},
  cookieJar = new CookieJar(), storage, src, queue = [], prerendering = false, hidden = false } = {}) {
  const warnings = [];
  const errors = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on('warn', (...args) => warnings.push(args.join(' ')));
  virtualConsole.on('error', (...args) => errors.push(args.join(' ')));
  virtualConsole.on('jsdomError', (e) => errors.push(e.message + (e.cause ? ' ' + e.cause.stack : '')));
  const attrText = Object.entries({ property: 'acme', ...attrs })
    .map(([k, v]) => ` data-${k}="${v}"`).join('');
  let readyResolve;
  const ready = new Promise((r) => { readyResolve = r; });
  const html = `<!doctype html><html><head>
    <script async src="${src || server.base + '/dni.js'}"${attrText}></script></head>
    <body>${body}</body></html>`;
  const dom = new JSDOM(html, {
    url, referrer, cookieJar, virtualConsole, runScripts: 'dangerously', resources: 'usable',
    pretendToBeVisual: true,
    beforeParse(window) {
      // jsdom has no fetch or sendBeacon: lend it Node's real HTTP client (and its AbortController,
      // whose signal Node's fetch understands).
      window.fetch = (u, o) => fetch(u, o);
      window.AbortController = AbortController;
      window.AbortSignal = AbortSignal;
      window.navigator.sendBeacon = (u, data) => {
        fetch(u, { method: 'POST', body: data, headers: { 'content-type': 'text/plain;charset=UTF-8' } })
          .catch(() => {});
        return true;
      };
      if (storage) for (const [k, v] of Object.entries(storage)) window.localStorage.setItem(k, v);
      // a page the browser prerenders (speculation rules), or opens in a background tab (hidden), until
      // page.show(): hidden, as Chromium has them
      if (prerendering) Object.defineProperty(window.document, 'prerendering', { configurable: true, get: () => prerendering });
      if (prerendering || hidden) {
        hidden = true;
        Object.defineProperty(window.document, 'hidden', { configurable: true, get: () => hidden });
        Object.defineProperty(window.document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
      }
      window.calltrack = [...queue, (n) => readyResolve(n)];
    },
  });
  const { window } = dom;
  const page = { dom, window, document: window.document, warnings, errors, ready, cookieJar,
    storage: () => Object.fromEntries(Object.keys(window.localStorage).map((k) => [k, window.localStorage.getItem(k)])),
    close: () => { openPages.delete(page); window.close(); },
    // shown: as Chromium activates a prerendered page, visible (visibilitychange) before it is no
    // longer prerendering (prerenderingchange)
    show: () => {
      hidden = false;
      window.document.dispatchEvent(new window.Event('visibilitychange'));
      if (prerendering) {
        prerendering = false;
        window.document.dispatchEvent(new window.Event('prerenderingchange'));
      }
    } };
  openPages.add(page);
  return page;
}
const openPages = new Set();

/** Waits (bounded) until `check()` is truthy; for async effects such as observer swaps or heartbeats. */
export async function until(check, what, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

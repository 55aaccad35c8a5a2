// Page scenarios of dni.js in real headless Chromium (Debian's, through playwright-core) against a
// real dni-server on Redis: what a real browser does that jsdom cannot show (typing into an editor,
// a sandboxed page, storage blocked, the back/forward cache, web components, several tabs, URLs as
// long as ad click URLs get). Started by dni-server's SnippetScenariosBrowserTest, one scenario per
// run. The site's pages are stored on the test site (POST /__page; pages report to it with POST
// /__log where no DevTools watches them), on an origin the property
// allows; dni.js and the API come from the real dni-server.
//
// Usage: node test/e2e/scenarios.mjs '{"scenario": "...", "dni": "...", "site": "...", "property": "...",
//   "printed": "+1...", "chromium": "..."}'
// Prints one line of JSON: what the scenario saw.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const config = JSON.parse(process.argv[2]);
const WAIT_MS = 30000;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const P = config.printed;
const [A, N, X] = [P.slice(2, 5), P.slice(5, 8), P.slice(8)];
const DASHES = `${A}-${N}-${X}`;

const tag = (attrs = '') => `<script async src="${config.dni}/dni.js" data-property="${config.property}" data-timeout="8000"${attrs}></script>`;
const html = (body, head = tag()) => `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

/** Serves `pages` (path -> html or {body, headers}) on the site's origin. */
async function store(pages) {
  for (const [path, p] of Object.entries(pages)) {
    const { body, headers = {} } = typeof p === 'string' ? { body: p } : p;
    const r = await fetch(`${config.site}/__page?path=${encodeURIComponent(path)}`, { method: 'POST', body: JSON.stringify({ body, headers }) });
    if (!r.ok) throw new Error('could not store page ' + path + ': ' + r.status);
  }
}

/** Serves `pages` as {@link store} does; records assigns and evidence. */
async function site(context, pages) {
  const seen = { assigns: [], evidence: [], errors: [], warnings: [] };
  await store(pages);
  seen.pending = 0;
  seen.heartbeats = 0;
  seen.heartbeatStatuses = [];
  context.on('request', (r) => {
    if (/\/v1\/assign|\/heartbeat/.test(r.url()) && r.method() === 'POST') seen.pending++;
    if (r.url().includes('/heartbeat') && r.method() === 'POST') seen.heartbeats++;
    if (r.url().includes('/evidence')) seen.evidence.push(JSON.parse(r.postData() || '{}').kind);
  });
  context.on('requestfinished', (r) => { if (/\/v1\/assign|\/heartbeat/.test(r.url()) && r.method() === 'POST') seen.pending--; });
  context.on('requestfailed', (r) => { if (/\/v1\/assign|\/heartbeat/.test(r.url()) && r.method() === 'POST') seen.pending--; });
  context.on('response', async (r) => {
    if (r.url().includes('/heartbeat') && r.request().method() === 'POST') seen.heartbeatStatuses.push(r.status());
    if (r.url().includes('/v1/assign') && r.request().method() === 'POST') {
      const entry = { status: r.status(), sent: JSON.parse(r.request().postData() || 'null') };
      seen.assigns.push(entry);
      try { entry.body = await r.json(); } catch (e) { /* no body */ }
    }
  });
  context.on('page', (page) => watch(page, seen));
  return seen;
}
function watch(page, seen) {
  page.on('pageerror', (e) => seen.errors.push(String(e && e.message || e)));
  page.on('console', (m) => { if (m.type() === 'warning') seen.warnings.push(m.text()); });
}

/** calltrack.ready's number, or 'never' if it does not come within 10 s. */
const settled = (page) => page.evaluate(() => new Promise((resolve) => {
  setTimeout(() => resolve('never'), 10000);
  (window.calltrack = window.calltrack || []).push(resolve);
}));

const SCENARIOS = {
  // the number typed by someone into a rich-text field (contenteditable) is what they typed
  async contenteditable(context) {
    const seen = await site(context, { '/': html(`<p id="shown">${DASHES}</p>
      <div id="ed" contenteditable="true" style="min-height:2em;border:1px solid"></div><div id="after"></div>`) });
    const page = await context.newPage();
    await page.goto(config.site + '/', { timeout: WAIT_MS });
    const number = await settled(page);
    await page.click('#ed');
    await page.keyboard.type(`Our number is ${DASHES}.`);
    // a marker added after the typing: once the observer has swapped it, it has seen the typing too
    await page.evaluate((d) => { const p = document.createElement('p'); p.id = 'marker'; p.textContent = d; document.getElementById('after').append(p); }, DASHES);
    await page.waitForFunction((d) => document.getElementById('marker').textContent !== d, DASHES, { timeout: WAIT_MS });
    return { number, shown: await page.textContent('#shown'), typed: await page.textContent('#ed'),
      marker: await page.textContent('#marker'), errors: seen.errors };
  },

  // localStorage unavailable (Safari-private-like: the getter throws), cookies work; a long ad landing URL
  async cookieOnlyLongLanding(context) {
    await context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', { configurable: true,
        get() { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
    });
    const seen = await site(context, {
      '/landing': html('<p>Call <span id="n">' + DASHES + '</span></p><a id="next" href="/pricing">Pricing</a>'),
      '/pricing': html('<p>Call <span id="n">' + DASHES + '</span></p>'),
    });
    // a Google Ads final URL with ValueTrack parameters and auto-tagging: about 1,050 characters (a cookie over 4 KiB)
    const gclid = 'Cj0KCQiA' + 'x7Rk2pQ9vLmN3sT5uW8yZ1bC4dF6gH0jK'.repeat(16);
    const query = new URLSearchParams({ utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring-emergency-plumbing-2026',
      utm_term: 'emergency plumber near me open now', utm_content: 'responsive-search-ad-variant-b-headline-3',
      gad_source: '1', gad_campaignid: '21987654321', gbraid: '0AAAAADx' + 'Qz7Lm2Np4'.repeat(8), gclid,
      _gl: '1*abc123*_gcl_au*MTIzNDU2Nzg5MC4xNzAwMDAwMDAw*_ga*' + 'MTIzNDU2Nzg5MC4xNzAwMDAwMDAw'.repeat(4) });
    const landing = `${config.site}/landing?${query}`;
    const page = await context.newPage();
    await page.goto(landing, { timeout: WAIT_MS });
    const first = await settled(page);
    const cookie = await page.evaluate(() => document.cookie.includes('_calltrack='));
    await Promise.all([page.waitForURL('**/pricing', { timeout: WAIT_MS }), page.click('#next')]);
    const second = await settled(page);
    return { landingLength: landing.length, first, second, cookieSet: cookie,
      assigns: seen.assigns.map((a) => ({ status: a.status, visitorId: a.sent.visitorId, sessionId: a.sent.sessionId,
        campaign: a.sent.attribution.campaign, source: a.sent.attribution.source, gotVisitor: a.body && a.body.visitorId,
        gotNumber: a.body && a.body.number })),
      errors: seen.errors };
  },

  // a site owner writes data-timeout="2000ms"
  async badTimeout(context) {
    const seen = await site(context, { '/': html(`<p id="p">${DASHES}</p>`,
      `<script async src="${config.dni}/dni.js" data-property="${config.property}" data-timeout="2000ms"></script>`) });
    const page = await context.newPage();
    await page.goto(config.site + '/', { timeout: WAIT_MS });
    const number = await settled(page);
    return { number, shown: await page.textContent('#p'), errors: seen.errors, warnings: seen.warnings };
  },

  // the page is served sandboxed (CSP sandbox allow-scripts: opaque origin, document.cookie throws)
  async sandboxed(context) {
    const seen = await site(context, { '/': { body: html(`<p id="p">${DASHES}</p>`),
      headers: { 'content-security-policy': 'sandbox allow-scripts' } } });
    const page = await context.newPage();
    await page.goto(config.site + '/', { timeout: WAIT_MS });
    const number = await settled(page);
    return { number, shown: await page.textContent('#p'), errors: seen.errors,
      api: await page.evaluate(() => typeof window.calltrack === 'object' && !Array.isArray(window.calltrack)) };
  },

  // a landing URL of about 6,000 characters (long email-campaign tracking tokens), then a reload
  async longUrl(context) {
    const seen = await site(context, { '/offer': html(`<p id="p">${DASHES}</p>`) });
    const url = `${config.site}/offer?utm_source=newsletter&utm_medium=email&utm_campaign=winter&token=${'a1B2c3D4e5'.repeat(600)}`;
    const sent = [];
    context.on('request', (r) => { if (r.url().includes('/v1/assign') && r.method() === 'POST') sent.push((r.postData() || '').length); });
    const failed = [];
    context.on('requestfailed', (r) => { if (r.url().includes('/v1/assign')) failed.push(r.failure() && r.failure().errorText); });
    const page = await context.newPage();
    await page.goto(url, { timeout: WAIT_MS });
    const first = await settled(page);
    await page.reload({ timeout: WAIT_MS });
    const second = await settled(page);
    return { urlLength: url.length, first, second, assignBodyBytes: sent, failed, statuses: seen.assigns.map((a) => a.status), shown: await page.textContent('#p'),
      warnings: seen.warnings };
  },

  // a tap on the swapped tel: link of a web component (open shadow root, which dni.js swaps)
  async shadowTap(context) {
    const seen = await site(context, { '/': html(`<x-call id="card"></x-call>
      <p><a id="light" href="tel:${P}">${DASHES}</a></p><script>
      customElements.define('x-call', class extends HTMLElement { constructor() { super();
        this.attachShadow({ mode: 'open' }).innerHTML = '<a id="in" href="tel:${P}">Call ${DASHES}</a>'; } });
      document.addEventListener('click', function (e) { e.preventDefault(); }); // no dialler in the test
      </script>`) });
    const page = await context.newPage();
    await page.goto(config.site + '/', { timeout: WAIT_MS });
    const number = await settled(page);
    await page.waitForFunction((n) => document.getElementById('card').shadowRoot.getElementById('in').getAttribute('href') === 'tel:' + n, number, { timeout: WAIT_MS });
    await page.locator('#card #in').click(); // the tap inside the component (playwright pierces open shadow roots)
    // then a tap on the light-DOM link: its beacon is sent after any beacon of the first tap
    const second = page.waitForRequest((r) => r.url().includes('/evidence'), { timeout: WAIT_MS });
    await page.click('#light');
    await second;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    return { number, shadowHref: await page.evaluate(() => document.getElementById('card').shadowRoot.getElementById('in').getAttribute('href')),
      evidence: seen.evidence, errors: seen.errors };
  },

  // the visitor goes to another site and comes back with the Back button (back/forward cache)
  async bfcache(context) {
    const bf = { 'cache-control': 'private, max-age=0' }; // no-store would keep the page out of the bfcache
    const seen = await site(context, {
      '/a': { body: html(`<p id="p">${DASHES}</p><script>addEventListener('pageshow', function (e) {
        (window.shows = window.shows || []).push(e.persisted); });</script>`), headers: bf },
      '/b': { body: '<!doctype html><p>elsewhere</p>', headers: bf },
    });
    const page = await context.newPage();
    await page.goto(config.site + '/a', { timeout: WAIT_MS });
    const number = await settled(page);
    const before = seen.assigns.length;
    const beats = seen.heartbeatStatuses.length;
    await page.goto(config.site + '/b', { timeout: WAIT_MS });
    await page.goBack({ timeout: WAIT_MS, waitUntil: 'commit' }); // a bfcache restore fires no load
    await page.waitForFunction(() => window.shows && window.shows.length > 1, null, { timeout: WAIT_MS });
    const persisted = await page.evaluate(() => window.shows);
    // the restored page renews at once: if the release (sent as the page was left) ended the lease
    // first, the renewal is a 410 and the page assigns again; if the renewal came first, the lease
    // lives on and the late release, naming the lease it ended, ends nothing. Wait until the renewal
    // was answered, and after a 410 the assign too.
    const renewed = () => seen.heartbeatStatuses.length > beats;
    for (const end = Date.now() + 20000; Date.now() < end; await page.waitForTimeout(50)) {
      if (renewed() && seen.pending === 0 && (seen.heartbeatStatuses[beats] !== 410 || seen.assigns.length > before)
        && seen.assigns.every((a) => a.body)) break;
    }
    const after = seen.assigns.slice(before);
    return { number, persisted, renewal: renewed() ? seen.heartbeatStatuses[beats] : null,
      reassigns: after.map((a) => ({ status: a.status, sent: a.sent.sessionId,
      session: a.body && a.body.sessionId, number: a.body && a.body.number })),
      shown: await page.textContent('#p'), current: await page.evaluate(() => window.calltrack.number()), errors: seen.errors };
  },

  // the visitor came from Google search, later clicked an ad, then went Back to the first page and
  // reloaded it: both replay the first page's address and referrer (google.com)
  async replayedTouch(context) {
    const seen = await site(context, { '/from-search': html(`<p id="n">${DASHES}</p>`), '/offer': html(`<p id="n">${DASHES}</p>`) });
    const page = await context.newPage();
    await page.goto(config.site + '/from-search', { timeout: WAIT_MS, referer: 'https://www.google.com/' });
    await settled(page);
    await page.goto(config.site + '/offer?gclid=g-7', { timeout: WAIT_MS });
    await settled(page);
    await page.goBack({ timeout: WAIT_MS });
    await settled(page);
    await page.reload({ timeout: WAIT_MS });
    await settled(page);
    return { lastNavigation: await page.evaluate(() => performance.getEntriesByType('navigation')[0].type),
      touches: seen.assigns.map((a) => `${a.sent.attribution.source} / ${a.sent.attribution.medium}`),
      journeys: seen.assigns.map((a) => (a.sent.attribution.journey || []).map((t) => `${t.source} / ${t.medium}`)),
      statuses: seen.assigns.map((a) => a.status), errors: seen.errors };
  },

  // a strict Content-Security-Policy (no inline styles; scripts and styles allowed by nonce) and
  // data-hide: the numbers are hidden while the assign is on its way (held 2 s here), then shown swapped
  async cspNonce(context) {
    const csp = `default-src 'none'; script-src 'nonce-n0nce' ${config.dni}; connect-src ${config.dni}; style-src 'nonce-n0nce'`;
    const seen = await site(context, { '/': { body: html(`<p><a id="t" href="tel:${P}">${DASHES}</a></p>`,
      tag(' nonce="n0nce" data-hide="true"')), headers: { 'content-security-policy': csp } } });
    await context.route('**/v1/assign**', async (route) => {
      await new Promise((r) => setTimeout(r, 2000));
      await route.continue();
    });
    const refused = [];
    context.on('page', (p) => p.on('console', (m) => { if (/Content Security Policy/.test(m.text())) refused.push(m.text()); }));
    const page = await context.newPage();
    await page.goto(config.site + '/', { timeout: WAIT_MS, waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => window.calltrack && window.calltrack.swap, null, { timeout: WAIT_MS });
    const whileWaiting = await page.evaluate(() => getComputedStyle(document.getElementById('t')).visibility);
    const number = await settled(page);
    return { number, whileWaiting, after: await page.evaluate(() => getComputedStyle(document.getElementById('t')).visibility),
      shown: await page.textContent('#t'), refused, errors: seen.errors };
  },

  // a single-page app: its router rewrites the ad landing URL (drops the query) before anything else
  // runs, and the site's tag manager adds dni.js after load, once the visitor has moved to another route
  async spaRouter(context) {
    const seen = await site(context, { '/landing': html(`<div id="app"></div><script>
      history.replaceState(null, '', '/home');
      addEventListener('load', function () {
        history.pushState(null, '', '/contact');
        document.getElementById('app').innerHTML = '<p id="n">Call ${DASHES}</p>';
        var s = document.createElement('script');
        s.src = '${config.dni}/dni.js'; s.dataset.property = '${config.property}'; s.dataset.timeout = '8000';
        document.body.append(s);
      });</script>`, '') });
    const page = await context.newPage();
    const query = 'utm_source=google&utm_medium=cpc&utm_campaign=spa-launch&gclid=g-123';
    await page.goto(`${config.site}/landing?${query}`, { timeout: WAIT_MS, referer: 'https://www.google.com/' });
    const number = await settled(page);
    const sent = seen.assigns[0] && seen.assigns[0].sent;
    return { number, query, shown: await page.textContent('#n'), address: page.url(), assigns: seen.assigns.length,
      attribution: sent && sent.attribution, errors: seen.errors };
  },

  // tab B is open (campaign B-old); the visitor clicks an ad (campaign A-new) into tab A, closes it,
  // and goes on in tab B, whose lease the close released (410 at its next heartbeat, then a re-assign)
  async staleTab(context) {
    const seen = await site(context, { '/': html(`<p id="n">${DASHES}</p>`), '/contact': html(`<p id="n">${DASHES}</p>`) });
    const b = await context.newPage();
    await b.goto(config.site + '/?utm_source=bing&utm_medium=cpc&utm_campaign=B-old', { timeout: WAIT_MS });
    await settled(b);
    const a = await context.newPage();
    await a.goto(config.site + '/?utm_source=google&utm_medium=cpc&utm_campaign=A-new&gclid=abc', { timeout: WAIT_MS });
    await settled(a);
    const stored = await a.evaluate(() => JSON.parse(localStorage.getItem('_calltrack')).l.campaign);
    await a.close({ runBeforeUnload: true });
    await b.bringToFront();
    const assigns = seen.assigns.length;
    for (const end = Date.now() + 20000; Date.now() < end; await b.waitForTimeout(100)) {
      if (seen.assigns.length > assigns && seen.pending === 0 && seen.assigns.every((x) => x.body)) break;
    }
    const reassign = seen.assigns.slice(assigns).map((x) => x.sent.attribution.campaign);
    // later, the visitor opens the contact page in a new tab
    const c = await context.newPage();
    await c.goto(config.site + '/contact', { timeout: WAIT_MS });
    await settled(c);
    return { storedAfterAdClick: stored, reassign, contact: seen.assigns.at(-1).sent.attribution.campaign,
      storedAtEnd: await c.evaluate(() => JSON.parse(localStorage.getItem('_calltrack')).l.campaign), errors: seen.errors };
  },

  // data-consent="required": an ad landing and the next page before the visitor answers the banner
  // (nothing on the device, two visits), consent on the second page, a third page whose consent
  // manager tells dni.js at once (queued before it loads), then consent withdrawn
  async consent(context) {
    const required = tag(' data-consent="required"');
    const queued = `<script>(window.calltrack = window.calltrack || []).push(['consent', true]);</script>` + required;
    const seen = await site(context, {
      '/landing': html(`<p id="n">${DASHES}</p><a id="next" href="/pricing">Pricing</a>`, required),
      '/pricing': html(`<p id="n">${DASHES}</p><a id="next" href="/contact">Contact</a>`, required),
      '/contact': html(`<p id="n">${DASHES}</p>`, queued),
    });
    const stored = (page) => page.evaluate(() => ({ cookie: document.cookie.includes('_calltrack='),
      local: localStorage.getItem('_calltrack') }));
    const page = await context.newPage();
    await page.goto(config.site + '/landing?utm_source=google&utm_medium=cpc&utm_campaign=consent-test', { timeout: WAIT_MS });
    const landing = { number: await settled(page), ...await stored(page) };
    await Promise.all([page.waitForURL('**/pricing', { timeout: WAIT_MS }), page.click('#next')]);
    const pricing = { number: await settled(page), ...await stored(page) };
    await page.evaluate(() => window.calltrack.consent(true));
    const granted = await stored(page);
    await Promise.all([page.waitForURL('**/contact', { timeout: WAIT_MS }), page.click('#next')]);
    const contact = { number: await settled(page) };
    await page.evaluate(() => window.calltrack.consent(false));
    const withdrawn = await stored(page);
    return { landing, pricing, granted: { cookie: granted.cookie, last: granted.local && JSON.parse(granted.local).l },
      contact, withdrawn,
      assigns: seen.assigns.map((a) => ({ sent: a.sent.visitorId || null, got: a.body && a.body.visitorId,
        campaign: a.sent.attribution.campaign || null })),
      errors: seen.errors };
  },
};

// Scenarios in a Chromium without DevTools attached, as a visitor's is: under DevTools (so under
// playwright) Chromium does not prerender. The pages report what happened to the site (POST /__log).
const report = (event, extra = '') => `fetch('/__log', {method: 'POST', body: JSON.stringify({page: location.pathname, `
  + `event: '${event}', prerendering: !!document.prerendering${extra}})})`;
const BARE = {
  // the visitor is on a list page whose speculation rules prerender two pages that carry dni.js, and
  // opens one of them once both have loaded it
  async prerender() {
    const offer = html(`<p id="n">${DASHES}</p><script>
      document.addEventListener('prerenderingchange', function () { ${report('activated')}; });
      (window.calltrack = window.calltrack || []).push(function (number) {
        var nav = performance.getEntriesByType('navigation')[0],
            a = performance.getEntriesByType('resource').filter(function (e) { return e.name.includes('/v1/assign'); })[0];
        ${report('ready', ", number: number, shown: document.getElementById('n').textContent, "
          + 'activationStart: nav.activationStart, assignStart: a ? a.startTime : -1')};
      });</script>`, tag(` onload="${report('loaded')}"`));
    await store({ '/offer': offer, '/other': offer, '/list': html(`<p>Offers</p>
      <script type="speculationrules">{"prerender": [{"source": "list", "urls": ["/offer", "/other"]}]}</script>
      <script>(async function () {
        for (;;) {
          var log = await (await fetch('/__log')).json();
          if (['/offer', '/other'].every(function (p) { return log.some(function (e) { return e.page == p && e.event == 'loaded'; }); })) break;
          await new Promise(function (r) { setTimeout(r, 50); });
        }
        location.href = '/offer';
      })();</script>`, '') });
    return bare(config.site + '/list', (log) => ['activated', 'ready'].every((ev) => log.some((e) => e.page === '/offer' && e.event === ev)));
  },
};

/** Chromium, bare, on `url` until the site's log shows `done` (at most WAIT_MS): the log. */
async function bare(url, done) {
  const dir = await mkdtemp(join(tmpdir(), 'calltrack-chromium-'));
  // its own process group: the renderers and helpers it starts go with it
  const browser = spawn(config.chromium, [...FLAGS, `--user-data-dir=${dir}`, url], { stdio: 'ignore', detached: true });
  const exited = once(browser, 'exit');
  try {
    let log = [];
    for (const end = Date.now() + WAIT_MS; Date.now() < end && !done(log); await new Promise((r) => setTimeout(r, 100))) {
      log = await (await fetch(config.site + '/__log')).json();
    }
    return { log };
  } finally {
    try {
      process.kill(-browser.pid, 'SIGTERM');
    } catch {
      browser.kill(); // the group is gone already
    }
    await exited;
    // a helper may still write its profile for a moment after the browser's exit (rmdir: ENOTEMPTY)
    await rm(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 })
      .catch((e) => console.error(`could not remove ${dir}: ${e.message}`));
  }
}

let result;
if (BARE[config.scenario]) {
  result = await BARE[config.scenario]();
} else {
  // playwright turns the back/forward cache off by default; the bfcache scenario needs it as browsers ship it
  const browser = await chromium.launch({ executablePath: config.chromium, headless: true, timeout: WAIT_MS, args: FLAGS,
    ignoreDefaultArgs: config.scenario === 'bfcache' ? ['--disable-back-forward-cache'] : [] });
  try {
    const context = await browser.newContext();
    result = await SCENARIOS[config.scenario](context);
  } finally {
    await browser.close();
  }
}
console.log(JSON.stringify(result));

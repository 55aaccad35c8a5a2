// Browser end-to-end run of dni.js in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; never a downloaded browser). Started by dni-server's SnippetBrowserTest, which
// runs Redis, a dni-server and the test site, and asserts what this script reports.
//
// Usage: node test/e2e/browser.mjs '{"siteUrl": "...", "controlUrl": "...", "screenshot": "...", "chromium": "..."}'
// (controlUrl: the test's own endpoints, POST /stop-dni and GET /session?id=).
// Prints one line of JSON: what each visitor saw (elements marked data-e2e), the assign answers and
// heartbeat statuses (captured from the network), page errors and console warnings.
import { chromium } from 'playwright-core';

const config = JSON.parse(process.argv[2]);
const WAIT_MS = 30000;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const browser = await chromium.launch({ executablePath: config.chromium, headless: true, args: FLAGS,
  timeout: WAIT_MS });
const report = {};
try {
  const first = await browser.newContext();
  const firstPage = await first.newPage();

  // 1. a visitor from a Google Ads click; stays long enough for a heartbeat (every half lease)
  report.visitor1 = await visit(firstPage, { swapped: true, heartbeat: true });
  await firstPage.screenshot({ path: config.screenshot, fullPage: true });
  // ... whose page then grows to 5,000 elements: how long a swap of it all takes
  // (wall time in the page; and the page's main-thread CPU time per swap, from Chromium's own metrics:
  // the CPU time of the runs minus that of the same runs without the swap; on a loaded host the wall
  // time mostly measures waiting for a core)
  const cdp = await first.newCDPSession(firstPage);
  await cdp.send('Performance.enable');
  const cpuMs = async () => (await cdp.send('Performance.getMetrics')).metrics
    .find((m) => m.name === 'ThreadTime').value * 1000;
  try {
    report.timing = await firstPage.evaluate(buildSwapPage, config.printed);
    const cpu0 = await cpuMs();
    Object.assign(report.timing, await firstPage.evaluate(swapRuns, [config.printed, true, 0]));
    const cpu1 = await cpuMs();
    await firstPage.evaluate(swapRuns, [config.printed, false, report.timing.runs]);
    const cpu2 = await cpuMs();
    report.timing.cpuMsPerSwap = ((cpu1 - cpu0) - (cpu2 - cpu1)) / report.timing.runs;
  } catch (e) {
    report.timing = { error: String(e) };
  }

  // 2. the same visitor reloads
  report.reload = await visit(firstPage, { swapped: true, reload: true });

  // 3. another visitor (another browser context: no cookies, no storage) at the same time
  const second = await browser.newContext();
  const secondPage = await second.newPage();
  report.visitor2 = await visit(secondPage, { swapped: true });

  // ... who leaves: pagehide sends the release beacon, and the session goes into its hold
  const secondSession = report.visitor2.assigns.length ? report.visitor2.assigns[0].body.sessionId : 'none';
  await secondPage.goto('about:blank');
  report.afterLeaving = await poll(`${config.controlUrl}/session?id=${encodeURIComponent(secondSession)}`,
    (s) => s.state !== 'LEASED');

  // 4. dni-server stops; the first visitor comes back (dni.js from the browser cache, API down) ...
  const stopped = await fetch(`${config.controlUrl}/stop-dni`, { method: 'POST' });
  if (!stopped.ok) throw new Error('could not stop dni-server: HTTP ' + stopped.status);
  report.downCached = await visit(firstPage, { swapped: false });

  // 5. ... and a new visitor comes (dni.js itself cannot load)
  const third = await browser.newContext();
  report.downFresh = await visit(await third.newPage(), { swapped: false });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));

/**
 * Runs in the page: builds 5,000+ elements of ordinary content (sections, headings, paragraphs with
 * inline markup, lists, tables, links, date ranges, order numbers) with the printed number in every
 * form on every tenth card, kept as a template in window.swapPage.
 */
function buildSwapPage(printed) {
  const [a, n, x] = [printed.slice(2, 5), printed.slice(5, 8), printed.slice(8)];
  const forms = [`(${a}) ${n}-${x}`, `<span>${a}</span>-<span>${n}</span>-<span>${x}</span>`,
    `<strong>(${a})</strong> ${n}\u2013${x}`, `${a}\u2011${n}\u2011${x}`,
    `<a href="tel:${printed}" aria-label="Call ${a}-${n}-${x}">${a}.${n}.${x}</a>`,
    `<a href="sms:${printed}">Text <b>${a}</b>\u2012${n}\u2012${x}</a>`];
  const tpl = document.createElement('template');
  let html = '';
  for (let i = 0; ; i++) {
    html += `<section class="card"><h2>Plumbing job ${i}</h2><p>Lorem <b>ipsum</b> dolor
      <a href="/jobs/${i}" title="Job ${i}">sit</a> amet, 2019\u20132023, order #${4000000 + i}.</p>
      <ul><li>Kitchens</li><li>Bathrooms <em>${i % 7}</em></li></ul><table><tr><td>${i}</td>
      <td><span>Call</span> ${i % 10 ? 'our team' : forms[(i / 10) % forms.length]}</td></tr></table></section>`;
    if (i % 50 == 49) {
      tpl.innerHTML = html;
      if (tpl.content.querySelectorAll('*').length >= 5000) break;
    }
  }
  window.swapPage = tpl;
  return { elements: document.getElementsByTagName('*').length + tpl.content.querySelectorAll('*').length,
    numbers: [...tpl.content.querySelectorAll('td')].filter((td) => td.textContent.replace(/\D/g, '').includes(a + n + x)).length };
}

/**
 * Runs in the page: times calltrack.swap(document.body) on the page grown by a fresh copy of
 * window.swapPage, with performance.now(): 9 runs per batch, up to 3 batches until one's median is
 * under 20 ms (a loaded host stretches single runs), or exactly `count` runs. Fails if a run leaves a
 * number unswapped. With swap false it does all the same but the swap (copy in and out, the check):
 * the caller subtracts that run's CPU time.
 */
function swapRuns([printed, swap, count]) {
  const digits = printed.slice(2);
  // the reference: visits every text node under root and tests it for a digit (defined here: this
  // function runs in the page, where nothing else of this script is)
  const walkText = (root) => {
    let n = 0;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (/\d/.test(t.data)) n++;
    }
    return n;
  };
  const unswapped = (root) => [...root.querySelectorAll('td')]
    .filter((td) => td.textContent.replace(/\D/g, '').includes(digits)).length;
  const batches = [];
  let total = 0;
  while (count ? total < count : batches.length < 3 && !batches.some((b) => b.median < 20)) {
    const runs = [];
    const walks = [];
    const ratios = [];
    for (let r = 0; r < 9; r++) {
      const box = document.createElement('div');
      box.append(window.swapPage.content.cloneNode(true));
      // the snippet's observer need not look at a copy again (nor swap the one that is not swapped)
      if (!swap) box.setAttribute('data-calltrack-noswap', '');
      document.body.append(box);
      // the reference, in the same run and on the same page: a plain walk of every text node, testing
      // each for a digit (the least any swap of the page must do); done with or without the swap, so
      // the CPU subtraction cancels it
      const t0 = performance.now();
      walkText(document.body);
      const t1 = performance.now();
      if (swap) window.calltrack.swap(document.body);
      const t2 = performance.now();
      runs.push(t2 - t1);
      walks.push(t1 - t0);
      ratios.push((t2 - t1) / Math.max(t1 - t0, 0.01));
      total++;
      const left = unswapped(box);
      box.setAttribute('data-calltrack-noswap', '');
      box.remove();
      if (swap && left) throw new Error(`run ${r}: ${left} numbers left unswapped (tracking number ${window.calltrack.number()})`);
    }
    runs.sort((p, q) => p - q);
    walks.sort((p, q) => p - q);
    ratios.sort((p, q) => p - q);
    batches.push({ median: runs[4], min: runs[0], max: runs[8], runs, walkMedian: walks[4], ratioMedian: ratios[4] });
  }
  return { batches, runs: total };
}

/** GETs `url` until `done(json)` or 20 s; returns the last answer. */
async function poll(url, done) {
  const end = Date.now() + 20000;
  for (;;) {
    const answer = await (await fetch(url)).json();
    if (done(answer) || Date.now() > end) return answer;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Loads the site in `page` and reports what the visitor sees once dni.js has settled. */
async function visit(page, { swapped, reload, heartbeat }) {
  const errors = [];
  const warnings = [];
  const assigns = [];
  const heartbeats = [];
  const onError = (e) => errors.push(String(e && e.stack || e));
  const onConsole = (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
    // failed requests to a stopped server are the browser's network log, not the page's errors
    if (m.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(m.text())) {
      errors.push('console.error: ' + m.text());
    }
  };
  const onResponse = async (r) => {
    if (r.url().includes('/v1/assign') && r.request().method() === 'POST') {
      let sent;
      try { sent = JSON.parse(r.request().postData()); } catch (e) { /* no body */ }
      try { assigns.push({ status: r.status(), body: await r.json(), sent }); } catch (e) { assigns.push({ status: r.status(), sent }); }
    }
    if (r.url().includes('/heartbeat')) heartbeats.push(r.status());
  };
  page.on('pageerror', onError);
  page.on('console', onConsole);
  page.on('response', onResponse);
  try {
    if (reload) await page.reload({ waitUntil: 'load', timeout: WAIT_MS });
    else await page.goto(config.siteUrl, { waitUntil: 'load', timeout: WAIT_MS });

    // dni.js settles (number or null); it may never load at all when dni-server is down
    const loaded = await page.waitForFunction(() => window.calltrack && window.calltrack.ready, null,
      { timeout: swapped ? WAIT_MS : 5000 }).then(() => true, () => false);
    const number = loaded
      ? await page.evaluate(() => new Promise((resolve) => window.calltrack.ready(resolve)))
      : null;

    // the content the site injects after 2 s
    await page.waitForSelector('#late', { timeout: WAIT_MS });
    if (swapped) {
      await page.waitForFunction(() => document.getElementById('late').textContent
        !== document.getElementById('late').getAttribute('data-original'), null, { timeout: 10000 })
        .catch(() => { /* reported as seen; the test says what was expected */ });
    } else {
      await page.waitForTimeout(500); // give a (wrong) late swap the chance to show
    }

    if (heartbeat) {
      for (const end = Date.now() + 20000; !heartbeats.length && Date.now() < end;) await page.waitForTimeout(100);
    }

    const elements = await page.evaluate(() => Object.fromEntries(
      [...document.querySelectorAll('[data-e2e]')].map((el) => [el.id,
        { text: el.textContent, href: el.getAttribute('href'), html: el.innerHTML,
          label: el.getAttribute('aria-label'), title: el.getAttribute('title') }])));
    const snippetRan = await page.evaluate(() => typeof window.calltrack === 'object' && !Array.isArray(window.calltrack));
    const hidden = await page.evaluate(() => [...document.querySelectorAll('[data-e2e]')]
      .filter((el) => getComputedStyle(el).visibility === 'hidden').map((el) => el.id));
    return { number, snippetRan, assigns, heartbeats, elements, hidden, errors, warnings };
  } finally {
    page.off('pageerror', onError);
    page.off('console', onConsole);
    page.off('response', onResponse);
  }
}

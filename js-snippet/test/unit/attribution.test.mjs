// Attribution rules: what dni.js sends as `attribution` in POST /v1/assign, and what it keeps.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar } from 'jsdom';
import { stubServer, openPage, until } from '../support/harness.mjs';

let server;
before(async () => { server = await stubServer(); });
after(() => server.close());

/** Opens one page view and returns the attribution its assign carried (and the page). */
async function landOn(url, opts = {}) {
  const before = server.ofKind('assign').length;
  const page = openPage(server, { url, ...opts });
  await page.ready;
  const assigns = server.ofKind('assign');
  assert.equal(assigns.length, before + 1, 'one assign per page view');
  page.body = assigns[assigns.length - 1].body;
  page.answer = assigns[assigns.length - 1].response;
  return page;
}

test('utm parameters are the attribution, with the landing page and referrer', async () => {
  const url = 'https://shop.example/plumbing?utm_source=google&utm_medium=cpc&utm_campaign=spring'
    + '&utm_term=emergency+plumber&utm_content=ad-7#top';
  const page = await landOn(url, { referrer: 'https://www.google.com/' });
  assert.equal(page.body.property, 'acme');
  assert.equal(server.ofKind('assign').at(-1).path, '/v1/assign?property=acme', 'names the property for the preflight');
  assert.deepEqual(page.body.page, { url, referrer: 'https://www.google.com/' });
  const a = page.body.attribution;
  assert.equal(a.source, 'google');
  assert.equal(a.medium, 'cpc');
  assert.equal(a.campaign, 'spring');
  assert.equal(a.keyword, 'emergency plumber');
  assert.equal(a.content, 'ad-7');
  assert.equal(a.landingPage, '/plumbing?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=emergency+plumber&utm_content=ad-7', 'path and query, as dni-server keeps landing pages');
  assert.equal(a.referrer, 'https://www.google.com/');
  page.close();
});

for (const [param, source] of [['gclid', 'google'], ['gbraid', 'google'], ['wbraid', 'google'],
  ['msclkid', 'bing'], ['fbclid', 'facebook']]) {
  test(`a ${param} click id without utm means paid search of ${source}`, async () => {
    const page = await landOn(`https://shop.example/?${param}=Cj0KCQ-123`,
      { referrer: 'https://www.example-news.com/story' });
    const a = page.body.attribution;
    assert.equal(a.source, source);
    assert.equal(a.medium, 'cpc');
    assert.equal(a[param], 'Cj0KCQ-123');
    page.close();
  });
}

test('utm parameters win over what a click id would derive', async () => {
  const page = await landOn('https://shop.example/?utm_source=newsletter&utm_medium=email&gclid=abc');
  assert.equal(page.body.attribution.source, 'newsletter');
  assert.equal(page.body.attribution.medium, 'email');
  assert.equal(page.body.attribution.gclid, 'abc');
  page.close();
});

for (const [referrer, engine] of [['https://www.google.com/', 'google'], ['https://www.google.co.uk/search?q=x', 'google'],
  ['https://www.bing.com/search?q=plumber', 'bing'], ['https://duckduckgo.com/', 'duckduckgo'],
  ['https://search.yahoo.com/', 'yahoo'], ['https://yandex.ru/', 'yandex']]) {
  test(`a referrer from ${new URL(referrer).hostname} is organic search of ${engine}`, async () => {
    const page = await landOn('https://shop.example/', { referrer });
    assert.equal(page.body.attribution.source, engine);
    assert.equal(page.body.attribution.medium, 'organic');
    assert.equal(page.body.attribution.referrer, referrer);
    page.close();
  });
}

for (const referrer of ['https://mail.google.com/', 'https://mail.yahoo.com/', 'https://docs.google.com/document/d/1x/edit',
  'https://uk.mail.yahoo.com/']) {
  test(`a referrer from ${new URL(referrer).hostname} (webmail, documents: not a search engine) is a referral`, async () => {
    const page = await landOn('https://shop.example/', { referrer });
    const a = page.body.attribution;
    assert.equal(`${a.source} / ${a.medium}`, `${new URL(referrer).hostname} / referral`);
    page.close();
  });
}

test('any other referrer is a referral from its host', async () => {
  const page = await landOn('https://shop.example/', { referrer: 'https://www.plumbing-blog.org/best-plumbers' });
  assert.equal(page.body.attribution.source, 'plumbing-blog.org');
  assert.equal(page.body.attribution.medium, 'referral');
  assert.equal(page.body.attribution.referrer, 'https://www.plumbing-blog.org/best-plumbers');
  page.close();
});

test('no referrer and no campaign is direct', async () => {
  const page = await landOn('https://shop.example/contact');
  assert.equal(page.body.attribution.source, 'direct');
  assert.equal(page.body.attribution.medium, 'none');
  assert.equal(page.body.attribution.landingPage, '/contact');
  page.close();
});

test('a referrer from the site itself is not a referral', async () => {
  const page = await landOn('https://shop.example/b', { referrer: 'https://shop.example/a' });
  assert.equal(page.body.attribution.source, 'direct');
  assert.equal(page.body.attribution.medium, 'none');
  assert.equal(page.body.attribution.referrer, undefined);
  page.close();
});

test('utm values are decoded ("+", percent-encoded UTF-8); a repeated parameter counts once; names are lower case', async () => {
  const page = await landOn('https://shop.example/?utm_source=caf%C3%A9+M%C3%BCller&utm_source=second&utm_term=%E6%B0%B4%E9%81%93+repair&utm_medium=cpc');
  const a = page.body.attribution;
  assert.equal(`${a.source} / ${a.medium} / ${a.keyword}`, 'café Müller / cpc / 水道 repair');
  page.close();
  const upper = await landOn('https://shop.example/?UTM_SOURCE=news&UTM_MEDIUM=email');
  assert.equal(`${upper.body.attribution.source} / ${upper.body.attribution.medium}`, 'direct / none', 'as analytics tools read them');
  upper.close();
});

test('a referrer from a subdomain of the site or the domain above it is internal navigation: the last touch stays', async () => {
  const cookieJar = new CookieJar();
  const ad = await landOn('https://www.shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=A', { cookieJar });
  let storage = ad.storage();
  ad.close();
  // the visitor reads the site's blog, then comes back to the shop from it
  for (const referrer of ['https://blog.shop.example/post', 'https://shop.example/', 'https://m.www.shop.example/']) {
    const back = await landOn('https://www.shop.example/contact', { cookieJar, storage, referrer });
    const a = back.body.attribution;
    assert.equal(`${a.source} / ${a.medium} / ${a.campaign}`, 'google / cpc / A', `after a page view from ${referrer}`);
    storage = back.storage();
    back.close();
  }
  // a first visit from the blog is no referral either; another site whose name ends alike is one
  const fromBlog = await landOn('https://www.shop.example/', { referrer: 'https://blog.shop.example/post' });
  assert.equal(`${fromBlog.body.attribution.source} / ${fromBlog.body.attribution.medium}`, 'direct / none');
  fromBlog.close();
  const other = await landOn('https://www.shop.example/', { referrer: 'https://myshop.example/' });
  assert.equal(`${other.body.attribution.source} / ${other.body.attribution.medium}`, 'myshop.example / referral');
  other.close();
});

test('utm parameters in the query of the fragment (hash-router sites) are the attribution; the real query wins', async () => {
  const cookieJar = new CookieJar();
  const first = await landOn('https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=A', { cookieJar });
  const storage = first.storage();
  first.close();
  const hashed = await landOn('https://shop.example/#/offer?utm_source=newsletter&utm_medium=email&utm_campaign=may&gclid=g1',
    { cookieJar, storage });
  const a = hashed.body.attribution;
  assert.equal(`${a.source} / ${a.medium} / ${a.campaign} / ${a.gclid}`, 'newsletter / email / may / g1', 'a new touch');
  assert.equal(a.landingPage, '/');
  assert.equal(hashed.window.calltrack.attribution().firstTouch.campaign, 'A');
  hashed.close();
  const both = await landOn('https://shop.example/?utm_source=bing&utm_campaign=q#utm_source=h&utm_medium=hm');
  assert.equal(`${both.body.attribution.source} / ${both.body.attribution.medium} / ${both.body.attribution.campaign}`, 'bing / hm / q');
  both.close();
  const plain = await landOn('https://shop.example/#/contact', { referrer: 'https://www.plumbing-blog.org/' });
  assert.equal(`${plain.body.attribution.source} / ${plain.body.attribution.medium}`, 'plumbing-blog.org / referral');
  plain.close();
});

test('first touch persists; direct visits keep the last campaign; a new campaign updates last touch', async () => {
  const cookieJar = new CookieJar();
  const first = await landOn('https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=A', { cookieJar });
  const storage = first.storage();
  assert.ok(storage._calltrack, 'stored in localStorage');
  first.close();

  // an internal page view: same visitor, last touch is still campaign A
  const second = await landOn('https://shop.example/pricing', { cookieJar, storage, referrer: 'https://shop.example/' });
  assert.equal(second.body.visitorId, 'v-new', 'the visitor id the server gave is sent back');
  assert.equal(first.body.sessionId, undefined, 'a first visit has no session to name');
  assert.ok(first.answer.sessionId);
  assert.equal(second.body.sessionId, first.answer.sessionId, 'the session the server gave is sent back');
  assert.equal(second.body.attribution.campaign, 'A');
  const afterSecond = second.storage();
  second.close();

  // days later, typed in directly: direct does not overwrite the campaign
  const third = await landOn('https://shop.example/', { cookieJar, storage: afterSecond });
  assert.equal(third.body.attribution.campaign, 'A');
  const afterThird = third.storage();
  third.close();

  // a new campaign visit: last touch B, first touch still A
  const fourth = await landOn('https://shop.example/?utm_source=bing&utm_medium=cpc&utm_campaign=B',
    { cookieJar, storage: afterThird });
  assert.equal(fourth.body.attribution.campaign, 'B');
  assert.equal(fourth.body.attribution.source, 'bing');
  const kept = fourth.window.calltrack.attribution();
  assert.equal(kept.firstTouch.campaign, 'A');
  assert.equal(kept.lastTouch.campaign, 'B');
  assert.equal(kept.visitorId, 'v-new');
  fourth.close();
});

test('the journey: every touch through a new channel, first to last, with its time, sent once there are two', async () => {
  const cookieJar = new CookieJar();
  const start = Date.now();
  const views = [
    ['https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=A', {}],
    ['https://shop.example/pricing', { referrer: 'https://shop.example/' }], // going about the site: no touch
    ['https://shop.example/', {}], // typed in: direct is no touch once there is one
    ['https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=A&gclid=2', {}], // the same channel again
    ['https://shop.example/?utm_source=bing&utm_medium=cpc&utm_campaign=B', {}],
    ['https://shop.example/?utm_source=facebook&utm_medium=paid&utm_campaign=C', {}],
    ['https://shop.example/?utm_source=bing&utm_medium=cpc&utm_campaign=B', {}], // back to bing: a touch again
  ];
  let storage, page, sent = [];
  for (const [url, opts] of views) {
    page = await landOn(url, { cookieJar, storage, ...opts });
    sent.push(page.body.attribution.journey);
    storage = page.storage();
    page.close();
  }
  assert.deepEqual(sent.slice(0, 4), [undefined, undefined, undefined, undefined], 'one touch: no journey to send');
  const journey = sent[6];
  assert.deepEqual(journey.map((t) => `${t.source}/${t.medium}/${t.campaign}`),
    ['google/cpc/A', 'bing/cpc/B', 'facebook/paid/C', 'bing/cpc/B']);
  for (const t of journey) {
    assert.ok(Date.parse(t.at) >= start - 1000 && Date.parse(t.at) <= Date.now(), `a UTC time: ${t.at}`);
    assert.ok(t.at.endsWith('Z'), t.at);
  }
  assert.deepEqual(sent[4].map((t) => t.source), ['google', 'bing']);
});

test('a long journey keeps its first touch and the latest nine; a record kept before journeys starts from its two touches', async () => {
  const cookieJar = new CookieJar();
  let storage, page;
  for (let i = 0; i < 14; i++) {
    page = await landOn(`https://shop.example/?utm_source=site${i}&utm_medium=referral`, { cookieJar, storage });
    storage = page.storage();
    page.close();
  }
  const sources = page.body.attribution.journey.map((t) => t.source);
  assert.deepEqual(sources, ['site0', 'site5', 'site6', 'site7', 'site8', 'site9', 'site10', 'site11', 'site12', 'site13']);

  // a visitor recorded by a snippet that kept no journey: first touch A, last touch B
  const old = { v: 'v-old', f: { source: 'google', medium: 'cpc', campaign: 'A' },
    l: { source: 'bing', medium: 'cpc', campaign: 'B' }, x: Date.now() + 86400e3 };
  const before = await landOn('https://shop.example/?utm_source=facebook&utm_medium=paid&utm_campaign=C',
    { cookieJar: new CookieJar(), storage: { _calltrack: JSON.stringify(old) } });
  assert.deepEqual(before.body.attribution.journey.map((t) => [t.source, t.at === undefined]),
    [['google', true], ['bing', true], ['facebook', false]], 'the two kept touches have no time to tell');
  before.close();
});

test('a returning visitor\'s visit tagged with utm_campaign only (a newsletter link) is a new touch', async () => {
  const cookieJar = new CookieJar();
  const first = await landOn('https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=A', { cookieJar });
  const storage = first.storage();
  first.close();
  // days later, from a link in an email app (no referrer)
  const second = await landOn('https://shop.example/?utm_campaign=march-newsletter', { cookieJar, storage });
  const a = second.body.attribution;
  assert.equal(a.campaign, 'march-newsletter', `the assign carried the old touch ${a.source} / ${a.medium} / ${a.campaign}`);
  assert.equal(`${a.source} / ${a.medium}`, 'direct / none');
  assert.equal(second.window.calltrack.attribution().firstTouch.campaign, 'A');
  second.close();
});

test('an older tab does not overwrite the last touch another tab recorded meanwhile', async () => {
  const answer = server.answer;
  server.answer = (kind, body) => ({ ...answer(kind, body), delayMs: kind === 'assign' ? 300 : 0 });
  try {
    const before = server.ofKind('assign').length;
    // tab B, opened from an old campaign: its assign is on its way
    const b = openPage(server, { url: 'https://shop.example/?utm_source=bing&utm_medium=cpc&utm_campaign=B-old' });
    await until(() => server.ofKind('assign').length > before, 'tab B\'s assign');
    // meanwhile the visitor clicks an ad into tab A, which records it (the same storage)
    const record = JSON.parse(b.window.localStorage.getItem('_calltrack'));
    record.f = record.f || record.l;
    record.l = { source: 'google', medium: 'cpc', campaign: 'A-new', landingPage: '/?gclid=abc' };
    b.window.localStorage.setItem('_calltrack', JSON.stringify(record));
    assert.equal(await b.ready, '+15559876543');
    const stored = JSON.parse(b.window.localStorage.getItem('_calltrack'));
    assert.equal(stored.l.campaign, 'A-new', 'tab B\'s answer kept the ad click as the last touch');
    assert.equal(stored.f.campaign, 'B-old');
    assert.equal(stored.v, 'v-new', 'and stored the visitor it was given');
    assert.equal(stored.s, server.ofKind('assign').at(-1).response.sessionId);
    b.close();
  } finally {
    server.answer = answer;
  }
});

test('the cookie alone and localStorage alone each keep the visitor', async () => {
  const cookieJar = new CookieJar();
  const first = await landOn('https://shop.example/?utm_campaign=C&utm_source=x', { cookieJar });
  const storage = first.storage();
  first.close();

  const cookieOnly = await landOn('https://shop.example/', { cookieJar });
  assert.equal(cookieOnly.body.attribution.campaign, 'C');
  assert.equal(cookieOnly.body.visitorId, 'v-new');
  assert.equal(cookieOnly.window.calltrack.attribution().firstTouch.campaign, 'C');
  cookieOnly.close();

  const storageOnly = await landOn('https://shop.example/', { storage });
  assert.equal(storageOnly.body.attribution.campaign, 'C');
  assert.equal(storageOnly.body.visitorId, 'v-new');
  storageOnly.close();
});

test('a long landing URL (ad click URLs reach kilobytes) is kept and sent cut to 2,048 characters, so the cookie keeps the visitor', async () => {
  const cookieJar = new CookieJar();
  const token = 'a1B2c3D4e5'.repeat(600);
  const url = `https://shop.example/offer?utm_source=newsletter&utm_medium=email&utm_campaign=winter&token=${token}`;
  const page = await landOn(url, { cookieJar });
  assert.equal(page.body.page.url, url.slice(0, 2048));
  assert.equal(page.body.attribution.landingPage, url.slice('https://shop.example'.length).slice(0, 2048));
  assert.equal(page.body.attribution.firstTouch, undefined, 'the first touch is the last one: sent once');
  assert.ok(JSON.stringify(page.body).length < 8 * 1024, 'far below dni-server\'s 16 KiB body limit');
  page.close();
  // browsers drop a cookie over 4 KiB: this one is kept, and alone (no localStorage) keeps the visitor
  const cookie = cookieJar.getCookiesSync('https://shop.example/').find((c) => c.key === '_calltrack');
  assert.ok(cookie.value.length < 3 * 1024, `a cookie of ${cookie.value.length} characters`);
  const next = await landOn('https://shop.example/pricing', { cookieJar, referrer: 'https://shop.example/offer' });
  assert.equal(next.body.visitorId, 'v-new');
  assert.equal(next.body.attribution.campaign, 'winter');
  assert.equal(next.body.attribution.firstTouch, undefined);
  next.close();

  const referrer = `https://news.example/story?t=${token}`;
  const linked = await landOn('https://shop.example/', { referrer });
  assert.deepEqual(linked.body.page, { url: 'https://shop.example/', referrer: referrer.slice(0, 2048) });
  assert.equal(linked.body.attribution.referrer, referrer.slice(0, 2048));
  linked.close();
});

test('two long landings, a first and a last touch, still fit the cookie that alone keeps the visitor', async () => {
  const cookieJar = new CookieJar();
  const token = 'a1B2c3D4e5'.repeat(600);
  const first = await landOn(`https://shop.example/a?utm_source=google&utm_medium=cpc&utm_campaign=first&t=${token}`,
    { cookieJar });
  first.close();
  const second = await landOn(`https://shop.example/b?utm_source=bing&utm_medium=cpc&utm_campaign=last&t=${token}`,
    { cookieJar });
  second.close();
  // browsers keep at most 4 KiB of a cookie (name, value and attributes)
  const cookie = cookieJar.getCookiesSync('https://shop.example/').find((c) => c.key === '_calltrack');
  assert.ok(cookie.value.length < 3600, `a cookie of ${cookie.value.length} characters`);
  const next = await landOn('https://shop.example/pricing', { cookieJar, referrer: 'https://shop.example/b' });
  assert.equal(next.body.visitorId, 'v-new');
  assert.equal(next.body.attribution.campaign, 'last');
  assert.equal(next.body.attribution.firstTouch.campaign, 'first');
  assert.ok(next.body.attribution.landingPage.startsWith('/b?utm_source=bing'), next.body.attribution.landingPage);
  next.close();
});

test('a landing page with "%" in its query is kept as it was, and keeps the visitor', async () => {
  const cookieJar = new CookieJar();
  const first = await landOn('https://shop.example/deals?utm_source=google&utm_campaign=50%25%20off&save=50%', { cookieJar });
  const storage = first.storage();
  first.close();
  const next = await landOn('https://shop.example/pricing', { cookieJar, storage, referrer: 'https://shop.example/deals' });
  assert.equal(next.body.visitorId, 'v-new', 'the same visitor');
  assert.equal(next.body.attribution.landingPage, '/deals?utm_source=google&utm_campaign=50%25%20off&save=50%');
  next.close();
});

test('a first touch equal to the last one is sent once, also when read back from storage', async () => {
  const touch = { source: 'google', medium: 'cpc', campaign: 'A', landingPage: '/' };
  const record = { v: 'v-1', s: 's-1', x: Date.now() + 864e5, f: touch, l: { ...touch } };
  const page = await landOn('https://shop.example/pricing', { storage: { _calltrack: JSON.stringify(record) } });
  assert.equal(page.body.attribution.campaign, 'A');
  assert.equal(page.body.attribution.firstTouch, undefined);
  page.close();
});

test('the lifetime is configurable (data-lifetime, days) and an expired record starts afresh', async () => {
  const cookieJar = new CookieJar();
  const page = await landOn('https://shop.example/?utm_source=a&utm_campaign=D',
    { cookieJar, attrs: { lifetime: '30' } });
  const record = JSON.parse(page.storage()._calltrack);
  const days = (record.x - Date.now()) / 864e5;
  assert.ok(days > 29.9 && days <= 30, `expires in 30 days, not ${days}`);
  const cookie = cookieJar.getCookiesSync('https://shop.example/').find((c) => c.key === '_calltrack');
  assert.ok(cookie, 'cookie set');
  assert.ok(Math.abs(cookie.maxAge - 30 * 86400) < 60, `cookie max-age ${cookie.maxAge}`);
  page.close();

  record.x = Date.now() - 1000; // its lifetime is over
  const later = await landOn('https://shop.example/', { storage: { _calltrack: JSON.stringify(record) } });
  assert.equal(later.body.visitorId, undefined, 'a new visitor');
  assert.equal(later.body.attribution.source, 'direct');
  assert.equal(later.window.calltrack.attribution().firstTouch.source, 'direct');
  later.close();
});

test('the visit\'s region: data-region, else a queued calltrack.region, sent with the browser\'s time zone', async () => {
  const tagged = await landOn('https://shop.example/', { attrs: { region: 'Chicago' } });
  assert.equal(tagged.body.region, 'Chicago');
  assert.equal(tagged.body.timeZone, Intl.DateTimeFormat().resolvedOptions().timeZone);
  tagged.close();
  const queued = await landOn('https://shop.example/', { queue: [['region', 'Boston']] });
  assert.equal(queued.body.region, 'Boston');
  assert.equal(typeof queued.window.calltrack.region, 'function');
  queued.close();
  const none = await landOn('https://shop.example/');
  assert.equal(none.body.region, undefined, 'no region: dni-server maps the time zone');
  none.close();
});

test('calltrack.push([\'region\', name]) after dni.js has loaded throws nothing into the page', async () => {
  const page = await landOn('https://shop.example/');
  page.window.eval("(window.calltrack = window.calltrack || []).push(['region', 'Boston'])");
  page.window.eval('window.calltrack.push(42); window.calltrack.push(null)'); // not ours: ignored
  let number;
  page.window.calltrack.push((n) => { number = n; });
  assert.equal(number, page.window.calltrack.number(), 'a callback pushed after load is called at once');
  await new Promise((r) => setTimeout(r, 50)); // let an asynchronously rethrown error surface
  assert.deepEqual(page.errors, [], 'no errors in the page');
  page.close();
});

for (const [how, opts] of [['prerendered (speculation rules)', { prerendering: true }], ['opened in a background tab', { hidden: true }]]) {
  test(`a page ${how} records no touch and asks no number until it is shown`, async () => {
    const before = server.ofKind('assign').length;
    const url = 'https://shop.example/offer?utm_source=newsletter&utm_campaign=unseen';
    const page = openPage(server, { url, ...opts, body: '<p id="n">555-123-4567</p>' });
    await until(() => page.window.calltrack?.swap, 'dni.js to run in the hidden page');
    // the page lives a while hidden: heartbeats and beacons neither
    page.document.dispatchEvent(new page.window.Event('visibilitychange'));
    assert.equal(server.ofKind('assign').length, before, 'no assign while hidden');
    assert.deepEqual(page.storage(), {}, 'no touch stored while hidden: the visitor may never see the page');
    page.show();
    assert.equal(await page.ready, '+15559876543');
    assert.equal(server.ofKind('assign').length, before + 1, 'one assign, once shown');
    assert.equal(server.ofKind('assign').at(-1).body.attribution.campaign, 'unseen');
    assert.equal(JSON.parse(page.storage()._calltrack).l.campaign, 'unseen', 'the touch stored once shown');
    assert.equal(page.document.getElementById('n').textContent, '555-987-6543');
    page.close();
  });
}

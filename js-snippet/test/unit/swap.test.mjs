// Number matching and swapping: every format a page prints its number in, tel: links, noswap,
// content added later (MutationObserver, scanning only what changed) and the calltrack API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stubServer, openPage, until, SWAP, TRACKING } from '../support/harness.mjs';

let server;
let defaultAnswer;
before(async () => { server = await stubServer(); defaultAnswer = server.answer; });
after(() => server.close());

/**
 * Runs {@code check} while the server assigns {@code number} to session {@code sessionId}, to swap the
 * page's {@code swap} numbers; the server's default answer again after.
 */
async function assigning(sessionId, number, swap, check) {
  server.answer = (kind) => kind === 'assign'
    ? { status: 200, body: { sessionId, visitorId: 'v', number, swap, leaseSeconds: 60, fallback: false } }
    : { status: 204 };
  try {
    await check();
  } finally {
    server.answer = defaultAnswer;
  }
}

const text = (page, id) => page.document.getElementById(id).textContent;
const href = (page, id) => page.document.getElementById(id).getAttribute('href');

// [page text, what the visitor must see] for +1 555 123 4567 -> +1 555 987 6543
const FORMATS = [
  ['(555) 123-4567', '(555) 987-6543'],
  ['555-123-4567', '555-987-6543'],
  ['555.123.4567', '555.987.6543'],
  ['+1 555 123 4567', '+1 555 987 6543'],
  ['1-555-123-4567', '1-555-987-6543'],
  ['5551234567', '5559876543'],
  ['+15551234567', '+15559876543'],
  ['+1 (555) 123-4567', '+1 (555) 987-6543'],
  ['1 (555) 123-4567', '1 (555) 987-6543'],
  ['555 123 4567', '555 987 6543'],
  ['555/123-4567', '555/987-6543'],
  ['+1.555.123.4567', '+1.555.987.6543'],
  ['001 555 123 4567', '001 555 987 6543'],
  ['555\u00a0123\u00a04567', '555\u00a0987\u00a06543'],
  ['Call us today at (555) 123-4567!', 'Call us today at (555) 987-6543!'],
  ['Sales 555-123-4567 / service 555.123.4567.', 'Sales 555-987-6543 / service 555.987.6543.'],
];
// numbers that look alike but are not the business's number: never touched
const NOT_OURS = ['(555) 123-4568', '555-123-45678', 'order 15551234567890', '2555-123-4567', 'ref 45551234567'];

test('the swap number is replaced in every format, keeping the page\'s format', async () => {
  const body = FORMATS.map(([shown], i) => `<p id="f${i}">${shown}</p>`).join('')
    + NOT_OURS.map((shown, i) => `<p id="x${i}">${shown}</p>`).join('');
  const page = openPage(server, { body });
  assert.equal(await page.ready, TRACKING);
  FORMATS.forEach(([shown, expected], i) => assert.equal(text(page, 'f' + i), expected, `format ${shown}`));
  NOT_OURS.forEach((shown, i) => assert.equal(text(page, 'x' + i), shown, `not ours: ${shown}`));
  assert.equal(page.window.calltrack.number(), TRACKING);
  assert.deepEqual(page.errors, []);
  page.close();
});

test('tel: links are swapped in their own format, with the text inside them', async () => {
  const page = openPage(server, { body: `
    <a id="t1" href="tel:+15551234567">Call</a>
    <a id="t2" href="tel:555-123-4567">555-123-4567</a>
    <a id="t3" href="tel:+1-555-123-4567"><b id="t3b">+1 (555) 123-4567</b></a>
    <a id="t4" href="tel:+15551234500">other</a>
    <a id="t5" href="https://shop.example/5551234567">a URL, not a number</a>` });
  await page.ready;
  assert.equal(href(page, 't1'), 'tel:+15559876543');
  assert.equal(href(page, 't2'), 'tel:555-987-6543');
  assert.equal(text(page, 't2'), '555-987-6543');
  assert.equal(href(page, 't3'), 'tel:+1-555-987-6543');
  assert.equal(text(page, 't3b'), '+1 (555) 987-6543');
  assert.equal(href(page, 't4'), 'tel:+15551234500');
  assert.equal(href(page, 't5'), 'https://shop.example/5551234567');
  page.close();
});

test('a tel: link whose spaces are written %20 (WordPress esc_url), or with %2B, ;ext= or pauses, dials the tracking number too', async () => {
  const page = openPage(server, { body: `
    <a id="wp" href="tel:+1%20555%20123%204567">+1 555 123 4567</a>
    <a id="wp2" href="tel:(555)%20123-4567">(555) 123-4567</a>
    <a id="sp" href="tel:+1 555 123 4567">call</a>
    <a id="enc" href="tel:%2B15551234567">call</a>
    <a id="ext" href="tel:+1-555-123-4567;ext=123">call</a>
    <a id="pause" href="tel:5551234567,,12">call</a>` });
  assert.equal(await page.ready, TRACKING);
  assert.equal(text(page, 'wp'), '+1 555 987 6543');
  assert.equal(href(page, 'wp'), 'tel:+1%20555%20987%206543');
  assert.equal(text(page, 'wp2'), '(555) 987-6543');
  assert.equal(href(page, 'wp2'), 'tel:(555)%20987-6543');
  assert.equal(href(page, 'sp'), 'tel:+1 555 987 6543', 'spaces written as spaces stay spaces');
  assert.equal(href(page, 'enc'), 'tel:%2B15559876543', 'a "+" written %2B stays so');
  assert.equal(href(page, 'ext'), 'tel:+1-555-987-6543;ext=123', 'the extension is kept');
  assert.equal(href(page, 'pause'), 'tel:5559876543,,12', 'pauses and what follows them are kept');
  page.close();
});

test('elements with data-calltrack-noswap, scripts and form fields are left alone', async () => {
  const page = openPage(server, { body: `
    <div data-calltrack-noswap><p id="n1">(555) 123-4567</p><a id="n2" href="tel:+15551234567">555-123-4567</a></div>
    <p id="n3" data-calltrack-noswap>555.123.4567</p>
    <textarea id="n4">555-123-4567</textarea>
    <script id="n5">var phone = "555-123-4567";</script>
    <p id="s1">555-123-4567</p>` });
  await page.ready;
  assert.equal(text(page, 'n1'), '(555) 123-4567');
  assert.equal(href(page, 'n2'), 'tel:+15551234567');
  assert.equal(text(page, 'n2'), '555-123-4567');
  assert.equal(text(page, 'n3'), '555.123.4567');
  assert.equal(page.document.getElementById('n4').value, '555-123-4567');
  assert.match(text(page, 'n5'), /555-123-4567/);
  assert.equal(text(page, 's1'), '555-987-6543');
  page.close();
});

test('a contenteditable editor is left alone like a textarea, also while the user types into it', async () => {
  const page = openPage(server, { body: `
    <div id="ed" contenteditable="true"><p id="e1">555-123-4567</p></div>
    <div contenteditable="false"><p id="e2">555-123-4567</p></div>
    <p id="s1">555-123-4567</p>` });
  await page.ready;
  assert.equal(text(page, 'e1'), '555-123-4567');
  assert.equal(text(page, 'e2'), '555-987-6543', 'contenteditable="false" is no editor');
  // the user types: text added and changed in the editor; then a marker outside it, which the
  // observer swaps after it has seen the typing
  const { document } = page;
  document.getElementById('ed').append('Our number is 555-123-4567.');
  document.getElementById('e1').firstChild.data = 'Call 555-123-4567';
  const marker = document.createElement('p');
  marker.id = 'marker';
  marker.textContent = '555-123-4567';
  document.body.append(marker);
  await until(() => text(page, 'marker') === '555-987-6543', 'the observer swapping the marker');
  assert.equal(text(page, 'ed'), 'Call 555-123-4567Our number is 555-123-4567.');
  page.close();
});

test('numbers of other countries are matched in national and international formats', async () => {
  await assigning('uk', '+442079460000', ['+442079460958', '+15551234567'], async () => {
    const page = openPage(server, { body: `<p id="a">020 7946 0958</p><p id="b">+44 20 7946 0958</p>
      <p id="c">+44 (0)20 7946 0958</p><p id="d">0044 20 7946 0958</p><p id="e">555-123-4567</p>` });
    await page.ready;
    assert.equal(text(page, 'a'), '020 7946 0000');
    assert.equal(text(page, 'b'), '+44 20 7946 0000');
    assert.equal(text(page, 'c'), '+44 (0)20 7946 0000');
    assert.equal(text(page, 'd'), '0044 20 7946 0000');
    // a second shown number (another country, another length) gets the tracking number in E.164
    assert.equal(text(page, 'e'), '+442079460000');
    page.close();
  });
});

test('an international number written with its trunk 0 ("+44 (0)20 ...", "+44 020 ...", "+33 01 ...") is swapped whole', async () => {
  await assigning('tz', '+442079460000', ['+442079460958', '+33123456789', '+15551234567'], async () => {
    const page = openPage(server, { body: `<p id="uk">+44 020 7946 0958</p><p id="uk0">+44 (0) 20 7946 0958</p>
      <p id="uk00">0044 (0)20 7946 0958</p><p id="fr">+33 01 23 45 67 89</p><p id="us">+1 555 123 4567</p>` });
    await page.ready;
    assert.equal(text(page, 'uk'), '+44 020 7946 0000', 'the trunk 0 keeps its place');
    assert.equal(text(page, 'uk0'), '+44 (0) 20 7946 0000');
    assert.equal(text(page, 'uk00'), '0044 (0)20 7946 0000');
    // another numbering plan: the tracking number in E.164, in place of the whole number
    assert.equal(text(page, 'fr'), '+442079460000');
    assert.equal(text(page, 'us'), '+442079460000');
    page.close();
  });
});

test('"+44 (0)20 7946 0958" swapped for a tracking number of another plan is one clean E.164 number', async () => {
  await assigning('mix', '+15559876543', ['+442079460958'], async () => {
    const page = openPage(server, { body: '<p id="a">Call +44 (0)20 7946 0958 today</p><p id="b">+44 20 7946 0958</p>' });
    await page.ready;
    assert.equal(text(page, 'a'), 'Call +15559876543 today', 'not "+44 (0)+15559876543"');
    assert.equal(text(page, 'b'), '+15559876543');
    page.close();
  });
});

test('content added later is swapped by the observer, scanning only what was added', async () => {
  const page = await freshPage('<div id="app"></div><p id="static">555-123-4567</p>');
  const { document } = page;
  assert.equal(text(page, 'static'), '555-987-6543');

  // every node whose children the snippet walks (it reads each one's firstChild)
  const walkedRoots = [];
  const firstChild = Object.getOwnPropertyDescriptor(page.window.Node.prototype, 'firstChild');
  Object.defineProperty(page.window.Node.prototype, 'firstChild', { configurable: true,
    get() { walkedRoots.push(this); return firstChild.get.call(this); } });

  const widget = document.createElement('section');
  widget.innerHTML = '<h2>Chat</h2><p id="late">Call (555) 123-4567</p><a id="latetel" href="tel:5551234567">now</a>';
  document.getElementById('app').appendChild(widget);
  await until(() => text(page, 'late') === 'Call (555) 987-6543', 'the added content to be swapped');
  assert.equal(href(page, 'latetel'), 'tel:5559876543');
  assert.ok(walkedRoots.length > 0);
  assert.ok(walkedRoots.every((root) => root === widget || widget.contains(root)),
    'only the added subtree is scanned, never the whole document');
  Object.defineProperty(page.window.Node.prototype, 'firstChild', firstChild);

  // text changed in place, and a tel: link whose href changes later
  const note = document.createElement('p');
  note.id = 'note';
  note.textContent = 'loading…';
  document.body.appendChild(note);
  note.firstChild.data = 'Emergency line 555.123.4567';
  document.getElementById('latetel').setAttribute('href', 'tel:+1 555 123 4567');
  await until(() => text(page, 'note') === 'Emergency line 555.987.6543', 'changed text to be swapped');
  await until(() => href(page, 'latetel') === 'tel:+1 555 987 6543', 'changed href to be swapped');

  // added inside a noswap block: left alone
  const quiet = document.createElement('div');
  quiet.setAttribute('data-calltrack-noswap', '');
  quiet.innerHTML = '<p id="quiet">555-123-4567</p>';
  document.body.appendChild(quiet);
  const marker = document.createElement('p');
  marker.id = 'marker';
  marker.textContent = '555-123-4567';
  document.body.appendChild(marker);
  await until(() => text(page, 'marker') === '555-987-6543', 'the marker to be swapped');
  assert.equal(text(page, 'quiet'), '555-123-4567');
  assert.deepEqual(page.errors, []);
  page.close();
});

test('calltrack.swap(element | selector) swaps what the site renders itself, ready(cb) gives the number', async () => {
  const page = await freshPage('<template id="tpl"><p>555-123-4567</p></template>');
  const { window, document } = page;
  const detached = document.createElement('p');
  detached.textContent = 'Call 555-123-4567';
  window.calltrack.swap(detached);
  assert.equal(detached.textContent, 'Call 555-987-6543');

  const tpl = document.getElementById('tpl').content;
  assert.equal(tpl.textContent.trim(), '555-123-4567', 'template content is outside the document');
  const fromTemplate = tpl.firstElementChild.cloneNode(true);
  window.calltrack.swap(fromTemplate);
  assert.equal(fromTemplate.textContent, '555-987-6543');
  const fragment = tpl.cloneNode(true); // a DocumentFragment, as sites stamp templates
  window.calltrack.swap(fragment);
  assert.equal(fragment.textContent.trim(), '555-987-6543');

  document.body.insertAdjacentHTML('beforeend', '<ul><li class="branch">555.123.4567</li><li class="branch">(555) 123-4567</li></ul>');
  window.calltrack.swap('.branch');
  assert.deepEqual([...document.querySelectorAll('.branch')].map((li) => li.textContent), ['555.987.6543', '(555) 987-6543']);

  let got;
  window.calltrack.ready((n) => { got = n; });
  assert.equal(got, TRACKING, 'ready after the fact calls back at once');
  assert.equal(typeof window.calltrack.number(), 'string');
  page.close();
});

test('calltrack.swap before the number is known waits for it', async () => {
  server.answer = delayed(300);
  try {
    const page = openPage(server, { body: '<p id="own" data-calltrack-noswap></p>' });
    await until(() => page.window.calltrack && page.window.calltrack.swap, 'the script to load');
    const own = page.document.getElementById('own');
    const el = page.document.createElement('span');
    el.textContent = '(555) 123-4567';
    page.window.calltrack.swap(el);
    assert.equal(el.textContent, '(555) 123-4567', 'not yet');
    assert.equal(page.window.calltrack.number(), null);
    await page.ready;
    assert.equal(el.textContent, '(555) 987-6543');
    own.remove();
    page.close();
  } finally {
    server.answer = defaultAnswer;
  }
});

test('data-server is a base URL, written with or without a trailing slash', async () => {
  for (const base of [server.base, server.base + '/', server.base + '//']) {
    const page = openPage(server, { body: '<p id="p">555-123-4567</p>', attrs: { server: base } });
    assert.equal(await page.ready, TRACKING, `data-server="${base}": ${page.warnings}`);
    assert.equal(text(page, 'p'), '555-987-6543');
    assert.equal(server.ofKind('assign').at(-1).path, '/v1/assign?property=acme');
    page.close();
  }
});

const freshPage = async (body) => {
  server.answer = defaultAnswer;
  const page = openPage(server, { body });
  await page.ready;
  return page;
};
function delayed(ms) {
  return (kind, body) => ({ ...defaultAnswer(kind, body), delayMs: ms });
}

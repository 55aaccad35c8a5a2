// Numbers as real sites print them: Unicode dashes and the minus sign between the groups, numbers
// split over inline elements (each digit rewritten in its own text node, the markup kept), sms:
// links, the number in title and aria-label, and the look-alikes that must stay as they are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stubServer, openPage, until, TRACKING } from '../support/harness.mjs';

let server;
let defaultAnswer;
before(async () => { server = await stubServer(); defaultAnswer = server.answer; });
after(() => server.close());

const html = (page, id) => page.document.getElementById(id).innerHTML;
const text = (page, id) => page.document.getElementById(id).textContent;
const attr = (page, id, name) => page.document.getElementById(id).getAttribute(name);

async function swapped(body, answer = defaultAnswer) {
  server.answer = answer;
  try {
    const page = openPage(server, { body });
    await page.ready;
    return page;
  } finally {
    server.answer = defaultAnswer;
  }
}

// [page text, what the visitor must see] for +1 555 123 4567 -> +1 555 987 6543: every separator kept
const DASHES = [
  ['555\u2013123\u20134567', '555\u2013987\u20136543'], // en dash, as CMSs print hyphens between digits
  ['555\u2011123\u20114567', '555\u2011987\u20116543'], // non-breaking hyphen
  ['555\u2012123\u20124567', '555\u2012987\u20126543'], // figure dash
  ['555\u2010123\u20104567', '555\u2010987\u20106543'], // hyphen
  ['555\u2014123\u20144567', '555\u2014987\u20146543'], // em dash
  ['555\u2015123\u20154567', '555\u2015987\u20156543'], // horizontal bar
  ['555\u2212123\u22124567', '555\u2212987\u22126543'], // minus sign
  ['555\ufe63123\ufe634567', '555\ufe63987\ufe636543'], // small hyphen-minus
  ['555\uff0d123\uff0d4567', '555\uff0d987\uff0d6543'], // fullwidth hyphen-minus
  ['(555) 123\u20134567', '(555) 987\u20136543'],
  ['+1\u2013555\u2013123\u20134567', '+1\u2013555\u2013987\u20136543'],
  ['1 \u2013 555 \u2013 123 \u2013 4567', '1 \u2013 555 \u2013 987 \u2013 6543'],
  ['555\u202f123\u20114567', '555\u202f987\u20116543'], // narrow no-break space and a non-breaking hyphen
  ['\u200e555-123-4567\u200e', '\u200e555-987-6543\u200e'], // bidi marks around it (right-to-left pages)
  ['555-\u200b123-\u00ad4567', '555-\u200b987-\u00ad6543'], // zero-width space, soft hyphen
];

test('Unicode dashes, the minus sign and invisible marks between the groups are matched and kept', async () => {
  const page = await swapped(DASHES.map(([shown], i) => `<p id="d${i}">${shown}</p>`).join(''));
  DASHES.forEach(([shown, expected], i) => assert.equal(text(page, 'd' + i), expected, `format ${JSON.stringify(shown)}`));
  assert.deepEqual(page.errors, []);
  page.close();
});

// [markup, the same markup with each digit swapped in place]
const SPLIT = [
  ['<span>555</span>-<span>123</span>-<span>4567</span>', '<span>555</span>-<span>987</span>-<span>6543</span>'],
  ['<strong>(555)</strong> 123-4567', '<strong>(555)</strong> 987-6543'],
  ['Call <b>(555)</b> <i>123</i>\u2013<em>4567</em> today', 'Call <b>(555)</b> <i>987</i>\u2013<em>6543</em> today'],
  ['<span class="a"><b>555</b></span>.<span><u>123</u>.<small>4567</small></span>', // nested inline elements
    '<span class="a"><b>555</b></span>.<span><u>987</u>.<small>6543</small></span>'],
  ['555-<b>123-4567</b>', '555-<b>987-6543</b>'], // a text node and an element
  ['<span>55</span><span>5-12</span>3-45<span>67</span>', '<span>55</span><span>5-98</span>7-65<span>43</span>'], // cut mid-group
  ['<small>+1</small> <span>555 123 4567</span>', '<small>+1</small> <span>555 987 6543</span>'],
  ['\n  <span>555</span>\n  <span>123</span>\n  <span>4567</span>\n', // pretty-printed: spaces between the spans
    '\n  <span>555</span>\n  <span>987</span>\n  <span>6543</span>\n'],
  ['<font color="red">555</font><wbr>123<wbr>4567', '<font color="red">555</font><wbr>987<wbr>6543'],
  ['<bdi>+1 555</bdi> <bdi>123 4567</bdi>', '<bdi>+1 555</bdi> <bdi>987 6543</bdi>'],
  ['<mark>555</mark>\u2011<mark>123</mark>\u2011<mark>4567</mark>', '<mark>555</mark>\u2011<mark>987</mark>\u2011<mark>6543</mark>'],
];

test('an SVG text split over tspans (as design tools export kerned text) is swapped like inline elements', async () => {
  const page = await swapped(`<svg><text id="svg" x="0" y="20">Call <tspan>555-123-</tspan><tspan x="80">4567</tspan></text>
    <text id="svg2">(555) 123-4567</text></svg>`);
  assert.equal(html(page, 'svg'), 'Call <tspan>555-987-</tspan><tspan x="80">6543</tspan>');
  assert.equal(text(page, 'svg2'), '(555) 987-6543');
  page.close();
});

test('a number split over inline elements is swapped digit by digit, its markup left as it was', async () => {
  const page = await swapped(SPLIT.map(([markup], i) => `<p id="s${i}">${markup}</p>`).join(''));
  SPLIT.forEach(([markup, expected], i) => assert.equal(html(page, 's' + i), expected, `markup ${markup}`));
  assert.deepEqual(page.errors, []);
  page.close();
});

test('split numbers in links, list items and table cells; digits of neighbouring elements never run together', async () => {
  const page = await swapped(`
    <a id="l1" href="tel:+1-555-123-4567"><span>555</span>-<span>123</span>-<span>4567</span></a>
    <ul><li id="li1"><b>Sales</b> <span>555</span> 123 4567</li><li id="li2">555.123.4567</li></ul>
    <table><tr><td id="c1"><strong>(555)</strong> 123-4567</td><td id="c2">12</td></tr>
      <tr><td id="c3">8</td><td id="c4">555-123-4567</td></tr></table>
    <div id="flex"><span>Open 24/7</span><span>555-123-4567</span><span>555-123-4567</span></div>
    <p id="two">Sales <b>555-123-4567</b>, service <b>555</b>.123.4567</p>`);
  assert.equal(html(page, 'l1'), '<span>555</span>-<span>987</span>-<span>6543</span>');
  assert.equal(attr(page, 'l1', 'href'), 'tel:+1-555-987-6543');
  assert.equal(html(page, 'li1'), '<b>Sales</b> <span>555</span> 987 6543');
  assert.equal(text(page, 'li2'), '555.987.6543');
  assert.equal(html(page, 'c1'), '<strong>(555)</strong> 987-6543');
  assert.equal(text(page, 'c2'), '12');
  assert.equal(text(page, 'c3'), '8');
  assert.equal(text(page, 'c4'), '555-987-6543', 'a cell is a line of its own: the 8 before it is another cell');
  assert.equal(html(page, 'flex'), '<span>Open 24/7</span><span>555-987-6543</span><span>555-987-6543</span>',
    'the 7 of 24/7 and the next span\'s number do not run together');
  assert.equal(html(page, 'two'), 'Sales <b>555-987-6543</b>, service <b>555</b>.987.6543');
  page.close();
});

test('a number that a template formatter wrapped over indented lines is swapped, its whitespace kept', async () => {
  // as Prettier writes long text of Vue, Angular or Svelte templates: a line break and the indentation
  // between the groups (the browser shows one space)
  const wrapped = '\n                +1 (555)\n                123-4567\n              ';
  const page = await swapped(`<div><div><div><a id="w1" href="tel:+15551234567">${wrapped}</a></div></div></div>
    <p id="w2"><span>555</span>
                  \u2013
                  <span>123</span>\u2013<span>4567</span></p>`);
  assert.equal(text(page, 'w1'), wrapped.replace('123-4567', '987-6543'));
  assert.equal(attr(page, 'w1', 'href'), 'tel:+15559876543');
  assert.equal(html(page, 'w2'), '<span>555</span>\n                  \u2013\n                  <span>987</span>\u2013<span>6543</span>');
  page.close();
});

// Look like a phone number, or contain its digits, but are not the business's number.
const LOOKALIKES = [
  '2019\u20132023',
  '2019\u20132023 555',
  'Order 5551234567890',
  'Order 5551\u2013234\u20134567\u2013890',
  'Order 555\u2013123\u20134567\u2013890',
  'Order <b>555123</b>4567890',
  'Invoice 15551234567\u201312',
  'INV-2024-555-123-4567',
  '(555) 123\u20134568',
  '555\u2013123\u2013456',
];

test('look-alikes stay as they are: date ranges, longer order numbers, other numbers', async () => {
  const page = await swapped(LOOKALIKES.map((markup, i) => `<p id="x${i}">${markup}</p>`).join('')
    + '<table><tr><td id="t1">555</td><td id="t2">123-4567</td></tr></table><p id="br">555<br>123-4567</p>');
  LOOKALIKES.forEach((markup, i) => assert.equal(html(page, 'x' + i), markup, `look-alike ${markup}`));
  // a number cut by a table cell or a line break is two lines, not one number
  assert.equal(text(page, 't1'), '555');
  assert.equal(text(page, 't2'), '123-4567');
  assert.equal(html(page, 'br'), '555<br>123-4567');
  page.close();
});

test('sms: and callto: links are swapped like tel: links; other links are not', async () => {
  const page = await swapped(`
    <a id="m1" href="sms:+15551234567">Text us</a>
    <a id="m2" href="sms:555-123-4567?body=Hi%20there">Text us</a>
    <a id="m3" href="SMS:+1 (555) 123\u20134567">Text us</a>
    <a id="m4" href="sms:+15551234500">other</a>
    <a id="m5" href="https://wa.me/15551234567">WhatsApp +1 555 123 4567</a>
    <a id="m6" href="callto:+15551234567">Skype</a>
    <a id="m7" href="CallTo:555-123-4567">Skype</a>`);
  assert.equal(attr(page, 'm1', 'href'), 'sms:+15559876543');
  assert.equal(attr(page, 'm2', 'href'), 'sms:555-987-6543?body=Hi%20there');
  assert.equal(attr(page, 'm3', 'href'), 'SMS:+1 (555) 987\u20136543');
  assert.equal(attr(page, 'm4', 'href'), 'sms:+15551234500');
  assert.equal(attr(page, 'm5', 'href'), 'https://wa.me/15551234567', 'a WhatsApp chat reaches the business');
  assert.equal(text(page, 'm5'), 'WhatsApp +1 555 987 6543', 'a number shown is swapped like any text (a call to it is tracked)');
  assert.equal(attr(page, 'm6', 'href'), 'callto:+15559876543', 'callto: links (Skype) dial the tracking number');
  assert.equal(attr(page, 'm7', 'href'), 'CallTo:555-987-6543');
  page.close();
});

test('the number in aria-label and title is swapped, so screen readers announce the tracking number', async () => {
  const page = await swapped(`
    <a id="a1" href="tel:+15551234567" aria-label="Call us on 555\u2011123\u20114567" title="(555) 123-4567">
      <svg></svg></a>
    <button id="a2" aria-label="Call +1 555 123 4567"><span>555</span>-<span>123</span>-<span>4567</span></button>
    <abbr id="a3" title="Telephone: 555.123.4567">Tel</abbr>
    <a id="a4" href="/contact" title="Contact us" aria-label="Order 5551234567890">x</a>
    <div data-calltrack-noswap><a id="a5" href="tel:+15551234567" aria-label="Call 555-123-4567">head office</a></div>`);
  assert.equal(attr(page, 'a1', 'aria-label'), 'Call us on 555\u2011987\u20116543');
  assert.equal(attr(page, 'a1', 'title'), '(555) 987-6543');
  assert.equal(attr(page, 'a1', 'href'), 'tel:+15559876543');
  assert.equal(attr(page, 'a2', 'aria-label'), 'Call +1 555 987 6543');
  assert.equal(html(page, 'a2'), '<span>555</span>-<span>987</span>-<span>6543</span>');
  assert.equal(attr(page, 'a3', 'title'), 'Telephone: 555.987.6543');
  assert.equal(attr(page, 'a4', 'title'), 'Contact us');
  assert.equal(attr(page, 'a4', 'aria-label'), 'Order 5551234567890');
  assert.equal(attr(page, 'a5', 'aria-label'), 'Call 555-123-4567', 'noswap keeps its attributes too');
  page.close();
});

test('an image\'s alt text (what screen readers announce for an image button) is swapped like aria-label', async () => {
  const page = await swapped(`<a id="btn" href="tel:+15551234567"><img id="img" alt="Call 555-123-4567" src="data:,"></a>
    <img id="logo" alt="Plumbing since 1987" src="data:,">`);
  assert.equal(attr(page, 'btn', 'href'), 'tel:+15559876543');
  assert.equal(attr(page, 'img', 'alt'), 'Call 555-987-6543');
  assert.equal(attr(page, 'logo', 'alt'), 'Plumbing since 1987');
  page.close();
});

test('single-page app route changes: split numbers, attributes and changed text are swapped every time', async () => {
  const page = await swapped('<main id="app"></main><p id="r"><span>555</span>-<span>123</span>-<span>4567</span></p>');
  const { document } = page;
  const app = document.getElementById('app');
  for (const route of ['/contact', '/locations', '/contact']) {
    app.innerHTML = `<h1>${route}</h1><p id="route"><strong>(555)</strong> 123\u20134567</p>
      <a id="routetel" href="sms:5551234567" aria-label="Text 555-123-4567">text</a>`;
    await until(() => html(page, 'route') === '<strong>(555)</strong> 987\u20136543', `${route}: the new view swapped`);
    await until(() => attr(page, 'routetel', 'href') === 'sms:5559876543', `${route}: the sms: link swapped`);
    assert.equal(attr(page, 'routetel', 'aria-label'), 'Text 555-987-6543');
  }
  // a framework writes the original digits back into the text nodes of a split number
  const spans = document.querySelectorAll('#r span');
  assert.equal(text(page, 'r'), '555-987-6543');
  spans[1].firstChild.data = '123';
  spans[2].firstChild.data = '4567';
  await until(() => text(page, 'r') === '555-987-6543', 'the rewritten split number swapped again');
  assert.equal(html(page, 'r'), '<span>555</span>-<span>987</span>-<span>6543</span>');
  // an inline element added into a line completes a number there
  const p = document.createElement('p');
  p.id = 'grow';
  p.innerHTML = 'Call <b>(555)</b> ';
  document.body.appendChild(p);
  const rest = document.createElement('span');
  rest.textContent = '123-4567';
  p.appendChild(rest);
  await until(() => html(page, 'grow') === 'Call <b>(555)</b> <span>987-6543</span>', 'the completed line swapped');
  // attributes set later
  const link = document.createElement('a');
  link.id = 'later';
  document.body.appendChild(link);
  link.setAttribute('title', 'Call 555\u2013123\u20134567');
  await until(() => attr(page, 'later', 'title') === 'Call 555\u2013987\u20136543', 'a title set later swapped');
  assert.deepEqual(page.errors, []);
  page.close();
});

test('open shadow roots: swapped when their host arrives, and watched for changes inside', async () => {
  const page = await swapped('<div id="app"></div>');
  const { document } = page;
  const host = document.createElement('div');
  host.id = 'host';
  host.attachShadow({ mode: 'open' }).innerHTML =
    '<p><span>555</span>-<span>123</span>-<span>4567</span></p><a href="sms:+15551234567">text</a>';
  document.getElementById('app').appendChild(host);
  const shadow = host.shadowRoot;
  await until(() => shadow.querySelector('p').textContent === '555-987-6543', 'the shadow root swapped');
  assert.equal(shadow.querySelector('p').innerHTML, '<span>555</span>-<span>987</span>-<span>6543</span>');
  assert.equal(shadow.querySelector('a').getAttribute('href'), 'sms:+15559876543');
  shadow.querySelector('p').insertAdjacentHTML('afterend', '<p id="inner"><b>(555)</b> 123\u20114567</p>');
  await until(() => shadow.getElementById('inner').innerHTML === '<b>(555)</b> 987\u20116543', 'content added inside swapped');
  page.close();
});

test('several business numbers, and national formats of other countries split over elements', async () => {
  const page = await swapped(`
    <p id="u1">(555) 222\u20133333</p>
    <p id="u2"><b>(555)</b> 222\u20133333 today</p>
    <p id="k1"><b>020</b> 7946 0958</p>
    <p id="k2"><span>+44</span> <span>(0)20</span> <span>7946 0958</span></p>`,
  (kind, body) => kind === 'assign'
    ? { status: 200, body: { sessionId: 'multi', visitorId: 'v', number: '+442079460000',
      swap: ['+442079460958', '+15551234567', '+15552223333'], leaseSeconds: 60, fallback: false } }
    : defaultAnswer(kind, body));
  assert.equal(html(page, 'k1'), '<b>020</b> 7946 0000');
  assert.equal(html(page, 'k2'), '<span>+44</span> <span>(0)20</span> <span>7946 0000</span>');
  // US numbers on a UK tracking number: another numbering plan, written as E.164 (no format to keep)
  assert.equal(text(page, 'u1'), '+442079460000');
  assert.equal(html(page, 'u2'), '<b>+442079460000</b> today', 'split: all of it where the match starts');
  page.close();
});

test('a tap on part of a split number counts as a tap on the number', async () => {
  const page = await swapped('<p><b id="part">(555)</b> 123-4567</p>');
  const before = server.ofKind('evidence').length;
  page.document.getElementById('part').dispatchEvent(new page.window.MouseEvent('click', { bubbles: true }));
  await until(() => server.ofKind('evidence').length > before, 'the tap beacon');
  assert.deepEqual(server.ofKind('evidence').slice(before).map((r) => r.body.kind), ['tap']);
  assert.equal(page.window.calltrack.number(), TRACKING);
  page.close();
});

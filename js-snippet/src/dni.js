/*
 * calltrack dni.js: dynamic number insertion.
 *
 * Embed: <script async src="https://DNI-HOST/dni.js" data-property="acme"></script>
 *
 * It runs on customers' pages, so everything it does is wrapped to fail safe: any error, a slow or
 * missing dni-server, or an error answer leaves the page's own numbers in place, with one console
 * warning at most. Its only global is the small API object `window.calltrack`.
 * Plain modern JavaScript, no dependencies; the Maven build minifies it and keeps it under 3.875 KiB gzipped.
 */
(function (w, d) {
  var prior = w.calltrack;
  if (prior?.swap) return; // loaded twice: keep the first

  var script = d.currentScript || d.querySelector('script[data-property][src*="dni"]');
  var data = function (name, dflt) { return script?.getAttribute('data-' + name) || dflt; }; // absent or empty: dflt
  var property = data('property');
  var server = data('server', script && new URL(script.src, location.href).origin)?.replace(/\/+$/, ''); // (a base URL may end in /)
  // a whole number > 0, else dflt: "2000ms" or "-1" must not reach AbortSignal.timeout or max-age
  var num = function (name, dflt) { var n = data(name) | 0; return n > 0 ? n : dflt; };
  var timeout = num('timeout', 1500);
  var lifetimeMs = num('lifetime', 90) * 864e5; // days
  var region = data('region'); // the site's region of this visit; else dni-server maps the time zone
  var KEY = '_calltrack';
  // data-consent="required": nothing is read from the device or written to it (cookie, localStorage)
  // until the page's consent manager says calltrack.consent(true); until then each page view is a
  // visit of its own
  var consent = data('consent') != 'required';

  var attempt = function (fn) { try { return fn(); } catch (e) { /* blocked (sandbox, privacy mode) or damaged */ } };
  // URLs are kept and sent cut to dni-server's own limit: ad click URLs reach kilobytes, and a cookie
  // over 4 KiB or an assign body over 16 KiB would be dropped
  var cut = function (url) { return url?.slice(0, 2048); };

  var warned;
  var warn = function (why) {
    if (!warned) { warned = 1; console.warn('calltrack: keeping the page\'s numbers (' + why + ')'); }
  };

  /* ---------------- attribution ---------------- */

  // The address the page was loaded with: a single-page app's router may have rewritten it (dropped
  // the query, moved to another route) before this async script runs. Its parameters are those of the
  // query, then of a query in the fragment (hash routers: /#/offer?utm_source=...).
  var nav = performance.getEntriesByType?.('navigation')[0];
  var url = new URL(nav?.name || location.href);
  var query = url.search + '&' + url.hash.replace(/^#(.*\?)?/, '');
  var params = new URLSearchParams(query);
  var param = function (n) { return params.get(n) || undefined; };
  var host = function (url) {
    try { return new URL(url).hostname.replace(/^www\./, ''); } catch (e) { return ''; }
  };
  var CLICK_IDS = { gclid: 'google', gbraid: 'google', wbraid: 'google', msclkid: 'bing', fbclid: 'facebook' };
  // Search engines whose visits count as organic: the name in their host is the source.
  // (not their mail or documents: mail.google.com is a referral)
  var SEARCH = /(?:^|\.)(?<!(?:mail|docs|drive)\.)(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia|ask|aol|naver|seznam|qwant|startpage|brave)\.[a-z.]+$/;

  // This page view's attribution (the landing page as path and query, as dni-server keeps it), and
  // whether it is a new touch: a campaign (utm), an ad click, or an external referrer. Internal
  // navigation and direct visits are not, so they never overwrite an earlier campaign (the "last
  // non-direct touch" model).
  function visit() {
    var ref = d.referrer, refHost = host(ref), site = '.' + host(url), derived, id, m, a = {
      source: param('utm_source'), medium: param('utm_medium'), campaign: param('utm_campaign'),
      keyword: param('utm_term'), content: param('utm_content'),
      adGroup: param('utm_adgroup'), ad: param('utm_ad'),
      landingPage: cut(url.pathname + url.search), referrer: cut(ref) || undefined
    };
    for (id in CLICK_IDS) {
      a[id] = param(id);
      if (a[id] && !derived) derived = [CLICK_IDS[id], 'cpc'];
    }
    // the site itself, a subdomain of it or the domain above it (blog.acme.com and acme.com on
    // www.acme.com): the visitor going about the site
    if (('.' + refHost).endsWith(site) || site.endsWith('.' + refHost)) { refHost = ''; a.referrer = undefined; }
    m = SEARCH.exec(refHost);
    derived = derived || (m ? [m[1], 'organic'] : refHost ? [refHost, 'referral'] : ['direct', 'none']);
    // any utm_* (e.g. a newsletter's utm_campaign alone); not a reload or Back/Forward to the page,
    // which replays its address and referrer: that touch was counted when the visitor came
    m = !/^[rb]/.test(nav?.type) && (/[?&]utm_\w+=[^&]/.test(query) || derived[0] != 'direct');
    a.source = a.source || derived[0];
    a.medium = a.medium || derived[1];
    return [a, m];
  }

  // The stored record {v: visitorId, s: last sessionId, f: first touch, l: last touch, j: journey, x: expiry ms}
  // lives in both localStorage and a first-party cookie, so clearing either one alone loses nothing.
  // A first touch equal to the last one is not stored twice (f absent). Either store may be blocked
  // (a sandboxed page throws on document.cookie too): then the record lives in this page only.
  var same = function () { return JSON.stringify(state.f) == JSON.stringify(state.l); };
  function load() {
    var r = consent && attempt(function () {
      // (only the cookie is URI-encoded: a "%" of a landing page in localStorage is no escape)
      return JSON.parse(attempt(function () { return localStorage.getItem(KEY); }) ||
          decodeURIComponent(d.cookie.match('(?:^|; )' + KEY + '=([^;]*)')[1]));
    });
    if (r?.x > Date.now()) return r.f ||= r.l, r;
  }
  function save() {
    if (!consent) return;
    var o = { ...state, f: same() ? 0 : state.f }, s = JSON.stringify(o), c = encodeURIComponent(s);
    attempt(function () { localStorage.setItem(KEY, s); });
    // two long landings (first and last touch, 2 KB each) pass the 4 KiB a browser keeps of a
    // cookie: there, their pages and referrers are kept shorter, so the cookie still keeps the visitor
    if (c.length > 3500) c = encodeURIComponent(JSON.stringify(o, function (k, v) { return /^(landingPage|referrer)$/.test(k) ? v?.slice(0, 400) : v; }));
    attempt(function () {
      d.cookie = KEY + '=' + c + ';path=/;SameSite=Lax;max-age=' +
          ((state.x - Date.now()) / 1e3 | 0) + (location.protocol == 'https:' ? ';secure' : '');
    });
  }

  var state = load() || { x: Date.now() + lifetimeMs };
  // This page view's touch, once the page is shown (see start). A first visit without a campaign is a
  // direct first touch (and the last touch until a campaign comes).
  // The journey (j): each touch through a new channel, first to last, with its time; the first and the
  // latest 9 kept. A record from before journeys were kept starts it from its first and last touch.
  var pick = function (a, at) { return a && { source: a.source, medium: a.medium, campaign: a.campaign, at: at }; };
  var channel = function (a) { return JSON.stringify(pick(a)); }; // (no time: pick's at is undefined)
  function touched(t, j) {
    t = visit();
    j = state.j ||= [state.f, state.l].map(function (a) { return pick(a); }).filter(function (a, i, all) { return a && channel(a) != channel(all[i - 1]); });
    if (t[1] || !state.l) {
      state.l = t[0];
      channel(j[j.length - 1]) != channel(t[0]) && j.push(pick(t[0], new Date().toISOString())) > 10 && j.splice(1, 1);
    }
    state.f ||= state.l;
    save();
  }

  /* ---------------- swapping ---------------- */

  var assignment, swapRe, targets = {}, line = [];
  // Between digit groups: any space (no-break ones too), . ( ) /, every Unicode dash (CMSs turn
  // hyphens into en dashes; U+2011, U+2012 ...), the minus sign, and invisible format marks (soft
  // hyphen, zero-width space, bidi marks), with the \0 between text nodes (see flush); up to 80, as a
  // template formatter wraps a long line between the groups: "(555)\n" and the next line's indentation.
  // (One character class: the digits that follow it are not in it, so it never backtracks far.)
  var SEP = '[\\s.()/\\p{Pd}\\p{Cf}\u2212\\0]{0,80}';
  var digits = function (s) { return s.replace(/%\w\w|\D/g, ''); }; // (a tel: href's %20 is no digits)
  var join = function (ds) { return ds.split('').join(SEP); };

  // One pattern per shown number, e.g. +15551234567: its national digits with any separators
  // between them, optionally after a country code of 1 to 3 digits (with "+" or "00") and a trunk 0
  // (also both: "+44 (0)20 ...", "+44 020 ...").
  // That covers (555) 123-4567, 555-123-4567, 555.123.4567, +1 555 123 4567, 1-555-123-4567,
  // 5551234567 and national formats like 020 7946 0958.
  function pattern(full) {
    return [1, 2, 3].map(function (k) {
      return '(?:(?:\\+|00)?\\(?' + join(full.slice(0, k)) + SEP + ')?\\(?(?:0' + SEP + ')?' + join(full.slice(k));
    }).join('|');
  }

  // Which tracking number replaces a match, written in the match's own format: its digits are
  // replaced from the right, so separators, "+", a leading country code or trunk 0 stay put.
  // A trunk 0 after a country code ("+44 020 7946 0958") is not part of the number: it is the digit
  // at index t of the match (after its z leading zeros), and keeps its place like them.
  function rewrite(match) {
    var ds = digits(match), md = ds.replace(/^0+/, ''), z = ds.length - md.length, t = 0, k = 0, from, to, i, m;
    for (; !from && k < 4; k++) {
      m = k ? md[k] == 0 && md.slice(0, k) + md.slice(k + 1) : md;
      for (i in targets) {
        if (m && i.slice(-m.length) == m && i.length - m.length < 4) { from = i; t = k && z + k; }
      }
    }
    if (!from) return match;
    to = targets[from];
    // different numbering plan: no format to keep; all of it goes where the match starts (the \0s
    // between text nodes stay, so flush can tell the nodes apart)
    if (to.length != from.length) return '+' + to + match.replace(/[^\0]/g, '');
    to = to.slice(-m.length);
    k = i = 0;
    return match.replace(/\d/g, function (c) { return i++ < z || i - 1 == t && t ? c : to[k++]; });
  }
  var replace = function (s) { return s.replace(swapRe, rewrite); };

  // (a rich-text editor is a form field: what the user types there is theirs)
  var NOSWAP = '[data-calltrack-noswap],script,style,textarea,noscript,[contenteditable]:not([contenteditable=false])';
  // Elements that flow within a line of text, so a number may be split over them:
  // <span>555</span>-<span>123</span>-<span>4567</span>, <b>(555)</b> 123-4567, an SVG text's tspans
  // (as design tools export kerned text). Any other element
  // (a block, a table cell, <br>, an image) ends the line: digits never join across it.
  var INLINE = /^([ABIU]|EM|T?SPAN|STRONG|SMALL|FONT|MARK|BD[IO]|WBR)$/i;
  // The node whose subtree holds a node's whole line: its nearest ancestor-or-self that is not text
  // or an inline element.
  var block = function (n) {
    while (n.parentNode && INLINE.test(n.tagName || 'a')) n = n.parentNode;
    return n;
  };

  // Swaps within one line: its text nodes read as one string, each digit of a match rewritten in
  // the node it stands in, so the page's markup and separators stay as they are. The nodes are
  // joined with \0, which separates like a dash: digits of neighbouring nodes never run together
  // ("24/7" then "555-123-4567" in the next span). A node of only spaces counts as one space.
  function flush() {
    if (line[0]) {
      var s = line.map(function (t) { return t.data; }),
          v = s.join('\0').replace(swapRe, rewrite).split('\0');
      line.forEach(function (t, i) { if (v[i] != s[i]) t.data = v[i]; });
      line = [];
    }
  }

  var ATTRS = ['href', 'title', 'aria-label', 'alt'];

  // Walks a subtree in document order: text joins the current line, an inline element's text too;
  // any other element is a line of its own, and a skipped one (noswap) only ends the line.
  function scan(el, a, v, s, u) {
    // an open shadow root: swapped, and watched, on its own (no observer above it sees inside)
    if (el.shadowRoot) { observe(el.shadowRoot); swapIn(el.shadowRoot); }
    // tel:, sms: and callto: links (their spaces may be written %20, as WordPress does; not WhatsApp
    // links: a tracking number has no WhatsApp account, the chat must reach the business), and the number in a
    // title, aria-label or an image's alt (what screen readers say)
    if (el.getAttribute) {
      for (a of ATTRS) {
        if ((v = el.getAttribute(a)) && (a != 'href' || /^(tel|sms|callto):/i.test(v)) &&
            (s = replace(u = v.replace(/%20/g, ' '))) != u) {
          el.setAttribute(a, u == v ? s : s.replace(/ /g, '%20'));
        }
      }
    }
    for (var n = el.firstChild; n; n = n.nextSibling) { // (for-of over childNodes is 10 times slower)
      if (n.nodeType == 3) /\S/.test(n.data) && line.push(n); // spaces alone: the \0 separates as well
      else if (n.tagName) n.matches(NOSWAP) ? flush() : INLINE.test(n.tagName) ? scan(n) : (flush(), scan(n), flush());
    }
  }

  // Swaps inside one subtree only (the observer hands it just what was added or changed), widened
  // from a text node or an inline element to its whole line: elements, the document and fragments
  // (e.g. a template's content, before it is inserted).
  function swapIn(root) {
    if (swapRe && root && !((root = block(root)).closest?.(NOSWAP))) {
      scan(root);
      flush();
    }
  }

  var observer = new MutationObserver(function (records) {
    try {
      records.forEach(function (r) { (r.type == 'childList' ? r.addedNodes : [r.target]).forEach(swapIn); });
    } catch (e) { warn(e); }
  });
  var observe = function (n) {
    observer.observe(n, { childList: true, subtree: true, characterData: true, attributeFilter: ATTRS });
  };

  /* ---------------- anti-flicker ---------------- */

  var hideStyle;
  if (data('hide') == 'true') {
    hideStyle = d.createElement('style');
    hideStyle.nonce = script.nonce; // a page whose CSP allows styles by nonce gives its script tag one
    hideStyle.textContent = data('hide-selector', 'a[href^="tel:"],.calltrack-number') +
        '{visibility:hidden!important}';
    d.documentElement.append(hideStyle); // (a style anywhere applies)
  }
  var reveal = function () { hideStyle?.remove(); }; // (again: a removed node's remove does nothing)

  /* ---------------- server ---------------- */

  var waiting = [], heartbeatTimer, settled, beating, retried = 0, asked;

  function post(path, body) {
    // (in a then, so that a synchronous throw, e.g. of a browser without AbortSignal.timeout, is a
    // rejection like any other failure)
    return Promise.resolve().then(function () {
      return fetch(server + path, { method: 'POST', signal: AbortSignal.timeout(timeout), ...body && {
        body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } });
    })
      .then(function (r) {
        if (r.status == 410) return 410;
        if (!r.ok) throw 'HTTP ' + r.status;
        return r.status == 204 || r.json();
      });
  }

  // The site's Google Analytics ids (its own _ga and _ga_<id> cookies, GS1 or GS2) and Meta Pixel
  // browser id (_fbp), read afresh each time (GA starts a new session after 30 idle minutes):
  // dni-server sends the call to GA4 as an event of this visitor's session, and to Meta as this
  // browser's. Read only with consent, as everything on the device.
  function ga(c) {
    c = consent && attempt(function () { return d.cookie; }) || '';
    return { gaClientId: (c.match(/\b_ga=GA\d\.\d+\.(\d+\.\d+)/) || 0)[1], gaSessionId: (c.match(/\b_ga_\w+=GS\d\.\d\.s?(\d+)/) || 0)[1],
      fbp: (c.match(/\b_fbp=(fb\.\d\.\d+\.\d+)/) || 0)[1] };
  }

  function assign() {
    // a re-assign (lease gone) carries the record as another tab of the visitor may have left it
    if (assignment) state = load() || state;
    var ids = ga();
    // ?property= lets dni-server answer the CORS preflight for this property's allowedOrigins
    return post('/v1/assign?property=' + encodeURIComponent(property), {
      property: property, visitorId: state.v, sessionId: state.s,
      page: { url: cut(location.href), referrer: cut(d.referrer) },
      // the last touch, carrying the first one when they differ (reports: model=first|last)
      attribution: { ...same() ? state.l : { firstTouch: state.f, ...state.l }, journey: state.j?.length > 1 ? state.j : undefined, ...ids },
      region: region, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone
    }).then(function (a) {
      if (!a?.number || !a.swap) throw 'bad answer';
      var previous = assignment, to = digits(a.number);
      state = load() || state; // only the visitor and session are this tab's to write: not an older touch
      state.v = a.visitorId; // (the server echoes ours, or gives the new visitor one)
      state.s = a.sessionId; // so that any server finds the session at once when the visitor returns
      // GA and the Meta Pixel often write their cookies after this assign on a first page: what they
      // wrote since goes to the session, so that its call still reaches them
      setTimeout(function (now) {
        now = ga();
        if (now.gaClientId != ids.gaClientId || now.fbp != ids.fbp) beacon('/evidence', JSON.stringify({ kind: 'ids', ...now }));
      }, 3e3);
      save();
      assignment = a;
      a.swap.concat(previous ? [previous.number] : []).forEach(function (n) { targets[digits(n)] = to; });
      // not inside a longer run of digits, nor of dash-joined groups (order numbers, "2024-555-...")
      swapRe = new RegExp('(?<![\\d+]|\\d\\p{Pd})(?:' + Object.keys(targets).map(pattern).join('|') + ')(?!\\d|\\p{Pd}\\d)', 'gu');
      return a;
    });
  }

  function whenDomReady(fn) {
    if (d.readyState == 'loading') d.addEventListener('DOMContentLoaded', fn); else fn();
  }

  function settle() {
    settled = 1;
    waiting.splice(0).forEach(function (cb) { try { cb(api.number()); } catch (e) { setTimeout(function () { throw e; }); } });
  }

  // Renews the lease every half lease while the page is visible; a lease that is gone (410) is
  // assigned again, and a sticky visitor gets the same number back. One beat at a time (a page back
  // from the bfcache is shown and visible at once). A fallback (default number) page has no lease:
  // it asks once more at its first beat, in case the server has recovered, and then no more; not
  // when the fallback has a reason (the server refused this client: too many assigns, a robot).
  function heartbeat() {
    clearTimeout(heartbeatTimer);
    if (!assignment || d.hidden || beating || assignment.fallback && (retried++ || assignment.reason)) return;
    beating = 1;
    (assignment.fallback ? Promise.resolve(410) : post('/v1/sessions/' + assignment.sessionId + '/heartbeat'))
      .then(function (r) {
        if (r == 410) return assign().then(function () { whenDomReady(function () { swapIn(d.body); }); });
        // the lease the release at pagehide names: one renewed since (back from the bfcache) stays
        if (r?.leaseExpiresAt) assignment.leaseExpiresAt = r.leaseExpiresAt;
      })
      .catch(function () { /* server away: try again at the next beat */ })
      .then(function () { beating = 0; schedule(); });
  }
  function schedule() {
    clearTimeout(heartbeatTimer);
    if (assignment && !d.hidden) heartbeatTimer = setTimeout(heartbeat, (assignment.leaseSeconds || 60) * 500);
  }

  // What the page saw, for attributing the call: a tap on a tel: link or on the shown number, a copy
  // of it, the page hidden or shown. One small beacon each (text/plain: no preflight).
  function beacon(what, body) {
    if (assignment && !assignment.fallback && navigator.sendBeacon) {
      navigator.sendBeacon(server + '/v1/sessions/' + assignment.sessionId + what, body);
    }
  }
  var evidence = function (kind) { beacon('/evidence', JSON.stringify({ kind: kind })); };
  // Does this text show the tracking number (its last 7 digits)?
  var shows = function (s) { return assignment && digits(s || '').includes(digits(assignment.number).slice(-7)); };
  d.addEventListener('click', function (e) {
    // the element tapped, also inside an open shadow root (whose host is e.target here)
    var n = e.composedPath()[0], a = n.closest?.('a[href^="tel:"]'), t = block(n).textContent;
    // a tel: link to the tracking number, or the number's line (it may be split over elements); not
    // a link to another number, nor anything in a noswap area
    if (!n.closest?.(NOSWAP) && (a ? shows(a.getAttribute('href')) : shows(t) && t.length < 80)) evidence('tap');
  }, true);
  d.addEventListener('copy', function () { if (shows(String(d.getSelection()))) evidence('copy'); });
  d.addEventListener('visibilitychange', function () {
    evidence(d.hidden ? 'hidden' : 'shown');
    d.hidden ? schedule() : (heartbeat(), begin());
  });
  w.addEventListener('pagehide', function () {
    clearTimeout(heartbeatTimer);
    // naming the lease it ends: if it arrives after the page, back from the bfcache, renewed the
    // lease, it ends nothing
    beacon('/release', JSON.stringify({ leaseExpiresAt: assignment?.leaseExpiresAt }));
  });
  // back from the bfcache: renew at once (410 if the release ended the lease: assign again)
  w.addEventListener('pageshow', function (e) { if (e.persisted) heartbeat(); });

  /* ---------------- API ---------------- */

  var api = w.calltrack = {
    // cb(number): called once the tracking number is known (E.164), or with null if none came.
    ready: function (cb) { settled ? cb(api.number()) : waiting.push(cb); },
    number: function () { return assignment?.number || null; },
    swap: function (target) {
      api.ready(function () {
        (typeof target == 'string' ? d.querySelectorAll(target) : [target]).forEach(swapIn);
      });
    },
    attribution: function () { return { firstTouch: state.f, lastTouch: state.l, visitorId: state.v }; },
    // the visit's region for the next assign (queue ['region', name] before dni.js loads for the first)
    region: function (name) { region = name; },
    // consent(true): the visitor's record is read and kept (this page's touch included) from now on;
    // consent(false): it is erased and no more is kept
    consent: function (yes) {
      if (consent = !!yes) {
        state = load() || state;
        asked ? touched() : save();
      } else attempt(function () { localStorage.removeItem(KEY); d.cookie = KEY + '=;path=/;max-age=0'; });
    }
  };
  // pages may queue callbacks and calls early, and go on after load:
  // (window.calltrack = window.calltrack || []).push(fn | ['region', name] | ['consent', true])
  api.push = function (c) { c?.call ? api.ready(c) : api[c?.[0]]?.(c[1]); };
  if (Array.isArray(prior)) prior.forEach(api.push);

  if (!property || !server) {
    asked = 1; // nothing to ask for when the page is shown
    warn('no property');
    reveal();
    settle();
    return;
  }
  // A page the browser prerenders (speculation rules) or opens in a background tab is hidden, and
  // may never be seen: no touch and no number until it is first shown (unseen, it held a number for
  // its lease and the hold after it). A prerendered page is shown at its activation.
  begin();
  function begin() {
    if (!asked && !d.hidden) {
      asked = 1;
      start();
    }
  }
  function start() {
    touched();
    setTimeout(reveal, timeout); // hidden numbers are shown after the timeout, whatever the assign
    assign()
      .then(function () {
        whenDomReady(function () {
          try {
            swapIn(d.body);
            observe(d.documentElement);
          } catch (e) { warn(e); }
          reveal();
          settle();
          schedule();
        });
      })
      .catch(function (e) {
        warn(e?.name == 'TimeoutError' ? 'server slower than ' + timeout + ' ms' : e);
        assignment = swapRe = 0;
        reveal();
        settle();
      });
  }
})(window, document);

// calltrack ops dashboard: plain JavaScript reading the admin JSON API. The admin token (or a property's
// API key: a client's dashboard of its one property) is asked for once and kept in sessionStorage (this tab only). Pools, live calls and calls by hour refresh every
// REFRESH_MS; the ROI table when the dates change and every ROI_REFRESH_MS.
(function () {
  'use strict';
  var REFRESH_MS = 10000;
  var ROI_REFRESH_MS = 60000;
  var TOKEN_KEY = 'calltrack.adminToken';
  var PROPERTY_KEY = 'calltrack.property';
  var SVG = 'http://www.w3.org/2000/svg';
  var $ = function (id) { return document.getElementById(id); };
  var timers = [];
  var admin = true;   // false when signed in with a property's API key: nothing that spans properties

  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  // a request with the token; a refused token asks for another, another error throws its detail
  function authorized(path) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + token() } }).then(function (res) {
      if (res.status === 401) {
        sessionStorage.removeItem(TOKEN_KEY);
        showLogin('That token was refused.');
        throw new Error('unauthorized');
      }
      if (!res.ok) {
        return res.json().then(function (body) { throw new Error(body.detail || body.error || res.status); });
      }
      return res;
    });
  }

  function api(path) {
    return authorized(path).then(function (res) { return res.json(); });
  }

  function showLogin(message) {
    timers.forEach(clearInterval);
    timers = [];
    $('main').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = message || '';
    $('token').focus();
  }

  function setStatus(text, isError) {
    $('status').textContent = text;
    $('status').className = isError ? 'error' : '';
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function localDate(d) {
    return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
  }

  // --- pools: counts and a utilization chart of the last hour with the 75 % line ---
  function utilizationChart(pool, nowIso) {
    var w = 600, h = 120, pad = 24;
    var svg = svgEl('svg', { viewBox: '0 0 ' + w + ' ' + h, 'data-testid': 'util-chart', role: 'img',
      'aria-label': 'utilization of ' + pool.poolId + ' over the last hour' });
    var end = Date.parse(nowIso), start = end - 3600 * 1000;
    var x = function (t) { return pad + (w - 2 * pad) * (t - start) / (end - start); };
    var y = function (pct) { return h - pad - (h - 2 * pad) * Math.min(pct, 100) / 100; };
    svg.appendChild(svgEl('rect', { x: pad, y: pad, width: w - 2 * pad, height: h - 2 * pad, fill: 'none', stroke: '#d0d5dd' }));
    svg.appendChild(svgEl('line', { x1: pad, x2: w - pad, y1: y(75), y2: y(75), stroke: '#f79009',
      'stroke-dasharray': '6 4', 'data-testid': 'line-75' }));
    svg.appendChild(svgEl('text', { x: w - pad + 2, y: y(75) + 4, 'font-size': 10, fill: '#f79009' }, '75%'));
    svg.appendChild(svgEl('text', { x: 2, y: y(100) + 4, 'font-size': 10, fill: '#5a6372' }, '100'));
    svg.appendChild(svgEl('text', { x: 2, y: y(0) + 4, 'font-size': 10, fill: '#5a6372' }, '0'));
    svg.appendChild(svgEl('text', { x: pad, y: h - 6, 'font-size': 10, fill: '#5a6372' }, '−60 min'));
    svg.appendChild(svgEl('text', { x: w - pad - 20, y: h - 6, 'font-size': 10, fill: '#5a6372' }, 'now'));
    var pts = pool.history.map(function (s) { return x(Date.parse(s.at)) + ',' + y(Number(s.utilizationPercent)); });
    if (pts.length) {
      svg.appendChild(svgEl('polyline', { points: pts.join(' '), fill: 'none', stroke: '#1570ef', 'stroke-width': 2,
        'data-testid': 'util-line' }));
    }
    for (var i = 1; i < pool.history.length; i++) {
      if (pool.history[i].exhausted > pool.history[i - 1].exhausted) {   // exhaustion events in that minute
        var t = x(Date.parse(pool.history[i].at));
        svg.appendChild(svgEl('line', { x1: t, x2: t, y1: pad, y2: h - pad, stroke: '#b42318', 'data-testid': 'exhausted-mark' }));
      }
    }
    return svg;
  }

  function renderPools(summary) {
    var box = $('pools');
    box.textContent = '';
    if (!summary.pools.length) { box.appendChild(el('p', 'This property has no pools.')); }
    summary.pools.forEach(function (p) {
      var card = el('div', null, 'pool');
      card.setAttribute('data-testid', 'pool');
      card.setAttribute('data-pool', p.poolId);
      var dl = el('dl');
      var pct = p.size ? (100 * (p.leased + p.holding) / p.size).toFixed(1) + ' %' : '–';
      // attribution quality: calls by confidence since the pool was created
      var c = p.calls || {}, n = 0;
      Object.keys(c).forEach(function (k) { n += c[k]; });
      var share = function (k) { return n ? (100 * (c[k] || 0) / n).toFixed(1) + ' %' : '–'; };
      [['Pool', p.poolId], ['Size', p.size], ['Leased', p.leased], ['Holding', p.holding], ['Free', p.free],
        ['Utilization', pct], ['Exhausted', p.exhausted], ['Calls', n], ['Exact', share('exact')],
        ['Channel', share('channel')], ['Probable', share('probable')],
        ['Ambiguous', share('ambiguous')]].forEach(function (kv) {
        dl.appendChild(el('dt', kv[0]));
        var dd = el('dd', String(kv[1]), kv[0] === 'Exhausted' && p.exhausted > 0 ? 'warn' : '');
        dd.setAttribute('data-testid', 'pool-' + kv[0].toLowerCase());
        dl.appendChild(dd);
      });
      card.appendChild(dl);
      card.appendChild(utilizationChart(p, summary.now));
      box.appendChild(card);
    });
  }

  function renderHours(summary) {
    var w = 600, h = 140, pad = 20, max = Math.max.apply(null, summary.callsByHour.concat([1]));
    var svg = svgEl('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img', 'aria-label': 'calls by hour today' });
    var bw = (w - 2 * pad) / 24;
    summary.callsByHour.forEach(function (n, hour) {
      var bh = (h - 2 * pad) * n / max;
      var bar = svgEl('rect', { x: pad + hour * bw + 1, y: h - pad - bh, width: bw - 2, height: bh, fill: '#1570ef',
        'data-testid': 'hour-bar', 'data-hour': hour, 'data-calls': n });
      bar.appendChild(svgEl('title', {}, hour + ':00 — ' + n + ' calls'));
      svg.appendChild(bar);
      if (hour % 3 === 0) { svg.appendChild(svgEl('text', { x: pad + hour * bw, y: h - 5, 'font-size': 10, fill: '#5a6372' }, String(hour))); }
      if (n > 0) { svg.appendChild(svgEl('text', { x: pad + hour * bw + 2, y: h - pad - bh - 3, 'font-size': 10 }, String(n))); }
    });
    $('hours').textContent = '';
    $('hours').appendChild(svg);
    $('calls-today').textContent = '(' + summary.callsToday + ' calls, ' + summary.timezone + ')';
  }

  // a table's one row when it has nothing to list
  function emptyRow(text, columns) {
    var tr = el('tr'), td = el('td', text);
    td.colSpan = columns;
    tr.appendChild(td);
    return tr;
  }

  function renderLive(summary) {
    var body = $('live').tBodies[0];
    body.textContent = '';
    if (!summary.liveCalls.length) { body.appendChild(emptyRow('No calls in progress.', 6)); }
    summary.liveCalls.forEach(function (c) {
      var tr = el('tr');
      // why the call looks like spam (a failed caller-ID verification, ...): it is put through all the same
      [new Date(c.startedAt).toLocaleTimeString(), c.number, c.caller, c.status,
        (c.attribution && c.attribution.source) || '(none)', (c.spamSignals || []).join(', ')]
        .forEach(function (v) { tr.appendChild(el('td', v)); });
      body.appendChild(tr);
    });
  }

  // the callbacks waiting: a lead's form or a missed call, due now or at the opening or retry time
  function renderCallbacks(summary) {
    var body = $('callbacks').tBodies[0], cb = summary.callbacks;
    body.textContent = '';
    $('callbacks-pending').textContent = '(' + cb.pending + ')';
    if (!cb.next.length) { body.appendChild(emptyRow('No callbacks waiting.', 5)); }
    var now = new Date(summary.now);
    cb.next.forEach(function (c) {
      var tr = el('tr');
      tr.setAttribute('data-testid', 'callback-row');
      var due = new Date(c.notBefore);
      [due <= now ? 'now' : due.toLocaleString(), c.phone, c.returnsCall ? 'missed call' : 'form', c.state,
        String(c.attempts)].forEach(function (v) { tr.appendChild(el('td', v)); });
      body.appendChild(tr);
    });
  }

  function refresh() {
    var property = $('property').value;
    if (!property) { return Promise.resolve(); }
    return api('/v1/dashboard?property=' + encodeURIComponent(property)).then(function (s) {
      renderPools(s);
      renderHours(s);
      renderLive(s);
      renderCallbacks(s);
      if (!$('from').value) {   // first load: the dates in the address (?from=&to=), else today
        var q = new URLSearchParams(location.search);
        $('from').value = q.get('from') || s.today;
        $('to').value = q.get('to') || q.get('from') || s.today;
        loadRoi();
      }
      setStatus('updated ' + new Date().toLocaleTimeString());
    }).catch(function (e) { setStatus('refresh failed: ' + e.message, true); });
  }

  function money(v) { return v === null || v === undefined ? '–' : v; }
  function num(v, digits) { return v === null || v === undefined ? '–' : Number(v).toFixed(digits); }

  // a multi-touch model's rows have credit (fractions of calls) and none of a whole call's own figures
  function count(v, credited) { return v === null || v === undefined ? '–' : credited ? Number(v).toFixed(2) : v; }

  function roiRow(label, r, credited) {
    var tr = el('tr');
    [label, count(r.calls, credited), count(r.uniqueCallers), count(r.firstTimeCallers), count(r.answered),
      count(r.qualified), count(r.conversions, credited), money(r.revenue),
      money(r.cost), money(r.costPerCall), num(r.roas, 2), num(r.roiPercent, 1)].forEach(function (v) {
      tr.appendChild(el('td', String(v)));
    });
    return tr;
  }

  function loadRoi() {
    var property = $('property').value;
    if (!property || !$('from').value || !$('to').value) { return Promise.resolve(); }
    var model = $('model').value;
    var q = '?groupBy=source&property=' + encodeURIComponent(property) + '&from=' + $('from').value + '&to=' + $('to').value
      + '&model=' + encodeURIComponent(model);
    return api('/v1/reports/roi' + q).then(function (report) {
      var body = $('roi').tBodies[0], foot = $('roi').tFoot;
      var credited = model !== 'last' && model !== 'first';
      body.textContent = '';
      foot.textContent = '';
      report.rows.forEach(function (r) {
        var tr = roiRow(r.source === null ? '(none)' : r.source, r, credited);
        tr.setAttribute('data-testid', 'roi-row');
        tr.setAttribute('data-source', r.source === null ? '' : r.source);
        body.appendChild(tr);
      });
      var total = roiRow('Total', report.total, credited);
      total.setAttribute('data-testid', 'roi-total');
      foot.appendChild(total);
      document.body.setAttribute('data-roi-loaded', report.from + '/' + report.to + '/' + report.model);
      return Promise.all([loadConversations(property, report.from, report.to),
        window.calltrackTrends.load(api, property, $('to').value), loadHealth(property),
        admin ? loadPortfolio(report.from, report.to) : null]);
    }).catch(function (e) { setStatus('ROI report failed: ' + e.message, true); });
  }

  function percent(v) { return v === null || v === undefined ? '–' : (Number(v) * 100).toFixed(1) + ' %'; }

  // the property's health: the share of the alerts' conditions that are well now, and those that are not
  function loadHealth(property) {
    return api('/v1/properties/' + encodeURIComponent(property) + '/health').then(function (h) {
      var list = $('health'), sick = h.checks.filter(function (c) { return !c.healthy; });
      $('health-score').textContent = '(' + h.score + ' / 100)';
      list.textContent = '';
      if (!sick.length) { list.appendChild(el('li', 'Every check is healthy.', 'ok')); }
      sick.forEach(function (c) {
        var li = el('li', c.check + ': ' + Object.keys(c.detail || {}).map(function (k) {
          return k + ' ' + c.detail[k];
        }).join(', '), 'warn');
        li.setAttribute('data-testid', 'health-problem');
        li.setAttribute('data-check', c.check);
        list.appendChild(li);
      });
    }).catch(function (e) { setStatus('Health failed: ' + e.message, true); });
  }

  function portfolioRow(label, r) {
    var tr = el('tr');
    [label, String(r.calls), percent(r.attributionRate), String(r.answered), String(r.conversions), money(r.revenue),
      money(r.cost), num(r.roas, 2), r.currency].forEach(function (v) { tr.appendChild(el('td', v)); });
    return tr;
  }

  // every property over the same days (each in its own time zone), a total per currency; a row opens its property
  function loadPortfolio(from, to) {
    return api('/v1/reports/portfolio?from=' + from + '&to=' + to).then(function (p) {
      var body = $('portfolio').tBodies[0], foot = $('portfolio').tFoot;
      body.textContent = '';
      foot.textContent = '';
      // busiest first; the table scrolls in its box, however many properties there are
      var busiest = p.properties.slice().sort(function (a, b) {
        return b.calls - a.calls || (a.property < b.property ? -1 : 1);
      });
      busiest.forEach(function (r) {
        var tr = portfolioRow(r.name && r.name !== r.property ? r.name + ' (' + r.property + ')' : r.property, r);
        tr.setAttribute('data-testid', 'portfolio-row');
        tr.setAttribute('data-property', r.property);
        tr.className = 'link';
        tr.addEventListener('click', function () {
          $('property').value = r.property;
          $('property').dispatchEvent(new Event('change'));
        });
        body.appendChild(tr);
      });
      p.totals.forEach(function (t) {
        var tr = portfolioRow('Total (' + t.properties + ')', t);
        tr.setAttribute('data-testid', 'portfolio-total');
        foot.appendChild(tr);
      });
    }).catch(function (e) { setStatus('All properties failed: ' + e.message, true); });
  }

  function conversationRow(label, r) {
    var tr = el('tr');
    [label, String(r.answered), String(r.transcribed), percent(r.transcriptionCoverage),
      percent(r.keyPhraseMentionRate), percent(r.intentDetectionRate), percent(r.scriptAdherence),
      percent(r.classificationAccuracy)].forEach(function (v) { tr.appendChild(el('td', v)); });
    return tr;
  }

  // what callers said, by source, for the same days as the ROI table (rates of the transcribed calls)
  function loadConversations(property, from, to) {
    var q = '?groupBy=source&property=' + encodeURIComponent(property) + '&from=' + from + '&to=' + to;
    return api('/v1/reports/conversations' + q).then(function (report) {
      var body = $('conversations').tBodies[0], foot = $('conversations').tFoot;
      body.textContent = '';
      foot.textContent = '';
      if (!report.total.transcribed) { body.appendChild(emptyRow('No transcribed calls on these days.', 8)); }
      report.rows.forEach(function (r) {
        if (!r.transcribed) { return; }
        var tr = conversationRow(r.source === null ? '(none)' : r.source, r);
        tr.setAttribute('data-testid', 'conversation-row');
        body.appendChild(tr);
      });
      var total = conversationRow('Total', report.total);
      total.setAttribute('data-testid', 'conversation-total');
      foot.appendChild(total);
    }).catch(function (e) { setStatus('Conversations report failed: ' + e.message, true); });
  }

  // the call log of the chosen days as a file: fetched with the token (a plain link could not carry it)
  function downloadCalls() {
    var property = $('property').value;
    if (!property || !$('from').value || !$('to').value) { return Promise.resolve(); }
    var q = '?property=' + encodeURIComponent(property) + '&from=' + $('from').value + '&to=' + $('to').value;
    return authorized('/v1/exports/calls' + q).then(function (res) {
      var name = /filename="?([^";]+)/.exec(res.headers.get('content-disposition') || '');
      return res.blob().then(function (blob) {
        var a = el('a', '');
        a.href = URL.createObjectURL(blob);
        a.download = name ? name[1] : 'calls.csv';
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
      });
    }).catch(function (e) { setStatus('Call log failed: ' + e.message, true); });
  }

  function start() {
    $('login').hidden = true;
    $('main').hidden = false;
    return api('/v1/dashboard/properties').then(function (res) {
      admin = res.admin !== false;
      $('portfolio-section').hidden = !admin;
      var select = $('property');
      select.textContent = '';
      res.properties.forEach(function (p) {
        var o = el('option', p.name === p.id ? p.id : p.name + ' (' + p.id + ')');
        o.value = p.id;
        select.appendChild(o);
      });
      var wanted = new URLSearchParams(location.search).get('property') || sessionStorage.getItem(PROPERTY_KEY);
      if (wanted && res.properties.some(function (p) { return p.id === wanted; })) { select.value = wanted; }
      timers.push(setInterval(refresh, REFRESH_MS));
      timers.push(setInterval(loadRoi, ROI_REFRESH_MS));
      return refresh();
    }).catch(function (e) { setStatus(e.message, true); });
  }

  $('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    start();
  });
  $('forget').addEventListener('click', function () { sessionStorage.removeItem(TOKEN_KEY); showLogin(); });
  $('property').addEventListener('change', function () {
    sessionStorage.setItem(PROPERTY_KEY, $('property').value);
    $('from').value = '';
    history.replaceState(null, '', '?property=' + encodeURIComponent($('property').value));
    refresh();
  });
  $('from').addEventListener('change', loadRoi);
  $('to').addEventListener('change', loadRoi);
  $('model').addEventListener('change', loadRoi);
  $('calls-csv').addEventListener('click', downloadCalls);

  if (token()) { start(); } else { showLogin(); }
})();

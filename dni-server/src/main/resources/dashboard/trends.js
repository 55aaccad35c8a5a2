// calltrack dashboard trends: calls, revenue and ROI per week over the 12 weeks ending at the ROI
// table's "To" date, and calls by hour of day and by weekday over the same weeks (the property's time
// zone). One request per chart: GET /v1/reports/roi?groupBy=week|hour|weekday.
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var WEEKS = 12;

  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function isoDay(d) { return d.toISOString().slice(0, 10); }

  // Monday of the week WEEKS-1 weeks before the one holding `to` (YYYY-MM-DD, a calendar day)
  function firstDay(to) {
    var d = new Date(to + 'T00:00:00Z');
    var back = (d.getUTCDay() + 6) % 7 + 7 * (WEEKS - 1);
    d.setUTCDate(d.getUTCDate() - back);
    return isoDay(d);
  }

  // bars of `values` labelled `labels`; each bar carries data-testid `id` and data-* of `data[i]`
  function bars(title, labels, values, id, data, color, fmt) {
    var w = 600, h = 150, pad = 22, max = Math.max.apply(null, values.map(Math.abs).concat([1]));
    var min = Math.min.apply(null, values.concat([0]));
    var span = max - Math.min(min, 0) || 1;
    var zero = h - pad - (h - 2 * pad) * (0 - Math.min(min, 0)) / span;
    var svg = svgEl('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img', 'aria-label': title, 'data-testid': id + '-chart' });
    var bw = (w - 2 * pad) / Math.max(values.length, 1);
    svg.appendChild(svgEl('line', { x1: pad, x2: w - pad, y1: zero, y2: zero, stroke: '#d0d5dd' }));
    values.forEach(function (v, i) {
      var bh = (h - 2 * pad) * Math.abs(v) / span;
      var attrs = { x: pad + i * bw + 2, y: v >= 0 ? zero - bh : zero, width: Math.max(bw - 4, 1), height: bh,
        fill: v >= 0 ? color : '#b42318', 'data-testid': id };
      Object.keys(data[i]).forEach(function (k) { attrs['data-' + k] = data[i][k] === null ? '' : data[i][k]; });
      var bar = svgEl('rect', attrs);
      bar.appendChild(svgEl('title', {}, labels[i] + ': ' + fmt(v)));
      svg.appendChild(bar);
      var every = Math.ceil(values.length / 12);
      if (i % every === 0) {
        svg.appendChild(svgEl('text', { x: pad + i * bw + 2, y: h - 5, 'font-size': 10, fill: '#5a6372' }, labels[i]));
      }
    });
    var box = document.createElement('div');
    box.className = 'trend';
    var h3 = document.createElement('h3');
    h3.textContent = title;
    box.appendChild(h3);
    box.appendChild(svg);
    return box;
  }

  function load(api, property, to) {
    var root = document.getElementById('trends');
    if (!root || !property || !to) { return Promise.resolve(); }
    var from = firstDay(to);
    var q = function (g) {
      return '/v1/reports/roi?groupBy=' + g + '&property=' + encodeURIComponent(property) + '&from=' + from + '&to=' + to;
    };
    return Promise.all([api(q('week')), api(q('hour')), api(q('weekday'))]).then(function (r) {
      var weeks = r[0].rows, hours = r[1].rows, days = r[2].rows;
      var wl = weeks.map(function (x) { return x.week.slice(5); });
      var wd = weeks.map(function (x) { return { week: x.week, calls: x.calls, revenue: x.revenue, roi: x.roiPercent }; });
      root.textContent = '';
      document.getElementById('trend-range').textContent = '(' + from + ' to ' + to + ', ' + r[0].timezone + ')';
      root.appendChild(bars('Calls per week', wl, weeks.map(function (x) { return x.calls; }), 'trend-calls', wd,
        '#1570ef', String));
      root.appendChild(bars('Revenue per week', wl, weeks.map(function (x) { return Number(x.revenue); }), 'trend-revenue',
        wd, '#039855', function (v) { return v.toFixed(2); }));
      root.appendChild(bars('ROI % per week', wl, weeks.map(function (x) { return x.roiPercent === null ? 0 : Number(x.roiPercent); }),
        'trend-roi', wd, '#7a5af8', function (v) { return v.toFixed(1) + ' %'; }));
      var byHour = [];
      for (var h = 0; h < 24; h++) { byHour.push(0); }
      hours.forEach(function (x) { byHour[x.hour] = x.calls; });
      root.appendChild(bars('Calls by hour of day', byHour.map(function (n, i) { return String(i); }), byHour, 'trend-hour',
        byHour.map(function (n, i) { return { hour: i, calls: n }; }), '#1570ef', String));
      root.appendChild(bars('Calls by weekday', days.map(function (x) { return x.weekday.slice(0, 3); }),
        days.map(function (x) { return x.calls; }), 'trend-weekday',
        days.map(function (x) { return { weekday: x.weekday, calls: x.calls }; }), '#1570ef', String));
      document.body.setAttribute('data-trends-loaded', from + '/' + to);
    });
  }

  window.calltrackTrends = { load: load };
})();

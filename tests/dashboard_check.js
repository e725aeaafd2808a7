// Appended to a copy of dashboard.html by test_dashboard.py, after the page's own script:
// exercises the map, the charts, the table sorting, the candidate filters, paging and the export
// the way a person would, and writes what it saw as JSON into a new pre element (id tp-check)
// for --dump-dom to read.
(function () {
  'use strict';
  var r = {};
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('#candidates-table tbody tr'));
  }
  function order() {
    return Array.prototype.map.call(
      document.querySelectorAll('#communes-table tbody tr'), function (tr) { return tr.getAttribute('data-nis'); });
  }
  function change(id, value) {
    var e = document.getElementById(id);
    e.value = value;
    e.dispatchEvent(new Event('change'));
  }
  function text(id) { return document.getElementById(id).textContent; }
  function bubbles() {
    return Array.prototype.map.call(document.querySelectorAll('#region-map .bubble'),
      function (b) { return b.getAttribute('r'); }).join(',');
  }
  function snapshot() {
    // what the map, the cards and the list show at this moment
    return {
      bubble: bubbles(), cards: text('h-cand-buildings') + '|' + text('h-cand-dwellings'),
      owners: rows().map(function (tr) { return tr.getAttribute('data-owner'); }).join(','),
      shown: text('shown')
    };
  }
  function csvRows() {
    var lines = window.tremplinExport().replace(/^\ufeff/, '').split('\r\n').filter(function (l) { return l; });
    return lines.slice(1).map(function (l) { return l.split(';'); });
  }
  r.ready = document.documentElement.getAttribute('data-ready');
  r.paths = document.querySelectorAll('#region-map path.commune').length;
  r.bubbles = document.querySelectorAll('#region-map circle.bubble').length;
  r.rows = document.querySelectorAll('#communes-table tbody tr').length;
  r.candidate_rows = rows().length;
  r.total = text('shown');
  r.page = text('page');
  r.charts = {};
  ['chart-categories', 'chart-owner', 'chart-window', 'chart-months', 'chart-flows'].forEach(function (id) {
    r.charts[id] = document.querySelectorAll('#' + id + ' rect').length;
  });
  r.flows_hidden = document.getElementById('flows-section').hidden;
  r.flows_rows = document.querySelectorAll('#flows-table tbody tr').length;
  r.resources = performance.getEntriesByType('resource').map(function (e) { return e.name; });
  // the optional sections: the count's editions and the occupation register
  function trend() {
    var rows = Array.prototype.slice.call(document.querySelectorAll('#trend-table tbody tr'));
    return {
      nis: document.getElementById('chart-trend').getAttribute('data-nis'), title: text('trend-title'),
      points: document.querySelectorAll('#chart-trend circle.pt').length,
      gaps: Array.prototype.map.call(document.querySelectorAll('#chart-trend text.gap'), function (t) { return t.firstChild.textContent; }),
      note: text('trend-note'),
      editions: rows.map(function (tr) { return tr.getAttribute('data-edition'); }),
      cells: rows.map(function (tr) { return Array.prototype.map.call(tr.cells, function (td) { return td.textContent; }); })
    };
  }
  var ts = document.getElementById('trends-section'), os = document.getElementById('occupations-section');
  r.trends_hidden = ts ? ts.hidden : null;
  r.occupations_hidden = os ? os.hidden : null;
  if (ts && !ts.hidden) {
    r.trend = trend();
    r.sparks = Array.prototype.map.call(document.querySelectorAll('#trend-communes svg.spark'),
      function (s) { return s.getAttribute('data-nis'); });
  }
  if (os && !os.hidden) {
    r.timeline = Array.prototype.map.call(document.querySelectorAll('#timeline g.occ'), function (g) {
      return [g.getAttribute('data-site'), g.getAttribute('data-status'), g.querySelectorAll('.ext').length,
        g.querySelector('rect').getAttribute('fill')];
    });
    r.durations = Array.prototype.map.call(document.querySelectorAll('#durations-table tbody tr'),
      function (tr) { return Array.prototype.map.call(tr.cells, function (td) { return td.textContent; }); });
    r.min_window = text('min-window');
    r.min_window_line = document.querySelectorAll('#min-window-line').length;
    r.ending = Array.prototype.map.call(document.querySelectorAll('#ending-table tbody tr'),
      function (tr) { return Array.prototype.map.call(tr.cells, function (td) { return td.textContent; }); });
  }
  var th = document.querySelectorAll('#communes-table thead th')[2];
  r.sort_column = th.textContent;
  th.click();
  r.sorted_asc = order();
  th.click();
  r.sorted_desc = order();
  // the candidate list sorted by dwellings (column 6), descending on a second click
  var ch = document.querySelectorAll('#candidates-table thead th')[5];
  ch.click();
  ch.click();
  r.dwellings_desc = rows().map(function (tr) { return tr.cells[5].textContent; });
  ch = document.querySelectorAll('#candidates-table thead th')[0];
  ch.click();
  // a filter changes map, cards and list together
  r.before = snapshot();
  change('f-owner', 'sisp');
  r.after = snapshot();
  r.visible_sisp = rows().length;
  r.shown_sisp = text('shown');
  r.export_sisp = csvRows();
  r.chart_owner_sel = document.querySelectorAll('#chart-owner .bar.sel').length;
  change('f-owner', '');
  // a click on a bar of the owner chart filters as the select does
  document.querySelector('#chart-owner .bar[data-k="1"]').dispatchEvent(new MouseEvent('click', { bubbles: true }));
  r.bar_owner = document.getElementById('f-owner').value;
  r.bar_shown = text('shown');
  change('f-owner', '');
  change('f-window', '48');
  r.shown_w48 = text('shown');
  change('f-window', '24');
  change('f-months', '36');
  r.shown_m36 = text('shown');
  r.export_m36 = csvRows().length;
  change('f-months', '0');
  change('f-commune', '21004');
  r.shown_21004 = text('shown');
  r.export_21004 = csvRows().map(function (c) { return c[2]; });
  change('f-commune', '');
  var p = document.querySelector('#region-map path[data-nis="21001"]');
  r.before_click = snapshot();
  if (r.trend) r.before_click.trend = trend();
  p.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  r.click_commune = document.getElementById('f-commune').value;
  r.shown_click = text('shown');
  r.after_click = snapshot();
  if (r.trend) {
    r.after_click.trend = trend();
    r.after_click.timeline_dim = document.querySelectorAll('#timeline g.occ.dim').length;
    r.after_click.ending_dim = Array.prototype.map.call(
      document.querySelectorAll('#ending-table tbody tr'), function (t) {
        return [t.getAttribute('data-site'), t.className === 'dim'];
      });
  }
  change('f-commune', '');
  // a click on a commune's line selects the commune as the filter does
  var spark = document.querySelector('#trend-communes svg.spark[data-nis="21004"]');
  if (spark) {
    spark.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    r.spark_commune = document.getElementById('f-commune').value;
    r.spark_trend = trend().nis;
    r.spark_shown = text('shown');
    change('f-commune', '');
  }
  document.getElementById('next').click();
  r.page2 = text('page');
  r.page2_first = rows().length ? rows()[0].cells[0].textContent : '';
  r.max_rows = rows().length;
  var pre = document.createElement('pre');
  pre.id = 'tp-check';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();

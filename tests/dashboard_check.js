// Appended to a copy of dashboard.html by test_dashboard.py, after the page's own script:
// exercises the map, the table sorting and the candidate filters the way a person would,
// and writes what it saw as JSON into a new pre element (id tp-check) for --dump-dom to read.
(function () {
  'use strict';
  var r = {};
  function visible() {
    return Array.prototype.filter.call(
      document.querySelectorAll('#candidates-table tbody tr'), function (tr) { return !tr.hidden; });
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
  r.ready = document.documentElement.getAttribute('data-ready');
  r.paths = document.querySelectorAll('#region-map path.commune').length;
  r.rows = document.querySelectorAll('#communes-table tbody tr').length;
  r.candidate_rows = document.querySelectorAll('#candidates-table tbody tr').length;
  r.resources = performance.getEntriesByType('resource').map(function (e) { return e.name; });
  var th = document.querySelectorAll('#communes-table thead th')[2];
  r.sort_column = th.textContent;
  th.click();
  r.sorted_asc = order();
  th.click();
  r.sorted_desc = order();
  change('f-owner', 'sisp');
  r.visible_sisp = visible().length;
  r.shown_sisp = document.getElementById('shown').textContent;
  change('f-owner', '');
  change('f-window', '48');
  r.visible_w48 = visible().length;
  change('f-window', '24');
  change('f-commune', '21004');
  r.visible_21004 = visible().length;
  change('f-commune', '');
  var p = document.querySelector('#region-map path[data-nis="21001"]');
  p.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  r.click_commune = document.getElementById('f-commune').value;
  r.visible_click = visible().length;
  var pre = document.createElement('pre');
  pre.id = 'tp-check';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
})();

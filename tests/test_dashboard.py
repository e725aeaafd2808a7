"""dashboard.html: one self-contained file that works from disk with the network refused, in
headless Chromium: 19 communes on the map and in the table, the charts drawn, sorting, paging and
candidate filters work, a filter changes map, cards, charts and list together, the export holds the
filtered rows, nothing is fetched, the screenshot is not blank, and people figures are the
published ones.  On a large run (--records 20000) the list's DOM holds one page of rows."""
import math
import html
import json
import os
import re
import shutil
import subprocess
import numpy
from osgeo import gdal
from tplib import *

gdal.UseExceptions()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM:
    print("test_dashboard: skipped, no chromium (scripts/deps installs it)")
    sys.exit(SKIP)

d = workdir("dashboard")
out = os.path.join(d, "out")
p = run("demo", "-o", out, "-q", "--no-maps")
check(p.returncode == 0, "demo runs: %s" % p.stderr)
page = os.path.join(out, "dashboard.html")
check(not os.path.exists(os.path.join(out, "maps")), "--no-maps: no maps/")
src = open(page, encoding="utf-8").read()
check(re.search(r'<p class="note">Données de démonstration, territoire schématique', src) is not None,
      "the dashboard carries the demo's note ([run] note)")

# Self-contained: nothing outside the file but the links to the files beside it.
refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', src)
check(sorted(refs) == ["candidates.csv", "candidates.xlsx", "indicators.csv", "rejects.csv", "tremplin.gpkg",
                       "vacancy_flows.csv"],
      "only links to the files beside it: %r" % refs)
urls = [u for u in re.findall(r"https?://[^\s\"'<>]+", src) if u != "http://www.w3.org/2000/svg"]
check(urls == [], "no URL in the page: %r" % urls)
check("<link" not in src and "@import" not in src and "url(http" not in src, "no external style or font")

# People figures are the published labels; a suppressed count never reaches the page.
db = store(out)
pub = {r[0]: r[1:] for r in db.execute("SELECT nis_code, people_total, people_total_label FROM public_communes")}
cands = db.execute("SELECT v.owner_type, v.window_months, v.nis_code, v.src_id, t.months_empty, v.dwellings"
                   " FROM vacancies v LEFT JOIN vacancy_tracks t ON t.vacancy = v.id"
                   " WHERE v.candidate = 1 ORDER BY v.rank").fetchall()
db.close()
for nis, (v, label) in pub.items():
    row = re.search(r'<tr data-nis="%s">(.*?)</tr>' % nis, src)
    check(row is not None, "table row for %s" % nis)
    if row:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        check(html.unescape(cells[2]) == printed(label), "%s shows published total %r, not %r" % (nis, label, cells[2]))

db = store(out)
private = [r[0] for r in db.execute("SELECT owner FROM vacancies WHERE candidate = 1"
                                    " AND owner_type = 'private' AND owner != ''")]
db.close()
check(private, "the demo has candidates of private owners")
leaked = [o for o in private if html.escape(o) in src or o in src]
check(leaked == [], "no private owner is named: %r" % leaked)

# Owner types carry the names the GeoPackage's field domain (and so QGIS) gives them.
gpkg = gdal.OpenEx(os.path.join(out, "tremplin.gpkg"))
names = gpkg.GetFieldDomain("owner_type").GetEnumeration()
gpkg = None
options = {v: html.unescape(t) for v, t in re.findall(r'<option value="([a-z]+)">([^<]*)</option>', src)}
check(options == names, "owner-type filter names equal the GeoPackage's domain: %r vs %r" % (options, names))
typed = re.findall(r'<tr data-owner="([a-z]+)"[^>]*>(?:<td[^>]*>.*?</td>){4}<td>([^<]*)</td>', src)
check(typed and all(names[c] == html.unescape(t) for c, t in typed),
      "each candidate's owner type is named as in the GeoPackage: %r" % typed[:3])

profile = os.path.join(d, "profile")
flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--user-data-dir=" + profile,
         "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--virtual-time-budget=5000"]


def chromium(*args):
    os.makedirs(profile, exist_ok=True)
    return subprocess.run(flags + list(args), capture_output=True, text=True, timeout=120)


# Behaviour: a copy of the page with tests/dashboard_check.js appended.
probe = os.path.join(out, "dashboard_check.html")
js = open(os.path.join(SRC, "tests", "dashboard_check.js"), encoding="utf-8").read()
write(probe, src.replace("</body>", "<script>\n%s</script>\n</body>" % js))
p = chromium("--dump-dom", "file://" + probe)
m = re.search(r'<pre id="tp-check">(.*?)</pre>', p.stdout, re.S)
check(m is not None, "the check ran in Chromium: %s" % p.stderr[-1500:])
r = json.loads(html.unescape(m.group(1))) if m else {}
check(r.get("ready") == "1", "the page's script ran: %r" % r.get("ready"))
check(r.get("paths") == 19, "map draws 19 communes: %r" % r.get("paths"))
check(r.get("rows") == 19, "table has 19 rows: %r" % r.get("rows"))
PAGE = 50


def number(text):
    """A number as the page writes it (fr-BE: U+202F between thousands, decimal comma)."""
    return float(text.replace("\u202f", "").replace("\xa0", "").replace(",", "."))


check(r.get("candidate_rows") == min(PAGE, len(cands)),
      "the list holds one page of rows: %r of %d" % (r.get("candidate_rows"), len(cands)))
check(number(r.get("total", "0")) == len(cands), "the list counts every candidate: %r" % r.get("total"))
check(r.get("page") == "page 1 / %d" % math.ceil(len(cands) / PAGE) or
      r.get("page") == "page / pagina 1 / %d" % math.ceil(len(cands) / PAGE), "pages: %r" % r.get("page"))
check(r.get("resources") == [], "nothing fetched: %r" % r.get("resources"))
charts = r.get("charts", {})
check(all(charts.get(c, 0) > 0 for c in ("chart-categories", "chart-owner", "chart-window", "chart-months")),
      "the charts are drawn: %r" % charts)
check(r.get("flows_hidden") is False and charts.get("chart-flows") == 3 and r.get("flows_rows") == 3,
      "the demo's three vacancy snapshots are charted: %r" % ((r.get("flows_hidden"), charts, r.get("flows_rows")),))
key = lambda n: (pub[n][0] if pub[n][0] is not None else float("-inf"), n)
check(r.get("sorted_asc") == sorted(pub, key=key), "sorted by total, ascending: %r" % r.get("sorted_asc"))
want_desc = sorted(pub, key=lambda n: (-(pub[n][0] if pub[n][0] is not None else float("-inf")), n))
check(r.get("sorted_desc") is not None and
      [pub[n][0] for n in r["sorted_desc"]] == [pub[n][0] for n in want_desc], "then descending")
check([number(v) for v in r.get("dwellings_desc", [])] == sorted((c[5] for c in cands), reverse=True)[:PAGE],
      "the candidate list sorts by dwellings, descending: %r" % r.get("dwellings_desc", [])[:5])
sisp = [c for c in cands if c[0] == "sisp"]
before, after = r.get("before", {}), r.get("after", {})
check(before.get("bubble") != after.get("bubble") and before.get("cards") != after.get("cards")
      and before.get("owners") != after.get("owners"),
      "a filter changes map, cards and list together: %r -> %r" % (before, after))
check(set(after.get("owners", "x").split(",")) == {"sisp"} and number(after.get("shown", "0")) == len(sisp),
      "owner filter sisp: list %r, %r of %d" % (after.get("owners", "")[:40], after.get("shown"), len(sisp)))
check(str(len(sisp)) in after.get("cards", ""), "the cards count the sisp candidates: %r" % after.get("cards"))
check(r.get("visible_sisp") == min(PAGE, len(sisp)), "one page of sisp rows: %r" % r.get("visible_sisp"))
exp = r.get("export_sisp", [])
check(len(exp) == len(sisp) and sorted(e[-1] for e in exp) == sorted(c[3] for c in sisp)
      and all(e[4] == names["sisp"] for e in exp),
      "the export holds the filtered rows, every one: %d rows of %d" % (len(exp), len(sisp)))
check(r.get("chart_owner_sel") == 1, "the owner chart marks the filtered type: %r" % r.get("chart_owner_sel"))
check(r.get("bar_owner") == "ais" and number(r.get("bar_shown", "0")) == sum(1 for c in cands if c[0] == "ais"),
      "a click on a bar filters by it: %r" % ((r.get("bar_owner"), r.get("bar_shown")),))
n48 = sum(1 for c in cands if c[1] >= 48)
check(number(r.get("shown_w48", "0")) == n48, "window filter >= 48: %r of %d" % (r.get("shown_w48"), n48))
m36 = sum(1 for c in cands if c[4] is not None and math.floor(c[4] + 0.5) >= 36)
check(m36 and number(r.get("shown_m36", "0")) == m36 and r.get("export_m36") == m36,
      "months-empty filter >= 36: %r, export %r of %d" % (r.get("shown_m36"), r.get("export_m36"), m36))
n21004 = sum(1 for c in cands if c[2] == "21004")
check(number(r.get("shown_21004", "0")) == n21004 and len(r.get("export_21004", [])) == n21004
      and len(set(r.get("export_21004", []))) == 1,
      "commune filter: %r of %d, export %r" % (r.get("shown_21004"), n21004, set(r.get("export_21004", []))))
check(r.get("click_commune") == "21001" and number(r.get("shown_click", "0")) == sum(1 for c in cands if c[2] == "21001"),
      "a click on the map filters by commune: %r" % ((r.get("click_commune"), r.get("shown_click")),))
check(r.get("page2_first") == "51" and r.get("max_rows") <= PAGE,
      "the next page starts at rank 51: %r" % ((r.get("page2"), r.get("page2_first")),))

# The page itself, unmodified, renders something a person can read.
shot = os.path.join(d, "shot.png")
p = chromium("--window-size=1280,1600", "--hide-scrollbars", "--screenshot=" + shot, "file://" + page)
check(os.path.exists(shot), "screenshot taken: %s" % p.stderr[-1500:])
if os.path.exists(shot):
    ds = gdal.Open(shot)
    px = numpy.dstack([ds.GetRasterBand(b + 1).ReadAsArray() for b in range(3)]).reshape(-1, 3)
    ds = None
    blank = numpy.all(px >= 245, axis=1).mean()
    colours = len(numpy.unique(px[::5], axis=0))
    check(blank < 0.9, "screenshot not blank: %.2f near-white" % blank)
    check(colours > 50, "screenshot has varied colours: %d" % colours)
    for c in ("#253494", "#41b6c4"):
        rgb = [int(c[i:i + 2], 16) for i in (1, 3, 5)]
        n = int(numpy.all(px == rgb, axis=1).sum())
        check(n > 500, "map class colour %s on screen: %d pixels" % (c, n))

# A large run: the list's DOM holds one page whatever the candidates; the file stays small.
big = os.path.join(d, "big")
p = run("demo", "-o", big, "-q", "--no-maps", "--records", "20000")
check(p.returncode == 0, "demo --records 20000 runs: %s" % p.stderr)
db = store(big)
nbig = db.execute("SELECT COUNT(*) FROM vacancies WHERE candidate = 1").fetchone()[0]
db.close()
size = os.path.getsize(os.path.join(big, "dashboard.html"))
check(nbig > 4000 and size < 5e6 * nbig / 100000,
      "dashboard of %d candidates: %d bytes (at most 5 MB per 100,000 candidates)" % (nbig, size))
p = chromium("--dump-dom", "file://" + os.path.join(big, "dashboard.html"))
check('data-ready="1"' in p.stdout, "the large page's script ran")
check(len(re.findall(r"<tr data-owner=", p.stdout)) == PAGE,
      "the large page's list holds %d rows in the DOM: %d" % (PAGE, len(re.findall(r"<tr data-owner=", p.stdout))))
finish("test_dashboard")

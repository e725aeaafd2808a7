"""dashboard.html: one self-contained file that works from disk with the network refused, in
headless Chromium: 19 communes on the map and in the table, the charts drawn, sorting, paging and
candidate filters work, a filter changes map, cards, charts and list together, the export holds the
filtered rows, nothing is fetched, the screenshot is not blank, and people figures are the
published ones.  The count's editions draw the region's trend, a commune's after a click (a withheld
figure a gap, never 0); the register's sites are on a timeline with their durations and the ones
ending soon; no person an occupation housed reaches the page; a run without editions or register
has neither section.  On a large run (--records 20000) the list's DOM holds one page of rows."""
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

# The count's editions: the region's line by default, the filtered commune's after a click on the map, with
# the published totals and both changes (whole and comparable scope) as the trends table has them.
db = store(out)
trend_rows = {}
for nis, ed, value, label, chg, cchg in db.execute(
        "SELECT nis_code, edition, value, value_label, change, comparable_change FROM trends"
        " WHERE category = 'people_total' ORDER BY edition_date"):
    trend_rows.setdefault(nis, []).append((ed, value, label, chg, cchg))
sites = [r_[0] for r_ in db.execute("SELECT site FROM occupations ORDER BY id")]
ext = {r_[0]: len([e for e in (r_[1] or "").split(";") if e]) for r_ in db.execute("SELECT site, extensions FROM occupations")}
status = {r_[0]: r_[1] for r_ in db.execute("SELECT site, status FROM occupations")}
in_21001 = sum(1 for r_ in db.execute("SELECT 1 FROM occupations WHERE nis_code IS NOT '21001'"))
site_commune = db.execute("SELECT site, nis_code FROM occupations").fetchall()
ending = db.execute("SELECT e.site, v.src_id, v.address, e.distance_m FROM occupations_ending e"
                    " LEFT JOIN vacancies v ON v.id = e.candidate_id ORDER BY e.rowid").fetchall()
durations = db.execute("SELECT grp, occupations, median FROM occupation_durations ORDER BY rowid").fetchall()
db.close()
check(len(trend_rows.get(None, [])) == 4, "the demo has 4 editions: %r" % trend_rows.get(None))


def shows_trend(t, nis, what):
    """The trend chart and table t show the published line of nis (None: the region)."""
    want = trend_rows[nis]
    check(t.get("editions") == [w[0] for w in want], "%s: one table row per edition: %r" % (what, t.get("editions")))
    got = [c[1] for c in t.get("cells", [])]
    check(got == [printed(w[2]) for w in want],
          "%s: the published totals %r, shown %r" % (what, [w[2] for w in want], got))
    for k, w in enumerate(want[1:], 1):
        cells = t["cells"][k] if len(t.get("cells", [])) > k else ["?"] * 7
        for col, v in ((2, w[3]), (4, w[4])):
            shown = cells[col]
            check((v is None and shown == "–") or (v is not None and number(shown.lstrip("+")) == v),
                  "%s %s: change column %d is %r, shown %r" % (what, w[0], col, v, shown))
    check(t.get("points") == sum(1 for w in want if w[1] is not None)
          and len(t.get("gaps", [])) == sum(1 for w in want if w[1] is None),
          "%s: a point per published figure, a gap per withheld one: %r" % (what, (t.get("points"), t.get("gaps"))))


t = r.get("trend", {})
check(r.get("trends_hidden") is False and t.get("nis") == "", "the trends section shows the region first: %r"
      % ((r.get("trends_hidden"), t.get("nis")),))
shows_trend(t, None, "region")
check(r.get("sparks") == sorted(n for n in trend_rows if n), "a line per commune: %r" % r.get("sparks"))
b, a = r.get("before_click", {}), r.get("after_click", {})
check(a.get("trend", {}).get("nis") == "21001" and a.get("bubble") != b.get("bubble") and a.get("cards") != b.get("cards")
      and a.get("shown") != b.get("shown"),
      "a click on commune 21001 changes the trend shown with map, cards and list: %r -> %r"
      % ({k: v for k, v in b.items() if k != "trend"}, {k: v for k, v in a.items() if k != "trend"}))
shows_trend(a.get("trend", {}), "21001", "commune 21001")
check(a.get("timeline_dim") == in_21001, "the timeline dims the occupations outside 21001: %r of %d"
      % (a.get("timeline_dim"), in_21001))
site_nis = dict(site_commune)
ed = a.get("ending_dim", [])
check(len(ed) == len(ending) and any(d_ for _, d_ in ed) and all(d_ == (site_nis.get(s_) != "21001") for s_, d_ in ed),
      "the ending-soon list dims the occupations outside 21001, as the timeline does: %r" % ed)
check(r.get("spark_commune") == "21004" and r.get("spark_trend") == "21004"
      and number(r.get("spark_shown", "-1")) == n21004,
      "a click on a commune's line filters by it: %r" % ((r.get("spark_commune"), r.get("spark_trend"), r.get("spark_shown")),))

# The occupation register: every site on the timeline with its extensions and status, the durations beside
# min_window_months, the occupations ending soon with their nearest candidates.
tl = r.get("timeline", [])
check(r.get("occupations_hidden") is False and [x[0] for x in tl] == sites and len(sites) == 7,
      "the timeline shows the demo's 7 ISSUE sites: %r" % [x[0] for x in tl])
check(all(x[2] == ext[x[0]] and x[1] == status[x[0]] for x in tl) and sum(ext.values()) > 0,
      "each site's extensions marked and its status given: %r" % tl)
check(len({x[3] for x in tl}) == len(set(status.values())), "a colour per status: %r" % tl)
check([(number(d_[2]), number(d_[3])) for d_ in r.get("durations", [])]
      == [(n_, round(m, 1)) for g, n_, m in durations] and len(durations) > 1,
      "the durations table, a row per group with its count and median: %r" % r.get("durations"))
check(r.get("min_window_line") == 1 and "24" in r.get("min_window", ""),
      "the durations beside min_window_months: %r" % r.get("min_window"))
check(len(r.get("ending", [])) == len(ending) and len(ending) > 0 and
      all(c[4] == (e[2] or e[1]) and number(c[6]) == round(e[3]) for c, e in zip(r["ending"], ending)),
      "the ending-soon list with its nearest candidates: %r" % r.get("ending"))

# What an occupation housed never reaches the page: a distinctive number put in the store, the page drawn again
# (tremplin map); and a withheld figure of an edition is a gap with a note, never 0.
db = store(out)
db.execute("UPDATE occupations SET people_housed = 73901, people_moved_on = 64817 WHERE site = 'Dubrucq'")
db.execute("UPDATE trends SET value = NULL, value_label = 'x', change = NULL, change_pct = NULL,"
           " comparable_value = NULL, comparable_change = NULL, comparable_change_pct = NULL"
           " WHERE nis_code = '21001' AND edition = '2020' AND category = 'people_total'")
db.commit()
db.close()
p = run("map", "-c", os.path.join(out, "inputs", "tremplin.ini"), "-o", out, "-q")
check(p.returncode == 0, "tremplin map draws the page again: %s" % p.stderr)
again = open(page, encoding="utf-8").read()
check("73901" not in again and "64817" not in again and "people_housed" not in again and "people_moved_on" not in again,
      "no people housed or moved on in the page")
write(probe, again.replace("</body>", "<script>\n%s</script>\n</body>" % js))
p = chromium("--dump-dom", "file://" + probe)
m = re.search(r'<pre id="tp-check">(.*?)</pre>', p.stdout, re.S)
w = json.loads(html.unescape(m.group(1))).get("after_click", {}).get("trend", {}) if m else {}
check(w.get("gaps") == ["x"] and "2020" in w.get("note", "") and len(w.get("cells", [])) == 4
      and w["cells"][1][1] == "x" and w["cells"][1][2] == "–" and w.get("points") == 3,
      "a withheld figure is a gap with a note, its change withheld: %r" % w)

# A run without earlier editions, earlier vacancy snapshots and the register has none of their
# sections, and its GeoPackage no vacancy_history (the demo's has, from its three snapshots).
bare = os.path.join(d, "bare")
ini = open(os.path.join(out, "inputs", "tremplin.ini"), encoding="utf-8").read()
ini = re.sub(r"(?ms)^\[(occupations|zones\.[^\]]+|vacancies\.[^\]]+)\]\n.*?(?=^\[|\Z)", "", ini)
check("[occupations]" not in ini and "[zones.2018]" not in ini and "[zones]" in ini
      and "[vacancies." not in ini and "[vacancies]" in ini, "the config trimmed")
write(os.path.join(out, "inputs", "bare.ini"), ini)
p = run("run", "-c", os.path.join(out, "inputs", "bare.ini"), "-o", bare, "-q", "--no-maps")
check(p.returncode == 0, "a run without editions nor register: %s" % p.stderr)
plain = open(os.path.join(bare, "dashboard.html"), encoding="utf-8").read()
check('"trends":' not in plain and '"occupations":' not in plain and '"flows":' not in plain,
      "its page has no trends, occupations nor flows data")
hist = "SELECT count(*) FROM gpkg_contents WHERE table_name = 'vacancy_history'"
check(gpkg_rows(os.path.join(bare, "tremplin.gpkg"), hist) == [(0,)]
      and gpkg_rows(os.path.join(out, "tremplin.gpkg"), hist) == [(1,)],
      "one vacancy snapshot: no vacancy_history layer; the demo's three: one")
p = chromium("--dump-dom", "file://" + os.path.join(bare, "dashboard.html"))
check('data-ready="1"' in p.stdout and re.search(r'<section id="trends-section"[^>]* hidden', p.stdout)
      and re.search(r'<section id="occupations-section"[^>]* hidden', p.stdout),
      "its trends and occupations sections stay hidden")

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

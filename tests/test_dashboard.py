"""dashboard.html: one self-contained file that works from disk with the network refused, in
headless Chromium: 19 communes on the map and in the table, sorting and candidate filters work,
nothing is fetched, the screenshot is not blank, and people figures are the published ones."""
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
check(sorted(refs) == ["candidates.csv", "candidates.xlsx", "indicators.csv", "rejects.csv", "tremplin.gpkg"],
      "only links to the files beside it: %r" % refs)
urls = [u for u in re.findall(r"https?://[^\s\"'<>]+", src) if u != "http://www.w3.org/2000/svg"]
check(urls == [], "no URL in the page: %r" % urls)
check("<link" not in src and "@import" not in src and "url(http" not in src, "no external style or font")

# People figures are the published labels; a suppressed count never reaches the page.
db = store(out)
pub = {r[0]: r[1:] for r in db.execute("SELECT nis_code, people_total, people_total_label FROM public_communes")}
cands = db.execute("SELECT owner_type, window_months, nis_code FROM vacancies WHERE candidate = 1").fetchall()
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
check(r.get("candidate_rows") == len(cands), "candidate list has %d rows: %r" % (len(cands), r.get("candidate_rows")))
check(r.get("resources") == [], "nothing fetched: %r" % r.get("resources"))
key = lambda n: (pub[n][0] if pub[n][0] is not None else float("-inf"), n)
check(r.get("sorted_asc") == sorted(pub, key=key), "sorted by total, ascending: %r" % r.get("sorted_asc"))
want_desc = sorted(pub, key=lambda n: (-(pub[n][0] if pub[n][0] is not None else float("-inf")), n))
check(r.get("sorted_desc") is not None and
      [pub[n][0] for n in r["sorted_desc"]] == [pub[n][0] for n in want_desc], "then descending")
n_sisp = sum(1 for c in cands if c[0] == "sisp")
check(r.get("visible_sisp") == n_sisp and r.get("shown_sisp") == str(n_sisp),
      "owner filter sisp: %r of %d" % (r.get("visible_sisp"), n_sisp))
n48 = sum(1 for c in cands if c[1] >= 48)
check(r.get("visible_w48") == n48, "window filter >= 48: %r of %d" % (r.get("visible_w48"), n48))
n21004 = sum(1 for c in cands if c[2] == "21004")
check(r.get("visible_21004") == n21004, "commune filter: %r of %d" % (r.get("visible_21004"), n21004))
check(r.get("click_commune") == "21001" and r.get("visible_click") == sum(1 for c in cands if c[2] == "21001"),
      "a click on the map filters by commune: %r" % ((r.get("click_commune"), r.get("visible_click")),))

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
finish("test_dashboard")

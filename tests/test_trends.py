"""Count editions and trends on a hand-made region whose answer is known by hand.

Two communes, A (21001) = [0,1000]x[0,1000] and B (21002) = [1000,2000]x[0,1000].

2020 ([zones.2020], categories: all but third_parties, as before the 2022 count added them): one
zone W over both communes, public_space 40, emergency_shelter 60, nonconventional 20 (total 120);
a zone V wholly outside the region is rejected. Each commune gets half: 20, 30, 10, total 60.

2022 ([zones], all six): the layout changed, Z1 = A and Z2 = B.
  Z1: public_space 25, emergency_shelter 35, nonconventional 10, third_parties 30; total 100.
  Z2: public_space 3 (small: "<5"), emergency_shelter 40, nonconventional 12 ("x", so that the 3
      cannot be worked back from the total), third_parties 20; total 75.

By hand:
  A: total 60 -> 100, change +40 (+66.7 %); on the 2020 scope (all but third_parties) 60 -> 70,
     +10 (+16.7 %): the comparable change differs from the whole.
  B: total 60 -> 75, +15 (+25.0 %); public_space "<5" and nonconventional "x" in 2022, so their
     changes are withheld, and so is the comparable figure (the withheld cells' ranges, 3 + 17,
     exceed 5); emergency_shelter 30 -> 40, +10 (+33.3 %).
  Region: 120 -> 175, +55 (+45.8 %); public_space 40 -> 30 (25 + the "<5"'s 2.5, rounded).
third_parties: "not counted" in 2020, no change in 2022.
The atlas pages of A and B show these figures and changes, B's comparable change as "x".
"""
import csv
import os
import re
import shutil
import subprocess
from tplib import *
import cross_audit

X0, Y0 = 150000, 170000
d = workdir("trends")
square_communes(os.path.join(d, "communes.geojson"), X0, Y0, 2)
geojson(os.path.join(d, "zones.geojson"), [
    ({"zone_id": "Z1", "public_space": 25, "emergency_shelter": 35, "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 10, "third_parties": 30}, square(X0, Y0, X0 + 1000, Y0 + 1000)),
    ({"zone_id": "Z2", "public_space": 3, "emergency_shelter": 40, "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 12, "third_parties": 20}, square(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)),
])
# no third_parties column at all: the 2020 count did not have the category
geojson(os.path.join(d, "zones2020.geojson"), [
    ({"zone_id": "W", "public_space": 40, "emergency_shelter": 60, "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 20}, square(X0, Y0, X0 + 2000, Y0 + 1000)),
    ({"zone_id": "V", "public_space": 7, "emergency_shelter": 0, "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 0}, square(X0 + 5000, Y0, X0 + 6000, Y0 + 1000)),
])
write(os.path.join(d, "vacancies.csv"),
      "id,owner,owner_type,dwellings,reason,works_start,owner_agreed,x,y\n"
      "v1,Comensia,SISP,10,R2,2027-11-07,,%d,%d\n" % (X0 + 100, Y0 + 100))
BASE_INI = ("[run]\nreference_date = 07/11/2024\n"
            "[communes]\npath = communes.geojson\n"
            "[vacancies]\npath = vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n"
            "[outputs]\nmaps = no\ndashboard = no\n")
EDITIONS = ("[zones]\npath = zones.geojson\ndate = 2022-11-07\n"
            "[zones.2020]\npath = zones2020.geojson\ndate = 2020-11-09\n"
            "categories = public_space, emergency_shelter, nonrecognised_shelter, squat,"
            " nonconventional\n")
write(os.path.join(d, "t.ini"), BASE_INI + EDITIONS)
out = os.path.join(d, "out")
p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out)
check(p.returncode == 0, "run exits 0, got %d: %s" % (p.returncode, p.stderr))
check("zones.2020 read 2, accepted 1, rejected 1" in p.stdout, "report line for 2020: " + p.stdout)

rows = read_csv(os.path.join(out, "trends.csv"))
t = {(r["nis_code"] or "region", r["edition"], r["category"]): r for r in rows}
check(len(rows) == 3 * 2 * 7, "trends.csv: 3 places x 2 editions x 7 figures, got %d" % len(rows))


def expect(key, **want):
    r = t.get(key)
    if not r:
        check(False, "trends.csv has no row %r" % (key,))
        return
    for col, v in want.items():
        check(r[col] == v, "%r %s = %r, expected %r" % (key, col, r[col], v))


# the layout changed: W (2020) halves over A and B; Z1, Z2 (2022) are one commune each
expect(("21001", "2020", "public_space"), value="20", value_label="20", change="")
expect(("21002", "2020", "emergency_shelter"), value="30")
expect(("21001", "2020", "people_total"), value="60", previous_edition="")
# a category added later: not counted, then counted with no change
expect(("21001", "2020", "third_parties"), counted="0", value="", value_label="not counted")
expect(("21001", "2022", "third_parties"), counted="1", value="30", previous_value="", change="",
       comparable_value="", comparable_change="")
# A: the comparable-scope change differs from the whole
expect(("21001", "2022", "people_total"), value="100", previous_edition="2020", previous_value="60",
       change="40", change_pct="66.7",
       comparable_scope="public_space, emergency_shelter, nonrecognised_shelter, squat, nonconventional",
       comparable_value="70", comparable_previous="60", comparable_change="10",
       comparable_change_pct="16.7")
expect(("21001", "2022", "emergency_shelter"), value="35", change="5", change_pct="16.7",
       comparable_change="5")
# B: withheld cells, withheld changes; what is published is the difference of published figures
expect(("21002", "2022", "public_space"), value="", value_label="<5", previous_value="20",
       change="", change_pct="", comparable_change="")
expect(("21002", "2022", "nonconventional"), value="", value_label="x", change="")
expect(("21002", "2022", "emergency_shelter"), value="40", change="10", change_pct="33.3")
expect(("21002", "2022", "people_total"), value="75", change="15", change_pct="25.0",
       comparable_value="", comparable_previous="60", comparable_change="")
# the region
expect(("region", "2022", "people_total"), name_fr="Région", value="175", previous_value="120",
       change="55", change_pct="45.8")
expect(("region", "2022", "public_space"), value="30", change="-10", change_pct="-25.0")
expect(("region", "2020", "nonconventional"), value="20")
# the current edition's figures are the protect stage's, exactly
db = store(out)
for nis, lab in db.execute("SELECT nis_code, people_total_label FROM public_communes"):
    check(t[(nis, "2022", "people_total")]["value_label"] == lab,
          "trends 2022 %s = public_communes' %s" % (nis, lab))
# the 3 people of Z2 appear nowhere public: no figure of B's rows in trends.csv is 3 or 17 (20 - 3)
b = [v for r in rows if r["nis_code"] == "21002" for v in r.values()]
check("3" not in b and "-17" not in b and "17" not in b, "B's trends show nothing of its 3 people")
# the rejected 2020 zone: in rejects, its counts kept out of rejects.csv
rej = db.execute("SELECT input, src_row, stage, field, reason FROM rejects").fetchall()
check(("zones.2020", 2, "trends", "geometry", "the zone lies wholly outside the region's communes") in rej,
      "the 2020 zone outside the region is rejected: %r" % rej)
db.close()
with open(os.path.join(out, "rejects.csv"), encoding="utf-8-sig", newline="") as fh:
    rj = [r for r in csv.DictReader(fh, delimiter=";") if r["input"] == "zones.2020"]
check(len(rj) == 1 and rj[0]["row"] == "2" and not any(v == "7" for v in rj[0].values()),
      "rejects.csv names the 2020 reject without its counts: %r" % rj)

# ---- the GeoPackage: trends and every edition's zones, described, styled, valid ----
gp = os.path.join(out, "tremplin.gpkg")
n = gpkg_rows(gp, "SELECT COUNT(*), SUM(change) FROM trends WHERE category = 'people_total'")
check(n == [(6, 40 + 15 + 55)], "trends layer: 6 totals, changes 40 + 15 + 55: %r" % n)
ez = gpkg_rows(gp, "SELECT edition, zone_id, public_space_label, nonconventional_label"
                   " FROM count_zones_editions ORDER BY edition, zone_id")
check(ez == [("2020", "W", "40", "20"), ("2022", "Z1", "25", "10"), ("2022", "Z2", "<5", "x")],
      "count_zones_editions holds each edition's published zones: %r" % ez)
desc = dict(gpkg_rows(gp, "SELECT table_name, description FROM gpkg_contents"))
check("comparable_scope" in desc.get("trends", "") and "protected" in desc.get("trends", ""),
      "the trends layer says what it holds: %r" % desc.get("trends"))
styles = dict(gpkg_rows(gp, "SELECT f_table_name, styleQML FROM layer_styles"))
check("Hébergés chez des tiers" in styles.get("trends", ""), "trends is styled: categories by name")
rc, msg = validate_gpkg(gp)
check(rc == 0, "validate_gpkg: " + msg)

# ---- the auditor finds nothing, and finds a change that gives a withheld cell away ----
bad, recomputed, nfig = cross_audit.audit_trends(out)
check(bad == [] and recomputed == nfig == 6,
      "trends are what the published zones give (%d of %d), nothing narrowed: %r"
      % (recomputed, nfig, bad[:3]))
tampered = os.path.join(d, "tampered")
os.makedirs(tampered, exist_ok=True)
shutil.copy(gp, tampered)
lines = open(os.path.join(out, "trends.csv"), encoding="utf-8").read().split("\n")
lines = [l.replace(",<5,2020,20,,,", ",<5,2020,20,-17,-85.0,") for l in lines]
write(os.path.join(tampered, "trends.csv"), "\n".join(lines))
bad, _, _ = cross_audit.audit_trends(tampered)
check(any(b[0] == "change" and b[2] == "public_space" for b in bad),
      "the auditor flags a change that gives B's 3 people away: %r" % bad)

# ---- the change map: 2020 -> 2022, coloured and labelled by the comparable change ----
write(os.path.join(d, "maps.ini"), BASE_INI.replace("maps = no", "maps = yes") + EDITIONS)
outm = os.path.join(d, "outm")
p = run("run", "-c", os.path.join(d, "maps.ini"), "-o", outm, "-q")
check(p.returncode == 0, "run with maps: %s" % p.stderr)
for ext in ("png", "svg", "pdf"):
    check(os.path.getsize(os.path.join(outm, "maps", "change." + ext)) > 1000, "maps/change.%s" % ext)
txt = subprocess.run(["pdftotext", "-layout", os.path.join(outm, "maps", "change.pdf"), "-"],
                     capture_output=True, text=True).stdout
check("2020 → 2022" in txt, "the change map names the editions: %r" % txt[:200])
# A: +10 people on the 2020 scope (+16,7 %); B: withheld; the region: 120 -> 175, comparable "x"
check("+10 / +16,7 %" in txt, "A's comparable change on the map")
check("120 → 175" in txt and "comparable x" in txt, "the region's line on the map")
m = re.search(r"masquée.*?\((\d+)\)", txt, re.S)
check(m and m.group(1) == "1", "one commune's change withheld in the legend")

# ---- the atlas: each commune's page shows its trend, by hand; no register, no occupations ----
def atlas_text(outdir):
    return subprocess.run(["pdftotext", "-layout", os.path.join(outdir, "maps", "atlas.pdf"), "-"],
                          capture_output=True, text=True).stdout


def squashed(t):
    return re.sub(r"\s+", " ", t.replace("\u202f", " "))


pages = atlas_text(outm).split("\f")
pa = squashed(next(p for p in pages if "Commune 21001 ·" in p))
pb = squashed(next(p for p in pages if "Commune 21002 ·" in p))
check("2020 (09/11/2020) 60 – –" in pa and "2022 (07/11/2022) 100 +40 (+66,7 %) +10 (+16,7 %)" in pa,
      "A's atlas page: 60 then 100, +40 on the whole and +10 on the 2020 scope: %s" % pa[-1500:])
check("2020 (09/11/2020) 60 – –" in pb and "2022 (07/11/2022) 75 +15 (+25,0 %) x" in pb,
      "B's atlas page: its comparable change withheld, 'x', never 0: %s" % pb[-1500:])
check("2022 : à périmètre comparable, sans « Hébergés chez des tiers » (non dénombrés en 2020)." in pa,
      "the page says what the comparable scope leaves out")
check("Occupations temporaires" not in pa, "no register: no occupations on the atlas")
# B with 3 people in 2022: its total published "<5", its changes withheld; the atlas shows the label
# in the table and over a hatched stub, never 0
geojson(os.path.join(d, "zones_small.geojson"), [
    ({"zone_id": "Z1", "public_space": 25, "emergency_shelter": 35, "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 10, "third_parties": 30}, square(X0, Y0, X0 + 1000, Y0 + 1000)),
    ({"zone_id": "Z2", "public_space": 1, "emergency_shelter": 2, "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 0, "third_parties": 0}, square(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)),
])
write(os.path.join(d, "small.ini"), BASE_INI.replace("maps = no", "maps = yes")
      + EDITIONS.replace("path = zones.geojson", "path = zones_small.geojson"))
outs = os.path.join(d, "outsmall")
p = run("run", "-c", os.path.join(d, "small.ini"), "-o", outs, "-q")
check(p.returncode == 0, "run with a small commune: %s" % p.stderr)
row = [r for r in read_csv(os.path.join(outs, "trends.csv")) if r["nis_code"] == "21002"
       and r["edition"] == "2022" and r["category"] == "people_total"]
check(row and row[0]["value_label"] == "<5" and row[0]["change"] == "", "B's 2022 total is '<5': %r" % row)
pb = next(p for p in atlas_text(outs).split("\f") if "Commune 21002 ·" in p)
check("2022 (07/11/2022) <5 x x" in squashed(pb), "B's withheld total in its atlas row: %s" % squashed(pb)[-900:])
check(re.search(r"(?m)^\s*<5\s*$", pb), "and over its bar: %s" % pb[-900:])

# ---- without editions: no trends ----
write(os.path.join(d, "one.ini"), BASE_INI.replace("maps = no", "maps = yes")
      + "[zones]\npath = zones.geojson\n")
out1 = os.path.join(d, "out1")
p = run("run", "-c", os.path.join(d, "one.ini"), "-o", out1, "-q")
check(p.returncode == 0 and not os.path.exists(os.path.join(out1, "trends.csv")),
      "one edition: no trends.csv: %s" % p.stderr)
check(gpkg_rows(os.path.join(out1, "tremplin.gpkg"),
                "SELECT COUNT(*) FROM gpkg_contents WHERE table_name = 'trends'") == [(0,)],
      "one edition: no trends layer")
check("Commune 21001 ·" in atlas_text(out1) and "à chaque dénombrement" not in atlas_text(out1),
      "one edition: no trend on the atlas pages")

# ---- check reads the earlier editions too; a missing edition file is exit 4 naming it ----
p = run("check", "-c", os.path.join(d, "t.ini"))
check(p.returncode == 0 and "zones.2020 (edition of 2020-11-09): rows read 2, accepted 1, rejected 1"
      in p.stdout and "the zone lies wholly outside the region's communes" in p.stdout,
      "check reports the 2020 edition: %s" % p.stdout[-600:])
write(os.path.join(d, "miss.ini"), BASE_INI + EDITIONS.replace("zones2020.geojson", "nothere.geojson"))
p = run("run", "-c", os.path.join(d, "miss.ini"), "-o", os.path.join(d, "outmiss"))
check(p.returncode == 4 and "section [zones.2020]" in p.stderr
      and "nothere.geojson: file not found" in p.stderr,
      "a missing edition file: exit 4 naming section and file: %d %r" % (p.returncode, p.stderr))

# ---- bad config: exact messages, exit 3 ----
def bad_config(text, message):
    write(os.path.join(d, "bad.ini"), BASE_INI + text)
    p = run("run", "-c", os.path.join(d, "bad.ini"), "-o", os.path.join(d, "outbad"))
    check(p.returncode == 3, "exit 3 for %r, got %d" % (message, p.returncode))
    want = "tremplin: %s: %s\n" % (os.path.join(d, "bad.ini"), message)
    check(p.stderr == want, "message %r, got %r" % (want, p.stderr))


bad_config(EDITIONS.replace("date = 2020-11-09\n", ""),
           "[zones.2020] date: missing: each edition needs the date of its count, e.g. date = 2022-11-07")
bad_config(EDITIONS.replace("categories = public_space,", "categories = public_space, hotels,"),
           "[zones.2020] categories: unknown category 'hotels' (expected public_space, emergency_shelter,"
           " nonrecognised_shelter, squat, nonconventional, third_parties)")
bad_config(EDITIONS.replace("date = 2022-11-07", "date = 2019-11-07"),
           "[zones.2020] date: 2020-11-09 is after [zones]'s (2019-11-07): [zones] holds the latest edition")
bad_config(EDITIONS.replace("path = zones2020.geojson\n", ""),
           "[zones.2020] path: missing: the file of the edition's count zones")
finish("test_trends")

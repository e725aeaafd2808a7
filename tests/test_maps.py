"""Maps: the overview (PNG, SVG, PDF) shows the published figures in classes whose legend
matches the data, is not blank and is byte-identical across runs; the atlas has one page per
commune; suppressed communes are drawn as no data; `tremplin map` (the draw stage alone) redraws
the maps and the dashboard, nothing else;
--no-maps and --no-dashboard leave those outputs out."""
import json
import os
import re
import shutil
import subprocess
import numpy
from osgeo import gdal
from tplib import *

gdal.UseExceptions()
PEOPLE = ["public_space", "emergency_shelter", "nonrecognised_shelter", "squat", "nonconventional",
          "third_parties", "people_total"]


def published(outdir, fig="people_total"):
    """{nis_code: (value or None, label)} from the protect stage's table."""
    db = store(outdir)
    try:
        return {r[0]: (r[1], r[2]) for r in
                db.execute("SELECT nis_code, %s, %s_label FROM public_communes" % (fig, fig))}
    finally:
        db.close()


def quantile_classes(values):
    """The classes tremplin documents: sorted values cut into 5 groups of about equal size,
    ties kept together, empty groups dropped; limits are the smallest and largest member."""
    v = sorted(values)
    cls = []
    for i, x in enumerate(v):
        cls.append(cls[-1] if i and x == v[i - 1] else i * 5 // len(v))
    out = []
    for k in sorted(set(cls)):
        members = [x for x, c in zip(v, cls) if c == k]
        out.append((min(members), max(members), len(members)))
    return out


def pdftext(path, page=None):
    args = ["pdftotext", "-layout"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    p = subprocess.run(args + [path, "-"], capture_output=True, text=True)
    return p.stdout


def squash(s):
    """Text without spaces of any kind, so "2 820" (narrow no-break space) reads "2820"."""
    return re.sub(r"[\s\u202f\u00a0]", "", s)


def num(x):
    return ("%d" % x) if x == int(x) else ("%.1f" % x)


d = workdir("maps")
out = os.path.join(d, "out")
p = run("demo", "-o", out, check_rc=0)
check(p.returncode == 0, "demo runs: %s" % p.stderr)
maps = os.path.join(out, "maps")
for f in ("overview.png", "overview.svg", "overview.pdf", "overview.json", "atlas.pdf"):
    check(os.path.getsize(os.path.join(maps, f)) > 1000 if os.path.exists(os.path.join(maps, f))
          else False, "maps/%s written" % f)
check("maps: %s/maps/overview.pdf" % out in p.stdout, "the run says where the maps are: %r" % p.stdout)
check(os.path.exists(os.path.join(out, "dashboard.html")), "dashboard.html written by default")
check(not [f for f in os.listdir(maps) if ".tmp-" in f], "no temporary file left in maps/")
# The demo's boundaries are schematic, and its maps say so ([run] note), on the overview and on
# every atlas page, so that no one takes them for the region's.
note = squash("Données de démonstration, territoire schématique")
check(note in squash(pdftext(os.path.join(maps, "overview.pdf"))), "the overview carries the demo note")
atlas = os.path.join(maps, "atlas.pdf")
npages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", atlas], capture_output=True,
                                                           text=True).stdout).group(1))
check(all(note in squash(pdftext(atlas, pg)) for pg in range(1, npages + 1)),
      "every atlas page carries the demo note")

# The PNG: a 150 dpi A4 page that is not blank and shows the class colours.
ov = json.load(open(os.path.join(maps, "overview.json"), encoding="utf-8"))
ds = gdal.Open(os.path.join(maps, "overview.png"))
check((ds.RasterXSize, ds.RasterYSize) == (1754, 1241), "PNG is A4 at 150 dpi: %dx%d"
      % (ds.RasterXSize, ds.RasterYSize))
px = numpy.dstack([ds.GetRasterBand(b + 1).ReadAsArray() for b in range(3)]).reshape(-1, 3)
ds = None
white = numpy.all(px >= 250, axis=1).mean()
colours = len(numpy.unique(px[:: 7], axis=0))
check(0.2 < 1 - white < 0.9, "PNG is neither blank nor solid: %.2f of pixels not white" % (1 - white))
check(colours > 100, "PNG has varied colours (map, text, points): %d" % colours)
for c in ov["classes"]:
    rgb = [int(c["colour"][i:i + 2], 16) for i in (1, 3, 5)]
    n = int(numpy.all(px == rgb, axis=1).sum())
    check(n > 2000, "class colour %s fills its communes in the PNG: %d pixels" % (c["colour"], n))

# The legend states the classes of the published values, and each commune is in its class.
pub = published(out)
vals = [v for v, _ in pub.values() if v is not None]
want = quantile_classes(vals)
got = [(c["lower"], c["upper"], c["communes"]) for c in ov["classes"]]
check(ov["indicator"] == "people_total" and ov["people"] is True, "indicator people_total")
check(got == want, "class limits from the published values: %r vs %r" % (got, want))
check(len(got) == 5, "5 classes for 19 distinct-enough values: %d" % len(got))
check(ov["no_data"]["communes"] == len(pub) - len(vals), "no-data count %r" % ov["no_data"])
check(len(ov["communes"]) == 19, "19 communes in overview.json")
for c in ov["communes"]:
    v, label = pub[c["nis_code"]]
    check(c["value"] == v and c["label"] == printed(label), "%s drawn with its published value %r/%r, not %r/%r"
          % (c["nis_code"], v, label, c["value"], c["label"]))
    if v is not None:
        lo, hi, _ = got[c["class"]]
        check(lo <= v <= hi, "%s value %r in its class %r" % (c["nis_code"], v, got[c["class"]]))
# the limits are printed in the legend of the PDF (and so of the PNG and SVG, drawn alike)
text = squash(pdftext(os.path.join(maps, "overview.pdf")))
for lo, hi, n in want:
    lim = num(lo) if lo == hi else "%s–%s" % (num(lo), num(hi))
    check("%s(%d)" % (lim, n) in text, "legend shows class %s (%d communes)" % (lim, n))
for w in ("Anderlecht", "Sint-Jans-Molenbeek", "EPSG:31370", "Sources", "Bronnen", "07/11/2024"):
    check(w.replace(" ", "") in text, "overview names %s" % w)

# Determinism: another run, on one thread and without the dashboard, gives byte-identical SVG and
# PDF (and atlas): the files drawn beside the atlas or after it do not show it; an SVG's page is
# named the same whatever Cairo drew before it in the process.
out2 = os.path.join(d, "again")
p = run("demo", "-o", out2, "-q", "--no-dashboard", "--threads", "1")
check(p.returncode == 0, "second demo run: %s" % p.stderr)
for f in ("overview.svg", "overview.pdf", "atlas.pdf", "overview.json", "change.svg", "change.pdf"):
    a = open(os.path.join(maps, f), "rb").read()
    b = open(os.path.join(out2, "maps", f), "rb").read()
    check(a == b, "byte-identical across runs: %s" % f)
    if f.endswith(".svg"):
        check(b'<g id="surface1">' in a, "%s names its page surface1" % f)
check(not os.path.exists(os.path.join(out2, "dashboard.html")), "--no-dashboard: no dashboard.html")
pdf = open(os.path.join(maps, "overview.pdf"), "rb").read()
# Cairo 1.16 writes the date without the "D:" prefix; later versions add it
check(re.search(rb"/CreationDate \((D:)?20241107000000", pdf) is not None, "PDF creation date is the reference date")

# The atlas: a first page per commune, in NIS order, with its name and published figures, then
# continuation pages while its list goes on.
atlas = os.path.join(maps, "atlas.pdf")
info = subprocess.run(["pdfinfo", atlas], capture_output=True, text=True).stdout
npages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
texts = [pdftext(atlas, pg) for pg in range(1, npages + 1)]
firsts = [re.search(r"Commune (\d+) ·", t) for t in texts]
firsts = [(pg, m.group(1)) for pg, m in enumerate(firsts, 1) if m]
db = store(out)
communes = db.execute("SELECT nis_code, name_fr, name_nl FROM communes ORDER BY nis_code").fetchall()
ncand = dict(db.execute("SELECT nis_code, COUNT(*) FROM vacancies WHERE candidate = 1"
                        " GROUP BY nis_code").fetchall())
db.close()
check([n for _, n in firsts] == [c[0] for c in communes],
      "one first page per commune, in NIS order: %r" % firsts)
check(npages >= 19, "atlas has at least 19 pages: %d" % npages)
for (pg, _), (nis, fr, nl) in zip(firsts, communes):
    ts = squash(texts[pg - 1])
    check(squash(fr) in ts and squash(nl) in ts, "atlas page %d is %s / %s" % (pg, fr, nl))
    check(squash(printed(pub[nis][1])) in ts,
          "atlas page %d shows published total %s" % (pg, pub[nis][1]))
    if nis in ncand:
        check(re.search(r"^\s*1\s", texts[pg - 1], re.M) is not None,
              "atlas page %d lists its best candidate, rank 1 in the commune" % pg)

db = store(out)
private = [r[0] for r in db.execute("SELECT owner FROM vacancies WHERE candidate = 1"
                                    " AND owner_type = 'private' AND owner != ''")]
db.close()
ta = squash(pdftext(atlas))
check(private and not [o for o in private if squash(o) in ta], "the atlas names no private owner")

# Suppression: with a high threshold, small communes are withheld by the protect stage and
# drawn as no data; classes use only what is published; no exact figure reaches the maps.
ini = os.path.join(out, "inputs", "tremplin.ini")
ini_nl = os.path.join(out, "inputs", "nl.ini")
write(ini_nl, open(ini, encoding="utf-8").read() +
      "\n[outputs]\nlanguage = nl\nsmall_cell_threshold = 300\n")
hi = os.path.join(d, "threshold")
p = run("run", "-c", ini_nl, "-o", hi, "-q")
check(p.returncode == 0, "run with threshold 300: %s" % p.stderr)
pub = published(hi)
ov = json.load(open(os.path.join(hi, "maps", "overview.json"), encoding="utf-8"))
withheld = [n for n, (v, _) in pub.items() if v is None]
check(len(withheld) >= 3, "some communes withheld at 300: %r" % withheld)
check(ov["no_data"]["communes"] == len(withheld), "withheld communes drawn as no data: %r" % ov["no_data"])
for c in ov["communes"]:
    if c["nis_code"] in withheld:
        check(c["value"] is None and c["class"] is None and c["label"] == pub[c["nis_code"]][1],
              "%s withheld: no value, no class, label %r" % (c["nis_code"], c["label"]))
vals = [v for v, _ in pub.values() if v is not None]
check([(c["lower"], c["upper"], c["communes"]) for c in ov["classes"]] == quantile_classes(vals),
      "classes from the published values only")
check(ov["language"] == "nl", "language nl")
t = pdftext(os.path.join(hi, "maps", "overview.pdf"))
check("per gemeente" in t and "par commune" not in t, "overview in Dutch only")
ta = squash(pdftext(os.path.join(hi, "maps", "atlas.pdf")))
check("<300" in ta, "atlas prints the withheld label <300")

# tremplin map: the draw stage alone, from the store: the maps and the dashboard, nothing else.
gpkg_mtime = os.path.getmtime(os.path.join(out, "tremplin.gpkg"))
csv_mtime = os.path.getmtime(os.path.join(out, "indicators.csv"))
shutil.rmtree(maps)
os.remove(os.path.join(out, "dashboard.html"))
p = run("map", "-c", ini, "-o", out)
check(p.returncode == 0 and os.path.exists(os.path.join(maps, "atlas.pdf")),
      "tremplin map redraws the maps: %s" % p.stderr)
check(os.path.exists(os.path.join(out, "dashboard.html")), "tremplin map redraws the dashboard")
check("maps: %s/overview.pdf" % maps in p.stdout, "map says where the maps are: %r" % p.stdout)
check(os.path.getmtime(os.path.join(out, "indicators.csv")) == csv_mtime, "map leaves indicators.csv alone")
check(open(os.path.join(maps, "overview.pdf"), "rb").read() == pdf, "redrawn overview is the same PDF")
check(os.path.getmtime(os.path.join(out, "tremplin.gpkg")) == gpkg_mtime, "map leaves the GeoPackage alone")
p = run("map", "-c", ini, "-o", os.path.join(d, "nowhere"))
check(p.returncode == 6 and "no working store" in p.stderr, "map without a store: exit 6, %r" % p.stderr)
early = os.path.join(d, "early")
p = run("demo", "-o", early, "-q", "--until", "snapshots")
p = run("map", "-c", os.path.join(early, "inputs", "tremplin.ini"), "-o", early)
check(p.returncode == 6 and "stage 'protect' has not run" in p.stderr,
      "map before the protect stage: exit 6, %r" % p.stderr)
check(not os.path.exists(os.path.join(early, "maps")), "no maps drawn from an unprotected store")
p = run("map", "-o", out)
check(p.returncode == 2 and "map needs -c CONFIG" in p.stderr, "map without config: exit 2")
bad = os.path.join(out, "inputs", "bad.ini")
write(bad, open(ini, encoding="utf-8").read() + "\n[outputs]\nindicator = nonsense\n")
p = run("map", "-c", bad, "-o", out)
check(p.returncode == 3 and "indicator: unknown figure 'nonsense'" in p.stderr,
      "unknown indicator: exit 3, %r" % p.stderr)

# Another indicator that is not about people: every commune has a value.
other = os.path.join(out, "inputs", "empty.ini")
write(other, open(ini, encoding="utf-8").read() + "\n[outputs]\nindicator = empty_dwellings\nlanguage = fr\n")
p = run("map", "-c", other, "-o", out)
check(p.returncode == 0, "map of empty_dwellings: %s" % p.stderr)
ov = json.load(open(os.path.join(maps, "overview.json"), encoding="utf-8"))
db = store(out)
empty = [r[0] for r in db.execute("SELECT empty_dwellings FROM commune_summary")]
db.close()
check(ov["people"] is False and ov["no_data"]["communes"] == 0, "empty_dwellings: no suppression")
check([(c["lower"], c["upper"], c["communes"]) for c in ov["classes"]] == quantile_classes(empty),
      "empty_dwellings classes")

# --no-maps
nm = os.path.join(d, "nomaps")
p = run("run", "-c", ini, "-o", nm, "-q", "--no-maps")
check(p.returncode == 0 and not os.path.exists(os.path.join(nm, "maps"))
      and os.path.exists(os.path.join(nm, "dashboard.html")), "--no-maps: no maps/, a dashboard")
finish("test_maps")

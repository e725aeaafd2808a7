"""Small cells: no public output lets anyone find the count of a zone with fewer than 5 people.

The demo has exactly one such zone (3 people).  Its figures must not appear in indicators.csv nor
in the GeoPackage's communes and count_zones layers (protected by default), nor be recoverable
from a row's published total minus its other published cells.  Across tables, the attacker's
integer program of cross_audit.py, over every published figure of demo seeds 1-9, narrows no
withheld cell, and every commune figure is the one the published zone figures give (and the same
program does find the cells the old commune protection let narrow); the same holds of trends.csv
over the four count editions of the demo (cross_audit.audit_trends).  With
[outputs] internal = yes the GeoPackage holds the exact figures and says so.  A rejected zone's
counts appear nowhere public, its reason included; nor does a rejected vacancy's owner, whom the
internal file and the working store keep.
"""
import json
import math
import os
import shutil
from osgeo import gdal
from tplib import *
import cross_audit

gdal.UseExceptions()
FIGS = ["public_space", "emergency_shelter", "nonrecognised_shelter", "squat", "nonconventional",
        "third_parties", "people_total"]
T = 5      # the default small-cell threshold
BASE = 5   # published people figures are multiples of it


def bounds(label, whole, row_labels=None):
    """What someone who knows the rules learns about a cell from its label alone."""
    if label == "0":
        return 0, 0
    if label == "<%d" % T:
        return (1, T - 1) if whole else (0, T)
    if label == "x":
        hi = math.inf
        # a secondary cell was the smallest category still published
        for other in row_labels or []:
            if other not in ("0", "x", "<%d" % T):
                hi = min(hi, bounds(other, whole)[1])
        return T, hi
    p = int(label)
    half = 2 if whole else BASE / 2
    lo = T if p == BASE else max(p - half, T)
    return lo, p + half


def row_interval(labels, s, whole):
    """The interval of cell s implied by the other labels of its row (categories sum to the total)."""
    cats = labels[:6]
    b = [bounds(l, whole, cats if i < 6 else None) for i, l in enumerate(labels)]
    if s == 6:
        return sum(x[0] for x in b[:6]), sum(x[1] for x in b[:6])
    lo, hi = b[6]
    for i in range(6):
        if i != s:
            lo -= b[i][1]
            hi -= b[i][0]
    return lo, hi


def audit(table, key, whole):
    """Every withheld small cell of every row keeps its whole range, or at least two values when
    nothing in the row is published but zeros (then the labels alone bound it)."""
    db = store(out)
    cols = ", ".join("%s_label" % f for f in FIGS)
    bad = []
    for r in db.execute("SELECT %s, %s FROM %s" % (key, cols, table)):
        labels = list(r[1:])
        open_cells = any(l not in ("0", "x", "<%d" % T) for l in labels)
        for s, l in enumerate(labels):
            if l != "<%d" % T:
                continue
            lo, hi = row_interval(labels, s, whole)
            small_lo, small_hi = (1, T - 1) if whole else (0, T)
            if open_cells:
                ok = lo <= small_lo and hi >= small_hi
            else:
                ok = min(hi, small_hi) - max(lo, small_lo) >= 1
            if not ok:
                bad.append((r[0], FIGS[s], labels, lo, hi))
    db.close()
    return bad


d = workdir("privacy")
out = os.path.join(d, "out")
p = run("demo", "-o", out, "-q")
check(p.returncode == 0, "demo runs: " + p.stderr)
gp = os.path.join(out, "tremplin.gpkg")
db = store(out)
small = db.execute("SELECT zone_id, public_space, emergency_shelter, nonrecognised_shelter, squat,"
                   " nonconventional, third_parties, total FROM zones WHERE total > 0 AND total < 5").fetchall()
check(len(small) == 1 and small[0][0] == "Z67" and small[0][7] == 3, "the demo has one zone of 3 people: %r" % small)
zone = small[0][0] if small else "Z67"
exact = dict(zip(FIGS, small[0][1:])) if small else {}
shares = db.execute("SELECT nis_code, share FROM zone_shares WHERE zone_id = ?", (zone,)).fetchall()
check(len(shares) == 1 and shares[0][1] == 1.0, "%s lies in one commune: %r" % (zone, shares))
nis = shares[0][0] if shares else None
meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
check(meta.get("small_cell_threshold") == "5" and meta.get("rounding_base") == "5",
      "threshold and rounding recorded in meta: %r" % {k: meta.get(k) for k in ("small_cell_threshold", "rounding_base")})

# ---- the public tables ----
pz = db.execute("SELECT %s FROM public_zones WHERE zone_id = ?"
                % ", ".join("%s, %s_label" % (f, f) for f in FIGS), (zone,)).fetchone()
check(pz is not None, "public_zones has %s" % zone)
if pz:
    for i, f in enumerate(FIGS):
        v, label = pz[2 * i], pz[2 * i + 1]
        want = "0" if exact[f if f != "people_total" else "people_total"] == 0 else "<5"
        check(label == want and (v is None if want == "<5" else v == 0),
              "public_zones %s.%s = %r %r, want %r" % (zone, f, v, label, want))
for table, key in (("public_zones", "zone_id"), ("public_communes", "nis_code")):
    n = db.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0]
    check(n == (70 if table == "public_zones" else 19), "%s has a row per %s: %d" % (table, key, n))
    for f in FIGS:
        odd = db.execute("SELECT %s, %s, %s_label FROM %s WHERE NOT ((%s IS NULL AND %s_label IN ('<5', 'x'))"
                         " OR (%s %% 5 = 0 AND %s_label = printf('%%d', %s)))"
                         % (key, f, f, table, f, f, f, f, f)).fetchall()
        check(odd == [], "%s.%s: NULL with '<5'/'x', or a multiple of 5 with its label: %r" % (table, f, odd[:3]))
# small exact values are never published, in either table
z_small = db.execute("SELECT COUNT(*) FROM zones z JOIN public_zones p USING (zone_id)"
                     " WHERE z.public_space BETWEEN 1 AND 4 AND p.public_space_label != '<5'").fetchone()[0]
check(z_small == 0, "every zone public_space in 1..4 shows '<5'")
n_single = db.execute("SELECT COUNT(*) FROM public_zones WHERE (%s) = 1"
                      % " + ".join("(%s_label IN ('<5', 'x'))" % f for f in FIGS)).fetchone()[0]
check(n_single == 0, "no row withholds a single cell (its total would give it back)")
db.close()

# ---- the row's total minus its other cells, for every row ----
bad = audit("public_zones", "zone_id", True)
check(bad == [], "zones: no withheld small cell narrowed by its row: %r" % bad[:3])

# ---- across tables: the attacker's integer program over everything published ----
def cross(outdir, what):
    bad, recomputed, n = cross_audit.audit(outdir)
    check(len(recomputed) == n, "%s: every commune's figures are those its zones' published figures"
          " give: %d of %d" % (what, len(recomputed), n))
    check(bad == [], "%s: no withheld cell narrowed across tables: %r" % (what, bad[:3]))
    # the count's editions (2018-2024): every trends figure is one the edition's published zones
    # give, every change the difference of two published figures
    bad, recomputed, n = cross_audit.audit_trends(outdir)
    check(n == 4 * 20 and recomputed == n, "%s: trends figures recomputable from the editions'"
          " published zones: %d of %d" % (what, recomputed, n))
    check(bad == [], "%s: trends narrow nothing, changes are differences: %r" % (what, bad[:3]))


cross(out, "the demo")
# the auditor can fail: with the communes protected as rows of their own (the exact apportioned
# figures, rounded, "<5" when small, as before this check), a commune's "<5" is a small share of
# a large published zone figure, pinned far inside (0, 5)
tampered = os.path.join(d, "tampered")
os.makedirs(tampered, exist_ok=True)
shutil.copy(gp, tampered)
shutil.copy(os.path.join(out, "indicators.csv"), tampered)
db = store(out)
exact_c = {r[0]: r[1:] for r in db.execute("SELECT nis_code, %s FROM commune_summary" % ", ".join(FIGS))}
db.close()
tds = gdal.OpenEx(os.path.join(tampered, "tremplin.gpkg"), gdal.OF_VECTOR | gdal.OF_UPDATE)
tl = tds.GetLayerByName("communes")
for f in tl:
    v = exact_c[f["nis_code"]]
    for i, fig in enumerate(FIGS):
        f[fig + "_label"] = ("0" if v[i] == 0 else "<%d" % T if v[i] < T
                             else "%d" % (BASE * math.floor(v[i] / BASE + 0.5)))
    tl.SetFeature(f)
tds = tl = None
bad, recomputed, n = cross_audit.audit(tampered)
check(any(b[0] == "commune" for b in bad) and len(recomputed) < n,
      "the auditor finds the old commune protection's narrowed cells: %r" % bad[:3])
# and on scores: a candidate whose need part is one tenth more than the published totals give
# (as a need made from the exact count can be) is a finding of its own
tampered = os.path.join(d, "tampered_score")
os.makedirs(tampered, exist_ok=True)
shutil.copy(gp, tampered)
shutil.copy(os.path.join(out, "indicators.csv"), tampered)
tds = gdal.OpenEx(os.path.join(tampered, "tremplin.gpkg"), gdal.OF_VECTOR | gdal.OF_UPDATE)
tl = tds.GetLayerByName("candidates")
f = tl.GetNextFeature()
tampered_nis = f["nis_code"]
f["score"] = f["score"] + 3
tl.SetFeature(f)
tds = tl = f = None
bad, recomputed, n = cross_audit.audit(tampered)
check([b[:2] for b in bad if b[0] == "need"] == [("need", tampered_nis)],
      "the auditor finds a score whose need is not made from the published figures: %r" % bad[:3])
for seed in range(1, 10):
    o = os.path.join(d, "seed%d" % seed)
    p = run("demo", "--seed", str(seed), "-o", o, "--no-maps", "--no-dashboard", "-q")
    check(p.returncode == 0, "demo --seed %d: %s" % (seed, p.stderr))
    cross(o, "demo --seed %d" % seed)

# ---- what the files say ----
rows = read_csv(os.path.join(out, "indicators.csv"))
for r in rows:
    for f in FIGS:
        v = r[f]
        check(v in ("<5", "x") or (v.isdigit() and int(v) % 5 == 0),
              "indicators.csv %s %s = %r is a published label" % (r["nis_code"], f, v))
row = [r for r in rows if r["nis_code"] == nis]
check(row and row[0]["people_total"] != "3" and "3" not in [row[0][f] for f in FIGS],
      "indicators.csv: no 3 in %s's row" % nis)
cz = gpkg_rows(gp, "SELECT %s FROM count_zones WHERE zone_id = '%s'"
               % (", ".join("%s, %s_label" % (f if f != "people_total" else "total",
                                              f if f != "people_total" else "total") for f in FIGS), zone))
check(len(cz) == 1 and 3 not in cz[0] and "3" not in cz[0] and 1 not in cz[0] and 2 not in cz[0],
      "count_zones %s carries no exact figure: %r" % (zone, cz))
cm = gpkg_rows(gp, "SELECT %s FROM communes" % ", ".join(FIGS))
check(all(v is None or v % 5 == 0 for r in cm for v in r), "communes layer: multiples of 5 or NULL")
check(gpkg_rows(gp, "SELECT COUNT(*) FROM communes WHERE people_total_label IS NULL")[0][0] == 0,
      "communes layer carries the labels")
desc = dict(gpkg_rows(gp, "SELECT table_name, description FROM gpkg_contents"))
check("protected" in desc.get("communes", "") and "protected" in desc.get("count_zones", ""),
      "layer descriptions say the figures are protected: %r" % desc.get("communes"))
ds = gdal.OpenEx(gp, gdal.OF_VECTOR)
check(ds.GetMetadataItem("PEOPLE_FIGURES", "").startswith("protected"),
      "metadata PEOPLE_FIGURES: %r" % ds.GetMetadataItem("PEOPLE_FIGURES", ""))
ds = None
rc, msg = validate_gpkg(gp)
check(rc == 0, "validate_gpkg: " + msg)

# ---- internal = yes: the exact figures, said to be internal ----
ini = open(os.path.join(out, "inputs", "tremplin.ini"), encoding="utf-8").read()
write(os.path.join(out, "inputs", "internal.ini"), ini + "\n[outputs]\ninternal = yes\nmaps = no\ndashboard = no\n")
out_int = os.path.join(d, "internal")
p = run("run", "-c", os.path.join(out, "inputs", "internal.ini"), "-o", out_int, "-q")
check(p.returncode == 0, "run with internal = yes: " + p.stderr)
gi = os.path.join(out_int, "tremplin.gpkg")
cz = gpkg_rows(gi, "SELECT public_space, third_parties, total, total_label FROM count_zones WHERE zone_id = '%s'" % zone)
check(cz == [(exact.get("public_space"), exact.get("third_parties"), 3, "<5")],
      "internal GeoPackage: %s has its exact 3 (public label kept beside it): %r" % (zone, cz))
db = store(out_int)
want = dict(db.execute("SELECT nis_code, people_total FROM commune_summary").fetchall())
db.close()
got = dict(gpkg_rows(gi, "SELECT nis_code, people_total FROM communes"))
check(all(abs(got[k] - want[k]) < 1e-9 for k in want), "internal communes layer: exact apportioned figures")
desc = dict(gpkg_rows(gi, "SELECT table_name, description FROM gpkg_contents"))
check("INTERNAL" in desc.get("communes", "") and "INTERNAL" in desc.get("count_zones", ""),
      "internal layers say so: %r" % desc.get("count_zones"))
ds = gdal.OpenEx(gi, gdal.OF_VECTOR)
check(ds.GetMetadataItem("PEOPLE_FIGURES", "").startswith("exact"), "metadata: exact figures")
ds = None
check(open(os.path.join(out_int, "indicators.csv"), "rb").read() == open(os.path.join(out, "indicators.csv"), "rb").read(),
      "indicators.csv is public whatever internal says")

# ---- a rejected count zone keeps its people counts out of the public rejects layer ----
inputs = os.path.join(out, "inputs")
gdal.VectorTranslate(os.path.join(inputs, "dupzones.gpkg"), os.path.join(inputs, "zones.gpkg"),
                     options="-mapFieldType Integer=String,Integer64=String")
zds = gdal.OpenEx(os.path.join(inputs, "dupzones.gpkg"), gdal.OF_VECTOR | gdal.OF_UPDATE)
zl_ = zds.GetLayerByName("zones")
src = [f for f in zl_ if f["zone_id"] == zone][0]
dup = src.Clone()
dup.SetFID(-1)
zl_.CreateFeature(dup)
typed = [f for f in zl_ if f["zone_id"] != zone][0]
typed["squat"] = "2,5 personnes"  # a count that is no whole number: rejected, and quoted in the reason
zl_.SetFeature(typed)
zds = zl_ = None
write(os.path.join(inputs, "dup.ini"), ini.replace("path = zones.gpkg", "path = dupzones.gpkg")
      + "\n[outputs]\nmaps = no\ndashboard = no\n")
out_dup = os.path.join(d, "dup")
p = run("run", "-c", os.path.join(inputs, "dup.ini"), "-o", out_dup, "-q")
check(p.returncode == 0, "run with a duplicated zone: " + p.stderr)
rej = gpkg_rows(os.path.join(out_dup, "tremplin.gpkg"),
                "SELECT input, field, original, reason FROM rejects WHERE input = 'zones' ORDER BY field")
check(len(rej) == 2 and all(r[2] is None for r in rej), "the rejected zones' original values are left out: %r" % rej)
check([(r[1], r[3]) for r in rej] == [("squat", "not a whole number"), ("zone_id", "duplicate zone_id")],
      "the public reasons quote no value (nor the count '2,5 personnes'): %r" % rej)
db = store(out_dup)
orig = db.execute("SELECT original, reason FROM rejects WHERE input = 'zones' ORDER BY field").fetchall()
db.close()
check(len(orig) == 2 and "third_parties" in orig[0][0] and "2,5 personnes" in orig[0][1],
      "the working store keeps them for the person who fixes the input: %r" % (orig,))

# ---- a rejected vacancy's owner: left out of public outputs, kept in an internal file ----
# Rejected at load (dwellings, an owner type that cannot be read), at locate (outside every
# commune) and in an earlier snapshot: whether the owner is private is often what could not be
# read, so no rejected vacancy names its owner in the public rejects layer or rejects.csv.
names = {"V9001": "Jan Peeters", "V9002": "Marie Dubois", "V9003": "Karel Janssens",
         "V9004": "Sofie Claes"}
cds = gdal.OpenEx(os.path.join(inputs, "communes.gpkg"), gdal.OF_VECTOR)
minx, maxx, miny, maxy = cds.GetLayer(0).GetExtent()
cds = None
inside = "%.1f,%.1f" % ((minx + maxx) / 2, (miny + maxy) / 2)
outside = "%.1f,%.1f" % (maxx + 40, (miny + maxy) / 2)
def appended(name, rows):
    with open(os.path.join(inputs, name), encoding="utf-8") as f:
        text = f.read()
    write(os.path.join(inputs, "owners_" + name), text.rstrip("\n") + "\n" + "".join(r + "\n" for r in rows))
appended("vacancies.csv", [
    "V9001,Rue du Test 1,Jan Peeters,private,beaucoup,study,2022-01-01,2027-06-01,," + inside,
    "V9002,Rue du Test 2,Marie Dubois,private,4,study,2022-01-01,2027-06-01,," + outside,
    "V9003,Rue du Test 3,Karel Janssens,zorgvlied,4,study,2022-01-01,2027-06-01,," + inside])
appended("vacancies_2022-12-31.csv", [
    "V9004,Rue du Test 4,Sofie Claes,private,beaucoup,study,2022-01-01,2027-06-01,," + inside])
owners_ini = (ini.replace("path = vacancies.csv", "path = owners_vacancies.csv")
              .replace("path = vacancies_2022-12-31.csv", "path = owners_vacancies_2022-12-31.csv")
              + "\n[outputs]\nmaps = no\ndashboard = no\n")
write(os.path.join(inputs, "owners.ini"), owners_ini)
write(os.path.join(inputs, "owners_internal.ini"), owners_ini + "internal = yes\n")
runs = {}
for label in ("owners", "owners_internal"):
    o = os.path.join(d, label)
    p = run("run", "-c", os.path.join(inputs, label + ".ini"), "-o", o, "-q")
    check(p.returncode == 0, "run %s: %s" % (label, p.stderr))
    runs[label] = o
db = store(runs["owners"])
stored = db.execute("SELECT src_row, stage, original FROM rejects WHERE input GLOB 'vacancies*'"
                    " ORDER BY id").fetchall()
db.close()
check(sorted(n for n in names.values() if any(n in (r[2] or "") for r in stored)) == sorted(names.values()),
      "the working store keeps each rejected owner for the person who fixes the input: %r" % stored)
check({r[1] for r in stored} >= {"load", "locate", "snapshots"},
      "rejected at load, locate and in an earlier snapshot: %r" % sorted({r[1] for r in stored}))
pub = gpkg_rows(os.path.join(runs["owners"], "tremplin.gpkg"),
                "SELECT input, src_row, original FROM rejects WHERE input GLOB 'vacancies*'")
leaked = [(r[0], r[1]) for r in pub for n in names.values() if n in (r[2] or "")]
check(len(pub) == len(stored) and not leaked,
      "the public rejects layer names no rejected owner (%d rows): %r" % (len(pub), leaked))
objs = [json.loads(r[2]) for r in pub if r[2]]
check(len(objs) == len(pub) and all("owner" in o and o["owner"] is None for o in objs)
      and all(o.get("dwellings") is not None for o in objs),
      "each keeps its other values, its owner null: %r" % objs[:2])
with open(os.path.join(runs["owners"], "rejects.csv"), encoding="utf-8") as f:
    csv_text = f.read()
check(not [n for n in names.values() if n in csv_text] and "beaucoup" in csv_text,
      "rejects.csv names no rejected owner, and shows the value that was refused")
internal = gpkg_rows(os.path.join(runs["owners_internal"], "tremplin.gpkg"),
                     "SELECT original FROM rejects WHERE input GLOB 'vacancies*'")
check(all(any(n in (r[0] or "") for r in internal) for n in names.values()),
      "the internal file names them, for the team that fixes the register")

# ---- another threshold ----
write(os.path.join(out, "inputs", "t10.ini"), ini + "\n[outputs]\nsmall_cell_threshold = 10\nmaps = no\ndashboard = no\n")
out10 = os.path.join(d, "t10")
p = run("run", "-c", os.path.join(out, "inputs", "t10.ini"), "-o", out10, "-q")
check(p.returncode == 0, "run with small_cell_threshold = 10: " + p.stderr)
db = store(out10)
lab = db.execute("SELECT p.public_space_label FROM zones z JOIN public_zones p USING (zone_id)"
                 " WHERE z.public_space BETWEEN 5 AND 9").fetchall()
check(lab and all(l[0] == "<10" for l in lab), "threshold 10: 5..9 people show '<10': %r" % lab[:3])
low = db.execute("SELECT COUNT(*) FROM public_zones WHERE people_total > 0 AND people_total < 10").fetchone()[0]
check(low == 0, "threshold 10: no published figure under 10")
db.close()
finish("test_privacy")

"""The demo end to end through scripts/demo: a valid GeoPackage, EPSG:31370, figures that add up."""
import os
import subprocess
from osgeo import ogr
from tplib import *

d = workdir("demo")
out = os.path.join(d, "out")
env = dict(os.environ, TREMPLIN_DEMO_OUT=out,
           TREMPLIN_BUILD_DIR=os.path.dirname(TREMPLIN))
p = subprocess.run(["bash", os.path.join(SRC, "scripts", "demo")], capture_output=True, text=True, env=env)
check(p.returncode == 0, "scripts/demo exits 0: %s %s" % (p.stdout[-2000:], p.stderr[-2000:]))
gp = os.path.join(out, "tremplin.gpkg")
check("tremplin.gpkg" in p.stdout, "scripts/demo says where the outputs are")
rc, msg = validate_gpkg(gp)
check(rc == 0, "validate_gpkg -k --extra --warning-as-error: " + msg)

ds = ogr.Open(gp)
want = {"communes": ogr.wkbMultiPolygon, "vacancies": ogr.wkbPoint, "candidates": ogr.wkbPoint,
        "count_zones": ogr.wkbMultiPolygon, "rejects": ogr.wkbNone}
for name, gtype in want.items():
    lyr = ds.GetLayerByName(name)
    check(lyr is not None, "layer %s exists" % name)
    if lyr is None:
        continue
    check(lyr.GetGeomType() == gtype, "%s geometry type %d" % (name, lyr.GetGeomType()))
    if gtype != ogr.wkbNone:
        srs = lyr.GetSpatialRef()
        check(srs is not None and srs.GetAuthorityCode(None) == "31370", "%s in EPSG:31370" % name)
ds = None
idx = gpkg_rows(gp, "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'")
check(sorted(r[0] for r in idx) == ["candidates", "communes", "count_zones", "count_zones_editions",
                                    "occupations", "vacancies"],
      "spatial indexes: %r" % idx)
# the point layers' trees are packed by tremplin (outputs/rtree.c), not filled by GDAL: SQLite's own
# check passes, and a box finds through the tree (GDAL's spatial filter) the points a full scan finds
ds = ogr.Open(gp)
for t in ("vacancies", "candidates"):
    check(gpkg_rows(gp, "SELECT rtreecheck('rtree_%s_geom')" % t) == [("ok",)], "%s: rtreecheck passes" % t)
    lyr = ds.GetLayerByName(t)
    pts = [(f.GetFID(), f.GetGeometryRef().GetX(), f.GetGeometryRef().GetY()) for f in lyr]
    x0, x1, y0, y1 = lyr.GetExtent()
    box = (x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    scan = sorted(fid for fid, x, y in pts if box[0] <= x <= box[2] and box[1] <= y <= box[3])
    lyr.SetSpatialFilterRect(*box)
    tree = sorted(f.GetFID() for f in lyr)
    check(len(scan) > 0 and scan == tree, "%s: the tree finds the scan's %d points in a quarter (%d)"
          % (t, len(scan), len(tree)))
ds = None

c = counts(out)
for name, (n, a, r) in c.items():
    check(a + r == n, "%s: A + R = N %r" % (name, (n, a, r)))
check(c["communes"][1] == 19, "19 communes")
check(60 <= c["zones"][0] <= 80, "about 70 zones: %r" % (c["zones"],))
check(550 <= c["vacancies"][0] <= 650, "about 600 vacancy records: %r" % (c["vacancies"],))

db = store(out)
zones_total = db.execute("SELECT SUM(total) FROM zones").fetchone()[0]
people = db.execute("SELECT SUM(people_total) FROM commune_summary").fetchone()[0]
check(zones_total == 9777, "the demo counts 9,777 people: %r" % zones_total)
check(abs(people - zones_total) < 1e-9, "apportionment conserves people: %r vs %r" % (people, zones_total))
bad = db.execute("SELECT zone_id, SUM(share) FROM zone_shares GROUP BY zone_id"
                 " HAVING abs(SUM(share) - 1) > 1e-12").fetchall()
check(bad == [], "every zone's shares sum to 1: %r" % bad)
dw = db.execute("SELECT SUM(dwellings) FROM vacancies").fetchone()[0]
check(4500 <= dw <= 5000, "about 4,800 empty dwellings: %r" % dw)
cand = db.execute("SELECT COUNT(*), MIN(rank), MAX(rank), MIN(score), MAX(score) FROM vacancies"
                  " WHERE candidate = 1").fetchone()
check(cand[0] > 0 and cand[1] == 1 and cand[2] == cand[0] and 0 <= cand[3] <= cand[4] <= 100,
      "candidates ranked 1..n with scores in 0..100: %r" % (cand,))
nostat = db.execute("SELECT COUNT(*) FROM vacancies WHERE status IS NULL").fetchone()[0]
check(nostat == 0, "every record has a status, why it is or is not a candidate: %d without" % nostat)
db.close()

rows = read_csv(os.path.join(out, "indicators.csv"))
check(len(rows) == 19, "indicators.csv has 19 rows")
check(any(r["name_nl"] == "Sint-Jans-Molenbeek" for r in rows), "Dutch names in the CSV")
gl = gpkg_rows(gp, "SELECT SUM(candidate_dwellings), SUM(empty_dwellings) FROM communes")[0]
check(gl[1] == dw, "communes layer empty dwellings add up to the vacancies: %r" % (gl,))

# same seed, same inputs and figures
out2 = os.path.join(d, "again")
p = run("demo", "-o", out2, "-q")
check(p.returncode == 0, "second demo run")
for f in ("inputs/vacancies.csv", "inputs/tremplin.ini", "indicators.csv"):
    a = open(os.path.join(out, f), "rb").read()
    b = open(os.path.join(out2, f), "rb").read()
    check(a == b, "deterministic: %s" % f)
finish("test_demo")

"""The benchmark in small, as a correctness test (no timing): tremplin join's count per polygon
equals SpatiaLite's SQL join (GDAL's SQLite dialect with the R-tree) on the same generated data,
with 1 and 2 threads, and apportionment conserves the value."""
import csv
import io
import os
import re
import subprocess
from tplib import *

GEN = os.environ.get("TREMPLIN_BENCHGEN", os.path.join(os.path.dirname(TREMPLIN), "tremplin-benchgen"))
d = workdir("bench_small")
data = os.path.join(d, "bench.gpkg")
for args in (["polygons", "300", data, "--layer", "polys", "--seed", "5"],
             ["polygons", "60", data, "--layer", "cells", "--seed", "6", "--vertices", "50"],
             ["points", "20000", data, "--layer", "pts", "--seed", "7", "--clustered"]):
    subprocess.run([GEN] + args, check=True)

counts = {}
for t in (1, 2):
    out = os.path.join(d, "t%d.csv" % t)
    p = run("join", data, data, "--layer1", "polys", "--layer2", "pts", "--key", "id",
            "--threads", str(t), "-o", out)
    check(p.returncode == 0, "tremplin join exits 0: " + p.stderr)
    check(re.search(r"20000 points read", p.stderr) is not None, "20000 points read: " + p.stderr)
    with open(out) as f:
        counts[t] = {r["key"]: int(r["count"]) for r in csv.DictReader(f) if int(r["count"])}
check(counts[1] == counts[2], "1 and 2 threads give the same counts")
located = sum(counts[1].values())
check(19900 < located < 20000, "points outside the square are not counted: %d" % located)

sql = ("SELECT p.id AS id, COUNT(*) AS n FROM pts t CROSS JOIN rtree_polys_geom r CROSS JOIN polys p"
       " WHERE r.minx <= ST_MinX(t.geom) AND r.maxx >= ST_MaxX(t.geom) AND r.miny <= ST_MinY(t.geom)"
       " AND r.maxy >= ST_MaxY(t.geom) AND p.fid = r.id AND ST_Intersects(p.geom, t.geom) GROUP BY p.id")
p = subprocess.run(["ogr2ogr", "-f", "CSV", "/vsistdout/", data, "-sql", sql], capture_output=True, text=True)
check(p.returncode == 0, "SpatiaLite SQL runs: " + p.stderr)
lite = {r["id"]: int(r["n"]) for r in csv.DictReader(io.StringIO(p.stdout))}
check(len(lite) > 250, "SpatiaLite counted points in most polygons: %d" % len(lite))
check(lite == counts[1], "tremplin's counts equal SpatiaLite's (%d vs %d polygons, %d vs %d points)"
      % (len(counts[1]), len(lite), located, sum(lite.values())))

# The same join written to a GeoPackage: 20,000 points make a three-level R-tree, packed in one
# pass; SQLite's own check passes, a spatial filter finds what a full scan finds, and an edit after
# the fact reaches the index through its triggers.
from osgeo import ogr
gp = os.path.join(d, "located.gpkg")
p = run("join", data, data, "--layer1", "polys", "--layer2", "pts", "--key", "id", "--threads", "2", "-o", gp)
check(p.returncode == 0, "join to a GeoPackage exits 0: " + p.stderr)
rc, msg = validate_gpkg(gp)
check(rc == 0, "the located GeoPackage passes validate_gpkg: " + msg)
check(gpkg_rows(gp, "SELECT rtreecheck('rtree_points_geom')") == [("ok",)], "SQLite's rtreecheck passes")
check(gpkg_rows(gp, "SELECT rtreecheck('rtree_polygons_geom')") == [("ok",)], "and for the polygons")
depth = gpkg_rows(gp, "SELECT hex(substr(data, 1, 2)) FROM rtree_points_geom_node WHERE nodeno = 1")
check(depth == [("0002",)], "20,000 points make a tree of depth 2: %r" % depth)
check(dict(gpkg_rows(gp, "SELECT key, count FROM polygons WHERE count > 0")) == counts[1],
      "the GeoPackage's counts are the CSV's")
ds = ogr.Open(gp, 1)
lyr = ds.GetLayer("points")
xs = sorted(f.GetGeometryRef().GetX() for f in lyr)
for k, (x0, y0, x1, y1) in enumerate([(xs[100], 150000, xs[3000], 190000), (xs[0], 0, xs[-1], 1e7),
                                      (xs[5000], 160000, xs[5001], 170000)]):
    lyr.SetSpatialFilterRect(x0, y0, x1, y1)
    via_index = sorted(f.GetFID() for f in lyr)
    lyr.SetSpatialFilter(None)
    scan = sorted(f.GetFID() for f in lyr
                  if x0 <= f.GetGeometryRef().GetX() <= x1 and y0 <= f.GetGeometryRef().GetY() <= y1)
    check(via_index == scan, "box %d: the index finds the %d points a scan finds (%d)" % (k, len(scan), len(via_index)))
f = ogr.Feature(lyr.GetLayerDefn())
f.SetGeometry(ogr.CreateGeometryFromWkt("POINT(1 2)"))
lyr.CreateFeature(f)
new_fid = f.GetFID()
ds = None
check(gpkg_rows(gp, "SELECT COUNT(*) FROM rtree_points_geom WHERE id = %d" % new_fid) == [(1,)],
      "a point added afterwards is in the index (triggers)")
check(gpkg_rows(gp, "SELECT rtreecheck('rtree_points_geom')") == [("ok",)], "still consistent after the edit")

p = run("apportion", data, data, "--layer1", "polys", "--layer2", "cells", "--value", "id", "--key", "id",
        "-o", os.path.join(d, "a.csv"))
m = re.search(r"value inside ([0-9.e+-]+), apportioned ([0-9.e+-]+)", p.stderr)
check(p.returncode == 0 and m is not None, "apportion runs: " + p.stderr)
if m:
    inside, given = float(m.group(1)), float(m.group(2))
    check(inside == sum(range(1, 301)), "every source lies inside the targets: %r" % inside)
    check(abs(given - inside) <= 1e-9 * inside, "value conserved to 1e-9: %r vs %r" % (given, inside))
with open(os.path.join(d, "a.csv")) as f:
    total = sum(float(r["value"]) for r in csv.DictReader(f))
check(abs(total - sum(range(1, 301))) <= 1e-9 * total, "the CSV adds up: %r" % total)
finish("test_bench_small")

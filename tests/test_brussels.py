"""On the real Brussels boundaries (../shared/data/brussels; skipped when absent): points inside each
commune land in it, a point on a shared border lands in exactly one (the lower NIS code), a point
outside the region is rejected, and one zone over the whole region is apportioned by area."""
import os
import sys
from osgeo import ogr
from tplib import *

gpkg = os.path.abspath(os.path.join(SHARED, "bxl_communes.gpkg"))
if not os.path.exists(gpkg):
    print("skipped: %s is absent" % gpkg)
    sys.exit(SKIP)

ds = ogr.Open(gpkg)
lyr = ds.GetLayerByName("communes")
communes = {}
for f in lyr:
    communes[f.GetField("nis_code")] = f.GetGeometryRef().Clone()
ds = None
check(len(communes) == 19, "19 real communes")

lines = ["id,owner,owner_type,dwellings,reason,works_start,x,y"]
expect = {}
for nis, g in sorted(communes.items()):
    p = g.PointOnSurface()
    lines.append("in-%s,SISP,sisp,1,study,2030-01-01,%.6f,%.6f" % (nis, p.GetX(), p.GetY()))
    expect["in-" + nis] = nis
# a vertex shared by Bruxelles (21004) and Schaerbeek (21015), away from any third commune
shared = communes["21004"].Boundary().Intersection(communes["21015"].Boundary())
pts = []
for i in range(shared.GetGeometryCount() or 1):
    part = shared.GetGeometryRef(i) if shared.GetGeometryCount() else shared
    pts += [part.GetPoint_2D(k) for k in range(part.GetPointCount())]
border = None
for x, y in pts:
    pt = ogr.CreateGeometryFromWkt("POINT (%r %r)" % (x, y))
    holders = [n for n, g in communes.items() if g.Intersects(pt)]
    if sorted(holders) == ["21004", "21015"]:
        border = (x, y)
        break
check(border is not None, "found a vertex on the 21004/21015 border")
if border:
    lines.append("border,SISP,sisp,1,study,2030-01-01,%r,%r" % border)
lines.append("outside,SISP,sisp,1,study,2030-01-01,140000.0,150000.0")
d = workdir("brussels")
write(os.path.join(d, "vacancies.csv"), "\n".join(lines) + "\n")
env = ogr.Geometry(ogr.wkbLinearRing)
for x, y in ((140000, 160000), (160000, 160000), (160000, 180000), (140000, 180000), (140000, 160000)):
    env.AddPoint_2D(x, y)
geojson(os.path.join(d, "zones.geojson"), [
    ({"zone_id": "ALL", "public_space": 992, "emergency_shelter": 3401, "nonrecognised_shelter": 513,
      "squat": 683, "nonconventional": 2649, "third_parties": 1539}, square(140000, 160000, 160000, 180000))])
write(os.path.join(d, "t.ini"),
      "[run]\nreference_date = 2024-11-07\n"
      "[communes]\npath = %s\nlayer = communes\npopulation = population_2020\n"
      "[zones]\npath = zones.geojson\n"
      "[vacancies]\npath = vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n" % gpkg)
out = os.path.join(d, "out")
p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out, check_rc=0)
check(p.returncode == 0, "run on real boundaries: " + p.stderr)
db = store(out)
got = dict(db.execute("SELECT src_id, nis_code FROM vacancies").fetchall())
for k, nis in expect.items():
    check(got.get(k) == nis, "%s lands in %s, got %r" % (k, nis, got.get(k)))
if border:
    check(got.get("border") == "21004", "the border point lands in exactly one commune, 21004: %r" % got.get("border"))
rej = db.execute("SELECT src_row, stage, reason FROM rejects WHERE input = 'vacancies'").fetchall()
check(len(rej) == 1 and rej[0][1] == "locate" and "outside every commune" in rej[0][2], "outside rejected: %r" % rej)
people = db.execute("SELECT SUM(people_total) FROM commune_summary").fetchone()[0]
check(abs(people - 9777) < 1e-9, "9,777 people apportioned: %r" % people)
sh = dict(db.execute("SELECT nis_code, share FROM zone_shares").fetchall())
total_area = sum(g.GetArea() for g in communes.values())
for nis, g in communes.items():
    check(abs(sh.get(nis, 0) - g.GetArea() / total_area) < 1e-9, "share of %s is its area share" % nis)
inside = db.execute("SELECT inside_area FROM zones").fetchone()[0]
check(abs(inside / 1e6 - 162.4) < 0.5, "region area about 162.4 km2: %.2f" % (inside / 1e6))
db.close()
finish("test_brussels")

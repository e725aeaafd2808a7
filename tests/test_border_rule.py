"""`tremplin join` and `tremplin run` give every point the same commune, whatever order the communes are
stored in (as read, reversed, shuffled): one locator, and its border rule gives a point on a shared border
or vertex to the commune with the lowest NIS code.  Shown on the demo's communes with points on their
shared vertices, and on the real Brussels boundaries when ../shared/data/brussels is there.  Also: the
same bad polygon gets the same message from `join` and from `apportion` (one polygon reader)."""
import csv
import os
import random
from osgeo import ogr, osr
from tplib import *

ogr.UseExceptions()
d = workdir("border_rule")
srs = osr.SpatialReference()
srs.ImportFromEPSG(31370)


def read_polygons(path, key):
    """[(key, geometry, {field: value})] of the first layer of path, in stored order."""
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    rows = [(f.GetField(key), f.GetGeometryRef().Clone(), {n: f.GetField(n) for n in names}) for f in lyr]
    fields = [(defn.GetFieldDefn(i).GetName(), defn.GetFieldDefn(i).GetType()) for i in range(defn.GetFieldCount())]
    return rows, fields, lyr.GetName()


def write_polygons(path, layer, fields, rows):
    """The rows (key, geometry, attributes) as a new GeoPackage, in the given order."""
    if os.path.exists(path):
        os.remove(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer(layer, srs, ogr.wkbMultiPolygon)
    for name, t in fields:
        lyr.CreateField(ogr.FieldDefn(name, t))
    for _, geom, attrs in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in attrs.items():
            f.SetField(k, v)
        f.SetGeometry(ogr.ForceToMultiPolygon(geom.Clone()))
        lyr.CreateFeature(f)
    ds = None


def write_points(path, pts):
    """pts [(id, x, y)] as a GeoPackage point layer; FID i + 1 is pts[i]."""
    if os.path.exists(path):
        os.remove(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("pts", srs, ogr.wkbPoint)
    lyr.CreateField(ogr.FieldDefn("id", ogr.OFTString))
    for i, (pid, x, y) in enumerate(pts):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetFID(i + 1)
        f.SetField("id", pid)
        pt = ogr.Geometry(ogr.wkbPoint)
        pt.AddPoint_2D(x, y)
        f.SetGeometry(pt)
        lyr.CreateFeature(f)
    ds = None


def shared_vertices(communes, limit):
    """Up to limit vertices that two communes or more hold, with the lowest NIS code among them."""
    found = {}
    for nis, geom, _ in communes:
        for k in range(geom.GetGeometryCount()):
            part = geom.GetGeometryRef(k)
            ring = part.GetGeometryRef(0) if part.GetGeometryType() in (ogr.wkbPolygon, ogr.wkbPolygon25D) else part
            for x, y in (ring.GetPoint_2D(i) for i in range(ring.GetPointCount())):
                if (x, y) in found:
                    continue
                pt = ogr.CreateGeometryFromWkt("POINT (%r %r)" % (x, y))
                holders = sorted(n for n, g, _ in communes if g.Intersects(pt))
                if len(holders) >= 2:
                    found[(x, y)] = holders
                    if len(found) >= limit:
                        return found
    return found


def join_points(polys, pts_path, ids):
    """{point id: NIS code or None} from `join -o located.gpkg` (points layer, by source_fid)."""
    out = os.path.join(d, "located.gpkg")
    if os.path.exists(out):
        os.remove(out)
    p = run("join", polys, pts_path, "--key", "nis_code", "--threads", "2", "-o", out, "-q")
    check(p.returncode == 0, "join on %s exits 0: %s" % (os.path.basename(polys), p.stderr))
    if p.returncode != 0:
        return {}
    return {ids[fid - 1]: key for fid, key in gpkg_rows(out, "SELECT source_fid, polygon FROM points")}


def run_points(ini, out):
    """({point id: NIS code} of the accepted vacancies, {ids rejected at locate}, stderr) of a run."""
    p = run("run", "-c", ini, "-o", out, "--no-maps", "--no-dashboard")
    check(p.returncode == 0, "run with %s exits 0: %s" % (os.path.basename(ini), p.stderr))
    if p.returncode != 0:
        return {}, set(), p.stderr
    db = store(out)
    got = dict(db.execute("SELECT src_id, nis_code FROM vacancies").fetchall())
    outside = {json_id for (json_id,) in db.execute(
        "SELECT json_extract(original, '$.id') FROM rejects WHERE input = 'vacancies' AND stage = 'locate'")}
    db.close()
    return got, outside, p.stderr


def agree(name, communes, fields, layer, pts, border, make_ini):
    """Runs join and run on the communes stored as read, reversed and shuffled; checks they agree point by
    point, that every order gives the same answers, and that border points go to the lowest NIS code."""
    pts_path = os.path.join(d, name + "_pts.gpkg")
    write_points(pts_path, pts)
    ids = [pid for pid, _, _ in pts]
    shuffled = communes[:]
    random.Random(7).shuffle(shuffled)
    orders = {"read": communes, "reversed": sorted(communes, key=lambda c: c[0], reverse=True),
              "shuffled": shuffled}
    first = None
    for order, rows in orders.items():
        polys = os.path.join(d, "%s_communes_%s.gpkg" % (name, order))
        write_polygons(polys, layer, fields, rows)
        joined = join_points(polys, pts_path, ids)
        ran, outside, err = run_points(make_ini(polys), os.path.join(d, "%s_out_%s" % (name, order)))
        check(len(joined) == len(pts), "%s %s: join places every point: %d of %d" % (name, order, len(joined), len(pts)))
        differ = [(i, joined.get(i), ran.get(i)) for i in ran if joined.get(i) != ran[i]]
        differ += [(i, joined.get(i), "outside") for i in outside if joined.get(i) is not None]
        check(not differ, "%s %s: join and run agree on every point: %r" % (name, order, differ[:5]))
        wrong = [(i, ran.get(i), want) for i, want in border.items() if ran.get(i) != want]
        check(not wrong, "%s %s: border points go to the lowest NIS code: %r" % (name, order, wrong[:5]))
        check("on a commune border, given to the lowest NIS code" in err,
              "%s %s: the run says how many points were on a border: %s" % (name, order, err))
        if first is None:
            first = (joined, ran)
        else:
            check((joined, ran) == first, "%s %s: the same answers as with the communes as read" % (name, order))
    return outside


# ---- the demo's communes, its vacancies and points on shared vertices ----
demo = os.path.join(d, "demo")
p = run("demo", "-o", demo, "-q", "--no-maps", "--no-dashboard")
check(p.returncode == 0, "demo runs: " + p.stderr)
inputs = os.path.join(demo, "inputs")
communes, fields, layer = read_polygons(os.path.join(inputs, "communes.gpkg"), "nis_code")
with open(os.path.join(inputs, "vacancies.csv"), encoding="utf-8", newline="") as f:
    vac = list(csv.DictReader(f))
header = list(vac[0].keys())
vertices = shared_vertices(communes, 80)
check(len(vertices) >= 40, "the demo has vertices shared by two communes or more: %d" % len(vertices))
check(any(len(h) >= 3 for h in vertices.values()), "some shared by three communes")
border = {}
template = dict(vac[0], owner_agreed="", address="")
for k, ((x, y), holders) in enumerate(sorted(vertices.items())):
    pid = "B%03d" % k
    vac.append(dict(template, id=pid, address="Rue du Bord %d" % (k + 1), x=repr(x), y=repr(y)))
    border[pid] = holders[0]
with open(os.path.join(inputs, "vacancies_border.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, header)
    w.writeheader()
    w.writerows(vac)
pts = []
for r in vac:
    try:
        pts.append((r["id"], float(r["x"]), float(r["y"])))
    except ValueError:
        pass
ini_text = open(os.path.join(inputs, "tremplin.ini"), encoding="utf-8").read()


def demo_ini(polys):
    """The demo's config beside its inputs, with these communes and the vacancies on the borders."""
    path = os.path.join(inputs, os.path.basename(polys)[:-5] + ".ini")
    text = ini_text.replace("path = communes.gpkg", "path = " + polys)
    write(path, text.replace("path = vacancies.csv", "path = vacancies_border.csv"))
    return path


agree("demo", communes, fields, layer, pts, border, demo_ini)

# ---- the real Brussels boundaries, when present ----
gpkg = os.path.abspath(os.path.join(SHARED, "bxl_communes.gpkg"))
if os.path.exists(gpkg):
    bxl, bfields, blayer = read_polygons(gpkg, "nis_code")
    vertices = shared_vertices(bxl, 150)
    check(len(vertices) >= 100, "the Brussels communes share vertices: %d" % len(vertices))
    bpts, bborder = [], {}
    for nis, geom, _ in bxl:
        pos = geom.PointOnSurface()
        bpts.append(("in-" + nis, pos.GetX(), pos.GetY()))
    for k, ((x, y), holders) in enumerate(sorted(vertices.items())):
        bpts.append(("B%03d" % k, x, y))
        bborder["B%03d" % k] = holders[0]
    bpts.append(("outside", 140000.0, 150000.0))
    lines = ["id,address,owner,owner_type,dwellings,reason,works_start,x,y"]
    lines += ["%s,Rue %d,SISP,sisp,1,study,2030-01-01,%r,%r" % (i, k, x, y) for k, (i, x, y) in enumerate(bpts)]
    write(os.path.join(d, "bxl_vacancies.csv"), "\n".join(lines) + "\n")
    geojson(os.path.join(d, "bxl_zones.geojson"), [
        ({"zone_id": "ALL", "public_space": 992, "emergency_shelter": 3401, "nonrecognised_shelter": 513,
          "squat": 683, "nonconventional": 2649, "third_parties": 1539}, square(140000, 160000, 160000, 180000))])

    def bxl_ini(polys):
        path = polys[:-5] + ".ini"
        write(path, "[run]\nreference_date = 2024-11-07\n"
              "[communes]\npath = %s\nlayer = %s\npopulation = population_2020\n"
              "[zones]\npath = bxl_zones.geojson\n"
              "[vacancies]\npath = bxl_vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n" % (polys, blayer))
        return path

    outside = agree("bxl", bxl, bfields, blayer, bpts, bborder, bxl_ini)
    check(outside == {"outside"}, "the point outside the region is rejected by the run: %r" % outside)
else:
    print("note: ../shared/data/brussels absent, the Brussels part is skipped")

# ---- the same bad polygon, the same message from join and apportion ----
bad = os.path.join(d, "bad.gpkg")


def bad_layer(name, wkts):
    """A layer of bad.gpkg with one row per WKT (None: no geometry), keys p0, p1, ... and v = 10."""
    ds = ogr.Open(bad, 1) if os.path.exists(bad) else ogr.GetDriverByName("GPKG").CreateDataSource(bad)
    lyr = ds.CreateLayer(name, srs, ogr.wkbUnknown)
    lyr.CreateField(ogr.FieldDefn("id", ogr.OFTString))
    lyr.CreateField(ogr.FieldDefn("v", ogr.OFTReal))
    for k, g in enumerate(wkts):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("id", "p%d" % k)
        f.SetField("v", 10)
        if g:
            f.SetGeometry(ogr.CreateGeometryFromWkt(g))
        lyr.CreateFeature(f)
    ds = None


good = "POLYGON((0 0,10 0,10 10,0 10,0 0))"
cases = {"line": "LINESTRING(0 0,5 5)", "flat": "POLYGON((0 0,10 0,20 0,0 0))", "nogeom": None,
         "unclosed": "POLYGON((0 0,10 0,10 10,0 10))"}
for name, wkt in cases.items():
    bad_layer(name, [good, wkt])
bad_layer("ok", [good])
write_points(os.path.join(d, "bad_pts.gpkg"), [("a", 5, 5)])
for name in cases:
    j = run("join", bad, os.path.join(d, "bad_pts.gpkg"), "--layer1", name, "--key", "id")
    a_src = run("apportion", bad, bad, "--layer1", name, "--layer2", "ok", "--value", "v", "--key", "id")
    a_dst = run("apportion", bad, bad, "--layer1", "ok", "--layer2", name, "--value", "v", "--key", "id")
    check(j.returncode == 4 and a_src.returncode == 4 and a_dst.returncode == 4,
          "%s: join and apportion exit 4: %d %d %d" % (name, j.returncode, a_src.returncode, a_dst.returncode))
    check("bad.gpkg, layer %s, row 2: " % name in j.stderr, "%s: join names file, layer and row: %s" % (name, j.stderr))
    check(j.stderr == a_src.stderr == a_dst.stderr,
          "%s: the same message from join and apportion: %r %r %r" % (name, j.stderr, a_src.stderr, a_dst.stderr))
# a curved polygon is made linear by both
bad_layer("curve", ["CURVEPOLYGON(CIRCULARSTRING(0 5,10 5,0 5))"])
j = run("join", bad, os.path.join(d, "bad_pts.gpkg"), "--layer1", "curve", "--key", "id")
a = run("apportion", bad, bad, "--layer1", "curve", "--layer2", "ok", "--value", "v", "--key", "id")
check(j.returncode == 0 and j.stdout == "key,count\np0,1\n", "join reads a curved polygon: %s %s" % (j.stdout, j.stderr))
check(a.returncode == 0 and a.stdout.startswith("key,value\np0,"), "apportion reads it too: %s %s" % (a.stdout, a.stderr))
finish("test_border_rule")

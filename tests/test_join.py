"""tremplin join on polygons as they come: holes, multipolygon parts, a curved polygon, an invalid
polygon (repaired, and said so), shared borders (the lower position wins), points without a geometry;
every unusable input stops the join with exit 4 and a message naming the file, layer and row, and no
output is left behind.  Keys holding a comma or a quote round-trip through the CSV of join and of
apportion (RFC 4180).  Output paths that are not regular files: `-o -` is standard output, a device
or FIFO is written through and stays what it was, a symlink stays a link and its target is replaced.
On the real Brussels boundaries when ../shared is there: one point inside each commune lands in
that commune."""
import os
import stat
import threading
import subprocess
from osgeo import ogr, osr
from tplib import *

ogr.UseExceptions()
d = workdir("join")
srs = osr.SpatialReference()
srs.ImportFromEPSG(31370)


def gpkg_layer(path, name, gtype, rows):
    """Writes rows of (id, WKT or None) as layer name of the GeoPackage at path."""
    ds = ogr.Open(path, 1) if os.path.exists(path) else ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer(name, srs, gtype)
    lyr.CreateField(ogr.FieldDefn("id", ogr.OFTString))
    for key, wkt in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("id", key)
        if wkt:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None


def counts_of(path):
    return {r["key"]: int(r["count"]) for r in read_csv(path)}


polys = os.path.join(d, "polys.gpkg")
gpkg_layer(polys, "zones", ogr.wkbUnknown, [
    # a: a square with a hole, and a second part further east
    ("a", "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0),(4 4,6 4,6 6,4 6,4 4)),((20 0,30 0,30 10,20 10,20 0)))"),
    # b: a bow-tie, invalid; repaired into its two triangles
    ("b", "POLYGON((40 0,50 10,50 0,40 10,40 0))"),
    # c: a circle of radius 5 around (65, 5), made linear
    ("c", "CURVEPOLYGON(CIRCULARSTRING(60 5,70 5,60 5))"),
    # d: shares the edge x = 10 with a
    ("d", "POLYGON((10 0,20 0,20 10,10 10,10 0))"),
])
pts = os.path.join(d, "points.gpkg")
gpkg_layer(pts, "pts", ogr.wkbPoint, [
    ("hole", "POINT(5 5)"), ("a1", "POINT(2 2)"), ("a2", "POINT(25 5)"), ("border", "POINT(10 5)"),
    ("corner", "POINT(0 0)"), ("d1", "POINT(15 5)"), ("b1", "POINT(41 5)"), ("b2", "POINT(49 5)"),
    ("between", "POINT(45 2)"), ("c1", "POINT(65 5)"), ("c2", "POINT(69 5)"), ("far", "POINT(100 100)"),
    ("nogeom", None),
])
want = {"a": 4, "b": 2, "c": 2, "d": 1}
for t in (1, 2):
    out = os.path.join(d, "counts%d.csv" % t)
    p = run("join", polys, pts, "--layer1", "zones", "--key", "id", "--threads", str(t), "-o", out)
    check(p.returncode == 0, "join exits 0 with %d thread(s): %s" % (t, p.stderr))
    if p.returncode == 0:
        check(counts_of(out) == want, "counts with %d thread(s): %r" % (t, counts_of(out)))
    check("1 polygon repaired" in p.stderr, "the repair is reported: " + p.stderr)
    check("12 points read" in p.stderr and "1 without a point geometry" in p.stderr,
          "the point without a geometry is counted apart: " + p.stderr)
    check("3 outside every polygon" in p.stderr, "hole, gap and far point are outside: " + p.stderr)
# without --threads, join runs on every core
out = os.path.join(d, "counts_all.csv")
p = run("join", polys, pts, "--layer1", "zones", "--key", "id", "-o", out)
n = os.cpu_count()
check(p.returncode == 0 and counts_of(out) == want, "join without --threads: %s" % p.stderr)
check("with %d thread%s" % (n, "s" if n > 1 else "") in p.stderr, "all %d cores by default: %s" % (n, p.stderr))

# The same points as a table with coordinate columns, as an office exports it (';', decimal comma,
# a row without coordinates): --x/--y read them and give the same counts as the GeoPackage.
rows = ["nom;coord_x;coord_y"]
for name, wkt in [("hole", "5 5"), ("a1", "2 2"), ("a2", "25 5"), ("border", "10 5"), ("corner", "0 0"),
                  ("d1", "15 5"), ("b1", "41 5"), ("b2", "49 5"), ("between", "45 2"), ("c1", "65 5"),
                  ("c2", "69 5"), ("far", "100 100")]:
    x, y = wkt.split()
    rows.append("%s;%s,0;%s,0" % (name, x, y))
rows.append("nogeom;;")
write(os.path.join(d, "points.csv"), "\n".join(rows) + "\n")
out = os.path.join(d, "counts_xy.csv")
p = run("join", polys, os.path.join(d, "points.csv"), "--layer1", "zones", "--key", "id",
        "--x", "coord_x", "--y", "coord_y", "--s_srs", "EPSG:31370", "-o", out)
check(p.returncode == 0, "join with --x/--y exits 0: " + p.stderr)
if p.returncode == 0:
    check(counts_of(out) == want, "X/Y columns give the GeoPackage's counts: %r" % counts_of(out))
    check("12 points read" in p.stderr and "1 without a point geometry" in p.stderr,
          "the row without coordinates is counted apart: " + p.stderr)
# the X/Y table without --x/--y: no row has a point, so exit 4 saying what to give, not 0 everywhere
p = run("join", polys, os.path.join(d, "points.csv"), "--layer1", "zones", "-o", os.path.join(d, "zero.csv"))
check(p.returncode == 4 and "points.csv, layer points: none of its 13 rows has a point geometry; for a "
      "table with coordinate columns give --x COLUMN --y COLUMN" in p.stderr,
      "a table without --x/--y: exit 4 naming the options: %d %s" % (p.returncode, p.stderr))
check(not os.path.exists(os.path.join(d, "zero.csv")), "no table of zeros written")
p = run("join", polys, os.path.join(d, "points.csv"), "--layer1", "zones", "--x", "lon", "--y", "coord_y")
check(p.returncode == 4 and "points.csv, layer points: no column 'lon' for --x (columns: nom, coord_x, "
      "coord_y)" in p.stderr, "a missing --x column: exit 4 naming it and the columns: %s" % p.stderr)
p = run("join", polys, os.path.join(d, "points.csv"), "--layer1", "zones", "--x", "coord_x")
check(p.returncode == 2 and "--x and --y" in p.stderr, "--x without --y: exit 2: %d %s" % (p.returncode, p.stderr))

# A GeoPackage output: the polygons with their counts, every point with its FID and polygon; it
# passes GDAL's validator, with the spatial index and without (--lco SPATIAL_INDEX=NO).
for lco in ([], ["--lco", "SPATIAL_INDEX=NO"]):
    out = os.path.join(d, "located.gpkg")
    if os.path.exists(out):
        os.remove(out)
    p = run("join", polys, pts, "--layer1", "zones", "--key", "id", "--threads", "2", "-o", out, *lco)
    check(p.returncode == 0, "join to a GeoPackage %s exits 0: %s" % (lco, p.stderr))
    if p.returncode != 0:
        continue
    rc, msg = validate_gpkg(out)
    check(rc == 0, "the join's GeoPackage %s passes validate_gpkg: %s" % (lco, msg))
    check(dict(gpkg_rows(out, "SELECT key, count FROM polygons")) == want,
          "the polygons layer holds the counts")
    src = dict(gpkg_rows(pts, "SELECT fid, id FROM pts"))
    got = {src[fid]: key for fid, key in gpkg_rows(out, "SELECT source_fid, polygon FROM points")}
    check(got == {"hole": None, "a1": "a", "a2": "a", "border": "a", "corner": "a", "d1": "d", "b1": "b",
                  "b2": "b", "between": None, "c1": "c", "c2": "c", "far": None},
          "each point carries its source FID and its polygon: %r" % got)
    styles = gpkg_rows(out, "SELECT f_table_name, useAsDefault, styleQML FROM layer_styles")
    check(len(styles) == 1 and styles[0][:2] == ("polygons", 1) and 'attr="count"' in styles[0][2]
          and "graduatedSymbol" in styles[0][2], "QGIS opens the polygons coloured by count: %r"
          % [r[:2] for r in styles])
    tables = {t for (t,) in gpkg_rows(out, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    check(("rtree_points_geom" in tables) == (not lco), "spatial index present unless asked off: %r" % lco)
p = run("join", polys, pts, "--layer1", "zones", "-o", os.path.join(d, "no", "such", "dir.gpkg"))
check(p.returncode == 5 and "dir.gpkg" in p.stderr, "an unwritable GeoPackage: exit 5 naming it: %d %s"
      % (p.returncode, p.stderr))

# Unusable inputs: exit 4, the file, layer and row named, and no CSV left where it belongs.
gpkg_layer(polys, "line", ogr.wkbUnknown, [("x", "POLYGON((0 0,1 0,1 1,0 0))"), ("y", "POLYGON((0 0,2 0,2 2,0 0))"),
                                           ("z", "LINESTRING(0 0,5 5)")])
gpkg_layer(polys, "empty", ogr.wkbPolygon, [("x", "POLYGON((0 0,1 0,1 1,0 0))"), ("y", None)])
gpkg_layer(polys, "flat", ogr.wkbPolygon, [("x", "POLYGON((0 0,10 0,20 0,0 0))")])
cases = [
    ("a line among polygons", [polys, pts, "--layer1", "line"], "polys.gpkg, layer line, row 3: geometry is not a polygon"),
    ("a row without geometry", [polys, pts, "--layer1", "empty"], "polys.gpkg, layer empty, row 2: no geometry"),
    ("a polygon with no area", [polys, pts, "--layer1", "flat"], "polys.gpkg, layer flat, row 1: invalid geometry with no area"),
    ("no such key column", [polys, pts, "--layer1", "zones", "--key", "code"], "polys.gpkg, layer zones: no column 'code'"),
    ("no such layer", [polys, pts, "--layer1", "zones", "--layer2", "nope"], "points.gpkg: no layer 'nope'"),
    ("no points file", [polys, os.path.join(d, "nowhere.gpkg"), "--layer1", "zones"], "nowhere.gpkg: file not found"),
    ("no points file, read on the second thread", [polys, os.path.join(d, "nowhere.gpkg"), "--layer1", "zones",
                                                   "--threads", "2"], "nowhere.gpkg: file not found"),
]
for name, args, msg in cases:
    out = os.path.join(d, "bad.csv")
    p = run("join", *args, "-o", out)
    check(p.returncode == 4, "%s: exit 4, got %d" % (name, p.returncode))
    check(msg in p.stderr, "%s: message %r in %r" % (name, msg, p.stderr))
    check(not os.path.exists(out), "%s: no output left" % name)
    check(not [f for f in os.listdir(d) if ".tmp-" in f], "%s: no temporary file left" % name)

# Keys holding the separator and a quote are quoted (RFC 4180) by join and by apportion alike, so
# that "Bruxelles, Ville" stays one cell.
awkward = [("Bruxelles, Ville", "POLYGON((0 0,10 0,10 10,0 10,0 0))"),
           ('Le "Coin"', "POLYGON((10 0,20 0,20 10,10 10,10 0))"),
           ("plain", "POLYGON((20 0,30 0,30 10,20 10,20 0))")]
kp = os.path.join(d, "keys.gpkg")
gpkg_layer(kp, "zones", ogr.wkbPolygon, awkward)
kpts = os.path.join(d, "keypts.gpkg")
gpkg_layer(kpts, "pts", ogr.wkbPoint, [("1", "POINT(5 5)"), ("2", "POINT(6 5)"), ("3", "POINT(15 5)")])
out = os.path.join(d, "keys.csv")
p = run("join", kp, kpts, "--key", "id", "-o", out)
check(p.returncode == 0, "join with awkward keys exits 0: " + p.stderr)
if p.returncode == 0:
    got = [(r["key"], r["count"]) for r in read_csv(out)]
    check(got == [("Bruxelles, Ville", "2"), ('Le "Coin"', "1"), ("plain", "0")],
          "keys with a comma and a quote come back whole from join's CSV: %r" % got)
src = kp.replace("keys", "sources")
ds = ogr.GetDriverByName("GPKG").CreateDataSource(src)
lyr = ds.CreateLayer("src", srs, ogr.wkbPolygon)
lyr.CreateField(ogr.FieldDefn("people", ogr.OFTReal))
f = ogr.Feature(lyr.GetLayerDefn())
f.SetField("people", 30.0)
f.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON((0 0,30 0,30 10,0 10,0 0))"))
lyr.CreateFeature(f)
ds = None
out = os.path.join(d, "shares.csv")
p = run("apportion", src, kp, "--value", "people", "--key", "id", "-o", out)
check(p.returncode == 0, "apportion with awkward keys exits 0: " + p.stderr)
if p.returncode == 0:
    got = [(r["key"], r["value"]) for r in read_csv(out)]
    got = [(k, round(float(v), 9) if v.replace(".", "").isdigit() else v) for k, v in got]
    check(got == [("Bruxelles, Ville", 10.0), ('Le "Coin"', 10.0), ("plain", 10.0)],
          "keys with a comma and a quote come back whole from apportion's CSV: %r" % got)

# -o - is standard output.
p = run("join", kp, kpts, "--key", "id", "-o", "-")
check(p.returncode == 0 and p.stdout.startswith("key,count\n\"Bruxelles, Ville\",2\n"),
      "join -o - writes the CSV to standard output: %r %s" % (p.stdout, p.stderr))

# A device at the output path is written through, never replaced by a regular file (as root, the
# rename once replaced /dev/null).  A character device like /dev/null (1, 3) where this process
# may make one and the folder allows devices; else a FIFO, read by a thread.
outs = os.path.join(d, "special")
os.makedirs(outs)
node = os.path.join(outs, "null")
kind, reader, got = None, None, []
try:
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.close(os.open(node, os.O_WRONLY))  # a folder mounted nodev refuses to open it
    kind = "device"
except OSError:
    if os.path.lexists(node):
        os.remove(node)
    os.mkfifo(node)
    kind = "FIFO"

    def read_fifo():
        with open(node, "rb") as fifo:
            got.append(fifo.read())
    reader = threading.Thread(target=read_fifo, daemon=True)
    reader.start()
p = run("join", kp, kpts, "--key", "id", "-o", node)
if reader:
    if reader.is_alive() and not got:
        os.close(os.open(node, os.O_WRONLY | os.O_NONBLOCK))  # tremplin never opened it: unblock
    reader.join(10)
mode = os.lstat(node).st_mode
check(p.returncode == 0, "join -o onto a %s exits 0: %s" % (kind, p.stderr))
if kind == "device":
    check(stat.S_ISCHR(mode) and os.stat(node).st_rdev == os.makedev(1, 3),
          "the device node is still the device after join -o onto it: mode %o" % mode)
else:
    check(stat.S_ISFIFO(mode), "the FIFO is still a FIFO after join -o onto it: mode %o" % mode)
    check(got and got[0].startswith(b"key,count\n"), "the CSV went through the FIFO: %r" % got)
check(os.listdir(outs) == ["null"], "nothing else left beside the %s: %r" % (kind, os.listdir(outs)))

# A symlink at the output path stays a link; its target, in another folder, gets the file, and the
# temporary file is made beside the target (a rename cannot cross file systems).
real = os.path.join(outs, "real")
os.makedirs(real)
link = os.path.join(d, "link.csv")
os.symlink(os.path.join("special", "real", "target.csv"), link)
p = run("join", kp, kpts, "--key", "id", "-o", link)
check(p.returncode == 0, "join -o onto a dangling symlink exits 0: " + p.stderr)
check(os.path.islink(link) and os.listdir(real) == ["target.csv"],
      "the symlink stays a link and its target is written: %r" % os.listdir(real))
if os.path.exists(link):
    check(read_csv(link)[0]["key"] == "Bruxelles, Ville", "the target holds the CSV")
p = run("join", kp, kpts, "--key", "id", "-o", link)
check(p.returncode == 0 and os.path.islink(link) and os.listdir(real) == ["target.csv"],
      "join -o onto a symlink to a file replaces the target, not the link: %s" % p.stderr)
p = run("join", kp, kpts, "--key", "id", "-o", real)
check(p.returncode == 5 and "real: is a folder" in p.stderr,
      "join -o onto a folder: exit 5 naming it: %d %s" % (p.returncode, p.stderr))
check(os.listdir(real) == ["target.csv"], "nothing written into the folder")
# A GeoPackage that SQLite cannot open: GDAL's reason reaches the message, on either thread, and
# GDAL prints nothing of its own (the second thread's messages used to come out raw).
write(os.path.join(d, "corrupt.gpkg"), "SQLite format 3\0" + "garbage" * 300)
for threads in ("1", "2"):
    p = run("join", polys, os.path.join(d, "corrupt.gpkg"), "--layer1", "zones", "--threads", threads)
    check(p.returncode == 4 and "corrupt.gpkg: not a vector file OGR can read: file is not a database\n"
          in p.stderr, "a corrupt GeoPackage (%s threads): exit 4 with GDAL's reason: %d %r"
          % (threads, p.returncode, p.stderr))
    check("ERROR 1" not in p.stderr and "Warning 1" not in p.stderr,
          "a corrupt GeoPackage (%s threads): no raw GDAL message: %r" % (threads, p.stderr))

# Points in a local (engineering) CRS cannot be brought into the polygons' CRS: the whole message,
# the file named once.  Relative names, as a person types them: the message that quoted the error
# slot into itself came out as "lpts.gpkg: lpts.gpkg: rmation from 'LOCAL_CS[...".
local = osr.SpatialReference()
local.SetLocalCS("plan de chantier")
ds = ogr.GetDriverByName("GPKG").CreateDataSource(os.path.join(d, "lpts.gpkg"))
lyr = ds.CreateLayer("pts", local, ogr.wkbPoint)
f = ogr.Feature(lyr.GetLayerDefn())
f.SetGeometry(ogr.CreateGeometryFromWkt("POINT(5 5)"))
lyr.CreateFeature(f)
ds = None
p = subprocess.run([TREMPLIN, "join", "polys.gpkg", "lpts.gpkg", "--layer1", "zones"], cwd=d,
                   capture_output=True, text=True)
check(p.returncode == 4, "a local CRS: exit 4, got %d" % p.returncode)
check(p.stderr.startswith("tremplin: lpts.gpkg: no transformation from 'LOCAL_CS[\"plan de chantier\",")
      and p.stderr.endswith("]' to 'EPSG:31370'\n") and p.stderr.count("lpts.gpkg") == 1,
      "a local CRS: the whole message, the file named once: %r" % p.stderr)

# The real Brussels boundaries: a point inside each commune, and one outside the region.
gpkg = os.path.abspath(os.path.join(SHARED, "bxl_communes.gpkg"))
if os.path.exists(gpkg):
    src = ogr.Open(gpkg)
    rows = [(f.GetField("nis_code"), f.GetGeometryRef().PointOnSurface().ExportToWkt())
            for f in src.GetLayer(0)]
    src = None
    rows.append(("outside", "POINT(100000 100000)"))
    bp = os.path.join(d, "bxl_points.gpkg")
    gpkg_layer(bp, "pts", ogr.wkbPoint, rows)
    out = os.path.join(d, "bxl.csv")
    p = run("join", gpkg, bp, "--key", "nis_code", "--threads", "2", "-o", out)
    check(p.returncode == 0, "join on the Brussels communes exits 0: " + p.stderr)
    if p.returncode == 0:
        got = counts_of(out)
        check(len(got) == 19 and all(v == 1 for v in got.values()),
              "each of the 19 communes holds its own point: %r" % got)
        check("1 outside every polygon" in p.stderr, "the point outside the region is outside: " + p.stderr)
else:
    print("note: ../shared/data/brussels absent, the Brussels part is skipped")
finish("test_join")

"""Records with an address but no coordinates are placed on the address reference the user gives:
exact, normalised (case, accents, abbreviations, Dutch names, ranges) or nearest number, with the
kind in vacancies.geocode; what cannot be matched is refused with the closest streets."""
import os
from osgeo import gdal, ogr, osr
from tplib import *

gdal.UseExceptions()
X0, Y0 = 150000, 170000
d = workdir("geocode")
geojson(os.path.join(d, "communes.geojson"), [
    ({"nis_code": "21004", "name_fr": "Bruxelles", "name_nl": "Brussel"}, square(X0, Y0, X0 + 3000, Y0 + 3000)),
    ({"nis_code": "21009", "name_fr": "Ixelles", "name_nl": "Elsene"}, square(X0 + 3000, Y0, X0 + 6000, Y0 + 3000)),
])
geojson(os.path.join(d, "zones.geojson"), [
    ({"zone_id": "Z1", "public_space": 1, "emergency_shelter": 0, "nonrecognised_shelter": 0, "squat": 0,
      "nonconventional": 0, "third_parties": 0}, square(X0, Y0, X0 + 6000, Y0 + 3000)),
])

# the reference: (French, Dutch, postcode, x of number 1, y); numbers 1..40, 10 m apart
STREETS = [
    ("Avenue Louise", "Louizalaan", "1050", X0 + 3100, Y0 + 100),
    ("Rue de la Loi", "Wetstraat", "1000", X0 + 100, Y0 + 300),
    ("Chaussée de Wavre", "Waversesteenweg", "1050", X0 + 3100, Y0 + 500),
    ("Boulevard Anspach", "Anspachlaan", "1000", X0 + 100, Y0 + 700),
    ("Rue de l'Église", "Kerkstraat", "1000", X0 + 100, Y0 + 900),
    ("Rue de l'Église", "Kerkstraat", "1050", X0 + 3100, Y0 + 900),
    ("Place Eugène Flagey", "Eugène Flageyplein", "1050", X0 + 3100, Y0 + 1100),
    ("Rue Théodore Verhaegen", "Theodoor Verhaegenstraat", "1000", X0 + 100, Y0 + 1300),
]
MISSING = {("Rue Théodore Verhaegen", 13), ("Rue Théodore Verhaegen", 15), ("Rue Théodore Verhaegen", 17)}
ref = os.path.join(d, "adresses.gpkg")
ds = ogr.GetDriverByName("GPKG").CreateDataSource(ref)
srs = osr.SpatialReference()
srs.ImportFromEPSG(31370)
lyr = ds.CreateLayer("adresses", srs, ogr.wkbPoint)
for c in ("rue_fr", "straat_nl", "huisnummer", "cp"):
    lyr.CreateField(ogr.FieldDefn(c, ogr.OFTString))
where = {}
nref = 0
for fr, nl, pc, x, y in STREETS:
    for n in range(1, 41):
        if (fr, n) in MISSING:
            continue
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("rue_fr", fr)
        f.SetField("straat_nl", nl)
        f.SetField("huisnummer", str(n))
        f.SetField("cp", pc)
        f.SetGeometry(ogr.CreateGeometryFromWkt("POINT (%d %d)" % (x + 10 * n, y)))
        lyr.CreateFeature(f)
        where[(fr, pc, n)] = (x + 10 * n, y)
        nref += 1
ds = None
check(nref > 300, "a few hundred reference addresses (%d)" % nref)

# (address, postcode, expected kind or None for a reject, expected (street, postcode, number) or reason)
CASES = [
    ("Avenue Louise 12", "", "exact", ("Avenue Louise", "1050", 12)),
    ("Louizalaan 14", "", "exact", ("Avenue Louise", "1050", 14)),                  # Dutch name
    ("Avenue Louise 16 bte 3", "", "exact", ("Avenue Louise", "1050", 16)),        # box ignored
    ("Wetstraat 5 bus 2", "1000", "exact", ("Rue de la Loi", "1000", 5)),
    ("av. Louise 18", "", "normalised", ("Avenue Louise", "1050", 18)),            # abbreviation
    ("AVENUE LOUISE 20", "", "normalised", ("Avenue Louise", "1050", 20)),         # case
    ("Chée de Wavre 22", "", "normalised", ("Chaussée de Wavre", "1050", 22)),
    ("Chaussee de Wavre 24", "", "normalised", ("Chaussée de Wavre", "1050", 24)),  # dropped accent
    ("Waversestwg 26", "", "normalised", ("Chaussée de Wavre", "1050", 26)),
    ("Bd Anspach 30", "", "normalised", ("Boulevard Anspach", "1000", 30)),
    ("Wetstr. 7", "", "normalised", ("Rue de la Loi", "1000", 7)),
    ("Rue de la Loi 12-14", "", "normalised", ("Rue de la Loi", "1000", 12)),      # number range
    ("Rue de l'Eglise 4, 1050 Ixelles", "", "normalised", ("Rue de l'Église", "1050", 4)),
    ("Kerkstraat 6", "1000", "exact", ("Rue de l'Église", "1000", 6)),              # postcode column
    ("pl. Eugene Flagey 3", "", "normalised", ("Place Eugène Flagey", "1050", 3)),
    ("Rue Théodore Verhaegen 15", "", "nearest", ("Rue Théodore Verhaegen", "1000", 11)),
    ("Theodoor Verhaegenstraat 16", "", "exact", ("Rue Théodore Verhaegen", "1000", 16)),
    ("Rue de l'Église 8", "", None, "address 'Rue de l'Église 8': Rue de l'Église 8 exists in several postcodes"
                                    " (1000, 1050); give the postcode"),
    ("Rue de la Lio 5", "", None, "address 'Rue de la Lio 5': street not in the address reference (closest"
                                  " streets: Rue de la Loi (1000)"),
    ("Avenue Louise 500", "", None, "address 'Avenue Louise 500': no number 500 on Avenue Louise (1050) within"
                                    " 20 numbers"),
    ("Avenue Louise 12", "1000", None, "address 'Avenue Louise 12': the street is not in postcode 1000 (it is in"
                                       " 1050)"),
    ("", "", None, "no coordinates (x and y are empty) and no address to place it by"),
]
lines = ["id,adresse,code postal,propriétaire,type,nombre de logements,motif,date de début des travaux,x,y"]
for i, (addr, pc, kind, exp) in enumerate(CASES):
    lines.append('G%d,"%s",%s,Comensia,sisp,2,R2,01/01/2028,,' % (i + 1, addr, pc))
# one record with its own coordinates keeps them, and geocode stays NULL
lines.append("G99,Avenue Louise 30,,Comensia,sisp,2,R2,01/01/2028,%d,%d" % (X0 + 10, Y0 + 10))
write(os.path.join(d, "v.csv"), "\n".join(lines) + "\n")
write(os.path.join(d, "t.ini"),
      "[run]\nreference_date = 2024-11-07\n[communes]\npath = communes.geojson\n[zones]\npath = zones.geojson\n"
      "[vacancies]\npath = v.csv\nx = x\ny = y\ncrs = EPSG:31370\nowner_type = type\n"
      "[addresses]\npath = adresses.gpkg\nstreet_fr = rue_fr\nstreet_nl = straat_nl\nnumber = huisnummer\n"
      "postcode = cp\n")
out = os.path.join(d, "out")
p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out, "--until", "locate", "-q")
check(p.returncode == 0, "geocoding run exits 0: %s" % p.stderr)
db = store(out)
acc = {r[0]: r[1:] for r in db.execute("SELECT src_row, geocode, geom, nis_code FROM vacancies")}
rej = {r[0]: r[1:] for r in db.execute("SELECT src_row, field, reason FROM rejects WHERE input = 'vacancies'")}
import struct
placed = 0
with_addr = 0
kinds = {}
for i, (addr, pc, kind, exp) in enumerate(CASES):
    row = i + 2  # the CSV's line: the header is line 1
    with_addr += bool(addr)
    if kind:
        got = acc.get(row)
        ok = got is not None and got[0] == kind
        if got:
            xy = struct.unpack("<dd", got[1][5:21])
            want = where[exp]
            ok = ok and abs(xy[0] - want[0]) < 1e-6 and abs(xy[1] - want[1]) < 1e-6
        check(ok, "row %d %r: %s at %r, got %r" % (row, addr, kind, exp, got and (got[0], xy)))
        placed += got is not None
        kinds[kind] = kinds.get(kind, 0) + 1
    else:
        got = rej.get(row)
        check(got is not None and exp in got[1], "row %d %r refused: %r, got %r" % (row, addr, exp, got))
check(placed == 17 and with_addr == 21, "match rate: 17 of the 21 records with an address (%d)" % placed)
check(kinds == {"exact": 6, "normalised": 10, "nearest": 1}, "match kinds %r" % kinds)
g99 = acc.get(len(CASES) + 2)
check(g99 is not None and g99[0] is None and g99[2] == "21004", "own coordinates kept, geocode NULL: %r" % (g99,))
ixl = acc.get(2)
check(ixl is not None and ixl[2] == "21009", "a geocoded point is located in its commune: %r" % (ixl,))
n, a, r = counts(out)["vacancies"]
check(a + r == n == len(CASES) + 1, "A + R = N: %r" % ((n, a, r),))
db.close()

# the same reference as GeoJSON, read in one go, places and refuses every record alike (the
# GeoPackage, of more than 256 addresses, is read in two halves of its FIDs on two threads)
gdal.VectorTranslate(os.path.join(d, "adresses.geojson"), ref, format="GeoJSON")
write(os.path.join(d, "json.ini"), open(os.path.join(d, "t.ini"), encoding="utf-8").read().replace(
    "path = adresses.gpkg", "path = adresses.geojson"))
out_json = os.path.join(d, "out_json")
p = run("run", "-c", os.path.join(d, "json.ini"), "-o", out_json, "--until", "locate", "-q")
check(p.returncode == 0, "GeoJSON reference runs: " + p.stderr)
if p.returncode == 0:
    both = []
    for o in (out, out_json):
        db = store(o)
        both.append((db.execute("SELECT src_row, geocode, hex(geom), nis_code FROM vacancies ORDER BY src_row")
                     .fetchall(), db.execute("SELECT src_row, field, reason FROM rejects ORDER BY src_row").fetchall()))
        db.close()
    check(both[0] == both[1] and len(both[0][0]) == 18 and len(both[0][1]) == 5,
          "GeoPackage in two halves and GeoJSON in one go: the same places and rejects (%d, %d)"
          % (len(both[0][0]), len(both[0][1])))

# an address-only file (no coordinate columns at all): every record is geocoded
write(os.path.join(d, "only.csv"), "adresse;propriétaire;type;nombre de logements;motif;date de début des travaux\n"
      "Louizalaan 2;Comensia;sisp;2;R2;\nWetstr. 9;Comensia;sisp;2;R2;\nRue de l'Église 2;Comensia;sisp;1;R2;\n")
write(os.path.join(d, "only.ini"),
      "[run]\nreference_date = 2024-11-07\n[communes]\npath = communes.geojson\n[zones]\npath = zones.geojson\n"
      "[vacancies]\npath = only.csv\nowner_type = type\n"
      "[addresses]\npath = adresses.gpkg\nstreet_fr = rue_fr\nstreet_nl = straat_nl\nnumber = huisnummer\n"
      "postcode = cp\n")
out2 = os.path.join(d, "out_only")
p = run("run", "-c", os.path.join(d, "only.ini"), "-o", out2, "--until", "locate", "-q")
check(p.returncode == 0, "address-only file runs: " + p.stderr)
if p.returncode == 0:
    db = store(out2)
    got = db.execute("SELECT src_row, geocode, nis_code FROM vacancies ORDER BY src_row").fetchall()
    check(got == [(2, "exact", "21009"), (3, "normalised", "21004")], "address-only rows: %r" % got)
    rr = db.execute("SELECT src_row, field FROM rejects").fetchall()
    check(rr == [(4, "address")], "the ambiguous one is refused: %r" % rr)
    db.close()

# a reference without the configured column is unusable as a whole
write(os.path.join(d, "bad.ini"), open(os.path.join(d, "t.ini"), encoding="utf-8").read().replace(
    "number = huisnummer", "number = numero"))
p = run("run", "-c", os.path.join(d, "bad.ini"), "-o", os.path.join(d, "out_bad"), "-q")
check(p.returncode == 4 and "no column 'numero' for 'number' in the address reference" in p.stderr,
      "missing reference column: exit 4 naming it: %d %s" % (p.returncode, p.stderr))
finish("test_geocode")

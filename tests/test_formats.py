"""Inputs as offices send them: the same 50 records in every format give the same vacancies;
coordinates in the wrong CRS or axis order stop the run with the fix; bad rows are refused one by
one with their reason and nothing is lost (A + R = N)."""
import json
import os
import random
from osgeo import gdal, ogr, osr
from tplib import *

gdal.UseExceptions()
X0, Y0 = 150000, 170000
d = workdir("formats")

# two communes side by side and one count zone over both
geojson(os.path.join(d, "communes.geojson"), [
    ({"nis_code": "21001", "name_fr": "Anderlecht", "name_nl": "Anderlecht"}, square(X0, Y0, X0 + 2000, Y0 + 2000)),
    ({"nis_code": "21004", "name_fr": "Bruxelles", "name_nl": "Brussel"}, square(X0 + 2000, Y0, X0 + 4000, Y0 + 2000)),
])
geojson(os.path.join(d, "zones.geojson"), [
    ({"zone_id": "Z1", "public_space": 12, "emergency_shelter": 30, "nonrecognised_shelter": 2, "squat": 5,
      "nonconventional": 7, "third_parties": 9}, square(X0, Y0, X0 + 4000, Y0 + 2000)),
])

# ---- the 50 records ---------------------------------------------------------------------------
rng = random.Random(3)
streets = ["Rue de l'Église", "Chaussée de Mons", "Avenue Théo Verbeeck", "Place Eugène Flagey",
           "Rue Ropsy-Chaudron", "Boulevard du Midi"]
owners = [("Comensia", "SISP"), ("Foyer Anderlechtois", "sisp"), ("Binhôme", "OVM"), ("CPAS d'Anderlecht", "CPAS"),
          ("Régie foncière", "Régie foncière"), ("AIS Quartiers", "AIS"), ("Particulier", "privé"),
          ("Ville de Bruxelles", "commune"), ("citydev.brussels", "CityDev")]
reasons = ["R1", "R2", "étude", "Travaux en cours", "en attente de financement", "attribution", "remise en état",
           "autre", "werken", "Toewijzing"]
recs = []
for i in range(50):
    owner, otype = owners[i % len(owners)]
    if i == 7:
        owner = "Foyer du Sud\n(service technique)"  # a quoted field with a line break
    y, m, dd = 2025 + i % 6, 1 + i % 12, 1 + (i * 7) % 28
    recs.append({
        "id": "B%03d" % (i + 1),
        "adresse": "%s %d" % (streets[i % len(streets)], 1 + 2 * i),
        "propriétaire": owner,
        "type de propriétaire": otype,
        "nombre de logements": 1 + (i * 5) % 23,
        "motif": reasons[i % len(reasons)],
        "vide depuis": (2020 + i % 4, 1 + (i * 5) % 12, 1 + (i * 3) % 28) if i % 5 else None,
        "date de début des travaux": (y, m, dd) if i % 4 else None,
        "accord": ("oui" if i % 2 else "non") if otype == "privé" else "",
        "x": X0 + 50.5 + rng.randrange(0, 3900),
        "y": Y0 + 25.5 + rng.randrange(0, 1900),
    })
COLS = ["id", "adresse", "propriétaire", "type de propriétaire", "nombre de logements", "motif", "vide depuis",
        "date de début des travaux", "accord", "x", "y"]


def text(r, c, dec=".", datefmt="iso"):
    v = r[c]
    if v is None:
        return ""
    if isinstance(v, tuple):
        return "%04d-%02d-%02d" % v if datefmt == "iso" else "%02d/%02d/%04d" % (v[2], v[1], v[0])
    if isinstance(v, float):
        return ("%.1f" % v).replace(".", dec)
    return str(v)


def csv_text(sep, dec, datefmt):
    def q(s):
        return '"%s"' % s.replace('"', '""') if (sep in s or "\n" in s or '"' in s) else s
    lines = [sep.join(q(c) for c in COLS)]
    for k, r in enumerate(recs):
        # dates alternate between the two written forms within one file
        lines.append(sep.join(q(text(r, c, dec, datefmt if k % 2 else "iso")) for c in COLS))
    return "\r\n".join(lines) + "\r\n"


def record_lines(text):
    """The physical line each record after the header starts on."""
    out, line, quoted, start = [], 1, False, True
    for ch in text:
        if start and ch not in "\r\n":
            out.append(line)
            start = False
        if ch == '"':
            quoted = not quoted
        elif ch == "\n":
            line += 1
            start = not quoted
    return out[1:]


csv_lines = {n: record_lines(csv_text(sep, dec, "be")) for n, sep, dec in
             (("csv_comma", ",", "."), ("csv_semicolon", ";", ","), ("csv_latin1", ";", ","),
              ("csv_bom", ",", "."))}
INI_XY = "x = x\ny = y\ncrs = EPSG:31370\n"
files = {}
files["csv_comma"] = ("v.csv", INI_XY)
write(os.path.join(d, "csv_comma", "v.csv") if os.makedirs(os.path.join(d, "csv_comma")) is None else None,
      csv_text(",", ".", "be"))
# a CSV whose points are one WKT column, which OGR reads as the feature's geometry (no x, y in
# the config): read ahead as the other CSVs are, but keeping its features, not their cells alone
# (reader.c, detach)
os.makedirs(os.path.join(d, "csv_wkt"))
wkt_text = csv_text(",", ".", "be").replace(",x,y\r\n", ",WKT\r\n", 1)
wkt_text = "\r\n".join(l if k == 0 or not l else "%s,\"POINT (%s %s)\"" % tuple(
    [l.rsplit(",", 2)[0]] + l.rsplit(",", 2)[1:]) for k, l in enumerate(wkt_text.split("\r\n")))
write(os.path.join(d, "csv_wkt", "v.csv"), wkt_text)
files["csv_wkt"] = ("v.csv", "crs = EPSG:31370\n")
csv_lines["csv_wkt"] = record_lines(wkt_text)
os.makedirs(os.path.join(d, "csv_semicolon"))
write(os.path.join(d, "csv_semicolon", "v.csv"), csv_text(";", ",", "be"))
files["csv_semicolon"] = ("v.csv", INI_XY)
os.makedirs(os.path.join(d, "csv_latin1"))
write(os.path.join(d, "csv_latin1", "v.csv"), csv_text(";", ",", "be"), encoding="latin-1")
files["csv_latin1"] = ("v.csv", INI_XY)
os.makedirs(os.path.join(d, "csv_bom"))
write(os.path.join(d, "csv_bom", "v.csv"), csv_text(",", ".", "iso"), encoding="utf-8-sig")
files["csv_bom"] = ("v.csv", INI_XY)


def ogr_file(name, driver, fname, with_geom):
    os.makedirs(os.path.join(d, name))
    path = os.path.join(d, name, fname)
    ds = ogr.GetDriverByName(driver).CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(31370)
    lyr = ds.CreateLayer("vacances", srs if with_geom else None, ogr.wkbPoint if with_geom else ogr.wkbNone)
    types = {"nombre de logements": ogr.OFTInteger, "vide depuis": ogr.OFTDate,
             "date de début des travaux": ogr.OFTDate, "x": ogr.OFTReal, "y": ogr.OFTReal}
    cols = COLS if not with_geom else COLS[:-2]
    for c in cols:
        lyr.CreateField(ogr.FieldDefn(c, types.get(c, ogr.OFTString)))
    for r in recs:
        f = ogr.Feature(lyr.GetLayerDefn())
        for c in cols:
            v = r[c]
            if v is None or v == "":
                continue
            if isinstance(v, tuple):
                f.SetField(c, v[0], v[1], v[2], 0, 0, 0, 0)
            else:
                f.SetField(c, v)
        if with_geom:
            f.SetGeometry(ogr.CreateGeometryFromWkt("POINT (%r %r)" % (r["x"], r["y"])))
        lyr.CreateFeature(f)
    ds = None
    files[name] = (fname, INI_XY if not with_geom else "")


ogr_file("xlsx", "XLSX", "v.xlsx", False)
ogr_file("ods", "ODS", "v.ods", False)
ogr_file("gpkg", "GPKG", "v.gpkg", True)
ogr_file("geojson", "GeoJSON", "v.geojson", True)

BASE = ("[run]\nreference_date = 2024-11-07\n[communes]\npath = ../communes.geojson\n"
        "[zones]\npath = ../zones.geojson\n[vacancies]\npath = %s\n%s")
# src_row is the row a person finds the record on, which differs by format (below): compared
# here is the record's position
COMPARE = ("SELECT row_number() OVER (ORDER BY src_row), src_id, address, postcode, owner, owner_type, dwellings, reason, vacant_since,"
           " works_start, owner_agreed, hex(geom), nis_code, zone_id, candidate, status, window_months,"
           " capacity, score, rank, geocode FROM vacancies ORDER BY src_row")


def run_dir(name, fname, extra, code=0):
    dd = os.path.join(d, name)
    write(os.path.join(dd, "t.ini"), BASE % (fname, extra))
    out = os.path.join(dd, "out")
    p = run("run", "-c", os.path.join(dd, "t.ini"), "-o", out, "--until", "summarise", "-q")
    check(p.returncode == code, "%s: exit %d expected, got %d: %s" % (name, code, p.returncode, p.stderr))
    return p, out


tables = {}
for name, (fname, extra) in files.items():
    p, out = run_dir(name, fname, extra)
    if p.returncode:
        continue
    c = counts(out)["vacancies"]
    check(c == (50, 50, 0), "%s: all 50 records read and accepted, got %r" % (name, c))
    db = store(out)
    tables[name] = db.execute(COMPARE).fetchall()
    src_rows = [r[0] for r in db.execute("SELECT src_row FROM vacancies ORDER BY src_row")]
    if name in ("xlsx", "ods"):
        check(src_rows == list(range(2, 52)), "%s: spreadsheet rows 2..51 (headers on row 1): %r"
              % (name, src_rows[:12]))
    elif name in ("gpkg", "geojson"):
        check(src_rows == list(range(1, 51)), "%s: features 1..50: %r" % (name, src_rows[:12]))
    else:
        lines = csv_lines[name]
        check(src_rows == lines, "%s: the CSV's physical lines %r, got %r" % (name, lines[:12], src_rows[:12]))
    rej = db.execute("SELECT src_row, field, reason FROM rejects").fetchall()
    check(rej == [], "%s: no rejects: %r" % (name, rej[:3]))
    db.close()

ref = tables.get("csv_comma")
check(any(a != b for a, b in zip(csv_lines["csv_comma"], range(2, 52))),
      "a multi-line cell makes the CSV's lines differ from its record numbers")
check(ref is not None and len(ref) == 50, "the comma CSV gives 50 vacancies")
for name, rows in tables.items():
    diff = [(a, b) for a, b in zip(ref or [], rows) if a != b]
    check(rows == ref, "%s: vacancies equal the comma CSV's; first difference: %r" % (name, diff[:1]))
if ref:
    r8 = ref[7]
    check(r8[4] == "Foyer du Sud\n(service technique)", "a quoted line break survives: %r" % (r8[4],))
    check(ref[0][2] == "Rue de l'Église 1", "accents come out in UTF-8: %r" % (ref[0][2],))
    check(ref[4][5] == "regie" and ref[2][5] == "sisp" and ref[6][5] == "private",
          "owner types in French and Dutch: %r" % ([r[5] for r in ref[:9]],))
    check([r[7] for r in ref[:10]] == ["works", "study", "study", "works", "financing", "allocation", "repair",
                                       "other", "works", "allocation"], "reasons: %r" % ([r[7] for r in ref[:10]],))
    check(ref[1][9] == "2026-02-08" and ref[1][8] == "2021-06-04", "dd/mm/yyyy dates read: %r" % (ref[1][8:10],))
    check(ref[0][9] is None, "an empty works start stays NULL")
    check(all(r[12] in ("21001", "21004") for r in ref), "every record located")
# ---- a row rejected after load: its original read again from the CSV ---------------------------
# A CSV keeps its records' original values (reader.h, tp_reader_lazy_originals): the records
# locate rejects (here the first, and the eighth, whose owner cell holds a line break) are read
# again from the file by their physical line, recoded from Latin-1 as at load.
saved = [dict(r) for r in recs]
for k in (0, 7):
    recs[k]["x"], recs[k]["y"] = X0 - 5000.5, Y0 - 5000.5
# (a BOM, which OGR reads past at load; a title above the header, which moves every line by two)
TITLE = "Inventaire des logements vides, septembre 2025\r\n\r\n"
late = {"csv_latin1": (";", ",", "latin-1", "", 0), "csv_comma": (",", ".", "utf-8", "", 0),
        "csv_bom": (",", ".", "utf-8-sig", "", 0), "csv_title": (",", ".", "utf-8", TITLE, 2)}
for name, (sep, dec, enc, title, shift) in late.items():
    dd = os.path.join(d, name + "_late")
    os.makedirs(dd)
    write(os.path.join(dd, "v.csv"), title + csv_text(sep, dec, "be"), encoding=enc)
    p, out = run_dir(name + "_late", "v.csv", INI_XY)
    if p.returncode:
        continue
    check(counts(out)["vacancies"] == (50, 48, 2), "%s: 48 accepted, 2 rejected by locate: %r"
          % (name, counts(out)["vacancies"]))
    db = store(out)
    got = db.execute("SELECT src_row, stage, original FROM rejects ORDER BY src_row").fetchall()
    lines = [n + shift for n in csv_lines["csv_comma" if name == "csv_title" else name]]
    check([(r[0], r[1]) for r in got] == [(lines[0], "locate"), (lines[7], "locate")],
          "%s: the two rows outside, at their physical lines: %r" % (name, [(r[0], r[1]) for r in got]))
    if len(got) == 2:
        first, eighth = json.loads(got[0][2] or "{}"), json.loads(got[1][2] or "{}")
        check(list(first) == COLS and first.get("propriétaire") == "Comensia"
              and first.get("adresse") == "Rue de l'Église 1",
              "%s: the first row's original, every column, in UTF-8: %r" % (name, first))
        check(eighth.get("propriétaire") == "Foyer du Sud\n(service technique)"
              and eighth.get("id") == "B008",
              "%s: the eighth row's original, its line break kept: %r" % (name, eighth))
    # nothing of the accepted rows' originals is stored: the file holds them
    stamp, kept = db.execute("SELECT s.source_stamp, (SELECT COUNT(*) FROM vacancy_originals)"
                             " FROM input_stats s WHERE s.input = 'vacancies'").fetchone()
    check(stamp is not None and kept == 0, "%s: the CSV's stamp kept, no original stored: %r"
          % (name, (stamp, kept)))
    db.close()
recs[:] = saved

# the file changed after load: locate cannot give its rejects their originals, and says so
dd = os.path.join(d, "csv_latin1_late")
ini, out = os.path.join(dd, "t.ini"), os.path.join(dd, "changed")
p = run("run", "-c", ini, "-o", out, "--until", "validate", "-q")
check(p.returncode == 0, "load .. validate: %r" % p.stderr)
with open(os.path.join(dd, "v.csv"), "ab") as f:
    f.write(b"B999;Rue 1;X;sisp;1;R1;;;;1,0;1,0\r\n")
p = run("run", "-c", ini, "-o", out, "--from", "locate", "--until", "summarise", "-q")
check(p.returncode == 4 and "v.csv: changed since the load stage read it" in p.stderr
      and "the locate stage reads the original values" in p.stderr and "run again from load" in p.stderr,
      "a CSV changed since load: exit 4, named, with the fix: %d %r" % (p.returncode, p.stderr))
db = store(out)
check(db.execute("SELECT COUNT(*) FROM rejects").fetchone()[0] == 0 and
      db.execute("SELECT COUNT(*) FROM vacancies").fetchone()[0] == 50,
      "the failed locate left the store as validate did: 50 vacancies, no reject")
db.close()
p = run("run", "-c", ini, "-o", out, "-q", "--until", "summarise")
check(p.returncode == 0 and counts(out)["vacancies"] == (51, 48, 3),
      "run again from load: the new row read too (outside, rejected): %r" % (p.stderr,))

# an XLSX keeps its originals in the store, one per accepted row
db = store(os.path.join(d, "xlsx", "out"))
check(db.execute("SELECT COUNT(*) FROM vacancy_originals").fetchone()[0] == 50,
      "xlsx: the 50 originals stored beside the rows")
db.close()

# ---- an explicit mapping wins over a recognised header -----------------------------------------
os.makedirs(os.path.join(d, "mapping"))
t = csv_text(";", ",", "be").replace("nombre de logements", "logements_total", 1).replace(
    "propriétaire;", "nom;", 1)
t = t.replace(";x;y\r\n", ";x;y;nombre de logements\r\n", 1)
t = "\r\n".join(l + (";999" if k else "") for k, l in enumerate(t.split("\r\n")[:-1])) + "\r\n"
write(os.path.join(d, "mapping", "v.csv"), t)
p, out = run_dir("mapping", "v.csv", INI_XY + "dwellings = logements_total\nowner = nom\n")
if p.returncode == 0:
    db = store(out)
    got = db.execute("SELECT dwellings, owner FROM vacancies ORDER BY src_row LIMIT 2").fetchall()
    check(got == [(1, "Comensia"), (6, "Foyer Anderlechtois")],
          "the configured column wins over 'nombre de logements' (999): %r" % got)
    db.close()

# ---- coordinates: Lambert 2008, lat/lon, swapped axes ------------------------------------------
def transformed(epsg):
    s, t = osr.SpatialReference(), osr.SpatialReference()
    s.ImportFromEPSG(31370)
    t.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    t.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(s, t)
    return [ct.TransformPoint(r["x"], r["y"])[:2] for r in recs]


def xy_csv(name, header, pts, fmt):
    os.makedirs(os.path.join(d, name))
    lines = [";".join(COLS[:-2] + header)]
    for r, (a, b) in zip(recs, pts):
        lines.append(";".join([text(r, c).replace("\n", " ") for c in COLS[:-2]] + [fmt % a, fmt % b]))
    write(os.path.join(d, name, "v.csv"), "\n".join(lines) + "\n")


l08 = transformed(3812)
xy_csv("lambert2008", ["x", "y"], l08, "%.3f")
p, out = run_dir("lambert2008", "v.csv", "x = x\ny = y\ncrs = EPSG:3812\n")
if p.returncode == 0 and ref:
    db = store(out)
    got = db.execute("SELECT src_row, nis_code, X(geom), Y(geom) FROM vacancies ORDER BY src_row").fetchall() \
        if False else db.execute("SELECT src_row, nis_code, geom FROM vacancies ORDER BY src_row").fetchall()
    db.close()
    import struct
    worst = 0
    same = True
    for (row, nis, g), r72, rec in zip(got, ref, recs):
        x, y = struct.unpack("<dd", g[5:21])
        worst = max(worst, abs(x - rec["x"]), abs(y - rec["y"]))
        same = same and nis == r72[12]
    check(len(got) == 50 and same, "Lambert 2008 twin lands in the same communes")
    check(worst < 1.0, "Lambert 2008 twin within 1 m of Lambert 72 (worst %.3f m)" % worst)

ll = transformed(4326)  # (lon, lat)
xy_csv("latlon_swapped", ["lat", "lon"], [(b, a) for a, b in ll], "%.7f")
p, out = run_dir("latlon_swapped", "v.csv", "x = lat\ny = lon\ncrs = EPSG:4326\n", code=4)
check("v.csv: with crs = EPSG:4326 the points fall about" in p.stderr and " km from the region" in p.stderr,
      "lat/lon swapped: distance named: " + p.stderr)
check("read as lon/lat with x and y swapped they fall inside: set x = lon and y = lat" in p.stderr,
      "lat/lon swapped: the fix named: " + p.stderr)
check(not os.path.exists(os.path.join(out, "tremplin.gpkg")), "lat/lon swapped: nothing written")
# the same file with the fix applied runs, and lands where Lambert 72 does
p, out = run_dir("latlon_swapped", "v.csv", "x = lon\ny = lat\ncrs = EPSG:4326\n")
if p.returncode == 0 and ref:
    db = store(out)
    got = [r[0] for r in db.execute("SELECT nis_code FROM vacancies ORDER BY src_row")]
    db.close()
    check(got == [r[12] for r in ref], "lon/lat, either column order, lands in the same communes")

xy_csv("l08_as_l72", ["x", "y"], l08, "%.2f")
p, out = run_dir("l08_as_l72", "v.csv", "x = x\ny = y\ncrs = EPSG:31370\n", code=4)
check("with crs = EPSG:31370 the points fall about" in p.stderr and
      "read as EPSG:3812 (Belgian Lambert 2008) they fall inside: set crs = EPSG:3812 in section [vacancies]"
      in p.stderr, "Lambert 2008 read as Lambert 72: the fix named: " + p.stderr)

# ---- a file of deliberately bad rows -----------------------------------------------------------
os.makedirs(os.path.join(d, "bad"))
H = "id;adresse;propriétaire;type de propriétaire;nombre de logements;motif;date de début des travaux;x;y"
P = "%d;%d" % (X0 + 500, Y0 + 500)
# rows are the file's lines: the header is line 1, the first record line 2
bad = [
    "G1;Rue Haute 10;Comensia;SISP;4;R2;01/01/2028;" + P,           # 2 ok
    "G2;Rue Haute 12;Comensia;SISP;trois;R2;01/01/2028;" + P,       # 3 dwellings
    "G3;Rue Haute 14;Comensia;SISP;4;R9;01/01/2028;" + P,           # 4 unknown reason code
    "G4;Rue Haute 16;Comensia;SISP;4;en vacances;01/01/2028;" + P,  # 5 unknown free text
    "G5;Rue Haute 18;Banque;banque;4;R2;01/01/2028;" + P,           # 6 owner type
    "G6;Rue Haute 20;Comensia;SISP;4;R2;31/02/2028;" + P,           # 7 date
    "G1;Rue Haute 22;Comensia;SISP;4;R2;01/01/2028;" + P,           # 8 same id as row 2
    "G8;rue haute 10;Comensia;SISP;2;R1;;" + P,                      # 9 same address as row 2
    "G9;Rue Haute 24;Comensia;SISP;4;R2;;;",                         # 10 no coordinates, no reference
    "G10;Rue Haute 26;Comensia;SISP;4;R2;;15O500;%d" % (Y0 + 500),  # 11 x
    "G11;Rue Haute 28;Comensia;SISP;-2;R2;;" + P,                    # 12 negative
    "G12;Rue Haute 30;Log'Iris;OVM;2;R1 - travaux en cours;2027-03-01;" + P,  # 13 ok: R1 with text
    "G2;Rue Haute 12;Comensia;SISP;3;R2;01/01/2028;" + P,           # 14 ok: row 3 was refused
    "G14;Rue Haute 32;Comensia;SISP;4;R2;;%d;%d" % (X0 + 9000, Y0 + 500),  # 15 outside the communes
]
write(os.path.join(d, "bad", "v.csv"), H + "\n" + "\n".join(bad) + "\n")
p, out = run_dir("bad", "v.csv", INI_XY)
if p.returncode == 0:
    c = counts(out)
    check(c["vacancies"] == (14, 3, 11), "bad rows: N=14, A=3, R=11, got %r" % (c["vacancies"],))
    db = store(out)
    rej = {r[0]: r[1:] for r in db.execute(
        "SELECT src_row, stage, field, reason, original FROM rejects WHERE input = 'vacancies'")}
    exp = {
        3: ("load", "dwellings", "not a whole number: 'trois'"),
        4: ("load", "reason", "unknown vacancy reason 'R9' (expected works/R1, study/R2, financing, allocation,"
                              " repair or other)"),
        5: ("load", "reason", "unknown vacancy reason 'en vacances' (expected works/R1, study/R2, financing,"
                              " allocation, repair or other)"),
        6: ("load", "owner_type", "unknown owner type 'banque' (expected sisp, ais, cpas, commune, regie, citydev"
                                  " or private)"),
        7: ("load", "works_start", "not a date (expected dd/mm/yyyy, yyyy-mm-dd, a month 03/2027, a quarter T3 2027 or a year): '31/02/2028'"),
        8: ("load", "id", "duplicate of row 2 (same id)"),
        9: ("load", "address", "duplicate of row 2 (same address)"),
        10: ("load", "geometry", "no coordinates (x and y are empty); add an [addresses] section to place it"
                                " by its address"),
        11: ("load", "x", "x is not a number: '15O500'"),
        12: ("load", "dwellings", "negative: '-2'"),
        15: ("locate", "geometry", "outside every commune of the region (x 159000.0, y 170500.0 in the working CRS)"),
    }
    check(sorted(rej) == sorted(exp), "rejected rows: %r" % sorted(rej))
    for row, e in exp.items():
        got = rej.get(row)
        check(got is not None and got[:3] == e, "row %d: expected %r, got %r" % (row, e, got and got[:3]))
    o = rej.get(3, (None,) * 4)[3] or ""
    check('"propriétaire":"Comensia"' in o and '"nombre de logements":"trois"' in o,
          "a reject keeps its original values: " + o)
    acc = db.execute("SELECT src_row, reason FROM vacancies ORDER BY src_row").fetchall()
    check(acc == [(2, "study"), (13, "works"), (14, "study")], "accepted: %r" % acc)
    db.close()
finish("test_formats")

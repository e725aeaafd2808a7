"""Bad input: one clear message naming file, layer, row and field; nothing lost (A + R = N)."""
import csv
import json
import os
from tplib import *

X, Y = 150100, 170100
d = workdir("bad_input")
geojson(os.path.join(d, "communes.geojson"), [
    ({"nis_code": "21001", "name_fr": "A", "name_nl": "A"}, square(150000, 170000, 151000, 171000)),
    ({"nis_code": "21001", "name_fr": "A bis", "name_nl": "A bis"}, square(151000, 170000, 152000, 171000)),
    ({"nis_code": "21003", "name_fr": "Sans forme", "name_nl": "Zonder vorm"}, None),
    ({"nis_code": "21004", "name_fr": "Nœud", "name_nl": "Knoop"},
     {"type": "Polygon", "coordinates": [[[152000, 170000], [153000, 171000], [153000, 170000],
                                          [152000, 171000], [152000, 170000]]]}),
])
geojson(os.path.join(d, "zones.geojson"), [
    ({"zone_id": "Z1", "public_space": 2, "emergency_shelter": "", "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 0, "third_parties": 0}, square(150000, 170000, 151000, 171000)),
    ({"zone_id": "Z2", "public_space": "beaucoup", "emergency_shelter": 0, "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 0, "third_parties": 0}, square(150000, 170000, 151000, 171000)),
])
rows = [
    "id,owner,owner_type,dwellings,reason,works_start,x,y",
    "ok1,Comensia,sisp,3,study,2028-01-01,%d,%d" % (X, Y),
    "bad-count,Comensia,sisp,trois,study,2028-01-01,%d,%d" % (X, Y),
    "bad-date,Comensia,sisp,3,study,31/13/2027,%d,%d" % (X, Y),
    "no-xy,Comensia,sisp,3,study,2028-01-01,,",
    "bad-reason,Comensia,sisp,3,R9,2028-01-01,%d,%d" % (X, Y),
    "bad-owner,Banque,banque,3,study,2028-01-01,%d,%d" % (X, Y),
    "bad-x,Comensia,sisp,3,study,2028-01-01,15O100,%d" % Y,
    "outside,Comensia,sisp,3,study,2028-01-01,100000,100000",
    "ok2,Log'Iris,sisp,2,repair,,%d,%d" % (X + 10, Y + 10),
]
write(os.path.join(d, "vacancies.csv"), "\n".join(rows) + "\n")
ini = ("[run]\nreference_date = 2024-11-07\n[communes]\npath = communes.geojson\n"
       "[zones]\npath = zones.geojson\n[vacancies]\npath = vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n")
write(os.path.join(d, "t.ini"), ini)
out = os.path.join(d, "out")
p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out, check_rc=0)
check(p.returncode == 0, "a file with bad rows still runs: %s" % p.stderr)
c = counts(out)
for name, (n, a, r) in c.items():
    check(n is not None and a + r == n, "%s: A + R = N (%r)" % (name, (n, a, r)))
check(c["vacancies"] == (9, 2, 7), "vacancies counts %r" % (c["vacancies"],))
check(c["communes"] == (4, 2, 2), "communes counts %r" % (c["communes"],))
check(c["zones"] == (2, 1, 1), "zones counts %r" % (c["zones"],))
db = store(out)
rej = {(r[0], r[1]): r[2:] for r in db.execute(
    "SELECT input, src_row, stage, field, reason, source_file, layer, original FROM rejects")}
exp = {
    ("vacancies", 3): ("load", "dwellings", "not a whole number: 'trois'"),
    ("vacancies", 4): ("load", "works_start", "not a date (expected dd/mm/yyyy, yyyy-mm-dd, a month 03/2027, a quarter T3 2027 or a year): '31/13/2027'"),
    ("vacancies", 5): ("load", "geometry", "no coordinates (x and y are empty)"),
    ("vacancies", 6): ("load", "reason", "unknown vacancy reason 'R9'"),
    ("vacancies", 7): ("load", "owner_type", "unknown owner type 'banque'"),
    ("vacancies", 8): ("load", "x", "x is not a number: '15O100'"),
    ("vacancies", 9): ("locate", "geometry", "outside every commune of the region"),
    ("communes", 2): ("validate", "nis_code", "duplicate nis_code '21001' (first at row 1)"),
    ("communes", 3): ("load", "geometry", "no geometry"),
    ("zones", 2): ("load", "public_space", "not a whole number: 'beaucoup'"),
}
for key, (stage, field, reason) in exp.items():
    got = rej.get(key)
    check(got is not None and got[0] == stage and got[1] == field and reason in got[2],
          "reject %r: expected %r, got %r" % (key, (stage, field, reason), got))
r = rej.get(("vacancies", 3))
check(r is not None and r[3].endswith("vacancies.csv") and r[4] == "vacancies" and '"dwellings":"trois"' in r[5],
      "reject keeps file, layer and original values: %r" % (r,))
# every vacancy reject's original values are its row as the file has it, keyed by the header: those
# load refused and the one locate moved out of the vacancies (kept as an array beside its row until
# then, its keys once per input: store.h)
src = list(csv.reader(rows))
for (inp, row), r in rej.items():
    if inp == "vacancies":
        check(json.loads(r[5]) == dict(zip(src[0], src[row - 1])),
              "row %d's original is the file's row: %s" % (row, r[5]))
check("vacancies.csv, layer vacancies, row 3, field dwellings: not a whole number: 'trois'" in p.stderr,
      "stderr names file, layer, row and field: " + p.stderr)
rep = db.execute("SELECT COUNT(*) FROM communes WHERE nis_code = '21004'").fetchone()[0]
check(rep == 1, "the bow-tie commune is repaired, not rejected")
db.close()
gp = os.path.join(out, "tremplin.gpkg")
n_rej = gpkg_rows(gp, "SELECT COUNT(*) FROM rejects")[0][0]
check(n_rej == 10, "rejects layer holds all 10 rejects, got %d" % n_rej)


def fails(name, ini_text, code, *needles, files=None):
    dd = workdir("bad_input_" + name)
    for f in ("communes.geojson", "zones.geojson", "vacancies.csv"):
        if os.path.exists(os.path.join(d, f)):
            write(os.path.join(dd, f), open(os.path.join(d, f), encoding="utf-8").read())
    for f, text in (files or {}).items():
        write(os.path.join(dd, f), text)
    write(os.path.join(dd, "t.ini"), ini_text)
    o = os.path.join(dd, "out")
    p = run("run", "-c", os.path.join(dd, "t.ini"), "-o", o)
    check(p.returncode == code, "%s: exit %d expected, got %d (%s)" % (name, code, p.returncode, p.stderr))
    for n in needles:
        check(n in p.stderr, "%s: stderr should say %r: %s" % (name, n, p.stderr))
    check(not os.path.exists(os.path.join(o, "tremplin.gpkg")), "%s: no tremplin.gpkg left" % name)
    check(not [f for f in os.listdir(o) if ".tmp" in f] if os.path.isdir(o) else True,
          "%s: no temporary file left" % name)


fails("missing_file", ini.replace("vacancies.csv", "absent.csv"), 4, "absent.csv: file not found")
fails("missing_field", ini + "dwellings = nombre_logements\n", 4,
      "vacancies.csv, layer vacancies: no column 'nombre_logements' for field 'dwellings'")
fails("unknown_crs", ini.replace("crs = EPSG:31370", "crs = EPSG:999999"), 4,
      "vacancies.csv, layer vacancies: unknown CRS 'EPSG:999999' (section [vacancies])")
fails("unknown_run_crs", ini.replace("[run]\n", "[run]\ncrs = EPSG:999999\n"), 3,
      "t.ini: [run] crs: unknown CRS 'EPSG:999999'")
fails("no_crs", ini.replace("crs = EPSG:31370\n", ""), 4,
      "the source declares no CRS; add 'crs = EPSG:31370'", "[vacancies]")
fails("empty_layer", ini.replace("vacancies.csv", "empty.csv"), 4, "empty.csv, layer empty: the layer is empty",
      files={"empty.csv": "id,owner,owner_type,dwellings,reason,works_start,x,y\n"})
fails("not_a_geopackage", ini.replace("vacancies.csv", "vacancies.gpkg"), 4,
      "vacancies.gpkg: not a vector file OGR can read (input 'vacancies'): `",
      "vacancies.gpkg' not recognized as a supported file format.\n",
      files={"vacancies.gpkg": "id,owner\nok1,Comensia\n"})
fails("bad_config_key", ini + "colour = blue\n", 3, "[vacancies] colour: unknown key")
fails("bad_reference_date", ini.replace("2024-11-07", "demain"), 3, "[run] reference_date: not a date: 'demain'")

# an output that cannot be written (a folder stands where tremplin.gpkg goes): exit 5 naming it, no
# temporary file left, the folder untouched
dd = workdir("bad_output")
for f in ("communes.geojson", "zones.geojson", "vacancies.csv", "t.ini"):
    write(os.path.join(dd, f), open(os.path.join(d, f), encoding="utf-8").read())
o = os.path.join(dd, "out")
p = run("run", "-c", os.path.join(dd, "t.ini"), "-o", o)
check(p.returncode == 0 and os.path.isfile(os.path.join(o, "tremplin.gpkg")), "first run writes the outputs")
os.remove(os.path.join(o, "tremplin.gpkg"))
os.makedirs(os.path.join(o, "tremplin.gpkg"))
write(os.path.join(o, "tremplin.gpkg", "keep.txt"), "a folder in the way")
p = run("run", "-c", os.path.join(dd, "t.ini"), "-o", o, "--from", "write")
check(p.returncode == 5 and "tremplin.gpkg" in p.stderr, "unwritable GeoPackage: exit 5 naming it: %d %s"
      % (p.returncode, p.stderr))
check([f for f in os.listdir(o) if ".tmp" in f] == [], "no temporary file left: %r" % os.listdir(o))
check(os.path.exists(os.path.join(o, "tremplin.gpkg", "keep.txt")), "what was there is untouched")
# a vacancy from a file with geometries that locate moves out: its original values name the
# geometry, after the columns, as a reject of load's would
dd = workdir("bad_input_geometry")
for f in ("communes.geojson", "zones.geojson"):
    write(os.path.join(dd, f), open(os.path.join(d, f), encoding="utf-8").read())
geojson(os.path.join(dd, "vacancies.geojson"), [
    ({"id": "in", "owner": "Comensia", "owner_type": "sisp", "dwellings": 3, "reason": "study",
      "works_start": "2028-01-01"},
     {"type": "Point", "coordinates": [X, Y]}),
    ({"id": "out", "owner": "Comensia", "owner_type": "sisp", "dwellings": 4, "reason": "study",
      "works_start": "2028-01-01"},
     {"type": "Point", "coordinates": [100000, 100000]}),
])
write(os.path.join(dd, "t.ini"), ini.replace("vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n",
                                             "vacancies.geojson\n"))
p = run("run", "-c", os.path.join(dd, "t.ini"), "-o", os.path.join(dd, "out"), "-q")
check(p.returncode == 0, "GeoJSON vacancies run: %s" % p.stderr)
db = store(os.path.join(dd, "out"))
got = db.execute("SELECT stage, original FROM rejects WHERE input = 'vacancies'").fetchall()
db.close()
check(len(got) == 1 and got[0][0] == "locate" and json.loads(got[0][1]) == {
    "id": "out", "owner": "Comensia", "owner_type": "sisp", "dwellings": "4", "reason": "study",
    "works_start": "2028-01-01",
    "geometry": "POINT (100000 100000)"}, "the moved vacancy's original, geometry last: %r" % got)
finish("test_bad_input")

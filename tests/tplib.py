"""Helpers shared by the end-to-end tests: run tremplin, make inputs, read outputs."""
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys

TREMPLIN = os.environ.get("TREMPLIN", "tremplin")
SRC = os.environ.get("TREMPLIN_SRC", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TMP = os.environ.get("TREMPLIN_TMP", "/tmp/tremplin-tests")
SHARED = os.path.join(SRC, "..", "shared", "data", "brussels")
VALIDATOR = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
SKIP = 77

failures = []


def check(cond, what):
    """Records a failed expectation with its description; never stops the test."""
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def finish(name):
    print("%s: %s" % (name, "ok" if not failures else "%d failed" % len(failures)))
    sys.exit(1 if failures else 0)


def workdir(name):
    d = os.path.join(TMP, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def run(*args, check_rc=None):
    p = subprocess.run([TREMPLIN] + list(args), capture_output=True, text=True)
    if check_rc is not None and p.returncode != check_rc:
        print(p.stdout, p.stderr, file=sys.stderr)
    return p


def write(path, text, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)


def geojson(path, features, crs="EPSG:31370"):
    """Writes a GeoJSON FeatureCollection of (properties, wkt-ish geometry dict)."""
    fc = {"type": "FeatureCollection",
          "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:" + crs.replace(":", "::")}},
          "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features]}
    write(path, json.dumps(fc, ensure_ascii=False))


def square(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


# The six people categories but public_space, all 0: a zone fixture names only what it counts.
ZERO_CATEGORIES = {"emergency_shelter": 0, "nonrecognised_shelter": 0, "squat": 0, "nonconventional": 0,
                   "third_parties": 0}


def square_communes(path, x0, y0, n):
    """communes.geojson of n 1 km squares side by side from (x0, y0): 21001 "A", 21002 "B", ..."""
    geojson(path, [({"nis_code": "2100%d" % (i + 1), "name_fr": chr(65 + i), "name_nl": chr(65 + i)},
                    square(x0 + 1000 * i, y0, x0 + 1000 * (i + 1), y0 + 1000)) for i in range(n)])


def store(outdir):
    return sqlite3.connect(os.path.join(outdir, "work.sqlite"))


def counts(outdir):
    """{input: (read, accepted, rejected)} from the working store."""
    db = store(outdir)
    res = {}
    for name in ("communes", "vacancies", "zones"):
        n = db.execute("SELECT read FROM input_stats WHERE input = ?", (name,)).fetchone()
        a = db.execute("SELECT COUNT(*) FROM %s" % name).fetchone()[0]
        r = db.execute("SELECT COUNT(*) FROM rejects WHERE input = ?", (name,)).fetchone()[0]
        res[name] = (n[0] if n else None, a, r)
    db.close()
    return res


def gpkg_rows(path, sql):
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def validate_gpkg(path):
    p = subprocess.run(["/usr/bin/python3", VALIDATOR, "-k", "--extra", "--warning-as-error", path],
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def printed(label):
    """A published label as print writes it (geo/numbers.h): a number's thousands grouped by a
    narrow no-break space and a decimal comma ("2820" -> "2 820", "66.4" -> "66,4"); a withheld
    label ("<5", "x") as it is."""
    import re
    m = re.fullmatch(r"(-?)(\d+)(?:\.(\d+))?", label or "")
    if not m:
        return label
    d = m.group(2)
    groups = []
    while len(d) > 3:
        groups.insert(0, d[-3:])
        d = d[:-3]
    groups.insert(0, d)
    return m.group(1) + "\u202f".join(groups) + ("," + m.group(3) if m.group(3) else "")

#!/usr/bin/env python3
"""The geocoding scenario of issue 12: N address-only vacancy records placed on an M-address
reference (Brussels has about 600,000), timed through `tremplin run --until locate`.

The reference comes from the bench generator (`tremplin-benchgen addresses M`: streets of 100
numbers, a French and a Dutch name each); the records are `tremplin demo --records N`'s, their
coordinates replaced by an address drawn from the reference: 70 % as the reference writes it in
French, 20 % in Dutch, 10 % abbreviated and in lower case ("r. alpha 12", normalised).  Prints the
run's timings, how the records were placed (vacancies.geocode) and the load stage's time beside the
same records loaded by their coordinates.

Usage: bench/geocode.py --build BUILD_DIR [--dir DIR] [--records N] [--reference M]
"""
import argparse
import csv
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (job_ini: the same job as the pipeline scenario)

ap = argparse.ArgumentParser()
ap.add_argument("--build", required=True)
ap.add_argument("--dir", default="bench/data/geocode")
ap.add_argument("--records", type=int, default=100_000)
ap.add_argument("--reference", type=int, default=600_000)
a = ap.parse_args()
tp = os.path.join(a.build, "tremplin")
gen = os.path.join(a.build, "tremplin-benchgen")
os.makedirs(a.dir, exist_ok=True)
ref = os.path.join(a.dir, "adresses-%d.gpkg" % a.reference)
if not os.path.exists(ref):
    subprocess.run([gen, "addresses", str(a.reference), ref], check=True)
demo = os.path.join(a.dir, "demo-%d" % a.records)
if not os.path.exists(os.path.join(demo, "inputs.done")):
    shutil.rmtree(demo, ignore_errors=True)
    subprocess.run([tp, "demo", "-o", demo, "--records", str(a.records), "--until", "load", "-q"], check=True)
    open(os.path.join(demo, "inputs.done"), "w").close()
inputs = os.path.join(demo, "inputs")

db = sqlite3.connect(ref)
streets = db.execute("SELECT rue_fr, straat_nl, huisnummer, cp FROM adresses").fetchall()
db.close()
rnd = random.Random(12)
geo = os.path.join(a.dir, "run-%d-%d" % (a.records, a.reference))
shutil.rmtree(geo, ignore_errors=True)
os.makedirs(os.path.join(geo, "inputs"))
with open(os.path.join(inputs, "vacancies.csv"), encoding="utf-8", newline="") as f:
    rows = list(csv.DictReader(f))
cols = [c for c in rows[0].keys() if c not in ("x", "y", "address", "postcode")] + ["address", "postcode"]
with open(os.path.join(geo, "inputs", "vacancies.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, cols, extrasaction="ignore")
    w.writeheader()
    # each record a different address: the same address twice is a duplicate (rejected at load)
    picks = rnd.sample(range(len(streets)), len(rows))
    for i, r in enumerate(rows):
        fr, nl, num, cp = streets[picks[i]]
        u = rnd.random()
        r["address"] = ("%s %s" % (fr, num) if u < 0.7 else "%s %s" % (nl, num) if u < 0.9
                        else "r. %s %s" % (fr[4:].lower(), num))
        r["postcode"] = cp
        w.writerow(r)
for name in ("communes.gpkg", "zones.gpkg"):
    shutil.copy(os.path.join(inputs, name), os.path.join(geo, "inputs", name))
# the peers' job (bench.py's job_ini: one vacancy file, the latest count, the communes), its
# vacancies placed by address: the demo's other inputs (register, snapshots, editions) are not
# what this scenario times
job = bench.job_ini(inputs)
ini = open(job, encoding="utf-8").read()
ini = re.sub(r"\nx = x\ny = y\n", "\n", ini, count=1)
ini += ("\n[addresses]\npath = %s\nstreet_fr = rue_fr\nstreet_nl = straat_nl\nnumber = huisnummer\n"
        "postcode = cp\n" % os.path.abspath(ref))
open(os.path.join(geo, "inputs", "tremplin.ini"), "w", encoding="utf-8").write(ini)


def run(ini, out):
    shutil.rmtree(out, ignore_errors=True)
    t = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "peak %M KB", tp, "run", "-c", ini, "-o", out,
                        "--until", "locate"], capture_output=True, text=True)
    wall = time.monotonic() - t
    if p.returncode:
        raise SystemExit(p.stderr)
    m = re.search(r"^timings: (.*)$", p.stderr, re.M)
    peak = re.search(r"peak (\d+) KB", p.stderr)
    return wall, m.group(1) if m else "?", int(peak.group(1)) // 1024 if peak else -1


print("load average %.1f" % os.getloadavg()[0])
w, t, mb = run(os.path.join(geo, "inputs", "tremplin.ini"), os.path.join(geo, "out"))
db = sqlite3.connect(os.path.join(geo, "out", "work.sqlite"))
kinds = db.execute("SELECT geocode, COUNT(*) FROM vacancies GROUP BY geocode ORDER BY 2 DESC").fetchall()
rejected = db.execute("SELECT stage, COUNT(*) FROM rejects WHERE input = 'vacancies' GROUP BY stage").fetchall()
db.close()
print("%d address-only records on %d reference addresses: %.2f s (wall, until locate), peak %d MB"
      % (a.records, a.reference, w, mb))
print("  timings: " + t)
print("  placed: %s; rejected: %s" % (kinds, rejected))
w2, t2, mb2 = run(job, os.path.join(geo, "out-xy"))
print("the same records by their coordinates: %.2f s, peak %d MB\n  timings: %s" % (w2, mb2, t2))

"""The pipeline on a hand-made region whose answer is known by hand.

Two communes, A = [0,1000]x[0,1000] and B = [1000,2000]x[0,1000] (Lambert 72 metres, shifted
into Brussels). Zone Z1 straddles them half and half with 10 people; Z2 lies half in B and half
outside the region with 7 people; Z3 lies wholly outside with 4 people. Expected: A gets 5,
B gets 5 + 7 = 12, Z3 is rejected, and the total apportioned (17) equals the total counted inside.
"""
import os
from tplib import *

X0, Y0 = 150000, 170000
d = workdir("pipeline")
geojson(os.path.join(d, "communes.geojson"), [
    ({"nis_code": "21002", "name_fr": "Bé", "name_nl": "Bee"}, square(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)),
    ({"nis_code": "21001", "name_fr": "A", "name_nl": "A"}, square(X0, Y0, X0 + 1000, Y0 + 1000)),
])
geojson(os.path.join(d, "zones.geojson"), [
    ({"zone_id": "Z1", "public_space": 2, "emergency_shelter": 3, "nonrecognised_shelter": 0,
      "squat": 1, "nonconventional": 4, "third_parties": 0}, square(X0 + 500, Y0, X0 + 1500, Y0 + 1000)),
    ({"zone_id": "Z2", "public_space": 7, "emergency_shelter": 0, "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 0, "third_parties": 0}, square(X0 + 1500, Y0, X0 + 2500, Y0 + 1000)),
    ({"zone_id": "Z3", "public_space": 4, "emergency_shelter": 0, "nonrecognised_shelter": 0,
      "squat": 0, "nonconventional": 0, "third_parties": 0}, square(X0 + 3000, Y0, X0 + 4000, Y0 + 1000)),
])
# reference date 2024-11-07: 2027-11-07 is 36.0 months later, 2025-11-07 is 12.0
write(os.path.join(d, "vacancies.csv"),
      "id,owner,owner_type,dwellings,reason,works_start,owner_agreed,x,y\n"
      "v1,Comensia,SISP,10,R2,2027-11-07,,%d,%d\n"      # A, candidate, 36 months
      "v2,Log'Iris,sisp,4,R1,2027-11-07,,%d,%d\n"       # B, works under way
      "v3,Particulier,private,2,study,2028-11-07,no,%d,%d\n"  # B, private without agreement
      "v4,Particulier,private,2,study,2028-11-07,oui,%d,%d\n" # B, private with agreement
      "v5,CPAS,cpas,3,repair,07/11/2025,,%d,%d\n"       # A, 12-month window: too short
      "v6,CityDev,citydev,1,financing,,,%d,%d\n"        # on the A|B border: goes to 21001
      "v7,Commune,commune,5,study,2030-01-01,,%d,%d\n"  # outside the region: rejected
      % (X0 + 100, Y0 + 100, X0 + 1900, Y0 + 900, X0 + 1200, Y0 + 200, X0 + 1300, Y0 + 300,
         X0 + 200, Y0 + 800, X0 + 1000, Y0 + 500, X0 + 5000, Y0 + 500))
write(os.path.join(d, "t.ini"),
      "[run]\nreference_date = 07/11/2024\noccupancy = 1.5\n"
      "[communes]\npath = communes.geojson\n"
      "[zones]\npath = zones.geojson\n"
      "[vacancies]\npath = vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n")
out = os.path.join(d, "out")
p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out, check_rc=0)
check(p.returncode == 0, "run exits 0, got %d: %s" % (p.returncode, p.stderr))
check("vacancies read 7, accepted 6, rejected 1" in p.stdout, "report line for vacancies: " + p.stdout)
check("zones     read 3, accepted 2, rejected 1" in p.stdout, "report line for zones: " + p.stdout)

db = store(out)
shares = db.execute("SELECT zone_id, nis_code, round(share, 12), round(people, 9) FROM zone_shares"
                    " ORDER BY zone_id, nis_code").fetchall()
check(shares == [("Z1", "21001", 0.5, 5.0), ("Z1", "21002", 0.5, 5.0), ("Z2", "21002", 1.0, 7.0)],
      "zone shares by hand: %r" % shares)
z2 = db.execute("SELECT area, inside_area, outside_area FROM zones WHERE zone_id = 'Z2'").fetchone()
check(abs(z2[0] - 1e6) < 1e-6 and abs(z2[1] - 5e5) < 1e-6 and abs(z2[2] - 5e5) < 1e-6,
      "Z2 half outside: %r" % (z2,))
rej = db.execute("SELECT input, src_row, stage, field, reason FROM rejects ORDER BY input, src_row").fetchall()
check(("zones", 3, "apportion", "geometry", "the zone lies wholly outside the region's communes") in rej,
      "Z3 rejected: %r" % rej)
check(any(r[0] == "vacancies" and r[1] == 8 and r[2] == "locate" and "outside every commune" in r[4]
          for r in rej), "v7, line 8 of the CSV, rejected as outside: %r" % rej)
summ = dict(db.execute("SELECT nis_code, people_total FROM commune_summary").fetchall())
check(abs(summ["21001"] - 5) < 1e-9 and abs(summ["21002"] - 12) < 1e-9, "people per commune %r" % summ)
inside_total = db.execute("SELECT SUM(total) FROM zones").fetchone()[0]
check(abs(sum(summ.values()) - inside_total) < 1e-9, "people conserved")
cat = db.execute("SELECT public_space, emergency_shelter, squat, nonconventional FROM commune_summary"
                 " WHERE nis_code = '21001'").fetchone()
check(cat == (1.0, 1.5, 0.5, 2.0), "categories apportioned: %r" % (cat,))

v = {r[0]: r[1:] for r in db.execute(
    "SELECT src_id, nis_code, candidate, status, window_months, capacity, rank, score FROM vacancies")}
check(v["v1"][:2] == ("21001", 1) and v["v1"][3] == 36.0 and v["v1"][4] == 15.0, "v1 candidate %r" % (v["v1"],))
check(v["v2"][1] == 0 and "works under way" in v["v2"][2], "v2 works %r" % (v["v2"],))
check(v["v3"][1] == 0 and "private owner" in v["v3"][2], "v3 private %r" % (v["v3"],))
check(v["v4"][1] == 1, "v4 private with agreement is a candidate %r" % (v["v4"],))
check(v["v5"][1] == 0 and "12.0-month window, under the 24-month minimum" in v["v5"][2], "v5 %r" % (v["v5"],))
check(v["v6"][0] == "21001" and "no planned works start" in v["v6"][2], "v6 border and no date %r" % (v["v6"],))
# Scores by hand. Need: A 5 people / (10 + 3 + 1) empty dwellings = 0.357, B 12 / (4 + 2 + 2) = 1.5,
# the largest; A's need part is 30 × ⌊10 × 0.357 / 1.5⌋ / 10 = 30 × 0.2 = 6, B's 30.
# v4: 2028-11-07 is 1461 days = 48.0 months: 50 × 48 / 60 = 40; 20 × 2 / 20 = 2; + 30 = 72.0
# v1: 36.0 months: 50 × 36 / 60 = 30; 20 × 10 / 20 = 10; + 6 = 46.0
check(v["v4"][6] == 72.0 and v["v1"][6] == 46.0, "scores: v4 %r, v1 %r" % (v["v4"][6], v["v1"][6]))
ranks = sorted((r[5], k) for k, r in v.items() if r[5] is not None)
check(ranks == [(1, "v4"), (2, "v1")], "v4 ranks before v1: %r" % ranks)
db.close()

g = os.path.join(out, "tremplin.gpkg")
check(os.path.exists(g), "tremplin.gpkg written")
rc, msg = validate_gpkg(g)
check(rc == 0, "validate_gpkg: " + msg)
rows = read_csv(os.path.join(out, "indicators.csv"))
check([r["nis_code"] for r in rows] == ["21001", "21002"], "csv rows")
check(rows[1]["name_fr"] == "Bé", "UTF-8 name in CSV: %r" % rows[1]["name_fr"])

# resume: --from score with another occupancy changes capacity, not the locate results
write(os.path.join(d, "t2.ini"), open(os.path.join(d, "t.ini")).read().replace("occupancy = 1.5", "occupancy = 2"))
p = run("run", "-c", os.path.join(d, "t2.ini"), "-o", out, "--from", "score", check_rc=0)
check(p.returncode == 0, "resume from score: " + p.stderr)
db = store(out)
cap = db.execute("SELECT capacity FROM vacancies WHERE src_id = 'v1'").fetchone()[0]
check(cap == 20.0, "capacity after resume with occupancy 2: %r" % cap)
db.close()

# resume from locate: the places and scores, in tables of their own, are written again, not added
p = run("run", "-c", os.path.join(d, "t2.ini"), "-o", out, "--from", "locate", check_rc=0)
check(p.returncode == 0, "resume from locate: " + p.stderr)
db = store(out)
places = db.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM vacancy_place").fetchone()
scores = db.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM vacancy_score").fetchone()
n = db.execute("SELECT COUNT(*) FROM vacancies WHERE nis_code IS NOT NULL").fetchone()[0]
check(places == (n, n) and scores == (n, n) and n == len(v),
      "one place and one score per vacancy after resume: %r %r of %d" % (places, scores, n))
# the view keeps the wide table's columns, in its order, for every reader
cols = [r[1] for r in db.execute("PRAGMA table_info(vacancies)")]
check(cols == ["id", "src_row", "src_id", "address", "postcode", "owner", "owner_type", "dwellings",
               "reason", "vacant_since", "works_start", "owner_agreed", "geom", "nis_code", "zone_id",
               "candidate", "status", "window_months", "capacity", "score", "rank", "geocode",
               "works_start_precision", "occupation", "occupied_by"], "vacancies' columns: %r" % cols)
db.close()
# score's part ahead (pipeline/stages.h): read on a connection of its own beside snapshots and
# protect, it leaves the same scores and sums as score reading the vacancies itself (--threads 1)
ahead = {}
for name, extra in (("beside", []), ("inline", ["--threads", "1"])):
    o = os.path.join(d, "ahead_" + name)
    p = run("run", "-c", os.path.join(d, "t2.ini"), "-o", o, "--debug", "on", *extra, check_rc=0)
    check(p.returncode == 0, "%s: run exits 0: %s" % (name, p.stderr[-2000:]))
    ahead[name] = ("score's part ahead:" in p.stderr,
                   [store(o).execute(q).fetchall() for q in (
                       "SELECT * FROM vacancy_score ORDER BY id",
                       "SELECT * FROM vacancy_sums ORDER BY nis_code",
                       "SELECT * FROM commune_summary ORDER BY nis_code")])
check(ahead["beside"][0] and not ahead["inline"][0],
      "score's part ahead runs on its own thread by default, not with --threads 1: %r, %r"
      % (ahead["beside"][0], ahead["inline"][0]))
check(ahead["beside"][1] == ahead["inline"][1] and len(ahead["beside"][1][0]) == 6,
      "the same scores, sums and summary either way:\n%r\n%r" % (ahead["beside"][1], ahead["inline"][1]))
check(ahead["beside"][1][1] == [("21001", 1, 10, 20.0), ("21002", 1, 2, 4.0)],
      "score's sums per commune (occupancy 2): %r" % (ahead["beside"][1][1],))
summary = store(os.path.join(d, "ahead_beside")).execute(
    "SELECT nis_code, vacancy_records, empty_dwellings, candidate_buildings, candidate_dwellings, capacity"
    " FROM commune_summary ORDER BY nis_code").fetchall()
check(summary == [("21001", 3, 14, 1, 10, 20.0), ("21002", 3, 8, 1, 2, 4.0)],
      "the summary's records and dwellings (the flows') beside score's sums: %r" % summary)

# load writes the store through a rollback journal (store.h, tp_store_journal); the stages
# after it, and the store a run leaves, are in WAL mode again, with no journal left beside it
p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out, "--until", "load", check_rc=0)
db = store(out)
mode = db.execute("PRAGMA journal_mode").fetchone()[0]
check(mode == "wal", "the store after load is in WAL mode: %r" % mode)
db.close()
check(not os.path.exists(os.path.join(out, "work.sqlite-journal")), "no rollback journal left")
# the vacancies' points load wrote are kept for reproject, validate and locate (pipeline/rows.h):
# the three say so, and they place every record as runs that stop after load or after reproject
# and read them again in a new process do
places = {}
for name, steps in (("kept", [[]]), ("read", [["--until", "reproject"], ["--from", "validate"]]),
                    ("loaded", [["--until", "load"], ["--from", "reproject"]])):
    o = os.path.join(d, "points_" + name)
    said = 0
    for extra in steps:
        p = run("run", "-c", os.path.join(d, "t.ini"), "-o", o, "--debug", "on", *extra, check_rc=0)
        check(p.returncode == 0, "%s %r: run exits 0: %s" % (name, extra, p.stderr[-2000:]))
        said += p.stderr.count("the vacancies' points: as the stage before read them")
    places[name] = (said, store(o).execute(
        "SELECT id, nis_code, zone_id FROM vacancies ORDER BY id").fetchall(),
        store(o).execute("SELECT src_row, stage, reason FROM rejects ORDER BY id").fetchall())
check(places["kept"][0] == 3 and places["read"][0] == 2 and places["loaded"][0] == 2,
      "reproject, validate and locate take the points kept (3, 2 and 2 said): %r, %r, %r"
      % (places["kept"][0], places["read"][0], places["loaded"][0]))
check(places["kept"][1:] == places["read"][1:] == places["loaded"][1:] and len(places["kept"][1]) >= 3,
      "the same places and rejects with the points kept as read again:\n%r\n%r\n%r"
      % (places["kept"][1:], places["read"][1:], places["loaded"][1:]))
finish("test_pipeline")

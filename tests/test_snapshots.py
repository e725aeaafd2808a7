"""Vacancy snapshots (README, "Vacancies over time"): records matched across three snapshots by id,
by address, by a point within 1 m; a building present, gone and back; months empty worked out by hand;
entered and left per commune and snapshot; a bad row of an earlier snapshot rejected by name.

Two communes side by side, A = 21001 and B = 21002 (1 km squares, Lambert 72). Snapshots:
S1 = 2023-01-01 ([vacancies.2023-01-01]), S2 = 2023-07-01 ([vacancies.2023-07-01]) and the scored
file S3 = 2024-01-01 ([vacancies] date). Reference date 2024-11-07 (windows only).

Buildings (dwellings):
  k  id 'k', in S1 S2 S3, vacant_since 2022-01-01, A (10)      months: 730 days / 30.436875 = 23.98 → 24.0
  g  id 'g', in S1 and S3, not S2 (gone, back), A (4)           spell starts at S3: 0 days → 0.0
  r  no id, address 'Rue de la Loi 16' in S1, id 'r3' with the same address in S3, B (6)
     (so the match is by address); not in S2: gone, back; spell S3 → 0.0
  p  no id, no address, point P in S1, S2, and P + (0.6, 0.5) (0.78 m away) in S3, B (3)
     months from S1: 365 days → 11.99 → 12.0
  q  no id, no address, a point 5 m from P in S3 only: a new building, B (2); 0.0
  e  id 'e' in S1 only, A (7): left at S2; last seen S1
  n  id 'n' in S2 and S3, vacant_since 2023-05-01, A (5): entered at S2; 245 days → 8.05 → 8.0
  S2 also has a row without coordinates (rejected, input vacancies.2023-07-01, row 4).
  S1 gives e's reason as 'pas encore', which [vacancies.2023-01-01.reason] maps to study.

Flows (empty, entered, left; records / dwellings):
  S1: A k g e = 3 / 21; B r p = 2 / 9; entered and left NULL
  S2: A k n = 2 / 15, entered n 1/5, left g e 2/11; B p = 1/3, entered 0, left r 1/6
  S3: A k g n = 3 / 19, entered g 1/4, left 0; B r p q = 3 / 11, entered r q 2/8, left 0
  region: S1 5/30; S2 3/18, in 1/5, out 3/17; S3 6/30, in 3/12, out 0/0
"""
import json
import os
import shutil
from tplib import *

X0, Y0 = 150000, 170000
d = workdir("snapshots")
square_communes(os.path.join(d, "communes.geojson"), X0, Y0, 2)
zero = ZERO_CATEGORIES
geojson(os.path.join(d, "zones.geojson"), [
    (dict(zone_id="Z1", public_space=30, **zero), square(X0, Y0, X0 + 2000, Y0 + 1000)),
])
HEAD = "id,address,owner,owner_type,dwellings,reason,vacant_since,works_start,owner_agreed,x,y\n"
K = "k,,Comensia,sisp,10,study,2022-01-01,2030-01-01,,%d,%d\n" % (X0 + 100, Y0 + 100)
G = "g,,Comensia,sisp,4,study,,2030-01-01,,%d,%d\n" % (X0 + 200, Y0 + 200)
E = "e,,Comensia,sisp,7,study,,2030-01-01,,%d,%d\n" % (X0 + 300, Y0 + 300)
N = "n,,Comensia,sisp,5,study,2023-05-01,2030-01-01,,%d,%d\n" % (X0 + 400, Y0 + 400)
PX, PY = X0 + 1500, Y0 + 500


def r_row(rid):
    return '%s,"Rue de la Loi 16",Comensia,sisp,6,study,,2030-01-01,,%d,%d\n' % (rid, X0 + 1100, Y0 + 100)


def p_row(x, y, n=3):
    return ",,Comensia,sisp,%d,study,,2030-01-01,,%.1f,%.1f\n" % (n, x, y)


# S1 writes e's reason its own way: mapped in [vacancies.2023-01-01.reason], for that file alone
write(os.path.join(d, "s1.csv"), HEAD + K + G + E.replace(",study,", ",pas encore,") + r_row("") + p_row(PX, PY))
write(os.path.join(d, "s2.csv"), HEAD + K + N + ",,Comensia,sisp,1,study,,2030-01-01,,,\n" + p_row(PX, PY))
write(os.path.join(d, "s3.csv"), HEAD + K + G + N + r_row("r3") + p_row(PX + 0.6, PY + 0.5)
      + p_row(PX + 5, PY, 2))
write(os.path.join(d, "t.ini"),
      "[run]\nreference_date = 2024-11-07\n"
      "[communes]\npath = communes.geojson\n"
      "[zones]\npath = zones.geojson\n"
      "[vacancies]\npath = s3.csv\ndate = 2024-01-01\nx = x\ny = y\ncrs = EPSG:31370\n"
      "[vacancies.2023-07-01]\npath = s2.csv\n"
      "[vacancies.2023-01-01]\npath = s1.csv\n"
      "[vacancies.2023-01-01.reason]\npas encore = study\n"
      "[outputs]\nmaps = no\ndashboard = no\n")
out = os.path.join(d, "out")
p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out, check_rc=0)
check(p.returncode == 0, "run exits 0: %s" % p.stderr)
check("vacancies.2023-07-01 read 4, accepted 3, rejected 1" in p.stderr,
      "an earlier snapshot's counts are printed: %s" % p.stderr)

db = store(out)
tracks = db.execute("SELECT COALESCE(src_id, ''), nis_code, first_seen, last_seen, spell_start, seen,"
                    " months_empty, vacancy IS NOT NULL, dwellings FROM vacancy_tracks").fetchall()
rej = db.execute("SELECT input, src_row, stage, field FROM rejects").fetchall()
db.close()
by_key = {}
for t in tracks:
    by_key[(t[0], t[8])] = t[1:8]
want = {
    ("k", 10): ("21001", "2023-01-01", "2024-01-01", "2023-01-01",
                "2023-01-01,2023-07-01,2024-01-01", 24.0, 1),
    ("g", 4): ("21001", "2023-01-01", "2024-01-01", "2024-01-01", "2023-01-01,2024-01-01", 0.0, 1),
    ("r3", 6): ("21002", "2023-01-01", "2024-01-01", "2024-01-01", "2023-01-01,2024-01-01", 0.0, 1),
    ("", 3): ("21002", "2023-01-01", "2024-01-01", "2023-01-01", "2023-01-01,2023-07-01,2024-01-01", 12.0, 1),
    ("", 2): ("21002", "2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01", 0.0, 1),
    ("e", 7): ("21001", "2023-01-01", "2023-01-01", "2023-01-01", "2023-01-01", 0.0, 0),
    ("n", 5): ("21001", "2023-07-01", "2024-01-01", "2023-07-01", "2023-07-01,2024-01-01", 8.0, 1),
}
check(len(tracks) == 7, "7 buildings across the snapshots: %r" % tracks)
for k, v in want.items():
    check(by_key.get(k) == v, "building %r: %r, by hand %r" % (k, by_key.get(k), v))
check(rej == [("vacancies.2023-07-01", 4, "snapshots", "geometry")],
      "the row without a point of S2 is rejected by its snapshot and row: %r" % rej)

flows = {(r["nis_code"], r["snapshot"]): tuple(r[c] for c in (
    "empty_records", "empty_dwellings", "entered_records", "entered_dwellings", "left_records",
    "left_dwellings")) for r in read_csv(os.path.join(out, "vacancy_flows.csv"))}
want_flows = {
    ("21001", "2023-01-01"): ("3", "21", "", "", "", ""),
    ("21002", "2023-01-01"): ("2", "9", "", "", "", ""),
    ("", "2023-01-01"): ("5", "30", "", "", "", ""),
    ("21001", "2023-07-01"): ("2", "15", "1", "5", "2", "11"),
    ("21002", "2023-07-01"): ("1", "3", "0", "0", "1", "6"),
    ("", "2023-07-01"): ("3", "18", "1", "5", "3", "17"),
    ("21001", "2024-01-01"): ("3", "19", "1", "4", "0", "0"),
    ("21002", "2024-01-01"): ("3", "11", "2", "8", "0", "0"),
    ("", "2024-01-01"): ("6", "30", "3", "12", "0", "0"),
}
check(flows == want_flows, "vacancy_flows.csv by hand: %r" % flows)
layer = gpkg_rows(os.path.join(out, "tremplin.gpkg"),
                  "SELECT COUNT(*), SUM(empty_dwellings) FROM vacancy_flows")
check(layer == [(9, 156)], "the GeoPackage's vacancy_flows layer holds the same rows: %r" % layer)
hist = gpkg_rows(os.path.join(out, "tremplin.gpkg"),
                 "SELECT src_id, status, last_seen, months_empty FROM vacancy_history WHERE status = 'left'")
check(hist == [("e", "left", "2023-01-01", 0.0)],
      "vacancy_history names the building that came back into use: %r" % hist)
rc, msg = validate_gpkg(os.path.join(out, "tremplin.gpkg"))
check(rc == 0, "the GeoPackage passes the validator: %s" % msg[-800:])

# How long each candidate has stood empty, in candidates.csv and the vacancies layer.
with open(os.path.join(out, "candidates.csv"), encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f, delimiter=";"))
col = rows[0].index("Vide depuis (mois) / Leeg sinds (maanden)")
ids = rows[0].index("Identifiant source / Bron-id")
shown = {(r[ids], r[col]) for r in rows[1:]}
check(("k", "24,0") in shown and ("n", "8,0") in shown and ("g", "0,0") in shown,
      "candidates.csv shows months empty: %r" % shown)
vac = gpkg_rows(os.path.join(out, "tremplin.gpkg"),
                "SELECT src_id, first_seen, last_seen, months_empty FROM vacancies WHERE src_id = 'k'")
check(vac == [("k", "2023-01-01", "2024-01-01", 24.0)], "the vacancies layer: %r" % vac)

# The scored file alone (one snapshot): each building is its vacancy, seen once.  The store's
# tracks then hold what the outputs read (first and last seen, months empty, the vacancy) and
# leave the rest to the vacancy's row (pipeline/snapshots.c): no vacancy_history layer reads it.
write(os.path.join(d, "one.ini"), "[run]\nreference_date = 2024-11-07\n"
      "[communes]\npath = communes.geojson\n[zones]\npath = zones.geojson\n"
      "[vacancies]\npath = s3.csv\ndate = 2024-01-01\nx = x\ny = y\ncrs = EPSG:31370\n"
      "[outputs]\nmaps = no\ndashboard = no\n")
one = os.path.join(d, "one")
p = run("run", "-c", os.path.join(d, "one.ini"), "-o", one, "-q")
check(p.returncode == 0, "one snapshot: exit 0, %s" % p.stderr)
db = store(one)
tracks = db.execute("SELECT t.vacancy = v.id, v.src_id, t.first_seen, t.last_seen, t.months_empty,"
                    " t.src_id IS NULL AND t.address IS NULL AND t.nis_code IS NULL"
                    " AND t.dwellings IS NULL AND t.spell_start IS NULL AND t.seen IS NULL"
                    " FROM vacancy_tracks t JOIN vacancies v ON v.id = t.vacancy ORDER BY v.id").fetchall()
nvac = db.execute("SELECT COUNT(*) FROM vacancies").fetchone()[0]
ntracks = db.execute("SELECT COUNT(*) FROM vacancy_tracks").fetchone()[0]
db.close()
months = {"k": 24.0, "n": 8.0}
check(ntracks == nvac == len(tracks) == 6, "one snapshot: a track per vacancy: %d %d %r" % (ntracks, nvac, tracks))
for t in tracks:
    check(t[0] == 1 and t[2:4] == ("2024-01-01", "2024-01-01") and t[4] == months.get(t[1], 0.0)
          and t[5] == 1, "one snapshot, building %r: %r" % (t[1], t))
layer = gpkg_rows(os.path.join(one, "tremplin.gpkg"),
                  "SELECT COALESCE(src_id, ''), first_seen, last_seen, months_empty FROM vacancies ORDER BY fid")
check(sorted(layer) == sorted((t[1] or "", "2024-01-01", "2024-01-01", months.get(t[1], 0.0)) for t in tracks),
      "one snapshot: the vacancies layer's first and last seen and months empty: %r" % layer)
check(gpkg_rows(os.path.join(one, "tremplin.gpkg"),
                "SELECT COUNT(*) FROM gpkg_contents WHERE table_name = 'vacancy_history'") == [(0,)],
      "one snapshot: no vacancy_history layer")

# A snapshot not before the scored one, or without its file, is a config error (exit 3).
write(os.path.join(d, "late.ini"), open(os.path.join(d, "t.ini")).read()
      + "[vacancies.2024-06-30]\npath = s1.csv\n")
p = run("run", "-c", os.path.join(d, "late.ini"), "-o", os.path.join(d, "o2"), "-q")
check(p.returncode == 3 and "[vacancies.2024-06-30]: not before the scored snapshot's date 2024-01-01"
      in p.stderr, "a later snapshot is refused: %d %s" % (p.returncode, p.stderr))
write(os.path.join(d, "nopath.ini"), open(os.path.join(d, "t.ini")).read()
      + "[vacancies.2022-06-30]\nlayer = x\n")
p = run("run", "-c", os.path.join(d, "nopath.ini"), "-o", os.path.join(d, "o3"), "-q")
check(p.returncode == 3 and "[vacancies.2022-06-30] path: missing" in p.stderr,
      "a snapshot without its path is refused: %d %s" % (p.returncode, p.stderr))
# tremplin check reads the earlier snapshots as a run does: per snapshot its rows read, accepted,
# rejected, and a bad row of an earlier snapshot named by file, row and field. S1 gets a row whose
# dwellings are not a number (line 7), a blank line (line 8) and a record outside both communes
# (line 9, rejected once placed); S2 keeps its row without a point.
chk = os.path.join(d, "chk")
os.makedirs(chk)
for f in ("communes.geojson", "zones.geojson", "s2.csv", "s3.csv"):
    shutil.copy(os.path.join(d, f), chk)
write(os.path.join(chk, "s1.csv"), open(os.path.join(d, "s1.csv")).read()
      + "z,,Comensia,sisp,trois,study,,2030-01-01,,%d,%d\n,,,,,,,,,,\n" % (X0 + 600, Y0 + 600)
      + "w,,Comensia,sisp,2,study,,2030-01-01,,%d,%d\n" % (X0 + 5000, Y0 + 600))
shutil.copy(os.path.join(d, "t.ini"), chk)
p = run("check", "-c", os.path.join(chk, "t.ini"))
check(p.returncode == 0, "check: a bad row leaves the snapshot usable, exit 0: %d %s"
      % (p.returncode, p.stdout + p.stderr))
s1 = os.path.join(chk, "s1.csv")
check("vacancies.2023-01-01 (snapshot of 2023-01-01, %s): rows read 8, accepted 5, rejected 2, "
      "skipped 1 blank or total rows\n  rejected by reason:\n"
      "        1  dwellings: not a whole number: '\u2026'  (row 7; e.g. row 7: not a whole number:"
      " 'trois')\n        1  geometry: outside every commune of the region  (row 9; e.g. row 9:"
      " outside every commune of the region (x 155000.0, y 170600.0 in the working CRS))\n" % s1
      in p.stdout, "check names the earlier snapshot's file, the bad row and its"
      " field: %s" % p.stdout)
check("vacancies.2023-07-01 (snapshot of 2023-07-01, %s): rows read 4, accepted 3, rejected 1\n"
      "  rejected by reason:\n        1  geometry: no coordinates  (row 4; e.g. row 4: no coordinates"
      " (x and y are empty))\n" % os.path.join(chk, "s2.csv") in p.stdout,
      "and the other snapshot's row without a point: %s" % p.stdout)
check(p.stdout.rstrip().endswith("check: usable"), "verdict: usable")
# and a run says the same of them
p = run("run", "-c", os.path.join(chk, "t.ini"), "-o", os.path.join(d, "chk-out"), check_rc=0)
check("vacancies.2023-01-01 read 8, accepted 5, rejected 2, skipped 1\n" in p.stderr and
      "vacancies.2023-07-01 read 4, accepted 3, rejected 1, skipped 0\n" in p.stderr,
      "the run's counts of the earlier snapshots are check's: %s" % p.stderr)
# each earlier snapshot's rejects carry the row as its CSV has it, read again from the file once
# the stage is done (its CSV keeps the originals: inputs/reader.h, tp_reader_lazy_originals);
# S2 is the snapshot read on the second thread and replayed
db = store(os.path.join(d, "chk-out"))
orig = {(r[0], r[1]): json.loads(r[2] or "null") for r in
        db.execute("SELECT input, src_row, original FROM rejects WHERE stage = 'snapshots'")}
db.close()
keys = HEAD.strip().split(",")
check(sorted(orig) == [("vacancies.2023-01-01", 7), ("vacancies.2023-01-01", 9), ("vacancies.2023-07-01", 4)]
      and list(orig[("vacancies.2023-01-01", 7)] or {}) == keys
      and (orig[("vacancies.2023-01-01", 7)] or {}).get("dwellings") == "trois"
      and (orig[("vacancies.2023-01-01", 9)] or {}).get("id") == "w"
      and (orig[("vacancies.2023-01-01", 9)] or {}).get("x") == str(X0 + 5000)
      and (orig[("vacancies.2023-07-01", 4)] or {}).get("owner") == "Comensia"
      and (orig[("vacancies.2023-07-01", 4)] or {}).get("x") == "",
      "the earlier snapshots' rejects, their original values the file's rows: %r" % orig)
check(sorted(os.listdir(chk)) == ["communes.geojson", "s1.csv", "s2.csv", "s3.csv", "t.ini", "zones.geojson"],
      "check writes nothing: %r" % os.listdir(chk))
# an earlier snapshot's file missing: exit 4, its section and file named
os.remove(s1)
p = run("check", "-c", os.path.join(chk, "t.ini"))
check(p.returncode == 4 and p.stdout.endswith("check: not usable\n  snapshots stage: [vacancies.2023-01-01]: "
                                               "%s: file not found (input 'vacancies')\n" % s1),
      "a missing snapshot file: exit 4 naming section and file: %d %s" % (p.returncode, p.stdout))
finish("test_snapshots")

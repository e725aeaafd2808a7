"""The occupation register ([occupations]) and the indicator tables ([indicators]).

Two communes side by side, A = 21001 and B = 21002 (1 km squares, Lambert 72), one count zone
over both.  Reference date 2024-11-07; months are days / 30.436875, to a tenth.

Vacancies: v1 (A, id V1), v2 (A, address "Rue Haute 5"), v3 (B, a point 10 m from occupation
"Near"), v4 (B, nobody on it): all four would be candidates.

Occupations (durations by hand):
  Id      SISP X  sisp     2023-03-01 → planned 2024-12-31, extended 2027-07-31: 1613 days = 53.0
          running; occupies V1 (by id)
  Addr    SISP X  sisp     2024-01-01 → 2025-03-31 (no extension): 455 days = 14.9, running,
          ends 144 days = 4.7 months after the reference date: listed as ending; occupies v2
  Near    AIS Y   ais      2022-01-01 → 2026-01-01: 1461 days = 48.0, running; occupies v3 (10 m)
  Old     AIS Y   ais      2020-02-01 → actual end 2021-08-01: 547 days = 18.0, ended (closed);
          its point is on v4, but an ended occupation occupies nothing
  then four bad rows: an unknown status (917 people housed), an extension before the planned end,
  an end before the start, people housed 'trois' (refused at load; the public rejects show neither
  the people nor the reason's quote).
Durations, all four sorted: 14.9, 18.0, 48.0, 53.0.  Median (18.0 + 48.0) / 2 = 33.0.  Quartiles at
(n - 1) p: q1 at 0.75 → 14.9 + 0.75 × 3.1 = 17.225 → 17.2; q3 at 2.25 → 48.0 + 0.25 × 5 = 49.25
→ 49.3 (49.2 or 49.3 by rounding of 49.25: checked within 0.06).  Extended: 1 of 4 = 0.25.
Per operator: SISP X (14.9, 53.0) median 33.95 → 34.0 (33.9 or 34.0), share 0.5; AIS Y (18.0, 48.0)
median 33.0, share 0.
Indicator table evictions: A 12, B missing (no data), 21099 unknown, A twice (duplicate).
"""
import csv
import json
import os
from tplib import *

X0, Y0 = 150000, 170000
d = workdir("register")
square_communes(os.path.join(d, "communes.geojson"), X0, Y0, 2)
zero = ZERO_CATEGORIES
geojson(os.path.join(d, "zones.geojson"), [
    (dict(zone_id="Z1", public_space=40, **zero), square(X0, Y0, X0 + 2000, Y0 + 1000)),
])
write(os.path.join(d, "vacancies.csv"),
      "id,address,owner_type,dwellings,reason,works_start,x,y\n"
      "V1,Rue Basse 1,sisp,10,study,2029-05-07,%d,%d\n"
      "V2,Rue Haute 5,sisp,4,study,2029-05-07,%d,%d\n"
      "V3,Rue Neuve 9,ais,6,study,2029-05-07,%d,%d\n"
      "V4,Rue Large 2,sisp,8,study,2029-05-07,%d,%d\n"
      % (X0 + 100, Y0 + 100, X0 + 300, Y0 + 300, X0 + 1500, Y0 + 500, X0 + 1800, Y0 + 800))
write(os.path.join(d, "occupations.csv"),
      "site;operator;owner_type;dwellings;vacancy_id;address;start;planned_end;extensions;"
      "actual_end;status;people_housed;x;y\n"
      "Id;SISP X;sisp;10;V1;;03/2023;31/12/2024;31/07/2027;;;12;;\n"
      "Addr;SISP X;sisp;4;;rue haute 5;2024-01-01;2025-03-31;;;en cours;3;;\n"
      "Near;AIS Y;ais;6;;;2022-01-01;2026-01-01;;;;7;%d;%d\n"
      "Old;AIS Y;ais;8;;;2020-02-01;2021-12-31;;01/08/2021;clôturé;2;%d;%d\n"
      "Bad status;AIS Y;ais;1;;;2020-02-01;;;;bizarre;917;;\n"
      "Bad extension;AIS Y;ais;1;;;2020-02-01;2021-01-01;2020-06-01;;;;;\n"
      "Bad end;AIS Y;ais;1;;;2020-02-01;2019-01-01;;;;;;\n"
      "Bad people;AIS Y;ais;1;;;2020-02-01;;;;;trois;;\n"
      % (X0 + 1508, Y0 + 506, X0 + 1800, Y0 + 800))
write(os.path.join(d, "evictions.csv"), "NIS;dossiers\n21001;12\n21099;3\n21001;5\n")
write(os.path.join(d, "t.ini"),
      "[run]\nreference_date = 2024-11-07\nmin_window_months = 24\n"
      "[communes]\npath = communes.geojson\n"
      "[zones]\npath = zones.geojson\n"
      "[vacancies]\npath = vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n"
      "[occupations]\npath = occupations.csv\nx = x\ny = y\ncrs = EPSG:31370\n"
      "[indicators]\nevictions = evictions.csv\n"
      "[indicators.evictions]\nvalue = dossiers\n"
      "[outputs]\nindicator = evictions\n")
out = os.path.join(d, "out")
p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out, check_rc=0)
check(p.returncode == 0, "run exits 0: %s" % p.stderr)
db = store(out)

# A vacancy under a running occupation is no candidate, says so and names the site.
v = {r[0]: r[1:] for r in db.execute("SELECT src_id, candidate, status, occupied_by, rank FROM vacancies")}
check(v["V1"] == (0, "occupied: Id", "Id", None), "V1 occupied by id: %r" % (v["V1"],))
check(v["V2"] == (0, "occupied: Addr", "Addr", None), "V2 occupied by address: %r" % (v["V2"],))
check(v["V3"] == (0, "occupied: Near", "Near", None), "V3 occupied within 25 m: %r" % (v["V3"],))
check(v["V4"][0] == 1 and v["V4"][2] is None and v["V4"][3] == 1,
      "V4, under an ended occupation only, is candidate 1: %r" % (v["V4"],))
o = {r[0]: r[1:] for r in db.execute("SELECT site, status, months, extended, matched_by FROM occupations")}
check(o == {"Id": ("running", 53.0, 1, "id"), "Addr": ("running", 14.9, 0, "address"),
            "Near": ("running", 48.0, 0, "point"), "Old": ("ended", 18.0, 0, None)},
      "occupations: %r" % o)

# Bad rows: file, layer, row, field and the exact reason.
rej = db.execute("SELECT input, src_row, stage, field, reason FROM rejects ORDER BY id").fetchall()
want = [
    ("occupations", 9, "load", "people_housed", "not a whole number: 'trois'"),
    ("occupations", 6, "register", "status", "unknown status 'bizarre' (expected planned, running "
     "or ended; en cours, lopend, prolongé, clôturé, afgelopen, ...)"),
    ("occupations", 7, "register", "extensions", "2020-06-01 is not after the planned end (2021-01-01)"),
    ("occupations", 8, "register", "planned_end", "2019-01-01 is before the start (2020-02-01)"),
    ("indicators.evictions", 3, "register", "nis_code",
     "unknown NIS code '21099': no commune of the communes layer has it"),
    ("indicators.evictions", 4, "register", "nis_code", "duplicate of row 2 (same NIS code)"),
]
check(rej == want, "rejects: %r" % rej)
check("occupations read 8, accepted 4, rejected 4" in p.stdout, "run summary counts: %s" % p.stdout)
check("3 running, 3 vacancies occupied; durations 14.9 to 53.0 months, median 33.0 (quartiles"
      " 17.2 to 49." in p.stdout and "), 1 of 4 extended, against min_window_months 24" in p.stdout,
      "run summary durations: %s" % p.stdout)
check("indicators.evictions read 3, accepted 1, rejected 2" in p.stdout, "indicator counts: %s" % p.stdout)

pub = open(os.path.join(out, "rejects.csv"), encoding="utf-8-sig").read()
check("917" not in pub and "'trois'" not in pub and "people_housed;not a whole number" in pub,
      "rejects.csv shows no people per site: %r" % pub)

# Duration statistics, by hand (see the top).
# (the GeoPackage's table, min_window_months beside them)
dur = {(r[0], r[1]): r[2:] for r in gpkg_rows(os.path.join(out, "tremplin.gpkg"),
    "SELECT grouping, grp, occupations, median_months, q1_months, q3_months, share_extended,"
    " min_window_months FROM occupation_durations")}
a = dur.get(("all", None))
check(a is not None and a[0] == 4 and a[1] == 33.0 and abs(a[2] - 17.225) < 0.06
      and abs(a[3] - 49.25) < 0.06 and a[4] == 0.25 and a[5] == 24,
      "all durations: %r" % (a,))
sx = dur.get(("operator", "SISP X"))
check(sx is not None and sx[0] == 2 and abs(sx[1] - 33.95) < 0.06 and sx[4] == 0.5,
      "SISP X: %r" % (sx,))
ay = dur.get(("operator", "AIS Y"))
check(ay is not None and ay[0] == 2 and ay[1] == 33.0 and ay[4] == 0.0, "AIS Y: %r" % (ay,))
check(("owner_type", "ais") in dur and ("owner_type", "sisp") in dur, "per owner type: %r" % dur)

# Ending within 6 months: Addr (4.7 months), with the candidate nearest to it (V4, the only one).
end = db.execute("SELECT site, current_end, months_left, near, candidate_rank FROM occupations_ending").fetchall()
check(end == [("Addr", "2025-03-31", 4.7, 1, 1)], "ending soon: %r" % end)
db.close()

gp = os.path.join(out, "tremplin.gpkg")
check(gpkg_rows(gp, "SELECT site, candidate_src_id FROM occupations_ending") == [("Addr", "V4")],
      "occupations_ending in the GeoPackage")
# People housed per site are withheld from the public file.
check(gpkg_rows(gp, "SELECT COUNT(*) FROM occupations WHERE people_housed IS NOT NULL") == [(0,)],
      "people_housed is NULL in the public GeoPackage")
check(gpkg_rows(gp, "SELECT COUNT(*) FROM layer_styles WHERE f_table_name = 'occupations'") == [(1,)],
      "occupations styled")
rc, msg = validate_gpkg(gp)
check(rc == 0, "validator: %s" % msg)

# The commune without a row is no data in every output: NULL, empty, never 0.
ev = dict(gpkg_rows(gp, "SELECT nis_code, evictions FROM communes"))
check(ev == {"21001": 12, "21002": None}, "communes layer: %r" % ev)
rows = {r["nis_code"]: r["evictions"] for r in read_csv(os.path.join(out, "indicators.csv"))}
check(rows == {"21001": "12", "21002": ""}, "indicators.csv: %r" % rows)
ov = json.load(open(os.path.join(out, "maps", "overview.json")))
vals = {c["nis_code"]: c.get("value") for c in ov["communes"]}
check(vals.get("21001") == 12 and vals.get("21002") is None and ov["no_data"]["communes"] == 1,
      "overview.json: %r" % vals)
html = open(os.path.join(out, "dashboard.html"), encoding="utf-8").read()
row_b = html[html.find('<tr data-nis="21002">'):]
row_b = row_b[:row_b.find("</tr>")]
row_a = html[html.find('<tr data-nis="21001">'):]
row_a = row_a[:row_a.find("</tr>")]
check("<th class=\"n\">evictions</th>" in html and
      '<td class="n nodata" data-v="">pas de données / geen gegevens</td>' in row_b
      and '<td class="n" data-v="12.0">12</td><td class="n rejected"' in row_a,
      "dashboard: evictions 12 for A, no data for B: %r" % row_b[-300:])

# check reads and rejects what the run does, the register's rows included.
p = run("check", "-c", os.path.join(d, "t.ini"))
check(p.returncode == 0 and "occupations read 8, accepted 4, rejected 4" in p.stdout
      and "unknown status 'bizarre'" in p.stdout and "duplicate of row 2 (same NIS code)" in p.stdout,
      "check says what the register stage refuses: %s %s" % (p.stdout[-1500:], p.stderr))

# The config: an indicator's name becomes a column; a table needs a path.
ini = open(os.path.join(d, "t.ini"), encoding="utf-8").read()
write(os.path.join(d, "bad1.ini"), ini.replace("evictions = evictions.csv", "Evictions-2024 = evictions.csv"))
p = run("run", "-c", os.path.join(d, "bad1.ini"), "-o", os.path.join(d, "bad1"), "-q")
check(p.returncode == 3 and "[indicators] Evictions-2024: not a name for an indicator: 'Evictions-2024'"
      in p.stderr, "a bad indicator name is exit 3: %r" % p.stderr)
write(os.path.join(d, "bad2.ini"), ini + "[indicators.moratorium]\nvalue = demandes\n")
p = run("run", "-c", os.path.join(d, "bad2.ini"), "-o", os.path.join(d, "bad2"), "-q")
check(p.returncode == 3 and "section [indicators.moratorium] has no 'path'" in p.stderr,
      "an indicator table without a path is exit 3: %r" % p.stderr)
finish("test_register")

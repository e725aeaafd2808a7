"""The per-commune vacancy figures of commune_summary (records and empty dwellings from the
snapshots stage's vacancy_flows; candidates, their dwellings and capacity summed by score as it
judges each vacancy, pipeline/vacsums.c, the table vacancy_sums) equal what SQL's GROUP BY makes
of the same rows, to the last bit: with an occupancy of 1.5 (capacities in halves: score's own sums are used) and of
1.7 (capacities that are not multiples of 1/1024: score has SQL make them, whose order of summing
they would depend on). A commune without any vacancy has zeros; a record without dwellings is rejected
at load and counts nowhere.

Three communes side by side, A = 21001, B = 21002, C = 21003; C holds no record.
"""
import os
from tplib import *

X0, Y0 = 150000, 170000

# SQL's own sums, as the stages made them before the one-pass sums.
BY_SQL = ("SELECT c.nis_code, COALESCE(v.n, 0), COALESCE(v.d, 0), COALESCE(v.cn, 0),"
          " COALESCE(v.cd, 0), COALESCE(v.cap, 0) FROM communes c LEFT JOIN"
          " (SELECT nis_code, COUNT(*) AS n, SUM(dwellings) AS d, SUM(candidate) AS cn,"
          " SUM(CASE WHEN candidate = 1 THEN dwellings ELSE 0 END) AS cd,"
          " SUM(COALESCE(capacity, 0)) AS cap FROM vacancies GROUP BY nis_code) v"
          " USING (nis_code) ORDER BY c.nis_code")
SUMMARY = ("SELECT nis_code, vacancy_records, empty_dwellings, candidate_buildings,"
           " candidate_dwellings, capacity FROM commune_summary ORDER BY nis_code")


def one_run(name, occupancy):
    d = workdir("sums_" + name)
    square_communes(os.path.join(d, "communes.geojson"), X0, Y0, 3)
    geojson(os.path.join(d, "zones.geojson"), [
        (dict(zone_id="Z1", public_space=30, **ZERO_CATEGORIES), square(X0, Y0, X0 + 1000, Y0 + 1000)),
        (dict(zone_id="Z2", public_space=12, **ZERO_CATEGORIES),
         square(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)),
    ])
    rows = ["id,owner,owner_type,dwellings,reason,works_start,owner_agreed,x,y"]
    # A: candidates of 1 to 37 dwellings, B alternately candidates and works under way
    for i in range(37):
        rows.append("a%d,CPAS,cpas,%d,repair,2031-11-07,,%d,%d" % (i, i + 1, X0 + 20 + 25 * i, Y0 + 500))
    for i in range(11):
        rows.append("b%d,CPAS,cpas,%d,%s,2031-11-07,,%d,%d"
                    % (i, 3 * i + 2, "works" if i % 2 else "study", X0 + 1020 + 80 * i, Y0 + 500))
    rows.append("b11,CPAS,cpas,,study,2031-11-07,,%d,%d" % (X0 + 1900, Y0 + 700))
    write(os.path.join(d, "vacancies.csv"), "\n".join(rows) + "\n")
    write(os.path.join(d, "t.ini"),
          "[run]\nreference_date = 2024-11-07\nmin_window_months = 24\noccupancy = %s\n"
          "[communes]\npath = communes.geojson\n[zones]\npath = zones.geojson\n"
          "[vacancies]\npath = vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n"
          "[outputs]\nmaps = no\ndashboard = no\n" % occupancy)
    out = os.path.join(d, "out")
    p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out, "-q", check_rc=0)
    check(p.returncode == 0, "%s: run exits 0: %s" % (name, p.stderr))
    if p.returncode:
        return
    db = store(out)
    # commune_summary.capacity is a REAL column: SQL's integer 0 is stored 0.0
    want = [r[:5] + (float(r[5]),) for r in db.execute(BY_SQL).fetchall()]
    got = db.execute(SUMMARY).fetchall()
    check([tuple(map(repr, r)) for r in got] == [tuple(map(repr, r)) for r in want],
          "%s: commune_summary's sums are SQL's GROUP BY, bit for bit:\n got  %s\n want %s"
          % (name, got, want))
    check(got[2][1:] == (0, 0, 0, 0, 0.0), "%s: C has no vacancy: zeros, not NULL: %s" % (name, got[2]))
    check(got[0][5] == sum((i + 1) * float(occupancy) for i in range(37)) or name == "tenths",
          "%s: A's capacity is its candidates' dwellings x occupancy: %r" % (name, got[0][5]))
    need = db.execute("SELECT p.nis_code, p.need, p.people_total, (SELECT SUM(dwellings) FROM vacancies v"
                      " WHERE v.nis_code = p.nis_code) FROM public_communes p ORDER BY p.nis_code").fetchall()
    for nis, n, published, empty in need:
        expect = published / empty if published is not None and empty else None
        check(n == expect, "%s: %s's need is its published total over SUM(dwellings): %r, %r"
              % (name, nis, n, expect))


one_run("halves", "1.5")
one_run("tenths", "1.7")
finish("sums")

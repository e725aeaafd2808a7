"""Golden test: the demo's per-commune figures, dumped in a stable text form, equal the committed dump.

Set UPDATE_GOLDEN=1 to rewrite tests/golden/demo_communes.txt after a deliberate change.
"""
import difflib
import os
from tplib import *

d = workdir("golden")
out = os.path.join(d, "out")
p = run("demo", "-o", out, "-q")
check(p.returncode == 0, "demo runs: " + p.stderr)
# people figures as published (protect stage: multiples of 5, "<5", "x"), not the exact counts
cols = ["nis_code", "name_fr", "people_total", "public_space", "emergency_shelter", "nonrecognised_shelter",
        "squat", "nonconventional", "third_parties", "empty_dwellings", "candidate_buildings",
        "candidate_dwellings", "capacity", "need", "eviction_files"]
lines = ["\t".join(cols)]
for r in read_csv(os.path.join(out, "indicators.csv")):
    lines.append("\t".join(r[c] for c in cols))
db = store(out)
for name, n, a, r in db.execute(
        "SELECT s.input, s.read, (CASE s.input WHEN 'communes' THEN (SELECT COUNT(*) FROM communes)"
        " WHEN 'zones' THEN (SELECT COUNT(*) FROM zones) WHEN 'vacancies' THEN (SELECT COUNT(*) FROM vacancies)"
        " WHEN 'occupations' THEN (SELECT COUNT(*) FROM occupations)"
        " WHEN substr(s.input, 1, 6) = 'zones.' THEN (SELECT COUNT(*) FROM edition_zones e"
        "  WHERE 'zones.' || e.edition = s.input)"
        " WHEN substr(s.input, 1, 11) = 'indicators.' THEN (SELECT COUNT(*) FROM indicators i"
        "  WHERE 'indicators.' || i.indicator = s.input)"
        " ELSE s.read - COALESCE(s.skipped, 0) - (SELECT COUNT(*) FROM rejects j WHERE j.input = s.input) END),"
        " (SELECT COUNT(*) FROM rejects j WHERE j.input = s.input) FROM input_stats s ORDER BY s.input"):
    lines.append("input %s read %d accepted %d rejected %d" % (name, n, a, r))
# the region's published totals per count edition and their change, whole and comparable scope
for row in db.execute("SELECT edition, value_label, change, change_pct, comparable_value, comparable_change"
                      " FROM trends WHERE nis_code IS NULL AND category = 'people_total' ORDER BY id"):
    lines.append(("trend region %s %s %s %s %s %s" % tuple("" if v is None else v for v in row)).rstrip())
for row in db.execute("SELECT rank, src_id, nis_code, dwellings, window_months, score FROM vacancies"
                      " WHERE candidate = 1 AND rank <= 10 ORDER BY rank"):
    lines.append("candidate %d %s %s %d %.1f %.1f" % row)
db.close()
got = "\n".join(lines) + "\n"
path = os.path.join(SRC, "tests", "golden", "demo_communes.txt")
if os.environ.get("UPDATE_GOLDEN"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write(path, got)
want = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
if got != want:
    print("".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "expected", "got")))
check(got == want, "per-commune figures equal tests/golden/demo_communes.txt")
finish("test_golden")

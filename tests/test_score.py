"""The README's score formula, checked against scores worked out by hand on named records.

    score = 50 × min(window / 60, 1) + 20 × min(dwellings / 20, 1) + 30 × ⌊10 × need / max_need⌋ / 10
    need  = the commune's published people total / empty dwellings in the commune

Three communes side by side, A = 21001, B = 21002, C = 21003 (1 km squares, Lambert 72). Zone Z1 is
exactly A with 30 people, Z2 exactly B with 12 people; nobody is counted in C. Reference date
2024-11-07; a window is days / 30.436875, rounded to a tenth of a month; the score is published
rounded to a tenth.

Empty dwellings (every record, candidate or not): A 10 + 30 + 10 + 25 = 75, B 4 + 4 = 8, C 20.
The need is made from the published figures (README, "Privacy"), not the exact count: Z1's 30 is
published 30, Z2's 12 is published 10 (rounded to 5), so A's published total is 30, B's 10.
Need: A 30 / 75 = 0.4, B 10 / 8 = 1.25 (the largest), C 0 / 20 = 0. (From the exact count B's
would be 12 / 8 = 1.5 and A's part 2 tenths, not 3.)
Need part: A ⌊10 × 0.4 / 1.25⌋ = ⌊3.2⌋ = 3 tenths → 30 × 0.3 = 9; B 10 tenths → 30; C 0.
"""
import os
from tplib import *

X0, Y0 = 150000, 170000
d = workdir("score")
square_communes(os.path.join(d, "communes.geojson"), X0, Y0, 3)
zero = ZERO_CATEGORIES
geojson(os.path.join(d, "zones.geojson"), [
    (dict(zone_id="Z1", public_space=30, **zero), square(X0, Y0, X0 + 1000, Y0 + 1000)),
    (dict(zone_id="Z2", public_space=12, **zero), square(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)),
])
write(os.path.join(d, "vacancies.csv"),
      "id,owner,owner_type,dwellings,reason,works_start,owner_agreed,x,y\n"
      "a1,Comensia,sisp,10,study,2027-05-07,,%d,%d\n"
      "a2,CPAS,cpas,30,repair,2031-11-07,,%d,%d\n"
      "a3,Log'Iris,sisp,10,works,2031-11-07,,%d,%d\n"
      "a4,Régie foncière,regie,25,financing,2030-11-07,,%d,%d\n"
      "b1,AIS Quartiers,ais,4,financing,2026-12-07,,%d,%d\n"
      "b2,Particulier,private,4,study,2026-12-07,oui,%d,%d\n"
      "c1,Commune,commune,20,study,2027-11-07,,%d,%d\n"
      % (X0 + 100, Y0 + 100, X0 + 200, Y0 + 200, X0 + 300, Y0 + 300, X0 + 400, Y0 + 400,
         X0 + 1100, Y0 + 100, X0 + 1200, Y0 + 200, X0 + 2500, Y0 + 500))
write(os.path.join(d, "t.ini"),
      "[run]\nreference_date = 2024-11-07\nmin_window_months = 24\noccupancy = 1.5\n"
      "[communes]\npath = communes.geojson\n"
      "[zones]\npath = zones.geojson\n"
      "[vacancies]\npath = vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n"
      "[outputs]\nmaps = no\ndashboard = no\n")
out = os.path.join(d, "out")
p = run("run", "-c", os.path.join(d, "t.ini"), "-o", out, "-q", check_rc=0)
check(p.returncode == 0, "run exits 0: %s" % p.stderr)

# By hand, per candidate: (window in months, window part, dwellings part, need part, published score).
#   a1: 911 days = 29.93 → 29.9 months; 50 × 29.9 / 60 = 24.9167; 20 × 10 / 20 = 10; A: 9
#       24.9167 + 10 + 9 = 43.9167 → 43.9
#   a2: 2556 days = 83.98 → 84.0 months, over 60: 50; 30 dwellings, over 20: 20; A: 9 → 79.0
#   a4: 2191 days = 71.99 → 72.0 months: 50; 25 dwellings: 20; A: 9 → 79.0
#   b1: 760 days = 24.97 → 25.0 months; 50 × 25 / 60 = 20.8333; 20 × 4 / 20 = 4; B: 30
#       20.8333 + 4 + 30 = 54.8333 → 54.8
#   b2: as b1 (a private owner who agreed) → 54.8
#   c1: 1095 days = 35.98 → 36.0 months; 50 × 36 / 60 = 30; 20 × 20 / 20 = 20; C: 0 → 50.0
# a3 (works under way, R1) is no candidate; its 10 dwellings still count in A's empty dwellings.
by_hand = {
    "a1": (29.9, 24.9167, 10.0, 9.0, 43.9),
    "a2": (84.0, 50.0, 20.0, 9.0, 79.0),
    "a4": (72.0, 50.0, 20.0, 9.0, 79.0),
    "b1": (25.0, 20.8333, 4.0, 30.0, 54.8),
    "b2": (25.0, 20.8333, 4.0, 30.0, 54.8),
    "c1": (36.0, 30.0, 20.0, 0.0, 50.0),
}
for k, (window, w, dw, need, score) in by_hand.items():
    check(abs(w + dw + need - score) < 0.05, "%s: the hand-worked parts add up to the score" % k)

db = store(out)
need = dict(db.execute("SELECT nis_code, need FROM commune_summary").fetchall())
check(sorted(need) == ["21001", "21002", "21003"]
      and all(abs(need[c] - v) < 1e-12 for c, v in (("21001", 0.4), ("21002", 1.5), ("21003", 0.0))),
      "need per commune, exact (internal): %r" % need)
need = dict(db.execute("SELECT nis_code, need FROM public_communes").fetchall())
check(sorted(need) == ["21001", "21002", "21003"]
      and all(abs(need[c] - v) < 1e-12 for c, v in (("21001", 0.4), ("21002", 1.25), ("21003", 0.0))),
      "need per commune from the published totals, the one the score uses: %r" % need)
got = {r[0]: r[1:] for r in db.execute(
    "SELECT src_id, candidate, window_months, score, rank FROM vacancies")}
check(got["a3"] == (0, 84.0, None, None), "a3, works under way, has no score: %r" % (got["a3"],))
for k, (window, w, dw, need_part, score) in by_hand.items():
    check(got[k][0] == 1 and got[k][1] == window and got[k][2] == score,
          "%s: candidate, window %.1f, score %.1f; got %r" % (k, window, score, got[k]))
# Ranked by score, then dwellings (a2's 30 before a4's 25), then source row (b1 before b2).
ranked = [k for k, _ in sorted(((k, r[3]) for k, r in got.items() if r[3] is not None), key=lambda t: t[1])]
check(ranked == ["a2", "a4", "b1", "b2", "c1", "a1"], "rank order: %r" % ranked)
check([got[k][3] for k in ranked] == [1, 2, 3, 4, 5, 6], "ranks 1 to 6: %r" % got)
db.close()
finish("test_score")

"""The pipeline scenario of the benchmark in small, as a correctness test (no timing): on
`tremplin demo --records 20000`, tremplin's per-commune figures (records, empty dwellings,
candidate buildings and dwellings, apportioned people) equal those of the same job written in
SpatiaLite SQL (bench/pipeline.py), and the run prints its timings line."""
import os
import re
import sys
from tplib import *

sys.path.insert(0, os.path.join(SRC, "bench"))
import pipeline  # noqa: E402  (bench/pipeline.py: the job in SpatiaLite SQL, the comparison)

d = workdir("bench_pipeline")
p = run("demo", "-o", d, "--records", "20000", "--no-maps", "--no-dashboard", check_rc=0)
check(p.returncode == 0, "demo --records 20000 runs: " + p.stderr)
check("vacancies read 20000, accepted 20000, rejected 0" in p.stdout,
      "20000 records read and accepted: " + p.stdout)
m = re.search(r"^timings: load [0-9.]+ s, .* write [0-9.]+ s, .*total [0-9.]+ s$", p.stderr, re.M)
check(m is not None, "a timings line with every stage: " + p.stderr)
with open(os.path.join(d, "inputs", "vacancies.csv"), encoding="utf-8") as f:
    header = f.readline().strip()
    ids = [line.split(",", 1)[0] for line in f]
check("address" not in header, "no address column past 600 records: " + header)
check(len(ids) == 20000 and len(set(ids)) == 20000, "20000 unique ids")

ours = pipeline.tremplin_figures(os.path.join(d, "work.sqlite"))
lite = pipeline.spatialite_figures(os.path.join(d, "inputs"))
check(len(ours) == 19 and sum(v["vacancy_records"] for v in ours.values()) == 20000,
      "every record in one of the 19 communes")
check(sum(v["candidate_buildings"] for v in ours.values()) > 1000, "candidates found")
diff = pipeline.differences(ours, lite)
check(not diff, "tremplin's figures equal SpatiaLite's: " + "; ".join(diff[:10]))

# at this size the packed trees of the point layers have three levels (outputs/rtree.c): SQLite's own
# check passes, every point is in the tree, and the GeoPackage is valid
gp = os.path.join(d, "tremplin.gpkg")
for t in ("vacancies", "candidates"):
    check(gpkg_rows(gp, "SELECT rtreecheck('rtree_%s_geom')" % t) == [("ok",)], "%s: rtreecheck passes" % t)
    check(gpkg_rows(gp, "SELECT COUNT(*) FROM rtree_%s_geom" % t) == gpkg_rows(gp, "SELECT COUNT(*) FROM %s" % t),
          "%s: one entry per point" % t)
depth = gpkg_rows(gp, "SELECT hex(substr(data, 1, 2)) FROM rtree_vacancies_geom_node WHERE nodeno = 1")
check(depth == [("0002",)], "20,000 points: a root over two levels (%r)" % depth)
rc, msg = validate_gpkg(gp)
check(rc == 0, "validate_gpkg: " + msg)

# the same seed gives the same file; -q prints no timings
d2 = workdir("bench_pipeline_again")
p = run("demo", "-o", d2, "--records", "20000", "--until", "load", "-q", check_rc=0)
check(p.returncode == 0 and "timings" not in p.stderr, "-q prints no timings: " + p.stderr)
with open(os.path.join(d, "inputs", "vacancies.csv"), "rb") as a, \
        open(os.path.join(d2, "inputs", "vacancies.csv"), "rb") as b:
    check(a.read() == b.read(), "demo --records is deterministic for a seed")
finish("test_bench_pipeline")

"""run and demo take --threads N (default: every core): the locate stage gives the same answer on
one thread as on all; --threads 0 or a word is a bad command line (exit 2)."""
import os
from tplib import *

d = workdir("threads")
got = {}
for label, extra in (("one", ["--threads", "1"]), ("all", [])):
    out = os.path.join(d, label)
    p = run("demo", "-o", out, "--records", "5000", "--no-maps", "--no-dashboard", "-q", *extra)
    check(p.returncode == 0, "demo %s runs: %s" % (extra, p.stderr[-1500:]))
    db = store(out)
    got[label] = db.execute("SELECT id, nis_code, zone_id FROM vacancies ORDER BY id").fetchall()
    db.close()
check(len(got["one"]) > 4000 and got["one"] == got["all"],
      "the same commune and zone for each of %d records on one thread and on all" % len(got["one"]))
ini = os.path.join(d, "one", "inputs", "tremplin.ini")
p = run("run", "-c", ini, "-o", os.path.join(d, "again"), "--threads", "2", "--until", "locate", "-q")
check(p.returncode == 0, "run --threads 2: " + p.stderr[-1500:])
for bad in ("0", "two"):
    p = run("run", "-c", ini, "-o", os.path.join(d, "bad"), "--threads", bad)
    check(p.returncode == 2 and "--threads" in p.stderr, "--threads %s: exit 2 naming it (%d, %s)"
          % (bad, p.returncode, p.stderr.strip()))
finish("test_threads")

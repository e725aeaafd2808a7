"""run and demo take --threads N (default: every core): the locate stage gives the same answer on
one thread as on all, and so do the write stage's outputs, whose candidates layer takes the rows
the candidate list's thread read and sorted (one read for both) when it can; --threads 0 or a word
is a bad command line (exit 2)."""
import hashlib
import json
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

# The write stage on all threads: the candidates layer from the candidate list's rows (said with
# --debug on), the same rows and order as on one thread, where it reads them itself; and in a file
# with exact figures (internal), whose owners the list's public rows do not show, it reads them
# itself too.
def written(out):
    g = os.path.join(out, "tremplin.gpkg")
    layers = {l: gpkg_rows(g, "SELECT * FROM %s ORDER BY fid" % l) for l in ("candidates", "vacancies")}
    with open(os.path.join(out, "candidates.csv"), "rb") as f:
        layers["candidates.csv"] = f.read()
    return layers
internal_ini = os.path.join(d, "one", "inputs", "internal.ini")
with open(ini) as f:
    text = f.read()
write(internal_ini, text + "\n[outputs]\ninternal = yes\n")
said = {}
for label, conf, extra in (("one", ini, ["--threads", "1"]), ("all", ini, []),
                           ("internal", internal_ini, [])):
    out = os.path.join(d, label)
    begin = ["--from", "write"] if label != "internal" else []
    p = run("run", "-c", conf, "-o", out, *begin, "--no-maps", "--no-dashboard", "--debug", "on",
            *extra)
    check(p.returncode == 0, "run --from write %s: %s" % (label, p.stderr[-1500:]))
    said[label] = "layer candidates: copied from the candidate list's rows" in p.stderr
    got[label] = written(out)
    # run.json: the GeoPackage's digest taken by the write stage (beside the lists' thread),
    # and every digest that of the file as it stands
    check("run.json: tremplin.gpkg: the digest its writer took" in p.stderr,
          "run.json takes the GeoPackage's digest from the write stage (%s)" % label)
    with open(os.path.join(out, "run.json")) as f:
        outputs = json.load(f)["outputs"]
    for o in outputs:
        with open(os.path.join(out, o["path"]), "rb") as f:
            data = f.read()
        check(len(data) == o["size"] and hashlib.sha256(data).hexdigest() == o["sha256"],
              "run.json: %s's size and SHA-256 are the file's (%s)" % (o["path"], label))
check(said == {"one": False, "all": True, "internal": False},
      "the candidates layer takes the list's rows on all threads in a public file only: %r" % said)
cands = got["one"]["candidates"]
check(len(cands) > 500 and [r[2] for r in cands] == list(range(1, len(cands) + 1)),
      "%d candidates, by rank 1.., on one thread" % len(cands))
for k in ("candidates", "vacancies", "candidates.csv"):
    check(got["one"][k] == got["all"][k], "%s: the same on one thread and on all" % k)
check([r[:5] + r[6:] for r in got["internal"]["candidates"]] == [r[:5] + r[6:] for r in cands]
      and any(r[5] != s[5] for r, s in zip(got["internal"]["candidates"], cands)),
      "the internal file's candidates: the same rows, private owners named")
p = run("run", "-c", ini, "-o", os.path.join(d, "again"), "--threads", "2", "--until", "locate", "-q")
check(p.returncode == 0, "run --threads 2: " + p.stderr[-1500:])
for bad in ("0", "two"):
    p = run("run", "-c", ini, "-o", os.path.join(d, "bad"), "--threads", bad)
    check(p.returncode == 2 and "--threads" in p.stderr, "--threads %s: exit 2 naming it (%d, %s)"
          % (bad, p.returncode, p.stderr.strip()))
finish("test_threads")

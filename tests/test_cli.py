"""The command line: --version, --help, stages (and the store tables each reads and writes, as
docs/working-store.md says), the options each command takes (others are exit 2
naming them), numbers read strictly, and --from/--until resuming."""
import os
from tplib import *

p = run("--version")
check(p.returncode == 0 and p.stdout.startswith("tremplin 0."), "--version: %r" % p.stdout)
check("GDAL" in p.stdout and "GEOS" in p.stdout, "--version names the libraries")
p = run("--help")
check(p.returncode == 0 and "Usage: tremplin" in p.stdout and "--until STAGE" in p.stdout, "--help")
p = run("stages")
names = [l.split()[1] for l in p.stdout.splitlines() if l[:1].isdigit()]
check(names == ["load", "reproject", "validate", "locate", "apportion", "register", "snapshots", "protect",
                "score", "ending", "summarise", "trends", "write", "draw", "database"],
      "stages in order: %r" % names)
# What each stage reads and writes is data (`tremplin stages`), and docs/working-store.md says the same.
declared = {}
for l in p.stdout.splitlines():
    f = l.split()
    if l[:1].isdigit():
        stage = f[1]
        declared[stage] = {}
    elif f and f[0] in ("reads:", "writes:", "ahead:"):
        declared[stage][f[0][:-1]] = {t.strip(",") for t in f[1:] if t != "-"}
check(declared["load"]["reads"] == set() and "zone_shares" in declared["apportion"]["writes"]
      and declared["draw"]["writes"] == set(), "stages lists reads and writes: %r" % declared)
# a stage's part ahead (pipeline/stages.h): score reads the vacancies beside the stages before it
check({s for s in declared if "ahead" in declared[s]} == {"score"}
      and declared["score"]["ahead"] == {"vacancies"} <= declared["score"]["reads"],
      "stages lists score's part ahead: %r" % declared["score"])
order = list(declared)
documented = 0
for l in open(os.path.join(SRC, "docs", "working-store.md"), encoding="utf-8"):
    cells = [c.strip() for c in l.split(" | ")]
    if not l.startswith("| `") or cells[0].startswith("| `stage_runs"):
        continue
    table = cells[0][3:].split("(")[0]
    documented += 1
    for col, what in ((1, "writes"), (2, "reads")):
        doc = set()
        for part in cells[col].split(", "):
            if part.startswith("—"):  # no other stage
                continue
            ends = part.split(" … ")
            doc |= set(order[order.index(ends[0]):order.index(ends[-1]) + 1])
        code = {s for s in order if table in declared[s][what]}
        check(doc == code, "working-store.md: %s %s by %s, the stage table says %s"
              % (table, "written" if what == "writes" else "read", sorted(doc), sorted(code)))
check(documented == 25, "working-store.md documents the 25 tables stages use: %d" % documented)
p = run()
check(p.returncode == 2 and "no command given" in p.stderr, "no command: exit 2")
p = run("frobnicate")
check(p.returncode == 2 and "unknown command: frobnicate" in p.stderr, "unknown command: exit 2")
p = run("run", "-o", "/tmp/x")
check(p.returncode == 2 and "run needs -c CONFIG" in p.stderr, "run without config: exit 2")
p = run("run", "-c", "/nonexistent/t.ini", "-o", os.path.join(TMP, "cli_noconf"))
check(p.returncode == 3 and "/nonexistent/t.ini: file not found (the config file)" in p.stderr,
      "missing config: exit 3, %r" % p.stderr)
p = run("--config", "CPL_DEBUG", "OFF", "stages")
check(p.returncode == 0 and "1. load" in p.stdout, "--config KEY VALUE before the command: %r" % p.stderr)
p = run("stages", "--debug", "off", "-q")
check(p.returncode == 0 and "1. load" in p.stdout, "--debug and -q after the command: %r" % p.stderr)

# Each command takes its own options: anything else is exit 2 naming the option and the command.
u = os.path.join(workdir("cli_usage"), "out")
for args, message in [
        (["stages", "--lco", "X"], "--lco: not an option of 'stages'"),
        (["stages", "--seed", "1"], "--seed: not an option of 'stages'"),
        (["check", "-c", "t.ini", "-o", u], "-o: not an option of 'check'"),
        (["run", "-c", "t.ini", "-o", u, "--seed", "3"], "--seed: not an option of 'run'"),
        (["map", "-c", "t.ini", "-o", u, "--until", "write"], "--until: not an option of 'map'"),
        (["map", "-c", "t.ini", "-o", u, "--threads", "2"], "--threads: not an option of 'map'"),
        (["apportion", "a", "b", "--value", "v", "--threads", "2"], "--threads: not an option of 'apportion'"),
        (["join", "a", "b", "--value", "v"], "--value: not an option of 'join'"),
        (["join", "a", "b", "--frobnicate"], "--frobnicate: not an option of 'join'"),
        (["-o", u, "run"], "-o: not an option of tremplin itself"),
]:
    p = run(*args)
    check(p.returncode == 2 and message in p.stderr, "%s: exit 2, %r: %d %r" % (" ".join(args), message, p.returncode, p.stderr))

# Numbers are read strictly, and an option's value cannot be left out.
for args, message in [
        (["join", "a", "b", "--threads", "two"], "--threads two: expected a whole number, 1 or more"),
        (["join", "a", "b", "--threads", "0"], "--threads 0: expected a whole number, 1 or more"),
        (["join", "a", "b", "--threads", "-1"], "--threads -1: expected a whole number, 1 or more"),
        (["join", "a", "b", "--threads", "2.5"], "--threads 2.5: expected a whole number, 1 or more"),
        (["join", "a", "b", "--threads", "99999999999"], "--threads 99999999999: too large (at most 2147483647)"),
        (["demo", "-o", u, "--seed", "abc"], "--seed abc: expected a whole number, 0 or more"),
        (["demo", "-o", u, "--seed", "1x"], "--seed 1x: expected a whole number, 0 or more"),
        (["demo", "-o", u, "--seed", ""], "--seed : expected a whole number, 0 or more"),
        (["demo", "-o", u, "--seed"], "--seed: missing value (N)"),
        (["demo", "-o"], "-o: missing value (OUTDIR)"),
        (["run", "-o", u, "-c"], "-c: missing value (CONFIG)"),
        (["join", "a", "b", "--key"], "--key: missing value (FIELD)"),
        (["join", "a", "b", "--lco"], "--lco: missing value (NAME=VALUE)"),
        (["--config", "CPL_DEBUG"], "--config option given without a key and value argument"),
        (["stages", "--debug"], "--debug option given without debug level"),
]:
    p = run(*args)
    check(p.returncode == 2 and message in p.stderr, "%s: exit 2, %r: %d %r" % (" ".join(args), message, p.returncode, p.stderr))
check(not os.path.exists(u), "no usage error wrote anything")

# What a command cannot go without.
for args, message in [
        (["join", "a"], "join needs two files, POLYGONS POINTS"),
        (["join", "a", "b", "c"], "unexpected argument: c"),
        (["apportion", "a", "b"], "apportion needs --value FIELD"),
        (["check"], "check needs -c CONFIG"),
        (["demo"], "demo needs -o OUTDIR"),
        (["stages", "extra"], "unexpected argument: extra"),
]:
    p = run(*args)
    check(p.returncode == 2 and message in p.stderr, "%s: exit 2, %r: %d %r" % (" ".join(args), message, p.returncode, p.stderr))

# tremplin COMMAND --help: that command's usage, each option it takes, and nothing else.
p = run("join", "--help")
check(p.returncode == 0 and p.stdout.startswith("Usage: tremplin join POLYGONS POINTS"), "join --help: %r" % p.stdout)
check("--threads N" in p.stdout and "--lco NAME=VALUE" in p.stdout and "--seed" not in p.stdout
      and "Usage: tremplin run" not in p.stdout, "join --help lists join's options only: %r" % p.stdout)
p = run("demo", "-o", u, "--seed", "abc", "--help")
check(p.returncode == 0 and p.stdout.startswith("Usage: tremplin demo -o OUTDIR [--seed N]"),
      "--help wins over a bad value: %r %r" % (p.stdout, p.stderr))
p = run("stages", "-h")
check(p.returncode == 0 and p.stdout.startswith("Usage: tremplin stages\n") and "Options:" not in p.stdout,
      "stages -h: %r" % p.stdout)

d = workdir("cli")
out = os.path.join(d, "out")
p = run("demo", "-o", out, "-q", "--until", "locate")
check(p.returncode == 0 and p.stdout == "", "demo -q --until locate is silent: %r %r" % (p.stdout, p.stderr))
check(not os.path.exists(os.path.join(out, "tremplin.gpkg")), "--until locate writes no GeoPackage")
db = store(out)
ran = [r[0] for r in db.execute("SELECT stage FROM stage_runs ORDER BY rowid")]
check(ran == ["load", "reproject", "validate", "locate"], "stages run so far: %r" % ran)
located = db.execute("SELECT COUNT(*) FROM vacancies WHERE nis_code IS NOT NULL").fetchone()[0]
check(located > 500, "vacancies located: %d" % located)
db.close()
ini = os.path.join(out, "inputs", "tremplin.ini")
p = run("run", "-c", ini, "-o", out, "--from", "apportion")
check(p.returncode == 0 and os.path.exists(os.path.join(out, "tremplin.gpkg")),
      "--from apportion resumes and writes: %s" % p.stderr)
check("vacancies read" in p.stdout, "report printed after resume")

# a store an older tremplin laid out (before the vacancies became a view): resuming in it says
# so and how to mend it, and leaves it as it was
db = store(out)
db.execute("PRAGMA user_version = 1")
db.commit()
db.close()
p = run("run", "-c", ini, "-o", out, "--from", "score")
check(p.returncode == 6 and "work.sqlite: this working store was laid out by an older version"
      in p.stderr and "run without --from" in p.stderr, "--from on an older store: exit 6, %r" % p.stderr)
db = store(out)
check(db.execute("PRAGMA user_version").fetchone()[0] == 1, "the older store is left as it was")
db.close()
p = run("run", "-c", ini, "-o", out, "-q")
db = store(out)
layout = db.execute("PRAGMA user_version").fetchone()[0]
check(p.returncode == 0 and layout > 1,
      "a whole run lays the store out again: exit %d, layout %d, %r %r"
      % (p.returncode, layout, p.stderr[-2000:], p.stdout[-500:]))
db.close()

# A damaged store (the store is written without waiting for the disk: a system crash or power
# loss during a run can leave it so).  With --from, the run says so and what to do (exit 6); a
# whole run builds it anew.  Damaged twice: a page of a table the write stage reads (met on the
# write stage's own connections, not the runner's), then the file's header.
def damage(outdir, where):
    path = os.path.join(outdir, "work.sqlite")
    db = store(outdir)
    size = db.execute("PRAGMA page_size").fetchone()[0]
    if where == "header":
        at, length = 0, 100
    else:
        page = db.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'"
                          " ORDER BY pageno LIMIT 1", (where,)).fetchone()[0]
        at, length = (page - 1) * size, size
    db.close()
    check(not os.path.exists(path + "-wal") or os.path.getsize(path + "-wal") == 0,
          "the store's WAL is empty once the run is over")
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(b"\xa5" * length)

for where in ("vacancy_rows", "header"):
    damage(out, where)
    p = run("run", "-c", ini, "-o", out, "--from", "write", "-q")
    check(p.returncode == 6 and "the working store is damaged" in p.stderr
          and "run again without --from, which builds it anew" in p.stderr,
          "--from write on a store damaged (%s): exit 6, %r" % (where, p.stderr))
    p = run("run", "-c", ini, "-o", out, "-q")
    check(p.returncode == 0 and "work.sqlite is damaged" in p.stderr and "building it anew" in p.stderr,
          "a whole run on a store damaged (%s) builds it anew: %d %r" % (where, p.returncode, p.stderr))
    db = store(out)
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
          and db.execute("SELECT COUNT(*) FROM stage_runs").fetchone()[0] >= 12
          and db.execute("SELECT COUNT(*) FROM vacancies").fetchone()[0] > 500,
          "the store built anew (%s) is whole" % where)
    db.close()
    check(counts(out)["vacancies"][0] > 500, "and the run's figures are there (%s)" % where)

fresh = os.path.join(d, "fresh")
p = run("run", "-c", ini, "-o", fresh, "--from", "locate")
check(p.returncode == 6 and "stage 'load' has not run" in p.stderr, "--from without store: exit 6, %r" % p.stderr)
p = run("run", "-c", ini, "-o", fresh, "--from", "nowhere")
check(p.returncode == 2 and "no stage 'nowhere'" in p.stderr, "unknown stage: exit 2, %r" % p.stderr)
finish("test_cli")

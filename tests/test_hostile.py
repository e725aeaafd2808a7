"""Hostile and broken input: paths that are not regular files, files that are empty or UTF-16,
numbers beyond reason and config values that would switch a rule off.  Each is refused by name
with the exit status of its kind (3 for the config, 4 for an input) or, for one record, rejected
with its reason (A + R = N); nothing hangs, nothing is allocated from a bogus size."""
import os
import stat
from tplib import *

d = workdir("hostile")
demo = os.path.join(d, "demo")
p = run("demo", "-o", demo, "-q", "--no-maps", "--no-dashboard")
check(p.returncode == 0, "demo runs: " + p.stderr)
inp = os.path.join(demo, "inputs")
ini = open(os.path.join(inp, "tremplin.ini"), encoding="utf-8").read()


def with_vacancies(name, path):
    """A config reading the vacancies from path."""
    cfg = os.path.join(inp, name + ".ini")
    write(cfg, ini.replace("path = vacancies.csv", "path = " + path))
    return cfg


def refused(name, path, what):
    """check on a config whose vacancies are path: exit 4 naming path and what it is."""
    cfg = with_vacancies(name, path)
    try:
        p = subprocess.run([TREMPLIN, "check", "-c", cfg], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        check(False, "%s: check hangs" % name)
        return
    out = p.stdout + p.stderr
    check(p.returncode == 4 and (path + ": " + what) in out,
          "%s: exit 4 with '%s: %s': %d %s" % (name, path, what, p.returncode, out[-400:]))


import subprocess  # noqa: E402 (used by refused)

# ---- paths that are not regular files --------------------------------------------------------
os.makedirs(os.path.join(inp, "folder.csv"), exist_ok=True)
refused("folder", os.path.join(inp, "folder.csv"), "a folder, not a file")
fifo = os.path.join(inp, "fifo.csv")
os.mkfifo(fifo)
refused("fifo", fifo, "a FIFO (named pipe), not a file")
refused("device", "/dev/null", "a device, not a file")
loop = os.path.join(inp, "loop.csv")
os.symlink(loop + ".b", loop)
os.symlink(loop, loop + ".b")
refused("loop", loop, "a loop of symbolic links")
refused("missing", os.path.join(inp, "absent.csv"), "file not found")
if os.geteuid() != 0:
    locked = os.path.join(inp, "locked.csv")
    write(locked, "id\n")
    os.chmod(locked, 0)
    refused("unreadable", locked, "cannot read")
else:
    print("test_hostile: unreadable file not tried: root reads every file")

# ---- files that are no table ------------------------------------------------------------------
write(os.path.join(inp, "empty.csv"), "")
refused("empty", os.path.join(inp, "empty.csv"), "the file is empty")
with open(os.path.join(inp, "utf16.csv"), "wb") as f:
    f.write("id;owner_type\nV1;sisp\n".encode("utf-16"))
refused("utf16", os.path.join(inp, "utf16.csv"), "UTF-16 text")
with open(os.path.join(inp, "broken.gpkg"), "wb") as f:
    f.write(b"SQLite format 3\0" + b"garbage" * 300)
refused("broken", os.path.join(inp, "broken.gpkg"), "not a vector file OGR can read (input 'vacancies'): ")
p = run("check", "-c", with_vacancies("broken2", os.path.join(inp, "broken.gpkg")))
check("file is not a database" in p.stdout + p.stderr, "an unreadable GeoPackage: GDAL's own reason: "
      + (p.stdout + p.stderr)[-300:])

# ---- the config -------------------------------------------------------------------------------
for kind, path in (("a folder", inp), ("a FIFO (named pipe)", fifo)):
    try:
        p = subprocess.run([TREMPLIN, "check", "-c", path], capture_output=True, text=True, timeout=60)
        check(p.returncode == 3 and "%s: %s, not a file (the config file)" % (path, kind) in p.stderr,
              "a config that is %s: exit 3 naming it: %d %s" % (kind, p.returncode, p.stderr))
    except subprocess.TimeoutExpired:
        check(False, "a config that is %s: check hangs" % kind)
for section, key, value in (("run", "min_window_months", "nan"), ("run", "occupancy", "inf"),
                            ("run", "min_window_months", "-3"), ("run", "occupancy", "1e9"),
                            ("outputs", "small_cell_threshold", "nan"),
                            ("outputs", "small_cell_threshold", "0")):
    cfg = os.path.join(inp, "bad_%s_%s.ini" % (key, value))
    text = ini + ("\n[%s]\n%s = %s\n" % (section, key, value)) if section == "outputs" else \
        ini.replace("[run]\n", "[run]\n%s = %s\n" % (key, value), 1)
    write(cfg, text)
    p = run("check", "-c", cfg)
    check(p.returncode == 3 and "[%s] %s: " % (section, key) in p.stderr and value in p.stderr,
          "config %s = %s: exit 3 naming [%s] %s: %d %s" % (key, value, section, key, p.returncode, p.stderr))
# a line of any length: a long note is read whole
note = "Données schématiques " * 300
cfg = os.path.join(inp, "long.ini")
write(cfg, "\n".join("note = " + note.strip() if line.startswith("note =") else line
                     for line in ini.split("\n")))
out = os.path.join(d, "long")
p = run("run", "-c", cfg, "-o", out, "-q", "--until", "load")
check(p.returncode == 0, "a config line of %d characters is read: %s" % (len(note), p.stderr))
if p.returncode == 0:
    db = store(out)
    got = db.execute("SELECT value FROM meta WHERE key = 'note'").fetchone()[0]
    db.close()
    check(got == note.strip(), "the long note is kept whole (%d characters)" % len(got))

# ---- numbers beyond reason: one record rejected, with its reason -------------------------------
rows = open(os.path.join(inp, "vacancies.csv"), encoding="utf-8").read().splitlines()
head = rows[0].split(",")
iw, ix = head.index("dwellings"), head.index("x")


def edit(line, col, value):
    cells = line.split(",")
    cells[col] = value
    return ",".join(cells)


rows[1] = edit(rows[1], iw, "5000000000000000000")
rows[2] = edit(rows[2], ix, "inf")
rows[3] = edit(rows[3], ix, "1e300")
write(os.path.join(inp, "huge.csv"), "\n".join(rows) + "\n")
out = os.path.join(d, "huge")
p = run("run", "-c", with_vacancies("huge", "huge.csv"), "-o", out, "-q")
check(p.returncode == 0, "a file with numbers beyond reason still runs: " + p.stderr)
if p.returncode == 0:
    n, a, r = counts(out)["vacancies"]
    check(a + r == n and r >= 3, "A + R = N with the three rows rejected: %r" % ((n, a, r),))
    db = store(out)
    why = dict(db.execute("SELECT src_row, reason FROM rejects WHERE input = 'vacancies'").fetchall())
    db.close()
    check(why.get(2, "").startswith("too large: '5000000000000000000' (at most 10000)"),
          "row 2: dwellings too large: %r" % why.get(2))
    check(why.get(3) == "x is out of range: 'inf' (at most 1e+08)", "row 3: x inf: %r" % why.get(3))
    check(why.get(4) == "x is out of range: '1e300' (at most 1e+08)", "row 4: x 1e300: %r" % why.get(4))
finish("test_hostile")

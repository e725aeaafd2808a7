"""Environment faults and killed runs: exit 5 with a message a person can act on, and OUTDIR
holding one whole set of outputs afterwards (README "Outputs as one set", "Exit codes").

Each fault: the disk filling up in the working store and, separately, while the outputs are
written (a small tmpfs, as root); a read-only OUTDIR holding an earlier run; two runs into one
OUTDIR at once (exit 5 naming the holder, or --wait); kill -9 at several moments of a demo run.
After each, every output run.json names is the file it names (size and SHA-256), and the next
run leaves no staging folder or temporary file behind.
"""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from tplib import *

d = workdir("faults")
ROOT = os.geteuid() == 0
# the demo's inputs, read by `run` from outside the OUTDIRs below
p = run("demo", "-o", os.path.join(d, "src"), "--until", "load", "-q")
if p.returncode != 0:
    print(p.stderr, file=sys.stderr)
    sys.exit(1)
INI = os.path.join(d, "src", "inputs", "tremplin.ini")
SET = {"tremplin.gpkg", "indicators.csv", "dashboard.html", "maps/overview.pdf", "maps/atlas.pdf"}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def whole_set(out, what):
    """Checks that every output run.json names is there as it names it; returns run.json's text."""
    path = os.path.join(out, "run.json")
    if not os.path.exists(path):
        check(False, "%s: run.json is there" % what)
        return None
    text = open(path).read()
    rj = json.loads(text)
    names = {o["path"] for o in rj["outputs"]}
    check(SET <= names, "%s: run.json names the whole set: %r" % (what, sorted(names)))
    for o in rj["outputs"]:
        f = os.path.join(out, o["path"])
        ok = os.path.isfile(f) and os.path.getsize(f) == o["size"] and sha256(f) == o["sha256"]
        check(ok, "%s: %s is the file run.json names" % (what, o["path"]))
    return text


def leftovers(out):
    """Staging folders, ready sets and temporary files left in out."""
    left = []
    for top, dirs, files in os.walk(out):
        for n in dirs + files:
            if n.startswith(".tremplin-new-") or n == ".tremplin-ready" or ".tmp-" in n:
                left.append(os.path.relpath(os.path.join(top, n), out))
    return left


def mount_tmpfs(path, size):
    """Mounts a tmpfs of size at path; None, or why it cannot."""
    os.makedirs(path, exist_ok=True)
    if not ROOT:
        return "not root: cannot mount a tmpfs"
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", path],
                       capture_output=True, text=True)
    return None if p.returncode == 0 else "mount -t tmpfs failed: %s" % p.stderr.strip()


def umount(path):
    subprocess.run(["umount", path], capture_output=True)


def fill(mnt, leave_kib):
    """Fills the file system of mnt until leave_kib KiB are free."""
    filler = os.path.join(mnt, "filler")
    if os.path.exists(filler):
        os.remove(filler)
    st = os.statvfs(mnt)
    size = st.f_bavail * st.f_frsize - leave_kib * 1024
    with open(filler, "wb") as f:
        os.posix_fallocate(f.fileno(), 0, size)


def exit5(p, words, what):
    check(p.returncode == 5, "%s: exit 5, got %d: %s" % (what, p.returncode, p.stderr.strip()))
    for w in words:
        check(w in p.stderr, "%s: the message says %r: %r" % (what, w, p.stderr.strip()))
    check("a bug" not in p.stderr, "%s: not called a bug" % what)


# ---- the disk full: in the working store, then while writing the outputs ----------------
mnt = os.path.join(d, "full")
why = mount_tmpfs(mnt, "16m")
if why:
    print("skipped: disk full tests: %s" % why)
else:
    try:
        out = os.path.join(mnt, "o")
        p = run("run", "-c", INI, "-o", out, "-q")
        check(p.returncode == 0, "a first run on the tmpfs: %s" % p.stderr)
        before = whole_set(out, "before the disk fills")
        # 200 KiB free: the working store's journal cannot grow (load stage);
        # 4000 KiB: the store's stages pass, the outputs (some 6 MB) do not fit (in the staging folder)
        for leave, where in ((200, "working store"), (4000, ".tremplin-new-")):
            fill(mnt, leave)
            p = run("run", "-c", INI, "-o", out, "-q")
            what = "disk full with %d KiB free" % leave
            exit5(p, ["the disk is full", "free space", where], what)
            check(whole_set(out, what) == before, "%s: OUTDIR holds the previous set" % what)
            check(leftovers(out) == [], "%s: nothing left: %r" % (what, leftovers(out)))
        os.remove(os.path.join(mnt, "filler"))
        p = run("run", "-c", INI, "-o", out, "-q")
        check(p.returncode == 0, "space freed: the run succeeds: %s" % p.stderr)
        check(whole_set(out, "after space is freed") != before, "a new set")
    finally:
        umount(mnt)

# ---- a read-only OUTDIR holding an earlier run -----------------------------------------
ro = os.path.join(d, "ro")
if ROOT:
    # root writes through permissions: a tmpfs remounted read-only
    why = mount_tmpfs(ro, "16m")
else:
    os.makedirs(ro)
    why = None
if why:
    print("skipped: read-only OUTDIR test: %s" % why)
else:
    try:
        out = os.path.join(ro, "o")
        p = run("run", "-c", INI, "-o", out, "-q")
        check(p.returncode == 0, "a first run: %s" % p.stderr)
        before = whole_set(out, "before read-only")
        if ROOT:
            r = subprocess.run(["mount", "-o", "remount,ro", ro], capture_output=True, text=True)
            why = None if r.returncode == 0 else "remount,ro failed: %s" % r.stderr.strip()
        else:
            os.chmod(out, 0o555)
        if why:
            print("skipped: read-only OUTDIR test: %s" % why)
        else:
            for cmd in (["run", "-c", INI], ["map", "-c", INI]):
                p = run(*cmd, "-o", out, "-q")
                what = "read-only OUTDIR, %s" % cmd[0]
                exit5(p, [out, "cannot write into this output folder", "make it writable"], what)
                check(whole_set(out, what) == before, "%s: the earlier run is left whole" % what)
    finally:
        if ROOT:
            umount(ro)
        else:
            os.chmod(os.path.join(ro, "o"), 0o755)

# ---- two runs into one OUTDIR at once ------------------------------------------------------
out = os.path.join(d, "two")
first = subprocess.Popen([TREMPLIN, "demo", "-o", out, "-q"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
lock = os.path.join(out, ".tremplin.lock")
deadline = time.time() + 30
while time.time() < deadline and first.poll() is None:
    if os.path.exists(lock) and ("pid %d " % first.pid) in open(lock).read():
        break
    time.sleep(0.01)
second = subprocess.Popen([TREMPLIN, "run", "-c", INI, "-o", out, "-q"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
waiting = subprocess.Popen([TREMPLIN, "run", "-c", INI, "-o", out, "--wait"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
e2 = second.communicate()[1]
held = first.poll() is None
ew = waiting.communicate()[1]
first.communicate()
check(held, "the first run still held the lock when the second ended")
exit5(subprocess.CompletedProcess([], second.returncode, "", e2),
      ["another tremplin run", "pid %d" % first.pid, "since 20", "--wait"], "OUTDIR in use")
check(first.returncode == 0, "the first run succeeds")
check(waiting.returncode == 0 and "waiting for another run to end (pid %d" % first.pid in ew,
      "--wait waits for the first run, then succeeds: %r" % ew)
rj = json.loads(whole_set(out, "after two runs") or "{}")
check(rj.get("config", {}).get("path") == INI, "the set is the waiting run's: %r" % rj.get("config"))
check(leftovers(out) == [], "two runs: nothing left: %r" % leftovers(out))

# ---- kill -9 at several moments of a demo run --------------------------------------------
out = os.path.join(d, "kill")
p = run("demo", "-o", out, "-q")
check(p.returncode == 0, "a first demo run: %s" % p.stderr)
old = whole_set(out, "before the kills")
t0 = time.time()
run("demo", "-o", out, "-q", "--seed", "7")
span = time.time() - t0
old = whole_set(out, "a second demo run")
# killed while moving a whole new set in (too short a moment to hit by chance): the set
# waits whole in .tremplin-ready, half moved; OUTDIR's files then differ from its run.json,
# and the next command finishes the move before anything else
other = os.path.join(d, "other")
p = run("demo", "-o", other, "-q", "--seed", "3")
ready = os.path.join(out, ".tremplin-ready")
os.makedirs(os.path.join(ready, "maps"))
for name in sorted(json.loads(open(os.path.join(other, "run.json")).read())["outputs"],
                   key=lambda o: o["path"]):
    shutil.copy(os.path.join(other, name["path"]), os.path.join(ready, name["path"]))
shutil.copy(os.path.join(other, "run.json"), os.path.join(ready, "run.json"))
for name in ("tremplin.gpkg", "indicators.csv"):
    os.replace(os.path.join(ready, name), os.path.join(out, name))
named = {o["path"]: o["sha256"] for o in json.loads(old)["outputs"]}
check(sha256(os.path.join(out, "indicators.csv")) != named["indicators.csv"],
      "half moved: a mix, which run.json shows")
p = run("map", "-c", os.path.join(out, "inputs", "tremplin.ini"), "-o", out, "-q")
check(p.returncode == 0, "map after a half-moved set: %s" % p.stderr)
check(not os.path.exists(ready), "map finishes moving the set in")
rj = json.loads(whole_set(out, "a half-moved set finished") or "{}")
mine = {o["path"]: o["sha256"] for o in rj.get("outputs", [])}
theirs = {o["path"]: o["sha256"] for o in json.loads(open(os.path.join(other, "run.json")).read())["outputs"]}
check(mine.get("tremplin.gpkg") == theirs["tremplin.gpkg"], "the moved-in set's GeoPackage is kept")
old = whole_set(out, "the set map made")

outcomes = []


def kill_demo(i, when):
    """Starts a demo run, kills it (-9) when `when` says, then checks OUTDIR."""
    global old
    k = subprocess.Popen([TREMPLIN, "demo", "-o", out, "-q", "--seed", str(100 + i)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    what = when(k)
    k.send_signal(signal.SIGKILL)
    k.wait()
    if os.path.isdir(os.path.join(out, ".tremplin-ready")):
        # killed while the whole new set was being moved in: the next command finishes it
        outcomes.append("moving")
        p = run("map", "-c", os.path.join(out, "inputs", "tremplin.ini"), "-o", out, "-q")
        check(p.returncode in (0, 6), "%s: map after it: %s" % (what, p.stderr))
        check(not os.path.exists(os.path.join(out, ".tremplin-ready")), "%s: map finishes it" % what)
    now = whole_set(out, what)
    outcomes.append("old" if now == old else "new")
    old = now


def after(frac):
    """Kills at frac of a whole run's time."""
    def when(k):
        time.sleep(span * frac)
        return "killed at %.0f%% of a run" % (100 * frac)
    return when


def staged(delay):
    """Kills delay seconds after the first output appears in the staging folder (or the run
    ends)."""
    def when(k):
        folder = os.path.join(out, ".tremplin-new-%d" % k.pid)
        while k.poll() is None and not (os.path.isdir(folder) and os.listdir(folder)):
            time.sleep(0.002)
        time.sleep(delay)
        return "killed %.2f s into writing the outputs" % delay
    return when


def moving(k):
    """Kills as soon as the new set is whole and being moved in."""
    while k.poll() is None and not os.path.exists(os.path.join(out, ".tremplin-ready")):
        pass
    return "killed while the set is moved in"


moments = [after(f) for f in (0.05, 0.2, 0.4)] + \
          [staged(t) for t in (0, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.5)] + [moving, moving]
for i, when in enumerate(moments):
    kill_demo(i, when)
# what dead runs leave, and a live run's temporary file, which stays
live = os.path.join(out, "indicators.csv.tmp-%d" % os.getpid())
write(live, "a live run's")
dead_tmp = os.path.join(out, "maps", "atlas.pdf.tmp-4194303")
write(dead_tmp, "a dead run's")
os.makedirs(os.path.join(out, ".tremplin-new-4194303", "maps"))
p = run("demo", "-o", out, "-q")
check(p.returncode == 0, "the next run succeeds: %s" % p.stderr)
whole_set(out, "after the kills")
check(leftovers(out) == [os.path.basename(live)], "the next run removes what dead runs left, "
      "and only that: %r" % leftovers(out))
os.remove(live)
print("kill outcomes: %s" % " ".join(outcomes))

# ---- --from draw and map keep a whole set -------------------------------------------------
before = json.loads(open(os.path.join(out, "run.json")).read())
# the file put in place anew (a rename: a new inode); its "started" may be the same second as
# the run before's now that a demo run takes less than one
st0 = os.stat(os.path.join(out, "run.json"))
p = run("run", "-c", os.path.join(out, "inputs", "tremplin.ini"), "-o", out, "--from", "draw",
        "-q")
check(p.returncode == 0, "--from draw: %s" % p.stderr)
after = json.loads(whole_set(out, "after --from draw") or "{}")
st1 = os.stat(os.path.join(out, "run.json"))
check((st1.st_ino, st1.st_mtime_ns) != (st0.st_ino, st0.st_mtime_ns) and after.get("started") >= before["started"]
      and after.get("stages", "").startswith("draw.."),
      "--from draw writes a new run.json: %r" % {k: after.get(k) for k in ("started", "stages")})
gp = {o["path"]: o["sha256"] for o in after.get("outputs", [])}
check(gp.get("tremplin.gpkg") == {o["path"]: o["sha256"] for o in before["outputs"]}["tremplin.gpkg"],
      "--from draw keeps the GeoPackage and names it")
# a set mixed by hand is refused by map
with open(os.path.join(out, "indicators.csv"), "a") as f:
    f.write("x\n")
p = run("map", "-c", os.path.join(out, "inputs", "tremplin.ini"), "-o", out, "-q")
exit5(p, ["not one set", "indicators.csv"], "map on a mixed set")
check(leftovers(out) == [], "map refused: nothing left: %r" % leftovers(out))

finish("test_faults")

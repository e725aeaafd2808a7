"""The overview at scale: past 2,000 candidates it draws them per square of a grid (one disc per
square holding any), says so in its legend with the square's side and how many squares, and its
files stay small; the squares are the ones the candidates' positions fall in."""
import math
import os
import re
import struct
import subprocess
from tplib import *

d = workdir("overview_scale")
out = os.path.join(d, "out")
p = run("demo", "-o", out, "--records", "12000", "--no-dashboard", "-q")
check(p.returncode == 0, "demo --records 12000 runs: " + p.stderr[-2000:])
maps = os.path.join(out, "maps")

db = store(out)
pts = []
for (g,) in db.execute("SELECT geom FROM vacancies WHERE candidate = 1"):
    order = "<" if g[0] == 1 else ">"
    pts.append(struct.unpack(order + "dd", g[5:21]))
db.close()
check(len(pts) > 2000, "more than 2,000 candidates: %d" % len(pts))

text = subprocess.run(["pdftotext", os.path.join(maps, "overview.pdf"), "-"], capture_output=True,
                      text=True).stdout
flat = re.sub(r"\s+", " ", text)
m = re.search(r"regroupés par carré de (\d+) m", flat)
check(m is not None, "the legend says the candidates are grouped per square: %r" % flat[:3000])
n = re.search(r"en (\d+) carrés", flat)
check(n is not None, "and in how many squares")
if m and n:
    side = float(m.group(1))
    want = len({(math.floor(x / side), math.floor(y / side)) for x, y in pts})
    check(int(n.group(1)) == want, "%s squares drawn, %d squares hold candidates" % (n.group(1), want))
    check(want < len(pts) / 2, "far fewer discs than candidates: %d for %d" % (want, len(pts)))
for f in ("overview.svg", "overview.pdf", "overview.png"):
    size = os.path.getsize(os.path.join(maps, f))
    check(size <= 2 * 1024 * 1024, "%s is %d bytes (one disc per candidate made 13 MB of SVG at 30,000)"
          % (f, size))
finish("test_overview_scale")

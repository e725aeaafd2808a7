"""Maps ready to print (issue 14): on the demo and on the real Brussels communes
(../shared/data/brussels, that part skipped when absent) no two labels of the overview overlap
(overview.json's boxes, checked against the words pdftotext finds on the page), none lies under
the scale bar, the north arrow, the note or the regional total, and the words on an atlas map
do not overlap either; the atlas lists every candidate of the demo by its address, numbers them
1..n within each commune, and writes no number with a decimal point; each commune's first page
shows its people counted at each edition (2018-2024) and the changes exactly as trends.csv
publishes them, and its running occupations by site (an ended one nowhere); every map prints the
sources line of [run] sources, or the input files' names without it."""
import json
import os
import re
import shutil
import subprocess
from tplib import *

LISTED = 100  # TP_ATLAS_LISTED (outputs/maps.h)


def intersects(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def words(pdf, page=None):
    """[(text, [x0, y0, x1, y1])] of every word pdftotext finds (of one page, or all as a list
    of pages)."""
    args = ["pdftotext", "-bbox"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    out = subprocess.run(args + [pdf, "-"], capture_output=True, text=True).stdout
    pages = []
    for p in re.findall(r"<page[^>]*>(.*?)</page>", out, re.S):
        pages.append([(html_unescape(t), [float(a), float(b), float(c), float(d)]) for a, b, c, d, t in
                      re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                 r'yMax="([\d.]+)">(.*?)</word>', p)])
    return pages[0] if page else pages


def html_unescape(s):
    import html
    return html.unescape(s)


def npages(pdf):
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def check_overview(maps, what):
    """No two label boxes of overview.json intersect; none covers a box kept clear; each
    label's words are on the page inside its box; no word on the map overlaps another."""
    ov = json.load(open(os.path.join(maps, "overview.json"), encoding="utf-8"))
    labels = ov["labels"]
    check(len(labels) + ov["labels_left_out"] == len(ov["communes"]),
          "%s: a label for every commune, placed or counted as left out" % what)
    check(ov["labels_left_out"] == 0, "%s: every commune's label found room" % what)
    bad = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
           if intersects(a["box"], b["box"])]
    check(not bad, "%s: no two labels overlap: %r" % (what, bad))
    bad = [(a["text"], k) for a in labels for k in ov["keep_clear"] if intersects(a["box"], k)]
    check(not bad, "%s: no label under the scale bar, north arrow, note or total: %r" % (what, bad))
    check(len(ov["keep_clear"]) >= 3, "%s: scale bar, north arrow and total kept clear" % what)
    ws = words(os.path.join(maps, "overview.pdf"), 1)
    for a in labels:
        x0, y0, x1, y1 = a["box"]
        inside = [t for t, b in ws if b[0] >= x0 - 1 and b[2] <= x1 + 1 and b[1] >= y0 - 2
                  and b[3] <= y1 + 2]
        first = a["text"].split()[0]
        check(first in inside, "%s: label %r drawn inside its box (%r)" % (what, a["text"], inside))
    # the scale bar's text lies in the first box kept clear, and under no label
    km = [b for t, b in ws if t == "km" or t == "m"]
    check(km and any(all(k[0] - 1 <= b[0] and b[2] <= k[2] + 1 and k[1] - 1 <= b[1] and
                         b[3] <= k[3] + 1 for b in km) for k in ov["keep_clear"]),
          "%s: the scale bar's words are inside a box kept clear: %r" % (what, km))
    return ov


def check_atlas_words(pdf, page, what):
    """No two words inside the map of an atlas page overlap (the map: from the page's top
    to the figures' heading)."""
    ws = words(pdf, page)
    head = [b for t, b in ws if t in ("Personnes", "Getelde")]
    bottom = min(b[1] for b in head) if head else 380
    m = [(t, b) for t, b in ws if 70 < b[1] and b[3] < bottom]
    bad = [(s, t) for i, (s, a) in enumerate(m) for t, b in m[i + 1:]
           if intersects([a[0] + 0.3, a[1] + 0.3, a[2] - 0.3, a[3] - 0.3], b)]
    check(len(m) >= 3, "%s: words on the atlas map (%d)" % (what, len(m)))
    check(not bad, "%s: no two words on the atlas map overlap: %r" % (what, bad[:10]))


def atlas_rows(pdf):
    """{nis: [(rank, address), ...]} read from the tables of atlas.pdf by position: the rank
    column right-aligned at 28 points from the margin, the address beside it."""
    rows, nis = {}, None
    for ws in words(pdf):
        m = [t for t, b in ws if t == "Commune" or t == "Gemeente"]
        text = " ".join(t for t, b in ws)
        first = re.search(r"(?:Commune|Gemeente) (\d+) ·", text)
        if first:
            nis = first.group(1)
        rang = [b for t, b in ws if t == "Rang"]
        if not rang or nis is None:
            continue
        top = rang[0][3] + 12
        # not the count of "… and N more", on the line of its ellipsis
        more = [b[1] for t, b in ws if t == "…"]
        ranks = sorted((b[1], int(t)) for t, b in ws if t.isdigit() and b[2] <= 70 and b[1] > top
                       and not [y for y in more if abs(y - b[1]) < 2])
        for i, (y, r) in enumerate(ranks):
            y2 = ranks[i + 1][0] if i + 1 < len(ranks) else y + 10
            addr = " ".join(t for t, b in ws if 66 <= b[0] and b[2] <= 220 and y - 1 <= b[1] < y2 - 1)
            rows.setdefault(nis, []).append((r, addr))
    return rows


def no_decimal_point(pdf, what):
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
    text = re.sub(r"tremplin \d+\.\d+\.\d+", "", text)  # the version is a name, not a number
    bad = re.findall(r"\d\.\d", text)
    check(not bad, "%s: no number written with a decimal point: %r" % (what, bad[:10]))
    check(re.search(r"\d,\d", text) is not None, "%s: decimals take a comma" % what)


# ---- the demo ---------------------------------------------------------------------------------
d = workdir("print")
out = os.path.join(d, "demo")
p = run("demo", "-o", out, check_rc=0)
check(p.returncode == 0, "demo runs: %s" % p.stderr)
maps = os.path.join(out, "maps")
atlas = os.path.join(maps, "atlas.pdf")
ov = check_overview(maps, "demo overview")
db = store(out)
cands = db.execute("SELECT nis_code, rank, address FROM vacancies WHERE candidate = 1"
                   " ORDER BY nis_code, rank").fetchall()
total = db.execute("SELECT SUM(people_total) FROM public_communes").fetchone()[0]
db.close()
check(abs(ov["region_total"] - total) < 1e-9, "regional total %r is the published sum %r"
      % (ov["region_total"], total))
ovt = subprocess.run(["pdftotext", os.path.join(maps, "overview.pdf"), "-"], capture_output=True,
                     text=True).stdout
# pdftotext gives the narrow no-break space back as a plain space
check(re.search(r"Gewest : %s\n" % printed("%d" % total).replace("\u202f", " "), ovt),
      "the overview prints the regional total %s" % printed("%d" % total))
check("somme des chiffres publiés par commune" in ovt, "and says it is the published figures' sum")

# every candidate, by its address, numbered 1..n within its commune in rank order
rows = atlas_rows(atlas)
by_commune = {}
for nis, rank, addr in cands:
    by_commune.setdefault(nis, []).append(addr)
for nis, addrs in by_commune.items():
    got = rows.get(nis, [])
    check([r for r, _ in got] == list(range(1, len(addrs) + 1)),
          "commune %s: ranks 1..%d, got %r" % (nis, len(addrs), [r for r, _ in got]))
    check([a for _, a in got] == addrs, "commune %s: its candidates by address in rank order:"
          " %r vs %r" % (nis, [a for _, a in got][:5], addrs[:5]))
text = subprocess.run(["pdftotext", "-layout", atlas, "-"], capture_output=True, text=True).stdout
missing = [a for _, _, a in cands if a not in text]
check(not missing, "every candidate's address is in atlas.pdf: missing %r" % missing[:5])
check(len(cands) > 100, "the demo has candidates: %d" % len(cands))
no_decimal_point(atlas, "demo atlas")
bru = [i + 1 for i, ws in enumerate(words(atlas)) if "21004" in [t for t, b in ws][:12]]
check(len(bru) == 1, "one first page for Bruxelles (21004): %r" % bru)
for pg in bru:
    check_atlas_words(atlas, pg, "demo atlas, Bruxelles")
# vacancies that are not candidates, by reason, on the commune's page
check("Immeubles vides non candidats" in text and "travaux en cours (R1)" in text,
      "the atlas sums up the vacancies that are not candidates, by reason")

# each commune's first page: its people counted at each edition as trends.csv publishes them, the
# change since the edition before on the whole and on the comparable scope ("x" when withheld, "–"
# at the first edition), in a table right of the bars; every figure also labels its bar
def signed(v, decimals):
    x = float(v)
    body = printed(("%%.%df" % decimals) % abs(x))
    return ("+" if x > 0 else "\u2212" if x < 0 else "") + body


def change_text(row, change, pct):
    if not row["previous_edition"]:
        return "\u2013"
    if row[change] == "":
        return "x"
    return signed(row[change], 0) + (" (%s %%)" % signed(row[pct], 1) if row[pct] else "")


trends = [r for r in read_csv(os.path.join(out, "trends.csv")) if r["category"] == "people_total"]
pages = words(atlas)
firsts = {}
for i, ws in enumerate(pages):
    m = re.search(r"Commune (\d+) ·", " ".join(t for t, b in ws[:20]))
    if m:
        firsts[m.group(1)] = ws
seen_withheld = 0
for nis in sorted({r["nis_code"] for r in trends if r["nis_code"]}):
    ws = firsts.get(nis, [])
    lines = {}
    for t, b in ws:
        if b[0] >= 205:  # the table, right of the bars
            lines.setdefault(round(b[1]), []).append((b[0], t))
    table = [" ".join(t for _, t in sorted(v)) for _, v in sorted(lines.items())]
    chart = [t for t, b in ws if b[2] <= 195]
    for r in (r for r in trends if r["nis_code"] == nis):
        date = "/".join(reversed(r["edition_date"].split("-")))
        want = "%s (%s) %s %s %s" % (r["edition"], date, printed(r["value_label"]),
                                      change_text(r, "change", "change_pct"),
                                      change_text(r, "comparable_change", "comparable_change_pct"))
        want = want.replace("\u202f", " ")
        seen_withheld += want.endswith(" x")
        check(want in table, "commune %s, edition %s: the atlas's row reads %r: %r"
              % (nis, r["edition"], want, [t for t in table if t.startswith(r["edition"] + " (")]))
        check(printed(r["value_label"]).replace("\u202f", " ") in " ".join(chart),
              "commune %s: the bar of %s is labelled %s" % (nis, r["edition"], r["value_label"]))
check(len(firsts) == 19 and seen_withheld > 0,
      "19 first pages, some withheld comparable change shown as x: %d, %d" % (len(firsts), seen_withheld))
# the scope note: 2022 counted people staying with third parties, which 2020 did not
check("2022 : à périmètre comparable, sans « Hébergés chez des tiers » (non dénombrés en 2020)."
      in text.replace("\n", " "), "the atlas says what 2022's comparable figure leaves out")

# running occupations: each on its commune's first page, with operator, dwellings, dates; an
# ended one named nowhere; no people figure
db = store(out)
occ = db.execute("SELECT site, operator, dwellings, start, current_end, extended, nis_code, status"
                 " FROM occupations").fetchall()
db.close()
running = [o for o in occ if o[7] == "running"]
check(running and len(running) < len(occ), "the demo has running and ended occupations: %r" % occ)
def page_lines(ws):
    """The words of a page as lines: grouped by their top, each read left to right."""
    lines = {}
    for t, b in ws:
        lines.setdefault(round(b[1]), []).append((b[0], t))
    return [" ".join(t for _, t in sorted(v)) for _, v in sorted(lines.items())]


for site, oper, dw, start, end, ext, nis, _ in running:
    page = "\n".join(page_lines(firsts[nis]))
    d_ = lambda iso: "/".join(reversed(iso.split("-")))
    want = "%s %s %d %s %s %s" % (site, oper, dw, d_(start), d_(end), "oui / ja" if ext else "non / nee")
    check(want in page, "commune %s's page lists its running occupation %r" % (nis, want))
    check("Occupations temporaires en cours" in page, "under its heading")
for o in occ:
    if o[7] != "running":
        check(o[0] not in text, "an ended occupation (%s) is not listed" % o[0])
check("Occupations temporaires en cours (0) / Lopende tijdelijke bewoningen (0)\naucune / geen"
      in "\n".join(page_lines(firsts["21004"])),
      "a commune without one says so")

# sources: the demo sets [run] sources; it is printed on the overview and every atlas page
src = ("Bruss'help, dénombrement 6–7/11/2024 (chiffres de démonstration) · logements vides et "
       "limites communales générés par tremplin demo")
check(src in ovt.replace("\n", " "), "the overview prints [run] sources")
for pg in range(1, npages(atlas) + 1):
    t = subprocess.run(["pdftotext", "-f", str(pg), "-l", str(pg), atlas, "-"],
                       capture_output=True, text=True).stdout.replace("\n", " ")
    if src not in t:
        check(False, "atlas page %d prints [run] sources" % pg)
        break
# without it, the input files' names
ini = os.path.join(out, "inputs", "tremplin.ini")
text_ini = open(ini, encoding="utf-8").read()
write(os.path.join(d, "nosrc.ini"), re.sub(r"(?m)^sources = .*\n", "", text_ini)
      .replace("path = ", "path = %s/" % os.path.join(out, "inputs")))
p = run("run", "-c", os.path.join(d, "nosrc.ini"), "-o", os.path.join(d, "nosrc"), "--no-dashboard",
        check_rc=0)
check(p.returncode == 0, "run without [run] sources: %s" % p.stderr)
t = subprocess.run(["pdftotext", os.path.join(d, "nosrc", "maps", "overview.pdf"), "-"],
                   capture_output=True, text=True).stdout.replace("\n", " ")
check("vacancies.csv" in t and "zones.gpkg" in t and src not in t,
      "without [run] sources the overview names the input files")

# ---- past the bound: a commune lists its best LISTED, then says how many more and where ----------
big = os.path.join(d, "big")
p = run("demo", "-o", big, "--records", "10000", "--no-dashboard", "-q", check_rc=0)
check(p.returncode == 0, "demo --records 10000 runs: %s" % p.stderr)
db = store(big)
per = dict(db.execute("SELECT nis_code, COUNT(*) FROM vacancies WHERE candidate = 1"
                      " GROUP BY nis_code").fetchall())
db.close()
batlas = os.path.join(big, "maps", "atlas.pdf")
brows = atlas_rows(batlas)
btext = subprocess.run(["pdftotext", batlas, "-"], capture_output=True, text=True).stdout
over = [n for n, k in per.items() if k > LISTED]
check(over, "some commune has more than %d candidates: %r" % (LISTED, per))
for nis, k in per.items():
    got = [r for r, _ in brows.get(nis, [])]
    check(got == list(range(1, min(k, LISTED) + 1)),
          "commune %s lists ranks 1..%d of its %d: %r" % (nis, min(k, LISTED), k, got[-3:]))
for nis in over:
    more = printed("%d" % (per[nis] - LISTED)).replace("\u202f", " ")
    check("… et %s autres (petits points sur la carte) : voir candidates.csv" % more in btext,
          "commune %s: '… et %s autres', and where" % (nis, more))
# 2.6 MB when every page outlined its hundred numbers' halos and drew a path per small dot
check(os.path.getsize(batlas) < 2e6, "the atlas stays small: %d bytes" % os.path.getsize(batlas))
# the candidates beyond the lists: one image of dots per commune past the bound, not a path per dot
stencils = [l.split() for l in subprocess.run(["pdfimages", "-list", batlas], capture_output=True,
                                              text=True).stdout.splitlines()[2:]]
check(len([s for s in stencils if s[2] == "stencil"]) == len(over),
      "one stencil image of dots per commune past the bound (%d): %r" % (len(over), stencils))
# on each commune's map, the numbers 1..100 that found room, and a line counting those that did not
said = 0
for ws in words(batlas):
    text = " ".join(t for t, b in ws)
    first = re.search(r"Commune (\d+) ·", text)
    if not first:
        continue
    k = min(per.get(first.group(1), 0), LISTED)
    head = [b for t, b in ws if t in ("Personnes", "Getelde")]
    bottom = min(b[1] for b in head) if head else 380
    nums = {int(t) for t, b in ws if t.isdigit() and 70 < b[1] and b[3] < bottom - 12}
    m = re.search(r"(\d+) numéros? sans place sur la carte : voir le tableau", text)
    omitted = int(m.group(1)) if m else 0
    said += omitted
    check(len(nums & set(range(1, k + 1))) + omitted >= k,
          "commune %s: each of its %d numbers on the map or counted as without room: %d + %d"
          % (first.group(1), k, len(nums & set(range(1, k + 1))), omitted))
print("numbers without room on the bounded atlas's maps: %d" % said)
no_decimal_point(batlas, "bounded atlas")

# ---- the real communes ------------------------------------------------------------------------
gpkg = os.path.join(SHARED, "bxl_communes.gpkg")
if not os.path.exists(gpkg):
    print("note: ../shared/data/brussels absent, the real-communes part is skipped")
else:
    inputs = os.path.join(out, "inputs")
    write(os.path.join(d, "bxl.ini"),
          "[run]\nreference_date = 2024-11-07\nsources = Bruss'help, dénombrement 6–7/11/2024 ·"
          " Statbel, limites communales\n"
          "[communes]\npath = %s\nlayer = communes\npopulation = population_2020\n"
          "[zones]\npath = %s/zones.gpkg\nlayer = zones\n"
          "[vacancies]\npath = %s/vacancies.csv\nx = x\ny = y\ncrs = EPSG:31370\n"
          % (gpkg, inputs, inputs))
    bxl = os.path.join(d, "bxl")
    p = run("run", "-c", os.path.join(d, "bxl.ini"), "-o", bxl, "--no-dashboard", check_rc=0)
    check(p.returncode == 0, "run on the real communes: %s" % p.stderr)
    bmaps = os.path.join(bxl, "maps")
    check_overview(bmaps, "Brussels overview")
    t = subprocess.run(["pdftotext", os.path.join(bmaps, "overview.pdf"), "-"], capture_output=True,
                       text=True).stdout.replace("\n", " ")
    check("dénombrement 6–7/11/2024 · Statbel, limites communales" in t,
          "Brussels overview prints its [run] sources whole")
    batlas = os.path.join(bmaps, "atlas.pdf")
    pages = words(batlas)
    firsts = [i + 1 for i, ws in enumerate(pages) if "·" in [t for t, b in ws][:12]]
    check(len(firsts) == 19, "Brussels atlas: 19 communes' first pages: %r" % firsts)
    for pg in firsts:
        check_atlas_words(batlas, pg, "Brussels atlas page %d" % pg)
    no_decimal_point(batlas, "Brussels atlas")
    brows = atlas_rows(batlas)
    check(len(brows) >= 10 and all([r for r, _ in v] == list(range(1, len(v) + 1))
                                   for v in brows.values()),
          "Brussels atlas: ranks 1..n in every commune: %r" % {k: len(v) for k, v in brows.items()})
    shutil.copy(os.path.join(bmaps, "overview.png"), os.path.join(d, "brussels-overview.png"))

finish("test_print")

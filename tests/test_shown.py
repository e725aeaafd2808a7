"""What was lost is shown where figures are read, and the candidate list opens where planners work.

The demo's vacancies file is edited as a planner's file comes: every record of Auderghem (21002)
gets a reason tremplin does not know, so the load stage rejects each of them and the locate stage
places them in their commune by their point (rejects.nis_code, rejects.dwellings); after locate a
count zone is rejected with its people counts in its original values; the run resumes.  Then:
the commune's rejected count is in indicators.csv, the GeoPackage, the dashboard (overall and its
row), the overview (overall line, overview.json) and its atlas page, which does not say that no
building meets the conditions; rejects.csv has a BOM, every reject and no people count;
candidates.csv opens in LibreOffice (as fr-BE) with its columns and numbers, candidates.xlsx reads
back through GDAL with the same rows, a private owner is blank in both, and the works start's
precision is a column, named in the run's language.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from osgeo import gdal, ogr
from tplib import *

gdal.UseExceptions()

NIS = "21002"  # Auderghem: the second commune of the atlas
d = workdir("shown")
out = os.path.join(d, "out")
p = run("demo", "-o", out, "-q", "--until", "locate")
check(p.returncode == 0, "demo runs until locate: " + p.stderr)
db = store(out)
moved = db.execute("SELECT COUNT(*), SUM(dwellings) FROM vacancies WHERE nis_code = ?", (NIS,)).fetchone()
ids = {r[0] for r in db.execute("SELECT src_id FROM vacancies WHERE nis_code = ?", (NIS,))}
db.close()
n_moved, dw_moved = moved
check(n_moved > 2, "the demo has records in %s" % NIS)
# the planner's file: Auderghem's records carry a reason tremplin does not know
cfg = os.path.join(out, "inputs", "tremplin.ini")
vpath = os.path.join(out, "inputs", "vacancies.csv")
with open(vpath, encoding="utf-8", newline="") as f:
    table = list(csv.reader(f))
col = table[0].index("reason")
for line in table[1:]:
    if line[0] in ids:
        line[col] = "R3 - Inoccupé en attente de vente"
with open(vpath, "w", encoding="utf-8", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(table)
p = run("run", "-c", cfg, "-o", out, "-q", "--until", "locate")
check(p.returncode == 0, "the planner's file runs until locate: " + p.stderr)
db = store(out)
placed = db.execute("SELECT COUNT(*), SUM(dwellings) FROM rejects WHERE input = 'vacancies'"
                    " AND nis_code = ?", (NIS,)).fetchone()
check(tuple(placed) == (n_moved, dw_moved), "locate places each rejected record of %s in it by its"
      " point, with its dwellings: %r, expected %r" % (NIS, placed, (n_moved, dw_moved)))
# a rejected count zone: its original values hold people counts, never shown in public outputs
zone = db.execute("SELECT zone_id, original FROM zones WHERE public_space > 0 ORDER BY id LIMIT 1").fetchone()
db.execute("INSERT INTO rejects(input, source_file, layer, src_row, stage, field, reason, original)"
           " SELECT 'zones', s.path, s.layer, z.src_row, 'validate', 'geometry', 'no area left', z.original"
           " FROM zones z, input_stats s WHERE s.input = 'zones' AND z.zone_id = ?", (zone[0],))
# a private owner who agreed: a candidate whose name no public output shows
priv = db.execute("SELECT id FROM vacancies WHERE dwellings > 0 AND reason NOT IN ('works', 'allocation')"
                  " AND works_start > '2028-01-01' ORDER BY id LIMIT 1").fetchone()[0]
db.execute("UPDATE vacancy_rows SET owner_type = 'private', owner = 'Jean Dupont', owner_agreed = 1"
           " WHERE id = ?", (priv,))
db.commit()
n_read = db.execute("SELECT read FROM input_stats WHERE input = 'vacancies'").fetchone()[0]
n_rejects = db.execute("SELECT COUNT(*) FROM rejects").fetchone()[0]
db.close()
p = run("run", "-c", cfg, "-o", out, "-q", "--from", "apportion")
check(p.returncode == 0, "the run resumes: " + p.stderr)

# ---- indicators.csv and the GeoPackage --------------------------------------------------------
rows = {r["nis_code"]: r for r in read_csv(os.path.join(out, "indicators.csv"))}
r = rows.get(NIS, {})
check(r.get("vacancy_records") == "0", "indicators.csv: %s has no record left" % NIS)
check(r.get("rejected_records") == str(n_moved) and r.get("rejected_dwellings") == str(dw_moved),
      "indicators.csv: %s rejected_records %s, rejected_dwellings %s (got %s, %s)"
      % (NIS, n_moved, dw_moved, r.get("rejected_records"), r.get("rejected_dwellings")))
check(all(rows[k]["rejected_records"] == "0" for k in rows if k != NIS),
      "indicators.csv: the other communes lost nothing")
g = gpkg_rows(os.path.join(out, "tremplin.gpkg"),
              "SELECT rejected_records, rejected_dwellings FROM communes WHERE nis_code = '%s'" % NIS)
check(g == [(n_moved, dw_moved)], "GeoPackage communes: %s rejected %s/%s (got %s)" % (NIS, n_moved, dw_moved, g))

# ---- dashboard ---------------------------------------------------------------------------------
html = open(os.path.join(out, "dashboard.html"), encoding="utf-8").read()
overall = "%d enregistrements sur %d non utilisés" % (n_moved, n_read)
check('<p id="rejected"' in html and overall in html and "rejects.csv" in html,
      "dashboard: the overall line '%s'" % overall)
row = html[html.find('<tr data-nis="%s"' % NIS):]
row = row[:row.find("</tr>")]
check('class="n rejected" data-v="%d"' % n_moved in row and ">%d</td>" % n_moved in row
      and "%d enregistrements sur %d non utilisés" % (n_moved, n_moved) in row,
      "dashboard: the row of %s shows %d records not used: %s" % (NIS, n_moved, row[-400:]))
check('href="candidates.xlsx"' in html and 'href="rejects.csv"' in html, "dashboard links the lists")

# ---- overview ----------------------------------------------------------------------------------
ov = json.load(open(os.path.join(out, "maps", "overview.json"), encoding="utf-8"))
c = [x for x in ov["communes"] if x["nis_code"] == NIS]
check(c and c[0]["rejected_records"] == n_moved and c[0]["rejected_dwellings"] == dw_moved,
      "overview.json: %s rejected %d (got %s)" % (NIS, n_moved, c))
check(ov["rejected"]["vacancies"]["records"] == n_moved and ov["rejected"]["vacancies"]["of"] == n_read
      and overall in ov["rejected"]["vacancies"]["line"], "overview.json: the overall line")
check(ov["rejected"]["zones"]["records"] == 1, "overview.json: one count zone not used")


def pdf_text(path, page=None):
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [path, "-"]
    return " ".join(subprocess.run(args, capture_output=True, text=True).stdout.split())


have_pdftotext = shutil.which("pdftotext") is not None
if have_pdftotext:
    text = pdf_text(os.path.join(out, "maps", "overview.pdf"))
    check(overall in text, "overview.pdf: the overall line '%s'" % overall)
    check("%d van %d records niet gebruikt" % (n_moved, n_read) in text, "overview.pdf: the line in Dutch too")
    # ---- atlas: the commune's page says what was rejected, not that nothing qualifies -----------
    # Auderghem's first page, found by its code (Anderlecht's list may take more than one page)
    apdf = os.path.join(out, "maps", "atlas.pdf")
    first = [pg for pg in range(1, 8) if "Commune %s ·" % NIS in pdf_text(apdf, pg)]
    page = pdf_text(apdf, first[0]) if first else ""
    check("Auderghem" in page, "Auderghem's atlas page found: %r" % first)
    check("%d enregistrements sur %d non utilisés" % (n_moved, n_moved) in page,
          "atlas: Auderghem's page says %d records not used: %s" % (n_moved, page[-900:]))
    check("Aucun bâtiment ne remplit" not in page and "Geen enkel gebouw voldoet" not in page,
          "atlas: Auderghem's page does not say that no building meets the conditions")
    other = pdf_text(os.path.join(out, "maps", "atlas.pdf"), 1)
    check("non utilisés" not in other, "atlas: a commune that lost nothing has no such line")

# ---- rejects.csv -------------------------------------------------------------------------------
raw = open(os.path.join(out, "rejects.csv"), "rb").read()
check(raw.startswith(b"\xef\xbb\xbf"), "rejects.csv starts with a UTF-8 BOM")
rej = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"), newline=""), delimiter=";"))
check(len(rej) == n_rejects, "rejects.csv: %d rows (got %d)" % (n_rejects, len(rej)))
head = list(rej[0].keys()) if rej else []
check(head[:7] == ["input", "file", "sheet_or_layer", "row", "stage", "field", "reason"],
      "rejects.csv: its columns: %s" % head[:7])
vac = [x for x in rej if x["input"] == "vacancies"]
check(len(vac) == n_moved and all(x["address"] for x in vac) and vac[0]["file"].endswith("vacancies.csv"),
      "rejects.csv: the vacancy rows with their original values")
zr = [x for x in rej if x["input"] == "zones"]
zone_values = json.loads(zone[1])
people_cols = [k for k in ("public_space", "emergency_shelter", "squat", "third_parties") if k in zone_values]
check(len(zr) == 1 and people_cols and all(not zr[0].get(k) for k in people_cols),
      "rejects.csv: a rejected zone's people counts are left out")

# ---- candidates.csv and candidates.xlsx --------------------------------------------------------
db = store(out)
want = db.execute("SELECT rank, dwellings, window_months, capacity, score, owner_type, owner, works_start"
                  " FROM vacancies WHERE candidate = 1 ORDER BY rank").fetchall()
db.close()
raw = open(os.path.join(out, "candidates.csv"), "rb").read()
check(raw.startswith(b"\xef\xbb\xbf"), "candidates.csv starts with a UTF-8 BOM")
lines = raw[3:].decode("utf-8").split("\r\n")
header = lines[0].split(";")
check(header[:4] == ["Rang", "Adresse / Adres", "Code postal / Postcode", "Commune / Gemeente"]
      and "Score" in header and "Score : besoin / Score: nood" in header,
      "candidates.csv: ';' between the columns, headers in both languages: %s" % header)
check("Précision du début / Precisie start" in header, "the works start's precision is a column")
cand = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline=""), delimiter=";"))
check(len(cand) == len(want) + 1, "candidates.csv: one row per candidate (%d)" % len(want))
ix = {h: i for i, h in enumerate(header)}
first = cand[1] if len(cand) > 1 else []
check(first and first[ix["Score"]] == ("%.1f" % want[0][4]).replace(".", ","),
      "candidates.csv: a decimal comma (%s)" % (first[ix["Score"]] if first else None))
prow = [x for x in cand[1:] if x[ix["Type de propriétaire / Type eigenaar"]] == "Propriétaire privé / Privé-eigenaar"]
check(len(prow) == sum(1 for w in want if w[5] == "private") >= 1
      and all(x[ix["Propriétaire / Eigenaar"]] == "" for x in prow),
      "candidates.csv: private owners who agreed are candidates, unnamed: %s" % prow)
check(b"Jean Dupont" not in raw, "candidates.csv never names a private owner")
for x in cand[1:]:
    parts = sum(float(x[ix[h]].replace(",", ".")) for h in header if h.startswith("Score :"))
    check(abs(parts - float(x[ix["Score"]].replace(",", "."))) <= 0.11,
          "candidates.csv: the three parts add up to the score (rank %s)" % x[0])


def xlsx_rows(path):
    """The rows of the first sheet of an XLSX file, through GDAL, as {header: value}."""
    gdal.SetConfigOption("OGR_XLSX_HEADERS", "FORCE")
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    res = []
    for f in lyr:
        res.append({n: f.GetField(i) for i, n in enumerate(names)})
    return names, res


def same(csv_cell, value):
    """A cell of candidates.csv equals a value GDAL read from a spreadsheet."""
    if value is None:
        return csv_cell == ""
    if isinstance(value, (int, float)):
        try:
            return abs(float(csv_cell.replace(",", ".")) - value) < 1e-9
        except ValueError:
            return False
    return csv_cell == str(value).replace("/", "-") or csv_cell == str(value)


names, xrows = xlsx_rows(os.path.join(out, "candidates.xlsx"))
check(names == header, "candidates.xlsx: the columns of candidates.csv (%s)" % names)
check(len(xrows) == len(cand) - 1, "candidates.xlsx: the rows of candidates.csv")
bad = [(i, h) for i, x in enumerate(xrows) if i + 1 < len(cand) for h in names
       if not same(cand[i + 1][ix[h]], x[h])]
check(not bad, "candidates.xlsx: every cell as in candidates.csv (first differences: %s)" % bad[:5])

soffice = shutil.which("soffice") or shutil.which("libreoffice")
if soffice:
    lo = os.path.join(d, "lo")
    os.makedirs(lo)
    # as a Belgian (fr-BE) Excel reads it: ';' between fields, UTF-8, decimal comma
    p = subprocess.run([soffice, "-env:UserInstallation=file://" + os.path.join(d, "lo-profile"),
                        "--headless", "--infilter=CSV:59,34,76,1,,2060", "--convert-to", "xlsx",
                        "--outdir", lo, os.path.join(out, "candidates.csv")],
                       capture_output=True, text=True, timeout=300)
    conv = os.path.join(lo, "candidates.xlsx")
    check(p.returncode == 0 and os.path.exists(conv), "LibreOffice opens candidates.csv: " + p.stderr)
    if os.path.exists(conv):
        lnames, lrows = xlsx_rows(conv)
        check(lnames == header, "LibreOffice: the columns (%s)" % lnames)
        check(len(lrows) == len(want), "LibreOffice: one row per candidate")
        for w, x in zip(want, lrows):
            rank, dwellings, window, capacity, score = w[:5]
            ok = (x["Rang"] == rank and x["Logements / Woningen"] == dwellings
                  and isinstance(x["Score"], float) and abs(x["Score"] - score) < 1e-9
                  and abs(x["Fenêtre (mois) / Venster (maanden)"] - window) < 1e-9
                  and abs(x["Capacité (personnes) / Capaciteit (personen)"] - capacity) < 1e-9)
            check(ok, "LibreOffice reads rank %d's numbers as numbers: %s" % (rank, x))
            if not ok:
                break
    # and opens candidates.xlsx itself (its parts zipped as they come, sizes after the data):
    # the header and every rank, in order, as the CSV has them
    back = os.path.join(d, "lo-back")
    p = subprocess.run([soffice, "-env:UserInstallation=file://" + os.path.join(d, "lo-profile"),
                        "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                        "--outdir", back, os.path.join(out, "candidates.xlsx")],
                       capture_output=True, text=True, timeout=300)
    conv = os.path.join(back, "candidates.csv")
    check(p.returncode == 0 and os.path.exists(conv), "LibreOffice opens candidates.xlsx: " + p.stderr)
    if os.path.exists(conv):
        with open(conv, encoding="utf-8") as f:
            lo_rows = list(csv.reader(f))
        check(lo_rows and lo_rows[0] == header, "LibreOffice: candidates.xlsx's header (%s)"
              % (lo_rows[:1],))
        check([r[0] for r in lo_rows[1:]] == [c[ix[header[0]]] for c in cand[1:]],
              "LibreOffice: candidates.xlsx's %d ranks in order, as candidates.csv's"
              % (len(lo_rows) - 1))

# ---- one thread: SQLite sorts the list; with two it is sorted in memory: the same files --------
import zipfile
def list_bytes(o):
    with zipfile.ZipFile(os.path.join(o, "candidates.xlsx")) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    return open(os.path.join(o, "candidates.csv"), "rb").read(), parts
two = list_bytes(out)
p = run("run", "-c", cfg, "-o", out, "-q", "--from", "write", "--threads", "1")
check(p.returncode == 0, "write on one thread: " + p.stderr)
one = list_bytes(out)
check(one[0] == two[0], "candidates.csv: the same bytes on one thread and on two")
check(one[1] == two[1], "candidates.xlsx: the same parts on one thread and on two (%s)"
      % sorted(n for n in two[1] if one[1].get(n) != two[1][n]))
check(len(two[1]["xl/sharedStrings.xml"]) > 1000, "the parts hold the list")

# ---- the GeoPackage names no private owner, unless it is an internal output -------------------
gp = os.path.join(out, "tremplin.gpkg")
check(b"Jean Dupont" not in open(gp, "rb").read(), "tremplin.gpkg never names a private owner")
for layer in ("vacancies", "candidates"):
    rows = gpkg_rows(gp, "SELECT owner FROM %s WHERE owner_type = 'private'" % layer)
    check(rows and all(r[0] is None for r in rows),
          "the %s layer leaves its %d private owners unnamed: %s" % (layer, len(rows), rows[:3]))
    rows = gpkg_rows(gp, "SELECT count(*) FROM %s WHERE owner_type != 'private' AND owner IS NOT NULL" % layer)
    check(rows[0][0] > 0, "the %s layer names the other owners (%s)" % (layer, rows))
    desc = gpkg_rows(gp, "SELECT description FROM gpkg_contents WHERE table_name = '%s'" % layer)
    check("A private owner, who may be a person, is not named" in desc[0][0],
          "the %s layer's description says so: %s" % (layer, desc))
icfg = os.path.join(out, "inputs", "internal.ini")
write(icfg, open(cfg, encoding="utf-8").read().replace("[outputs]", "[outputs]\ninternal = yes", 1)
      if "[outputs]" in open(cfg, encoding="utf-8").read()
      else open(cfg, encoding="utf-8").read() + "\n[outputs]\ninternal = yes\n")
p = run("run", "-c", icfg, "-o", out, "-q", "--from", "write")
check(p.returncode == 0, "write an internal GeoPackage: " + p.stderr)
check(gpkg_rows(gp, "SELECT owner FROM candidates WHERE owner = 'Jean Dupont'") == [("Jean Dupont",)],
      "an internal GeoPackage names the private owner")
p = run("run", "-c", cfg, "-o", out, "-q", "--from", "write")
check(p.returncode == 0, "write the public GeoPackage again: " + p.stderr)

# ---- a sheet's last row: past it candidates.xlsx keeps the best ranked, and the run says so ------
ncand = len(cand) - 1
p = run("run", "-c", cfg, "-o", out, "--from", "write", "--config", "TREMPLIN_XLSX_MAX_ROWS", "11")
check(p.returncode == 0, "write with a sheet of 11 rows: " + p.stderr)
names, xrows = xlsx_rows(os.path.join(out, "candidates.xlsx"))
check([x["Rang"] for x in xrows] == list(range(1, 11)),
      "candidates.xlsx: the header and the best 10 candidates (%s)" % [x["Rang"] for x in xrows])
check("candidates.xlsx: a sheet holds 11 rows: the %d candidates ranked after the first 10 are left out of it;"
      " candidates.csv and tremplin.gpkg list them all" % (ncand - 10) in p.stderr,
      "the run names the candidates left out of the sheet: " + p.stderr)
lines = open(os.path.join(out, "candidates.csv"), encoding="utf-8-sig", newline="").read().split("\r\n")
check(len([x for x in lines[1:] if x]) == ncand, "candidates.csv still lists every candidate")

# ---- works_start_precision: how precise the works start was -----------------------------------
db = store(out)
db.execute("UPDATE vacancy_rows SET works_start_precision = 'quarter'"
           " WHERE id = (SELECT id FROM vacancies WHERE rank = 1)")
db.commit()
db.close()
p = run("run", "-c", cfg, "-o", out, "-q", "--from", "write")
check(p.returncode == 0, "write again: " + p.stderr)
lines = open(os.path.join(out, "candidates.csv"), encoding="utf-8-sig", newline="").read().split("\r\n")
header = lines[0].split(";")
check("Précision du début / Precisie start" in header, "the precision column, after the store says rank 1 was a quarter")
if "Précision du début / Precisie start" in header:
    k = header.index("Précision du début / Precisie start")
    check(lines[1].split(";")[k] == "trimestre / kwartaal", "rank 1's works start is a quarter: %s" % lines[1])
names, xrows = xlsx_rows(os.path.join(out, "candidates.xlsx"))
check(names == header and xrows and xrows[0]["Précision du début / Precisie start"] == "trimestre / kwartaal",
      "candidates.xlsx has the precision too")

# ---- in French only: French headers and names, still ';' and a decimal comma -------------------
with open(cfg, "a", encoding="utf-8") as f:
    f.write("\n[outputs]\nlanguage = fr\n")
p = run("run", "-c", cfg, "-o", out, "-q", "--from", "write")
check(p.returncode == 0, "write again in French: " + p.stderr)
lines = open(os.path.join(out, "candidates.csv"), encoding="utf-8-sig", newline="").read().split("\r\n")
check(lines[0].startswith("Rang;Adresse;Code postal;Commune;Propriétaire;Type de propriétaire;Logements;Motif;"),
      "candidates.csv in French: %s" % lines[0])
check(";SISP;" in lines[1] and "," in lines[1].split(";")[lines[0].split(";").index("Score")],
      "candidates.csv in French: codes named in French, decimal comma: %s" % lines[1])
html = open(os.path.join(out, "dashboard.html"), encoding="utf-8").read()
check(overall in html and "records niet gebruikt" not in html, "dashboard in French: the line in French only")

if not soffice and not failures:
    print("test_shown: LibreOffice (soffice) missing: candidates.csv not opened in it")
    sys.exit(SKIP)
finish("test_shown")

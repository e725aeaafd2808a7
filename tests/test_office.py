"""Office files as they really come (issue 10): a spreadsheet with a title row above its headers,
French wording and abbreviations, dates given as a year, a quarter or a month, "1000 Bruxelles",
one building written in French and in Dutch, a blank row and a total row; a CSV with cells on
several lines. Every record ends accepted or rejected with its reason and the row a spreadsheet
shows (the CSV's physical line); read = accepted + rejected + skipped, and the skipped rows are
named. `tremplin check` lists every value it did not understand with its count and prints the
mappings to paste into the config; pasted (with each ? decided), the run accepts those rows."""
import os
import re
import zipfile
from xml.sax.saxutils import escape
from osgeo import ogr, osr
from tplib import *

X0, Y0 = 150000, 170000
d = workdir("office")


def column_letter(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path, rows, sheet="Inventaire"):
    """A one-sheet XLSX whose row k of rows is the spreadsheet's row k + 1 (None: an empty row or
    cell). Written by hand: GDAL's XLSX writer always puts the field names on row 1."""
    xml = []
    for r, row in enumerate(rows, 1):
        if not row or all(v is None for v in row):
            continue
        cells = []
        for c, v in enumerate(row):
            ref = "%s%d" % (column_letter(c), r)
            if v is None:
                continue
            if isinstance(v, (int, float)):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                cells.append('<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                             % (ref, escape(v)))
        xml.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="%s/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.worksheet+xml"/></Types>' % ns)
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="%s/officeDocument/2006/relationships/officeDocument"'
                   ' Target="xl/workbook.xml"/></Relationships>' % (ns, ns))
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="%s/spreadsheetml/2006/main"'
                   ' xmlns:r="%s/officeDocument/2006/relationships"><sheets><sheet name="%s" sheetId="1"'
                   ' r:id="rId1"/></sheets></workbook>' % (ns, ns, sheet))
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="%s/officeDocument/2006/relationships/worksheet"'
                   ' Target="worksheets/sheet1.xml"/></Relationships>' % (ns, ns))
        z.writestr("xl/worksheets/sheet1.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="%s/spreadsheetml/2006/main">'
                   '<sheetData>%s</sheetData></worksheet>' % (ns, "".join(xml)))


# the region: Bruxelles (1000) and Schaerbeek (1030), one count zone over both
geojson(os.path.join(d, "communes.geojson"), [
    ({"nis_code": "21004", "name_fr": "Bruxelles", "name_nl": "Brussel"}, square(X0, Y0, X0 + 3000, Y0 + 3000)),
    ({"nis_code": "21015", "name_fr": "Schaerbeek", "name_nl": "Schaarbeek"},
     square(X0 + 3000, Y0, X0 + 6000, Y0 + 3000)),
])
geojson(os.path.join(d, "zones.geojson"), [
    ({"zone_id": "Z1", "Espace public": 10, "Hébergement d'urgence": 0, "Hébergement non agréé": 0,
      "Squats": 0, "Logement non conventionnel": 0, "Hébergés chez des tiers": 0},
     square(X0, Y0, X0 + 6000, Y0 + 3000)),
])
# the address reference: numbers 1..120, 10 m apart
ref = os.path.join(d, "adresses.gpkg")
ds = ogr.GetDriverByName("GPKG").CreateDataSource(ref)
srs = osr.SpatialReference()
srs.ImportFromEPSG(31370)
lyr = ds.CreateLayer("adresses", srs, ogr.wkbPoint)
for c in ("street_fr", "street_nl", "number", "postcode"):
    lyr.CreateField(ogr.FieldDefn(c, ogr.OFTString))
for fr, nl, pc, x, y in (("Rue de la Loi", "Wetstraat", "1000", X0 + 100, Y0 + 300),
                         ("Rue Josaphat", "Josaphatstraat", "1030", X0 + 3100, Y0 + 300)):
    for n in range(1, 121):
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in (("street_fr", fr), ("street_nl", nl), ("number", str(n)), ("postcode", pc)):
            f.SetField(k, v)
        f.SetGeometry(ogr.CreateGeometryFromWkt("POINT (%d %d)" % (x + 10 * n, y)))
        lyr.CreateFeature(f)
ds = None

# the planner's inventory: a title row, a blank row, the headers on row 3, no owner column
H = ["Adresse", "Code postal", "Type de propriétaire", "Nombre de logements", "Motif",
     "Date de début des travaux", "Vide depuis"]
R3 = "R3 - Inoccupé en attente de vente"
sheet = [
    ["Inventaire des logements inoccupés – situation au 30/09/2024"],                       # 1
    None,                                                                                     # 2
    H,                                                                                        # 3
    ["Rue de la Loi 10", "1000 Bruxelles", "S.I.S.P.", "12 (dont 3 studios)", "R1 - travaux en cours",
     "T3 2027", "2021"],                                                                      # 4
    ["Rue de la Loi 12", "1000", "Société immobilière de service public (SISP)", 4, "Attribution en cours",
     "2027", "03/2022"],                                                                      # 5
    None,                                                                                     # 6 blank
    ["Rue Josaphat 101", "1030 Schaerbeek", "A.I.S.", 3, "En cours d'étude", "mars 2027", None],  # 7
    ["Josaphatstraat 101", "1030 Brussel", "SVK", 3, "In studie", "à déterminer", None],     # 8 same building
    ["Rue de la Loi 14", "1000", "O.C.M.W.", 2, R3, None, "inconnu"],                       # 9
    ["Rue de la Loi 16", "1000", "S.I.S.P.", 5, "Attribution provisoire", "Q1 2028", None],  # 10
    ["Rue de la Loi 18", "1000", "Banque", "trois", R3, "-", None],                          # 11 three fields
    ["Rue de la Loi 30", "1000", "SISP", 1, "R4: vente prévue", None, None],                  # 12 INI's ':'
    ["Total", None, None, 30, None, None, None],                                              # 13
]
write_xlsx(os.path.join(d, "inventaire.xlsx"), sheet)
BASE = ("[run]\nreference_date = 2024-11-07\n[communes]\npath = communes.geojson\n[zones]\npath = zones.geojson\n"
        "[addresses]\npath = adresses.gpkg\n[vacancies]\npath = inventaire.xlsx\n")
write(os.path.join(d, "t.ini"), BASE)


def run_office(ini, name, code=0):
    out = os.path.join(d, name)
    p = run("run", "-c", os.path.join(d, ini), "-o", out, "--until", "locate")
    check(p.returncode == code, "%s: exit %d expected, got %d: %s" % (name, code, p.returncode, p.stderr))
    return p, out


def rejects(out):
    db = store(out)
    try:
        return {r[0]: r[1:] for r in db.execute(
            "SELECT src_row, field, reason, dwellings, postcode FROM rejects WHERE input = 'vacancies'")}
    finally:
        db.close()


p, out = run_office("t.ini", "out")
if p.returncode == 0:
    db = store(out)
    acc = {r[0]: r[1:] for r in db.execute(
        "SELECT src_row, owner, owner_type, dwellings, reason, works_start, works_start_precision, vacant_since,"
        " postcode, nis_code FROM vacancies")}
    check(sorted(acc) == [4, 5, 7], "accepted rows are the spreadsheet's rows 4, 5 and 7: %r" % sorted(acc))
    check(acc.get(4) == (None, "sisp", 12, "works", "2027-07-01", "quarter", "2021-01-01", "1000", "21004"),
          "row 4: S.I.S.P., 12 (dont 3 studios), T3 2027, 2021, 1000 Bruxelles: %r" % (acc.get(4),))
    check(acc.get(5) == (None, "sisp", 4, "allocation", "2027-01-01", "year", "2022-03-01", "1000", "21004"),
          "row 5: SISP in parentheses, Attribution en cours, 2027: %r" % (acc.get(5),))
    check(acc.get(7) == (None, "ais", 3, "study", "2027-03-01", "month", None, "1030", "21015"),
          "row 7: A.I.S., mars 2027: %r" % (acc.get(7),))
    n, s, rows = db.execute("SELECT read, skipped, skipped_rows FROM input_stats WHERE input = 'vacancies'").fetchone()
    db.close()
    rej = rejects(out)
    check(sorted(rej) == [8, 9, 10, 11, 12], "rejected rows 8 to 12: %r" % sorted(rej))
    check(rej.get(8, ())[:2] == ("address", "duplicate of row 7 (same address)"),
          "Josaphatstraat 101 is Rue Josaphat 101: %r" % (rej.get(8),))
    check(rej.get(9, ())[:2] == ("reason", "unknown vacancy reason '%s' (expected works/R1, study/R2, financing,"
                                 " allocation, repair or other)" % R3), "row 9: %r" % (rej.get(9),))
    check(rej.get(9, ())[2:] == (2, "1000"), "a reject keeps its dwellings and postcode: %r" % (rej.get(9),))
    r11 = rej.get(11, ("", ""))
    check(r11[0] == "owner_type" and "unknown owner type 'Banque'" in r11[1] and
          "; dwellings: not a whole number: 'trois'" in r11[1] and "; reason: unknown vacancy reason" in r11[1],
          "every failing field of row 11 named: %r" % (r11,))
    db = store(out)
    placed = dict(db.execute("SELECT src_row, nis_code FROM rejects WHERE input = 'vacancies'").fetchall())
    db.close()
    check(placed == {8: "21015", 9: "21004", 10: "21004", 11: "21004", 12: "21004"},
          "each reject placed in a commune, by its point or its postcode: %r" % placed)
    check((n, s, rows) == (10, 2, "6 blank; 13 total"), "read 10 = 3 + 5 + 2 skipped (6 blank, 13 total): %r"
          % ((n, s, rows),))
    check("vacancies read 10, accepted 3, rejected 5, skipped 2 (rows 6 blank; 13 total)" in p.stdout,
          "the run's line names the skipped rows: " + p.stdout)
    check("inventaire.xlsx, layer Inventaire, row 4, field dwellings: read '12 (dont 3 studios)' as 12"
          in p.stderr, "the approximate count is a warning naming the row: " + p.stderr)
    check("row 9, field reason" in p.stderr, "messages use the spreadsheet's rows: " + p.stderr)

# the header row given instead of found: the same result
write(os.path.join(d, "given.ini"), BASE + "header_row = 3\n")
p, out2 = run_office("given.ini", "out_given")
check(p.returncode == 0 and sorted(rejects(out2)) == [8, 9, 10, 11, 12], "header_row = 3 gives the same rows")
# a header row beyond the rows searched: exit 4 naming the file and the setting
write(os.path.join(d, "far.ini"), BASE + "header_row = 40\n")
p, _ = run_office("far.ini", "out_far", code=4)
check("inventaire.xlsx: header_row = 40 is not one of the first 20 rows" in p.stderr,
      "a header_row beyond the first 20 rows is named: " + p.stderr)

# columns that are not there are all named at once; 'owner =' says the file has none
write(os.path.join(d, "missing.ini"), BASE + "owner =\ndwellings = logements\nreason = raison\n")
p, _ = run_office("missing.ini", "out_missing", code=4)
check("no column 'logements' for field 'dwellings', 'raison' for field 'reason'" in p.stderr,
      "both missing columns named in one message: " + p.stderr)
write(os.path.join(d, "unmapped.ini"), BASE + "owner_type =\n")
p, _ = run_office("unmapped.ini", "out_unmapped", code=3)
check("owner_type cannot be left without a column" in p.stderr, "a required field cannot be unmapped: " + p.stderr)

# check: every value not understood with its count, and the mappings to paste
p = run("check", "-c", os.path.join(d, "t.ini"))
check(p.returncode == 0, "check exits 0: %d %s" % (p.returncode, p.stderr))
check("vacancies: rows read 10, accepted 3, rejected 5, skipped 2 (rows 6 blank; 13 total)" in p.stdout,
      "check's figures: " + p.stdout)
check(re.search(r"values of reason not understood \(3\):\n +2  '%s'\n +1  'Attribution provisoire'\n +1  'R4: vente prévue'\n" % R3,
                p.stdout), "every refused reason with its count: " + p.stdout)
check(re.search(r"values of owner_type not understood \(1\):\n +1  'Banque'\n", p.stdout),
      "the refused owner type: " + p.stdout)
m = re.search(r"value mappings to paste into the config[^\n]*\n((?:.+\n)+)", p.stdout)
section = m.group(1) if m else ""
check(section.startswith("[vacancies.owner_type]\nBanque = ?\n[vacancies.reason]\n%s = ?\n"
                         "Attribution provisoire = allocation\nr4 vente prevue = ?\n" % R3),
      "paste-ready section (a value with ':' written folded): %r" % section)
section = section.split("check:")[0]

# an unusable zones file does not stop the vacancies from being read whole
write(os.path.join(d, "nozones.ini"), BASE.replace("path = zones.geojson", "path = zones.geojson\nzone_id = zone"))
p = run("check", "-c", os.path.join(d, "nozones.ini"))
check(p.returncode == 4 and "zones: /" in p.stdout and "UNUSABLE" in p.stdout, "zones unusable: " + p.stdout)
check("vacancies: rows read 10, accepted 3, rejected 5, skipped 2 (rows 6 blank; 13 total) (load and validate"
      " only: an input is unusable)" in p.stdout and "communes: rows read 2, accepted 2" in p.stdout and
      "2  'R3 - Inoccupé en attente de vente'" in p.stdout and "[vacancies.reason]" in p.stdout,
      "the vacancies still checked, values and mappings listed: " + p.stdout)

# pasted as printed, the ? must be decided first
write(os.path.join(d, "pasted.ini"), BASE + section)
p, _ = run_office("pasted.ini", "out_pasted", code=3)
check("replace '?' with one of its codes" in p.stderr, "an undecided ? is named: " + p.stderr)
# decided: the rows those values held are accepted
decided = section.replace("Banque = ?", "Banque = private").replace(R3 + " = ?", R3 + " = other").replace(
    "r4 vente prevue = ?", "r4 vente prevue = other")
write(os.path.join(d, "decided.ini"), BASE + decided)
p, out3 = run_office("decided.ini", "out_decided")
if p.returncode == 0:
    rej = rejects(out3)
    check(sorted(rej) == [8, 11], "with the mappings rows 9, 10 and 12 are accepted: %r" % sorted(rej))
    check(rej.get(11, ("",))[0] == "dwellings", "row 11 keeps only its count to fix: %r" % (rej.get(11),))
    db = store(out3)
    got = dict(db.execute("SELECT src_row, reason FROM vacancies").fetchall())
    db.close()
    check(got.get(9) == "other" and got.get(10) == "allocation" and got.get(12) == "other",
          "mapped reasons: %r" % got)

# a CSV with cells on several lines: rows are its physical lines
lines = [
    "adresse;code postal;type de propriétaire;nombre de logements;motif;date de début des travaux;remarque",  # 1
    'Rue de la Loi 20;1000;SISP;2;R2;2027;"à visiter\navec la régie"',                                      # 2-3
    "Rue de la Loi 22;1000 Brussel;OVM;3;in studie;K3 2027;ok",                                              # 4
    ";;;;;;",                                                                                                 # 5 blank
    "Wetstraat 20;1000;SISP;2;R2;;dupliqué",                                                                  # 6
    'Rue de la Loi 24;1000;particulier;1;R9;onbekend;"a\nb\nc"',                                              # 7-9
    "Rue de la Loi 26;1000;SISP;1;R2;03/2027;",                                                               # 10
    "Rue de la Loi 500;;SISP;1;R2;;no postcode, number too far",                                              # 11
]
write(os.path.join(d, "inventaire.csv"), "\n".join(lines) + "\n")
write(os.path.join(d, "csv.ini"), BASE.replace("inventaire.xlsx", "inventaire.csv"))
p, out4 = run_office("csv.ini", "out_csv")
if p.returncode == 0:
    db = store(out4)
    acc = dict(db.execute("SELECT src_row, works_start_precision FROM vacancies").fetchall())
    n, s, rows = db.execute("SELECT read, skipped, skipped_rows FROM input_stats WHERE input = 'vacancies'").fetchone()
    db.close()
    check(acc == {2: "year", 4: "quarter", 10: "month"}, "accepted at lines 2, 4 and 10: %r" % acc)
    rej = rejects(out4)
    check(rej.get(6, ())[:2] == ("address", "duplicate of row 2 (same address)"),
          "Wetstraat 20 is Rue de la Loi 20, line 2: %r" % (rej.get(6),))
    check(rej.get(7, ("",))[0] == "reason" and sorted(rej) == [6, 7, 11], "R9 refused at line 7: %r" % rej)
    check(rej.get(11, ())[:1] == ("address",) and rej.get(11, ())[3:] == ("1000",),
          "an address the reference cannot place keeps its street's postcode: %r" % (rej.get(11),))
    db = store(out4)
    placed = db.execute("SELECT nis_code FROM rejects WHERE src_row = 11").fetchone()
    db.close()
    check(placed == ("21004",), "and so its commune: %r" % (placed,))
    check((n, s, rows) == (7, 1, "5 blank"), "read 7 = 3 + 3 + 1 skipped (line 5): %r" % ((n, s, rows),))

# the same CSV under a title line and an empty line: the header is found on line 3
# (in Windows-1252, as Excel saves "CSV": the headers are found once recoded)
write(os.path.join(d, "titre.csv"), "Inventaire au 30/09/2024\n\n" + "\n".join(lines) + "\n", encoding="cp1252")
write(os.path.join(d, "titre.ini"), BASE.replace("inventaire.xlsx", "titre.csv"))
p, out5 = run_office("titre.ini", "out_titre")
if p.returncode == 0:
    db = store(out5)
    acc = sorted(r[0] for r in db.execute("SELECT src_row FROM vacancies"))
    rej = sorted(r[0] for r in db.execute("SELECT src_row FROM rejects"))
    skipped = db.execute("SELECT skipped_rows FROM input_stats WHERE input = 'vacancies'").fetchone()[0]
    db.close()
    check((acc, rej, skipped) == ([4, 6, 12], [8, 9, 13], "7 blank"),
          "rows are the file's lines below a title: %r" % ((acc, rej, skipped),))
finish("test_office")

"""tremplin check: every input read and validated, a report per input, nothing written; exit 0 when
usable, 4 when an input is not."""
import os
import re
from tplib import *

d = workdir("check")
demo = os.path.join(d, "demo")
p = run("demo", "-o", demo, "-q", "--no-maps", "--no-dashboard")
check(p.returncode == 0, "demo runs: " + p.stderr)
ini = os.path.join(demo, "inputs", "tremplin.ini")
want = counts(demo)


def listing(top):
    return sorted((os.path.relpath(os.path.join(a, f), top), os.path.getmtime(os.path.join(a, f)))
                  for a, _, fs in os.walk(top) for f in fs)


before = listing(demo)
p = run("check", "-c", ini)
check(p.returncode == 0, "check on the demo exits 0: %d %s" % (p.returncode, p.stderr))
for name, (n, a, r) in want.items():
    line = "%s: rows read %d, accepted %d, rejected %d" % (name, n, a, r)
    check(line in p.stdout, "check reports what the run did: %r in %s" % (line, p.stdout))
check("vacancies: rows read 600, accepted 600, rejected 0" in p.stdout, "the demo's 600 records all usable")
check("format: CSV, separator ',', UTF-8, layer vacancies" in p.stdout, "vacancies format named")
check("source CRS: EPSG:31370" in p.stdout, "CRS named")
check(re.search(r"communes: rows read 19.*\n  extent \(working CRS\): x 14\d+\.\d to 15\d+\.\d", p.stdout),
      "communes extent printed")
check("fields: nis_code <- nis_code, name_fr <- name_fr" in p.stdout and "columns ignored: schematic" in p.stdout,
      "fields mapped and columns ignored")
check("fields without a column: postcode" in p.stdout, "fields the source lacks are named")
check(p.stdout.rstrip().endswith("check: usable"), "verdict: usable")
check(listing(demo) == before, "check writes nothing next to the inputs or in the output folder")

# a file with bad rows: usable, and the rejects counted by reason with example rows
bad = os.path.join(d, "bad")
os.makedirs(bad)
for f in ("communes.gpkg", "zones.gpkg"):
    with open(os.path.join(demo, "inputs", f), "rb") as src, open(os.path.join(bad, f), "wb") as dst:
        dst.write(src.read())
rows = ["identifiant;adresse;propriétaire;type de propriétaire;nombre de logements;motif;"
        "date de début des travaux;x;y;remarque"]
P = "149500;170500"
for i in range(1, 11):
    rows.append("K%d;Rue du Test %d;Comensia;sisp;%s;%s;01/01/2030;%s;rien" % (
        i, i, "trois" if i in (2, 5, 9) else "4", "R7" if i == 4 else "R2", P))
rows.append("K1;Rue du Test 99;Comensia;sisp;1;R2;;%s;" % P)  # line 12: same id as line 2
write(os.path.join(bad, "vac.csv"), "\n".join(rows) + "\n", encoding="latin-1")
cfg = ("[communes]\npath = communes.gpkg\n[zones]\npath = zones.gpkg\n"
       "[vacancies]\npath = vac.csv\nx = x\ny = y\ncrs = EPSG:31370\n")
write(os.path.join(bad, "t.ini"), cfg)
p = run("check", "-c", os.path.join(bad, "t.ini"))
check(p.returncode == 0, "bad rows do not make an input unusable: %d %s" % (p.returncode, p.stderr))
check("vacancies: rows read 11, accepted 6, rejected 5" in p.stdout, "figures: " + p.stdout)
check("    3  dwellings: not a whole number: '\u2026'  (rows 3, 6, 10; e.g. row 3: not a whole number: 'trois')"
      in p.stdout, "grouped reason with its rows: " + p.stdout)
check("    1  reason: unknown vacancy reason '\u2026'  (row 5; e.g. row 5: unknown vacancy reason 'R7'" in p.stdout,
      "unknown code quoted: " + p.stdout)
check("    1  id: duplicate of row N  (row 12; e.g. row 12: duplicate of row 2 (same id))" in p.stdout,
      "duplicate reported: " + p.stdout)
check("format: CSV, separator ';', Windows-1252 recoded to UTF-8, layer vac" in p.stdout, "encoding named")
check("id <- identifiant" in p.stdout and "owner <- propriétaire" in p.stdout and
      "works_start <- date de début des travaux" in p.stdout, "French headers recognised: " + p.stdout)
check("columns ignored: remarque" in p.stdout, "unused column listed")
check(sorted(os.listdir(bad)) == ["communes.gpkg", "t.ini", "vac.csv", "zones.gpkg"], "nothing written: %r"
      % os.listdir(bad))

# a broken input: exit 4, the problem named, the other inputs still described
write(os.path.join(bad, "broken.ini"), cfg.replace("x = x\ny = y\n", "x = x\ny = y\ndwellings = logements\n"))
p = run("check", "-c", os.path.join(bad, "broken.ini"))
check(p.returncode == 4, "unusable input: exit 4, got %d" % p.returncode)
check("  UNUSABLE: " in p.stdout and "no column 'logements' for field 'dwellings'" in p.stdout,
      "the problem is named: " + p.stdout)
check("zones: " in p.stdout and "fields: zone_id <- zone_id" in p.stdout, "the other inputs are still checked")
check(p.stdout.rstrip().endswith("check: not usable"), "verdict: not usable")
check("no column 'logements'" in p.stderr, "stderr carries the message: " + p.stderr)

# coordinates that fit another reading: exit 4 with the fix, figures of the load still shown
write(os.path.join(bad, "swap.ini"), cfg.replace("x = x\ny = y", "x = y\ny = x"))
p = run("check", "-c", os.path.join(bad, "swap.ini"))
check(p.returncode == 4 and "read with x and y swapped they fall inside: set x = x and y = y" in p.stdout,
      "swapped Lambert axes: %d %s" % (p.returncode, p.stdout))
check("vacancies: rows read 11, accepted 6, rejected 5" in p.stdout, "load figures still reported")
finish("test_check")

"""The command line: --version, --help, stages, usage errors, and --from/--until resuming."""
import os
from tplib import *

p = run("--version")
check(p.returncode == 0 and p.stdout.startswith("tremplin 0."), "--version: %r" % p.stdout)
check("GDAL" in p.stdout and "GEOS" in p.stdout, "--version names the libraries")
p = run("--help")
check(p.returncode == 0 and "Usage: tremplin" in p.stdout and "--until STAGE" in p.stdout, "--help")
p = run("stages")
names = [l.split()[1] for l in p.stdout.splitlines() if l[:1].isdigit()]
check(names == ["load", "reproject", "validate", "locate", "apportion", "score", "summarise", "protect",
                "write"],
      "stages in order: %r" % names)
p = run()
check(p.returncode == 2 and "no command given" in p.stderr, "no command: exit 2")
p = run("frobnicate")
check(p.returncode == 2 and "unknown command: frobnicate" in p.stderr, "unknown command: exit 2")
p = run("run", "-o", "/tmp/x")
check(p.returncode == 2 and "run needs -c CONFIG" in p.stderr, "run without config: exit 2")
p = run("run", "-c", "/nonexistent/t.ini", "-o", os.path.join(TMP, "cli_noconf"))
check(p.returncode == 3 and "/nonexistent/t.ini: cannot read the config file" in p.stderr,
      "missing config: exit 3, %r" % p.stderr)
p = run("--config", "CPL_DEBUG", "OFF", "stages")
check(p.returncode == 0, "--config KEY VALUE is accepted")

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

fresh = os.path.join(d, "fresh")
p = run("run", "-c", ini, "-o", fresh, "--from", "locate")
check(p.returncode == 6 and "stage 'load' has not run" in p.stderr, "--from without store: exit 6, %r" % p.stderr)
p = run("run", "-c", ini, "-o", fresh, "--from", "nowhere")
check(p.returncode == 2 and "no stage 'nowhere'" in p.stderr, "unknown stage: exit 2, %r" % p.stderr)
finish("test_cli")

"""tremplin's benchmark: the same point-in-polygon join and apportionment, run by tremplin and by
its peers (SpatiaLite SQL through GDAL, PostGIS, GeoPandas, QGIS), on generated data; and the
pipeline scenario: tremplin's whole run on `tremplin demo --records N` inputs beside ogr2ogr
copying the same CSV into a GeoPackage and the same job in PostGIS SQL and GeoPandas
(bench/pipeline.py), per-commune figures compared.

Every tool must give the same count per polygon; the table shows wall time, points per second,
peak memory (from /usr/bin/time -v) and each tool's time as a multiple of tremplin's.
Run through bench/run, which installs the peers and builds tremplin first.
"""
import argparse
import csv
import io
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import time

import pipeline

PG_BIN = "/usr/lib/postgresql/15/bin"
REPEAT = 3         # tremplin runs and PostGIS queries: the best of REPEAT (this VM is noisy)
PG_PORT = "55432"
rows = []          # the table: dicts with scenario, tool, wall, npts, rss, ok, note
problems = []      # disagreements


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def timed(cmd, env=None, stdout_file=None):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak RSS in MB, stdout, stderr)."""
    full = ["/usr/bin/time", "-v"] + cmd
    t0 = time.monotonic()
    p = subprocess.run(full, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    rss = int(m.group(1)) / 1024 if m else float("nan")
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-3000:]))
    return wall, rss, p.stdout, p.stderr


def counts_from_csv(text, key=0, val=1, header=True):
    out = {}
    r = csv.reader(io.StringIO(text))
    if header:
        next(r, None)
    for row in r:
        if row:
            out[str(int(float(row[key])))] = int(float(row[val]))
    return {k: v for k, v in out.items() if v}


def add(scenario, tool, wall, npts, rss, counts, ref, note=""):
    ok = "-"
    if counts is not None and ref is not None:
        if counts == ref:
            ok = "same"
        else:
            diff = sum(abs(counts.get(k, 0) - ref.get(k, 0)) for k in set(counts) | set(ref))
            extra = sum(counts.values()) - sum(ref.values())
            ok = "DIFFER (%d off, %+d in all%s)" % (diff, extra,
                                                    ": border points counted twice?" if extra > 0 else "")
            problems.append("%s / %s: counts differ from tremplin's" % (scenario, tool))
    rows.append(dict(scenario=scenario, tool=tool, wall=wall, npts=npts, rss=rss, ok=ok, note=note))
    log("  %-28s %8.2f s  %s" % (tool, wall, ok))


# ---- data ------------------------------------------------------------------------------------

def generate(gen, path, quick):
    """All layers in one GeoPackage, so that SQL peers can join two of its layers."""
    n1, n10 = (100_000, 1_000_000) if quick else (1_000_000, 10_000_000)
    layers = [("polygons", 1000, "p1k", 11), ("polygons", 10000, "p10k", 12),
              ("polygons", 10000, "zones10k", 13), ("polygons", 1000, "cells1k", 14),
              ("points", n1, "u1m", 21), ("points", n1, "c1m", 22), ("points", n10, "u10m", 23)]
    stamp = path + ".done-%s" % ("quick" if quick else "full")
    if os.path.exists(stamp):
        return n1, n10
    if os.path.exists(path):
        os.remove(path)
    for kind, n, name, seed in layers:
        log("generating %s (%d %s)" % (name, n, kind))
        cmd = [gen, kind, str(n), path, "--layer", name, "--seed", str(seed)]
        if name.startswith("c"):
            cmd.append("--clustered")
        if name in ("zones10k", "cells1k"):
            cmd += ["--vertices", "100"]
        subprocess.run(cmd, check=True)
    open(stamp, "w").close()
    return n1, n10


# ---- the tools -------------------------------------------------------------------------------

def run_tremplin(tp, data, poly, pts, threads, outdir, repeat=REPEAT):
    """The best of `repeat` runs: (wall, peak MB, counts, join itself in s, stderr)."""
    out = os.path.join(outdir, "tremplin-%s-%s-%d.csv" % (poly, pts, threads))
    best = None
    for _ in range(repeat):
        wall, rss, _, err = timed([tp, "join", data, data, "--layer1", poly, "--layer2", pts,
                                   "--key", "id", "--threads", str(threads), "-o", out])
        m = re.search(r"located in ([0-9.]+) s", err)
        join_s = float(m.group(1)) if m else float("nan")
        if best is None or wall < best[0]:
            best = (wall, rss, join_s, err.strip())
    with open(out) as f:
        return best[0], best[1], counts_from_csv(f.read()), best[2], best[3]


def run_tremplin_gpkg(tp, data, poly, pts, outdir, lco):
    """tremplin join writing its GeoPackage: (wall, peak MB, counts, write s, index s)."""
    out = os.path.join(outdir, "tremplin-located.gpkg")
    if os.path.exists(out):
        os.remove(out)
    wall, rss, _, err = timed([tp, "join", data, data, "--layer1", poly, "--layer2", pts, "--key",
                               "id", "--threads", "2", "-o", out] + lco)
    m = re.search(r"written in ([0-9.]+) s \(([0-9.]+) s of it building", err)
    db = sqlite3.connect(out)
    counts = {str(int(k)): int(v) for k, v in db.execute("SELECT key, count FROM polygons") if v}
    db.close()
    os.remove(out)
    return wall, rss, counts, float(m.group(1)), float(m.group(2))


def run_ogr2ogr_copy(data, pts, outdir, index):
    """GDAL's own copy of the points into a new GeoPackage, with or without the R-tree."""
    out = os.path.join(outdir, "ogr2ogr-copy.gpkg")
    if os.path.exists(out):
        os.remove(out)
    wall, rss, _, _ = timed(["ogr2ogr", "-f", "GPKG", out, data, pts, "-lco",
                             "SPATIAL_INDEX=%s" % ("YES" if index else "NO")])
    os.remove(out)
    return wall, rss


def run_spatialite(data, poly, pts):
    # CROSS JOIN keeps SQLite's planner from scanning the R-tree outside the points
    sql = ("SELECT p.id AS id, COUNT(*) AS n FROM \"%s\" t CROSS JOIN \"rtree_%s_geom\" r"
           " CROSS JOIN \"%s\" p WHERE r.minx <= ST_MinX(t.geom) AND r.maxx >= ST_MaxX(t.geom)"
           " AND r.miny <= ST_MinY(t.geom) AND r.maxy >= ST_MaxY(t.geom) AND p.fid = r.id"
           " AND ST_Intersects(p.geom, t.geom) GROUP BY p.id" % (pts, poly, poly))
    wall, rss, out, _ = timed(["ogr2ogr", "-f", "CSV", "/vsistdout/", data, "-sql", sql])
    return wall, rss, counts_from_csv(out)


class PostGIS:
    def __init__(self, root):
        self.root = root
        self.data = os.path.join(root, "pgdata")
        self.env = dict(os.environ, PGHOST="127.0.0.1", PGPORT=PG_PORT, PGUSER="postgres")

    def pg(self, *args):
        subprocess.run(["runuser", "-u", "postgres", "--"] + list(args), check=True,
                       capture_output=True)

    def start(self):
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root)
        shutil.chown(self.root, "postgres")
        self.pg(PG_BIN + "/initdb", "-D", self.data, "-A", "trust", "-U", "postgres")
        self.pg(PG_BIN + "/pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.root, "log"),
                "-o", "-k %s -p %s -c listen_addresses=127.0.0.1 -c shared_buffers=1GB"
                      " -c work_mem=256MB" % (self.root, PG_PORT), "start")
        self.psql("CREATE EXTENSION postgis")

    def stop(self):
        try:
            self.pg(PG_BIN + "/pg_ctl", "-D", self.data, "-m", "fast", "stop")
        except Exception:
            pass

    def psql(self, sql, timing=False):
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres"]
        if timing:
            cmd += ["-c", "\\timing on"]
        cmd += ["-c", sql]
        p = subprocess.run(cmd, env=self.env, capture_output=True, text=True, check=True)
        return p.stdout

    def load(self, data, layer):
        t0 = time.monotonic()
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", "PG:dbname=postgres host=127.0.0.1 port=%s"
                        " user=postgres" % PG_PORT, data, layer, "-nln", layer, "-overwrite",
                        "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST",
                        "--config", "PG_USE_COPY", "YES"], check=True, env=self.env)
        self.psql("ANALYZE \"%s\"" % layer)
        return time.monotonic() - t0

    def join(self, poly, pts, repeat=REPEAT):
        """The best query time of `repeat` runs, and the counts."""
        sql = ("COPY (SELECT p.id, COUNT(*) FROM \"%s\" p JOIN \"%s\" t ON ST_Intersects(p.geom, t.geom)"
               " GROUP BY p.id) TO STDOUT WITH CSV" % (poly, pts))
        best, counts = float("inf"), None
        for _ in range(repeat):
            out = self.psql(sql, timing=True)
            m = re.findall(r"Time: ([0-9.]+) ms", out)
            body = "\n".join(l for l in out.splitlines() if not l.startswith("Time:"))
            best = min(best, float(m[-1]) / 1000 if m else float("nan"))
            counts = counts_from_csv(body, header=False)
        return best, counts

    def rss_mb(self):
        p = subprocess.run(["ps", "-u", "postgres", "-o", "rss="], capture_output=True, text=True)
        return sum(int(x) for x in p.stdout.split()) / 1024


GEOPANDAS = r"""
import sys, geopandas as gpd
path, poly, pts = sys.argv[1:4]
polys = gpd.read_file(path, layer=poly)[["id", "geometry"]]
points = gpd.read_file(path, layer=pts)
j = gpd.sjoin(points, polys, how="inner", predicate="intersects")
print("id,n")
for k, v in j.groupby("id").size().items():
    print("%d,%d" % (k, v))
"""


def run_geopandas(data, poly, pts):
    wall, rss, out, _ = timed(["/usr/bin/python3", "-c", GEOPANDAS, data, poly, pts])
    return wall, rss, counts_from_csv(out)


def run_qgis(data, poly, pts, outdir):
    """QGIS asks the points layer for each polygon's envelope: without a spatial index on the
    points that is a full scan per polygon (hours), so the points get one first, untimed."""
    out = os.path.join(outdir, "qgis-%s-%s.gpkg" % (poly, pts))
    if os.path.exists(out):
        os.remove(out)
    has = subprocess.run(["ogrinfo", "-q", data, "-sql", "SELECT HasSpatialIndex('%s', 'geom')" % pts],
                         capture_output=True, text=True).stdout
    if "= 1" not in has:
        subprocess.run(["ogrinfo", "-q", data, "-sql", "SELECT CreateSpatialIndex('%s', 'geom')" % pts],
                       check=True, capture_output=True)
    runtime = os.path.join(outdir, "xdg-runtime")
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=runtime)
    wall, rss, _, _ = timed(["/usr/bin/qgis_process.bin", "run", "native:countpointsinpolygon",
                             "--POLYGONS=%s|layername=%s" % (data, poly),
                             "--POINTS=%s|layername=%s" % (data, pts), "--FIELD=n",
                             "--OUTPUT=%s" % out], env=env)
    db = sqlite3.connect(out)
    tbl = db.execute("SELECT table_name FROM gpkg_contents").fetchone()[0]
    counts = {str(int(k)): int(v) for k, v in db.execute('SELECT id, n FROM "%s"' % tbl) if v}
    db.close()
    return wall, rss, counts


# ---- the pipeline scenario ---------------------------------------------------------------------

def load_note():
    return "load average %.1f" % os.getloadavg()[0]


def add_pipe(scenario, tool, wall, n, rss, diffs, note):
    """A row of the pipeline scenario; diffs from pipeline.differences (None: not compared)."""
    ok = "-" if diffs is None else "same" if not diffs else "DIFFER (%d figures)" % len(diffs)
    if diffs:
        problems.append("%s / %s: per-commune figures differ from tremplin's: %s"
                        % (scenario, tool, "; ".join(diffs[:5])))
    rows.append(dict(scenario=scenario, tool=tool, wall=wall, npts=n, rss=rss, ok=ok, note=note))
    log("  %-28s %8.2f s  %s  %s" % (tool, wall, ok, note))


def demo_inputs(tp, root, n):
    """`tremplin demo --records n` inputs in root/pipe-N/inputs (made once; the demo's own run
    stops after load)."""
    d = os.path.join(root, "pipe-%d" % n)
    stamp = os.path.join(d, "inputs.done")
    if not os.path.exists(stamp):
        shutil.rmtree(d, ignore_errors=True)
        log("generating the demo inputs with %d records" % n)
        subprocess.run([tp, "demo", "-o", d, "--records", str(n), "--until", "load", "-q"],
                       check=True)
        open(stamp, "w").close()
    return os.path.join(d, "inputs")


def job_ini(inputs):
    """inputs/bench.ini: the demo's config for the peers' job alone, the same work on both sides:
    one vacancy file, the latest count, the communes; without the earlier vacancy snapshots
    ([vacancies.YYYY-MM-DD]), the earlier count editions ([zones.LABEL]), the occupation register
    and the indicator tables, which the peers' scripts do not read."""
    drop = re.compile(r"^\[(vacancies\.\d{4}-\d\d-\d\d|zones\.[^\]]+|occupations|indicators(\..*)?)\]")
    keep, out = True, []
    for line in open(os.path.join(inputs, "tremplin.ini"), encoding="utf-8"):
        if line.startswith("["):
            keep = not drop.match(line.strip())
        if keep:
            out.append(line)
    path = os.path.join(inputs, "bench.ini")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(out)
    return path


def run_tremplin_pipeline(tp, inputs, out, repeat):
    """The best of `repeat` whole runs on job_ini(): (wall, peak MB, figures, timings line, load
    average)."""
    best = None
    ini = job_ini(inputs)
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        la = load_note()
        wall, rss, _, err = timed([tp, "run", "-c", ini, "-o", out,
                                   "--no-maps", "--no-dashboard"])
        m = re.search(r"^timings: (.*)$", err, re.M)
        if best is None or wall < best[0]:
            best = (wall, rss, m.group(1) if m else "no timings line", la)
    return best[0], best[1], pipeline.tremplin_figures(os.path.join(out, "work.sqlite")), best[2], best[3]


def run_ogr2ogr_csv(inputs, out, repeat=3):
    """ogr2ogr merely copying vacancies.csv into a GeoPackage, no spatial index (the issue's
    reference): the best of `repeat` copies, as tremplin's own figure is a best of several, so
    that the ratio between them is not one noisy run's."""
    dst = os.path.join(out, "ogr2ogr-vacancies.gpkg")
    best = None
    for _ in range(repeat):
        if os.path.exists(dst):
            os.remove(dst)
        wall, rss, _, _ = timed(["ogr2ogr", "-f", "GPKG", dst, os.path.join(inputs, "vacancies.csv"),
                                 "-oo", "X_POSSIBLE_NAMES=x", "-oo", "Y_POSSIBLE_NAMES=y",
                                 "-a_srs", "EPSG:31370", "-nln", "vacancies",
                                 "-lco", "SPATIAL_INDEX=NO"])
        os.remove(dst)
        if best is None or wall < best[0]:
            best = (wall, rss)
    return best


def run_postgis_pipeline(pg, inputs, out):
    """The job as a PostGIS SQL script: ogr2ogr loads the three inputs (GiST indexes), psql runs
    pipeline.postgis_sql(), ogr2ogr exports the scored vacancies and the communes to a GeoPackage
    (with its spatial indexes) and the summary to CSV.  (wall, peak MB, figures, note)."""
    conn = "PG:dbname=postgres host=127.0.0.1 port=%s user=postgres" % PG_PORT
    dst, csvp = os.path.join(out, "postgis.gpkg"), os.path.join(out, "postgis-summary.csv")
    for f in (dst, csvp):
        if os.path.exists(f):
            os.remove(f)
    common = ["-lco", "GEOMETRY_NAME=geom", "-overwrite", "--config", "PG_USE_COPY", "YES"]
    loads = [[os.path.join(inputs, "communes.gpkg"), "communes", "-nln", "communes"],
             [os.path.join(inputs, "zones.gpkg"), "zones", "-nln", "zones"],
             [os.path.join(inputs, "vacancies.csv"), "-nln", "vacancies", "-oo", "X_POSSIBLE_NAMES=x",
              "-oo", "Y_POSSIBLE_NAMES=y", "-a_srs", "EPSG:31370"]]
    rss, t = 0.0, {}
    t0 = time.monotonic()
    for args in loads:
        _, r, _, _ = timed(["ogr2ogr", "-f", "PostgreSQL", conn] + args + common, env=pg.env)
        rss = max(rss, r)
    pg.psql("ANALYZE")
    t["load"] = time.monotonic() - t0
    script = os.path.join(out, "pipeline.sql")
    with open(script, "w") as f:
        f.write(pipeline.postgis_sql())
    t0 = time.monotonic()
    subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-f", script], env=pg.env, check=True,
                   capture_output=True)
    t["SQL"] = time.monotonic() - t0
    t0 = time.monotonic()
    for args in (["vac_out", "-nln", "vacancies"], ["summary", "-nln", "communes", "-update"]):
        _, r, _, _ = timed(["ogr2ogr", "-f", "GPKG", dst, conn] + args, env=pg.env)
        rss = max(rss, r)
    timed(["ogr2ogr", "-f", "CSV", csvp, conn, "-sql", "SELECT nis_code, %s FROM summary"
           % ", ".join(pipeline.FIGURES)], env=pg.env)
    t["export"] = time.monotonic() - t0
    figures = pipeline.figures_from_csv(csvp)
    server = pg.rss_mb()
    return (sum(t.values()), rss + server, figures,
            ", ".join("%s %.2f s" % kv for kv in t.items()) + "; peak = largest client + server %.0f MB" % server)


def run_geopandas_pipeline(inputs, out):
    d = os.path.join(out, "geopandas")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    wall, rss, _, _ = timed(["/usr/bin/python3", "-c", pipeline.GEOPANDAS, inputs, d,
                             pipeline.REFERENCE_DATE, str(pipeline.MIN_WINDOW_MONTHS)])
    return wall, rss, pipeline.figures_from_csv(os.path.join(d, "summary.csv"))


def pipeline_scenarios(tp, root, sizes, pg, skip):
    out = os.path.join(root, "out")
    os.makedirs(out, exist_ok=True)
    for n in sizes:
        inputs = demo_inputs(tp, root, n)
        sc = "pipeline, %d records" % n
        log(sc)
        repeat = REPEAT if n <= 100_000 else 2
        w, r, ref, timings, la = run_tremplin_pipeline(tp, inputs, os.path.join(out, "tremplin-run"),
                                                       repeat)
        add_pipe(sc, "tremplin run --no-maps --no-dashboard", w, n, r, None,
                 "%s; %s" % (timings, la))
        la = load_note()
        w2, r2 = run_ogr2ogr_csv(inputs, out)
        add_pipe(sc, "ogr2ogr copy of vacancies.csv to GPKG", w2, n, r2, None,
                 "no spatial index; tremplin run = %.2fx this (target 1.5x); %s" % (w / w2, la))
        for peer in ("postgis", "geopandas"):
            if peer in skip:
                continue
            try:
                la = load_note()
                if peer == "postgis":
                    wp, rp, fig, note = run_postgis_pipeline(pg, inputs, out)
                    add_pipe(sc, "PostGIS SQL script (ogr2ogr in and out)", wp, n, rp,
                             pipeline.differences(ref, fig), "%s; %s" % (note, la))
                else:
                    wp, rp, fig = run_geopandas_pipeline(inputs, out)
                    add_pipe(sc, "GeoPandas script", wp, n, rp, pipeline.differences(ref, fig), la)
            except Exception as e:  # a peer failing is reported, not fatal
                problems.append("%s / %s failed: %s" % (sc, peer, str(e)[:300]))
                log("  %s failed: %s" % (peer, str(e)[:300]))


# ---- main ------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--quick", action="store_true", help="100k points instead of 1M (a dry run)")
    ap.add_argument("--skip", nargs="*", default=[], help="peers to leave out: spatialite postgis geopandas qgis")
    ap.add_argument("--only-qgis", action="store_true", help="just the QGIS row of u1m x p10k")
    ap.add_argument("--only-pipeline", action="store_true", help="just the pipeline scenario")
    ap.add_argument("--pipeline", nargs="*", type=int, default=None,
                    help="records of the pipeline scenario (default 100000 1000000; --quick: 100000)")
    a = ap.parse_args()
    tp = os.path.join(a.build, "tremplin")
    os.makedirs(a.data, exist_ok=True)
    data = os.path.join(a.data, "bench.gpkg")
    out = os.path.join(a.data, "out")
    os.makedirs(out, exist_ok=True)
    sizes = a.pipeline if a.pipeline is not None else [100_000] if a.quick else [100_000, 1_000_000]
    if not a.only_pipeline:
        n1, n10 = generate(os.path.join(a.build, "tremplin-benchgen"), data, a.quick)
    if a.only_qgis:
        sc = "u1m x p10k"
        w2, r2, ref, j2, _ = run_tremplin(tp, data, "p10k", "u1m", 2, out)
        add(sc, "tremplin join, 2 threads", w2, n1, r2, ref, None, "join itself %.3f s" % j2)
        w, r, c = run_qgis(data, "p10k", "u1m", out)
        add(sc, "QGIS countpointsinpolygon", w, n1, r, c, ref, "points given a spatial index first")
        report(a)
        return 1 if problems else 0
    pg = None
    try:
        if "postgis" not in a.skip:
            pg = PostGIS(os.path.join(a.data, "pg"))
            pg.start()
        if a.only_pipeline:
            pipeline_scenarios(tp, a.data, sizes, pg, a.skip)
            report(a)
            return 1 if problems else 0
        if pg:
            for layer in ("p1k", "p10k", "u1m", "c1m"):
                log("PostGIS: loading %s" % layer)
                add("PostGIS load", "ogr2ogr + GiST: " + layer, pg.load(data, layer), 0, float("nan"),
                    None, None)
        for poly, pts, npts, peers in (("p10k", "u1m", n1, ("spatialite", "postgis", "geopandas", "qgis")),
                                       ("p10k", "c1m", n1, ("spatialite", "postgis", "geopandas")),
                                       ("p1k", "u1m", n1, ("spatialite", "postgis"))):
            sc = "%s x %s" % (pts, poly)
            log(sc)
            w1, r1, ref, j1, e1 = run_tremplin(tp, data, poly, pts, 1, out)
            w2, r2, c2, j2, e2 = run_tremplin(tp, data, poly, pts, 2, out)
            add(sc, "tremplin join, 1 thread", w1, npts, r1, ref, None, "join itself %.3f s" % j1)
            add(sc, "tremplin join, 2 threads", w2, npts, r2, c2, ref, "join itself %.3f s" % j2)
            for peer in peers:
                if peer in a.skip:
                    continue
                try:
                    if peer == "spatialite":
                        w, r, c = run_spatialite(data, poly, pts)
                        add(sc, "SpatiaLite SQL (ogr2ogr, R-tree)", w, npts, r, c, ref)
                    elif peer == "postgis":
                        q, c = pg.join(poly, pts)
                        add(sc, "PostGIS query (GiST)", q, npts, pg.rss_mb(), c, ref,
                            "query only; loading apart")
                    elif peer == "geopandas":
                        w, r, c = run_geopandas(data, poly, pts)
                        add(sc, "GeoPandas sjoin", w, npts, r, c, ref)
                    elif peer == "qgis":
                        w, r, c = run_qgis(data, poly, pts, out)
                        add(sc, "QGIS countpointsinpolygon", w, npts, r, c, ref)
                except Exception as e:  # a peer failing is reported, not fatal
                    problems.append("%s / %s failed: %s" % (sc, peer, str(e)[:300]))
                    log("  %s failed: %s" % (peer, str(e)[:300]))
        sc = "%s x p10k" % "u10m"
        log(sc)
        w1, r1, ref, j1, _ = run_tremplin(tp, data, "p10k", "u10m", 1, out)
        w2, r2, c2, j2, _ = run_tremplin(tp, data, "p10k", "u10m", 2, out)
        add(sc, "tremplin join, 1 thread", w1, n10, r1, ref, None, "join itself %.3f s" % j1)
        add(sc, "tremplin join, 2 threads", w2, n10, r2, c2, ref,
            "join itself %.3f s (%.2fx the 1-thread join)" % (j2, j1 / j2 if j2 else float("nan")))
        sc = "1M located points written to a GeoPackage"
        log(sc)
        ref = run_tremplin(tp, data, "p10k", "u1m", 2, out, repeat=1)[2]
        for lco, what in (([], "with the R-tree"), (["--lco", "SPATIAL_INDEX=NO"], "without the R-tree")):
            w, r, c, ws, cs = run_tremplin_gpkg(tp, data, "p10k", "u1m", out, lco)
            add(sc, "tremplin join, 2 threads, -o .gpkg " + what, w, n1, r, c, ref,
                "writing %.2f s, of which the spatial indexes %.2f s" % (ws, cs))
        for index in (True, False):
            w, r = run_ogr2ogr_copy(data, "u1m", out, index)
            add(sc, "ogr2ogr copy of the points %s" % ("with the R-tree" if index else "without the R-tree"),
                w, n1, r, None, None, "GDAL's own writer, for comparison")
        log("apportion zones10k onto cells1k")
        wall, rss, _, err = timed([tp, "apportion", data, data, "--layer1", "zones10k", "--layer2",
                                   "cells1k", "--value", "id", "--key", "id", "-o",
                                   os.path.join(out, "apportion.csv")])
        m = re.search(r"value inside ([0-9.e+-]+), apportioned ([0-9.e+-]+)", err)
        inside, given = float(m.group(1)), float(m.group(2))
        conserved = abs(inside - given) <= 1e-9 * max(1.0, abs(inside))
        if not conserved:
            problems.append("apportionment does not conserve the value: %r vs %r" % (inside, given))
        add("10k zones onto 1k cells", "tremplin apportion", wall, 0, rss, None, None,
            "value inside %.6f, apportioned %.6f: %s" % (inside, given,
                                                         "conserved to 1e-9" if conserved else "NOT conserved"))
        pipeline_scenarios(tp, a.data, sizes, pg, a.skip)
    finally:
        if pg:
            pg.stop()
    report(a)
    return 1 if problems else 0


def report(a):
    cpu = ""
    try:
        cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")][0]
    except Exception:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print("machine: %s, %d cores, %.0f GiB, %s; %s" % (cpu, os.cpu_count(), mem, platform.platform(),
                                                    time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
    print()
    print("| scenario | tool | wall s | points/s | peak MB | x tremplin | counts | note |")
    print("|---|---|---:|---:|---:|---:|---|---|")
    base = {}
    for r in rows:
        if r["tool"].startswith(("tremplin join, 2 threads", "tremplin run")) and r["scenario"] not in base:
            base[r["scenario"]] = r["wall"]
    for r in rows:
        b = base.get(r["scenario"])
        ratio = "%.1f" % (r["wall"] / b) if b and r["wall"] == r["wall"] else ""
        pps = "%.0f" % (r["npts"] / r["wall"]) if r["npts"] and r["wall"] else ""
        print("| %s | %s | %.2f | %s | %s | %s | %s | %s |" % (
            r["scenario"], r["tool"], r["wall"], pps,
            "%.0f" % r["rss"] if r["rss"] == r["rss"] else "", ratio, r["ok"], r["note"]))
    print()
    print("x tremplin: the tool's wall time over tremplin's (2 threads, reading the files included;"
          " pipeline: over tremplin run's).")
    print("load average: this machine's 1-minute load average just before the row's run.")
    print("tremplin rows and PostGIS queries: the best of %d runs (tremplin run on more than 100,000"
          " records: of 2); the ogr2ogr copy of the pipeline: the best of 3; the other tools: one"
          " run." % REPEAT)
    if problems:
        print("PROBLEMS:")
        for p in problems:
            print(" -", p)


if __name__ == "__main__":
    sys.exit(main())

"""The PostGIS output against a real server: a throwaway PostgreSQL 15 + PostGIS 3 cluster, started
in a temporary folder (as the postgres user when the tests run as root), on a free port and a unix
socket there, stopped and removed at the end even on failure.

Checks: the schema holds the GeoPackage's tables, rows and per-commune figures; geometry columns
with their SRID, GiST indexes, primary keys, lookup tables for the coded fields; layer_styles
read back by PyQGIS from the database; the dashboard views; a run killed midway (while the
staging schema is written, while the swap waits) leaves the previous schema whole and readable,
and the next run drops what it left; a bad connection string is exit 5 naming host and database,
never the password; the password in the config reaches no output. Skips (77) only when initdb or
PostGIS is not installed.
"""
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from osgeo import gdal, ogr
from tplib import *

gdal.UseExceptions()
PGBIN = "/usr/lib/postgresql/15/bin"
POSTGIS = "/usr/share/postgresql/15/extension/postgis.control"
if not os.path.exists(os.path.join(PGBIN, "initdb")) or not os.path.exists(POSTGIS):
    print("test_postgis: skipped: PostgreSQL 15 (%s/initdb) or PostGIS 3 (%s) is not installed;"
          " scripts/deps installs postgresql-15 and postgresql-15-postgis-3" % (PGBIN, POSTGIS))
    sys.exit(SKIP)

LAYERS = ["communes", "vacancies", "candidates", "count_zones", "rejects"]
MAP_LAYERS = ["communes", "vacancies", "candidates", "count_zones"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Cluster:
    """A throwaway cluster: initdb, pg_ctl start, a database with PostGIS; stop() removes it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tremplin-pg-")
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.user = "postgres"
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = os.path.join(self.dir, "data")
        self.started = False

    def as_owner(self, args):
        cmd = (["runuser", "-u", self.user, "--"] if self.user else []) + args
        return subprocess.run(cmd, capture_output=True, text=True, cwd=self.dir)

    def start(self):
        p = self.as_owner([os.path.join(PGBIN, "initdb"), "-D", self.data, "-A", "trust", "-U", "postgres",
                           "-E", "UTF8", "--locale=C.UTF-8"])
        if p.returncode != 0:
            raise RuntimeError("initdb: " + p.stderr)
        p = self.as_owner([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-w", "-l",
                           os.path.join(self.dir, "log"), "-o",
                           "-p %d -k %s -c listen_addresses='' -c fsync=off" % (self.port, self.dir),
                           "start"])
        if p.returncode != 0:
            raise RuntimeError("pg_ctl start: " + p.stderr + p.stdout)
        self.started = True
        self.psql("postgres", "CREATE DATABASE t")
        self.psql("t", "CREATE EXTENSION postgis")

    def conn(self, db="t", extra=""):
        return "PG:dbname=%s host=%s port=%d user=postgres%s" % (db, self.dir, self.port, extra)

    def psql(self, db, sql):
        p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", "-h", self.dir,
                            "-p", str(self.port), "-U", "postgres", "-d", db, "-c", sql],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("psql %r: %s" % (sql, p.stderr))
        return [l.split("|") for l in p.stdout.splitlines() if l]

    def stop(self):
        if self.started:
            self.as_owner([os.path.join(PGBIN, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


def features(ds, name, sql=None):
    """[(fid, {field: value}, geometry WKT)] of a layer, by fid."""
    lyr = ds.ExecuteSQL(sql) if sql else ds.GetLayerByName(name)
    check(lyr is not None, "layer %s is there" % name)
    if lyr is None:
        return []
    rows = []
    for f in lyr:
        g = f.GetGeometryRef()
        rows.append((f.GetFID(), {k: f.GetField(k) for k in f.keys()}, g.ExportToIsoWkt() if g else None))
    if sql:
        ds.ReleaseResultSet(lyr)
    rows.sort(key=lambda r: r[0])
    return rows


def same_layers(gp, cluster, schema, what):
    """The schema's tables equal the GeoPackage's layers: rows, fields, geometries."""
    g = gdal.OpenEx(gp, gdal.OF_VECTOR)
    pg = gdal.OpenEx(cluster.conn(), gdal.OF_VECTOR, open_options=["SCHEMAS=" + schema])
    names = [r[0] for r in gpkg_rows(gp, "SELECT table_name FROM gpkg_contents WHERE table_name <> 'layer_styles'")]
    check(set(LAYERS) <= set(names), "%s: the GeoPackage's layers: %r" % (what, names))
    for name in names:
        a = features(g, name)
        b = features(pg, name, 'SELECT * FROM "%s"."%s" ORDER BY fid' % (schema, name))
        check(len(a) == len(b) and (len(a) > 0 or name == "rejects"),
              "%s: %s has %d rows, the GeoPackage %d" % (what, name, len(b), len(a)))
        # GDAL's PostgreSQL driver writes reals with 15 significant digits (README)
        bad = [(x[0], k, x[1][k], y[1].get(k)) for x, y in zip(a, b) for k in x[1]
               if not (x[1][k] == y[1].get(k) or (isinstance(x[1][k], float) and y[1].get(k) is not None
                                                  and abs(x[1][k] - y[1][k]) <= 1e-14 * abs(x[1][k])))]
        check(not bad, "%s: %s: every field equals the GeoPackage's: %r" % (what, name, bad[:5]))
        check(all(x[2] == y[2] for x, y in zip(a, b)), "%s: %s: the same geometries" % (what, name))
    return {x[1]["nis_code"]: x[1] for x in features(g, "communes")}


def fingerprint(cluster, schema="tremplin"):
    """What a reader of the schema sees: the rows of every table and the figures per commune."""
    counts = tuple(int(cluster.psql("t", 'SELECT count(*) FROM "%s"."%s"' % (schema, n))[0][0]) for n in LAYERS)
    figures = cluster.psql("t", 'SELECT nis_code, people_total_label, empty_dwellings, candidate_dwellings'
                                ' FROM "%s".communes ORDER BY nis_code' % schema)
    views = cluster.psql("t", 'SELECT count(*) FROM "%s".commune_indicators' % schema)
    return counts, tuple(map(tuple, figures)), views[0][0]


def leftovers(cluster):
    return [r[0] for r in cluster.psql("t", "SELECT nspname FROM pg_namespace WHERE nspname ~ '_(new|old)_[0-9]+$'")]


d = workdir("postgis")
cluster = Cluster()
try:
    cluster.start()
    out = os.path.join(d, "out")

    # ---- a demo run writes the schema: the GeoPackage's tables, rows and figures --------------
    p = run("demo", "-o", out, "-q", "--db", cluster.conn())
    check(p.returncode == 0, "demo --db runs: %s" % p.stderr)
    gp = os.path.join(out, "tremplin.gpkg")
    communes = same_layers(gp, cluster, "tremplin", "public schema")
    check(len(communes) == 19, "19 communes")
    tables = sorted(r[0] for r in cluster.psql("t", "SELECT tablename FROM pg_tables WHERE schemaname = 'tremplin'"))
    glayers = [r[0] for r in gpkg_rows(gp, "SELECT table_name FROM gpkg_contents WHERE table_name <> 'layer_styles'")]
    check(set(LAYERS) <= set(glayers), "the GeoPackage's layers: %r" % glayers)
    check(tables == sorted(glayers + ["layer_styles", "owner_type_codes", "vacancy_reason_codes",
                                      "candidate_flag_codes"]), "the schema's tables: %r" % tables)
    srid = dict((r[0], (r[1], r[2], r[3])) for r in cluster.psql(
        "t", "SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns WHERE f_table_schema = 'tremplin'"))
    gcols = {r[0]: (r[1], "31370", r[2]) for r in gpkg_rows(
        gp, "SELECT table_name, column_name, geometry_type_name FROM gpkg_geometry_columns")}
    check(srid == gcols and srid["communes"] == ("geom", "31370", "MULTIPOLYGON")
          and srid["vacancies"] == ("geom", "31370", "POINT"),
          "geometry columns with their SRID (31370), the GeoPackage's: %r" % srid)
    idx = cluster.psql("t", "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'tremplin'")
    for name in MAP_LAYERS:
        check(any(t == name and "USING gist (geom)" in i for t, i in idx), "a GiST index on %s.geom: %r" % (name, idx))
    pks = cluster.psql("t", "SELECT c.relname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c"
                            " ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                            " WHERE n.nspname = 'tremplin' AND k.contype = 'p'")
    for name in LAYERS:
        check([name, "PRIMARY KEY (fid)"] in pks, "primary key fid on %s: %r" % (name, pks))
    fks = cluster.psql("t", "SELECT c.relname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class c"
                            " ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                            " WHERE n.nspname = 'tremplin' AND k.contype = 'f' ORDER BY 1, 2")
    check(["vacancies", "FOREIGN KEY (owner_type) REFERENCES tremplin.owner_type_codes(code)"] in fks
          and ["vacancies", "FOREIGN KEY (reason) REFERENCES tremplin.vacancy_reason_codes(code)"] in fks
          and ["candidates", "FOREIGN KEY (owner_type) REFERENCES tremplin.owner_type_codes(code)"] in fks,
          "the coded fields refer to lookup tables: %r" % fks)
    check(cluster.psql("t", "SELECT name_fr, name_nl FROM tremplin.owner_type_codes WHERE code = 'sisp'") == [["SISP", "OVM"]],
          "the lookup table names the codes in French and Dutch")
    try:
        cluster.psql("t", "INSERT INTO tremplin.vacancies (owner_type) VALUES ('banque')")
        check(False, "a code outside the list is refused")
    except RuntimeError as e:
        check("foreign key" in str(e), "a code outside the list is refused: %s" % e)
    comments = cluster.psql("t", "SELECT obj_description('tremplin.communes'::regclass),"
                                 " col_description('tremplin.vacancies'::regclass, 8),"
                                 " obj_description('tremplin'::regnamespace)")[0]
    check(comments[0].startswith("Communes: people counted") and "protected for publication" in comments[0],
          "the table's comment is the layer's description: %r" % comments[0])
    check("owner_type_codes" in comments[1], "a coded column's comment names its lookup table: %r" % comments[1])
    check("protected for publication" in comments[2], "the schema says its figures are protected: %r" % comments[2])

    # per commune: the view for dashboards shows the GeoPackage's figures
    view = cluster.psql("t", "SELECT nis_code, people_total_label, empty_dwellings, candidate_dwellings, capacity,"
                             " round(area_km2::numeric, 1) FROM tremplin.commune_indicators ORDER BY nis_code")
    check([(r[0], r[1], int(r[2]), int(r[3])) for r in view]
          == [(k, c["people_total_label"], c["empty_dwellings"], c["candidate_dwellings"]) for k, c in sorted(communes.items())],
          "commune_indicators: the GeoPackage's figures per commune")
    check(all(float(r[5]) > 0 for r in view), "commune_indicators: each commune's area")
    ranked = cluster.psql("t", "SELECT rank, commune_rank, nis_code, commune_fr FROM tremplin.candidates_ranked")
    ncand = sum(1 for x in features(gdal.OpenEx(gp, gdal.OF_VECTOR), "candidates") if x[1]["rank"] is not None)
    check(len(ranked) == ncand and [int(r[0]) for r in ranked] == sorted(int(r[0]) for r in ranked),
          "candidates_ranked: every ranked candidate, by rank (%d, %d)" % (len(ranked), ncand))
    firsts = {}
    for r in ranked:
        firsts.setdefault(r[2], []).append(int(r[1]))
    check(all(v == list(range(1, len(v) + 1)) for v in firsts.values()) and all(r[3] for r in ranked),
          "candidates_ranked: ranks within each commune run 1..n, with the commune's name")

    # layer_styles: QGIS's layout, the GeoPackage's QML, also where QGIS looks (public)
    cols = [r[0] for r in cluster.psql("t", "SELECT column_name FROM information_schema.columns WHERE"
                                            " table_schema = 'tremplin' AND table_name = 'layer_styles' ORDER BY ordinal_position")]
    check(cols == ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "stylename",
                   "styleqml", "stylesld", "useasdefault", "description", "owner", "ui", "update_time", "type"],
          "layer_styles in QGIS's own layout: %r" % cols)
    gq = dict(gpkg_rows(gp, "SELECT f_table_name, styleQML FROM layer_styles"))
    for where in ("tremplin", "public"):
        rows = cluster.psql("t", "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column,"
                                 " useasdefault, type, md5(styleqml::text) FROM %s.layer_styles"
                                 " WHERE f_table_schema = 'tremplin' ORDER BY id" % where)
        styled = [r[0] for r in gpkg_rows(gp, "SELECT f_table_name FROM layer_styles ORDER BY id")]
        kinds = {"MULTIPOLYGON": "Polygon", "POINT": "Point"}
        check(styled[:4] == ["communes", "candidates", "vacancies", "count_zones"]
              and [r[:6] for r in rows] == [["t", "tremplin", n, gcols[n][0] if n in gcols else "", "t",
                                             kinds[gcols[n][2]] if n in gcols else ""] for n in styled],
              "%s.layer_styles: a default style per map layer, as QGIS looks them up: %r" % (where, rows))
        md5 = {r[2]: r[6] for r in rows}
        check(all(md5.get(n) == hashlib.md5(gq[n].encode()).hexdigest() for n in gq),
              "%s.layer_styles: the GeoPackage's QML, to the byte" % where)

    # ---- the password reaches no output; the config's database is read ----------------------
    ini = open(os.path.join(out, "inputs", "tremplin.ini")).read().replace(
        "path = ", "path = %s/" % os.path.join(out, "inputs"))
    secret = "Pw-9f3e-not-for-anyone"
    write(os.path.join(d, "secret.ini"), ini + '\n[outputs]\ndatabase = PG:"%s password=%s"\nschema = other\n'
          "maps = no\ndashboard = no\n" % (cluster.conn()[3:], secret))
    p = run("run", "-c", os.path.join(d, "secret.ini"), "-o", os.path.join(d, "secret"), "-q")
    check(p.returncode == 0, "[outputs] database and schema: %s" % p.stderr)
    check(cluster.psql("t", "SELECT count(*) FROM other.communes") == [["19"]], "written into schema other")
    meta = gdal.OpenEx(os.path.join(d, "secret", "tremplin.gpkg"), gdal.OF_VECTOR).GetMetadataItem("CONFIG")
    check(secret not in meta and "password=*****" in meta, "the GeoPackage's metadata masks the password")
    check(not subprocess.run(["grep", "-rl", secret, os.path.join(d, "secret")], capture_output=True).stdout,
          "no output file holds the password")

    # ---- internal = yes: the exact figures, and the schema says so ----------------------------
    write(os.path.join(d, "internal.ini"), ini + "\n[outputs]\ninternal = yes\nschema = tremplin_internal\n"
          "maps = no\ndashboard = no\n")
    p = run("run", "-c", os.path.join(d, "internal.ini"), "-o", os.path.join(d, "internal"), "-q",
            "--db", cluster.conn())
    check(p.returncode == 0, "internal run: %s" % p.stderr)
    exact = same_layers(os.path.join(d, "internal", "tremplin.gpkg"), cluster, "tremplin_internal", "internal schema")
    check(any(exact[k]["people_total"] != communes[k]["people_total"] for k in exact),
          "internal: exact figures, unlike the public schema's")
    check("INTERNAL OUTPUT" in cluster.psql("t", "SELECT obj_description('tremplin_internal'::regnamespace)")[0][0],
          "the internal schema says so")

    # ---- PyQGIS opens a layer from the database, styled from layer_styles ---------------------
    qgis_script = r'''
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsVectorLayer, QgsDataSourceUri, QgsWkbTypes
app = QgsApplication([], False)
app.initQgis()
host, port, gp = sys.argv[1], sys.argv[2], sys.argv[3]
for name, geom in (("communes", QgsWkbTypes.MultiPolygon), ("candidates", QgsWkbTypes.Point)):
    # the layer as QGIS's browser adds it: geometry type and SRID in the URI
    uri = QgsDataSourceUri()
    uri.setConnection(host, port, "t", "postgres", "")
    uri.setDataSource("tremplin", name, "geom", "", "fid")
    uri.setWkbType(geom)
    uri.setSrid("31370")
    lyr = QgsVectorLayer(uri.uri(False), name, "postgres")
    ref = QgsVectorLayer("%s|layername=%s" % (gp, name), name, "ogr")
    n, ids, names, descs, err = lyr.listStylesInDatabase()
    print(name, lyr.isValid(), lyr.featureCount(), lyr.crs().authid(), lyr.renderer().type(),
          int(lyr.renderer().dump() == ref.renderer().dump()), len(lyr.renderer().legendSymbolItems()),
          names[:n].count(name) if n > 0 else 0)
app.exitQgis()
'''
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=os.path.join(d, "xdg"))
    os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    q = subprocess.run(["/usr/bin/python3", "-c", qgis_script, cluster.dir, str(cluster.port), gp],
                       capture_output=True, text=True, env=env, timeout=300)
    if "No module named 'qgis'" in q.stderr:
        print("test_postgis: PyQGIS is not importable; the QGIS check is not run")
    else:
        got = {l.split()[0]: l.split()[1:] for l in q.stdout.splitlines() if l.split()[:1] in (["communes"], ["candidates"])}
        check(set(got) == {"communes", "candidates"}, "PyQGIS ran: %s %s" % (q.stdout, q.stderr[-2000:]))
        for name, v in got.items():
            check(v[0] == "True" and int(v[1]) > 0 and v[2] == "EPSG:31370",
                  "QGIS opens %s from the database, in EPSG:31370: %r" % (name, v))
            check(v[4] == "1", "QGIS styles %s from layer_styles as from the GeoPackage: %r" % (name, v))
            check(v[6] == "1", "QGIS finds the style of %s in the database, as the layer's own: %r" % (name, v))
        check(got.get("communes", [""] * 6)[3:6] == ["graduatedSymbol", "1", "5"],
              "communes: the choropleth of 5 classes, not QGIS's single symbol: %r" % got.get("communes"))

    # ---- a run killed midway leaves the previous schema whole; the next run tidies up ----------
    before = fingerprint(cluster)
    # the whole set another seed gives, for telling "new and whole" from a mix
    p = run("demo", "-o", os.path.join(d, "seed7"), "-q", "--seed", "7", "--no-maps", "--no-dashboard",
            "--db", cluster.conn(extra=""))
    check(p.returncode == 0, "a demo run with seed 7: %s" % p.stderr)
    seven = fingerprint(cluster)
    check(seven != before, "seed 7 gives other figures")
    p = run("demo", "-o", out, "-q", "--no-maps", "--no-dashboard", "--db", cluster.conn())
    check(p.returncode == 0 and fingerprint(cluster) == before, "the first set again")
    watch = gdal.OpenEx(cluster.conn(), gdal.OF_VECTOR | gdal.OF_UPDATE, open_options=["SCHEMAS=public"])

    def staging_of(pid):
        lyr = watch.ExecuteSQL("SELECT count(*) FROM pg_namespace WHERE nspname = 'tremplin_new_%d'" % pid)
        n = lyr.GetNextFeature().GetField(0)
        watch.ReleaseResultSet(lyr)
        return n

    outcomes = []
    for i, delay in enumerate([None, 0, 0.02, 0.05, 0.1, 0.2, 0.5, 2.0]):
        k = subprocess.Popen([TREMPLIN, "demo", "-o", out, "-q", "--seed", "7", "--no-maps", "--no-dashboard",
                              "--db", cluster.conn()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if delay is None:
            # killed while the swap waits: a reader's open transaction holds the previous tables,
            # so the swap's DROP waits for it, inside its transaction
            watch.StartTransaction()
            lyr = watch.ExecuteSQL("SELECT count(*) FROM tremplin.communes")
            watch.ReleaseResultSet(lyr)
            t0 = time.time()
            waiting = 0
            while k.poll() is None and time.time() - t0 < 60 and not waiting:
                # another session each time: a transaction sees pg_stat_activity as it first read it
                waiting = int(cluster.psql("t", "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type"
                                                " = 'Lock' AND query LIKE 'DROP SCHEMA%'")[0][0])
                time.sleep(0.01)
            check(waiting, "the swap waits for the reader (%s)" % k.poll())
            lyr = watch.ExecuteSQL("SELECT count(*) FROM tremplin.communes")
            check(lyr.GetNextFeature().GetField(0) == 19, "the reader still reads the previous schema during the swap")
            watch.ReleaseResultSet(lyr)
        else:
            t0 = time.time()
            while k.poll() is None and not staging_of(k.pid) and time.time() - t0 < 60:
                time.sleep(0.005)
            time.sleep(delay)
        k.send_signal(signal.SIGKILL)
        k.wait()
        if delay is None:
            watch.CommitTransaction()
        now = fingerprint(cluster)
        check(now in (before, seven), "killed %s: the schema is the previous set or the new one, whole"
              % ("during the swap" if delay is None else "%.2f s into the staging schema" % delay))
        outcomes.append("old" if now == before else "new")
        if delay is None:
            check(now == before, "killed during the swap (the first kill): the previous schema, whole")
    print("kill outcomes: %s" % " ".join(outcomes))
    check("old" in outcomes, "at least one kill hit the staging schema")
    watch = None
    # what dead runs left, and what is not theirs
    cluster.psql("t", "CREATE SCHEMA tremplin_new_4194303; CREATE SCHEMA tremplin_old_12; CREATE SCHEMA tremplin_newer")
    check(len(leftovers(cluster)) >= 2, "dead runs' schemas are there")
    p = run("demo", "-o", out, "-q", "--no-maps", "--no-dashboard", "--db", cluster.conn())
    check(p.returncode == 0 and fingerprint(cluster) == before, "the next run succeeds: %s" % p.stderr)
    check(leftovers(cluster) == [], "the next run drops what dead runs left: %r" % leftovers(cluster))
    check(cluster.psql("t", "SELECT count(*) FROM pg_namespace WHERE nspname = 'tremplin_newer'") == [["1"]],
          "and only that")

    # ---- public.layer_styles: other styles stay; --from database writes the schema again -------
    cluster.psql("t", "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name,"
                      " f_geometry_column, stylename, styleqml, useasdefault, type) VALUES ('t', 'tremplin',"
                      " 'communes', 'geom', 'mine', XMLPARSE(DOCUMENT '<qgis/>'), false, 'Polygon')")
    runjson = open(os.path.join(out, "run.json")).read()
    cluster.psql("t", "DROP SCHEMA tremplin CASCADE")
    p = run("run", "-c", os.path.join(out, "inputs", "tremplin.ini"), "-o", out, "-q", "--from", "database",
            "--db", cluster.conn())
    check(p.returncode == 0 and fingerprint(cluster) == before, "--from database writes the schema again: %s" % p.stderr)
    rj = json.loads(open(os.path.join(out, "run.json")).read())
    check({o["path"]: o["sha256"] for o in rj["outputs"]} == {o["path"]: o["sha256"] for o in json.loads(runjson)["outputs"]},
          "--from database keeps the files")
    check(cluster.psql("t", "SELECT stylename FROM public.layer_styles WHERE f_table_schema = 'tremplin' AND"
                            " f_table_name = 'communes' ORDER BY stylename") == [["communes"], ["mine"]],
          "a user's own style stays, tremplin's is replaced, not repeated")

    # a user who may create schemas but not write in public: the schema, and a warning
    cluster.psql("t", "CREATE ROLE dash LOGIN; GRANT CREATE ON DATABASE t TO dash")
    dash = cluster.conn().replace("user=postgres", "user=dash")
    # the previous schema is not dash's: the swap fails, and the schema stays as it was
    p = run("demo", "-o", out, "-q", "--seed", "7", "--no-maps", "--no-dashboard", "--db", dash)
    check(p.returncode == 5 and "must be owner of schema tremplin" in p.stderr and fingerprint(cluster) == before
          and leftovers(cluster) == [], "a swap the database refuses: exit 5, the previous schema whole: %r" % p.stderr)
    cluster.psql("t", "DROP SCHEMA tremplin CASCADE")
    p = run("demo", "-o", out, "--no-maps", "--no-dashboard", "--db", dash)
    check(p.returncode == 0 and "warning:" in p.stderr and "public" in p.stderr and "search path" in p.stderr,
          "public.layer_styles refused: the schema is written, with a warning: %d %r" % (p.returncode, p.stderr))
    check(cluster.psql("t", "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'tremplin'") == [["dash"]]
          and fingerprint(cluster) == before, "dash's schema is in place")
    cluster.psql("t", "ALTER SCHEMA tremplin OWNER TO postgres")

    # ---- two runs into one schema: the second stops, the schema stays whole -------------------
    holder = gdal.OpenEx(cluster.conn(), gdal.OF_VECTOR, open_options=["SCHEMAS=public"])
    lyr = holder.ExecuteSQL("SELECT pg_advisory_lock(hashtext('tremplin tremplin'))")
    holder.ReleaseResultSet(lyr)
    p = run("demo", "-o", out, "-q", "--seed", "7", "--no-maps", "--no-dashboard", "--db", cluster.conn())
    check(p.returncode == 5 and "another tremplin run is writing this schema" in p.stderr,
          "a schema being written: exit 5 saying so: %d %r" % (p.returncode, p.stderr))
    check(fingerprint(cluster) == before, "and the schema is untouched")
    holder = None

    # ---- a wrong connection string: exit 5 naming host and database, never the password -------
    port = free_port()
    for conn, host, db in [("PG:dbname=nowhere host=127.0.0.1 port=%d user=bob password=%s" % (port, secret),
                            "127.0.0.1", "nowhere"),
                           ("PG:\"dbname=missing host=%s port=%d user=postgres password='%s'\"" % (cluster.dir, cluster.port, secret),
                            cluster.dir, "missing")]:
        p = run("run", "-c", os.path.join(d, "internal.ini"), "-o", os.path.join(d, "internal"), "-q", "--db", conn)
        check(p.returncode == 5, "a bad connection is exit 5: %d %r" % (p.returncode, p.stderr))
        check("host '%s'" % host in p.stderr and "database '%s'" % db in p.stderr,
              "the message names host and database: %r" % p.stderr)
        check(secret not in p.stderr and secret not in p.stdout, "and never the password: %r" % p.stderr)
    check(os.path.exists(os.path.join(d, "internal", "tremplin.gpkg")), "OUTDIR keeps its previous set")
    cluster.psql("postgres", "CREATE DATABASE nogis")
    p = run("run", "-c", os.path.join(d, "internal.ini"), "-o", os.path.join(d, "internal"), "-q", "--db",
            cluster.conn(db="nogis"))
    check(p.returncode == 5 and "database 'nogis'" in p.stderr and "CREATE EXTENSION postgis" in p.stderr,
          "a database without PostGIS: exit 5 saying so: %r" % p.stderr)
    # found before any stage runs, not after them
    p = run("demo", "-o", os.path.join(d, "early"), "-q", "--db", "PG:dbname=t host=%s port=%d" % (cluster.dir, port))
    check(p.returncode == 5 and "database 't' on host '%s', port %d" % (cluster.dir, port) in p.stderr
          and not os.path.exists(os.path.join(d, "early", "work.sqlite")),
          "a server not there stops the run before its stages: %r" % p.stderr)
    p = run("run", "-c", os.path.join(d, "internal.ini"), "-o", os.path.join(d, "internal"), "-q",
            "--db", "dbname=t password=%s" % secret)
    check(p.returncode == 2 and "--db: expected PG:" in p.stderr and secret not in p.stderr,
          "--db without PG: is exit 2: %r" % p.stderr)
    write(os.path.join(d, "badschema.ini"), ini + "\n[outputs]\nschema = Tremplin-2024\n")
    p = run("run", "-c", os.path.join(d, "badschema.ini"), "-o", os.path.join(d, "bad"), "-q")
    check(p.returncode == 3 and "[outputs] schema: 'Tremplin-2024' is not a schema name" in p.stderr,
          "a bad schema name is exit 3 naming it: %r" % p.stderr)
    # ---- inputs from the database: a table named by path = PG:"..." and layer (README) ----------
    src = os.path.join(out, "inputs", "communes.gpkg")
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", cluster.conn(), src, "-nln", "communes_src",
                    "-lco", "GEOMETRY_NAME=geom"], check=True, capture_output=True)
    files_ini = ini + "\n[outputs]\nmaps = no\ndashboard = no\n"
    write(os.path.join(d, "files.ini"), files_ini)
    p = run("run", "-c", os.path.join(d, "files.ini"), "-o", os.path.join(d, "files"), "-q")
    check(p.returncode == 0, "the same run from files: %s" % p.stderr)
    conn = cluster.conn()[3:]
    pg_ini = files_ini.replace("path = %s\nlayer = communes" % src,
                               'path = PG:"%s"\nlayer = communes_src' % conn)
    check(pg_ini != files_ini, "the communes input is read from the database")
    write(os.path.join(d, "pginput.ini"), pg_ini)
    p = run("run", "-c", os.path.join(d, "pginput.ini"), "-o", os.path.join(d, "pginput"), "-q")
    check(p.returncode == 0, "a run with its communes in the database: %s" % p.stderr)
    same = [open(os.path.join(d, k, "indicators.csv"), encoding="utf-8").read() for k in ("files", "pginput")]
    check(same[0] == same[1] and same[0].count("\n") == 20,
          "the database's communes give the files' figures, commune by commune")
    db = store(os.path.join(d, "pginput"))
    stat = db.execute("SELECT path, layer, read FROM input_stats WHERE input = 'communes'").fetchone()
    db.close()
    check(stat == ("PG:%s" % conn, "communes_src", 19), "input_stats names the database table: %r" % (stat,))
    # a password in an input's path is refused, never quoted; a database not there is exit 4
    write(os.path.join(d, "pgsecret.ini"), pg_ini.replace('path = PG:"%s"' % conn,
                                                          'path = PG:"%s password=%s"' % (conn, secret)))
    p = run("run", "-c", os.path.join(d, "pgsecret.ini"), "-o", os.path.join(d, "pgsecret"), "-q")
    check(p.returncode == 3 and "[communes] path: a database connection that holds a password" in p.stderr
          and "~/.pgpass" in p.stderr and secret not in p.stderr,
          "a password in an input's path: exit 3, not quoted: %r" % p.stderr)
    write(os.path.join(d, "pgmissing.ini"), pg_ini.replace("dbname=t ", "dbname=missing "))
    p = run("run", "-c", os.path.join(d, "pgmissing.ini"), "-o", os.path.join(d, "pgmissing"), "-q")
    check(p.returncode == 4 and "cannot read the database (input 'communes')" in p.stderr
          and "missing" in p.stderr, "a database not there: exit 4 naming it: %r" % p.stderr)
except RuntimeError as e:
    check(False, "the throwaway cluster: %s" % e)
finally:
    cluster.stop()
check(not os.path.exists(cluster.dir), "the cluster is removed")
finish("test_postgis")

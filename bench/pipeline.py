"""The pipeline scenario of the benchmark: tremplin's whole run (`run --no-maps --no-dashboard`:
inputs -> tremplin.gpkg with its spatial indexes + indicators.csv) beside the same job done by
other tools, on `tremplin demo --records N` inputs.

The job, as the README and pipeline/score.c state it: each vacancy to the commune that covers it
(a point on a shared border to the lowest NIS code; outside every commune it is dropped); each
count zone's people shared over the communes by the area of their overlap, over the zone's area
inside the region; a vacancy is a candidate when it has a dwelling, its reason is neither works
nor allocation, its owner is not private or agreed, and the window from the reference date to
its planned works start, in months (days / 30.436875, rounded to 0.1), is at least
min_window_months; then per commune: vacancy_records, empty_dwellings, candidate_buildings,
candidate_dwellings and people (apportioned).

Here: reading tremplin's per-commune figures, comparing two sets of them, and the job written
for SpatiaLite (tests/test_bench_pipeline.py), PostGIS (SQL script, loading and export with
ogr2ogr) and GeoPandas.  bench.py times them; the test checks the SpatiaLite one on 20,000
records.
"""
import csv
import sqlite3

# The demo config's [run] values the peers need (demo/demo.c writes them).
REFERENCE_DATE = "2024-11-07"
MIN_WINDOW_MONTHS = 24
CATEGORIES = ("public_space", "emergency_shelter", "nonrecognised_shelter", "squat",
              "nonconventional", "third_parties")
FIGURES = ("vacancy_records", "empty_dwellings", "candidate_buildings", "candidate_dwellings",
           "people")
PEOPLE_TOLERANCE = 1e-6


def tremplin_figures(store):
    """{nis_code: {figure: value}} from a run's working store (commune_summary)."""
    db = sqlite3.connect(store)
    try:
        return {r[0]: dict(zip(FIGURES, r[1:])) for r in db.execute(
            "SELECT nis_code, vacancy_records, empty_dwellings, candidate_buildings,"
            " candidate_dwellings, people_total FROM commune_summary")}
    finally:
        db.close()


def figures_from_csv(path):
    """{nis_code: {figure: value}} from a peer's summary CSV (nis_code and FIGURES columns)."""
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            out[r["nis_code"]] = {k: (float(r[k]) if k == "people" else int(float(r[k] or 0)))
                                  for k in FIGURES}
    return out


def differences(ref, got):
    """What differs between two sets of per-commune figures, as sentences ([] when equal:
    counts exactly, people to PEOPLE_TOLERANCE); communes without any figure may be absent."""
    out = []
    zero = dict.fromkeys(FIGURES, 0)
    for nis in sorted(set(ref) | set(got)):
        a, b = ref.get(nis, zero), got.get(nis, zero)
        for k in FIGURES:
            x, y = a[k] or 0, b[k] or 0
            if k == "people" and abs(x - y) <= PEOPLE_TOLERANCE * max(1.0, abs(x)):
                continue
            if x != y:
                out.append("%s %s: %r against %r" % (nis, k, x, y))
    return out


def read_vacancies(path):
    """The demo's vacancies.csv as rows (id, x, y, dwellings, reason, owner_type, agreed,
    works_start), agreed 1/0/None."""
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            agreed = {"yes": 1, "no": 0}.get(r["owner_agreed"])
            yield (r["id"], float(r["x"]), float(r["y"]), int(r["dwellings"]), r["reason"],
                   r["owner_type"], agreed, r["works_start"] or None)


# ---- SpatiaLite (the ctest's independent computation) -----------------------------------------

def _candidate_sql(days):
    """The candidate rule as an SQL expression, days the SQL of the days to the works start."""
    return ("(dwellings >= 1 AND reason NOT IN ('works', 'allocation')"
            " AND (owner_type <> 'private' OR agreed = 1) AND works_start IS NOT NULL"
            " AND round((%s) / 30.436875 * 10) / 10 >= %d)" % (days, MIN_WINDOW_MONTHS))


def spatialite_figures(inputs):
    """The job in SpatiaLite SQL on a demo's inputs folder: {nis_code: {figure: value}}."""
    import os
    db = sqlite3.connect(":memory:")
    db.enable_load_extension(True)
    db.load_extension("mod_spatialite")
    db.execute("SELECT InitSpatialMetadata(1)")
    db.execute("ATTACH ? AS c", (os.path.join(inputs, "communes.gpkg"),))
    db.execute("ATTACH ? AS z", (os.path.join(inputs, "zones.gpkg"),))
    db.execute("CREATE TABLE communes AS SELECT nis_code, GeomFromGPB(geom) AS geom FROM c.communes")
    db.execute("CREATE TABLE zones AS SELECT zone_id, %s AS total, GeomFromGPB(geom) AS geom"
               " FROM z.zones" % " + ".join("COALESCE(%s, 0)" % k for k in CATEGORIES))
    db.execute("CREATE TABLE v(id TEXT, x REAL, y REAL, dwellings INTEGER, reason TEXT,"
               " owner_type TEXT, agreed INTEGER, works_start TEXT)")
    db.executemany("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   read_vacancies(os.path.join(inputs, "vacancies.csv")))
    # locate: the covering commune with the lowest NIS code (envelope first)
    db.execute("CREATE TABLE located AS SELECT v.*, (SELECT c.nis_code FROM communes c"
               " WHERE v.x BETWEEN MbrMinX(c.geom) AND MbrMaxX(c.geom)"
               " AND v.y BETWEEN MbrMinY(c.geom) AND MbrMaxY(c.geom)"
               " AND ST_Covers(c.geom, MakePoint(v.x, v.y)) ORDER BY c.nis_code LIMIT 1)"
               " AS nis_code FROM v")
    db.execute("CREATE TABLE pieces AS SELECT z.zone_id, c.nis_code, z.total,"
               " ST_Area(ST_Intersection(z.geom, c.geom)) AS a FROM zones z, communes c"
               " WHERE ST_Intersects(z.geom, c.geom)")
    days = "julianday(works_start) - julianday('%s')" % REFERENCE_DATE
    rows = db.execute(
        "WITH inside AS (SELECT zone_id, SUM(a) AS ia FROM pieces GROUP BY zone_id),"
        " people AS (SELECT p.nis_code, SUM(p.total * p.a / i.ia) AS people FROM pieces p"
        "  JOIN inside i USING (zone_id) WHERE i.ia > 0 GROUP BY p.nis_code),"
        " vac AS (SELECT nis_code, COUNT(*) AS n, SUM(dwellings) AS d, SUM(cand) AS cn,"
        "  SUM(cand * dwellings) AS cd FROM (SELECT *, %s AS cand FROM located"
        "  WHERE nis_code IS NOT NULL) GROUP BY nis_code)"
        " SELECT c.nis_code, COALESCE(v.n, 0), COALESCE(v.d, 0), COALESCE(v.cn, 0),"
        " COALESCE(v.cd, 0), COALESCE(p.people, 0) FROM communes c"
        " LEFT JOIN vac v USING (nis_code) LEFT JOIN people p USING (nis_code)"
        % _candidate_sql(days)).fetchall()
    db.close()
    return {r[0]: dict(zip(FIGURES, r[1:])) for r in rows}


# ---- PostGIS: the SQL script (loading and export with ogr2ogr, in bench.py) --------------------

def postgis_sql():
    """The job after loading (communes, zones, vacancies tables with a geom column): scored
    vacancies into vac_out, per-commune figures into summary."""
    days = "(works_start::date - DATE '%s')::float8" % REFERENCE_DATE
    total = " + ".join("COALESCE(%s, 0)" % k for k in CATEGORIES)
    return """
\\set ON_ERROR_STOP 1
DROP TABLE IF EXISTS located, pieces, vac_out, summary;
CREATE TABLE located AS
  SELECT DISTINCT ON (v.id) v.id, v.dwellings::int AS dwellings, v.reason, v.owner_type,
         CASE v.owner_agreed WHEN 'yes' THEN 1 WHEN 'no' THEN 0 END AS agreed,
         NULLIF(v.works_start, '') AS works_start, c.nis_code, v.geom
  FROM communes c JOIN vacancies v ON ST_Covers(c.geom, v.geom)
  ORDER BY v.id, c.nis_code;
CREATE TABLE pieces AS
  SELECT z.zone_id, c.nis_code, (%(total)s)::float8 AS total,
         ST_Area(ST_Intersection(z.geom, c.geom)) AS a
  FROM zones z JOIN communes c ON ST_Intersects(z.geom, c.geom);
CREATE TABLE vac_out AS
  SELECT *, CASE WHEN %(cand)s THEN 1 ELSE 0 END AS candidate FROM located;
CREATE TABLE summary AS
  WITH inside AS (SELECT zone_id, SUM(a) AS ia FROM pieces GROUP BY zone_id),
  people AS (SELECT p.nis_code, SUM(p.total * p.a / i.ia) AS people FROM pieces p
             JOIN inside i USING (zone_id) WHERE i.ia > 0 GROUP BY p.nis_code),
  vac AS (SELECT nis_code, COUNT(*) AS n, SUM(dwellings) AS d, SUM(candidate) AS cn,
          SUM(candidate * dwellings) AS cd FROM vac_out GROUP BY nis_code)
  SELECT c.nis_code, COALESCE(v.n, 0) AS vacancy_records, COALESCE(v.d, 0) AS empty_dwellings,
         COALESCE(v.cn, 0) AS candidate_buildings, COALESCE(v.cd, 0) AS candidate_dwellings,
         COALESCE(p.people, 0) AS people, c.geom
  FROM communes c LEFT JOIN vac v USING (nis_code) LEFT JOIN people p USING (nis_code);
""" % {"total": total, "cand": _candidate_sql(days)}


# ---- GeoPandas ---------------------------------------------------------------------------------

GEOPANDAS = r"""
import sys, numpy as np, pandas as pd, geopandas as gpd
inputs, out, ref, minw = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
cats = %(cats)r
com = gpd.read_file(inputs + "/communes.gpkg")[["nis_code", "geometry"]]
zon = gpd.read_file(inputs + "/zones.gpkg")
zon["total"] = zon[list(cats)].fillna(0).sum(axis=1).astype(float)
zon = zon[["zone_id", "total", "geometry"]]
v = pd.read_csv(inputs + "/vacancies.csv", dtype={"id": str, "works_start": str, "owner_agreed": str},
                keep_default_na=False)
v = gpd.GeoDataFrame(v, geometry=gpd.points_from_xy(v.x, v.y), crs=com.crs)
# a point intersects a polygon when the polygon covers it (Debian's rtree index has no
# covered_by); a point on a border is in both communes: the lowest NIS code keeps it
j = gpd.sjoin(v, com, how="inner", predicate="intersects").sort_values("nis_code", kind="stable")
j = j[~j.index.duplicated(keep="first")]
days = (pd.to_datetime(j.works_start, errors="coerce") - pd.Timestamp(ref)).dt.days
window = np.round(days / 30.436875 * 10) / 10
j["candidate"] = ((j.dwellings >= 1) & ~j.reason.isin(["works", "allocation"])
                  & ((j.owner_type != "private") | (j.owner_agreed == "yes"))
                  & window.notna() & (window >= minw)).astype(int)
pieces = gpd.overlay(zon, com, how="intersection", keep_geom_type=True)
pieces["a"] = pieces.area
pieces["ia"] = pieces.groupby("zone_id")["a"].transform("sum")
pieces = pieces[pieces.ia > 0]
pieces["people"] = pieces.total * pieces.a / pieces.ia
people = pieces.groupby("nis_code")["people"].sum()
j["cd"] = j.candidate * j.dwellings
g = j.groupby("nis_code").agg(vacancy_records=("id", "size"), empty_dwellings=("dwellings", "sum"),
                              candidate_buildings=("candidate", "sum"), candidate_dwellings=("cd", "sum"))
s = com.set_index("nis_code").join(g).join(people).fillna(0).reset_index()
j.drop(columns=["index_right"]).to_file(out + "/geopandas.gpkg", layer="vacancies", driver="GPKG")
s.to_file(out + "/geopandas.gpkg", layer="communes", driver="GPKG")
s.drop(columns="geometry").to_csv(out + "/summary.csv", index=False)
""" % {"cats": CATEGORIES}

/*
 * test_gpkgrows.c: the rows tremplin.gpkg's point layers and tables get
 * straight through SQLite (outputs/gpkgrows.c) are those OGR writes: the
 * same geometry blobs (a point, none, an empty point, a point with Z or in
 * big-endian WKB), the same extent and feature count, the triggers back,
 * the spatial index over the non-empty points only; a bad geometry or date
 * fails naming the layer, the feature and the field, and leaves no file.
 * Both ways: a store in memory (rows bound one at a time) and in a file
 * (one INSERT ... SELECT from the store attached beside the GeoPackage);
 * rows sorted in memory come in the order SQLite's ORDER BY gives.  Large
 * pages for a large file only: a GeoPackage of 100,000 rows or more and a
 * store created for big inputs get 64 KiB, the others SQLite's 4 KiB, and
 * a user's --config OGR_SQLITE_PRAGMA wins.
 */
#include "geo/error.h"
#include "outputs/outputs.h"
#include "pipeline/store.h"
#include "tests/check.h"
#include "tests/store_fixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#define OUT "test_gpkgrows.gpkg"
#define REF "test_gpkgrows_ogr.gpkg"

/* WKB of a little-endian 2-D point. */
static void wkb_le(unsigned char *b, double x, double y)
{
	b[0] = 1;
	b[1] = 1;
	b[2] = b[3] = b[4] = 0;
	memcpy(b + 5, &x, 8);
	memcpy(b + 13, &y, 8);
}

/* WKB of a big-endian point with Z (ISO type 1001). */
static void wkb_be_z(unsigned char *b, double x, double y, double z)
{
	double v[3] = {x, y, z};
	int k, j;

	b[0] = 0;
	b[1] = 0;
	b[2] = 0;
	b[3] = 0x03;
	b[4] = 0xe9;
	for (k = 0; k < 3; k++) {
		unsigned char le[8];
		memcpy(le, &v[k], 8);
		for (j = 0; j < 8; j++)
			b[5 + 8 * k + j] = le[7 - j];
	}
}

/* Adds vacancy id with the geometry blob (NULL: none) and works_start date:
 * its row, and its score (vacancy 1 the one candidate). */
static void add_vacancy(sqlite3 *db, int id, const void *wkb, int len, const char *date)
{
	static const char *const sql[] = {
		"INSERT INTO " TP_VACANCY_ROWS " (id, src_row, src_id, dwellings, works_start, geom)"
		" VALUES (?1, ?1, 'v' || ?1, 2, ?2, ?3)",
		"INSERT INTO " TP_VACANCY_SCORE " (id, candidate, rank)"
		" VALUES (?1, ?1 = 1, CASE WHEN ?1 = 1 THEN 1 END)",
	};
	sqlite3_stmt *st = NULL;
	size_t k;

	for (k = 0; k < sizeof(sql) / sizeof(sql[0]); k++) {
		CHECK(sqlite3_prepare_v2(db, sql[k], -1, &st, NULL) == SQLITE_OK);
		sqlite3_bind_int(st, 1, id);
		if (sqlite3_bind_parameter_count(st) > 1)
			sqlite3_bind_text(st, 2, date, -1, SQLITE_STATIC);
		if (wkb && sqlite3_bind_parameter_count(st) > 2)
			sqlite3_bind_blob(st, 3, wkb, len, SQLITE_STATIC);
		CHECK(sqlite3_step(st) == SQLITE_DONE);
		sqlite3_finalize(st);
	}
}

#define STORE "test_gpkgrows_store.sqlite"

/* A new store: in memory (the rows go one at a time), or in a file (in bulk). */
static sqlite3 *new_store(int in_file)
{
	sqlite3 *db = NULL;

	if (!in_file)
		return test_new_store();
	unlink(STORE);
	unlink(STORE "-wal");
	unlink(STORE "-shm");
	if (tp_store_open(&db, STORE, 0) || tp_store_reset(db)) {
		fprintf(stderr, "cannot make a working store: %s\n", tp_error_last());
		exit(1);
	}
	return db;
}

/* A store of four vacancies: a point, none, an empty point, a big-endian point with Z. */
static sqlite3 *store_of_points(int in_file)
{
	sqlite3 *db = new_store(in_file);
	unsigned char p1[21], p3[21], p4[29];

	CHECK(tp_store_exec(db, "INSERT INTO meta VALUES ('crs', 'EPSG:31370')") == 0);
	wkb_le(p1, 150000.25, 170000.1);
	wkb_le(p3, NAN, NAN);
	wkb_be_z(p4, 151000.5, 169000.7, 12);
	add_vacancy(db, 1, p1, sizeof(p1), "2025-03-01");
	add_vacancy(db, 2, NULL, 0, NULL);
	add_vacancy(db, 3, p3, sizeof(p3), NULL);
	add_vacancy(db, 4, p4, sizeof(p4), "2026-01-31");
	return db;
}

/* The same geometries written by OGR one feature at a time, into REF. */
static void write_with_ogr(void)
{
	const char *wkt[] = {"POINT (150000.25 170000.1)", NULL, "POINT EMPTY",
			     "POINT (151000.5 169000.7)"};
	GDALDriverH drv = GDALGetDriverByName("GPKG");
	GDALDatasetH ds = drv ? GDALCreate(drv, REF, 0, 0, 0, GDT_Unknown, NULL) : NULL;
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	const char *lco[] = {"FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=NO", NULL};
	OGRLayerH layer;
	size_t k;

	CHECK(ds != NULL);
	if (!ds)
		return;
	OSRImportFromEPSG(srs, 31370);
	layer = GDALDatasetCreateLayer(ds, "vacancies", srs, wkbPoint, (char **)lco);
	for (k = 0; k < sizeof(wkt) / sizeof(wkt[0]); k++) {
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
		OGRGeometryH g = NULL;
		if (wkt[k]) {
			char *text = (char *)wkt[k];
			OGR_G_CreateFromWkt(&text, NULL, &g);
			OGR_F_SetGeometryDirectly(f, g);
		}
		CHECK(OGR_L_CreateFeature(layer, f) == OGRERR_NONE);
		OGR_F_Destroy(f);
	}
	GDALClose(ds);
	OSRDestroySpatialReference(srs);
}

/* The text of the first column of the first row of sql on the file path ("" for none). */
static const char *one(const char *path, const char *sql)
{
	static char buf[4][512];
	static int turn;
	char *out = buf[turn++ % 4];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, 512, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (db && !st)
		snprintf(out, 512, "error: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void points_are_written_as_ogr_writes_them(int in_file)
{
	tp_gpkg_options opts = {"people_total", "fr", 0, 2, NULL};
	sqlite3 *db = store_of_points(in_file);
	const char *q;

	unlink(OUT);
	unlink(REF);
	CHECK(tp_write_gpkg(db, OUT, &opts) == 0);
	write_with_ogr();
	/* the blobs, byte for byte */
	q = "SELECT group_concat(fid || ':' || quote(geom), ' ') FROM"
	    " (SELECT fid, geom FROM vacancies ORDER BY fid)";
	CHECK_STR(one(OUT, q), one(REF, q));
	CHECK_CONTAINS(one(OUT, q), "2:NULL");
	/* extent and feature count (the extent as GDAL writes it, through text) */
	q = "SELECT quote(min_x) || ' ' || quote(min_y) || ' ' || quote(max_x) || ' ' || quote(max_y)"
	    " FROM gpkg_contents WHERE table_name = 'vacancies'";
	CHECK_STR(one(OUT, q), one(REF, q));
	q = "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'vacancies'";
	CHECK_STR(one(OUT, q), "4");
	CHECK_STR(one(REF, q), "4");
	/* GDAL's triggers counting features are back, and work */
	q = "SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_master WHERE type = 'trigger'"
	    " AND name LIKE 'trigger_%feature_count_vacancies' ORDER BY name)";
	CHECK_STR(one(OUT, q), one(REF, q));
	CHECK_CONTAINS(one(OUT, q), "trigger_insert_feature_count_vacancies");
	/* the dates as OGR writes them, a field left NULL stays NULL */
	q = "SELECT group_concat(ifnull(works_start, '-'), ' ') FROM"
	    " (SELECT works_start FROM vacancies ORDER BY fid)";
	CHECK_STR(one(OUT, q), "2025-03-01 - - 2026-01-31");
	/* the spatial index holds the two points that have one */
	CHECK_STR(one(OUT, "SELECT rtreecheck('rtree_vacancies_geom')"), "ok");
	CHECK_STR(one(OUT, "SELECT group_concat(id) FROM (SELECT id FROM rtree_vacancies_geom"
			   " ORDER BY id)"),
		  "1,4");
	/* the candidate (id 1) in its own layer, an attribute table too */
	CHECK_STR(one(OUT, "SELECT src_id || ' ' || rank FROM candidates"), "v1 1");
	/* no second snapshot, no history: the vacancies layer says it all */
	CHECK_STR(one(OUT, "SELECT count(*) FROM gpkg_contents WHERE table_name ="
			   " 'vacancy_history'"),
		  "0");
	CHECK_STR(one(OUT, "SELECT group_concat(table_name, ' ') FROM (SELECT table_name FROM"
			   " gpkg_contents ORDER BY table_name)"),
		  "candidates communes count_zones layer_styles rejects vacancies vacancy_flows");
	/* and OGR reads the file back */
	{
		GDALDatasetH ds = GDALOpenEx(OUT, GDAL_OF_VECTOR, NULL, NULL, NULL);
		OGRLayerH layer = ds ? GDALDatasetGetLayerByName(ds, "vacancies") : NULL;
		OGREnvelope env;
		CHECK(layer != NULL);
		if (layer) {
			CHECK(OGR_L_GetFeatureCount(layer, 0) == 4);
			CHECK(OGR_L_GetExtent(layer, &env, 0) == OGRERR_NONE);
			CHECK_NEAR(env.MinX, 150000.25, 1e-9);
			CHECK_NEAR(env.MaxY, 170000.1, 1e-9);
		}
		if (ds)
			GDALClose(ds);
	}
	/* two snapshots: the history is written, every building seen */
	CHECK(tp_store_exec(db, "INSERT INTO vacancy_flows (nis_code, snapshot, empty_records)"
				" VALUES (NULL, '2024-01-31', 3), (NULL, '2025-01-31', 4);"
				" INSERT INTO vacancy_tracks (id, vacancy, src_id, first_seen, last_seen,"
				" months_empty) VALUES (1, 1, 'v1', '2024-01-31', '2025-01-31', 12.0),"
				" (5, NULL, 'v5', '2024-01-31', '2024-01-31', 3.0)") == 0);
	unlink(OUT);
	CHECK(tp_write_gpkg(db, OUT, &opts) == 0);
	CHECK_STR(one(OUT, "SELECT group_concat(src_id || ' ' || status, ', ') FROM"
			   " (SELECT src_id, status FROM vacancy_history ORDER BY fid)"),
		  "v1 empty, v5 left");
	unlink(OUT);
	unlink(REF);
	sqlite3_close(db);
}

static void a_bad_row_fails_naming_layer_feature_and_field(int in_file)
{
	static const unsigned char line[] = {1, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0, 0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 0, 0, 0, 0, 240,
					     63};
	static const unsigned char junk[] = {7, 7, 7};
	tp_gpkg_options opts = {"people_total", "fr", 0, 2, NULL};
	sqlite3 *db;

	db = store_of_points(in_file);
	add_vacancy(db, 5, line, sizeof(line), NULL);
	CHECK(tp_write_gpkg(db, OUT, &opts) == TP_ESTORE);
	CHECK_CONTAINS(tp_error_last(), OUT ": layer vacancies: feature 5: a Line String where the"
					" layer holds Point");
	CHECK(access(OUT, F_OK) != 0);
	sqlite3_close(db);

	db = store_of_points(in_file);
	add_vacancy(db, 5, junk, sizeof(junk), NULL);
	CHECK(tp_write_gpkg(db, OUT, &opts) == TP_ESTORE);
	CHECK_CONTAINS(tp_error_last(), OUT ": layer vacancies: feature 5: the geometry is not WKB");
	CHECK(access(OUT, F_OK) != 0);
	sqlite3_close(db);

	db = store_of_points(in_file);
	CHECK(tp_store_exec(db, "UPDATE " TP_VACANCY_ROWS " SET vacant_since = '2025-02-30'"
				 " WHERE id = 4") ==
	      0);
	CHECK(tp_write_gpkg(db, OUT, &opts) == TP_ESTORE);
	CHECK_CONTAINS(tp_error_last(),
		       OUT ": layer vacancies: feature 4: vacant_since '2025-02-30' is not a date");
	CHECK(access(OUT, F_OK) != 0);
	sqlite3_close(db);
}

/*
 * Rows sorted in memory (tp_gpkg_copier_sort, copied from table tp_sorted)
 * come in the order of SQLite's ORDER BY: NULLs first ascending or last,
 * integers beside reals, descending, ties in the order read; a text key is
 * refused (SQLite then sorts).
 */
static void rows_sorted_in_memory_come_in_sqlite_s_order(void)
{
	static const tp_sort_key keys[2][2] = {{{1, 0, 0}, {2, 1, 1}}, {{1, 0, 1}, {0, 0, 0}}};
	static const char *const orders[2] = {"a, b DESC, id", "a IS NULL, a, id"};
	static const char *const tables[2] = {"sorted_one", "sorted_two"};
	const char *names[1] = {"s"};
	sqlite3 *db = new_store(1);
	GDALDatasetH ds;
	tp_gpkg_copier *c = NULL;
	int k;

	unlink(OUT);
	CHECK(tp_store_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, s TEXT)") == 0);
	/* 120 rows: a NULL, 0, 1 or 1.5; b NULL, -2, 0, 0.5, 3 (an integer) or 3.0 */
	CHECK(tp_store_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
				" WHERE i < 120) INSERT INTO t SELECT i, CASE i % 4 WHEN 0 THEN NULL"
				" WHEN 1 THEN 0 WHEN 2 THEN 1 ELSE 1.5 END, CASE (i / 4) % 6 WHEN 0"
				" THEN NULL WHEN 1 THEN -2 WHEN 2 THEN 0 WHEN 3 THEN 0.5 WHEN 4 THEN 3"
				" ELSE 3.0 END, 'r' || i FROM n") == 0);
	ds = GDALCreate(GDALGetDriverByName("GPKG"), OUT, 0, 0, 0, GDT_Unknown, NULL);
	CHECK(ds != NULL);
	CHECK(ds && tp_gpkg_copier_open(&c, db, ds, 0, 1) == 0 && c != NULL);
	for (k = 0; k < 2 && c; k++) {
		OGRLayerH layer = GDALDatasetCreateLayer(ds, tables[k], NULL, wkbNone, NULL);
		OGRFieldDefnH field = OGR_Fld_Create("s", OFTString);
		tp_gpkg_rows *r = NULL;
		char *want = sqlite3_mprintf("SELECT group_concat(s, ' ') FROM (SELECT s FROM t"
					     " ORDER BY %s)",
					     orders[k]);
		char *got = sqlite3_mprintf("SELECT group_concat(s, ' ') FROM (SELECT s FROM %s"
					    " ORDER BY fid)",
					    tables[k]);
		long long n = 0;
		sqlite3_stmt *st = NULL;
		char *expected = NULL;

		CHECK(layer && OGR_L_CreateField(layer, field, 1) == OGRERR_NONE);
		OGR_Fld_Destroy(field);
		CHECK(tp_gpkg_copier_sort(c, "SELECT s, a, b FROM t ORDER BY id", 1, 2 - k,
					  keys[k]) == 0);
		CHECK(tp_gpkg_rows_begin(&r, ds, layer, OUT, tables[k], names, 1, 0) == 0);
		CHECK(tp_gpkg_rows_copy(r, c, "\"s\"", "SELECT c0 FROM tp_sorted", &n) == 0);
		CHECK(n == 120);
		CHECK(tp_gpkg_rows_end(r, 0) == 0);
		tp_gpkg_copier_unsort(c);
		CHECK(sqlite3_prepare_v2(db, want, -1, &st, NULL) == SQLITE_OK &&
		      sqlite3_step(st) == SQLITE_ROW);
		expected = sqlite3_mprintf("%s", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		st = NULL;
		CHECK(sqlite3_prepare_v2(GDALGetInternalHandle(ds, "SQLITE_HANDLE"), got, -1, &st,
					 NULL) == SQLITE_OK &&
		      sqlite3_step(st) == SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(st, 0), expected);
		sqlite3_finalize(st);
		sqlite3_free(expected);
		sqlite3_free(want);
		sqlite3_free(got);
	}
	/* a text key: left to SQLite */
	CHECK(c && tp_gpkg_copier_sort(c, "SELECT s, s FROM t ORDER BY id", 1, 1, keys[1]) == 1);
	tp_gpkg_copier_close(c);
	GDALClose(ds);
	sqlite3_close(db);
	unlink(OUT);
}

/* The page size of the SQLite file at path, -1 when it cannot be read. */
static long long page_size(const char *path)
{
	sqlite3 *db = NULL;
	long long size = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
		tp_store_int(db, &size, "PRAGMA page_size");
	sqlite3_close(db);
	return size;
}

/* A GeoPackage begun for rows rows (and one layer, so that it has tables), ended: its page size. */
static long long gpkg_page_size(size_t rows)
{
	tp_outfile out;
	void *ds = NULL;
	long long size = -1;

	unlink(OUT);
	if (tp_gpkg_begin(&out, OUT, rows, &ds) == TP_OK &&
	    GDALDatasetCreateLayer(ds, "t", NULL, wkbNone, NULL) != NULL &&
	    tp_gpkg_end(&out, ds, TP_OK) == TP_OK)
		size = page_size(OUT);
	unlink(OUT);
	return size;
}

static void large_pages_for_large_files_only(void)
{
	sqlite3 *db = NULL;

	CHECK(gpkg_page_size(0) == 4096);
	CHECK(gpkg_page_size(99999) == 4096);
	CHECK(gpkg_page_size(100000) == 65536);
	/* the user's pragma wins */
	CPLSetConfigOption("OGR_SQLITE_PRAGMA", "page_size=8192");
	CHECK(gpkg_page_size(1000000) == 8192);
	CPLSetConfigOption("OGR_SQLITE_PRAGMA", NULL);

	/* the store: large pages when created for big inputs; one that exists keeps its own */
	unlink(STORE);
	CHECK(tp_store_open(&db, STORE, 1) == TP_OK && tp_store_reset(db) == TP_OK);
	sqlite3_close(db);
	CHECK(page_size(STORE) == 65536);
	unlink(STORE);
	CHECK(tp_store_open(&db, STORE, 0) == TP_OK && tp_store_reset(db) == TP_OK);
	sqlite3_close(db);
	db = NULL;
	CHECK(tp_store_open(&db, STORE, 1) == TP_OK);
	sqlite3_close(db);
	CHECK(page_size(STORE) == 4096);
	unlink(STORE);
}

int main(void)
{
	int in_file;

	GDALAllRegister();
	for (in_file = 0; in_file <= 1; in_file++) {
		points_are_written_as_ogr_writes_them(in_file);
		a_bad_row_fails_naming_layer_feature_and_field(in_file);
	}
	rows_sorted_in_memory_come_in_sqlite_s_order();
	large_pages_for_large_files_only();
	unlink(STORE);
	return check_report("test_gpkgrows");
}

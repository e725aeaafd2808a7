/*
 * stages.c: the stage table and the stages that move geometry: load,
 * reproject, validate, locate, apportion and write.  Scoring and the
 * per-commune summary live in score.c.
 *
 * Each stage reads its inputs from the working store, never from the
 * previous stage's memory, so any stage can be rerun from the store.
 */
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/categories.h"
#include "geo/error.h"
#include "geo/overlay.h"
#include "geo/pointloc.h"
#include "inputs/coords.h"
#include "inputs/reader.h"
#include "outputs/outputs.h"
#include "outputs/render.h"
#include "version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cpl_progress.h>

#define MAX_PRINTED_REJECTS 10

static const char *const polygon_tables[] = {"communes", "zones"};

/* The store column of an input field ("id" would clash with the row id). */
static const char *column_of(const char *field)
{
	return strcmp(field, "id") == 0 ? "src_id" : field;
}

/* ---- load ------------------------------------------------------------ */

/* Notes rec, a row that is no record, in the skipped list: "3, 8 blank;
 * 40 total" (source.h, reader.h). */
static void note_skipped(char *list, size_t len, const tp_record *rec, const char **last)
{
	size_t used = strlen(list);
	const char *kind = !strcmp(rec->skipped, "total row") ? "total" : "blank";

	if (*last && strcmp(*last, kind))
		used += (size_t)snprintf(list + used, len - used, " %s;", *last);
	if (used + 16 < len)
		snprintf(list + used, len - used, "%s%ld", used && list[used - 1] != ';' ? ", " : used ? " " : "",
			 rec->row);
	*last = kind;
}

static int load_input(tp_run *run, tp_input_kind kind)
{
	const tp_input_def *def = tp_input_def_get(kind);
	const tp_input_cfg *in = &run->cfg->inputs[kind];
	tp_reader *r = NULL;
	tp_record rec = {0};
	sqlite3_stmt *ins = NULL, *stat = NULL, *extra = NULL;
	char sql[1024], skipped[2048] = "";
	const char *last_skip = NULL;
	int iw = tp_input_def_field(def, "works_start");
	int idw = tp_input_def_field(def, "dwellings"), ipc = tp_input_def_field(def, "postcode");
	size_t i, used;
	long nrej = 0, nread = 0, nskip = 0;
	int rc, got;

	rc = tp_reader_open(&r, in, kind);
	if (rc)
		return rc;
	if (!tp_crs_check(run->g, tp_reader_crs(r), NULL, 0)) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: unknown CRS '%s' (section [%s])",
				  in->path, tp_reader_layer(r), tp_reader_crs(r), def->name);
		goto done;
	}
	rc = tp_store_prepare(run->db, &stat,
			      "INSERT INTO input_stats(input, path, layer, src_crs, read)"
			      " VALUES (?, ?, ?, ?, 0)");
	if (rc)
		goto done;
	sqlite3_bind_text(stat, 1, def->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stat, 2, in->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(stat, 3, tp_reader_layer(r), -1, SQLITE_STATIC);
	sqlite3_bind_text(stat, 4, tp_reader_crs(r), -1, SQLITE_STATIC);
	if (sqlite3_step(stat) != SQLITE_DONE) {
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
		goto done;
	}
	used = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s(src_row", def->name);
	for (i = 0; i < def->nfields; i++)
		used += (size_t)snprintf(sql + used, sizeof(sql) - used, ", %s",
					 column_of(def->fields[i].name));
	used += (size_t)snprintf(sql + used, sizeof(sql) - used, ", geom, original%s) VALUES (?",
				 def->points ? ", geocode, works_start_precision" : "");
	for (i = 0; i < def->nfields + 2 + (def->points ? 2 : 0); i++)
		used += (size_t)snprintf(sql + used, sizeof(sql) - used, ", ?");
	snprintf(sql + used, sizeof(sql) - used, ")");
	rc = tp_store_prepare(run->db, &ins, sql);
	if (!rc)
		rc = tp_store_prepare(run->db, &extra, "UPDATE rejects SET dwellings = ?,"
						       " postcode = ?, geom = ? WHERE id = last_insert_rowid()");
	if (rc)
		goto done;
	while ((got = tp_reader_next(r, &rec)) == 1) {
		nread++;
		if (rec.skipped) {
			nskip++;
			note_skipped(skipped, sizeof(skipped), &rec, &last_skip);
			continue;
		}
		if (rec.warning[0] && !run->quiet)
			fprintf(stderr, "%s, layer %s, row %ld, %s\n", in->path, tp_reader_layer(r),
				rec.row, rec.warning);
		if (rec.reason[0]) {
			if (!run->quiet && nrej < MAX_PRINTED_REJECTS)
				fprintf(stderr, "%s, layer %s, row %ld, field %s: %s\n", in->path,
					tp_reader_layer(r), rec.row, rec.field, rec.reason);
			nrej++;
			rc = tp_store_reject(run->db, def->name, rec.row, "load", rec.field,
					     rec.reason, rec.original);
			/* what places the record and what it declared, for the outputs */
			sqlite3_reset(extra);
			sqlite3_bind_text(extra, 1, idw >= 0 ? rec.values[idw] : NULL, -1, SQLITE_STATIC);
			sqlite3_bind_text(extra, 2, ipc >= 0 ? rec.values[ipc] : NULL, -1, SQLITE_STATIC);
			sqlite3_bind_blob(extra, 3, rec.wkb, (int)rec.wkb_len, SQLITE_STATIC);
			if (!rc && sqlite3_step(extra) != SQLITE_DONE)
				rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
			if (rc)
				goto done;
			continue;
		}
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, rec.row);
		for (i = 0; i < def->nfields; i++)
			sqlite3_bind_text(ins, (int)i + 2, rec.values[i], -1, SQLITE_STATIC);
		sqlite3_bind_blob(ins, (int)def->nfields + 2, rec.wkb, (int)rec.wkb_len,
				  SQLITE_STATIC);
		sqlite3_bind_text(ins, (int)def->nfields + 3, rec.original, -1, SQLITE_STATIC);
		if (def->points) {
			sqlite3_bind_text(ins, (int)def->nfields + 4, rec.geocode, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, (int)def->nfields + 5,
					  iw < 0 || !rec.values[iw] ? NULL
					  : rec.precision[iw]       ? rec.precision[iw]
								    : "day",
					  -1, SQLITE_STATIC);
		}
		if (sqlite3_step(ins) != SQLITE_DONE) {
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
			goto done;
		}
	}
	if (got < 0) {
		rc = got;
		goto done;
	}
	if (last_skip) {
		used = strlen(skipped);
		snprintf(skipped + used, sizeof(skipped) - used, " %s", last_skip);
	}
	if (!run->quiet && nrej > MAX_PRINTED_REJECTS)
		fprintf(stderr, "%s: %ld more rejected rows, listed in the rejects layer\n",
			in->path, nrej - MAX_PRINTED_REJECTS);
	sqlite3_finalize(stat);
	stat = NULL;
	rc = tp_store_prepare(run->db, &stat, "UPDATE input_stats SET read = ?, skipped = ?,"
					      " skipped_rows = ? WHERE input = ?");
	if (rc)
		goto done;
	sqlite3_bind_int64(stat, 1, nread);
	sqlite3_bind_int64(stat, 2, nskip);
	sqlite3_bind_text(stat, 3, nskip ? skipped : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(stat, 4, def->name, -1, SQLITE_STATIC);
	if (sqlite3_step(stat) != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
done:
	tp_record_dispose(&rec);
	sqlite3_finalize(ins);
	sqlite3_finalize(extra);
	sqlite3_finalize(stat);
	tp_reader_free(r);
	return rc;
}

/* One term of the sum of a zone's categories (geo/categories.h). */
#define PLUS(c, fr, nl, aliases) " + " #c

static int stage_load(tp_run *run)
{
	tp_config *cfg = run->cfg;
	PJ *crs = NULL;
	char buf[64], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc, k;

	crs = proj_create(run->g->pj, cfg->crs);
	if (!crs)
		return tp_error_set(TP_ECONFIG, "%s: [run] crs: unknown CRS '%s'", cfg->path,
				    cfg->crs);
	rc = tp_store_reset(run->db);
	if (!rc)
		rc = tp_store_meta_set(run->db, "crs", cfg->crs);
	if (!rc)
		rc = tp_store_meta_set(run->db, "crs_wkt",
				       proj_as_wkt(run->g->pj, crs, PJ_WKT2_2019, NULL));
	proj_destroy(crs);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!rc)
		rc = tp_store_meta_set(run->db, "run_started", stamp);
	if (!rc)
		rc = tp_store_meta_set(run->db, "config_path", cfg->path);
	if (!rc)
		rc = tp_store_meta_set(run->db, "config_text", cfg->text);
	if (!rc)
		rc = tp_store_meta_set(run->db, "tremplin_version", TP_VERSION);
	snprintf(buf, sizeof(buf), "%s", cfg->reference_date);
	if (!rc)
		rc = tp_store_meta_set(run->db, "reference_date", buf);
	if (!rc)
		rc = tp_store_meta_set(run->db, "note", cfg->note ? cfg->note : "");
	for (k = 0; k < TP_IN_COUNT && !rc; k++)
		rc = run->skip && run->skip[k] ? TP_OK : load_input(run, k);
	if (!rc)
		rc = tp_store_exec(run->db, "UPDATE zones SET " TP_ZONE_TOTAL " = 0"
					    TP_CATEGORIES(PLUS));
	return rc;
}

/* ---- reproject ------------------------------------------------------- */

/* Reads (id, geom) of every row of table into parallel arrays. */
typedef struct {
	long long *id;        /* row ids */
	GEOSGeometry **geom;  /* geometries, owned */
	char **key;           /* key column text (may be NULL), owned */
	double *value;        /* numeric column (may be NULL) */
	size_t n;             /* rows */
} rows;

static void rows_dispose(tp_geo *g, rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->geom && r->geom[i])
			GEOSGeom_destroy_r(g->gh, r->geom[i]);
		if (r->key)
			free(r->key[i]);
	}
	free(r->id);
	free(r->geom);
	free(r->key);
	free(r->value);
	memset(r, 0, sizeof(*r));
}

/* Loads rows with a query returning (id, geom[, key[, value]]).  A row
 * whose WKB does not parse is kept with a NULL geometry. */
static int rows_load(tp_run *run, rows *r, const char *sql)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, ncol;

	memset(r, 0, sizeof(*r));
	rc = tp_store_prepare(run->db, &st, sql);
	if (rc)
		return rc;
	ncol = sqlite3_column_count(st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			long long *id = realloc(r->id, nc * sizeof(*id));
			GEOSGeometry **geom = id ? realloc(r->geom, nc * sizeof(*geom)) : NULL;
			char **key = geom ? realloc(r->key, nc * sizeof(*key)) : NULL;
			double *value = key ? realloc(r->value, nc * sizeof(*value)) : NULL;
			if (id)
				r->id = id;
			if (geom)
				r->geom = geom;
			if (key)
				r->key = key;
			if (!value) {
				sqlite3_finalize(st);
				return tp_error_set(TP_ERROR, "out of memory");
			}
			r->value = value;
			cap = nc;
		}
		r->id[r->n] = sqlite3_column_int64(st, 0);
		r->geom[r->n] = sqlite3_column_blob(st, 1)
					? tp_geo_from_wkb(run->g, sqlite3_column_blob(st, 1),
							  (size_t)sqlite3_column_bytes(st, 1))
					: NULL;
		r->key[r->n] = ncol > 2 && sqlite3_column_text(st, 2)
				       ? strdup((const char *)sqlite3_column_text(st, 2))
				       : NULL;
		r->value[r->n] = ncol > 3 ? sqlite3_column_double(st, 3) : 0;
		r->n++;
		if (!r->key[r->n - 1] && ncol > 2 && sqlite3_column_text(st, 2)) {
			sqlite3_finalize(st);
			return tp_error_set(TP_ERROR, "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	return TP_OK;
}

static int update_geom(tp_run *run, sqlite3_stmt *upd, long long id,
		       const GEOSGeometry *geom)
{
	size_t len = 0;
	unsigned char *wkb = tp_geo_to_wkb(run->g, geom, &len);
	int rc = TP_OK;

	if (!wkb)
		return tp_error_set(TP_ERROR, "cannot write WKB: %s", run->g->geos_msg);
	sqlite3_reset(upd);
	sqlite3_bind_blob(upd, 1, wkb, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(upd, 2, id);
	if (sqlite3_step(upd) != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	tp_geo_free_buf(run->g, wkb);
	return rc;
}

/* The source CRS recorded for input at load into *out (malloc'ed), NULL
 * when none was recorded. */
static int source_crs(sqlite3 *db, char **out, const char *input)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	*out = NULL;
	rc = tp_store_prepare(db, &st, "SELECT src_crs FROM input_stats WHERE input = ?");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		*out = strdup((const char *)sqlite3_column_text(st, 0));
		if (!*out)
			rc = tp_error_set(TP_ERROR, "out of memory");
	} else if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = tp_error_set(TP_ERROR, "working store: cannot read the source CRS of %s: %s",
				  input, sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return rc;
}

static int reproject_table(tp_run *run, const char *table, const char *dst)
{
	tp_transform *t = NULL;
	sqlite3_stmt *upd = NULL;
	rows r = {0};
	char sql[256], *src = NULL;
	size_t i;
	int rc;

	rc = source_crs(run->db, &src, table);
	if (rc)
		return rc;
	if (!src)
		return tp_error_set(TP_ESTORE, "working store: no source CRS for %s; run the load stage",
				    table);
	rc = tp_transform_new(&t, run->g, src, dst);
	if (rc) {
		rc = tp_error_wrap(rc, "input '%s'", table);
		goto done;
	}
	if (tp_transform_is_identity(t))
		goto done;
	snprintf(sql, sizeof(sql), "SELECT id, geom FROM %s ORDER BY id", table);
	rc = rows_load(run, &r, sql);
	if (rc)
		goto done;
	snprintf(sql, sizeof(sql), "UPDATE %s SET geom = ? WHERE id = ?", table);
	rc = tp_store_prepare(run->db, &upd, sql);
	for (i = 0; i < r.n && !rc; i++) {
		GEOSGeometry *out = r.geom[i] ? tp_transform_geom(t, r.geom[i]) : NULL;
		if (!out) {
			rc = tp_store_reject_row(run->db, table, r.id[i], "reproject", "geometry",
						 "coordinates cannot be transformed to the working CRS");
			continue;
		}
		rc = update_geom(run, upd, r.id[i], out);
		GEOSGeom_destroy_r(run->g->gh, out);
	}
done:
	sqlite3_finalize(upd);
	rows_dispose(run->g, &r);
	tp_transform_free(t);
	free(src);
	return rc;
}

/* Stops the run when the vacancies' coordinates, read as configured, fall
 * far from the region (the communes, already reprojected) but another
 * reading would put them inside (inputs/coords.h).  Geocoded points are
 * left out: the address reference placed them. */
static int check_vacancy_coords(tp_run *run, const char *dst)
{
	const tp_input_cfg *in = &run->cfg->inputs[TP_IN_VACANCIES];
	rows com = {0}, pts = {0};
	double region[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
	double *x = NULL, *y = NULL;
	char *src = NULL;
	size_t i, n = 0;
	int rc;

	rc = source_crs(run->db, &src, "vacancies");
	if (!rc)
		rc = rows_load(run, &com, "SELECT id, geom FROM communes");
	if (!rc)
		rc = rows_load(run, &pts, "SELECT id, geom FROM vacancies WHERE geocode IS NULL");
	for (i = 0; i < com.n && !rc; i++) {
		double v;
		if (!com.geom[i] || GEOSisEmpty_r(run->g->gh, com.geom[i]))
			continue;
		if (GEOSGeom_getXMin_r(run->g->gh, com.geom[i], &v) && v < region[0])
			region[0] = v;
		if (GEOSGeom_getYMin_r(run->g->gh, com.geom[i], &v) && v < region[1])
			region[1] = v;
		if (GEOSGeom_getXMax_r(run->g->gh, com.geom[i], &v) && v > region[2])
			region[2] = v;
		if (GEOSGeom_getYMax_r(run->g->gh, com.geom[i], &v) && v > region[3])
			region[3] = v;
	}
	if (!rc && src && pts.n && region[0] <= region[2]) {
		x = malloc(pts.n * sizeof(*x));
		y = malloc(pts.n * sizeof(*y));
		if (!x || !y)
			rc = tp_error_set(TP_ERROR, "out of memory");
		for (i = 0; i < pts.n && !rc; i++)
			if (pts.geom[i] && GEOSGeomTypeId_r(run->g->gh, pts.geom[i]) == GEOS_POINT &&
			    GEOSGeomGetX_r(run->g->gh, pts.geom[i], &x[n]) &&
			    GEOSGeomGetY_r(run->g->gh, pts.geom[i], &y[n]))
				n++;
		if (!rc) {
			tp_coords_input ci = {in->path, "vacancies", src, in->x, in->y};
			rc = tp_coords_check(&ci, x, y, n, dst, region);
		}
	}
	free(x);
	free(y);
	free(src);
	rows_dispose(run->g, &com);
	rows_dispose(run->g, &pts);
	return rc;
}

static int stage_reproject(tp_run *run)
{
	char *dst = NULL;
	int k, rc;

	rc = tp_store_meta_get(run->db, &dst, "crs");
	if (rc)
		return rc;
	if (!dst)
		return tp_error_set(TP_ESTORE, "working store: no working CRS; run the load stage");
	for (k = 0; k < TP_IN_COUNT && !rc; k++) {
		if (run->skip && run->skip[k])
			continue;
		if (k == TP_IN_VACANCIES)
			rc = check_vacancy_coords(run, dst);
		if (!rc)
			rc = reproject_table(run, tp_input_def_get(k)->name, dst);
	}
	free(dst);
	return rc;
}

/* ---- validate -------------------------------------------------------- */

static int validate_polygons(tp_run *run, const char *table, long *repaired)
{
	sqlite3_stmt *upd = NULL;
	rows r = {0};
	char sql[256];
	size_t i;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id, geom FROM %s ORDER BY id", table);
	rc = rows_load(run, &r, sql);
	if (rc)
		return rc;
	snprintf(sql, sizeof(sql), "UPDATE %s SET geom = ? WHERE id = ?", table);
	rc = tp_store_prepare(run->db, &upd, sql);
	for (i = 0; i < r.n && !rc; i++) {
		const char *why = "geometry cannot be read";
		int fixed = 0;
		GEOSGeometry *ok = r.geom[i] ? tp_geo_valid_multipolygon(run->g, r.geom[i],
									 &fixed, &why)
					     : NULL;
		if (!ok) {
			rc = tp_store_reject_row(run->db, table, r.id[i], "validate", "geometry", why);
			continue;
		}
		*repaired += fixed;
		rc = update_geom(run, upd, r.id[i], ok);
		GEOSGeom_destroy_r(run->g->gh, ok);
	}
	sqlite3_finalize(upd);
	rows_dispose(run->g, &r);
	return rc;
}

/* Rejects every row whose key repeats an earlier row's key. */
static int reject_duplicates(tp_run *run, const char *table, const char *key)
{
	sqlite3_stmt *st = NULL;
	char sql[512], why[512];
	long long *dup = NULL;
	char **text = NULL;
	long *first = NULL;
	size_t n = 0, cap = 0, i;
	int rc, step;

	snprintf(sql, sizeof(sql),
		 "SELECT t.id, t.%s, (SELECT MIN(src_row) FROM %s u WHERE u.%s = t.%s)"
		 " FROM %s t WHERE t.src_row > (SELECT MIN(src_row) FROM %s u WHERE u.%s = t.%s)"
		 " ORDER BY t.id",
		 key, table, key, key, table, table, key, key);
	rc = tp_store_prepare(run->db, &st, sql);
	if (rc)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			/* each array is kept as it was until its larger copy exists */
			size_t c = cap ? cap * 2 : 8;
			long long *d = realloc(dup, c * sizeof(*d));
			char **t = d ? realloc(text, c * sizeof(*t)) : NULL;
			long *f = t ? realloc(first, c * sizeof(*f)) : NULL;
			if (d)
				dup = d;
			if (t)
				text = t;
			if (!f) {
				rc = tp_error_set(TP_ERROR, "out of memory");
				break;
			}
			first = f;
			cap = c;
		}
		dup[n] = sqlite3_column_int64(st, 0);
		text[n] = strdup((const char *)sqlite3_column_text(st, 1));
		first[n] = (long)sqlite3_column_int64(st, 2);
		if (!text[n]) {
			rc = tp_error_set(TP_ERROR, "out of memory");
			break;
		}
		n++;
	}
	/* a read that stops early would let duplicates through */
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: cannot look for duplicate %s in %s: %s",
				  key, table, sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	for (i = 0; i < n && !rc; i++) {
		snprintf(why, sizeof(why), "duplicate %s '%s' (first at row %ld)", key, text[i],
			 first[i]);
		rc = tp_store_reject_row(run->db, table, dup[i], "validate", key, why);
	}
	for (i = 0; i < n; i++)
		free(text[i]);
	free(dup);
	free(text);
	free(first);
	return rc;
}

static int validate_points(tp_run *run)
{
	rows r = {0};
	size_t i;
	int rc;

	rc = rows_load(run, &r, "SELECT id, geom FROM vacancies ORDER BY id");
	for (i = 0; i < r.n && !rc; i++) {
		double x = NAN, y = NAN;
		if (r.geom[i] && GEOSGeomTypeId_r(run->g->gh, r.geom[i]) == GEOS_POINT &&
		    GEOSisEmpty_r(run->g->gh, r.geom[i]) == 0) {
			GEOSGeomGetX_r(run->g->gh, r.geom[i], &x);
			GEOSGeomGetY_r(run->g->gh, r.geom[i], &y);
		}
		if (!isfinite(x) || !isfinite(y))
			rc = tp_store_reject_row(run->db, "vacancies", r.id[i], "validate",
						 "geometry", "point without finite coordinates");
	}
	rows_dispose(run->g, &r);
	return rc;
}

static int stage_validate(tp_run *run)
{
	long repaired = 0;
	long long ncommunes = 0;
	int rc = TP_OK;
	size_t k;

	for (k = 0; k < 2 && !rc; k++)
		rc = validate_polygons(run, polygon_tables[k], &repaired);
	if (!rc)
		rc = reject_duplicates(run, "communes", "nis_code");
	if (!rc)
		rc = reject_duplicates(run, "zones", "zone_id");
	if (!rc)
		rc = validate_points(run);
	if (!rc && !run->quiet && repaired)
		fprintf(stderr, "validate: repaired %ld invalid polygon%s with GEOS MakeValid\n",
			repaired, repaired > 1 ? "s" : "");
	if (!rc)
		rc = tp_store_int(run->db, &ncommunes, "SELECT COUNT(*) FROM communes");
	if (!rc && ncommunes == 0)
		rc = tp_error_set(TP_EINPUT, "%s: no usable commune boundary (see the rejects layer)",
				  run->cfg->inputs[TP_IN_COMMUNES].path);
	return rc;
}

/* ---- locate ---------------------------------------------------------- */

/* The polygons of r as flat rings, in r's order (a row without a geometry
 * is an empty polygon). */
static int rows_rings(tp_run *run, const rows *r, tp_rings *out)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (tp_rings_add_geos(out, run->g, r->geom[i]))
			return TP_ERROR;
	return TP_OK;
}

/* Threads for the locator: the answer is the same on any number. */
static int locate_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* Each vacancy to its commune and count zone through the locator of
 * geo/pointloc.h, which applies the border rule (lowest key). */
/* Places the vacancies rejected at load in a commune where something
 * places them (for the outputs' count of what was lost, issue 10): their
 * point (rejects.geom, in the source CRS until here, then in the working
 * CRS), else the commune most accepted records of their postcode lie in. */
static int place_rejects(tp_run *run, const tp_rings *cr, const rows *com, int nt)
{
	rows rej = {0};
	tp_transform *t = NULL;
	sqlite3_stmt *upd = NULL;
	char *src = NULL, *dst = NULL;
	double *xy = NULL;
	int32_t *in = NULL;
	size_t i;
	int rc;

	rc = rows_load(run, &rej, "SELECT id, geom FROM rejects WHERE input = 'vacancies'"
				  " AND stage = 'load' AND geom IS NOT NULL ORDER BY id");
	if (!rc)
		rc = source_crs(run->db, &src, "vacancies");
	if (!rc)
		rc = tp_store_meta_get(run->db, &dst, "crs");
	if (!rc && rej.n && src && dst)
		rc = tp_transform_new(&t, run->g, src, dst);
	if (!rc && t) {
		xy = malloc(rej.n * 2 * sizeof(*xy));
		in = malloc(rej.n * sizeof(*in));
		if (!xy || !in)
			rc = tp_error_set(TP_ERROR, "out of memory");
	}
	for (i = 0; i < rej.n && !rc && t; i++) {
		GEOSGeometry *p = rej.geom[i] ? tp_transform_geom(t, rej.geom[i]) : NULL;
		xy[2 * i] = xy[2 * i + 1] = NAN;
		if (p && GEOSGeomTypeId_r(run->g->gh, p) == GEOS_POINT) {
			GEOSGeomGetX_r(run->g->gh, p, &xy[2 * i]);
			GEOSGeomGetY_r(run->g->gh, p, &xy[2 * i + 1]);
		}
		if (rej.geom[i])
			GEOSGeom_destroy_r(run->g->gh, rej.geom[i]);
		rej.geom[i] = p; /* now in the working CRS */
	}
	if (!rc && t)
		rc = tp_locate_points(in, cr, (const char *const *)com->key, xy, rej.n, nt, NULL);
	if (!rc && t)
		rc = tp_store_prepare(run->db, &upd, "UPDATE rejects SET nis_code = ?1 WHERE id = ?2");
	for (i = 0; i < rej.n && !rc && t; i++) {
		sqlite3_reset(upd);
		sqlite3_bind_text(upd, 1, in[i] >= 0 ? com->key[in[i]] : NULL, -1, SQLITE_STATIC);
		sqlite3_bind_int64(upd, 2, rej.id[i]);
		if (sqlite3_step(upd) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	sqlite3_finalize(upd);
	upd = NULL;
	if (!rc && t)
		rc = tp_store_prepare(run->db, &upd, "UPDATE rejects SET geom = ? WHERE id = ?");
	for (i = 0; i < rej.n && !rc && t; i++)
		rc = rej.geom[i] ? update_geom(run, upd, rej.id[i], rej.geom[i]) : TP_OK;
	if (!rc)
		rc = tp_store_exec(run->db,
				   "UPDATE rejects SET nis_code = (SELECT v.nis_code FROM vacancies v"
				   " WHERE v.postcode = rejects.postcode AND v.nis_code IS NOT NULL"
				   " GROUP BY v.nis_code ORDER BY COUNT(*) DESC, v.nis_code LIMIT 1)"
				   " WHERE input = 'vacancies' AND nis_code IS NULL AND postcode IS NOT NULL");
	sqlite3_finalize(upd);
	free(xy);
	free(in);
	free(src);
	free(dst);
	tp_transform_free(t);
	rows_dispose(run->g, &rej);
	return rc;
}

static int stage_locate(tp_run *run)
{
	rows com = {0}, zon = {0}, pts = {0};
	tp_rings cr = {0}, zr = {0};
	tp_locate_stats st = {0};
	int32_t *cin = NULL, *zin = NULL;
	double *xy = NULL;
	sqlite3_stmt *upd = NULL;
	char why[256];
	size_t i;
	int rc, nt = locate_threads();

	rc = rows_load(run, &com, "SELECT id, geom, nis_code FROM communes ORDER BY id");
	if (!rc)
		rc = rows_load(run, &zon, "SELECT id, geom, zone_id FROM zones ORDER BY id");
	if (!rc)
		rc = rows_load(run, &pts, "SELECT id, geom FROM vacancies ORDER BY id");
	if (!rc)
		rc = rows_rings(run, &com, &cr);
	if (!rc)
		rc = rows_rings(run, &zon, &zr);
	if (!rc) {
		xy = malloc((pts.n ? pts.n : 1) * 2 * sizeof(*xy));
		cin = malloc((pts.n ? pts.n : 1) * sizeof(*cin));
		zin = malloc((pts.n ? pts.n : 1) * sizeof(*zin));
		if (!xy || !cin || !zin)
			rc = tp_error_set(TP_ERROR, "out of memory");
	}
	for (i = 0; i < pts.n && !rc; i++) {
		xy[2 * i] = xy[2 * i + 1] = 0;
		GEOSGeomGetX_r(run->g->gh, pts.geom[i], &xy[2 * i]);
		GEOSGeomGetY_r(run->g->gh, pts.geom[i], &xy[2 * i + 1]);
	}
	if (!rc)
		rc = tp_locate_points(cin, &cr, (const char *const *)com.key, xy, pts.n, nt, &st);
	if (!rc)
		rc = tp_locate_points(zin, &zr, (const char *const *)zon.key, xy, pts.n, nt, NULL);
	if (!rc)
		rc = tp_store_prepare(run->db, &upd,
				      "UPDATE vacancies SET nis_code = ?, zone_id = ? WHERE id = ?");
	for (i = 0; i < pts.n && !rc; i++) {
		if (cin[i] < 0) {
			snprintf(why, sizeof(why),
				 "outside every commune of the region (x %.1f, y %.1f in the "
				 "working CRS)", xy[2 * i], xy[2 * i + 1]);
			rc = tp_store_reject_row(run->db, "vacancies", pts.id[i], "locate",
						 "geometry", why);
			continue;
		}
		sqlite3_reset(upd);
		sqlite3_bind_text(upd, 1, com.key[cin[i]], -1, SQLITE_STATIC);
		if (zin[i] >= 0)
			sqlite3_bind_text(upd, 2, zon.key[zin[i]], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(upd, 2);
		sqlite3_bind_int64(upd, 3, pts.id[i]);
		if (sqlite3_step(upd) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	if (!rc)
		rc = place_rejects(run, &cr, &com, nt);
	if (!rc && st.border && !run->quiet)
		fprintf(stderr, "locate: %zu point%s on a commune border, given to the lowest NIS code\n",
			st.border, st.border > 1 ? "s" : "");
	sqlite3_finalize(upd);
	free(xy);
	free(cin);
	free(zin);
	tp_rings_dispose(&cr);
	tp_rings_dispose(&zr);
	rows_dispose(run->g, &com);
	rows_dispose(run->g, &zon);
	rows_dispose(run->g, &pts);
	return rc;
}

/* ---- apportion ------------------------------------------------------- */

static int stage_apportion(tp_run *run)
{
	rows zon = {0}, com = {0};
	tp_rings zr = {0}, cr = {0};
	tp_share *ps = NULL;
	double *inside = NULL;
	sqlite3_stmt *ins = NULL, *upd = NULL;
	size_t i, k = 0, nps = 0;
	long partly = 0;
	int rc;

	rc = tp_store_exec(run->db, "DELETE FROM zone_shares");
	if (!rc)
		rc = rows_load(run, &zon, "SELECT id, geom, zone_id, total FROM zones ORDER BY zone_id");
	if (!rc)
		rc = rows_load(run, &com, "SELECT id, geom, nis_code FROM communes ORDER BY nis_code");
	if (!rc)
		rc = rows_rings(run, &zon, &zr);
	if (!rc)
		rc = rows_rings(run, &com, &cr);
	if (!rc && !(inside = calloc(zon.n ? zon.n : 1, sizeof(*inside))))
		rc = tp_error_set(TP_ERROR, "out of memory");
	if (!rc)
		rc = tp_overlay_shares(run->g, &zr, &cr, &ps, &nps, inside);
	if (!rc)
		rc = tp_store_prepare(run->db, &ins,
				      "INSERT INTO zone_shares(zone_id, nis_code, area, share, people)"
				      " VALUES (?, ?, ?, ?, ?)");
	if (!rc)
		rc = tp_store_prepare(run->db, &upd,
				      "UPDATE zones SET area = ?, inside_area = ?, outside_area = ?"
				      " WHERE id = ?");
	for (i = 0; i < zon.n && !rc; i++) {
		double area = 0;

		GEOSArea_r(run->g->gh, zon.geom[i], &area);
		if (inside[i] <= 0) {
			rc = tp_store_reject_row(run->db, "zones", zon.id[i], "apportion", "geometry",
						 "the zone lies wholly outside the region's communes");
			continue;
		}
		for (; k < nps && ps[k].src == i && !rc; k++) {
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, zon.key[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, com.key[ps[k].dst], -1, SQLITE_STATIC);
			sqlite3_bind_double(ins, 3, ps[k].area);
			sqlite3_bind_double(ins, 4, ps[k].share);
			sqlite3_bind_double(ins, 5, zon.value[i] * ps[k].share);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
		}
		if (area - inside[i] > 1e-6 * area)
			partly++;
		sqlite3_reset(upd);
		sqlite3_bind_double(upd, 1, area);
		sqlite3_bind_double(upd, 2, inside[i]);
		sqlite3_bind_double(upd, 3, area > inside[i] ? area - inside[i] : 0);
		sqlite3_bind_int64(upd, 4, zon.id[i]);
		if (!rc && sqlite3_step(upd) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	if (!rc && partly && !run->quiet)
		fprintf(stderr,
			"apportion: %ld zone%s partly outside the region; their people go to "
			"the part inside (see outside_area in count_zones)\n",
			partly, partly > 1 ? "s" : "");
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	free(ps);
	free(inside);
	tp_rings_dispose(&zr);
	tp_rings_dispose(&cr);
	rows_dispose(run->g, &zon);
	rows_dispose(run->g, &com);
	return rc;
}

/* ---- write ----------------------------------------------------------- */

static int stage_write(tp_run *run)
{
	tp_gpkg_options opts = {run->cfg->indicator, run->cfg->language, run->cfg->internal};
	tp_render_opts ropts = {run->cfg->indicator, run->cfg->language,
				run->cfg->small_cell_threshold};
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/tremplin.gpkg", run->outdir);
	rc = tp_write_gpkg(run->db, path, &opts);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/indicators.csv", run->outdir);
	rc = tp_write_csv(run->db, path);
	if (!rc && run->cfg->maps) {
		snprintf(path, sizeof(path), "%s/maps", run->outdir);
		rc = tp_write_maps(run->db, path, &ropts);
	}
	if (!rc && run->cfg->dashboard) {
		snprintf(path, sizeof(path), "%s/dashboard.html", run->outdir);
		rc = tp_write_dashboard(run->db, path, &ropts);
	}
	return rc;
}

/* ---- the table ------------------------------------------------------- */

static const tp_stage stage_table[] = {
	{"load", "the three input files", "meta, input_stats, communes, vacancies, zones, rejects",
	 stage_load},
	{"reproject", "communes, vacancies, zones (source CRS)",
	 "the same, in the working CRS", stage_reproject},
	{"validate", "communes, vacancies, zones",
	 "repaired polygons; invalid or duplicate rows to rejects", stage_validate},
	{"locate", "vacancies, communes, zones",
	 "vacancies.nis_code, vacancies.zone_id; points outside to rejects", stage_locate},
	{"apportion", "zones, communes", "zone_shares, zones.area/inside_area/outside_area",
	 stage_apportion},
	{"score", "vacancies, zone_shares, meta",
	 "vacancies.candidate/status/window_months/capacity/score/rank", tp_stage_score},
	{"summarise", "communes, vacancies, zone_shares", "commune_summary", tp_stage_summarise},
	{"protect", "commune_summary, zones", "public_communes, public_zones (small cells withheld)",
	 tp_stage_protect},
	{"write", "the whole store", "tremplin.gpkg, indicators.csv, maps/, dashboard.html",
	 stage_write},
};

const tp_stage *tp_stages(size_t *n)
{
	*n = sizeof(stage_table) / sizeof(stage_table[0]);
	return stage_table;
}

int tp_stage_find(const char *name)
{
	size_t i, n;
	const tp_stage *s = tp_stages(&n);

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return (int)i;
	return -1;
}

int tp_input_counts(sqlite3 *db, const char *input, long long *n, long long *a,
		    long long *r, long long *s, char *skipped, size_t len)
{
	sqlite3_stmt *st = NULL;
	char sql[256];
	int rc;

	*a = *r = *s = 0;
	skipped[0] = '\0';
	rc = tp_store_prepare(db, &st, "SELECT COALESCE(skipped, 0), COALESCE(skipped_rows, '')"
				       " FROM input_stats WHERE input = ?");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*s = sqlite3_column_int64(st, 0);
		snprintf(skipped, len, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "SELECT read FROM input_stats WHERE input = '%s'", input);
	rc = tp_store_int(db, n, sql);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", input);
	if (!rc)
		rc = tp_store_int(db, a, sql);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM rejects WHERE input = '%s'", input);
	if (!rc)
		rc = tp_store_int(db, r, sql);
	return rc;
}

int tp_pipeline_run(tp_run *run, const char *from, const char *until)
{
	size_t n, i;
	const tp_stage *s = tp_stages(&n);
	int first = from ? tp_stage_find(from) : 0;
	int last = until ? tp_stage_find(until) : (int)n - 1;
	int tty = isatty(2) && !run->quiet;
	int rc = TP_OK, k;

	if (first < 0)
		return tp_error_set(TP_EUSAGE, "--from: no stage '%s' (see 'tremplin stages')", from);
	if (last < 0)
		return tp_error_set(TP_EUSAGE, "--until: no stage '%s' (see 'tremplin stages')", until);
	if (first > last)
		return tp_error_set(TP_EUSAGE, "--from %s comes after --until %s", s[first].name,
				    s[last].name);
	for (k = 0; k < first; k++)
		if (!tp_store_stage_has_run(run->db, s[k].name))
			return tp_error_set(TP_ESTORE,
					    "%s/work.sqlite: stage '%s' has not run, so '%s' cannot "
					    "start; run with --from %s or without --from",
					    run->outdir, s[k].name, s[first].name, s[k].name);
	for (k = first; k <= last && !rc; k++) {
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (tty)
			fprintf(stderr, "%-10s ...", s[k].name);
		rc = tp_store_exec(run->db, "BEGIN");
		if (!rc)
			rc = s[k].run(run);
		for (i = (size_t)k; i < n && !rc; i++)
			rc = tp_store_stage_forget(run->db, s[i].name);
		if (!rc)
			rc = tp_store_stage_done(run->db, s[k].name);
		if (!rc)
			rc = tp_store_exec(run->db, "COMMIT");
		if (rc) {
			sqlite3_exec(run->db, "ROLLBACK", NULL, NULL, NULL);
			if (tty)
				fprintf(stderr, " failed\n");
			rc = tp_error_wrap(rc, "%s stage", s[k].name);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (tty)
			fprintf(stderr, " done in %.2f s\n",
				(double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	if (!run->quiet && tp_store_stage_has_run(run->db, "load")) {
		tp_error_state failed = {0};
		int cr = TP_OK;

		/* the counts are shown after a failed stage too; its message stays */
		tp_error_save(&failed, rc);
		for (k = 0; k < TP_IN_COUNT && !cr; k++) {
			long long nr, na, nj, ns;
			char rows[2048];
			const char *name = tp_input_def_get(k)->name;
			cr = tp_input_counts(run->db, name, &nr, &na, &nj, &ns, rows, sizeof(rows));
			if (!cr && ns)
				printf("%-9s read %lld, accepted %lld, rejected %lld, skipped %lld"
				       " (rows %s)\n", name, nr, na, nj, ns, rows);
			else if (!cr)
				printf("%-9s read %lld, accepted %lld, rejected %lld\n", name, nr, na,
				       nj);
		}
		if (rc)
			tp_error_restore(&failed);
		else
			rc = cr;
	}
	return rc;
}

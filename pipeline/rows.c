/*
 * rows.c: rows of the working store with their geometries (rows.h), for
 * the stages that move geometry.
 */
#include "pipeline/rows.h"
#include "geo/array.h"
#include "pipeline/store.h"
#include "geo/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>

void tp_rows_dispose(tp_geo *g, tp_rows *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->geom)
			tp_geo_destroy(g, r->geom[i]);
		if (r->key)
			free(r->key[i]);
	}
	free(r->id);
	free(r->geom);
	free(r->key);
	free(r->value);
	memset(r, 0, sizeof(*r));
}

/* Loads tp_rows with a query returning (id, geom[, key[, value]]).  A row
 * whose WKB does not parse is kept with a NULL geometry. */
int tp_rows_load(tp_run *run, tp_rows *r, const char *sql)
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
			size_t nc = tp_array_next(cap, 64);
			if (tp_array_resize(&r->id, nc, sizeof(*r->id)) ||
			    tp_array_resize(&r->geom, nc, sizeof(*r->geom)) ||
			    tp_array_resize(&r->key, nc, sizeof(*r->key)) ||
			    tp_array_resize(&r->value, nc, sizeof(*r->value))) {
				sqlite3_finalize(st);
				return TP_ERROR;
			}
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

/* The vacancies' points into p (malloc'ed arrays), in id order.  TP_ERROR on
 * out of memory or a store that cannot be read, p then empty. */
static int read_points(tp_run *run, tp_vacancy_points *p)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, step = SQLITE_DONE;

	memset(p, 0, sizeof(*p));
	rc = tp_store_prepare(run->db, &st,
			      "SELECT id, geom, geocode IS NOT NULL FROM vacancies ORDER BY id");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		size_t k = p->n;
		if (k == cap) {
			size_t nc = tp_array_next(cap, 1024);
			if ((rc = tp_array_resize(&p->id, nc, sizeof(*p->id))) ||
			    (rc = tp_array_resize(&p->xy, nc, 2 * sizeof(*p->xy))) ||
			    (rc = tp_array_resize(&p->geocoded, nc, 1)))
				break;
			cap = nc;
		}
		p->id[k] = sqlite3_column_int64(st, 0);
		p->xy[2 * k] = p->xy[2 * k + 1] = NAN;
		tp_geo_wkb_xy(run->g, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
			      &p->xy[2 * k], &p->xy[2 * k + 1]);
		p->geocoded[k] = sqlite3_column_int(st, 2) != 0;
		p->n++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	if (rc)
		tp_vacancy_points_free(p);
	return rc;
}

/* ---- the vacancies' points, kept from one stage to the next ------------- */

struct tp_points_kept {
	tp_vacancy_points p; /* the points read */
	int stale;           /* 1: the rows changed since (a trigger said so) */
};

/* The triggers that mark the kept points stale, by name. */
static const char *const kept_triggers[] = {"tp_points_insert", "tp_points_delete",
					    "tp_points_update"};

/* SQL function tp_points_stale(): run's kept points no longer hold. */
static void fn_stale(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	tp_run *run = sqlite3_user_data(ctx);

	(void)argc, (void)argv;
	if (run->points)
		run->points->stale = 1;
	sqlite3_result_null(ctx);
}

/* Adds the triggers (once a connection) that call fn_stale on run.  TP_ERROR. */
static int watch_rows(tp_run *run)
{
	static const char *const events[] = {"INSERT", "DELETE", "UPDATE OF id, geom"};
	char sql[256];
	size_t i;
	int rc = TP_OK;

	if (sqlite3_create_function(run->db, "tp_points_stale", 0, SQLITE_UTF8, run, fn_stale, NULL,
				    NULL) != SQLITE_OK)
		return tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	for (i = 0; i < sizeof(events) / sizeof(events[0]) && !rc; i++) {
		snprintf(sql, sizeof(sql),
			 "CREATE TEMP TRIGGER IF NOT EXISTS %s AFTER %s ON main." TP_VACANCY_ROWS
			 " BEGIN SELECT tp_points_stale(); END",
			 kept_triggers[i], events[i]);
		rc = tp_store_exec(run->db, sql);
	}
	return rc;
}

void tp_vacancy_points_free(tp_vacancy_points *p)
{
	free(p->id);
	free(p->xy);
	free(p->geocoded);
	memset(p, 0, sizeof(*p));
}

void tp_rows_points_forget(tp_run *run)
{
	char sql[128];
	size_t i;

	if (run->points) {
		tp_vacancy_points_free(&run->points->p);
		free(run->points);
		run->points = NULL;
	}
	for (i = 0; i < sizeof(kept_triggers) / sizeof(kept_triggers[0]); i++) {
		snprintf(sql, sizeof(sql), "DROP TRIGGER IF EXISTS temp.%s", kept_triggers[i]);
		sqlite3_exec(run->db, sql, NULL, NULL, NULL);
	}
}

int tp_rows_vacancy_points(tp_run *run, tp_vacancy_points *p, int keep)
{
	struct tp_points_kept *k = run->points;
	int rc;

	memset(p, 0, sizeof(*p));
	if (k && !k->stale) {
		CPLDebug("tremplin", "the vacancies' points: as the stage before read them");
		*p = k->p;
		if (!keep) {
			/* the caller has them now */
			memset(&k->p, 0, sizeof(k->p));
			tp_rows_points_forget(run);
		}
		return TP_OK;
	}
	tp_rows_points_forget(run);
	if (keep && !(k = calloc(1, sizeof(*k))))
		return tp_error_set(TP_ERROR, "out of memory");
	/* watched before the read: no change between them goes unseen */
	rc = keep ? watch_rows(run) : TP_OK;
	if (!rc)
		rc = read_points(run, p);
	if (rc || !keep) {
		free(k);
		if (rc && keep)
			tp_rows_points_forget(run);
		return rc;
	}
	k->p = *p;
	run->points = k;
	return TP_OK;
}

int tp_rows_points_keep(tp_run *run, tp_vacancy_points *p)
{
	struct tp_points_kept *k;
	int rc;

	tp_rows_points_forget(run);
	if (!(k = calloc(1, sizeof(*k)))) {
		tp_vacancy_points_free(p);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	rc = watch_rows(run);
	if (rc) {
		free(k);
		tp_vacancy_points_free(p);
		tp_rows_points_forget(run);
		return rc;
	}
	k->p = *p;
	memset(p, 0, sizeof(*p));
	run->points = k;
	return TP_OK;
}

/* Binds geom as WKB (parameter 1) and id (parameter 2) to upd, a prepared
 * "UPDATE ... SET geom = ? WHERE id = ?", and steps it. */
static int update_geom(tp_run *run, sqlite3_stmt *upd, long long id, const GEOSGeometry *geom)
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

int tp_rows_rewrite(tp_run *run, const char *table, const char *stage, tp_rows_fn fn,
		    void *arg)
{
	sqlite3_stmt *upd = NULL;
	tp_rejecter rej = {0};
	tp_rows r = {0};
	char sql[256];
	size_t i;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id, geom FROM %s ORDER BY id", table);
	rc = tp_rows_load(run, &r, sql);
	if (rc)
		goto done;
	snprintf(sql, sizeof(sql), "UPDATE %s SET geom = ? WHERE id = ?", tp_store_rows(table));
	rc = tp_store_prepare(run->db, &upd, sql);
	if (!rc)
		rc = tp_store_rejecter_open(&rej, run->db, table);
	for (i = 0; i < r.n && !rc; i++) {
		const char *why = "geometry cannot be read";
		GEOSGeometry *out = fn(run, r.geom[i], &why, arg);
		if (!out) {
			rc = tp_store_rejecter_move(&rej, r.id[i], stage, "geometry", why);
			continue;
		}
		rc = update_geom(run, upd, r.id[i], out);
		tp_geo_destroy(run->g, out);
	}
done:
	tp_store_rejecter_close(&rej);
	sqlite3_finalize(upd);
	tp_rows_dispose(run->g, &r);
	return rc;
}

/* The polygons of r as flat rings, in r's order (a row without a geometry
 * is an empty polygon). */
int tp_rows_rings(tp_run *run, const tp_rows *r, tp_rings *out)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (tp_rings_add_geos(out, run->g, r->geom[i]))
			return TP_ERROR;
	return TP_OK;
}

int tp_rows_extent(sqlite3 *db, tp_geo *g, const char *table, double ext[4])
{
	sqlite3_stmt *st = NULL;
	char sql[128];
	int rc, step;

	ext[0] = ext[1] = INFINITY;
	ext[2] = ext[3] = -INFINITY;
	snprintf(sql, sizeof(sql), "SELECT geom FROM %s WHERE geom IS NOT NULL", table);
	rc = tp_store_prepare(db, &st, sql);
	if (rc)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		GEOSGeometry *geom = tp_geo_from_wkb(g, sqlite3_column_blob(st, 0),
						     (size_t)sqlite3_column_bytes(st, 0));
		double env[4];

		if (tp_geo_envelope(g, geom, env)) {
			ext[0] = fmin(ext[0], env[0]);
			ext[1] = fmin(ext[1], env[1]);
			ext[2] = fmax(ext[2], env[2]);
			ext[3] = fmax(ext[3], env[3]);
		}
		tp_geo_destroy(g, geom);
	}
	if (step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: cannot read the geometries of %s: %s",
				  table, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int tp_rows_polygons(tp_run *run, tp_rows *r, tp_rings *out, const char *sql)
{
	int rc = tp_rows_load(run, r, sql);

	return rc ? rc : tp_rows_rings(run, r, out);
}

/*
 * locate.c: the locate stage.  Each vacancy gets its commune and its count
 * zone from the one locator (geo/pointloc.h), which applies the border
 * rule: a point on a shared border goes to the lowest key.  A point outside
 * every commune is rejected; outside every zone it keeps no zone_id.
 */
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/error.h"
#include "geo/pointloc.h"
#include "geo/sqlbatch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Threads for the locator, --threads or every core (up to 8): the answer
 * is the same on any number. */
static int locate_threads(const tp_run *run)
{
	long n = run->threads > 0 ? run->threads : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* Places the vacancies rejected at load in a commune, for the outputs'
 * count of what was lost (issue 10): by their point (rejects.geom, in the
 * source CRS), else in the commune where most accepted records of their
 * postcode lie. */
static int place_rejects(tp_run *run, const tp_rings *cr, const tp_rows *com, int nt)
{
	tp_rows rej = {0};
	tp_transform *t = NULL;
	sqlite3_stmt *upd = NULL;
	char *src = NULL, *dst = NULL;
	double *xy = NULL;
	int32_t *in = NULL;
	long long left = 0;
	size_t i;
	int rc;

	rc = tp_rows_load(run, &rej, "SELECT id, geom FROM rejects WHERE input = 'vacancies'"
				     " AND stage = 'load' AND geom IS NOT NULL ORDER BY id");
	if (!rc)
		rc = tp_store_source_crs(run->db, &src, "vacancies");
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
		tp_geo_point_xy(run->g, p, &xy[2 * i], &xy[2 * i + 1]);
		tp_geo_destroy(run->g, p);
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
	/* only when a reject is left for it: the query groups every vacancy */
	if (!rc)
		rc = tp_store_int(run->db, &left,
				  "SELECT EXISTS (SELECT 1 FROM rejects WHERE input = 'vacancies'"
				  " AND nis_code IS NULL AND postcode IS NOT NULL)");
	if (!rc && left)
		/* each postcode's commune computed once, not once per reject (a scan
		 * of the vacancies each: 2 minutes for 8,000 rejects of 100,000) */
		rc = tp_store_exec(run->db,
				   "WITH best AS (SELECT postcode, nis_code FROM (SELECT v.postcode,"
				   " v.nis_code, ROW_NUMBER() OVER (PARTITION BY v.postcode"
				   " ORDER BY COUNT(*) DESC, v.nis_code) AS k FROM vacancies v"
				   " WHERE v.postcode IS NOT NULL AND v.nis_code IS NOT NULL"
				   " GROUP BY v.postcode, v.nis_code) WHERE k = 1)"
				   " UPDATE rejects SET nis_code = best.nis_code FROM best"
				   " WHERE best.postcode = rejects.postcode AND rejects.input = 'vacancies'"
				   " AND rejects.nis_code IS NULL AND rejects.postcode IS NOT NULL");
	sqlite3_finalize(upd);
	free(xy);
	free(in);
	free(src);
	free(dst);
	tp_transform_free(t);
	tp_rows_dispose(run->g, &rej);
	return rc;
}

/* Writes the place of each of the n points (ids id) that lies in a
 * commune: its commune's key (cin into ckey) and its zone's (zin into
 * zkey, NULL outside every zone), in id order into the narrow table of
 * places (store.h), emptied first. */
static int write_places(tp_run *run, const long long *id, size_t n, const int32_t *cin,
			const int32_t *zin, char *const *ckey, char *const *zkey)
{
	tp_batch b = {0};
	size_t i, m = 0;
	int rc, first;

	for (i = 0; i < n; i++)
		m += cin[i] >= 0; /* the others were moved to rejects */
	rc = tp_store_exec(run->db, "DELETE FROM " TP_VACANCY_PLACE);
	if (!rc && tp_batch_begin(&b, run->db, TP_VACANCY_PLACE "(id, nis_code, zone_id)", 3, m) !=
		   SQLITE_OK)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	for (i = 0; i < n && !rc; i++) {
		sqlite3_stmt *ins;
		if (cin[i] < 0)
			continue;
		ins = tp_batch_row(&b, &first);
		tp_batch_bind_id(&b, ins, first, id[i]);
		sqlite3_bind_text(ins, first + 1, ckey[cin[i]], -1, SQLITE_STATIC);
		if (zin[i] < 0)
			sqlite3_bind_null(ins, first + 2);
		else
			sqlite3_bind_text(ins, first + 2, zkey[zin[i]], -1, SQLITE_STATIC);
		if (tp_batch_end_row(&b) != SQLITE_OK)
			rc = tp_error_set(TP_ERROR, "working store: cannot write the places of the"
						    " vacancies up to %lld: %s", id[i],
					  sqlite3_errmsg(run->db));
	}
	tp_batch_end(&b);
	return rc;
}

/* Each vacancy to its commune and count zone through the locator of
 * geo/pointloc.h, which applies the border rule (lowest key).  The points
 * outside every commune go to rejects first; the others' places are then
 * written in id order into their own narrow table (store.h). */
int tp_stage_locate(tp_run *run)
{
	tp_rows com = {0}, zon = {0};
	tp_rings cr = {0}, zr = {0};
	tp_locate_stats st = {0};
	tp_vacancy_points vp = {0};
	tp_rejecter rej = {0};
	int32_t *cin = NULL, *zin = NULL;
	long long *id = NULL;
	double *xy = NULL;
	char why[256];
	size_t i, n = 0;
	int rc, nt = locate_threads(run);

	rc = tp_rows_polygons(run, &com, &cr, "SELECT id, geom, nis_code FROM communes ORDER BY id");
	if (!rc)
		rc = tp_rows_polygons(run, &zon, &zr, "SELECT id, geom, zone_id FROM zones ORDER BY id");
	/* validate's, when kept: locate changes them (below), so it takes them */
	if (!rc)
		rc = tp_rows_vacancy_points(run, &vp, 0);
	id = vp.id;
	xy = vp.xy;
	n = vp.n;
	if (!rc) {
		cin = malloc((n ? n : 1) * sizeof(*cin));
		zin = malloc((n ? n : 1) * sizeof(*zin));
		if (!cin || !zin)
			rc = tp_error_set(TP_ERROR, "out of memory");
	}
	/* a stored geometry that is not a point (NAN, NAN) is placed at 0, 0 */
	for (i = 0; i < n && !rc; i++)
		if (isnan(xy[2 * i]) && isnan(xy[2 * i + 1]))
			xy[2 * i] = xy[2 * i + 1] = 0;
	if (!rc)
		rc = tp_locate_points(cin, &cr, (const char *const *)com.key, xy, n, nt, &st);
	if (!rc)
		rc = tp_locate_points(zin, &zr, (const char *const *)zon.key, xy, n, nt, NULL);
	if (!rc)
		rc = tp_store_rejecter_open(&rej, run->db, "vacancies");
	for (i = 0; i < n && !rc; i++) {
		if (cin[i] >= 0)
			continue;
		snprintf(why, sizeof(why),
			 "outside every commune of the region (x %.1f, y %.1f in the "
			 "working CRS)", xy[2 * i], xy[2 * i + 1]);
		rc = tp_store_rejecter_move(&rej, id[i], "locate", "geometry", why);
	}
	tp_store_rejecter_close(&rej);
	if (!rc)
		rc = write_places(run, id, n, cin, zin, com.key, zon.key);
	if (!rc)
		rc = place_rejects(run, &cr, &com, nt);
	if (!rc && st.border && !run->quiet)
		fprintf(stderr, "locate: %zu point%s on a commune border, given to the lowest NIS code\n",
			st.border, st.border > 1 ? "s" : "");
	tp_vacancy_points_free(&vp);
	free(cin);
	free(zin);
	tp_rings_dispose(&cr);
	tp_rings_dispose(&zr);
	tp_rows_dispose(run->g, &com);
	tp_rows_dispose(run->g, &zon);
	return rc;
}

/*
 * validate.c: the validate stage.  Polygons are made valid MultiPolygons
 * (GEOS MakeValid, the polygonal part kept); what has no area left, a
 * repeated nis_code or zone_id, or a point without finite coordinates goes
 * to rejects.  A run without any usable commune stops here.
 */
#include "pipeline/rows.h"
#include "geo/array.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const polygon_tables[] = {"communes", "zones"};

/* tp_rows_fn: a valid MultiPolygon, repaired when needed (arg counts the repairs). */
static GEOSGeometry *valid_one(tp_run *run, const GEOSGeometry *geom, const char **why,
			       void *arg)
{
	int fixed = 0;
	GEOSGeometry *ok = geom ? tp_geo_valid_multipolygon(run->g, geom, &fixed, why) : NULL;

	*(long *)arg += fixed;
	return ok;
}

static int validate_polygons(tp_run *run, const char *table, long *repaired)
{
	return tp_rows_rewrite(run, table, "validate", valid_one, repaired);
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
			size_t c = tp_array_next(cap, 8);
			if ((rc = tp_array_resize(&dup, c, sizeof(*dup))) ||
			    (rc = tp_array_resize(&text, c, sizeof(*text))) ||
			    (rc = tp_array_resize(&first, c, sizeof(*first))))
				break;
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
	tp_vacancy_points p;
	size_t i;
	int rc;

	/* reproject's read, when kept; a reject here makes locate read again */
	rc = tp_rows_vacancy_points(run, &p, 1);
	for (i = 0; i < p.n && !rc; i++)
		if (!isfinite(p.xy[2 * i]) || !isfinite(p.xy[2 * i + 1]))
			rc = tp_store_reject_row(run->db, "vacancies", p.id[i], "validate",
						 "geometry", "point without finite coordinates");
	return rc;
}

int tp_stage_validate(tp_run *run)
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

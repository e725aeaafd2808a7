/*
 * register.c: the occupation register and the per-commune indicator
 * tables (inputs/tables.h).
 *
 * Loading (the load stage's end): the register into `occupations`, each
 * indicator table into `indicators` with its name, through the same
 * reader and loader as the three inputs.
 *
 * The register stage (after locate, before score): checks what one cell
 * cannot tell (a status word, the list of extensions, an end before the
 * start), moves a bad row to rejects naming its field, derives each
 * occupation's status and the end now agreed, places its point in the
 * working CRS, and marks the vacancy a running occupation occupies: the
 * one with its vacancy id, else its address, else the nearest point within
 * MATCH_METRES.  The score stage then gives that vacancy the status
 * "occupied".  The durations are summed up per operator and owner type
 * (occupation_durations).  Indicator rows whose NIS code names no commune,
 * or repeats one, go to rejects.
 *
 * The ending stage (after score): occupations still running whose end
 * falls within ENDING_MONTHS of the reference date, each with the
 * NEAREST candidates closest to it (occupations_ending): the people to
 * rehouse, and where.
 *
 * A duration is the months from the start to the actual end, else to the
 * end agreed now (the last extension, else the planned end); an
 * occupation with neither is left out of the statistics.  Quartiles are
 * interpolated between the sorted durations (position (n - 1) p, the
 * usual spreadsheet QUARTILE.INC).
 */
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/array.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "inputs/geocode.h"
#include "inputs/tables.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_PER_MONTH 30.436875 /* as score.c */
#define MATCH_METRES 25.0        /* a vacancy within it is the occupied building */
#define ENDING_MONTHS 6.0        /* an occupation ending within it is listed */
#define NEAREST 3                /* candidates listed beside it */

int tp_load_register(tp_run *run)
{
	tp_config *cfg = run->cfg;
	sqlite3_stmt *ind = NULL, *name = NULL;
	char input[128];
	size_t i;
	int rc = TP_OK;

	if (cfg->occupations.path)
		rc = tp_load_input(run, tp_occupation_def(), &cfg->occupations, "occupations");
	if (!rc && cfg->nindicators)
		rc = tp_store_prepare(run->db, &ind,
				      "INSERT INTO indicator_tables(name, ord, path) VALUES (?, ?, ?)");
	if (!rc && cfg->nindicators)
		rc = tp_store_prepare(run->db, &name, "UPDATE indicators SET indicator = ?"
						      " WHERE indicator IS NULL");
	for (i = 0; i < cfg->nindicators && !rc; i++) {
		const tp_indicator_cfg *c = &cfg->indicators[i];

		snprintf(input, sizeof(input), "indicators.%s", c->name);
		sqlite3_reset(ind);
		sqlite3_bind_text(ind, 1, c->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ind, 2, (long long)i);
		sqlite3_bind_text(ind, 3, c->in.path, -1, SQLITE_STATIC);
		if (sqlite3_step(ind) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
		if (!rc)
			rc = tp_load_input(run, tp_indicator_def(), &c->in, input);
		sqlite3_reset(name);
		sqlite3_bind_text(name, 1, c->name, -1, SQLITE_STATIC);
		if (!rc && sqlite3_step(name) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	sqlite3_finalize(ind);
	sqlite3_finalize(name);
	return rc;
}

/* ---- the register stage ---------------------------------------------- */

/* One occupation as the stage judges it. */
typedef struct {
	long long id;          /* occupations.id */
	char site[256];        /* site name */
	char vacancy_id[128];  /* the vacancy's source id, "" when none */
	char key[512];         /* its address key (geocode.h), "" when none */
	int has_xy;            /* 1: x, y hold its point in the working CRS */
	double x, y;           /* its point */
	int running;           /* 1: status running */
} occupation;

/* Days of an ISO date, or -1 when NULL. */
static long days_of(const char *iso)
{
	long d;

	return iso && !tp_date_iso_days(iso, &d) ? d : -1;
}

/*
 * Checks occupation row st (id, start, planned_end, extensions, actual_end,
 * status) and fills what follows from it: its status code, the end agreed
 * now, its duration in months (NAN without an end), whether it was
 * extended.  Returns NULL, or the reason it is refused with *field set.
 */
static const char *judge(sqlite3_stmt *st, long ref, char *why, size_t whylen,
			 const char **field, const char **status, char *end, double *months,
			 int *extended)
{
	const char *start = (const char *)sqlite3_column_text(st, 1);
	const char *planned = (const char *)sqlite3_column_text(st, 2);
	const char *ext = (const char *)sqlite3_column_text(st, 3);
	const char *actual = (const char *)sqlite3_column_text(st, 4);
	const char *given = (const char *)sqlite3_column_text(st, 5);
	char list[1024], w[256];
	long s = days_of(start), e;
	int n;

	end[0] = '\0';
	*months = NAN;
	n = tp_dates_list_parse(ext, list, sizeof(list), w, sizeof(w));
	if (n < 0) {
		*field = "extensions";
		snprintf(why, whylen, "%s", w);
		return why;
	}
	*extended = n > 0;
	if (planned && days_of(planned) < s) {
		*field = "planned_end";
		snprintf(why, whylen, "%s is before the start (%s)", planned, start);
		return why;
	}
	if (n && (days_of(list) <= days_of(planned) || days_of(list) <= s)) {
		*field = "extensions";
		snprintf(why, whylen, "%.10s is not after the %s (%s)", list,
			 planned ? "planned end" : "start", planned ? planned : start);
		return why;
	}
	if (actual && days_of(actual) < s) {
		*field = "actual_end";
		snprintf(why, whylen, "%s is before the start (%s)", actual, start);
		return why;
	}
	if (given && !(*status = tp_occupation_status(given))) {
		*field = "status";
		snprintf(why, whylen, "unknown status '%.100s' (expected planned, running or ended;"
			 " en cours, lopend, prolongé, clôturé, afgelopen, ...)", given);
		return why;
	}
	snprintf(end, 11, "%s", actual ? actual : n ? list + strlen(list) - 10
					   : planned ? planned : "");
	e = days_of(end[0] ? end : NULL);
	if (e >= 0)
		*months = round((double)(e - s) / DAYS_PER_MONTH * 10) / 10;
	if (!given)
		*status = actual && days_of(actual) <= ref ? "ended"
			  : s > ref                        ? "planned"
			  : e >= 0 && e < ref              ? "ended"
							   : "running";
	return NULL;
}

/* Checks every occupation, rejects the bad ones, records the rest's
 * status, end, months and extension. */
static int check_occupations(tp_run *run, long ref)
{
	sqlite3_stmt *st = NULL, *upd = NULL;
	int rc, step;

	rc = tp_store_prepare(run->db, &st, "SELECT id, start, planned_end, extensions, actual_end,"
					    " status FROM occupations ORDER BY id");
	if (!rc)
		rc = tp_store_prepare(run->db, &upd, "UPDATE occupations SET status = ?,"
						     " current_end = ?, months = ?, extended = ?,"
						     " extensions = ? WHERE id = ?");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		char why[512], end[11], list[1024], w[256];
		const char *field = NULL, *status = NULL;
		double months;
		int extended = 0;
		long long id = sqlite3_column_int64(st, 0);

		if (judge(st, ref, why, sizeof(why), &field, &status, end, &months, &extended)) {
			rc = tp_store_reject_row(run->db, "occupations", id, "register", field, why);
			continue;
		}
		tp_dates_list_parse((const char *)sqlite3_column_text(st, 3), list, sizeof(list), w,
				    sizeof(w));
		sqlite3_reset(upd);
		sqlite3_bind_text(upd, 1, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(upd, 2, end[0] ? end : NULL, -1, SQLITE_STATIC);
		if (isnan(months))
			sqlite3_bind_null(upd, 3);
		else
			sqlite3_bind_double(upd, 3, months);
		sqlite3_bind_int(upd, 4, extended);
		sqlite3_bind_text(upd, 5, list[0] ? list : NULL, -1, SQLITE_STATIC);
		sqlite3_bind_int64(upd, 6, id);
		if (sqlite3_step(upd) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	sqlite3_finalize(upd);
	return rc;
}

/* The occupations' points from the source CRS to the working CRS; a point
 * that cannot be moved is a reject (field geometry). */
static int place_occupations(tp_run *run)
{
	tp_transform *t = NULL;
	tp_rows pts = {0};
	sqlite3_stmt *upd = NULL;
	char *src = NULL, *dst = NULL;
	size_t i;
	int rc;

	rc = tp_store_source_crs(run->db, &src, "occupations");
	if (!rc)
		rc = tp_store_meta_get(run->db, &dst, "crs");
	if (!rc && src && dst)
		rc = tp_transform_new(&t, run->g, src, dst);
	if (rc)
		rc = tp_error_wrap(rc, "input 'occupations'");
	if (!rc && t && !tp_transform_is_identity(t))
		rc = tp_rows_load(run, &pts, "SELECT id, geom FROM occupations WHERE geom IS NOT NULL"
					     " ORDER BY id");
	if (!rc && pts.n)
		rc = tp_store_prepare(run->db, &upd, "UPDATE occupations SET geom = ? WHERE id = ?");
	for (i = 0; i < pts.n && !rc; i++) {
		GEOSGeometry *g = pts.geom[i] ? tp_transform_geom(t, pts.geom[i]) : NULL;
		unsigned char *wkb = NULL;
		size_t len = 0;

		if (!g) {
			rc = tp_store_reject_row(run->db, "occupations", pts.id[i], "register",
						 "geometry", "coordinates cannot be transformed to the "
						 "working CRS");
			continue;
		}
		wkb = tp_geo_to_wkb(run->g, g, &len);
		tp_geo_destroy(run->g, g);
		if (!wkb) {
			rc = tp_error_set(TP_ERROR, "cannot write WKB: %s", run->g->geos_msg);
			break;
		}
		sqlite3_reset(upd);
		sqlite3_bind_blob(upd, 1, wkb, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(upd, 2, pts.id[i]);
		if (sqlite3_step(upd) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
		tp_geo_free_buf(run->g, wkb);
	}
	sqlite3_finalize(upd);
	tp_rows_dispose(run->g, &pts);
	tp_transform_free(t);
	free(src);
	free(dst);
	return rc;
}

/* The running occupations, with their keys and points, into *out and *n. */
static int read_running(tp_run *run, occupation **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	occupation *o = NULL;
	size_t cap = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	rc = tp_store_prepare(run->db, &st, "SELECT id, site, vacancy_id, address, postcode, geom"
					    " FROM occupations WHERE status = 'running' ORDER BY id");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *addr = (const char *)sqlite3_column_text(st, 3);
		const void *wkb = sqlite3_column_blob(st, 5);
		GEOSGeometry *g = wkb ? tp_geo_from_wkb(run->g, wkb,
						       (size_t)sqlite3_column_bytes(st, 5)) : NULL;
		occupation *c;

		if ((rc = tp_array_room(&o, &cap, *n, sizeof(*o), 8))) {
			tp_geo_destroy(run->g, g);
			break;
		}
		c = &o[(*n)++];
		memset(c, 0, sizeof(*c));
		c->id = sqlite3_column_int64(st, 0);
		snprintf(c->site, sizeof(c->site), "%s", sqlite3_column_text(st, 1));
		if (sqlite3_column_text(st, 2))
			snprintf(c->vacancy_id, sizeof(c->vacancy_id), "%s", sqlite3_column_text(st, 2));
		if (addr)
			tp_address_key(addr, (const char *)sqlite3_column_text(st, 4), c->key,
				       sizeof(c->key));
		c->has_xy = g && tp_geo_point_xy(run->g, g, &c->x, &c->y);
		tp_geo_destroy(run->g, g);
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	if (rc) {
		free(o);
		*n = 0;
		return rc;
	}
	*out = o;
	return TP_OK;
}

/*
 * The vacancy each running occupation occupies: by id, else by address
 * key, else the nearest point within MATCH_METRES.  vac[i] gets the
 * vacancies.id found for occupation i (0: none) and how[i] the rule.
 */
static int match(tp_run *run, const occupation *o, size_t n, long long *vac, const char **how)
{
	sqlite3_stmt *st = NULL;
	double *best = NULL;
	size_t i;
	int rc, step;

	if (!(best = malloc(n * sizeof(*best))))
		return tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; i < n; i++) {
		vac[i] = 0;
		how[i] = NULL;
		best[i] = MATCH_METRES;
	}
	rc = tp_store_prepare(run->db, &st, "SELECT id, src_id, address, postcode, geom"
					    " FROM vacancies ORDER BY id");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *src = (const char *)sqlite3_column_text(st, 1);
		const char *addr = (const char *)sqlite3_column_text(st, 2);
		const void *wkb = sqlite3_column_blob(st, 4);
		char key[512] = "";
		double x = 0, y = 0;
		int has_xy = 0;

		for (i = 0; i < n; i++) {
			if (src && o[i].vacancy_id[0] && !strcmp(src, o[i].vacancy_id)) {
				vac[i] = id;
				how[i] = "id";
				continue;
			}
			if (how[i] && !strcmp(how[i], "id"))
				continue;
			if (o[i].key[0] && addr) {
				if (!key[0])
					tp_address_key(addr, (const char *)sqlite3_column_text(st, 3),
						       key, sizeof(key));
				if (!strcmp(key, o[i].key)) {
					vac[i] = id;
					how[i] = "address";
					continue;
				}
			}
			if (how[i] && !strcmp(how[i], "address"))
				continue;
			if (o[i].has_xy && wkb && !has_xy) {
				GEOSGeometry *g = tp_geo_from_wkb(run->g, wkb,
								  (size_t)sqlite3_column_bytes(st, 4));
				has_xy = g && tp_geo_point_xy(run->g, g, &x, &y) ? 1 : -1;
				tp_geo_destroy(run->g, g);
			}
			if (o[i].has_xy && has_xy > 0 && hypot(x - o[i].x, y - o[i].y) <= best[i]) {
				double d = hypot(x - o[i].x, y - o[i].y);
				if (!vac[i] || d < best[i]) {
					vac[i] = id;
					how[i] = "point";
					best[i] = d;
				}
			}
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	free(best);
	return rc;
}

/* Marks each vacancy a running occupation occupies, and the occupation
 * with its vacancy, its rule, its commune and (when it has none) its point. */
static int mark_occupied(tp_run *run)
{
	occupation *o = NULL;
	long long *vac = NULL;
	const char **how = NULL;
	sqlite3_stmt *v = NULL, *oc = NULL;
	size_t n = 0, i;
	int rc;

	rc = tp_store_exec(run->db, "UPDATE " TP_VACANCY_ROWS " SET occupation = NULL, occupied_by = NULL"
				    " WHERE occupation IS NOT NULL");
	if (!rc)
		rc = read_running(run, &o, &n);
	if (rc || !n)
		goto done;
	vac = calloc(n, sizeof(*vac));
	how = calloc(n, sizeof(*how));
	if (!vac || !how) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	rc = match(run, o, n, vac, how);
	if (!rc)
		rc = tp_store_prepare(run->db, &v, "UPDATE " TP_VACANCY_ROWS " SET occupation = ?,"
						   " occupied_by = ? WHERE id = ? AND occupation IS NULL");
	if (!rc)
		rc = tp_store_prepare(run->db, &oc,
				      "UPDATE occupations SET vacancy = ?1, matched_by = ?2,"
				      " nis_code = (SELECT nis_code FROM vacancies WHERE id = ?1),"
				      " geom = COALESCE(geom, (SELECT geom FROM vacancies WHERE id = ?1))"
				      " WHERE id = ?3");
	for (i = 0; i < n && !rc; i++) {
		if (!vac[i])
			continue;
		sqlite3_reset(v);
		sqlite3_bind_int64(v, 1, o[i].id);
		sqlite3_bind_text(v, 2, o[i].site, -1, SQLITE_STATIC);
		sqlite3_bind_int64(v, 3, vac[i]);
		sqlite3_reset(oc);
		sqlite3_bind_int64(oc, 1, vac[i]);
		sqlite3_bind_text(oc, 2, how[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(oc, 3, o[i].id);
		if (sqlite3_step(v) != SQLITE_DONE || sqlite3_step(oc) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
done:
	sqlite3_finalize(v);
	sqlite3_finalize(oc);
	free(o);
	free(vac);
	free(how);
	return rc;
}

/* The p-quantile of sorted x[0..n), interpolated at (n - 1) p. */
static double quantile(const double *x, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);

	return lo + 1 < n ? x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]) : x[lo];
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One row of occupation_durations per group of the occupations with a
 * duration: grouping "all" (grp NULL), "operator" and "owner_type" (grp
 * the operator's name or the owner code, NULL when the register leaves it
 * empty), each with median, quartiles and the share extended.
 */
static int durations(tp_run *run)
{
	static const char *const groupings[] = {"all", "operator", "owner_type"};
	sqlite3_stmt *st = NULL, *ins = NULL;
	double *m = NULL;
	long long total;
	char sql[512];
	size_t g;
	int rc;

	rc = tp_store_exec(run->db, "DELETE FROM occupation_durations");
	if (!rc)
		rc = tp_store_int(run->db, &total, "SELECT COUNT(*) FROM occupations");
	if (rc || !total)
		return rc;
	if (!(m = malloc((size_t)total * sizeof(*m))))
		return tp_error_set(TP_ERROR, "out of memory");
	rc = tp_store_prepare(run->db, &ins,
			      "INSERT INTO occupation_durations VALUES (?, ?, ?, ?, ?, ?, ?)");
	for (g = 0; g < 3 && !rc; g++) {
		const char *col = g ? groupings[g] : "NULL";
		int step;
		size_t n = 0, ext = 0;
		int first = 1;
		char cur[256] = "";
		int cur_null = 1;

		snprintf(sql, sizeof(sql), "SELECT %s, months, extended FROM occupations"
			 " WHERE months IS NOT NULL ORDER BY %s IS NULL, %s, months", col, col, col);
		sqlite3_finalize(st);
		st = NULL;
		rc = tp_store_prepare(run->db, &st, sql);
		for (;;) {
			const char *key = NULL;
			int is_null = 1, same;

			step = rc ? SQLITE_DONE : sqlite3_step(st);
			if (step == SQLITE_ROW) {
				key = (const char *)sqlite3_column_text(st, 0);
				is_null = key == NULL;
			}
			same = step == SQLITE_ROW && !first &&
			       (is_null ? cur_null : !cur_null && !strcmp(key, cur));
			if (!first && !same && n) {
				sqlite3_reset(ins);
				sqlite3_bind_text(ins, 1, groupings[g], -1, SQLITE_STATIC);
				if (cur_null)
					sqlite3_bind_null(ins, 2);
				else
					sqlite3_bind_text(ins, 2, cur, -1, SQLITE_TRANSIENT);
				qsort(m, n, sizeof(*m), by_value);
				sqlite3_bind_int64(ins, 3, (long long)n);
				sqlite3_bind_double(ins, 4, round(quantile(m, n, 0.5) * 10) / 10);
				sqlite3_bind_double(ins, 5, round(quantile(m, n, 0.25) * 10) / 10);
				sqlite3_bind_double(ins, 6, round(quantile(m, n, 0.75) * 10) / 10);
				sqlite3_bind_double(ins, 7, round((double)ext / (double)n * 1000) / 1000);
				if (sqlite3_step(ins) != SQLITE_DONE)
					rc = tp_error_set(TP_ERROR, "working store: %s",
							  sqlite3_errmsg(run->db));
				n = ext = 0;
			}
			if (step != SQLITE_ROW || rc)
				break;
			if (!same) {
				snprintf(cur, sizeof(cur), "%s", key ? key : "");
				cur_null = is_null;
			}
			first = 0;
			m[n++] = sqlite3_column_double(st, 1);
			ext += sqlite3_column_int(st, 2) != 0;
		}
		if (!rc && step != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	free(m);
	return rc;
}

/* Indicator rows whose NIS code names no commune, or repeats an earlier
 * row's in the same table, to rejects. */
static int check_indicators(tp_run *run)
{
	sqlite3_stmt *st = NULL, *rej = NULL, *del = NULL;
	int rc, step;

	rc = tp_store_prepare(run->db, &st,
			      "SELECT r.id, r.nis_code, (SELECT MIN(d.src_row) FROM indicators d"
			      " WHERE d.indicator = r.indicator AND d.nis_code = r.nis_code"
			      " AND d.id < r.id), EXISTS (SELECT 1 FROM communes c"
			      " WHERE c.nis_code = r.nis_code) FROM indicators r ORDER BY r.id");
	if (!rc)
		rc = tp_store_prepare(run->db, &rej,
				      "INSERT INTO rejects(input, source_file, layer, src_row, stage,"
				      " field, reason, original, nis_code) SELECT 'indicators.' ||"
				      " r.indicator, s.path, s.layer, r.src_row, 'register', 'nis_code',"
				      " ?2, r.original, NULL FROM indicators r JOIN input_stats s"
				      " ON s.input = 'indicators.' || r.indicator WHERE r.id = ?1");
	if (!rc)
		rc = tp_store_prepare(run->db, &del, "DELETE FROM indicators WHERE id = ?");
	/* the rows are read before any is deleted: a duplicate names the first row */
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		char why[256];
		const char *nis = (const char *)sqlite3_column_text(st, 1);

		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			snprintf(why, sizeof(why), "duplicate of row %lld (same NIS code)",
				 sqlite3_column_int64(st, 2));
		else if (!sqlite3_column_int(st, 3))
			snprintf(why, sizeof(why), "unknown NIS code '%.40s': no commune of the "
				 "communes layer has it", nis);
		else
			continue;
		sqlite3_reset(rej);
		sqlite3_bind_int64(rej, 1, sqlite3_column_int64(st, 0));
		sqlite3_bind_text(rej, 2, why, -1, SQLITE_TRANSIENT);
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, sqlite3_column_int64(st, 0));
		if (sqlite3_step(rej) != SQLITE_DONE || sqlite3_step(del) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	sqlite3_finalize(rej);
	sqlite3_finalize(del);
	return rc;
}

int tp_stage_register(tp_run *run)
{
	long ref;
	int rc;

	if (tp_date_iso_days(run->cfg->reference_date, &ref))
		return tp_error_set(TP_ECONFIG, "%s: [run] reference_date: not a date: '%s'",
				    run->cfg->path, run->cfg->reference_date);
	rc = check_occupations(run, ref);
	if (!rc)
		rc = place_occupations(run);
	if (!rc)
		rc = mark_occupied(run);
	if (!rc)
		rc = durations(run);
	if (!rc)
		rc = check_indicators(run);
	return rc;
}

/* Prints what the occupations and the indicator tables' rows became
 * (the run's summary, after the three inputs'). */
int tp_register_summary(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	rc = tp_store_prepare(db, &st,
			      "SELECT s.input, s.read, (SELECT COUNT(*) FROM rejects r"
			      " WHERE r.input = s.input), s.input = 'occupations'"
			      " FROM input_stats s WHERE s.input = 'occupations'"
			      " OR s.input LIKE 'indicators.%' ORDER BY s.rowid");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long long n = sqlite3_column_int64(st, 1), r = sqlite3_column_int64(st, 2);
		long long running = 0, occupied = 0, with = 0, ext = 0;
		sqlite3_stmt *d = NULL;

		printf("%s read %lld, accepted %lld, rejected %lld", sqlite3_column_text(st, 0), n,
		       n - r, r);
		if (sqlite3_column_int(st, 3)) {
			tp_store_int(db, &running, "SELECT COUNT(*) FROM occupations"
						   " WHERE status = 'running'");
			tp_store_int(db, &occupied, "SELECT COUNT(*) FROM vacancies"
						    " WHERE occupied_by IS NOT NULL");
			printf("; %lld running, %lld vacanc%s occupied", running, occupied,
			       occupied == 1 ? "y" : "ies");
			if (!tp_store_prepare(db, &d, "SELECT MIN(months), MAX(months), median, q1, q3,"
						      " occupations, share_extended, (SELECT CAST(value"
						      " AS REAL) FROM meta WHERE key = 'min_window_months')"
						      " FROM occupation_durations, occupations"
						      " WHERE grouping = 'all' AND months IS NOT NULL") &&
			    sqlite3_step(d) == SQLITE_ROW && sqlite3_column_type(d, 2) != SQLITE_NULL) {
				with = sqlite3_column_int64(d, 5);
				ext = llround(sqlite3_column_double(d, 6) * (double)with);
				printf("; durations %.1f to %.1f months, median %.1f (quartiles %.1f to"
				       " %.1f), %lld of %lld extended, against min_window_months %g",
				       sqlite3_column_double(d, 0), sqlite3_column_double(d, 1),
				       sqlite3_column_double(d, 2), sqlite3_column_double(d, 3),
				       sqlite3_column_double(d, 4), ext, with,
				       sqlite3_column_double(d, 7));
			}
			sqlite3_finalize(d);
		}
		printf("\n");
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- the ending stage ------------------------------------------------ */

/* A candidate's point and rank. */
typedef struct {
	long long id, rank; /* vacancies.id, its rank */
	double x, y;        /* its point */
	double d;           /* distance to the occupation looked at */
} cand;

static int by_distance(const void *a, const void *b)
{
	const cand *x = a, *y = b;

	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

int tp_stage_ending(tp_run *run)
{
	tp_rows cands = {0};
	cand *c = NULL;
	sqlite3_stmt *st = NULL, *ins = NULL;
	size_t i, n = 0;
	long long ending = 0;
	long ref;
	int rc, step = SQLITE_DONE;

	if (tp_date_iso_days(run->cfg->reference_date, &ref))
		return tp_error_set(TP_ECONFIG, "%s: [run] reference_date: not a date: '%s'",
				    run->cfg->path, run->cfg->reference_date);
	rc = tp_store_exec(run->db, "DELETE FROM occupations_ending");
	/* without an occupation running to an end, the candidates are not read */
	if (!rc)
		rc = tp_store_int(run->db, &ending, "SELECT COUNT(*) FROM occupations"
						    " WHERE status = 'running' AND current_end IS NOT NULL");
	if (rc || !ending)
		return rc;
	rc = tp_rows_load(run, &cands, "SELECT id, geom, NULL, rank FROM vacancies"
				       " WHERE candidate = 1 ORDER BY rank");
	if (!rc && cands.n && !(c = malloc(cands.n * sizeof(*c))))
		rc = tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; i < cands.n && !rc; i++)
		if (cands.geom[i] && tp_geo_point_xy(run->g, cands.geom[i], &c[n].x, &c[n].y)) {
			c[n].id = cands.id[i];
			c[n].rank = (long long)cands.value[i];
			n++;
		}
	if (!rc)
		rc = tp_store_prepare(run->db, &st, "SELECT id, site, current_end, geom FROM occupations"
						    " WHERE status = 'running' AND current_end IS NOT NULL"
						    " ORDER BY current_end, id");
	if (!rc)
		rc = tp_store_prepare(run->db, &ins, "INSERT INTO occupations_ending VALUES"
						     " (?, ?, ?, ?, ?, ?, ?, ?)");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *end = (const char *)sqlite3_column_text(st, 2);
		const void *wkb = sqlite3_column_blob(st, 3);
		GEOSGeometry *g = NULL;
		double left, x, y;
		long e;
		size_t k, shown;
		int placed;

		if (tp_date_iso_days(end, &e))
			continue;
		left = (double)(e - ref) / DAYS_PER_MONTH;
		if (left < 0 || left > ENDING_MONTHS)
			continue;
		g = wkb ? tp_geo_from_wkb(run->g, wkb, (size_t)sqlite3_column_bytes(st, 3)) : NULL;
		placed = g && tp_geo_point_xy(run->g, g, &x, &y);
		tp_geo_destroy(run->g, g);
		for (k = 0; placed && k < n; k++)
			c[k].d = hypot(c[k].x - x, c[k].y - y);
		if (placed && n)
			qsort(c, n, sizeof(*c), by_distance);
		shown = placed ? (n < NEAREST ? n : NEAREST) : 0;
		for (k = 0; k < (shown ? shown : 1) && !rc; k++) {
			sqlite3_reset(ins);
			sqlite3_bind_int64(ins, 1, sqlite3_column_int64(st, 0));
			sqlite3_bind_text(ins, 2, (const char *)sqlite3_column_text(st, 1), -1,
					  SQLITE_TRANSIENT);
			sqlite3_bind_text(ins, 3, end, -1, SQLITE_TRANSIENT);
			sqlite3_bind_double(ins, 4, round(left * 10) / 10);
			if (shown) {
				sqlite3_bind_int64(ins, 5, (long long)k + 1);
				sqlite3_bind_int64(ins, 6, c[k].rank);
				sqlite3_bind_int64(ins, 7, c[k].id);
				sqlite3_bind_double(ins, 8, round(c[k].d));
			} else {
				sqlite3_bind_null(ins, 5);
				sqlite3_bind_null(ins, 6);
				sqlite3_bind_null(ins, 7);
				sqlite3_bind_null(ins, 8);
			}
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	free(c);
	tp_rows_dispose(run->g, &cands);
	return rc;
}

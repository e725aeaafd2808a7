/*
 * summarise.c: the summarise stage.  One commune_summary row per commune:
 * the people apportioned to it per category and in all (zone_shares x
 * zones), its vacancy records, empty and candidate dwellings, capacity, the
 * capacity shares and the need (people per empty dwelling), all exact: for
 * internal outputs only (the public ones, and the score, use protect.c's).  The people columns come from geo/categories.h.
 * The vacancies are summed per commune in one pass (vacsums.h) and joined
 * as a VALUES list; SQL's GROUP BY, which sorts them, when those sums
 * might not be SQL's.
 */
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "pipeline/vacsums.h"
#include "geo/categories.h"
#include "geo/error.h"

#include <string.h>

/* Pieces of the summarise SQL made from the people categories (geo/categories.h). */
#define NAME(c, fr, nl, aliases) ", " #c
#define COALESCE_P(c, fr, nl, aliases) ", COALESCE(p." #c ", 0)"
#define SHARE_OF(c, fr, nl, aliases) ", SUM(z." #c " * s.share) AS " #c

/* The vacancies per commune as SQL groups them: the fallback of sums_sql. */
#define VACANCIES_BY_SQL \
	"SELECT nis_code, COUNT(*) AS n, SUM(dwellings) AS d, SUM(candidate) AS cn," \
	" SUM(CASE WHEN candidate = 1 THEN dwellings ELSE 0 END) AS cd," \
	" SUM(COALESCE(capacity, 0)) AS cap FROM vacancies GROUP BY nis_code"

/* Binds value (NULL when has is 0) at parameter p. */
static void bind_sum(sqlite3_stmt *st, int p, long long value, int has)
{
	if (has)
		sqlite3_bind_int64(st, p, value);
	else
		sqlite3_bind_null(st, p);
}

/*
 * The subquery of the vacancies per commune: the sums of one pass
 * (vacsums.h) as a VALUES list, bound into st by bind_sums, when they are
 * SQL's own; else VACANCIES_BY_SQL, which sorts every row first.  NULL on
 * out of memory; sqlite3_free() it.
 */
static char *sums_sql(const tp_vacsums *vs)
{
	sqlite3_str *sql;
	size_t i;

	if (!vs->exact || !vs->capacity_exact || !vs->n)
		return sqlite3_mprintf("%s", VACANCIES_BY_SQL);
	sql = sqlite3_str_new(NULL);
	sqlite3_str_appendall(sql, "SELECT column1 AS nis_code, column2 AS n, column3 AS d,"
				   " column4 AS cn, column5 AS cd, column6 AS cap FROM (VALUES");
	for (i = 0; i < vs->n; i++)
		sqlite3_str_appendall(sql, i ? ", (?, ?, ?, ?, ?, ?)" : " (?, ?, ?, ?, ?, ?)");
	sqlite3_str_appendall(sql, ")");
	return sqlite3_str_finish(sql);
}

/* Binds the sums of vs into st, the VALUES list of sums_sql, from parameter 1. */
static void bind_sums(sqlite3_stmt *st, const tp_vacsums *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++) {
		const tp_vacsum *v = &vs->v[i];
		int p = (int)(6 * i) + 1;

		sqlite3_bind_text(st, p, v->nis_code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, p + 1, v->records);
		bind_sum(st, p + 2, v->dwellings, v->has_dwellings);
		bind_sum(st, p + 3, v->candidates, v->has_candidates);
		bind_sum(st, p + 4, v->cand_dwellings, v->has_cand_dwellings);
		if (v->capacity_real)
			sqlite3_bind_double(st, p + 5, v->capacity);
		else
			sqlite3_bind_int64(st, p + 5, 0);
	}
}

int tp_stage_summarise(tp_run *run)
{
	tp_vacsums vs = {0};
	sqlite3_stmt *st = NULL;
	char *sums = NULL, *sql = NULL;
	int rc = tp_store_exec(run->db, "DELETE FROM commune_summary");

	if (!rc)
		rc = tp_vacsums_read(run, &vs);
	if (!rc && !(sums = sums_sql(&vs)))
		rc = tp_error_set(TP_ERROR, "out of memory");
	if (!rc && !(sql = sqlite3_mprintf(
		"INSERT INTO commune_summary(nis_code" TP_PEOPLE(NAME) ","
		" vacancy_records, empty_dwellings, candidate_buildings, candidate_dwellings,"
		" capacity, capacity_share_public, capacity_share_total, need,"
		" rejected_records, rejected_dwellings)"
		" SELECT c.nis_code" TP_CATEGORIES(COALESCE_P) ", COALESCE(p.tot, 0),"
		" COALESCE(v.n, 0), COALESCE(v.d, 0), COALESCE(v.cn, 0), COALESCE(v.cd, 0),"
		" COALESCE(v.cap, 0),"
		" CASE WHEN p.public_space > 0 THEN COALESCE(v.cap, 0) / p.public_space END,"
		" CASE WHEN p.tot > 0 THEN COALESCE(v.cap, 0) / p.tot END,"
		" CASE WHEN v.d > 0 THEN COALESCE(p.tot, 0) / v.d END,"
		" COALESCE(j.n, 0), COALESCE(j.d, 0)"
		" FROM communes c"
		" LEFT JOIN (SELECT s.nis_code" TP_CATEGORIES(SHARE_OF) ","
		"  SUM(s.people) AS tot FROM zone_shares s JOIN zones z USING (zone_id)"
		"  GROUP BY s.nis_code) p USING (nis_code)"
		" LEFT JOIN (%s) v USING (nis_code)"
		/* the vacancy records rejected that can be placed in the commune, each
		 * once however many of its fields were refused */
		" LEFT JOIN (SELECT nis_code, COUNT(*) AS n, SUM(COALESCE(d, 0)) AS d"
		"  FROM (SELECT nis_code, src_row, MAX(dwellings) AS d FROM rejects"
		"  WHERE input = 'vacancies' AND nis_code IS NOT NULL GROUP BY nis_code, src_row)"
		"  GROUP BY nis_code) j USING (nis_code)"
		" ORDER BY c.nis_code", sums)))
		rc = tp_error_set(TP_ERROR, "out of memory");
	if (!rc)
		rc = tp_store_prepare(run->db, &st, sql);
	if (!rc && strcmp(sums, VACANCIES_BY_SQL))
		bind_sums(st, &vs);
	if (!rc && sqlite3_step(st) != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: commune_summary: %s",
				  sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	sqlite3_free(sql);
	sqlite3_free(sums);
	tp_vacsums_dispose(&vs);
	return rc;
}

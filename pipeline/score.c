/*
 * score.c: the score and summarise stages.
 *
 * A vacancy is a candidate for a temporary occupation when all of these
 * hold, checked in this order (the first that fails is its status):
 *   1. it has at least one dwelling;
 *   2. its reason is not works under way (R1) nor allocation;
 *   3. its owner is public (sisp, cpas, commune, regie, citydev) or an AIS;
 *      a private owner only when the record says the owner agreed;
 *   4. it has a planned works start, and the window from the reference
 *      date to that start is at least min_window_months.
 * Months are days / 30.436875 (the mean Gregorian month).
 *
 * Score (0..100) = 50 * min(window / 60, 1)          -- a long window
 *                + 20 * min(dwellings / 20, 1)       -- room for more people
 *                + 30 * floor(10 * need / max_need) / 10  -- need in its commune
 * where need = people counted in the commune (apportioned) / empty
 * dwellings in the commune, and max_need is the largest need of any
 * commune.  The README states the same formula.
 */
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/categories.h"
#include "geo/dates.h"
#include "geo/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_PER_MONTH 30.436875

/* Need per commune: people counted (apportioned) per empty dwelling. */
#define NEED_CTE \
	"WITH people AS (SELECT nis_code, SUM(people) AS p FROM zone_shares GROUP BY nis_code)," \
	" empty AS (SELECT nis_code, SUM(dwellings) AS d FROM vacancies GROUP BY nis_code)," \
	" need AS (SELECT e.nis_code, COALESCE(p.p, 0) / e.d AS need FROM empty e" \
	" LEFT JOIN people p USING (nis_code) WHERE e.d > 0) "

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

int tp_stage_score(tp_run *run)
{
	const tp_config *cfg = run->cfg;
	sqlite3_stmt *st = NULL, *upd = NULL;
	char status[256], buf[64];
	long ref;
	int rc, step = SQLITE_DONE;

	if (tp_date_iso_days(cfg->reference_date, &ref))
		return tp_error_set(TP_ECONFIG, "%s: [run] reference_date: not a date: '%s'",
				    cfg->path, cfg->reference_date);
	rc = tp_store_meta_set(run->db, "reference_date", cfg->reference_date);
	snprintf(buf, sizeof(buf), "%g", cfg->min_window_months);
	if (!rc)
		rc = tp_store_meta_set(run->db, "min_window_months", buf);
	snprintf(buf, sizeof(buf), "%g", cfg->occupancy);
	if (!rc)
		rc = tp_store_meta_set(run->db, "occupancy", buf);
	if (!rc)
		rc = tp_store_exec(run->db,
				   "UPDATE vacancies SET candidate = 0, status = NULL,"
				   " window_months = NULL, capacity = NULL, score = NULL, rank = NULL");
	if (!rc)
		rc = tp_store_prepare(run->db, &st,
				      NEED_CTE
				      "SELECT v.id, v.dwellings, v.reason, v.owner_type,"
				      " v.owner_agreed, v.works_start, COALESCE(n.need, 0),"
				      " (SELECT MAX(need) FROM need)"
				      " FROM vacancies v LEFT JOIN need n USING (nis_code) ORDER BY v.id");
	if (!rc)
		rc = tp_store_prepare(run->db, &upd,
				      "UPDATE vacancies SET candidate = ?, status = ?,"
				      " window_months = ?, capacity = ?, score = ? WHERE id = ?");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long long dwellings = sqlite3_column_int64(st, 1);
		const char *reason = (const char *)sqlite3_column_text(st, 2);
		const char *owner = (const char *)sqlite3_column_text(st, 3);
		int agreed = sqlite3_column_int(st, 4);
		const char *works = (const char *)sqlite3_column_text(st, 5);
		double need = sqlite3_column_double(st, 6);
		double max_need = sqlite3_column_double(st, 7);
		double window = NAN;
		long start;
		int candidate = 0;

		if (works && tp_date_iso_days(works, &start) == 0)
			window = round((double)(start - ref) / DAYS_PER_MONTH * 10) / 10;
		if (dwellings < 1)
			snprintf(status, sizeof(status), "not a candidate: no dwelling");
		else if (reason && !strcmp(reason, "works"))
			snprintf(status, sizeof(status), "not a candidate: works under way (R1)");
		else if (reason && !strcmp(reason, "allocation"))
			snprintf(status, sizeof(status), "not a candidate: being allocated to tenants");
		else if (owner && !strcmp(owner, "private") && agreed != 1)
			snprintf(status, sizeof(status),
				 "not a candidate: private owner without a recorded agreement");
		else if (isnan(window))
			snprintf(status, sizeof(status),
				 "not a candidate: no planned works start, so the window is unknown");
		else if (window < cfg->min_window_months)
			snprintf(status, sizeof(status),
				 "not a candidate: %.1f-month window, under the %g-month minimum",
				 window, cfg->min_window_months);
		else {
			candidate = 1;
			snprintf(status, sizeof(status), "candidate: %.1f-month window, %lld dwelling%s",
				 window, dwellings, dwellings > 1 ? "s" : "");
		}
		sqlite3_reset(upd);
		sqlite3_bind_int(upd, 1, candidate);
		sqlite3_bind_text(upd, 2, status, -1, SQLITE_TRANSIENT);
		if (isnan(window))
			sqlite3_bind_null(upd, 3);
		else
			sqlite3_bind_double(upd, 3, window);
		if (candidate) {
			/* need in tenths of the largest: a published score must not let
			 * anyone work a commune's exact count of people back out */
			double tenths = max_need > 0 ? floor(need / max_need * 10) / 10 : 0;
			double score = 50 * clamp01(window / 60) + 20 * clamp01(dwellings / 20.0) +
				       30 * tenths;
			sqlite3_bind_double(upd, 4, (double)dwellings * cfg->occupancy);
			sqlite3_bind_double(upd, 5, round(score * 10) / 10);
		} else {
			sqlite3_bind_null(upd, 4);
			sqlite3_bind_null(upd, 5);
		}
		sqlite3_bind_int64(upd, 6, sqlite3_column_int64(st, 0));
		if (sqlite3_step(upd) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	/* a read that stops early must not leave part of the scores written */
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: cannot read the vacancies to score: %s",
				  sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	sqlite3_finalize(upd);
	if (!rc)
		rc = tp_store_exec(run->db,
				   "UPDATE vacancies SET rank = (SELECT r FROM (SELECT id, ROW_NUMBER()"
				   " OVER (ORDER BY score DESC, dwellings DESC, src_row) AS r"
				   " FROM vacancies WHERE candidate = 1) o WHERE o.id = vacancies.id)"
				   " WHERE candidate = 1");
	return rc;
}

/* Pieces of the summarise SQL made from the people categories (geo/categories.h). */
#define NAME(c, fr, nl, aliases) ", " #c
#define COALESCE_P(c, fr, nl, aliases) ", COALESCE(p." #c ", 0)"
#define SHARE_OF(c, fr, nl, aliases) ", SUM(z." #c " * s.share) AS " #c

int tp_stage_summarise(tp_run *run)
{
	int rc = tp_store_exec(run->db, "DELETE FROM commune_summary");

	if (rc)
		return rc;
	return tp_store_exec(
		run->db,
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
		" LEFT JOIN (SELECT nis_code, COUNT(*) AS n, SUM(dwellings) AS d,"
		"  SUM(candidate) AS cn, SUM(CASE WHEN candidate = 1 THEN dwellings ELSE 0 END) AS cd,"
		"  SUM(COALESCE(capacity, 0)) AS cap FROM vacancies GROUP BY nis_code) v"
		" USING (nis_code)"
		/* the vacancy records rejected that can be placed in the commune, each
		 * once however many of its fields were refused */
		" LEFT JOIN (SELECT nis_code, COUNT(*) AS n, SUM(COALESCE(d, 0)) AS d"
		"  FROM (SELECT nis_code, src_row, MAX(dwellings) AS d FROM rejects"
		"  WHERE input = 'vacancies' AND nis_code IS NOT NULL GROUP BY nis_code, src_row)"
		"  GROUP BY nis_code) j USING (nis_code)"
		" ORDER BY c.nis_code");
}

/*
 * summarise.c: the summarise stage.  One commune_summary row per commune:
 * the people apportioned to it per category and in all (zone_shares x
 * zones), its vacancy records, empty and candidate dwellings, capacity, the
 * capacity shares and the need (people per empty dwelling), all exact: for
 * internal outputs only (the public ones, and the score, use protect.c's).  The people columns come from geo/categories.h.
 * The vacancies per commune: records and empty dwellings are the
 * snapshots stage's count of the scored snapshot (vacancy_flows, as
 * protect's need takes them), candidates and capacity the score stage's
 * sums (vacancy_sums, vacsums.h): summarise reads no vacancy.
 */
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/categories.h"
#include "geo/error.h"

/* Pieces of the summarise SQL made from the people categories (geo/categories.h). */
#define NAME(c, fr, nl, aliases) ", " #c
#define COALESCE_P(c, fr, nl, aliases) ", COALESCE(p." #c ", 0)"
#define SHARE_OF(c, fr, nl, aliases) ", SUM(z." #c " * s.share) AS " #c

int tp_stage_summarise(tp_run *run)
{
	int rc = tp_store_exec(run->db, "DELETE FROM commune_summary");

	if (!rc)
		rc = tp_store_exec(run->db,
		"INSERT INTO commune_summary(nis_code" TP_PEOPLE(NAME) ","
		" vacancy_records, empty_dwellings, candidate_buildings, candidate_dwellings,"
		" capacity, capacity_share_public, capacity_share_total, need,"
		" rejected_records, rejected_dwellings)"
		" SELECT c.nis_code" TP_CATEGORIES(COALESCE_P) ", COALESCE(p.tot, 0),"
		" COALESCE(f.n, 0), COALESCE(f.d, 0), COALESCE(v.cn, 0), COALESCE(v.cd, 0),"
		" COALESCE(v.cap, 0),"
		" CASE WHEN p.public_space > 0 THEN COALESCE(v.cap, 0) / p.public_space END,"
		" CASE WHEN p.tot > 0 THEN COALESCE(v.cap, 0) / p.tot END,"
		" CASE WHEN f.d > 0 THEN COALESCE(p.tot, 0) / f.d END,"
		" COALESCE(j.n, 0), COALESCE(j.d, 0)"
		" FROM communes c"
		" LEFT JOIN (SELECT s.nis_code" TP_CATEGORIES(SHARE_OF) ","
		"  SUM(s.people) AS tot FROM zone_shares s JOIN zones z USING (zone_id)"
		"  GROUP BY s.nis_code) p USING (nis_code)"
		/* a nis_code of several commune rows has its records on the first's (snapshots.c) */
		" LEFT JOIN (SELECT nis_code, SUM(empty_records) AS n, SUM(empty_dwellings) AS d"
		"  FROM vacancy_flows WHERE snapshot = (SELECT MAX(snapshot) FROM vacancy_flows)"
		"  AND nis_code IS NOT NULL GROUP BY nis_code) f USING (nis_code)"
		" LEFT JOIN (SELECT nis_code, candidates AS cn, candidate_dwellings AS cd,"
		"  capacity AS cap FROM vacancy_sums) v USING (nis_code)"
		/* the vacancy records rejected that can be placed in the commune, each
		 * once however many of its fields were refused */
		" LEFT JOIN (SELECT nis_code, COUNT(*) AS n, SUM(COALESCE(d, 0)) AS d"
		"  FROM (SELECT nis_code, src_row, MAX(dwellings) AS d FROM rejects"
		"  WHERE input = 'vacancies' AND nis_code IS NOT NULL GROUP BY nis_code, src_row)"
		"  GROUP BY nis_code) j USING (nis_code)"
		" ORDER BY c.nis_code");
	return rc;
}

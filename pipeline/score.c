/*
 * score.c: the score stage.
 *
 * A vacancy is a candidate for a temporary occupation when all of these
 * hold, checked in this order (the first that fails is its status):
 *   1. it has at least one dwelling;
 *   2. its reason is not works under way (R1) nor allocation;
 *   3. its owner is public (sisp, cpas, commune, regie, citydev) or an AIS;
 *      a private owner only when the record says the owner agreed;
 *   4. it has a planned works start, and the window from the reference
 *      date to that start is at least min_window_months.
 * Before all of them: a vacancy a running occupation of the register
 * occupies (register.c) is "occupied", its status naming the site.
 * Months are days / 30.436875 (the mean Gregorian month).
 *
 * Score (0..100) = 50 * min(window / 60, 1)          -- a long window
 *                + 20 * min(dwellings / 20, 1)       -- room for more people
 *                + 30 * floor(10 * need / max_need) / 10  -- need in its commune
 * where need = people counted in the commune / empty dwellings in the
 * commune, and max_need is the largest need of any commune.  The people
 * are the commune's published total (public_communes, made by the protect
 * stage from the published zone figures, see protect.c), not the exact
 * apportioned count: a published score must not let anyone work a
 * commune's exact count back out.  A commune whose total is withheld has
 * no need (NULL) and gets 0 for it.  The README states the same formula.  Candidates are ranked by
 * score, then dwellings (both descending), then source row.
 *
 * One pass in C: the vacancies are read once, judged and scored in memory,
 * the candidates ranked by a sort, and each row's results written once
 * (rank included), appended in id order to a narrow table of their own.
 * The same pass sums them per commune for summarise (vacsums.h): reading
 * the million rows again, through the view, was summarise's whole time.
 */
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "pipeline/vacsums.h"
#include "geo/bigbuf.h"
#include "geo/categories.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "geo/sqlbatch.h"
#include "inputs/text.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_PER_MONTH 30.436875

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* Why a vacancy is or is not a candidate: the first rule that fails. */
enum verdict {
	V_OCCUPIED,
	V_NO_DWELLING,
	V_WORKS,
	V_ALLOCATION,
	V_PRIVATE,
	V_NO_WINDOW,
	V_SHORT_WINDOW,
	V_CANDIDATE,
};

typedef struct {
	long long id;         /* vacancies.id */
	long long src_row;    /* source row, the last tie-break of the rank; LLONG_MIN when NULL */
	long long dwellings;  /* empty dwellings */
	double window;        /* months to the works start, NAN when unknown */
	double score;         /* the candidate's score */
	long long rank;       /* 1.. among candidates, 0 for the others */
	enum verdict verdict; /* the rule that decided */
} scored;

/*
 * The status sentence of v: a constant, or written into buf of size len
 * (the window's digits by tp_num_sql1f, as "%.1f" writes a tenth, -0.0 as
 * 0.0; minimum is the configured minimum as "%g").  printf per row was a
 * sixth of the stage, and snprintf joining the parts still 10 % of it
 * (1,900 instructions a call: glibc takes its slow positional path in every
 * process that loads libquadmath, as GDAL does; docs/performance-notes.md).
 */
static const char *status_text(char *buf, size_t len, const scored *v, const char *minimum)
{
	char w[32], d[24];
	const char *part[7];

	switch (v->verdict) {
	case V_OCCUPIED: /* the site is named by write_scores */
		return "occupied";
	case V_NO_DWELLING:
		return "not a candidate: no dwelling";
	case V_WORKS:
		return "not a candidate: works under way (R1)";
	case V_ALLOCATION:
		return "not a candidate: being allocated to tenants";
	case V_PRIVATE:
		return "not a candidate: private owner without a recorded agreement";
	case V_NO_WINDOW:
		return "not a candidate: no planned works start, so the window is unknown";
	case V_SHORT_WINDOW:
		part[0] = "not a candidate: ";
		part[1] = tp_num_sql1f(w, sizeof(w), v->window + 0.0);
		part[2] = "-month window, under the ";
		part[3] = minimum;
		part[4] = "-month minimum";
		return tp_text_join(buf, len, part, 5, "");
	case V_CANDIDATE:
		part[0] = "candidate: ";
		part[1] = tp_num_sql1f(w, sizeof(w), v->window + 0.0);
		part[2] = "-month window, ";
		part[3] = tp_num_int(d, v->dwellings);
		part[4] = " dwelling";
		part[5] = v->dwellings > 1 ? "s" : "";
		return tp_text_join(buf, len, part, 6, "");
	}
	return "";
}

/* A candidate's capacity: its dwellings times the occupancy. */
static double capacity_of(const scored *v, const tp_config *cfg)
{
	return (double)v->dwellings * cfg->occupancy;
}

/* Rank order: score, then dwellings, both descending, then source row. */
static int by_rank(const void *a, const void *b)
{
	const scored *x = *(const scored *const *)a, *y = *(const scored *const *)b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->dwellings != y->dwellings)
		return x->dwellings > y->dwellings ? -1 : 1;
	return (x->src_row > y->src_row) - (x->src_row < y->src_row);
}

/* Judges and scores the current row of st (the rows' query of
 * read_vacancies) into v, need being its commune's (0 when none) and
 * max_need the largest. */
static void judge(const tp_config *cfg, long ref, sqlite3_stmt *st, double need,
		  double max_need, scored *v)
{
	const char *reason = (const char *)sqlite3_column_text(st, 2);
	const char *owner = (const char *)sqlite3_column_text(st, 3);
	int agreed = sqlite3_column_int(st, 4);
	const char *works = (const char *)sqlite3_column_text(st, 5);
	long start;

	v->id = sqlite3_column_int64(st, 0);
	v->dwellings = sqlite3_column_int64(st, 1);
	v->src_row = sqlite3_column_type(st, 6) == SQLITE_NULL ? LLONG_MIN
		     : sqlite3_column_int64(st, 6);
	v->window = NAN;
	v->score = 0;
	v->rank = 0;
	if (works && tp_date_iso_days(works, &start) == 0)
		v->window = round((double)(start - ref) / DAYS_PER_MONTH * 10) / 10;
	if (sqlite3_column_type(st, 7) != SQLITE_NULL)
		v->verdict = V_OCCUPIED;
	else if (v->dwellings < 1)
		v->verdict = V_NO_DWELLING;
	else if (reason && !strcmp(reason, "works"))
		v->verdict = V_WORKS;
	else if (reason && !strcmp(reason, "allocation"))
		v->verdict = V_ALLOCATION;
	else if (owner && !strcmp(owner, "private") && agreed != 1)
		v->verdict = V_PRIVATE;
	else if (isnan(v->window))
		v->verdict = V_NO_WINDOW;
	else if (v->window < cfg->min_window_months)
		v->verdict = V_SHORT_WINDOW;
	else {
		/* need in tenths of the largest, as the README says */
		double tenths = max_need > 0 ? floor(need / max_need * 10) / 10 : 0;
		double score = 50 * clamp01(v->window / 60) + 20 * clamp01(v->dwellings / 20.0) +
			       30 * tenths;
		v->verdict = V_CANDIDATE;
		v->score = round(score * 10) / 10;
	}
}

/* The communes' needs (public_communes, those not withheld), sorted by
 * NIS code, and the largest (0 when none). */
typedef struct {
	char **key;      /* nis_code, ascending */
	double *need;    /* its need */
	size_t n;        /* communes */
	double max;      /* the largest need, 0 when none */
	int any;         /* 1 when a commune has a need */
} needs;

static void needs_dispose(needs *nd)
{
	size_t i;

	for (i = 0; i < nd->n; i++)
		free(nd->key[i]);
	free(nd->key);
	free(nd->need);
	memset(nd, 0, sizeof(*nd));
}

static int by_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads the needs into *nd (needs_dispose).  SQLite's order of text
 * (BINARY) is strcmp's, which need_of searches by. */
static int read_needs(tp_run *run, needs *nd)
{
	sqlite3_stmt *st = NULL;
	int rc, step = SQLITE_DONE;

	rc = tp_store_prepare(run->db, &st, "SELECT nis_code, need FROM public_communes"
					    " WHERE need IS NOT NULL ORDER BY nis_code");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		double need = sqlite3_column_double(st, 1);
		size_t i = nd->n;
		char **keys;
		double *vals;

		nd->max = nd->any && nd->max >= need ? nd->max : need;
		nd->any = 1;
		if (!key)
			continue;
		keys = realloc(nd->key, (i + 1) * sizeof(*keys));
		if (keys)
			nd->key = keys;
		vals = keys ? realloc(nd->need, (i + 1) * sizeof(*vals)) : NULL;
		if (vals)
			nd->need = vals;
		if (!keys || !vals || !(keys[i] = strdup(key))) {
			rc = tp_error_set(TP_ERROR, "out of memory");
			break;
		}
		vals[i] = need;
		nd->n++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: cannot read the communes' needs: %s",
				  sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	return rc;
}

/* The need of commune key (NULL: none) in nd, 0 when it has none. */
static double need_of(const needs *nd, const char *key)
{
	char *const *hit = key && nd->n ? bsearch(&key, nd->key, nd->n, sizeof(*nd->key), by_key)
					: NULL;

	return hit ? nd->need[hit - nd->key] : 0;
}

/*
 * Every vacancy judged and scored, in id order, into *out (tp_big_free)
 * and *n, and summed per commune into sums.  The rows and their places
 * (store.h) are read side by side, both in id order, rather than through
 * the view's join: a look-up per row fewer.
 */
static int read_vacancies(tp_run *run, long ref, scored **out, size_t *n, tp_vacsums *sums)
{
	sqlite3_stmt *st = NULL, *pl = NULL;
	needs nd = {0};
	scored *v = NULL;
	size_t cap = 0, k = 0;
	long long count;
	int rc, step = SQLITE_DONE, pstep = SQLITE_DONE;

	rc = tp_store_int(run->db, &count, "SELECT COUNT(*) FROM " TP_VACANCY_ROWS);
	if (!rc) {
		cap = count > 0 ? (size_t)count : 1;
		if (!(v = tp_big_alloc(cap * sizeof(*v))))
			rc = tp_error_set(TP_ERROR, "out of memory for %zu vacancies", cap);
	}
	if (!rc)
		rc = read_needs(run, &nd);
	if (!rc)
		rc = tp_store_prepare(run->db, &st,
				      "SELECT id, dwellings, reason, owner_type, owner_agreed,"
				      " works_start, src_row, occupation FROM " TP_VACANCY_ROWS
				      " ORDER BY id");
	if (!rc)
		rc = tp_store_prepare(run->db, &pl, "SELECT id, nis_code FROM " TP_VACANCY_PLACE
					     " ORDER BY id");
	if (!rc)
		pstep = sqlite3_step(pl);
	while (!rc && k < cap && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *nis = NULL;

		while (pstep == SQLITE_ROW && sqlite3_column_int64(pl, 0) < id)
			pstep = sqlite3_step(pl);
		if (pstep == SQLITE_ROW && sqlite3_column_int64(pl, 0) == id)
			nis = (const char *)sqlite3_column_text(pl, 1);
		judge(run->cfg, ref, st, need_of(&nd, nis), nd.max, &v[k]);
		/* as write_scores stores them: capacity for a candidate only */
		if (v[k].verdict == V_CANDIDATE)
			rc = tp_vacsums_add(sums, nis, sqlite3_column_type(st, 1), v[k].dwellings, 1, 1,
					    capacity_of(&v[k], run->cfg));
		else
			rc = tp_vacsums_add(sums, nis, sqlite3_column_type(st, 1), v[k].dwellings, 0, 0,
					    0);
		k++;
	}
	if (!rc && ((step != SQLITE_DONE && step != SQLITE_ROW) ||
		    (pstep != SQLITE_DONE && pstep != SQLITE_ROW)))
		rc = tp_error_set(TP_ERROR, "working store: cannot read the vacancies to score: %s",
				  sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	sqlite3_finalize(pl);
	needs_dispose(&nd);
	if (rc) {
		tp_big_free(v);
		return rc;
	}
	*out = v;
	*n = k;
	return TP_OK;
}

/* Ranks the candidates among v[0..n): 1 for the best. */
static int rank_candidates(scored *v, size_t n)
{
	scored **order = NULL;
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		m += v[i].verdict == V_CANDIDATE;
	if (!m)
		return TP_OK;
	if (!(order = tp_big_alloc(m * sizeof(*order))))
		return tp_error_set(TP_ERROR, "out of memory for %zu candidates", m);
	for (i = 0, m = 0; i < n; i++)
		if (v[i].verdict == V_CANDIDATE)
			order[m++] = &v[i];
	qsort(order, m, sizeof(*order), by_rank);
	for (i = 0; i < m; i++)
		order[i]->rank = (long long)i + 1;
	tp_big_free(order);
	return TP_OK;
}

/* Binds vacancy v's results to the next row of b (id, candidate, status,
 * window, capacity, score, rank) and ends the row. */
static int insert_score(tp_batch *b, const scored *v, const tp_config *cfg, const char *minimum)
{
	int candidate = v->verdict == V_CANDIDATE, at;
	sqlite3_stmt *ins = tp_batch_row(b, &at);
	char status[256];
	const char *text = status_text(status, sizeof(status), v, minimum);

	sqlite3_bind_int64(ins, at, v->id);
	sqlite3_bind_int(ins, at + 1, candidate);
	/* the row is stepped with its batch, after status has gone */
	sqlite3_bind_text(ins, at + 2, text, -1, text == status ? SQLITE_TRANSIENT : SQLITE_STATIC);
	if (isnan(v->window))
		sqlite3_bind_null(ins, at + 3);
	else
		sqlite3_bind_double(ins, at + 3, v->window);
	if (candidate) {
		sqlite3_bind_double(ins, at + 4, capacity_of(v, cfg));
		sqlite3_bind_double(ins, at + 5, v->score);
		sqlite3_bind_int64(ins, at + 6, v->rank);
	} else {
		sqlite3_bind_null(ins, at + 4);
		sqlite3_bind_null(ins, at + 5);
		sqlite3_bind_null(ins, at + 6);
	}
	if (tp_batch_end_row(b) != SQLITE_OK)
		return tp_error_set(TP_ERROR, "working store: cannot write the scores of the vacancies"
				    " up to %lld: %s", v->id, sqlite3_errmsg(b->db));
	return TP_OK;
}

/* Writes each vacancy's verdict, window, capacity, score and rank, in id
 * order into their own narrow table (store.h), many rows a statement
 * (geo/sqlbatch.h).  An occupied vacancy's status then names the site
 * that occupies it (register.c): a few rows, each found by its id. */
static int write_scores(tp_run *run, const scored *v, size_t n)
{
	sqlite3_stmt *occ = NULL;
	tp_batch b = {0};
	char minimum[64];
	size_t i;
	int rc;

	snprintf(minimum, sizeof(minimum), "%g", run->cfg->min_window_months);
	rc = tp_store_exec(run->db, "DELETE FROM " TP_VACANCY_SCORE);
	if (!rc && tp_batch_begin(&b, run->db,
				  TP_VACANCY_SCORE "(id, candidate, status, window_months, capacity,"
				  " score, rank)", 7, n) != SQLITE_OK)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	for (i = 0; i < n && !rc; i++)
		rc = insert_score(&b, &v[i], run->cfg, minimum);
	tp_batch_end(&b);
	if (!rc)
		rc = tp_store_prepare(run->db, &occ, "UPDATE " TP_VACANCY_SCORE " SET status ="
				      " COALESCE('occupied: ' || (SELECT occupied_by FROM "
				      TP_VACANCY_ROWS " WHERE id = ?1), status) WHERE id = ?1");
	for (i = 0; i < n && !rc; i++) {
		if (v[i].verdict != V_OCCUPIED)
			continue;
		sqlite3_reset(occ);
		sqlite3_bind_int64(occ, 1, v[i].id);
		if (sqlite3_step(occ) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: cannot write the score of vacancy"
					  " %lld: %s", v[i].id, sqlite3_errmsg(run->db));
	}
	sqlite3_finalize(occ);
	return rc;
}

int tp_stage_score(tp_run *run)
{
	const tp_config *cfg = run->cfg;
	char window[64], occupancy[64];
	tp_vacsums sums;
	scored *v = NULL;
	size_t n = 0;
	long ref;
	int rc;

	if (tp_date_iso_days(cfg->reference_date, &ref))
		return tp_error_set(TP_ECONFIG, "%s: [run] reference_date: not a date: '%s'",
				    cfg->path, cfg->reference_date);
	snprintf(window, sizeof(window), "%g", cfg->min_window_months);
	snprintf(occupancy, sizeof(occupancy), "%g", cfg->occupancy);
	{
		const char *const meta[][2] = {
			{"reference_date", cfg->reference_date},
			{"min_window_months", window},
			{"occupancy", occupancy},
		};
		rc = tp_store_meta_set_all(run->db, meta, sizeof(meta) / sizeof(meta[0]));
	}
	/* a stage that fails leaves nothing: the runner rolls it back */
	tp_vacsums_init(&sums);
	if (!rc)
		rc = read_vacancies(run, ref, &v, &n, &sums);
	if (!rc)
		rc = rank_candidates(v, n);
	if (!rc)
		rc = write_scores(run, v, n);
	if (!rc)
		rc = tp_vacsums_write(run->db, &sums);
	tp_vacsums_dispose(&sums);
	tp_big_free(v);
	return rc;
}

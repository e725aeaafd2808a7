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
 *
 * Reading and judging need nothing of the stages just before score
 * (snapshots, protect): only the need, which protect makes, is left for
 * the stage itself.  So the read is the stage's part ahead (stages.h):
 * the runner starts it on a connection of its own, beside snapshots, as
 * soon as the vacancies are final, and score then finds them judged (at a
 * million records, 0.6 s of score's 1.5 s moved onto the core snapshots
 * leaves half idle).  With --threads 1, or a store in memory, score reads
 * them itself, through the same function.
 */
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "pipeline/vacsums.h"
#include "geo/bigbuf.h"
#include "geo/categories.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/keyset.h"
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
	int commune;          /* its commune in judged.commune, -1 for none */
	enum verdict verdict; /* the rule that decided */
} scored;

/* The vacancies read and judged (tp_score_ahead), all but their need. */
typedef struct {
	scored *v;            /* every vacancy, in id order (tp_big_alloc) */
	size_t n;             /* how many */
	char **commune;       /* the communes met, by index (owned) */
	size_t ncommunes;     /* how many */
	tp_keyset index;      /* each commune's index */
	tp_vacsums sums;      /* the vacancies summed per commune */
} judged;

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

/* A candidate's rank key beside its place in the vacancies: the sort reads
 * these alone, not the vacancies they point to (a cache miss each). */
typedef struct {
	double score;
	long long dwellings, src_row;
	size_t at;
} rank_key;

/* Rank order: score, then dwellings, both descending, then source row
 * (then the vacancies' order, which glibc's stable sort kept before). */
static int by_rank(const void *a, const void *b)
{
	const rank_key *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->dwellings != y->dwellings)
		return x->dwellings > y->dwellings ? -1 : 1;
	if (x->src_row != y->src_row)
		return x->src_row > y->src_row ? 1 : -1;
	return (x->at > y->at) - (x->at < y->at);
}

/* Judges the current row of st (the rows' query of tp_score_ahead) into
 * v; a candidate is scored later, with its commune's need (score_of). */
static void judge(const tp_config *cfg, long ref, sqlite3_stmt *st, scored *v)
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
	else
		v->verdict = V_CANDIDATE;
}

/* Candidate v's score, need being its commune's (0 when none) and max_need
 * the largest. */
static double score_of(const scored *v, double need, double max_need)
{
	/* need in tenths of the largest, as the README says */
	double tenths = max_need > 0 ? floor(need / max_need * 10) / 10 : 0;
	double score = 50 * clamp01(v->window / 60) + 20 * clamp01(v->dwellings / 20.0) +
		       30 * tenths;

	return round(score * 10) / 10;
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

void tp_score_ahead_free(void *p)
{
	judged *j = p;
	size_t i;

	if (!j)
		return;
	tp_big_free(j->v);
	for (i = 0; i < j->ncommunes; i++)
		free(j->commune[i]);
	free(j->commune);
	tp_keyset_dispose(&j->index);
	tp_vacsums_dispose(&j->sums);
	free(j);
}

/* The index of commune nis in j (added when new), in *at; -1 for NULL. */
static int commune_index(judged *j, const char *nis, int *at)
{
	uint64_t held;
	char **grown;

	if (!nis) {
		*at = -1;
		return TP_OK;
	}
	if (tp_keyset_get(&j->index, nis, &held)) {
		*at = (int)held;
		return TP_OK;
	}
	if (j->ncommunes >= INT_MAX ||
	    !(grown = realloc(j->commune, (j->ncommunes + 1) * sizeof(*grown))))
		return tp_error_set(TP_ERROR, "out of memory");
	j->commune = grown;
	if (!(grown[j->ncommunes] = strdup(nis)))
		return tp_error_set(TP_ERROR, "out of memory");
	if (tp_keyset_put(&j->index, nis, j->ncommunes, NULL)) {
		free(grown[j->ncommunes]);
		return TP_ERROR;
	}
	*at = (int)j->ncommunes++;
	return TP_OK;
}

/*
 * Every vacancy judged, in id order, with its commune, and summed per
 * commune (stages.h: score's part ahead, on db).  The rows and their
 * places (store.h) are read side by side, both in id order, rather than
 * through the view's join: a look-up per row fewer.
 */
int tp_score_ahead(tp_run *run, sqlite3 *db, void **out)
{
	sqlite3_stmt *st = NULL, *pl = NULL;
	judged *j = calloc(1, sizeof(*j));
	const char *last = NULL; /* the commune of the row before (rows of one often follow) */
	int at = -1;
	size_t cap = 0;
	long long count;
	long ref;
	int rc, step = SQLITE_DONE, pstep = SQLITE_DONE;

	*out = NULL;
	if (!j)
		return tp_error_set(TP_ERROR, "out of memory");
	tp_vacsums_init(&j->sums);
	if (tp_date_iso_days(run->cfg->reference_date, &ref)) {
		tp_score_ahead_free(j);
		return tp_error_set(TP_ECONFIG, "%s: [run] reference_date: not a date: '%s'",
				    run->cfg->path, run->cfg->reference_date);
	}
	rc = tp_store_int(db, &count, "SELECT COUNT(*) FROM " TP_VACANCY_ROWS);
	if (!rc) {
		cap = count > 0 ? (size_t)count : 1;
		if (!(j->v = tp_big_alloc(cap * sizeof(*j->v))))
			rc = tp_error_set(TP_ERROR, "out of memory for %zu vacancies", cap);
	}
	if (!rc)
		rc = tp_store_prepare(db, &st,
				      "SELECT id, dwellings, reason, owner_type, owner_agreed,"
				      " works_start, src_row, occupation FROM " TP_VACANCY_ROWS
				      " ORDER BY id");
	if (!rc)
		rc = tp_store_prepare(db, &pl, "SELECT id, nis_code FROM " TP_VACANCY_PLACE
					 " ORDER BY id");
	if (!rc)
		pstep = sqlite3_step(pl);
	while (!rc && j->n < cap && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *nis = NULL;
		scored *v = &j->v[j->n];

		while (pstep == SQLITE_ROW && sqlite3_column_int64(pl, 0) < id)
			pstep = sqlite3_step(pl);
		if (pstep == SQLITE_ROW && sqlite3_column_int64(pl, 0) == id)
			nis = (const char *)sqlite3_column_text(pl, 1);
		judge(run->cfg, ref, st, v);
		if (!nis)
			at = -1, last = NULL;
		else if (!last || strcmp(last, nis))
			rc = commune_index(j, nis, &at), last = at >= 0 ? j->commune[at] : NULL;
		v->commune = at;
		/* as write_scores stores them: capacity for a candidate only */
		if (!rc && v->verdict == V_CANDIDATE)
			rc = tp_vacsums_add(&j->sums, nis, sqlite3_column_type(st, 1), v->dwellings, 1,
					    1, capacity_of(v, run->cfg));
		else if (!rc)
			rc = tp_vacsums_add(&j->sums, nis, sqlite3_column_type(st, 1), v->dwellings, 0,
					    0, 0);
		j->n++;
	}
	if (!rc && ((step != SQLITE_DONE && step != SQLITE_ROW) ||
		    (pstep != SQLITE_DONE && pstep != SQLITE_ROW)))
		rc = tp_error_set(TP_ERROR, "working store: cannot read the vacancies to score: %s",
				  sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_finalize(pl);
	if (rc) {
		tp_score_ahead_free(j);
		return rc;
	}
	*out = j;
	return TP_OK;
}

/* Scores the candidates of j with their communes' needs (public_communes). */
static int score_candidates(tp_run *run, judged *j)
{
	needs nd = {0};
	double *need = NULL;
	size_t i;
	int rc = read_needs(run, &nd);

	if (!rc && j->ncommunes && !(need = malloc(j->ncommunes * sizeof(*need))))
		rc = tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; !rc && i < j->ncommunes; i++)
		need[i] = need_of(&nd, j->commune[i]);
	for (i = 0; !rc && i < j->n; i++) {
		scored *v = &j->v[i];

		if (v->verdict == V_CANDIDATE)
			v->score = score_of(v, v->commune >= 0 ? need[v->commune] : 0, nd.max);
	}
	free(need);
	needs_dispose(&nd);
	return rc;
}

/* Ranks the candidates among v[0..n): 1 for the best. */
static int rank_candidates(scored *v, size_t n)
{
	rank_key *order = NULL;
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		m += v[i].verdict == V_CANDIDATE;
	if (!m)
		return TP_OK;
	if (!(order = tp_big_alloc(m * sizeof(*order))))
		return tp_error_set(TP_ERROR, "out of memory for %zu candidates", m);
	for (i = 0, m = 0; i < n; i++)
		if (v[i].verdict == V_CANDIDATE)
			order[m++] = (rank_key){v[i].score, v[i].dwellings, v[i].src_row, i};
	qsort(order, m, sizeof(*order), by_rank);
	for (i = 0; i < m; i++)
		v[order[i].at].rank = (long long)i + 1;
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

	tp_batch_bind_id(b, ins, at, v->id);
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
	judged *own = NULL, *j = run->ahead;
	int rc;

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
	if (!rc && !j) {
		void *p = NULL;
		rc = tp_score_ahead(run, run->db, &p);
		j = own = p;
	}
	if (!rc)
		rc = score_candidates(run, j);
	if (!rc)
		rc = rank_candidates(j->v, j->n);
	if (!rc)
		rc = write_scores(run, j->v, j->n);
	if (!rc)
		rc = tp_vacsums_write(run->db, &j->sums);
	tp_score_ahead_free(own);
	return rc;
}

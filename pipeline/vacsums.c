/*
 * vacsums.c: the vacancies summed per commune as score judges them
 * (vacsums.h).
 */
#include "pipeline/vacsums.h"
#include "geo/array.h"
#include "pipeline/store.h"
#include "geo/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Capacities are summed exactly, in any order, when each is a multiple of
 * 1/SCALE and the sum stays under LIMIT (53 bits of SCALE-ths, with room). */
#define SCALE 1024.0
#define LIMIT 4e12

/* SQL's own sums per commune: the fallback of tp_vacsums_write. */
#define SUMS_BY_SQL \
	"INSERT INTO vacancy_sums(nis_code, candidates, candidate_dwellings, capacity)" \
	" SELECT nis_code, SUM(candidate)," \
	" SUM(CASE WHEN candidate = 1 THEN dwellings ELSE 0 END)," \
	" SUM(COALESCE(capacity, 0)) FROM vacancies WHERE nis_code IS NOT NULL GROUP BY nis_code"

void tp_vacsums_init(tp_vacsums *s)
{
	memset(s, 0, sizeof(*s));
	s->exact = s->capacity_exact = 1;
}

/* Index of nis_code in s (sorted), or where it would go, with *found. */
static size_t position(const tp_vacsums *s, const char *nis_code, int *found)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->v[mid].nis_code, nis_code);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

/* The group of nis_code, added (zeroed) when new; NULL on out of memory. */
static tp_vacsum *group(tp_vacsums *s, const char *nis_code)
{
	int found = 0;
	size_t i;
	char *copy;

	if (s->last && !strcmp(s->last, nis_code))
		return &s->v[s->at];
	i = position(s, nis_code, &found);
	if (!found) {
		if (tp_array_room(&s->v, &s->cap, s->n, sizeof(*s->v), 32))
			return NULL;
		if (!(copy = strdup(nis_code))) {
			tp_error_set(TP_ERROR, "out of memory");
			return NULL;
		}
		memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
		memset(&s->v[i], 0, sizeof(*s->v));
		s->v[i].nis_code = copy;
		s->n++;
	}
	s->last = s->v[i].nis_code;
	s->at = i;
	return &s->v[i];
}

/* Adds an integer (type SQLITE_INTEGER) to *sum, NULL adding nothing; 0
 * when it is neither (SQL's sum would then depend on the order) or the sum
 * overflows (SQL's SUM() fails on it). */
static int add_int(int type, long long value, long long *sum, int *has)
{
	switch (type) {
	case SQLITE_NULL:
		return 1;
	case SQLITE_INTEGER:
		*has = 1;
		return !__builtin_add_overflow(*sum, value, sum);
	default:
		return 0;
	}
}

int tp_vacsums_add(tp_vacsums *s, const char *nis_code, int dwellings_type,
		   long long dwellings, int candidate, int has_capacity, double capacity)
{
	tp_vacsum *g;

	if (!nis_code)
		return TP_OK;
	if (!(g = group(s, nis_code)))
		return TP_ERROR;
	if (!add_int(SQLITE_INTEGER, candidate, &g->candidates, &g->has_candidates))
		s->exact = 0;
	/* SUM(CASE WHEN candidate = 1 THEN dwellings ELSE 0 END) */
	if (candidate != 1)
		g->has_cand_dwellings = 1;
	else if (!add_int(dwellings_type, dwellings, &g->cand_dwellings, &g->has_cand_dwellings))
		s->exact = 0;
	/* COALESCE(capacity, 0): an integer 0 adds nothing */
	if (has_capacity) {
		g->capacity += capacity;
		g->capacity_real = 1;
		s->magnitude += fabs(capacity);
		if (capacity * SCALE != floor(capacity * SCALE) || !(s->magnitude < LIMIT))
			s->capacity_exact = 0;
	}
	return TP_OK;
}

/* Binds value (NULL when has is 0) at parameter p. */
static void bind_sum(sqlite3_stmt *st, int p, long long value, int has)
{
	if (has)
		sqlite3_bind_int64(st, p, value);
	else
		sqlite3_bind_null(st, p);
}

int tp_vacsums_write(sqlite3 *db, const tp_vacsums *s)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = tp_store_exec(db, "DELETE FROM vacancy_sums");

	if (!rc && !(s->exact && s->capacity_exact))
		return tp_store_exec(db, SUMS_BY_SQL);
	if (!rc)
		rc = tp_store_prepare(db, &st, "INSERT INTO vacancy_sums(nis_code, candidates,"
					       " candidate_dwellings, capacity) VALUES (?, ?, ?, ?)");
	for (i = 0; i < s->n && !rc; i++) {
		const tp_vacsum *v = &s->v[i];

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, v->nis_code, -1, SQLITE_STATIC);
		bind_sum(st, 2, v->candidates, v->has_candidates);
		bind_sum(st, 3, v->cand_dwellings, v->has_cand_dwellings);
		if (v->capacity_real)
			sqlite3_bind_double(st, 4, v->capacity);
		else
			sqlite3_bind_int64(st, 4, 0);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: vacancy_sums: %s",
					  sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return rc;
}

void tp_vacsums_dispose(tp_vacsums *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].nis_code);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

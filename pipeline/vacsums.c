/*
 * vacsums.c: the vacancies summed per commune in one pass (vacsums.h).
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

const tp_vacsum *tp_vacsums_find(const tp_vacsums *s, const char *nis_code)
{
	int found = 0;
	size_t i;

	if (!nis_code)
		return NULL;
	i = position(s, nis_code, &found);
	return found ? &s->v[i] : NULL;
}

/* The group of nis_code, added (zeroed) when new; NULL on out of memory. */
static tp_vacsum *group(tp_vacsums *s, size_t *cap, const char *nis_code)
{
	int found = 0;
	size_t i = position(s, nis_code, &found);
	char *copy;

	if (found)
		return &s->v[i];
	if (tp_array_room(&s->v, cap, s->n, sizeof(*s->v), 32))
		return NULL;
	if (!(copy = strdup(nis_code))) {
		tp_error_set(TP_ERROR, "out of memory");
		return NULL;
	}
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
	memset(&s->v[i], 0, sizeof(*s->v));
	s->v[i].nis_code = copy;
	s->n++;
	return &s->v[i];
}

/* Adds integer column col of st to *sum when not NULL; 0 when it is neither
 * NULL nor an integer (SQL's sum would then depend on the order) or the sum
 * overflows. */
static int add_int(sqlite3_stmt *st, int col, long long *sum, int *has)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		return 1;
	case SQLITE_INTEGER:
		*has = 1;
		/* SQL's SUM() fails on an overflow */
		return !__builtin_add_overflow(*sum, sqlite3_column_int64(st, col), sum);
	default:
		return 0;
	}
}

int tp_vacsums_read(tp_run *run, tp_vacsums *out)
{
	sqlite3_stmt *st = NULL;
	tp_vacsum *g = NULL;
	const char *last = NULL;
	double magnitude = 0; /* the sum of |capacity|: no partial sum is larger */
	size_t cap = 0;
	int rc, step = SQLITE_DONE;

	memset(out, 0, sizeof(*out));
	out->exact = out->capacity_exact = 1;
	rc = tp_store_prepare(run->db, &st,
			      "SELECT nis_code, dwellings, candidate, capacity FROM vacancies");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *nis = (const char *)sqlite3_column_text(st, 0);
		int ctype = sqlite3_column_type(st, 2);
		double c;

		if (!nis)
			continue;
		/* rows of one commune often follow each other */
		if (!g || strcmp(last, nis)) {
			if (!(g = group(out, &cap, nis))) {
				rc = TP_ERROR;
				break;
			}
			last = g->nis_code;
		}
		g->records++;
		if (!add_int(st, 1, &g->dwellings, &g->has_dwellings) ||
		    !add_int(st, 2, &g->candidates, &g->has_candidates))
			out->exact = 0;
		/* SUM(CASE WHEN candidate = 1 THEN dwellings ELSE 0 END) */
		if (ctype != SQLITE_INTEGER || sqlite3_column_int64(st, 2) != 1)
			g->has_cand_dwellings = 1;
		else if (!add_int(st, 1, &g->cand_dwellings, &g->has_cand_dwellings))
			out->exact = 0;
		switch (sqlite3_column_type(st, 3)) {
		case SQLITE_NULL: /* COALESCE(capacity, 0): an integer 0 adds nothing */
			break;
		case SQLITE_FLOAT:
			c = sqlite3_column_double(st, 3);
			g->capacity += c;
			g->capacity_real = 1;
			magnitude += fabs(c);
			if (c * SCALE != floor(c * SCALE) || !(magnitude < LIMIT))
				out->capacity_exact = 0;
			break;
		default:
			out->capacity_exact = 0;
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: cannot sum the vacancies: %s",
				  sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	if (rc)
		tp_vacsums_dispose(out);
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

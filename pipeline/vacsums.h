/*
 * vacsums.h: the candidates summed per commune (buildings, dwellings,
 * capacity) as score judges the vacancies, one row at a time, and left
 * for summarise in the table vacancy_sums.  A commune's vacancy records and
 * empty dwellings are not summed here: they are the snapshots stage's
 * (vacancy_flows), which protect's need and summarise both take.  SQL's GROUP BY nis_code over
 * the vacancies view would read a million rows again and sort them; these
 * sums take the rows as they come and say when they equal SQL's SUM()
 * whatever its order.  When they do not, tp_vacsums_write() has SQL make
 * them.  Internal to pipeline/.
 */
#ifndef TP_VACSUMS_H
#define TP_VACSUMS_H

#include <stddef.h>

#include <sqlite3.h>

/* One commune's vacancies, as SQL's SUM() over them. */
typedef struct {
	char *nis_code;             /* the commune (vacancies.nis_code), owned */
	long long candidates;       /* SUM(candidate) */
	int has_candidates;         /* 0: every candidate NULL */
	long long cand_dwellings;   /* SUM(CASE WHEN candidate = 1 THEN dwellings ELSE 0 END) */
	int has_cand_dwellings;     /* 0: that sum is NULL (a candidate's dwellings NULL, no other) */
	double capacity;            /* SUM(COALESCE(capacity, 0)) */
	int capacity_real;          /* 1: SQL's sum is a REAL (a capacity was), else the integer 0 */
} tp_vacsum;

/* The sums of every commune that has vacancies, sorted by nis_code. */
typedef struct {
	tp_vacsum *v;       /* the communes */
	size_t n, cap;      /* how many, room for */
	const char *last;   /* the commune of the last row added (rows of one often follow) */
	size_t at;          /* its index */
	double magnitude;   /* the sum of |capacity|: no partial sum is larger */
	int exact;          /* 1: the candidate and candidate dwelling sums equal
			     * SQL's (whole numbers, no overflow); 0: use SQL instead */
	int capacity_exact; /* 1: so do the capacities, in any order of the rows
			     * (each a multiple of 1/1024, far from 2^53) */
} tp_vacsums;

/* Empty sums, exact so far. */
void tp_vacsums_init(tp_vacsums *s);

/*
 * Adds one vacancy of commune nis_code (NULL: it counts nowhere, as the
 * NULL group of SQL's GROUP BY joins no commune): its dwellings as the
 * store holds them (type: SQLITE_INTEGER, SQLITE_NULL or another, which
 * SQL's sum would take in its order), its candidate flag (0 or 1) and its
 * capacity (has_capacity 0: NULL).  TP_ERROR on out of memory.
 */
int tp_vacsums_add(tp_vacsums *s, const char *nis_code, int dwellings_type,
		   long long dwellings, int candidate, int has_capacity, double capacity);

/* The table vacancy_sums (store.c) emptied and filled from s when its sums
 * are SQL's own, else from SQL's GROUP BY over the vacancies.  TP_ERROR when
 * the store cannot be written. */
int tp_vacsums_write(sqlite3 *db, const tp_vacsums *s);

/* Frees what tp_vacsums_add() filled and zeroes s. */
void tp_vacsums_dispose(tp_vacsums *s);

#endif

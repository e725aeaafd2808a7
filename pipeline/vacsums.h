/*
 * vacsums.h: the vacancies summed per commune in one pass over the table,
 * for summarise (records, dwellings, candidates, capacity).  SQL's GROUP BY nis_code sorts a
 * million rows first; these sums take the rows as they come and say when
 * they equal SQL's SUM() whatever its order.  Internal to pipeline/.
 */
#ifndef TP_VACSUMS_H
#define TP_VACSUMS_H

#include <stddef.h>

#include "pipeline/stages.h"

/* One commune's vacancies, as SQL's COUNT() and SUM() over them. */
typedef struct {
	char *nis_code;             /* the commune (vacancies.nis_code), owned */
	long long records;          /* COUNT(*) */
	long long dwellings;        /* SUM(dwellings) */
	int has_dwellings;          /* 0: every dwellings NULL, SUM() is NULL */
	long long candidates;       /* SUM(candidate) */
	int has_candidates;         /* 0: every candidate NULL */
	long long cand_dwellings;   /* SUM(CASE WHEN candidate = 1 THEN dwellings ELSE 0 END) */
	int has_cand_dwellings;     /* 0: that sum is NULL (a candidate's dwellings NULL, no other) */
	double capacity;            /* SUM(COALESCE(capacity, 0)) */
	int capacity_real;          /* 1: SQL's sum is a REAL (a capacity was), else the integer 0 */
} tp_vacsum;

/* The sums of every commune that has vacancies, sorted by nis_code. */
typedef struct {
	tp_vacsum *v;   /* the communes */
	size_t n;       /* how many */
	int exact;          /* 1: the counts and the dwelling and candidate sums equal
			     * SQL's (whole numbers, no overflow); 0: use SQL instead */
	int capacity_exact; /* 1: so do the capacities, in any order of the rows
			     * (each a multiple of 1/1024, far from 2^53) */
} tp_vacsums;

/* Sums the vacancies per commune into *out (tp_vacsums_dispose), in one
 * read of the table.  TP_ERROR when the store cannot be read or on out of
 * memory, out then empty. */
int tp_vacsums_read(tp_run *run, tp_vacsums *out);

/* The sums of nis_code in s, NULL when it has no vacancy (or nis_code is NULL). */
const tp_vacsum *tp_vacsums_find(const tp_vacsums *s, const char *nis_code);

/* Frees what tp_vacsums_read() filled and zeroes s. */
void tp_vacsums_dispose(tp_vacsums *s);

#endif

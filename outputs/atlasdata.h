/*
 * atlasdata.h: inside outputs/, what an atlas page adds to its commune's
 * figures (mapdata.h), loaded by atlasdata.c from the working store
 * through a public view: the commune's people counted at each edition of
 * the count with the change since the edition before (the trends table,
 * published figures only), and the temporary occupations running in it
 * (the occupations table; never its people figures).
 */
#ifndef TP_ATLASDATA_H
#define TP_ATLASDATA_H

#include <sqlite3.h>

#include "outputs/mapdata.h"

/* A commune's people_total at one edition, as published (trends). */
typedef struct tp_trend_point {
	int has_value;        /* 0: withheld (label "x", "<5") or not counted */
	double value;         /* the published figure */
	char label[32];       /* as printed: "2 045", "x", "<5" */
	int first;            /* 1: the first edition, no change */
	int has_change;       /* the change on the whole is published */
	double change;        /* people, against the edition before */
	int has_pct;          /* change_pct is published */
	double pct;           /* % of the edition before's figure */
	int has_cchange;      /* the change on the comparable scope is published */
	double cchange;       /* people */
	int has_cpct;         /* comparable_change_pct is published */
	double cpct;          /* % */
} tp_trend_point;

/* A running occupation, as the atlas lists it: no people figures. */
typedef struct tp_atlas_occupation {
	char nis[16];         /* its commune */
	char *site;           /* site */
	char *operator_;      /* housing operator, "" when not given */
	long long dwellings;  /* dwellings */
	char start[11];       /* YYYY-MM-DD */
	char end[11];         /* the end agreed now (current_end), "" when none */
	int extended;         /* 1: extended beyond its planned end */
} tp_atlas_occupation;

/* What the atlas adds to tp_mapdata. */
typedef struct tp_atlasdata {
	size_t neditions;        /* count editions, by date; 0: no trends (a single edition) */
	char (*edition)[64];     /* their labels */
	char (*edition_date)[11];/* their dates */
	unsigned *added;         /* per edition: bit k set when it counted category k
				    (TP_CATEGORIES order) outside its comparable scope */
	tp_trend_point *trend;   /* ncommunes x neditions, in tp_mapdata's commune order */
	int has_register;        /* 1: the run read an occupation register */
	tp_atlas_occupation *occ;/* the running occupations, by commune then start */
	size_t nocc;             /* entries of occ */
} tp_atlasdata;

/*
 * Loads in *out, for the communes of d, their trend and running
 * occupations from store through a public view (query.h).  Returns 0, or
 * TP_ESTORE (the store unreadable), TP_ERROR (out of memory) with *out
 * NULL.  Free with tp_atlasdata_free.
 */
int tp_atlasdata_load(tp_atlasdata **out, sqlite3 *store, const tp_mapdata *d);

/* Frees x; NULL is allowed. */
void tp_atlasdata_free(tp_atlasdata *x);

/* The trend of commune ci (an index into d->communes) at each edition. */
const tp_trend_point *tp_atlasdata_trend(const tp_atlasdata *x, size_t ci);

/* The running occupations of the commune nis: *n of them from the one returned. */
const tp_atlas_occupation *tp_atlasdata_occupations(const tp_atlasdata *x, const char *nis,
						    size_t *n);

#endif

/*
 * mapdata.h: inside outputs/, what the maps (overview.c, atlas.c) and the
 * dashboard (dashboard.c) show, loaded once from the working store by
 * mapdata.c: communes with their rings, published figures and classes,
 * and the candidates.  No Cairo here: the dashboard draws its SVG by hand.
 */
#ifndef TP_MAPDATA_H
#define TP_MAPDATA_H

#include <stddef.h>

#include <sqlite3.h>

#include "geo/categories.h"
#include "geo/codes.h"
#include "outputs/render.h"

#define TP_NFIGS TP_NPEOPLE /* people figures published by the protect stage */
#define TP_MAX_INDICATORS 16 /* indicator tables ([indicators]) the maps and dashboard carry */

/* One figure a map can show. */
typedef struct tp_figure {
	const char *name;  /* column name, e.g. "people_total" */
	const char *fr;    /* French label */
	const char *nl;    /* Dutch label */
	int people;        /* 1: a count of people, read from public_communes */
} tp_figure;

/* The figure called name, or NULL. */
const tp_figure *tp_figure_find(const char *name);

/* The people figures in public_communes order; *n gets their number. */
const tp_figure *tp_people_figures(size_t *n);

/* A ring as x,y pairs in the working CRS. */
typedef struct tp_ring {
	double *xy;  /* 2 * n doubles */
	size_t n;    /* points */
} tp_ring;

#define TP_REJECT_GROUPS 16 /* refused fields told apart in a tp_rejected */

/* Records of one input not used, and why: what a "not used" line says. */
typedef struct tp_rejected {
	long long records;   /* records rejected */
	long long dwellings; /* the dwellings they declared, where readable */
	long long of;        /* records read, rejected ones included; 0 when unknown */
	int ngroups;         /* refused fields in field[] and n[] */
	char field[TP_REJECT_GROUPS][32]; /* a refused field (rejects.field) */
	long long n[TP_REJECT_GROUPS];    /* records rejected for it */
	long long others;    /* records rejected for fields beyond field[] */
} tp_rejected;

#define TP_MAP_REASONS 8 /* tp_reasons (6) and "no reason given", with room */

typedef struct tp_map_commune {
	char nis[16];                  /* NIS code */
	char *name_fr;                 /* French name */
	char *name_nl;                 /* Dutch name */
	tp_ring *rings;                /* every ring of every polygon; filled even-odd */
	size_t nrings;                 /* number of rings */
	double box[4];                 /* minx, miny, maxx, maxy */
	double lx, ly;                 /* where its name is written (inside it) */
	int has_value;                 /* 0: no data or suppressed */
	double value;                  /* the indicator as published */
	char label[32];                /* the indicator as printed ("<5", "351") */
	int cls;                       /* class 0..nclasses-1, -1 when !has_value */
	int has_fig[TP_NFIGS];         /* per people figure: 0 when suppressed */
	double fig[TP_NFIGS];          /* published value */
	char fig_label[TP_NFIGS][32];  /* published label */
	long long vacancy_records;     /* records located in it */
	long long empty_dwellings;     /* dwellings in them */
	long long candidate_buildings; /* candidates */
	long long candidate_dwellings; /* their dwellings */
	double capacity;               /* people the candidates could host */
	tp_rejected rejected;          /* vacancy records rejected that can be placed in it */
	long long idle[TP_MAP_REASONS];     /* records located in it that are not candidates,
					       per reason (tp_reasons order; the last: none given) */
	long long idle_dw[TP_MAP_REASONS];  /* their dwellings */
	int ind_has[TP_MAX_INDICATORS];          /* per indicator table: 0 for no data */
	long long ind_value[TP_MAX_INDICATORS];  /* its value */
} tp_map_commune;

typedef struct tp_map_candidate {
	long long rank;     /* 1 = best */
	char nis[16];       /* commune */
	char *src_id;       /* source id, may be "" */
	char *address;      /* may be "" */
	char *owner;        /* may be ""; always "" for a private owner (maybe a person) */
	char *owner_type;   /* sisp, ais, ... */
	char *works_start;  /* YYYY-MM-DD */
	long long dwellings;/* dwellings */
	double window;      /* months */
	double capacity;    /* people */
	double score;       /* 0..100 */
	double months_empty;/* how long it has stood empty (pipeline/snapshots.c), -1: unknown */
	double x, y;        /* position in the working CRS */
	size_t seq;         /* read order (by id), the rank's tie-break */
} tp_map_candidate;

typedef struct tp_mapdata {
	const tp_figure *ind;          /* the indicator */
	const char *lang;              /* "fr", "nl" or "both" */
	double threshold;              /* small-cell threshold */
	tp_map_commune *communes;      /* ordered by NIS code */
	size_t ncommunes;              /* number of communes */
	tp_map_candidate *cands;       /* candidates by rank */
	size_t ncands;                 /* number of candidates */
	int nclasses;                  /* non-empty classes, 0..TP_NCLASSES */
	double lo[TP_NCLASSES];        /* smallest value of each class */
	double hi[TP_NCLASSES];        /* largest value of each class */
	int count[TP_NCLASSES];        /* communes in each class */
	int nodata;                    /* communes without a value */
	double box[4];                 /* region envelope */
	long long max_dwellings;       /* largest candidate, for point sizes */
	char crs[64];                  /* meta.crs */
	char reference_date[11];       /* meta.reference_date */
	char note[512];                /* meta.note ([run] note), "" if none */
	double min_window;             /* meta.min_window_months */
	char sources[3][256];          /* file names of communes, vacancies, zones */
	char run_sources[1024];        /* meta.sources ([run] sources), "" if none */
	tp_rejected rejected[3];       /* rows of communes, vacancies, zones not used */
	int nind;                      /* indicator tables, in config order */
	char ind_name[TP_MAX_INDICATORS][48]; /* their names */
	int ind_mapped;                /* the one the maps show (ind), or -1 */
	tp_figure ind_table;           /* ind when it is an indicator table */
} tp_mapdata;

/* The inputs, in the order of tp_mapdata's sources[] and rejected[]. */
enum { TP_IN_COMMUNES, TP_IN_VACANCIES, TP_IN_ZONES };

/*
 * Writes into buf the line that says what of input (TP_IN_*) was not
 * used, in d's language(s) (both: French, then sep, then Dutch), e.g.
 * "34 enregistrements sur 115 non utilisés (210 logements) — motif : 24,
 * position : 10 ; voir rejects.csv"; "" when r rejected nothing.
 */
void tp_rejected_line(char *buf, size_t len, const tp_mapdata *d, const tp_rejected *r,
		      int input, const char *sep);

/*
 * Writes into buf the sources line every map prints: "Sources : " and
 * [run] sources, or the input files' names when it is not set, then the
 * coordinate system; in d's language(s) (both: French, sep, Dutch).
 */
void tp_sources_line(char *buf, size_t len, const tp_mapdata *d, const char *sep);

/* Loads everything the maps and the dashboard show; free with tp_mapdata_free. */
int tp_mapdata_load(tp_mapdata **out, sqlite3 *store, const tp_render_opts *opts);
void tp_mapdata_free(tp_mapdata *d);

/* The commune whose NIS code is nis, or NULL. */
tp_map_commune *tp_mapdata_commune(const tp_mapdata *d, const char *nis);

/* The region's total of the indicator: the sum of the communes' published
 * values; *withheld gets how many communes have none (withheld or no
 * data), left out of the sum. */
double tp_mapdata_total(const tp_mapdata *d, int *withheld);

/* The candidates in drawing order: largest first (then by rank), so that
 * small discs stay on top of large ones.  Free with free(); NULL when out
 * of memory. */
const tp_map_candidate **tp_mapdata_by_size(const tp_mapdata *d);

#endif

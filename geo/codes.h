/*
 * codes.h: the code lists tremplin reads and writes, their French and
 * Dutch names, the colours maps and styles draw them with, and the
 * quantile classes of a choropleth: each defined once, here, and used by
 * the input parsers, the demo, the GeoPackage's field domains and QGIS
 * styles, the maps, the atlas and the dashboard alike.
 *
 * It lives in geo/, the base layer, because inputs/ and outputs/ both need
 * it and must not include each other; like error.h or parallel.h it is not
 * geometry.  It knows nothing of the pipeline and includes no other
 * project header.
 */
#ifndef TP_CODES_H
#define TP_CODES_H

#include <stddef.h>

/* ---- code lists --------------------------------------------------------- */

/* A coded value: the code stored, its names in French and in Dutch. */
typedef struct tp_code {
	const char *code;   /* as stored ("sisp") */
	const char *fr;     /* French name ("SISP") */
	const char *nl;     /* Dutch name ("OVM") */
	const char *source; /* the code the source itself uses ("R1"), or NULL */
} tp_code;

/* A list of coded values; the GeoPackage writes it as a coded field domain. */
typedef struct tp_code_list {
	const char *domain;      /* domain name in the GeoPackage */
	const char *description; /* what the codes are */
	const tp_code *codes;    /* the values, in the order outputs list them */
	int n;                   /* how many */
} tp_code_list;

/*
 * The lists: owner types (sisp, ais, cpas, commune, regie, citydev,
 * private), why a dwelling is empty (works, study, financing, allocation,
 * repair, other; SLRB's R1 and R2 are works and study), and the candidate
 * flag (0, 1).
 */
extern const tp_code_list tp_owner_types, tp_reasons, tp_candidate_flags, tp_date_precisions;
/* The people figures (geo/categories.h: the six categories and people_total) by their labels. */
extern const tp_code_list tp_people_codes;

/* An occupation's status (planned, running, ended: inputs/tables.h). */
extern const tp_code_list tp_occupation_statuses;
/* The inputs' fields (inputs/fields.c) and where a record lies ("geometry"),
 * named in the lines that say what was rejected. */
extern const tp_code_list tp_field_labels;

/* The entry of list whose code is code, or NULL. */
const tp_code *tp_code_find(const tp_code_list *list, const char *code);

/*
 * The name of c in language ("fr", "nl", or "both": "fr / nl" when they
 * differ; NULL is "both"), written into buf of size n; returns buf.
 */
const char *tp_code_name(const tp_code *c, const char *language, char *buf, size_t n);

/*
 * The codes of list as a sentence for a message, into buf of size n:
 * "a, b or c", each code followed by "/" and its source code when it has
 * one ("works/R1").  Returns buf.
 */
const char *tp_code_expected(const tp_code_list *list, char *buf, size_t n);

/* Writes the label of fr/nl in language lang ("fr", "nl" or "both") into
 * buf: "fr<sep>nl" for both, one name when both are the same. */
void tp_lang_pick(char *buf, size_t len, const char *lang, const char *fr, const char *nl,
		  const char *sep);

/* ---- colours ------------------------------------------------------------ */

#define TP_NCLASSES 5 /* classes of a choropleth */

/*
 * The fill colour of class cls of n (ColorBrewer YlGnBu, 5 classes:
 * sequential, readable with colour-vision deficiency and in greyscale; fewer
 * classes spread over the whole scheme), as 0..255 RGB; cls -1 gives the
 * grey of "no data or withheld".
 */
void tp_class_rgb(int cls, int n, unsigned char rgb[3]);

/* The candidate buildings' discs on the maps, the dashboard and in QGIS:
 * filled orange (ColorBrewer's #e6550d) at this opacity, outlined dark brown. */
extern const unsigned char tp_candidate_fill[3], tp_candidate_outline[3];
#define TP_CANDIDATE_OPACITY 0.85

/* The dwellings a legend of the candidates' disc sizes shows when the
 * largest candidate has max: 1, about half of max (a multiple of 5) and
 * max, those that differ; into out, their number returned (0 when max < 1).
 * The printed overview and the QGIS style show the same ones. */
int tp_candidate_legend_sizes(long long max, long long out[3]);

#define TP_NCHANGE 7 /* classes of a change map, the middle one around no change */

/*
 * The fill colour of class cls (0..TP_NCHANGE-1) of a change map:
 * ColorBrewer's diverging RdBu, 7 classes, reversed so that fewer people
 * is blue and more people red, the middle class a near white; readable
 * with colour-vision deficiency.  cls -1 gives the grey of "withheld".
 */
void tp_change_rgb(int cls, unsigned char rgb[3]);

/* The colour of reason i (tp_reasons order), Okabe-Ito's qualitative
 * palette; grey for an index out of the list. */
void tp_reason_rgb(int i, unsigned char rgb[3]);

/* ---- quantile classes --------------------------------------------------- */

/* The classes of a choropleth. */
typedef struct tp_classes {
	int n;                  /* classes that hold a value, 0..TP_NCLASSES */
	double lo[TP_NCLASSES]; /* smallest value of each class */
	double hi[TP_NCLASSES]; /* largest value of each class */
	int count[TP_NCLASSES]; /* values in each class */
} tp_classes;

/*
 * Quantile classes of values[0..n) (sorted in place): the sorted values
 * cut into TP_NCLASSES groups of about equal size (value i of n goes to
 * group i * TP_NCLASSES / n); equal values stay together in the group of
 * the first of them, and empty groups are dropped, so there are fewer
 * classes when values repeat or are fewer than TP_NCLASSES.  Classes are
 * ascending and do not overlap: hi[k] < lo[k + 1].
 */
void tp_classes_quantile(tp_classes *out, double *values, size_t n);

/* The class holding v (the first whose hi is at least v), or -1 when v is
 * above every class. */
int tp_classes_find(const tp_classes *c, double v);

#endif

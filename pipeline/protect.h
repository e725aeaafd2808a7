/*
 * protect.h: the protect stage's rules (protect.c) for another table of
 * people figures: the trends stage protects the earlier count editions'
 * zones and derives their commune figures with them, so that every
 * edition follows the one rule.
 */
#ifndef TP_PROTECT_H
#define TP_PROTECT_H

#include "geo/categories.h"

/* One people figure as a public output may show it. */
typedef struct {
	int published;   /* 1: value is published (0 included); 0: withheld */
	double value;    /* the published figure (a multiple of 5), 0 when withheld */
	char label[16];  /* "350", "0", "<5" or "x" */
	double mid;      /* the middle of the values the labels allow */
	double width;    /* their spread: 0 when published, INFINITY when unbounded */
} tp_published_cell;

/*
 * Protects one count-zone row (exact: the six categories, then the
 * total) with the protect stage's three rules and small-cell threshold
 * threshold, into out (the same order), with what each cell's labels say
 * of it (mid, width), from the published labels only.
 */
void tp_protect_zone(double threshold, const double exact[TP_NPEOPLE],
		     tp_published_cell out[TP_NPEOPLE]);

/*
 * A figure made of published zone figures (a commune's, the region's):
 * mid and width are the sums over its zones of share x the zone cells'
 * mid and width.  Withheld ("x") when width exceeds the rounding base,
 * "<T" below the threshold, else rounded; as protect.c makes a commune's.
 */
void tp_protect_derived(double threshold, double mid, double width, tp_published_cell *out);

#endif

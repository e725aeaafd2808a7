/*
 * locate.h: which polygon holds a point.
 *
 * A tp_index holds n polygons under an STRtree of their envelopes; a
 * polygon is prepared (once) when a point lies on or next to its boundary.  The border rule: a point belongs to every polygon
 * whose closure holds it (interior or boundary); when several do (a point
 * on a shared border), it belongs to the one given first to
 * tp_index_new().  Callers pass polygons sorted by their key (NIS code,
 * zone id), so "first" reads as "lowest key".
 */
#ifndef TP_LOCATE_H
#define TP_LOCATE_H

#include "geo/geo.h"

typedef struct tp_index tp_index;

/* Builds the index over polys[0..n); the polygons stay the caller's and
 * must outlive the index. */
int tp_index_new(tp_index **out, tp_geo *g, const GEOSGeometry *const *polys,
		 size_t n);
void tp_index_free(tp_index *ix);

/* A second index over base's polygons for another thread (context g): it
 * shares base's read-only rings and bands and has its own STRtree, prepared
 * polygons and scratch.  base must outlive it and must not be queried by
 * two threads at once either. */
int tp_index_share(tp_index **out, const tp_index *base, tp_geo *g);

/* The position in polys of the polygon holding (x, y), or -1 if none.
 * *nhits (may be NULL) gets how many polygons hold it (2+ on borders). */
long tp_index_locate(tp_index *ix, double x, double y, int *nhits);

#endif

/*
 * locate.h: which polygon holds a point.
 *
 * A tp_index holds n polygons as flat rings (rings.h): a grid of buckets
 * lists the polygons whose envelope meets each bucket, and each polygon's
 * segments are filed in horizontal bands, so a test reads a handful of
 * segments.  A point within a hair of a boundary is decided by GEOS's
 * prepared predicate (the polygon is prepared once, on first need).
 *
 * The border rule: a point belongs to every polygon whose closure holds it
 * (interior or boundary); when several do (a point on a shared border), it
 * belongs to the one that comes first in the index's order.  pointloc.c
 * passes the polygons' key order, so "first" reads as "lowest key".
 *
 * This is the exact stage of the locator of pointloc.h, which is what the
 * rest of the tree calls; only pointloc.c and the tests call it directly.
 */
#ifndef TP_LOCATE_H
#define TP_LOCATE_H

#include <stdint.h>

#include "geo/geo.h"
#include "geo/rings.h"

typedef struct tp_index tp_index;

/* Builds the index over the polygons of r (borrowed: r must outlive the
 * index and not change), its bands filed on `threads` threads.  order
 * (borrowed too, may be NULL for 0, 1, 2, ...) lists every position of r
 * once, the polygon that wins a shared border first. */
int tp_index_new(tp_index **out, tp_geo *g, const tp_rings *r, const uint32_t *order,
		 int threads);

void tp_index_free(tp_index *ix);

/* A second index over base's polygons for another thread (context g): it
 * shares base's read-only rings, bands and buckets and has its own
 * prepared polygons.  base must outlive it and must not be queried by two
 * threads at once either. */
int tp_index_share(tp_index **out, const tp_index *base, tp_geo *g);

/* tp_index_locate's answer when GEOS failed: the last error (code
 * TP_ERROR) says why. */
#define TP_LOCATE_FAILED (-2)

/* The position of the polygon holding (x, y), or -1 if none, or
 * TP_LOCATE_FAILED.  *nhits (may be NULL) gets how many polygons hold it
 * (2+ on borders); without it the search stops at the first polygon that
 * holds the point. */
long tp_index_locate(tp_index *ix, double x, double y, int *nhits);

#endif

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
 * belongs to the one given first.  Callers pass polygons sorted by their
 * key (NIS code, zone id), so "first" reads as "lowest key".
 */
#ifndef TP_LOCATE_H
#define TP_LOCATE_H

#include "geo/geo.h"
#include "geo/rings.h"

typedef struct tp_index tp_index;

/* Builds the index over polys[0..n), copying their rings; the polygons stay
 * the caller's and must outlive the index. */
int tp_index_new(tp_index **out, tp_geo *g, const GEOSGeometry *const *polys,
		 size_t n);

/* Builds the index over the polygons of r (borrowed: r must outlive the
 * index and not change), its bands filed on `threads` threads. */
int tp_index_new_rings(tp_index **out, tp_geo *g, const tp_rings *r, int threads);

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

/* The rings the index reads (for the grid of pointloc.c). */
const tp_rings *tp_index_rings(const tp_index *ix);

#endif

/*
 * overlay.h: area of overlap between two sets of polygons.
 *
 * Used by apportionment: zones (sources) are cut by communes (targets) and
 * each non-empty piece is reported with its area.  Candidate pairs come
 * from an STRtree over the targets; each pair is first tested with a
 * prepared intersects, then intersected exactly with GEOS.
 */
#ifndef TP_OVERLAY_H
#define TP_OVERLAY_H

#include "geo/geo.h"

/* Called once per (source i, target j) pair whose overlap area is > 0;
 * return nonzero to stop (the value is returned by tp_overlay_areas). */
typedef int (*tp_overlay_cb)(void *ud, size_t i, size_t j, double area);

/* Returns 0, the callback's nonzero value, or TP_ERROR on GEOS failure. */
int tp_overlay_areas(tp_geo *g, const GEOSGeometry *const *src, size_t nsrc,
		     const GEOSGeometry *const *dst, size_t ndst,
		     tp_overlay_cb cb, void *ud);

#endif

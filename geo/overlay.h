/*
 * overlay.h: area of overlap between two sets of polygons.
 *
 * Used by apportionment: zones (sources) are cut by communes (targets) and
 * each non-empty piece is reported with its area.  The polygons come as
 * flat rings (rings.h), the form every polygon reader gives; GEOS
 * geometries are made from them only where they are needed: a source while
 * it is cut, a target once some source's envelope meets its own.
 * Candidate pairs come from an STRtree over the targets' envelopes; each
 * pair is first tested with a prepared intersects, then intersected
 * exactly with GEOS.
 */
#ifndef TP_OVERLAY_H
#define TP_OVERLAY_H

#include "geo/geo.h"
#include "geo/rings.h"

/* Called once per (source i, target j) pair whose overlap area is > 0;
 * return nonzero to stop (the value is returned by tp_overlay_areas). */
typedef int (*tp_overlay_cb)(void *ud, size_t i, size_t j, double area);

/* Calls cb for every piece of src's polygons inside dst's, in source then
 * target order.  Returns 0, the callback's nonzero value, or TP_ERROR on
 * GEOS failure (the message names the polygon's position). */
int tp_overlay_areas(tp_geo *g, const tp_rings *src, const tp_rings *dst, tp_overlay_cb cb,
		     void *ud);

/* One piece of a source inside a target, with the source's share in it. */
typedef struct {
	size_t src;    /* source position */
	size_t dst;    /* target position */
	double area;   /* overlap area */
	double share;  /* area / the source's area inside all targets */
} tp_share;

/*
 * Cuts every source by the targets.  *out (malloc'ed, free()) gets the
 * pieces in source then target order; inside[i] (caller's array of
 * src->n) the area of source i inside the targets.  For a source with area
 * inside, its shares sum to exactly 1: the last share is what the others
 * leave.
 */
int tp_overlay_shares(tp_geo *g, const tp_rings *src, const tp_rings *dst, tp_share **out,
		      size_t *nout, double *inside);

#endif

/*
 * pointloc.h: the locator: which polygon holds each point, for the locate
 * stage and for `tremplin join` alike.
 *
 * Built for address-scale work (millions of points, thousands of
 * polygons).  A grid is laid over the polygons; every cell that no polygon
 * boundary touches lies wholly inside one polygon (or outside them all),
 * and a point in such a cell is located by a table look-up.  Points in the
 * other cells are sorted along a Morton curve and tested exactly through a
 * tp_index (buckets, bands and prepared polygons, locate.h), one per
 * thread, each with its own GEOS context.  The answer does not depend on
 * the number of threads.
 *
 * Polygons are closed.  The border rule: a point that several polygons
 * hold (on a shared border or vertex, or where polygons overlap) goes to
 * the one with the lowest key, whatever order the polygons were read in.
 * Keys compare as numbers when both are plain decimal integers ("9" before
 * "10", leading zeros aside), else byte by byte as text (strcmp: "Z01"
 * before "Z02"); equal keys go by position.  NIS codes, five digits,
 * compare the same either way.
 */
#ifndef TP_POINTLOC_H
#define TP_POINTLOC_H

#include <stddef.h>
#include <stdint.h>

#include "geo/geo.h"
#include "geo/rings.h"

typedef struct tp_locator tp_locator;

typedef struct {
	size_t points;         /* points located */
	size_t by_grid;        /* answered by an interior grid cell */
	size_t exact;          /* answered by the exact test */
	size_t grid_cells;     /* cells in the grid */
	size_t boundary_cells; /* cells a boundary touches (or lying where polygons overlap) */
	size_t border;         /* points held by more than one polygon, when counted */
} tp_locate_stats;

/*
 * Builds a locator over the polygons of r with their keys (r and keys are
 * borrowed: they must outlive the locator and not change; keys NULL: the
 * lowest position wins a border), on nthreads >= 1 threads.
 * cells_per_polygon sets the grid's fineness (0: the default, 256); the
 * grid never exceeds 2^24 cells.  Fails only when memory is short.
 */
int tp_locator_new(tp_locator **out, const tp_rings *r, const char *const *keys,
		   int nthreads, double cells_per_polygon);
void tp_locator_free(tp_locator *lc);

/* on = 1: tp_locator_run() counts the points that several polygons hold
 * (stats->border), which costs a full search at each point the grid does
 * not answer; off (0) by default, when border is left 0. */
void tp_locator_count_borders(tp_locator *lc, int on);

/*
 * Locates points (x, y) = (xy[2i], xy[2i+1]) for i < npts: out[i] gets the
 * position in r of the polygon holding it (the lowest key among several),
 * or -1 (a NaN coordinate too).  stats may be NULL.
 */
int tp_locator_run(tp_locator *lc, const double *xy, size_t npts, int32_t *out,
		   tp_locate_stats *stats);

/* tp_locator_new(), tp_locator_run() and tp_locator_free() in one call,
 * with the default grid; border points are counted when stats is given. */
int tp_locate_points(int32_t *out, const tp_rings *r, const char *const *keys,
		     const double *xy, size_t npts, int nthreads, tp_locate_stats *stats);

#endif

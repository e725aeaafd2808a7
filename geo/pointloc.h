/*
 * pointloc.h: locating many points at once, fast.
 *
 * Built for address-scale work (millions of points, thousands of
 * polygons).  A grid is laid over the polygons; every cell that no polygon
 * boundary touches lies wholly inside one polygon (or outside them all),
 * and a point in such a cell is located by a table look-up.  Points in the
 * other cells are sorted along a Morton curve and tested exactly through a
 * tp_index (buckets, bands and prepared polygons, locate.h), one per
 * thread, each with its own GEOS context.  The result is the same as tp_index_locate() point by
 * point, border rule included, whatever the number of threads.
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
	size_t boundary_cells; /* cells a boundary touches */
} tp_locate_stats;

/*
 * Builds a locator over the polygons of r (borrowed: r must outlive the
 * locator and not change), on nthreads >= 1 threads.  cells_per_polygon
 * sets the grid's fineness (0: the default, 256); the grid never exceeds
 * 2^24 cells.
 */
int tp_locator_new(tp_locator **out, const tp_rings *r, int nthreads,
		   double cells_per_polygon);
void tp_locator_free(tp_locator *lc);

/*
 * Locates points (x, y) = (xy[2i], xy[2i+1]) for i < npts: out[i] gets the
 * position in r of the polygon holding it, or -1.  stats may be NULL.
 */
int tp_locator_run(tp_locator *lc, const double *xy, size_t npts, int32_t *out,
		   tp_locate_stats *stats);

#endif

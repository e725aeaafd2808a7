/*
 * rings.h: polygons as flat rings, the form the fast locator works on.
 *
 * Every ring of every polygon lies in one array of doubles (x0, y0, x1,
 * y1, ...), closed (its last point repeats its first).  Polygon i owns rings
 * first[i] .. first[i+1]-1; a ring flagged `shell` starts a new part (an
 * exterior ring), the rings after it up to the next shell are its holes.
 * Ten thousand polygons of 400 vertices are one 64 MB array and three small
 * ones, instead of ten thousand GEOS objects of a few hundred allocations.
 * GEOS geometries are made from the rings only where they are needed (the
 * validity check, and points on a boundary).
 */
#ifndef TP_RINGS_H
#define TP_RINGS_H

#include <stddef.h>

#include "geo/geo.h"

typedef struct {
	double *xy;             /* 2 * npt coordinates (bigbuf.h) */
	size_t npt, cappt;      /* points used, allocated */
	size_t *ring;           /* ring k is points ring[k] .. ring[k+1]-1 (nring + 1 entries) */
	unsigned char *shell;   /* per ring: 1 for an exterior ring */
	size_t nring, capring;  /* rings used, allocated */
	size_t *first;          /* polygon i has rings first[i] .. first[i+1]-1 (n + 1 entries) */
	double *env;            /* per polygon: min x, min y, max x, max y (empty: +inf, -inf) */
	size_t n, cappoly;      /* polygons, allocated */
} tp_rings;

/* Room for npts more points; returns where they go (write them, then call
 * tp_rings_add_ring()), or NULL when memory is short.  The pointer is good
 * until the next call that adds to r. */
double *tp_rings_reserve(tp_rings *r, size_t npts);

/* Adds the npts points just written at tp_rings_reserve()'s pointer as a
 * ring of the polygon being built; shell = 1 for an exterior ring. */
int tp_rings_add_ring(tp_rings *r, size_t npts, int shell);

/* Closes the polygon being built (its rings are those added since the last
 * call) and computes its envelope.  A polygon may have no ring (empty). */
int tp_rings_end_polygon(tp_rings *r);

/* Adds geom (a Polygon or MultiPolygon; anything else adds an empty
 * polygon) as the next polygon. */
int tp_rings_add_geos(tp_rings *r, tp_geo *g, const GEOSGeometry *geom);

/* Copies polygon i of src as the next polygon of r. */
int tp_rings_add_copy(tp_rings *r, const tp_rings *src, size_t i);

/* Polygon i as a new GEOS MultiPolygon (caller destroys), or NULL when a
 * ring is not one GEOS accepts (open, or fewer than 4 points); the
 * reason is then in g->geos_msg. */
GEOSGeometry *tp_rings_geos(const tp_rings *r, tp_geo *g, size_t i);

/* Cuts polygons 0..n-1 into `parts` ranges of about the same number of
 * points, for threads: range t is bounds[t] .. bounds[t+1]-1
 * (bounds has parts + 1 entries). */
void tp_rings_split(const tp_rings *r, int parts, size_t *bounds);

/* Frees the arrays and zeroes r. */
void tp_rings_dispose(tp_rings *r);

#endif

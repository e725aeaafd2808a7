/*
 * geometry.c: the demo's shapes: the polygons of a GEOS geometry, a
 * point-in-polygon test, the Voronoi cells of points clipped to a polygon
 * (the schematic communes and the count zones are both made of them) and
 * areas.  All through the reentrant GEOS API of the caller's tp_geo.
 */
#include "demo/demo_internal.h"
#include "geo/error.h"

#include <stdlib.h>

/* Appends clones of geom's non-empty polygons to *parts; 0 or -1 on OOM. */
static int collect_polygons(GEOSContextHandle_t h, const GEOSGeometry *geom,
			    GEOSGeometry ***parts, int *n, int *cap)
{
	int type = GEOSGeomTypeId_r(h, geom), k, i;

	if (type == GEOS_POLYGON) {
		if (GEOSisEmpty_r(h, geom))
			return 0;
		if (*n == *cap) {
			int c = *cap ? *cap * 2 : 4;
			GEOSGeometry **p = realloc(*parts, (size_t)c * sizeof(*p));
			if (!p)
				return -1;
			*parts = p;
			*cap = c;
		}
		(*parts)[*n] = GEOSGeom_clone_r(h, geom);
		if (!(*parts)[*n])
			return -1;
		(*n)++;
		return 0;
	}
	if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
		return 0;
	k = GEOSGetNumGeometries_r(h, geom);
	for (i = 0; i < k; i++)
		if (collect_polygons(h, GEOSGetGeometryN_r(h, geom, i), parts, n, cap))
			return -1;
	return 0;
}

/* The polygons of geom as a new MultiPolygon (maybe empty), NULL on failure. */
GEOSGeometry *tp_demo_polygons_of(tp_geo *g, const GEOSGeometry *geom)
{
	GEOSContextHandle_t h = g->gh;
	GEOSGeometry **parts = NULL, *res = NULL;
	int n = 0, cap = 0, i;

	if (collect_polygons(h, geom, &parts, &n, &cap)) {
		for (i = 0; i < n; i++)
			GEOSGeom_destroy_r(h, parts[i]);
		goto done;
	}
	/* The collection owns the parts from here on, even when it fails. */
	res = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n);
done:
	free(parts);
	return res;
}

/* 1 when prep contains (x, y), 0 when not, -1 on failure. */
int tp_demo_contains_xy(tp_geo *g, const GEOSPreparedGeometry *prep, double x, double y)
{
	GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->gh, x, y);
	char in;

	if (!pt)
		return tp_error_set(TP_ERROR, "GEOS cannot make a point: %s", g->geos_msg);
	in = GEOSPreparedContains_r(g->gh, prep, pt);
	GEOSGeom_destroy_r(g->gh, pt);
	return in == 2 ? tp_error_set(TP_ERROR, "GEOS cannot test a point: %s", g->geos_msg) : in;
}

/*
 * Sets cell[i] to the Voronoi cell of point xy[i] clipped to clip, as a
 * MultiPolygon.  The cells of one diagram share their borders exactly, so
 * the clipped cells tile clip.  Returns 0, or TP_ERROR (no message; the
 * GEOS one is in g->geos_msg) leaving whatever cells were made in cell for
 * the caller to destroy.
 */
int tp_demo_voronoi_cells(tp_geo *g, const double (*xy)[2], int n,
			  const GEOSGeometry *clip, GEOSGeometry **cell)
{
	GEOSContextHandle_t h = g->gh;
	GEOSGeometry **pts = NULL, *mp = NULL, *env = NULL, *diagram = NULL, *piece = NULL;
	const GEOSPreparedGeometry *prep = NULL;
	double x0, y0, x1, y1;
	int i, k, ncell, rc = TP_ERROR;

	pts = calloc((size_t)n, sizeof(*pts));
	if (!pts)
		goto done;
	for (i = 0; i < n; i++) {
		pts[i] = GEOSGeom_createPointFromXY_r(h, xy[i][0], xy[i][1]);
		if (!pts[i]) {
			while (i-- > 0)
				GEOSGeom_destroy_r(h, pts[i]);
			goto done;
		}
	}
	mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)n);
	if (!mp)
		goto done;
	if (!GEOSGeom_getXMin_r(h, clip, &x0) || !GEOSGeom_getYMin_r(h, clip, &y0) ||
	    !GEOSGeom_getXMax_r(h, clip, &x1) || !GEOSGeom_getYMax_r(h, clip, &y1))
		goto done;
	env = GEOSGeom_createRectangle_r(h, x0 - 5000, y0 - 5000, x1 + 5000, y1 + 5000);
	if (!env)
		goto done;
	diagram = GEOSVoronoiDiagram_r(h, mp, env, 0.0, 0);
	if (!diagram)
		goto done;
	/* GEOS 3.11 does not keep the input order: find each cell's seed. */
	ncell = GEOSGetNumGeometries_r(h, diagram);
	for (k = 0; k < ncell; k++) {
		const GEOSGeometry *c = GEOSGetGeometryN_r(h, diagram, k);
		prep = GEOSPrepare_r(h, c);
		if (!prep)
			goto done;
		for (i = 0; i < n; i++) {
			char in;
			if (cell[i])
				continue;
			in = GEOSPreparedContains_r(h, prep, GEOSGetGeometryN_r(h, mp, i));
			if (in == 2)
				goto done;
			if (!in)
				continue;
			piece = GEOSIntersection_r(h, c, clip);
			if (!piece)
				goto done;
			cell[i] = tp_demo_polygons_of(g, piece);
			if (!cell[i])
				goto done;
			GEOSGeom_destroy_r(h, piece);
			piece = NULL;
			break;
		}
		GEOSPreparedGeom_destroy_r(h, prep);
		prep = NULL;
	}
	for (i = 0; i < n; i++)
		if (!cell[i]) {
			snprintf(g->geos_msg, sizeof(g->geos_msg), "no Voronoi cell for point %d", i);
			goto done;
		}
	rc = TP_OK;
done:
	if (prep)
		GEOSPreparedGeom_destroy_r(h, prep);
	if (piece)
		GEOSGeom_destroy_r(h, piece);
	if (diagram)
		GEOSGeom_destroy_r(h, diagram);
	if (env)
		GEOSGeom_destroy_r(h, env);
	if (mp)
		GEOSGeom_destroy_r(h, mp);
	free(pts);
	return rc;
}

/* Area of geom, or -1 on failure. */
double tp_demo_area_of(tp_geo *g, const GEOSGeometry *geom)
{
	double a;

	return GEOSArea_r(g->gh, geom, &a) == 1 ? a : -1;
}

int tp_demo_build_end(demo *d, GEOSGeometry **cell, int n, GEOSGeometry *extra, int rc,
		      const char *path, const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (cell[i])
			GEOSGeom_destroy_r(d->g->gh, cell[i]);
	if (extra)
		GEOSGeom_destroy_r(d->g->gh, extra);
	if (rc)
		tp_error_set(rc, "%s: cannot build %s: %s", path, what, d->g->geos_msg);
	return rc;
}

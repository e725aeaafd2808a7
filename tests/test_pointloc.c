/*
 * test_pointloc.c: the locator answers what GEOS's own predicate answers,
 * border rule included (the lowest key among the polygons that hold a
 * point, keys here in the reverse of the polygons' order), with 1 or 2
 * threads and any grid; without keys the lowest position wins.
 */
#include "geo/geo.h"
#include "geo/pointloc.h"
#include "tests/check.h"

#include <stdint.h>
#include <stdlib.h>

static uint64_t rng = 42;

static double uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

int main(void)
{
	tp_geo *g = NULL;
	GEOSGeometry *sites = NULL, *cells = NULL, *box = NULL;
	GEOSGeometry **polys = NULL;
	GEOSCoordSequence *cs = NULL;
	tp_rings rings = {0};
	tp_locator *l1 = NULL, *l2 = NULL;
	tp_locate_stats st = {0};
	size_t npts = 200000, nsite = 300, i, n, mism2 = 0, outside = 0, wrong = 0, wrong_pos = 0;
	size_t nref = 20000, border = 0;
	double *xy = malloc(npts * 2 * sizeof(double));
	int32_t *r1 = malloc(npts * sizeof(int32_t)), *r2 = malloc(npts * sizeof(int32_t));
	int32_t *r3 = malloc(npts * sizeof(int32_t));
	char **keys = NULL;

	if (tp_geo_new(&g) || !xy || !r1 || !r2 || !r3)
		return 1;
	/* a Voronoi tiling of 300 random sites over 10 km, plus a hole-free gap */
	cs = GEOSCoordSeq_create_r(g->gh, (unsigned)nsite, 2);
	for (i = 0; i < nsite; i++)
		GEOSCoordSeq_setXY_r(g->gh, cs, (unsigned)i, 150000 + uniform() * 10000,
				     170000 + uniform() * 10000);
	sites = GEOSGeom_createLineString_r(g->gh, cs);
	box = tp_geo_from_wkt(g, "POLYGON((150000 170000,160000 170000,160000 180000,"
				 "150000 180000,150000 170000))");
	cells = GEOSVoronoiDiagram_r(g->gh, sites, box, 0, 0);
	n = (size_t)GEOSGetNumGeometries_r(g->gh, cells);
	polys = calloc(n, sizeof(*polys));
	for (i = 0; i < n; i++)
		polys[i] = GEOSIntersection_r(g->gh, GEOSGetGeometryN_r(g->gh, cells, i), box);
	/* points: uniform over a larger box, and every vertex of the first 50 cells */
	for (i = 0; i < npts; i++) {
		xy[2 * i] = 149000 + uniform() * 12000;
		xy[2 * i + 1] = 169000 + uniform() * 12000;
	}
	{
		size_t k = 0, c;
		for (c = 0; c < 50 && c < n && k < 5000; c++) {
			const GEOSGeometry *ring = GEOSGetExteriorRing_r(g->gh, polys[c]);
			const GEOSCoordSequence *rs = GEOSGeom_getCoordSeq_r(g->gh, ring);
			unsigned int sz = 0, v;
			GEOSCoordSeq_getSize_r(g->gh, rs, &sz);
			for (v = 0; v < sz && k < 5000; v++, k++)
				GEOSCoordSeq_getXY_r(g->gh, rs, v, &xy[2 * k], &xy[2 * k + 1]);
		}
	}
	/* keys in the reverse of the polygons' order, of unequal lengths ("9"
	 * before "10"): the lowest key is the highest position */
	keys = calloc(n, sizeof(*keys));
	for (i = 0; i < n; i++) {
		keys[i] = malloc(24);
		snprintf(keys[i], 24, "%zu", n - 1 - i);
	}
	for (i = 0; i < n; i++)
		CHECK(tp_rings_add_geos(&rings, g, polys[i]) == 0);
	CHECK(rings.n == n);
	CHECK(tp_locator_new(&l1, &rings, (const char *const *)keys, 1, 0) == 0);
	if (l1)
		tp_locator_count_borders(l1, 1);
	CHECK(tp_locator_new(&l2, &rings, (const char *const *)keys, 2, 64) == 0);
	if (!l1 || !l2)
		return check_report("test_pointloc");
	CHECK(tp_locator_run(l1, xy, npts, r1, &st) == 0);
	CHECK(st.by_grid > npts / 2);     /* the grid answers most points */
	CHECK(st.exact > 0);
	CHECK(tp_locator_run(l2, xy, npts, r2, NULL) == 0);
	CHECK(tp_locate_points(r3, &rings, NULL, xy, nref, 2, NULL) == 0);
	for (i = 0; i < npts; i++) {
		mism2 += r2[i] != r1[i];
		outside += r1[i] < 0;
	}
	/* the reference: GEOS's predicate on every polygon, for the first points
	 * (the vertices among them): the highest position that holds it (lowest
	 * key), and without keys the lowest */
	{
		const GEOSPreparedGeometry **prep = calloc(n, sizeof(*prep));
		for (i = 0; i < n; i++)
			prep[i] = GEOSPrepare_r(g->gh, polys[i]);
		for (i = 0; i < nref; i++) {
			GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->gh, xy[2 * i], xy[2 * i + 1]);
			long first = -1, last = -1;
			size_t p, hits = 0;
			for (p = 0; p < n; p++) {
				if (GEOSPreparedIntersects_r(g->gh, prep[p], pt) == 1) {
					if (first < 0)
						first = (long)p;
					last = (long)p;
					hits++;
				}
			}
			wrong += r1[i] != last;
			wrong_pos += r3[i] != first;
			border += hits > 1;
			GEOSGeom_destroy_r(g->gh, pt);
		}
		for (i = 0; i < n; i++)
			GEOSPreparedGeom_destroy_r(g->gh, prep[i]);
		free(prep);
	}
	CHECK(border > 100);      /* the vertices: shared by two polygons or more */
	CHECK(st.border == border); /* and only they: random points miss every border */
	CHECK(wrong == 0);
	CHECK(wrong_pos == 0);
	CHECK(mism2 == 0);
	CHECK(outside > npts / 10);   /* the larger box puts points outside */
	printf("grid %zu cells (%zu boundary), %zu by grid, %zu exact\n", st.grid_cells,
	       st.boundary_cells, st.by_grid, st.exact);
	tp_locator_free(l1);
	tp_locator_free(l2);
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	tp_rings_dispose(&rings);
	for (i = 0; i < n; i++)
		GEOSGeom_destroy_r(g->gh, polys[i]);
	free(polys);
	GEOSGeom_destroy_r(g->gh, cells);
	GEOSGeom_destroy_r(g->gh, sites);
	GEOSGeom_destroy_r(g->gh, box);
	tp_geo_free(g);
	free(xy);
	free(r1);
	free(r2);
	free(r3);
	return check_report("test_pointloc");
}

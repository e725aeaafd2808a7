/*
 * test_geo.c: point location, repair and overlay on hand-made squares.
 */
#include "geo/error.h"
#include "geo/geo.h"
#include "geo/overlay.h"
#include "geo/pointloc.h"
#include "tests/check.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static tp_geo *g;

/* Flat rings of the WKT polygons wkt[0..n). */
static void rings_of(tp_rings *r, const char *const *wkt, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		GEOSGeometry *p = tp_geo_from_wkt(g, wkt[i]);
		CHECK(p != NULL);
		CHECK(tp_rings_add_geos(r, g, p) == 0);
		if (p)
			GEOSGeom_destroy_r(g->gh, p);
	}
}

static void points_land_in_their_square_and_borders_go_to_the_lowest_key(void)
{
	/* read in the order b, a: the border still goes to "21001" (position 1) */
	static const char *const wkt[] = {"POLYGON((10 0,20 0,20 10,10 10,10 0))",
					  "POLYGON((0 0,10 0,10 10,0 10,0 0))"};
	static const char *const keys[] = {"21002", "21001"};
	static const double xy[] = {5, 5, 15, 5, 10, 5, 10, 10, 20, 5, 25, 5, 10, 10.001, 10, 0};
	static const int32_t want[] = {1, 0, 1, 1, 0, -1, -1, 1};
	tp_rings r = {0};
	tp_locate_stats st = {0};
	int32_t got[8];
	size_t i;

	rings_of(&r, wkt, 2);
	CHECK(tp_locate_points(got, &r, keys, xy, 8, 1, &st) == 0);
	/* inside each; on the shared edge, corner and bottom vertex: the lowest
	 * key; on an outer edge: the closed polygon holds it; outside */
	for (i = 0; i < 8; i++)
		CHECK(got[i] == want[i]);
	CHECK(st.border == 3);
	/* without keys, the lowest position wins */
	CHECK(tp_locate_points(got, &r, NULL, xy, 8, 2, NULL) == 0);
	CHECK(got[2] == 0 && got[3] == 0 && got[7] == 0);
	tp_rings_dispose(&r);
}

static void keys_that_are_numbers_compare_as_numbers(void)
{
	/* the same square twice: every point is on both, the lowest key wins */
	static const char *const wkt[] = {"POLYGON((0 0,10 0,10 10,0 10,0 0))",
					  "POLYGON((0 0,10 0,10 10,0 10,0 0))",
					  "POLYGON((0 0,10 0,10 10,0 10,0 0))"};
	static const char *const nums[] = {"10", "9", "011"};
	static const char *const text[] = {"Z10", "Z9", "Z11"};
	static const double xy[] = {5, 5, 0, 0};
	tp_rings r = {0};
	int32_t got[2];

	rings_of(&r, wkt, 3);
	CHECK(tp_locate_points(got, &r, nums, xy, 2, 1, NULL) == 0);
	CHECK(got[0] == 1 && got[1] == 1);
	/* text goes byte by byte, as SQLite orders a TEXT column: "Z10" < "Z9" */
	CHECK(tp_locate_points(got, &r, text, xy, 2, 1, NULL) == 0);
	CHECK(got[0] == 0 && got[1] == 0);
	tp_rings_dispose(&r);
}

static void a_bowtie_is_repaired_into_two_triangles(void)
{
	GEOSGeometry *bow = tp_geo_from_wkt(g, "POLYGON((0 0,10 10,10 0,0 10,0 0))");
	GEOSGeometry *fixed;
	const char *why = NULL;
	int repaired = 0;
	double area = 0;

	fixed = tp_geo_valid_multipolygon(g, bow, &repaired, &why);
	CHECK(fixed != NULL);
	CHECK(repaired == 1);
	if (fixed) {
		GEOSArea_r(g->gh, fixed, &area);
		CHECK_NEAR(area, 50, 1e-9);
		CHECK(GEOSGeomTypeId_r(g->gh, fixed) == GEOS_MULTIPOLYGON);
		CHECK(GEOSGetNumGeometries_r(g->gh, fixed) == 2);
		CHECK(GEOSisValid_r(g->gh, fixed) == 1);
		GEOSGeom_destroy_r(g->gh, fixed);
	}
	GEOSGeom_destroy_r(g->gh, bow);
}

static void a_flat_polygon_is_rejected_with_a_reason(void)
{
	GEOSGeometry *flat = tp_geo_from_wkt(g, "POLYGON((0 0,10 0,20 0,0 0))");
	const char *why = NULL;
	int repaired = 0;

	CHECK(flat != NULL);
	if (!flat)
		return;
	CHECK(tp_geo_valid_multipolygon(g, flat, &repaired, &why) == NULL);
	CHECK_STR(why, "invalid geometry with no area left after repair");
	GEOSGeom_destroy_r(g->gh, flat);
}

typedef struct {
	size_t i[8], j[8];
	double area[8];
	int n;
} got_pieces;

static int record(void *ud, size_t i, size_t j, double area)
{
	got_pieces *p = ud;

	p->i[p->n] = i, p->j[p->n] = j, p->area[p->n] = area;
	p->n++;
	return 0;
}

static void overlay_reports_each_overlap_with_its_area(void)
{
	static const char *const dwkt[] = {"POLYGON((0 0,10 0,10 10,0 10,0 0))",
					   "POLYGON((10 0,20 0,20 10,10 10,10 0))"};
	static const char *const swkt[] = {"POLYGON((5 0,15 0,15 10,5 10,5 0))",
					   "POLYGON((15 0,25 0,25 4,15 4,15 0))"};
	tp_rings dst = {0}, src = {0};
	got_pieces p = {0};

	rings_of(&dst, dwkt, 2);
	rings_of(&src, swkt, 2);
	CHECK(tp_overlay_areas(g, &src, &dst, record, &p) == 0);
	CHECK(p.n == 3);
	CHECK(p.i[0] == 0 && p.j[0] == 0);
	CHECK_NEAR(p.area[0], 50, 1e-9);
	CHECK(p.i[1] == 0 && p.j[1] == 1);
	CHECK_NEAR(p.area[1], 50, 1e-9);
	CHECK(p.i[2] == 1 && p.j[2] == 1);
	CHECK_NEAR(p.area[2], 20, 1e-9);
	tp_rings_dispose(&dst);
	tp_rings_dispose(&src);
}

static void lambert_72_to_2008_and_back_lands_within_a_millimetre(void)
{
	tp_transform *t = NULL, *back = NULL;
	double x = 149500, y = 170500, x0 = x, y0 = y;

	CHECK(tp_transform_new(&t, g, "EPSG:31370", "EPSG:3812") == 0);
	CHECK(tp_transform_new(&back, g, "EPSG:3812", "EPSG:31370") == 0);
	if (!t || !back)
		goto done;
	CHECK(tp_transform_xy(t, &x, &y) == 0);
	/* Lambert 2008 false origin is offset by about (500000, 500000) */
	CHECK(x > 640000 && x < 660000 && y > 660000 && y < 680000);
	CHECK(tp_transform_xy(back, &x, &y) == 0);
	CHECK_NEAR(x, x0, 1e-3);
	CHECK_NEAR(y, y0, 1e-3);
done:
	tp_transform_free(t);
	tp_transform_free(back);
}

static void lon_lat_is_read_longitude_first(void)
{
	tp_transform *t = NULL;
	double x = 4.3517, y = 50.8466; /* Grand-Place */

	CHECK(tp_transform_new(&t, g, "EPSG:4326", "EPSG:31370") == 0);
	if (!t)
		return;
	CHECK(tp_transform_xy(t, &x, &y) == 0);
	CHECK(x > 148000 && x < 151000 && y > 169000 && y < 172000);
	tp_transform_free(t);
}

/* The file is named by the caller, which knows it (test_bad_input.py). */
static void an_unknown_crs_is_named_in_the_error(void)
{
	tp_transform *t = NULL;

	tp_error_clear();
	CHECK(tp_transform_new(&t, g, "EPSG:99999999", "EPSG:31370") == TP_EINPUT);
	CHECK(t == NULL);
	CHECK_CONTAINS(tp_error_last(), "unknown CRS 'EPSG:99999999'");
	tp_error_clear();
	CHECK(tp_transform_new(&t, g, "EPSG:31370", "EPSG:88888888") == TP_EINPUT);
	CHECK(t == NULL);
	CHECK_CONTAINS(tp_error_last(), "unknown CRS 'EPSG:88888888'");
}

/* WKB bytes of a point: byte order, type, then n doubles, each in that order. */
static size_t wkb_of(unsigned char *w, int little, uint32_t type, const double *v, int n)
{
	unsigned char b[8];
	int i, k;

	w[0] = (unsigned char)little;
	for (k = 0; k < 4; k++)
		w[1 + k] = (unsigned char)(type >> (little ? 8 * k : 8 * (3 - k)));
	for (i = 0; i < n; i++) {
		memcpy(b, &v[i], 8);
		for (k = 0; k < 8; k++)
			w[5 + 8 * i + k] = b[little ? k : 7 - k];
	}
	return 5 + 8 * (size_t)n;
}

static void wkb_points_are_read_without_geos_as_geos_reads_them(void)
{
	const double v[4] = {150972.9, -167643.4, 12.5, 7}, nan[2] = {NAN, NAN};
	unsigned char w[64];
	double x = 0, y = 0, gx = 0, gy = 0;
	size_t n;
	int little;

	for (little = 0; little <= 1; little++) {
		/* 2D, both byte orders: the same as GEOS */
		n = wkb_of(w, little, 1, v, 2);
		CHECK(tp_wkb_point_xy(w, n, &x, &y) == 21);
		CHECK(x == v[0] && y == v[1]);
		CHECK(tp_geo_wkb_xy(g, w, n, &gx, &gy) == 1 && gx == x && gy == y);
		/* ISO Z, M, ZM and extended Z: x and y, the point's own size */
		n = wkb_of(w, little, 1001, v, 3);
		CHECK(tp_wkb_point_xy(w, n, &x, &y) == 29 && x == v[0] && y == v[1]);
		n = wkb_of(w, little, 2001, v, 3);
		CHECK(tp_wkb_point_xy(w, n, &x, &y) == 29);
		n = wkb_of(w, little, 3001, v, 4);
		CHECK(tp_wkb_point_xy(w, n, &x, &y) == 37);
		n = wkb_of(w, little, 0x80000001u, v, 3);
		CHECK(tp_wkb_point_xy(w, n, &x, &y) == 29 && x == v[0] && y == v[1]);
		/* too short for its dimensions, trailing bytes: the size tells */
		CHECK(tp_wkb_point_xy(w, 21, &x, &y) == 0);
		n = wkb_of(w, little, 1, v, 3);
		CHECK(tp_wkb_point_xy(w, n, &x, &y) == 21);
		/* empty (NaN), a line, an SRID before x, a bad byte order: not read */
		x = y = -1;
		n = wkb_of(w, little, 1, nan, 2);
		CHECK(tp_wkb_point_xy(w, n, &x, &y) == 0 && x == -1 && y == -1);
		CHECK(tp_geo_wkb_xy(g, w, n, &gx, &gy) == 0);
		n = wkb_of(w, little, 2, v, 4);
		CHECK(tp_wkb_point_xy(w, n, &x, &y) == 0);
		n = wkb_of(w, little, 0x20000001u, v, 3);
		CHECK(tp_wkb_point_xy(w, n, &x, &y) == 0);
	}
	w[0] = 2;
	CHECK(tp_wkb_point_xy(w, 21, &x, &y) == 0);
	CHECK(tp_wkb_point_xy(NULL, 21, &x, &y) == 0);
}

int main(void)
{
	if (tp_geo_new(&g))
		return 1;
	points_land_in_their_square_and_borders_go_to_the_lowest_key();
	keys_that_are_numbers_compare_as_numbers();
	a_bowtie_is_repaired_into_two_triangles();
	a_flat_polygon_is_rejected_with_a_reason();
	overlay_reports_each_overlap_with_its_area();
	lambert_72_to_2008_and_back_lands_within_a_millimetre();
	lon_lat_is_read_longitude_first();
	an_unknown_crs_is_named_in_the_error();
	wkb_points_are_read_without_geos_as_geos_reads_them();
	tp_geo_free(g);
	return check_report("test_geo");
}

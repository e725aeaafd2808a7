/*
 * communes.c: the demo's region and its 19 communes, written to
 * communes.gpkg.  The region is a smooth made-up outline with the area of
 * the Brussels-Capital Region; the communes carry their real NIS codes,
 * names and 2020 populations, but their geometry is the Voronoi diagram of
 * approximate commune centres clipped to the outline, so that they tile
 * the region and nobody mistakes them for the real boundaries.  No random
 * draws here: the communes are the same for every seed.
 */
#include "demo/demo_internal.h"
#include "geo/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char schematic_note[] = "schematic demo region, not real boundaries";

const commune_attr tp_demo_communes[NCOMMUNES] = {
	{"21001", "Anderlecht", "Anderlecht", 120887, 0},
	{"21002", "Auderghem", "Oudergem", 34404, -1},
	{"21003", "Berchem-Sainte-Agathe", "Sint-Agatha-Berchem", 25502, -1},
	{"21004", "Bruxelles", "Brussel", 185103, 5},
	{"21005", "Etterbeek", "Etterbeek", 48473, 1},
	{"21006", "Evere", "Evere", 42656, 4},
	{"21007", "Forest", "Vorst", 56581, -1},
	{"21008", "Ganshoren", "Ganshoren", 25234, -1},
	{"21009", "Ixelles", "Elsene", 87632, -1},
	{"21010", "Jette", "Jette", 52728, -1},
	{"21011", "Koekelberg", "Koekelberg", 21959, -1},
	{"21012", "Molenbeek-Saint-Jean", "Sint-Jans-Molenbeek", 97979, 2},
	{"21013", "Saint-Gilles", "Sint-Gillis", 49678, -1},
	{"21014", "Saint-Josse-ten-Noode", "Sint-Joost-ten-Node", 27497, -1},
	{"21015", "Schaerbeek", "Schaarbeek", 132799, 10},
	{"21016", "Uccle", "Ukkel", 83980, -1},
	{"21017", "Watermael-Boitsfort", "Watermaal-Bosvoorde", 25332, -1},
	{"21018", "Woluwe-Saint-Lambert", "Sint-Lambrechts-Woluwe", 57712, -1},
	{"21019", "Woluwe-Saint-Pierre", "Sint-Pieters-Woluwe", 42119, -1},
};

typedef struct {
	int commune;   /* index into tp_demo_communes */
	double x, y;   /* approximate centre, Lambert 72 metres */
} centre;

/*
 * Approximate commune centres.  Bruxelles has three: the Pentagon, the
 * canal (Tour & Taxis) and the northern districts (Laeken,
 * Neder-Over-Heembeek); its cells are merged into one MultiPolygon.
 */
static const centre centres[] = {
	{0, 144700, 168700}, {1, 154900, 166600}, {2, 144700, 172700},
	{3, 149500, 170500}, {3, 149100, 172900}, {3, 150300, 175600},
	{4, 151800, 169200}, {5, 152800, 173300}, {6, 146900, 167100},
	{7, 145800, 173800}, {8, 150600, 168000}, {9, 146700, 174600},
	{10, 146900, 172500}, {11, 146500, 171600}, {12, 148300, 168800},
	{13, 150200, 171500}, {14, 151200, 172400}, {15, 149500, 164400},
	{16, 153900, 164700}, {17, 154400, 170800}, {18, 155200, 169000},
};

#define NCENTRES ((int)NELEM(centres))

/*
 * Control points of the region's outline, clockwise from the north; a
 * closed Catmull-Rom curve through them, sampled OUTLINE_SUB times per
 * span, is the outline (then scaled to REGION_AREA about OUTLINE_CX/CY).
 */
static const double outline_ctl[][2] = {
	{151000, 178200}, {153300, 177000}, {154800, 175200}, {154300, 173600},
	{156600, 172400}, {158000, 169800}, {157400, 166800}, {157000, 163500},
	{155000, 161900}, {152200, 162300}, {150000, 161500}, {147800, 162300},
	{146600, 164600}, {144300, 165400}, {141300, 166800}, {141200, 169600},
	{143000, 171800}, {143800, 173400}, {144400, 174600}, {147000, 176400},
	{148800, 177800},
};

#define OUTLINE_SUB 3
#define NOUTLINE ((int)NELEM(outline_ctl) * OUTLINE_SUB)
#define OUTLINE_CX 149500.0
#define OUTLINE_CY 169850.0

/* The region's outline: a smooth simple polygon of NOUTLINE vertices. */
static GEOSGeometry *build_outline(tp_geo *g)
{
	GEOSContextHandle_t h = g->gh;
	double pts[NOUTLINE + 1][2], area = 0, k;
	GEOSCoordSequence *seq = NULL;
	GEOSGeometry *ring = NULL, *poly = NULL;
	int n = (int)NELEM(outline_ctl), i, j, m = 0;

	for (i = 0; i < n; i++) {
		const double *p0 = outline_ctl[(i + n - 1) % n], *p1 = outline_ctl[i];
		const double *p2 = outline_ctl[(i + 1) % n], *p3 = outline_ctl[(i + 2) % n];
		for (j = 0; j < OUTLINE_SUB; j++, m++) {
			double t = (double)j / OUTLINE_SUB, t2 = t * t, t3 = t2 * t;
			int c;
			for (c = 0; c < 2; c++)
				pts[m][c] = 0.5 * (2 * p1[c] + (p2[c] - p0[c]) * t +
						   (2 * p0[c] - 5 * p1[c] + 4 * p2[c] - p3[c]) * t2 +
						   (3 * p1[c] - p0[c] - 3 * p2[c] + p3[c]) * t3);
		}
	}
	for (i = 0; i < NOUTLINE; i++) {
		const double *a = pts[i], *b = pts[(i + 1) % NOUTLINE];
		area += a[0] * b[1] - b[0] * a[1];
	}
	k = sqrt(REGION_AREA / fabs(area / 2));
	for (i = 0; i < NOUTLINE; i++) {
		pts[i][0] = round((OUTLINE_CX + (pts[i][0] - OUTLINE_CX) * k) * 10) / 10;
		pts[i][1] = round((OUTLINE_CY + (pts[i][1] - OUTLINE_CY) * k) * 10) / 10;
	}
	pts[NOUTLINE][0] = pts[0][0];
	pts[NOUTLINE][1] = pts[0][1];
	seq = GEOSCoordSeq_create_r(h, NOUTLINE + 1, 2);
	if (!seq)
		return NULL;
	for (i = 0; i <= NOUTLINE; i++)
		GEOSCoordSeq_setXY_r(h, seq, (unsigned)i, pts[i][0], pts[i][1]);
	ring = GEOSGeom_createLinearRing_r(h, seq);
	if (!ring)
		return NULL;
	poly = GEOSGeom_createPolygon_r(h, ring, NULL, 0);
	if (poly && GEOSisValid_r(h, poly) != 1) {
		GEOSGeom_destroy_r(h, poly);
		poly = NULL;
	}
	return poly;
}

/* The region and its prepared form. */
int tp_demo_build_region(demo *d)
{
	GEOSContextHandle_t h = d->g->gh;

	d->outline = build_outline(d->g);
	if (d->outline)
		d->outline_p = GEOSPrepare_r(h, d->outline);
	if (!d->outline || !d->outline_p ||
	    !GEOSGeom_getXMin_r(h, d->outline, &d->x0) || !GEOSGeom_getYMin_r(h, d->outline, &d->y0) ||
	    !GEOSGeom_getXMax_r(h, d->outline, &d->x1) || !GEOSGeom_getYMax_r(h, d->outline, &d->y1))
		return tp_error_set(TP_ERROR, "demo: cannot build the region's outline: %s",
				    d->g->geos_msg);
	return TP_OK;
}

/*
 * The communes: Voronoi cells of the centres clipped to the outline, the
 * cells of one commune merged.  Checks that they tile the outline.
 */
int tp_demo_build_communes(demo *d, const char *path)
{
	GEOSContextHandle_t h = d->g->gh;
	GEOSGeometry *cells[NCENTRES] = {0}, *u = NULL;
	double xy[NCENTRES][2], sum = 0, a, whole;
	int i, c, rc = TP_ERROR;

	for (i = 0; i < NCENTRES; i++) {
		xy[i][0] = centres[i].x;
		xy[i][1] = centres[i].y;
	}
	if (tp_demo_voronoi_cells(d->g, (const double (*)[2])xy, NCENTRES, d->outline, cells))
		goto done;
	for (i = 0; i < NCENTRES; i++) {
		c = centres[i].commune;
		if (!d->commune[c]) {
			d->commune[c] = cells[i];
			cells[i] = NULL;
			continue;
		}
		u = GEOSUnion_r(h, d->commune[c], cells[i]);
		if (!u)
			goto done;
		GEOSGeom_destroy_r(h, d->commune[c]);
		d->commune[c] = tp_demo_polygons_of(d->g, u);
		if (!d->commune[c])
			goto done;
		GEOSGeom_destroy_r(h, u);
		u = NULL;
	}
	for (c = 0; c < NCOMMUNES; c++) {
		a = tp_demo_area_of(d->g, d->commune[c]);
		if (a <= 0 || GEOSisValid_r(h, d->commune[c]) != 1) {
			snprintf(d->g->geos_msg, sizeof(d->g->geos_msg),
				 "the cell of %s is empty or invalid", tp_demo_communes[c].fr);
			goto done;
		}
		sum += a;
		d->commune_p[c] = GEOSPrepare_r(h, d->commune[c]);
		if (!d->commune_p[c])
			goto done;
	}
	whole = tp_demo_area_of(d->g, d->outline);
	if (fabs(sum - whole) > 1e-6 * whole) {
		snprintf(d->g->geos_msg, sizeof(d->g->geos_msg),
			 "the cells cover %.1f m² of a %.1f m² region", sum, whole);
		goto done;
	}
	rc = TP_OK;
done:
	return tp_demo_build_end(d, cells, NCENTRES, u, rc, path, "the communes");
}

static const gpkg_field commune_fields[] = {
	{"nis_code", OFTString}, {"name_fr", OFTString}, {"name_nl", OFTString},
	{"population", OFTInteger64}, {"schematic", OFTString},
};

int tp_demo_write_communes(demo *d)
{
	gpkg_out o = {.ds = NULL};
	OGRFeatureH f;
	int c, rc;

	rc = tp_demo_gpkg_begin(&o, d->dir, "communes.gpkg", "communes",
				"The 19 communes of the demo region (schematic boundaries)",
				commune_fields, (int)NELEM(commune_fields));
	for (c = 0; c < NCOMMUNES && !rc; c++) {
		const commune_attr *a = &tp_demo_communes[c];
		if ((rc = tp_demo_gpkg_feature(&o, &f)))
			break;
		OGR_F_SetFieldString(f, 0, a->nis);
		OGR_F_SetFieldString(f, 1, a->fr);
		OGR_F_SetFieldString(f, 2, a->nl);
		OGR_F_SetFieldInteger64(f, 3, a->population);
		OGR_F_SetFieldString(f, 4, schematic_note);
		rc = tp_demo_gpkg_add(&o, d->g, f, d->commune[c]);
	}
	return tp_demo_gpkg_end(&o, rc);
}

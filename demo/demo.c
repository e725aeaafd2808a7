/*
 * demo.c: the generator of tremplin's demo inputs, a schematic Brussels.
 *
 * The region is a smooth made-up outline with the area of the
 * Brussels-Capital Region (162.4 km²) in Belgian Lambert 72.  The 19
 * communes carry their real NIS codes, names and 2020 populations, but
 * their geometry is the Voronoi diagram of approximate commune centres
 * clipped to the outline: the cells share their borders exactly, so the
 * communes tile the region, and nobody can mistake them for the real
 * boundaries.  The count zones are the Voronoi cells of pseudo-random
 * seeds clipped to the outline grown by 300 m, so that they cross commune
 * borders and the outer ones stick out of the region, as real count zones
 * drawn on a map do.  They carry the Nov 2024 Bruss'help totals per
 * category exactly; one zone inside the region holds exactly 3 people, the
 * small cell the privacy rules must suppress.  The vacancies are made-up
 * records whose dwelling totals per reason are the SLRB figures of 30 April
 * 2023 exactly.
 *
 * Randomness comes from splitmix64 streams derived from the caller's seed,
 * one per file, so a seed always gives the same files on a given build.
 * Each file is put in place through tp_outfile (outputs/outfile.h).
 */
#include "demo/demo.h"
#include "inputs/geocode.h"
#include "geo/categories.h"
#include "geo/codes.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/geo.h"
#include "outputs/outputs.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#define NCOMMUNES 19
#define NZONES 70
#define NCAT TP_NCATEGORIES
#define NREASON 6
#define NRECORDS 600
#define MAX_DWELLINGS 40
#define PATHLEN 4096

/* Area of the region's outline, m² (the real region: 162.4 km²). */
#define REGION_AREA 162.4e6
/* How far the count zones reach beyond the region, m. */
#define ZONE_MARGIN 300.0
/* Centre of the schematic city, where people and vacancies are densest. */
#define CX 149500.0
#define CY 170500.0

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Facts                                                               */
/* ------------------------------------------------------------------ */

static const char schematic_note[] = "schematic demo region, not real boundaries";

/* The social landlords (SISP) owners are drawn from. */
static const char *const sisp_names[] = {
	"Comensia", "Log'Iris", "Logement Molenbeekois", "Foyer du Sud", "Everecity",
	"Le Logement Bruxellois", "Binhôme", "Lojas", "Alliance Bruxelloise Coopérative",
	"Foyer Anderlechtois", "Foyer Schaerbeekois",
};

/* Social rental agencies (AIS). */
static const char *const ais_names[] = {
	"AIS les trois pommiers", "AIS Quartiers", "AIS Logement pour tous", "AIS Baita",
	"AIS Comme chez toi",
};

/* Made-up street names; one has quotes, to exercise CSV quoting. */
static const char *const street_names[] = {
	"Rue de la Démo", "Avenue de l'Exemple", "Rue du Schéma", "Place du Modèle",
	"Chaussée de l'Essai", "Rue des Maquettes", "Boulevard du Prototype",
	"Rue de l'Échantillon", "Avenue des Esquisses", "Square du Brouillon",
	"Rue du Gabarit", "Clos des Épreuves", "Cité \"Jardin Démo\"",
};

typedef struct {
	const char *nis;        /* NIS code (Statbel) */
	const char *fr;         /* French name */
	const char *nl;         /* Dutch name */
	long long population;   /* residents on 1 January 2020 (Statbel) */
	int home_sisp;          /* index into sisp_names of a local SISP, -1 for none */
} commune_attr;

static const commune_attr commune_attrs[NCOMMUNES] = {
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

#define BRUXELLES 3  /* index of the city of Brussels in commune_attrs */

typedef struct {
	int commune;   /* index into commune_attrs */
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

/*
 * The Nov 2024 totals of the count categories (tp_people, geo/categories.h),
 * in their order.  Emergency shelter is the remainder, so that the sum is
 * the 9,777 counted.
 */
static const long cat_totals[NCAT] = {992, 3401, 513, 683, 2649, 1539};

/* The small cell: 1 person in public space, 2 staying with third parties. */
static const long small_zone_counts[NCAT] = {1, 0, 0, 0, 0, 2};

/* Places where people sleeping rough gather (the big stations). */
static const double hotspots[][2] = {
	{148900, 169500}, {150500, 172000}, {149500, 170700},
};

enum { R_WORKS, R_STUDY, R_FINANCING, R_ALLOCATION, R_REPAIR, R_OTHER };

typedef struct {
	const char *code;  /* tremplin's reason code */
	long dwellings;    /* empty SLRB dwellings with this reason, 30 Apr 2023 */
} reason_total;

static const reason_total reasons[NREASON] = {
	{"works", 1065}, {"study", 1928}, {"financing", 59},
	{"allocation", 745}, {"repair", 991}, {"other", 45},
};

/* How often each owner type (tp_owner_types order: sisp, ais, cpas, commune,
 * regie, citydev, private) owns a small (<= 4) or a larger record. */
static const double owner_w_small[] = {0.55, 0.10, 0.09, 0.08, 0.07, 0.04, 0.07};
static const double owner_w_large[] = {0.90, 0.00, 0.03, 0.03, 0.02, 0.02, 0.00};

static const char ini_text[] =
	"# tremplin demo config (schematic region, generated by `tremplin demo`)\n"
	"[run]\n"
	"crs = EPSG:31370\n"
	"reference_date = 2024-11-07\n"
	"min_window_months = 24\n"
	"occupancy = 1.5\n"
	"note = Données de démonstration, territoire schématique / Demonstratiegegevens, "
	"schematisch gebied\n"
	"\n"
	"[communes]\n"
	"path = communes.gpkg\n"
	"layer = communes\n"
	"\n"
	"[vacancies]\n"
	"path = vacancies.csv\n"
	"x = x\n"
	"y = y\n"
	"crs = EPSG:31370\n"
	"# The columns carry tremplin's field names, so no mapping is needed.  A\n"
	"# mapping line names the source column of a field, e.g.\n"
	"#   dwellings = nombre_logements\n"
	"\n"
	"[zones]\n"
	"path = zones.gpkg\n"
	"layer = zones\n";

/* ------------------------------------------------------------------ */
/* Random numbers                                                      */
/* ------------------------------------------------------------------ */

typedef struct {
	uint64_t s;  /* splitmix64 state */
} rng;

/* Streams: one per file, so that changing one file leaves the others. */
enum { STREAM_ZONES = 1, STREAM_VACANCIES = 2 };

static void rng_init(rng *r, unsigned long seed, uint64_t stream)
{
	r->s = (uint64_t)seed ^ (stream * 0x9e3779b97f4a7c15u);
}

static uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [lo, hi]. */
static long rng_int(rng *r, long lo, long hi)
{
	return lo + (long)(rng_unit(r) * (double)(hi - lo + 1));
}

/* Standard normal (Box-Muller). */
static double rng_gauss(rng *r)
{
	double u = 1.0 - rng_unit(r), v = rng_unit(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Index drawn with probability proportional to w[i]. */
static int rng_pick(rng *r, const double *w, int n)
{
	double sum = 0, t;
	int i;

	for (i = 0; i < n; i++)
		sum += w[i];
	t = rng_unit(r) * sum;
	for (i = 0; i < n - 1; i++) {
		if (t < w[i])
			return i;
		t -= w[i];
	}
	return n - 1;
}

/* ------------------------------------------------------------------ */
/* Exact integer splits                                                */
/* ------------------------------------------------------------------ */

typedef struct {
	double frac;  /* fractional part of the quota */
	int i;        /* whose */
} quota_rest;

static int cmp_quota_rest(const void *a, const void *b)
{
	const quota_rest *x = a, *y = b;

	if (x->frac != y->frac)
		return x->frac > y->frac ? -1 : 1;
	return x->i - y->i;
}

/*
 * Splits total over out[0..n) in proportion to the weights w (>= 0) by
 * largest remainders, so that the parts sum to total exactly; ties go to
 * the lower index.  Returns 0, or TP_ERROR (no message) when all weights
 * are 0 while total is not, or on OOM.
 */
static int apportion(long total, const double *w, int n, long *out)
{
	quota_rest *rem = NULL;
	double sum = 0, q;
	long given = 0;
	int i, rc = TP_ERROR;

	for (i = 0; i < n; i++)
		sum += w[i];
	if (sum <= 0) {
		for (i = 0; i < n; i++)
			out[i] = 0;
		return total == 0 ? TP_OK : TP_ERROR;
	}
	rem = malloc((size_t)n * sizeof(*rem));
	if (!rem)
		goto done;
	for (i = 0; i < n; i++) {
		q = (double)total * w[i] / sum;
		out[i] = (long)floor(q);
		rem[i].frac = q - (double)out[i];
		rem[i].i = i;
		given += out[i];
	}
	qsort(rem, (size_t)n, sizeof(*rem), cmp_quota_rest);
	for (i = 0; given < total; i = (i + 1) % n, given++)
		out[rem[i].i]++;
	rc = TP_OK;
done:
	free(rem);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Geometry                                                            */
/* ------------------------------------------------------------------ */

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
static GEOSGeometry *polygons_of(tp_geo *g, const GEOSGeometry *geom)
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
static int contains_xy(tp_geo *g, const GEOSPreparedGeometry *prep, double x, double y)
{
	GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->gh, x, y);
	char in;

	if (!pt)
		return -1;
	in = GEOSPreparedContains_r(g->gh, prep, pt);
	GEOSGeom_destroy_r(g->gh, pt);
	return in == 2 ? -1 : in;
}

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

/*
 * Sets cell[i] to the Voronoi cell of point xy[i] clipped to clip, as a
 * MultiPolygon.  The cells of one diagram share their borders exactly, so
 * the clipped cells tile clip.  Returns 0, or TP_ERROR (no message; the
 * GEOS one is in g->geos_msg) leaving whatever cells were made in cell for
 * the caller to destroy.
 */
static int voronoi_cells(tp_geo *g, const double (*xy)[2], int n,
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
			cell[i] = polygons_of(g, piece);
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
static double area_of(tp_geo *g, const GEOSGeometry *geom)
{
	double a;

	return GEOSArea_r(g->gh, geom, &a) == 1 ? a : -1;
}

/* ------------------------------------------------------------------ */
/* The generator's state                                               */
/* ------------------------------------------------------------------ */

typedef struct {
	char id[8];           /* "Z01".. */
	double x, y;          /* seed of its Voronoi cell */
	int band;             /* 2 km band from the north, for the id order */
	GEOSGeometry *geom;   /* MultiPolygon */
	long n[NCAT];         /* people per category */
} zone;

typedef struct {
	const char *dir;                                  /* output folder */
	tp_geo *g;                                        /* GEOS context */
	GEOSGeometry *outline;                            /* the region */
	const GEOSPreparedGeometry *outline_p;            /* prepared */
	double x0, y0, x1, y1;                            /* its bounding box */
	GEOSGeometry *commune[NCOMMUNES];                 /* MultiPolygons */
	const GEOSPreparedGeometry *commune_p[NCOMMUNES]; /* prepared */
	zone zones[NZONES];                               /* in zone_id order */
	int small_zone;                                   /* index of the 3-person zone */
} demo;

static void demo_dispose(demo *d)
{
	GEOSContextHandle_t h;
	int i;

	if (!d->g)
		return;
	h = d->g->gh;
	for (i = 0; i < NCOMMUNES; i++) {
		if (d->commune_p[i])
			GEOSPreparedGeom_destroy_r(h, d->commune_p[i]);
		if (d->commune[i])
			GEOSGeom_destroy_r(h, d->commune[i]);
	}
	for (i = 0; i < NZONES; i++)
		if (d->zones[i].geom)
			GEOSGeom_destroy_r(h, d->zones[i].geom);
	if (d->outline_p)
		GEOSPreparedGeom_destroy_r(h, d->outline_p);
	if (d->outline)
		GEOSGeom_destroy_r(h, d->outline);
	tp_geo_free(d->g);
	d->g = NULL;
}

/* dir/file into out; TP_EOUTPUT when too long. */
static int join_path(char *out, const char *dir, const char *file, const char *suffix)
{
	int n = snprintf(out, PATHLEN, "%s/%s%s", dir, file, suffix);

	if (n < 0 || n >= PATHLEN)
		return tp_error_set(TP_EOUTPUT, "%s/%s: path too long", dir, file);
	return TP_OK;
}

/* mkdir -p dir. */
static int make_dirs(const char *dir)
{
	char p[PATHLEN];
	struct stat st;
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return tp_error_set(TP_EOUTPUT, "'%s': not a usable folder name", dir);
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			return tp_error_set(TP_EOUTPUT, "%s: cannot create the folder: %s", p,
					    strerror(errno));
		if (i < n)
			p[i] = '/';
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return tp_error_set(TP_EOUTPUT, "%s: not a folder", dir);
	return TP_OK;
}

/* The region and its prepared form. */
static int build_region(demo *d)
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
static int build_communes(demo *d, const char *path)
{
	GEOSContextHandle_t h = d->g->gh;
	GEOSGeometry *cells[NCENTRES] = {0}, *u = NULL;
	double xy[NCENTRES][2], sum = 0, a, whole;
	int i, c, rc = TP_ERROR;

	for (i = 0; i < NCENTRES; i++) {
		xy[i][0] = centres[i].x;
		xy[i][1] = centres[i].y;
	}
	if (voronoi_cells(d->g, (const double (*)[2])xy, NCENTRES, d->outline, cells))
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
		d->commune[c] = polygons_of(d->g, u);
		if (!d->commune[c])
			goto done;
		GEOSGeom_destroy_r(h, u);
		u = NULL;
	}
	for (c = 0; c < NCOMMUNES; c++) {
		a = area_of(d->g, d->commune[c]);
		if (a <= 0 || GEOSisValid_r(h, d->commune[c]) != 1) {
			snprintf(d->g->geos_msg, sizeof(d->g->geos_msg),
				 "the cell of %s is empty or invalid", commune_attrs[c].fr);
			goto done;
		}
		sum += a;
		d->commune_p[c] = GEOSPrepare_r(h, d->commune[c]);
		if (!d->commune_p[c])
			goto done;
	}
	whole = area_of(d->g, d->outline);
	if (fabs(sum - whole) > 1e-6 * whole) {
		snprintf(d->g->geos_msg, sizeof(d->g->geos_msg),
			 "the cells cover %.1f m² of a %.1f m² region", sum, whole);
		goto done;
	}
	rc = TP_OK;
done:
	for (i = 0; i < NCENTRES; i++)
		if (cells[i])
			GEOSGeom_destroy_r(h, cells[i]);
	if (u)
		GEOSGeom_destroy_r(h, u);
	if (rc)
		tp_error_set(rc, "%s: cannot build the communes: %s", path, d->g->geos_msg);
	return rc;
}

/* Seeds sort north to south by band, west to east within a band. */
static int cmp_zone_seed(const void *a, const void *b)
{
	const zone *x = a, *y = b;

	if (x->band != y->band)
		return x->band - y->band;
	return (x->x > y->x) - (x->x < y->x);
}

/* The zone seeds: denser towards the centre, not too close to each other. */
static int place_zone_seeds(demo *d, rng *r)
{
	long tries;
	int n = 0, j, in;

	for (tries = 0; n < NZONES && tries < 2000000; tries++) {
		double x = d->x0 + rng_unit(r) * (d->x1 - d->x0);
		double y = d->y0 + rng_unit(r) * (d->y1 - d->y0);
		double dens = exp(-((x - CX) * (x - CX) + (y - CY) * (y - CY)) / (4000.0 * 4000.0));
		double gap = 500 + 600 * (1 - dens);
		if (rng_unit(r) > 0.3 + 0.7 * dens)
			continue;
		for (j = 0; j < n; j++)
			if (hypot(x - d->zones[j].x, y - d->zones[j].y) < gap)
				break;
		if (j < n)
			continue;
		in = contains_xy(d->g, d->outline_p, x, y);
		if (in < 0)
			return TP_ERROR;
		if (!in)
			continue;
		d->zones[n].x = round(x);
		d->zones[n].y = round(y);
		n++;
	}
	return n == NZONES ? TP_OK : TP_ERROR;
}

/*
 * The small zone: inside the region, preferably inside one commune, and
 * then the farthest from the centre (where 3 people is plausible).
 */
static int pick_small_zone(demo *d)
{
	GEOSContextHandle_t h = d->g->gh;
	int i, c, best = -1, best_one = 0;
	double best_d = -1;

	for (i = 0; i < NZONES; i++) {
		const zone *z = &d->zones[i];
		int one = 0;
		double dist = hypot(z->x - CX, z->y - CY);
		char in = GEOSPreparedContains_r(h, d->outline_p, z->geom);
		if (in == 2)
			return -1;
		if (!in)
			continue;
		for (c = 0; c < NCOMMUNES && !one; c++) {
			in = GEOSPreparedContains_r(h, d->commune_p[c], z->geom);
			if (in == 2)
				return -1;
			one = in;
		}
		if (one > best_one || (one == best_one && dist > best_d)) {
			best = i;
			best_one = one;
			best_d = dist;
		}
	}
	return best;
}

/* People per zone and category, totals exact. */
static int count_people(demo *d, rng *r)
{
	double w[NCAT][NZONES];
	long part[NZONES];
	int i, k, h;

	for (i = 0; i < NZONES; i++) {
		const zone *z = &d->zones[i];
		double dd = hypot(z->x - CX, z->y - CY), dens = exp(-(dd / 3500) * (dd / 3500));
		double hot = 0, u[2 * NCAT];
		for (h = 0; h < (int)NELEM(hotspots); h++) {
			double dh = hypot(z->x - hotspots[h][0], z->y - hotspots[h][1]) / 900;
			hot += exp(-dh * dh);
		}
		for (k = 0; k < 2 * NCAT; k++)
			u[k] = rng_unit(r);
		w[0][i] = (0.25 + dens + 2 * hot) * (0.6 + 0.8 * u[0]);
		w[1][i] = u[1] < 0.12 + 0.35 * dens ? 0.3 + u[7] + dens : 0;
		w[2][i] = u[2] < 0.08 + 0.20 * dens ? 0.2 + u[8] : 0;
		w[3][i] = u[3] < 0.45 ? 0 : (0.2 + dens) * (0.3 + u[9]);
		w[4][i] = (0.5 + 0.5 * dens) * (0.5 + u[4]);
		w[5][i] = (0.6 + 0.6 * dens) * (0.5 + u[5]);
	}
	/* Shelters exist somewhere even when the draws put none: the centre. */
	for (k = 1; k <= 2; k++) {
		double best = HUGE_VAL;
		int at = 0;
		for (i = 0; i < NZONES; i++)
			if (w[k][i] > 0 && i != d->small_zone)
				break;
		if (i < NZONES)
			continue;
		for (i = 0; i < NZONES; i++) {
			double dd = hypot(d->zones[i].x - CX, d->zones[i].y - CY);
			if (i != d->small_zone && dd < best) {
				best = dd;
				at = i;
			}
		}
		w[k][at] = 1;
	}
	for (k = 0; k < NCAT; k++) {
		w[k][d->small_zone] = 0;
		if (apportion(cat_totals[k] - small_zone_counts[k], w[k], NZONES, part))
			return TP_ERROR;
		for (i = 0; i < NZONES; i++)
			d->zones[i].n[k] = part[i];
		d->zones[d->small_zone].n[k] = small_zone_counts[k];
	}
	return TP_OK;
}

/* The count zones: seeds, cells, ids, the small zone and the counts. */
static int build_zones(demo *d, unsigned long seed, const char *path)
{
	GEOSContextHandle_t h = d->g->gh;
	GEOSGeometry *grown = NULL, *cells[NZONES] = {0};
	double xy[NZONES][2];
	rng r;
	int i, rc = TP_ERROR;

	rng_init(&r, seed, STREAM_ZONES);
	d->g->geos_msg[0] = '\0';
	if (place_zone_seeds(d, &r)) {
		if (!d->g->geos_msg[0])
			snprintf(d->g->geos_msg, sizeof(d->g->geos_msg), "cannot place %d seeds",
				 NZONES);
		goto done;
	}
	for (i = 0; i < NZONES; i++)
		d->zones[i].band = (int)((d->y1 - d->zones[i].y) / 2000);
	qsort(d->zones, NZONES, sizeof(d->zones[0]), cmp_zone_seed);
	for (i = 0; i < NZONES; i++) {
		snprintf(d->zones[i].id, sizeof(d->zones[i].id), "Z%02d", i + 1);
		xy[i][0] = d->zones[i].x;
		xy[i][1] = d->zones[i].y;
	}
	grown = GEOSBuffer_r(h, d->outline, ZONE_MARGIN, 8);
	if (!grown)
		goto done;
	if (voronoi_cells(d->g, (const double (*)[2])xy, NZONES, grown, cells))
		goto done;
	for (i = 0; i < NZONES; i++) {
		d->zones[i].geom = cells[i];
		cells[i] = NULL;
	}
	d->small_zone = pick_small_zone(d);
	if (d->small_zone < 0) {
		snprintf(d->g->geos_msg, sizeof(d->g->geos_msg), "no zone lies inside the region");
		goto done;
	}
	if (count_people(d, &r)) {
		snprintf(d->g->geos_msg, sizeof(d->g->geos_msg), "cannot split the counts");
		goto done;
	}
	rc = TP_OK;
done:
	for (i = 0; i < NZONES; i++)
		if (cells[i])
			GEOSGeom_destroy_r(h, cells[i]);
	if (grown)
		GEOSGeom_destroy_r(h, grown);
	if (rc)
		tp_error_set(rc, "%s: cannot build the count zones: %s", path, d->g->geos_msg);
	return rc;
}

/* ------------------------------------------------------------------ */
/* GeoPackage output                                                   */
/* ------------------------------------------------------------------ */

typedef struct {
	const char *name;   /* field name */
	OGRFieldType type;  /* OFTString, OFTInteger or OFTInteger64 */
} gpkg_field;

typedef struct {
	tp_outfile out;   /* where the file goes (out.path) and is written (out.tmp) */
	GDALDatasetH ds;  /* the GeoPackage being written (tp_gpkg_begin), else NULL */
	OGRLayerH layer;  /* its only layer */
} gpkg_out;

/*
 * Creates the GeoPackage dir/file (tp_gpkg_begin) with one MultiPolygon
 * layer in EPSG:31370; the caller ends it with tp_gpkg_end when o->ds is
 * set, even after a failure here.
 */
static int gpkg_begin(gpkg_out *o, const char *dir, const char *file, const char *layer,
		      const char *description, const gpkg_field *fields, int nfields)
{
	OGRSpatialReferenceH srs = NULL;
	char **opts = NULL, path[PATHLEN];
	int i, rc;

	o->ds = NULL;
	o->layer = NULL;
	if ((rc = join_path(path, dir, file, "")) || (rc = tp_gpkg_begin(&o->out, path, &o->ds)))
		return rc;
	rc = TP_EOUTPUT;
	srs = OSRNewSpatialReference(NULL);
	if (!srs || OSRImportFromEPSG(srs, 31370) != OGRERR_NONE) {
		tp_error_set(rc, "%s: GDAL does not know EPSG:31370: %s", o->out.path,
			     CPLGetLastErrorMsg());
		goto done;
	}
	OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
	opts = CSLSetNameValue(opts, "DESCRIPTION", description);
	o->layer = GDALDatasetCreateLayer(o->ds, layer, srs, wkbMultiPolygon, opts);
	if (!o->layer) {
		tp_error_set(rc, "%s: cannot create layer %s: %s", o->out.path, layer,
			     CPLGetLastErrorMsg());
		goto done;
	}
	for (i = 0; i < nfields; i++) {
		OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
		OGRErr err = OGR_L_CreateField(o->layer, fd, TRUE);
		OGR_Fld_Destroy(fd);
		if (err != OGRERR_NONE) {
			tp_error_set(rc, "%s: cannot create field %s: %s", o->out.path,
				     fields[i].name, CPLGetLastErrorMsg());
			goto done;
		}
	}
	rc = TP_OK;
done:
	CSLDestroy(opts);
	if (srs)
		OSRRelease(srs);
	return rc;
}

/* Gives f the geometry geom and writes it to the layer; f stays the caller's. */
static int gpkg_add(gpkg_out *o, tp_geo *g, OGRFeatureH f, const GEOSGeometry *geom)
{
	unsigned char *wkb = NULL;
	OGRGeometryH og = NULL;
	size_t len = 0;
	int rc = TP_EOUTPUT;

	wkb = tp_geo_to_wkb(g, geom, &len);
	if (!wkb) {
		tp_error_set(TP_ERROR, "%s: cannot serialise a geometry: %s", o->out.path,
			     g->geos_msg);
		goto done;
	}
	if (OGR_G_CreateFromWkb(wkb, NULL, &og, (int)len) != OGRERR_NONE) {
		tp_error_set(TP_ERROR, "%s: OGR cannot read a GEOS geometry", o->out.path);
		goto done;
	}
	OGR_F_SetGeometryDirectly(f, og);
	og = NULL;
	if (OGR_L_CreateFeature(o->layer, f) != OGRERR_NONE) {
		tp_error_set(rc, "%s: cannot write a feature: %s", o->out.path,
			     CPLGetLastErrorMsg());
		goto done;
	}
	rc = TP_OK;
done:
	if (og)
		OGR_G_DestroyGeometry(og);
	tp_geo_free_buf(g, wkb);
	return rc;
}

static const gpkg_field commune_fields[] = {
	{"nis_code", OFTString}, {"name_fr", OFTString}, {"name_nl", OFTString},
	{"population", OFTInteger64}, {"schematic", OFTString},
};

static int write_communes(demo *d)
{
	gpkg_out o = {.ds = NULL};
	OGRFeatureH f = NULL;
	int c, rc;

	rc = gpkg_begin(&o, d->dir, "communes.gpkg", "communes",
			"The 19 communes of the demo region (schematic boundaries)",
			commune_fields, (int)NELEM(commune_fields));
	if (rc)
		goto done;
	for (c = 0; c < NCOMMUNES; c++) {
		const commune_attr *a = &commune_attrs[c];
		f = OGR_F_Create(OGR_L_GetLayerDefn(o.layer));
		if (!f) {
			rc = tp_error_set(TP_ERROR, "%s: out of memory", o.out.path);
			goto done;
		}
		OGR_F_SetFieldString(f, 0, a->nis);
		OGR_F_SetFieldString(f, 1, a->fr);
		OGR_F_SetFieldString(f, 2, a->nl);
		OGR_F_SetFieldInteger64(f, 3, a->population);
		OGR_F_SetFieldString(f, 4, schematic_note);
		if ((rc = gpkg_add(&o, d->g, f, d->commune[c])))
			goto done;
		OGR_F_Destroy(f);
		f = NULL;
	}
done:
	if (f)
		OGR_F_Destroy(f);
	if (o.ds)
		rc = tp_gpkg_end(&o.out, o.ds, rc);
	return rc;
}

static int write_zones(demo *d)
{
	gpkg_field fields[1 + NCAT];
	gpkg_out o = {.ds = NULL};
	OGRFeatureH f = NULL;
	int i, k, rc;

	fields[0].name = "zone_id";
	fields[0].type = OFTString;
	for (k = 0; k < NCAT; k++) {
		fields[1 + k].name = tp_people[k].name;
		fields[1 + k].type = OFTInteger;
	}
	rc = gpkg_begin(&o, d->dir, "zones.gpkg", "zones",
			"Schematic count zones with the Nov 2024 totals per category",
			fields, 1 + NCAT);
	if (rc)
		goto done;
	for (i = 0; i < NZONES; i++) {
		const zone *z = &d->zones[i];
		f = OGR_F_Create(OGR_L_GetLayerDefn(o.layer));
		if (!f) {
			rc = tp_error_set(TP_ERROR, "%s: out of memory", o.out.path);
			goto done;
		}
		OGR_F_SetFieldString(f, 0, z->id);
		for (k = 0; k < NCAT; k++)
			OGR_F_SetFieldInteger(f, 1 + k, (int)z->n[k]);
		if ((rc = gpkg_add(&o, d->g, f, z->geom)))
			goto done;
		OGR_F_Destroy(f);
		f = NULL;
	}
done:
	if (f)
		OGR_F_Destroy(f);
	if (o.ds)
		rc = tp_gpkg_end(&o.out, o.ds, rc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Vacancies                                                           */
/* ------------------------------------------------------------------ */

/* Days since 1970-01-01. */
static long day_number(int y, int m, int d)
{
	return tp_date_days((tp_date){y, m, d});
}

/* YYYY-MM-DD of day number n. */
static void format_day(long n, char *out, size_t len)
{
	tp_date_format(out, len, tp_date_from_days(n));
}

typedef struct {
	int reason;       /* index into reasons */
	long dwellings;   /* empty dwellings of the record */
} vrec;

/*
 * The records' reasons and sizes: records per reason in proportion to
 * the reason's dwellings, each record 1..MAX_DWELLINGS dwellings (mostly
 * small), the dwellings of a reason summing to the SLRB figure; then
 * shuffled.
 */
static int plan_records(rng *r, vrec *recs)
{
	double w[NREASON], *sw = NULL;
	long nrec[NREASON], *sz = NULL;
	int k, i, pos = 0, rc = TP_ERROR;

	for (k = 0; k < NREASON; k++)
		w[k] = (double)reasons[k].dwellings;
	if (apportion(NRECORDS, w, NREASON, nrec))
		goto done;
	sw = malloc(NRECORDS * sizeof(*sw));
	sz = malloc(NRECORDS * sizeof(*sz));
	if (!sw || !sz)
		goto done;
	for (k = 0; k < NREASON; k++) {
		int n = (int)nrec[k];
		long excess = 0;
		if (reasons[k].dwellings > (long)n * MAX_DWELLINGS)
			goto done;
		for (i = 0; i < n; i++) {
			double u = rng_unit(r);
			sw[i] = 0.001 + u * u * u * u;
		}
		if (apportion(reasons[k].dwellings - n, sw, n, sz))
			goto done;
		for (i = 0; i < n; i++)
			if (sz[i] > MAX_DWELLINGS - 1) {
				excess += sz[i] - (MAX_DWELLINGS - 1);
				sz[i] = MAX_DWELLINGS - 1;
			}
		for (i = 0; excess > 0; i = (i + 1) % n)
			if (sz[i] < MAX_DWELLINGS - 1) {
				sz[i]++;
				excess--;
			}
		for (i = 0; i < n; i++, pos++) {
			recs[pos].reason = k;
			recs[pos].dwellings = 1 + sz[i];
		}
	}
	for (i = NRECORDS - 1; i > 0; i--) {
		int j = (int)rng_int(r, 0, i);
		vrec t = recs[i];
		recs[i] = recs[j];
		recs[j] = t;
	}
	rc = TP_OK;
done:
	free(sw);
	free(sz);
	return rc;
}

/*
 * A point in tenths of a metre, strictly inside exactly one commune, dense
 * towards the centre.  Sets *commune.  TP_ERROR (no message) on failure.
 */
static int sample_point(demo *d, rng *r, long *xt, long *yt, int *commune)
{
	int tries, c, found, in;

	for (tries = 0; tries < 100000; tries++) {
		double x, y;
		if (rng_unit(r) < 0.55) {
			x = CX + 2800 * rng_gauss(r);
			y = CY + 2800 * rng_gauss(r);
		} else {
			x = d->x0 + rng_unit(r) * (d->x1 - d->x0);
			y = d->y0 + rng_unit(r) * (d->y1 - d->y0);
		}
		*xt = lround(x * 10);
		*yt = lround(y * 10);
		x = (double)*xt / 10;
		y = (double)*yt / 10;
		in = contains_xy(d->g, d->outline_p, x, y);
		if (in < 0)
			return TP_ERROR;
		if (!in)
			continue;
		for (c = 0, found = 0; c < NCOMMUNES; c++) {
			in = contains_xy(d->g, d->commune_p[c], x, y);
			if (in < 0)
				return TP_ERROR;
			if (in) {
				*commune = c;
				found++;
			}
		}
		if (found == 1)
			return TP_OK;
	}
	return TP_ERROR;
}

/* "de " or "d'" before a French name. */
static const char *de(const char *name)
{
	return strchr("AEIOUaeiou", name[0]) ? "d'" : "de ";
}

static void make_owner(rng *r, long dwellings, int commune, const char **type,
		       char *owner, size_t len)
{
	const double *w = dwellings <= 4 ? owner_w_small : owner_w_large;
	const commune_attr *a = &commune_attrs[commune];
	int t;

	assert(tp_owner_types.n == (int)NELEM(owner_w_small) &&
	       tp_owner_types.n == (int)NELEM(owner_w_large));
	t = rng_pick(r, w, tp_owner_types.n);
	*type = tp_owner_types.codes[t].code;
	switch (t) {
	case 0:
		if (a->home_sisp >= 0 && rng_unit(r) < 0.6)
			snprintf(owner, len, "%s", sisp_names[a->home_sisp]);
		else
			snprintf(owner, len, "%s",
				 sisp_names[rng_int(r, 0, (long)NELEM(sisp_names) - 1)]);
		break;
	case 1:
		snprintf(owner, len, "%s", ais_names[rng_int(r, 0, (long)NELEM(ais_names) - 1)]);
		break;
	case 2:
		snprintf(owner, len, "CPAS %s%s", de(a->fr), a->fr);
		break;
	case 3:
		if (commune == BRUXELLES)
			snprintf(owner, len, "Ville de Bruxelles");
		else
			snprintf(owner, len, "Commune %s%s", de(a->fr), a->fr);
		break;
	case 4:
		snprintf(owner, len, "Régie foncière %s%s", de(a->fr), a->fr);
		break;
	case 5:
		snprintf(owner, len, "CityDev");
		break;
	default:
		snprintf(owner, len, "Propriétaire privé %02ld", rng_int(r, 1, 40));
		break;
	}
}

/* The record's dates; "" for an empty cell. */
static void make_dates(rng *r, int reason, char *since, char *start, size_t len)
{
	static const int since_range[NREASON][6] = {
		{2019, 1, 1, 2023, 6, 30}, {2019, 1, 1, 2024, 6, 30}, {2019, 1, 1, 2024, 6, 30},
		{2024, 1, 1, 2024, 10, 31}, {2023, 6, 1, 2024, 10, 31}, {2019, 1, 1, 2024, 10, 31},
	};
	const int *sr = since_range[reason];
	long ref = day_number(2024, 11, 7);
	long lo = day_number(sr[0], sr[1], sr[2]), hi = day_number(sr[3], sr[4], sr[5]);
	long vs = rng_int(r, lo, hi), ws = -1;
	double u = rng_unit(r);

	if (rng_unit(r) < 0.04)
		since[0] = '\0';
	else
		format_day(vs, since, len);
	switch (reason) {
	case R_WORKS:
		if (u >= 0.05)
			ws = rng_int(r, vs + 30, ref - 1);
		break;
	case R_STUDY:
	case R_FINANCING:
		if (u >= 0.10)
			ws = ref + rng_int(r, 365, 6 * 365);
		break;
	case R_ALLOCATION:
		if (u >= 0.55)
			ws = ref + rng_int(r, 7, 180);
		break;
	case R_REPAIR:
		if (u >= 0.40)
			ws = ref + rng_int(r, 14, 240);
		break;
	default:
		if (u >= 0.70)
			ws = ref + rng_int(r, 30, 720);
		break;
	}
	if (ws < 0)
		start[0] = '\0';
	else
		format_day(ws, start, len);
}

static int write_vacancies(demo *d, unsigned long seed)
{
	char path[PATHLEN];
	vrec *recs = NULL;
	char (*keys)[160] = NULL;  /* address keys of the records written */
	tp_outfile out = {.f = NULL};
	FILE *f;
	rng r;
	int i, rc;

	if ((rc = join_path(path, d->dir, "vacancies.csv", "")))
		return rc;
	rng_init(&r, seed, STREAM_VACANCIES);
	recs = calloc(NRECORDS, sizeof(*recs));
	keys = calloc(NRECORDS, sizeof(*keys));
	if (!recs || !keys || plan_records(&r, recs)) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", path);
		goto done;
	}
	if ((rc = tp_outfile_open(&out, path, 0)))
		goto done;
	f = out.f;
	fputs("id,address,owner,owner_type,dwellings,reason,vacant_since,works_start,"
	      "owner_agreed,x,y\n", f);
	for (i = 0; i < NRECORDS; i++) {
		const vrec *v = &recs[i];
		char addr[160], owner[160], since[32], start[32];
		const char *type, *agreed = "";
		long xt, yt, street, number, box;
		int commune = 0, n;

		if (sample_point(d, &r, &xt, &yt, &commune)) {
			rc = tp_error_set(TP_ERROR, "%s: cannot place record %d: %s", path, i + 1,
					  d->g->geos_msg);
			goto done;
		}
		make_owner(&r, v->dwellings, commune, &type, owner, sizeof(owner));
		street = rng_int(&r, 0, (long)NELEM(street_names) - 1);
		number = rng_int(&r, 1, 180);
		box = rng_unit(&r) < 0.12 ? rng_int(&r, 1, 12) : 0;
		/* the same address twice would be one building reported twice (a
		 * duplicate the reader refuses): move along the street, same side,
		 * without drawing again so that the other fields stay as they were */
		for (;;) {
			int k;
			n = snprintf(addr, sizeof(addr), "%s %ld", street_names[street], number);
			if (box)
				snprintf(addr + n, sizeof(addr) - (size_t)n, ", bte %ld", box);
			tp_address_key(addr, NULL, keys[i], sizeof(keys[i]));
			for (k = 0; k < i && strcmp(keys[k], keys[i]); k++)
				;
			if (k == i)
				break;
			number += 2;
		}
		make_dates(&r, v->reason, since, start, sizeof(since));
		if (!strcmp(type, "private")) {
			double u = rng_unit(&r);
			agreed = u < 0.55 ? "yes" : u < 0.85 ? "no" : "";
		}
		fprintf(f, "V%04d,", i + 1);
		tp_csv_field(f, addr);
		fputc(',', f);
		tp_csv_field(f, owner);
		fprintf(f, ",%s,%ld,%s,%s,%s,%s,%ld.%ld,%ld.%ld\n", type, v->dwellings,
			reasons[v->reason].code, since, start, agreed, xt / 10, xt % 10, yt / 10,
			yt % 10);
	}
done:
	if (out.f)
		rc = tp_outfile_end(&out, rc);
	free(recs);
	free(keys);
	return rc;
}

static int write_ini(const char *dir)
{
	char path[PATHLEN];
	tp_outfile out;
	int rc;

	if ((rc = join_path(path, dir, "tremplin.ini", "")) ||
	    (rc = tp_outfile_open(&out, path, 0)))
		return rc;
	fwrite(ini_text, 1, sizeof(ini_text) - 1, out.f);
	return tp_outfile_commit(&out);
}

int tp_demo_write(const char *dir, unsigned long seed)
{
	demo d = {0};
	char path[PATHLEN], *saved_date = NULL;
	const char *old;
	int rc;

	GDALAllRegister();
	/* A fixed gpkg_contents.last_change keeps the GeoPackages reproducible. */
	old = CPLGetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
	if (old)
		saved_date = CPLStrdup(old);
	CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2024-11-07T00:00:00.000Z");
	d.dir = dir;
	if ((rc = make_dirs(dir)) || (rc = tp_geo_new(&d.g)) || (rc = build_region(&d)))
		goto done;
	if ((rc = join_path(path, dir, "communes.gpkg", "")) || (rc = build_communes(&d, path)) ||
	    (rc = write_communes(&d)))
		goto done;
	if ((rc = join_path(path, dir, "zones.gpkg", "")) || (rc = build_zones(&d, seed, path)) ||
	    (rc = write_zones(&d)))
		goto done;
	if ((rc = write_vacancies(&d, seed)) || (rc = write_ini(dir)))
		goto done;
	rc = TP_OK;
done:
	CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", saved_date);
	CPLFree(saved_date);
	demo_dispose(&d);
	return rc;
}

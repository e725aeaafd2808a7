/*
 * benchgen.c: the benchmark's data, generated deterministically.
 *
 *   tremplin-benchgen polygons M OUT.gpkg [--layer NAME] [--seed S] [--vertices V]
 *   tremplin-benchgen points N OUT.gpkg --extent-of POLYS.gpkg [--clustered] [--seed S]
 *   tremplin-benchgen addresses N OUT.gpkg [--seed S]
 *
 * Polygons are the Voronoi cells of M random sites over a 40 km square,
 * each edge cut into equal pieces so that a cell has about V vertices
 * (400 by default).  A shared edge is cut from its lower endpoint in both
 * cells, so neighbours share their vertices exactly and the cells tile the
 * square with no gap and no overlap.  Points are uniform over the square,
 * or clustered like population (Gaussian towns of varied size).  Files
 * are GeoPackages in EPSG:31370; polygons carry `id`, points carry nothing
 * but their FID; points get no spatial index (no peer needs one).  Every
 * layer goes into OUT.gpkg beside the layers already there, so that SQL
 * peers can join two layers of one file; a new OUT.gpkg is created as
 * tremplin creates every GeoPackage (tp_gpkg_begin, tp_gpkg_end).
 *
 * Addresses are a geocoding reference (issue 12: Brussels has about
 * 600,000) over the demo region: streets of 100 numbers 10 m apart, each
 * with a French and a Dutch name ("Rue Alpha 17" / "Alphastraat 17") and
 * a postcode, in layer `adresses` with fields rue_fr, straat_nl,
 * huisnummer and cp.
 */
#include "geo/error.h"
#include "geo/geo.h"
#include "outputs/outputs.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_string.h>

#define X0 130000.0
#define Y0 150000.0
#define SIDE 40000.0

static uint64_t state;

static uint64_t next(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
	double u = uniform(), v = uniform();

	return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

/* OUT.gpkg, being written. */
typedef struct {
	tp_outfile out;   /* where it goes, when it is created */
	int created;      /* 1: new, ended by tp_gpkg_end; 0: opened to add a layer */
} gpkg_file;

/* Opens path to add a layer, or creates it when there is none yet; the
 * dataset is closed by finish(). */
static GDALDatasetH create(const char *path, const char *layer, OGRwkbGeometryType type,
			   int index, gpkg_file *file, OGRLayerH *lyr)
{
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
	char **opts = NULL;
	GDALDatasetH ds;

	OSRImportFromEPSG(srs, 31370);
	file->created = 0;
	ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
	if (ds && GDALDatasetGetLayerByName(ds, layer)) {
		int k;
		for (k = 0; k < GDALDatasetGetLayerCount(ds); k++)
			if (!strcmp(OGR_L_GetName(GDALDatasetGetLayer(ds, k)), layer))
				GDALDatasetDeleteLayer(ds, k);
	}
	if (!ds) {
		if (tp_gpkg_begin(&file->out, path, 0, &ds)) {
			fprintf(stderr, "%s\n", tp_error_last());
			OSRDestroySpatialReference(srs);
			return NULL;
		}
		file->created = 1;
	}
	opts = CSLSetNameValue(opts, "SPATIAL_INDEX", index ? "YES" : "NO");
	opts = CSLSetNameValue(opts, "GEOMETRY_NAME", "geom");
	*lyr = GDALDatasetCreateLayer(ds, layer, srs, type, opts);
	CSLDestroy(opts);
	OSRDestroySpatialReference(srs);
	return ds;
}

/* Closes what create() opened: a new file is put in place; 0 or 1. */
static int finish(gpkg_file *file, GDALDatasetH ds)
{
	if (!file->created) {
		GDALClose(ds);
		return 0;
	}
	if (tp_gpkg_end(&file->out, ds, 0)) {
		fprintf(stderr, "%s\n", tp_error_last());
		return 1;
	}
	return 0;
}

/* Appends the points of segment a->b (a excluded, b included) cut into equal
 * pieces of at most step, computed from the lower endpoint. */
static size_t densify_edge(double ax, double ay, double bx, double by, double step,
			   double *out, size_t k)
{
	int swap = (ax > bx) || (ax == bx && ay > by);
	double px = swap ? bx : ax, py = swap ? by : ay, qx = swap ? ax : bx, qy = swap ? ay : by;
	long n = (long)ceil(hypot(qx - px, qy - py) / step), i;

	if (n < 1)
		n = 1;
	for (i = 1; i <= n; i++) {
		long t = swap ? n - i : i; /* walk from a to b */
		out[2 * k] = t == 0 ? px : t == n ? qx : px + (qx - px) * t / n;
		out[2 * k + 1] = t == 0 ? py : t == n ? qy : py + (qy - py) * t / n;
		k++;
	}
	return k;
}

static int polygons(const char *path, const char *layer, long m, int vertices)
{
	tp_geo *g = NULL;
	GEOSCoordSequence *cs;
	GEOSGeometry *sites, *box, *cells;
	GDALDatasetH ds;
	gpkg_file file;
	OGRLayerH lyr = NULL;
	OGRFieldDefnH fd;
	double perim = 4 * SIDE / sqrt((double)m) * 1.1, step = perim / vertices;
	long i;
	int n;

	if (tp_geo_new(&g))
		return 1;
	cs = GEOSCoordSeq_create_r(g->gh, (unsigned)m, 2);
	for (i = 0; i < m; i++)
		GEOSCoordSeq_setXY_r(g->gh, cs, (unsigned)i, X0 + uniform() * SIDE, Y0 + uniform() * SIDE);
	sites = GEOSGeom_createLineString_r(g->gh, cs);
	box = GEOSGeom_createRectangle_r(g->gh, X0, Y0, X0 + SIDE, Y0 + SIDE);
	cells = GEOSVoronoiDiagram_r(g->gh, sites, box, 0, 0);
	ds = create(path, layer, wkbPolygon, 1, &file, &lyr);
	if (!ds || !lyr || !cells) {
		fprintf(stderr, "%s: cannot create\n", path);
		return 1;
	}
	fd = OGR_Fld_Create("id", OFTInteger);
	OGR_L_CreateField(lyr, fd, 1);
	OGR_Fld_Destroy(fd);
	GDALDatasetStartTransaction(ds, 0);
	n = GEOSGetNumGeometries_r(g->gh, cells);
	for (i = 0; i < n; i++) {
		GEOSGeometry *cell = GEOSIntersection_r(g->gh, GEOSGetGeometryN_r(g->gh, cells, (int)i), box);
		const GEOSCoordSequence *rs = GEOSGeom_getCoordSeq_r(g->gh, GEOSGetExteriorRing_r(g->gh, cell));
		unsigned int sz = 0, v;
		double *pts, ax, ay, bx, by;
		size_t k = 0, cap;
		OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
		OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
		OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));

		GEOSCoordSeq_getSize_r(g->gh, rs, &sz);
		cap = 2 + (size_t)vertices * 4 + sz * 2;
		pts = malloc(cap * 2 * sizeof(double));
		GEOSCoordSeq_getXY_r(g->gh, rs, 0, &ax, &ay);
		pts[0] = ax, pts[1] = ay, k = 1;
		for (v = 1; v < sz; v++) {
			GEOSCoordSeq_getXY_r(g->gh, rs, v, &bx, &by);
			if (k + (size_t)(hypot(bx - ax, by - ay) / step) + 2 >= cap) {
				cap = cap * 2 + (size_t)(hypot(bx - ax, by - ay) / step) + 2;
				pts = realloc(pts, cap * 2 * sizeof(double));
			}
			k = densify_edge(ax, ay, bx, by, step, pts, k);
			ax = bx, ay = by;
		}
		OGR_G_SetPoints(ring, (int)k, pts, 16, pts + 1, 16, NULL, 0);
		OGR_G_AddGeometryDirectly(poly, ring);
		OGR_F_SetFieldInteger(f, 0, (int)i + 1);
		OGR_F_SetGeometryDirectly(f, poly);
		if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE) {
			fprintf(stderr, "%s: cannot write polygon %ld\n", path, i + 1);
			return 1;
		}
		OGR_F_Destroy(f);
		free(pts);
		GEOSGeom_destroy_r(g->gh, cell);
	}
	GDALDatasetCommitTransaction(ds);
	GEOSGeom_destroy_r(g->gh, cells);
	GEOSGeom_destroy_r(g->gh, sites);
	GEOSGeom_destroy_r(g->gh, box);
	tp_geo_free(g);
	return finish(&file, ds);
}

static int points(const char *path, const char *layer, long n, int clustered)
{
	GDALDatasetH ds;
	gpkg_file file;
	OGRLayerH lyr = NULL;
	OGRFeatureDefnH defn;
	double cx[200], cy[200], cs[200], cw[200], wsum = 0;
	long i;
	int k, ntown = 200;

	ds = create(path, layer, wkbPoint, 0, &file, &lyr);
	if (!ds || !lyr) {
		fprintf(stderr, "%s: cannot create\n", path);
		return 1;
	}
	for (k = 0; k < ntown; k++) {
		cx[k] = X0 + uniform() * SIDE;
		cy[k] = Y0 + uniform() * SIDE;
		cs[k] = 300 + 2500 * uniform() * uniform();
		cw[k] = wsum += pow(uniform(), 3) + 0.01;
	}
	defn = OGR_L_GetLayerDefn(lyr);
	GDALDatasetStartTransaction(ds, 0);
	for (i = 0; i < n; i++) {
		double x, y;
		OGRFeatureH f = OGR_F_Create(defn);
		OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
		if (clustered) {
			double r = uniform() * wsum;
			for (k = 0; k < ntown - 1 && cw[k] < r; k++)
				;
			do {
				x = cx[k] + gauss() * cs[k];
				y = cy[k] + gauss() * cs[k];
			} while (x < X0 || y < Y0 || x > X0 + SIDE || y > Y0 + SIDE);
		} else {
			x = X0 + uniform() * SIDE;
			y = Y0 + uniform() * SIDE;
		}
		/* one point in a thousand falls outside the square: outside every polygon */
		if (i % 1000 == 999)
			x += SIDE * 1.5;
		OGR_G_SetPoint_2D(p, 0, round(x * 100) / 100, round(y * 100) / 100);
		OGR_F_SetGeometryDirectly(f, p);
		if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE) {
			fprintf(stderr, "%s: cannot write point %ld\n", path, i + 1);
			return 1;
		}
		OGR_F_Destroy(f);
		if (i % 200000 == 199999) {
			GDALDatasetCommitTransaction(ds);
			GDALDatasetStartTransaction(ds, 0);
		}
	}
	GDALDatasetCommitTransaction(ds);
	return finish(&file, ds);
}

/* The demo region's envelope (demo/: the communes' Voronoi cells), less a margin. */
#define DEMO_X0 143000.0
#define DEMO_Y0 164000.0
#define DEMO_SIDE 13000.0
#define NUMBERS_PER_STREET 100

static int addresses(const char *path, long n)
{
	static const char *const syll[] = {"al", "be", "ci", "do", "fu", "ga", "he", "ko", "lu", "ma",
					   "ne", "po", "ri", "sa", "tu", "vo", "wi", "ze"};
	static const char *const postcodes[] = {"1000", "1020", "1030", "1040", "1050", "1060",
						"1070", "1080", "1081", "1082", "1083", "1090",
						"1120", "1140", "1150", "1160", "1170", "1180",
						"1190", "1200", "1210"};
	const int nsyll = (int)(sizeof(syll) / sizeof(syll[0]));
	GDALDatasetH ds;
	gpkg_file file;
	OGRLayerH lyr = NULL;
	OGRFeatureH f;
	OGRGeometryH p;
	char name[64], fr[96], nl[96], num[16];
	double x = 0, y = 0, dx = 0, dy = 0;
	long i, street = -1;
	int k;

	ds = create(path, "adresses", wkbPoint, 1, &file, &lyr);
	if (!ds || !lyr) {
		fprintf(stderr, "%s: cannot create\n", path);
		return 1;
	}
	for (k = 0; k < 4; k++) {
		static const char *const fields[] = {"rue_fr", "straat_nl", "huisnummer", "cp"};
		OGRFieldDefnH fd = OGR_Fld_Create(fields[k], OFTString);
		OGR_L_CreateField(lyr, fd, TRUE);
		OGR_Fld_Destroy(fd);
	}
	f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
	p = OGR_G_CreateGeometry(wkbPoint);
	OGR_F_SetGeometryDirectly(f, p);
	GDALDatasetStartTransaction(ds, 0);
	for (i = 0; i < n; i++) {
		if (i % NUMBERS_PER_STREET == 0) {
			/* a new street: its number written in syllables (unique, without
			 * digits that would read as a house number); a start and a direction */
			double a = uniform() * 2 * M_PI;
			long s;
			street++;
			name[0] = '\0';
			for (s = street, k = 0; k < 4; k++, s /= nsyll)
				strcat(name, syll[s % nsyll]);
			name[0] = (char)(name[0] - 'a' + 'A');
			snprintf(fr, sizeof(fr), "Rue %s", name);
			snprintf(nl, sizeof(nl), "%sstraat", name);
			x = DEMO_X0 + uniform() * DEMO_SIDE;
			y = DEMO_Y0 + uniform() * DEMO_SIDE;
			dx = 10 * cos(a);
			dy = 10 * sin(a);
			OGR_F_SetFieldString(f, 3, postcodes[next() % (sizeof(postcodes) /
								       sizeof(postcodes[0]))]);
			OGR_F_SetFieldString(f, 0, fr);
			OGR_F_SetFieldString(f, 1, nl);
		}
		snprintf(num, sizeof(num), "%ld", i % NUMBERS_PER_STREET + 1);
		OGR_F_SetFieldString(f, 2, num);
		OGR_G_SetPoint_2D(p, 0, round((x + dx * (double)(i % NUMBERS_PER_STREET)) * 100) / 100,
				  round((y + dy * (double)(i % NUMBERS_PER_STREET)) * 100) / 100);
		OGR_F_SetFID(f, OGRNullFID);
		if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE) {
			fprintf(stderr, "%s: cannot write address %ld\n", path, i + 1);
			return 1;
		}
	}
	GDALDatasetCommitTransaction(ds);
	OGR_F_Destroy(f);
	return finish(&file, ds);
}

int main(int argc, char **argv)
{
	const char *layer = NULL;
	unsigned long seed = 1;
	int vertices = 400, clustered = 0, i;

	if (argc < 4) {
		fprintf(stderr, "usage: %s polygons M OUT.gpkg [--layer L] [--seed S] [--vertices V]\n"
				"       %s points N OUT.gpkg [--layer L] [--seed S] [--clustered]\n"
				"       %s addresses N OUT.gpkg [--seed S]\n",
			argv[0], argv[0], argv[0]);
		return 2;
	}
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--layer") && i + 1 < argc)
			layer = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--vertices") && i + 1 < argc)
			vertices = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--clustered"))
			clustered = 1;
		else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		}
	}
	state = seed;
	GDALAllRegister();
	CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
	CPLSetConfigOption("OGR_SQLITE_CACHE", "512");
	if (!strcmp(argv[1], "polygons"))
		return polygons(argv[3], layer ? layer : "polys", atol(argv[2]), vertices);
	if (!strcmp(argv[1], "addresses"))
		return addresses(argv[3], atol(argv[2]));
	if (!strcmp(argv[1], "points"))
		return points(argv[3], layer ? layer : "points", atol(argv[2]), clustered);
	fprintf(stderr, "unknown kind %s\n", argv[1]);
	return 2;
}

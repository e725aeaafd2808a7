/*
 * demo_internal.h: what the files of the demo generator (demo/) share: the
 * sizes and facts every part uses, the generator's state, the seeded
 * random streams, and the functions one part calls in another.  Only the
 * files under demo/ include it; the rest of tremplin sees demo.h.
 *
 * The random functions are inline here, not in a file of their own, so
 * that every part draws from the same few lines; each file owns its own
 * stream (STREAM_*), which is why moving a part never changes another's
 * draws.
 */
#ifndef TP_DEMO_INTERNAL_H
#define TP_DEMO_INTERNAL_H

#include "geo/categories.h"
#include "geo/geo.h"
#include "outputs/outputs.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <gdal.h>
#include <ogr_api.h>

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

typedef struct {
	const char *nis;        /* NIS code (Statbel) */
	const char *fr;         /* French name */
	const char *nl;         /* Dutch name */
	long long population;   /* residents on 1 January 2020 (Statbel) */
	int home_sisp;          /* index into sisp_names of a local SISP, -1 for none */
} commune_attr;

#define BRUXELLES 3  /* index of the city of Brussels in tp_demo_communes */

typedef struct {
	uint64_t s;  /* splitmix64 state */
} rng;

/* Streams: one per file, so that changing one file leaves the others. */
enum { STREAM_ZONES = 1, STREAM_VACANCIES = 2, STREAM_EDITIONS = 3, STREAM_SNAPSHOTS = 4 };

static inline void rng_init(rng *r, unsigned long seed, uint64_t stream)
{
	r->s = (uint64_t)seed ^ (stream * 0x9e3779b97f4a7c15u);
}

static inline uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double rng_unit(rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform integer in [lo, hi]. */
static inline long rng_int(rng *r, long lo, long hi)
{
	return lo + (long)(rng_unit(r) * (double)(hi - lo + 1));
}

/* Standard normal (Box-Muller). */
static inline double rng_gauss(rng *r)
{
	double u = 1.0 - rng_unit(r), v = rng_unit(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Index drawn with probability proportional to w[i]. */
static inline int rng_pick(rng *r, const double *w, int n)
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
	long first_record[NCOMMUNES];  /* the first vacancy record placed in each commune
					  (1-based; 0: none), for the register (register.c) */
	long first_xy[NCOMMUNES][2];   /* its point, in tenths of a metre */
} demo;

typedef struct {
	const char *name;   /* field name */
	OGRFieldType type;  /* OFTString, OFTInteger or OFTInteger64 */
} gpkg_field;

typedef struct {
	tp_outfile out;   /* where the file goes (out.path) and is written (out.tmp) */
	GDALDatasetH ds;  /* the GeoPackage being written (tp_gpkg_begin), else NULL */
	OGRLayerH layer;  /* its only layer */
} gpkg_out;

/* The 19 communes: NIS codes, names, populations (communes.c). */
extern const commune_attr tp_demo_communes[NCOMMUNES];

/* ---- demo.c: paths, exact splits, GeoPackage output ---------------------- */

/* dir/file + suffix into out (PATHLEN bytes); TP_EOUTPUT when too long. */
int tp_demo_join_path(char *out, const char *dir, const char *file, const char *suffix);

/* Splits total over out[0..n) in proportion to w by largest remainders, the
 * parts summing to total; 0, or TP_ERROR (no message) when it cannot. */
int tp_demo_apportion(long total, const double *w, int n, long *out);

/* Creates the GeoPackage dir/file with one MultiPolygon layer in
 * EPSG:31370 and the given fields; the caller ends it with
 * tp_demo_gpkg_end(), even after a failure here. */
int tp_demo_gpkg_begin(gpkg_out *o, const char *dir, const char *file, const char *layer,
		       const char *description, const gpkg_field *fields, int nfields);

/* A new feature of o's layer into *f, for its fields to be set. */
int tp_demo_gpkg_feature(gpkg_out *o, OGRFeatureH *f);

/* Gives f the geometry geom, writes it to o's layer and destroys f. */
int tp_demo_gpkg_add(gpkg_out *o, tp_geo *g, OGRFeatureH f, const GEOSGeometry *geom);

/* Puts the GeoPackage in place when rc is 0, else removes it; returns rc
 * or the failure to put it in place. */
int tp_demo_gpkg_end(gpkg_out *o, int rc);

/* ---- geometry.c: polygons and Voronoi cells ------------------------------ */

/* The polygons of geom as a new MultiPolygon (maybe empty), NULL on failure. */
GEOSGeometry *tp_demo_polygons_of(tp_geo *g, const GEOSGeometry *geom);

/* 1 when prep contains (x, y), 0 when not, -1 on failure. */
int tp_demo_contains_xy(tp_geo *g, const GEOSPreparedGeometry *prep, double x, double y);

/* Sets cell[i] to the Voronoi cell of xy[i] clipped to clip (MultiPolygons
 * that tile clip); 0, or TP_ERROR (no message; GEOS's in g->geos_msg)
 * leaving the cells made so far in cell for the caller to destroy. */
int tp_demo_voronoi_cells(tp_geo *g, const double (*xy)[2], int n, const GEOSGeometry *clip,
			  GEOSGeometry **cell);

/* Area of geom, or -1 on failure. */
double tp_demo_area_of(tp_geo *g, const GEOSGeometry *geom);

/* The end of a builder: destroys the n cells tp_demo_voronoi_cells left
 * (NULL entries skipped) and extra (may be NULL); when rc is a failure,
 * sets the message "PATH: cannot build WHAT: GEOS's reason".  Returns rc. */
int tp_demo_build_end(demo *d, GEOSGeometry **cell, int n, GEOSGeometry *extra, int rc,
		      const char *path, const char *what);

/* ---- communes.c: the region and its communes ----------------------------- */

/* The region's outline and its prepared form into d. */
int tp_demo_build_region(demo *d);

/* The communes into d: Voronoi cells of their centres clipped to the
 * outline; checks that they tile it (path names the file in messages). */
int tp_demo_build_communes(demo *d, const char *path);

/* Writes communes.gpkg into d->dir. */
int tp_demo_write_communes(demo *d);

/* ---- zones.c: the count zones and their people ---------------------------- */

/* The count zones into d: seeds, cells, ids, the small zone, the counts. */
int tp_demo_build_zones(demo *d, unsigned long seed, const char *path);

/* Writes zones.gpkg into d->dir. */
int tp_demo_write_zones(demo *d);

/* The count zones of one edition into d (those drawn before make way): seeds
 * and counts drawn from stream, totals[k] people in category k, 0 for a
 * category the edition did not count. */
int tp_demo_build_zones_from(demo *d, unsigned long seed, uint64_t stream, const long *totals,
			     const char *path);

/* Writes d's zones into d->dir/file, a column per category whose total is not 0. */
int tp_demo_write_zones_as(demo *d, const char *file, const char *description,
			   const long *totals);

/* ---- editions.c: the earlier editions of the count ------------------------ */

/* Writes zones_2018.gpkg, zones_2020.gpkg and zones_2022.gpkg into d->dir
 * (each edition's zones drawn anew); d's zones are then 2022's. */
int tp_demo_write_editions(demo *d, unsigned long seed);

/* The config lines of those editions (the [zones] date and a [zones.YEAR] section each). */
extern const char tp_demo_editions_ini[];

/* ---- vacancies.c: the empty dwellings ------------------------------------ */

/* Writes vacancies.csv into d->dir: the default records, or `records` of
 * them when > 0 (the scaled file of `tremplin demo --records N`). */
int tp_demo_write_vacancies(demo *d, unsigned long seed, long records);

/* ---- register.c: the occupation register and the eviction files ----------- */

/* Writes occupations.csv (ISSUE's seven sites, placed schematically: a
 * running one on the first vacancy record of its commune) and evictions.csv
 * (3,007 files over 16 communes, split schematically by population) into
 * d->dir, after the vacancies. */
int tp_demo_write_register(demo *d);

/* One line of vacancies.csv to f; addr NULL when the file has no address
 * column, xt and yt in tenths of a metre. */
void tp_demo_vacancy_line(FILE *f, long id, const char *addr, const char *owner,
			  const char *type, long dwellings, const char *reason, const char *since,
			  const char *start, const char *agreed, long xt, long yt);

/* A point near (bx, by) (tenths of a metre) strictly inside commune: a
 * Gaussian jitter of 150 m.  TP_ERROR (no message) when GEOS fails. */
int tp_demo_jitter(demo *d, rng *r, int commune, long bx, long by, long *xt, long *yt);

/* ---- snapshots.c: the earlier vacancy snapshots --------------------------- */

#define TP_DEMO_NSNAPS 2

typedef struct tp_demo_snaps tp_demo_snaps;

/* Opens the earlier snapshots' files in d->dir, each starting with header;
 * `records` is the last id of vacancies.csv.  End with tp_demo_snaps_end(),
 * even after a failure. */
int tp_demo_snaps_begin(tp_demo_snaps **out, demo *d, const char *header, int with_address,
			long records);

/* For a record of vacancies.csv with vacant_since since ("" for none):
 * snapshot k's file when it was empty at k's date (the caller writes its
 * line there), else NULL.  Called for k = 0 first for each record. */
FILE *tp_demo_snaps_file(tp_demo_snaps *s, int k, const char *since, long dwellings);

/* Notes one of vacancies.csv's records, for the records that left to copy. */
int tp_demo_snaps_base(tp_demo_snaps *s, long xt, long yt, int commune, long dwellings,
		       const char *reason, const char *type, const char *owner);

/* Adds the records that left, up to each snapshot's total, and ends the
 * files; returns rc, or the first failure. */
int tp_demo_snaps_end(tp_demo_snaps *s, demo *d, unsigned long seed, int rc);

#endif

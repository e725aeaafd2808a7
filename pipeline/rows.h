/*
 * rows.h: rows of the working store with their geometries, as the stages
 * that move geometry (reproject, validate, locate, apportion) read them:
 * one query into parallel arrays, geometries parsed from the stored WKB.
 * Internal to pipeline/.
 */
#ifndef TP_ROWS_H
#define TP_ROWS_H

#include <sqlite3.h>

#include "geo/geo.h"
#include "geo/overlay.h"
#include "geo/rings.h"
#include "pipeline/stages.h"

typedef struct {
	long long *id;        /* row ids */
	GEOSGeometry **geom;  /* geometries, owned */
	char **key;           /* key column text (may be NULL), owned */
	double *value;        /* numeric column (may be NULL) */
	size_t n;             /* rows */
} tp_rows;

/* Loads into *r the rows of a query returning (id, geom[, key[, value]]).
 * A row whose WKB does not parse is kept with a NULL geometry.  TP_ERROR
 * on out of memory or a store that cannot be read; r is then partly
 * filled, for tp_rows_dispose(). */
int tp_rows_load(tp_run *run, tp_rows *r, const char *sql);

/* Frees what tp_rows_load() filled and zeroes r. */
void tp_rows_dispose(tp_geo *g, tp_rows *r);

/* The points of a query returning (id, geom), in its order: *id the ids,
 * *xy x and y of row i at 2i and 2i + 1 (NAN, NAN where the geometry is
 * not a point), *n the rows; *id and *xy malloc'ed, the caller frees them.
 * No GEOS geometry is made for the usual stored point (tp_geo_wkb_xy).
 * TP_ERROR on out of memory or a store that cannot be read, nothing then
 * left to free. */
int tp_rows_points(tp_run *run, long long **id, double **xy, size_t *n, const char *sql);

/* What tp_rows_rewrite() makes of one row's geometry (NULL when the stored
 * WKB did not parse): a new geometry, which the caller destroys, or NULL
 * with *why set to the reason the row is rejected ("geometry cannot be
 * read" when left alone). */
typedef GEOSGeometry *(*tp_rows_fn)(tp_run *run, const GEOSGeometry *geom, const char **why,
				    void *arg);

/* Replaces the geometry of every row of table (communes, vacancies, zones)
 * with fn's; a row fn refuses goes to rejects with stage, field "geometry"
 * and fn's reason.  TP_E* when the store cannot be read or written. */
int tp_rows_rewrite(tp_run *run, const char *table, const char *stage, tp_rows_fn fn,
		    void *arg);

/* The envelope of the geometries of table into ext (min x, min y, max x,
 * max y); min above max (+inf, -inf) when it has none.  TP_ERROR when the
 * store cannot be read. */
int tp_rows_extent(sqlite3 *db, tp_geo *g, const char *table, double ext[4]);

/* Adds the polygons of r to out as flat rings, in r's order (a row without
 * a geometry is an empty polygon). */
int tp_rows_rings(tp_run *run, const tp_rows *r, tp_rings *out);

/* tp_rows_load(), then tp_rows_rings() of what it loaded. */
int tp_rows_polygons(tp_run *run, tp_rows *r, tp_rings *out, const char *sql);

/* Count zones cut by the communes (geo/overlay.h), for apportioning. */
typedef struct {
	tp_rows zon, com;    /* the zones (id, geom, zone_id[, value]) and the communes, by key */
	tp_rings zr, cr;     /* their rings */
	tp_share *ps;        /* the pieces: zone ps[k].src in commune ps[k].dst, by zone */
	size_t nps;          /* how many */
	double *inside;      /* per zone, its area inside the region's communes */
} tp_zone_overlay;

/* The zones zones_sql selects, ordered by zone_id, cut by the communes
 * ordered by nis_code: the one way the apportion stage and the earlier
 * count editions (trends.c) share zones by area.  TP_E*; o is then partly
 * filled, for tp_zone_overlay_dispose(). */
int tp_zone_overlay_make(tp_run *run, const char *zones_sql, tp_zone_overlay *o);

/* Frees what tp_zone_overlay_make() filled and zeroes o. */
void tp_zone_overlay_dispose(tp_run *run, tp_zone_overlay *o);

#endif

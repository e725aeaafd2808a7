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

/* The vacancies' points, read from the stored WKB without making a GEOS
 * geometry for the usual stored point (tp_geo_wkb_xy), and which rows the
 * address reference placed. */
typedef struct {
	long long *id;           /* ids, ascending */
	double *xy;              /* x, y of row i at 2i, 2i + 1 (NAN, NAN: not a point) */
	unsigned char *geocoded; /* 1: placed by the address reference (column geocode) */
	size_t n;                /* rows */
} tp_vacancy_points;

/*
 * Every vacancy's point, in id order.  Reproject's check, validate and
 * locate read them in turn, ~0.2 s a read at a million records on one
 * core, so a read is kept on run for the next stage that asks, while the
 * rows are unchanged: temporary triggers on the rows' table (store.h)
 * mark it stale at any insert, delete, or change of an id or a geometry,
 * made by any statement (a reprojection, a reject), and the next call
 * then reads the store again.  What a stage gets is what the store holds.
 *
 * keep 1: *p is lent, valid until the next call or tp_rows_points_forget(),
 * and never freed by the caller.  keep 0: the caller owns *p
 * (tp_vacancy_points_free) and nothing stays kept.  TP_ERROR on out of
 * memory or a store that cannot be read; *p is then empty.
 */
int tp_rows_vacancy_points(tp_run *run, tp_vacancy_points *p, int keep);

/*
 * Keeps p (taken: zeroed here) as the vacancies' points read, for the next
 * stage that asks, as tp_rows_vacancy_points(..., 1) would have: load made
 * them as it wrote the rows, from the same WKB, so reproject reads none.
 * The triggers are set now: any change after marks them stale.  TP_ERROR
 * on out of memory or a store that cannot be watched (p freed, nothing kept).
 */
int tp_rows_points_keep(tp_run *run, tp_vacancy_points *p);

/* Frees what tp_rows_vacancy_points(..., 0) gave, and zeroes p. */
void tp_vacancy_points_free(tp_vacancy_points *p);

/* Drops what run keeps of tp_rows_vacancy_points() and its triggers (at the
 * end of a run). */
void tp_rows_points_forget(tp_run *run);

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

/*
 * bulk.h: reading whole layers into compact arrays, for address-scale work.
 *
 * Points come out as one array of doubles (x0, y0, x1, y1, ...), never as
 * one object per point: ten million points take 160 MB.  They are read
 * through OGR's Arrow stream when the driver offers one (much faster than
 * feature by feature), else feature by feature.  Polygons come out as flat
 * rings (rings.h) with a key per polygon: one reader, one validity check and
 * one set of messages for `join` and `apportion` alike.
 */
#ifndef TP_BULK_H
#define TP_BULK_H

#include <stddef.h>
#include <stdint.h>

#include "geo/geo.h"
#include "geo/rings.h"

/*
 * Settings for a process that only reads with these functions (tremplin
 * join, apportion): GeoPackage and SQLite files are read through a memory
 * map (no read() call and no copy per page) and without SpatiaLite's
 * thousand SQL functions, which a plain read never calls.  They are
 * process-wide, since GDAL reads the Arrow stream on threads of its own;
 * a setting the user made (--config) is kept.
 */
void tp_bulk_settings(void);

typedef struct {
	double *xy;         /* 2 * n coordinates (bigbuf.h) */
	int64_t *fid;       /* per point its FID in the layer, when asked for (else NULL) */
	int with_fid;       /* the FIDs were asked for */
	size_t n;           /* points read */
	size_t no_geom;     /* features without a usable point, not in xy */
	char crs[4096];     /* the layer's CRS as PROJ reads it, "" if none */
	int arrow;          /* 1 when read through the Arrow stream */
} tp_points;

/* Where tp_points_read finds the points. */
typedef struct {
	const char *layer;  /* the layer, NULL: the first */
	const char *x, *y;  /* coordinate columns (both or neither), NULL: the geometry */
	const char *crs;    /* the points' CRS, NULL: the layer's */
	int with_fid;       /* read the FIDs too */
} tp_points_opts;

/* Reads every point of path's layer: its point geometries, or the numbers
 * of its x and y columns (a CSV or spreadsheet; decimal comma read as the
 * inputs read it, a row without both numbers counted in no_geom).  Files
 * are opened as the pipeline opens its inputs (source.h).  TP_EINPUT
 * naming the file when it cannot be read, a column is missing, or no row
 * has a point (a table of zeros would hide the mistake).  Free with
 * tp_points_dispose(). */
int tp_points_read(tp_points *out, const char *path, const tp_points_opts *o);
void tp_points_dispose(tp_points *p);

/* Polygons as flat rings (rings.h), never a GEOS object per polygon. */
typedef struct {
	tp_rings r;         /* the polygons, in the layer's order */
	char **key;         /* key per polygon (malloc'ed) */
	double *value;      /* numeric field per polygon, when asked for (else NULL) */
	size_t repaired;    /* invalid polygons that were repaired */
	char crs[4096];     /* the layer's CRS, "" if none */
	char path[4096];    /* the file, for messages */
	char layer[256];    /* the layer's name, for messages */
} tp_ringset;

/*
 * Reads the polygons of path's layer (NULL: the first) with their key field
 * (NULL: the FID) and, when value_field is not NULL, a numeric field,
 * straight from OGR's geometries into flat rings.  Curved polygons are made
 * linear.  Each polygon is then checked with GEOS on `threads` threads; an
 * invalid one is repaired with tp_geo_valid_multipolygon() (geo.h).  A row
 * whose geometry is missing, not polygonal, or beyond repair fails the read
 * with TP_EINPUT and a message naming the file, layer and row.  Free with
 * tp_ringset_dispose().
 */
int tp_ringset_read(tp_ringset *out, const char *path, const char *layer,
		    const char *key_field, const char *value_field, int threads);

/* tp_ringset_read() in two steps, for callers that share the check with
 * other work: the read alone (no polygon checked yet) ... */
int tp_ringset_load(tp_ringset *out, const char *path, const char *layer,
		    const char *key_field, const char *value_field);

/* ... then a check that any number of threads join by calling
 * tp_ringcheck_work(c) (each returns when no polygon is left to take), and
 * tp_ringcheck_finish() once they are all back: it fails naming the first
 * row beyond repair, and puts repaired polygons in place. */
typedef struct tp_ringcheck tp_ringcheck;
int tp_ringcheck_new(tp_ringcheck **out, const tp_ringset *s);
void tp_ringcheck_work(tp_ringcheck *c);
int tp_ringcheck_finish(tp_ringcheck *c, tp_ringset *s);
void tp_ringcheck_free(tp_ringcheck *c);
void tp_ringset_dispose(tp_ringset *s);

#endif

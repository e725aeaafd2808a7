/*
 * geo.h: the GEOS and PROJ bridge.
 *
 * One tp_geo bundles a reentrant GEOS handle and a PROJ context; a thread
 * uses its own.  All geometry crosses the rest of tremplin as WKB (in the
 * working store) or as GEOSGeometry* owned by the caller of the function
 * that returned it.  GEOS and PROJ error messages are kept in the tp_geo
 * (geos_msg, proj_msg), and GDAL's per thread (tp_gdal_capture), so that a
 * failing call's message in the last-error slot (error.h) gives the
 * library's reason.  Nothing here knows the pipeline.
 */
#ifndef TP_GEO_H
#define TP_GEO_H

#include <stddef.h>

#include <geos_c.h>
#include <proj.h>

typedef struct tp_geo {
	GEOSContextHandle_t gh;  /* reentrant GEOS handle */
	PJ_CONTEXT *pj;          /* PROJ context of this thread */
	GEOSWKBReader *wkb_in;   /* reused WKB reader */
	GEOSWKBWriter *wkb_out;  /* reused WKB writer (2D, little-endian) */
	char geos_msg[512];      /* last GEOS error (notices are not kept) */
	char proj_msg[512];      /* last PROJ error logged on pj */
} tp_geo;

/* Creates a context; *out is NULL on failure.  Free with tp_geo_free(). */
int tp_geo_new(tp_geo **out);
void tp_geo_free(tp_geo *g);

/*
 * Installs, for every thread, the GDAL error handler that keeps the text of
 * the calling thread's last GDAL failure (CE_Failure and worse).  With
 * print set (--debug on) every GDAL message is also printed as GDAL would;
 * without it GDAL prints nothing, its words reaching the user inside
 * tremplin's messages.  Call once, before any thread starts.
 */
void tp_gdal_capture(int print);

/* Forgets this thread's last GDAL failure (and GDAL's own last error):
 * call it before the GDAL call whose failure you will report. */
void tp_gdal_reset(void);

/* The text of this thread's last GDAL failure since tp_gdal_reset(), or
 * "GDAL gave no reason"; never NULL nor empty. */
const char *tp_gdal_reason(void);

/* The version of GEOS tremplin runs on (for --version). */
const char *tp_geo_geos_version(void);

/* Parses WKB into a new geometry (caller destroys), NULL on bad WKB. */
GEOSGeometry *tp_geo_from_wkb(tp_geo *g, const void *wkb, size_t len);

/* Serialises to 2D WKB; free the result with tp_geo_free_buf(). */
unsigned char *tp_geo_to_wkb(tp_geo *g, const GEOSGeometry *geom, size_t *len);
void tp_geo_free_buf(tp_geo *g, void *buf);

/* Destroys a geometry made by the functions here; NULL is fine. */
void tp_geo_destroy(tp_geo *g, GEOSGeometry *geom);

/* 1 when geom is a non-empty Point, its coordinates then in *x and *y;
 * 0 otherwise (NULL, another type, empty), *x and *y untouched. */
int tp_geo_point_xy(tp_geo *g, const GEOSGeometry *geom, double *x, double *y);

/*
 * The coordinates of the point the WKB at wkb (len bytes) starts with,
 * without GEOS: 2D, Z, M or ZM, ISO or extended WKB, either byte order.
 * Returns the point's size in bytes (21 for 2D), or 0 when wkb does not
 * start with a point that has coordinates (another type, NaN: empty, too
 * short).  The readers of a million points, join's and the stages'.
 */
size_t tp_wkb_point_xy(const void *wkb, size_t len, double *x, double *y);

/* tp_geo_point_xy() of the geometry the WKB wkb (len bytes, NULL for none)
 * holds, the same answer: a point whose bytes are all of wkb is read by
 * tp_wkb_point_xy(), anything else goes through GEOS.  For the stages that read a
 * million stored points and need only their coordinates. */
int tp_geo_wkb_xy(tp_geo *g, const void *wkb, size_t len, double *x, double *y);

/* 1 when geom is not empty, its envelope then in env (min x, min y, max x,
 * max y); 0 otherwise (NULL, empty, or GEOS cannot tell), env untouched. */
int tp_geo_envelope(tp_geo *g, const GEOSGeometry *geom, double env[4]);

/* The area of geom (GEOS's), 0 for NULL or when GEOS cannot compute it. */
double tp_geo_area(tp_geo *g, const GEOSGeometry *geom);

/* 1 when geom is valid, 0 when not, TP_ERROR (message set) when GEOS
 * cannot tell. */
int tp_geo_is_valid(tp_geo *g, const GEOSGeometry *geom);

/* The centre of the largest circle inside polygonal geom (its pole of
 * inaccessibility, found to within tol) into *x, *y: a point well inside,
 * where a label goes.  0, or TP_ERROR (message set) when GEOS cannot. */
int tp_geo_inner_point(tp_geo *g, const GEOSGeometry *geom, double tol, double *x, double *y);

/* Parses WKT (tests and the demo generator); NULL on failure. */
GEOSGeometry *tp_geo_from_wkt(tp_geo *g, const char *wkt);

/*
 * A coordinate transformation between two CRSs given as anything PROJ
 * reads ("EPSG:31370", WKT, PROJJSON).  Axis order is normalised to
 * easting/longitude first on both sides.
 */
typedef struct tp_transform tp_transform;

/* Fails with TP_EINPUT naming the CRS that PROJ does not know. */
int tp_transform_new(tp_transform **out, tp_geo *g, const char *src,
		     const char *dst);
void tp_transform_free(tp_transform *t);

/* 1 when src and dst are the same CRS (transforming is a no-op). */
int tp_transform_is_identity(const tp_transform *t);

/* Transforms one point in place; TP_EINPUT when PROJ cannot. */
int tp_transform_xy(tp_transform *t, double *x, double *y);

/* A transformed copy of geom (caller destroys), NULL on failure. */
GEOSGeometry *tp_transform_geom(tp_transform *t, const GEOSGeometry *geom);

/* 1 when PROJ knows crs; fills name (may be NULL) with its name. */
int tp_crs_check(tp_geo *g, const char *crs, char *name, size_t namelen);

/*
 * Returns a valid MultiPolygon built from geom: geom itself (cloned) when
 * it is a valid Polygon/MultiPolygon, else the polygonal part of
 * GEOSMakeValid.  *repaired is set to 1 when a repair happened.  Returns
 * NULL, with *why set to a static reason, when no area is left.
 */
GEOSGeometry *tp_geo_valid_multipolygon(tp_geo *g, const GEOSGeometry *geom,
					int *repaired, const char **why);

#endif

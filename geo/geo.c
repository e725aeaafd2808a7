/*
 * geo.c: the GEOS/PROJ context, WKB conversion, reprojection and repair.
 *
 * GEOS errors go to the context's buffer through the _r message handler,
 * and PROJ's to another through the context's log function, so a failing
 * call can be reported with the library's own words.  GDAL's are kept per
 * thread by the handler tp_gdal_capture installs.
 */
#include "geo/geo.h"
#include "geo/error.h"

#include <cpl_error.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tp_transform {
	tp_geo *g;     /* context whose PROJ context created pj */
	PJ *pj;        /* normalised src -> dst operation, NULL if identity */
	int failed;    /* set by the GEOS transform callback on a PROJ error */
};

static _Thread_local char gdal_msg[1024]; /* this thread's last GDAL failure */
static int gdal_print;                    /* pass GDAL's messages to its own printer */

static void geos_handler(const char *msg, void *ud)
{
	tp_geo *g = ud;

	snprintf(g->geos_msg, sizeof(g->geos_msg), "%s", msg);
}

/* GEOS notices (why a geometry is invalid, ...) are not failures: a later
 * failure's message must not show one. */
static void geos_notice(const char *msg, void *ud)
{
	(void)msg;
	(void)ud;
}

static void proj_logger(void *ud, int level, const char *msg)
{
	tp_geo *g = ud;

	if (level == PJ_LOG_ERROR && msg)
		snprintf(g->proj_msg, sizeof(g->proj_msg), "%s", msg);
}

/* ": " and the reason PROJ gave for the failure of the call just made on
 * g, in buf; "" when it gave none. */
static const char *proj_reason(tp_geo *g, char *buf, size_t len)
{
	int e = proj_context_errno(g->pj);
	const char *why = g->proj_msg[0] ? g->proj_msg : e ? proj_context_errno_string(g->pj, e) : NULL;

	snprintf(buf, len, "%s%s", why ? ": " : "", why ? why : "");
	return buf;
}

static void CPL_STDCALL gdal_handler(CPLErr cls, CPLErrorNum num, const char *msg)
{
	if (cls >= CE_Failure && msg)
		snprintf(gdal_msg, sizeof(gdal_msg), "%s", msg);
	if (gdal_print)
		CPLDefaultErrorHandler(cls, num, msg);
}

void tp_gdal_capture(int print)
{
	gdal_print = print;
	CPLSetErrorHandler(gdal_handler);
}

void tp_gdal_reset(void)
{
	gdal_msg[0] = '\0';
	CPLErrorReset();
}

const char *tp_gdal_reason(void)
{
	return gdal_msg[0] ? gdal_msg : "GDAL gave no reason";
}

int tp_geo_new(tp_geo **out)
{
	tp_geo *g = NULL;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return tp_error_set(TP_ERROR, "out of memory");
	g->gh = GEOS_init_r();
	g->pj = proj_context_create();
	if (!g->gh || !g->pj)
		goto fail;
	GEOSContext_setErrorMessageHandler_r(g->gh, geos_handler, g);
	GEOSContext_setNoticeMessageHandler_r(g->gh, geos_notice, g);
	proj_log_func(g->pj, g, proj_logger);
	proj_log_level(g->pj, PJ_LOG_ERROR);
	/* grids come from the local proj-data package; PROJ never fetches one */
	proj_context_set_enable_network(g->pj, 0);
	g->wkb_in = GEOSWKBReader_create_r(g->gh);
	g->wkb_out = GEOSWKBWriter_create_r(g->gh);
	if (!g->wkb_in || !g->wkb_out)
		goto fail;
	GEOSWKBWriter_setOutputDimension_r(g->gh, g->wkb_out, 2);
	GEOSWKBWriter_setByteOrder_r(g->gh, g->wkb_out, GEOS_WKB_NDR);
	*out = g;
	return TP_OK;
fail:
	tp_geo_free(g);
	return tp_error_set(TP_ERROR, "cannot start GEOS or PROJ");
}

void tp_geo_free(tp_geo *g)
{
	if (!g)
		return;
	if (g->gh) {
		if (g->wkb_in)
			GEOSWKBReader_destroy_r(g->gh, g->wkb_in);
		if (g->wkb_out)
			GEOSWKBWriter_destroy_r(g->gh, g->wkb_out);
		GEOS_finish_r(g->gh);
	}
	if (g->pj)
		proj_context_destroy(g->pj);
	free(g);
}

GEOSGeometry *tp_geo_from_wkb(tp_geo *g, const void *wkb, size_t len)
{
	return GEOSWKBReader_read_r(g->gh, g->wkb_in, wkb, len);
}

unsigned char *tp_geo_to_wkb(tp_geo *g, const GEOSGeometry *geom, size_t *len)
{
	return GEOSWKBWriter_write_r(g->gh, g->wkb_out, geom, len);
}

void tp_geo_free_buf(tp_geo *g, void *buf)
{
	if (buf)
		GEOSFree_r(g->gh, buf);
}

const char *tp_geo_geos_version(void)
{
	return GEOSversion();
}

void tp_geo_destroy(tp_geo *g, GEOSGeometry *geom)
{
	if (geom)
		GEOSGeom_destroy_r(g->gh, geom);
}

int tp_geo_point_xy(tp_geo *g, const GEOSGeometry *geom, double *x, double *y)
{
	double px, py;

	if (!geom || GEOSGeomTypeId_r(g->gh, geom) != GEOS_POINT ||
	    GEOSisEmpty_r(g->gh, geom) != 0 || !GEOSGeomGetX_r(g->gh, geom, &px) ||
	    !GEOSGeomGetY_r(g->gh, geom, &py))
		return 0;
	*x = px;
	*y = py;
	return 1;
}

size_t tp_wkb_point_xy(const void *wkb, size_t len, double *x, double *y)
{
	const unsigned char *w = wkb;
	const int little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
	unsigned char b[20];
	uint32_t type;
	size_t need;
	double px, py;
	int k;

	if (!w || len < 21 || w[0] > 1)
		return 0;
	/* the 4 bytes of the type and the 16 of x and y, in this host's order */
	for (k = 0; k < 4; k++)
		b[k] = (w[0] == 1) == little ? w[1 + k] : w[4 - k];
	for (k = 0; k < 16; k++)
		b[4 + k] = (w[0] == 1) == little ? w[5 + k] : w[5 + (k / 8) * 8 + 7 - k % 8];
	memcpy(&type, b, 4);
	memcpy(&px, b + 4, 8);
	memcpy(&py, b + 12, 8);
	/* extended WKB with an SRID puts it before x: left to GEOS */
	if (type & 0x20000000u)
		return 0;
	/* extended WKB's Z and M flags; ISO's 1001, 2001, 3001 */
	need = 21 + (type & 0x80000000u ? 8 : 0) + (type & 0x40000000u ? 8 : 0);
	type &= 0x0fffffff;
	if (type % 1000 != 1 || type > 3001 || px != px || py != py)
		return 0;
	need += type / 1000 == 3 ? 16 : type / 1000 ? 8 : 0;
	if (need > len)
		return 0;
	*x = px;
	*y = py;
	return need;
}

int tp_geo_wkb_xy(tp_geo *g, const void *wkb, size_t len, double *x, double *y)
{
	const unsigned char *w = wkb;
	GEOSGeometry *geom;
	double px, py;
	int ok;

	if (!w)
		return 0;
	/* exactly one point's bytes; NaN coordinates (GEOS's empty point) and
	 * anything else are left to GEOS */
	if (tp_wkb_point_xy(w, len, &px, &py) == len) {
		*x = px;
		*y = py;
		return 1;
	}
	geom = tp_geo_from_wkb(g, w, len);
	ok = tp_geo_point_xy(g, geom, x, y);
	tp_geo_destroy(g, geom);
	return ok;
}

int tp_geo_envelope(tp_geo *g, const GEOSGeometry *geom, double env[4])
{
	double e[4];

	if (!geom || GEOSisEmpty_r(g->gh, geom) != 0 || !GEOSGeom_getXMin_r(g->gh, geom, &e[0]) ||
	    !GEOSGeom_getYMin_r(g->gh, geom, &e[1]) || !GEOSGeom_getXMax_r(g->gh, geom, &e[2]) ||
	    !GEOSGeom_getYMax_r(g->gh, geom, &e[3]))
		return 0;
	memcpy(env, e, sizeof(e));
	return 1;
}

double tp_geo_area(tp_geo *g, const GEOSGeometry *geom)
{
	double a = 0;

	if (!geom || GEOSArea_r(g->gh, geom, &a) != 1)
		return 0;
	return a;
}

int tp_geo_is_valid(tp_geo *g, const GEOSGeometry *geom)
{
	char v = GEOSisValid_r(g->gh, geom);

	if (v == 2)
		return tp_error_set(TP_ERROR, "GEOS cannot tell whether a geometry is valid: %s",
				    g->geos_msg);
	return v == 1;
}

int tp_geo_inner_point(tp_geo *g, const GEOSGeometry *geom, double tol, double *x, double *y)
{
	GEOSGeometry *mic = GEOSMaximumInscribedCircle_r(g->gh, geom, tol);
	GEOSGeometry *pt = mic ? GEOSGeomGetStartPoint_r(g->gh, mic) : NULL;
	int ok = pt && GEOSGeomGetX_r(g->gh, pt, x) && GEOSGeomGetY_r(g->gh, pt, y);

	tp_geo_destroy(g, pt);
	tp_geo_destroy(g, mic);
	return ok ? TP_OK
		  : tp_error_set(TP_ERROR, "GEOS cannot find a point inside: %s", g->geos_msg);
}

GEOSGeometry *tp_geo_from_wkt(tp_geo *g, const char *wkt)
{
	GEOSWKTReader *r = GEOSWKTReader_create_r(g->gh);
	GEOSGeometry *geom = NULL;

	if (!r)
		return NULL;
	geom = GEOSWKTReader_read_r(g->gh, r, wkt);
	GEOSWKTReader_destroy_r(g->gh, r);
	return geom;
}

int tp_crs_check(tp_geo *g, const char *crs, char *name, size_t namelen)
{
	PJ *p = NULL;
	int ok;

	if (!crs || !*crs)
		return 0;
	p = proj_create(g->pj, crs);
	ok = p && (proj_get_type(p) == PJ_TYPE_PROJECTED_CRS ||
		   proj_get_type(p) == PJ_TYPE_GEOGRAPHIC_2D_CRS ||
		   proj_get_type(p) == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
		   proj_get_type(p) == PJ_TYPE_COMPOUND_CRS ||
		   proj_get_type(p) == PJ_TYPE_BOUND_CRS);
	if (ok && name && namelen) {
		const char *n = proj_get_name(p);
		snprintf(name, namelen, "%s", n ? n : crs);
	}
	if (p)
		proj_destroy(p);
	return ok;
}

int tp_transform_new(tp_transform **out, tp_geo *g, const char *src,
		     const char *dst)
{
	tp_transform *t = NULL;
	PJ *ps = NULL, *pd = NULL, *op = NULL;
	char why[520];
	int rc = TP_OK;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return tp_error_set(TP_ERROR, "out of memory");
	t->g = g;
	g->proj_msg[0] = '\0';
	ps = proj_create(g->pj, src);
	if (!ps) {
		rc = tp_error_set(TP_EINPUT, "unknown CRS '%s'%s", src,
				  proj_reason(g, why, sizeof(why)));
		goto done;
	}
	pd = proj_create(g->pj, dst);
	if (!pd) {
		rc = tp_error_set(TP_EINPUT, "unknown CRS '%s'%s", dst,
				  proj_reason(g, why, sizeof(why)));
		goto done;
	}
	if (proj_is_equivalent_to(ps, pd, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS))
		goto done; /* identity: pj stays NULL */
	op = proj_create_crs_to_crs_from_pj(g->pj, ps, pd, NULL, NULL);
	if (!op) {
		rc = tp_error_set(TP_EINPUT, "no transformation from '%s' to '%s'%s", src,
				  dst, proj_reason(g, why, sizeof(why)));
		goto done;
	}
	t->pj = proj_normalize_for_visualization(g->pj, op);
	if (!t->pj)
		rc = tp_error_set(TP_EINPUT, "cannot normalise axis order from '%s' to '%s'%s",
				  src, dst, proj_reason(g, why, sizeof(why)));
done:
	if (op)
		proj_destroy(op);
	if (ps)
		proj_destroy(ps);
	if (pd)
		proj_destroy(pd);
	if (rc) {
		tp_transform_free(t);
		return rc;
	}
	*out = t;
	return TP_OK;
}

void tp_transform_free(tp_transform *t)
{
	if (!t)
		return;
	if (t->pj)
		proj_destroy(t->pj);
	free(t);
}

int tp_transform_is_identity(const tp_transform *t)
{
	return t->pj == NULL;
}

int tp_transform_xy(tp_transform *t, double *x, double *y)
{
	PJ_COORD c;

	if (!t->pj)
		return TP_OK;
	c = proj_coord(*x, *y, 0, 0);
	c = proj_trans(t->pj, PJ_FWD, c);
	if (c.xy.x == HUGE_VAL || c.xy.y == HUGE_VAL) {
		int e = proj_errno(t->pj);
		return tp_error_set(TP_EINPUT, "cannot transform (%g, %g): %s", *x, *y,
				    e ? proj_context_errno_string(t->g->pj, e) : "PROJ gave no reason");
	}
	*x = c.xy.x;
	*y = c.xy.y;
	return TP_OK;
}

static int transform_cb(double *x, double *y, void *ud)
{
	tp_transform *t = ud;

	if (tp_transform_xy(t, x, y)) {
		t->failed = 1;
		return 0;
	}
	return 1;
}

GEOSGeometry *tp_transform_geom(tp_transform *t, const GEOSGeometry *geom)
{
	GEOSGeometry *res;

	if (!t->pj)
		return GEOSGeom_clone_r(t->g->gh, geom);
	t->failed = 0;
	res = GEOSGeom_transformXY_r(t->g->gh, geom, transform_cb, t);
	if (t->failed && res) {
		GEOSGeom_destroy_r(t->g->gh, res);
		res = NULL;
	}
	return res;
}

/* Number of polygons in geom, looking one level into collections. */
static int count_polygons(GEOSContextHandle_t h, const GEOSGeometry *geom)
{
	int type = GEOSGeomTypeId_r(h, geom), n, i, k = 0;

	if (type == GEOS_POLYGON)
		return 1;
	if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
		return 0;
	n = GEOSGetNumGeometries_r(h, geom);
	for (i = 0; i < n; i++)
		k += count_polygons(h, GEOSGetGeometryN_r(h, geom, i));
	return k;
}

/* Appends clones of geom's polygons to parts from *k on. */
static void collect_polygons(GEOSContextHandle_t h, const GEOSGeometry *geom,
			     GEOSGeometry **parts, int *k)
{
	int type = GEOSGeomTypeId_r(h, geom), n, i;

	if (type == GEOS_POLYGON) {
		if (GEOSisEmpty_r(h, geom) != 1)
			parts[(*k)++] = GEOSGeom_clone_r(h, geom);
		return;
	}
	if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
		return;
	n = GEOSGetNumGeometries_r(h, geom);
	for (i = 0; i < n; i++)
		collect_polygons(h, GEOSGetGeometryN_r(h, geom, i), parts, k);
}

/* The polygons of geom (any type) as a new MultiPolygon, NULL on OOM. */
static GEOSGeometry *polygonal_part(tp_geo *g, const GEOSGeometry *geom)
{
	GEOSContextHandle_t h = g->gh;
	int n = count_polygons(h, geom), k = 0, i;
	GEOSGeometry **parts = NULL;
	GEOSGeometry *res = NULL;

	parts = calloc(n > 0 ? (size_t)n : 1, sizeof(*parts));
	if (!parts)
		return NULL;
	collect_polygons(h, geom, parts, &k);
	for (i = 0; i < k; i++)
		if (!parts[i])
			goto fail;
	/* GEOS owns the parts from here on, even when it fails */
	res = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)k);
	free(parts);
	return res;
fail:
	for (i = 0; i < k; i++)
		if (parts[i])
			GEOSGeom_destroy_r(h, parts[i]);
	free(parts);
	return NULL;
}

GEOSGeometry *tp_geo_valid_multipolygon(tp_geo *g, const GEOSGeometry *geom,
					int *repaired, const char **why)
{
	GEOSContextHandle_t h = g->gh;
	GEOSGeometry *fixed = NULL, *res = NULL;
	int type = GEOSGeomTypeId_r(h, geom);

	*repaired = 0;
	*why = NULL;
	if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
		*why = "geometry is not a polygon";
		return NULL;
	}
	if (GEOSisEmpty_r(h, geom) == 1) {
		*why = "geometry is empty";
		return NULL;
	}
	if (GEOSisValid_r(h, geom) == 1)
		return polygonal_part(g, geom);
	fixed = GEOSMakeValid_r(h, geom);
	if (!fixed) {
		*why = "invalid geometry that GEOS could not repair";
		return NULL;
	}
	res = polygonal_part(g, fixed);
	GEOSGeom_destroy_r(h, fixed);
	if (res) {
		double a = 0;
		if (GEOSArea_r(h, res, &a) != 1 || a <= 0) {
			GEOSGeom_destroy_r(h, res);
			res = NULL;
		}
	}
	if (!res) {
		*why = "invalid geometry with no area left after repair";
		return NULL;
	}
	*repaired = 1;
	return res;
}

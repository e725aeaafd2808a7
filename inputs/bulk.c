/*
 * bulk.c: whole-layer readers (bulk.h).
 */
#include "inputs/bulk.h"
#include "geo/array.h"
#include "geo/bigbuf.h"
#include "geo/error.h"
#include "geo/geo.h"
#include "geo/parallel.h"
#include "inputs/fields.h"
#include "inputs/source.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <pthread.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_recordbatch.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_string.h>

/* Opens path's layer (NULL: the first) through the inputs' one opener
 * (source.h: CSV separators and encodings as offices write them). */
static int open_layer(tp_source *src, OGRLayerH *lyr, const char *path, const char *layer)
{
	int rc;

	GDALAllRegister();
	rc = tp_source_open(src, path, NULL);
	if (rc)
		return rc;
	*lyr = layer ? GDALDatasetGetLayerByName(src->ds, layer) : GDALDatasetGetLayer(src->ds, 0);
	if (!*lyr) {
		tp_source_close(src);
		return tp_error_set(TP_EINPUT, "%s: no layer '%s'", path, layer ? layer : "(first)");
	}
	return TP_OK;
}

static void layer_crs(OGRLayerH lyr, char *out, size_t len)
{
	OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
	const char *auth, *code;
	char *wkt = NULL;

	out[0] = '\0';
	if (!srs)
		return;
	auth = OSRGetAuthorityName(srs, NULL);
	code = OSRGetAuthorityCode(srs, NULL);
	if (auth && code) {
		snprintf(out, len, "%s:%s", auth, code);
		return;
	}
	if (OSRExportToWkt(srs, &wkt) == OGRERR_NONE && wkt)
		snprintf(out, len, "%s", wkt);
	CPLFree(wkt);
}

static int grow(tp_points *p, size_t *cap, size_t need)
{
	double *xy;

	if (need <= *cap)
		return TP_OK;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 65536;
	xy = tp_big_realloc(p->xy, *cap * 2 * sizeof(*p->xy));
	if (!xy)
		return tp_error_set(TP_ERROR, "out of memory");
	p->xy = xy;
	if (p->with_fid) {
		int64_t *fid = tp_big_realloc(p->fid, *cap * sizeof(*p->fid));
		if (!fid)
			return tp_error_set(TP_ERROR, "out of memory");
		p->fid = fid;
	}
	return TP_OK;
}

/* Reads through the Arrow stream; 1 if it did, 0 when the driver has none. */
static int read_arrow(tp_points *p, size_t *cap, OGRLayerH lyr, const char *path)
{
	struct ArrowArrayStream stream;
	struct ArrowSchema schema;
	const char *gcol = OGR_L_GetGeometryColumn(lyr), *fcol = OGR_L_GetFIDColumn(lyr);
	char **opts = NULL;
	int64_t gi = -1, fi = -1, k, row = 0;
	int rc = 1;

	memset(&stream, 0, sizeof(stream));
	memset(&schema, 0, sizeof(schema));
	/* keep the FID: GDAL 3.6.2 streams of the geometry alone can come back zeroed */
	opts = CSLSetNameValue(opts, "INCLUDE_FID", "YES");
	if (!OGR_L_GetArrowStream(lyr, &stream, opts)) {
		CSLDestroy(opts);
		return 0;
	}
	CSLDestroy(opts);
	if (stream.get_schema(&stream, &schema) != 0) {
		stream.release(&stream);
		return 0;
	}
	for (k = 0; k < schema.n_children; k++) {
		const char *name = schema.children[k]->name;
		if (name && ((gcol && *gcol && !strcmp(name, gcol)) ||
			     (!(gcol && *gcol) && !strcmp(name, "wkb_geometry"))))
			gi = k;
		if (name && !strcmp(name, fcol && *fcol ? fcol : "OGC_FID") &&
		    !strcmp(schema.children[k]->format, "l"))
			fi = k;
	}
	if (gi < 0 || (strcmp(schema.children[gi]->format, "z") &&
		       strcmp(schema.children[gi]->format, "Z"))) {
		schema.release(&schema);
		stream.release(&stream);
		return 0;
	}
	for (;;) {
		struct ArrowArray arr;
		const struct ArrowArray *col;
		const uint8_t *valid, *data;
		int large = schema.children[gi]->format[0] == 'Z';
		int64_t i;

		memset(&arr, 0, sizeof(arr));
		if (stream.get_next(&stream, &arr) != 0) {
			rc = tp_error_set(TP_EINPUT, "%s: reading failed: %s", path,
					  stream.get_last_error(&stream));
			break;
		}
		if (!arr.release)
			break;
		col = arr.children[gi];
		valid = col->buffers[0];
		data = col->buffers[2];
		if (grow(p, cap, p->n + (size_t)col->length)) {
			arr.release(&arr);
			rc = TP_ERROR;
			break;
		}
		for (i = 0; i < col->length; i++, row++) {
			int64_t j = col->offset + i, a, b;
			if (valid && !(valid[j >> 3] & (1 << (j & 7)))) {
				p->no_geom++;
				continue;
			}
			if (p->with_fid)
				p->fid[p->n] = fi >= 0 ? ((const int64_t *)arr.children[fi]->buffers[1])
								 [arr.children[fi]->offset + i]
						       : row;
			if (large) {
				a = ((const int64_t *)col->buffers[1])[j];
				b = ((const int64_t *)col->buffers[1])[j + 1];
			} else {
				a = ((const int32_t *)col->buffers[1])[j];
				b = ((const int32_t *)col->buffers[1])[j + 1];
			}
			if (!tp_wkb_point_xy(data + a, (size_t)(b - a), &p->xy[2 * p->n],
					     &p->xy[2 * p->n + 1]))
				p->no_geom++;
			else
				p->n++;
		}
		arr.release(&arr);
	}
	schema.release(&schema);
	stream.release(&stream);
	p->arrow = 1;
	return rc;
}

void tp_bulk_settings(void)
{
	if (!CPLGetConfigOption("OGR_SQLITE_PRAGMA", NULL))
		CPLSetConfigOption("OGR_SQLITE_PRAGMA", "mmap_size=2147418112");
	if (!CPLGetConfigOption("SPATIALITE_LOAD", NULL))
		CPLSetConfigOption("SPATIALITE_LOAD", "NO");
}

/* The index of column name in lyr, or -1 after a message naming the
 * option, the column and the columns there are. */
static int xy_column(OGRLayerH lyr, const char *path, const char *name, const char *option)
{
	OGRFeatureDefnH fd = OGR_L_GetLayerDefn(lyr);
	char cols[1024] = "";
	size_t used = 0;
	int i, n = OGR_FD_GetFieldCount(fd);

	for (i = 0; i < n; i++) {
		const char *c = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i));
		if (!strcasecmp(c, name))
			return i;
		if (used < sizeof(cols))
			used += (size_t)snprintf(cols + used, sizeof(cols) - used, "%s%s",
						 i ? ", " : "", c);
	}
	tp_error_set(TP_EINPUT, "%s, layer %s: no column '%s' for %s (columns: %s)", path,
		     OGR_L_GetName(lyr), name, option, cols[0] ? cols : "none");
	return -1;
}

/* The point of feature f: its geometry, or its x/y columns (xcol >= 0) read
 * as the inputs read numbers (decimal comma too).  0 when it has none. */
static int feature_point(OGRFeatureH f, int xcol, int ycol, double *x, double *y)
{
	OGRGeometryH geom;

	if (xcol >= 0)
		return OGR_F_IsFieldSetAndNotNull(f, xcol) && OGR_F_IsFieldSetAndNotNull(f, ycol) &&
		       tp_parse_double(OGR_F_GetFieldAsString(f, xcol), x) == 0 &&
		       tp_parse_double(OGR_F_GetFieldAsString(f, ycol), y) == 0 && isfinite(*x) &&
		       isfinite(*y);
	geom = OGR_F_GetGeometryRef(f);
	if (!geom || wkbFlatten(OGR_G_GetGeometryType(geom)) != wkbPoint || OGR_G_IsEmpty(geom))
		return 0;
	*x = OGR_G_GetX(geom, 0);
	*y = OGR_G_GetY(geom, 0);
	return 1;
}

int tp_points_read(tp_points *out, const char *path, const tp_points_opts *o)
{
	tp_source src = {0};
	OGRLayerH lyr = NULL;
	OGRFeatureH f;
	GIntBig hint;
	size_t cap = 0;
	int rc, xcol = -1, ycol = -1;

	memset(out, 0, sizeof(*out));
	out->with_fid = o->with_fid;
	if (!o->x != !o->y)
		return tp_error_set(TP_EUSAGE, "%s: give both --x and --y, or neither", path);
	rc = open_layer(&src, &lyr, path, o->layer);
	if (rc)
		return rc;
	if (o->crs)
		snprintf(out->crs, sizeof(out->crs), "%s", o->crs);
	else
		layer_crs(lyr, out->crs, sizeof(out->crs));
	if (o->x && ((xcol = xy_column(lyr, path, o->x, "--x")) < 0 ||
		     (ycol = xy_column(lyr, path, o->y, "--y")) < 0)) {
		rc = TP_EINPUT;
		goto fail;
	}
	/* the count where the driver has it at hand (GeoPackage): one allocation */
	hint = OGR_L_GetFeatureCount(lyr, 0);
	if (hint > 0 && (rc = grow(out, &cap, (size_t)hint)) != 0)
		goto fail;
	if (xcol < 0 && !CPLTestBool(CPLGetConfigOption("TREMPLIN_NO_ARROW", "NO"))) {
		rc = read_arrow(out, &cap, lyr, path);
		if (rc == 1) {
			rc = TP_OK;
			goto done;
		}
		if (rc < 0)
			goto fail;
		OGR_L_ResetReading(lyr);
	}
	tp_gdal_reset();
	while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
		double x, y;
		if (feature_point(f, xcol, ycol, &x, &y)) {
			if ((rc = grow(out, &cap, out->n + 1)) != 0) {
				OGR_F_Destroy(f);
				goto fail;
			}
			if (out->with_fid)
				out->fid[out->n] = OGR_F_GetFID(f);
			out->xy[2 * out->n] = x;
			out->xy[2 * out->n + 1] = y;
			out->n++;
		} else {
			out->no_geom++;
		}
		OGR_F_Destroy(f);
		tp_gdal_reset();
	}
	/* a read error ends the loop as the last feature does */
	if (CPLGetLastErrorType() >= CE_Failure) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: reading failed after %zu points: %s", path,
				  OGR_L_GetName(lyr), out->n + out->no_geom, tp_gdal_reason());
		goto fail;
	}
done:
	/* a table of zeros would say "no point in any polygon": say what is wrong */
	if (out->n == 0) {
		rc = out->no_geom == 0
			     ? tp_error_set(TP_EINPUT, "%s, layer %s: no rows", path, OGR_L_GetName(lyr))
		     : xcol >= 0
			     ? tp_error_set(TP_EINPUT,
					    "%s, layer %s: none of its %zu rows has a number in both "
					    "'%s' and '%s'",
					    path, OGR_L_GetName(lyr), out->no_geom, o->x, o->y)
			     : tp_error_set(TP_EINPUT,
					    "%s, layer %s: none of its %zu rows has a point geometry; "
					    "for a table with coordinate columns give --x COLUMN --y "
					    "COLUMN (and --s_srs CRS)",
					    path, OGR_L_GetName(lyr), out->no_geom);
		goto fail;
	}
	tp_source_close(&src);
	return TP_OK;
fail:
	tp_source_close(&src);
	tp_points_dispose(out);
	return rc;
}

void tp_points_dispose(tp_points *p)
{
	tp_big_free(p->xy);
	tp_big_free(p->fid);
	memset(p, 0, sizeof(*p));
}

/* Adds an OGR ring; an empty one is left out. */
static int add_ogr_ring(tp_rings *r, OGRGeometryH ring, int shell)
{
	int n = OGR_G_GetPointCount(ring);
	double *dst;

	if (n <= 0)
		return TP_OK;
	if (!(dst = tp_rings_reserve(r, (size_t)n)))
		return TP_ERROR;
	OGR_G_GetPoints(ring, dst, 2 * sizeof(double), dst + 1, 2 * sizeof(double), NULL, 0);
	return tp_rings_add_ring(r, (size_t)n, shell);
}

/* Adds the rings of one OGR Polygon; a part with an empty exterior ring is
 * left out. */
static int add_ogr_polygon(tp_rings *r, OGRGeometryH poly)
{
	int i, n = OGR_G_GetGeometryCount(poly), rc = TP_OK;

	if (n < 1 || OGR_G_GetPointCount(OGR_G_GetGeometryRef(poly, 0)) <= 0)
		return TP_OK;
	for (i = 0; i < n && !rc; i++)
		rc = add_ogr_ring(r, OGR_G_GetGeometryRef(poly, i), i == 0);
	return rc;
}

/* Adds the rings of an OGR Polygon or MultiPolygon (curved ones made
 * linear) to the polygon being built; *why gets the reason when the
 * geometry cannot be one. */
static int add_ogr_geometry(tp_rings *r, OGRGeometryH geom, const char **why)
{
	OGRwkbGeometryType type;
	int i, n, rc = TP_OK;

	if (!geom) {
		*why = "no geometry";
		return TP_OK;
	}
	type = wkbFlatten(OGR_G_GetGeometryType(geom));
	if (type == wkbCurvePolygon || type == wkbMultiSurface) {
		OGRGeometryH lin = OGR_G_GetLinearGeometry(geom, 0, NULL);
		if (!lin)
			return tp_error_set(TP_ERROR, "cannot make a curved polygon linear");
		rc = add_ogr_geometry(r, lin, why);
		OGR_G_DestroyGeometry(lin);
		return rc;
	}
	if (type != wkbPolygon && type != wkbMultiPolygon) {
		*why = "geometry is not a polygon";
		return TP_OK;
	}
	if (OGR_G_IsEmpty(geom)) {
		*why = "geometry is empty";
		return TP_OK;
	}
	if (type == wkbPolygon)
		return add_ogr_polygon(r, geom);
	n = OGR_G_GetGeometryCount(geom);
	for (i = 0; i < n && !rc; i++)
		rc = add_ogr_polygon(r, OGR_G_GetGeometryRef(geom, i));
	return rc;
}

/* Reads every feature's rings, key and value (vf >= 0); stops at the first
 * unusable row. */
static int read_rings(tp_ringset *out, OGRLayerH lyr, const char *path, int kf, int vf)
{
	OGRFeatureH f;
	size_t cap = 0, row = 0;
	GIntBig hint = OGR_L_GetFeatureCount(lyr, 0);
	int rc = TP_OK;

	if (hint > 0) {
		cap = (size_t)hint;
		if (!(out->key = malloc(cap * sizeof(*out->key))) ||
		    (vf >= 0 && !(out->value = malloc(cap * sizeof(*out->value)))))
			return tp_error_set(TP_ERROR, "out of memory");
	}
	OGR_L_ResetReading(lyr);
	tp_gdal_reset();
	while (rc == TP_OK && (f = OGR_L_GetNextFeature(lyr)) != NULL) {
		const char *why = NULL;
		char fid[32];

		row++;
		if (out->r.n >= cap) {
			size_t nc = tp_array_next(cap, 1024);
			if (tp_array_resize(&out->key, nc, sizeof(*out->key)) ||
			    (vf >= 0 && tp_array_resize(&out->value, nc, sizeof(*out->value)))) {
				OGR_F_Destroy(f);
				return TP_ERROR;
			}
			cap = nc;
		}
		snprintf(fid, sizeof(fid), "%lld", (long long)OGR_F_GetFID(f));
		rc = add_ogr_geometry(&out->r, OGR_F_GetGeometryRef(f), &why);
		if (!rc && why)
			rc = tp_error_set(TP_EINPUT, "%s, layer %s, row %zu: %s", path, OGR_L_GetName(lyr),
					  row, why);
		if (!rc && !(out->key[out->r.n] = strdup(kf >= 0 ? OGR_F_GetFieldAsString(f, kf) : fid)))
			rc = tp_error_set(TP_ERROR, "out of memory");
		if (!rc && vf >= 0)
			out->value[out->r.n] = OGR_F_GetFieldAsDouble(f, vf);
		if (!rc && (rc = tp_rings_end_polygon(&out->r)) != 0)
			free(out->key[out->r.n]);
		OGR_F_Destroy(f);
		if (!rc)
			tp_gdal_reset();
	}
	/* a read error ends the loop as the last feature does */
	if (!rc && CPLGetLastErrorType() >= CE_Failure)
		rc = tp_error_set(TP_EINPUT, "%s, layer %s, after row %zu: %s", path,
				  OGR_L_GetName(lyr), row, tp_gdal_reason());
	return rc;
}

#define CHECK_CHUNK 64

/* A repaired polygon, waiting to be put in place. */
typedef struct {
	size_t at;       /* position of the polygon it replaces */
	tp_rings r;      /* the repaired polygon alone */
} repair;

struct tp_ringcheck {
	const tp_ringset *s;      /* the polygons as read */
	size_t next;              /* first polygon no thread has taken (atomic) */
	pthread_mutex_t lock;     /* guards what follows */
	size_t bad;               /* first polygon beyond repair, or (size_t)-1 */
	const char *why;          /* its reason */
	repair *fix;              /* repaired polygons, in no order */
	size_t nfix, capfix;      /* used, allocated */
	tp_error_state err;       /* the first thread's failure (not a polygon's) */
};

int tp_ringcheck_new(tp_ringcheck **out, const tp_ringset *s)
{
	tp_ringcheck *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return tp_error_set(TP_ERROR, "out of memory");
	c->s = s;
	c->bad = (size_t)-1;
	pthread_mutex_init(&c->lock, NULL);
	*out = c;
	return TP_OK;
}

/* Records polygon i as beyond repair (the lowest such wins) or as repaired. */
static void check_result(tp_ringcheck *c, tp_geo *g, size_t i, const char *why,
			 const GEOSGeometry *ok)
{
	pthread_mutex_lock(&c->lock);
	if (!ok) {
		if (i < c->bad) {
			c->bad = i;
			c->why = why;
		}
	} else if (c->nfix == c->capfix) {
		tp_error_save(&c->err, tp_array_room(&c->fix, &c->capfix, c->nfix, sizeof(*c->fix), 16));
	}
	if (ok && !c->err.code) {
		repair *f = &c->fix[c->nfix];
		int rc;
		memset(f, 0, sizeof(*f));
		f->at = i;
		rc = tp_rings_add_geos(&f->r, g, ok);
		if (rc == 0)
			c->nfix++;
		else
			tp_error_save(&c->err, rc);
	}
	pthread_mutex_unlock(&c->lock);
}

void tp_ringcheck_work(tp_ringcheck *c)
{
	const tp_rings *r = &c->s->r;
	tp_geo *g = NULL;
	size_t from, i;
	int rc;

	rc = tp_geo_new(&g);
	if (rc) {
		pthread_mutex_lock(&c->lock);
		tp_error_save(&c->err, rc);
		pthread_mutex_unlock(&c->lock);
		return;
	}
	while ((from = __atomic_fetch_add(&c->next, CHECK_CHUNK, __ATOMIC_RELAXED)) < r->n) {
		size_t to = from + CHECK_CHUNK < r->n ? from + CHECK_CHUNK : r->n;
		for (i = from; i < to; i++) {
			GEOSGeometry *geom = tp_rings_geos(r, g, i), *ok;
			const char *why = NULL;
			int repaired = 0;

			if (!geom) {
				check_result(c, g, i, "a ring is not closed or has fewer than 4 points",
					     NULL);
				continue;
			}
			if (tp_geo_is_valid(g, geom) == 1) {
				tp_geo_destroy(g, geom);
				continue;
			}
			ok = tp_geo_valid_multipolygon(g, geom, &repaired, &why);
			tp_geo_destroy(g, geom);
			check_result(c, g, i, why, ok);
			tp_geo_destroy(g, ok);
		}
	}
	tp_geo_free(g);
}

static int by_position(const void *a, const void *b)
{
	const repair *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

int tp_ringcheck_finish(tp_ringcheck *c, tp_ringset *s)
{
	tp_rings merged = {0};
	size_t i, j = 0;
	int rc = TP_OK;

	if (c->err.code)
		return tp_error_restore(&c->err);
	if (c->bad != (size_t)-1)
		return tp_error_set(TP_EINPUT, "%s, layer %s, row %zu: %s", s->path, s->layer,
				    c->bad + 1, c->why);
	s->repaired = c->nfix;
	if (!c->nfix)
		return TP_OK;
	/* rare: the rings rebuilt with each repaired polygon in its place */
	qsort(c->fix, c->nfix, sizeof(*c->fix), by_position);
	for (i = 0; i < s->r.n && !rc; i++) {
		if (j < c->nfix && c->fix[j].at == i)
			rc = tp_rings_add_copy(&merged, &c->fix[j++].r, 0);
		else
			rc = tp_rings_add_copy(&merged, &s->r, i);
	}
	if (rc) {
		tp_rings_dispose(&merged);
		return rc;
	}
	tp_rings_dispose(&s->r);
	s->r = merged;
	return TP_OK;
}

void tp_ringcheck_free(tp_ringcheck *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nfix; i++)
		tp_rings_dispose(&c->fix[i].r);
	free(c->fix);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void *check_worker(void *arg)
{
	tp_ringcheck_work(*(tp_ringcheck **)arg);
	return NULL;
}

int tp_ringset_load(tp_ringset *out, const char *path, const char *layer,
		    const char *key_field, const char *value_field)
{
	tp_source src = {0};
	OGRLayerH lyr = NULL;
	OGRFeatureDefnH defn;
	char **ignored = NULL;
	int kf = -1, vf = -1, rc, i;

	memset(out, 0, sizeof(*out));
	rc = open_layer(&src, &lyr, path, layer);
	if (rc)
		return rc;
	snprintf(out->path, sizeof(out->path), "%s", path);
	snprintf(out->layer, sizeof(out->layer), "%s", OGR_L_GetName(lyr));
	layer_crs(lyr, out->crs, sizeof(out->crs));
	defn = OGR_L_GetLayerDefn(lyr);
	if (key_field && (kf = OGR_FD_GetFieldIndex(defn, key_field)) < 0) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: no column '%s'", path, OGR_L_GetName(lyr),
				  key_field);
		goto done;
	}
	if (value_field && (vf = OGR_FD_GetFieldIndex(defn, value_field)) < 0) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: no column '%s'", path, OGR_L_GetName(lyr),
				  value_field);
		goto done;
	}
	/* only the key and value are read: the other fields would be parsed for
	 * nothing */
	for (i = 0; i < OGR_FD_GetFieldCount(defn); i++)
		if (i != kf && i != vf)
			ignored = CSLAddString(ignored,
					       OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
	OGR_L_SetIgnoredFields(lyr, (const char **)ignored);
	CSLDestroy(ignored);
	rc = read_rings(out, lyr, path, kf, vf);
done:
	tp_source_close(&src);
	if (rc)
		tp_ringset_dispose(out);
	return rc;
}

int tp_ringset_read(tp_ringset *out, const char *path, const char *layer,
		    const char *key_field, const char *value_field, int threads)
{
	tp_ringcheck *c = NULL, *cs[16];
	int rc, t;

	if (threads < 1)
		threads = 1;
	if (threads > 16)
		threads = 16;
	rc = tp_ringset_load(out, path, layer, key_field, value_field);
	if (!rc)
		rc = tp_ringcheck_new(&c, out);
	if (!rc) {
		for (t = 0; t < threads; t++)
			cs[t] = c;
		tp_parallel(check_worker, cs, sizeof(*cs), threads);
		rc = tp_ringcheck_finish(c, out);
	}
	tp_ringcheck_free(c);
	if (rc)
		tp_ringset_dispose(out);
	return rc;
}

void tp_ringset_dispose(tp_ringset *s)
{
	size_t i;

	if (s->key)
		for (i = 0; i < s->r.n; i++)
			free(s->key[i]);
	free(s->key);
	free(s->value);
	tp_rings_dispose(&s->r);
	memset(s, 0, sizeof(*s));
}

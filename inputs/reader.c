/*
 * reader.c: OGR input reading, field mapping and per-record parsing.
 *
 * Any format OGR reads works: the CSV driver keeps every column as text
 * and detects ',' or ';' itself.  A record's original values are kept as a
 * JSON object of the source columns, so a reject can be traced back to
 * what the person typed.
 */
#include "inputs/reader.h"
#include "geo/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_string.h>

struct tp_reader {
	const tp_input_def *def;      /* what is read */
	const tp_input_cfg *cfg;      /* where from */
	GDALDatasetH ds;              /* the open source */
	OGRLayerH layer;              /* the layer read */
	char layer_name[256];         /* its name */
	int col[TP_MAX_FIELDS];       /* source column per field, -1 when absent */
	int xcol, ycol;               /* X/Y columns, -1 when geometry is used */
	char crs[4096];               /* source CRS as PROJ reads it */
	long row;                     /* rows read so far */
};

/* A growable string for building JSON. */
typedef struct {
	char *s;     /* text, NUL-terminated */
	size_t len;  /* bytes used */
	size_t cap;  /* bytes allocated */
} sbuf;

static int sb_put(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p)
			return -1;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static int sb_str(sbuf *b, const char *s)
{
	return sb_put(b, s, strlen(s));
}

/* Appends s as a JSON string literal. */
static int sb_json(sbuf *b, const char *s)
{
	char esc[8];
	int rc = sb_put(b, "\"", 1);

	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			rc = sb_put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			rc = sb_put(b, esc, 6);
		} else {
			rc = sb_put(b, (const char *)&c, 1);
		}
	}
	return rc ? rc : sb_put(b, "\"", 1);
}

/* Lists the layer's column names into buf, for error messages. */
static void column_list(OGRFeatureDefnH fd, char *buf, size_t len)
{
	int i, n = OGR_FD_GetFieldCount(fd);
	size_t used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used + 1 < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Fills r->crs from the layer, or from the config when the layer has none. */
static int find_crs(tp_reader *r, const char *section)
{
	OGRSpatialReferenceH srs = NULL;
	const char *path = r->cfg->path;

	if (r->xcol < 0)
		srs = OGR_L_GetSpatialRef(r->layer);
	if (srs) {
		const char *auth, *code;
		OGRSpatialReferenceH copy = OSRClone(srs);
		if (copy && OSRAutoIdentifyEPSG(copy) == OGRERR_NONE &&
		    (auth = OSRGetAuthorityName(copy, NULL)) != NULL &&
		    (code = OSRGetAuthorityCode(copy, NULL)) != NULL) {
			snprintf(r->crs, sizeof(r->crs), "%s:%s", auth, code);
		} else {
			char *wkt = NULL;
			const char *opts[] = {"FORMAT=WKT2_2019", NULL};
			if (OSRExportToWktEx(srs, &wkt, opts) == OGRERR_NONE && wkt)
				snprintf(r->crs, sizeof(r->crs), "%s", wkt);
			CPLFree(wkt);
		}
		if (copy)
			OSRDestroySpatialReference(copy);
		if (r->crs[0])
			return TP_OK;
	}
	if (!r->cfg->crs || !r->cfg->crs[0])
		return tp_error_set(TP_EINPUT,
				    "%s, layer %s: the source declares no CRS; add "
				    "'crs = EPSG:31370' (or the right code) to section [%s]",
				    path, r->layer_name, section);
	snprintf(r->crs, sizeof(r->crs), "%s", r->cfg->crs);
	return TP_OK;
}

int tp_reader_open(tp_reader **out, const tp_input_cfg *cfg, tp_input_kind kind)
{
	tp_reader *r = NULL;
	OGRFeatureDefnH fd;
	struct stat st;
	char cols[2048];
	size_t i;
	int rc = TP_OK;

	*out = NULL;
	GDALAllRegister();
	r = calloc(1, sizeof(*r));
	if (!r)
		return tp_error_set(TP_ERROR, "out of memory");
	r->def = tp_input_def_get(kind);
	r->cfg = cfg;
	r->xcol = r->ycol = -1;
	if (!cfg->path || !cfg->path[0]) {
		rc = tp_error_set(TP_ECONFIG, "section [%s] has no 'path'", r->def->name);
		goto fail;
	}
	if (stat(cfg->path, &st) != 0) {
		rc = tp_error_set(TP_EINPUT, "%s: file not found (input '%s')", cfg->path,
				  r->def->name);
		goto fail;
	}
	r->ds = GDALOpenEx(cfg->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	if (!r->ds) {
		rc = tp_error_set(TP_EINPUT, "%s: not a vector file OGR can read (input '%s'): %s",
				  cfg->path, r->def->name, CPLGetLastErrorMsg());
		goto fail;
	}
	if (cfg->layer && cfg->layer[0]) {
		r->layer = GDALDatasetGetLayerByName(r->ds, cfg->layer);
		if (!r->layer) {
			int n = GDALDatasetGetLayerCount(r->ds), k;
			size_t used = 0;
			cols[0] = '\0';
			for (k = 0; k < n && used + 1 < sizeof(cols); k++) {
				int w = snprintf(cols + used, sizeof(cols) - used, "%s%s", k ? ", " : "",
						 OGR_L_GetName(GDALDatasetGetLayer(r->ds, k)));
				used += w > 0 ? (size_t)w : 0;
			}
			rc = tp_error_set(TP_EINPUT, "%s: no layer '%s' (layers: %s)", cfg->path,
					  cfg->layer, cols);
			goto fail;
		}
	} else {
		r->layer = GDALDatasetGetLayer(r->ds, 0);
		if (!r->layer) {
			rc = tp_error_set(TP_EINPUT, "%s: no layer at all", cfg->path);
			goto fail;
		}
	}
	snprintf(r->layer_name, sizeof(r->layer_name), "%s", OGR_L_GetName(r->layer));
	fd = OGR_L_GetLayerDefn(r->layer);
	column_list(fd, cols, sizeof(cols));
	for (i = 0; i < r->def->nfields; i++) {
		const tp_field_def *f = &r->def->fields[i];
		const char *col = cfg->map[i] ? cfg->map[i] : f->name;
		r->col[i] = OGR_FD_GetFieldIndex(fd, col);
		if (r->col[i] < 0 && (f->need != TP_NEED_OPTIONAL || cfg->map[i])) {
			rc = tp_error_set(TP_EINPUT,
					  "%s, layer %s: no column '%s' for field '%s' (columns: %s); "
					  "name the column in section [%s] as '%s = COLUMN'",
					  cfg->path, r->layer_name, col, f->name, cols, r->def->name,
					  f->name);
			goto fail;
		}
	}
	if (r->def->points && (cfg->x || cfg->y)) {
		if (!cfg->x || !cfg->y) {
			rc = tp_error_set(TP_ECONFIG, "section [%s]: give both 'x' and 'y' columns",
					  r->def->name);
			goto fail;
		}
		r->xcol = OGR_FD_GetFieldIndex(fd, cfg->x);
		r->ycol = OGR_FD_GetFieldIndex(fd, cfg->y);
		if (r->xcol < 0 || r->ycol < 0) {
			rc = tp_error_set(TP_EINPUT,
					  "%s, layer %s: no column '%s' for field '%s' (columns: %s)",
					  cfg->path, r->layer_name, r->xcol < 0 ? cfg->x : cfg->y,
					  r->xcol < 0 ? "x" : "y", cols);
			goto fail;
		}
	} else if (OGR_L_GetGeomType(r->layer) == wkbNone) {
		rc = tp_error_set(TP_EINPUT,
				  "%s, layer %s: no geometry column%s",
				  cfg->path, r->layer_name,
				  r->def->points ? "; name the coordinate columns with 'x = ' and 'y = '"
						 : "");
		goto fail;
	}
	rc = find_crs(r, r->def->name);
	if (rc)
		goto fail;
	if (OGR_L_GetFeatureCount(r->layer, 1) == 0) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: the layer is empty", cfg->path,
				  r->layer_name);
		goto fail;
	}
	OGR_L_ResetReading(r->layer);
	*out = r;
	return TP_OK;
fail:
	tp_reader_free(r);
	return rc;
}

void tp_reader_free(tp_reader *r)
{
	if (!r)
		return;
	if (r->ds)
		GDALClose(r->ds);
	free(r);
}

const char *tp_reader_crs(const tp_reader *r)
{
	return r->crs;
}

const char *tp_reader_layer(const tp_reader *r)
{
	return r->layer_name;
}

void tp_record_dispose(tp_record *rec)
{
	size_t i;

	for (i = 0; i < TP_MAX_FIELDS; i++)
		free(rec->values[i]);
	free(rec->wkb);
	free(rec->original);
	memset(rec, 0, sizeof(*rec));
}

/* The feature's source values as a JSON object. */
static char *original_json(OGRFeatureH f, OGRFeatureDefnH fd)
{
	sbuf b = {0};
	int i, n = OGR_FD_GetFieldCount(fd), rc;
	OGRGeometryH geom = OGR_F_GetGeometryRef(f);

	rc = sb_str(&b, "{");
	for (i = 0; i < n && rc == 0; i++) {
		if (i)
			rc |= sb_str(&b, ",");
		rc |= sb_json(&b, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)));
		rc |= sb_str(&b, ":");
		if (OGR_F_IsFieldSetAndNotNull(f, i))
			rc |= sb_json(&b, OGR_F_GetFieldAsString(f, i));
		else
			rc |= sb_str(&b, "null");
	}
	if (geom && rc == 0) {
		OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(geom));
		rc |= sb_str(&b, n ? ",\"geometry\":" : "\"geometry\":");
		if (t == wkbPoint) {
			char *wkt = NULL;
			if (OGR_G_ExportToWkt(geom, &wkt) == OGRERR_NONE && wkt)
				rc |= sb_json(&b, wkt);
			else
				rc |= sb_str(&b, "null");
			CPLFree(wkt);
		} else {
			rc |= sb_json(&b, OGRGeometryTypeToName(t));
		}
	}
	rc |= sb_str(&b, "}");
	if (rc) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static void reject(tp_record *rec, const char *field, const char *fmt, const char *a)
{
	if (rec->reason[0])
		return; /* the first problem found is the one reported */
	rec->field = field;
	snprintf(rec->reason, sizeof(rec->reason), fmt, a);
}

/* 2D WKB of a point, little-endian. */
static unsigned char *point_wkb(double x, double y, size_t *len)
{
	unsigned char *w = malloc(21);
	uint32_t type = 1;

	if (!w)
		return NULL;
	w[0] = 1;
	memcpy(w + 1, &type, 4);
	memcpy(w + 5, &x, 8);
	memcpy(w + 13, &y, 8);
	*len = 21;
	return w;
}

/* Reads the record's geometry: X/Y columns or the feature's geometry. */
static void read_geometry(tp_reader *r, OGRFeatureH f, tp_record *rec)
{
	OGRGeometryH geom = NULL, owned = NULL;
	OGRwkbGeometryType t;
	char why[256];

	if (r->xcol >= 0) {
		const char *xs = OGR_F_IsFieldSetAndNotNull(f, r->xcol)
					 ? OGR_F_GetFieldAsString(f, r->xcol) : "";
		const char *ys = OGR_F_IsFieldSetAndNotNull(f, r->ycol)
					 ? OGR_F_GetFieldAsString(f, r->ycol) : "";
		double x, y;
		if (!*xs && !*ys) {
			reject(rec, "geometry", "%sno coordinates (x and y are empty)", "");
			return;
		}
		if (tp_parse_double(xs, &x)) {
			snprintf(why, sizeof(why), "x is not a number: '%s'", xs);
			reject(rec, "x", "%s", why);
			return;
		}
		if (tp_parse_double(ys, &y)) {
			snprintf(why, sizeof(why), "y is not a number: '%s'", ys);
			reject(rec, "y", "%s", why);
			return;
		}
		rec->wkb = point_wkb(x, y, &rec->wkb_len);
		return;
	}
	geom = OGR_F_GetGeometryRef(f);
	if (!geom || OGR_G_IsEmpty(geom)) {
		reject(rec, "geometry", "%sno geometry", "");
		return;
	}
	t = wkbFlatten(OGR_G_GetGeometryType(geom));
	if (r->def->points) {
		if (t == wkbMultiPoint && OGR_G_GetGeometryCount(geom) == 1)
			geom = OGR_G_GetGeometryRef(geom, 0);
		else if (t != wkbPoint) {
			reject(rec, "geometry", "geometry is a %s, expected a point",
			       OGRGeometryTypeToName(t));
			return;
		}
	} else if (t != wkbPolygon && t != wkbMultiPolygon) {
		if (t == wkbCurvePolygon || t == wkbMultiSurface) {
			owned = OGR_G_ForceToMultiPolygon(OGR_G_Clone(geom));
			geom = owned;
		} else {
			reject(rec, "geometry", "geometry is a %s, expected a polygon",
			       OGRGeometryTypeToName(t));
			return;
		}
	}
	if (OGR_G_CoordinateDimension(geom) != 2 || OGR_G_IsMeasured(geom)) {
		if (!owned)
			geom = owned = OGR_G_Clone(geom);
		OGR_G_FlattenTo2D(geom);
		OGR_G_SetMeasured(geom, 0);
	}
	rec->wkb_len = (size_t)OGR_G_WkbSize(geom);
	rec->wkb = malloc(rec->wkb_len ? rec->wkb_len : 1);
	if (rec->wkb && OGR_G_ExportToIsoWkb(geom, wkbNDR, rec->wkb) != OGRERR_NONE) {
		free(rec->wkb);
		rec->wkb = NULL;
		reject(rec, "geometry", "%sgeometry cannot be written as WKB", "");
	}
	if (owned)
		OGR_G_DestroyGeometry(owned);
}

int tp_reader_next(tp_reader *r, tp_record *rec)
{
	OGRFeatureH f = NULL;
	OGRFeatureDefnH fd = OGR_L_GetLayerDefn(r->layer);
	char val[1024], why[512];
	size_t i;

	tp_record_dispose(rec);
	CPLErrorReset();
	f = OGR_L_GetNextFeature(r->layer);
	if (!f) {
		if (CPLGetLastErrorType() >= CE_Failure)
			return tp_error_set(TP_EINPUT, "%s, layer %s, after row %ld: %s",
					    r->cfg->path, r->layer_name, r->row,
					    CPLGetLastErrorMsg());
		return 0;
	}
	rec->row = ++r->row;
	rec->original = original_json(f, fd);
	if (!rec->original) {
		OGR_F_Destroy(f);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	for (i = 0; i < r->def->nfields; i++) {
		const tp_field_def *fdef = &r->def->fields[i];
		const char *raw = NULL;
		int p;

		if (r->col[i] >= 0 && OGR_F_IsFieldSetAndNotNull(f, r->col[i]))
			raw = OGR_F_GetFieldAsString(f, r->col[i]);
		p = tp_field_parse(fdef, raw, val, sizeof(val), why, sizeof(why));
		if (p < 0)
			reject(rec, fdef->name, "%s", why);
		else if (p > 0 && !(rec->values[i] = strdup(val))) {
			OGR_F_Destroy(f);
			return tp_error_set(TP_ERROR, "out of memory");
		}
	}
	read_geometry(r, f, rec);
	OGR_F_Destroy(f);
	return 1;
}

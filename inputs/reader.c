/*
 * reader.c: OGR input reading, field mapping and per-record parsing.
 *
 * Any format OGR reads works (source.c opens it: encodings, separators,
 * spreadsheet headers).  A record's original values are kept as a JSON
 * object of the source columns, so a reject can be traced back to what the
 * person typed.  Columns are found by the config's mapping, else by the
 * field's own name, else by the French and Dutch headers fields.c knows.
 * Point records without coordinates are geocoded when an address reference
 * is configured; a record that repeats an earlier accepted record's id or
 * address is refused as a duplicate of that row.
 */
#include "inputs/reader.h"
#include "inputs/dupes.h"
#include "geo/json.h"
#include "geo/array.h"
#include "inputs/geocode.h"
#include "inputs/source.h"
#include "inputs/text.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/geo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest coordinate read from x/y columns, in any CRS (README, "Numbers within reason"). */
#define COORD_MAX 1e8
#include <strings.h>
#include <sys/stat.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_string.h>

struct tp_reader {
	const tp_input_def *def;      /* what is read */
	const tp_input_cfg *cfg;      /* where from */
	tp_source src;                /* the open source */
	OGRLayerH layer;              /* the layer read */
	char layer_name[256];         /* its name */
	int col[TP_MAX_FIELDS];       /* source column per field, -1 when absent */
	int xcol, ycol;               /* X/Y columns, -1 when geometry is used */
	int address_only;             /* 1: no coordinates at all, every record geocoded */
	char crs[4096];               /* source CRS as PROJ reads it */
	long row;                     /* row of the last feature read (as the user sees it) */
	long ordinal;                 /* features read so far */
	tp_geocoder *gc;              /* address reference, or NULL */
	tp_dupes *dupes;              /* accepted records' ids and addresses (point inputs) */
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

/* tp_json_put onto an sbuf. */
static int sb_put_json(void *ctx, const char *s, size_t n)
{
	return sb_put(ctx, s, n);
}

/* Appends s as a JSON string literal. */
static int sb_json(sbuf *b, const char *s)
{
	return tp_json_string(s, sb_put_json, b);
}

/* The name of column c: the header row's cell (spreadsheets, source.h),
 * else the layer's field name. */
static const char *colname(const tp_reader *r, OGRFeatureDefnH fd, int c)
{
	if (r->src.names && c < CSLCount(r->src.names))
		return r->src.names[c];
	return OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, c));
}

/* Lists the layer's column names into buf, for error messages. */
static void column_list(const tp_reader *r, OGRFeatureDefnH fd, char *buf, size_t len)
{
	int i, n = OGR_FD_GetFieldCount(fd);
	size_t used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used + 1 < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", colname(r, fd, i));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* Fills r->crs from the layer, or from the config when the layer has none. */
static int find_crs(tp_reader *r, const char *section)
{
	const char *path = r->cfg->path;

	/* nothing placed by coordinates: a table, or a register without them */
	if (r->def->table || (r->address_only && !r->gc)) {
		snprintf(r->crs, sizeof(r->crs), "%s",
			 r->cfg->crs && r->cfg->crs[0] ? r->cfg->crs : "EPSG:31370");
		return TP_OK;
	}
	if (r->xcol < 0 && !r->address_only &&
	    tp_source_layer_crs(r->layer, r->crs, sizeof(r->crs)))
		return TP_OK;
	if (r->address_only) {
		snprintf(r->crs, sizeof(r->crs), "%s", tp_geocoder_crs(r->gc));
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

/* The column named name: OGR's own (case-insensitive) match, else the
 * first whose folded header equals name folded; -1 when none. */
static int find_column(const tp_reader *r, OGRFeatureDefnH fd, const char *name)
{
	char want[256], have[256];
	int i = r->src.names ? -1 : OGR_FD_GetFieldIndex(fd, name), n = OGR_FD_GetFieldCount(fd);

	if (i >= 0)
		return i;
	for (i = 0; i < n && r->src.names; i++)
		if (!strcasecmp(colname(r, fd, i), name))
			return i;
	tp_text_fold(name, want, sizeof(want), 0);
	for (i = 0; i < n && want[0]; i++) {
		tp_text_fold(colname(r, fd, i), have, sizeof(have), 0);
		if (!strcmp(want, have))
			return i;
	}
	return -1;
}

/* 1 when column c is already taken by a field, the x or the y column. */
static int column_taken(const tp_reader *r, size_t nfields, int c)
{
	size_t i;

	for (i = 0; i < nfields; i++)
		if (r->col[i] == c)
			return 1;
	return c == r->xcol || c == r->ycol;
}

/* Appends ", name" (or "name") to the list in buf. */
static void list_add(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
}

/* Finds each field's column: config mapping, own name, then known headers.
 * A field mapped to "" is not in this file.  Every missing column is named
 * in one message. */
static int map_columns(tp_reader *r, OGRFeatureDefnH fd, const char *cols)
{
	const tp_input_cfg *cfg = r->cfg;
	char missing[1024] = "", fields[512] = "", unmapped[512] = "";
	size_t i;
	int c, n = OGR_FD_GetFieldCount(fd);

	for (i = 0; i < r->def->nfields; i++)
		r->col[i] = -1;
	/* explicit mappings first: they always win */
	for (i = 0; i < r->def->nfields; i++) {
		char item[320];
		if (!cfg->map[i] || cfg->absent[i])
			continue;
		if (!cfg->map[i][0]) {
			if (r->def->fields[i].need != TP_NEED_OPTIONAL)
				list_add(unmapped, sizeof(unmapped), r->def->fields[i].name);
			continue;
		}
		r->col[i] = find_column(r, fd, cfg->map[i]);
		if (r->col[i] < 0) {
			snprintf(item, sizeof(item), "'%s' for field '%s'", cfg->map[i],
				 r->def->fields[i].name);
			list_add(missing, sizeof(missing), item);
			list_add(fields, sizeof(fields), r->def->fields[i].name);
		}
	}
	for (i = 0; i < r->def->nfields; i++) {
		if (cfg->map[i] || cfg->absent[i])
			continue;
		c = find_column(r, fd, r->def->fields[i].name);
		if (c >= 0 && !column_taken(r, r->def->nfields, c))
			r->col[i] = c;
	}
	for (i = 0; i < r->def->nfields; i++) {
		const tp_field_def *f = &r->def->fields[i];
		char item[320];
		if (r->col[i] >= 0 || cfg->map[i] || cfg->absent[i])
			continue;
		for (c = 0; c < n; c++)
			if (!column_taken(r, r->def->nfields, c) &&
			    tp_field_header_matches(f, colname(r, fd, c))) {
				r->col[i] = c;
				break;
			}
		if (r->col[i] < 0 && f->need != TP_NEED_OPTIONAL) {
			snprintf(item, sizeof(item), "'%s' for field '%s'", f->name, f->name);
			list_add(missing, sizeof(missing), item);
			list_add(fields, sizeof(fields), f->name);
		}
	}
	if (unmapped[0])
		return tp_error_set(TP_ECONFIG,
				    "section [%s]: %s cannot be left without a column (%s =): "
				    "%s needed", r->def->name, unmapped,
				    strchr(unmapped, ',') ? "..." : unmapped,
				    strchr(unmapped, ',') ? "they are" : "it is");
	if (missing[0])
		return tp_error_set(TP_EINPUT,
				    "%s, layer %s: no column %s (columns: %s); "
				    "name %s in section [%s] as 'FIELD = COLUMN'",
				    cfg->path, r->layer_name, missing, cols,
				    strchr(fields, ',') ? "the columns" : "the column", r->def->name);
	return TP_OK;
}

/* How many cells of a row name a column the input reads (source.h): the
 * header row is the row that scores best. */
static int header_score(void *ctx, const char *const *cells, int ncells)
{
	const tp_reader *r = ctx;
	const tp_input_cfg *cfg = r->cfg;
	char h[256], want[256];
	int c, score = 0;
	size_t i;

	for (c = 0; c < ncells; c++) {
		int hit = 0;
		tp_text_fold(cells[c], h, sizeof(h), 0);
		if (!h[0])
			continue;
		for (i = 0; i < r->def->nfields && !hit; i++) {
			if (cfg->map[i]) {
				tp_text_fold(cfg->map[i], want, sizeof(want), 0);
				hit = want[0] && !strcmp(want, h);
			} else {
				hit = tp_field_header_matches(&r->def->fields[i], cells[c]);
			}
		}
		if (!hit && cfg->x && cfg->y) {
			char wx[256], wy[256];
			tp_text_fold(cfg->x, wx, sizeof(wx), 0);
			tp_text_fold(cfg->y, wy, sizeof(wy), 0);
			hit = !strcmp(wx, h) || !strcmp(wy, h);
		}
		score += hit;
	}
	return score;
}

int tp_reader_open(tp_reader **out, const tp_input_cfg *cfg, tp_input_kind kind)
{
	return tp_reader_open_def(out, cfg, tp_input_def_get(kind));
}

int tp_reader_open_def(tp_reader **out, const tp_input_cfg *cfg, const tp_input_def *def)
{
	tp_reader *r = NULL;
	OGRFeatureDefnH fd;
	OGRFeatureH first;
	char cols[2048];
	int rc = TP_OK;

	*out = NULL;
	GDALAllRegister();
	r = calloc(1, sizeof(*r));
	if (!r)
		return tp_error_set(TP_ERROR, "out of memory");
	r->def = def;
	r->cfg = cfg;
	r->xcol = r->ycol = -1;
	rc = tp_dupes_new(&r->dupes);
	if (rc)
		goto fail;
	if (!cfg->path || !cfg->path[0]) {
		rc = tp_error_set(TP_ECONFIG, "section [%s] has no 'path'", r->def->name);
		goto fail;
	}
	rc = tp_source_open_table(&r->src, cfg->path, r->def->name, cfg->header_row, header_score,
				  r);
	if (rc)
		goto fail;
	if (cfg->layer && cfg->layer[0]) {
		r->layer = GDALDatasetGetLayerByName(r->src.ds, cfg->layer);
		if (!r->layer) {
			int n = GDALDatasetGetLayerCount(r->src.ds), k;
			size_t used = 0;
			cols[0] = '\0';
			for (k = 0; k < n && used + 1 < sizeof(cols); k++) {
				int w = snprintf(cols + used, sizeof(cols) - used, "%s%s", k ? ", " : "",
						 OGR_L_GetName(GDALDatasetGetLayer(r->src.ds, k)));
				used += w > 0 ? (size_t)w : 0;
			}
			rc = tp_error_set(TP_EINPUT, "%s: no layer '%s' (layers: %s)", cfg->path,
					  cfg->layer, cols);
			goto fail;
		}
	} else {
		r->layer = GDALDatasetGetLayer(r->src.ds, 0);
		if (!r->layer) {
			rc = tp_error_set(TP_EINPUT, "%s: no layer at all", cfg->path);
			goto fail;
		}
	}
	snprintf(r->layer_name, sizeof(r->layer_name), "%s", OGR_L_GetName(r->layer));
	fd = OGR_L_GetLayerDefn(r->layer);
	column_list(r, fd, cols, sizeof(cols));
	if (r->def->points && (cfg->x || cfg->y)) {
		if (!cfg->x || !cfg->y) {
			rc = tp_error_set(TP_ECONFIG, "section [%s]: give both 'x' and 'y' columns",
					  r->def->name);
			goto fail;
		}
		r->xcol = find_column(r, fd, cfg->x);
		r->ycol = find_column(r, fd, cfg->y);
		if (r->xcol < 0 || r->ycol < 0) {
			rc = tp_error_set(TP_EINPUT,
					  "%s, layer %s: no column '%s' for field '%s' (columns: %s)",
					  cfg->path, r->layer_name, r->xcol < 0 ? cfg->x : cfg->y,
					  r->xcol < 0 ? "x" : "y", cols);
			goto fail;
		}
	} else if (OGR_L_GetGeomType(r->layer) == wkbNone && r->def->points &&
		   (cfg->addresses || r->def->place_optional)) {
		r->address_only = 1;
	} else if (OGR_L_GetGeomType(r->layer) == wkbNone && !r->def->table) {
		rc = tp_error_set(TP_EINPUT,
				  "%s, layer %s: no geometry column%s",
				  cfg->path, r->layer_name,
				  r->def->points ? "; name the coordinate columns with 'x = ' and 'y = '"
						 : "");
		goto fail;
	}
	rc = map_columns(r, fd, cols);
	if (rc)
		goto fail;
	if (r->def->points && cfg->addresses && r->address_only) {
		rc = tp_geocoder_open(&r->gc, cfg->addresses, NULL);
		if (rc)
			goto fail;
	}
	rc = find_crs(r, r->def->name);
	if (rc)
		goto fail;
	if (r->def->points && cfg->addresses && !r->address_only) {
		/* the reference's points, in the input's own CRS */
		rc = tp_geocoder_open(&r->gc, cfg->addresses, r->crs);
		if (rc)
			goto fail;
	}
	if (r->address_only && !r->def->place_optional &&
	    tp_input_def_field(r->def, "address") >= 0 &&
	    r->col[tp_input_def_field(r->def, "address")] < 0) {
		rc = tp_error_set(TP_EINPUT,
				  "%s, layer %s: neither coordinates nor an address column (columns: %s); "
				  "name the coordinate columns with 'x = ' and 'y = ' or the address "
				  "with 'address = '", cfg->path, r->layer_name, cols);
		goto fail;
	}
	/* empty when it has no first feature: a count would read a CSV whole
	 * (a tenth of loading a million rows) */
	OGR_L_ResetReading(r->layer);
	first = OGR_L_GetNextFeature(r->layer);
	if (!first) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: the layer is empty", cfg->path,
				  r->layer_name);
		goto fail;
	}
	OGR_F_Destroy(first);
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
	tp_source_close(&r->src);
	tp_geocoder_free(r->gc);
	tp_dupes_free(r->dupes);
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

	for (i = 0; i < TP_MAX_FIELDS; i++) {
		free(rec->values[i]);
		free(rec->refused[i]);
	}
	free(rec->wkb);
	free(rec->original);
	memset(rec, 0, sizeof(*rec));
}

/* Field i of f as text in UTF-8: dates as YYYY-MM-DD (spreadsheet date
 * cells), text that is not UTF-8 read as Windows-1252. */
static const char *cell_text(OGRFeatureH f, int i, char *buf, size_t len)
{
	OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, i));
	const char *s;

	if (t == OFTDate || t == OFTDateTime) {
		int y, m, d, hh, mm, tz;
		float ss;
		if (OGR_F_GetFieldAsDateTimeEx(f, i, &y, &m, &d, &hh, &mm, &ss, &tz))
			return tp_date_format(buf, len, (tp_date){y, m, d});
	}
	s = OGR_F_GetFieldAsString(f, i);
	if (!tp_text_is_utf8(s, strlen(s))) {
		char *u = tp_text_utf8(s);
		snprintf(buf, len, "%s", u ? u : "");
		free(u);
		return buf;
	}
	return s;
}

/* The feature's source values as a JSON object. */
static char *original_json(const tp_reader *r, OGRFeatureH f, OGRFeatureDefnH fd)
{
	sbuf b = {0};
	int i, n = OGR_FD_GetFieldCount(fd), rc;
	OGRGeometryH geom = OGR_F_GetGeometryRef(f);

	rc = sb_str(&b, "{");
	for (i = 0; i < n && rc == 0; i++) {
		if (i)
			rc |= sb_str(&b, ",");
		rc |= sb_json(&b, colname(r, fd, i));
		rc |= sb_str(&b, ":");
		if (OGR_F_IsFieldSetAndNotNull(f, i)) {
			char cell[1024];
			rc |= sb_json(&b, cell_text(f, i, cell, sizeof(cell)));
		}
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

/* Records why rec is refused.  The first field found is the reject's
 * field; the problems of other fields follow in the reason, each named. */
static void reject(tp_record *rec, const char *field, const char *fmt, const char *a)
{
	size_t used = strlen(rec->reason);
	char why[512];

	snprintf(why, sizeof(why), fmt, a);
	if (!used) {
		rec->field = field;
		snprintf(rec->reason, sizeof(rec->reason), "%s", why);
	} else if (used + 1 < sizeof(rec->reason)) {
		snprintf(rec->reason + used, sizeof(rec->reason) - used, "; %s: %.400s", field, why);
	}
}

/* rec's geometry becomes the 2D WKB of a point, little-endian. */
static int point_wkb(tp_record *rec, double x, double y)
{
	unsigned char *w = malloc(21);
	uint32_t type = 1;

	if (!w)
		return tp_error_set(TP_ERROR, "out of memory");
	w[0] = 1;
	memcpy(w + 1, &type, 4);
	memcpy(w + 5, &x, 8);
	memcpy(w + 13, &y, 8);
	rec->wkb = w;
	rec->wkb_len = 21;
	return TP_OK;
}

/* Reads the record's geometry: X/Y columns or the feature's geometry.
 * Returns 1 when the record has no coordinates at all (nothing rejected
 * yet: an address may place it), else 0; TP_ERROR when out of memory. */
static int read_geometry(tp_reader *r, OGRFeatureH f, tp_record *rec)
{
	OGRGeometryH geom = NULL, owned = NULL;
	OGRwkbGeometryType t;
	char why[256];

	if (r->def->table)
		return 0;
	if (r->xcol >= 0) {
		/* copies: OGR reuses one buffer for the text of numeric fields */
		char xs[128] = "", ys[128] = "";
		double x, y;
		if (OGR_F_IsFieldSetAndNotNull(f, r->xcol))
			snprintf(xs, sizeof(xs), "%s", OGR_F_GetFieldAsString(f, r->xcol));
		if (OGR_F_IsFieldSetAndNotNull(f, r->ycol))
			snprintf(ys, sizeof(ys), "%s", OGR_F_GetFieldAsString(f, r->ycol));
		if (!xs[strspn(xs, " \t")] && !ys[strspn(ys, " \t")])
			return 1;
		if (tp_parse_double(xs, &x)) {
			snprintf(why, sizeof(why), "x is not a number: '%s'", xs);
			reject(rec, "x", "%s", why);
			return 0;
		}
		if (tp_parse_double(ys, &y)) {
			snprintf(why, sizeof(why), "y is not a number: '%s'", ys);
			reject(rec, "y", "%s", why);
			return 0;
		}
		/* no coordinate of a CRS tremplin reads (metres or degrees) is
		 * larger: inf or 1e300 is a broken cell, not a place */
		if (!isfinite(x) || !isfinite(y) || fabs(x) > COORD_MAX || fabs(y) > COORD_MAX) {
			int bad_x = !isfinite(x) || fabs(x) > COORD_MAX;
			snprintf(why, sizeof(why), "%s is out of range: '%s' (at most %g)",
				 bad_x ? "x" : "y", bad_x ? xs : ys, COORD_MAX);
			reject(rec, bad_x ? "x" : "y", "%s", why);
			return 0;
		}
		return point_wkb(rec, x, y);
	}
	if (r->address_only)
		return 1;
	geom = OGR_F_GetGeometryRef(f);
	if (!geom || OGR_G_IsEmpty(geom))
		return 1;
	t = wkbFlatten(OGR_G_GetGeometryType(geom));
	if (r->def->points) {
		if (t == wkbMultiPoint && OGR_G_GetGeometryCount(geom) == 1)
			geom = OGR_G_GetGeometryRef(geom, 0);
		else if (t != wkbPoint) {
			reject(rec, "geometry", "geometry is a %s, expected a point",
			       OGRGeometryTypeToName(t));
			return 0;
		}
	} else if (t != wkbPolygon && t != wkbMultiPolygon) {
		if (t == wkbCurvePolygon || t == wkbMultiSurface) {
			owned = OGR_G_ForceToMultiPolygon(OGR_G_Clone(geom));
			geom = owned;
		} else {
			reject(rec, "geometry", "geometry is a %s, expected a polygon",
			       OGRGeometryTypeToName(t));
			return 0;
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
	if (!rec->wkb) {
		if (owned)
			OGR_G_DestroyGeometry(owned);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	if (OGR_G_ExportToIsoWkb(geom, wkbNDR, rec->wkb) != OGRERR_NONE) {
		free(rec->wkb);
		rec->wkb = NULL;
		reject(rec, "geometry", "%sgeometry cannot be written as WKB", "");
	}
	if (owned)
		OGR_G_DestroyGeometry(owned);
	return 0;
}

/* Places a record without coordinates by its address, or rejects it;
 * TP_ERROR when out of memory. */
static int place_by_address(tp_reader *r, tp_record *rec)
{
	int ia = tp_input_def_field(r->def, "address");
	int ip = tp_input_def_field(r->def, "postcode");
	const char *addr = ia >= 0 ? rec->values[ia] : NULL;
	const char *kind = NULL, *near = NULL;
	char why[512];
	double x, y;

	if ((!r->gc || !addr) && r->def->place_optional)
		return TP_OK; /* a register row may name its vacancy by id or address only */
	if (!r->gc || !addr) {
		const char *what = r->xcol >= 0 ? "no coordinates (x and y are empty)"
						 : "no geometry";
		if (r->gc)
			reject(rec, "geometry", "%s and no address to place it by", what);
		else if (addr && r->def->points)
			reject(rec, "geometry", "%s; add an [addresses] section to place it by its "
			       "address", what);
		else
			reject(rec, "geometry", "%s", what);
		return TP_OK;
	}
	if (tp_geocode(r->gc, addr, ip >= 0 ? rec->values[ip] : NULL, &x, &y, &kind, why,
		       sizeof(why), &near) != 1) {
		reject(rec, "address", "%s", why);
		/* the street's postcode places the reject (rejects.postcode) */
		if (near && ip >= 0) {
			free(rec->values[ip]);
			if (!(rec->values[ip] = strdup(near)))
				return tp_error_set(TP_ERROR, "out of memory");
		}
		return TP_OK;
	}
	rec->geocode = kind;
	return point_wkb(rec, x, y);
}

/* Refuses a record repeating an accepted record's id or address (dupes.h);
 * else remembers its keys.  Returns 0 or TP_ERROR. */
static int check_duplicate(tp_reader *r, tp_record *rec)
{
	int ii = tp_input_def_field(r->def, "id");
	int ia = tp_input_def_field(r->def, "address");
	int ip = tp_input_def_field(r->def, "postcode");
	const char *id = ii >= 0 ? rec->values[ii] : NULL, *field, *how;
	char key[1024] = "", why[128];
	double xy[2];
	int point = rec->wkb && rec->wkb_len == 21;
	long first;

	if (ia >= 0 && rec->values[ia])
		tp_address_key(rec->values[ia], ip >= 0 ? rec->values[ip] : NULL, key, sizeof(key));
	if (point) {
		memcpy(&xy[0], rec->wkb + 5, 8);
		memcpy(&xy[1], rec->wkb + 13, 8);
	}
	first = tp_dupes_find(r->dupes, id, key, point ? xy : NULL, &field, &how);
	if (first) {
		snprintf(why, sizeof(why), "duplicate of row %ld (%s)", first, how);
		reject(rec, field, "%s", why);
		return TP_OK;
	}
	return tp_dupes_add(r->dupes, id, key, point ? xy : NULL, rec->row);
}

/* Why feature f is no record: "blank row" when every cell is empty and it
 * has no geometry, "total row" when its first filled cell is a total;
 * NULL for a record. */
static const char *not_a_record(const tp_reader *r, OGRFeatureH f, OGRFeatureDefnH fd)
{
	int i, n = OGR_FD_GetFieldCount(fd);
	OGRGeometryH geom = OGR_F_GetGeometryRef(f);
	char cell[1024];

	(void)r;
	for (i = 0; i < n; i++) {
		const char *s;
		if (!OGR_F_IsFieldSetAndNotNull(f, i))
			continue;
		s = cell_text(f, i, cell, sizeof(cell));
		if (!s[strspn(s, " \t\r\n")])
			continue;
		if (tp_field_is_total(s))
			return "total row";
		return NULL;
	}
	return geom && !OGR_G_IsEmpty(geom) ? NULL : "blank row";
}

/* The value the config maps raw to ([input.field]), or raw. */
static const char *mapped(const tp_value_map *m, const char *raw)
{
	char w[256];
	size_t i;

	if (!raw || !m->n)
		return raw;
	tp_text_fold(raw, w, sizeof(w), 0);
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->from[i], w))
			return m->to[i];
	return raw;
}

int tp_reader_next(tp_reader *r, tp_record *rec)
{
	OGRFeatureH f = NULL;
	OGRFeatureDefnH fd = OGR_L_GetLayerDefn(r->layer);
	char val[1024], why[512], cell[1024];
	size_t i;
	int g;

	tp_record_dispose(rec);
	tp_gdal_reset();
	for (;;) {
		f = OGR_L_GetNextFeature(r->layer);
		if (!f) {
			if (CPLGetLastErrorType() >= CE_Failure)
				return tp_error_set(TP_EINPUT, "%s, layer %s, after row %ld: %s",
						    r->cfg->path, r->layer_name, r->row,
						    tp_gdal_reason());
			return 0;
		}
		rec->row = tp_source_row(&r->src, f, ++r->ordinal);
		if (rec->row > 0)
			break;
		OGR_F_Destroy(f); /* the header row or a title above it */
		r->ordinal--;
	}
	r->row = rec->row;
	rec->original = original_json(r, f, fd);
	if (!rec->original) {
		OGR_F_Destroy(f);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	rec->skipped = not_a_record(r, f, fd);
	if (rec->skipped) {
		OGR_F_Destroy(f);
		return 1;
	}
	for (i = 0; i < r->def->nfields; i++) {
		const tp_field_def *fdef = &r->def->fields[i];
		const char *raw = NULL;
		int p;

		if (r->col[i] >= 0 && OGR_F_IsFieldSetAndNotNull(f, r->col[i]))
			raw = cell_text(f, r->col[i], cell, sizeof(cell));
		p = tp_field_parse(fdef, mapped(&r->cfg->values[i], raw), val, sizeof(val), why,
				   sizeof(why));
		if (p < 0) {
			reject(rec, fdef->name, "%s", why);
			if (raw && !(rec->refused[i] = strdup(raw))) {
				OGR_F_Destroy(f);
				return tp_error_set(TP_ERROR, "out of memory");
			}
		} else if (p > 0 && !(rec->values[i] = strdup(val))) {
			OGR_F_Destroy(f);
			return tp_error_set(TP_ERROR, "out of memory");
		} else if (p > 0 && why[0] && fdef->kind == TP_F_DATE) {
			rec->precision[i] = !strcmp(why, "year")      ? "year"
					    : !strcmp(why, "quarter") ? "quarter"
								      : "month";
		} else if (p > 0 && why[0] && !rec->warning[0]) {
			snprintf(rec->warning, sizeof(rec->warning), "field %s: %.200s", fdef->name,
				 why);
		}
	}
	g = read_geometry(r, f, rec);
	if (g > 0 && !rec->reason[0])
		g = place_by_address(r, rec);
	OGR_F_Destroy(f);
	if (g < 0)
		return g;
	if (!rec->reason[0] && r->def->points && !r->def->place_optional &&
	    (g = check_duplicate(r, rec)) < 0)
		return g;
	return 1;
}

const char *tp_reader_column(const tp_reader *r, size_t i)
{
	if (i >= r->def->nfields || r->col[i] < 0)
		return NULL;
	return colname(r, OGR_L_GetLayerDefn(r->layer), r->col[i]);
}

void tp_reader_ignored(const tp_reader *r, char *buf, size_t len)
{
	OGRFeatureDefnH fd = OGR_L_GetLayerDefn(r->layer);
	int c, n = OGR_FD_GetFieldCount(fd);
	size_t used = 0;

	buf[0] = '\0';
	for (c = 0; c < n && used + 1 < len; c++) {
		int w;
		if (column_taken(r, r->def->nfields, c))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", colname(r, fd, c));
		used += w > 0 ? (size_t)w : 0;
	}
}

void tp_reader_format(const tp_reader *r, char *buf, size_t len)
{
	GDALDriverH drv = GDALGetDatasetDriver(r->src.ds);
	const char *name = drv ? GDALGetDriverShortName(drv) : "?";

	if (r->src.separator)
		snprintf(buf, len, "%s, separator '%s', %s", name,
			 r->src.separator == '\t' ? "tab" : r->src.separator == ';' ? ";" : ",",
			 r->src.recoded ? "Windows-1252 recoded to UTF-8" : "UTF-8");
	else
		snprintf(buf, len, "%s", name);
}

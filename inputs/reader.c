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
 * address is refused as a duplicate of that row.  A CSV is read ahead on a
 * second thread (below, "Reading ahead"): the same records, in order.
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
#include <pthread.h>
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
	/* what converting a feature needs of its columns, found once (columns()) */
	int ncols;                    /* the layer's columns */
	OGRFieldType *coltype;        /* each column's type */
	char **key;                   /* each column's JSON key and ':', after a ',' but the first */
	size_t *keylen;               /* bytes of each key */
	char *keys;                   /* the keys as a JSON array, "geometry" last */
	int compact;                  /* 1: originals as arrays (tp_reader_compact) */
	int no_originals;             /* 1: no original made (tp_reader_lazy_originals) */
	int originals_only;           /* 1: nothing but the originals (tp_reader_open_originals) */
	int utf8;                     /* 1: every cell is UTF-8 already (a CSV: source.c checked
					 or recoded its whole text) */
	struct cells *here;           /* the caller's thread's scratch */
	struct ahead *ahead;          /* records read ahead on a second thread, or NULL */
	int threaded;                 /* 1: read ahead (a CSV) once the first record is asked */
	int detach;                   /* 1: read ahead, a feature's cells are copied out and
					 it is freed at once (every column text, no geometry) */
	int field_id, field_address, field_postcode; /* those fields of def, or -1 */
};

struct cells;
struct ahead;
static void cells_free(struct cells *sc);
static void ahead_free(struct ahead *a);
static int columns(tp_reader *r);

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

/* tp_reader_open_def(), or with rows tp_reader_open_originals(). */
static int reader_open(tp_reader **out, const tp_input_cfg *cfg, const tp_input_def *def,
		       const long *rows, size_t nrows)
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
	r->originals_only = rows != NULL;
	rc = tp_dupes_new(&r->dupes);
	if (rc)
		goto fail;
	if (!cfg->path || !cfg->path[0]) {
		rc = tp_error_set(TP_ECONFIG, "section [%s] has no 'path'", r->def->name);
		goto fail;
	}
	rc = rows ? tp_source_open_rows(&r->src, cfg->path, r->def->name, cfg->header_row,
					header_score, r, rows, nrows)
		  : tp_source_open_table(&r->src, cfg->path, r->def->name, cfg->header_row,
					 header_score, r);
	if (rc)
		goto fail;
	tp_dupes_expect(r->dupes, r->src.nline);
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
	/* the originals alone place nothing */
	if (r->def->points && cfg->addresses && r->address_only && !r->originals_only) {
		rc = tp_geocoder_open(&r->gc, cfg->addresses, NULL);
		if (rc)
			goto fail;
	}
	rc = find_crs(r, r->def->name);
	if (rc)
		goto fail;
	if (r->def->points && cfg->addresses && !r->address_only && !r->originals_only) {
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
	rc = columns(r);
	if (rc)
		goto fail;
	*out = r;
	return TP_OK;
fail:
	tp_reader_free(r);
	return rc;
}

int tp_reader_open_def(tp_reader **out, const tp_input_cfg *cfg, const tp_input_def *def)
{
	return reader_open(out, cfg, def, NULL, 0);
}

int tp_reader_open_originals(tp_reader **out, const tp_input_cfg *cfg, const tp_input_def *def,
			     const long *rows, size_t nrows)
{
	*out = NULL;
	if (!nrows)
		return tp_error_set(TP_ERROR, "%s: no row to read again", cfg->path);
	return reader_open(out, cfg, def, rows, nrows);
}

int tp_reader_lazy_originals(tp_reader *r)
{
	r->no_originals = r->src.separator != 0;
	return r->no_originals;
}

void tp_reader_free(tp_reader *r)
{
	int c;

	if (!r)
		return;
	ahead_free(r->ahead);
	tp_source_close(&r->src);
	tp_geocoder_free(r->gc);
	tp_dupes_free(r->dupes);
	for (c = 0; c < r->ncols && r->key; c++)
		free(r->key[c]);
	free(r->key);
	free(r->keylen);
	free(r->keys);
	free(r->coltype);
	cells_free(r->here);
	free(r);
}

void tp_reader_compact(tp_reader *r)
{
	r->compact = 1;
}

const char *tp_reader_original_keys(const tp_reader *r)
{
	return r->keys;
}

void tp_reader_threads(tp_reader *r, int threads)
{
	if (threads == 1)
		r->threaded = 0;
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
		if (!rec->block)
			free(rec->values[i]);
		free(rec->refused[i]);
	}
	if (!rec->block) {
		free(rec->wkb);
		free(rec->original);
	}
	free(rec->block);
	memset(rec, 0, sizeof(*rec));
}

/* One thread's scratch for converting features: the cells of the feature
 * at hand and the original being written, reused from record to record. */
typedef struct cells {
	const char **cell;  /* per column: its text (cell_text), NULL when unset or null */
	char **buf;         /* per column: a copy of its text where one is needed, or NULL */
	size_t *cap;        /* bytes of each buf */
	int n;              /* columns */
	sbuf json;          /* the original being written */
	char vals[TP_MAX_FIELDS][1024]; /* each field's value, until pack() */
} cells;

static void cells_free(cells *sc)
{
	int c;

	if (!sc)
		return;
	for (c = 0; c < sc->n && sc->buf; c++)
		free(sc->buf[c]);
	free(sc->cell);
	free(sc->buf);
	free(sc->cap);
	free(sc->json.s);
	free(sc);
}

/* Scratch for n columns; NULL when out of memory. */
static cells *cells_new(int n)
{
	cells *sc = calloc(1, sizeof(*sc));

	if (!sc)
		return NULL;
	sc->n = n;
	sc->cell = calloc((size_t)n + 1, sizeof(*sc->cell));
	sc->buf = calloc((size_t)n + 1, sizeof(*sc->buf));
	sc->cap = calloc((size_t)n + 1, sizeof(*sc->cap));
	if (!sc->cell || !sc->buf || !sc->cap) {
		cells_free(sc);
		return NULL;
	}
	return sc;
}

/* Column c's copy buffer, at least len bytes (1024 at least); NULL when
 * out of memory. */
static char *cell_buf(cells *sc, int c, size_t len)
{
	if (len < 1024)
		len = 1024;
	if (sc->cap[c] < len) {
		char *p = realloc(sc->buf[c], len);
		if (!p)
			return NULL;
		sc->buf[c] = p;
		sc->cap[c] = len;
	}
	return sc->buf[c];
}

/* Finds what converting needs of the layer's columns: their types and
 * their JSON keys.  0 or TP_ERROR. */
static int columns(tp_reader *r)
{
	OGRFeatureDefnH fd = OGR_L_GetLayerDefn(r->layer);
	int c;

	r->ncols = OGR_FD_GetFieldCount(fd);
	r->coltype = calloc((size_t)r->ncols + 1, sizeof(*r->coltype));
	r->key = calloc((size_t)r->ncols + 1, sizeof(*r->key));
	r->keylen = calloc((size_t)r->ncols + 1, sizeof(*r->keylen));
	r->here = cells_new(r->ncols);
	if (!r->coltype || !r->key || !r->keylen || !r->here)
		return tp_error_set(TP_ERROR, "out of memory");
	for (c = 0; c < r->ncols; c++) {
		sbuf b = {0};
		r->coltype[c] = OGR_Fld_GetType(OGR_FD_GetFieldDefn(fd, c));
		if ((c && sb_str(&b, ",")) || sb_json(&b, colname(r, fd, c)) || sb_str(&b, ":")) {
			free(b.s);
			return tp_error_set(TP_ERROR, "out of memory");
		}
		r->key[c] = b.s;
		r->keylen[c] = b.len;
	}
	{
		/* the keys again as an array: each one's text but its ':' */
		sbuf b = {0};
		int failed = sb_str(&b, "[");
		for (c = 0; c < r->ncols && !failed; c++)
			failed = sb_put(&b, r->key[c], r->keylen[c] - 1);
		failed = failed || sb_str(&b, r->ncols ? ",\"geometry\"]" : "\"geometry\"]");
		r->keys = b.s;
		if (failed)
			return tp_error_set(TP_ERROR, "out of memory");
	}
	r->field_id = tp_input_def_field(r->def, "id");
	r->field_address = tp_input_def_field(r->def, "address");
	r->field_postcode = tp_input_def_field(r->def, "postcode");
	/* source.c read a CSV whole: valid UTF-8, or recoded to it */
	r->utf8 = r->src.separator != 0;
	r->threaded = r->src.separator != 0;
	/* what convert() takes of a feature is then its cells alone (raw_text()) */
	r->detach = r->threaded && OGR_FD_GetGeomFieldCount(fd) == 0;
	for (c = 0; c < r->ncols && r->detach; c++)
		r->detach = r->coltype[c] == OFTString;
	return TP_OK;
}

/* 1 when column c is text that needs no recoding (a CSV's: source.c made
 * it UTF-8), read as raw_text() reads it. */
static int is_raw(const tp_reader *r, int c)
{
	return r->coltype[c] == OFTString && r->utf8;
}

/*
 * Column c of f into *s when is_raw(), straight from the feature's own
 * field: NULL when unset or null.  1 when done, 0 for any other column
 * (then OGR_F_IsFieldSetAndNotNull and cell_text()).  A feature the
 * reading thread made (below, "Reading ahead") may be converted on the
 * caller's, and each OGR call by index reads the layer's definition, whose
 * reference count the reading thread moves with every feature made and
 * freed: the two cores passed that cache line back and forth.
 */
static int raw_text(const tp_reader *r, OGRFeatureH f, int c, const char **s)
{
	const OGRField *v;

	if (!is_raw(r, c))
		return 0;
	v = OGR_F_GetRawFieldRef(f, c);
	*s = OGR_RawField_IsUnset(v) || OGR_RawField_IsNull(v) ? NULL : v->String;
	return 1;
}

/* Column c of f as text in UTF-8: dates as YYYY-MM-DD (spreadsheet date
 * cells), text that is not UTF-8 read as Windows-1252 (cut to 1023
 * bytes).  OGR's text of a number lasts until the next number is asked,
 * so that is copied.  NULL when out of memory. */
static const char *cell_text(const tp_reader *r, cells *sc, OGRFeatureH f, int c)
{
	OGRFieldType t = r->coltype[c];
	const char *s;
	char *buf;
	size_t n;

	if (t == OFTDate || t == OFTDateTime) {
		int y, m, d, hh, mm, tz;
		float ss;
		if (OGR_F_GetFieldAsDateTimeEx(f, c, &y, &m, &d, &hh, &mm, &ss, &tz)) {
			buf = cell_buf(sc, c, 1024);
			return buf ? tp_date_format(buf, 1024, (tp_date){y, m, d}) : NULL;
		}
	}
	s = OGR_F_GetFieldAsString(f, c);
	if (!r->utf8 && !tp_text_is_utf8(s, strlen(s))) {
		char *u = tp_text_utf8(s);
		if ((buf = cell_buf(sc, c, 1024)) != NULL)
			tp_text_copy(buf, 1024, u ? u : "");
		free(u);
		return buf;
	}
	if (t == OFTString)
		return s;
	n = strlen(s);
	if (!(buf = cell_buf(sc, c, n + 1)))
		return NULL;
	memcpy(buf, s, n + 1);
	return buf;
}

/* The feature's source values (sc's cells) as a JSON object, in sc->json
 * until pack() copies it; as an array of the values alone when r->compact
 * (r->keys the keys); 0 or -1 when out of memory. */
static int original_json(const tp_reader *r, cells *sc, OGRFeatureH f)
{
	sbuf *b = &sc->json;
	int i, n = r->ncols, rc;
	OGRGeometryH geom = f ? OGR_F_GetGeometryRef(f) : NULL;

	b->len = 0;
	rc = sb_str(b, r->compact ? "[" : "{");
	for (i = 0; i < n && rc == 0; i++) {
		if (!r->compact)
			rc |= sb_put(b, r->key[i], r->keylen[i]);
		else if (i)
			rc |= sb_str(b, ",");
		if (sc->cell[i])
			rc |= sb_json(b, sc->cell[i]);
		else
			rc |= sb_str(b, "null");
	}
	if (geom && rc == 0) {
		OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(geom));
		rc |= sb_str(b, r->compact ? (n ? "," : "")
					   : n ? ",\"geometry\":" : "\"geometry\":");
		if (t == wkbPoint) {
			char *wkt = NULL;
			if (OGR_G_ExportToWkt(geom, &wkt) == OGRERR_NONE && wkt)
				rc |= sb_json(b, wkt);
			else
				rc |= sb_str(b, "null");
			CPLFree(wkt);
		} else {
			rc |= sb_json(b, OGRGeometryTypeToName(t));
		}
	}
	rc |= sb_str(b, r->compact ? "]" : "}");
	return rc ? -1 : 0;
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
static int read_geometry(tp_reader *r, const cells *sc, OGRFeatureH f, tp_record *rec)
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
		/* a text column's cell is OGR's text (raw_text()) */
		if (!f || is_raw(r, r->xcol))
			tp_text_copy(xs, sizeof(xs), sc->cell[r->xcol] ? sc->cell[r->xcol] : "");
		else if (OGR_F_IsFieldSetAndNotNull(f, r->xcol))
			tp_text_copy(xs, sizeof(xs), OGR_F_GetFieldAsString(f, r->xcol));
		if (!f || is_raw(r, r->ycol))
			tp_text_copy(ys, sizeof(ys), sc->cell[r->ycol] ? sc->cell[r->ycol] : "");
		else if (OGR_F_IsFieldSetAndNotNull(f, r->ycol))
			tp_text_copy(ys, sizeof(ys), OGR_F_GetFieldAsString(f, r->ycol));
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
	if (r->address_only || !f)
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
		if (near && ip >= 0)
			rec->values[ip] = (char *)near; /* copied by pack() */
		return TP_OK;
	}
	rec->geocode = kind;
	return point_wkb(rec, x, y);
}

/* Refuses a record repeating an accepted record's id or address (dupes.h);
 * else remembers its keys.  Returns 0 or TP_ERROR. */
static int check_duplicate(tp_reader *r, tp_record *rec)
{
	int ii = r->field_id, ia = r->field_address, ip = r->field_postcode;
	const char *id = ii >= 0 ? rec->values[ii] : NULL, *field, *how;
	char key[1024], why[128];
	double xy[2];
	int point = rec->wkb && rec->wkb_len == 21;
	long first;

	key[0] = '\0'; /* not "" in the declaration: that zeroes all 1024 bytes, every record */
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
static const char *not_a_record(const tp_reader *r, const cells *sc, OGRFeatureH f)
{
	int i, n = r->ncols;
	OGRGeometryH geom;

	for (i = 0; i < n; i++) {
		const char *s = sc->cell[i];
		if (!s || !s[strspn(s, " \t\r\n")])
			continue;
		if (tp_field_is_total(s))
			return "total row";
		return NULL;
	}
	geom = f ? OGR_F_GetGeometryRef(f) : NULL;
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

/* Reads the next feature that is a data row into *out, its row as the
 * user numbers it into *row: 1, 0 at the end of the layer, or TP_EINPUT
 * when reading fails. */
static int read_feature(tp_reader *r, OGRFeatureH *out, long *row)
{
	OGRFeatureH f;

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
		*row = tp_source_row(&r->src, f, ++r->ordinal);
		if (*row > 0)
			break;
		OGR_F_Destroy(f); /* the header row or a title above it */
		r->ordinal--;
	}
	r->row = *row;
	*out = f;
	return 1;
}

/* Memory handed out in chunks that never move, reset as a whole: the
 * records of a batch read ahead. */
typedef struct chunk {
	struct chunk *next;  /* the next chunk, or NULL */
	size_t used, cap;    /* bytes handed out, bytes in data */
	char data[];         /* the memory */
} chunk;

typedef struct {
	chunk *head;         /* the first chunk, or NULL */
	chunk *cur;          /* the chunk handed out from */
} arena;

#define CHUNK_BYTES 65536

/* n bytes of a; NULL when out of memory. */
static char *arena_alloc(arena *a, size_t n)
{
	chunk *c = a->cur;

	while (c && c->used + n > c->cap)
		c = c->next;
	if (!c) {
		size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->cur ? a->cur->next : NULL;
		if (a->cur)
			a->cur->next = c;
		else
			a->head = c;
	}
	a->cur = c;
	c->used += n;
	return c->data + c->used - n;
}

/* Takes every chunk of a back (their memory kept for the next batch). */
static void arena_reset(arena *a)
{
	chunk *c;

	for (c = a->head; c; c = c->next)
		c->used = 0;
	a->cur = a->head;
}

static void arena_free(arena *a)
{
	while (a->head) {
		chunk *c = a->head;
		a->head = c->next;
		free(c);
	}
	a->cur = NULL;
}

/* Bytes pack_into() needs for rec with an original of olen bytes. */
static size_t pack_size(const tp_record *rec, size_t olen)
{
	size_t total = olen + 1 + rec->wkb_len, i;

	for (i = 0; i < TP_MAX_FIELDS; i++)
		if (rec->values[i])
			total += strlen(rec->values[i]) + 1;
	return total;
}

/* Copies rec's values, orig (olen bytes) and WKB into block (pack_size()
 * bytes) and points rec at the copies: one allocation per record instead
 * of a dozen. */
static void pack_into(tp_record *rec, const char *orig, size_t olen, char *block)
{
	size_t i, n;

	memcpy(block, orig, olen + 1);
	rec->original = block;
	block += olen + 1;
	for (i = 0; i < TP_MAX_FIELDS; i++) {
		if (!rec->values[i])
			continue;
		n = strlen(rec->values[i]) + 1;
		memcpy(block, rec->values[i], n);
		rec->values[i] = block;
		block += n;
	}
	if (rec->wkb) {
		memcpy(block, rec->wkb, rec->wkb_len);
		rec->wkb = (unsigned char *)block;
	}
}

/* Moves what rec holds in sc (its values, the original in sc->json) and
 * its WKB into rec->block, malloc'ed, or when into is not NULL into that
 * arena (rec->block NULL: own() makes the record the caller's), *size
 * bytes from rec->original on.  0 or TP_ERROR. */
static int pack(tp_record *rec, const cells *sc, arena *into, size_t *size)
{
	size_t total = pack_size(rec, sc->json.len);
	unsigned char *wkb = rec->wkb;
	char *block = into ? arena_alloc(into, total) : malloc(total);

	if (!block)
		return tp_error_set(TP_ERROR, "out of memory");
	pack_into(rec, sc->json.s, sc->json.len, block);
	free(wkb);
	rec->block = into ? NULL : block;
	*size = total;
	return TP_OK;
}

/* Copies a record packed into an arena (size bytes from its original on,
 * pack()) into its own block, allocated by the calling thread: memory
 * freed by another thread than the one that allocated it goes back under
 * that thread's arena lock.  0 or TP_ERROR; rec is left as it was on
 * failure. */
static int own(tp_record *rec, size_t size)
{
	char *from = rec->original, *block = malloc(size);
	size_t i;

	if (!block)
		return tp_error_set(TP_ERROR, "out of memory");
	memcpy(block, from, size);
	for (i = 0; i < TP_MAX_FIELDS; i++)
		if (rec->values[i])
			rec->values[i] = block + (rec->values[i] - from);
	if (rec->wkb)
		rec->wkb = (unsigned char *)block + ((char *)rec->wkb - from);
	rec->original = block;
	rec->block = block;
	return TP_OK;
}

/* Converts feature f into rec (zeroed, its row set), all but the
 * duplicate check, which depends on the records before (finish()): rec
 * depends on f and the configuration only, so features convert on any
 * thread.  f NULL: the feature was detached (read_batch()), sc->cell holds
 * its cells.  0 or TP_ERROR; sc is the calling thread's scratch, into the
 * arena the record's memory comes from (pack()) or NULL, *size the bytes
 * it takes there. */
static int convert(tp_reader *r, cells *sc, OGRFeatureH f, tp_record *rec, arena *into,
		   size_t *size)
{
	char why[512];
	size_t i;
	int c, g = 0;

	/* f NULL: a feature detached when read, its cells in sc->cell already */
	for (c = 0; c < r->ncols && f; c++) {
		sc->cell[c] = NULL;
		if (raw_text(r, f, c, &sc->cell[c]))
			continue;
		if (OGR_F_IsFieldSetAndNotNull(f, c) && !(sc->cell[c] = cell_text(r, sc, f, c)))
			return tp_error_set(TP_ERROR, "out of memory");
	}
	/* lazy: an empty text in the original's place, NULL once handed out */
	sc->json.len = 0;
	if (r->no_originals ? sb_str(&sc->json, "") : original_json(r, sc, f))
		return tp_error_set(TP_ERROR, "out of memory");
	rec->skipped = not_a_record(r, sc, f);
	if (r->originals_only)
		return pack(rec, sc, into, size);
	for (i = 0; i < r->def->nfields && !rec->skipped; i++) {
		const tp_field_def *fdef = &r->def->fields[i];
		const char *raw = r->col[i] >= 0 ? sc->cell[r->col[i]] : NULL;
		char *val = sc->vals[i];
		int p;

		p = tp_field_parse(fdef, mapped(&r->cfg->values[i], raw), val, sizeof(sc->vals[i]),
				   why, sizeof(why));
		if (p < 0) {
			reject(rec, fdef->name, "%s", why);
			if (raw && !(rec->refused[i] = strdup(raw))) {
				g = tp_error_set(TP_ERROR, "out of memory");
				break;
			}
		} else if (p > 0) {
			rec->values[i] = val;
			if (why[0] && fdef->kind == TP_F_DATE)
				rec->precision[i] = !strcmp(why, "year")      ? "year"
						    : !strcmp(why, "quarter") ? "quarter"
									      : "month";
			else if (why[0] && !rec->warning[0])
				snprintf(rec->warning, sizeof(rec->warning), "field %s: %.200s",
					 fdef->name, why);
		}
	}
	if (!g && !rec->skipped) {
		g = read_geometry(r, sc, f, rec);
		if (g > 0 && !rec->reason[0])
			g = place_by_address(r, rec);
	}
	if (g >= 0)
		g = pack(rec, sc, into, size);
	if (g < 0) {
		/* the values and the original are sc's: nothing of them to free */
		memset(rec->values, 0, sizeof(rec->values));
		rec->original = NULL;
		free(rec->wkb);
		rec->wkb = NULL;
		rec->wkb_len = 0;
		return g;
	}
	return TP_OK;
}

/* What is left of reading rec once converted, in reading order: an
 * accepted point record is checked against the records accepted before
 * it (check_duplicate).  0 or TP_ERROR. */
static int finish(tp_reader *r, tp_record *rec)
{
	if (r->no_originals)
		rec->original = NULL; /* rec->block holds the empty text */
	if (r->originals_only || rec->skipped || rec->reason[0] || !r->def->points ||
	    r->def->place_optional)
		return TP_OK;
	return check_duplicate(r, rec);
}

/* tp_reader_next on the caller's thread alone. */
static int next_here(tp_reader *r, tp_record *rec)
{
	OGRFeatureH f = NULL;
	size_t size;
	int rc;

	rc = read_feature(r, &f, &rec->row);
	if (rc <= 0)
		return rc;
	rc = convert(r, r->here, f, rec, NULL, &size);
	OGR_F_Destroy(f);
	if (!rc)
		rc = finish(r, rec);
	return rc < 0 ? rc : 1;
}

/*
 * Reading ahead (a CSV, the inputs of a million rows).  A second thread
 * reads features through OGR in batches into a ring of slots; either
 * thread converts a batch read (convert(): the reading thread the newest
 * when the ring is full, the caller's the one it needs next when it is
 * not converted yet); the caller's thread takes the records in order and
 * finishes each (finish()), so duplicates are found as before.  The
 * records and messages are those of next_here(), record for record.
 * A long-lived producer beside an iterator, which tp_parallel()'s
 * run-and-join (geo/parallel.h) does not fit.
 */
#define AHEAD_BATCH 256  /* features per batch */
#define AHEAD_SLOTS 8    /* batches in the ring */

enum { SLOT_FREE, SLOT_READ, SLOT_CONVERTING, SLOT_DONE };

typedef struct {
	OGRFeatureH f[AHEAD_BATCH];  /* features read, until converted; NULL once detached */
	size_t *off;                 /* detached (r->detach): per feature, per column, its
					cell's offset in text, SIZE_MAX for none */
	sbuf text;                   /* the detached features' cells */
	tp_record rec[AHEAD_BATCH];  /* their records (row set when read) */
	size_t size[AHEAD_BATCH];    /* bytes of each record in mem (pack()) */
	int n;                       /* features in the batch */
	int state;                   /* SLOT_* */
	long seq;                    /* the batch's place in reading order */
	int last;                    /* 1: reading ended after this batch */
	int end_rc;                  /* with last: 0 at the end of the layer, else the failure */
	tp_error_state end_err;      /* its message */
	int failed_at;               /* first record whose conversion failed, n when none */
	int failed_rc;               /* that failure */
	tp_error_state failed_err;   /* its message */
	arena mem;                   /* the records' values, originals and WKB (own()) */
} slot;

typedef struct ahead {
	pthread_t tid;               /* the reading thread */
	pthread_mutex_t mu;          /* guards state, seq and stop */
	pthread_cond_t cv;           /* any slot changed state, or stop */
	slot *ring;                  /* AHEAD_SLOTS slots */
	int stop;                    /* 1: the reader is being freed */
	int reading;                 /* 1: the reading thread is reading a batch, -1: it has
					read the last, 0: it converts or waits */
	long next;                   /* the batch the caller takes next */
	slot *cur;                   /* the caller's batch, or NULL */
	int pos;                     /* its next record */
	cells *there;                /* the reading thread's scratch */
} ahead;

/* Converts batch b on the calling thread (sc its scratch). */
static void convert_batch(tp_reader *r, cells *sc, slot *b)
{
	int k, rc;

	arena_reset(&b->mem);
	for (k = 0; k < b->n; k++) {
		if (b->failed_at == b->n) {
			if (!b->f[k]) {
				const size_t *o = b->off + (size_t)k * (size_t)r->ncols;
				int c;
				for (c = 0; c < r->ncols; c++)
					sc->cell[c] = o[c] == SIZE_MAX ? NULL : b->text.s + o[c];
			}
			rc = convert(r, sc, b->f[k], &b->rec[k], &b->mem, &b->size[k]);
			if (rc) {
				b->failed_at = k;
				b->failed_rc = tp_error_save(&b->failed_err, rc);
			}
		}
	}
}

/* With a->mu held: converts the oldest batch read, if any (the one the
 * caller needs first), and returns 1 (the lock released meanwhile); 0
 * when there is none. */
static int convert_oldest(tp_reader *r, ahead *a, cells *sc)
{
	slot *b = NULL;
	int k;

	for (k = 0; k < AHEAD_SLOTS; k++)
		if (a->ring[k].state == SLOT_READ && (!b || a->ring[k].seq < b->seq))
			b = &a->ring[k];
	if (!b)
		return 0;
	b->state = SLOT_CONVERTING;
	pthread_mutex_unlock(&a->mu);
	convert_batch(r, sc, b);
	pthread_mutex_lock(&a->mu);
	b->state = SLOT_DONE;
	pthread_cond_broadcast(&a->cv);
	return 1;
}

/*
 * Copies the cells of feature f (the k-th of b) into b and frees it: 0, or
 * -1 when out of memory.  Whichever thread converts then reads the cells,
 * contiguous, not the feature: converting features made here, the
 * caller's thread followed their pointers into this core's fresh memory,
 * and this thread's frees came back to lines the other had read.  A 1M
 * load took 1.8-2.0 s or 2.4-2.7 s from run to run, by which thread
 * happened to convert most (the caller's, in the slow runs).
 */
static int detach(tp_reader *r, slot *b, int k, OGRFeatureH f)
{
	size_t *o = b->off + (size_t)k * (size_t)r->ncols;
	int c;

	for (c = 0; c < r->ncols; c++) {
		const char *t = NULL;
		raw_text(r, f, c, &t);
		o[c] = SIZE_MAX;
		if (t) {
			o[c] = b->text.len;
			if (sb_put(&b->text, t, strlen(t) + 1))
				break;
		}
	}
	OGR_F_Destroy(f);
	b->f[k] = NULL;
	return c < r->ncols ? -1 : 0;
}

/* Reads the next batch of features into b, destroying those it held
 * first: the reading thread frees what it allocated (memory freed by
 * another thread goes back to the allocating thread's arena under its
 * lock, a sixth of the reading's time); detached at once when r->detach
 * (detach()). */
static void read_batch(tp_reader *r, slot *b)
{
	int rc, k;

	for (k = 0; k < b->n; k++) {
		if (b->f[k])
			OGR_F_Destroy(b->f[k]);
		b->f[k] = NULL;
	}
	b->text.len = 0;
	b->n = 0;
	b->last = 0;
	b->end_rc = 0;
	b->end_err.code = 0;
	b->failed_err.code = 0;
	while (b->n < AHEAD_BATCH) {
		rc = read_feature(r, &b->f[b->n], &b->rec[b->n].row);
		if (rc > 0 && b->off && detach(r, b, b->n, b->f[b->n]))
			rc = tp_error_set(TP_ERROR, "out of memory");
		if (rc <= 0) {
			b->last = 1;
			b->end_rc = tp_error_save(&b->end_err, rc);
			break;
		}
		b->n++;
	}
	b->failed_at = b->n;
}

/* The reading thread: batches into the ring in order while a slot is
 * free, else converts; at the end, converts what is left. */
static void *read_ahead(void *arg)
{
	tp_reader *r = arg;
	ahead *a = r->ahead;
	long seq;
	int last = 0;

	pthread_mutex_lock(&a->mu);
	for (seq = 0; !last && !a->stop; seq++) {
		slot *b = &a->ring[seq % AHEAD_SLOTS];
		while (!a->stop && b->state != SLOT_FREE)
			if (!convert_oldest(r, a, a->there))
				pthread_cond_wait(&a->cv, &a->mu);
		if (a->stop)
			break;
		a->reading = 1;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		read_batch(r, b);
		last = b->last;
		pthread_mutex_lock(&a->mu);
		a->reading = !last ? 0 : -1;
		b->seq = seq;
		b->state = SLOT_READ;
		pthread_cond_broadcast(&a->cv);
	}
	while (!a->stop && convert_oldest(r, a, a->there))
		;
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* Frees a, its ring (the slots' features, records and memory) and its
 * scratch; the reading thread has ended or never started. */
static void ahead_dispose(ahead *a)
{
	int k, i;

	for (k = 0; k < AHEAD_SLOTS && a->ring; k++) {
		for (i = 0; i < AHEAD_BATCH; i++) {
			tp_record *rec = &a->ring[k].rec[i];
			if (a->ring[k].f[i])
				OGR_F_Destroy(a->ring[k].f[i]);
			/* values, original and WKB are the slot's arena's */
			memset(rec->values, 0, sizeof(rec->values));
			rec->original = NULL;
			rec->wkb = NULL;
			tp_record_dispose(rec);
		}
		arena_free(&a->ring[k].mem);
		free(a->ring[k].off);
		free(a->ring[k].text.s);
	}
	cells_free(a->there);
	free(a->ring);
	free(a);
}

/* Stops the reading thread and frees what it held. */
static void ahead_free(ahead *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->tid, NULL);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	ahead_dispose(a);
}

/* Starts reading ahead; 0, or -1 when it cannot (then r reads on the
 * caller's thread alone). */
static int ahead_start(tp_reader *r)
{
	ahead *a = calloc(1, sizeof(*a));
	size_t cells = AHEAD_BATCH * (size_t)(r->ncols > 0 ? r->ncols : 1);
	int k, ok;

	if (!a)
		return -1;
	a->ring = calloc(AHEAD_SLOTS, sizeof(*a->ring));
	a->there = cells_new(r->ncols);
	ok = a->ring && a->there;
	for (k = 0; k < AHEAD_SLOTS && ok && r->detach; k++)
		ok = (a->ring[k].off = malloc(cells * sizeof(*a->ring[k].off))) != NULL;
	if (ok && !pthread_mutex_init(&a->mu, NULL)) {
		if (!pthread_cond_init(&a->cv, NULL)) {
			r->ahead = a;
			if (!pthread_create(&a->tid, NULL, read_ahead, r))
				return 0;
			r->ahead = NULL;
			pthread_cond_destroy(&a->cv);
		}
		pthread_mutex_destroy(&a->mu);
	}
	ahead_dispose(a);
	return -1;
}

/* tp_reader_next with the reading thread. */
static int next_ahead(tp_reader *r, tp_record *rec)
{
	ahead *a = r->ahead;
	slot *b;
	int k, rc;

	for (;;) {
		b = a->cur;
		if (b && a->pos < b->n) {
			k = a->pos++;
			if (k == b->failed_at) {
				a->pos = b->n; /* nothing after a failure */
				b->n = k;
				b->last = 1;
				b->end_rc = b->failed_rc;
				b->end_err = b->failed_err;
				return tp_error_restore(&b->failed_err);
			}
			if ((rc = own(&b->rec[k], b->size[k])) < 0)
				return rc;
			*rec = b->rec[k];
			memset(&b->rec[k], 0, sizeof(b->rec[k]));
			rc = finish(r, rec);
			return rc < 0 ? rc : 1;
		}
		if (b && b->last)
			return b->end_rc ? tp_error_restore(&b->end_err) : 0;
		b = &a->ring[a->next % AHEAD_SLOTS];
		pthread_mutex_lock(&a->mu);
		if (a->cur) {
			a->cur->state = SLOT_FREE;
			pthread_cond_broadcast(&a->cv);
			a->cur = NULL;
		}
		/* the caller's thread converts only while the other reads: when
		 * the ring is full, the other converts and the caller inserts */
		while (b->state == SLOT_FREE || b->state == SLOT_CONVERTING ||
		       (b->state == SLOT_READ && !a->reading))
			pthread_cond_wait(&a->cv, &a->mu);
		if (b->state == SLOT_READ) {
			b->state = SLOT_CONVERTING;
			pthread_mutex_unlock(&a->mu);
			convert_batch(r, r->here, b);
			pthread_mutex_lock(&a->mu);
			b->state = SLOT_DONE;
		}
		pthread_mutex_unlock(&a->mu);
		a->cur = b;
		a->pos = 0;
		a->next++;
	}
}

int tp_reader_next(tp_reader *r, tp_record *rec)
{
	tp_record_dispose(rec);
	if (r->threaded && !r->ahead && ahead_start(r))
		r->threaded = 0;
	return r->ahead ? next_ahead(r, rec) : next_here(r, rec);
}

const char *tp_reader_column(const tp_reader *r, size_t i)
{
	if (i >= r->def->nfields || r->col[i] < 0)
		return NULL;
	return colname(r, OGR_L_GetLayerDefn(r->layer), r->col[i]);
}

const char *tp_reader_owner_column(const tp_reader *r)
{
	int owner = tp_input_def_field(r->def, "owner");

	return owner < 0 ? NULL : tp_reader_column(r, (size_t)owner);
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

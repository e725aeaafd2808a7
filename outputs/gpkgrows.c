/*
 * gpkgrows.c: rows put straight into a table of a GeoPackage being
 * written (outputs.h).
 *
 * OGR writes a feature at a time: each field set on a feature, copied
 * again into its own statement, the geometry turned from WKB into an
 * object and back into a GeoPackage blob.  For the large layers of
 * tremplin.gpkg (a million vacancies, their snapshots' history) that was
 * most of the write stage.  Here OGR still creates the table, its fields
 * and its metadata rows; the rows then go in one of two ways:
 *
 * - in bulk, when the store is a file: the store opened a second time
 *   with the GeoPackage attached, and one INSERT ... SELECT copies the
 *   row set (the same SQL and guard as tp_rows_open), each column
 *   converted in SQL as OGR would bind it, the geometry by an SQL function
 *   (tp_gpkg_point) that also keeps the points for the spatial index;
 *   SQLite moves the rows without a call per value (the row set read, and
 *   each value bound, had cost as much as the insert itself);
 * - else, or when the bulk copy fails (whose error would not say which
 *   row), one prepared INSERT on GDAL's own connection (GDALGetInternalHandle,
 *   inside the caller's transaction), bound row by row.
 *
 * The point geometries are GeoPackage blobs made from their WKB, byte for
 * byte those GDAL makes: the "GP" header (version 0, little-endian, no
 * envelope for a point; an empty point flagged empty, its coordinates
 * NaN), the layer's srs_id, then the point as ISO WKB.  What OGR would
 * have kept up to date is done at the end: the layer's extent in
 * gpkg_contents, its feature count in gpkg_ogr_contents, the time of the
 * change.  GDAL's triggers counting features one insert at a time are set
 * aside meanwhile and put back, as GDAL itself does in bulk.
 */
#include "outputs/outputs.h"
#include "geo/behind.h"
#include "geo/bigbuf.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "outputs/query.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

/* Header (8 bytes) and a 2-D point as WKB (21 bytes). */
#define POINT_BLOB 29

struct tp_gpkg_rows {
	sqlite3 *db;             /* GDAL's connection to the GeoPackage */
	sqlite3_stmt *insert;    /* INSERT of one row: the fields, then geom */
	const char *path;        /* the file, for messages */
	char *table;             /* the table */
	int geom_col;            /* parameter of geom (ncols + 1), or 0 for a table */
	int srs_id;              /* the layer's srs_id */
	char **triggers;         /* per trigger set aside: its SQL, then its DROP */
	int ntriggers;           /* 2 per trigger */
	long long n;             /* rows inserted */
	double minx, miny, maxx, maxy; /* extent of the non-empty points */
	int has_extent;          /* 1 once a point is in it */
	unsigned char blob[POINT_BLOB]; /* the current row's geometry */
	/* tp_gpkg_rows_copy: the points seen, for the spatial index */
	double *xy;              /* x, y of each non-empty point */
	int64_t *fid;            /* its FID */
	size_t npts, cap;        /* points, room for */
	long long ordinal;       /* rows seen by tp_gpkg_point() */
};

/* The store opened a second time, with the GeoPackage attached (tp_gpkg_rows_copy). */
struct tp_gpkg_copier {
	sqlite3 *db;             /* the store, read only; the GeoPackage as "gpkg" */
	sqlite3 *own;            /* the GeoPackage alone, or NULL (tp_gpkg_copier_own) */
	int own_failed;          /* 1: own is not to be opened (behind 0), or could not be */
	struct tp_view *view;    /* its guard, as the caller's view */
	tp_gpkg_rows *current;   /* the table being copied, for the SQL functions */
	tp_sorted_rows *sorted;  /* the rows table tp_sorted serves, or NULL */
};

/* Rows sorted in memory (tp_sorted_rows_load). */
struct tp_sorted_rows {
	unsigned char *data;     /* the rows, one after the other (see put_value) */
	size_t len, cap;         /* bytes used, room for */
	size_t *row;             /* offset of each row in data, in the order sorted */
	size_t nrows;            /* how many */
	int ncols;               /* columns served */
	size_t null_keys;        /* rows whose first key is NULL */
	atomic_int refs;         /* holders (tp_sorted_rows_share); freed by the last */
};

/* Sorted rows handed from the thread that read them to another (tp_rows_handoff_new). */
struct tp_rows_handoff {
	pthread_mutex_t lock;    /* over rows and put */
	pthread_cond_t ready;    /* signalled when put */
	tp_sorted_rows *rows;    /* the rows put and not yet taken (a holder), or NULL */
	int put;                 /* 1 once put (rows or none) */
};

/* TP_EOUTPUT naming the table with SQLite's message. */
static int fail(tp_gpkg_rows *r, const char *what)
{
	return tp_error_set(TP_EOUTPUT, "%s: layer %s: %s: %s", r->path, r->table, what,
			    sqlite3_errmsg(r->db));
}

/* Runs one statement on r's connection. */
static int exec(tp_gpkg_rows *r, const char *sql, const char *what)
{
	return sqlite3_exec(r->db, sql, NULL, NULL, NULL) == SQLITE_OK ? TP_OK : fail(r, what);
}

/* Sets aside the table's triggers (GDAL's feature count ones), keeping their SQL. */
static int set_triggers_aside(tp_gpkg_rows *r)
{
	sqlite3_stmt *st = NULL;
	int rc = TP_OK, step, k;

	if (sqlite3_prepare_v2(r->db,
			       "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
			       " AND tbl_name = ?1 ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK)
		return fail(r, "cannot read its triggers");
	sqlite3_bind_text(st, 1, r->table, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		char **grown = realloc(r->triggers, (size_t)(r->ntriggers + 2) * sizeof(*grown));
		if (!grown) {
			rc = tp_error_set(TP_ERROR, "%s: out of memory", r->path);
			break;
		}
		r->triggers = grown;
		r->triggers[r->ntriggers] = sqlite3_mprintf("%s", sqlite3_column_text(st, 1));
		r->triggers[r->ntriggers + 1] =
			sqlite3_mprintf("DROP TRIGGER \"%w\"", sqlite3_column_text(st, 0));
		r->ntriggers += 2;
		if (!r->triggers[r->ntriggers - 2] || !r->triggers[r->ntriggers - 1]) {
			rc = tp_error_set(TP_ERROR, "%s: out of memory", r->path);
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(r, "cannot read its triggers");
	sqlite3_finalize(st);
	/* triggers[2k] creates one, triggers[2k + 1] drops it */
	for (k = 1; k < r->ntriggers && !rc; k += 2)
		rc = exec(r, r->triggers[k], "cannot set its triggers aside");
	return rc;
}

int tp_gpkg_rows_begin(tp_gpkg_rows **out, void *ds, void *layer, const char *path,
		       const char *table, const char *const *names, int ncols, int spatial)
{
	tp_gpkg_rows *r;
	sqlite3_str *q = NULL;
	sqlite3_stmt *st = NULL;
	int rc = TP_OK, i;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return tp_error_set(TP_ERROR, "%s: out of memory", path);
	r->path = path;
	r->table = sqlite3_mprintf("%s", table);
	r->db = GDALGetInternalHandle(ds, "SQLITE_HANDLE");
	if (!r->table) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", path);
		goto cleanup;
	}
	if (!r->db) {
		rc = tp_error_set(TP_EOUTPUT, "%s: layer %s: GDAL gives no SQLite handle", path,
				  table);
		goto cleanup;
	}
	/* GDAL creates the table itself when it first needs it */
	CPLErrorReset();
	if (OGR_L_SyncToDisk(layer) != OGRERR_NONE) {
		rc = tp_gpkg_fail(path, table, "cannot create the table");
		goto cleanup;
	}
	if (spatial) {
		if (sqlite3_prepare_v2(r->db,
				       "SELECT srs_id FROM gpkg_geometry_columns"
				       " WHERE lower(table_name) = lower(?1)",
				       -1, &st, NULL) != SQLITE_OK) {
			rc = fail(r, "cannot read its srs_id");
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = fail(r, "no row in gpkg_geometry_columns");
			goto cleanup;
		}
		r->srs_id = sqlite3_column_int(st, 0);
		r->geom_col = ncols + 1;
	}
	q = sqlite3_str_new(NULL);
	sqlite3_str_appendf(q, "INSERT INTO \"%w\" (", table);
	for (i = 0; i < ncols; i++)
		sqlite3_str_appendf(q, "%s\"%w\"", i ? ", " : "", names[i]);
	if (spatial)
		sqlite3_str_appendf(q, "%s\"geom\"", ncols ? ", " : "");
	sqlite3_str_appendall(q, ") VALUES (");
	for (i = 0; i < ncols + (spatial != 0); i++)
		sqlite3_str_appendall(q, i ? ", ?" : "?");
	sqlite3_str_appendall(q, ")");
	if (sqlite3_str_errcode(q)) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", path);
		goto cleanup;
	}
	rc = set_triggers_aside(r);
	if (rc)
		goto cleanup;
	if (sqlite3_prepare_v2(r->db, sqlite3_str_value(q), -1, &r->insert, NULL) != SQLITE_OK)
		rc = fail(r, "cannot prepare the insert");
cleanup:
	sqlite3_finalize(st);
	sqlite3_free(sqlite3_str_finish(q));
	if (rc)
		tp_gpkg_rows_end(r, rc);
	else
		*out = r;
	return rc;
}

sqlite3_stmt *tp_gpkg_rows_stmt(tp_gpkg_rows *r)
{
	return r->insert;
}

/* Reads a little- or big-endian double or uint32 at p. */
static double get_double(const unsigned char *p, int le)
{
	unsigned char b[8];
	double v;
	int k;

	for (k = 0; k < 8; k++)
		b[k] = le ? p[k] : p[7 - k];
	memcpy(&v, b, 8);
	return v;
}

static uint32_t get_u32(const unsigned char *p, int le)
{
	return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			    (uint32_t)p[3] << 24
		  : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
			    (uint32_t)p[0] << 24;
}

/*
 * x, y of the point in wkb when it is a point (2-D, or with Z or M as
 * OGR flattens them): 1, else 0.  An empty point is NaN, NaN.
 */
static int wkb_point(const unsigned char *wkb, size_t len, double *x, double *y)
{
	uint32_t type;
	int le;

	if (len < 21 || wkb[0] > 1)
		return 0;
	le = wkb[0] == 1;
	type = get_u32(wkb + 1, le);
	/* ISO: 1, 1001 (Z), 2001 (M), 3001 (ZM); OGR's 2.5D and EWKB's flags */
	if (type != 1 && type != 1001 && type != 2001 && type != 3001 &&
	    (type & 0x0fffffffu) != 1)
		return 0;
	*x = get_double(wkb + 5, le);
	*y = get_double(wkb + 13, le);
	return 1;
}

static void extend(tp_gpkg_rows *r, double x, double y);

/* Point (x, y) as GDAL makes its GeoPackage blob, into r->blob. */
static void point_blob(tp_gpkg_rows *r, double x, double y, int empty)
{
	unsigned char *b = r->blob;
	uint32_t srs = (uint32_t)r->srs_id;
	uint64_t u;
	int k;

	b[0] = 'G';
	b[1] = 'P';
	b[2] = 0;                 /* version 1 of the blob format */
	b[3] = empty ? 0x11 : 0x01; /* little-endian, no envelope, empty flag */
	for (k = 0; k < 4; k++)
		b[4 + k] = (unsigned char)(srs >> (8 * k));
	b[8] = 1; /* WKB, little-endian */
	b[9] = 1;
	b[10] = b[11] = b[12] = 0;
	if (empty)
		x = y = NAN; /* GDAL's NaN: 0x7ff8000000000000 */
	memcpy(&u, &x, 8);
	for (k = 0; k < 8; k++)
		b[13 + k] = (unsigned char)(u >> (8 * k));
	memcpy(&u, &y, 8);
	for (k = 0; k < 8; k++)
		b[21 + k] = (unsigned char)(u >> (8 * k));
}

int tp_gpkg_rows_point(tp_gpkg_rows *r, const void *wkb, size_t len, long long n, double *xy)
{
	OGRGeometryH g = NULL;
	double x, y;
	int empty, rc;

	if (!wkb || len == 0) {
		sqlite3_bind_null(r->insert, r->geom_col);
		return 0;
	}
	if (!wkb_point(wkb, len, &x, &y)) {
		/* anything else OGR reads to name it, as the OGR path does */
		if (OGR_G_CreateFromWkb(wkb, NULL, &g, (int)len) != OGRERR_NONE || !g)
			return tp_error_set(TP_ESTORE,
					    "%s: layer %s: feature %lld: the geometry is not WKB",
					    r->path, r->table, n);
		OGR_G_FlattenTo2D(g);
		rc = tp_error_set(TP_ESTORE, "%s: layer %s: feature %lld: a %s where the layer holds %s",
				  r->path, r->table, n,
				  OGRGeometryTypeToName(OGR_G_GetGeometryType(g)),
				  OGRGeometryTypeToName(wkbPoint));
		OGR_G_DestroyGeometry(g);
		return rc;
	}
	empty = isnan(x) && isnan(y);
	point_blob(r, x, y, empty);
	sqlite3_bind_blob(r->insert, r->geom_col, r->blob, POINT_BLOB, SQLITE_STATIC);
	if (empty)
		return 0;
	extend(r, x, y);
	xy[0] = x;
	xy[1] = y;
	return 1;
}

/* Adds (x, y) to r's extent. */
static void extend(tp_gpkg_rows *r, double x, double y)
{
	if (!r->has_extent) {
		r->minx = r->maxx = x;
		r->miny = r->maxy = y;
		r->has_extent = 1;
	} else {
		r->minx = fmin(r->minx, x);
		r->maxx = fmax(r->maxx, x);
		r->miny = fmin(r->miny, y);
		r->maxy = fmax(r->maxy, y);
	}
}

int tp_gpkg_rows_insert(tp_gpkg_rows *r, long long *fid)
{
	int step = sqlite3_step(r->insert);

	sqlite3_reset(r->insert);
	sqlite3_clear_bindings(r->insert);
	if (step != SQLITE_DONE)
		return fail(r, "cannot write a feature");
	r->n++;
	if (fid)
		*fid = sqlite3_last_insert_rowid(r->db);
	return TP_OK;
}

int tp_gpkg_rows_end(tp_gpkg_rows *r, int rc)
{
	sqlite3_stmt *st = NULL;
	int k;

	if (!r)
		return rc;
	sqlite3_finalize(r->insert);
	r->insert = NULL;
	/* the triggers back, in their order */
	for (k = 0; k < r->ntriggers && !rc; k += 2)
		rc = exec(r, r->triggers[k], "cannot put its triggers back");
	/* what OGR writes once features went in: the extent (as GDAL writes
	 * it, through the text of %.18g, which SQLite reads back not always
	 * to the same double), the time, the count */
	if (!rc && r->has_extent) {
		char *q = sqlite3_mprintf("UPDATE gpkg_contents SET min_x = %.18g, min_y = %.18g,"
					  " max_x = %.18g, max_y = %.18g WHERE lower(table_name) ="
					  " lower('%q') AND lower(data_type) = 'features'",
					  r->minx, r->miny, r->maxx, r->maxy, r->table);
		rc = q ? exec(r, q, "cannot write its extent")
		       : tp_error_set(TP_ERROR, "%s: out of memory", r->path);
		sqlite3_free(q);
	}
	if (!rc && r->n) {
		const char *when = CPLGetConfigOption("OGR_CURRENT_DATE", NULL);
		if (sqlite3_prepare_v2(r->db,
				       "UPDATE gpkg_contents SET last_change ="
				       " COALESCE(?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
				       " WHERE lower(table_name) = lower(?2)",
				       -1, &st, NULL) != SQLITE_OK)
			rc = fail(r, "cannot write its last change");
		if (!rc) {
			sqlite3_bind_text(st, 1, when, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, r->table, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = fail(r, "cannot write its last change");
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if (!rc && r->n) {
		if (sqlite3_prepare_v2(r->db,
				       "UPDATE gpkg_ogr_contents SET feature_count = ?1"
				       " WHERE lower(table_name) = lower(?2)",
				       -1, &st, NULL) != SQLITE_OK)
			rc = fail(r, "cannot write its feature count");
		if (!rc) {
			sqlite3_bind_int64(st, 1, r->n);
			sqlite3_bind_text(st, 2, r->table, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				rc = fail(r, "cannot write its feature count");
		}
		sqlite3_finalize(st);
	}
	tp_big_free(r->xy);
	tp_big_free(r->fid);
	for (k = 0; k < r->ntriggers; k++)
		sqlite3_free(r->triggers[k]);
	free(r->triggers);
	sqlite3_free(r->table);
	free(r);
	return rc;
}

/* ---- in bulk: INSERT ... SELECT from the store -------------------------- */

/* tp_gpkg_point(wkb): the GeoPackage blob of a point, GDAL's; keeps the
 * point for the spatial index and the extent.  Fails on anything else. */
static void fn_point(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	tp_gpkg_copier *c = sqlite3_user_data(ctx);
	tp_gpkg_rows *r = c->current;
	const unsigned char *wkb = sqlite3_value_blob(argv[0]);
	size_t len = (size_t)sqlite3_value_bytes(argv[0]);
	double x, y;
	int empty;

	(void)argc;
	r->ordinal++;
	if (!wkb || len == 0) {
		sqlite3_result_null(ctx);
		return;
	}
	if (!wkb_point(wkb, len, &x, &y)) {
		sqlite3_result_error(ctx, "not the WKB of a point", -1);
		return;
	}
	empty = isnan(x) && isnan(y);
	point_blob(r, x, y, empty);
	sqlite3_result_blob(ctx, r->blob, POINT_BLOB, SQLITE_TRANSIENT);
	if (empty)
		return;
	extend(r, x, y);
	if (r->npts == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 1 << 16;
		double *grown = tp_big_realloc(r->xy, 2 * cap * sizeof(*grown));
		int64_t *fids = grown ? tp_big_realloc(r->fid, cap * sizeof(*fids)) : NULL;
		if (grown)
			r->xy = grown;
		if (!grown || !fids) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
		r->fid = fids;
		r->cap = cap;
	}
	r->xy[2 * r->npts] = x;
	r->xy[2 * r->npts + 1] = y;
	/* a new table's rows get FIDs 1, 2, ... in the order selected */
	r->fid[r->npts++] = r->ordinal;
}

/* tp_gpkg_date(text): text when it is a date YYYY-MM-DD, else a failure. */
static void fn_date(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	tp_date date;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		sqlite3_result_null(ctx);
	else if (tp_date_parse_iso(&date, s))
		sqlite3_result_error(ctx, "not a date", -1);
	else
		sqlite3_result_text(ctx, s, 10, SQLITE_TRANSIENT);
}

/* ---- a row set sorted in memory: table tp_sorted ------------------------ */

/*
 * SQLite sorts the million rows of vacancy_history, whole, by a key of
 * ~700 distinct values in 1.8 s (its record comparisons, a spill to temporary
 * files).  Read in their tie order instead (by id, no sort), kept in one
 * buffer and sorted here by their key, they are served in that order by an
 * eponymous virtual table, tp_sorted(c0, c1, ...), which the INSERT ...
 * SELECT reads in place of the row set: the same values, the same order.
 *
 * A row in data: per column a type byte (SQLite's), then an int64 or a
 * double (8 bytes, unaligned), or a length (4 bytes) and the bytes of a text
 * or blob; nothing for NULL.
 */

#define SORTED_MAX_COLS 64 /* columns tp_sorted declares */

/* Makes room for n more bytes in c->data: 0, or -1 out of memory. */
static int room(tp_sorted_rows *c, size_t n)
{
	unsigned char *grown;
	size_t cap;

	if (c->len + n <= c->cap)
		return 0;
	cap = c->cap ? c->cap : 1 << 22;
	while (cap < c->len + n)
		cap *= 2;
	grown = tp_big_realloc(c->data, cap);
	if (!grown)
		return -1;
	c->data = grown;
	c->cap = cap;
	return 0;
}

/* Appends column i of st's row to c->data: 0, or -1 out of memory. */
static int put_value(tp_sorted_rows *c, sqlite3_stmt *st, int i)
{
	int type = sqlite3_column_type(st, i);
	const void *p = NULL;
	uint32_t n = 0;
	int64_t v;
	double d;

	if (type == SQLITE_TEXT) {
		p = sqlite3_column_text(st, i);
		n = (uint32_t)sqlite3_column_bytes(st, i);
	} else if (type == SQLITE_BLOB) {
		p = sqlite3_column_blob(st, i);
		n = (uint32_t)sqlite3_column_bytes(st, i);
	}
	if (room(c, 1 + 8 + n))
		return -1;
	c->data[c->len++] = (unsigned char)type;
	switch (type) {
	case SQLITE_INTEGER:
		v = sqlite3_column_int64(st, i);
		memcpy(c->data + c->len, &v, 8);
		c->len += 8;
		break;
	case SQLITE_FLOAT:
		d = sqlite3_column_double(st, i);
		memcpy(c->data + c->len, &d, 8);
		c->len += 8;
		break;
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		memcpy(c->data + c->len, &n, 4);
		if (n)
			memcpy(c->data + c->len + 4, p, n);
		c->len += 4 + n;
		break;
	default:
		break;
	}
	return 0;
}

/* The start of the value after the one at p. */
static const unsigned char *next_value(const unsigned char *p)
{
	uint32_t n;

	switch (p[0]) {
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		return p + 9;
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		memcpy(&n, p + 1, 4);
		return p + 5 + n;
	default:
		return p + 1;
	}
}

/*
 * A row's sort key, made to compare ascending whatever each key column's
 * direction: per column a class (SQLite puts NULL before numbers, so after
 * them when descending) and the number, negated when descending.
 */
typedef struct {
	size_t i;              /* the row, in the order read (ties keep it) */
	size_t at;             /* its offset in data */
	double key[2];         /* the key columns' values, as compared */
	unsigned char cls[2];  /* their classes, compared first */
} sort_row;

static int compare_rows(const void *pa, const void *pb)
{
	const sort_row *a = pa, *b = pb;
	int k;

	for (k = 0; k < 2; k++) {
		if (a->cls[k] != b->cls[k])
			return a->cls[k] < b->cls[k] ? -1 : 1;
		if (a->key[k] != b->key[k])
			return a->key[k] < b->key[k] ? -1 : 1;
	}
	return a->i < b->i ? -1 : a->i > b->i;
}

void tp_sorted_rows_free(tp_sorted_rows *c)
{
	/* the last holder frees (another thread may still read them) */
	if (!c || atomic_fetch_sub(&c->refs, 1) > 1)
		return;
	tp_big_free(c->data);
	tp_big_free(c->row);
	free(c);
}

int tp_sorted_rows_load(tp_sorted_rows **out, sqlite3 *db, const char *sql, int ncols,
			int nkeys, const tp_sort_key *keys)
{
	sqlite3_stmt *st = NULL;
	sort_row *rows = NULL;
	tp_sorted_rows *c;
	size_t n = 0, cap = 0, k;
	int step, i, rc = 1;

	*out = NULL;
	if (nkeys < 1 || nkeys > 2 || ncols < 1 || ncols > SORTED_MAX_COLS)
		return 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return 1;
	atomic_init(&c->refs, 1);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_column_count(st) < ncols)
		goto cleanup;
	for (i = 0; i < nkeys; i++)
		if (keys[i].col < 0 || keys[i].col >= sqlite3_column_count(st))
			goto cleanup;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t grown_cap = cap ? 2 * cap : 1 << 16;
			sort_row *grown = tp_big_realloc(rows, grown_cap * sizeof(*grown));
			if (!grown)
				goto cleanup;
			rows = grown;
			cap = grown_cap;
		}
		rows[n].i = n;
		rows[n].at = c->len;
		for (i = 0; i < nkeys; i++) {
			int col = keys[i].col, type = sqlite3_column_type(st, col);
			double v;
			/* an integer past 2^53 would not compare exactly as a double;
			 * a text or blob key, SQLite's order of those: left to SQLite */
			if (type == SQLITE_INTEGER && llabs(sqlite3_column_int64(st, col)) > (1LL << 53))
				goto cleanup;
			if (type != SQLITE_NULL && type != SQLITE_INTEGER && type != SQLITE_FLOAT)
				goto cleanup;
			v = type == SQLITE_NULL ? 0 : sqlite3_column_double(st, col);
			rows[n].cls[i] = (type == SQLITE_NULL) == !keys[i].nulls_last ? 0 : 1;
			c->null_keys += i == 0 && type == SQLITE_NULL;
			rows[n].key[i] = keys[i].desc ? -v : v;
		}
		for (; i < 2; i++) {
			rows[n].cls[i] = 0;
			rows[n].key[i] = 0;
		}
		for (i = 0; i < ncols; i++)
			if (put_value(c, st, i))
				goto cleanup;
		n++;
	}
	if (step != SQLITE_DONE)
		goto cleanup;
	c->row = tp_big_alloc((n ? n : 1) * sizeof(*c->row));
	if (!c->row)
		goto cleanup;
	if (n) /* no rows, no array to sort */
		qsort(rows, n, sizeof(*rows), compare_rows);
	for (k = 0; k < n; k++)
		c->row[k] = rows[k].at;
	c->nrows = n;
	c->ncols = ncols;
	rc = TP_OK;
cleanup:
	sqlite3_finalize(st);
	tp_big_free(rows);
	if (rc)
		tp_sorted_rows_free(c);
	else
		*out = c;
	return rc;
}

tp_sorted_rows *tp_sorted_rows_share(tp_sorted_rows *rows)
{
	if (rows)
		atomic_fetch_add(&rows->refs, 1);
	return rows;
}

size_t tp_sorted_rows_null_keys(const tp_sorted_rows *rows)
{
	return rows->null_keys;
}

int tp_rows_handoff_new(tp_rows_handoff **out)
{
	tp_rows_handoff *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return tp_error_set(TP_ERROR, "out of memory");
	if (pthread_mutex_init(&h->lock, NULL)) {
		free(h);
		return tp_error_set(TP_ERROR, "cannot create a lock");
	}
	if (pthread_cond_init(&h->ready, NULL)) {
		pthread_mutex_destroy(&h->lock);
		free(h);
		return tp_error_set(TP_ERROR, "cannot create a condition");
	}
	*out = h;
	return TP_OK;
}

void tp_rows_handoff_put(tp_rows_handoff *h, tp_sorted_rows *rows)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	if (!h->put) {
		h->rows = tp_sorted_rows_share(rows);
		h->put = 1;
		pthread_cond_broadcast(&h->ready);
	}
	pthread_mutex_unlock(&h->lock);
}

tp_sorted_rows *tp_rows_handoff_take(tp_rows_handoff *h)
{
	tp_sorted_rows *rows;

	pthread_mutex_lock(&h->lock);
	while (!h->put)
		pthread_cond_wait(&h->ready, &h->lock);
	rows = h->rows;
	h->rows = NULL;
	pthread_mutex_unlock(&h->lock);
	return rows;
}

void tp_rows_handoff_free(tp_rows_handoff *h)
{
	if (!h)
		return;
	tp_sorted_rows_free(h->rows);
	pthread_cond_destroy(&h->ready);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

void tp_gpkg_copier_serve(tp_gpkg_copier *c, tp_sorted_rows *rows)
{
	tp_sorted_rows_free(c->sorted);
	c->sorted = rows;
}

int tp_gpkg_copier_sort(tp_gpkg_copier *c, const char *sql, int ncols, int nkeys,
			const tp_sort_key *keys)
{
	tp_sorted_rows *rows = NULL;
	int rc = tp_sorted_rows_load(&rows, c->db, sql, ncols, nkeys, keys);

	tp_gpkg_copier_serve(c, rows);
	return rc;
}

void tp_gpkg_copier_unsort(tp_gpkg_copier *c)
{
	tp_gpkg_copier_serve(c, NULL);
}

/* The cursor of tp_sorted: the row served, its columns' values. */
typedef struct {
	sqlite3_vtab_cursor base;              /* SQLite's */
	tp_sorted_rows *const *rows;           /* the rows served */
	size_t at;                             /* the row served */
	long decoded;                          /* the row whose values are in col, or -1 */
	const unsigned char *col[SORTED_MAX_COLS]; /* its values */
} sorted_cursor;

/* The table of tp_sorted. */
typedef struct {
	sqlite3_vtab base;  /* SQLite's */
	tp_sorted_rows *const *rows; /* the rows served */
} sorted_table;

static int sorted_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
			  sqlite3_vtab **out, char **err)
{
	sqlite3_str *q = sqlite3_str_new(db);
	sorted_table *t;
	int rc, i;

	(void)argc;
	(void)argv;
	(void)err;
	sqlite3_str_appendall(q, "CREATE TABLE x(");
	for (i = 0; i < SORTED_MAX_COLS; i++)
		sqlite3_str_appendf(q, "%sc%d", i ? ", " : "", i);
	sqlite3_str_appendall(q, ")");
	rc = sqlite3_str_errcode(q) ? SQLITE_NOMEM
				    : sqlite3_declare_vtab(db, sqlite3_str_value(q));
	sqlite3_free(sqlite3_str_finish(q));
	if (rc != SQLITE_OK)
		return rc;
	t = sqlite3_malloc(sizeof(*t));
	if (!t)
		return SQLITE_NOMEM;
	memset(t, 0, sizeof(*t));
	t->rows = aux;
	*out = &t->base;
	return SQLITE_OK;
}

static int sorted_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int sorted_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	(void)vt;
	info->estimatedCost = 1e6;
	info->estimatedRows = 1000000;
	return SQLITE_OK;
}

static int sorted_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	sorted_cursor *cur = sqlite3_malloc(sizeof(*cur));

	if (!cur)
		return SQLITE_NOMEM;
	memset(cur, 0, sizeof(*cur));
	cur->rows = ((sorted_table *)vt)->rows;
	cur->decoded = -1;
	*out = &cur->base;
	return SQLITE_OK;
}

static int sorted_close(sqlite3_vtab_cursor *vc)
{
	sqlite3_free(vc);
	return SQLITE_OK;
}

static int sorted_filter(sqlite3_vtab_cursor *vc, int idx, const char *idx_str, int argc,
			 sqlite3_value **argv)
{
	sorted_cursor *cur = (sorted_cursor *)vc;

	(void)idx;
	(void)idx_str;
	(void)argc;
	(void)argv;
	cur->at = 0;
	cur->decoded = -1;
	return SQLITE_OK;
}

/* Rows ahead of the one served whose bytes are fetched meanwhile. */
#define SORTED_AHEAD 4

static int sorted_next(sqlite3_vtab_cursor *vc)
{
	sorted_cursor *cur = (sorted_cursor *)vc;
	const tp_sorted_rows *rows = *cur->rows;
	size_t ahead = ++cur->at + SORTED_AHEAD;

	/* sorted, the rows are read out of the order they lie in: each row's
	 * first read missed the cache (most of tp_sorted's time) */
	if (rows && ahead < rows->nrows) {
		__builtin_prefetch(rows->data + rows->row[ahead]);
		__builtin_prefetch(rows->data + rows->row[ahead] + 64);
	}
	return SQLITE_OK;
}

static int sorted_eof(sqlite3_vtab_cursor *vc)
{
	sorted_cursor *cur = (sorted_cursor *)vc;

	return !*cur->rows || cur->at >= (*cur->rows)->nrows;
}

static int sorted_column(sqlite3_vtab_cursor *vc, sqlite3_context *ctx, int i)
{
	sorted_cursor *cur = (sorted_cursor *)vc;
	const tp_sorted_rows *rows = *cur->rows;
	const unsigned char *p;
	int64_t v;
	double d;
	uint32_t n;
	int k;

	if (!rows || i >= rows->ncols) {
		sqlite3_result_null(ctx);
		return SQLITE_OK;
	}
	if (cur->decoded != (long)cur->at) {
		p = rows->data + rows->row[cur->at];
		for (k = 0; k < rows->ncols; k++) {
			cur->col[k] = p;
			p = next_value(p);
		}
		cur->decoded = (long)cur->at;
	}
	p = cur->col[i];
	switch (p[0]) {
	case SQLITE_INTEGER:
		memcpy(&v, p + 1, 8);
		sqlite3_result_int64(ctx, v);
		break;
	case SQLITE_FLOAT:
		memcpy(&d, p + 1, 8);
		sqlite3_result_double(ctx, d);
		break;
	case SQLITE_TEXT:
		memcpy(&n, p + 1, 4);
		sqlite3_result_text(ctx, (const char *)p + 5, (int)n, SQLITE_STATIC);
		break;
	case SQLITE_BLOB:
		memcpy(&n, p + 1, 4);
		sqlite3_result_blob(ctx, p + 5, (int)n, SQLITE_STATIC);
		break;
	default:
		sqlite3_result_null(ctx);
	}
	return SQLITE_OK;
}

static int sorted_rowid(sqlite3_vtab_cursor *vc, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64)((sorted_cursor *)vc)->at + 1;
	return SQLITE_OK;
}

/* tp_sorted: eponymous only (no CREATE VIRTUAL TABLE), read only. */
static const sqlite3_module sorted_module = {
	.iVersion = 0,
	.xCreate = NULL,
	.xConnect = sorted_connect,
	.xBestIndex = sorted_best_index,
	.xDisconnect = sorted_disconnect,
	.xDestroy = sorted_disconnect,
	.xOpen = sorted_open,
	.xClose = sorted_close,
	.xFilter = sorted_filter,
	.xNext = sorted_next,
	.xEof = sorted_eof,
	.xColumn = sorted_column,
	.xRowid = sorted_rowid,
};

int tp_sorted_rows_serve(sqlite3 *db, tp_sorted_rows **slot)
{
	return sqlite3_create_module_v2(db, "tp_sorted", &sorted_module, slot, NULL) == SQLITE_OK
		       ? TP_OK
		       : tp_error_set(TP_ERROR, "cannot serve sorted rows: %s", sqlite3_errmsg(db));
}

int tp_gpkg_copier_open(tp_gpkg_copier **out, sqlite3 *store, void *ds, int internal,
			int behind)
{
	sqlite3 *gdal = GDALGetInternalHandle(ds, "SQLITE_HANDLE");
	const char *file = sqlite3_db_filename(store, "main");
	const char *gpkg = gdal ? sqlite3_db_filename(gdal, "main") : NULL;
	tp_gpkg_copier *c;
	char *attach, *uri;
	int ok;

	*out = NULL;
	/* a store in memory cannot be opened twice: the rows go one at a time */
	if (!file || !*file || !gpkg || !*gpkg)
		return TP_OK;
	c = calloc(1, sizeof(*c));
	if (!c)
		return tp_error_set(TP_ERROR, "out of memory");
	c->own_failed = !behind; /* no connection of its own then */
	/* the GeoPackage written behind (geo/behind.h): its pages go to the file
	 * on a thread of their own */
	uri = behind && tp_behind_register() == SQLITE_OK ? tp_behind_uri(gpkg) : NULL;
	attach = sqlite3_mprintf("ATTACH %Q AS gpkg; PRAGMA gpkg.synchronous = OFF;"
				 " PRAGMA gpkg.cache_size = -65536; PRAGMA main.cache_size = -65536",
				 uri ? uri : gpkg);
	sqlite3_free(uri);
	/* one thread uses it: no mutex per call */
	ok = attach &&
	     sqlite3_open_v2(file, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
			     NULL) ==
		     SQLITE_OK &&
	     sqlite3_exec(c->db, attach, NULL, NULL, NULL) == SQLITE_OK &&
	     sqlite3_create_function(c->db, "tp_gpkg_point", 1, SQLITE_UTF8, c, fn_point, NULL,
				     NULL) == SQLITE_OK &&
	     sqlite3_create_function(c->db, "tp_gpkg_date", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				     NULL, fn_date, NULL, NULL) == SQLITE_OK &&
	     tp_sorted_rows_serve(c->db, &c->sorted) == TP_OK &&
	     tp_view_open(&c->view, c->db, internal) == TP_OK;
	sqlite3_free(attach);
	if (!ok) {
		/* not worth a failure: the rows go one at a time */
		tp_gpkg_copier_close(c);
		tp_error_clear();
		return TP_OK;
	}
	*out = c;
	return TP_OK;
}

void tp_gpkg_copier_close(tp_gpkg_copier *c)
{
	if (!c)
		return;
	tp_view_close(c->view);
	sqlite3_close(c->db);
	sqlite3_close(c->own);
	tp_gpkg_copier_unsort(c);
	free(c);
}

sqlite3 *tp_gpkg_copier_own(tp_gpkg_copier *c)
{
	const char *gpkg;
	char *uri;

	if (c->own || c->own_failed)
		return c->own;
	gpkg = sqlite3_db_filename(c->db, "gpkg");
	uri = gpkg && *gpkg && tp_behind_register() == SQLITE_OK ? tp_behind_uri(gpkg) : NULL;
	/* one thread uses it: no mutex per call */
	if (!uri ||
	    sqlite3_open_v2(uri, &c->own,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(c->own, "PRAGMA synchronous = OFF; PRAGMA cache_size = -65536", NULL,
			 NULL, NULL) != SQLITE_OK) {
		sqlite3_close(c->own);
		c->own = NULL;
		c->own_failed = 1;
	}
	sqlite3_free(uri);
	return c->own;
}

const char *tp_gpkg_copier_sql(const tp_gpkg_copier *c, int set)
{
	return tp_rows_sql(c->view, (tp_rowset)set);
}

int tp_gpkg_copier_match(tp_gpkg_copier *c, int set, int from, int *map, int n)
{
	sqlite3_stmt *a = NULL, *b = NULL;
	int ok, i, k;

	ok = sqlite3_prepare_v2(c->db, tp_gpkg_copier_sql(c, set), -1, &a, NULL) == SQLITE_OK &&
	     sqlite3_prepare_v2(c->db, tp_gpkg_copier_sql(c, from), -1, &b, NULL) == SQLITE_OK &&
	     sqlite3_column_count(a) == n;
	for (i = 0; ok && i < n; i++) {
		const char *name = sqlite3_column_name(a, i);
		for (k = 0; name && k < sqlite3_column_count(b); k++) {
			const char *other = sqlite3_column_name(b, k);
			if (other && !strcmp(name, other))
				break;
		}
		ok = name && k < sqlite3_column_count(b);
		map[i] = k;
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	return ok;
}

int tp_gpkg_copier_decltypes(tp_gpkg_copier *c, int set, char *decl, int n)
{
	sqlite3_stmt *st = NULL;
	int i, ok;

	memset(decl, 0, (size_t)n);
	ok = sqlite3_prepare_v2(c->db, tp_gpkg_copier_sql(c, set), -1, &st, NULL) == SQLITE_OK &&
	     sqlite3_column_count(st) >= n;
	for (i = 0; ok && i < n; i++) {
		const char *t = sqlite3_column_decltype(st, i);
		decl[i] = !t                        ? 0
			  : !sqlite3_stricmp(t, "TEXT") ? 'T'
			  : !sqlite3_stricmp(t, "REAL") ? 'R'
							: 0;
	}
	sqlite3_finalize(st);
	if (!ok)
		memset(decl, 0, (size_t)n);
	return ok ? TP_OK : TP_ERROR;
}

int tp_gpkg_rows_copy(tp_gpkg_rows *r, tp_gpkg_copier *c, const char *columns, const char *select,
		      long long *n)
{
	char *q = sqlite3_mprintf("INSERT INTO gpkg.\"%w\" (%s) %s", r->table, columns, select);
	int ok;

	*n = 0;
	if (!q)
		return tp_error_set(TP_ERROR, "%s: out of memory", r->path);
	c->current = r;
	r->ordinal = 0;
	ok = sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	ok = ok && sqlite3_exec(c->db, q, NULL, NULL, NULL) == SQLITE_OK;
	/* the FIDs kept are those SQLite gave: 1.. in the order selected */
	ok = ok && (sqlite3_changes64(c->db) == 0 ||
		    sqlite3_last_insert_rowid(c->db) == sqlite3_changes64(c->db)) &&
	     (!r->geom_col || r->ordinal == sqlite3_changes64(c->db));
	if (ok) {
		*n = sqlite3_changes64(c->db);
		ok = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
	}
	sqlite3_free(q);
	c->current = NULL;
	if (ok) {
		r->n = *n;
		return TP_OK;
	}
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	/* the caller writes the rows one at a time, which names what failed */
	r->has_extent = 0;
	r->npts = 0;
	*n = 0;
	return TP_ERROR;
}

void tp_gpkg_rows_points(tp_gpkg_rows *r, double **xy, int64_t **fid, size_t *n)
{
	*xy = r->xy;
	*fid = r->fid;
	*n = r->npts;
	r->xy = NULL;
	r->fid = NULL;
	r->npts = r->cap = 0;
}

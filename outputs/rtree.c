/*
 * rtree.c: a GeoPackage spatial index loaded in bulk (outputs.h).
 *
 * GDAL 3.6 fills a layer's R-tree one insert at a time, through SQLite's
 * R*Tree module: 7 s for a million points in Morton order, 20 s in a
 * random order.  The tree of points already sorted along a curve can be
 * packed instead: leaves hold runs of consecutive points, each level's
 * nodes hold runs of the level below, and the nodes are written straight
 * into the three tables behind the R*Tree virtual table, on the dataset's
 * own SQLite connection (GDAL's SQL for the statements run once, prepared
 * statements for the nodes and the rows' leaves), or on a connection of
 * the caller's that writes the file behind (tp_gpkg_point_rtree_on).
 *
 * What SQLite expects there (its ext/rtree/rtree.c describes it): node 1
 * is the root; a node is a blob of 2 bytes of depth (read on the root
 * only: the number of levels below it), 2 bytes of cell count, then cells
 * of an 8-byte id (a row's id in a leaf, a child node's number above) and
 * four 4-byte floats (min x, max x, min y, max y), all big-endian, padded
 * to the node size; %_rowid maps each row to its leaf, %_parent each node
 * but the root to its parent.  Boxes are rounded outwards to float, as the
 * module does.  The GeoPackage part (the extension row and the triggers
 * that keep the tree up to date afterwards) is the one its specification
 * gives for the gpkg_rtree_index extension.
 */
#include "outputs/outputs.h"
#include "geo/bigbuf.h"
#include "geo/error.h"
#include "geo/sqlbatch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

/* Cells per node: SQLite's largest for a 2-D tree of floats, whose node is
 * then 4 + 24 * 51 = 1228 bytes (checked against the table it made). */
#define FANOUT 51
#define NODE_BYTES (4 + 24 * FANOUT)

/* Points ahead whose coordinates and FID are fetched while one is read:
 * read in curve order, they lie anywhere in memory (10M points: 240 MB);
 * fetched one at a time, each waited for its cache miss. */
#define AHEAD 64

typedef struct {
	float minx, maxx, miny, maxy;
} box;

/* Runs one statement; a SELECT's first column of its first row goes to
 * *first when asked.  TP_EOUTPUT naming the file on failure. */
static int sql(GDALDatasetH ds, const char *path, const char *text, long long *first)
{
	OGRLayerH res;
	int rc = TP_OK;

	CPLErrorReset();
	res = GDALDatasetExecuteSQL(ds, text, NULL, NULL);
	if (CPLGetLastErrorType() >= CE_Failure)
		rc = tp_error_set(TP_EOUTPUT, "%s: building the spatial index: %s", path,
				  CPLGetLastErrorMsg());
	if (res && first) {
		OGRFeatureH f = OGR_L_GetNextFeature(res);
		*first = f ? OGR_F_GetFieldAsInteger64(f, 0) : -1;
		if (f)
			OGR_F_Destroy(f);
	}
	if (res)
		GDALDatasetReleaseResultSet(ds, res);
	return rc;
}

static float down(double v)
{
	float f = (float)v;

	return (double)f > v ? nextafterf(f, -INFINITY) : f;
}

static float up(double v)
{
	float f = (float)v;

	return (double)f < v ? nextafterf(f, INFINITY) : f;
}

static void put_u64(unsigned char *p, unsigned long long v)
{
	int k;

	for (k = 0; k < 8; k++)
		p[k] = (unsigned char)(v >> (56 - 8 * k));
}

static void put_float(unsigned char *p, float f)
{
	unsigned int u;

	memcpy(&u, &f, 4);
	p[0] = (unsigned char)(u >> 24);
	p[1] = (unsigned char)(u >> 16);
	p[2] = (unsigned char)(u >> 8);
	p[3] = (unsigned char)u;
}

/* The node writer: one prepared INSERT on the dataset's own SQLite
 * connection, each node bound as a blob (GDAL's SQL parser, given the nodes
 * as hex literals, spent longer looking for keywords in the text than
 * SQLite took to store them). */
typedef struct {
	sqlite3 *db;         /* GDAL's connection */
	sqlite3_stmt *st;    /* INSERT OR REPLACE INTO %_node */
	const char *path;    /* for messages */
	int rc;              /* first failure */
} writer;

/* Writes node nodeno: depth (the root's only), cells ids[k] with boxes b[k]. */
static void write_node(writer *w, long long nodeno, int depth, const long long *ids,
		       const box *b, int ncell)
{
	unsigned char blob[NODE_BYTES];
	int k;

	if (w->rc)
		return;
	memset(blob, 0, sizeof(blob));
	blob[0] = (unsigned char)(depth >> 8);
	blob[1] = (unsigned char)depth;
	blob[2] = (unsigned char)(ncell >> 8);
	blob[3] = (unsigned char)ncell;
	for (k = 0; k < ncell; k++) {
		unsigned char *c = blob + 4 + 24 * k;
		put_u64(c, (unsigned long long)ids[k]);
		put_float(c + 8, b[k].minx);
		put_float(c + 12, b[k].maxx);
		put_float(c + 16, b[k].miny);
		put_float(c + 20, b[k].maxy);
	}
	sqlite3_bind_int64(w->st, 1, nodeno);
	sqlite3_bind_blob(w->st, 2, blob, NODE_BYTES, SQLITE_STATIC);
	if (sqlite3_step(w->st) != SQLITE_DONE)
		w->rc = tp_error_set(TP_EOUTPUT, "%s: building the spatial index: %s", w->path,
				     sqlite3_errmsg(w->db));
	sqlite3_reset(w->st);
}

static box join_box(box a, box b)
{
	a.minx = fminf(a.minx, b.minx);
	a.maxx = fmaxf(a.maxx, b.maxx);
	a.miny = fminf(a.miny, b.miny);
	a.maxy = fmaxf(a.maxy, b.maxy);
	return a;
}

/* The GeoPackage's side: the extension row and the triggers of the
 * gpkg_rtree_index extension (GeoPackage 1.2, as GDAL 3.6 writes them),
 * one statement at a time. */
static int register_index(GDALDatasetH ds, const char *path, const char *t)
{
	static const char *const parts[] = {
		"INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
		"scope) VALUES ('%1$s', 'geom', 'gpkg_rtree_index', "
		"'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
		"CREATE TRIGGER \"rtree_%1$s_geom_insert\" AFTER INSERT ON \"%1$s\" WHEN "
		"(new.\"geom\" NOT NULL AND NOT ST_IsEmpty(NEW.\"geom\")) BEGIN INSERT OR REPLACE "
		"INTO \"rtree_%1$s_geom\" VALUES (NEW.\"fid\",ST_MinX(NEW.\"geom\"), "
		"ST_MaxX(NEW.\"geom\"),ST_MinY(NEW.\"geom\"), ST_MaxY(NEW.\"geom\")); END",
		"CREATE TRIGGER \"rtree_%1$s_geom_update1\" AFTER UPDATE OF \"geom\" ON \"%1$s\" "
		"WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT "
		"ST_IsEmpty(NEW.\"geom\")) BEGIN INSERT OR REPLACE INTO \"rtree_%1$s_geom\" VALUES "
		"(NEW.\"fid\",ST_MinX(NEW.\"geom\"), ST_MaxX(NEW.\"geom\"),ST_MinY(NEW.\"geom\"), "
		"ST_MaxY(NEW.\"geom\")); END",
		"CREATE TRIGGER \"rtree_%1$s_geom_update2\" AFTER UPDATE OF \"geom\" ON \"%1$s\" "
		"WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR "
		"ST_IsEmpty(NEW.\"geom\")) BEGIN DELETE FROM \"rtree_%1$s_geom\" WHERE id = "
		"OLD.\"fid\"; END",
		"CREATE TRIGGER \"rtree_%1$s_geom_update3\" AFTER UPDATE ON \"%1$s\" WHEN "
		"OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT "
		"ST_IsEmpty(NEW.\"geom\")) BEGIN DELETE FROM \"rtree_%1$s_geom\" WHERE id = "
		"OLD.\"fid\"; INSERT OR REPLACE INTO \"rtree_%1$s_geom\" VALUES (NEW.\"fid\","
		"ST_MinX(NEW.\"geom\"), ST_MaxX(NEW.\"geom\"),ST_MinY(NEW.\"geom\"), "
		"ST_MaxY(NEW.\"geom\")); END",
		"CREATE TRIGGER \"rtree_%1$s_geom_update4\" AFTER UPDATE ON \"%1$s\" WHEN "
		"OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR "
		"ST_IsEmpty(NEW.\"geom\")) BEGIN DELETE FROM \"rtree_%1$s_geom\" WHERE id IN "
		"(OLD.\"fid\", NEW.\"fid\"); END",
		"CREATE TRIGGER \"rtree_%1$s_geom_delete\" AFTER DELETE ON \"%1$s\" WHEN "
		"old.\"geom\" NOT NULL BEGIN DELETE FROM \"rtree_%1$s_geom\" WHERE id = "
		"OLD.\"fid\"; END",
	};
	char q[2048];
	size_t k;
	int rc = TP_OK;

	for (k = 0; k < sizeof(parts) / sizeof(parts[0]) && !rc; k++) {
		if (snprintf(q, sizeof(q), parts[k], t) >= (int)sizeof(q))
			return tp_error_set(TP_EOUTPUT, "%s: layer name too long: %s", path, t);
		rc = sql(ds, path, q, NULL);
	}
	return rc;
}

/* A row of %_rowid: a point's FID and its leaf. */
typedef struct {
	long long fid, node;
} rowid_row;

static int by_fid(const void *a, const void *b)
{
	long long x = ((const rowid_row *)a)->fid, y = ((const rowid_row *)b)->fid;

	return (x > y) - (x < y);
}

/* Fills %_rowid for points given their FIDs (leaf base + j / FANOUT holds
 * the j-th point of order), in FID order so that the table's B-tree grows
 * at its end, many rows a statement (geo/sqlbatch.h), on db (the writer's,
 * inside its transaction). */
static int write_rowids(sqlite3 *db, const char *path, const char *table,
			const uint64_t *order, const int64_t *fid, size_t n, long long base)
{
	rowid_row *rows = NULL;
	uint32_t *leaf = NULL;
	tp_batch b;
	char into[256];
	size_t j;
	int rc = TP_OK, ok, first, rising;

	if (!db)
		return tp_error_set(TP_EOUTPUT, "%s: building the spatial index: GDAL gives no"
				    " SQLite handle", path);
	for (j = 1; j < n && fid[j - 1] < fid[j]; j++)
		;
	rising = j >= n;
	if (rising ? !(leaf = tp_big_alloc((n ? n : 1) * sizeof(*leaf)))
		   : !(rows = tp_big_alloc((n ? n : 1) * sizeof(*rows))))
		return tp_error_set(TP_ERROR, "out of memory");
	if (rising) {
		/* FIDs rising with the points (as written): each point's leaf at
		 * its own index, already in FID order, without a sort.  4 bytes a
		 * point written at random, not a 16-byte row: 10M points' rows
		 * were 160 MB of cache misses */
		for (j = 0; j < n; j++) {
			if (j + AHEAD < n)
				__builtin_prefetch(leaf + (order[j + AHEAD] & 0xffffffffu), 1);
			leaf[order[j] & 0xffffffffu] = (uint32_t)(j / FANOUT);
		}
	} else {
		for (j = 0; j < n; j++)
			rows[j] = (rowid_row){fid[order[j] & 0xffffffffu],
					      base + (long long)(j / FANOUT)};
		qsort(rows, n, sizeof(*rows), by_fid);
	}
	sqlite3_snprintf(sizeof(into), into, "\"rtree_%w_geom_rowid\"(rowid, nodeno)", table);
	ok = tp_batch_begin(&b, db, into, 2, n) == SQLITE_OK;
	for (j = 0; j < n && ok; j++) {
		sqlite3_stmt *st = tp_batch_row(&b, &first);
		tp_batch_bind_id(&b, st, first, rising ? fid[j] : rows[j].fid);
		sqlite3_bind_int64(st, first + 1, rising ? base + (long long)leaf[j] : rows[j].node);
		ok = tp_batch_end_row(&b) == SQLITE_OK;
	}
	if (!ok)
		rc = tp_error_set(TP_EOUTPUT, "%s: building the spatial index: %s", path,
				  sqlite3_errmsg(db));
	tp_batch_end(&b);
	tp_big_free(rows);
	tp_big_free(leaf);
	return rc;
}

/* Runs one statement on own, or through GDAL's SQL when own is NULL. */
static int run(GDALDatasetH ds, sqlite3 *own, const char *path, const char *text)
{
	if (own && sqlite3_exec(own, text, NULL, NULL, NULL) != SQLITE_OK)
		return tp_error_set(TP_EOUTPUT, "%s: building the spatial index: %s", path,
				    sqlite3_errmsg(own));
	return own ? TP_OK : sql(ds, path, text, NULL);
}

/* tp_gpkg_point_rtree (own NULL) and tp_gpkg_point_rtree_on (own). */
static int pack(GDALDatasetH ds, sqlite3 *own, const char *path, const char *table,
		const double *xy, const uint64_t *order, const int64_t *fid, size_t n)
{
	writer w = {own ? own : GDALGetInternalHandle(ds, "SQLITE_HANDLE"), NULL, path, TP_OK};
	long long *ids = NULL, node_size = -1, base = 1, next;
	box *level = NULL, cell[FANOUT];
	size_t m, k, j, nnodes;
	int depth = 0, rc;
	char q[512];

	snprintf(q, sizeof(q),
		 "CREATE VIRTUAL TABLE \"rtree_%s_geom\" USING rtree(id, minx, maxx, miny, maxy)",
		 table);
	rc = sql(ds, path, q, NULL);
	snprintf(q, sizeof(q), "SELECT length(data) FROM \"rtree_%s_geom_node\" WHERE nodeno = 1",
		 table);
	if (!rc)
		rc = sql(ds, path, q, &node_size);
	if (!rc && node_size != NODE_BYTES)
		rc = tp_error_set(TP_EOUTPUT, "%s: this SQLite makes R-tree nodes of %lld bytes, not %d",
				  path, node_size, NODE_BYTES);
	if (rc)
		return rc;
	if (!w.db)
		return tp_error_set(TP_EOUTPUT, "%s: building the spatial index: GDAL gives no"
				    " SQLite handle", path);
	if (own && (rc = run(ds, own, path, "BEGIN")) != TP_OK)
		return rc;
	snprintf(q, sizeof(q), "INSERT OR REPLACE INTO \"rtree_%s_geom_node\" (nodeno, data)"
		 " VALUES (?1, ?2)", table);
	if (sqlite3_prepare_v2(w.db, q, -1, &w.st, NULL) != SQLITE_OK) {
		rc = tp_error_set(TP_EOUTPUT, "%s: building the spatial index: %s", path,
				  sqlite3_errmsg(w.db));
		goto done;
	}
	ids = malloc(FANOUT * sizeof(*ids));
	level = malloc(((n + FANOUT - 1) / FANOUT + 1) * sizeof(*level));
	if (!ids || !level) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	/* the leaves: points j = 0.. (FID j + 1, or fid[i]) in runs of FANOUT;
	 * with no more than FANOUT points the root is the only leaf */
	m = (n + FANOUT - 1) / FANOUT;
	base = n <= FANOUT ? 1 : 2;
	for (k = 0; k < m || (n == 0 && k == 0); k++) {
		int c = 0;
		for (j = k * FANOUT; j < n && j < (k + 1) * FANOUT; j++, c++) {
			size_t i = (size_t)(order[j] & 0xffffffffu);
			if (j + AHEAD < n) {
				size_t a = (size_t)(order[j + AHEAD] & 0xffffffffu);
				__builtin_prefetch(xy + 2 * a);
				if (fid)
					__builtin_prefetch(fid + a);
			}
			ids[c] = fid ? (long long)fid[i] : (long long)j + 1;
			cell[c] = (box){down(xy[2 * i]), up(xy[2 * i]), down(xy[2 * i + 1]),
					up(xy[2 * i + 1])};
			level[k] = c ? join_box(level[k], cell[c]) : cell[c];
		}
		write_node(&w, base + (long long)k, 0, ids, cell, c);
	}
	snprintf(q, sizeof(q),
		 "INSERT INTO \"rtree_%s_geom_rowid\" (rowid, nodeno) SELECT fid, %lld + (fid - 1) / %d"
		 " FROM \"%s\"",
		 table, base, FANOUT, table);
	if (!w.rc && n)
		w.rc = fid ? write_rowids(w.db, path, table, order, fid, n, base)
			   : run(ds, own, path, q);
	/* the levels above, until one node (the root) holds them all */
	next = base + (long long)m;
	while (!w.rc && m > 1) {
		size_t up_m = m <= FANOUT ? 1 : (m + FANOUT - 1) / FANOUT;
		long long up_base = up_m == 1 ? 1 : next;

		depth++;
		for (k = 0; k < up_m; k++) {
			int c = 0;
			for (j = k * FANOUT; j < m && j < (k + 1) * FANOUT; j++, c++) {
				ids[c] = base + (long long)j;
				cell[c] = level[j];
			}
			level[k] = cell[0];
			for (j = 1; j < (size_t)c; j++)
				level[k] = join_box(level[k], cell[j]);
			write_node(&w, up_base + (long long)k, up_base == 1 ? depth : 0, ids, cell, c);
		}
		snprintf(q, sizeof(q),
			 "INSERT INTO \"rtree_%s_geom_parent\" (nodeno, parentnode) WITH RECURSIVE "
			 "c(k) AS (VALUES(0) UNION ALL SELECT k + 1 FROM c WHERE k + 1 < %zu) "
			 "SELECT %lld + k, %lld + k / %d FROM c",
			 table, m, base, up_base, FANOUT);
		if (!w.rc)
			w.rc = run(ds, own, path, q);
		nnodes = up_m;
		base = up_base;
		next = up_base == 1 ? next : up_base + (long long)nnodes;
		m = up_m;
	}
	rc = w.rc;
done:
	sqlite3_finalize(w.st);
	w.st = NULL;
	if (own && !rc)
		rc = run(ds, own, path, "COMMIT");
	if (own && rc)
		sqlite3_exec(own, "ROLLBACK", NULL, NULL, NULL);
	if (!rc)
		rc = register_index(ds, path, table);
	free(ids);
	free(level);
	return rc;
}

int tp_gpkg_point_rtree(GDALDatasetH ds, const char *path, const char *table,
			const double *xy, const uint64_t *order, const int64_t *fid, size_t n)
{
	return pack(ds, NULL, path, table, xy, order, fid, n);
}

int tp_gpkg_point_rtree_on(GDALDatasetH ds, sqlite3 *db, const char *path, const char *table,
			   const double *xy, const uint64_t *order, const int64_t *fid, size_t n)
{
	return pack(ds, db, path, table, xy, order, fid, n);
}

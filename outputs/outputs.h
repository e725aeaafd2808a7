/*
 * outputs.h: what tremplin writes for people and tools, read from the
 * working store (docs/working-store.md) once every stage has run.
 *
 * Each writer puts its file at path through tp_outfile (outfile.h): built
 * under a temporary name and renamed onto path only when it is complete,
 * so a reader never sees half a file; on any failure the temporary file is
 * removed and a file already at path is left as it was.  The store is only
 * read; the caller's transaction, if any, is left alone.
 */
#ifndef TP_OUTPUTS_H
#define TP_OUTPUTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "geo/codes.h"
#include "geo/rings.h"
#include "outputs/outfile.h"

typedef struct tp_rows_handoff tp_rows_handoff; /* below, with the sorted rows */

/* What the [outputs] section of the config asks of the GeoPackage. */
typedef struct tp_gpkg_options {
	const char *indicator; /* communes field the choropleth shows (people_total) */
	const char *language;  /* names of codes and classes: "fr", "nl" or "both" */
	int internal;          /* 1: exact people figures; 0: the protected ones */
	int threads;           /* --threads: but 1 (0: every core), a thread beside its own */
	tp_rows_handoff *candidates; /* the candidate list's rows, taken for the candidates
					layer in a public file (tp_candidate_lists_rows), or NULL */
} tp_gpkg_options;

/*
 * Writes the GeoPackage at path (OUTDIR/tremplin.gpkg) with the layers
 * communes, vacancies, candidates, count_zones (features in the working
 * CRS, meta.crs) and rejects (an attribute table, always present), the
 * QGIS default styles of the four map layers in layer_styles, coded
 * field domains for owner_type, reason and candidate, and the dataset
 * metadata (sources, reference date, config, version, which people
 * figures) in gpkg_metadata.  People figures of communes and count_zones
 * come from public_communes and public_zones (the protect stage) unless
 * opts->internal; then they are exact, and the metadata and the layers'
 * descriptions say so.  Returns 0, or after tp_error_set() naming the file
 * and layer: TP_EOUTPUT when GDAL or the file system fails, TP_ESTORE when
 * the store lacks a table or holds a value that cannot be written (bad
 * WKB, a geometry of the wrong type, a date that is not YYYY-MM-DD, an
 * unknown CRS), TP_ECONFIG when opts->indicator is not a number of the
 * communes layer, TP_ERROR when out of memory.
 */
int tp_write_gpkg(sqlite3 *store, const char *path, const tp_gpkg_options *opts);

struct tp_view; /* query.h */

/*
 * Where the layers of tremplin.gpkg go: the GeoPackage (tp_write_gpkg) or
 * a PostGIS schema (pg.c), through the same loop over the same row sets.
 */
typedef struct tp_layer_target {
	void *ds;                          /* the GDALDatasetH being written */
	const char *where;                 /* for messages: the file, or the database and schema */
	const char *const *geom_options;   /* creation options of a map layer, NULL-terminated */
	const char *const *table_options;  /* of an attribute table (rejects) */
	int gpkg;                          /* 1: GeoPackage field domains and dataset metadata */
	void *ctx;                         /* handed to the callbacks below */
	/* after each layer is committed, once per field (domain: its code list, or NULL) */
	int (*field)(void *ctx, const char *layer, const char *field, const tp_code_list *domain);
	/* writes the default styles instead of tp_gpkg_write_styles (NULL: that) */
	int (*styles)(void *ctx, int n, const char *const *layers, char *const *qml,
		      const char *const *what);
	/* last, with the view the layers were read through (NULL: nothing) */
	int (*finish)(void *ctx, struct tp_view *view);
} tp_layer_target;

/*
 * Writes the layers of tremplin.gpkg (communes, vacancies, candidates,
 * count_zones, rejects) and their default styles into t->ds, read through
 * one view of store (public unless opts->internal), each layer in one GDAL
 * transaction; with t->gpkg also the field domains and the dataset
 * metadata.  Returns 0 or a code as tp_write_gpkg says, messages naming
 * t->where; what was written is the caller's to discard.
 */
int tp_write_layers(sqlite3 *store, const tp_gpkg_options *opts, const tp_layer_target *t);

/*
 * indicators.c: adds to the communes layer (an OGRLayerH of ds, just
 * written) one Integer64 field per indicator table of view
 * ([indicators]), NULL where a table has no row for the commune ("no
 * data").  The values of the table called mapped (or none: NULL) are
 * appended to *values (realloc'ed) and *nvalues, for the choropleth's
 * classes.  Returns 0 or TP_E* naming the file and layer.
 */
int tp_gpkg_add_indicators(void *ds, void *communes, const char *path, struct tp_view *view,
			   const char *mapped, double **values, int *nvalues);

/* 1 when name is an indicator table of view's store ([indicators]), else 0. */
int tp_indicator_is_table(struct tp_view *view, const char *name);

/*
 * Writes indicators.csv at path: a header, then one row per commune
 * ordered by nis_code with the figures of the communes layer, the people
 * figures as published (the labels of public_communes: "350", "<5", "x")
 * since the file is public.  UTF-8 without BOM, LF line ends, reals with 2
 * decimals (shares 4) whatever the locale, NULL as an empty field, text
 * quoted per RFC 4180 when needed.  Returns 0, TP_EOUTPUT (file system),
 * TP_ESTORE (store) or TP_ERROR (out of memory) after tp_error_set()
 * naming the file.
 */
int tp_write_csv(sqlite3 *store, const char *path);

/*
 * Writes trends.csv at path: the trends table (pipeline/trends.c), one row
 * per commune (then the region, nis_code empty), count edition and people
 * figure, with its published value and label, the change since the
 * previous edition and the change on the comparable scope; people figures
 * whole, changes in % with 1 decimal.  Written as indicators.csv is, with
 * the same failures.
 */
int tp_write_trends_csv(sqlite3 *store, const char *path);

/* Writes vacancy_flows.csv at path as tp_write_csv() writes indicators.csv:
 * per snapshot, each commune then the region (empty nis_code), the
 * vacancy_flows layer's columns (pipeline/snapshots.c). */
int tp_write_flows_csv(sqlite3 *store, const char *path);

/* Writes s to f as one CSV field (RFC 4180): quoted when it holds a comma,
 * a semicolon (the separator of the lists for Belgian Excel), a quote, CR
 * or LF, its quotes doubled.  Every CSV tremplin writes goes through it. */
void tp_csv_field(FILE *f, const char *s);

/*
 * lists.c: the lists beside the GeoPackage, for a spreadsheet.  language
 * is [outputs] language ("fr", "nl", "both"; NULL is both): the CSV files
 * are UTF-8 with a byte order mark, CRLF line ends, and with ';' between
 * fields and a decimal comma for fr, nl and both, as Excel reads them
 * under a Belgian locale.  Each returns 0, TP_EOUTPUT (file system, GDAL),
 * TP_ESTORE (store) or TP_ERROR (out of memory) after tp_error_set()
 * naming the file; nothing is left at path on failure.
 *
 * tp_write_rejects_csv writes rejects.csv: one row per reject with input,
 * file, layer (or sheet), row, stage, field and reason, then one column
 * per original value (the union of the rejected rows' source columns, in
 * the order first met); the public row set of rejects (query.h), so a
 * rejected count zone's people counts are left out.
 *
 * tp_write_candidate_lists writes candidates.csv at csv_path and
 * candidates.xlsx at xlsx_path (either NULL for none; one sheet
 * "candidates", typed cells) in one pass over the list, the same rows and
 * columns: rank, address,
 * postcode, commune, owner (blank for a private owner), owner type,
 * dwellings, reason, vacant since, works start, its precision (only when
 * the store has vacancies.works_start_precision), window, capacity, score
 * and its window, dwellings and need parts, the source id; headers, names
 * of communes and codes in language.
 */
int tp_write_rejects_csv(sqlite3 *store, const char *path, const char *language);

/*
 * The candidate lists written beside other work (the GeoPackage): begin
 * starts tp_write_candidate_lists on a thread of its own, reading the
 * store through its own read-only connection (the store's file as store
 * has it open; the caller's transaction sees nothing newer); when threaded
 * is 0, the store has no file, or the thread cannot start, end writes them
 * itself.  end waits for them and returns rc when it is not 0 (their files
 * are then the caller's to discard), else their result; errno is theirs
 * after a failure.  begin returns 0 or TP_ERROR (out of memory).
 */
typedef struct tp_lists_job tp_lists_job;
int tp_candidate_lists_begin(tp_lists_job **out, sqlite3 *store, const char *csv_path,
			     const char *xlsx_path, const char *language, int threaded);
int tp_candidate_lists_end(tp_lists_job *job, int rc);
/*
 * Where job's thread puts the candidates it read and sorted (tp_rows_handoff,
 * below), with the candidates layer's columns besides the list's (query.h,
 * TP_ROWS_CANDIDATE_LIST_BY_ID): NULL when it has no thread.  Valid until
 * tp_candidate_lists_end; a taker holds the rows it took until it frees them.
 */
tp_rows_handoff *tp_candidate_lists_rows(tp_lists_job *job);
int tp_write_candidate_lists(sqlite3 *store, const char *csv_path, const char *xlsx_path,
			     const char *language);

/*
 * Writes layer_styles into the GeoPackage being written in ds: the table
 * QGIS reads default styles from, with the columns QGIS itself creates, and
 * one row per layer: layers[i] (geometry column geom) styled by the QML
 * text qml[i], described by what[i]; f_table_schema empty, useAsDefault
 * true.  In its own transaction; TP_EOUTPUT naming path on failure.
 */
int tp_gpkg_write_styles(void *ds, const char *path, int n, const char *const *layers,
			 char *const *qml, const char *const *what);

/*
 * gpkg_meta.c, for the GeoPackage writers: tp_gpkg_fail records a GDAL
 * failure on layer of path (NULL: the whole file) with GDAL's last message,
 * and returns TP_EOUTPUT.  tp_gpkg_transaction_end ends the transaction a
 * writer began on ds for layer: committed when rc is 0 (a failed commit is
 * then the error, as tp_gpkg_fail words it), else rolled back quietly; it
 * returns rc or the commit's error.  tp_gpkg_add_domains adds to ds the coded field
 * domains of the owner types, reasons and candidate flags (geo/codes.h),
 * named in language; TP_EOUTPUT naming path on failure.
 * tp_gpkg_set_metadata sets the dataset metadata of tremplin.gpkg in ds
 * from the store's meta and input_stats read through view (query.h), and
 * says whether its people figures are exact (internal) or protected;
 * TP_ESTORE or TP_EOUTPUT naming path on failure.
 */
int tp_gpkg_fail(const char *path, const char *layer, const char *what);
int tp_gpkg_transaction_end(void *ds, const char *path, const char *layer, int rc);
int tp_gpkg_add_domains(void *ds, const char *path, const char *language);
int tp_gpkg_set_metadata(void *ds, const char *path, struct tp_view *view, int internal);


/*
 * The two ends of every GeoPackage tremplin creates (the pipeline's, the
 * join's, the demo's inputs, the benchmark's data).  tp_gpkg_begin begins
 * out on path (tp_outfile_begin, as an SQLite file) and creates an empty
 * GeoPackage *ds (a GDALDatasetH) under its temporary name, set for bulk
 * writing (a 512 MB page cache, no fsync before tp_outfile_end's, 64 KiB
 * pages when its largest layer will hold `rows` >= 100,000 rows; a user's
 * --config OGR_SQLITE_CACHE, OGR_SQLITE_SYNCHRONOUS or OGR_SQLITE_PRAGMA
 * wins); on failure
 * nothing is left to end.  tp_gpkg_end takes rc, the writer's result so
 * far: on success it closes ds and commits out; on failure, or when
 * closing or committing fails, it closes ds, aborts out and leaves path
 * alone.  Both return 0 or TP_EOUTPUT naming path (tp_gpkg_end: rc when
 * it was not 0).
 */
int tp_gpkg_begin(tp_outfile *out, const char *path, size_t rows, void **ds);
int tp_gpkg_end(tp_outfile *out, void *ds, int rc);

/*
 * rtree.c: the spatial index (gpkg_rtree_index) of a point layer `table`
 * of the GeoPackage being written in ds, whose n features are the points
 * (xy[2i], xy[2i + 1]), taken in the order j = 0..n-1 with i = order[j] &
 * 0xffffffff, an order that keeps neighbours together (tp_morton_order).
 * Point i's FID is fid[i]; with fid NULL, the features have FIDs 1..n, FID
 * j + 1 being the j-th point of order (then %_rowid is filled by one
 * statement rather than row by row).  The
 * tree is packed in one pass and written through GDAL's SQL, with the
 * extension row and the triggers that keep it current; the layer must have
 * been created without an index, and the caller holds a transaction.
 * TP_EOUTPUT naming path when SQLite refuses.
 */
int tp_gpkg_point_rtree(void *ds, const char *path, const char *table, const double *xy,
			const uint64_t *order, const int64_t *fid, size_t n);

/*
 * The same, the tree's rows written through db, a connection of its own on
 * the same GeoPackage (tp_gpkg_copier_own), in a transaction of db's: the
 * caller holds no transaction on ds (the virtual table, the extension row
 * and the triggers are made through GDAL's, one statement each).
 */
int tp_gpkg_point_rtree_on(void *ds, sqlite3 *db, const char *path, const char *table,
			   const double *xy, const uint64_t *order, const int64_t *fid, size_t n);

/*
 * gpkgrows.c: rows put straight into the table of a layer OGR has just
 * created (with its fields) in the GeoPackage ds (a GDALDatasetH; layer
 * its OGRLayerH), through one prepared INSERT on GDAL's own SQLite
 * connection, inside the caller's transaction.  tp_gpkg_rows_begin
 * prepares the insert of the columns names[0..ncols-1], then, when
 * spatial, of the point geometry geom.  Per row: bind the fields to
 * parameters 1..ncols of tp_gpkg_rows_stmt (as OGR binds them: integers,
 * reals, text, dates as YYYY-MM-DD text), give the geometry to
 * tp_gpkg_rows_point (WKB of a point, or NULL/0 for none; n numbers the
 * feature for messages), which binds the GeoPackage blob GDAL would make
 * and returns 1 with the point in xy[0..1], 0 when the feature has no
 * point (none, or empty: outside the extent and the spatial index), or
 * TP_ESTORE when the blob is not the WKB of a point; then
 * tp_gpkg_rows_insert, which gives the new FID.  tp_gpkg_rows_end takes
 * rc, the writer's result so far, and on success writes the layer's
 * extent and feature count as OGR would; it frees r (NULL is fine) and
 * returns rc or its own failure.  TP_EOUTPUT naming path and the layer
 * when SQLite refuses.
 */
typedef struct tp_gpkg_rows tp_gpkg_rows;
int tp_gpkg_rows_begin(tp_gpkg_rows **out, void *ds, void *layer, const char *path,
		       const char *table, const char *const *names, int ncols, int spatial);
sqlite3_stmt *tp_gpkg_rows_stmt(tp_gpkg_rows *r);
int tp_gpkg_rows_point(tp_gpkg_rows *r, const void *wkb, size_t len, long long n, double *xy);
int tp_gpkg_rows_insert(tp_gpkg_rows *r, long long *fid);
int tp_gpkg_rows_end(tp_gpkg_rows *r, int rc);

/*
 * The same rows in bulk, when the store is a file: tp_gpkg_copier_open
 * opens the store (store's file) a second time, guarded as a view of
 * internal (query.h), with the GeoPackage of ds attached as "gpkg" (written
 * behind, geo/behind.h, when behind is 1: a thread more) and two
 * SQL functions: tp_gpkg_point(wkb), the blob tp_gpkg_rows_point binds,
 * and tp_gpkg_date(text), the text when it is a date YYYY-MM-DD.  *out is
 * NULL when the store has no file or cannot be opened so (the rows then go
 * one at a time).  tp_gpkg_copier_sql gives the SQL of a row set (query.h)
 * as that view reads it.  tp_gpkg_rows_copy runs, in a transaction of its
 * own, INSERT INTO gpkg.TABLE (columns) select, r being begun on the same
 * table (the caller's transaction on ds committed first); *n gets the rows
 * written, the points go to r's extent and to tp_gpkg_rows_points (which
 * hands them over: xy, FIDs, count; tp_big_free).  On any failure nothing
 * is written and it returns TP_ERROR with no message: the caller then
 * writes the rows one at a time, which names what failed.
 */
typedef struct tp_gpkg_copier tp_gpkg_copier;
int tp_gpkg_copier_open(tp_gpkg_copier **out, sqlite3 *store, void *ds, int internal,
			int behind);
void tp_gpkg_copier_close(tp_gpkg_copier *c);
const char *tp_gpkg_copier_sql(const tp_gpkg_copier *c, int set);
/*
 * A connection of c's on the GeoPackage alone, written behind as c's
 * "gpkg" (geo/behind.h), opened when first asked; NULL when c was opened
 * with behind 0 or it cannot be (the caller then writes through GDAL's).  The packed R-trees go through
 * it: 380 MB of pages at 10M records, which GDAL's connection wrote from
 * the write stage's longest thread.
 */
sqlite3 *tp_gpkg_copier_own(tp_gpkg_copier *c);
/*
 * The n columns of row set set (query.h, through c's view) found by name
 * among row set from's: map[i] is the column of from that set's column i
 * is, same name, same SQL (an expression's name is its text).  1 when
 * every column has its match, else 0.
 */
int tp_gpkg_copier_match(tp_gpkg_copier *c, int set, int from, int *map, int n);
/*
 * The type the store declares for each of the first n columns of row set
 * set (a column of a table read as it is; an expression declares none):
 * decl[i] 'T' for TEXT, 'R' for REAL, 0 otherwise.  A TEXT column holds
 * text or NULL and a REAL column reads as a real or NULL (SQLite's
 * affinity; the stages bind nothing else), so a copy needs no CAST there.
 * 0, or TP_ERROR (decl all 0).
 */
int tp_gpkg_copier_decltypes(tp_gpkg_copier *c, int set, char *decl, int n);
int tp_gpkg_rows_copy(tp_gpkg_rows *r, tp_gpkg_copier *c, const char *columns, const char *select,
		      long long *n);
void tp_gpkg_rows_points(tp_gpkg_rows *r, double **xy, int64_t **fid, size_t *n);

/*
 * Rows too slow for SQLite to sort, sorted in memory: tp_sorted_rows_load
 * reads sql on db (any connection to the store, any thread) in its own
 * order (the ties' order), its first ncols columns the values, and sorts
 * the rows stably by nkeys (1 or 2) of its columns, numbers or NULL, as
 * SQLite's ORDER BY would.  1 when it cannot (a key that is not a number,
 * memory): the caller then copies the row set sorted by SQLite.
 * tp_gpkg_copier_serve hands such rows to c (freed by c): "SELECT c0, c1,
 * ... FROM tp_sorted" reads them in their order, values as read, until
 * tp_gpkg_copier_unsort.  tp_gpkg_copier_sort loads them on c's connection
 * and serves them.
 */
typedef struct {
	int col;        /* the key's column in the SQL's row */
	int desc;       /* 1: descending */
	int nulls_last; /* 1: NULL after the numbers (SQLite: when descending, or "x IS NULL, x") */
} tp_sort_key;
typedef struct tp_sorted_rows tp_sorted_rows;
int tp_sorted_rows_load(tp_sorted_rows **out, sqlite3 *db, const char *sql, int ncols,
			int nkeys, const tp_sort_key *keys);
void tp_sorted_rows_free(tp_sorted_rows *rows);
/* Serves the rows *slot holds (or none while it is NULL) on db as table
 * tp_sorted, for any reader of db, not only a copier: 0 or TP_ERROR. */
int tp_sorted_rows_serve(sqlite3 *db, tp_sorted_rows **slot);
void tp_gpkg_copier_serve(tp_gpkg_copier *c, tp_sorted_rows *rows);
int tp_gpkg_copier_sort(tp_gpkg_copier *c, const char *sql, int ncols, int nkeys,
			const tp_sort_key *keys);
/*
 * Rows sorted once and read by two threads: tp_sorted_rows_share adds a
 * holder (returns rows), and tp_sorted_rows_free lets one go; the last
 * frees them.  They never change once loaded.  tp_sorted_rows_null_keys:
 * the rows whose first key is NULL.
 */
tp_sorted_rows *tp_sorted_rows_share(tp_sorted_rows *rows);
size_t tp_sorted_rows_null_keys(const tp_sorted_rows *rows);
/*
 * The place where one thread puts sorted rows for another to take: put
 * (rows, or NULL for none; only the first put counts) adds a holder for
 * the taker; take waits until put and returns them (the taker now holds
 * them), NULL when none or taken already; free lets go of rows not taken.
 * A taker must know a put will come: the putter puts on every path.
 */
int tp_rows_handoff_new(tp_rows_handoff **out);
void tp_rows_handoff_put(tp_rows_handoff *h, tp_sorted_rows *rows);
tp_sorted_rows *tp_rows_handoff_take(tp_rows_handoff *h);
void tp_rows_handoff_free(tp_rows_handoff *h);
void tp_gpkg_copier_unsort(tp_gpkg_copier *c);

/* ---- xlsx.c: a one-sheet workbook ------------------------------------- */

/*
 * An XLSX workbook of one sheet (ECMA-376, readable by spreadsheets and
 * GDAL), written to its file as the rows come.  tp_xlsx_new begins the
 * workbook at path (tp_outfile: whole or not at all), its sheet named
 * sheet_name, and returns 0, TP_ERROR when out of memory or TP_EOUTPUT
 * naming path.  Each row is then its cells from the first column on:
 * tp_xlsx_text (a string; NULL is ""), tp_xlsx_number, tp_xlsx_date
 * (YYYY-MM-DD text, shown so; NULL or not a date leaves the cell empty),
 * tp_xlsx_skip (an empty cell), then tp_xlsx_end_row.  tp_xlsx_save ends
 * the workbook and puts it in place: 0, or TP_EOUTPUT naming path.
 * tp_xlsx_free frees x (NULL is fine); a workbook not saved is given up,
 * nothing of it left at path.
 */
typedef struct tp_xlsx tp_xlsx;
/* The rows a sheet holds (Excel's limit, the header's row included). */
#define TP_XLSX_MAX_ROWS 1048576LL

int tp_xlsx_new(tp_xlsx **out, const char *path, const char *sheet_name);
void tp_xlsx_text(tp_xlsx *x, const char *s);
/* tp_xlsx_text for a text that many cells repeat (a name from a short
 * list): written once in the shared strings, named by every such cell. */
void tp_xlsx_text_repeated(tp_xlsx *x, const char *s);
void tp_xlsx_number(tp_xlsx *x, double v);
void tp_xlsx_date(tp_xlsx *x, const char *iso);
void tp_xlsx_skip(tp_xlsx *x);
void tp_xlsx_end_row(tp_xlsx *x);
int tp_xlsx_save(tp_xlsx *x);
void tp_xlsx_free(tp_xlsx *x);

/* ---- located.c: the join's GeoPackage ---------------------------------- */

/* What tremplin join found, to write. */
typedef struct tp_located {
	const tp_rings *polys;  /* the polygons */
	char *const *keys;      /* their keys */
	const size_t *count;    /* points per polygon */
	const double *xy;       /* the points (x, y), in the polygons' CRS */
	const int64_t *fid;     /* per point its FID in its own file, or NULL */
	const int32_t *where;   /* per point: the polygon holding it, or -1 */
	size_t npts;            /* points */
	const char *crs;        /* the CRS as GDAL reads it ("EPSG:31370", WKT), "" if none */
} tp_located;

/*
 * Writes the GeoPackage at path with two layers: "polygons" (MultiPolygon;
 * key, count) and "points" (Point; source_fid: its FID in its own file,
 * when fid is given; polygon: the key of the polygon holding it, NULL
 * outside every polygon).  The points are written in Morton order, so that
 * neighbours are neighbours in the file too, and their spatial index is
 * packed in one pass (tp_gpkg_point_rtree) rather than filled one insert
 * at a time.  Built for a million points and more: each layer is one
 * transaction, SQLite's page cache is raised and its syncs are off while
 * the temporary file is written, one feature is reused for every point.
 * lco (NULL-terminated, may be NULL) adds layer creation options to both
 * layers, SPATIAL_INDEX=NO among them (the spatial indexes are built by
 * default).  *rtree_s (may be NULL) gets the seconds spent building the
 * spatial indexes.
 * Returns 0, or TP_EOUTPUT naming the file and layer, TP_ERROR when out
 * of memory; nothing is left at path on failure.
 */
int tp_write_located(const char *path, const tp_located *in, char **lco, double *rtree_s);

/* ---- styles.c: what gpkg.c writes for QGIS ---------------------------- */

/* Appends s to x with the five XML special characters escaped and the
 * control characters XML 1.0 does not allow (all but tab, CR, LF) left out. */
void tp_xml_escape(sqlite3_str *x, const char *s);

/*
 * QML texts (QGIS 3 layer styles), each returned as a string to free with
 * sqlite3_free(), or NULL when out of memory.
 *
 * tp_style_communes: a graduated choropleth of field on the classes
 * (tp_classes_quantile), each QGIS range running from the largest value of
 * the class below (the smallest value for the first) to the largest of its
 * own (a value equal to a bound belongs to the lower class, as QGIS matches
 * the first range), in the colours of the printed maps (tp_class_rgb),
 * labels with decimals digits; with labelled, each commune labelled with
 * its name (in language) and its figure as published (field's _label
 * column for a people figure), placed by QGIS so that none collide.
 * tp_style_candidates: circles whose area grows with dwellings, up to
 * max_dwellings, in the printed maps' colour, with a legend of their sizes
 * (the same dwellings as the printed overview's).  tp_style_vacancies:
 * categories by reason.
 * tp_style_zones: outlines only, so that the communes show through.
 */
char *tp_style_communes(const char *field, const tp_classes *classes, int decimals,
			const char *language, int labelled);
char *tp_style_candidates(double max_dwellings, const char *language);
char *tp_style_vacancies(const char *language);
char *tp_style_zones(void);
/* The trends table (an attribute table): the categories shown by their names. */
char *tp_style_trends(const char *language);

/* The occupations of the register: categories by status (planned, running, ended). */
char *tp_style_occupations(const char *language);

#endif

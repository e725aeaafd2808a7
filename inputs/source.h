/*
 * source.h: opens an input file as an OGR dataset, whatever its format.
 *
 * OGR reads CSV, XLSX, ODS, GeoJSON, GeoPackage, Shapefile and the rest;
 * this adds what Belgian office files need.  A CSV that is not valid UTF-8
 * is read as Windows-1252 and recoded to UTF-8 (into a /vsimem/ copy, so
 * headers, values and the rejects' original text all come out right); its
 * separator (';', ',' or tab) is detected from the header line outside
 * quotes.  tp_source_open() opens spreadsheets with their first row as
 * column names; tp_source_open_table(), the pipeline's inputs, finds the
 * header row (a title above it is fine) and numbers rows as the user sees
 * them (tp_source_row()).
 */
#ifndef TP_SOURCE_H
#define TP_SOURCE_H

#include <stddef.h>

#include <gdal.h>
#include <ogr_api.h>

typedef struct tp_source {
	GDALDatasetH ds;     /* the open dataset, NULL when closed */
	char mem[256];       /* /vsimem/ copy to unlink on close, "" when none */
	int recoded;         /* 1: the file was read as Windows-1252 */
	char separator;      /* CSV separator detected, 0 for other formats */
	/* set by tp_source_open_table() only */
	long header_row;     /* row (spreadsheet) or line (CSV) of the column names, 0: none */
	char **names;        /* spreadsheet: the column names read from header_row
				(CSLDestroy), NULL: the layer's own field names */
	long *line;          /* CSV: physical line of each record after the header */
	size_t nline;        /* entries of line */
} tp_source;

/*
 * How well a row of cells names an input's columns: the number of cells
 * that are a column the input reads.  ctx is the caller's.
 */
typedef int (*tp_header_score)(void *ctx, const char *const *cells, int ncells);

/*
 * Opens a table as tp_source_open() does, with its column names on the
 * row the user sees them on: header_row (1-based: a spreadsheet's row
 * number, a CSV's physical line) when above 0, else the row among the
 * first 20 that score() rates best (the first row when none scores).  A
 * spreadsheet is opened without headers (HEADERS=DISABLE): the features
 * before header_row are skipped by tp_source_row(), and names holds the
 * header's cells.  A CSV is read from its header line (a /vsimem/ copy
 * when that is not line 1) and line records where each record starts.
 * Other formats open as with tp_source_open().
 */
int tp_source_open_table(tp_source *src, const char *path, const char *what,
			 long header_row, tp_header_score score, void *ctx);

/*
 * Opens a CSV as tp_source_open_table() does (the same header, the same
 * separator and recoding), with only the records that start on lines rows
 * (nrows, ascending, as tp_source_row() numbers them) for OGR to read:
 * tp_source_row() gives each its line.  A line that starts no record (the
 * file changed) fails with TP_EINPUT; a file that is no CSV with TP_ERROR.
 */
int tp_source_open_rows(tp_source *src, const char *path, const char *what, long header_row,
			tp_header_score score, void *ctx, const long *rows, size_t nrows);

/*
 * The row a person finds feature f on: the spreadsheet row number, the
 * CSV line where its record starts, else ordinal (its 1-based position
 * in the layer).  0 when f lies on or above the header row (not data).
 */
long tp_source_row(const tp_source *src, OGRFeatureH f, long ordinal);

/*
 * Opens path read-only into src (caller-owned, zeroed).  Returns 0, or
 * TP_EINPUT with a message naming path and `what` (the input's name, or
 * NULL outside the pipeline).
 */
int tp_source_open(tp_source *src, const char *path, const char *what);

/*
 * The separator of a CSV text's header line (s, NUL-terminated, after an
 * optional UTF-8 BOM): the most frequent of ';', ',' and tab outside
 * quotes, ',' on a tie as OGR would.
 */
char tp_source_separator(const char *s);

/*
 * Writes the CRS layer declares into buf as "AUTH:CODE" when PROJ can
 * identify it, else as WKT2; returns 1, or 0 when the layer declares none.
 */
int tp_source_layer_crs(OGRLayerH layer, char *buf, size_t len);

/* Closes the dataset, frees names and line, and removes the /vsimem/ copy;
 * accepts a closed src. */
void tp_source_close(tp_source *src);

#endif

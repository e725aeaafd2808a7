/*
 * source.h: opens an input file as an OGR dataset, whatever its format.
 *
 * OGR reads CSV, XLSX, ODS, GeoJSON, GeoPackage, Shapefile and the rest;
 * this adds what Belgian office files need.  A CSV that is not valid UTF-8
 * is read as Windows-1252 and recoded to UTF-8 (into a /vsimem/ copy, so
 * headers, values and the rejects' original text all come out right); its
 * separator (';', ',' or tab) is detected from the header line outside
 * quotes.  Spreadsheets are opened with HEADERS=FORCE (the first row holds
 * the column names, even when every cell is text) and FIELD_TYPES=AUTO, so
 * date cells arrive as OGR dates.
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
} tp_source;

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

/* Closes the dataset and removes the /vsimem/ copy; accepts a closed src. */
void tp_source_close(tp_source *src);

#endif

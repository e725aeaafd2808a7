/*
 * outputs.h: what tremplin writes for people and tools, read from the
 * working store (docs/working-store.md) once every stage has run.
 *
 * Each writer builds its file under "<path>.tmp-<pid>" and renames it onto
 * path only when it is complete, so a reader never sees half a file: on
 * any failure the temporary file is removed and a file already at path is
 * left as it was.  The store is only read; the caller's transaction, if
 * any, is left alone.
 */
#ifndef TP_OUTPUTS_H
#define TP_OUTPUTS_H

#include <sqlite3.h>

/*
 * Writes the GeoPackage at path (OUTDIR/tremplin.gpkg) with the layers
 * communes, vacancies, candidates, count_zones (features in the working
 * CRS, meta.crs) and rejects (an attribute table, always present).
 * Returns 0, or after tp_error_set() naming the file and layer:
 * TP_EOUTPUT when GDAL or the file system fails, TP_ESTORE when the store
 * lacks a table or holds a value that cannot be written (bad WKB, a
 * geometry of the wrong type, a date that is not YYYY-MM-DD, an unknown
 * CRS), TP_ERROR when out of memory.
 */
int tp_write_gpkg(sqlite3 *store, const char *path);

/*
 * Writes indicators.csv at path: a header, then one row per commune
 * ordered by nis_code with the figures of the communes layer.  UTF-8
 * without BOM, LF line ends, reals with 2 decimals (shares 4) whatever
 * the locale, NULL as an empty field, text quoted per RFC 4180 when
 * needed.  Returns 0, TP_EOUTPUT (file system), TP_ESTORE (store) or
 * TP_ERROR (out of memory) after tp_error_set() naming the file.
 */
int tp_write_csv(sqlite3 *store, const char *path);

#endif

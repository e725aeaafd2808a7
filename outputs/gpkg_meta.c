/*
 * gpkg_meta.c: what surrounds the layers of a GeoPackage tremplin writes:
 * creating and finishing the file (tp_gpkg_begin/_end, for every
 * GeoPackage), its coded field domains, the layer_styles table QGIS reads
 * default styles from, and the dataset metadata of tremplin.gpkg.  The
 * layers themselves are gpkg.c's (and located.c's for join).
 */
#include "outputs/outputs.h"
#include "geo/clock.h"
#include "geo/error.h"
#include "outputs/query.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

int tp_gpkg_fail(const char *path, const char *layer, const char *what)
{
	const char *why = CPLGetLastErrorMsg();

	if (!why || !*why)
		why = "GDAL gave no reason";
	if (layer)
		return tp_error_set(TP_EOUTPUT, "%s: layer %s: %s: %s", path, layer, what, why);
	return tp_error_set(TP_EOUTPUT, "%s: %s: %s", path, what, why);
}

int tp_gpkg_transaction_end(void *ds, const char *path, const char *layer, int rc)
{
	if (!rc) {
		CPLErrorReset();
		if (GDALDatasetCommitTransaction(ds) == OGRERR_NONE)
			return TP_OK;
		rc = tp_gpkg_fail(path, layer, "cannot commit");
	}
	/* the file is discarded: GDAL's complaints would only bury the real error */
	CPLPushErrorHandler(CPLQuietErrorHandler);
	GDALDatasetRollbackTransaction(ds);
	CPLPopErrorHandler();
	return rc;
}

int tp_gpkg_add_domains(void *ds, const char *path, const char *language)
{
	static const tp_code_list *const lists[] = {&tp_owner_types, &tp_reasons,
						    &tp_candidate_flags, &tp_people_codes,
						    &tp_occupation_statuses};
	OGRCodedValue values[16];
	char names[16][256];
	OGRFieldDomainH dom = NULL;
	char *why = NULL;
	int rc = TP_OK, i, j;

	for (i = 0; i < COUNT(lists) && !rc; i++) {
		const tp_code_list *l = lists[i];
		int integer = l == &tp_candidate_flags;
		for (j = 0; j < l->n && j < COUNT(values) - 1; j++) {
			values[j].pszCode = (char *)l->codes[j].code;
			values[j].pszValue = (char *)tp_code_name(&l->codes[j], language,
								  names[j], sizeof(names[j]));
		}
		values[j].pszCode = NULL;
		values[j].pszValue = NULL;
		CPLErrorReset();
		dom = OGR_CodedFldDomain_Create(l->domain, l->description,
						integer ? OFTInteger : OFTString, OFSTNone, values);
		if (!dom) {
			rc = tp_gpkg_fail(path, NULL, "cannot make a field domain");
			break;
		}
		if (!GDALDatasetAddFieldDomain(ds, dom, &why))
			rc = tp_error_set(TP_EOUTPUT, "%s: cannot add the field domain %s: %s",
					  path, l->domain, why ? why : "GDAL gave no reason");
		CPLFree(why);
		why = NULL;
		OGR_FldDomain_Destroy(dom);
		dom = NULL;
	}
	return rc;
}

/* A text field of layer_styles; width 0 for unbounded. */
static int style_field(const char *path, OGRLayerH layer, const char *name, OGRFieldType type,
		       int width)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, type);
	int rc = TP_OK;

	if (width)
		OGR_Fld_SetWidth(fd, width);
	if (type == OFTInteger)
		OGR_Fld_SetSubType(fd, OFSTBoolean);
	if (type == OFTDateTime)
		OGR_Fld_SetDefault(fd, "CURRENT_TIMESTAMP");
	if (OGR_L_CreateField(layer, fd, TRUE) != OGRERR_NONE)
		rc = tp_error_set(TP_EOUTPUT, "%s: layer layer_styles: cannot create a field: %s", path,
				  CPLGetLastErrorMsg());
	OGR_Fld_Destroy(fd);
	return rc;
}

int tp_gpkg_write_styles(void *ds, const char *path, int n, const char *const *layers,
			 char *const *qml, const char *const *what)
{
	static const struct {
		const char *name;
		OGRFieldType type;
		int width;
	} columns[] = {
		{"f_table_catalog", OFTString, 256}, {"f_table_schema", OFTString, 256},
		{"f_table_name", OFTString, 256},    {"f_geometry_column", OFTString, 256},
		{"styleName", OFTString, 30},        {"styleQML", OFTString, 0},
		{"styleSLD", OFTString, 0},          {"useAsDefault", OFTInteger, 0},
		{"description", OFTString, 0},       {"owner", OFTString, 30},
		{"ui", OFTString, 30},               {"update_time", OFTDateTime, 0},
	};
	char *opts[] = {"FID=id", "ASPATIAL_VARIANT=GPKG_ATTRIBUTES",
			"DESCRIPTION=Default QGIS styles of the map layers", NULL};
	OGRLayerH layer = NULL;
	OGRFeatureH f = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc = TP_OK, in_tx = 0, i;

	CPLErrorReset();
	if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
		rc = tp_error_set(TP_EOUTPUT, "%s: layer layer_styles: cannot start a transaction: %s",
				  path, CPLGetLastErrorMsg());
		goto cleanup;
	}
	in_tx = 1;
	layer = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, opts);
	if (!layer) {
		rc = tp_error_set(TP_EOUTPUT, "%s: layer layer_styles: cannot create the layer: %s",
				  path, CPLGetLastErrorMsg());
		goto cleanup;
	}
	for (i = 0; i < (int)COUNT(columns) && !rc; i++)
		rc = style_field(path, layer, columns[i].name, columns[i].type, columns[i].width);
	if (rc)
		goto cleanup;
	gmtime_r(&now, &tm);
	for (i = 0; i < n; i++) {
		f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
		if (!f) {
			rc = tp_error_set(TP_ERROR, "%s: out of memory", path);
			goto cleanup;
		}
		OGR_F_SetFieldString(f, 0, "");
		OGR_F_SetFieldString(f, 1, "");
		OGR_F_SetFieldString(f, 2, layers[i]);
		{
			/* an attribute table's style has no geometry column (QGIS looks it up by "") */
			OGRLayerH styled = GDALDatasetGetLayerByName(ds, layers[i]);
			OGR_F_SetFieldString(f, 3, styled ? OGR_L_GetGeometryColumn(styled) : "geom");
		}
		OGR_F_SetFieldString(f, 4, layers[i]);
		OGR_F_SetFieldString(f, 5, qml[i]);
		OGR_F_SetFieldString(f, 6, "");
		OGR_F_SetFieldInteger(f, 7, 1);
		OGR_F_SetFieldString(f, 8, what[i]);
		OGR_F_SetFieldString(f, 9, "tremplin");
		OGR_F_SetFieldNull(f, 10);
		OGR_F_SetFieldDateTimeEx(f, 11, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
					 tm.tm_hour, tm.tm_min, (float)tm.tm_sec, 100);
		CPLErrorReset();
		if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE) {
			rc = tp_error_set(TP_EOUTPUT, "%s: layer layer_styles: cannot write a feature: %s",
					  path, CPLGetLastErrorMsg());
			goto cleanup;
		}
		OGR_F_Destroy(f);
		f = NULL;
	}
cleanup:
	if (in_tx)
		rc = tp_gpkg_transaction_end(ds, path, "layer_styles", rc);
	if (f)
		OGR_F_Destroy(f);
	return rc;
}

/*
 * meta.key of the store, or "" (a static empty string) when absent.  The
 * text lives in st's row: it is gone at the next call.
 */
static const char *meta_text(tp_rows *st, const char *key)
{
	tp_rows_rewind(st, key);
	if (tp_rows_next(st) > 0 && tp_rows_text(st, 0))
		return tp_rows_text(st, 0);
	return "";
}

int tp_gpkg_set_metadata(void *ds, const char *path, struct tp_view *view, int internal)
{
	tp_rows *st = NULL, *src = NULL;
	sqlite3_str *sources = sqlite3_str_new(NULL);
	char figures[512], threshold[32], base[32];
	int rc, step;

	rc = tp_rows_open(&st, view, TP_ROWS_META, "", path);
	if (!rc)
		rc = tp_rows_open(&src, view, TP_ROWS_SOURCES, NULL, path);
	if (rc)
		goto cleanup;
	while ((step = tp_rows_next(src)) > 0)
		sqlite3_str_appendf(sources, "%s: %s, layer %s, CRS %s, %lld rows read\n",
				    tp_rows_text(src, 0), tp_rows_text(src, 1), tp_rows_text(src, 2),
				    tp_rows_text(src, 3), tp_rows_int64(src, 4));
	if (step < 0) {
		rc = step;
		goto cleanup;
	}
	if (sqlite3_str_errcode(sources) != SQLITE_OK) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", path);
		goto cleanup;
	}
	if (internal)
		snprintf(figures, sizeof(figures),
			 "exact: an internal output, not to be published ([outputs] internal = yes)");
	else {
		snprintf(threshold, sizeof(threshold), "%s", meta_text(st, "small_cell_threshold"));
		snprintf(base, sizeof(base), "%s", meta_text(st, "rounding_base"));
		snprintf(figures, sizeof(figures),
			 "protected: rounded to a multiple of %s, figures under %s withheld ('<%s')"
			 " and the figures that would reveal them ('x')",
			 base, threshold, threshold);
	}
	CPLErrorReset();
	GDALSetMetadataItem(ds, "TITLE", "tremplin: people counted without a home and empty"
					    " dwellings, per commune",
			    NULL);
	GDALSetMetadataItem(ds, "PEOPLE_FIGURES", figures, NULL);
	GDALSetMetadataItem(ds, "TREMPLIN_VERSION", meta_text(st, "tremplin_version"), NULL);
	GDALSetMetadataItem(ds, "REFERENCE_DATE", meta_text(st, "reference_date"), NULL);
	GDALSetMetadataItem(ds, "RUN_STARTED", meta_text(st, "run_started"), NULL);
	GDALSetMetadataItem(ds, "CRS", meta_text(st, "crs"), NULL);
	GDALSetMetadataItem(ds, "SOURCES", sqlite3_str_value(sources), NULL);
	GDALSetMetadataItem(ds, "CONFIG_PATH", meta_text(st, "config_path"), NULL);
	GDALSetMetadataItem(ds, "CONFIG", meta_text(st, "config_text"), NULL);
	if (CPLGetLastErrorType() >= CE_Failure)
		rc = tp_gpkg_fail(path, NULL, "cannot set the metadata");
cleanup:
	sqlite3_free(sqlite3_str_finish(sources));
	tp_rows_close(st);
	tp_rows_close(src);
	return rc;
}

/*
 * Bulk writing: SQLite's page cache (MB) large enough for a layer's growing
 * B-trees, and no fsync while the temporary file grows (it reaches its name
 * only by rename, once complete and synced by tp_outfile_end).  For a file
 * of many rows, pages of 64 KiB instead of SQLite's 4 KiB: a sixteenth of
 * the write calls (the 1M run's GeoPackage, 409 MB, made 100,000 of them)
 * and of the B-tree's page splits; the write stage alone at 1M spends about
 * 0.6 s less of the kernel's time.  Below BIG_PAGES_ROWS the default stays:
 * every table and index takes at least one page, and the demo's file would
 * grow from 0.86 to 4.3 MB.  GDAL reads them as it creates the file; a
 * user's --config of any of them wins.
 */
#define BIG_PAGES_ROWS 100000

static const struct {
	const char *key, *value;
	int big_only; /* only for a file of BIG_PAGES_ROWS rows or more */
} bulk[] = {
	{"OGR_SQLITE_CACHE", "512", 0},
	{"OGR_SQLITE_SYNCHRONOUS", "OFF", 0},
	{"OGR_SQLITE_PRAGMA", "page_size=65536", 1},
};

#define NBULK (sizeof(bulk) / sizeof(bulk[0]))

int tp_gpkg_begin(tp_outfile *out, const char *path, size_t rows, void **ds)
{
	GDALDriverH drv = GDALGetDriverByName("GPKG");
	char *saved[NBULK] = {NULL};
	int set[NBULK] = {0};
	size_t k;
	const char *why;
	int rc;

	*ds = NULL;
	if (!drv)
		return tp_error_set(TP_EOUTPUT, "%s: GDAL has no GPKG driver", path);
	rc = tp_outfile_begin(out, path, TP_OUTFILE_SQLITE);
	if (rc)
		return rc;
	/*
	 * GDAL warns that the temporary name does not end in .gpkg (the final
	 * one does); a failure is still kept by CPLGetLastErrorMsg().
	 */
	for (k = 0; k < NBULK; k++)
		if (!CPLGetConfigOption(bulk[k].key, NULL) &&
		    (!bulk[k].big_only || rows >= BIG_PAGES_ROWS)) {
			const char *old = CPLGetThreadLocalConfigOption(bulk[k].key, NULL);
			saved[k] = old ? CPLStrdup(old) : NULL;
			CPLSetThreadLocalConfigOption(bulk[k].key, bulk[k].value);
			set[k] = 1;
		}
	CPLErrorReset();
	CPLPushErrorHandler(CPLQuietErrorHandler);
	*ds = GDALCreate(drv, out->tmp, 0, 0, 0, GDT_Unknown, NULL);
	CPLPopErrorHandler();
	for (k = 0; k < NBULK; k++) {
		if (set[k])
			CPLSetThreadLocalConfigOption(bulk[k].key, saved[k]);
		CPLFree(saved[k]);
	}
	if (*ds)
		return TP_OK;
	why = CPLGetLastErrorMsg();
	rc = tp_error_set(TP_EOUTPUT, "%s: cannot create the temporary file: %s", out->path,
			  why && *why ? why : "GDAL gave no reason");
	tp_outfile_abort(out);
	return rc;
}

int tp_gpkg_end(tp_outfile *out, void *ds, int rc)
{
	const char *why;
	double t0;

	if (rc) {
		if (ds) {
			CPLPushErrorHandler(CPLQuietErrorHandler);
			GDALClose(ds);
			CPLPopErrorHandler();
		}
		tp_outfile_abort(out);
		return rc;
	}
	/* GDAL 3.6's GDALClose() returns nothing: a failure shows as the last error. */
	CPLErrorReset();
	t0 = tp_clock(CLOCK_MONOTONIC);
	GDALClose(ds);
	CPLDebug("tremplin", "%s: closed in %.3f s", out->path, tp_clock(CLOCK_MONOTONIC) - t0);
	if (CPLGetLastErrorType() >= CE_Failure) {
		why = CPLGetLastErrorMsg();
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot finish the file: %s", out->path,
				  why && *why ? why : "GDAL gave no reason");
		/* SQLite does not log a COMMIT the disk refused: its log is where the
		 * runner learns of environment faults (pipeline/store.c) */
		if (why && strstr(why, sqlite3_errstr(SQLITE_FULL)))
			sqlite3_log(SQLITE_FULL, "%s", why);
		else if (why && strstr(why, sqlite3_errstr(SQLITE_IOERR)))
			sqlite3_log(SQLITE_IOERR, "%s", why);
	}
	return tp_outfile_end(out, rc);
}


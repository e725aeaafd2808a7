/*
 * indicators.c: the per-commune indicator tables ([indicators],
 * pipeline/register.c) in the communes layer of tremplin.gpkg: one
 * Integer64 field per table, after the layer's own, NULL for a commune
 * the table has no row for ("no data", never 0).  indicators.csv carries
 * the same columns (csv.c), the maps and the dashboard the same values
 * (mapdata.c); all read them through query.c.
 */
#include "outputs/outputs.h"
#include "geo/array.h"
#include "geo/error.h"
#include "outputs/query.h"

#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

/* Keeps v, the value of the mapped indicator, in *values (grown). */
static int keep(double **values, int *n, double v)
{
	int rc = tp_array_resize(values, (size_t)*n + 1, sizeof(**values));

	if (!rc)
		(*values)[(*n)++] = v;
	return rc;
}

int tp_gpkg_add_indicators(void *ds, void *communes, const char *path, tp_view *view,
			   const char *mapped, double **values, int *nvalues)
{
	tp_rows *names = NULL, *vals = NULL;
	OGRLayerH layer = communes;
	OGRFeatureH f = NULL;
	char context[1024];
	int rc, step, nis, in_tx = 0, any = 0;

	snprintf(context, sizeof(context), "%s: layer communes", path);
	rc = tp_rows_open(&names, view, TP_ROWS_INDICATOR_NAMES, NULL, context);
	if (!rc)
		rc = tp_rows_open(&vals, view, TP_ROWS_COMMUNE_INDICATORS, "", context);
	if (rc || !layer)
		goto cleanup;
	while ((step = tp_rows_next(names)) > 0) {
		OGRFieldDefnH fd = OGR_Fld_Create(tp_rows_text(names, 0), OFTInteger64);
		int ok = OGR_L_CreateField(layer, fd, TRUE) == OGRERR_NONE;

		OGR_Fld_Destroy(fd);
		if (!ok) {
			rc = tp_gpkg_fail(path, "communes", "cannot create an indicator's field");
			goto cleanup;
		}
		any = 1;
	}
	if (step < 0 || !any) {
		rc = step < 0 ? step : TP_OK;
		goto cleanup;
	}
	CPLErrorReset();
	if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
		rc = tp_gpkg_fail(path, "communes", "cannot start a transaction");
		goto cleanup;
	}
	in_tx = 1;
	nis = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), "nis_code");
	OGR_L_ResetReading(layer);
	while ((f = OGR_L_GetNextFeature(layer))) {
		tp_rows_rewind(vals, OGR_F_GetFieldAsString(f, nis));
		while ((step = tp_rows_next(vals)) > 0) {
			const char *name = tp_rows_text(vals, 0);
			int i = OGR_F_GetFieldIndex(f, name);

			if (tp_rows_null(vals, 1)) {
				OGR_F_SetFieldNull(f, i);
				continue;
			}
			OGR_F_SetFieldInteger64(f, i, tp_rows_int64(vals, 1));
			if (mapped && !strcmp(name, mapped) &&
			    (rc = keep(values, nvalues, (double)tp_rows_int64(vals, 1))))
				goto cleanup;
		}
		if (step < 0) {
			rc = step;
			goto cleanup;
		}
		if (OGR_L_SetFeature(layer, f) != OGRERR_NONE) {
			rc = tp_gpkg_fail(path, "communes", "cannot write an indicator");
			goto cleanup;
		}
		OGR_F_Destroy(f);
	}
cleanup:
	if (in_tx)
		rc = tp_gpkg_transaction_end(ds, path, "communes", rc);
	if (f)
		OGR_F_Destroy(f);
	tp_rows_close(vals);
	tp_rows_close(names);
	return rc;
}

int tp_indicator_is_table(tp_view *view, const char *name)
{
	tp_rows *names = NULL;
	int found = 0;

	if (tp_rows_open(&names, view, TP_ROWS_INDICATOR_NAMES, NULL, NULL))
		return 0;
	while (!found && tp_rows_next(names) > 0)
		found = !strcmp(tp_rows_text(names, 0), name);
	tp_rows_close(names);
	return found;
}

/*
 * located.c: the GeoPackage of tremplin join (outputs.h).
 *
 * A join at address scale writes a million points or more, so the layer
 * is written the way SQLite likes bulk work: one transaction per layer, a
 * page cache large enough to hold the table's growing B-tree and no fsync
 * while the temporary file grows (tp_gpkg_begin sees to both), and one
 * feature object refilled for every point.  The
 * points go in Morton order and their R-tree is packed in one pass
 * (rtree.c): GDAL 3.6 would fill it one insert at a time as it closes the
 * file, 7 s for a million points.  The time spent on the indexes is
 * reported apart.
 */
#include "outputs/outputs.h"
#include "geo/bigbuf.h"
#include "geo/clock.h"
#include "geo/error.h"
#include "geo/morton.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* Creates a layer with its fields (name and type, `n` of them). */
static OGRLayerH make_layer(GDALDatasetH ds, const char *path, const char *name,
			    OGRSpatialReferenceH srs, OGRwkbGeometryType type, char **lco,
			    const char *description, const char *const *fields,
			    const OGRFieldType *types, int n)
{
	char **opts = CSLDuplicate(lco);
	OGRLayerH layer;
	int i;

	opts = CSLSetNameValue(opts, "FID", "fid");
	opts = CSLSetNameValue(opts, "GEOMETRY_NAME", "geom");
	opts = CSLSetNameValue(opts, "DESCRIPTION", description);
	layer = GDALDatasetCreateLayer(ds, name, srs, type, opts);
	CSLDestroy(opts);
	if (!layer) {
		tp_gpkg_fail(path, name, "cannot create the layer");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		OGRFieldDefnH fd = OGR_Fld_Create(fields[i], types[i]);
		int ok = fd && OGR_L_CreateField(layer, fd, TRUE) == OGRERR_NONE;
		if (fd)
			OGR_Fld_Destroy(fd);
		if (!ok) {
			tp_gpkg_fail(path, name, "cannot create a field");
			return NULL;
		}
	}
	return layer;
}

/* GDAL's own spatial index of a layer written without one (one insert per
 * feature: fine for thousands of polygons). */
static int gdal_index(GDALDatasetH ds, const char *path, const char *table)
{
	char q[256];
	OGRLayerH res;

	snprintf(q, sizeof(q), "SELECT CreateSpatialIndex('%s', 'geom')", table);
	CPLErrorReset();
	res = GDALDatasetExecuteSQL(ds, q, NULL, NULL);
	if (res)
		GDALDatasetReleaseResultSet(ds, res);
	return CPLGetLastErrorType() >= CE_Failure
		       ? tp_gpkg_fail(path, table, "cannot build the spatial index")
		       : TP_OK;
}

/* Polygon i of r as a new OGR MultiPolygon, or NULL when out of memory. */
static OGRGeometryH multipolygon(const tp_rings *r, size_t i)
{
	OGRGeometryH mp = OGR_G_CreateGeometry(wkbMultiPolygon), poly = NULL;
	size_t k;

	if (!mp)
		return NULL;
	for (k = r->first[i]; k < r->first[i + 1]; k++) {
		OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
		const double *c = r->xy + 2 * r->ring[k];
		int npt = (int)(r->ring[k + 1] - r->ring[k]);

		if (!ring)
			goto oom;
		OGR_G_SetPoints(ring, npt, c, 2 * sizeof(double), c + 1, 2 * sizeof(double), NULL, 0);
		if (r->shell[k]) {
			if (poly && OGR_G_AddGeometryDirectly(mp, poly) != OGRERR_NONE)
				goto oom;
			poly = OGR_G_CreateGeometry(wkbPolygon);
			if (!poly) {
				OGR_G_DestroyGeometry(ring);
				goto oom;
			}
		}
		if (!poly || OGR_G_AddGeometryDirectly(poly, ring) != OGRERR_NONE)
			goto oom;
	}
	if (poly && OGR_G_AddGeometryDirectly(mp, poly) != OGRERR_NONE)
		goto oom;
	return mp;
oom:
	OGR_G_DestroyGeometry(mp);
	return NULL;
}

static int write_polygons(GDALDatasetH ds, const char *path, const tp_located *in,
			  OGRSpatialReferenceH srs, char **lco, int index, double *index_s)
{
	double t0;
	static const char *const fields[] = {"key", "count"};
	static const OGRFieldType types[] = {OFTString, OFTInteger64};
	OGRLayerH layer;
	OGRFeatureH f = NULL;
	size_t i;
	int rc = TP_OK;

	if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
		return tp_gpkg_fail(path, "polygons", "cannot start a transaction");
	layer = make_layer(ds, path, "polygons", srs, wkbMultiPolygon, lco,
			   "The polygons of tremplin join, each with the number of points it holds"
			   " (a point on a shared border counts for the polygon read first).",
			   fields, types, 2);
	if (!layer) {
		rc = TP_EOUTPUT;
		goto done;
	}
	for (i = 0; i < in->polys->n && !rc; i++) {
		OGRGeometryH g = multipolygon(in->polys, i);
		f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
		if (!g || !f) {
			if (g)
				OGR_G_DestroyGeometry(g);
			rc = tp_error_set(TP_ERROR, "%s: layer polygons: out of memory", path);
			break;
		}
		OGR_F_SetGeometryDirectly(f, g);
		OGR_F_SetFieldString(f, 0, in->keys[i]);
		OGR_F_SetFieldInteger64(f, 1, (GIntBig)in->count[i]);
		if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
			rc = tp_gpkg_fail(path, "polygons", "cannot write a feature");
		OGR_F_Destroy(f);
		f = NULL;
	}
	t0 = tp_clock(CLOCK_MONOTONIC);
	if (!rc && index)
		rc = gdal_index(ds, path, "polygons");
	*index_s += tp_clock(CLOCK_MONOTONIC) - t0;
done:
	if (rc) {
		GDALDatasetRollbackTransaction(ds);
		return rc;
	}
	return GDALDatasetCommitTransaction(ds) == OGRERR_NONE
		       ? TP_OK
		       : tp_gpkg_fail(path, "polygons", "cannot commit");
}

static int write_points(GDALDatasetH ds, const char *path, const tp_located *in,
			OGRSpatialReferenceH srs, char **lco, int index, double *index_s)
{
	int sequential = 1;
	double t0;
	static const char *const fields[] = {"source_fid", "polygon"};
	static const OGRFieldType types[] = {OFTInteger64, OFTString};
	uint64_t *order = NULL;
	OGRLayerH layer;
	OGRFeatureH f = NULL;
	OGRGeometryH pt;
	size_t j;
	int rc = TP_OK, kf = in->fid ? 1 : 0;

	if (in->npts > 0xffffffffu)
		return tp_error_set(TP_EOUTPUT, "%s: layer points: too many points (%zu)", path,
				    in->npts);
	if (!(order = tp_morton_order(in->xy, in->npts)))
		return tp_error_set(TP_ERROR, "%s: layer points: out of memory", path);
	if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
		tp_big_free(order);
		return tp_gpkg_fail(path, "points", "cannot start a transaction");
	}
	layer = make_layer(ds, path, "points", srs, wkbPoint, lco,
			   "The points of tremplin join, each with the key of the polygon holding it"
			   " (NULL outside every polygon) and its FID in the points' own file.",
			   fields + 1 - kf, types + 1 - kf, 1 + kf);
	if (!layer) {
		rc = TP_EOUTPUT;
		goto done;
	}
	f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	pt = OGR_G_CreateGeometry(wkbPoint);
	if (!f || !pt) {
		if (pt)
			OGR_G_DestroyGeometry(pt);
		rc = tp_error_set(TP_ERROR, "%s: layer points: out of memory", path);
		goto done;
	}
	OGR_F_SetGeometryDirectly(f, pt);
	/* one feature for all: its point moved, its fields set, its FID cleared */
	for (j = 0; j < in->npts && !rc; j++) {
		size_t i = (size_t)(order[j] & 0xffffffffu);
		if (j + 8 < in->npts) {
			/* the curve's order is not the arrays' order: ask ahead */
			size_t q = (size_t)(order[j + 8] & 0xffffffffu);
			__builtin_prefetch(&in->xy[2 * q]);
			__builtin_prefetch(&in->where[q]);
			if (kf)
				__builtin_prefetch(&in->fid[q]);
		}
		OGR_G_SetPoint_2D(OGR_F_GetGeometryRef(f), 0, in->xy[2 * i], in->xy[2 * i + 1]);
		if (kf)
			OGR_F_SetFieldInteger64(f, 0, in->fid[i]);
		if (in->where[i] >= 0)
			OGR_F_SetFieldString(f, kf, in->keys[in->where[i]]);
		else
			OGR_F_SetFieldNull(f, kf);
		OGR_F_SetFID(f, OGRNullFID);
		if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
			rc = tp_gpkg_fail(path, "points", "cannot write a feature");
		sequential &= OGR_F_GetFID(f) == (GIntBig)j + 1;
	}
	t0 = tp_clock(CLOCK_MONOTONIC);
	/* the packed index needs FIDs 1..n in curve order, which a new table gives;
	 * anything else gets GDAL's own, slower, index */
	if (!rc && index && sequential)
		rc = tp_gpkg_point_rtree(ds, path, "points", in->xy, order, NULL, in->npts);
	else if (!rc && index)
		rc = gdal_index(ds, path, "points");
	*index_s += tp_clock(CLOCK_MONOTONIC) - t0;
done:
	tp_big_free(order);
	if (f)
		OGR_F_Destroy(f);
	if (rc) {
		GDALDatasetRollbackTransaction(ds);
		return rc;
	}
	return GDALDatasetCommitTransaction(ds) == OGRERR_NONE ? TP_OK
							      : tp_gpkg_fail(path, "points", "cannot commit");
}

/* QGIS's default style of the polygons: coloured by count, 5 quantile classes. */
static int write_style(GDALDatasetH ds, const char *path, const tp_located *in)
{
	static const char *const layers[] = {"polygons"};
	static const char *const what[] = {"Polygons coloured by their number of points, 5 quantile classes"};
	double *values = malloc((in->polys->n ? in->polys->n : 1) * sizeof(*values));
	tp_classes classes;
	char *qml[1] = {NULL};
	size_t i;
	int rc;

	if (!values || in->polys->n > INT_MAX) {
		free(values);
		return tp_error_set(TP_ERROR, "%s: out of memory", path);
	}
	for (i = 0; i < in->polys->n; i++)
		values[i] = (double)in->count[i];
	tp_classes_quantile(&classes, values, in->polys->n);
	free(values);
	qml[0] = tp_style_communes("count", &classes, 0, "both", 0);
	if (!qml[0])
		return tp_error_set(TP_ERROR, "%s: out of memory", path);
	rc = tp_gpkg_write_styles(ds, path, 1, layers, qml, what);
	sqlite3_free(qml[0]);
	return rc;
}

int tp_write_located(const char *path, const tp_located *in, char **lco, double *rtree_s)
{
	tp_outfile out;
	int rc = TP_OK;
	OGRSpatialReferenceH srs = NULL;
	GDALDatasetH ds = NULL;
	/* the indexes are built here, not by GDAL as it closes the file */
	int index = CPLTestBool(CSLFetchNameValueDef(lco, "SPATIAL_INDEX", "YES"));
	char **own_lco = CSLSetNameValue(CSLDuplicate(lco), "SPATIAL_INDEX", "NO");
	double index_s = 0;

	if (in->crs && in->crs[0]) {
		srs = OSRNewSpatialReference(NULL);
		if (!srs || OSRSetFromUserInput(srs, in->crs) != OGRERR_NONE) {
			rc = tp_error_set(TP_EOUTPUT, "%s: GDAL does not know the CRS '%.80s'", path,
					  in->crs);
			goto done;
		}
		OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
	}
	rc = tp_gpkg_begin(&out, path, in->npts, &ds);
	if (rc)
		goto done;
	rc = write_polygons(ds, path, in, srs, own_lco, index, &index_s);
	if (!rc)
		rc = write_points(ds, path, in, srs, own_lco, index, &index_s);
	if (!rc)
		rc = write_style(ds, path, in);
	rc = tp_gpkg_end(&out, ds, rc);
done:
	if (srs)
		OSRDestroySpatialReference(srs);
	CSLDestroy(own_lco);
	if (rtree_s)
		*rtree_s = index_s;
	return rc;
}

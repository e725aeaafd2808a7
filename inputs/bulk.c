/*
 * bulk.c: whole-layer readers (bulk.h).
 */
#include "inputs/bulk.h"
#include "geo/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_recordbatch.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_string.h>

static int open_layer(GDALDatasetH *ds, OGRLayerH *lyr, const char *path, const char *layer)
{
	struct stat st;

	GDALAllRegister();
	if (stat(path, &st) != 0)
		return tp_error_set(TP_EINPUT, "%s: file not found", path);
	*ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	if (!*ds)
		return tp_error_set(TP_EINPUT, "%s: not a vector file OGR can read", path);
	*lyr = layer ? GDALDatasetGetLayerByName(*ds, layer) : GDALDatasetGetLayer(*ds, 0);
	if (!*lyr) {
		GDALClose(*ds);
		*ds = NULL;
		return tp_error_set(TP_EINPUT, "%s: no layer '%s'", path, layer ? layer : "(first)");
	}
	return TP_OK;
}

static void layer_crs(OGRLayerH lyr, char *out, size_t len)
{
	OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
	const char *auth, *code;
	char *wkt = NULL;

	out[0] = '\0';
	if (!srs)
		return;
	auth = OSRGetAuthorityName(srs, NULL);
	code = OSRGetAuthorityCode(srs, NULL);
	if (auth && code) {
		snprintf(out, len, "%s:%s", auth, code);
		return;
	}
	if (OSRExportToWkt(srs, &wkt) == OGRERR_NONE && wkt)
		snprintf(out, len, "%s", wkt);
	CPLFree(wkt);
}

static int grow(tp_points *p, size_t *cap, size_t need)
{
	if (need <= *cap)
		return TP_OK;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 65536;
	p->xy = realloc(p->xy, *cap * 2 * sizeof(*p->xy));
	return p->xy ? TP_OK : tp_error_set(TP_ERROR, "out of memory");
}

/* Reads x, y of a 2D/3D/M point in ISO or extended WKB; 0 or -1. */
static int wkb_point(const uint8_t *w, size_t len, double *x, double *y)
{
	uint32_t type;

	if (len < 21)
		return -1;
	if (w[0] == 1) {
		memcpy(&type, w + 1, 4);
		memcpy(x, w + 5, 8);
		memcpy(y, w + 13, 8);
	} else {
		uint8_t b[8];
		int k;
		type = (uint32_t)w[1] << 24 | (uint32_t)w[2] << 16 | (uint32_t)w[3] << 8 | w[4];
		for (k = 0; k < 8; k++)
			b[k] = w[12 - k];
		memcpy(x, b, 8);
		for (k = 0; k < 8; k++)
			b[k] = w[20 - k];
		memcpy(y, b, 8);
	}
	type &= 0x0fffffff;
	if (type % 1000 != 1)
		return -1;
	return *x == *x && *y == *y ? 0 : -1;
}

/* Reads through the Arrow stream; 1 if it did, 0 when the driver has none. */
static int read_arrow(tp_points *p, OGRLayerH lyr, const char *path)
{
	struct ArrowArrayStream stream;
	struct ArrowSchema schema;
	const char *gcol = OGR_L_GetGeometryColumn(lyr);
	char **opts = NULL;
	size_t cap = 0;
	int64_t gi = -1, k;
	int rc = 1;

	memset(&stream, 0, sizeof(stream));
	memset(&schema, 0, sizeof(schema));
	/* keep the FID: GDAL 3.6.2 streams of the geometry alone can come back zeroed */
	opts = CSLSetNameValue(opts, "INCLUDE_FID", "YES");
	if (!OGR_L_GetArrowStream(lyr, &stream, opts)) {
		CSLDestroy(opts);
		return 0;
	}
	CSLDestroy(opts);
	if (stream.get_schema(&stream, &schema) != 0) {
		stream.release(&stream);
		return 0;
	}
	for (k = 0; k < schema.n_children; k++) {
		const char *name = schema.children[k]->name;
		if (name && ((gcol && *gcol && !strcmp(name, gcol)) ||
			     (!(gcol && *gcol) && !strcmp(name, "wkb_geometry"))))
			gi = k;
	}
	if (gi < 0 || (strcmp(schema.children[gi]->format, "z") &&
		       strcmp(schema.children[gi]->format, "Z"))) {
		schema.release(&schema);
		stream.release(&stream);
		return 0;
	}
	for (;;) {
		struct ArrowArray arr;
		const struct ArrowArray *col;
		const uint8_t *valid, *data;
		int large = schema.children[gi]->format[0] == 'Z';
		int64_t i;

		memset(&arr, 0, sizeof(arr));
		if (stream.get_next(&stream, &arr) != 0) {
			rc = tp_error_set(TP_EINPUT, "%s: reading failed: %s", path,
					  stream.get_last_error(&stream));
			break;
		}
		if (!arr.release)
			break;
		col = arr.children[gi];
		valid = col->buffers[0];
		data = col->buffers[2];
		if (grow(p, &cap, p->n + (size_t)col->length)) {
			arr.release(&arr);
			rc = TP_ERROR;
			break;
		}
		for (i = 0; i < col->length; i++) {
			int64_t j = col->offset + i, a, b;
			if (valid && !(valid[j >> 3] & (1 << (j & 7)))) {
				p->no_geom++;
				continue;
			}
			if (large) {
				a = ((const int64_t *)col->buffers[1])[j];
				b = ((const int64_t *)col->buffers[1])[j + 1];
			} else {
				a = ((const int32_t *)col->buffers[1])[j];
				b = ((const int32_t *)col->buffers[1])[j + 1];
			}
			if (wkb_point(data + a, (size_t)(b - a), &p->xy[2 * p->n], &p->xy[2 * p->n + 1]))
				p->no_geom++;
			else
				p->n++;
		}
		arr.release(&arr);
	}
	schema.release(&schema);
	stream.release(&stream);
	p->arrow = 1;
	return rc;
}

int tp_points_read(tp_points *out, const char *path, const char *layer)
{
	GDALDatasetH ds = NULL;
	OGRLayerH lyr = NULL;
	OGRFeatureH f;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = open_layer(&ds, &lyr, path, layer);
	if (rc)
		return rc;
	layer_crs(lyr, out->crs, sizeof(out->crs));
	if (!CPLTestBool(CPLGetConfigOption("TREMPLIN_NO_ARROW", "NO"))) {
		rc = read_arrow(out, lyr, path);
		if (rc == 1) {
			GDALClose(ds);
			return TP_OK;
		}
		if (rc < 0)
			goto fail;
		OGR_L_ResetReading(lyr);
	}
	while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
		OGRGeometryH geom = OGR_F_GetGeometryRef(f);
		if (geom && wkbFlatten(OGR_G_GetGeometryType(geom)) == wkbPoint && !OGR_G_IsEmpty(geom)) {
			if ((rc = grow(out, &cap, out->n + 1)) != 0) {
				OGR_F_Destroy(f);
				goto fail;
			}
			out->xy[2 * out->n] = OGR_G_GetX(geom, 0);
			out->xy[2 * out->n + 1] = OGR_G_GetY(geom, 0);
			out->n++;
		} else {
			out->no_geom++;
		}
		OGR_F_Destroy(f);
	}
	GDALClose(ds);
	return TP_OK;
fail:
	GDALClose(ds);
	tp_points_dispose(out);
	return rc;
}

void tp_points_dispose(tp_points *p)
{
	free(p->xy);
	memset(p, 0, sizeof(*p));
}

int tp_polys_read(tp_polys *out, tp_geo *g, const char *path, const char *layer,
		  const char *key_field, const char *value_field)
{
	GDALDatasetH ds = NULL;
	OGRLayerH lyr = NULL;
	OGRFeatureH f;
	int kf = -1, vf = -1, rc;
	size_t cap = 0, wkbcap = 0;
	unsigned char *wkbbuf = NULL;
	long row = 0;

	memset(out, 0, sizeof(*out));
	rc = open_layer(&ds, &lyr, path, layer);
	if (rc)
		return rc;
	layer_crs(lyr, out->crs, sizeof(out->crs));
	if (key_field && (kf = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), key_field)) < 0) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: no column '%s'", path, OGR_L_GetName(lyr),
				  key_field);
		goto fail;
	}
	if (value_field &&
	    (vf = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), value_field)) < 0) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: no column '%s'", path, OGR_L_GetName(lyr),
				  value_field);
		goto fail;
	}
	while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
		OGRGeometryH geom = OGR_F_GetGeometryRef(f);
		GEOSGeometry *raw = NULL, *ok = NULL;
		unsigned char *wkb = NULL;
		const char *why = "no geometry";
		char key[64];
		int repaired;
		size_t len;

		row++;
		if (geom) {
			len = (size_t)OGR_G_WkbSize(geom);
			if (len > wkbcap) {
				free(wkbbuf);
				wkbcap = len * 2;
				wkbbuf = malloc(wkbcap);
			}
			wkb = wkbbuf;
			if (wkb && OGR_G_ExportToIsoWkb(geom, wkbNDR, wkb) == OGRERR_NONE)
				raw = tp_geo_from_wkb(g, wkb, len);
		}
		if (raw) {
			int type = GEOSGeomTypeId_r(g->gh, raw);
			/* the usual case, a valid polygon, is kept as it is: no copy */
			if ((type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) &&
			    GEOSisValid_r(g->gh, raw) == 1) {
				ok = type == GEOS_MULTIPOLYGON
					     ? raw
					     : GEOSGeom_createCollection_r(g->gh, GEOS_MULTIPOLYGON, &raw, 1);
				raw = NULL;
			} else {
				ok = tp_geo_valid_multipolygon(g, raw, &repaired, &why);
			}
			if (raw)
				GEOSGeom_destroy_r(g->gh, raw);
		}
		if (!ok) {
			OGR_F_Destroy(f);
			rc = tp_error_set(TP_EINPUT, "%s, layer %s, row %ld: %s", path, OGR_L_GetName(lyr),
					  row, why);
			goto fail;
		}
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			GEOSGeometry **gg = realloc(out->geom, nc * sizeof(*gg));
			char **kk = gg ? realloc(out->key, nc * sizeof(*kk)) : NULL;
			double *vv = kk ? realloc(out->value, nc * sizeof(*vv)) : NULL;
			if (gg)
				out->geom = gg;
			if (kk)
				out->key = kk;
			if (!vv) {
				GEOSGeom_destroy_r(g->gh, ok);
				OGR_F_Destroy(f);
				rc = tp_error_set(TP_ERROR, "out of memory");
				goto fail;
			}
			out->value = vv;
			cap = nc;
		}
		if (kf >= 0)
			out->key[out->n] = strdup(OGR_F_GetFieldAsString(f, kf));
		else {
			snprintf(key, sizeof(key), "%lld", (long long)OGR_F_GetFID(f));
			out->key[out->n] = strdup(key);
		}
		out->value[out->n] = vf >= 0 ? OGR_F_GetFieldAsDouble(f, vf) : 0;
		out->geom[out->n++] = ok;
		OGR_F_Destroy(f);
	}
	free(wkbbuf);
	GDALClose(ds);
	return TP_OK;
fail:
	free(wkbbuf);
	GDALClose(ds);
	tp_polys_dispose(out, g);
	return rc;
}

void tp_polys_dispose(tp_polys *p, tp_geo *g)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		GEOSGeom_destroy_r(g->gh, p->geom[i]);
		free(p->key[i]);
	}
	free(p->geom);
	free(p->key);
	free(p->value);
	memset(p, 0, sizeof(*p));
}

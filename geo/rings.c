/*
 * rings.c: flat rings (rings.h).
 */
#include "geo/rings.h"
#include "geo/bigbuf.h"
#include "geo/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 65536;
	void *q;

	if (need <= *cap)
		return TP_OK;
	while (c < need)
		c *= 2;
	q = tp_big_realloc(*p, c * elem);
	if (!q)
		return tp_error_set(TP_ERROR, "out of memory");
	*p = q;
	*cap = c;
	return TP_OK;
}

double *tp_rings_reserve(tp_rings *r, size_t npts)
{
	if (grow((void **)&r->xy, &r->cappt, r->npt + npts, 2 * sizeof(double)))
		return NULL;
	return r->xy + 2 * r->npt;
}

/* Grows two arrays that share a capacity to hold need entries. */
static int grow2(void **a, size_t ea, void **b, size_t eb, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : 256;
	void *p;

	if (need <= *cap)
		return TP_OK;
	while (c < need)
		c *= 2;
	if (!(p = tp_big_realloc(*a, c * ea)))
		return tp_error_set(TP_ERROR, "out of memory");
	*a = p;
	if (!(p = tp_big_realloc(*b, c * eb)))
		return tp_error_set(TP_ERROR, "out of memory");
	*b = p;
	*cap = c;
	return TP_OK;
}

/* Room for the ring and polygon tables, including their closing entries. */
static int tables(tp_rings *r, size_t rings, size_t polys)
{
	if (grow2((void **)&r->ring, sizeof(size_t), (void **)&r->shell, 1, &r->capring,
		  rings + 1) ||
	    grow2((void **)&r->first, sizeof(size_t), (void **)&r->env, 4 * sizeof(double),
		  &r->cappoly, polys + 1))
		return TP_ERROR;
	if (r->n == 0 && r->nring == 0)
		r->first[0] = 0;
	return TP_OK;
}

int tp_rings_add_ring(tp_rings *r, size_t npts, int shell)
{
	if (tables(r, r->nring + 1, r->n))
		return TP_ERROR;
	r->ring[r->nring] = r->npt;
	r->shell[r->nring] = (unsigned char)(shell != 0);
	r->nring++;
	r->npt += npts;
	r->ring[r->nring] = r->npt;
	return TP_OK;
}

int tp_rings_end_polygon(tp_rings *r)
{
	double minx = HUGE_VAL, miny = HUGE_VAL, maxx = -HUGE_VAL, maxy = -HUGE_VAL;
	size_t k, from;

	if (tables(r, r->nring, r->n + 1))
		return TP_ERROR;
	from = r->first[r->n];
	if (r->nring > from) {
		for (k = r->ring[from]; k < r->ring[r->nring]; k++) {
			double x = r->xy[2 * k], y = r->xy[2 * k + 1];
			minx = x < minx ? x : minx;
			maxx = x > maxx ? x : maxx;
			miny = y < miny ? y : miny;
			maxy = y > maxy ? y : maxy;
		}
	}
	r->env[4 * r->n] = minx;
	r->env[4 * r->n + 1] = miny;
	r->env[4 * r->n + 2] = maxx;
	r->env[4 * r->n + 3] = maxy;
	r->n++;
	r->first[r->n] = r->nring;
	r->ring[r->nring] = r->npt;
	return TP_OK;
}

static int add_geos_ring(tp_rings *r, tp_geo *g, const GEOSGeometry *ring, int shell)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(g->gh, ring);
	unsigned int n = 0;
	double *dst;

	if (!cs || !GEOSCoordSeq_getSize_r(g->gh, cs, &n))
		return tp_error_set(TP_ERROR, "cannot read a ring: %s", g->geos_msg);
	if (n == 0)
		return TP_OK;
	if (!(dst = tp_rings_reserve(r, n)))
		return TP_ERROR;
	if (!GEOSCoordSeq_copyToBuffer_r(g->gh, cs, dst, 0, 0))
		return tp_error_set(TP_ERROR, "cannot read a ring: %s", g->geos_msg);
	return tp_rings_add_ring(r, n, shell);
}

static int add_geos_parts(tp_rings *r, tp_geo *g, const GEOSGeometry *geom)
{
	GEOSContextHandle_t h = g->gh;
	int type = GEOSGeomTypeId_r(h, geom), i, n;

	if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
		n = GEOSGetNumGeometries_r(h, geom);
		for (i = 0; i < n; i++)
			if (add_geos_parts(r, g, GEOSGetGeometryN_r(h, geom, i)))
				return TP_ERROR;
		return TP_OK;
	}
	if (type != GEOS_POLYGON || GEOSisEmpty_r(h, geom) != 0)
		return TP_OK;
	if (add_geos_ring(r, g, GEOSGetExteriorRing_r(h, geom), 1))
		return TP_ERROR;
	n = GEOSGetNumInteriorRings_r(h, geom);
	for (i = 0; i < n; i++)
		if (add_geos_ring(r, g, GEOSGetInteriorRingN_r(h, geom, i), 0))
			return TP_ERROR;
	return TP_OK;
}

int tp_rings_add_geos(tp_rings *r, tp_geo *g, const GEOSGeometry *geom)
{
	if (geom && add_geos_parts(r, g, geom))
		return TP_ERROR;
	return tp_rings_end_polygon(r);
}

int tp_rings_add_copy(tp_rings *r, const tp_rings *src, size_t i)
{
	size_t k;

	for (k = src->first[i]; k < src->first[i + 1]; k++) {
		size_t n = src->ring[k + 1] - src->ring[k];
		double *dst = tp_rings_reserve(r, n);
		if (!dst)
			return TP_ERROR;
		memcpy(dst, src->xy + 2 * src->ring[k], n * 2 * sizeof(double));
		if (tp_rings_add_ring(r, n, src->shell[k]))
			return TP_ERROR;
	}
	return tp_rings_end_polygon(r);
}

static GEOSGeometry *linear_ring(const tp_rings *r, tp_geo *g, size_t k)
{
	GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(
		g->gh, r->xy + 2 * r->ring[k], (unsigned int)(r->ring[k + 1] - r->ring[k]), 0, 0);

	/* on failure GEOS has taken the sequence and destroyed it */
	return cs ? GEOSGeom_createLinearRing_r(g->gh, cs) : NULL;
}

GEOSGeometry *tp_rings_geos(const tp_rings *r, tp_geo *g, size_t i)
{
	GEOSContextHandle_t h = g->gh;
	GEOSGeometry **parts = NULL, **holes = NULL, *res = NULL;
	size_t k = r->first[i], end = r->first[i + 1], nparts = 0, j;

	parts = malloc((end - k + 1) * sizeof(*parts));
	holes = malloc((end - k + 1) * sizeof(*holes));
	if (!parts || !holes)
		goto done;
	while (k < end) {
		GEOSGeometry *shell = linear_ring(r, g, k), *poly;
		size_t nh = 0;

		if (!shell)
			goto done;
		for (k++; k < end && !r->shell[k]; k++) {
			if (!(holes[nh] = linear_ring(r, g, k))) {
				while (nh)
					GEOSGeom_destroy_r(h, holes[--nh]);
				GEOSGeom_destroy_r(h, shell);
				goto done;
			}
			nh++;
		}
		poly = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned int)nh);
		if (!poly)
			goto done;
		parts[nparts++] = poly;
	}
	/* GEOS takes the parts, whether it succeeds or not */
	res = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned int)nparts);
	nparts = 0;
done:
	for (j = 0; j < nparts; j++)
		GEOSGeom_destroy_r(h, parts[j]);
	free(parts);
	free(holes);
	return res;
}

void tp_rings_split(const tp_rings *r, int parts, size_t *bounds)
{
	size_t p = 0;
	int t;

	bounds[0] = 0;
	for (t = 1; t < parts; t++) {
		size_t want = r->npt * (size_t)t / (size_t)parts;
		while (p < r->n && r->ring[r->first[p]] < want)
			p++;
		bounds[t] = p;
	}
	bounds[parts] = r->n;
}

void tp_rings_dispose(tp_rings *r)
{
	tp_big_free(r->xy);
	tp_big_free(r->ring);
	tp_big_free(r->shell);
	tp_big_free(r->first);
	tp_big_free(r->env);
	memset(r, 0, sizeof(*r));
}

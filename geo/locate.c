/*
 * locate.c: point-in-polygon with an STRtree, a crossing test and
 * prepared polygons.
 *
 * Envelopes go into an STRtree once, and the rings of every polygon are
 * copied once into one flat array.  Each polygon's height is cut into
 * bands, and each band lists the segments that reach into it, so a test
 * looks at a handful of segments rather than all of them.  A query asks
 * the tree for the polygons whose envelope holds the point and runs the
 * crossing-number test on the segments of the point's band.  That test is exact except for a point within a hair
 * (NEAR metres) of a boundary; for those, the polygon is prepared with GEOS
 * (once, kept for the index's life) and GEOS's robust predicate decides.
 * Polygons are closed: a point on the boundary is held.  Among the polygons
 * that hold a point, the lowest position wins: the border rule of locate.h.
 *
 * Why not a prepared predicate for every test: preparing builds a segment
 * index per polygon, which for thousands of detailed polygons costs more
 * than all the tests of a million points; the crossing test needs none,
 * and the prepared predicate is still what rules on the boundary.
 */
#include "geo/locate.h"
#include "geo/error.h"

#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define NEAR 1e-7
#define SEGMENTS_PER_BAND 6

struct tp_index {
	tp_geo *g;                          /* context that built it */
	const GEOSGeometry *const *polys;   /* the polygons (borrowed) */
	size_t n;                           /* number of polygons */
	const GEOSPreparedGeometry **prep;  /* prepared polygon, built on first need */
	double *xy;                         /* every ring's coordinates, flat */
	size_t *ring;                       /* ring k is points ring[k] .. ring[k+1]-1 */
	size_t *first;                      /* polygon i has rings first[i] .. first[i+1]-1 */
	size_t nring;                       /* rings in all */
	double *band_y0;                    /* per polygon: bottom of its bands */
	double *band_h;                     /* per polygon: band height */
	uint32_t *nband;                    /* per polygon: number of bands */
	size_t *band_first;                 /* per polygon: its first band's slot in band_off */
	size_t *band_off;                   /* band b lists seg[band_off[b] .. band_off[b+1]-1] */
	uint32_t *seg;                      /* a segment is named by its end point's index */
	int shared;                         /* rings and bands belong to another index */
	size_t *pos;                        /* item i of the tree is &pos[i] */
	GEOSSTRtree *tree;                  /* envelopes of the polygons */
	size_t *cand;                       /* query scratch: candidate positions */
	size_t ncand;                       /* used entries of cand */
};

/* Growable arrays for the flat rings. */
typedef struct {
	double *xy;
	size_t npt, cappt;
	size_t *ring;
	size_t nring, capring;
} flat;

static int add_ring(GEOSContextHandle_t h, flat *f, const GEOSGeometry *r)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, r);
	unsigned int n = 0;

	if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
		return -1;
	if (f->npt + n > f->cappt) {
		size_t cap = f->cappt ? f->cappt : 1024;
		double *p;
		while (cap < f->npt + n)
			cap *= 2;
		if (!(p = realloc(f->xy, cap * 2 * sizeof(*p))))
			return -1;
		f->xy = p;
		f->cappt = cap;
	}
	if (f->nring + 2 > f->capring) {
		size_t cap = f->capring ? f->capring * 2 : 256, *p;
		if (!(p = realloc(f->ring, cap * sizeof(*p))))
			return -1;
		f->ring = p;
		f->capring = cap;
	}
	if (n && !GEOSCoordSeq_copyToBuffer_r(h, cs, f->xy + 2 * f->npt, 0, 0))
		return -1;
	f->ring[f->nring++] = f->npt;
	f->npt += n;
	return 0;
}

static int add_rings(GEOSContextHandle_t h, flat *f, const GEOSGeometry *g)
{
	int type = GEOSGeomTypeId_r(h, g), i, n;

	if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
		n = GEOSGetNumGeometries_r(h, g);
		for (i = 0; i < n; i++)
			if (add_rings(h, f, GEOSGetGeometryN_r(h, g, i)))
				return -1;
		return 0;
	}
	if (type != GEOS_POLYGON || GEOSisEmpty_r(h, g) != 0)
		return 0;
	if (add_ring(h, f, GEOSGetExteriorRing_r(h, g)))
		return -1;
	n = GEOSGetNumInteriorRings_r(h, g);
	for (i = 0; i < n; i++)
		if (add_ring(h, f, GEOSGetInteriorRingN_r(h, g, i)))
			return -1;
	return 0;
}

/* The bands of polygon p that the y-range [lo, hi] (widened by NEAR) meets. */
static void band_range(const tp_index *ix, size_t p, double lo, double hi, size_t *b0,
		       size_t *b1)
{
	double a = floor((lo - NEAR - ix->band_y0[p]) / ix->band_h[p]);
	double b = floor((hi + NEAR - ix->band_y0[p]) / ix->band_h[p]);
	double top = (double)ix->nband[p] - 1;

	*b0 = (size_t)(a < 0 ? 0 : a > top ? top : a);
	*b1 = (size_t)(b < 0 ? 0 : b > top ? top : b);
}

/* The y-range of segment e (from point e-1 to point e). */
static void seg_yrange(const tp_index *ix, size_t e, double *lo, double *hi)
{
	double ya = ix->xy[2 * e - 1], yb = ix->xy[2 * e + 1];

	*lo = ya < yb ? ya : yb;
	*hi = ya < yb ? yb : ya;
}

/* Segment e runs from point e-1 to point e; those of polygon p are, for each
 * of its rings r, e in ring[r]+1 .. ring[r+1]-1. */
#define SEG_BEGIN(ix, p)                                                         \
	for (size_t r_ = (ix)->first[p]; r_ < (ix)->first[(p) + 1]; r_++)        \
		for (size_t e = (ix)->ring[r_] + 1; e < (ix)->ring[r_ + 1]; e++)

/* The bands of every polygon (see the top comment). */
static int build_bands(tp_index *ix)
{
	size_t p, nbands = 0, nseg = 0, b, b0, b1;
	size_t *fill = NULL;
	double lo, hi;

	ix->band_y0 = malloc((ix->n ? ix->n : 1) * sizeof(double));
	ix->band_h = malloc((ix->n ? ix->n : 1) * sizeof(double));
	ix->nband = malloc((ix->n ? ix->n : 1) * sizeof(uint32_t));
	ix->band_first = malloc((ix->n + 1) * sizeof(size_t));
	if (!ix->band_y0 || !ix->band_h || !ix->nband || !ix->band_first)
		return -1;
	for (p = 0; p < ix->n; p++) {
		double lo_y = HUGE_VAL, hi_y = -HUGE_VAL;
		size_t count = 0;

		SEG_BEGIN(ix, p) {
			seg_yrange(ix, e, &lo, &hi);
			lo_y = lo < lo_y ? lo : lo_y;
			hi_y = hi > hi_y ? hi : hi_y;
			count++;
		}
		ix->nband[p] = (uint32_t)(count / SEGMENTS_PER_BAND + 1);
		ix->band_y0[p] = count ? lo_y : 0;
		ix->band_h[p] = count && hi_y > lo_y ? (hi_y - lo_y) / ix->nband[p] : 1;
		ix->band_first[p] = nbands;
		nbands += ix->nband[p];
	}
	ix->band_first[ix->n] = nbands;
	ix->band_off = calloc(nbands + 1, sizeof(size_t));
	if (!ix->band_off)
		return -1;
	/* count the segments of each band, then place them */
	for (p = 0; p < ix->n; p++) {
		SEG_BEGIN(ix, p) {
			seg_yrange(ix, e, &lo, &hi);
			band_range(ix, p, lo, hi, &b0, &b1);
			for (b = b0; b <= b1; b++)
				ix->band_off[ix->band_first[p] + b + 1]++;
			nseg += b1 - b0 + 1;
		}
	}
	for (b = 0; b < nbands; b++)
		ix->band_off[b + 1] += ix->band_off[b];
	ix->seg = malloc((nseg ? nseg : 1) * sizeof(uint32_t));
	fill = malloc((nbands ? nbands : 1) * sizeof(size_t));
	if (!ix->seg || !fill) {
		free(fill);
		return -1;
	}
	memcpy(fill, ix->band_off, nbands * sizeof(size_t));
	for (p = 0; p < ix->n; p++) {
		SEG_BEGIN(ix, p) {
			seg_yrange(ix, e, &lo, &hi);
			band_range(ix, p, lo, hi, &b0, &b1);
			for (b = b0; b <= b1; b++)
				ix->seg[fill[ix->band_first[p] + b]++] = (uint32_t)e;
		}
	}
	free(fill);
	return 0;
}

/* The per-thread part of an index: STRtree, prepared slots, scratch. */
static int index_own_parts(tp_index *ix)
{
	size_t i, n = ix->n;

	ix->prep = calloc(n ? n : 1, sizeof(*ix->prep));
	ix->pos = calloc(n ? n : 1, sizeof(*ix->pos));
	ix->cand = calloc(n ? n : 1, sizeof(*ix->cand));
	ix->tree = GEOSSTRtree_create_r(ix->g->gh, 10);
	if (!ix->prep || !ix->pos || !ix->cand || !ix->tree)
		return -1;
	for (i = 0; i < n; i++) {
		ix->pos[i] = i;
		GEOSSTRtree_insert_r(ix->g->gh, ix->tree, ix->polys[i], &ix->pos[i]);
	}
	return 0;
}

int tp_index_new(tp_index **out, tp_geo *g, const GEOSGeometry *const *polys,
		 size_t n)
{
	tp_index *ix = NULL;
	flat f = {0};
	size_t i;

	*out = NULL;
	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return tp_error_set(TP_ERROR, "out of memory");
	ix->g = g;
	ix->polys = polys;
	ix->n = n;
	ix->first = calloc(n + 1, sizeof(*ix->first));
	if (!ix->first || index_own_parts(ix))
		goto oom;
	/* one allocation of the right size: growing a large array costs page faults */
	for (i = 0; i < n; i++) {
		int c = GEOSGetNumCoordinates_r(g->gh, polys[i]);
		f.cappt += c > 0 ? (size_t)c : 0;
	}
	if (f.cappt && !(f.xy = malloc(f.cappt * 2 * sizeof(*f.xy))))
		goto oom;
	for (i = 0; i < n; i++) {
		ix->first[i] = f.nring;
		if (add_rings(g->gh, &f, polys[i]))
			goto oom;
	}
	ix->first[n] = f.nring;
	if (!f.ring && !(f.ring = malloc(sizeof(*f.ring))))
		goto oom;
	f.ring[f.nring] = f.npt; /* room was kept by add_ring */
	ix->xy = f.xy;
	ix->ring = f.ring;
	ix->nring = f.nring;
	f.xy = NULL;
	f.ring = NULL;
	if (build_bands(ix))
		goto oom;
	*out = ix;
	return TP_OK;
oom:
	free(f.xy);
	free(f.ring);
	tp_index_free(ix);
	return tp_error_set(TP_ERROR, "out of memory");
}

int tp_index_share(tp_index **out, const tp_index *base, tp_geo *g)
{
	tp_index *ix = NULL;

	*out = NULL;
	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return tp_error_set(TP_ERROR, "out of memory");
	*ix = *base;
	ix->g = g;
	ix->shared = 1;
	ix->prep = NULL;
	ix->pos = NULL;
	ix->cand = NULL;
	ix->tree = NULL;
	ix->ncand = 0;
	if (index_own_parts(ix)) {
		tp_index_free(ix);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	*out = ix;
	return TP_OK;
}

void tp_index_free(tp_index *ix)
{
	size_t i;

	if (!ix)
		return;
	if (ix->tree)
		GEOSSTRtree_destroy_r(ix->g->gh, ix->tree);
	if (ix->prep)
		for (i = 0; i < ix->n; i++)
			if (ix->prep[i])
				GEOSPreparedGeom_destroy_r(ix->g->gh, ix->prep[i]);
	free(ix->prep);
	if (!ix->shared) {
		free(ix->xy);
		free(ix->ring);
		free(ix->first);
		free(ix->band_y0);
		free(ix->band_h);
		free(ix->nband);
		free(ix->band_first);
		free(ix->band_off);
		free(ix->seg);
	}
	free(ix->pos);
	free(ix->cand);
	free(ix);
}

static void collect(void *item, void *ud)
{
	tp_index *ix = ud;

	ix->cand[ix->ncand++] = *(size_t *)item;
}

/* Crossing-number test over polygon p's rings: 1 inside, 0 outside, -1 when
 * the point is within NEAR of a segment (the caller asks GEOS). */
static int crossing(const tp_index *ix, size_t p, double x, double y)
{
	const double *c = ix->xy;
	size_t b, k, from, to;
	int inside = 0;

	if (ix->band_first[p] == ix->band_first[p + 1])
		return 0;
	band_range(ix, p, y, y, &b, &k);
	if (y < ix->band_y0[p] - NEAR ||
	    y > ix->band_y0[p] + ix->band_h[p] * ix->nband[p] + NEAR)
		return 0;
	from = ix->band_off[ix->band_first[p] + b];
	to = ix->band_off[ix->band_first[p] + b + 1];
	for (k = from; k < to; k++) {
		size_t e = ix->seg[k];
		double ax = c[2 * e - 2], ay = c[2 * e - 1], bx = c[2 * e], by = c[2 * e + 1];
		double lox = ax < bx ? ax : bx, hix = ax < bx ? bx : ax;
		double loy = ay < by ? ay : by, hiy = ay < by ? by : ay;

		if (y < loy - NEAR || y > hiy + NEAR || x > hix + NEAR)
			continue;
		if (x >= lox - NEAR) {
			double dx = bx - ax, dy = by - ay;
			double cross = dx * (y - ay) - dy * (x - ax);
			double len = sqrt(dx * dx + dy * dy);
			if (fabs(cross) <= NEAR * len || (len == 0 && x == ax && y == ay))
				return -1;
		}
		if ((ay > y) != (by > y) && x < ax + (y - ay) * (bx - ax) / (by - ay))
			inside ^= 1;
	}
	return inside;
}

/* The robust answer for a point near p's boundary. */
static int holds_exactly(tp_index *ix, size_t p, const GEOSGeometry *pt)
{
	GEOSContextHandle_t h = ix->g->gh;

	if (!ix->prep[p] && !(ix->prep[p] = GEOSPrepare_r(h, ix->polys[p])))
		return 0;
	return GEOSPreparedIntersects_r(h, ix->prep[p], pt) == 1;
}

long tp_index_locate(tp_index *ix, double x, double y, int *nhits)
{
	GEOSContextHandle_t h = ix->g->gh;
	GEOSGeometry *pt = NULL;
	long best = -1;
	int hits = 0;
	size_t i;

	pt = GEOSGeom_createPointFromXY_r(h, x, y);
	if (!pt)
		return -1;
	ix->ncand = 0;
	GEOSSTRtree_query_r(h, ix->tree, pt, collect, ix);
	for (i = 0; i < ix->ncand; i++) {
		size_t p = ix->cand[i];
		int in = crossing(ix, p, x, y);

		if (in < 0)
			in = holds_exactly(ix, p, pt);
		if (in) {
			hits++;
			if (best < 0 || (long)p < best)
				best = (long)p;
		}
	}
	GEOSGeom_destroy_r(h, pt);
	if (nhits)
		*nhits = hits;
	return best;
}

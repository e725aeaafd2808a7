/*
 * locate.c: point-in-polygon with an STRtree and prepared polygons.
 *
 * Envelopes go into an STRtree once; every polygon is prepared once, when
 * the index is built, and kept for the index's life.  A query asks the
 * tree for the polygons whose envelope holds the point, then tests each
 * with a prepared intersects (closed polygon: boundary included), and keeps
 * the lowest position among those that hold it: the border rule of
 * locate.h.
 */
#include "geo/locate.h"
#include "geo/error.h"

#include <stdlib.h>

struct tp_index {
	tp_geo *g;                          /* context that built it */
	const GEOSGeometry *const *polys;   /* the polygons (borrowed) */
	size_t n;                           /* number of polygons */
	const GEOSPreparedGeometry **prep;  /* prepared polygon per position */
	size_t *pos;                        /* item i of the tree is &pos[i] */
	GEOSSTRtree *tree;                  /* envelopes of the polygons */
	size_t *cand;                       /* query scratch: candidate positions */
	size_t ncand;                       /* used entries of cand */
};

int tp_index_new(tp_index **out, tp_geo *g, const GEOSGeometry *const *polys,
		 size_t n)
{
	tp_index *ix = NULL;
	size_t i;

	*out = NULL;
	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return tp_error_set(TP_ERROR, "out of memory");
	ix->g = g;
	ix->polys = polys;
	ix->n = n;
	ix->prep = calloc(n ? n : 1, sizeof(*ix->prep));
	ix->pos = calloc(n ? n : 1, sizeof(*ix->pos));
	ix->cand = calloc(n ? n : 1, sizeof(*ix->cand));
	ix->tree = GEOSSTRtree_create_r(g->gh, 10);
	if (!ix->prep || !ix->pos || !ix->cand || !ix->tree)
		goto oom;
	for (i = 0; i < n; i++) {
		ix->pos[i] = i;
		ix->prep[i] = GEOSPrepare_r(g->gh, polys[i]);
		if (!ix->prep[i]) {
			tp_index_free(ix);
			return tp_error_set(TP_ERROR, "cannot prepare polygon %zu: %s", i,
					    g->geos_msg);
		}
		GEOSSTRtree_insert_r(g->gh, ix->tree, polys[i], &ix->pos[i]);
	}
	*out = ix;
	return TP_OK;
oom:
	tp_index_free(ix);
	return tp_error_set(TP_ERROR, "out of memory");
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
	free(ix->pos);
	free(ix->cand);
	free(ix);
}

static void collect(void *item, void *ud)
{
	tp_index *ix = ud;

	ix->cand[ix->ncand++] = *(size_t *)item;
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
		if (GEOSPreparedIntersects_r(h, ix->prep[p], pt) == 1) {
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

void tp_index_warm(tp_index *ix)
{
	GEOSContextHandle_t h = ix->g->gh;
	size_t i;

	for (i = 0; i < ix->n; i++) {
		GEOSGeometry *pt = GEOSPointOnSurface_r(h, ix->polys[i]);
		if (pt) {
			GEOSPreparedIntersects_r(h, ix->prep[i], pt);
			GEOSGeom_destroy_r(h, pt);
		}
	}
}

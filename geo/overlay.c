/*
 * overlay.c: areas of overlap between sources and targets (overlay.h).
 *
 * The targets' envelopes go into an STRtree.  For each source, the tree
 * gives the targets whose envelopes meet its envelope; the source is made
 * a GEOS polygon from its rings, each of those targets too (once, kept
 * prepared for the whole call); a prepared intersects drops those that
 * only look close; the rest are intersected exactly and their area
 * reported.  Pairs are reported in increasing
 * target position for each source, so the output is deterministic.
 */
#include "geo/overlay.h"
#include "geo/array.h"
#include "geo/error.h"

#include <stdlib.h>

typedef struct {
	size_t *cand;  /* candidate target positions of the current source */
	size_t ncand;  /* used entries */
} query;

static void collect(void *item, void *ud)
{
	query *q = ud;

	q->cand[q->ncand++] = *(size_t *)item;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* The envelope of polygon i as a GEOS rectangle, or NULL when it is empty
 * (no ring) or GEOS fails. */
static GEOSGeometry *envelope(tp_geo *g, const tp_rings *r, size_t i)
{
	const double *e = r->env + 4 * i;

	if (!(e[0] <= e[2] && e[1] <= e[3]))
		return NULL;
	return GEOSGeom_createRectangle_r(g->gh, e[0], e[1], e[2], e[3]);
}

/* Polygon i of r as GEOS, with a message naming it when it cannot be. */
static GEOSGeometry *polygon(tp_geo *g, const tp_rings *r, size_t i, const char *what)
{
	GEOSGeometry *geom = tp_rings_geos(r, g, i);

	if (!geom)
		tp_error_set(TP_ERROR, "cannot make %s %zu a GEOS polygon: %s", what, i, g->geos_msg);
	return geom;
}

int tp_overlay_areas(tp_geo *g, const tp_rings *src, const tp_rings *dst, tp_overlay_cb cb,
		     void *ud)
{
	GEOSContextHandle_t h = g->gh;
	GEOSSTRtree *tree = NULL;
	GEOSGeometry **box = NULL, **geom = NULL, *s = NULL, *sbox = NULL;
	const GEOSPreparedGeometry **prep = NULL;
	size_t *pos = NULL, ndst = dst->n;
	query q = {0};
	size_t i, j;
	int rc = TP_OK;

	tree = GEOSSTRtree_create_r(h, 10);
	box = calloc(ndst ? ndst : 1, sizeof(*box));
	geom = calloc(ndst ? ndst : 1, sizeof(*geom));
	prep = calloc(ndst ? ndst : 1, sizeof(*prep));
	pos = calloc(ndst ? ndst : 1, sizeof(*pos));
	q.cand = calloc(ndst ? ndst : 1, sizeof(*q.cand));
	if (!tree || !box || !geom || !prep || !pos || !q.cand) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	/* the tree holds envelopes: a target becomes a polygon when first met */
	for (j = 0; j < ndst; j++) {
		pos[j] = j;
		if ((box[j] = envelope(g, dst, j)) != NULL)
			GEOSSTRtree_insert_r(h, tree, box[j], &pos[j]);
	}
	for (i = 0; i < src->n && rc == TP_OK; i++) {
		q.ncand = 0;
		if (!(sbox = envelope(g, src, i)))
			continue;
		GEOSSTRtree_query_r(h, tree, sbox, collect, &q);
		GEOSGeom_destroy_r(h, sbox);
		sbox = NULL;
		if (!q.ncand)
			continue;
		if (!(s = polygon(g, src, i, "source"))) {
			rc = TP_ERROR;
			break;
		}
		qsort(q.cand, q.ncand, sizeof(*q.cand), cmp_size);
		for (j = 0; j < q.ncand; j++) {
			size_t t = q.cand[j];
			GEOSGeometry *piece = NULL;
			double area = 0;

			if (!prep[t]) {
				if (!geom[t] && !(geom[t] = polygon(g, dst, t, "target"))) {
					rc = TP_ERROR;
					break;
				}
				if (!(prep[t] = GEOSPrepare_r(h, geom[t]))) {
					rc = tp_error_set(TP_ERROR, "cannot prepare target %zu: %s", t,
							  g->geos_msg);
					break;
				}
			}
			if (GEOSPreparedIntersects_r(h, prep[t], s) != 1)
				continue;
			piece = GEOSIntersection_r(h, s, geom[t]);
			if (!piece) {
				rc = tp_error_set(TP_ERROR,
						  "intersection of source %zu and target %zu failed: %s",
						  i, t, g->geos_msg);
				break;
			}
			GEOSArea_r(h, piece, &area);
			GEOSGeom_destroy_r(h, piece);
			if (area > 0) {
				rc = cb(ud, i, t, area);
				if (rc)
					break;
			}
		}
		GEOSGeom_destroy_r(h, s);
		s = NULL;
	}
done:
	if (tree)
		GEOSSTRtree_destroy_r(h, tree);
	for (j = 0; j < ndst; j++) {
		if (prep && prep[j])
			GEOSPreparedGeom_destroy_r(h, prep[j]);
		if (geom && geom[j])
			GEOSGeom_destroy_r(h, geom[j]);
		if (box && box[j])
			GEOSGeom_destroy_r(h, box[j]);
	}
	free(box);
	free(geom);
	free(prep);
	free(pos);
	free(q.cand);
	return rc;
}

typedef struct {
	tp_share *p;  /* pieces */
	size_t n;     /* used */
	size_t cap;   /* allocated */
} share_list;

static int add_share(void *ud, size_t i, size_t j, double area)
{
	share_list *l = ud;

	if (tp_array_room(&l->p, &l->cap, l->n, sizeof(*l->p), 256))
		return TP_ERROR;
	l->p[l->n++] = (tp_share){i, j, area, 0};
	return 0;
}

int tp_overlay_shares(tp_geo *g, const tp_rings *src, const tp_rings *dst, tp_share **out,
		      size_t *nout, double *inside)
{
	share_list l = {0};
	size_t i, k = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	rc = tp_overlay_areas(g, src, dst, add_share, &l);
	if (rc) {
		free(l.p);
		return rc;
	}
	for (i = 0; i < src->n; i++) {
		size_t first = k, j;
		double given = 0;

		inside[i] = 0;
		while (k < l.n && l.p[k].src == i)
			inside[i] += l.p[k++].area;
		for (j = first; j < k; j++) {
			l.p[j].share = j + 1 < k ? l.p[j].area / inside[i] : 1.0 - given;
			given += l.p[j].share;
		}
	}
	*out = l.p;
	*nout = l.n;
	return TP_OK;
}

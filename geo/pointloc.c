/*
 * pointloc.c: the grid, the Morton sort and the threads of pointloc.h.
 *
 * Grid cells hold: a polygon position (interior cell), -1 (a cell outside
 * every polygon), or BOUNDARY.  Boundaries are marked conservatively: each
 * segment is cut into pieces no longer than a cell and every cell meeting a
 * piece's envelope (widened by a hair) is marked, so a cell left unmarked
 * cannot touch any boundary.  A connected set of unmarked cells lies in one
 * face of the polygon arrangement, so labels spread along runs of unmarked
 * cells in a row and down from the row above; a run with no labelled cell
 * above it gets its label from one exact look-up (label_rows).  A run
 * whose look-up finds several polygons (they overlap there) is marked
 * BOUNDARY instead, so that its points are counted as border points one by
 * one, as the exact path counts them.
 *
 * The border rule lives in the order the exact index files its polygons
 * (locate.h): the positions sorted by key (key_order below), so the first
 * polygon that holds a point is the one with the lowest key.
 *
 * Everything here reads the flat rings of rings.h; the grid is marked and
 * the bands filed on all the threads, each taking a range of polygons of
 * about the same number of vertices.
 */
#include "geo/pointloc.h"
#include "geo/bigbuf.h"
#include "geo/error.h"
#include "geo/locate.h"
#include "geo/morton.h"
#include "geo/parallel.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BOUNDARY (-2)
#define UNLABELLED (-3)
#define MAX_CELLS (1u << 24)

typedef struct {
	tp_geo *g;       /* this thread's GEOS context */
	tp_index *ix;    /* this thread's index (shares worker 0's rings) */
} worker;

struct tp_locator {
	const tp_rings *r;                 /* borrowed polygons */
	uint32_t *order;                   /* positions by key, the border rule's order */
	int nthreads;                      /* workers */
	worker *w;                         /* one per thread */
	double x0, y0;                     /* grid origin (lower left) */
	double cell;                       /* cell side */
	double inv_cell;                   /* 1 / cell */
	uint32_t nx, ny;                   /* grid size in cells */
	int32_t *grid;                     /* nx * ny cells, row-major from y0 */
	size_t boundary_cells;             /* cells marked BOUNDARY */
	int count_borders;                 /* count the points several polygons hold */
};

/* The cell column (or row) of offset v cells from the origin, clamped to
 * 0 .. n-1 (truncation is floor here: negatives and NaN go to 0 first). */
static long cell_of(double v, uint32_t n)
{
	return !(v > 0) ? 0 : v >= (double)n - 1 ? (long)n - 1 : (long)v;
}

static void mark_box(tp_locator *lc, double minx, double miny, double maxx, double maxy)
{
	double eps = lc->cell * 1e-7, inv = lc->inv_cell;
	long i0 = cell_of((minx - eps - lc->x0) * inv, lc->nx);
	long i1 = cell_of((maxx + eps - lc->x0) * inv, lc->nx);
	long j0 = cell_of((miny - eps - lc->y0) * inv, lc->ny);
	long j1 = cell_of((maxy + eps - lc->y0) * inv, lc->ny);
	long i, j;

	/* threads marking neighbouring polygons may write the same cell: the
	 * same value, stored atomically so that the race is a defined one */
	for (j = j0; j <= j1; j++)
		for (i = i0; i <= i1; i++)
			__atomic_store_n(&lc->grid[(size_t)j * lc->nx + (size_t)i], BOUNDARY,
					 __ATOMIC_RELAXED);
}

static void mark_segment(tp_locator *lc, double ax, double ay, double bx, double by)
{
	double len = fmax(fabs(bx - ax), fabs(by - ay));
	long k, pieces;

	/* the usual case: a segment shorter than a cell, one box */
	if (len <= lc->cell) {
		mark_box(lc, fmin(ax, bx), fmin(ay, by), fmax(ax, bx), fmax(ay, by));
		return;
	}
	pieces = (long)ceil(len / lc->cell);
	for (k = 0; k < pieces; k++) {
		double t0 = (double)k / pieces, t1 = (double)(k + 1) / pieces;
		double px = ax + (bx - ax) * t0, py = ay + (by - ay) * t0;
		double qx = ax + (bx - ax) * t1, qy = ay + (by - ay) * t1;
		mark_box(lc, fmin(px, qx), fmin(py, qy), fmax(px, qx), fmax(py, qy));
	}
}

/* One thread's share of the marking: polygons from .. to-1. */
typedef struct {
	tp_locator *lc;
	size_t from, to;
} mark_job;

static void *mark_polygons(void *arg)
{
	mark_job *jb = arg;
	const tp_rings *r = jb->lc->r;
	size_t p, k, e;

	for (p = jb->from; p < jb->to; p++)
		for (k = r->first[p]; k < r->first[p + 1]; k++)
			for (e = r->ring[k] + 1; e < r->ring[k + 1]; e++)
				mark_segment(jb->lc, r->xy[2 * e - 2], r->xy[2 * e - 1], r->xy[2 * e],
					     r->xy[2 * e + 1]);
	return NULL;
}

/* One thread's share of the labelling: rows from .. to-1. */
typedef struct {
	tp_locator *lc;
	worker *w;           /* this thread's index */
	uint32_t from, to;   /* rows */
	tp_error_state err;  /* this thread's failure */
} label_job;

/*
 * Labels the unmarked cells of rows from .. to-1, row by row.  A run of
 * unmarked cells in a row lies in one face of the arrangement (no boundary
 * touches it), and so does any unmarked cell next to it; a run takes the
 * label of an unmarked cell right above it when there is one (its row is
 * done), else one exact look-up of its first cell's centre gives it.
 */
static void *label_rows(void *arg)
{
	label_job *jb = arg;
	tp_locator *lc = jb->lc;
	uint32_t i, j, nx = lc->nx;

	for (j = jb->from; j < jb->to; j++) {
		int32_t *row = lc->grid + (size_t)j * nx;
		const int32_t *above = j > jb->from ? row - nx : NULL;

		for (i = 0; i < nx;) {
			uint32_t start = i, k;
			int32_t label = UNLABELLED;

			if (row[i] != UNLABELLED) {
				i++;
				continue;
			}
			while (i < nx && row[i] == UNLABELLED) {
				if (label == UNLABELLED && above && above[i] != BOUNDARY)
					label = above[i];
				i++;
			}
			if (label == UNLABELLED) {
				int hits = 0;
				long p = tp_index_locate(jb->w->ix, lc->x0 + (start + 0.5) * lc->cell,
							 lc->y0 + (j + 0.5) * lc->cell, &hits);
				if (p == TP_LOCATE_FAILED) {
					tp_error_save(&jb->err, TP_ERROR);
					return NULL;
				}
				label = hits > 1 ? BOUNDARY : (int32_t)p;
			}
			for (k = start; k < i; k++)
				row[k] = label;
		}
	}
	return NULL;
}

/* 1 when s is a plain decimal integer: digits only, at least one. */
static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* The key order of pointloc.h: integers as numbers, else strcmp. */
static int key_cmp(const char *a, const char *b)
{
	if (all_digits(a) && all_digits(b)) {
		size_t la, lb;
		while (*a == '0' && a[1])
			a++;
		while (*b == '0' && b[1])
			b++;
		la = strlen(a), lb = strlen(b);
		if (la != lb)
			return la < lb ? -1 : 1;
	}
	return strcmp(a, b);
}

typedef struct {
	const char *key;  /* the polygon's key ("" for NULL) */
	uint32_t pos;     /* its position */
} keyed;

static int by_key(const void *x, const void *y)
{
	const keyed *a = x, *b = y;
	int c = key_cmp(a->key, b->key);

	return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

/* The positions of r sorted by key, then position (malloc'ed), or NULL
 * when memory is short. */
static uint32_t *key_order(const tp_rings *r, const char *const *keys)
{
	keyed *k = malloc((r->n ? r->n : 1) * sizeof(*k));
	uint32_t *order = malloc((r->n ? r->n : 1) * sizeof(*order));
	size_t i;

	if (!k || !order) {
		free(k);
		free(order);
		return NULL;
	}
	for (i = 0; i < r->n; i++)
		k[i] = (keyed){keys[i] ? keys[i] : "", (uint32_t)i};
	qsort(k, r->n, sizeof(*k), by_key);
	for (i = 0; i < r->n; i++)
		order[i] = k[i].pos;
	free(k);
	return order;
}

int tp_locator_new(tp_locator **out, const tp_rings *r, const char *const *keys,
		   int nthreads, double cells_per_polygon)
{
	tp_locator *lc = NULL;
	double minx = HUGE_VAL, miny = HUGE_VAL, maxx = -HUGE_VAL, maxy = -HUGE_VAL;
	double target, w, h;
	mark_job jobs[64];
	size_t i, ncell, bounds[65];
	int rc = TP_OK, t;

	*out = NULL;
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	if (cells_per_polygon <= 0)
		cells_per_polygon = 256;
	lc = calloc(1, sizeof(*lc));
	if (!lc)
		return tp_error_set(TP_ERROR, "out of memory");
	lc->r = r;
	lc->nthreads = nthreads;
	if (r->n >= UINT32_MAX) {
		rc = tp_error_set(TP_ERROR, "too many polygons for one locator (%zu)", r->n);
		goto fail;
	}
	if (keys && !(lc->order = key_order(r, keys))) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto fail;
	}
	lc->w = calloc((size_t)nthreads, sizeof(*lc->w));
	if (!lc->w) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto fail;
	}
	/* one index of bands and buckets; each further thread shares it */
	for (t = 0; t < nthreads && !rc; t++) {
		rc = tp_geo_new(&lc->w[t].g);
		if (!rc)
			rc = t == 0 ? tp_index_new(&lc->w[t].ix, lc->w[t].g, r, lc->order, nthreads)
				    : tp_index_share(&lc->w[t].ix, lc->w[0].ix, lc->w[t].g);
	}
	if (rc)
		goto fail;
	for (i = 0; i < r->n; i++) {
		const double *e = r->env + 4 * i;
		if (e[0] <= e[2] && e[1] <= e[3]) {
			minx = fmin(minx, e[0]), miny = fmin(miny, e[1]);
			maxx = fmax(maxx, e[2]), maxy = fmax(maxy, e[3]);
		}
	}
	if (!(minx < maxx && miny < maxy)) {
		/* no area at all: every point goes the exact way */
		minx = miny = 0;
		maxx = maxy = 1;
		cells_per_polygon = 0;
	}
	target = fmin((double)r->n * cells_per_polygon, (double)MAX_CELLS);
	if (target < 1)
		target = 1;
	w = maxx - minx, h = maxy - miny;
	lc->cell = sqrt(w * h / target);
	lc->inv_cell = 1 / lc->cell;
	lc->nx = (uint32_t)ceil(w / lc->cell) + 1;
	lc->ny = (uint32_t)ceil(h / lc->cell) + 1;
	lc->x0 = minx - lc->cell / 2;
	lc->y0 = miny - lc->cell / 2;
	ncell = (size_t)lc->nx * lc->ny;
	lc->grid = tp_big_alloc(ncell * sizeof(*lc->grid));
	if (!lc->grid) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto fail;
	}
	for (i = 0; i < ncell; i++)
		lc->grid[i] = cells_per_polygon > 0 ? UNLABELLED : BOUNDARY;
	if (cells_per_polygon > 0) {
		tp_rings_split(r, nthreads, bounds);
		for (t = 0; t < nthreads; t++)
			jobs[t] = (mark_job){lc, bounds[t], bounds[t + 1]};
		tp_parallel(mark_polygons, jobs, sizeof(*jobs), nthreads);
	}
	{
		label_job lj[64];
		for (t = 0; t < nthreads; t++)
			lj[t] = (label_job){.lc = lc, .w = &lc->w[t],
					    .from = (uint32_t)((uint64_t)lc->ny * t / nthreads),
					    .to = (uint32_t)((uint64_t)lc->ny * (t + 1) / nthreads)};
		tp_parallel(label_rows, lj, sizeof(*lj), nthreads);
		for (t = 0; t < nthreads && !rc; t++)
			rc = tp_error_restore(&lj[t].err);
		if (rc)
			goto fail;
	}
	for (i = 0; i < ncell; i++)
		lc->boundary_cells += lc->grid[i] == BOUNDARY;
	*out = lc;
	return TP_OK;
fail:
	tp_locator_free(lc);
	return rc;
}

void tp_locator_free(tp_locator *lc)
{
	int t;

	if (!lc)
		return;
	if (lc->w) {
		/* the shared indexes go before the one whose rings they borrow */
		for (t = lc->nthreads - 1; t >= 0; t--) {
			tp_index_free(lc->w[t].ix);
			tp_geo_free(lc->w[t].g);
		}
	}
	free(lc->w);
	free(lc->order);
	tp_big_free(lc->grid);
	free(lc);
}

typedef struct {
	const tp_locator *lc;  /* the locator */
	worker *w;             /* this thread's context */
	const double *xy;      /* all points */
	int32_t *out;          /* all results */
	uint64_t *keys;        /* exact-path points: (Morton code << 32) | index */
	size_t from, to;       /* this thread's range of points, then of keys */
	size_t nkeys;          /* keys this thread wrote at keys[from..] */
	size_t border;         /* exact-path points held by more than one polygon */
	tp_error_state err;    /* this thread's failure */
} job;

/* First pass: grid look-ups for points from..to; the rest become keys. */
/* How far ahead the loops below ask for memory: the grid, the points and
 * the results are read in an order the caches cannot guess, and a miss
 * costs more than the work between two look-ups. */
#define AHEAD 16

/* The cell holding (x, y), or -1 outside the grid (NaN too). */
static long cell_at(const tp_locator *lc, double x, double y)
{
	double fx = (x - lc->x0) * lc->inv_cell, fy = (y - lc->y0) * lc->inv_cell;

	if (!(fx >= 0 && fy >= 0 && fx < lc->nx && fy < lc->ny))
		return -1;
	return (long)((size_t)(uint32_t)fy * lc->nx + (uint32_t)fx);
}

/* First pass: grid look-ups for points from..to; the rest become keys. */
static void *grid_job(void *arg)
{
	job *jb = arg;
	const tp_locator *lc = jb->lc;
	double mx = 65535.0 / lc->nx, my = 65535.0 / lc->ny;
	size_t i, k = jb->from;

	for (i = jb->from; i < jb->to; i++) {
		long c;
		int32_t v;

		if (i + AHEAD < jb->to) {
			long a = cell_at(lc, jb->xy[2 * (i + AHEAD)], jb->xy[2 * (i + AHEAD) + 1]);
			if (a >= 0)
				__builtin_prefetch(&lc->grid[a]);
		}
		c = cell_at(lc, jb->xy[2 * i], jb->xy[2 * i + 1]);
		if (c < 0) {
			/* outside the grid, hence outside every polygon */
			jb->out[i] = -1;
			continue;
		}
		v = lc->grid[c];
		if (v != BOUNDARY) {
			jb->out[i] = v;
			continue;
		}
		jb->keys[k++] = (uint64_t)tp_morton((uint32_t)((size_t)c % lc->nx * mx),
						    (uint32_t)((size_t)c / lc->nx * my))
					<< 32 |
				(uint64_t)i;
	}
	jb->nkeys = k - jb->from;
	return NULL;
}

static void *exact_job(void *arg)
{
	job *jb = arg;
	size_t k;

	for (k = jb->from; k < jb->to; k++) {
		size_t p = (size_t)(jb->keys[k] & 0xffffffffu);
		int hits = 0;

		if (k + AHEAD < jb->to) {
			size_t q = (size_t)(jb->keys[k + AHEAD] & 0xffffffffu);
			__builtin_prefetch(&jb->xy[2 * q]);
			__builtin_prefetch(&jb->out[q], 1);
		}
		long in = tp_index_locate(jb->w->ix, jb->xy[2 * p], jb->xy[2 * p + 1],
					  jb->lc->count_borders ? &hits : NULL);
		if (in == TP_LOCATE_FAILED) {
			tp_error_save(&jb->err, TP_ERROR);
			return NULL;
		}
		jb->out[p] = (int32_t)in;
		jb->border += hits > 1;
	}
	return NULL;
}

/* One thread's whole share: grid look-ups over its range of points, then
 * its own exact-path points sorted along the curve and tested.  No step is
 * shared, so nothing waits for the slowest thread but the end. */
static void *locate_job(void *arg)
{
	job *jb = arg;
	size_t from = jb->from;

	grid_job(jb);
	if (tp_error_save(&jb->err, tp_morton_sort(jb->keys + from, jb->nkeys)))
		return NULL;
	jb->from = from;
	jb->to = from + jb->nkeys;
	exact_job(jb);
	return NULL;
}

int tp_locator_run(tp_locator *lc, const double *xy, size_t npts, int32_t *out,
		   tp_locate_stats *stats)
{
	uint64_t *keys = NULL;
	size_t nexact = 0, border = 0;
	job jobs[64];
	int t, nt = lc->nthreads > 64 ? 64 : lc->nthreads, rc = TP_OK;

	if (npts > 0xffffffffu)
		return tp_error_set(TP_ERROR, "too many points for one run (%zu)", npts);
	keys = tp_big_alloc((npts ? npts : 1) * sizeof(*keys));
	if (!keys)
		return tp_error_set(TP_ERROR, "out of memory");
	for (t = 0; t < nt; t++)
		jobs[t] = (job){.lc = lc, .w = &lc->w[t], .xy = xy, .out = out, .keys = keys,
				.from = npts * (size_t)t / (size_t)nt,
				.to = npts * (size_t)(t + 1) / (size_t)nt};
	tp_parallel(locate_job, jobs, sizeof(*jobs), nt);
	for (t = 0; t < nt; t++) {
		nexact += jobs[t].nkeys;
		border += jobs[t].border;
		if (!rc)
			rc = tp_error_restore(&jobs[t].err);
	}
	if (!rc && stats) {
		stats->points = npts;
		stats->exact = nexact;
		stats->by_grid = npts - nexact;
		stats->grid_cells = (size_t)lc->nx * lc->ny;
		stats->boundary_cells = lc->boundary_cells;
		stats->border = border;
	}
	tp_big_free(keys);
	return rc;
}

void tp_locator_count_borders(tp_locator *lc, int on)
{
	lc->count_borders = on != 0;
}

int tp_locate_points(int32_t *out, const tp_rings *r, const char *const *keys,
		     const double *xy, size_t npts, int nthreads, tp_locate_stats *stats)
{
	tp_locator *lc = NULL;
	int rc = tp_locator_new(&lc, r, keys, nthreads, 0);

	if (!rc) {
		tp_locator_count_borders(lc, stats != NULL);
		rc = tp_locator_run(lc, xy, npts, out, stats);
	}
	tp_locator_free(lc);
	return rc;
}

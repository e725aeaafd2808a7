/*
 * commands.c: `tremplin join` and `tremplin apportion` (commands.h).
 */
#include "pipeline/commands.h"
#include "geo/bigbuf.h"
#include "geo/clock.h"
#include "geo/error.h"
#include "geo/overlay.h"
#include "geo/pointloc.h"
#include "inputs/bulk.h"
#include "outputs/outputs.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Opens a command's CSV output: path through tp_outfile, or standard
 * output (no path, or "-"). */
static int csv_open(tp_outfile *out, const char *path)
{
	return tp_outfile_open(out, path ? path : "-", TP_OUTFILE_STDOUT);
}

/* Brings the points into the polygons' CRS when they differ. */
static int align_crs(tp_geo *g, tp_points *pts, const char *dst, const char *path)
{
	tp_transform *t = NULL;
	size_t i;
	int rc;

	if (!pts->crs[0] || !dst[0])
		return TP_OK;
	rc = tp_transform_new(&t, g, pts->crs, dst);
	if (rc)
		return tp_error_wrap(rc, "%s", path);
	for (i = 0; i < pts->n && !rc; i++)
		rc = tp_transform_xy(t, &pts->xy[2 * i], &pts->xy[2 * i + 1]);
	tp_transform_free(t);
	return rc;
}

/* 1 when path names a GeoPackage (ends in .gpkg, any case). */
static int is_gpkg(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n > 5 && !strcasecmp(path + n - 5, ".gpkg");
}

/* The join's CSV: key,count per polygon, in the polygons' order. */
static int write_counts(const char *path, const tp_ringset *pol, const size_t *count)
{
	tp_outfile out;
	size_t i;
	int rc = csv_open(&out, path);

	if (rc)
		return rc;
	fprintf(out.f, "key,count\n");
	for (i = 0; i < pol->r.n; i++) {
		tp_csv_field(out.f, pol->key[i]);
		fprintf(out.f, ",%zu\n", count[i]);
	}
	return tp_outfile_commit(&out);
}

/*
 * The second thread of a join: it reads the points while the first reads
 * the polygons, then takes its share of checking the polygons.  The first
 * thread hands it the check (or tells it there is none) through `ready`.
 */
typedef struct {
	const char *path;          /* the points to read */
	tp_points_opts how;        /* where in it */
	tp_points *pts;            /* where to */
	tp_error_state err;        /* its failure (the last error is per thread) */
	pthread_mutex_t lock;      /* guards check and handed */
	pthread_cond_t ready;      /* signalled when handed is set */
	tp_ringcheck *check;       /* the check to share, or NULL */
	int handed;                /* the first thread has decided */
} join_helper;

static void *helper_run(void *arg)
{
	join_helper *h = arg;
	tp_ringcheck *c;

	tp_error_save(&h->err, tp_points_read(h->pts, h->path, &h->how));
	pthread_mutex_lock(&h->lock);
	while (!h->handed)
		pthread_cond_wait(&h->ready, &h->lock);
	c = h->check;
	pthread_mutex_unlock(&h->lock);
	if (c)
		tp_ringcheck_work(c);
	return NULL;
}

static void helper_hand(join_helper *h, tp_ringcheck *c)
{
	pthread_mutex_lock(&h->lock);
	h->check = c;
	h->handed = 1;
	pthread_cond_signal(&h->ready);
	pthread_mutex_unlock(&h->lock);
}

int tp_cmd_join(const char *polygons, const char *points, const tp_cmd_opts *o)
{
	tp_geo *g = NULL;
	tp_ringset pol = {0};
	tp_points pts = {0};
	tp_ringcheck *chk = NULL;
	tp_locator *lc = NULL;
	tp_locate_stats st = {0};
	join_helper hp = {.path = points,
			  .how = {o->layer2, o->x, o->y, o->s_srs, is_gpkg(o->out)},
			  .pts = &pts};
	pthread_t tid;
	int32_t *where = NULL;
	size_t *count = NULL, i, outside = 0;
	double t0, t1, t2, t3, t4, t5, t_rtree = 0;
	int rc, threaded;

	tp_bulk_settings();
	rc = tp_geo_new(&g);
	if (rc)
		return rc;
	t0 = tp_clock(CLOCK_MONOTONIC);
	/* the two files are read at once, the points on a second thread, which
	 * then shares the polygons' check */
	pthread_mutex_init(&hp.lock, NULL);
	pthread_cond_init(&hp.ready, NULL);
	threaded = o->threads > 1 && pthread_create(&tid, NULL, helper_run, &hp) == 0;
	rc = tp_ringset_load(&pol, polygons, o->layer1, o->key, NULL);
	if (!rc)
		rc = tp_ringcheck_new(&chk, &pol);
	t1 = tp_clock(CLOCK_MONOTONIC);
	if (threaded) {
		helper_hand(&hp, rc ? NULL : chk);
	} else {
		hp.handed = 1;
		helper_run(&hp);
	}
	if (!rc)
		tp_ringcheck_work(chk);
	if (threaded)
		pthread_join(tid, NULL);
	if (!rc)
		rc = tp_ringcheck_finish(chk, &pol);
	if (!rc)
		rc = tp_error_restore(&hp.err);
	if (!rc)
		rc = align_crs(g, &pts, pol.crs, points);
	t2 = tp_clock(CLOCK_MONOTONIC);
	if (!rc)
		rc = tp_locator_new(&lc, &pol.r, (const char *const *)pol.key, o->threads, 0);
	t3 = tp_clock(CLOCK_MONOTONIC);
	if (!rc) {
		where = tp_big_alloc((pts.n ? pts.n : 1) * sizeof(*where));
		count = calloc(pol.r.n ? pol.r.n : 1, sizeof(*count));
		if (!where || !count)
			rc = tp_error_set(TP_ERROR, "out of memory");
	}
	if (!rc)
		rc = tp_locator_run(lc, pts.xy, pts.n, where, &st);
	t4 = tp_clock(CLOCK_MONOTONIC);
	if (rc)
		goto done;
	for (i = 0; i < pts.n; i++) {
		if (where[i] < 0)
			outside++;
		else
			count[where[i]]++;
	}
	if (is_gpkg(o->out)) {
		tp_located lo = {&pol.r, pol.key, count, pts.xy, pts.fid, where, pts.n, pol.crs};
		rc = tp_write_located(o->out, &lo, o->lco, &t_rtree);
	} else {
		rc = write_counts(o->out, &pol, count);
	}
	t5 = tp_clock(CLOCK_MONOTONIC);
	if (!rc && !o->quiet)
		fprintf(stderr,
			"join: %zu polygons read in %.3f s; %zu points read%s%s; "
			"polygons checked and points ready after %.3f s; index built in %.3f s; "
			"located in %.3f s with %d thread%s (%zu by interior cells, %zu exact); "
			"%zu outside every polygon, %zu without a point geometry; "
			"%zu polygon%s repaired; written in %.3f s",
			pol.r.n, t1 - t0, pts.n, pts.arrow ? " through the Arrow stream" : "",
			threaded ? " on a second thread" : "", t2 - t0, t3 - t2, t4 - t3, o->threads,
			o->threads > 1 ? "s" : "", st.by_grid, st.exact, outside, pts.no_geom,
			pol.repaired, pol.repaired == 1 ? "" : "s", t5 - t4);
	if (!rc && !o->quiet && is_gpkg(o->out))
		fprintf(stderr, " (%.3f s of it building the spatial indexes)", t_rtree);
	if (!rc && !o->quiet)
		fprintf(stderr, "\n");
done:
	tp_big_free(where);
	free(count);
	tp_locator_free(lc);
	tp_points_dispose(&pts);
	tp_ringcheck_free(chk);
	tp_ringset_dispose(&pol);
	pthread_mutex_destroy(&hp.lock);
	pthread_cond_destroy(&hp.ready);
	tp_geo_free(g);
	return rc;
}

int tp_cmd_apportion(const char *sources, const char *targets, const tp_cmd_opts *o)
{
	tp_geo *g = NULL;
	tp_ringset src = {0}, dst = {0};
	tp_share *ps = NULL;
	double *inside = NULL, *sum = NULL, counted = 0, given = 0, t0, t1;
	size_t nps = 0, i, wholly_outside = 0;
	tp_outfile out;
	int rc;

	if (!o->value)
		return tp_error_set(TP_EUSAGE, "apportion needs --value FIELD (the sources' figure)");
	tp_bulk_settings();
	rc = tp_geo_new(&g);
	if (!rc)
		rc = tp_ringset_read(&src, sources, o->layer1, NULL, o->value, o->threads);
	if (!rc)
		rc = tp_ringset_read(&dst, targets, o->layer2, o->key, NULL, o->threads);
	if (rc)
		goto done;
	inside = calloc(src.r.n ? src.r.n : 1, sizeof(*inside));
	sum = calloc(dst.r.n ? dst.r.n : 1, sizeof(*sum));
	if (!inside || !sum) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	t0 = tp_clock(CLOCK_MONOTONIC);
	rc = tp_overlay_shares(g, &src.r, &dst.r, &ps, &nps, inside);
	t1 = tp_clock(CLOCK_MONOTONIC);
	if (rc)
		goto done;
	for (i = 0; i < nps; i++)
		sum[ps[i].dst] += src.value[ps[i].src] * ps[i].share;
	for (i = 0; i < src.r.n; i++) {
		if (inside[i] > 0)
			counted += src.value[i];
		else
			wholly_outside++;
	}
	for (i = 0; i < dst.r.n; i++)
		given += sum[i];
	rc = csv_open(&out, o->out);
	if (rc)
		goto done;
	fprintf(out.f, "key,value\n");
	for (i = 0; i < dst.r.n; i++) {
		tp_csv_field(out.f, dst.key[i]);
		fprintf(out.f, ",%.17g\n", sum[i]);
	}
	rc = tp_outfile_commit(&out);
	if (!rc && !o->quiet)
		fprintf(stderr,
			"apportion: %zu sources onto %zu targets in %.3f s, %zu pieces; "
			"value inside %.17g, apportioned %.17g (difference %.3g); "
			"%zu sources wholly outside\n",
			src.r.n, dst.r.n, t1 - t0, nps, counted, given, given - counted, wholly_outside);
done:
	free(ps);
	free(inside);
	free(sum);
	tp_ringset_dispose(&src);
	tp_ringset_dispose(&dst);
	tp_geo_free(g);
	return rc;
}

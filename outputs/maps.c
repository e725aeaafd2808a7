/*
 * maps.c: OUTDIR/maps/, the maps drawn from one load of the store: the
 * regional overview (overview.c), the atlas (atlas.c) and, with several
 * count editions, the change map (change.c), all drawn with the helpers
 * of draw.c; and the draw stage's whole work (tp_write_drawn): the maps
 * and the dashboard from that same load, the atlas, the longest, on a
 * thread of its own.
 */
#include "outputs/render.h"
#include "outputs/maps.h"
#include "outputs/change.h"
#include "outputs/dashboard.h"
#include "geo/error.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tp_write_maps(sqlite3 *store, const char *dir, const tp_render_opts *opts)
{
	return tp_write_drawn(store, dir, NULL, opts, 1);
}

/* The atlas drawn on a second thread: what it draws and how it ended. */
typedef struct {
	const tp_atlas *a;  /* prepared on the store's thread */
	char path[4200];    /* maps/atlas.pdf */
	int rc;             /* tp_atlas_draw's */
	tp_error_state err; /* its failure, for the caller's thread */
} atlas_job;

static void *atlas_thread(void *arg)
{
	atlas_job *j = arg;

	j->rc = tp_error_save(&j->err, tp_atlas_draw(j->a, j->path));
	return NULL;
}

int tp_write_drawn(sqlite3 *store, const char *dir, const char *dashboard,
		   const tp_render_opts *opts, int threads)
{
	tp_mapdata *d = NULL;
	tp_atlas *a = NULL;
	atlas_job job;
	pthread_t tid;
	long cores = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
	int rc, started = 0, overview_failed = 0;

	memset(&job, 0, sizeof(job));
	if (!dir && !dashboard)
		return TP_OK;
	rc = tp_mapdata_load(&d, store, opts);
	if (rc)
		return rc;
	if (dir) {
		if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
			rc = tp_error_set(TP_EOUTPUT, "%s: cannot create folder: %s", dir,
					  strerror(errno));
			goto done;
		}
		rc = tp_atlas_prepare(&a, d, store);
		if (rc)
			goto done;
		job.a = a;
		snprintf(job.path, sizeof(job.path), "%s/atlas.pdf", dir);
		/*
		 * The atlas on a thread of its own (Cairo and Pango draw on separate
		 * surfaces from two threads; each thread has its own Pango font map;
		 * the store stays on this one) while this one draws the rest.  An
		 * SVG's page is named the same whatever else is drawn (tp_page_write),
		 * so the order does not show in the files.
		 */
		started = cores > 1 && pthread_create(&tid, NULL, atlas_thread, &job) == 0;
		rc = tp_write_overview_files(d, dir, 0, 4);
		overview_failed = rc != TP_OK;
		if (!rc && !started)
			rc = tp_atlas_draw(a, job.path);
		if (!rc)
			rc = tp_write_change_map_files(d, store, dir, 0, 3);
	}
	if (!rc && dashboard)
		rc = tp_dashboard_write(d, store, dashboard);
	if (started) {
		pthread_join(tid, NULL);
		/* the first failure in the order of the files: overview, atlas, the rest */
		if (job.rc && !overview_failed)
			rc = tp_error_restore(&job.err);
	}
done:
	tp_atlas_free(a);
	tp_mapdata_free(d);
	return rc;
}

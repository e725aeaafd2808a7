/*
 * maps.c: OUTDIR/maps/, the maps drawn from one load of the store: the
 * regional overview (overview.c), the atlas (atlas.c) and, with several
 * count editions, the change map (change.c), all drawn with the helpers
 * of draw.c.
 */
#include "outputs/render.h"
#include "outputs/maps.h"
#include "outputs/change.h"
#include "geo/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int tp_write_maps(sqlite3 *store, const char *dir, const tp_render_opts *opts)
{
	tp_mapdata *d = NULL;
	char path[4200];
	int rc;

	rc = tp_mapdata_load(&d, store, opts);
	if (rc)
		return rc;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot create folder: %s", dir, strerror(errno));
		goto done;
	}
	rc = tp_write_overview(d, dir);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/atlas.pdf", dir);
		rc = tp_write_atlas(d, store, path);
	}
	if (!rc)
		rc = tp_write_change_map(d, store, dir);
done:
	tp_mapdata_free(d);
	return rc;
}

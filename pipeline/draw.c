/*
 * draw.c: the draw stage.  What is drawn from the working store: maps/
 * (the overview and the atlas, outputs/maps.c) and dashboard.html, each
 * unless [outputs] maps or dashboard (or --no-maps, --no-dashboard) leaves
 * it out.  `tremplin map` runs this stage alone, on a store whose earlier
 * stages have run, e.g. with another indicator or language.
 */
#include "pipeline/stages.h"
#include "outputs/outputs.h"
#include "outputs/render.h"
#include "geo/error.h"

#include <stdio.h>

int tp_stage_draw(tp_run *run)
{
	tp_render_opts ropts = {run->cfg->indicator, run->cfg->language,
				run->cfg->small_cell_threshold};
	char path[4096];
	int rc = TP_OK;

	if (run->cfg->maps) {
		snprintf(path, sizeof(path), "%s/maps", run->outdir);
		rc = tp_write_maps(run->db, path, &ropts);
	}
	if (!rc && run->cfg->dashboard) {
		snprintf(path, sizeof(path), "%s/dashboard.html", run->outdir);
		rc = tp_write_dashboard(run->db, path, &ropts);
	}
	return rc;
}

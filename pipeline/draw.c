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
	char maps[4096], dashboard[4096];

	snprintf(maps, sizeof(maps), "%s/maps", run->outdir);
	snprintf(dashboard, sizeof(dashboard), "%s/dashboard.html", run->outdir);
	return tp_write_drawn(run->db, run->cfg->maps ? maps : NULL,
			      run->cfg->dashboard ? dashboard : NULL, &ropts, run->threads);
}

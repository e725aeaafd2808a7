/*
 * write.c: the write stage.  The files that carry the data: tremplin.gpkg
 * (outputs/gpkg.c) and indicators.csv (outputs/csv.c), both read from the
 * working store.  Maps and dashboard are the draw stage's (draw.c).
 */
#include "pipeline/stages.h"
#include "outputs/outputs.h"

#include <stdio.h>

int tp_stage_write(tp_run *run)
{
	tp_gpkg_options opts = {run->cfg->indicator, run->cfg->language, run->cfg->internal};
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/tremplin.gpkg", run->outdir);
	rc = tp_write_gpkg(run->db, path, &opts);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/indicators.csv", run->outdir);
	return tp_write_csv(run->db, path);
}

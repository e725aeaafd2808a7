/*
 * write.c: the write stage.  The files that carry the data: tremplin.gpkg
 * (outputs/gpkg.c), indicators.csv and vacancy_flows.csv (outputs/csv.c; trends.csv beside
 * them when the config names several count editions), and for people who
 * work in a spreadsheet rejects.csv, candidates.csv and candidates.xlsx
 * (outputs/lists.c), all read from the working store; the last two on a
 * second thread while the GeoPackage is written (unless --threads 1).  Maps and dashboard
 * are the draw stage's (draw.c).
 */
#include "pipeline/stages.h"
#include "outputs/outputs.h"

#include <stdio.h>

int tp_stage_write(tp_run *run)
{
	tp_gpkg_options opts = {run->cfg->indicator, run->cfg->language, run->cfg->internal,
				run->threads, NULL};
	char path[4096], xlsx[4096];
	tp_lists_job *lists = NULL;
	int rc;

	/* the candidate lists on a second thread, beside the GeoPackage */
	snprintf(path, sizeof(path), "%s/candidates.csv", run->outdir);
	snprintf(xlsx, sizeof(xlsx), "%s/candidates.xlsx", run->outdir);
	rc = tp_candidate_lists_begin(&lists, run->db, path, xlsx, run->cfg->language,
				      run->threads != 1);
	snprintf(path, sizeof(path), "%s/tremplin.gpkg", run->outdir);
	/* the candidates layer's rows: those the list's thread read and sorted */
	opts.candidates = tp_candidate_lists_rows(lists);
	if (!rc)
		rc = tp_write_gpkg(run->db, path, &opts);
	/* its digest for run.json now, while the lists' thread still runs (it
	 * ends last at a million records); else it would come after it */
	if (!rc)
		rc = tp_outset_digest_take(&run->digests, path);
	snprintf(path, sizeof(path), "%s/indicators.csv", run->outdir);
	if (!rc)
		rc = tp_write_csv(run->db, path);
	snprintf(path, sizeof(path), "%s/trends.csv", run->outdir);
	if (!rc && run->cfg->neditions > 1)
		rc = tp_write_trends_csv(run->db, path);
	snprintf(path, sizeof(path), "%s/vacancy_flows.csv", run->outdir);
	if (!rc)
		rc = tp_write_flows_csv(run->db, path);
	snprintf(path, sizeof(path), "%s/rejects.csv", run->outdir);
	if (!rc)
		rc = tp_write_rejects_csv(run->db, path, run->cfg->language);
	rc = tp_candidate_lists_end(lists, rc);
	return rc;
}

/*
 * stages.h: the stage table and the pipeline runner.
 *
 * The pipeline is a static table of stages; each reads tables of the
 * working store and writes others (docs/working-store.md).  Adding a stage
 * is adding a row.  Every stage runs in one transaction and is recorded in
 * stage_runs when it commits.
 */
#ifndef TP_STAGES_H
#define TP_STAGES_H

#include <sqlite3.h>

#include "geo/geo.h"
#include "pipeline/config.h"

typedef struct tp_run {
	tp_config *cfg;      /* the configuration */
	sqlite3 *db;         /* the working store */
	tp_geo *g;           /* GEOS/PROJ context of the main thread */
	const char *outdir;  /* output folder */
	int quiet;           /* -q: no progress, no per-input report */
	const int *skip;     /* check: skip[k] != 0 leaves input k unloaded (it is unusable);
				NULL: every input */
} tp_run;

typedef struct tp_stage {
	const char *name;              /* as given to --from / --until */
	const char *reads;             /* what it reads, for `tremplin stages` */
	const char *writes;            /* what it writes */
	int (*run)(tp_run *run);       /* 0 or a TP_E* code after tp_error_set() */
} tp_stage;

/* The stage table, in run order; *n gets its length. */
const tp_stage *tp_stages(size_t *n);

/* Position of the stage called name, or -1. */
int tp_stage_find(const char *name);

/*
 * Runs the stages from `from` to `until` (NULL: first, last).  Every stage
 * before `from` must have run in this store; TP_ESTORE otherwise.  Prints
 * per input "read N, accepted A, rejected R" unless quiet.
 */
int tp_pipeline_run(tp_run *run, const char *from, const char *until);

/* Stages defined in score.c. */
int tp_stage_score(tp_run *run);
int tp_stage_summarise(tp_run *run);

/* Defined in protect.c: public_communes and public_zones, the people figures
 * a public output may show (docs/working-store.md, README "Privacy"). */
int tp_stage_protect(tp_run *run);

/* Rows read, accepted (still in its table), rejected and skipped (blank
 * and total rows) of one input: n = a + r + s.  The rows skipped are
 * written into skipped ("3, 8 blank; 40 total"; "" when none). */
int tp_input_counts(sqlite3 *db, const char *input, long long *n, long long *a,
		    long long *r, long long *s, char *skipped, size_t len);

#endif

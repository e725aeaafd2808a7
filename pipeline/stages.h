/*
 * stages.h: the stage table and the pipeline runner.
 *
 * The pipeline is a static table of stages; each reads tables of the
 * working store and writes others (docs/working-store.md).  Adding a stage
 * is adding a row.  Every stage runs in one transaction and is recorded in
 * stage_runs when it commits.  What a stage reads and writes is data in
 * its row, checked before the run (an earlier stage must write what a
 * stage reads) and while it runs (an SQLite authorizer).
 */
#ifndef TP_STAGES_H
#define TP_STAGES_H

#include <sqlite3.h>

#include "geo/geo.h"
#include "pipeline/config.h"
#include "pipeline/outset.h"

typedef struct tp_run {
	tp_config *cfg;      /* the configuration */
	sqlite3 *db;         /* the working store */
	tp_geo *g;           /* GEOS/PROJ context of the main thread */
	const char *outdir;  /* output folder: while the stages that write files run, the
				staging folder inside it (pipeline/outset.h) */
	int quiet;           /* -q: no progress, no per-input report */
	int threads;         /* --threads N: worker threads; 0: every core */
	const int *skip;     /* check: skip[k] != 0 leaves input k unloaded (it is unusable);
				NULL: every input */
	void *ahead;         /* while a stage runs, what its part ahead made (tp_stage), or
				NULL: the stage makes it itself */
	tp_outset_digest *digests; /* digests of staged outputs taken by the stages that
				      wrote them, for run.json (pipeline/outset.h) */
	struct tp_points_kept *points; /* the vacancies' points as a stage read them, for the
					  next (pipeline/rows.h), or NULL */
} tp_run;

typedef struct tp_stage {
	const char *name;           /* as given to --from / --until */
	const char *const *reads;   /* store tables it reads, NULL-terminated */
	const char *const *writes;  /* store tables it inserts, updates or deletes rows of */
	int (*run)(tp_run *run);    /* 0 or a TP_E* code after tp_error_set() */
	const char *what;           /* one line for `tremplin stages` */
	/*
	 * The stage's part ahead, or NULL: work that only reads, and only the
	 * tables ahead_reads (among its reads), which the runner starts on a
	 * connection and thread of its own as soon as no stage still to run
	 * before this one writes them, beside those stages.  ahead(run, db,
	 * out) reads db (run for its cfg only) and leaves in *out what run()
	 * then finds in run->ahead; ahead_free frees it.  Without a second
	 * thread (--threads 1, a store in memory) the stage calls ahead itself
	 * on run->db.
	 */
	const char *const *ahead_reads;
	int (*ahead)(tp_run *run, sqlite3 *db, void **out);
	void (*ahead_free)(void *p);
	/*
	 * 1: the stage writes large tables anew and nothing reads the store
	 * beside it (no connection of its own; its own part ahead, if any,
	 * ends before it starts): the runner gives it a rollback journal, as
	 * load's start over (tp_store_journal), when no other stage's part
	 * ahead runs beside it.  Its new pages are written once into the
	 * store, where the WAL writes them, then copies them at the commit's
	 * checkpoint.
	 */
	int alone;
} tp_stage;

/* The stage table, in run order; *n gets its length. */
const tp_stage *tp_stages(size_t *n);

/* Position of the stage called name, or -1. */
int tp_stage_find(const char *name);

/*
 * Checks the declarations of a stage table (n rows, in run order): every
 * table a stage reads must be written by an earlier stage.  Returns 0, or
 * TP_ERROR naming the first stage and table that break the rule (a bug in
 * the table, which the runner checks before running anything).
 */
int tp_stages_check(const tp_stage *stages, size_t n);

/*
 * Runs stage s on run->db, held to its row: while it runs, a statement that
 * reads a table s declares neither in reads nor in writes, or inserts,
 * updates or deletes rows of a table not in its writes, fails to prepare,
 * and s's failure is then TP_ERROR with a message naming the stage, the
 * table and the declaration to fix.  Public writers' guard
 * (outputs/published.h) stays in force on top.  Opens no transaction.
 */
int tp_stage_run(tp_run *run, const tp_stage *s);

/*
 * The first stage before the stage called `from` that has not run in the
 * store, NULL when every one has: the rule of tp_pipeline_run(), for a
 * command that names what to run first in its own words.
 */
const char *tp_pipeline_missing(sqlite3 *db, const char *from);

/*
 * Runs the stages from `from` to `until` (NULL: first, last).  Every stage
 * before `from` must have run in this store; TP_ESTORE otherwise.  The
 * stages that write files (no store table in their writes) write them into
 * a staging folder, which the runner puts in place as one set with its
 * run.json once they have all finished (pipeline/outset.h); they are
 * recorded as run only then.  A run that keeps outputs of the previous set
 * (--from draw) checks them against its run.json before putting the new
 * set in place.  The caller holds run->outdir's lock (tp_outset_lock).  A
 * stage failing for the environment's sake (disk full, read-only) fails
 * with TP_EOUTPUT.  While a
 * stage runs, the store lets it read only the tables it declares (reads
 * and writes) and change only those of its writes: anything else fails the
 * stage with TP_ERROR, the message naming stage, table and the
 * declaration to fix.  Prints per input "read N, accepted A, rejected R"
 * unless quiet.
 */
int tp_pipeline_run(tp_run *run, const char *from, const char *until);

/*
 * The stages, one file each (pipeline/<name>.c); each is a row of the
 * table in stages.c, which says what it reads and writes.
 */
int tp_stage_load(tp_run *run);
/*
 * load.c: reads the input in (configured as def) into def's store table,
 * a row that cannot be read going to rejects; input names it in
 * input_stats and rejects ("vacancies", "indicators.eviction_files").
 */
int tp_load_input(tp_run *run, const tp_input_def *def, const tp_input_cfg *in,
		  const char *input);
/*
 * load.c: the original values of the rejects whose input kept them in its
 * file (input_stats.source_stamp, store.h), read again from it: the
 * records on those rows alone (tp_reader_open_originals, inputs/reader.h).
 * The runner calls it after every stage that writes rejects.
 * TP_EINPUT naming the file and `stage` when the file changed since load
 * read it (its size or time), cannot be read, or has other columns: the
 * stage then fails and leaves the store as it was.
 */
int tp_load_originals(tp_run *run, const char *stage);
/* register.c: the occupation register and the indicator tables, loaded
 * when the config has them (the load stage's end). */
int tp_load_register(tp_run *run);
int tp_stage_reproject(tp_run *run);
int tp_stage_validate(tp_run *run);
int tp_stage_locate(tp_run *run);
int tp_stage_apportion(tp_run *run);
/* register.c: the occupation register checked and matched to the
 * vacancies, durations; the indicator tables checked against the communes. */
int tp_stage_register(tp_run *run);
/* snapshots.c: the earlier vacancy snapshots matched to the scored one. */
int tp_stage_snapshots(tp_run *run);
/*
 * snapshots.c: what became of earlier snapshot s's rows once the snapshots
 * stage has run in db: *n read, *a accepted (placed in a commune: the
 * buildings seen in it), *r rejected (rejects under input
 * "vacancies.YYYY-MM-DD"), *skipped (blank or total rows); a + r + skipped
 * = n when the stage kept every row.  0 or TP_E* (the store unreadable).
 */
int tp_snapshot_counts(sqlite3 *db, const tp_snapshot_cfg *s, long long *n, long long *a,
		       long long *r, long long *skipped);
int tp_stage_score(tp_run *run);
/* score's part ahead: the vacancies read and judged (score.c) */
int tp_score_ahead(tp_run *run, sqlite3 *db, void **out);
void tp_score_ahead_free(void *p);
/* register.c: prints the register's and the indicator tables' counts and
 * the durations beside min_window_months (the run's summary). */
int tp_register_summary(sqlite3 *db);
/* register.c: occupations ending within 6 months and the candidates nearest them. */
int tp_stage_ending(tp_run *run);
int tp_stage_summarise(tp_run *run);
/* protect.c: public_communes and public_zones, the people figures a public
 * output may show (docs/working-store.md, README "Privacy"). */
int tp_stage_protect(tp_run *run);
/* trends.c: the earlier count editions, their published figures per commune and the change. */
int tp_stage_trends(tp_run *run);
/* write.c: tremplin.gpkg and indicators.csv. */
int tp_stage_write(tp_run *run);
/* draw.c: maps/ and dashboard.html, as [outputs] maps and dashboard say. */
int tp_stage_draw(tp_run *run);
/* database.c: the GeoPackage's layers into [outputs] database (outputs/pg.h). */
int tp_stage_database(tp_run *run);

/* Rows read, accepted (still in its table), rejected and skipped (blank
 * and total rows) of one input: n = a + r + s.  The rows skipped are
 * written into skipped ("3, 8 blank; 40 total"; "" when none). */
int tp_input_counts(sqlite3 *db, const char *input, long long *n, long long *a,
		    long long *r, long long *s, char *skipped, size_t len);

#endif

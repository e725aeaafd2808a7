/*
 * stages.c: the stage table and the runner.
 *
 * Each stage is one file (load.c, reproject.c, ..., draw.c) and one row
 * below: its name, the store tables it reads, those it writes, its run
 * function.  The rows are checked before anything runs: a stage may read
 * only what an earlier stage writes (tp_stages_check).  While a stage runs,
 * an SQLite authorizer holds it to its row: a read of a table it does not
 * declare (in reads or writes), or a change to a table not in its writes,
 * makes the statement fail to prepare, and the stage fails with a message
 * naming the stage, the table and the declaration to fix.  The schema is
 * the store's (store.c), so creating and dropping tables is not checked;
 * nor is SQLite's own bookkeeping (sqlite_*), its table-valued functions
 * (json_each, json_tree, pragma_*) or the runner's (stage_runs).
 * SQLite reports every column a statement reads but those a USING join
 * matches on: a table reached only through them would pass unseen.
 *
 * Each stage reads its inputs from the working store, never from the
 * previous stage's memory, so any stage can be rerun from the store.
 * A stage's part ahead (stages.h) reads the store too, on a connection of
 * its own, once the tables it reads are final: it runs beside the stages
 * before, and its own guard holds it to those tables alone.
 * The stages that write files (writes: none) write into a staging folder
 * the runner puts in place as one set once they have all run (outset.h).
 */
#include "pipeline/stages.h"
#include "pipeline/outset.h"
#include "pipeline/rows.h"
#include "pipeline/store.h"
#include "geo/clock.h"
#include "geo/error.h"
#include "inputs/reader.h"
#include "outputs/published.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cpl_error.h>

/* ---- the table ------------------------------------------------------- */

/* A NULL-terminated list of store tables. */
#define TABLES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* No table (a stage that writes files only). */
#define NO_TABLES ((const char *const[]){NULL})

/* A stage without a part ahead (stages.h). */
#define NO_AHEAD NULL, NULL, NULL

/* Its journal (stages.h, alone): the WAL, readers beside it; or alone with the store. */
#define BESIDE 0
#define ALONE 1

/* The input tables: rows move to rejects from each of them. */
#define INPUTS "communes", "vacancies", "zones"

/* What a stage that moves vacancies to rejects writes besides: their
 * original values, kept apart (store.h). */
#define REJECTED INPUTS, TP_VACANCY_ORIGINALS, "rejects"

/* What the trends stage leaves for the outputs (pipeline/trends.c). */
#define EDITIONS "edition_zones", "edition_public_zones", "trends"

/* The occupation register and the indicator tables (register.c). */
#define REGISTER "occupations", "indicators", "indicator_tables"

static const tp_stage stage_table[] = {
	{"load", NO_TABLES, TABLES("meta", "input_stats", REGISTER, REJECTED), tp_stage_load,
	 "the input files into the store, unreadable rows to rejects", NO_AHEAD, ALONE},
	{"reproject", TABLES("meta", "input_stats", INPUTS), TABLES(REJECTED),
	 tp_stage_reproject, "geometries from the source CRS to the working CRS", NO_AHEAD, BESIDE},
	{"validate", TABLES("input_stats", INPUTS), TABLES(REJECTED), tp_stage_validate,
	 "polygons repaired; invalid or duplicate rows to rejects", NO_AHEAD, BESIDE},
	{"locate", TABLES("meta", "input_stats", INPUTS),
	 TABLES("vacancies", TP_VACANCY_PLACE, TP_VACANCY_ORIGINALS, "rejects"),
	 tp_stage_locate, "each vacancy's commune and count zone; points outside to rejects",
	 NO_AHEAD, ALONE},
	{"apportion", TABLES("input_stats", "communes", "zones"),
	 TABLES("zones", "zone_shares", "rejects"), tp_stage_apportion,
	 "each zone's people shared over the communes by area", NO_AHEAD, BESIDE},
	{"register", TABLES("meta", "input_stats", "communes"),
	 TABLES(REGISTER, "vacancies", "occupation_durations", "rejects"), tp_stage_register,
	 "the occupation register: checked, matched to the vacancies it occupies, durations;"
	 " the indicator tables joined to the communes", NO_AHEAD, BESIDE},
	{"snapshots", TABLES("meta", "input_stats", "communes", "vacancies"),
	 TABLES("input_stats", "rejects", "vacancy_tracks", "vacancy_flows"), tp_stage_snapshots,
	 "vacancy records matched across snapshots: months empty, entered, left", NO_AHEAD, BESIDE},
	{"protect", TABLES("communes", "zones", "zone_shares", "vacancy_flows"),
	 TABLES("meta", "public_communes", "public_zones"), tp_stage_protect,
	 "the people figures public outputs may show (small cells withheld), and the need",
	 NO_AHEAD, BESIDE},
	{"score", TABLES("vacancies", "public_communes"),
	 TABLES("meta", TP_VACANCY_SCORE, "vacancy_sums"),
	 tp_stage_score,
	 "candidates for a temporary occupation: window, capacity, score, rank",
	 TABLES("vacancies"), tp_score_ahead, tp_score_ahead_free, ALONE},
	{"ending", TABLES("meta", "occupations", "vacancies"), TABLES("occupations_ending"),
	 tp_stage_ending, "occupations ending within 6 months, with the candidates nearest them",
	 NO_AHEAD, BESIDE},
	{"summarise",
	 TABLES("communes", "vacancy_flows", "vacancy_sums", "zones", "zone_shares", "rejects"),
	 TABLES("commune_summary"), tp_stage_summarise, "the figures of each commune", NO_AHEAD, BESIDE},
	{"trends", TABLES("meta", "communes", "zones", "zone_shares"),
	 TABLES("input_stats", "rejects", "edition_zones", "edition_shares", "edition_public_zones",
		"trends"),
	 tp_stage_trends,
	 "earlier count editions onto the communes; change per commune (published)", NO_AHEAD, BESIDE},
	{"write", TABLES("meta", "input_stats", INPUTS, "zone_shares", "commune_summary", "rejects",
			 "public_communes", "public_zones", EDITIONS, REGISTER, "occupation_durations",
			 "occupations_ending", "vacancy_tracks", "vacancy_flows"),
	 NO_TABLES, tp_stage_write,
	 "tremplin.gpkg, indicators.csv, vacancy_flows.csv, rejects.csv, candidates.csv and"
	 " candidates.xlsx", NO_AHEAD, BESIDE},
	{"draw", TABLES("meta", "input_stats", "communes", "vacancies", "commune_summary", "rejects",
			"public_communes", "public_zones", EDITIONS, "indicators", "indicator_tables",
			"vacancy_tracks", "vacancy_flows",
			"occupations", "occupation_durations", "occupations_ending"),
	 NO_TABLES, tp_stage_draw, "maps/ and dashboard.html, as [outputs] says", NO_AHEAD, BESIDE},
	{"database", TABLES("meta", "input_stats", INPUTS, "zone_shares", "commune_summary",
			    "rejects", "public_communes", "public_zones", EDITIONS, REGISTER,
			    "occupation_durations", "occupations_ending", "vacancy_tracks",
			    "vacancy_flows"),
	 NO_TABLES, tp_stage_database,
	 "the GeoPackage's layers into the PostGIS schema of [outputs] database, swapped in whole",
	 NO_AHEAD, BESIDE},
};

const tp_stage *tp_stages(size_t *n)
{
	*n = sizeof(stage_table) / sizeof(stage_table[0]);
	return stage_table;
}

int tp_stage_find(const char *name)
{
	size_t i, n;
	const tp_stage *s = tp_stages(&n);

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* 1 when the NULL-terminated list holds table. */
static int lists(const char *const *list, const char *table)
{
	for (; list && *list; list++)
		if (strcmp(*list, table) == 0)
			return 1;
	return 0;
}

int tp_stages_check(const tp_stage *stages, size_t n)
{
	size_t i, k;
	const char *const *t;

	for (i = 0; i < n; i++) {
		for (t = stages[i].ahead_reads; t && *t; t++)
			if (!lists(stages[i].reads, *t))
				return tp_error_set(TP_ERROR,
						    "stage table: stage '%s' reads table '%s' ahead but"
						    " not among its reads; add it to its reads",
						    stages[i].name, *t);
		for (t = stages[i].reads; t && *t; t++) {
			for (k = 0; k < i && !lists(stages[k].writes, *t); k++)
				;
			if (k == i)
				return tp_error_set(TP_ERROR,
						    "stage table: stage '%s' reads table '%s', which no "
						    "earlier stage writes; add it to the writes of the "
						    "stage that fills it, or drop it from '%s''s reads",
						    stages[i].name, *t, stages[i].name);
		}
	}
	return TP_OK;
}

/* ---- the check while a stage runs ------------------------------------ */

/* What the authorizer knows of the stage running, and what it refused. */
typedef struct {
	const tp_stage *stage;  /* the stage running */
	char schema[64];        /* the table a CREATE or DROP TABLE is about, "" otherwise */
	char refused[512];      /* the first refusal, "" while none */
} guard;

/* SQLite's authorizer while a stage runs: reads and row changes of the
 * store's tables must be in the stage's row. */
static int authorize(void *ud, int action, const char *table, const char *column,
		     const char *database, const char *trigger)
{
	guard *gd = ud;
	const char *verb = NULL;

	(void)column, (void)database, (void)trigger;
	if (table && (strncmp(table, "sqlite_", 7) == 0 || strcmp(table, "stage_runs") == 0))
		return SQLITE_OK;
	/* SQLite's table-valued functions (json_each over a row's original
	 * values, pragma_table_info for a table's columns) read only what
	 * their arguments name or hold */
	if (table && (!strcmp(table, "json_each") || !strcmp(table, "json_tree") ||
		      !strncmp(table, "pragma_", 7)))
		return SQLITE_OK;
	/* CREATE TABLE reads the new table's key to index it, DROP TABLE deletes
	 * the old one's rows: the schema is the store's (store.c), not the
	 * stage's.  The next statement starts with another action. */
	if (action == SQLITE_CREATE_TABLE || action == SQLITE_DROP_TABLE) {
		snprintf(gd->schema, sizeof(gd->schema), "%s", table ? table : "");
		return SQLITE_OK;
	}
	if (action == SQLITE_CREATE_INDEX ||
	    ((action == SQLITE_READ || action == SQLITE_DELETE) && gd->schema[0] && table &&
	     strcmp(table, gd->schema) == 0))
		return SQLITE_OK;
	gd->schema[0] = '\0';
	if (!table)
		return SQLITE_OK;
	/* the view vacancies (store.h): declared, it lets a stage read its three
	 * tables and change the rows' one; locate and score declare the table
	 * of their results */
	if (strcmp(table, TP_VACANCY_ROWS) == 0 ||
	    (action == SQLITE_READ && (strcmp(table, TP_VACANCY_PLACE) == 0 ||
				       strcmp(table, TP_VACANCY_SCORE) == 0) &&
	     !lists(gd->stage->writes, table)))
		table = "vacancies";
	switch (action) {
	case SQLITE_READ:
		if (lists(gd->stage->reads, table) || lists(gd->stage->writes, table))
			return SQLITE_OK;
		verb = "reads";
		break;
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		if (lists(gd->stage->writes, table))
			return SQLITE_OK;
		verb = action == SQLITE_INSERT ? "inserts into"
		       : action == SQLITE_UPDATE ? "updates" : "deletes from";
		break;
	default:
		return SQLITE_OK;
	}
	/* a stage's part ahead is guarded by a row of its own: no run, ahead_reads as reads */
	if (!gd->refused[0])
		snprintf(gd->refused, sizeof(gd->refused),
			 "stage '%s' %s table '%s', which its row of the stage table "
			 "(pipeline/stages.c) does not declare: add '%s' to its %s",
			 gd->stage->name, verb, table, table,
			 !gd->stage->run ? "reads and ahead_reads"
			 : action == SQLITE_READ ? "reads" : "writes");
	return SQLITE_DENY;
}

int tp_stage_run(tp_run *run, const tp_stage *s)
{
	guard gd = {s, "", ""};
	int rc;

	if (sqlite3_set_authorizer(run->db, authorize, &gd) != SQLITE_OK)
		return tp_error_set(TP_ERROR, "working store: cannot check what stage %s reads: %s",
				    s->name, sqlite3_errmsg(run->db));
	tp_published_chain(run->db, authorize, &gd);
	rc = s->run(run);
	/* a stage that rejects rows: their originals, when their CSV kept them
	 * (load.c) */
	if (!rc && lists(s->writes, "rejects"))
		rc = tp_load_originals(run, s->name);
	tp_published_chain(run->db, NULL, NULL);
	sqlite3_set_authorizer(run->db, NULL, NULL);
	/* the refusal is the cause; SQLite only says "not authorized" */
	if (gd.refused[0])
		rc = tp_error_set(TP_ERROR, "%s", gd.refused);
	return rc;
}

/* ---- a stage's part ahead ---------------------------------------------- */

/* No table, for as long as the run (NO_TABLES lasts only as long as its block). */
static const char *const no_tables[] = {NULL};

/* A stage's part ahead (stages.h), running beside the stages before it. */
typedef struct {
	const tp_stage *stage;  /* whose part, NULL when none runs */
	tp_stage row;           /* its guard's row: the stage's name, ahead_reads, no writes */
	tp_run *run;            /* the run (its cfg only) */
	sqlite3 *db;            /* its own read-only connection */
	pthread_t tid;          /* its thread */
	void *out;              /* what it made */
	int rc;                 /* its result */
	char refused[512];      /* its guard's refusal, "" when none */
} ahead_job;

static void *ahead_thread(void *arg)
{
	ahead_job *a = arg;
	guard gd = {&a->row, "", ""};
	double t0 = tp_clock(CLOCK_MONOTONIC), c0 = tp_clock(CLOCK_THREAD_CPUTIME_ID);
	int rc = TP_OK;

	if (sqlite3_set_authorizer(a->db, authorize, &gd) != SQLITE_OK)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(a->db));
	/* one snapshot of the store for the whole read */
	if (!rc)
		rc = tp_store_exec(a->db, "BEGIN");
	if (!rc)
		rc = a->stage->ahead(a->run, a->db, &a->out);
	sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
	snprintf(a->refused, sizeof(a->refused), "%s", gd.refused);
	/* its failure's message is this thread's: the stage that reads again says its own */
	a->rc = rc;
	/* where the time goes (--debug on) */
	CPLDebug("tremplin", "%s's part ahead: %.3f s, CPU %.3f s", a->stage->name,
		 tp_clock(CLOCK_MONOTONIC) - t0, tp_clock(CLOCK_THREAD_CPUTIME_ID) - c0);
	return NULL;
}

/* 1 when stage w writes table, the three tables of the view vacancies
 * (store.h) counting as "vacancies". */
static int writes_table(const tp_stage *w, const char *table)
{
	return lists(w->writes, table) ||
	       (!strcmp(table, "vacancies") &&
		(lists(w->writes, TP_VACANCY_ROWS) || lists(w->writes, TP_VACANCY_PLACE) ||
		 lists(w->writes, TP_VACANCY_SCORE)));
}

/*
 * Before stage k runs (those before it have committed): starts the part
 * ahead of the first stage j in k+1..last that has one and whose
 * ahead_reads no stage from k to j-1 writes, into a.  Nothing when one
 * runs already, the store is in memory, --threads 1, or its connection
 * or thread cannot be had: the stage then does that part itself.
 */
static void ahead_start(tp_run *run, const tp_stage *s, int k, int last, ahead_job *a)
{
	const char *file = sqlite3_db_filename(run->db, "main");
	const char *const *t;
	int j, i;

	if (a->stage || run->threads == 1 || !file || !file[0])
		return;
	for (j = k + 1; j <= last; j++) {
		if (!s[j].ahead)
			continue;
		for (i = k; i < j; i++)
			for (t = s[j].ahead_reads; t && *t; t++)
				if (writes_table(&s[i], *t))
					goto next;
		break;
next:;
	}
	if (j > last)
		return;
	memset(a, 0, sizeof(*a));
	a->row = (tp_stage){s[j].name, s[j].ahead_reads, no_tables, NULL, NULL, NULL, NULL, NULL,
			    0};
	a->run = run;
	/* its own thread alone uses this connection: no mutex per call */
	if (sqlite3_open_v2(file, &a->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(a->db);
		return;
	}
	sqlite3_busy_timeout(a->db, 10000);
	a->stage = &s[j];
	if (pthread_create(&a->tid, NULL, ahead_thread, a) != 0) {
		sqlite3_close(a->db);
		a->stage = NULL;
	}
}

/*
 * Waits for the part ahead in a and ends it: when keep and it succeeded,
 * what it made goes to run->ahead; else it is freed (a failure other than
 * its guard's refusal is forgotten: the stage reads again itself, on the
 * store's connection, whose failures the runner knows how to report).
 * Returns the guard's refusal as an error, else TP_OK.
 */
static int ahead_end(ahead_job *a, tp_run *run, int keep)
{
	int rc = TP_OK;

	if (!a->stage)
		return TP_OK;
	if (!keep)
		sqlite3_interrupt(a->db);
	pthread_join(a->tid, NULL);
	sqlite3_close(a->db);
	if (keep && a->refused[0])
		rc = tp_error_set(TP_ERROR, "%s", a->refused);
	else if (keep && !a->rc)
		run->ahead = a->out, a->out = NULL;
	if (a->out)
		a->stage->ahead_free(a->out);
	a->stage = NULL;
	return rc;
}

/* ---- the runner ------------------------------------------------------ */

const char *tp_pipeline_missing(sqlite3 *db, const char *from)
{
	size_t n;
	const tp_stage *s = tp_stages(&n);
	int first = tp_stage_find(from), k;

	for (k = 0; k < first; k++)
		if (!tp_store_stage_has_run(db, s[k].name))
			return s[k].name;
	return NULL;
}

int tp_input_counts(sqlite3 *db, const char *input, long long *n, long long *a,
		    long long *r, long long *s, char *skipped, size_t len)
{
	sqlite3_stmt *st = NULL;
	char sql[256];
	int rc, step;

	*a = *r = *s = 0;
	skipped[0] = '\0';
	rc = tp_store_prepare(db, &st, "SELECT COALESCE(skipped, 0), COALESCE(skipped_rows, '')"
				       " FROM input_stats WHERE input = ?");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*s = sqlite3_column_int64(st, 0);
		snprintf(skipped, len, "%s", (const char *)sqlite3_column_text(st, 1));
	} else if (step != SQLITE_DONE) {
		rc = tp_error_set(TP_ESTORE, "working store: cannot read input_stats: %s",
				  sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "SELECT read FROM input_stats WHERE input = '%s'", input);
	if (!rc)
		rc = tp_store_int(db, n, sql);
	/* the rows' own table: a count of the view vacancies reads every row (0.19 s at
	 * a million), of its table the b-tree's pages (0.01 s) */
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", tp_store_rows(input));
	if (!rc)
		rc = tp_store_int(db, a, sql);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM rejects WHERE input = '%s'", input);
	if (!rc)
		rc = tp_store_int(db, r, sql);
	return rc;
}

/* 1 when stage s writes files (the outputs) rather than store tables. */
static int writes_files(const tp_stage *s)
{
	return !s->writes[0];
}

/*
 * Ends a run whose stages first..last staged files into staging: the set
 * put in place (tp_outset_publish; keeps: the outputs of earlier stages
 * kept must be as the previous run.json says) and its stages recorded as
 * run, when rc is 0; else the staging folder removed, OUTDIR left as it
 * was.
 */
static int finish_set(tp_run *run, const char *staging, const char *started, int first,
		      int last, int keeps, int rc)
{
	size_t n;
	const tp_stage *s = tp_stages(&n);
	char stages[64];
	int k;

	snprintf(stages, sizeof(stages), "%s..%s", s[first].name, s[last].name);
	if (!rc)
		rc = tp_outset_publish(run->outdir, staging,
				       &(tp_outset_run){run->cfg->path, run->cfg->text, started,
							stages, keeps, run->digests});
	else
		tp_outset_discard(staging);
	tp_outset_digest_free(run->digests);
	run->digests = NULL;
	if (rc)
		return rc;
	if (!rc)
		rc = tp_store_exec(run->db, "BEGIN");
	for (k = first; k <= last && !rc; k++)
		if (writes_files(&s[k]))
			rc = tp_store_stage_done(run->db, s[k].name);
	if (!rc)
		rc = tp_store_exec(run->db, "COMMIT");
	else
		sqlite3_exec(run->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* "timings: load 1.23 s, ..., total 4.56 s" on stderr: the stages first..
 * first+ndone-1 (the bench reads this line). */
static void print_timings(const tp_stage *s, int first, int ndone, const double *secs,
			  double total)
{
	int k;

	fprintf(stderr, "timings:");
	for (k = 0; k < ndone; k++)
		fprintf(stderr, " %s %.2f s,", s[first + k].name, secs[k]);
	fprintf(stderr, " total %.2f s\n", total);
}

int tp_pipeline_run(tp_run *run, const char *from, const char *until)
{
	double secs[32];  /* each stage's time, from the first that runs */
	double start;
	size_t n, i;
	const tp_stage *s = tp_stages(&n);
	int first = from ? tp_stage_find(from) : 0;
	int last = until ? tp_stage_find(until) : (int)n - 1;
	int tty = isatty(2) && !run->quiet;
	const char *missing = NULL, *outdir = run->outdir;
	char staging[4200] = "", started[32];
	ahead_job ahead = {0};
	int rc = TP_OK, k, kept = 0, rollback;

	if (first < 0)
		return tp_error_set(TP_EUSAGE, "--from: no stage '%s' (see 'tremplin stages')", from);
	if (last < 0)
		return tp_error_set(TP_EUSAGE, "--until: no stage '%s' (see 'tremplin stages')", until);
	if (first > last)
		return tp_error_set(TP_EUSAGE, "--from %s comes after --until %s", s[first].name,
				    s[last].name);
	rc = tp_stages_check(s, n);
	if (rc)
		return rc;
	if (n > sizeof(secs) / sizeof(secs[0]))
		return tp_error_set(TP_ERROR, "the runner times at most %zu stages",
				    sizeof(secs) / sizeof(secs[0]));
	if (first > 0) {
		char where[4096];
		snprintf(where, sizeof(where), "%s/work.sqlite", run->outdir);
		rc = tp_store_layout_check(run->db, where);
		if (rc)
			return rc;
	}
	missing = tp_pipeline_missing(run->db, s[first].name);
	if (missing)
		return tp_error_set(TP_ESTORE,
				    "%s/work.sqlite: stage '%s' has not run, so '%s' cannot "
				    "start; run with --from %s or without --from",
				    run->outdir, missing, s[first].name, missing);
	tp_outset_now(started, sizeof(started));
	for (k = 0; k <= last && !staging[0] && !rc; k++) {
		if (!writes_files(&s[k]))
			continue;
		if (k < first)
			kept = 1;
		else
			rc = tp_outset_stage(staging, sizeof(staging), outdir);
	}
	if (rc)
		return rc;
	if (staging[0])
		run->outdir = staging;
	start = tp_clock(CLOCK_MONOTONIC);
	for (k = first; k <= last && !rc; k++) {
		double t0 = tp_clock(CLOCK_MONOTONIC), c0 = tp_clock(CLOCK_PROCESS_CPUTIME_ID);

		if (tty)
			fprintf(stderr, "%-10s ...", s[k].name);
		ahead_start(run, s, k, last, &ahead);
		tp_store_fault_clear();
		rc = ahead.stage == &s[k] ? ahead_end(&ahead, run, 1) : TP_OK;
		/* a stage alone with the store (stages.h) writes through a rollback journal */
		rollback = s[k].alone && !ahead.stage;
		if (!rc && rollback)
			rc = tp_store_journal(run->db, 1);
		if (!rc)
			rc = tp_store_exec(run->db, "BEGIN");
		if (!rc) {
			errno = 0;
			rc = tp_stage_run(run, &s[k]);
			rc = tp_store_fault(rc, errno);
		}
		if (run->ahead)
			s[k].ahead_free(run->ahead);
		run->ahead = NULL;
		for (i = (size_t)k; i < n && !rc; i++)
			rc = tp_store_stage_forget(run->db, s[i].name);
		/* a stage that writes files has run once its set is in place */
		if (!rc && !writes_files(&s[k]))
			rc = tp_store_stage_done(run->db, s[k].name);
		if (!rc)
			rc = tp_store_exec(run->db, "COMMIT");
		/* the WAL again (after a failed stage the run stops: the next opening sets it) */
		if (!rc && rollback)
			rc = tp_store_journal(run->db, 0);
		if (rc) {
			/* before the rollback, which clears the store's last failure */
			rc = tp_store_damaged(run->db, rc);
			sqlite3_exec(run->db, "ROLLBACK", NULL, NULL, NULL);
			if (tty)
				fprintf(stderr, " failed\n");
			rc = tp_error_wrap(rc, "%s stage", s[k].name);
			break;
		}
		secs[k - first] = tp_clock(CLOCK_MONOTONIC) - t0;
		/* the CPU of every thread: on a shared machine it moves less than the wall time */
		CPLDebug("tremplin", "stage %s: %.3f s, CPU %.3f s", s[k].name, secs[k - first],
			 tp_clock(CLOCK_PROCESS_CPUTIME_ID) - c0);
		if (tty)
			fprintf(stderr, " done in %.2f s\n", secs[k - first]);
	}
	/* a run that stopped before the stage whose part ran ahead */
	ahead_end(&ahead, run, 0);
	/* the points a stage kept for the next, when none took them */
	tp_rows_points_forget(run);
	run->outdir = outdir;
	if (staging[0])
		rc = finish_set(run, staging, started, first, last, kept, rc);
	if (!rc && !run->quiet) {
		print_timings(s, first, last - first + 1, secs, tp_clock(CLOCK_MONOTONIC) - start);
	}
	if (!run->quiet && tp_store_stage_has_run(run->db, "load")) {
		tp_error_state failed = {0};
		int cr = TP_OK;

		/* the counts are shown after a failed stage too; its message stays */
		tp_error_save(&failed, rc);
		for (k = 0; k < TP_IN_COUNT && !cr; k++) {
			long long nr, na, nj, ns;
			char rows[2048];
			const char *name = tp_input_def_get(k)->name;
			cr = tp_input_counts(run->db, name, &nr, &na, &nj, &ns, rows, sizeof(rows));
			if (!cr && ns)
				printf("%-9s read %lld, accepted %lld, rejected %lld, skipped %lld"
				       " (rows %s)\n", name, nr, na, nj, ns, rows);
			else if (!cr)
				printf("%-9s read %lld, accepted %lld, rejected %lld\n", name, nr, na,
				       nj);
		}
		if (!cr)
			cr = tp_register_summary(run->db);
		if (rc)
			tp_error_restore(&failed);
		else
			rc = cr;
	}
	return rc;
}

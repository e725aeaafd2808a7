/*
 * store.h: the working store, one SQLite file per output folder.
 *
 * docs/working-store.md describes its tables.  Every stage runs inside one
 * transaction, so a failed stage leaves the store as the previous stage
 * left it, and --from can resume there.
 */
#ifndef TP_STORE_H
#define TP_STORE_H

#include <stddef.h>

#include <sqlite3.h>

/*
 * Environment faults.  A store function whose SQLite failure is the
 * environment's (the disk full, an I/O error, a file or folder that cannot
 * be written, the store busy) returns TP_EOUTPUT, its message saying what
 * a person can do; other failures are TP_ERROR.  For SQLite calls made
 * elsewhere (a stage's own statements, GDAL writing a GeoPackage), SQLite's
 * log keeps the last such fault: tp_store_watch() installs it (once, before
 * SQLite starts), tp_store_fault_clear() forgets it, and tp_store_fault(rc,
 * err) turns a TP_ERROR into TP_EOUTPUT, or gives a TP_EOUTPUT, that
 * advice when one was logged since, or when err (errno where the failure
 * surfaced) says the disk is full or read-only;
 * it returns rc unchanged otherwise.
 */
void tp_store_watch(void);
void tp_store_fault_clear(void);
int tp_store_fault(int rc, int err);

/*
 * Opens (creating if needed) the store at path; TP_EOUTPUT when it cannot
 * be opened.  big != 0: a store created now has pages of 64 KiB instead of
 * SQLite's 4 KiB (for inputs of many rows: a sixteenth of the write and
 * read calls; a store that exists keeps its own).
 */
int tp_store_open(sqlite3 **out, const char *path, int big);

/* Drops every table and creates the schema anew (the load stage), its
 * layout numbered TP_STORE_LAYOUT. */
int tp_store_reset(sqlite3 *db);

/*
 * The store's layout: its tables and views, numbered in the store's
 * user_version by tp_store_reset(). Raise it whenever a table a stage reads
 * changes shape (2: the vacancies a view over load's rows, locate's places
 * and score's results; 3: vacancy_tracks keyed by the vacancy's id; 4:
 * score's sums per commune in vacancy_sums, which summarise reads; 5: the
 * vacancies' originals as arrays, their keys in input_stats; 6: the
 * owner's source column in input_stats, which public outputs read; 7: the
 * stamp of a CSV whose rows' originals stay in it, in input_stats), so
 * that a run resumed with --from on a store an older tremplin left says so
 * instead of failing on a missing table or joining on the wrong key.
 */
#define TP_STORE_LAYOUT 7

/* TP_ESTORE, naming path, when the store at db was laid out by another
 * version of tremplin (see TP_STORE_LAYOUT); TP_OK for an empty store, which
 * the runner's "stage has not run" covers. */
int tp_store_layout_check(sqlite3 *db, const char *path);

/*
 * The store's journal: rollback != 0, a rollback journal (the stage that
 * starts the store over, tp_store_reset(): its pages are new, written once
 * into the store, where the WAL writes them twice, then copies them at
 * the commit's checkpoint; a run killed in it leaves a hot journal that
 * rolls the store back when next opened, as the WAL would); 0, the WAL
 * (tp_store_open()'s, every other stage's: readers beside the writer).
 * Call it outside a transaction.
 */
int tp_store_journal(sqlite3 *db, int rollback);

/*
 * The store's file found damaged (SQLite's SQLITE_CORRUPT or SQLITE_NOTADB;
 * the store is written without waiting for the disk, tp_store_open, so a
 * system crash or power loss during a run can leave it so).  Every failure
 * of this file's functions on a damaged store is TP_ESTORE with a message
 * that says so and what to do.  tp_store_damaged(db, rc): rc, or, when
 * rc is a failure and db's last one was damage, or when rc is TP_ERROR or
 * TP_ESTORE and SQLite's quick check of db finds damage (met on another
 * connection, say), TP_ESTORE with that message.
 * tp_store_was_damaged(): 1 when damage was found (on any thread) since it
 * last said so.  tp_store_remove(path): removes the store and its WAL,
 * shared-memory and journal files (0, or TP_EOUTPUT), so that a whole run
 * can build it anew.
 */
int tp_store_damaged(sqlite3 *db, int rc);
int tp_store_was_damaged(void);
int tp_store_remove(const char *path);

/* Runs SQL with no result rows; TP_ERROR with SQLite's message. */
int tp_store_exec(sqlite3 *db, const char *sql);

/* Prepares sql; TP_ERROR with SQLite's message naming the statement. */
int tp_store_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql);

/* Sets a meta value. */
int tp_store_meta_set(sqlite3 *db, const char *key, const char *value);

/* Sets the n (key, value) pairs of kv, in order, stopping at a failure. */
int tp_store_meta_set_all(sqlite3 *db, const char *const kv[][2], size_t n);

/*
 * The input_stats row of an input (its config section: "vacancies",
 * "zones.2022", "vacancies.2023-04-30", ...): begun when its file is
 * open (path, layer, source CRS, and keys: the JSON array of its
 * originals' keys when they are kept as arrays, TP_VACANCY_ORIGINALS or
 * the file itself, else NULL; owner: the source column read as the owner,
 * which public outputs leave out of a reject's original values
 * (outputs/query.c), NULL when none; stamp: tp_file_stamp()'s
 * (inputs/file.h) of a CSV that keeps its originals (read with
 * tp_reader_lazy_originals, inputs/reader.h), whose rejects get them read
 * again from it (tp_load_originals, pipeline/load.c), else NULL; nothing
 * read yet), ended with the rows read and skipped and which
 * were skipped ("6 blank; 12 total", NULL when none).  Load, snapshots and
 * trends read their inputs this way.
 */
int tp_store_input_begin(sqlite3 *db, const char *input, const char *path, const char *layer,
			 const char *crs, const char *keys, const char *owner, const char *stamp);
int tp_store_input_end(sqlite3 *db, const char *input, long long nread, long long nskip,
		       const char *skipped_rows);

/*
 * What became of an input's rows: *n read and *skipped (input_stats),
 * *r rejected (rows in rejects, each once however many of its fields were
 * refused) and *a accepted, counted by accepted_sql (a SELECT COUNT(*) of
 * the table the input's records went to).  All 0 when the input was not
 * read.  0, or TP_ERROR.
 */
int tp_store_input_counts(sqlite3 *db, const char *input, const char *accepted_sql,
			  long long *n, long long *a, long long *r, long long *skipped);

/* Reads a meta value into *out, malloc'ed text the caller frees, or NULL
 * when the store has no such key; TP_ERROR with SQLite's message when the
 * store cannot be read (*out is then NULL). */
int tp_store_meta_get(sqlite3 *db, char **out, const char *key);

/* Records that stage finished now; 1 if stage has a finished row, else 0. */
int tp_store_stage_done(sqlite3 *db, const char *stage);
int tp_store_stage_has_run(sqlite3 *db, const char *stage);

/* Forgets that stage (and anything after it) ran. */
int tp_store_stage_forget(sqlite3 *db, const char *stage);

/* Adds a rejects row. */
int tp_store_reject(sqlite3 *db, const char *input, long row, const char *stage,
		    const char *field, const char *reason, const char *original);

/* The table of the vacancies' source values, keyed by the vacancy's id:
 * out of the wide vacancies table, which the stages rewrite and scan.
 * Each is a JSON array of the values alone (inputs/reader.h,
 * tp_reader_compact), the keys once in input_stats.original_keys: a
 * million records' originals took 200 MB with their keys, and writing them
 * was a quarter of load's time.  SQL function tp_original(keys, values),
 * on every connection tp_store_open makes, gives the object (geo/json.h,
 * tp_json_zip); a moved row's rejects.original is that object. */
#define TP_VACANCY_ORIGINALS "vacancy_originals"

/* The table holding the source values (original) of table's rows, keyed
 * by the row's id, when they are not in a column of table itself
 * (vacancies: TP_VACANCY_ORIGINALS); NULL otherwise. */
const char *tp_store_originals(const char *table);

/*
 * The vacancies in three tables, keyed by the vacancy's id, and a view
 * over them: what load writes (TP_VACANCY_ROWS: the source fields, the
 * geometry, the register's occupation), locate's commune and zone
 * (TP_VACANCY_PLACE) and score's verdict (TP_VACANCY_SCORE).  The view
 * "vacancies" joins them, with the columns of the old wide table in its
 * order, for every reader.  locate and score append narrow rows instead
 * of making every wide row longer (which split the wide table's pages).
 */
#define TP_VACANCY_ROWS "vacancy_rows"
#define TP_VACANCY_PLACE "vacancy_place"
#define TP_VACANCY_SCORE "vacancy_score"

/* The table that holds table's rows, to insert, update or delete them:
 * TP_VACANCY_ROWS for the view "vacancies", table itself otherwise. */
const char *tp_store_rows(const char *table);

/*
 * Moves rows of one input table to rejects with prepared statements, for a
 * stage that rejects many (tp_store_reject_row() prepares its three each
 * time: 60 us a row, 1.1 s for 18,000 geocoded points outside the region).
 * open, then move each row, then close (also after a failed open or move).
 */
typedef struct tp_rejecter {
	sqlite3 *db;
	const char *table;         /* the input table, e.g. "vacancies" */
	sqlite3_stmt *insert;      /* the row into rejects, its source and original */
	sqlite3_stmt *remove;      /* the row out of its table */
	sqlite3_stmt *remove_side; /* its original out of tp_store_originals(table), or NULL */
} tp_rejecter;

int tp_store_rejecter_open(tp_rejecter *r, sqlite3 *db, const char *table);
int tp_store_rejecter_move(tp_rejecter *r, long long id, const char *stage, const char *field,
			   const char *reason);
void tp_store_rejecter_close(tp_rejecter *r);

/* Moves row id of table (an input table) to rejects with stage, field and
 * reason, taking source file, layer and original values from the store
 * (from tp_store_originals(table) when it names a table, whose row goes
 * too). */
int tp_store_reject_row(sqlite3 *db, const char *table, long long id,
			const char *stage, const char *field, const char *reason);

/* The source CRS of input (input_stats.src_crs) into *out, malloc'ed, or
 * NULL when the load stage recorded none. */
int tp_store_source_crs(sqlite3 *db, char **out, const char *input);

/* A single integer from a query into *out (0 when it returns no row);
 * TP_ERROR with SQLite's message when the query fails (*out is then 0). */
int tp_store_int(sqlite3 *db, long long *out, const char *sql);

#endif

/*
 * store.c: the SQLite working store (store.h, docs/working-store.md), and
 * where an SQLite failure becomes an environment fault (exit 5): the disk
 * full, a folder that cannot be written, another process in the way.
 */
#include "pipeline/store.h"
#include "geo/categories.h"
#include "geo/error.h"
#include "geo/json.h"
#include "outputs/outfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Column definitions made from the people categories (geo/categories.h). */
#define INTEGER_COLUMN(c, fr, nl, aliases) ", " #c " INTEGER"
#define REAL_COLUMN(c, fr, nl, aliases) ", " #c " REAL"
#define PUBLISHED_COLUMNS(c, fr, nl, aliases) ", " #c " REAL, " #c "_label TEXT"

/* The occupation register and the indicator tables (pipeline/register.c). */
#define REGISTER_SCHEMA \
	"CREATE TABLE occupations(id INTEGER PRIMARY KEY, src_row INTEGER, site TEXT," \
	" operator TEXT, support TEXT, owner_type TEXT, dwellings INTEGER, vacancy_id TEXT," \
	" address TEXT, postcode TEXT, start TEXT, planned_end TEXT, extensions TEXT," \
	" actual_end TEXT, status TEXT, people_housed INTEGER, people_moved_on INTEGER," \
	" geom BLOB, original TEXT, geocode TEXT, current_end TEXT, months REAL," \
	" extended INTEGER, vacancy INTEGER, matched_by TEXT, nis_code TEXT);" \
	"CREATE TABLE indicators(id INTEGER PRIMARY KEY, src_row INTEGER, nis_code TEXT," \
	" value INTEGER, geom BLOB, original TEXT, indicator TEXT);" \
	"CREATE TABLE indicator_tables(name TEXT PRIMARY KEY, ord INTEGER, path TEXT);" \
	"CREATE TABLE occupation_durations(grouping TEXT, grp TEXT, occupations INTEGER," \
	" median REAL, q1 REAL, q3 REAL, share_extended REAL);" \
	"CREATE TABLE occupations_ending(occupation INTEGER, site TEXT, current_end TEXT," \
	" months_left REAL, near INTEGER, candidate_rank INTEGER, candidate_id INTEGER," \
	" distance_m REAL);"
#define REGISTER_TABLES "occupations", "indicators", "indicator_tables", \
	"occupation_durations", "occupations_ending",

static const char schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE stage_runs(stage TEXT PRIMARY KEY, finished_at TEXT);"
	"CREATE TABLE input_stats(input TEXT PRIMARY KEY, path TEXT, layer TEXT,"
	" src_crs TEXT, read INTEGER, skipped INTEGER, skipped_rows TEXT, original_keys TEXT,"
	" owner_column TEXT, source_stamp TEXT);"
	"CREATE TABLE communes(id INTEGER PRIMARY KEY, src_row INTEGER, nis_code TEXT,"
	" name_fr TEXT, name_nl TEXT, population INTEGER, geom BLOB, original TEXT);"
	/* the vacancies: load's rows, locate's and score's results apart (store.h) */
	"CREATE TABLE " TP_VACANCY_ROWS "(id INTEGER PRIMARY KEY, src_row INTEGER, src_id TEXT,"
	" address TEXT, postcode TEXT, owner TEXT, owner_type TEXT, dwellings INTEGER, reason TEXT,"
	" vacant_since TEXT, works_start TEXT, owner_agreed INTEGER, geom BLOB, geocode TEXT,"
	" works_start_precision TEXT, occupation INTEGER, occupied_by TEXT);"
	/* the register's marks (register.c), a few rows: its reset finds them without
	 * reading the million (0.1 s); load's rows, all unmarked, add nothing to it */
	"CREATE INDEX vacancy_rows_occupied ON " TP_VACANCY_ROWS "(occupation)"
	" WHERE occupation IS NOT NULL;"
	"CREATE TABLE " TP_VACANCY_PLACE "(id INTEGER PRIMARY KEY, nis_code TEXT, zone_id TEXT);"
	"CREATE TABLE " TP_VACANCY_SCORE "(id INTEGER PRIMARY KEY, candidate INTEGER, status TEXT,"
	" window_months REAL, capacity REAL, score REAL, rank INTEGER);"
	"CREATE VIEW vacancies AS SELECT v.id AS id, v.src_row AS src_row, v.src_id AS src_id,"
	" v.address AS address, v.postcode AS postcode, v.owner AS owner,"
	" v.owner_type AS owner_type, v.dwellings AS dwellings, v.reason AS reason,"
	" v.vacant_since AS vacant_since, v.works_start AS works_start,"
	" v.owner_agreed AS owner_agreed, v.geom AS geom, p.nis_code AS nis_code,"
	" p.zone_id AS zone_id, s.candidate AS candidate, s.status AS status,"
	" s.window_months AS window_months, s.capacity AS capacity, s.score AS score,"
	" s.rank AS rank, v.geocode AS geocode, v.works_start_precision AS works_start_precision,"
	" v.occupation AS occupation, v.occupied_by AS occupied_by FROM " TP_VACANCY_ROWS " v"
	" LEFT JOIN " TP_VACANCY_PLACE " p ON p.id = v.id"
	" LEFT JOIN " TP_VACANCY_SCORE " s ON s.id = v.id;"
	/* a vacancy's source values, out of the wide table the stages rewrite and scan */
	"CREATE TABLE " TP_VACANCY_ORIGINALS "(id INTEGER PRIMARY KEY, original TEXT);"
	REGISTER_SCHEMA
	"CREATE TABLE zones(id INTEGER PRIMARY KEY, src_row INTEGER, zone_id TEXT"
	TP_CATEGORIES(INTEGER_COLUMN) ", " TP_ZONE_TOTAL " INTEGER,"
	" geom BLOB, original TEXT, area REAL, inside_area REAL, outside_area REAL);"
	"CREATE TABLE zone_shares(zone_id TEXT, nis_code TEXT, area REAL, share REAL,"
	" people REAL, PRIMARY KEY(zone_id, nis_code));"
	/* score's sums per commune, for summarise (pipeline/vacsums.h) */
	"CREATE TABLE vacancy_sums(nis_code TEXT PRIMARY KEY, candidates INTEGER,"
	" candidate_dwellings INTEGER, capacity REAL);"
	"CREATE TABLE commune_summary(nis_code TEXT PRIMARY KEY" TP_PEOPLE(REAL_COLUMN) ","
	" vacancy_records INTEGER, empty_dwellings INTEGER, candidate_buildings INTEGER,"
	" candidate_dwellings INTEGER, capacity REAL, capacity_share_public REAL,"
	" capacity_share_total REAL, need REAL, rejected_records INTEGER, rejected_dwellings INTEGER);"
	"CREATE TABLE rejects(id INTEGER PRIMARY KEY, input TEXT, source_file TEXT,"
	" layer TEXT, src_row INTEGER, stage TEXT, field TEXT, reason TEXT, original TEXT,"
	" dwellings INTEGER, postcode TEXT, nis_code TEXT, geom BLOB);"
	/* protect (pipeline/protect.c): the people figures a public output may show. */
	"CREATE TABLE public_communes(nis_code TEXT PRIMARY KEY" TP_PEOPLE(PUBLISHED_COLUMNS) ","
	" need REAL);"
	"CREATE TABLE public_zones(zone_id TEXT PRIMARY KEY" TP_PEOPLE(PUBLISHED_COLUMNS) ");"
	/* trends (pipeline/trends.c): the earlier count editions and the change per commune. */
	"CREATE TABLE edition_zones(id INTEGER PRIMARY KEY, edition TEXT, src_row INTEGER,"
	" zone_id TEXT" TP_CATEGORIES(INTEGER_COLUMN) ", " TP_ZONE_TOTAL " INTEGER, geom BLOB,"
	" original TEXT);"
	"CREATE TABLE edition_shares(edition TEXT, zone_id TEXT, nis_code TEXT, share REAL,"
	" PRIMARY KEY(edition, zone_id, nis_code));"
	"CREATE TABLE edition_public_zones(edition TEXT, zone_id TEXT" TP_PEOPLE(PUBLISHED_COLUMNS)
	", PRIMARY KEY(edition, zone_id));"
	"CREATE TABLE trends(id INTEGER PRIMARY KEY, nis_code TEXT, name_fr TEXT, name_nl TEXT,"
	" edition TEXT, edition_date TEXT, category TEXT, counted INTEGER, value REAL,"
	" value_label TEXT, previous_edition TEXT, previous_value REAL, change REAL,"
	" change_pct REAL, comparable_scope TEXT, comparable_value REAL,"
	" comparable_previous REAL, comparable_change REAL, comparable_change_pct REAL);"
	/*
	 * snapshots (pipeline/snapshots.c): vacancy records matched across
	 * snapshots.  A building of the scored snapshot has its vacancy's id as
	 * its own (id = vacancy), so that a vacancy's track is found by rowid;
	 * the buildings that left follow, above every vacancy's id.
	 */
	"CREATE TABLE vacancy_tracks(id INTEGER PRIMARY KEY, vacancy INTEGER, src_id TEXT,"
	" address TEXT, nis_code TEXT, dwellings INTEGER, first_seen TEXT, last_seen TEXT,"
	" spell_start TEXT, seen TEXT, months_empty REAL);"
	"CREATE TABLE vacancy_flows(nis_code TEXT, snapshot TEXT, empty_records INTEGER,"
	" empty_dwellings INTEGER, entered_records INTEGER, entered_dwellings INTEGER,"
	" left_records INTEGER, left_dwellings INTEGER);";

static const char *const tables[] = {
	"meta", "stage_runs", "input_stats", "communes", "vacancies", TP_VACANCY_ROWS,
	TP_VACANCY_PLACE, TP_VACANCY_SCORE, TP_VACANCY_ORIGINALS, "zones",
	"zone_shares", "vacancy_sums", "commune_summary", "rejects", "public_communes", "public_zones",
	"edition_zones", "edition_shares", "edition_public_zones", "trends",
	REGISTER_TABLES
	"vacancy_tracks", "vacancy_flows",
};

/* ---- environment faults --------------------------------------------- */

/* The environment fault SQLite last logged on this thread, 0 when none:
 * its log sees every failure, the working store's and the GeoPackages'
 * GDAL writes alike. */
static _Thread_local int fault;

/* 1 when an SQLite result code is the environment's doing, not tremplin's. */
static int environmental(int code)
{
	switch (code & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_BUSY:
		return 1;
	default:
		return 0;
	}
}

/* What the store's damage says, and what to do (tp_store_damaged). */
#define DAMAGED "the working store is damaged (a system crash or power loss during a run " \
		"can leave it so: it is written without waiting for the disk): run again " \
		"without --from, which builds it anew"

/* The store found damaged, on any thread, since tp_store_was_damaged() last said so. */
static atomic_int damaged;

/* 1 when an SQLite result code says the store's file is damaged. */
static int is_damage(int code)
{
	return (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB;
}

/* What a person can do about an environment fault of SQLite code. */
static const char *advice(int code)
{
	switch (code & 0xff) {
	case SQLITE_FULL:
		return "the disk is full: free space on it, or choose an output folder on "
		       "another disk with -o, then run again";
	case SQLITE_IOERR:
		return "the disk could not be read or written (full, removed or failing?): "
		       "check it, or choose an output folder on another disk with -o";
	case SQLITE_BUSY:
		return "another process is using the working store: wait until it ends, "
		       "or choose another output folder with -o";
	default:
		return "the output folder or its working store cannot be written: make them "
		       "writable, or choose another output folder with -o";
	}
}

/* SQLite's log (SQLITE_CONFIG_LOG): keeps the last environment fault. */
static void log_fault(void *ud, int code, const char *msg)
{
	(void)ud, (void)msg;
	if (environmental(code))
		fault = code;
}

void tp_store_watch(void)
{
	sqlite3_config(SQLITE_CONFIG_LOG, log_fault, NULL);
}

void tp_store_fault_clear(void)
{
	fault = 0;
}

int tp_store_fault(int rc, int err)
{
	int code = rc == TP_ERROR || rc == TP_EOUTPUT ? fault : 0;

	/* errno of a write the disk refused (a library's, e.g. Cairo's, says no more) */
	if (!code && (rc == TP_ERROR || rc == TP_EOUTPUT))
		code = err == ENOSPC || err == EDQUOT ? SQLITE_FULL
		     : err == EROFS			? SQLITE_READONLY
							: 0;
	/* a GeoPackage's commit SQLite refused, as GDAL relays it (SQLite logs no fault for it) */
	if (!code && rc == TP_EOUTPUT && strstr(tp_error_last(), sqlite3_errstr(SQLITE_FULL)))
		code = SQLITE_FULL;
	if (!code || strstr(tp_error_last(), advice(code)))
		return rc;
	return tp_error_set(TP_EOUTPUT, "%s; %s", tp_error_last(), advice(code));
}

/* Sets the message fmt says about db's last failure: TP_EOUTPUT, with what
 * to do, when the environment caused it, else TP_ERROR. */
static int store_error(sqlite3 *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* SQL tp_original(keys, values): a row's original values as the object
 * rejects.original holds (TP_VACANCY_ORIGINALS, store.h): values zipped
 * with keys, or values as they are when keys is NULL. */
static void fn_original(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *keys = (const char *)sqlite3_value_text(argv[0]);
	const char *values = (const char *)sqlite3_value_text(argv[1]);
	char *object;

	(void)argc;
	if (!keys || !values) {
		sqlite3_result_value(ctx, argv[1]);
		return;
	}
	/* values that are no array (none tremplin writes) are kept as they are */
	object = tp_json_zip(keys, values);
	if (object)
		sqlite3_result_text(ctx, object, -1, free);
	else
		sqlite3_result_value(ctx, argv[1]);
}

static int store_error(sqlite3 *db, const char *fmt, ...)
{
	char msg[TP_ERROR_MSG_MAX];
	int code = sqlite3_extended_errcode(db);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (is_damage(code)) {
		damaged = 1;
		return tp_error_set(TP_ESTORE, "%s; %s", msg, DAMAGED);
	}
	if (environmental(code))
		return tp_error_set(TP_EOUTPUT, "%s; %s", msg, advice(code));
	return tp_error_set(TP_ERROR, "%s", msg);
}

int tp_store_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		int rc = store_error(db, "working store: %s", err ? err : sqlite3_errmsg(db));

		sqlite3_free(err);
		return rc;
	}
	return TP_OK;
}

int tp_store_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql)
{
	if (sqlite3_prepare_v2(db, sql, -1, out, NULL) != SQLITE_OK)
		return store_error(db, "working store: %s (in: %.80s)", sqlite3_errmsg(db), sql);
	return TP_OK;
}

int tp_store_open(sqlite3 **out, const char *path, int big)
{
	sqlite3 *db = NULL;
	int rc;

	*out = NULL;
	/*
	 * NOMUTEX: one thread at a time uses this connection (the stages' own);
	 * the threads beside it (the reader's read-ahead, snapshots' scored
	 * reader, write's copier and lists, the atlas) either never touch the
	 * store or open a connection of their own.  SQLite's per-call mutex was
	 * 2.7 % of load's profile and 7 % of score's.
	 */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		rc = db ? store_error(db, "%s: cannot open the working store: %s", path,
				      sqlite3_errmsg(db))
			: tp_error_set(TP_ERROR, "%s: cannot open the working store: out of memory",
				       path);
		sqlite3_close(db);
		return rc == TP_ERROR && db ? TP_EOUTPUT : rc;
	}
	/*
	 * The page size holds for a file created now, before its first table
	 * (then WAL fixes it).  At a million records the 64 KiB pages took the
	 * run's kernel time from 4.3-5.4 s to 2.5-3.0 s; a small store keeps
	 * 4 KiB, as every table and index takes at least one page (the demo's
	 * store would grow from 0.8 to 3 MB, and its WAL as much).
	 */
	rc = big ? tp_store_exec(db, "PRAGMA page_size=65536") : TP_OK;
	/*
	 * Debian builds SQLite with secure_delete on: every page freed and
	 * every row deleted is overwritten with zeros, through the journal.
	 * The store holds nothing it does not hold elsewhere (it is
	 * internal, exact counts included), so nothing is gained; load's
	 * start over dropped a 1M run's tables in 0.6-0.84 s instead of
	 * 0.18-0.20 s.
	 */
	/*
	 * synchronous=OFF: SQLite hands its writes to the system and never
	 * waits for the disk.  Each stage's commit (load's, through the rollback
	 * journal) and each checkpoint of the WAL waited for the store's new
	 * pages to reach the disk: 0.2 s of a 1M run (45 syncs), 4-5 s of a 10M
	 * one (load 19.9 -> 17.7 s, snapshots and score 0.7 s each).  The store
	 * holds nothing that a run does not make again from the inputs, and a
	 * tremplin killed or failing loses nothing (the system still has every
	 * write, and the journal rolls the unfinished stage back).  Only a
	 * system crash or power loss during a run can leave it damaged: a whole
	 * run then builds it anew (tp_store_damaged, main.c), and a run with
	 * --from says so (exit 6).
	 */
	if (!rc)
		rc = tp_store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
				       "PRAGMA cache_size=-65536; PRAGMA secure_delete=OFF;");
	if (!rc && sqlite3_create_function(db, "tp_original", 2,
					   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					   NULL, fn_original, NULL, NULL) != SQLITE_OK)
		rc = tp_error_set(TP_ERROR, "cannot add function tp_original: %s",
				  sqlite3_errmsg(db));
	if (rc) {
		sqlite3_close(db);
		return tp_error_wrap(rc, "%s", path);
	}
	*out = db;
	return TP_OK;
}

/* 1 when SQLite's quick check of db finds nothing wrong. */
static int intact(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int ok = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) == SQLITE_OK &&
		 sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
		 !strcmp((const char *)sqlite3_column_text(st, 0), "ok");

	sqlite3_finalize(st);
	return ok;
}

int tp_store_damaged(sqlite3 *db, int rc)
{
	int hurt;

	if (rc == TP_OK || !db)
		return rc;
	if (strstr(tp_error_last(), DAMAGED))
		return TP_ESTORE; /* said already (store_error) */
	/* the damage may have been met on another thread's connection (a part
	 * ahead, the write stage's), whose message is SQLite's alone: a failure
	 * that is not the input's or the environment's checks the file */
	hurt = is_damage(sqlite3_extended_errcode(db)) ||
	       ((rc == TP_ERROR || rc == TP_ESTORE) && !intact(db));
	if (!hurt)
		return rc;
	damaged = 1;
	return tp_error_set(TP_ESTORE, "%s; %s", tp_error_last(), DAMAGED);
}

int tp_store_was_damaged(void)
{
	int d = damaged;

	damaged = 0;
	return d;
}

int tp_store_remove(const char *path)
{
	if ((unlink(path) != 0 && errno != ENOENT) || tp_outfile_remove_side_files(path) != 0)
		return tp_error_set(TP_EOUTPUT, "%s: cannot remove the damaged working store: %s",
				    path, strerror(errno));
	return TP_OK;
}

int tp_store_journal(sqlite3 *db, int rollback)
{
	return tp_store_exec(db, rollback ? "PRAGMA journal_mode=DELETE" : "PRAGMA journal_mode=WAL");
}

int tp_store_reset(sqlite3 *db)
{
	char sql[128];
	size_t i;
	int rc = TP_OK;

	/* a disk that fills while the tables are dropped is the environment's (TP_EOUTPUT) */
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]) && !rc; i++) {
		long long view = 0;
		/* vacancies is a view, or a table in a store of an older tremplin */
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'view'"
			 " AND name = '%s'", tables[i]);
		rc = tp_store_int(db, &view, sql);
		if (rc)
			break;
		snprintf(sql, sizeof(sql), "DROP %s IF EXISTS %s;", view ? "VIEW" : "TABLE",
			 tables[i]);
		rc = tp_store_exec(db, sql);
	}
	if (!rc)
		rc = tp_store_exec(db, schema);
	if (!rc) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;", TP_STORE_LAYOUT);
		rc = tp_store_exec(db, sql);
	}
	return rc;
}

int tp_store_layout_check(sqlite3 *db, const char *path)
{
	long long layout = 0, tables = 0;
	int rc;

	rc = tp_store_int(db, &tables, "SELECT COUNT(*) FROM sqlite_schema");
	if (!rc && tables)
		rc = tp_store_int(db, &layout, "PRAGMA user_version");
	if (rc || !tables || layout == TP_STORE_LAYOUT)
		return rc;
	return tp_error_set(TP_ESTORE, "%s: this working store was laid out by %s version of "
			    "tremplin (layout %lld, this one reads layout %d), so a run cannot "
			    "resume in it; run without --from to build it again",
			    path, layout < TP_STORE_LAYOUT ? "an older" : "a newer", layout,
			    TP_STORE_LAYOUT);
}

/* Runs sql, which returns no row, with its ?1 (and ?2 when b is not NULL)
 * bound to a and b. */
static int exec_bound(sqlite3 *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = tp_store_prepare(db, &st, sql);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_error(db, "working store: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int tp_store_meta_set(sqlite3 *db, const char *key, const char *value)
{
	return exec_bound(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", key, value);
}

int tp_store_meta_set_all(sqlite3 *db, const char *const kv[][2], size_t n)
{
	size_t i;
	int rc = TP_OK;

	for (i = 0; i < n && !rc; i++)
		rc = tp_store_meta_set(db, kv[i][0], kv[i][1]);
	return rc;
}

int tp_store_input_begin(sqlite3 *db, const char *input, const char *path, const char *layer,
			 const char *crs, const char *keys, const char *owner, const char *stamp)
{
	sqlite3_stmt *st = NULL;
	int rc = tp_store_prepare(db, &st, "INSERT INTO input_stats(input, path, layer, src_crs,"
					   " read, skipped, original_keys, owner_column, source_stamp)"
					   " VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?)");

	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, layer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, crs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, keys, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, stamp, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_error(db, "working store: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int tp_store_input_end(sqlite3 *db, const char *input, long long nread, long long nskip,
		       const char *skipped_rows)
{
	sqlite3_stmt *st = NULL;
	int rc = tp_store_prepare(db, &st, "UPDATE input_stats SET read = ?, skipped = ?,"
					   " skipped_rows = ? WHERE input = ?");

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, nread);
	sqlite3_bind_int64(st, 2, nskip);
	sqlite3_bind_text(st, 3, skipped_rows, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, input, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_error(db, "working store: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int tp_store_input_counts(sqlite3 *db, const char *input, const char *accepted_sql,
			  long long *n, long long *a, long long *r, long long *skipped)
{
	char *sql[4];
	long long *out[4] = {n, skipped, r, a};
	int rc = TP_OK, k;

	sql[0] = sqlite3_mprintf("SELECT COALESCE(MAX(read), 0) FROM input_stats WHERE input = %Q",
				 input);
	sql[1] = sqlite3_mprintf("SELECT COALESCE(MAX(skipped), 0) FROM input_stats"
				 " WHERE input = %Q", input);
	sql[2] = sqlite3_mprintf("SELECT COUNT(DISTINCT src_row) FROM rejects WHERE input = %Q",
				 input);
	sql[3] = sqlite3_mprintf("%s", accepted_sql);
	for (k = 0; k < 4; k++) {
		*out[k] = 0;
		if (!rc)
			rc = sql[k] ? tp_store_int(db, out[k], sql[k])
				    : tp_error_set(TP_ERROR, "out of memory");
	}
	for (k = 0; k < 4; k++)
		sqlite3_free(sql[k]);
	return rc;
}

/* The text sql (one ? for key) selects into *out, malloc'ed, or NULL when
 * there is no row or it is NULL; `what` names it in an error. */
static int text_by_key(sqlite3 *db, char **out, const char *sql, const char *key,
		       const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	*out = NULL;
	rc = tp_store_prepare(db, &st, sql);
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		*out = strdup((const char *)sqlite3_column_text(st, 0));
		if (!*out)
			rc = tp_error_set(TP_ERROR, "out of memory");
	} else if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = store_error(db, "working store: cannot read %s '%s': %s", what, key,
				 sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return rc;
}

int tp_store_meta_get(sqlite3 *db, char **out, const char *key)
{
	return text_by_key(db, out, "SELECT value FROM meta WHERE key = ?", key, "meta");
}

int tp_store_stage_done(sqlite3 *db, const char *stage)
{
	return exec_bound(db,
			  "INSERT OR REPLACE INTO stage_runs(stage, finished_at) VALUES "
			  "(?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
			  stage, NULL);
}

int tp_store_stage_has_run(sqlite3 *db, const char *stage)
{
	sqlite3_stmt *st = NULL;
	int yes = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM stage_runs WHERE stage = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

int tp_store_stage_forget(sqlite3 *db, const char *stage)
{
	return exec_bound(db, "DELETE FROM stage_runs WHERE stage = ?", stage, NULL);
}

int tp_store_reject(sqlite3 *db, const char *input, long row, const char *stage,
		    const char *field, const char *reason, const char *original)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = tp_store_prepare(db, &st,
			      "INSERT INTO rejects(input, source_file, layer, src_row, stage, field,"
			      " reason, original) SELECT ?1, path, layer, ?2, ?3, ?4, ?5, ?6"
			      " FROM input_stats WHERE input = ?1");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, row);
	sqlite3_bind_text(st, 3, stage, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, original, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db) != 1)
		rc = store_error(db, "working store: cannot record a reject of %s row %ld: %s",
				  input, row, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

const char *tp_store_originals(const char *table)
{
	return strcmp(table, "vacancies") == 0 ? TP_VACANCY_ORIGINALS : NULL;
}

const char *tp_store_rows(const char *table)
{
	return strcmp(table, "vacancies") == 0 ? TP_VACANCY_ROWS : table;
}

int tp_store_rejecter_open(tp_rejecter *r, sqlite3 *db, const char *table)
{
	const char *side = tp_store_originals(table);
	char sql[512];
	int rc;

	memset(r, 0, sizeof(*r));
	r->db = db;
	r->table = table;
	if (side)
		snprintf(sql, sizeof(sql),
			 "INSERT INTO rejects(input, source_file, layer, src_row, stage, field, reason,"
			 " original) SELECT '%s', s.path, s.layer, t.src_row, ?2, ?3, ?4,"
			 " tp_original(s.original_keys, o.original)"
			 " FROM %s t JOIN input_stats s ON s.input = '%s'"
			 " LEFT JOIN %s o ON o.id = t.id WHERE t.id = ?1",
			 table, tp_store_rows(table), table, side);
	else
		snprintf(sql, sizeof(sql),
			 "INSERT INTO rejects(input, source_file, layer, src_row, stage, field, reason,"
			 " original) SELECT '%s', s.path, s.layer, t.src_row, ?2, ?3, ?4, t.original"
			 " FROM %s t, input_stats s WHERE t.id = ?1 AND s.input = '%s'",
			 table, table, table);
	rc = tp_store_prepare(db, &r->insert, sql);
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?1", tp_store_rows(table));
	if (!rc)
		rc = tp_store_prepare(db, &r->remove, sql);
	if (!rc && side) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?1", side);
		rc = tp_store_prepare(db, &r->remove_side, sql);
	}
	if (rc)
		tp_store_rejecter_close(r);
	return rc;
}

/* Runs st, a statement of r with ?1 the id, as one step that must change a row
 * when must is set. */
static int rejecter_step(tp_rejecter *r, sqlite3_stmt *st, long long id, int must)
{
	int rc = TP_OK;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE || (must && sqlite3_changes(r->db) != 1))
		rc = store_error(r->db, "working store: cannot move %s row %lld to rejects: %s",
				 r->table, id, sqlite3_errmsg(r->db));
	sqlite3_reset(st);
	return rc;
}

int tp_store_rejecter_move(tp_rejecter *r, long long id, const char *stage, const char *field,
			   const char *reason)
{
	int rc;

	sqlite3_bind_text(r->insert, 2, stage, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->insert, 3, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->insert, 4, reason, -1, SQLITE_STATIC);
	rc = rejecter_step(r, r->insert, id, 1);
	sqlite3_clear_bindings(r->insert);
	if (!rc)
		rc = rejecter_step(r, r->remove, id, 0);
	if (!rc && r->remove_side)
		rc = rejecter_step(r, r->remove_side, id, 0);
	return rc;
}

void tp_store_rejecter_close(tp_rejecter *r)
{
	sqlite3_finalize(r->insert);
	sqlite3_finalize(r->remove);
	sqlite3_finalize(r->remove_side);
	r->insert = r->remove = r->remove_side = NULL;
}

int tp_store_reject_row(sqlite3 *db, const char *table, long long id,
			const char *stage, const char *field, const char *reason)
{
	tp_rejecter r;
	int rc = tp_store_rejecter_open(&r, db, table);

	if (!rc)
		rc = tp_store_rejecter_move(&r, id, stage, field, reason);
	tp_store_rejecter_close(&r);
	return rc;
}

int tp_store_int(sqlite3 *db, long long *out, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	*out = 0;
	rc = tp_store_prepare(db, &st, sql);
	if (rc)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE)
		rc = store_error(db, "working store: %s (in: %.80s)", sqlite3_errmsg(db), sql);
	sqlite3_finalize(st);
	return rc;
}

int tp_store_source_crs(sqlite3 *db, char **out, const char *input)
{
	return text_by_key(db, out, "SELECT src_crs FROM input_stats WHERE input = ?", input,
			   "the source CRS of input");
}

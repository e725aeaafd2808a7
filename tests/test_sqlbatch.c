/*
 * test_sqlbatch.c: rows inserted many to a statement (geo/sqlbatch.h):
 * every row in, in order, whatever the count against the batch's size;
 * a reused buffer bound SQLITE_TRANSIENT; a failure named by SQLite; no
 * statement journal, which a store of 64 KiB pages wrote to a temporary
 * file at every batch.
 */
#include "geo/sqlbatch.h"
#include "tests/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sqlite3 *new_db(void)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, x REAL)", NULL,
			 NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "cannot make a database\n");
		return NULL;
	}
	return db;
}

/* Inserts n rows (id i + 1, name "row i" from one reused buffer, x i / 2). */
static int insert(sqlite3 *db, size_t n)
{
	tp_batch b;
	char name[32];
	size_t i;
	int rc = tp_batch_begin(&b, db, "t(id, name, x)", 3, n), at;

	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		sqlite3_stmt *st = tp_batch_row(&b, &at);
		snprintf(name, sizeof(name), "row %zu", i);
		tp_batch_bind_id(&b, st, at, (sqlite3_int64)i + 1);
		sqlite3_bind_text(st, at + 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_double(st, at + 2, (double)i / 2);
		rc = tp_batch_end_row(&b);
	}
	/* every row announced is bound: nothing more to bind to */
	if (rc == SQLITE_OK && tp_batch_row(&b, &at) != NULL)
		rc = SQLITE_MISUSE;
	tp_batch_end(&b);
	return rc;
}

static void every_row_goes_in_in_order_whatever_the_count(void)
{
	static const size_t counts[] = {0, 1, TP_BATCH_ROWS - 1, TP_BATCH_ROWS, TP_BATCH_ROWS + 1,
					3 * TP_BATCH_ROWS + 17};
	size_t k;

	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		sqlite3 *db = new_db();
		sqlite3_stmt *st = NULL;
		size_t n = counts[k], seen = 0, good = 0;

		CHECK(db && insert(db, n) == SQLITE_OK);
		if (db && sqlite3_prepare_v2(db, "SELECT id, name, x FROM t ORDER BY rowid", -1, &st,
					     NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				char want[32];
				snprintf(want, sizeof(want), "row %zu", seen);
				good += sqlite3_column_int64(st, 0) == (sqlite3_int64)seen + 1 &&
					strcmp((const char *)sqlite3_column_text(st, 1), want) == 0 &&
					sqlite3_column_double(st, 2) == (double)seen / 2;
				seen++;
			}
		}
		sqlite3_finalize(st);
		CHECK(seen == n);
		CHECK(good == n);
		sqlite3_close(db);
	}
}

static void a_failing_batch_says_why(void)
{
	sqlite3 *db = new_db();

	/* the second insert of ids 1.. breaks the primary key in its first batch */
	CHECK(db && insert(db, 10) == SQLITE_OK);
	CHECK(db && insert(db, 10) == SQLITE_CONSTRAINT);
	CHECK_CONTAINS(sqlite3_errmsg(db), "UNIQUE constraint failed");
	sqlite3_close(db);
}

/* A VFS that is the default one, counting the statement journals opened. */
static sqlite3_vfs counting;
static int subjournals;

static int counting_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
			 int *out)
{
	sqlite3_vfs *real = vfs->pAppData;

	subjournals += (flags & SQLITE_OPEN_SUBJOURNAL) != 0;
	return real->xOpen(real, name, f, flags, out);
}

static void no_statement_journal_in_a_big_transaction(void)
{
	char dir[] = "/tmp/test_sqlbatch-XXXXXX", path[64];
	sqlite3_vfs *real = sqlite3_vfs_find(NULL);
	sqlite3 *db = NULL;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/store.sqlite", dir);
	counting = *real;
	counting.zName = "test_sqlbatch_counting";
	counting.pAppData = real;
	counting.xOpen = counting_open;
	CHECK(sqlite3_vfs_register(&counting, 0) == SQLITE_OK);
	/* the working store's settings (pipeline/store.c): 64 KiB pages, the WAL */
	CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			      counting.zName) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA page_size=65536; PRAGMA journal_mode=WAL;"
			       " CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, x REAL); BEGIN",
			   NULL, NULL, NULL) == SQLITE_OK);
	subjournals = 0;
	/* many batches, each adding rows to pages the ones before it wrote */
	CHECK(insert(db, 200 * TP_BATCH_ROWS) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(subjournals == 0);
	sqlite3_close(db);
	sqlite3_vfs_unregister(&counting);
	unlink(path);
	snprintf(path, sizeof(path), "%s/store.sqlite-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/store.sqlite-shm", dir);
	unlink(path);
	rmdir(dir);
}

/* Inserts the rows of ids (n) into table `into` ("t(id, name)"), name "n<id>". */
static int insert_ids(sqlite3 *db, const char *into, const long long *ids, size_t n)
{
	tp_batch b;
	char name[32];
	size_t i;
	int rc = tp_batch_begin(&b, db, into, 2, n), at;

	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		sqlite3_stmt *st = tp_batch_row(&b, &at);
		snprintf(name, sizeof(name), "n%lld", ids[i]);
		tp_batch_bind_id(&b, st, at, ids[i]);
		sqlite3_bind_text(st, at + 1, name, -1, SQLITE_TRANSIENT);
		rc = tp_batch_end_row(&b);
	}
	tp_batch_end(&b);
	return rc;
}

/* The rows of table (id, name) in rowid order, as "id:name,..." in buf. */
static void rows_of(sqlite3 *db, const char *table, char *buf, size_t len)
{
	sqlite3_stmt *st = NULL;
	char *q = sqlite3_mprintf("SELECT id, name FROM \"%w\" ORDER BY rowid", table);
	size_t used = 0;

	buf[0] = '\0';
	if (q && sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%lld:%s", used ? "," : "",
						 (long long)sqlite3_column_int64(st, 0),
						 (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	sqlite3_free(q);
}

/*
 * tp_batch_bind_id leaves a rowid for SQLite to give only when SQLite gives
 * that one: ids with gaps, out of order, after rows already there, after
 * rows deleted, a quoted table name, AUTOINCREMENT (also after its largest
 * row was deleted); and never where the
 * first column is not the rowid (it would be NULL).
 */
static void ids_are_the_ones_given(void)
{
	static const long long ids[] = {1, 2, 3, 7, 8, 5, 9, 100, 101, 4};
	const size_t n = sizeof(ids) / sizeof(ids[0]);
	const char *want = "1:n1,2:n2,3:n3,4:n4,5:n5,7:n7,8:n8,9:n9,100:n100,101:n101";
	char got[512];
	sqlite3 *db = NULL;

	CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "CREATE TABLE a(id INTEGER PRIMARY KEY, name TEXT);"
			       " CREATE TABLE \"b \"\"q\"\"\"(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);"
			       " CREATE TABLE c(id INTEGER PRIMARY KEY, name TEXT);"
			       " INSERT INTO c VALUES (50, 'n50'); DELETE FROM c;"
			       " INSERT INTO c VALUES (2, 'n2');"
			       " CREATE TABLE g(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);"
			       " INSERT INTO g VALUES (50, 'n50'); DELETE FROM g;"
			       " CREATE TABLE d(id INTEGER, name TEXT);"
			       " CREATE TABLE e(id INTEGER, name TEXT, PRIMARY KEY (id, name));"
			       " CREATE TABLE f(id INTEGER PRIMARY KEY, name TEXT) WITHOUT ROWID",
			   NULL, NULL, NULL) == SQLITE_OK);
	CHECK(insert_ids(db, "a(id, name)", ids, n) == SQLITE_OK);
	rows_of(db, "a", got, sizeof(got));
	CHECK_STR(got, want);
	CHECK(insert_ids(db, "\"b \"\"q\"\"\"(id, name)", ids, n) == SQLITE_OK);
	rows_of(db, "b \"q\"", got, sizeof(got));
	CHECK_STR(got, want);
	/* c holds 2 (50 deleted): 1 and 3 are given, 2 fails as it should */
	CHECK(insert_ids(db, "c(id, name)", ids, 1) == SQLITE_OK);
	CHECK(insert_ids(db, "c(id, name)", ids + 2, n - 2) == SQLITE_OK);
	rows_of(db, "c", got, sizeof(got));
	CHECK_STR(got, want);
	CHECK(insert_ids(db, "c(id, name)", ids + 1, 1) == SQLITE_CONSTRAINT);
	/* AUTOINCREMENT once gave 50: SQLite would give 51, so every id is bound */
	CHECK(insert_ids(db, "g(id, name)", ids, n) == SQLITE_OK);
	rows_of(db, "g", got, sizeof(got));
	CHECK_STR(got, want);
	/* not a rowid: the ids stored as given */
	CHECK(insert_ids(db, "d(id, name)", ids, n) == SQLITE_OK);
	CHECK(insert_ids(db, "e(id, name)", ids, n) == SQLITE_OK);
	CHECK(insert_ids(db, "f(id, name)", ids, n) == SQLITE_OK);
	rows_of(db, "d", got, sizeof(got));
	CHECK_STR(got, "1:n1,2:n2,3:n3,7:n7,8:n8,5:n5,9:n9,100:n100,101:n101,4:n4");
	rows_of(db, "e", got, sizeof(got));
	CHECK_STR(got, "1:n1,2:n2,3:n3,7:n7,8:n8,5:n5,9:n9,100:n100,101:n101,4:n4");
	/* the rowid's tables are known as such, the others not */
	{
		static const char *const into[] = {"a(id, name)", "c(id, name)", "g(id, name)",
						   "d(id, name)", "e(id, name)", "f(id, name)",
						   "a(name, id)"};
		static const long long top[] = {101, 101, 101, -1, -1, -1, -1};
		size_t k;
		for (k = 0; k < sizeof(into) / sizeof(into[0]); k++) {
			tp_batch b;
			CHECK(tp_batch_begin(&b, db, into[k], 2, 1) == SQLITE_OK);
			CHECK(b.top == top[k]);
			tp_batch_end(&b);
		}
	}
	sqlite3_close(db);
}

int main(void)
{
	ids_are_the_ones_given();
	every_row_goes_in_in_order_whatever_the_count();
	a_failing_batch_says_why();
	no_statement_journal_in_a_big_transaction();
	return check_report("test_sqlbatch");
}

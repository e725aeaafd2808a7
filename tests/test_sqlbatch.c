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
		sqlite3_bind_int64(st, at, (sqlite3_int64)i + 1);
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

int main(void)
{
	every_row_goes_in_in_order_whatever_the_count();
	a_failing_batch_says_why();
	no_statement_journal_in_a_big_transaction();
	return check_report("test_sqlbatch");
}

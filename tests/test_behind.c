/*
 * test_behind.c: an SQLite file written on a thread of its own
 * (geo/behind.h).  The same statements make the same bytes as through the
 * default VFS, pages read back while their writes are queued included; a
 * write that fails (a disk full) fails the statement or the commit and
 * leaves the file as it was; a path with the characters a URI reserves
 * opens that path.
 */
#include "geo/behind.h"
#include "tests/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The default VFS, with writes that fail past a size, as on a full disk
 * (growing the file fails, writing over its pages does not): registered as
 * the default before tp_behind_register, so that "tp-behind" wraps it.
 */
static sqlite3_vfs full_vfs;
static sqlite3_io_methods full_io;
static const sqlite3_io_methods *plain_io;
static sqlite3_int64 full_at = -1; /* -1: no limit */

static int full_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	if (full_at >= 0 && off + amt > full_at)
		return SQLITE_FULL;
	return plain_io->xWrite(f, buf, amt, off);
}

static int full_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
		     int *out)
{
	sqlite3_vfs *real = vfs->pAppData;
	int rc = real->xOpen(real, name, f, flags, out);

	if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB) && f->pMethods) {
		if (!plain_io) {
			plain_io = f->pMethods;
			full_io = *plain_io;
			full_io.xWrite = full_write;
		}
		if (f->pMethods == plain_io)
			f->pMethods = &full_io;
	}
	return rc;
}

static void set_up(void)
{
	sqlite3_vfs *real;

	CHECK(sqlite3_initialize() == SQLITE_OK);
	real = sqlite3_vfs_find(NULL);
	full_vfs = *real;
	full_vfs.zName = "test_behind_full";
	full_vfs.pAppData = real;
	full_vfs.xOpen = full_open;
	CHECK(sqlite3_vfs_register(&full_vfs, 1) == SQLITE_OK);
	CHECK(tp_behind_register() == SQLITE_OK);
	CHECK(sqlite3_vfs_find(TP_BEHIND_VFS) != NULL);
}

static sqlite3 *open_behind(const char *path)
{
	char *uri = tp_behind_uri(path);
	sqlite3 *db = NULL;

	CHECK(uri != NULL);
	CHECK(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
			      NULL) == SQLITE_OK);
	sqlite3_free(uri);
	return db;
}

/*
 * Small pages and a cache of 8 of them: the inserts spill pages, and the
 * index's, at random, are read back, while the writes before are queued.
 */
static int work(sqlite3 *db, int from, int n)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "PRAGMA cache_size = 8; BEGIN;"
		 " WITH RECURSIVE s(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM s WHERE i < %d)"
		 " INSERT INTO t(k, v) SELECT (i * 7919) %% 100003, printf('row %%08d', i) FROM s;"
		 " UPDATE t SET v = v || ' changed' WHERE k %% 5 = 0;"
		 " DELETE FROM t WHERE k %% 11 = 0; COMMIT",
		 from, from + n - 1);
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static long long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);

	sqlite3_finalize(st);
	return n;
}

static char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;

	*len = -1;
	if (f && fseek(f, 0, SEEK_END) == 0 && (*len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)*len + 1)) && fread(buf, 1, (size_t)*len, f) != (size_t)*len) {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

static const char schema[] =
	"PRAGMA page_size = 1024; CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);"
	" CREATE INDEX t_k ON t(k)";

static void same_bytes_as_the_default_vfs(const char *dir)
{
	char a[256], b[256];
	sqlite3 *plain = NULL, *behind;
	char *x, *y;
	long nx, ny;

	snprintf(a, sizeof(a), "%s/plain.sqlite", dir);
	snprintf(b, sizeof(b), "%s/behind.sqlite", dir);
	CHECK(sqlite3_open(a, &plain) == SQLITE_OK);
	behind = open_behind(b);
	CHECK(sqlite3_exec(plain, schema, NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(behind, schema, NULL, NULL, NULL) == SQLITE_OK);
	CHECK(work(plain, 1, 20000) == SQLITE_OK);
	CHECK(work(behind, 1, 20000) == SQLITE_OK);
	/* read back through the queue, in the same transaction as more writes */
	CHECK(count(behind, "SELECT COUNT(*) FROM t") == count(plain, "SELECT COUNT(*) FROM t"));
	CHECK(work(plain, 20001, 5000) == SQLITE_OK);
	CHECK(work(behind, 20001, 5000) == SQLITE_OK);
	CHECK(sqlite3_exec(behind, "VACUUM", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(plain, "VACUUM", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(plain);
	CHECK(sqlite3_close(behind) == SQLITE_OK);
	x = slurp(a, &nx);
	y = slurp(b, &ny);
	CHECK(x && y && nx > 100000);
	CHECK(nx == ny);
	CHECK(x && y && nx == ny && memcmp(x, y, (size_t)nx) == 0);
	free(x);
	free(y);
	unlink(a);
	unlink(b);
}

/*
 * The file at path, read without tp-behind, holds its rows of before
 * (before of them) and passes SQLite's integrity check; then it is removed.
 * As after a failed write through the default VFS (at a cache spill, or at
 * SQLITE_FCNTL_SYNC for a commit), the next connection rolls back the
 * journal left: a read-only one could not.
 */
static void the_file_as_it_was(const char *path, long long before)
{
	sqlite3 *check = NULL;

	CHECK(sqlite3_open_v2(path, &check, SQLITE_OPEN_READWRITE, "unix") == SQLITE_OK);
	CHECK(count(check, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") ==
	      1);
	CHECK(count(check, "SELECT COUNT(*) FROM t") == before);
	sqlite3_close(check);
	unlink(path);
}

static void a_full_disk_fails_and_loses_nothing(const char *dir)
{
	char path[256];
	sqlite3 *db;
	long long before;
	int rc;

	snprintf(path, sizeof(path), "%s/full.sqlite", dir);
	db = open_behind(path);
	CHECK(sqlite3_exec(db, schema, NULL, NULL, NULL) == SQLITE_OK);
	CHECK(work(db, 1, 2000) == SQLITE_OK);
	before = count(db, "SELECT COUNT(*) FROM t");
	CHECK(before > 1000);
	/* the file may grow by a few pages, no more */
	full_at = count(db, "PRAGMA page_count") * 1024 + 8 * 1024;
	rc = work(db, 2001, 50000);
	CHECK(rc == SQLITE_FULL);
	CHECK_CONTAINS(sqlite3_errmsg(db), "full");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	CHECK(sqlite3_close(db) == SQLITE_OK);
	full_at = -1;
	the_file_as_it_was(path, before);
}

static void a_commit_that_cannot_write_fails(const char *dir)
{
	char path[256];
	sqlite3 *db;
	long long before;

	/* a cache that holds the whole transaction: its pages are written at
	 * the commit, which must fail, not return before the writes are made */
	snprintf(path, sizeof(path), "%s/commit.sqlite", dir);
	db = open_behind(path);
	CHECK(sqlite3_exec(db, schema, NULL, NULL, NULL) == SQLITE_OK);
	CHECK(work(db, 1, 100) == SQLITE_OK);
	before = count(db, "SELECT COUNT(*) FROM t");
	full_at = count(db, "PRAGMA page_count") * 1024;
	CHECK(sqlite3_exec(db, "PRAGMA cache_size = 100000; BEGIN;"
			       " INSERT INTO t(k, v) SELECT k + 1, v || v || v FROM t;"
			       " INSERT INTO t(k, v) SELECT k + 2, v || v || v FROM t",
			   NULL, NULL, NULL) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_FULL);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	full_at = -1;
	CHECK(sqlite3_close(db) == SQLITE_OK);
	the_file_as_it_was(path, before);
}

static void a_path_a_uri_reserves(const char *dir)
{
	char path[256], *uri;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/50%% off? #1 été.gpkg", dir);
	uri = tp_behind_uri(path);
	CHECK(uri != NULL);
	CHECK_CONTAINS(uri, "50%25 off%3F %231 été.gpkg?vfs=" TP_BEHIND_VFS);
	sqlite3_free(uri);
	db = open_behind(path);
	CHECK(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL) == SQLITE_OK);
	CHECK_CONTAINS(sqlite3_db_filename(db, "main"), "/50% off? #1 été.gpkg");
	CHECK(sqlite3_close(db) == SQLITE_OK);
	CHECK(access(path, F_OK) == 0);
	unlink(path);
}

int main(void)
{
	char dir[] = "/tmp/test_behind-XXXXXX";

	CHECK(mkdtemp(dir) != NULL);
	set_up();
	same_bytes_as_the_default_vfs(dir);
	a_full_disk_fails_and_loses_nothing(dir);
	a_commit_that_cannot_write_fails(dir);
	a_path_a_uri_reserves(dir);
	rmdir(dir);
	return check_report("test_behind");
}

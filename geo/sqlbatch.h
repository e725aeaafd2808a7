/*
 * sqlbatch.h: rows inserted many to a statement.
 *
 * An INSERT stepped once per row cost 3,200 to 4,600 instructions a row in
 * the tables of a million rows (the R-tree's row map, the places, the
 * scores, the tracks): most of it the statement's own start and end, not
 * the row.  A statement of TP_BATCH_ROWS rows pays them once.  The number
 * of rows is given first, so that the last statement is made for the rows
 * left.  A row's values are bound as usual, at the parameters from *first
 * on (tp_batch_row); they must stay valid until the row is stepped with
 * its batch, up to TP_BATCH_ROWS rows later: SQLITE_TRANSIENT for a buffer
 * that the next row reuses.
 *
 * The statements are INSERT OR FAIL.  A plain INSERT of many rows may
 * abort half-way, so SQLite keeps a statement journal for it: each batch
 * copied the pages it was about to change (the table's last leaf, always
 * one the batch before had written), and with the store's 64 KiB pages a
 * single copy passes the 64 KiB SQLite holds in memory, so every journal
 * went to a temporary file.  A 1M run wrote 4.8 GB to /var/tmp that way
 * (locate, snapshots, score, the R-trees' row maps), to be thrown away.
 * OR FAIL needs no statement journal: a failing batch leaves the rows its
 * statement put before the failure, and every caller's transaction then
 * rolls back whole (a stage's, or the output file's, never kept).
 *
 * A row's rowid given (the first column, when it is the table's INTEGER
 * PRIMARY KEY) makes SQLite look the key up from the root before each
 * insert, to refuse a duplicate: ~0.1 us a row of 3M (0.15 us with
 * AUTOINCREMENT), 1.32-1.54 s against 1.02-1.08 s for the same rows with
 * the rowid left for SQLite to give, which takes the table's last row, where
 * the cursor already is.  The rowids written are mostly 1, 2, 3 ... in
 * order, so tp_batch_bind_id() binds NULL whenever the rowid is the one
 * SQLite would give (one more than the largest in the table, the rows bound
 * before it included), and the rowid itself otherwise.
 */
#ifndef TP_SQLBATCH_H
#define TP_SQLBATCH_H

#include <stddef.h>
#include <sqlite3.h>

#define TP_BATCH_ROWS 64

typedef struct {
	sqlite3 *db;
	const char *into;    /* "table(column, ...)", the caller's */
	int ncols;           /* values per row */
	size_t left;         /* rows not yet bound */
	sqlite3_stmt *full;  /* the INSERT of TP_BATCH_ROWS rows */
	sqlite3_stmt *tail;  /* the INSERT of the rows of the last, shorter batch */
	sqlite3_stmt *st;    /* the one being bound: full or tail */
	int rows, k;         /* its rows, and how many are bound */
	long long top;       /* the table's largest rowid, the rows bound included; -1
				when the first column is not its rowid or it is unknown */
} tp_batch;

/* Begins inserting nrows rows of ncols values into `into` ("table(a, b)")
 * on db: SQLITE_OK, else SQLite's code (sqlite3_errmsg(db) says why). */
int tp_batch_begin(tp_batch *b, sqlite3 *db, const char *into, int ncols, size_t nrows);

/* The statement to bind the next row's values to, at parameters *first to
 * *first + ncols - 1; NULL when every row announced has been bound. */
sqlite3_stmt *tp_batch_row(tp_batch *b, int *first);

/* Binds id, the row's first column (its rowid when the table has one
 * there), at parameter at of st (tp_batch_row's): NULL when SQLite would
 * give the row that rowid (see above), else id. */
void tp_batch_bind_id(tp_batch *b, sqlite3_stmt *st, int at, long long id);

/* Ends the row just bound; steps its batch when the batch is full:
 * SQLITE_OK, else SQLite's code. */
int tp_batch_end_row(tp_batch *b);

/* Finalizes b's statements (also after a failure). */
void tp_batch_end(tp_batch *b);

#endif

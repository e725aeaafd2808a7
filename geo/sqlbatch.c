/*
 * sqlbatch.c: rows inserted many to a statement (sqlbatch.h).
 */
#include "geo/sqlbatch.h"

#include <string.h>

/* Prepares in *out the INSERT of rows rows into b->into. */
static int prepare(tp_batch *b, int rows, sqlite3_stmt **out)
{
	sqlite3_str *q = sqlite3_str_new(b->db);
	int r, c, rc;

	sqlite3_str_appendf(q, "INSERT OR FAIL INTO %s VALUES ", b->into);
	for (r = 0; r < rows; r++) {
		sqlite3_str_appendall(q, r ? ", (" : "(");
		for (c = 0; c < b->ncols; c++)
			sqlite3_str_appendall(q, c ? ", ?" : "?");
		sqlite3_str_appendall(q, ")");
	}
	rc = sqlite3_str_errcode(q);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(b->db, sqlite3_str_value(q), -1, out, NULL);
	sqlite3_free(sqlite3_str_finish(q));
	return rc;
}

/* Makes b->st the statement for the rows that come next. */
static int next_batch(tp_batch *b)
{
	b->k = 0;
	b->st = NULL;
	b->rows = 0;
	if (!b->left)
		return SQLITE_OK;
	if (b->left >= TP_BATCH_ROWS) {
		b->st = b->full;
		b->rows = TP_BATCH_ROWS;
		return SQLITE_OK;
	}
	b->rows = (int)b->left;
	if (!b->tail) {
		int rc = prepare(b, b->rows, &b->tail);
		if (rc != SQLITE_OK)
			return rc;
	}
	b->st = b->tail;
	return SQLITE_OK;
}

int tp_batch_begin(tp_batch *b, sqlite3 *db, const char *into, int ncols, size_t nrows)
{
	int rc = SQLITE_OK;

	memset(b, 0, sizeof(*b));
	b->db = db;
	b->into = into;
	b->ncols = ncols;
	b->left = nrows;
	if (nrows >= TP_BATCH_ROWS)
		rc = prepare(b, TP_BATCH_ROWS, &b->full);
	return rc == SQLITE_OK ? next_batch(b) : rc;
}

sqlite3_stmt *tp_batch_row(tp_batch *b, int *first)
{
	*first = b->k * b->ncols + 1;
	return b->st;
}

int tp_batch_end_row(tp_batch *b)
{
	int rc;

	if (!b->st)
		return SQLITE_MISUSE;
	b->left--;
	if (++b->k < b->rows)
		return SQLITE_OK;
	rc = sqlite3_step(b->st);
	sqlite3_reset(b->st);
	if (rc != SQLITE_DONE)
		return rc;
	return next_batch(b);
}

void tp_batch_end(tp_batch *b)
{
	sqlite3_finalize(b->full);
	sqlite3_finalize(b->tail);
	b->full = b->tail = b->st = NULL;
}

/*
 * sqlbatch.c: rows inserted many to a statement (sqlbatch.h).
 */
#include "geo/sqlbatch.h"

#include <stdint.h>
#include <string.h>

/* b->top: the largest rowid of b->into's table when its first column is
 * the table's rowid (its INTEGER PRIMARY KEY), else -1. */
static void read_top(tp_batch *b)
{
	const char *open = strchr(b->into, '('), *tail;
	char table[256], column[256];
	const char *decl = NULL;
	int pk = 0, autoinc = 0, n, i;
	sqlite3_stmt *st = NULL;
	char *q;

	b->top = -1;
	if (!open || open == b->into)
		return;
	/* the table's name, unquoted ("t" or "x""y" as SQL has it) */
	n = 0;
	if (b->into[0] == '"') {
		for (i = 1; b->into + i < open && n < (int)sizeof(table) - 1; i++) {
			if (b->into[i] == '"' && b->into[i + 1] == '"')
				i++;
			else if (b->into[i] == '"')
				break;
			table[n++] = b->into[i];
		}
	} else {
		for (i = 0; b->into + i < open && n < (int)sizeof(table) - 1; i++)
			table[n++] = b->into[i];
	}
	table[n] = '\0';
	tail = open + 1 + strspn(open + 1, " ");
	n = (int)strcspn(tail, ", )");
	if (n <= 0 || n >= (int)sizeof(column))
		return;
	memcpy(column, tail, (size_t)n);
	column[n] = '\0';
	/* an INTEGER column, the table's only key: its rowid (a WITHOUT ROWID
	 * table fails the query of MAX(rowid)) */
	if (sqlite3_table_column_metadata(b->db, NULL, table, column, &decl, NULL, NULL, &pk,
					  &autoinc) != SQLITE_OK ||
	    !pk || !decl || sqlite3_stricmp(decl, "INTEGER"))
		return;
	/* AUTOINCREMENT gives one more than the largest rowid it ever gave */
	q = sqlite3_mprintf("SELECT MAX(COALESCE(MAX(rowid), 0), %s), (SELECT COUNT(*) FROM"
			    " pragma_table_info(%Q) WHERE pk > 0) FROM \"%w\"",
			    autoinc ? "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?1), 0)"
				    : "0",
			    table, table);
	if (q && sqlite3_prepare_v2(b->db, q, -1, &st, NULL) == SQLITE_OK &&
	    (!autoinc || sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) == SQLITE_OK) &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 1) == 1)
		b->top = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_free(q);
}

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
	read_top(b);
	if (nrows >= TP_BATCH_ROWS)
		rc = prepare(b, TP_BATCH_ROWS, &b->full);
	return rc == SQLITE_OK ? next_batch(b) : rc;
}

sqlite3_stmt *tp_batch_row(tp_batch *b, int *first)
{
	*first = b->k * b->ncols + 1;
	return b->st;
}

void tp_batch_bind_id(tp_batch *b, sqlite3_stmt *st, int at, long long id)
{
	/* SQLite gives one more than the largest rowid (when that is no
	 * overflow: past it, a random one) */
	if (b->top >= 0 && b->top < INT64_MAX && id == b->top + 1)
		sqlite3_bind_null(st, at);
	else
		sqlite3_bind_int64(st, at, id);
	if (b->top >= 0 && id > b->top)
		b->top = id;
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

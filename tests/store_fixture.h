/*
 * store_fixture.h: a working store in memory with the whole schema, for the
 * C tests that run stages or output queries against it.
 */
#ifndef TP_STORE_FIXTURE_H
#define TP_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "geo/error.h"
#include "pipeline/store.h"

/* A new store in memory; the test stops (exit 1) when it cannot be made. */
static inline sqlite3 *test_new_store(void)
{
	sqlite3 *db = NULL;

	if (tp_store_open(&db, ":memory:", 0) || tp_store_reset(db)) {
		fprintf(stderr, "cannot make a working store: %s\n", tp_error_last());
		exit(1);
	}
	return db;
}

#endif

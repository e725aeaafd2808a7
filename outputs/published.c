/*
 * published.c: the guard between public outputs and the private columns
 * of the working store (published.h, docs/working-store.md).
 *
 * The list below is the rule as data.  A people figure (a category of
 * geo/categories.h or the total) is private in every table but the
 * protect stage's public_communes and public_zones; so is what is
 * computed from exact figures (commune_summary's capacity shares and
 * need, zone_shares.people) and what holds them as typed (zones.original).
 * The vacancies' originals, in a table of their own (store.h), are kept
 * from public outputs as the register's are.
 * Other columns of those tables (areas, shares of area, dwellings,
 * capacity) are public.  rejects.original holds a rejected zone's counts
 * too, but the same column holds the other inputs' rows: the public row
 * set of rejects (query.c) leaves the zones' rows out, row by row, which a
 * column rule cannot check.
 */
#include "outputs/published.h"
#include "pipeline/store.h"
#include "geo/categories.h"
#include "geo/error.h"

#include <string.h>

/* A table of the store that public outputs may read only in part. */
typedef struct {
	const char *table;          /* store table */
	int people;                 /* 1: its people figures (geo/categories.h) are private */
	const char *const other[4]; /* its other private columns, NULL-terminated */
} private_table;

static const private_table private_tables[] = {
	{"zones", 1, {TP_ZONE_TOTAL, "original", NULL}},
	{"zone_shares", 0, {"people", NULL}},
	{"commune_summary", 1, {"capacity_share_public", "capacity_share_total", "need", NULL}},
	{"edition_zones", 1, {TP_ZONE_TOTAL, "original", NULL}},
	/* people housed per site: small numbers at a known address (README, Privacy) */
	{"occupations", 0, {"people_housed", "people_moved_on", "original", NULL}},
	/* the vacancies' source values, as every input's original is: what a person typed */
	{TP_VACANCY_ORIGINALS, 0, {"original", NULL}},
};

int tp_published_is_private(const char *table, const char *column)
{
	size_t i, k;

	if (!table || !column)
		return 0;
	for (i = 0; i < sizeof(private_tables) / sizeof(private_tables[0]); i++) {
		const private_table *t = &private_tables[i];
		if (strcmp(t->table, table) != 0)
			continue;
		if (t->people && tp_category_find(column))
			return 1;
		for (k = 0; t->other[k]; k++)
			if (strcmp(t->other[k], column) == 0)
				return 1;
	}
	return 0;
}

/* The authorizer kept in force on one connection (tp_published_chain). */
typedef struct {
	sqlite3 *db;        /* its connection, NULL when none */
	tp_authorizer fn;   /* the authorizer */
	void *arg;          /* its argument */
} chained;

static _Thread_local chained chain;

void tp_published_chain(sqlite3 *db, tp_authorizer fn, void *arg)
{
	chain.db = fn ? db : NULL;
	chain.fn = fn;
	chain.arg = arg;
}

/* SQLite's authorizer: a read of a private column makes the statement fail
 * to prepare; so does whatever the chained authorizer (ud) refuses. */
static int authorize(void *ud, int action, const char *table, const char *column,
		     const char *database, const char *trigger)
{
	const chained *c = ud;
	int r;

	if (c && (r = c->fn(c->arg, action, table, column, database, trigger)) != SQLITE_OK)
		return r;
	if (action == SQLITE_READ && tp_published_is_private(table, column))
		return SQLITE_DENY;
	return SQLITE_OK;
}

int tp_published_begin(sqlite3 *db, int internal)
{
	const chained *c = chain.db == db ? &chain : NULL;
	int r = internal ? sqlite3_set_authorizer(db, c ? c->fn : NULL, c ? c->arg : NULL)
			 : sqlite3_set_authorizer(db, authorize, (void *)c);

	if (r != SQLITE_OK)
		return tp_error_set(TP_ERROR, "working store: cannot guard the published tables: %s",
				    sqlite3_errmsg(db));
	return TP_OK;
}

void tp_published_end(sqlite3 *db)
{
	const chained *c = chain.db == db ? &chain : NULL;

	sqlite3_set_authorizer(db, c ? c->fn : NULL, c ? c->arg : NULL);
}

/*
 * published.h: what a public output may read from the working store.
 *
 * The store holds exact counts of people; the protect stage writes what a
 * public output may show of them into public_communes and public_zones.
 * Every public writer (indicators.csv, maps and atlas, dashboard, the
 * GeoPackage unless [outputs] internal = yes) reads the store through a
 * public view of query.h, which runs its queries between
 * tp_published_begin() and tp_published_end(); these let SQLite refuse,
 * when a statement is prepared, any read of a private column: the people
 * figures of zones, zone_shares and commune_summary, and what is computed
 * from them there (published.c lists them).  Such a query fails with
 * SQLite's "access to commune_summary.squat is prohibited", naming the
 * table and column, instead of publishing the figure.
 */
#ifndef TP_PUBLISHED_H
#define TP_PUBLISHED_H

#include <sqlite3.h>

/*
 * From now on, statements prepared on db may read only what a public
 * output may (internal == 0), or anything (internal == 1: an internal
 * output, which states that its figures are exact).  Installs db's SQLite
 * authorizer, in place of any other but the one of tp_published_chain(),
 * which it consults first.  Returns 0, or
 * TP_ERROR when SQLite refuses.
 */
int tp_published_begin(sqlite3 *db, int internal);

/* Ends what tp_published_begin() started on db: every column is readable
 * again (as far as the authorizer of tp_published_chain() lets it). */
void tp_published_end(sqlite3 *db);

/* An SQLite authorizer callback, as sqlite3_set_authorizer() takes it. */
typedef int (*tp_authorizer)(void *arg, int action, const char *a, const char *b,
			     const char *database, const char *trigger);

/*
 * Makes fn (with arg) the authorizer that tp_published_begin() on db, on
 * this thread, keeps in force (consulted first, its refusal final) and
 * that tp_published_end() puts back; fn NULL forgets it.  The pipeline's
 * runner sets it while a stage runs, to hold the stage to the tables it
 * declares.
 */
void tp_published_chain(sqlite3 *db, tp_authorizer fn, void *arg);

/* 1 when a public output may not read column of table of the working store, else 0. */
int tp_published_is_private(const char *table, const char *column);

#endif

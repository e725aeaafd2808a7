/*
 * pg.h: the GeoPackage's layers in a shared PostGIS database
 * ([outputs] database, or --db), for dashboards and GIS teams that read one
 * database rather than files.
 *
 * The layers are written by the GeoPackage's own loop (tp_write_layers,
 * outputs.h) through GDAL's PostgreSQL driver into a staging schema, then
 * swapped in for the previous schema by renames in one transaction: a
 * reader sees the previous schema whole or the new one whole, never a mix,
 * and a failed or killed run leaves the previous schema as it was.
 */
#ifndef TP_PG_H
#define TP_PG_H

#include <stddef.h>

#include <sqlite3.h>

#include "outputs/outputs.h"

/* The schema written when [outputs] schema is not given. */
#define TP_PG_SCHEMA "tremplin"

/*
 * Reads value, a connection as the config or --db gives it: PG:"keyword=value
 * ...", PG:keyword=value ... (libpq's keywords: dbname, host, port, user,
 * password, ...).  Sets *out to "PG:keyword=value ..." (free() it).  Returns
 * 0, or -1 with why (of size n) saying what is wrong, never quoting a
 * password; -2 when out of memory.
 */
int tp_pg_conn_parse(const char *value, char **out, char *why, size_t n);

/* 0 when name can be the schema: a-z, 0-9 and _, not starting with a digit,
 * 1 to 40 characters (the staging schema adds a suffix); else -1. */
int tp_pg_schema_check(const char *name);

/*
 * "database 'D' on host 'H', port P" for conn (a tp_pg_conn_parse result),
 * into buf of size n; libpq's defaults (PGDATABASE, PGHOST, ...) named
 * where conn says nothing.  Never the password.
 */
void tp_pg_describe(const char *conn, char *buf, size_t n);

/*
 * A copy of text (the config) with the value of every password keyword
 * replaced by "*****", for what keeps the config's text (the store's meta,
 * the outputs' metadata); NULL when out of memory.  free() it.
 */
char *tp_pg_mask(const char *text);

/*
 * Connects to conn and checks that the database has PostGIS, then
 * disconnects: for a run to stop at once, not after its stages, when the
 * database cannot be written.  Returns 0, or TP_EOUTPUT as tp_write_pg says.
 */
int tp_pg_probe(const char *conn, const char *schema);

/*
 * Writes the layers of tremplin.gpkg (as opts say: public, or exact with
 * internal) into schema of the database conn: each map layer with its
 * geometry column geom in the working CRS (its SRID), a GiST index and the
 * primary key fid; the coded fields checked against lookup tables
 * (owner_type_codes, reason_codes, candidate_flag_codes, by foreign key);
 * QGIS's layer_styles, in QGIS's own layout, with the default styles of
 * the GeoPackage, also copied into the layer_styles QGIS finds on the
 * search path (public) when the database lets it; comments on the schema,
 * tables and coded or published columns; the views commune_indicators and
 * candidates_ranked.  It is built in schema_new_PID and swapped in by
 * renames in one transaction; leftovers of dead runs (schema_new_*,
 * schema_old_*) are dropped first, under a PostgreSQL advisory lock held
 * for the whole write, so two runs into one schema do not meet.  Unless
 * quiet, says on stderr what it could not do that QGIS would want.
 * Returns 0, or TP_EOUTPUT naming the database and host (never the
 * password) when the server cannot be reached, refuses the connection, has
 * no PostGIS, is being written by another run or fails a statement (the
 * previous schema is then untouched); TP_ESTORE, TP_ECONFIG or TP_ERROR as
 * tp_write_layers says.
 */
int tp_write_pg(sqlite3 *store, const char *conn, const char *schema,
		const tp_gpkg_options *opts, int quiet);

#endif

/*
 * database.c: the database stage.  The GeoPackage's layers, written again
 * into the PostGIS schema [outputs] database and schema name (or --db),
 * for the dashboards and GIS teams that read a shared database
 * (outputs/pg.c).  It runs last, after draw, so that the schema is swapped
 * in only once every file of the set is ready in the staging folder; the
 * files are put in place right after (README, "Shared database").  Without
 * a database it does nothing.
 */
#include "pipeline/stages.h"
#include "outputs/pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tp_stage_database(tp_run *run)
{
	tp_gpkg_options opts = {run->cfg->indicator, run->cfg->language, run->cfg->internal,
				run->threads, NULL};

	if (!run->cfg->database)
		return 0;
	return tp_write_pg(run->db, run->cfg->database,
			   run->cfg->schema ? run->cfg->schema : TP_PG_SCHEMA, &opts, run->quiet);
}

int tp_config_database(tp_config *cfg, const char *name, const char *value, char *why, size_t n)
{
	char *conn = NULL, *copy;

	if (!strcmp(name, "schema")) {
		if (tp_pg_schema_check(value)) {
			snprintf(why, n, "'%s' is not a schema name tremplin writes: 1 to 40 of a-z, 0-9"
					 " and _, not starting with a digit", value);
			return -1;
		}
		copy = strdup(value);
		if (!copy) {
			snprintf(why, n, "out of memory");
			return -1;
		}
		free(cfg->schema);
		cfg->schema = copy;
		return 0;
	}
	switch (tp_pg_conn_parse(value, &conn, why, n)) {
	case 0:
		free(cfg->database);
		cfg->database = conn;
		return 0;
	case -2:
		snprintf(why, n, "out of memory");
		return -1;
	default:
		return -1;
	}
}

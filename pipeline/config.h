/*
 * config.h: the run's configuration, read from an INI file.
 *
 * [run] holds the working CRS, the reference date and the scoring
 * parameters; [communes], [vacancies] and [zones] each describe one input
 * (see tp_input_cfg).  Paths are resolved against the config file's
 * folder.  The README carries a commented example.
 */
#ifndef TP_CONFIG_H
#define TP_CONFIG_H

#include "inputs/reader.h"

/* One table of [indicators]: a whole number per commune, keyed by NIS code. */
typedef struct tp_indicator_cfg {
	char *name;       /* the indicator, a column of the outputs ("eviction_files") */
	tp_input_cfg in;  /* its table: path, layer, header_row, nis_code and value columns */
} tp_indicator_cfg;

/* An earlier vacancy snapshot: [vacancies.YYYY-MM-DD] (pipeline/snapshots.c). */
typedef struct tp_snapshot_cfg {
	char date[11];                       /* YYYY-MM-DD, the section's name */
	tp_input_cfg in;                     /* read as [vacancies] is; keys it leaves out are
						[vacancies]'s */
} tp_snapshot_cfg;

typedef struct tp_config {
	char *path;                          /* the config file */
	char *text;                          /* its whole text, kept in the store's meta */
	char *crs;                           /* working CRS, default EPSG:31370 */
	char reference_date[11];             /* YYYY-MM-DD, default today (UTC) */
	double min_window_months;            /* shortest window for a candidate, default 24 */
	double occupancy;                    /* people per dwelling, default 1.5 */
	char *note;                          /* printed on every map and the dashboard, or NULL */
	char *sources;                       /* the sources' names and dates, printed on every
						map; NULL: the input files' names */
	tp_input_cfg inputs[TP_IN_COUNT];    /* one per input kind */
	tp_address_cfg addresses;            /* [addresses]: reference to geocode by (optional) */
	tp_input_cfg occupations;            /* [occupations]: the register (path NULL: none) */
	tp_indicator_cfg *indicators;        /* [indicators]: per-commune tables, in config order */
	size_t nindicators;                  /* entries of indicators */
	char vacancies_date[11];             /* [vacancies] date: the scored snapshot's, "" for
						reference_date */
	tp_snapshot_cfg *snapshots;          /* earlier snapshots, by date */
	size_t nsnapshots;                   /* entries of snapshots */
	/* [outputs] */
	char *indicator;                     /* commune figure mapped, default people_total */
	char *language;                      /* labels: fr, nl or both (default both) */
	int internal;                        /* 1: exact counts in the GeoPackage (default 0) */
	double small_cell_threshold;         /* counts of people below it are shown "<N" (5) */
	int maps;                            /* write maps (default 1; --no-maps) */
	int dashboard;                       /* write dashboard.html (default 1; --no-dashboard) */
	char *database;                      /* PostGIS connection "PG:..." (or --db), or NULL */
	char *schema;                        /* its schema, or NULL: tremplin (outputs/pg.h) */

	struct tp_edition *editions;         /* the count's editions by date, [zones] last
						(pipeline/editions.h); NULL: one edition, no trends */
	size_t neditions;                    /* how many (0, or 2 and more) */
} tp_config;

/* Reads path into cfg (caller-owned, disposed with tp_config_dispose even
 * on failure).  Fails with TP_ECONFIG naming file, section and key. */
int tp_config_load(tp_config *cfg, const char *path);
void tp_config_dispose(tp_config *cfg);

/*
 * Sets cfg's database (name "database": a connection PG:"dbname=... host=...")
 * or its schema (name "schema") from value, for [outputs] and --db
 * (pipeline/database.c).  Returns 0, or -1 with why (of size n) saying what is
 * wrong, never quoting a password.
 */
int tp_config_database(tp_config *cfg, const char *name, const char *value, char *why, size_t n);

/* Frees what an input's section holds (paths, columns, value mappings) and zeroes it. */
void tp_input_cfg_dispose(tp_input_cfg *in);

#endif

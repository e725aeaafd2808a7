/*
 * editions.h: the count's editions, as the config names them.
 *
 * The count is repeated every two years, over zones drawn anew each time
 * and with categories added as the count grows.  The [zones] section is
 * the latest edition (the zones table the pipeline scores with); each
 * [zones.LABEL] section is an earlier one, read from its own file with
 * the same keys as [zones] (path, layer, crs, header_row, the column of
 * each field) and two of its own: `date` (required) and `categories`
 * (the categories it counted; default all six).  [zones] takes `date`,
 * `categories` and `edition` (its label; default the year of its date).
 * A category an edition did not count needs no column in its file.
 * The trends stage (pipeline/trends.c) apportions every edition onto the
 * current communes and compares them.
 */
#ifndef TP_EDITIONS_H
#define TP_EDITIONS_H

#include <sqlite3.h>

#include "geo/categories.h"
#include "pipeline/config.h"

/* One edition of the count. */
typedef struct tp_edition {
	char *label;                  /* "2022": the section's suffix, or [zones] edition = */
	char date[11];                /* YYYY-MM-DD; "" until the config gives it */
	int counted[TP_NCATEGORIES];  /* 1: the edition counted the category (TP_CATEGORIES order) */
	int categories_set;           /* 1: the config listed them (else all six) */
	int current;                  /* 1: the [zones] section, read into the zones table */
	tp_input_cfg in;              /* an earlier edition's file and columns (unused when current) */
} tp_edition;

/*
 * The edition of section [zones] (label NULL) or [zones.LABEL], added to
 * cfg when it is not there yet; NULL when out of memory.
 */
tp_edition *tp_edition_get(tp_config *cfg, const char *label);

/*
 * Takes the edition's own keys: date, categories and (for [zones])
 * edition.  Returns 1 when taken, 0 when name is not one of them (an
 * input key, for the caller), -1 when the value is wrong, with the reason
 * in why (the caller names file, section and key).
 */
int tp_edition_key(tp_edition *e, const char *name, const char *value, char *why, size_t len);

/*
 * Checks the editions once the whole config is read and sorts them by
 * date, oldest first: every edition has its date and an earlier one its
 * path, no two share a date or a label, and [zones] is the latest.
 * Fails with TP_ECONFIG naming file, section and key.  Without any
 * [zones.LABEL] section there is one edition and no trend: cfg->editions
 * is then emptied.
 */
int tp_editions_finish(tp_config *cfg);

/* Frees cfg's editions. */
void tp_editions_dispose(tp_config *cfg);

/*
 * The rows of the earlier edition e in a store the trends stage has run
 * on: read (n), accepted (a: in edition_zones), rejected (r: in rejects
 * as input "zones.LABEL") and skipped (blank or total rows).  TP_ERROR
 * when the store cannot be read.  (pipeline/trends.c)
 */
int tp_edition_counts(sqlite3 *db, const tp_edition *e, long long *n, long long *a,
		      long long *r, long long *skipped);

/* The category list of e as the config writes it ("public_space, squat"), into buf. */
void tp_edition_categories(const tp_edition *e, char *buf, size_t len);

#endif

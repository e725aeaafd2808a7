/*
 * tables.h: the inputs beside the three of fields.h, read by the same
 * reader (reader.h): the occupation register ([occupations]) and the
 * per-commune indicator tables ([indicators]).
 *
 * The register lists temporary occupations: a site, its housing operator
 * and support service(s), the owner type, the dwellings, where it is (a
 * vacancy id, an address or a point: any, or none), its start, planned
 * end, extensions (a list of dates), actual end, status, people housed
 * and people moved on to durable housing.  Only site, dwellings and start
 * are required.  Its rows may have no place, and the same place may come
 * back (one building, two occupations in turn).
 *
 * An indicator table holds a whole number per commune, keyed by NIS code
 * (eviction files, moratorium requests, population).
 */
#ifndef TP_TABLES_H
#define TP_TABLES_H

#include <stddef.h>

#include "inputs/fields.h"

/* The occupation register's fields; its store table is "occupations". */
const tp_input_def *tp_occupation_def(void);

/* An indicator table's fields (nis_code, value); its store table is
 * "indicators". */
const tp_input_def *tp_indicator_def(void);

/*
 * The status of an occupation as written (French, Dutch or English words,
 * case and accents aside: "en cours", "lopend", "prolongé", "clôturé",
 * "terminé", "afgelopen", "prévu", ...) as one of the codes "planned",
 * "running", "ended" (geo/codes.h tp_occupation_statuses), or NULL when
 * none reads so.
 */
const char *tp_occupation_status(const char *raw);

/*
 * Reads raw, a list of dates separated by ';', ',', '|' or line breaks
 * (each as tp_date_parse_period() reads it: a period is its first day),
 * into out as "YYYY-MM-DD;YYYY-MM-DD" in the order given.  Returns the
 * number of dates (0 for an empty list), or -1 with why quoting the item
 * that is no date, or saying which date comes before the one before it.
 */
int tp_dates_list_parse(const char *raw, char *out, size_t outlen, char *why, size_t whylen);

#endif

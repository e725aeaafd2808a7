/*
 * dupes.h: the same building reported twice (README, "Duplicates").
 *
 * A record repeats an earlier accepted one when it has the same id, the
 * same address key (tp_address_key: street folded as for geocoding, house
 * number, box, postcode), or a point within 1 m of the earlier one's with
 * the same number and box: the same building written in French and in
 * Dutch.  The reader asks before it accepts a record and remembers the
 * record's keys once it does.
 */
#ifndef TP_DUPES_H
#define TP_DUPES_H

#include <stddef.h>

typedef struct tp_dupes tp_dupes;

/* A new, empty memory of accepted records; free with tp_dupes_free(). */
int tp_dupes_new(tp_dupes **out);
void tp_dupes_free(tp_dupes *d);

/* About n records will be remembered (a CSV's records, known once it is
 * indexed): the ids' and addresses' tables are first made that large. */
void tp_dupes_expect(tp_dupes *d, size_t n);

/* The same, where a point within the tolerance (1 m, or 1e-5 for lon/lat)
 * is also the same building whatever its address: records matched across
 * vacancy snapshots (pipeline/snapshots.c), where the same building may
 * come without its address. */
int tp_dupes_new_points(tp_dupes **out);

/*
 * The row of an earlier record that this one repeats, or 0.  id and key
 * may be NULL or ""; xy (may be NULL) is the record's point in the source
 * CRS.  *field gets the field to blame ("id" or "address") and *how
 * "same id" or "same address".
 */
long tp_dupes_find(const tp_dupes *d, const char *id, const char *key, const double *xy,
		   const char **field, const char **how);

/* Remembers an accepted record's id, address key and point; 0 or TP_ERROR. */
int tp_dupes_add(tp_dupes *d, const char *id, const char *key, const double *xy, long row);

#endif

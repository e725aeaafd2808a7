/*
 * geocode.h: records with an address but no coordinates, placed on the
 * address reference the user provides ([addresses] in the config).
 *
 * The reference is any OGR point layer with a French and/or a Dutch street
 * name, a house number and a postcode per address.  An address is matched
 * in this order of preference, and the record says which:
 *   exact       the reference's street name (French or Dutch) appears as
 *               written and the house number is in the reference;
 *   normalised  equal once case, accents, punctuation and abbreviations
 *               (av. -> avenue, bd -> boulevard, chée -> chaussée,
 *               str. -> straat, ...) are folded, or the number is matched
 *               through a range (12-14) or a letter suffix (12A -> 12);
 *   nearest     the street matches but the number is not in the reference:
 *               the nearest number on that street, same side (parity) first,
 *               at most TP_GEOCODE_MAX_GAP numbers away.
 * A box (bte 3, bus 3, boîte 3) is ignored: it is a unit in the building.
 * A postcode (in the address or the record's postcode field) restricts the
 * street to that postcode; a street found in several postcodes without one
 * is ambiguous.  What cannot be matched is refused with the closest streets.
 */
#ifndef TP_GEOCODE_H
#define TP_GEOCODE_H

#include <stddef.h>

#define TP_GEOCODE_MAX_GAP 20

/* [addresses] in the config: where the reference is and its columns. */
typedef struct tp_address_cfg {
	char *path;       /* reference file, resolved against the config's folder */
	char *layer;      /* layer, NULL for the first */
	char *crs;        /* CRS when the source declares none, or NULL */
	char *street_fr;  /* French street name column (default street_fr) */
	char *street_nl;  /* Dutch street name column (default street_nl) */
	char *number;     /* house number column (default number) */
	char *postcode;   /* postcode column (default postcode) */
} tp_address_cfg;

typedef struct tp_geocoder tp_geocoder;

/*
 * Reads the reference of cfg; its points are transformed into dst_crs
 * (NULL: kept in the reference's own CRS).  TP_EINPUT when the file, layer,
 * a column or the CRS is unusable, or when it holds no address.
 */
int tp_geocoder_open(tp_geocoder **out, const tp_address_cfg *cfg, const char *dst_crs);
void tp_geocoder_free(tp_geocoder *gc);

/* The CRS the geocoder's points are in ("EPSG:31370" or WKT). */
const char *tp_geocoder_crs(const tp_geocoder *gc);

/*
 * Places address (postcode may be NULL or "").  Returns 1 with *x, *y and
 * *kind ("exact", "normalised" or "nearest"), or 0 with why saying what
 * did not match and which streets come closest; then, when near is not
 * NULL, *near is the postcode of the one street the address names (its
 * number too far, or the street in another postcode than given), owned by
 * gc, or NULL.
 */
int tp_geocode(tp_geocoder *gc, const char *address, const char *postcode, double *x,
	       double *y, const char **kind, char *why, size_t whylen, const char **near);

/*
 * The key two records of one building share: folded street (abbreviations
 * expanded), house number, box and postcode, e.g. "avenue louise|12|3|1050".
 * Text that holds no house number gives its folded form.
 */
void tp_address_key(const char *address, const char *postcode, char *out, size_t outlen);

/*
 * The house number and box of such a key ("street|12|3|1050" -> "12|3"),
 * "" when it has no number: what the 1 m match of two records compares.
 */
void tp_address_key_number(const char *key, char *out, size_t len);

#endif

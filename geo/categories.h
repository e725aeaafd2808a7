/*
 * categories.h: the people categories of the count, as data.
 *
 * The count sorts the people it finds into six categories; every table of
 * the working store that holds people figures (zones, commune_summary,
 * public_zones, public_communes), every output that shows them and the
 * zones input all follow this one table, in its order.  Each row is
 *
 *   X(column, French label, Dutch label, header aliases)
 *
 * column: the store column, the input field and the output field, as a
 * bare identifier so that SQL text can be made from it at compile time
 * (#column); labels: what maps, atlas and dashboard print; aliases: the
 * '|'-separated folded headers (inputs/text.h) a zones file may use for
 * the column besides the labels themselves (inputs/fields.c).
 *
 * The total of a row is the seventh people figure, after the six: it is
 * people_total in commune_summary and the public_* tables, and total in
 * zones (the column load fills with the sum of the six).  Public outputs
 * read the people figures of public_zones and public_communes only
 * (outputs/published.c enforces it).
 *
 * A module makes its SQL or static table from the list with its own row
 * macro, e.g.
 *   #define COLUMN(c, fr, nl, aliases) ", " #c
 *   "SELECT zone_id" TP_CATEGORIES(COLUMN) " FROM zones"
 */
#ifndef TP_CATEGORIES_H
#define TP_CATEGORIES_H

/* The six categories, in the store's column order. */
#define TP_CATEGORIES(X)                                                                   \
	X(public_space, "Espace public", "Openbare ruimte", "espace public|openbare ruimte") \
	X(emergency_shelter, "Hébergement d'urgence", "Noodopvang",                          \
	  "hebergement d urgence|accueil d urgence|noodopvang")                              \
	X(nonrecognised_shelter, "Hébergement non agréé", "Niet-erkende opvang",            \
	  "structures non agreees|centres non agrees|niet erkende opvang|"                   \
	  "niet erkende centra")                                                             \
	X(squat, "Squats", "Krakerspanden", "squats|kraakpanden|bezettingen")               \
	X(nonconventional, "Logement non conventionnel", "Niet-conventionele woonvormen",   \
	  "logement non conventionnel|non conventionnel|niet conventionele huisvesting")     \
	X(third_parties, "Hébergés chez des tiers", "Bij derden ondergebracht",             \
	  "chez des tiers|chez un tiers|bij derden|derden")

/* The total of a row (zones calls it TP_ZONE_TOTAL); not an input field, so no aliases. */
#define TP_PEOPLE_TOTAL(X) \
	X(people_total, "Personnes sans chez-soi dénombrées", "Getelde dak- en thuislozen", "")

/* The seven people figures: the six categories, then the total. */
#define TP_PEOPLE(X) TP_CATEGORIES(X) TP_PEOPLE_TOTAL(X)

/* The column of zones holding the sum of a zone's six categories. */
#define TP_ZONE_TOTAL "total"

#define TP_NCATEGORIES 6                  /* rows of TP_CATEGORIES */
#define TP_NPEOPLE (TP_NCATEGORIES + 1)   /* rows of TP_PEOPLE */

/* One people figure, a row of the table above. */
typedef struct {
	const char *name;     /* store column, input and output field */
	const char *fr;       /* French label */
	const char *nl;       /* Dutch label */
	const char *aliases;  /* folded input headers, '|'-separated ("" for the total) */
} tp_category;

/* The seven people figures, in TP_PEOPLE order: tp_people[TP_NCATEGORIES] is the total. */
extern const tp_category tp_people[TP_NPEOPLE];

/* The people figure whose column is name (one of the six, or people_total), or NULL. */
const tp_category *tp_category_find(const char *name);

#endif

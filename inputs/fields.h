/*
 * fields.h: what tremplin reads from each input, and how a value is read.
 *
 * Each input kind (communes, vacancies, count zones) has a static table of
 * tremplin fields: name, kind, whether a row without it is rejected.  The
 * config maps a field to a source column; without a mapping the column of
 * the field's own name is used.  tp_field_parse() turns a source value
 * into tremplin's canonical text form, or says why it cannot.
 */
#ifndef TP_FIELDS_H
#define TP_FIELDS_H

#include <stddef.h>

#define TP_MAX_FIELDS 16

typedef enum {
	TP_F_TEXT,    /* UTF-8 text, trimmed */
	TP_F_INT,     /* whole number >= 0 */
	TP_F_DATE,    /* a date or period as tp_date_parse_period() reads it -> YYYY-MM-DD */
	TP_F_POSTCODE, /* text; "1000 Bruxelles" -> 1000 */
	TP_F_BOOL,    /* yes/no, oui/non, ja/nee, true/false, 1/0 -> 1 or 0 */
	TP_F_OWNER,   /* owner type -> a code of tp_owner_types (geo/codes.h) */
	TP_F_REASON,  /* vacancy reason -> a code of tp_reasons (geo/codes.h) */
} tp_field_kind;

typedef enum {
	TP_NEED_OPTIONAL,  /* column may be absent; empty cell is NULL */
	TP_NEED_COLUMN,    /* column must exist; empty cell is NULL (or 0 for counts) */
	TP_NEED_VALUE,     /* column must exist and every row needs a value */
} tp_need;

typedef struct {
	const char *name;     /* tremplin's name, also the store column */
	tp_field_kind kind;   /* how values are parsed */
	tp_need need;         /* what a missing column or value means */
	int empty_is_zero;    /* an empty cell reads as 0 (counts of people) */
	double max;           /* TP_F_INT: the largest value that makes sense (README,
				 "Numbers within reason"); 0: any below 2^63 */
} tp_field_def;

typedef enum {
	TP_IN_COMMUNES,
	TP_IN_VACANCIES,
	TP_IN_ZONES,
	TP_IN_COUNT
} tp_input_kind;

typedef struct {
	const char *name;            /* config section and store table */
	int points;                  /* 1: point records, 0: polygons */
	const tp_field_def *fields;  /* the fields, in store column order */
	size_t nfields;              /* entries of fields */
	int place_optional;          /* 1: a record may have no place, and the same place
					may come back (a register: inputs/tables.h) */
	int table;                   /* 1: an attribute table, no geometry read */
} tp_input_def;

/* The definition of an input kind. */
const tp_input_def *tp_input_def_get(tp_input_kind kind);

/* The field named name in def, or -1. */
int tp_input_def_field(const tp_input_def *def, const char *name);

/*
 * 1 when the source column header names field f without configuration:
 * the header, folded (text.h), equals the folded field name ("owner type")
 * or one of f's French and Dutch aliases ("type de proprietaire"); for a
 * people category also its labels ("Hébergés chez des tiers",
 * geo/categories.h).
 */
int tp_field_header_matches(const tp_field_def *f, const char *header);

/*
 * Parses raw (NULL or "" for an empty cell) by f's kind into out.  Returns
 * 1 with a value in out, 0 for NULL, -1 when raw is unusable, with whybuf
 * saying why in a way that quotes the value.  With 1, whybuf is "" or a
 * note on how the value was read: for a date given as a period, the
 * precision ("month", "quarter", "year": out is the period's first day);
 * for a whole number followed by words ("12 (dont 3 studios)"), a warning
 * quoting the cell.  An optional date reading "à déterminer", "inconnu",
 * "onbekend", "n.c.", "-" and the like is NULL.
 */
int tp_field_parse(const tp_field_def *f, const char *raw, char *out,
		   size_t outlen, char *whybuf, size_t whylen);

/*
 * For a value of a coded field (owner type, reason) that tp_field_parse()
 * refuses, the code one of its words names ("Attribution provisoire" ->
 * allocation: a code, a code's French or Dutch name, or a one-word entry
 * of the vocabulary), or NULL when none does.  A guess for a person to
 * confirm (check's mapping section), never applied by itself.
 */
const char *tp_field_guess(const tp_field_def *f, const char *raw);

/* 1 when a cell says its row is a total ("Total", "Totaal", "Somme"...,
 * case and accents aside): a spreadsheet's total row is no record. */
int tp_field_is_total(const char *cell);

/* Parses a number written with '.' or ',' as decimal mark; 0 or -1. */
int tp_parse_double(const char *s, double *out);

#endif

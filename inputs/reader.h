/*
 * reader.h: reads one input through OGR, record by record.
 *
 * The reader checks the whole input when it opens (file, layer, mapped
 * columns, CRS, at least one feature) and fails with TP_EINPUT and a
 * message naming file, layer and field when the input cannot be used at
 * all.  After that every feature comes out as a tp_record: either its
 * parsed values and its geometry as WKB in the source CRS, or a reject
 * reason naming the row and field, or a row that is no record (a blank
 * or total row, `skipped`), which the caller counts and names.  Rows are
 * numbered as the user sees them (source.h).  No row is dropped silently.
 */
#ifndef TP_READER_H
#define TP_READER_H

#include <stddef.h>

#include "inputs/fields.h"
#include "inputs/geocode.h"

/* The values of one field the config reads as another ([vacancies.reason]
 * "Attribution en cours = allocation"), looked up before the built-in
 * vocabulary. */
typedef struct tp_value_map {
	char **from;  /* source values, folded (tp_text_fold) */
	char **to;    /* what each is read as */
	size_t n;     /* pairs */
} tp_value_map;

/* How one input is configured (a section of the config file). */
typedef struct tp_input_cfg {
	char *path;                 /* source file, resolved against the config's folder */
	char *layer;                /* layer name, NULL for the first layer */
	char *crs;                  /* CRS used when the source declares none, or NULL */
	char *x;                    /* X column (point inputs without geometry), or NULL */
	char *y;                    /* Y column, or NULL */
	char *map[TP_MAX_FIELDS];   /* source column of each field, NULL: the field's name,
				       "": not in this file */
	tp_value_map values[TP_MAX_FIELDS]; /* value mappings per field */
	long header_row;            /* row of the column names (1-based), 0: found */
	int absent[TP_MAX_FIELDS];  /* 1: not in this source by design (a category a count
				       edition did not count, pipeline/editions.h): no column
				       needed, the field NULL */
	const struct tp_address_cfg *addresses; /* reference to geocode by, or NULL */
} tp_input_cfg;

/* One source feature, read. */
typedef struct tp_record {
	long row;                        /* the row as the user sees it: a spreadsheet's row
					    number, a CSV's physical line, else the 1-based
					    position in the layer */
	const char *skipped;             /* why the row is not a record ("blank row",
					    "total row"), or NULL */
	const char *precision[TP_MAX_FIELDS]; /* a date field read from a period:
					    "month", "quarter" or "year"; NULL for a day */
	char warning[256];               /* a value read approximately, or "" */
	char *refused[TP_MAX_FIELDS];    /* the cell of each field that made it a reject
					    (malloc'ed), NULL for the others */
	char *values[TP_MAX_FIELDS];     /* canonical text per field, NULL for NULL (in block) */
	unsigned char *wkb;              /* geometry in the source CRS (in block), or NULL */
	size_t wkb_len;                  /* bytes of wkb */
	char *original;                  /* the source values as a JSON object (in block); an
					    array with tp_reader_compact() */
	char *block;                     /* one allocation holding values, wkb and original
					    (tp_record_dispose frees it) */
	const char *field;               /* field that made it a reject, or NULL */
	const char *geocode;             /* how an address placed it (geocode.h), or NULL */
	char reason[512];                /* reject reason, "" when accepted */
} tp_record;

typedef struct tp_reader tp_reader;

/* Opens cfg's source as an input of the given kind; see the top comment. */
int tp_reader_open(tp_reader **out, const tp_input_cfg *cfg, tp_input_kind kind);

/* The same for an input defined outside the three kinds (inputs/tables.h:
 * the occupation register, the indicator tables). */
int tp_reader_open_def(tp_reader **out, const tp_input_cfg *cfg, const tp_input_def *def);
void tp_reader_free(tp_reader *r);

/*
 * How many threads r may read with, before its first record: 1 reads on
 * the caller's thread alone (--threads 1); any other number, and the
 * default, reads a CSV ahead on a second thread (features read through
 * OGR there, converted on either thread, records handed out in order:
 * the same records, duplicates and messages either way).
 */
void tp_reader_threads(tp_reader *r, int threads);

/*
 * The original values of r's records (tp_record.original) as a JSON array
 * instead of an object, set before the first record: each column's value in
 * the order of tp_reader_original_keys(), then the geometry when the
 * feature has one (where the object has a "geometry" member).  A table of a
 * million records keeps half the bytes; tp_json_zip (geo/json.h) makes the
 * object again from the keys and the array.
 */
void tp_reader_compact(tp_reader *r);

/*
 * For a CSV, set before the first record: no record's original is made
 * (tp_record.original NULL), returning 1.  The file keeps them: the caller
 * that needs some reads them again with tp_reader_open_originals().  A
 * million records' originals were a fifth of reading them and a third of
 * the bytes load wrote.  Other formats: 0, and the originals are made.
 */
int tp_reader_lazy_originals(tp_reader *r);

/*
 * Opens cfg's CSV as tp_reader_open_def() does (the same header, columns
 * and keys), for the records starting on lines rows alone (n > 0,
 * ascending, as tp_record.row numbers them): tp_reader_next() gives each
 * with its row and its original, and nothing else (no value read, no
 * point, no address placed, no duplicate sought).  The rest of the file is
 * not parsed.  TP_EINPUT when a line starts no record any more.
 */
int tp_reader_open_originals(tp_reader **out, const tp_input_cfg *cfg, const tp_input_def *def,
			     const long *rows, size_t n);

/* The keys of r's original values as a JSON array: the columns' names, then "geometry". */
const char *tp_reader_original_keys(const tp_reader *r);

/* The source CRS as PROJ reads it ("EPSG:31370" or WKT). */
const char *tp_reader_crs(const tp_reader *r);

/* The layer's name, for messages and the rejects table. */
const char *tp_reader_layer(const tp_reader *r);

/* The source column read for field i of the input, or NULL when none. */
const char *tp_reader_column(const tp_reader *r, size_t i);

/* The source column read as the owner (tp_reader_column), or NULL when the
 * input has no owner field or the source no such column. */
const char *tp_reader_owner_column(const tp_reader *r);

/* The source's columns tremplin does not read, comma-separated, into buf. */
void tp_reader_ignored(const tp_reader *r, char *buf, size_t len);

/* What the source is: OGR driver, and for CSV the separator and encoding. */
void tp_reader_format(const tp_reader *r, char *buf, size_t len);

/*
 * Reads the next feature into rec (first disposing what rec held).
 * Returns 1 when rec holds a record (accepted or rejected), 0 at the end,
 * or a negative TP_E* code when reading itself fails.
 */
int tp_reader_next(tp_reader *r, tp_record *rec);

/* Frees what a record holds; leaves it zeroed. */
void tp_record_dispose(tp_record *rec);

#endif

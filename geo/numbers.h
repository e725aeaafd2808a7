/*
 * numbers.h: numbers as tremplin prints them (maps, atlas, the figures of
 * the dashboard), written one way: Belgian typography, the same in French
 * and in Dutch: thousands grouped by a narrow no-break space (U+202F) and
 * a decimal comma, so 9777 reads "9 777" and 66.4 reads "66,4".
 *
 * Files for machines (CSV, GeoPackage, JSON, the dashboard's sort keys)
 * keep the decimal point; this is for what people read.  Like codes.h and
 * dates.h it lives in geo/, the base layer, because outputs/ and the demo
 * both print numbers; it includes no other project header.
 */
#ifndef TP_NUMBERS_H
#define TP_NUMBERS_H

#include <stddef.h>

/* The thousands separator, U+202F NARROW NO-BREAK SPACE, in UTF-8. */
#define TP_THOUSANDS "\xe2\x80\xaf"

/* As many decimals as the number needs, up to one: "12" for 12, "12,5" for 12.49. */
#define TP_NUM_AUTO (-1)

/*
 * Writes v into buf of size len as people read it in language lang ("fr",
 * "nl" or "both"; NULL is "both"; all three are the Belgian form): rounded
 * half away from zero to `decimals` places (0..6), or TP_NUM_AUTO;
 * thousands grouped by TP_THOUSANDS; a decimal comma; "-" before a
 * negative number that does not round to zero.  Cut short (still valid
 * UTF-8) when len is too small.  Returns buf.
 */
char *tp_num_format(char *buf, size_t len, double v, int decimals, const char *lang);

/* A count, e.g. of dwellings: tp_num_format with no decimals. */
char *tp_num_count(char *buf, size_t len, long long n, const char *lang);

/*
 * People who could be hosted, in whole persons: v rounded down (a
 * capacity of 2191.5 is 2 191 persons, not half a person more).  Returns buf.
 */
char *tp_num_persons(char *buf, size_t len, double v, const char *lang);

/*
 * A change as people read it: v as tp_num_format writes it, with its sign
 * always ("+1 234", "−5", U+2212 MINUS SIGN, "0" for none; "+0,0" for a
 * change that rounds to zero but is not).  Returns buf.
 */
char *tp_num_signed(char *buf, size_t len, double v, int decimals, const char *lang);

/*
 * A published figure's label as printed: a number ("9780") as tp_num_format
 * writes it ("9 780"), anything else (the labels of withheld figures, "x",
 * "<5") as it is.  Returns buf.
 */
char *tp_num_label(char *buf, size_t len, const char *label, const char *lang);

/*
 * For files for machines (CSV, XLSX), which write numbers as SQLite's
 * printf does ('.' whatever the locale), faster: tp_num_int writes n as
 * "%lld"; tp_num_sql1f v as sqlite3_snprintf's "%.1f", tp_num_sql15g as its
 * "%.15g" into buf of size len, both byte for byte: a whole number or an
 * exact tenth (what tremplin rounds to) directly, anything else through
 * sqlite3_snprintf.  tp_num_int's buf holds 21 bytes.  Return buf.
 */
char *tp_num_int(char *buf, long long n);
char *tp_num_sql1f(char *buf, size_t len, double v);
char *tp_num_sql15g(char *buf, size_t len, double v);

#endif

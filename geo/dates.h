/*
 * dates.h: calendar dates, read and written one way everywhere.
 *
 * A date is stored as text YYYY-MM-DD (the working store, the GeoPackage,
 * indicators.csv), counted as days since 1970-01-01 (windows in months are
 * day differences), and shown to people as dd/mm/yyyy (maps, atlas,
 * dashboard).  Input files may write it dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy
 * or yyyy-mm-dd, with a time part after it (spreadsheet cells).
 *
 * It lives in geo/, the base layer, because inputs/ (parsing), outputs/
 * (writing and showing) and pipeline/ (the reference date, windows) all
 * need it and inputs/ and outputs/ must not include each other.  It knows
 * nothing of the pipeline and includes no other project header.  Parsers
 * set no error message: the caller knows the file, row and field to name.
 */
#ifndef TP_DATES_H
#define TP_DATES_H

#include <stddef.h>

/* A day of the proleptic Gregorian calendar. */
typedef struct tp_date {
	int y; /* year */
	int m; /* month, 1..12 */
	int d; /* day of the month, 1..31 */
} tp_date;

/*
 * Reads s as people write dates: yyyy-mm-dd, dd/mm/yyyy, dd-mm-yyyy or
 * dd.mm.yyyy (yyyy/mm/dd too), both separators the same, optionally
 * followed by a space or 'T' and anything (a time part, ignored).  The
 * year must be 1800..2200 and the day exist in its month.  Returns 0 with
 * the date in *out, or -1.
 */
int tp_date_parse(tp_date *out, const char *s);

/* How precisely a date was given: a day, or only its month, quarter or year. */
typedef enum tp_date_precision {
	TP_DATE_DAY,
	TP_DATE_MONTH,
	TP_DATE_QUARTER,
	TP_DATE_YEAR,
} tp_date_precision;

/*
 * Reads s as tp_date_parse() does, else as a period offices write for a
 * date not yet fixed, read as the period's first day: a year ("2027"), a
 * quarter ("T3 2027", "Q3 2027", "K3 2027", "3e trimestre 2027", "3de
 * kwartaal 2027", "2027-Q3") or a month ("03/2027", "2027-03", "mars 2027",
 * "maart 2027", French, Dutch or English month names, any case of ASCII
 * letters).  Returns 0 with the date in *out and its precision in *prec, or
 * -1.
 */
int tp_date_parse_period(tp_date *out, tp_date_precision *prec, const char *s);

/* "day", "month", "quarter" or "year": the word the store keeps. */
const char *tp_date_precision_name(tp_date_precision prec);

/* Reads s as exactly YYYY-MM-DD (ten characters, an existing day), the
 * form tremplin stores.  Returns 0 with the date in *out, or -1. */
int tp_date_parse_iso(tp_date *out, const char *s);

/* Days since 1970-01-01 of s, exactly YYYY-MM-DD, into *days; 0 or -1. */
int tp_date_iso_days(const char *s, long *days);

/* Days from 1970-01-01 to date (negative before it). */
long tp_date_days(tp_date date);

/* The date days after 1970-01-01 (days may be negative). */
tp_date tp_date_from_days(long days);

/* Writes date as YYYY-MM-DD into buf (at least 11 bytes); returns buf. */
char *tp_date_format(char *buf, size_t len, tp_date date);

/* Writes iso (YYYY-MM-DD) as people in Brussels read it, dd/mm/yyyy, into
 * buf (at least 11 bytes); "" when iso is not such a date.  Returns buf. */
char *tp_date_display(char *buf, size_t len, const char *iso);

/* Writes today's date in UTC as YYYY-MM-DD into buf; returns buf. */
char *tp_date_today(char *buf, size_t len);

#endif

/*
 * dates.c: calendar dates (dates.h): parsing what people write, the day
 * numbers windows are measured in, and the two written forms.
 *
 * Day numbers use Howard Hinnant's civil-calendar algorithms (days from
 * and to a civil date through 400-year eras), exact for any year.
 */
#include "geo/dates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static int valid(int y, int m, int d)
{
	return y >= 1800 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* 1 when s is exactly a digits, a separator ('-', '/' or '.'), b digits, the
 * same separator and c digits ("2024-05-30", "30/05/2024"): what the
 * sscanf of tp_date_parse() reads, as it reads it, without its cost (a
 * date field of every record). */
static int is_dmy_shape(const char *s, int a, int b, int c)
{
	int i, n = a + b + c + 2;
	char sep;

	/* the first a digits before s[a] is read: a shorter s ends there */
	for (i = 0; i < a; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	sep = s[a];
	if (sep != '-' && sep != '/' && sep != '.')
		return 0;
	for (i = a; i < n; i++) {
		if (i == a || i == a + b + 1) {
			if (s[i] != sep)
				return 0;
		} else if (s[i] < '0' || s[i] > '9') {
			return 0;
		}
	}
	return s[n] == '\0';
}

/* The n digits at s as a number. */
static int number(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Sets *out to y-m-d; 0 when that is a valid date, else -1. */
static int set_valid(tp_date *out, int y, int m, int d)
{
	out->y = y, out->m = m, out->d = d;
	return valid(y, m, d) ? 0 : -1;
}

int tp_date_parse(tp_date *out, const char *s)
{
	int a, b, c, n = 0;
	char sep1, sep2;

	if (s && is_dmy_shape(s, 4, 2, 2))
		return set_valid(out, number(s, 4), number(s + 5, 2), number(s + 8, 2));
	if (s && is_dmy_shape(s, 2, 2, 4))
		return set_valid(out, number(s + 6, 4), number(s + 3, 2), number(s, 2));
	if (!s || sscanf(s, "%d%c%d%c%d%n", &a, &sep1, &b, &sep2, &c, &n) != 5)
		return -1;
	/* a time part after the date (spreadsheet cells) is ignored */
	if (s[n] && s[n] != ' ' && s[n] != 'T')
		return -1;
	if (sep1 != sep2 || (sep1 != '-' && sep1 != '/' && sep1 != '.'))
		return -1;
	if (a > 999) {
		out->y = a, out->m = b, out->d = c;
	} else if (c > 999) {
		out->d = a, out->m = b, out->y = c;
	} else {
		return -1;
	}
	return valid(out->y, out->m, out->d) ? 0 : -1;
}

int tp_date_parse_iso(tp_date *out, const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	int i;

	if (!s || strlen(s) != sizeof(shape) - 1)
		return -1;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return -1;
	out->y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	out->m = (s[5] - '0') * 10 + (s[6] - '0');
	out->d = (s[8] - '0') * 10 + (s[9] - '0');
	return out->m >= 1 && out->m <= 12 && out->d >= 1 &&
			       out->d <= days_in_month(out->y, out->m)
		       ? 0
		       : -1;
}

int tp_date_iso_days(const char *s, long *days)
{
	tp_date date;

	if (tp_date_parse_iso(&date, s))
		return -1;
	*days = tp_date_days(date);
	return 0;
}

long tp_date_days(tp_date date)
{
	long y = date.y - (date.m <= 2), era, yoe, doy, doe;

	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (date.m + (date.m > 2 ? -3 : 9)) + 2) / 5 + date.d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

tp_date tp_date_from_days(long days)
{
	long z = days + 719468, era, doe, yoe, doy, mp;
	tp_date out;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	out.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	out.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	out.y = (int)(yoe + era * 400 + (out.m <= 2));
	return out;
}

char *tp_date_format(char *buf, size_t len, tp_date date)
{
	/* the digits written directly: snprintf was a tenth of reading a
	 * record (every date field of a million rows, and every snapshot's) */
	if (len >= 11 && date.y >= 0 && date.y <= 9999 && date.m >= 0 && date.m <= 99 &&
	    date.d >= 0 && date.d <= 99) {
		buf[0] = (char)('0' + date.y / 1000);
		buf[1] = (char)('0' + date.y / 100 % 10);
		buf[2] = (char)('0' + date.y / 10 % 10);
		buf[3] = (char)('0' + date.y % 10);
		buf[4] = '-';
		buf[5] = (char)('0' + date.m / 10);
		buf[6] = (char)('0' + date.m % 10);
		buf[7] = '-';
		buf[8] = (char)('0' + date.d / 10);
		buf[9] = (char)('0' + date.d % 10);
		buf[10] = '\0';
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02d", date.y, date.m, date.d);
	return buf;
}

char *tp_date_display(char *buf, size_t len, const char *iso)
{
	tp_date date;

	if (tp_date_parse_iso(&date, iso))
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%02d/%02d/%04d", date.d, date.m, date.y);
	return buf;
}

char *tp_date_today(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	return tp_date_format(buf, len, (tp_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday});
}

/* Month names, lower case, French, Dutch and English; index / 3 + 1 is the
 * month (entries repeat where languages agree). */
static const char *const month_names[][4] = {
	{"janvier", "januari", "january", "jan"},
	{"fevrier", "f\xc3\xa9vrier", "februari", "february"},
	{"mars", "maart", "march", "mar"},
	{"avril", "april", "avr", "apr"},
	{"mai", "mei", "may", NULL},
	{"juin", "juni", "june", "jun"},
	{"juillet", "juli", "july", "jul"},
	{"aout", "ao\xc3\xbbt", "augustus", "august"},
	{"septembre", "september", "sept", "sep"},
	{"octobre", "oktober", "october", "oct"},
	{"novembre", "november", "nov", NULL},
	{"decembre", "d\xc3\xa9" "cembre", "december", "dec"},
};

/* Splits s into at most 4 words of letters and digits (ASCII lower case,
 * bytes >= 0x80 kept as letters); returns the count, or -1 when more. */
static int words(const char *s, char w[4][24])
{
	int n = 0;
	size_t len = 0;

	for (;; s++) {
		unsigned char c = (unsigned char)*s;
		int word = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			   (c >= 'A' && c <= 'Z') || c >= 0x80;
		/* a digit after letters (or letters after digits) starts a word:
		 * "T3", "Q3", "3e" */
		if (word && len && n < 4 &&
		    (c >= '0' && c <= '9') != (w[n][len - 1] >= '0' && w[n][len - 1] <= '9')) {
			w[n++][len] = '\0';
			len = 0;
		}
		if (word) {
			if (n >= 4 || len + 1 >= 24)
				return -1;
			w[n][len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			continue;
		}
		if (len) {
			w[n++][len] = '\0';
			len = 0;
		}
		if (!c)
			return n;
	}
}

/* The year a word holds (four digits, 1800..2200), or 0. */
static int year_of(const char *w)
{
	int y;

	if (strlen(w) != 4 || strspn(w, "0123456789") != 4)
		return 0;
	y = atoi(w);
	return y >= 1800 && y <= 2200 ? y : 0;
}

/* The number 1..max a word of digits holds, or 0. */
static int small_of(const char *w, int max)
{
	int v;

	if (!w[0] || strlen(w) > 2 || strspn(w, "0123456789") != strlen(w))
		return 0;
	v = atoi(w);
	return v >= 1 && v <= max ? v : 0;
}

static int month_of(const char *w)
{
	int m, k;

	for (m = 0; m < 12; m++)
		for (k = 0; k < 4; k++)
			if (month_names[m][k] && !strcmp(month_names[m][k], w))
				return m + 1;
	return 0;
}

/* 1 when w is a word that says "quarter" or an ordinal suffix of one. */
static int quarter_word(const char *w)
{
	static const char *const q[] = {"t", "q", "k", "trimestre", "trim", "kwartaal",
					"quarter", "kw"};
	size_t i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if (!strcmp(w, q[i]))
			return 1;
	return 0;
}

static int ordinal_suffix(const char *w)
{
	return !strcmp(w, "e") || !strcmp(w, "er") || !strcmp(w, "eme") || !strcmp(w, "de") ||
	       !strcmp(w, "ste") || !strcmp(w, "st") || !strcmp(w, "nd") || !strcmp(w, "rd") ||
	       !strcmp(w, "th") || !strcmp(w, "\xc3\xa8me");
}

int tp_date_parse_period(tp_date *out, tp_date_precision *prec, const char *s)
{
	char w[4][24];
	int n, y, v, i, last;

	if (!tp_date_parse(out, s)) {
		*prec = TP_DATE_DAY;
		return 0;
	}
	if (!s || (n = words(s, w)) <= 0)
		return -1;
	/* the year is the first or the last word */
	if ((y = year_of(w[n - 1])) != 0)
		last = n - 1;
	else if ((y = year_of(w[0])) != 0)
		last = 0;
	else
		return -1;
	out->y = y, out->d = 1;
	if (n == 1) {
		out->m = 1;
		*prec = TP_DATE_YEAR;
		return 0;
	}
	/* the words other than the year, in order */
	{
		char o[3][24], sep;
		int k = 0;
		for (i = 0; i < n; i++)
			if (i != last)
				memcpy(o[k++], w[i], sizeof(o[0]));
		if (k == 1 && (v = month_of(o[0])) != 0) {
			/* "mars 2027" */
			out->m = v;
			*prec = TP_DATE_MONTH;
			return 0;
		}
		sep = s[strspn(s, "0123456789 ")];
		if (k == 1 && (v = small_of(o[0], 12)) != 0 && sep && strchr("/-.", sep)) {
			/* "03/2027", "2027-03" */
			out->m = v;
			*prec = TP_DATE_MONTH;
			return 0;
		}
		/* "T3 2027", "Q3", "K3", "2027-Q3", "3e trimestre", "3de kwartaal" */
		if (k == 2 && quarter_word(o[0]) && (v = small_of(o[1], 4)) != 0) {
			out->m = 3 * (v - 1) + 1;
			*prec = TP_DATE_QUARTER;
			return 0;
		}
		if (k >= 2 && (v = small_of(o[0], 4)) != 0 &&
		    ((k == 2 && quarter_word(o[1]) && strlen(o[1]) > 1) ||
		     (k == 3 && ordinal_suffix(o[1]) && quarter_word(o[2])))) {
			out->m = 3 * (v - 1) + 1;
			*prec = TP_DATE_QUARTER;
			return 0;
		}
	}
	return -1;
}

const char *tp_date_precision_name(tp_date_precision prec)
{
	static const char *const names[] = {"day", "month", "quarter", "year"};

	return names[prec];
}

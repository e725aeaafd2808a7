/*
 * numbers.c: numbers as tremplin prints them (numbers.h).
 *
 * The digits come from SQLite's printf, which ignores the locale (the C
 * library's would write a comma or a point depending on LC_NUMERIC), then
 * are regrouped here.
 */
#include "geo/numbers.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

char *tp_num_format(char *buf, size_t len, double v, int decimals, const char *lang)
{
	char digits[400];
	size_t n, i, o = 0, nint;
	int auto_;
	double a = fabs(v);

	(void)lang; /* fr, nl and both print numbers alike in Belgium */
	if (!len)
		return buf;
	if (!isfinite(v)) {
		sqlite3_snprintf((int)len, buf, "%s", isnan(v) ? "–" : v > 0 ? "∞" : "-∞");
		return buf;
	}
	auto_ = decimals == TP_NUM_AUTO;
	if (auto_)
		decimals = fabs(a - round(a)) > 1e-9;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	sqlite3_snprintf((int)sizeof(digits), digits, "%.*f", decimals, a);
	n = strlen(digits);
	if (auto_ && n > 2 && !strcmp(digits + n - 2, ".0"))
		digits[n - 2] = '\0'; /* 11.96 is "12", not "12,0" */
	n = strlen(digits);
	nint = strcspn(digits, ".");
	if (v < 0 && strspn(digits, "0.") < n)
		buf[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i && i < nint && (nint - i) % 3 == 0) {
			if (o + 4 >= len) /* the separator and a digit after it */
				break;
			memcpy(buf + o, TP_THOUSANDS, 3);
			o += 3;
		}
		if (o + 1 >= len)
			break;
		buf[o++] = digits[i] == '.' ? ',' : digits[i];
	}
	buf[o < len ? o : len - 1] = '\0';
	return buf;
}

char *tp_num_count(char *buf, size_t len, long long n, const char *lang)
{
	return tp_num_format(buf, len, (double)n, 0, lang);
}

char *tp_num_persons(char *buf, size_t len, double v, const char *lang)
{
	/* 1e-9: 2.9999999999 people computed as 1.5 * 2 is 3, not 2 */
	return tp_num_format(buf, len, floor(v + 1e-9), 0, lang);
}

char *tp_num_signed(char *buf, size_t len, double v, int decimals, const char *lang)
{
	char n[64];

	tp_num_format(n, sizeof(n), fabs(v), decimals, lang);
	sqlite3_snprintf((int)len, buf, "%s%s", v > 0 ? "+" : v < 0 ? "\xe2\x88\x92" : "", n);
	return buf;
}

char *tp_num_label(char *buf, size_t len, const char *label, const char *lang)
{
	char *end = NULL;
	double v;

	if (!label)
		label = "";
	v = strtod(label, &end);
	if (label[0] && end && !*end && isfinite(v))
		return tp_num_format(buf, len, v, TP_NUM_AUTO, lang);
	sqlite3_snprintf((int)len, buf, "%s", label);
	return buf;
}

/* The decimal digits of n into buf, which they end; returns where they start. */
static char *digits(char *end, unsigned long long n)
{
	do
		*--end = (char)('0' + n % 10);
	while (n /= 10);
	return end;
}

char *tp_num_int(char *buf, long long n)
{
	char tmp[24], *p = digits(tmp + sizeof(tmp), n < 0 ? 0ULL - (unsigned long long)n
							   : (unsigned long long)n);
	char *o = buf;

	if (n < 0)
		*o++ = '-';
	memcpy(o, p, (size_t)(tmp + sizeof(tmp) - p));
	o[tmp + sizeof(tmp) - p] = '\0';
	return buf;
}

/*
 * 1 with *k = v * 10 when v is the double nearest to a number of tenths
 * under 10^14 (one decimal, at most 15 significant digits), not -0: the
 * digits of k are then those every correct printf writes for v.
 */
static int exact_tenths(double v, long long *k)
{
	long long t;

	if (!(fabs(v) < 1e14))
		return 0;
	t = llround(v * 10);
	if ((double)t / 10 != v || (t == 0 && signbit(v)))
		return 0;
	*k = t;
	return 1;
}

/* k tenths into buf: "-"?, the whole part, then "." and the tenth when always or not 0. */
static char *put_tenths(char *buf, long long k, int always)
{
	unsigned long long a = k < 0 ? 0ULL - (unsigned long long)k : (unsigned long long)k;
	char *o = buf;

	if (k < 0)
		*o++ = '-';
	tp_num_int(o, (long long)(a / 10));
	if (always || a % 10) {
		o += strlen(o);
		*o++ = '.';
		*o++ = (char)('0' + a % 10);
		*o = '\0';
	}
	return buf;
}

/* v as sqlite3_snprintf's format (one of "%.1f", "%.15g", the decimal always or not). */
static char *sql_number(char *buf, size_t len, double v, const char *format, int always)
{
	long long k;

	if (len >= 24 && exact_tenths(v, &k))
		return put_tenths(buf, k, always);
	sqlite3_snprintf((int)len, buf, format, v);
	return buf;
}

char *tp_num_sql1f(char *buf, size_t len, double v)
{
	return sql_number(buf, len, v, "%.1f", 1);
}

char *tp_num_sql15g(char *buf, size_t len, double v)
{
	return sql_number(buf, len, v, "%.15g", 0);
}

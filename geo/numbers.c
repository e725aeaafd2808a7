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

/*
 * dates.c: calendar dates (dates.h): parsing what people write, the day
 * numbers windows are measured in, and the two written forms.
 *
 * Day numbers use Howard Hinnant's civil-calendar algorithms (days from
 * and to a civil date through 400-year eras), exact for any year.
 */
#include "geo/dates.h"

#include <stdio.h>
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

int tp_date_parse(tp_date *out, const char *s)
{
	int a, b, c, n = 0;
	char sep1, sep2;

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

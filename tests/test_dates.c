/*
 * test_dates.c: dates read, counted and written (geo/dates.c).
 */
#include "geo/dates.h"
#include "tests/check.h"

static void dates_written_every_accepted_way_read_as_one_day(void)
{
	static const char *const forms[] = {"07/11/2024", "07-11-2024", "07.11.2024", "2024-11-07",
					    "2024/11/07", "2024-11-07T00:00:00", "07/11/2024 12:30"};
	tp_date d;
	char buf[16];
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		CHECK(tp_date_parse(&d, forms[i]) == 0);
		CHECK_STR(tp_date_format(buf, sizeof(buf), d), "2024-11-07");
	}
	CHECK(tp_date_parse(&d, "31/02/2024") == -1);   /* no such day */
	CHECK(tp_date_parse(&d, "29/02/2023") == -1);   /* not a leap year */
	CHECK(tp_date_parse(&d, "29/02/2024") == 0);
	CHECK(tp_date_parse(&d, "07/11-2024") == -1);   /* mixed separators */
	CHECK(tp_date_parse(&d, "07/11/24") == -1);     /* no four-digit year */
	CHECK(tp_date_parse(&d, "2024-11-07x") == -1);
	CHECK(tp_date_parse(&d, "next spring") == -1);
	CHECK(tp_date_parse(&d, "01/01/1799") == -1);   /* out of 1800..2200 */
}

static void stored_dates_are_exactly_yyyy_mm_dd(void)
{
	tp_date d;
	long days;

	CHECK(tp_date_parse_iso(&d, "2024-11-07") == 0 && d.y == 2024 && d.m == 11 && d.d == 7);
	CHECK(tp_date_parse_iso(&d, "07/11/2024") == -1);
	CHECK(tp_date_parse_iso(&d, "2024-11-7") == -1);
	CHECK(tp_date_parse_iso(&d, "2024-02-30") == -1);
	CHECK(tp_date_parse_iso(&d, NULL) == -1);
	CHECK(tp_date_iso_days("1970-01-01", &days) == 0 && days == 0);
	CHECK(tp_date_iso_days("2024-11-07", &days) == 0 && days == 20034);
	CHECK(tp_date_iso_days("1969-12-31", &days) == 0 && days == -1);
	CHECK(tp_date_iso_days("2023-02-29", &days) == -1);
}

static void day_numbers_and_dates_round_trip(void)
{
	char a[16], b[16];
	long n;

	/* every day from 1900 to 2100, leap years and centuries included */
	for (n = tp_date_days((tp_date){1900, 1, 1}); n <= tp_date_days((tp_date){2100, 12, 31});
	     n++) {
		tp_date d = tp_date_from_days(n), e;
		tp_date_format(a, sizeof(a), d);
		if (tp_date_parse_iso(&e, a) != 0 || tp_date_days(e) != n) {
			CHECK(!"day n -> YYYY-MM-DD -> day n");
			break;
		}
	}
	CHECK_STR(tp_date_format(a, sizeof(a), tp_date_from_days(20034)), "2024-11-07");
	CHECK_STR(tp_date_format(a, sizeof(a), tp_date_from_days(11016)), "2000-02-29");
	CHECK(tp_date_days((tp_date){2000, 3, 1}) - tp_date_days((tp_date){2000, 2, 28}) == 2);
	CHECK(tp_date_days((tp_date){1900, 3, 1}) - tp_date_days((tp_date){1900, 2, 28}) == 1);
	CHECK_STR(tp_date_display(b, sizeof(b), "2024-11-07"), "07/11/2024");
	CHECK_STR(tp_date_display(b, sizeof(b), "not a date"), "");
	CHECK(strlen(tp_date_today(a, sizeof(a))) == 10 && tp_date_parse_iso(&(tp_date){0}, a) == 0);
}

/* A period is read as its first day, so a window is never overstated. */
static void periods_read_as_their_first_day_with_their_precision(void)
{
	static const struct {
		const char *s, *iso, *prec;
	} cases[] = {
		{"2027", "2027-01-01", "year"},          {"T3 2027", "2027-07-01", "quarter"},
		{"Q3 2027", "2027-07-01", "quarter"},    {"K3 2027", "2027-07-01", "quarter"},
		{"3e trimestre 2027", "2027-07-01", "quarter"},
		{"3de kwartaal 2027", "2027-07-01", "quarter"},
		{"2027-Q4", "2027-10-01", "quarter"},    {"03/2027", "2027-03-01", "month"},
		{"2027-03", "2027-03-01", "month"},      {"mars 2027", "2027-03-01", "month"},
		{"Maart 2027", "2027-03-01", "month"},   {"d\xc3\xa9" "cembre 2026", "2026-12-01", "month"},
		{"15/03/2027", "2027-03-15", "day"},
	};
	char a[16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tp_date d;
		tp_date_precision p;
		CHECK(tp_date_parse_period(&d, &p, cases[i].s) == 0);
		CHECK_STR(tp_date_format(a, sizeof(a), d), cases[i].iso);
		CHECK_STR(tp_date_precision_name(p), cases[i].prec);
	}
	CHECK(tp_date_parse_period(&(tp_date){0}, &(tp_date_precision){0}, "T5 2027") == -1);
	CHECK(tp_date_parse_period(&(tp_date){0}, &(tp_date_precision){0}, "13/2027") == -1);
	CHECK(tp_date_parse_period(&(tp_date){0}, &(tp_date_precision){0}, "2027 03") == -1);
	CHECK(tp_date_parse_period(&(tp_date){0}, &(tp_date_precision){0}, "bientot 2027") == -1);
	CHECK(tp_date_parse_period(&(tp_date){0}, &(tp_date_precision){0}, "27") == -1);
}

int main(void)
{
	periods_read_as_their_first_day_with_their_precision();
	dates_written_every_accepted_way_read_as_one_day();
	stored_dates_are_exactly_yyyy_mm_dd();
	day_numbers_and_dates_round_trip();
	return check_report("test_dates");
}

/*
 * test_numbers.c: numbers as tremplin prints them (geo/numbers.c): Belgian
 * typography in French, Dutch and both.
 */
#include "geo/numbers.h"
#include "tests/check.h"

#include <sqlite3.h>
#include <string.h>

#define NNBSP "\xe2\x80\xaf"

static const char *const langs[] = {"fr", "nl", "both", NULL};

static void thousands_are_grouped_by_a_narrow_no_break_space(void)
{
	char b[64];
	int i;

	for (i = 0; i < 4; i++) {
		CHECK_STR(tp_num_format(b, sizeof(b), 9777, 0, langs[i]), "9" NNBSP "777");
		CHECK_STR(tp_num_format(b, sizeof(b), 999, 0, langs[i]), "999");
		CHECK_STR(tp_num_format(b, sizeof(b), 1000, 0, langs[i]), "1" NNBSP "000");
		CHECK_STR(tp_num_format(b, sizeof(b), 1218255, 0, langs[i]),
			  "1" NNBSP "218" NNBSP "255");
		CHECK_STR(tp_num_count(b, sizeof(b), 100000, langs[i]), "100" NNBSP "000");
		CHECK_STR(tp_num_count(b, sizeof(b), 0, langs[i]), "0");
	}
}

static void decimals_take_a_comma(void)
{
	char b[64];
	int i;

	for (i = 0; i < 4; i++) {
		CHECK_STR(tp_num_format(b, sizeof(b), 66.4, 1, langs[i]), "66,4");
		CHECK_STR(tp_num_format(b, sizeof(b), 2191.5, 1, langs[i]), "2" NNBSP "191,5");
		CHECK_STR(tp_num_format(b, sizeof(b), 12345.678, 2, langs[i]), "12" NNBSP "345,68");
		CHECK_STR(tp_num_format(b, sizeof(b), 2.5, 1, langs[i]), "2,5");
		CHECK_STR(tp_num_format(b, sizeof(b), 0.25, 2, langs[i]), "0,25");
	}
}

static void auto_decimals_show_one_only_when_needed(void)
{
	char b[64];

	CHECK_STR(tp_num_format(b, sizeof(b), 12, TP_NUM_AUTO, "fr"), "12");
	CHECK_STR(tp_num_format(b, sizeof(b), 66.4, TP_NUM_AUTO, "nl"), "66,4");
	CHECK_STR(tp_num_format(b, sizeof(b), 11.96, TP_NUM_AUTO, "both"), "12");
	CHECK_STR(tp_num_format(b, sizeof(b), 1234.56, TP_NUM_AUTO, "fr"), "1" NNBSP "234,6");
}

static void rounding_and_signs(void)
{
	char b[64];

	CHECK_STR(tp_num_format(b, sizeof(b), 0.5, 0, "fr"), "1");    /* half away from zero */
	CHECK_STR(tp_num_format(b, sizeof(b), -1234.5, 1, "fr"), "-1" NNBSP "234,5");
	CHECK_STR(tp_num_format(b, sizeof(b), -0.04, 1, "nl"), "0,0"); /* no "-0,0" */
	CHECK_STR(tp_num_format(b, sizeof(b), -0.4, 0, "nl"), "0");
}

static void capacity_is_whole_persons_rounded_down(void)
{
	char b[64];
	int i;

	for (i = 0; i < 4; i++) {
		CHECK_STR(tp_num_persons(b, sizeof(b), 2191.5, langs[i]), "2" NNBSP "191");
		CHECK_STR(tp_num_persons(b, sizeof(b), 1.99, langs[i]), "1");
		CHECK_STR(tp_num_persons(b, sizeof(b), 3.0, langs[i]), "3");
		CHECK_STR(tp_num_persons(b, sizeof(b), 1.5 * 2, langs[i]), "3");
		CHECK_STR(tp_num_persons(b, sizeof(b), 0.1 * 3 * 10, langs[i]), "3"); /* 2.9999… */
	}
}

static void a_short_buffer_cuts_cleanly(void)
{
	char b[6];

	/* "12 345": the separator (3 bytes) does not fit after "12" and 3 more */
	tp_num_format(b, sizeof(b), 12345, 0, "fr");
	CHECK_STR(b, "12");
	tp_num_format(b, 1, 12345, 0, "fr");
	CHECK_STR(b, "");
}

static void a_change_always_carries_its_sign(void)
{
	char b[64];

	CHECK_STR(tp_num_signed(b, sizeof(b), 1145, 0, "fr"), "+1" NNBSP "145");
	CHECK_STR(tp_num_signed(b, sizeof(b), -150, 0, "nl"), "\xe2\x88\x92" "150"); /* U+2212 */
	CHECK_STR(tp_num_signed(b, sizeof(b), 0, 0, "fr"), "0");
	CHECK_STR(tp_num_signed(b, sizeof(b), -31.6, 1, "both"), "\xe2\x88\x92" "31,6");
	CHECK_STR(tp_num_signed(b, sizeof(b), 127.24, 1, "fr"), "+127,2");
}

static void a_published_label_is_printed_as_a_number_or_as_it_is(void)
{
	char b[64];

	CHECK_STR(tp_num_label(b, sizeof(b), "9780", "fr"), "9" NNBSP "780");
	CHECK_STR(tp_num_label(b, sizeof(b), "2045", "nl"), "2" NNBSP "045");
	CHECK_STR(tp_num_label(b, sizeof(b), "x", "fr"), "x");
	CHECK_STR(tp_num_label(b, sizeof(b), "<5", "fr"), "<5");
	CHECK_STR(tp_num_label(b, sizeof(b), "", "fr"), "");
	CHECK_STR(tp_num_label(b, sizeof(b), NULL, "fr"), "");
	CHECK_STR(tp_num_label(b, sizeof(b), "12x", "fr"), "12x");
}

/* tp_num_int, tp_num_sql1f and tp_num_sql15g write what sqlite3_snprintf's "%lld", "%.1f"
 * and "%.15g" write, on tenths (their fast path), whole numbers and anything else. */
static void machine_numbers_are_sqlite_printf_s(void)
{
	static const double fixed[] = {0.0, -0.0, 0.05, -0.05, 0.25, 0.15, 40.1, 40.05, -40.1, 1e13,
				       99999999999999.9, 1e14, 1e15, 1e16, 123456789012345.6, 1e-7,
				       -1e300, 1e300, 2.5e-300, 0.1 + 0.2, 1.0 / 3, 5e-324};
	static const long long ints[] = {0, 1, -1, 9, 10, 1234567890123LL, -9223372036854775807LL - 1,
					 9223372036854775807LL};
	char mine[400], sqlite[400];
	unsigned long long seed = 12345;
	size_t k;
	int i, failed = 0;

	sqlite3_initialize(); /* its printf allocates for long numbers */
	for (k = 0; k < sizeof(ints) / sizeof(ints[0]); k++) {
		sqlite3_snprintf(sizeof(sqlite), sqlite, "%lld", ints[k]);
		CHECK_STR(tp_num_int(mine, ints[k]), sqlite);
	}
	for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++) {
		sqlite3_snprintf(sizeof(sqlite), sqlite, "%.1f", fixed[k]);
		CHECK_STR(tp_num_sql1f(mine, sizeof(mine), fixed[k]), sqlite);
		sqlite3_snprintf(sizeof(sqlite), sqlite, "%.15g", fixed[k]);
		CHECK_STR(tp_num_sql15g(mine, sizeof(mine), fixed[k]), sqlite);
	}
	/* a short buffer cuts as sqlite3_snprintf does */
	sqlite3_snprintf(8, sqlite, "%.1f", 123456789.5);
	CHECK_STR(tp_num_sql1f(mine, 8, 123456789.5), sqlite);
	/* tenths and whole numbers as scores, months and counts are, and random doubles */
	for (i = 0; i < 300000 && failed < 5; i++) {
		double v;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		if (i % 3 == 0)
			v = (double)(long long)(seed >> 20) / 10; /* tenths up to ~1.7e12 */
		else if (i % 3 == 1)
			v = (double)((long long)(seed >> 40) - (1LL << 23)) / 10; /* small, signed */
		else
			v = ((double)(seed >> 11) / (1ULL << 53) - 0.5) * 1e6; /* anything */
		sqlite3_snprintf(sizeof(sqlite), sqlite, "%.1f", v);
		tp_num_sql1f(mine, sizeof(mine), v);
		failed += strcmp(mine, sqlite) != 0;
		CHECK(!strcmp(mine, sqlite));
		sqlite3_snprintf(sizeof(sqlite), sqlite, "%.15g", v);
		tp_num_sql15g(mine, sizeof(mine), v);
		failed += strcmp(mine, sqlite) != 0;
		CHECK(!strcmp(mine, sqlite));
	}
}

int main(void)
{
	machine_numbers_are_sqlite_printf_s();
	thousands_are_grouped_by_a_narrow_no_break_space();
	decimals_take_a_comma();
	auto_decimals_show_one_only_when_needed();
	rounding_and_signs();
	capacity_is_whole_persons_rounded_down();
	a_short_buffer_cuts_cleanly();
	a_change_always_carries_its_sign();
	a_published_label_is_printed_as_a_number_or_as_it_is();
	return check_report("test_numbers");
}

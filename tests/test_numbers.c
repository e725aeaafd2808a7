/*
 * test_numbers.c: numbers as tremplin prints them (geo/numbers.c): Belgian
 * typography in French, Dutch and both.
 */
#include "geo/numbers.h"
#include "tests/check.h"

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

int main(void)
{
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

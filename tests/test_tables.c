/*
 * test_tables.c: what only the occupation register holds (inputs/tables.c):
 * its status words and its lists of dates.
 */
#include "inputs/tables.h"
#include "tests/check.h"

static void status_words_in_three_languages_read_as_three_codes(void)
{
	CHECK_STR(tp_occupation_status("En cours"), "running");
	CHECK_STR(tp_occupation_status("prolongée"), "running");
	CHECK_STR(tp_occupation_status("Lopend"), "running");
	CHECK_STR(tp_occupation_status("CLÔTURÉ"), "ended");
	CHECK_STR(tp_occupation_status("afgelopen"), "ended");
	CHECK_STR(tp_occupation_status("à venir"), "planned");
	CHECK(tp_occupation_status("bizarre") == NULL);
	CHECK(tp_occupation_status("") == NULL);
	CHECK(tp_occupation_status(NULL) == NULL);
}

static void a_list_of_dates_reads_each_in_order(void)
{
	char out[256], why[128];

	CHECK(tp_dates_list_parse("31/12/2024; 31/07/2027", out, sizeof(out), why, sizeof(why)) == 2);
	CHECK_STR(out, "2024-12-31;2027-07-31");
	/* periods are their first day, separators mixed, blanks and empty items ignored */
	CHECK(tp_dates_list_parse(" T3 2025 | mars 2026,, 2027 ", out, sizeof(out), why,
				  sizeof(why)) == 3);
	CHECK_STR(out, "2025-07-01;2026-03-01;2027-01-01");
	CHECK(tp_dates_list_parse("", out, sizeof(out), why, sizeof(why)) == 0);
	CHECK_STR(out, "");
	CHECK(tp_dates_list_parse(NULL, out, sizeof(out), why, sizeof(why)) == 0);
}

static void a_bad_item_or_a_step_back_is_refused_naming_it(void)
{
	char out[256], why[128];

	CHECK(tp_dates_list_parse("2025-01-01; demain", out, sizeof(out), why, sizeof(why)) == -1);
	CHECK_STR(why, "not a date: 'demain'");
	CHECK(tp_dates_list_parse("2027-07-31; 2026-01-01", out, sizeof(out), why, sizeof(why)) == -1);
	CHECK_STR(why, "'2026-01-01' is not after the extension before it");
	CHECK(tp_dates_list_parse("2026-01-01; 2026-01-01", out, sizeof(out), why, sizeof(why)) == -1);
	/* no room for the next date: refused, never cut */
	CHECK(tp_dates_list_parse("2024-01-01; 2025-01-01", out, 14, why, sizeof(why)) == -1);
	CHECK_STR(why, "too many dates");
}

int main(void)
{
	status_words_in_three_languages_read_as_three_codes();
	a_list_of_dates_reads_each_in_order();
	a_bad_item_or_a_step_back_is_refused_naming_it();
	return check_report("test_tables");
}

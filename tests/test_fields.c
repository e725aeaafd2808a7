/*
 * test_fields.c: how source values are read (inputs/fields.c).
 */
#include "inputs/fields.h"
#include "geo/codes.h"
#include "tests/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tp_field_def f_int = {"dwellings", TP_F_INT, TP_NEED_VALUE, 0, 0};
static const tp_field_def f_count = {"squat", TP_F_INT, TP_NEED_COLUMN, 1, 0};
static const tp_field_def f_date = {"works_start", TP_F_DATE, TP_NEED_OPTIONAL, 0, 0};
static const tp_field_def f_bool = {"owner_agreed", TP_F_BOOL, TP_NEED_OPTIONAL, 0, 0};
static const tp_field_def f_owner = {"owner_type", TP_F_OWNER, TP_NEED_VALUE, 0, 0};
static const tp_field_def f_reason = {"reason", TP_F_REASON, TP_NEED_VALUE, 0, 0};

static const char *parse(const tp_field_def *f, const char *raw, int *rc)
{
	static char out[256], why[256];

	*rc = tp_field_parse(f, raw, out, sizeof(out), why, sizeof(why));
	return *rc < 0 ? why : out;
}

static void whole_numbers_accept_spaces_and_integral_reals_only(void)
{
	int rc;

	CHECK_STR(parse(&f_int, " 12 ", &rc), "12");
	CHECK(rc == 1);
	CHECK_STR(parse(&f_int, "12.0", &rc), "12");
	CHECK_STR(parse(&f_int, "douze", &rc), "not a whole number: 'douze'");
	CHECK(rc == -1);
	CHECK_STR(parse(&f_int, "4,5", &rc), "not a whole number: '4,5'");
	CHECK_STR(parse(&f_int, "-3", &rc), "negative: '-3'");
	CHECK_STR(parse(&f_int, "", &rc), "no value");
	CHECK(rc == -1);
	CHECK_STR(parse(&f_count, "", &rc), "0");
	CHECK(rc == 1);
}

static void dates_in_belgian_and_iso_forms_become_iso(void)
{
	int rc;

	CHECK_STR(parse(&f_date, "07/11/2024", &rc), "2024-11-07");
	CHECK_STR(parse(&f_date, "07-11-2024", &rc), "2024-11-07");
	CHECK_STR(parse(&f_date, "07.11.2024", &rc), "2024-11-07");
	CHECK_STR(parse(&f_date, "2024-11-07", &rc), "2024-11-07");
	CHECK_STR(parse(&f_date, "2024/11/07 00:00:00", &rc), "2024-11-07");
	CHECK_STR(parse(&f_date, "31/02/2024", &rc),
		  "not a date (expected dd/mm/yyyy, yyyy-mm-dd, a month 03/2027, a quarter T3 2027 or a year): '31/02/2024'");
	CHECK_STR(parse(&f_date, "next spring", &rc),
		  "not a date (expected dd/mm/yyyy, yyyy-mm-dd, a month 03/2027, a quarter T3 2027 or a year): 'next spring'");
	parse(&f_date, "", &rc);
	CHECK(rc == 0);
}

static void code_lists_accept_french_dutch_and_slrb_codes(void)
{
	int rc;

	CHECK_STR(parse(&f_owner, "SISP", &rc), "sisp");
	CHECK_STR(parse(&f_owner, "OCMW", &rc), "cpas");
	CHECK_STR(parse(&f_owner, "Régie foncière", &rc), "regie");
	CHECK_STR(parse(&f_reason, "R1", &rc), "works");
	CHECK_STR(parse(&f_reason, "r2", &rc), "study");
	CHECK_STR(parse(&f_bool, "Oui", &rc), "1");
	CHECK_STR(parse(&f_bool, "nee", &rc), "0");
}

static void every_code_and_its_names_read_as_the_code(void)
{
	const tp_code_list *lists[] = {&tp_owner_types, &tp_reasons};
	const tp_field_def *defs[] = {&f_owner, &f_reason};
	int rc, i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < lists[i]->n; j++) {
			const tp_code *c = &lists[i]->codes[j];
			CHECK_STR(parse(defs[i], c->code, &rc), c->code);
			if (c->source)
				CHECK_STR(parse(defs[i], c->source, &rc), c->code);
		}
	/* the names tremplin writes read back as their codes */
	for (j = 0; j < tp_owner_types.n; j++) {
		const tp_code *c = &tp_owner_types.codes[j];
		CHECK_STR(parse(&f_owner, c->fr, &rc), c->code);
		CHECK_STR(parse(&f_owner, c->nl, &rc), c->code);
	}
}

static void unknown_codes_are_refused_with_the_value_quoted(void)
{
	int rc;

	CHECK_STR(parse(&f_reason, "R9", &rc),
		  "unknown vacancy reason 'R9' (expected works/R1, study/R2, financing, allocation,"
		  " repair or other)");
	CHECK(rc == -1);
	CHECK_STR(parse(&f_owner, "bank", &rc),
		  "unknown owner type 'bank' (expected sisp, ais, cpas, commune, regie, citydev or"
		  " private)");
	CHECK_CONTAINS(parse(&f_bool, "maybe", &rc), "not yes or no: 'maybe'");
}

static void numbers_take_a_decimal_comma(void)
{
	double v;

	CHECK(tp_parse_double("4,35", &v) == 0 && v == 4.35);
	CHECK(tp_parse_double(" 150000.5 ", &v) == 0 && v == 150000.5);
	CHECK(tp_parse_double("1,000.5", &v) == -1);
	CHECK(tp_parse_double("x", &v) == -1);
	CHECK(tp_parse_double("", &v) == -1);
}

/* Every decimal read as strtod reads it, to the bit: the fast path of plain
 * decimals (15 digits at most) and strtod for the rest. */
static void numbers_read_as_strtod_reads_them(void)
{
	static const char *const odd[] = {"0", "-0", "+0.0", "5.", ".5", "-.25", "007.50",
					  "999999999999999", "9999999999999999", "0.000000000000001",
					  "123456789.123456", "1e5", "-1.5E-3", "0x1A", "inf", "1.2.3",
					  "--1", "+", "-", ".", "1 000", "150972.9", "167643.4"};
	unsigned long long seed = 12345;
	char text[64];
	double a, b;
	char *end;
	int i, bad = 0, ra, rb;

	for (i = 0; i < 300000 + (int)(sizeof(odd) / sizeof(odd[0])); i++) {
		if (i < (int)(sizeof(odd) / sizeof(odd[0]))) {
			snprintf(text, sizeof(text), "%s", odd[i]);
		} else {
			/* coordinates, counts and shares: 1 to 17 digits, a point anywhere */
			int n = 1 + (int)((seed >> 33) % 17), dot = (int)((seed >> 40) % (n + 2)), k, at = 0;
			if ((seed >> 50) & 1)
				text[at++] = '-';
			for (k = 0; k < n; k++) {
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				if (k == dot)
					text[at++] = '.';
				text[at++] = (char)('0' + (seed >> 59) % 10);
			}
			text[at] = '\0';
		}
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		ra = tp_parse_double(text, &a);
		b = strtod(text, &end);
		rb = (*end || end == text || b != b) ? -1 : 0;
		if (ra != rb || (ra == 0 && memcmp(&a, &b, sizeof(a)) != 0)) {
			if (bad++ < 5)
				fprintf(stderr, "'%s': %d %.17g, strtod %d %.17g\n", text, ra, a, rb, b);
		}
	}
	CHECK(bad == 0);
}

static void zone_columns_are_recognised_by_tremplins_own_labels(void)
{
	const tp_input_def *zones = tp_input_def_get(TP_IN_ZONES);
	const tp_field_def *third = &zones->fields[tp_input_def_field(zones, "third_parties")];
	const tp_field_def *nonrec = &zones->fields[tp_input_def_field(zones, "nonrecognised_shelter")];
	const tp_field_def *squat = &zones->fields[tp_input_def_field(zones, "squat")];

	CHECK(tp_field_header_matches(third, "Hébergés chez des tiers"));
	CHECK(tp_field_header_matches(third, "Bij derden ondergebracht"));
	CHECK(tp_field_header_matches(third, "chez un tiers"));
	CHECK(tp_field_header_matches(nonrec, "Hébergement non agréé"));
	CHECK(tp_field_header_matches(nonrec, "Niet-erkende opvang"));
	CHECK(tp_field_header_matches(squat, "Squats"));
	CHECK(tp_field_header_matches(squat, "Krakerspanden"));
	CHECK(tp_field_header_matches(squat, "kraakpanden"));
	CHECK(!tp_field_header_matches(squat, "Hébergés chez des tiers"));
	CHECK(!tp_field_header_matches(third, "Squats"));
}

static void a_number_too_long_to_read_whole_is_refused_not_cut_short(void)
{
	char text[80];
	double v;

	snprintf(text, sizeof(text), "5.%060d logements", 0);
	CHECK(tp_parse_double(text, &v) == -1);
	snprintf(text, sizeof(text), "  5.%059d  ", 0); /* 61 characters once trimmed */
	CHECK(tp_parse_double(text, &v) == 0 && v == 5);
}

static void a_count_beyond_its_fields_range_is_refused_even_followed_by_words(void)
{
	const tp_input_def *vac = tp_input_def_get(TP_IN_VACANCIES);
	const tp_field_def *dw = &vac->fields[tp_input_def_field(vac, "dwellings")];
	int rc;

	CHECK_STR(parse(dw, "10000", &rc), "10000");
	CHECK_STR(parse(dw, "10001", &rc), "too large: '10001' (at most 10000)");
	CHECK_STR(parse(dw, "101020 logements", &rc), "too large: '101020 logements' (at most 10000)");
	CHECK(rc == -1);
}

static void whole_numbers_beyond_long_long_are_refused_as_too_large(void)
{
	int rc;

	CHECK_STR(parse(&f_int, "9223372036854775807", &rc), "too large: '9223372036854775807'");
	CHECK_STR(parse(&f_int, "1e19", &rc), "too large: '1e19'");
	CHECK(rc == -1);
	CHECK_STR(parse(&f_int, "inf", &rc), "too large: 'inf'");
	CHECK_STR(parse(&f_int, "-inf", &rc), "negative: '-inf'");
	CHECK_STR(parse(&f_int, "4611686018427387904", &rc), "4611686018427387904");
	CHECK(rc == 1);
}

static const tp_field_def f_postcode = {"postcode", TP_F_POSTCODE, TP_NEED_OPTIONAL, 0, 0};

/* Values as offices write them: abbreviations with dots, a code in
 * parentheses, words in another order, a count with a remark, a postcode
 * with its commune, "no date yet". */
static void office_spellings_are_read_with_a_note_where_approximate(void)
{
	static char out[256], why[256];
	int rc;

	CHECK_STR(parse(&f_owner, "S.I.S.P.", &rc), "sisp");
	CHECK_STR(parse(&f_owner, "A.I.S.", &rc), "ais");
	CHECK_STR(parse(&f_owner, "O.C.M.W.", &rc), "cpas");
	CHECK_STR(parse(&f_owner, "Soci\xc3\xa9t\xc3\xa9 immobili\xc3\xa8re de service public (SISP)",
			&rc), "sisp");
	CHECK_STR(parse(&f_reason, "en cours d'attribution", &rc), "allocation");
	CHECK_STR(parse(&f_reason, "attribution en cours", &rc), "allocation");
	CHECK_STR(parse(&f_reason, "R3 - Inoccup\xc3\xa9 en attente de vente", &rc),
		  "unknown vacancy reason 'R3 - Inoccup\xc3\xa9 en attente de vente' (expected "
		  "works/R1, study/R2, financing, allocation, repair or other)");
	CHECK(tp_field_parse(&f_int, "12 (dont 3 studios)", out, sizeof(out), why, sizeof(why)) == 1);
	CHECK_STR(out, "12");
	CHECK_STR(why, "read '12 (dont 3 studios)' as 12");
	CHECK_STR(parse(&f_int, "12 000", &rc), "not a whole number: '12 000'");
	CHECK_STR(parse(&f_postcode, "1000 Bruxelles", &rc), "1000");
	CHECK_STR(parse(&f_postcode, "1000 Brussel", &rc), "1000");
	CHECK(tp_field_parse(&f_date, "T3 2027", out, sizeof(out), why, sizeof(why)) == 1);
	CHECK_STR(out, "2027-07-01");
	CHECK_STR(why, "quarter");
	CHECK(tp_field_parse(&f_date, "15/03/2027", out, sizeof(out), why, sizeof(why)) == 1);
	CHECK_STR(why, "");
	CHECK(tp_field_parse(&f_date, "\xc3\xa0 d\xc3\xa9terminer", out, sizeof(out), why,
			     sizeof(why)) == 0);
	CHECK(tp_field_parse(&f_date, "onbekend", out, sizeof(out), why, sizeof(why)) == 0);
	CHECK(tp_field_parse(&f_date, "n.c.", out, sizeof(out), why, sizeof(why)) == 0);
	CHECK(tp_field_parse(&f_date, "-", out, sizeof(out), why, sizeof(why)) == 0);
	CHECK(tp_field_parse(&f_date, "inconnu", out, sizeof(out), why, sizeof(why)) == 0);
}

int main(void)
{
	numbers_read_as_strtod_reads_them();
	office_spellings_are_read_with_a_note_where_approximate();
	whole_numbers_accept_spaces_and_integral_reals_only();
	dates_in_belgian_and_iso_forms_become_iso();
	code_lists_accept_french_dutch_and_slrb_codes();
	every_code_and_its_names_read_as_the_code();
	unknown_codes_are_refused_with_the_value_quoted();
	numbers_take_a_decimal_comma();
	zone_columns_are_recognised_by_tremplins_own_labels();
	whole_numbers_beyond_long_long_are_refused_as_too_large();
	a_count_beyond_its_fields_range_is_refused_even_followed_by_words();
	a_number_too_long_to_read_whole_is_refused_not_cut_short();
	return check_report("test_fields");
}

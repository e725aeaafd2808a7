/*
 * test_text.c: folding, encodings, address keys and code words
 * (inputs/text.c, inputs/geocode.c, inputs/fields.c), and a record's
 * original values zipped with their keys (geo/json.c).
 */
#include "geo/json.h"
#include "inputs/fields.h"
#include "inputs/geocode.h"
#include "inputs/text.h"
#include "tests/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void folding_removes_case_accents_and_punctuation(void)
{
	char out[128];

	tp_text_fold("  Type de Propriétaire ", out, sizeof(out), 0);
	CHECK_STR(out, "type de proprietaire");
	tp_text_fold("Chée d'Œuvre--Été", out, sizeof(out), 0);
	CHECK_STR(out, "chee d oeuvre ete");
	tp_text_fold("Rue X 12-14, bte 3", out, sizeof(out), 1);
	CHECK_STR(out, "rue x 12-14 bte 3");
	tp_text_fold("Saint-Gilles 12-14", out, sizeof(out), 0);
	CHECK_STR(out, "saint gilles 12 14");
}

static void latin1_text_is_recoded_and_utf8_kept(void)
{
	char *s = tp_text_utf8("Rue de l'\xc9glise");
	CHECK_STR(s, "Rue de l'\xc3\x89glise");
	free(s);
	s = tp_text_utf8("d\xc3\xa9j\xc3\xa0");
	CHECK_STR(s, "d\xc3\xa9j\xc3\xa0");
	free(s);
	CHECK(tp_text_is_utf8("\xc3\xa9", 2) == 1);
	CHECK(tp_text_is_utf8("\xe9t\xe9", 3) == 0);
	CHECK(tp_text_is_utf8("\xc0\x80", 2) == 0); /* overlong */
}

static void one_building_gives_one_address_key(void)
{
	char a[256], b[256];

	tp_address_key("Avenue Louise 12, bte 3", NULL, a, sizeof(a));
	CHECK_STR(a, "avenue louise|12|3|");
	tp_address_key("av. LOUISE 12 boîte 3", NULL, b, sizeof(b));
	CHECK_STR(a, b);
	tp_address_key("Wetstr. 5, 1000 Brussel", NULL, a, sizeof(a));
	CHECK_STR(a, "wetstraat|5||1000");
	tp_address_key("Wetstraat 5", "1000", b, sizeof(b));
	CHECK_STR(a, b);
	tp_address_key("12 rue Haute", NULL, a, sizeof(a));
	CHECK_STR(a, "rue haute|12||");
	tp_address_key("Chaussée de Wavre 12A", NULL, a, sizeof(a));
	CHECK_STR(a, "chaussee de wavre|12a||");
}

static void french_and_dutch_headers_and_code_words_are_recognised(void)
{
	const tp_input_def *v = tp_input_def_get(TP_IN_VACANCIES);
	const tp_field_def *dw = &v->fields[tp_input_def_field(v, "dwellings")];
	const tp_field_def *re = &v->fields[tp_input_def_field(v, "reason")];
	const tp_field_def *ow = &v->fields[tp_input_def_field(v, "owner_type")];
	char out[64], why[256];

	CHECK(tp_field_header_matches(dw, "Nombre de logements"));
	CHECK(tp_field_header_matches(dw, "AANTAL_WONINGEN"));
	CHECK(tp_field_header_matches(dw, "dwellings"));
	CHECK(!tp_field_header_matches(dw, "motif"));
	CHECK(tp_field_header_matches(&v->fields[tp_input_def_field(v, "works_start")],
				      "Date de début des travaux"));
	CHECK(tp_field_parse(re, "R1 - travaux en cours", out, sizeof(out), why, sizeof(why)) == 1);
	CHECK_STR(out, "works");
	CHECK(tp_field_parse(re, "Remise en état", out, sizeof(out), why, sizeof(why)) == 1);
	CHECK_STR(out, "repair");
	CHECK(tp_field_parse(re, "In afwachting van financiering", out, sizeof(out), why,
			     sizeof(why)) == 1);
	CHECK_STR(out, "financing");
	CHECK(tp_field_parse(re, "R3", out, sizeof(out), why, sizeof(why)) == -1);
	CHECK_CONTAINS(why, "unknown vacancy reason 'R3'");
	CHECK(tp_field_parse(ow, "Régie Foncière", out, sizeof(out), why, sizeof(why)) == 1);
	CHECK_STR(out, "regie");
	CHECK(tp_field_parse(ow, "Sociaal verhuurkantoor", out, sizeof(out), why, sizeof(why)) == 1);
	CHECK_STR(out, "ais");
}

static void folding_stops_where_out_is_full_and_never_ends_in_a_space(void)
{
	char out[8];

	tp_text_fold("Rue Haute 70", out, sizeof(out), 0);
	CHECK_STR(out, "rue hau");
	tp_text_fold("Abcdef G", out, sizeof(out), 0);
	CHECK_STR(out, "abcdef");
	tp_text_fold("abcdef \xc4\x8d", out, sizeof(out), 0); /* č, two bytes: no room */
	CHECK_STR(out, "abcdef");
}

/* tp_text_join writes what snprintf writes, at every size of buffer */
static void joining_cuts_where_snprintf_cuts(void)
{
	const char *const score[] = {"candidate: ", "36.5", "-month window, ", "14", " dwelling", "s"};
	const char *const key[] = {"rue haute", "70", "", "1000"};
	char want[64], got[64];
	size_t len;
	int bad = 0;

	for (len = 0; len <= sizeof(want); len++) {
		memset(want, 'x', sizeof(want));
		memset(got, 'x', sizeof(got));
		snprintf(want, len, "%s%s%s%s%s%s", score[0], score[1], score[2], score[3], score[4],
			 score[5]);
		tp_text_join(got, len, score, 6, "");
		bad += memcmp(want, got, sizeof(want)) != 0;
		memset(want, 'x', sizeof(want));
		memset(got, 'x', sizeof(got));
		snprintf(want, len, "%s|%s|%s|%s", key[0], key[1], key[2], key[3]);
		tp_text_join(got, len, key, 4, "|");
		bad += memcmp(want, got, sizeof(want)) != 0;
	}
	CHECK(bad == 0);
	CHECK_STR(tp_text_join(got, sizeof(got), score, 6, ""), "candidate: 36.5-month window, 14 dwellings");
	CHECK_STR(tp_text_join(got, sizeof(got), key, 4, "|"), "rue haute|70||1000");
}

/* The object tp_json_zip makes from keys and values, as tremplin writes them. */
static void originals_are_zipped_with_their_keys(void)
{
	char *o = tp_json_zip("[\"id\",\"owner\",\"x\",\"geometry\"]",
			      "[\"V1\",\"Log\\\"Iris, \\\\ \u00e9\",null]");
	CHECK_STR(o, "{\"id\":\"V1\",\"owner\":\"Log\\\"Iris, \\\\ \u00e9\",\"x\":null}");
	free(o);
	/* the geometry, when the feature has one, is the value after the columns */
	o = tp_json_zip("[\"id\",\"geometry\"]", "[\"V1\",\"POINT (1 2)\"]");
	CHECK_STR(o, "{\"id\":\"V1\",\"geometry\":\"POINT (1 2)\"}");
	free(o);
	o = tp_json_zip("[\"geometry\"]", "[]");
	CHECK_STR(o, "{}");
	free(o);
	o = tp_json_zip("[\"a\",\"geometry\"]", "[\"[,]\", \"]\"]");
	CHECK_STR(o, "{\"a\":\"[,]\",\"geometry\":\"]\"}");
	free(o);
	/* not arrays: NULL (an object, a string cut short) */
	CHECK(tp_json_zip("[\"a\"]", "{\"a\":\"1\"}") == NULL);
	CHECK(tp_json_zip("[\"a\"]", "[\"1") == NULL);
	CHECK(tp_json_zip("[\"a\"]", "[\"1\\") == NULL);
	CHECK(tp_json_zip("[\"a\"", "[\"1\"]") == NULL);
}

int main(void)
{
	folding_removes_case_accents_and_punctuation();
	latin1_text_is_recoded_and_utf8_kept();
	one_building_gives_one_address_key();
	french_and_dutch_headers_and_code_words_are_recognised();
	folding_stops_where_out_is_full_and_never_ends_in_a_space();
	joining_cuts_where_snprintf_cuts();
	originals_are_zipped_with_their_keys();
	return check_report("test_text");
}

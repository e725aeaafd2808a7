/*
 * fuzz_fields.c: libFuzzer harness for the value parsers (inputs/fields.c):
 * one input is one cell as an office writes it.  Every field of the three
 * inputs parses it (text, whole numbers, dates, yes/no, owner types, vacancy
 * reasons), and so do tp_parse_double, tp_date_iso_days and the header
 * recognition.  Checks: a refused value says why; an accepted value is in
 * canonical form and parses again to itself (a date is a real date, a number
 * is digits, a code is one of tremplin's codes).
 */
#include "geo/dates.h"
#include "inputs/fields.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Parses out again with the same field: must give out. */
static void check_stable(const tp_field_def *f, const char *out)
{
	char again[1024], why[512];

	if (tp_field_parse(f, out, again, sizeof(again), why, sizeof(why)) != 1 ||
	    strcmp(again, out))
		abort();
}

static void check_field(const tp_field_def *f, const char *v)
{
	char out[1024], why[512];
	long days;
	int rc = tp_field_parse(f, v, out, sizeof(out), why, sizeof(why));

	if (rc < 0) {
		if (!why[0])
			abort();
		return;
	}
	if (rc == 0) {
		if (out[0] || f->need == TP_NEED_VALUE)
			abort();
		return;
	}
	if (!out[0])
		abort();
	switch (f->kind) {
	case TP_F_TEXT:
		return;
	case TP_F_POSTCODE:
		break;
	case TP_F_INT:
		if (strspn(out, "0123456789") != strlen(out) || (out[0] == '0' && out[1]))
			abort();
		break;
	case TP_F_DATE:
		if (strlen(out) != 10 || tp_date_iso_days(out, &days))
			abort();
		break;
	case TP_F_BOOL:
		if (strcmp(out, "0") && strcmp(out, "1"))
			abort();
		break;
	case TP_F_OWNER:
	case TP_F_REASON:
		break;
	}
	check_stable(f, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size + 1);
	double x;
	long days;
	int k;
	size_t i;

	if (!v)
		return 0;
	memcpy(v, data, size);
	v[size] = '\0';
	for (k = 0; k < TP_IN_COUNT; k++) {
		const tp_input_def *def = tp_input_def_get(k);
		for (i = 0; i < def->nfields; i++) {
			check_field(&def->fields[i], v);
			tp_field_header_matches(&def->fields[i], v);
		}
	}
	if (tp_parse_double(v, &x) == 0 && x != x)
		abort();
	tp_date_iso_days(v, &days);
	free(v);
	return 0;
}

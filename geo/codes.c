/*
 * codes.c: the code lists, their names, the palettes and the quantile
 * classes (codes.h).
 *
 * Names are the ones people in Brussels use for these bodies (the
 * glossary of the project's domain notes): the French and Dutch acronyms
 * of the public landlords, capitalised like the rest of a legend.  The
 * input parsers accept many more spellings (inputs/fields.c); these are
 * the ones tremplin writes.
 */
#include "geo/codes.h"
#include "geo/categories.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const tp_code owner_codes[] = {
	{"sisp", "SISP", "OVM", NULL},
	{"ais", "AIS", "SVK", NULL},
	{"cpas", "CPAS", "OCMW", NULL},
	{"commune", "Commune", "Gemeente", NULL},
	{"regie", "Régie foncière", "Grondregie", NULL},
	{"citydev", "CityDev", "CityDev", NULL},
	{"private", "Propriétaire privé", "Privé-eigenaar", NULL},
};

static const tp_code reason_codes[] = {
	{"works", "travaux en cours (R1)", "werken bezig (R1)", "R1"},
	{"study", "étude de rénovation (R2)", "renovatiestudie (R2)", "R2"},
	{"financing", "en attente de financement", "wacht op financiering", NULL},
	{"allocation", "en cours d'attribution", "wordt toegewezen", NULL},
	{"repair", "en réparation", "in herstelling", NULL},
	{"other", "autre", "andere", NULL},
};

static const tp_code candidate_codes[] = {
	{"0", "non candidat", "geen kandidaat", NULL},
	{"1", "candidat à une occupation temporaire", "kandidaat voor tijdelijke bewoning", NULL},
};

static const tp_code field_codes[] = {
	{"id", "identifiant", "id", NULL},
	{"address", "adresse", "adres", NULL},
	{"postcode", "code postal", "postcode", NULL},
	{"owner", "propriétaire", "eigenaar", NULL},
	{"owner_type", "type de propriétaire", "type eigenaar", NULL},
	{"dwellings", "nombre de logements", "aantal woningen", NULL},
	{"reason", "motif", "reden", NULL},
	{"vacant_since", "vide depuis", "leeg sinds", NULL},
	{"works_start", "début des travaux", "start werken", NULL},
	{"owner_agreed", "accord", "akkoord", NULL},
	{"geometry", "position", "ligging", NULL},
	{"x", "x", "x", NULL},
	{"y", "y", "y", NULL},
	{"nis_code", "code INS", "NIS-code", NULL},
	{"zone_id", "zone", "zone", NULL},
};

static const tp_code precision_codes[] = {
	{"day", "jour", "dag", NULL},
	{"month", "mois", "maand", NULL},
	{"quarter", "trimestre", "kwartaal", NULL},
	{"year", "année", "jaar", NULL},
};

/* The people figures of geo/categories.h, by their French and Dutch labels. */
#define PEOPLE_CODE(c, fr, nl, aliases) {#c, fr, nl, NULL},
static const tp_code people_codes[] = {TP_PEOPLE(PEOPLE_CODE)};

static const tp_code occupation_status_codes[] = {
	{"planned", "prévue", "gepland", NULL},
	{"running", "en cours", "lopend", NULL},
	{"ended", "terminée", "afgelopen", NULL},
};

const tp_code_list tp_occupation_statuses = {"occupation_status",
					     "Where a temporary occupation stands (the register)",
					     occupation_status_codes,
					     COUNT(occupation_status_codes)};
const tp_code_list tp_owner_types = {"owner_type", "Type of owner of an empty dwelling",
				     owner_codes, COUNT(owner_codes)};
const tp_code_list tp_reasons = {"vacancy_reason", "Why the dwelling is empty (SLRB reasons)",
				 reason_codes, COUNT(reason_codes)};
const tp_code_list tp_field_labels = {"field", "The input fields, as a message names them",
				      field_codes, COUNT(field_codes)};
const tp_code_list tp_date_precisions = {"date_precision",
					 "How precisely a date was given (geo/dates.h)",
					 precision_codes, COUNT(precision_codes)};
const tp_code_list tp_people_codes = {"people_category",
					"A people figure of the count: a category or the total",
					people_codes, COUNT(people_codes)};
const tp_code_list tp_candidate_flags = {"candidate_flag",
					 "Whether the record could host a temporary occupation",
					 candidate_codes, COUNT(candidate_codes)};

const tp_code *tp_code_find(const tp_code_list *list, const char *code)
{
	int i;

	for (i = 0; code && i < list->n; i++)
		if (!strcmp(list->codes[i].code, code))
			return &list->codes[i];
	return NULL;
}

/* Appends s to buf (len bytes) at *at, cut as snprintf cuts; buf stays terminated. */
static void pick_append(char *buf, size_t len, size_t *at, const char *s)
{
	size_t n = strlen(s);

	if (*at + n >= len)
		n = len - 1 - *at;
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
}

void tp_lang_pick(char *buf, size_t len, const char *lang, const char *fr, const char *nl,
		  const char *sep)
{
	size_t at = 0;

	/* what snprintf(buf, len, "%s", ...) wrote, without its format's parsing:
	 * the candidate list picks a name for four cells of each row */
	if (!len)
		return;
	buf[0] = '\0';
	if (!strcmp(lang, "fr") || !strcmp(fr, nl)) {
		pick_append(buf, len, &at, fr);
	} else if (!strcmp(lang, "nl")) {
		pick_append(buf, len, &at, nl);
	} else {
		pick_append(buf, len, &at, fr);
		pick_append(buf, len, &at, sep);
		pick_append(buf, len, &at, nl);
	}
}

const char *tp_code_name(const tp_code *c, const char *language, char *buf, size_t n)
{
	tp_lang_pick(buf, n, language ? language : "both", c->fr, c->nl, " / ");
	return buf;
}

const char *tp_code_expected(const tp_code_list *list, char *buf, size_t n)
{
	size_t used = 0;
	int i;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < list->n && used < n; i++) {
		const tp_code *c = &list->codes[i];
		used += (size_t)snprintf(buf + used, n - used, "%s%s%s%s",
					 i == 0		  ? ""
					 : i == list->n - 1 ? " or "
							    : ", ",
					 c->code, c->source ? "/" : "", c->source ? c->source : "");
	}
	return buf;
}

/* ColorBrewer YlGnBu, 5 classes. */
static const unsigned char class_palette[TP_NCLASSES][3] = {
	{0xff, 0xff, 0xcc}, {0xa1, 0xda, 0xb4}, {0x41, 0xb6, 0xc4},
	{0x2c, 0x7f, 0xb8}, {0x25, 0x34, 0x94},
};

void tp_class_rgb(int cls, int n, unsigned char rgb[3])
{
	int k;

	if (cls < 0 || n <= 0) {
		rgb[0] = rgb[1] = rgb[2] = 0xd0;
		return;
	}
	/* fewer classes than colours spread over the whole scheme */
	k = n == 1 ? TP_NCLASSES / 2 : (cls * (TP_NCLASSES - 1) + (n - 1) / 2) / (n - 1);
	memcpy(rgb, class_palette[k < TP_NCLASSES ? k : TP_NCLASSES - 1], 3);
}

const unsigned char tp_candidate_fill[3] = {0xe6, 0x55, 0x0d};
const unsigned char tp_candidate_outline[3] = {0x5a, 0x1f, 0x00};

int tp_candidate_legend_sizes(long long max, long long out[3])
{
	long long half = max >= 10 ? (max / 2 / 5) * 5 : 0;
	int n = 0;

	if (max < 1)
		return 0;
	out[n++] = 1;
	if (half > 1 && half < max)
		out[n++] = half;
	if (max > 1)
		out[n++] = max;
	return n;
}

/* Okabe-Ito, one per reason in reason_codes order. */
static const unsigned char reason_palette[][3] = {
	{213, 94, 0},    /* vermillion: works */
	{0, 114, 178},   /* blue: study */
	{86, 180, 233},  /* sky blue: financing */
	{204, 121, 167}, /* reddish purple: allocation */
	{230, 159, 0},   /* orange: repair */
	{120, 120, 120}, /* grey: other */
};

/* ColorBrewer RdBu, 7 classes, reversed: fewer people blue, more people red. */
static const unsigned char change_palette[TP_NCHANGE][3] = {
	{0x21, 0x66, 0xac}, {0x67, 0xa9, 0xcf}, {0xd1, 0xe5, 0xf0}, {0xf7, 0xf7, 0xf7},
	{0xfd, 0xdb, 0xc7}, {0xef, 0x8a, 0x62}, {0xb2, 0x18, 0x2b},
};

void tp_change_rgb(int cls, unsigned char rgb[3])
{
	if (cls < 0 || cls >= TP_NCHANGE) {
		rgb[0] = rgb[1] = rgb[2] = 0xd0;
		return;
	}
	memcpy(rgb, change_palette[cls], 3);
}

void tp_reason_rgb(int i, unsigned char rgb[3])
{
	if (i < 0 || i >= COUNT(reason_palette))
		i = COUNT(reason_palette) - 1;
	memcpy(rgb, reason_palette[i], 3);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void tp_classes_quantile(tp_classes *out, double *values, size_t n)
{
	int group = -1;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return;
	qsort(values, n, sizeof(double), compare_doubles);
	for (i = 0; i < n; i++) {
		/* a new class where the value changes and the group moves on */
		if (i == 0 || (values[i] != values[i - 1] && (int)(i * TP_NCLASSES / n) != group)) {
			group = (int)(i * TP_NCLASSES / n);
			out->lo[out->n++] = values[i];
		}
		out->hi[out->n - 1] = values[i];
		out->count[out->n - 1]++;
	}
}

int tp_classes_find(const tp_classes *c, double v)
{
	int k;

	for (k = 0; k < c->n; k++)
		if (v <= c->hi[k])
			return k;
	return -1;
}

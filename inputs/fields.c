/*
 * fields.c: the field tables of the three inputs and the value parsers.
 *
 * Code lists (owner types, reasons) accept the codes themselves, the SLRB
 * reason codes (R1 works under way, R2 renovation study) and the French and
 * Dutch words people write; any other value is refused with the value
 * quoted, never read as "other".
 */
#include "inputs/fields.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const tp_field_def commune_fields[] = {
	{"nis_code", TP_F_TEXT, TP_NEED_VALUE, 0},
	{"name_fr", TP_F_TEXT, TP_NEED_VALUE, 0},
	{"name_nl", TP_F_TEXT, TP_NEED_VALUE, 0},
	{"population", TP_F_INT, TP_NEED_OPTIONAL, 0},
};

static const tp_field_def vacancy_fields[] = {
	{"id", TP_F_TEXT, TP_NEED_OPTIONAL, 0},
	{"address", TP_F_TEXT, TP_NEED_OPTIONAL, 0},
	{"owner", TP_F_TEXT, TP_NEED_COLUMN, 0},
	{"owner_type", TP_F_OWNER, TP_NEED_VALUE, 0},
	{"dwellings", TP_F_INT, TP_NEED_VALUE, 0},
	{"reason", TP_F_REASON, TP_NEED_VALUE, 0},
	{"vacant_since", TP_F_DATE, TP_NEED_OPTIONAL, 0},
	{"works_start", TP_F_DATE, TP_NEED_COLUMN, 0},
	{"owner_agreed", TP_F_BOOL, TP_NEED_OPTIONAL, 0},
};

static const tp_field_def zone_fields[] = {
	{"zone_id", TP_F_TEXT, TP_NEED_VALUE, 0},
	{"public_space", TP_F_INT, TP_NEED_COLUMN, 1},
	{"emergency_shelter", TP_F_INT, TP_NEED_COLUMN, 1},
	{"nonrecognised_shelter", TP_F_INT, TP_NEED_COLUMN, 1},
	{"squat", TP_F_INT, TP_NEED_COLUMN, 1},
	{"nonconventional", TP_F_INT, TP_NEED_COLUMN, 1},
	{"third_parties", TP_F_INT, TP_NEED_COLUMN, 1},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const tp_input_def inputs[TP_IN_COUNT] = {
	{"communes", 0, commune_fields, N(commune_fields)},
	{"vacancies", 1, vacancy_fields, N(vacancy_fields)},
	{"zones", 0, zone_fields, N(zone_fields)},
};

const tp_input_def *tp_input_def_get(tp_input_kind kind)
{
	return &inputs[kind];
}

int tp_input_def_field(const tp_input_def *def, const char *name)
{
	size_t i;

	for (i = 0; i < def->nfields; i++)
		if (strcmp(def->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A code list entry: what people write -> tremplin's code. */
typedef struct {
	const char *word;  /* compared case-insensitively, after trimming */
	const char *code;  /* canonical code */
} synonym;

static const synonym owner_words[] = {
	{"sisp", "sisp"}, {"ovm", "sisp"}, {"slrb", "sisp"}, {"bghm", "sisp"},
	{"ais", "ais"}, {"svk", "ais"},
	{"cpas", "cpas"}, {"ocmw", "cpas"},
	{"commune", "commune"}, {"gemeente", "commune"},
	{"regie", "regie"}, {"régie", "regie"}, {"régie foncière", "regie"},
	{"regie fonciere", "regie"}, {"grondregie", "regie"},
	{"citydev", "citydev"}, {"citydev.brussels", "citydev"},
	{"private", "private"}, {"privé", "private"}, {"prive", "private"},
	{"privaat", "private"},
};

static const synonym reason_words[] = {
	{"works", "works"}, {"r1", "works"}, {"travaux", "works"},
	{"travaux en cours", "works"}, {"werken", "works"},
	{"study", "study"}, {"r2", "study"}, {"étude", "study"}, {"etude", "study"},
	{"studie", "study"},
	{"financing", "financing"}, {"financement", "financing"},
	{"en attente de financement", "financing"}, {"financiering", "financing"},
	{"allocation", "allocation"}, {"attribution", "allocation"},
	{"toewijzing", "allocation"},
	{"repair", "repair"}, {"remise en état", "repair"}, {"réparation", "repair"},
	{"herstel", "repair"},
	{"other", "other"}, {"autre", "other"}, {"andere", "other"},
};

/* Copies s into out without leading and trailing blanks. */
static void trim_copy(const char *s, char *out, size_t outlen)
{
	size_t n;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static int lookup(const synonym *list, size_t n, const char *v, char *out,
		  size_t outlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(list[i].word, v) == 0) {
			snprintf(out, outlen, "%s", list[i].code);
			return 1;
		}
	}
	return 0;
}

int tp_parse_double(const char *s, double *out)
{
	char buf[64], *end = NULL, *c;

	trim_copy(s, buf, sizeof(buf));
	if (!buf[0])
		return -1;
	c = strchr(buf, ',');
	if (c) {
		if (strchr(buf, '.') || strchr(c + 1, ','))
			return -1;
		*c = '.';
	}
	errno = 0;
	*out = strtod(buf, &end);
	if (errno || *end || end == buf || *out != *out)
		return -1;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Days from civil date (proleptic Gregorian) to 1970-01-01. */
static long days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads a date in the accepted forms into y, m, d; 0 or -1. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
	int a, b, c, n = 0;
	char sep1, sep2;

	if (sscanf(s, "%d%c%d%c%d%n", &a, &sep1, &b, &sep2, &c, &n) != 5)
		return -1;
	/* a time part after the date (spreadsheet cells) is ignored */
	if (s[n] && s[n] != ' ' && s[n] != 'T')
		return -1;
	if (sep1 != sep2 || (sep1 != '-' && sep1 != '/' && sep1 != '.'))
		return -1;
	if (a > 999) {
		*y = a, *m = b, *d = c;
	} else if (c > 999 && sep1 != '-') {
		*d = a, *m = b, *y = c;
	} else {
		return -1;
	}
	if (*y < 1800 || *y > 2200 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int tp_date_parse_iso(const char *s, long *days)
{
	int y, m, d;

	if (!s || parse_date(s, &y, &m, &d))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

int tp_field_parse(const tp_field_def *f, const char *raw, char *out,
		   size_t outlen, char *whybuf, size_t whylen)
{
	char v[512];
	double x;
	int y, m, d;

	out[0] = '\0';
	whybuf[0] = '\0';
	trim_copy(raw ? raw : "", v, sizeof(v));
	if (!v[0]) {
		if (f->empty_is_zero) {
			snprintf(out, outlen, "0");
			return 1;
		}
		if (f->need == TP_NEED_VALUE) {
			snprintf(whybuf, whylen, "no value");
			return -1;
		}
		return 0;
	}
	switch (f->kind) {
	case TP_F_TEXT:
		snprintf(out, outlen, "%s", v);
		return 1;
	case TP_F_INT:
		if (tp_parse_double(v, &x) || x != (double)(long long)x) {
			snprintf(whybuf, whylen, "not a whole number: '%s'", v);
			return -1;
		}
		if (x < 0) {
			snprintf(whybuf, whylen, "negative: '%s'", v);
			return -1;
		}
		snprintf(out, outlen, "%lld", (long long)x);
		return 1;
	case TP_F_DATE:
		if (parse_date(v, &y, &m, &d)) {
			snprintf(whybuf, whylen,
				 "not a date (expected dd/mm/yyyy or yyyy-mm-dd): '%s'", v);
			return -1;
		}
		snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
		return 1;
	case TP_F_BOOL:
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "oui") || !strcasecmp(v, "ja") ||
		    !strcasecmp(v, "true") || !strcasecmp(v, "y") || !strcmp(v, "1")) {
			snprintf(out, outlen, "1");
			return 1;
		}
		if (!strcasecmp(v, "no") || !strcasecmp(v, "non") || !strcasecmp(v, "nee") ||
		    !strcasecmp(v, "false") || !strcasecmp(v, "n") || !strcmp(v, "0")) {
			snprintf(out, outlen, "0");
			return 1;
		}
		snprintf(whybuf, whylen, "not yes or no: '%s'", v);
		return -1;
	case TP_F_OWNER:
		if (lookup(owner_words, N(owner_words), v, out, outlen))
			return 1;
		snprintf(whybuf, whylen,
			 "unknown owner type '%s' (expected sisp, ais, cpas, commune, "
			 "regie, citydev or private)", v);
		return -1;
	case TP_F_REASON:
		if (lookup(reason_words, N(reason_words), v, out, outlen))
			return 1;
		snprintf(whybuf, whylen,
			 "unknown vacancy reason '%s' (expected works/R1, study/R2, "
			 "financing, allocation, repair or other)", v);
		return -1;
	}
	return -1;
}

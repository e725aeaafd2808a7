/*
 * fields.c: the field tables of the three inputs and the value parsers.
 *
 * Code lists (owner types, reasons) accept the codes themselves, the SLRB
 * reason codes (R1 works under way, R2 renovation study) and the French and
 * Dutch words people write; any other value is refused with the value
 * quoted, never read as "other".
 */
#include "inputs/fields.h"
#include "inputs/text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
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
	{"postcode", TP_F_TEXT, TP_NEED_OPTIONAL, 0},
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

/*
 * Headers recognised without configuration, per field: '|'-separated and
 * folded (tp_text_fold: lower case, no accents, single spaces).
 */
static const struct {
	const char *field;    /* tremplin field */
	const char *headers;  /* French, Dutch and English headers people use */
} header_aliases[] = {
	{"nis_code",
	 "nis|code nis|niscode|nis code|code ins|ins|nis gemeente|code commune"},
	{"name_fr",
	 "nom fr|nom francais|nom|naam fr|franse naam|name fr|commune|nom commune"},
	{"name_nl",
	 "nom nl|nom neerlandais|naam nl|naam|nederlandse naam|gemeente|naam gemeente"},
	{"population",
	 "habitants|bevolking|inwoners|pop|population 2020|bevolking 2020"},
	{"id",
	 "identifiant|reference|ref|referentie|id batiment|id gebouw|gebouw id|numero dossier|"
	 "dossiernummer"},
	{"address",
	 "adresse|adres|rue et numero|straat en nummer|adresse complete|volledig adres|"
	 "localisation|ligging"},
	{"postcode",
	 "code postal|cp|postnummer|postcode|post code|zip|npa"},
	{"owner",
	 "proprietaire|eigenaar|nom du proprietaire|naam eigenaar|bailleur|verhuurder|"
	 "gestionnaire|beheerder"},
	{"owner_type",
	 "type de proprietaire|type proprietaire|type du proprietaire|categorie de proprietaire|"
	 "type eigenaar|soort eigenaar|type van eigenaar|eigenaarstype|categorie eigenaar|type"},
	{"dwellings",
	 "nombre de logements|nombre logements|nb logements|nb de logements|logements|"
	 "aantal woningen|aantal wooneenheden|woningen|nombre"},
	{"reason",
	 "motif|motif de vacance|motif d inoccupation|raison|code motif|reden|reden leegstand|"
	 "reden van leegstand"},
	{"vacant_since",
	 "vide depuis|inoccupe depuis|vacant depuis|date de vacance|depuis|date d inoccupation|"
	 "leeg sinds|leegstaand sinds|leegstand sinds|sinds|datum leegstand"},
	{"works_start",
	 "date de debut des travaux|debut des travaux|date debut travaux|debut travaux|"
	 "date de debut de chantier|debut chantier|start werken|startdatum werken|"
	 "begindatum werken|begin werken|begin der werken|aanvang werken|datum start werken|"
	 "start der werken"},
	{"owner_agreed",
	 "accord|accord du proprietaire|accord proprietaire|akkoord|akkoord eigenaar|"
	 "akkoord van de eigenaar|toestemming"},
	{"zone_id",
	 "zone|id zone|code zone|zone code|zonecode"},
	{"public_space",
	 "espace public|openbare ruimte"},
	{"emergency_shelter",
	 "hebergement d urgence|accueil d urgence|noodopvang"},
	{"nonrecognised_shelter",
	 "structures non agreees|centres non agrees|niet erkende opvang|niet erkende centra"},
	{"squat",
	 "squats|kraakpanden|bezettingen"},
	{"nonconventional",
	 "logement non conventionnel|non conventionnel|niet conventionele huisvesting"},
	{"third_parties",
	 "chez des tiers|chez un tiers|bij derden|derden"},
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

/* 1 when folded word w is one of the '|'-separated entries of list. */
static int in_list(const char *list, const char *w)
{
	size_t n = strlen(w);

	while (list && *list) {
		const char *bar = strchr(list, '|');
		size_t len = bar ? (size_t)(bar - list) : strlen(list);
		if (len == n && memcmp(list, w, n) == 0)
			return 1;
		list = bar ? bar + 1 : NULL;
	}
	return 0;
}

int tp_field_header_matches(const tp_field_def *f, const char *header)
{
	char h[256], name[64];

	size_t i;

	tp_text_fold(header, h, sizeof(h), 0);
	tp_text_fold(f->name, name, sizeof(name), 0);
	if (!h[0])
		return 0;
	if (!strcmp(h, name))
		return 1;
	for (i = 0; i < N(header_aliases); i++)
		if (!strcmp(header_aliases[i].field, f->name) && in_list(header_aliases[i].headers, h))
			return 1;
	return 0;
}

/* A code list entry: what people write -> tremplin's code. */
typedef struct {
	const char *word;  /* compared case-insensitively, after trimming */
	const char *code;  /* canonical code */
} synonym;

/* Words are folded (tp_text_fold), so case and accents do not matter. */
static const synonym owner_words[] = {
	{"sisp", "sisp"}, {"ovm", "sisp"}, {"slrb", "sisp"}, {"bghm", "sisp"},
	{"shm", "sisp"}, {"societe immobiliere de service public", "sisp"},
	{"openbare vastgoedmaatschappij", "sisp"}, {"logement social", "sisp"},
	{"sociale huisvesting", "sisp"}, {"social", "sisp"},
	{"ais", "ais"}, {"svk", "ais"}, {"agence immobiliere sociale", "ais"},
	{"sociaal verhuurkantoor", "ais"},
	{"cpas", "cpas"}, {"ocmw", "cpas"},
	{"commune", "commune"}, {"gemeente", "commune"}, {"communal", "commune"},
	{"municipal", "commune"}, {"administration communale", "commune"},
	{"gemeentebestuur", "commune"},
	{"regie", "regie"}, {"regie fonciere", "regie"}, {"grondregie", "regie"},
	{"regie fonciere regionale", "regie"}, {"gewestelijke grondregie", "regie"},
	{"citydev", "citydev"}, {"citydev brussels", "citydev"}, {"sdrb", "citydev"},
	{"gom", "citydev"},
	{"private", "private"}, {"prive", "private"}, {"privaat", "private"},
	{"particulier", "private"}, {"proprietaire prive", "private"},
	{"prive eigenaar", "private"}, {"private eigenaar", "private"},
	{"particuliere eigenaar", "private"},
};

static const synonym reason_words[] = {
	{"works", "works"}, {"r1", "works"}, {"travaux", "works"},
	{"travaux en cours", "works"}, {"en travaux", "works"}, {"chantier", "works"},
	{"chantier en cours", "works"}, {"renovation en cours", "works"}, {"werken", "works"},
	{"werken bezig", "works"}, {"lopende werken", "works"}, {"in werken", "works"},
	{"werf", "works"}, {"renovatie bezig", "works"}, {"works under way", "works"},
	{"study", "study"}, {"r2", "study"}, {"etude", "study"}, {"en etude", "study"},
	{"etude de renovation", "study"}, {"renovation a l etude", "study"},
	{"en cours d etude", "study"}, {"studie", "study"}, {"in studie", "study"},
	{"renovatiestudie", "study"}, {"renovation study", "study"},
	{"financing", "financing"}, {"financement", "financing"},
	{"en attente de financement", "financing"}, {"attente financement", "financing"},
	{"financiering", "financing"}, {"wacht op financiering", "financing"},
	{"in afwachting van financiering", "financing"}, {"awaiting financing", "financing"},
	{"allocation", "allocation"}, {"attribution", "allocation"},
	{"en cours d attribution", "allocation"}, {"en attribution", "allocation"},
	{"relocation", "allocation"}, {"toewijzing", "allocation"},
	{"in toewijzing", "allocation"}, {"wordt toegewezen", "allocation"},
	{"verhuring", "allocation"},
	{"repair", "repair"}, {"remise en etat", "repair"}, {"reparation", "repair"},
	{"en reparation", "repair"}, {"petits travaux", "repair"}, {"herstel", "repair"},
	{"herstelling", "repair"}, {"in herstel", "repair"}, {"opknapwerken", "repair"},
	{"other", "other"}, {"autre", "other"}, {"autres", "other"}, {"divers", "other"},
	{"andere", "other"}, {"overige", "other"}, {"varia", "other"},
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

/* Looks v up in list after folding; a leading SLRB code ("R1 - travaux",
 * "R2: etude") is the code. */
static int lookup(const synonym *list, size_t n, const char *v, char *out,
		  size_t outlen)
{
	char w[256];
	size_t i;

	tp_text_fold(v, w, sizeof(w), 0);
	if (w[0] == 'r' && isdigit((unsigned char)w[1]) && w[2] == ' ')
		w[2] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].word, w) == 0) {
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
	/* 63 characters or more were cut short: "5.000...0 logements" is not 5 */
	if (!buf[0] || strlen(buf) == sizeof(buf) - 1)
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
	} else if (c > 999) {
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
		/* the cast is defined only inside long long's range (|x| < 2^63) */
		if (tp_parse_double(v, &x) || (fabs(x) < 0x1p63 && x != (double)(long long)x)) {
			snprintf(whybuf, whylen, "not a whole number: '%s'", v);
			return -1;
		}
		if (x < 0) {
			snprintf(whybuf, whylen, "negative: '%s'", v);
			return -1;
		}
		if (x >= 0x1p63) {
			snprintf(whybuf, whylen, "too large: '%s'", v);
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

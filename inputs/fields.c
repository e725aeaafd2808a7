/*
 * fields.c: the field tables of the three inputs and the value parsers.
 *
 * Code lists (owner types, reasons: geo/codes.h) accept the codes
 * themselves, the SLRB reason codes (R1 works under way, R2 renovation
 * study) and the French and Dutch words people write (the vocabularies
 * below); any other value is refused with the value quoted, never read as
 * "other".  Dates are read by geo/dates.h.
 */
#include "inputs/fields.h"
#include "geo/codes.h"
#include "geo/dates.h"
#include "inputs/text.h"
#include "geo/categories.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const tp_field_def commune_fields[] = {
	{"nis_code", TP_F_TEXT, TP_NEED_VALUE, 0, 0},
	{"name_fr", TP_F_TEXT, TP_NEED_VALUE, 0, 0},
	{"name_nl", TP_F_TEXT, TP_NEED_VALUE, 0, 0},
	{"population", TP_F_INT, TP_NEED_OPTIONAL, 0, 1e7},
};

static const tp_field_def vacancy_fields[] = {
	{"id", TP_F_TEXT, TP_NEED_OPTIONAL, 0, 0},
	{"address", TP_F_TEXT, TP_NEED_OPTIONAL, 0, 0},
	{"postcode", TP_F_POSTCODE, TP_NEED_OPTIONAL, 0, 0},
	{"owner", TP_F_TEXT, TP_NEED_OPTIONAL, 0, 0},
	{"owner_type", TP_F_OWNER, TP_NEED_VALUE, 0, 0},
	{"dwellings", TP_F_INT, TP_NEED_VALUE, 0, 1e4},
	{"reason", TP_F_REASON, TP_NEED_VALUE, 0, 0},
	{"vacant_since", TP_F_DATE, TP_NEED_OPTIONAL, 0, 0},
	{"works_start", TP_F_DATE, TP_NEED_COLUMN, 0, 0},
	{"owner_agreed", TP_F_BOOL, TP_NEED_OPTIONAL, 0, 0},
};

/* A count of people of one category (geo/categories.h): an empty cell is nobody. */
#define COUNT_FIELD(c, fr, nl, aliases) {#c, TP_F_INT, TP_NEED_COLUMN, 1, 1e5},

static const tp_field_def zone_fields[] = {
	{"zone_id", TP_F_TEXT, TP_NEED_VALUE, 0, 0},
	TP_CATEGORIES(COUNT_FIELD)
};

/*
 * Headers recognised without configuration, per field: '|'-separated and
 * folded (tp_text_fold: lower case, no accents, single spaces).  The
 * people categories have theirs, and their labels, in geo/categories.h.
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
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const tp_input_def inputs[TP_IN_COUNT] = {
	{"communes", 0, commune_fields, N(commune_fields), 0, 0},
	{"vacancies", 1, vacancy_fields, N(vacancy_fields), 0, 0},
	{"zones", 0, zone_fields, N(zone_fields), 0, 0},
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
	const tp_category *cat;
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
	cat = tp_category_find(f->name);
	if (cat) {
		char fr[256], nl[256];
		tp_text_fold(cat->fr, fr, sizeof(fr), 0);
		tp_text_fold(cat->nl, nl, sizeof(nl), 0);
		if (!strcmp(h, fr) || !strcmp(h, nl) || in_list(cat->aliases, h))
			return 1;
	}
	return 0;
}

/* A vocabulary entry: what people write -> tremplin's code (geo/codes.h). */
typedef struct {
	const char *word;  /* compared case-insensitively, after trimming */
	const char *code;  /* canonical code */
} synonym;

/* Words other than the codes themselves, folded (tp_text_fold), so case and
 * accents do not matter. */
static const synonym owner_words[] = {
	{"ovm", "sisp"}, {"slrb", "sisp"}, {"bghm", "sisp"},
	{"shm", "sisp"}, {"societe immobiliere de service public", "sisp"},
	{"openbare vastgoedmaatschappij", "sisp"}, {"logement social", "sisp"},
	{"sociale huisvesting", "sisp"}, {"social", "sisp"},
	{"svk", "ais"}, {"agence immobiliere sociale", "ais"},
	{"sociaal verhuurkantoor", "ais"},
	{"ocmw", "cpas"},
	{"gemeente", "commune"}, {"communal", "commune"},
	{"municipal", "commune"}, {"administration communale", "commune"},
	{"gemeentebestuur", "commune"},
	{"regie fonciere", "regie"}, {"grondregie", "regie"},
	{"regie fonciere regionale", "regie"}, {"gewestelijke grondregie", "regie"},
	{"citydev brussels", "citydev"}, {"sdrb", "citydev"},
	{"gom", "citydev"},
	{"prive", "private"}, {"privaat", "private"},
	{"particulier", "private"}, {"proprietaire prive", "private"},
	{"prive eigenaar", "private"}, {"private eigenaar", "private"},
	{"particuliere eigenaar", "private"},
};

static const synonym reason_words[] = {
	{"r1", "works"}, {"travaux", "works"},
	{"travaux en cours", "works"}, {"en travaux", "works"}, {"chantier", "works"},
	{"chantier en cours", "works"}, {"renovation en cours", "works"}, {"werken", "works"},
	{"werken bezig", "works"}, {"lopende werken", "works"}, {"in werken", "works"},
	{"werf", "works"}, {"renovatie bezig", "works"}, {"works under way", "works"},
	{"r2", "study"}, {"etude", "study"}, {"en etude", "study"},
	{"etude de renovation", "study"}, {"renovation a l etude", "study"},
	{"en cours d etude", "study"}, {"studie", "study"}, {"in studie", "study"},
	{"renovatiestudie", "study"}, {"renovation study", "study"},
	{"financement", "financing"},
	{"en attente de financement", "financing"}, {"attente financement", "financing"},
	{"financiering", "financing"}, {"wacht op financiering", "financing"},
	{"in afwachting van financiering", "financing"}, {"awaiting financing", "financing"},
	{"attribution", "allocation"},
	{"en cours d attribution", "allocation"}, {"attribution en cours", "allocation"},
	{"en attribution", "allocation"},
	{"relocation", "allocation"}, {"toewijzing", "allocation"},
	{"in toewijzing", "allocation"}, {"wordt toegewezen", "allocation"},
	{"verhuring", "allocation"},
	{"remise en etat", "repair"}, {"reparation", "repair"},
	{"en reparation", "repair"}, {"petits travaux", "repair"}, {"herstel", "repair"},
	{"herstelling", "repair"}, {"in herstel", "repair"}, {"opknapwerken", "repair"},
	{"autre", "other"}, {"autres", "other"}, {"divers", "other"},
	{"andere", "other"}, {"overige", "other"}, {"varia", "other"},
};

/* Copies s into out without leading and trailing blanks; 1 when it had to cut it short. */
static int trim_copy(const char *s, char *out, size_t outlen)
{
	size_t n;
	int cut = 0;

	while (*s && isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= outlen) {
		/* cut short: never end on a blank, so the copy reads back as itself */
		cut = 1;
		n = outlen - 1;
		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return cut;
}

/* 1 when s is only lower-case ASCII letters (and not empty): it folds to
 * itself (tp_text_fold), so a code list can be searched with it as is. */
static int plain_word(const char *s)
{
	const char *p = s;

	while (*p >= 'a' && *p <= 'z')
		p++;
	return p > s && !*p;
}

/* Joins runs of one-letter words, as an abbreviation written with dots
 * folds ("s i s p" -> "sisp"), in place. */
static void join_letters(char *w)
{
	char *o = w, *p = w;

	while (*p) {
		int single = (p == w || p[-1] == ' ') && p[0] != ' ' && (p[1] == ' ' || !p[1]);
		*o++ = *p++;
		if (single && *p == ' ' && p[1] && p[1] != ' ' && (p[2] == ' ' || !p[2]))
			p++; /* the space between two single letters */
	}
	*o = '\0';
}

/* The words of folded w sorted, space-separated, into out: the same words
 * in another order give the same text. */
static void sorted_words(const char *w, char *out, size_t outlen)
{
	char buf[256], *tok[32], *save = NULL, *t;
	size_t n = 0, i, j, used = 0;

	snprintf(buf, sizeof(buf), "%s", w);
	for (t = strtok_r(buf, " ", &save); t && n < 32; t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(tok[j - 1], tok[j]) > 0; j--) {
			t = tok[j];
			tok[j] = tok[j - 1];
			tok[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n && used + 1 < outlen; i++) {
		int k = snprintf(out + used, outlen - used, "%s%s", i ? " " : "", tok[i]);
		used += k > 0 ? (size_t)k : 0;
	}
}

/* The code folded w names: a code itself, a leading SLRB code ("r1 ..."),
 * a vocabulary word, the same with abbreviations' letters joined, or the
 * same words in another order; NULL when none. */
static const tp_code *match(const tp_code_list *codes, const synonym *list, size_t n,
			    const char *folded)
{
	const tp_code *c;
	char w[256], sw[256], sl[256];
	size_t i;

	snprintf(w, sizeof(w), "%s", folded);
	if (w[0] == 'r' && isdigit((unsigned char)w[1]) && w[2] == ' ')
		w[2] = '\0';
	c = tp_code_find(codes, w);
	for (i = 0; !c && i < n; i++)
		if (strcmp(list[i].word, w) == 0)
			c = tp_code_find(codes, list[i].code);
	if (c)
		return c;
	join_letters(w);
	c = tp_code_find(codes, w);
	for (i = 0; !c && i < n; i++)
		if (strcmp(list[i].word, w) == 0)
			c = tp_code_find(codes, list[i].code);
	sorted_words(w, sw, sizeof(sw));
	for (i = 0; !c && i < n && strchr(sw, ' '); i++) {
		sorted_words(list[i].word, sl, sizeof(sl));
		if (strcmp(sl, sw) == 0)
			c = tp_code_find(codes, list[i].code);
	}
	return c;
}

/* Looks v up (match() after folding); else a known code or word inside
 * parentheses ("Société immobilière de service public (SISP)"). */
static int lookup(const tp_code_list *codes, const synonym *list, size_t n, const char *v,
		  char *out, size_t outlen)
{
	const tp_code *c;
	const char *open = strchr(v, '('), *close = open ? strchr(open, ')') : NULL;
	char w[256], inner[256];

	/* a code written as the code ("sisp", "works"): what match() finds first */
	if (strlen(v) < sizeof(w) && plain_word(v) && (c = tp_code_find(codes, v)) != NULL) {
		tp_text_copy(out, outlen, c->code);
		return 1;
	}
	tp_text_fold(v, w, sizeof(w), 0);
	c = match(codes, list, n, w);
	if (!c && close && (size_t)(close - open) < sizeof(inner)) {
		char raw[256];
		memcpy(raw, open + 1, (size_t)(close - open - 1));
		raw[close - open - 1] = '\0';
		tp_text_fold(raw, inner, sizeof(inner), 0);
		c = match(codes, list, n, inner);
	}
	if (!c)
		return 0;
	tp_text_copy(out, outlen, c->code);
	return 1;
}

/* The code a single-word entry of list, a code or a code's name names, if
 * folded word w is one; NULL otherwise. */
static const char *word_code(const tp_code_list *codes, const synonym *list, size_t n,
			     const char *w)
{
	char fr[64], nl[64];
	size_t i;
	int k;

	for (k = 0; k < codes->n; k++) {
		tp_text_fold(codes->codes[k].fr, fr, sizeof(fr), 0);
		tp_text_fold(codes->codes[k].nl, nl, sizeof(nl), 0);
		if (!strcmp(w, codes->codes[k].code) || !strcmp(w, fr) || !strcmp(w, nl))
			return codes->codes[k].code;
	}
	for (i = 0; i < n; i++)
		if (!strchr(list[i].word, ' ') && !strcmp(list[i].word, w))
			return list[i].code;
	return NULL;
}

const char *tp_field_guess(const tp_field_def *f, const char *raw)
{
	const tp_code_list *codes = f->kind == TP_F_OWNER ? &tp_owner_types : &tp_reasons;
	const synonym *list = f->kind == TP_F_OWNER ? owner_words : reason_words;
	size_t n = f->kind == TP_F_OWNER ? N(owner_words) : N(reason_words);
	char w[256], *tok, *save = NULL;
	const char *code = NULL;

	if (f->kind != TP_F_OWNER && f->kind != TP_F_REASON)
		return NULL;
	tp_text_fold(raw, w, sizeof(w), 0);
	for (tok = strtok_r(w, " ", &save); tok && !code; tok = strtok_r(NULL, " ", &save))
		if (strlen(tok) >= 3)
			code = word_code(codes, list, n, tok);
	return code;
}

/*
 * s as a plain decimal, [+-]digits[.digits], of at most 15 digits: 0 with
 * *out, exactly strtod's value (the digits as a whole number below 2^53
 * and the power of ten up to 1e15 are exact doubles, and one division of
 * exact doubles is correctly rounded, as strtod is); -1 for anything else,
 * which strtod reads.  strtod cost 870 instructions a coordinate, the
 * second of load's costs per record after OGR.
 */
static int plain_decimal(const char *s, double *out)
{
	static const double ten[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	long long m = 0;
	int digits = 0, frac = -1, neg = *s == '-';

	s += *s == '-' || *s == '+';
	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 15)
				return -1;
			m = m * 10 + (*s - '0');
			frac += frac >= 0;
		} else if (*s == '.' && frac < 0) {
			frac = 0;
		} else {
			break;
		}
	}
	if (*s || !digits)
		return -1;
	*out = frac > 0 ? (double)m / ten[frac] : (double)m;
	if (neg)
		*out = -*out;
	return 0;
}

int tp_parse_double(const char *s, double *out)
{
	char buf[64], *end = NULL, *c;

	/* 64 characters or more are cut short: "5.000...0 logements" is not 5 */
	if (trim_copy(s, buf, sizeof(buf)) || !buf[0])
		return -1;
	c = strchr(buf, ',');
	if (c) {
		if (strchr(buf, '.') || strchr(c + 1, ','))
			return -1;
		*c = '.';
	}
	if (!plain_decimal(buf, out))
		return 0;
	errno = 0;
	*out = strtod(buf, &end);
	if (errno || *end || end == buf || *out != *out)
		return -1;
	return 0;
}

/* Words that make a row the total of the rows above it, folded. */
static const char total_words[] = "total|totaal|totaux|total general|totaal generaal|"
				  "grand total|somme|som|sum|totalen";

int tp_field_is_total(const char *cell)
{
	char w[256];

	/* folding keeps digits, and no total word has one: an id, a number or
	 * a date is never a total (the first cell of nearly every row) */
	if (strpbrk(cell, "0123456789"))
		return 0;
	tp_text_fold(cell, w, sizeof(w), 0);
	return w[0] && in_list(total_words, w);
}

/* Words that, in an optional date, say there is no date yet (folded; text
 * of punctuation only, "-" or "?", folds to "" and says the same). */
static const char no_date_words[] =
	"a determiner|a definir|a preciser|indetermine|inconnu|inconnue|pas de date|"
	"onbekend|te bepalen|nog te bepalen|geen datum|n c|nc|nd|n d|nvt|n v t|na|n a|"
	"unknown|tbd";

static int no_date(const char *v)
{
	char w[128];

	/* a digit first folds to itself, and no word of the list starts with one */
	if (*v >= '0' && *v <= '9')
		return 0;
	tp_text_fold(v, w, sizeof(w), 0);
	return !w[0] || in_list(no_date_words, w);
}

/* Reads a whole number followed by words ("12 (dont 3 studios)",
 * "12 logements"): 0 with it in *x, or -1.  A number followed by digits
 * ("12 000") is not one. */
static int leading_whole(const char *v, double *x)
{
	size_t n = strspn(v, "0123456789"), sp;

	if (!n || n > 9 || !isspace((unsigned char)v[n]))
		return -1;
	sp = n + strspn(v + n, " \t");
	if (v[sp] != '(' && !isalpha((unsigned char)v[sp]) && (unsigned char)v[sp] < 0x80)
		return -1;
	*x = (double)atol(v);
	return 0;
}

int tp_field_parse(const tp_field_def *f, const char *raw, char *out,
		   size_t outlen, char *whybuf, size_t whylen)
{
	char v[512], expected[160];
	tp_date_precision prec;
	tp_date date;
	double x;

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
		tp_text_copy(out, outlen, v);
		return 1;
	case TP_F_INT: {
		int approx = 0; /* a number followed by words: read with a note */
		size_t nd = strspn(v, "0123456789");

		/* digits only, at most 15: exact as a double, so what the general
		 * path below writes, without strtod and snprintf */
		if (nd && nd <= 15 && !v[nd]) {
			long long k = 0;
			char digits[16];
			size_t i, m = 0;
			for (i = 0; i < nd; i++)
				k = k * 10 + (v[i] - '0');
			if (!(f->max > 0 && (double)k > f->max) && outlen > nd) {
				do
					digits[m++] = (char)('0' + k % 10);
				while ((k /= 10) != 0);
				for (i = 0; i < m; i++)
					out[i] = digits[m - 1 - i];
				out[m] = '\0';
				return 1;
			}
		}
		if (tp_parse_double(v, &x)) {
			if (leading_whole(v, &x)) {
				snprintf(whybuf, whylen, "not a whole number: '%s'", v);
				return -1;
			}
			approx = 1;
		} else if (fabs(x) < 0x1p63 && x != (double)(long long)x) {
			/* the cast is defined only inside long long's range (|x| < 2^63) */
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
		if (f->max > 0 && x > f->max) {
			snprintf(whybuf, whylen, "too large: '%s' (at most %.0f)", v, f->max);
			return -1;
		}
		snprintf(out, outlen, "%lld", (long long)x);
		if (approx)
			snprintf(whybuf, whylen, "read '%s' as %lld", v, (long long)x);
		return 1;
	}
	case TP_F_DATE:
		if (f->need != TP_NEED_VALUE && no_date(v))
			return 0;
		if (tp_date_parse_period(&date, &prec, v)) {
			snprintf(whybuf, whylen,
				 "not a date (expected dd/mm/yyyy, yyyy-mm-dd, a month 03/2027,"
				 " a quarter T3 2027 or a year): '%s'", v);
			return -1;
		}
		tp_date_format(out, outlen, date);
		if (prec != TP_DATE_DAY)
			snprintf(whybuf, whylen, "%s", tp_date_precision_name(prec));
		return 1;
	case TP_F_POSTCODE:
		/* "1000 Bruxelles", "1000 Brussel": the number is the postcode */
		if (strlen(v) > 4 && strspn(v, "0123456789") == 4 && isspace((unsigned char)v[4]))
			v[4] = '\0';
		tp_text_copy(out, outlen, v);
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
		if (lookup(&tp_owner_types, owner_words, N(owner_words), v, out, outlen))
			return 1;
		snprintf(whybuf, whylen, "unknown owner type '%s' (expected %s)", v,
			 tp_code_expected(&tp_owner_types, expected, sizeof(expected)));
		return -1;
	case TP_F_REASON:
		if (lookup(&tp_reasons, reason_words, N(reason_words), v, out, outlen))
			return 1;
		snprintf(whybuf, whylen, "unknown vacancy reason '%s' (expected %s)", v,
			 tp_code_expected(&tp_reasons, expected, sizeof(expected)));
		return -1;
	}
	return -1;
}

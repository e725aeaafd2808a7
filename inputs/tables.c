/*
 * tables.c: the occupation register's and the indicator tables' fields,
 * and the two values only the register holds: a status and a list of
 * dates (tables.h).
 */
#include "inputs/tables.h"
#include "geo/dates.h"
#include "inputs/text.h"

#include <stdio.h>
#include <string.h>

static const tp_field_def occupation_fields[] = {
	{"site", TP_F_TEXT, TP_NEED_VALUE, 0, 0},
	{"operator", TP_F_TEXT, TP_NEED_OPTIONAL, 0, 0},
	{"support", TP_F_TEXT, TP_NEED_OPTIONAL, 0, 0},
	{"owner_type", TP_F_OWNER, TP_NEED_OPTIONAL, 0, 0},
	{"dwellings", TP_F_INT, TP_NEED_VALUE, 0, 1e4},
	{"vacancy_id", TP_F_TEXT, TP_NEED_OPTIONAL, 0, 0},
	{"address", TP_F_TEXT, TP_NEED_OPTIONAL, 0, 0},
	{"postcode", TP_F_POSTCODE, TP_NEED_OPTIONAL, 0, 0},
	{"start", TP_F_DATE, TP_NEED_VALUE, 0, 0},
	{"planned_end", TP_F_DATE, TP_NEED_OPTIONAL, 0, 0},
	{"extensions", TP_F_TEXT, TP_NEED_OPTIONAL, 0, 0},
	{"actual_end", TP_F_DATE, TP_NEED_OPTIONAL, 0, 0},
	{"status", TP_F_TEXT, TP_NEED_OPTIONAL, 0, 0},
	{"people_housed", TP_F_INT, TP_NEED_OPTIONAL, 0, 1e5},
	{"people_moved_on", TP_F_INT, TP_NEED_OPTIONAL, 0, 1e5},
};

static const tp_field_def indicator_fields[] = {
	{"nis_code", TP_F_TEXT, TP_NEED_VALUE, 0, 0},
	{"value", TP_F_INT, TP_NEED_VALUE, 0, 1e7},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const tp_input_def occupations = {"occupations", 1, occupation_fields,
					 N(occupation_fields), 1, 0};
static const tp_input_def indicators = {"indicators", 0, indicator_fields,
					N(indicator_fields), 0, 1};

const tp_input_def *tp_occupation_def(void)
{
	return &occupations;
}

const tp_input_def *tp_indicator_def(void)
{
	return &indicators;
}

/* Words of a status, folded (tp_text_fold), and the code each means. */
static const struct {
	const char *word;
	const char *code;
} status_words[] = {
	{"planned", "planned"}, {"prevu", "planned"}, {"prevue", "planned"},
	{"a venir", "planned"}, {"gepland", "planned"}, {"in voorbereiding", "planned"},
	{"running", "running"}, {"en cours", "running"}, {"lopend", "running"},
	{"actif", "running"}, {"active", "running"}, {"actief", "running"},
	{"extended", "running"}, {"prolonge", "running"}, {"prolongee", "running"},
	{"verlengd", "running"}, {"ouvert", "running"}, {"open", "running"},
	{"ended", "ended"}, {"closed", "ended"}, {"cloture", "ended"}, {"cloturee", "ended"},
	{"termine", "ended"}, {"terminee", "ended"}, {"fini", "ended"}, {"ferme", "ended"},
	{"afgelopen", "ended"}, {"beeindigd", "ended"}, {"gesloten", "ended"},
	{"afgesloten", "ended"},
};

const char *tp_occupation_status(const char *raw)
{
	char w[128];
	size_t i;

	if (!raw)
		return NULL;
	tp_text_fold(raw, w, sizeof(w), 0);
	for (i = 0; i < N(status_words); i++)
		if (!strcmp(w, status_words[i].word))
			return status_words[i].code;
	return NULL;
}

int tp_dates_list_parse(const char *raw, char *out, size_t outlen, char *why, size_t whylen)
{
	const char *p = raw ? raw : "";
	size_t used = 0;
	long last = 0;
	int n = 0;

	out[0] = '\0';
	why[0] = '\0';
	while (*p) {
		size_t len = strcspn(p, ";,|\n\r");
		char item[64];
		const char *s = p, *e = p + len;
		tp_date d;
		tp_date_precision prec;
		long days;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		p += len + (p[len] != '\0');
		if (s == e)
			continue;
		snprintf(item, sizeof(item), "%.*s", (int)(e - s), s);
		if ((size_t)(e - s) >= sizeof(item) || tp_date_parse_period(&d, &prec, item)) {
			snprintf(why, whylen, "not a date: '%.*s'", (int)(e - s > 60 ? 60 : e - s), s);
			return -1;
		}
		days = tp_date_days(d);
		if (n && days <= last) {
			snprintf(why, whylen, "'%s' is not after the extension before it", item);
			return -1;
		}
		if (used + 12 > outlen) {
			snprintf(why, whylen, "too many dates");
			return -1;
		}
		used += (size_t)snprintf(out + used, outlen - used, "%s%04d-%02d-%02d", n ? ";" : "",
					 d.y, d.m, d.d);
		last = days;
		n++;
	}
	return n;
}

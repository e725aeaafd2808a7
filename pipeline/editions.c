/*
 * editions.c: the count's editions in the config (editions.h): the keys
 * of [zones] and [zones.LABEL] that are not an input's, and the checks
 * once the config is read.
 */
#include "pipeline/editions.h"
#include "geo/dates.h"
#include "geo/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tp_edition *tp_edition_get(tp_config *cfg, const char *label)
{
	tp_edition *grown, *e;
	size_t i;
	int k;

	for (i = 0; i < cfg->neditions; i++) {
		e = &cfg->editions[i];
		if (label ? !e->current && !strcmp(e->label, label) : e->current)
			return e;
	}
	grown = realloc(cfg->editions, (cfg->neditions + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	cfg->editions = grown;
	e = &grown[cfg->neditions];
	memset(e, 0, sizeof(*e));
	e->current = label == NULL;
	if (label && !(e->label = strdup(label)))
		return NULL;
	for (k = 0; k < TP_NCATEGORIES; k++)
		e->counted[k] = 1;
	cfg->neditions++;
	return e;
}

/* Reads a list of category names ("public_space, squat") into e->counted. */
static int categories_key(tp_edition *e, const char *value, char *why, size_t len)
{
	char *copy = strdup(value), *tok, *save = NULL;
	int k, any = 0;

	if (!copy)
		return snprintf(why, len, "out of memory"), -1;
	for (k = 0; k < TP_NCATEGORIES; k++)
		e->counted[k] = 0;
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		for (k = 0; k < TP_NCATEGORIES && strcmp(tp_people[k].name, tok); k++)
			;
		if (k == TP_NCATEGORIES) {
			char expected[256];
			tp_edition_categories(&(tp_edition){.counted = {1, 1, 1, 1, 1, 1}}, expected,
					      sizeof(expected));
			snprintf(why, len, "unknown category '%s' (expected %s)", tok, expected);
			free(copy);
			return -1;
		}
		e->counted[k] = 1;
		any = 1;
	}
	free(copy);
	if (!any)
		return snprintf(why, len, "no category: name those the edition counted"), -1;
	e->categories_set = 1;
	return 1;
}

int tp_edition_key(tp_edition *e, const char *name, const char *value, char *why, size_t len)
{
	if (!strcmp(name, "date")) {
		tp_date d;
		if (tp_date_parse(&d, value))
			return snprintf(why, len, "not a date: '%s'", value), -1;
		tp_date_format(e->date, sizeof(e->date), d);
		return 1;
	}
	if (!strcmp(name, "categories"))
		return categories_key(e, value, why, len);
	if (!strcmp(name, "edition") && e->current) {
		if (!value[0])
			return snprintf(why, len, "empty: give the edition's label, e.g. 2024"), -1;
		free(e->label);
		e->label = strdup(value);
		return e->label ? 1 : (snprintf(why, len, "out of memory"), -1);
	}
	return 0;
}

void tp_edition_categories(const tp_edition *e, char *buf, size_t len)
{
	size_t used = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < TP_NCATEGORIES && used < len; k++)
		if (e->counted[k])
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 tp_people[k].name);
}

static int by_date(const void *a, const void *b)
{
	return strcmp(((const tp_edition *)a)->date, ((const tp_edition *)b)->date);
}

/* "zones" or "zones.LABEL", the section of e. */
static const char *section_of(const tp_edition *e, char *buf, size_t len)
{
	if (e->current)
		return "zones";
	snprintf(buf, len, "zones.%s", e->label);
	return buf;
}

int tp_editions_finish(tp_config *cfg)
{
	tp_edition *cur = NULL;
	char s1[300], s2[300];
	size_t i, j, earlier = 0;

	for (i = 0; i < cfg->neditions; i++) {
		if (cfg->editions[i].current)
			cur = &cfg->editions[i];
		else
			earlier++;
	}
	if (!earlier) {
		/* one edition: [zones]'s categories still say which columns it needs */
		if (cur)
			for (j = 0; j < TP_NCATEGORIES; j++)
				cfg->inputs[TP_IN_ZONES].absent[j + 1] = !cur->counted[j];
		tp_editions_dispose(cfg);
		return TP_OK;
	}
	if (!cur && !(cur = tp_edition_get(cfg, NULL)))
		return tp_error_set(TP_ERROR, "out of memory");
	if (!cur->label && cur->date[0]) {
		char year[5];
		memcpy(year, cur->date, 4);
		year[4] = '\0';
		if (!(cur->label = strdup(year)))
			return tp_error_set(TP_ERROR, "out of memory");
	}
	for (i = 0; i < cfg->neditions; i++) {
		tp_edition *e = &cfg->editions[i];
		const char *sec = section_of(e, s1, sizeof(s1));
		if (!e->date[0])
			return tp_error_set(TP_ECONFIG, "%s: [%s] date: missing: each edition needs the"
					    " date of its count, e.g. date = 2022-11-07", cfg->path, sec);
		if (!e->current && !e->in.path)
			return tp_error_set(TP_ECONFIG, "%s: [%s] path: missing: the file of the"
					    " edition's count zones", cfg->path, sec);
		for (j = 0; j < i; j++) {
			const tp_edition *o = &cfg->editions[j];
			if (!strcmp(o->date, e->date) || !strcmp(o->label, e->label))
				return tp_error_set(TP_ECONFIG, "%s: [%s] %s: the same as [%s]'s ('%s')",
						    cfg->path, sec, strcmp(o->date, e->date) ? "edition"
						    : "date", section_of(o, s2, sizeof(s2)),
						    strcmp(o->date, e->date) ? e->label : e->date);
		}
		if (!e->current && strcmp(e->date, cur->date) > 0)
			return tp_error_set(TP_ECONFIG, "%s: [%s] date: %s is after [zones]'s (%s):"
					    " [zones] holds the latest edition", cfg->path, sec,
					    e->date, cur->date);
		/* a category the edition did not count needs no column (field k + 1: after zone_id) */
		for (j = 0; j < TP_NCATEGORIES; j++)
			(e->current ? &cfg->inputs[TP_IN_ZONES] : &e->in)->absent[j + 1] = !e->counted[j];
	}
	qsort(cfg->editions, cfg->neditions, sizeof(*cfg->editions), by_date);
	return TP_OK;
}

void tp_editions_dispose(tp_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->neditions; i++) {
		free(cfg->editions[i].label);
		tp_input_cfg_dispose(&cfg->editions[i].in);
	}
	free(cfg->editions);
	cfg->editions = NULL;
	cfg->neditions = 0;
}

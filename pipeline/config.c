/*
 * config.c: the INI config file into a tp_config.
 */
#include "pipeline/config.h"
#include "pipeline/editions.h"
#include "inputs/file.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "inputs/tables.h"
#include "inputs/text.h"
#include "outputs/pg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


typedef struct {
	tp_config *cfg;   /* being filled */
	char dir[4096];   /* folder of the config file, with trailing '/' */
	int failed;       /* set once an error is recorded */
} parse_state;

static char *resolve(const char *dir, const char *path)
{
	size_t n;
	char *s;

	if (path[0] == '/' || !dir[0])
		return strdup(path);
	n = strlen(dir) + strlen(path) + 1;
	s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s", dir, path);
	return s;
}

static int set_str(char **slot, const char *value)
{
	free(*slot);
	*slot = strdup(value);
	return *slot != NULL;
}

static int fail(parse_state *st, const char *section, const char *name,
		const char *fmt, const char *value)
{
	char why[512];

	if (st->failed)
		return 0;
	snprintf(why, sizeof(why), fmt, value);
	tp_error_set(TP_ECONFIG, "%s: [%s] %s: %s", st->cfg->path, section, name, why);
	st->failed = 1;
	return 0;
}

/* Reads value as a number within lo..hi into *out; nan, inf and anything
 * outside the range fail naming section and key. */
static int number_key(parse_state *st, const char *section, const char *name,
		      const char *value, double lo, double hi, double *out)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(value, &end);
	if (errno || end == value || *end || !isfinite(v))
		return fail(st, section, name, "not a number: '%s'", value);
	if (v < lo || v > hi) {
		char why[160];
		snprintf(why, sizeof(why), "'%s' is out of range (%g to %g)", value, lo, hi);
		return fail(st, section, name, "%s", why);
	}
	*out = v;
	return 1;
}

static int run_key(parse_state *st, const char *name, const char *value)
{
	tp_config *cfg = st->cfg;

	if (!strcmp(name, "crs"))
		return set_str(&cfg->crs, value);
	if (!strcmp(name, "note"))
		return set_str(&cfg->note, value);
	if (!strcmp(name, "sources"))
		return set_str(&cfg->sources, value);
	if (!strcmp(name, "reference_date")) {
		tp_date date;
		if (tp_date_parse(&date, value))
			return fail(st, "run", name, "not a date: '%s'", value);
		tp_date_format(cfg->reference_date, sizeof(cfg->reference_date), date);
		return 1;
	}
	/* a window of up to 50 years; up to 20 people per dwelling */
	if (!strcmp(name, "min_window_months"))
		return number_key(st, "run", name, value, 0, 600, &cfg->min_window_months);
	if (!strcmp(name, "occupancy"))
		return number_key(st, "run", name, value, 0, 20, &cfg->occupancy);
	return fail(st, "run", name, "unknown key%s", "");
}

static int parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on"))
		*out = 1;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
		 !strcasecmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int outputs_key(parse_state *st, const char *name, const char *value)
{
	tp_config *cfg = st->cfg;

	if (!strcmp(name, "indicator"))
		return set_str(&cfg->indicator, value);
	if (!strcmp(name, "language")) {
		if (strcmp(value, "fr") && strcmp(value, "nl") && strcmp(value, "both"))
			return fail(st, "outputs", name, "expected fr, nl or both, not '%s'", value);
		return set_str(&cfg->language, value);
	}
	if (!strcmp(name, "internal") || !strcmp(name, "maps") || !strcmp(name, "dashboard")) {
		int *slot = name[0] == 'i' ? &cfg->internal : name[0] == 'm' ? &cfg->maps
									   : &cfg->dashboard;
		if (parse_bool(value, slot))
			return fail(st, "outputs", name, "expected yes or no, not '%s'", value);
		return 1;
	}
	/* suppression cannot be turned off from the config: 1 at the least */
	if (!strcmp(name, "small_cell_threshold"))
		return number_key(st, "outputs", name, value, 1, 1000, &cfg->small_cell_threshold);
	if (!strcmp(name, "database") || !strcmp(name, "schema")) {
		char why[256];
		if (tp_config_database(cfg, name, value, why, sizeof(why)))
			return fail(st, "outputs", name, "%s", why);
		return 1;
	}
	return fail(st, "outputs", name, "unknown key%s", "");
}

/*
 * An input's path that is a PostgreSQL connection (README, "Inputs from the
 * database"): *out becomes it as tp_pg_conn_parse() writes it.  It names no
 * password: an input's path is printed in messages and kept in the outputs
 * (rejects, input_stats), so the password belongs in ~/.pgpass or
 * PGPASSWORD.  0 (not a connection: *out untouched), 1, or 0 after fail().
 */
static int database_path(parse_state *st, const char *section, const char *value, char **out)
{
	char why[512], *conn = NULL, *masked;
	int rc;

	if (strncasecmp(value, "PG:", 3) && strncasecmp(value, "postgresql://", 13))
		return 0;
	rc = tp_pg_conn_parse(value, &conn, why, sizeof(why));
	if (rc == -2)
		return fail(st, section, "path", "out of memory%s", "");
	if (rc < 0)
		return fail(st, section, "path", "%s", why);
	masked = tp_pg_mask(conn);
	if (!masked || strcmp(masked, conn)) {
		free(conn);
		free(masked);
		return fail(st, section, "path",
			    "a database connection that holds a password%s: put the password in"
			    " ~/.pgpass or PGPASSWORD, not in the config (an input's path is printed"
			    " in messages and kept in the outputs)", "");
	}
	free(masked);
	free(*out);
	*out = conn;
	return 1;
}

static int input_key(parse_state *st, tp_input_cfg *in, const tp_input_def *def,
		     const char *section, const char *name, const char *value)
{
	int i;

	if (!strcmp(name, "path")) {
		if (!strncasecmp(value, "PG:", 3) || !strncasecmp(value, "postgresql://", 13))
			return database_path(st, section, value, &in->path);
		free(in->path);
		in->path = resolve(st->dir, value);
		return in->path != NULL;
	}
	if (!strcmp(name, "layer"))
		return set_str(&in->layer, value);
	if (!strcmp(name, "crs"))
		return set_str(&in->crs, value);
	if (!strcmp(name, "header_row")) {
		char *end = NULL;
		errno = 0;
		in->header_row = strtol(value, &end, 10);
		if (errno || end == value || *end || in->header_row < 1)
			return fail(st, section, name, "not a row number (1 or more): '%s'", value);
		return 1;
	}
	if (!strcmp(name, "x") && def->points)
		return set_str(&in->x, value);
	if (!strcmp(name, "y") && def->points)
		return set_str(&in->y, value);
	i = tp_input_def_field(def, name);
	if (i < 0)
		return fail(st, section, name,
			    "unknown key%s (expected path, layer, crs, header_row, x, y or a field "
			    "name)", "");
	return set_str(&in->map[i], value);
}

/* A line of [input.field]: the source value `name` is read as `value`,
 * which must be a value the field accepts. */
static int mapping_key(parse_state *st, tp_input_cfg *in, const tp_input_def *def, int field,
		       const char *section, const char *name, const char *value)
{
	const tp_field_def *f = &def->fields[field];
	tp_value_map *m = &in->values[field];
	char out[256], why[256], folded[256];
	char **from, **to;

	if (!strcmp(value, "?") || tp_field_parse(f, value, out, sizeof(out), why, sizeof(why)) != 1) {
		char expected[512];
		snprintf(expected, sizeof(expected), "'%s' is not a value of %s%s%s", value, f->name,
			 why[0] && strcmp(value, "?") ? ": " : "",
			 strcmp(value, "?") ? why : "; replace '?' with one of its codes");
		return fail(st, section, name, "%s", expected);
	}
	tp_text_fold(name, folded, sizeof(folded), 0);
	from = realloc(m->from, (m->n + 1) * sizeof(*from));
	if (from)
		m->from = from;
	to = from ? realloc(m->to, (m->n + 1) * sizeof(*to)) : NULL;
	if (!to)
		return 0;
	m->to = to;
	m->from[m->n] = strdup(folded);
	m->to[m->n] = strdup(out);
	if (!m->from[m->n] || !m->to[m->n]) {
		free(m->from[m->n]);
		free(m->to[m->n]);
		return 0;
	}
	m->n++;
	return 1;
}

static int addresses_key(parse_state *st, const char *name, const char *value)
{
	tp_address_cfg *a = &st->cfg->addresses;

	if (!strcmp(name, "path")) {
		if (!strncasecmp(value, "PG:", 3) || !strncasecmp(value, "postgresql://", 13))
			return database_path(st, "addresses", value, &a->path);
		free(a->path);
		a->path = resolve(st->dir, value);
		return a->path != NULL;
	}
	if (!strcmp(name, "layer"))
		return set_str(&a->layer, value);
	if (!strcmp(name, "crs"))
		return set_str(&a->crs, value);
	if (!strcmp(name, "street_fr"))
		return set_str(&a->street_fr, value);
	if (!strcmp(name, "street_nl"))
		return set_str(&a->street_nl, value);
	if (!strcmp(name, "number"))
		return set_str(&a->number, value);
	if (!strcmp(name, "postcode"))
		return set_str(&a->postcode, value);
	return fail(st, "addresses", name, "unknown key%s (expected path, layer, crs, street_fr, "
		    "street_nl, number or postcode)", "");
}

/* [vacancies] date: a snapshot's date, written yyyy-mm-dd (or as dates are). */
static int snapshot_date(parse_state *st, const char *section, const char *name,
			 const char *value, char *out)
{
	tp_date date;

	if (tp_date_parse(&date, value))
		return fail(st, section, name, "not a date: '%s'", value);
	tp_date_format(out, 11, date);
	return 1;
}

/*
 * A section [vacancies.YYYY-MM-DD] or [vacancies.YYYY-MM-DD.field]: an
 * earlier vacancy snapshot, or its value mappings.  *field points past
 * "vacancies."; when it starts with a date, *in becomes that snapshot's
 * (added on first sight) and *field what follows the date ("" or the
 * field).  0 when it is no date (a field's mappings), -1 on failure.
 */
static int snapshot_section(parse_state *st, const char **field, tp_input_cfg **in)
{
	tp_config *cfg = st->cfg;
	char date[16];
	tp_date d;
	size_t i, n = strcspn(*field, ".");
	tp_snapshot_cfg *grown;

	if (n != 10 || (*field)[4] != '-')
		return 0;
	memcpy(date, *field, 10);
	date[10] = '\0';
	if (tp_date_parse_iso(&d, date))
		return 0;
	*field += 10 + ((*field)[10] == '.');
	for (i = 0; i < cfg->nsnapshots; i++)
		if (!strcmp(cfg->snapshots[i].date, date)) {
			*in = &cfg->snapshots[i].in;
			return 1;
		}
	grown = realloc(cfg->snapshots, (cfg->nsnapshots + 1) * sizeof(*grown));
	if (!grown) {
		tp_error_set(TP_ERROR, "out of memory");
		st->failed = 1;
		return -1;
	}
	cfg->snapshots = grown;
	memset(&grown[cfg->nsnapshots], 0, sizeof(*grown));
	memcpy(grown[cfg->nsnapshots].date, date, 11);
	*in = &grown[cfg->nsnapshots++].in;
	return 1;
}

/* The table of [indicators] called name, or NULL. */
static tp_indicator_cfg *indicator_named(tp_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nindicators; i++)
		if (!strcmp(cfg->indicators[i].name, name))
			return &cfg->indicators[i];
	return NULL;
}

/* A new indicator table called name, read from the column called name
 * unless its section says otherwise ("value = "); NULL after fail() or
 * when out of memory.  name becomes a column of the outputs: lower case
 * letters, digits and '_', starting with a letter. */
static tp_indicator_cfg *add_indicator(parse_state *st, const char *section, const char *key,
				       const char *name)
{
	tp_config *cfg = st->cfg;
	tp_indicator_cfg *grown, *ind;
	size_t i;

	if (!name[0] || strlen(name) > 40 || name[0] < 'a' || name[0] > 'z' ||
	    name[strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_")]) {
		fail(st, section, key, "not a name for an indicator: '%s' (lower case letters, "
		     "digits and '_', starting with a letter, at most 40)", name);
		return NULL;
	}
	grown = realloc(cfg->indicators, (cfg->nindicators + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	cfg->indicators = grown;
	ind = &cfg->indicators[cfg->nindicators++];
	memset(ind, 0, sizeof(*ind));
	ind->name = strdup(name);
	i = (size_t)tp_input_def_field(tp_indicator_def(), "value");
	ind->in.map[i] = strdup(name);
	return ind->name && ind->in.map[i] ? ind : NULL;
}

/* A line of [indicators]: "NAME = PATH", the short form of a section
 * [indicators.NAME] with "path = PATH". */
static int indicators_key(parse_state *st, const char *name, const char *value)
{
	tp_indicator_cfg *ind;

	if (indicator_named(st->cfg, name))
		return fail(st, "indicators", name, "given twice%s", "");
	ind = add_indicator(st, "indicators", name, name);
	if (!ind)
		return 0;
	ind->in.path = resolve(st->dir, value);
	return ind->in.path != NULL;
}

/* A line of [zones] or of an earlier edition's [zones.LABEL] (editions.h). */
static int edition_key(parse_state *st, const char *section, const char *label,
		       const char *name, const char *value)
{
	tp_edition *e = tp_edition_get(st->cfg, label);
	char why[512];
	int taken;

	if (!e)
		return 0;
	taken = tp_edition_key(e, name, value, why, sizeof(why));
	if (taken < 0)
		return fail(st, section, name, "%s", why);
	if (taken)
		return 1;
	return input_key(st, e->current ? &st->cfg->inputs[TP_IN_ZONES] : &e->in,
			 tp_input_def_get(TP_IN_ZONES), section, name, value);
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	parse_state *st = user;
	int k;

	if (st->failed)
		return 0;
	if (!strcmp(section, "run"))
		return run_key(st, name, value);
	if (!strcmp(section, "outputs"))
		return outputs_key(st, name, value);
	if (!strcmp(section, "addresses"))
		return addresses_key(st, name, value);
	if (!strcmp(section, "indicators"))
		return indicators_key(st, name, value);
	if (!strncmp(section, "indicators.", 11)) {
		tp_indicator_cfg *ind = indicator_named(st->cfg, section + 11);
		if (!ind && !(ind = add_indicator(st, section, name, section + 11)))
			return 0;
		return input_key(st, &ind->in, tp_indicator_def(), section, name, value);
	}
	if (!strcmp(section, "vacancies") && !strcmp(name, "date"))
		return snapshot_date(st, section, name, value, st->cfg->vacancies_date);
	for (k = 0; k <= TP_IN_COUNT; k++) {
		const tp_input_def *def = k < TP_IN_COUNT ? tp_input_def_get(k) : tp_occupation_def();
		tp_input_cfg *in = k < TP_IN_COUNT ? &st->cfg->inputs[k] : &st->cfg->occupations;
		const char *field;
		size_t n = strlen(def->name);
		if (k == TP_IN_ZONES && (!strcmp(section, def->name) ||
					 (!strncmp(section, def->name, n) && section[n] == '.' &&
					  tp_input_def_field(def, section + n + 1) < 0)))
			return edition_key(st, section, section[n] ? section + n + 1 : NULL, name,
					   value);
		if (!strcmp(section, def->name))
			return input_key(st, in, def, section, name, value);
		if (!strncmp(section, def->name, n) && section[n] == '.') {
			int f;
			field = section + n + 1;
			if (k == TP_IN_VACANCIES && snapshot_section(st, &field, &in) < 0)
				return 0;
			if (!*field)
				return input_key(st, in, def, section, name, value);
			f = tp_input_def_field(def, field);
			if (f < 0)
				return fail(st, section, name, "no field '%s' to map values of", field);
			return mapping_key(st, in, def, f, section, name, value);
		}
	}
	return fail(st, section, name, "unknown section%s (expected run, communes, "
		    "vacancies, zones, addresses, occupations, indicators, outputs, an earlier"
		    " snapshot such as [vacancies.2023-04-30] or count edition such as"
		    " [zones.2022], or a field's value mappings such as [vacancies.reason])", "");
}

/* What ini_read() calls for each "name = value" line: nonzero when taken. */
typedef int (*ini_handler)(void *user, const char *section, const char *name,
			   const char *value);

/* s without its leading and trailing blanks (in place). */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * Reads INI text, of lines of any length: "[section]" lines, "name = value"
 * lines (split at the first '='; a ';' after a blank starts a comment), and
 * lines that are blank or start with ';' or '#'.  Calls fn for each value.
 * Returns 0, or the number of the first line that is none of these or that
 * fn refused.
 */
static int ini_read(const char *text, ini_handler fn, void *user)
{
	char *copy = strdup(text), *line, *next, section[256] = "";
	int lineno = 0, bad = 0;

	if (!copy)
		return -1;
	line = copy;
	if ((unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
	    (unsigned char)line[2] == 0xBF)
		line += 3;
	for (; line; line = next) {
		char *s, *eq, *c;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		s = trim(line);
		if (!*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end) {
				bad = bad ? bad : lineno;
				continue;
			}
			*end = '\0';
			snprintf(section, sizeof(section), "%s", trim(s + 1));
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			bad = bad ? bad : lineno;
			continue;
		}
		*eq = '\0';
		for (c = eq + 1; *c; c++)
			if (*c == ';' && (c[-1] == ' ' || c[-1] == '\t')) {
				*c = '\0';
				break;
			}
		if (!fn(user, section, trim(s), trim(eq + 1)))
			bad = bad ? bad : lineno;
	}
	free(copy);
	return bad;
}

/* A copy of s, or NULL for NULL; 0 when out of memory. */
static int copy_str(char **out, const char *s)
{
	*out = s ? strdup(s) : NULL;
	return !s || *out;
}

/* What an earlier snapshot's section leaves out, it takes from [vacancies]:
 * file layout, columns and value mappings. */
static int inherit_snapshot(tp_input_cfg *in, const tp_input_cfg *from)
{
	int ok = 1, i;
	size_t j;

	if (!in->layer)
		ok &= copy_str(&in->layer, from->layer);
	if (!in->crs)
		ok &= copy_str(&in->crs, from->crs);
	if (!in->x)
		ok &= copy_str(&in->x, from->x);
	if (!in->y)
		ok &= copy_str(&in->y, from->y);
	if (!in->header_row)
		in->header_row = from->header_row;
	for (i = 0; i < TP_MAX_FIELDS; i++) {
		tp_value_map *m = &in->values[i];
		if (!in->map[i])
			ok &= copy_str(&in->map[i], from->map[i]);
		if (m->n || !from->values[i].n)
			continue;
		m->from = calloc(from->values[i].n, sizeof(*m->from));
		m->to = calloc(from->values[i].n, sizeof(*m->to));
		if (!m->from || !m->to)
			return 0;
		for (j = 0; j < from->values[i].n; j++, m->n++)
			if (!copy_str(&m->from[j], from->values[i].from[j]) ||
			    !copy_str(&m->to[j], from->values[i].to[j]))
				return 0;
	}
	in->addresses = from->addresses;
	return ok;
}

static int by_date(const void *a, const void *b)
{
	return strcmp(((const tp_snapshot_cfg *)a)->date, ((const tp_snapshot_cfg *)b)->date);
}

/* The earlier snapshots: each with its path, before the scored one, in date order. */
static int check_snapshots(tp_config *cfg)
{
	const char *latest = cfg->vacancies_date[0] ? cfg->vacancies_date : cfg->reference_date;
	size_t i;

	for (i = 0; i < cfg->nsnapshots; i++) {
		tp_snapshot_cfg *s = &cfg->snapshots[i];
		if (!s->in.path)
			return tp_error_set(TP_ECONFIG, "%s: [vacancies.%s] path: missing (the file "
					    "of that snapshot)", cfg->path, s->date);
		if (strcmp(s->date, latest) >= 0)
			return tp_error_set(TP_ECONFIG, "%s: [vacancies.%s]: not before the scored "
					    "snapshot's date %s ([vacancies] date, else [run] "
					    "reference_date)", cfg->path, s->date, latest);
		if (!inherit_snapshot(&s->in, &cfg->inputs[TP_IN_VACANCIES]))
			return tp_error_set(TP_ERROR, "out of memory");
	}
	if (cfg->nsnapshots)
		qsort(cfg->snapshots, cfg->nsnapshots, sizeof(*cfg->snapshots), by_date);
	return TP_OK;
}

int tp_config_load(tp_config *cfg, const char *path)
{
	parse_state st = {0};
	const char *slash;
	size_t len, i;
	int rc, k;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = strdup(path);
	cfg->crs = strdup("EPSG:31370");
	cfg->min_window_months = 24;
	cfg->occupancy = 1.5;
	cfg->indicator = strdup("people_total");
	cfg->language = strdup("both");
	cfg->small_cell_threshold = 5;
	cfg->maps = 1;
	cfg->dashboard = 1;
	tp_date_today(cfg->reference_date, sizeof(cfg->reference_date));
	if (!cfg->path || !cfg->crs || !cfg->indicator || !cfg->language)
		return tp_error_set(TP_ERROR, "out of memory");
	rc = tp_file_read(path, TP_ECONFIG, " (the config file)", &cfg->text, &len);
	if (rc)
		return rc;
	slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path + 1) < sizeof(st.dir))
		memcpy(st.dir, path, (size_t)(slash - path + 1));
	st.cfg = cfg;
	rc = ini_read(cfg->text, handler, &st);
	if (st.failed)
		return TP_ECONFIG;
	if (rc < 0)
		return tp_error_set(TP_ERROR, "%s: out of memory", path);
	if (rc > 0)
		return tp_error_set(TP_ECONFIG, "%s, line %d: not a 'key = value' line", path, rc);
	for (k = 0; k < TP_IN_COUNT; k++)
		if (!cfg->inputs[k].path)
			return tp_error_set(TP_ECONFIG, "%s: section [%s] with its 'path' is missing",
					    path, tp_input_def_get(k)->name);
	for (i = 0; i < cfg->nindicators; i++)
		if (!cfg->indicators[i].in.path)
			return tp_error_set(TP_ECONFIG, "%s: section [indicators.%s] has no 'path'", path,
					    cfg->indicators[i].name);
	if (cfg->addresses.path) {
		cfg->inputs[TP_IN_VACANCIES].addresses = &cfg->addresses;
		cfg->occupations.addresses = &cfg->addresses;
	}
	rc = check_snapshots(cfg);
	return rc ? rc : tp_editions_finish(cfg);
}

void tp_input_cfg_dispose(tp_input_cfg *in)
{
	int i;

	free(in->path);
	free(in->layer);
	free(in->crs);
	free(in->x);
	free(in->y);
	for (i = 0; i < TP_MAX_FIELDS; i++) {
		size_t j;
		free(in->map[i]);
		for (j = 0; j < in->values[i].n; j++) {
			free(in->values[i].from[j]);
			free(in->values[i].to[j]);
		}
		free(in->values[i].from);
		free(in->values[i].to);
	}
	memset(in, 0, sizeof(*in));
}

void tp_config_dispose(tp_config *cfg)
{
	size_t i;
	int k;

	if (!cfg)
		return;
	for (k = 0; k < TP_IN_COUNT; k++)
		tp_input_cfg_dispose(&cfg->inputs[k]);
	tp_editions_dispose(cfg);
	tp_input_cfg_dispose(&cfg->occupations);
	for (i = 0; i < cfg->nindicators; i++) {
		free(cfg->indicators[i].name);
		tp_input_cfg_dispose(&cfg->indicators[i].in);
	}
	free(cfg->indicators);
	for (i = 0; i < cfg->nsnapshots; i++)
		tp_input_cfg_dispose(&cfg->snapshots[i].in);
	free(cfg->snapshots);
	free(cfg->note);
	free(cfg->sources);
	free(cfg->addresses.path);
	free(cfg->addresses.layer);
	free(cfg->addresses.crs);
	free(cfg->addresses.street_fr);
	free(cfg->addresses.street_nl);
	free(cfg->addresses.number);
	free(cfg->addresses.postcode);
	free(cfg->path);
	free(cfg->text);
	free(cfg->crs);
	free(cfg->indicator);
	free(cfg->language);
	free(cfg->database);
	free(cfg->schema);
	memset(cfg, 0, sizeof(*cfg));
}

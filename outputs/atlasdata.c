/*
 * atlasdata.c: what an atlas page adds to its commune's figures
 * (atlasdata.h), read once from the working store through a public view.
 *
 * The trend is the trends table's people_total rows as published (its
 * value_label, so a withheld figure keeps its "x" or "<5" and is never
 * 0), with the change on the whole and on the comparable scope exactly as
 * the trends stage published them: nothing is computed here, so the atlas
 * says what trends.csv says.  Which categories an edition counted beyond
 * its comparable scope comes from the same rows (counted, and the
 * total's comparable_scope).  The occupations are the register's running
 * ones with a commune, read through the occupations row set, whose people
 * figures a public view gives as NULL and which this file does not read.
 */
#include "outputs/atlasdata.h"
#include "geo/array.h"
#include "geo/categories.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "outputs/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tp_atlasdata_free(tp_atlasdata *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->nocc; i++) {
		free(x->occ[i].site);
		free(x->occ[i].operator_);
	}
	free(x->occ);
	free(x->edition);
	free(x->edition_date);
	free(x->added);
	free(x->trend);
	free(x);
}

const tp_trend_point *tp_atlasdata_trend(const tp_atlasdata *x, size_t ci)
{
	return x->neditions ? &x->trend[ci * x->neditions] : NULL;
}

const tp_atlas_occupation *tp_atlasdata_occupations(const tp_atlasdata *x, const char *nis,
						    size_t *n)
{
	size_t i = 0, k;

	while (i < x->nocc && strcmp(x->occ[i].nis, nis))
		i++;
	for (k = i; k < x->nocc && !strcmp(x->occ[k].nis, nis); k++)
		;
	*n = k - i;
	return *n ? &x->occ[i] : NULL;
}

/* The index of edition e among x's, or -1. */
static int edition_index(const tp_atlasdata *x, const char *e)
{
	size_t i;

	for (i = 0; e && i < x->neditions; i++)
		if (!strcmp(x->edition[i], e))
			return (int)i;
	return -1;
}

/* The categories a comparable_scope text names ("public_space, squat"), as bits. */
static unsigned scope_bits(const char *scope)
{
	unsigned bits = 0;
	int k;

	for (k = 0; k < TP_NCATEGORIES; k++) {
		const char *p = scope;
		size_t len = strlen(tp_people[k].name);
		while (p && (p = strstr(p, tp_people[k].name))) {
			if ((p == scope || p[-1] == ' ' || p[-1] == ',') &&
			    (p[len] == '\0' || p[len] == ',')) {
				bits |= 1u << k;
				break;
			}
			p += len;
		}
	}
	return bits;
}

static int load_editions(tp_atlasdata *x, tp_view *v)
{
	tp_rows *st = NULL;
	size_t cap = 0, cap2 = 0;
	int rc, step;

	rc = tp_rows_open(&st, v, TP_ROWS_EDITIONS, NULL, "atlas");
	while (!rc && (step = tp_rows_next(st)) > 0) {
		const char *e = tp_rows_text(st, 0), *date = tp_rows_text(st, 1);
		size_t n = x->neditions;
		if ((rc = tp_array_room(&x->edition, &cap, n, sizeof(*x->edition), 8)) ||
		    (rc = tp_array_room(&x->edition_date, &cap2, n, sizeof(*x->edition_date), 8)))
			break;
		snprintf(x->edition[n], sizeof(x->edition[n]), "%s", e ? e : "");
		snprintf(x->edition_date[n], sizeof(x->edition_date[n]), "%s", date ? date : "");
		x->neditions++;
	}
	if (!rc && step < 0)
		rc = step;
	tp_rows_close(st);
	/* one edition is no trend: the trends stage writes none */
	if (x->neditions < 2)
		x->neditions = 0;
	return rc;
}

/* Reads the people_total row at st into p (columns of TP_ROWS_TRENDS). */
static void read_point(tp_trend_point *p, const tp_rows *st, const char *lang)
{
	const char *label = tp_rows_text(st, 8);

	p->has_value = !tp_rows_null(st, 7);
	p->value = tp_rows_double(st, 7);
	/* a figure not counted has no label: "–", never 0 */
	tp_num_label(p->label, sizeof(p->label), label && label[0] ? label : "\xe2\x80\x93", lang);
	p->first = tp_rows_null(st, 9);
	p->has_change = !tp_rows_null(st, 11);
	p->change = tp_rows_double(st, 11);
	p->has_pct = !tp_rows_null(st, 12);
	p->pct = tp_rows_double(st, 12);
	p->has_cchange = !tp_rows_null(st, 16);
	p->cchange = tp_rows_double(st, 16);
	p->has_cpct = !tp_rows_null(st, 17);
	p->cpct = tp_rows_double(st, 17);
}

static int load_trends(tp_atlasdata *x, tp_view *v, const tp_mapdata *d)
{
	unsigned *counted = NULL, *scope = NULL;
	char *scoped = NULL; /* per edition: its comparable scope was read */
	tp_rows *st = NULL;
	size_t i;
	int rc, step = 0;

	x->trend = calloc(d->ncommunes * x->neditions, sizeof(*x->trend));
	x->added = calloc(x->neditions, sizeof(*x->added));
	counted = calloc(x->neditions, sizeof(*counted));
	scope = calloc(x->neditions, sizeof(*scope));
	scoped = calloc(x->neditions, 1);
	if (!x->trend || !x->added || !counted || !scope || !scoped) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < d->ncommunes * x->neditions; i++)
		snprintf(x->trend[i].label, sizeof(x->trend[i].label), "\xe2\x80\x93");
	rc = tp_rows_open(&st, v, TP_ROWS_TRENDS, NULL, "atlas");
	while (!rc && (step = tp_rows_next(st)) > 0) {
		const char *nis = tp_rows_text(st, 0), *cat = tp_rows_text(st, 5);
		const tp_category *c = tp_category_find(cat);
		const tp_map_commune *mc;
		int e = edition_index(x, tp_rows_text(st, 3));
		if (e < 0 || !c)
			continue;
		if (c != &tp_people[TP_NCATEGORIES]) {
			if (tp_rows_int64(st, 6))
				counted[e] |= 1u << (c - tp_people);
			continue;
		}
		if (!scoped[e] && !tp_rows_null(st, 13)) {
			scope[e] = scope_bits(tp_rows_text(st, 13));
			scoped[e] = 1;
		}
		if (nis && (mc = tp_mapdata_commune(d, nis)))
			read_point(&x->trend[(size_t)(mc - d->communes) * x->neditions + (size_t)e], st,
				   d->lang);
	}
	if (!rc && step < 0)
		rc = step;
	for (i = 0; !rc && i < x->neditions; i++)
		x->added[i] = scoped[i] ? counted[i] & ~scope[i] : 0;
done:
	tp_rows_close(st);
	free(counted);
	free(scope);
	free(scoped);
	return rc;
}

/* Occupations by commune, then start, then site. */
static int by_commune(const void *a, const void *b)
{
	const tp_atlas_occupation *p = a, *q = b;
	int c = strcmp(p->nis, q->nis);

	if (!c)
		c = strcmp(p->start, q->start);
	return c ? c : strcmp(p->site, q->site);
}

/* The running occupations (columns of TP_ROWS_OCCUPATIONS). */
static int load_occupations(tp_atlasdata *x, tp_view *v)
{
	tp_rows *st = NULL;
	size_t cap = 0;
	int rc, step = 0;

	rc = tp_rows_open(&st, v, TP_ROWS_INPUT_PATH, "occupations", "atlas");
	if (!rc && (step = tp_rows_next(st)) > 0)
		x->has_register = 1;
	tp_rows_close(st);
	st = NULL;
	if (!rc && step < 0)
		rc = step;
	if (rc || !x->has_register)
		return rc;
	rc = tp_rows_open(&st, v, TP_ROWS_OCCUPATIONS, NULL, "atlas");
	while (!rc && (step = tp_rows_next(st)) > 0) {
		const char *status = tp_rows_text(st, 14), *nis = tp_rows_text(st, 21);
		const char *start = tp_rows_text(st, 9), *end = tp_rows_text(st, 13);
		tp_atlas_occupation *o;
		if (!status || strcmp(status, "running") || !nis)
			continue;
		if ((rc = tp_array_room(&x->occ, &cap, x->nocc, sizeof(*x->occ), 16)))
			break;
		o = &x->occ[x->nocc++];
		memset(o, 0, sizeof(*o));
		snprintf(o->nis, sizeof(o->nis), "%s", nis);
		o->site = strdup(tp_rows_text(st, 1) ? tp_rows_text(st, 1) : "");
		o->operator_ = strdup(tp_rows_text(st, 2) ? tp_rows_text(st, 2) : "");
		if (!o->site || !o->operator_) {
			rc = tp_error_set(TP_ERROR, "out of memory");
			break;
		}
		o->dwellings = tp_rows_int64(st, 5);
		snprintf(o->start, sizeof(o->start), "%s", start ? start : "");
		snprintf(o->end, sizeof(o->end), "%s", end ? end : "");
		o->extended = tp_rows_int64(st, 16) != 0;
	}
	if (!rc && step < 0)
		rc = step;
	tp_rows_close(st);
	if (!rc)
		qsort(x->occ, x->nocc, sizeof(*x->occ), by_commune);
	return rc;
}

int tp_atlasdata_load(tp_atlasdata **out, sqlite3 *store, const tp_mapdata *d)
{
	tp_atlasdata *x = NULL;
	tp_view *view = NULL;
	int rc;

	*out = NULL;
	rc = tp_view_open(&view, store, 0);
	if (rc)
		return rc;
	if (!(x = calloc(1, sizeof(*x)))) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	/* a store without the trends stage (a run --until before it) has no trend */
	if (tp_view_has_table(view, "trends"))
		rc = load_editions(x, view);
	if (!rc && x->neditions)
		rc = load_trends(x, view, d);
	if (!rc && tp_view_has_table(view, "occupations"))
		rc = load_occupations(x, view);
done:
	tp_view_close(view);
	if (rc)
		tp_atlasdata_free(x);
	else
		*out = x;
	return rc;
}

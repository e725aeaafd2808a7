/*
 * mapdata.c: what the maps and the dashboard show, read once from the
 * working store into a tp_mapdata: commune outlines as rings, published
 * people figures (public_communes), the other commune figures
 * (commune_summary), the candidates, and the indicator's classes.
 *
 * The store is read through a public view (query.h): what these outputs
 * show is public.
 *
 * Classes are quantiles of the published values (tp_classes_quantile):
 * communes sorted by value are cut into TP_NCLASSES groups of about equal
 * size; equal values stay in one class, empty classes are dropped, and
 * each class's limits are the smallest and largest value it holds, so the
 * legend states exactly what is drawn.  Suppressed and missing values are
 * in no class.
 */
#include "outputs/mapdata.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "geo/rings.h"
#include "geo/geo.h"
#include "outputs/outputs.h"
#include "outputs/query.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A people figure (geo/categories.h): read from public_communes. */
#define PEOPLE_FIGURE(c, fr, nl, aliases) {#c, fr, nl, 1},

static const tp_figure figures[] = {
	TP_PEOPLE(PEOPLE_FIGURE)
	{"vacancy_records", "Immeubles vides", "Leegstaande gebouwen", 0},
	{"empty_dwellings", "Logements vides", "Leegstaande woningen", 0},
	{"candidate_buildings", "Bâtiments candidats", "Kandidaat-gebouwen", 0},
	{"candidate_dwellings", "Logements candidats", "Kandidaat-woningen", 0},
	{"capacity", "Capacité d'accueil (personnes)", "Opvangcapaciteit (personen)", 0},
};

#define NFIGURES (sizeof(figures) / sizeof(figures[0]))

const tp_figure *tp_figure_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < NFIGURES; i++)
		if (strcmp(figures[i].name, name) == 0)
			return &figures[i];
	return NULL;
}

const tp_figure *tp_people_figures(size_t *n)
{
	*n = TP_NFIGS;
	return figures;
}

static int by_size(const void *a, const void *b)
{
	const tp_map_candidate *x = *(tp_map_candidate *const *)a;
	const tp_map_candidate *y = *(tp_map_candidate *const *)b;

	if (x->dwellings != y->dwellings)
		return x->dwellings > y->dwellings ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

const tp_map_candidate **tp_mapdata_by_size(const tp_mapdata *d)
{
	const tp_map_candidate **k = calloc(d->ncands ? d->ncands : 1, sizeof(*k));
	size_t i;

	if (!k)
		return NULL;
	for (i = 0; i < d->ncands; i++)
		k[i] = &d->cands[i];
	qsort(k, d->ncands, sizeof(*k), by_size);
	return k;
}

double tp_mapdata_total(const tp_mapdata *d, int *withheld)
{
	double total = 0;
	size_t i;

	*withheld = 0;
	for (i = 0; i < d->ncommunes; i++) {
		if (d->communes[i].has_value)
			total += d->communes[i].value;
		else
			(*withheld)++;
	}
	return total;
}

void tp_mapdata_free(tp_mapdata *d)
{
	size_t i, j;

	if (!d)
		return;
	for (i = 0; i < d->ncommunes; i++) {
		tp_map_commune *c = &d->communes[i];
		free(c->name_fr);
		free(c->name_nl);
		for (j = 0; j < c->nrings; j++)
			free(c->rings[j].xy);
		free(c->rings);
	}
	free(d->communes);
	for (i = 0; i < d->ncands; i++) {
		tp_map_candidate *k = &d->cands[i];
		free(k->src_id);
		free(k->address);
		free(k->owner);
		free(k->owner_type);
		free(k->works_start);
	}
	free(d->cands);
	free(d);
}

static char *dup_col(const tp_rows *st, int i)
{
	const char *s = tp_rows_text(st, i);
	return strdup(s ? s : "");
}

/* Appends a ring of n points (xy) to c. */
static int add_ring(tp_map_commune *c, const double *xy, size_t n)
{
	tp_ring *r = realloc(c->rings, (c->nrings + 1) * sizeof(*r));

	if (!r)
		return tp_error_set(TP_ERROR, "out of memory");
	c->rings = r;
	r = &c->rings[c->nrings];
	r->n = n;
	r->xy = malloc(2 * (n ? n : 1) * sizeof(double));
	if (!r->xy)
		return tp_error_set(TP_ERROR, "out of memory");
	c->nrings++;
	memcpy(r->xy, xy, 2 * n * sizeof(double));
	return TP_OK;
}

/* Fills the rings, envelope and label point of c from its WKB. */
static int commune_shape(tp_geo *g, tp_map_commune *c, const void *wkb, size_t len)
{
	GEOSGeometry *geom = tp_geo_from_wkb(g, wkb, len);
	tp_rings r = {0};
	size_t k;
	double tol;
	int rc;

	if (!geom)
		return tp_error_set(TP_ESTORE, "working store: communes, NIS %s: bad geometry (WKB)",
				    c->nis);
	rc = tp_rings_add_geos(&r, g, geom);
	for (k = 0; k < r.nring && !rc; k++)
		rc = add_ring(c, r.xy + 2 * r.ring[k], r.ring[k + 1] - r.ring[k]);
	if (rc) {
		rc = tp_error_wrap(rc, "communes, NIS %s: cannot read the outline", c->nis);
		goto done;
	}
	if (!(r.env[0] <= r.env[2])) {
		rc = tp_error_set(TP_ESTORE, "working store: communes, NIS %s: empty geometry", c->nis);
		goto done;
	}
	memcpy(c->box, r.env, sizeof(c->box));
	/* The name goes at the centre of the largest circle inside the commune
	 * (the pole of inaccessibility): inside it, and as far from its borders
	 * as can be, even for a commune shaped like Bruxelles-ville. */
	tol = fmax(c->box[2] - c->box[0], c->box[3] - c->box[1]) / 500;
	if (tp_geo_inner_point(g, geom, tol > 0 ? tol : 1, &c->lx, &c->ly)) {
		c->lx = (c->box[0] + c->box[2]) / 2;
		c->ly = (c->box[1] + c->box[3]) / 2;
	}
done:
	tp_rings_dispose(&r);
	tp_geo_destroy(g, geom);
	return rc;
}

#define NSUMMARY 5

static int load_communes(tp_mapdata *d, tp_view *v, tp_geo *g)
{
	size_t i, cap = 0, len;
	tp_rows *st = NULL;
	const void *wkb;
	int rc, step;

	rc = tp_rows_open(&st, v, TP_ROWS_MAP_COMMUNES, NULL, NULL);
	if (rc)
		return rc;
	while ((step = tp_rows_next(st)) > 0) {
		tp_map_commune *c;
		if (d->ncommunes == cap) {
			size_t ncap = cap ? 2 * cap : 32;
			tp_map_commune *p = realloc(d->communes, ncap * sizeof(*p));
			if (!p) {
				rc = tp_error_set(TP_ERROR, "out of memory");
				goto done;
			}
			d->communes = p;
			cap = ncap;
		}
		c = &d->communes[d->ncommunes++];
		memset(c, 0, sizeof(*c));
		snprintf(c->nis, sizeof(c->nis), "%s", tp_rows_text(st, 0) ? tp_rows_text(st, 0) : "");
		c->name_fr = dup_col(st, 1);
		c->name_nl = dup_col(st, 2);
		if (!c->name_fr || !c->name_nl) {
			rc = tp_error_set(TP_ERROR, "out of memory");
			goto done;
		}
		wkb = tp_rows_blob(st, 3, &len);
		rc = commune_shape(g, c, wkb, len);
		if (rc)
			goto done;
		c->vacancy_records = tp_rows_int64(st, 4);
		c->empty_dwellings = tp_rows_int64(st, 5);
		c->candidate_buildings = tp_rows_int64(st, 6);
		c->candidate_dwellings = tp_rows_int64(st, 7);
		c->capacity = tp_rows_double(st, 8);
		c->rejected.records = tp_rows_int64(st, 9 + 2 * TP_NFIGS);
		c->rejected.dwellings = tp_rows_int64(st, 10 + 2 * TP_NFIGS);
		c->rejected.of = c->vacancy_records + c->rejected.records;
		for (i = 0; i < TP_NFIGS; i++) {
			int col = 9 + 2 * (int)i;
			const char *lab = tp_rows_text(st, col + 1);
			c->has_fig[i] = !tp_rows_null(st, col);
			c->fig[i] = c->has_fig[i] ? tp_rows_double(st, col) : 0;
			snprintf(c->fig_label[i], sizeof(c->fig_label[i]), "%s", lab ? lab : "");
			/* a published figure is written as print writes numbers ("9 777");
			 * a withheld one keeps its label ("<5", "x") */
			if (c->has_fig[i] && (!lab || strspn(lab, "0123456789.-") == strlen(lab)))
				tp_num_format(c->fig_label[i], sizeof(c->fig_label[i]), c->fig[i],
					      TP_NUM_AUTO, d->lang);
		}
	}
	if (step < 0)
		rc = step;
	else if (d->ncommunes == 0)
		rc = tp_error_set(TP_ESTORE, "working store: no commune to draw");
done:
	tp_rows_close(st);
	return rc;
}

/* The indicator of commune c, from published or summary figures. */
static void indicator_value(const tp_mapdata *d, tp_map_commune *c)
{
	const char *n = d->ind->name;
	size_t i;

	if (d->ind_mapped >= 0) {
		/* an indicator table: a commune it has no row for is no data, never 0 */
		c->has_value = c->ind_has[d->ind_mapped];
		c->value = (double)c->ind_value[d->ind_mapped];
		if (c->has_value)
			tp_num_format(c->label, sizeof(c->label), c->value, TP_NUM_AUTO, d->lang);
	} else if (d->ind->people) {
		for (i = 0; i < TP_NFIGS; i++)
			if (!strcmp(figures[i].name, n)) {
				c->has_value = c->has_fig[i];
				c->value = c->fig[i];
				snprintf(c->label, sizeof(c->label), "%s", c->fig_label[i]);
			}
	} else {
		c->has_value = 1;
		c->value = !strcmp(n, "vacancy_records")       ? (double)c->vacancy_records
			   : !strcmp(n, "empty_dwellings")     ? (double)c->empty_dwellings
			   : !strcmp(n, "candidate_buildings") ? (double)c->candidate_buildings
			   : !strcmp(n, "candidate_dwellings") ? (double)c->candidate_dwellings
							       : c->capacity;
		if (!strcmp(n, "capacity"))
			tp_num_persons(c->label, sizeof(c->label), c->value, d->lang);
		else
			tp_num_format(c->label, sizeof(c->label), c->value, TP_NUM_AUTO, d->lang);
	}
	if (!c->label[0])
		snprintf(c->label, sizeof(c->label), "–");
}

static int classify(tp_mapdata *d)
{
	double *v = calloc(d->ncommunes, sizeof(*v));
	tp_classes cls;
	size_t m = 0, i;

	if (!v)
		return tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; i < d->ncommunes; i++) {
		tp_map_commune *c = &d->communes[i];
		indicator_value(d, c);
		if (c->has_value)
			v[m++] = c->value;
		else
			d->nodata++;
	}
	tp_classes_quantile(&cls, v, m);
	free(v);
	for (i = 0; i < d->ncommunes; i++) {
		tp_map_commune *c = &d->communes[i];
		c->cls = c->has_value ? tp_classes_find(&cls, c->value) : -1;
	}
	d->nclasses = cls.n;
	memcpy(d->lo, cls.lo, sizeof(d->lo));
	memcpy(d->hi, cls.hi, sizeof(d->hi));
	memcpy(d->count, cls.count, sizeof(d->count));
	return TP_OK;
}

/* The indicator tables' values of every commune (ind_has, ind_value). */
static int load_indicators(tp_mapdata *d, tp_view *v)
{
	tp_rows *names = NULL, *vals = NULL;
	size_t i;
	int rc, step = 0, k;

	rc = tp_rows_open(&names, v, TP_ROWS_INDICATOR_NAMES, NULL, NULL);
	if (!rc)
		rc = tp_rows_open(&vals, v, TP_ROWS_COMMUNE_INDICATORS, "", NULL);
	while (!rc && d->nind < TP_MAX_INDICATORS && (step = tp_rows_next(names)) > 0) {
		snprintf(d->ind_name[d->nind], sizeof(d->ind_name[0]), "%s", tp_rows_text(names, 0));
		if (!strcmp(d->ind_name[d->nind], d->ind->name))
			d->ind_mapped = d->nind;
		d->nind++;
	}
	for (i = 0; !rc && step >= 0 && i < d->ncommunes; i++) {
		tp_rows_rewind(vals, d->communes[i].nis);
		for (k = 0; (step = tp_rows_next(vals)) > 0 && k < d->nind; k++) {
			d->communes[i].ind_has[k] = !tp_rows_null(vals, 1);
			d->communes[i].ind_value[k] = tp_rows_int64(vals, 1);
		}
	}
	if (!rc && step < 0)
		rc = step;
	tp_rows_close(vals);
	tp_rows_close(names);
	return rc;
}

/* Candidates by rank, then as read (by id). */
static int by_rank(const void *a, const void *b)
{
	const tp_map_candidate *p = a, *q = b;

	if (p->rank != q->rank)
		return p->rank < q->rank ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/* d's candidates by_rank: when their ranks are 1 to n, each once (as the
 * score stage numbers them), each swapped to its place; else sorted. */
static int sort_by_rank(tp_mapdata *d)
{
	unsigned char *taken = calloc(d->ncands, 1);
	size_t i;

	if (!taken)
		return tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; i < d->ncands; i++) {
		long long r = d->cands[i].rank;
		if (r < 1 || (unsigned long long)r > d->ncands || taken[r - 1])
			break;
		taken[r - 1] = 1;
	}
	free(taken);
	if (i < d->ncands) {
		qsort(d->cands, d->ncands, sizeof(*d->cands), by_rank);
		return TP_OK;
	}
	for (i = 0; i < d->ncands; i++)
		while ((size_t)d->cands[i].rank != i + 1) {
			tp_map_candidate k = d->cands[d->cands[i].rank - 1];
			d->cands[d->cands[i].rank - 1] = d->cands[i];
			d->cands[i] = k;
		}
	return TP_OK;
}

static int load_candidates(tp_mapdata *d, tp_view *v, tp_geo *g)
{
	tp_rows *st = NULL;
	size_t cap = 0, len;
	const void *wkb;
	int rc, step;

	rc = tp_rows_open(&st, v, TP_ROWS_MAP_CANDIDATES, NULL, NULL);
	if (rc)
		return rc;
	while ((step = tp_rows_next(st)) > 0) {
		tp_map_candidate *k;
		if (d->ncands == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			tp_map_candidate *p = realloc(d->cands, ncap * sizeof(*p));
			if (!p) {
				rc = tp_error_set(TP_ERROR, "out of memory");
				goto done;
			}
			d->cands = p;
			cap = ncap;
		}
		k = &d->cands[d->ncands++];
		memset(k, 0, sizeof(*k));
		k->rank = tp_rows_int64(st, 0);
		snprintf(k->nis, sizeof(k->nis), "%s", tp_rows_text(st, 1) ? tp_rows_text(st, 1) : "");
		k->src_id = dup_col(st, 2);
		k->address = dup_col(st, 3);
		k->owner = dup_col(st, 4);
		k->owner_type = dup_col(st, 5);
		k->works_start = dup_col(st, 6);
		if (!k->src_id || !k->address || !k->owner || !k->owner_type || !k->works_start) {
			rc = tp_error_set(TP_ERROR, "out of memory");
			goto done;
		}
		k->dwellings = tp_rows_int64(st, 7);
		k->window = tp_rows_double(st, 8);
		k->capacity = tp_rows_double(st, 9);
		k->score = tp_rows_double(st, 10);
		k->months_empty = tp_rows_null(st, 12) ? -1 : tp_rows_double(st, 12);
		if (k->dwellings > d->max_dwellings)
			d->max_dwellings = k->dwellings;
		k->seq = d->ncands - 1;
		wkb = tp_rows_blob(st, 11, &len);
		if (!tp_geo_wkb_xy(g, wkb, len, &k->x, &k->y)) {
			rc = tp_error_set(TP_ESTORE, "working store: vacancies, candidate of rank %lld:"
					  " bad point geometry", k->rank);
			goto done;
		}
	}
	if (step < 0)
		rc = step;
	else if (d->ncands > 1)
		rc = sort_by_rank(d);
done:
	tp_rows_close(st);
	return rc;
}

/* The commune whose NIS code is nis (d->communes is ordered by it), or NULL. */
tp_map_commune *tp_mapdata_commune(const tp_mapdata *d, const char *nis)
{
	size_t lo = 0, hi = d->ncommunes;

	while (nis && lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(d->communes[mid].nis, nis);
		if (c == 0)
			return &d->communes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The vacancies located in each commune that are not candidates, by reason:
 * counted here from one row each, their dwellings added up per commune and
 * reason as SQL's TOTAL() would. */
static int load_not_candidates(tp_mapdata *d, tp_view *v)
{
	tp_rows *st = NULL;
	double *dw = calloc(d->ncommunes * TP_MAP_REASONS + 1, sizeof(*dw));
	size_t i;
	int rc, step, k;

	if (!dw)
		return tp_error_set(TP_ERROR, "out of memory");
	rc = tp_rows_open(&st, v, TP_ROWS_MAP_NOT_CANDIDATES, NULL, NULL);
	if (rc) {
		free(dw);
		return rc;
	}
	while ((step = tp_rows_next(st)) > 0) {
		tp_map_commune *c = tp_mapdata_commune(d, tp_rows_text(st, 0));
		const tp_code *r = tp_code_find(&tp_reasons, tp_rows_text(st, 1));
		k = r && r - tp_reasons.codes < TP_MAP_REASONS - 1 ? (int)(r - tp_reasons.codes)
								  : TP_MAP_REASONS - 1;
		if (!c)
			continue;
		c->idle[k]++;
		dw[(size_t)(c - d->communes) * TP_MAP_REASONS + (size_t)k] += tp_rows_double(st, 2);
	}
	tp_rows_close(st);
	for (i = 0; i < d->ncommunes; i++)
		for (k = 0; k < TP_MAP_REASONS; k++)
			d->communes[i].idle_dw[k] += (long long)dw[i * TP_MAP_REASONS + (size_t)k];
	free(dw);
	return step < 0 ? step : TP_OK;
}

/* The input called name, TP_IN_*, or -1. */
static int input_index(const char *name)
{
	static const char *const inputs[3] = {"communes", "vacancies", "zones"};
	int i;

	for (i = 0; name && i < 3; i++)
		if (!strcmp(inputs[i], name))
			return i;
	return -1;
}

/* Counts one record rejected for field into r. */
static void count_reject(tp_rejected *r, const char *field)
{
	int i;

	for (i = 0; i < r->ngroups; i++)
		if (!strcmp(r->field[i], field)) {
			r->n[i]++;
			return;
		}
	if (r->ngroups == TP_REJECT_GROUPS) {
		r->others++;
		return;
	}
	snprintf(r->field[r->ngroups], sizeof(r->field[0]), "%s", field);
	r->n[r->ngroups++] = 1;
}

/*
 * The rejected records: per input, how many of how many read, and why;
 * per commune, why its vacancy records were rejected (their count comes
 * with the commune's figures, from commune_summary).
 */
static int load_rejected(tp_mapdata *d, tp_view *v)
{
	tp_rows *st = NULL;
	int rc, step, k;

	rc = tp_rows_open(&st, v, TP_ROWS_REJECTED, NULL, NULL);
	if (rc)
		return rc;
	while ((step = tp_rows_next(st)) > 0) {
		const char *nis = tp_rows_text(st, 1), *field = tp_rows_text(st, 2);
		tp_map_commune *c;
		tp_rejected *r;
		if ((k = input_index(tp_rows_text(st, 0))) < 0)
			continue;
		r = &d->rejected[k];
		r->records++;
		r->dwellings += tp_rows_int64(st, 3);
		count_reject(r, field ? field : "");
		if (k == TP_IN_VACANCIES && (c = tp_mapdata_commune(d, nis)))
			count_reject(&c->rejected, field ? field : "");
	}
	tp_rows_close(st);
	if (step < 0)
		return step;
	rc = tp_rows_open(&st, v, TP_ROWS_SOURCES, NULL, NULL);
	if (rc)
		return rc;
	while ((step = tp_rows_next(st)) > 0)
		if ((k = input_index(tp_rows_text(st, 0))) >= 0)
			d->rejected[k].of = tp_rows_int64(st, 4) - tp_rows_int64(st, 5);
	tp_rows_close(st);
	return step < 0 ? step : TP_OK;
}

/* The line in one language: nl 0 for French, 1 for Dutch. */
static void rejected_line_in(char *buf, size_t len, const tp_rejected *r, int input, int nl)
{
	static const char *const noun[3][2][2] = {
		{{"commune", "communes"}, {"gemeente", "gemeenten"}},
		{{"enregistrement", "enregistrements"}, {"record", "records"}},
		{{"zone de comptage", "zones de comptage"}, {"telzone", "telzones"}},
	};
	/* which of the fields to name first: the largest counts */
	int order[TP_REJECT_GROUPS], i, j, shown;
	size_t used;
	int plural = r->records > 1, fem = input != TP_IN_VACANCIES;

	if (nl)
		used = (size_t)snprintf(buf, len, "%lld", r->records);
	else
		used = (size_t)snprintf(buf, len, "%lld %s", r->records, noun[input][0][plural]);
	if (r->of > 0 && used < len)
		used += (size_t)snprintf(buf + used, len - used, nl ? " van %lld" : " sur %lld", r->of);
	if (used < len) {
		if (nl)
			used += (size_t)snprintf(buf + used, len - used, " %s niet gebruikt",
						 noun[input][1][r->of > 1 || plural]);
		else
			used += (size_t)snprintf(buf + used, len - used, " non utilisé%s%s",
						 fem ? "e" : "", plural ? "s" : "");
	}
	if (r->dwellings > 0 && used < len)
		used += (size_t)snprintf(buf + used, len - used, nl ? " (%lld woning%s)" :
					 " (%lld logement%s)", r->dwellings,
					 r->dwellings > 1 ? (nl ? "en" : "s") : "");
	for (i = 0; i < r->ngroups; i++)
		order[i] = i;
	for (i = 1; i < r->ngroups; i++)
		for (j = i; j > 0 && r->n[order[j]] > r->n[order[j - 1]]; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	shown = r->ngroups < 4 ? r->ngroups : 4;
	for (i = 0; i < shown && used < len; i++) {
		const char *f = r->field[order[i]], *name = f[0] ? f : (nl ? "andere" : "autre");
		const tp_code *c = tp_code_find(&tp_field_labels, f);
		if (c)
			name = nl ? c->nl : c->fr;
		used += (size_t)snprintf(buf + used, len - used, nl ? "%s%s: %lld" : "%s%s : %lld",
					 i ? ", " : " \xe2\x80\x94 ", name, r->n[order[i]]);
	}
	if (used < len) {
		long long others = r->others;
		for (i = shown; i < r->ngroups; i++)
			others += r->n[order[i]];
		if (others)
			used += (size_t)snprintf(buf + used, len - used,
						 nl ? ", andere: %lld" : ", autres : %lld", others);
	}
	if (used < len)
		snprintf(buf + used, len - used, nl ? "; zie rejects.csv" : " ; voir rejects.csv");
}

void tp_rejected_line(char *buf, size_t len, const tp_mapdata *d, const tp_rejected *r,
		      int input, const char *sep)
{
	char fr[1024], nl[1024];

	if (!len)
		return;
	buf[0] = '\0';
	if (r->records <= 0)
		return;
	rejected_line_in(fr, sizeof(fr), r, input, 0);
	rejected_line_in(nl, sizeof(nl), r, input, 1);
	tp_lang_pick(buf, len, d->lang, fr, nl, sep);
}

void tp_sources_line(char *buf, size_t len, const tp_mapdata *d, const char *sep)
{
	char fr[1400], nl[1400];
	const char *lambert = strcmp(d->crs, "EPSG:31370") == 0 ? " (Belgian Lambert 72)" : "";

	if (d->run_sources[0]) {
		snprintf(fr, sizeof(fr), "Sources : %s. Système de coordonnées : %s%s.", d->run_sources,
			 d->crs, lambert);
		snprintf(nl, sizeof(nl), "Bronnen: %s. Coördinatenstelsel: %s%s.", d->run_sources,
			 d->crs, lambert);
	} else {
		snprintf(fr, sizeof(fr),
			 "Sources : dénombrement Bruss'help, zones de comptage (%s) ; logements vides "
			 "(%s) ; limites communales (%s). Système de coordonnées : %s%s.",
			 d->sources[2], d->sources[1], d->sources[0], d->crs, lambert);
		snprintf(nl, sizeof(nl),
			 "Bronnen: telling Bruss'help, telzones (%s); leegstaande woningen (%s); "
			 "gemeentegrenzen (%s). Coördinatenstelsel: %s%s.",
			 d->sources[2], d->sources[1], d->sources[0], d->crs, lambert);
	}
	tp_lang_pick(buf, len, d->lang, fr, nl, sep);
}

/* The reference date, CRS, note and input file names; what is missing keeps
 * its default, a read error is reported (TP_ESTORE). */
static int load_meta(tp_mapdata *d, tp_view *v)
{
	static const char *const meta[] = {"crs", "min_window_months", "note", "reference_date",
					   "sources"};
	static const char *const inputs[3] = {"communes", "vacancies", "zones"};
	tp_rows *st = NULL;
	const char *p, *slash;
	int i, rc, got;

	snprintf(d->crs, sizeof(d->crs), "EPSG:31370");
	d->min_window = 24;
	rc = tp_rows_open(&st, v, TP_ROWS_META, meta[0], NULL);
	for (i = 0; i < 5 && !rc; i++) {
		if (i)
			tp_rows_rewind(st, meta[i]);
		got = tp_rows_next(st);
		if (got < 0)
			rc = got;
		if (got <= 0 || !(p = tp_rows_text(st, 0)))
			continue;
		if (i == 0)
			snprintf(d->crs, sizeof(d->crs), "%s", p);
		else if (i == 1)
			d->min_window = atof(p);
		else if (i == 2)
			snprintf(d->note, sizeof(d->note), "%s", p);
		else if (i == 3)
			snprintf(d->reference_date, sizeof(d->reference_date), "%s", p);
		else
			snprintf(d->run_sources, sizeof(d->run_sources), "%s", p);
	}
	tp_rows_close(st);
	st = NULL;
	if (rc)
		return rc;
	rc = tp_rows_open(&st, v, TP_ROWS_INPUT_PATH, "", NULL);
	for (i = 0; i < 3 && !rc; i++) {
		tp_rows_rewind(st, inputs[i]);
		got = tp_rows_next(st);
		if (got < 0)
			rc = got;
		if (got <= 0 || !(p = tp_rows_text(st, 0)))
			continue;
		slash = strrchr(p, '/');
		snprintf(d->sources[i], sizeof(d->sources[i]), "%s", slash ? slash + 1 : p);
	}
	tp_rows_close(st);
	return rc;
}

int tp_mapdata_load(tp_mapdata **out, sqlite3 *store, const tp_render_opts *opts)
{
	static const char *const needed[] = {"communes", "vacancies", "commune_summary",
					     "public_communes"};
	tp_mapdata *d = NULL;
	tp_view *view = NULL;
	tp_geo *g = NULL;
	size_t i;
	int rc;

	*out = NULL;
	rc = tp_view_open(&view, store, 0);
	if (rc)
		return rc;
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!tp_view_has_table(view, needed[i])) {
			rc = tp_error_set(TP_ESTORE,
					  "working store: no table %s; the %s stage must run first",
					  needed[i],
					  !strcmp(needed[i], "public_communes")   ? "protect"
					  : !strcmp(needed[i], "commune_summary") ? "summarise"
										  : "load");
			goto done;
		}
	d = calloc(1, sizeof(*d));
	if (!d) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	d->ind = tp_figure_find(opts->indicator ? opts->indicator : "people_total");
	d->lang = opts->language ? opts->language : "both";
	d->threshold = opts->threshold;
	d->ind_mapped = -1;
	if (!d->ind && opts->indicator && tp_indicator_is_table(view, opts->indicator)) {
		d->ind_table = (tp_figure){opts->indicator, opts->indicator, opts->indicator, 0};
		d->ind = &d->ind_table;
	}
	if (!d->ind) {
		char names[1024];
		size_t used = 0;
		for (i = 0; i < NFIGURES; i++)
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 i ? ", " : "", figures[i].name);
		rc = tp_error_set(TP_ECONFIG, "[outputs] indicator: unknown figure '%s' (expected %s)",
				  opts->indicator, names);
		goto done;
	}
	rc = tp_geo_new(&g);
	if (!rc)
		rc = load_communes(d, view, g);
	if (!rc)
		rc = load_indicators(d, view);
	if (!rc)
		rc = load_candidates(d, view, g);
	if (!rc)
		rc = classify(d);
	if (!rc)
		rc = load_meta(d, view);
	if (!rc)
		rc = load_rejected(d, view);
	if (!rc)
		rc = load_not_candidates(d, view);
	tp_view_close(view);
	view = NULL;
	if (rc)
		goto done;
	memcpy(d->box, d->communes[0].box, sizeof(d->box));
	for (i = 1; i < d->ncommunes; i++) {
		const double *b = d->communes[i].box;
		d->box[0] = fmin(d->box[0], b[0]);
		d->box[1] = fmin(d->box[1], b[1]);
		d->box[2] = fmax(d->box[2], b[2]);
		d->box[3] = fmax(d->box[3], b[3]);
	}
done:
	tp_view_close(view);
	tp_geo_free(g);
	if (rc)
		tp_mapdata_free(d);
	else
		*out = d;
	return rc;
}

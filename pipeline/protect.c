/*
 * protect.c: the protect stage, which decides what a public output may
 * say about the people counted.
 *
 * The count describes vulnerable people: a small number in a small area
 * can point at a person sleeping in a known place.  The people figures
 * that exist are the count zones' (whole numbers, one row per zone, the
 * seven cells of geo/categories.h: six categories and the total).  Every
 * other people figure is made from them: a commune's is the sum over its
 * zones of share x zone figure, the shares being areas, which anyone can
 * recompute from the published geometries.
 *
 * A zone row goes through three rules:
 *
 *   1. primary suppression: a cell with 0 < value < T (the small-cell
 *      threshold) is withheld and labelled "<T";
 *   2. rounding: every cell that is published is rounded to the nearest
 *      multiple of ROUNDING_BASE, independently (a published total need
 *      not equal the sum of the published cells); 0 stays 0 and means
 *      nobody, and a non-zero cell never shows 0;
 *   3. secondary suppression: when a row has exactly one withheld cell,
 *      or when the row's published cells still narrow a withheld small
 *      cell (the audit below), the smallest published non-zero category
 *      is withheld too, labelled "x"; when no category is left, the
 *      total.  Repeated until the audit passes or nothing is left.
 *
 * The audit takes the part of someone who knows these rules and every
 * published figure of the row: each cell lies in an interval (0 exactly;
 * a published p within the rounding of p and at least T; a small cell in
 * 1..T-1; a secondary cell at least T and, since it was the smallest, at
 * most any category still published), and the row must add up.  A small
 * cell passes when those intervals still allow every value of 1..T-1.
 * One equation over boxes (and "x" below cells that are at least as big
 * at both ends of their boxes) is exactly what a linear or integer
 * program over the row would find: the interval sums are its optimum.
 *
 * Across tables.  An integer program over every published figure is the
 * way statistical offices audit linked tables (tau-ARGUS); the test's
 * auditor (tests/cross_audit.py) is one.  When commune rows were
 * protected as rows of their own (apportioned estimates, the same three
 * rules), it found on demo seeds 1-9 three zone cells "<5" narrowed by
 * the communes (Z10's squat at least 2 on the default demo, from commune
 * 21003's "5" and the shares) and all 34 commune cells "<5" pinned,
 * each a small share of a large published zone figure: those cannot be
 * protected without withholding the large zone figures themselves.  So
 * commune rows are not protected on their own: they are made from the
 * published zone figures only (protect_communes): cell = sum of share x
 * the middle of what the zone's labels say of that cell (its published
 * figure; 2.5 for "<5"; halfway from T to the smallest category its row
 * publishes, plus 2, for an "x"), withheld ("x") when the shares of the
 * withheld cells' ranges add up to more than ROUNDING_BASE, "<T" below
 * T, else rounded.  They are public knowledge the zone table already
 * gives, and add nothing an attacker can use; the program over all
 * tables reduces to the zone rows, which the row audit settles exactly.
 * The price, measured on seeds 1-9: of 1197 commune cells, 952 publish a
 * number instead of 1026 (102 "x" instead of 27; every commune total
 * stays published), and a published commune figure is 1.9 people from the
 * exact apportioned one on average instead of 1.3 (at most 10.4, where
 * many zones' roundings add up).  Withholding every commune cell that any
 * withheld zone cell feeds, the simpler rule, published 856 (202 "x", 9
 * totals withheld).
 *
 * Scores.  A candidate's score has a part for its commune's need (people
 * per empty dwelling, in tenths of the largest need).  Made from the exact
 * counts, it was the one public figure that was not: the auditor could
 * use it as a constraint, and found it narrowed nothing on the demo seeds,
 * which is measured, not proved.  So this stage runs before score and
 * gives it the need made from the published commune total
 * (public_communes.need): a score is then a function of published figures
 * and cannot tell an attacker anything the zone table does not.  The
 * public capacity shares are made the same way, from the published
 * figures, where the outputs read them (outputs/query.c).
 */
#include "pipeline/protect.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/categories.h"
#include "geo/error.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCELLS TP_NPEOPLE /* six categories, then the total (geo/categories.h) */
#define TOTAL (NCELLS - 1)
#define ROUNDING_BASE 5.0 /* published people figures are multiples of it */

/* One column of a SELECT of the people figures. */
#define COLUMN(c, fr, nl, aliases) ", " #c

typedef enum {
	CELL_ZERO,      /* exactly 0, published as 0 */
	CELL_PUBLISHED, /* published, rounded */
	CELL_SMALL,     /* 0 < value < T: withheld, "<T" */
	CELL_SECONDARY, /* withheld so that a small cell cannot be worked out: "x" */
} cell_state;

/* One row being protected. */
typedef struct {
	double exact[NCELLS];     /* the true figures */
	double pub[NCELLS];       /* the rounded figure of a published cell */
	cell_state state[NCELLS]; /* what happens to each cell */
	int order[NCELLS];        /* secondary cells: 1 for the first chosen, 2 ... */
	int nsecondary;           /* how many secondary cells so far */
} row;

/* What the published labels of one zone say of its cells (public_range). */
typedef struct {
	char *zone_id;        /* public_zones.zone_id, as text */
	double mid[NCELLS];   /* the middle of each cell's public range */
	double width[NCELLS]; /* its width: 0 when published, INFINITY when unbounded */
} zone_range;

/* The zones' public ranges, sorted by zone_id (protect_zones fills it, the communes read it). */
typedef struct {
	zone_range *v; /* the zones */
	size_t n;      /* how many */
	size_t cap;    /* allocated */
} zone_ranges;

/* How values of a table behave: whole numbers (zones) or fractions (communes: threshold only). */
typedef struct {
	double threshold; /* T */
	int whole;        /* 1: values are whole numbers */
	double small_lo;  /* the range a withheld small cell may take */
	double small_hi;
	double big_lo;    /* the least a non-small, non-zero cell can be */
} scale;

static scale make_scale(double threshold, int whole)
{
	scale s = {threshold, whole, 0, threshold, threshold};

	if (whole) {
		s.small_lo = 1;
		s.small_hi = ceil(threshold) - 1;
		s.big_lo = ceil(threshold);
	}
	return s;
}

static double round_to_base(double v)
{
	double p = ROUNDING_BASE * floor(v / ROUNDING_BASE + 0.5);

	return v > 0 && p <= 0 ? ROUNDING_BASE : p;
}

/* What the attacker knows of cell i: lo <= value <= hi. */
static void cell_bounds(const scale *sc, const row *r, int i, double *lo, double *hi)
{
	double half = ROUNDING_BASE / 2;
	int j;

	switch (r->state[i]) {
	case CELL_ZERO:
		*lo = *hi = 0;
		break;
	case CELL_PUBLISHED:
		/* Rounding half up: v in [p - B/2, p + B/2), whole v in [ceil(p - B/2), ceil(p + B/2) - 1]. */
		*lo = sc->whole ? ceil(r->pub[i] - half) : r->pub[i] - half;
		*hi = sc->whole ? ceil(r->pub[i] + half) - 1 : r->pub[i] + half;
		/* A published non-zero cell is not small; the lowest rounded value also holds [T, B/2). */
		if (*lo < sc->big_lo || r->pub[i] <= ROUNDING_BASE)
			*lo = sc->big_lo;
		break;
	case CELL_SMALL:
		*lo = sc->small_lo;
		*hi = sc->small_hi;
		break;
	case CELL_SECONDARY:
		*lo = sc->big_lo;
		*hi = INFINITY;
		if (i == TOTAL)
			break;
		/* It was the smallest category still published: no more than those left
		 * published, and no more than the secondary cells chosen after it. */
		for (j = 0; j < TOTAL; j++) {
			double l, h;
			if (j == i)
				continue;
			if (r->state[j] == CELL_PUBLISHED ||
			    (r->state[j] == CELL_SECONDARY && r->order[j] > r->order[i])) {
				cell_bounds(sc, r, j, &l, &h);
				if (h < *hi)
					*hi = h;
			}
		}
		break;
	}
}

/*
 * 1 when the row's other cells leave the small cell s its whole range:
 * s = total - (other categories), or for the total s = sum of categories.
 */
static int small_cell_safe(const scale *sc, const row *r, int s)
{
	double lo[NCELLS], hi[NCELLS], at_least = 0, at_most = 0;
	int i;

	for (i = 0; i < NCELLS; i++)
		cell_bounds(sc, r, i, &lo[i], &hi[i]);
	if (s == TOTAL) {
		for (i = 0; i < TOTAL; i++) {
			at_least += lo[i];
			at_most += hi[i];
		}
	} else {
		at_least = lo[TOTAL];
		at_most = hi[TOTAL];
		for (i = 0; i < TOTAL; i++) {
			if (i == s)
				continue;
			at_least -= hi[i];
			at_most -= lo[i];
		}
	}
	return at_least <= sc->small_lo && at_most >= sc->small_hi;
}

/* Withholds one more cell: the smallest published non-zero category, else the total. */
static int suppress_next(row *r)
{
	int i, best = -1;

	for (i = 0; i < TOTAL; i++)
		if (r->state[i] == CELL_PUBLISHED && (best < 0 || r->exact[i] < r->exact[best]))
			best = i;
	if (best < 0 && r->state[TOTAL] == CELL_PUBLISHED)
		best = TOTAL;
	if (best < 0)
		return 0;
	r->state[best] = CELL_SECONDARY;
	r->order[best] = ++r->nsecondary;
	return 1;
}

/* Applies the three rules to r (see the top of the file). */
static void protect_row(const scale *sc, row *r)
{
	int i, withheld = 0, safe;

	r->nsecondary = 0;
	for (i = 0; i < NCELLS; i++) {
		double v = r->exact[i];
		r->order[i] = 0;
		r->pub[i] = 0;
		if (!(v > 0)) {
			r->state[i] = CELL_ZERO;
		} else if (v < sc->threshold) {
			r->state[i] = CELL_SMALL;
			withheld++;
		} else {
			r->state[i] = CELL_PUBLISHED;
			r->pub[i] = round_to_base(v);
		}
	}
	if (withheld == 1)
		suppress_next(r);
	do {
		safe = 1;
		for (i = 0; i < NCELLS && safe; i++)
			if (r->state[i] == CELL_SMALL && !small_cell_safe(sc, r, i))
				safe = 0;
	} while (!safe && suppress_next(r));
}

/*
 * What the published labels of zone row r say of cell i, from its state
 * and the published figures only (never the exact ones nor the order the
 * secondary cells were chosen in): the middle of the values it may take
 * and the width of that range, 0 for a published figure, INFINITY when
 * the labels put no upper bound on it (an "x" total, or an "x" category
 * in a row that publishes no other non-zero category).
 */
static void public_range(const scale *sc, const row *r, int i, double *mid, double *width)
{
	double lo = 0, hi = INFINITY, l, h;
	int j;

	switch (r->state[i]) {
	case CELL_ZERO:
	case CELL_PUBLISHED:
		*mid = r->pub[i];
		*width = 0;
		return;
	case CELL_SMALL:
		lo = sc->small_lo;
		hi = sc->small_hi;
		break;
	case CELL_SECONDARY:
		lo = sc->big_lo;
		for (j = 0; j < TOTAL && i != TOTAL; j++)
			if (r->state[j] == CELL_PUBLISHED) {
				cell_bounds(sc, r, j, &l, &h);
				if (h < hi)
					hi = h;
			}
		break;
	}
	*mid = isinf(hi) ? lo : (lo + hi) / 2;
	*width = hi - lo;
}

/* Binds the value and label of the seven cells at parameters first, first+1, ... */
static void bind_cells(sqlite3_stmt *st, int first, const row *r, const char *small_label)
{
	char label[32];
	int i;

	for (i = 0; i < NCELLS; i++) {
		int p = first + 2 * i;
		switch (r->state[i]) {
		case CELL_ZERO:
		case CELL_PUBLISHED:
			sqlite3_bind_double(st, p, r->pub[i]);
			snprintf(label, sizeof(label), "%.0f", r->pub[i]);
			sqlite3_bind_text(st, p + 1, label, -1, SQLITE_TRANSIENT);
			break;
		case CELL_SMALL:
			sqlite3_bind_null(st, p);
			sqlite3_bind_text(st, p + 1, small_label, -1, SQLITE_TRANSIENT);
			break;
		case CELL_SECONDARY:
			sqlite3_bind_null(st, p);
			sqlite3_bind_text(st, p + 1, "x", -1, SQLITE_STATIC);
			break;
		}
	}
}

/* "INSERT INTO table(key, fig, fig_label, ..., extra) VALUES (?, ...)". */
static void insert_sql(char *sql, size_t size, const char *table, const char *key,
		       const char *extra, int nextra)
{
	size_t used;
	int i;

	used = (size_t)snprintf(sql, size, "INSERT INTO %s(%s", table, key);
	for (i = 0; i < NCELLS; i++)
		used += (size_t)snprintf(sql + used, size - used, ", %s, %s_label", tp_people[i].name,
					 tp_people[i].name);
	used += (size_t)snprintf(sql + used, size - used, "%s) VALUES (?", extra);
	for (i = 0; i < 2 * NCELLS + nextra; i++)
		used += (size_t)snprintf(sql + used, size - used, ", ?");
	snprintf(sql + used, size - used, ")");
	assert(used < size);
}

/* Appends zone_id's public ranges (public_range of each cell of r) to zr; 0 or TP_ERROR. */
static int ranges_add(zone_ranges *zr, const scale *sc, const char *zone_id, const row *r)
{
	zone_range *z;
	int i;

	if (zr->n == zr->cap) {
		size_t cap = zr->cap ? 2 * zr->cap : 64;
		zone_range *grown = realloc(zr->v, cap * sizeof(*grown));
		if (!grown)
			return tp_error_set(TP_ERROR, "out of memory");
		zr->v = grown;
		zr->cap = cap;
	}
	z = &zr->v[zr->n];
	if (!(z->zone_id = strdup(zone_id)))
		return tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; i < NCELLS; i++)
		public_range(sc, r, i, &z->mid[i], &z->width[i]);
	zr->n++;
	return 0;
}

static int zone_range_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const zone_range *)elem)->zone_id);
}

static int zone_range_order(const void *a, const void *b)
{
	return zone_range_cmp(((const zone_range *)a)->zone_id, b);
}

/*
 * Protects every zone row into public_zones, and gives zr each zone's
 * public ranges, sorted by zone_id as text (strcmp) for bsearch.
 */
static int protect_zones(tp_run *run, const scale *sc, const char *small_label, zone_ranges *zr)
{
	sqlite3_stmt *st = NULL, *ins = NULL;
	char sql[1024];
	row r;
	int rc, step = SQLITE_DONE, i;

	rc = tp_store_prepare(run->db, &st,
			      "SELECT zone_id" TP_CATEGORIES(COLUMN) ", " TP_ZONE_TOTAL
			      " FROM zones ORDER BY zone_id");
	insert_sql(sql, sizeof(sql), "public_zones", "zone_id", "", 0);
	if (!rc)
		rc = tp_store_prepare(run->db, &ins, sql);
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *zone_id = (const char *)sqlite3_column_text(st, 0);

		for (i = 0; i < NCELLS; i++)
			r.exact[i] = sqlite3_column_double(st, i + 1);
		protect_row(sc, &r);
		sqlite3_reset(ins);
		sqlite3_bind_value(ins, 1, sqlite3_column_value(st, 0));
		bind_cells(ins, 2, &r, small_label);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: public_zones: %s",
					  sqlite3_errmsg(run->db));
		else
			rc = ranges_add(zr, sc, zone_id ? zone_id : "", &r);
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	if (!rc)
		qsort(zr->v, zr->n, sizeof(*zr->v), zone_range_order);
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	return rc;
}

/* x / y, or NULL when not known (known == 0) or y is not positive. */
static void bind_ratio(sqlite3_stmt *st, int p, double x, double y, int known)
{
	if (known && y > 0)
		sqlite3_bind_double(st, p, x / y);
	else
		sqlite3_bind_null(st, p);
}

/*
 * One commune row from the published zone figures: cell i is the sum over
 * the commune's zones of share x the middle of what the zone's labels say
 * of that cell (its published figure, or the middle of a withheld cell's
 * range), withheld ("x") when the shares of the withheld cells' ranges
 * add up to more than ROUNDING_BASE.  The row then follows rule 1 (an
 * estimate in (0, T) is "<T") and rule 2 (rounding), never rule 3: it is
 * made of public figures only.
 */
static void derive_commune(const scale *sc, row *r, const double *mid, const double *width)
{
	int i;

	r->nsecondary = 0;
	for (i = 0; i < NCELLS; i++) {
		r->exact[i] = 0; /* not known: the row is made of public figures */
		r->order[i] = 0;
		r->pub[i] = 0;
		if (!(width[i] <= ROUNDING_BASE))
			r->state[i] = CELL_SECONDARY;
		else if (!(mid[i] > 0))
			r->state[i] = CELL_ZERO;
		else if (mid[i] < sc->threshold)
			r->state[i] = CELL_SMALL;
		else {
			r->state[i] = CELL_PUBLISHED;
			r->pub[i] = round_to_base(mid[i]);
		}
	}
}

/* Sums share x middle and share x width over nis_code's zones (derive_commune); 0 or TP_ERROR. */
static int commune_sums(sqlite3_stmt *shares, const zone_ranges *zr, sqlite3_value *nis_code,
			double *mid, double *width)
{
	int step, i;

	for (i = 0; i < NCELLS; i++)
		mid[i] = width[i] = 0;
	sqlite3_reset(shares);
	sqlite3_bind_value(shares, 1, nis_code);
	while ((step = sqlite3_step(shares)) == SQLITE_ROW) {
		const char *zone_id = (const char *)sqlite3_column_text(shares, 0);
		double share = sqlite3_column_double(shares, 1);
		const zone_range *z = zone_id ? bsearch(zone_id, zr->v, zr->n, sizeof(*zr->v),
							zone_range_cmp) : NULL;
		if (!z)
			return tp_error_set(TP_ERROR, "working store: zone_shares: zone '%s' not in zones",
					    zone_id ? zone_id : "");
		for (i = 0; i < NCELLS; i++) {
			mid[i] += share * z->mid[i];
			width[i] += share * z->width[i];
		}
	}
	if (step != SQLITE_DONE)
		return tp_error_set(TP_ERROR, "working store: zone_shares: %s",
				    sqlite3_errmsg(sqlite3_db_handle(shares)));
	return 0;
}

/*
 * One public_communes row per commune, made from the zones' public ranges
 * (derive_commune), with its need: the published total over the commune's
 * empty dwellings (every located vacancy record, candidate or not), NULL
 * when the total is withheld.  The score stage reads this need, so that
 * a score is made of published figures only.  The empty dwellings are the
 * snapshots stage's count of the scored snapshot, its latest
 * (vacancy_flows): the figure the dashboard shows per commune, made once;
 * summing the million vacancy rows again took 0.3 s at a million records.
 */
static int protect_communes(tp_run *run, const scale *sc, const char *small_label,
			    const zone_ranges *zr)
{
	sqlite3_stmt *st = NULL, *ins = NULL, *shares = NULL;
	char sql[1024];
	double mid[NCELLS], width[NCELLS];
	row r;
	int rc, step = SQLITE_DONE, extra = 2 + 2 * NCELLS;

	/* a nis_code of several commune rows has its dwellings on the first's (snapshots.c) */
	rc = tp_store_prepare(run->db, &st,
			      "SELECT c.nis_code, COALESCE(f.d, 0) FROM"
			      " (SELECT DISTINCT nis_code FROM communes) c LEFT JOIN"
			      " (SELECT nis_code, SUM(empty_dwellings) AS d FROM vacancy_flows"
			      " WHERE snapshot = (SELECT MAX(snapshot) FROM vacancy_flows)"
			      " AND nis_code IS NOT NULL GROUP BY nis_code) f USING (nis_code)"
			      " ORDER BY c.nis_code");
	insert_sql(sql, sizeof(sql), "public_communes", "nis_code", ", need", 1);
	if (!rc)
		rc = tp_store_prepare(run->db, &ins, sql);
	if (!rc)
		rc = tp_store_prepare(run->db, &shares,
				      "SELECT zone_id, share FROM zone_shares WHERE nis_code = ?"
				      " ORDER BY zone_id");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		double empty = sqlite3_column_double(st, 1);
		int total_known;

		rc = commune_sums(shares, zr, sqlite3_column_value(st, 0), mid, width);
		if (rc)
			break;
		derive_commune(sc, &r, mid, width);
		sqlite3_reset(ins);
		sqlite3_bind_value(ins, 1, sqlite3_column_value(st, 0));
		bind_cells(ins, 2, &r, small_label);
		total_known = r.state[TOTAL] == CELL_PUBLISHED || r.state[TOTAL] == CELL_ZERO;
		bind_ratio(ins, extra, r.pub[TOTAL], empty, total_known);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: public_communes: %s",
					  sqlite3_errmsg(run->db));
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	sqlite3_finalize(shares);
	return rc;
}

int tp_stage_protect(tp_run *run)
{
	double t = run->cfg->small_cell_threshold;
	scale whole = make_scale(t, 1), fraction = make_scale(t, 0);
	zone_ranges zr = {NULL, 0, 0};
	char small_label[64], buf[64];
	size_t i;
	int rc;

	snprintf(small_label, sizeof(small_label), "<%g", t);
	rc = tp_store_exec(run->db, "DELETE FROM public_zones; DELETE FROM public_communes");
	snprintf(buf, sizeof(buf), "%g", t);
	if (!rc)
		rc = tp_store_meta_set(run->db, "small_cell_threshold", buf);
	snprintf(buf, sizeof(buf), "%g", ROUNDING_BASE);
	if (!rc)
		rc = tp_store_meta_set(run->db, "rounding_base", buf);
	if (!rc)
		rc = protect_zones(run, &whole, small_label, &zr);
	if (!rc)
		rc = protect_communes(run, &fraction, small_label, &zr);
	for (i = 0; i < zr.n; i++)
		free(zr.v[i].zone_id);
	free(zr.v);
	return rc;
}

void tp_protect_zone(double threshold, const double exact[TP_NPEOPLE],
		     tp_published_cell out[TP_NPEOPLE])
{
	scale sc = make_scale(threshold, 1);
	row r;
	int i;

	for (i = 0; i < NCELLS; i++)
		r.exact[i] = exact[i];
	protect_row(&sc, &r);
	for (i = 0; i < NCELLS; i++) {
		out[i].published = r.state[i] == CELL_ZERO || r.state[i] == CELL_PUBLISHED;
		out[i].value = r.pub[i];
		if (out[i].published)
			snprintf(out[i].label, sizeof(out[i].label), "%.0f", r.pub[i]);
		else if (r.state[i] == CELL_SMALL)
			snprintf(out[i].label, sizeof(out[i].label), "<%g", threshold);
		else
			snprintf(out[i].label, sizeof(out[i].label), "x");
		public_range(&sc, &r, i, &out[i].mid, &out[i].width);
	}
}

void tp_protect_derived(double threshold, double mid, double width, tp_published_cell *out)
{
	scale sc = make_scale(threshold, 0);
	double mids[NCELLS] = {0}, widths[NCELLS] = {0};
	row r;

	mids[0] = mid;
	widths[0] = width;
	derive_commune(&sc, &r, mids, widths);
	out->published = r.state[0] == CELL_ZERO || r.state[0] == CELL_PUBLISHED;
	out->value = r.pub[0];
	out->mid = mid;
	out->width = width;
	if (out->published)
		snprintf(out->label, sizeof(out->label), "%.0f", r.pub[0]);
	else if (r.state[0] == CELL_SMALL)
		snprintf(out->label, sizeof(out->label), "<%g", threshold);
	else
		snprintf(out->label, sizeof(out->label), "x");
}

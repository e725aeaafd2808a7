/*
 * trends.c: the trends stage.  The count is repeated every two years over
 * zones drawn anew, and its categories grow (2022 added people staying
 * with third parties); a planner asks how each commune changed, on the
 * whole and on the categories both editions counted.
 *
 * Each earlier edition ([zones.LABEL], pipeline/editions.h) is read as
 * the zones input is (inputs/reader.h; a row that cannot be used goes to
 * rejects under the input "zones.LABEL"), moved to the working CRS,
 * repaired as validate repairs, and apportioned onto the current communes
 * by area with the apportion stage's engine (geo/overlay.h) into
 * edition_zones and edition_shares.  The current edition is the zones
 * table, already apportioned.
 *
 * Privacy: every edition's zone rows are protected with the protect
 * stage's rules (pipeline/protect.h) into edition_public_zones, and a
 * commune's or the region's figure is made from the published zone
 * figures only, as protect.c makes public_communes (the current
 * edition's figures are public_communes' exactly).  A change is the
 * difference of two published figures, withheld when either is, so it
 * says nothing the figures do not.  The comparable-scope figure of an
 * edition (its categories that the previous edition also counted) is the
 * total when the scope is all it counted, else made like any commune
 * figure from the published zone figures of those categories.
 */
#include "pipeline/editions.h"
#include "pipeline/protect.h"
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/error.h"
#include "geo/overlay.h"
#include "inputs/reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCELLS TP_NPEOPLE
#define TOTAL TP_NCATEGORIES

/* One column of a SELECT of the categories. */
#define COLUMN(c, fr, nl, aliases) ", " #c
#define COLUMN_Z(c, fr, nl, aliases) ", z." #c

/* What the published zone figures say of one commune (or the region) in one edition. */
typedef struct {
	double mid[NCELLS];   /* sum of share x the middle of each zone cell's public range */
	double width[NCELLS]; /* sum of share x its width */
} sums;

/* The current communes, by nis_code; the region is row n. */
typedef struct {
	char **nis;     /* nis_code */
	char **fr;      /* name_fr */
	char **nl;      /* name_nl */
	size_t n;       /* communes */
} commune_list;

static void communes_dispose(commune_list *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->nis[i]);
		free(c->fr[i]);
		free(c->nl[i]);
	}
	free(c->nis);
	free(c->fr);
	free(c->nl);
}

static char *dup_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return strdup(s ? s : "");
}

static int communes_read(tp_run *run, commune_list *c)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, step;

	rc = tp_store_prepare(run->db, &st, "SELECT nis_code, name_fr, name_nl FROM communes"
					    " ORDER BY nis_code, id");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->n == cap) {
			size_t ncap = cap ? 2 * cap : 32;
			char **a = realloc(c->nis, ncap * sizeof(*a)), **b, **d;
			if (a)
				c->nis = a;
			b = a ? realloc(c->fr, ncap * sizeof(*b)) : NULL;
			if (b)
				c->fr = b;
			d = b ? realloc(c->nl, ncap * sizeof(*d)) : NULL;
			if (!d) {
				rc = tp_error_set(TP_ERROR, "out of memory");
				break;
			}
			c->nl = d;
			cap = ncap;
		}
		c->nis[c->n] = dup_text(st, 0);
		c->fr[c->n] = dup_text(st, 1);
		c->nl[c->n] = dup_text(st, 2);
		c->n++;
		if (!c->nis[c->n - 1] || !c->fr[c->n - 1] || !c->nl[c->n - 1])
			rc = tp_error_set(TP_ERROR, "out of memory");
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: communes: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	return rc;
}

/* The position of nis in c (sorted), or -1. */
static long commune_find(const commune_list *c, const char *nis)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t m = (lo + hi) / 2;
		int d = strcmp(c->nis[m], nis);
		if (!d)
			return (long)m;
		if (d < 0)
			lo = m + 1;
		else
			hi = m;
	}
	return -1;
}

/* ---- an earlier edition, read and apportioned ------------------------- */

/* The input name of an earlier edition: "zones.LABEL". */
static void input_name(char *buf, size_t len, const tp_edition *e)
{
	snprintf(buf, len, "zones.%s", e->label);
}

/* A geometry of the edition in the working CRS and repaired, as WKB; NULL with *why. */
static unsigned char *edition_geom(tp_run *run, tp_transform *t, const tp_record *rec,
				   size_t *len, const char **why)
{
	GEOSGeometry *g = NULL, *moved = NULL, *valid = NULL;
	unsigned char *wkb = NULL;
	int repaired = 0;

	*why = "geometry cannot be read";
	if (!rec->wkb || !(g = tp_geo_from_wkb(run->g, rec->wkb, rec->wkb_len)))
		goto done;
	*why = "coordinates cannot be transformed to the working CRS";
	if (!(moved = tp_transform_is_identity(t) ? GEOSGeom_clone_r(run->g->gh, g)
						 : tp_transform_geom(t, g)))
		goto done;
	*why = "not a polygon with an area";
	if (!(valid = tp_geo_valid_multipolygon(run->g, moved, &repaired, why)))
		goto done;
	wkb = tp_geo_to_wkb(run->g, valid, len);
done:
	if (g)
		GEOSGeom_destroy_r(run->g->gh, g);
	if (moved)
		GEOSGeom_destroy_r(run->g->gh, moved);
	if (valid)
		GEOSGeom_destroy_r(run->g->gh, valid);
	return wkb;
}

/* Records a reject of the edition's row and says so (unless quiet). */
static int reject(tp_run *run, const char *input, const char *path, const char *layer, long row,
		  const char *field, const char *reason, const char *original)
{
	if (!run->quiet)
		fprintf(stderr, "%s, layer %s, row %ld, field %s: %s\n", path, layer, row, field,
			reason);
	return tp_store_reject(run->db, input, row, "trends", field, reason, original);
}

/* Reads the earlier edition e into edition_zones (see the top of the file). */
static int load_edition(tp_run *run, const tp_edition *e)
{
	const tp_input_def *def = tp_input_def_get(TP_IN_ZONES);
	tp_reader *r = NULL;
	tp_transform *t = NULL;
	tp_record rec = {0};
	sqlite3_stmt *ins = NULL, *dup = NULL;
	char input[300], reason[600];
	long nread = 0, nskip = 0;
	size_t i;
	int rc, got;

	input_name(input, sizeof(input), e);
	rc = tp_reader_open(&r, &e->in, TP_IN_ZONES);
	if (rc)
		return tp_error_wrap(rc, "section [%s]", input);
	rc = tp_transform_new(&t, run->g, tp_reader_crs(r), run->cfg->crs);
	if (rc) {
		rc = tp_error_wrap(rc, "%s, layer %s (section [%s])", e->in.path, tp_reader_layer(r),
				   input);
		goto done;
	}
	rc = tp_store_input_begin(run->db, input, e->in.path, tp_reader_layer(r), tp_reader_crs(r),
				  NULL, NULL, NULL);
	if (rc)
		goto done;
	rc = tp_store_prepare(run->db, &ins,
			      "INSERT INTO edition_zones(edition, src_row, zone_id" TP_CATEGORIES(COLUMN)
			      ", " TP_ZONE_TOTAL ", geom, original) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
			      " ?, ?, ?)");
	if (!rc)
		rc = tp_store_prepare(run->db, &dup, "SELECT src_row FROM edition_zones"
						     " WHERE edition = ? AND zone_id = ?");
	while (!rc && (got = tp_reader_next(r, &rec)) == 1) {
		unsigned char *wkb = NULL;
		size_t len = 0;
		const char *why = NULL;
		long long total = 0;

		nread++;
		if (rec.skipped) {
			nskip++;
			continue;
		}
		if (rec.reason[0]) {
			rc = reject(run, input, e->in.path, tp_reader_layer(r), rec.row, rec.field,
				    rec.reason, rec.original);
			continue;
		}
		sqlite3_reset(dup);
		sqlite3_bind_text(dup, 1, e->label, -1, SQLITE_STATIC);
		sqlite3_bind_text(dup, 2, rec.values[0], -1, SQLITE_STATIC);
		if (sqlite3_step(dup) == SQLITE_ROW) {
			snprintf(reason, sizeof(reason), "duplicate zone_id '%s' (row %lld)",
				 rec.values[0], (long long)sqlite3_column_int64(dup, 0));
			rc = reject(run, input, e->in.path, tp_reader_layer(r), rec.row, "zone_id",
				    reason, rec.original);
			continue;
		}
		if (!(wkb = edition_geom(run, t, &rec, &len, &why))) {
			rc = reject(run, input, e->in.path, tp_reader_layer(r), rec.row, "geometry",
				    why, rec.original);
			continue;
		}
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, e->label, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, rec.row);
		sqlite3_bind_text(ins, 3, rec.values[0], -1, SQLITE_STATIC);
		for (i = 1; i < def->nfields; i++) {
			/* a category the edition did not count stays NULL */
			if (rec.values[i]) {
				sqlite3_bind_int64(ins, (int)i + 3, atoll(rec.values[i]));
				total += atoll(rec.values[i]);
			} else {
				sqlite3_bind_null(ins, (int)i + 3);
			}
		}
		sqlite3_bind_int64(ins, (int)def->nfields + 3, total);
		sqlite3_bind_blob(ins, (int)def->nfields + 4, wkb, (int)len, free);
		sqlite3_bind_text(ins, (int)def->nfields + 5, rec.original, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	if (!rc && got < 0)
		rc = got;
	if (rc)
		goto done;
	rc = tp_store_input_end(run->db, input, nread, nskip, NULL);
done:
	tp_record_dispose(&rec);
	sqlite3_finalize(ins);
	sqlite3_finalize(dup);
	tp_transform_free(t);
	tp_reader_free(r);
	return rc;
}

/* Shares the earlier edition e's zones over the communes by area (apportion.c's rule). */
static int apportion_edition(tp_run *run, const tp_edition *e)
{
	tp_zone_overlay o = {0};
	sqlite3_stmt *ins = NULL, *row = NULL, *del = NULL;
	char *sql = NULL, input[300];
	size_t i, k = 0;
	int rc;

	input_name(input, sizeof(input), e);
	sql = sqlite3_mprintf("SELECT id, geom, zone_id FROM edition_zones WHERE edition = %Q"
			      " ORDER BY zone_id", e->label);
	rc = sql ? tp_zone_overlay_make(run, sql, &o) : tp_error_set(TP_ERROR, "out of memory");
	if (!rc)
		rc = tp_store_prepare(run->db, &ins, "INSERT INTO edition_shares(edition, zone_id,"
						     " nis_code, share) VALUES (?, ?, ?, ?)");
	if (!rc)
		rc = tp_store_prepare(run->db, &row, "SELECT src_row, original FROM edition_zones"
						     " WHERE id = ?");
	if (!rc)
		rc = tp_store_prepare(run->db, &del, "DELETE FROM edition_zones WHERE id = ?");
	for (i = 0; i < o.zon.n && !rc; i++) {
		if (o.inside[i] <= 0) {
			sqlite3_reset(row);
			sqlite3_bind_int64(row, 1, o.zon.id[i]);
			if (sqlite3_step(row) != SQLITE_ROW) {
				rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
				break;
			}
			rc = reject(run, input, e->in.path, "", (long)sqlite3_column_int64(row, 0),
				    "geometry", "the zone lies wholly outside the region's communes",
				    (const char *)sqlite3_column_text(row, 1));
			sqlite3_reset(del);
			sqlite3_bind_int64(del, 1, o.zon.id[i]);
			if (!rc && sqlite3_step(del) != SQLITE_DONE)
				rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
			continue;
		}
		for (; k < o.nps && o.ps[k].src == i && !rc; k++) {
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, e->label, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, o.zon.key[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, o.com.key[o.ps[k].dst], -1, SQLITE_STATIC);
			sqlite3_bind_double(ins, 4, o.ps[k].share);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
		}
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(row);
	sqlite3_finalize(del);
	sqlite3_free(sql);
	tp_zone_overlay_dispose(run, &o);
	return rc;
}

int tp_edition_counts(sqlite3 *db, const tp_edition *e, long long *n, long long *a,
		      long long *r, long long *skipped)
{
	char input[300], *accepted;
	int rc;

	input_name(input, sizeof(input), e);
	accepted = sqlite3_mprintf("SELECT COUNT(*) FROM edition_zones WHERE edition = %Q",
				   e->label);
	rc = accepted ? tp_store_input_counts(db, input, accepted, n, a, r, skipped)
		      : tp_error_set(TP_ERROR, "out of memory");
	sqlite3_free(accepted);
	return rc;
}

/* Says what became of the earlier edition e's rows, as the pipeline does for each input. */
static int report_edition(tp_run *run, const tp_edition *e)
{
	long long n, a, r, skipped;
	char input[300];
	int rc;

	if (run->quiet)
		return TP_OK;
	input_name(input, sizeof(input), e);
	rc = tp_edition_counts(run->db, e, &n, &a, &r, &skipped);
	/* as stages.c reports the other inputs */
	if (!rc && skipped)
		printf("%-9s read %lld, accepted %lld, rejected %lld, skipped %lld\n", input, n, a, r,
		       skipped);
	else if (!rc)
		printf("%-9s read %lld, accepted %lld, rejected %lld\n", input, n, a, r);
	return rc;
}

/* ---- every edition, protected and summed per commune ------------------ */

/*
 * Protects each zone row of edition e into edition_public_zones and adds
 * share x what its labels say to the sums of its communes (s[0..n-1])
 * and of the region (s[n]).
 */
static int protect_edition(tp_run *run, const tp_edition *e, const commune_list *c, sums *s)
{
	sqlite3_stmt *st = NULL, *ins = NULL;
	tp_published_cell cells[NCELLS];
	double exact[NCELLS];
	char *sql, last[256] = "";
	int rc, step = SQLITE_DONE, i, first = 1;

	if (e->current)
		sql = sqlite3_mprintf("SELECT z.zone_id" TP_CATEGORIES(COLUMN_Z) ", z." TP_ZONE_TOTAL
				      ", s.nis_code, s.share FROM zones z JOIN zone_shares s"
				      " ON s.zone_id = z.zone_id ORDER BY z.zone_id, s.nis_code");
	else
		sql = sqlite3_mprintf("SELECT z.zone_id" TP_CATEGORIES(COLUMN_Z) ", z." TP_ZONE_TOTAL
				      ", s.nis_code, s.share FROM edition_zones z JOIN edition_shares s"
				      " ON s.edition = z.edition AND s.zone_id = z.zone_id"
				      " WHERE z.edition = %Q ORDER BY z.zone_id, s.nis_code", e->label);
	if (!sql)
		return tp_error_set(TP_ERROR, "out of memory");
	rc = tp_store_prepare(run->db, &st, sql);
	sqlite3_free(sql);
	if (!rc)
		rc = tp_store_prepare(run->db, &ins,
				      "INSERT INTO edition_public_zones VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
				      " ?, ?, ?, ?, ?, ?, ?, ?)");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *zone = (const char *)sqlite3_column_text(st, 0);
		const char *nis = (const char *)sqlite3_column_text(st, NCELLS + 1);
		double share = sqlite3_column_double(st, NCELLS + 2);
		long at = nis ? commune_find(c, nis) : -1;

		zone = zone ? zone : "";
		if (first || strcmp(zone, last)) {
			first = 0;
			snprintf(last, sizeof(last), "%s", zone);
			for (i = 0; i < NCELLS; i++)
				exact[i] = sqlite3_column_double(st, i + 1);
			tp_protect_zone(run->cfg->small_cell_threshold, exact, cells);
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, e->label, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, zone, -1, SQLITE_TRANSIENT);
			for (i = 0; i < NCELLS; i++) {
				if (cells[i].published)
					sqlite3_bind_double(ins, 3 + 2 * i, cells[i].value);
				else
					sqlite3_bind_null(ins, 3 + 2 * i);
				sqlite3_bind_text(ins, 4 + 2 * i, cells[i].label, -1, SQLITE_TRANSIENT);
			}
			if (sqlite3_step(ins) != SQLITE_DONE) {
				rc = tp_error_set(TP_ERROR, "working store: edition_public_zones: %s",
						  sqlite3_errmsg(run->db));
				break;
			}
		}
		if (at < 0) {
			rc = tp_error_set(TP_ERROR, "working store: shares of zone '%s' name commune"
					  " '%s', not in communes", zone, nis ? nis : "");
			break;
		}
		for (i = 0; i < NCELLS; i++) {
			s[at].mid[i] += share * cells[i].mid;
			s[at].width[i] += share * cells[i].width;
			s[c->n].mid[i] += share * cells[i].mid;
			s[c->n].width[i] += share * cells[i].width;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	return rc;
}

/* ---- the trends table ------------------------------------------------- */

/* A figure of one commune and edition: cell k, or with scope the sum of the scope's categories. */
static void figure(double t, const sums *s, int k, const int *scope, tp_published_cell *out)
{
	double mid = 0, width = 0;
	int i;

	if (!scope) {
		tp_protect_derived(t, s->mid[k], s->width[k], out);
		return;
	}
	for (i = 0; i < TP_NCATEGORIES; i++)
		if (scope[i]) {
			mid += s->mid[i];
			width += s->width[i];
		}
	tp_protect_derived(t, mid, width, out);
}

/* 1 when scope is every category e counted. */
static int whole_scope(const tp_edition *e, const int *scope)
{
	int i;

	for (i = 0; i < TP_NCATEGORIES; i++)
		if (scope[i] != e->counted[i])
			return 0;
	return 1;
}

static void bind_figure(sqlite3_stmt *st, int p, const tp_published_cell *c)
{
	if (c && c->published)
		sqlite3_bind_double(st, p, c->value);
	else
		sqlite3_bind_null(st, p);
}

/* Binds b - a and the change in % of a at p, p + 1, when both are published. */
static void bind_change(sqlite3_stmt *st, int p, const tp_published_cell *a,
			const tp_published_cell *b)
{
	if (a && b && a->published && b->published) {
		double d = b->value - a->value;
		sqlite3_bind_double(st, p, d);
		if (a->value > 0)
			sqlite3_bind_double(st, p + 1, round(1000 * d / a->value) / 10);
		else
			sqlite3_bind_null(st, p + 1);
	} else {
		sqlite3_bind_null(st, p);
		sqlite3_bind_null(st, p + 1);
	}
}

/* The rows of commune (or region) ci in edition ei: one per category, then the total. */
static int trend_rows(tp_run *run, sqlite3_stmt *ins, const commune_list *c, size_t ci,
		      size_t ei, sums *const *s)
{
	const tp_config *cfg = run->cfg;
	const tp_edition *e = &cfg->editions[ei], *p = ei ? &cfg->editions[ei - 1] : NULL;
	double t = cfg->small_cell_threshold;
	int scope[TP_NCATEGORIES], k;
	char scope_text[256] = "";

	for (k = 0; k < TP_NCATEGORIES; k++)
		scope[k] = e->counted[k] && (!p || p->counted[k]);
	if (p)
		tp_edition_categories(&(tp_edition){.counted = {scope[0], scope[1], scope[2],
								  scope[3], scope[4], scope[5]}},
				      scope_text, sizeof(scope_text));
	for (k = 0; k < NCELLS; k++) {
		tp_published_cell now = {0}, before = {0}, cnow = {0}, cbefore = {0};
		int counted = k == TOTAL || e->counted[k];
		int before_counted = p && (k == TOTAL || p->counted[k]);
		int comparable = p && (k == TOTAL || scope[k]);

		figure(t, &s[ei][ci], k, NULL, &now);
		if (before_counted)
			figure(t, &s[ei - 1][ci], k, NULL, &before);
		if (k == TOTAL && p) {
			figure(t, &s[ei][ci], k, whole_scope(e, scope) ? NULL : scope, &cnow);
			figure(t, &s[ei - 1][ci], k, whole_scope(p, scope) ? NULL : scope, &cbefore);
		} else {
			cnow = now;
			cbefore = before;
		}
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		if (ci < c->n) {
			sqlite3_bind_text(ins, 1, c->nis[ci], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, c->fr[ci], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, c->nl[ci], -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_text(ins, 2, "Région", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, "Gewest", -1, SQLITE_STATIC);
		}
		sqlite3_bind_text(ins, 4, e->label, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, e->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, tp_people[k].name, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 7, counted);
		if (counted) {
			bind_figure(ins, 8, &now);
			sqlite3_bind_text(ins, 9, now.label, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_text(ins, 9, "not counted", -1, SQLITE_STATIC);
		}
		if (p) {
			sqlite3_bind_text(ins, 10, p->label, -1, SQLITE_STATIC);
			bind_figure(ins, 11, before_counted ? &before : NULL);
			bind_change(ins, 12, counted && before_counted ? &before : NULL, &now);
			sqlite3_bind_text(ins, 14, scope_text, -1, SQLITE_TRANSIENT);
		}
		if (comparable) {
			bind_figure(ins, 15, &cnow);
			bind_figure(ins, 16, &cbefore);
			bind_change(ins, 17, &cbefore, &cnow);
		}
		if (sqlite3_step(ins) != SQLITE_DONE)
			return tp_error_set(TP_ERROR, "working store: trends: %s",
					    sqlite3_errmsg(run->db));
	}
	return TP_OK;
}

int tp_stage_trends(tp_run *run)
{
	const tp_config *cfg = run->cfg;
	commune_list c = {0};
	sums **s = NULL;
	sqlite3_stmt *ins = NULL;
	size_t ei, ci;
	int rc;

	rc = tp_store_exec(run->db, "DELETE FROM edition_zones; DELETE FROM edition_shares;"
				    " DELETE FROM edition_public_zones; DELETE FROM trends;"
				    " DELETE FROM rejects WHERE input GLOB 'zones.*';"
				    " DELETE FROM input_stats WHERE input GLOB 'zones.*'");
	if (rc || cfg->neditions < 2)
		return rc;
	rc = communes_read(run, &c);
	if (!rc && !(s = calloc(cfg->neditions, sizeof(*s))))
		rc = tp_error_set(TP_ERROR, "out of memory");
	for (ei = 0; ei < cfg->neditions && !rc; ei++) {
		const tp_edition *e = &cfg->editions[ei];
		if (!(s[ei] = calloc(c.n + 1, sizeof(**s))))
			rc = tp_error_set(TP_ERROR, "out of memory");
		if (!rc && !e->current)
			rc = load_edition(run, e);
		if (!rc && !e->current)
			rc = apportion_edition(run, e);
		if (!rc && !e->current)
			rc = report_edition(run, e);
		if (!rc)
			rc = protect_edition(run, e, &c, s[ei]);
	}
	if (!rc)
		rc = tp_store_prepare(run->db, &ins,
				      "INSERT INTO trends(nis_code, name_fr, name_nl, edition, edition_date,"
				      " category, counted, value, value_label, previous_edition,"
				      " previous_value, change, change_pct, comparable_scope,"
				      " comparable_value, comparable_previous, comparable_change,"
				      " comparable_change_pct) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
				      " ?, ?, ?, ?, ?, ?, ?)");
	/* communes by nis_code, then the region; editions oldest first within each */
	for (ci = 0; ci <= c.n && !rc; ci++)
		for (ei = 0; ei < cfg->neditions && !rc; ei++)
			rc = trend_rows(run, ins, &c, ci, ei, s);
	sqlite3_finalize(ins);
	for (ei = 0; s && ei < cfg->neditions; ei++)
		free(s[ei]);
	free(s);
	communes_dispose(&c);
	return rc;
}

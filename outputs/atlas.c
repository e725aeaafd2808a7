/*
 * atlas.c: OUTDIR/maps/atlas.pdf, for the planners of each commune, in NIS
 * order: a map zoomed on the commune (its neighbours in grey, its
 * candidates numbered by their rank in the commune, 1 to n), its
 * published figures, its vacancies that are not candidates by reason, and
 * its candidates as a table, on as many pages as the list takes.
 *
 * Bounded whatever the number of candidates: a commune lists and numbers
 * its best TP_ATLAS_LISTED (maps.h); the others are small dots on its map
 * and a line says how many more there are and where (candidates.csv, the
 * candidates layer of tremplin.gpkg), so 100,000 candidates give an atlas
 * of about 1 MB drawn in about 1 s: the small dots are one image per map,
 * and the halos of a map's hundred numbers are drawn once for the whole
 * atlas (tp_text_share_halos) instead of as glyph outlines on every page.
 * People figures are the
 * published labels (public_communes), so a suppressed count reads "<5"
 * here as everywhere.  Numbers and dates as print writes them
 * (geo/numbers.h, geo/dates.h).
 *
 * With count editions, the first page also shows the commune's people
 * counted at each edition (a bar per edition and a table: the figure, the
 * change since the edition before on the whole and on the comparable
 * scope), as the trends table published them; with an occupation
 * register, the temporary occupations running in it (site, operator,
 * dwellings, start, the end agreed now, extended or not; never people per
 * site), its first TP_ATLAS_OCCUPATIONS listed.  Both from atlasdata.h.
 */
#include "outputs/maps.h"
#include "outputs/atlasdata.h"
#include "outputs/draw.h"
#include "outputs/labels.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "version.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#define PAGE_W 595.28 /* A4 portrait, points */
#define PAGE_H 841.89
#define MARGIN 40.0
#define ROW_H 10.5
#define MAP_H 280.0
#define BOTTOM (PAGE_H - MARGIN - 18) /* the table stops above the footer */

/* A commune's candidates, best first: its own rank of k[i] is i + 1. */
typedef struct {
	const tp_map_candidate **k; /* into d->cands */
	size_t n;                   /* how many */
} commune_list;

/* Neighbours' names: grey italic, dropped where there is no room. */
static int neighbour_names(cairo_t *cr, const tp_mapdata *d, const tp_map_commune *c,
			   const tp_view *v, tp_labels *L)
{
	size_t i;
	int rc = TP_OK, placed;

	cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
	for (i = 0; i < d->ncommunes && !rc; i++) {
		const tp_map_commune *o = &d->communes[i];
		double x = tp_view_x(v, o->lx), y = tp_view_y(v, o->ly);
		char name[256];
		tp_label_line line = {name, 7, TP_TEXT_ITALIC};
		if (o == c || x < L->frame[0] || x > L->frame[2] || y < L->frame[1] || y > L->frame[3])
			continue;
		tp_lang_pick(name, sizeof(name), d->lang, o->name_fr, o->name_nl, "\n");
		rc = tp_labels_place(L, cr, x, y, 0, &line, 1, TP_LABEL_NO_LEADER, &placed);
	}
	return rc;
}

/*
 * The candidates beyond the list as small squares, one per cell of a grid
 * of DOT points over the page, as many as the map can show apart, however
 * many candidates there are: one image of the cells taken (DOT_PX pixels
 * a side, a pixel's edge left blank between neighbours) painted through in
 * the candidates' outline colour, so that a page holds a few kilobytes of
 * mask rather than thousands of little paths.
 */
#define DOT 2.0
#define DOT_PX 3
static int unlisted_dots(cairo_t *cr, const commune_list *list, size_t listed, const tp_view *v)
{
	static const union {
		uint32_t u;
		unsigned char c[4];
	} little = {1};
	cairo_surface_t *mask;
	cairo_pattern_t *pattern;
	unsigned char *bits;
	double *xy, cx0 = 0, cy0 = 0, cx1 = 0, cy1 = 0;
	size_t i, n = 0;
	int stride, w, h, px, py, j, k;

	if (listed >= list->n)
		return TP_OK;
	if (!(xy = malloc(2 * (list->n - listed) * sizeof(*xy))))
		return tp_error_set(TP_ERROR, "out of memory");
	for (i = listed; i < list->n; i++) {
		xy[2 * n] = floor(tp_view_x(v, list->k[i]->x) / DOT);
		xy[2 * n + 1] = floor(tp_view_y(v, list->k[i]->y) / DOT);
		cx0 = n ? fmin(cx0, xy[2 * n]) : xy[2 * n];
		cy0 = n ? fmin(cy0, xy[2 * n + 1]) : xy[2 * n + 1];
		cx1 = n ? fmax(cx1, xy[2 * n]) : xy[2 * n];
		cy1 = n ? fmax(cy1, xy[2 * n + 1]) : xy[2 * n + 1];
		n++;
	}
	w = (int)(cx1 - cx0 + 1) * DOT_PX;
	h = (int)(cy1 - cy0 + 1) * DOT_PX;
	mask = cairo_image_surface_create(CAIRO_FORMAT_A1, w, h);
	if (cairo_surface_status(mask)) {
		cairo_surface_destroy(mask);
		free(xy);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	cairo_surface_flush(mask);
	bits = cairo_image_surface_get_data(mask);
	stride = cairo_image_surface_get_stride(mask);
	for (i = 0; i < n; i++) {
		px = (int)(xy[2 * i] - cx0) * DOT_PX;
		py = (int)(xy[2 * i + 1] - cy0) * DOT_PX;
		for (j = 0; j + 1 < DOT_PX; j++)
			for (k = 0; k + 1 < DOT_PX; k++) {
				/* A1 pixels: one bit each, the first in a 32-bit word's
				 * lowest bit on a little-endian machine, its highest on a
				 * big-endian one */
				uint32_t *word = (uint32_t *)(bits + (size_t)(py + j) * stride) +
						 (px + k) / 32;
				*word |= little.c[0] ? 1u << ((px + k) % 32)
						     : 0x80000000u >> ((px + k) % 32);
			}
	}
	cairo_surface_mark_dirty(mask);
	free(xy);
	cairo_save(cr);
	/* a pixel's blank edge split on both sides of the square, centred in its cell */
	cairo_translate(cr, cx0 * DOT + DOT / DOT_PX / 2, cy0 * DOT + DOT / DOT_PX / 2);
	cairo_scale(cr, DOT / DOT_PX, DOT / DOT_PX);
	tp_set_rgb(cr, tp_candidate_outline);
	pattern = cairo_pattern_create_for_surface(mask);
	cairo_pattern_set_filter(pattern, CAIRO_FILTER_NEAREST); /* squares, not blurred */
	cairo_mask(cr, pattern);
	cairo_pattern_destroy(pattern);
	cairo_restore(cr);
	cairo_surface_destroy(mask);
	return TP_OK;
}

static int draw_map(cairo_t *cr, const tp_mapdata *d, const tp_map_commune *c,
		    const commune_list *list, double x, double y, double w, double h)
{
	double box[4], dx = (c->box[2] - c->box[0]) * 0.12, dy = (c->box[3] - c->box[1]) * 0.12;
	double frame[2][4], note;
	unsigned char rgb[3];
	tp_labels L;
	tp_view v;
	size_t i, omitted, listed = list->n < TP_ATLAS_LISTED ? list->n : TP_ATLAS_LISTED;
	int rc = TP_OK, placed;

	box[0] = c->box[0] - dx;
	box[1] = c->box[1] - dy;
	box[2] = c->box[2] + dx;
	box[3] = c->box[3] + dy;
	tp_view_fit(&v, box, x, y, w, h);
	cairo_save(cr);
	cairo_rectangle(cr, x, y, w, h);
	cairo_clip(cr);
	cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
	cairo_paint(cr);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *o = &d->communes[i];
		if (o == c)
			continue;
		cairo_new_path(cr);
		tp_path_commune(cr, o, &v);
		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_set_line_width(cr, 1.2);
		cairo_stroke(cr);
	}
	cairo_new_path(cr);
	tp_path_commune(cr, c, &v);
	if (c->cls < 0) {
		tp_fill_nodata(cr, x, y, x + w, y + h);
		tp_path_commune(cr, c, &v);
	} else {
		tp_class_rgb(c->cls, d->nclasses, rgb);
		tp_set_rgb(cr, rgb);
		cairo_fill_preserve(cr);
	}
	cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
	cairo_set_line_width(cr, 1.4);
	cairo_stroke(cr);
	/* those beyond the list as small dots, then the listed ones, largest
	 * (and, at equal size, worst) first so that the best stay on top */
	rc = unlisted_dots(cr, list, listed, &v);
	if (rc) {
		cairo_restore(cr);
		return rc;
	}
	for (i = listed; i-- > 0;) {
		const tp_map_candidate *k = list->k[i];
		double r = tp_point_radius(k->dwellings, d->max_dwellings) * 1.3;
		tp_draw_candidate(cr, tp_view_x(&v, k->x), tp_view_y(&v, k->y), r, 0.5);
	}
	/* labels over the discs: the ranks, best first, then the neighbours,
	 * clear of the note, the scale bar and the north arrow */
	tp_labels_init(&L, x + 1, y + 1, x + w - 1, y + h - 1);
	tp_map_frame_boxes(x, y, w, h, 0, frame);
	note = tp_draw_note(cr, d, x + 6, y + 6, w / 2);
	rc = tp_labels_block(&L, frame[0][0], frame[0][1], frame[0][2], frame[0][3]);
	if (!rc)
		rc = tp_labels_block(&L, frame[1][0], frame[1][1], frame[1][2], frame[1][3]);
	if (!rc && note > 0)
		rc = tp_labels_block(&L, x + 6, y + 6, x + 6 + w / 2, y + 6 + note);
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	for (i = 0; i < listed && !rc; i++) {
		const tp_map_candidate *k = list->k[i];
		char n[32];
		tp_label_line line = {n, 6.5, TP_TEXT_BOLD};
		snprintf(n, sizeof(n), "%zu", i + 1);
		rc = tp_labels_place(&L, cr, tp_view_x(&v, k->x), tp_view_y(&v, k->y),
				     tp_point_radius(k->dwellings, d->max_dwellings) * 1.3, &line, 1,
				     TP_LABEL_AROUND, &placed);
	}
	omitted = L.left_out;
	if (!rc)
		rc = neighbour_names(cr, d, c, &v, &L);
	tp_labels_dispose(&L);
	cairo_restore(cr);
	tp_map_frame(cr, &v, x, y, w, h, 0);
	if (omitted) {
		/* a number that found no room is in the table all the same: say so */
		char buf[300], fr[140], nl[140], n[32];
		tp_num_count(n, sizeof(n), (long long)omitted, d->lang);
		snprintf(fr, sizeof(fr), "%s numéro%s sans place sur la carte : voir le tableau", n,
			 omitted > 1 ? "s" : "");
		snprintf(nl, sizeof(nl), "%s nummer%s zonder plaats op de kaart: zie de tabel", n,
			 omitted > 1 ? "s" : "");
		tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " / ");
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		tp_text(cr, x + w, y + h + 2, 0, buf, 6.5, TP_TEXT_RIGHT | TP_TEXT_ITALIC);
	}
	return rc;
}

/* One "label ..... value" line of the figures box; returns the next y. */
static double figure_line(cairo_t *cr, const char *lang, const char *fr, const char *nl,
			  const char *value, double x, double y, double w)
{
	char lab[256];
	double h;

	tp_lang_pick(lab, sizeof(lab), lang, fr, nl, " / ");
	cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
	h = tp_text(cr, x, y, w - 50, lab, 7.5, 0);
	tp_text(cr, x + w, y, 0, value, 7.5, TP_TEXT_BOLD | TP_TEXT_RIGHT);
	return y + fmax(h, ROW_H) + 1;
}

static double draw_figures(cairo_t *cr, const tp_mapdata *d, const tp_map_commune *c, double y)
{
	const double colw = (PAGE_W - 2 * MARGIN - 20) / 2, x2 = MARGIN + colw + 20;
	char buf[256], v[32], thr[32];
	const tp_figure *f;
	double y1, y2;
	size_t i, n;

	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	tp_lang_pick(buf, sizeof(buf), d->lang, "Personnes dénombrées (chiffres publiés)",
		     "Getelde personen (gepubliceerde cijfers)", " / ");
	y1 = y + tp_text(cr, MARGIN, y, colw, buf, 8.5, TP_TEXT_BOLD) + 3;
	tp_lang_pick(buf, sizeof(buf), d->lang, "Logements vides et candidats",
		     "Leegstaande en kandidaat-woningen", " / ");
	y2 = y + tp_text(cr, x2, y, colw, buf, 8.5, TP_TEXT_BOLD) + 3;
	f = tp_people_figures(&n);
	/* the total first, then the six categories */
	y1 = figure_line(cr, d->lang, f[n - 1].fr, f[n - 1].nl, c->fig_label[n - 1][0] ?
			 c->fig_label[n - 1] : "–", MARGIN, y1, colw);
	for (i = 0; i + 1 < n; i++)
		y1 = figure_line(cr, d->lang, f[i].fr, f[i].nl,
				 c->fig_label[i][0] ? c->fig_label[i] : "–", MARGIN + 8, y1, colw - 8);
	{
		/* the commune's counts of buildings and dwellings, as named in mapdata.c */
		const struct {
			const char *name;
			long long value;
		} counts[] = {
			{"vacancy_records", c->vacancy_records},
			{"empty_dwellings", c->empty_dwellings},
			{"candidate_buildings", c->candidate_buildings},
			{"candidate_dwellings", c->candidate_dwellings},
		};
		for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
			f = tp_figure_find(counts[i].name);
			tp_num_count(v, sizeof(v), counts[i].value, d->lang);
			y2 = figure_line(cr, d->lang, f->fr, f->nl, v, x2, y2, colw);
		}
	}
	f = tp_figure_find("capacity");
	tp_num_persons(v, sizeof(v), c->capacity, d->lang);
	y2 = figure_line(cr, d->lang, f->fr, f->nl, v, x2, y2, colw);
	tp_num_format(thr, sizeof(thr), d->threshold, TP_NUM_AUTO, d->lang);
	{
		char fr[200], nl[200];
		snprintf(fr, sizeof(fr), "« <%s » : moins de %s personnes ; « x » : masqué pour qu'un "
			 "autre chiffre masqué ne puisse être déduit.", thr, thr);
		snprintf(nl, sizeof(nl), "“<%s”: minder dan %s personen; “x”: afgeschermd opdat een "
			 "ander afgeschermd cijfer niet afleidbaar is.", thr, thr);
		tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " ");
	}
	cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
	y2 += 3 + tp_text(cr, x2, y2 + 3, colw, buf, 6.5, TP_TEXT_ITALIC);
	return fmax(y1, y2);
}

typedef struct {
	const char *fr, *nl; /* header */
	double w;            /* width, points */
	int right;           /* right-aligned (numbers) */
} column;

static const column columns[] = {
	{"Rang", "Rang", 28, 1},
	{"Adresse", "Adres", 150, 0},
	{"Propriétaire", "Eigenaar", 89, 0},
	{"Logements", "Woningen", 46, 1},
	{"Fenêtre (mois)", "Venster (mnd)", 46, 1},
	{"Début des travaux", "Start werken", 50, 1},
	{"Capacité", "Capaciteit", 40, 1},
	{"Score", "Score", 30, 1},
	{"Vide (mois)", "Leeg (mnd)", 36, 1}, /* months its building has stood empty */
};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* "Vacancies that are not candidates, by reason": what else stands empty
 * in the commune, for context.  Returns the next y. */
static double draw_not_candidates(cairo_t *cr, const tp_mapdata *d, const tp_map_commune *c,
				  double y)
{
	char buf[2048], title[256], name[256], n[32], dw[32];
	size_t used = 0;
	long long total = 0;
	int k;

	for (k = 0; k < TP_MAP_REASONS; k++)
		total += c->idle[k];
	tp_num_count(n, sizeof(n), total, d->lang);
	{
		char fr[128], nl[128];
		snprintf(fr, sizeof(fr), "Immeubles vides non candidats (%s), par motif", n);
		snprintf(nl, sizeof(nl), "Leegstaande gebouwen die geen kandidaat zijn (%s), naar reden", n);
		tp_lang_pick(title, sizeof(title), d->lang, fr, nl, " / ");
	}
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	y += tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, title, 8.5, TP_TEXT_BOLD) + 2;
	buf[0] = '\0';
	for (k = 0; k < TP_MAP_REASONS && used < sizeof(buf); k++) {
		if (!c->idle[k])
			continue;
		if (k < tp_reasons.n)
			tp_code_name(&tp_reasons.codes[k], d->lang, name, sizeof(name));
		else
			tp_lang_pick(name, sizeof(name), d->lang, "motif non donné", "geen reden opgegeven",
				     " / ");
		tp_num_count(n, sizeof(n), c->idle[k], d->lang);
		tp_num_count(dw, sizeof(dw), c->idle_dw[k], d->lang);
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s : %s (%s %s)",
					 used ? " · " : "", name, n, dw,
					 !strcmp(d->lang, "nl") ? "won." : "log.");
	}
	if (!total)
		tp_lang_pick(buf, sizeof(buf), d->lang, "aucun", "geen", " / ");
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	return y + tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 7, 0) + 4;
}

/* The column headers of a table of n columns cols at x, y, ruled under
 * across w; returns the y of the first row. */
static double header_of(cairo_t *cr, const tp_mapdata *d, const column *cols, size_t n,
			double x, double y, double w)
{
	char buf[256];
	double cx = x, hh = 0;
	size_t j;

	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	for (j = 0; j < n; j++) {
		tp_lang_pick(buf, sizeof(buf), d->lang, cols[j].fr, cols[j].nl, "\n");
		hh = fmax(hh, tp_text(cr, cx, y, cols[j].w - 3, buf, 6.5,
				      TP_TEXT_BOLD | (cols[j].right ? TP_TEXT_RIGHT : 0)));
		cx += cols[j].w;
	}
	y += hh + 2;
	cairo_move_to(cr, x, y);
	cairo_line_to(cr, x + w, y);
	cairo_set_line_width(cr, 0.6);
	cairo_stroke(cr);
	return y + 2;
}

/* The candidates table's column headers at y; returns the y of the first row. */
static double table_header(cairo_t *cr, const tp_mapdata *d, double y)
{
	return header_of(cr, d, columns, NCOLUMNS, MARGIN, y, PAGE_W - 2 * MARGIN);
}

/* One row of cells under header_of's columns at x, y, striped when stripe;
 * a cell too long is cut with an ellipsis. */
static void small_row(cairo_t *cr, const column *cols, size_t n, char cells[][128], double x,
		      double y, double w, int stripe)
{
	size_t j;

	if (stripe) {
		cairo_rectangle(cr, x, y - 1, w, ROW_H);
		cairo_set_source_rgb(cr, 0.94, 0.95, 0.97);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	for (j = 0; j < n; j++) {
		tp_text(cr, x + (cols[j].right ? 3 : 0), y, cols[j].w - 6, cells[j], 7,
			TP_TEXT_CUT | (cols[j].right ? TP_TEXT_RIGHT : 0));
		x += cols[j].w;
	}
}

/* ---- the commune's trend and its running occupations (atlasdata.h) ---- */

#define CHART_W 150.0 /* the trend's bars */
#define CHART_H 66.0

static const column trend_columns[] = {
	{"Dénombrement", "Telling", 92, 0},
	{"Personnes", "Personen", 52, 1},
	{"Évolution", "Evolutie", 92, 1},
	{"À périmètre comparable", "Op vergelijkbare basis", 109, 1},
};

#define NTREND (sizeof(trend_columns) / sizeof(trend_columns[0]))

/* A change as the trend table writes it: "+270 (+42,9 %)", "x" when withheld,
 * "–" at the first edition. */
static void change_cell(char *buf, size_t len, int first, int has, double v, int has_pct,
			double pct, const char *lang)
{
	char a[48], b[48];

	if (first) {
		snprintf(buf, len, "\xe2\x80\x93");
		return;
	}
	if (!has) {
		snprintf(buf, len, "x");
		return;
	}
	tp_num_signed(a, sizeof(a), v, 0, lang);
	if (!has_pct) {
		snprintf(buf, len, "%s", a);
		return;
	}
	tp_num_signed(b, sizeof(b), pct, 1, lang);
	snprintf(buf, len, "%s (%s %%)", a, b);
}

/* The bars: one per edition, its published figure above it; a withheld one
 * a short hatched stub under its label. */
static void trend_chart(cairo_t *cr, const tp_atlasdata *x, const tp_trend_point *t, double x0,
			double y0)
{
	double top = 0, slot = CHART_W / (double)x->neditions, bw = fmin(slot * 0.6, 28);
	double base = y0 + CHART_H - 11, room = CHART_H - 24;
	size_t e;

	for (e = 0; e < x->neditions; e++)
		if (t[e].has_value && t[e].value > top)
			top = t[e].value;
	for (e = 0; e < x->neditions; e++) {
		double cx = x0 + slot * ((double)e + 0.5), h;
		if (t[e].has_value) {
			h = top > 0 ? t[e].value / top * room : 0;
			cairo_rectangle(cr, cx - bw / 2, base - h, bw, h);
			cairo_set_source_rgb(cr, 0.27, 0.46, 0.71);
			cairo_fill(cr);
		} else {
			h = 6;
			cairo_rectangle(cr, cx - bw / 2, base - h, bw, h);
			tp_fill_nodata(cr, cx - bw / 2, base - h, cx + bw / 2, base);
		}
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		tp_text(cr, cx, base - h - 9, 0, t[e].label, 6.5, TP_TEXT_CENTER | TP_TEXT_BOLD);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		tp_text(cr, cx, base + 2, 0, x->edition[e], 6.5, TP_TEXT_CENTER);
	}
	cairo_move_to(cr, x0, base);
	cairo_line_to(cr, x0 + CHART_W, base);
	cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
	cairo_set_line_width(cr, 0.6);
	cairo_stroke(cr);
}

/* The commune's people counted per edition: bars and a table, then what
 * the comparable scope leaves out.  Returns the next y. */
static double draw_trend(cairo_t *cr, const tp_mapdata *d, const tp_atlasdata *x, size_t ci,
			 double y)
{
	const tp_trend_point *t = tp_atlasdata_trend(x, ci);
	const double tx = MARGIN + CHART_W + 20, tw = PAGE_W - MARGIN - tx;
	char buf[1024], cells[NTREND][128], date[16], name_fr[256], name_nl[256], fr[512], nl[512];
	double ty, y0;
	size_t e;
	int k;

	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	tp_lang_pick(buf, sizeof(buf), d->lang,
		     "Personnes dénombrées à chaque dénombrement (chiffres publiés)",
		     "Getelde personen bij elke telling (gepubliceerde cijfers)", " / ");
	y += tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 8.5, TP_TEXT_BOLD) + 3;
	y0 = y;
	trend_chart(cr, x, t, MARGIN, y);
	ty = header_of(cr, d, trend_columns, NTREND, tx, y, tw);
	for (e = 0; e < x->neditions; e++) {
		tp_date_display(date, sizeof(date), x->edition_date[e]);
		snprintf(cells[0], sizeof(cells[0]), "%s (%s)", x->edition[e], date);
		snprintf(cells[1], sizeof(cells[1]), "%s", t[e].label);
		change_cell(cells[2], sizeof(cells[2]), t[e].first, t[e].has_change, t[e].change,
			    t[e].has_pct, t[e].pct, d->lang);
		change_cell(cells[3], sizeof(cells[3]), t[e].first, t[e].has_cchange, t[e].cchange,
			    t[e].has_cpct, t[e].cpct, d->lang);
		small_row(cr, trend_columns, NTREND, cells, tx, ty, tw, e % 2 == 0);
		ty += ROW_H;
	}
	y = fmax(y0 + CHART_H, ty) + 2;
	/* an edition that counted more than the one before: what its comparable figure leaves out */
	for (e = 1; e < x->neditions; e++) {
		size_t ufr = 0, unl = 0;
		if (!x->added[e])
			continue;
		for (k = 0; k < TP_NCATEGORIES; k++)
			if (x->added[e] & (1u << k)) {
				ufr += (size_t)snprintf(name_fr + ufr, sizeof(name_fr) - ufr, "%s« %s »",
							ufr ? ", " : "", tp_people[k].fr);
				unl += (size_t)snprintf(name_nl + unl, sizeof(name_nl) - unl, "%s“%s”",
							unl ? ", " : "", tp_people[k].nl);
			}
		snprintf(fr, sizeof(fr), "%s : à périmètre comparable, sans %s (non dénombrés en %s).",
			 x->edition[e], name_fr, x->edition[e - 1]);
		snprintf(nl, sizeof(nl), "%s: op vergelijkbare basis, zonder %s (niet geteld in %s).",
			 x->edition[e], name_nl, x->edition[e - 1]);
		tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " ");
		cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
		y += tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 6.5, TP_TEXT_ITALIC) + 1;
	}
	return y + 4;
}

static const column occupation_columns[] = {
	{"Site", "Site", 118, 0},
	{"Opérateur", "Operator", 150, 0},
	{"Logements", "Woningen", 46, 1},
	{"Début", "Start", 56, 1},
	{"Fin convenue", "Afgesproken einde", 78, 1},
	{"Prolongée", "Verlengd", 60, 1},
};

#define NOCCUPATION (sizeof(occupation_columns) / sizeof(occupation_columns[0]))

/* The temporary occupations running in the commune, its first
 * TP_ATLAS_OCCUPATIONS, then how many more.  Returns the next y. */
static double draw_occupations(cairo_t *cr, const tp_mapdata *d, const tp_atlasdata *x,
			       const tp_map_commune *c, double y)
{
	const tp_atlas_occupation *o;
	char buf[512], fr[256], nl[256], n[32], cells[NOCCUPATION][128];
	size_t i, count;

	o = tp_atlasdata_occupations(x, c->nis, &count);
	tp_num_count(n, sizeof(n), (long long)count, d->lang);
	snprintf(fr, sizeof(fr), "Occupations temporaires en cours (%s)", n);
	snprintf(nl, sizeof(nl), "Lopende tijdelijke bewoningen (%s)", n);
	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " / ");
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	y += tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 8.5, TP_TEXT_BOLD) + 2;
	if (!count) {
		tp_lang_pick(buf, sizeof(buf), d->lang, "aucune", "geen", " / ");
		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
		return y + tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 7, 0) + 4;
	}
	y = header_of(cr, d, occupation_columns, NOCCUPATION, MARGIN, y, PAGE_W - 2 * MARGIN);
	for (i = 0; i < count && i < TP_ATLAS_OCCUPATIONS; i++) {
		snprintf(cells[0], sizeof(cells[0]), "%s", o[i].site);
		snprintf(cells[1], sizeof(cells[1]), "%s", o[i].operator_);
		tp_num_count(cells[2], sizeof(cells[2]), o[i].dwellings, d->lang);
		tp_date_display(cells[3], sizeof(cells[3]), o[i].start);
		tp_date_display(cells[4], sizeof(cells[4]), o[i].end);
		tp_lang_pick(cells[5], sizeof(cells[5]), d->lang, o[i].extended ? "oui" : "non",
			     o[i].extended ? "ja" : "nee", " / ");
		small_row(cr, occupation_columns, NOCCUPATION, cells, MARGIN, y, PAGE_W - 2 * MARGIN,
			  i % 2 == 0);
		y += ROW_H;
	}
	if (count > TP_ATLAS_OCCUPATIONS) {
		tp_num_count(n, sizeof(n), (long long)(count - TP_ATLAS_OCCUPATIONS), d->lang);
		snprintf(fr, sizeof(fr), "… et %s autres : voir la couche occupations de tremplin.gpkg", n);
		snprintf(nl, sizeof(nl), "… en %s andere: zie de laag occupations in tremplin.gpkg", n);
		tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " / ");
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		y += tp_text(cr, MARGIN, y + 1, PAGE_W - 2 * MARGIN, buf, 7, TP_TEXT_ITALIC) + 1;
	}
	return y + 4;
}

/* Row i of the list (its rank in the commune is i + 1) at y. */
static void table_row(cairo_t *cr, const tp_mapdata *d, const commune_list *list, size_t i,
		      double y)
{
	const tp_map_candidate *k = list->k[i];
	char cell[NCOLUMNS][256], type[128];
	const tp_code *t;
	double x = MARGIN;
	size_t j;

	snprintf(cell[0], sizeof(cell[0]), "%zu", i + 1);
	snprintf(cell[1], sizeof(cell[1]), "%s", k->address[0] ? k->address : k->src_id);
	if ((t = tp_code_find(&tp_owner_types, k->owner_type)))
		tp_code_name(t, d->lang, type, sizeof(type));
	else
		snprintf(type, sizeof(type), "%s", k->owner_type);
	if (k->owner[0])
		snprintf(cell[2], sizeof(cell[2]), "%s (%s)", k->owner, type);
	else
		snprintf(cell[2], sizeof(cell[2]), "%s", type);
	tp_num_count(cell[3], sizeof(cell[3]), k->dwellings, d->lang);
	tp_num_format(cell[4], sizeof(cell[4]), k->window, 1, d->lang);
	tp_date_display(cell[5], sizeof(cell[5]), k->works_start);
	tp_num_persons(cell[6], sizeof(cell[6]), k->capacity, d->lang);
	tp_num_format(cell[7], sizeof(cell[7]), k->score, 1, d->lang);
	if (k->months_empty >= 0) /* how long its building has stood empty (snapshots) */
		tp_num_format(cell[8], sizeof(cell[8]), k->months_empty, 0, d->lang);
	else
		cell[8][0] = '\0';
	if (i % 2 == 0) {
		cairo_rectangle(cr, MARGIN, y - 1, PAGE_W - 2 * MARGIN, ROW_H);
		cairo_set_source_rgb(cr, 0.94, 0.95, 0.97);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	for (j = 0; j < NCOLUMNS; j++) {
		/* cut with an ellipsis when too long, but for the address: a
		 * planner finds the building by it, so it shrinks to fit instead */
		double size = 7;
		if (j == 1)
			while (size > 5 && tp_text_width(cr, cell[j], size, 0) > columns[j].w - 6)
				size -= 0.5;
		tp_text(cr, x + (columns[j].right ? 3 : 0), y + (7 - size) / 2, columns[j].w - 6,
			cell[j], size, TP_TEXT_CUT | (columns[j].right ? TP_TEXT_RIGHT : 0));
		x += columns[j].w;
	}
}

/* The line under a table that stops before the commune's last candidate. */
static void more_line(cairo_t *cr, const tp_mapdata *d, size_t more, double y)
{
	char buf[512], fr[240], nl[240], n[32];

	tp_num_count(n, sizeof(n), (long long)more, d->lang);
	snprintf(fr, sizeof(fr), "… et %s autres (petits points sur la carte) : voir "
		 "candidates.csv ou la couche candidates de tremplin.gpkg", n);
	snprintf(nl, sizeof(nl), "… en %s andere (kleine punten op de kaart): zie candidates.csv "
		 "of de laag candidates in tremplin.gpkg", n);
	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " / ");
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	tp_text(cr, MARGIN, y + 2, PAGE_W - 2 * MARGIN, buf, 7, TP_TEXT_ITALIC);
}

/* The sources line and the page's number at the foot of every page. */
static void footer(cairo_t *cr, const tp_mapdata *d, size_t commune, int page)
{
	char buf[3000], fr[128], nl[128], where[300];

	cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
	snprintf(fr, sizeof(fr), "commune %zu/%zu, page %d", commune + 1, d->ncommunes, page);
	snprintf(nl, sizeof(nl), "gemeente %zu/%zu, pagina %d", commune + 1, d->ncommunes, page);
	tp_lang_pick(where, sizeof(where), d->lang, fr, nl, " / ");
	snprintf(buf, sizeof(buf), "tremplin %s · %s · %s", TP_VERSION, d->crs, where);
	tp_text(cr, PAGE_W - MARGIN, BOTTOM + 6, 0, buf, 6.5, TP_TEXT_RIGHT);
	tp_sources_line(buf, sizeof(buf), d, "\n");
	tp_text(cr, MARGIN, BOTTOM + 16, PAGE_W - 2 * MARGIN, buf, 6, 0);
}

/* The title of a commune's page (continued: of a page after its first). */
static double page_title(cairo_t *cr, const tp_mapdata *d, const tp_map_commune *c,
			 int continued)
{
	char buf[512], date[16] = "", fr[256], nl[256];
	double y = MARGIN - 6;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	tp_date_display(date, sizeof(date), d->reference_date);
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	tp_lang_pick(buf, sizeof(buf), d->lang, c->name_fr, c->name_nl, " / ");
	if (continued) {
		tp_lang_pick(fr, sizeof(fr), d->lang, "suite", "vervolg", " / ");
		size_t used = strlen(buf);
		snprintf(buf + used, sizeof(buf) - used, " (%s)", fr);
		y += tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 12, TP_TEXT_BOLD) + 4;
		/* the run's note on every page, continued ones too */
		return y + tp_draw_note(cr, d, MARGIN, y, PAGE_W - 2 * MARGIN) + 4;
	}
	y += tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 17, TP_TEXT_BOLD);
	snprintf(fr, sizeof(fr), "Commune %s · date de référence %s", c->nis, date);
	snprintf(nl, sizeof(nl), "Gemeente %s · referentiedatum %s", c->nis, date);
	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "  |  ");
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	return y + tp_text(cr, MARGIN, y + 2, 0, buf, 8, 0) + 10;
}

/* Why a commune has no candidate: none qualifies, or records were rejected. */
static void no_candidate(cairo_t *cr, const tp_mapdata *d, const tp_map_commune *c, double y)
{
	char buf[512], fr[200], nl[200];

	if (c->rejected.records > 0) {
		/* not "no building meets the conditions": some were never looked at */
		const char *s = c->rejected.records > 1 ? "s" : "";
		if (c->vacancy_records == 0) {
			snprintf(fr, sizeof(fr), "Aucun enregistrement de cette commune n'a pu être "
				 "examiné : %lld rejeté%s (voir plus haut).", c->rejected.records, s);
			snprintf(nl, sizeof(nl), "Geen enkel record van deze gemeente kon worden "
				 "beoordeeld: %lld verworpen (zie hierboven).", c->rejected.records);
		} else {
			snprintf(fr, sizeof(fr), "Aucun parmi les %lld enregistrements retenus ; %lld "
				 "autre%s rejeté%s (voir plus haut).", c->vacancy_records,
				 c->rejected.records, s, s);
			snprintf(nl, sizeof(nl), "Geen bij de %lld aanvaarde records; %lld andere "
				 "verworpen (zie hierboven).", c->vacancy_records, c->rejected.records);
		}
		tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "\n");
		cairo_set_source_rgb(cr, 0.6, 0.05, 0.05);
	} else {
		tp_lang_pick(buf, sizeof(buf), d->lang,
			     "Aucun bâtiment ne remplit les conditions d'une occupation temporaire.",
			     "Geen enkel gebouw voldoet aan de voorwaarden voor tijdelijke bewoning.",
			     "\n");
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	}
	tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 7.5, TP_TEXT_ITALIC);
}

/* The pages of commune i: the first with its map and figures, then as many
 * as its list takes.  Returns 0, or TP_ERROR (out of memory). */
static int draw_pages(cairo_t *cr, const tp_mapdata *d, const tp_atlasdata *x, size_t ci,
			const commune_list *list)
{
	const tp_map_commune *c = &d->communes[ci];
	size_t listed = list->n < TP_ATLAS_LISTED ? list->n : TP_ATLAS_LISTED, i = 0;
	char buf[2100], fr[160], nl[160], n[32];
	int page = 1, rc;
	double y = page_title(cr, d, c, 0);

	rc = draw_map(cr, d, c, list, MARGIN, y, PAGE_W - 2 * MARGIN, MAP_H);
	if (rc)
		return rc;
	y += MAP_H + 12;
	y = draw_figures(cr, d, c, y);
	tp_rejected_line(buf, sizeof(buf), d, &c->rejected, TP_IN_VACANCIES, "\n");
	if (buf[0]) {
		cairo_set_source_rgb(cr, 0.6, 0.05, 0.05);
		y += 4 + tp_text(cr, MARGIN, y + 4, PAGE_W - 2 * MARGIN, buf, 7.5, TP_TEXT_BOLD);
	}
	if (x->neditions)
		y = draw_trend(cr, d, x, ci, y + 8);
	if (x->has_register)
		y = draw_occupations(cr, d, x, c, y + 6);
	y = draw_not_candidates(cr, d, c, y + 8);
	tp_num_count(n, sizeof(n), (long long)list->n, d->lang);
	snprintf(fr, sizeof(fr), "Bâtiments candidats (%s), par rang dans la commune", n);
	snprintf(nl, sizeof(nl), "Kandidaat-gebouwen (%s), naar rang in de gemeente", n);
	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " / ");
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	y += 6 + tp_text(cr, MARGIN, y + 6, PAGE_W - 2 * MARGIN, buf, 8.5, TP_TEXT_BOLD) + 3;
	if (list->n == 0) {
		no_candidate(cr, d, c, y);
		footer(cr, d, ci, page);
		cairo_show_page(cr);
		return TP_OK;
	}
	/* a table with no room left for a few rows under its header starts on the next page */
	if (y + 24 + (listed < 3 ? (double)listed : 3) * ROW_H > BOTTOM) {
		footer(cr, d, ci, page++);
		cairo_show_page(cr);
		y = page_title(cr, d, c, 1);
	}
	y = table_header(cr, d, y);
	for (;;) {
		/* the last row of the last page leaves room for the "and N more" line */
		while (i < listed && y + ROW_H <= BOTTOM - (i + 1 == listed && listed < list->n ? ROW_H : 0)) {
			table_row(cr, d, list, i++, y);
			y += ROW_H;
		}
		if (i == listed) {
			if (listed < list->n)
				more_line(cr, d, list->n - listed, y);
			footer(cr, d, ci, page);
			cairo_show_page(cr);
			return TP_OK;
		}
		footer(cr, d, ci, page++);
		cairo_show_page(cr);
		y = table_header(cr, d, page_title(cr, d, c, 1));
	}
}

/* draw_pages(), the halos of a commune beyond its list (a hundred numbers
 * on its map) drawn once for the whole atlas and reused. */
static int draw_commune(cairo_t *cr, const tp_mapdata *d, const tp_atlasdata *x, size_t ci,
			const commune_list *list)
{
	int dense = list->n > TP_ATLAS_LISTED, rc = TP_OK;

	if (dense)
		rc = tp_text_share_halos(cr, 1);
	if (!rc)
		rc = draw_pages(cr, d, x, ci, list);
	if (dense && !rc)
		rc = tp_text_share_halos(cr, 0);
	return rc;
}

/* The atlas's data, read from the store: tp_atlas_prepare(). */
struct tp_atlas {
	const tp_mapdata *d;       /* the maps' data */
	tp_atlasdata *x;           /* trends and occupations */
	commune_list *lists;       /* per commune, its candidates in rank order */
	const tp_map_candidate **all; /* the lists' slices */
};

void tp_atlas_free(tp_atlas *a)
{
	if (!a)
		return;
	tp_atlasdata_free(a->x);
	free(a->lists);
	free(a->all);
	free(a);
}

int tp_atlas_prepare(tp_atlas **out, const tp_mapdata *d, sqlite3 *store)
{
	tp_atlas *a = calloc(1, sizeof(*a));
	commune_list *lists;
	size_t i, used = 0;
	int rc;

	*out = NULL;
	if (a) {
		a->d = d;
		a->lists = calloc(d->ncommunes ? d->ncommunes : 1, sizeof(*a->lists));
		a->all = calloc(d->ncands ? d->ncands : 1, sizeof(*a->all));
	}
	if (!a || !a->lists || !a->all) {
		tp_atlas_free(a);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	lists = a->lists;
	/* each commune's candidates, in rank order, as slices of one array */
	for (i = 0; i < d->ncands; i++) {
		const tp_map_commune *c = tp_mapdata_commune(d, d->cands[i].nis);
		if (c)
			lists[c - d->communes].n++;
	}
	for (i = 0; i < d->ncommunes; i++) {
		lists[i].k = a->all + used;
		used += lists[i].n;
		lists[i].n = 0;
	}
	for (i = 0; i < d->ncands; i++) {
		const tp_map_candidate *k = &d->cands[i];
		const tp_map_commune *c = tp_mapdata_commune(d, k->nis);
		if (c) {
			commune_list *l = &lists[c - d->communes];
			l->k[l->n++] = k;
		}
	}
	rc = tp_atlasdata_load(&a->x, store, d);
	if (rc)
		tp_atlas_free(a);
	else
		*out = a;
	return rc;
}

int tp_atlas_draw(const tp_atlas *a, const char *path)
{
	const tp_mapdata *d = a->d;
	char title[256];
	cairo_surface_t *s;
	cairo_t *cr;
	size_t i;
	tp_outfile out;
	int rc;

	rc = tp_outfile_begin(&out, path, 0);
	if (rc)
		return rc;
	s = cairo_pdf_surface_create(out.tmp, PAGE_W, PAGE_H);
	tp_lang_pick(title, sizeof(title), d->lang, "Atlas des communes", "Atlas van de gemeenten",
		     " / ");
	tp_pdf_metadata(s, d, title);
	cr = cairo_create(s);
	for (i = 0; i < d->ncommunes && !rc; i++)
		rc = draw_commune(cr, d, a->x, i, &a->lists[i]);
	cairo_destroy(cr);
	if (rc) {
		cairo_surface_destroy(s);
		return tp_outfile_end(&out, rc);
	}
	return tp_surface_close(s, &out);
}

int tp_write_atlas(const tp_mapdata *d, sqlite3 *store, const char *path)
{
	tp_atlas *a = NULL;
	int rc = tp_atlas_prepare(&a, d, store);

	if (!rc)
		rc = tp_atlas_draw(a, path);
	tp_atlas_free(a);
	return rc;
}

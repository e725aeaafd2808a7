/*
 * overview.c: the regional overview in OUTDIR/maps/, drawn with the
 * helpers of draw.c.
 *
 * The overview is one A4 landscape page drawn once by draw_overview() onto
 * three surfaces: PNG (150 dpi, for slides and reports), SVG and PDF
 * (vector, for print).  Beside them overview.json states the classes and
 * the value each commune was drawn with, so a test or a person can check
 * the legend against the published figures.
 *
 * Determinism: text goes through Pango with one named font and hinting
 * off; the PDF creation date is the store's reference date; nothing reads
 * the clock, so one store gives the same bytes every run.
 */
#include "outputs/maps.h"
#include "geo/json.h"
#include "outputs/draw.h"
#include "outputs/labels.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define PAGE_W 841.89 /* A4 landscape, points */
#define PAGE_H 595.28

/* ---- the overview -------------------------------------------------------- */

static void fill_commune(cairo_t *cr, const tp_mapdata *d, const tp_map_commune *c,
			 const tp_view *v)
{
	unsigned char rgb[3];

	cairo_new_path(cr);
	tp_path_commune(cr, c, v);
	if (c->cls < 0) {
		tp_fill_nodata(cr, tp_view_x(v, c->box[0]), tp_view_y(v, c->box[3]),
			       tp_view_x(v, c->box[2]), tp_view_y(v, c->box[1]));
		return;
	}
	tp_class_rgb(c->cls, d->nclasses, rgb);
	tp_set_rgb(cr, rgb);
	cairo_fill(cr);
}

/*
 * Past MAX_CANDIDATE_DISCS candidates, one disc each would cover the map
 * (and weigh 13 MB of SVG at 30,000): they are drawn per square of a grid
 * of round side (the smallest of SQUARE_SIDES at least SQUARE_MIN_PT wide
 * on the page), one disc per square holding any, at its candidates' mean
 * position, its area in proportion to their dwellings; the legend says so.
 */
#define MAX_CANDIDATE_DISCS 2000
#define SQUARE_MIN_PT 12.0
static const double SQUARE_SIDES[] = {100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000,
				      20000, 25000, 50000, 100000};

/* A square of the grid and the candidates in it. */
typedef struct {
	long long ix, iy;    /* its column and row: floor(x / side), floor(y / side) */
	long long dwellings; /* its candidates' dwellings */
	size_t n;            /* its candidates */
	double sx, sy;       /* sum of their positions */
} square;

/* How the candidates were drawn, for the legend. */
typedef struct {
	double side;             /* side of the squares in metres; 0: one disc each */
	size_t nsquares;         /* discs drawn */
	long long max_dwellings; /* the largest disc's dwellings */
} cand_drawing;

static int by_square(const void *a, const void *b)
{
	const square *p = a, *q = b;

	if (p->ix != q->ix)
		return p->ix < q->ix ? -1 : 1;
	return (p->iy > q->iy) - (p->iy < q->iy);
}

/* Largest first, so that small discs stay visible; then by place, for the same bytes every run. */
static int by_dwellings(const void *a, const void *b)
{
	const square *p = a, *q = b;

	if (p->dwellings != q->dwellings)
		return p->dwellings > q->dwellings ? -1 : 1;
	return by_square(a, b);
}

/* The candidates per square of side metres, largest first; *n squares, NULL if out of memory. */
static square *squares(const tp_mapdata *d, double side, size_t *n)
{
	square *sq = malloc((d->ncands ? d->ncands : 1) * sizeof(*sq));
	size_t i, m = 0;

	*n = 0;
	if (!sq)
		return NULL;
	for (i = 0; i < d->ncands; i++) {
		const tp_map_candidate *c = &d->cands[i];
		sq[i] = (square){(long long)floor(c->x / side), (long long)floor(c->y / side),
				 c->dwellings, 1, c->x, c->y};
	}
	qsort(sq, d->ncands, sizeof(*sq), by_square);
	for (i = 0; i < d->ncands; i++) {
		if (m && !by_square(&sq[m - 1], &sq[i])) {
			sq[m - 1].dwellings += sq[i].dwellings;
			sq[m - 1].n += sq[i].n;
			sq[m - 1].sx += sq[i].sx;
			sq[m - 1].sy += sq[i].sy;
		} else
			sq[m++] = sq[i];
	}
	qsort(sq, m, sizeof(*sq), by_dwellings);
	*n = m;
	return sq;
}

static cand_drawing draw_candidates(cairo_t *cr, const tp_mapdata *d, const tp_view *v)
{
	cand_drawing out = {0, d->ncands, d->max_dwellings};
	const tp_map_candidate **k;
	square *sq;
	size_t i, j, n;

	if (d->ncands > MAX_CANDIDATE_DISCS) {
		for (j = 0; j < sizeof(SQUARE_SIDES) / sizeof(SQUARE_SIDES[0]) - 1; j++)
			if (SQUARE_SIDES[j] * v->s >= SQUARE_MIN_PT)
				break;
		out.side = SQUARE_SIDES[j];
		sq = squares(d, out.side, &n);
		if (!sq)
			return out;
		out.nsquares = n;
		out.max_dwellings = 0;
		for (i = 0; i < n; i++)
			if (sq[i].dwellings > out.max_dwellings)
				out.max_dwellings = sq[i].dwellings;
		for (i = 0; i < n; i++)
			tp_draw_candidate(cr, tp_view_x(v, sq[i].sx / (double)sq[i].n),
					  tp_view_y(v, sq[i].sy / (double)sq[i].n),
					  tp_point_radius(sq[i].dwellings, out.max_dwellings), 0.4);
		free(sq);
		return out;
	}
	/* orange discs, largest first so that small ones stay visible */
	k = tp_mapdata_by_size(d);
	if (!k)
		return out;
	for (i = 0; i < d->ncands; i++)
		tp_draw_candidate(cr, tp_view_x(v, k[i]->x), tp_view_y(v, k[i]->y),
			       tp_point_radius(k[i]->dwellings, d->max_dwellings), 0.4);
	free(k);
	return out;
}

/* "lo – hi" for a class of the legend. */
static void class_text(char *buf, size_t len, const tp_mapdata *d, double lo, double hi)
{
	char a[32], b[32];

	tp_num_format(a, sizeof(a), lo, TP_NUM_AUTO, d->lang);
	tp_num_format(b, sizeof(b), hi, TP_NUM_AUTO, d->lang);
	if (lo == hi)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s – %s", a, b);
}

static double draw_legend(cairo_t *cr, const tp_mapdata *d, const cand_drawing *cd, double x,
			  double y, double w)
{
	char buf[512], nd[256], thr[32];
	unsigned char rgb[3];
	int k;

	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	tp_lang_pick(buf, sizeof(buf), d->lang, d->ind->fr, d->ind->nl, " / ");
	y += tp_text(cr, x, y, w, buf, 8.5, TP_TEXT_BOLD) + 2;
	tp_lang_pick(buf, sizeof(buf), d->lang, "par commune, 5 classes (quantiles)",
		     "per gemeente, 5 klassen (kwantielen)", "\n");
	y += tp_text(cr, x, y, w, buf, 7, TP_TEXT_ITALIC) + 6;
	for (k = d->nclasses - 1; k >= 0; k--) {
		char lim[96], line[160];
		tp_class_rgb(k, d->nclasses, rgb);
		cairo_rectangle(cr, x, y, 22, 13);
		tp_set_rgb(cr, rgb);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
		cairo_set_line_width(cr, 0.5);
		cairo_stroke(cr);
		class_text(lim, sizeof(lim), d, d->lo[k], d->hi[k]);
		snprintf(line, sizeof(line), "%s   (%d)", lim, d->count[k]);
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		tp_text(cr, x + 30, y + 1, 0, line, 8, 0);
		y += 17;
	}
	cairo_rectangle(cr, x, y, 22, 13);
	tp_fill_nodata(cr, x, y, x + 22, y + 13);
	cairo_rectangle(cr, x, y, 22, 13);
	cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
	cairo_set_line_width(cr, 0.5);
	cairo_stroke(cr);
	tp_num_format(thr, sizeof(thr), d->threshold, TP_NUM_AUTO, d->lang);
	if (d->ind->people) {
		char fr[128], nl[128];
		snprintf(fr, sizeof(fr), "pas de donnée, ou chiffre masqué (<%s ou x : secret "
			 "statistique)", thr);
		snprintf(nl, sizeof(nl), "geen gegevens, of cijfer afgeschermd (<%s of x: statistisch "
			 "geheim)", thr);
		tp_lang_pick(nd, sizeof(nd), d->lang, fr, nl, "\n");
	} else {
		tp_lang_pick(nd, sizeof(nd), d->lang, "pas de donnée", "geen gegevens", " / ");
	}
	snprintf(buf, sizeof(buf), "%s   (%d)", nd, d->nodata);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	y += fmax(tp_text(cr, x + 30, y + 1, w - 30, buf, 7.5, 0), 13) + 14;

	/* candidate sizes */
	if (cd->side > 0) {
		char fr[512], nl[512];
		snprintf(fr, sizeof(fr), "Bâtiments candidats à une occupation temporaire, regroupés"
			 " par carré de %.0f m : un disque par carré, selon ses logements", cd->side);
		snprintf(nl, sizeof(nl), "Kandidaat-gebouwen voor tijdelijke bewoning, gegroepeerd"
			 " per vierkant van %.0f m: een schijf per vierkant, volgens zijn woningen",
			 cd->side);
		tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "\n");
	} else
		tp_lang_pick(buf, sizeof(buf), d->lang,
			     "Bâtiments candidats à une occupation temporaire, par nombre de logements",
			     "Kandidaat-gebouwen voor tijdelijke bewoning, per aantal woningen", "\n");
	y += tp_text(cr, x, y, w, buf, 8, TP_TEXT_BOLD) + 6;
	if (d->ncands && cd->max_dwellings > 0) {
		long long sizes[3];
		double cx = x + 10;
		int i, nsizes = tp_candidate_legend_sizes(cd->max_dwellings, sizes);
		for (i = 0; i < nsizes; i++) {
			double r;
			char n[32];
			r = tp_point_radius(sizes[i], cd->max_dwellings);
			tp_draw_candidate(cr, cx + r, y + 9, r, 0.4);
			tp_num_count(n, sizeof(n), sizes[i], d->lang);
			cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
			tp_text(cr, cx + r, y + 20, 0, n, 7, TP_TEXT_CENTER);
			cx += 2 * r + 22;
		}
		y += 34;
		tp_num_count(nd, sizeof(nd), (long long)d->ncands, d->lang);
		{
			char fr[512], nl[512], m[32];
			tp_num_format(m, sizeof(m), d->min_window, TP_NUM_AUTO, d->lang);
			snprintf(fr, sizeof(fr), "%s bâtiments, fenêtre d'au moins %s mois", nd, m);
			snprintf(nl, sizeof(nl), "%s gebouwen, venster van minstens %s maanden", nd, m);
			if (cd->side > 0) {
				size_t used = strlen(fr);
				snprintf(fr + used, sizeof(fr) - used, ", en %zu carrés", cd->nsquares);
				used = strlen(nl);
				snprintf(nl + used, sizeof(nl) - used, ", in %zu vierkanten",
					 cd->nsquares);
			}
			tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "\n");
		}
		y += tp_text(cr, x, y, w, buf, 7, 0) + 4;
	} else {
		tp_lang_pick(buf, sizeof(buf), d->lang, "aucun", "geen", " / ");
		y += tp_text(cr, x, y, w, buf, 7, TP_TEXT_ITALIC) + 4;
	}
	return y;
}

/* The communes' names and values, placed so that none covers another. */
static int draw_names(cairo_t *cr, const tp_mapdata *d, const tp_view *v, tp_labels *L)
{
	size_t i;
	int rc = TP_OK, placed;

	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	for (i = 0; i < d->ncommunes && !rc; i++) {
		const tp_map_commune *c = &d->communes[i];
		char name[256];
		tp_label_line lines[2] = {{name, 6, 0}, {c->label, 6.5, TP_TEXT_BOLD}};
		tp_lang_pick(name, sizeof(name), d->lang, c->name_fr, c->name_nl, "\n");
		rc = tp_labels_place(L, cr, tp_view_x(v, c->lx), tp_view_y(v, c->ly), 0, lines, 2, 0,
				     &placed);
	}
	return rc;
}

/*
 * The region's total of the mapped figure, in a box in the map's bottom
 * right corner (blocked for labels): the sum of the communes' published
 * values, saying how many are withheld and so left out of it.
 */
static int draw_total(cairo_t *cr, const tp_mapdata *d, tp_labels *L, double x1, double y1)
{
	char v[64], l1[256], l2[512], l3[512], fr[256], nl[256];
	const char *lines[3] = {l1, l2, l3};
	double w[3], h[3], W = 0, H = 0, y;
	int withheld = 0, k, n;
	double total = tp_mapdata_total(d, &withheld);

	if (!strcmp(d->ind->name, "capacity"))
		tp_num_persons(v, sizeof(v), total, d->lang);
	else
		tp_num_format(v, sizeof(v), total, TP_NUM_AUTO, d->lang);
	snprintf(fr, sizeof(fr), "Région : %s", v);
	snprintf(nl, sizeof(nl), "Gewest: %s", v);
	if (!strcmp(d->lang, "both"))
		snprintf(l1, sizeof(l1), "Région / Gewest : %s", v);
	else
		tp_lang_pick(l1, sizeof(l1), d->lang, fr, nl, " / ");
	tp_lang_pick(l2, sizeof(l2), d->lang, d->ind->fr, d->ind->nl, " / ");
	n = 2;
	/* published people figures are rounded per commune: their sum is not
	 * the count, and says so */
	if (withheld) {
		snprintf(fr, sizeof(fr), "somme des chiffres publiés, %d commune%s masquée%s", withheld,
			 withheld > 1 ? "s" : "", withheld > 1 ? "s" : "");
		snprintf(nl, sizeof(nl), "som van de gepubliceerde cijfers, %d gemeente%s afgeschermd",
			 withheld, withheld > 1 ? "n" : "");
		tp_lang_pick(l3, sizeof(l3), d->lang, fr, nl, "\n");
		n = 3;
	} else if (d->ind->people) {
		tp_lang_pick(l3, sizeof(l3), d->lang, "somme des chiffres publiés par commune",
			     "som van de gepubliceerde cijfers per gemeente", " / ");
		n = 3;
	}
	for (k = 0; k < n; k++) {
		tp_text_size(cr, lines[k], k ? 6.5 : 8.5, k ? TP_TEXT_ITALIC : TP_TEXT_BOLD, &w[k],
			     &h[k]);
		W = fmax(W, w[k]);
		H += h[k];
	}
	cairo_rectangle(cr, x1 - W - 8, y1 - H - 6, W + 8, H + 6);
	cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(cr, 0.5);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	for (k = 0, y = y1 - H - 3; k < n; y += h[k], k++)
		tp_text(cr, x1 - 4, y, 0, lines[k], k ? 6.5 : 8.5,
			TP_TEXT_RIGHT | (k ? TP_TEXT_ITALIC : TP_TEXT_BOLD));
	return tp_labels_block(L, x1 - W - 8, y1 - H - 6, x1, y1);
}

/* Draws the overview; L gets its labels (tp_labels_dispose() it after). */
static int draw_overview(cairo_t *cr, const tp_mapdata *d, tp_labels *L)
{
	const double mx = 28, my = 74, mw = 540, mh = 452;
	char buf[2600], fr[1280], nl[1280], date[16] = "";
	tp_view v;
	cand_drawing cd;
	double y, boxes[2][4];
	size_t i;
	int rc;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	tp_date_display(date, sizeof(date), d->reference_date);

	/* title */
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	snprintf(fr, sizeof(fr), "%s par commune", d->ind->fr);
	snprintf(nl, sizeof(nl), "%s per gemeente", d->ind->nl);
	y = 20;
	if (!strcmp(d->lang, "nl"))
		y += tp_text(cr, mx, y, 0, nl, 15, TP_TEXT_BOLD);
	else
		y += tp_text(cr, mx, y, 0, fr, 15, TP_TEXT_BOLD);
	if (!strcmp(d->lang, "both"))
		y += tp_text(cr, mx, y, 0, nl, 12, TP_TEXT_BOLD);
	snprintf(fr, sizeof(fr), "Région de Bruxelles-Capitale · date de référence %s", date);
	snprintf(nl, sizeof(nl), "Brussels Hoofdstedelijk Gewest · referentiedatum %s", date);
	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "  |  ");
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	tp_text(cr, mx, y + 2, 0, buf, 8, 0);

	/* the map, the run's note in its top left corner */
	tp_view_fit(&v, d->box, mx + 8, my + 8, mw - 16, mh - 16);
	cairo_save(cr);
	cairo_rectangle(cr, mx, my, mw, mh);
	cairo_clip(cr);
	for (i = 0; i < d->ncommunes; i++)
		fill_commune(cr, d, &d->communes[i], &v);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	/* a dark casing under a white line: borders read on every class colour */
	for (i = 0; i < 2 * d->ncommunes; i++) {
		cairo_new_path(cr);
		tp_path_commune(cr, &d->communes[i % d->ncommunes], &v);
		if (i < d->ncommunes)
			cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		else
			cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_set_line_width(cr, i < d->ncommunes ? 1.5 : 0.6);
		cairo_stroke(cr);
	}
	cd = draw_candidates(cr, d, &v);
	/* labels over the discs, clear of the note, the total, the scale bar
	 * and the north arrow */
	tp_labels_init(L, mx + 2, my + 2, mx + mw - 2, my + mh - 2);
	tp_map_frame_boxes(mx, my, mw, mh, 2, boxes);
	y = tp_draw_note(cr, d, mx + 8, my + 8, mw / 2);
	rc = tp_labels_block(L, boxes[0][0], boxes[0][1], boxes[0][2], boxes[0][3]);
	if (!rc)
		rc = tp_labels_block(L, boxes[1][0], boxes[1][1], boxes[1][2], boxes[1][3]);
	if (!rc && y > 0)
		rc = tp_labels_block(L, mx + 8, my + 8, mx + 8 + mw / 2, my + 8 + y);
	if (!rc)
		rc = draw_total(cr, d, L, mx + mw - 6, my + mh - 6);
	if (!rc)
		rc = draw_names(cr, d, &v, L);
	cairo_restore(cr);
	if (rc)
		return rc;
	tp_map_frame(cr, &v, mx, my, mw, mh, 2);

	/* legend and notes */
	y = draw_legend(cr, d, &cd, mx + mw + 20, my + 4, PAGE_W - (mx + mw + 20) - 24);
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	tp_lang_pick(buf, sizeof(buf), d->lang,
		     "Les personnes dénombrées par zone sont réparties entre les communes "
		     "au prorata de la surface. Les chiffres sont ceux publiés : les petits "
		     "effectifs sont masqués.",
		     "De per zone getelde personen worden naar oppervlakte over de gemeenten "
		     "verdeeld. De cijfers zijn de gepubliceerde: kleine aantallen zijn "
		     "afgeschermd.",
		     "\n");
	if (d->ind->people)
		tp_text(cr, mx + mw + 20, y + 10, PAGE_W - (mx + mw + 20) - 24, buf, 6.5,
			TP_TEXT_ITALIC);

	/* sources and CRS */
	tp_sources_line(buf, sizeof(buf), d, "\n");
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	y = my + mh + 8 + tp_text(cr, mx, my + mh + 8, PAGE_W - 2 * mx, buf, 6.5, 0);

	/* what the inputs lost: the figures above leave it out */
	for (i = 0; i < 3; i++) {
		static const int order[] = {TP_IN_VACANCIES, TP_IN_ZONES, TP_IN_COMMUNES};
		char line[2048];
		/* " / ": wrapped at the page's width, short lines take one */
		tp_rejected_line(line, sizeof(line), d, &d->rejected[order[i]], order[i], " / ");
		if (!line[0])
			continue;
		snprintf(buf, sizeof(buf), "%s%s%s", d->sources[order[i]],
			 d->sources[order[i]][0] ? " : " : "", line);
		cairo_set_source_rgb(cr, 0.6, 0.05, 0.05);
		y += 2 + tp_text(cr, mx, y + 2, PAGE_W - 2 * mx, buf, 6.5, TP_TEXT_BOLD);
	}
	tp_text(cr, PAGE_W - mx, PAGE_H - 16, 0, "tremplin " TP_VERSION, 6, TP_TEXT_RIGHT);
	return TP_OK;
}

/* ---- files --------------------------------------------------------------- */

/* A page of the overview: its data, and where its labels go. */
typedef struct {
	const tp_mapdata *d; /* what it shows */
	tp_labels *L;        /* the labels placed (tp_labels_dispose() it after) */
} overview_page;

/* draw_overview as a tp_page_fn. */
static int draw_page(cairo_t *cr, const void *ud)
{
	const overview_page *o = ud;

	return draw_overview(cr, o->d, o->L);
}

/* One of the overview's three pages: PNG, SVG or PDF; L gets its labels. */
static int write_page(const tp_mapdata *d, const char *path, tp_page_kind kind, tp_labels *L)
{
	char title[512];

	overview_page o = {d, L};

	tp_lang_pick(title, sizeof(title), d->lang, d->ind->fr, d->ind->nl, " / ");
	return tp_page_write(path, kind, PAGE_W, PAGE_H, draw_page, &o, d, title);
}

static void json_num(FILE *f, double v)
{
	char buf[64];

	sqlite3_snprintf(sizeof(buf), buf, "%!.15g", v);
	fputs(buf, f);
}

/* overview.json: the classes, what each commune was drawn with, and the
 * labels as placed on the page (L, in points from the top left). */
static int write_json(const tp_mapdata *d, const char *path, const tp_labels *L)
{
	unsigned char rgb[3];
	tp_outfile out;
	FILE *f;
	size_t i;
	int k, rc = tp_outfile_open(&out, path, 0);

	if (rc)
		return rc;
	f = out.f;
	fprintf(f, "{\n  \"indicator\": ");
	tp_json_fputs(f, d->ind->name);
	fprintf(f, ",\n  \"people\": %s,\n  \"language\": ", d->ind->people ? "true" : "false");
	tp_json_fputs(f, d->lang);
	fprintf(f, ",\n  \"crs\": ");
	tp_json_fputs(f, d->crs);
	fprintf(f, ",\n  \"reference_date\": ");
	tp_json_fputs(f, d->reference_date);
	fprintf(f, ",\n  \"classes\": [");
	for (k = 0; k < d->nclasses; k++) {
		tp_class_rgb(k, d->nclasses, rgb);
		fprintf(f, "%s\n    {\"lower\": ", k ? "," : "");
		json_num(f, d->lo[k]);
		fprintf(f, ", \"upper\": ");
		json_num(f, d->hi[k]);
		fprintf(f, ", \"communes\": %d, \"colour\": \"#%02x%02x%02x\"}", d->count[k], rgb[0],
			rgb[1], rgb[2]);
	}
	tp_class_rgb(-1, 0, rgb);
	fprintf(f, "\n  ],\n  \"no_data\": {\"communes\": %d, \"colour\": \"#%02x%02x%02x\"},\n",
		d->nodata, rgb[0], rgb[1], rgb[2]);
	fprintf(f, "  \"candidates\": %zu,\n  \"rejected\": {", d->ncands);
	for (k = 0; k < 3; k++) {
		static const char *const inputs[3] = {"communes", "vacancies", "zones"};
		const tp_rejected *r = &d->rejected[k];
		char line[2600];
		tp_rejected_line(line, sizeof(line), d, r, k, " / ");
		fprintf(f, "%s\n    \"%s\": {\"records\": %lld, \"of\": %lld, \"dwellings\": %lld,"
			" \"line\": ", k ? "," : "", inputs[k], r->records, r->of, r->dwellings);
		tp_json_fputs(f, line);
		fputc('}', f);
	}
	fprintf(f, "\n  },\n  \"communes\": [");
	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *c = &d->communes[i];
		fprintf(f, "%s\n    {\"nis_code\": ", i ? "," : "");
		tp_json_fputs(f, c->nis);
		fprintf(f, ", \"value\": ");
		if (c->has_value)
			json_num(f, c->value);
		else
			fputs("null", f);
		fprintf(f, ", \"label\": ");
		tp_json_fputs(f, c->label);
		fprintf(f, ", \"rejected_records\": %lld, \"rejected_dwellings\": %lld",
			c->rejected.records, c->rejected.dwellings);
		if (c->cls >= 0)
			fprintf(f, ", \"class\": %d}", c->cls);
		else
			fprintf(f, ", \"class\": null}");
	}
	fprintf(f, "\n  ],\n  \"region_total\": ");
	{
		int withheld;
		json_num(f, tp_mapdata_total(d, &withheld));
		fprintf(f, ",\n  \"region_total_withheld\": %d", withheld);
	}
	fprintf(f, ",\n  \"labels\": [");
	for (i = 0; i < L->n; i++) {
		const tp_label *l = &L->placed[i];
		fprintf(f, "%s\n    {\"text\": ", i ? "," : "");
		tp_json_fputs(f, l->text);
		fprintf(f, ", \"box\": [");
		for (k = 0; k < 4; k++) {
			fputs(k ? ", " : "", f);
			json_num(f, round(l->box[k] * 100) / 100);
		}
		fprintf(f, "], \"leader\": %s}", l->leader ? "true" : "false");
	}
	/* the boxes no label may cover: scale bar, north arrow, note, total */
	fprintf(f, "\n  ],\n  \"labels_left_out\": %zu,\n  \"keep_clear\": [", L->left_out);
	for (i = 0; i < L->nblocked; i++) {
		fprintf(f, "%s[", i ? ", " : "");
		for (k = 0; k < 4; k++) {
			fputs(k ? ", " : "", f);
			json_num(f, round(L->blocked[i][k] * 100) / 100);
		}
		fputc(']', f);
	}
	fprintf(f, "]\n}\n");
	return tp_outfile_commit(&out);
}

int tp_write_overview_files(const tp_mapdata *d, const char *dir, int from, int to)
{
	static const char *const names[] = {"overview.png", "overview.svg", "overview.pdf",
					    "overview.json"};
	static const tp_page_kind kinds[] = {TP_PAGE_PNG, TP_PAGE_SVG, TP_PAGE_PDF};
	char path[4200];
	tp_labels L;
	int i, rc = TP_OK;

	/* overview.json records the labels of the PDF, drawn just before it */
	tp_labels_init(&L, 0, 0, 0, 0);
	for (i = from; i < to && i < 4 && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (i < 3) {
			tp_labels_dispose(&L);
			rc = write_page(d, path, kinds[i], &L);
		} else
			rc = write_json(d, path, &L);
	}
	tp_labels_dispose(&L);
	return rc;
}

int tp_write_overview(const tp_mapdata *d, const char *dir)
{
	return tp_write_overview_files(d, dir, 0, 4);
}

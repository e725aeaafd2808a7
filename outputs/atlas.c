/*
 * atlas.c: OUTDIR/maps/atlas.pdf, one A4 page per commune in NIS order:
 * a map zoomed on the commune (its neighbours in grey, its candidates
 * numbered by rank), its published figures, and its candidates as a table.
 *
 * Every page is exactly one page, whatever the commune holds: a candidate
 * list longer than the page ends with a line saying how many more are in
 * tremplin.gpkg.  People figures are the published labels (public_communes),
 * so a suppressed count reads "<5" here as everywhere.
 */
#include "outputs/maps.h"
#include "outputs/draw.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#define PAGE_W 595.28 /* A4 portrait, points */
#define PAGE_H 841.89
#define MARGIN 40.0
#define ROW_H 10.5
#define MAP_H 280.0

static void draw_map(cairo_t *cr, const tp_mapdata *d, const tp_map_commune *c, double x,
		     double y, double w, double h)
{
	double box[4], dx = (c->box[2] - c->box[0]) * 0.12, dy = (c->box[3] - c->box[1]) * 0.12;
	unsigned char rgb[3];
	tp_view v;
	size_t i;

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
	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *o = &d->communes[i];
		char name[256];
		if (o == c)
			continue;
		tp_lang_pick(name, sizeof(name), d->lang, o->name_fr, o->name_nl, "\n");
		cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
		tp_text(cr, tp_view_x(&v, o->lx), tp_view_y(&v, o->ly), 0, name, 7,
			TP_TEXT_CENTER | TP_TEXT_ITALIC | TP_TEXT_HALO);
	}
	/* candidates of this commune, largest drawn first, numbered by rank */
	for (i = d->ncands; i-- > 0;) {
		const tp_map_candidate *k = &d->cands[i];
		double r;
		if (strcmp(k->nis, c->nis))
			continue;
		r = tp_point_radius(k->dwellings, d->max_dwellings) * 1.3;
		tp_draw_candidate(cr, tp_view_x(&v, k->x), tp_view_y(&v, k->y), r, 0.5);
	}
	for (i = 0; i < d->ncands; i++) {
		const tp_map_candidate *k = &d->cands[i];
		char n[32];
		double r;
		if (strcmp(k->nis, c->nis))
			continue;
		r = tp_point_radius(k->dwellings, d->max_dwellings) * 1.3;
		snprintf(n, sizeof(n), "%lld", k->rank);
		cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
		tp_text(cr, tp_view_x(&v, k->x) + r + 1, tp_view_y(&v, k->y) - 4, 0, n, 6, TP_TEXT_HALO);
	}
	cairo_restore(cr);
	tp_map_frame(cr, &v, x, y, w, h, 0);
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
			snprintf(v, sizeof(v), "%lld", counts[i].value);
			y2 = figure_line(cr, d->lang, f->fr, f->nl, v, x2, y2, colw);
		}
	}
	f = tp_figure_find("capacity");
	tp_format_number(v, sizeof(v), c->capacity);
	y2 = figure_line(cr, d->lang, f->fr, f->nl, v, x2, y2, colw);
	tp_format_number(thr, sizeof(thr), d->threshold);
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
	{"Adresse", "Adres", 132, 0},
	{"Propriétaire", "Eigenaar", 97, 0},
	{"Logements", "Woningen", 44, 1},
	{"Fenêtre (mois)", "Venster (mnd)", 50, 1},
	{"Début des travaux", "Start werken", 56, 1},
	{"Capacité", "Capaciteit", 42, 1},
	{"Score", "Score", 30, 1},
	{"Vide (mois)", "Leeg (mnd)", 36, 1},
};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* Fits s into w points at size, cutting it with an ellipsis when needed. */
static void fit_text(cairo_t *cr, char *s, double w, double size)
{
	size_t n = strlen(s);

	if (tp_text_width(cr, s, size, 0) <= w)
		return;
	while (n > 0) {
		n--;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		memcpy(s + n, "…", sizeof("…"));
		if (tp_text_width(cr, s, size, 0) <= w)
			return;
	}
}

static void draw_table(cairo_t *cr, const tp_mapdata *d, const tp_map_commune *c, double y)
{
	const double bottom = PAGE_H - MARGIN - 18;
	char buf[512], cell[NCOLUMNS][256], type[128];
	const tp_code *t;
	size_t i, j, shown = 0, total = 0;
	double x, hh = 0;

	for (i = 0; i < d->ncands; i++)
		total += strcmp(d->cands[i].nis, c->nis) == 0;
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	{
		char fr[160], nl[160];
		snprintf(fr, sizeof(fr), "Bâtiments candidats (%zu), par rang", total);
		snprintf(nl, sizeof(nl), "Kandidaat-gebouwen (%zu), naar rang", total);
		tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " / ");
	}
	y += tp_text(cr, MARGIN, y, 0, buf, 8.5, TP_TEXT_BOLD) + 3;
	if (total == 0 && c->rejected.records > 0) {
		/* not "no building meets the conditions": some were never looked at */
		char fr[200], nl[200];
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
		tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 7.5, TP_TEXT_ITALIC);
		return;
	}
	if (total == 0) {
		tp_lang_pick(buf, sizeof(buf), d->lang,
			     "Aucun bâtiment ne remplit les conditions d'une occupation temporaire.",
			     "Geen enkel gebouw voldoet aan de voorwaarden voor tijdelijke bewoning.",
			     "\n");
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 7.5, TP_TEXT_ITALIC);
		return;
	}
	x = MARGIN;
	for (j = 0; j < NCOLUMNS; j++) {
		tp_lang_pick(buf, sizeof(buf), d->lang, columns[j].fr, columns[j].nl, "\n");
		hh = fmax(hh, tp_text(cr, x, y, columns[j].w - 3, buf, 6.5,
				      TP_TEXT_BOLD | (columns[j].right ? TP_TEXT_RIGHT : 0)));
		x += columns[j].w;
	}
	y += hh + 2;
	cairo_move_to(cr, MARGIN, y);
	cairo_line_to(cr, PAGE_W - MARGIN, y);
	cairo_set_line_width(cr, 0.6);
	cairo_stroke(cr);
	y += 2;
	for (i = 0; i < d->ncands; i++) {
		const tp_map_candidate *k = &d->cands[i];
		if (strcmp(k->nis, c->nis))
			continue;
		if (y + ROW_H > bottom - (shown + 1 < total ? ROW_H : 0))
			break;
		snprintf(cell[0], sizeof(cell[0]), "%lld", k->rank);
		snprintf(cell[1], sizeof(cell[1]), "%s", k->address[0] ? k->address : k->src_id);
		if ((t = tp_code_find(&tp_owner_types, k->owner_type)))
			tp_code_name(t, d->lang, type, sizeof(type));
		else
			snprintf(type, sizeof(type), "%s", k->owner_type);
		if (k->owner[0])
			snprintf(cell[2], sizeof(cell[2]), "%s (%s)", k->owner, type);
		else
			snprintf(cell[2], sizeof(cell[2]), "%s", type);
		snprintf(cell[3], sizeof(cell[3]), "%lld", k->dwellings);
		sqlite3_snprintf(sizeof(cell[4]), cell[4], "%.1f", k->window);
		snprintf(cell[5], sizeof(cell[5]), "%s", k->works_start);
		tp_format_number(cell[6], sizeof(cell[6]), k->capacity);
		sqlite3_snprintf(sizeof(cell[7]), cell[7], "%.1f", k->score);
		if (k->months_empty >= 0)
			sqlite3_snprintf(sizeof(cell[8]), cell[8], "%.0f", k->months_empty);
		else
			cell[8][0] = '\0';
		if (shown % 2 == 0) {
			cairo_rectangle(cr, MARGIN, y - 1, PAGE_W - 2 * MARGIN, ROW_H);
			cairo_set_source_rgb(cr, 0.94, 0.95, 0.97);
			cairo_fill(cr);
		}
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		x = MARGIN;
		for (j = 0; j < NCOLUMNS; j++) {
			fit_text(cr, cell[j], columns[j].w - 6, 7);
			tp_text(cr, columns[j].right ? x + columns[j].w - 3 : x, y, 0, cell[j], 7,
				columns[j].right ? TP_TEXT_RIGHT : 0);
			x += columns[j].w;
		}
		y += ROW_H;
		shown++;
	}
	if (shown < total) {
		char fr[200], nl[200];
		snprintf(fr, sizeof(fr), "… et %zu autres : voir la couche candidates de tremplin.gpkg",
			 total - shown);
		snprintf(nl, sizeof(nl), "… en %zu andere: zie de laag candidates in tremplin.gpkg",
			 total - shown);
		tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " / ");
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		tp_text(cr, MARGIN, y + 2, 0, buf, 7, TP_TEXT_ITALIC);
	}
}

static void draw_page(cairo_t *cr, const tp_mapdata *d, size_t i)
{
	const tp_map_commune *c = &d->communes[i];
	char buf[512], date[16] = "", fr[256], nl[256], line[2100];
	double y = MARGIN - 6;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	tp_date_display(date, sizeof(date), d->reference_date);
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	tp_lang_pick(buf, sizeof(buf), d->lang, c->name_fr, c->name_nl, " / ");
	y += tp_text(cr, MARGIN, y, PAGE_W - 2 * MARGIN, buf, 17, TP_TEXT_BOLD);
	snprintf(fr, sizeof(fr), "Commune %s · date de référence %s", c->nis, date);
	snprintf(nl, sizeof(nl), "Gemeente %s · referentiedatum %s", c->nis, date);
	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "  |  ");
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	y += tp_text(cr, MARGIN, y + 2, 0, buf, 8, 0) + 10;
	draw_map(cr, d, c, MARGIN, y, PAGE_W - 2 * MARGIN, MAP_H);
	tp_draw_note(cr, d, MARGIN + 6, y + 6, (PAGE_W - 2 * MARGIN) / 2);
	y += MAP_H + 12;
	y = draw_figures(cr, d, c, y);
	tp_rejected_line(line, sizeof(line), d, &c->rejected, TP_IN_VACANCIES, "\n");
	if (line[0]) {
		cairo_set_source_rgb(cr, 0.6, 0.05, 0.05);
		y += 4 + tp_text(cr, MARGIN, y + 4, PAGE_W - 2 * MARGIN, line, 7.5, TP_TEXT_BOLD);
	}
	draw_table(cr, d, c, y + 10);
	cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
	snprintf(fr, sizeof(fr), "tremplin %s · %s · %s %zu/%zu", TP_VERSION, d->crs,
		 !strcmp(d->lang, "nl") ? "pagina" : "page", i + 1, d->ncommunes);
	tp_text(cr, PAGE_W - MARGIN, PAGE_H - MARGIN + 8, 0, fr, 6.5, TP_TEXT_RIGHT);
	tp_lang_pick(buf, sizeof(buf), d->lang,
		     "Sources : Bruss'help (dénombrement), logements vides, limites communales",
		     "Bronnen: Bruss'help (telling), leegstaande woningen, gemeentegrenzen", "\n");
	tp_text(cr, MARGIN, PAGE_H - MARGIN + 2, PAGE_W / 2, buf, 6, 0);
}

int tp_write_atlas(const tp_mapdata *d, const char *path)
{
	char title[256];
	cairo_surface_t *s;
	cairo_t *cr;
	tp_outfile out;
	size_t i;
	int rc = tp_outfile_begin(&out, path, 0);

	if (rc)
		return rc;
	s = cairo_pdf_surface_create(out.tmp, PAGE_W, PAGE_H);
	tp_lang_pick(title, sizeof(title), d->lang, "Atlas des communes", "Atlas van de gemeenten",
		     " / ");
	tp_pdf_metadata(s, d, title);
	cr = cairo_create(s);
	for (i = 0; i < d->ncommunes; i++) {
		draw_page(cr, d, i);
		cairo_show_page(cr);
	}
	cairo_destroy(cr);
	return tp_surface_close(s, &out);
}

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
#include "geo/dates.h"
#include "geo/error.h"
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

static void draw_candidates(cairo_t *cr, const tp_mapdata *d, const tp_view *v)
{
	/* orange discs, largest first so that small ones stay visible */
	const tp_map_candidate **k = tp_mapdata_by_size(d);
	size_t i;

	if (!k)
		return;
	for (i = 0; i < d->ncands; i++)
		tp_draw_candidate(cr, tp_view_x(v, k[i]->x), tp_view_y(v, k[i]->y),
			       tp_point_radius(k[i]->dwellings, d->max_dwellings), 0.4);
	free(k);
}

/* "lo – hi" for a class of the legend. */
static void class_text(char *buf, size_t len, double lo, double hi)
{
	char a[32], b[32];

	tp_format_number(a, sizeof(a), lo);
	tp_format_number(b, sizeof(b), hi);
	if (lo == hi)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s – %s", a, b);
}

static double draw_legend(cairo_t *cr, const tp_mapdata *d, double x, double y, double w)
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
		class_text(lim, sizeof(lim), d->lo[k], d->hi[k]);
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
	tp_format_number(thr, sizeof(thr), d->threshold);
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
	tp_lang_pick(buf, sizeof(buf), d->lang,
		     "Bâtiments candidats à une occupation temporaire, par nombre de logements",
		     "Kandidaat-gebouwen voor tijdelijke bewoning, per aantal woningen", "\n");
	y += tp_text(cr, x, y, w, buf, 8, TP_TEXT_BOLD) + 6;
	if (d->ncands && d->max_dwellings > 0) {
		long long sizes[3] = {1, 0, d->max_dwellings};
		double cx = x + 10;
		int i;
		sizes[1] = d->max_dwellings >= 10 ? (d->max_dwellings / 2 / 5) * 5 : 0;
		for (i = 0; i < 3; i++) {
			double r;
			char n[32];
			if (sizes[i] <= 0 || (i == 1 && (sizes[1] <= 1 || sizes[1] >= sizes[2])) ||
			    (i == 2 && sizes[2] == 1))
				continue;
			r = tp_point_radius(sizes[i], d->max_dwellings);
			tp_draw_candidate(cr, cx + r, y + 9, r, 0.4);
			snprintf(n, sizeof(n), "%lld", sizes[i]);
			cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
			tp_text(cr, cx + r, y + 20, 0, n, 7, TP_TEXT_CENTER);
			cx += 2 * r + 22;
		}
		y += 34;
		snprintf(nd, sizeof(nd), "%zu", d->ncands);
		{
			char fr[512], nl[512], m[32];
			tp_format_number(m, sizeof(m), d->min_window);
			snprintf(fr, sizeof(fr), "%s bâtiments, fenêtre d'au moins %s mois", nd, m);
			snprintf(nl, sizeof(nl), "%s gebouwen, venster van minstens %s maanden", nd, m);
			tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "\n");
		}
		y += tp_text(cr, x, y, w, buf, 7, 0) + 4;
	} else {
		tp_lang_pick(buf, sizeof(buf), d->lang, "aucun", "geen", " / ");
		y += tp_text(cr, x, y, w, buf, 7, TP_TEXT_ITALIC) + 4;
	}
	return y;
}

static void draw_names(cairo_t *cr, const tp_mapdata *d, const tp_view *v, int with_value)
{
	size_t i;

	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *c = &d->communes[i];
		char name[256];
		double x = tp_view_x(v, c->lx), y = tp_view_y(v, c->ly), h;
		tp_lang_pick(name, sizeof(name), d->lang, c->name_fr, c->name_nl, "\n");
		h = strchr(name, '\n') ? 14 : 7;
		cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
		tp_text(cr, x, y - h, 0, name, 6, TP_TEXT_CENTER | TP_TEXT_HALO);
		if (with_value)
			tp_text(cr, x, y - h + (h == 14 ? 15 : 8), 0, c->label, 6.5,
				TP_TEXT_CENTER | TP_TEXT_HALO | TP_TEXT_BOLD);
	}
}

static void draw_overview(cairo_t *cr, const tp_mapdata *d)
{
	const double mx = 28, my = 74, mw = 540, mh = 452;
	char buf[2600], fr[1280], nl[1280], date[16] = "";
	const char *lambert;
	tp_view v;
	size_t i;
	double y;

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
	draw_candidates(cr, d, &v);
	draw_names(cr, d, &v, 1);
	tp_draw_note(cr, d, mx + 8, my + 8, mw / 2);
	cairo_restore(cr);
	tp_map_frame(cr, &v, mx, my, mw, mh, 2);

	/* legend and notes */
	y = draw_legend(cr, d, mx + mw + 20, my + 4, PAGE_W - (mx + mw + 20) - 24);
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
	lambert = strcmp(d->crs, "EPSG:31370") == 0 ? " (Belgian Lambert 72)" : "";
	snprintf(fr, sizeof(fr),
		 "Sources : dénombrement Bruss'help, zones de comptage (%s) ; logements vides (%s) ; "
		 "limites communales (%s). Système de coordonnées : %s%s.",
		 d->sources[2], d->sources[1], d->sources[0], d->crs, lambert);
	snprintf(nl, sizeof(nl),
		 "Bronnen: telling Bruss'help, telzones (%s); leegstaande woningen (%s); "
		 "gemeentegrenzen (%s). Coördinatenstelsel: %s%s.",
		 d->sources[2], d->sources[1], d->sources[0], d->crs, lambert);
	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "\n");
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
}

/* ---- files --------------------------------------------------------------- */

/* draw_overview as a tp_page_fn. */
static void draw_page(cairo_t *cr, const void *d)
{
	draw_overview(cr, d);
}

/* One of the overview's three pages: PNG, SVG or PDF. */
static int write_page(const tp_mapdata *d, const char *path, tp_page_kind kind)
{
	char title[512];

	tp_lang_pick(title, sizeof(title), d->lang, d->ind->fr, d->ind->nl, " / ");
	return tp_page_write(path, kind, PAGE_W, PAGE_H, draw_page, d, d, title);
}

static void json_num(FILE *f, double v)
{
	char buf[64];

	sqlite3_snprintf(sizeof(buf), buf, "%!.15g", v);
	fputs(buf, f);
}

/* overview.json: the classes and what each commune was drawn with. */
static int write_json(const tp_mapdata *d, const char *path)
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
	fprintf(f, "\n  ]\n}\n");
	return tp_outfile_commit(&out);
}

int tp_write_overview(const tp_mapdata *d, const char *dir)
{
	static const char *const names[] = {"overview.png", "overview.svg", "overview.pdf",
					    "overview.json"};
	char path[4200];
	size_t i;
	int rc = TP_OK;

	for (i = 0; i < sizeof(names) / sizeof(names[0]) && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		switch (i) {
		case 0:
			rc = write_page(d, path, TP_PAGE_PNG);
			break;
		case 1:
		case 2:
			rc = write_page(d, path, i == 1 ? TP_PAGE_SVG : TP_PAGE_PDF);
			break;
		default:
			rc = write_json(d, path);
		}
	}
	return rc;
}

/*
 * change.c: OUTDIR/maps/change.png, .svg and .pdf, the change map: how
 * the people counted in each commune changed between the previous count
 * edition and the latest (the trends table, pipeline/trends.c).
 *
 * One A4 landscape page, drawn once onto the three surfaces as the
 * overview is (draw.c's tp_page_write).  Communes are coloured by their
 * change in people on the comparable scope (the categories both editions
 * counted: a trend is only honest on it), in the 7 classes of a diverging
 * ColorBrewer palette (geo/codes.h tp_change_rgb: fewer people blue, more
 * red, no change near white), symmetric around 0, limits multiples of 5
 * at a third and two thirds of the largest change; a change withheld
 * (either figure withheld) has the hatched "withheld" fill.  Each commune
 * is labelled with its change in people and in %, the legend gives each
 * class's range in people and the range of % of its communes, and the
 * region's figures stand beside it.  Every number comes from the trends
 * table as published, read through a public view.
 */
#include "outputs/change.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "outputs/draw.h"
#include "outputs/query.h"
#include "version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 841.89 /* A4 landscape, points, as the overview */
#define PAGE_H 595.28

/* The change of one commune (or the region), as published. */
typedef struct {
	int has;          /* 1: the comparable change is published */
	double change;    /* people */
	int has_pct;      /* 1: pct is published (the previous figure above 0) */
	double pct;       /* change in % of the previous figure */
	int whole_has;    /* the change on the whole: published? */
	double whole;     /* people */
	char value[32];   /* the latest edition's figure as published ("9780", "x") */
	char before[32];  /* the previous edition's */
	int cls;          /* class 0..TP_NCHANGE-1, -1 when withheld */
} change_row;

/* Everything the page shows. */
typedef struct {
	const tp_mapdata *d;    /* communes, geometry, language, note, sources */
	char from[64], to[64];  /* the two editions' labels */
	char from_date[11];     /* their dates */
	char to_date[11];
	change_row *rows;       /* per commune of d, in d's order */
	change_row region;      /* the region */
	double b1, b2, top;     /* class limits: 0 < b1 < b2 <= top, people */
	double pct_lo[TP_NCHANGE], pct_hi[TP_NCHANGE]; /* % range of each class's communes */
	int count[TP_NCHANGE];  /* communes per class */
	int withheld;           /* communes without a published change */
} change_map;

/* Reads one row of TP_ROWS_CHANGE (from column 4) into r. */
static void read_row(const tp_rows *st, change_row *r, int latest)
{
	const char *label = tp_rows_text(st, 4);

	if (!latest) {
		snprintf(r->before, sizeof(r->before), "%s", label ? label : "");
		return;
	}
	snprintf(r->value, sizeof(r->value), "%s", label ? label : "");
	r->whole_has = !tp_rows_null(st, 5);
	r->whole = tp_rows_double(st, 5);
	r->has = !tp_rows_null(st, 7);
	r->change = tp_rows_double(st, 7);
	r->has_pct = !tp_rows_null(st, 8);
	r->pct = tp_rows_double(st, 8);
}

/* Reads both editions' rows of edition into m (latest: the change, else the figure before). */
static int read_edition(change_map *m, tp_view *view, const char *edition, int latest,
			const char *path)
{
	tp_rows *st = NULL;
	int rc, step;
	size_t i;

	rc = tp_rows_open(&st, view, TP_ROWS_CHANGE, edition, path);
	while (!rc && (step = tp_rows_next(st)) > 0) {
		const char *nis = tp_rows_text(st, 0);
		change_row *r = NULL;
		if (!nis) {
			r = &m->region;
		} else {
			for (i = 0; i < m->d->ncommunes && !r; i++)
				if (!strcmp(m->d->communes[i].nis, nis))
					r = &m->rows[i];
		}
		if (r)
			read_row(st, r, latest);
	}
	if (!rc && step < 0)
		rc = step;
	tp_rows_close(st);
	return rc;
}

/* The latest edition and the one before it; 0 with m->to "" when there is no trend. */
static int read_editions(change_map *m, tp_view *view, const char *path)
{
	tp_rows *st = NULL;
	int rc, step;

	rc = tp_rows_open(&st, view, TP_ROWS_EDITIONS, NULL, path);
	while (!rc && (step = tp_rows_next(st)) > 0) {
		const char *e = tp_rows_text(st, 0), *date = tp_rows_text(st, 1);
		const char *prev = tp_rows_text(st, 2);
		snprintf(m->to, sizeof(m->to), "%s", e ? e : "");
		snprintf(m->to_date, sizeof(m->to_date), "%s", date ? date : "");
		snprintf(m->from, sizeof(m->from), "%s", prev ? prev : "");
	}
	if (!rc && step < 0)
		rc = step;
	tp_rows_close(st);
	if (!rc && m->from[0]) {
		rc = tp_rows_open(&st, view, TP_ROWS_EDITIONS, NULL, path);
		while (!rc && (step = tp_rows_next(st)) > 0)
			if (!strcmp(tp_rows_text(st, 0), m->from))
				snprintf(m->from_date, sizeof(m->from_date), "%s", tp_rows_text(st, 1));
		if (!rc && step < 0)
			rc = step;
		tp_rows_close(st);
	}
	return rc;
}

/* A multiple of 5 at or above v. */
static double ceil5(double v)
{
	return 5 * ceil(v / 5 - 1e-9);
}

/* The class of a change of c people (classes() set the limits). */
static int class_of(const change_map *m, double c)
{
	double a = fabs(c);
	int k = a == 0 ? 0 : a <= m->b1 ? 1 : a <= m->b2 ? 2 : 3;

	return TP_NCHANGE / 2 + (c < 0 ? -k : k);
}

static void classes(change_map *m)
{
	size_t i;
	int k;

	m->top = 0;
	for (i = 0; i < m->d->ncommunes; i++)
		if (m->rows[i].has && fabs(m->rows[i].change) > m->top)
			m->top = fabs(m->rows[i].change);
	m->b1 = fmax(5, ceil5(m->top / 3));
	m->b2 = fmax(m->b1 + 5, ceil5(2 * m->top / 3));
	for (k = 0; k < TP_NCHANGE; k++) {
		m->pct_lo[k] = INFINITY;
		m->pct_hi[k] = -INFINITY;
		m->count[k] = 0;
	}
	m->withheld = 0;
	for (i = 0; i < m->d->ncommunes; i++) {
		change_row *r = &m->rows[i];
		if (!r->has) {
			r->cls = -1;
			m->withheld++;
			continue;
		}
		r->cls = class_of(m, r->change);
		m->count[r->cls]++;
		if (r->has_pct) {
			m->pct_lo[r->cls] = fmin(m->pct_lo[r->cls], r->pct);
			m->pct_hi[r->cls] = fmax(m->pct_hi[r->cls], r->pct);
		}
	}
}

/* "+1 234" or "−55": a signed number of people (geo/numbers.c's typography). */
static void signed_people(char *buf, size_t len, double v)
{
	tp_num_signed(buf, len, v, 0, NULL);
}

/* "+66,7 %": a signed percentage, one decimal (geo/numbers.c's typography). */
static void signed_pct(char *buf, size_t len, double v)
{
	char n[32];

	tp_num_signed(n, sizeof(n), v, 1, NULL);
	snprintf(buf, len, "%s %%", n);
}

/* A published label as printed: a number with its groups ("9 780"), else as it is ("x"). */
static void people_label(char *buf, size_t len, const char *label)
{
	tp_num_label(buf, len, label, NULL);
}

/* The label of a row: "+40 / +66,7 %", "x" when withheld (buf of 96 bytes or more). */
static void row_label(char *buf, size_t len, const change_row *r)
{
	char a[40], b[40];

	if (!r->has) {
		snprintf(buf, len, "x");
		return;
	}
	signed_people(a, sizeof(a), r->change);
	if (r->has_pct) {
		signed_pct(b, sizeof(b), r->pct);
		snprintf(buf, len, "%s / %s", a, b);
	} else {
		snprintf(buf, len, "%s", a);
	}
}

static void swatch(cairo_t *cr, double x, double y, int cls)
{
	unsigned char rgb[3];

	cairo_rectangle(cr, x, y, 22, 13);
	if (cls < 0) {
		tp_fill_nodata(cr, x, y, x + 22, y + 13);
		cairo_rectangle(cr, x, y, 22, 13);
	} else {
		tp_change_rgb(cls, rgb);
		tp_set_rgb(cr, rgb);
		cairo_fill_preserve(cr);
	}
	cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
	cairo_set_line_width(cr, 0.5);
	cairo_stroke(cr);
}

/* The legend: each class in people, the % of its communes, then "withheld". */
static double draw_legend(cairo_t *cr, const change_map *m, double x, double y, double w)
{
	const tp_mapdata *d = m->d;
	char buf[1024], lo[48], hi[48], pl[48], ph[48], line[640];
	int k;

	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	tp_lang_pick(buf, sizeof(buf), d->lang, "Évolution en personnes (et en %)",
		     "Evolutie in personen (en in %)", "\n");
	y += tp_text(cr, x, y, w, buf, 8.5, TP_TEXT_BOLD) + 6;
	for (k = TP_NCHANGE - 1; k >= 0; k--) {
		int s = k - TP_NCHANGE / 2, a = abs(s);
		double l = a == 0 ? 0 : a == 1 ? 5 : a == 2 ? m->b1 + 5 : m->b2 + 5;
		double h = a == 0 ? 0 : a == 1 ? m->b1 : a == 2 ? m->b2 : fmax(m->top, m->b2 + 5);
		swatch(cr, x, y, k);
		signed_people(lo, sizeof(lo), s < 0 ? -h : l);
		signed_people(hi, sizeof(hi), s < 0 ? -l : h);
		if (a == 0)
			snprintf(line, sizeof(line), "0");
		else
			snprintf(line, sizeof(line), "%s … %s", lo, hi);
		if (m->count[k] && isfinite(m->pct_lo[k])) {
			signed_pct(pl, sizeof(pl), m->pct_lo[k]);
			signed_pct(ph, sizeof(ph), m->pct_hi[k]);
			snprintf(buf, sizeof(buf), "%s   (%d; %s … %s)", line, m->count[k], pl, ph);
		} else {
			snprintf(buf, sizeof(buf), "%s   (%d)", line, m->count[k]);
		}
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		tp_text(cr, x + 30, y + 1, 0, buf, 8, 0);
		y += 17;
	}
	swatch(cr, x, y, -1);
	tp_lang_pick(buf, sizeof(buf), d->lang,
		     "évolution masquée : un des deux chiffres l'est (secret statistique)",
		     "evolutie afgeschermd: een van beide cijfers is het (statistisch geheim)", "\n");
	snprintf(line, sizeof(line), "   (%d)", m->withheld);
	strncat(buf, line, sizeof(buf) - strlen(buf) - 1);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	return y + fmax(tp_text(cr, x + 30, y + 1, w - 30, buf, 7.5, 0), 13) + 14;
}

static int draw_change(cairo_t *cr, const void *ud)
{
	const change_map *m = ud;
	const tp_mapdata *d = m->d;
	const double mx = 28, my = 74, mw = 540, mh = 452;
	char buf[2600], fr[1280], nl[1280], a[32], b[32], lab[96];
	tp_view v;
	size_t i;
	double y, x = mx + mw + 20, w = PAGE_W - (mx + mw + 20) - 24;

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	tp_date_display(a, sizeof(a), m->from_date);
	tp_date_display(b, sizeof(b), m->to_date);

	/* title */
	cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
	snprintf(fr, sizeof(fr), "Personnes sans chez-soi dénombrées : évolution %s → %s", m->from,
		 m->to);
	snprintf(nl, sizeof(nl), "Getelde dak- en thuislozen: evolutie %s → %s", m->from, m->to);
	y = 20;
	y += tp_text(cr, mx, y, 0, strcmp(d->lang, "nl") ? fr : nl, 15, TP_TEXT_BOLD);
	if (!strcmp(d->lang, "both"))
		y += tp_text(cr, mx, y, 0, nl, 12, TP_TEXT_BOLD);
	snprintf(fr, sizeof(fr), "Région de Bruxelles-Capitale · dénombrements du %s et du %s, "
		 "catégories comptées les deux fois", a, b);
	snprintf(nl, sizeof(nl), "Brussels Hoofdstedelijk Gewest · tellingen van %s en %s, "
		 "categorieën die beide keren geteld zijn", a, b);
	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "\n");
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	tp_text(cr, mx, y + 2, PAGE_W - 2 * mx, buf, 7, 0);

	/* the map */
	tp_view_fit(&v, d->box, mx + 8, my + 8, mw - 16, mh - 16);
	cairo_save(cr);
	cairo_rectangle(cr, mx, my, mw, mh);
	cairo_clip(cr);
	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *c = &d->communes[i];
		unsigned char rgb[3];
		cairo_new_path(cr);
		tp_path_commune(cr, c, &v);
		if (m->rows[i].cls < 0) {
			tp_fill_nodata(cr, tp_view_x(&v, c->box[0]), tp_view_y(&v, c->box[3]),
				       tp_view_x(&v, c->box[2]), tp_view_y(&v, c->box[1]));
			continue;
		}
		tp_change_rgb(m->rows[i].cls, rgb);
		tp_set_rgb(cr, rgb);
		cairo_fill(cr);
	}
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (i = 0; i < d->ncommunes; i++) {
		cairo_new_path(cr);
		tp_path_commune(cr, &d->communes[i], &v);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		cairo_set_line_width(cr, 0.8);
		cairo_stroke(cr);
	}
	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *c = &d->communes[i];
		char name[256];
		double px = tp_view_x(&v, c->lx), py = tp_view_y(&v, c->ly), h;
		tp_lang_pick(name, sizeof(name), d->lang, c->name_fr, c->name_nl, "\n");
		h = strchr(name, '\n') ? 14 : 7;
		cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
		tp_text(cr, px, py - h, 0, name, 6, TP_TEXT_CENTER | TP_TEXT_HALO);
		row_label(lab, sizeof(lab), &m->rows[i]);
		tp_text(cr, px, py - h + (h == 14 ? 15 : 8), 0, lab, 6.5,
			TP_TEXT_CENTER | TP_TEXT_HALO | TP_TEXT_BOLD);
	}
	tp_draw_note(cr, d, mx + 8, my + 8, mw / 2);
	cairo_restore(cr);
	tp_map_frame(cr, &v, mx, my, mw, mh, 2);

	/* legend, the region, how it is computed */
	y = draw_legend(cr, m, x, my + 4, w);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	tp_lang_pick(buf, sizeof(buf), d->lang, "Région", "Gewest", " / ");
	y += tp_text(cr, x, y, w, buf, 8.5, TP_TEXT_BOLD) + 2;
	row_label(lab, sizeof(lab), &m->region);
	people_label(a, sizeof(a), m->region.before);
	people_label(b, sizeof(b), m->region.value);
	snprintf(fr, sizeof(fr), "%s → %s : %s → %s personnes ; à périmètre comparable %s", m->from,
		 m->to, a, b, lab);
	snprintf(nl, sizeof(nl), "%s → %s: %s → %s personen; op vergelijkbare basis %s", m->from,
		 m->to, a, b, lab);
	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, "\n");
	y += tp_text(cr, x, y, w, buf, 7.5, 0) + 10;
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	tp_lang_pick(buf, sizeof(buf), d->lang,
		     "Chaque dénombrement est réparti entre les communes actuelles au prorata de "
		     "la surface de ses zones. Les chiffres sont ceux publiés (arrondis à 5, petits "
		     "effectifs masqués) ; une évolution est la différence de deux chiffres publiés. "
		     "Détail par catégorie : trends.csv.",
		     "Elke telling wordt naar de oppervlakte van haar zones over de huidige "
		     "gemeenten verdeeld. De cijfers zijn de gepubliceerde (afgerond op 5, kleine "
		     "aantallen afgeschermd); een evolutie is het verschil van twee gepubliceerde "
		     "cijfers. Per categorie: trends.csv.",
		     "\n");
	tp_text(cr, x, y, w, buf, 6.5, TP_TEXT_ITALIC);

	/* sources: [run] sources, or the input files, as on every map */
	tp_sources_line(buf, sizeof(buf), d, "\n");
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	tp_text(cr, mx, my + mh + 8, PAGE_W - 2 * mx, buf, 6.5, 0);
	tp_text(cr, PAGE_W - mx, PAGE_H - 16, 0, "tremplin " TP_VERSION, 6, TP_TEXT_RIGHT);
	return TP_OK;
}

int tp_write_change_map_files(const tp_mapdata *d, sqlite3 *store, const char *dir, int from, int to)
{
	static const char *const names[] = {"change.png", "change.svg", "change.pdf"};
	static const tp_page_kind kinds[] = {TP_PAGE_PNG, TP_PAGE_SVG, TP_PAGE_PDF};
	change_map m;
	tp_view *view = NULL;
	char path[4200], title[256];
	int i, rc;

	memset(&m, 0, sizeof(m));
	m.d = d;
	snprintf(path, sizeof(path), "%s/change.png", dir);
	if (!(m.rows = calloc(d->ncommunes ? d->ncommunes : 1, sizeof(*m.rows))))
		return tp_error_set(TP_ERROR, "%s: out of memory", path);
	rc = tp_view_open(&view, store, 0);
	if (!rc)
		rc = read_editions(&m, view, path);
	if (!rc && m.from[0])
		rc = read_edition(&m, view, m.to, 1, path);
	if (!rc && m.from[0])
		rc = read_edition(&m, view, m.from, 0, path);
	tp_view_close(view);
	if (!rc && m.from[0]) {
		classes(&m);
		snprintf(title, sizeof(title), "%s %s → %s",
			 strcmp(d->lang, "nl") ? "Évolution du dénombrement" : "Evolutie van de telling",
			 m.from, m.to);
		for (i = from; i < to && i < 3 && !rc; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			rc = tp_page_write(path, kinds[i], PAGE_W, PAGE_H, draw_change, &m, d, title);
		}
	}
	free(m.rows);
	return rc;
}

int tp_write_change_map(const tp_mapdata *d, sqlite3 *store, const char *dir)
{
	return tp_write_change_map_files(d, store, dir, 0, 3);
}

/*
 * dashboard.c: OUTDIR/dashboard.html, one file a person opens from disk,
 * with no network and nothing beside it but the files it links to.
 *
 * The region map is inline SVG (one <path class="commune"> per commune and
 * one <circle class="bubble"> of its candidate dwellings), the commune
 * table and the first page of the candidate list are plain table rows, so
 * the page reads even with scripts off.  The candidates, the communes'
 * published categories and the optional datasets (vacancy_flows; the
 * count's editions and the occupation register, dashboard_data.c; the
 * sections of other tables plug in the same way: a key of the data and a
 * renderer in the script) are one JSON block, compact enough for 100,000
 * candidates in a few megabytes; the script (dashboard_script.c) draws
 * list, cards, map and charts from it and keeps them in step with the
 * filters.  No external script, style sheet, font or image is referenced.
 *
 * People figures are the published labels (public_communes): the page
 * never holds a suppressed count, not even in an attribute.
 */
#include "outputs/mapdata.h"
#include "outputs/dashboard.h"
#include "outputs/draw.h"
#include "outputs/outfile.h"
#include "outputs/query.h"
#include "geo/categories.h"
#include "geo/dates.h"
#include "geo/json.h"
#include "geo/keyset.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "version.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_W 640.0
#define BUBBLE_R 22.0 /* the largest commune's disc on the region map, pixels */

/* Writes s with HTML's special characters escaped (text and attributes). */
static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* Writes the fr/nl pair in the chosen language, escaped. */
/* The candidate list's columns, as headed in French and Dutch. */
static const struct {
	const char *fr, *nl; /* heading */
	int number;          /* 1: a number, aligned right */
} candidate_columns[] = {
	{"Rang", "Rang", 1},
	{"Adresse", "Adres", 0},
	{"Commune", "Gemeente", 0},
	{"Propriétaire", "Eigenaar", 0},
	{"Type", "Type", 0},
	{"Logements", "Woningen", 1},
	{"Fenêtre (mois)", "Venster (maanden)", 1},
	{"Début des travaux", "Start van de werken", 0},
	{"Capacité", "Capaciteit", 1},
	{"Score", "Score", 1},
	{"Vide (mois)", "Leeg (maanden)", 1},
};

static void tr(FILE *f, const tp_mapdata *d, const char *fr, const char *nl)
{
	char buf[2600];

	tp_lang_pick(buf, sizeof(buf), d->lang, fr, nl, " / ");
	esc(f, buf);
}

static void num(FILE *f, const char *fmt, double v)
{
	char buf[64];

	sqlite3_snprintf(sizeof(buf), buf, fmt, v);
	fputs(buf, f);
}

/* The style sheet up to the candidates' discs (candidate_css()). */
static const char style[] =
	"body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:0;color:#222;"
	"background:#fafafa}\n"
	"header,main,footer{max-width:1180px;margin:0 auto;padding:0 16px}\n"
	"header{padding-top:12px}h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.15em;"
	"margin:1.2em 0 .5em}\n"
	".sub{color:#555;margin:.2em 0}.note{color:#b31212;font-weight:bold;margin:.2em 0}.links a{margin-right:1em}\n"
	"#headline{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}\n"
	".fig{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px;"
	"min-width:150px}\n"
	".fig b{display:block;font-size:1.6em;color:#253494}.fig span{font-size:.85em;color:#444}\n"
	".row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}\n"
	"#region-map{background:#fff;border:1px solid #ddd;max-width:100%;height:auto}\n"
	"#region-map .commune{stroke:#444;stroke-width:.7;cursor:pointer}\n"
	"#region-map .commune:hover,#region-map .commune.sel{stroke:#000;stroke-width:2}\n"
	"#region-map .bubble{cursor:pointer}\n"
	".charts{display:flex;flex-wrap:wrap;gap:16px}.chart{background:#fff;border:1px solid #ddd;"
	"border-radius:6px;padding:6px 10px}.chart h3{font-size:.95em;margin:.2em 0 .4em}\n"
	".chart svg{width:400px;max-width:100%;font-size:11px}#chart-categories{width:640px}\n"
	".chart .bar rect{fill:#41b6c4}.chart .bar.sel rect{fill:#253494}.chart .bar{cursor:pointer}\n"
	"#chart-categories .bar rect{fill-opacity:1}#chart-categories .bar.dim{opacity:.35}\n"
	".pager button,#export{margin:0 4px}\n"
	".sparks{display:flex;flex-wrap:wrap;gap:6px}.spark{background:#fff;border:1px solid #ddd;"
	"border-radius:4px;cursor:pointer;width:150px;height:64px}.spark.sel{border:2px solid #253494}\n"
	".trend .line{fill:none;stroke:#253494;stroke-width:2}.trend .pt{fill:#253494}"
	".trend .gap{fill:#b31212;font-weight:bold}\n"
	"#timeline{width:1000px;max-width:100%;font-size:11px}#timeline .occ.dim,#ending-table tr.dim{opacity:.25}"
	"#timeline .ext{fill:#000}.spark{font-size:10px}#trend-table td.scope{font-size:.8em;"
	"text-align:left;min-width:16em}\n";

/* The rest of the style sheet, after the candidates' discs (candidate_css()). */
static const char style_rest[] =
	"#region-map text{font-size:8px;text-anchor:middle;paint-order:stroke;stroke:#fff;"
	"stroke-width:2px;stroke-opacity:.85}\n"
	".legend{font-size:.9em;min-width:220px}.legend div{margin:3px 0}\n"
	".sw{display:inline-block;width:22px;height:12px;border:1px solid #777;"
	"vertical-align:middle;margin-right:8px}\n"
	".nodata{background:repeating-linear-gradient(45deg,#d0d0d0 0 3px,#8c8c8c 3px 4px)}\n"
	"table{border-collapse:collapse;background:#fff;font-size:.85em;width:100%}\n"
	"th,td{border-bottom:1px solid #e3e3e3;padding:3px 6px;text-align:left}\n"
	"#communes-table td:nth-child(2),#candidates-table td:nth-child(3){min-width:12em}\n"
	"td.n,th.n{text-align:right}th{background:#eef1f6;position:sticky;top:0}\n"
	"#communes-table th{cursor:pointer}#communes-table th.asc:after{content:' \\25B2'}\n"
	"#communes-table th.desc:after{content:' \\25BC'}\n"
	"#candidates-table th{cursor:pointer}#candidates-table th.asc:after{content:' \\25B2'}\n"
	"#candidates-table th.desc:after{content:' \\25BC'}\n"
	".scroll{overflow-x:auto}.filters{margin:6px 0 8px}.filters label{margin-right:14px}\n"
	"footer{color:#555;font-size:.8em;margin-top:24px;padding-bottom:24px}\n";

static void write_svg(FILE *f, const tp_mapdata *d)
{
	double bw = d->box[2] - d->box[0], bh = d->box[3] - d->box[1];
	double s = (MAP_W - 20) / (bw > 0 ? bw : 1), h = bh * s + 20;
	unsigned char rgb[3];
	size_t i, j, k;

	fprintf(f, "<svg id=\"region-map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\""
		   " height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
		MAP_W, ceil(h), MAP_W, ceil(h));
	fprintf(f, "<g id=\"communes\">\n");
	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *c = &d->communes[i];
		char name[256];
		tp_class_rgb(c->cls, d->nclasses, rgb);
		fprintf(f, "<path class=\"commune\" data-nis=\"");
		esc(f, c->nis);
		fprintf(f, "\" fill=\"#%02x%02x%02x\" fill-rule=\"evenodd\" d=\"", rgb[0],
			rgb[1], rgb[2]);
		for (j = 0; j < c->nrings; j++) {
			const tp_ring *r = &c->rings[j];
			for (k = 0; k < r->n; k++) {
				fputc(k ? 'L' : 'M', f);
				num(f, "%.1f", 10 + (r->xy[2 * k] - d->box[0]) * s);
				fputc(' ', f);
				num(f, "%.1f", 10 + (d->box[3] - r->xy[2 * k + 1]) * s);
			}
			fputc('Z', f);
		}
		fprintf(f, "\"%s><title>", c->cls < 0 ? " style=\"fill:url(#hatch)\"" : "");
		tp_lang_pick(name, sizeof(name), d->lang, c->name_fr, c->name_nl, " / ");
		esc(f, name);
		fputs(": ", f);
		esc(f, c->label);
		fprintf(f, "</title></path>\n");
	}
	/* one disc per commune, its area the candidate dwellings the filters leave
	 * there (the script redraws it); the largest as wide as BUBBLE_R */
	fprintf(f, "</g>\n<g id=\"candidate-points\">\n");
	{
		long long *per = calloc(d->ncommunes ? d->ncommunes : 1, sizeof(*per)), max = 0;
		for (i = 0; per && i < d->ncands; i++)
			for (j = 0; j < d->ncommunes; j++)
				if (!strcmp(d->cands[i].nis, d->communes[j].nis)) {
					per[j] += d->cands[i].dwellings;
					break;
				}
		for (j = 0; per && j < d->ncommunes; j++)
			max = per[j] > max ? per[j] : max;
		for (j = 0; per && j < d->ncommunes; j++) {
			const tp_map_commune *c = &d->communes[j];
			char name[256];
			fprintf(f, "<circle class=\"bubble\" data-nis=\"");
			esc(f, c->nis);
			fprintf(f, "\" cx=\"");
			num(f, "%.1f", 10 + (c->lx - d->box[0]) * s);
			fprintf(f, "\" cy=\"");
			num(f, "%.1f", 10 + (d->box[3] - c->ly) * s);
			fprintf(f, "\" r=\"");
			num(f, "%.1f", max ? sqrt((double)per[j] / (double)max) * BUBBLE_R : 0);
			fprintf(f, "\"><title>");
			tp_lang_pick(name, sizeof(name), d->lang, c->name_fr, c->name_nl, " / ");
			esc(f, name);
			fprintf(f, ": %lld ", per[j]);
			tr(f, d, "logements candidats", "kandidaat-woningen");
			fprintf(f, "</title></circle>\n");
		}
		free(per);
	}
	fprintf(f, "</g>\n<g id=\"names\">\n");
	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *c = &d->communes[i];
		const char *name = !strcmp(d->lang, "nl") ? c->name_nl : c->name_fr;
		fprintf(f, "<text x=\"");
		num(f, "%.1f", 10 + (c->lx - d->box[0]) * s);
		fprintf(f, "\" y=\"");
		num(f, "%.1f", 10 + (d->box[3] - c->ly) * s);
		fprintf(f, "\">");
		esc(f, name);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "</g>\n<defs><pattern id=\"hatch\" width=\"4\" height=\"4\""
		   " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		   "<rect width=\"4\" height=\"4\" fill=\"#d0d0d0\"/>"
		   "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"#8c8c8c\"/></pattern></defs>\n");
	fprintf(f, "</svg>\n");
}

static void write_legend(FILE *f, const tp_mapdata *d)
{
	unsigned char rgb[3];
	char a[32], b[32];
	int k;

	fprintf(f, "<div class=\"legend\"><strong>");
	tr(f, d, d->ind->fr, d->ind->nl);
	fprintf(f, "</strong><br><em>");
	tr(f, d, "5 classes (quantiles)", "5 klassen (kwantielen)");
	fprintf(f, "</em>\n");
	for (k = d->nclasses - 1; k >= 0; k--) {
		tp_class_rgb(k, d->nclasses, rgb);
		tp_num_format(a, sizeof(a), d->lo[k], TP_NUM_AUTO, d->lang);
		tp_num_format(b, sizeof(b), d->hi[k], TP_NUM_AUTO, d->lang);
		fprintf(f, "<div class=\"class\"><span class=\"sw\" style=\"background:#%02x%02x%02x\">"
			   "</span>%s%s%s (%d)</div>\n",
			rgb[0], rgb[1], rgb[2], a, d->lo[k] == d->hi[k] ? "" : " – ",
			d->lo[k] == d->hi[k] ? "" : b, d->count[k]);
	}
	tp_num_format(a, sizeof(a), d->threshold, TP_NUM_AUTO, d->lang);
	fprintf(f, "<div><span class=\"sw nodata\"></span>");
	if (d->ind->people) {
		char fr[160], nl[160];
		snprintf(fr, sizeof(fr), "pas de donnée, ou chiffre masqué (<%s ou x)", a);
		snprintf(nl, sizeof(nl), "geen gegevens, of cijfer afgeschermd (<%s of x)", a);
		tr(f, d, fr, nl);
	} else {
		tr(f, d, "pas de donnée", "geen gegevens");
	}
	fprintf(f, " (%d)</div>\n<div><span class=\"sw\" style=\"background:#%02x%02x%02x;"
		   "border-radius:6px;width:12px\"></span>",
		d->nodata, tp_candidate_fill[0], tp_candidate_fill[1], tp_candidate_fill[2]);
	tr(f, d, "logements candidats de la commune, selon les filtres (surface)",
	   "kandidaat-woningen van de gemeente, volgens de filters (oppervlakte)");
	fprintf(f, "</div>\n</div>\n");
}

static void headline(FILE *f, const tp_mapdata *d, const char *value, const char *fr,
		     const char *nl, const char *id)
{
	fprintf(f, "<div class=\"fig\" id=\"%s\"><b>%s</b><span>", id, value);
	tr(f, d, fr, nl);
	fprintf(f, "</span></div>\n");
}

/* What the inputs lost, under the headline: one line per input with rows not used. */
static void write_rejected(FILE *f, const tp_mapdata *d)
{
	static const int order[] = {TP_IN_VACANCIES, TP_IN_ZONES, TP_IN_COMMUNES};
	char line[2600];
	size_t i;
	int any = 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		tp_rejected_line(line, sizeof(line), d, &d->rejected[order[i]], order[i], " / ");
		if (!line[0])
			continue;
		fprintf(f, "%s", any ? "<br>" : "<p id=\"rejected\" class=\"note\">");
		if (d->sources[order[i]][0]) {
			esc(f, d->sources[order[i]]);
			fputs(" : ", f);
		}
		esc(f, line);
		any = 1;
	}
	if (any)
		fprintf(f, "</p>\n");
}

static void write_headline(FILE *f, const tp_mapdata *d)
{
	double people = 0, cap = 0;
	long long empty = 0, cb = 0, cd = 0;
	int suppressed = 0;
	char v[64], fr[256], nl[256];
	size_t i;

	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *c = &d->communes[i];
		if (c->has_fig[TP_NFIGS - 1])
			people += c->fig[TP_NFIGS - 1];
		else
			suppressed++;
		empty += c->empty_dwellings;
		cb += c->candidate_buildings;
		cd += c->candidate_dwellings;
		cap += c->capacity;
	}
	fprintf(f, "<section id=\"headline\">\n");
	tp_num_format(v, sizeof(v), people, TP_NUM_AUTO, d->lang);
	if (suppressed) {
		snprintf(fr, sizeof(fr), "personnes dénombrées (somme des chiffres publiés ; %d "
			 "commune(s) masquée(s))", suppressed);
		snprintf(nl, sizeof(nl), "getelde personen (som van de gepubliceerde cijfers; %d "
			 "gemeente(n) afgeschermd)", suppressed);
	} else {
		snprintf(fr, sizeof(fr), "personnes dénombrées (somme des chiffres publiés)");
		snprintf(nl, sizeof(nl), "getelde personen (som van de gepubliceerde cijfers)");
	}
	headline(f, d, v, fr, nl, "h-people");
	tp_num_count(v, sizeof(v), empty, d->lang);
	headline(f, d, v, "logements vides", "leegstaande woningen", "h-empty");
	tp_num_count(v, sizeof(v), cb, d->lang);
	headline(f, d, v, "bâtiments candidats", "kandidaat-gebouwen", "h-cand-buildings");
	tp_num_count(v, sizeof(v), cd, d->lang);
	headline(f, d, v, "logements candidats", "kandidaat-woningen", "h-cand-dwellings");
	tp_num_persons(v, sizeof(v), cap, d->lang);
	headline(f, d, v, "personnes qu'ils pourraient accueillir",
		 "personen die ze zouden kunnen opvangen", "h-capacity");
	fprintf(f, "</section>\n");
	write_rejected(f, d);
}

/* A numeric cell; data-v holds the sort key, empty when suppressed. */
static void cell_num(FILE *f, int has, double v, const char *label)
{
	fprintf(f, "<td class=\"n\" data-v=\"");
	if (has)
		num(f, "%!.15g", v);
	fprintf(f, "\">");
	esc(f, label[0] ? label : "–");
	fprintf(f, "</td>");
}

static void write_communes(FILE *f, const tp_mapdata *d)
{
	size_t i, j, n;
	const tp_figure *pf = tp_people_figures(&n);
	static const char *const other[] = {"empty_dwellings", "candidate_buildings",
					    "candidate_dwellings", "capacity"};

	fprintf(f, "<section id=\"communes-section\"><h2>");
	tr(f, d, "Communes", "Gemeenten");
	fprintf(f, "</h2>\n<div class=\"scroll\"><table id=\"communes-table\"><thead><tr><th>NIS</th><th>");
	tr(f, d, "Commune", "Gemeente");
	fprintf(f, "</th>");
	/* the total first, then the six categories */
	for (j = 0; j < n; j++) {
		size_t q = (j + n - 1) % n;
		fprintf(f, "<th class=\"n\">");
		tr(f, d, pf[q].fr, pf[q].nl);
		fprintf(f, "</th>");
	}
	for (j = 0; j < sizeof(other) / sizeof(other[0]); j++) {
		const tp_figure *o = tp_figure_find(other[j]);
		fprintf(f, "<th class=\"n\">");
		tr(f, d, o->fr, o->nl);
		fprintf(f, "</th>");
	}
	for (j = 0; j < (size_t)d->nind; j++) { /* the indicator tables ([indicators]) */
		fprintf(f, "<th class=\"n\">");
		esc(f, d->ind_name[j]);
		fprintf(f, "</th>");
	}
	fprintf(f, "<th class=\"n\">");
	tr(f, d, "Enregistrements non utilisés", "Niet gebruikte records");
	fprintf(f, "</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *c = &d->communes[i];
		char name[256], v[64], line[2600];
		fprintf(f, "<tr data-nis=\"");
		esc(f, c->nis);
		fprintf(f, "\"><td>");
		esc(f, c->nis);
		fprintf(f, "</td><td>");
		tp_lang_pick(name, sizeof(name), d->lang, c->name_fr, c->name_nl, " / ");
		esc(f, name);
		fprintf(f, "</td>");
		for (j = 0; j < n; j++) {
			size_t q = (j + n - 1) % n;
			cell_num(f, c->has_fig[q], c->fig[q], c->fig_label[q]);
		}
		tp_num_count(v, sizeof(v), c->empty_dwellings, d->lang);
		cell_num(f, 1, (double)c->empty_dwellings, v);
		tp_num_count(v, sizeof(v), c->candidate_buildings, d->lang);
		cell_num(f, 1, (double)c->candidate_buildings, v);
		tp_num_count(v, sizeof(v), c->candidate_dwellings, d->lang);
		cell_num(f, 1, (double)c->candidate_dwellings, v);
		tp_num_persons(v, sizeof(v), c->capacity, d->lang);
		cell_num(f, 1, c->capacity, v);
		for (j = 0; j < (size_t)d->nind; j++) {
			if (c->ind_has[j]) {
				snprintf(v, sizeof(v), "%lld", c->ind_value[j]);
				cell_num(f, 1, (double)c->ind_value[j], v);
				continue;
			}
			/* a commune the table has no row for: no data, never 0 */
			fprintf(f, "<td class=\"n nodata\" data-v=\"\">");
			tr(f, d, "pas de données", "geen gegevens");
			fprintf(f, "</td>");
		}
		/* the count, and what it means as the cell's title */
		tp_rejected_line(line, sizeof(line), d, &c->rejected, TP_IN_VACANCIES, " / ");
		fprintf(f, "<td class=\"n rejected\" data-v=\"%lld\"", c->rejected.records);
		if (line[0]) {
			fprintf(f, " title=\"");
			esc(f, line);
			fprintf(f, "\"");
		}
		fprintf(f, ">%lld</td></tr>\n", c->rejected.records);
	}
	fprintf(f, "</tbody></table></div>\n<p class=\"sub\">");
	tr(f, d, "Cliquez sur un en-tête pour trier.", "Klik op een kolomkop om te sorteren.");
	fprintf(f, "</p></section>\n");
}

static void owner_label(FILE *f, const tp_mapdata *d, const char *code)
{
	const tp_code *c = tp_code_find(&tp_owner_types, code);

	if (c)
		tr(f, d, c->fr, c->nl);
	else
		esc(f, code);
}

static const char *commune_name(const tp_mapdata *d, const char *nis, char *buf, size_t len)
{
	const tp_map_commune *c = tp_mapdata_commune(d, nis);

	if (c)
		tp_lang_pick(buf, len, d->lang, c->name_fr, c->name_nl, " / ");
	else
		snprintf(buf, len, "%s", nis);
	return buf;
}

static void write_candidates(FILE *f, const tp_mapdata *d)
{
	static const int windows[] = {24, 36, 48, 60}, months[] = {12, 24, 36, 60};
	char name[256], total[32];
	size_t i;

	fprintf(f, "<section id=\"candidates-section\"><h2>");
	tr(f, d, "Bâtiments candidats à une occupation temporaire",
	   "Kandidaat-gebouwen voor tijdelijke bewoning");
	fprintf(f, "</h2>\n<div class=\"filters\"><label>");
	tr(f, d, "Propriétaire", "Eigenaar");
	fprintf(f, " <select id=\"f-owner\"><option value=\"\">");
	tr(f, d, "tous", "alle");
	fprintf(f, "</option>");
	for (i = 0; i < (size_t)tp_owner_types.n; i++) {
		fprintf(f, "<option value=\"%s\">", tp_owner_types.codes[i].code);
		tr(f, d, tp_owner_types.codes[i].fr, tp_owner_types.codes[i].nl);
		fprintf(f, "</option>");
	}
	fprintf(f, "</select></label><label>");
	tr(f, d, "Fenêtre", "Venster");
	fprintf(f, " <select id=\"f-window\">");
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		fprintf(f, "<option value=\"%d\">≥ %d ", windows[i], windows[i]);
		tr(f, d, "mois", "maanden");
		fprintf(f, "</option>");
	}
	fprintf(f, "</select></label><label>");
	tr(f, d, "Commune", "Gemeente");
	fprintf(f, " <select id=\"f-commune\"><option value=\"\">");
	tr(f, d, "toutes", "alle");
	fprintf(f, "</option>");
	for (i = 0; i < d->ncommunes; i++) {
		fprintf(f, "<option value=\"");
		esc(f, d->communes[i].nis);
		fprintf(f, "\">");
		esc(f, commune_name(d, d->communes[i].nis, name, sizeof(name)));
		fprintf(f, "</option>");
	}
	fprintf(f, "</select></label><label>");
	tr(f, d, "Vide depuis", "Leeg sinds");
	fprintf(f, " <select id=\"f-months\"><option value=\"0\">");
	tr(f, d, "toujours", "altijd");
	fprintf(f, "</option>");
	for (i = 0; i < sizeof(months) / sizeof(months[0]); i++) {
		fprintf(f, "<option value=\"%d\">≥ %d ", months[i], months[i]);
		tr(f, d, "mois", "maanden");
		fprintf(f, "</option>");
	}
	tp_num_count(total, sizeof(total), (long long)d->ncands, d->lang);
	fprintf(f, "</select></label> <span id=\"shown\">%s</span> / %s <button id=\"export\""
		   " type=\"button\">", total, total);
	tr(f, d, "Exporter la sélection (CSV)", "Selectie exporteren (CSV)");
	fprintf(f, "</button></div>\n");
	fprintf(f, "<div class=\"scroll\"><table id=\"candidates-table\"><thead><tr>");
	for (i = 0; i < sizeof(candidate_columns) / sizeof(candidate_columns[0]); i++) {
		fprintf(f, "<th%s>", candidate_columns[i].number ? " class=\"n\"" : "");
		tr(f, d, candidate_columns[i].fr, candidate_columns[i].nl);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr></thead>\n<tbody>\n");
	/* the first page; the script pages through the rest */
	for (i = 0; i < d->ncands && i < TP_DASHBOARD_PAGE; i++) {
		const tp_map_candidate *k = &d->cands[i];
		char cap[32];
		fprintf(f, "<tr data-owner=\"");
		esc(f, k->owner_type);
		fprintf(f, "\" data-window=\"");
		num(f, "%.4f", k->window);
		fprintf(f, "\" data-nis=\"");
		esc(f, k->nis);
		fprintf(f, "\"><td class=\"n\">%lld</td><td>", k->rank);
		esc(f, k->address[0] ? k->address : k->src_id);
		fprintf(f, "</td><td>");
		esc(f, commune_name(d, k->nis, name, sizeof(name)));
		fprintf(f, "</td><td>");
		esc(f, k->owner);
		fprintf(f, "</td><td>");
		owner_label(f, d, k->owner_type);
		tp_num_count(cap, sizeof(cap), k->dwellings, d->lang);
		fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">", cap);
		fputs(tp_num_format(cap, sizeof(cap), k->window, 1, d->lang), f);
		fprintf(f, "</td><td>");
		esc(f, tp_date_display(cap, sizeof(cap), k->works_start));
		tp_num_persons(cap, sizeof(cap), k->capacity, d->lang);
		fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">", cap);
		fputs(tp_num_format(cap, sizeof(cap), k->score, 1, d->lang), f);
		fprintf(f, "</td><td class=\"n\">");
		if (k->months_empty >= 0)
			fputs(tp_num_format(cap, sizeof(cap), k->months_empty, 0, d->lang), f);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</tbody></table></div>\n<p class=\"pager\"><button id=\"prev\" type=\"button\">"
		   "&lt;</button><span id=\"page\"></span><button id=\"next\" type=\"button\">"
		   "&gt;</button> ");
	tr(f, d, "Cliquez sur un en-tête pour trier.", "Klik op een kolomkop om te sorteren.");
	fprintf(f, "</p></section>\n");
}

/* An empty chart the script draws into. */
static void chart(FILE *f, const tp_mapdata *d, const char *id, const char *fr, const char *nl)
{
	fprintf(f, "<div class=\"chart\"><h3>");
	tr(f, d, fr, nl);
	fprintf(f, "</h3><svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"></svg>"
		   "</div>\n", id);
}

static void write_charts(FILE *f, const tp_mapdata *d)
{
	fprintf(f, "<section id=\"charts-section\"><h2>");
	tr(f, d, "Par commune et par candidat", "Per gemeente en per kandidaat");
	fprintf(f, "</h2>\n<div class=\"charts\">\n");
	chart(f, d, "chart-categories", "Personnes dénombrées par catégorie (chiffres publiés)",
	      "Getelde personen per categorie (gepubliceerde cijfers)");
	chart(f, d, "chart-owner", "Candidats par type de propriétaire",
	      "Kandidaten per type eigenaar");
	chart(f, d, "chart-window", "Candidats par fenêtre", "Kandidaten per venster");
	chart(f, d, "chart-months", "Candidats par durée de vacance", "Kandidaten per duur leegstand");
	fprintf(f, "</div></section>\n");
}

/* A table head of the given columns (fr, nl; a number column's fr starts with '#'). */
static void table_head(FILE *f, const tp_mapdata *d, const char *id, const char *const *cols)
{
	fprintf(f, "<table id=\"%s\"><thead><tr>", id);
	for (; cols[0]; cols += 2) {
		int number = cols[0][0] == '#';
		fprintf(f, "<th%s>", number ? " class=\"n\"" : "");
		tr(f, d, cols[0] + number, cols[1] + number);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr></thead><tbody></tbody></table>");
}

/* The count's editions (key "trends"): the selected line (the region, or the
 * commune of the filter), its table of changes, and every commune's line. */
static void write_trends_section(FILE *f, const tp_mapdata *d)
{
	static const char *const cols[] = {
		"Édition", "Editie", "#Personnes (publié)", "#Personen (gepubliceerd)",
		"#Évolution", "#Verandering", "#Évolution (%)", "#Verandering (%)",
		"#Même périmètre", "#Zelfde afbakening", "#Même périmètre (%)",
		"#Zelfde afbakening (%)", "Périmètre comparable", "Vergelijkbare afbakening", NULL};

	fprintf(f, "<section id=\"trends-section\" data-dataset=\"trends\" hidden><h2>");
	tr(f, d, "Personnes dénombrées, édition après édition",
	   "Getelde personen, editie na editie");
	fprintf(f, "</h2>\n<div class=\"charts\"><div class=\"chart\"><h3 id=\"trend-title\"></h3>"
		   "<svg id=\"chart-trend\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"></svg>"
		   "<p id=\"trend-note\" class=\"sub\"></p></div>\n<div class=\"chart scroll\">");
	table_head(f, d, "trend-table", cols);
	fprintf(f, "<p class=\"sub\">");
	tr(f, d, "Évolution sur tout ce que chaque édition a compté, et sur les seules catégories "
		 "comptées par les deux éditions (même périmètre). Un chiffre masqué (x, <5) n'est "
		 "pas tracé : la ligne s'interrompt.",
	   "Verandering over alles wat elke editie telde, en over de categorieën die beide "
	   "edities telden (zelfde afbakening). Een afgeschermd cijfer (x, <5) wordt niet "
	   "getekend: de lijn wordt onderbroken.");
	fprintf(f, "</p></div></div>\n<h3>");
	tr(f, d, "Par commune (cliquez pour filtrer)", "Per gemeente (klik om te filteren)");
	fprintf(f, "</h3><div id=\"trend-communes\" class=\"sparks\"></div></section>\n");
}

/* The occupation register (key "occupations"): the timeline, the durations
 * beside the minimum window, the occupations ending soon. */
static void write_register_section(FILE *f, const tp_mapdata *d)
{
	static const char *const durations[] = {
		"Regroupement", "Groepering", "Groupe", "Groep", "#Occupations", "#Bewoningen",
		"#Médiane (mois)", "#Mediaan (maanden)", "#Quartiles (mois)", "#Kwartielen (maanden)",
		"#Prolongées (%)", "#Verlengd (%)", NULL};
	static const char *const ending[] = {
		"Site", "Site", "Fin", "Einde", "#Mois restants", "#Resterende maanden",
		"#Rang", "#Rang", "Candidat le plus proche", "Dichtstbijzijnde kandidaat",
		"Commune", "Gemeente", "#Distance (m)", "#Afstand (m)", NULL};

	fprintf(f, "<section id=\"occupations-section\" data-dataset=\"occupations\" hidden><h2>");
	tr(f, d, "Occupations temporaires (registre)", "Tijdelijke bewoning (register)");
	fprintf(f, "</h2>\n<div class=\"chart\"><h3>");
	tr(f, d, "Du début à la fin prévue ou actuelle ; ◆ prolongation",
	   "Van begin tot geplande of huidige einddatum; ◆ verlenging");
	fprintf(f, "</h3><svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">"
		   "</svg></div>\n<div class=\"charts\"><div class=\"chart scroll\"><h3>");
	tr(f, d, "Durées observées", "Waargenomen duur");
	fprintf(f, "</h3><p id=\"min-window\" class=\"sub\"></p><svg id=\"chart-durations\""
		   " xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"></svg>");
	table_head(f, d, "durations-table", durations);
	fprintf(f, "</div>\n<div class=\"chart scroll\"><h3>");
	tr(f, d, "Occupations se terminant dans les 6 mois, et les candidats les plus proches",
	   "Bewoningen die binnen 6 maanden aflopen, en de dichtstbijzijnde kandidaten");
	fprintf(f, "</h3>");
	table_head(f, d, "ending-table", ending);
	fprintf(f, "<p id=\"ending-none\" class=\"sub\" hidden>");
	tr(f, d, "Aucune.", "Geen.");
	fprintf(f, "</p></div></div></section>\n");
}

/*
 * The sections of the optional datasets, hidden until the script finds
 * their data (a key of the page's JSON, written by write_data()).  A
 * dataset of another table plugs in the same way: a section here, its
 * key in write_data(), a renderer in the script's R.
 */
static void write_datasets(FILE *f, const tp_mapdata *d)
{
	fprintf(f, "<section id=\"flows-section\" data-dataset=\"flows\" hidden><h2>");
	tr(f, d, "Logements vides au fil des relevés", "Leegstaande woningen over de metingen");
	fprintf(f, "</h2>\n<div class=\"charts\"><div class=\"chart\"><svg id=\"chart-flows\""
		   " xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"></svg></div>\n"
		   "<div class=\"chart\"><table id=\"flows-table\"><thead><tr><th>");
	tr(f, d, "Relevé", "Meting");
	fprintf(f, "</th><th class=\"n\">");
	tr(f, d, "Logements vides", "Leegstaande woningen");
	fprintf(f, "</th><th class=\"n\">");
	tr(f, d, "Entrés", "Bijgekomen");
	fprintf(f, "</th><th class=\"n\">");
	tr(f, d, "Sortis", "Vertrokken");
	fprintf(f, "</th></tr></thead><tbody></tbody></table></div></div></section>\n");
	write_trends_section(f, d);
	write_register_section(f, d);
}

/* The candidates' owners, each name once: index of candidate i's in names. */
typedef struct {
	char **names;   /* distinct owner names, in order of first use */
	size_t n;       /* names */
	size_t *of;     /* per candidate */
} owner_dict;

/* Writes a JSON array of the n integers v(d, o, i) onto f (as "%lld"
 * would, without a printf per number: 100,000 candidates have eight). */
static void int_array(FILE *f, const char *key, const tp_mapdata *d, const owner_dict *o,
		      size_t n, long long (*v)(const tp_mapdata *, const owner_dict *, size_t))
{
	char buf[8192], digits[24];
	size_t i, used = 0;

	fprintf(f, ",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		long long x = v(d, o, i);
		unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
		int k = sizeof(digits);
		do
			digits[--k] = (char)('0' + u % 10);
		while (u /= 10);
		if (x < 0)
			digits[--k] = '-';
		if (used + sizeof(digits) + 1 > sizeof(buf)) {
			fwrite(buf, 1, used, f);
			used = 0;
		}
		if (i)
			buf[used++] = ',';
		memcpy(buf + used, digits + k, sizeof(digits) - (size_t)k);
		used += sizeof(digits) - (size_t)k;
	}
	fwrite(buf, 1, used, f);
	fputc(']', f);
}

static long long cand_dwellings(const tp_mapdata *d, const owner_dict *o, size_t i)
{
	(void)o;
	return d->cands[i].dwellings;
}

static long long cand_window(const tp_mapdata *d, const owner_dict *o, size_t i)
{
	(void)o;
	return llround(d->cands[i].window * 10);
}

static long long cand_score(const tp_mapdata *d, const owner_dict *o, size_t i)
{
	(void)o;
	return llround(d->cands[i].score * 10);
}

static long long cand_months(const tp_mapdata *d, const owner_dict *o, size_t i)
{
	(void)o;
	return d->cands[i].months_empty < 0 ? -1 : llround(d->cands[i].months_empty);
}

static long long cand_rank(const tp_mapdata *d, const owner_dict *o, size_t i)
{
	(void)o;
	return d->cands[i].rank;
}

static long long cand_start(const tp_mapdata *d, const owner_dict *o, size_t i)
{
	(void)o;
	long days = 0;

	tp_date_iso_days(d->cands[i].works_start, &days);
	return days;
}

static long long cand_commune(const tp_mapdata *d, const owner_dict *o, size_t i)
{
	(void)o;
	const tp_map_commune *c = tp_mapdata_commune(d, d->cands[i].nis);

	/* the first commune of that code (d->communes is ordered by it) */
	while (c && c > d->communes && !strcmp(c[-1].nis, c->nis))
		c--;
	return c ? (long long)(c - d->communes) : 0;
}

static long long cand_type(const tp_mapdata *d, const owner_dict *o, size_t i)
{
	(void)o;
	const tp_code *c = tp_code_find(&tp_owner_types, d->cands[i].owner_type);

	return c ? (long long)(c - tp_owner_types.codes) : 0;
}

static long long cand_owner(const tp_mapdata *d, const owner_dict *o, size_t i)
{
	(void)d;
	return (long long)o->of[i];
}

/* Fills o from d's candidates (each name looked up in a hash set). */
static int owner_dict_fill(owner_dict *o, const tp_mapdata *d)
{
	tp_keyset seen = {0};
	uint64_t held;
	size_t i;
	int rc = TP_OK;

	o->of = calloc(d->ncands ? d->ncands : 1, sizeof(*o->of));
	o->names = calloc(d->ncands + 1, sizeof(*o->names));
	if (!o->of || !o->names)
		return tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; i < d->ncands && !rc; i++) {
		const char *name = d->cands[i].owner;
		if (i && !strcmp(d->cands[i - 1].owner, name)) {
			o->of[i] = o->of[i - 1];
			continue;
		}
		rc = tp_keyset_put(&seen, name, o->n, &held);
		if (rc)
			break;
		if (held == o->n)
			o->names[o->n++] = (char *)name;
		o->of[i] = (size_t)held;
	}
	tp_keyset_dispose(&seen);
	return rc;
}

/* The vacancy flows (pipeline/snapshots.c) as the "flows" key, when the
 * store has more than one snapshot. */
static int write_flows(FILE *f, sqlite3 *store)
{
	tp_view *v = NULL;
	tp_rows *r = NULL;
	int rc, step = 0, first = 1;

	rc = tp_view_open(&v, store, 0);
	if (!rc && !tp_view_has_table(v, "vacancy_flows"))
		goto done;
	/* the snapshots counted as the GeoPackage counts them for vacancy_history */
	if (!rc)
		rc = tp_rows_open(&r, v, TP_ROWS_SNAPSHOT_COUNT, NULL, "dashboard.html");
	if (!rc)
		step = tp_rows_next(r); /* an aggregate: one row */
	if (!rc && step < 0)
		rc = step;
	if (rc || step <= 0 || tp_rows_int64(r, 0) < 2)
		goto done;
	tp_rows_close(r);
	r = NULL;
	rc = tp_rows_open(&r, v, TP_ROWS_VACANCY_FLOWS, NULL, "dashboard.html");
	if (rc)
		goto done;
	fputs(",\"flows\":[", f);
	while ((step = tp_rows_next(r)) > 0) {
		fprintf(f, "%s{\"nis\":", first ? "" : ",");
		if (tp_rows_null(r, 0))
			fputs("null", f);
		else
			tp_json_fputs(f, tp_rows_text(r, 0));
		fputs(",\"snapshot\":", f);
		tp_json_fputs(f, tp_rows_text(r, 3));
		fprintf(f, ",\"empty\":%lld,\"entered\":", tp_rows_int64(r, 5));
		if (tp_rows_null(r, 7))
			fputs("null", f);
		else
			fprintf(f, "%lld", tp_rows_int64(r, 7));
		fputs(",\"left\":", f);
		if (tp_rows_null(r, 9))
			fputs("null", f);
		else
			fprintf(f, "%lld", tp_rows_int64(r, 9));
		fputc('}', f);
		first = 0;
	}
	fputc(']', f);
	rc = step < 0 ? step : TP_OK;
done:
	tp_rows_close(r);
	tp_view_close(v);
	return rc;
}

/* Where tp_dashboard_json_str() writes, and the byte it wrote last. */
typedef struct {
	FILE *f;    /* the page */
	char prev;  /* the last byte written, 0 at first */
} script_out;

/* Writes a piece of a JSON string; a "</" is written "<\/", the same JSON,
 * so that no value can close the <script> element holding the data. */
static int put_script_safe(void *ctx, const char *s, size_t n)
{
	script_out *o = ctx;
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '/' && (i ? s[i - 1] : o->prev) == '<') {
			fwrite(s + from, 1, i - from, o->f);
			fputc('\\', o->f);
			from = i;
		}
	}
	fwrite(s + from, 1, n - from, o->f);
	if (n)
		o->prev = s[n - 1];
	return 0;
}

/* Writes s as a JSON string onto f, safe inside the page's <script> (dashboard.h). */
void tp_dashboard_json_str(FILE *f, const char *s)
{
	script_out o = {f, 0};

	tp_json_string(s, put_script_safe, &o);
}

/* The page's data, as <script type="application/json" id="tp-data">. */
static int write_data(FILE *f, const tp_mapdata *d, sqlite3 *store)
{
	owner_dict o = {0};
	char name[256];
	size_t i, j;
	int rc, addresses = 0, ranks = 0;
	double occ = 0;
	unsigned char rgb[3];

	rc = owner_dict_fill(&o, d);
	if (rc)
		goto done;
	fprintf(f, "<script type=\"application/json\" id=\"tp-data\">{\"lang\":");
	tp_dashboard_json_str(f, d->lang);
	fprintf(f, ",\"page\":%d,\"bubble\":%g", TP_DASHBOARD_PAGE, BUBBLE_R);
	for (i = 0; i < d->ncands && occ <= 0; i++)
		if (d->cands[i].dwellings > 0)
			occ = d->cands[i].capacity / (double)d->cands[i].dwellings;
	fprintf(f, ",\"occ\":%.17g,\"categories\":[", occ);
	for (j = 0; j < TP_NCATEGORIES; j++) {
		tp_lang_pick(name, sizeof(name), d->lang, tp_people[j].fr, tp_people[j].nl, " / ");
		fputs(j ? "," : "", f);
		tp_dashboard_json_str(f, name);
	}
	fputs("],\"catColours\":[", f);
	for (j = 0; j < TP_NCATEGORIES; j++) {
		tp_reason_rgb((int)j, rgb);
		fprintf(f, "%s\"#%02x%02x%02x\"", j ? "," : "", rgb[0], rgb[1], rgb[2]);
	}
	fputs("],\"owners\":[", f);
	for (j = 0; j < (size_t)tp_owner_types.n; j++) {
		const tp_code *c = &tp_owner_types.codes[j];
		tp_lang_pick(name, sizeof(name), d->lang, c->fr, c->nl, " / ");
		fprintf(f, "%s{\"code\":", j ? "," : "");
		tp_dashboard_json_str(f, c->code);
		fputs(",\"name\":", f);
		tp_dashboard_json_str(f, name);
		fputc('}', f);
	}
	fputs("],\"communes\":[", f);
	for (i = 0; i < d->ncommunes; i++) {
		const tp_map_commune *c = &d->communes[i];
		fputs(i ? ",{\"nis\":" : "{\"nis\":", f);
		tp_dashboard_json_str(f, c->nis);
		fputs(",\"name\":", f);
		tp_dashboard_json_str(f, commune_name(d, c->nis, name, sizeof(name)));
		fputs(",\"people\":", f);
		if (c->has_fig[TP_NFIGS - 1])
			fprintf(f, "%.17g", c->fig[TP_NFIGS - 1]);
		else
			fputs("null", f);
		fprintf(f, ",\"empty\":%lld,\"cat\":[", c->empty_dwellings);
		for (j = 0; j < TP_NCATEGORIES; j++)
			if (c->has_fig[j])
				fprintf(f, "%s%.17g", j ? "," : "", c->fig[j]);
			else
				fputs(j ? ",null" : "null", f);
		fputs("]}", f);
	}
	fputs("],\"names\":[", f);
	for (j = 0; j < o.n; j++) {
		fputs(j ? "," : "", f);
		tp_dashboard_json_str(f, o.names[j]);
	}
	/* the candidates, one array per column: a few bytes each */
	fputs("],\"cand\":{\"id\":[", f);
	for (i = 0; i < d->ncands; i++) {
		fputs(i ? "," : "", f);
		tp_dashboard_json_str(f, d->cands[i].src_id);
		addresses |= d->cands[i].address[0] != '\0';
		ranks |= d->cands[i].rank != (long long)i + 1;
	}
	fputc(']', f);
	if (addresses) {
		fputs(",\"a\":[", f);
		for (i = 0; i < d->ncands; i++) {
			fputs(i ? "," : "", f);
			tp_dashboard_json_str(f, d->cands[i].address);
		}
		fputc(']', f);
	}
	if (ranks)
		int_array(f, "r", d, &o, d->ncands, cand_rank);
	int_array(f, "c", d, &o, d->ncands, cand_commune);
	int_array(f, "t", d, &o, d->ncands, cand_type);
	int_array(f, "o", d, &o, d->ncands, cand_owner);
	int_array(f, "d", d, &o, d->ncands, cand_dwellings);
	int_array(f, "ws", d, &o, d->ncands, cand_start);
	int_array(f, "w", d, &o, d->ncands, cand_window);
	int_array(f, "s", d, &o, d->ncands, cand_score);
	int_array(f, "m", d, &o, d->ncands, cand_months);
	fputc('}', f);
	rc = write_flows(f, store);
	if (!rc)
		rc = tp_dashboard_trends(f, store, d->lang);
	if (!rc)
		rc = tp_dashboard_register(f, store, d->lang);
	fputs("}</script>\n", f);
done:
	free(o.of);
	free(o.names);
	return rc;
}

/* The style rule of the candidates' discs on the region map, in their colours. */
static const char *candidate_css(char *buf, size_t len)
{
	char opacity[16];

	/* "0.85" written ".85" */
	sqlite3_snprintf(sizeof(opacity), opacity, "%.2f", TP_CANDIDATE_OPACITY);
	snprintf(buf, len,
		 "#region-map circle{fill:#%02x%02x%02x;fill-opacity:%s;stroke:#%02x%02x%02x;"
		 "stroke-width:.4}\n",
		 tp_candidate_fill[0], tp_candidate_fill[1], tp_candidate_fill[2],
		 opacity[0] == '0' ? opacity + 1 : opacity, tp_candidate_outline[0],
		 tp_candidate_outline[1], tp_candidate_outline[2]);
	return buf;
}

static int write_page(FILE *f, const tp_mapdata *d, sqlite3 *store)
{
	int rc;

	char date[16] = "", fr[1280], nl[1280], thr[32], css[128];

	tp_date_display(date, sizeof(date), d->reference_date);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		   "<meta name=\"generator\" content=\"tremplin %s\">\n<title>",
		!strcmp(d->lang, "nl") ? "nl" : "fr", TP_VERSION);
	tr(f, d, "tremplin : sans-abrisme et logements vides",
	   "tremplin: dakloosheid en leegstaande woningen");
	fprintf(f, "</title>\n<style>\n%s%s%s</style>\n</head>\n<body>\n<header>\n<h1>", style,
		candidate_css(css, sizeof(css)), style_rest);
	tr(f, d, "Sans-abrisme et logements vides, par commune",
	   "Dakloosheid en leegstaande woningen, per gemeente");
	snprintf(fr, sizeof(fr), "Région de Bruxelles-Capitale · date de référence %s", date);
	snprintf(nl, sizeof(nl), "Brussels Hoofdstedelijk Gewest · referentiedatum %s", date);
	fprintf(f, "</h1>\n<p class=\"sub\">");
	tr(f, d, fr, nl);
	if (d->note[0]) {
		fprintf(f, "</p>\n<p class=\"note\">");
		esc(f, d->note);
	}
	fprintf(f, "</p>\n<p class=\"links\"><a href=\"indicators.csv\">indicators.csv</a>"
		   "<a href=\"tremplin.gpkg\">tremplin.gpkg</a><a href=\"candidates.xlsx\">candidates.xlsx</a>"
		   "<a href=\"candidates.csv\">candidates.csv</a><a href=\"rejects.csv\">rejects.csv</a>"
		   "<a href=\"vacancy_flows.csv\">vacancy_flows.csv</a>"
		   "</p>\n</header>\n<main>\n");
	write_headline(f, d);
	fprintf(f, "<section id=\"map-section\"><h2>");
	tr(f, d, d->ind->fr, d->ind->nl);
	fprintf(f, "</h2>\n<div class=\"row\">\n");
	write_svg(f, d);
	write_legend(f, d);
	fprintf(f, "</div></section>\n");
	write_charts(f, d);
	write_communes(f, d);
	write_candidates(f, d);
	write_datasets(f, d);
	fprintf(f, "</main>\n<footer><p>");
	tp_num_format(thr, sizeof(thr), d->threshold, TP_NUM_AUTO, d->lang);
	snprintf(fr, sizeof(fr),
		 "Personnes dénombrées par Bruss'help, réparties entre communes au prorata de la "
		 "surface des zones de comptage ; chiffres publiés, les effectifs de moins de %s "
		 "sont masqués.",
		 thr);
	snprintf(nl, sizeof(nl),
		 "Personen geteld door Bruss'help, naar oppervlakte van de telzones over de "
		 "gemeenten verdeeld; gepubliceerde cijfers, aantallen onder %s zijn afgeschermd.",
		 thr);
	tr(f, d, fr, nl);
	fprintf(f, "</p><p>");
	snprintf(fr, sizeof(fr), "Sources : %s, %s, %s. Système de coordonnées : %s.",
		 d->sources[2], d->sources[1], d->sources[0], d->crs);
	snprintf(nl, sizeof(nl), "Bronnen: %s, %s, %s. Coördinatenstelsel: %s.", d->sources[2],
		 d->sources[1], d->sources[0], d->crs);
	tr(f, d, fr, nl);
	fprintf(f, " tremplin %s</p></footer>\n", TP_VERSION);
	rc = write_data(f, d, store);
	fprintf(f, "<script>\n%s</script>\n</body>\n</html>\n", tp_dashboard_script);
	return rc;
}

int tp_dashboard_write(const tp_mapdata *d, sqlite3 *store, const char *path)
{
	tp_outfile out;
	int rc = tp_outfile_open(&out, path, TP_OUTFILE_SYNC);

	if (rc)
		return rc;
	rc = write_page(out.f, d, store);
	return rc ? tp_outfile_end(&out, rc) : tp_outfile_commit(&out);
}

int tp_write_dashboard(sqlite3 *store, const char *path, const tp_render_opts *opts)
{
	return tp_write_drawn(store, NULL, path, opts, 1);
}

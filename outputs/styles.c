/*
 * styles.c: what makes tremplin.gpkg open styled and readable in QGIS.
 *
 * The QML of each map layer's default style (gpkg.c stores them in the
 * layer_styles table QGIS reads when it opens a layer), with value-map
 * widgets that show the names of the coded values of owner_type, reason
 * and candidate (the code lists of geo/codes.h, which gpkg.c also writes
 * as GDAL coded field domains).  The QML is the QGIS 3 layer-style format:
 * a renderer-v2 element with its symbols, each symbol layer's properties
 * written both as <Option> (read by QGIS 3.22 and later) and as <prop>
 * (read before).
 *
 * Colours are the palettes of geo/codes.h, those of the printed maps and
 * the dashboard: ColorBrewer's 5-class YlGnBu for the choropleth, the
 * candidates' orange, Okabe-Ito for the reasons.
 */
#include "outputs/outputs.h"
#include "geo/categories.h"
#include "geo/numbers.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define SIZE_MIN_MM 1.5 /* a candidate's diameter in QGIS, for 0 dwellings */
#define SIZE_MAX_MM 10  /* ... and for the largest */

static double size_of(double dw, double max_dwellings);

/* "r,g,b,a" as QML writes a colour; alpha 0..255. */
static const char *qml_colour(char *buf, size_t n, const unsigned char rgb[3], int alpha)
{
	snprintf(buf, n, "%d,%d,%d,%d", rgb[0], rgb[1], rgb[2], alpha);
	return buf;
}

/* ---- XML -------------------------------------------------------------- */

void tp_xml_escape(sqlite3_str *x, const char *s)
{
	const char *run;

	for (;;) {
		/* what needs no escape goes in one append */
		for (run = s; *s && *s != '&' && *s != '<' && *s != '>' && *s != '"' &&
			      *s != '\'' &&
			      ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n' || *s == '\r');
		     s++)
			;
		if (s > run)
			sqlite3_str_append(x, run, (int)(s - run));
		if (!*s)
			return;
		switch (*s++) {
		case '&':
			sqlite3_str_appendall(x, "&amp;");
			break;
		case '<':
			sqlite3_str_appendall(x, "&lt;");
			break;
		case '>':
			sqlite3_str_appendall(x, "&gt;");
			break;
		case '"':
			sqlite3_str_appendall(x, "&quot;");
			break;
		case '\'':
			sqlite3_str_appendall(x, "&apos;");
			break;
		default:
			/* a control character has no place in XML 1.0 */
			break;
		}
	}
}

/* A symbol layer property: name and value, in both QML spellings. */
typedef struct {
	const char *k; /* property name */
	const char *v; /* its value */
} prop;

static void put_props(sqlite3_str *x, const prop *p, int n)
{
	int i;

	sqlite3_str_appendall(x, "          <Option type=\"Map\">\n");
	for (i = 0; i < n; i++) {
		sqlite3_str_appendf(x, "            <Option type=\"QString\" name=\"%s\" value=\"", p[i].k);
		tp_xml_escape(x, p[i].v);
		sqlite3_str_appendall(x, "\"/>\n");
	}
	sqlite3_str_appendall(x, "          </Option>\n");
	for (i = 0; i < n; i++) {
		sqlite3_str_appendf(x, "          <prop k=\"%s\" v=\"", p[i].k);
		tp_xml_escape(x, p[i].v);
		sqlite3_str_appendall(x, "\"/>\n");
	}
}

/* The data-defined properties of a symbol layer: none, or its size from an expression. */
static void put_data_defined(sqlite3_str *x, const char *size_expression)
{
	sqlite3_str_appendall(x, "          <data_defined_properties>\n"
				 "            <Option type=\"Map\">\n"
				 "              <Option type=\"QString\" name=\"name\" value=\"\"/>\n");
	if (size_expression) {
		sqlite3_str_appendall(x, "              <Option type=\"Map\" name=\"properties\">\n"
					 "                <Option type=\"Map\" name=\"size\">\n"
					 "                  <Option type=\"bool\" name=\"active\" value=\"true\"/>\n"
					 "                  <Option type=\"QString\" name=\"expression\" value=\"");
		tp_xml_escape(x, size_expression);
		sqlite3_str_appendall(x, "\"/>\n"
					 "                  <Option type=\"int\" name=\"type\" value=\"3\"/>\n"
					 "                </Option>\n"
					 "              </Option>\n");
	} else {
		sqlite3_str_appendall(x, "              <Option name=\"properties\"/>\n");
	}
	sqlite3_str_appendall(x, "              <Option type=\"QString\" name=\"type\" value=\"collection\"/>\n"
				 "            </Option>\n"
				 "          </data_defined_properties>\n");
}

/* A fill symbol called name: fill colour (NULL: no fill) and outline. */
static void put_fill(sqlite3_str *x, int name, const char *colour, const char *outline,
		     const char *outline_width, const char *outline_style)
{
	const prop p[] = {
		{"color", colour ? colour : "0,0,0,0"},
		{"joinstyle", "bevel"},
		{"offset", "0,0"},
		{"offset_unit", "MM"},
		{"outline_color", outline},
		{"outline_style", outline_style},
		{"outline_width", outline_width},
		{"outline_width_unit", "MM"},
		{"style", colour ? "solid" : "no"},
	};

	sqlite3_str_appendf(x, "      <symbol type=\"fill\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\""
			       " force_rhr=\"0\">\n"
			       "        <layer class=\"SimpleFill\" pass=\"0\" enabled=\"1\" locked=\"0\">\n",
			    name);
	put_props(x, p, COUNT(p));
	put_data_defined(x, NULL);
	sqlite3_str_appendall(x, "        </layer>\n      </symbol>\n");
}

/* A circle marker symbol called name; size_expression (or NULL) sets its size per feature. */
static void put_marker(sqlite3_str *x, int name, const char *colour, const char *outline,
		       const char *size, const char *size_expression)
{
	const prop p[] = {
		{"angle", "0"},
		{"color", colour},
		{"horizontal_anchor_point", "1"},
		{"joinstyle", "bevel"},
		{"name", "circle"},
		{"offset", "0,0"},
		{"offset_unit", "MM"},
		{"outline_color", outline},
		{"outline_style", "solid"},
		{"outline_width", "0.2"},
		{"outline_width_unit", "MM"},
		{"scale_method", "diameter"},
		{"size", size},
		{"size_unit", "MM"},
		{"vertical_anchor_point", "1"},
	};

	sqlite3_str_appendf(x, "      <symbol type=\"marker\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\""
			       " force_rhr=\"0\">\n"
			       "        <layer class=\"SimpleMarker\" pass=\"0\" enabled=\"1\" locked=\"0\">\n",
			    name);
	put_props(x, p, COUNT(p));
	put_data_defined(x, size_expression);
	sqlite3_str_appendall(x, "        </layer>\n      </symbol>\n");
}

static void put_begin(sqlite3_str *x)
{
	sqlite3_str_appendall(x, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
				 "<qgis version=\"3.22.16-Białowieża\" styleCategories=\"Symbology|Fields\">\n");
}

/* The beginning of a style that also labels its features. */
static void put_begin_labelled(sqlite3_str *x)
{
	sqlite3_str_appendall(x, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
				 "<qgis version=\"3.22.16-Białowieża\" labelsEnabled=\"1\""
				 " styleCategories=\"Symbology|Labeling|Fields\">\n");
}

/*
 * The communes' labels: name and published figure, centred inside the
 * commune, on a white buffer as on the printed maps; QGIS's labelling
 * engine leaves out a label rather than let two collide.
 */
static void put_commune_labels(sqlite3_str *x, const char *field, int decimals,
			       const char *language)
{
	sqlite3_str *e = sqlite3_str_new(NULL);
	char *expr;

	if (language && !strcmp(language, "fr"))
		sqlite3_str_appendall(e, "\"name_fr\"");
	else if (language && !strcmp(language, "nl"))
		sqlite3_str_appendall(e, "\"name_nl\"");
	else
		sqlite3_str_appendall(e, "\"name_fr\" || if(\"name_nl\" <> \"name_fr\", '\\n' || \"name_nl\", '')");
	/* a people figure as published ("<5" included), else the number, whole
	 * persons for a capacity */
	if (tp_category_find(field))
		sqlite3_str_appendf(e, " || '\\n' || coalesce(\"%w_label\", '–')", field);
	else if (!strcmp(field, "capacity"))
		sqlite3_str_appendf(e, " || '\\n' || coalesce(format_number(floor(\"%w\"), 0), '–')",
				    field);
	else
		sqlite3_str_appendf(e, " || '\\n' || coalesce(format_number(\"%w\", %d), '–')", field,
				    decimals);
	expr = sqlite3_str_finish(e);
	sqlite3_str_appendall(x, "  <labeling type=\"simple\">\n"
				 "    <settings calloutType=\"simple\">\n"
				 "      <text-style fieldName=\"");
	tp_xml_escape(x, expr ? expr : "\"name_fr\"");
	sqlite3_free(expr);
	sqlite3_str_appendall(x, "\" isExpression=\"1\" fontFamily=\"DejaVu Sans\" fontSize=\"7.5\""
				 " fontSizeUnit=\"Point\" fontWeight=\"50\" fontItalic=\"0\""
				 " textColor=\"13,13,13,255\" textOpacity=\"1\" multilineHeight=\"1\""
				 " namedStyle=\"Book\" allowHtml=\"0\" capitalization=\"0\">\n"
				 "        <text-buffer bufferDraw=\"1\" bufferSize=\"0.7\""
				 " bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\""
				 " bufferOpacity=\"0.85\" bufferNoFill=\"1\" bufferJoinStyle=\"128\"/>\n"
				 "      </text-style>\n"
				 "      <text-format multilineAlign=\"1\" wrapChar=\"\" autoWrapLength=\"0\""
				 " plussign=\"0\" formatNumbers=\"0\"/>\n"
				 "      <placement placement=\"1\" centroidInside=\"1\" centroidWhole=\"0\""
				 " fitInPolygonOnly=\"0\" overrunDistance=\"0\" priority=\"5\"/>\n"
				 "      <rendering obstacle=\"1\" displayAll=\"0\" upsidedownLabels=\"0\""
				 " labelPerPart=\"0\" mergeLines=\"0\" limitNumLabels=\"0\""
				 " scaleVisibility=\"0\" drawLabels=\"1\"/>\n"
				 "    </settings>\n"
				 "  </labeling>\n");
}

/*
 * The legend of the candidates' sizes (QGIS's data-defined size legend):
 * one circle per size of tp_candidate_legend_sizes(), each as large as the
 * style draws a candidate of that many dwellings (size_of(), in mm).
 */
static void put_size_legend(sqlite3_str *x, double max_dwellings, const char *language)
{
	long long sizes[3];
	char title[256];
	int i, n = tp_candidate_legend_sizes((long long)max_dwellings, sizes);

	tp_lang_pick(title, sizeof(title), language ? language : "both", "Logements par bâtiment",
		     "Woningen per gebouw", " / ");
	sqlite3_str_appendall(x, "    <data-defined-size-legend type=\"separated\" valign=\"bottom\""
				 " title=\"");
	tp_xml_escape(x, title);
	sqlite3_str_appendall(x, "\">\n      <classes>\n");
	for (i = 0; i < n; i++) {
		char label[32];
		tp_num_count(label, sizeof(label), sizes[i], language);
		sqlite3_str_appendf(x, "        <class size=\"%!.6f\" label=\"%s\"/>\n",
				    size_of((double)sizes[i], max_dwellings), label);
	}
	sqlite3_str_appendall(x, "      </classes>\n    </data-defined-size-legend>\n");
}

/* The value-map editor widgets of the coded fields, then the end of the document. */
static void put_end(sqlite3_str *x, const char *const *fields, const tp_code_list *const *lists,
		    int n, const char *language)
{
	char name[256];
	int i, j;

	sqlite3_str_appendall(x, "  <fieldConfiguration>\n");
	for (i = 0; i < n; i++) {
		sqlite3_str_appendf(x, "    <field name=\"%s\" configurationFlags=\"None\">\n"
				       "      <editWidget type=\"ValueMap\">\n"
				       "        <config>\n"
				       "          <Option type=\"Map\">\n"
				       "            <Option type=\"List\" name=\"map\">\n",
				    fields[i]);
		for (j = 0; j < lists[i]->n; j++) {
			const tp_code *c = &lists[i]->codes[j];
			sqlite3_str_appendall(x, "              <Option type=\"Map\">\n"
						 "                <Option type=\"QString\" name=\"");
			tp_xml_escape(x, tp_code_name(c, language, name, sizeof(name)));
			sqlite3_str_appendf(x, "\" value=\"%s\"/>\n              </Option>\n", c->code);
		}
		sqlite3_str_appendall(x, "            </Option>\n"
					 "          </Option>\n"
					 "        </config>\n"
					 "      </editWidget>\n"
					 "    </field>\n");
	}
	sqlite3_str_appendall(x, "  </fieldConfiguration>\n"
				 "  <blendMode>0</blendMode>\n"
				 "  <featureBlendMode>0</featureBlendMode>\n"
				 "  <layerOpacity>1</layerOpacity>\n"
				 "</qgis>\n");
}

/* The text built in x, or NULL (and x freed) when memory ran out. */
static char *finish(sqlite3_str *x)
{
	if (sqlite3_str_errcode(x) != SQLITE_OK) {
		sqlite3_free(sqlite3_str_finish(x));
		return NULL;
	}
	return sqlite3_str_finish(x);
}

/* ---- the layers -------------------------------------------------------- */

char *tp_style_communes(const char *field, const tp_classes *classes, int decimals,
			const char *language, int labelled)
{
	sqlite3_str *x = sqlite3_str_new(NULL);
	char label[128], colour[32];
	unsigned char rgb[3];
	int i;

	if (labelled)
		put_begin_labelled(x);
	else
		put_begin(x);
	sqlite3_str_appendall(x, "  <renderer-v2 type=\"graduatedSymbol\" attr=\"");
	tp_xml_escape(x, field);
	sqlite3_str_appendall(x, "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\""
				 " forceraster=\"0\" enableorderby=\"0\" referencescale=\"-1\">\n"
				 "    <ranges>\n");
	for (i = 0; i < classes->n; i++) {
		double lower = i ? classes->hi[i - 1] : classes->lo[0];
		/* SQLite's printf ignores the locale: the decimal point stays '.'. */
		sqlite3_snprintf(sizeof(label), label, "%.*f – %.*f", decimals, lower, decimals,
				 classes->hi[i]);
		sqlite3_str_appendf(x, "      <range symbol=\"%d\" lower=\"%!.17g\" upper=\"%!.17g\""
				       " label=\"%s\" render=\"true\"/>\n",
				    i, lower, classes->hi[i], label);
	}
	sqlite3_str_appendall(x, "    </ranges>\n    <symbols>\n");
	for (i = 0; i < classes->n; i++) {
		tp_class_rgb(i, classes->n, rgb);
		put_fill(x, i, qml_colour(colour, sizeof(colour), rgb, 255), "110,110,110,255", "0.26",
			 "solid");
	}
	sqlite3_str_appendf(x, "    </symbols>\n"
			       "    <classificationMethod id=\"Quantile\">\n"
			       "      <symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n"
			       "      <labelFormat format=\"%%1 – %%2\" labelprecision=\"%d\""
			       " trimtrailingzeroes=\"0\"/>\n"
			       "      <parameters>\n        <Option/>\n      </parameters>\n"
			       "      <extraInformation/>\n"
			       "    </classificationMethod>\n"
			       "    <rotation/>\n    <sizescale/>\n"
			       "  </renderer-v2>\n",
			    decimals);
	if (labelled)
		put_commune_labels(x, field, decimals, language);
	put_end(x, NULL, NULL, 0, language);
	return finish(x);
}

/* The diameter in mm a candidate of dw dwellings is drawn with: the
 * expression of tp_style_candidates(), computed. */
static double size_of(double dw, double max_dwellings)
{
	return SIZE_MIN_MM + (SIZE_MAX_MM - SIZE_MIN_MM) *
				     sqrt(fmin(dw, max_dwellings) / (max_dwellings > 1 ? max_dwellings : 1));
}

char *tp_style_candidates(double max_dwellings, const char *language)
{
	static const char *const fields[] = {"owner_type"};
	static const tp_code_list *const lists[] = {&tp_owner_types};
	sqlite3_str *x = sqlite3_str_new(NULL);
	char expr[160], fill[32], outline[32];

	/* Diameter as the square root: a circle's area grows with the dwellings. */
	sqlite3_snprintf(sizeof(expr), expr, "scale_exp(\"dwellings\", 0, %!.17g, %!.17g, %!.17g, 0.5)",
			 max_dwellings > 1 ? max_dwellings : 1.0, SIZE_MIN_MM, (double)SIZE_MAX_MM);
	put_begin(x);
	sqlite3_str_appendall(x, "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\""
				 " forceraster=\"0\" enableorderby=\"0\" referencescale=\"-1\">\n"
				 "    <symbols>\n");
	put_marker(x, 0,
		   qml_colour(fill, sizeof(fill), tp_candidate_fill,
			      (int)(TP_CANDIDATE_OPACITY * 255 + 0.5)),
		   qml_colour(outline, sizeof(outline), tp_candidate_outline, 255), "4", expr);
	sqlite3_str_appendall(x, "    </symbols>\n    <rotation/>\n    <sizescale/>\n");
	put_size_legend(x, max_dwellings, language);
	sqlite3_str_appendall(x, "  </renderer-v2>\n");
	put_end(x, fields, lists, COUNT(fields), language);
	return finish(x);
}

char *tp_style_vacancies(const char *language)
{
	static const char *const fields[] = {"owner_type", "reason", "candidate"};
	static const tp_code_list *const lists[] = {&tp_owner_types, &tp_reasons,
						    &tp_candidate_flags};
	sqlite3_str *x = sqlite3_str_new(NULL);
	char name[256], colour[32];
	unsigned char rgb[3];
	int i;

	put_begin(x);
	sqlite3_str_appendall(x, "  <renderer-v2 type=\"categorizedSymbol\" attr=\"reason\""
				 " symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\""
				 " referencescale=\"-1\">\n    <categories>\n");
	for (i = 0; i < tp_reasons.n; i++) {
		sqlite3_str_appendf(x, "      <category symbol=\"%d\" value=\"%s\" label=\"", i,
				    tp_reasons.codes[i].code);
		tp_xml_escape(x, tp_code_name(&tp_reasons.codes[i], language, name, sizeof(name)));
		sqlite3_str_appendall(x, "\" render=\"true\"/>\n");
	}
	sqlite3_str_appendall(x, "    </categories>\n    <symbols>\n");
	for (i = 0; i < tp_reasons.n; i++) {
		tp_reason_rgb(i, rgb);
		put_marker(x, i, qml_colour(colour, sizeof(colour), rgb, 255), "35,35,35,255", "2.4",
			   NULL);
	}
	sqlite3_str_appendall(x, "    </symbols>\n    <rotation/>\n    <sizescale/>\n"
				 "  </renderer-v2>\n");
	put_end(x, fields, lists, COUNT(fields), language);
	return finish(x);
}

char *tp_style_occupations(const char *language)
{
	static const char *const fields[] = {"owner_type", "status"};
	static const tp_code_list *const lists[] = {&tp_owner_types, &tp_occupation_statuses};
	sqlite3_str *x = sqlite3_str_new(NULL);
	char name[256], colour[32];
	unsigned char rgb[3];
	int i;

	put_begin(x);
	sqlite3_str_appendall(x, "  <renderer-v2 type=\"categorizedSymbol\" attr=\"status\""
				 " symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\""
				 " referencescale=\"-1\">\n    <categories>\n");
	for (i = 0; i < tp_occupation_statuses.n; i++) {
		const tp_code *c = &tp_occupation_statuses.codes[i];
		sqlite3_str_appendf(x, "      <category symbol=\"%d\" value=\"%s\" label=\"", i,
				    c->code);
		tp_xml_escape(x, tp_code_name(c, language, name, sizeof(name)));
		sqlite3_str_appendall(x, "\" render=\"true\"/>\n");
	}
	sqlite3_str_appendall(x, "    </categories>\n    <symbols>\n");
	/* Okabe-Ito colours, as the vacancies; squares, so that they read apart */
	for (i = 0; i < tp_occupation_statuses.n; i++) {
		tp_reason_rgb(i + 2, rgb);
		put_marker(x, i, qml_colour(colour, sizeof(colour), rgb, 255), "35,35,35,255", "3.2",
			   NULL);
	}
	sqlite3_str_appendall(x, "    </symbols>\n    <rotation/>\n    <sizescale/>\n"
				 "  </renderer-v2>\n");
	put_end(x, fields, lists, COUNT(fields), language);
	return finish(x);
}

char *tp_style_zones(void)
{
	sqlite3_str *x = sqlite3_str_new(NULL);

	put_begin(x);
	sqlite3_str_appendall(x, "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\""
				 " forceraster=\"0\" enableorderby=\"0\" referencescale=\"-1\">\n"
				 "    <symbols>\n");
	put_fill(x, 0, NULL, "60,60,60,255", "0.4", "dash");
	sqlite3_str_appendall(x, "    </symbols>\n    <rotation/>\n    <sizescale/>\n"
				 "  </renderer-v2>\n");
	put_end(x, NULL, NULL, 0, NULL);
	return finish(x);
}

char *tp_style_trends(const char *language)
{
	static const char *const fields[] = {"category"};
	static const tp_code_list *const lists[] = {&tp_people_codes};
	sqlite3_str *x = sqlite3_str_new(NULL);

	/* an attribute table: no renderer, the categories' names instead of their columns */
	put_begin(x);
	put_end(x, fields, lists, COUNT(fields), language);
	return finish(x);
}

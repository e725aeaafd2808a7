/*
 * draw.c: the Cairo and Pango helpers the overview (overview.c) and the
 * atlas (atlas.c) draw with; declared in draw.h.
 *
 * Determinism: text goes through Pango with one named font and hinting
 * off, and PDF metadata take their date from the store, never the clock,
 * so one store gives the same bytes every run.
 */
#include "outputs/draw.h"
#include "geo/array.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "version.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>

#define FONT "DejaVu Sans"


void tp_view_fit(tp_view *v, const double box[4], double px, double py, double w, double h)
{
	double bw = box[2] - box[0], bh = box[3] - box[1];
	double s = fmin(w / (bw > 0 ? bw : 1), h / (bh > 0 ? bh : 1));

	v->s = s;
	v->x0 = box[0];
	v->y0 = box[3];
	v->px = px + (w - bw * s) / 2;
	v->py = py + (h - bh * s) / 2;
}

double tp_view_x(const tp_view *v, double x)
{
	return v->px + (x - v->x0) * v->s;
}

double tp_view_y(const tp_view *v, double y)
{
	return v->py + (v->y0 - y) * v->s;
}

void tp_path_commune(cairo_t *cr, const tp_map_commune *c, const tp_view *v)
{
	size_t i, j;

	for (i = 0; i < c->nrings; i++) {
		const tp_ring *r = &c->rings[i];
		for (j = 0; j < r->n; j++) {
			double x = tp_view_x(v, r->xy[2 * j]), y = tp_view_y(v, r->xy[2 * j + 1]);
			if (j == 0)
				cairo_move_to(cr, x, y);
			else
				cairo_line_to(cr, x, y);
		}
		cairo_close_path(cr);
	}
}

static const cairo_user_data_key_t context_key;

static void context_free(void *ctx)
{
	g_object_unref(ctx);
}

static PangoLayout *make_layout(cairo_t *cr, const char *s, double size, int flags)
{
	cairo_surface_t *target = cairo_get_target(cr);
	PangoContext *ctx = cairo_surface_get_user_data(target, &context_key);
	PangoFontDescription *fd = pango_font_description_new();
	PangoLayout *l;

	if (ctx) {
		/* one context per surface, brought up to date with cr */
		pango_cairo_update_context(cr, ctx);
	} else {
		cairo_font_options_t *fo = cairo_font_options_create();
		ctx = pango_cairo_create_context(cr);
		/* Sizes in user units (points), and no hinting, so that the PNG, SVG
		 * and PDF lay out the same and every run gives the same bytes. */
		pango_cairo_context_set_resolution(ctx, 72);
		cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
		cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
		cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
		pango_cairo_context_set_font_options(ctx, fo);
		cairo_font_options_destroy(fo);
		if (cairo_surface_set_user_data(target, &context_key, ctx, context_free)) {
			l = pango_layout_new(ctx);
			g_object_unref(ctx); /* l holds it */
			goto made;
		}
	}
	l = pango_layout_new(ctx);
made:
	pango_font_description_set_family(fd, FONT);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_font_description_set_weight(fd, flags & TP_TEXT_BOLD ? PANGO_WEIGHT_BOLD
								     : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_style(fd, flags & TP_TEXT_ITALIC ? PANGO_STYLE_ITALIC
								       : PANGO_STYLE_NORMAL);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_text(l, s, -1);
	return l;
}

void tp_text_size(cairo_t *cr, const char *s, double size, int flags, double *w, double *h)
{
	PangoLayout *l = make_layout(cr, s, size, flags);
	int lw, lh;

	pango_layout_get_size(l, &lw, &lh);
	g_object_unref(l);
	*w = (double)lw / PANGO_SCALE;
	*h = (double)lh / PANGO_SCALE;
}

double tp_text_width(cairo_t *cr, const char *s, double size, int flags)
{
	double w, h;

	tp_text_size(cr, s, size, flags, &w, &h);
	return w;
}

/* A halo drawn once (tp_text_share_halos): the white outline of text at
 * size, with flags' weight and style, wrapped at width, its layout's
 * origin at 0, 0. */
typedef struct {
	char *text;            /* the label */
	double size, width;    /* points */
	int flags;             /* TP_TEXT_* but TP_TEXT_HALO */
	cairo_surface_t *halo; /* a recording surface */
} shared_halo;

/* The halos drawn on one surface, kept as its user data. */
typedef struct {
	shared_halo *h; /* in the order drawn */
	size_t n, cap;  /* h: count, capacity */
	int on;         /* tp_text_share_halos()'s */
} halo_cache;

static const cairo_user_data_key_t halo_key;

static void halo_cache_free(void *p)
{
	halo_cache *c = p;
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->h[i].text);
		cairo_surface_destroy(c->h[i].halo);
	}
	free(c->h);
	free(c);
}

int tp_text_share_halos(cairo_t *cr, int on)
{
	cairo_surface_t *target = cairo_get_target(cr);
	halo_cache *c = cairo_surface_get_user_data(target, &halo_key);

	if (!c && on) {
		if (!(c = calloc(1, sizeof(*c))))
			return tp_error_set(TP_ERROR, "out of memory");
		if (cairo_surface_set_user_data(target, &halo_key, c, halo_cache_free)) {
			free(c);
			return tp_error_set(TP_ERROR, "out of memory");
		}
	}
	if (c)
		c->on = on;
	return TP_OK;
}

/* Strokes the halo of layout l (text at size) at cr's current point: a
 * translucent white outline, on the page or into a shared recording. */
static void stroke_halo(cairo_t *cr, PangoLayout *l, double size)
{
	pango_cairo_layout_path(cr, l);
	cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
	cairo_set_line_width(cr, size / 4);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	cairo_stroke(cr);
}

/* The halo of layout l (text s at size, flags, width w) from the cache c,
 * drawn into it the first time; NULL when out of memory (the caller then
 * strokes the halo itself). */
static cairo_surface_t *halo_of(halo_cache *c, PangoLayout *l, const char *s, double size,
				int flags, double w)
{
	PangoRectangle ink, logical;
	cairo_rectangle_t box;
	cairo_surface_t *rec;
	cairo_t *hc;
	size_t i;

	flags &= ~TP_TEXT_HALO;
	for (i = 0; i < c->n; i++)
		if (c->h[i].size == size && c->h[i].width == w && c->h[i].flags == flags &&
		    !strcmp(c->h[i].text, s))
			return c->h[i].halo;
	if (tp_array_room(&c->h, &c->cap, c->n, sizeof(*c->h), 64))
		return NULL;
	pango_layout_get_pixel_extents(l, &ink, &logical);
	box.x = ink.x - size / 4;
	box.y = ink.y - size / 4;
	box.width = ink.width + size / 2;
	box.height = ink.height + size / 2;
	rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &box);
	hc = cairo_create(rec);
	stroke_halo(hc, l, size);
	cairo_destroy(hc);
	if (cairo_surface_status(rec) || !(c->h[c->n].text = strdup(s))) {
		cairo_surface_destroy(rec);
		return NULL;
	}
	c->h[c->n].size = size;
	c->h[c->n].width = w;
	c->h[c->n].flags = flags;
	c->h[c->n].halo = rec;
	return c->h[c->n++].halo;
}

double tp_text(cairo_t *cr, double x, double y, double w, const char *s, double size, int flags)
{
	cairo_surface_t *shared = NULL;
	PangoLayout *l = make_layout(cr, s, size, flags);
	int lw, lh;

	if (w > 0) {
		pango_layout_set_width(l, (int)(w * PANGO_SCALE));
		if (flags & TP_TEXT_CUT)
			pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
		else
			pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	if (flags & (TP_TEXT_CENTER | TP_TEXT_RIGHT))
		pango_layout_set_alignment(l, flags & TP_TEXT_CENTER ? PANGO_ALIGN_CENTER
								      : PANGO_ALIGN_RIGHT);
	pango_layout_get_size(l, &lw, &lh);
	if (w <= 0 && (flags & TP_TEXT_CENTER))
		x -= (double)lw / PANGO_SCALE / 2;
	else if (w <= 0 && (flags & TP_TEXT_RIGHT))
		x -= (double)lw / PANGO_SCALE;
	cairo_save(cr);
	cairo_new_path(cr);
	cairo_move_to(cr, x, y);
	if (flags & TP_TEXT_HALO) {
		halo_cache *c = cairo_surface_get_user_data(cairo_get_target(cr), &halo_key);
		if (c && c->on)
			shared = halo_of(c, l, s, size, flags, w);
	}
	if (shared) {
		cairo_save(cr);
		cairo_set_source_surface(cr, shared, x, y);
		cairo_paint(cr);
		cairo_restore(cr);
	} else if (flags & TP_TEXT_HALO) {
		cairo_save(cr);
		stroke_halo(cr, l, size);
		cairo_restore(cr);
		cairo_move_to(cr, x, y);
	}
	pango_cairo_show_layout(cr, l);
	cairo_new_path(cr);
	cairo_restore(cr);
	g_object_unref(l);
	return (double)lh / PANGO_SCALE;
}

void tp_scale_bar(cairo_t *cr, const tp_view *v, double x, double y, double maxw)
{
	static const double steps[] = {100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000};
	double len = steps[0], w;
	char lab[32];
	size_t i;
	int k;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * v->s <= maxw)
			len = steps[i];
	w = len * v->s;
	cairo_save(cr);
	cairo_set_line_width(cr, 0.5);
	for (k = 0; k < 4; k++) {
		cairo_rectangle(cr, x + k * w / 4, y - 4, w / 4, 4);
		if (k % 2)
			cairo_set_source_rgb(cr, 1, 1, 1);
		else
			cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
		cairo_stroke(cr);
	}
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	tp_text(cr, x, y - 14, 0, "0", 6.5, TP_TEXT_CENTER | TP_TEXT_HALO);
	tp_num_format(lab, sizeof(lab) - 4, len >= 1000 ? len / 1000 : len, TP_NUM_AUTO, NULL);
	strcat(lab, len >= 1000 ? " km" : " m");
	tp_text(cr, x + w, y - 14, 0, lab, 6.5, TP_TEXT_CENTER | TP_TEXT_HALO);
	cairo_restore(cr);
}

void tp_north_arrow(cairo_t *cr, double x, double y)
{
	cairo_save(cr);
	cairo_set_line_width(cr, 0.6);
	cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
	cairo_move_to(cr, x, y + 10);
	cairo_line_to(cr, x - 6, y + 30);
	cairo_line_to(cr, x, y + 25);
	cairo_close_path(cr);
	cairo_fill(cr);
	cairo_move_to(cr, x, y + 10);
	cairo_line_to(cr, x + 6, y + 30);
	cairo_line_to(cr, x, y + 25);
	cairo_close_path(cr);
	cairo_stroke(cr);
	tp_text(cr, x, y - 2, 0, "N", 9, TP_TEXT_BOLD | TP_TEXT_CENTER | TP_TEXT_HALO);
	cairo_restore(cr);
}

void tp_draw_candidate(cairo_t *cr, double x, double y, double r, double width)
{
	cairo_new_path(cr);
	cairo_arc(cr, x, y, r, 0, 2 * M_PI);
	cairo_set_source_rgba(cr, tp_candidate_fill[0] / 255.0, tp_candidate_fill[1] / 255.0,
			      tp_candidate_fill[2] / 255.0, TP_CANDIDATE_OPACITY);
	cairo_fill_preserve(cr);
	tp_set_rgb(cr, tp_candidate_outline);
	cairo_set_line_width(cr, width);
	cairo_stroke(cr);
}

/* Where tp_map_frame() puts the scale bar (its bottom left) and the north arrow (its top centre). */
static void frame_anchors(double x, double y, double w, double h, double inset, double *sx,
			  double *sy, double *nx, double *ny)
{
	*sx = x + 12 + inset;
	*sy = y + h - 10 - inset;
	*nx = x + w - 20 - inset;
	*ny = y + 8 + inset;
}

void tp_map_frame(cairo_t *cr, const tp_view *v, double x, double y, double w, double h,
		  double inset)
{
	double sx, sy, nx, ny;

	frame_anchors(x, y, w, h, inset, &sx, &sy, &nx, &ny);
	cairo_rectangle(cr, x, y, w, h);
	cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(cr, 0.5);
	cairo_stroke(cr);
	tp_scale_bar(cr, v, sx, sy, w / 4);
	tp_north_arrow(cr, nx, ny);
}

void tp_map_frame_boxes(double x, double y, double w, double h, double inset,
			double boxes[2][4])
{
	double sx, sy, nx, ny;

	frame_anchors(x, y, w, h, inset, &sx, &sy, &nx, &ny);
	/* the bar is at most w / 4 long; its labels stand 14 points above it,
	 * the last one centred on its end */
	boxes[0][0] = sx - 6;
	boxes[0][1] = sy - 15;
	boxes[0][2] = sx + w / 4 + 16;
	boxes[0][3] = sy + 1;
	boxes[1][0] = nx - 8;
	boxes[1][1] = ny - 3;
	boxes[1][2] = nx + 8;
	boxes[1][3] = ny + 31;
}

double tp_point_radius(long long dw, long long max)
{
	/* area in proportion to dwellings, so the eye reads sizes right */
	return 1.2 + 5.8 * sqrt((double)(dw > 0 ? dw : 0) / (double)(max > 0 ? max : 1));
}

double tp_draw_note(cairo_t *cr, const tp_mapdata *d, double x, double y, double w)
{
	double h;

	if (!d->note[0])
		return 0;
	cairo_save(cr);
	cairo_set_source_rgb(cr, 0.70, 0.07, 0.07);
	h = tp_text(cr, x, y, w, d->note, 9, TP_TEXT_BOLD | TP_TEXT_HALO);
	cairo_restore(cr);
	return h;
}

void tp_pdf_metadata(cairo_surface_t *pdf, const tp_mapdata *d, const char *title)
{
	char date[32];

	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR, "tremplin " TP_VERSION);
	/* A date from the data, not the clock, so two runs give the same file. */
	snprintf(date, sizeof(date), "%sT00:00:00Z",
		 d->reference_date[0] ? d->reference_date : "2000-01-01");
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATE_DATE, date);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_MOD_DATE, date);
}

int tp_surface_status(cairo_surface_t *s, const char *path)
{
	cairo_status_t st = cairo_surface_status(s);

	if (st != CAIRO_STATUS_SUCCESS)
		return tp_error_set(TP_EOUTPUT, "%s: cannot draw: %s", path,
				    cairo_status_to_string(st));
	return TP_OK;
}

int tp_surface_close(cairo_surface_t *s, tp_outfile *out)
{
	int rc;

	cairo_surface_finish(s);
	rc = tp_surface_status(s, out->path);
	cairo_surface_destroy(s);
	return tp_outfile_end(out, rc);
}

void tp_set_rgb(cairo_t *cr, const unsigned char rgb[3])
{
	cairo_set_source_rgb(cr, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
}

void tp_fill_nodata(cairo_t *cr, double x0, double y0, double x1, double y1)
{
	unsigned char grey[3];
	double t;

	tp_class_rgb(-1, 0, grey);
	cairo_save(cr);
	cairo_clip_preserve(cr);
	tp_set_rgb(cr, grey);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
	cairo_set_line_width(cr, 0.5);
	for (t = x0 - (y1 - y0); t < x1; t += 4) {
		cairo_move_to(cr, t, y1);
		cairo_line_to(cr, t + (y1 - y0), y0);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

/*
 * Cairo names an SVG's page "surfaceN" after how many surfaces the process
 * has made before it (on any thread): the page written into out->f, its
 * group named "surface1" whatever came before, so that the file does not
 * depend on what else was drawn first or beside it.  Only the first
 * "surfaceN" is renamed: the page's, as long as the maps paint no surface
 * pattern (which Cairo would define, under the same kind of name, first).
 */
#define SVG_PAGE "<g id=\"surface"

/* An SVG being written: where, and how far into its page's tag. */
typedef struct {
	FILE *f;        /* the file */
	size_t matched; /* bytes of SVG_PAGE just written */
	int state;      /* 0: before the page's tag, 1: in its number, 2: past it */
} svg_out;

/* Cairo's write function for an SVG: the bytes as they come, but the
 * number after SVG_PAGE, written "1". */
static cairo_status_t svg_write(void *closure, const unsigned char *data, unsigned int len)
{
	svg_out *o = closure;
	size_t i, from = 0, n = strlen(SVG_PAGE);
	int bad = 0;

	for (i = 0; i < len && o->state < 2; i++) {
		if (o->state == 1) {
			if (data[i] >= '0' && data[i] <= '9') {
				from = i + 1; /* the number, not written */
				continue;
			}
			bad |= fputc('1', o->f) == EOF;
			o->state = 2;
		} else if (data[i] == (unsigned char)SVG_PAGE[o->matched]) {
			if (++o->matched == n) {
				bad |= fwrite(data + from, 1, i + 1 - from, o->f) != i + 1 - from;
				from = i + 1;
				o->state = 1;
			}
		} else {
			o->matched = data[i] == '<'; /* '<' only starts SVG_PAGE */
		}
	}
	bad |= fwrite(data + from, 1, len - from, o->f) != len - from;
	return bad ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* libpng's error handler: back to write_png's setjmp. */
static void png_failed(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

/*
 * Writes the RGB24 image s as an 8-bit RGB PNG onto f: the pixels
 * cairo_surface_write_to_png writes, but deflated at level 1 and rows not
 * filtered, instead of libpng's default (level 6, each filter tried on
 * each row), which took a third of the time of drawing a map.  A map's
 * flat colours compress as well that way (the overview at 100,000
 * candidates: 478 kB instead of 531 kB).  0, or -1 when libpng failed.
 */
static int write_png(cairo_surface_t *s, FILE *f)
{
	const unsigned char *data = cairo_image_surface_get_data(s);
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	int stride = cairo_image_surface_get_stride(s), x, y;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_failed, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	unsigned char *volatile row = malloc((size_t)w * 3 + 1);

	if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		return -1;
	}
	png_init_io(png, f);
	png_set_compression_level(png, 1);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
	png_write_info(png, info);
	cairo_surface_flush(s);
	for (y = 0; y < h; y++) {
		const uint32_t *px = (const uint32_t *)(data + (size_t)y * stride);
		for (x = 0; x < w; x++) {
			row[3 * x] = (unsigned char)(px[x] >> 16);
			row[3 * x + 1] = (unsigned char)(px[x] >> 8);
			row[3 * x + 2] = (unsigned char)px[x];
		}
		png_write_row(png, row);
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(row);
	return 0;
}

int tp_page_write(const char *path, tp_page_kind kind, double w, double h, tp_page_fn draw,
		  const void *ud, const tp_mapdata *d, const char *title)
{
	svg_out svg = {NULL, 0, 0};
	cairo_surface_t *s;
	cairo_t *cr;
	tp_outfile out;
	int rc;

	if (kind == TP_PAGE_PNG) {
		double k = TP_PNG_DPI / 72.0;
		s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(w * k), (int)ceil(h * k));
		cr = cairo_create(s);
		cairo_scale(cr, k, k);
		rc = draw(cr, ud);
		cairo_destroy(cr);
		if (!rc)
			rc = tp_surface_status(s, path);
		if (!rc)
			rc = tp_outfile_open(&out, path, 0);
		if (!rc) {
			if (write_png(s, out.f))
				rc = tp_error_set(TP_EOUTPUT, "%s: cannot write %s: %s", out.path, out.tmp,
						  errno ? strerror(errno) : "write error");
			rc = tp_outfile_end(&out, rc);
		}
		cairo_surface_destroy(s);
		return rc;
	}
	rc = kind == TP_PAGE_SVG ? tp_outfile_open(&out, path, 0) : tp_outfile_begin(&out, path, 0);
	if (rc)
		return rc;
	if (kind == TP_PAGE_SVG) {
		svg.f = out.f;
		s = cairo_svg_surface_create_for_stream(svg_write, &svg, w, h);
		cairo_svg_surface_restrict_to_version(s, CAIRO_SVG_VERSION_1_1);
	} else {
		s = cairo_pdf_surface_create(out.tmp, w, h);
		tp_pdf_metadata(s, d, title);
	}
	cr = cairo_create(s);
	rc = draw(cr, ud);
	cairo_show_page(cr);
	cairo_destroy(cr);
	if (rc) {
		cairo_surface_destroy(s);
		return tp_outfile_end(&out, rc);
	}
	return tp_surface_close(s, &out);
}

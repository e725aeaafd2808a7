/*
 * draw.h: inside outputs/, the Cairo and Pango helpers the overview
 * (overview.c) and the atlas (atlas.c) draw with: map-to-page views,
 * commune paths, text, scale bar, north arrow, the no-data fill, PDF
 * metadata and closing a surface into its output file.
 */
#ifndef TP_DRAW_H
#define TP_DRAW_H

#include <cairo.h>

#include "outputs/mapdata.h"
#include "outputs/outfile.h"

/* Map coordinates to page points: page = (px + (x - x0) s, py + (y0 - y) s). */
typedef struct tp_view {
	double s;       /* points per metre */
	double x0, y0;  /* map point drawn at (px, py): west and north edge */
	double px, py;  /* top-left corner of the map on the page */
} tp_view;

/* The view that fits box (with a margin) centred in the page rectangle. */
void tp_view_fit(tp_view *v, const double box[4], double px, double py, double w, double h);

/* Adds the rings of c to cr's path (caller fills with even-odd). */
void tp_path_commune(cairo_t *cr, const tp_map_commune *c, const tp_view *v);

/* Sets a PDF surface's metadata so that the file does not depend on the
 * clock: title, creator and the creation date from the reference date. */
void tp_pdf_metadata(cairo_surface_t *pdf, const tp_mapdata *d, const char *title);

/* The run's note ([run] note; nothing when there is none), in red on a white
 * halo, from (x, y), wrapped to width w.  Returns the height it took (0: none). */
double tp_draw_note(cairo_t *cr, const tp_mapdata *d, double x, double y, double w);

/* Finishes and destroys a PDF or SVG surface drawn into out->tmp, then
 * commits out, or aborts it when Cairo failed (TP_EOUTPUT naming the path). */
int tp_surface_close(cairo_surface_t *s, tp_outfile *out);

enum {
	TP_TEXT_BOLD = 1,    /* bold weight */
	TP_TEXT_ITALIC = 2,  /* italic */
	TP_TEXT_CENTER = 4,  /* x is the centre of the text */
	TP_TEXT_RIGHT = 8,   /* x is the right end of the text */
	TP_TEXT_HALO = 16,   /* a white outline under the glyphs, for text on a map */
	TP_TEXT_CUT = 32,    /* one line cut with an ellipsis at width w, not wrapped */
};

/* From now on (on: 1) until told otherwise (0, the default), a halo that
 * tp_text() draws on cr's surface is drawn there once per text, size,
 * style and width and then reused (in a PDF: one form that each label
 * calls instead of its glyphs' outlines), for pages whose labels go by
 * the hundred.  Returns 0, or TP_ERROR (out of memory). */
int tp_text_share_halos(cairo_t *cr, int on);

/* Draws UTF-8 text s with Pango (DejaVu Sans, size in points) in the
 * current colour, its top at y, wrapped at width w when w > 0.  Returns
 * the height it took; with cr's path untouched. */
double tp_text(cairo_t *cr, double x, double y, double w, const char *s, double size, int flags);

/* Width of s as tp_text() would draw it unwrapped. */
double tp_text_width(cairo_t *cr, const char *s, double size, int flags);

/* Width and height of s as tp_text() would draw it unwrapped, into *w and *h. */
void tp_text_size(cairo_t *cr, const char *s, double size, int flags, double *w, double *h);

/* Draws a scale bar with its bottom-left at x, y, about maxw wide. */
void tp_scale_bar(cairo_t *cr, const tp_view *v, double x, double y, double maxw);

/* Draws a north arrow centred on x, its top at y. */
void tp_north_arrow(cairo_t *cr, double x, double y);

/* A candidate as the maps draw it: a disc of radius r at x, y in the
 * candidates' colour, outlined with a line `width` points wide. */
void tp_draw_candidate(cairo_t *cr, double x, double y, double r, double width);

/* The frame of a map drawn in the rectangle x, y, w, h with view v: a grey
 * border, the scale bar at its bottom left and the north arrow at its top
 * right, both `inset` points further in than on an atlas page. */
void tp_map_frame(cairo_t *cr, const tp_view *v, double x, double y, double w, double h,
		  double inset);

/* The boxes tp_map_frame() draws the scale bar and the north arrow in, as
 * x0, y0, x1, y1, so that no label goes under them. */
void tp_map_frame_boxes(double x, double y, double w, double h, double inset,
			double boxes[2][4]);

/* Fills cr's current path (consumed) in the "no data or withheld" style,
 * grey with thin diagonal lines, over the page rectangle x0..x1, y0..y1
 * that holds it. */
void tp_fill_nodata(cairo_t *cr, double x0, double y0, double x1, double y1);

/* Radius in points of a candidate of dw dwellings when the largest has max
 * (the maps and the dashboard's SVG). */
double tp_point_radius(long long dw, long long max);

/* Page x and y of the map point x, y in view v. */
double tp_view_x(const tp_view *v, double x);
double tp_view_y(const tp_view *v, double y);

/* Sets cr's source to the colour rgb (0..255 per channel). */
void tp_set_rgb(cairo_t *cr, const unsigned char rgb[3]);

/* 0, or TP_EOUTPUT naming path when Cairo failed on s. */
int tp_surface_status(cairo_surface_t *s, const char *path);

#define TP_PNG_DPI 150.0 /* the maps' PNG files */

/* The three files a map page is written to. */
typedef enum { TP_PAGE_PNG, TP_PAGE_SVG, TP_PAGE_PDF } tp_page_kind;

/* What draws one page (the overview, the change map) with its data ud: 0 or a TP_E* code. */
typedef int (*tp_page_fn)(cairo_t *cr, const void *ud);

/* Draws one page of w x h points with draw(cr, ud) into path, through
 * tp_outfile: a PNG at TP_PNG_DPI, an SVG 1.1, or a PDF whose metadata
 * (title; the date d's reference date) does not depend on the clock.
 * Returns 0, or TP_EOUTPUT naming path (nothing half-written left). */
int tp_page_write(const char *path, tp_page_kind kind, double w, double h, tp_page_fn draw,
		  const void *ud, const tp_mapdata *d, const char *title);

#endif

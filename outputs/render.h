/*
 * render.h: the outputs people look at: maps (overview and atlas, drawn
 * with Cairo and Pango) and the self-contained dashboard.html.
 *
 * Every figure about people comes from the tables that the protect stage
 * publishes (public_communes), so a suppressed count is never drawn, never
 * used to compute a class limit and never written into an output; only
 * the label it publishes ("<5") is.  Figures that are not about people
 * (empty dwellings, candidates, capacity) come from commune_summary and
 * vacancies.  Geometries are the store's WKB in the working CRS (meta.crs).
 *
 * The writers are deterministic: the same store gives byte-identical SVG,
 * PDF and HTML (the PDF creation date is the store's reference date, not
 * the clock).  Each file is put in place through tp_outfile (outfile.h).
 */
#ifndef TP_RENDER_H
#define TP_RENDER_H

#include "geo/categories.h"

#include <stddef.h>

#include <cairo.h>
#include <sqlite3.h>

#include "outputs/outfile.h"
#include "geo/codes.h"

/* What the caller chooses (the [outputs] section of the config). */
typedef struct tp_render_opts {
	const char *indicator; /* the commune figure mapped, e.g. "people_total" */
	const char *language;  /* "fr", "nl" or "both" */
	double threshold;      /* small-cell threshold, for the "<N" note */
} tp_render_opts;

/*
 * Writes into dir (OUTDIR/maps, created if missing): overview.png,
 * overview.svg, overview.pdf (the regional choropleth of the indicator),
 * overview.json (its classes and the value each commune was drawn with)
 * and atlas.pdf (one page per commune).  Returns 0; TP_ECONFIG for an
 * indicator tremplin does not know; TP_ESTORE naming the table when the
 * store lacks one (public_communes until the protect stage has run) or
 * holds bad geometry; TP_EOUTPUT when a file cannot be written; TP_ERROR
 * when out of memory.  Nothing half-written is left.
 */
int tp_write_maps(sqlite3 *store, const char *dir, const tp_render_opts *opts);

/*
 * Writes path (OUTDIR/dashboard.html): one HTML file that needs no
 * network: the region map as inline SVG, the per-commune table (sortable),
 * the candidate list with filters, the headline figures, and links to
 * indicators.csv and tremplin.gpkg beside it.  Same failures as
 * tp_write_maps().
 */
int tp_write_dashboard(sqlite3 *store, const char *path, const tp_render_opts *opts);

/* ---- shared by maps.c, atlas.c and dashboard.c ------------------------- */

#define TP_NFIGS TP_NPEOPLE /* people figures published by the protect stage */

/* One figure a map can show. */
typedef struct tp_figure {
	const char *name;  /* column name, e.g. "people_total" */
	const char *fr;    /* French label */
	const char *nl;    /* Dutch label */
	int people;        /* 1: a count of people, read from public_communes */
} tp_figure;

/* The figure called name, or NULL. */
const tp_figure *tp_figure_find(const char *name);

/* The people figures in public_communes order; *n gets their number. */
const tp_figure *tp_people_figures(size_t *n);

/* A ring as x,y pairs in the working CRS. */
typedef struct tp_ring {
	double *xy;  /* 2 * n doubles */
	size_t n;    /* points */
} tp_ring;

typedef struct tp_map_commune {
	char nis[16];                  /* NIS code */
	char *name_fr;                 /* French name */
	char *name_nl;                 /* Dutch name */
	tp_ring *rings;                /* every ring of every polygon; filled even-odd */
	size_t nrings;                 /* number of rings */
	double box[4];                 /* minx, miny, maxx, maxy */
	double lx, ly;                 /* where its name is written (inside it) */
	int has_value;                 /* 0: no data or suppressed */
	double value;                  /* the indicator as published */
	char label[32];                /* the indicator as printed ("<5", "351") */
	int cls;                       /* class 0..nclasses-1, -1 when !has_value */
	int has_fig[TP_NFIGS];         /* per people figure: 0 when suppressed */
	double fig[TP_NFIGS];          /* published value */
	char fig_label[TP_NFIGS][32];  /* published label */
	long long vacancy_records;     /* records located in it */
	long long empty_dwellings;     /* dwellings in them */
	long long candidate_buildings; /* candidates */
	long long candidate_dwellings; /* their dwellings */
	double capacity;               /* people the candidates could host */
} tp_map_commune;

typedef struct tp_map_candidate {
	long long rank;     /* 1 = best */
	char nis[16];       /* commune */
	char *src_id;       /* source id, may be "" */
	char *address;      /* may be "" */
	char *owner;        /* may be ""; always "" for a private owner (maybe a person) */
	char *owner_type;   /* sisp, ais, ... */
	char *works_start;  /* YYYY-MM-DD */
	long long dwellings;/* dwellings */
	double window;      /* months */
	double capacity;    /* people */
	double score;       /* 0..100 */
	double x, y;        /* position in the working CRS */
} tp_map_candidate;

typedef struct tp_mapdata {
	const tp_figure *ind;          /* the indicator */
	const char *lang;              /* "fr", "nl" or "both" */
	double threshold;              /* small-cell threshold */
	tp_map_commune *communes;      /* ordered by NIS code */
	size_t ncommunes;              /* number of communes */
	tp_map_candidate *cands;       /* candidates by rank */
	size_t ncands;                 /* number of candidates */
	int nclasses;                  /* non-empty classes, 0..TP_NCLASSES */
	double lo[TP_NCLASSES];        /* smallest value of each class */
	double hi[TP_NCLASSES];        /* largest value of each class */
	int count[TP_NCLASSES];        /* communes in each class */
	int nodata;                    /* communes without a value */
	double box[4];                 /* region envelope */
	long long max_dwellings;       /* largest candidate, for point sizes */
	char crs[64];                  /* meta.crs */
	char reference_date[11];       /* meta.reference_date */
	char note[512];                /* meta.note ([run] note), "" if none */
	double min_window;             /* meta.min_window_months */
	char sources[3][256];          /* file names of communes, vacancies, zones */
} tp_mapdata;

/* Loads everything the maps and the dashboard show; free with tp_mapdata_free. */
int tp_mapdata_load(tp_mapdata **out, sqlite3 *store, const tp_render_opts *opts);
void tp_mapdata_free(tp_mapdata *d);

/* A number for people: integer when whole, else 1 decimal; thin space groups. */
void tp_format_number(char *buf, size_t len, double v);

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
 * halo, from (x, y), wrapped to width w. */
void tp_draw_note(cairo_t *cr, const tp_mapdata *d, double x, double y, double w);

/* Finishes and destroys a PDF or SVG surface drawn into out->tmp, then
 * commits out, or aborts it when Cairo failed (TP_EOUTPUT naming the path). */
int tp_surface_close(cairo_surface_t *s, tp_outfile *out);

enum {
	TP_TEXT_BOLD = 1,    /* bold weight */
	TP_TEXT_ITALIC = 2,  /* italic */
	TP_TEXT_CENTER = 4,  /* x is the centre of the text */
	TP_TEXT_RIGHT = 8,   /* x is the right end of the text */
	TP_TEXT_HALO = 16,   /* a white outline under the glyphs, for text on a map */
};

/* Draws UTF-8 text s with Pango (DejaVu Sans, size in points) in the
 * current colour, its top at y, wrapped at width w when w > 0.  Returns
 * the height it took; with cr's path untouched. */
double tp_text(cairo_t *cr, double x, double y, double w, const char *s, double size, int flags);

/* Width of s as tp_text() would draw it unwrapped. */
double tp_text_width(cairo_t *cr, const char *s, double size, int flags);

/* Draws a scale bar with its bottom-left at x, y, about maxw wide. */
void tp_scale_bar(cairo_t *cr, const tp_view *v, double x, double y, double maxw);

/* Draws a north arrow centred on x, its top at y. */
void tp_north_arrow(cairo_t *cr, double x, double y);

/* Fills cr's current path (consumed) in the "no data or withheld" style,
 * grey with thin diagonal lines, over the page rectangle x0..x1, y0..y1
 * that holds it. */
void tp_fill_nodata(cairo_t *cr, double x0, double y0, double x1, double y1);

/* Radius in points of a candidate of dw dwellings when the largest has max. */
double tp_point_radius(long long dw, long long max);

/* The atlas, in atlas.c: one page per commune into path. */
int tp_write_atlas(const tp_mapdata *d, const char *path);

#endif

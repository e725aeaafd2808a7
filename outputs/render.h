/*
 * render.h: the outputs people look at: maps (overview and atlas, drawn
 * with Cairo and Pango) and the self-contained dashboard.html.  This is
 * the header pipeline/ includes; it brings in no Cairo.  What the writers
 * share inside outputs/ is in mapdata.h (the data drawn) and draw.h (the
 * Cairo and Pango helpers).
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

#include <sqlite3.h>

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

/*
 * The draw stage: tp_write_maps() into dir and tp_write_dashboard() into
 * dashboard (either NULL: not written) from one load of the store, the
 * atlas drawn on a second thread when threads (0: every core) allows.
 * The files are those the two functions write; same failures.
 */
int tp_write_drawn(sqlite3 *store, const char *dir, const char *dashboard,
		   const tp_render_opts *opts, int threads);

#endif

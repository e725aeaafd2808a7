/*
 * maps.h: inside outputs/, the two maps, each drawn from the loaded
 * tp_mapdata (mapdata.h); tp_write_maps (maps.c) loads it and calls both.
 */
#ifndef TP_MAPS_H
#define TP_MAPS_H

#include "outputs/mapdata.h"

/* The overview, in overview.c: overview.png, overview.svg, overview.pdf
 * and overview.json into the existing folder dir, in that order.  Returns
 * 0, TP_EOUTPUT when a file cannot be written (nothing half-written left). */
int tp_write_overview(const tp_mapdata *d, const char *dir);

/* Files from to to - 1 of those four (0 png, 1 svg, 2 pdf, 3 json; the
 * json needs the pdf drawn in the same call). */
int tp_write_overview_files(const tp_mapdata *d, const char *dir, int from, int to);

/* The atlas lists a commune's best TP_ATLAS_LISTED candidates and numbers
 * them on the map (the others are small dots); a line says how many more
 * there are and where.  The bound keeps the atlas to about 3 MB, drawn in
 * about 2 s, at 100,000 candidates (Brussels' largest commune has tens). */
#define TP_ATLAS_LISTED 100

/* The atlas lists a commune's first TP_ATLAS_OCCUPATIONS running
 * occupations, then says how many more there are. */
#define TP_ATLAS_OCCUPATIONS 8

/* The atlas, in atlas.c: one page per commune, and continuation pages for
 * a long list, into path; the communes' trends and running occupations
 * read from store (a public view).  Same failures, and TP_ESTORE when the
 * store cannot be read. */
int tp_write_atlas(const tp_mapdata *d, sqlite3 *store, const char *path);

/* The atlas in two steps, for drawing it on a thread of its own:
 * tp_atlas_prepare reads what it needs from store (on the store's
 * thread) into *out; tp_atlas_draw then draws it into path without the
 * store (d stays alive and unchanged meanwhile); tp_atlas_free frees it
 * (NULL is fine).  Same failures as tp_write_atlas. */
typedef struct tp_atlas tp_atlas;
int tp_atlas_prepare(tp_atlas **out, const tp_mapdata *d, sqlite3 *store);
int tp_atlas_draw(const tp_atlas *a, const char *path);
void tp_atlas_free(tp_atlas *a);

#endif

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

/* The atlas lists a commune's best TP_ATLAS_LISTED candidates, and numbers
 * its best TP_ATLAS_NUMBERED on the map; a line says how many more there
 * are and where.  The bounds keep the atlas to a few megabytes, drawn in
 * a second or two, at 100,000 candidates. */
#define TP_ATLAS_LISTED 250
#define TP_ATLAS_NUMBERED 100

/* The atlas, in atlas.c: one page per commune, and continuation pages for
 * a long list, into path.  Same failures. */
int tp_write_atlas(const tp_mapdata *d, const char *path);

#endif

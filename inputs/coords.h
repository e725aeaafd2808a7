/*
 * coords.h: are an input's coordinates in the CRS the config says?
 *
 * Belgian files carry Lambert 72 (EPSG:31370), Lambert 2008 (EPSG:3812) or
 * latitude/longitude (EPSG:4326) in either column order, and a wrong guess
 * moves every point far away without any single value looking wrong.  The
 * check reads the points as configured; when most fall outside the region
 * but swapping x and y, or another of those CRSs, puts them inside, it
 * refuses the input with a message naming the fix.  It never guesses.
 */
#ifndef TP_COORDS_H
#define TP_COORDS_H

#include <stddef.h>

/* What the check needs to know about one input. */
typedef struct tp_coords_input {
	const char *path;     /* source file, for the message */
	const char *section;  /* config section ("vacancies") */
	const char *crs;      /* source CRS as configured or declared */
	const char *xcol;     /* X column, NULL when the source has geometries */
	const char *ycol;     /* Y column, NULL likewise */
} tp_coords_input;

/*
 * Checks n points (x[i], y[i] in in->crs) against region (xmin, ymin, xmax,
 * ymax in dst_crs, the communes' extent).  Returns 0 when at least half
 * fall inside, or when no other reading does better; TP_EINPUT with the
 * message when another reading puts them inside.
 */
int tp_coords_check(const tp_coords_input *in, const double *x, const double *y, size_t n,
		    const char *dst_crs, const double region[4]);

#endif

/*
 * coords.c: the coordinate reading check (coords.h).
 *
 * A reading is a CRS and whether x and y are swapped.  Points count as
 * inside when they fall in the region's extent grown by MARGIN.  Distances
 * in the message are great-circle distances to the region's centre, less
 * half its diagonal, so they mean the same in every CRS.
 */
#include "inputs/coords.h"
#include "geo/error.h"
#include "geo/geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN 2000.0      /* metres around the region's extent */
#define ACCEPT 0.5         /* share inside for the configured reading to pass */
#define CONVINCING 0.8     /* share inside for another reading to be named */
#define SAMPLE 2000        /* points checked at most (spread over the input) */

static const struct {
	const char *crs;   /* code */
	const char *name;  /* what people call it */
	int geographic;    /* 1: lon/lat */
} belgian[] = {
	{"EPSG:31370", "Belgian Lambert 72", 0},
	{"EPSG:3812", "Belgian Lambert 2008", 0},
	{"EPSG:4326", "WGS 84", 1},
};

/* Share of the sample inside region when read as crs (swapped or not). */
static double share_inside(tp_geo *g, const char *crs, int swap, const double *x,
			   const double *y, size_t n, size_t step, const char *dst,
			   const double region[4])
{
	tp_transform *t = NULL;
	size_t i, k = 0, in = 0;

	if (tp_transform_new(&t, g, crs, dst))
		return 0;
	for (i = 0; i < n; i += step, k++) {
		double px = swap ? y[i] : x[i], py = swap ? x[i] : y[i];
		if (tp_transform_xy(t, &px, &py) == TP_OK && px >= region[0] - MARGIN &&
		    px <= region[2] + MARGIN && py >= region[1] - MARGIN && py <= region[3] + MARGIN)
			in++;
	}
	tp_transform_free(t);
	tp_error_clear();
	return k ? (double)in / (double)k : 0;
}

/* Median distance in km of the sample, read as crs, from the region; -1
 * when the points cannot be placed on the Earth at all. */
static double median_km(tp_geo *g, const char *crs, const double *x, const double *y,
			size_t n, size_t step, const char *dst, const double region[4])
{
	tp_transform *to_ll = NULL, *c_ll = NULL;
	double cx = (region[0] + region[2]) / 2, cy = (region[1] + region[3]) / 2;
	double *d = NULL, res = -1, half = 0;
	size_t i, k = 0;

	d = malloc((n / step + 1) * sizeof(*d));
	if (!d || tp_transform_new(&to_ll, g, crs, "EPSG:4326") ||
	    tp_transform_new(&c_ll, g, dst, "EPSG:4326") || tp_transform_xy(c_ll, &cx, &cy))
		goto done;
	{
		double ax = region[0], ay = region[1], bx = region[2], by = region[3];
		if (tp_transform_xy(c_ll, &ax, &ay) == TP_OK &&
		    tp_transform_xy(c_ll, &bx, &by) == TP_OK) {
			double dx = (bx - ax) * 111.32 * cos(cy * M_PI / 180), dy = (by - ay) * 110.57;
			half = sqrt(dx * dx + dy * dy) / 2;
		}
	}
	for (i = 0; i < n; i += step) {
		double px = x[i], py = y[i];
		if (tp_transform_xy(to_ll, &px, &py) != TP_OK || fabs(py) > 90)
			continue;
		{
			double p1 = cy * M_PI / 180, p2 = py * M_PI / 180;
			double dl = (px - cx) * M_PI / 180;
			double c = sin(p1) * sin(p2) + cos(p1) * cos(p2) * cos(dl);
			double km = 6371.0 * acos(c > 1 ? 1 : c < -1 ? -1 : c) - half;
			d[k++] = km > 0 ? km : 0;
		}
	}
	if (k) {
		size_t a, b;
		/* insertion sort: the sample is small */
		for (a = 1; a < k; a++)
			for (b = a; b > 0 && d[b - 1] > d[b]; b--) {
				double t = d[b];
				d[b] = d[b - 1];
				d[b - 1] = t;
			}
		res = d[k / 2];
	}
done:
	free(d);
	tp_transform_free(to_ll);
	tp_transform_free(c_ll);
	tp_error_clear();
	return res;
}

/* "about 6,200 km" or "about 35 km". */
static void format_km(double km, char *buf, size_t len)
{
	long r = km >= 100 ? (long)(km / 100 + 0.5) * 100 : (long)(km + 0.5);

	if (r >= 1000)
		snprintf(buf, len, "about %ld,%03ld km", r / 1000, r % 1000);
	else
		snprintf(buf, len, "about %ld km", r);
}

int tp_coords_check(const tp_coords_input *in, const double *x, const double *y, size_t n,
		    const char *dst_crs, const double region[4])
{
	tp_geo *g = NULL;
	size_t step = n > SAMPLE ? n / SAMPLE : 1, k;
	double best = 0, km;
	int best_k = -1, best_swap = 0, swap, rc = TP_OK;
	char dist[64], how[256], fix[512];

	if (n == 0)
		return TP_OK;
	if (tp_geo_new(&g))
		return TP_ERROR;
	if (share_inside(g, in->crs, 0, x, y, n, step, dst_crs, region) >= ACCEPT)
		goto done;
	best = share_inside(g, in->crs, 1, x, y, n, step, dst_crs, region);
	best_swap = 1;
	for (k = 0; k < sizeof(belgian) / sizeof(belgian[0]); k++) {
		if (!strcmp(belgian[k].crs, in->crs))
			continue;
		for (swap = 0; swap < 2; swap++) {
			double s = share_inside(g, belgian[k].crs, swap, x, y, n, step, dst_crs,
						region);
			if (s > best) {
				best = s;
				best_k = (int)k;
				best_swap = swap;
			}
		}
	}
	if (best < CONVINCING)
		goto done;
	km = median_km(g, in->crs, x, y, n, step, dst_crs, region);
	if (km >= 0)
		format_km(km, dist, sizeof(dist));
	if (best_k < 0) {
		snprintf(how, sizeof(how), "read%s with x and y swapped",
			 strcmp(in->crs, "EPSG:4326") ? "" : " as lon/lat");
		if (in->xcol)
			snprintf(fix, sizeof(fix), "set x = %s and y = %s", in->ycol, in->xcol);
		else
			snprintf(fix, sizeof(fix), "swap the coordinates' axes in the source");
	} else {
		const char *c = belgian[best_k].crs;
		snprintf(how, sizeof(how), "read as %s (%s%s)%s", c, belgian[best_k].name,
			 belgian[best_k].geographic ? ", lon/lat" : "",
			 best_swap ? " with x and y swapped" : "");
		if (best_swap && in->xcol)
			snprintf(fix, sizeof(fix), "set crs = %s, x = %s and y = %s in section [%s]", c,
				 in->ycol, in->xcol, in->section);
		else if (in->xcol)
			snprintf(fix, sizeof(fix), "set crs = %s in section [%s]", c, in->section);
		else
			snprintf(fix, sizeof(fix), "the file's declared CRS is wrong; re-export it in %s",
				 c);
	}
	if (km < 0)
		snprintf(dist, sizeof(dist), "outside that CRS's valid range, far");
	rc = tp_error_set(TP_EINPUT, "%s: with crs = %s the points fall %s from the region; "
			  "%s they fall inside: %s",
			  in->path, in->crs, dist, how, fix);
done:
	tp_geo_free(g);
	return rc;
}

/*
 * zones.c: the demo's count zones, written to zones.gpkg: the Voronoi
 * cells of pseudo-random seeds clipped to the outline grown by 300 m, so
 * that they cross commune borders and the outer ones stick out of the
 * region, as real count zones do.  They carry the Nov 2024 Bruss'help
 * totals per category exactly; one zone inside the region holds exactly 3
 * people, the small cell the privacy rules must suppress.  Draws come from
 * the STREAM_ZONES stream only.
 */
#include "demo/demo_internal.h"
#include "geo/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The Nov 2024 totals of the count categories (tp_people, geo/categories.h),
 * in their order.  Emergency shelter is the remainder, so that the sum is
 * the 9,777 counted.
 */
static const long cat_totals[NCAT] = {992, 3401, 513, 683, 2649, 1539};

/* The small cell: 1 person in public space, 2 staying with third parties. */
static const long small_zone_counts[NCAT] = {1, 0, 0, 0, 0, 2};

/* Places where people sleeping rough gather (the big stations). */
static const double hotspots[][2] = {
	{148900, 169500}, {150500, 172000}, {149500, 170700},
};

/* Seeds sort north to south by band, west to east within a band. */
static int cmp_zone_seed(const void *a, const void *b)
{
	const zone *x = a, *y = b;

	if (x->band != y->band)
		return x->band - y->band;
	return (x->x > y->x) - (x->x < y->x);
}

/* The zone seeds: denser towards the centre, not too close to each other. */
static int place_zone_seeds(demo *d, rng *r)
{
	long tries;
	int n = 0, j, in;

	for (tries = 0; n < NZONES && tries < 2000000; tries++) {
		double x = d->x0 + rng_unit(r) * (d->x1 - d->x0);
		double y = d->y0 + rng_unit(r) * (d->y1 - d->y0);
		double dens = exp(-((x - CX) * (x - CX) + (y - CY) * (y - CY)) / (4000.0 * 4000.0));
		double gap = 500 + 600 * (1 - dens);
		if (rng_unit(r) > 0.3 + 0.7 * dens)
			continue;
		for (j = 0; j < n; j++)
			if (hypot(x - d->zones[j].x, y - d->zones[j].y) < gap)
				break;
		if (j < n)
			continue;
		in = tp_demo_contains_xy(d->g, d->outline_p, x, y);
		if (in < 0)
			return TP_ERROR;
		if (!in)
			continue;
		d->zones[n].x = round(x);
		d->zones[n].y = round(y);
		n++;
	}
	return n == NZONES ? TP_OK : TP_ERROR;
}

/*
 * The small zone: inside the region, preferably inside one commune, and
 * then the farthest from the centre (where 3 people is plausible).
 */
static int pick_small_zone(demo *d)
{
	GEOSContextHandle_t h = d->g->gh;
	int i, c, best = -1, best_one = 0;
	double best_d = -1;

	for (i = 0; i < NZONES; i++) {
		const zone *z = &d->zones[i];
		int one = 0;
		double dist = hypot(z->x - CX, z->y - CY);
		char in = GEOSPreparedContains_r(h, d->outline_p, z->geom);
		if (in == 2)
			return -1;
		if (!in)
			continue;
		for (c = 0; c < NCOMMUNES && !one; c++) {
			in = GEOSPreparedContains_r(h, d->commune_p[c], z->geom);
			if (in == 2)
				return -1;
			one = in;
		}
		if (one > best_one || (one == best_one && dist > best_d)) {
			best = i;
			best_one = one;
			best_d = dist;
		}
	}
	return best;
}

/* People per zone and category, totals exact (a category of total 0 was not counted). */
static int count_people(demo *d, rng *r, const long *totals)
{
	double w[NCAT][NZONES];
	long part[NZONES], small[NCAT];
	int i, k, h;

	/* the small zone keeps its 3 people when a category was not counted */
	for (k = 0; k < NCAT; k++)
		small[k] = totals[k] ? small_zone_counts[k] : 0;
	for (k = 1; k < NCAT; k++)
		small[0] += totals[k] ? 0 : small_zone_counts[k];

	for (i = 0; i < NZONES; i++) {
		const zone *z = &d->zones[i];
		double dd = hypot(z->x - CX, z->y - CY), dens = exp(-(dd / 3500) * (dd / 3500));
		double hot = 0, u[2 * NCAT];
		for (h = 0; h < (int)NELEM(hotspots); h++) {
			double dh = hypot(z->x - hotspots[h][0], z->y - hotspots[h][1]) / 900;
			hot += exp(-dh * dh);
		}
		for (k = 0; k < 2 * NCAT; k++)
			u[k] = rng_unit(r);
		w[0][i] = (0.25 + dens + 2 * hot) * (0.6 + 0.8 * u[0]);
		w[1][i] = u[1] < 0.12 + 0.35 * dens ? 0.3 + u[7] + dens : 0;
		w[2][i] = u[2] < 0.08 + 0.20 * dens ? 0.2 + u[8] : 0;
		w[3][i] = u[3] < 0.45 ? 0 : (0.2 + dens) * (0.3 + u[9]);
		w[4][i] = (0.5 + 0.5 * dens) * (0.5 + u[4]);
		w[5][i] = (0.6 + 0.6 * dens) * (0.5 + u[5]);
	}
	/* Shelters exist somewhere even when the draws put none: the centre. */
	for (k = 1; k <= 2; k++) {
		double best = HUGE_VAL;
		int at = 0;
		for (i = 0; i < NZONES; i++)
			if (w[k][i] > 0 && i != d->small_zone)
				break;
		if (i < NZONES)
			continue;
		for (i = 0; i < NZONES; i++) {
			double dd = hypot(d->zones[i].x - CX, d->zones[i].y - CY);
			if (i != d->small_zone && dd < best) {
				best = dd;
				at = i;
			}
		}
		w[k][at] = 1;
	}
	for (k = 0; k < NCAT; k++) {
		w[k][d->small_zone] = 0;
		if (tp_demo_apportion(totals[k] - small[k], w[k], NZONES, part))
			return TP_ERROR;
		for (i = 0; i < NZONES; i++)
			d->zones[i].n[k] = part[i];
		d->zones[d->small_zone].n[k] = small[k];
	}
	return TP_OK;
}

int tp_demo_build_zones(demo *d, unsigned long seed, const char *path)
{
	return tp_demo_build_zones_from(d, seed, STREAM_ZONES, cat_totals, path);
}

/* The count zones: seeds, cells, ids, the small zone and the counts. */
int tp_demo_build_zones_from(demo *d, unsigned long seed, uint64_t stream, const long *totals,
			     const char *path)
{
	GEOSContextHandle_t h = d->g->gh;
	GEOSGeometry *grown = NULL, *cells[NZONES] = {0};
	double xy[NZONES][2];
	rng r;
	int i, rc = TP_ERROR;

	/* a layout drawn before (another edition's) makes way */
	for (i = 0; i < NZONES; i++)
		if (d->zones[i].geom) {
			GEOSGeom_destroy_r(h, d->zones[i].geom);
			d->zones[i].geom = NULL;
		}
	rng_init(&r, seed, stream);
	d->g->geos_msg[0] = '\0';
	if (place_zone_seeds(d, &r)) {
		if (!d->g->geos_msg[0])
			snprintf(d->g->geos_msg, sizeof(d->g->geos_msg), "cannot place %d seeds",
				 NZONES);
		goto done;
	}
	for (i = 0; i < NZONES; i++)
		d->zones[i].band = (int)((d->y1 - d->zones[i].y) / 2000);
	qsort(d->zones, NZONES, sizeof(d->zones[0]), cmp_zone_seed);
	for (i = 0; i < NZONES; i++) {
		snprintf(d->zones[i].id, sizeof(d->zones[i].id), "Z%02d", i + 1);
		xy[i][0] = d->zones[i].x;
		xy[i][1] = d->zones[i].y;
	}
	grown = GEOSBuffer_r(h, d->outline, ZONE_MARGIN, 8);
	if (!grown)
		goto done;
	if (tp_demo_voronoi_cells(d->g, (const double (*)[2])xy, NZONES, grown, cells))
		goto done;
	for (i = 0; i < NZONES; i++) {
		d->zones[i].geom = cells[i];
		cells[i] = NULL;
	}
	d->small_zone = pick_small_zone(d);
	if (d->small_zone < 0) {
		snprintf(d->g->geos_msg, sizeof(d->g->geos_msg), "no zone lies inside the region");
		goto done;
	}
	if (count_people(d, &r, totals)) {
		snprintf(d->g->geos_msg, sizeof(d->g->geos_msg), "cannot split the counts");
		goto done;
	}
	rc = TP_OK;
done:
	return tp_demo_build_end(d, cells, NZONES, grown, rc, path, "the count zones");
}

int tp_demo_write_zones(demo *d)
{
	return tp_demo_write_zones_as(d, "zones.gpkg",
				      "Schematic count zones with the Nov 2024 totals per category",
				      cat_totals);
}

int tp_demo_write_zones_as(demo *d, const char *file, const char *description,
			   const long *totals)
{
	gpkg_field fields[1 + NCAT];
	gpkg_out o = {.ds = NULL};
	OGRFeatureH f;
	int col[NCAT], i, k, n = 1, rc;

	fields[0].name = "zone_id";
	fields[0].type = OFTString;
	/* a category the edition did not count has no column */
	for (k = 0; k < NCAT; k++) {
		col[k] = totals[k] ? n : -1;
		if (!totals[k])
			continue;
		fields[n].name = tp_people[k].name;
		fields[n++].type = OFTInteger;
	}
	rc = tp_demo_gpkg_begin(&o, d->dir, file, "zones", description, fields, n);
	for (i = 0; i < NZONES && !rc; i++) {
		const zone *z = &d->zones[i];
		if ((rc = tp_demo_gpkg_feature(&o, &f)))
			break;
		OGR_F_SetFieldString(f, 0, z->id);
		for (k = 0; k < NCAT; k++)
			if (col[k] >= 0)
				OGR_F_SetFieldInteger(f, col[k], (int)z->n[k]);
		rc = tp_demo_gpkg_add(&o, d->g, f, z->geom);
	}
	return tp_demo_gpkg_end(&o, rc);
}

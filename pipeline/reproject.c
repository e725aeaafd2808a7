/*
 * reproject.c: the reproject stage.  The geometries of the three input
 * tables go from the source CRS recorded at load to the working CRS; a
 * geometry that cannot be transformed is rejected.  Before the vacancies
 * are moved, their coordinates are checked against the region
 * (inputs/coords.h): a reading that puts them far away stops the run.
 */
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/error.h"
#include "inputs/coords.h"
#include "inputs/reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tp_rows_fn: the geometry in the working CRS. */
static GEOSGeometry *transform_one(tp_run *run, const GEOSGeometry *geom, const char **why,
				   void *arg)
{
	(void)run;
	*why = "coordinates cannot be transformed to the working CRS";
	return geom ? tp_transform_geom(arg, geom) : NULL;
}

static int reproject_table(tp_run *run, const char *table, const char *dst)
{
	tp_transform *t = NULL;
	char *src = NULL;
	int rc;

	rc = tp_store_source_crs(run->db, &src, table);
	if (rc)
		return rc;
	if (!src)
		return tp_error_set(TP_ESTORE, "working store: no source CRS for %s; run the load stage",
				    table);
	rc = tp_transform_new(&t, run->g, src, dst);
	if (rc)
		rc = tp_error_wrap(rc, "input '%s'", table);
	else if (!tp_transform_is_identity(t))
		rc = tp_rows_rewrite(run, table, "reproject", transform_one, t);
	tp_transform_free(t);
	free(src);
	return rc;
}

/* Stops the run when the vacancies' coordinates, read as configured, fall
 * far from the region (the communes, already reprojected) but another
 * reading would put them inside (inputs/coords.h).  Geocoded points are
 * left out: the address reference placed them. */
static int check_vacancy_coords(tp_run *run, const char *dst)
{
	const tp_input_cfg *in = &run->cfg->inputs[TP_IN_VACANCIES];
	tp_vacancy_points p = {0};
	double region[4];
	double *x = NULL, *y = NULL;
	char *src = NULL;
	size_t i, n = 0;
	int rc;

	rc = tp_store_source_crs(run->db, &src, "vacancies");
	if (!rc)
		rc = tp_rows_extent(run->db, run->g, "communes", region);
	/* kept for validate and locate (an identity reprojection changes none) */
	if (!rc)
		rc = tp_rows_vacancy_points(run, &p, 1);
	if (!rc && src && p.n && region[0] <= region[2]) {
		x = malloc(p.n * sizeof(*x));
		y = malloc(p.n * sizeof(*y));
		if (!x || !y)
			rc = tp_error_set(TP_ERROR, "out of memory");
		/* NAN, NAN: not a point (rows.h) */
		for (i = 0; i < p.n && !rc; i++)
			if (!p.geocoded[i] && (!isnan(p.xy[2 * i]) || !isnan(p.xy[2 * i + 1]))) {
				x[n] = p.xy[2 * i];
				y[n++] = p.xy[2 * i + 1];
			}
		if (!rc) {
			tp_coords_input ci = {in->path, "vacancies", src, in->x, in->y};
			rc = tp_coords_check(&ci, x, y, n, dst, region);
		}
	}
	free(x);
	free(y);
	free(src);
	return rc;
}

int tp_stage_reproject(tp_run *run)
{
	char *dst = NULL;
	int k, rc;

	rc = tp_store_meta_get(run->db, &dst, "crs");
	if (rc)
		return rc;
	if (!dst)
		return tp_error_set(TP_ESTORE, "working store: no working CRS; run the load stage");
	for (k = 0; k < TP_IN_COUNT && !rc; k++) {
		if (run->skip && run->skip[k])
			continue;
		if (k == TP_IN_VACANCIES)
			rc = check_vacancy_coords(run, dst);
		if (!rc)
			rc = reproject_table(run, tp_input_def_get(k)->name, dst);
	}
	free(dst);
	return rc;
}

/*
 * apportion.c: the apportion stage.  Each count zone is cut by the communes
 * (geo/overlay.h) and its people shared by area into zone_shares; a zone's
 * area inside and outside the region goes to zones, and a zone wholly
 * outside is rejected.
 */
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/error.h"
#include "geo/overlay.h"

#include <stdio.h>
#include <stdlib.h>

int tp_stage_apportion(tp_run *run)
{
	tp_rows zon = {0}, com = {0};
	tp_rings zr = {0}, cr = {0};
	tp_share *ps = NULL;
	double *inside = NULL;
	sqlite3_stmt *ins = NULL, *upd = NULL;
	size_t i, k = 0, nps = 0;
	long partly = 0;
	int rc;

	rc = tp_store_exec(run->db, "DELETE FROM zone_shares");
	if (!rc)
		rc = tp_rows_polygons(run, &zon, &zr,
				      "SELECT id, geom, zone_id, total FROM zones ORDER BY zone_id");
	if (!rc)
		rc = tp_rows_polygons(run, &com, &cr,
				      "SELECT id, geom, nis_code FROM communes ORDER BY nis_code");
	if (!rc && !(inside = calloc(zon.n ? zon.n : 1, sizeof(*inside))))
		rc = tp_error_set(TP_ERROR, "out of memory");
	if (!rc)
		rc = tp_overlay_shares(run->g, &zr, &cr, &ps, &nps, inside);
	if (!rc)
		rc = tp_store_prepare(run->db, &ins,
				      "INSERT INTO zone_shares(zone_id, nis_code, area, share, people)"
				      " VALUES (?, ?, ?, ?, ?)");
	if (!rc)
		rc = tp_store_prepare(run->db, &upd,
				      "UPDATE zones SET area = ?, inside_area = ?, outside_area = ?"
				      " WHERE id = ?");
	for (i = 0; i < zon.n && !rc; i++) {
		double area = tp_geo_area(run->g, zon.geom[i]);

		if (inside[i] <= 0) {
			rc = tp_store_reject_row(run->db, "zones", zon.id[i], "apportion", "geometry",
						 "the zone lies wholly outside the region's communes");
			continue;
		}
		for (; k < nps && ps[k].src == i && !rc; k++) {
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, zon.key[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, com.key[ps[k].dst], -1, SQLITE_STATIC);
			sqlite3_bind_double(ins, 3, ps[k].area);
			sqlite3_bind_double(ins, 4, ps[k].share);
			sqlite3_bind_double(ins, 5, zon.value[i] * ps[k].share);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
		}
		if (area - inside[i] > 1e-6 * area)
			partly++;
		sqlite3_reset(upd);
		sqlite3_bind_double(upd, 1, area);
		sqlite3_bind_double(upd, 2, inside[i]);
		sqlite3_bind_double(upd, 3, area > inside[i] ? area - inside[i] : 0);
		sqlite3_bind_int64(upd, 4, zon.id[i]);
		if (!rc && sqlite3_step(upd) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	if (!rc && partly && !run->quiet)
		fprintf(stderr,
			"apportion: %ld zone%s partly outside the region; their people go to "
			"the part inside (see outside_area in count_zones)\n",
			partly, partly > 1 ? "s" : "");
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	free(ps);
	free(inside);
	tp_rings_dispose(&zr);
	tp_rings_dispose(&cr);
	tp_rows_dispose(run->g, &zon);
	tp_rows_dispose(run->g, &com);
	return rc;
}

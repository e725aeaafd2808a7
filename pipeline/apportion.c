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
#include <string.h>

int tp_zone_overlay_make(tp_run *run, const char *zones_sql, tp_zone_overlay *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	rc = tp_rows_polygons(run, &o->zon, &o->zr, zones_sql);
	if (!rc)
		rc = tp_rows_polygons(run, &o->com, &o->cr,
				      "SELECT id, geom, nis_code FROM communes ORDER BY nis_code");
	if (!rc && !(o->inside = calloc(o->zon.n ? o->zon.n : 1, sizeof(*o->inside))))
		rc = tp_error_set(TP_ERROR, "out of memory");
	if (!rc)
		rc = tp_overlay_shares(run->g, &o->zr, &o->cr, &o->ps, &o->nps, o->inside);
	return rc;
}

void tp_zone_overlay_dispose(tp_run *run, tp_zone_overlay *o)
{
	free(o->ps);
	free(o->inside);
	tp_rings_dispose(&o->zr);
	tp_rings_dispose(&o->cr);
	tp_rows_dispose(run->g, &o->zon);
	tp_rows_dispose(run->g, &o->com);
	memset(o, 0, sizeof(*o));
}

int tp_stage_apportion(tp_run *run)
{
	tp_zone_overlay o = {0};
	sqlite3_stmt *ins = NULL, *upd = NULL;
	size_t i, k = 0;
	long partly = 0;
	int rc;

	rc = tp_store_exec(run->db, "DELETE FROM zone_shares");
	if (!rc)
		rc = tp_zone_overlay_make(run, "SELECT id, geom, zone_id, total FROM zones"
					       " ORDER BY zone_id", &o);
	if (!rc)
		rc = tp_store_prepare(run->db, &ins,
				      "INSERT INTO zone_shares(zone_id, nis_code, area, share, people)"
				      " VALUES (?, ?, ?, ?, ?)");
	if (!rc)
		rc = tp_store_prepare(run->db, &upd,
				      "UPDATE zones SET area = ?, inside_area = ?, outside_area = ?"
				      " WHERE id = ?");
	for (i = 0; i < o.zon.n && !rc; i++) {
		double area = tp_geo_area(run->g, o.zon.geom[i]);

		if (o.inside[i] <= 0) {
			rc = tp_store_reject_row(run->db, "zones", o.zon.id[i], "apportion", "geometry",
						 "the zone lies wholly outside the region's communes");
			continue;
		}
		for (; k < o.nps && o.ps[k].src == i && !rc; k++) {
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, o.zon.key[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, o.com.key[o.ps[k].dst], -1, SQLITE_STATIC);
			sqlite3_bind_double(ins, 3, o.ps[k].area);
			sqlite3_bind_double(ins, 4, o.ps[k].share);
			sqlite3_bind_double(ins, 5, o.zon.value[i] * o.ps[k].share);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
		}
		if (area - o.inside[i] > 1e-6 * area)
			partly++;
		sqlite3_reset(upd);
		sqlite3_bind_double(upd, 1, area);
		sqlite3_bind_double(upd, 2, o.inside[i]);
		sqlite3_bind_double(upd, 3, area > o.inside[i] ? area - o.inside[i] : 0);
		sqlite3_bind_int64(upd, 4, o.zon.id[i]);
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
	tp_zone_overlay_dispose(run, &o);
	return rc;
}

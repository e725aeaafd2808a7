/*
 * load.c: the load stage.  Each input file is read as configured
 * (inputs/reader.h) into its table of the working store, a row that cannot
 * be read going to rejects with its reason; meta gets the run's working
 * CRS, reference date, config and version.
 */
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/array.h"
#include "geo/categories.h"
#include "geo/error.h"
#include "geo/json.h"
#include "inputs/file.h"
#include "inputs/reader.h"
#include "outputs/pg.h"
#include "version.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PRINTED_REJECTS 10

/* The store column of an input field ("id" would clash with the row id). */
static const char *column_of(const char *field)
{
	return strcmp(field, "id") == 0 ? "src_id" : field;
}

/* Notes rec, a row that is no record, in the skipped list: "3, 8 blank;
 * 40 total" (source.h, reader.h). */
static void note_skipped(char *list, size_t len, const tp_record *rec, const char **last)
{
	size_t used = strlen(list);
	const char *kind = !strcmp(rec->skipped, "total row") ? "total" : "blank";

	if (*last && strcmp(*last, kind))
		used += (size_t)snprintf(list + used, len - used, " %s;", *last);
	if (used + 16 < len)
		snprintf(list + used, len - used, "%s%ld", used && list[used - 1] != ';' ? ", " : used ? " " : "",
			 rec->row);
	*last = kind;
}

int tp_load_input(tp_run *run, const tp_input_def *def, const tp_input_cfg *in,
		  const char *input)
{
	tp_reader *r = NULL;
	tp_record rec = {0};
	tp_vacancy_points pts = {0};
	sqlite3_stmt *ins = NULL, *extra = NULL, *orig = NULL;
	/* the vacancies' points, kept for reproject, validate and locate (rows.h) */
	int keep = !strcmp(tp_store_rows(def->name), TP_VACANCY_ROWS);
	size_t cap = 0;
	const char *side = tp_store_originals(def->name); /* where the originals go, NULL: ins */
	char sql[1024], skipped[2048] = "";
	const char *last_skip = NULL;
	int iw = tp_input_def_field(def, "works_start");
	int idw = tp_input_def_field(def, "dwellings"), ipc = tp_input_def_field(def, "postcode");
	size_t i, used;
	char *object, fstamp[96];
	long nrej = 0, nread = 0, nskip = 0;
	int rc, got, lazy = 0;
	/* taken before the file is read: a change while it is read shows later */
	int stamped = side && in->path && tp_file_stamp(in->path, fstamp, sizeof(fstamp)) == 0;

	rc = tp_reader_open_def(&r, in, def);
	if (rc)
		return rc;
	tp_reader_threads(r, run->threads);
	if (!tp_crs_check(run->g, tp_reader_crs(r), NULL, 0)) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: unknown CRS '%s' (section [%s])",
				  in->path, tp_reader_layer(r), tp_reader_crs(r), input);
		goto done;
	}
	/* the originals beside the rows as arrays, their keys once (store.h);
	 * a CSV keeps them, and the few rows rejected are read again from it
	 * (tp_load_originals) */
	if (side) {
		tp_reader_compact(r);
		lazy = stamped && tp_reader_lazy_originals(r);
	}
	rc = tp_store_input_begin(run->db, input, in->path, tp_reader_layer(r), tp_reader_crs(r),
				  side ? tp_reader_original_keys(r) : NULL, tp_reader_owner_column(r),
				  lazy ? fstamp : NULL);
	if (rc)
		goto done;
	used = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO %s(src_row",
				 tp_store_rows(def->name));
	for (i = 0; i < def->nfields; i++)
		used += (size_t)snprintf(sql + used, sizeof(sql) - used, ", %s",
					 column_of(def->fields[i].name));
	used += (size_t)snprintf(sql + used, sizeof(sql) - used, ", geom%s%s%s) VALUES (?",
				 side ? "" : ", original", def->points ? ", geocode" : "",
				 iw >= 0 ? ", works_start_precision" : "");
	for (i = 0; i < def->nfields + 1 + !side + (def->points ? 1 : 0) + (iw >= 0 ? 1 : 0); i++)
		used += (size_t)snprintf(sql + used, sizeof(sql) - used, ", ?");
	snprintf(sql + used, sizeof(sql) - used, ")");
	rc = tp_store_prepare(run->db, &ins, sql);
	if (!rc)
		rc = tp_store_prepare(run->db, &extra, "UPDATE rejects SET dwellings = ?,"
						       " postcode = ?, geom = ? WHERE id = last_insert_rowid()");
	if (!rc && side && !lazy) {
		snprintf(sql, sizeof(sql), "INSERT INTO %s(id, original) VALUES (?, ?)", side);
		rc = tp_store_prepare(run->db, &orig, sql);
	}
	if (rc)
		goto done;
	while ((got = tp_reader_next(r, &rec)) == 1) {
		nread++;
		if (rec.skipped) {
			nskip++;
			note_skipped(skipped, sizeof(skipped), &rec, &last_skip);
			continue;
		}
		if (rec.warning[0] && !run->quiet)
			fprintf(stderr, "%s, layer %s, row %ld, %s\n", in->path, tp_reader_layer(r),
				rec.row, rec.warning);
		if (rec.reason[0]) {
			if (!run->quiet && nrej < MAX_PRINTED_REJECTS)
				fprintf(stderr, "%s, layer %s, row %ld, field %s: %s\n", in->path,
					tp_reader_layer(r), rec.row, rec.field, rec.reason);
			nrej++;
			/* a reject's original is an object, as every input's */
			object = side && rec.original
					 ? tp_json_zip(tp_reader_original_keys(r), rec.original)
					 : NULL;
			rc = tp_store_reject(run->db, input, rec.row, "load", rec.field,
					     rec.reason, object ? object : rec.original);
			free(object);
			/* what places the record and what it declared, for the outputs */
			sqlite3_reset(extra);
			sqlite3_bind_text(extra, 1, idw >= 0 ? rec.values[idw] : NULL, -1, SQLITE_STATIC);
			sqlite3_bind_text(extra, 2, ipc >= 0 ? rec.values[ipc] : NULL, -1, SQLITE_STATIC);
			sqlite3_bind_blob(extra, 3, rec.wkb, (int)rec.wkb_len, SQLITE_STATIC);
			if (!rc && sqlite3_step(extra) != SQLITE_DONE)
				rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
			if (rc)
				goto done;
			continue;
		}
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, rec.row);
		for (i = 0; i < def->nfields; i++)
			sqlite3_bind_text(ins, (int)i + 2, rec.values[i], -1, SQLITE_STATIC);
		sqlite3_bind_blob(ins, (int)def->nfields + 2, rec.wkb, (int)rec.wkb_len,
				  SQLITE_STATIC);
		if (!side)
			sqlite3_bind_text(ins, (int)def->nfields + 3, rec.original, -1, SQLITE_STATIC);
		if (def->points)
			sqlite3_bind_text(ins, (int)def->nfields + 3 + !side, rec.geocode, -1,
					  SQLITE_STATIC);
		if (iw >= 0) {
			sqlite3_bind_text(ins, (int)def->nfields + 3 + !side + def->points,
					  iw < 0 || !rec.values[iw] ? NULL
					  : rec.precision[iw]       ? rec.precision[iw]
								    : "day",
					  -1, SQLITE_STATIC);
		}
		if (sqlite3_step(ins) != SQLITE_DONE) {
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
			goto done;
		}
		if (keep && pts.n == cap) {
			size_t nc = tp_array_next(cap, 1 << 16);
			if ((rc = tp_array_resize(&pts.id, nc, sizeof(*pts.id))) ||
			    (rc = tp_array_resize(&pts.xy, nc, 2 * sizeof(*pts.xy))) ||
			    (rc = tp_array_resize(&pts.geocoded, nc, 1)))
				goto done;
			cap = nc;
		}
		if (keep) {
			/* as rows.c reads them back: the stored WKB, NAN, NAN when none */
			pts.id[pts.n] = sqlite3_last_insert_rowid(run->db);
			pts.xy[2 * pts.n] = pts.xy[2 * pts.n + 1] = NAN;
			tp_geo_wkb_xy(run->g, rec.wkb, rec.wkb_len, &pts.xy[2 * pts.n],
				      &pts.xy[2 * pts.n + 1]);
			pts.geocoded[pts.n++] = rec.geocode != NULL;
		}
		if (orig) {
			/* the original beside the row, under its id */
			sqlite3_reset(orig);
			sqlite3_bind_int64(orig, 1, sqlite3_last_insert_rowid(run->db));
			sqlite3_bind_text(orig, 2, rec.original, -1, SQLITE_STATIC);
			if (sqlite3_step(orig) != SQLITE_DONE) {
				rc = tp_error_set(TP_ERROR, "working store: %s",
						  sqlite3_errmsg(run->db));
				goto done;
			}
		}
	}
	if (got < 0) {
		rc = got;
		goto done;
	}
	if (last_skip) {
		used = strlen(skipped);
		snprintf(skipped + used, sizeof(skipped) - used, " %s", last_skip);
	}
	if (!run->quiet && nrej > MAX_PRINTED_REJECTS)
		fprintf(stderr, "%s: %ld more rejected rows, listed in the rejects layer\n",
			in->path, nrej - MAX_PRINTED_REJECTS);
	rc = tp_store_input_end(run->db, input, nread, nskip, nskip ? skipped : NULL);
	if (!rc && keep)
		rc = tp_rows_points_keep(run, &pts);
done:
	tp_vacancy_points_free(&pts);
	tp_record_dispose(&rec);
	sqlite3_finalize(ins);
	sqlite3_finalize(extra);
	sqlite3_finalize(orig);
	tp_reader_free(r);
	return rc;
}

/* The rejects of one input whose original values tp_load_originals reads
 * again: their rows in the input (ascending, each once) and the keys and
 * stamp load recorded. */
typedef struct {
	char *input, *path, *stamp, *keys;
	long *row;
	size_t n, cap;
} refetch;

static void refetch_clear(refetch *f)
{
	free(f->input);
	free(f->path);
	free(f->stamp);
	free(f->keys);
	free(f->row);
	memset(f, 0, sizeof(*f));
}

/* The config of the input read as `input` (load's, or an earlier vacancy
 * snapshot's "vacancies.YYYY-MM-DD"), or NULL. */
static const tp_input_cfg *input_cfg(const tp_run *run, const char *input,
				     const tp_input_def **def)
{
	size_t k;

	for (k = 0; k < TP_IN_COUNT; k++) {
		if (!strcmp(tp_input_def_get((int)k)->name, input)) {
			*def = tp_input_def_get((int)k);
			return &run->cfg->inputs[k];
		}
	}
	for (k = 0; k < run->cfg->nsnapshots; k++) {
		const tp_snapshot_cfg *s = &run->cfg->snapshots[k];
		if (!strncmp(input, "vacancies.", 10) && !strcmp(input + 10, s->date)) {
			*def = tp_input_def_get(TP_IN_VACANCIES);
			return &s->in;
		}
	}
	return NULL;
}

/* Reads the originals of f's rows again from its file, checked unchanged,
 * into the rejects of f's input that have none. */
static int refetch_run(tp_run *run, const refetch *f, const char *stage)
{
	const tp_input_def *def = NULL;
	const tp_input_cfg *cfg = input_cfg(run, f->input, &def);
	tp_input_cfg in;
	tp_reader *r = NULL;
	tp_record rec = {0};
	sqlite3_stmt *upd = NULL;
	/* the stage that read the file first: an earlier snapshot's is snapshots */
	const char *first = strchr(f->input, '.') ? "snapshots" : "load";
	char now[96];
	size_t k = 0, found = 0;
	int rc, got;

	if (!cfg)
		return tp_error_set(TP_ERROR, "working store: input '%s' was not loaded by this"
				    " configuration", f->input);
	if (tp_file_stamp(f->path, now, sizeof(now)))
		return tp_error_set(TP_EINPUT, "%s: cannot be read again (%s) for the original"
				    " values of the rows the %s stage rejects; run again from %s",
				    f->path, strerror(errno), stage, first);
	if (strcmp(now, f->stamp))
		return tp_error_set(TP_EINPUT, "%s: changed since the %s stage read it (%s then,"
				    " %s now); the %s stage reads the original values of the rows"
				    " it rejects from it: run again from %s",
				    f->path, first, f->stamp, now, stage, first);
	/* the file load read, under the configuration of now */
	in = *cfg;
	in.path = f->path;
	rc = tp_reader_open_originals(&r, &in, def, f->row, f->n);
	if (!rc) {
		tp_reader_compact(r);
		tp_reader_threads(r, run->threads);
		if (!f->keys || strcmp(tp_reader_original_keys(r), f->keys))
			rc = tp_error_set(TP_EINPUT, "%s: its columns are not those the %s stage"
					  " read (%s now); run again from %s",
					  f->path, first, tp_reader_original_keys(r), first);
	}
	if (!rc)
		rc = tp_store_prepare(run->db, &upd,
				      "UPDATE rejects SET original = ? WHERE input = ?"
				      " AND src_row = ? AND original IS NULL");
	while (!rc && (got = tp_reader_next(r, &rec)) != 0) {
		char *object;
		if (got < 0) {
			rc = got;
			break;
		}
		while (k < f->n && f->row[k] < rec.row)
			k++;
		if (k == f->n || f->row[k] != rec.row || !rec.original)
			continue;
		found++;
		object = tp_json_zip(f->keys, rec.original);
		if (!object) {
			rc = tp_error_set(TP_ERROR, "out of memory");
			break;
		}
		sqlite3_reset(upd);
		sqlite3_bind_text(upd, 1, object, -1, free);
		sqlite3_bind_text(upd, 2, f->input, -1, SQLITE_STATIC);
		sqlite3_bind_int64(upd, 3, rec.row);
		if (sqlite3_step(upd) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	}
	if (!rc && found != f->n)
		rc = tp_error_set(TP_EINPUT, "%s: %zu of the %zu rows the %s stage rejects are no"
				  " record any more; run again from %s", f->path, f->n - found,
				  f->n, stage, first);
	tp_record_dispose(&rec);
	sqlite3_finalize(upd);
	tp_reader_free(r);
	return rc;
}

int tp_load_originals(tp_run *run, const char *stage)
{
	sqlite3_stmt *q = NULL;
	refetch f = {0};
	int rc, step;

	rc = tp_store_prepare(run->db, &q,
			      "SELECT DISTINCT r.input, s.path, s.source_stamp, s.original_keys,"
			      " r.src_row FROM rejects r JOIN input_stats s ON s.input = r.input"
			      " WHERE r.original IS NULL AND s.source_stamp IS NOT NULL"
			      " ORDER BY r.input, r.src_row");
	while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *input = (const char *)sqlite3_column_text(q, 0);
		if (f.input && strcmp(f.input, input)) {
			rc = refetch_run(run, &f, stage);
			refetch_clear(&f);
		}
		if (!rc && !f.input) {
			const char *keys = (const char *)sqlite3_column_text(q, 3);
			f.input = strdup(input);
			f.path = strdup((const char *)sqlite3_column_text(q, 1));
			f.stamp = strdup((const char *)sqlite3_column_text(q, 2));
			f.keys = keys ? strdup(keys) : NULL;
			if (!f.input || !f.path || !f.stamp || (keys && !f.keys))
				rc = tp_error_set(TP_ERROR, "out of memory");
		}
		if (!rc)
			rc = tp_array_room(&f.row, &f.cap, f.n, sizeof(*f.row), 64);
		if (!rc)
			f.row[f.n++] = (long)sqlite3_column_int64(q, 4);
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(run->db));
	sqlite3_finalize(q);
	if (!rc && f.input)
		rc = refetch_run(run, &f, stage);
	refetch_clear(&f);
	return rc;
}

/* One term of the sum of a zone's categories (geo/categories.h); one not counted is NULL. */
#define PLUS(c, fr, nl, aliases) " + IFNULL(" #c ", 0)"

int tp_stage_load(tp_run *run)
{
	tp_config *cfg = run->cfg;
	PJ *crs = NULL;
	char stamp[32], *masked = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc, k;

	crs = proj_create(run->g->pj, cfg->crs);
	if (!crs)
		return tp_error_set(TP_ECONFIG, "%s: [run] crs: unknown CRS '%s'", cfg->path,
				    cfg->crs);
	rc = tp_store_reset(run->db);
	if (!rc)
		rc = tp_store_meta_set(run->db, "crs", cfg->crs);
	if (!rc)
		rc = tp_store_meta_set(run->db, "crs_wkt",
				       proj_as_wkt(run->g->pj, crs, PJ_WKT2_2019, NULL));
	proj_destroy(crs);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* a password of [outputs] database never reaches an output's metadata */
	masked = tp_pg_mask(cfg->text);
	if (!rc && !masked)
		rc = tp_error_set(TP_ERROR, "out of memory");
	if (!rc) {
		const char *const meta[][2] = {
			{"run_started", stamp},
			{"config_path", cfg->path},
			{"config_text", masked},
			{"tremplin_version", TP_VERSION},
			{"reference_date", cfg->reference_date},
			{"note", cfg->note ? cfg->note : ""},
			{"sources", cfg->sources ? cfg->sources : ""},
		};
		rc = tp_store_meta_set_all(run->db, meta, sizeof(meta) / sizeof(meta[0]));
	}
	free(masked);
	for (k = 0; k < TP_IN_COUNT && !rc; k++)
		rc = run->skip && run->skip[k] ? TP_OK
		     : tp_load_input(run, tp_input_def_get(k), &cfg->inputs[k],
				     tp_input_def_get(k)->name);
	if (!rc)
		rc = tp_load_register(run);
	if (!rc)
		rc = tp_store_exec(run->db, "UPDATE zones SET " TP_ZONE_TOTAL " = 0"
					    TP_CATEGORIES(PLUS));
	return rc;
}

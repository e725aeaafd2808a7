/*
 * snapshots.c: the snapshots stage.  Empty dwellings are reported again
 * and again: the scored file ([vacancies], dated by its `date`, else the
 * reference date) and any earlier ones ([vacancies.YYYY-MM-DD], read as
 * [vacancies] is) are matched record by record, in date order, to say how
 * long each building has stood empty and, per commune and snapshot, how
 * many dwellings were empty, came in and went out.
 *
 * A record is the building of an earlier snapshot's record when it has the
 * same id, else the same address key (as for duplicates), else a point
 * within 1 m of one of its points (1e-5 for lon/lat): the matching memory
 * of inputs/dupes.h, told to take a point whatever its address.  A
 * building is matched once per snapshot.  Per building (vacancy_tracks):
 * first and last snapshot seen, the first snapshot of its current spell
 * (it may have gone and come back), the snapshots seen, and months empty
 * up to the last snapshot seen, from its vacant_since when the record
 * gives one, else from its spell's first snapshot.  Per commune and
 * snapshot (vacancy_flows; a row with no nis_code for the whole region):
 * records and dwellings empty, entered since the snapshot before (absent
 * from it) and left (in the snapshot before, absent from this one), by the
 * commune of the record that entered or of the one that left; the first
 * snapshot has no entered or left.
 *
 * An earlier snapshot's rows are read, rejected (with input
 * "vacancies.YYYY-MM-DD") and placed in their commune here; the scored
 * file went through load, reproject, validate and locate.
 */
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/array.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/pointloc.h"
#include "inputs/dupes.h"
#include "inputs/geocode.h"
#include "inputs/reader.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAYS_PER_MONTH 30.436875 /* as pipeline/score.c */
#define MAX_SNAPSHOTS 64         /* a track's snapshots are bits of a uint64_t */
#define NO_DAY LONG_MIN

/* One record of one snapshot. */
typedef struct {
	int snap;           /* its snapshot, in date order (the scored one last) */
	long row;           /* its source row, for rejects */
	long long vacancy;  /* vacancies.id in the scored snapshot, else 0 */
	char *id;           /* source id, or NULL */
	char *address;      /* as given, or NULL */
	char *key;          /* address key (tp_address_key), or NULL */
	char *original;     /* source values (earlier snapshots, until located), or NULL */
	double xy[2];       /* point in the working CRS */
	int commune;        /* index of its commune, -1 until located */
	long dwellings;     /* dwellings declared */
	long since;         /* vacant_since as a day number, NO_DAY when none */
	size_t track;       /* the building it is */
} srec;

/* One building, across snapshots. */
typedef struct {
	uint64_t seen;  /* bit s: present in snapshot s */
	int first;      /* first snapshot seen */
	int last;       /* last snapshot seen */
	int spell;      /* first snapshot of the run of snapshots ending at last */
	size_t rec;     /* its record in snapshot last */
} track;

/* What the stage holds. */
typedef struct {
	tp_run *run;
	int nsnap;               /* earlier snapshots + the scored one */
	char (*date)[11];        /* each snapshot's date */
	long *day;               /* its day number */
	srec *recs;              /* every record, by snapshot */
	size_t n, cap;           /* entries of recs */
	track *tracks;           /* the buildings */
	size_t ntracks, captracks;
	tp_rows com;             /* the communes, their nis_code as key */
	tp_rings rings;          /* and their polygons */
} state;

static char *dup_or_null(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

/* Adds a record to st->recs; NULL when out of memory. */
static srec *add_rec(state *st, int snap, const char *id, const char *address,
		     const char *postcode, const char *dwellings, const char *since)
{
	srec *r;
	char key[1024] = "";

	if (tp_array_room(&st->recs, &st->cap, st->n, sizeof(*st->recs), 1024))
		return NULL;
	r = &st->recs[st->n++];
	memset(r, 0, sizeof(*r));
	r->snap = snap;
	r->commune = -1;
	r->since = NO_DAY;
	if (since && tp_date_iso_days(since, &r->since))
		r->since = NO_DAY;
	r->dwellings = dwellings ? atol(dwellings) : 0;
	if (address && address[0])
		tp_address_key(address, postcode, key, sizeof(key));
	r->id = dup_or_null(id);
	r->address = dup_or_null(address);
	r->key = dup_or_null(key);
	if ((id && id[0] && !r->id) || (address && address[0] && !r->address) ||
	    (key[0] && !r->key)) {
		tp_error_set(TP_ERROR, "out of memory");
		return NULL;
	}
	return r;
}

/* The input name of earlier snapshot i, as in rejects and input_stats. */
static void input_name(char *buf, size_t len, const tp_snapshot_cfg *s)
{
	snprintf(buf, len, "vacancies.%s", s->date);
}

/* Reads earlier snapshot s (index snap) into st->recs: its points moved to
 * the working CRS dst, its unusable rows to rejects. */
static int read_snapshot(state *st, const tp_snapshot_cfg *s, int snap, const char *dst)
{
	tp_run *run = st->run;
	const tp_input_def *def = tp_input_def_get(TP_IN_VACANCIES);
	int iid = tp_input_def_field(def, "id"), iad = tp_input_def_field(def, "address");
	int ipc = tp_input_def_field(def, "postcode"), idw = tp_input_def_field(def, "dwellings");
	int ivs = tp_input_def_field(def, "vacant_since");
	tp_reader *r = NULL;
	tp_transform *t = NULL;
	tp_record rec = {0};
	char name[64];
	long nread = 0, nskip = 0;
	int rc, got;

	input_name(name, sizeof(name), s);
	rc = tp_reader_open(&r, &s->in, TP_IN_VACANCIES);
	if (rc)
		return tp_error_wrap(rc, "[%s]", name);
	if (!tp_crs_check(run->g, tp_reader_crs(r), NULL, 0)) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: unknown CRS '%s' (section [%s])",
				  s->in.path, tp_reader_layer(r), tp_reader_crs(r), name);
		goto done;
	}
	rc = tp_transform_new(&t, run->g, tp_reader_crs(r), dst);
	if (!rc)
		rc = tp_store_input_begin(run->db, name, s->in.path, tp_reader_layer(r),
					  tp_reader_crs(r));
	if (rc)
		goto done;
	while ((got = tp_reader_next(r, &rec)) == 1) {
		const char *why = rec.reason[0] ? rec.reason : NULL, *field = rec.field;
		double xy[2] = {0, 0};
		srec *sr;

		nread++;
		if (rec.skipped) {
			nskip++;
			continue;
		}
		if (!why && (!rec.wkb || rec.wkb_len != 21)) {
			why = "no point: give x and y, or an address with an [addresses] section";
			field = "geometry";
		}
		if (!why) {
			memcpy(&xy[0], rec.wkb + 5, 8);
			memcpy(&xy[1], rec.wkb + 13, 8);
			if (rec.wkb[0] != 1 || tp_transform_xy(t, &xy[0], &xy[1])) {
				why = "coordinates cannot be transformed to the working CRS";
				field = "geometry";
			}
		}
		if (why) {
			rc = tp_store_reject(run->db, name, rec.row, "snapshots", field, why,
					     rec.original);
			if (rc)
				goto done;
			continue;
		}
		sr = add_rec(st, snap, rec.values[iid], rec.values[iad],
			     ipc >= 0 ? rec.values[ipc] : NULL, rec.values[idw], rec.values[ivs]);
		if (!sr || !(sr->original = strdup(rec.original ? rec.original : "{}"))) {
			rc = tp_error_set(TP_ERROR, "out of memory");
			goto done;
		}
		sr->row = rec.row;
		sr->xy[0] = xy[0];
		sr->xy[1] = xy[1];
	}
	if (got < 0) {
		rc = got;
		goto done;
	}
	rc = tp_store_input_end(run->db, name, nread, nskip, NULL);
done:
	tp_record_dispose(&rec);
	tp_transform_free(t);
	tp_reader_free(r);
	return rc;
}

/* Places the earlier snapshots' records in their communes (the border
 * rule of geo/pointloc.h); a record outside every commune is rejected. */
static int locate_earlier(state *st, size_t n)
{
	tp_run *run = st->run;
	double *xy = NULL;
	int32_t *in = NULL;
	char why[256], name[64];
	size_t i;
	long nt = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = TP_OK;

	if (!n)
		return TP_OK;
	xy = malloc(n * 2 * sizeof(*xy));
	in = malloc(n * sizeof(*in));
	if (!xy || !in) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++)
		memcpy(&xy[2 * i], st->recs[i].xy, sizeof(st->recs[i].xy));
	rc = tp_locate_points(in, &st->rings, (const char *const *)st->com.key, xy, n,
			      nt < 1 ? 1 : nt > 8 ? 8 : (int)nt, NULL);
	for (i = 0; i < n && !rc; i++) {
		srec *r = &st->recs[i];
		r->commune = in[i];
		if (in[i] >= 0)
			continue;
		input_name(name, sizeof(name), &st->run->cfg->snapshots[r->snap]);
		snprintf(why, sizeof(why), "outside every commune of the region (x %.1f, y %.1f in "
			 "the working CRS)", r->xy[0], r->xy[1]);
		rc = tp_store_reject(run->db, name, r->row, "snapshots", "geometry", why,
				     r->original);
	}
done:
	free(xy);
	free(in);
	return rc;
}

/* The scored snapshot's records: the located vacancies. */
static int read_scored(state *st, int snap)
{
	sqlite3_stmt *q = NULL;
	int rc, step;
	size_t c;

	rc = tp_store_prepare(st->run->db, &q,
			      "SELECT id, src_id, address, postcode, dwellings, vacant_since, nis_code,"
			      " geom FROM vacancies WHERE nis_code IS NOT NULL ORDER BY id");
	if (rc)
		return rc;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *wkb = sqlite3_column_blob(q, 7);
		const char *nis = (const char *)sqlite3_column_text(q, 6);
		srec *r = add_rec(st, snap, (const char *)sqlite3_column_text(q, 1),
				  (const char *)sqlite3_column_text(q, 2),
				  (const char *)sqlite3_column_text(q, 3),
				  (const char *)sqlite3_column_text(q, 4),
				  (const char *)sqlite3_column_text(q, 5));
		if (!r) {
			rc = TP_ERROR;
			break;
		}
		r->vacancy = sqlite3_column_int64(q, 0);
		if (wkb && sqlite3_column_bytes(q, 7) == 21 && wkb[0] == 1) {
			memcpy(&r->xy[0], wkb + 5, 8);
			memcpy(&r->xy[1], wkb + 13, 8);
		}
		for (c = 0; c < st->com.n; c++)
			if (st->com.key[c] && !strcmp(st->com.key[c], nis)) {
				r->commune = (int)c;
				break;
			}
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(st->run->db));
	sqlite3_finalize(q);
	return rc;
}

/* Gives each located record its building: one already seen in an earlier
 * snapshot (not yet matched in this one), else a new one. */
static int match(state *st)
{
	tp_dupes *d = NULL;
	size_t i = 0, start;
	int rc, s;

	rc = tp_dupes_new_points(&d);
	for (s = 0; s < st->nsnap && !rc; s++) {
		for (start = i; i < st->n && st->recs[i].snap == s; i++) {
			srec *r = &st->recs[i];
			const char *field, *how;
			long t;
			track *tr;

			if (r->commune < 0)
				continue;
			t = tp_dupes_find(d, r->id, r->key, r->xy, &field, &how);
			if (t && st->tracks[t - 1].last == s)
				t = 0;
			if (!t) {
				if (tp_array_room(&st->tracks, &st->captracks, st->ntracks,
						  sizeof(*st->tracks), 1024)) {
					rc = TP_ERROR;
					break;
				}
				st->tracks[st->ntracks] = (track){0, s, s, s, i};
				t = (long)++st->ntracks;
			}
			tr = &st->tracks[t - 1];
			if (tr->last != s - 1 && tr->last != s)
				tr->spell = s;
			tr->last = s;
			tr->seen |= (uint64_t)1 << s;
			tr->rec = i;
			r->track = (size_t)t - 1;
		}
		/* remembered only now: records of one snapshot never match each other */
		for (; start < i && !rc; start++) {
			srec *r = &st->recs[start];
			if (r->commune >= 0)
				rc = tp_dupes_add(d, r->id, r->key, r->xy, (long)r->track + 1);
		}
	}
	tp_dupes_free(d);
	return rc;
}

/* vacancy_tracks: one row per building. */
static int write_tracks(state *st)
{
	sqlite3_stmt *ins = NULL;
	size_t i;
	int rc, s;

	rc = tp_store_prepare(st->run->db, &ins,
			      "INSERT INTO vacancy_tracks(vacancy, src_id, address, nis_code, dwellings,"
			      " first_seen, last_seen, spell_start, seen, months_empty)"
			      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	for (i = 0; i < st->ntracks && !rc; i++) {
		const track *t = &st->tracks[i];
		const srec *r = &st->recs[t->rec];
		long from = r->since != NO_DAY ? r->since : st->day[t->spell];
		char seen[MAX_SNAPSHOTS * 11 + 1] = "";
		size_t used = 0;

		for (s = 0; s < st->nsnap; s++)
			if (t->seen & ((uint64_t)1 << s))
				used += (size_t)snprintf(seen + used, sizeof(seen) - used, "%s%s",
							 used ? "," : "", st->date[s]);
		sqlite3_reset(ins);
		if (r->vacancy)
			sqlite3_bind_int64(ins, 1, r->vacancy);
		else
			sqlite3_bind_null(ins, 1);
		sqlite3_bind_text(ins, 2, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, r->address, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, st->com.key[r->commune], -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 5, r->dwellings);
		sqlite3_bind_text(ins, 6, st->date[t->first], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, st->date[t->last], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 8, st->date[t->spell], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 9, seen, -1, SQLITE_STATIC);
		/* tenths of a month; a vacant_since after the snapshot is no time empty */
		sqlite3_bind_double(ins, 10, round(fmax(0, (double)(st->day[t->last] - from)) /
						   DAYS_PER_MONTH * 10) / 10);
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(st->run->db));
	}
	sqlite3_finalize(ins);
	return rc;
}

/* The six counts of one commune (or the region) in one snapshot. */
typedef struct {
	long long records, dwellings, in_records, in_dwellings, out_records, out_dwellings;
} flow;

/* vacancy_flows: per commune and snapshot, then the region. */
static int write_flows(state *st)
{
	size_t nc = st->com.n + 1, i, c;
	flow *f = calloc((size_t)st->nsnap * nc, sizeof(*f));
	sqlite3_stmt *ins = NULL;
	int rc, s;

	if (!f)
		return tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; i < st->n; i++) {
		const srec *r = &st->recs[i];
		uint64_t seen;
		if (r->commune < 0)
			continue;
		seen = st->tracks[r->track].seen;
		for (c = (size_t)r->commune;; c = nc - 1) {
			flow *here = &f[(size_t)r->snap * nc + c];
			here->records++;
			here->dwellings += r->dwellings;
			if (r->snap > 0 && !(seen & ((uint64_t)1 << (r->snap - 1)))) {
				here->in_records++;
				here->in_dwellings += r->dwellings;
			}
			if (r->snap + 1 < st->nsnap && !(seen & ((uint64_t)1 << (r->snap + 1)))) {
				flow *next = &f[(size_t)(r->snap + 1) * nc + c];
				next->out_records++;
				next->out_dwellings += r->dwellings;
			}
			if (c == nc - 1)
				break;
		}
	}
	rc = tp_store_prepare(st->run->db, &ins,
			      "INSERT INTO vacancy_flows(nis_code, snapshot, empty_records,"
			      " empty_dwellings, entered_records, entered_dwellings, left_records,"
			      " left_dwellings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	for (s = 0; s < st->nsnap && !rc; s++)
		for (c = 0; c < nc && !rc; c++) {
			const flow *x = &f[(size_t)s * nc + c];
			const long long v[6] = {x->records, x->dwellings, x->in_records,
						x->in_dwellings, x->out_records, x->out_dwellings};
			int k;
			sqlite3_reset(ins);
			sqlite3_bind_text(ins, 1, c < nc - 1 ? st->com.key[c] : NULL, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, st->date[s], -1, SQLITE_STATIC);
			for (k = 0; k < 6; k++)
				if (k < 2 || s > 0)
					sqlite3_bind_int64(ins, 3 + k, v[k]);
				else
					sqlite3_bind_null(ins, 3 + k);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = tp_error_set(TP_ERROR, "working store: %s",
						  sqlite3_errmsg(st->run->db));
		}
	sqlite3_finalize(ins);
	free(f);
	return rc;
}

int tp_snapshot_counts(sqlite3 *db, const tp_snapshot_cfg *s, long long *n, long long *a,
		       long long *r, long long *skipped)
{
	char input[64], *accepted;
	int rc;

	input_name(input, sizeof(input), s);
	/* each record placed is one building seen in that snapshot (match() above) */
	accepted = sqlite3_mprintf("SELECT COUNT(*) FROM vacancy_tracks"
				   " WHERE instr(',' || seen || ',', ',' || %Q || ',') > 0", s->date);
	rc = accepted ? tp_store_input_counts(db, input, accepted, n, a, r, skipped)
		      : tp_error_set(TP_ERROR, "out of memory");
	sqlite3_free(accepted);
	return rc;
}

int tp_stage_snapshots(tp_run *run)
{
	const tp_config *cfg = run->cfg;
	state st = {0};
	char *dst = NULL;
	size_t i, earlier;
	int rc, s;

	st.run = run;
	st.nsnap = (int)cfg->nsnapshots + 1;
	if (st.nsnap > MAX_SNAPSHOTS)
		return tp_error_set(TP_ECONFIG, "%s: %zu earlier vacancy snapshots: at most %d",
				    cfg->path, cfg->nsnapshots, MAX_SNAPSHOTS - 1);
	st.date = calloc((size_t)st.nsnap, sizeof(*st.date));
	st.day = calloc((size_t)st.nsnap, sizeof(*st.day));
	if (!st.date || !st.day) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto done;
	}
	for (s = 0; s < st.nsnap; s++) {
		memcpy(st.date[s], s + 1 < st.nsnap ? cfg->snapshots[s].date
				   : cfg->vacancies_date[0] ? cfg->vacancies_date
							     : cfg->reference_date, 11);
		tp_date_iso_days(st.date[s], &st.day[s]);
	}
	/* a stage run again starts over */
	rc = tp_store_exec(run->db, "DELETE FROM vacancy_tracks; DELETE FROM vacancy_flows;"
				    " DELETE FROM rejects WHERE input LIKE 'vacancies.%';"
				    " DELETE FROM input_stats WHERE input LIKE 'vacancies.%'");
	if (!rc)
		rc = tp_store_meta_get(run->db, &dst, "crs");
	if (!rc && !dst)
		rc = tp_error_set(TP_ESTORE, "working store: no working CRS; run the load stage");
	if (!rc)
		rc = tp_rows_polygons(run, &st.com, &st.rings,
				      "SELECT id, geom, nis_code FROM communes ORDER BY id");
	for (s = 0; s + 1 < st.nsnap && !rc; s++)
		rc = read_snapshot(&st, &cfg->snapshots[s], s, dst);
	earlier = st.n;
	if (!rc)
		rc = locate_earlier(&st, earlier);
	if (!rc)
		rc = read_scored(&st, st.nsnap - 1);
	if (!rc)
		rc = match(&st);
	if (!rc)
		rc = write_tracks(&st);
	if (!rc)
		rc = write_flows(&st);
	/* each earlier snapshot's rows once placed: those outside every commune are rejects too */
	for (i = 0; i + 1 < (size_t)st.nsnap && !rc && !run->quiet; i++) {
		long long n, a, r, skipped;
		rc = tp_snapshot_counts(run->db, &cfg->snapshots[i], &n, &a, &r, &skipped);
		if (!rc)
			fprintf(stderr, "vacancies.%s read %lld, accepted %lld, rejected %lld, skipped %lld\n",
				cfg->snapshots[i].date, n, a, r, skipped);
	}
	if (!rc && !run->quiet && st.nsnap > 1)
		fprintf(stderr, "snapshots: %d (%s to %s), %zu buildings seen\n", st.nsnap,
			st.date[0], st.date[st.nsnap - 1], st.ntracks);
done:
	for (i = 0; i < st.n; i++) {
		free(st.recs[i].id);
		free(st.recs[i].address);
		free(st.recs[i].key);
		free(st.recs[i].original);
	}
	free(st.recs);
	free(st.tracks);
	free(st.date);
	free(st.day);
	free(dst);
	tp_rings_dispose(&st.rings);
	tp_rows_dispose(run->g, &st.com);
	return rc;
}

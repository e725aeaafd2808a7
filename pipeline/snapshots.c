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
 * within 1 m of one of its points (1e-5 for lon/lat): the rule of
 * inputs/dupes.h, told to take a point whatever its address.  A
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
 *
 * A million records a snapshot: earlier snapshots are read two at a time,
 * side by side on two threads (the second held, then replayed in order),
 * and each record is matched as it is read (in batches, placed in their
 * communes first), so no snapshot's records are kept, only the
 * buildings (their last record's fields) and the matching memory: ids and
 * address keys in hash sets (geo/keyset.h) that keep the first building
 * given each key, and the points in a hash grid of 1 m cells.  What a
 * record is matched against is only what earlier snapshots remembered:
 * every key and point carries the snapshot that put it.  The scored
 * snapshot is read from the store on a second connection and thread while
 * this one matches it, and, with no earlier snapshot, writes its buildings.
 */
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/array.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/keyset.h"
#include "geo/parallel.h"
#include "geo/pointloc.h"
#include "geo/sqlbatch.h"
#include "inputs/geocode.h"
#include "inputs/file.h"
#include "inputs/reader.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAYS_PER_MONTH 30.436875 /* as pipeline/score.c */
#define MAX_SNAPSHOTS 64         /* a track's snapshots are bits of a uint64_t */
#define NO_DAY LONG_MIN
#define NO_TRACK SIZE_MAX
#define BATCH 65536              /* earlier records placed in their communes at once */

/* A key's or a point's value in the matching memory: its building and the
 * snapshot that put it (only earlier snapshots' are matched against). */
#define MEMO(track, snap) (((uint64_t)(track) + 1) << 8 | (uint64_t)(snap)) /* never 0 */
#define MEMO_TRACK(v) ((size_t)((v) >> 8) - 1)
#define MEMO_SNAP(v) ((int)((v)&0xff))

/* Text of records' ids and addresses: '\0'-ended strings at offsets. */
typedef struct {
	char *p;          /* the text */
	size_t n, cap;    /* bytes used and allocated */
} text;

/* One building, across snapshots, with the fields of its record in the
 * last snapshot it was seen in. */
typedef struct {
	uint64_t seen;          /* bit s: present in snapshot s */
	long long vacancy;      /* vacancies.id of that record in the scored snapshot, else 0 */
	long dwellings;         /* its dwellings declared */
	long since;             /* its vacant_since as a day number, NO_DAY when none */
	int64_t id, address;    /* its source id and address in the text of snapshot last
				   (track_text()), -1 for none */
	int32_t commune;        /* index of its commune */
	unsigned char first;    /* first snapshot seen */
	unsigned char last;     /* last snapshot seen */
	unsigned char spell;    /* first snapshot of the run of snapshots ending at last */
} track;

/* A remembered point: the 1 m grid's entries. */
typedef struct {
	double x, y;       /* the point in the working CRS */
	uint64_t memo;     /* MEMO(building, snapshot); 0 for an empty slot */
	uint32_t seq;      /* order put: the first put within the tolerance wins */
	int32_t num;       /* its address's house number and box (state.nums), 0 for none */
} point;

/* The points, in an open-addressing table hashed by grid cell: a cell's
 * points lie along the run of slots from its hash. */
typedef struct {
	point *slot;       /* a power of two of them */
	size_t cap, n;     /* slots, points held */
	uint32_t seq;      /* points put so far */
} grid;

/* A record read, as the matching sees it. */
typedef struct {
	const char *id;         /* source id, or NULL */
	const char *address;    /* as given, or NULL */
	const char *postcode;   /* or NULL */
	const char *key;        /* address key, NULL until made (rec_key()) */
	double xy[2];           /* point in the working CRS */
	long dwellings;         /* dwellings declared */
	long since;             /* vacant_since as a day number, NO_DAY when none */
	long long vacancy;      /* vacancies.id in the scored snapshot, else 0 */
	int commune;            /* index of its commune */
} rec_in;

/* The six counts of one commune (or the region) in one snapshot. */
typedef struct {
	long long records, dwellings, in_records, in_dwellings, out_records, out_dwellings;
} flow;

/* An earlier record outside every commune: rejected once all earlier
 * snapshots are read, as their rows were placed. */
typedef struct {
	int snap;          /* its snapshot */
	long row;          /* its source row */
	double xy[2];      /* its point in the working CRS */
	char *original;    /* its source values */
} outside;

/* What the stage holds. */
typedef struct {
	tp_run *run;
	int nsnap;               /* earlier snapshots + the scored one */
	char (*date)[11];        /* each snapshot's date */
	long *day;               /* its day number */
	int cur;                 /* the snapshot being matched (nsnap once all are) */
	text now, prev, kept;    /* ids and addresses of the buildings last seen in snapshot
				    cur, in cur - 1, and earlier */
	track *tracks;           /* the buildings */
	size_t ntracks, captracks;
	tp_keyset ids;           /* source id -> MEMO of the first building that had it */
	tp_keyset addrs;         /* address key -> the same */
	tp_keyset nums;          /* house number and box -> its number, from 1 */
	grid pts;                /* the remembered points */
	flow *flows;             /* per snapshot, per commune then the region */
	outside *out;            /* earlier records outside every commune */
	size_t nout, capout;
	tp_keyset nis;           /* nis_code -> index of its commune */
	tp_rows com;             /* the communes, their nis_code as key */
	tp_rings rings;          /* and their polygons */
	tp_locator *lc;          /* locating in them */
	size_t written;          /* the tracks before this one are in vacancy_tracks */
} state;

/* Adds s to t; its offset, -1 for NULL (and for "" unless keep_empty),
 * -2 when out of memory. */
static int64_t text_add(text *t, const char *s, int keep_empty)
{
	size_t len;

	if (!s || (!s[0] && !keep_empty))
		return -1;
	len = strlen(s) + 1;
	if (t->n + len > t->cap) {
		size_t cap = t->cap ? t->cap : 1 << 16;
		char *p;
		while (cap < t->n + len)
			cap *= 2;
		if (!(p = realloc(t->p, cap)))
			return -2;
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->n, s, len);
	t->n += len;
	return (int64_t)(t->n - len);
}

static void text_dispose(text *t)
{
	free(t->p);
	memset(t, 0, sizeof(*t));
}

/* The string at off in t (text_add()'s offset), NULL for -1. */
static const char *text_at(const text *t, int64_t off)
{
	return off < 0 ? NULL : t->p + off;
}

/* The text of a building's id or address (off: its offset), or NULL. */
static const char *track_text(const state *st, const track *t, int64_t off)
{
	return text_at(t->last == st->cur ? &st->now : t->last + 1 == st->cur ? &st->prev
									   : &st->kept,
		       off);
}

/* The distance under which two points are one building: 1 m, or 1e-5
 * (about a metre) for coordinates that read as degrees (lon/lat); as
 * inputs/dupes.c. */
static double tolerance(double x, double y)
{
	return fabs(x) <= 180 && fabs(y) <= 90 ? 1e-5 : 1.0;
}

/* The tolerance-sized grid cell of (x, y); 0 when the point is too far out
 * (or not a number) for a grid. */
static int cell_of(double x, double y, double tol, int64_t *cx, int64_t *cy)
{
	double fx = floor(x / tol), fy = floor(y / tol);

	if (!(fabs(fx) < 1e15 && fabs(fy) < 1e15))
		return 0;
	*cx = (int64_t)fx;
	*cy = (int64_t)fy;
	return 1;
}

/* The first slot of cell (cx, cy) of the grid of tolerance tol. */
static size_t cell_slot(const grid *g, int64_t cx, int64_t cy, double tol)
{
	uint64_t h = (uint64_t)cx * 0x9e3779b97f4a7c15ull ^ (uint64_t)cy * 0xc2b2ae3d27d4eb4full ^
		     (tol == 1.0 ? 0 : 0x165667b19e3779f9ull);

	h ^= h >> 31;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 29;
	return (size_t)h & (g->cap - 1);
}

/* 1 when point p lies in cell (cx, cy) of the grid of tolerance tol. */
static int in_cell(const point *p, int64_t cx, int64_t cy, double tol)
{
	int64_t px, py;

	return tolerance(p->x, p->y) == tol && cell_of(p->x, p->y, tol, &px, &py) && px == cx &&
	       py == cy;
}

/* Doubles the grid's slots (the first 4096), keeping every point. */
static int grid_grow(grid *g)
{
	grid big = {NULL, g->cap ? g->cap * 2 : 4096, g->n, g->seq};
	size_t i, j;

	if (!(big.slot = calloc(big.cap, sizeof(*big.slot))))
		return tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; i < g->cap; i++) {
		const point *p = &g->slot[i];
		double tol;
		int64_t cx = 0, cy = 0;
		if (!p->memo)
			continue;
		tol = tolerance(p->x, p->y);
		cell_of(p->x, p->y, tol, &cx, &cy); /* one it had when put */
		for (j = cell_slot(&big, cx, cy, tol); big.slot[j].memo; j = (j + 1) & (big.cap - 1))
			;
		big.slot[j] = *p;
	}
	free(g->slot);
	*g = big;
	return TP_OK;
}

/* Remembers the point xy of a record with house number num (0: none)
 * under memo.  A point the grid holds already with the same number adds
 * nothing: the first put wins every search that could find either. */
static int grid_put(grid *g, const double *xy, int32_t num, uint64_t memo)
{
	double tol = tolerance(xy[0], xy[1]);
	int64_t cx, cy;
	size_t i;

	if (!cell_of(xy[0], xy[1], tol, &cx, &cy))
		return TP_OK;
	if (4 * (g->n + 1) > 3 * g->cap && grid_grow(g))
		return TP_ERROR;
	for (i = cell_slot(g, cx, cy, tol); g->slot[i].memo; i = (i + 1) & (g->cap - 1)) {
		const point *p = &g->slot[i];
		if (p->x == xy[0] && p->y == xy[1] && p->num == num)
			return TP_OK;
	}
	g->slot[i] = (point){xy[0], xy[1], memo, g->seq++, num};
	g->n++;
	return TP_OK;
}

/*
 * The memo of the first point an earlier snapshot than snap put within the
 * tolerance of xy: with house number num when there is one (num > 0), else
 * whatever its number; 0 when none.  Only the 3 x 3 cells around xy can
 * hold one.
 */
static uint64_t grid_near(const grid *g, const double *xy, int32_t num, int snap)
{
	double tol = tolerance(xy[0], xy[1]);
	uint32_t best_num = UINT32_MAX, best_any = UINT32_MAX;
	uint64_t memo_num = 0, memo_any = 0;
	int64_t cx, cy;
	int dx, dy;
	size_t i, first[9];

	if (!g->n || !cell_of(xy[0], xy[1], tol, &cx, &cy))
		return 0;
	/* the nine cells' first slots asked for at once: each is a cache miss in
	 * a table of millions, and they then overlap instead of following each
	 * other (the probes were half of match's time at 1M a snapshot) */
	for (dx = -1; dx <= 1; dx++)
		for (dy = -1; dy <= 1; dy++) {
			first[(dx + 1) * 3 + dy + 1] = cell_slot(g, cx + dx, cy + dy, tol);
			__builtin_prefetch(&g->slot[first[(dx + 1) * 3 + dy + 1]]);
		}
	for (dx = -1; dx <= 1; dx++)
		for (dy = -1; dy <= 1; dy++)
			for (i = first[(dx + 1) * 3 + dy + 1]; g->slot[i].memo;
			     i = (i + 1) & (g->cap - 1)) {
				const point *p = &g->slot[i];
				if (MEMO_SNAP(p->memo) >= snap || !in_cell(p, cx + dx, cy + dy, tol) ||
				    hypot(p->x - xy[0], p->y - xy[1]) > tol)
					continue;
				if (p->seq < best_any) {
					best_any = p->seq;
					memo_any = p->memo;
				}
				if (num > 0 && p->num == num && p->seq < best_num) {
					best_num = p->seq;
					memo_num = p->memo;
				}
			}
	return memo_num ? memo_num : memo_any;
}

/* r's address key (made the first time into buf), "" when it has none. */
static const char *rec_key(rec_in *r, char *buf, size_t len)
{
	if (!r->key) {
		buf[0] = '\0';
		if (r->address && r->address[0])
			tp_address_key(r->address, r->postcode, buf, len);
		r->key = buf;
	}
	return r->key;
}

/* The building an earlier snapshot than snap saw with r's id, else its
 * address key, else a point within 1 m (with the same house number and
 * box first): NO_TRACK when none.  As tp_dupes_find() of inputs/dupes.h,
 * told to take a point whatever its address. */
static size_t find(const state *st, int snap, rec_in *r, char *buf, size_t len)
{
	const char *key;
	char num[48] = "";
	int32_t n = 0;
	uint64_t v;

	if (r->id && r->id[0] && tp_keyset_get(&st->ids, r->id, &v) && MEMO_SNAP(v) < snap)
		return MEMO_TRACK(v);
	key = rec_key(r, buf, len);
	if (key[0]) {
		if (tp_keyset_get(&st->addrs, key, &v) && MEMO_SNAP(v) < snap)
			return MEMO_TRACK(v);
		tp_address_key_number(key, num, sizeof(num));
		if (num[0] && tp_keyset_get(&st->nums, num, &v))
			n = (int32_t)v;
	}
	v = grid_near(&st->pts, r->xy, n, snap);
	return v ? MEMO_TRACK(v) : NO_TRACK;
}

/* Remembers r's id, address key and point as those of building t, seen in
 * snapshot snap. */
static int remember(state *st, int snap, rec_in *r, size_t t, char *buf, size_t len)
{
	const char *key = rec_key(r, buf, len);
	uint64_t memo = MEMO(t, snap), v = 0;
	char num[48] = "";

	if (r->id && r->id[0] && tp_keyset_put(&st->ids, r->id, memo, NULL))
		return TP_ERROR;
	if (key[0]) {
		if (tp_keyset_put(&st->addrs, key, memo, NULL))
			return TP_ERROR;
		tp_address_key_number(key, num, sizeof(num));
		if (num[0] && tp_keyset_put(&st->nums, num, st->nums.n + 1, &v))
			return TP_ERROR;
	}
	return grid_put(&st->pts, r->xy, (int32_t)v, memo);
}

/*
 * Gives record r of snapshot snap (the one being matched) its building:
 * one an earlier snapshot saw (not yet matched in this one), else a new
 * one; counts it in the flows.  Its keys are remembered for the snapshots
 * after, if any.
 */
static int match(state *st, int snap, rec_in *r)
{
	char buf[1024];
	size_t nc = st->com.n + 1, t = snap > 0 ? find(st, snap, r, buf, sizeof(buf)) : NO_TRACK, c;
	track *tr;

	if (t != NO_TRACK && st->tracks[t].last == snap)
		t = NO_TRACK;
	if (t == NO_TRACK) {
		if (st->ntracks >= (SIZE_MAX >> 8) ||
		    tp_array_room(&st->tracks, &st->captracks, st->ntracks, sizeof(*st->tracks),
				  1 << 16))
			return tp_error_set(TP_ERROR, "out of memory");
		t = st->ntracks++;
		st->tracks[t] = (track){0, 0, 0, 0, -1, -1, 0, (unsigned char)snap,
					(unsigned char)snap, (unsigned char)snap};
	}
	tr = &st->tracks[t];
	if (tr->last + 1 != snap && tr->last != snap)
		tr->spell = (unsigned char)snap;
	tr->last = (unsigned char)snap;
	tr->seen |= (uint64_t)1 << snap;
	tr->vacancy = r->vacancy;
	tr->dwellings = r->dwellings;
	tr->since = r->since;
	tr->commune = r->commune;
	if ((tr->id = text_add(&st->now, r->id, 0)) == -2 ||
	    (tr->address = text_add(&st->now, r->address, 0)) == -2)
		return tp_error_set(TP_ERROR, "out of memory");
	for (c = (size_t)r->commune;; c = nc - 1) {
		flow *here = &st->flows[(size_t)snap * nc + c];
		here->records++;
		here->dwellings += r->dwellings;
		if (snap > 0 && !(tr->seen & ((uint64_t)1 << (snap - 1)))) {
			here->in_records++;
			here->in_dwellings += r->dwellings;
		}
		if (c == nc - 1)
			break;
	}
	/* remembered for the snapshots after; records of one snapshot never match each other */
	return snap + 1 < st->nsnap ? remember(st, snap, r, t, buf, sizeof(buf)) : TP_OK;
}

/*
 * Snapshot snap is matched: the buildings of the snapshot before that it
 * did not see have left (counted in its flows), and their text is kept;
 * the text of the buildings no longer last seen there is dropped.
 */
static int end_snapshot(state *st, int snap)
{
	size_t nc = st->com.n + 1, i, c;
	text keep = st->kept;

	for (i = 0; i < st->ntracks && snap > 0; i++) {
		track *t = &st->tracks[i];
		if (t->last + 1 != snap)
			continue;
		for (c = (size_t)t->commune;; c = nc - 1) {
			flow *here = &st->flows[(size_t)snap * nc + c];
			here->out_records++;
			here->out_dwellings += t->dwellings;
			if (c == nc - 1)
				break;
		}
		if ((t->id = text_add(&keep, track_text(st, t, t->id), 0)) == -2 ||
		    (t->address = text_add(&keep, track_text(st, t, t->address), 0)) == -2) {
			st->kept = keep;
			return tp_error_set(TP_ERROR, "out of memory");
		}
	}
	st->kept = keep;
	text_dispose(&st->prev);
	st->prev = st->now;
	memset(&st->now, 0, sizeof(st->now));
	st->cur = snap + 1;
	return TP_OK;
}

/* The input name of earlier snapshot i, as in rejects and input_stats. */
static void input_name(char *buf, size_t len, const tp_snapshot_cfg *s)
{
	snprintf(buf, len, "vacancies.%s", s->date);
}

/* Holds record row of earlier snapshot snap, outside every commune, for
 * reject_outside(). */
static int defer_outside(state *st, int snap, long row, const double *xy, const char *original)
{
	outside *o;

	if (tp_array_room(&st->out, &st->capout, st->nout, sizeof(*st->out), 64))
		return TP_ERROR;
	o = &st->out[st->nout];
	*o = (outside){snap, row, {xy[0], xy[1]}, original ? strdup(original) : NULL};
	if (original && !o->original)
		return tp_error_set(TP_ERROR, "out of memory");
	st->nout++;
	return TP_OK;
}

/* A batch of an earlier snapshot's records, read but not yet placed. */
typedef struct {
	size_t n;               /* records */
	double xy[2 * BATCH];   /* their points in the working CRS */
	int32_t in[BATCH];      /* their communes, once placed */
	long row[BATCH];        /* their source rows */
	long dwellings[BATCH];  /* dwellings declared */
	long since[BATCH];      /* vacant_since as a day number, NO_DAY when none */
	int64_t id[BATCH], address[BATCH], postcode[BATCH], original[BATCH]; /* in text */
	text text;              /* their strings */
} batch;

/* Places batch b of earlier snapshot snap in the communes and matches its
 * records in order; those outside every commune wait to be rejected. */
static int place_batch(state *st, int snap, batch *b)
{
	size_t i;
	int rc;

	if (!b->n)
		return TP_OK;
	rc = tp_locator_run(st->lc, b->xy, b->n, b->in, NULL);
	for (i = 0; i < b->n && !rc; i++) {
		rec_in r = {NULL, NULL, NULL, NULL, {b->xy[2 * i], b->xy[2 * i + 1]},
			    b->dwellings[i], b->since[i], 0, b->in[i]};
		if (b->in[i] < 0) {
			rc = defer_outside(st, snap, b->row[i], r.xy, text_at(&b->text, b->original[i]));
			continue;
		}
		r.id = text_at(&b->text, b->id[i]);
		r.address = text_at(&b->text, b->address[i]);
		r.postcode = text_at(&b->text, b->postcode[i]);
		rc = match(st, snap, &r);
	}
	b->n = 0;
	b->text.n = 0;
	return rc;
}

/* An earlier snapshot read on a thread of its own while the one before is
 * read and matched (read_pair()): its rows held, placed in their communes,
 * for replay() to reject and match in order. */
typedef struct {
	long row;               /* source row */
	double xy[2];           /* point in the working CRS */
	long dwellings;         /* dwellings declared */
	long since;             /* vacant_since as a day number, NO_DAY when none */
	int64_t id, address, postcode; /* in the text, -1 for none */
	int64_t original;       /* source values in the text, kept only outside every commune */
	int32_t commune;        /* index of its commune, -1 for none */
} held_rec;

/* A row rejected while read, held. */
typedef struct {
	long row;                            /* source row */
	int64_t field, why, original;        /* in the text */
} held_rej;

/* What read_snapshot() gives when told to hold. */
typedef struct {
	tp_geo *g;              /* its own GEOS/PROJ context */
	tp_locator *lc;         /* its own locator, one thread */
	int64_t layer, crs;     /* for input_stats, in the text */
	int64_t owner;          /* the same: the owner's source column, -1 for none */
	int64_t keys, stamp;    /* the same: a CSV that keeps its originals, -1 for none */
	long nread, nskip;      /* rows read, rows skipped */
	held_rec *recs;         /* the records, in order */
	size_t n, cap;
	held_rej *rejs;         /* the rows rejected, in order */
	size_t nrej, caprej;
	text text;              /* their strings */
} held;

/* Places batch b in the communes by h's locator and appends its records
 * to h, each original kept only outside every commune. */
static int hold_batch(held *h, batch *b)
{
	size_t i;
	int rc;

	if (!b->n)
		return TP_OK;
	rc = tp_locator_run(h->lc, b->xy, b->n, b->in, NULL);
	for (i = 0; i < b->n && !rc; i++) {
		held_rec *x;
		if (tp_array_room(&h->recs, &h->cap, h->n, sizeof(*h->recs), 1 << 16))
			return TP_ERROR;
		x = &h->recs[h->n++];
		*x = (held_rec){b->row[i], {b->xy[2 * i], b->xy[2 * i + 1]}, b->dwellings[i],
				b->since[i], -1, -1, -1, -1, b->in[i]};
		if ((x->id = text_add(&h->text, text_at(&b->text, b->id[i]), 0)) == -2 ||
		    (x->address = text_add(&h->text, text_at(&b->text, b->address[i]), 0)) == -2 ||
		    (x->postcode = text_add(&h->text, text_at(&b->text, b->postcode[i]), 1)) == -2 ||
		    (b->in[i] < 0 &&
		     (x->original = text_add(&h->text, text_at(&b->text, b->original[i]), 1)) == -2))
			return tp_error_set(TP_ERROR, "out of memory");
	}
	b->n = 0;
	b->text.n = 0;
	return rc;
}

/* Reads earlier snapshot s (index snap), its points moved to the working
 * CRS dst.  h NULL: its records are matched and its unusable rows go to
 * rejects as read; else all of it is held in h (geo context and locator
 * h's own, the store untouched), for replay(). */
static int read_snapshot(state *st, const tp_snapshot_cfg *s, int snap, const char *dst,
			 batch *b, held *h)
{
	tp_run *run = st->run;
	tp_geo *g = h ? h->g : run->g;
	const tp_input_def *def = tp_input_def_get(TP_IN_VACANCIES);
	int iid = tp_input_def_field(def, "id"), iad = tp_input_def_field(def, "address");
	int ipc = tp_input_def_field(def, "postcode"), idw = tp_input_def_field(def, "dwellings");
	int ivs = tp_input_def_field(def, "vacant_since");
	tp_reader *r = NULL;
	tp_transform *t = NULL;
	tp_record rec = {0};
	char name[64], stamp[96];
	long nread = 0, nskip = 0;
	int rc, got, lazy;
	/* taken before the file is read: a change while it is read shows later */
	int stamped = s->in.path && tp_file_stamp(s->in.path, stamp, sizeof(stamp)) == 0;

	input_name(name, sizeof(name), s);
	rc = tp_reader_open(&r, &s->in, TP_IN_VACANCIES);
	if (rc)
		return tp_error_wrap(rc, "[%s]", name);
	/* a CSV keeps its originals: those of the few rows rejected are read
	 * again from it once the stage is done (tp_load_originals) */
	lazy = stamped && tp_reader_lazy_originals(r);
	if (lazy)
		tp_reader_compact(r);
	if (!tp_crs_check(g, tp_reader_crs(r), NULL, 0)) {
		rc = tp_error_set(TP_EINPUT, "%s, layer %s: unknown CRS '%s' (section [%s])",
				  s->in.path, tp_reader_layer(r), tp_reader_crs(r), name);
		goto done;
	}
	rc = tp_transform_new(&t, g, tp_reader_crs(r), dst);
	if (!rc && !h)
		rc = tp_store_input_begin(run->db, name, s->in.path, tp_reader_layer(r),
					  tp_reader_crs(r), lazy ? tp_reader_original_keys(r) : NULL,
					  tp_reader_owner_column(r), lazy ? stamp : NULL);
	if (!rc && h && ((h->layer = text_add(&h->text, tp_reader_layer(r), 1)) == -2 ||
			 (h->crs = text_add(&h->text, tp_reader_crs(r), 1)) == -2 ||
			 (h->owner = text_add(&h->text, tp_reader_owner_column(r), 0)) == -2 ||
			 (h->keys = text_add(&h->text, lazy ? tp_reader_original_keys(r) : NULL,
					     0)) == -2 ||
			 (h->stamp = text_add(&h->text, lazy ? stamp : NULL, 0)) == -2))
		rc = tp_error_set(TP_ERROR, "out of memory");
	if (rc)
		goto done;
	while ((got = tp_reader_next(r, &rec)) == 1) {
		const char *why = rec.reason[0] ? rec.reason : NULL, *field = rec.field;
		const char *since = rec.values[ivs], *dw = rec.values[idw];
		double xy[2] = {0, 0};
		size_t i;

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
		if (why && h) {
			held_rej *x;
			if (tp_array_room(&h->rejs, &h->caprej, h->nrej, sizeof(*h->rejs), 64)) {
				rc = TP_ERROR;
				goto done;
			}
			x = &h->rejs[h->nrej++];
			x->row = rec.row;
			if ((x->field = text_add(&h->text, field, 1)) == -2 ||
			    (x->why = text_add(&h->text, why, 1)) == -2 ||
			    (x->original = text_add(&h->text, rec.original, 1)) == -2) {
				rc = tp_error_set(TP_ERROR, "out of memory");
				goto done;
			}
			continue;
		}
		if (why) {
			rc = tp_store_reject(run->db, name, rec.row, "snapshots", field, why,
					     rec.original);
			if (rc)
				goto done;
			continue;
		}
		i = b->n++;
		b->row[i] = rec.row;
		b->xy[2 * i] = xy[0];
		b->xy[2 * i + 1] = xy[1];
		b->dwellings[i] = dw ? atol(dw) : 0;
		if (!since || tp_date_iso_days(since, &b->since[i]))
			b->since[i] = NO_DAY;
		if ((b->id[i] = text_add(&b->text, rec.values[iid], 0)) == -2 ||
		    (b->address[i] = text_add(&b->text, rec.values[iad], 0)) == -2 ||
		    (b->postcode[i] = text_add(&b->text, ipc >= 0 ? rec.values[ipc] : NULL, 1)) ==
			    -2 ||
		    (b->original[i] = text_add(&b->text, rec.original, 1)) == -2) {
			rc = tp_error_set(TP_ERROR, "out of memory");
			goto done;
		}
		if (b->n == BATCH && (rc = h ? hold_batch(h, b) : place_batch(st, snap, b)))
			goto done;
	}
	if (got < 0) {
		rc = got;
		goto done;
	}
	if (h) {
		h->nread = nread;
		h->nskip = nskip;
		rc = hold_batch(h, b);
		goto done;
	}
	rc = place_batch(st, snap, b);
	if (!rc)
		rc = tp_store_input_end(run->db, name, nread, nskip, NULL);
	if (!rc)
		rc = end_snapshot(st, snap);
done:
	tp_record_dispose(&rec);
	tp_transform_free(t);
	tp_reader_free(r);
	return rc;
}

/* Writes what h holds of earlier snapshot s (index snap) as read_snapshot()
 * would have as it read: input_stats, rejects, the records matched. */
static int replay(state *st, const tp_snapshot_cfg *s, int snap, held *h)
{
	sqlite3 *db = st->run->db;
	char name[64];
	size_t i;
	int rc;

	input_name(name, sizeof(name), s);
	rc = tp_store_input_begin(db, name, s->in.path, text_at(&h->text, h->layer),
				  text_at(&h->text, h->crs), text_at(&h->text, h->keys),
				  text_at(&h->text, h->owner), text_at(&h->text, h->stamp));
	for (i = 0; i < h->nrej && !rc; i++) {
		const held_rej *x = &h->rejs[i];
		rc = tp_store_reject(db, name, x->row, "snapshots", text_at(&h->text, x->field),
				     text_at(&h->text, x->why), text_at(&h->text, x->original));
	}
	for (i = 0; i < h->n && !rc; i++) {
		const held_rec *x = &h->recs[i];
		rec_in r = {text_at(&h->text, x->id), text_at(&h->text, x->address),
			    text_at(&h->text, x->postcode), NULL,
			    {x->xy[0], x->xy[1]}, x->dwellings, x->since, 0, x->commune};
		rc = x->commune >= 0 ? match(st, snap, &r)
				     : defer_outside(st, snap, x->row, x->xy,
						     text_at(&h->text, x->original));
	}
	if (!rc)
		rc = tp_store_input_end(db, name, h->nread, h->nskip, NULL);
	return rc ? rc : end_snapshot(st, snap);
}

/* One of two earlier snapshots read side by side. */
typedef struct {
	state *st;
	int snap;               /* which */
	const char *dst;        /* the working CRS */
	batch *b;               /* its batch */
	held *h;                /* NULL: read and matched (the first), else held */
	tp_error_state err;     /* its failure */
} pair_job;

static void *pair_work(void *arg)
{
	pair_job *j = arg;
	int rc = TP_OK;

	if (j->h)
		rc = tp_geo_new(&j->h->g);
	if (!rc && j->h)
		rc = tp_locator_new(&j->h->lc, &j->st->rings, (const char *const *)j->st->com.key, 1,
				    0);
	if (!rc)
		rc = read_snapshot(j->st, &j->st->run->cfg->snapshots[j->snap], j->snap, j->dst, j->b,
				   j->h);
	tp_error_save(&j->err, rc);
	return NULL;
}

static void held_dispose(held *h)
{
	tp_locator_free(h->lc);
	tp_geo_free(h->g);
	free(h->recs);
	free(h->rejs);
	text_dispose(&h->text);
	memset(h, 0, sizeof(*h));
}

/*
 * Reads earlier snapshots snap and snap + 1 side by side, two readers on
 * two threads (reading is most of the stage): the first matched as read,
 * the second held, then replayed.  The store sees what reading them one
 * after the other writes, in the same order.
 */
static int read_pair(state *st, int snap, const char *dst, batch *b)
{
	batch *b2 = calloc(1, sizeof(*b2));
	held h = {0};
	pair_job jobs[2] = {{st, snap, dst, b, NULL, {0}}, {st, snap + 1, dst, b2, &h, {0}}};
	int rc = TP_OK, k;

	if (!b2)
		return tp_error_set(TP_ERROR, "out of memory");
	tp_parallel(pair_work, jobs, sizeof(jobs[0]), 2);
	for (k = 0; k < 2 && !rc; k++)
		rc = tp_error_restore(&jobs[k].err);
	if (!rc)
		rc = replay(st, &st->run->cfg->snapshots[snap + 1], snap + 1, &h);
	held_dispose(&h);
	text_dispose(&b2->text);
	free(b2);
	return rc;
}

/* Rejects the earlier snapshots' records outside every commune, in the
 * order they were read. */
static int reject_outside(state *st)
{
	char why[256], name[64];
	size_t i;
	int rc = TP_OK;

	for (i = 0; i < st->nout && !rc; i++) {
		const outside *o = &st->out[i];
		input_name(name, sizeof(name), &st->run->cfg->snapshots[o->snap]);
		snprintf(why, sizeof(why), "outside every commune of the region (x %.1f, y %.1f in "
			 "the working CRS)", o->xy[0], o->xy[1]);
		rc = tp_store_reject(st->run->db, name, o->row, "snapshots", "geometry", why,
				     o->original);
	}
	return rc;
}

/* The scored snapshot's records: the located vacancies. */
#define SCORED_SQL \
	"SELECT id, src_id, address, postcode, dwellings, vacant_since, nis_code, geom" \
	" FROM vacancies WHERE nis_code IS NOT NULL ORDER BY id"
#define SCORED_BATCH 8192        /* scored records handed from the reading thread at once */
#define TRACKS_AT_ONCE 65536     /* alone, the scored snapshot's buildings written at once */

/* Row q of SCORED_SQL as a record r, its text q's; 0 when its nis_code is
 * no commune's (the record is no building). */
static int scored_row(const state *st, sqlite3_stmt *q, rec_in *r)
{
	const unsigned char *wkb = sqlite3_column_blob(q, 7);
	const char *since = (const char *)sqlite3_column_text(q, 5);
	uint64_t c;

	*r = (rec_in){(const char *)sqlite3_column_text(q, 1), (const char *)sqlite3_column_text(q, 2),
		      (const char *)sqlite3_column_text(q, 3), NULL, {0, 0}, 0, NO_DAY,
		      sqlite3_column_int64(q, 0), -1};
	/* dwellings as its text read by atol, without making the text of a whole number */
	if (sqlite3_column_type(q, 4) == SQLITE_INTEGER)
		r->dwellings = (long)sqlite3_column_int64(q, 4);
	else if (sqlite3_column_type(q, 4) != SQLITE_NULL)
		r->dwellings = atol((const char *)sqlite3_column_text(q, 4));
	if (!tp_keyset_get(&st->nis, (const char *)sqlite3_column_text(q, 6), &c))
		return 0;
	r->commune = (int)c;
	if (since && tp_date_iso_days(since, &r->since))
		r->since = NO_DAY;
	if (wkb && sqlite3_column_bytes(q, 7) == 21 && wkb[0] == 1) {
		memcpy(&r->xy[0], wkb + 5, 8);
		memcpy(&r->xy[1], wkb + 13, 8);
	}
	return 1;
}

/* A batch of scored records read on the reading thread, their text in t
 * (at offsets until handed over). */
typedef struct {
	rec_in r[SCORED_BATCH];
	int64_t off[SCORED_BATCH][3];  /* id, address, postcode in t, -1 for NULL */
	text t;
	size_t n;
} scored_batch;

/* The scored records read on a connection of their own, on a second
 * thread, two batches in turn, while the stage's thread matches (and, with
 * no earlier snapshot, writes) the batch before. */
typedef struct {
	const state *st;
	sqlite3 *db;             /* the reading connection (WAL: it reads beside the writer) */
	scored_batch b[2];
	int full[2];             /* batch k is ready to be matched */
	int done;                /* no batch after the last one full */
	int stop;                /* the matching failed: read no more */
	tp_error_state err;      /* the reading's failure */
	pthread_mutex_t lock;
	pthread_cond_t cond;
} scored_reader;

/* The reading thread of a scored_reader. */
static void *scored_read(void *arg)
{
	scored_reader *sr = arg;
	sqlite3_stmt *q = NULL;
	int rc = tp_store_prepare(sr->db, &q, SCORED_SQL), step = SQLITE_ROW, k = 0, last = 0;

	while (!rc && !last) {
		scored_batch *b = &sr->b[k];

		pthread_mutex_lock(&sr->lock);
		while (sr->full[k] && !sr->stop)
			pthread_cond_wait(&sr->cond, &sr->lock);
		last = sr->stop;
		pthread_mutex_unlock(&sr->lock);
		if (last)
			break;
		b->n = 0;
		b->t.n = 0;
		while (b->n < SCORED_BATCH && (step = sqlite3_step(q)) == SQLITE_ROW) {
			rec_in *r = &b->r[b->n];
			int64_t *off = b->off[b->n];
			if (!scored_row(sr->st, q, r))
				continue;
			/* "" kept apart from NULL, as the matching sees them */
			if ((off[0] = text_add(&b->t, r->id, 1)) == -2 ||
			    (off[1] = text_add(&b->t, r->address, 1)) == -2 ||
			    (off[2] = text_add(&b->t, r->postcode, 1)) == -2) {
				rc = tp_error_set(TP_ERROR, "out of memory");
				break;
			}
			b->n++;
		}
		if (!rc && step != SQLITE_ROW && step != SQLITE_DONE)
			rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(sr->db));
		last = rc || step != SQLITE_ROW;
		pthread_mutex_lock(&sr->lock);
		sr->full[k] = !rc;
		sr->done = last;
		pthread_cond_broadcast(&sr->cond);
		pthread_mutex_unlock(&sr->lock);
		k ^= 1;
	}
	tp_error_save(&sr->err, rc);
	if (rc) {
		pthread_mutex_lock(&sr->lock);
		sr->done = 1;
		pthread_cond_broadcast(&sr->cond);
		pthread_mutex_unlock(&sr->lock);
	}
	sqlite3_finalize(q);
	return NULL;
}

static int write_tracks(state *st);

/*
 * Matches the scored snapshot (snap) as a second thread reads it on a
 * connection of its own (file: the store); with no earlier snapshot each
 * building is final once matched, and written then.  *used: 0 when no
 * reading connection could be opened (nothing done).
 */
static int read_scored_beside(state *st, int snap, const char *file, int *used)
{
	scored_reader *sr = calloc(1, sizeof(*sr));
	pthread_t tid;
	int rc = TP_OK, k = 0, b;

	*used = 0;
	if (!sr)
		return tp_error_set(TP_ERROR, "out of memory");
	sr->st = st;
	/* its own thread alone uses this connection: no mutex per call */
	if (sqlite3_open_v2(file, &sr->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(sr->db);
		free(sr);
		return TP_OK;
	}
	sqlite3_busy_timeout(sr->db, 10000);
	pthread_mutex_init(&sr->lock, NULL);
	pthread_cond_init(&sr->cond, NULL);
	if (pthread_create(&tid, NULL, scored_read, sr) != 0)
		goto done;
	*used = 1;
	for (;;) {
		scored_batch *bt = &sr->b[k];
		size_t i;

		pthread_mutex_lock(&sr->lock);
		while (!sr->full[k] && !sr->done)
			pthread_cond_wait(&sr->cond, &sr->lock);
		b = sr->full[k];
		pthread_mutex_unlock(&sr->lock);
		if (!b)
			break;
		for (i = 0; i < bt->n && !rc; i++) {
			rec_in *r = &bt->r[i];
			r->id = text_at(&bt->t, bt->off[i][0]);
			r->address = text_at(&bt->t, bt->off[i][1]);
			r->postcode = text_at(&bt->t, bt->off[i][2]);
			rc = match(st, snap, r);
		}
		/* alone, the buildings matched are final: written many batches'
		 * worth at a time (a write begins by preparing its statements) */
		if (!rc && st->nsnap == 1 && st->ntracks - st->written >= TRACKS_AT_ONCE)
			rc = write_tracks(st);
		pthread_mutex_lock(&sr->lock);
		sr->full[k] = 0;
		sr->stop = rc != TP_OK;
		pthread_cond_broadcast(&sr->cond);
		pthread_mutex_unlock(&sr->lock);
		if (rc)
			break;
		k ^= 1;
	}
	pthread_join(tid, NULL);
	if (!rc)
		rc = tp_error_restore(&sr->err);
done:
	pthread_mutex_destroy(&sr->lock);
	pthread_cond_destroy(&sr->cond);
	text_dispose(&sr->b[0].t);
	text_dispose(&sr->b[1].t);
	sqlite3_close(sr->db);
	free(sr);
	return rc;
}

/* The scored snapshot's records: the located vacancies, matched as read
 * (on a second thread and connection when the store is a file and
 * --threads allows). */
static int read_scored(state *st, int snap)
{
	const char *file = sqlite3_db_filename(st->run->db, "main");
	sqlite3_stmt *q = NULL;
	int rc, step, used = 0;

	if (st->run->threads != 1 && file && file[0]) {
		rc = read_scored_beside(st, snap, file, &used);
		if (rc || used)
			return rc ? rc : end_snapshot(st, snap);
	}
	rc = tp_store_prepare(st->run->db, &q, SCORED_SQL);
	if (rc)
		return rc;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		rec_in r;

		if (scored_row(st, q, &r) && (rc = match(st, snap, &r)))
			break;
	}
	if (!rc && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(st->run->db));
	sqlite3_finalize(q);
	return rc ? rc : end_snapshot(st, snap);
}

/* A building's row of vacancy_tracks, written by write_track. */
#define TRACK                                                                  \
	"vacancy_tracks(id, vacancy, src_id, address, nis_code, dwellings,"    \
	" first_seen, last_seen, spell_start, seen, months_empty)"

/*
 * With one snapshot no output reads a building's own fields, its spell or
 * its snapshots (the vacancy_history layer is written from two snapshots
 * on, gpkg.c W_HISTORY): each is its vacancy's row and that one date.
 * Left NULL, a 10M run's tracks are 490 MB, not 826, and the stage 6.4-7.1
 * s, not 9.6; left out of the INSERT, SQLite's default, no binding each.
 */
#define ONE_TRACK "vacancy_tracks(id, vacancy, first_seen, last_seen, months_empty)"

/*
 * Writes building t into vacancy_tracks under id (store.c: its vacancy's
 * id when it has one).
 */
static int write_track(state *st, tp_batch *b, const track *t, long long id)
{
	int at, one = st->nsnap == 1;
	sqlite3_stmt *ins = tp_batch_row(b, &at);
	long from = t->since != NO_DAY ? t->since : st->day[t->spell];
	char seen[MAX_SNAPSHOTS * 11 + 1] = "";
	size_t used = 0;
	int s;

	/* the texts stay where they are until write_tracks returns, the batch
	 * stepped; seen does not */
	tp_batch_bind_id(b, ins, at, id);
	if (t->vacancy)
		sqlite3_bind_int64(ins, at + 1, t->vacancy);
	else
		sqlite3_bind_null(ins, at + 1);
	/* the columns of write_tracks' INSERT: ONE_TRACK's with one snapshot */
	sqlite3_bind_text(ins, at + (one ? 2 : 6), st->date[t->first], -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, at + (one ? 3 : 7), st->date[t->last], -1, SQLITE_STATIC);
	if (!one) {
		for (s = 0; s < st->nsnap; s++)
			if (t->seen & ((uint64_t)1 << s)) {
				if (used)
					seen[used++] = ',';
				memcpy(seen + used, st->date[s], 10);
				used += 10;
			}
		seen[used] = '\0';
		sqlite3_bind_text(ins, at + 2, track_text(st, t, t->id), -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, at + 3, track_text(st, t, t->address), -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, at + 4, st->com.key[t->commune], -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, at + 5, t->dwellings);
		sqlite3_bind_text(ins, at + 8, st->date[t->spell], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, at + 9, seen, (int)used, SQLITE_TRANSIENT);
	}
	/* tenths of a month; a vacant_since after the snapshot is no time empty */
	sqlite3_bind_double(ins, at + (one ? 4 : 10), round(fmax(0, (double)(st->day[t->last] - from)) /
					       DAYS_PER_MONTH * 10) / 10);
	if (tp_batch_end_row(b) != SQLITE_OK)
		return tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(st->run->db));
	return TP_OK;
}

/*
 * vacancy_tracks: one row per building, those not yet written (st->written
 * on; the tracks are final), in the order of their ids, so that each row
 * is appended: the scored snapshot's buildings by their vacancy's id, then
 * those that left, numbered on from the largest vacancy id (of the store:
 * none can take a vacancy's) in the order they were first seen.  Alone,
 * the scored snapshot is matched in id order and its buildings are written
 * as they are matched (no building leaves).
 */
static int write_tracks(state *st)
{
	long long top = 0, *at = NULL;  /* the largest vacancy id; at[id]: its track + 1 */
	tp_batch b = {0};
	size_t i;
	int rc = TP_OK;

	/* many rows a statement (geo/sqlbatch.h) */
	if (tp_batch_begin(&b, st->run->db, st->nsnap == 1 ? ONE_TRACK : TRACK,
			   st->nsnap == 1 ? 5 : 11, st->ntracks - st->written) != SQLITE_OK)
		rc = tp_error_set(TP_ERROR, "working store: %s", sqlite3_errmsg(st->run->db));
	if (st->nsnap == 1) {
		for (i = st->written; i < st->ntracks && !rc; i++)
			rc = write_track(st, &b, &st->tracks[i], st->tracks[i].vacancy);
		tp_batch_end(&b);
		/* a building written is then read by nothing (no later snapshot
		 * matches against it, none leaves): the tracks and their text
		 * start again empty, instead of growing to every building (10M
		 * records: 640 MB of tracks, grown a doubling at a time) */
		if (!rc)
			st->ntracks = st->written = st->now.n = 0;
		return rc;
	}
	if (!rc)
		rc = tp_store_int(st->run->db, &top, "SELECT COALESCE(MAX(id), 0) FROM vacancies");
	for (i = st->written; i < st->ntracks; i++)
		top = st->tracks[i].vacancy > top ? st->tracks[i].vacancy : top;
	if (!rc && !(at = calloc((size_t)top + 1, sizeof(*at))))
		rc = tp_error_set(TP_ERROR, "out of memory for %lld vacancy ids", top);
	for (i = st->written; i < st->ntracks && !rc; i++)
		if (st->tracks[i].vacancy)
			at[st->tracks[i].vacancy] = (long long)i + 1;
	for (i = 1; i <= (size_t)top && !rc; i++)
		if (at[i])
			rc = write_track(st, &b, &st->tracks[at[i] - 1], (long long)i);
	for (i = st->written; i < st->ntracks && !rc; i++)
		if (!st->tracks[i].vacancy)
			rc = write_track(st, &b, &st->tracks[i], ++top);
	tp_batch_end(&b);
	free(at);
	if (!rc)
		st->written = st->ntracks;
	return rc;
}

/* vacancy_flows: per commune and snapshot, then the region. */
static int write_flows(state *st)
{
	size_t nc = st->com.n + 1, c;
	sqlite3_stmt *ins = NULL;
	int rc, s;

	rc = tp_store_prepare(st->run->db, &ins,
			      "INSERT INTO vacancy_flows(nis_code, snapshot, empty_records,"
			      " empty_dwellings, entered_records, entered_dwellings, left_records,"
			      " left_dwellings) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	for (s = 0; s < st->nsnap && !rc; s++)
		for (c = 0; c < nc && !rc; c++) {
			const flow *x = &st->flows[(size_t)s * nc + c];
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
	batch *b = NULL;
	char *dst = NULL;
	size_t i;
	long nt = sysconf(_SC_NPROCESSORS_ONLN);
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
	/* a nis_code's commune: the first with it */
	for (i = 0; i < st.com.n && !rc; i++)
		if (st.com.key[i])
			rc = tp_keyset_put(&st.nis, st.com.key[i], i, NULL);
	if (!rc && !(st.flows = calloc((size_t)st.nsnap * (st.com.n + 1), sizeof(*st.flows))))
		rc = tp_error_set(TP_ERROR, "out of memory");
	if (!rc && st.nsnap > 1) {
		/* calloc: the batch's pages are touched as it fills */
		if (!(b = calloc(1, sizeof(*b))))
			rc = tp_error_set(TP_ERROR, "out of memory");
		if (!rc)
			rc = tp_locator_new(&st.lc, &st.rings, (const char *const *)st.com.key,
					    nt < 1 ? 1 : nt > 8 ? 8 : (int)nt, 0);
	}
	/* earlier snapshots two at a time, side by side; an odd one last alone */
	for (s = 0; s + 1 < st.nsnap && !rc; s += 2)
		rc = s + 2 < st.nsnap ? read_pair(&st, s, dst, b)
				      : read_snapshot(&st, &cfg->snapshots[s], s, dst, b, NULL);
	/* each earlier snapshot's rows once placed: those outside every commune are rejects too */
	if (!rc)
		rc = reject_outside(&st);
	if (!rc)
		rc = read_scored(&st, st.nsnap - 1);
	if (!rc)
		rc = write_tracks(&st);
	if (!rc)
		rc = write_flows(&st);
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
	if (b)
		text_dispose(&b->text);
	free(b);
	for (i = 0; i < st.nout; i++)
		free(st.out[i].original);
	free(st.out);
	text_dispose(&st.now);
	text_dispose(&st.prev);
	text_dispose(&st.kept);
	tp_keyset_dispose(&st.ids);
	tp_keyset_dispose(&st.addrs);
	tp_keyset_dispose(&st.nums);
	tp_keyset_dispose(&st.nis);
	free(st.pts.slot);
	free(st.flows);
	free(st.tracks);
	free(st.date);
	free(st.day);
	free(dst);
	tp_locator_free(st.lc);
	tp_rings_dispose(&st.rings);
	tp_rows_dispose(run->g, &st.com);
	return rc;
}

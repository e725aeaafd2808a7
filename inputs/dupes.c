/*
 * dupes.c: the same building reported twice (dupes.h).
 */
#include "inputs/dupes.h"
#include "geo/array.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "inputs/geocode.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys' text, in blocks that never move. */
typedef struct keytext {
	struct keytext *next;  /* the block filled before, or NULL */
	size_t used, cap;      /* bytes used, bytes in text */
	char text[];           /* the keys, NUL-terminated one after another */
} keytext;

#define KEYTEXT_BYTES 262144

/* A set of text keys, each with the row that first had it.  Each slot
 * keeps its key's hash, so probing compares text only on a likely hit
 * and growing hashes nothing again; the keys' text is copied into
 * blocks, not one malloc each (a million ids of a snapshot). */
typedef struct {
	char **key;            /* open addressing table, NULL slots empty */
	unsigned long *hash;   /* hash of each slot's key */
	long *row;             /* row of each key */
	size_t cap;            /* slots, a power of two */
	size_t n;              /* keys held */
	size_t expect;         /* keys expected (tp_dupes_expect): the first table's room */
	keytext *text;         /* the block keys are copied into, the earlier behind it */
} keyset;

/* An accepted record's point (its house number and box are in its grid
 * cell's key): two records of one building written in French and in Dutch
 * share them. */
typedef struct {
	double x, y;     /* the point, in the source CRS */
	long row;        /* the record's row */
} placed;

/* Which grid cells hold a point, whatever its number: a bit per cell, the
 * 64 cells of an 8 x 8 block in one word at the block's hash.  The 3 x 3
 * cells around a point lie in one to four words, so most records (nothing
 * near them) are answered from a word or two instead of nine text keys;
 * a set bit may be another block's (the text keys then decide). */
typedef struct {
	uint64_t *w;   /* words, a power of two of them, or NULL */
	size_t n;      /* words */
} occupancy;

struct tp_dupes {
	keyset ids;            /* ids of accepted records */
	keyset addrs;          /* address keys of accepted records */
	placed *pts;           /* accepted records with a point and a house number */
	size_t npts, cappts;   /* entries of pts */
	keyset cells;          /* "number|cell" -> index in pts + 1: a grid of tol-sized cells */
	occupancy occ;         /* the cells of pts */
	int any_point;         /* 1: a point within tol is the same building whatever its
				  number (tp_dupes_new_points), its cells keyed "*" */
};

static unsigned long hash_str(const char *s)
{
	unsigned long h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* The row that holds key, or 0. */
static long keyset_find(const keyset *k, const char *key)
{
	unsigned long h;
	size_t i;

	if (!k->cap)
		return 0;
	h = hash_str(key);
	for (i = h & (k->cap - 1); k->key[i]; i = (i + 1) & (k->cap - 1))
		if (k->hash[i] == h && !strcmp(k->key[i], key))
			return k->row[i];
	return 0;
}

/* A copy of key in k's text blocks; NULL when out of memory. */
static char *keyset_copy(keyset *k, const char *key)
{
	size_t n = strlen(key) + 1;
	keytext *t = k->text;

	if (!t || t->used + n > t->cap) {
		size_t cap = n > KEYTEXT_BYTES ? n : KEYTEXT_BYTES;
		if (!(t = malloc(sizeof(*t) + cap)))
			return NULL;
		t->next = k->text;
		t->used = 0;
		t->cap = cap;
		k->text = t;
	}
	memcpy(t->text + t->used, key, n);
	t->used += n;
	return t->text + t->used - n;
}

static int keyset_add(keyset *k, const char *key, long row)
{
	unsigned long h = hash_str(key);
	size_t i;

	if (2 * (k->n + 1) > k->cap) {
		keyset big = {0};
		size_t j;
		big.cap = k->cap ? k->cap * 2 : 64;
		/* the first table for the keys expected: no table made and dropped on
		 * the way (96 MB of memory touched for a million ids, instead of 48) */
		while (!k->cap && big.cap < 2 * k->expect && big.cap < ((size_t)1 << 40))
			big.cap *= 2;
		big.key = calloc(big.cap, sizeof(*big.key));
		big.hash = malloc(big.cap * sizeof(*big.hash));
		big.row = malloc(big.cap * sizeof(*big.row));
		if (!big.key || !big.hash || !big.row) {
			free(big.key);
			free(big.hash);
			free(big.row);
			return tp_error_set(TP_ERROR, "out of memory");
		}
		for (j = 0; j < k->cap; j++) {
			if (!k->key[j])
				continue;
			for (i = k->hash[j] & (big.cap - 1); big.key[i]; i = (i + 1) & (big.cap - 1))
				;
			big.key[i] = k->key[j];
			big.hash[i] = k->hash[j];
			big.row[i] = k->row[j];
		}
		big.n = k->n;
		big.text = k->text;
		big.expect = k->expect;
		free(k->key);
		free(k->hash);
		free(k->row);
		*k = big;
	}
	for (i = h & (k->cap - 1); k->key[i]; i = (i + 1) & (k->cap - 1))
		;
	k->key[i] = keyset_copy(k, key);
	if (!k->key[i])
		return tp_error_set(TP_ERROR, "out of memory");
	k->hash[i] = h;
	k->row[i] = row;
	k->n++;
	return TP_OK;
}

static void keyset_dispose(keyset *k)
{
	while (k->text) {
		keytext *t = k->text;
		k->text = t->next;
		free(t);
	}
	free(k->key);
	free(k->hash);
	free(k->row);
	memset(k, 0, sizeof(*k));
}

/* The row of an accepted record within 1 m of (x, y) with the same house
 * number and box, or 0.  Coordinates that read as degrees (lon/lat) take
 * 1e-5, about a metre. */
/* The distance under which two points are one building: 1 m, or 1e-5
 * (about a metre) for coordinates that read as degrees (lon/lat). */
static double tolerance(double x, double y)
{
	return fabs(x) <= 180 && fabs(y) <= 90 ? 1e-5 : 1.0;
}

/* The key of the grid cell (dx, dy) cells away from the one holding (x, y),
 * for house number num; 0 when the point is too far out for a grid. */
static int cell_key(char *buf, size_t len, const char *num, double x, double y, int dx, int dy)
{
	double tol = tolerance(x, y), cx = floor(x / tol), cy = floor(y / tol);
	char *o = buf;
	size_t n = strlen(num);

	if (!(fabs(cx) < 1e15 && fabs(cy) < 1e15) || n + 64 > len)
		return 0;
	/* as snprintf's "%s|%g|%.0f|%.0f" writes it, without its format
	 * parsing and float printing (nine keys per record read): cx + dx is
	 * a whole number under 1e15 + 1, never -0 */
	memcpy(o, num, n);
	o += n;
	memcpy(o, tol == 1.0 ? "|1|" : "|1e-05|", tol == 1.0 ? 3 : 7);
	o += tol == 1.0 ? 3 : 7;
	tp_num_int(o, (long long)(cx + dx));
	o += strlen(o);
	*o++ = '|';
	tp_num_int(o, (long long)(cy + dy));
	return 1;
}

/* The cell holding (x, y), as unsigned whole numbers (cell_key's cx, cy
 * plus 2^60); 0 when the point is too far out for a grid. */
static int cell_of(double x, double y, uint64_t *ux, uint64_t *uy)
{
	double tol = tolerance(x, y), cx = floor(x / tol), cy = floor(y / tol);

	if (!(fabs(cx) < 1e15 && fabs(cy) < 1e15))
		return 0;
	*ux = (uint64_t)(long long)cx + (1ull << 60);
	*uy = (uint64_t)(long long)cy + (1ull << 60);
	return 1;
}

/* The word of o for cell (ux, uy), and its bit there. */
static uint64_t *occ_word(const occupancy *o, uint64_t ux, uint64_t uy, uint64_t *bit)
{
	uint64_t h = (ux >> 3) * 0x9e3779b97f4a7c15ull ^ (uy >> 3) * 0xc2b2ae3d27d4eb4full;

	h ^= h >> 31;
	*bit = 1ull << ((ux & 7) << 3 | (uy & 7));
	return &o->w[h & (o->n - 1)];
}

/* Marks the cell of point p in d->occ. */
static void occ_set(tp_dupes *d, const placed *p)
{
	uint64_t ux, uy, bit;

	if (cell_of(p->x, p->y, &ux, &uy))
		*occ_word(&d->occ, ux, uy, &bit) |= bit;
}

/* Room in d->occ for one more point: 4 words a point, filled again from
 * pts when it grows.  0 or TP_ERROR. */
static int occ_room(tp_dupes *d)
{
	size_t n = d->occ.n, i;
	uint64_t *w;

	if (4 * (d->npts + 1) <= n)
		return TP_OK;
	n = n ? n * 2 : 1024;
	while (4 * (d->npts + 1) > n)
		n *= 2;
	if (!(w = calloc(n, sizeof(*w))))
		return tp_error_set(TP_ERROR, "out of memory");
	free(d->occ.w);
	d->occ.w = w;
	d->occ.n = n;
	for (i = 0; i < d->npts; i++)
		occ_set(d, &d->pts[i]);
	return TP_OK;
}

/* 0 when none of the 3 x 3 cells around (x, y) holds a point; 1 when one
 * may. */
static int occ_near(const tp_dupes *d, double x, double y)
{
	uint64_t ux, uy, bit;
	int dx, dy;

	if (!d->occ.n || !cell_of(x, y, &ux, &uy))
		return d->occ.n != 0; /* too far out: cell_key decides */
	for (dx = -1; dx <= 1; dx++)
		for (dy = -1; dy <= 1; dy++)
			if (*occ_word(&d->occ, ux + (uint64_t)dx, uy + (uint64_t)dy, &bit) & bit)
				return 1;
	return 0;
}

/* The row of the first accepted record within tol of (x, y) with the same
 * house number and box, or 0.  Only the 3 x 3 grid cells around the point
 * can hold one, so the search does not grow with the records read. */
static long near_duplicate(const tp_dupes *d, double x, double y, const char *num)
{
	const keyset *k = &d->cells;
	double tol = tolerance(x, y);
	size_t best = (size_t)-1, i;
	char key[128];
	int dx, dy;

	if (!k->cap || !occ_near(d, x, y))
		return 0;
	for (dx = -1; dx <= 1; dx++)
		for (dy = -1; dy <= 1; dy++) {
			if (!cell_key(key, sizeof(key), num, x, y, dx, dy))
				return 0;
			unsigned long h = hash_str(key);
			for (i = h & (k->cap - 1); k->key[i]; i = (i + 1) & (k->cap - 1)) {
				size_t p = (size_t)k->row[i] - 1;
				if (k->hash[i] != h || strcmp(k->key[i], key) || p >= best)
					continue;
				if (hypot(d->pts[p].x - x, d->pts[p].y - y) <= tol)
					best = p;
			}
		}
	return best == (size_t)-1 ? 0 : d->pts[best].row;
}

int tp_dupes_new(tp_dupes **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? TP_OK : tp_error_set(TP_ERROR, "out of memory");
}

void tp_dupes_expect(tp_dupes *d, size_t n)
{
	d->ids.expect = d->addrs.expect = n;
}

void tp_dupes_free(tp_dupes *d)
{
	if (!d)
		return;
	keyset_dispose(&d->ids);
	keyset_dispose(&d->addrs);
	keyset_dispose(&d->cells);
	free(d->occ.w);
	free(d->pts);
	free(d);
}

long tp_dupes_find(const tp_dupes *d, const char *id, const char *key, const double *xy,
		   const char **field, const char **how)
{
	char num[48] = "";
	long first;

	*field = "address";
	*how = "same address";
	if (id && id[0] && (first = keyset_find(&d->ids, id))) {
		*field = "id";
		*how = "same id";
		return first;
	}
	if (key && key[0]) {
		if ((first = keyset_find(&d->addrs, key)))
			return first;
		tp_address_key_number(key, num, sizeof(num));
	}
	if (num[0] && xy && (first = near_duplicate(d, xy[0], xy[1], num)))
		return first;
	if (d->any_point && xy)
		return near_duplicate(d, xy[0], xy[1], "*");
	return 0;
}

int tp_dupes_new_points(tp_dupes **out)
{
	int rc = tp_dupes_new(out);

	if (!rc)
		(*out)->any_point = 1;
	return rc;
}

/* Adds the point (x, y) of row to the grid under house number num. */
static int add_point(tp_dupes *d, const char *num, double x, double y, long row)
{
	char cell[128];

	if (!cell_key(cell, sizeof(cell), num, x, y, 0, 0))
		return TP_OK;
	if (tp_array_room(&d->pts, &d->cappts, d->npts, sizeof(*d->pts), 64) || occ_room(d))
		return TP_ERROR;
	d->pts[d->npts++] = (placed){x, y, row};
	occ_set(d, &d->pts[d->npts - 1]);
	return keyset_add(&d->cells, cell, (long)d->npts);
}

int tp_dupes_add(tp_dupes *d, const char *id, const char *key, const double *xy, long row)
{
	char num[48] = "";

	if (id && id[0] && keyset_add(&d->ids, id, row))
		return TP_ERROR;
	if (key && key[0]) {
		if (keyset_add(&d->addrs, key, row))
			return TP_ERROR;
		tp_address_key_number(key, num, sizeof(num));
	}
	if (num[0] && xy && add_point(d, num, xy[0], xy[1], row))
		return TP_ERROR;
	if (d->any_point && xy && add_point(d, "*", xy[0], xy[1], row))
		return TP_ERROR;
	return TP_OK;
}

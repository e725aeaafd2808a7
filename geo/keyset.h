/*
 * keyset.h: a set of text keys, each with the number first put for it.
 *
 * An open-addressing hash table over one block of key text: a million
 * keys cost one allocation for the table and one for the text, not one
 * per key, and a look-up compares a stored hash before it compares text.
 * A key put again keeps the number it was first put with, so "the first
 * record that had this key" needs no more than a put.  Used where records
 * are matched by a text key (pipeline/snapshots.c: ids, address keys).
 */
#ifndef TP_KEYSET_H
#define TP_KEYSET_H
#include <stddef.h>
#include <stdint.h>

typedef struct tp_keyset_slot tp_keyset_slot;

/* A set of keys; zeroed ({0}) is empty, tp_keyset_dispose() frees it. */
typedef struct {
	tp_keyset_slot *slot; /* open addressing, a power of two of them, or NULL */
	size_t cap;           /* slots */
	size_t n;             /* keys held */
	char *text;           /* the keys, each '\0'-ended; offset 0 is no key */
	size_t used, room;    /* bytes of text used and allocated */
} tp_keyset;

/* Frees what k holds and leaves it empty. */
void tp_keyset_dispose(tp_keyset *k);

/* 1 and *value set when k holds key, else 0. */
int tp_keyset_get(const tp_keyset *k, const char *key, uint64_t *value);

/*
 * Puts key with value unless k holds it already; *held (may be NULL) gets
 * the value k holds for key afterwards (value, or the one first put).
 * 0, or TP_ERROR when memory (or the 4 GiB of key text) runs out, k then
 * unchanged.
 */
int tp_keyset_put(tp_keyset *k, const char *key, uint64_t value, uint64_t *held);

#endif

/*
 * keyset.c: a set of text keys, each with the number first put for it
 * (keyset.h).
 */
#include "geo/keyset.h"
#include "geo/error.h"

#include <stdlib.h>
#include <string.h>

/* One slot: empty while off is 0. */
struct tp_keyset_slot {
	uint64_t value; /* the number first put with the key */
	uint32_t hash;  /* the key's hash, high half: most mismatches end here */
	uint32_t off;   /* the key in text, 0 when the slot is empty */
};

/* FNV-1a, then mixed (MurmurHash3's finaliser) so that the low bits, the
 * slot index, depend on every byte. */
static uint64_t hash_key(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* The slot holding key, or the empty slot where it would go. */
static tp_keyset_slot *find(const tp_keyset *k, const char *key, uint64_t h)
{
	size_t mask = k->cap - 1, i;

	for (i = (size_t)h & mask;; i = (i + 1) & mask) {
		tp_keyset_slot *s = &k->slot[i];
		if (!s->off || (s->hash == (uint32_t)(h >> 32) && !strcmp(k->text + s->off, key)))
			return s;
	}
}

/* Doubles the slots (the first 1024), keeping every key. */
static int grow(tp_keyset *k)
{
	size_t cap = k->cap ? k->cap * 2 : 1024, i, mask = cap - 1, j;
	tp_keyset_slot *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return tp_error_set(TP_ERROR, "out of memory");
	for (i = 0; i < k->cap; i++) {
		const tp_keyset_slot *s = &k->slot[i];
		if (!s->off)
			continue;
		/* the hash's low half is not stored: hash the key again */
		for (j = (size_t)hash_key(k->text + s->off) & mask; slot[j].off; j = (j + 1) & mask)
			;
		slot[j] = *s;
	}
	free(k->slot);
	k->slot = slot;
	k->cap = cap;
	return TP_OK;
}

void tp_keyset_dispose(tp_keyset *k)
{
	free(k->slot);
	free(k->text);
	memset(k, 0, sizeof(*k));
}

int tp_keyset_get(const tp_keyset *k, const char *key, uint64_t *value)
{
	const tp_keyset_slot *s;

	if (!k->n)
		return 0;
	s = find(k, key, hash_key(key));
	if (!s->off)
		return 0;
	*value = s->value;
	return 1;
}

int tp_keyset_put(tp_keyset *k, const char *key, uint64_t value, uint64_t *held)
{
	size_t len = strlen(key) + 1;
	uint64_t h = hash_key(key);
	tp_keyset_slot *s;

	if (4 * (k->n + 1) > 3 * k->cap && grow(k))
		return TP_ERROR;
	s = find(k, key, h);
	if (!s->off) {
		if (k->used + len > k->room) {
			size_t room = k->room ? k->room : 1 << 16;
			char *text;
			while (room < k->used + len + 1)
				room *= 2;
			if (room > (size_t)UINT32_MAX + 1)
				room = (size_t)UINT32_MAX + 1;
			if (k->used + len + 1 > room)
				return tp_error_set(TP_ERROR, "out of memory (more than 4 GiB of keys)");
			if (!(text = realloc(k->text, room)))
				return tp_error_set(TP_ERROR, "out of memory");
			k->text = text;
			k->room = room;
			if (!k->used)
				k->text[k->used++] = '\0'; /* offset 0: no key */
		}
		memcpy(k->text + k->used, key, len);
		s->off = (uint32_t)k->used;
		s->hash = (uint32_t)(h >> 32);
		s->value = value;
		k->used += len;
		k->n++;
	}
	if (held)
		*held = s->value;
	return TP_OK;
}

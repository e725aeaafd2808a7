/*
 * bigbuf.c: large arrays on their own mappings (bigbuf.h).
 *
 * Each array starts with a header of HEAD bytes (so the pointer handed out
 * stays aligned for any type) that says how it was obtained: from malloc,
 * or from mmap with the mapping's length.  Growing a mapping uses mremap,
 * which moves page tables instead of copying bytes.
 */
#define _GNU_SOURCE /* mremap */
#include "geo/bigbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HEAD 64
#define MAP_FROM ((size_t)4 << 20)

typedef struct {
	size_t mapped;  /* length of the mapping, 0 when from malloc */
	size_t size;    /* bytes asked for, header excluded */
} head;

static void *map_new(size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* only advice: without transparent huge pages it is 4 KiB pages as before */
	madvise(m, len, MADV_HUGEPAGE);
#endif
	return m;
}

static void *wrap(void *base, size_t mapped, size_t size)
{
	head *h = base;

	h->mapped = mapped;
	h->size = size;
	return (char *)base + HEAD;
}

void *tp_big_alloc(size_t size)
{
	void *base;

	if (size > SIZE_MAX - HEAD)
		return NULL;
	if (size + HEAD < MAP_FROM) {
		base = malloc(size + HEAD);
		return base ? wrap(base, 0, size) : NULL;
	}
	base = map_new(size + HEAD);
	return base ? wrap(base, size + HEAD, size) : NULL;
}

void *tp_big_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = tp_big_alloc(n * size);
	if (!p)
		return NULL;
	/* a fresh mapping reads as zeros already; touching it would fault it all in */
	if (((head *)((char *)p - HEAD))->mapped == 0)
		memset(p, 0, n * size);
	return p;
}

void *tp_big_realloc(void *p, size_t size)
{
	head *h;
	void *q;

	if (!p)
		return tp_big_alloc(size);
	if (size > SIZE_MAX - HEAD)
		return NULL;
	h = (head *)((char *)p - HEAD);
	if (h->mapped && size + HEAD >= MAP_FROM) {
		void *m = mremap(h, h->mapped, size + HEAD, MREMAP_MAYMOVE);
		if (m == MAP_FAILED)
			return NULL;
#ifdef MADV_HUGEPAGE
		madvise(m, size + HEAD, MADV_HUGEPAGE);
#endif
		return wrap(m, size + HEAD, size);
	}
	if (!h->mapped && size + HEAD < MAP_FROM) {
		void *m = realloc(h, size + HEAD);
		return m ? wrap(m, 0, size) : NULL;
	}
	/* crossing the threshold one way or the other: a new array and a copy */
	q = tp_big_alloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, h->size < size ? h->size : size);
	tp_big_free(p);
	return q;
}

void tp_big_free(void *p)
{
	head *h;

	if (!p)
		return;
	h = (head *)((char *)p - HEAD);
	if (h->mapped)
		munmap(h, h->mapped);
	else
		free(h);
}

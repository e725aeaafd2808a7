/*
 * bigbuf.h: large arrays backed by 2 MiB pages where the kernel allows.
 *
 * An array of many megabytes is paid for page by page the first time it is
 * touched: one fault per 4 KiB, and on a virtual machine each fault costs
 * about 10 microseconds.  For the join's few hundred megabytes that was a
 * third of the whole run.  Arrays from tp_big_alloc() of 4 MiB or more are
 * mapped on their own and advised MADV_HUGEPAGE, so a fault brings 2 MiB;
 * smaller ones come from malloc.  Free them with tp_big_free() only.
 */
#ifndef TP_BIGBUF_H
#define TP_BIGBUF_H

#include <stddef.h>

/* An uninitialised array of size bytes, or NULL when memory is short. */
void *tp_big_alloc(size_t size);

/* n * size bytes set to zero (NULL on overflow or when memory is short). */
void *tp_big_calloc(size_t n, size_t size);

/* Resizes p (NULL: allocates), keeping its contents up to the smaller
 * size; NULL when memory is short, p then left as it was. */
void *tp_big_realloc(void *p, size_t size);

/* Frees p; NULL is accepted. */
void tp_big_free(void *p);

#endif

/*
 * array.h: growing an array, the one way.
 *
 * Arrays that grow a row at a time (rows of the store, shares of an
 * overlay, records of a CSV, entries of the address reference) double
 * their capacity, from a first size that suits them; several arrays that
 * grow together (parallel columns) are resized one after the other and
 * their common capacity set once all have grown.  A failed resize leaves
 * the array as it was, so the caller frees what it holds as usual.
 */
#ifndef TP_ARRAY_H
#define TP_ARRAY_H

#include <stddef.h>

/* The capacity after cap: twice it, or first for an array not yet allocated. */
static inline size_t tp_array_next(size_t cap, size_t first)
{
	return cap ? cap * 2 : first;
}

/*
 * Resizes the array whose address array_ptr holds (a T **, e.g. &rows->id)
 * to cap elements of size bytes.  0, or TP_ERROR ("out of memory" in the
 * last-error slot) with the array untouched.
 */
int tp_array_resize(void *array_ptr, size_t cap, size_t size);

/*
 * Room for element n of one array: when n == *cap, the array grows to
 * tp_array_next(*cap, first) and *cap follows.  0, or TP_ERROR as
 * tp_array_resize().
 */
int tp_array_room(void *array_ptr, size_t *cap, size_t n, size_t size, size_t first);

#endif

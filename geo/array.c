/*
 * array.c: growing an array (array.h).
 */
#include "geo/array.h"
#include "geo/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int tp_array_resize(void *array_ptr, size_t cap, size_t size)
{
	void *old, *p;

	if (size && cap > SIZE_MAX / size)
		return tp_error_set(TP_ERROR, "out of memory (an array of %zu elements)", cap);
	memcpy(&old, array_ptr, sizeof(old));
	p = realloc(old, (cap ? cap : 1) * size);
	if (!p)
		return tp_error_set(TP_ERROR, "out of memory");
	memcpy(array_ptr, &p, sizeof(p));
	return TP_OK;
}

int tp_array_room(void *array_ptr, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t next;

	if (n < *cap)
		return TP_OK;
	next = tp_array_next(*cap, first);
	if (tp_array_resize(array_ptr, next, size))
		return TP_ERROR;
	*cap = next;
	return TP_OK;
}

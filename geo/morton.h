/*
 * morton.h: ordering along a Morton (Z-order) curve.
 *
 * Points close on the curve are close in the plane, so work done in curve
 * order touches memory (polygon rings, R-tree pages) that the previous step
 * just touched.  Keys are 64-bit: the 32-bit code above, the item's index
 * below.
 */
#ifndef TP_MORTON_H
#define TP_MORTON_H

#include <stddef.h>
#include <stdint.h>

/* The Morton code of cell (x, y), each below 65536: x's bits on the even
 * positions, y's on the odd ones. */
uint32_t tp_morton(uint32_t x, uint32_t y);

/* Sorts keys by their high 32 bits (a radix sort, stable: equal codes keep
 * their index order).  TP_ERROR when out of memory, keys then unsorted. */
int tp_morton_sort(uint64_t *keys, size_t n);

/* The order of the n points xy (x, y pairs) along a Morton curve over their
 * extent: keys (code << 32 | index) sorted, from tp_big_alloc (free them
 * with tp_big_free); NULL when out of memory. */
uint64_t *tp_morton_order(const double *xy, size_t n);

#endif

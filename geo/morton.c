/*
 * morton.c: Morton codes and the sort of keys by them (morton.h).
 */
#include "geo/morton.h"
#include "geo/bigbuf.h"
#include "geo/error.h"

#include <math.h>
#include <string.h>

/* Spreads the low 16 bits of v to the even bits. */
static uint32_t spread16(uint32_t v)
{
	v &= 0xffff;
	v = (v | (v << 8)) & 0x00ff00ff;
	v = (v | (v << 4)) & 0x0f0f0f0f;
	v = (v | (v << 2)) & 0x33333333;
	v = (v | (v << 1)) & 0x55555555;
	return v;
}

uint32_t tp_morton(uint32_t x, uint32_t y)
{
	return spread16(x) | spread16(y) << 1;
}

int tp_morton_sort(uint64_t *keys, size_t n)
{
	uint64_t *tmp = tp_big_alloc((n ? n : 1) * sizeof(*tmp));
	size_t count[256], i;
	int pass;

	if (!tmp)
		return tp_error_set(TP_ERROR, "out of memory");
	for (pass = 4; pass < 8; pass++) {
		int shift = pass * 8;
		size_t sum = 0;
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(keys[i] >> shift) & 0xff]++;
		for (i = 0; i < 256; i++) {
			size_t c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(keys[i] >> shift) & 0xff]++] = keys[i];
		memcpy(keys, tmp, n * sizeof(*keys));
	}
	tp_big_free(tmp);
	return TP_OK;
}

uint64_t *tp_morton_order(const double *xy, size_t n)
{
	double minx = HUGE_VAL, miny = HUGE_VAL, maxx = -HUGE_VAL, maxy = -HUGE_VAL, sx, sy;
	uint64_t *keys = tp_big_alloc((n ? n : 1) * sizeof(*keys));
	size_t i;

	if (!keys)
		return NULL;
	for (i = 0; i < n; i++) {
		minx = fmin(minx, xy[2 * i]), maxx = fmax(maxx, xy[2 * i]);
		miny = fmin(miny, xy[2 * i + 1]), maxy = fmax(maxy, xy[2 * i + 1]);
	}
	sx = maxx > minx ? 65535.0 / (maxx - minx) : 0;
	sy = maxy > miny ? 65535.0 / (maxy - miny) : 0;
	for (i = 0; i < n; i++) {
		uint32_t cx = (uint32_t)((xy[2 * i] - minx) * sx);
		uint32_t cy = (uint32_t)((xy[2 * i + 1] - miny) * sy);
		keys[i] = (uint64_t)tp_morton(cx, cy) << 32 | i;
	}
	if (tp_morton_sort(keys, n)) {
		tp_big_free(keys);
		return NULL;
	}
	return keys;
}

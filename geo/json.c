/*
 * json.c: JSON strings (json.h).
 */
#include "geo/json.h"

#include <stdlib.h>
#include <string.h>

/* 1 for the bytes a run of plain bytes stops at: the end (NUL), control
 * characters, the quote and the backslash.  One look-up per byte: every
 * cell of every record read goes through here (rejects' and records'
 * originals). */
static const unsigned char stop[256] = {
	[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
	[0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
	[0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
	[0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
	[0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

int tp_json_string(const char *s, tp_json_put put, void *ctx)
{
	char esc[8];
	int rc = put(ctx, "\"", 1);

	while (*s && rc == 0) {
		/* a run of bytes that need no escape goes out in one put */
		size_t n = 0;
		unsigned char c;

		while (!stop[(unsigned char)s[n]])
			n++;
		c = (unsigned char)s[n];
		if (n) {
			rc = put(ctx, s, n);
			s += n;
			continue;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			rc = put(ctx, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			rc = put(ctx, esc, 6);
		}
		s++;
	}
	return rc ? rc : put(ctx, "\"", 1);
}

static int put_file(void *ctx, const char *s, size_t n)
{
	return fwrite(s, 1, n, ctx) == n ? 0 : -1;
}

void tp_json_fputs(FILE *f, const char *s)
{
	tp_json_string(s, put_file, f);
}

/* The end of the JSON value at p (a string or a bare word: null, a number,
 * true, false), or NULL when p holds none. */
static const char *value_end(const char *p)
{
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++)
			if (*p == '\\' && !*++p)
				return NULL;
		return *p ? p + 1 : NULL;
	}
	while (*p && *p != ',' && *p != ']' && *p != ' ')
		p++;
	return p;
}

/* Splits the JSON array s into its values: at most max of them, each as
 * its start and end in at[]; the count, or -1 when s is not such an array. */
static int split_array(const char *s, const char **at, int max)
{
	int n = 0;

	while (*s == ' ')
		s++;
	if (*s++ != '[')
		return -1;
	while (*s == ' ')
		s++;
	if (*s == ']')
		return 0;
	for (;;) {
		const char *end = value_end(s);
		if (!end || end == s || n == max)
			return -1;
		at[2 * n] = s;
		at[2 * n + 1] = end;
		n++;
		s = end;
		while (*s == ' ')
			s++;
		if (*s == ']')
			return n;
		if (*s++ != ',')
			return -1;
		while (*s == ' ')
			s++;
	}
}

#define ZIP_MAX 1024 /* members of an object tp_json_zip makes */

char *tp_json_zip(const char *keys, const char *values)
{
	const char *k[2 * ZIP_MAX], *v[2 * ZIP_MAX];
	int nk = split_array(keys, k, ZIP_MAX), nv = split_array(values, v, ZIP_MAX), i;
	size_t len = 3, used = 0;
	char *out;

	if (nk < 0 || nv < 0)
		return NULL;
	if (nv > nk)
		nv = nk;
	for (i = 0; i < nv; i++)
		len += (size_t)(k[2 * i + 1] - k[2 * i]) + (size_t)(v[2 * i + 1] - v[2 * i]) + 2;
	out = malloc(len);
	if (!out)
		return NULL;
	out[used++] = '{';
	for (i = 0; i < nv; i++) {
		size_t kn = (size_t)(k[2 * i + 1] - k[2 * i]), vn = (size_t)(v[2 * i + 1] - v[2 * i]);
		if (i)
			out[used++] = ',';
		memcpy(out + used, k[2 * i], kn);
		used += kn;
		out[used++] = ':';
		memcpy(out + used, v[2 * i], vn);
		used += vn;
	}
	out[used++] = '}';
	out[used] = '\0';
	return out;
}

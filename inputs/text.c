/*
 * text.c: encodings and folding (text.h).
 *
 * Folding knows the Latin-1 supplement and the few Latin Extended-A
 * letters French and Dutch use (œ, Œ); that covers the street names,
 * headers and code words of Belgian sources.
 */
#include "inputs/text.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>

int tp_text_is_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p, need, cp, min;
		if (c < 0x80) {
			uint64_t w;
			/* ASCII, eight bytes at a time */
			for (p++; end - p >= 8; p += 8) {
				memcpy(&w, p, 8);
				if (w & 0x8080808080808080ull)
					break;
			}
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			need = 1, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			need = 2, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return 0;
		if ((size_t)(end - p) <= need)
			return 0;
		for (unsigned k = 1; k <= need; k++) {
			if ((p[k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		p += need + 1;
	}
	return 1;
}

char *tp_text_utf8(const char *s)
{
	char *r, *out;

	if (tp_text_is_utf8(s, strlen(s)))
		return strdup(s);
	r = CPLRecode(s, "CP1252", CPL_ENC_UTF8);
	if (!r)
		return NULL;
	out = strdup(r);
	CPLFree(r);
	return out;
}

void tp_text_copy(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(s);

	if (!outlen)
		return;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Appends s to out's used bytes, cut at outlen - 1 bytes; the bytes then used. */
static size_t append_cut(char *out, size_t outlen, size_t used, const char *s)
{
	size_t n = strlen(s);

	if (n > outlen - 1 - used)
		n = outlen - 1 - used;
	memcpy(out + used, s, n);
	return used + n;
}

char *tp_text_join(char *out, size_t outlen, const char *const *part, int n, const char *sep)
{
	size_t used = 0;
	int i;

	if (!outlen)
		return out;
	for (i = 0; i < n && used + 1 < outlen; i++) {
		if (i)
			used = append_cut(out, outlen, used, sep);
		used = append_cut(out, outlen, used, part[i]);
	}
	out[used] = '\0';
	return out;
}

/* ASCII folding of U+00C0..U+00FF; "" drops the character. */
static const char *const latin1_fold[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Decodes one UTF-8 character at s into *cp; returns its length (1 on bad bytes). */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
		*cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
		return 3;
	}
	if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
	    (s[3] & 0xC0) == 0x80) {
		*cp = 0x10000; /* beyond what folding cares about */
		return 4;
	}
	*cp = 0xFFFD;
	return 1;
}

/* Appends the n bytes at s to out[*used], after a space when one is pending
 * (*space) and out is not empty; 0 when they do not fit in outlen - 1 bytes,
 * and then out is left as it was: folding stops there, and the text never
 * ends in a space. */
static int put(char *out, size_t outlen, size_t *used, int *space, const char *s, size_t n)
{
	size_t sep = *space && *used > 0;

	if (*used + sep + n >= outlen)
		return 0;
	if (sep)
		out[(*used)++] = ' ';
	memcpy(out + *used, s, n);
	*used += n;
	*space = 0;
	return 1;
}

void tp_text_fold(const char *s, char *out, size_t outlen, int keep_ranges)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t used = 0;
	int space = 0;  /* a separator is pending */

	if (!outlen)
		return;
	while (*p) {
		unsigned cp;
		size_t len = utf8_next(p, &cp);
		const char *rep = NULL;
		char one[2] = {0, 0};

		if (cp < 0x80 && isalnum((int)cp)) {
			one[0] = (char)tolower((int)cp);
			rep = one;
		} else if (keep_ranges && (cp == '-' || cp == '/') && used > 0 &&
			   isdigit((unsigned char)out[used - 1]) && !space &&
			   isdigit(p[1])) {
			one[0] = (char)cp;
			rep = one;
		} else if (cp >= 0xC0 && cp <= 0xFF) {
			rep = latin1_fold[cp - 0xC0];
		} else if (cp == 0x152 || cp == 0x153) {
			rep = "oe";
		} else if (cp >= 0x100 && cp != 0xFFFD && cp < 0x2000) {
			/* another letter: kept as written */
			if (!put(out, outlen, &used, &space, (const char *)p, len))
				break;
			p += len;
			continue;
		}
		if (rep && rep[0] != ' ') {
			if (!put(out, outlen, &used, &space, rep, strlen(rep)))
				break;
		} else {
			space = 1;
		}
		p += len;
	}
	out[used] = '\0';
}

int tp_text_distance(const char *a, const char *b)
{
	int row[64], i, j;
	int na = (int)strlen(a), nb = (int)strlen(b);

	if (na > 63)
		na = 63;
	if (nb > 63)
		nb = 63;
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		int diag = row[0], tmp;
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			int best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			diag = tmp;
		}
	}
	return row[nb];
}

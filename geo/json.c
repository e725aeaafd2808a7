/*
 * json.c: JSON strings (json.h).
 */
#include "geo/json.h"

int tp_json_string(const char *s, tp_json_put put, void *ctx)
{
	char esc[8];
	int rc = put(ctx, "\"", 1);

	while (*s && rc == 0) {
		/* a run of bytes that need no escape goes out in one put */
		size_t n = 0;
		unsigned char c;

		while ((c = (unsigned char)s[n]) && c != '"' && c != '\\' && c >= 0x20)
			n++;
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

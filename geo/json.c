/*
 * json.c: JSON strings (json.h).
 */
#include "geo/json.h"

int tp_json_string(const char *s, tp_json_put put, void *ctx)
{
	char esc[8];
	int rc = put(ctx, "\"", 1);

	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			rc = put(ctx, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			rc = put(ctx, esc, 6);
		} else {
			rc = put(ctx, s, 1);
		}
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

/*
 * json.h: a string as JSON text, the one way.
 *
 * run.json, overview.json and the store's record of a row's original
 * values (rejects.original) all write strings the same way: quotes and
 * backslashes escaped, control characters as \u00XX, every other byte
 * (UTF-8 included) as it is.
 */
#ifndef TP_JSON_H
#define TP_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Where tp_json_string() puts its bytes: 0, or nonzero to stop. */
typedef int (*tp_json_put)(void *ctx, const char *s, size_t n);

/* Puts s as a JSON string literal, quotes included; returns 0 or the first
 * nonzero answer of put. */
int tp_json_string(const char *s, tp_json_put put, void *ctx);

/* tp_json_string() onto a stream. */
void tp_json_fputs(FILE *f, const char *s);

/*
 * The JSON object whose members are keys[i]: values[i], in order, from two
 * JSON arrays (keys of strings; values of strings, null or bare words, as
 * tremplin writes them), for i below the shorter one's length: a record's
 * original values kept without their keys (inputs/reader.h,
 * tp_reader_compact).  The members' text is copied as it is.  malloc'd;
 * NULL when out of memory or when either is not such an array.
 */
char *tp_json_zip(const char *keys, const char *values);

#endif

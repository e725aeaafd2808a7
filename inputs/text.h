/*
 * text.h: text as it arrives from offices: encodings and folding.
 *
 * Sources are UTF-8, UTF-8 with a BOM, or Windows-1252/Latin-1 (what a
 * Belgian spreadsheet saves as "CSV").  tp_text_utf8() turns any of them
 * into UTF-8.  tp_text_fold() gives the form tremplin compares names and
 * codes in: lower case, accents removed, punctuation as single spaces.
 */
#ifndef TP_TEXT_H
#define TP_TEXT_H

#include <stddef.h>

/* 1 when the n bytes at s are valid UTF-8, else 0. */
int tp_text_is_utf8(const char *s, size_t n);

/*
 * A malloc'ed UTF-8 copy of s: s itself when it is valid UTF-8, else s
 * read as Windows-1252 (a superset of Latin-1 for printable text).
 * NULL when out of memory.
 */
char *tp_text_utf8(const char *s);

/*
 * Folds UTF-8 s into out: ASCII lower case, Latin accents removed (é -> e,
 * œ -> oe, ß -> ss), every run of other characters (spaces, punctuation)
 * turned into one space, no leading or trailing space.  With keep_ranges,
 * a '-' or '/' between two digits is kept ("12-14").  Other non-ASCII
 * letters are copied as they are.  Truncates to outlen - 1 bytes.
 */
void tp_text_fold(const char *s, char *out, size_t outlen, int keep_ranges);

/* Copies s into out (outlen bytes), cut to outlen - 1 bytes as
 * snprintf(out, outlen, "%s", s) would, without its format parsing (a copy
 * made for every field of every record read). */
void tp_text_copy(char *out, size_t outlen, const char *s);

/* The n parts joined into out (outlen bytes), sep between them, cut as
 * snprintf would cut them; returns out.  For texts made per record, where
 * snprintf's format parsing showed in the profiles. */
char *tp_text_join(char *out, size_t outlen, const char *const *part, int n, const char *sep);

/* Levenshtein distance between two short strings (first 63 bytes). */
int tp_text_distance(const char *a, const char *b);

#endif

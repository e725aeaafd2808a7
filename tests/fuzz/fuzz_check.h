/*
 * fuzz_check.h: checks the harnesses share.  A failed check aborts, which
 * libFuzzer reports as a crash with the input that caused it.
 */
#ifndef TP_FUZZ_CHECK_H
#define TP_FUZZ_CHECK_H

#include "inputs/text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* What text.h promises of tp_text_fold's result from UTF-8 text: no ASCII
 * capital, no leading, trailing or doubled space, valid UTF-8. */
static inline void tp_fuzz_check_folded(const char *out)
{
	size_t n = strlen(out), i;

	if (n && (out[0] == ' ' || out[n - 1] == ' '))
		abort();
	for (i = 0; i < n; i++)
		if (isupper((unsigned char)out[i]) || (out[i] == ' ' && out[i + 1] == ' '))
			abort();
	if (!tp_text_is_utf8(out, n))
		abort();
}

#endif

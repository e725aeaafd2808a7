/*
 * fuzz_csv.c: libFuzzer harness for CSV sniffing (inputs/source.c,
 * inputs/text.c): one input is the start of a CSV file as offices save it
 * (UTF-8, UTF-8 with a BOM, Windows-1252).  It runs what tp_source_open does
 * before OGR sees the file: the separator, the UTF-8 test, the recoding;
 * then the header line is cut at the separator and each header is folded
 * and matched against every field's French and Dutch names.  Checks: the
 * separator is ';', ',' or tab; the recoded text is UTF-8 and UTF-8 input
 * is kept as it is; folded headers keep text.h's promise.
 */
#include "inputs/fields.h"
#include "inputs/source.h"
#include "inputs/text.h"
#include "tests/fuzz/fuzz_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	CPLSetErrorHandler(CPLQuietErrorHandler); /* recoding warnings */
	return 0;
}

/* Folds and matches one header cell. */
static void header(const char *cell)
{
	char folded[256];
	int k;
	size_t i;

	tp_text_fold(cell, folded, sizeof(folded), 0);
	tp_fuzz_check_folded(folded);
	for (k = 0; k < TP_IN_COUNT; k++) {
		const tp_input_def *def = tp_input_def_get(k);
		for (i = 0; i < def->nfields; i++)
			tp_field_header_matches(&def->fields[i], cell);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *u = NULL, *p;
	size_t i = 0, start = 0;
	char sep;
	int quoted = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	sep = tp_source_separator(buf);
	if (sep != ';' && sep != ',' && sep != '\t')
		abort();
	tp_text_is_utf8(buf, size);
	u = tp_text_utf8(buf);
	if (!u || !tp_text_is_utf8(u, strlen(u)))
		abort();
	if (tp_text_is_utf8(buf, strlen(buf)) && strcmp(u, buf))
		abort();
	/* the header line, cut at the separator outside quotes, quotes removed */
	p = u;
	if (!strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (p[i] && (quoted || (p[i] != '\n' && p[i] != '\r'))) {
		if (p[i] == '"') {
			quoted = !quoted;
			memmove(p + i, p + i + 1, strlen(p + i));
			continue;
		}
		if (!quoted && p[i] == sep) {
			p[i] = '\0';
			header(p + start);
			start = i + 1;
		}
		i++;
	}
	p[i] = '\0';
	header(p + start);
	free(u);
	free(buf);
	return 0;
}

/*
 * categories.c: the people categories (categories.h) as an array, for the
 * modules that walk them at run time rather than make text from them.
 */
#include "geo/categories.h"

#include <string.h>

#define ROW(column, fr, nl, aliases) {#column, fr, nl, aliases},

/* Unsized, so that a row count other than TP_NPEOPLE conflicts with categories.h. */
const tp_category tp_people[] = {TP_PEOPLE(ROW)};

const tp_category *tp_category_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < TP_NPEOPLE; i++)
		if (strcmp(tp_people[i].name, name) == 0)
			return &tp_people[i];
	return NULL;
}

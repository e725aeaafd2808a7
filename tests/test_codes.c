/*
 * test_codes.c: the code lists, palettes and quantile classes (geo/codes.c).
 */
#include "geo/codes.h"
#include "tests/check.h"

#include <stdio.h>
#include <string.h>

static void quantiles_cut_sorted_values_into_five_groups(void)
{
	/* 10 values, 2 per class: [1,2] [3,4] [5,6] [7,8] [9,10] */
	double v[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
	tp_classes c;

	tp_classes_quantile(&c, v, 10);
	CHECK(c.n == 5);
	CHECK(c.lo[0] == 1 && c.hi[0] == 2 && c.count[0] == 2);
	CHECK(c.lo[2] == 5 && c.hi[2] == 6 && c.count[2] == 2);
	CHECK(c.lo[4] == 9 && c.hi[4] == 10 && c.count[4] == 2);
	CHECK(v[0] == 1 && v[9] == 10); /* sorted in place */
	CHECK(tp_classes_find(&c, 1) == 0);
	CHECK(tp_classes_find(&c, 2.5) == 1); /* between classes: the one above */
	CHECK(tp_classes_find(&c, 10) == 4);
	CHECK(tp_classes_find(&c, 11) == -1);
}

static void equal_values_stay_in_one_class(void)
{
	/* groups by index i * 5 / 10: 0,0 | 1,1 | 2,2 | 3,3 | 4,4.  The three
	 * 3s open class 1 at index 2 and keep index 4 (group 2) in it; 5 at
	 * index 5 opens group 2: [1,2] [3,3,3] [5] [7,7] [8,9] */
	double v[] = {1, 2, 3, 3, 3, 5, 7, 7, 8, 9};
	/* six 1s fill groups 0..2, which become one class: [1 x6] [2,3] [4,5] */
	double many[] = {1, 1, 1, 1, 1, 1, 2, 3, 4, 5};
	double same[] = {4, 4, 4, 4, 4, 4};
	tp_classes c;

	tp_classes_quantile(&c, v, 10);
	CHECK(c.n == 5);
	CHECK(c.lo[0] == 1 && c.hi[0] == 2 && c.count[0] == 2);
	CHECK(c.lo[1] == 3 && c.hi[1] == 3 && c.count[1] == 3);
	CHECK(c.lo[2] == 5 && c.hi[2] == 5 && c.count[2] == 1);
	CHECK(c.lo[3] == 7 && c.hi[3] == 7 && c.count[3] == 2);
	CHECK(c.lo[4] == 8 && c.hi[4] == 9 && c.count[4] == 2);
	CHECK(tp_classes_find(&c, 3) == 1 && tp_classes_find(&c, 7) == 3);
	tp_classes_quantile(&c, many, 10);
	CHECK(c.n == 3);
	CHECK(c.lo[0] == 1 && c.hi[0] == 1 && c.count[0] == 6);
	CHECK(c.lo[1] == 2 && c.hi[1] == 3 && c.count[1] == 2);
	CHECK(c.lo[2] == 4 && c.hi[2] == 5 && c.count[2] == 2);
	tp_classes_quantile(&c, same, 6);
	CHECK(c.n == 1 && c.lo[0] == 4 && c.hi[0] == 4 && c.count[0] == 6);
}

static void fewer_values_than_classes_give_one_class_each(void)
{
	double three[] = {30, 10, 20}, none[1];
	tp_classes c;

	tp_classes_quantile(&c, three, 3);
	CHECK(c.n == 3);
	CHECK(c.lo[0] == 10 && c.hi[0] == 10);
	CHECK(c.lo[1] == 20 && c.hi[1] == 20);
	CHECK(c.lo[2] == 30 && c.hi[2] == 30);
	tp_classes_quantile(&c, none, 0);
	CHECK(c.n == 0 && tp_classes_find(&c, 1) == -1);
}

static void fewer_classes_spread_over_the_whole_palette(void)
{
	unsigned char rgb[3];

	tp_class_rgb(0, 5, rgb);
	CHECK(rgb[0] == 0xff && rgb[1] == 0xff && rgb[2] == 0xcc); /* YlGnBu, lightest */
	tp_class_rgb(4, 5, rgb);
	CHECK(rgb[0] == 0x25 && rgb[1] == 0x34 && rgb[2] == 0x94); /* darkest */
	tp_class_rgb(1, 2, rgb);
	CHECK(rgb[0] == 0x25 && rgb[1] == 0x34 && rgb[2] == 0x94); /* 2 classes: both ends */
	tp_class_rgb(0, 1, rgb);
	CHECK(rgb[0] == 0x41 && rgb[1] == 0xb6 && rgb[2] == 0xc4); /* 1 class: the middle */
	tp_class_rgb(-1, 5, rgb);
	CHECK(rgb[0] == 0xd0 && rgb[1] == 0xd0 && rgb[2] == 0xd0); /* no data */
}

static void every_code_has_a_french_and_a_dutch_name(void)
{
	const tp_code_list *lists[] = {&tp_owner_types, &tp_reasons, &tp_candidate_flags};
	char buf[256];
	int i, j, k;

	for (i = 0; i < 3; i++) {
		CHECK(lists[i]->n > 0 && lists[i]->domain[0] && lists[i]->description[0]);
		for (j = 0; j < lists[i]->n; j++) {
			const tp_code *c = &lists[i]->codes[j];
			CHECK(c->code[0] && c->fr && c->fr[0] && c->nl && c->nl[0]);
			CHECK(tp_code_find(lists[i], c->code) == c);
			for (k = 0; k < j; k++)
				CHECK(strcmp(lists[i]->codes[k].code, c->code) != 0);
		}
	}
	CHECK(tp_owner_types.n == 7 && tp_reasons.n == 6);
	CHECK(tp_code_find(&tp_owner_types, "bank") == NULL);
	CHECK(tp_code_find(&tp_owner_types, NULL) == NULL);
	CHECK_STR(tp_code_name(tp_code_find(&tp_owner_types, "sisp"), "both", buf, sizeof(buf)),
		  "SISP / OVM");
	CHECK_STR(tp_code_name(tp_code_find(&tp_owner_types, "sisp"), NULL, buf, sizeof(buf)),
		  "SISP / OVM");
	CHECK_STR(tp_code_name(tp_code_find(&tp_owner_types, "sisp"), "fr", buf, sizeof(buf)),
		  "SISP");
	CHECK_STR(tp_code_name(tp_code_find(&tp_owner_types, "cpas"), "nl", buf, sizeof(buf)),
		  "OCMW");
	CHECK_STR(tp_code_name(tp_code_find(&tp_owner_types, "citydev"), "both", buf, sizeof(buf)),
		  "CityDev"); /* the same in both languages: once */
	CHECK_STR(tp_code_expected(&tp_reasons, buf, sizeof(buf)),
		  "works/R1, study/R2, financing, allocation, repair or other");
}

/* tp_lang_pick writes what snprintf wrote, cut at the same byte for every room. */
static void a_pick_is_cut_as_snprintf_cuts(void)
{
	const char *langs[] = {"fr", "nl", "both"};
	char buf[32], want[32];
	size_t len;
	int k;

	for (k = 0; k < 3; k++)
		for (len = 1; len <= sizeof(buf); len++) {
			memset(buf, 'x', sizeof(buf));
			tp_lang_pick(buf, len, langs[k], "Saint-Gilles", "Sint-Gillis", " / ");
			if (k == 0)
				snprintf(want, len, "%s", "Saint-Gilles");
			else if (k == 1)
				snprintf(want, len, "%s", "Sint-Gillis");
			else
				snprintf(want, len, "%s%s%s", "Saint-Gilles", " / ", "Sint-Gillis");
			CHECK_STR(buf, want);
			CHECK(len == sizeof(buf) || buf[len] == 'x'); /* nothing past its room */
		}
	tp_lang_pick(buf, sizeof(buf), "both", "Ixelles", "Ixelles", " / ");
	CHECK_STR(buf, "Ixelles");
	memset(buf, 'x', sizeof(buf));
	tp_lang_pick(buf, 0, "fr", "Ixelles", "Elsene", " / ");
	CHECK(buf[0] == 'x');
}

static void candidate_legend_shows_one_half_and_the_largest(void)
{
	long long v[3];

	CHECK(tp_candidate_legend_sizes(34, v) == 3 && v[0] == 1 && v[1] == 15 && v[2] == 34);
	CHECK(tp_candidate_legend_sizes(8, v) == 2 && v[0] == 1 && v[1] == 8);
	CHECK(tp_candidate_legend_sizes(10, v) == 3 && v[1] == 5 && v[2] == 10);
	CHECK(tp_candidate_legend_sizes(1, v) == 1 && v[0] == 1);
	CHECK(tp_candidate_legend_sizes(0, v) == 0);
}

int main(void)
{
	quantiles_cut_sorted_values_into_five_groups();
	equal_values_stay_in_one_class();
	fewer_values_than_classes_give_one_class_each();
	fewer_classes_spread_over_the_whole_palette();
	every_code_has_a_french_and_a_dutch_name();
	a_pick_is_cut_as_snprintf_cuts();
	candidate_legend_shows_one_half_and_the_largest();
	return check_report("test_codes");
}

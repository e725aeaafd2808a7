/*
 * check.h: the smallest test harness: CHECK prints the failed condition
 * with file and line, and the test's main returns check_failures != 0.
 */
#ifndef TP_CHECK_H
#define TP_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                              \
	do {                                                                     \
		check_count++;                                                   \
		if (!(cond)) {                                                   \
			check_failures++;                                        \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
				#cond);                                          \
		}                                                                \
	} while (0)

#define CHECK_STR(a, b)                                                          \
	do {                                                                     \
		const char *a_ = (a), *b_ = (b);                                 \
		check_count++;                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                         \
			check_failures++;                                        \
			fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__, \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");         \
		}                                                                \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                              \
	do {                                                                     \
		const char *h_ = (hay), *n_ = (needle);                          \
		check_count++;                                                   \
		if (!h_ || !strstr(h_, n_)) {                                    \
			check_failures++;                                        \
			fprintf(stderr, "%s:%d: '%s' does not contain '%s'\n", __FILE__, \
				__LINE__, h_ ? h_ : "(null)", n_);               \
		}                                                                \
	} while (0)

#define CHECK_NEAR(a, b, eps)                                                    \
	do {                                                                     \
		double a_ = (a), b_ = (b);                                       \
		check_count++;                                                   \
		if (!(fabs(a_ - b_) <= (eps))) {                                 \
			check_failures++;                                        \
			fprintf(stderr, "%s:%d: %.12g != %.12g (eps %g)\n", __FILE__, \
				__LINE__, a_, b_, (double)(eps));                \
		}                                                                \
	} while (0)

static int check_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures != 0;
}

#endif

/*
 * fuzz_address.c: libFuzzer harness for address normalisation and matching
 * (inputs/geocode.c, inputs/text.c).  The address reference is the small
 * hand-made address_reference.geojson (Brussels streets in French and
 * Dutch), read once.  One input is an address as a record writes it,
 * optionally followed by a newline and the record's postcode field.  Each
 * gives its building key (tp_address_key) and is placed (tp_geocode).
 * Checks: a placed address says how (exact, normalised, nearest) and lands
 * on a reference point; a refused one says why; folding keeps text.h's
 * promise for UTF-8 text.
 */
#include "inputs/geocode.h"
#include "inputs/text.h"
#include "geo/error.h"
#include "tests/fuzz/fuzz_check.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <gdal.h>

static tp_geocoder *gc;

static void close_reference(void)
{
	tp_geocoder_free(gc);
	gc = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	tp_address_cfg cfg = {.path = TP_FUZZ_REFERENCE};

	GDALAllRegister();
	CPLSetErrorHandler(CPLQuietErrorHandler);
	if (tp_geocoder_open(&gc, &cfg, NULL)) {
		fprintf(stderr, "fuzz_address: %s\n", tp_error_last());
		exit(1);
	}
	atexit(close_reference);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *address = malloc(size + 1), *postcode = NULL, *nl;
	char key[1024], folded[1024], why[512];
	const char *kind = NULL, *near = NULL;
	double x = NAN, y = NAN;
	int rc;

	if (!address)
		return 0;
	memcpy(address, data, size);
	address[size] = '\0';
	nl = strchr(address, '\n');
	if (nl) {
		*nl = '\0';
		postcode = nl + 1;
	}
	tp_address_key(address, postcode, key, sizeof(key));
	tp_text_fold(address, folded, sizeof(folded), 1);
	if (tp_text_is_utf8(address, strlen(address)))
		tp_fuzz_check_folded(folded);
	rc = tp_geocode(gc, address, postcode, &x, &y, &kind, why, sizeof(why), &near);
	if (rc == 1) {
		if (!kind || (strcmp(kind, "exact") && strcmp(kind, "normalised") &&
			      strcmp(kind, "nearest")))
			abort();
		if (!(x > 4.2 && x < 4.5 && y > 50.7 && y < 51.0))
			abort();
	} else if (rc != 0 || !why[0]) {
		abort();
	}
	free(address);
	return 0;
}

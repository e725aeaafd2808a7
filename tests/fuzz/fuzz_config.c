/*
 * fuzz_config.c: libFuzzer harness for the config parser (pipeline/config.c
 * over inih).  The input is a config file's text.  tp_config_load reads a
 * path, so the text goes into an anonymous memory file (memfd) read through
 * /proc/self/fd/N: nothing is written to disk, and the inputs the config
 * names are never opened.  Checks: the loader returns 0 or TP_ECONFIG with
 * a message, and on success every input has a path and the reference date
 * is a real date.
 */
#define _GNU_SOURCE
#include "pipeline/config.h"
#include "geo/dates.h"
#include "geo/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_config cfg;
	long days;
	int rc, k;

	if (fd < 0) {
		fd = memfd_create("tremplin-fuzz-config", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	tp_error_clear();
	rc = tp_config_load(&cfg, path);
	if (rc != 0 && (rc != TP_ECONFIG || !tp_error_last()[0]))
		abort();
	if (rc == 0) {
		for (k = 0; k < TP_IN_COUNT; k++)
			if (!cfg.inputs[k].path)
				abort();
		if (tp_date_iso_days(cfg.reference_date, &days))
			abort();
	}
	tp_config_dispose(&cfg);
	return 0;
}

/*
 * editions.c: the demo's earlier editions of the count, 2018, 2020 and
 * 2022, beside the 2024 edition of zones.c.
 *
 * Their regional totals are Bruss'help's: 4,187 (2018), 5,313 (2020) and
 * 7,134 (2022).  2022 added people staying temporarily with third parties
 * (and people threatened with eviction, and more institutional
 * situations): on the 2020 scope it counts 6,317, so 2018 and 2020 here
 * count five categories and 2022 gives third_parties the 817 added.  How
 * each total splits over the categories is schematic (near 2024's
 * shares), as the zones are: each edition's are drawn anew, from a stream
 * of their own, so the layouts differ from edition to edition as real
 * count zones do.
 */
#include "demo/demo_internal.h"
#include "geo/error.h"

#include <stdio.h>

/* One earlier edition. */
typedef struct {
	int year;           /* its label */
	long totals[NCAT];  /* people per category (geo/categories.h order); 0: not counted */
} edition;

static const edition editions[] = {
	{2018, {504, 1729, 261, 347, 1346, 0}},  /* 4,187 */
	{2020, {640, 2194, 331, 440, 1708, 0}},  /* 5,313 */
	{2022, {761, 2608, 393, 524, 2031, 817}}, /* 7,134; 6,317 without third_parties */
};

const char tp_demo_editions_ini[] =
	"date = 2024-11-06\n"
	"# The earlier editions of the count (schematic zones, the real regional totals).\n"
	"# 2018 and 2020 did not count people staying with third parties.\n"
	"[zones.2018]\n"
	"path = zones_2018.gpkg\n"
	"date = 2018-11-05\n"
	"categories = public_space, emergency_shelter, nonrecognised_shelter, squat, nonconventional\n"
	"[zones.2020]\n"
	"path = zones_2020.gpkg\n"
	"date = 2020-11-09\n"
	"categories = public_space, emergency_shelter, nonrecognised_shelter, squat, nonconventional\n"
	"[zones.2022]\n"
	"path = zones_2022.gpkg\n"
	"date = 2022-11-07\n";

int tp_demo_write_editions(demo *d, unsigned long seed)
{
	char file[64], description[160], path[PATHLEN];
	size_t i;
	int rc = TP_OK;

	for (i = 0; i < NELEM(editions) && !rc; i++) {
		const edition *e = &editions[i];
		snprintf(file, sizeof(file), "zones_%d.gpkg", e->year);
		snprintf(description, sizeof(description),
			 "Schematic count zones of the %d edition with its regional total", e->year);
		rc = tp_demo_join_path(path, d->dir, file, "");
		if (!rc)
			rc = tp_demo_build_zones_from(d, seed, ((uint64_t)e->year << 8) | STREAM_EDITIONS,
						      e->totals, path);
		if (!rc)
			rc = tp_demo_write_zones_as(d, file, description, e->totals);
	}
	return rc;
}

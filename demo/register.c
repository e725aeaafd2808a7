/*
 * register.c: the demo's occupation register and its per-commune eviction
 * files (demo_internal.h), both schematic and labelled so in a title row.
 *
 * The register holds the seven sites of ISSUE's table (the project's
 * domain notes: operator, dwellings, start, the end agreed or reached; no
 * planned end, which the table does not give), each in a
 * commune of the schematic region: the commune the site's name gives
 * (Peterbos: Anderlecht, Dubrucq: Molenbeek, Ganshoren, Etterbeek), a
 * chosen one for the others.  Their status is left empty, so that the run
 * derives it at the reference date (2024-11-07): an occupation closed
 * since is still running then.  A running site sits on the first vacancy
 * record of its commune and names it (vacancy_id), so that the demo shows
 * a vacancy under a running occupation; an ended one sits 40 m east of
 * it.  People housed are ISSUE's 156, moved on its 58, split by dwellings
 * (invented per site).
 *
 * The eviction files are the Forum Logement & Inclusion's 3,007 (July 2023
 * to June 2024, 16 communes that answered), split by population; the three
 * communes left out are chosen, and show as "no data".
 */
#include "demo/demo_internal.h"
#include "geo/error.h"
#include "outputs/outfile.h"

#include <stdio.h>
#include <string.h>

typedef struct {
	const char *site;       /* as ISSUE names it */
	const char *op;         /* housing operator */
	const char *owner;      /* owner type */
	int dwellings;          /* dwellings lent */
	int commune;            /* index into tp_demo_communes */
	const char *start;      /* start (month) */
	const char *planned;    /* planned end, "" when unknown */
	const char *extended;   /* extensions, "" when none */
	const char *ended;      /* actual end, "" while running */
} site;

static const site sites[] = {
	{"Peterbos", "SISP Comensia", "sisp", 7, 0, "03/2020", "", "", "09/2020"},
	{"Grande Haie", "SISP Log'Iris", "sisp", 3, 16, "03/2020", "", "", "07/2021"},
	{"3 pommiers", "AIS les trois pommiers", "ais", 13, 12, "01/2021", "", "31/12/2026", ""},
	{"Ganshoren", "CityDev", "citydev", 1, 7, "02/2020", "", "", "12/2024"},
	{"Trèfles", "CityDev", "citydev", 1, 0, "04/2022", "", "15/03/2026", ""},
	{"Dubrucq", "SISP Logement Molenbeekois", "sisp", 14, 11, "03/2023", "", "31/07/2027",
	 ""},
	{"Etterbeek", "SISP Log'Iris", "sisp", 11, 4, "12/2023", "", "", "02/2025"},
};

#define NSITES ((int)NELEM(sites))
#define ISSUE_PEOPLE 156     /* housed since March 2020 */
#define ISSUE_MOVED_ON 58    /* moved on to lasting housing */
#define EVICTION_FILES 3007  /* July 2023 - June 2024 */

/* The communes that did not answer the eviction monitoring (schematic). */
static const int no_answer[] = {2, 10, 13};

/* 1 when a site is still running at the demo's reference date (2024-11-07):
 * no actual end, or one after it. */
static int running(const site *s)
{
	int m, y;

	if (!s->ended[0])
		return 1;
	return sscanf(s->ended, "%d/%d", &m, &y) == 2 && (y > 2024 || (y == 2024 && m > 11));
}

static int write_occupations(demo *d)
{
	char path[PATHLEN];
	double w[NSITES];
	long people[NSITES], moved[NSITES];
	tp_outfile out;
	int i, rc;

	for (i = 0; i < NSITES; i++)
		w[i] = sites[i].dwellings;
	if ((rc = tp_demo_apportion(ISSUE_PEOPLE, w, NSITES, people)) ||
	    (rc = tp_demo_apportion(ISSUE_MOVED_ON, w, NSITES, moved)))
		return rc;
	if ((rc = tp_demo_join_path(path, d->dir, "occupations.csv", "")) ||
	    (rc = tp_outfile_open(&out, path, 0)))
		return rc;
	fprintf(out.f, "Registre ISSUE (sites placés schématiquement; personnes par site inventées)"
		       " / ISSUE-register (schematisch geplaatst)\n"
		       "site,operator,support,owner_type,dwellings,vacancy_id,start,planned_end,"
		       "extensions,actual_end,status,people_housed,people_moved_on,x,y\n");
	for (i = 0; i < NSITES; i++) {
		const site *s = &sites[i];
		long rec = d->first_record[s->commune];
		long xt = d->first_xy[s->commune][0] + (running(s) ? 0 : 400);
		long yt = d->first_xy[s->commune][1];
		char vid[16] = "";

		if (!rec)
			continue; /* a commune without a record: cannot happen with 600 */
		if (running(s))
			snprintf(vid, sizeof(vid), "V%04ld", rec);
		fprintf(out.f, "%s,", s->site);
		tp_csv_field(out.f, s->op);
		fprintf(out.f, ",ISSUE,%s,%d,%s,%s,%s,\"%s\",%s,,%ld,%ld,%ld.%ld,%ld.%ld\n", s->owner,
			s->dwellings, vid, s->start, s->planned, s->extended, s->ended, people[i],
			moved[i], xt / 10, xt % 10, yt / 10, yt % 10);
	}
	return tp_outfile_end(&out, TP_OK);
}

static int write_evictions(demo *d)
{
	char path[PATHLEN];
	double w[NCOMMUNES];
	long files[NCOMMUNES];
	tp_outfile out;
	int i, rc;

	for (i = 0; i < NCOMMUNES; i++)
		w[i] = (double)tp_demo_communes[i].population;
	for (i = 0; i < (int)NELEM(no_answer); i++)
		w[no_answer[i]] = 0;
	if ((rc = tp_demo_apportion(EVICTION_FILES, w, NCOMMUNES, files)) ||
	    (rc = tp_demo_join_path(path, d->dir, "evictions.csv", "")) ||
	    (rc = tp_outfile_open(&out, path, 0)))
		return rc;
	fprintf(out.f, "Dossiers d'expulsion traités par les CPAS, 07/2023-06/2024: 3 007 sur 16"
		       " communes (répartition schématique) / Uithuiszettingsdossiers (schematisch)\n"
		       "nis_code,commune,eviction_files\n");
	for (i = 0; i < NCOMMUNES; i++)
		if (w[i] > 0)
			fprintf(out.f, "%s,%s,%ld\n", tp_demo_communes[i].nis, tp_demo_communes[i].fr,
				files[i]);
	return tp_outfile_end(&out, TP_OK);
}

int tp_demo_write_register(demo *d)
{
	int rc = write_occupations(d);

	return rc ? rc : write_evictions(d);
}

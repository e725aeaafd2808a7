/*
 * snapshots.c: the demo's earlier vacancy snapshots, beside vacancies.csv
 * (which the demo config dates September 2025): vacancies_2022-12-31.csv
 * and vacancies_2023-04-30.csv, whose dwelling totals are SLRB's (4,613 at
 * the end of 2022, 4,833 on 30 April 2023) scaled as vacancies.csv's total
 * stands to SLRB's 4,848 of September 2025.
 *
 * An earlier snapshot holds every record of vacancies.csv already empty at
 * its date (vacant_since on or before it, or none given), the very same
 * line, and records that have left since (back in use by September 2025):
 * copies of a record of vacancies.csv (reason, size, owner) at a point
 * jittered 150 m inside the same commune, with no address, an id of their
 * own after the scored file's and a vacant_since before the snapshot.  A
 * record that left after 30 April 2023 and was empty at the end of 2022
 * is in both files, up to 95 % of the 2022 total; the rest of 2022's are
 * records that left before 30 April 2023.  The last record added to a snapshot is cut to its
 * total.  Draws come from the STREAM_SNAPSHOTS stream only.
 */
#include "demo/demo_internal.h"
#include "geo/array.h"
#include "geo/dates.h"
#include "geo/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SLRB's empty dwellings of the scored file's date (September 2025). */
#define LATEST_TOTAL 4848

static const struct {
	const char *date;  /* the snapshot's date, also in its file name */
	long total;        /* SLRB's empty dwellings then */
} earlier[TP_DEMO_NSNAPS] = {
	{"2022-12-31", 4613},
	{"2023-04-30", 4833},
};

/* A record of vacancies.csv, as a record that left copies it. */
typedef struct {
	long xt, yt;          /* point, tenths of a metre */
	int commune;          /* its commune */
	long dwellings;       /* its size */
	const char *reason;   /* reason code */
	const char *type;     /* owner type code */
	char owner[160];      /* owner */
} base_rec;

/* A record that left before September 2025. */
typedef struct {
	long id;            /* its number (V%04ld) */
	size_t base;        /* the record it copies */
	long xt, yt;        /* its point */
	char since[16];     /* vacant_since */
} gone_rec;

struct tp_demo_snaps {
	tp_outfile out[TP_DEMO_NSNAPS]; /* the files */
	long day[TP_DEMO_NSNAPS];       /* their dates as day numbers */
	long sum[TP_DEMO_NSNAPS];       /* dwellings written to each */
	long total;                     /* dwellings of vacancies.csv */
	long next_id;                   /* the next id of a record that left */
	int with_address;               /* 1: the files have an address column */
	base_rec *base;                 /* vacancies.csv's default records */
	size_t nbase, capbase;
	gone_rec *gone;                 /* the records that left, in order drawn */
	size_t ngone, capgone;
};

int tp_demo_snaps_begin(tp_demo_snaps **out, demo *d, const char *header, int with_address,
			long records)
{
	tp_demo_snaps *s = calloc(1, sizeof(*s));
	char path[PATHLEN], file[64];
	tp_date date;
	int k, rc = TP_OK;

	*out = s;
	if (!s)
		return tp_error_set(TP_ERROR, "out of memory");
	s->with_address = with_address;
	s->next_id = records + 1;
	for (k = 0; k < TP_DEMO_NSNAPS && !rc; k++) {
		tp_date_parse_iso(&date, earlier[k].date);
		s->day[k] = tp_date_days(date);
		snprintf(file, sizeof(file), "vacancies_%s.csv", earlier[k].date);
		rc = tp_demo_join_path(path, d->dir, file, "");
		if (!rc)
			rc = tp_outfile_open(&s->out[k], path, 0);
		if (!rc)
			fputs(header, s->out[k].f);
	}
	return rc;
}

FILE *tp_demo_snaps_file(tp_demo_snaps *s, int k, const char *since, long dwellings)
{
	tp_date date;

	if (k == 0)
		s->total += dwellings;
	if (since[0] && !tp_date_parse_iso(&date, since) && tp_date_days(date) > s->day[k])
		return NULL;
	s->sum[k] += dwellings;
	return s->out[k].f;
}

int tp_demo_snaps_base(tp_demo_snaps *s, long xt, long yt, int commune, long dwellings,
		       const char *reason, const char *type, const char *owner)
{
	base_rec *b;

	if (tp_array_room(&s->base, &s->capbase, s->nbase, sizeof(*s->base), 64))
		return TP_ERROR;
	b = &s->base[s->nbase++];
	*b = (base_rec){xt, yt, commune, dwellings, reason, type, ""};
	snprintf(b->owner, sizeof(b->owner), "%s", owner);
	return TP_OK;
}

/* Writes gone record g to snapshot k with at most `room` dwellings. */
static void write_gone(tp_demo_snaps *s, int k, const gone_rec *g, long room)
{
	const base_rec *b = &s->base[g->base];
	long n = b->dwellings < room ? b->dwellings : room;

	tp_demo_vacancy_line(s->out[k].f, g->id, s->with_address ? "" : NULL, b->owner, b->type,
			     n, b->reason, g->since, "", strcmp(b->type, "private") ? "" : "yes",
			     g->xt, g->yt);
	s->sum[k] += n;
}

/* Fills each snapshot, latest first, up to its scaled total: records that
 * left already drawn and empty at its date, then new ones. */
static int fill(tp_demo_snaps *s, demo *d, unsigned long seed)
{
	rng r;
	int k;
	size_t i;

	rng_init(&r, seed, STREAM_SNAPSHOTS);
	for (k = TP_DEMO_NSNAPS - 1; k >= 0; k--) {
		long target = (long)((double)earlier[k].total * (double)s->total / LATEST_TOTAL + 0.5);
		long lo = tp_date_days((tp_date){2019, 1, 1});
		/* a twentieth of an earlier one is left to records gone before the next */
		long kept = k + 1 < TP_DEMO_NSNAPS ? target - target / 20 : target;
		for (i = 0; i < s->ngone && s->sum[k] < kept; i++) {
			tp_date date;
			if (!tp_date_parse_iso(&date, s->gone[i].since) && tp_date_days(date) <= s->day[k])
				write_gone(s, k, &s->gone[i], kept - s->sum[k]);
		}
		while (s->sum[k] < target) {
			gone_rec *g;
			const base_rec *b;
			if (tp_array_room(&s->gone, &s->capgone, s->ngone, sizeof(*s->gone), 64))
				return TP_ERROR;
			g = &s->gone[s->ngone++];
			g->id = s->next_id++;
			g->base = (size_t)rng_int(&r, 0, (long)s->nbase - 1);
			b = &s->base[g->base];
			tp_date_format(g->since, sizeof(g->since),
				       tp_date_from_days(rng_int(&r, lo, s->day[k])));
			if (tp_demo_jitter(d, &r, b->commune, b->xt, b->yt, &g->xt, &g->yt))
				return tp_error_set(TP_ERROR, "cannot place a record that left: %s",
						    d->g->geos_msg);
			write_gone(s, k, g, target - s->sum[k]);
		}
	}
	return TP_OK;
}

int tp_demo_snaps_end(tp_demo_snaps *s, demo *d, unsigned long seed, int rc)
{
	int k;

	if (!s)
		return rc;
	if (!rc && s->nbase)
		rc = fill(s, d, seed);
	for (k = 0; k < TP_DEMO_NSNAPS; k++)
		if (s->out[k].f)
			rc = tp_outfile_end(&s->out[k], rc);
	free(s->base);
	free(s->gone);
	free(s);
	return rc;
}

/*
 * vacancies.c: the demo's empty dwellings, written to vacancies.csv:
 * made-up records whose dwelling totals per reason are the SLRB figures of
 * 30 April 2023 exactly, each at a point inside one commune, with an
 * address, an owner and dates.  Draws come from the STREAM_VACANCIES
 * stream only, in record order.
 *
 * At scale (`tremplin demo --records N`, for the benchmark) the file holds
 * N records instead: the first min(N, 600) are the default ones, and each
 * further record copies the reason and size of one of them, its point
 * jittered inside the same commune, with an owner and dates of its own.
 * Such a file has no address column (addresses would repeat), and its
 * totals per reason are no longer the SLRB figures.
 */
#include "demo/demo_internal.h"
#include "geo/codes.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "inputs/geocode.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The social landlords (SISP) owners are drawn from. */
static const char *const sisp_names[] = {
	"Comensia", "Log'Iris", "Logement Molenbeekois", "Foyer du Sud", "Everecity",
	"Le Logement Bruxellois", "Binhôme", "Lojas", "Alliance Bruxelloise Coopérative",
	"Foyer Anderlechtois", "Foyer Schaerbeekois",
};

/* Social rental agencies (AIS). */
static const char *const ais_names[] = {
	"AIS les trois pommiers", "AIS Quartiers", "AIS Logement pour tous", "AIS Baita",
	"AIS Comme chez toi",
};

/* Made-up street names; one has quotes, to exercise CSV quoting. */
static const char *const street_names[] = {
	"Rue de la Démo", "Avenue de l'Exemple", "Rue du Schéma", "Place du Modèle",
	"Chaussée de l'Essai", "Rue des Maquettes", "Boulevard du Prototype",
	"Rue de l'Échantillon", "Avenue des Esquisses", "Square du Brouillon",
	"Rue du Gabarit", "Clos des Épreuves", "Cité \"Jardin Démo\"",
};

enum { R_WORKS, R_STUDY, R_FINANCING, R_ALLOCATION, R_REPAIR, R_OTHER };

typedef struct {
	const char *code;  /* tremplin's reason code */
	long dwellings;    /* empty SLRB dwellings with this reason, 30 Apr 2023 */
} reason_total;

static const reason_total reasons[NREASON] = {
	{"works", 1065}, {"study", 1928}, {"financing", 59},
	{"allocation", 745}, {"repair", 991}, {"other", 45},
};

/* How often each owner type (tp_owner_types order: sisp, ais, cpas, commune,
 * regie, citydev, private) owns a small (<= 4) or a larger record. */
static const double owner_w_small[] = {0.55, 0.10, 0.09, 0.08, 0.07, 0.04, 0.07};
static const double owner_w_large[] = {0.90, 0.00, 0.03, 0.03, 0.02, 0.02, 0.00};

/* Days since 1970-01-01. */
static long day_number(int y, int m, int d)
{
	return tp_date_days((tp_date){y, m, d});
}

/* YYYY-MM-DD of day number n. */
static void format_day(long n, char *out, size_t len)
{
	tp_date_format(out, len, tp_date_from_days(n));
}

typedef struct {
	int reason;       /* index into reasons */
	long dwellings;   /* empty dwellings of the record */
} vrec;

/*
 * The records' reasons and sizes: records per reason in proportion to
 * the reason's dwellings, each record 1..MAX_DWELLINGS dwellings (mostly
 * small), the dwellings of a reason summing to the SLRB figure; then
 * shuffled.
 */
static int plan_records(rng *r, vrec *recs)
{
	double w[NREASON], *sw = NULL;
	long nrec[NREASON], *sz = NULL;
	int k, i, pos = 0, rc = TP_ERROR;

	for (k = 0; k < NREASON; k++)
		w[k] = (double)reasons[k].dwellings;
	if (tp_demo_apportion(NRECORDS, w, NREASON, nrec))
		goto done;
	sw = malloc(NRECORDS * sizeof(*sw));
	sz = malloc(NRECORDS * sizeof(*sz));
	if (!sw || !sz)
		goto done;
	for (k = 0; k < NREASON; k++) {
		int n = (int)nrec[k];
		long excess = 0;
		if (reasons[k].dwellings > (long)n * MAX_DWELLINGS)
			goto done;
		for (i = 0; i < n; i++) {
			double u = rng_unit(r);
			sw[i] = 0.001 + u * u * u * u;
		}
		if (tp_demo_apportion(reasons[k].dwellings - n, sw, n, sz))
			goto done;
		for (i = 0; i < n; i++)
			if (sz[i] > MAX_DWELLINGS - 1) {
				excess += sz[i] - (MAX_DWELLINGS - 1);
				sz[i] = MAX_DWELLINGS - 1;
			}
		for (i = 0; excess > 0; i = (i + 1) % n)
			if (sz[i] < MAX_DWELLINGS - 1) {
				sz[i]++;
				excess--;
			}
		for (i = 0; i < n; i++, pos++) {
			recs[pos].reason = k;
			recs[pos].dwellings = 1 + sz[i];
		}
	}
	for (i = NRECORDS - 1; i > 0; i--) {
		int j = (int)rng_int(r, 0, i);
		vrec t = recs[i];
		recs[i] = recs[j];
		recs[j] = t;
	}
	rc = TP_OK;
done:
	free(sw);
	free(sz);
	return rc;
}

/*
 * A point in tenths of a metre, strictly inside exactly one commune, dense
 * towards the centre.  Sets *commune.  TP_ERROR (no message) on failure.
 */
static int sample_point(demo *d, rng *r, long *xt, long *yt, int *commune)
{
	int tries, c, found, in;

	for (tries = 0; tries < 100000; tries++) {
		double x, y;
		if (rng_unit(r) < 0.55) {
			x = CX + 2800 * rng_gauss(r);
			y = CY + 2800 * rng_gauss(r);
		} else {
			x = d->x0 + rng_unit(r) * (d->x1 - d->x0);
			y = d->y0 + rng_unit(r) * (d->y1 - d->y0);
		}
		*xt = lround(x * 10);
		*yt = lround(y * 10);
		x = (double)*xt / 10;
		y = (double)*yt / 10;
		in = tp_demo_contains_xy(d->g, d->outline_p, x, y);
		if (in < 0)
			return TP_ERROR;
		if (!in)
			continue;
		for (c = 0, found = 0; c < NCOMMUNES; c++) {
			in = tp_demo_contains_xy(d->g, d->commune_p[c], x, y);
			if (in < 0)
				return TP_ERROR;
			if (in) {
				*commune = c;
				found++;
			}
		}
		if (found == 1)
			return TP_OK;
	}
	return TP_ERROR;
}

/* "de " or "d'" before a French name. */
static const char *de(const char *name)
{
	return strchr("AEIOUaeiou", name[0]) ? "d'" : "de ";
}

static void make_owner(rng *r, long dwellings, int commune, const char **type,
		       char *owner, size_t len)
{
	const double *w = dwellings <= 4 ? owner_w_small : owner_w_large;
	const commune_attr *a = &tp_demo_communes[commune];
	int t;

	assert(tp_owner_types.n == (int)NELEM(owner_w_small) &&
	       tp_owner_types.n == (int)NELEM(owner_w_large));
	t = rng_pick(r, w, tp_owner_types.n);
	*type = tp_owner_types.codes[t].code;
	switch (t) {
	case 0:
		if (a->home_sisp >= 0 && rng_unit(r) < 0.6)
			snprintf(owner, len, "%s", sisp_names[a->home_sisp]);
		else
			snprintf(owner, len, "%s",
				 sisp_names[rng_int(r, 0, (long)NELEM(sisp_names) - 1)]);
		break;
	case 1:
		snprintf(owner, len, "%s", ais_names[rng_int(r, 0, (long)NELEM(ais_names) - 1)]);
		break;
	case 2:
		snprintf(owner, len, "CPAS %s%s", de(a->fr), a->fr);
		break;
	case 3:
		if (commune == BRUXELLES)
			snprintf(owner, len, "Ville de Bruxelles");
		else
			snprintf(owner, len, "Commune %s%s", de(a->fr), a->fr);
		break;
	case 4:
		snprintf(owner, len, "Régie foncière %s%s", de(a->fr), a->fr);
		break;
	case 5:
		snprintf(owner, len, "CityDev");
		break;
	default:
		snprintf(owner, len, "Propriétaire privé %02ld", rng_int(r, 1, 40));
		break;
	}
}

/* The record's dates; "" for an empty cell. */
static void make_dates(rng *r, int reason, char *since, char *start, size_t len)
{
	static const int since_range[NREASON][6] = {
		{2019, 1, 1, 2023, 6, 30}, {2019, 1, 1, 2024, 6, 30}, {2019, 1, 1, 2024, 6, 30},
		{2024, 1, 1, 2024, 10, 31}, {2023, 6, 1, 2024, 10, 31}, {2019, 1, 1, 2024, 10, 31},
	};
	const int *sr = since_range[reason];
	long ref = day_number(2024, 11, 7);
	long lo = day_number(sr[0], sr[1], sr[2]), hi = day_number(sr[3], sr[4], sr[5]);
	long vs = rng_int(r, lo, hi), ws = -1;
	double u = rng_unit(r);

	if (rng_unit(r) < 0.04)
		since[0] = '\0';
	else
		format_day(vs, since, len);
	switch (reason) {
	case R_WORKS:
		if (u >= 0.05)
			ws = rng_int(r, vs + 30, ref - 1);
		break;
	case R_STUDY:
	case R_FINANCING:
		if (u >= 0.10)
			ws = ref + rng_int(r, 365, 6 * 365);
		break;
	case R_ALLOCATION:
		if (u >= 0.55)
			ws = ref + rng_int(r, 7, 180);
		break;
	case R_REPAIR:
		if (u >= 0.40)
			ws = ref + rng_int(r, 14, 240);
		break;
	default:
		if (u >= 0.70)
			ws = ref + rng_int(r, 30, 720);
		break;
	}
	if (ws < 0)
		start[0] = '\0';
	else
		format_day(ws, start, len);
}

void tp_demo_vacancy_line(FILE *f, long id, const char *addr, const char *owner,
			  const char *type, long dwellings, const char *reason, const char *since,
			  const char *start, const char *agreed, long xt, long yt)
{
	fprintf(f, "V%04ld,", id);
	if (addr) {
		tp_csv_field(f, addr);
		fputc(',', f);
	}
	tp_csv_field(f, owner);
	fprintf(f, ",%s,%ld,%s,%s,%s,%s,%ld.%ld,%ld.%ld\n", type, dwellings, reason, since,
		start, agreed, xt / 10, xt % 10, yt / 10, yt % 10);
}

/* Writes a record of vacancies.csv, and again into each earlier snapshot
 * where it was already empty (demo/snapshots.c). */
static void write_record(FILE *f, tp_demo_snaps *snaps, long id, const char *addr,
			 const char *owner, const char *type, const vrec *v, const char *since,
			 const char *start, const char *agreed, long xt, long yt)
{
	int k;

	tp_demo_vacancy_line(f, id, addr, owner, type, v->dwellings, reasons[v->reason].code,
			     since, start, agreed, xt, yt);
	for (k = 0; k < TP_DEMO_NSNAPS; k++) {
		FILE *sf = tp_demo_snaps_file(snaps, k, since, v->dwellings);
		if (sf)
			tp_demo_vacancy_line(sf, id, addr, owner, type, v->dwellings,
					     reasons[v->reason].code, since, start, agreed, xt, yt);
	}
}

/* "yes", "no" or "" for a private owner's agreement, "" for any other. */
static const char *draw_agreed(rng *r, const char *type)
{
	double u;

	if (strcmp(type, "private"))
		return "";
	u = rng_unit(r);
	return u < 0.55 ? "yes" : u < 0.85 ? "no" : "";
}

/* tp_demo_jitter(): drawn again until inside; after 64 misses the base
 * point itself. */
int tp_demo_jitter(demo *d, rng *r, int commune, long bx, long by, long *xt, long *yt)
{
	int tries, in;

	for (tries = 0; tries < 64; tries++) {
		*xt = bx + lround(1500 * rng_gauss(r));
		*yt = by + lround(1500 * rng_gauss(r));
		in = tp_demo_contains_xy(d->g, d->commune_p[commune], (double)*xt / 10,
					 (double)*yt / 10);
		if (in < 0)
			return TP_ERROR;
		if (in)
			return TP_OK;
	}
	*xt = bx;
	*yt = by;
	return TP_OK;
}

int tp_demo_write_vacancies(demo *d, unsigned long seed, long records)
{
	long nrec = records > 0 ? records : NRECORDS;
	int nbase = nrec < NRECORDS ? (int)nrec : NRECORDS;
	int with_address = nrec <= NRECORDS;
	long (*base)[3] = NULL;  /* x, y (tenths of a metre), commune of the first records */
	long j;
	char path[PATHLEN];
	vrec *recs = NULL;
	char (*keys)[160] = NULL;  /* address keys of the records written */
	tp_outfile out = {.f = NULL};
	tp_demo_snaps *snaps = NULL;
	char header[160];
	FILE *f;
	rng r;
	int i, rc;

	if ((rc = tp_demo_join_path(path, d->dir, "vacancies.csv", "")))
		return rc;
	rng_init(&r, seed, STREAM_VACANCIES);
	recs = calloc(NRECORDS, sizeof(*recs));
	keys = calloc(NRECORDS, sizeof(*keys));
	base = calloc(NRECORDS, sizeof(*base));
	if (!recs || !keys || !base || plan_records(&r, recs)) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", path);
		goto done;
	}
	snprintf(header, sizeof(header), "id,%sowner,owner_type,dwellings,reason,vacant_since,"
		 "works_start,owner_agreed,x,y\n", with_address ? "address," : "");
	if ((rc = tp_outfile_open(&out, path, 0)) ||
	    (rc = tp_demo_snaps_begin(&snaps, d, header, with_address, nrec)))
		goto done;
	f = out.f;
	fputs(header, f);
	for (i = 0; i < nbase; i++) {
		const vrec *v = &recs[i];
		char addr[160], owner[160], since[32], start[32];
		const char *type, *agreed = "";
		long xt, yt, street, number, box;
		int commune = 0, n;

		if (sample_point(d, &r, &xt, &yt, &commune)) {
			rc = tp_error_set(TP_ERROR, "%s: cannot place record %d: %s", path, i + 1,
					  d->g->geos_msg);
			goto done;
		}
		make_owner(&r, v->dwellings, commune, &type, owner, sizeof(owner));
		street = rng_int(&r, 0, (long)NELEM(street_names) - 1);
		number = rng_int(&r, 1, 180);
		box = rng_unit(&r) < 0.12 ? rng_int(&r, 1, 12) : 0;
		/* the same address twice would be one building reported twice (a
		 * duplicate the reader refuses): move along the street, same side,
		 * without drawing again so that the other fields stay as they were */
		for (;;) {
			int k;
			n = snprintf(addr, sizeof(addr), "%s %ld", street_names[street], number);
			if (box)
				snprintf(addr + n, sizeof(addr) - (size_t)n, ", bte %ld", box);
			tp_address_key(addr, NULL, keys[i], sizeof(keys[i]));
			for (k = 0; k < i && strcmp(keys[k], keys[i]); k++)
				;
			if (k == i)
				break;
			number += 2;
		}
		make_dates(&r, v->reason, since, start, sizeof(since));
		agreed = draw_agreed(&r, type);
		write_record(f, snaps, i + 1, with_address ? addr : NULL, owner, type, v, since,
			     start, agreed, xt, yt);
		if ((rc = tp_demo_snaps_base(snaps, xt, yt, commune, v->dwellings,
					     reasons[v->reason].code, type, owner)))
			goto done;
		base[i][0] = xt;
		base[i][1] = yt;
		base[i][2] = commune;
		if (!d->first_record[commune]) {
			d->first_record[commune] = i + 1;
			d->first_xy[commune][0] = xt;
			d->first_xy[commune][1] = yt;
		}
	}
	for (j = NRECORDS; j < nrec; j++) {
		const long *b = base[j % NRECORDS];
		const vrec *v = &recs[j % NRECORDS];
		char owner[160], since[32], start[32];
		const char *type;
		long xt, yt;

		if (tp_demo_jitter(d, &r, (int)b[2], b[0], b[1], &xt, &yt)) {
			rc = tp_error_set(TP_ERROR, "%s: cannot place record %ld: %s", path, j + 1,
					  d->g->geos_msg);
			goto done;
		}
		make_owner(&r, v->dwellings, (int)b[2], &type, owner, sizeof(owner));
		make_dates(&r, v->reason, since, start, sizeof(since));
		write_record(f, snaps, j + 1, NULL, owner, type, v, since, start,
			     draw_agreed(&r, type), xt, yt);
	}
done:
	rc = tp_demo_snaps_end(snaps, d, seed, rc);
	if (out.f)
		rc = tp_outfile_end(&out, rc);
	free(recs);
	free(keys);
	free(base);
	return rc;
}

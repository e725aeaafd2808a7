/*
 * csv.c: OUTDIR/indicators.csv, the per-commune figures for a spreadsheet.
 *
 * One row per commune, ordered by nis_code, with the columns of the
 * communes layer of tremplin.gpkg (gpkg.c runs the same join).  The file
 * is public: its people figures are the published labels of the protect
 * stage (public_communes: "350", "<5", "x"), and the figures derived from
 * people (capacity shares, need) are computed from the published ones,
 * whatever the GeoPackage holds.  Numbers are formatted by SQLite's printf, which ignores the
 * process locale, so the decimal point is always '.' and the file reads
 * the same everywhere.  The file is written under a temporary name and
 * renamed onto its final name once flushed and synced (outfile.h).
 *
 * Also the one RFC 4180 field writer of every CSV tremplin writes.
 */
#include "outputs/outputs.h"
#include "geo/categories.h"
#include "outputs/outfile.h"
#include "geo/error.h"
#include "outputs/published.h"

#include <stdio.h>
#include <string.h>

/* How a column is printed. */
typedef enum {
	C_TEXT,  /* quoted when it holds a comma, a quote or a line break */
	C_INT,   /* integer */
	C_REAL,  /* 2 decimals */
	C_SHARE, /* 4 decimals */
} column_kind;

typedef struct {
	const char *name;  /* header */
	column_kind kind;  /* how its values are printed */
} column_def;

/* A people figure (geo/categories.h), printed as its published label. */
#define LABEL_COLUMN(c, fr, nl, aliases) {#c, C_TEXT},
#define LABEL_SELECT(c, fr, nl, aliases) ", p." #c "_label"

/* In the order of the SELECT below. */
static const column_def columns[] = {
	{"nis_code", C_TEXT},
	{"name_fr", C_TEXT},
	{"name_nl", C_TEXT},
	{"population", C_INT},
	TP_PEOPLE(LABEL_COLUMN)
	{"vacancy_records", C_INT},
	{"empty_dwellings", C_INT},
	{"candidate_buildings", C_INT},
	{"candidate_dwellings", C_INT},
	{"capacity", C_REAL},
	{"capacity_share_public", C_SHARE},
	{"capacity_share_total", C_SHARE},
	{"need", C_REAL},
};

static const char select_sql[] =
	"SELECT c.nis_code, c.name_fr, c.name_nl, c.population" TP_PEOPLE(LABEL_SELECT) ","
	" s.vacancy_records, s.empty_dwellings, s.candidate_buildings, s.candidate_dwellings,"
	" s.capacity, p.capacity_share_public, p.capacity_share_total, p.need"
	" FROM communes c LEFT JOIN commune_summary s ON s.nis_code = c.nis_code"
	" LEFT JOIN public_communes p ON p.nis_code = c.nis_code"
	" ORDER BY c.nis_code, c.id";

#define NCOLUMNS ((int)(sizeof(columns) / sizeof(columns[0])))

void tp_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* Writes column i of the current row; NULL is an empty field. */
static void put_value(FILE *f, sqlite3_stmt *st, int i)
{
	char num[400];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return;
	switch (columns[i].kind) {
	case C_TEXT:
		tp_csv_field(f, (const char *)sqlite3_column_text(st, i));
		break;
	case C_INT:
		fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case C_REAL:
		sqlite3_snprintf(sizeof(num), num, "%.2f", sqlite3_column_double(st, i));
		fputs(num, f);
		break;
	case C_SHARE:
		sqlite3_snprintf(sizeof(num), num, "%.4f", sqlite3_column_double(st, i));
		fputs(num, f);
		break;
	}
}

int tp_write_csv(sqlite3 *store, const char *path)
{
	sqlite3_stmt *st = NULL;
	tp_outfile out;
	FILE *f;
	int rc, step, i;

	rc = tp_published_begin(store, 0);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(store, select_sql, -1, &st, NULL) != SQLITE_OK) {
		rc = tp_error_set(TP_ESTORE, "%s: cannot read the working store: %s", path,
				  sqlite3_errmsg(store));
		goto cleanup;
	}
	/* Complete means on disk: a crash after the rename must not leave an empty file. */
	rc = tp_outfile_open(&out, path, TP_OUTFILE_SYNC);
	if (rc)
		goto cleanup;
	f = out.f;
	for (i = 0; i < NCOLUMNS; i++)
		fprintf(f, "%s%s", i ? "," : "", columns[i].name);
	fputc('\n', f);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < NCOLUMNS; i++) {
			if (i)
				fputc(',', f);
			put_value(f, st, i);
		}
		fputc('\n', f);
	}
	if (step != SQLITE_DONE)
		rc = tp_error_set(TP_ESTORE, "%s: cannot read the working store: %s", path,
				  sqlite3_errmsg(store));
	rc = tp_outfile_end(&out, rc);
cleanup:
	sqlite3_finalize(st);
	tp_published_end(store);
	return rc;
}

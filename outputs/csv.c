/*
 * csv.c: OUTDIR/indicators.csv, the per-commune figures for a spreadsheet.
 *
 * One row per commune, ordered by nis_code, with the columns of the
 * communes layer of tremplin.gpkg (the same join, in query.c).  The file
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
#include "outputs/query.h"

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

/* In the order of the row set TP_ROWS_INDICATORS (query.h). */
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
	{"rejected_records", C_INT},
	{"rejected_dwellings", C_INT},
};

#define NCOLUMNS ((int)(sizeof(columns) / sizeof(columns[0])))

void tp_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",;\"\r\n")) {
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
static void put_value(FILE *f, const tp_rows *r, int i)
{
	char num[400];

	if (tp_rows_null(r, i))
		return;
	switch (columns[i].kind) {
	case C_TEXT:
		tp_csv_field(f, tp_rows_text(r, i));
		break;
	case C_INT:
		fprintf(f, "%lld", tp_rows_int64(r, i));
		break;
	case C_REAL:
		sqlite3_snprintf(sizeof(num), num, "%.2f", tp_rows_double(r, i));
		fputs(num, f);
		break;
	case C_SHARE:
		sqlite3_snprintf(sizeof(num), num, "%.4f", tp_rows_double(r, i));
		fputs(num, f);
		break;
	}
}

int tp_write_csv(sqlite3 *store, const char *path)
{
	tp_view *view = NULL;
	tp_rows *rows = NULL, *names = NULL, *ind = NULL;
	tp_outfile out;
	FILE *f;
	int rc, step, i;

	rc = tp_view_open(&view, store, 0);
	if (!rc)
		rc = tp_rows_open(&rows, view, TP_ROWS_INDICATORS, NULL, path);
	/* the indicator tables ([indicators]): a column each, empty for no data */
	if (!rc)
		rc = tp_rows_open(&names, view, TP_ROWS_INDICATOR_NAMES, NULL, path);
	if (!rc)
		rc = tp_rows_open(&ind, view, TP_ROWS_COMMUNE_INDICATORS, "", path);
	if (rc)
		goto cleanup;
	/* Complete means on disk: a crash after the rename must not leave an empty file. */
	rc = tp_outfile_open(&out, path, TP_OUTFILE_SYNC);
	if (rc)
		goto cleanup;
	f = out.f;
	for (i = 0; i < NCOLUMNS; i++)
		fprintf(f, "%s%s", i ? "," : "", columns[i].name);
	while ((step = tp_rows_next(names)) > 0)
		fprintf(f, ",%s", tp_rows_text(names, 0));
	fputc('\n', f);
	while (step == 0 && (step = tp_rows_next(rows)) > 0) {
		for (i = 0; i < NCOLUMNS; i++) {
			if (i)
				fputc(',', f);
			put_value(f, rows, i);
		}
		tp_rows_rewind(ind, tp_rows_text(rows, 0));
		while ((step = tp_rows_next(ind)) > 0)
			if (fputc(',', f), !tp_rows_null(ind, 1))
				fprintf(f, "%lld", tp_rows_int64(ind, 1));
		fputc('\n', f);
	}
	rc = tp_outfile_end(&out, step);
cleanup:
	tp_rows_close(ind);
	tp_rows_close(names);
	tp_rows_close(rows);
	tp_view_close(view);
	return rc;
}

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
 * trends.csv, the trends table (pipeline/trends.c), is written the same
 * way from its own row set.  Also the one RFC 4180 field writer of every
 * CSV tremplin writes.
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
	C_WHOLE, /* a real printed as a whole number (published people figures) */
	C_PCT,   /* 1 decimal (a change in %) */
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

/* In the order of the row set TP_ROWS_TRENDS (query.h): trends.csv. */
static const column_def trend_columns[] = {
	{"nis_code", C_TEXT},
	{"name_fr", C_TEXT},
	{"name_nl", C_TEXT},
	{"edition", C_TEXT},
	{"edition_date", C_TEXT},
	{"category", C_TEXT},
	{"counted", C_INT},
	{"value", C_WHOLE},
	{"value_label", C_TEXT},
	{"previous_edition", C_TEXT},
	{"previous_value", C_WHOLE},
	{"change", C_WHOLE},
	{"change_pct", C_PCT},
	{"comparable_scope", C_TEXT},
	{"comparable_value", C_WHOLE},
	{"comparable_previous", C_WHOLE},
	{"comparable_change", C_WHOLE},
	{"comparable_change_pct", C_PCT},
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* vacancy_flows.csv, in the order of TP_ROWS_VACANCY_FLOWS. */
static const column_def flow_columns[] = {
	{"nis_code", C_TEXT},
	{"name_fr", C_TEXT},
	{"name_nl", C_TEXT},
	{"snapshot", C_TEXT},
	{"empty_records", C_INT},
	{"empty_dwellings", C_INT},
	{"entered_records", C_INT},
	{"entered_dwellings", C_INT},
	{"left_records", C_INT},
	{"left_dwellings", C_INT},
};

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

/* Writes column i of the current row, of kind kind; NULL is an empty field. */
static void put_value(FILE *f, const tp_rows *r, int i, column_kind kind)
{
	char num[400];

	if (tp_rows_null(r, i))
		return;
	switch (kind) {
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
	case C_WHOLE:
		sqlite3_snprintf(sizeof(num), num, "%.0f", tp_rows_double(r, i));
		fputs(num, f);
		break;
	case C_PCT:
		sqlite3_snprintf(sizeof(num), num, "%.1f", tp_rows_double(r, i));
		fputs(num, f);
		break;
	}
}

/* Writes the rows of set, one line each, with columns[0..ncolumns) as header and kinds. */
static int write_table(sqlite3 *store, const char *path, tp_rowset set,
		       const column_def *columns, int ncolumns)
{
	tp_view *view = NULL;
	tp_rows *rows = NULL, *names = NULL, *ind = NULL;
	tp_outfile out;
	FILE *f;
	int rc, step = 0, i;

	rc = tp_view_open(&view, store, 0);
	if (!rc)
		rc = tp_rows_open(&rows, view, set, NULL, path);
	/* indicators.csv: the indicator tables ([indicators]), a column each, empty for no data */
	if (!rc && set == TP_ROWS_INDICATORS)
		rc = tp_rows_open(&names, view, TP_ROWS_INDICATOR_NAMES, NULL, path);
	if (!rc && set == TP_ROWS_INDICATORS)
		rc = tp_rows_open(&ind, view, TP_ROWS_COMMUNE_INDICATORS, "", path);
	if (rc)
		goto cleanup;
	/* Complete means on disk: a crash after the rename must not leave an empty file. */
	rc = tp_outfile_open(&out, path, TP_OUTFILE_SYNC);
	if (rc)
		goto cleanup;
	f = out.f;
	for (i = 0; i < ncolumns; i++)
		fprintf(f, "%s%s", i ? "," : "", columns[i].name);
	while (names && (step = tp_rows_next(names)) > 0)
		fprintf(f, ",%s", tp_rows_text(names, 0));
	fputc('\n', f);
	while (step == 0 && (step = tp_rows_next(rows)) > 0) {
		for (i = 0; i < ncolumns; i++) {
			if (i)
				fputc(',', f);
			put_value(f, rows, i, columns[i].kind);
		}
		if (ind) {
			tp_rows_rewind(ind, tp_rows_text(rows, 0));
			while ((step = tp_rows_next(ind)) > 0)
				if (fputc(',', f), !tp_rows_null(ind, 1))
					fprintf(f, "%lld", tp_rows_int64(ind, 1));
		} else
			step = 0;
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

int tp_write_csv(sqlite3 *store, const char *path)
{
	return write_table(store, path, TP_ROWS_INDICATORS, columns, COUNT(columns));
}

int tp_write_trends_csv(sqlite3 *store, const char *path)
{
	return write_table(store, path, TP_ROWS_TRENDS, trend_columns, COUNT(trend_columns));

}

int tp_write_flows_csv(sqlite3 *store, const char *path)
{
	return write_table(store, path, TP_ROWS_VACANCY_FLOWS, flow_columns, COUNT(flow_columns));
}

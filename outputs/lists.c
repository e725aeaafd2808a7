/*
 * lists.c: the lists a planner opens in a spreadsheet, beside the
 * GeoPackage: rejects.csv (every input row not used, and why) and the
 * candidate list, candidates.csv and candidates.xlsx.
 *
 * The CSV files are written for Excel as Belgian offices run it: UTF-8
 * with a byte order mark (without it Excel reads Windows-1252), and, when
 * the run's language is French, Dutch or both, ';' between fields and a
 * decimal comma, as Excel expects under a Belgian locale.  Every field
 * goes through tp_csv_field (csv.c).  candidates.xlsx holds the same rows
 * and columns with typed cells (numbers, dates), written by xlsx.c.
 *
 * Both are public outputs, read through a public view (query.h):
 * rejects.csv shows the rows of TP_ROWS_REJECTS, whose public variant
 * leaves out a rejected count zone's people counts, and the candidate list
 * leaves a private owner's name blank, as the maps and the dashboard do.
 */
#include "outputs/outputs.h"
#include "geo/clock.h"
#include "geo/codes.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "outputs/outfile.h"
#include "outputs/query.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_string.h>

#define BOM "\xef\xbb\xbf"

/* The separator of a CSV file for language ("fr", "nl", "both"; NULL is both). */
static char csv_separator(const char *language)
{
	if (!language || !strcmp(language, "fr") || !strcmp(language, "nl") ||
	    !strcmp(language, "both"))
		return ';';
	return ',';
}

/* ---- rejects.csv ---------------------------------------------------------- */

/* The columns of rejects.csv before the original values, from TP_ROWS_REJECTS. */
static const struct {
	const char *name; /* header */
	int col;          /* column of TP_ROWS_REJECTS */
} reject_columns[] = {
	{"input", 0}, {"file", 1}, {"sheet_or_layer", 2}, {"row", 3},
	{"stage", 4}, {"field", 5}, {"reason", 6},
};

#define NREJECT_COLUMNS ((int)(sizeof(reject_columns) / sizeof(reject_columns[0])))

/*
 * Steps values (TP_ROWS_JSON_VALUES) over the original values of the
 * current reject; a value that is not a JSON object (never written so by
 * tremplin) is shown whole under "original".  Returns 1 with *key, *value
 * set, 0 at the end.
 */
static int next_value(tp_rows *values, const char *original, int *raw_done, const char **key,
		      const char **value)
{
	int step;

	if (*raw_done)
		return 0;
	step = tp_rows_next(values);
	if (step > 0) {
		*key = tp_rows_text(values, 0) ? tp_rows_text(values, 0) : "";
		*value = tp_rows_text(values, 1);
		return 1;
	}
	*raw_done = 1;
	if (step < 0 && original) {
		*key = "original";
		*value = original;
		return 1;
	}
	return 0;
}

int tp_write_rejects_csv(sqlite3 *store, const char *path, const char *language)
{
	const char sep = csv_separator(language);
	tp_view *view = NULL;
	tp_rows *rows = NULL, *values = NULL;
	char **cells = NULL;
	const char *key, *value;
	char **keys = NULL; /* the original values' names, in order met (a CSL list) */
	tp_outfile out;
	FILE *f;
	int rc, step = 0, i, raw, nkeys = 0;

	rc = tp_view_open(&view, store, 0);
	if (!rc)
		rc = tp_rows_open(&rows, view, TP_ROWS_REJECTS, NULL, path);
	if (!rc)
		rc = tp_rows_open(&values, view, TP_ROWS_JSON_VALUES, NULL, path);
	if (rc)
		goto cleanup;
	/* first pass: the names of the original values, for the header */
	while (!rc && (step = tp_rows_next(rows)) > 0) {
		const char *original = tp_rows_text(rows, 7);
		tp_rows_rewind(values, original);
		raw = 0;
		while (!rc && next_value(values, original, &raw, &key, &value))
			if (CSLFindStringCaseSensitive(keys, key) < 0)
				keys = CSLAddString(keys, key);
	}
	if (!rc && step < 0)
		rc = step;
	if (rc)
		goto cleanup;
	nkeys = CSLCount(keys);
	cells = calloc((size_t)nkeys + 1, sizeof(*cells));
	if (!cells) {
		rc = tp_error_set(TP_ERROR, "out of memory");
		goto cleanup;
	}
	rc = tp_outfile_open(&out, path, TP_OUTFILE_SYNC);
	if (rc)
		goto cleanup;
	f = out.f;
	fputs(BOM, f);
	for (i = 0; i < NREJECT_COLUMNS; i++) {
		if (i)
			fputc(sep, f);
		tp_csv_field(f, reject_columns[i].name);
	}
	for (i = 0; i < nkeys; i++) {
		int j, taken = 0;
		/* a source column named as one of tremplin's says so */
		for (j = 0; j < NREJECT_COLUMNS; j++)
			taken |= !strcmp(keys[i], reject_columns[j].name);
		fputc(sep, f);
		if (taken) {
			char head[512];
			snprintf(head, sizeof(head), "%s (source)", keys[i]);
			tp_csv_field(f, head);
		} else {
			tp_csv_field(f, keys[i]);
		}
	}
	fputs("\r\n", f);
	tp_rows_rewind(rows, NULL);
	while ((step = tp_rows_next(rows)) > 0) {
		const char *original = tp_rows_text(rows, 7);
		for (i = 0; i < NREJECT_COLUMNS; i++) {
			const char *s = tp_rows_text(rows, reject_columns[i].col);
			if (i)
				fputc(sep, f);
			tp_csv_field(f, s ? s : "");
		}
		tp_rows_rewind(values, original);
		raw = 0;
		while (!rc && next_value(values, original, &raw, &key, &value)) {
			int k = CSLFindStringCaseSensitive(keys, key);
			if (k >= 0 && value && !cells[k] && !(cells[k] = strdup(value)))
				rc = tp_error_set(TP_ERROR, "out of memory");
		}
		for (i = 0; i < nkeys; i++) {
			fputc(sep, f);
			tp_csv_field(f, cells[i] ? cells[i] : "");
			free(cells[i]);
			cells[i] = NULL;
		}
		fputs("\r\n", f);
		if (rc)
			break;
	}
	rc = tp_outfile_end(&out, rc ? rc : step < 0 ? step : TP_OK);
cleanup:
	free(cells);
	CSLDestroy(keys);
	tp_rows_close(values);
	tp_rows_close(rows);
	tp_view_close(view);
	return rc;
}

/* ---- the candidate list --------------------------------------------------- */

/* How a column of the candidate list is written. */
typedef enum {
	L_INT,       /* a whole number */
	L_TEXT,      /* text as stored */
	L_COMMUNE,   /* the commune's name in the run's language (columns 4, 5) */
	L_OWNER,     /* an owner type, named (tp_owner_types) */
	L_REASON,    /* a reason, named (tp_reasons) */
	L_PRECISION, /* how precise works_start is: day, month, quarter, year, named */
	L_DATE,      /* YYYY-MM-DD */
	L_REAL,      /* a number with one decimal */
} list_kind;

/* A column of the candidate list. */
typedef struct {
	const char *fr, *nl; /* header */
	list_kind kind;      /* how it is written */
	int col;             /* its column in TP_ROWS_CANDIDATE_LIST */
} list_column;

static const list_column list_columns[] = {
	{"Rang", "Rang", L_INT, 0},
	{"Adresse", "Adres", L_TEXT, 1},
	{"Code postal", "Postcode", L_TEXT, 2},
	{"Commune", "Gemeente", L_COMMUNE, 4},
	{"Propriétaire", "Eigenaar", L_TEXT, 6},
	{"Type de propriétaire", "Type eigenaar", L_OWNER, 7},
	{"Logements", "Woningen", L_INT, 8},
	{"Motif", "Reden", L_REASON, 9},
	{"Vide depuis", "Leeg sinds", L_DATE, 10},
	{"Début des travaux", "Start werken", L_DATE, 11},
	{"Précision du début", "Precisie start", L_PRECISION, 12},
	{"Fenêtre (mois)", "Venster (maanden)", L_REAL, 13},
	{"Vide depuis (mois)", "Leeg sinds (maanden)", L_REAL, 20},
	{"Capacité (personnes)", "Capaciteit (personen)", L_REAL, 14},
	{"Score", "Score", L_REAL, 15},
	{"Score : fenêtre", "Score: venster", L_REAL, 16},
	{"Score : logements", "Score: woningen", L_REAL, 17},
	{"Score : besoin", "Score: nood", L_REAL, 18},
	{"Identifiant source", "Bron-id", L_TEXT, 19},
};

#define NLIST_COLUMNS ((int)(sizeof(list_columns) / sizeof(list_columns[0])))

/* The code lists of the coded columns, by kind - L_OWNER (L_OWNER, L_REASON, L_PRECISION). */
static const tp_code_list *const coded[] = {&tp_owner_types, &tp_reasons, &tp_date_precisions};

#define MAX_CODES 16 /* codes of a list whose names are made once */

/* TP_ROWS_CANDIDATE_LIST's columns (and TP_ROWS_CANDIDATE_LIST_SORTED's). */
#define LIST_NCOLS 21
/* TP_ROWS_CANDIDATE_LIST_BY_ID's: those, then the candidates layer's zone_id, status, geom */
#define LIST_NCOLS_READ (LIST_NCOLS + 3)

/* The candidate list as read. */
typedef struct {
	tp_view *view;       /* public view of the store */
	tp_rows *rows;       /* TP_ROWS_CANDIDATE_LIST, or its rows sorted in memory */
	tp_sorted_rows *sorted; /* those rows, or NULL */
	const char *lang;    /* "fr", "nl" or "both" */
	long long row;       /* rows read */
	long long commune_row; /* the row whose commune is named in commune, or 0 */
	char commune[512];   /* its commune's name in the run's language */
	/* each code's name in the run's language, made once (both files name
	 * three coded columns of every row) */
	char names[sizeof(coded) / sizeof(coded[0])][MAX_CODES][512];
} candidate_list;

/*
 * SQLite sorts the 290,000 candidates of a million records by rank in 0.9 s
 * of the list's 1.7 s read (wide rows, spilled to temporary files).  Read
 * by id, they are sorted in memory by rank instead, ties kept in id order:
 * the same order (query.h).  Only on a connection of the list's own, where
 * no stage's guard refuses table tp_sorted.  0 when the rows are in
 * l->sorted, else 1: SQLite sorts them.
 *
 * The rows read hold the candidates layer's columns too, and are put in
 * handoff (when not NULL) for the GeoPackage's thread: the same 290,000
 * rows were read and sorted a second time there (1.1 s of CPU at a
 * million records, in a stage whose threads already share two cores).
 */
static int sort_in_memory(candidate_list *l, sqlite3 *db, tp_rows_handoff *handoff)
{
	static const tp_sort_key by_rank = {0, 0, 0};
	const char *sql = tp_rows_sql(l->view, TP_ROWS_CANDIDATE_LIST_BY_ID);
	sqlite3_stmt *st = NULL;
	int ncols = -1, rc;

	/* a column added to the list's SQL but not to LIST_NCOLS (and to
	 * TP_ROWS_CANDIDATE_LIST_SORTED's) would be lost: SQLite sorts then */
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK)
		ncols = sqlite3_column_count(st);
	sqlite3_finalize(st);
	if (ncols != LIST_NCOLS_READ || tp_sorted_rows_serve(db, &l->sorted) != TP_OK) {
		tp_error_clear();
		tp_rows_handoff_put(handoff, NULL); /* the GeoPackage's thread reads them itself */
		return 1;
	}
	rc = tp_sorted_rows_load(&l->sorted, db, sql, LIST_NCOLS_READ, 1, &by_rank);
	tp_rows_handoff_put(handoff, l->sorted);
	return rc;
}

/* Opens the list on store, sorted in memory when own_db (store is the list's own
 * connection), the rows then put in handoff (or NULL). */
static int list_open(candidate_list *l, sqlite3 *store, const char *path, const char *language,
		     int own_db, tp_rows_handoff *handoff)
{
	int rc, k, i;

	memset(l, 0, sizeof(*l));
	l->lang = language ? language : "both";
	for (k = 0; k < (int)(sizeof(coded) / sizeof(coded[0])); k++)
		for (i = 0; i < coded[k]->n && i < MAX_CODES; i++)
			tp_code_name(&coded[k]->codes[i], l->lang, l->names[k][i],
				     sizeof(l->names[k][i]));
	rc = tp_view_open(&l->view, store, 0);
	if (rc)
		return rc;
	if (own_db && sort_in_memory(l, store, handoff) == TP_OK)
		return tp_rows_open(&l->rows, l->view, TP_ROWS_CANDIDATE_LIST_SORTED, NULL, path);
	return tp_rows_open(&l->rows, l->view, TP_ROWS_CANDIDATE_LIST, NULL, path);
}

static void list_close(candidate_list *l)
{
	tp_rows_close(l->rows);
	tp_sorted_rows_free(l->sorted);
	l->sorted = NULL;
	tp_view_close(l->view);
}

/* Column j's header in the run's language. */
static const char *list_header(const candidate_list *l, int j, char *buf, size_t len)
{
	tp_lang_pick(buf, len, l->lang, list_columns[j].fr, list_columns[j].nl, " / ");
	return buf;
}

/* Column j of the current row as text (names in the run's language); NULL for no value. */
static const char *list_text(candidate_list *l, int j, char *buf, size_t len)
{
	const list_column *c = &list_columns[j];
	const char *s = tp_rows_text(l->rows, c->col);
	const tp_code_list *list;
	const tp_code *code = NULL;

	if (!s)
		return NULL;
	switch (c->kind) {
	case L_COMMUNE:
		/* named once a row, for both files */
		if (l->commune_row != l->row) {
			tp_lang_pick(l->commune, sizeof(l->commune), l->lang, s,
				     tp_rows_text(l->rows, c->col + 1) ? tp_rows_text(l->rows, c->col + 1)
								       : s,
				     " / ");
			l->commune_row = l->row;
		}
		return l->commune;
	case L_OWNER:
	case L_REASON:
	case L_PRECISION:
		list = coded[c->kind - L_OWNER];
		code = tp_code_find(list, s);
		if (code && code - list->codes < MAX_CODES)
			return l->names[c->kind - L_OWNER][code - list->codes];
		break;
	default:
		return s;
	}
	return code ? tp_code_name(code, l->lang, buf, len) : s;
}

/* candidates.csv's header row. */
static void csv_header(FILE *f, const candidate_list *l, char sep)
{
	char buf[512];
	int j;

	fputs(BOM, f);
	for (j = 0; j < NLIST_COLUMNS; j++) {
		if (j)
			fputc(sep, f);
		tp_csv_field(f, list_header(l, j, buf, sizeof(buf)));
	}
	fputs("\r\n", f);
}

/* The current candidate as a row of candidates.csv. */
static void csv_row(FILE *f, candidate_list *l, char sep)
{
	char buf[512], num[64], *p;
	int j;

	for (j = 0; j < NLIST_COLUMNS; j++) {
		const list_column *c = &list_columns[j];
		const char *s;
		if (j)
			fputc(sep, f);
		if (tp_rows_null(l->rows, c->col))
			continue;
		switch (c->kind) {
		case L_INT:
			fputs(tp_num_int(num, tp_rows_int64(l->rows, c->col)), f);
			break;
		case L_REAL:
			/* as SQLite's printf writes it: '.' whatever the locale */
			tp_num_sql1f(num, sizeof(num), tp_rows_double(l->rows, c->col));
			if (sep == ';' && (p = strchr(num, '.')))
				*p = ',';
			fputs(num, f);
			break;
		default:
			s = list_text(l, j, buf, sizeof(buf));
			tp_csv_field(f, s ? s : "");
		}
	}
	fputs("\r\n", f);
}

/* candidates.xlsx's header row. */
static void xlsx_header(tp_xlsx *x, const candidate_list *l)
{
	char buf[512];
	int j;

	for (j = 0; j < NLIST_COLUMNS; j++)
		tp_xlsx_text(x, list_header(l, j, buf, sizeof(buf)));
	tp_xlsx_end_row(x);
}

/* The current candidate as a row of candidates.xlsx (typed cells). */
static void xlsx_row(tp_xlsx *x, candidate_list *l)
{
	char buf[512];
	int j;

	for (j = 0; j < NLIST_COLUMNS; j++) {
		const list_column *c = &list_columns[j];
		if (tp_rows_null(l->rows, c->col)) {
			tp_xlsx_skip(x);
			continue;
		}
		switch (c->kind) {
		case L_INT:
		case L_REAL:
			tp_xlsx_number(x, tp_rows_double(l->rows, c->col));
			break;
		case L_DATE:
			tp_xlsx_date(x, tp_rows_text(l->rows, c->col));
			break;
		case L_COMMUNE:
		case L_OWNER:
		case L_REASON:
		case L_PRECISION:
			/* names from short lists: one shared string each */
			tp_xlsx_text_repeated(x, list_text(l, j, buf, sizeof(buf)));
			break;
		default:
			tp_xlsx_text(x, list_text(l, j, buf, sizeof(buf)));
		}
	}
	tp_xlsx_end_row(x);
}

/* tp_write_candidate_lists, own_db and handoff as list_open says. */
static int write_lists(sqlite3 *store, const char *csv_path, const char *xlsx_path,
		       const char *language, int own_db, tp_rows_handoff *handoff)
{
	const char sep = csv_separator(language);
	candidate_list l;
	tp_outfile out;
	tp_xlsx *x = NULL;
	/* a spreadsheet's sheet ends at 1,048,576 rows, the header's included;
	 * TREMPLIN_XLSX_MAX_ROWS (--config) lowers it, for tests */
	long long max_rows = CPLAtoGIntBig(CPLGetConfigOption("TREMPLIN_XLSX_MAX_ROWS", "1048576"));
	long long in_sheet = 0, past = 0;
	int rc, step = 0, csv_open = 0;

	if (max_rows < 1 || max_rows > TP_XLSX_MAX_ROWS)
		max_rows = TP_XLSX_MAX_ROWS;
	/* one pass over the list for both files */
	rc = list_open(&l, store, csv_path ? csv_path : xlsx_path, language, own_db, handoff);
	if (!rc && xlsx_path)
		rc = tp_xlsx_new(&x, xlsx_path, "candidates");
	if (!rc && csv_path) {
		rc = tp_outfile_open(&out, csv_path, TP_OUTFILE_SYNC);
		csv_open = !rc;
	}
	if (rc)
		goto cleanup;
	if (csv_open)
		csv_header(out.f, &l, sep);
	if (x)
		xlsx_header(x, &l);
	/* the file is this thread's: its lock taken once, not at every field */
	if (csv_open)
		flockfile(out.f);
	while ((step = tp_rows_next(l.rows)) > 0) {
		l.row++;
		if (csv_open)
			csv_row(out.f, &l, sep);
		if (x && ++in_sheet < max_rows)
			xlsx_row(x, &l);
		else if (x)
			past++;
	}
	if (csv_open)
		funlockfile(out.f);
	rc = step < 0 ? step : TP_OK;
	/* named as the user finds it: the run writes into a staging folder */
	if (!rc && past)
		fprintf(stderr, "%s: a sheet holds %lld rows: the %lld candidates ranked after the"
				" first %lld are left out of it; candidates.csv and tremplin.gpkg list"
				" them all\n",
			strrchr(xlsx_path, '/') ? strrchr(xlsx_path, '/') + 1 : xlsx_path, max_rows,
			past, max_rows - 1);
	if (csv_open) {
		rc = tp_outfile_end(&out, rc);
		csv_open = 0;
	}
	if (!rc && x)
		rc = tp_xlsx_save(x);
cleanup:
	if (csv_open)
		tp_outfile_end(&out, rc);
	tp_xlsx_free(x);
	list_close(&l);
	return rc;
}

int tp_write_candidate_lists(sqlite3 *store, const char *csv_path, const char *xlsx_path,
			     const char *language)
{
	return write_lists(store, csv_path, xlsx_path, language, 0, NULL);
}

/* ---- the candidate list beside the GeoPackage --------------------------- */

struct tp_lists_job {
	sqlite3 *store;       /* the caller's connection (the list written at the end) */
	sqlite3 *db;          /* the thread's own read-only connection, or NULL */
	char *csv, *xlsx;     /* the files (NULL for none) */
	char *language;       /* [outputs] language, or NULL */
	pthread_t tid;        /* the thread */
	tp_rows_handoff *handoff; /* where the thread puts the candidates' rows, or NULL */
	int started;          /* 1 while it runs */
	int rc;               /* its result */
	int err;              /* errno when it failed */
	tp_error_state error; /* its failure */
};

static void *lists_thread(void *arg)
{
	struct tp_lists_job *j = arg;
	double t0 = tp_clock(CLOCK_MONOTONIC), c0 = tp_clock(CLOCK_THREAD_CPUTIME_ID);

	errno = 0;
	j->rc = write_lists(j->db, j->csv, j->xlsx, j->language, 1, j->handoff);
	/* whatever happened, the GeoPackage's thread is not left waiting */
	tp_rows_handoff_put(j->handoff, NULL);
	/* where the write stage's time goes (--debug on) */
	CPLDebug("tremplin", "the candidate lists: %.3f s, CPU %.3f s",
		 tp_clock(CLOCK_MONOTONIC) - t0, tp_clock(CLOCK_THREAD_CPUTIME_ID) - c0);
	j->err = errno;
	tp_error_save(&j->error, j->rc);
	return NULL;
}

static char *copy(const char *s, int *failed)
{
	char *c = s ? strdup(s) : NULL;

	if (s && !c)
		*failed = 1;
	return c;
}

static void job_free(struct tp_lists_job *j)
{
	if (j->db)
		sqlite3_close(j->db);
	tp_rows_handoff_free(j->handoff);
	free(j->csv);
	free(j->xlsx);
	free(j->language);
	free(j);
}

int tp_candidate_lists_begin(struct tp_lists_job **out, sqlite3 *store, const char *csv_path,
			     const char *xlsx_path, const char *language, int threaded)
{
	struct tp_lists_job *j = calloc(1, sizeof(*j));
	const char *file;
	int failed = 0;

	*out = NULL;
	if (!j)
		return tp_error_set(TP_ERROR, "out of memory");
	j->store = store;
	j->csv = copy(csv_path, &failed);
	j->xlsx = copy(xlsx_path, &failed);
	j->language = copy(language, &failed);
	if (failed) {
		job_free(j);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	*out = j;
	/* a store in memory, or one that cannot be opened twice: written at the end */
	file = threaded ? sqlite3_db_filename(store, "main") : NULL;
	if (!file || !*file ||
	    sqlite3_open_v2(file, &j->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(j->db, "PRAGMA cache_size=-65536", NULL, NULL, NULL) != SQLITE_OK) {
		if (j->db)
			sqlite3_close(j->db);
		j->db = NULL;
		return TP_OK;
	}
	if (tp_rows_handoff_new(&j->handoff))
		tp_error_clear(); /* the GeoPackage then reads the candidates itself */
	j->started = pthread_create(&j->tid, NULL, lists_thread, j) == 0;
	if (!j->started) {
		tp_rows_handoff_free(j->handoff);
		j->handoff = NULL;
	}
	return TP_OK;
}

tp_rows_handoff *tp_candidate_lists_rows(tp_lists_job *j)
{
	return j ? j->handoff : NULL;
}

int tp_candidate_lists_end(struct tp_lists_job *j, int rc)
{
	int err;

	if (!j)
		return rc;
	if (j->started) {
		pthread_join(j->tid, NULL);
		if (!rc && j->rc) {
			rc = tp_error_restore(&j->error);
			/* what the thread's failed write said, for the caller's advice (disk full) */
			errno = j->err;
		}
	} else if (!rc) {
		rc = tp_write_candidate_lists(j->store, j->csv, j->xlsx, j->language);
	}
	err = errno;
	job_free(j);
	errno = err;
	return rc;
}

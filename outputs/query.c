/*
 * query.c: the SQL of every row set outputs read (query.h), and the view
 * that runs it under the guard of published.c.
 *
 * The table below is all the SQL text outputs hold.  A row set with an
 * internal variant gives exact people figures in an internal view and the
 * protect stage's published ones in a public view; the guard, installed
 * when the view opens, refuses at prepare time any other read of a
 * private column, so a mistake in this file fails loudly instead of
 * publishing a figure.  People columns are made from geo/categories.h.
 */
#include "outputs/query.h"
#include "geo/categories.h"
#include "geo/error.h"
#include "outputs/published.h"

#include <stdlib.h>

struct tp_view {
	sqlite3 *db;  /* the working store */
	int internal; /* 1: exact figures may be read */
};

struct tp_rows {
	tp_view *view;       /* the view it was opened on */
	sqlite3_stmt *st;    /* the row set's statement */
	const char *what;    /* the row set, for messages */
	const char *context; /* the caller's context, for messages, or NULL */
};

/* One row set: its SQL, public and internal. */
typedef struct {
	const char *what;     /* what it reads, for messages */
	const char *sql;      /* public view (and internal when no variant) */
	const char *internal; /* internal view; NULL: sql */
} rowset_def;

/* A people figure's published label (indicators.csv). */
#define LABEL(c, fr, nl, aliases) ", p." #c "_label"

/* A people figure then its published label, the figure from table alias p, s or z. */
#define FIGURE_p(c, fr, nl, aliases) " p." #c ", p." #c "_label,"
#define FIGURE_s(c, fr, nl, aliases) " s." #c ", p." #c "_label,"
#define FIGURE_z(c, fr, nl, aliases) " z." #c ", p." #c "_label,"
#define MAP_FIGURE(c, fr, nl, aliases) ", p." #c ", p." #c "_label"

/* The seven people figures and their labels, from table alias a (labels from p). */
#define PEOPLE(a, total) TP_CATEGORIES(FIGURE_##a) " " #a "." total ", p.people_total_label"

/* Every commune once, with its summary (s) and published figures (p), by nis_code. */
#define COMMUNES_JOIN                                                             \
	" FROM communes c LEFT JOIN commune_summary s ON s.nis_code = c.nis_code" \
	" LEFT JOIN public_communes p ON p.nis_code = c.nis_code"                 \
	" ORDER BY c.nis_code, c.id"

/* The counts of commune_summary, alias s. */
#define COUNTS " s.vacancy_records, s.empty_dwellings, s.candidate_buildings, s.candidate_dwellings,"

/* The vacancy records rejected that can be placed in the commune (summarise), alias s. */
#define REJECTED ", s.rejected_records, s.rejected_dwellings"

/*
 * The capacity, its shares of the people in public space and of all the
 * people, and the need: exact (s), or made from the published figures (p,
 * NULL where the figure is withheld or 0), as protect.c makes the need.
 */
#define SHARES_s " s.capacity, s.capacity_share_public, s.capacity_share_total, s.need"
#define SHARES_p                                                                  \
	" s.capacity, CASE WHEN p.public_space > 0 THEN s.capacity / p.public_space END," \
	" CASE WHEN p.people_total > 0 THEN s.capacity / p.people_total END, p.need"

/* The communes layer, its figures and shares from p (published) or s (exact). */
#define COMMUNES_SQL(a)                                                                      \
	"SELECT c.nis_code, c.name_fr, c.name_nl, c.population," PEOPLE(a, "people_total") "," \
	COUNTS SHARES_##a REJECTED ", c.geom" COMMUNES_JOIN

/* The count_zones layer, its figures from p (published) or z (exact, total in zones.total). */
#define ZONES_SQL(a, total)                                                             \
	"SELECT z.zone_id," PEOPLE(a, total) ", z.area, z.inside_area, z.outside_area," \
	" CASE WHEN z.area > 0 THEN z.outside_area / z.area END, z.zone_id, z.geom"    \
	" FROM zones z LEFT JOIN public_zones p ON p.zone_id = z.zone_id"              \
	" ORDER BY z.zone_id, z.id"

/* A reject of count zones: the zones input or an earlier edition's (pipeline/editions.h). */
#define ZONES_INPUT "(input = 'zones' OR input GLOB 'zones.*')"

/* The rejects, their original values as the SQL expression original. */
#define REJECTS_SQL(reason, original)                                                \
	"SELECT input, source_file, layer, src_row, stage, field, " reason ", " original \
	" FROM rejects ORDER BY id"

/*
 * The owner as public outputs show it: a private owner may be a person,
 * so it is never named (NULL).
 */
#define SHOWN_OWNER "CASE WHEN owner_type = 'private' THEN NULL ELSE owner END"

/*
 * A rejected row's original values as public outputs show them: its owner's
 * value (the source column input_stats.owner_column names) null.  Whether a
 * rejected owner is private is often what could not be read, so no
 * rejected row's owner is named; an internal file shows it.  Values that
 * are not a JSON object, or a column a JSON path cannot name (a double
 * quote in its name), leave the whole original out.
 */
#define SHOWN_ORIGINAL                                                                 \
	"(SELECT CASE WHEN s.owner_column IS NULL THEN rejects.original"                \
	" WHEN instr(s.owner_column, '\"') = 0 AND json_valid(rejects.original)"        \
	" AND json_type(rejects.original) = 'object'"                                     \
	" THEN json_replace(rejects.original, '$.\"' || s.owner_column || '\"', NULL) END" \
	" FROM input_stats s WHERE s.input = rejects.input)"

/*
 * The score's three parts (pipeline/score.c): the window's and the
 * dwellings' from what the record keeps, the need's as what the score
 * leaves, a multiple of 3 (30 times tenths of the largest need), so that
 * the score's rounding to 0.1 does not leak into it.  The first two are
 * shown rounded to 0.1, as the score is.
 */
#define SCORE_WINDOW "50 * MIN(v.window_months / 60.0, 1)"
#define SCORE_DWELLINGS "20 * MIN(v.dwellings / 20.0, 1)"

/* How long the vacancy of alias v has stood empty (pipeline/snapshots.c). */
#define MONTHS_EMPTY(v) "(SELECT t.months_empty FROM vacancy_tracks t WHERE t.id = " v ".id)"

/*
 * The names of a commune: those of the first commune (by id) with its
 * nis_code, as table cn, to be joined by nis_code (LEFT JOIN cn ON
 * cn.nis_code = ...).  One row per nis_code, so the join never duplicates a
 * row; made once and looked up through an index, where a subquery per row
 * (ORDER BY c.id LIMIT 1) scanned every commune for each of 290,000
 * candidates.
 */
#define COMMUNE_NAMES                                                                       \
	"WITH cn AS MATERIALIZED (SELECT c.nis_code, c.name_fr, c.name_nl FROM communes c"  \
	" WHERE c.id = (SELECT MIN(c2.id) FROM communes c2 WHERE c2.nis_code = c.nis_code)) "

/* The candidate list (candidates.csv, .xlsx), with works_start's precision as expression
 * precision, then the columns extra (each after a comma, or ""). */
#define CANDIDATE_LIST_SQL(precision, extra, order)                                            \
	COMMUNE_NAMES "SELECT v.rank, v.address, v.postcode, v.nis_code, cn.name_fr, cn.name_nl," \
	" " SHOWN_OWNER ", v.owner_type, v.dwellings, v.reason, v.vacant_since, v.works_start, " \
	precision ", v.window_months, v.capacity, v.score, ROUND(" SCORE_WINDOW ", 1),"          \
	" ROUND(" SCORE_DWELLINGS ", 1), MAX(0, ROUND((v.score - " SCORE_WINDOW " - " SCORE_DWELLINGS ") / 3) * 3), v.src_id,"  \
	" " MONTHS_EMPTY("v") extra                                                             \
	" FROM vacancies v LEFT JOIN cn ON cn.nis_code = v.nis_code WHERE v.candidate = 1" order

/* The candidates layer, its owner as the SQL expression owner. */
#define CANDIDATES_SQL(owner)                                                                 \
	COMMUNE_NAMES "SELECT v.rank, v.src_id, v.address, " owner ", v.owner_type,"             \
	" v.nis_code, cn.name_fr, v.zone_id, v.dwellings, v.window_months, v.capacity,"        \
	" v.score, v.works_start, v.status, " MONTHS_EMPTY("v") ", v.geom"                     \
	" FROM vacancies v LEFT JOIN cn ON cn.nis_code = v.nis_code WHERE v.candidate = 1"     \
	" ORDER BY v.rank IS NULL, v.rank, v.id"

/* The vacancies layer, its owner as the SQL expression owner: its columns, then key; then order. */
#define VACANCIES_SQL(owner, key, order)                                                      \
	"SELECT v.src_row, v.src_id, v.address, v.postcode, v.geocode, " owner ", v.owner_type," \
	" v.dwellings, v.reason, v.vacant_since, v.works_start, v.works_start_precision,"      \
	" v.owner_agreed, v.nis_code, v.zone_id, v.candidate, v.status, v.window_months,"      \
	" v.capacity, v.score, v.rank, v.occupied_by, t.first_seen, t.last_seen,"             \
	" t.months_empty, v.geom" key                                                           \
	" FROM vacancies v LEFT JOIN vacancy_tracks t ON t.id = v.id" order

/* The occupations layer, its people figures as the SQL expression people. */
#define OCCUPATIONS_SQL(people)                                                               \
	"SELECT o.src_row, o.site, o.operator, o.support, o.owner_type, o.dwellings,"          \
	" o.vacancy_id, o.address, o.postcode, o.start, o.planned_end, o.extensions,"          \
	" o.actual_end, o.current_end, o.status, o.months, o.extended, " people ","            \
	" o.matched_by, (SELECT v.src_row FROM vacancies v WHERE v.id = o.vacancy), o.nis_code," \
	" o.geom FROM occupations o ORDER BY o.id"

/* vacancy_tracks' columns for vacancy_history, then the columns keys. */
#define TRACKS_SQL(keys)                                                                        \
	"SELECT src_id, address, nis_code, dwellings, first_seen, last_seen, spell_start, seen," \
	" months_empty, CASE WHEN vacancy IS NULL THEN 'left' ELSE 'empty' END" keys             \
	" FROM vacancy_tracks"

static const rowset_def rowsets[] = {
	[TP_ROWS_INDICATORS] = {
		"the commune indicators",
		"SELECT c.nis_code, c.name_fr, c.name_nl, c.population" TP_PEOPLE(LABEL) "," COUNTS
		SHARES_p REJECTED
		COMMUNES_JOIN,
		NULL,
	},
	[TP_ROWS_COMMUNES] = {"the communes", COMMUNES_SQL(p), COMMUNES_SQL(s)},
	[TP_ROWS_ZONES] = {
		"the count zones",
		ZONES_SQL(p, "people_total"),
		ZONES_SQL(z, TP_ZONE_TOTAL),
	},
	[TP_ROWS_ZONE_SHARES] = {
		"the shares of a count zone",
		"SELECT nis_code, share FROM zone_shares WHERE zone_id = ? ORDER BY nis_code",
		NULL,
	},
	[TP_ROWS_VACANCIES] = {
		"the vacancies",
		VACANCIES_SQL(SHOWN_OWNER, "", " ORDER BY v.id"),
		VACANCIES_SQL("v.owner", "", " ORDER BY v.id"),
	},
	[TP_ROWS_VACANCIES_KEYED] = {
		"the vacancies",
		VACANCIES_SQL(SHOWN_OWNER, ", v.id", ""),
		VACANCIES_SQL("v.owner", ", v.id", ""),
	},
	[TP_ROWS_CANDIDATES] = {
		"the candidates",
		CANDIDATES_SQL(SHOWN_OWNER),
		CANDIDATES_SQL("v.owner"),
	},
	[TP_ROWS_REJECTS] = {
		"the rejects",
		/* a rejected zone's reason quotes no count: cut at its first quote; and so
		 * is one of an earlier edition's zones (input zones.LABEL); nor does an
		 * occupation's about its people, whose original values (people per
		 * site) stay out as a zone's */
		REJECTS_SQL("CASE WHEN (" ZONES_INPUT " OR (input = 'occupations' AND field IN"
			    " ('people_housed', 'people_moved_on'))) AND instr(reason, '''') > 0"
			    " THEN rtrim(substr(reason, 1, instr(reason, '''') - 1), ': ')"
			    " ELSE reason END",
			    "CASE WHEN " ZONES_INPUT " OR input = 'occupations' THEN NULL"
			    " ELSE " SHOWN_ORIGINAL " END"),
		REJECTS_SQL("reason", "original"),
	},
	[TP_ROWS_CRS] = {
		"the working CRS",
		"SELECT value FROM meta WHERE key IN ('crs', 'crs_wkt')"
		" AND value IS NOT NULL ORDER BY key = 'crs' DESC",
		NULL,
	},
	[TP_ROWS_MAX_DWELLINGS] = {
		"the candidates' dwellings",
		"SELECT MAX(dwellings) FROM vacancies WHERE candidate = 1",
		NULL,
	},
	[TP_ROWS_META] = {"meta", "SELECT value FROM meta WHERE key = ?", NULL},
	[TP_ROWS_SOURCES] = {
		"input_stats",
		"SELECT input, path, layer, src_crs, read, skipped FROM input_stats ORDER BY input",
		NULL,
	},
	[TP_ROWS_INPUT_PATH] = {"input_stats", "SELECT path FROM input_stats WHERE input = ?", NULL},
	[TP_ROWS_MAP_COMMUNES] = {
		"the communes and their published figures",
		"SELECT c.nis_code, c.name_fr, c.name_nl, c.geom," COUNTS
		" s.capacity" TP_PEOPLE(MAP_FIGURE) REJECTED COMMUNES_JOIN,
		NULL,
	},
	[TP_ROWS_MAP_CANDIDATES] = {
		"the candidates",
		"SELECT rank, nis_code, src_id, address, " SHOWN_OWNER ", owner_type, works_start,"
		" dwellings, window_months, capacity, score, geom, " MONTHS_EMPTY("vacancies")
		" FROM vacancies WHERE candidate = 1 ORDER BY id",
		NULL,
	},
	[TP_ROWS_MAP_NOT_CANDIDATES] = {
		"the vacancies that are not candidates",
		"SELECT nis_code, reason, dwellings FROM vacancies"
		" WHERE candidate = 0 AND nis_code IS NOT NULL",
		NULL,
	},
	[TP_ROWS_REJECTED] = {
		"the rejected records",
		"SELECT input, nis_code, field, dwellings FROM (SELECT id, input, nis_code, field,"
		" dwellings, ROW_NUMBER() OVER (PARTITION BY input, src_row ORDER BY id) AS k"
		" FROM rejects) WHERE k = 1 ORDER BY input, id",
		NULL,
	},
	[TP_ROWS_JSON_VALUES] = {
		"the original values of a rejected row",
		"SELECT key, CASE WHEN type IN ('object', 'array') THEN json(value) ELSE value END"
		" FROM json_each(?) ORDER BY id",
		NULL,
	},
	[TP_ROWS_CANDIDATE_LIST] = {
		"the candidate list",
		CANDIDATE_LIST_SQL("v.works_start_precision", "", " ORDER BY v.rank, v.id"),
		NULL,
	},
	[TP_ROWS_CANDIDATE_LIST_BY_ID] = {
		"the candidate list",
		/* with what the candidates layer shows besides (gpkg.c takes its
		 * columns from these rows, found by name, when it can) */
		CANDIDATE_LIST_SQL("v.works_start_precision", ", v.zone_id, v.status, v.geom",
				   " ORDER BY v.id"),
		NULL,
	},
	/* CANDIDATE_LIST_SQL's columns, LIST_NCOLS in lists.c */
	[TP_ROWS_CANDIDATE_LIST_SORTED] = {
		"the candidate list",
		"SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16,"
		" c17, c18, c19, c20 FROM tp_sorted",
		NULL,
	},
	[TP_ROWS_TRENDS] = {
		"the trends",
		"SELECT nis_code, name_fr, name_nl, edition, edition_date, category, counted, value,"
		" value_label, previous_edition, previous_value, change, change_pct, comparable_scope,"
		" comparable_value, comparable_previous, comparable_change, comparable_change_pct"
		" FROM trends ORDER BY id",
		NULL,
	},
	[TP_ROWS_EDITION_ZONES] = {
		"the count zones of every edition",
		/* the current edition's zones are in zones, the earlier ones' in edition_zones */
		"SELECT p.edition, p.zone_id," TP_PEOPLE(FIGURE_p) " COALESCE(z.geom, c.geom)"
		" FROM edition_public_zones p LEFT JOIN edition_zones z"
		" ON z.edition = p.edition AND z.zone_id = p.zone_id"
		" LEFT JOIN zones c ON z.id IS NULL AND c.zone_id = p.zone_id"
		" ORDER BY p.rowid",
		NULL,
	},
	[TP_ROWS_EDITIONS] = {
		"the editions of the count",
		"SELECT edition, edition_date, MAX(previous_edition) FROM trends GROUP BY edition"
		" ORDER BY edition_date",
		NULL,
	},
	[TP_ROWS_CHANGE] = {
		"the change of each commune",
		"SELECT c.nis_code, c.name_fr, c.name_nl, c.geom, t.value_label, t.change,"
		" t.change_pct, t.comparable_change, t.comparable_change_pct FROM communes c"
		" LEFT JOIN trends t ON t.nis_code = c.nis_code AND t.category = 'people_total'"
		" AND t.edition = ?1"
		" UNION ALL SELECT NULL, name_fr, name_nl, NULL, value_label, change, change_pct,"
		" comparable_change, comparable_change_pct FROM trends WHERE nis_code IS NULL"
		" AND category = 'people_total' AND edition = ?1",
		NULL,
	},
	[TP_ROWS_OCCUPATIONS] = {
		"the occupations",
		OCCUPATIONS_SQL("NULL, NULL"),
		OCCUPATIONS_SQL("o.people_housed, o.people_moved_on"),
	},
	[TP_ROWS_OCCUPATION_DURATIONS] = {
		"the occupations' durations",
		"SELECT grouping, grp, occupations, median, q1, q3, share_extended,"
		" (SELECT CAST(value AS REAL) FROM meta WHERE key = 'min_window_months')"
		" FROM occupation_durations ORDER BY rowid",
		NULL,
	},
	[TP_ROWS_OCCUPATIONS_ENDING] = {
		"the occupations ending soon",
		/* the candidate's columns by scalar subqueries: a LEFT JOIN on the
		 * vacancies view (itself a join) made SQLite copy every vacancy into
		 * a temporary table first, 1.4 s at 350,000 records */
		"SELECT e.site, e.current_end, e.months_left, e.near, e.candidate_rank,"
		" (SELECT v.src_id FROM vacancies v WHERE v.id = e.candidate_id),"
		" (SELECT v.address FROM vacancies v WHERE v.id = e.candidate_id),"
		" (SELECT v.nis_code FROM vacancies v WHERE v.id = e.candidate_id),"
		" e.distance_m FROM occupations_ending e ORDER BY e.rowid",
		NULL,
	},
	[TP_ROWS_INDICATOR_NAMES] = {
		"the indicator tables",
		"SELECT name FROM indicator_tables ORDER BY ord",
		NULL,
	},
	[TP_ROWS_COMMUNE_INDICATORS] = {
		"a commune's indicators",
		"SELECT i.name, r.value FROM indicator_tables i LEFT JOIN indicators r"
		" ON r.indicator = i.name AND r.nis_code = ?1 ORDER BY i.ord",
		NULL,
	},
	[TP_ROWS_SNAPSHOT_COUNT] = {
		"the vacancy snapshots",
		"SELECT count(DISTINCT snapshot) FROM vacancy_flows",
		NULL,
	},
	[TP_ROWS_VACANCY_FLOWS] = {
		"the vacancy flows",
		"SELECT f.nis_code, (SELECT c.name_fr FROM communes c WHERE c.nis_code = f.nis_code"
		" ORDER BY c.id LIMIT 1), (SELECT c.name_nl FROM communes c WHERE c.nis_code ="
		" f.nis_code ORDER BY c.id LIMIT 1), f.snapshot, f.empty_records, f.empty_dwellings,"
		" f.entered_records, f.entered_dwellings, f.left_records, f.left_dwellings"
		" FROM vacancy_flows f ORDER BY f.snapshot, f.nis_code IS NULL, f.nis_code",
		NULL,
	},
	[TP_ROWS_VACANCY_TRACKS] = {
		"the buildings across vacancy snapshots",
		TRACKS_SQL("") " ORDER BY vacancy IS NULL, months_empty DESC, id",
		NULL,
	},
	[TP_ROWS_VACANCY_TRACKS_BY_ID] = {
		"the buildings across vacancy snapshots",
		TRACKS_SQL(", vacancy IS NULL, months_empty") " ORDER BY id",
		NULL,
	},
};

_Static_assert(sizeof(rowsets) / sizeof(rowsets[0]) == TP_ROWS_VACANCIES_KEYED + 1,
	       "a row set of query.h without its SQL");

int tp_view_open(tp_view **out, sqlite3 *store, int internal)
{
	tp_view *v;
	int rc;

	*out = NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return tp_error_set(TP_ERROR, "working store: out of memory");
	v->db = store;
	v->internal = internal;
	rc = tp_published_begin(store, internal);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	return TP_OK;
}

void tp_view_close(tp_view *v)
{
	if (!v)
		return;
	tp_published_end(v->db);
	free(v);
}

int tp_view_has_table(tp_view *v, const char *name)
{
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (sqlite3_prepare_v2(v->db, "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view')"
					      " AND name = ?",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found;
}

/* Records why the row set what cannot be read, in context (query.h). */
static int read_fail(sqlite3 *db, const char *what, const char *context)
{
	if (context)
		return tp_error_set(TP_ESTORE, "%s: cannot read the working store: %s", context,
				    sqlite3_errmsg(db));
	return tp_error_set(TP_ESTORE, "working store: cannot read %s: %s", what,
			    sqlite3_errmsg(db));
}

const char *tp_rows_sql(const tp_view *v, tp_rowset set)
{
	const rowset_def *def = &rowsets[set];

	return v->internal && def->internal ? def->internal : def->sql;
}

int tp_rows_open(tp_rows **out, tp_view *v, tp_rowset set, const char *arg,
		 const char *context)
{
	const rowset_def *def = &rowsets[set];
	const char *sql = tp_rows_sql(v, set);
	tp_rows *r;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return tp_error_set(TP_ERROR, "working store: out of memory");
	r->view = v;
	r->what = def->what;
	r->context = context;
	if (sqlite3_prepare_v2(v->db, sql, -1, &r->st, NULL) != SQLITE_OK) {
		int rc = read_fail(v->db, def->what, context);
		tp_rows_close(r);
		return rc;
	}
	if (arg)
		sqlite3_bind_text(r->st, 1, arg, -1, SQLITE_TRANSIENT);
	*out = r;
	return TP_OK;
}

int tp_rows_next(tp_rows *r)
{
	int step = sqlite3_step(r->st);

	if (step == SQLITE_ROW)
		return 1;
	if (step == SQLITE_DONE)
		return 0;
	return read_fail(r->view->db, r->what, r->context);
}

void tp_rows_rewind(tp_rows *r, const char *arg)
{
	sqlite3_reset(r->st);
	sqlite3_bind_text(r->st, 1, arg, -1, SQLITE_TRANSIENT);
}

void tp_rows_close(tp_rows *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->st);
	free(r);
}

int tp_rows_null(const tp_rows *r, int i)
{
	return sqlite3_column_type(r->st, i) == SQLITE_NULL;
}

const char *tp_rows_text(const tp_rows *r, int i)
{
	return (const char *)sqlite3_column_text(r->st, i);
}

long long tp_rows_int64(const tp_rows *r, int i)
{
	return (long long)sqlite3_column_int64(r->st, i);
}

double tp_rows_double(const tp_rows *r, int i)
{
	return sqlite3_column_double(r->st, i);
}

const void *tp_rows_blob(const tp_rows *r, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(r->st, i);

	*len = (size_t)sqlite3_column_bytes(r->st, i);
	return p;
}

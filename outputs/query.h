/*
 * query.h: every query the outputs run against the working store.
 *
 * A writer opens a view of the store, public or internal, once; the view
 * installs the guard of published.h for as long as it is open, so a
 * public view cannot read a private column even by mistake.  The writer
 * then asks the view for named row sets and reads their columns by index;
 * the SQL text of every row set lives in query.c and nowhere else, and
 * the internal variant of a row set (exact people figures) is chosen by
 * the view's mode, not by the writer.  Column orders are listed below;
 * the writers' field tables follow them.
 */
#ifndef TP_QUERY_H
#define TP_QUERY_H

#include <stddef.h>

#include <sqlite3.h>

/* The row sets outputs read; each comment lists its columns in order. */
typedef enum {
	/*
	 * indicators.csv: nis_code, name_fr, name_nl, population, the label of
	 * each people figure (TP_PEOPLE), vacancy_records, empty_dwellings,
	 * candidate_buildings, candidate_dwellings, capacity,
	 * capacity_share_public, capacity_share_total, need (these three
	 * from public_communes), rejected_records, rejected_dwellings.  One
	 * row per commune, by nis_code.
	 */
	TP_ROWS_INDICATORS,
	/*
	 * The communes layer: nis_code, name_fr, name_nl, population, each
	 * people figure then its label, the four counts of indicators, capacity,
	 * capacity_share_public, capacity_share_total, need, rejected_records,
	 * rejected_dwellings, geom (WKB).
	 * Figures and shares published, or exact in an internal view; labels
	 * always published.
	 */
	TP_ROWS_COMMUNES,
	/*
	 * The count_zones layer: zone_id, each category then its label, the
	 * total then its label, area, inside_area, outside_area, outside_share,
	 * zone_id (for TP_ROWS_ZONE_SHARES), geom.  Figures as for communes.
	 */
	TP_ROWS_ZONES,
	/* nis_code, share: how the zone named by the argument is shared among communes. */
	TP_ROWS_ZONE_SHARES,
	/*
	 * The vacancies layer: src_row, src_id, address, postcode, geocode,
	 * owner, owner_type, dwellings, reason, vacant_since, works_start,
	 * works_start_precision, owner_agreed, nis_code, zone_id, candidate,
	 * status, window_months,
	 * capacity, score, rank, occupied_by (the site of the running
	 * occupation in it, or NULL), first_seen, last_seen, months_empty (of
	 * its building across snapshots), geom.
	 */
	TP_ROWS_VACANCIES,
	/*
	 * The candidates layer: rank, src_id, address, owner, owner_type,
	 * nis_code, the commune's name_fr, zone_id, dwellings, window_months,
	 * capacity, score, works_start, status, months_empty, geom; by rank,
	 * unranked last.
	 */
	TP_ROWS_CANDIDATES,
	/*
	 * The rejects table: input, source_file, layer, src_row, stage, field,
	 * reason, original; a public view leaves out the original values of a
	 * rejected count zone (its people counts).
	 */
	TP_ROWS_REJECTS,
	/* value: meta.crs then meta.crs_wkt, those set. */
	TP_ROWS_CRS,
	/* The largest dwellings of a candidate (NULL when none): one row. */
	TP_ROWS_MAX_DWELLINGS,
	/* value of the meta key given as argument: no row when absent. */
	TP_ROWS_META,
	/* input, path, layer, src_crs, read, skipped: input_stats, by input. */
	TP_ROWS_SOURCES,
	/* path of the input given as argument (input_stats). */
	TP_ROWS_INPUT_PATH,
	/*
	 * What maps and dashboard show of a commune: nis_code, name_fr,
	 * name_nl, geom, vacancy_records, empty_dwellings, candidate_buildings,
	 * candidate_dwellings, capacity, then each people figure and its label
	 * (published), rejected_records, rejected_dwellings.  By nis_code.
	 */
	TP_ROWS_MAP_COMMUNES,
	/*
	 * What maps and dashboard show of a candidate: rank, nis_code, src_id,
	 * address, owner (NULL for a private owner, who may be a person),
	 * owner_type, works_start, dwellings, window_months, capacity, score,
	 * geom, months_empty.  By id (rowid order, no sort of the wide rows:
	 * the reader sorts them by rank, then id).
	 */
	TP_ROWS_MAP_CANDIDATES,
	/*
	 * The located vacancy records that are not candidates, one row each
	 * (the reader counts them per commune and reason; no sort): nis_code,
	 * reason (geo/codes.h's tp_reasons; NULL when none was given), dwellings.
	 */
	TP_ROWS_MAP_NOT_CANDIDATES,
	/*
	 * One row per rejected record (its first reject when several fields
	 * were refused): input, nis_code (the commune it can be placed in, or
	 * NULL), field, dwellings (declared, or NULL).  By input, then as
	 * rejected.
	 */
	TP_ROWS_REJECTED,
	/* key, value of each member of the JSON object given as argument, in order. */
	TP_ROWS_JSON_VALUES,
	/*
	 * The candidate list (candidates.csv, candidates.xlsx): rank, address,
	 * postcode, nis_code, the commune's name_fr, name_nl, owner (NULL for a
	 * private owner, as TP_ROWS_MAP_CANDIDATES), owner_type, dwellings,
	 * reason, vacant_since, works_start, works_start_precision,
	 * window_months, capacity, score,
	 * the score's window, dwellings and need parts, src_id, months_empty.
	 * By rank.
	 */
	TP_ROWS_CANDIDATE_LIST,
	/*
	 * The trends table (pipeline/trends.c; trends.csv and the trends
	 * layer): nis_code (NULL for the region), name_fr, name_nl, edition,
	 * edition_date, category, counted, value, value_label,
	 * previous_edition, previous_value, change, change_pct,
	 * comparable_scope, comparable_value, comparable_previous,
	 * comparable_change, comparable_change_pct.  Communes by nis_code, then
	 * the region; editions by date; categories in TP_PEOPLE order.
	 * Published figures only.
	 */
	TP_ROWS_TRENDS,
	/*
	 * Every edition's count zones as published (count_zones_editions):
	 * edition, zone_id, each people figure and its label, geom.  By
	 * edition date, then zone_id.
	 */
	TP_ROWS_EDITION_ZONES,
	/* edition, edition_date, previous_edition of each edition, by date. */
	TP_ROWS_EDITIONS,
	/*
	 * The change map: per commune nis_code, name_fr, name_nl, geom, then of
	 * the edition given as argument the total's value_label, change,
	 * change_pct, comparable_change, comparable_change_pct (NULL when not
	 * published); the region last, with a NULL nis_code and geom.
	 */
	TP_ROWS_CHANGE,
	/*
	 * The occupations layer: src_row, site, operator, support, owner_type,
	 * dwellings, vacancy_id, address, postcode, start, planned_end,
	 * extensions, actual_end, current_end, status, months, extended,
	 * people_housed, people_moved_on (both NULL in a public view: per site
	 * they are small numbers at a known address), matched_by, the occupied
	 * vacancy's src_row, nis_code, geom.  By id.
	 */
	TP_ROWS_OCCUPATIONS,
	/* occupation_durations: grouping, grp, occupations, median, q1, q3,
	 * share_extended, then meta's min_window_months (the score stage's, so
	 * that a run --from score shows the one it scored with). */
	TP_ROWS_OCCUPATION_DURATIONS,
	/* occupations_ending: site, current_end, months_left, near, candidate_rank,
	 * the candidate's src_id, address and commune (nis_code), distance_m. */
	TP_ROWS_OCCUPATIONS_ENDING,
	/* name of each indicator table ([indicators]), in config order. */
	TP_ROWS_INDICATOR_NAMES,
	/* name, value of each indicator table for the commune given as argument,
	 * in config order; value NULL where the table has no row for it (no data). */
	TP_ROWS_COMMUNE_INDICATORS,
	/*
	 * vacancy_flows: nis_code (NULL for the region), the commune's name_fr,
	 * name_nl, snapshot, empty_records, empty_dwellings, entered_records,
	 * entered_dwellings, left_records, left_dwellings (the last four NULL
	 * for the first snapshot).  By snapshot, then nis_code, the region last.
	 */
	TP_ROWS_VACANCY_FLOWS,
	/*
	 * vacancy_tracks, every building seen in a snapshot: src_id, address,
	 * nis_code, dwellings, first_seen, last_seen, spell_start, seen,
	 * months_empty, status (empty: in the scored snapshot; left: not).
	 * Those that left last, by months empty (longest first), then id.
	 */
	TP_ROWS_VACANCY_TRACKS,
	/*
	 * The same columns by id, then TP_ROWS_VACANCY_TRACKS's sort key: vacancy
	 * IS NULL (ascending), months_empty (descending); sorted by them, ties
	 * kept in this order, the rows are TP_ROWS_VACANCY_TRACKS's (gpkg.c sorts
	 * them in memory, faster than SQLite).  Change both together.
	 */
	TP_ROWS_VACANCY_TRACKS_BY_ID,
	/* The number of vacancy snapshots the snapshots stage matched (one row). */
	TP_ROWS_SNAPSHOT_COUNT,
	/*
	 * TP_ROWS_CANDIDATE_LIST's columns by id, then zone_id, status and
	 * geom: sorted by rank (column 0), ties kept in this order, the rows
	 * are TP_ROWS_CANDIDATE_LIST's (lists.c sorts them in memory, faster
	 * than SQLite) and, in a public view, TP_ROWS_CANDIDATES's (gpkg.c
	 * takes that layer's columns from them).  Change both together.
	 */
	TP_ROWS_CANDIDATE_LIST_BY_ID,
	/* TP_ROWS_CANDIDATE_LIST_BY_ID's first 21 columns as sorted in memory
	 * and served by table tp_sorted (outputs.h, tp_sorted_rows_serve). */
	TP_ROWS_CANDIDATE_LIST_SORTED,
	/*
	 * TP_ROWS_VACANCIES's columns then the vacancy's id, without ORDER BY:
	 * ordered by that last column, the rows are TP_ROWS_VACANCIES's
	 * (gpkg.c copies them so: the query is then flattened).  One macro
	 * of query.c writes both.
	 */
	TP_ROWS_VACANCIES_KEYED,
} tp_rowset;

/* The working store as one output sees it. */
typedef struct tp_view tp_view;

/* The rows of one row set, read one at a time. */
typedef struct tp_rows tp_rows;

/*
 * Opens in *out a view of store for a public output (internal == 0: only
 * what published.h lets a public output read) or an internal one (every
 * column, exact figures).  Until tp_view_close(), statements prepared on
 * store are checked by the guard, whoever prepares them.  Returns 0,
 * TP_ERROR (SQLite refused the guard, out of memory) with *out NULL.
 */
int tp_view_open(tp_view **out, sqlite3 *store, int internal);

/* Closes v and lifts its guard; every row set of v must be closed first.  NULL is allowed. */
void tp_view_close(tp_view *v);

/* 1 when the store has a table (or view: vacancies) called name, else 0. */
int tp_view_has_table(tp_view *v, const char *name);

/*
 * The SQL of row set set as v reads it (its internal variant in an
 * internal view), for a statement that copies the rows in bulk on v's
 * connection (gpkgrows.c), under v's guard like any other.
 */
const char *tp_rows_sql(const tp_view *v, tp_rowset set);

/*
 * Opens in *out the rows of set, arg bound to the row sets that take an
 * argument (NULL for the others).  A failure (the guard refusing a private
 * column, a missing table) sets TP_ESTORE with "CONTEXT: cannot read the
 * working store: SQLite's message", or "working store: cannot read WHAT:
 * SQLite's message" when context is NULL, and leaves *out NULL.  The same
 * message comes from tp_rows_next().
 */
int tp_rows_open(tp_rows **out, tp_view *v, tp_rowset set, const char *arg,
		 const char *context);

/* Steps to the next row: 1 on a row, 0 at the end, or TP_ESTORE as tp_rows_open() says. */
int tp_rows_next(tp_rows *r);

/* Starts r over from its first row, with arg bound instead of the previous one. */
void tp_rows_rewind(tp_rows *r, const char *arg);

/* Closes r; NULL is allowed. */
void tp_rows_close(tp_rows *r);

/* 1 when column i of the current row is NULL. */
int tp_rows_null(const tp_rows *r, int i);

/* Column i of the current row as text (NULL for NULL), valid until the next step. */
const char *tp_rows_text(const tp_rows *r, int i);

/* Column i of the current row as an integer (0 for NULL). */
long long tp_rows_int64(const tp_rows *r, int i);

/* Column i of the current row as a real (0 for NULL). */
double tp_rows_double(const tp_rows *r, int i);

/* Column i of the current row as bytes, *len of them (NULL, 0 for NULL), valid until the next step. */
const void *tp_rows_blob(const tp_rows *r, int i, size_t *len);

#endif

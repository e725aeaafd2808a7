/*
 * test_published.c: public outputs cannot read the exact people figures
 * of the working store (outputs/published.c), every row set of the
 * outputs' queries (outputs/query.c) reads only what its view may, and
 * the store's people columns are the categories of geo/categories.h.
 */
#include "geo/categories.h"
#include "geo/error.h"
#include "outputs/outputs.h"
#include "outputs/published.h"
#include "outputs/query.h"
#include "outputs/render.h"
#include "pipeline/store.h"
#include "tests/check.h"
#include "tests/store_fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SQLite's message when sql cannot be prepared on db, or "" when it can. */
static const char *prepare_error(sqlite3 *db, const char *sql)
{
	static char msg[512];
	sqlite3_stmt *st = NULL;

	msg[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return msg;
}

static void a_public_query_reading_an_exact_figure_fails_naming_table_and_column(void)
{
	sqlite3 *db = test_new_store();
	char sql[256], name[128];
	size_t i;

	CHECK(tp_published_begin(db, 0) == 0);
	CHECK_STR(prepare_error(db, "SELECT squat FROM commune_summary"),
		  "access to commune_summary.squat is prohibited");
	CHECK_STR(prepare_error(db, "SELECT c.name_fr, s.people_total FROM communes c"
				    " JOIN commune_summary s USING (nis_code)"),
		  "access to commune_summary.people_total is prohibited");
	CHECK_STR(prepare_error(db, "SELECT nis_code FROM commune_summary WHERE need > 1"),
		  "access to commune_summary.need is prohibited");
	CHECK_STR(prepare_error(db, "SELECT SUM(people) FROM zone_shares"),
		  "access to zone_shares.people is prohibited");
	CHECK_STR(prepare_error(db, "SELECT " TP_ZONE_TOTAL " FROM zones"),
		  "access to zones." TP_ZONE_TOTAL " is prohibited");
	CHECK_STR(prepare_error(db, "SELECT original FROM zones"),
		  "access to zones.original is prohibited");
	CHECK_STR(prepare_error(db, "SELECT v.src_id, o.original FROM vacancies v"
				    " JOIN vacancy_originals o ON o.id = v.id"),
		  "access to vacancy_originals.original is prohibited");
	CHECK_STR(prepare_error(db, "SELECT * FROM zones"), "access to zones.public_space is prohibited");
	for (i = 0; i < TP_NPEOPLE; i++) {
		snprintf(sql, sizeof(sql), "SELECT %s FROM commune_summary", tp_people[i].name);
		snprintf(name, sizeof(name), "commune_summary.%s", tp_people[i].name);
		CHECK_CONTAINS(prepare_error(db, sql), name);
	}
	for (i = 0; i < TP_NCATEGORIES; i++) {
		snprintf(sql, sizeof(sql), "SELECT %s FROM zones", tp_people[i].name);
		snprintf(name, sizeof(name), "zones.%s", tp_people[i].name);
		CHECK_CONTAINS(prepare_error(db, sql), name);
	}
	tp_published_end(db);
	sqlite3_close(db);
}

static void a_public_query_reads_the_published_figures_and_the_other_columns(void)
{
	sqlite3 *db = test_new_store();
	char sql[256];
	size_t i;

	CHECK(tp_published_begin(db, 0) == 0);
	for (i = 0; i < TP_NPEOPLE; i++) {
		snprintf(sql, sizeof(sql), "SELECT %s, %s_label FROM public_communes", tp_people[i].name,
			 tp_people[i].name);
		CHECK_STR(prepare_error(db, sql), "");
		snprintf(sql, sizeof(sql), "SELECT %s, %s_label FROM public_zones", tp_people[i].name,
			 tp_people[i].name);
		CHECK_STR(prepare_error(db, sql), "");
	}
	CHECK_STR(prepare_error(db, "SELECT vacancy_records, empty_dwellings, capacity"
				    " FROM commune_summary"), "");
	CHECK_STR(prepare_error(db, "SELECT zone_id, area, inside_area, outside_area FROM zones"),
		  "");
	CHECK_STR(prepare_error(db, "SELECT nis_code, share FROM zone_shares"), "");
	tp_published_end(db);
	sqlite3_close(db);
}

static void internal_outputs_and_the_stages_read_every_column(void)
{
	sqlite3 *db = test_new_store();

	CHECK(tp_published_begin(db, 1) == 0);
	CHECK_STR(prepare_error(db, "SELECT squat, people_total FROM commune_summary"), "");
	tp_published_end(db);
	CHECK(tp_published_begin(db, 0) == 0);
	tp_published_end(db);
	CHECK_STR(prepare_error(db, "SELECT " TP_ZONE_TOTAL ", original FROM zones"), "");
	CHECK_STR(prepare_error(db, "SELECT original FROM vacancy_originals"), "");
	sqlite3_close(db);
}

static void indicators_csv_is_written_through_the_guard_and_leaves_it_off(void)
{
	sqlite3 *db = test_new_store();
	char path[64];

	snprintf(path, sizeof(path), "test_published-%ld.csv", (long)getpid());
	CHECK(tp_write_csv(db, path) == 0);
	CHECK_STR(prepare_error(db, "SELECT squat FROM commune_summary"), "");
	unlink(path);
	sqlite3_close(db);
}

/*
 * A store whose public_communes, as the writers see it, is a temporary
 * view of commune_summary's exact figures: a writer without the guard
 * would publish them.
 */
static sqlite3 *store_leaking_exact_figures(void)
{
	sqlite3 *db = test_new_store();
	char sql[2048];
	size_t i, used;

	used = (size_t)snprintf(sql, sizeof(sql), "CREATE TEMP VIEW public_communes AS SELECT nis_code");
	for (i = 0; i < TP_NPEOPLE; i++)
		used += (size_t)snprintf(sql + used, sizeof(sql) - used, ", %s, CAST(%s AS TEXT) AS %s_label",
					 tp_people[i].name, tp_people[i].name, tp_people[i].name);
	snprintf(sql + used, sizeof(sql) - used,
		 ", need FROM commune_summary;"
		 "INSERT INTO meta VALUES ('crs', 'EPSG:31370');");
	CHECK(tp_store_exec(db, sql) == 0);
	return db;
}

static void every_public_writer_refuses_the_exact_figures(void)
{
	static const char denied[] = "access to commune_summary.public_space is prohibited";
	tp_gpkg_options gopts = {"people_total", "fr", 0, 1, NULL};
	tp_render_opts ropts = {"people_total", "fr", 5};
	sqlite3 *db = store_leaking_exact_figures();

	CHECK(tp_write_csv(db, "test_published.csv") == TP_ESTORE);
	CHECK_CONTAINS(tp_error_last(), "test_published.csv: cannot read the working store: ");
	CHECK_CONTAINS(tp_error_last(), denied);
	CHECK(tp_write_gpkg(db, "test_published.gpkg", &gopts) == TP_ESTORE);
	CHECK_CONTAINS(tp_error_last(), "test_published.gpkg: layer communes: ");
	CHECK_CONTAINS(tp_error_last(), denied);
	CHECK(tp_write_maps(db, "test_published_maps", &ropts) == TP_ESTORE);
	CHECK_CONTAINS(tp_error_last(), denied);
	CHECK(tp_write_dashboard(db, "test_published.html", &ropts) == TP_ESTORE);
	CHECK_CONTAINS(tp_error_last(), denied);
	CHECK(access("test_published.csv", F_OK) != 0 && access("test_published.gpkg", F_OK) != 0 &&
	      access("test_published.html", F_OK) != 0);
	/* an internal GeoPackage says that its figures are exact: it may read them */
	gopts.internal = 1;
	CHECK(tp_write_gpkg(db, "test_published.gpkg", &gopts) == 0);
	unlink("test_published.gpkg");
	sqlite3_close(db);
}

static void every_row_set_reads_only_what_its_view_may(void)
{
	sqlite3 *db = test_new_store();
	tp_view *view = NULL;
	tp_rows *rows = NULL;
	int internal, set;

	for (internal = 0; internal <= 1; internal++) {
		CHECK(tp_view_open(&view, db, internal) == 0);
		for (set = TP_ROWS_INDICATORS; set <= TP_ROWS_MAP_CANDIDATES; set++) {
			if (tp_rows_open(&rows, view, (tp_rowset)set, "x", NULL)) {
				fprintf(stderr, "row set %d (internal %d): %s\n", set, internal,
					tp_error_last());
				CHECK(0);
			}
			CHECK(tp_rows_next(rows) >= 0);
			tp_rows_close(rows);
			rows = NULL;
		}
		tp_view_close(view);
		view = NULL;
	}
	sqlite3_close(db);
}

static void a_view_guards_the_store_until_it_is_closed(void)
{
	sqlite3 *db = test_new_store();
	tp_view *view = NULL;

	CHECK(tp_view_open(&view, db, 0) == 0);
	CHECK(tp_view_has_table(view, "public_communes"));
	CHECK(!tp_view_has_table(view, "no_such_table"));
	CHECK_STR(prepare_error(db, "SELECT squat FROM commune_summary"),
		  "access to commune_summary.squat is prohibited");
	tp_view_close(view);
	CHECK_STR(prepare_error(db, "SELECT squat FROM commune_summary"), "");
	sqlite3_close(db);
}

/* The original values of the rejects of input, as the rows of a view see them ("" for NULL). */
static const char *rejected_original(sqlite3 *db, int internal, const char *input)
{
	static char got[256];
	tp_view *view = NULL;
	tp_rows *rows = NULL;

	snprintf(got, sizeof(got), "(no row)");
	CHECK(tp_view_open(&view, db, internal) == 0);
	CHECK(tp_rows_open(&rows, view, TP_ROWS_REJECTS, NULL, "test") == 0);
	while (rows && tp_rows_next(rows) > 0)
		if (!strcmp(tp_rows_text(rows, 0), input))
			snprintf(got, sizeof(got), "%s",
				 tp_rows_null(rows, 7) ? "" : tp_rows_text(rows, 7));
	tp_rows_close(rows);
	tp_view_close(view);
	return got;
}

static void a_public_view_leaves_out_the_counts_of_a_rejected_zone(void)
{
	sqlite3 *db = test_new_store();

	CHECK(tp_store_exec(db, "INSERT INTO rejects(input, source_file, layer, src_row, stage,"
				" field, reason, original) VALUES"
				" ('zones', 'z.gpkg', 'zones', 3, 'load', 'squat', 'not a number',"
				" '{\"squat\": \"12\"}'),"
				" ('vacancies', 'v.csv', 'vacancies', 4, 'load', 'x', 'empty',"
				" '{\"x\": \"\"}')") == 0);
	CHECK_STR(rejected_original(db, 0, "zones"), "");
	CHECK_STR(rejected_original(db, 1, "zones"), "{\"squat\": \"12\"}");
	/* no input_stats row: nothing says which value is the owner */
	CHECK_STR(rejected_original(db, 0, "vacancies"), "");
	sqlite3_close(db);
}

static void a_public_view_leaves_out_a_rejected_owner(void)
{
	sqlite3 *db = test_new_store();

	CHECK(tp_store_exec(db, "INSERT INTO input_stats(input, owner_column) VALUES"
				" ('vacancies', 'propri\u00e9taire'), ('communes', NULL),"
				" ('vacancies.2022-12-31', 'a\"b');"
				" INSERT INTO rejects(input, src_row, original) VALUES"
				" ('vacancies', 4, '{\"id\": \"V4\", \"propri\u00e9taire\": \"Jan\","
				" \"dwellings\": \"x\"}'),"
				" ('communes', 2, '{\"nis_code\": \"21001\"}'),"
				" ('vacancies.2022-12-31', 5, '{\"a\\\"b\": \"Jan\"}')") == 0);
	/* the owner's value null, the others as they were */
	CHECK_STR(rejected_original(db, 0, "vacancies"),
		  "{\"id\":\"V4\",\"propri\u00e9taire\":null,\"dwellings\":\"x\"}");
	CHECK_STR(rejected_original(db, 1, "vacancies"),
		  "{\"id\": \"V4\", \"propri\u00e9taire\": \"Jan\", \"dwellings\": \"x\"}");
	/* an input without an owner: as it was */
	CHECK_STR(rejected_original(db, 0, "communes"), "{\"nis_code\": \"21001\"}");
	/* an owner column no JSON path can name: the whole original left out */
	CHECK_STR(rejected_original(db, 0, "vacancies.2022-12-31"), "");
	sqlite3_close(db);
}

static void only_the_people_columns_are_private(void)
{
	CHECK(tp_published_is_private("commune_summary", "third_parties"));
	CHECK(tp_published_is_private("commune_summary", "capacity_share_public"));
	CHECK(!tp_published_is_private("commune_summary", "candidate_dwellings"));
	CHECK(!tp_published_is_private("public_communes", "third_parties"));
	CHECK(!tp_published_is_private("zones", "zone_id"));
	CHECK(!tp_published_is_private("vacancies", "capacity"));
}

int main(void)
{
	a_public_query_reading_an_exact_figure_fails_naming_table_and_column();
	a_public_query_reads_the_published_figures_and_the_other_columns();
	internal_outputs_and_the_stages_read_every_column();
	indicators_csv_is_written_through_the_guard_and_leaves_it_off();
	every_public_writer_refuses_the_exact_figures();
	every_row_set_reads_only_what_its_view_may();
	a_view_guards_the_store_until_it_is_closed();
	a_public_view_leaves_out_the_counts_of_a_rejected_zone();
	a_public_view_leaves_out_a_rejected_owner();
	only_the_people_columns_are_private();
	return check_report("test_published");
}

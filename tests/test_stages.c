/*
 * test_stages.c: the stage table declares what each stage reads and
 * writes, and the runner holds the stages to it (pipeline/stages.c): a
 * stage reading a table no earlier stage writes is refused before the run,
 * and a stage reading or changing a table it does not declare fails with
 * a message naming stage, table and the declaration to fix.
 */
#include "geo/error.h"
#include "outputs/published.h"
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "tests/check.h"
#include "tests/store_fixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TABLES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_AHEAD NULL, NULL, NULL, 0

/* A stage body: runs the SQL its test names on the store. */
static const char *stage_sql;

static int run_sql(tp_run *run)
{
	return tp_store_exec(run->db, stage_sql);
}

/* Reads the exact people total of each commune through the public guard. */
static int run_published(tp_run *run)
{
	int rc = tp_published_begin(run->db, 0);

	if (!rc)
		rc = tp_store_exec(run->db, stage_sql);
	tp_published_end(run->db);
	return rc;
}

static void the_stage_table_declares_a_writer_for_every_table_read(void)
{
	size_t n;
	const tp_stage *s = tp_stages(&n);

	CHECK(tp_stages_check(s, n) == 0);
	CHECK(tp_stage_find("write") + 1 == tp_stage_find("draw"));
}

static void a_stage_reading_a_table_no_earlier_stage_writes_is_refused_naming_it(void)
{
	/* load reads meta, which only it writes: no earlier stage does */
	const tp_stage early[] = {
		{"load", TABLES("meta"), TABLES("meta", "vacancies"), run_sql, "load", NO_AHEAD},
	};
	/* score reads zone_shares before apportion writes it */
	const tp_stage late[] = {
		{"load", NULL, TABLES("meta", "vacancies", "zones"), run_sql, "load", NO_AHEAD},
		{"score", TABLES("vacancies", "zone_shares"), TABLES("vacancies"), run_sql, "score",
		 NO_AHEAD},
		{"apportion", TABLES("zones"), TABLES("zone_shares"), run_sql, "apportion", NO_AHEAD},
	};

	CHECK(tp_stages_check(early, 1) == TP_ERROR);
	CHECK_CONTAINS(tp_error_last(), "stage 'load' reads table 'meta', which no earlier stage writes");
	CHECK(tp_stages_check(late, 3) == TP_ERROR);
	CHECK_CONTAINS(tp_error_last(),
		       "stage 'score' reads table 'zone_shares', which no earlier stage writes");
	/* in order, the same rows pass */
	CHECK(tp_stages_check((const tp_stage[]){late[0], late[2], late[1]}, 3) == 0);
}

static int ahead_none(tp_run *run, sqlite3 *db, void **out)
{
	(void)run, (void)db;
	*out = NULL;
	return 0;
}

static void a_part_ahead_reads_only_what_its_stage_reads(void)
{
	/* score reads zones ahead, though its row does not read them */
	const tp_stage rows[] = {
		{"load", NULL, TABLES("meta", "vacancies", "zones"), run_sql, "load", NO_AHEAD},
		{"score", TABLES("vacancies"), TABLES("meta"), run_sql, "score", TABLES("zones"),
		 ahead_none, free, 0},
	};
	size_t n;
	const tp_stage *s = tp_stages(&n);
	const tp_stage *score = &s[tp_stage_find("score")];

	CHECK(tp_stages_check(rows, 2) == TP_ERROR);
	CHECK_STR(tp_error_last(), "stage table: stage 'score' reads table 'zones' ahead but not"
				   " among its reads; add it to its reads");
	/* the table's own: score reads the vacancies ahead, beside snapshots and protect */
	CHECK(score->ahead && score->ahead_reads && !strcmp(score->ahead_reads[0], "vacancies") &&
	      !score->ahead_reads[1]);
}

static void the_stages_alone_with_the_store_are_those_that_open_no_connection(void)
{
	/* snapshots reads the scored vacancies on a second connection, beside score's part
	 * ahead; write and draw read on theirs: they keep the WAL */
	size_t n, k;
	const tp_stage *s = tp_stages(&n);
	char alone[256] = "";

	for (k = 0; k < n; k++)
		if (s[k].alone)
			snprintf(alone + strlen(alone), sizeof(alone) - strlen(alone), "%s%s",
				 alone[0] ? " " : "", s[k].name);
	CHECK_STR(alone, "load locate score");
}

static void a_stage_reading_an_undeclared_table_fails_naming_stage_table_and_fix(void)
{
	tp_run run = {0};
	const tp_stage peek = {"peek", TABLES("communes"), TABLES("meta"), run_sql, "peek",
			       NO_AHEAD};
	long long n = -1;

	run.db = test_new_store();
	stage_sql = "SELECT COUNT(*) FROM communes c JOIN vacancies v ON v.nis_code = c.nis_code";
	CHECK(tp_stage_run(&run, &peek) == TP_ERROR);
	CHECK_STR(tp_error_last(),
		  "stage 'peek' reads table 'vacancies', which its row of the stage table "
		  "(pipeline/stages.c) does not declare: add 'vacancies' to its reads");
	/* what it declares it may read, and what it writes */
	stage_sql = "SELECT COUNT(*) FROM communes; SELECT value FROM meta;"
		    " INSERT INTO meta(key, value) VALUES ('k', 'v')";
	CHECK(tp_stage_run(&run, &peek) == 0);
	/* the check ends with the stage */
	CHECK(tp_store_int(run.db, &n, "SELECT COUNT(*) FROM vacancies") == 0 && n == 0);
	sqlite3_close(run.db);
}

static void a_stage_changing_a_table_it_does_not_write_fails_naming_it(void)
{
	tp_run run = {0};
	const tp_stage st = {"score", TABLES("vacancies", "zone_shares"), TABLES("vacancies"),
			     run_sql, "score", NO_AHEAD};

	run.db = test_new_store();
	stage_sql = "DELETE FROM zone_shares";
	CHECK(tp_stage_run(&run, &st) == TP_ERROR);
	CHECK_STR(tp_error_last(),
		  "stage 'score' deletes from table 'zone_shares', which its row of the stage "
		  "table (pipeline/stages.c) does not declare: add 'zone_shares' to its writes");
	stage_sql = "INSERT INTO rejects(input) VALUES ('vacancies')";
	CHECK(tp_stage_run(&run, &st) == TP_ERROR);
	CHECK_CONTAINS(tp_error_last(), "stage 'score' inserts into table 'rejects'");
	/* the rows' table of the view vacancies is written as "vacancies" (store.h) */
	stage_sql = "UPDATE " TP_VACANCY_ROWS " SET dwellings = 1";
	CHECK(tp_stage_run(&run, &st) == 0);
	sqlite3_close(run.db);
}

static void both_guards_hold_while_a_public_writer_runs_in_a_stage(void)
{
	tp_run run = {0};
	const tp_stage draw = {"draw", TABLES("communes", "commune_summary", "public_communes"),
			       TABLES(NULL), run_published, "draw", NO_AHEAD};

	run.db = test_new_store();
	/* the stage's declaration: rejects is not among its reads */
	stage_sql = "SELECT COUNT(*) FROM rejects";
	CHECK(tp_stage_run(&run, &draw) == TP_ERROR);
	CHECK_CONTAINS(tp_error_last(), "stage 'draw' reads table 'rejects'");
	/* the public guard: an exact figure of a declared table */
	stage_sql = "SELECT squat FROM commune_summary";
	CHECK(tp_stage_run(&run, &draw) == TP_ERROR);
	CHECK_CONTAINS(tp_error_last(), "access to commune_summary.squat is prohibited");
	stage_sql = "SELECT c.name_fr, p.squat_label, s.capacity FROM communes c"
		    " JOIN public_communes p USING (nis_code) JOIN commune_summary s USING (nis_code)";
	CHECK(tp_stage_run(&run, &draw) == 0);
	sqlite3_close(run.db);
}

/* A stage body: moves vacancy 1, then vacancy 3 (which has no original), to rejects. */
static int run_reject(tp_run *run)
{
	int rc = tp_store_reject_row(run->db, "vacancies", 1, "locate", "geometry", "outside");

	if (!rc)
		rc = tp_store_reject_row(run->db, "vacancies", 3, "locate", "geometry", "outside");
	return rc;
}

static void a_vacancy_moved_to_rejects_takes_its_original_from_its_own_table(void)
{
	tp_run run = {0};
	size_t n;
	const tp_stage *table = tp_stages(&n);
	const tp_stage *loc = &table[tp_stage_find("locate")];
	const tp_stage locate = {"locate", loc->reads, loc->writes, run_reject, "locate", NO_AHEAD};
	const tp_stage narrow = {"locate", loc->reads, TABLES("vacancies", "rejects"), run_reject,
				 "locate", NO_AHEAD};
	long long k = -1;

	run.db = test_new_store();
	CHECK(tp_store_exec(run.db,
			    "INSERT INTO input_stats(input, path, layer) VALUES ('vacancies', 'v.csv', 'v');"
			    " INSERT INTO " TP_VACANCY_ROWS "(id, src_row, src_id) VALUES (1, 2, 'a'), (2, 3, 'b'),"
			    " (3, 4, 'c');"
			    " INSERT INTO vacancy_originals(id, original) VALUES (1, '{\"id\":\"a\"}'),"
			    " (2, '{\"id\":\"b\"}')") == 0);
	/* a stage that does not declare the originals' table cannot move a vacancy */
	CHECK(tp_stage_run(&run, &narrow) == TP_ERROR);
	CHECK_CONTAINS(tp_error_last(), "table '" TP_VACANCY_ORIGINALS "'");
	CHECK(tp_stage_run(&run, &locate) == 0);
	CHECK(tp_store_int(run.db, &k, "SELECT COUNT(*) FROM rejects") == 0 && k == 2);
	CHECK(tp_store_int(run.db, &k, "SELECT src_row FROM rejects WHERE original ="
				       " '{\"id\":\"a\"}' AND source_file = 'v.csv'") == 0 && k == 2);
	CHECK(tp_store_int(run.db, &k, "SELECT COUNT(*) FROM rejects WHERE src_row = 4"
				       " AND original IS NULL") == 0 && k == 1);
	/* the rows left: vacancy 2 and its original, nothing of 1 */
	CHECK(tp_store_int(run.db, &k, "SELECT group_concat(id) FROM vacancies") == 0 && k == 2);
	CHECK(tp_store_int(run.db, &k, "SELECT group_concat(id) FROM vacancy_originals") == 0 &&
	      k == 2);
	sqlite3_close(run.db);
}

/* Sets vacancy id's stored point to x, y (2D little-endian WKB). */
static void set_point(sqlite3 *db, long long id, double x, double y)
{
	unsigned char wkb[21] = {1, 1, 0, 0, 0};
	sqlite3_stmt *st = NULL;

	memcpy(wkb + 5, &x, 8); /* the tests run on little-endian machines (x86-64) */
	memcpy(wkb + 13, &y, 8);
	CHECK(sqlite3_prepare_v2(db, "UPDATE " TP_VACANCY_ROWS " SET geom = ?1 WHERE id = ?2", -1,
				 &st, NULL) == SQLITE_OK);
	sqlite3_bind_blob(st, 1, wkb, sizeof(wkb), SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	CHECK(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
}

/* A kept read: the points of the vacancies (rows.h) as the store holds them. */
static tp_vacancy_points kept(tp_run *run)
{
	tp_vacancy_points p;

	CHECK(tp_rows_vacancy_points(run, &p, 1) == 0);
	return p;
}

static void the_points_kept_for_the_next_stage_are_read_again_after_any_change(void)
{
	tp_run run = {0};
	tp_vacancy_points p, q;
	long long k = -1;

	run.db = test_new_store();
	CHECK(tp_geo_new(&run.g) == 0);
	CHECK(tp_store_exec(run.db, "INSERT INTO " TP_VACANCY_ROWS "(id, src_row, geocode) VALUES"
				    " (1, 2, NULL), (2, 3, NULL), (3, 4, 'exact')") == 0);
	set_point(run.db, 1, 10, 20);
	set_point(run.db, 2, 30, 40);
	set_point(run.db, 3, 50, 60);
	p = kept(&run);
	CHECK(p.n == 3 && p.id[0] == 1 && p.xy[0] == 10 && p.xy[5] == 60);
	CHECK(!p.geocoded[0] && !p.geocoded[1] && p.geocoded[2]);
	/* nothing changed: the same arrays, not a second read */
	q = kept(&run);
	CHECK(q.xy == p.xy && q.n == 3);
	/* another column of the rows changes: still kept */
	CHECK(tp_store_exec(run.db, "UPDATE " TP_VACANCY_ROWS " SET owner = 'x'") == 0);
	q = kept(&run);
	CHECK(q.xy == p.xy);
	/* a geometry changes (a reprojection): read again */
	set_point(run.db, 1, 11, 21);
	p = kept(&run);
	CHECK(p.n == 3 && p.xy[0] == 11 && p.xy[1] == 21);
	/* a row goes (a reject), one comes: read again each time */
	CHECK(tp_store_exec(run.db, "DELETE FROM " TP_VACANCY_ROWS " WHERE id = 2") == 0);
	p = kept(&run);
	CHECK(p.n == 2 && p.id[1] == 3);
	CHECK(tp_store_exec(run.db, "INSERT INTO " TP_VACANCY_ROWS "(id, src_row) VALUES (4, 5)") ==
	      0);
	p = kept(&run);
	CHECK(p.n == 3 && p.id[2] == 4 && isnan(p.xy[4]) && isnan(p.xy[5]));
	/* an id changes: read again */
	CHECK(tp_store_exec(run.db, "UPDATE " TP_VACANCY_ROWS " SET id = 5 WHERE id = 4") == 0);
	p = kept(&run);
	CHECK(p.n == 3 && p.id[2] == 5);
	/* taken (locate): the caller's, and nothing stays kept */
	CHECK(tp_rows_vacancy_points(&run, &q, 0) == 0);
	CHECK(q.xy == p.xy && q.n == 3 && run.points == NULL);
	tp_vacancy_points_free(&q);
	/* forgotten: no trigger left on the connection */
	p = kept(&run);
	CHECK(run.points != NULL);
	tp_rows_points_forget(&run);
	CHECK(run.points == NULL);
	CHECK(tp_store_int(run.db, &k, "SELECT COUNT(*) FROM sqlite_temp_master"
				       " WHERE type = 'trigger'") == 0 && k == 0);
	set_point(run.db, 1, 12, 22);
	sqlite3_close(run.db);
	tp_geo_free(run.g);
}

int main(void)
{
	the_stage_table_declares_a_writer_for_every_table_read();
	a_stage_reading_a_table_no_earlier_stage_writes_is_refused_naming_it();
	a_part_ahead_reads_only_what_its_stage_reads();
	the_stages_alone_with_the_store_are_those_that_open_no_connection();
	a_stage_reading_an_undeclared_table_fails_naming_stage_table_and_fix();
	a_stage_changing_a_table_it_does_not_write_fails_naming_it();
	both_guards_hold_while_a_public_writer_runs_in_a_stage();
	a_vacancy_moved_to_rejects_takes_its_original_from_its_own_table();
	the_points_kept_for_the_next_stage_are_read_again_after_any_change();
	return check_report("test_stages");
}

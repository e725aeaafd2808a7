/*
 * test_pg.c: PostgreSQL connection strings as the config and --db give them
 * (outputs/pg.c): parsed, described without the password, the password
 * masked in the config text the outputs keep, schema names checked.  The
 * server itself is tests/test_postgis.py's.
 */
#include "outputs/pg.h"
#include "tests/check.h"

#include <stdlib.h>

static void connections_are_read_with_or_without_the_config_quotes(void)
{
	char why[256], *conn = NULL;

	CHECK(tp_pg_conn_parse("PG:\"dbname=gis host=db.example\"", &conn, why, sizeof(why)) == 0);
	CHECK_STR(conn, "PG:dbname=gis host=db.example");
	free(conn);
	conn = NULL;
	CHECK(tp_pg_conn_parse("PG:dbname='my db' port=5433", &conn, why, sizeof(why)) == 0);
	CHECK_STR(conn, "PG:dbname='my db' port=5433");
	free(conn);
	conn = NULL;
	CHECK(tp_pg_conn_parse("dbname=gis password=s3cret", &conn, why, sizeof(why)) == -1);
	CHECK_CONTAINS(why, "expected PG:");
	CHECK(tp_pg_conn_parse("PG:dbname", &conn, why, sizeof(why)) == -1);
	CHECK(tp_pg_conn_parse("PG:dbname='gis password=s3cret", &conn, why, sizeof(why)) == -1);
	CHECK(strstr(why, "s3cret") == NULL);
	CHECK(tp_pg_conn_parse("PG:\"\"", &conn, why, sizeof(why)) == -1);
	CHECK(conn == NULL);
}

static void a_connection_is_described_by_database_and_host_never_the_password(void)
{
	char buf[512];

	tp_pg_describe("PG:dbname=gis host=db.example port=5433 user=bob password=s3cret", buf,
		       sizeof(buf));
	CHECK_STR(buf, "database 'gis' on host 'db.example', port 5433");
	setenv("PGHOST", "/run/postgresql", 1);
	setenv("PGDATABASE", "shared", 1);
	unsetenv("PGPORT");
	tp_pg_describe("PG:password='s3 cret'", buf, sizeof(buf));
	CHECK_STR(buf, "database 'shared' on host '/run/postgresql', port 5432");
}

static void passwords_are_masked_in_the_config_text(void)
{
	char *m = tp_pg_mask("[outputs]\ndatabase = PG:\"dbname=t password=hunter2 host=x\"\n"
			     "; password = 'a b\\'c' in a comment\npasswords are words\n");

	CHECK_STR(m, "[outputs]\ndatabase = PG:\"dbname=t password=***** host=x\"\n"
		     "; password = ***** in a comment\npasswords are words\n");
	free(m);
	m = tp_pg_mask("no secret here");
	CHECK_STR(m, "no secret here");
	free(m);
}

static void schema_names_are_plain_identifiers(void)
{
	CHECK(tp_pg_schema_check("tremplin") == 0);
	CHECK(tp_pg_schema_check("tremplin_2024") == 0);
	CHECK(tp_pg_schema_check("Tremplin") == -1);
	CHECK(tp_pg_schema_check("2024") == -1);
	CHECK(tp_pg_schema_check("a\"; DROP SCHEMA public; --") == -1);
	CHECK(tp_pg_schema_check("") == -1);
	CHECK(tp_pg_schema_check("a_name_of_forty_one_characters_is_too_lon") == -1);
}

int main(void)
{
	connections_are_read_with_or_without_the_config_quotes();
	a_connection_is_described_by_database_and_host_never_the_password();
	passwords_are_masked_in_the_config_text();
	schema_names_are_plain_identifiers();
	return check_report("test_pg");
}

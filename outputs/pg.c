/*
 * pg.c: the GeoPackage's layers in a PostGIS schema (pg.h).
 *
 * The layers themselves are gpkg.c's: tp_write_layers runs the same loop
 * over the same row sets (query.h) into a GDAL PostgreSQL dataset, with
 * the driver's options (a GiST index, the primary key fid, the staging
 * schema).  What a database has and a GeoPackage has not is added here:
 * lookup tables and foreign keys for the coded fields (the GeoPackage's
 * field domains), comments, QGIS's layer_styles in its PostgreSQL layout,
 * the dashboard views, and the swap of the staging schema for the previous
 * one.  Every statement is SQL text run by GDAL; values in it are quoted
 * by SQLite's %Q (standard SQL quoting, which PostgreSQL reads the same
 * with standard_conforming_strings, its default) and identifiers are
 * checked names (tp_pg_schema_check) or the writer's own.
 */
#include "outputs/pg.h"
#include "geo/error.h"
#include "outputs/query.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The lookup tables, one per code list a field refers to. */
static const tp_code_list *const code_lists[] = {&tp_owner_types, &tp_reasons,
						 &tp_candidate_flags};

/* Everything one tp_write_pg() call holds. */
typedef struct {
	GDALDatasetH ds;            /* the connection */
	const char *schema;         /* the schema readers see */
	char staging[64];           /* schema_new_PID, where the layers are written */
	char where[600];            /* "database 'D' on host 'H', port P, schema S", for messages */
	char catalog[256];          /* current_database(), for layer_styles */
	const tp_gpkg_options *opts; /* what the config asks */
	int made[COUNT(code_lists)]; /* lookup table of code_lists[i] created */
	sqlite3_str *communes;      /* the communes layer's columns, for commune_indicators */
	int quiet;                  /* -q: no warnings */
} pg;

/* ---- connection strings -------------------------------------------------- */

/*
 * The next keyword = value pair of a libpq connection string at *s: key
 * (of size nk) and value (of size nv, quotes and backslashes undone).
 * Returns 1 on a pair, 0 at the end, -1 when the text is not one.
 */
static int next_pair(const char **s, char *key, size_t nk, char *val, size_t nv)
{
	const char *p = *s;
	size_t k = 0, v = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	while (*p && *p != '=' && !isspace((unsigned char)*p))
		if (k + 1 < nk)
			key[k++] = *p++;
		else
			p++;
	key[k] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != '=' || !k)
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\'') {
		for (p++; *p && *p != '\''; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (v + 1 < nv)
				val[v++] = *p;
		}
		if (*p++ != '\'')
			return -1;
	} else {
		for (; *p && !isspace((unsigned char)*p); p++) {
			if (*p == '\\' && p[1])
				p++;
			if (v + 1 < nv)
				val[v++] = *p;
		}
	}
	val[v] = '\0';
	*s = p;
	return 1;
}

int tp_pg_conn_parse(const char *value, char **out, char *why, size_t n)
{
	char key[64], val[1024], body[4096];
	const char *s;
	size_t len;
	int r;

	if (strncmp(value, "PG:", 3) != 0) {
		snprintf(why, n, "expected PG:\"dbname=... host=...\" (libpq's keywords)");
		return -1;
	}
	value += 3;
	len = strlen(value);
	/* PG:"..." as the README writes it: the quotes are the config's, not libpq's */
	if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
		value++;
		len -= 2;
	}
	if (len >= sizeof(body)) {
		snprintf(why, n, "the connection string is too long");
		return -1;
	}
	memcpy(body, value, len);
	body[len] = '\0';
	for (s = body; (r = next_pair(&s, key, sizeof(key), val, sizeof(val))) > 0;)
		;
	if (r < 0 || !body[0]) {
		snprintf(why, n,
			 "expected keyword=value pairs, e.g. PG:\"dbname=gis host=db.example\"");
		return -1;
	}
	*out = malloc(len + 4);
	if (!*out)
		return -2;
	snprintf(*out, len + 4, "PG:%s", body);
	return 0;
}

int tp_pg_schema_check(const char *name)
{
	size_t i, n = strlen(name);

	if (n < 1 || n > 40 || isdigit((unsigned char)name[0]))
		return -1;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)name[i]) || isdigit((unsigned char)name[i]) ||
		      name[i] == '_'))
			return -1;
	return 0;
}

/* The value of keyword key in conn ("PG:..."), into val; 0 when absent. */
static int conn_value(const char *conn, const char *key, char *val, size_t nv)
{
	const char *s = conn + 3;
	char k[64], v[1024];

	while (next_pair(&s, k, sizeof(k), v, sizeof(v)) > 0)
		if (!strcmp(k, key)) {
			/* a long value is cut to val's size: it only names the
			 * database in a message */
			size_t len = strnlen(v, nv - 1);

			memcpy(val, v, len);
			val[len] = '\0';
			return 1;
		}
	return 0;
}

void tp_pg_describe(const char *conn, char *buf, size_t n)
{
	char db[256], host[256], port[32], user[128];
	const char *env;

	if (!conn_value(conn, "dbname", db, sizeof(db))) {
		env = getenv("PGDATABASE");
		if (!env)
			env = getenv("PGUSER");
		if (!env && conn_value(conn, "user", user, sizeof(user)))
			env = user;
		snprintf(db, sizeof(db), "%s", env ? env : "(libpq's default: your user name)");
	}
	if (!conn_value(conn, "host", host, sizeof(host))) {
		env = getenv("PGHOST");
		snprintf(host, sizeof(host), "%s", env ? env : "(libpq's default: the local socket)");
	}
	if (!conn_value(conn, "port", port, sizeof(port))) {
		env = getenv("PGPORT");
		snprintf(port, sizeof(port), "%s", env ? env : "5432");
	}
	snprintf(buf, n, "database '%s' on host '%s', port %s", db, host, port);
}

char *tp_pg_mask(const char *text)
{
	sqlite3_str *out = sqlite3_str_new(NULL);
	const char *p = text, *hit, *q;
	char *masked, *copy;

	while ((hit = strstr(p, "password")) != NULL) {
		q = hit + 8;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=') {
			sqlite3_str_append(out, p, (int)(q - p));
			p = q;
			continue;
		}
		for (q++; *q == ' ' || *q == '\t'; q++)
			;
		sqlite3_str_append(out, p, (int)(q - p));
		/* the value, quoted or not, becomes five stars whatever its length */
		if (*q == '\'') {
			for (q++; *q && *q != '\'' && *q != '\n'; q++)
				if (*q == '\\' && q[1] && q[1] != '\n')
					q++;
			if (*q == '\'')
				q++;
		} else {
			while (*q && !isspace((unsigned char)*q) && *q != '"')
				q++;
		}
		sqlite3_str_appendall(out, "*****");
		p = q;
	}
	sqlite3_str_appendall(out, p);
	masked = sqlite3_str_finish(out);
	if (!masked)
		return NULL;
	/* free() for the caller, as pg.h says */
	copy = strdup(masked);
	sqlite3_free(masked);
	return copy;
}

/* msg with every occurrence of the password of conn replaced by "*****", into buf. */
static void scrub(const char *conn, const char *msg, char *buf, size_t n)
{
	char pw[1024];
	const char *hit;
	size_t len, o = 0;

	if (!conn_value(conn, "password", pw, sizeof(pw)) || !pw[0]) {
		snprintf(buf, n, "%s", msg);
		return;
	}
	len = strlen(pw);
	buf[0] = '\0';
	while ((hit = strstr(msg, pw)) != NULL && o + 1 < n) {
		o += (size_t)snprintf(buf + o, n - o, "%.*s*****", (int)(hit - msg), msg);
		msg = hit + len;
	}
	if (o + 1 < n)
		snprintf(buf + o, n - o, "%s", msg);
}

/* ---- statements ---------------------------------------------------------- */

/* GDAL's last message, or a default. */
static const char *gdal_why(void)
{
	const char *why = CPLGetLastErrorMsg();

	return why && *why ? why : "the server gave no reason";
}

/*
 * Runs the SQL made from fmt (SQLite's printf: %Q, %w), a statement that
 * returns no rows.  TP_EOUTPUT naming the database and what on failure.
 */
static int sql(pg *p, const char *what, const char *fmt, ...)
{
	char *text;
	va_list ap;
	OGRLayerH res;
	int rc = TP_OK;

	va_start(ap, fmt);
	text = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (!text)
		return tp_error_set(TP_ERROR, "%s: out of memory", p->where);
	CPLErrorReset();
	CPLPushErrorHandler(CPLQuietErrorHandler);
	res = GDALDatasetExecuteSQL(p->ds, text, NULL, NULL);
	CPLPopErrorHandler();
	if (res)
		GDALDatasetReleaseResultSet(p->ds, res);
	if (CPLGetLastErrorType() >= CE_Failure)
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot %s: %s", p->where, what, gdal_why());
	sqlite3_free(text);
	return rc;
}

/*
 * Runs a query and copies the first column of each row, joined by '\n',
 * into *out (sqlite3_free() it; "" when no row).  TP_EOUTPUT as sql().
 */
static int query(pg *p, char **out, const char *what, const char *fmt, ...)
{
	char *text;
	va_list ap;
	OGRLayerH res;
	OGRFeatureH f;
	sqlite3_str *s = sqlite3_str_new(NULL);
	int rc = TP_OK, n = 0;

	*out = NULL;
	va_start(ap, fmt);
	text = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (!text) {
		sqlite3_free(sqlite3_str_finish(s));
		return tp_error_set(TP_ERROR, "%s: out of memory", p->where);
	}
	CPLErrorReset();
	CPLPushErrorHandler(CPLQuietErrorHandler);
	res = GDALDatasetExecuteSQL(p->ds, text, NULL, NULL);
	CPLPopErrorHandler();
	if (!res || CPLGetLastErrorType() >= CE_Failure)
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot %s: %s", p->where, what, gdal_why());
	while (res && !rc && (f = OGR_L_GetNextFeature(res)) != NULL) {
		sqlite3_str_appendf(s, "%s%s", n++ ? "\n" : "",
				    OGR_F_IsFieldSetAndNotNull(f, 0) ? OGR_F_GetFieldAsString(f, 0)
								     : "");
		OGR_F_Destroy(f);
	}
	if (res)
		GDALDatasetReleaseResultSet(p->ds, res);
	sqlite3_free(text);
	*out = sqlite3_str_finish(s);
	if (!rc && !*out)
		*out = sqlite3_mprintf("");
	if (!rc && !*out)
		rc = tp_error_set(TP_ERROR, "%s: out of memory", p->where);
	return rc;
}

/* Opens the connection; TP_EOUTPUT naming database and host, never the password. */
static int connect_to(pg *p, const char *conn)
{
	const char *opts[] = {NULL, NULL};
	char where[512], why[2048], line[2048];
	const char *msg, *nl;
	char schemas[128];

	tp_pg_describe(conn, where, sizeof(where));
	snprintf(p->where, sizeof(p->where), "%s, schema %s", where, p->schema);
	/* only the staging schema is scanned: a shared database may hold thousands of tables */
	snprintf(schemas, sizeof(schemas), "SCHEMAS=%s", p->staging);
	opts[0] = schemas;
	CPLErrorReset();
	CPLPushErrorHandler(CPLQuietErrorHandler);
	p->ds = GDALOpenEx(conn, GDAL_OF_VECTOR | GDAL_OF_UPDATE,
			   (const char *const[]){"PostgreSQL", NULL}, opts, NULL);
	CPLPopErrorHandler();
	if (p->ds)
		return TP_OK;
	/* libpq's reason without GDAL's "PQconnectdb failed." line */
	msg = gdal_why();
	if (!strncmp(msg, "PQconnectdb failed.", 19))
		msg += 19;
	while (*msg == '\n' || *msg == ' ')
		msg++;
	snprintf(line, sizeof(line), "%s", msg);
	for (nl = line + strlen(line); nl > line && (nl[-1] == '\n' || nl[-1] == ' '); nl--)
		;
	line[nl - line] = '\0';
	for (char *c = line; *c; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	scrub(conn, line, why, sizeof(why));
	return tp_error_set(TP_EOUTPUT,
			    "%s: cannot connect: %s; check [outputs] database (or --db), and that the"
			    " server runs and lets you in (a password belongs in ~/.pgpass or"
			    " PGPASSWORD, not the config)",
			    where, why);
}

/* ---- what a database adds to the layers ---------------------------------- */

/* The index in code_lists of list. */
static int list_index(const tp_code_list *list)
{
	int i;

	for (i = 0; i < COUNT(code_lists); i++)
		if (code_lists[i] == list)
			return i;
	return -1;
}

/* The lookup table of list: code, name_fr, name_nl, name (in the run's language). */
static int make_lookup(pg *p, const tp_code_list *list)
{
	int integer = list == &tp_candidate_flags;
	char name[256];
	int rc, j;

	rc = sql(p, "create a lookup table",
		 "CREATE TABLE \"%w\".\"%w_codes\" (code %s PRIMARY KEY, name_fr text NOT NULL,"
		 " name_nl text NOT NULL, name text NOT NULL)",
		 p->staging, list->domain, integer ? "integer" : "text");
	if (!rc)
		rc = sql(p, "comment on a lookup table", "COMMENT ON TABLE \"%w\".\"%w_codes\" IS %Q",
			 p->staging, list->domain, list->description);
	for (j = 0; j < list->n && !rc; j++)
		rc = sql(p, "fill a lookup table",
			 "INSERT INTO \"%w\".\"%w_codes\" VALUES (%Q, %Q, %Q, %Q)", p->staging,
			 list->domain, list->codes[j].code, list->codes[j].fr, list->codes[j].nl,
			 tp_code_name(&list->codes[j], p->opts->language, name, sizeof(name)));
	return rc;
}

/* After each layer, per field: coded fields refer to their lookup table,
 * published labels say what they are. */
static int on_field(void *ctx, const char *layer, const char *field, const tp_code_list *domain)
{
	pg *p = ctx;
	int rc = TP_OK, i;

	if (!strcmp(layer, "communes"))
		sqlite3_str_appendf(p->communes, "%s\"%w\"",
				    sqlite3_str_length(p->communes) ? ", " : "", field);
	if (domain && (i = list_index(domain)) >= 0) {
		if (!p->made[i]) {
			rc = make_lookup(p, domain);
			p->made[i] = 1;
		}
		if (!rc)
			rc = sql(p, "add a foreign key",
				 "ALTER TABLE \"%w\".\"%w\" ADD CONSTRAINT \"%w_%w_fkey\" FOREIGN KEY"
				 " (\"%w\") REFERENCES \"%w\".\"%w_codes\" (code)",
				 p->staging, layer, layer, field, field, p->staging, domain->domain);
		if (!rc)
			rc = sql(p, "comment on a column",
				 "COMMENT ON COLUMN \"%w\".\"%w\".\"%w\" IS '%q: a code of %w_codes'",
				 p->staging, layer, field, domain->description, domain->domain);
	} else if (strlen(field) > 6 && !strcmp(field + strlen(field) - 6, "_label")) {
		rc = sql(p, "comment on a column",
			 "COMMENT ON COLUMN \"%w\".\"%w\".\"%w\" IS 'The figure %.*s as a public"
			 " output shows it: a number, or \"<N\" under the small-cell threshold, or"
			 " \"x\" where it would let a withheld figure be worked out'",
			 p->staging, layer, field, (int)strlen(field) - 6, field);
	}
	return rc;
}

/* The QML text as an SQL literal: dollar-quoted with a tag the text does not hold. */
static char *dollar(const char *text)
{
	char tag[32];
	int i;

	for (i = 0; i < 1000; i++) {
		snprintf(tag, sizeof(tag), "$tp%d$", i);
		if (!strstr(text, tag))
			return sqlite3_mprintf("%s%s%s", tag, text, tag);
	}
	return NULL;
}

/*
 * layer_styles in QGIS's own PostgreSQL layout (its provider's CREATE TABLE),
 * in the staging schema.  QGIS matches a style by database, schema, table,
 * geometry column and type, the layer's geometry type as QGIS names it
 * (Point, Line, Polygon).
 */
#define LAYER_STYLES_COLUMNS                                                                  \
	"(id SERIAL PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar,"          \
	" f_table_name varchar, f_geometry_column varchar, styleName text, styleQML xml,"   \
	" styleSLD xml, useAsDefault boolean, description text,"                            \
	" owner varchar(63) DEFAULT CURRENT_USER, ui xml,"                                  \
	" update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"

static int on_styles(void *ctx, int n, const char *const *layers, char *const *qml,
		     const char *const *what)
{
	pg *p = ctx;
	char *lit = NULL;
	int rc, i;

	rc = sql(p, "create layer_styles", "CREATE TABLE \"%w\".layer_styles " LAYER_STYLES_COLUMNS,
		 p->staging);
	if (!rc)
		rc = sql(p, "comment on layer_styles",
			 "COMMENT ON TABLE \"%w\".layer_styles IS 'Default QGIS styles of the map"
			 " layers, as QGIS stores them (also copied into the layer_styles on the"
			 " search path, where QGIS looks)'",
			 p->staging);
	for (i = 0; i < n && !rc; i++) {
		lit = dollar(qml[i]);
		if (!lit)
			return tp_error_set(TP_ERROR, "%s: out of memory", p->where);
		/* the final schema's name: the rows are read once the swap is done */
		rc = sql(p, "write layer_styles",
			 "INSERT INTO \"%w\".layer_styles (f_table_catalog, f_table_schema,"
			 " f_table_name, f_geometry_column, styleName, styleQML, styleSLD,"
			 " useAsDefault, description, owner, type) VALUES (%Q, %Q, %Q,"
			 /* an attribute table (trends) has no geometry column and no type */
			 " COALESCE((SELECT f_geometry_column FROM geometry_columns WHERE"
			 " f_table_schema = %Q AND f_table_name = %Q), ''), %Q,"
			 " XMLPARSE(DOCUMENT %s), NULL, true, %Q, 'tremplin', (SELECT CASE WHEN type"
			 " LIKE '%%POLYGON' THEN 'Polygon' WHEN type LIKE '%%POINT' THEN 'Point' ELSE"
			 " 'Line' END FROM geometry_columns WHERE f_table_schema = %Q AND f_table_name"
			 " = %Q))",
			 p->staging, p->catalog, p->schema, layers[i], p->staging, layers[i],
			 layers[i], lit, what[i], p->staging, layers[i]);
		sqlite3_free(lit);
	}
	return rc;
}

/* The schema's comment and the dashboard views, once the layers are written. */
static int on_finish(void *ctx, struct tp_view *view)
{
	pg *p = ctx;
	tp_rows *st = NULL;
	char started[64] = "", version[64] = "";
	int rc;

	rc = tp_rows_open(&st, view, TP_ROWS_META, "run_started", p->where);
	if (!rc && tp_rows_next(st) > 0 && tp_rows_text(st, 0))
		snprintf(started, sizeof(started), "%s", tp_rows_text(st, 0));
	if (!rc) {
		tp_rows_rewind(st, "tremplin_version");
		if (tp_rows_next(st) > 0 && tp_rows_text(st, 0))
			snprintf(version, sizeof(version), "%s", tp_rows_text(st, 0));
	}
	tp_rows_close(st);
	if (!rc)
		rc = sql(p, "comment on the schema",
			 "COMMENT ON SCHEMA \"%w\" IS 'tremplin %q, run started %q: people counted"
			 " without a home and empty dwellings, per commune. %s'",
			 p->staging, version, started,
			 p->opts->internal
				 ? "INTERNAL OUTPUT ([outputs] internal = yes): the people figures are"
				   " exact and must not be published."
				 : "People figures protected for publication (see the README, Privacy).");
	if (!rc && sqlite3_str_errcode(p->communes) != SQLITE_OK)
		rc = tp_error_set(TP_ERROR, "%s: out of memory", p->where);
	if (!rc)
		rc = sql(p, "create the view commune_indicators",
			 "CREATE VIEW \"%w\".commune_indicators AS SELECT %s,"
			 " ST_Area(geom) / 1e6 AS area_km2 FROM \"%w\".communes ORDER BY nis_code",
			 p->staging, sqlite3_str_value(p->communes), p->staging);
	if (!rc)
		rc = sql(p, "comment on a view",
			 "COMMENT ON VIEW \"%w\".commune_indicators IS 'One row per commune, the"
			 " figures of the communes layer without its geometry, for dashboards'",
			 p->staging);
	if (!rc)
		rc = sql(p, "create the view candidates_ranked",
			 "CREATE VIEW \"%w\".candidates_ranked AS SELECT c.rank, row_number() OVER"
			 " (PARTITION BY c.nis_code ORDER BY c.rank) AS commune_rank, c.nis_code,"
			 " m.name_fr AS commune_fr, m.name_nl AS commune_nl, c.address, c.owner,"
			 " c.owner_type, o.name AS owner_type_name, c.dwellings, c.capacity,"
			 " c.window_months, c.works_start, c.score, c.src_id, ST_X(c.geom) AS x,"
			 " ST_Y(c.geom) AS y FROM \"%w\".candidates c LEFT JOIN \"%w\".communes m"
			 " ON m.nis_code = c.nis_code LEFT JOIN \"%w\".owner_type_codes o"
			 " ON o.code = c.owner_type WHERE c.rank IS NOT NULL ORDER BY c.rank",
			 p->staging, p->staging, p->staging, p->staging);
	if (!rc)
		rc = sql(p, "comment on a view",
			 "COMMENT ON VIEW \"%w\".candidates_ranked IS 'The candidates by rank, with"
			 " their rank within their commune (commune_rank) and the commune''s names'",
			 p->staging);
	return rc;
}

/* ---- the swap ------------------------------------------------------------ */

/*
 * Copies the schema's default styles into the layer_styles QGIS finds on
 * the search path (created in QGIS's layout when there is none), replacing
 * rows of the same layers and style names: under a savepoint, so that a
 * database that refuses it (no right to create in public) still gets the
 * new schema.  Returns 0, or TP_EOUTPUT when even the savepoint fails.
 */
static int copy_styles(pg *p)
{
	int rc;

	rc = sql(p, "set a savepoint", "SAVEPOINT tremplin_styles");
	if (rc)
		return rc;
	rc = sql(p, "create public.layer_styles",
		 "CREATE TABLE IF NOT EXISTS public.layer_styles " LAYER_STYLES_COLUMNS);
	if (!rc)
		rc = sql(p, "add QGIS's type column to public.layer_styles",
			 "ALTER TABLE public.layer_styles ADD COLUMN IF NOT EXISTS type varchar");
	if (!rc)
		rc = sql(p, "replace the styles in public.layer_styles",
			 "DELETE FROM public.layer_styles l USING \"%w\".layer_styles s WHERE"
			 " l.f_table_catalog = s.f_table_catalog AND l.f_table_schema ="
			 " s.f_table_schema AND l.f_table_name = s.f_table_name AND l.styleName ="
			 " s.styleName",
			 p->schema);
	if (!rc)
		rc = sql(p, "copy the styles into public.layer_styles",
			 "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema,"
			 " f_table_name, f_geometry_column, styleName, styleQML, styleSLD,"
			 " useAsDefault, description, owner, type) SELECT f_table_catalog,"
			 " f_table_schema, f_table_name, f_geometry_column, styleName, styleQML,"
			 " styleSLD, useAsDefault, description, owner, type FROM \"%w\".layer_styles"
			 " ORDER BY id",
			 p->schema);
	if (!rc)
		return sql(p, "release a savepoint", "RELEASE SAVEPOINT tremplin_styles");
	if (!p->quiet)
		fprintf(stderr, "warning: %s: %s\nwarning: the styles stay in %s.layer_styles;"
				" QGIS reads them with %s on its search path\n",
			p->where, tp_error_last(), p->schema, p->schema);
	return sql(p, "roll back to a savepoint", "ROLLBACK TO SAVEPOINT tremplin_styles");
}

/* In one transaction: the previous schema renamed away, the staging one into place, the
 * previous one dropped, the styles copied where QGIS looks. */
static int swap(pg *p)
{
	char old[64], *had = NULL;
	int rc;

	snprintf(old, sizeof(old), "%s_old_%ld", p->schema, (long)getpid());
	CPLErrorReset();
	if (GDALDatasetStartTransaction(p->ds, FALSE) != OGRERR_NONE)
		return tp_error_set(TP_EOUTPUT, "%s: cannot start the swap: %s", p->where,
				    gdal_why());
	rc = query(p, &had, "look for the previous schema",
		   "SELECT nspname FROM pg_namespace WHERE nspname = %Q", p->schema);
	if (!rc && had[0])
		rc = sql(p, "rename the previous schema away", "ALTER SCHEMA \"%w\" RENAME TO \"%w\"",
			 p->schema, old);
	if (!rc)
		rc = sql(p, "rename the new schema into place",
			 "ALTER SCHEMA \"%w\" RENAME TO \"%w\"", p->staging, p->schema);
	if (!rc && had[0])
		rc = sql(p, "drop the previous schema", "DROP SCHEMA \"%w\" CASCADE", old);
	if (!rc)
		rc = copy_styles(p);
	sqlite3_free(had);
	CPLErrorReset();
	if (!rc && GDALDatasetCommitTransaction(p->ds) != OGRERR_NONE)
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot commit the swap: %s", p->where, gdal_why());
	if (rc) {
		CPLPushErrorHandler(CPLQuietErrorHandler);
		GDALDatasetRollbackTransaction(p->ds);
		CPLPopErrorHandler();
	}
	return rc;
}

/* Drops what dead runs left: staging schemas and previous schemas not dropped. */
static int drop_leftovers(pg *p)
{
	char *names = NULL, *name, *next;
	int rc;

	rc = query(p, &names, "list what dead runs left",
		   "SELECT nspname FROM pg_namespace WHERE nspname ~ '^%q_(new|old)_[0-9]+$'"
		   " ORDER BY nspname",
		   p->schema);
	for (name = names; !rc && name && *name; name = next) {
		next = strchr(name, '\n');
		if (next)
			*next++ = '\0';
		rc = sql(p, "drop what a dead run left", "DROP SCHEMA \"%w\" CASCADE", name);
	}
	sqlite3_free(names);
	return rc;
}

int tp_pg_probe(const char *conn, const char *schema)
{
	pg p = {0};
	char *value = NULL;
	int rc;

	GDALAllRegister();
	p.schema = schema;
	snprintf(p.staging, sizeof(p.staging), "%s_new_%ld", schema, (long)getpid());
	rc = connect_to(&p, conn);
	if (!rc)
		rc = query(&p, &value, "find PostGIS (CREATE EXTENSION postgis)",
			   "SELECT postgis_lib_version()");
	sqlite3_free(value);
	if (p.ds) {
		CPLPushErrorHandler(CPLQuietErrorHandler);
		GDALClose(p.ds);
		CPLPopErrorHandler();
	}
	return rc;
}

int tp_write_pg(sqlite3 *store, const char *conn, const char *schema,
		const tp_gpkg_options *opts, int quiet)
{
	pg p = {0};
	char opt_schema[96];
	const char *geom_options[] = {"FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=GIST",
				      "LAUNDER=NO", opt_schema, NULL};
	const char *table_options[] = {"FID=fid", "LAUNDER=NO", opt_schema, NULL};
	tp_layer_target t = {NULL, NULL, geom_options, table_options, 0, &p,
			     on_field, on_styles, on_finish};
	char *value = NULL;
	int rc, locked = 0, staged = 0;

	GDALAllRegister();
	p.schema = schema;
	p.opts = opts;
	p.quiet = quiet;
	snprintf(p.staging, sizeof(p.staging), "%s_new_%ld", schema, (long)getpid());
	snprintf(opt_schema, sizeof(opt_schema), "SCHEMA=%s", p.staging);
	p.communes = sqlite3_str_new(NULL);
	rc = connect_to(&p, conn);
	if (rc)
		goto cleanup;
	rc = query(&p, &value, "find PostGIS (CREATE EXTENSION postgis)",
		   "SELECT postgis_lib_version()");
	if (!rc) {
		sqlite3_free(value);
		rc = query(&p, &value, "take the run's lock",
			   "SELECT pg_try_advisory_lock(hashtext('tremplin ' || %Q))", schema);
	}
	if (!rc && strcmp(value, "1") && strcmp(value, "t") && strcmp(value, "true"))
		rc = tp_error_set(TP_EOUTPUT,
				  "%s: another tremplin run is writing this schema; run again once it"
				  " has ended",
				  p.where);
	locked = !rc;
	if (!rc) {
		sqlite3_free(value);
		rc = query(&p, &value, "read the database's name", "SELECT current_database()");
		if (!rc)
			snprintf(p.catalog, sizeof(p.catalog), "%s", value);
	}
	if (!rc)
		rc = drop_leftovers(&p);
	if (!rc)
		rc = sql(&p, "create the staging schema", "CREATE SCHEMA \"%w\"", p.staging);
	staged = !rc;
	t.ds = p.ds;
	t.where = p.where;
	if (!rc)
		rc = tp_write_layers(store, opts, &t);
	if (!rc)
		rc = swap(&p);
	if (!rc)
		staged = 0;
cleanup:
	if (p.ds) {
		tp_error_state failed = {0};

		/* the failure is the message; the tidying after it is best effort */
		tp_error_save(&failed, rc);
		if (staged)
			sql(&p, "drop the staging schema", "DROP SCHEMA IF EXISTS \"%w\" CASCADE",
			    p.staging);
		if (locked)
			sql(&p, "release the run's lock",
			    "SELECT pg_advisory_unlock(hashtext('tremplin ' || %Q))", schema);
		CPLPushErrorHandler(CPLQuietErrorHandler);
		GDALClose(p.ds);
		CPLPopErrorHandler();
		if (rc)
			tp_error_restore(&failed);
	}
	sqlite3_free(value);
	sqlite3_free(sqlite3_str_finish(p.communes));
	return rc;
}

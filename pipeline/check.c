/*
 * check.c: the check command (check.h).
 *
 * It is the pipeline's own validation, not a second implementation: the
 * stages from load to register (to snapshots with earlier vacancy
 * snapshots, to trends with earlier count editions) run on a working store in memory, and the
 * report is read from that store, so check says exactly what a run would
 * accept and reject.  Inputs are first opened and read whole one by one, so
 * that every unusable input is reported, not only the first, with every
 * value of a coded field it did not understand; with one unusable, the
 * others still go through load and validate.
 */
#include "pipeline/check.h"
#include "pipeline/editions.h"
#include "geo/array.h"
#include "pipeline/rows.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "geo/error.h"
#include "geo/geo.h"
#include "inputs/reader.h"
#include "inputs/text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP_REASONS 8
#define EXAMPLES 3

/* A reject reason with the values that vary taken out: quoted text becomes
 * '…', parenthesised detail is dropped, numbers become N. */
static void reason_pattern(const char *s, char *out, size_t len)
{
	size_t used = 0;
	int depth = 0;

	for (; *s && used + 4 < len; s++) {
		if (*s == '(') {
			if (!depth && used > 0 && out[used - 1] == ' ')
				used--;
			depth++;
			continue;
		}
		if (*s == ')' && depth) {
			depth--;
			continue;
		}
		if (depth)
			continue;
		if (*s == '\'') {
			const char *end = strchr(s + 1, '\'');
			if (end) {
				memcpy(out + used, "'\xe2\x80\xa6'", 5);
				used += 5;
				s = end;
				continue;
			}
		}
		if (isdigit((unsigned char)*s)) {
			while (isdigit((unsigned char)s[1]))
				s++;
			out[used++] = 'N';
			continue;
		}
		out[used++] = *s;
	}
	while (used > 0 && out[used - 1] == ' ')
		used--;
	out[used] = '\0';
}

/* Prints the rejects of one input, grouped by field and reason pattern. */
static int print_rejects(sqlite3 *db, const char *input)
{
	typedef struct {
		char field[64];     /* field */
		char pattern[256];  /* reason pattern */
		long count;         /* rejects */
		long rows[EXAMPLES];   /* example rows */
		char example[512];  /* the first example's full reason */
	} group;
	group *g = NULL;
	size_t n = 0, cap = 0, i, j;
	sqlite3_stmt *st = NULL;
	int rc, step;

	rc = tp_store_prepare(db, &st, "SELECT src_row, COALESCE(field, ''), reason FROM rejects"
				       " WHERE input = ? ORDER BY src_row");
	if (rc)
		return rc;
	sqlite3_bind_text(st, 1, input, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *field = (const char *)sqlite3_column_text(st, 1);
		const char *reason = (const char *)sqlite3_column_text(st, 2);
		char pat[256];
		reason_pattern(reason ? reason : "", pat, sizeof(pat));
		for (i = 0; i < n; i++)
			if (!strcmp(g[i].field, field) && !strcmp(g[i].pattern, pat))
				break;
		if (i == n) {
			if ((rc = tp_array_room(&g, &cap, n, sizeof(*g), 16)))
				break;
			memset(&g[n], 0, sizeof(g[n]));
			snprintf(g[n].field, sizeof(g[n].field), "%s", field);
			snprintf(g[n].pattern, sizeof(g[n].pattern), "%s", pat);
			snprintf(g[n].example, sizeof(g[n].example), "%s", reason ? reason : "");
			n++;
		}
		if (g[i].count < EXAMPLES)
			g[i].rows[g[i].count] = (long)sqlite3_column_int64(st, 0);
		g[i].count++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = tp_error_set(TP_ERROR, "working store: cannot read the rejects of %s: %s", input,
				  sqlite3_errmsg(db));
	sqlite3_finalize(st);
	/* most frequent first; equal counts keep the order of their first row */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && g[j - 1].count < g[j].count; j--) {
			group t = g[j];
			g[j] = g[j - 1];
			g[j - 1] = t;
		}
	if (n)
		printf("  rejected by reason:\n");
	for (i = 0; i < n && i < TOP_REASONS; i++) {
		printf("    %5ld  %s: %s  (row%s", g[i].count, g[i].field, g[i].pattern,
		       g[i].count > 1 ? "s" : "");
		for (j = 0; j < (size_t)g[i].count && j < EXAMPLES; j++)
			printf("%s %ld", j ? "," : "", g[i].rows[j]);
		printf("%s; e.g. row %ld: %s)\n", g[i].count > EXAMPLES ? ", ..." : "", g[i].rows[0],
		       g[i].example);
	}
	if (n > TOP_REASONS) {
		long more = 0;
		for (i = TOP_REASONS; i < n; i++)
			more += g[i].count;
		printf("    %5ld  in %zu other groups\n", more, n - TOP_REASONS);
	}
	free(g);
	return rc;
}

/* Prints the extent of an input's accepted geometries (working CRS). */
static int print_extent(sqlite3 *db, tp_geo *g, const char *input)
{
	double b[4];
	int rc = tp_rows_extent(db, g, input, b);

	if (!rc && b[0] <= b[2])
		printf("  extent (working CRS): x %.1f to %.1f, y %.1f to %.1f\n", b[0], b[2], b[1],
		       b[3]);
	return rc;
}

/* The distinct values a field refused, each with its count. */
typedef struct {
	char (*value)[256];  /* the first spelling of each, as written */
	char (*key)[256];    /* folded, what a mapping matches */
	long *count;         /* rows with it */
	size_t n, cap;       /* values */
} refused;

static int refused_add(refused *v, const char *raw)
{
	char key[256];
	size_t i;

	tp_text_fold(raw, key, sizeof(key), 0);
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->key[i], key)) {
			v->count[i]++;
			return TP_OK;
		}
	if (v->n == v->cap) {
		size_t nc = tp_array_next(v->cap, 16);
		if (tp_array_resize(&v->value, nc, sizeof(*v->value)) ||
		    tp_array_resize(&v->key, nc, sizeof(*v->key)) ||
		    tp_array_resize(&v->count, nc, sizeof(*v->count)))
			return TP_ERROR;
		v->cap = nc;
	}
	snprintf(v->value[v->n], sizeof(v->value[0]), "%s", raw);
	snprintf(v->key[v->n], sizeof(v->key[0]), "%s", key);
	v->count[v->n++] = 1;
	return TP_OK;
}

/* Reads every record of an open input (what the load stage would keep and
 * refuse), prints the distinct values each coded field refused with their
 * counts, and appends the [input.field] lines that map them to paste. */
static int read_all(tp_reader *r, const tp_input_def *def, char *paste, size_t len)
{
	refused v[TP_MAX_FIELDS] = {{0}};
	tp_record rec = {0};
	size_t i, j;
	int got, rc = TP_OK;

	while ((got = tp_reader_next(r, &rec)) == 1 && !rc) {
		for (i = 0; i < def->nfields && !rc; i++)
			if (rec.refused[i] && (def->fields[i].kind == TP_F_OWNER ||
					       def->fields[i].kind == TP_F_REASON ||
					       def->fields[i].kind == TP_F_BOOL))
				rc = refused_add(&v[i], rec.refused[i]);
	}
	if (!rc && got < 0)
		rc = got;
	tp_record_dispose(&rec);
	for (i = 0; i < def->nfields; i++) {
		size_t used = strlen(paste);
		if (v[i].n) {
			printf("  values of %s not understood (%zu):\n", def->fields[i].name, v[i].n);
			snprintf(paste + used, len - used, "[%s.%s]\n", def->name, def->fields[i].name);
		}
		for (j = 0; j < v[i].n; j++) {
			const char *guess = tp_field_guess(&def->fields[i], v[i].value[j]);
			/* a value INI would cut is written folded, which maps the same */
			const char *key = strpbrk(v[i].value[j], "=:;[") ? v[i].key[j]
									   : v[i].value[j];
			printf("    %5ld  '%s'\n", v[i].count[j], v[i].value[j]);
			used = strlen(paste);
			snprintf(paste + used, len - used, "%s = %s\n", key, guess ? guess : "?");
		}
		free(v[i].value);
		free(v[i].key);
		free(v[i].count);
	}
	return rc;
}

/* Opens one input alone, prints what it is and reads all its records;
 * 0 or the failure's code. */
static int describe_input(tp_config *cfg, tp_input_kind kind, char *paste, size_t len)
{
	const tp_input_def *def = tp_input_def_get(kind);
	tp_reader *r = NULL;
	char buf[4096];
	size_t i;
	int rc, missing = 0, mapped = 0;

	printf("%s: %s\n", def->name, cfg->inputs[kind].path);
	rc = tp_reader_open(&r, &cfg->inputs[kind], kind);
	if (rc) {
		printf("  UNUSABLE: %s\n", tp_error_last());
		return rc;
	}
	tp_reader_format(r, buf, sizeof(buf));
	printf("  format: %s, layer %s\n", buf, tp_reader_layer(r));
	printf("  source CRS: %.200s%s\n", tp_reader_crs(r),
	       strlen(tp_reader_crs(r)) > 200 ? "..." : "");
	printf("  fields:");
	for (i = 0; i < def->nfields; i++) {
		const char *col = tp_reader_column(r, i);
		if (col)
			printf("%s %s <- %s", mapped++ ? "," : "", def->fields[i].name, col);
	}
	printf("\n");
	for (i = 0; i < def->nfields; i++)
		if (!tp_reader_column(r, i))
			printf("%s%s", missing++ ? ", " : "  fields without a column: ",
			       def->fields[i].name);
	if (missing)
		printf("\n");
	if (def->points && cfg->inputs[kind].x)
		printf("  coordinates: x <- %s, y <- %s\n", cfg->inputs[kind].x,
		       cfg->inputs[kind].y);
	tp_reader_ignored(r, buf, sizeof(buf));
	printf("  columns ignored: %s\n", buf[0] ? buf : "none");
	rc = read_all(r, def, paste, len);
	tp_reader_free(r);
	if (rc)
		printf("  UNUSABLE: %s\n", tp_error_last());
	return rc;
}

/* Prints the value mappings to paste into the config, when there are. */
static void print_paste(const char *paste)
{
	if (!paste[0])
		return;
	printf("\nvalue mappings to paste into the config (replace each ? with a code; a guess"
	       " after = is to confirm):\n%s", paste);
}

int tp_check(tp_config *cfg)
{
	tp_run run = {0};
	tp_error_state failed = {0}; /* the first failure, printed at the end */
	char paste[16384] = "";
	int skip[TP_IN_COUNT] = {0}; /* the unusable inputs */
	int rc = TP_OK, k, ran, unusable;
	const char *last;
	size_t n, i;
	const tp_stage *stages = tp_stages(&n);

	for (k = 0; k < TP_IN_COUNT; k++) {
		rc = describe_input(cfg, k, paste, sizeof(paste));
		skip[k] = rc != TP_OK;
		tp_error_save(&failed, rc);
	}
	unusable = failed.code != 0;
	rc = tp_geo_new(&run.g);
	if (!rc)
		rc = tp_store_open(&run.db, ":memory:", 0);
	if (rc)
		goto done;
	run.cfg = cfg;
	run.outdir = "(check, in memory)";
	run.quiet = 1;
	/* with an input unusable, the others still go through load to validate;
	 * locating needs them all */
	run.skip = unusable ? skip : NULL;
	/* the earlier count editions are read by the trends stage, the earlier
	 * vacancy snapshots by the snapshots stage */
	last = unusable ? "validate"
	       : cfg->neditions > 1 && tp_stage_find("trends") >= 0 ? "trends"
	       : cfg->nsnapshots && tp_stage_find("snapshots") >= 0 ? "snapshots"
	       : tp_stage_find("register") >= 0 ? "register"
	       : tp_stage_find("apportion") >= 0 ? "apportion" : stages[n - 1].name;
	rc = tp_pipeline_run(&run, NULL, last);
	ran = !rc && !unusable;
	tp_error_save(&failed, rc);
	printf("\n");
	if (tp_store_stage_has_run(run.db, "load")) {
		for (k = 0; k < TP_IN_COUNT; k++) {
			const char *name = tp_input_def_get(k)->name;
			long long nr, na, nj, ns, ge = 0, exact = 0, normalised = 0, nearest = 0;
			char rows[2048];

			if (skip[k])
				continue;
			rc = tp_input_counts(run.db, name, &nr, &na, &nj, &ns, rows, sizeof(rows));
			if (rc)
				break;
			printf("%s: rows read %lld, accepted %lld, rejected %lld", name, nr, na, nj);
			if (ns)
				printf(", skipped %lld (rows %s)", ns, rows);
			printf("%s\n", unusable ? " (load and validate only: an input is unusable)" : "");
			if (ran && na == 0)
				tp_error_save(&failed, tp_error_set(TP_EINPUT,
								    "%s: no row accepted (input '%s')",
								    cfg->inputs[k].path, name));
			if (ran)
				rc = print_extent(run.db, run.g, name);
			if (!rc && tp_input_def_get(k)->points)
				rc = tp_store_int(run.db, &ge, "SELECT COUNT(*) FROM vacancies"
							       " WHERE geocode IS NOT NULL");
			if (!rc && ge)
				rc = tp_store_int(run.db, &exact, "SELECT COUNT(*) FROM vacancies"
								  " WHERE geocode = 'exact'");
			if (!rc && ge)
				rc = tp_store_int(run.db, &normalised, "SELECT COUNT(*) FROM vacancies"
								       " WHERE geocode = 'normalised'");
			if (!rc && ge)
				rc = tp_store_int(run.db, &nearest, "SELECT COUNT(*) FROM vacancies"
								    " WHERE geocode = 'nearest'");
			if (!rc && ge)
				printf("  placed by address: %lld (exact %lld, normalised %lld,"
				       " nearest number %lld)\n",
				       ge, exact, normalised, nearest);
			if (!rc)
				rc = print_rejects(run.db, name);
			if (rc)
				break;
		}
		for (n = 0; ran && !rc && n < cfg->neditions; n++) {
			const tp_edition *e = &cfg->editions[n];
			long long nr, na, nj, ns;
			char name[300];
			if (e->current)
				continue;
			snprintf(name, sizeof(name), "zones.%s", e->label);
			rc = tp_edition_counts(run.db, e, &nr, &na, &nj, &ns);
			if (!rc)
				printf("%s (edition of %s): rows read %lld, accepted %lld, rejected %lld%s\n",
				       name, e->date, nr, na, nj, ns ? ", skipped blank or total rows" : "");
			if (!rc)
				rc = print_rejects(run.db, name);
		}
		for (n = 0; ran && !rc && n < cfg->nsnapshots; n++) {
			const tp_snapshot_cfg *sn = &cfg->snapshots[n];
			long long nr, na, nj, ns;
			char name[64];
			snprintf(name, sizeof(name), "vacancies.%s", sn->date);
			rc = tp_snapshot_counts(run.db, sn, &nr, &na, &nj, &ns);
			if (!rc)
				printf("%s (snapshot of %s, %s): rows read %lld, accepted %lld, rejected %lld",
				       name, sn->date, sn->in.path, nr, na, nj);
			if (!rc && ns)
				printf(", skipped %lld blank or total rows", ns);
			if (!rc)
				printf("\n");
			if (!rc)
				rc = print_rejects(run.db, name);
		}
		/* the register and the indicator tables, checked by the register stage */
		if (!rc && ran)
			rc = tp_register_summary(run.db);
		if (!rc && ran && cfg->occupations.path)
			rc = print_rejects(run.db, "occupations");
		for (i = 0; !rc && ran && i < cfg->nindicators; i++) {
			char input[128];
			snprintf(input, sizeof(input), "indicators.%s", cfg->indicators[i].name);
			rc = print_rejects(run.db, input);
		}
		tp_error_save(&failed, rc);
	}
	print_paste(paste);
	rc = tp_error_restore(&failed);
	printf("check: %s\n", rc ? "not usable" : "usable");
	if (rc && !unusable) /* an unusable input's reason is under it already */
		printf("  %s\n", tp_error_last());
done:
	if (run.db) {
		tp_rows_points_forget(&run);
		sqlite3_close(run.db);
	}
	tp_geo_free(run.g);
	return rc;
}

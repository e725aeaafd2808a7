/*
 * main.c: the tremplin command, a thin shell over the pipeline.
 *
 * GDAL's general options (--config KEY VALUE, --debug, ...) are handled by
 * GDALGeneralCmdLineProcessor; --version and --help are tremplin's own, and
 * each command's options are declared in the commands table below.
 * Only this file exits; the exit status says which kind of failure it was
 * (see error.h and the README).
 */
#include "geo/error.h"
#include "geo/geo.h"
#include "demo/demo.h"
#include "pipeline/check.h"
#include "pipeline/commands.h"
#include "pipeline/config.h"
#include "pipeline/outset.h"
#include "pipeline/stages.h"
#include "outputs/pg.h"
#include "pipeline/store.h"
#include "version.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdal.h>
#include <cpl_conv.h>
#include <ogr_srs_api.h>
#include <cpl_string.h>

/*
 * The options, GDAL's apps' way: each command declares in the table below
 * the options it takes and those it cannot go without.  An option a
 * command does not take, a missing value or a number that is not one is a
 * usage error (exit 2) naming the option, the value and the command.
 */
enum opt_id {
	O_CONFIG,       /* -c CONFIG */
	O_OUTDIR,       /* -o OUTDIR: run, demo, map */
	O_OUTFILE,      /* -o FILE: join, apportion */
	O_FROM,         /* --from STAGE */
	O_UNTIL,        /* --until STAGE */
	O_NO_MAPS,      /* --no-maps */
	O_NO_DASHBOARD, /* --no-dashboard */
	O_SEED,         /* --seed N */
	O_RECORDS,      /* --records N: demo */
	O_KEY,          /* --key FIELD */
	O_VALUE,        /* --value FIELD */
	O_THREADS,      /* --threads N */
	O_LAYER1,       /* --layer1 L */
	O_LAYER2,       /* --layer2 L */
	O_X,            /* --x COLUMN */
	O_Y,            /* --y COLUMN */
	O_S_SRS,        /* --s_srs CRS */
	O_LCO,          /* --lco NAME=VALUE, repeatable */
	O_WAIT,         /* --wait: run, demo, map */
	O_DB,           /* --db CONN: run, demo */
	O_QUIET,        /* -q: every command takes it */
	O_END           /* ends a command's list; the number of options */
};

/* How an option's value is read. */
enum opt_kind {
	K_FLAG,   /* no value */
	K_TEXT,   /* one value, as given; the last one given wins */
	K_LIST,   /* one value per use, kept in order */
	K_COUNT,  /* a whole number >= 1 */
	K_NUMBER, /* a whole number >= 0 */
};

static const struct option {
	const char *name;   /* long form */
	const char *alias;  /* short form, NULL: none */
	enum opt_kind kind; /* how its value is read */
	const char *arg;    /* its value in usage lines, NULL for a flag */
	const char *help;   /* one line of `tremplin COMMAND --help` */
} options[O_END] = {
	[O_CONFIG] = {"--config-file", "-c", K_TEXT, "CONFIG", "the config file (INI)"},
	[O_OUTDIR] = {"--output", "-o", K_TEXT, "OUTDIR", "the output folder (created when missing)"},
	[O_OUTFILE] = {"--output", "-o", K_TEXT, "FILE", "the output file (- or none: standard output)"},
	[O_FROM] = {"--from", NULL, K_TEXT, "STAGE",
		    "start at STAGE; the earlier stages have run in OUTDIR"},
	[O_UNTIL] = {"--until", NULL, K_TEXT, "STAGE", "stop after STAGE"},
	[O_NO_MAPS] = {"--no-maps", NULL, K_FLAG, NULL, "draw no maps (overrides [outputs] maps)"},
	[O_NO_DASHBOARD] = {"--no-dashboard", NULL, K_FLAG, NULL,
			    "write no dashboard (overrides [outputs] dashboard)"},
	[O_SEED] = {"--seed", NULL, K_NUMBER, "N", "the demo generator's seed (default 20241107)"},
	[O_RECORDS] = {"--records", NULL, K_COUNT, "N",
		       "N vacancy records, not 600 (benchmarks; no address column past 600)"},
	[O_KEY] = {"--key", NULL, K_TEXT, "FIELD", "the polygons' key field (default: the FID)"},
	[O_VALUE] = {"--value", NULL, K_TEXT, "FIELD", "the sources' numeric field to share"},
	[O_THREADS] = {"--threads", NULL, K_COUNT, "N", "worker threads (default: all cores)"},
	[O_LAYER1] = {"--layer1", NULL, K_TEXT, "L", "layer of the first file (default: its first)"},
	[O_LAYER2] = {"--layer2", NULL, K_TEXT, "L", "layer of the second file (default: its first)"},
	[O_X] = {"--x", NULL, K_TEXT, "COLUMN", "the points' x (or longitude) column, for a table"},
	[O_Y] = {"--y", NULL, K_TEXT, "COLUMN", "the points' y (or latitude) column, for a table"},
	[O_S_SRS] = {"--s_srs", NULL, K_TEXT, "CRS",
		     "the points' CRS (default: the layer's), e.g. EPSG:31370"},
	[O_LCO] = {"--lco", NULL, K_LIST, "NAME=VALUE",
		   "GeoPackage layer creation option (SPATIAL_INDEX=NO: no spatial index)"},
	[O_WAIT] = {"--wait", NULL, K_FLAG, NULL,
		    "when another run writes into OUTDIR, wait for it to end (else: exit 5)"},
	[O_DB] = {"--db", NULL, K_TEXT, "CONN",
		  "also write the layers into this PostGIS database (PG:\"dbname=... host=...\")"},
	[O_QUIET] = {"--quiet", "-q", K_FLAG, NULL, "print nothing but errors"},
};

/* What the command line gave, by option. */
struct cli {
	const char *text[O_END];     /* K_TEXT values, NULL when not given */
	unsigned long number[O_END]; /* K_COUNT and K_NUMBER values */
	int given[O_END];            /* how many times each option was given */
	char **list[O_END];          /* K_LIST values (CSL), NULL when not given */
	const char *pos[2];          /* the command's positional arguments */
	int npos;                    /* how many of them */
};

/* mkdir -p */
static int make_dirs(const char *path)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return tp_error_set(TP_EOUTPUT, "%s: bad folder name", path);
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];
			buf[i] = '\0';
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				return tp_error_set(TP_EOUTPUT, "%s: cannot create folder: %s", buf,
						    strerror(errno));
			buf[i] = c;
		}
	}
	return TP_OK;
}

/* The lock of the output folder this command writes into, -1 until taken. */
static int outdir_lock = -1;

/* Creates outdir when missing and takes its lock (pipeline/outset.h) for
 * the rest of the command, waiting for another run when c says --wait;
 * once taken, again is a no-op. */
static int claim(const struct cli *c, const char *outdir)
{
	int rc;

	if (outdir_lock >= 0)
		return TP_OK;
	rc = make_dirs(outdir);
	return rc ? rc : tp_outset_lock(&outdir_lock, outdir, c->given[O_WAIT], c->given[O_QUIET]);
}

/* Prints a NULL-terminated list of tables, "-" when empty. */
static void print_tables(const char *const *t)
{
	if (!*t)
		printf("-");
	for (; *t; t++)
		printf("%s%s", *t, t[1] ? ", " : "");
	printf("\n");
}

static void list_stages(void)
{
	size_t i, n;
	const tp_stage *s = tp_stages(&n);

	for (i = 0; i < n; i++) {
		printf("%zu. %-10s %s\n   %-10s reads:  ", i + 1, s[i].name, s[i].what, "");
		print_tables(s[i].reads);
		printf("   %-10s writes: ", "");
		print_tables(s[i].writes);
		/* its part that reads beside the stages before it (stages.h) */
		if (s[i].ahead) {
			printf("   %-10s ahead:  ", "");
			print_tables(s[i].ahead_reads);
		}
	}
}

/* 1 when the stage called name is between from and until (NULL: first, last). */
static int in_range(const char *name, const char *from, const char *until)
{
	size_t n;
	int k = tp_stage_find(name);

	tp_stages(&n);
	return k >= (from ? tp_stage_find(from) : 0) &&
	       k <= (until ? tp_stage_find(until) : (int)n - 1);
}

/*
 * 1 when the vacancy files (the scored one and the earlier snapshots) add
 * up to 4 MiB or more, some 50,000 records: the working store is then
 * created with large pages (tp_store_open).
 */
static int big_inputs(const tp_config *cfg)
{
	const char *path = cfg->inputs[TP_IN_VACANCIES].path;
	struct stat sb;
	off_t bytes = path && stat(path, &sb) == 0 ? sb.st_size : 0;
	size_t i;

	for (i = 0; i < cfg->nsnapshots; i++)
		if (cfg->snapshots[i].in.path && stat(cfg->snapshots[i].in.path, &sb) == 0)
			bytes += sb.st_size;
	return bytes >= ((off_t)4 << 20);
}

/* Runs the pipeline for an already loaded config. */
static int run_pipeline(const struct cli *c, tp_config *cfg, const char *outdir,
			const char *from, const char *until, int quiet)
{
	tp_run run = {0};
	char path[4096];
	int rc, attempt;

	rc = claim(c, outdir);
	/* a database that cannot be written stops the run now, not after its stages */
	if (!rc && cfg->database && in_range("database", from, until))
		rc = tp_pg_probe(cfg->database, cfg->schema ? cfg->schema : TP_PG_SCHEMA);
	if (rc)
		return rc;
	rc = tp_geo_new(&run.g);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/work.sqlite", outdir);
	tp_store_was_damaged();
	for (attempt = 0;; attempt++) {
		rc = tp_store_open(&run.db, path, big_inputs(cfg));
		if (!rc) {
			run.cfg = cfg;
			run.outdir = outdir;
			run.quiet = quiet;
			run.threads = c->given[O_THREADS] ? (int)c->number[O_THREADS] : 0;
			rc = tp_pipeline_run(&run, from, until);
		}
		if (run.db)
			sqlite3_close(run.db);
		run.db = NULL;
		/* a run from load builds a damaged store anew (store.h), once; with
		 * --from, the message says to run so */
		if (!rc || attempt || !tp_store_was_damaged() || !in_range("load", from, until))
			break;
		fprintf(stderr, "tremplin: warning: %s is damaged (a system crash or power loss during"
			" a run can leave it so); building it anew\n", path);
		rc = tp_store_remove(path);
		if (rc)
			break;
	}
	tp_geo_free(run.g);
	if (!rc && !quiet && in_range("write", from, until))
		printf("outputs: %s/tremplin.gpkg, %s/indicators.csv\n", outdir, outdir);
	if (!rc && !quiet && in_range("draw", from, until)) {
		if (cfg->maps)
			printf("maps: %s/maps/overview.pdf, %s/maps/atlas.pdf\n", outdir, outdir);
		if (cfg->dashboard)
			printf("dashboard: %s/dashboard.html\n", outdir);
	}
	if (!rc && !quiet && cfg->database && in_range("database", from, until)) {
		tp_pg_describe(cfg->database, path, sizeof(path));
		printf("database: schema %s of %s\n", cfg->schema ? cfg->schema : TP_PG_SCHEMA, path);
	}
	return rc;
}

/*
 * tremplin map: the draw stage alone (run --from draw --until draw), on a
 * working store whose earlier stages have all run; the messages say to
 * run the pipeline first, not to change --from, which map does not take.
 */
static int redraw(const struct cli *c, tp_config *cfg, const char *outdir, int quiet)
{
	const char *missing = NULL;
	sqlite3 *db = NULL;
	char path[4096];
	struct stat sb;
	int rc;

	snprintf(path, sizeof(path), "%s/work.sqlite", outdir);
	if (stat(path, &sb) != 0)
		return tp_error_set(TP_ESTORE, "%s: no working store; run 'tremplin run -c %s -o %s'"
				    " first", path, cfg->path, outdir);
	rc = claim(c, outdir);
	if (!rc)
		rc = tp_store_open(&db, path, 0);
	if (!rc)
		missing = tp_pipeline_missing(db, "draw");
	if (db)
		sqlite3_close(db);
	if (!rc && missing)
		rc = tp_error_set(TP_ESTORE, "%s: stage '%s' has not run; run 'tremplin run -c %s"
				  " -o %s' first", path, missing, cfg->path, outdir);
	return rc ? rc : run_pipeline(c, cfg, outdir, "draw", "draw", quiet);
}

/* Loads the config at path and runs the pipeline as the command line says. */
static int run_config(const struct cli *c, tp_config *cfg, const char *path)
{
	int rc = tp_config_load(cfg, path);

	if (rc)
		return rc;
	/* the command line overrides [outputs] maps and dashboard */
	cfg->maps = cfg->maps && !c->given[O_NO_MAPS];
	cfg->dashboard = cfg->dashboard && !c->given[O_NO_DASHBOARD];
	if (c->text[O_DB]) {
		char why[256];
		if (tp_config_database(cfg, "database", c->text[O_DB], why, sizeof(why)))
			return tp_error_set(TP_EUSAGE, "--db: %s", why);
	}
	return run_pipeline(c, cfg, c->text[O_OUTDIR], c->text[O_FROM], c->text[O_UNTIL],
			    c->given[O_QUIET]);
}

static int cmd_run(const struct cli *c, tp_cmd_opts *copts, tp_config *cfg)
{
	(void)copts;
	return run_config(c, cfg, c->text[O_CONFIG]);
}

static int cmd_demo(const struct cli *c, tp_cmd_opts *copts, tp_config *cfg)
{
	unsigned long seed = c->given[O_SEED] ? c->number[O_SEED] : 20241107;
	char dir[4096], ini[4200];
	int rc;

	(void)copts;
	snprintf(dir, sizeof(dir), "%s/inputs", c->text[O_OUTDIR]);
	rc = claim(c, c->text[O_OUTDIR]);
	if (!rc)
		rc = make_dirs(dir);
	if (!rc)
		rc = tp_demo_write(dir, seed,
				   c->given[O_RECORDS] ? (long)c->number[O_RECORDS] : 0);
	if (rc)
		return rc;
	if (!c->given[O_QUIET])
		printf("demo inputs: %s (schematic region, seed %lu)\n", dir, seed);
	snprintf(ini, sizeof(ini), "%s/tremplin.ini", dir);
	return run_config(c, cfg, ini);
}

static int cmd_map(const struct cli *c, tp_cmd_opts *copts, tp_config *cfg)
{
	int rc = tp_config_load(cfg, c->text[O_CONFIG]);

	(void)copts;
	return rc ? rc : redraw(c, cfg, c->text[O_OUTDIR], c->given[O_QUIET]);
}

static int cmd_check(const struct cli *c, tp_cmd_opts *copts, tp_config *cfg)
{
	int rc = tp_config_load(cfg, c->text[O_CONFIG]);

	(void)copts;
	return rc ? rc : tp_check(cfg);
}

static int cmd_stages(const struct cli *c, tp_cmd_opts *copts, tp_config *cfg)
{
	(void)c, (void)copts, (void)cfg;
	list_stages();
	return TP_OK;
}

/* The options join and apportion share, from the command line. */
static void file_opts(const struct cli *c, tp_cmd_opts *o)
{
	o->key = c->text[O_KEY];
	o->layer1 = c->text[O_LAYER1];
	o->layer2 = c->text[O_LAYER2];
	o->x = c->text[O_X];
	o->y = c->text[O_Y];
	o->s_srs = c->text[O_S_SRS];
	o->value = c->text[O_VALUE];
	o->out = c->text[O_OUTFILE];
	o->quiet = c->given[O_QUIET];
}

static int cmd_join(const struct cli *c, tp_cmd_opts *copts, tp_config *cfg)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	(void)cfg;
	file_opts(c, copts);
	copts->threads = c->given[O_THREADS] ? (int)c->number[O_THREADS]
		       : cores > 1 && cores <= INT_MAX ? (int)cores : 1;
	return tp_cmd_join(c->pos[0], c->pos[1], copts);
}

static int cmd_apportion(const struct cli *c, tp_cmd_opts *copts, tp_config *cfg)
{
	(void)cfg;
	file_opts(c, copts);
	return tp_cmd_apportion(c->pos[0], c->pos[1], copts);
}

/* The commands: what each takes, needs and runs.  Synopsis and help lines
 * break at '\n'; the usage indents what follows. */
static const struct command {
	const char *name;         /* as typed */
	const char *synopsis;     /* its usage line(s), after "tremplin " */
	const char *what;         /* what it does */
	int npos;                 /* positional arguments it needs */
	const char *pos;          /* what they are, for the error when missing */
	const enum opt_id *takes; /* options it takes, up to O_END (-q: all take it) */
	const enum opt_id *needs; /* options it cannot go without, up to O_END */
	int (*run)(const struct cli *c, tp_cmd_opts *copts, tp_config *cfg); /* < 0: TP_E* */
} commands[] = {
	{"run",
	 "run -c CONFIG -o OUTDIR [--from STAGE] [--until STAGE] [--no-maps]\n"
	 "[--no-dashboard] [--db CONN] [--threads N] [--wait] [-q]",
	 "run the pipeline (or part of it) on the inputs named in CONFIG", 0, NULL,
	 (const enum opt_id[]){O_CONFIG, O_OUTDIR, O_FROM, O_UNTIL, O_NO_MAPS, O_NO_DASHBOARD,
			       O_DB, O_THREADS, O_WAIT, O_END},
	 (const enum opt_id[]){O_CONFIG, O_OUTDIR, O_END}, cmd_run},
	{"demo",
	 "demo -o OUTDIR [--seed N] [--records N] [--from STAGE] [--until STAGE]\n"
	 "[--no-maps] [--no-dashboard] [--db CONN] [--threads N] [--wait] [-q]",
	 "write a schematic demo region into OUTDIR/inputs and run it", 0, NULL,
	 (const enum opt_id[]){O_OUTDIR, O_SEED, O_RECORDS, O_FROM, O_UNTIL, O_NO_MAPS,
			       O_NO_DASHBOARD, O_DB, O_THREADS, O_WAIT, O_END},
	 (const enum opt_id[]){O_OUTDIR, O_END}, cmd_demo},
	{"map", "map -c CONFIG -o OUTDIR [--wait] [-q]",
	 "the draw stage alone: maps and dashboard again from the working store", 0, NULL,
	 (const enum opt_id[]){O_CONFIG, O_OUTDIR, O_WAIT, O_END},
	 (const enum opt_id[]){O_CONFIG, O_OUTDIR, O_END}, cmd_map},
	{"join",
	 "join POLYGONS POINTS [--key FIELD] [--threads N] [--layer1 L] [--layer2 L]\n"
	 "[--x COLUMN --y COLUMN] [--s_srs CRS]\n"
	 "[-o COUNTS.csv | -o LOCATED.gpkg [--lco NAME=VALUE]...] [-q]",
	 "count the points in each polygon (address-scale: millions of points);\n"
	 "a .gpkg output holds the polygons with their counts and every point\n"
	 "with its polygon (--lco SPATIAL_INDEX=NO: without the spatial index);\n"
	 "POINTS may be a CSV or spreadsheet with coordinate columns (--x, --y)",
	 2, "two files, POLYGONS POINTS",
	 (const enum opt_id[]){O_KEY, O_THREADS, O_LAYER1, O_LAYER2, O_X, O_Y, O_S_SRS, O_OUTFILE,
			       O_LCO, O_END},
	 (const enum opt_id[]){O_END}, cmd_join},
	{"apportion",
	 "apportion SOURCES TARGETS --value FIELD [--key FIELD] [--layer1 L] [--layer2 L]\n"
	 "[-o OUT.csv] [-q]",
	 "share the sources' FIELD over the targets by area", 2, "two files, SOURCES TARGETS",
	 (const enum opt_id[]){O_VALUE, O_KEY, O_LAYER1, O_LAYER2, O_OUTFILE, O_END},
	 (const enum opt_id[]){O_VALUE, O_END}, cmd_apportion},
	{"check", "check -c CONFIG",
	 "read and validate every input, print a report per input; writes nothing", 0, NULL,
	 (const enum opt_id[]){O_CONFIG, O_END}, (const enum opt_id[]){O_CONFIG, O_END},
	 cmd_check},
	{"stages", "stages", "list the stages, what each reads and writes", 0, NULL,
	 (const enum opt_id[]){O_END}, (const enum opt_id[]){O_END}, cmd_stages},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char global_usage[] =
	"Usage: tremplin [--help] [--version] [--config KEY VALUE] [--debug on|off] [-q]\n"
	"                COMMAND [OPTIONS]\n"
	"\n"
	"Puts the homelessness count and empty social dwellings of the Brussels-Capital\n"
	"Region on one map and finds buildings that could host a temporary occupation.\n";

static const char global_tail[] =
	"\n"
	"Outputs in OUTDIR: tremplin.gpkg, indicators.csv, maps/ (overview and atlas),\n"
	"dashboard.html, run.json (the run and its outputs' checksums), work.sqlite\n"
	"(working store); with several count editions ([zones.LABEL]) trends.csv and\n"
	"maps/change.*.\n"
	"Exit status: 0 ok, 1 internal error, 2 usage, 3 config, 4 unusable input,\n"
	"5 output not written (disk full, read-only, OUTDIR in use by another run),\n"
	"6 working store lacks an earlier stage.\n";

/* Prints text, each line after the first indented by indent spaces. */
static void print_indented(const char *text, int indent)
{
	for (; *text; text++) {
		putchar(*text);
		if (*text == '\n')
			printf("%*s", indent, "");
	}
	putchar('\n');
}

/* `tremplin --help`: every command. */
static void print_usage(void)
{
	size_t i;

	fputs(global_usage, stdout);
	printf("\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		printf("  ");
		print_indented(commands[i].synopsis, 6);
		printf("        ");
		print_indented(commands[i].what, 8);
	}
	fputs(global_tail, stdout);
}

/* `tremplin COMMAND --help`: its synopsis and each option it takes. */
static void print_command_usage(const struct command *cmd)
{
	const enum opt_id *o;

	printf("Usage: tremplin ");
	print_indented(cmd->synopsis, 16);
	printf("\n");
	print_indented(cmd->what, 0);
	if (*cmd->takes != O_END)
		printf("\nOptions:\n");
	for (o = cmd->takes; *o != O_END; o++) {
		const struct option *op = &options[*o];
		char left[64];

		snprintf(left, sizeof(left), "%s%s%s%s%s", op->alias ? op->alias : "",
			 op->alias ? ", " : "", op->name, op->arg ? " " : "", op->arg ? op->arg : "");
		printf("  %-26s %s\n", left, op->help);
	}
	printf("\nGlobal options: -q, --quiet; --help; --version; --config KEY VALUE;"
	       " --debug on|off\n");
}

/* Prints "tremplin: MESSAGE" and where to find help (cmd's, or the general
 * one when NULL); returns the usage exit status. */
static int usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tremplin: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'tremplin %s%s--help'.\n", cmd ? cmd->name : "", cmd ? " " : "");
	return TP_EXIT_USAGE;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* The option arg names among those cmd takes (-q among them), or O_END. */
static enum opt_id find_option(const struct command *cmd, const char *arg)
{
	const enum opt_id *o;

	if (!strcmp(arg, options[O_QUIET].name) || !strcmp(arg, options[O_QUIET].alias))
		return O_QUIET;
	for (o = cmd->takes; *o != O_END; o++)
		if (!strcmp(arg, options[*o].name) ||
		    (options[*o].alias && !strcmp(arg, options[*o].alias)))
			return *o;
	return O_END;
}

/* Reads s, a whole number in decimal digits only, into *out when it lies
 * from min to max.  Returns 0, -1 when s is not a whole number or is under
 * min, -2 when it is over max. */
static int parse_whole(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || (!errno && v < min))
		return -1;
	if (errno || v > max)
		return -2;
	*out = v;
	return 0;
}

/* Stores v, the value of option id (given as arg), as its kind says.
 * Returns 0, or the usage exit status when v is not what it should be. */
static int set_option(struct cli *c, const struct command *cmd, const char *arg, enum opt_id id,
		      const char *v)
{
	enum opt_kind kind = options[id].kind;
	unsigned long min = kind == K_COUNT, max = kind == K_COUNT ? INT_MAX : ULONG_MAX;

	if (kind == K_TEXT)
		c->text[id] = v;
	else if (kind == K_LIST)
		c->list[id] = CSLAddString(c->list[id], v);
	else if (kind != K_FLAG) {
		int rc = parse_whole(v, min, max, &c->number[id]);

		if (rc == -1)
			return usage_error(cmd, "%s %s: expected a whole number, %lu or more", arg, v, min);
		if (rc == -2)
			return usage_error(cmd, "%s %s: too large (at most %lu)", arg, v, max);
	}
	c->given[id]++;
	return 0;
}

/* Reads the command line args[1..n-1] into c: -q, then the command, then
 * the command's options and positional arguments in any order.  Returns 0
 * with *out the command, or the usage exit status after printing why. */
static int parse(struct cli *c, const struct command **out, char **args, int n)
{
	const struct command *cmd = NULL;
	const enum opt_id *o;
	int i, rc;

	for (i = 1; i < n; i++) {
		const char *a = args[i];
		enum opt_id id;

		if (!cmd && (!strcmp(a, "-q") || !strcmp(a, "--quiet"))) {
			c->given[O_QUIET]++;
			continue;
		}
		if (!cmd && a[0] == '-')
			return usage_error(NULL, "%s: not an option of tremplin itself (a command's"
					   " options go after the command)", a);
		if (!cmd) {
			cmd = find_command(a);
			if (!cmd)
				return usage_error(NULL, "unknown command: %s", a);
			continue;
		}
		if (a[0] != '-' || !a[1]) {
			if (c->npos == cmd->npos)
				return usage_error(cmd, "unexpected argument: %s", a);
			c->pos[c->npos++] = a;
			continue;
		}
		id = find_option(cmd, a);
		if (id == O_END)
			return usage_error(cmd, "%s: not an option of '%s'", a, cmd->name);
		if (options[id].kind != K_FLAG && i + 1 == n)
			return usage_error(cmd, "%s: missing value (%s)", a, options[id].arg);
		rc = set_option(c, cmd, a, id, options[id].kind == K_FLAG ? NULL : args[++i]);
		if (rc)
			return rc;
	}
	if (!cmd)
		return usage_error(NULL, "no command given");
	if (c->npos < cmd->npos)
		return usage_error(cmd, "%s needs %s", cmd->name, cmd->pos);
	for (o = cmd->needs; *o != O_END; o++) {
		if (!c->given[*o]) {
			char need[256] = "";
			size_t len = 0;

			for (o = cmd->needs; *o != O_END && len < sizeof(need); o++)
				len += (size_t)snprintf(need + len, sizeof(need) - len, "%s%s %s",
							len ? " and " : "",
							options[*o].alias ? options[*o].alias
									  : options[*o].name,
							options[*o].arg);
			return usage_error(cmd, "%s needs %s", cmd->name, need);
		}
	}
	*out = cmd;
	return 0;
}

int main(int argc, char **argv)
{
	tp_cmd_opts copts = {.threads = 1};
	const struct command *cmd = NULL;
	struct cli cli = {0};
	tp_config cfg = {0};
	char **args = NULL;
	int nargs, i, rc = TP_OK;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("tremplin %s (GDAL %s, GEOS %s, PROJ %s, SQLite %s)\n", TP_VERSION,
			       GDALVersionInfo("RELEASE_NAME"), tp_geo_geos_version(), proj_info().release,
			       sqlite3_libversion());
			return TP_EXIT_OK;
		}
	}
	/*
	 * glibc's malloc keeps what is freed, up to 256 MiB at the top of each
	 * heap, and serves blocks under 32 MiB from the heaps, instead of
	 * handing memory back to the kernel and asking for it again: on a
	 * virtual machine that takes back the pages a guest frees, every page
	 * touched anew is a fault the host must fill.  A 1M run: page faults
	 * 177,000 -> 120,000, system time 0.5 s less, wall 11.2 -> 10.7 s
	 * (three runs each, alternated), the same peak (docs/performance-notes.md,
	 * "Twelfth round").  Before any thread starts.
	 */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	/* SQLite's memory statistics take one process-wide lock per allocation:
	 * two threads reading two GeoPackages spent most of their time waiting
	 * on it.  Nothing here reads the statistics; this must come before
	 * SQLite starts. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* a disk full or read-only under any SQLite write is an exit 5 (store.h) */
	tp_store_watch();
	GDALAllRegister();
	nargs = GDALGeneralCmdLineProcessor(argc, &argv, 0);
	if (nargs < 1)
		return nargs == 0 ? TP_EXIT_OK : TP_EXIT_USAGE;
	args = argv;
	/* GDAL's own messages reach the user through tremplin's, which name the
	 * file and row; they are printed raw only with --debug on. */
	tp_gdal_capture(CPLTestBool(CPLGetConfigOption("CPL_DEBUG", "NO")));
	/* no input may make tremplin reach the network (inputs/source.c refuses
	 * URLs and VRTs); nor may GDAL's own PROJ context fetch a grid */
	OSRSetPROJEnableNetwork(FALSE);
	for (i = 1; i < nargs; i++) {
		if (!strcmp(args[i], "--help") || !strcmp(args[i], "-h")) {
			/* the command's usage when one is named, before --help or after */
			for (i = 1; i < nargs && (args[i][0] == '-' || !find_command(args[i])); i++)
				;
			if (i < nargs)
				print_command_usage(find_command(args[i]));
			else
				print_usage();
			rc = TP_EXIT_OK;
			goto out;
		}
	}
	rc = parse(&cli, &cmd, args, nargs);
	copts.lco = cli.list[O_LCO];
	if (rc)
		goto out;
	/* a message printed below is this command's, never an earlier one */
	tp_error_clear();
	rc = cmd->run(&cli, &copts, &cfg);
	if (rc) {
		/* an empty message is a bug below: say so rather than print nothing */
		fprintf(stderr, "tremplin: %s\n",
			tp_error_last()[0] ? tp_error_last()
					   : "failed, and no reason was recorded (a bug: please report it)");
		rc = tp_exit_code(rc);
	}
out:
	tp_outset_unlock(outdir_lock);
	tp_config_dispose(&cfg);
	CSLDestroy(copts.lco);
	CSLDestroy(args);
	GDALDestroyDriverManager();
	return rc;
}

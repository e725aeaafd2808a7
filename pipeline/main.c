/*
 * main.c: the tremplin command, a thin shell over the pipeline.
 *
 * GDAL's general options (--config KEY VALUE, --debug, ...) are handled by
 * GDALGeneralCmdLineProcessor; --version and --help are tremplin's own.
 * Only this file exits; the exit status says which kind of failure it was
 * (see error.h and the README).
 */
#include "geo/error.h"
#include "geo/geo.h"
#include "inputs/demo.h"
#include "outputs/render.h"
#include "pipeline/check.h"
#include "pipeline/commands.h"
#include "pipeline/config.h"
#include "pipeline/stages.h"
#include "pipeline/store.h"
#include "version.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gdal.h>
#include <cpl_conv.h>
#include <cpl_string.h>

static const char usage_text[] =
	"Usage: tremplin [--help] [--version] [--config KEY VALUE] [--debug on|off]\n"
	"                COMMAND [OPTIONS]\n"
	"\n"
	"Puts the homelessness count and empty social dwellings of the Brussels-Capital\n"
	"Region on one map and finds buildings that could host a temporary occupation.\n"
	"\n"
	"Commands:\n"
	"  run   -c CONFIG -o OUTDIR [--from STAGE] [--until STAGE] [--no-maps]\n"
	"        [--no-dashboard] [-q]\n"
	"        run the pipeline (or part of it) on the inputs named in CONFIG\n"
	"  demo  -o OUTDIR [--seed N] [--no-maps] [--no-dashboard] [-q]\n"
	"        write a schematic demo region into OUTDIR/inputs and run it\n"
	"  map   -c CONFIG -o OUTDIR\n"
	"        draw OUTDIR/maps again from the working store (after a full run)\n"
	"  join POLYGONS POINTS [--key FIELD] [--threads N] [--layer1 L] [--layer2 L]\n"
	"       [-o COUNTS.csv | -o LOCATED.gpkg [--lco NAME=VALUE]...]\n"
	"        count the points in each polygon (address-scale: millions of points);\n"
	"        a .gpkg output holds the polygons with their counts and every point\n"
	"        with its polygon (--lco SPATIAL_INDEX=NO: without the spatial index)\n"
	"  apportion SOURCES TARGETS --value FIELD [--key FIELD] [--layer1 L] [--layer2 L] [-o OUT.csv]\n"
	"        share the sources' FIELD over the targets by area\n"
	"  check -c CONFIG\n"
	"        read and validate every input, print a report per input; writes nothing\n"
	"  stages\n"
	"        list the stages, what each reads and writes\n"
	"\n"
	"Outputs in OUTDIR: tremplin.gpkg, indicators.csv, maps/ (overview and atlas),\n"
	"dashboard.html, work.sqlite (working store).\n"
	"Exit status: 0 ok, 1 internal error, 2 usage, 3 config, 4 unusable input,\n"
	"5 output not written, 6 working store lacks an earlier stage.\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "tremplin: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'tremplin --help'.\n");
	return TP_EXIT_USAGE;
}

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

static void list_stages(void)
{
	size_t i, n;
	const tp_stage *s = tp_stages(&n);

	for (i = 0; i < n; i++)
		printf("%zu. %-10s reads: %s\n   %-10s writes: %s\n", i + 1, s[i].name, s[i].reads,
		       "", s[i].writes);
}

/* Runs the pipeline for an already loaded config. */
static int run_pipeline(tp_config *cfg, const char *outdir, const char *from,
			const char *until, int quiet)
{
	tp_run run = {0};
	char path[4096];
	int rc;

	rc = make_dirs(outdir);
	if (rc)
		return rc;
	rc = tp_geo_new(&run.g);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/work.sqlite", outdir);
	rc = tp_store_open(&run.db, path);
	if (!rc) {
		run.cfg = cfg;
		run.outdir = outdir;
		run.quiet = quiet;
		rc = tp_pipeline_run(&run, from, until);
	}
	if (run.db)
		sqlite3_close(run.db);
	tp_geo_free(run.g);
	if (!rc && !quiet && tp_stage_find(until ? until : "write") == tp_stage_find("write")) {
		printf("outputs: %s/tremplin.gpkg, %s/indicators.csv\n", outdir, outdir);
		if (cfg->maps)
			printf("maps: %s/maps/overview.pdf, %s/maps/atlas.pdf\n", outdir, outdir);
		if (cfg->dashboard)
			printf("dashboard: %s/dashboard.html\n", outdir);
	}
	return rc;
}

/* tremplin map: the maps again from a working store whose stages have all run. */
static int redraw_maps(const tp_config *cfg, const char *outdir, int quiet)
{
	tp_render_opts opts = {cfg->indicator, cfg->language, cfg->small_cell_threshold};
	const char *needed = tp_stage_find("protect") >= 0 ? "protect" : "summarise";
	sqlite3 *db = NULL;
	char path[4096];
	struct stat sb;
	int rc;

	snprintf(path, sizeof(path), "%s/work.sqlite", outdir);
	if (stat(path, &sb) != 0)
		return tp_error_set(TP_ESTORE, "%s: no working store; run 'tremplin run -c %s -o %s'"
				    " first", path, cfg->path, outdir);
	rc = tp_store_open(&db, path);
	if (!rc && !tp_store_stage_has_run(db, needed))
		rc = tp_error_set(TP_ESTORE, "%s: stage '%s' has not run; run 'tremplin run -c %s"
				  " -o %s' first", path, needed, cfg->path, outdir);
	snprintf(path, sizeof(path), "%s/maps", outdir);
	if (!rc)
		rc = tp_write_maps(db, path, &opts);
	if (db)
		sqlite3_close(db);
	if (!rc && !quiet)
		printf("maps: %s/overview.pdf, %s/atlas.pdf\n", path, path);
	return rc;
}

int main(int argc, char **argv)
{
	const char *config = NULL, *outdir = NULL, *from = NULL, *until = NULL;
	const char *command = NULL, *pos[2] = {NULL, NULL};
	tp_cmd_opts copts = {NULL, NULL, NULL, NULL, NULL, 1, 0, NULL};
	int npos = 0;
	unsigned long seed = 20241107;
	tp_config cfg = {0};
	int quiet = 0, no_maps = 0, no_dashboard = 0, i, rc = TP_OK;
	char **args = NULL;
	int nargs;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("tremplin %s (GDAL %s, GEOS %s, PROJ %s, SQLite %s)\n", TP_VERSION,
			       GDALVersionInfo("RELEASE_NAME"), GEOSversion(), proj_info().release,
			       sqlite3_libversion());
			return TP_EXIT_OK;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return TP_EXIT_OK;
		}
	}
	/* SQLite's memory statistics take one process-wide lock per allocation:
	 * two threads reading two GeoPackages spent most of their time waiting
	 * on it.  Nothing here reads the statistics; this must come before
	 * SQLite starts. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	GDALAllRegister();
	nargs = GDALGeneralCmdLineProcessor(argc, &argv, 0);
	if (nargs < 1)
		return nargs == 0 ? TP_EXIT_OK : TP_EXIT_USAGE;
	args = argv;
	/* GDAL's own messages reach the user through tremplin's, which name the
	 * file and row; they are printed raw only with --debug on. */
	tp_gdal_capture(CPLTestBool(CPLGetConfigOption("CPL_DEBUG", "NO")));
	for (i = 1; i < nargs; i++) {
		const char *a = args[i];
		int more = i + 1 < nargs;

		if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			quiet = 1;
		else if ((!strcmp(a, "-c") || !strcmp(a, "--config-file")) && more)
			config = args[++i];
		else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && more)
			outdir = args[++i];
		else if (!strcmp(a, "--from") && more)
			from = args[++i];
		else if (!strcmp(a, "--until") && more)
			until = args[++i];
		else if (!strcmp(a, "--key") && more)
			copts.key = args[++i];
		else if (!strcmp(a, "--layer1") && more)
			copts.layer1 = args[++i];
		else if (!strcmp(a, "--layer2") && more)
			copts.layer2 = args[++i];
		else if (!strcmp(a, "--value") && more)
			copts.value = args[++i];
		else if (!strcmp(a, "--threads") && more)
			copts.threads = atoi(args[++i]);
		else if (!strcmp(a, "--lco") && more)
			copts.lco = CSLAddString(copts.lco, args[++i]);
		else if (!strcmp(a, "--no-maps"))
			no_maps = 1;
		else if (!strcmp(a, "--no-dashboard"))
			no_dashboard = 1;
		else if (!strcmp(a, "--seed") && more)
			seed = strtoul(args[++i], NULL, 10);
		else if (a[0] == '-') {
			rc = usage_error("unknown option or missing value: %s", a);
			goto out;
		} else if (!command)
			command = a;
		else if (npos < 2)
			pos[npos++] = a;
		else {
			rc = usage_error("unexpected argument: %s", a);
			goto out;
		}
	}
	if (!command) {
		rc = usage_error("no command given%s", "");
		goto out;
	}
	/* a message printed below is this command's, never an earlier one */
	tp_error_clear();
	if (!strcmp(command, "stages")) {
		list_stages();
		rc = TP_EXIT_OK;
		goto out;
	}
	if (!strcmp(command, "join") || !strcmp(command, "apportion")) {
		if (npos != 2 || copts.threads < 1) {
			rc = usage_error("%s needs two files (and --threads >= 1)", command);
			goto out;
		}
		copts.out = outdir;
		copts.quiet = quiet;
		rc = command[0] == 'j' ? tp_cmd_join(pos[0], pos[1], &copts)
				       : tp_cmd_apportion(pos[0], pos[1], &copts);
	} else if (npos > 0) {
		rc = usage_error("unexpected argument: %s", pos[0]);
		goto out;
	} else if (!strcmp(command, "run")) {
		if (!config || !outdir) {
			rc = usage_error("run needs -c CONFIG and -o OUTDIR%s", "");
			goto out;
		}
		rc = tp_config_load(&cfg, config);
		if (!rc) {
			/* the command line overrides [outputs] maps and dashboard */
			cfg.maps = cfg.maps && !no_maps;
			cfg.dashboard = cfg.dashboard && !no_dashboard;
			rc = run_pipeline(&cfg, outdir, from, until, quiet);
		}
	} else if (!strcmp(command, "check")) {
		if (!config) {
			rc = usage_error("check needs -c CONFIG%s", "");
			goto out;
		}
		rc = tp_config_load(&cfg, config);
		if (!rc)
			rc = tp_check(&cfg);
	} else if (!strcmp(command, "map")) {
		if (!config || !outdir) {
			rc = usage_error("map needs -c CONFIG and -o OUTDIR%s", "");
			goto out;
		}
		rc = tp_config_load(&cfg, config);
		if (!rc)
			rc = redraw_maps(&cfg, outdir, quiet);
	} else if (!strcmp(command, "demo")) {
		char dir[4096], ini[4200];
		if (!outdir) {
			rc = usage_error("demo needs -o OUTDIR%s", "");
			goto out;
		}
		snprintf(dir, sizeof(dir), "%s/inputs", outdir);
		rc = make_dirs(dir);
		if (!rc)
			rc = tp_demo_write(dir, seed);
		snprintf(ini, sizeof(ini), "%s/tremplin.ini", dir);
		if (!rc && !quiet)
			printf("demo inputs: %s (schematic region, seed %lu)\n", dir, seed);
		if (!rc)
			rc = tp_config_load(&cfg, ini);
		if (!rc) {
			/* the command line overrides [outputs] maps and dashboard */
			cfg.maps = cfg.maps && !no_maps;
			cfg.dashboard = cfg.dashboard && !no_dashboard;
			rc = run_pipeline(&cfg, outdir, from, until, quiet);
		}
	} else {
		rc = usage_error("unknown command: %s", command);
		goto out;
	}
	if (rc) {
		/* an empty message is a bug below: say so rather than print nothing */
		fprintf(stderr, "tremplin: %s\n",
			tp_error_last()[0] ? tp_error_last()
					   : "failed, and no reason was recorded (a bug: please report it)");
		rc = tp_exit_code(rc);
	}
out:
	tp_config_dispose(&cfg);
	CSLDestroy(copts.lco);
	CSLDestroy(args);
	GDALDestroyDriverManager();
	return rc;
}

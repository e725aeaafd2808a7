/*
 * gpkg.c: OUTDIR/tremplin.gpkg, the GeoPackage a person opens in QGIS.
 *
 * Each layer is described by a row of a static table: its name, geometry
 * type, and one row set of the working store (query.h) whose columns are
 * the layer's fields in order, followed by the WKB geometry.  One generic
 * loop copies any such layer, inside one GDAL transaction per layer.  The
 * store is read through one view, public unless the config asks for an
 * internal output: the people figures of communes and count_zones are
 * then the protect stage's published ones, and the layers' descriptions
 * and the dataset metadata say which.  Coded fields carry GDAL field
 * domains, the map layers a QGIS default style (styles.c) in layer_styles
 * (gpkg_meta.c writes domains, styles and metadata).  The file is built
 * under a temporary name and renamed onto its final name only after GDAL
 * has closed it cleanly (see outputs.h).
 */
#include "outputs/outputs.h"
#include "geo/categories.h"
#include "geo/dates.h"
#include "geo/array.h"
#include "geo/bigbuf.h"
#include "geo/clock.h"
#include "geo/error.h"
#include "geo/morton.h"
#include "outputs/query.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* How a store column becomes a field value. */
typedef enum {
	K_TEXT,   /* String */
	K_INT,    /* Integer */
	K_INT64,  /* Integer64 */
	K_BOOL,   /* Integer with subtype Boolean, written 0 or 1 */
	K_REAL,   /* Real */
	K_DATE,   /* Date, from YYYY-MM-DD text */
	K_SHARES, /* String "nis:share;...", from zone_shares of the zone_id in the column */
} field_kind;

typedef struct {
	const char *name;           /* field name */
	field_kind kind;            /* its type and how the column is converted */
	const tp_code_list *domain; /* coded values (a GDAL field domain), or NULL */
} field_def;

/* When a layer is written; without its condition the file has no such layer. */
typedef enum {
	W_ALWAYS,    /* in every file */
	W_REGISTER,  /* the run read an occupation register ([occupations]) */
	W_HISTORY,   /* the store holds two vacancy snapshots or more: with one, the
			history of each building is its vacancies row (first_seen,
			last_seen, months_empty), a million rows written twice */
} layer_when;

typedef struct {
	const char *name;         /* layer name */
	OGRwkbGeometryType gtype; /* wkbNone for an attribute table */
	tp_rowset rows;           /* the fields in order, then the geometry unless wkbNone */
	const field_def *fields;  /* one per column of rows before the geometry */
	int nfields;              /* number of fields */
	const char *description;  /* gpkg_contents.description */
	const char *public_note;  /* added to it in a public file, or NULL */
	layer_when when;          /* when the layer is written (W_ALWAYS: always) */
} layer_def;

/* Everything one tp_write_layers() call holds. */
typedef struct {
	tp_view *view;               /* the working store, public unless opts->internal */
	const char *path;            /* final file name (or the database), for messages */
	const tp_gpkg_options *opts; /* what the config asks */
	const tp_layer_target *t;    /* where the layers go */
	GDALDatasetH ds;             /* the GeoPackage (or database) being written */
	OGRSpatialReferenceH srs;    /* the working CRS */
	tp_rows *shares;             /* zone_shares rows of one zone */
	char shares_context[1024];   /* "PATH: layer count_zones", for messages */
	int indicator;               /* field of communes_fields the choropleth shows */
	double *values;              /* its non-NULL values, as written */
	int nvalues;                 /* how many */
	int has_register;            /* 1: the run read an occupation register ([occupations]) */
	int has_history;             /* 1: the store holds two vacancy snapshots or more */
	tp_gpkg_copier *copier;      /* the store again, the GeoPackage attached, or NULL */
	struct presort_job *presort; /* the rows of presorted (below) sorted beside, or NULL */
	tp_rows_handoff *list;       /* the candidate list's rows, for candidates, or NULL */
	int map[64], mapped;         /* 1: the rows served are read by column map[i], else i */
} writer;

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A people figure (geo/categories.h) and its published label, as fields. */
#define REAL_FIGURE(c, fr, nl, aliases) {#c, K_REAL, NULL}, {#c "_label", K_TEXT, NULL},
#define INT_FIGURE(c, fr, nl, aliases) {#c, K_INT, NULL}, {#c "_label", K_TEXT, NULL},

/*
 * communes and indicators.csv (csv.c) show the same figures from the same
 * join.  Each people figure comes with its published label ("350", "<5",
 * "x"), whichever figures the layer holds.
 */
static const field_def communes_fields[] = {
	{"nis_code", K_TEXT, NULL},
	{"name_fr", K_TEXT, NULL},
	{"name_nl", K_TEXT, NULL},
	{"population", K_INT64, NULL},
	TP_PEOPLE(REAL_FIGURE)
	{"vacancy_records", K_INT, NULL},
	{"empty_dwellings", K_INT, NULL},
	{"candidate_buildings", K_INT, NULL},
	{"candidate_dwellings", K_INT, NULL},
	{"capacity", K_REAL, NULL},
	{"capacity_share_public", K_REAL, NULL},
	{"capacity_share_total", K_REAL, NULL},
	{"need", K_REAL, NULL},
	{"rejected_records", K_INT, NULL},
	{"rejected_dwellings", K_INT, NULL},
};

static const field_def vacancies_fields[] = {
	{"src_row", K_INT, NULL},
	{"src_id", K_TEXT, NULL},
	{"address", K_TEXT, NULL},
	{"postcode", K_TEXT, NULL},
	{"geocode", K_TEXT, NULL},
	{"owner", K_TEXT, NULL},
	{"owner_type", K_TEXT, &tp_owner_types},
	{"dwellings", K_INT, NULL},
	{"reason", K_TEXT, &tp_reasons},
	{"vacant_since", K_DATE, NULL},
	{"works_start", K_DATE, NULL},
	/* day, month, quarter or year: works start as the source gave it (README) */
	{"works_start_precision", K_TEXT, NULL},
	{"owner_agreed", K_BOOL, NULL},
	{"nis_code", K_TEXT, NULL},
	{"zone_id", K_TEXT, NULL},
	/* An integer, not a Boolean: QGIS shows a Boolean as true/false, not the domain's names. */
	{"candidate", K_INT, &tp_candidate_flags},
	{"status", K_TEXT, NULL},
	{"window_months", K_REAL, NULL},
	{"capacity", K_REAL, NULL},
	{"score", K_REAL, NULL},
	{"rank", K_INT, NULL},
	{"occupied_by", K_TEXT, NULL},
	/* its building across vacancy snapshots (pipeline/snapshots.c) */
	{"first_seen", K_DATE, NULL},
	{"last_seen", K_DATE, NULL},
	{"months_empty", K_REAL, NULL},
};

/* The occupation register (register.c); people figures only in an internal file. */
static const field_def occupations_fields[] = {
	{"src_row", K_INT, NULL},
	{"site", K_TEXT, NULL},
	{"operator", K_TEXT, NULL},
	{"support", K_TEXT, NULL},
	{"owner_type", K_TEXT, &tp_owner_types},
	{"dwellings", K_INT, NULL},
	{"vacancy_id", K_TEXT, NULL},
	{"address", K_TEXT, NULL},
	{"postcode", K_TEXT, NULL},
	{"start", K_DATE, NULL},
	{"planned_end", K_DATE, NULL},
	{"extensions", K_TEXT, NULL},
	{"actual_end", K_DATE, NULL},
	{"current_end", K_DATE, NULL},
	{"status", K_TEXT, &tp_occupation_statuses},
	{"months", K_REAL, NULL},
	{"extended", K_BOOL, NULL},
	{"people_housed", K_INT, NULL},
	{"people_moved_on", K_INT, NULL},
	{"matched_by", K_TEXT, NULL},
	{"vacancy_src_row", K_INT, NULL},
	{"nis_code", K_TEXT, NULL},
};

static const field_def durations_fields[] = {
	{"grouping", K_TEXT, NULL},
	{"grp", K_TEXT, NULL},
	{"occupations", K_INT, NULL},
	{"median_months", K_REAL, NULL},
	{"q1_months", K_REAL, NULL},
	{"q3_months", K_REAL, NULL},
	{"share_extended", K_REAL, NULL},
	{"min_window_months", K_REAL, NULL},
};

static const field_def ending_fields[] = {
	{"site", K_TEXT, NULL},
	{"current_end", K_DATE, NULL},
	{"months_left", K_REAL, NULL},
	{"near", K_INT, NULL},
	{"candidate_rank", K_INT, NULL},
	{"candidate_src_id", K_TEXT, NULL},
	{"candidate_address", K_TEXT, NULL},
	{"candidate_nis_code", K_TEXT, NULL},
	{"distance_m", K_REAL, NULL},
};

static const field_def candidates_fields[] = {
	{"rank", K_INT, NULL},
	{"src_id", K_TEXT, NULL},
	{"address", K_TEXT, NULL},
	{"owner", K_TEXT, NULL},
	{"owner_type", K_TEXT, &tp_owner_types},
	{"nis_code", K_TEXT, NULL},
	{"name_fr", K_TEXT, NULL},
	{"zone_id", K_TEXT, NULL},
	{"dwellings", K_INT, NULL},
	{"window_months", K_REAL, NULL},
	{"capacity", K_REAL, NULL},
	{"score", K_REAL, NULL},
	{"works_start", K_DATE, NULL},
	{"status", K_TEXT, NULL},
	{"months_empty", K_REAL, NULL},
};

static const field_def tracks_fields[] = {
	{"src_id", K_TEXT, NULL},
	{"address", K_TEXT, NULL},
	{"nis_code", K_TEXT, NULL},
	{"dwellings", K_INT, NULL},
	{"first_seen", K_DATE, NULL},
	{"last_seen", K_DATE, NULL},
	{"spell_start", K_DATE, NULL},
	{"seen", K_TEXT, NULL},
	{"months_empty", K_REAL, NULL},
	{"status", K_TEXT, NULL},
};

static const field_def flows_fields[] = {
	{"nis_code", K_TEXT, NULL},
	{"name_fr", K_TEXT, NULL},
	{"name_nl", K_TEXT, NULL},
	{"snapshot", K_DATE, NULL},
	{"empty_records", K_INT, NULL},
	{"empty_dwellings", K_INT, NULL},
	{"entered_records", K_INT, NULL},
	{"entered_dwellings", K_INT, NULL},
	{"left_records", K_INT, NULL},
	{"left_dwellings", K_INT, NULL},
};

static const field_def zones_fields[] = {
	{"zone_id", K_TEXT, NULL},
	TP_CATEGORIES(INT_FIGURE)
	{TP_ZONE_TOTAL, K_INT, NULL},
	{TP_ZONE_TOTAL "_label", K_TEXT, NULL},
	{"area", K_REAL, NULL},
	{"inside_area", K_REAL, NULL},
	{"outside_area", K_REAL, NULL},
	{"outside_share", K_REAL, NULL},
	{"commune_shares", K_SHARES, NULL},
};

static const field_def rejects_fields[] = {
	{"input", K_TEXT, NULL},
	{"source_file", K_TEXT, NULL},
	{"layer", K_TEXT, NULL},
	{"src_row", K_INT64, NULL},
	{"stage", K_TEXT, NULL},
	{"field", K_TEXT, NULL},
	{"reason", K_TEXT, NULL},
	{"original", K_TEXT, NULL},
};

/* The trends table (pipeline/trends.c): published figures only, whatever opts->internal says. */
static const field_def trends_fields[] = {
	{"nis_code", K_TEXT, NULL},
	{"name_fr", K_TEXT, NULL},
	{"name_nl", K_TEXT, NULL},
	{"edition", K_TEXT, NULL},
	{"edition_date", K_DATE, NULL},
	{"category", K_TEXT, &tp_people_codes},
	{"counted", K_BOOL, NULL},
	{"value", K_REAL, NULL},
	{"value_label", K_TEXT, NULL},
	{"previous_edition", K_TEXT, NULL},
	{"previous_value", K_REAL, NULL},
	{"change", K_REAL, NULL},
	{"change_pct", K_REAL, NULL},
	{"comparable_scope", K_TEXT, NULL},
	{"comparable_value", K_REAL, NULL},
	{"comparable_previous", K_REAL, NULL},
	{"comparable_change", K_REAL, NULL},
	{"comparable_change_pct", K_REAL, NULL},
};

/* Every edition's count zones, protected as count_zones is in a public file. */
static const field_def edition_zones_fields[] = {
	{"edition", K_TEXT, NULL},
	{"zone_id", K_TEXT, NULL},
	TP_PEOPLE(REAL_FIGURE)
};

#define PROTECTED_NOTE                                                                      \
	" People figures are protected for publication: rounded to a multiple of 5; a figure"  \
	" under the small-cell threshold is withheld (NULL, label \"<5\" for a threshold of 5)," \
	" and so is a figure that would let it be worked out (label \"x\"); see the README,"  \
	" Privacy."
#define INTERNAL_NOTE                                                                       \
	" INTERNAL OUTPUT: the people figures are exact and must not be published; the"        \
	" *_label fields show what a public output says."

/* What a public file's vacancies and candidates say of their owners (query.c, SHOWN_OWNER). */
#define OWNER_NOTE " A private owner, who may be a person, is not named (owner NULL)."

/* The layers, in the order written, each from a row set of query.h. */
static const layer_def layers[] = {
	{"communes", wkbMultiPolygon, TP_ROWS_COMMUNES, communes_fields, COUNT(communes_fields),
	 "Communes: people counted (apportioned by area), empty dwellings, candidates,"
	 " capacity.",
	 NULL, W_ALWAYS},
	{"vacancies", wkbPoint, TP_ROWS_VACANCIES, vacancies_fields, COUNT(vacancies_fields),
	 "Empty dwellings, one point per record, with why each is or is not a candidate.",
	 OWNER_NOTE, W_ALWAYS},
	{"candidates", wkbPoint, TP_ROWS_CANDIDATES, candidates_fields, COUNT(candidates_fields),
	 "Candidates for a temporary occupation, ranked by score.", OWNER_NOTE, W_ALWAYS},
	{"count_zones", wkbMultiPolygon, TP_ROWS_ZONES, zones_fields, COUNT(zones_fields),
	 "Count zones: people counted per category, and how each zone is shared among"
	 " communes.",
	 NULL, W_ALWAYS},
	{"vacancy_flows", wkbNone, TP_ROWS_VACANCY_FLOWS, flows_fields, COUNT(flows_fields),
	 "Empty dwellings per commune and vacancy snapshot: empty, entered since the snapshot"
	 " before, left since; the row without nis_code is the whole region.",
	 NULL, W_ALWAYS},
	{"vacancy_history", wkbNone, TP_ROWS_VACANCY_TRACKS, tracks_fields, COUNT(tracks_fields),
	 "Every building seen in a vacancy snapshot: first and last seen, the start of its"
	 " current spell, the snapshots it was in, months empty; status 'left' when it is"
	 " no longer in the latest. Written when the run reads two snapshots or more.",
	 NULL, W_HISTORY},
	{"rejects", wkbNone, TP_ROWS_REJECTS, rejects_fields, COUNT(rejects_fields),
	 "Rejected input rows: file, layer, row, field and reason.",
	 " The original values of rejected count zones are left out: they hold people counts.",
	 W_ALWAYS},
	{"occupations", wkbPoint, TP_ROWS_OCCUPATIONS, occupations_fields,
	 COUNT(occupations_fields),
	 "Temporary occupations of the register: operator, dwellings, dates, status, the"
	 " vacancy each occupies.",
	 " People housed and moved on are left out (NULL): per site they are small numbers at"
	 " a known address.", W_REGISTER},
	{"occupation_durations", wkbNone, TP_ROWS_OCCUPATION_DURATIONS, durations_fields,
	 COUNT(durations_fields),
	 "Durations of the occupations in months (start to actual end, else to the end agreed):"
	 " median, quartiles, share extended, beside min_window_months; all, per operator, per"
	 " owner type.",
	 NULL, W_REGISTER},
	{"occupations_ending", wkbNone, TP_ROWS_OCCUPATIONS_ENDING, ending_fields,
	 COUNT(ending_fields),
	 "Running occupations ending within 6 months of the reference date, each with the 3"
	 " candidates nearest to it.",
	 NULL, W_REGISTER},
	/* the last two only when the config names several editions of the count */
	{"trends", wkbNone, TP_ROWS_TRENDS, trends_fields, COUNT(trends_fields),
	 "Trends: per commune (and the region, nis_code NULL), count edition and people"
	 " category, the published figure, its change since the previous edition (people and %)"
	 " and the change on the categories both editions counted (comparable_scope). Each"
	 " edition's zones are apportioned onto the current communes by area. Figures are"
	 " protected (rounded to 5, small cells withheld, as in count_zones_editions); a change is"
	 " the difference of two published figures, empty when either is withheld.",
	 NULL, W_ALWAYS},
	{"count_zones_editions", wkbMultiPolygon, TP_ROWS_EDITION_ZONES, edition_zones_fields,
	 COUNT(edition_zones_fields),
	 "Count zones of every edition of the count, with their people figures as published"
	 " (rounded to 5; \"<5\" and \"x\" withheld); the trends layer is made from them.",
	 NULL, W_ALWAYS},
};

/* The layers written only when the store holds trends (several editions). */
#define NLAYERS_EDITIONS 2

/* Layers whose people figures depend on opts->internal. */
static int has_people(const layer_def *def)
{
	return def->fields == communes_fields || def->fields == zones_fields;
}

/* Sets w->has_register (the run read an occupation register) and
 * w->has_history (the snapshots stage matched two snapshots or more). */
static int read_conditions(writer *w)
{
	tp_rows *st = NULL;
	int rc = tp_rows_open(&st, w->view, TP_ROWS_INPUT_PATH, "occupations", w->path);

	if (!rc)
		rc = tp_rows_next(st);
	w->has_register = rc > 0;
	tp_rows_close(st);
	st = NULL;
	if (rc >= 0)
		rc = tp_rows_open(&st, w->view, TP_ROWS_SNAPSHOT_COUNT, NULL, w->path);
	if (!rc)
		rc = tp_rows_next(st); /* an aggregate: one row */
	w->has_history = rc > 0 && tp_rows_int64(st, 0) >= 2;
	tp_rows_close(st);
	return rc < 0 ? rc : TP_OK;
}

/* 1 when layer def is written in w's file. */
static int layer_written(const writer *w, const layer_def *def)
{
	switch (def->when) {
	case W_REGISTER:
		return w->has_register;
	case W_HISTORY:
		return w->has_history;
	default:
		return 1;
	}
}

/* Reads the working CRS from meta: crs first, crs_wkt when crs is unusable. */
static int make_srs(writer *w)
{
	tp_rows *st = NULL;
	const char *crs = NULL;
	char first[256] = "";
	int rc = TP_OK, step = 0, ok = 0;

	w->srs = OSRNewSpatialReference(NULL);
	if (!w->srs) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", w->path);
		goto cleanup;
	}
	rc = tp_rows_open(&st, w->view, TP_ROWS_CRS, NULL, w->path);
	if (rc)
		goto cleanup;
	while (!ok && (step = tp_rows_next(st)) > 0) {
		crs = tp_rows_text(st, 0);
		if (!crs)
			continue;
		if (!first[0])
			snprintf(first, sizeof(first), "%s", crs);
		ok = OSRSetFromUserInput(w->srs, crs) == OGRERR_NONE;
	}
	if (step < 0) {
		rc = step;
		goto cleanup;
	}
	if (!ok) {
		if (first[0])
			rc = tp_error_set(TP_ESTORE, "%s: the working CRS '%s' (meta.crs) is unknown to GDAL",
					  w->path, first);
		else
			rc = tp_error_set(TP_ESTORE, "%s: the working store has no CRS (meta.crs)",
					  w->path);
		goto cleanup;
	}
	OSRSetAxisMappingStrategy(w->srs, OAMS_TRADITIONAL_GIS_ORDER);
cleanup:
	tp_rows_close(st);
	return rc;
}

/* "21004:0.6234;21015:0.3766" for zone_id; NULL when the zone has no shares. */
static int set_shares(writer *w, const char *layer, OGRFeatureH f, int i, const char *zone_id)
{
	sqlite3_str *s = NULL;
	int rc = TP_OK, step, n = 0;

	tp_rows_rewind(w->shares, zone_id);
	s = sqlite3_str_new(NULL);
	while ((step = tp_rows_next(w->shares)) > 0) {
		/* SQLite's printf ignores the locale: the decimal point stays '.'. */
		sqlite3_str_appendf(s, "%s%s:%.4f", n++ ? ";" : "", tp_rows_text(w->shares, 0),
				    tp_rows_double(w->shares, 1));
	}
	if (step < 0) {
		rc = step;
		goto cleanup;
	}
	if (sqlite3_str_errcode(s) != SQLITE_OK) {
		rc = tp_error_set(TP_ERROR, "%s: layer %s: out of memory", w->path, layer);
		goto cleanup;
	}
	if (n)
		OGR_F_SetFieldString(f, i, sqlite3_str_value(s));
	else
		OGR_F_SetFieldNull(f, i);
cleanup:
	sqlite3_free(sqlite3_str_finish(s));
	return rc;
}

/* The date in column i of the current row (feature n) into *date; TP_ESTORE if it is none. */
static int get_date(writer *w, const layer_def *def, const tp_rows *st, int i, long long n,
		    tp_date *date)
{
	const char *text = tp_rows_text(st, i);

	if (!tp_date_parse_iso(date, text))
		return TP_OK;
	return tp_error_set(TP_ESTORE, "%s: layer %s: feature %lld: %s '%s' is not a date (YYYY-MM-DD)",
			    w->path, def->name, n, def->fields[i].name, text ? text : "");
}

/* Sets field i of f from column i of the current row; n numbers the feature. */
static int set_field(writer *w, const layer_def *def, OGRFeatureH f, const tp_rows *st, int i,
		     long long n)
{
	tp_date date;

	if (tp_rows_null(st, i)) {
		OGR_F_SetFieldNull(f, i);
		return TP_OK;
	}
	switch (def->fields[i].kind) {
	case K_TEXT:
		OGR_F_SetFieldString(f, i, tp_rows_text(st, i));
		break;
	case K_INT:
		OGR_F_SetFieldInteger(f, i, (int)tp_rows_int64(st, i));
		break;
	case K_INT64:
		OGR_F_SetFieldInteger64(f, i, tp_rows_int64(st, i));
		break;
	case K_BOOL:
		OGR_F_SetFieldInteger(f, i, tp_rows_int64(st, i) != 0);
		break;
	case K_REAL:
		OGR_F_SetFieldDouble(f, i, tp_rows_double(st, i));
		break;
	case K_DATE:
		if (get_date(w, def, st, i, n, &date))
			return TP_ESTORE;
		OGR_F_SetFieldDateTime(f, i, date.y, date.m, date.d, 0, 0, 0, 0);
		break;
	case K_SHARES:
		return set_shares(w, def->name, f, i, tp_rows_text(st, i));
	}
	return TP_OK;
}

/*
 * Binds column i of the current row to parameter i + 1 of ins, the value
 * OGR would bind had set_field set it on a feature (tp_gpkg_rows).
 */
static int bind_field(writer *w, const layer_def *def, sqlite3_stmt *ins, const tp_rows *st,
		      int i, long long n)
{
	tp_date date;

	if (tp_rows_null(st, i))
		return TP_OK; /* bindings start NULL */
	switch (def->fields[i].kind) {
	case K_INT:
		sqlite3_bind_int64(ins, i + 1, (int)tp_rows_int64(st, i));
		break;
	case K_INT64:
		sqlite3_bind_int64(ins, i + 1, tp_rows_int64(st, i));
		break;
	case K_BOOL:
		sqlite3_bind_int64(ins, i + 1, tp_rows_int64(st, i) != 0);
		break;
	case K_REAL:
		sqlite3_bind_double(ins, i + 1, tp_rows_double(st, i));
		break;
	case K_DATE:
		if (get_date(w, def, st, i, n, &date))
			return TP_ESTORE;
		/* exactly YYYY-MM-DD, as OGR writes the date back */
		sqlite3_bind_text(ins, i + 1, tp_rows_text(st, i), 10, SQLITE_STATIC);
		break;
	default: /* K_TEXT; K_SHARES never comes here (fast_rows) */
		/* the row stays as it is until the insert: no copy */
		sqlite3_bind_text(ins, i + 1, tp_rows_text(st, i), -1, SQLITE_STATIC);
		break;
	}
	return TP_OK;
}

/* Sets the geometry of f from the WKB in column col; a NULL blob leaves f without one. */
static int set_geom(writer *w, const layer_def *def, OGRFeatureH f, const tp_rows *st, int col,
		    long long n)
{
	size_t len;
	const void *wkb = tp_rows_blob(st, col, &len);
	OGRGeometryH g = NULL;
	int rc = TP_OK;

	if (!wkb || len == 0) {
		OGR_F_SetGeometryDirectly(f, NULL); /* the feature is reused: clear the last one */
		goto cleanup;
	}
	if (OGR_G_CreateFromWkb(wkb, NULL, &g, (int)len) != OGRERR_NONE || !g) {
		rc = tp_error_set(TP_ESTORE, "%s: layer %s: feature %lld: the geometry is not WKB",
				  w->path, def->name, n);
		goto cleanup;
	}
	/* The store holds 2D geometries; a stray Z would contradict gpkg_geometry_columns. */
	OGR_G_FlattenTo2D(g);
	if (def->gtype == wkbMultiPolygon)
		g = OGR_G_ForceToMultiPolygon(g);
	if (!g || wkbFlatten(OGR_G_GetGeometryType(g)) != def->gtype) {
		rc = tp_error_set(TP_ESTORE, "%s: layer %s: feature %lld: a %s where the layer holds %s",
				  w->path, def->name, n,
				  g ? OGRGeometryTypeToName(OGR_G_GetGeometryType(g)) : "geometry",
				  OGRGeometryTypeToName(def->gtype));
		goto cleanup;
	}
	OGR_F_SetGeometryDirectly(f, g);
	g = NULL;
cleanup:
	if (g)
		OGR_G_DestroyGeometry(g);
	return rc;
}

/* Adds def's fields to layer, typed by their kind. */
static int create_fields(writer *w, const layer_def *def, OGRLayerH layer)
{
	OGRFieldDefnH fd = NULL;
	OGRFieldType type;
	int rc = TP_OK, i;

	for (i = 0; i < def->nfields; i++) {
		switch (def->fields[i].kind) {
		case K_INT:
		case K_BOOL:
			type = OFTInteger;
			break;
		case K_INT64:
			type = OFTInteger64;
			break;
		case K_REAL:
			type = OFTReal;
			break;
		case K_DATE:
			type = OFTDate;
			break;
		default:
			type = OFTString;
			break;
		}
		fd = OGR_Fld_Create(def->fields[i].name, type);
		if (def->fields[i].kind == K_BOOL)
			OGR_Fld_SetSubType(fd, OFSTBoolean);
		if (def->fields[i].domain)
			OGR_Fld_SetDomainName(fd, def->fields[i].domain->domain);
		if (OGR_L_CreateField(layer, fd, TRUE) != OGRERR_NONE) {
			rc = tp_gpkg_fail(w->path, def->name, "cannot create a field");
			goto cleanup;
		}
		OGR_Fld_Destroy(fd);
		fd = NULL;
	}
cleanup:
	if (fd)
		OGR_Fld_Destroy(fd);
	return rc;
}

/* Appends v to the indicator's values. */
static int keep_value(writer *w, double v)
{
	if ((w->nvalues & (w->nvalues - 1)) == 0) {
		double *grown = realloc(w->values, (size_t)(w->nvalues ? 2 * w->nvalues : 1) *
							   sizeof(*grown));
		if (!grown)
			return tp_error_set(TP_ERROR, "%s: out of memory", w->path);
		w->values = grown;
	}
	w->values[w->nvalues++] = v;
	return TP_OK;
}

/* The points of a point layer, as written, for its packed R-tree. */
typedef struct {
	double *xy;   /* x, y of each point */
	int64_t *fid; /* its FID */
	size_t n;     /* points */
	size_t cap;   /* room for */
} points;

/* Keeps point xy (FID fid), just written. */
static int keep_xy(writer *w, points *p, const double *xy, long long fid)
{
	if (p->n == p->cap) {
		size_t cap = tp_array_next(p->cap, 1 << 12);
		double *grown = tp_big_realloc(p->xy, 2 * cap * sizeof(*grown));
		int64_t *fids = grown ? tp_big_realloc(p->fid, cap * sizeof(*fids)) : NULL;
		if (grown)
			p->xy = grown;
		if (!grown || !fids)
			return tp_error_set(TP_ERROR, "%s: out of memory", w->path);
		p->fid = fids;
		p->cap = cap;
	}
	p->xy[2 * p->n] = xy[0];
	p->xy[2 * p->n + 1] = xy[1];
	p->fid[p->n++] = fid;
	return TP_OK;
}

/* Keeps the point of f, just written. */
static int keep_point(writer *w, points *p, OGRFeatureH f)
{
	OGRGeometryH g = OGR_F_GetGeometryRef(f);
	double xy[2];

	if (!g || OGR_G_IsEmpty(g))
		return TP_OK; /* no box: not in the index, as GDAL's triggers do */
	xy[0] = OGR_G_GetX(g, 0);
	xy[1] = OGR_G_GetY(g, 0);
	return keep_xy(w, p, xy, OGR_F_GetFID(f));
}

/*
 * Whether layer def goes straight into its table (tp_gpkg_rows) rather
 * than through OGR's features: in a GeoPackage, a point layer or a table,
 * whose fields are all plain values.
 */
static int fast_rows(const writer *w, const layer_def *def)
{
	int i;

	if (!w->t->gpkg || (def->gtype != wkbPoint && def->gtype != wkbNone))
		return 0;
	for (i = 0; i < def->nfields; i++)
		if (def->fields[i].kind == K_SHARES)
			return 0;
	return 1;
}

/*
 * The large layers whose order SQLite's sort made the slowest part of their
 * copy (1.8 s of vacancy_history's 3.1 s at a million rows): read in the
 * order of their ties instead, without a sort, and sorted in memory by the
 * same keys (tp_gpkg_copier_sort).  vacancy_history from a row set of its
 * own with the keys appended; candidates from its row set's SQL with the
 * ORDER BY below replaced, when it still ends so (else SQLite sorts).
 */
static const struct {
	tp_rowset rows;        /* the layer's row set */
	tp_rowset read;        /* the row set read */
	const char *order;     /* the end of read's SQL replaced, or NULL */
	const char *by;        /* by this */
	int nkeys;             /* the sort keys */
	tp_sort_key keys[2];   /* the keys, by column of read's row */
} presorted[] = {
	{TP_ROWS_VACANCY_TRACKS, TP_ROWS_VACANCY_TRACKS_BY_ID, NULL, NULL, 2,
	 {{10, 0, 0}, {11, 1, 1}}},
	{TP_ROWS_CANDIDATES, TP_ROWS_CANDIDATES, " ORDER BY v.rank IS NULL, v.rank, v.id",
	 " ORDER BY v.id", 1, {{0, 0, 1}, {0, 0, 0}}},
};

#define NPRESORTED 2 /* COUNT(presorted), for the arrays of struct presort_job */
_Static_assert(COUNT(presorted) == NPRESORTED, "NPRESORTED is not presorted's count");

/* The SQL that reads presorted[k]'s rows from sql, its row set's (sqlite3_free
 * it), or NULL when its text no longer ends as expected (SQLite sorts then). */
static char *presorted_read(const char *sql, int k)
{
	size_t len = strlen(sql), end;

	if (!presorted[k].order)
		return sqlite3_mprintf("%s", sql);
	end = strlen(presorted[k].order);
	if (len < end || strcmp(sql + len - end, presorted[k].order))
		return NULL;
	return sqlite3_mprintf("%.*s%s", (int)(len - end), sql, presorted[k].by);
}

/*
 * The rows of candidates and of vacancy_history (presorted) read and sorted
 * on a thread of their own, on a connection of their own, one layer after
 * the other in the order the layers are written, while the layers before
 * them are written: the GeoPackage's thread, the stage's longest, then only
 * copies them.  A layer's rows are taken as soon as they are sorted (the
 * candidates' well before the vacancies layer is written, the history's
 * before the layers between).  Any failure leaves a layer's rows NULL, and
 * the GeoPackage's thread sorts them itself.
 */
struct presort_job {
	char *file;                        /* the store's file */
	int internal;                      /* the view's */
	int order[NPRESORTED], n;          /* the layers sorted (in presorted), in turn */
	int ncols[NPRESORTED];             /* each one's columns (its geometry's included) */
	tp_sorted_rows *rows[NPRESORTED];  /* each one's rows sorted, or NULL */
	int done[NPRESORTED];              /* 1 once a layer's rows are sorted (or failed) */
	pthread_mutex_t lock;              /* over rows and done */
	pthread_cond_t sorted;             /* signalled at each done */
	pthread_t tid;                     /* the thread */
};

/* Marks presorted[k] done in j, with its rows (or NULL). */
static void presort_done(struct presort_job *j, int k, tp_sorted_rows *rows)
{
	pthread_mutex_lock(&j->lock);
	j->rows[k] = rows;
	j->done[k] = 1;
	pthread_cond_broadcast(&j->sorted);
	pthread_mutex_unlock(&j->lock);
}

static void *presort_thread(void *arg)
{
	struct presort_job *j = arg;
	sqlite3 *db = NULL;
	tp_view *view = NULL;
	int ok, i;

	ok = sqlite3_open_v2(j->file, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) ==
		     SQLITE_OK &&
	     sqlite3_exec(db, "PRAGMA cache_size=-65536", NULL, NULL, NULL) == SQLITE_OK &&
	     tp_view_open(&view, db, j->internal) == TP_OK;
	for (i = 0; i < j->n; i++) {
		int k = j->order[i];
		tp_sorted_rows *rows = NULL;
		char *read = ok ? presorted_read(tp_rows_sql(view, presorted[k].read), k) : NULL;
		if (read)
			tp_sorted_rows_load(&rows, db, read, j->ncols[k], presorted[k].nkeys,
					    presorted[k].keys);
		sqlite3_free(read);
		presort_done(j, k, rows);
	}
	tp_view_close(view);
	sqlite3_close(db);
	tp_error_clear();
	return NULL;
}

/* Starts the job for the layers of presorted among the first nlayers of
 * layers that w writes, over store (a file), or returns NULL. */
static struct presort_job *presort_begin(const writer *w, sqlite3 *store, int nlayers,
					 int internal)
{
	const char *file = sqlite3_db_filename(store, "main");
	struct presort_job *j;
	int i, k;

	if (!file || !*file)
		return NULL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	for (i = 0; i < nlayers; i++)
		for (k = 0; k < NPRESORTED; k++)
			if (layers[i].rows == presorted[k].rows && !j->ncols[k] &&
			    layer_written(w, &layers[i]) &&
			    !(w->list && presorted[k].rows == TP_ROWS_CANDIDATES)) {
				j->order[j->n++] = k;
				j->ncols[k] = layers[i].nfields + (layers[i].gtype != wkbNone);
			}
	for (k = 0; k < NPRESORTED; k++)
		j->done[k] = !j->ncols[k]; /* not a layer written: nothing to wait for */
	j->file = strdup(file);
	j->internal = internal;
	if (j->n && j->file && pthread_mutex_init(&j->lock, NULL) == 0) {
		if (pthread_cond_init(&j->sorted, NULL) == 0) {
			if (pthread_create(&j->tid, NULL, presort_thread, j) == 0)
				return j;
			pthread_cond_destroy(&j->sorted);
		}
		pthread_mutex_destroy(&j->lock);
	}
	free(j->file);
	free(j);
	return NULL;
}

/* The rows of presorted[k] once j has sorted them (NULL if it could not),
 * taken from j. */
static tp_sorted_rows *presort_take(struct presort_job *j, int k)
{
	tp_sorted_rows *rows;

	pthread_mutex_lock(&j->lock);
	while (!j->done[k])
		pthread_cond_wait(&j->sorted, &j->lock);
	rows = j->rows[k];
	j->rows[k] = NULL;
	pthread_mutex_unlock(&j->lock);
	return rows;
}

/* Waits for job j and frees it, with the rows not taken. */
static void presort_end(struct presort_job *j)
{
	int k;

	if (!j)
		return;
	pthread_join(j->tid, NULL);
	for (k = 0; k < NPRESORTED; k++)
		tp_sorted_rows_free(j->rows[k]);
	pthread_cond_destroy(&j->sorted);
	pthread_mutex_destroy(&j->lock);
	free(j->file);
	free(j);
}

/*
 * The candidates layer's rows from the candidate list's thread (w->list),
 * which read and sorted the same candidates with these columns among its
 * own: 1 when they are served, each column found by name (w->map), else 0.
 * Not when a candidate has no rank: the list puts it first, the layer last.
 */
static int take_list(writer *w, const layer_def *def)
{
	int n = def->nfields + (def->gtype != wkbNone);
	tp_sorted_rows *rows;

	if (def->rows != TP_ROWS_CANDIDATES || !w->list || n > COUNT(w->map))
		return 0;
	rows = tp_rows_handoff_take(w->list);
	if (!rows || tp_sorted_rows_null_keys(rows) ||
	    !tp_gpkg_copier_match(w->copier, def->rows, TP_ROWS_CANDIDATE_LIST_BY_ID, w->map, n)) {
		tp_sorted_rows_free(rows);
		return 0;
	}
	tp_gpkg_copier_serve(w->copier, rows);
	w->mapped = 1;
	return 1;
}

/* 1 when def's rows are sorted in memory, to be read from table tp_sorted; else 0. */
static int sort_in_memory(writer *w, const layer_def *def)
{
	char *read;
	int k, done = 0;

	w->mapped = 0;
	for (k = 0; k < COUNT(presorted) && presorted[k].rows != def->rows; k++)
		;
	if (k == COUNT(presorted))
		return 0;
	if (take_list(w, def))
		return 1;
	if (w->presort) {
		/* read and sorted beside the layers before */
		tp_sorted_rows *rows = presort_take(w->presort, k);
		if (rows) {
			tp_gpkg_copier_serve(w->copier, rows);
			return 1;
		}
	}
	read = presorted_read(tp_gpkg_copier_sql(w->copier, presorted[k].read), k);
	if (!read)
		return 0;
	done = tp_gpkg_copier_sort(w->copier, read, def->nfields + (def->gtype != wkbNone),
				   presorted[k].nkeys, presorted[k].keys) == TP_OK;
	sqlite3_free(read);
	return done;
}

/*
 * A layer whose row set ends in an ORDER BY its table's scan gives anyway
 * is read from a variant with the key as its last column and no ORDER BY,
 * ordered by that column outside: a subquery that orders is run as a
 * co-routine, each of its values copied once more on the way out (a third
 * of the vacancies layer's 3.3 s at a million rows); without, SQLite
 * flattens the query, and the outer ORDER BY costs nothing.
 */
static const struct {
	tp_rowset rows;  /* the layer's row set */
	tp_rowset keyed; /* its columns, then the key, unordered */
} keyed[] = {
	{TP_ROWS_VACANCIES, TP_ROWS_VACANCIES_KEYED},
};

/*
 * Copies the rows of layer def in one INSERT ... SELECT (tp_gpkg_rows_copy),
 * each column converted as bind_field converts it, outside the caller's
 * transaction on the GeoPackage (committed before, begun again after).
 * 0 when the rows are in (*n of them, the points in pts), 1 when they must
 * go one at a time, or a failure.
 */
static int copy_in_bulk(writer *w, const layer_def *def, tp_gpkg_rows *r, points *pts,
			long long *n)
{
	sqlite3_str *cols = sqlite3_str_new(NULL), *sel = sqlite3_str_new(NULL);
	char decl[64] = {0};
	int rc = TP_OK, copied, i, k, sorted, key;

	sorted = sort_in_memory(w, def);
	for (k = 0; !sorted && k < COUNT(keyed) && keyed[k].rows != def->rows; k++)
		;
	key = !sorted && k < COUNT(keyed);
	/* a column the store declares TEXT or REAL is copied as it is: its CAST
	 * was a tenth of the vacancies layer's SQL (rows sorted in memory have
	 * no declared types, and keep theirs) */
	if (!sorted && def->nfields <= (int)sizeof(decl))
		tp_gpkg_copier_decltypes(w->copier, key ? keyed[k].keyed : def->rows, decl,
					 def->nfields);
	sqlite3_str_appendall(sel, "WITH r(");
	for (i = 0; i < def->nfields + (def->gtype != wkbNone); i++)
		sqlite3_str_appendf(sel, "%sc%d", i ? ", " : "", i);
	if (key) {
		sqlite3_str_appendf(sel, ", k) AS (%s) SELECT ",
				    tp_gpkg_copier_sql(w->copier, keyed[k].keyed));
	} else if (sorted) {
		sqlite3_str_appendall(sel, ") AS (SELECT ");
		for (i = 0; i < def->nfields + (def->gtype != wkbNone); i++)
			sqlite3_str_appendf(sel, "%sc%d", i ? ", " : "", w->mapped ? w->map[i] : i);
		sqlite3_str_appendall(sel, " FROM tp_sorted) SELECT ");
	} else {
		sqlite3_str_appendf(sel, ") AS (%s) SELECT ",
				    tp_gpkg_copier_sql(w->copier, def->rows));
	}
	for (i = 0; i < def->nfields; i++) {
		static const char *const as[] = {
			[K_TEXT] = "CAST(c%d AS TEXT)",
			[K_INT] = "CAST(c%d AS INTEGER)",
			[K_INT64] = "CAST(c%d AS INTEGER)",
			[K_BOOL] = "CAST(c%d AS INTEGER) != 0",
			[K_REAL] = "CAST(c%d AS REAL)",
			[K_DATE] = "tp_gpkg_date(c%d)",
			[K_SHARES] = NULL, /* not here: fast_rows */
		};
		int plain = (def->fields[i].kind == K_TEXT && decl[i] == 'T') ||
			    (def->fields[i].kind == K_REAL && decl[i] == 'R');
		sqlite3_str_appendf(cols, "%s\"%w\"", i ? ", " : "", def->fields[i].name);
		sqlite3_str_appendall(sel, i ? ", " : "");
		sqlite3_str_appendf(sel, plain ? "c%d" : as[def->fields[i].kind], i);
	}
	if (def->gtype != wkbNone) {
		sqlite3_str_appendf(cols, "%s\"geom\"", def->nfields ? ", " : "");
		sqlite3_str_appendf(sel, "%stp_gpkg_point(c%d)", def->nfields ? ", " : "", def->nfields);
	}
	sqlite3_str_appendall(sel, key ? " FROM r ORDER BY k" : " FROM r");
	if (sqlite3_str_errcode(cols) || sqlite3_str_errcode(sel)) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", w->path);
		goto cleanup;
	}
	CPLErrorReset();
	if (GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE) {
		rc = tp_gpkg_fail(w->path, def->name, "cannot commit");
		goto cleanup;
	}
	copied = tp_gpkg_rows_copy(r, w->copier, sqlite3_str_value(cols), sqlite3_str_value(sel),
				   n) == TP_OK;
	CPLErrorReset();
	if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE) {
		rc = tp_gpkg_fail(w->path, def->name, "cannot start a transaction");
		goto cleanup;
	}
	if (!copied) {
		rc = 1;
		goto cleanup;
	}
	if (w->mapped)
		CPLDebug("tremplin", "%s: layer %s: copied from the candidate list's rows", w->path,
			 def->name);
	tp_gpkg_rows_points(r, &pts->xy, &pts->fid, &pts->n);
	pts->cap = pts->n;
cleanup:
	if (sorted)
		tp_gpkg_copier_unsort(w->copier);
	sqlite3_free(sqlite3_str_finish(cols));
	sqlite3_free(sqlite3_str_finish(sel));
	return rc;
}

/*
 * Copies the rows of st into layer def, created with its fields, through
 * tp_gpkg_rows; *n counts them; a point layer's points go to pts.
 */
static int copy_rows(writer *w, const layer_def *def, OGRLayerH layer, tp_rows *st, points *pts,
		     long long *n)
{
	const char *names[64];
	tp_gpkg_rows *r = NULL;
	sqlite3_stmt *ins;
	int spatial = def->gtype != wkbNone;
	int rc, step = 0, i, kept;
	long long fid;
	double xy[2];

	if (def->nfields > (int)(sizeof(names) / sizeof(names[0])))
		return tp_error_set(TP_ERROR, "%s: layer %s: too many fields", w->path, def->name);
	for (i = 0; i < def->nfields; i++)
		names[i] = def->fields[i].name;
	rc = tp_gpkg_rows_begin(&r, w->ds, layer, w->path, def->name, names, def->nfields,
				spatial);
	if (rc)
		return rc;
	if (w->copier) {
		rc = copy_in_bulk(w, def, r, pts, n);
		if (rc <= 0)
			return tp_gpkg_rows_end(r, rc);
		rc = TP_OK; /* one at a time, then */
	}
	ins = tp_gpkg_rows_stmt(r);
	while (!rc && (step = tp_rows_next(st)) > 0) {
		++*n;
		for (i = 0; i < def->nfields && !rc; i++)
			rc = bind_field(w, def, ins, st, i, *n);
		kept = 0;
		if (!rc && spatial) {
			size_t len;
			const void *wkb = tp_rows_blob(st, def->nfields, &len);
			kept = tp_gpkg_rows_point(r, wkb, len, *n, xy);
			if (kept < 0)
				rc = kept;
		}
		if (!rc)
			rc = tp_gpkg_rows_insert(r, &fid);
		if (!rc && kept)
			rc = keep_xy(w, pts, xy, fid);
	}
	if (!rc && step < 0)
		rc = step;
	return tp_gpkg_rows_end(r, rc);
}

/* The packed R-tree of point layer def (tp_gpkg_point_rtree), in curve order. */
static int write_rtree(writer *w, const layer_def *def, const points *p)
{
	double t0 = tp_clock(CLOCK_MONOTONIC);
	uint64_t *order;
	sqlite3 *own;
	int rc;

	if (p->n > 0xffffffffu)
		return tp_error_set(TP_EOUTPUT, "%s: layer %s: too many points (%zu)", w->path,
				    def->name, p->n);
	order = tp_morton_order(p->xy, p->n);
	if (!order)
		return tp_error_set(TP_ERROR, "%s: out of memory", w->path);
	own = w->copier ? tp_gpkg_copier_own(w->copier) : NULL;
	if (!own) {
		rc = tp_gpkg_point_rtree(w->ds, w->path, def->name, p->xy, order, p->fid, p->n);
		tp_big_free(order);
	} else {
		/* through the copier's connection, written behind, outside the
		 * layer's transaction on the GeoPackage as copy_in_bulk is */
		CPLErrorReset();
		rc = GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE
			     ? tp_gpkg_fail(w->path, def->name, "cannot commit")
			     : tp_gpkg_point_rtree_on(w->ds, own, w->path, def->name, p->xy, order,
						      p->fid, p->n);
		tp_big_free(order);
		CPLErrorReset();
		if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE && !rc)
			rc = tp_gpkg_fail(w->path, def->name, "cannot start a transaction");
	}
	/* where the time goes (--debug on) */
	CPLDebug("tremplin", "%s: layer %s: spatial index of %zu points: %.3f s", w->path,
		 def->name, p->n, tp_clock(CLOCK_MONOTONIC) - t0);
	return rc;
}

/*
 * Copies the rows of st into layer def through one OGR feature refilled for
 * every row; *n counts them; a packed point layer's points go to pts.
 */
static int write_features(writer *w, const layer_def *def, OGRLayerH layer, tp_rows *st,
			  points *pts, long long *n)
{
	int spatial = def->gtype != wkbNone;
	/* keep the indicator's values */
	int collect = def->fields == communes_fields && w->indicator >= 0;
	int packed = w->t->gpkg && def->gtype == wkbPoint; /* the R-tree packed here, not by GDAL */
	OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
	int rc = TP_OK, step = 0, i;

	if (!f)
		return tp_error_set(TP_ERROR, "%s: layer %s: out of memory", w->path, def->name);
	while (!rc && (step = tp_rows_next(st)) > 0) {
		++*n;
		for (i = 0; i < def->nfields && !rc; i++)
			rc = set_field(w, def, f, st, i, *n);
		if (!rc && collect && !tp_rows_null(st, w->indicator))
			rc = keep_value(w, tp_rows_double(st, w->indicator));
		if (!rc && spatial)
			rc = set_geom(w, def, f, st, def->nfields, *n);
		if (rc)
			break;
		CPLErrorReset();
		OGR_F_SetFID(f, OGRNullFID);
		if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
			rc = tp_gpkg_fail(w->path, def->name, "cannot write a feature");
		else if (packed)
			rc = keep_point(w, pts, f);
	}
	if (!rc && step < 0)
		rc = step;
	OGR_F_Destroy(f);
	return rc;
}

/*
 * Creates layer def and copies its rows, all in one transaction: straight
 * into the table (copy_rows) when it can, else through OGR's features
 * (write_features).  A point layer's R-tree is packed once its rows are in
 * (write_rtree) rather than filled by GDAL one insert at a time.
 */
static int write_layer(writer *w, const layer_def *def, OGRLayerH *made)
{
	char description[1024];
	char *options[16];
	points pts = {NULL, NULL, 0, 0};
	int spatial = def->gtype != wkbNone;
	int internal = w->opts->internal;
	char context[1024];
	tp_rows *st = NULL;
	OGRLayerH layer = NULL;
	int rc = TP_OK, in_tx = 0, i;
	int packed = w->t->gpkg && def->gtype == wkbPoint; /* the R-tree packed here, not by GDAL */
	const char *const *opt;
	long long n = 0;

	snprintf(description, sizeof(description), "DESCRIPTION=%s%s%s", def->description,
		 !has_people(def) ? "" : internal ? INTERNAL_NOTE : PROTECTED_NOTE,
		 def->public_note && !internal ? def->public_note : "");
	n = 0;
	for (opt = spatial ? w->t->geom_options : w->t->table_options; *opt && n < 13; opt++)
		if (!packed || strncmp(*opt, "SPATIAL_INDEX=", 14))
			options[n++] = (char *)*opt;
	if (packed)
		options[n++] = "SPATIAL_INDEX=NO";
	options[n++] = description;
	options[n] = NULL;
	n = 0;
	snprintf(context, sizeof(context), "%s: layer %s", w->path, def->name);
	rc = tp_rows_open(&st, w->view, def->rows, NULL, context);
	if (rc)
		goto cleanup;
	CPLErrorReset();
	if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE) {
		rc = tp_gpkg_fail(w->path, def->name, "cannot start a transaction");
		goto cleanup;
	}
	in_tx = 1;
	layer = GDALDatasetCreateLayer(w->ds, def->name, spatial ? w->srs : NULL, def->gtype,
				       options);
	if (!layer) {
		rc = tp_gpkg_fail(w->path, def->name, "cannot create the layer");
		goto cleanup;
	}
	if (made)
		*made = layer;
	rc = create_fields(w, def, layer);
	if (rc)
		goto cleanup;
	rc = fast_rows(w, def) ? copy_rows(w, def, layer, st, &pts, &n)
			       : write_features(w, def, layer, st, &pts, &n);
	if (rc)
		goto cleanup;
	if (packed) {
		rc = write_rtree(w, def, &pts);
		if (rc)
			goto cleanup;
	}
	in_tx = 0;
	rc = tp_gpkg_transaction_end(w->ds, w->path, def->name, TP_OK);
	for (i = 0; i < def->nfields && w->t->field && !rc; i++)
		rc = w->t->field(w->t->ctx, def->name, def->fields[i].name, def->fields[i].domain);
cleanup:
	if (in_tx)
		rc = tp_gpkg_transaction_end(w->ds, w->path, def->name, rc);
	tp_big_free(pts.xy);
	tp_big_free(pts.fid);
	tp_rows_close(st);
	return rc;
}

/* writer.indicator when the choropleth shows an indicator table ([indicators]). */
#define TABLE_INDICATOR (-2)

/* The index in communes_fields of the number field called name, or -1. */
static int find_indicator(const char *name)
{
	int i;

	for (i = 0; i < COUNT(communes_fields); i++) {
		field_kind k = communes_fields[i].kind;
		if ((k == K_INT || k == K_INT64 || k == K_REAL) &&
		    !strcmp(communes_fields[i].name, name))
			return i;
	}
	return -1;
}

/*
 * The choropleth's indicator called name into *out: a number field of the
 * communes layer (its index in communes_fields), or an indicator table of
 * view's store ([indicators]: TABLE_INDICATOR).  0, or TP_ECONFIG naming it.
 */
static int resolve_indicator(tp_view *view, const char *path, const char *name, int *out)
{
	*out = find_indicator(name);
	if (*out < 0 && tp_indicator_is_table(view, name))
		*out = TABLE_INDICATOR;
	if (*out == -1)
		return tp_error_set(TP_ECONFIG,
				    "%s: [outputs] indicator: '%s' is not a number of the communes layer"
				    " nor an indicator table (e.g. people_total, public_space,"
				    " empty_dwellings, need)",
				    path, name);
	return TP_OK;
}

/*
 * The largest dwellings of a candidate (0 when none), which sizes the
 * candidates' circles: in a GeoPackage, from its candidates layer, written
 * by then (at a million records 290,000 rows read in 0.03 s, where the
 * store's vacancies view reads the million in 0.15 s on the GeoPackage's
 * thread, the write stage's last); in a database, from the store.
 */
static int max_dwellings(writer *w, double *out)
{
	sqlite3 *db = w->t->gpkg ? GDALGetInternalHandle(w->ds, "SQLITE_HANDLE") : NULL;
	sqlite3_stmt *q = NULL;
	tp_rows *st = NULL;
	char context[1024];
	int rc;

	*out = 0;
	if (db && sqlite3_prepare_v2(db, "SELECT MAX(dwellings) FROM candidates", -1, &q,
				     NULL) == SQLITE_OK) {
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			*out = sqlite3_column_double(q, 0);
		sqlite3_finalize(q);
		if (rc == SQLITE_ROW)
			return TP_OK;
		return tp_error_set(TP_EOUTPUT, "%s: layer candidates: %s", w->path,
				    sqlite3_errmsg(db));
	}
	snprintf(context, sizeof(context), "%s: layer layer_styles", w->path);
	rc = tp_rows_open(&st, w->view, TP_ROWS_MAX_DWELLINGS, NULL, context);
	if (!rc)
		rc = tp_rows_next(st); /* an aggregate: one row */
	if (rc > 0)
		*out = tp_rows_double(st, 0);
	tp_rows_close(st);
	return rc < 0 ? rc : TP_OK;
}

/* The four map layers' default styles (tp_gpkg_write_styles), and with
 * editions those of trends and count_zones_editions. */
static int write_styles(writer *w, int editions)
{
	const char *layer_names[] = {"communes", "candidates", "vacancies", "count_zones",
				     "occupations", "trends", "count_zones_editions"};
	const char *what[] = {
		"Communes coloured by the indicator, 5 quantile classes",
		"Candidates, circles sized by dwellings",
		"Empty dwellings by reason",
		"Count zones, outlines",
		"Temporary occupations by status",
		"Trends, the categories by their names",
		"Count zones of every edition, outlines",
	};
	/* the layers written: the register's and the editions' only when the run has them */
	int present[] = {1, 1, 1, 1, w->has_register, editions, editions};
	char *qml[7] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	const char *names[7], *whats[7];
	char *qmls[7];
	int nstyles = 0;
	tp_classes classes;
	double largest;
	int rc = TP_OK, decimals = 0, i;

	tp_classes_quantile(&classes, w->values, (size_t)w->nvalues);
	for (i = 0; i < w->nvalues; i++)
		if (w->values[i] != floor(w->values[i]))
			decimals = 2;
	rc = max_dwellings(w, &largest);
	if (rc)
		goto cleanup;
	qml[0] = tp_style_communes(w->opts->indicator, &classes, decimals, w->opts->language, 1);
	qml[1] = tp_style_candidates(largest, w->opts->language);
	qml[2] = tp_style_vacancies(w->opts->language);
	qml[3] = tp_style_zones();
	if (w->has_register)
		qml[4] = tp_style_occupations(w->opts->language);
	if (editions) {
		qml[5] = tp_style_trends(w->opts->language);
		qml[6] = tp_style_zones();
	}
	for (i = 0; i < 7; i++) {
		if (!present[i])
			continue;
		names[nstyles] = layer_names[i];
		whats[nstyles] = what[i];
		qmls[nstyles++] = qml[i];
	}
	for (i = 0; i < nstyles; i++)
		if (!qmls[i]) {
			rc = tp_error_set(TP_ERROR, "%s: out of memory", w->path);
			goto cleanup;
		}
	if (w->t->styles)
		rc = w->t->styles(w->t->ctx, nstyles, names, qmls, whats);
	else
		rc = tp_gpkg_write_styles(w->ds, w->path, nstyles, names, qmls, whats);
cleanup:
	for (i = 0; i < 7; i++)
		sqlite3_free(qml[i]);
	return rc;
}

int tp_write_layers(sqlite3 *store, const tp_gpkg_options *opts, const tp_layer_target *t)
{
	writer w = {NULL, t->where, opts, t, t->ds, NULL, NULL, "", -1, NULL, 0, 0, 0, NULL, NULL,
		    NULL, {0}, 0};
	tp_rows *eds = NULL;
	int rc = TP_OK, i, nlayers, editions = 0;
	double t_end;

	snprintf(w.shares_context, sizeof(w.shares_context), "%s: layer count_zones", w.path);
	rc = tp_view_open(&w.view, store, opts->internal);
	if (!rc)
		rc = resolve_indicator(w.view, w.path, opts->indicator, &w.indicator);
	if (!rc)
		rc = read_conditions(&w);
	if (!rc)
		rc = make_srs(&w);
	if (!rc)
		rc = tp_rows_open(&w.shares, w.view, TP_ROWS_ZONE_SHARES, "", w.shares_context);
	if (!rc)
		rc = tp_rows_open(&eds, w.view, TP_ROWS_EDITIONS, NULL, w.path);
	if (!rc && (editions = tp_rows_next(eds)) < 0)
		rc = editions;
	tp_rows_close(eds);
	if (!rc && t->gpkg)
		rc = tp_gpkg_add_domains(w.ds, w.path, opts->language);
	if (!rc && t->gpkg)
		rc = tp_gpkg_copier_open(&w.copier, store, w.ds, opts->internal,
					 opts->threads != 1);
	nlayers = COUNT(layers) - (editions ? 0 : NLAYERS_EDITIONS);
	/* a public file's candidates: the candidate list's rows (take_list) */
	w.list = w.copier && !opts->internal ? opts->candidates : NULL;
	/* with threads to spare, the sorts of candidates (unless taken from the
	 * list) and vacancy_history beside the layers before them */
	if (!rc && w.copier && opts->threads != 1)
		w.presort = presort_begin(&w, store, nlayers, opts->internal);
	for (i = 0; i < nlayers && !rc; i++) {
		OGRLayerH made = NULL;
		double t0, c0;

		if (!layer_written(&w, &layers[i]))
			continue;
		t0 = tp_clock(CLOCK_MONOTONIC);
		c0 = tp_clock(CLOCK_THREAD_CPUTIME_ID);
		rc = write_layer(&w, &layers[i], &made);
		/* where the stage's time goes (--debug on): this thread's CPU, not the presort's */
		CPLDebug("tremplin", "%s: layer %s: %.3f s, CPU %.3f s", w.path, layers[i].name,
			 tp_clock(CLOCK_MONOTONIC) - t0, tp_clock(CLOCK_THREAD_CPUTIME_ID) - c0);
		if (!rc && layers[i].fields == communes_fields)
			rc = tp_gpkg_add_indicators(w.ds, made, w.path, w.view,
						    w.indicator == TABLE_INDICATOR ? opts->indicator
										   : NULL,
						    &w.values, &w.nvalues);
	}
	t_end = tp_clock(CLOCK_MONOTONIC);
	if (!rc)
		rc = write_styles(&w, editions);
	if (!rc && t->gpkg)
		rc = tp_gpkg_set_metadata(w.ds, w.path, w.view, opts->internal);
	if (!rc && t->finish)
		rc = t->finish(t->ctx, w.view);
	CPLDebug("tremplin", "%s: styles and metadata: %.3f s", w.path,
		 tp_clock(CLOCK_MONOTONIC) - t_end);
	presort_end(w.presort);
	tp_gpkg_copier_close(w.copier);
	tp_rows_close(w.shares);
	tp_view_close(w.view);
	if (w.srs)
		OSRDestroySpatialReference(w.srs);
	free(w.values);
	return rc;
}

/*
 * GDAL 3.6 fills a layer's RTree from a background thread through a side
 * file next to the GeoPackage.  That path had 3.6.x regressions with
 * transactions and several layers, and measured slower here than the
 * plain triggers (200,000 points: 7 s against 4 s on two cores).
 */
static const char threaded_rtree[] = "OGR_GPKG_ALLOW_THREADED_RTREE";

/* The vacancies' number, the largest layer's (its highest id: a look-up,
 * not a count), for the file's page size (tp_gpkg_begin); 0 when unread. */
static size_t vacancies_rows(sqlite3 *store)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 n = 0;

	if (sqlite3_prepare_v2(store, "SELECT max(id) FROM vacancies", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n > 0 ? (size_t)n : 0;
}

int tp_write_gpkg(sqlite3 *store, const char *path, const tp_gpkg_options *opts)
{
	static const char *const geom_options[] = {"FID=fid", "GEOMETRY_NAME=geom",
						   "SPATIAL_INDEX=YES", NULL};
	static const char *const table_options[] = {"FID=fid", "ASPATIAL_VARIANT=GPKG_ATTRIBUTES",
						    NULL};
	tp_layer_target t = {NULL, path, geom_options, table_options, 1, NULL, NULL, NULL, NULL};
	tp_outfile out;
	char *saved_rtree = NULL; /* the caller's setting, restored on return */
	const char *old;
	tp_view *view = NULL;
	size_t rows = 0;
	int rc, indicator;

	GDALAllRegister();
	/* the indicator is refused before any file is begun */
	rc = tp_view_open(&view, store, opts->internal);
	if (!rc)
		rc = resolve_indicator(view, path, opts->indicator, &indicator);
	if (!rc)
		rows = vacancies_rows(store);
	tp_view_close(view);
	if (rc)
		return rc;
	old = CPLGetThreadLocalConfigOption(threaded_rtree, NULL);
	saved_rtree = old ? CPLStrdup(old) : NULL;
	CPLSetThreadLocalConfigOption(threaded_rtree, "NO");
	rc = tp_gpkg_begin(&out, path, rows, &t.ds);
	if (!rc)
		rc = tp_gpkg_end(&out, t.ds, tp_write_layers(store, opts, &t));
	CPLSetThreadLocalConfigOption(threaded_rtree, saved_rtree);
	CPLFree(saved_rtree);
	return rc;
}

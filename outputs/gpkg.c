/*
 * gpkg.c: OUTDIR/tremplin.gpkg, the GeoPackage a person opens in QGIS.
 *
 * Each layer is described by a row of a static table: its name, geometry
 * type, and one SELECT on the working store whose columns are the layer's
 * fields in order, followed by the WKB geometry.  One generic loop copies
 * any such layer, inside one GDAL transaction per layer.  The people
 * figures of communes and count_zones come from the protect stage's
 * public tables (the file may be published) unless the config asks for
 * an internal output; the layers' descriptions and the dataset metadata
 * say which.  Coded fields carry GDAL field domains, the map layers a
 * QGIS default style (styles.c) in layer_styles.  The file is built under
 * a temporary name and renamed onto its final name only after GDAL has
 * closed it cleanly (see outputs.h).
 */
#include "outputs/outputs.h"
#include "geo/categories.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "outputs/published.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

typedef struct {
	const char *name;         /* layer name */
	OGRwkbGeometryType gtype; /* wkbNone for an attribute table */
	const char *sql;          /* the fields in order, then the geometry unless wkbNone */
	const char *sql_internal; /* the same with exact people figures; NULL: sql */
	const field_def *fields;  /* one per SELECT column before the geometry */
	int nfields;              /* number of fields */
	const char *description;  /* gpkg_contents.description */
} layer_def;

/* Everything one tp_write_gpkg() call holds. */
typedef struct {
	sqlite3 *store;              /* the working store, read only */
	const char *path;            /* final file name, for messages */
	const tp_gpkg_options *opts; /* what the config asks */
	GDALDatasetH ds;             /* the GeoPackage being written */
	OGRSpatialReferenceH srs;    /* the working CRS */
	sqlite3_stmt *shares;        /* zone_shares rows of one zone */
	int indicator;               /* field of communes_fields the choropleth shows */
	double *values;              /* its non-NULL values, as written */
	int nvalues;                 /* how many */
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

/* A category (geo/categories.h) from table alias p, s or z, its label from p. */
#define FIGURE_p(c, fr, nl, aliases) " p." #c ", p." #c "_label,"
#define FIGURE_s(c, fr, nl, aliases) " s." #c ", p." #c "_label,"
#define FIGURE_z(c, fr, nl, aliases) " z." #c ", p." #c "_label,"

/* The seven people figures and their labels, from table alias a (labels from p). */
#define PEOPLE(a, total) TP_CATEGORIES(FIGURE_##a) " " #a "." total ", p.people_total_label"

#define COMMUNES_SQL(a)                                                                       \
	"SELECT c.nis_code, c.name_fr, c.name_nl, c.population," PEOPLE(a, "people_total") ","  \
	" s.vacancy_records, s.empty_dwellings, s.candidate_buildings, s.candidate_dwellings,"  \
	" s.capacity, " #a ".capacity_share_public, " #a ".capacity_share_total, " #a ".need,"  \
	" c.geom"                                                                               \
	" FROM communes c LEFT JOIN commune_summary s ON s.nis_code = c.nis_code"               \
	" LEFT JOIN public_communes p ON p.nis_code = c.nis_code"                               \
	" ORDER BY c.nis_code, c.id"

#define ZONES_SQL(a, total)                                                                 \
	"SELECT z.zone_id," PEOPLE(a, total) ", z.area, z.inside_area, z.outside_area,"        \
	" CASE WHEN z.area > 0 THEN z.outside_area / z.area END, z.zone_id, z.geom"           \
	" FROM zones z LEFT JOIN public_zones p ON p.zone_id = z.zone_id"                     \
	" ORDER BY z.zone_id, z.id"

#define PROTECTED_NOTE                                                                      \
	" People figures are protected for publication: rounded to a multiple of 5; a figure"  \
	" under the small-cell threshold is withheld (NULL, label \"<5\" for a threshold of 5)," \
	" and so is a figure that would let it be worked out (label \"x\"); see the README,"  \
	" Privacy."
#define INTERNAL_NOTE                                                                       \
	" INTERNAL OUTPUT: the people figures are exact and must not be published; the"        \
	" *_label fields show what a public output says."

/*
 * The name of a commune comes from a subquery rather than a join so that
 * a duplicated nis_code can never duplicate a candidate.  The original
 * values of a rejected count zone hold its people counts: a public file
 * leaves them out.
 */
static const layer_def layers[] = {
	{"communes", wkbMultiPolygon, COMMUNES_SQL(p), COMMUNES_SQL(s), communes_fields,
	 COUNT(communes_fields),
	 "Communes: people counted (apportioned by area), empty dwellings, candidates,"
	 " capacity."},
	{"vacancies", wkbPoint,
	 "SELECT src_row, src_id, address, postcode, geocode, owner, owner_type, dwellings,"
	 " reason, vacant_since, works_start, owner_agreed, nis_code, zone_id, candidate,"
	 " status, window_months, capacity, score, rank, geom"
	 " FROM vacancies ORDER BY id",
	 NULL, vacancies_fields, COUNT(vacancies_fields),
	 "Empty dwellings, one point per record, with why each is or is not a candidate."},
	{"candidates", wkbPoint,
	 "SELECT v.rank, v.src_id, v.address, v.owner, v.owner_type, v.nis_code,"
	 " (SELECT c.name_fr FROM communes c WHERE c.nis_code = v.nis_code"
	 " ORDER BY c.id LIMIT 1),"
	 " v.zone_id, v.dwellings, v.window_months, v.capacity, v.score,"
	 " v.works_start, v.status, v.geom"
	 " FROM vacancies v WHERE v.candidate = 1"
	 " ORDER BY v.rank IS NULL, v.rank, v.id",
	 NULL, candidates_fields, COUNT(candidates_fields),
	 "Candidates for a temporary occupation, ranked by score."},
	{"count_zones", wkbMultiPolygon, ZONES_SQL(p, "people_total"), ZONES_SQL(z, TP_ZONE_TOTAL),
	 zones_fields, COUNT(zones_fields),
	 "Count zones: people counted per category, and how each zone is shared among"
	 " communes."},
	{"rejects", wkbNone,
	 "SELECT input, source_file, layer, src_row, stage, field,"
	 " CASE WHEN input = 'zones' AND instr(reason, '''') > 0" /* a zone's reason quotes no count */
	 " THEN rtrim(substr(reason, 1, instr(reason, '''') - 1), ': ') ELSE reason END,"
	 " CASE WHEN input = 'zones' THEN NULL ELSE original END"
	 " FROM rejects ORDER BY id",
	 "SELECT input, source_file, layer, src_row, stage, field, reason, original"
	 " FROM rejects ORDER BY id",
	 rejects_fields, COUNT(rejects_fields),
	 "Rejected input rows: file, layer, row, field and reason."},
};

/* Layers whose people figures depend on opts->internal. */
static int has_people(const layer_def *def)
{
	return def->fields == communes_fields || def->fields == zones_fields;
}

static const char shares_sql[] =
	"SELECT nis_code, share FROM zone_shares WHERE zone_id = ? ORDER BY nis_code";

/* Records a GDAL failure on layer (NULL for the whole file) with GDAL's reason. */
static int gdal_fail(const writer *w, const char *layer, const char *what)
{
	const char *why = CPLGetLastErrorMsg();

	if (!why || !*why)
		why = "GDAL gave no reason";
	if (layer)
		return tp_error_set(TP_EOUTPUT, "%s: layer %s: %s: %s", w->path, layer, what, why);
	return tp_error_set(TP_EOUTPUT, "%s: %s: %s", w->path, what, why);
}

static int store_fail(const writer *w, const char *layer)
{
	return tp_error_set(TP_ESTORE, "%s: layer %s: cannot read the working store: %s",
			    w->path, layer, sqlite3_errmsg(w->store));
}

/* Reads the working CRS from meta: crs first, crs_wkt when crs is unusable. */
static int make_srs(writer *w)
{
	sqlite3_stmt *st = NULL;
	const char *crs = NULL;
	char first[256] = "";
	int rc = TP_OK, step, ok = 0;

	w->srs = OSRNewSpatialReference(NULL);
	if (!w->srs) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", w->path);
		goto cleanup;
	}
	if (sqlite3_prepare_v2(w->store,
			       "SELECT value FROM meta WHERE key IN ('crs', 'crs_wkt')"
			       " AND value IS NOT NULL ORDER BY key = 'crs' DESC",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = tp_error_set(TP_ESTORE, "%s: cannot read the working CRS: %s", w->path,
				  sqlite3_errmsg(w->store));
		goto cleanup;
	}
	while (!ok && (step = sqlite3_step(st)) == SQLITE_ROW) {
		crs = (const char *)sqlite3_column_text(st, 0);
		if (!crs)
			continue;
		if (!first[0])
			snprintf(first, sizeof(first), "%s", crs);
		ok = OSRSetFromUserInput(w->srs, crs) == OGRERR_NONE;
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
	sqlite3_finalize(st);
	return rc;
}

/* "21004:0.6234;21015:0.3766" for zone_id; NULL when the zone has no shares. */
static int set_shares(writer *w, const char *layer, OGRFeatureH f, int i, const char *zone_id)
{
	sqlite3_str *s = NULL;
	int rc = TP_OK, step, n = 0;

	sqlite3_reset(w->shares);
	sqlite3_bind_text(w->shares, 1, zone_id, -1, SQLITE_TRANSIENT);
	s = sqlite3_str_new(NULL);
	while ((step = sqlite3_step(w->shares)) == SQLITE_ROW) {
		/* SQLite's printf ignores the locale: the decimal point stays '.'. */
		sqlite3_str_appendf(s, "%s%s:%.4f", n++ ? ";" : "",
				    (const char *)sqlite3_column_text(w->shares, 0),
				    sqlite3_column_double(w->shares, 1));
	}
	if (step != SQLITE_DONE) {
		rc = store_fail(w, layer);
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
	sqlite3_reset(w->shares);
	return rc;
}

/* Sets field i of f from column i of the current row; n numbers the feature. */
static int set_field(writer *w, const layer_def *def, OGRFeatureH f, sqlite3_stmt *st, int i,
		     long long n)
{
	const char *text;
	tp_date date;

	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		OGR_F_SetFieldNull(f, i);
		return TP_OK;
	}
	switch (def->fields[i].kind) {
	case K_TEXT:
		OGR_F_SetFieldString(f, i, (const char *)sqlite3_column_text(st, i));
		break;
	case K_INT:
		OGR_F_SetFieldInteger(f, i, sqlite3_column_int(st, i));
		break;
	case K_INT64:
		OGR_F_SetFieldInteger64(f, i, sqlite3_column_int64(st, i));
		break;
	case K_BOOL:
		OGR_F_SetFieldInteger(f, i, sqlite3_column_int64(st, i) != 0);
		break;
	case K_REAL:
		OGR_F_SetFieldDouble(f, i, sqlite3_column_double(st, i));
		break;
	case K_DATE:
		text = (const char *)sqlite3_column_text(st, i);
		if (tp_date_parse_iso(&date, text))
			return tp_error_set(TP_ESTORE,
					    "%s: layer %s: feature %lld: %s '%s' is not a date"
					    " (YYYY-MM-DD)",
					    w->path, def->name, n, def->fields[i].name,
					    text ? text : "");
		OGR_F_SetFieldDateTime(f, i, date.y, date.m, date.d, 0, 0, 0, 0);
		break;
	case K_SHARES:
		return set_shares(w, def->name, f, i, (const char *)sqlite3_column_text(st, i));
	}
	return TP_OK;
}

/* Sets the geometry of f from the WKB in column col; a NULL blob leaves f without one. */
static int set_geom(writer *w, const layer_def *def, OGRFeatureH f, sqlite3_stmt *st, int col,
		    long long n)
{
	const void *wkb = sqlite3_column_blob(st, col);
	int len = sqlite3_column_bytes(st, col);
	OGRGeometryH g = NULL;
	int rc = TP_OK;

	if (!wkb || len == 0)
		goto cleanup;
	if (OGR_G_CreateFromWkb(wkb, NULL, &g, len) != OGRERR_NONE || !g) {
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
			rc = gdal_fail(w, def->name, "cannot create a field");
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

/* Creates layer def and copies its rows, all in one transaction. */
static int write_layer(writer *w, const layer_def *def)
{
	char description[1024];
	char *geom_opts[] = {"FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES", description,
			     NULL};
	char *attr_opts[] = {"FID=fid", "ASPATIAL_VARIANT=GPKG_ATTRIBUTES", description, NULL};
	int spatial = def->gtype != wkbNone;
	int internal = w->opts->internal;
	const char *sql = internal && def->sql_internal ? def->sql_internal : def->sql;
	sqlite3_stmt *st = NULL;
	OGRLayerH layer = NULL;
	OGRFeatureDefnH defn = NULL;
	OGRFeatureH f = NULL;
	int rc = TP_OK, in_tx = 0, step, i;
	int collect = def->fields == communes_fields; /* keep the indicator's values */
	long long n = 0;

	snprintf(description, sizeof(description), "DESCRIPTION=%s%s%s", def->description,
		 !has_people(def) ? "" : internal ? INTERNAL_NOTE : PROTECTED_NOTE,
		 def->sql_internal && !has_people(def) && !internal
			 ? " The original values of rejected count zones are left out: they hold"
			   " people counts."
			 : "");
	if (sqlite3_prepare_v2(w->store, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = store_fail(w, def->name);
		goto cleanup;
	}
	CPLErrorReset();
	if (GDALDatasetStartTransaction(w->ds, FALSE) != OGRERR_NONE) {
		rc = gdal_fail(w, def->name, "cannot start a transaction");
		goto cleanup;
	}
	in_tx = 1;
	layer = GDALDatasetCreateLayer(w->ds, def->name, spatial ? w->srs : NULL, def->gtype,
				       spatial ? geom_opts : attr_opts);
	if (!layer) {
		rc = gdal_fail(w, def->name, "cannot create the layer");
		goto cleanup;
	}
	rc = create_fields(w, def, layer);
	if (rc)
		goto cleanup;
	defn = OGR_L_GetLayerDefn(layer);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		f = OGR_F_Create(defn);
		if (!f) {
			rc = tp_error_set(TP_ERROR, "%s: layer %s: out of memory", w->path, def->name);
			goto cleanup;
		}
		for (i = 0; i < def->nfields; i++) {
			rc = set_field(w, def, f, st, i, n);
			if (rc)
				goto cleanup;
		}
		if (collect && sqlite3_column_type(st, w->indicator) != SQLITE_NULL) {
			rc = keep_value(w, sqlite3_column_double(st, w->indicator));
			if (rc)
				goto cleanup;
		}
		if (spatial) {
			rc = set_geom(w, def, f, st, def->nfields, n);
			if (rc)
				goto cleanup;
		}
		CPLErrorReset();
		if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE) {
			rc = gdal_fail(w, def->name, "cannot write a feature");
			goto cleanup;
		}
		OGR_F_Destroy(f);
		f = NULL;
	}
	if (step != SQLITE_DONE) {
		rc = store_fail(w, def->name);
		goto cleanup;
	}
	CPLErrorReset();
	if (GDALDatasetCommitTransaction(w->ds) != OGRERR_NONE) {
		rc = gdal_fail(w, def->name, "cannot commit");
		goto cleanup;
	}
	in_tx = 0;
cleanup:
	if (in_tx) {
		/* The file is discarded: GDAL's complaints would only bury the real error. */
		CPLPushErrorHandler(CPLQuietErrorHandler);
		GDALDatasetRollbackTransaction(w->ds);
		CPLPopErrorHandler();
	}
	if (f)
		OGR_F_Destroy(f);
	sqlite3_finalize(st);
	return rc;
}

/* ---- what surrounds the layers: domains, styles, metadata ---------------- */

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

/* Adds the coded field domains the layers refer to, named in the configured language. */
static int add_domains(writer *w)
{
	static const tp_code_list *const lists[] = {&tp_owner_types, &tp_reasons,
						    &tp_candidate_flags};
	OGRCodedValue values[16];
	char names[16][256];
	OGRFieldDomainH dom = NULL;
	char *why = NULL;
	int rc = TP_OK, i, j;

	for (i = 0; i < COUNT(lists) && !rc; i++) {
		const tp_code_list *l = lists[i];
		int integer = l == &tp_candidate_flags;
		for (j = 0; j < l->n && j < COUNT(values) - 1; j++) {
			values[j].pszCode = (char *)l->codes[j].code;
			values[j].pszValue = (char *)tp_code_name(&l->codes[j], w->opts->language,
								  names[j], sizeof(names[j]));
		}
		values[j].pszCode = NULL;
		values[j].pszValue = NULL;
		CPLErrorReset();
		dom = OGR_CodedFldDomain_Create(l->domain, l->description,
						integer ? OFTInteger : OFTString, OFSTNone, values);
		if (!dom) {
			rc = gdal_fail(w, NULL, "cannot make a field domain");
			break;
		}
		if (!GDALDatasetAddFieldDomain(w->ds, dom, &why))
			rc = tp_error_set(TP_EOUTPUT, "%s: cannot add the field domain %s: %s",
					  w->path, l->domain, why ? why : "GDAL gave no reason");
		CPLFree(why);
		why = NULL;
		OGR_FldDomain_Destroy(dom);
		dom = NULL;
	}
	return rc;
}

/* A text field of layer_styles; width 0 for unbounded. */
static int style_field(const char *path, OGRLayerH layer, const char *name, OGRFieldType type,
		       int width)
{
	OGRFieldDefnH fd = OGR_Fld_Create(name, type);
	int rc = TP_OK;

	if (width)
		OGR_Fld_SetWidth(fd, width);
	if (type == OFTInteger)
		OGR_Fld_SetSubType(fd, OFSTBoolean);
	if (type == OFTDateTime)
		OGR_Fld_SetDefault(fd, "CURRENT_TIMESTAMP");
	if (OGR_L_CreateField(layer, fd, TRUE) != OGRERR_NONE)
		rc = tp_error_set(TP_EOUTPUT, "%s: layer layer_styles: cannot create a field: %s", path,
				  CPLGetLastErrorMsg());
	OGR_Fld_Destroy(fd);
	return rc;
}

int tp_gpkg_write_styles(void *ds, const char *path, int n, const char *const *layers,
			 char *const *qml, const char *const *what)
{
	static const struct {
		const char *name;
		OGRFieldType type;
		int width;
	} columns[] = {
		{"f_table_catalog", OFTString, 256}, {"f_table_schema", OFTString, 256},
		{"f_table_name", OFTString, 256},    {"f_geometry_column", OFTString, 256},
		{"styleName", OFTString, 30},        {"styleQML", OFTString, 0},
		{"styleSLD", OFTString, 0},          {"useAsDefault", OFTInteger, 0},
		{"description", OFTString, 0},       {"owner", OFTString, 30},
		{"ui", OFTString, 30},               {"update_time", OFTDateTime, 0},
	};
	char *opts[] = {"FID=id", "ASPATIAL_VARIANT=GPKG_ATTRIBUTES",
			"DESCRIPTION=Default QGIS styles of the map layers", NULL};
	OGRLayerH layer = NULL;
	OGRFeatureH f = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int rc = TP_OK, in_tx = 0, i;

	CPLErrorReset();
	if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE) {
		rc = tp_error_set(TP_EOUTPUT, "%s: layer layer_styles: cannot start a transaction: %s",
				  path, CPLGetLastErrorMsg());
		goto cleanup;
	}
	in_tx = 1;
	layer = GDALDatasetCreateLayer(ds, "layer_styles", NULL, wkbNone, opts);
	if (!layer) {
		rc = tp_error_set(TP_EOUTPUT, "%s: layer layer_styles: cannot create the layer: %s",
				  path, CPLGetLastErrorMsg());
		goto cleanup;
	}
	for (i = 0; i < (int)COUNT(columns) && !rc; i++)
		rc = style_field(path, layer, columns[i].name, columns[i].type, columns[i].width);
	if (rc)
		goto cleanup;
	gmtime_r(&now, &tm);
	for (i = 0; i < n; i++) {
		f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
		if (!f) {
			rc = tp_error_set(TP_ERROR, "%s: out of memory", path);
			goto cleanup;
		}
		OGR_F_SetFieldString(f, 0, "");
		OGR_F_SetFieldString(f, 1, "");
		OGR_F_SetFieldString(f, 2, layers[i]);
		OGR_F_SetFieldString(f, 3, "geom");
		OGR_F_SetFieldString(f, 4, layers[i]);
		OGR_F_SetFieldString(f, 5, qml[i]);
		OGR_F_SetFieldString(f, 6, "");
		OGR_F_SetFieldInteger(f, 7, 1);
		OGR_F_SetFieldString(f, 8, what[i]);
		OGR_F_SetFieldString(f, 9, "tremplin");
		OGR_F_SetFieldNull(f, 10);
		OGR_F_SetFieldDateTimeEx(f, 11, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
					 tm.tm_hour, tm.tm_min, (float)tm.tm_sec, 100);
		CPLErrorReset();
		if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE) {
			rc = tp_error_set(TP_EOUTPUT, "%s: layer layer_styles: cannot write a feature: %s",
					  path, CPLGetLastErrorMsg());
			goto cleanup;
		}
		OGR_F_Destroy(f);
		f = NULL;
	}
	CPLErrorReset();
	if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE) {
		rc = tp_error_set(TP_EOUTPUT, "%s: layer layer_styles: cannot commit: %s", path,
				  CPLGetLastErrorMsg());
		goto cleanup;
	}
	in_tx = 0;
cleanup:
	if (in_tx) {
		CPLPushErrorHandler(CPLQuietErrorHandler);
		GDALDatasetRollbackTransaction(ds);
		CPLPopErrorHandler();
	}
	if (f)
		OGR_F_Destroy(f);
	return rc;
}

/* The four map layers' default styles (tp_gpkg_write_styles). */
static int write_styles(writer *w)
{
	const char *layer_names[] = {"communes", "candidates", "vacancies", "count_zones"};
	const char *what[] = {
		"Communes coloured by the indicator, 5 quantile classes",
		"Candidates, circles sized by dwellings",
		"Empty dwellings by reason",
		"Count zones, outlines",
	};
	char *qml[4] = {NULL, NULL, NULL, NULL};
	tp_classes classes;
	double max_dwellings;
	sqlite3_stmt *st = NULL;
	int rc = TP_OK, decimals = 0, i;

	tp_classes_quantile(&classes, w->values, (size_t)w->nvalues);
	for (i = 0; i < w->nvalues; i++)
		if (w->values[i] != floor(w->values[i]))
			decimals = 2;
	if (sqlite3_prepare_v2(w->store,
			       "SELECT MAX(dwellings) FROM vacancies WHERE candidate = 1", -1, &st,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = store_fail(w, "layer_styles");
		goto cleanup;
	}
	max_dwellings = sqlite3_column_double(st, 0);
	qml[0] = tp_style_communes(w->opts->indicator, &classes, decimals, w->opts->language);
	qml[1] = tp_style_candidates(max_dwellings, w->opts->language);
	qml[2] = tp_style_vacancies(w->opts->language);
	qml[3] = tp_style_zones();
	for (i = 0; i < 4; i++)
		if (!qml[i]) {
			rc = tp_error_set(TP_ERROR, "%s: out of memory", w->path);
			goto cleanup;
		}
	rc = tp_gpkg_write_styles(w->ds, w->path, 4, layer_names, qml, what);
cleanup:
	for (i = 0; i < 4; i++)
		sqlite3_free(qml[i]);
	sqlite3_finalize(st);
	return rc;
}

/*
 * meta.key of the store, or "" (a static empty string) when absent.  The
 * text lives in st's row: it is gone at the next call.
 */
static const char *meta_text(sqlite3_stmt *st, const char *key)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		return (const char *)sqlite3_column_text(st, 0);
	return "";
}

/*
 * The dataset metadata (gpkg_metadata, scope geopackage, written by GDAL
 * when the file closes): where the data came from, the reference date, the
 * whole config, the version, and which people figures the file holds.
 */
static int set_metadata(writer *w)
{
	sqlite3_stmt *st = NULL, *src = NULL;
	sqlite3_str *sources = sqlite3_str_new(NULL);
	char figures[512], threshold[32], base[32];
	int rc = TP_OK, step;

	if (sqlite3_prepare_v2(w->store, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(w->store,
			       "SELECT input, path, layer, src_crs, read FROM input_stats"
			       " ORDER BY input",
			       -1, &src, NULL) != SQLITE_OK) {
		rc = tp_error_set(TP_ESTORE, "%s: cannot read the working store: %s", w->path,
				  sqlite3_errmsg(w->store));
		goto cleanup;
	}
	while ((step = sqlite3_step(src)) == SQLITE_ROW)
		sqlite3_str_appendf(sources, "%s: %s, layer %s, CRS %s, %lld rows read\n",
				    sqlite3_column_text(src, 0), sqlite3_column_text(src, 1),
				    sqlite3_column_text(src, 2), sqlite3_column_text(src, 3),
				    (long long)sqlite3_column_int64(src, 4));
	if (step != SQLITE_DONE || sqlite3_str_errcode(sources) != SQLITE_OK) {
		rc = tp_error_set(TP_ESTORE, "%s: cannot read the working store: %s", w->path,
				  sqlite3_errmsg(w->store));
		goto cleanup;
	}
	if (w->opts->internal)
		snprintf(figures, sizeof(figures),
			 "exact: an internal output, not to be published ([outputs] internal = yes)");
	else {
		snprintf(threshold, sizeof(threshold), "%s", meta_text(st, "small_cell_threshold"));
		snprintf(base, sizeof(base), "%s", meta_text(st, "rounding_base"));
		snprintf(figures, sizeof(figures),
			 "protected: rounded to a multiple of %s, figures under %s withheld ('<%s')"
			 " and the figures that would reveal them ('x')",
			 base, threshold, threshold);
	}
	CPLErrorReset();
	GDALSetMetadataItem(w->ds, "TITLE", "tremplin: people counted without a home and empty"
					    " dwellings, per commune",
			    NULL);
	GDALSetMetadataItem(w->ds, "PEOPLE_FIGURES", figures, NULL);
	GDALSetMetadataItem(w->ds, "TREMPLIN_VERSION", meta_text(st, "tremplin_version"), NULL);
	GDALSetMetadataItem(w->ds, "REFERENCE_DATE", meta_text(st, "reference_date"), NULL);
	GDALSetMetadataItem(w->ds, "RUN_STARTED", meta_text(st, "run_started"), NULL);
	GDALSetMetadataItem(w->ds, "CRS", meta_text(st, "crs"), NULL);
	GDALSetMetadataItem(w->ds, "SOURCES", sqlite3_str_value(sources), NULL);
	GDALSetMetadataItem(w->ds, "CONFIG_PATH", meta_text(st, "config_path"), NULL);
	GDALSetMetadataItem(w->ds, "CONFIG", meta_text(st, "config_text"), NULL);
	if (CPLGetLastErrorType() >= CE_Failure)
		rc = gdal_fail(w, NULL, "cannot set the metadata");
cleanup:
	sqlite3_free(sqlite3_str_finish(sources));
	sqlite3_finalize(st);
	sqlite3_finalize(src);
	return rc;
}

int tp_gpkg_begin(tp_outfile *out, const char *path, void **ds)
{
	GDALDriverH drv = GDALGetDriverByName("GPKG");
	const char *why;
	int rc;

	*ds = NULL;
	if (!drv)
		return tp_error_set(TP_EOUTPUT, "%s: GDAL has no GPKG driver", path);
	rc = tp_outfile_begin(out, path, TP_OUTFILE_SQLITE);
	if (rc)
		return rc;
	/*
	 * GDAL warns that the temporary name does not end in .gpkg (the final
	 * one does); a failure is still kept by CPLGetLastErrorMsg().
	 */
	CPLErrorReset();
	CPLPushErrorHandler(CPLQuietErrorHandler);
	*ds = GDALCreate(drv, out->tmp, 0, 0, 0, GDT_Unknown, NULL);
	CPLPopErrorHandler();
	if (*ds)
		return TP_OK;
	why = CPLGetLastErrorMsg();
	rc = tp_error_set(TP_EOUTPUT, "%s: cannot create the temporary file: %s", out->path,
			  why && *why ? why : "GDAL gave no reason");
	tp_outfile_abort(out);
	return rc;
}

int tp_gpkg_end(tp_outfile *out, void *ds, int rc)
{
	const char *why;

	if (rc) {
		if (ds) {
			CPLPushErrorHandler(CPLQuietErrorHandler);
			GDALClose(ds);
			CPLPopErrorHandler();
		}
		tp_outfile_abort(out);
		return rc;
	}
	/* GDAL 3.6's GDALClose() returns nothing: a failure shows as the last error. */
	CPLErrorReset();
	GDALClose(ds);
	if (CPLGetLastErrorType() >= CE_Failure) {
		why = CPLGetLastErrorMsg();
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot finish the file: %s", out->path,
				  why && *why ? why : "GDAL gave no reason");
	}
	return tp_outfile_end(out, rc);
}

/*
 * GDAL 3.6 fills a layer's RTree from a background thread through a side
 * file next to the GeoPackage.  That path had 3.6.x regressions with
 * transactions and several layers, and measured slower here than the
 * plain triggers (200,000 points: 7 s against 4 s on two cores).
 */
static const char threaded_rtree[] = "OGR_GPKG_ALLOW_THREADED_RTREE";

int tp_write_gpkg(sqlite3 *store, const char *path, const tp_gpkg_options *opts)
{
	writer w = {store, path, opts, NULL, NULL, NULL, -1, NULL, 0};
	tp_outfile out;
	char *saved_rtree = NULL; /* the caller's setting, restored on return */
	int rtree_set = 0;
	const char *old;
	int rc = TP_OK, i;

	GDALAllRegister();
	w.indicator = find_indicator(opts->indicator);
	if (w.indicator < 0) {
		rc = tp_error_set(TP_ECONFIG,
				  "%s: [outputs] indicator: '%s' is not a number of the communes layer"
				  " (e.g. people_total, public_space, empty_dwellings, need)",
				  path, opts->indicator);
		goto cleanup;
	}
	rc = tp_published_begin(store, opts->internal);
	if (!rc)
		rc = make_srs(&w);
	if (rc)
		goto cleanup;
	if (sqlite3_prepare_v2(store, shares_sql, -1, &w.shares, NULL) != SQLITE_OK) {
		rc = store_fail(&w, "count_zones");
		goto cleanup;
	}
	old = CPLGetThreadLocalConfigOption(threaded_rtree, NULL);
	saved_rtree = old ? CPLStrdup(old) : NULL;
	CPLSetThreadLocalConfigOption(threaded_rtree, "NO");
	rtree_set = 1;
	rc = tp_gpkg_begin(&out, path, &w.ds);
	if (rc)
		goto cleanup;
	rc = add_domains(&w);
	for (i = 0; i < COUNT(layers) && !rc; i++)
		rc = write_layer(&w, &layers[i]);
	if (!rc)
		rc = write_styles(&w);
	if (!rc)
		rc = set_metadata(&w);
	rc = tp_gpkg_end(&out, w.ds, rc);
cleanup:
	if (rtree_set)
		CPLSetThreadLocalConfigOption(threaded_rtree, saved_rtree);
	CPLFree(saved_rtree);
	sqlite3_finalize(w.shares);
	tp_published_end(store);
	if (w.srs)
		OSRDestroySpatialReference(w.srs);
	free(w.values);
	return rc;
}

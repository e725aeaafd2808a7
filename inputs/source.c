/*
 * source.c: opening input files through OGR (source.h).
 */
#include "inputs/source.h"
#include "geo/array.h"
#include "inputs/file.h"
#include "inputs/text.h"
#include "geo/error.h"
#include "geo/geo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <ogr_srs_api.h>

/* 1 when path ends with ext (case-insensitive, ext with its dot). */
static int has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), m = strlen(ext);

	return n >= m && strcasecmp(path + n - m, ext) == 0;
}

char tp_source_separator(const char *s)
{
	int semi = 0, comma = 0, tab = 0, quoted = 0;

	if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
	    (unsigned char)s[2] == 0xBF)
		s += 3;
	for (; *s && (quoted || (*s != '\n' && *s != '\r')); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == ';')
			semi++;
		else if (!quoted && *s == ',')
			comma++;
		else if (!quoted && *s == '\t')
			tab++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

/*
 * The drivers an input may be read with.  None of them reaches the network
 * by itself; VRT is left out because a VRT names other files, any of which
 * may be a URL (/vsicurl/, /vsis3/, ...): an input file must never make
 * tremplin connect anywhere (README, "Inputs and the network").
 */
static const char *const input_drivers[] = {
	"CSV", "XLSX", "ODS", "XLS", "GeoJSON", "GeoJSONSeq", "GPKG", "SQLite", "ESRI Shapefile",
	"FlatGeobuf", "MapInfo File", "KML", NULL,
};

/* 1 when path names something GDAL would fetch over the network. */
static int is_remote(const char *path)
{
	static const char *const prefix[] = {
		"/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss", "/vsiswift",
		"/vsiwebhdfs", "/vsihdfs", "http://", "https://", "ftp://", "PG:", "WFS:",
	};
	size_t i;

	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (!strncasecmp(path, prefix[i], strlen(prefix[i])) ||
		    (prefix[i][0] == '/' && strstr(path, prefix[i])))
			return 1;
	return 0;
}

static int is_csv(const char *path)
{
	return has_ext(path, ".csv") || has_ext(path, ".txt") || has_ext(path, ".tsv");
}

static int is_sheet(const char *path)
{
	return has_ext(path, ".xlsx") || has_ext(path, ".ods") || has_ext(path, ".xls");
}

/* The records of a CSV text: where each starts (byte offset, physical
 * line) and its first cells.  Empty lines are no record, as for OGR. */
typedef struct {
	size_t *at;     /* byte offset of each record */
	long *line;     /* 1-based physical line of each record */
	size_t n, cap;  /* records */
} csv_records;

static int csv_split(const char *s, csv_records *out)
{
	size_t i = 0, end = strlen(s);
	long line = 1;

	memset(out, 0, sizeof(*out));
	if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
		i = 3;
	while (s[i]) {
		int quoted = 0;
		if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] == '\n')) {
			i += s[i] == '\r' ? 2 : 1;
			line++;
			continue;
		}
		if (out->n == out->cap) {
			size_t nc = tp_array_next(out->cap, 256);
			if (tp_array_resize(&out->at, nc, sizeof(*out->at)) ||
			    tp_array_resize(&out->line, nc, sizeof(*out->line)))
				return TP_ERROR;
			out->cap = nc;
		}
		out->at[out->n] = i;
		out->line[out->n++] = line;
		{
			/* up to the first quote or end of line, by memchr: a record
			 * without quotes (most) ends at its line's end */
			const char *nl = memchr(s + i, '\n', end - i);
			size_t stop = nl ? (size_t)(nl - s) : end;
			const char *q = memchr(s + i, '"', stop - i);
			i = q ? (size_t)(q - s) : stop;
		}
		for (; s[i] && (quoted || s[i] != '\n'); i++) {
			if (s[i] == '"')
				quoted = !quoted;
			else if (s[i] == '\n')
				line++;
		}
		if (s[i] == '\n') {
			i++;
			line++;
		}
	}
	return TP_OK;
}

/* The cells of the record at s (up to its end of line outside quotes),
 * unquoted, as a CSL list (CSLDestroy). */
static char **csv_cells(const char *s, char sep)
{
	char **cells = NULL, cell[1024];
	size_t n = 0;
	int quoted = 0;

	for (;; s++) {
		if (!*s || (!quoted && (*s == sep || *s == '\n' || *s == '\r'))) {
			cell[n] = '\0';
			cells = CSLAddString(cells, cell);
			n = 0;
			if (*s != sep)
				return cells;
			continue;
		}
		if (*s == '"') {
			if (quoted && s[1] == '"')
				s++;
			else {
				quoted = !quoted;
				continue;
			}
		}
		if (n + 1 < sizeof(cell))
			cell[n++] = *s;
	}
}

/* Picks the header among the first rows: header_row when given, else the
 * best scored (the first on a tie, the first row when none scores).
 * rows[k] are the cells of the row numbered rownum[k]; returns its index,
 * or -1 when header_row is not among them. */
static long pick_header(char **const *rows, const long *rownum, size_t n, long header_row,
			tp_header_score score, void *ctx)
{
	size_t k;
	long best = 0;
	int best_score = 0;

	for (k = 0; k < n; k++) {
		if (header_row > 0) {
			if (rownum[k] == header_row)
				return (long)k;
			continue;
		}
		if (score) {
			int v = score(ctx, (const char *const *)rows[k], CSLCount(rows[k]));
			if (v > best_score)
				best_score = v, best = (long)k;
		}
	}
	return header_row > 0 ? -1 : best;
}

#define HEADER_ROWS 20

/* The cells of spreadsheet feature f as text, a CSL list (CSLDestroy). */
static char **sheet_cells(OGRFeatureH f)
{
	char **cells = NULL;
	int i, n = OGR_F_GetFieldCount(f);

	for (i = 0; i < n; i++)
		cells = CSLAddString(cells, OGR_F_IsFieldSetAndNotNull(f, i)
						    ? OGR_F_GetFieldAsString(f, i)
						    : "");
	return cells;
}

/* Finds a spreadsheet's header row (first layer) and reads its names. */
static int sheet_header(tp_source *src, const char *path, const char *input, long header_row,
			tp_header_score score, void *ctx)
{
	OGRLayerH layer = GDALDatasetGetLayer(src->ds, 0);
	char **rows[HEADER_ROWS] = {0};
	long rownum[HEADER_ROWS], h;
	size_t n = 0, k;
	OGRFeatureH f;
	int i, nf;

	if (!layer)
		return TP_OK;
	OGR_L_ResetReading(layer);
	while (n < HEADER_ROWS && (f = OGR_L_GetNextFeature(layer)) != NULL) {
		rownum[n] = (long)OGR_F_GetFID(f);
		rows[n++] = sheet_cells(f);
		OGR_F_Destroy(f);
	}
	OGR_L_ResetReading(layer);
	h = pick_header(rows, rownum, n, header_row, score, ctx);
	if (h < 0) {
		for (k = 0; k < n; k++)
			CSLDestroy(rows[k]);
		return tp_error_set(TP_EINPUT, "%s: header_row = %ld is not one of the first %d rows"
				    "%s", path, header_row, HEADER_ROWS, input);
	}
	src->header_row = n ? rownum[h] : 0;
	nf = OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(layer));
	for (i = 0; i < nf; i++) {
		const char *cell = n && i < CSLCount(rows[h]) ? rows[h][i] : "";
		src->names = CSLAddString(src->names, cell[0] ? cell
					  : OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(
						    OGR_L_GetLayerDefn(layer), i)));
	}
	for (k = 0; k < n; k++)
		CSLDestroy(rows[k]);
	return TP_OK;
}

/*
 * A table of a PostgreSQL database: the config names it explicitly
 * (path = PG:"dbname=... host=...", layer = schema.table; README, "Inputs
 * from the database"), and only GDAL's PostgreSQL driver may open it.  A
 * file never leads here: is_remote() refuses PG: everywhere else, and a VRT
 * is not read.  The path holds no password (the config refuses one).
 */
static int open_database(tp_source *src, const char *path, const char *input)
{
	static const char *const pg_driver[] = {"PostgreSQL", NULL};

	tp_gdal_reset();
	src->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
			     pg_driver, NULL, NULL);
	if (!src->ds)
		return tp_error_set(TP_EINPUT, "%s: cannot read the database%s: %s", path, input,
				    tp_gdal_reason());
	return TP_OK;
}

/*
 * The text OGR reads when only the records starting on lines rows (nrows,
 * ascending) are wanted (tp_source_open_rows()): the header record, then
 * each of those records whole (with the empty lines after it, which are no
 * record), into *out (malloc'ed); src->line becomes those lines.  A line
 * that starts no record fails with TP_EINPUT.
 */
static int only_rows(tp_source *src, const char *buf, size_t len, const csv_records *recs,
		     size_t h, const long *rows, size_t nrows, const char *path, char **out,
		     size_t *outlen)
{
	size_t k = h + 1, i, end = recs->n > h + 1 ? recs->at[h + 1] : len, used;
	char *text;

	for (i = 1; i < nrows; i++)
		if (rows[i] <= rows[i - 1])
			return tp_error_set(TP_ERROR,
					    "%s: the lines to read again are not ascending", path);
	if (!(text = malloc(len + nrows + 2)))
		return tp_error_set(TP_ERROR, "out of memory");
	memcpy(text, buf + recs->at[h], end - recs->at[h]);
	used = end - recs->at[h];
	src->nline = 0;
	for (i = 0; i < nrows; i++) {
		while (k < recs->n && recs->line[k] < rows[i])
			k++;
		if (k == recs->n || recs->line[k] != rows[i]) {
			free(text);
			return tp_error_set(TP_EINPUT, "%s: no record starts on line %ld any more",
					    path, rows[i]);
		}
		end = k + 1 < recs->n ? recs->at[k + 1] : len;
		/* a last record without its line's end, followed by another */
		if (used && text[used - 1] != '\n')
			text[used++] = '\n';
		memcpy(text + used, buf + recs->at[k], end - recs->at[k]);
		used += end - recs->at[k];
		src->line[src->nline++] = rows[i];
	}
	text[used] = '\0';
	*out = text;
	*outlen = used;
	return TP_OK;
}

/* Opens path; table: read CSV from the header line and spreadsheets
 * without headers (tp_source_open_table()); want: a CSV's records on
 * those nwant lines alone (tp_source_open_rows()). */
static int source_open(tp_source *src, const char *path, const char *what, int table,
		       long header_row, tp_header_score score, void *ctx, const long *want,
		       size_t nwant)
{
	static int serial;
	char **opts = NULL;
	const char *open_path = path;
	tp_file_text file = {0};  /* a CSV's text: buf, len */
	const char *buf = NULL;
	size_t len = 0;
	char input[96] = "";

	memset(src, 0, sizeof(*src));
	if (what)
		snprintf(input, sizeof(input), " (input '%s')", what);
	if (!strncmp(path, "PG:", 3))
		return open_database(src, path, input);
	if (is_remote(path))
		return tp_error_set(TP_EINPUT,
				    "%s: a network location%s; tremplin reads local files only", path,
				    input);
	if (has_ext(path, ".vrt"))
		return tp_error_set(TP_EINPUT,
				    "%s: a VRT%s, which may name files on the network, is not read; "
				    "make a local copy with ogr2ogr -f GPKG",
				    path, input);
	if (tp_file_check(path, TP_EINPUT, input))
		return TP_EINPUT;
	if (is_csv(path)) {
		const char *base = strrchr(path, '/');
		size_t from = 0;
		int subset = 0;
		if (tp_file_map(path, TP_EINPUT, input, &file))
			return TP_EINPUT;
		buf = file.text;
		len = file.len;
		if (len == 0 || (len >= 2 && (((unsigned char)buf[0] == 0xFF &&
						(unsigned char)buf[1] == 0xFE) ||
					       ((unsigned char)buf[0] == 0xFE &&
						(unsigned char)buf[1] == 0xFF)))) {
			tp_file_text_free(&file);
			return tp_error_set(TP_EINPUT,
					    len ? "%s: UTF-16 text%s; save it as CSV in UTF-8 (or "
						  "Windows-1252)"
						: "%s: the file is empty%s",
					    path, input);
		}
		if (!tp_text_is_utf8(buf, len)) {
			/* recoded first, so that headers are found in UTF-8 */
			char *utf8 = CPLRecode(buf, "CP1252", CPL_ENC_UTF8);
			tp_file_text_free(&file);
			buf = file.text = utf8 ? strdup(utf8) : NULL;
			CPLFree(utf8);
			if (!buf)
				return tp_error_set(TP_EINPUT, "%s: cannot recode from Windows-1252",
						    path);
			file.len = len = strlen(buf);
			src->recoded = 1;
		}
		if (table) {
			csv_records recs;
			char **rows[HEADER_ROWS] = {0};
			static const char seps[] = ";,\t";
			long h = -1;
			size_t k, n, j;
			int rc = csv_split(buf, &recs), best = -1;
			n = recs.n < HEADER_ROWS ? recs.n : HEADER_ROWS;
			/* a title line may hold no separator: the header is the best
			 * row under the separator that makes it best */
			for (j = 0; j < sizeof(seps) - 1 && !rc; j++) {
				long hj;
				int v;
				for (k = 0; k < n; k++)
					rows[k] = csv_cells(buf + recs.at[k], seps[j]);
				hj = pick_header(rows, recs.line, n, header_row, score, ctx);
				v = hj < 0 ? -1 : score ? score(ctx, (const char *const *)rows[hj],
								  CSLCount(rows[hj]))
							: 0;
				if (v > best)
					best = v, h = hj;
				for (k = 0; k < n; k++)
					CSLDestroy(rows[k]);
			}
			if (!rc && h < 0)
				rc = tp_error_set(TP_EINPUT, "%s: header_row = %ld is not one of the first "
						  "%d lines that hold a record%s", path, header_row,
						  HEADER_ROWS, input);
			if (!rc && recs.n) {
				from = recs.at[h];
				src->header_row = recs.line[h];
				src->nline = recs.n - (size_t)h - 1;
				src->line = malloc((src->nline + 1) * sizeof(*src->line));
				if (!src->line)
					rc = tp_error_set(TP_ERROR, "out of memory");
				else
					memcpy(src->line, recs.line + h + 1, src->nline * sizeof(*src->line));
			}
			if (!rc && want) {
				char *only = NULL;
				size_t olen = 0;
				if (!recs.n)
					rc = tp_error_set(TP_EINPUT, "%s: no record any more",
							  path);
				else
					rc = only_rows(src, buf, len, &recs, (size_t)h, want,
						       nwant, path, &only, &olen);
				if (!rc) {
					tp_file_text_free(&file);
					buf = file.text = only;
					file.len = len = olen;
					from = 0;
					subset = 1;
				}
			}
			free(recs.at);
			free(recs.line);
			if (rc) {
				tp_file_text_free(&file);
				free(src->line);
				src->line = NULL;
				return rc;
			}
		}
		src->separator = tp_source_separator(buf + from);
		opts = CSLSetNameValue(opts, "SEPARATOR",
				       src->separator == ';'    ? "SEMICOLON"
				       : src->separator == '\t' ? "TAB"
								: "COMMA");
		if (src->recoded || from || subset) {
			VSILFILE *fp;
			/* the copy keeps the file's name, which is the layer's name */
			snprintf(src->mem, sizeof(src->mem), "/vsimem/tremplin_%d_%p/%s", ++serial,
				 (void *)src, base ? base + 1 : path);
			fp = VSIFOpenL(src->mem, "wb");
			if (fp) {
				VSIFWriteL(buf + from, 1, len - from, fp);
				VSIFCloseL(fp);
			}
			open_path = src->mem;
		}
		tp_file_text_free(&file);
	} else if (want) {
		return tp_error_set(TP_ERROR, "%s: records are read again by line from a CSV only",
				    path);
	} else if (is_sheet(path)) {
		opts = CSLSetNameValue(opts, "HEADERS", table ? "DISABLE" : "FORCE");
		if (!has_ext(path, ".xls"))
			opts = CSLSetNameValue(opts, "FIELD_TYPES", "AUTO");
	}
	tp_gdal_reset();
	/* GDAL 3.6's spreadsheet drivers take HEADERS only as a config option */
	if (table && is_sheet(path)) {
		CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", "DISABLE");
		CPLSetThreadLocalConfigOption("OGR_ODS_HEADERS", "DISABLE");
	}
	src->ds = GDALOpenEx(open_path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
			     input_drivers, (const char *const *)opts, NULL);
	CSLDestroy(opts);
	if (!src->ds) {
		int rc = tp_error_set(TP_EINPUT, "%s: not a vector file OGR can read%s: %s",
				      path, input, tp_gdal_reason());
		CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", NULL);
		CPLSetThreadLocalConfigOption("OGR_ODS_HEADERS", NULL);
		tp_source_close(src);
		return rc;
	}
	if (table && is_sheet(path)) {
		/* the sheet is parsed when first read: the option holds until then */
		int rc = sheet_header(src, path, input, header_row, score, ctx);
		CPLSetThreadLocalConfigOption("OGR_XLSX_HEADERS", NULL);
		CPLSetThreadLocalConfigOption("OGR_ODS_HEADERS", NULL);
		if (rc) {
			tp_source_close(src);
			return rc;
		}
	}
	return TP_OK;
}

int tp_source_open(tp_source *src, const char *path, const char *what)
{
	return source_open(src, path, what, 0, 0, NULL, NULL, NULL, 0);
}

int tp_source_open_table(tp_source *src, const char *path, const char *what,
			 long header_row, tp_header_score score, void *ctx)
{
	return source_open(src, path, what, 1, header_row, score, ctx, NULL, 0);
}

int tp_source_open_rows(tp_source *src, const char *path, const char *what, long header_row,
			tp_header_score score, void *ctx, const long *rows, size_t nrows)
{
	return source_open(src, path, what, 1, header_row, score, ctx, rows, nrows);
}

long tp_source_row(const tp_source *src, OGRFeatureH f, long ordinal)
{
	if (src->names) {
		long row = (long)OGR_F_GetFID(f);
		return row > src->header_row ? row : 0;
	}
	if (src->line)
		return ordinal >= 1 && (size_t)ordinal <= src->nline ? src->line[ordinal - 1]
								      : src->header_row + ordinal;
	return ordinal;
}

int tp_source_layer_crs(OGRLayerH layer, char *buf, size_t len)
{
	OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer), copy;
	const char *auth, *code;

	buf[0] = '\0';
	if (!srs)
		return 0;
	copy = OSRClone(srs);
	if (copy && OSRAutoIdentifyEPSG(copy) == OGRERR_NONE &&
	    (auth = OSRGetAuthorityName(copy, NULL)) != NULL &&
	    (code = OSRGetAuthorityCode(copy, NULL)) != NULL) {
		snprintf(buf, len, "%s:%s", auth, code);
	} else {
		char *wkt = NULL;
		const char *opts[] = {"FORMAT=WKT2_2019", NULL};
		if (OSRExportToWktEx(srs, &wkt, opts) == OGRERR_NONE && wkt)
			snprintf(buf, len, "%s", wkt);
		CPLFree(wkt);
	}
	if (copy)
		OSRDestroySpatialReference(copy);
	return buf[0] != '\0';
}

void tp_source_close(tp_source *src)
{
	CSLDestroy(src->names);
	src->names = NULL;
	free(src->line);
	src->line = NULL;
	src->nline = 0;
	if (src->ds)
		GDALClose(src->ds);
	src->ds = NULL;
	if (src->mem[0])
		VSIUnlink(src->mem);
	src->mem[0] = '\0';
}

/*
 * source.c: opening input files through OGR (source.h).
 */
#include "inputs/source.h"
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

int tp_source_open(tp_source *src, const char *path, const char *what)
{
	static int serial;
	char **opts = NULL;
	const char *open_path = path;
	char *buf = NULL;
	size_t len = 0;
	char input[96] = "";

	memset(src, 0, sizeof(*src));
	if (what)
		snprintf(input, sizeof(input), " (input '%s')", what);
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
	if (has_ext(path, ".csv") || has_ext(path, ".txt") || has_ext(path, ".tsv")) {
		const char *base = strrchr(path, '/');
		if (tp_file_read(path, TP_EINPUT, input, &buf, &len))
			return TP_EINPUT;
		if (len == 0 || (len >= 2 && (((unsigned char)buf[0] == 0xFF &&
						(unsigned char)buf[1] == 0xFE) ||
					       ((unsigned char)buf[0] == 0xFE &&
						(unsigned char)buf[1] == 0xFF)))) {
			free(buf);
			return tp_error_set(TP_EINPUT,
					    len ? "%s: UTF-16 text%s; save it as CSV in UTF-8 (or "
						  "Windows-1252)"
						: "%s: the file is empty%s",
					    path, input);
		}
		src->separator = tp_source_separator(buf);
		opts = CSLSetNameValue(opts, "SEPARATOR",
				       src->separator == ';'    ? "SEMICOLON"
				       : src->separator == '\t' ? "TAB"
								: "COMMA");
		if (!tp_text_is_utf8(buf, len)) {
			char *utf8 = CPLRecode(buf, "CP1252", CPL_ENC_UTF8);
			VSILFILE *fp;
			if (!utf8) {
				free(buf);
				CSLDestroy(opts);
				return tp_error_set(TP_EINPUT, "%s: cannot recode from Windows-1252",
						    path);
			}
			/* the copy keeps the file's name, which is the layer's name */
			snprintf(src->mem, sizeof(src->mem), "/vsimem/tremplin_%d_%p/%s", ++serial,
				 (void *)src, base ? base + 1 : path);
			fp = VSIFOpenL(src->mem, "wb");
			if (fp) {
				VSIFWriteL(utf8, 1, strlen(utf8), fp);
				VSIFCloseL(fp);
			}
			CPLFree(utf8);
			src->recoded = 1;
			open_path = src->mem;
		}
		free(buf);
	} else if (has_ext(path, ".xlsx") || has_ext(path, ".ods") || has_ext(path, ".xls")) {
		opts = CSLSetNameValue(opts, "HEADERS", "FORCE");
		if (!has_ext(path, ".xls"))
			opts = CSLSetNameValue(opts, "FIELD_TYPES", "AUTO");
	}
	tp_gdal_reset();
	src->ds = GDALOpenEx(open_path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
			     input_drivers, (const char *const *)opts, NULL);
	CSLDestroy(opts);
	if (!src->ds) {
		int rc = tp_error_set(TP_EINPUT, "%s: not a vector file OGR can read%s: %s",
				      path, input, tp_gdal_reason());
		tp_source_close(src);
		return rc;
	}
	return TP_OK;
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
	if (src->ds)
		GDALClose(src->ds);
	src->ds = NULL;
	if (src->mem[0])
		VSIUnlink(src->mem);
	src->mem[0] = '\0';
}

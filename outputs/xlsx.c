/*
 * xlsx.c: a one-sheet XLSX workbook written in one pass (outputs.h).
 *
 * GDAL's XLSX driver keeps every row as an OGR feature until the dataset
 * closes, then writes each cell as four lines of XML and compresses it:
 * 15 s for the 280,000 candidates of a million records.  The candidate
 * list needs none of that: its rows are appended here as they are read,
 * to the sheet's XML and the shared strings (one entry per text cell,
 * never looked up), and the parts of the package (ECMA-376: content
 * types, relationships, workbook, styles, sheet, shared strings) are
 * zipped at the end through GDAL's zip writer.  Dates are numbers of
 * days (the 1900 date system, serial 25569 being 1970-01-01) shown
 * through a YYYY-MM-DD format, as spreadsheets and GDAL's reader expect.
 */
#include "outputs/outputs.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/numbers.h"
#include "outputs/outfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>

struct tp_xlsx {
	sqlite3_str *sheet;   /* <sheetData> so far */
	sqlite3_str *strings; /* the shared strings' <si> so far */
	long long nstrings;   /* how many */
	long row;             /* rows begun (the current one's number) */
	int col;              /* cells of the current row so far */
};

/* Days from 1899-12-30 (serial 0 of the 1900 system, as read) to 1970-01-01. */
#define SERIAL_1970 25569

int tp_xlsx_new(tp_xlsx **out)
{
	tp_xlsx *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (!x)
		return tp_error_set(TP_ERROR, "out of memory");
	x->sheet = sqlite3_str_new(NULL);
	x->strings = sqlite3_str_new(NULL);
	*out = x;
	return TP_OK;
}

void tp_xlsx_free(tp_xlsx *x)
{
	if (!x)
		return;
	sqlite3_free(sqlite3_str_finish(x->sheet));
	sqlite3_free(sqlite3_str_finish(x->strings));
	free(x);
}

/* A literal and its length. */
#define LIT(s) s, sizeof(s) - 1

/* Appends text t of n bytes at buf + *at. */
static void put(char *buf, size_t *at, const char *t, size_t n)
{
	memcpy(buf + *at, t, n);
	*at += n;
}

/* Begins the next row: <row r="N">. */
static void begin_row(tp_xlsx *x)
{
	char buf[64], num[24];
	size_t at = 0;

	x->row++;
	put(buf, &at, LIT("<row r=\""));
	tp_num_int(num, x->row);
	put(buf, &at, num, strlen(num));
	put(buf, &at, LIT("\">"));
	sqlite3_str_append(x->sheet, buf, (int)at);
}

/*
 * The cell at the current column, in one append: open ("<c ...><v>", or a
 * whole empty cell), then the value v and "</v></c>" unless v is NULL.
 * Cells carry no reference ("R12"): each follows the one before, an empty
 * cell being written as <c/> (the XML to compress shrinks by a fifth).
 */
static void cell(tp_xlsx *x, const char *open, size_t open_len, const char *v)
{
	char buf[128];
	size_t at = 0, n = v ? strlen(v) : 0;

	if (x->col++ == 0)
		begin_row(x);
	if (open_len + n + 8 > sizeof(buf)) { /* never for a number */
		sqlite3_str_append(x->sheet, open, (int)open_len);
		if (v) {
			sqlite3_str_append(x->sheet, v, (int)n);
			sqlite3_str_append(x->sheet, LIT("</v></c>"));
		}
		return;
	}
	put(buf, &at, open, open_len);
	if (v) {
		put(buf, &at, v, n);
		put(buf, &at, LIT("</v></c>"));
	}
	sqlite3_str_append(x->sheet, buf, (int)at);
}

void tp_xlsx_text(tp_xlsx *x, const char *s)
{
	char num[24];
	size_t n;

	s = s ? s : "";
	n = strlen(s);
	cell(x, LIT("<c t=\"s\"><v>"), tp_num_int(num, x->nstrings++));
	/* blanks at either end are kept only when the text says so */
	if (n && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1])))
		sqlite3_str_append(x->strings, LIT("<si><t xml:space=\"preserve\">"));
	else
		sqlite3_str_append(x->strings, LIT("<si><t>"));
	tp_xml_escape(x->strings, s);
	sqlite3_str_append(x->strings, LIT("</t></si>"));
}

void tp_xlsx_number(tp_xlsx *x, double v)
{
	char num[64];

	/* as SQLite's printf writes it: '.' whatever the locale */
	cell(x, LIT("<c><v>"), tp_num_sql15g(num, sizeof(num), v));
}

void tp_xlsx_date(tp_xlsx *x, const char *iso)
{
	char num[24];
	long days;

	if (!iso || tp_date_iso_days(iso, &days)) {
		tp_xlsx_skip(x);
		return;
	}
	cell(x, LIT("<c s=\"1\"><v>"), tp_num_int(num, days + SERIAL_1970));
}

void tp_xlsx_skip(tp_xlsx *x)
{
	cell(x, LIT("<c/>"), NULL);
}

void tp_xlsx_end_row(tp_xlsx *x)
{
	if (x->col == 0)
		begin_row(x);
	sqlite3_str_append(x->sheet, LIT("</row>"));
	x->col = 0;
}

#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006"
#define CT_DOC "application/vnd.openxmlformats-officedocument.spreadsheetml."

/* Adds one part of the package to the zip. */
static int add_part(void *zip, const char *name, const char *head, const char *body,
		    const char *tail)
{
	const char *parts[3] = {head, body, tail};
	int k, ok = CPLCreateFileInZip(zip, name, NULL) == CE_None;

	for (k = 0; k < 3 && ok; k++) {
		size_t len = parts[k] ? strlen(parts[k]) : 0, done = 0;
		/* CPLWriteFileInZip takes an int: large parts go in pieces */
		while (ok && done < len) {
			int piece = len - done > (1u << 30) ? 1 << 30 : (int)(len - done);
			ok = CPLWriteFileInZip(zip, parts[k] + done, piece) == CE_None;
			done += (size_t)piece;
		}
	}
	if (CPLCloseFileInZip(zip) != CE_None)
		ok = 0;
	return ok;
}

int tp_xlsx_save(tp_xlsx *x, const char *path, const char *sheet_name)
{
	char mem[96] = "", *head = NULL, *sst_head = NULL, *workbook = NULL;
	const char *sheet, *strings;
	sqlite3_str *name = sqlite3_str_new(NULL);
	void *zip = NULL;
	GByte *bytes;
	vsi_l_offset size = 0;
	tp_outfile out;
	int rc = TP_OK, ok;

	if (x->col)
		tp_xlsx_end_row(x);
	tp_xml_escape(name, sheet_name);
	sheet = sqlite3_str_value(x->sheet);
	strings = sqlite3_str_value(x->strings);
	head = sqlite3_mprintf(XML_HEAD "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
			       "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\""
			       " topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
			       "</sheetView></sheetViews><cols><col min=\"1\" max=\"64\""
			       " width=\"16\" customWidth=\"1\"/></cols><sheetData>");
	sst_head = sqlite3_mprintf(XML_HEAD "<sst xmlns=\"" NS_MAIN "\" count=\"%lld\""
				   " uniqueCount=\"%lld\">",
				   x->nstrings, x->nstrings);
	workbook = sqlite3_mprintf(XML_HEAD "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL
				   "\"><sheets><sheet name=\"%s\" sheetId=\"1\" r:id=\"rId1\"/>"
				   "</sheets></workbook>",
				   sqlite3_str_value(name) ? sqlite3_str_value(name) : "");
	if (sqlite3_str_errcode(x->sheet) || sqlite3_str_errcode(x->strings) ||
	    sqlite3_str_errcode(name) || !head || !sst_head || !workbook) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", path);
		goto cleanup;
	}
	/* the zip is built in memory, then written to path as any other output */
	snprintf(mem, sizeof(mem), "/vsimem/tremplin-%p.xlsx", (void *)x);
	CPLErrorReset();
	zip = CPLCreateZip(mem, NULL);
	ok = zip != NULL;
	ok = ok && add_part(zip, "[Content_Types].xml", XML_HEAD,
			    "<Types xmlns=\"" NS_PKG "/content-types\">"
			    "<Default Extension=\"rels\" ContentType=\"application/"
			    "vnd.openxmlformats-package.relationships+xml\"/>"
			    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
			    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" CT_DOC
			    "sheet.main+xml\"/>"
			    "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"" CT_DOC
			    "worksheet+xml\"/>"
			    "<Override PartName=\"/xl/styles.xml\" ContentType=\"" CT_DOC
			    "styles+xml\"/>"
			    "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"" CT_DOC
			    "sharedStrings+xml\"/></Types>",
			    NULL);
	ok = ok && add_part(zip, "_rels/.rels", XML_HEAD,
			    "<Relationships xmlns=\"" NS_PKG "/relationships\">"
			    "<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\""
			    " Target=\"xl/workbook.xml\"/></Relationships>",
			    NULL);
	ok = ok && add_part(zip, "xl/workbook.xml", workbook, NULL, NULL);
	ok = ok && add_part(zip, "xl/_rels/workbook.xml.rels", XML_HEAD,
			    "<Relationships xmlns=\"" NS_PKG "/relationships\">"
			    "<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\""
			    " Target=\"worksheets/sheet1.xml\"/>"
			    "<Relationship Id=\"rId2\" Type=\"" NS_REL "/styles\""
			    " Target=\"styles.xml\"/>"
			    "<Relationship Id=\"rId3\" Type=\"" NS_REL "/sharedStrings\""
			    " Target=\"sharedStrings.xml\"/></Relationships>",
			    NULL);
	/* style 0: general; style 1: the dates, YYYY-MM-DD */
	ok = ok && add_part(zip, "xl/styles.xml", XML_HEAD,
			    "<styleSheet xmlns=\"" NS_MAIN "\">"
			    "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"YYYY-MM-DD\"/>"
			    "</numFmts><fonts count=\"1\"><font><sz val=\"10\"/><name val=\"Arial\"/>"
			    "</font></fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/>"
			    "</fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
			    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/>"
			    "</border></borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\""
			    " fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
			    "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\""
			    " borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"164\" fontId=\"0\""
			    " fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
			    "</cellXfs></styleSheet>",
			    NULL);
	ok = ok && add_part(zip, "xl/worksheets/sheet1.xml", head, sheet,
			    "</sheetData></worksheet>");
	ok = ok && add_part(zip, "xl/sharedStrings.xml", sst_head, strings, "</sst>");
	if (zip && CPLCloseZip(zip) != CE_None)
		ok = 0;
	zip = NULL;
	bytes = ok ? VSIGetMemFileBuffer(mem, &size, FALSE) : NULL;
	if (!bytes) {
		rc = tp_gpkg_fail(path, NULL, "cannot write the file");
		goto cleanup;
	}
	rc = tp_outfile_open(&out, path, TP_OUTFILE_SYNC);
	if (!rc) {
		fwrite(bytes, 1, (size_t)size, out.f);
		rc = tp_outfile_commit(&out);
	}
cleanup:
	if (zip)
		CPLCloseZip(zip);
	if (mem[0])
		VSIUnlink(mem);
	sqlite3_free(sqlite3_str_finish(name));
	sqlite3_free(head);
	sqlite3_free(sst_head);
	sqlite3_free(workbook);
	return rc;
}

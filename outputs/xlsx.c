/*
 * xlsx.c: a one-sheet XLSX workbook written in one pass (outputs.h).
 *
 * GDAL's XLSX driver keeps every row as an OGR feature until the dataset
 * closes, then writes each cell as four lines of XML and compresses it:
 * 15 s for the 280,000 candidates of a million records.  The candidate
 * list needs none of that: its rows are appended here as they are read,
 * to the sheet's XML and the shared strings (one entry per text cell,
 * never looked up, but one per distinct text of the columns whose texts
 * repeat: a commune's name, an owner type, a reason).  The parts of the
 * package (ECMA-376: content types, relationships, workbook, styles,
 * sheet, shared strings) are zipped as they come (below: zlib at a faster
 * level than GDAL's zip writer's): the sheet a slice of rows at a time,
 * the shared strings, whose head counts them, at the end.  Dates are numbers of
 * days (the 1900 date system, serial 25569 being 1970-01-01) shown
 * through a YYYY-MM-DD format, as spreadsheets and GDAL's reader expect.
 */
#include "outputs/outputs.h"
#include "geo/dates.h"
#include "geo/error.h"
#include "geo/keyset.h"
#include "geo/numbers.h"
#include "outputs/outfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

typedef struct zip_writer zip_writer;

struct tp_xlsx {
	tp_outfile out;       /* the workbook being written */
	int open;             /* 1: out is open (until saved or given up) */
	zip_writer *zip;      /* its zip, the sheet's part begun */
	char *sheet;          /* the sheet's XML not deflated yet */
	size_t len, cap;      /* its bytes, and room */
	int failed;           /* 1: out of memory, or a part past what a zip holds */
	char *path;           /* the workbook's path, for messages */
	sqlite3_str *strings; /* the shared strings' <si> so far */
	long long nstrings;   /* how many */
	long long ncells;     /* text cells, each naming one of them */
	tp_keyset repeated;   /* the texts of tp_xlsx_text_repeated: their string's index */
	long row;             /* rows begun (the current one's number) */
	int col;              /* cells of the current row so far */
};

/* Days from 1899-12-30 (serial 0 of the 1900 system, as read) to 1970-01-01. */
#define SERIAL_1970 25569

/* The sheet's XML is deflated once it holds this much (its rows never wait in memory:
 * 108 MB of XML at a million records, where a slice stays in the processor's cache) */
#define SHEET_SLICE (256 * 1024)

/* A literal and its length. */
#define LIT(s) s, sizeof(s) - 1

/* Appends text t of n bytes at buf + *at. */
static void put(char *buf, size_t *at, const char *t, size_t n)
{
	memcpy(buf + *at, t, n);
	*at += n;
}

/* Appends n bytes at t to the sheet's XML. */
static void sheet_put(tp_xlsx *x, const char *t, size_t n)
{
	if (x->len + n > x->cap) {
		size_t cap = x->cap ? x->cap : SHEET_SLICE + 4096;
		char *grown;
		while (cap < x->len + n)
			cap *= 2;
		if (!(grown = realloc(x->sheet, cap))) {
			x->failed = 1;
			return;
		}
		x->sheet = grown;
		x->cap = cap;
	}
	memcpy(x->sheet + x->len, t, n);
	x->len += n;
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
	sheet_put(x, buf, at);
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
		sheet_put(x, open, open_len);
		if (v) {
			sheet_put(x, v, n);
			sheet_put(x, LIT("</v></c>"));
		}
		return;
	}
	put(buf, &at, open, open_len);
	if (v) {
		put(buf, &at, v, n);
		put(buf, &at, LIT("</v></c>"));
	}
	sheet_put(x, buf, at);
}

/* Adds s to the shared strings; its index. */
static long long add_string(tp_xlsx *x, const char *s)
{
	size_t n = strlen(s);

	/* blanks at either end are kept only when the text says so */
	if (n && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1])))
		sqlite3_str_append(x->strings, LIT("<si><t xml:space=\"preserve\">"));
	else
		sqlite3_str_append(x->strings, LIT("<si><t>"));
	tp_xml_escape(x->strings, s);
	sqlite3_str_append(x->strings, LIT("</t></si>"));
	return x->nstrings++;
}

void tp_xlsx_text(tp_xlsx *x, const char *s)
{
	char num[24];

	x->ncells++;
	cell(x, LIT("<c t=\"s\"><v>"), tp_num_int(num, add_string(x, s ? s : "")));
}

void tp_xlsx_text_repeated(tp_xlsx *x, const char *s)
{
	char num[24];
	uint64_t at;

	s = s ? s : "";
	if (!tp_keyset_get(&x->repeated, s, &at)) {
		at = (uint64_t)x->nstrings;
		/* out of memory: a string of its own, as tp_xlsx_text writes it */
		if (tp_keyset_put(&x->repeated, s, at, NULL) != TP_OK)
			tp_error_clear();
		add_string(x, s);
	}
	x->ncells++;
	cell(x, LIT("<c t=\"s\"><v>"), tp_num_int(num, (long long)at));
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

static void sheet_flush(tp_xlsx *x);

void tp_xlsx_end_row(tp_xlsx *x)
{
	if (x->col == 0)
		begin_row(x);
	sheet_put(x, LIT("</row>"));
	x->col = 0;
	if (x->len >= SHEET_SLICE)
		sheet_flush(x);
}

#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006"
#define CT_DOC "application/vnd.openxmlformats-officedocument.spreadsheetml."

/*
 * The package's zip, written here rather than by GDAL's zip writer, which
 * deflates at zlib's default level 6: 1.8 s of the candidate lists' 4.3 s
 * at a million records (175 MB of XML), the write stage's longest thread.
 * At level 2 it takes 0.6 s and the file is 16 MB instead of 13.8.  Each
 * part is deflated as it comes and written to the output stream at once:
 * a local header, the data, then a data descriptor with the part's CRC
 * and sizes (flag bit 3: the stream is never read back or rewound, so a
 * pipe will do), and at the end the central directory (PKWARE's APPNOTE,
 * no ZIP64: a sheet of 1,048,576 rows is far under 4 GiB, and a larger
 * part fails).  Times are 1980-01-01 00:00, the earliest a zip holds, so
 * that the same rows give the same file.
 */
#define ZIP_LEVEL 2
#define ZIP_MAX_PARTS 8
#define ZIP_DESCRIBED 8 /* general purpose flag bit 3: CRC and sizes after the data */

struct zip_writer {
	FILE *f;                        /* the output */
	uLong offset;                   /* bytes written so far */
	int nparts;                     /* parts written, the current one included */
	struct {
		const char *name;       /* its name in the package */
		uLong crc, size, packed; /* CRC-32, bytes, bytes deflated */
		uLong offset;           /* of its local header */
	} parts[ZIP_MAX_PARTS];
	z_stream d;                     /* the current part's deflater */
	int deflating;                  /* 1: d is initialised */
	unsigned char out[65536];       /* deflated bytes on their way to f */
};

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uLong v)
{
	put16(p, (unsigned)(v & 0xffff));
	put16(p + 2, (unsigned)(v >> 16));
}

/* The fields a local header and a central directory entry share, from "version
 * needed" on; a local header's CRC and sizes are zero (the descriptor has them). */
static void put_common(unsigned char *p, const zip_writer *z, int k, int local)
{
	put16(p, 20);                /* version needed: 2.0, deflate */
	put16(p + 2, ZIP_DESCRIBED); /* flags */
	put16(p + 4, Z_DEFLATED);    /* method */
	put16(p + 6, 0);             /* time 00:00:00 */
	put16(p + 8, (0 << 9) | (1 << 5) | 1); /* date 1980-01-01 */
	put32(p + 10, local ? 0 : z->parts[k].crc);
	put32(p + 14, local ? 0 : z->parts[k].packed);
	put32(p + 18, local ? 0 : z->parts[k].size);
	put16(p + 22, (unsigned)strlen(z->parts[k].name));
	put16(p + 24, 0);            /* extra field length */
}

/* Deflates what z->d holds with flush, writing what comes out: Z_OK once its
 * input is taken (Z_NO_FLUSH), Z_STREAM_END once the stream ends (Z_FINISH); else
 * zlib's error. */
static int pump(zip_writer *z, int flush)
{
	int rc;

	do {
		z->d.next_out = z->out;
		z->d.avail_out = sizeof(z->out);
		rc = deflate(&z->d, flush);
		fwrite(z->out, 1, sizeof(z->out) - z->d.avail_out, z->f);
	} while ((rc == Z_OK || rc == Z_BUF_ERROR) && z->d.avail_out == 0);
	return rc == Z_BUF_ERROR ? Z_OK : rc;
}

/* Begins part name: its local header.  0, or -1 (too many parts, memory). */
static int part_begin(zip_writer *z, const char *name)
{
	unsigned char local[30];
	int n = z->nparts;

	if (n == ZIP_MAX_PARTS)
		return -1;
	memset(&z->d, 0, sizeof(z->d));
	if (deflateInit2(&z->d, ZIP_LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z->deflating = 1;
	z->parts[n].name = name;
	z->parts[n].crc = crc32(0, Z_NULL, 0);
	z->parts[n].size = 0;
	z->parts[n].offset = z->offset;
	z->nparts++;
	put32(local, 0x04034b50);
	put_common(local + 4, z, n, 1);
	fwrite(local, 1, sizeof(local), z->f);
	fputs(name, z->f);
	z->offset += (uLong)(30 + strlen(name));
	return 0;
}

/* Adds len bytes at p to the current part.  0, or -1 (zlib, or past 4 GiB). */
static int part_write(zip_writer *z, const char *p, size_t len)
{
	int k = z->nparts - 1;
	size_t done = 0;

	if (len > 0xffffffffu - (1u << 20) - z->parts[k].size)
		return -1; /* no ZIP64 here */
	while (done < len) {
		/* zlib counts in uInt: large pieces go in slices */
		uInt slice = len - done > (1u << 30) ? 1u << 30 : (uInt)(len - done);
		z->parts[k].crc = crc32(z->parts[k].crc, (const Bytef *)p + done, slice);
		z->d.next_in = (Bytef *)(p + done);
		z->d.avail_in = slice;
		if (pump(z, Z_NO_FLUSH) != Z_OK)
			return -1;
		done += slice;
	}
	z->parts[k].size += (uLong)len;
	return 0;
}

/* Ends the current part: the rest of its data, then its descriptor.  0, or -1. */
static int part_end(zip_writer *z)
{
	unsigned char desc[16];
	int k = z->nparts - 1, rc = pump(z, Z_FINISH);

	z->parts[k].packed = z->d.total_out;
	deflateEnd(&z->d);
	z->deflating = 0;
	if (rc != Z_STREAM_END || z->offset + z->parts[k].packed + sizeof(desc) > 0xfffffff0u)
		return -1;
	put32(desc, 0x08074b50);
	put32(desc + 4, z->parts[k].crc);
	put32(desc + 8, z->parts[k].packed);
	put32(desc + 12, z->parts[k].size);
	fwrite(desc, 1, sizeof(desc), z->f);
	z->offset += (uLong)(z->parts[k].packed + sizeof(desc));
	return 0;
}

/* Adds the part name, head then body then tail (NULL: none), to z: 0, or -1 (memory, size). */
static int add_part(zip_writer *z, const char *name, const char *head, const char *body,
		    const char *tail)
{
	const char *pieces[3] = {head, body, tail};
	int k;

	if (part_begin(z, name))
		return -1;
	for (k = 0; k < 3; k++)
		if (pieces[k] && part_write(z, pieces[k], strlen(pieces[k])))
			return -1;
	return part_end(z);
}

/* Writes z's central directory and its end record. */
static void end_zip(zip_writer *z)
{
	unsigned char entry[46], end[22];
	uLong size = 0;
	int k;

	for (k = 0; k < z->nparts; k++) {
		put32(entry, 0x02014b50);
		put16(entry + 4, 20); /* made by: 2.0, MS-DOS attributes */
		put_common(entry + 6, z, k, 0);
		put16(entry + 32, 0); /* comment length */
		put16(entry + 34, 0); /* disk */
		put16(entry + 36, 0); /* internal attributes */
		put32(entry + 38, 0); /* external attributes */
		put32(entry + 42, z->parts[k].offset);
		fwrite(entry, 1, sizeof(entry), z->f);
		fputs(z->parts[k].name, z->f);
		size += (uLong)(46 + strlen(z->parts[k].name));
	}
	put32(end, 0x06054b50);
	put16(end + 4, 0);
	put16(end + 6, 0);
	put16(end + 8, (unsigned)z->nparts);
	put16(end + 10, (unsigned)z->nparts);
	put32(end + 12, size);
	put32(end + 16, z->offset);
	put16(end + 20, 0);
	fwrite(end, 1, sizeof(end), z->f);
}

/* Deflates the sheet's XML so far into its part, and empties it. */
static void sheet_flush(tp_xlsx *x)
{
	if (!x->failed && part_write(x->zip, x->sheet, x->len))
		x->failed = 1;
	x->len = 0;
}

int tp_xlsx_new(tp_xlsx **out, const char *path, const char *sheet_name)
{
	tp_xlsx *x = calloc(1, sizeof(*x));
	sqlite3_str *name = sqlite3_str_new(NULL);
	char *workbook = NULL;
	int rc, ok;

	*out = NULL;
	if (x) {
		x->zip = calloc(1, sizeof(*x->zip));
		x->path = strdup(path);
		x->strings = sqlite3_str_new(NULL);
	}
	tp_xml_escape(name, sheet_name);
	workbook = sqlite3_mprintf(XML_HEAD "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL
				   "\"><sheets><sheet name=\"%s\" sheetId=\"1\" r:id=\"rId1\"/>"
				   "</sheets></workbook>",
				   sqlite3_str_value(name) ? sqlite3_str_value(name) : "");
	if (!x || !x->zip || !x->path || sqlite3_str_errcode(name) || !workbook) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory", path);
		goto cleanup;
	}
	rc = tp_outfile_open(&x->out, path, TP_OUTFILE_SYNC);
	if (rc)
		goto cleanup;
	x->open = 1;
	x->zip->f = x->out.f;
	/* the parts before the sheet, then the sheet's own begun */
	ok = !add_part(x->zip, "[Content_Types].xml", XML_HEAD,
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
	ok = ok && !add_part(x->zip, "_rels/.rels", XML_HEAD,
			     "<Relationships xmlns=\"" NS_PKG "/relationships\">"
			     "<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\""
			     " Target=\"xl/workbook.xml\"/></Relationships>",
			     NULL);
	ok = ok && !add_part(x->zip, "xl/workbook.xml", workbook, NULL, NULL);
	ok = ok && !add_part(x->zip, "xl/_rels/workbook.xml.rels", XML_HEAD,
			     "<Relationships xmlns=\"" NS_PKG "/relationships\">"
			     "<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\""
			     " Target=\"worksheets/sheet1.xml\"/>"
			     "<Relationship Id=\"rId2\" Type=\"" NS_REL "/styles\""
			     " Target=\"styles.xml\"/>"
			     "<Relationship Id=\"rId3\" Type=\"" NS_REL "/sharedStrings\""
			     " Target=\"sharedStrings.xml\"/></Relationships>",
			     NULL);
	/* style 0: general; style 1: the dates, YYYY-MM-DD */
	ok = ok && !add_part(x->zip, "xl/styles.xml", XML_HEAD,
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
	ok = ok && !part_begin(x->zip, "xl/worksheets/sheet1.xml");
	ok = ok && !part_write(x->zip, LIT(XML_HEAD "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\""
				     NS_REL "\"><sheetViews><sheetView workbookViewId=\"0\">"
				     "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\""
				     " state=\"frozen\"/></sheetView></sheetViews><cols><col min=\"1\""
				     " max=\"64\" width=\"16\" customWidth=\"1\"/></cols><sheetData>"));
	if (!ok)
		rc = tp_error_set(TP_ERROR, "%s: cannot begin the workbook: out of memory", path);
cleanup:
	sqlite3_free(sqlite3_str_finish(name));
	sqlite3_free(workbook);
	if (rc) {
		tp_xlsx_free(x);
		return rc;
	}
	*out = x;
	return TP_OK;
}

void tp_xlsx_free(tp_xlsx *x)
{
	if (!x)
		return;
	/* not saved: the workbook is given up, nothing left at its path */
	if (x->open)
		tp_outfile_abort(&x->out);
	if (x->zip && x->zip->deflating)
		deflateEnd(&x->zip->d);
	free(x->zip);
	free(x->sheet);
	free(x->path);
	sqlite3_free(sqlite3_str_finish(x->strings));
	tp_keyset_dispose(&x->repeated);
	free(x);
}

int tp_xlsx_save(tp_xlsx *x)
{
	char *sst_head = NULL;
	int ok;

	if (x->col)
		tp_xlsx_end_row(x);
	sheet_flush(x);
	sst_head = sqlite3_mprintf(XML_HEAD "<sst xmlns=\"" NS_MAIN "\" count=\"%lld\""
				   " uniqueCount=\"%lld\">",
				   x->ncells, x->nstrings);
	ok = !x->failed && sst_head && !sqlite3_str_errcode(x->strings);
	ok = ok && !part_write(x->zip, LIT("</sheetData></worksheet>")) && !part_end(x->zip);
	ok = ok && !add_part(x->zip, "xl/sharedStrings.xml", sst_head,
			     sqlite3_str_value(x->strings), "</sst>");
	if (ok)
		end_zip(x->zip);
	sqlite3_free(sst_head);
	x->open = 0;
	/* a part past what a zip without ZIP64 holds, or memory */
	return tp_outfile_end(&x->out, ok ? TP_OK
					  : tp_error_set(TP_EOUTPUT, "%s: cannot write the workbook:"
								     " a part is too large, or out of memory",
							 x->path));
}

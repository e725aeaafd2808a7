/*
 * test_reader.c: a CSV read ahead on a second thread (inputs/reader.c)
 * gives the records, rejects, duplicates and row numbers of the same CSV
 * read on the caller's thread alone, record for record, and a reader
 * freed halfway stops its thread; a CSV's text mapped (inputs/file.h) ends in
 * a NUL whatever its size.
 */
#include "inputs/reader.h"
#include "inputs/file.h"
#include "geo/error.h"
#include "geo/geo.h"
#include "tests/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROWS 5000

/* Writes a CSV of ROWS vacancies into dir: most good, some bad in every
 * way a row can be (not a number, an unknown code, a date, a duplicate
 * id, a blank row, a total row, a quoted line break, periods, words
 * after a number, a code written as words).  Returns its path. */
static char *write_csv(const char *dir)
{
	static const char *const bad[] = {
		"B%d,Foo,sisp,trois,study,2022-05-30,2027-03-27,,150972.9,167643.4",
		"B%d,Foo,martian,3,study,2022-05-30,2027-03-27,,150972.9,167643.4",
		"B%d,Foo,cpas,3,nope,31/02/2022,2027-03-27,oui,150000,167000",
		"B%d,\"Société (SISP)\",SISP,12 logements,R1 travaux,T3 2027,mars 2027,ja,150001,167001",
		",,,,,,,,,",
		"Total,,,,,,,,,",
		"V0001,Foo,cpas,1,study,2022-05-30,2027-03-27,,150002,167002",
		"B%d,Foo,cpas,-2,study,2022-05-30,à déterminer,non,abc,167643.4",
		"B%d,\"Foo \"\"quoted\"\"\nnewline\",prive,7,autre,05/2022,Q3 2027,,151001.5,167001.25",
		"B%d,Foo,ais,1234567890123456,autre,2022-05-30,2027-03-27,,151003.5,167003.25",
		"B%d,Foo,ais,0012,Works,30/05/2022,2027,,,",
	};
	char *path = malloc(4200);
	FILE *f;
	int i;

	snprintf(path, 4200, "%s/vacancies.csv", dir);
	f = fopen(path, "w");
	if (!f)
		return path;
	fprintf(f, "id,owner,owner_type,dwellings,reason,vacant_since,works_start,owner_agreed,x,y\n");
	for (i = 1; i <= ROWS; i++) {
		if (i % 97 == 0) {
			fprintf(f, bad[(i / 97) % (sizeof(bad) / sizeof(bad[0]))], i);
			fprintf(f, "\n");
			continue;
		}
		fprintf(f, "V%04d,Owner %d,%s,%d,%s,2022-%02d-%02d,%s,%s,%.1f,%.1f\n", i, i % 13,
			i % 3 ? "sisp" : "private", 1 + i % 40, i % 5 ? "study" : "works",
			1 + i % 12, 1 + i % 28, i % 7 ? "2027-03-27" : "", i % 11 ? "" : "oui",
			148000.0 + i, 165000.0 + (i % 100));
	}
	fclose(f);
	return path;
}

/* Reads up to max records of cfg, threads as tp_reader_threads() takes
 * them, into recs; returns how many, or the failure. */
static int read_all(const tp_input_cfg *cfg, int threads, tp_record *recs, int max)
{
	tp_reader *r = NULL;
	int n = 0, got;

	if (tp_reader_open(&r, cfg, TP_IN_VACANCIES))
		return -1;
	tp_reader_threads(r, threads);
	while (n < max && (got = tp_reader_next(r, &recs[n])) == 1)
		n++;
	tp_reader_free(r);
	return n;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* 1 when two records hold the same. */
static int same_record(const tp_record *a, const tp_record *b)
{
	int i;

	if (a->row != b->row || !same_str(a->skipped, b->skipped) ||
	    strcmp(a->warning, b->warning) || strcmp(a->reason, b->reason) ||
	    !same_str(a->field, b->field) || !same_str(a->original, b->original) ||
	    !same_str(a->geocode, b->geocode) || a->wkb_len != b->wkb_len ||
	    (a->wkb_len && memcmp(a->wkb, b->wkb, a->wkb_len)))
		return 0;
	for (i = 0; i < TP_MAX_FIELDS; i++)
		if (!same_str(a->values[i], b->values[i]) || !same_str(a->refused[i], b->refused[i]) ||
		    !same_str(a->precision[i], b->precision[i]))
			return 0;
	return 1;
}

static void read_ahead_gives_the_records_read_alone(const tp_input_cfg *cfg)
{
	static tp_record alone[ROWS + 1], ahead[ROWS + 1];
	int n1 = read_all(cfg, 1, alone, ROWS + 1), n2 = read_all(cfg, 0, ahead, ROWS + 1);
	int i, differ = 0, rejected = 0, skipped = 0, dupes = 0;

	CHECK(n1 == ROWS);
	CHECK(n2 == n1);
	for (i = 0; i < n1 && i < n2; i++) {
		if (!same_record(&alone[i], &ahead[i]) && differ++ < 5)
			fprintf(stderr, "record %d differs: row %ld / %ld, '%s' / '%s'\n", i,
				alone[i].row, ahead[i].row, alone[i].reason, ahead[i].reason);
		rejected += alone[i].reason[0] != '\0';
		skipped += alone[i].skipped != NULL;
		dupes += strstr(alone[i].reason, "duplicate of row") != NULL;
	}
	CHECK(differ == 0);
	/* the file's bad rows are there, so the comparison compared them */
	CHECK(rejected > 20);
	CHECK(skipped >= 8);
	CHECK(dupes >= 4);
	/* the row after a quoted line break is numbered by its physical line */
	CHECK(alone[n1 - 1].row > ROWS + 1);
	for (i = 0; i < n1; i++)
		tp_record_dispose(&alone[i]);
	for (i = 0; i < n2; i++)
		tp_record_dispose(&ahead[i]);
}

static void a_reader_freed_halfway_stops_its_thread(const tp_input_cfg *cfg)
{
	static tp_record some[10];
	int k, i;

	/* the reading thread is filling its ring, or waiting for room in it */
	for (k = 0; k < 20; k++) {
		CHECK(read_all(cfg, 0, some, 1 + k % 10) == 1 + k % 10);
		CHECK(some[0].row == 2);
		for (i = 0; i < 10; i++)
			tp_record_dispose(&some[i]);
	}
}

/* A CSV's text mapped (inputs/file.h) is the file's bytes then a NUL, a
 * file of whole pages included; an empty file and a folder as read. */
static void a_file_mapped_ends_in_nul(const char *dir)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), sizes[] = {1, 100, page - 1, page, 3 * page};
	char path[256], *bytes = malloc(3 * page);
	tp_file_text t;
	size_t k, i;
	FILE *f;

	for (i = 0; i < 3 * page; i++)
		bytes[i] = (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/mapped.csv", dir);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		f = fopen(path, "wb");
		CHECK(f && fwrite(bytes, 1, sizes[k], f) == sizes[k]);
		fclose(f);
		CHECK(tp_file_map(path, TP_EINPUT, "", &t) == TP_OK);
		CHECK(t.len == sizes[k] && t.mapped > sizes[k]);
		CHECK(t.text && memcmp(t.text, bytes, sizes[k]) == 0 && t.text[sizes[k]] == '\0');
		tp_file_text_free(&t);
		CHECK(!t.text && !t.len && !t.mapped);
	}
	f = fopen(path, "wb");
	fclose(f);
	CHECK(tp_file_map(path, TP_EINPUT, "", &t) == TP_OK);
	CHECK(t.len == 0 && !t.mapped && t.text && t.text[0] == '\0');
	tp_file_text_free(&t);
	unlink(path);
	CHECK(tp_file_map(dir, TP_EINPUT, " (input 'vacancies')", &t) == TP_EINPUT);
	CHECK_CONTAINS(tp_error_last(), "a folder, not a file (input 'vacancies')");
	CHECK(!t.text);
	tp_error_clear();
	free(bytes);
}

int main(void)
{
	char dir[] = "/tmp/test_reader_XXXXXX";
	tp_input_cfg cfg = {0};
	char *path;

	if (!mkdtemp(dir))
		return 1;
	tp_gdal_capture(0); /* GDAL's warnings kept, not printed, as tremplin does */
	path = write_csv(dir);
	cfg.path = path;
	cfg.x = "x";
	cfg.y = "y";
	cfg.crs = "EPSG:31370";
	read_ahead_gives_the_records_read_alone(&cfg);
	a_reader_freed_halfway_stops_its_thread(&cfg);
	a_file_mapped_ends_in_nul(dir);
	unlink(path);
	rmdir(dir);
	free(path);
	return check_report("test_reader");
}

/*
 * test_outset.c: run.json's digests (pipeline/outset.h).  A digest taken
 * before run.json is used for the file it was taken of; a file written
 * again or replaced since is read again; every digest in run.json is the
 * file's own, as computed apart (Python's hashlib).
 */
#include "pipeline/outset.h"
#include "tests/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* 1 when outdir/run.json names file with text's size and the SHA-256 hex
 * (computed apart: Python's hashlib.sha256(text).hexdigest()). */
static int named(const char *outdir, const char *file, const char *text, const char *hex)
{
	char path[512], line[1024], want[256];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/run.json", outdir);
	snprintf(want, sizeof(want), "{\"path\": \"%s\", \"size\": %zu, \"sha256\": \"%s\"}",
		 file, strlen(text), hex);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, want) != NULL;
	if (f)
		fclose(f);
	return found;
}

static void a_digest_taken_is_used_only_for_its_file(void)
{
	char outdir[] = "/tmp/test_outset-XXXXXX", staging[512], path[600], other[600];
	tp_outset_digest *taken = NULL;
	const char *files[] = {"kept.csv", "rewritten.csv", "replaced.csv", "run.json"};
	size_t i;

	CHECK(mkdtemp(outdir) != NULL);
	CHECK(tp_outset_stage(staging, sizeof(staging), outdir) == 0);
	snprintf(path, sizeof(path), "%s/kept.csv", staging);
	put(path, "a,b\n1,2\n");
	CHECK(tp_outset_digest_take(&taken, path) == 0);
	/* written again after its digest was taken: longer */
	snprintf(path, sizeof(path), "%s/rewritten.csv", staging);
	put(path, "a,b\n");
	CHECK(tp_outset_digest_take(&taken, path) == 0);
	put(path, "a,b\n3,4\n");
	/* replaced by another file of the same size */
	snprintf(path, sizeof(path), "%s/replaced.csv", staging);
	put(path, "x,y\n");
	CHECK(tp_outset_digest_take(&taken, path) == 0);
	snprintf(other, sizeof(other), "%s/replaced.tmp", outdir);
	put(other, "u,v\n");
	CHECK(rename(other, path) == 0);
	/* a file that is not there */
	snprintf(path, sizeof(path), "%s/missing.csv", staging);
	CHECK(tp_outset_digest_take(&taken, path) != 0);

	CHECK(tp_outset_publish(outdir, staging,
				&(tp_outset_run){"t.ini", "[run]\n", "2026-11-28T00:00:00Z",
						 "load..write", 0, taken}) == 0);
	CHECK(named(outdir, "kept.csv", "a,b\n1,2\n",
		    "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470"));
	CHECK(named(outdir, "rewritten.csv", "a,b\n3,4\n",
		    "57f6579a0b708406e70a305ed12e45b74c383b82abb6ac2f23556d65d5d0b807"));
	CHECK(named(outdir, "replaced.csv", "u,v\n",
		    "a841b2e642d06028a6b72734d05fd826608753a24067aaaade0a6d99c5ca32d8"));
	tp_outset_digest_free(taken);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, files[i]);
		unlink(path);
	}
	rmdir(outdir);
}

int main(void)
{
	a_digest_taken_is_used_only_for_its_file();
	return check_report("test_outset");
}

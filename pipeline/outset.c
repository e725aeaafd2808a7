/*
 * outset.c: a run's outputs as one set (outset.h): the output folder's
 * lock, the staging folder, run.json, putting the set in place and
 * removing what dead runs left.
 */
#define _GNU_SOURCE /* nftw's FTW_PHYS, gethostname */
#include "pipeline/outset.h"
#include "geo/json.h"
#include "geo/error.h"
#include "outputs/outfile.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cpl_error.h>
#include <cpl_string.h>
#include <openssl/evp.h>

#define PATH 4200

/* The folder a whole new set waits in while it is moved into place. */
#define READY ".tremplin-ready"
#define LOCK ".tremplin.lock"
#define RUN_JSON "run.json"

void tp_outset_now(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "OUTDIR: cannot write there: WHY", with what a person can do about it. */
static int unwritable(const char *outdir, int err)
{
	return tp_error_set(TP_EOUTPUT,
			    "%s: cannot write into this output folder: %s; make it writable, "
			    "or choose another folder with -o",
			    outdir, strerror(err));
}

/* 1 when the process pid left what it named: it is this one (an earlier
 * process with our pid) or no process has that pid. */
static int dead(long pid)
{
	if (pid <= 0)
		return 0;
	if (pid == (long)getpid())
		return 1;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* ---- the lock ------------------------------------------------------- */

int tp_outset_lock(int *fd, const char *outdir, int wait, int quiet)
{
	char path[PATH], who[512], host[256] = "?", since[32];
	ssize_t n;
	int f, rc = TP_OK;

	*fd = -1;
	snprintf(path, sizeof(path), "%s/%s", outdir, LOCK);
	/* access() knows a read-only file system, and root's rights */
	if (access(outdir, W_OK) != 0)
		return unwritable(outdir, errno);
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (f < 0)
		return unwritable(outdir, errno);
	if (flock(f, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK) {
			rc = tp_error_set(TP_EOUTPUT, "%s: cannot lock: %s", path, strerror(errno));
			goto done;
		}
		n = pread(f, who, sizeof(who) - 1, 0);
		who[n > 0 ? n : 0] = '\0';
		who[strcspn(who, "\n")] = '\0';
		if (!who[0])
			snprintf(who, sizeof(who), "a run that has just started");
		if (!wait) {
			rc = tp_error_set(TP_EOUTPUT,
					  "%s: another tremplin run is writing into this output "
					  "folder (%s); wait until it ends, run again with --wait, "
					  "or choose another folder with -o",
					  outdir, who);
			goto done;
		}
		if (!quiet)
			fprintf(stderr, "tremplin: %s: waiting for another run to end (%s)\n",
				outdir, who);
		while (flock(f, LOCK_EX) != 0) {
			if (errno != EINTR) {
				rc = tp_error_set(TP_EOUTPUT, "%s: cannot lock: %s", path,
						  strerror(errno));
				goto done;
			}
		}
	}
	gethostname(host, sizeof(host) - 1);
	tp_outset_now(since, sizeof(since));
	n = snprintf(who, sizeof(who), "pid %ld on %s, since %s\n", (long)getpid(), host, since);
	if (ftruncate(f, 0) != 0 || pwrite(f, who, (size_t)n, 0) != n) {
		rc = unwritable(outdir, errno);
		goto done;
	}
	rc = tp_outset_tidy(outdir);
done:
	if (rc)
		close(f);
	else
		*fd = f;
	return rc;
}

void tp_outset_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ---- files ---------------------------------------------------------- */

/* nftw: removes what it is given, the folder after what it holds. */
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

void tp_outset_discard(const char *staging)
{
	nftw(staging, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Bytes of a file mapped at a time for its digest: its pages count in the
 * run's resident memory while mapped (64 MB took the 1M run's peak from
 * 413 to 457 MB). */
#define DIGEST_WINDOW ((size_t)8 << 20)

/*
 * The SHA-256 of the file at path, in hex, and its size.  Read through a
 * window of the file mapped in turn, not copied out by read(): at 10M
 * records the GeoPackage is 3.2 GB, and the copy was 0.56 s of the 2.5
 * the digest took (`openssl dgst`), on the write stage's longest thread.
 */
static int sha256_file(const char *path, char hex[65], long long *size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	off_t at = 0;
	int rc = TP_OK;

	*size = 0;
	if (!ctx || fd < 0 || fstat(fd, &st) != 0) {
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot read: %s", path,
				  !ctx ? "out of memory" : strerror(errno));
		goto done;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while (at < st.st_size) {
		size_t n = (size_t)(st.st_size - at) < DIGEST_WINDOW ? (size_t)(st.st_size - at)
								     : DIGEST_WINDOW;
		void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, at);
		if (m == MAP_FAILED) {
			rc = tp_error_set(TP_EOUTPUT, "%s: cannot read: %s", path, strerror(errno));
			goto done;
		}
		madvise(m, n, MADV_SEQUENTIAL);
		EVP_DigestUpdate(ctx, m, n);
		munmap(m, n);
		at += (off_t)n;
	}
	*size = (long long)at;
	EVP_DigestFinal_ex(ctx, md, &len);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
done:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(ctx);
	return rc;
}

struct tp_outset_digest {
	char *path;             /* the file, as given */
	struct stat st;         /* it, when the digest was taken */
	long long size;         /* its bytes */
	char hex[65];           /* its SHA-256 */
	tp_outset_digest *next; /* the one taken before */
};

int tp_outset_digest_take(tp_outset_digest **list, const char *path)
{
	tp_outset_digest *d = calloc(1, sizeof(*d));
	int rc;

	if (!d || !(d->path = strdup(path))) {
		free(d);
		return tp_error_set(TP_ERROR, "out of memory");
	}
	rc = stat(path, &d->st) != 0
		     ? tp_error_set(TP_EOUTPUT, "%s: cannot read: %s", path, strerror(errno))
		     : sha256_file(path, d->hex, &d->size);
	if (rc) {
		tp_outset_digest_free(d);
		return rc;
	}
	d->next = *list;
	*list = d;
	return TP_OK;
}

void tp_outset_digest_free(tp_outset_digest *list)
{
	while (list) {
		tp_outset_digest *next = list->next;

		free(list->path);
		free(list);
		list = next;
	}
}

/* The digest of path in list, if the file is still the one it was taken of. */
static const tp_outset_digest *digest_taken(const tp_outset_digest *list, const char *path)
{
	struct stat st;

	for (; list; list = list->next)
		if (!strcmp(list->path, path))
			break;
	if (!list || stat(path, &st) != 0)
		return NULL;
	if (st.st_dev != list->st.st_dev || st.st_ino != list->st.st_ino ||
	    st.st_size != list->st.st_size || (long long)st.st_size != list->size ||
	    st.st_mtim.tv_sec != list->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != list->st.st_mtim.tv_nsec ||
	    st.st_ctim.tv_sec != list->st.st_ctim.tv_sec ||
	    st.st_ctim.tv_nsec != list->st.st_ctim.tv_nsec)
		return NULL;
	return list;
}

/* The SHA-256 of text, in hex. */
static void sha256_text(const char *text, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* A growing list of relative paths: a CSL list (cpl_string.h) and its length. */
typedef struct {
	char **name; /* the paths, a CSL list */
	size_t n;    /* how many */
} names;

static int names_add(names *l, const char *s)
{
	l->name = CSLAddString(l->name, s);
	l->n++;
	return TP_OK;
}

static int names_has(const names *l, const char *s)
{
	return CSLFindStringCaseSensitive(l->name, s) >= 0;
}

static void names_free(names *l)
{
	CSLDestroy(l->name);
	l->name = NULL;
	l->n = 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds to l the regular files under dir/rel (rel "" for dir itself),
 * relative to dir. */
static int list_files(names *l, const char *dir, const char *rel)
{
	char path[2 * PATH], sub[PATH];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int rc = TP_OK;

	snprintf(path, sizeof(path), "%s%s%s", dir, rel[0] ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return tp_error_set(TP_EOUTPUT, "%s: cannot read: %s", path, strerror(errno));
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, sub);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = list_files(l, dir, sub);
		else if (S_ISREG(st.st_mode))
			rc = names_add(l, sub);
	}
	closedir(d);
	return rc;
}

/* One output as run.json names it. */
typedef struct {
	char path[1024];  /* relative to OUTDIR */
	long long size;   /* bytes */
	char sha256[65];  /* hex */
} entry;

/*
 * Reads the outputs run.json in dir names, as tp_outset_publish writes them
 * (one per line); calls fn on each until it returns non-zero.  No run.json:
 * nothing called, 0.
 */
static int read_run_json(const char *dir, int (*fn)(const entry *e, void *arg), void *arg)
{
	char path[PATH], line[2048];
	FILE *f;
	int rc = TP_OK;

	snprintf(path, sizeof(path), "%s/%s", dir, RUN_JSON);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? TP_OK
				       : tp_error_set(TP_EOUTPUT, "%s: cannot read: %s", path,
						      strerror(errno));
	while (!rc && fgets(line, sizeof(line), f)) {
		entry e;

		if (sscanf(line, " {\"path\": \"%1023[^\"]\", \"size\": %lld, \"sha256\": \"%64[0-9a-f]\"}",
			   e.path, &e.size, e.sha256) == 3)
			rc = fn(&e, arg);
	}
	fclose(f);
	return rc;
}

/* Checks that one output in outdir is as run.json says. */
static int check_entry(const char *outdir, const entry *e)
{
	char path[PATH], hex[65] = "";
	long long size;

	snprintf(path, sizeof(path), "%s/%s", outdir, e->path);
	if (sha256_file(path, hex, &size) || size != e->size || strcmp(hex, e->sha256))
		return tp_error_set(TP_EOUTPUT,
				    "%s: the outputs are not one set: %s is not the file %s/%s "
				    "names (changed or replaced since); run the whole pipeline "
				    "again ('tremplin run' without --from) to make a new set",
				    outdir, e->path, outdir, RUN_JSON);
	return TP_OK;
}

/* ---- putting a set in place ----------------------------------------- */

/* Moves what folder src holds into folder dst, folders merged, files
 * replaced; src's run.json is left for last when top. */
static int move_tree(const char *src, const char *dst, int top)
{
	char from[PATH], to[PATH + 16];
	names l = {0};
	struct dirent *e;
	struct stat st;
	size_t i;
	DIR *d = opendir(src);
	int rc = TP_OK;

	if (!d)
		return tp_error_set(TP_EOUTPUT, "%s: cannot read: %s", src, strerror(errno));
	while (!rc && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    !(top && !strcmp(e->d_name, RUN_JSON)))
			rc = names_add(&l, e->d_name);
	closedir(d);
	for (i = 0; i < l.n && !rc; i++) {
		snprintf(from, sizeof(from), "%s/%s", src, l.name[i]);
		snprintf(to, sizeof(to), "%s/%s", dst, l.name[i]);
		if (lstat(from, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (mkdir(to, 0777) != 0 && errno != EEXIST)
				rc = tp_error_set(TP_EOUTPUT, "%s: cannot create folder: %s", to,
						  strerror(errno));
			if (!rc)
				rc = move_tree(from, to, 0);
			if (!rc)
				rmdir(from);
			continue;
		}
		/* a journal left beside a GeoPackage replaced would be replayed into it */
		if (strlen(to) > 5 && !strcmp(to + strlen(to) - 5, ".gpkg"))
			tp_outfile_remove_side_files(to);
		if (rename(from, to) != 0)
			rc = tp_error_set(TP_EOUTPUT, "%s: cannot put the new output in place (%s): %s",
					  to, from, strerror(errno));
	}
	names_free(&l);
	return rc;
}

/* Finishes putting the set waiting in outdir/.tremplin-ready in place. */
static int roll_forward(const char *outdir)
{
	char ready[PATH], from[PATH + 16], to[PATH];
	struct stat st;
	int rc;

	snprintf(ready, sizeof(ready), "%s/%s", outdir, READY);
	if (lstat(ready, &st) != 0)
		return TP_OK;
	rc = move_tree(ready, outdir, 1);
	snprintf(from, sizeof(from), "%s/%s", ready, RUN_JSON);
	snprintf(to, sizeof(to), "%s/%s", outdir, RUN_JSON);
	if (!rc && rename(from, to) != 0 && errno != ENOENT)
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot put in place: %s", to, strerror(errno));
	if (!rc && rmdir(ready) != 0)
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot remove: %s", ready, strerror(errno));
	return rc ? tp_error_wrap(rc, "%s: putting the new outputs in place", outdir) : TP_OK;
}

/* The PID in a name ending in ".tmp-PID" (SQLite's -wal, -shm or -journal
 * after it allowed), or 0. */
static long tmp_pid(const char *name)
{
	const char *t = strstr(name, ".tmp-");
	char *end;
	long pid;

	if (!t)
		return 0;
	pid = strtol(t + 5, &end, 10);
	if (end == t + 5 ||
	    (*end && strcmp(end, "-wal") && strcmp(end, "-shm") && strcmp(end, "-journal")))
		return 0;
	return pid;
}

/* Removes the dead runs' temporary files in dir and, depth > 0, in its
 * folders (maps/, inputs/); at the top, the staging folders (the caller
 * holds the lock). */
static void remove_leftovers(const char *dir, int depth, int top)
{
	char path[PATH];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);
	names l = {0};
	size_t i;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names_add(&l, e->d_name);
	closedir(d);
	for (i = 0; i < l.n; i++) {
		const char *name = l.name[i];
		size_t k = strlen(TP_OUTSET_STAGING);

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (lstat(path, &st) != 0)
			continue;
		/* a staging folder's run is dead whatever its pid: a live one would
		 * hold the lock, and the pid may be another process's by now */
		if (top && S_ISDIR(st.st_mode) && !strncmp(name, TP_OUTSET_STAGING, k)) {
			tp_outset_discard(path);
		} else if (S_ISDIR(st.st_mode) && depth > 0 && name[0] != '.') {
			remove_leftovers(path, depth - 1, 0);
		} else if (S_ISREG(st.st_mode) && dead(tmp_pid(name))) {
			unlink(path);
		}
	}
	names_free(&l);
}

int tp_outset_tidy(const char *outdir)
{
	int rc = roll_forward(outdir);

	remove_leftovers(outdir, 1, 1);
	return rc;
}

int tp_outset_stage(char *out, size_t n, const char *outdir)
{
	if (snprintf(out, n, "%s/%s%ld", outdir, TP_OUTSET_STAGING, (long)getpid()) >= (int)n)
		return tp_error_set(TP_EOUTPUT, "%s: path too long", outdir);
	tp_outset_discard(out);
	if (mkdir(out, 0777) != 0)
		return errno == EACCES || errno == EROFS || errno == EPERM
			       ? unwritable(outdir, errno)
			       : tp_error_set(TP_EOUTPUT, "%s: cannot create folder: %s", out,
					      strerror(errno));
	return TP_OK;
}


/* What keep_entry needs. */
typedef struct {
	const char *outdir;     /* the output folder */
	names *files;           /* the new set's outputs: those staged, then those kept */
	int keeps;              /* tp_outset_run's keeps */
} keeping;

/* read_run_json: an output of the previous set the run did not write stays
 * in the new set; with keeps, only as the previous run.json names it. */
static int keep_entry(const entry *e, void *arg)
{
	keeping *k = arg;
	char path[PATH];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", k->outdir, e->path);
	if (names_has(k->files, e->path))
		return TP_OK;
	if (k->keeps) {
		int rc = check_entry(k->outdir, e);

		return rc ? rc : names_add(k->files, e->path);
	}
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? names_add(k->files, e->path) : TP_OK;
}

/* Writes run.json into staging: the run, then every output of files
 * (under staging when i < nstaged, else under outdir) with its checksum. */
static int write_run_json(const char *outdir, const char *staging, const names *files,
			  size_t nstaged, const tp_outset_run *r)
{
	char path[PATH], hex[65] = "", finished[32];
	tp_outfile o;
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", staging, RUN_JSON);
	rc = tp_outfile_open(&o, path, TP_OUTFILE_SYNC);
	if (rc)
		return rc;
	tp_outset_now(finished, sizeof(finished));
	sha256_text(r->config_text ? r->config_text : "", hex);
	fprintf(o.f, "{\n  \"tremplin\": ");
	tp_json_fputs(o.f, TP_VERSION);
	fprintf(o.f, ",\n  \"started\": \"%s\",\n  \"finished\": \"%s\",\n  \"stages\": ",
		r->started, finished);
	tp_json_fputs(o.f, r->stages);
	fprintf(o.f, ",\n  \"config\": {\"path\": ");
	tp_json_fputs(o.f, r->config ? r->config : "");
	fprintf(o.f, ", \"sha256\": \"%s\"},\n  \"outputs\": [\n", hex);
	for (i = 0; i < files->n && !rc; i++) {
		const tp_outset_digest *d;
		long long size;

		snprintf(path, sizeof(path), "%s/%s", i < nstaged ? staging : outdir,
			 files->name[i]);
		if (i < nstaged && (d = digest_taken(r->digests, path)) != NULL) {
			CPLDebug("tremplin", "run.json: %s: the digest its writer took", files->name[i]);
			memcpy(hex, d->hex, sizeof(hex));
			size = d->size;
		} else if ((rc = sha256_file(path, hex, &size)) != TP_OK) {
			break;
		}
		/* one output a line: read_run_json reads them back so */
		fprintf(o.f, "    {\"path\": ");
		tp_json_fputs(o.f, files->name[i]);
		fprintf(o.f, ", \"size\": %lld, \"sha256\": \"%s\"}%s\n", size, hex,
			i + 1 < files->n ? "," : "");
	}
	fprintf(o.f, "  ]\n}\n");
	return tp_outfile_end(&o, rc);
}

/* Checks, before the set is declared whole, that each staged file can be
 * moved into place: its folder in outdir writable, no folder in its way.
 * A move that fails later would leave the set half in place. */
static int placeable(const char *outdir, const names *files, size_t nstaged)
{
	char path[PATH], *slash;
	struct stat st;
	size_t i;

	for (i = 0; i < nstaged; i++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, files->name[i]);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return tp_error_set(TP_EOUTPUT, "%s: a folder is where this output goes; "
					    "move it away", path);
		slash = strrchr(path, '/');
		*slash = '\0';
		if (access(path, W_OK) != 0 && errno != ENOENT)
			return unwritable(path, errno);
	}
	return TP_OK;
}

int tp_outset_publish(const char *outdir, const char *staging, const tp_outset_run *r)
{
	char ready[PATH];
	names files = {0};
	keeping k = {outdir, &files, r->keeps};
	size_t nstaged;
	int rc;

	rc = list_files(&files, staging, "");
	/* none staged (--from database: the files are all kept) */
	if (!rc && files.n)
		qsort(files.name, files.n, sizeof(*files.name), by_name);
	nstaged = files.n;
	if (!rc)
		rc = placeable(outdir, &files, nstaged);
	if (!rc)
		rc = read_run_json(outdir, keep_entry, &k);
	if (!rc)
		rc = write_run_json(outdir, staging, &files, nstaged, r);
	snprintf(ready, sizeof(ready), "%s/%s", outdir, READY);
	/* the new set is whole on disk: from here on it is put in place */
	if (!rc && rename(staging, ready) != 0)
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot rename %s to %s: %s", outdir, staging,
				  ready, strerror(errno));
	if (rc)
		tp_outset_discard(staging);
	else
		rc = roll_forward(outdir);
	names_free(&files);
	return rc;
}

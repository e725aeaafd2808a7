/*
 * outfile.c: putting a file at an output path (outfile.h): a temporary
 * file renamed into place, or written through when the path is a device,
 * a FIFO or standard output.
 */
#include "outputs/outfile.h"
#include "geo/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Symlinks followed before the path is called a loop, as the kernel's MAXSYMLINKS. */
#define MAX_LINKS 40

int tp_outfile_remove_side_files(const char *name)
{
	static const char *const side[] = {"-journal", "-wal", "-shm"};
	char p[TP_OUTFILE_PATH + 16];
	size_t i;
	int failed = 0;

	for (i = 0; i < sizeof(side) / sizeof(side[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", name, side[i]);
		if (unlink(p) != 0 && errno != ENOENT && !failed)
			failed = errno;
	}
	errno = failed;
	return failed ? -1 : 0;
}

/* Removes name, and its side files when o writes a database. */
static void remove_file(const tp_outfile *o, const char *name)
{
	unlink(name);
	if (o->flags & TP_OUTFILE_SQLITE)
		tp_outfile_remove_side_files(name);
}

/*
 * Follows the symlinks of o->path (relative targets are read from the
 * link's folder, as the kernel does) until it names something that is not
 * a link, or nothing; st gets what is there (st_mode 0 when nothing is).
 */
static int resolve(tp_outfile *o, struct stat *st)
{
	char target[TP_OUTFILE_PATH], joined[2 * TP_OUTFILE_PATH];
	const char *slash;
	ssize_t n;
	int links;

	for (links = 0; links <= MAX_LINKS; links++) {
		if (lstat(o->path, st) != 0) {
			if (errno != ENOENT)
				return tp_error_set(TP_EOUTPUT, "%s: %s", o->path, strerror(errno));
			st->st_mode = 0;
			return TP_OK;
		}
		if (!S_ISLNK(st->st_mode))
			return TP_OK;
		n = readlink(o->path, target, sizeof(target) - 1);
		if (n < 0)
			return tp_error_set(TP_EOUTPUT, "%s: %s", o->path, strerror(errno));
		target[n] = '\0';
		slash = strrchr(o->path, '/');
		if (target[0] == '/' || !slash)
			snprintf(joined, sizeof(joined), "%s", target);
		else
			snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - o->path), o->path,
				 target);
		if (strlen(joined) >= sizeof(o->path))
			return tp_error_set(TP_EOUTPUT, "%s: path too long", o->path);
		memcpy(o->path, joined, strlen(joined) + 1);
	}
	return tp_error_set(TP_EOUTPUT, "%s: too many levels of symbolic links", o->path);
}

int tp_outfile_begin(tp_outfile *o, const char *path, int flags)
{
	struct stat st;
	int rc;

	o->f = NULL;
	o->flags = flags;
	o->through = 0;
	o->tmp[0] = '\0';
	if ((flags & TP_OUTFILE_STDOUT) && !strcmp(path, "-")) {
		snprintf(o->path, sizeof(o->path), "standard output");
		o->through = 1;
		return TP_OK;
	}
	if (snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path))
		return tp_error_set(TP_EOUTPUT, "%.200s...: path too long", path);
	rc = resolve(o, &st);
	if (rc)
		return rc;
	if (S_ISDIR(st.st_mode))
		return tp_error_set(TP_EOUTPUT, "%s: is a folder, not a file", o->path);
	if (st.st_mode && !S_ISREG(st.st_mode)) {
		/* a device or a FIFO: written in place, never replaced */
		if (flags & TP_OUTFILE_SQLITE)
			return tp_error_set(TP_EOUTPUT, "%s: a GeoPackage needs a regular file",
					    o->path);
		memcpy(o->tmp, o->path, sizeof(o->tmp));
		o->through = 1;
		return TP_OK;
	}
	if (snprintf(o->tmp, sizeof(o->tmp), "%s.tmp-%ld", o->path, (long)getpid()) >=
	    (int)sizeof(o->tmp))
		return tp_error_set(TP_EOUTPUT, "%s: path too long", o->path);
	/* A leftover of an earlier run that had our pid is ours to replace. */
	remove_file(o, o->tmp);
	return TP_OK;
}

int tp_outfile_open(tp_outfile *o, const char *path, int flags)
{
	int rc = tp_outfile_begin(o, path, flags);

	if (rc)
		return rc;
	if (!o->tmp[0]) {
		o->f = stdout;
		return TP_OK;
	}
	o->f = fopen(o->tmp, "wb");
	if (!o->f)
		return tp_error_set(TP_EOUTPUT, "%s: cannot create %s: %s", o->path, o->tmp,
				    strerror(errno));
	return TP_OK;
}

/* fsyncs the file written under o->tmp by a library, which has closed it. */
static int sync_closed(const tp_outfile *o)
{
	int fd = open(o->tmp, O_RDONLY | O_CLOEXEC), bad;

	if (fd < 0)
		return -1;
	bad = fsync(fd);
	close(fd);
	return bad;
}

int tp_outfile_commit(tp_outfile *o)
{
	int bad = 0, rc = TP_OK;
	/* a device or FIFO cannot be synced (EINVAL), and need not be */
	int sync = (o->flags & TP_OUTFILE_SYNC) && !o->through;

	errno = 0;
	if (o->f) {
		bad = fflush(o->f) != 0 || ferror(o->f) || (sync && fsync(fileno(o->f)) != 0);
		if (o->f != stdout && fclose(o->f) != 0)
			bad = 1;
		o->f = NULL;
	} else if (sync) {
		bad = sync_closed(o) != 0;
	}
	if (bad) {
		const char *why = errno ? strerror(errno) : "write error";
		if (o->through)
			rc = tp_error_set(TP_EOUTPUT, "%s: cannot write: %s", o->path, why);
		else
			rc = tp_error_set(TP_EOUTPUT, "%s: cannot write %s: %s", o->path, o->tmp,
					  why);
		goto done;
	}
	if (o->through)
		return TP_OK;
	/* A journal left beside the file replaced would be replayed into the new one. */
	if (o->flags & TP_OUTFILE_SQLITE)
		tp_outfile_remove_side_files(o->path);
	if (rename(o->tmp, o->path) != 0)
		rc = tp_error_set(TP_EOUTPUT, "%s: cannot rename %s onto it: %s", o->path, o->tmp,
				  strerror(errno));
done:
	if (rc)
		tp_outfile_abort(o);
	return rc;
}

void tp_outfile_abort(tp_outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	else if (o->f)
		fflush(o->f);
	o->f = NULL;
	if (!o->through && o->tmp[0])
		remove_file(o, o->tmp);
}

int tp_outfile_end(tp_outfile *o, int rc)
{
	if (rc) {
		tp_outfile_abort(o);
		return rc;
	}
	return tp_outfile_commit(o);
}

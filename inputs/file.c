/*
 * file.c: regular files only (file.h).
 */
#include "inputs/file.h"
#include "geo/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* What st is when it is not a regular file. */
static const char *kind_of(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return "a folder";
	if (S_ISFIFO(st->st_mode))
		return "a FIFO (named pipe)";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "a device";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	return "not a regular file";
}

int tp_file_check(const char *path, int code, const char *what)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return tp_error_set(code, "%s: file not found%s", path, what);
		if (errno == ELOOP)
			return tp_error_set(code, "%s: a loop of symbolic links%s", path, what);
		return tp_error_set(code, "%s: cannot read%s: %s", path, what, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return tp_error_set(code, "%s: %s, not a file%s; tremplin reads regular files", path,
				    kind_of(&st), what);
	if (access(path, R_OK) != 0)
		return tp_error_set(code, "%s: cannot read%s: %s", path, what, strerror(errno));
	return TP_OK;
}

/* path opened for reading into *fd, after tp_file_check(), and its status
 * into *st: 0, or `code` as tp_file_check() fails (nothing left open). */
static int open_regular(const char *path, int code, const char *what, int *fd, struct stat *st)
{
	int rc = tp_file_check(path, code, what);

	*fd = -1;
	if (rc)
		return rc;
	/* O_NONBLOCK: should the path have become a FIFO since the check, the
	 * open does not wait for a writer, and fstat below refuses it */
	*fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0)
		return tp_error_set(code, "%s: cannot read%s: %s", path, what, strerror(errno));
	if (fstat(*fd, st) != 0)
		rc = tp_error_set(code, "%s: cannot read%s: %s", path, what, strerror(errno));
	else if (!S_ISREG(st->st_mode))
		rc = tp_error_set(code, "%s: %s, not a file%s; tremplin reads regular files", path,
				  kind_of(st), what);
	if (rc) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* The st_size bytes of fd (path's) read into *out, NUL-terminated, *len
 * of them (fewer if the file was cut meanwhile). */
static int read_whole(int fd, const struct stat *st, const char *path, int code,
		      const char *what, char **out, size_t *len)
{
	char *buf = malloc((size_t)st->st_size + 1);
	size_t got = 0;
	ssize_t n;

	if (!buf)
		return tp_error_set(TP_ERROR, "%s: out of memory reading %lld bytes", path,
				    (long long)st->st_size);
	while (got < (size_t)st->st_size &&
	       (n = read(fd, buf + got, (size_t)st->st_size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return tp_error_set(code, "%s: cannot read%s: %s", path, what,
					    strerror(errno));
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return TP_OK;
}

int tp_file_read(const char *path, int code, const char *what, char **out, size_t *len)
{
	struct stat st;
	int fd, rc;

	*out = NULL;
	*len = 0;
	rc = open_regular(path, code, what, &fd, &st);
	if (rc)
		return rc;
	rc = read_whole(fd, &st, path, code, what, out, len);
	close(fd);
	return rc;
}

int tp_file_map(const char *path, int code, const char *what, tp_file_text *out)
{
	struct stat st;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), room;
	char *at = MAP_FAILED;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	rc = open_regular(path, code, what, &fd, &st);
	if (rc)
		return rc;
	/* room for the text and at least one byte more: the bytes past the
	 * file's end in its last page are 0, and a page after a whole last
	 * page, mapped anonymous, is 0 too */
	room = ((size_t)st.st_size / page + 1) * page;
	if (st.st_size > 0)
		at = mmap(NULL, room, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (at != MAP_FAILED &&
	    mmap(at, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
		munmap(at, room);
		at = MAP_FAILED;
	}
	if (at != MAP_FAILED) {
		out->text = at;
		out->len = (size_t)st.st_size;
		out->mapped = room;
	} else {
		/* empty, or not to be mapped: read */
		rc = read_whole(fd, &st, path, code, what, &out->text, &out->len);
	}
	close(fd);
	return rc;
}

void tp_file_text_free(tp_file_text *t)
{
	if (t->mapped)
		munmap(t->text, t->mapped);
	else
		free(t->text);
	memset(t, 0, sizeof(*t));
}

int tp_file_stamp(const char *path, char *buf, size_t len)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	snprintf(buf, len, "%lld bytes, modified %lld.%09ld", (long long)st.st_size,
		 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	return 0;
}

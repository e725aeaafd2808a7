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

int tp_file_read(const char *path, int code, const char *what, char **out, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd = -1, rc;

	*out = NULL;
	*len = 0;
	rc = tp_file_check(path, code, what);
	if (rc)
		return rc;
	/* O_NONBLOCK: should the path have become a FIFO since the check, the
	 * open does not wait for a writer, and fstat below refuses it */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return tp_error_set(code, "%s: cannot read%s: %s", path, what, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = tp_error_set(code, "%s: cannot read%s: %s", path, what, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = tp_error_set(code, "%s: %s, not a file%s; tremplin reads regular files", path,
				  kind_of(&st), what);
		goto done;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = tp_error_set(TP_ERROR, "%s: out of memory reading %lld bytes", path,
				  (long long)st.st_size);
		goto done;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = tp_error_set(code, "%s: cannot read%s: %s", path, what, strerror(errno));
			goto done;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
done:
	free(buf);
	close(fd);
	return rc;
}

int tp_file_map(const char *path, int code, const char *what, tp_file_text *out)
{
	struct stat st;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), room;
	char *at;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	rc = tp_file_check(path, code, what);
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return tp_error_set(code, "%s: cannot read%s: %s", path, what, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		/* tp_file_read says what it is */
		close(fd);
		return tp_file_read(path, code, what, &out->text, &out->len);
	}
	/* room for the text and at least one byte more: the bytes past the
	 * file's end in its last page are 0, and a page after a whole last
	 * page, mapped anonymous, is 0 too */
	room = ((size_t)st.st_size / page + 1) * page;
	at = mmap(NULL, room, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (at != MAP_FAILED &&
	    mmap(at, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
		munmap(at, room);
		at = MAP_FAILED;
	}
	close(fd);
	if (at == MAP_FAILED)
		return tp_file_read(path, code, what, &out->text, &out->len);
	out->text = at;
	out->len = (size_t)st.st_size;
	out->mapped = room;
	return TP_OK;
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

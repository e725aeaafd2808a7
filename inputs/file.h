/*
 * file.h: what tremplin reads is a regular file.
 *
 * An input or a config named by a user may be anything the file system
 * holds: a folder, a FIFO that blocks a reader forever, a device, a socket,
 * a symbolic link loop, a file the user may not read.  Each is refused
 * here, by name and kind, before anything opens it, so no read blocks and
 * no size is taken from a file that has none (ftell on a folder gives
 * LONG_MAX).  The pipeline's inputs, the address reference, the config and
 * the inputs of join and apportion all come through these two functions.
 */
#ifndef TP_FILE_H
#define TP_FILE_H

#include <stddef.h>

/*
 * 0 when path names a regular file this process may read (a symbolic link
 * is followed); else `code` (TP_EINPUT for an input, TP_ECONFIG for the
 * config) with a message naming path, what it is instead, and `what` (e.g.
 * " (input 'zones')", may be "").
 */
int tp_file_check(const char *path, int code, const char *what);

/*
 * Reads the whole regular file path into *out (malloc'ed, NUL-terminated;
 * *len bytes before the NUL), after tp_file_check().  Fails with `code` as
 * tp_file_check() does, or when the file cannot be read whole.
 */
int tp_file_read(const char *path, int code, const char *what, char **out, size_t *len);

/*
 * A file's text, as tp_file_map() gives it: NUL-terminated, len bytes
 * before the NUL; mapped bytes of memory map it, or (mapped 0) text was
 * malloc'ed.
 */
typedef struct {
	char *text;
	size_t len;
	size_t mapped;
} tp_file_text;

/*
 * The whole regular file path, as tp_file_read() reads it, but mapped
 * instead of copied (read only): a CSV of 10 million records is 800 MB,
 * which read() copied into memory the process had never touched, 0.7 s on
 * this project's machines before OGR began to read.  A NUL follows the
 * text, whatever the file's size.  An empty file, or one that cannot be
 * mapped, is read.  Free with tp_file_text_free().  A file cut shorter
 * while it is mapped would stop the process (SIGBUS): source.c keeps the
 * mapping only while it looks for the header and the records' lines (a
 * second at 10M records), and a file changed later is caught by its stamp.
 */
int tp_file_map(const char *path, int code, const char *what, tp_file_text *out);

/* Unmaps or frees t's text, and leaves t empty. */
void tp_file_text_free(tp_file_text *t);

/*
 * What tells path's content apart from another's without reading it: its
 * size and modification time (to the nanosecond) as text, into buf.  A
 * stage that reads again what an earlier one read checks it is unchanged
 * this way, as make does.  0, or -1 when path cannot be stat'ed.
 */
int tp_file_stamp(const char *path, char *buf, size_t len);

#endif

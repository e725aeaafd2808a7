/*
 * outfile.h: the one way tremplin puts a file at an output path.
 *
 * A regular file is written under a temporary name in the same folder
 * ("<path>.tmp-<pid>") and renamed onto path only when complete, so a
 * reader sees the old file or the new one, never half of one; on failure
 * the temporary file is removed and a file already at path is left as it
 * was.  What is not a regular file is never replaced: an existing device
 * or FIFO at path is written through (a run as root must not turn
 * /dev/null into a regular file), a symlink is followed and its target is
 * replaced in the target's folder (the link stays a link), a directory is
 * an error, and "-" is standard output for the writers that allow it.
 *
 * Writers that need a FILE* call tp_outfile_open and write to o->f;
 * writers that need a path (GDAL's GeoPackage driver, Cairo's surfaces)
 * call tp_outfile_begin, hand o->tmp to the library and close what the
 * library opened before tp_outfile_commit.  Every begin or open ends in
 * exactly one tp_outfile_commit or tp_outfile_abort.
 */
#ifndef TP_OUTFILE_H
#define TP_OUTFILE_H

#include <stdio.h>

#define TP_OUTFILE_PATH 4200

enum {
	TP_OUTFILE_STDOUT = 1, /* "-" means standard output (text written through o->f) */
	TP_OUTFILE_SYNC = 2,   /* fsync the file before it is renamed into place */
	TP_OUTFILE_SQLITE = 4, /* an SQLite database: its -journal, -wal and -shm files go with it,
				  and only a regular file (or nothing) at path will do */
};

/* An output being written. */
typedef struct tp_outfile {
	char path[TP_OUTFILE_PATH]; /* the destination, symlinks resolved */
	char tmp[TP_OUTFILE_PATH];  /* the name to write under: the temporary file, or path
				       itself when written through; "" for standard output */
	FILE *f;                    /* the open stream (tp_outfile_open), else NULL */
	int flags;                  /* TP_OUTFILE_* */
	int through;                /* 1: path is a device, FIFO or stdout, written in place */
} tp_outfile;

/*
 * Prepares o to write path: resolves symlinks, chooses between a temporary
 * file (the destination is absent or a regular file) and writing through
 * (a device or FIFO; "-" with TP_OUTFILE_STDOUT), and removes a leftover
 * temporary file of the same name.  Opens nothing.  Returns 0, or
 * TP_EOUTPUT naming path (a directory, a path too long, a device or FIFO
 * given to an SQLite writer, a symlink loop); then there is nothing to
 * abort.
 */
int tp_outfile_begin(tp_outfile *o, const char *path, int flags);

/* tp_outfile_begin, then o->f opened for writing (binary) on o->tmp, or
 * stdout.  On failure nothing is open or left to abort. */
int tp_outfile_open(tp_outfile *o, const char *path, int flags);

/*
 * Puts the output in place: closes o->f if open (checking every write),
 * fsyncs when asked, renames the temporary file onto o->path.  A file the
 * caller wrote through a library must be closed first.  On failure the
 * temporary file is removed.  Returns 0 or TP_EOUTPUT naming the path.
 */
int tp_outfile_commit(tp_outfile *o);

/* Gives up: closes o->f if open and removes the temporary file (never a
 * destination written through).  Leaves the last-error slot alone. */
void tp_outfile_abort(tp_outfile *o);

/* tp_outfile_commit when rc is 0, else tp_outfile_abort; returns the
 * result: rc, or commit's error. */
int tp_outfile_end(tp_outfile *o, int rc);

/* Removes the SQLite side files of the database name (-journal, -wal,
 * -shm; missing ones are fine): 0, or -1 with errno of the first that
 * could not be removed. */
int tp_outfile_remove_side_files(const char *name);

#endif

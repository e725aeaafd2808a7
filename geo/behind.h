/*
 * behind.h: an SQLite file whose writes are made on a thread of their own.
 *
 * On this project's machines a page the guest touches for the first time,
 * page cache or anonymous, is a fault its host must fill: writing 3.2 GB
 * into a new file costs 5-6 s of system time here, the same write over a
 * file's pages still cached 0.8 s (dd, 64 KiB blocks).  The GeoPackage of
 * 10 million vacancies is such a file, and SQLite writes it from the write
 * stage's longest thread: perf put 21 % of that thread's time in pwrite()
 * (5.8 s of 27.8 s), nearly all of it the kernel's copy into pages new to
 * the host.
 *
 * The VFS "tp-behind" wraps the default one.  For a main database file
 * opened through it, xWrite copies the page into one of a few buffers and
 * returns; a thread of the file's own hands the buffers, in order, to the
 * default VFS's xWrite.  Every other call on the file (a read, the file's
 * size, a lock, a truncation, a sync, a file control) first waits until
 * the writes queued are made, so the file is only ever used by one thread
 * at a time, and whatever SQLite reads, locks or syncs is what it wrote.
 * A failed write is kept and returned by every later call: at the latest
 * by SQLITE_FCNTL_SYNC, which SQLite sends at each commit even with
 * synchronous=OFF, so a commit whose pages could not be written fails.
 * Journals and temporary files pass straight through.
 *
 * Opened with a URI (tp_behind_uri), e.g. ATTACH 'file:out.gpkg?vfs=tp-behind'.
 */
#ifndef TP_BEHIND_H
#define TP_BEHIND_H

#include <sqlite3.h>

#define TP_BEHIND_VFS "tp-behind"

/* Registers the VFS TP_BEHIND_VFS (once, not as the default): SQLITE_OK, or
 * SQLite's code. */
int tp_behind_register(void);

/* The URI that opens path through TP_BEHIND_VFS (sqlite3_free it), or NULL
 * out of memory. */
char *tp_behind_uri(const char *path);

#endif

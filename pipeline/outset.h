/*
 * outset.h: a run's outputs as one set (README "Outputs as one set").
 *
 * One run at a time writes into an output folder: the commands that take
 * -o OUTDIR hold a lock on OUTDIR/.tremplin.lock while they run.  The
 * stages that write files write them under a staging folder inside
 * OUTDIR (.tremplin-new-PID); once every one of them has finished, the
 * runner writes run.json (the run, its config's SHA-256, every output with
 * its size and SHA-256) into it, renames the folder to .tremplin-ready (the
 * new set is then whole on disk) and moves its files into OUTDIR, run.json
 * last.  A run killed before that rename leaves the previous set alone; one
 * killed after it leaves .tremplin-ready, which the next command that takes
 * the lock finishes putting in place.  So OUTDIR holds the previous set or
 * the new one, and a mix only while .tremplin-ready exists, never once a
 * command has taken the lock.
 */
#ifndef TP_OUTSET_H
#define TP_OUTSET_H

#include <stddef.h>

/* The staging folder's name inside OUTDIR, before the PID. */
#define TP_OUTSET_STAGING ".tremplin-new-"

/*
 * Takes the lock of outdir (an existing folder) for this process, until it
 * exits or calls tp_outset_unlock, and writes into the lock file who holds
 * it (pid, host, since when).  When another run holds it: TP_EOUTPUT naming
 * that run, or, with wait, waits for it (saying so on stderr unless quiet).
 * TP_EOUTPUT too when outdir cannot be written (read-only).  *fd gets the
 * lock's file descriptor, -1 on failure.  Then removes what dead runs left
 * (tp_outset_tidy).
 */
int tp_outset_lock(int *fd, const char *outdir, int wait, int quiet);

/* Releases a lock tp_outset_lock took (fd -1: none). */
void tp_outset_unlock(int fd);

/*
 * What dead runs left in outdir, under the lock: finishes putting a ready
 * set in place (.tremplin-ready), removes staging folders (their runs are
 * dead: the caller holds the lock) and "*.tmp-PID" files whose process is
 * not running.  TP_EOUTPUT when a
 * ready set cannot be put in place.
 */
int tp_outset_tidy(const char *outdir);

/*
 * Creates the staging folder of this process in outdir, its path into
 * out (n bytes), removing one of the same name first.  TP_EOUTPUT when
 * it cannot be created.
 */
int tp_outset_stage(char *out, size_t n, const char *outdir);

/* Removes the staging folder and what it holds (a failed run). */
void tp_outset_discard(const char *staging);

/*
 * Digests of staged outputs taken before run.json is written, by the
 * thread that wrote each file while other work still runs (the write
 * stage's GeoPackage, ~0.2 s of SHA-256 at a million records, beside the
 * candidate lists' thread): a list, NULL when empty.
 */
typedef struct tp_outset_digest tp_outset_digest;

/*
 * Takes now the SHA-256 of path, a finished output under the staging
 * folder, adding it to *list.  run.json uses it only while the file is
 * the same one, unchanged (device, inode, size, modification and change
 * times as when taken); else it reads the file again.  TP_EOUTPUT when it
 * cannot be read, TP_ERROR when out of memory.
 */
int tp_outset_digest_take(tp_outset_digest **list, const char *path);

/* Frees a list of digests. */
void tp_outset_digest_free(tp_outset_digest *list);

/* What run.json says of the run, besides its outputs. */
typedef struct tp_outset_run {
	const char *config;      /* the config file's path */
	const char *config_text; /* its text, whose SHA-256 is recorded */
	const char *started;     /* when the run started, UTC, ISO 8601 */
	const char *stages;      /* the stages run, e.g. "load..draw" */
	int keeps;               /* 1: the run redraws part of a set (--from draw, map), and
				    the outputs it keeps must be as the previous run.json says */
	const tp_outset_digest *digests; /* taken already (tp_outset_digest_take), or NULL */
} tp_outset_run;

/*
 * Puts the set staged in staging in place in outdir: writes run.json
 * there, naming every file staged and every output of the previous
 * run.json the run did not write again (they stay, as they are; with
 * r->keeps, TP_EOUTPUT naming the first that differs from what that
 * run.json says: a set mixed by hand, or by another writer), renames
 * staging to .tremplin-ready and moves its files into outdir, run.json
 * last.  On failure before the rename, staging is removed and outdir holds
 * the previous set; after it, the next command finishes the move.
 * TP_EOUTPUT naming what could not be written or moved.
 */
int tp_outset_publish(const char *outdir, const char *staging, const tp_outset_run *r);

/* The time now, UTC, as 2026-11-28T00:12:34Z, into out (n >= 21 bytes). */
void tp_outset_now(char *out, size_t n);

#endif

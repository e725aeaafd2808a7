/*
 * error.h: tremplin's one thread-local last error.
 *
 * Every function that can fail returns an int: 0 on success, one of the
 * negative TP_E* codes on failure, after recording a message with
 * tp_error_set().  The message names what a person must fix (file, layer,
 * row, field).  The returned code is the truth: a caller passes it on (or
 * wraps the message with tp_error_wrap) and never reads tp_error_code()
 * in its stead.  Only main() turns the code into an exit status, through
 * tp_exit_code().  The handlers installed in geo.c keep GEOS, PROJ and
 * GDAL's own messages (geo.h), and the failing call puts them in its
 * message.  The slot is per thread: a worker hands its failure to the
 * caller in a tp_error_state (below, and parallel.h).
 */
#ifndef TP_ERROR_H
#define TP_ERROR_H

#include <stdarg.h>

enum {
	TP_OK = 0,
	TP_ERROR = -1,   /* internal failure (a bug, out of memory) */
	TP_EUSAGE = -2,  /* bad command line */
	TP_ECONFIG = -3, /* config file missing or wrong */
	TP_EINPUT = -4,  /* a whole input is unusable (file, layer, field, CRS) */
	TP_EOUTPUT = -5, /* an output could not be written */
	TP_ESTORE = -6,  /* the working store is missing a stage's result */
};

/* Exit statuses of the tremplin command, one per failure kind. */
enum {
	TP_EXIT_OK = 0,
	TP_EXIT_INTERNAL = 1,
	TP_EXIT_USAGE = 2,
	TP_EXIT_CONFIG = 3,
	TP_EXIT_INPUT = 4,
	TP_EXIT_OUTPUT = 5,
	TP_EXIT_STORE = 6,
};

/* Room for one message, its terminating NUL included. */
#define TP_ERROR_MSG_MAX 2048

/*
 * Records a printf-style message as the last error and returns code.  The
 * message is formatted before the slot is written, so tp_error_last() may
 * be one of the arguments.
 */
int tp_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Adds context in front of the message already set: the slot becomes
 * "CONTEXT: previous message", CONTEXT being the printf-style fmt.  code is
 * the code the failing call returned (the returned code is the truth, not
 * the slot's); it is recorded and returned, so a caller writes
 * `return tp_error_wrap(rc, "%s, layer %s", path, layer);`.  An empty slot
 * (a bug below) reads "CONTEXT: failed, and no reason was recorded".
 */
int tp_error_wrap(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last error message, never NULL ("" when none). */
const char *tp_error_last(void);

/* The code passed with the last message, TP_OK when none. */
int tp_error_code(void);

/* Forgets the last error. */
void tp_error_clear(void);

/*
 * A failure carried from one thread to another (the last-error slot is per
 * thread).  A worker keeps one in its job, zeroed before it starts; the
 * caller restores it once the worker has finished.
 */
typedef struct tp_error_state {
	int code;                    /* TP_E* code of the first failure, TP_OK if none */
	char msg[TP_ERROR_MSG_MAX];  /* its message */
	int errnum;                  /* the worker's errno then: what a refused write said */
} tp_error_state;

/*
 * Copies this thread's message into out with code, the code the failing
 * call returned, and the thread's errno, unless code is TP_OK or out
 * already holds a failure (the first one is kept).  Returns code.
 */
int tp_error_save(tp_error_state *out, int code);

/*
 * Makes st this thread's last error, and its errno this thread's errno,
 * when it holds a failure, and returns its code (TP_OK, the slot untouched,
 * when it holds none): a disk that refused the worker's write is then
 * named as if the caller's thread had written (tp_store_fault).  A caller
 * gathering workers' results writes
 * `for (t = 0; t < n && !rc; t++) rc = tp_error_restore(&jobs[t].err);`.
 */
int tp_error_restore(const tp_error_state *st);

/* Maps a TP_E* code to the command's exit status. */
int tp_exit_code(int code);

#endif

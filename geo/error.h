/*
 * error.h: tremplin's one thread-local last error.
 *
 * Every function that can fail returns an int: 0 on success, one of the
 * negative TP_E* codes on failure, after recording a message with
 * tp_error_set().  The message names what a person must fix (file, layer,
 * row, field).  Only main() turns the code into an exit status, through
 * tp_exit_code().  GEOS, PROJ and GDAL messages are captured into the same
 * slot by the handlers installed in geo.c.
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

/* Records a printf-style message as the last error and returns code. */
int tp_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last error message, never NULL ("" when none). */
const char *tp_error_last(void);

/* The code passed with the last message, TP_OK when none. */
int tp_error_code(void);

/* Forgets the last error. */
void tp_error_clear(void);

/* Maps a TP_E* code to the command's exit status. */
int tp_exit_code(int code);

#endif

/*
 * error.c: the thread-local last-error slot described in error.h.
 */
#include "geo/error.h"

#include <stdio.h>

static _Thread_local char last_msg[2048]; /* message of the last failure */
static _Thread_local int last_code;       /* its TP_E* code */

int tp_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	last_code = code;
	return code;
}

const char *tp_error_last(void)
{
	return last_msg;
}

int tp_error_code(void)
{
	return last_code;
}

void tp_error_clear(void)
{
	last_msg[0] = '\0';
	last_code = TP_OK;
}

int tp_exit_code(int code)
{
	switch (code) {
	case TP_OK: return TP_EXIT_OK;
	case TP_EUSAGE: return TP_EXIT_USAGE;
	case TP_ECONFIG: return TP_EXIT_CONFIG;
	case TP_EINPUT: return TP_EXIT_INPUT;
	case TP_EOUTPUT: return TP_EXIT_OUTPUT;
	case TP_ESTORE: return TP_EXIT_STORE;
	default: return TP_EXIT_INTERNAL;
	}
}

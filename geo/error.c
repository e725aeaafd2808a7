/*
 * error.c: the thread-local last-error slot described in error.h.
 *
 * Messages are formatted into a local buffer and only then copied into the
 * slot, so the slot's own text may be an argument (tp_error_wrap relies on
 * it, and so may any caller).
 */
#include "geo/error.h"

#include <stdio.h>
#include <errno.h>
#include <string.h>

static _Thread_local char last_msg[TP_ERROR_MSG_MAX]; /* message of the last failure */
static _Thread_local int last_code;                   /* its TP_E* code */

int tp_error_set(int code, const char *fmt, ...)
{
	char buf[TP_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(last_msg, buf, sizeof(buf));
	last_code = code;
	return code;
}

int tp_error_wrap(int code, const char *fmt, ...)
{
	const char *reason = last_msg[0] ? last_msg : "failed, and no reason was recorded";
	char buf[TP_ERROR_MSG_MAX];
	size_t n, k;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* buf + ": " + reason, cut to the slot's size */
	n = strlen(buf);
	for (k = 0; n + 1 < sizeof(buf) && k < 2; k++)
		buf[n++] = ": "[k];
	k = strlen(reason);
	if (k > sizeof(buf) - 1 - n)
		k = sizeof(buf) - 1 - n;
	memcpy(buf + n, reason, k);
	buf[n + k] = '\0';
	memcpy(last_msg, buf, sizeof(buf));
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

int tp_error_save(tp_error_state *out, int code)
{
	if (code && !out->code) {
		out->errnum = errno;
		out->code = code;
		memcpy(out->msg, last_msg, sizeof(out->msg));
	}
	return code;
}

int tp_error_restore(const tp_error_state *st)
{
	if (st->code) {
		memcpy(last_msg, st->msg, sizeof(last_msg));
		last_code = st->code;
		/* the disk's word on the worker's failure (ENOSPC...), read by the caller */
		errno = st->errnum;
	}
	return st->code;
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

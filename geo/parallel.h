/*
 * parallel.h: running one function over several threads.
 */
#ifndef TP_PARALLEL_H
#define TP_PARALLEL_H

#include <stddef.h>

/*
 * Runs fn(arg + k * size) for k < n, each on its own thread, the caller's
 * among them, and returns when all are done.  A thread that cannot be
 * started has its share run by the caller afterwards, so the work is always
 * done whatever the system allows.  n is capped at 64.
 *
 * Each thread has its own last-error slot (error.h): a job that can fail
 * holds a tp_error_state, zeroed before the run, that fn fills with
 * tp_error_save(); the caller then takes the first failure, in job order,
 * with `for (t = 0; t < n && !rc; t++) rc = tp_error_restore(&jobs[t].err);`.
 */
void tp_parallel(void *(*fn)(void *), void *arg, size_t size, int n);

#endif

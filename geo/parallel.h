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
 */
void tp_parallel(void *(*fn)(void *), void *arg, size_t size, int n);

#endif

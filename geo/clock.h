/*
 * clock.h: a clock's reading in seconds (CLOCK_MONOTONIC for wall time,
 * CLOCK_PROCESS_CPUTIME_ID or CLOCK_THREAD_CPUTIME_ID for CPU), for the
 * timings the run prints under --debug and the commands' own.
 */
#ifndef TP_CLOCK_H
#define TP_CLOCK_H

#include <time.h>

static inline double tp_clock(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif

/*
 * parallel.c: tp_parallel (parallel.h).
 */
#include "geo/parallel.h"

#include <pthread.h>

void tp_parallel(void *(*fn)(void *), void *arg, size_t size, int n)
{
	pthread_t tid[64];
	int started[64] = {0}, t;

	if (n > 64)
		n = 64;
	for (t = 1; t < n; t++)
		started[t] = pthread_create(&tid[t], NULL, fn, (char *)arg + (size_t)t * size) == 0;
	fn(arg);
	for (t = 1; t < n; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			fn((char *)arg + (size_t)t * size);
	}
}

/*
 * crunch - a fixed amount of CPU work shared by threads, for scaling demos.
 *
 *   crunch [THREADS [MILLION_STEPS]]   (default: one thread per online CPU, 1000)
 *
 * MILLION_STEPS million steps of a xorshift generator, split evenly among
 * THREADS threads, each on its own generator: no shared data, no lock, so
 * the work divides perfectly and the wall time should halve with twice the
 * CPUs. This is what `make demo`'s scaling study runs: on 1, 2, ... CPUs
 * the threads are the same and only the CPUs they may use change. Prints
 * the combined result, so the work cannot be optimised away:
 *
 *   crunch: 2 threads, 400 million steps, checksum 1f3a...
 *
 * Bounded: the work is fixed (a few seconds on one CPU at the default).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS_MAX 256
#define STEPS_MAX 100000

struct worker {
	pthread_t thread;
	uint64_t steps, state;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t x = w->state;

	for (uint64_t i = 0; i < w->steps; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	w->state = x;
	return NULL;
}

/* A whole number from 1 to max, or exit 2 with a message. */
static long count(const char *s, const char *what, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > max) {
		fprintf(stderr, "crunch: %s must be a whole number from 1 to %ld, not '%s'\n",
			what, max, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static struct worker workers[THREADS_MAX];
	long threads = sysconf(_SC_NPROCESSORS_ONLN), millions = 1000;
	uint64_t total, sum = 0;

	if (argc > 3) {
		fprintf(stderr, "usage: crunch [THREADS [MILLION_STEPS]]\n");
		return 2;
	}
	if (argc >= 2)
		threads = count(argv[1], "THREADS", THREADS_MAX);
	if (argc >= 3)
		millions = count(argv[2], "MILLION_STEPS", STEPS_MAX);
	if (threads < 1)
		threads = 1;
	if (threads > THREADS_MAX)
		threads = THREADS_MAX;
	total = (uint64_t)millions * 1000000;

	for (long i = 0; i < threads; i++) {
		workers[i].steps = total / (uint64_t)threads +
				   ((uint64_t)i < total % (uint64_t)threads);
		workers[i].state = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1);
		if (pthread_create(&workers[i].thread, NULL, work, &workers[i])) {
			fprintf(stderr, "crunch: cannot start thread %ld\n", i + 1);
			return 1;
		}
	}
	for (long i = 0; i < threads; i++) {
		pthread_join(workers[i].thread, NULL);
		sum ^= workers[i].state;
	}
	printf("crunch: %ld thread%s, %ld million steps, checksum %016llx\n", threads,
	       threads == 1 ? "" : "s", millions, (unsigned long long)sum);
	return 0;
}

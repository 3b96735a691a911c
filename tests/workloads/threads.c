/*
 * threads - a thread-heavy calibrated workload: one process, many threads.
 *
 *   threads [--truth FILE] [THREADS [MS]]     (default 8 threads, 50 ms)
 *
 * Starts THREADS threads at once; each spins until its own CPU time reaches
 * MS milliseconds (or, on a machine too busy to give it that, until a
 * wall-clock deadline of 4 * MS + 1000 ms), then returns; the main thread
 * joins them all. So a recording must show one process with THREADS + 1
 * threads (the main one included) and about THREADS * MS of CPU.
 *
 * Truth facts: threads (started besides the main one), cpu_ms_per_thread
 * (asked), cpu_deadline_missed (threads stopped by the wall-clock bound).
 */
#include "truth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THREADS_MAX 1024
#define THREADS_MAX_MS 60000

struct spinner {
	pthread_t thread;
	long long ms;
	int missed_deadline;
	unsigned long long work;
};

static double clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *spinner_main(void *arg)
{
	struct spinner *s = arg;
	double cpu_end = clock_s(CLOCK_THREAD_CPUTIME_ID) + (double)s->ms / 1000;
	double deadline = clock_s(CLOCK_MONOTONIC) + (double)(4 * s->ms + 1000) / 1000;
	unsigned long long x = 2463534242ull;

	for (;;) {
		for (int i = 0; i < 4096; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		if (clock_s(CLOCK_THREAD_CPUTIME_ID) >= cpu_end)
			break;
		if (clock_s(CLOCK_MONOTONIC) >= deadline) {
			s->missed_deadline = 1;
			break;
		}
	}
	s->work = x;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long nr = 8, ms = 50, i, started, missed = 0;
	struct spinner *spinners;

	if (argc > 3) {
		fprintf(stderr, "usage: threads [--truth FILE] [THREADS [MS]]\n");
		return 2;
	}
	if (argc >= 2)
		nr = truth_parse_count(argv[1], "number of threads", THREADS_MAX);
	if (argc >= 3)
		ms = truth_parse_count(argv[2], "milliseconds of CPU", THREADS_MAX_MS);

	spinners = calloc((size_t)(nr ? nr : 1), sizeof(*spinners));
	if (!spinners) {
		fprintf(stderr, "threads: out of memory\n");
		return 1;
	}
	for (started = 0; started < nr; started++) {
		int err;

		spinners[started].ms = ms;
		err = pthread_create(&spinners[started].thread, NULL, spinner_main,
				     &spinners[started]);
		if (err) {
			fprintf(stderr, "threads: pthread_create: %s\n", strerror(err));
			break;
		}
	}
	for (i = 0; i < started; i++) {
		pthread_join(spinners[i].thread, NULL);
		missed += spinners[i].missed_deadline;
	}
	free(spinners);
	if (started < nr)
		return 1;
	truth_fact("threads", nr);
	truth_fact("cpu_ms_per_thread", ms);
	truth_fact("cpu_deadline_missed", missed);
	return truth_write(truth) ? 1 : 0;
}

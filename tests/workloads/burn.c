/*
 * burn - a CPU-bound calibrated workload.
 *
 *   burn [--truth FILE] [THREADS [SECONDS]]     (default 2 threads, 1 s)
 *
 * Starts THREADS threads that each spin on the CPU until their own CPU time
 * (CLOCK_THREAD_CPUTIME_ID) reaches SECONDS, then joins them. The figure to
 * check is task-clock against utime + stime, about THREADS * SECONDS. On a
 * busy machine a thread may get less than a whole core, so each one also
 * stops at a wall-clock deadline of 4 * SECONDS + 1 s: the program is
 * bounded in time whatever the load (the truth file records how much CPU
 * the threads really got, and cpu_deadline_missed says whether a thread
 * stopped early). SECONDS may be a fraction, e.g. 0.25.
 *
 * The spin loop reads its thread's CPU clock every 2^14 iterations (a
 * system call, roughly every 20-50 µs), so a few per cent of the time is
 * system time, on purpose: both user and system time are non-zero.
 *
 * Truth facts: threads, cpu_ms_per_thread (asked), cpu_deadline_missed.
 */
#include "truth.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BURN_MAX_THREADS 1024
#define BURN_MAX_SECONDS 3600.0

struct burner {
	pthread_t thread;
	double seconds;
	int missed_deadline; /* set when the wall-clock deadline stopped it */
	unsigned long long work; /* kept so the loop is not optimised away */
};

static double clock_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *burner_main(void *arg)
{
	struct burner *b = arg;
	double deadline = clock_seconds(CLOCK_MONOTONIC) + 4 * b->seconds + 1;
	double cpu_end = clock_seconds(CLOCK_THREAD_CPUTIME_ID) + b->seconds;
	unsigned long long x = 88172645463325252ull;

	for (;;) {
		unsigned i;

		for (i = 0; i < (1u << 14); i++) {
			/* xorshift: cheap, and the compiler cannot skip it. */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		if (clock_seconds(CLOCK_THREAD_CPUTIME_ID) >= cpu_end)
			break;
		if (clock_seconds(CLOCK_MONOTONIC) >= deadline) {
			b->missed_deadline = 1;
			break;
		}
	}
	b->work = x;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long nr_threads = 2, i, missed = 0;
	double seconds = 1.0;
	struct burner *burners;
	unsigned long long sink = 0;

	if (argc > 3) {
		fprintf(stderr, "usage: burn [--truth FILE] [THREADS [SECONDS]]\n");
		return 2;
	}
	if (argc >= 2)
		nr_threads = truth_parse_count(argv[1], "thread count", BURN_MAX_THREADS);
	if (argc >= 3)
		seconds = truth_parse_seconds(argv[2], "duration", BURN_MAX_SECONDS);

	burners = calloc((size_t)(nr_threads ? nr_threads : 1), sizeof(*burners));
	if (!burners) {
		perror("burn: calloc");
		return 1;
	}
	for (i = 0; i < nr_threads; i++) {
		int err;

		burners[i].seconds = seconds;
		err = pthread_create(&burners[i].thread, NULL, burner_main, &burners[i]);
		if (err) {
			fprintf(stderr, "burn: cannot start a thread: %s\n", strerror(err));
			return 1;
		}
	}
	for (i = 0; i < nr_threads; i++) {
		pthread_join(burners[i].thread, NULL);
		missed += burners[i].missed_deadline;
		sink ^= burners[i].work;
	}
	if (missed)
		fprintf(stderr, "burn: %lld of %lld threads stopped at the wall-clock deadline\n",
			missed, nr_threads);
	truth_fact("threads", nr_threads);
	truth_fact("cpu_ms_per_thread", (long long)(seconds * 1000 + 0.5));
	truth_fact("cpu_deadline_missed", missed);
	truth_fact("work_checksum_low_bits", (long long)(sink & 0xffff));
	free(burners);
	return truth_write(truth) ? 1 : 0;
}

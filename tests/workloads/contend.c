/*
 * contend - a lock-contended calibrated workload: threads fighting over
 * one mutex.
 *
 *   contend [--truth FILE] [THREADS [ROUNDS]]     (default 4 threads, 20000)
 *
 * Each of THREADS threads takes one pthread mutex ROUNDS times, does a
 * little work holding it and a little more without it. On one CPU the
 * holder is seldom preempted inside its short critical section, so the
 * others rarely find the lock taken: few context switches. On two or more
 * CPUs the threads really run at once and keep finding it taken, so they
 * sleep in futex_wait: voluntary context switches rise with the CPUs,
 * which is what a scaling study must show of a lock-bound program. The
 * work is fixed, so the run is bounded; a wall-clock deadline of 30 s
 * bounds it on a machine too busy to finish.
 *
 * Truth facts: threads, rounds (per thread), deadline_missed.
 */
#include "truth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THREADS_MAX 256
#define ROUNDS_MAX 100000000
#define DEADLINE_S 30

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long shared;
static long long rounds = 20000;
static double deadline;
static int missed;

static double monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A few hundred nanoseconds of arithmetic the compiler cannot drop. */
static unsigned long long work(unsigned long long x)
{
	for (int i = 0; i < 256; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

static void *contender(void *arg)
{
	unsigned long long x = (unsigned long long)(size_t)arg * 2654435761u + 1;

	for (long long r = 0; r < rounds; r++) {
		pthread_mutex_lock(&lock);
		shared = work(shared + x);
		pthread_mutex_unlock(&lock);
		x = work(x);
		if ((r & 1023) == 0 && monotonic_s() > deadline) {
			__atomic_store_n(&missed, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	pthread_t threads[THREADS_MAX];
	long long nr = 4, started;

	if (argc > 3) {
		fprintf(stderr, "usage: contend [--truth FILE] [THREADS [ROUNDS]]\n");
		return 2;
	}
	if (argc >= 2)
		nr = truth_parse_count(argv[1], "number of threads", THREADS_MAX);
	if (argc >= 3)
		rounds = truth_parse_count(argv[2], "rounds", ROUNDS_MAX);
	deadline = monotonic_s() + DEADLINE_S;

	for (started = 0; started < nr; started++) {
		int err = pthread_create(&threads[started], NULL, contender,
					 (void *)(size_t)started);

		if (err) {
			fprintf(stderr, "contend: pthread_create: %s\n", strerror(err));
			break;
		}
	}
	for (long long i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (started < nr)
		return 1;
	truth_fact("threads", nr);
	truth_fact("rounds", rounds);
	truth_fact("deadline_missed", missed);
	/* So the work cannot be optimised away. */
	truth_fact("checksum_low_bit", (long long)(shared & 1));
	return truth_write(truth) ? 1 : 0;
}

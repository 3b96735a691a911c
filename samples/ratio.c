/*
 * ratio - spends its CPU time in two functions in the ratio 1:2, for
 * checking `pprobe record -F` and `pprobe report --hot`:
 *
 *     ratio [SECONDS]        (default 1)
 *
 * Built three ways (samples/CMakeLists.txt): ratio-pie and ratio-nopie
 * with work_one() and work_two() in the executable, and ratio-shared with
 * them in libratio.so. Each round calls work_one(N) then work_two(2N);
 * rounds go on until SECONDS of CPU time have been spent.
 *
 * 1:2 is what the program asks for, not what the machine gives it: on a
 * loaded machine (another guest on the core, caches shared with other
 * work) the two calls can run at different speeds, and CI runs saw the
 * split move by up to four points. So the program also measures what
 * it got: the thread's CPU time across each call, summed per function,
 * as a share of the process's CPU time at the end. That is the clock the
 * sampling runs on, so it is the truth a profile is checked against. The
 * last line of output says it:
 *
 *     ratio-pie: work_one 33.41% work_two 66.37% of 1.503 s CPU
 *
 * N is drawn afresh each round, from half to one and a half times
 * ROUNDS_PER_CALL, about a third of a millisecond of work: long enough
 * that reading the clock around each call costs under 0.2% of it. With
 * a fixed N the rounds keep a fixed period, and a sampling clock whose
 * period is close to a multiple of it lands on the same part of the
 * round sample after sample; random lengths put the samples at random
 * phases.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ratio_work.h"

#define ROUNDS_PER_CALL 100000ul

/* xorshift64: the same sequence every run, and no libc in the loop. */
static unsigned long next_rounds(unsigned long *seed)
{
	unsigned long x = *seed;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*seed = x;
	return ROUNDS_PER_CALL / 2 + x % ROUNDS_PER_CALL;
}

static double cpu_seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? strtod(argv[1], NULL) : 1.0;
	double one = 0, two = 0, total;
	unsigned long sum = 0, seed = 0x2545f4914f6cdd1dul;

	if (argc > 2 || !(seconds > 0 && seconds <= 3600)) {
		fprintf(stderr, "usage: ratio [SECONDS]  (0 < SECONDS <= 3600)\n");
		return 2;
	}
	do {
		unsigned long n = next_rounds(&seed);
		double t0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID), t1, t2;

		sum += work_one(n);
		t1 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
		sum += work_two(2 * n);
		t2 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
		one += t1 - t0;
		two += t2 - t1;
	} while (cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) < seconds);
	total = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
	printf("%s: work_one %.2f%% work_two %.2f%% of %.3f s CPU (%lx)\n",
	       basename(argv[0]), 100 * one / total, 100 * two / total, total,
	       sum & 0xff);
	return 0;
}

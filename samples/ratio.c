/*
 * ratio - spends its CPU time in two functions in the ratio 1:2, for
 * checking `pprobe record -F` and `pprobe report --hot`:
 *
 *     ratio [SECONDS]        (default 1)
 *
 * Built three ways (samples/CMakeLists.txt): ratio-pie and ratio-nopie
 * with work_one() and work_two() in the executable, and ratio-shared with
 * them in libratio.so. Each round calls work_one(N) then work_two(2N);
 * rounds go on until SECONDS of CPU time have been spent. work_one then
 * holds a third of the samples and work_two two thirds, less what
 * start-up and the loop in main() take (well under a percent).
 *
 * N is drawn afresh each round, from half to one and a half times
 * ROUNDS_PER_CALL (a few microseconds of work). With a fixed N the rounds
 * keep a fixed period, and a sampling clock whose period is close to a
 * multiple of it lands on the same part of the round sample after sample:
 * one CI run saw 37:62 that way. Random lengths put the samples at random
 * phases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ratio_work.h"

#define ROUNDS_PER_CALL 5000ul

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

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? strtod(argv[1], NULL) : 1.0;
	double start = cpu_seconds();
	unsigned long sum = 0, calls = 0, seed = 0x2545f4914f6cdd1dul;

	if (argc > 2 || !(seconds > 0 && seconds <= 3600)) {
		fprintf(stderr, "usage: ratio [SECONDS]  (0 < SECONDS <= 3600)\n");
		return 2;
	}
	do {
		unsigned long n = next_rounds(&seed);

		sum += work_one(n);
		sum += work_two(2 * n);
		calls++;
	} while (cpu_seconds() - start < seconds);
	printf("ratio: %lu rounds of work_one and work_two (%lx)\n", calls, sum & 0xff);
	return 0;
}

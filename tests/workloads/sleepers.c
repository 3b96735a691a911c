/*
 * sleepers - a tree of N live, idle processes for a fixed time: what it
 * costs a collector to follow a tree of a given size, with no work of the
 * tree's own to hide it.
 *
 *   sleepers [--truth FILE] [PROCESSES [SECONDS]]     (default 100, 3)
 *
 * The parent forks PROCESSES - 1 children (so PROCESSES processes are alive
 * in all, the parent included), each of which sleeps until SECONDS after
 * the parent started and exits; the parent sleeps as long, then waits for
 * them all. Forking takes a few milliseconds per hundred children here,
 * so the tree is at its full size for nearly all of SECONDS.
 *
 * Truth facts: processes, seconds_ms.
 */
#include "truth.h"

#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLEEPERS_MAX 100000
#define SLEEPERS_MAX_SECONDS 3600.0

/* Sleeps until CLOCK_MONOTONIC reaches `until`. */
static void sleep_until(const struct timespec *until)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, until, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long processes = 100, i, started = 0, failed = 0;
	double seconds = 3;
	struct timespec until;

	if (argc > 3) {
		fprintf(stderr, "usage: sleepers [--truth FILE] [PROCESSES [SECONDS]]\n");
		return 2;
	}
	if (argc >= 2)
		processes = truth_parse_count(argv[1], "number of processes", SLEEPERS_MAX);
	if (argc >= 3)
		seconds = truth_parse_seconds(argv[2], "seconds", SLEEPERS_MAX_SECONDS);
	if (processes < 1) {
		fprintf(stderr, "sleepers: at least 1 process (the parent)\n");
		return 2;
	}

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)seconds;
	until.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	fflush(NULL);
	for (i = 1; i < processes; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			sleep_until(&until);
			_exit(0);
		}
		if (pid < 0) {
			perror("sleepers: fork");
			failed++;
			break;
		}
		started++;
	}
	sleep_until(&until);
	for (i = 0; i < started; i++) {
		int status;

		while (wait(&status) < 0) {
			if (errno != EINTR) {
				perror("sleepers: wait");
				return 1;
			}
		}
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	if (failed) {
		fprintf(stderr, "sleepers: %lld processes failed\n", failed);
		return 1;
	}
	truth_fact("processes", processes);
	truth_fact("seconds_ms", (long long)(seconds * 1000 + 0.5));
	return truth_write(truth) ? 1 : 0;
}

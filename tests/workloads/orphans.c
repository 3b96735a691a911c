/*
 * orphans - a command that leaves many processes behind, or will not stop,
 * for the fault tests: what pprobe does with a tree that outlives its
 * command, ignores SIGTERM, or both.
 *
 *   orphans [--truth FILE] [-i] [-w] CHILDREN SECONDS [STATUS]
 *
 * Forks CHILDREN children that each sleep until SECONDS after they were
 * forked and exit 0, then prints one line, "orphans: N children forked",
 * on standard output (the tests wait for it), and exits with STATUS
 * (default 0) at once: its children are orphans. A negative STATUS -N
 * makes it die of signal N instead, with the default action.
 *
 *   -i  every process ignores SIGINT, SIGTERM, SIGQUIT and SIGHUP (set
 *       before the first fork, so no child is ever without it): only
 *       SIGKILL ends them before their time
 *   -w  the parent waits for its children before it exits: no orphans,
 *       a command that does not end until its tree does
 *
 * Nothing here outlives SECONDS (at most ORPHANS_MAX_SECONDS) by itself,
 * so a test that fails before it kills them leaks nothing for long. A
 * fork that fails stops the forking: exit 1, after saying so.
 *
 * Truth facts: children (forked).
 */
#include "truth.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ORPHANS_MAX_CHILDREN 10000
#define ORPHANS_MAX_SECONDS 10.0

static const int stop_signals[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };

static _Noreturn void child_main(double seconds)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)seconds;
	until.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	/* Absolute: a signal that interrupts it does not stretch the life. */
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		;
	_exit(0);
}

static _Noreturn void die_of(int sig)
{
	sigset_t none;

	signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	raise(sig);
	/* A signal whose default is not to terminate: say so. */
	fprintf(stderr, "orphans: signal %d did not end the process\n", sig);
	exit(1);
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long children, forked = 0, failed = 0;
	int ignore = 0, wait_children = 0, status = 0, arg = 1;
	double seconds;

	for (; arg < argc && argv[arg][0] == '-' && argv[arg][1] && !argv[arg][2]; arg++) {
		if (argv[arg][1] == 'i')
			ignore = 1;
		else if (argv[arg][1] == 'w')
			wait_children = 1;
		else
			break;
	}
	if (argc - arg < 2 || argc - arg > 3) {
		fprintf(stderr, "usage: orphans [--truth FILE] [-i] [-w] CHILDREN SECONDS [STATUS]\n");
		return 2;
	}
	children = truth_parse_count(argv[arg], "number of children", ORPHANS_MAX_CHILDREN);
	seconds = truth_parse_seconds(argv[arg + 1], "lifetime", ORPHANS_MAX_SECONDS);
	if (argc - arg == 3) {
		char *end;
		long v = strtol(argv[arg + 2], &end, 10);

		if (*end || end == argv[arg + 2] || v < -64 || v > 125) {
			fprintf(stderr, "orphans: STATUS must be 0 to 125, or -1 to -64 for a signal\n");
			return 2;
		}
		status = (int)v;
	}

	if (ignore)
		for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
			signal(stop_signals[i], SIG_IGN);

	fflush(NULL);
	for (; forked < children; forked++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "orphans: fork %lld of %lld: %s\n", forked + 1, children,
				strerror(errno));
			return 1;
		}
		if (pid == 0)
			child_main(seconds);
	}
	printf("orphans: %lld children forked\n", forked);
	fflush(stdout);

	if (wait_children)
		for (long long i = 0; i < forked; i++)
			if (truth_reap_one())
				failed++;
	truth_fact("children", forked);
	if (truth_write(truth) || failed)
		return 1;
	if (status < 0)
		die_of(-status);
	return status;
}

/*
 * daemon - the classic double-forking daemon, for checking that pprobe
 * follows and reaps a process its command has disowned.
 *
 *   daemon [--truth FILE] [LIFETIME_S [CPU_S [STATUS]]]   (default 0.3, 0.1, 0)
 *
 * The original process forks a middle child and waits for it; the middle
 * child forks the daemon (the grandchild), tells the original its pid over
 * a pipe and exits at once; the original then exits at once too. The
 * grandchild, orphaned, calls setsid() (a new session and process group,
 * away from any terminal and from its starter's process group), points its
 * standard streams at /dev/null, burns CPU_S seconds of CPU and exits
 * LIFETIME_S seconds after it was forked. The original exits with STATUS
 * (the daemon always with 0), so a test can tell whose status it got.
 *
 * Without a subreaper the grandchild would be reparented to init and
 * outlive whoever ran `daemon`; under pprobe it is reparented to pprobe,
 * which records it and waits for it.
 *
 * The truth is the original's only (itself and the middle child it
 * reaped): the daemon ends after it. Truth facts: middle_pid,
 * grandchild_pid, lifetime_ms, cpu_ms (both asked of the grandchild).
 */
#include "truth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DAEMON_MAX_SECONDS 60.0

static double clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static _Noreturn void grandchild_main(double born, double lifetime, double cpu)
{
	double cpu_end, left;
	unsigned long long x = 88172645463325252ull;
	volatile unsigned long long sink;
	int fd;

	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	cpu_end = clock_s(CLOCK_THREAD_CPUTIME_ID) + cpu;
	/* Bounded by the lifetime too, on a machine too busy to give the CPU. */
	while (clock_s(CLOCK_THREAD_CPUTIME_ID) < cpu_end &&
	       clock_s(CLOCK_MONOTONIC) < born + lifetime) {
		for (int i = 0; i < 4096; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
	}
	sink = x;
	(void)sink;
	left = born + lifetime - clock_s(CLOCK_MONOTONIC);
	if (left > 0) {
		struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };

		while (nanosleep(&ts, &ts))
			;
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	double lifetime = 0.3, cpu = 0.1;
	long long exit_status = 0;
	int fds[2], status;
	pid_t middle, grandchild = 0;
	ssize_t n;

	if (argc > 4) {
		fprintf(stderr, "usage: daemon [--truth FILE] [LIFETIME_S [CPU_S [STATUS]]]\n");
		return 2;
	}
	if (argc >= 2)
		lifetime = truth_parse_seconds(argv[1], "lifetime", DAEMON_MAX_SECONDS);
	if (argc >= 3)
		cpu = truth_parse_seconds(argv[2], "CPU time", DAEMON_MAX_SECONDS);
	if (argc >= 4)
		exit_status = truth_parse_count(argv[3], "exit status", 125);

	if (pipe(fds)) {
		perror("daemon: pipe");
		return 1;
	}
	fflush(NULL);
	middle = fork();
	if (middle < 0) {
		perror("daemon: fork");
		return 1;
	}
	if (middle == 0) {
		double born;
		pid_t pid;

		close(fds[0]);
		born = clock_s(CLOCK_MONOTONIC);
		pid = fork();
		if (pid == 0) {
			close(fds[1]);
			grandchild_main(born, lifetime, cpu);
		}
		if (pid < 0 || write(fds[1], &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	do
		n = read(fds[0], &grandchild, sizeof(grandchild));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	while (waitpid(middle, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("daemon: waitpid");
			return 1;
		}
	}
	if (n != (ssize_t)sizeof(grandchild) || grandchild <= 0 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "daemon: the middle child could not start the daemon\n");
		return 1;
	}
	truth_fact("middle_pid", middle);
	truth_fact("grandchild_pid", grandchild);
	truth_fact("lifetime_ms", (long long)(lifetime * 1000 + 0.5));
	truth_fact("cpu_ms", (long long)(cpu * 1000 + 0.5));
	return truth_write(truth) ? 1 : (int)exit_status;
}

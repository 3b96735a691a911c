/*
 * attachee - a calibrated workload for `pprobe record -p`: a small tree
 * that already runs, idle, when pprobe attaches to it, and does its work
 * only when told to.
 *
 *   attachee [--truth FILE] --ready FILE ROUND_TRIPS SPIN_MS
 *
 * Set-up: the process burns PRE_SPIN_MS of CPU and sleeps PRE_SLEEPS
 * times, work that happens before any attach and that the truth leaves
 * out, so that a figure counted from birth rather than from the attach
 * stands out. Then it forks its ping-pong partner (the "old child") and
 * starts one thread, waits until both are asleep in read(2), and creates
 * the ready FILE (written beside it and renamed, so it is never seen half
 * written) holding its pids in the truth format:
 *
 *   pid=1234
 *   child_pid=1235      (the old child)
 *   thread_tid=1236
 *
 * It then waits for SIGUSR1, the go, in sigwaitinfo(). SIGUSR1 is blocked
 * in every thread, so `kill PID` reaches the waiting one, and nothing else
 * of the tree runs until it comes.
 *
 * After the go: the truth's baseline (truth_set_baseline()), then, all at
 * once, the thread spins SPIN_MS of CPU; a new child, born after any
 * attach, is forked and spins SPIN_MS before it exits; and the process and
 * the old child bounce a byte ROUND_TRIPS times over two pipes, about two
 * voluntary context switches per round trip, as in pingpong. Then
 * everything is joined and reaped, and the truth written.
 *
 * What the baseline cannot take out is the old child's life before the
 * go: it is measured whole when it is reaped (truth.h). That is a fork, two
 * closes and a read that blocks: one voluntary context switch (one more if
 * it was preempted), well under a millisecond of CPU.
 *
 * Truth facts: round_trips, children (2), threads (1), child_pid,
 * new_child_pid.
 *
 * Everything is bounded: alarm(ALARM_S) ends the process if the go never
 * comes or the work overruns; the old child ends when it has answered
 * every byte, at end of file (its parent gone) or on its own alarm; the
 * new child spins a bounded time. Nothing goes to stdout.
 */
#include "truth.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUND_TRIPS_MAX (10LL * 1000 * 1000)
#define SPIN_MS_MAX 10000LL
#define ALARM_S 60
#define PRE_SPIN_MS 100
#define PRE_SLEEPS 50
/* How long the old child and the thread may take to fall asleep. */
#define ASLEEP_TIMEOUT_MS 10000

/* Burns ms of the calling thread's own CPU, however long that takes. */
static void spin(long long ms)
{
	long long until = truth_thread_cpu_ns() + ms * 1000000LL;

	while (truth_thread_cpu_ns() < until)
		;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The old child: answers every byte, then exits. */
static _Noreturn void child_loop(int in, int out, long long rounds)
{
	long long i;
	char c;

	alarm(ALARM_S);
	for (i = 0; i < rounds; i++) {
		if (truth_read_byte(in, &c) || truth_write_byte(out, c))
			_exit(1);
	}
	_exit(0);
}

struct thread_arg {
	int go;             /* read end: one byte to start spinning */
	long long spin_ms;
	int tid;            /* set by the thread, read by main: atomics */
};

static void *thread_main(void *p)
{
	struct thread_arg *arg = p;
	char c;

	/* pthread_t is not a tid: the ready file needs the kernel's. */
	__atomic_store_n(&arg->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	/* End of file (the process failed before the go): nothing to do. */
	if (truth_read_byte(arg->go, &c) == 0)
		spin(arg->spin_ms);
	return NULL;
}

/* Is task tid of process pid asleep ('S' in /proc/PID/task/TID/stat)? */
static int asleep(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The name may hold spaces and parentheses: the state follows the last ')'. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

/*
 * Waits until the old child and the thread block in read(2), so that the
 * switches of their falling asleep happen before anything is attached.
 */
static int wait_asleep(pid_t child, pid_t thread)
{
	int ms;

	for (ms = 0; ms < ASLEEP_TIMEOUT_MS; ms++) {
		if (asleep(child, child) && asleep(getpid(), thread))
			return 0;
		sleep_ms(1);
	}
	fprintf(stderr, "attachee: the child or the thread never fell asleep\n");
	return -1;
}

/* Writes the ready file: beside it first, then renamed into place. */
static int write_ready(const char *path, pid_t child, pid_t thread)
{
	char tmp[4096], text[128];
	int fd, len;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "attachee: ready file name too long\n");
		return -1;
	}
	len = snprintf(text, sizeof(text), "pid=%d\nchild_pid=%d\nthread_tid=%d\n",
		       (int)getpid(), (int)child, (int)thread);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, (size_t)len) != len || close(fd) ||
	    rename(tmp, path)) {
		fprintf(stderr, "attachee: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Waits for one child; 0 when it exited with 0, else 1 after a message. */
static int reap(pid_t pid, const char *what)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "attachee: waitpid %s: %s\n", what, strerror(errno));
			return 1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(stderr, "attachee: %s failed (status 0x%x)\n", what, status);
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: attachee [--truth FILE] --ready FILE ROUND_TRIPS SPIN_MS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	int to_child[2], to_parent[2], go[2], failed = 0, sig, ms;
	struct thread_arg targ = { 0 };
	long long rounds, spin_ms, i;
	pid_t child, new_child;
	pthread_t thread;
	sigset_t usr1;
	char c = 'x';

	if (argc != 5 || strcmp(argv[1], "--ready"))
		usage();
	rounds = truth_parse_count(argv[3], "round trips", ROUND_TRIPS_MAX);
	spin_ms = truth_parse_count(argv[4], "spin milliseconds", SPIN_MS_MAX);
	alarm(ALARM_S);

	/* Blocked before the thread and the children exist: they inherit it. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	/* Work before any attach: the baseline leaves it out of the truth. */
	spin(PRE_SPIN_MS);
	for (i = 0; i < PRE_SLEEPS; i++)
		sleep_ms(1);

	if (pipe2(to_child, O_CLOEXEC) || pipe2(to_parent, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) {
		perror("attachee: pipe");
		return 1;
	}
	/* The old child first, while the process has one thread. */
	child = fork();
	if (child < 0) {
		perror("attachee: fork");
		return 1;
	}
	if (child == 0) {
		close(to_child[1]);
		close(to_parent[0]);
		child_loop(to_child[0], to_parent[1], rounds);
	}
	close(to_child[0]);
	close(to_parent[1]);

	targ.go = go[0];
	targ.spin_ms = spin_ms;
	errno = pthread_create(&thread, NULL, thread_main, &targ);
	if (errno) {
		perror("attachee: pthread_create");
		return 1;
	}
	for (ms = 0; !__atomic_load_n(&targ.tid, __ATOMIC_ACQUIRE); ms++) {
		if (ms == ASLEEP_TIMEOUT_MS) {
			fprintf(stderr, "attachee: the thread never started\n");
			return 1;
		}
		sleep_ms(1);
	}
	if (wait_asleep(child, (pid_t)targ.tid) ||
	    write_ready(argv[2], child, (pid_t)targ.tid))
		return 1;

	/* The go. Nothing of the tree runs until it comes. */
	do
		sig = sigwaitinfo(&usr1, NULL);
	while (sig < 0 && errno == EINTR);
	if (sig != SIGUSR1) {
		perror("attachee: sigwaitinfo");
		return 1;
	}

	truth_set_baseline();
	if (truth_write_byte(go[1], 'g')) {
		perror("attachee: cannot start the thread");
		return 1;
	}
	new_child = fork();
	if (new_child < 0) {
		perror("attachee: fork");
		return 1;
	}
	if (new_child == 0) {
		spin(spin_ms);
		_exit(0);
	}
	for (i = 0; i < rounds; i++) {
		if (truth_write_byte(to_child[1], c) || truth_read_byte(to_parent[0], &c)) {
			fprintf(stderr, "attachee: lost the child after %lld round trips\n", i);
			failed = 1;
			break;
		}
	}
	close(to_child[1]);
	close(to_parent[0]);

	errno = pthread_join(thread, NULL);
	if (errno) {
		perror("attachee: pthread_join");
		failed = 1;
	}
	failed |= reap(new_child, "the new child");
	failed |= reap(child, "the old child");
	if (failed)
		return 1;
	truth_fact("round_trips", rounds);
	truth_fact("children", 2);
	truth_fact("threads", 1);
	truth_fact("child_pid", child);
	truth_fact("new_child_pid", new_child);
	return truth_write(truth) ? 1 : 0;
}

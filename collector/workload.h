/*
 * workload.h - starting the command pprobe records, held on a pipe.
 *
 * The pattern is perf's: fork; the child blocks reading a "go" pipe while
 * the parent opens counters on its pid (disabled, enable_on_exec, inherit);
 * one byte on the pipe lets it exec, and counting starts exactly at exec.
 * The child reports a failed exec back over a close-on-exec pipe, so the
 * parent knows for certain whether the command runs before it writes any
 * of the recording.
 */
#ifndef PPROBE_WORKLOAD_H
#define PPROBE_WORKLOAD_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

struct workload {
	pid_t pid;      /* the child, or -1 */
	int go_fd;      /* write end of the go pipe, or -1 */
	int exec_fd;    /* read end of the exec-error pipe, or -1 */
};

struct workload_options {
	/* argv of the command, NULL-terminated; argv[0] is looked up in PATH */
	const char *const *argv;
	/*
	 * The signal state the command should start with, which is what
	 * pprobe itself was given: the mask to set, and the dispositions of
	 * the signals pprobe changed for itself (nr_restore of them), to put
	 * back. A command run under nohup keeps SIGHUP ignored, as without
	 * pprobe. NULL/0: leave everything as it is.
	 */
	const sigset_t *mask;
	const int *restore_signals;
	const struct sigaction *restore_actions;
	size_t nr_restore;
	/* send the command's stdout to stderr (when stdout carries the data) */
	int stdout_to_stderr;
	/* > 2: the command's stdout and stderr go to this fd instead */
	int capture_fd;
};

/*
 * Forks the child and leaves it waiting. Returns 0, or -errno when the
 * pipes or fork fail (nothing is left behind).
 */
int workload_prepare(struct workload *w, const struct workload_options *opts);

/*
 * Lets the child exec and waits until it has (or has failed to). Returns 0
 * when the command runs, or the positive errno of the failed exec, after
 * which the child has exited (status EXIT_NOT_FOUND) and been reaped.
 */
int workload_start(struct workload *w);

/* Gives up on a prepared child: it exits without running the command. */
void workload_cancel(struct workload *w);

/* Closes what is left of the pipes. Does not touch the child. */
void workload_release(struct workload *w);

/* The exit code a shell gives for an exec errno: 126 or 127. */
int workload_exec_exit_code(int err);

/*
 * A command's wait status as the exit code pprobe returns: the status
 * itself, or 128 + the signal number, as a shell does.
 */
int workload_exit_code(int wait_status);

#endif /* PPROBE_WORKLOAD_H */

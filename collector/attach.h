/*
 * attach.h - `pprobe record -p PID[,PID...]`: the processes pprobe did not
 * start.
 *
 * Attaching differs from running a command in what pprobe can know:
 *
 *   - the tasks that already run are listed from /proc, not announced by
 *     the kernel: each is kept here and written as a TASK PRESENT record;
 *   - pprobe is not their parent: it learns that a target ended from a
 *     pidfd (Linux 5.3+), never its exit status or rusage. Without
 *     pidfd_open() (an older kernel; valgrind 3.19, which does not know
 *     the call) it looks in /proc instead, as `perf stat -p` does, at
 *     every wakeup of its loop: an exit is then seen up to a tick late;
 *   - the counters start at the attach: figures from /proc that count
 *     from a process's birth are the report's to subtract.
 *
 * The counters and the task tracker are opened task by task by the
 * tracker's walk of the tree (task_tracker_attach()); this module holds
 * the targets and what that walk found.
 */
#ifndef PPROBE_ATTACH_H
#define PPROBE_ATTACH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A task that ran when pprobe attached. */
struct attach_task {
	pid_t pid, tid, ppid;
	char comm[16];
};

struct attach {
	pid_t *pids;          /* the processes asked for, no duplicates */
	size_t nr;
	int *pidfds;          /* one per pid; ATTACH_IN_PROC while /proc is
			       * watched for it; -1 once it has exited */
	uint64_t *start_ns;   /* with ATTACH_IN_PROC: each pid's start time
			       * (/proc/PID/stat), which a reused pid lacks */
	size_t live;          /* pids not known to have exited */
	struct attach_task *tasks; /* every task found by the attach */
	size_t nr_tasks, alloc_tasks;
};

/*
 * Parses "PID[,PID...]" into a->pids. Returns 0, or -EINVAL with a
 * message in err ("-p: 'x' is not a process id"), or -ENOMEM.
 */
int attach_parse_pids(struct attach *a, const char *spec, char *err,
		      size_t errlen);

/*
 * Checks that every pid exists and is not pprobe itself, before anything
 * is opened. Returns 0, or -errno with a one-line reason in err.
 */
int attach_check_pids(const struct attach *a, char *err, size_t errlen);

/* In pidfds[]: no pidfd, attach_poll() looks in /proc (poll() skips it). */
#define ATTACH_IN_PROC (-2)

/*
 * Opens a pidfd on every pid: readable once it has exited. Without
 * pidfd_open() (ENOSYS) it falls back to attach_watch_proc(). Returns 0,
 * or -errno (ESRCH: one has gone).
 */
int attach_open_pidfds(struct attach *a);

/*
 * The fallback of attach_open_pidfds(), on its own for the tests: notes
 * each pid's start time and marks it ATTACH_IN_PROC. 0 or -errno.
 */
int attach_watch_proc(struct attach *a);

/*
 * For the pids marked ATTACH_IN_PROC: notes as exited (attach_exited())
 * those that are gone, zombies, or another process with the same pid.
 * One read of /proc/PID/stat each. Returns the number still running.
 */
size_t attach_poll(struct attach *a);

/*
 * Notes that pid i has exited (its pidfd became readable). Returns the
 * number of pids still running.
 */
size_t attach_exited(struct attach *a, size_t i);

/*
 * Keeps task tid of process pid, with its name and parent read from
 * /proc. A task that has just gone is skipped. 0 or -ENOMEM.
 */
int attach_add_task(struct attach *a, pid_t pid, pid_t tid);

void attach_release(struct attach *a);

#endif /* PPROBE_ATTACH_H */

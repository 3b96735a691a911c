/*
 * attach.h - `pprobe record -p PID[,PID...]`: the processes pprobe did not
 * start.
 *
 * Attaching differs from running a command in what pprobe can know:
 *
 *   - the tasks that already run are listed from /proc, not announced by
 *     the kernel: each is kept here and written as a TASK PRESENT record;
 *   - pprobe is not their parent: it learns that a target ended from a
 *     pidfd (Linux 5.3+), never its exit status or rusage;
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
	int *pidfds;          /* one per pid; -1 once it has exited */
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

/*
 * Opens a pidfd on every pid: readable once it has exited. Returns 0, or
 * -errno (ENOSYS: a kernel older than 5.3; ESRCH: one has gone).
 */
int attach_open_pidfds(struct attach *a);

/*
 * Notes that pidfd i became readable: that pid has exited. Returns the
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

/*
 * attach.c - the processes of `record -p`. See attach.h.
 */
#include "attach.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procfs.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static int has_pid(const struct attach *a, pid_t pid)
{
	for (size_t i = 0; i < a->nr; i++)
		if (a->pids[i] == pid)
			return 1;
	return 0;
}

int attach_parse_pids(struct attach *a, const char *spec, char *err,
		      size_t errlen)
{
	const char *p = spec;

	do {
		size_t len = strcspn(p, ",");
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (!len || end != p + len || errno || v <= 0 || v > INT_MAX ||
		    *p == '+' || *p == ' ') {
			snprintf(err, errlen, "-p: '%.*s' is not a process id",
				 (int)len, p);
			return -EINVAL;
		}
		if (!has_pid(a, (pid_t)v)) {
			pid_t *pids = realloc(a->pids, (a->nr + 1) * sizeof(*pids));

			if (!pids) {
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			a->pids = pids;
			a->pids[a->nr++] = (pid_t)v;
		}
		p += len;
	} while (*p++ == ',');
	return 0;
}

int attach_check_pids(const struct attach *a, char *err, size_t errlen)
{
	for (size_t i = 0; i < a->nr; i++) {
		pid_t pid = a->pids[i];

		if (pid == getpid()) {
			snprintf(err, errlen, "cannot attach to pprobe itself (pid %d)", (int)pid);
			return -EINVAL;
		}
		/* EPERM means it exists: perf_event_open() decides. */
		if (kill(pid, 0) < 0 && errno == ESRCH) {
			snprintf(err, errlen, "no process with pid %d (has it exited?)", (int)pid);
			return -ESRCH;
		}
	}
	return 0;
}

static int alloc_pidfds(struct attach *a)
{
	if (!a->pidfds) {
		a->pidfds = malloc(a->nr * sizeof(*a->pidfds));
		if (!a->pidfds)
			return -ENOMEM;
	}
	for (size_t i = 0; i < a->nr; i++)
		a->pidfds[i] = -1;
	return 0;
}

int attach_open_pidfds(struct attach *a)
{
	int err = alloc_pidfds(a);

	if (err)
		return err;
	for (size_t i = 0; i < a->nr; i++) {
		long fd = syscall(SYS_pidfd_open, a->pids[i], 0);

		/* The kernel has the call for all pids or for none. */
		if (fd < 0 && errno == ENOSYS && i == 0)
			return attach_watch_proc(a);
		if (fd < 0)
			return -errno;
		a->pidfds[i] = (int)fd;
		/* pidfd_open() has no CLOEXEC flag: the fds are always so. */
	}
	a->live = a->nr;
	return 0;
}

/*
 * Process pid as /proc has it now: 0 with its state and start time, or
 * -ESRCH when it has gone.
 */
static int read_process(pid_t pid, struct proc_figures *f)
{
	char path[32], *text;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	err = proc_read_text(path, &text);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	memset(f, 0, sizeof(*f));
	err = proc_parse_stat(text, strlen(text), sysconf(_SC_CLK_TCK), f);
	free(text);
	return err;
}

int attach_watch_proc(struct attach *a)
{
	struct proc_figures f;
	int err = alloc_pidfds(a);

	if (err)
		return err;
	free(a->start_ns);
	a->start_ns = calloc(a->nr, sizeof(*a->start_ns));
	if (!a->start_ns)
		return -ENOMEM;
	for (size_t i = 0; i < a->nr; i++) {
		err = read_process(a->pids[i], &f);
		if (err)
			return err;
		a->start_ns[i] = f.start_ns;
		a->pidfds[i] = ATTACH_IN_PROC;
	}
	a->live = a->nr;
	return 0;
}

size_t attach_poll(struct attach *a)
{
	struct proc_figures f;

	for (size_t i = 0; i < a->nr; i++) {
		if (a->pidfds[i] != ATTACH_IN_PROC)
			continue;
		/*
		 * A pidfd turns readable once the whole process has exited,
		 * before it is reaped: a zombie of one thread. A zombie main
		 * thread whose other threads still run has not.
		 */
		if (read_process(a->pids[i], &f) || f.start_ns != a->start_ns[i] ||
		    ((f.state == 'Z' || f.state == 'X') && f.threads <= 1))
			attach_exited(a, i);
	}
	return a->live;
}

size_t attach_exited(struct attach *a, size_t i)
{
	if (i < a->nr && a->pidfds[i] != -1) {
		if (a->pidfds[i] >= 0)
			close(a->pidfds[i]);
		a->pidfds[i] = -1;
		a->live--;
	}
	return a->live;
}

int attach_add_task(struct attach *a, pid_t pid, pid_t tid)
{
	struct attach_task *t;

	if (a->nr_tasks == a->alloc_tasks) {
		size_t n = a->alloc_tasks ? 2 * a->alloc_tasks : 16;
		struct attach_task *v = realloc(a->tasks, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->tasks = v;
		a->alloc_tasks = n;
	}
	t = &a->tasks[a->nr_tasks];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	if (proc_read_identity(pid, tid, t->comm, &t->ppid) < 0)
		return 0; /* gone already: its EXIT will say so */
	/* A thread's "parent" is its process, as in a FORK record. */
	if (tid != pid)
		t->ppid = pid;
	a->nr_tasks++;
	return 0;
}

void attach_release(struct attach *a)
{
	for (size_t i = 0; a->pidfds && i < a->nr; i++)
		if (a->pidfds[i] >= 0)
			close(a->pidfds[i]);
	free(a->pidfds);
	free(a->start_ns);
	free(a->pids);
	free(a->tasks);
	memset(a, 0, sizeof(*a));
}

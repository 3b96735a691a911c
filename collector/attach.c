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

int attach_open_pidfds(struct attach *a)
{
	a->pidfds = malloc(a->nr * sizeof(*a->pidfds));
	if (!a->pidfds)
		return -ENOMEM;
	for (size_t i = 0; i < a->nr; i++)
		a->pidfds[i] = -1;
	for (size_t i = 0; i < a->nr; i++) {
		long fd = syscall(SYS_pidfd_open, a->pids[i], 0);

		if (fd < 0)
			return -errno;
		a->pidfds[i] = (int)fd;
		/* pidfd_open() has no CLOEXEC flag: the fds are always so. */
	}
	a->live = a->nr;
	return 0;
}

size_t attach_exited(struct attach *a, size_t i)
{
	if (i < a->nr && a->pidfds[i] >= 0) {
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
	free(a->pids);
	free(a->tasks);
	memset(a, 0, sizeof(*a));
}

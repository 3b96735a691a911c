/*
 * proc_tree.h - the processes of the recorded tree, as pprobe follows them.
 *
 * The task tracker (task_tracker.h) says when a process or thread is born,
 * execs and ends; this table turns those events into TASK records, keeps
 * a /proc handle (procfs.h) on every live process, and on each process
 * tick reads them all into one PROCS record and the memory sums the `rss`,
 * `hwm` and `pss` backends need. Processes pprobe reaps itself (the
 * command, and orphans that came to it as subreaper) also get their final
 * figures read from the zombie, and wait4()'s account in a PROC_EXIT.
 *
 * A process that lives less than a process tick and is reaped by its own
 * parent is counted (its FORK and EXIT are in the file) but has no /proc
 * figures: its work is in the tree's counters, not in a row of its own.
 */
#ifndef PPROBE_PROC_TREE_H
#define PPROBE_PROC_TREE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "procfs.h"
#include "recfile.h"
#include "task_tracker.h"

struct proc_tree_entry {
	pid_t pid;
	pid_t ppid;
	uint32_t threads;        /* live threads, from task events */
	int open;                /* handle holds open fds */
	uint64_t slow_read_ns;   /* when the costly files were last read */
	uint64_t ran_ns;         /* its main thread's CPU time at that read */
	int ran_known;
	uint64_t faults_at_status; /* its page faults when status was last read */
	struct proc_handle handle;
	struct rec_proc last;    /* the latest figures written for it */
};

/* Memory of the tree, summed over its live processes at the last tick. */
struct proc_tree_sums {
	uint64_t rss_bytes;      /* sum of RSS */
	uint64_t hwm_bytes;      /* sum of per-process high-water marks */
	uint64_t pss_bytes;      /* sum of PSS, when it was read */
	uint32_t processes;      /* processes summed */
	int have_pss;
};

struct proc_tree {
	struct proc_tree_entry *v;  /* live processes, in no order */
	size_t nr, alloc;
	int32_t *index;             /* pid hash: slot -> index in v, -1 empty */
	size_t index_size;          /* a power of two, 4 * alloc */
	struct rec_proc *scratch;   /* one PROCS record being built */
	uint64_t processes;         /* processes seen, the command included */
	uint64_t threads;           /* threads created (not counting main ones) */
	uint64_t lost;              /* task records the kernel dropped */
	int out_of_fds;             /* a handle could not be opened: said once */
	struct proc_tree_sums sums;
};

int proc_tree_init(struct proc_tree *t);
void proc_tree_release(struct proc_tree *t);

/* Adds the command itself, whose birth no FORK record announces. */
int proc_tree_add_command(struct proc_tree *t, pid_t pid, pid_t ppid);

/*
 * Adds task tid of process pid, which ran when pprobe attached (`record
 * -p`); ppid is the process's parent. In any order: a thread may come
 * before its main thread. 0 or -ENOMEM.
 */
int proc_tree_add_present(struct proc_tree *t, pid_t pid, pid_t tid, pid_t ppid);

/*
 * Applies one task event to the table and writes it to w as a TASK or
 * LOST record. Returns 0, or -ENOMEM.
 */
int proc_tree_event(struct proc_tree *t, const struct task_event *ev,
		    struct rec_writer *w);

/*
 * Reads `what` (PROC_READ_*) of every live process, and `slow` too for
 * each process seen for the first time or not read so for slow_ns, and
 * writes one PROCS record stamped time_ns; updates t->sums. Returns 0 or
 * -ENOMEM.
 */
int proc_tree_sample(struct proc_tree *t, uint64_t time_ns, uint32_t run,
		     unsigned what, unsigned slow, uint64_t slow_ns,
		     struct rec_writer *w);

/*
 * pid has exited and is an unreaped child of pprobe: reads its final
 * figures from the zombie (a PROCS record with one FINAL entry). Call
 * before reaping it.
 */
void proc_tree_before_reap(struct proc_tree *t, pid_t pid, uint64_t time_ns,
			   uint32_t run, struct rec_writer *w);

/* pid was reaped by pprobe: writes what wait4() said in a PROC_EXIT. */
void proc_tree_reaped(struct proc_tree *t, pid_t pid, int status,
		      const struct rusage *ru, uint64_t time_ns,
		      struct rec_writer *w);

/* A struct rusage as the file stores it (RUN_END, PROC_EXIT). */
void proc_rusage_to_rec(const struct rusage *ru, struct rec_rusage *out);

#endif /* PPROBE_PROC_TREE_H */

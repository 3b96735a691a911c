/*
 * tree.h - the processes of one run: who they were, when each lived, what
 * each cost, folded from the TASK, PROCS, PROC_EXIT and LOST records.
 *
 * A tree is a table of processes keyed by pid through a small hash, so its
 * memory grows with the number of processes, never with the number of
 * records: a PROCS entry replaces the figures it brings, a TASK record
 * changes one entry. It keeps raw facts only; tree_process_view() is the
 * report's judgement of one process (which figure to believe, what is
 * unknown) and tree_rows() lays a whole table out, sorted and collapsed.
 *
 * How the records are read (the collector's promises, and what is done
 * when a file breaks them):
 *
 *  - A process is born at its FORK (pid != ppid); the command at its
 *    run's RUN_BEGIN. It is named after its parent at FORK (fork copies
 *    the name), the command after the basename of argv[0]; EXEC and a
 *    COMM of its main thread rename it.
 *  - A FORK with pid == ppid is a new thread of pid.
 *  - A process ends at the EXIT of its main thread (tid == pid), or at
 *    the EXIT of one of its other threads that comes after that one (the
 *    main thread is not always the last to go). An EXEC undoes an end
 *    seen before it: exec from another thread ends the main thread first.
 *  - Any record naming a pid the tree has not seen makes it a process,
 *    with what that record says and the rest unknown: a FORK lost or
 *    written late does not lose the process. A FORK that comes later
 *    fills in its start and parent.
 *  - A FORK for a pid whose process has ended, at a time after its end,
 *    is a new process with the same pid (the pid was reused); the old
 *    one keeps its row. Later records of that pid go to the new one.
 *  - PROCS entries are cumulative: each group of fields (CPU, faults,
 *    switches) is taken from the latest entry that has it. An entry for
 *    an ended process whose CPU time or faults went down is not that
 *    process (a new one reusing its pid, whose FORK has not come yet) and
 *    is skipped.
 *
 * Known limits: with lost records (REC_LOST) processes may be missing,
 * merged (a reused pid whose FORK was lost) or without an end, and the
 * report says so; a pid reused within one run whose /proc figures were
 * read before its FORK record arrived loses those early figures.
 */
#ifndef PPROBE_REPORT_TREE_H
#define PPROBE_REPORT_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "recfile.h"

/* Room for a command name: the kernel keeps 15 bytes, argv[0]'s basename
 * may be longer and is cut at 31 (on a UTF-8 character boundary). */
#define TREE_COMMAND_MAX 32

/* Collapsing: a command with more than this many processes is one row. */
#define TREE_COLLAPSE_ABOVE 5

/* Figure groups a process has (bits of tree_process.have). */
#define TREE_HAVE_CPU        (1u << 0)
#define TREE_HAVE_FAULTS     (1u << 1)
#define TREE_HAVE_CTXSW      (1u << 2) /* summed over the live threads */
#define TREE_HAVE_CTXSW_MAIN (1u << 3) /* the main thread's only */
#define TREE_HAVE_RSS        (1u << 4) /* rss_max or hwm_max is a reading */
#define TREE_HAVE_MIGRATIONS (1u << 5) /* the main thread's, from /proc */

/* One process, as the records told it. */
struct tree_process {
	uint32_t pid;
	uint32_t ppid;              /* the parent at FORK; else the parent
				     * at EXIT; valid when has_ppid */
	char command[TREE_COMMAND_MAX]; /* latest name; "" when unknown */
	unsigned has_ppid : 1;
	unsigned has_start : 1;
	unsigned has_end : 1;
	unsigned main_exited : 1;   /* the EXIT of tid == pid was seen */
	unsigned is_command : 1;    /* the run's command (from RUN_BEGIN) */
	unsigned has_exit : 1;      /* exit_kind/exit_code are known */
	unsigned has_exit_rusage : 1; /* a PROC_EXIT: rusage and exit_ns */
	unsigned has_procs : 1;     /* some PROCS entry named it */
	unsigned present : 1;       /* ran before an attach (TASK PRESENT) */
	unsigned has_base : 1;      /* base_* hold its first PROCS figures */
	uint64_t start_ns, end_ns;
	uint32_t thread_forks;      /* FORKs of new threads */
	uint32_t threads_max;       /* largest `threads` of a PROCS entry */
	uint32_t children;          /* FORKs of processes with it as parent */

	/* From PROCS: the latest value of each group (see `have`). */
	uint32_t have;              /* TREE_HAVE_* */
	uint64_t utime_ns, stime_ns, minflt, majflt, nvcsw, nivcsw;
	uint64_t hwm_max, rss_max;  /* largest hwm_bytes, rss_bytes seen */
	uint64_t migrations;        /* the latest, see TREE_HAVE_MIGRATIONS */
	/* A present process: its figures when the recording began, which
	 * count from its birth; what it shows is the difference. */
	uint64_t base_utime_ns, base_stime_ns, base_minflt, base_majflt;
	uint64_t base_nvcsw, base_nivcsw;

	/* From PROC_EXIT (or RUN_END, for the command). */
	uint32_t exit_kind;         /* enum rec_exit_kind */
	int32_t exit_code;
	uint64_t exit_ns;           /* when it was reaped */
	struct rec_rusage rusage;   /* it and the children it waited for */
};

struct tree {
	int followed;               /* tree_begin() was called */
	struct tree_process *procs; /* in the order they were first named */
	size_t nr, alloc;
	uint32_t *index;            /* hash: pid -> index + 1 of its latest
				     * process, 0 = empty */
	size_t index_size;          /* a power of two, or 0 */
	uint64_t begin_ns;          /* the run's RUN_BEGIN */
	uint64_t lost;              /* records the kernel dropped */
	uint64_t lost_reports;      /* LOST records */
};

void tree_init(struct tree *t);
void tree_release(struct tree *t);

/*
 * Starts following a run's tree with its command: pid, begun at begin_ns,
 * named `name` (cut to TREE_COMMAND_MAX - 1 bytes). Called once, before
 * the first record. Returns 0 or -ENOMEM.
 */
int tree_begin(struct tree *t, uint32_t pid, uint64_t begin_ns,
	       const char *name);
/*
 * Folds in one record. Each returns 0 or -ENOMEM; a TASK of a kind this
 * report does not know changes nothing.
 */
int tree_add_task(struct tree *t, const struct rec_task *task);
int tree_add_proc(struct tree *t, const struct rec_proc *p);
int tree_add_proc_exit(struct tree *t, const struct rec_proc_exit *e);
void tree_add_lost(struct tree *t, uint64_t lost);
/*
 * The command's exit status from RUN_END, for when no PROC_EXIT gives it
 * (a PROC_EXIT of the command, before or after, takes precedence).
 */
void tree_set_command_exit(struct tree *t, uint32_t exit_kind,
			   int32_t exit_code);

/* The latest process with this pid, or NULL. */
const struct tree_process *tree_find(const struct tree *t, uint32_t pid);
/* Threads besides each process's main thread, over the whole tree. */
uint64_t tree_threads(const struct tree *t);

/*
 * The exit status a shell would give for exit_kind and exit_code (enum
 * rec_exit_kind): 128 + N when signal N killed it, *signal then N, else
 * 0. Returns 0, or -1 when they say no status (an attach, a kind from a
 * newer pprobe, a "signal" that is not one).
 */
int tree_exit_status(uint32_t kind, int32_t code, int *status, int *signal);

/*
 * CPU migrations of the tree's main threads, summed over every process
 * whose /proc figures had them (recorded in user-mode counting, where
 * the counter reads 0). 0 when some had them, -1 when none did.
 */
int tree_migrations(const struct tree *t, uint64_t *sum);

/*
 * What the report says about one process, or one collapsed row of many
 * (count > 1). Every figure has a has_ flag: unknown is not 0.
 */
struct tree_view {
	size_t count;               /* processes in the row */
	uint32_t pid;               /* the lowest pid of the row */
	int has_ppid;               /* for a row: they all have this parent */
	uint32_t ppid;
	const char *command;        /* points into the tree; never NULL */
	int has_start, has_end;     /* for a row: earliest start; latest
				     * end, known only when all ended */
	double start_seconds, end_seconds; /* relative to RUN_BEGIN */
	uint64_t threads;           /* threads seen, the main one included */
	int has_cpu, has_faults, has_ctxsw, has_peak_rss;
	double user_seconds, sys_seconds;
	uint64_t minflt, majflt, nvcsw, nivcsw;
	uint64_t peak_rss;          /* bytes; for a row, the largest */
	int ctxsw_main_only;        /* some switches are the main thread's
				     * only, of a process that had others */
	size_t no_figures;          /* processes of the row without CPU figures */
	int has_exit;
	int exit_status;            /* as a shell: 128 + N when killed by N */
	int exit_signal;            /* 0 when it exited */
};

/*
 * Judges one process of t:
 *  - CPU, faults and switches: the latest PROCS figures; but a process
 *    reaped by pprobe (PROC_EXIT) that forked no child, in a tree with no
 *    lost record, gets its wait4() rusage instead, the kernel's exact final
 *    figures (with a child, rusage would include it).
 *  - peak RSS: the largest hwm or rss any PROCS entry gave, and for such a
 *    childless reaped process its ru_maxrss too.
 *  - end: its end from TASK records, else the time it was reaped.
 *  - threads: the most of 1 + thread FORKs and any PROCS thread count.
 */
void tree_process_view(const struct tree *t, const struct tree_process *p,
		       struct tree_view *out);

/* What tree_rows() sorts by. */
enum tree_sort {
	TREE_SORT_CPU,        /* user + sys, descending (the default) */
	TREE_SORT_PID,        /* ascending */
	TREE_SORT_START,      /* ascending */
	TREE_SORT_END,        /* ascending */
	TREE_SORT_USER,       /* descending from here on */
	TREE_SORT_SYS,
	TREE_SORT_VCSW,
	TREE_SORT_IVCSW,
	TREE_SORT_FAULTS,     /* minor + major */
	TREE_SORT_RSS,        /* peak RSS */
	TREE_SORT_COMMAND,    /* ascending */
};

/* "pid", "start", ... Returns 0, or -1 for a name that is no key. */
int tree_sort_parse(const char *name, enum tree_sort *out);
/* The keys, for a message: "pid, start, end, cpu, ...". */
const char *tree_sort_names(void);

/*
 * The table as printed: one view per process, or with `collapse`, one per
 * command that has more than TREE_COLLAPSE_ABOVE processes (the run's own
 * command is never folded into such a row), sorted by `sort`; a figure
 * that is unknown sorts last, ties go by pid. *rows is allocated (NULL
 * when the tree is empty) and freed by the caller. Returns 0 or -ENOMEM.
 */
int tree_rows(const struct tree *t, enum tree_sort sort, int collapse,
	      struct tree_view **rows, size_t *nr);

#endif /* PPROBE_REPORT_TREE_H */

/*
 * series.h - what a recording says over time, reduced to what a chart can
 * show: one envelope (envelope.h) per kind of series, of one run.
 *
 * The series are folded record by record from the same stream as the
 * summary (summary_read_with()), so the report reads each file once and
 * its memory does not grow with the length of the recording: each series
 * keeps at most `cap` buckets. Which run: the first that is not a warm-up
 * (REC_RUN_F_WARMUP); a file of several runs is charted by its first.
 *
 * Rates are differences of consecutive cumulative readings over the time
 * between them, spread over the buckets of that interval (the FINAL
 * reading, when less than half the recording's interval after the
 * previous one, is dropped rather than made a rate over microseconds):
 *  - from COUNTS, per counter: (value delta) * (enabled delta) / (running
 *    delta) per second, so a multiplexed counter is scaled over that
 *    interval alone, as perf's -I does; counters count from the exec, so
 *    the first interval starts at the run's begin (not after an attach);
 *  - from PROCS, per process (a process seen for the first time counts
 *    from 0, unless it was running before an attach), summed over the
 *    processes of the record. A process that lived and ended between two
 *    /proc passes is in no PROCS record and so in no /proc series: the
 *    counters' series (task-clock, context switches) count it.
 * Memory series are the backends' current figures as read.
 *
 * Per CPU (CPU_COUNTS, `record --per-cpu`): the share of that CPU the
 * tree used, 0..1, from the CPU-time event's (task-clock, else
 * cpu-clock) value on that CPU: (value delta) / (time delta), with the
 * same intervals as COUNTS (the first from the run's begin; a FINAL
 * reading too soon after the previous one dropped; spread over the
 * buckets of the interval). Raw deltas, never scaled by enabled/running:
 * a per-CPU task counter is enabled on every CPU while the task runs on
 * any, so that ratio says nothing about multiplexing. A CPU first seen
 * in a later record counts from 0 at the record before (every record
 * has every CPU the counters were open on, so it was not open then).
 * CPUs numbered SERIES_CPUS_MAX or more are ignored and counted.
 */
#ifndef PPROBE_REPORT_SERIES_H
#define PPROBE_REPORT_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "memory_series.h"
#include "summary.h"

enum series_kind {
	SERIES_CPU_TOTAL,       /* CPUs in use: task-clock (else cpu-clock) */
	SERIES_CPU_USER,        /* CPUs in use in user mode, from /proc */
	SERIES_CPU_SYS,         /* ... in the kernel, from /proc */
	SERIES_CTXSW,           /* per second: the context-switches counter */
	SERIES_CTXSW_VOLUNTARY, /* the voluntary-context-switches counter */
	SERIES_CTXSW_INVOLUNTARY,
	SERIES_PROC_VOLUNTARY,  /* the same from /proc (nvcsw) */
	SERIES_PROC_INVOLUNTARY,
	SERIES_FAULTS,          /* per second: the page-faults counter */
	SERIES_PROC_MINFLT,     /* per second, from /proc */
	SERIES_PROC_MAJFLT,
	SERIES_IPC,             /* instructions / cycles of each interval */
	SERIES_MEMORY,          /* + memory_backend_index(): bytes, as read */
	SERIES_KINDS = SERIES_MEMORY + MEMORY_BACKENDS,
};

/* A moment worth a vertical line on a timeline. */
enum series_marker_kind {
	SERIES_MARK_START,      /* a process began (FORK, or the command) */
	SERIES_MARK_EXIT,       /* a process ended (its main thread's EXIT) */
};

struct series_marker {
	uint64_t time_ns;
	enum series_marker_kind kind;
	uint32_t pid;
};

/* Markers kept; a run with more process starts and ends than this has
 * none drawn (processes.png shows them), and says how many. */
#define SERIES_MARKERS_MAX 24

/* Where a process's /proc figures were when last read. */
struct series_process {
	uint32_t pid;           /* 0: an empty slot */
	uint64_t utime_ns, stime_ns, minflt, majflt, nvcsw, nivcsw;
};

/* CPU numbers from 0 to this (excluded) have per-CPU envelopes. */
#define SERIES_CPUS_MAX 1024
/*
 * Buckets kept over all the per-CPU envelopes, about: each CPU's
 * envelope keeps cap buckets, or fewer when the machine has more than
 * SERIES_CPU_BUCKETS / cap CPUs (at least SERIES_CPU_MIN_CAP each), so
 * that a 1024-CPU recording costs some 10 MB, not 130.
 */
#define SERIES_CPU_BUCKETS (1u << 18)
#define SERIES_CPU_MIN_CAP 64

/* The previous COUNTS reading of one event. */
struct series_reading {
	int present;
	uint64_t time_ns, value, enabled_ns, running_ns;
};

struct series {
	size_t cap;              /* buckets per envelope */
	int active;              /* the charted run has begun */
	int done;                /* ... and a later run began: stop */
	uint32_t run;            /* the charted run */
	uint64_t begin_ns;       /* its RUN_BEGIN */
	uint64_t last_ns;        /* the latest time any record of it had */
	int attached;            /* `record -p`: processes ran before */
	/* Readings closer than this to the previous one give no rate (half
	 * the recording's interval, at least 1 ms): see too_soon(). */
	uint64_t min_interval_ns;
	uint64_t counts_previous_ns;

	struct envelope env[SERIES_KINDS];

	/* COUNTS: the previous reading, indexed like summary.events. */
	struct series_reading *previous;
	struct series_reading *scratch;  /* as many: the reading under way */
	size_t nr_previous;
	/* Event indexes of the counters charted, -1 when not recorded. */
	long cpu_event, ctxsw_event, voluntary_event, involuntary_event;
	long faults_event, cycles_event, instructions_event;

	/* PROCS: per process, an open-addressing hash on pid. */
	struct series_process *procs;
	size_t procs_size, procs_used; /* size a power of two, or 0 */
	uint64_t procs_previous_ns;     /* the previous PROCS record */
	int has_procs;

	/*
	 * CPU_COUNTS: cpu_env[k] is CPU k's utilisation, 0..1 of it (a
	 * reading a little above 1 is clock jitter between the reads, kept
	 * as read). nr_cpu_env is the highest CPU seen + 1, 0 (and cpu_env
	 * NULL) without per-CPU counts; a CPU below it that no record named
	 * has an empty envelope (readings == 0), as has one whose only
	 * interval was dropped.
	 */
	struct envelope *cpu_env;
	size_t nr_cpu_env;
	/* The previous CPU-time reading on each CPU (present, time_ns and
	 * value only), nr_cpu_previous of them. */
	struct series_reading *cpu_previous;
	size_t nr_cpu_previous;
	uint64_t cpu_counts_previous_ns; /* the previous CPU_COUNTS */
	size_t cpus_expected;    /* CPUs the envelopes' caps are sized for */
	uint64_t cpus_ignored;   /* entries of CPUs >= SERIES_CPUS_MAX */

	struct series_marker markers[SERIES_MARKERS_MAX];
	size_t nr_markers;
	uint64_t markers_seen;   /* starts and ends, kept or not */
};

/*
 * An empty series whose envelopes keep at most `cap` buckets (a chart
 * `cap` / 2 pixels wide or less never loses a reading's extremes).
 */
void series_init(struct series *s, size_t cap);
void series_release(struct series *s);

/* Folds one record in (a summary_hook; arg is the struct series). */
int series_add(void *arg, const struct summary *sum, const struct rec *rec);

/* The charted run's summary, or NULL if it has not begun. */
const struct summary_run *series_run(const struct series *s,
				     const struct summary *sum);

/* Seconds from the run's begin to t. */
double series_seconds(const struct series *s, uint64_t t);

/*
 * The rate of a counter between two readings, scaled over that interval
 * when it was multiplexed: (value delta) * (enabled delta) / (running
 * delta), per second of (time delta). A counter that was not even
 * enabled over the interval (its value and enabled time unchanged: the
 * tree did not run) has the rate 0. Returns 0, or -1 when there is no
 * rate (no time between them, enabled but never running, a value going
 * backwards).
 */
int series_counter_rate(const struct series_reading *prev,
			const struct series_reading *cur, double *per_second);

#endif /* PPROBE_REPORT_SERIES_H */

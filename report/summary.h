/*
 * summary.h - one recording file boiled down to what the report prints.
 *
 * A summary is built by streaming a file once, record by record: the
 * metadata, the event table, and per run the latest counter values (the
 * FINAL ones when present), the number of samples and the gaps between
 * them, and what RUN_END said. Samples are folded in as they pass, so
 * memory grows with the number of events and runs, never with the number
 * of samples. The summary also keeps where and why the file ended, so a
 * cut-off or corrupt file still gives the figures it has.
 *
 * Since format 1.1 a run also has its process tree (tree.h: every process
 * and thread, from TASK, PROCS, PROC_EXIT and LOST records) and its memory
 * per backend (memory_series.h: from MEM_SOURCE and MEM records), folded
 * the same way: memory grows with the number of processes, never with the number of
 * samples. A file without those records (format 1.0, or a collector that
 * did not follow the tree) leaves the tree unfollowed and the series empty,
 * and the report prints exactly what it printed before.
 *
 * The records without a run field (TASK, LOST, PROC_EXIT, MEM_SOURCE)
 * belong to the latest run begun before them: the collector writes a run's
 * records between its RUN_BEGIN and the next one. TASK and PROC_EXIT
 * before any RUN_BEGIN are skipped (no command to hang them on); LOST
 * before any run is kept and given to the first run, so that no loss goes
 * unreported. A MEM_SOURCE is remembered for the file: every run begun
 * after it inherits it, and the run under way when it comes (one that has
 * not ended) takes it too.
 *
 * The summary_run_*() functions are the report's judgements about a run
 * (wall time, CPU time, exit status, achieved interval): pure, and tested
 * on their own.
 */
#ifndef PPROBE_REPORT_SUMMARY_H
#define PPROBE_REPORT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "counter.h"
#include "memory_series.h"
#include "recfile.h"
#include "tree.h"

/* One REC_EVENT, with its strings copied out of the reader's buffer. */
struct summary_event {
	uint32_t id, group, perf_type;
	uint32_t status;           /* enum rec_event_status */
	uint64_t config;
	uint32_t flags;            /* REC_EVENT_F_* */
	int32_t error;             /* errno at open */
	char *name;                /* owned, never NULL */
	char *unit;                /* owned, never NULL */
	uint64_t offset;           /* of its record, for messages */
};

/* The latest value of one event in one run. */
struct summary_reading {
	int present;               /* some COUNTS of the run had an entry */
	uint64_t value, enabled_ns, running_ns;
};

/*
 * How a run was sampled (`record -F`, format 1.5): from its SAMPLING
 * records, and the SAMPLE records counted as they come, so that a file
 * cut off before the END still says how many it holds. Where the samples
 * fell is the profile's business (profile.h).
 */
struct summary_sampling {
	int began, ended;          /* its BEGIN, its END were read */
	uint32_t status;           /* BEGIN: enum rec_sampling_status */
	uint32_t frequency;
	uint32_t flags;            /* REC_SAMPLING_F_* */
	int32_t error;             /* unavailable: the errno */
	char *why;                 /* owned: unavailable, what to do */
	uint64_t samples;          /* SAMPLE records read */
	uint64_t lost, throttled;  /* END's */
};

/*
 * The load a run served (`record --load`, format 1.4): its window, from
 * the BEGIN to the END LOAD record, and the counters at each edge (the
 * collector reads them just before each record), indexed like
 * summary.events.
 */
struct summary_load {
	int began, ended;          /* its BEGIN, its END were read */
	uint64_t begin_ns, end_ns;
	uint32_t pid;
	uint32_t flags;            /* END's REC_LOAD_F_* */
	uint32_t exit_kind;        /* END: enum rec_exit_kind */
	int32_t exit_code;
	uint64_t requests;         /* with REC_LOAD_F_REQUESTS */
	struct rec_rusage rusage;  /* END: the load's own */
	char *command;             /* owned, never NULL once began */
	char *last_line;           /* owned: its output's last line, or NULL */
	struct summary_reading *at_begin, *at_end; /* owned, nr_events each */
	size_t nr_at_begin, nr_at_end;
};

struct summary_run {
	uint32_t run, pid, flags;  /* from RUN_BEGIN; flags are REC_RUN_F_* */
	uint32_t variant;          /* since 1.3; 0 before */
	uint64_t begin_ns;
	int ended;                 /* RUN_END was read: `end` is valid */
	struct rec_run_end end;
	int has_counts;            /* some COUNTS of this run was read */
	uint64_t last_counts_ns;   /* time of the COUNTS the totals are from */
	int has_final;             /* ... and that one was the FINAL */
	uint64_t samples;          /* COUNTS without the FINAL flag */
	uint64_t last_sample_ns;   /* time of the latest of those */
	uint64_t gaps, gap_sum_ns, gap_max_ns; /* between consecutive samples */
	/* Indexed like summary.events; may be shorter when events were
	 * declared after the run's last COUNTS (missing ones: not present). */
	struct summary_reading *readings;
	size_t nr_readings;
	/* Since format 1.1. tree.followed is 0 when the run has no TASK,
	 * LOST, PROCS or PROC_EXIT record. */
	struct tree tree;
	/* Indexed by memory_backend_index(); a series nobody declared and
	 * with no reading is not shown. */
	struct memory_series memory[MEMORY_BACKENDS];
	struct summary_load load;  /* began == 0: no load */
	struct summary_sampling sampling; /* began == 0: not sampled */
};

/* One REC_VARIANT (format 1.3): what some of the file's runs ran. */
struct summary_variant {
	uint32_t index;
	uint32_t nr_cpus;          /* pinned to this many CPUs; 0: not pinned */
	char *label;               /* owned, never NULL */
	char *cpus;                /* owned, never NULL; "" when not pinned */
	char **argv;               /* owned, argc strings */
	size_t argc;
	uint64_t runs, warmups;    /* its runs in the file, skipped or not */
};

struct summary {
	char *file;                /* owned: the name as given, "-" for stdin */

	/*
	 * A file of several variants (format 1.3: `record -r` of several
	 * commands, `pprobe scale`) is reported as one recording per
	 * variant: with only_variant >= 0 (summary_only_variant()), the runs
	 * of the other variants and every record of theirs are skipped, and
	 * hooks do not see them. -1, the default, keeps every run.
	 */
	long only_variant;
	struct summary_variant *variants; /* every VARIANT read, in order */
	size_t nr_variants, alloc_variants;

	/* META; NULL or has_* == 0 when the recording does not say. */
	char **argv;               /* owned, argc strings */
	size_t argc;
	uint32_t *attach_pids;     /* owned: `record -p`, instead of argv */
	size_t nr_attach_pids;
	char *hostname, *kernel_release, *machine, *pprobe_version, *label;
	char *clock;
	char *counting;            /* "task", "cgroup" or "rusage" (record
				    * --count-by) */
	int has_cpus_online, has_interval, has_paranoid;
	int has_start_realtime, has_start_monotonic;
	uint64_t cpus_online, interval_ns, start_realtime_ns, start_monotonic_ns;
	int64_t perf_event_paranoid;

	struct summary_event *events;  /* in file order */
	size_t nr_events, alloc_events;
	uint32_t *event_index;         /* hash of id -> index + 1, 0 = empty */
	size_t event_index_size;       /* a power of two, or 0 */

	struct summary_run *runs;      /* in file order, run indexes increasing */
	size_t nr_runs, alloc_runs;

	/* The latest MEM_SOURCE of each backend, which runs begun after it
	 * inherit (only the declaration: readings are per run). */
	struct memory_series sources[MEMORY_BACKENDS];
	uint64_t lost_before_run;      /* LOST before any RUN_BEGIN, for the
					* first run */

	/* How the file ended. status is REC_DONE for a complete file. */
	enum rec_status status;
	uint64_t end_offset;           /* where the good data ends */
	int end_errno;                 /* for REC_ERR_IO */
	char end_detail[160];
	uint16_t major, minor;         /* from the header, when it was read */
	uint64_t records;              /* records read */
	int opened;                    /* the header was read and accepted */

	/* Skipping the runs of other variants (only_variant). */
	int skipping;                  /* the latest run begun is skipped */
	uint32_t skipped_run;          /* ...and this is its number */
	int have_last_run;
	uint32_t last_run;             /* the latest run begun, kept or not */
	int skipped;                   /* summary_add() skipped its record */
};

/* An empty summary of `file`. Returns 0 or -ENOMEM. */
int summary_init(struct summary *s, const char *file);
void summary_release(struct summary *s);
/* Keep only the runs of variant v (before reading). */
void summary_only_variant(struct summary *s, uint32_t v);
/* The variant of that index, or NULL (a file without VARIANT records). */
const struct summary_variant *summary_variant(const struct summary *s,
					      uint32_t index);

/*
 * Folds one record into the summary. Unknown types are skipped. Returns
 * 0; -EINVAL for a record that cannot be right (a payload that does not
 * decode, a COUNTS for an event no EVENT declared, a run that ends
 * without beginning, a PROCS or MEM of a run that has not begun, ...),
 * with s->end_detail saying what; or -ENOMEM.
 */
int summary_add(struct summary *s, const struct rec *rec);

/*
 * Reads the whole file from fd (not closed) into the summary. Returns the
 * status it ended with, also kept in s->status with s->end_offset and
 * s->end_detail: REC_DONE for a complete file, REC_ERR_TRUNCATED for a
 * cut-off one, another error status otherwise. A record summary_add()
 * refuses is REC_ERR_CORRUPT; running out of memory is REC_ERR_IO with
 * end_errno ENOMEM. The summary holds everything read before the end in
 * every case.
 */
enum rec_status summary_read(struct summary *s, int fd);

/*
 * A reader of the same stream besides the summary (the charts' series,
 * the CSV time series): called with each record after summary_add() took
 * it, so s already knows the record's events and run. Returns 0, or
 * -ENOMEM to stop the reading as summary_add() would.
 */
typedef int (*summary_hook)(void *arg, const struct summary *s,
			    const struct rec *rec);
/* summary_read(), calling hook (unless NULL) with every record. */
enum rec_status summary_read_with(struct summary *s, int fd,
				  summary_hook hook, void *arg);

/* The index in s->events of the event with this id, or -1. */
long summary_event_index(const struct summary *s, uint32_t id);

/* The reading of event i in run r, or NULL if the run has none. */
const struct summary_reading *summary_reading(const struct summary_run *r,
					      size_t i);
/* Judges event i (index in s->events) in run r: see counter_judge(). */
void summary_judge(const struct summary *s, const struct summary_run *r,
		   size_t i, struct counter_view *out);

/*
 * Wall time of a run: RUN_END time - RUN_BEGIN time, or for a run cut off
 * before its end, the time of its last COUNTS - RUN_BEGIN time. Returns 0,
 * or -1 when unknown (no end and no COUNTS, or a clock going backwards).
 */
int summary_run_wall_ns(const struct summary_run *r, uint64_t *ns);
/* User and system CPU seconds from RUN_END's rusage. 0, or -1 if no end. */
int summary_run_cpu_seconds(const struct summary_run *r, double *user,
			    double *sys);
/*
 * The exit status as a shell reports it (128 + signal when killed) and
 * the signal (0 when it exited). 0, or -1 if no end or an unknown kind.
 */
int summary_run_exit(const struct summary_run *r, int *status, int *signal);
/* Mean and largest gap between consecutive samples, in ms; -1 if none. */
int summary_run_interval_ms(const struct summary_run *r, double *mean,
			    double *max);
/*
 * The index of the event that measures the run's CPU time: the first
 * counted task-clock, else the first counted cpu-clock. -1 if none.
 */
long summary_cpu_time_event(const struct summary *s, const struct summary_run *r);
/* task-clock time / wall time. 0, or -1 when either is unknown. */
int summary_run_cpus_utilized(const struct summary *s,
			      const struct summary_run *r, double *cpus);

/*
 * The load window of a run: its seconds, 0 or -1 when the run has no
 * whole window (no load, or its END is missing).
 */
int summary_load_seconds(const struct summary_run *r, double *seconds);
/*
 * Event i's count over the load window (scaled when multiplexed at
 * either edge), 0; or -1 when the window or the event's readings at its
 * edges are missing.
 */
int summary_load_delta(const struct summary *s, const struct summary_run *r,
		       size_t i, double *value);

/* Whether the run has a process table to show (format 1.1 records). */
int summary_run_has_tree(const struct summary_run *r);
/* Whether the run has any memory backend to show: one declared, or one
 * with a reading. */
int summary_run_has_memory(const struct summary_run *r);
/* Seconds from the run's begin to t (negative before it). */
double summary_run_seconds(const struct summary_run *r, uint64_t t);

#endif /* PPROBE_REPORT_SUMMARY_H */

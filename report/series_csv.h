/*
 * series_csv.h - `pprobe report --csv DIR`: every reading of every
 * recording, as CSV files for people who draw their own charts.
 *
 *   counters.csv   file,run,time_seconds,event,value,enabled_ns,
 *                  running_ns,rate_per_second   (one row per COUNTS entry)
 *   processes.csv  file,run,time_seconds,pid,user_seconds,sys_seconds,
 *                  minor_faults,major_faults,voluntary_switches,
 *                  involuntary_switches,rss_bytes,hwm_bytes,threads
 *                  (one row per PROCS entry)
 *   memory.csv     file,run,time_seconds,backend,current_bytes,
 *                  peak_bytes,processes          (one row per MEM)
 *   tasks.csv      file,run,time_seconds,kind,pid,tid,ppid,command
 *                  (one row per TASK: fork, exec, comm, exit, present)
 *   cpus.csv       file,run,time_seconds,cpu,event,value
 *                  (one row per CPU_COUNTS entry: `record --per-cpu`;
 *                  written only when some recording has them)
 *
 * Times are seconds from the run's begin; values are as recorded (raw,
 * cumulative), with the counter's rate since its previous reading in the
 * same run (scaled over that interval when multiplexed: series.h). An
 * unknown figure is an empty field. Rows stream out as records are read,
 * so memory does not grow with the recording; the files are written
 * under temporary names and renamed when complete.
 */
#ifndef PPROBE_REPORT_SERIES_CSV_H
#define PPROBE_REPORT_SERIES_CSV_H

#include <stdio.h>

#include "series.h"
#include "summary.h"

/* The files always written. */
enum {
	SERIES_CSV_COUNTERS,
	SERIES_CSV_PROCESSES,
	SERIES_CSV_MEMORY,
	SERIES_CSV_TASKS,
	SERIES_CSV_FILES,
};

struct series_csv {
	FILE *out[SERIES_CSV_FILES];
	char *path[SERIES_CSV_FILES];   /* owned: the final names */
	char *tmp[SERIES_CSV_FILES];    /* owned: where rows go first */
	/* cpus.csv, made at the first CPU_COUNTS: all NULL before. */
	char *dir;                      /* owned: where the files go */
	FILE *cpus;
	char *cpus_path, *cpus_tmp;     /* owned */
	int cpus_error;                 /* errno making it, told at close */
	/* The recording being read. */
	int has_run;
	uint32_t run;                   /* the latest RUN_BEGIN's */
	uint64_t begin_ns;
	struct series_reading *previous; /* per event of the file */
	size_t nr_previous;
};

/*
 * Creates the four files' temporary names in dir and writes their
 * headers. Returns 0, or -errno (nothing is left behind).
 */
int series_csv_open(struct series_csv *c, const char *dir);
/* Starts on a new recording: no run, no previous readings. */
void series_csv_begin_file(struct series_csv *c);
/* A summary_hook: writes the rows of one record. Returns 0 or -ENOMEM. */
int series_csv_add(void *arg, const struct summary *s, const struct rec *rec);
/*
 * Flushes the files and renames them into place, telling `wrote` each
 * path (cpus.csv last, when made). Returns 0, or -errno of the first
 * failure (then nothing is renamed and the temporary files are removed).
 * Releases c.
 */
int series_csv_close(struct series_csv *c, void (*wrote)(const char *path));
/* Removes everything series_csv_open() made, after an error elsewhere. */
void series_csv_abort(struct series_csv *c);

#endif /* PPROBE_REPORT_SERIES_CSV_H */

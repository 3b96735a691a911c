/*
 * display.h - a recording's summary as text, JSON or CSV.
 *
 * Three views of the same judgements (summary.h, counter.h): the text
 * output reads like `perf stat`, the JSON and CSV are for scripts and keep
 * their keys and columns stable (the README lists them). Nothing here
 * decides a figure; it only lays figures out. Printing goes to the FILE
 * given; write errors are left for the caller to find with ferror().
 */
#ifndef PPROBE_REPORT_DISPLAY_H
#define PPROBE_REPORT_DISPLAY_H

#include <stddef.h>
#include <stdio.h>

#include "json.h"
#include "summary.h"
#include "tree.h"

/* Version of the JSON document's shape; bumped when a key changes
 * meaning (new keys do not bump it). */
#define DISPLAY_JSON_SCHEMA 1

/* How the text lays out a run's process table, and repeated runs. */
struct display_options {
	enum tree_sort sort;   /* the order of the rows */
	size_t top;            /* rows shown; 0 = all */
	int collapse;          /* one row per command with many processes */
	int per_run;           /* with 2 or more measured runs: every run in
				* full too, before their statistics */
};

/* Rows of the process table shown unless told otherwise. */
#define DISPLAY_TOP_DEFAULT 20

/* The defaults: by CPU time, the top 20 rows, collapsed, no --per-run. */
void display_options_init(struct display_options *o);

/*
 * The perf-stat-like text: one block per run, then notes about the
 * recording (events counted in user mode only, events that failed to
 * open). A recording without runs prints "no run recorded". After each
 * run's counters come its processes (when the recording followed the
 * tree) and its memory per backend (when it has any), with the spike
 * warning of memory_spikes(); a recording without them (format 1.0)
 * prints exactly what it printed before they existed.
 *
 * With 2 or more measured runs (not warm-ups: `record -r N`), the runs
 * are printed together instead, as `perf stat -r N` prints them: each
 * counter's mean with "( +- x% )", the time elapsed as "mean +- standard
 * error", then a table of mean, stddev, min, median, max and outlier runs
 * per figure, a line per run, and the processes and memory of the first
 * measured run only (every run in full before that with o->per_run).
 * Warm-ups, and runs cut off before they ended, are left out of the
 * figures and said to be. The command in a header is the variant's
 * (VARIANT record) when the file has one, named by its label when the
 * file has several.
 */
void display_text(FILE *out, const struct summary *s);
/* The same, with the process table laid out as `o` says. */
void display_text_with(FILE *out, const struct summary *s,
		       const struct display_options *o);

/* The CSV header line, then the rows of one recording. */
void display_csv_header(FILE *out);
void display_csv(FILE *out, const struct summary *s);
/*
 * `--csv --processes`: one row per process of each run, every process
 * (not sorted, not collapsed: in the order the recording first named
 * them); an unknown figure is an empty field.
 */
void display_csv_processes_header(FILE *out);
void display_csv_processes(FILE *out, const struct summary *s);
/*
 * `--csv --stats`: the statistics of the measured runs (not warm-ups, not
 * cut off), one row per figure with a value in at least one of them: each
 * event (in its unit: msec for task-clock and cpu-clock), then
 * duration_time, user_time and system_time in seconds. variant is the
 * index of the runs' variant (0 for a file without VARIANT records);
 * outlier_runs lists the run numbers of the file, separated by spaces.
 * Returns 0, or -ENOMEM (nothing written).
 */
void display_csv_stats_header(FILE *out);
int display_csv_stats(FILE *out, const struct summary *s);
/* `--csv --memory`: one row per backend of each run that has one. */
void display_csv_memory_header(FILE *out);
void display_csv_memory(FILE *out, const struct summary *s);
/* One CSV field, quoted as RFC 4180 says when it needs to be. */
void display_csv_field(FILE *out, const char *field);

/* The JSON document: begin, one recording per file, end. */
void display_json_begin(struct json_writer *w, const char *pprobe_version);
/*
 * One recording. open_error is NULL for a file that was opened; else it
 * says why it could not be ("No such file or directory") and the
 * recording has no figures. "command" is the variant's and "variant" its
 * VARIANT record (null without one); "statistics" are those of
 * display_csv_stats() (null without a measured run that ended).
 */
void display_json_recording(struct json_writer *w, const struct summary *s,
			    const char *open_error);
void display_json_end(struct json_writer *w);

/*
 * Why the file ends, for a person: NULL for a complete file, else e.g.
 * "cut off at byte 1234: record of 96 bytes ends after 40". Written into
 * buf (size bytes) and returned.
 */
const char *display_end_reason(const struct summary *s, char *buf, size_t size);
/* The end status as a stable JSON word: "complete", "truncated", ... */
const char *display_end_status(const struct summary *s);

/*
 * A counter's rate as perf stat prints it: "   1.989 CPUs utilized" for
 * a time event (value in msec), "   1.419 K/sec" otherwise, over
 * `seconds`. 0, or -1 (buf "") when no rate can be given.
 */
int display_rate(char *buf, size_t size, int is_time, double value,
		 double seconds);

/* "SIGKILL", "SIGRTMIN+3"; NULL for a number no signal has. */
const char *display_signal_name(int sig, char *buf, size_t size);

/* Prints s with control characters as '?', so a recording cannot send
 * escape sequences to a terminal. */
void display_sanitized(FILE *out, const char *s);

#endif /* PPROBE_REPORT_DISPLAY_H */

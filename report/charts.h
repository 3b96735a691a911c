/*
 * charts.h - the charts `pprobe report --png DIR` draws (plot.h draws,
 * this decides what):
 *
 *   timeline.png        one run over time: CPU, context switches, page
 *                       faults, memory, IPC; process starts and ends
 *   processes.png       the tree as a Gantt chart, a bar per process
 *   memory-usage-comparison.png     memory over time of each recording
 *                       (of each backend, for one recording)
 *   execution-time-comparison.png   wall, user and system time of each
 *                       recording, spread over its runs
 *   counters-comparison.png         the main counters of each recording,
 *                       per second of wall time
 *   cpu-heatmap.png     each CPU's utilisation over time, a panel per
 *                       recording recorded with --per-cpu, on one time
 *                       axis (only when some recording has per-CPU counts)
 *
 * A recording's charts are drawn as soon as it is read; what the
 * comparisons need of it is kept in a struct chart_recording, which
 * does not grow with its length or its number of processes, so a report
 * of many large files holds one summary at a time.
 */
#ifndef PPROBE_REPORT_CHARTS_H
#define PPROBE_REPORT_CHARTS_H

#include <stddef.h>
#include <stdint.h>

#include "plot.h"
#include "series.h"
#include "summary.h"

#define CHART_DEFAULT_WIDTH 1600
#define CHART_DEFAULT_HEIGHT 900
#define CHART_MIN_SIDE 200
#define CHART_MAX_SIDE 10000

/* Where charts go and how; and who hears about each one. */
struct chart_output {
	const char *dir;
	unsigned formats;          /* bits 1 << enum plot_format */
	int width, height;
	void (*wrote)(const char *path);
	void (*failed)(const char *path, int err); /* err is an errno */
	int failures;              /* charts that could not be written */
};

/* The counters the comparison shows, when recorded. */
#define CHART_COUNTERS 8

/* What the comparisons keep of one recording. */
struct chart_recording {
	/* owned: --label, else the file's name; for one variant of a file
	 * of several, the variant's label ("2 CPUs"), after the --label and
	 * ": " when there is one ("fork: 2 CPUs") */
	char *label;
	char *name;                /* owned: the label, safe in a file name */
	size_t index;              /* its colour: palette_recording(index) */

	/* Each measured run's times, in seconds (NAN when unknown). */
	double *wall, *user, *sys;
	size_t nr_runs;

	/* Per counter: the mean total per run and the mean per second of
	 * wall time, over the runs that counted it. */
	struct chart_counter {
		int has;
		double total, per_second;
	} counters[CHART_COUNTERS];

	/* The charted run's memory: each backend's series and figures. */
	uint64_t begin_ns;
	struct envelope memory[MEMORY_BACKENDS];
	struct memory_series figures[MEMORY_BACKENDS]; /* no strings kept */

	/* Seconds from begin_ns to the charted run's end (its wall time,
	 * or its latest record when later); 0 without a run. */
	double duration;
	/* The charted run's per-CPU utilisation (series.h): cpu_env[k] is
	 * CPU k's, 0..1; nr_cpu_env of them, NULL when it has none. Owned,
	 * taken from the series by chart_recording_take_memory(). */
	struct envelope *cpu_env;
	size_t nr_cpu_env;
	uint64_t cpus_ignored;     /* entries of CPUs past SERIES_CPUS_MAX */

	/* The variant, when the summary kept one of a file with VARIANT
	 * records: how many CPUs it was pinned to (0: not pinned, or not a
	 * variant) and which, as the kernel lists them ("0-1"; "" when not
	 * pinned). Owned, never NULL. */
	uint32_t pinned_cpus;
	char *cpus;
};

/* Draws one page: what draw puts on a struct plot, with arg. */
typedef void (*chart_draw_fn)(struct plot *p, const void *arg);
/*
 * Draws one chart, <dir>/<name>.<ext>, in every format out asks for,
 * telling out->wrote or out->failed of each. Returns 0 or -ENOMEM.
 */
int chart_draw_page(struct chart_output *out, const char *name,
		    chart_draw_fn draw, const void *arg);
/* The most ticks that fit along `length` pixels, labels `chars` wide. */
int chart_ticks_for(const struct plot *p, double length, double chars);
/* A duration as a person reads it: "850 us", "4.2 ms", "488 ms", "1.23 s". */
char *chart_format_seconds(double v, char *buf, size_t size);

/* The counters' names, as the comparison titles them. */
const char *chart_counter_title(size_t i);

/*
 * Keeps what the comparisons need of a recording read into sum and
 * series, but for the memory series (chart_recording_take_memory()); the
 * file's name labels it when it has no --label. Returns 0 or -ENOMEM.
 */
int chart_recording_init(struct chart_recording *c, const struct summary *sum,
			 const struct series *series, size_t index);
/*
 * Moves the memory envelopes and the per-CPU ones of series into c, once
 * the recording's own charts are drawn (the series keeps empty memory
 * envelopes and no per-CPU ones).
 */
void chart_recording_take_memory(struct chart_recording *c,
				 struct series *series);
void chart_recording_release(struct chart_recording *c);

/*
 * Draws timeline and processes of one recording into out. With several
 * recordings, name_suffix (e.g. "-fork") goes after each chart's name;
 * else it is "". Returns 0, or -ENOMEM; a chart that cannot be written
 * is told to out->failed and counted.
 */
int charts_draw_recording(struct chart_output *out, const struct summary *sum,
			  const struct series *series,
			  const struct chart_recording *c,
			  const char *name_suffix);

/*
 * Draws the three comparison charts of recs, and cpu-heatmap
 * (charts_draw_cpu_heatmap()). Returns 0 or -ENOMEM.
 */
int charts_draw_comparisons(struct chart_output *out,
			    const struct chart_recording *recs, size_t nr);

/*
 * Draws cpu-heatmap: a panel per recording with per-CPU utilisation, in
 * the order given, a row per CPU (every CPU any of them has, so a
 * recording that left a CPU idle shows it idle), on one time axis for
 * all (a faster run is a shorter one). With no recording having any,
 * draws nothing and writes no file. Returns 0 or -ENOMEM.
 */
int charts_draw_cpu_heatmap(struct chart_output *out,
			    const struct chart_recording *recs, size_t nr);

#endif /* PPROBE_REPORT_CHARTS_H */

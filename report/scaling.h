/*
 * scaling.h - what a scaling study says: how a command's wall time falls
 * as it is given more CPUs (`pprobe scale --cpus 1,2,4 -r N`, one variant
 * of the file per CPU count), and what it spends on the way: CPU time,
 * context switches, migrations, page faults.
 *
 * The report reads a file once per variant (summary_only_variant()) and
 * hands each summary to scaling_add(), which keeps only the per-run
 * figures, so a study of many long runs holds one summary at a time.
 * Then the figures are printed (scaling_print), written as JSON
 * (scaling_json) and drawn (scaling_draw):
 *
 *   scaling.png           speedup against CPU count, with the ideal line
 *                         and the min-max of the runs; parallel efficiency
 *   scaling-counters.png  per CPU count: CPU time (user/system), context
 *                         switches (voluntary/involuntary), CPU
 *                         migrations, page faults, mean per run
 *
 * The judgements, and why:
 *  - the base is the variant with the fewest CPUs, whatever order the
 *    variants were added in; a speedup is the base's mean wall time over
 *    a variant's (stats_speedup()), and its min-max is the base's mean
 *    over each run's wall time, so it shows the spread of that variant's
 *    runs, not of the base's;
 *  - the ideal speedup is nr_cpus / base nr_cpus (a study from 2 CPUs
 *    calls 4 CPUs "ideal 2x"), and parallel efficiency is the speedup
 *    over the ideal (stats_efficiency()), 100% for perfect scaling, above
 *    it when more CPUs bring more cache as well;
 *  - a run without a RUN_END (cut off) has every figure unknown (NAN):
 *    what it had counted when it stopped is not what the run costs, and
 *    its wall time would make the variant look faster than it is. Its
 *    runs are still counted in nr_runs, and the table says so;
 *  - CPU time is task-clock, exact to the nanosecond for every task of
 *    the tree; a task-clock of the user side only is not the CPU time
 *    and is left out. CPUs utilised fall back to rusage user + system
 *    when task-clock was not counted;
 *  - page faults are the page-faults counter, else rusage's minor + major
 *    faults; migrations exist only as the cpu-migrations counter.
 */
#ifndef PPROBE_REPORT_SCALING_H
#define PPROBE_REPORT_SCALING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "charts.h"
#include "json.h"
#include "summary.h"

/* One variant of the study: its measured runs' figures. */
struct scaling_variant {
	char *label;                /* owned, never NULL: the VARIANT's, e.g.
				     * "2 CPUs"; else the recording's label
				     * or file name */
	uint32_t nr_cpus;           /* pinned to this many CPUs; 0: not pinned */
	char *cpus;                 /* owned, never NULL: "0-1"; "" unpinned */
	char *command;              /* owned, never NULL: argv joined by
				     * spaces, "" when the file does not say */
	size_t nr_runs;             /* measured runs (warm-ups left out) */
	/* Per run, in file order, each nr_runs long (NULL when 0); NAN when
	 * unknown. Seconds: */
	double *wall, *user, *sys;  /* user, sys: rusage of RUN_END */
	double *cpu;                /* task-clock */
	/* Counts: rusage nvcsw and nivcsw of RUN_END, the cpu-migrations
	 * counter, the page-faults counter (else rusage minflt + majflt). */
	double *vcsw, *ivcsw, *migrations, *faults;
	/* Under a load (`scale --load`): requests per second of its window,
	 * and over it task-clock usec and context switches per request. */
	double *rate, *cpu_per_request, *switches_per_request;
};

/* The variants, in ascending nr_cpus (ties in the order added). */
struct scaling {
	struct scaling_variant *v;
	size_t nr, alloc;
};

void scaling_init(struct scaling *sc);
void scaling_release(struct scaling *sc);

/*
 * Takes one variant's figures from s: a summary read with only_variant
 * set (summary_only_variant()), whose runs are all of that variant. With
 * only_variant -1 the runs of variant 0 are taken; a file without
 * VARIANT records is variant 0, not pinned (nr_cpus 0). Returns 0 or
 * -ENOMEM (sc is then as it was).
 */
int scaling_add(struct scaling *sc, const struct summary *s);

/*
 * Whether sc is a scaling study: two variants or more, each pinned
 * (nr_cpus > 0), no two with the same CPU count.
 */
int scaling_is_study(const struct scaling *sc);

/*
 * The study as text, rows by CPU count ascending: CPUs, runs, mean wall
 * time with its standard error ("+- 0.31%", as `perf stat -r`), speedup
 * over the fewest-CPU variant with its min-max over runs, the ideal
 * speedup, parallel efficiency; then CPU time (user, system), CPUs
 * utilised, voluntary and involuntary switches, migrations and page
 * faults, each the mean per run; then a line per CPU count after the
 * base ("2 CPUs: 1.97x of ideal 2x (98% efficient)"). A row whose wall
 * times have outliers (stats_outliers()) is marked '*', with a footnote
 * naming the runs. Unknown figures are "-". Prints nothing when sc is
 * not a study.
 */
void scaling_print(FILE *out, const struct scaling *sc);

/*
 * The study as the member "scaling" of the object w is writing:
 *   {"base_cpus": 1, "rows": [{"cpus": 2, "label": "2 CPUs",
 *    "cpu_list": "0-1", "runs": 3, "runs_known": 3, "wall_mean": ..,
 *    "wall_stddev": .., "wall_rel_stderr": .. (percent), "wall_min": ..,
 *    "wall_max": .., "wall_outliers": 0, "speedup": ..,
 *    "speedup_min": .., "speedup_max": .., "ideal_speedup": ..,
 *    "efficiency": .. (1 is perfect), "user_mean": .., "sys_mean": ..,
 *    "cpu_mean": .., "cpus_utilized": .., "voluntary_switches": ..,
 *    "involuntary_switches": .., "migrations": .., "page_faults": ..}]}
 * Times in seconds, counts as means per run; unknown figures are null.
 * Writes nothing when sc is not a study.
 */
void scaling_json(struct json_writer *w, const struct scaling *sc);

/*
 * Draws scaling.png and scaling-counters.png (in each of out->formats)
 * into out->dir. Returns 0, or -ENOMEM; a chart that cannot be written is
 * told to out->failed and counted in out->failures. When sc is not a
 * study, nothing is drawn and 0 is returned: a speedup needs two CPU
 * counts, and an ordinary recording should not grow empty charts.
 */
int scaling_draw(struct chart_output *out, const struct scaling *sc);

#endif /* PPROBE_REPORT_SCALING_H */

/*
 * test_display.c - unit tests of the report of repeated runs
 * (report/display.c, `record -r N`): the perf-stat-like block of means
 * with "( +- x% )", the statistics table, the table of runs, the runs
 * left out (warm-ups, cut off), the variant in headers, the JSON
 * "statistics" and "variant", and the `--csv --stats` rows; and that a
 * recording of a single measured run prints exactly what it printed
 * before repeated runs existed.
 *
 * Recordings are written with the real rec_writer into a memfd and read
 * back with summary_read(), as `pprobe report` reads them. The runs have
 * round figures, so each expected mean, deviation and percentage can be
 * worked out by hand (they are, beside each test).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "display.h"
#include "json.h"
#include "recfile.h"
#include "summary.h"

#define MS 1000000ull
#define T0 5000000000ull        /* RUN_BEGIN of the first run */
#define RUN_SPACING (10000 * MS) /* between the runs' begins */
#define MIB (1ull << 20)

enum {
	EV_TASK_CLOCK = 1,
	EV_CS = 2,
	EV_CYCLES = 3,          /* not supported */
	EV_FAULTS = 4,          /* only in some runs */
};

/* One run as the test writes it. */
struct run_spec {
	uint32_t flags;         /* REC_RUN_F_WARMUP */
	uint32_t variant;
	uint64_t wall_ms;
	uint64_t task_ms;       /* task-clock */
	uint64_t cs;            /* context switches */
	int has_faults;
	uint64_t faults;
	uint64_t user_ms, sys_ms;
	int cut_off;            /* no RUN_END: the file stops in the run */
	uint64_t cs_percent;    /* of the time the switches were counted;
				 * 0: all of it */
};

struct recording {
	int fd;
	struct rec_writer w;
};

static void recording_start(struct recording *r)
{
	r->fd = memfd_create("test_display", MFD_CLOEXEC);
	assert_true(r->fd >= 0);
	assert_int_equal(rec_writer_init(&r->w, r->fd), 0);
}

/* Ends the file (unless cut off) and reads it into s, keeping only the
 * runs of `variant` when it is not -1. The caller releases s. */
static void recording_read(struct recording *r, struct summary *s,
			   long variant, int complete)
{
	if (complete)
		assert_int_equal(rec_write_end(&r->w, T0 + 1000 * RUN_SPACING), 0);
	assert_int_equal(rec_writer_flush(&r->w), 0);
	rec_writer_release(&r->w);
	assert_int_equal(lseek(r->fd, 0, SEEK_SET), 0);
	assert_int_equal(summary_init(s, "test.data"), 0);
	if (variant >= 0)
		summary_only_variant(s, (uint32_t)variant);
	assert_int_equal(summary_read(s, r->fd),
			 complete ? REC_DONE : REC_ERR_TRUNCATED);
	close(r->fd);
}

static void write_meta(struct rec_writer *w)
{
	rec_meta_begin(w);
	rec_meta_str(w, "pprobe_version", "0.1.0");
	rec_meta_str(w, "argv", "./bench");
	rec_meta_str(w, "argv", "7");
	rec_meta_u64(w, "interval_ns", 100 * MS);
	assert_int_equal(rec_finish(w), 0);
}

static void write_event(struct rec_writer *w, uint32_t id, const char *name,
			const char *unit, uint32_t status)
{
	struct rec_event e = {
		.id = id, .group = id, .status = status,
		.error = status == REC_EVENT_OPENED ? 0 : ENOENT,
		.name = name, .unit = unit,
	};

	assert_int_equal(rec_write_event(w, &e), 0);
}

static void write_events(struct rec_writer *w)
{
	struct rec_mem_source m = {
		.backend = REC_MEM_RSS, .status = REC_MEM_SOURCE_RECORDING,
		.source = "/proc/PID/statm", .why = "",
	};

	write_event(w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_event(w, EV_CS, "context-switches", "", REC_EVENT_OPENED);
	write_event(w, EV_CYCLES, "cycles", "", REC_EVENT_NOT_SUPPORTED);
	write_event(w, EV_FAULTS, "page-faults", "", REC_EVENT_OPENED);
	/* Every run begun after it inherits the backend. */
	assert_int_equal(rec_write_mem_source(w, &m), 0);
}

static void write_variant(struct rec_writer *w, uint32_t index,
			  const char *label, uint32_t nr_cpus,
			  const char *cpus, const char *arg)
{
	const char *argv[] = { "./bench", arg };
	struct rec_variant v = {
		.variant = index, .nr_args = 2, .nr_cpus = nr_cpus,
		.label = label, .cpus = cpus,
	};

	assert_int_equal(rec_write_variant(w, &v, argv), 0);
}

/* Counts of a run at `at` from its begin, `part` thousandths of its
 * totals (1000: the FINAL). */
static void write_counts(struct rec_writer *w, uint32_t run, uint64_t begin,
			 const struct run_spec *spec, uint64_t at, uint64_t part,
			 uint32_t flags)
{
	uint64_t cs_running = spec->cs_percent ? at * spec->cs_percent / 100 : at;
	uint64_t cs_raw = spec->cs_percent ? spec->cs * spec->cs_percent / 100 : spec->cs;
	struct rec_count c[3] = {
		{ EV_TASK_CLOCK, spec->task_ms * MS * part / 1000, at, at },
		{ EV_CS, cs_raw * part / 1000, at, cs_running },
		{ EV_FAULTS, spec->faults * part / 1000, at, at },
	};

	assert_int_equal(rec_write_counts(w, begin + at, run, flags, c,
					  spec->has_faults ? 3 : 2), 0);
}

/*
 * Run number `run`: a sample at 100 ms (half the counts), a memory
 * reading, the end after wall_ms, and the FINAL counts. A cut-off run
 * stops after its sample.
 */
static void write_run(struct rec_writer *w, uint32_t run,
		      const struct run_spec *spec)
{
	uint64_t begin = T0 + run * RUN_SPACING, end = begin + spec->wall_ms * MS;
	struct rec_run_begin b = {
		.time_ns = begin, .run = run, .pid = 100 + run,
		.flags = spec->flags, .variant = spec->variant,
	};
	struct rec_mem m = {
		.time_ns = begin + 50 * MS, .run = run, .backend = REC_MEM_RSS,
		.current_bytes = (run + 1) * MIB, .peak_bytes = (run + 1) * MIB,
		.processes = 1,
	};
	struct rec_run_end e = {
		.time_ns = end, .run = run, .pid = 100 + run,
		.exit_kind = REC_EXIT_NORMAL, .exit_code = 0,
		.rusage = { .utime_us = spec->user_ms * 1000,
			    .stime_us = spec->sys_ms * 1000,
			    .nvcsw = 1, .nivcsw = 2 },
	};

	assert_int_equal(rec_write_run_begin(w, &b), 0);
	assert_int_equal(rec_write_mem(w, &m), 0);
	write_counts(w, run, begin, spec, 100 * MS, 500, 0);
	if (spec->cut_off)
		return;
	assert_int_equal(rec_write_run_end(w, &e), 0);
	write_counts(w, run, begin, spec, spec->wall_ms * MS + MS, 1000,
		     REC_COUNTS_F_FINAL);
}

/*
 * A warm-up far off (left out, or every mean would move), then four
 * measured runs:
 *   elapsed s   1.0   1.1   0.9   2.0   mean 1.25, sd 0.5066, median 1.05
 *   task-clock  2000  2200  1800  2000  mean 2000, sd 163.3 (+- 4.08%)
 *   cs           100   110    90   100  mean 100, sd 8.165 (+- 4.08%)
 *   page-faults   10    20    30     -  mean 20 of 3 runs, sd 10
 *   user s       1.8   2.0   1.6   1.8  mean 1.8, sd 0.1633
 *   sys s        0.2   0.2   0.2   0.2
 * The elapsed time of run 4 stands apart: its distance from the median,
 * 0.95, is 9.5 MADs (0.1), a modified z-score of 6.4; run 3's is 1.0.
 */
static const struct run_spec four_runs[] = {
	{ .flags = REC_RUN_F_WARMUP, .wall_ms = 5000, .task_ms = 9000,
	  .cs = 999, .has_faults = 1, .faults = 999, .user_ms = 4000,
	  .sys_ms = 1000 },
	{ .wall_ms = 1000, .task_ms = 2000, .cs = 100, .has_faults = 1,
	  .faults = 10, .user_ms = 1800, .sys_ms = 200 },
	{ .wall_ms = 1100, .task_ms = 2200, .cs = 110, .has_faults = 1,
	  .faults = 20, .user_ms = 2000, .sys_ms = 200 },
	{ .wall_ms = 900, .task_ms = 1800, .cs = 90, .has_faults = 1,
	  .faults = 30, .user_ms = 1600, .sys_ms = 200 },
	{ .wall_ms = 2000, .task_ms = 2000, .cs = 100, .user_ms = 1800,
	  .sys_ms = 200 },
};

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static void read_runs(struct summary *s, const struct run_spec *runs,
		      size_t nr)
{
	struct recording r;

	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	for (size_t i = 0; i < nr; i++)
		write_run(&r.w, (uint32_t)i, &runs[i]);
	recording_read(&r, s, -1, !runs[nr - 1].cut_off);
}

enum view { VIEW_TEXT, VIEW_PER_RUN, VIEW_JSON, VIEW_CSV_STATS };

static char *render(const struct summary *s, enum view view)
{
	struct display_options o;
	struct json_writer w;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	display_options_init(&o);
	switch (view) {
	case VIEW_TEXT:
		display_text_with(out, s, &o);
		break;
	case VIEW_PER_RUN:
		o.per_run = 1;
		display_text_with(out, s, &o);
		break;
	case VIEW_JSON:
		json_writer_init(&w, out);
		display_json_begin(&w, "9.9.9");
		display_json_recording(&w, s, NULL);
		display_json_end(&w);
		break;
	case VIEW_CSV_STATS:
		display_csv_stats_header(out);
		assert_int_equal(display_csv_stats(out, s), 0);
		break;
	}
	assert_int_equal(fclose(out), 0);
	return text;
}

#define assert_contains(haystack, needle) \
	do { \
		if (!strstr((haystack), (needle))) \
			fail_msg("'%s' not found in:\n%s", (needle), (haystack)); \
	} while (0)

#define assert_not_contains(haystack, needle) \
	do { \
		if (strstr((haystack), (needle))) \
			fail_msg("'%s' found in:\n%s", (needle), (haystack)); \
	} while (0)

static size_t count_of(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* ---- text ---- */

static void test_text_means(void **state)
{
	struct summary s;
	char *text;

	(void)state;
	read_runs(&s, four_runs, NR(four_runs));
	text = render(&s, VIEW_TEXT);
	/* One block, not one per run. */
	assert_int_equal(count_of(text, "Performance counter stats"), 1);
	assert_contains(text, "\n Performance counter stats for './bench 7' (test.data, 4 runs, 1 warm-up run left out):\n\n");
	/* 2000 msec over 1.25 s: 1.6 CPUs; 100 switches / 1.25 s. */
	assert_contains(text, "          2,000.00 msec task-clock                #    1.600 CPUs utilized  ( +-  4.08% )\n");
	assert_contains(text, "               100      context-switches          #   80.000 /sec           ( +-  4.08% )\n");
	assert_contains(text, "   <not supported>      cycles\n");
	/* 10, 20, 30: sd 10, stderr 10 / sqrt(3) = 5.77, 28.87% of 20. */
	assert_contains(text, "                20      page-faults               #   16.000 /sec           ( +- 28.87% )  (counted in 3 of 4 runs)\n");
	/* perf's "S +- E": E = 0.5066 / 2 = 0.253, 20.26% of 1.25. */
	assert_contains(text, "\n             1.250 +- 0.253 seconds time elapsed  ( +- 20.26% )\n");
	assert_contains(text, "\n            1.8000 +- 0.0816 seconds user  ( +-  4.54% )\n");
	assert_contains(text, "       0.200000000 +- 0.000000000 seconds sys\n");
	assert_contains(text, "\n exit status 0 in all 4 runs; 4 samples, interval 100 ms\n");
	free(text);
	summary_release(&s);
}

static void test_text_statistics_table(void **state)
{
	struct summary s;
	char *text;

	(void)state;
	read_runs(&s, four_runs, NR(four_runs));
	text = render(&s, VIEW_TEXT);
	assert_contains(text,
		"\n figure                mean    stddev       min    median       max  outliers\n"
		" seconds elapsed      1.250     0.507     0.900     1.050     2.000  run 4\n"
		" task-clock (ms)   2,000.00    163.30  1,800.00  2,000.00  2,200.00\n"
		" context-switches       100         8        90       100       110\n"
		" page-faults             20        10        10        20        30\n"
		" seconds user         1.800     0.163     1.600     1.800     2.000\n"
		" seconds sys          0.200     0.000     0.200     0.200     0.200\n\n");
	/* Every run, the warm-up too, in the order they ran. */
	assert_contains(text,
		" run  elapsed s  user s  sys s  task-clock ms  exit\n"
		"   0      5.000   4.000  1.000       9,000.00     0  warm-up\n"
		"   1      1.000   1.800  0.200       2,000.00     0\n"
		"   2      1.100   2.000  0.200       2,200.00     0\n"
		"   3      0.900   1.600  0.200       1,800.00     0\n"
		"   4      2.000   1.800  0.200       2,000.00     0  outlier: elapsed\n\n");
	/* The processes and memory of the first measured run only. */
	assert_contains(text, " processes and memory of run 1, the first measured; --per-run shows every run\n memory ");
	assert_contains(text, "   rss         2.0 MiB    2.0 MiB   0.050 s    2.0 MiB  ");
	assert_not_contains(text, "   rss         1.0 MiB");
	assert_not_contains(text, "   rss         3.0 MiB");
	free(text);
	summary_release(&s);
}

static void test_text_per_run(void **state)
{
	struct summary s;
	char *text;
	const char *aggregate;

	(void)state;
	read_runs(&s, four_runs, NR(four_runs));
	text = render(&s, VIEW_PER_RUN);
	/* Every run in full, as before, then the runs together. */
	assert_int_equal(count_of(text, "Performance counter stats"), 6);
	assert_contains(text, "(test.data, run 0, warm-up):\n\n          9,000.00 msec task-clock");
	assert_contains(text, "(test.data, run 4):\n\n          2,000.00 msec task-clock                #    1.000 CPUs utilized\n");
	assert_contains(text, "       2.000000000 seconds time elapsed\n");
	assert_int_equal(count_of(text, " memory "), 5);
	aggregate = strstr(text, "(test.data, 4 runs, 1 warm-up run left out)");
	assert_non_null(aggregate);
	assert_true(aggregate > strstr(text, "(test.data, run 4)"));
	assert_contains(aggregate, " figure ");
	/* Every run's processes and memory are above already. */
	assert_not_contains(text, "the first measured");
	free(text);
	summary_release(&s);
}

/* The last run has no end: it is left out and said to be. */
static void test_text_cut_off(void **state)
{
	struct run_spec runs[4];
	struct summary s;
	char *text;

	(void)state;
	memcpy(runs, four_runs, sizeof(runs));
	runs[3].cut_off = 1;
	read_runs(&s, runs, NR(runs));
	text = render(&s, VIEW_TEXT);
	/* Runs 1 and 2: 1.0 and 1.1 s, 2000 and 2200 ms. */
	assert_contains(text, "(test.data, 2 runs, 1 warm-up run left out, 1 cut-off run left out):\n");
	assert_contains(text, "          2,100.00 msec task-clock                #    2.000 CPUs utilized  ( +-  4.76% )\n");
	assert_contains(text, "   3      0.100       -      -         900.00     -  cut off: left out\n");
	free(text);
	summary_release(&s);
}

/*
 * Multiplexed in some runs: the mean of the estimates, and the mean share
 * of the time counted, as perf shows it for one run. Counted 50% of the
 * time in run 1 and 25% in run 2 (100 and 108 switches estimated from
 * 50 and 27), all of it in run 3: (50 + 25 + 100) / 3 = 58.33%.
 */
static void test_text_multiplexed(void **state)
{
	struct run_spec runs[3];
	struct summary s;
	char *text;

	(void)state;
	memcpy(runs, &four_runs[1], sizeof(runs));
	runs[0].cs_percent = 50;
	runs[1].cs_percent = 25;
	read_runs(&s, runs, NR(runs));
	text = render(&s, VIEW_TEXT);
	/* 100, 108, 90 over 1.0 s: mean 99.33, sd 9.02, stderr 5.24%. */
	assert_contains(text, "                99      context-switches          #   99.333 /sec           ( +-  5.24% )  (58.33%)\n");
	free(text);
	summary_release(&s);
}

/* An exit status that differs, and a signal. */
static void test_text_exit_differs(void **state)
{
	struct recording r;
	struct summary s;
	struct rec_run_end e = {
		.time_ns = T0 + 4 * RUN_SPACING + 500 * MS, .run = 4,
		.pid = 104, .exit_kind = REC_EXIT_SIGNAL, .exit_code = 9,
	};
	char *text;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	for (uint32_t i = 0; i < 4; i++)
		write_run(&r.w, i, &four_runs[i]);
	assert_int_equal(rec_write_run_begin(&r.w, &(struct rec_run_begin){
		.time_ns = T0 + 4 * RUN_SPACING, .run = 4, .pid = 104 }), 0);
	assert_int_equal(rec_write_run_end(&r.w, &e), 0);
	recording_read(&r, &s, -1, 1);
	text = render(&s, VIEW_TEXT);
	assert_contains(text, "\n exit status differs between runs (see the table of runs); ");
	/* 0.5 s, no CPU time: an outlier among 1.6 to 2.0 s. */
	assert_contains(text, "\n   4      0.500   0.000  0.000              -  137 SIGKILL  outlier: user, sys\n");
	free(text);
	summary_release(&s);
}

/*
 * One measured run (with or without a warm-up before it) prints what the
 * report printed before repeated runs: each run in full, no statistics.
 * The expected text is that of the report before this change.
 */
static void test_text_single_run_unchanged(void **state)
{
	static const char expected[] =
		"\n Performance counter stats for './bench 7' (test.data):\n"
		"\n"
		"          2,000.00 msec task-clock                #    2.000 CPUs utilized\n"
		"               100      context-switches          #  100.000 /sec\n"
		"   <not supported>      cycles\n"
		"                10      page-faults               #   10.000 /sec\n"
		"\n"
		"       1.000000000 seconds time elapsed\n"
		"\n"
		"       1.800000000 seconds user\n"
		"       0.200000000 seconds sys\n"
		"\n"
		" exit status 0; 1 sample, interval 100 ms\n"
		"\n"
		" memory        initial       peak   peak at      final  what it is\n";
	struct summary s;
	char *text;

	(void)state;
	read_runs(&s, &four_runs[1], 1);
	text = render(&s, VIEW_TEXT);
	assert_int_equal(strncmp(text, expected, strlen(expected)), 0);
	assert_not_contains(text, " figure ");
	assert_not_contains(text, "+-");
	assert_not_contains(text, "first measured");
	free(text);
	summary_release(&s);

	/* A warm-up and one measured run: both in full, as before. */
	read_runs(&s, four_runs, 2);
	text = render(&s, VIEW_TEXT);
	assert_int_equal(count_of(text, "Performance counter stats"), 2);
	assert_contains(text, "(test.data, run 0, warm-up):\n");
	assert_contains(text, "(test.data, run 1):\n");
	assert_not_contains(text, " figure ");
	assert_not_contains(text, "+-");
	free(text);
	summary_release(&s);
}

/* ---- variants ---- */

/*
 * Two variants, interleaved: runs 0, 2, 4 of './bench 1' and 1, 3, 5 of
 * './bench 2', read one variant at a time as the report does.
 */
static void read_variants(struct summary *s, uint32_t variant)
{
	struct recording r;

	recording_start(&r);
	write_meta(&r.w);
	write_variant(&r.w, 0, "one CPU", 1, "0", "1");
	write_variant(&r.w, 1, "two CPUs", 2, "0-1", "2");
	write_events(&r.w);
	for (uint32_t i = 0; i < 6; i++) {
		struct run_spec spec = four_runs[1 + i / 2];

		spec.variant = i % 2;
		spec.has_faults = 1;
		write_run(&r.w, i, &spec);
	}
	recording_read(&r, s, variant, 1);
}

static void test_variant_headers(void **state)
{
	struct summary s;
	char *text;

	(void)state;
	read_variants(&s, 1);
	text = render(&s, VIEW_TEXT);
	/* The variant's command, not META's, and its label. */
	assert_contains(text, "\n Performance counter stats for './bench 2' (test.data, variant 'two CPUs', 3 runs):\n");
	/* Run numbers as the file has them. */
	assert_contains(text, "\n run  elapsed s  user s  sys s  task-clock ms  exit\n   1 ");
	assert_contains(text, "\n   5      0.900 ");
	free(text);
	text = render(&s, VIEW_PER_RUN);
	assert_contains(text, "'./bench 2' (test.data, variant 'two CPUs', run 3):\n");
	free(text);

	text = render(&s, VIEW_JSON);
	assert_contains(text, "\"command\": [\n        \"./bench\",\n        \"2\"\n      ]");
	assert_contains(text, "\"variant\": {\n        \"index\": 1,\n        \"label\": \"two CPUs\",\n        \"cpus\": \"0-1\",\n        \"nr_cpus\": 2\n      }");
	free(text);

	text = render(&s, VIEW_CSV_STATS);
	assert_contains(text, "\ntest.data,1,task-clock,msec,3,");
	free(text);
	summary_release(&s);
}

/* A label that only repeats the command is not said twice. */
static void test_variant_label_is_command(void **state)
{
	struct recording r;
	struct summary s;
	char *text;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_variant(&r.w, 0, "./bench 1", 0, "", "1");
	write_variant(&r.w, 1, "./bench 2", 0, "", "2");
	write_events(&r.w);
	for (uint32_t i = 0; i < 4; i++) {
		struct run_spec spec = four_runs[1 + i / 2];

		spec.variant = i % 2;
		write_run(&r.w, i, &spec);
	}
	recording_read(&r, &s, 0, 1);
	text = render(&s, VIEW_TEXT);
	assert_contains(text, "for './bench 1' (test.data, 2 runs):\n");
	free(text);
	text = render(&s, VIEW_JSON);
	assert_contains(text, "\"label\": \"./bench 1\",\n        \"cpus\": null,\n        \"nr_cpus\": null\n");
	free(text);
	summary_release(&s);
}

/* ---- JSON and CSV ---- */

static void test_json_statistics(void **state)
{
	struct summary s;
	char *text, *stats;
	int depth = 0;

	(void)state;
	read_runs(&s, four_runs, NR(four_runs));
	text = render(&s, VIEW_JSON);
	/* The runs as they were, the warm-up included. */
	assert_int_equal(count_of(text, "\"warmup\": "), 5);
	assert_contains(text, "\"variant\": null");
	stats = strstr(text, "\"statistics\": {");
	assert_non_null(stats);
	assert_contains(stats, "\"runs\": 4,\n        \"warmups\": 1,\n        \"cut_off\": 0,\n        \"figures\": [");
	assert_contains(stats, "\"name\": \"task-clock\",\n            \"unit\": \"msec\",\n            \"runs\": 4,\n            \"mean\": 2000,\n");
	assert_contains(stats, "\"name\": \"page-faults\",\n            \"unit\": \"\",\n            \"runs\": 3,\n            \"mean\": 20,\n            \"stddev\": 10,\n            \"min\": 10,\n            \"median\": 20,\n            \"max\": 30,\n");
	assert_contains(stats, "\"name\": \"duration_time\",\n            \"unit\": \"s\",\n            \"runs\": 4,\n            \"mean\": 1.25,\n");
	assert_contains(stats, "\"median\": 1.05,\n            \"max\": 2,\n            \"rel_stderr_percent\": 20.26");
	assert_contains(stats, "\"outlier_runs\": [\n              4\n            ]");
	assert_contains(stats, "\"name\": \"system_time\"");
	/* Not counted in any run: no figure. */
	assert_not_contains(stats, "\"cycles\"");
	/* Balanced: the document parses as far as its brackets go. */
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\')
					p++;
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	free(text);
	summary_release(&s);

	/* Nothing measured that ended: null. */
	read_runs(&s, four_runs, 1);
	text = render(&s, VIEW_JSON);
	assert_contains(text, "\"statistics\": null");
	free(text);
	summary_release(&s);
}

/*
 * The row of --csv --stats that starts with `head` (file to runs): its six
 * numbers within a relative 1e-9 of want[] (mean, stddev, min, median,
 * max, rel_stderr_percent), then exactly `outliers`.
 */
static void assert_csv_row(const char *text, const char *head,
			   const double want[6], const char *outliers)
{
	size_t len = strlen(head);
	const char *p = text;
	char *end;

	while (p && strncmp(p, head, len))
		p = (p = strchr(p, '\n')) ? p + 1 : NULL;
	if (!p)
		fail_msg("no row '%s' in:\n%s", head, text);
	p += len;
	for (int i = 0; i < 6; i++) {
		double got;

		assert_int_equal(*p, ',');
		got = strtod(p + 1, &end);
		assert_true(end > p + 1);
		if (!(fabs(got - want[i]) <= 1e-9 * fmax(1.0, fabs(want[i]))))
			fail_msg("%s: field %d is %.17g, expected %.17g", head,
				 i, got, want[i]);
		p = end;
	}
	assert_int_equal(*p, ',');
	p++;
	assert_int_equal(strncmp(p, outliers, strlen(outliers)), 0);
	assert_int_equal(p[strlen(outliers)], '\n');
}

#define CSV_STATS_HEADER "file,variant,figure,unit,runs,mean,stddev,min,median,max,rel_stderr_percent,outlier_runs\n"

static void test_csv_stats(void **state)
{
	struct summary s;
	char *text;

	(void)state;
	read_runs(&s, four_runs, NR(four_runs));
	text = render(&s, VIEW_CSV_STATS);
	assert_int_equal(strncmp(text, CSV_STATS_HEADER, strlen(CSV_STATS_HEADER)), 0);
	/* One row per figure with a value: not cycles. */
	assert_int_equal(count_of(text, "\n"), 7);
	/* sd of 1800, 2000, 2000, 2200: sqrt(80000 / 3) = 163.299; its
	 * standard error 81.65 is 4.08% of 2000. */
	assert_csv_row(text, "test.data,0,task-clock,msec,4",
		       (const double[6]){ 2000, 163.29931618554522, 1800, 2000,
					  2200, 4.0824829046386304 }, "");
	assert_csv_row(text, "test.data,0,context-switches,,4",
		       (const double[6]){ 100, 8.1649658092772608, 90, 100,
					  110, 4.0824829046386304 }, "");
	assert_csv_row(text, "test.data,0,page-faults,,3",
		       (const double[6]){ 20, 10, 10, 20, 30,
					  28.867513459481291 }, "");
	/* sqrt(0.77 / 3) = 0.50662; 0.25331 is 20.26% of 1.25. */
	assert_csv_row(text, "test.data,0,duration_time,s,4",
		       (const double[6]){ 1.25, 0.50662280511902222, 0.9, 1.05,
					  2, 20.264912204760889 }, "4");
	assert_csv_row(text, "test.data,0,user_time,s,4",
		       (const double[6]){ 1.8, 0.16329931618554536, 1.6, 1.8,
					  2, 4.5360921162651544 }, "");
	/* Equal in every run: no spread at all, not a rounding residue. */
	assert_contains(text, "\ntest.data,0,system_time,s,4,0.2,0,0.2,0.2,0.2,0,\n");
	free(text);
	summary_release(&s);

	/*
	 * Several outliers are separated by spaces: 1 and 9000 among 100s
	 * (the MAD is 0, so each is judged by its distance from the median,
	 * beyond 10% of it).
	 */
	{
		struct run_spec runs[6];

		for (size_t i = 0; i < NR(runs); i++)
			runs[i] = four_runs[1];
		runs[1].cs = 1;
		runs[5].cs = 9000;
		read_runs(&s, runs, NR(runs));
		text = render(&s, VIEW_CSV_STATS);
		assert_csv_row(text, "test.data,0,context-switches,,6",
			       (const double[6]){ 1566.8333333333333,
						  3641.7084131855845, 1, 100,
						  9000, 94.88700568349425 },
			       "1 5");
		free(text);
		summary_release(&s);
	}

	/* No measured run: the header alone. */
	read_runs(&s, four_runs, 1);
	text = render(&s, VIEW_CSV_STATS);
	assert_string_equal(text, CSV_STATS_HEADER);
	free(text);
	summary_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_means),
		cmocka_unit_test(test_text_statistics_table),
		cmocka_unit_test(test_text_per_run),
		cmocka_unit_test(test_text_cut_off),
		cmocka_unit_test(test_text_multiplexed),
		cmocka_unit_test(test_text_exit_differs),
		cmocka_unit_test(test_text_single_run_unchanged),
		cmocka_unit_test(test_variant_headers),
		cmocka_unit_test(test_variant_label_is_command),
		cmocka_unit_test(test_json_statistics),
		cmocka_unit_test(test_csv_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_scaling.c - unit tests of a scaling study (report/scaling.c): the
 * figures taken from each variant's runs (warm-ups left out, a run cut
 * off before its RUN_END unknown in every figure, page faults from
 * rusage when the counter is missing), the speedup and efficiency over
 * the fewest-CPU variant, when a set of variants is a study at all, the
 * printed table and verdicts, the JSON, and the two charts.
 *
 * Recordings are written with the real rec_writer into a memfd, one file
 * of several variants as `pprobe scale` writes it (runs of the variants
 * interleaved, to hold the variant filter to account), and read back once
 * per variant with summary_only_variant(), as the report reads them.
 * Charts are written into a fresh directory under $TMPDIR (or /tmp),
 * which the teardown removes, failed or not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cairo.h>

#include "json.h"
#include "recfile.h"
#include "scaling.h"
#include "scratch_dir.h"
#include "summary.h"

#define MS 1000000ull
#define T0 5000000000ull

#define assert_near(got, expect) \
	do { \
		double g_ = (got), e_ = (expect); \
		if (!(fabs(g_ - e_) <= 1e-9 * fmax(1.0, fabs(e_)))) \
			fail_msg("%s is %.12g, expected %.12g", #got, g_, e_); \
	} while (0)

#define assert_nan(got) \
	do { \
		double g_ = (got); \
		if (!isnan(g_)) \
			fail_msg("%s is %.12g, expected NAN", #got, g_); \
	} while (0)

/* Which events a recording declares. */
#define WITH_TASK_CLOCK  (1u << 0)
#define WITH_MIGRATIONS  (1u << 1)
#define WITH_FAULTS      (1u << 2)
#define WITH_ALL (WITH_TASK_CLOCK | WITH_MIGRATIONS | WITH_FAULTS)

enum {
	EV_TASK_CLOCK = 1,
	EV_MIGRATIONS = 2,
	EV_FAULTS = 3,
};

/* One run as the test wants it recorded. */
struct run_spec {
	uint64_t wall_ms;
	int cut_off;                /* COUNTS but no RUN_END */
	uint32_t flags;             /* REC_RUN_F_WARMUP */
	uint64_t task_clock_ms;
	uint64_t utime_ms, stime_ms;
	uint64_t nvcsw, nivcsw, minflt, majflt;
	uint64_t migrations, faults;
};

struct variant_spec {
	uint32_t nr_cpus;
	const char *label;
	const char *cpus;
	const struct run_spec *runs;
	size_t nr_runs;
};

static const char *const argv_bench[] = { "./bench", "--size", "10" };

/* ---- recordings ---- */

static void write_event(struct rec_writer *w, uint32_t id, const char *name,
			const char *unit)
{
	struct rec_event e = { .id = id, .status = REC_EVENT_OPENED,
			       .name = name, .unit = unit };

	assert_int_equal(rec_write_event(w, &e), 0);
}

static void write_events(struct rec_writer *w, unsigned events)
{
	if (events & WITH_TASK_CLOCK)
		write_event(w, EV_TASK_CLOCK, "task-clock", "ns");
	if (events & WITH_MIGRATIONS)
		write_event(w, EV_MIGRATIONS, "cpu-migrations", "");
	if (events & WITH_FAULTS)
		write_event(w, EV_FAULTS, "page-faults", "");
}

/* One run of variant `variant` from *t; *t moves past it. */
static void write_run(struct rec_writer *w, unsigned events, uint32_t run,
		      uint32_t variant, const struct run_spec *spec,
		      uint64_t *t)
{
	struct rec_run_begin b = { .time_ns = *t, .run = run, .pid = 100 + run,
				   .flags = spec->flags, .variant = variant };
	uint64_t end = *t + spec->wall_ms * MS;
	struct rec_count c[3];
	uint32_t nr = 0;

	assert_int_equal(rec_write_run_begin(w, &b), 0);
	if (events & WITH_TASK_CLOCK)
		c[nr++] = (struct rec_count){ EV_TASK_CLOCK,
			spec->task_clock_ms * MS, spec->wall_ms * MS,
			spec->wall_ms * MS };
	if (events & WITH_MIGRATIONS)
		c[nr++] = (struct rec_count){ EV_MIGRATIONS, spec->migrations,
			spec->wall_ms * MS, spec->wall_ms * MS };
	if (events & WITH_FAULTS)
		c[nr++] = (struct rec_count){ EV_FAULTS, spec->faults,
			spec->wall_ms * MS, spec->wall_ms * MS };
	if (nr)
		assert_int_equal(rec_write_counts(w, end, run,
			spec->cut_off ? 0 : REC_COUNTS_F_FINAL, c, nr), 0);
	if (!spec->cut_off) {
		struct rec_run_end e = {
			.time_ns = end, .run = run, .pid = 100 + run,
			.exit_kind = REC_EXIT_NORMAL,
			.rusage = { .utime_us = spec->utime_ms * 1000,
				    .stime_us = spec->stime_ms * 1000,
				    .minflt = spec->minflt, .majflt = spec->majflt,
				    .nvcsw = spec->nvcsw, .nivcsw = spec->nivcsw },
		};

		assert_int_equal(rec_write_run_end(w, &e), 0);
	}
	*t = end + 1000 * MS;
}

/*
 * A file of the variants vs[0..nr) into a memfd (returned, at offset 0):
 * with VARIANT records when `variants`, their runs interleaved; complete
 * (an END record) unless a run is cut off.
 */
static int write_file(const struct variant_spec *vs, size_t nr, int variants,
		      unsigned events, const char *label)
{
	struct rec_writer w;
	int fd = memfd_create("test_scaling", MFD_CLOEXEC), cut = 0;
	uint64_t t = T0;
	uint32_t run = 0;
	size_t most = 0;

	assert_true(fd >= 0);
	assert_int_equal(rec_writer_init(&w, fd), 0);
	rec_meta_begin(&w);
	for (size_t i = 0; i < 3; i++)
		rec_meta_str(&w, "argv", argv_bench[i]);
	if (label)
		rec_meta_str(&w, "label", label);
	assert_int_equal(rec_finish(&w), 0);
	write_events(&w, events);
	for (size_t i = 0; variants && i < nr; i++) {
		struct rec_variant v = { .variant = (uint32_t)i, .nr_args = 3,
			.nr_cpus = vs[i].nr_cpus, .label = vs[i].label,
			.cpus = vs[i].cpus };

		assert_int_equal(rec_write_variant(&w, &v, argv_bench), 0);
	}
	for (size_t i = 0; i < nr; i++)
		most = vs[i].nr_runs > most ? vs[i].nr_runs : most;
	for (size_t k = 0; k < most; k++)
		for (size_t i = 0; i < nr; i++) {
			if (k >= vs[i].nr_runs)
				continue;
			write_run(&w, events, run++, (uint32_t)i, &vs[i].runs[k], &t);
			cut |= vs[i].runs[k].cut_off;
		}
	if (!cut)
		assert_int_equal(rec_write_end(&w, t), 0);
	assert_int_equal(rec_writer_flush(&w), 0);
	rec_writer_release(&w);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Reads variant v of fd (all runs when v < 0) and adds it to sc. */
static void add_variant(struct scaling *sc, int fd, long v,
			enum rec_status expect)
{
	struct summary s;

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(summary_init(&s, "runs/bench.data"), 0);
	if (v >= 0)
		summary_only_variant(&s, (uint32_t)v);
	assert_int_equal(summary_read(&s, fd), expect);
	assert_int_equal(scaling_add(sc, &s), 0);
	summary_release(&s);
}

/* A study of vs[0..nr), every variant read from one file, in `order`. */
static void study(struct scaling *sc, const struct variant_spec *vs, size_t nr,
		  unsigned events, const size_t *order)
{
	int fd = write_file(vs, nr, 1, events, NULL);
	int cut = 0;

	for (size_t i = 0; i < nr; i++)
		for (size_t k = 0; k < vs[i].nr_runs; k++)
			cut |= vs[i].runs[k].cut_off;
	scaling_init(sc);
	for (size_t i = 0; i < nr; i++)
		add_variant(sc, fd, (long)(order ? order[i] : i),
			    cut ? REC_ERR_TRUNCATED : REC_DONE);
	close(fd);
}

/* ---- the two-variant study most tests use ---- */

/*
 * 1 CPU: 2.0, 2.1, 1.9 s (mean 2.0); 2 CPUs: 1.00, 1.02, 1.03 s (mean
 * 1.016667): speedup 1.967, 98.4% efficient. Each has a warm-up of 9 s
 * that must not count.
 */
static const struct run_spec one_cpu[] = {
	{ .wall_ms = 9000, .flags = REC_RUN_F_WARMUP, .task_clock_ms = 9000,
	  .utime_ms = 9000, .nvcsw = 999, .migrations = 999, .faults = 999 },
	{ .wall_ms = 2000, .task_clock_ms = 1990, .utime_ms = 1900, .stime_ms = 90,
	  .nvcsw = 10, .nivcsw = 100, .minflt = 1000, .majflt = 2,
	  .migrations = 0, .faults = 1002 },
	{ .wall_ms = 2100, .task_clock_ms = 2090, .utime_ms = 2000, .stime_ms = 90,
	  .nvcsw = 12, .nivcsw = 110, .minflt = 1000, .majflt = 2,
	  .migrations = 0, .faults = 1002 },
	{ .wall_ms = 1900, .task_clock_ms = 1890, .utime_ms = 1800, .stime_ms = 90,
	  .nvcsw = 14, .nivcsw = 120, .minflt = 1000, .majflt = 2,
	  .migrations = 0, .faults = 1002 },
};

static const struct run_spec two_cpus[] = {
	{ .wall_ms = 9000, .flags = REC_RUN_F_WARMUP, .task_clock_ms = 9000,
	  .utime_ms = 9000, .nvcsw = 999, .migrations = 999, .faults = 999 },
	{ .wall_ms = 1000, .task_clock_ms = 1990, .utime_ms = 1890, .stime_ms = 100,
	  .nvcsw = 40, .nivcsw = 50, .minflt = 1100, .majflt = 0,
	  .migrations = 6, .faults = 1100 },
	{ .wall_ms = 1020, .task_clock_ms = 2030, .utime_ms = 1930, .stime_ms = 100,
	  .nvcsw = 42, .nivcsw = 52, .minflt = 1100, .majflt = 0,
	  .migrations = 8, .faults = 1100 },
	{ .wall_ms = 1030, .task_clock_ms = 2050, .utime_ms = 1950, .stime_ms = 100,
	  .nvcsw = 44, .nivcsw = 54, .minflt = 1100, .majflt = 0,
	  .migrations = 10, .faults = 1100 },
};

static const struct variant_spec two_variants[] = {
	{ 1, "1 CPU", "0", one_cpu, 4 },
	{ 2, "2 CPUs", "0-1", two_cpus, 4 },
};

#define BASE_MEAN 2.0
#define TWO_MEAN ((1.0 + 1.02 + 1.03) / 3)

/* ---- output into memory ---- */

struct memout {
	FILE *f;
	char *text;
	size_t size;
};

static void memout_open(struct memout *m)
{
	m->text = NULL;
	m->size = 0;
	m->f = open_memstream(&m->text, &m->size);
	assert_non_null(m->f);
}

static const char *memout_close(struct memout *m)
{
	assert_int_equal(fclose(m->f), 0);
	m->f = NULL;
	return m->text;
}

static void assert_contains(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("'%s' is not in:\n%s", part, text);
}

/* The number after the n-th (from 0) "key": in JSON text. */
static double json_number(const char *text, const char *key, int n)
{
	char quoted[64];
	const char *at = text;

	snprintf(quoted, sizeof(quoted), "\"%s\": ", key);
	for (int i = 0; i <= n; i++) {
		at = strstr(at, quoted);
		if (!at)
			fail_msg("no %d-th %s in:\n%s", n, quoted, text);
		at += strlen(quoted);
	}
	if (!strncmp(at, "null", 4))
		return NAN;
	return strtod(at, NULL);
}

/* ---- figures ---- */

static void test_empty(void **state)
{
	struct scaling sc;
	struct memout m;

	(void)state;
	scaling_init(&sc);
	assert_int_equal(sc.nr, 0);
	assert_false(scaling_is_study(&sc));
	memout_open(&m);
	scaling_print(m.f, &sc);
	assert_string_equal(memout_close(&m), "");
	free(m.text);
	scaling_release(&sc);
	scaling_release(&sc);   /* twice: released is empty */
}

static void test_figures_per_run(void **state)
{
	static const size_t reversed[] = { 1, 0 };
	struct scaling sc;
	const struct scaling_variant *v;

	(void)state;
	/* Added 2 CPUs first: kept by CPU count all the same. */
	study(&sc, two_variants, 2, WITH_ALL, reversed);
	assert_int_equal(sc.nr, 2);
	assert_true(scaling_is_study(&sc));

	v = &sc.v[0];
	assert_string_equal(v->label, "1 CPU");
	assert_int_equal(v->nr_cpus, 1);
	assert_string_equal(v->cpus, "0");
	assert_string_equal(v->command, "./bench --size 10");
	/* The warm-up (9 s, 999 of everything) is left out. */
	assert_int_equal(v->nr_runs, 3);
	assert_near(v->wall[0], 2.0);
	assert_near(v->wall[1], 2.1);
	assert_near(v->wall[2], 1.9);
	assert_near(v->user[0], 1.9);
	assert_near(v->sys[0], 0.09);
	assert_near(v->cpu[1], 2.09);
	assert_near(v->vcsw[2], 14);
	assert_near(v->ivcsw[2], 120);
	assert_near(v->migrations[0], 0);
	assert_near(v->faults[0], 1002);

	v = &sc.v[1];
	assert_string_equal(v->label, "2 CPUs");
	assert_int_equal(v->nr_cpus, 2);
	assert_string_equal(v->cpus, "0-1");
	assert_int_equal(v->nr_runs, 3);
	assert_near(v->wall[1], 1.02);
	assert_near(v->cpu[2], 2.05);
	assert_near(v->migrations[2], 10);
	assert_near(v->faults[1], 1100);
	scaling_release(&sc);
}

static void test_speedup_and_efficiency(void **state)
{
	struct scaling sc;
	struct json_writer w;
	struct memout m;
	const char *text;
	double speedup = BASE_MEAN / TWO_MEAN;

	(void)state;
	study(&sc, two_variants, 2, WITH_ALL, NULL);
	memout_open(&m);
	json_writer_init(&w, m.f);
	json_begin_object(&w, NULL);
	scaling_json(&w, &sc);
	json_end_object(&w);
	text = memout_close(&m);

	assert_near(json_number(text, "base_cpus", 0), 1);
	/* The base: 1x of ideal 1x, its own runs' spread. */
	assert_near(json_number(text, "cpus", 0), 1);
	assert_near(json_number(text, "runs", 0), 3);
	assert_near(json_number(text, "wall_mean", 0), BASE_MEAN);
	assert_near(json_number(text, "wall_stddev", 0), 0.1);
	assert_near(json_number(text, "speedup", 0), 1);
	assert_near(json_number(text, "speedup_min", 0), BASE_MEAN / 2.1);
	assert_near(json_number(text, "speedup_max", 0), BASE_MEAN / 1.9);
	assert_near(json_number(text, "ideal_speedup", 0), 1);
	assert_near(json_number(text, "efficiency", 0), 1);
	/* 2 CPUs. */
	assert_near(json_number(text, "cpus", 1), 2);
	assert_near(json_number(text, "wall_mean", 1), TWO_MEAN);
	assert_near(json_number(text, "speedup", 1), speedup);
	assert_near(json_number(text, "speedup_min", 1), BASE_MEAN / 1.03);
	assert_near(json_number(text, "speedup_max", 1), BASE_MEAN / 1.0);
	assert_near(json_number(text, "ideal_speedup", 1), 2);
	assert_near(json_number(text, "efficiency", 1), speedup / 2);
	/* Means per run; CPUs utilized from task-clock over wall, per run. */
	assert_near(json_number(text, "user_mean", 1), (1.89 + 1.93 + 1.95) / 3);
	assert_near(json_number(text, "sys_mean", 1), 0.1);
	assert_near(json_number(text, "cpu_mean", 1), (1.99 + 2.03 + 2.05) / 3);
	assert_near(json_number(text, "cpus_utilized", 1),
		    (1.99 / 1.0 + 2.03 / 1.02 + 2.05 / 1.03) / 3);
	assert_near(json_number(text, "voluntary_switches", 1), 42);
	assert_near(json_number(text, "involuntary_switches", 1), 52);
	assert_near(json_number(text, "migrations", 1), 8);
	assert_near(json_number(text, "page_faults", 1), 1100);
	assert_near(json_number(text, "wall_outliers", 1), 0);
	free(m.text);
	scaling_release(&sc);
}

static void test_base_of_two_cpus(void **state)
{
	/* From 2 CPUs to 4: ideal 2x, and 4 CPUs twice as fast is 100%. */
	static const struct run_spec two[] = { { .wall_ms = 4000 } };
	static const struct run_spec four[] = { { .wall_ms = 2000 } };
	static const struct run_spec eight[] = { { .wall_ms = 1700 } };
	static const struct variant_spec vs[] = {
		{ 4, "4 CPUs", "0-3", four, 1 },
		{ 2, "2 CPUs", "0-1", two, 1 },
		{ 8, "8 CPUs", "0-7", eight, 1 },
	};
	struct scaling sc;
	struct memout m;
	const char *text;

	(void)state;
	study(&sc, vs, 3, 0, NULL);
	assert_int_equal(sc.v[0].nr_cpus, 2);
	assert_int_equal(sc.v[1].nr_cpus, 4);
	assert_int_equal(sc.v[2].nr_cpus, 8);
	memout_open(&m);
	scaling_print(m.f, &sc);
	text = memout_close(&m);
	assert_contains(text, "speedup over 2 CPUs");
	assert_contains(text, "4 CPUs: 2.00x of ideal 2x (100% efficient)");
	assert_contains(text, "8 CPUs: 2.35x of ideal 4x (59% efficient)");
	/* One run each: no spread to show. */
	assert_contains(text, "1 run each");
	free(m.text);
	scaling_release(&sc);
}

static void test_is_study(void **state)
{
	static const struct run_spec runs[] = { { .wall_ms = 1000 } };
	static const struct variant_spec same[] = {
		{ 2, "2 CPUs", "0-1", runs, 1 },
		{ 2, "2 CPUs", "2-3", runs, 1 },
	};
	static const struct variant_spec mixed[] = {
		{ 0, "unpinned", "", runs, 1 },
		{ 2, "2 CPUs", "0-1", runs, 1 },
	};
	struct scaling sc;
	int fd;

	(void)state;
	/* One variant: no speedup to tell. */
	study(&sc, two_variants, 1, WITH_ALL, NULL);
	assert_int_equal(sc.nr, 1);
	assert_false(scaling_is_study(&sc));
	scaling_release(&sc);

	/* Two files without variants: variant 0 each, not pinned. */
	scaling_init(&sc);
	fd = write_file(two_variants, 1, 0, WITH_ALL, "fork");
	add_variant(&sc, fd, -1, REC_DONE);
	close(fd);
	fd = write_file(two_variants, 1, 0, WITH_ALL, NULL);
	add_variant(&sc, fd, -1, REC_DONE);
	close(fd);
	assert_int_equal(sc.nr, 2);
	assert_int_equal(sc.v[0].nr_cpus, 0);
	assert_int_equal(sc.v[1].nr_cpus, 0);
	/* Named by the recording's label, else by its file. */
	assert_string_equal(sc.v[0].label, "fork");
	assert_string_equal(sc.v[1].label, "bench");
	assert_string_equal(sc.v[0].cpus, "");
	assert_string_equal(sc.v[0].command, "./bench --size 10");
	assert_int_equal(sc.v[0].nr_runs, 3);
	assert_false(scaling_is_study(&sc));
	scaling_release(&sc);

	/* The same CPU count twice. */
	study(&sc, same, 2, 0, NULL);
	assert_false(scaling_is_study(&sc));
	scaling_release(&sc);

	/* One pinned, one not. */
	study(&sc, mixed, 2, 0, NULL);
	assert_false(scaling_is_study(&sc));
	scaling_release(&sc);

	/* Two counts, pinned: a study. */
	study(&sc, two_variants, 2, 0, NULL);
	assert_true(scaling_is_study(&sc));
	scaling_release(&sc);
}

static void test_cut_off_run(void **state)
{
	/* 2 CPUs' last run is cut off: counted 0.2 s so far, no RUN_END.
	 * Not static: C takes no other object's element as a constant. */
	const struct run_spec cut[] = {
		two_cpus[1], two_cpus[2],
		{ .wall_ms = 200, .cut_off = 1, .task_clock_ms = 300,
		  .migrations = 1, .faults = 10 },
	};
	const struct variant_spec vs[] = {
		two_variants[0], { 2, "2 CPUs", "0-1", cut, 3 },
	};
	struct scaling sc;
	struct memout m;
	const char *text;
	const struct scaling_variant *v;

	(void)state;
	study(&sc, vs, 2, WITH_ALL, NULL);
	v = &sc.v[1];
	assert_int_equal(v->nr_runs, 3);
	assert_near(v->wall[0], 1.0);
	assert_nan(v->wall[2]);
	assert_nan(v->user[2]);
	assert_nan(v->sys[2]);
	assert_nan(v->cpu[2]);
	assert_nan(v->vcsw[2]);
	assert_nan(v->ivcsw[2]);
	assert_nan(v->migrations[2]);
	assert_nan(v->faults[2]);

	memout_open(&m);
	scaling_print(m.f, &sc);
	text = memout_close(&m);
	/* The speedup of the two runs that ended: 2 / 1.01. */
	assert_contains(text, "1.98x");
	assert_contains(text, "2/3");
	assert_contains(text, "2 CPUs: 1 of 3 runs has no end (cut off): left out");
	free(m.text);

	memout_open(&m);
	{
		struct json_writer w;

		json_writer_init(&w, m.f);
		json_begin_object(&w, NULL);
		scaling_json(&w, &sc);
		json_end_object(&w);
	}
	text = memout_close(&m);
	assert_near(json_number(text, "runs", 1), 3);
	assert_near(json_number(text, "runs_known", 1), 2);
	assert_near(json_number(text, "wall_mean", 1), 1.01);
	free(m.text);
	scaling_release(&sc);
}

static void test_base_unknown(void **state)
{
	/* Every run of the base was cut off: no speedup anywhere. */
	static const struct run_spec cut[] = {
		{ .wall_ms = 500, .cut_off = 1, .task_clock_ms = 500 },
	};
	const struct variant_spec vs[] = {
		{ 1, "1 CPU", "0", cut, 1 }, two_variants[1],
	};
	struct scaling sc;
	struct memout m;
	const char *text;

	(void)state;
	study(&sc, vs, 2, WITH_ALL, NULL);
	assert_true(scaling_is_study(&sc));
	memout_open(&m);
	scaling_print(m.f, &sc);
	text = memout_close(&m);
	assert_contains(text, "2 CPUs: no speedup: no run of the base has a known wall time");
	assert_contains(text, "-: not known");
	free(m.text);
	scaling_release(&sc);
}

static void test_fallbacks(void **state)
{
	struct scaling sc;
	struct memout m;
	struct json_writer w;
	const char *text;
	const struct scaling_variant *v;

	(void)state;
	/* No counters at all: faults from rusage, no migrations, no
	 * task-clock; CPUs utilized from rusage user + system. */
	study(&sc, two_variants, 2, 0, NULL);
	v = &sc.v[1];
	assert_near(v->faults[0], 1100);
	assert_near(sc.v[0].faults[0], 1002);    /* minor + major */
	assert_nan(v->migrations[0]);
	assert_nan(v->cpu[0]);
	memout_open(&m);
	json_writer_init(&w, m.f);
	json_begin_object(&w, NULL);
	scaling_json(&w, &sc);
	json_end_object(&w);
	text = memout_close(&m);
	assert_near(json_number(text, "cpus_utilized", 1),
		    (1.99 / 1.0 + 2.03 / 1.02 + 2.05 / 1.03) / 3);
	assert_nan(json_number(text, "cpu_mean", 1));
	assert_nan(json_number(text, "migrations", 1));
	free(m.text);
	scaling_release(&sc);
}

/* ---- text ---- */

static void test_print_table(void **state)
{
	struct scaling sc;
	struct memout m;
	const char *text;

	(void)state;
	study(&sc, two_variants, 2, WITH_ALL, NULL);
	memout_open(&m);
	scaling_print(m.f, &sc);
	text = memout_close(&m);
	assert_contains(text, " Scaling of './bench --size 10' over 1, 2 CPUs, 3 runs each");
	assert_contains(text, "speedup over 1 CPU");
	/* Base: 2.0000 s, +- 2.89% (0.1 / sqrt 3 / 2), 1x of 1x. */
	assert_contains(text, "2.0000");
	assert_contains(text, "+- 2.89%");
	assert_contains(text, "0.95-1.05");
	assert_contains(text, "100.0%");
	/* 2 CPUs: 1.0167 s, 1.97x (1.94 to 2.00), 98.4%. */
	assert_contains(text, "1.0167");
	assert_contains(text, "1.97x");
	assert_contains(text, "1.94-2.00");
	assert_contains(text, "2.00x");
	assert_contains(text, "98.4%");
	/* Means per run: user, system, CPUs utilized, switches, faults. */
	assert_contains(text, "1.923");
	assert_contains(text, "0.100");
	assert_contains(text, "1,100");
	/* The verdict. */
	assert_contains(text, "  2 CPUs: 1.97x of ideal 2x (98% efficient)\n");
	assert_null(strstr(text, "1 CPU: "));
	assert_null(strstr(text, "not known"));
	assert_null(strstr(text, "*"));
	free(m.text);
	scaling_release(&sc);
}

static void test_print_outlier(void **state)
{
	/* Four runs of 1 s and one of 1.5 s: the last stands apart. */
	static const struct run_spec runs[] = {
		{ .wall_ms = 1000 }, { .wall_ms = 1000 }, { .wall_ms = 1010 },
		{ .wall_ms = 990 }, { .wall_ms = 1500 },
	};
	const struct variant_spec vs[] = {
		two_variants[0], { 2, "2 CPUs", "0-1", runs, 5 },
	};
	struct scaling sc;
	struct memout m;
	const char *text;

	(void)state;
	study(&sc, vs, 2, WITH_ALL, NULL);
	memout_open(&m);
	scaling_print(m.f, &sc);
	text = memout_close(&m);
	assert_contains(text, "5*");
	assert_contains(text, "* 2 CPUs: run 5 (1.5000 s) of 5 stands apart");
	assert_contains(text, "3-5 runs each");
	free(m.text);
	scaling_release(&sc);
}

static void test_print_not_study(void **state)
{
	struct scaling sc;
	struct memout m;
	struct json_writer w;

	(void)state;
	study(&sc, two_variants, 1, WITH_ALL, NULL);
	memout_open(&m);
	scaling_print(m.f, &sc);
	json_writer_init(&w, m.f);
	scaling_json(&w, &sc);
	assert_string_equal(memout_close(&m), "");
	free(m.text);
	scaling_release(&sc);
}

/* ---- charts ---- */

static int wrote, failed, failed_errno;

static void on_wrote(const char *path)
{
	(void)path;
	wrote++;
}

static void on_failed(const char *path, int err)
{
	(void)path;
	failed++;
	failed_errno = err;
}

static void output(struct chart_output *out, const char *dir, unsigned formats)
{
	*out = (struct chart_output){ .dir = dir, .formats = formats,
		.width = 800, .height = 450, .wrote = on_wrote,
		.failed = on_failed };
	wrote = failed = failed_errno = 0;
}

static void assert_png(const char *dir, const char *name, int width,
		       int height)
{
	char path[PATH_MAX];
	cairo_surface_t *png;

	scratch_join(path, sizeof(path), dir, name);
	png = cairo_image_surface_create_from_png(path);
	assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(png), width);
	assert_int_equal(cairo_image_surface_get_height(png), height);
	cairo_surface_destroy(png);
}

static void test_draw(void **state)
{
	const char *dir = *state;
	struct chart_output out;
	struct scaling sc;

	study(&sc, two_variants, 2, WITH_ALL, NULL);
	output(&out, dir, 1u << PLOT_PNG);
	assert_int_equal(scaling_draw(&out, &sc), 0);
	assert_int_equal(wrote, 2);
	assert_int_equal(failed, 0);
	assert_int_equal(out.failures, 0);
	assert_listing(dir, "scaling-counters.png scaling.png");
	assert_png(dir, "scaling.png", 800, 450);
	assert_png(dir, "scaling-counters.png", 800, 450);
	scaling_release(&sc);
}

static void test_draw_formats_and_gaps(void **state)
{
	/* No counters, the base cut off: every panel says why it is empty,
	 * in every format. */
	static const struct run_spec cut[] = {
		{ .wall_ms = 500, .cut_off = 1 },
	};
	const struct variant_spec vs[] = {
		{ 1, "1 CPU", "0", cut, 1 }, two_variants[1],
	};
	const char *dir = *state;
	struct chart_output out;
	struct scaling sc;

	study(&sc, vs, 2, 0, NULL);
	output(&out, dir, (1u << PLOT_PNG) | (1u << PLOT_SVG) | (1u << PLOT_PDF));
	out.width = 1600;
	out.height = 900;
	assert_int_equal(scaling_draw(&out, &sc), 0);
	assert_int_equal(wrote, 6);
	assert_int_equal(failed, 0);
	assert_listing(dir, "scaling-counters.pdf scaling-counters.png "
			    "scaling-counters.svg scaling.pdf scaling.png "
			    "scaling.svg");
	assert_png(dir, "scaling.png", 1600, 900);
	scaling_release(&sc);
}

static void test_draw_not_study(void **state)
{
	const char *dir = *state;
	struct chart_output out;
	struct scaling sc;

	/* One variant: nothing drawn, nothing refused. */
	study(&sc, two_variants, 1, WITH_ALL, NULL);
	output(&out, dir, 1u << PLOT_PNG);
	assert_int_equal(scaling_draw(&out, &sc), 0);
	assert_int_equal(wrote, 0);
	assert_int_equal(failed, 0);
	assert_listing(dir, "");
	scaling_release(&sc);
}

static void test_draw_failure(void **state)
{
	const char *dir = *state;
	char missing[PATH_MAX];
	struct chart_output out;
	struct scaling sc;

	study(&sc, two_variants, 2, WITH_ALL, NULL);
	scratch_join(missing, sizeof(missing), dir, "missing");
	output(&out, missing, 1u << PLOT_PNG);
	/* A chart that cannot be written is told and counted, not fatal. */
	assert_int_equal(scaling_draw(&out, &sc), 0);
	assert_int_equal(wrote, 0);
	assert_int_equal(failed, 2);
	assert_int_equal(failed_errno, ENOENT);
	assert_int_equal(out.failures, 2);
	assert_listing(dir, "");
	scaling_release(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_figures_per_run),
		cmocka_unit_test(test_speedup_and_efficiency),
		cmocka_unit_test(test_base_of_two_cpus),
		cmocka_unit_test(test_is_study),
		cmocka_unit_test(test_cut_off_run),
		cmocka_unit_test(test_base_unknown),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_print_table),
		cmocka_unit_test(test_print_outlier),
		cmocka_unit_test(test_print_not_study),
		cmocka_unit_test_setup_teardown(test_draw, scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_draw_formats_and_gaps,
						scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_draw_not_study,
						scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_draw_failure,
						scratch_dir_setup,
						scratch_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

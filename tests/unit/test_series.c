/*
 * test_series.c - unit tests of a recording's time series
 * (report/series.c): the rate of a counter between two readings, and the
 * envelopes folded from the COUNTS, PROCS, MEM and TASK records of the
 * charted run (the first that is not a warm-up).
 *
 * Recordings are written with the real rec_writer into a memfd and read
 * back with summary_read_with(), as `pprobe report --png` reads them, so
 * these tests hold the series to the format library as it is. Buckets
 * start 1 ms wide: with a cap larger than the run's length in ms, bucket
 * i holds what the series put in [i, i + 1) ms from the run's begin, and
 * a test reads a rate back at the middle of the interval it was measured
 * on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "charts.h"
#include "envelope.h"
#include "memory_series.h"
#include "recfile.h"
#include "series.h"
#include "summary.h"

#define MS 1000000ull
#define T0 5000000000ull        /* RUN_BEGIN of the first run */
#define AT(ms) (T0 + (uint64_t)(ms) * MS)
#define MIB (1ull << 20)
/* Enough 1 ms buckets for every run here: no width doubles. */
#define CAP 4096

enum {
	EV_TASK_CLOCK = 1,
	EV_CS = 2,
	EV_CYCLES = 3,
	EV_INSTRUCTIONS = 4,
	EV_CPU_CLOCK = 5,
};

/* Rates are compared to a relative 1e-9: a rate is a quotient of
 * doubles, not always the exact decimal a test writes. */
#define assert_near(got, expect) \
	do { \
		double g_ = (got), e_ = (expect); \
		if (!(fabs(g_ - e_) <= 1e-9 * fmax(1.0, fabs(e_)))) \
			fail_msg("%s is %.12g, expected %.12g", #got, g_, e_); \
	} while (0)

/* ---- series_counter_rate() ---- */

static struct series_reading reading(uint64_t t_ms, uint64_t value,
				     uint64_t enabled_ms, uint64_t running_ms)
{
	return (struct series_reading){
		.present = 1, .time_ns = t_ms * MS, .value = value,
		.enabled_ns = enabled_ms * MS, .running_ns = running_ms * MS,
	};
}

static void test_rate_plain(void **state)
{
	struct series_reading prev = reading(1000, 1000, 1000, 1000);
	struct series_reading cur = reading(2000, 3000, 2000, 2000);
	double rate = -7;

	(void)state;
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), 0);
	assert_near(rate, 2000);
	/* Half a second: twice the rate. */
	cur = reading(1500, 2000, 1500, 1500);
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), 0);
	assert_near(rate, 2000);
}

static void test_rate_multiplexed(void **state)
{
	/* Enabled 1 s, on the PMU 0.5 s of it: the 1000 counted are
	 * scaled to 2000 over that interval alone. */
	struct series_reading prev = reading(1000, 1000, 1000, 500);
	struct series_reading cur = reading(2000, 2000, 2000, 1000);
	double rate = -7;

	(void)state;
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), 0);
	assert_near(rate, 2000);
	/* Fully counted in the next interval: no scaling left over from
	 * the cumulative times (2000 enabled, 1000 running). */
	prev = cur;
	cur = reading(3000, 2500, 3000, 2000);
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), 0);
	assert_near(rate, 500);
}

static void test_rate_not_enabled(void **state)
{
	/* Value and enabled time unchanged: the tree did not run (a
	 * cgroup's counter runs only while a task of it does). */
	struct series_reading prev = reading(1000, 5000, 1000, 1000);
	struct series_reading cur = reading(2000, 5000, 1000, 1000);
	double rate = -7;

	(void)state;
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), 0);
	assert_true(rate == 0);
}

static void test_rate_not_running(void **state)
{
	/* Enabled over the interval but never on the PMU: unknown, not 0. */
	struct series_reading prev = reading(1000, 5000, 1000, 500);
	struct series_reading cur = reading(2000, 5000, 2000, 500);
	double rate = -7;

	(void)state;
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), -1);
	cur.value = 6000;
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), -1);
}

static void test_rate_time_not_moving(void **state)
{
	struct series_reading prev = reading(1000, 1000, 1000, 1000);
	struct series_reading cur = reading(1000, 2000, 1000, 1000);
	double rate;

	(void)state;
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), -1);
	cur.time_ns = prev.time_ns - 1;
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), -1);
}

static void test_rate_backwards(void **state)
{
	struct series_reading prev = reading(1000, 5000, 1000, 1000);
	struct series_reading cur = reading(2000, 4999, 2000, 2000);
	double rate;

	(void)state;
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), -1);
}

static void test_rate_no_previous(void **state)
{
	struct series_reading prev = { 0 };
	struct series_reading cur = reading(2000, 3000, 2000, 2000);
	double rate;

	(void)state;
	assert_int_equal(series_counter_rate(&prev, &cur, &rate), -1);
	assert_int_equal(series_counter_rate(&cur, &prev, &rate), -1);
}

/* ---- recordings ---- */

struct recording {
	int fd;
	struct rec_writer w;
};

static void recording_start(struct recording *r)
{
	r->fd = memfd_create("test_series", MFD_CLOEXEC);
	assert_true(r->fd >= 0);
	assert_int_equal(rec_writer_init(&r->w, r->fd), 0);
}

/*
 * Ends the file and reads it into sum and s (a series of `cap` buckets),
 * which the caller releases.
 */
static void recording_read(struct recording *r, struct summary *sum,
			   struct series *s, size_t cap)
{
	assert_int_equal(rec_write_end(&r->w, AT(100000)), 0);
	assert_int_equal(rec_writer_flush(&r->w), 0);
	rec_writer_release(&r->w);
	assert_int_equal(lseek(r->fd, 0, SEEK_SET), 0);
	assert_int_equal(summary_init(sum, "test.data"), 0);
	series_init(s, cap);
	assert_int_equal(summary_read_with(sum, r->fd, series_add, s), REC_DONE);
	close(r->fd);
}

static void release(struct summary *sum, struct series *s)
{
	series_release(s);
	summary_release(sum);
}

static void write_event(struct rec_writer *w, uint32_t id, const char *name,
			const char *unit, uint32_t status)
{
	struct rec_event e = {
		.id = id, .group = 0, .status = status,
		.error = status == REC_EVENT_OPENED ? 0 : ENOENT,
		.name = name, .unit = unit,
	};

	assert_int_equal(rec_write_event(w, &e), 0);
}

static void write_run_begin(struct rec_writer *w, uint32_t run, uint64_t t,
			    uint32_t flags)
{
	struct rec_run_begin b = {
		.time_ns = t, .run = run, .pid = 100, .flags = flags,
	};

	assert_int_equal(rec_write_run_begin(w, &b), 0);
}

static void write_run_end(struct rec_writer *w, uint32_t run, uint64_t t)
{
	struct rec_run_end e = {
		.time_ns = t, .run = run, .pid = 100,
		.exit_kind = REC_EXIT_NORMAL,
	};

	assert_int_equal(rec_write_run_end(w, &e), 0);
}

/* One COUNTS entry, counted all the time it was enabled. */
static struct rec_count counted(uint32_t id, uint64_t value,
				uint64_t enabled_ns)
{
	return (struct rec_count){ id, value, enabled_ns, enabled_ns };
}

/* A COUNTS of task-clock at `cpus` thousandths of a CPU since begin. */
static void write_cpu(struct rec_writer *w, uint32_t run, uint64_t begin,
		      uint64_t ms, uint64_t milli_cpus)
{
	struct rec_count c = counted(EV_TASK_CLOCK, ms * MS * milli_cpus / 1000,
				     ms * MS);

	assert_int_equal(rec_write_counts(w, begin + ms * MS, run, 0, &c, 1), 0);
}

static void write_task(struct rec_writer *w, uint64_t t, uint32_t kind,
		       uint32_t pid, uint32_t tid, uint32_t ppid,
		       const char *comm)
{
	struct rec_task task = {
		.time_ns = t, .kind = kind, .pid = pid, .tid = tid,
		.ppid = ppid, .ptid = ppid, .comm = comm,
	};

	assert_int_equal(rec_write_task(w, &task), 0);
}

/* A PROCS entry with CPU times, faults and context switches. */
static struct rec_proc proc(uint32_t pid, uint64_t user_ms, uint64_t sys_ms,
			    uint64_t minflt, uint64_t nvcsw)
{
	return (struct rec_proc){
		.pid = pid,
		.have = REC_PROC_HAVE_CPU | REC_PROC_HAVE_FAULTS |
			REC_PROC_HAVE_CTXSW,
		.utime_ns = user_ms * MS, .stime_ns = sys_ms * MS,
		.minflt = minflt, .nvcsw = nvcsw,
	};
}

static void write_procs(struct rec_writer *w, uint64_t t,
			const struct rec_proc *p, uint32_t nr)
{
	assert_int_equal(rec_write_procs(w, t, 0, p, nr), 0);
}

static void write_mem(struct rec_writer *w, uint32_t run, uint64_t t,
		      uint32_t backend, uint64_t current, uint64_t peak,
		      uint32_t flags)
{
	struct rec_mem m = {
		.time_ns = t, .run = run, .backend = backend,
		.current_bytes = current, .peak_bytes = peak, .flags = flags,
	};

	assert_int_equal(rec_write_mem(w, &m), 0);
}

/* The bucket of series `kind` at `ms` from the run's begin. */
static const struct envelope_bucket *bucket_at(const struct series *s,
					       enum series_kind kind,
					       uint64_t ms)
{
	const struct envelope *e = &s->env[kind];
	uint64_t t = s->begin_ns + ms * MS;
	size_t i;

	assert_true(t >= e->origin_ns);
	i = (size_t)((t - e->origin_ns) / e->width_ns);
	if (i >= e->nr)
		fail_msg("series %d has %zu buckets, none at %llu ms", kind,
			 e->nr, (unsigned long long)ms);
	return &e->buckets[i];
}

/* The mean of that bucket, which must have readings. */
static double mean_at(const struct series *s, enum series_kind kind,
		      uint64_t ms)
{
	const struct envelope_bucket *b = bucket_at(s, kind, ms);

	if (!b->n)
		fail_msg("series %d has no reading at %llu ms", kind,
			 (unsigned long long)ms);
	return envelope_bucket_mean(b);
}

static void assert_all_empty(const struct series *s)
{
	for (size_t k = 0; k < SERIES_KINDS; k++)
		if (s->env[k].readings)
			fail_msg("series %zu has %llu readings", k,
				 (unsigned long long)s->env[k].readings);
}

/* ---- COUNTS: CPUs in use ---- */

static void test_cpu_total(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	const struct envelope *e;

	(void)state;
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	for (uint64_t ms = 10; ms <= 1000; ms += 10)
		write_cpu(&r.w, 0, T0, ms, 1500);
	write_run_end(&r.w, 0, AT(1000) + 1);
	recording_read(&r, &sum, &s, CAP);

	assert_true(s.active);
	assert_false(s.done);
	assert_int_equal(s.run, 0);
	assert_true(s.begin_ns == T0);
	assert_true(s.last_ns == AT(1000) + 1);    /* RUN_END's time */
	assert_ptr_equal(series_run(&s, &sum), &sum.runs[0]);
	assert_near(series_seconds(&s, AT(250)), 0.25);
	assert_int_equal(s.cpu_event, 0);

	e = &s.env[SERIES_CPU_TOTAL];
	assert_true(e->origin_ns == T0);
	assert_true(e->width_ns == MS);
	assert_near(e->min, 1.5);
	assert_near(e->max, 1.5);
	/* From the first reading to the last, every 1 ms bucket has the
	 * rate: nothing between two readings is left out. */
	assert_int_equal(e->nr, 1001);
	for (size_t i = 10; i <= 1000; i++) {
		if (!e->buckets[i].n)
			fail_msg("no reading in bucket %zu", i);
		assert_near(envelope_bucket_mean(&e->buckets[i]), 1.5);
		assert_near(e->buckets[i].min, 1.5);
		assert_near(e->buckets[i].max, 1.5);
	}
	/* Nothing else was recorded. */
	assert_int_equal(s.env[SERIES_CPU_USER].readings, 0);
	assert_int_equal(s.env[SERIES_CTXSW].readings, 0);
	assert_int_equal(s.env[SERIES_IPC].readings, 0);
	assert_int_equal(s.nr_markers, 0);
	release(&sum, &s);
}

static void test_rate_spread_over_interval(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	const struct envelope *e;
	size_t filled = 0;

	(void)state;
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	write_cpu(&r.w, 0, T0, 100, 1500);
	write_cpu(&r.w, 0, T0, 200, 1500);
	recording_read(&r, &sum, &s, CAP);

	/* Two 100 ms intervals (the first from the run's begin, where the
	 * counters start at 0), 1 ms buckets: each rate is drawn flat over
	 * its interval, in every bucket it covers, not at its end only. */
	e = &s.env[SERIES_CPU_TOTAL];
	for (size_t i = 0; i < e->nr; i++) {
		if (!e->buckets[i].n)
			continue;
		filled++;
		assert_true(i <= 200);
		if (i > 100) {
			assert_near(e->buckets[i].min, 1.5);
			assert_near(e->buckets[i].max, 1.5);
		}
	}
	assert_in_range(filled, 200, 201);
	for (size_t i = 101; i < 200; i++)
		assert_true(e->buckets[i].n > 0);
	release(&sum, &s);
}

static void test_rate_bounded(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	const struct envelope *e;

	(void)state;
	/* 10 s at 10 ms into 64 buckets: the width doubles to 256 ms
	 * (64 x 128 ms is less than 10 s), and every bucket still holds
	 * the one rate. */
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	for (uint64_t ms = 10; ms <= 10000; ms += 10)
		write_cpu(&r.w, 0, T0, ms, 1500);
	recording_read(&r, &sum, &s, 64);

	e = &s.env[SERIES_CPU_TOTAL];
	assert_true(e->width_ns == 256 * MS);
	assert_int_equal(e->nr, 40);
	for (size_t i = 0; i < e->nr; i++) {
		assert_true(e->buckets[i].n > 0);
		assert_near(e->buckets[i].min, 1.5);
		assert_near(e->buckets[i].max, 1.5);
	}
	/* At most one reading per bucket an interval spans, plus its end. */
	assert_true(e->readings <= 999 * 12);
	release(&sum, &s);
}

static void test_cpu_clock_fallback(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	struct rec_count c;

	(void)state;
	/* task-clock could not be opened: cpu-clock measures the CPUs. */
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns",
		    REC_EVENT_NOT_SUPPORTED);
	write_event(&r.w, EV_CPU_CLOCK, "cpu-clock", "ns", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	c = counted(EV_CPU_CLOCK, 200 * MS, 100 * MS);
	assert_int_equal(rec_write_counts(&r.w, AT(100), 0, 0, &c, 1), 0);
	c = counted(EV_CPU_CLOCK, 400 * MS, 200 * MS);
	assert_int_equal(rec_write_counts(&r.w, AT(200), 0, 0, &c, 1), 0);
	recording_read(&r, &sum, &s, CAP);

	assert_int_equal(s.cpu_event, 1);
	assert_near(mean_at(&s, SERIES_CPU_TOTAL, 150), 2.0);
	release(&sum, &s);
}

static void test_event_missing_from_a_record(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	struct rec_count c[2];

	(void)state;
	/* task-clock is missing from the COUNTS at 200 ms: its rate at
	 * 300 ms is over the 200 ms since its previous reading. */
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_event(&r.w, EV_CS, "context-switches", "", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	c[0] = counted(EV_TASK_CLOCK, 150 * MS, 100 * MS);
	c[1] = counted(EV_CS, 10, 100 * MS);
	assert_int_equal(rec_write_counts(&r.w, AT(100), 0, 0, c, 2), 0);
	c[0] = counted(EV_CS, 30, 200 * MS);
	assert_int_equal(rec_write_counts(&r.w, AT(200), 0, 0, c, 1), 0);
	c[0] = counted(EV_TASK_CLOCK, 350 * MS, 300 * MS);
	c[1] = counted(EV_CS, 40, 300 * MS);
	assert_int_equal(rec_write_counts(&r.w, AT(300), 0, 0, c, 2), 0);
	recording_read(&r, &sum, &s, CAP);

	assert_near(mean_at(&s, SERIES_CPU_TOTAL, 150), 1.0);
	assert_near(mean_at(&s, SERIES_CPU_TOTAL, 250), 1.0);
	assert_near(mean_at(&s, SERIES_CTXSW, 150), 200);
	assert_near(mean_at(&s, SERIES_CTXSW, 250), 100);
	release(&sum, &s);
}

/* ---- COUNTS: instructions per cycle ---- */

static void write_ipc(struct rec_writer *w, uint64_t ms, uint64_t cycles,
		      uint64_t cycles_running_ms, uint64_t instructions)
{
	struct rec_count c[2] = {
		{ EV_CYCLES, cycles, ms * MS, cycles_running_ms * MS },
		counted(EV_INSTRUCTIONS, instructions, ms * MS),
	};

	assert_int_equal(rec_write_counts(w, AT(ms), 0, 0, c, 2), 0);
}

static void test_ipc(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;

	(void)state;
	recording_start(&r);
	write_event(&r.w, EV_CYCLES, "cycles", "", REC_EVENT_OPENED);
	write_event(&r.w, EV_INSTRUCTIONS, "instructions", "", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	write_ipc(&r.w, 100, 1000000, 100, 2000000);
	write_ipc(&r.w, 200, 3000000, 200, 5000000);   /* 3M / 2M */
	write_ipc(&r.w, 300, 4000000, 300, 5500000);   /* 0.5M / 1M */
	/* cycles enabled but not running from 300 to 400 ms: no IPC. */
	write_ipc(&r.w, 400, 4000000, 300, 6000000);
	write_ipc(&r.w, 500, 5000000, 400, 7000000);   /* 1M / 1M */
	recording_read(&r, &sum, &s, CAP);

	assert_int_equal(s.cycles_event, 0);
	assert_int_equal(s.instructions_event, 1);
	assert_near(mean_at(&s, SERIES_IPC, 150), 1.5);
	assert_near(mean_at(&s, SERIES_IPC, 250), 0.5);
	assert_int_equal(bucket_at(&s, SERIES_IPC, 350)->n, 0);
	assert_near(mean_at(&s, SERIES_IPC, 450), 1.0);
	release(&sum, &s);
}

/* ---- PROCS ---- */

static void test_procs(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	struct rec_proc p[2];

	(void)state;
	recording_start(&r);
	write_run_begin(&r.w, 0, T0, 0);
	p[0] = proc(100, 50, 10, 10, 5);
	write_procs(&r.w, AT(100), p, 1);
	/* 200 appears: it counts from 0, its birth after the begin. */
	p[0] = proc(100, 100, 20, 30, 10);
	p[1] = proc(200, 30, 0, 5, 1);
	write_procs(&r.w, AT(200), p, 2);
	/* 200 is idle and skipped from one pass... */
	p[0] = proc(100, 150, 30, 40, 15);
	write_procs(&r.w, AT(300), p, 1);
	/* ... and its work since 200 ms comes with the next. */
	p[0] = proc(100, 200, 40, 50, 20);
	p[1] = proc(200, 70, 0, 25, 3);
	write_procs(&r.w, AT(400), p, 2);
	recording_read(&r, &sum, &s, CAP);

	assert_true(s.has_procs);
	assert_false(s.attached);
	assert_near(mean_at(&s, SERIES_CPU_USER, 50), 0.5);
	assert_near(mean_at(&s, SERIES_CPU_USER, 150), 0.8);
	assert_near(mean_at(&s, SERIES_CPU_USER, 250), 0.5);
	assert_near(mean_at(&s, SERIES_CPU_USER, 350), 0.9);
	for (uint64_t ms = 50; ms < 400; ms += 100)
		assert_near(mean_at(&s, SERIES_CPU_SYS, ms), 0.1);
	assert_near(mean_at(&s, SERIES_PROC_MINFLT, 50), 100);
	assert_near(mean_at(&s, SERIES_PROC_MINFLT, 150), 250);
	assert_near(mean_at(&s, SERIES_PROC_MINFLT, 250), 100);
	assert_near(mean_at(&s, SERIES_PROC_MINFLT, 350), 300);
	assert_near(mean_at(&s, SERIES_PROC_VOLUNTARY, 50), 50);
	assert_near(mean_at(&s, SERIES_PROC_VOLUNTARY, 150), 60);
	assert_near(mean_at(&s, SERIES_PROC_VOLUNTARY, 250), 50);
	assert_near(mean_at(&s, SERIES_PROC_VOLUNTARY, 350), 70);
	assert_near(mean_at(&s, SERIES_PROC_MAJFLT, 150), 0);
	/* No counters in this recording. */
	assert_int_equal(s.env[SERIES_CPU_TOTAL].readings, 0);
	release(&sum, &s);
}

static void test_procs_without_cpu(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	struct rec_proc p = { .pid = 100, .have = REC_PROC_HAVE_RSS,
			      .rss_bytes = MIB };

	(void)state;
	/* Entries with no CPU times make no CPU series (not a 0 one). */
	recording_start(&r);
	write_run_begin(&r.w, 0, T0, 0);
	write_procs(&r.w, AT(100), &p, 1);
	write_procs(&r.w, AT(200), &p, 1);
	recording_read(&r, &sum, &s, CAP);

	assert_true(s.has_procs);
	assert_all_empty(&s);
	release(&sum, &s);
}

static void test_procs_pid_reused(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	struct rec_proc p;

	(void)state;
	/* 100 ends and its pid is reused unseen: its figures go back. No
	 * negative rate, and the new process counts from there. */
	recording_start(&r);
	write_run_begin(&r.w, 0, T0, 0);
	p = proc(100, 50, 0, 0, 0);
	write_procs(&r.w, AT(100), &p, 1);
	p = proc(100, 20, 0, 0, 0);
	write_procs(&r.w, AT(200), &p, 1);
	p = proc(100, 70, 0, 0, 0);
	write_procs(&r.w, AT(300), &p, 1);
	recording_read(&r, &sum, &s, CAP);

	assert_near(mean_at(&s, SERIES_CPU_USER, 50), 0.5);
	assert_near(mean_at(&s, SERIES_CPU_USER, 150), 0);
	assert_near(mean_at(&s, SERIES_CPU_USER, 250), 0.5);
	assert_true(s.env[SERIES_CPU_USER].min >= 0);
	release(&sum, &s);
}

/* META of `record -p 100`. */
static void write_attach_meta(struct rec_writer *w)
{
	rec_meta_begin(w);
	rec_meta_u64(w, "attach_pid", 100);
	rec_meta_u64(w, "interval_ns", 100 * MS);
	assert_int_equal(rec_finish(w), 0);
}

static void test_procs_attached(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	struct rec_proc p;

	(void)state;
	/* 100 ran 5 s before the attach: that is not 50 CPUs in the first
	 * 100 ms. It counts from its first reading. */
	recording_start(&r);
	write_attach_meta(&r.w);
	write_run_begin(&r.w, 0, T0, 0);
	write_task(&r.w, AT(0), REC_TASK_PRESENT, 100, 100, 1, "server");
	p = proc(100, 5000, 1000, 900, 70);
	write_procs(&r.w, AT(100), &p, 1);
	p = proc(100, 5050, 1010, 910, 75);
	write_procs(&r.w, AT(200), &p, 1);
	recording_read(&r, &sum, &s, CAP);

	assert_int_equal(sum.nr_attach_pids, 1);
	assert_true(s.attached);
	assert_near(mean_at(&s, SERIES_CPU_USER, 50), 0);
	assert_near(mean_at(&s, SERIES_CPU_SYS, 50), 0);
	assert_near(mean_at(&s, SERIES_PROC_MINFLT, 50), 0);
	assert_near(mean_at(&s, SERIES_CPU_USER, 150), 0.5);
	assert_near(mean_at(&s, SERIES_CPU_SYS, 150), 0.1);
	assert_near(mean_at(&s, SERIES_PROC_MINFLT, 150), 100);
	assert_near(mean_at(&s, SERIES_PROC_VOLUNTARY, 150), 50);
	release(&sum, &s);
}

static void test_procs_attached_child(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	struct rec_proc p[2];

	(void)state;
	/*
	 * series.h: "a process seen for the first time counts from 0,
	 * unless it was running before an attach". 300 is forked by the
	 * attached process at 150 ms, after the attach: its 30 ms of user
	 * time by 200 ms are work of (100, 200] ms, as the process table
	 * (tree.c, by TASK PRESENT) counts them.
	 */
	recording_start(&r);
	write_attach_meta(&r.w);
	write_run_begin(&r.w, 0, T0, 0);
	write_task(&r.w, AT(0), REC_TASK_PRESENT, 100, 100, 1, "server");
	p[0] = proc(100, 5000, 1000, 900, 70);
	write_procs(&r.w, AT(100), p, 1);
	write_task(&r.w, AT(150), REC_TASK_FORK, 300, 300, 100, "");
	p[0] = proc(100, 5050, 1010, 910, 75);
	p[1] = proc(300, 30, 0, 20, 2);
	write_procs(&r.w, AT(200), p, 2);
	recording_read(&r, &sum, &s, CAP);

	assert_near(mean_at(&s, SERIES_CPU_USER, 50), 0);
	assert_near(mean_at(&s, SERIES_CPU_USER, 150), 0.8);
	assert_near(mean_at(&s, SERIES_PROC_MINFLT, 150), 300);
	release(&sum, &s);
}

/* ---- which run ---- */

static void test_warmup_and_second_run(void **state)
{
	const uint64_t t1 = T0 + 1000 * MS, t2 = T0 + 2000 * MS;
	struct recording r;
	struct summary sum;
	struct series s;
	struct rec_proc p = proc(11, 40, 0, 0, 0);
	const struct envelope *rss;

	(void)state;
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	/* Run 0, a warm-up: 4 CPUs, a process, memory. None of it. */
	write_run_begin(&r.w, 0, T0, REC_RUN_F_WARMUP);
	write_task(&r.w, AT(5), REC_TASK_FORK, 11, 11, 100, "");
	write_cpu(&r.w, 0, T0, 10, 4000);
	write_cpu(&r.w, 0, T0, 20, 4000);
	assert_int_equal(rec_write_procs(&r.w, AT(20), 0, &p, 1), 0);
	write_mem(&r.w, 0, AT(20), REC_MEM_RSS, 7 * MIB, 0, 0);
	write_run_end(&r.w, 0, AT(30));
	/* Run 1, charted: 1.5 CPUs. */
	write_run_begin(&r.w, 1, t1, 0);
	write_cpu(&r.w, 1, t1, 10, 1500);
	write_task(&r.w, t1 + 15 * MS, REC_TASK_FORK, 21, 21, 100, "");
	write_cpu(&r.w, 1, t1, 20, 1500);
	write_mem(&r.w, 1, t1 + 20 * MS, REC_MEM_RSS, 1 * MIB, 0, 0);
	write_cpu(&r.w, 1, t1, 30, 1500);
	write_run_end(&r.w, 1, t1 + 40 * MS);
	/* Run 2, measured too, but not charted: 3 CPUs. */
	write_run_begin(&r.w, 2, t2, 0);
	write_task(&r.w, t2 + 5 * MS, REC_TASK_FORK, 31, 31, 100, "");
	write_cpu(&r.w, 2, t2, 10, 3000);
	write_cpu(&r.w, 2, t2, 20, 3000);
	write_mem(&r.w, 2, t2 + 20 * MS, REC_MEM_RSS, 9 * MIB, 0, 0);
	write_run_end(&r.w, 2, t2 + 30 * MS);
	recording_read(&r, &sum, &s, CAP);

	assert_int_equal(sum.nr_runs, 3);
	assert_true(s.active);
	assert_true(s.done);
	assert_int_equal(s.run, 1);
	assert_true(s.begin_ns == t1);
	assert_true(s.last_ns == t1 + 40 * MS);
	assert_ptr_equal(series_run(&s, &sum), &sum.runs[1]);

	assert_true(s.env[SERIES_CPU_TOTAL].origin_ns == t1);
	assert_true(s.env[SERIES_CPU_TOTAL].readings > 0);
	assert_near(s.env[SERIES_CPU_TOTAL].min, 1.5);
	assert_near(s.env[SERIES_CPU_TOTAL].max, 1.5);
	assert_near(mean_at(&s, SERIES_CPU_TOTAL, 15), 1.5);
	assert_int_equal(s.env[SERIES_CPU_USER].readings, 0);
	assert_false(s.has_procs);

	rss = &s.env[SERIES_MEMORY + memory_backend_index(REC_MEM_RSS)];
	assert_int_equal(rss->readings, 1);
	assert_near(rss->max, (double)MIB);

	assert_int_equal(s.nr_markers, 1);
	assert_int_equal(s.markers_seen, 1);
	assert_int_equal(s.markers[0].pid, 21);
	release(&sum, &s);
}

static void test_only_warmup(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;

	(void)state;
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, REC_RUN_F_WARMUP);
	write_task(&r.w, AT(5), REC_TASK_FORK, 11, 11, 100, "");
	write_cpu(&r.w, 0, T0, 10, 1000);
	write_cpu(&r.w, 0, T0, 20, 1000);
	write_run_end(&r.w, 0, AT(30));
	recording_read(&r, &sum, &s, CAP);

	assert_false(s.active);
	assert_false(s.done);
	assert_null(series_run(&s, &sum));
	assert_all_empty(&s);
	assert_int_equal(s.markers_seen, 0);
	release(&sum, &s);
}

static void test_no_run(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;

	(void)state;
	/* A TASK before any run belongs to none. */
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_task(&r.w, AT(5), REC_TASK_FORK, 11, 11, 100, "");
	recording_read(&r, &sum, &s, CAP);

	assert_false(s.active);
	assert_null(series_run(&s, &sum));
	assert_all_empty(&s);
	assert_int_equal(s.markers_seen, 0);
	release(&sum, &s);
}

/* ---- MEM ---- */

static void test_memory(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	int rss = memory_backend_index(REC_MEM_RSS);
	int cgroup = memory_backend_index(REC_MEM_CGROUP);
	int rusage = memory_backend_index(REC_MEM_RUSAGE);
	int pss = memory_backend_index(REC_MEM_PSS);
	const struct envelope *e;

	(void)state;
	assert_true(rss >= 0 && cgroup >= 0 && rusage >= 0 && pss >= 0);
	recording_start(&r);
	write_run_begin(&r.w, 0, T0, 0);
	write_mem(&r.w, 0, AT(100), REC_MEM_RSS, 10 * MIB, 0, 0);
	write_mem(&r.w, 0, AT(150), REC_MEM_CGROUP, 15 * MIB, 16 * MIB,
		  REC_MEM_F_PEAK);
	write_mem(&r.w, 0, AT(200), REC_MEM_RSS, 20 * MIB, 0, 0);
	/* rusage has a peak and no current figure: nothing to draw. */
	write_mem(&r.w, 0, AT(300), REC_MEM_RUSAGE, 0, 30 * MIB,
		  REC_MEM_F_PEAK | REC_MEM_F_FINAL);
	/* A backend this report does not know is skipped. */
	write_mem(&r.w, 0, AT(300), 99, 5 * MIB, 0, 0);
	recording_read(&r, &sum, &s, CAP);

	e = &s.env[SERIES_MEMORY + rss];
	assert_int_equal(e->readings, 2);
	assert_near(e->min, 10.0 * MIB);
	assert_near(e->max, 20.0 * MIB);
	assert_near(mean_at(&s, SERIES_MEMORY + rss, 100), 10.0 * MIB);
	assert_near(mean_at(&s, SERIES_MEMORY + rss, 200), 20.0 * MIB);
	/* The cgroup's current figure, not its own peak. */
	e = &s.env[SERIES_MEMORY + cgroup];
	assert_int_equal(e->readings, 1);
	assert_near(e->max, 15.0 * MIB);
	assert_int_equal(s.env[SERIES_MEMORY + rusage].readings, 0);
	assert_int_equal(s.env[SERIES_MEMORY + pss].readings, 0);
	release(&sum, &s);
}

/* ---- CPU_COUNTS: each CPU's utilisation ---- */

/* The bucket of CPU cpu's envelope at `ms` from the run's begin. */
static const struct envelope_bucket *cpu_bucket_at(const struct series *s,
						   size_t cpu, uint64_t ms)
{
	const struct envelope *e;
	uint64_t t = s->begin_ns + ms * MS;
	size_t i;

	if (cpu >= s->nr_cpu_env)
		fail_msg("no envelope of CPU %zu (%zu of them)", cpu, s->nr_cpu_env);
	e = &s->cpu_env[cpu];
	assert_true(t >= e->origin_ns);
	i = (size_t)((t - e->origin_ns) / e->width_ns);
	if (i >= e->nr)
		fail_msg("CPU %zu has %zu buckets, none at %llu ms", cpu, e->nr,
			 (unsigned long long)ms);
	return &e->buckets[i];
}

static double cpu_mean_at(const struct series *s, size_t cpu, uint64_t ms)
{
	const struct envelope_bucket *b = cpu_bucket_at(s, cpu, ms);

	if (!b->n)
		fail_msg("CPU %zu has no reading at %llu ms", cpu,
			 (unsigned long long)ms);
	return envelope_bucket_mean(b);
}

/*
 * A COUNTS and its CPU_COUNTS at `t` of run `run`: task-clock, in ms, on
 * each CPU of cpus[0..nr) (cumulative), and a context-switch count on
 * each that the series must not take for CPU time.
 */
static void write_per_cpu(struct rec_writer *w, uint32_t run, uint64_t t,
			  uint32_t flags, const uint32_t *cpus,
			  const uint64_t *task_clock_ms, uint32_t nr)
{
	struct rec_count total[2] = { counted(EV_TASK_CLOCK, 0, t - T0),
				      counted(EV_CS, 0, t - T0) };
	struct rec_count values[16];
	uint32_t on[16];

	assert_true(nr <= 8);
	for (uint32_t i = 0; i < nr; i++) {
		/* Enabled all the time on every CPU, as a per-CPU task
		 * counter is: the series must not scale by it. */
		values[2 * i] = (struct rec_count){ EV_TASK_CLOCK,
			task_clock_ms[i] * MS, t - T0, task_clock_ms[i] * MS };
		values[2 * i + 1] = (struct rec_count){ EV_CS, 1000 + i,
			t - T0, t - T0 };
		on[2 * i] = on[2 * i + 1] = cpus[i];
		total[0].value += task_clock_ms[i] * MS;
		total[1].value += 1000 + i;
	}
	assert_int_equal(rec_write_counts(w, t, run, flags, total, 2), 0);
	assert_int_equal(rec_write_cpu_counts(w, t, run, flags, values, on,
					      2 * nr), 0);
}

static void test_cpu_counts(void **state)
{
	static const uint32_t two[2] = { 0, 1 }, three[3] = { 0, 1, 2 };
	struct recording r;
	struct summary sum;
	struct series s;

	(void)state;
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_event(&r.w, EV_CS, "context-switches", "", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	/* (0, 100]: CPU 0 half busy, CPU 1 a quarter: from the begin. */
	write_per_cpu(&r.w, 0, AT(100), 0, two, (uint64_t[]){ 50, 25 }, 2);
	/* (100, 200]: CPU 0 all of it, CPU 1 idle. */
	write_per_cpu(&r.w, 0, AT(200), 0, two, (uint64_t[]){ 150, 25 }, 2);
	/* (200, 300]: CPU 2 comes (counted from 0 at 200 ms). */
	write_per_cpu(&r.w, 0, AT(300), 0, three,
		      (uint64_t[]){ 160, 75, 30 }, 3);
	/* The FINAL 10 us later is no interval: 5 ms more on CPU 0 in
	 * 10 us would be 500 CPUs. */
	write_per_cpu(&r.w, 0, AT(300) + 10000, REC_COUNTS_F_FINAL, three,
		      (uint64_t[]){ 165, 75, 30 }, 3);
	write_run_end(&r.w, 0, AT(301));
	recording_read(&r, &sum, &s, CAP);

	assert_int_equal(s.nr_cpu_env, 3);
	assert_int_equal(s.cpus_ignored, 0);
	assert_near(cpu_mean_at(&s, 0, 50), 0.5);
	assert_near(cpu_mean_at(&s, 1, 50), 0.25);
	assert_near(cpu_mean_at(&s, 0, 150), 1.0);
	assert_near(cpu_mean_at(&s, 1, 150), 0.0);
	assert_near(cpu_mean_at(&s, 0, 250), 0.1);
	assert_near(cpu_mean_at(&s, 1, 250), 0.5);
	assert_near(cpu_mean_at(&s, 2, 250), 0.3);
	/* Each rate is spread over its interval: every bucket has it. */
	for (uint64_t ms = 1; ms < 100; ms++)
		assert_near(cpu_mean_at(&s, 0, ms), 0.5);
	/* Nothing of CPU 2 before it came. */
	assert_int_equal(cpu_bucket_at(&s, 2, 150)->n, 0);
	assert_true(s.cpu_env[2].origin_ns == T0);
	/* Neither the FINAL nor the context switches are in it. */
	for (size_t k = 0; k < 3; k++)
		assert_true(s.cpu_env[k].max <= 1.0 + 1e-9);
	assert_near(s.cpu_env[0].max, 1.0);
	/* The series of the whole tree is as without per-CPU counts. */
	assert_near(mean_at(&s, SERIES_CPU_TOTAL, 50), 0.75);
	assert_near(mean_at(&s, SERIES_CPU_TOTAL, 150), 1.0);
	release(&sum, &s);
}

static void test_cpu_counts_which_run(void **state)
{
	static const uint32_t two[2] = { 0, 1 };
	const uint64_t t1 = T0 + 1000 * MS, t2 = T0 + 2000 * MS;
	struct recording r;
	struct summary sum;
	struct series s;

	(void)state;
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_event(&r.w, EV_CS, "context-switches", "", REC_EVENT_OPENED);
	/* A warm-up: all of both CPUs. None of it. */
	write_run_begin(&r.w, 0, T0, REC_RUN_F_WARMUP);
	write_per_cpu(&r.w, 0, AT(100), 0, two, (uint64_t[]){ 100, 100 }, 2);
	write_run_end(&r.w, 0, AT(100));
	/* The charted run: CPU 1 a fifth busy from 10 to 20 ms. */
	write_run_begin(&r.w, 1, t1, 0);
	write_per_cpu(&r.w, 1, t1 + 10 * MS, 0, two, (uint64_t[]){ 0, 0 }, 2);
	/* A late record of the warm-up (its run number): not this run's. */
	write_per_cpu(&r.w, 0, t1 + 15 * MS, 0, two, (uint64_t[]){ 900, 900 }, 2);
	write_per_cpu(&r.w, 1, t1 + 20 * MS, 0, two, (uint64_t[]){ 0, 2 }, 2);
	write_run_end(&r.w, 1, t1 + 20 * MS);
	/* A later run, measured, not charted. */
	write_run_begin(&r.w, 2, t2, 0);
	write_per_cpu(&r.w, 2, t2 + 10 * MS, 0, two, (uint64_t[]){ 10, 10 }, 2);
	write_run_end(&r.w, 2, t2 + 10 * MS);
	recording_read(&r, &sum, &s, CAP);

	assert_int_equal(s.run, 1);
	assert_int_equal(s.nr_cpu_env, 2);
	assert_true(s.cpu_env[0].origin_ns == t1);
	assert_near(cpu_mean_at(&s, 0, 5), 0);
	assert_near(cpu_mean_at(&s, 1, 5), 0);
	assert_near(cpu_mean_at(&s, 1, 15), 0.2);
	assert_near(s.cpu_env[0].max, 0);
	assert_near(s.cpu_env[1].max, 0.2);
	release(&sum, &s);
}

static void test_cpu_counts_without_cpu_time(void **state)
{
	static const uint32_t two[2] = { 0, 1 };
	struct recording r;
	struct summary sum;
	struct series s;

	(void)state;
	/* task-clock not opened: no per-CPU utilisation (the context
	 * switches per CPU are no CPU time). */
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns",
		    REC_EVENT_NOT_SUPPORTED);
	write_event(&r.w, EV_CS, "context-switches", "", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	{
		struct rec_count c[2] = { counted(EV_CS, 5, 100 * MS),
					  counted(EV_CS, 6, 100 * MS) };

		assert_int_equal(rec_write_counts(&r.w, AT(100), 0, 0, c, 1), 0);
		assert_int_equal(rec_write_cpu_counts(&r.w, AT(100), 0, 0, c,
						      two, 2), 0);
	}
	recording_read(&r, &sum, &s, CAP);

	assert_true(s.active);
	assert_int_equal(s.cpu_event, -1);
	assert_int_equal(s.nr_cpu_env, 0);
	assert_null(s.cpu_env);
	release(&sum, &s);
}

static void test_cpu_counts_many_cpus(void **state)
{
	static const uint32_t cpus[3] = { 0, SERIES_CPUS_MAX - 1,
					  SERIES_CPUS_MAX + 5000 };
	struct recording r;
	struct summary sum;
	struct series s;
	struct chart_recording c;

	(void)state;
	/* CPU 1023 is kept (1024 envelopes, of 256 buckets each for 1024
	 * CPUs); CPU 6024 is past SERIES_CPUS_MAX: ignored, and counted. */
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_event(&r.w, EV_CS, "context-switches", "", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	write_per_cpu(&r.w, 0, AT(100), 0, cpus, (uint64_t[]){ 10, 20, 30 }, 3);
	write_per_cpu(&r.w, 0, AT(200), 0, cpus, (uint64_t[]){ 20, 40, 60 }, 3);
	recording_read(&r, &sum, &s, CAP);

	assert_int_equal(s.nr_cpu_env, SERIES_CPUS_MAX);
	assert_int_equal(s.cpus_ignored, 2);
	assert_int_equal(s.cpu_env[0].cap, SERIES_CPU_BUCKETS / SERIES_CPUS_MAX);
	assert_near(cpu_mean_at(&s, 0, 150), 0.1);
	assert_near(cpu_mean_at(&s, SERIES_CPUS_MAX - 1, 150), 0.2);
	/* CPUs between were never named: empty, and cost no buckets. */
	assert_int_equal(s.cpu_env[1].readings, 0);
	assert_null(s.cpu_env[1].buckets);
	/* The chart is told how many were left out. */
	assert_int_equal(chart_recording_init(&c, &sum, &s, 0), 0);
	chart_recording_take_memory(&c, &s);
	assert_int_equal(c.cpus_ignored, 2);
	assert_int_equal(c.nr_cpu_env, SERIES_CPUS_MAX);
	assert_near(c.cpu_env[SERIES_CPUS_MAX - 1].max, 0.2);
	chart_recording_release(&c);
	release(&sum, &s);
}

static void test_cpu_counts_cap(void **state)
{
	static const uint32_t two[2] = { 0, 1 };
	struct recording r;
	struct summary sum;
	struct series s;

	(void)state;
	/* Two CPUs named, 2048 online (META): sized for 2048, as the
	 * others may come; and never more buckets than the series' cap. */
	recording_start(&r);
	rec_meta_begin(&r.w);
	rec_meta_u64(&r.w, "cpus_online", 2048);
	assert_int_equal(rec_finish(&r.w), 0);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_event(&r.w, EV_CS, "context-switches", "", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	write_per_cpu(&r.w, 0, AT(100), 0, two, (uint64_t[]){ 10, 20 }, 2);
	recording_read(&r, &sum, &s, CAP);
	assert_int_equal(s.cpus_expected, SERIES_CPUS_MAX);
	assert_int_equal(s.cpu_env[1].cap, SERIES_CPU_BUCKETS / SERIES_CPUS_MAX);
	release(&sum, &s);

	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_event(&r.w, EV_CS, "context-switches", "", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	write_per_cpu(&r.w, 0, AT(100), 0, two, (uint64_t[]){ 10, 20 }, 2);
	recording_read(&r, &sum, &s, 100);
	assert_int_equal(s.cpu_env[1].cap, 100);
	release(&sum, &s);
}

/* A VARIANT record: its label, and the CPUs it was pinned to. */
static void write_variant(struct rec_writer *w, uint32_t index,
			  const char *label, uint32_t nr_cpus, const char *cpus)
{
	static const char *const argv[] = { "threads", "2" };
	struct rec_variant v = {
		.variant = index, .nr_args = 2, .nr_cpus = nr_cpus,
		.label = label, .cpus = cpus,
	};

	assert_int_equal(rec_write_variant(w, &v, argv), 0);
}

/*
 * `pprobe scale --cpus 1,2 --label fork`: variant 0 on CPU 0, variant 1
 * on CPUs 0-1, a run each with per-CPU counts. Read keeping `variant`.
 */
static void read_scale(struct summary *sum, struct series *s,
		       uint32_t variant, const char *label)
{
	static const uint32_t two[2] = { 0, 1 };
	const uint64_t t1 = T0 + 1000 * MS;
	struct recording r;
	struct rec_run_begin b = { .time_ns = T0, .run = 0, .pid = 100 };

	recording_start(&r);
	if (label) {
		rec_meta_begin(&r.w);
		rec_meta_str(&r.w, "label", label);
		assert_int_equal(rec_finish(&r.w), 0);
	}
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_event(&r.w, EV_CS, "context-switches", "", REC_EVENT_OPENED);
	write_variant(&r.w, 0, "1 CPU", 1, "0");
	write_variant(&r.w, 1, "2 CPUs", 2, "0-1");
	assert_int_equal(rec_write_run_begin(&r.w, &b), 0);
	write_per_cpu(&r.w, 0, AT(100), 0, two, (uint64_t[]){ 100, 0 }, 2);
	write_per_cpu(&r.w, 0, AT(200), 0, two, (uint64_t[]){ 200, 0 }, 2);
	write_run_end(&r.w, 0, AT(200));
	b = (struct rec_run_begin){ .time_ns = t1, .run = 1, .pid = 101,
				    .variant = 1 };
	assert_int_equal(rec_write_run_begin(&r.w, &b), 0);
	write_per_cpu(&r.w, 1, t1 + 100 * MS, 0, two, (uint64_t[]){ 100, 80 }, 2);
	write_run_end(&r.w, 1, t1 + 100 * MS);
	assert_int_equal(rec_write_end(&r.w, AT(100000)), 0);
	assert_int_equal(rec_writer_flush(&r.w), 0);
	rec_writer_release(&r.w);
	assert_int_equal(lseek(r.fd, 0, SEEK_SET), 0);
	assert_int_equal(summary_init(sum, "scale.data"), 0);
	summary_only_variant(sum, variant);
	series_init(s, CAP);
	assert_int_equal(summary_read_with(sum, r.fd, series_add, s), REC_DONE);
	close(r.fd);
}

static void test_cpu_counts_variant(void **state)
{
	struct summary sum;
	struct series s;
	struct chart_recording c;

	(void)state;
	/* Variant 1 only: its run is charted (the other's is unseen), and
	 * the recording is named after it. */
	read_scale(&sum, &s, 1, "fork");
	assert_int_equal(s.run, 1);
	assert_int_equal(s.nr_cpu_env, 2);
	assert_near(cpu_mean_at(&s, 0, 50), 1.0);
	assert_near(cpu_mean_at(&s, 1, 50), 0.8);

	assert_int_equal(chart_recording_init(&c, &sum, &s, 3), 0);
	assert_string_equal(c.label, "fork: 2 CPUs");
	assert_string_equal(c.name, "fork__2_CPUs");
	assert_int_equal(c.pinned_cpus, 2);
	assert_string_equal(c.cpus, "0-1");
	assert_int_equal(c.index, 3);
	assert_near(c.duration, 0.1);
	assert_true(c.begin_ns == T0 + 1000 * MS);
	/* Still the series' until taken. */
	assert_null(c.cpu_env);
	chart_recording_take_memory(&c, &s);
	assert_int_equal(c.nr_cpu_env, 2);
	assert_near(c.cpu_env[1].max, 0.8);
	assert_int_equal(s.nr_cpu_env, 0);
	assert_null(s.cpu_env);
	release(&sum, &s);          /* the envelopes are c's now */
	assert_near(c.cpu_env[0].max, 1.0);
	chart_recording_release(&c);

	/* Without --label, the variant's own; the other variant. */
	read_scale(&sum, &s, 0, NULL);
	assert_int_equal(s.run, 0);
	assert_near(cpu_mean_at(&s, 0, 150), 1.0);
	assert_near(cpu_mean_at(&s, 1, 150), 0.0);
	assert_int_equal(chart_recording_init(&c, &sum, &s, 0), 0);
	assert_string_equal(c.label, "1 CPU");
	assert_int_equal(c.pinned_cpus, 1);
	assert_string_equal(c.cpus, "0");
	assert_near(c.duration, 0.2);
	chart_recording_release(&c);
	release(&sum, &s);
}

static void test_recording_label_plain(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;
	struct chart_recording c;

	(void)state;
	/* No VARIANT: the file's name, nothing pinned, no per-CPU data. */
	recording_start(&r);
	write_event(&r.w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED);
	write_run_begin(&r.w, 0, T0, 0);
	write_cpu(&r.w, 0, T0, 100, 1000);
	write_run_end(&r.w, 0, AT(100));
	recording_read(&r, &sum, &s, CAP);
	assert_int_equal(chart_recording_init(&c, &sum, &s, 0), 0);
	assert_string_equal(c.label, "test");
	assert_int_equal(c.pinned_cpus, 0);
	assert_string_equal(c.cpus, "");
	chart_recording_take_memory(&c, &s);
	assert_int_equal(c.nr_cpu_env, 0);
	assert_null(c.cpu_env);
	chart_recording_release(&c);
	release(&sum, &s);
}

/* ---- TASK: markers ---- */

static void test_markers(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;

	(void)state;
	recording_start(&r);
	write_run_begin(&r.w, 0, T0, 0);
	write_task(&r.w, AT(10), REC_TASK_FORK, 101, 101, 100, "");
	write_task(&r.w, AT(12), REC_TASK_EXEC, 101, 101, 0, "worker");
	write_task(&r.w, AT(13), REC_TASK_COMM, 101, 101, 0, "worker-1");
	/* A thread of 101: born and ended, no marker. */
	write_task(&r.w, AT(20), REC_TASK_FORK, 101, 102, 101, "");
	write_task(&r.w, AT(30), REC_TASK_EXIT, 101, 102, 100, "");
	/* 101's main thread ends: the process did. */
	write_task(&r.w, AT(40), REC_TASK_EXIT, 101, 101, 100, "");
	recording_read(&r, &sum, &s, CAP);

	assert_int_equal(s.markers_seen, 2);
	assert_int_equal(s.nr_markers, 2);
	assert_int_equal(s.markers[0].kind, SERIES_MARK_START);
	assert_int_equal(s.markers[0].pid, 101);
	assert_true(s.markers[0].time_ns == AT(10));
	assert_int_equal(s.markers[1].kind, SERIES_MARK_EXIT);
	assert_int_equal(s.markers[1].pid, 101);
	assert_true(s.markers[1].time_ns == AT(40));
	assert_true(s.last_ns == AT(40));
	release(&sum, &s);
}

static void test_markers_too_many(void **state)
{
	struct recording r;
	struct summary sum;
	struct series s;

	(void)state;
	recording_start(&r);
	write_run_begin(&r.w, 0, T0, 0);
	for (uint32_t i = 0; i < 20; i++) {
		write_task(&r.w, AT(2 * i + 1), REC_TASK_FORK, 1000 + i,
			   1000 + i, 100, "");
		write_task(&r.w, AT(2 * i + 2), REC_TASK_EXIT, 1000 + i,
			   1000 + i, 100, "");
	}
	recording_read(&r, &sum, &s, CAP);

	assert_int_equal(s.markers_seen, 40);
	assert_int_equal(s.nr_markers, SERIES_MARKERS_MAX);
	for (size_t k = 0; k < SERIES_MARKERS_MAX; k++) {
		assert_int_equal(s.markers[k].kind, k % 2 ? SERIES_MARK_EXIT :
							    SERIES_MARK_START);
		assert_int_equal(s.markers[k].pid, 1000 + k / 2);
		assert_true(s.markers[k].time_ns == AT(k + 1));
	}
	release(&sum, &s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_plain),
		cmocka_unit_test(test_rate_multiplexed),
		cmocka_unit_test(test_rate_not_enabled),
		cmocka_unit_test(test_rate_not_running),
		cmocka_unit_test(test_rate_time_not_moving),
		cmocka_unit_test(test_rate_backwards),
		cmocka_unit_test(test_rate_no_previous),
		cmocka_unit_test(test_cpu_total),
		cmocka_unit_test(test_rate_spread_over_interval),
		cmocka_unit_test(test_rate_bounded),
		cmocka_unit_test(test_cpu_clock_fallback),
		cmocka_unit_test(test_event_missing_from_a_record),
		cmocka_unit_test(test_ipc),
		cmocka_unit_test(test_procs),
		cmocka_unit_test(test_procs_without_cpu),
		cmocka_unit_test(test_procs_pid_reused),
		cmocka_unit_test(test_procs_attached),
		cmocka_unit_test(test_procs_attached_child),
		cmocka_unit_test(test_warmup_and_second_run),
		cmocka_unit_test(test_only_warmup),
		cmocka_unit_test(test_no_run),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_cpu_counts),
		cmocka_unit_test(test_cpu_counts_which_run),
		cmocka_unit_test(test_cpu_counts_without_cpu_time),
		cmocka_unit_test(test_cpu_counts_many_cpus),
		cmocka_unit_test(test_cpu_counts_cap),
		cmocka_unit_test(test_cpu_counts_variant),
		cmocka_unit_test(test_recording_label_plain),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_markers_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_counter.c - unit tests of the report: the counter judgements
 * (counter.c), JSON writing (json.c), the summary of a recording
 * (summary.c), the process tree (tree.c) and memory backends
 * (memory_series.c) of a run, its display (display.c), the load window
 * of `record --load` (summary.c, load_view.c) and `pprobe report`'s exit
 * codes (builtin-report.c).
 *
 * Recordings are made in memory-backed temporary files with the real
 * rec_writer, so these tests also hold the report to the format library
 * as it is, not to a copy of it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "counter.h"
#include "display.h"
#include "json.h"
#include "load_view.h"
#include "memory_series.h"
#include "recfile.h"
#include "summary.h"
#include "tree.h"

/* ---- counter.c ---- */

static void test_scale_not_counted(void **state)
{
	struct counter_scaled sc;

	(void)state;
	assert_int_equal(counter_scale(123, 1000, 0, &sc), -1);
	assert_int_equal(counter_scale(0, 0, 0, &sc), -1);
}

static void test_scale_fully_counted(void **state)
{
	struct counter_scaled sc;

	(void)state;
	assert_int_equal(counter_scale(4242, 1000, 1000, &sc), 0);
	assert_true(sc.value == 4242.0);
	assert_true(sc.percent == 100.0);
	assert_false(sc.scaled);
}

static void test_scale_multiplexed(void **state)
{
	struct counter_scaled sc;

	(void)state;
	assert_int_equal(counter_scale(1000, 800, 500, &sc), 0);
	assert_true(sc.value == 1600.0);
	assert_true(sc.percent == 62.5);
	assert_true(sc.scaled);
}

static void test_scale_running_above_enabled(void **state)
{
	struct counter_scaled sc;

	(void)state;
	/* Impossible, but must not give a made-up ratio. */
	assert_int_equal(counter_scale(77, 100, 200, &sc), 0);
	assert_true(sc.value == 77.0);
	assert_false(sc.scaled);
	assert_int_equal(counter_scale(77, 0, 200, &sc), 0);
	assert_true(sc.value == 77.0);
}

static void test_scale_huge(void **state)
{
	struct counter_scaled sc;
	double expect;

	(void)state;
	/* raw * enabled is far past UINT64_MAX. */
	assert_int_equal(counter_scale(UINT64_MAX, UINT64_MAX, UINT64_MAX / 2, &sc), 0);
	expect = 2.0 * 18446744073709551615.0;
	assert_true(fabs(sc.value - expect) / expect < 1e-12);
	assert_true(sc.scaled);
	assert_true(fabs(sc.percent - 50.0) < 1e-9);

	assert_int_equal(counter_scale(1ull << 63, 3, 2, &sc), 0);
	assert_true(sc.value == 1.5 * 9223372036854775808.0);
}

static void test_status(void **state)
{
	(void)state;
	assert_string_equal(counter_status_name(COUNTER_COUNTED), "counted");
	assert_string_equal(counter_status_name(COUNTER_NOT_COUNTED), "not counted");
	assert_string_equal(counter_status_name(COUNTER_NOT_SUPPORTED), "not supported");
	assert_string_equal(counter_status_name(COUNTER_NOT_PERMITTED), "not permitted");
	assert_string_equal(counter_status_name(COUNTER_FAILED), "failed");

	assert_int_equal(counter_status_of(REC_EVENT_OPENED, 1, 10), COUNTER_COUNTED);
	assert_int_equal(counter_status_of(REC_EVENT_OPENED, 1, 0), COUNTER_NOT_COUNTED);
	assert_int_equal(counter_status_of(REC_EVENT_OPENED, 0, 0), COUNTER_NOT_COUNTED);
	assert_int_equal(counter_status_of(REC_EVENT_NOT_SUPPORTED, 0, 0), COUNTER_NOT_SUPPORTED);
	assert_int_equal(counter_status_of(REC_EVENT_NOT_PERMITTED, 1, 5), COUNTER_NOT_PERMITTED);
	assert_int_equal(counter_status_of(REC_EVENT_FAILED, 0, 0), COUNTER_FAILED);
	/* A status from a newer pprobe is not taken for success. */
	assert_int_equal(counter_status_of(99, 1, 5), COUNTER_FAILED);
}

static void test_unit(void **state)
{
	double divisor;

	(void)state;
	assert_string_equal(counter_unit("task-clock", "ns", &divisor), "msec");
	assert_true(divisor == 1e6);
	assert_string_equal(counter_unit("cpu-clock", "", &divisor), "msec");
	assert_true(divisor == 1e6);
	assert_string_equal(counter_unit("task-clock:u", "", &divisor), "msec");
	assert_string_equal(counter_unit("context-switches", "", &divisor), "");
	assert_true(divisor == 1.0);
	assert_string_equal(counter_unit("task-clocks", "", &divisor), "");
	assert_true(counter_is_time("whatever", "ns"));
	assert_false(counter_is_time("cycles", ""));
	assert_true(counter_name_is("cycles:u", "cycles"));
	assert_false(counter_name_is("cycles", "cycles:u"));
}

static void test_format_u64(void **state)
{
	char buf[COUNTER_NUMBER_MAX], small[4];

	(void)state;
	assert_string_equal(counter_format_u64(buf, sizeof(buf), 0), "0");
	assert_string_equal(counter_format_u64(buf, sizeof(buf), 999), "999");
	assert_string_equal(counter_format_u64(buf, sizeof(buf), 1000), "1,000");
	assert_string_equal(counter_format_u64(buf, sizeof(buf), 1234567), "1,234,567");
	assert_string_equal(counter_format_u64(buf, sizeof(buf), 100000), "100,000");
	assert_string_equal(counter_format_u64(buf, sizeof(buf), UINT64_MAX),
			    "18,446,744,073,709,551,615");
	/* Too small a buffer: cut short, still terminated. */
	assert_string_equal(counter_format_u64(small, sizeof(small), 123456), "123");
}

static void test_format_double(void **state)
{
	char buf[COUNTER_NUMBER_MAX];

	(void)state;
	assert_string_equal(counter_format_double(buf, sizeof(buf), 1234.5678, 2), "1,234.57");
	assert_string_equal(counter_format_double(buf, sizeof(buf), 0.0, 0), "0");
	assert_string_equal(counter_format_double(buf, sizeof(buf), 999.999, 2), "1,000.00");
	assert_string_equal(counter_format_double(buf, sizeof(buf), -1234567.0, 0), "-1,234,567");
	assert_string_equal(counter_format_double(buf, sizeof(buf), 40012.0, 0), "40,012");
	assert_string_equal(counter_format_double(buf, sizeof(buf), 3.6893488147419103e19, 0),
			    "36,893,488,147,419,103,232");
	assert_string_equal(counter_format_double(buf, sizeof(buf), NAN, 2), "nan");
	assert_string_equal(counter_format_double(buf, sizeof(buf), -INFINITY, 2), "-inf");
	assert_string_equal(counter_format_double(buf, sizeof(buf), 1e300, 2), "1.000000e+300");
}

static void test_rate(void **state)
{
	double rate = -1, shown;

	(void)state;
	assert_int_equal(counter_rate(40012, 1.234567890, &rate), 0);
	assert_true(fabs(rate - 32409.73) < 0.01);
	assert_int_equal(counter_rate(5, 0.0, &rate), -1);
	assert_int_equal(counter_rate(5, -1.0, &rate), -1);
	assert_int_equal(counter_rate(5, NAN, &rate), -1);
	assert_int_equal(counter_rate(INFINITY, 1.0, &rate), -1);
	assert_int_equal(counter_rate(1e308, 1e-10, &rate), -1);

	assert_string_equal(counter_si_prefix(999.0, &shown), "");
	assert_true(shown == 999.0);
	assert_string_equal(counter_si_prefix(1000.0, &shown), "K");
	assert_true(shown == 1.0);
	assert_string_equal(counter_si_prefix(32410.0, &shown), "K");
	assert_true(fabs(shown - 32.41) < 1e-9);
	assert_string_equal(counter_si_prefix(2.5e6, &shown), "M");
	assert_true(shown == 2.5);
	assert_string_equal(counter_si_prefix(3e9, &shown), "G");
	assert_true(shown == 3.0);
}

static void test_judge(void **state)
{
	struct counter_view v;
	struct counter_input in = {
		.name = "task-clock", .raw_unit = "ns",
		.open_status = REC_EVENT_OPENED, .has_reading = 1,
		.raw = 1234560000, .enabled_ns = 100, .running_ns = 100,
	};

	(void)state;
	counter_judge(&in, &v);
	assert_int_equal(v.status, COUNTER_COUNTED);
	assert_string_equal(v.unit, "msec");
	assert_true(v.has_value && v.is_time && !v.scaled);
	assert_true(fabs(v.value - 1234.56) < 1e-9);
	assert_true(v.percent_counted == 100.0);

	/* Multiplexed and fallen back to user mode. */
	in = (struct counter_input){
		.name = "cycles", .raw_unit = "",
		.open_status = REC_EVENT_OPENED,
		.flags = REC_EVENT_F_EXCLUDE_KERNEL | REC_EVENT_F_USER_FALLBACK,
		.has_reading = 1, .raw = 500, .enabled_ns = 800, .running_ns = 500,
	};
	counter_judge(&in, &v);
	assert_true(v.has_value && v.scaled);
	assert_true(v.value == 800.0);
	assert_true(v.percent_counted == 62.5);
	assert_true(v.user_only && v.user_fallback);

	/* Asked for :u: user only, but no fallback to warn about. */
	in.flags = REC_EVENT_F_EXCLUDE_KERNEL;
	counter_judge(&in, &v);
	assert_true(v.user_only && !v.user_fallback);

	/* Never ran: a reading, a percentage of 0, but no value. */
	in.running_ns = 0;
	counter_judge(&in, &v);
	assert_int_equal(v.status, COUNTER_NOT_COUNTED);
	assert_false(v.has_value);
	assert_true(v.has_reading && v.has_percent && v.percent_counted == 0.0);

	/* Not supported: whatever an entry might say, no figures. */
	in.open_status = REC_EVENT_NOT_SUPPORTED;
	in.running_ns = 500;
	counter_judge(&in, &v);
	assert_int_equal(v.status, COUNTER_NOT_SUPPORTED);
	assert_false(v.has_value || v.has_reading || v.has_percent);
	assert_string_equal(v.unit, "");
}

/* ---- json.c ---- */

/* What f(out) writes, as a string the caller frees. */
static char *capture_string(const char *s)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	json_write_string(out, s);
	fclose(out);
	return text;
}

static void assert_json_string(const char *in, const char *expect)
{
	char *got = capture_string(in);

	assert_string_equal(got, expect);
	free(got);
}

static void test_json_escape(void **state)
{
	(void)state;
	assert_json_string("", "\"\"");
	assert_json_string("plain", "\"plain\"");
	assert_json_string("a\"b\\c", "\"a\\\"b\\\\c\"");
	assert_json_string("l1\nl2\ttab\r\b\f", "\"l1\\nl2\\ttab\\r\\b\\f\"");
	assert_json_string("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	/* Valid UTF-8 passes; invalid bytes each become U+FFFD. */
	assert_json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
			   "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	assert_json_string("\xff", "\"\\ufffd\"");
	assert_json_string("\xc0\xaf", "\"\\ufffd\\ufffd\"");          /* overlong */
	assert_json_string("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
	assert_json_string("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_json_string("x\xe2\x82", "\"x\\ufffd\\ufffd\"");        /* cut short */
	assert_json_string("\x80z", "\"\\ufffdz\"");
}

static void test_json_number(void **state)
{
	char buf[JSON_NUMBER_MAX];

	(void)state;
	assert_string_equal(json_format_double(buf, 0.0), "0");
	assert_string_equal(json_format_double(buf, -0.0), "0");
	assert_string_equal(json_format_double(buf, 42.0), "42");
	assert_string_equal(json_format_double(buf, -7.0), "-7");
	assert_string_equal(json_format_double(buf, 1.5), "1.5");
	assert_string_equal(json_format_double(buf, 0.1), "0.1");
	assert_string_equal(json_format_double(buf, 1234.56), "1234.56");
	assert_string_equal(json_format_double(buf, 9007199254740992.0), "9007199254740992");
	assert_string_equal(json_format_double(buf, 1.0 / 3.0), "0.33333333333333331");
	assert_string_equal(json_format_double(buf, 1e300), "1e+300");
	assert_string_equal(json_format_double(buf, NAN), "null");
	assert_string_equal(json_format_double(buf, INFINITY), "null");
	assert_string_equal(json_format_double(buf, -INFINITY), "null");
}

static void test_json_writer(void **state)
{
	struct json_writer w;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	(void)state;
	assert_non_null(out);
	json_writer_init(&w, out);
	json_begin_object(&w, NULL);
	json_string(&w, "s", "x");
	json_begin_array(&w, "a");
	json_u64(&w, NULL, UINT64_MAX);
	json_i64(&w, NULL, INT64_MIN);
	json_end_array(&w);
	json_begin_array(&w, "empty");
	json_end_array(&w);
	json_begin_object(&w, "o");
	json_bool(&w, "t", 1);
	json_null(&w, "n");
	json_double(&w, "d", 0.25);
	json_string_or_null(&w, "z", NULL);
	json_end_object(&w);
	json_end_object(&w);
	fclose(out);
	assert_string_equal(text,
		"{\n"
		"  \"s\": \"x\",\n"
		"  \"a\": [\n"
		"    18446744073709551615,\n"
		"    -9223372036854775808\n"
		"  ],\n"
		"  \"empty\": [],\n"
		"  \"o\": {\n"
		"    \"t\": true,\n"
		"    \"n\": null,\n"
		"    \"d\": 0.25,\n"
		"    \"z\": null\n"
		"  }\n"
		"}\n");
	free(text);
}

/* ---- display.c helpers ---- */

static void test_csv_field(void **state)
{
	static const char *const cases[][2] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ " padded", "\" padded\"" },
		{ "cr\r", "\"cr\r\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = NULL;
		size_t size = 0;
		FILE *out = open_memstream(&text, &size);

		assert_non_null(out);
		display_csv_field(out, cases[i][0]);
		fclose(out);
		assert_string_equal(text, cases[i][1]);
		free(text);
	}
}

static void test_signal_name(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(display_signal_name(SIGKILL, buf, sizeof(buf)), "SIGKILL");
	assert_string_equal(display_signal_name(SIGSEGV, buf, sizeof(buf)), "SIGSEGV");
	assert_string_equal(display_signal_name(SIGRTMIN + 2, buf, sizeof(buf)), "SIGRTMIN+2");
	assert_null(display_signal_name(0, buf, sizeof(buf)));
	assert_null(display_signal_name(-3, buf, sizeof(buf)));
	assert_null(display_signal_name(200, buf, sizeof(buf)));
}

/* ---- recordings made with rec_writer ---- */

#define T0 5000000000ull   /* RUN_BEGIN of run 0 */
#define MS 1000000ull

enum {
	EV_TASK_CLOCK = 10,
	EV_CS = 11,
	EV_CYCLES = 12,        /* not supported */
	EV_INSTRUCTIONS = 13,  /* user-mode fallback, multiplexed */
	EV_PAGE_FAULTS = 14,   /* opened, never ran */
	NR_TEST_EVENTS = 5,
};

struct recording {
	FILE *file;
	struct rec_writer w;
};

static void recording_start(struct recording *r)
{
	r->file = tmpfile();
	assert_non_null(r->file);
	assert_int_equal(rec_writer_init(&r->w, fileno(r->file)), 0);
}

/*
 * Flushes what was written, cuts `cut` bytes off the end, and reads it
 * back into s (which the caller releases).
 */
static enum rec_status recording_read(struct recording *r, struct summary *s,
				      long cut)
{
	struct stat st;
	enum rec_status status;
	int fd = fileno(r->file);

	assert_int_equal(rec_writer_flush(&r->w), 0);
	rec_writer_release(&r->w);
	if (cut) {
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(ftruncate(fd, st.st_size - cut), 0);
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(summary_init(s, "test.data"), 0);
	status = summary_read(s, fd);
	assert_int_equal(status, s->status);
	fclose(r->file);
	return status;
}

static void write_meta(struct rec_writer *w)
{
	rec_meta_begin(w);
	rec_meta_str(w, "pprobe_version", "0.1.0");
	rec_meta_str(w, "argv", "./pingpong");
	rec_meta_str(w, "argv", "20000");
	rec_meta_str(w, "hostname", "box");
	rec_meta_str(w, "kernel_release", "6.1.0");
	rec_meta_u64(w, "cpus_online", 8);
	rec_meta_u64(w, "interval_ns", 100 * MS);
	rec_meta_i64(w, "perf_event_paranoid", 2);
	rec_meta_u64(w, "start_realtime_ns", 1700000000123456789ull);
	rec_meta_str(w, "future_key", "ignored");
	assert_int_equal(rec_finish(w), 0);
}

static void write_event(struct rec_writer *w, uint32_t id, const char *name,
			const char *unit, uint32_t status, uint32_t flags,
			int32_t err)
{
	struct rec_event e = {
		.id = id, .group = id, .status = status, .flags = flags,
		.error = err, .name = name, .unit = unit,
	};

	assert_int_equal(rec_write_event(w, &e), 0);
}

static void write_events(struct rec_writer *w)
{
	write_event(w, EV_TASK_CLOCK, "task-clock", "ns", REC_EVENT_OPENED, 0, 0);
	write_event(w, EV_CS, "context-switches", "", REC_EVENT_OPENED, 0, 0);
	write_event(w, EV_CYCLES, "cycles", "", REC_EVENT_NOT_SUPPORTED, 0, ENOENT);
	write_event(w, EV_INSTRUCTIONS, "instructions", "", REC_EVENT_OPENED,
		    REC_EVENT_F_EXCLUDE_KERNEL | REC_EVENT_F_USER_FALLBACK, 0);
	write_event(w, EV_PAGE_FAULTS, "page-faults", "", REC_EVENT_OPENED, 0, 0);
}

/*
 * A COUNTS record at begin + at_ms, with values that grow with time:
 * task-clock runs on 2 CPUs, `scale` context switches per ms, instructions
 * counted half the time.
 */
static void write_sample(struct rec_writer *w, uint32_t run, uint64_t begin,
			 uint64_t at_ms, uint32_t flags, uint64_t scale)
{
	uint64_t t = at_ms * MS;
	struct rec_count c[] = {
		{ EV_TASK_CLOCK, 2 * t, t, t },
		{ EV_CS, scale * at_ms, t, t },
		{ EV_INSTRUCTIONS, 1000 * at_ms, t, t / 2 },
		{ EV_PAGE_FAULTS, 0, t, 0 },
	};

	assert_int_equal(rec_write_counts(w, begin + t, run, flags, c, 4), 0);
}

static void write_run_begin(struct rec_writer *w, uint32_t run, uint64_t t)
{
	struct rec_run_begin b = { .time_ns = t, .run = run, .pid = 4242 + run };

	assert_int_equal(rec_write_run_begin(w, &b), 0);
}

static void write_run_end(struct rec_writer *w, uint32_t run, uint64_t t,
			  uint32_t kind, int32_t code)
{
	struct rec_run_end e = {
		.time_ns = t, .run = run, .pid = 4242 + run,
		.exit_kind = kind, .exit_code = code,
		.rusage = { .utime_us = 456000, .stime_us = 789000,
			    .maxrss_kib = 2048, .minflt = 320, .majflt = 1,
			    .nvcsw = 40000, .nivcsw = 12 },
	};

	assert_int_equal(rec_write_run_end(w, &e), 0);
}

/* One whole run: samples at 100, 200, 304 ms, end at 340, FINAL at 341. */
static void write_run(struct rec_writer *w, uint32_t run, uint64_t begin,
		      uint64_t scale)
{
	write_run_begin(w, run, begin);
	write_sample(w, run, begin, 100, 0, scale);
	write_sample(w, run, begin, 200, 0, scale);
	write_sample(w, run, begin, 304, 0, scale);
	write_run_end(w, run, begin + 340 * MS, REC_EXIT_NORMAL, 0);
	write_sample(w, run, begin, 341, REC_COUNTS_F_FINAL, scale);
}

static void write_complete(struct rec_writer *w)
{
	write_meta(w);
	write_events(w);
	write_run(w, 0, T0, 10);
	assert_int_equal(rec_write_end(w, T0 + 400 * MS), 0);
}

static long event_index(const struct summary *s, uint32_t id)
{
	for (size_t i = 0; i < s->nr_events; i++)
		if (s->events[i].id == id)
			return (long)i;
	fail_msg("no event %u", id);
	return -1;
}

static void test_summary_complete(void **state)
{
	struct recording r;
	struct summary s;
	struct counter_view v;
	const struct summary_run *run;
	double mean, max, user, sys, cpus;
	uint64_t wall;
	int status, sig;

	(void)state;
	recording_start(&r);
	write_complete(&r.w);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);

	assert_int_equal(s.argc, 2);
	assert_string_equal(s.argv[0], "./pingpong");
	assert_string_equal(s.argv[1], "20000");
	assert_string_equal(s.hostname, "box");
	assert_string_equal(s.kernel_release, "6.1.0");
	assert_string_equal(s.pprobe_version, "0.1.0");
	assert_null(s.label);
	assert_true(s.has_cpus_online && s.cpus_online == 8);
	assert_true(s.has_interval && s.interval_ns == 100 * MS);
	assert_true(s.has_paranoid && s.perf_event_paranoid == 2);
	assert_int_equal(s.nr_events, NR_TEST_EVENTS);
	assert_int_equal(s.nr_runs, 1);

	run = &s.runs[0];
	assert_true(run->ended && run->has_final);
	assert_int_equal(run->pid, 4242);
	assert_int_equal(run->samples, 3);
	assert_int_equal(summary_run_interval_ms(run, &mean, &max), 0);
	assert_true(fabs(mean - 102.0) < 1e-9);
	assert_true(fabs(max - 104.0) < 1e-9);
	assert_int_equal(summary_run_wall_ns(run, &wall), 0);
	assert_int_equal(wall, 340 * MS);
	assert_int_equal(summary_run_cpu_seconds(run, &user, &sys), 0);
	assert_true(user == 0.456 && sys == 0.789);
	assert_int_equal(summary_run_exit(run, &status, &sig), 0);
	assert_int_equal(status, 0);
	assert_int_equal(sig, 0);

	/* Totals are the FINAL sample's. */
	summary_judge(&s, run, (size_t)event_index(&s, EV_CS), &v);
	assert_true(v.has_value && v.value == 3410.0 && v.raw == 3410);
	summary_judge(&s, run, (size_t)event_index(&s, EV_TASK_CLOCK), &v);
	assert_true(fabs(v.value - 682.0) < 1e-9);
	assert_string_equal(v.unit, "msec");
	assert_int_equal(summary_cpu_time_event(&s, run), event_index(&s, EV_TASK_CLOCK));
	assert_int_equal(summary_run_cpus_utilized(&s, run, &cpus), 0);
	assert_true(fabs(cpus - 682.0 / 340.0) < 1e-9);
	summary_judge(&s, run, (size_t)event_index(&s, EV_INSTRUCTIONS), &v);
	assert_true(v.scaled && v.user_fallback && v.value == 682000.0);
	assert_true(v.percent_counted == 50.0);
	summary_judge(&s, run, (size_t)event_index(&s, EV_CYCLES), &v);
	assert_int_equal(v.status, COUNTER_NOT_SUPPORTED);
	summary_judge(&s, run, (size_t)event_index(&s, EV_PAGE_FAULTS), &v);
	assert_int_equal(v.status, COUNTER_NOT_COUNTED);
	summary_release(&s);
}

static void test_summary_cut_off(void **state)
{
	struct recording r;
	struct summary s;
	struct counter_view v;
	const struct summary_run *run;
	double user, sys;
	uint64_t wall;
	int status, sig;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	write_run_begin(&r.w, 0, T0);
	write_sample(&r.w, 0, T0, 100, 0, 10);
	write_sample(&r.w, 0, T0, 200, 0, 10);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);

	assert_int_equal(s.nr_runs, 1);
	run = &s.runs[0];
	assert_false(run->ended);
	assert_int_equal(run->samples, 2);
	assert_int_equal(summary_run_wall_ns(run, &wall), 0);
	assert_int_equal(wall, 200 * MS);
	assert_int_equal(summary_run_cpu_seconds(run, &user, &sys), -1);
	assert_int_equal(summary_run_exit(run, &status, &sig), -1);
	summary_judge(&s, run, (size_t)event_index(&s, EV_CS), &v);
	assert_true(v.value == 2000.0);
	summary_release(&s);
}

static void test_summary_cut_inside_record(void **state)
{
	struct recording r;
	struct summary s;
	struct counter_view v;

	(void)state;
	recording_start(&r);
	write_complete(&r.w);
	/* END is 24 bytes; 30 more cut into the FINAL COUNTS record. */
	assert_int_equal(recording_read(&r, &s, 30), REC_ERR_TRUNCATED);
	assert_true(s.end_detail[0] != '\0');
	assert_true(s.runs[0].ended);
	assert_false(s.runs[0].has_final);
	/* Totals from the last whole sample, at 304 ms. */
	summary_judge(&s, &s.runs[0], (size_t)event_index(&s, EV_CS), &v);
	assert_true(v.value == 3040.0);
	summary_release(&s);
}

static void test_summary_no_run(void **state)
{
	struct recording r;
	struct summary s;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);
	assert_int_equal(s.nr_runs, 0);
	assert_int_equal(s.nr_events, NR_TEST_EVENTS);
	summary_release(&s);
}

static void test_summary_two_runs(void **state)
{
	struct recording r;
	struct summary s;
	struct counter_view v;
	uint64_t wall;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	write_run(&r.w, 0, T0, 10);
	write_run(&r.w, 1, T0 + 1000 * MS, 20);
	assert_int_equal(rec_write_end(&r.w, T0 + 2000 * MS), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);

	assert_int_equal(s.nr_runs, 2);
	assert_int_equal(s.runs[0].run, 0);
	assert_int_equal(s.runs[1].run, 1);
	summary_judge(&s, &s.runs[0], (size_t)event_index(&s, EV_CS), &v);
	assert_true(v.value == 3410.0);
	summary_judge(&s, &s.runs[1], (size_t)event_index(&s, EV_CS), &v);
	assert_true(v.value == 6820.0);
	assert_int_equal(s.runs[1].samples, 3);
	assert_int_equal(summary_run_wall_ns(&s.runs[1], &wall), 0);
	assert_int_equal(wall, 340 * MS);
	summary_release(&s);
}

static void test_summary_signal(void **state)
{
	struct recording r;
	struct summary s;
	int status, sig;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	write_run_begin(&r.w, 0, T0);
	write_run_end(&r.w, 0, T0 + 10 * MS, REC_EXIT_SIGNAL, SIGKILL);
	assert_int_equal(rec_write_end(&r.w, T0 + 11 * MS), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	assert_int_equal(summary_run_exit(&s.runs[0], &status, &sig), 0);
	assert_int_equal(status, 137);
	assert_int_equal(sig, SIGKILL);
	/* No COUNTS at all: no reading, no samples, no interval. */
	assert_int_equal(s.runs[0].samples, 0);
	assert_null(summary_reading(&s.runs[0], 0));
	summary_release(&s);
}

static void test_summary_unknown_record(void **state)
{
	struct recording r;
	struct summary s;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	rec_begin(&r.w, 999);
	rec_put_u64(&r.w, 0xdeadbeef);
	rec_put_str32(&r.w, "from the future");
	assert_int_equal(rec_finish(&r.w), 0);
	write_events(&r.w);
	write_run(&r.w, 0, T0, 10);
	assert_int_equal(rec_write_end(&r.w, T0 + 400 * MS), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	assert_int_equal(s.nr_runs, 1);
	assert_int_equal(s.nr_events, NR_TEST_EVENTS);
	summary_release(&s);
}

static void test_summary_undeclared_event(void **state)
{
	struct recording r;
	struct summary s;
	struct counter_view v;
	struct rec_count bad[] = {
		{ EV_CS, 999999, 1, 1 },
		{ 77, 1, 1, 1 },
	};
	uint64_t offset;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	write_run_begin(&r.w, 0, T0);
	write_sample(&r.w, 0, T0, 100, 0, 10);
	assert_int_equal(rec_writer_flush(&r.w), 0);
	offset = r.w.flushed;
	assert_int_equal(rec_write_counts(&r.w, T0 + 200 * MS, 0, 0, bad, 2), 0);
	write_run_end(&r.w, 0, T0 + 300 * MS, REC_EXIT_NORMAL, 0);
	assert_int_equal(rec_write_end(&r.w, T0 + 400 * MS), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);

	assert_int_equal(s.end_offset, offset);
	assert_non_null(strstr(s.end_detail, "event id 77"));
	/* The bad record changed nothing: totals are from the sample before. */
	assert_int_equal(s.runs[0].samples, 1);
	summary_judge(&s, &s.runs[0], (size_t)event_index(&s, EV_CS), &v);
	assert_true(v.value == 1000.0);
	assert_false(s.runs[0].ended);
	summary_release(&s);
}

static void test_summary_bad_runs(void **state)
{
	struct recording r;
	struct summary s;
	struct rec_count c = { EV_CS, 1, 1, 1 };

	(void)state;
	/* COUNTS of a run that never began. */
	recording_start(&r);
	write_events(&r.w);
	assert_int_equal(rec_write_counts(&r.w, T0, 3, 0, &c, 1), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	assert_non_null(strstr(s.end_detail, "run 3"));
	summary_release(&s);

	/* A run that ends twice. */
	recording_start(&r);
	write_run_begin(&r.w, 0, T0);
	write_run_end(&r.w, 0, T0 + 1, REC_EXIT_NORMAL, 0);
	write_run_end(&r.w, 0, T0 + 2, REC_EXIT_NORMAL, 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	assert_int_equal(s.nr_runs, 1);
	summary_release(&s);

	/* Runs out of order, and an event declared twice. */
	recording_start(&r);
	write_run_begin(&r.w, 1, T0);
	write_run_begin(&r.w, 0, T0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	summary_release(&s);
	recording_start(&r);
	write_events(&r.w);
	write_event(&r.w, EV_CS, "again", "", REC_EVENT_OPENED, 0, 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	assert_non_null(strstr(s.end_detail, "declared twice"));
	summary_release(&s);
}

/* A variant's VARIANT record and one run of it, with a TASK and a MEM. */
static void write_variant_run(struct rec_writer *w, uint32_t run, uint32_t variant,
			      uint64_t begin)
{
	struct rec_run_begin b = { .time_ns = begin, .run = run, .pid = 4242 + run,
				   .variant = variant };
	struct rec_task t = { .time_ns = begin + MS, .kind = REC_TASK_FORK,
			      .pid = 5000 + run, .tid = 5000 + run, .ppid = 4242 + run,
			      .ptid = 4242 + run, .comm = "" };
	struct rec_mem m = { .time_ns = begin + MS, .run = run, .backend = REC_MEM_RSS,
			     .current_bytes = (run + 1) << 20, .processes = 2 };
	struct rec_count c = { EV_CS, 7, 1, 1 };
	uint32_t cpu = 1;

	assert_int_equal(rec_write_run_begin(w, &b), 0);
	assert_int_equal(rec_write_task(w, &t), 0);
	assert_int_equal(rec_write_mem(w, &m), 0);
	assert_int_equal(rec_write_cpu_counts(w, begin + MS, run, 0, &c, &cpu, 1), 0);
	write_sample(w, run, begin, 100, 0, run + 1);
	write_run_end(w, run, begin + 200 * MS, REC_EXIT_NORMAL, 0);
}

static void write_two_variants(struct rec_writer *w)
{
	const char *a[] = { "a", "-x" }, *b[] = { "b" };

	write_meta(w);
	write_events(w);
	assert_int_equal(rec_write_variant(w, &(struct rec_variant){
		.variant = 0, .nr_args = 2, .label = "a -x" }, a), 0);
	assert_int_equal(rec_write_variant(w, &(struct rec_variant){
		.variant = 1, .nr_args = 1, .nr_cpus = 2, .label = "2 CPUs", .cpus = "0-1" }, b), 0);
	write_variant_run(w, 0, 0, T0);
	write_variant_run(w, 1, 1, T0 + 1000 * MS);
	write_variant_run(w, 2, 0, T0 + 2000 * MS);
	assert_int_equal(rec_write_end(w, T0 + 3000 * MS), 0);
}

/* Counts the records a hook is shown. */
static int count_hook(void *arg, const struct summary *s, const struct rec *rec)
{
	(void)s;
	(void)rec;
	(*(int *)arg)++;
	return 0;
}

/*
 * Read for one variant, a summary holds that variant's runs and nothing
 * of the others': not their TASK, MEM or CPU_COUNTS, and hooks see none
 * of their records. Every variant is known, with its runs counted.
 */
static void test_summary_one_variant(void **state)
{
	struct recording r;
	struct summary s;
	int seen_all = 0, seen_one = 0;

	(void)state;
	recording_start(&r);
	write_two_variants(&r.w);
	assert_int_equal(rec_writer_flush(&r.w), 0);
	rec_writer_release(&r.w);
	assert_int_equal(lseek(fileno(r.file), 0, SEEK_SET), 0);
	assert_int_equal(summary_init(&s, "v.data"), 0);
	assert_int_equal(summary_read_with(&s, fileno(r.file), count_hook, &seen_all), REC_DONE);
	assert_int_equal(s.nr_runs, 3);
	summary_release(&s);

	assert_int_equal(lseek(fileno(r.file), 0, SEEK_SET), 0);
	assert_int_equal(summary_init(&s, "v.data"), 0);
	summary_only_variant(&s, 1);
	assert_int_equal(summary_read_with(&s, fileno(r.file), count_hook, &seen_one), REC_DONE);
	fclose(r.file);
	assert_int_equal(s.nr_runs, 1);
	assert_int_equal(s.runs[0].run, 1);
	assert_int_equal(s.runs[0].variant, 1);
	assert_true(s.runs[0].ended);
	/* Its own child only, named from its own variant's argv. */
	assert_int_equal(s.runs[0].tree.nr, 2);
	assert_string_equal(s.runs[0].tree.procs[0].command, "b");
	assert_int_equal(s.runs[0].memory[memory_backend_index(REC_MEM_RSS)].peak, 2u << 20);
	/* Two runs of 6 records each (BEGIN, TASK, MEM, CPU_COUNTS, COUNTS,
	 * END) were kept from the hook. */
	assert_int_equal(seen_all - seen_one, 2 * 6);
	assert_int_equal(s.nr_variants, 2);
	assert_int_equal(summary_variant(&s, 0)->runs, 2);
	assert_int_equal(summary_variant(&s, 1)->runs, 1);
	assert_string_equal(summary_variant(&s, 1)->cpus, "0-1");
	assert_int_equal(summary_variant(&s, 0)->argc, 2);
	assert_string_equal(summary_variant(&s, 0)->argv[1], "-x");
	assert_null(summary_variant(&s, 7));
	summary_release(&s);
}

/* What a variant-aware reader refuses. */
static void test_summary_bad_variants(void **state)
{
	struct recording r;
	struct summary s;
	const char *a[] = { "a" };
	struct rec_count c = { EV_CS, 1, 1, 1 };
	uint32_t cpu = 0;

	(void)state;
	recording_start(&r);
	write_events(&r.w);
	for (int i = 0; i < 2; i++)
		assert_int_equal(rec_write_variant(&r.w, &(struct rec_variant){
			.variant = 3, .nr_args = 1, .label = "a" }, a), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	assert_non_null(strstr(s.end_detail, "variant 3 is declared twice"));
	summary_release(&s);

	recording_start(&r);
	write_events(&r.w);
	assert_int_equal(rec_write_cpu_counts(&r.w, T0, 5, 0, &c, &cpu, 1), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	assert_non_null(strstr(s.end_detail, "CPU_COUNTS for run 5, which has not begun"));
	summary_release(&s);

	recording_start(&r);
	write_events(&r.w);
	write_run_begin(&r.w, 0, T0);
	c.event_id = 99;
	assert_int_equal(rec_write_cpu_counts(&r.w, T0, 0, 0, &c, &cpu, 1), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	assert_non_null(strstr(s.end_detail, "CPU_COUNTS refers to event id 99"));
	summary_release(&s);
}

static void test_summary_meta_unknown_kind(void **state)
{
	struct recording r;
	struct summary s;

	(void)state;
	recording_start(&r);
	rec_meta_begin(&r.w);
	rec_meta_str(&r.w, "hostname", "first");
	/* An entry of a kind a newer minor version might add: stepped over
	 * by its value size, and the entries after it are still read. */
	rec_put_u8(&r.w, 77);
	rec_put_u8(&r.w, 0);
	rec_put_str16(&r.w, "key");
	rec_put_u32(&r.w, 3);
	rec_put_u8(&r.w, 1);
	rec_put_u8(&r.w, 2);
	rec_put_u8(&r.w, 3);
	rec_meta_str(&r.w, "label", "after");
	assert_int_equal(rec_finish(&r.w), 0);
	write_events(&r.w);
	assert_int_equal(rec_write_end(&r.w, T0), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	assert_string_equal(s.hostname, "first");
	assert_string_equal(s.label, "after");
	assert_int_equal(s.nr_events, NR_TEST_EVENTS);
	summary_release(&s);
}

static void test_summary_not_pprobe(void **state)
{
	struct summary s;
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	fputs("this is not a recording at all\n", f);
	fflush(f);
	assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);
	assert_int_equal(summary_init(&s, "text.txt"), 0);
	assert_int_equal(summary_read(&s, fileno(f)), REC_ERR_NOT_PPROBE);
	assert_false(s.opened);
	summary_release(&s);
	fclose(f);
}

/* ---- display of a summary ---- */

enum view { VIEW_TEXT, VIEW_JSON, VIEW_CSV, VIEW_CSV_PROCESSES, VIEW_CSV_MEMORY };

static char *render(const struct summary *s, enum view view)
{
	struct json_writer w;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	switch (view) {
	case VIEW_TEXT:
		display_text(out, s);
		break;
	case VIEW_JSON:
		json_writer_init(&w, out);
		display_json_begin(&w, "9.9.9");
		display_json_recording(&w, s, NULL);
		display_json_end(&w);
		break;
	case VIEW_CSV:
		display_csv_header(out);
		display_csv(out, s);
		break;
	case VIEW_CSV_PROCESSES:
		display_csv_processes_header(out);
		display_csv_processes(out, s);
		break;
	case VIEW_CSV_MEMORY:
		display_csv_memory_header(out);
		display_csv_memory(out, s);
		break;
	}
	fclose(out);
	return text;
}

#define assert_contains(haystack, needle) \
	do { \
		if (!strstr((haystack), (needle))) \
			fail_msg("'%s' not found in:\n%s", (needle), (haystack)); \
	} while (0)

static void test_display_complete(void **state)
{
	struct recording r;
	struct summary s;
	char *text;

	(void)state;
	recording_start(&r);
	write_complete(&r.w);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);

	text = render(&s, VIEW_TEXT);
	assert_contains(text, " Performance counter stats for './pingpong 20000' (test.data):\n\n");
	assert_contains(text, "            682.00 msec task-clock                #    2.006 CPUs utilized\n");
	assert_contains(text, "             3,410      context-switches          #   10.029 K/sec\n");
	assert_contains(text, "   <not supported>      cycles\n");
	assert_contains(text, "           682,000      instructions:u            #    2.006 M/sec          (50.00%)\n");
	assert_contains(text, "     <not counted>      page-faults\n");
	assert_contains(text, "       0.340000000 seconds time elapsed\n");
	assert_contains(text, "       0.456000000 seconds user\n");
	assert_contains(text, "       0.789000000 seconds sys\n");
	assert_contains(text, " exit status 0; 3 samples, interval 100 ms (achieved 102.0 ms mean, 104.0 ms max)\n");
	assert_contains(text, " note: counted in user mode only (perf_event_paranoid=2); kernel-side work is missing from these values\n");
	free(text);

	text = render(&s, VIEW_JSON);
	assert_contains(text, "\"pprobe_version\": \"9.9.9\"");
	assert_contains(text, "\"complete\": true");
	assert_contains(text, "\"end_reason\": null");
	assert_contains(text, "\"command\": [\n        \"./pingpong\",\n        \"20000\"\n      ]");
	assert_contains(text, "\"interval_ms\": 100");
	assert_contains(text, "\"label\": null");
	assert_contains(text, "\"start_time\": \"2023-11-14T22:13:20.123456789Z\"");
	assert_contains(text, "\"wall_seconds\": 0.34");
	assert_contains(text, "\"exit_status\": 0");
	assert_contains(text, "\"exit_signal\": null");
	assert_contains(text, "\"samples\": 3");
	assert_contains(text, "\"interval_ms_max\": 104");
	assert_contains(text, "\"maxrss_kib\": 2048");
	assert_contains(text, "\"context-switches\": {\n              \"value\": 3410,\n              \"unit\": \"\",\n              \"raw\": 3410,\n              \"status\": \"counted\"");
	assert_contains(text, "\"value\": 682,\n              \"unit\": \"msec\"");
	assert_contains(text, "\"status\": \"not supported\"");
	assert_contains(text, "\"percent_counted\": 50,\n              \"scaled\": true,\n              \"user_only\": true");
	assert_contains(text, "\"open_error\": \"No such file or directory\"");
	free(text);

	text = render(&s, VIEW_CSV);
	assert_contains(text, "file,run,event,value,unit,status,percent_counted,enabled_ns,running_ns\n");
	assert_contains(text, "test.data,0,task-clock,682,msec,counted,100,341000000,341000000\n");
	assert_contains(text, "test.data,0,cycles,,,not supported,,,\n");
	assert_contains(text, "test.data,0,instructions,682000,,counted,50,341000000,170500000\n");
	assert_contains(text, "test.data,0,page-faults,,,not counted,0,341000000,0\n");
	assert_contains(text, "test.data,0,duration_time,0.34,s,counted,,,\n");
	assert_contains(text, "test.data,0,user_time,0.456,s,counted,,,\n");
	assert_contains(text, "test.data,0,system_time,0.789,s,counted,,,\n");
	free(text);
	summary_release(&s);
}

static void test_display_cut_off(void **state)
{
	struct recording r;
	struct summary s;
	char *text;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	write_run_begin(&r.w, 0, T0);
	write_sample(&r.w, 0, T0, 100, 0, 10);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);

	text = render(&s, VIEW_TEXT);
	assert_contains(text, "       0.100000000 seconds time elapsed, up to the last sample\n");
	assert_contains(text, " cut off before the command ended; 1 sample, interval 100 ms\n");
	assert_null(strstr(text, "seconds user"));
	free(text);

	text = render(&s, VIEW_JSON);
	assert_contains(text, "\"complete\": false");
	assert_contains(text, "\"end_status\": \"truncated\"");
	assert_contains(text, "\"end_reason\": \"cut off at byte ");
	assert_contains(text, "\"user_seconds\": null");
	assert_contains(text, "\"exit_status\": null");
	assert_contains(text, "\"rusage\": null");
	assert_contains(text, "\"interval_ms_mean\": null");
	free(text);

	text = render(&s, VIEW_CSV);
	assert_contains(text, "test.data,0,user_time,,s,not counted,,,\n");
	free(text);
	summary_release(&s);
}

static void test_display_no_run_and_odd_names(void **state)
{
	struct recording r;
	struct summary s;
	char *text;

	(void)state;
	recording_start(&r);
	rec_meta_begin(&r.w);
	rec_meta_str(&r.w, "argv", "evil\x1b[31m");
	rec_meta_str(&r.w, "label", "a,\"b\"");
	assert_int_equal(rec_finish(&r.w), 0);
	write_event(&r.w, 1, "cycles", "", REC_EVENT_FAILED, 0, EINVAL);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);

	text = render(&s, VIEW_TEXT);
	assert_contains(text, "for 'evil?[31m' (test.data, label 'a,\"b\"'):\n\n      no run recorded\n");
	free(text);

	text = render(&s, VIEW_CSV);
	assert_string_equal(text, "file,run,event,value,unit,status,percent_counted,enabled_ns,running_ns\n");
	free(text);
	text = render(&s, VIEW_JSON);
	assert_contains(text, "\"command\": [\n        \"evil\\u001b[31m\"\n      ]");
	assert_contains(text, "\"runs\": []");
	free(text);
	summary_release(&s);
}

static void test_display_duplicate_names(void **state)
{
	struct recording r;
	struct summary s;
	struct rec_count c[] = { { 1, 5, 1, 1 }, { 2, 6, 1, 1 }, { 3, 7, 1, 1 } };
	char *text;

	(void)state;
	recording_start(&r);
	write_event(&r.w, 1, "dup", "", REC_EVENT_OPENED, 0, 0);
	write_event(&r.w, 2, "dup", "", REC_EVENT_OPENED, 0, 0);
	write_event(&r.w, 3, "bad\xff,name", "", REC_EVENT_OPENED, 0, 0);
	write_run_begin(&r.w, 0, T0);
	assert_int_equal(rec_write_counts(&r.w, T0 + MS, 0, REC_COUNTS_F_FINAL, c, 3), 0);
	write_run_end(&r.w, 0, T0 + 2 * MS, REC_EXIT_SIGNAL, SIGSEGV);
	assert_int_equal(rec_write_end(&r.w, T0 + 3 * MS), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);

	text = render(&s, VIEW_JSON);
	assert_contains(text, "\"dup\": {\n              \"value\": 5,");
	assert_contains(text, "\"dup#2\": {\n              \"value\": 6,");
	assert_contains(text, "\"bad\\ufffd,name\": {");
	assert_contains(text, "\"exit_status\": 139");
	assert_contains(text, "\"exit_signal\": 11");
	assert_contains(text, "\"exit_signal_name\": \"SIGSEGV\"");
	free(text);

	text = render(&s, VIEW_CSV);
	assert_contains(text, "test.data,0,\"bad\xff,name\",7,,counted,100,1,1\n");
	free(text);

	text = render(&s, VIEW_TEXT);
	assert_contains(text, " exit status 139 (killed by signal 11, SIGSEGV); 0 samples\n");
	free(text);
	summary_release(&s);
}

/*
 * Hardware events multiplexed as the collector opens them: a perf group
 * each (ids 1, 2, ...), the software ones in group 0. Each has its own
 * enabled and running times: the report scales each by its own, marks it
 * with the share of time it was counted, as perf does, and says "not
 * counted" for one never scheduled, in every format.
 */
static void write_multiplexed(struct rec_writer *w)
{
	static const struct {
		uint32_t group;
		const char *name, *unit;
	} ev[] = {
		{ 0, "task-clock", "ns" }, { 1, "cycles", "" },
		{ 2, "instructions", "" }, { 3, "branches", "" },
		{ 4, "cache-misses", "" }, { 0, "context-switches", "" },
	};
	uint64_t s = 1000 * MS;
	struct rec_count c[] = {
		{ 0, 500 * MS, s, s },
		{ 1, 1000, s, s / 2 },           /* half the time: 2,000 */
		{ 2, 3000, s, s / 4 },           /* a quarter: 12,000 */
		{ 3, 0, s, 0 },                  /* never on a counter */
		{ 4, 777, s, s },                /* all the time: exact */
		{ 5, 40, s, s },
	};

	for (uint32_t i = 0; i < 6; i++) {
		struct rec_event e = {
			.id = i, .group = ev[i].group, .perf_type = i && i < 5,
			.status = REC_EVENT_OPENED, .name = ev[i].name,
			.unit = ev[i].unit,
		};

		assert_int_equal(rec_write_event(w, &e), 0);
	}
	write_run_begin(w, 0, T0);
	assert_int_equal(rec_write_counts(w, T0 + s, 0, REC_COUNTS_F_FINAL, c, 6), 0);
	write_run_end(w, 0, T0 + s, REC_EXIT_NORMAL, 0);
	/* A run with no time to make a rate of: the marks stand alone. */
	write_run_begin(w, 1, T0 + 2 * s);
	assert_int_equal(rec_write_counts(w, T0 + 2 * s, 1, REC_COUNTS_F_FINAL, c, 6), 0);
	write_run_end(w, 1, T0 + 2 * s, REC_EXIT_NORMAL, 0);
	assert_int_equal(rec_write_end(w, T0 + 3 * s), 0);
}

/*
 * The text of write_multiplexed()'s two runs, each in full: two measured
 * runs are otherwise printed together (test_display.c), so --per-run.
 */
static void check_multiplexed_text(const struct summary *s)
{
	struct display_options o;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	display_options_init(&o);
	o.per_run = 1;
	display_text_with(out, s, &o);
	assert_int_equal(fclose(out), 0);

	assert_contains(text, " (test.data, run 0):\n");
	assert_contains(text, "            500.00 msec task-clock                #    0.500 CPUs utilized\n");
	assert_contains(text, "             2,000      cycles                    #    2.000 K/sec          (50.00%)\n");
	assert_contains(text, "            12,000      instructions              #   12.000 K/sec          (25.00%)\n");
	assert_contains(text, "     <not counted>      branches\n");
	/* Counted all the time: exact, and no mark. */
	assert_contains(text, "               777      cache-misses              #  777.000 /sec\n");
	assert_contains(text, "                40      context-switches          #   40.000 /sec\n");
	/* Run 1, without rates: the name is padded to where they would be. */
	assert_contains(text, " (test.data, run 1):\n");
	assert_contains(text, "             2,000      cycles                                              (50.00%)\n");
	assert_contains(text, "            12,000      instructions                                        (25.00%)\n");
	assert_contains(text, "               777      cache-misses\n");
	free(text);
}

static void test_display_multiplexed(void **state)
{
	struct recording r;
	struct summary s;
	char *text;

	(void)state;
	recording_start(&r);
	write_multiplexed(&r.w);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	assert_int_equal(s.nr_runs, 2);
	check_multiplexed_text(&s);

	text = render(&s, VIEW_JSON);
	assert_contains(text, "\"cycles\": {\n              \"value\": 2000,\n              \"unit\": \"\",\n              \"raw\": 1000,\n              \"status\": \"counted\",\n              \"percent_counted\": 50,\n              \"scaled\": true,");
	assert_contains(text, "\"enabled_ns\": 1000000000,\n              \"running_ns\": 500000000,\n              \"group\": 1,");
	assert_contains(text, "\"branches\": {\n              \"value\": null,\n              \"unit\": \"\",\n              \"raw\": 0,\n              \"status\": \"not counted\",\n              \"percent_counted\": 0,\n              \"scaled\": false,");
	assert_contains(text, "\"running_ns\": 0,\n              \"group\": 3,");
	assert_contains(text, "\"cache-misses\": {\n              \"value\": 777,\n              \"unit\": \"\",\n              \"raw\": 777,\n              \"status\": \"counted\",\n              \"percent_counted\": 100,\n              \"scaled\": false,");
	free(text);

	text = render(&s, VIEW_CSV);
	assert_contains(text, "test.data,0,cycles,2000,,counted,50,1000000000,500000000\n");
	assert_contains(text, "test.data,0,instructions,12000,,counted,25,1000000000,250000000\n");
	assert_contains(text, "test.data,0,branches,,,not counted,0,1000000000,0\n");
	assert_contains(text, "test.data,0,cache-misses,777,,counted,100,1000000000,1000000000\n");
	assert_contains(text, "test.data,1,cycles,2000,,counted,50,1000000000,500000000\n");
	free(text);
	summary_release(&s);
}

/* ---- the process tree (tree.c) ---- */

#define CMD_PID 4242u   /* write_run_begin()'s pid of run 0 */

/* A TASK record at T0 + at_ms. A thread FORK is (pid, new tid, ppid = pid). */
static void write_task(struct rec_writer *w, uint64_t at_ms, uint32_t kind,
		       uint32_t pid, uint32_t tid, uint32_t ppid,
		       const char *comm)
{
	struct rec_task t = {
		.time_ns = T0 + at_ms * MS, .kind = kind, .pid = pid,
		.tid = tid, .ppid = ppid, .ptid = ppid, .comm = comm,
	};

	assert_int_equal(rec_write_task(w, &t), 0);
}

static void write_fork(struct rec_writer *w, uint64_t at_ms, uint32_t pid,
		       uint32_t ppid)
{
	write_task(w, at_ms, REC_TASK_FORK, pid, pid, ppid, "");
}

static void write_exit(struct rec_writer *w, uint64_t at_ms, uint32_t pid,
		       uint32_t tid, uint32_t ppid)
{
	write_task(w, at_ms, REC_TASK_EXIT, pid, tid, ppid, "");
}

#define HAVE_ALL (REC_PROC_HAVE_CPU | REC_PROC_HAVE_FAULTS | \
		  REC_PROC_HAVE_CTXSW | REC_PROC_HAVE_RSS | \
		  REC_PROC_HAVE_HWM | REC_PROC_HAVE_THREADS)

/* A PROCS entry with every field: CPU in ms, memory in MiB. */
static struct rec_proc proc_entry(uint32_t pid, uint64_t user_ms,
				  uint64_t sys_ms, uint64_t minflt,
				  uint64_t nvcsw, uint64_t rss_mib,
				  uint64_t hwm_mib, uint32_t threads)
{
	return (struct rec_proc){
		.pid = pid, .have = HAVE_ALL,
		.utime_ns = user_ms * MS, .stime_ns = sys_ms * MS,
		.minflt = minflt, .majflt = minflt / 100,
		.nvcsw = nvcsw, .nivcsw = nvcsw / 10,
		.rss_bytes = rss_mib << 20, .hwm_bytes = hwm_mib << 20,
		.threads = threads,
	};
}

static void write_procs(struct rec_writer *w, uint64_t at_ms,
			const struct rec_proc *p, uint32_t nr)
{
	assert_int_equal(rec_write_procs(w, T0 + at_ms * MS, 0, p, nr), 0);
}

static void write_proc_exit(struct rec_writer *w, uint64_t at_ms,
			    uint32_t pid, uint32_t kind, int32_t code,
			    const struct rec_rusage *ru)
{
	struct rec_proc_exit e = {
		.time_ns = T0 + at_ms * MS, .pid = pid, .exit_kind = kind,
		.exit_code = code,
	};

	if (ru)
		e.rusage = *ru;
	assert_int_equal(rec_write_proc_exit(w, &e), 0);
}

static void write_lost(struct rec_writer *w, uint64_t at_ms, uint64_t lost)
{
	struct rec_lost l = { .time_ns = T0 + at_ms * MS, .lost = lost, .cpu = 3 };

	assert_int_equal(rec_write_lost(w, &l), 0);
}

static void write_mem_source(struct rec_writer *w, uint32_t backend,
			     uint32_t status, int32_t err, const char *source,
			     const char *why)
{
	struct rec_mem_source m = {
		.backend = backend, .status = status, .error = err,
		.source = source, .why = why,
	};

	assert_int_equal(rec_write_mem_source(w, &m), 0);
}

static void write_mem(struct rec_writer *w, uint32_t run, uint64_t at_ms,
		      uint32_t backend, uint64_t current, uint64_t peak,
		      uint32_t flags, uint32_t processes)
{
	struct rec_mem m = {
		.time_ns = T0 + at_ms * MS, .run = run, .backend = backend,
		.current_bytes = current, .peak_bytes = peak,
		.processes = processes, .flags = flags,
	};

	assert_int_equal(rec_write_mem(w, &m), 0);
}

/* META naming the command by a path, so its name is the basename. */
static void write_tree_meta(struct rec_writer *w)
{
	rec_meta_begin(w);
	rec_meta_str(w, "argv", "/opt/srv/server");
	rec_meta_str(w, "argv", "--port=80");
	rec_meta_u64(w, "interval_ns", 100 * MS);
	assert_int_equal(rec_finish(w), 0);
}

/* The view of the latest process with this pid. */
static void view_of(const struct summary_run *r, uint32_t pid,
		    struct tree_view *v)
{
	const struct tree_process *p = tree_find(&r->tree, pid);

	if (!p)
		fail_msg("no process %u", pid);
	tree_process_view(&r->tree, p, v);
}

#define assert_seconds(got, expect) \
	do { \
		double g_ = (got), e_ = (expect); \
		if (fabs(g_ - e_) > 1e-9) \
			fail_msg("%s is %.9f, not %.9f", #got, g_, e_); \
	} while (0)

static void test_tree_tasks(void **state)
{
	struct recording r;
	struct summary s;
	const struct summary_run *run;
	struct tree_view v;
	struct rec_proc p[2];

	(void)state;
	recording_start(&r);
	write_tree_meta(&r.w);
	write_run_begin(&r.w, 0, T0);
	/* The command's own exec, and two threads. */
	write_task(&r.w, 1, REC_TASK_EXEC, CMD_PID, CMD_PID, 0, "server");
	write_task(&r.w, 2, REC_TASK_FORK, CMD_PID, CMD_PID + 1, CMD_PID, "");
	write_task(&r.w, 3, REC_TASK_FORK, CMD_PID, CMD_PID + 2, CMD_PID, "");
	/* A child that execs, has a thread that renames itself (not the
	 * process), renames its main thread, and ends before its thread. */
	write_fork(&r.w, 10, 5000, CMD_PID);
	write_task(&r.w, 11, REC_TASK_EXEC, 5000, 5000, 0, "worker");
	write_task(&r.w, 12, REC_TASK_FORK, 5000, 5001, 5000, "");
	write_task(&r.w, 13, REC_TASK_COMM, 5000, 5001, 0, "io-thread");
	write_task(&r.w, 14, REC_TASK_COMM, 5000, 5000, 0, "worker-main");
	/* A grandchild too short-lived for any PROCS entry. */
	write_fork(&r.w, 15, 6000, 5000);
	write_exit(&r.w, 16, 6000, 6000, 5000);
	write_exit(&r.w, 20, 5000, 5000, CMD_PID);
	write_exit(&r.w, 25, 5000, 5001, CMD_PID);
	/* Exec from a thread: the main thread's EXIT comes first. */
	write_fork(&r.w, 30, 7000, CMD_PID);
	write_task(&r.w, 31, REC_TASK_FORK, 7000, 7001, 7000, "");
	write_exit(&r.w, 40, 7000, 7000, CMD_PID);
	write_task(&r.w, 41, REC_TASK_EXEC, 7000, 7000, 0, "exec-ed");
	write_exit(&r.w, 50, 7000, 7000, CMD_PID);
	p[0] = proc_entry(CMD_PID, 100, 20, 300, 50, 10, 12, 3);
	p[1] = proc_entry(5000, 10, 5, 40, 4, 2, 3, 2);
	write_procs(&r.w, 18, p, 2);
	/* The command's threads: one ends before the main thread, one after. */
	write_exit(&r.w, 90, CMD_PID, CMD_PID + 1, 4000);
	write_exit(&r.w, 100, CMD_PID, CMD_PID, 4000);
	write_exit(&r.w, 101, CMD_PID, CMD_PID + 2, 4000);
	write_run_end(&r.w, 0, T0 + 110 * MS, REC_EXIT_NORMAL, 0);
	assert_int_equal(rec_write_end(&r.w, T0 + 120 * MS), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);

	run = &s.runs[0];
	assert_true(summary_run_has_tree(run));
	assert_false(summary_run_has_memory(run));
	assert_int_equal(run->tree.nr, 4);
	assert_int_equal(tree_threads(&run->tree), 4);
	assert_int_equal(run->tree.lost, 0);

	view_of(run, CMD_PID, &v);
	assert_string_equal(v.command, "server");
	assert_true(v.has_start && v.has_end);
	assert_seconds(v.start_seconds, 0.0);
	assert_seconds(v.end_seconds, 0.101);
	assert_int_equal(v.threads, 3);
	assert_true(v.has_ppid && v.ppid == 4000);
	assert_true(v.has_exit && v.exit_status == 0 && v.exit_signal == 0);
	assert_true(v.has_cpu);
	assert_seconds(v.user_seconds, 0.1);
	assert_seconds(v.sys_seconds, 0.02);
	assert_true(v.has_peak_rss && v.peak_rss == 12u << 20);

	view_of(run, 5000, &v);
	assert_string_equal(v.command, "worker-main");
	assert_true(v.has_ppid && v.ppid == CMD_PID);
	assert_seconds(v.start_seconds, 0.010);
	assert_seconds(v.end_seconds, 0.025);
	assert_int_equal(v.threads, 2);
	assert_false(v.has_exit);
	assert_true(v.has_faults && v.minflt == 40);
	assert_true(v.has_ctxsw && v.nvcsw == 4 && !v.ctxsw_main_only);

	/* Named after its parent at fork; never read: unknown, not 0. */
	view_of(run, 6000, &v);
	assert_string_equal(v.command, "worker-main");
	assert_true(v.has_ppid && v.ppid == 5000);
	assert_seconds(v.end_seconds, 0.016);
	assert_false(v.has_cpu || v.has_faults || v.has_ctxsw || v.has_peak_rss);
	assert_int_equal(v.no_figures, 1);
	assert_int_equal(v.threads, 1);

	view_of(run, 7000, &v);
	assert_string_equal(v.command, "exec-ed");
	assert_seconds(v.end_seconds, 0.050);
	assert_int_equal(v.threads, 2);
	summary_release(&s);
}

static void test_tree_out_of_order(void **state)
{
	struct recording r;
	struct summary s;
	const struct summary_run *run;
	const struct tree_process *old;
	struct tree_view v;
	struct rec_proc p;

	(void)state;
	recording_start(&r);
	write_tree_meta(&r.w);
	/* Before any run: TASK and PROC_EXIT have no command to hang on
	 * and are skipped; a LOST is kept for the first run. */
	write_fork(&r.w, 0, 1, 0);
	write_proc_exit(&r.w, 0, 1, REC_EXIT_NORMAL, 0, NULL);
	write_lost(&r.w, 0, 5);
	write_run_begin(&r.w, 0, T0);
	/* Figures and the end of 8000 before its FORK. */
	p = proc_entry(8000, 30, 0, 10, 1, 1, 1, 1);
	write_procs(&r.w, 5, &p, 1);
	write_exit(&r.w, 8, 8000, 8000, CMD_PID);
	write_fork(&r.w, 2, 8000, CMD_PID);
	/* 9000: only its EXIT came. */
	write_exit(&r.w, 20, 9000, 9000, CMD_PID);
	/* 8000 again after its end: the pid was reused. */
	write_fork(&r.w, 30, 8000, CMD_PID);
	p = proc_entry(8000, 10, 0, 5, 1, 1, 1, 1);
	write_procs(&r.w, 35, &p, 1);
	/* 8100 ends; its FINAL entry is kept, a later smaller one (a new
	 * process with its pid, FORK not yet written) is not. */
	write_fork(&r.w, 40, 8100, CMD_PID);
	p = proc_entry(8100, 50, 0, 10, 1, 1, 1, 1);
	write_procs(&r.w, 45, &p, 1);
	write_exit(&r.w, 50, 8100, 8100, CMD_PID);
	p = proc_entry(8100, 60, 0, 12, 1, 1, 1, 1);
	p.flags = REC_PROC_F_FINAL;
	write_procs(&r.w, 51, &p, 1);
	p = proc_entry(8100, 10, 0, 1, 1, 1, 1, 1);
	write_procs(&r.w, 60, &p, 1);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);

	run = &s.runs[0];
	/* The command, 8000 twice, 9000, 8100; pid 1 was never taken. */
	assert_int_equal(run->tree.nr, 5);
	assert_int_equal(run->tree.lost, 5);
	assert_null(tree_find(&run->tree, 1));

	old = &run->tree.procs[1];
	assert_int_equal(old->pid, 8000);
	tree_process_view(&run->tree, old, &v);
	assert_seconds(v.start_seconds, 0.002);
	assert_seconds(v.end_seconds, 0.008);
	assert_string_equal(v.command, "server");
	assert_seconds(v.user_seconds, 0.030);

	view_of(run, 8000, &v);
	assert_true(tree_find(&run->tree, 8000) != old);
	assert_seconds(v.start_seconds, 0.030);
	assert_false(v.has_end);
	assert_seconds(v.user_seconds, 0.010);

	view_of(run, 9000, &v);
	assert_false(v.has_start);
	assert_true(v.has_end && v.has_ppid && v.ppid == CMD_PID);
	assert_string_equal(v.command, "");

	view_of(run, 8100, &v);
	assert_seconds(v.user_seconds, 0.060);
	assert_true(v.minflt == 12);
	summary_release(&s);
}

static void test_tree_figures(void **state)
{
	struct recording r;
	struct summary s;
	const struct summary_run *run;
	struct tree_view v;
	struct rec_proc p[3];
	struct rec_rusage ru = {
		.utime_us = 500000, .stime_us = 250000, .maxrss_kib = 6144,
		.minflt = 77, .majflt = 2, .nvcsw = 9, .nivcsw = 8,
	};

	(void)state;
	recording_start(&r);
	write_tree_meta(&r.w);
	write_run_begin(&r.w, 0, T0);
	write_fork(&r.w, 1, 100, CMD_PID);
	write_fork(&r.w, 1, 200, CMD_PID);
	write_fork(&r.w, 2, 201, 200);
	write_fork(&r.w, 3, 300, CMD_PID);
	write_task(&r.w, 4, REC_TASK_FORK, 300, 301, 300, "");
	p[0] = proc_entry(100, 400, 200, 70, 5, 4, 5, 1);
	p[1] = proc_entry(200, 100, 100, 50, 5, 7, 8, 1);
	p[2] = proc_entry(300, 10, 10, 10, 10, 1, 0, 1);
	p[2].have &= ~REC_PROC_HAVE_HWM;
	write_procs(&r.w, 10, p, 3);
	/* 300: CPU only, then switches of the main thread only, then a
	 * higher RSS with no hwm at all. */
	p[0] = (struct rec_proc){ .pid = 300, .have = REC_PROC_HAVE_CPU,
				  .utime_ns = 20 * MS, .stime_ns = 30 * MS };
	p[1] = (struct rec_proc){ .pid = 300, .have = REC_PROC_HAVE_CTXSW_MAIN,
				  .nvcsw = 3, .nivcsw = 1 };
	p[2] = (struct rec_proc){ .pid = 300, .have = REC_PROC_HAVE_RSS,
				  .rss_bytes = 3u << 20 };
	write_procs(&r.w, 20, &p[0], 1);
	write_procs(&r.w, 30, &p[1], 1);
	write_procs(&r.w, 40, &p[2], 1);
	write_exit(&r.w, 50, 100, 100, CMD_PID);
	write_exit(&r.w, 50, 201, 201, 200);
	write_exit(&r.w, 51, 200, 200, CMD_PID);
	/* Reaped by pprobe: 100 had no child, 200 had 201. */
	write_proc_exit(&r.w, 60, 100, REC_EXIT_NORMAL, 3, &ru);
	write_proc_exit(&r.w, 61, 200, REC_EXIT_SIGNAL, SIGSEGV, &ru);
	/* The command killed; its PROC_EXIT wins over RUN_END. */
	write_proc_exit(&r.w, 70, CMD_PID, REC_EXIT_SIGNAL, SIGKILL, NULL);
	write_run_end(&r.w, 0, T0 + 80 * MS, REC_EXIT_NORMAL, 0);
	assert_int_equal(rec_write_end(&r.w, T0 + 90 * MS), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	run = &s.runs[0];

	/* Childless and reaped: the kernel's rusage, and its ru_maxrss. */
	view_of(run, 100, &v);
	assert_seconds(v.user_seconds, 0.5);
	assert_seconds(v.sys_seconds, 0.25);
	assert_true(v.minflt == 77 && v.majflt == 2 && v.nvcsw == 9 && v.nivcsw == 8);
	assert_true(v.peak_rss == 6144u << 10);
	assert_true(v.has_exit && v.exit_status == 3 && v.exit_signal == 0);
	/* With a child: rusage would count it, so the /proc figures. */
	view_of(run, 200, &v);
	assert_seconds(v.user_seconds, 0.1);
	assert_true(v.minflt == 50 && v.peak_rss == 8u << 20);
	assert_true(v.has_exit && v.exit_status == 128 + SIGSEGV &&
		    v.exit_signal == SIGSEGV);
	/* Each group from the latest entry that had it; RSS without hwm. */
	view_of(run, 300, &v);
	assert_seconds(v.user_seconds, 0.020);
	assert_seconds(v.sys_seconds, 0.030);
	assert_true(v.has_faults && v.minflt == 10);
	assert_true(v.has_ctxsw && v.nvcsw == 3 && v.ctxsw_main_only);
	assert_true(v.has_peak_rss && v.peak_rss == 3u << 20);
	assert_false(v.has_end);
	view_of(run, CMD_PID, &v);
	assert_true(v.has_exit && v.exit_status == 137 && v.exit_signal == SIGKILL);
	assert_false(v.has_cpu);
	summary_release(&s);

	/* With lost records a child's FORK may be the one lost: no rusage. */
	recording_start(&r);
	write_tree_meta(&r.w);
	write_run_begin(&r.w, 0, T0);
	write_fork(&r.w, 1, 100, CMD_PID);
	p[0] = proc_entry(100, 400, 200, 70, 5, 4, 5, 1);
	write_procs(&r.w, 10, p, 1);
	write_lost(&r.w, 20, 1);
	write_proc_exit(&r.w, 60, 100, REC_EXIT_NORMAL, 0, &ru);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);
	view_of(&s.runs[0], 100, &v);
	assert_seconds(v.user_seconds, 0.4);
	assert_true(v.peak_rss == 5u << 20);
	summary_release(&s);

	/* The main thread's switches of a process with no other thread are
	 * all its switches: nothing to warn about. */
	{
		struct tree t;
		struct rec_proc e = { .pid = 7, .have = REC_PROC_HAVE_CTXSW_MAIN,
				      .nvcsw = 5 };

		tree_init(&t);
		assert_int_equal(tree_begin(&t, 7, T0, "one"), 0);
		assert_int_equal(tree_add_proc(&t, &e), 0);
		tree_process_view(&t, tree_find(&t, 7), &v);
		assert_true(v.has_ctxsw && v.nvcsw == 5 && !v.ctxsw_main_only);
		tree_release(&t);
	}

	/* TASK records written after RUN_END: the command's exit is RUN_END's. */
	recording_start(&r);
	write_tree_meta(&r.w);
	write_run_begin(&r.w, 0, T0);
	write_run_end(&r.w, 0, T0 + 80 * MS, REC_EXIT_NORMAL, 4);
	write_exit(&r.w, 79, CMD_PID, CMD_PID, 4000);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);
	view_of(&s.runs[0], CMD_PID, &v);
	assert_true(v.has_exit && v.exit_status == 4);
	assert_string_equal(v.command, "server");
	assert_seconds(v.end_seconds, 0.079);
	summary_release(&s);
}

/* A command path longer than a name holds is cut on a character. */
/*
 * record -p: the tasks found running are PRESENT records; their /proc
 * figures count from their birth, so what the table shows starts at the
 * first reading; the run has no exit status and no rusage.
 */
static void test_tree_attached(void **state)
{
	struct recording r;
	struct summary s;
	const struct summary_run *run;
	struct tree_view v;
	struct rec_proc p[2];
	double user, sys;
	int status, sig;

	(void)state;
	recording_start(&r);
	rec_meta_begin(&r.w);
	rec_meta_u64(&r.w, "attach_pid", CMD_PID);
	rec_meta_u64(&r.w, "attach_pid", 77);
	assert_int_equal(rec_finish(&r.w), 0);
	write_run_begin(&r.w, 0, T0);
	write_task(&r.w, 0, REC_TASK_PRESENT, CMD_PID, CMD_PID, 1, "server");
	write_task(&r.w, 0, REC_TASK_PRESENT, CMD_PID, CMD_PID + 1, CMD_PID, "worker");
	write_task(&r.w, 0, REC_TASK_PRESENT, 500, 500, CMD_PID, "server");
	write_fork(&r.w, 5, 600, 500);
	p[0] = proc_entry(CMD_PID, 1000, 500, 90, 40, 5, 9, 2);
	p[1] = proc_entry(500, 30, 20, 10, 10, 1, 1, 1);
	write_procs(&r.w, 1, p, 2);
	p[0] = proc_entry(CMD_PID, 1250, 600, 95, 44, 6, 9, 2);
	p[1] = proc_entry(500, 30, 20, 10, 10, 1, 1, 1);
	write_procs(&r.w, 50, p, 2);
	p[0] = proc_entry(600, 7, 3, 5, 2, 1, 1, 1);
	write_procs(&r.w, 60, p, 1);
	write_run_end(&r.w, 0, T0 + 100 * MS, REC_EXIT_ATTACHED, 0);
	assert_int_equal(rec_write_end(&r.w, T0 + 100 * MS), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	run = &s.runs[0];

	assert_int_equal(s.nr_attach_pids, 2);
	assert_int_equal(s.attach_pids[1], 77);
	assert_int_equal(summary_run_cpu_seconds(run, &user, &sys), -1);
	assert_int_equal(summary_run_exit(run, &status, &sig), -1);
	assert_int_equal(run->tree.nr, 3);

	view_of(run, CMD_PID, &v);
	assert_string_equal(v.command, "server");
	assert_true(v.has_ppid && v.ppid == 1);
	assert_seconds(v.start_seconds, 0);
	assert_seconds(v.user_seconds, 0.250);
	assert_seconds(v.sys_seconds, 0.100);
	assert_true(v.minflt == 5 && v.nvcsw == 4);
	assert_true(v.threads == 2);
	assert_false(v.has_exit);
	/* Nothing happened in 500 while recorded. */
	view_of(run, 500, &v);
	assert_seconds(v.user_seconds, 0);
	assert_true(v.minflt == 0 && v.nvcsw == 0);
	/* Born during the recording: all its figures are the recording's. */
	view_of(run, 600, &v);
	assert_seconds(v.user_seconds, 0.007);
	assert_true(v.minflt == 5);
	summary_release(&s);
}

static void test_tree_long_name(void **state)
{
	struct tree t;
	const struct tree_process *p;
	/* 30 ASCII bytes, then "é" (2 bytes) straddling byte 31. */
	const char *name = "abcdefghijklmnopqrstuvwxyz0123\xc3\xa9";

	(void)state;
	tree_init(&t);
	assert_int_equal(tree_begin(&t, 1, T0, name), 0);
	p = tree_find(&t, 1);
	assert_non_null(p);
	assert_string_equal(p->command, "abcdefghijklmnopqrstuvwxyz0123");
	tree_release(&t);
}

/* PROCS every tick for a steady tree: memory follows processes only. */
static void test_tree_memory_bounded(void **state)
{
	struct recording r;
	struct summary s;
	struct rec_proc p[3];

	(void)state;
	recording_start(&r);
	write_tree_meta(&r.w);
	write_run_begin(&r.w, 0, T0);
	write_fork(&r.w, 0, 10, CMD_PID);
	write_fork(&r.w, 0, 11, CMD_PID);
	for (uint64_t tick = 1; tick <= 5000; tick++) {
		p[0] = proc_entry(CMD_PID, tick, 0, tick, 0, 1, 1, 1);
		p[1] = proc_entry(10, tick, 0, tick, 0, 1, 1, 1);
		p[2] = proc_entry(11, tick, 0, tick, 0, 1, 1, 1);
		write_procs(&r.w, tick, p, 3);
		write_mem(&r.w, 0, tick, REC_MEM_RSS, tick << 10, 0, 0, 3);
	}
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);
	assert_int_equal(s.runs[0].tree.nr, 3);
	assert_true(s.runs[0].tree.alloc <= 16);
	assert_int_equal(s.runs[0].memory[0].readings, 5000);
	summary_release(&s);
}

/* Adds a process to t by hand: FORK at ms, and a PROCS entry. */
static void tree_child(struct tree *t, uint32_t pid, const char *comm,
		       uint64_t at_ms, uint64_t cpu_ms, uint64_t rss_mib)
{
	struct rec_task fork = {
		.time_ns = T0 + at_ms * MS, .kind = REC_TASK_FORK, .pid = pid,
		.tid = pid, .ppid = CMD_PID, .ptid = CMD_PID, .comm = "",
	};
	struct rec_task exec = fork;
	struct rec_proc p = proc_entry(pid, cpu_ms, cpu_ms / 2, cpu_ms * 10,
				       cpu_ms, rss_mib, rss_mib, 1);

	exec.kind = REC_TASK_EXEC;
	exec.comm = comm;
	assert_int_equal(tree_add_task(t, &fork), 0);
	assert_int_equal(tree_add_task(t, &exec), 0);
	if (cpu_ms)
		assert_int_equal(tree_add_proc(t, &p), 0);
}

static void sample_tree(struct tree *t)
{
	struct rec_proc p = proc_entry(CMD_PID, 5, 5, 1, 1, 50, 50, 1);

	tree_init(t);
	assert_int_equal(tree_begin(t, CMD_PID, T0, "server"), 0);
	assert_int_equal(tree_add_proc(t, &p), 0);
	/* 6 workers: more than TREE_COLLAPSE_ABOVE, one row. */
	for (uint32_t i = 0; i < 6; i++)
		tree_child(t, 100 + i, "worker", 10 + i, 100 + i, 2 + i);
	/* 5 helpers: not more than it, a row each. */
	for (uint32_t i = 0; i < 5; i++)
		tree_child(t, 200 + i, "helper", 20 + i, 1000 * (i + 1), 1);
	/* 6 more "server" children: collapsed, but never with the command. */
	for (uint32_t i = 0; i < 6; i++)
		tree_child(t, 300 + i, "server", 30 + i, i ? 1 : 0, 1);
}

static void test_tree_rows_collapse(void **state)
{
	struct tree t;
	struct tree_view *rows;
	size_t nr;
	const struct tree_view *worker = NULL, *servers = NULL;

	(void)state;
	sample_tree(&t);
	assert_int_equal(tree_rows(&t, TREE_SORT_CPU, 1, &rows, &nr), 0);
	/* command, worker ×6, 5 helpers, server ×6 */
	assert_int_equal(nr, 8);
	for (size_t i = 0; i < nr; i++) {
		if (!strcmp(rows[i].command, "worker"))
			worker = &rows[i];
		if (!strcmp(rows[i].command, "server") && rows[i].count > 1)
			servers = &rows[i];
		if (!strcmp(rows[i].command, "helper"))
			assert_int_equal(rows[i].count, 1);
	}
	assert_non_null(worker);
	assert_int_equal(worker->count, 6);
	assert_int_equal(worker->pid, 100);
	assert_true(worker->has_ppid && worker->ppid == CMD_PID);
	/* Sums: 100+101+...+105 ms user, each half of it sys. */
	assert_seconds(worker->user_seconds, 0.615);
	assert_true(worker->minflt == 6150);
	assert_true(worker->peak_rss == 7u << 20);   /* the largest */
	assert_seconds(worker->start_seconds, 0.010);
	assert_false(worker->has_end);               /* none ended */
	assert_int_equal(worker->threads, 6);
	assert_false(worker->has_exit);
	assert_non_null(servers);
	assert_int_equal(servers->count, 6);
	assert_int_equal(servers->no_figures, 1);    /* 300 was never read */
	/* By CPU, descending: the helpers first, 5000 ms down. */
	assert_int_equal(rows[0].pid, 204);
	assert_int_equal(rows[4].pid, 200);
	assert_string_equal(rows[5].command, "worker");
	free(rows);

	/* Without collapsing: every process. */
	assert_int_equal(tree_rows(&t, TREE_SORT_PID, 0, &rows, &nr), 0);
	assert_int_equal(nr, 18);
	assert_int_equal(rows[0].pid, 100);
	assert_int_equal(rows[nr - 1].pid, CMD_PID);
	free(rows);
	tree_release(&t);
}

/* The pid of row i for each sort key. */
static void assert_order(struct tree *t, enum tree_sort key,
			 const uint32_t *pids, size_t n)
{
	struct tree_view *rows;
	size_t nr;

	assert_int_equal(tree_rows(t, key, 0, &rows, &nr), 0);
	assert_true(nr >= n);
	for (size_t i = 0; i < n; i++)
		if (rows[i].pid != pids[i])
			fail_msg("sort %d: row %zu is pid %u, not %u", key, i,
				 rows[i].pid, pids[i]);
	free(rows);
}

static void test_tree_rows_sort(void **state)
{
	struct tree t;
	enum tree_sort key;
	struct rec_task exit_task = {
		.time_ns = T0 + 99 * MS, .kind = REC_TASK_EXIT, .pid = 2,
		.tid = 2, .ppid = CMD_PID, .comm = "",
	};

	(void)state;
	tree_init(&t);
	assert_int_equal(tree_begin(&t, CMD_PID, T0, "zz"), 0);
	tree_child(&t, 3, "bb", 30, 10, 9);
	tree_child(&t, 2, "cc", 20, 30, 1);
	tree_child(&t, 1, "aa", 10, 20, 5);
	assert_int_equal(tree_add_task(&t, &exit_task), 0);
	exit_task.pid = exit_task.tid = 1;
	exit_task.time_ns = T0 + 50 * MS;
	assert_int_equal(tree_add_task(&t, &exit_task), 0);

	{
		const uint32_t cpu[] = { 2, 1, 3, CMD_PID };  /* unknown last */
		const uint32_t pid[] = { 1, 2, 3, CMD_PID };
		const uint32_t start[] = { CMD_PID, 1, 2, 3 };
		const uint32_t end[] = { 1, 2, 3, CMD_PID };  /* unknown last */
		const uint32_t faults[] = { 2, 1, 3 };
		const uint32_t rss[] = { 3, 1, 2 };
		const uint32_t command[] = { 1, 3, 2, CMD_PID };

		assert_order(&t, TREE_SORT_CPU, cpu, 4);
		assert_order(&t, TREE_SORT_USER, cpu, 4);
		assert_order(&t, TREE_SORT_SYS, cpu, 4);
		assert_order(&t, TREE_SORT_VCSW, cpu, 3);
		assert_order(&t, TREE_SORT_IVCSW, cpu, 3);
		assert_order(&t, TREE_SORT_PID, pid, 4);
		assert_order(&t, TREE_SORT_START, start, 4);
		assert_order(&t, TREE_SORT_END, end, 4);
		assert_order(&t, TREE_SORT_FAULTS, faults, 3);
		assert_order(&t, TREE_SORT_RSS, rss, 3);
		assert_order(&t, TREE_SORT_COMMAND, command, 4);
	}
	assert_int_equal(tree_sort_parse("faults", &key), 0);
	assert_int_equal(key, TREE_SORT_FAULTS);
	assert_int_equal(tree_sort_parse("cpu", &key), 0);
	assert_int_equal(key, TREE_SORT_CPU);
	assert_int_equal(tree_sort_parse("CPU", &key), -1);
	assert_int_equal(tree_sort_parse("", &key), -1);
	tree_release(&t);

	/* An empty tree has no rows. */
	{
		struct tree_view *rows = (struct tree_view *)&t;
		size_t nr = 99;

		tree_init(&t);
		assert_int_equal(tree_rows(&t, TREE_SORT_CPU, 1, &rows, &nr), 0);
		assert_null(rows);
		assert_int_equal(nr, 0);
	}
}

/* ---- memory backends (memory_series.c) ---- */

static struct rec_mem mem_reading(uint64_t at_ms, uint32_t backend,
				  uint64_t current, uint64_t peak,
				  uint32_t flags)
{
	return (struct rec_mem){
		.time_ns = T0 + at_ms * MS, .backend = backend,
		.current_bytes = current, .peak_bytes = peak, .flags = flags,
		.processes = 2,
	};
}

static void test_memory_series(void **state)
{
	struct memory_series m;
	struct rec_mem r;
	struct rec_mem_source src = {
		.backend = REC_MEM_CGROUP, .status = REC_MEM_SOURCE_RECORDING,
		.source = "cgroup v1 memory.max_usage_in_bytes", .why = "",
	};

	(void)state;
	/* Without its own peak: the largest current, first time seen. */
	memory_series_init(&m);
	assert_false(memory_series_recorded(&m));
	r = mem_reading(100, REC_MEM_RSS, 10, 0, 0);
	memory_series_add(&m, &r);
	r = mem_reading(200, REC_MEM_RSS, 50, 0, 0);
	memory_series_add(&m, &r);
	r = mem_reading(300, REC_MEM_RSS, 50, 0, 0);
	memory_series_add(&m, &r);
	r = mem_reading(400, REC_MEM_RSS, 7, 999, REC_MEM_F_FINAL);
	memory_series_add(&m, &r);  /* peak_bytes without the flag: ignored */
	assert_true(memory_series_recorded(&m));
	assert_true(m.initial == 10 && m.peak == 50 && m.final == 7);
	assert_true(m.peak_ns == T0 + 200 * MS);
	assert_true(m.readings == 4 && m.final_flagged && !m.has_own_peak);
	memory_series_release(&m);

	/* With its own peak: a spike between readings is kept. */
	memory_series_init(&m);
	assert_int_equal(memory_series_set_source(&m, &src), 0);
	r = mem_reading(100, REC_MEM_CGROUP, 10, 10, REC_MEM_F_PEAK);
	memory_series_add(&m, &r);
	r = mem_reading(200, REC_MEM_CGROUP, 12, 80, REC_MEM_F_PEAK);
	memory_series_add(&m, &r);
	r = mem_reading(300, REC_MEM_CGROUP, 11, 80, REC_MEM_F_PEAK);
	memory_series_add(&m, &r);
	assert_true(m.initial == 10 && m.peak == 80 && m.final == 11);
	assert_true(m.peak_ns == T0 + 200 * MS && m.has_own_peak);
	assert_true(m.declared && memory_series_recorded(&m));
	assert_string_equal(m.source, "cgroup v1 memory.max_usage_in_bytes");
	/* A current above the kept peak (the flag was off) still counts. */
	r = mem_reading(400, REC_MEM_CGROUP, 90, 0, 0);
	memory_series_add(&m, &r);
	assert_true(m.peak == 90);
	memory_series_release(&m);

	/* Unavailable: declared, not recorded. */
	memory_series_init(&m);
	src = (struct rec_mem_source){
		.backend = REC_MEM_PSS, .status = REC_MEM_SOURCE_UNAVAILABLE,
		.error = EACCES, .source = "smaps_rollup", .why = "not permitted",
	};
	assert_int_equal(memory_series_set_source(&m, &src), 0);
	assert_false(memory_series_recorded(&m));
	assert_string_equal(m.why, "not permitted");
	memory_series_release(&m);

	assert_string_equal(memory_backend_name(REC_MEM_HWM), "hwm");
	assert_null(memory_backend_name(99));
	assert_int_equal(memory_backend_index(REC_MEM_RSS), 0);
	assert_int_equal(memory_backend_index(0), -1);
	assert_int_equal(memory_backend_index(REC_MEM_RUSAGE + 1), -1);
	assert_false(memory_backend_has_current(REC_MEM_RUSAGE));
	assert_true(memory_backend_has_current(REC_MEM_PSS));
	assert_string_equal(memory_backend_what(99), "unknown backend");
}

static void test_memory_missed_peak(void **state)
{
	const uint64_t mib = 1ull << 20;
	uint64_t gap = 0;

	(void)state;
	/* Not below at all. */
	assert_false(memory_missed_peak(100 * mib, 100 * mib, &gap));
	assert_false(memory_missed_peak(200 * mib, 100 * mib, &gap));
	/* The byte floor: exactly 1 MiB below is not, one byte more is
	 * (on a true peak small enough for 10% to be no limit). */
	assert_false(memory_missed_peak(1 * mib, 2 * mib, &gap));
	assert_true(memory_missed_peak(1 * mib - 1, 2 * mib, &gap));
	assert_true(gap == mib + 1);
	/* The percentage: exactly 10% below is not, one byte more is. */
	assert_false(memory_missed_peak(90 * mib, 100 * mib, &gap));
	assert_true(memory_missed_peak(90 * mib - 1, 100 * mib, &gap));
	assert_true(gap == 10 * mib + 1);
	/* A true peak not divisible by 100: 1001 MiB + 5 bytes. */
	{
		uint64_t t = 1001 * mib + 5, limit = t / 10;  /* floor */

		assert_false(memory_missed_peak(t - limit, t, &gap));
		assert_true(memory_missed_peak(t - limit - 1, t, &gap));
	}
	/* Huge figures do not overflow. */
	assert_true(memory_missed_peak(0, UINT64_MAX, &gap));
	assert_true(gap == UINT64_MAX);
	assert_false(memory_missed_peak(UINT64_MAX - mib, UINT64_MAX, &gap));
	/* The spike workload: 40 MiB sampled, 104 MiB true. */
	assert_true(memory_missed_peak(40 * mib, 104 * mib, &gap));
	assert_true(gap == 64 * mib);
}

/* Series with one reading each: peak_mib < 0 leaves a backend out. */
static void fill_series(struct memory_series series[MEMORY_BACKENDS],
			const long peak_mib[MEMORY_BACKENDS], uint32_t processes)
{
	for (uint32_t b = REC_MEM_RSS; b <= REC_MEM_RUSAGE; b++) {
		int i = memory_backend_index(b);
		struct rec_mem r = mem_reading(100, b, 0, 0, 0);

		memory_series_init(&series[i]);
		if (peak_mib[i] < 0)
			continue;
		r.current_bytes = (uint64_t)peak_mib[i] << 20;
		r.processes = processes;
		memory_series_add(&series[i], &r);
	}
}

static void test_memory_spikes(void **state)
{
	struct memory_series series[MEMORY_BACKENDS];
	struct memory_spike spikes[2];
	struct rec_mem_source unavailable = {
		.backend = REC_MEM_HWM, .status = REC_MEM_SOURCE_UNAVAILABLE,
		.source = "", .why = "no",
	};

	(void)state;
	/* rss against hwm (one process: no caveat); pss against cgroup. */
	{
		const long peaks[] = { 40, 30, 104, 100, 200 };

		fill_series(series, peaks, 1);
		assert_int_equal(memory_spikes(series, spikes), 2);
		assert_int_equal(spikes[0].sampled, REC_MEM_RSS);
		assert_int_equal(spikes[0].against, REC_MEM_HWM);
		assert_true(spikes[0].gap == 64u << 20);
		assert_false(spikes[0].summed_over_processes);
		assert_false(spikes[0].includes_page_cache);
		assert_int_equal(spikes[1].sampled, REC_MEM_PSS);
		assert_int_equal(spikes[1].against, REC_MEM_CGROUP);
		assert_true(spikes[1].includes_page_cache);
	}
	/* hwm summed over processes: the caveat. pss is never held to hwm,
	 * which counts shared pages once per process. */
	{
		const long peaks[] = { 40, 10, 104, -1, -1 };

		fill_series(series, peaks, 3);
		assert_int_equal(memory_spikes(series, spikes), 1);
		assert_int_equal(spikes[0].sampled, REC_MEM_RSS);
		assert_true(spikes[0].summed_over_processes);
	}
	/* rss within the thresholds of hwm: no warning, and hwm (present)
	 * is the one compared, not a far larger cgroup. */
	{
		const long peaks[] = { 100, -1, 105, 500, -1 };

		fill_series(series, peaks, 1);
		assert_int_equal(memory_spikes(series, spikes), 0);
	}
	/* No hwm reading: rss against cgroup. An unavailable hwm with a
	 * stray reading is not a true peak either. */
	{
		const long peaks[] = { 10, -1, 300, 50, -1 };

		fill_series(series, peaks, 1);
		assert_int_equal(memory_series_set_source(&series[2], &unavailable), 0);
		assert_int_equal(memory_spikes(series, spikes), 1);
		assert_int_equal(spikes[0].against, REC_MEM_CGROUP);
		assert_true(spikes[0].true_peak == 50u << 20);
		memory_series_release(&series[2]);
	}
	/* Nothing sampled, or nothing true: no warning. */
	{
		const long peaks[] = { -1, -1, 300, 50, 400 };
		const long peaks2[] = { 1, 1, -1, -1, 400 };

		fill_series(series, peaks, 1);
		assert_int_equal(memory_spikes(series, spikes), 0);
		fill_series(series, peaks2, 1);
		assert_int_equal(memory_spikes(series, spikes), 0);
	}
}

static void test_memory_format_bytes(void **state)
{
	char buf[MEMORY_BYTES_MAX];

	(void)state;
	assert_string_equal(memory_format_bytes(buf, 0), "0 B");
	assert_string_equal(memory_format_bytes(buf, 1023), "1023 B");
	assert_string_equal(memory_format_bytes(buf, 1024), "1.0 KiB");
	assert_string_equal(memory_format_bytes(buf, 1536), "1.5 KiB");
	assert_string_equal(memory_format_bytes(buf, (1u << 20) - 1), "1.0 MiB");
	assert_string_equal(memory_format_bytes(buf, 168191590), "160.4 MiB");
	assert_string_equal(memory_format_bytes(buf, 12900000), "12.3 MiB");
	assert_string_equal(memory_format_bytes(buf, 3ull << 30), "3.0 GiB");
	assert_string_equal(memory_format_bytes(buf, 5ull << 40), "5.0 TiB");
	assert_string_equal(memory_format_bytes(buf, UINT64_MAX), "16.0 EiB");
}

/* ---- display of the tree and memory ---- */

/*
 * A small JSON parser that only says whether a text is one valid JSON
 * value (RFC 8259): the report's JSON must load in any reader.
 */
static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

static const char *json_value(const char *p, int depth);

static const char *json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
					return NULL;
			p += 4;
		} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
			return NULL;
		}
	}
	return p + 1;
}

static const char *json_digits(const char *p)
{
	const char *start = p;

	while (*p >= '0' && *p <= '9')
		p++;
	return p > start ? p : NULL;
}

static const char *json_num(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (!(p = json_digits(p)))
		return NULL;
	if (*p == '.' && !(p = json_digits(p + 1)))
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = json_digits(p);
	}
	return p;
}

static const char *json_container(const char *p, int depth, char close)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		p = json_ws(p);
		if (close == '}') {
			p = json_str(p);
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p, depth + 1);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, int depth)
{
	p = json_ws(p);
	if (depth > 64)
		return NULL;
	switch (*p) {
	case '{':
		return json_container(p, depth, '}');
	case '[':
		return json_container(p, depth, ']');
	case '"':
		return json_str(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return json_num(p);
	}
}

static int json_valid(const char *text)
{
	const char *end = json_value(text, 0);

	return end && !*json_ws(end);
}

static void test_json_validator(void **state)
{
	(void)state;
	assert_true(json_valid("{\"a\": [1, -2.5e3, true, null, \"x\\u00e9\"], \"b\": {}}"));
	assert_false(json_valid("{\"a\": 1,}"));
	assert_false(json_valid("{\"a\" 1}"));
	assert_false(json_valid("[1] 2"));
	assert_false(json_valid("\"\\x\""));
	assert_false(json_valid("01"));
}

/* A run with counters, a tree of a server and its workers, and memory. */
static void write_tree_recording(struct rec_writer *w, int lost)
{
	struct rec_proc p[2];
	struct rec_rusage ru = { .utime_us = 1000, .maxrss_kib = 1024 };

	write_tree_meta(w);
	write_mem_source(w, REC_MEM_RSS, REC_MEM_SOURCE_RECORDING, 0,
			 "/proc/<pid>/statm", "");
	write_mem_source(w, REC_MEM_PSS, REC_MEM_SOURCE_UNAVAILABLE, EACCES,
			 "/proc/<pid>/smaps_rollup",
			 "smaps_rollup cannot be read: Permission denied");
	write_mem_source(w, REC_MEM_HWM, REC_MEM_SOURCE_RECORDING, 0,
			 "VmHWM", "");
	write_mem_source(w, REC_MEM_CGROUP, REC_MEM_SOURCE_RECORDING, 0,
			 "cgroup v1 memory.max_usage_in_bytes", "");
	write_mem_source(w, REC_MEM_RUSAGE, REC_MEM_SOURCE_RECORDING, 0,
			 "wait4 ru_maxrss", "");
	write_events(w);
	write_run_begin(w, 0, T0);
	write_task(w, 2, REC_TASK_FORK, CMD_PID, CMD_PID + 1, CMD_PID, "");
	for (uint32_t i = 0; i < 8; i++) {
		write_fork(w, 10 + i, 5000 + i, CMD_PID);
		write_exit(w, 12 + i, 5000 + i, 5000 + i, CMD_PID);
		write_proc_exit(w, 13 + i, 5000 + i, REC_EXIT_NORMAL, 0, &ru);
	}
	write_fork(w, 30, 6000, CMD_PID);
	write_task(w, 31, REC_TASK_EXEC, 6000, 6000, 0, "sh,\"odd\"");
	if (lost)
		write_lost(w, 35, 12);
	p[0] = proc_entry(CMD_PID, 1230, 410, 1203, 120, 10, 12, 2);
	p[0].nivcsw = 35;
	p[0].majflt = 0;
	p[1] = proc_entry(6000, 0, 10, 50, 0, 1, 1, 1);
	write_sample(w, 0, T0, 100, 0, 10);
	write_procs(w, 100, p, 2);
	for (uint64_t i = 1; i <= 3; i++) {
		uint64_t rss = (i == 3 ? 2 : 40) << 20;

		write_mem(w, 0, 100 * i, REC_MEM_RSS, rss, 0,
			  i == 3 ? REC_MEM_F_FINAL : 0, 2);
		write_mem(w, 0, 100 * i, REC_MEM_HWM, rss + (64u << 20), 0, 0, 1);
		write_mem(w, 0, 100 * i, REC_MEM_CGROUP, rss, 105u << 20,
			  REC_MEM_F_PEAK, 0);
	}
	write_mem(w, 0, 340, REC_MEM_RUSAGE, 0, 100u << 20,
		  REC_MEM_F_PEAK | REC_MEM_F_FINAL, 0);
	write_exit(w, 330, 6000, 6000, CMD_PID);
	write_exit(w, 335, CMD_PID, CMD_PID, 4000);
	write_exit(w, 336, CMD_PID, CMD_PID + 1, 4000);
	write_run_end(w, 0, T0 + 340 * MS, REC_EXIT_NORMAL, 0);
	write_sample(w, 0, T0, 341, REC_COUNTS_F_FINAL, 10);
	assert_int_equal(rec_write_end(w, T0 + 400 * MS), 0);
}

static void test_display_tree_text(void **state)
{
	struct recording r;
	struct summary s;
	struct display_options o;
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	(void)state;
	recording_start(&r);
	write_tree_recording(&r.w, 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);

	text = render(&s, VIEW_TEXT);
	/* The counters are as before; the sections come after them. */
	assert_contains(text, " exit status 0; 1 sample, interval 100 ms\n\n"
		" processes: 10 (1 thread), lost records: 0\n"
		"     pid    ppid  command               start s    end s  threads    user s    sys s      vcsw    ivcsw    minflt  majflt   peak RSS  exit\n"
		"    4242    4000  server                  0.000    0.336        2     1.230    0.410       120       35      1203       0   12.0 MiB     0\n"
		"    6000    4242  sh,\"odd\"                0.030    0.330        1     0.000    0.010         0        0        50       0    1.0 MiB     -\n"
		"       -    4242  server \u00d78               0.010    0.019        8     0.008    0.000         0        0         0       0    1.0 MiB     -\n"
		" \u00d7N: the N processes of one command, in one row: figures summed, peak RSS the largest (--no-collapse lists them)\n"
		"\n"
		" memory        initial       peak   peak at      final  what it is\n"
		"   rss        40.0 MiB   40.0 MiB   0.100 s    2.0 MiB  sum of RSS per tick (/proc/<pid>/statm): an upper bound (a shared page is counted once per process that maps it)\n"
		"   pss     (unavailable: smaps_rollup cannot be read: Permission denied)\n"
		"   hwm       104.0 MiB  104.0 MiB   0.100 s   66.0 MiB  per-process high-water marks, summed (VmHWM): never misses a spike; an upper bound of the tree's peak\n"
		"   cgroup     40.0 MiB  105.0 MiB   0.100 s    2.0 MiB  the tree's cgroup (cgroup v1 memory.max_usage_in_bytes): exact for the whole tree, includes page cache\n"
		"   rusage            -  100.0 MiB         -          -  ru_maxrss of the reaped tree (wait4 ru_maxrss): the largest single process, not the tree\n"
		" warning: the sampled rss peak (40.0 MiB) is 64.0 MiB below the hwm peak (104.0 MiB): a spike lasted less than the sampling interval\n"
		"\n");
	free(text);

	/* --no-collapse --top 3 --sort pid */
	display_options_init(&o);
	o.collapse = 0;
	o.top = 3;
	o.sort = TREE_SORT_PID;
	out = open_memstream(&text, &size);
	assert_non_null(out);
	display_text_with(out, &s, &o);
	fclose(out);
	assert_contains(text, "    4242    4000  server  ");
	assert_contains(text, "\n    5000    4242  server                  0.010    0.012        1     0.001    0.000         0        0         0       0    1.0 MiB     0\n"
		"    5001    4242  server  ");
	assert_contains(text, " \u2026 and 7 more processes (--top 0 shows every row)\n");
	assert_null(strstr(text, "\u00d7"));
	free(text);
	summary_release(&s);

	/* Lost records are shown, never hidden. */
	recording_start(&r);
	write_tree_recording(&r.w, 1);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	text = render(&s, VIEW_TEXT);
	assert_contains(text, " processes: 10 (1 thread), lost records: 12: the process count and lifetimes are incomplete\n");
	/* ... and with them, rusage is not trusted for a process's figures. */
	assert_contains(text, "server \u00d78               0.010    0.019        8         -        -");
	assert_contains(text, " 8 processes without CPU figures (-) ended before a tick could read them; they are counted above\n");
	free(text);
	text = render(&s, VIEW_JSON);
	assert_contains(text, "\"tree\": {\n            \"processes\": 10,\n            \"threads\": 1,\n            \"lost_records\": 12\n          }");
	free(text);
	summary_release(&s);
}

static void test_display_tree_json_csv(void **state)
{
	static const char *const process_keys[] = {
		"pid", "ppid", "command", "start_seconds", "end_seconds",
		"threads", "user_seconds", "sys_seconds", "voluntary_switches",
		"involuntary_switches", "minor_faults", "major_faults",
		"peak_rss_bytes", "exit_status", "exit_signal",
	};
	static const char *const memory_keys[] = {
		"initial_bytes", "peak_bytes", "final_bytes", "peak_seconds",
		"readings", "status", "source", "why", "label",
	};
	struct recording r;
	struct summary s;
	char *text, key[64];

	(void)state;
	recording_start(&r);
	write_tree_recording(&r.w, 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);

	text = render(&s, VIEW_JSON);
	assert_true(json_valid(text));
	for (size_t i = 0; i < sizeof(process_keys) / sizeof(process_keys[0]); i++) {
		snprintf(key, sizeof(key), "\"%s\": ", process_keys[i]);
		assert_contains(text, key);
	}
	for (size_t i = 0; i < sizeof(memory_keys) / sizeof(memory_keys[0]); i++) {
		snprintf(key, sizeof(key), "\"%s\": ", memory_keys[i]);
		assert_contains(text, key);
	}
	/* Existing keys are still there, in their place. */
	assert_contains(text, "\"interval_ms_max\": null,\n          \"rusage\": {");
	assert_contains(text, "\"tree\": {\n            \"processes\": 10,\n            \"threads\": 1,\n            \"lost_records\": 0\n          },\n          \"processes\": [");
	assert_contains(text, "{\n              \"pid\": 4242,\n              \"ppid\": 4000,\n              \"command\": \"server\",\n              \"start_seconds\": 0,\n              \"end_seconds\": 0.336,\n              \"threads\": 2,\n              \"user_seconds\": 1.23,\n              \"sys_seconds\": 0.41,\n              \"voluntary_switches\": 120,\n              \"involuntary_switches\": 35,\n              \"switches_main_thread_only\": false,\n              \"minor_faults\": 1203,\n              \"major_faults\": 0,\n              \"peak_rss_bytes\": 12582912,\n              \"exit_status\": 0,\n              \"exit_signal\": null\n            }");
	assert_contains(text, "\"command\": \"sh,\\\"odd\\\"\"");
	assert_contains(text, "\"rss\": {\n              \"initial_bytes\": 41943040,\n              \"peak_bytes\": 41943040,\n              \"final_bytes\": 2097152,\n              \"peak_seconds\": 0.1,\n              \"readings\": 3,\n              \"own_peak\": false,\n              \"status\": \"recorded\",\n              \"source\": \"/proc/<pid>/statm\",\n              \"why\": null,\n              \"label\": \"sum of RSS per tick: an upper bound (a shared page is counted once per process that maps it)\",\n              \"missed_spike\": {\n                \"against\": \"hwm\",\n                \"against_peak_bytes\": 109051904,\n                \"gap_bytes\": 67108864\n              }\n            }");
	assert_contains(text, "\"pss\": {\n              \"initial_bytes\": null,\n              \"peak_bytes\": null,\n              \"final_bytes\": null,\n              \"peak_seconds\": null,\n              \"readings\": 0,\n              \"own_peak\": false,\n              \"status\": \"unavailable\",\n              \"source\": \"/proc/<pid>/smaps_rollup\",\n              \"why\": \"smaps_rollup cannot be read: Permission denied\"");
	assert_contains(text, "\"rusage\": {\n              \"initial_bytes\": null,\n              \"peak_bytes\": 104857600,\n              \"final_bytes\": null,\n              \"peak_seconds\": null,");
	assert_contains(text, "\"cgroup\": {\n              \"initial_bytes\": 41943040,\n              \"peak_bytes\": 110100480,");
	free(text);

	text = render(&s, VIEW_CSV_PROCESSES);
	assert_contains(text, "file,run,pid,ppid,command,start_seconds,end_seconds,threads,user_seconds,sys_seconds,voluntary_switches,involuntary_switches,minor_faults,major_faults,peak_rss_bytes,exit_status\n"
		"test.data,0,4242,4000,server,0,0.336,2,1.23,0.41,120,35,1203,0,12582912,0\n"
		"test.data,0,5000,4242,server,0.01,0.012,1,0.001,0,0,0,0,0,1048576,0\n");
	assert_contains(text, "test.data,0,6000,4242,\"sh,\"\"odd\"\"\",0.03,0.33,1,0,0.01,0,0,50,0,1048576,\n");
	free(text);

	text = render(&s, VIEW_CSV_MEMORY);
	assert_string_equal(text,
		"file,run,backend,status,initial_bytes,peak_bytes,final_bytes,peak_seconds,readings,source\n"
		"test.data,0,rss,recorded,41943040,41943040,2097152,0.1,3,/proc/<pid>/statm\n"
		"test.data,0,pss,unavailable,,,,,0,/proc/<pid>/smaps_rollup\n"
		"test.data,0,hwm,recorded,109051904,109051904,69206016,0.1,3,VmHWM\n"
		"test.data,0,cgroup,recorded,41943040,110100480,2097152,0.1,3,cgroup v1 memory.max_usage_in_bytes\n"
		"test.data,0,rusage,recorded,,104857600,,,1,wait4 ru_maxrss\n");
	free(text);

	/* The per-event CSV is unchanged by the new records. */
	text = render(&s, VIEW_CSV);
	assert_contains(text, "file,run,event,value,unit,status,percent_counted,enabled_ns,running_ns\n"
		"test.data,0,task-clock,682,msec,counted,100,341000000,341000000\n");
	free(text);
	summary_release(&s);
}

/* Memory sources per run: inherited, replaced, and runs of their own. */
static void test_summary_memory_runs(void **state)
{
	struct recording r;
	struct summary s;

	(void)state;
	recording_start(&r);
	write_mem_source(&r.w, REC_MEM_RSS, REC_MEM_SOURCE_RECORDING, 0, "statm", "");
	write_run_begin(&r.w, 0, T0);
	write_mem(&r.w, 0, 100, REC_MEM_RSS, 5, 0, 0, 1);
	write_mem(&r.w, 0, 100, 77, 5, 0, 0, 1);       /* a future backend */
	write_mem_source(&r.w, 77, 0, 0, "future", "");
	write_run_end(&r.w, 0, T0 + 200 * MS, REC_EXIT_NORMAL, 0);
	/* Between runs: for the next run, not the ended one. */
	write_mem_source(&r.w, REC_MEM_CGROUP, REC_MEM_SOURCE_UNAVAILABLE, EPERM,
			 "cgroup", "cannot create a cgroup: use --mem=hwm");
	write_run_begin(&r.w, 1, T0 + 1000 * MS);
	write_mem(&r.w, 1, 1100, REC_MEM_RSS, 9, 0, 0, 1);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);
	assert_int_equal(s.nr_runs, 2);
	assert_true(s.runs[0].memory[0].declared && s.runs[0].memory[0].readings == 1);
	assert_false(s.runs[0].memory[3].declared);
	assert_true(s.runs[1].memory[0].declared && s.runs[1].memory[0].peak == 9);
	assert_true(s.runs[1].memory[3].declared);
	assert_false(memory_series_recorded(&s.runs[1].memory[3]));
	assert_true(summary_run_has_memory(&s.runs[0]));
	assert_false(summary_run_has_tree(&s.runs[0]));
	summary_release(&s);

	/* PROCS and MEM of a run that never began are corrupt. */
	recording_start(&r);
	write_run_begin(&r.w, 0, T0);
	write_mem(&r.w, 4, 100, REC_MEM_RSS, 5, 0, 0, 1);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	assert_non_null(strstr(s.end_detail, "MEM for run 4"));
	summary_release(&s);
	recording_start(&r);
	write_run_begin(&r.w, 0, T0);
	assert_int_equal(rec_write_procs(&r.w, T0, 2, NULL, 0), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	assert_non_null(strstr(s.end_detail, "PROCS for run 2"));
	summary_release(&s);

	/* A TASK record too short to decode is corrupt. */
	recording_start(&r);
	write_run_begin(&r.w, 0, T0);
	rec_begin(&r.w, REC_TASK);
	rec_put_u64(&r.w, T0);
	assert_int_equal(rec_finish(&r.w), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_CORRUPT);
	assert_non_null(strstr(s.end_detail, "TASK"));
	summary_release(&s);
}

/* A format 1.0 file: the report prints exactly what it printed before. */
static void test_display_format_1_0(void **state)
{
	static const char minor0[2] = { 0, 0 };
	struct recording r;
	struct summary s;
	char *text;

	(void)state;
	recording_start(&r);
	write_complete(&r.w);
	assert_int_equal(rec_writer_flush(&r.w), 0);
	assert_int_equal(pwrite(fileno(r.file), minor0, 2, 10), 2);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	assert_int_equal(s.minor, 0);
	assert_false(summary_run_has_tree(&s.runs[0]));
	assert_false(summary_run_has_memory(&s.runs[0]));

	text = render(&s, VIEW_TEXT);
	assert_string_equal(text,
		"\n"
		" Performance counter stats for './pingpong 20000' (test.data):\n"
		"\n"
		"            682.00 msec task-clock                #    2.006 CPUs utilized\n"
		"             3,410      context-switches          #   10.029 K/sec\n"
		"   <not supported>      cycles\n"
		"           682,000      instructions:u            #    2.006 M/sec          (50.00%)\n"
		"     <not counted>      page-faults\n"
		"\n"
		"       0.340000000 seconds time elapsed\n"
		"\n"
		"       0.456000000 seconds user\n"
		"       0.789000000 seconds sys\n"
		"\n"
		" exit status 0; 3 samples, interval 100 ms (achieved 102.0 ms mean, 104.0 ms max)\n"
		"\n"
		" note: counted in user mode only (perf_event_paranoid=2); kernel-side work is missing from these values\n"
		"\n");
	free(text);

	text = render(&s, VIEW_CSV);
	assert_string_equal(text,
		"file,run,event,value,unit,status,percent_counted,enabled_ns,running_ns\n"
		"test.data,0,task-clock,682,msec,counted,100,341000000,341000000\n"
		"test.data,0,context-switches,3410,,counted,100,341000000,341000000\n"
		"test.data,0,cycles,,,not supported,,,\n"
		"test.data,0,instructions,682000,,counted,50,341000000,170500000\n"
		"test.data,0,page-faults,,,not counted,0,341000000,0\n"
		"test.data,0,duration_time,0.34,s,counted,,,\n"
		"test.data,0,user_time,0.456,s,counted,,,\n"
		"test.data,0,system_time,0.789,s,counted,,,\n");
	free(text);

	/* JSON: every key as before, then "tree": null, no processes, no
	 * memory, no load. */
	text = render(&s, VIEW_JSON);
	assert_true(json_valid(text));
	assert_contains(text, "\"format_version\": \"1.0\"");
	assert_contains(text, "\"open_error\": null\n            }\n          },\n"
		"          \"tree\": null,\n"
		"          \"processes\": [],\n"
		"          \"memory\": {},\n"
		"          \"load\": null\n"
		"        }\n");
	free(text);

	text = render(&s, VIEW_CSV_PROCESSES);
	assert_string_equal(text, "file,run,pid,ppid,command,start_seconds,end_seconds,threads,user_seconds,sys_seconds,voluntary_switches,involuntary_switches,minor_faults,major_faults,peak_rss_bytes,exit_status\n");
	free(text);
	text = render(&s, VIEW_CSV_MEMORY);
	assert_string_equal(text, "file,run,backend,status,initial_bytes,peak_bytes,final_bytes,peak_seconds,readings,source\n");
	free(text);
	summary_release(&s);
}

/* ---- the load window of `record --load` (summary.c, load_view.c) ---- */

#define LOAD_COMMAND "loadgen -c 8 -n 1000 127.0.0.1:7000"

/* A LOAD record at t; an END's load exited 0 after 0.12 s user, 0.03 s sys. */
static void write_load(struct rec_writer *w, uint32_t run, uint64_t t,
		       uint32_t kind, uint32_t flags, uint64_t requests,
		       const char *command, const char *output)
{
	struct rec_load l = {
		.time_ns = t, .run = run, .kind = kind, .pid = 7000 + run,
		.flags = flags, .requests = requests,
		.command = command, .output = output,
	};

	if (kind == REC_LOAD_END) {
		l.exit_kind = REC_EXIT_NORMAL;
		l.rusage.utime_us = 120000;
		l.rusage.stime_us = 30000;
	}
	assert_int_equal(rec_write_load(w, &l), 0);
}

/*
 * Run 0 under a load from 100 to 300 ms: readings at 100 (then BEGIN),
 * 200, 300 (then END), the run's end at 340 and its FINAL at 341. The
 * FINAL's counts must not leak into the window.
 */
static void write_load_recording(struct rec_writer *w, int cut)
{
	write_meta(w);
	write_events(w);
	write_run_begin(w, 0, T0);
	write_sample(w, 0, T0, 100, 0, 10);
	write_load(w, 0, T0 + 100 * MS, REC_LOAD_BEGIN, 0, 0, LOAD_COMMAND, "");
	write_sample(w, 0, T0, 200, 0, 10);
	write_sample(w, 0, T0, 300, 0, 10);
	if (cut)
		return;
	write_load(w, 0, T0 + 300 * MS, REC_LOAD_END, REC_LOAD_F_REQUESTS, 1000,
		   LOAD_COMMAND, "x\nloadgen: 1000 requests in 1 s\n\n");
	write_run_end(w, 0, T0 + 340 * MS, REC_EXIT_NORMAL, 0);
	write_sample(w, 0, T0, 341, REC_COUNTS_F_FINAL, 10);
	assert_int_equal(rec_write_end(w, T0 + 400 * MS), 0);
}

static void test_summary_load(void **state)
{
	struct recording r;
	struct summary s;
	const struct summary_run *run;
	const struct summary_load *l;
	struct load_per_request pr;
	double seconds, value;
	char *text;

	(void)state;
	recording_start(&r);
	write_load_recording(&r.w, 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	run = &s.runs[0];
	l = &run->load;
	assert_true(l->began && l->ended);
	assert_true(l->begin_ns == T0 + 100 * MS && l->end_ns == T0 + 300 * MS);
	assert_int_equal(l->pid, 7000);
	assert_string_equal(l->command, LOAD_COMMAND);
	assert_int_equal(l->flags, REC_LOAD_F_REQUESTS);
	assert_int_equal(l->requests, 1000);
	assert_int_equal(l->exit_kind, REC_EXIT_NORMAL);
	assert_int_equal(l->exit_code, 0);
	assert_int_equal(l->rusage.utime_us, 120000);
	/* The output's last line that is not empty. */
	assert_string_equal(l->last_line, "loadgen: 1000 requests in 1 s");

	assert_int_equal(summary_load_seconds(run, &seconds), 0);
	assert_true(fabs(seconds - 0.2) < 1e-12);
	/* 10 switches per ms over 200 ms; not the FINAL's 3410 - 1000. */
	assert_int_equal(summary_load_delta(&s, run, (size_t)event_index(&s, EV_CS), &value), 0);
	assert_true(value == 2000.0);
	/* task-clock in ns: 2 CPUs for 200 ms. */
	assert_int_equal(summary_load_delta(&s, run, (size_t)event_index(&s, EV_TASK_CLOCK), &value), 0);
	assert_true(value == 400.0 * MS);
	/* instructions, counted half the time at both edges: scaled. */
	assert_int_equal(summary_load_delta(&s, run, (size_t)event_index(&s, EV_INSTRUCTIONS), &value), 0);
	assert_true(value == 400000.0);
	/* Never ran, not supported, not an event. */
	assert_int_equal(summary_load_delta(&s, run, (size_t)event_index(&s, EV_PAGE_FAULTS), &value), -1);
	assert_int_equal(summary_load_delta(&s, run, (size_t)event_index(&s, EV_CYCLES), &value), -1);
	assert_int_equal(summary_load_delta(&s, run, s.nr_events, &value), -1);

	/* The run's rusage (write_run_end()) per request. */
	assert_int_equal(load_per_request(run, &pr), 0);
	assert_true(fabs(pr.user_us - 456.0) < 1e-9);
	assert_true(fabs(pr.sys_us - 789.0) < 1e-9);
	assert_true(fabs(pr.nvcsw - 40.0) < 1e-9);
	assert_true(fabs(pr.nivcsw - 0.012) < 1e-12);
	assert_true(fabs(pr.minflt - 0.32) < 1e-12);

	text = render(&s, VIEW_TEXT);
	assert_contains(text, " load: " LOAD_COMMAND " (pid 7000, exit 0)\n"
			"       loadgen: 1000 requests in 1 s\n"
			"       window 0.200 s, from 0.100 s to 0.300 s of the run; "
			"1000 requests, 5000.0 per second\n");
	assert_contains(text, "context-switches");
	assert_contains(text, "456.00 usec user, 789.00 usec sys");
	free(text);
	text = render(&s, VIEW_JSON);
	assert_true(json_valid(text));
	assert_contains(text, "\"command\": \"" LOAD_COMMAND "\"");
	assert_contains(text, "\"ended\": true");
	assert_contains(text, "\"exit_status\": 0");
	assert_contains(text, "\"seconds\": 0.2");
	assert_contains(text, "\"requests\": 1000");
	assert_contains(text, "\"requests_per_second\": 5000");
	assert_contains(text, "\"output_last_line\": \"loadgen: 1000 requests in 1 s\"");
	assert_contains(text, "\"user_us\": 456");
	free(text);
	summary_release(&s);
}

/*
 * A multiplexed event is scaled at each edge with that edge's own
 * enabled/running; a window whose scaled counts go down is 0; an event
 * not running at the end, or not read at the start, has no figure. An
 * END without REC_LOAD_F_REQUESTS has no count, whatever requests says.
 */
static void test_summary_load_multiplexed(void **state)
{
	const struct rec_count begin[] = {
		{ EV_TASK_CLOCK, 500, 1000, 250 },   /* 2000 scaled */
		{ EV_CS, 10, 10, 10 },
		{ EV_INSTRUCTIONS, 100, 100, 50 },   /* 200 scaled */
	};
	const struct rec_count end[] = {
		{ EV_TASK_CLOCK, 600, 2000, 1000 },  /* 1200 scaled */
		{ EV_CS, 30, 20, 0 },                /* not running */
		{ EV_INSTRUCTIONS, 300, 400, 100 },  /* 1200 scaled */
		{ EV_PAGE_FAULTS, 5, 5, 5 },         /* not at the BEGIN */
	};
	struct recording r;
	struct summary s;
	const struct summary_run *run;
	struct load_per_request pr;
	double value;
	char *text;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	write_run_begin(&r.w, 0, T0);
	assert_int_equal(rec_write_counts(&r.w, T0 + 10 * MS, 0, 0, begin, 3), 0);
	write_load(&r.w, 0, T0 + 10 * MS, REC_LOAD_BEGIN, 0, 0, "sleep 1", "");
	assert_int_equal(rec_write_counts(&r.w, T0 + 20 * MS, 0, 0, end, 4), 0);
	write_load(&r.w, 0, T0 + 20 * MS, REC_LOAD_END, REC_LOAD_F_STOPPED, 77,
		   "sleep 1", "77 requests\n");
	write_run_end(&r.w, 0, T0 + 30 * MS, REC_EXIT_NORMAL, 0);
	assert_int_equal(rec_write_end(&r.w, T0 + 40 * MS), 0);
	assert_int_equal(recording_read(&r, &s, 0), REC_DONE);
	run = &s.runs[0];

	assert_int_equal(summary_load_delta(&s, run, (size_t)event_index(&s, EV_INSTRUCTIONS), &value), 0);
	assert_true(value == 1000.0);
	assert_int_equal(summary_load_delta(&s, run, (size_t)event_index(&s, EV_TASK_CLOCK), &value), 0);
	assert_true(value == 0.0);
	assert_int_equal(summary_load_delta(&s, run, (size_t)event_index(&s, EV_CS), &value), -1);
	assert_int_equal(summary_load_delta(&s, run, (size_t)event_index(&s, EV_PAGE_FAULTS), &value), -1);
	assert_int_equal(load_per_request(run, &pr), -1);

	text = render(&s, VIEW_TEXT);
	assert_contains(text, " load: sleep 1 (pid 7000, exit 0, stopped by pprobe: the server ended first)\n");
	assert_contains(text, "no request count in its output");
	free(text);
	text = render(&s, VIEW_JSON);
	assert_true(json_valid(text));
	assert_contains(text, "\"stopped\": true");
	assert_contains(text, "\"requests\": null");
	assert_contains(text, "\"rusage_per_request\": null");
	free(text);
	summary_release(&s);
}

/*
 * What the reader refuses of LOAD records: REC_ERR_CORRUPT at the bad
 * record, saying what, with what came before it kept.
 */
static void expect_load_corrupt(struct recording *r, uint64_t offset,
				const char *detail)
{
	struct summary s;

	assert_int_equal(recording_read(r, &s, 0), REC_ERR_CORRUPT);
	assert_int_equal(s.end_offset, offset);
	if (!strstr(s.end_detail, detail))
		fail_msg("'%s' not in the detail '%s'", detail, s.end_detail);
	assert_true(strstr(s.end_detail, "LOAD") || strstr(s.end_detail, "load"));
	/* The good BEGIN before a bad record is kept. */
	if (s.nr_runs && s.runs[0].load.began)
		assert_string_equal(s.runs[0].load.command, "first");
	summary_release(&s);
}

/* A run 0 begun, with a COUNTS; the offset where the next record goes. */
static uint64_t start_load_run(struct recording *r, int begin_load)
{
	recording_start(r);
	write_events(&r->w);
	write_run_begin(&r->w, 0, T0);
	write_sample(&r->w, 0, T0, 100, 0, 10);
	if (begin_load)
		write_load(&r->w, 0, T0 + 100 * MS, REC_LOAD_BEGIN, 0, 0, "first", "");
	assert_int_equal(rec_writer_flush(&r->w), 0);
	return r->w.flushed;
}

static void test_summary_load_corrupt(void **state)
{
	struct recording r;
	uint64_t at;

	(void)state;
	/* A load of a run that has not begun. */
	at = start_load_run(&r, 0);
	write_load(&r.w, 3, T0 + 100 * MS, REC_LOAD_BEGIN, 0, 0, "x", "");
	expect_load_corrupt(&r, at, "LOAD for run 3, which has not begun");

	/* A second BEGIN in a run, and one after the END. */
	at = start_load_run(&r, 1);
	write_load(&r.w, 0, T0 + 200 * MS, REC_LOAD_BEGIN, 0, 0, "second", "");
	expect_load_corrupt(&r, at, "run 0 has a second load");
	at = start_load_run(&r, 1);
	write_load(&r.w, 0, T0 + 200 * MS, REC_LOAD_END, 0, 0, "first", "");
	assert_int_equal(rec_writer_flush(&r.w), 0);
	at = r.w.flushed;
	write_load(&r.w, 0, T0 + 300 * MS, REC_LOAD_BEGIN, 0, 0, "second", "");
	expect_load_corrupt(&r, at, "run 0 has a second load");

	/* An END without a BEGIN, and a second END. */
	at = start_load_run(&r, 0);
	write_load(&r.w, 0, T0 + 200 * MS, REC_LOAD_END, 0, 0, "first", "");
	expect_load_corrupt(&r, at, "run 0: a load ends that did not begin");
	at = start_load_run(&r, 1);
	write_load(&r.w, 0, T0 + 200 * MS, REC_LOAD_END, 0, 0, "first", "");
	assert_int_equal(rec_writer_flush(&r.w), 0);
	at = r.w.flushed;
	write_load(&r.w, 0, T0 + 300 * MS, REC_LOAD_END, 0, 0, "first", "");
	expect_load_corrupt(&r, at, "run 0: a load ends that did not begin");

	/* An END before its BEGIN in time. */
	at = start_load_run(&r, 1);
	write_load(&r.w, 0, T0 + 100 * MS - 1, REC_LOAD_END, 0, 0, "first", "");
	expect_load_corrupt(&r, at, "run 0: its load ends before it began");

	/* A payload shorter than the fixed part, and a string past it. */
	at = start_load_run(&r, 0);
	rec_begin(&r.w, REC_LOAD);
	rec_put_u64(&r.w, T0);
	rec_put_u32(&r.w, 0);
	rec_put_u32(&r.w, REC_LOAD_BEGIN);
	assert_int_equal(rec_finish(&r.w), 0);
	expect_load_corrupt(&r, at, "LOAD record does not decode");
	at = start_load_run(&r, 0);
	rec_begin(&r.w, REC_LOAD);
	rec_put_u64(&r.w, T0 + 100 * MS);
	rec_put_u32(&r.w, 0);
	rec_put_u32(&r.w, REC_LOAD_BEGIN);
	for (int i = 0; i < 12; i++)
		rec_put_u64(&r.w, 0);
	rec_put_u32(&r.w, 1000);       /* command: 1000 bytes said */
	rec_put_u32(&r.w, 0);
	assert_int_equal(rec_finish(&r.w), 0);
	expect_load_corrupt(&r, at, "LOAD record does not decode");
}

/*
 * A load that began and never ended (the file cut off): no window, no
 * figures over it, and the views say so.
 */
static void test_summary_load_cut_off(void **state)
{
	struct recording r;
	struct summary s;
	const struct summary_run *run;
	struct load_per_request pr;
	struct json_writer w;
	double seconds = 42, value = 42;
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	(void)state;
	recording_start(&r);
	write_load_recording(&r.w, 1);
	assert_int_equal(recording_read(&r, &s, 0), REC_ERR_TRUNCATED);
	run = &s.runs[0];
	assert_true(run->load.began);
	assert_false(run->load.ended);
	assert_null(run->load.last_line);
	assert_int_equal(summary_load_seconds(run, &seconds), -1);
	assert_true(seconds == 42);
	for (size_t i = 0; i < s.nr_events; i++)
		assert_int_equal(summary_load_delta(&s, run, i, &value), -1);
	assert_true(value == 42);
	assert_int_equal(load_per_request(run, &pr), -1);

	out = open_memstream(&text, &size);
	assert_non_null(out);
	load_view_text(out, &s, run);
	fclose(out);
	assert_contains(text, " load: " LOAD_COMMAND " (pid 7000, no end recorded)\n");
	assert_contains(text, "the load has no end in the file: no figures over it\n");
	free(text);

	text = NULL;
	out = open_memstream(&text, &size);
	assert_non_null(out);
	json_writer_init(&w, out);
	json_begin_object(&w, NULL);
	load_view_json(&w, &s, run);
	json_end_object(&w);
	fclose(out);
	assert_true(json_valid(text));
	assert_contains(text, "\"ended\": false");
	assert_contains(text, "\"exit_status\": null");
	assert_contains(text, "\"end_seconds\": null");
	assert_contains(text, "\"seconds\": null");
	assert_contains(text, "\"load_rusage\": null");
	assert_contains(text, "\"counters\": {}");
	free(text);

	/* The whole report too. */
	text = render(&s, VIEW_TEXT);
	assert_contains(text, "has no end in the file");
	free(text);
	text = render(&s, VIEW_JSON);
	assert_true(json_valid(text));
	free(text);
	summary_release(&s);
}

/* A run of a variant, under a load named `load` unless NULL. */
static void write_load_variant_run(struct rec_writer *w, uint32_t run,
				   uint32_t variant, uint64_t begin,
				   const char *load)
{
	struct rec_run_begin b = { .time_ns = begin, .run = run,
				   .pid = 4242 + run, .variant = variant };

	assert_int_equal(rec_write_run_begin(w, &b), 0);
	write_sample(w, run, begin, 100, 0, 10);
	if (load)
		write_load(w, run, begin + 100 * MS, REC_LOAD_BEGIN, 0, 0, load, "");
	write_sample(w, run, begin, 200, 0, 20);
	if (load)
		write_load(w, run, begin + 200 * MS, REC_LOAD_END,
			   REC_LOAD_F_REQUESTS, 50, load, "50 requests\n");
	write_run_end(w, run, begin + 300 * MS, REC_EXIT_NORMAL, 0);
}

/* Read for one variant, the other variants' loads are skipped. */
static void test_summary_load_other_variant(void **state)
{
	const char *a[] = { "a" }, *b[] = { "b" };
	struct recording r;
	struct summary s;
	double value;

	(void)state;
	recording_start(&r);
	write_meta(&r.w);
	write_events(&r.w);
	assert_int_equal(rec_write_variant(&r.w, &(struct rec_variant){
		.variant = 0, .nr_args = 1, .label = "a" }, a), 0);
	assert_int_equal(rec_write_variant(&r.w, &(struct rec_variant){
		.variant = 1, .nr_args = 1, .label = "b" }, b), 0);
	write_load_variant_run(&r.w, 0, 0, T0, "load a");
	write_load_variant_run(&r.w, 1, 1, T0 + 1000 * MS, "load b");
	write_load_variant_run(&r.w, 2, 0, T0 + 2000 * MS, NULL);
	assert_int_equal(rec_write_end(&r.w, T0 + 3000 * MS), 0);
	assert_int_equal(rec_writer_flush(&r.w), 0);
	rec_writer_release(&r.w);

	for (uint32_t v = 0; v < 2; v++) {
		assert_int_equal(lseek(fileno(r.file), 0, SEEK_SET), 0);
		assert_int_equal(summary_init(&s, "v.data"), 0);
		summary_only_variant(&s, v);
		assert_int_equal(summary_read(&s, fileno(r.file)), REC_DONE);
		assert_int_equal(s.nr_runs, v ? 1 : 2);
		assert_true(s.runs[0].load.began && s.runs[0].load.ended);
		assert_string_equal(s.runs[0].load.command, v ? "load b" : "load a");
		assert_int_equal(summary_load_delta(&s, &s.runs[0],
						    (size_t)event_index(&s, EV_CS), &value), 0);
		assert_true(value == 4000.0 - 1000.0);
		if (!v)
			assert_false(s.runs[1].load.began);
		summary_release(&s);
	}
	fclose(r.file);
}


/* ---- pprobe report: exit codes ---- */

struct quiet {
	int out, err;
};

/* Sends stdout and stderr to /dev/null around a cmd_report() call. */
static void quiet_begin(struct quiet *q)
{
	int null = open("/dev/null", O_WRONLY);

	assert_true(null >= 0);
	fflush(stdout);
	fflush(stderr);
	q->out = dup(STDOUT_FILENO);
	q->err = dup(STDERR_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
}

static void quiet_end(struct quiet *q)
{
	fflush(stdout);
	fflush(stderr);
	dup2(q->out, STDOUT_FILENO);
	dup2(q->err, STDERR_FILENO);
	close(q->out);
	close(q->err);
}

static int run_report(int argc, const char **argv)
{
	struct quiet q;
	int ret;

	quiet_begin(&q);
	ret = cmd_report(argc, argv);
	quiet_end(&q);
	return ret;
}

/* Writes a recording to path; cut bytes are then taken off its end. */
static void write_file(const char *path, void (*fill)(struct rec_writer *),
		       long cut)
{
	struct rec_writer w;
	struct stat st;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(rec_writer_init(&w, fd), 0);
	fill(&w);
	assert_int_equal(rec_writer_flush(&w), 0);
	rec_writer_release(&w);
	if (cut) {
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(ftruncate(fd, st.st_size - cut), 0);
	}
	close(fd);
}

static void fill_undeclared(struct rec_writer *w)
{
	struct rec_count c = { 77, 1, 1, 1 };

	write_meta(w);
	write_events(w);
	write_run_begin(w, 0, T0);
	assert_int_equal(rec_write_counts(w, T0 + MS, 0, 0, &c, 1), 0);
}

static void test_cmd_report(void **state)
{
	char dir[] = "/tmp/pprobe-test-report-XXXXXX";
	char good[64], cut[64], bad[64], missing[64], text[64];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(good, sizeof(good), "%s/good.data", dir);
	snprintf(cut, sizeof(cut), "%s/cut.data", dir);
	snprintf(bad, sizeof(bad), "%s/bad.data", dir);
	snprintf(missing, sizeof(missing), "%s/missing.data", dir);
	snprintf(text, sizeof(text), "%s/text.txt", dir);
	write_file(good, write_complete, 0);
	write_file(cut, write_complete, 30);
	write_file(bad, fill_undeclared, 0);
	f = fopen(text, "w");
	assert_non_null(f);
	fputs("hello\n", f);
	fclose(f);

	{
		const char *argv[] = { "report", good, NULL };

		assert_int_equal(run_report(2, argv), 0);
	}
	{
		const char *argv[] = { "report", "--json", "-i", good, cut, NULL };

		assert_int_equal(run_report(5, argv), 0);
	}
	{
		const char *argv[] = { "report", "--csv", cut, NULL };

		assert_int_equal(run_report(3, argv), 0);
	}
	{
		const char *argv[] = { "report", bad, NULL };

		assert_int_equal(run_report(2, argv), 1);
	}
	{
		const char *argv[] = { "report", "--json", missing, good, NULL };

		assert_int_equal(run_report(4, argv), 1);
	}
	{
		const char *argv[] = { "report", dir, NULL };

		assert_int_equal(run_report(2, argv), 1);
	}
	{
		const char *argv[] = { "report", text, good, NULL };

		assert_int_equal(run_report(3, argv), 1);
	}
	{
		const char *argv[] = { "report", "--json", "--csv", good, NULL };

		assert_int_equal(run_report(4, argv), 129);
	}
	{
		const char *argv[] = { "report", "--no-such-option", NULL };

		assert_int_equal(run_report(2, argv), 129);
	}
	{
		const char *argv[] = { "report", "--help", NULL };

		assert_int_equal(run_report(2, argv), 0);
	}

	unlink(good);
	unlink(cut);
	unlink(bad);
	unlink(text);
	rmdir(dir);
}

static void fill_tree(struct rec_writer *w)
{
	write_tree_recording(w, 0);
}

static void fill_tree_lost(struct rec_writer *w)
{
	write_tree_recording(w, 1);
}

static void test_cmd_report_tree(void **state)
{
	char dir[] = "/tmp/pprobe-test-report-XXXXXX";
	char tree[64], lost[64];
	const char *ok[][6] = {
		{ "report", "--csv", "--processes", tree, NULL },
		{ "report", "--csv", "--memory", tree, NULL },
		{ "report", "--sort", "rss", "--top", "0", tree },
		{ "report", "--sort=command", "--no-collapse", tree, NULL },
		{ "report", "--json", lost, NULL },
		{ "report", "--csv", "--processes", lost, NULL },
	};
	const char *usage[][6] = {
		{ "report", "--processes", tree, NULL },
		{ "report", "--json", "--memory", tree, NULL },
		{ "report", "--csv", "--processes", "--memory", tree, NULL },
		{ "report", "--sort", "cycles", tree, NULL },
		{ "report", "--top", "-1", tree, NULL },
		{ "report", "--top", "many", tree, NULL },
	};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(tree, sizeof(tree), "%s/tree.data", dir);
	snprintf(lost, sizeof(lost), "%s/lost.data", dir);
	write_file(tree, fill_tree, 0);
	write_file(lost, fill_tree_lost, 0);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int argc = 0;

		while (argc < 6 && ok[i][argc])
			argc++;
		if (run_report(argc, ok[i]) != 0)
			fail_msg("'%s %s %s' did not exit 0", ok[i][1], ok[i][2],
				 ok[i][3]);
	}
	for (size_t i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
		int argc = 0;

		while (argc < 6 && usage[i][argc])
			argc++;
		if (run_report(argc, usage[i]) != 129)
			fail_msg("'%s %s %s' did not exit 129", usage[i][1],
				 usage[i][2], usage[i][3]);
	}
	unlink(tree);
	unlink(lost);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_not_counted),
		cmocka_unit_test(test_scale_fully_counted),
		cmocka_unit_test(test_scale_multiplexed),
		cmocka_unit_test(test_scale_running_above_enabled),
		cmocka_unit_test(test_scale_huge),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_unit),
		cmocka_unit_test(test_format_u64),
		cmocka_unit_test(test_format_double),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_number),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_signal_name),
		cmocka_unit_test(test_summary_complete),
		cmocka_unit_test(test_summary_cut_off),
		cmocka_unit_test(test_summary_cut_inside_record),
		cmocka_unit_test(test_summary_no_run),
		cmocka_unit_test(test_summary_two_runs),
		cmocka_unit_test(test_summary_signal),
		cmocka_unit_test(test_summary_unknown_record),
		cmocka_unit_test(test_summary_undeclared_event),
		cmocka_unit_test(test_summary_bad_runs),
		cmocka_unit_test(test_summary_one_variant),
		cmocka_unit_test(test_summary_bad_variants),
		cmocka_unit_test(test_summary_meta_unknown_kind),
		cmocka_unit_test(test_summary_not_pprobe),
		cmocka_unit_test(test_display_complete),
		cmocka_unit_test(test_display_cut_off),
		cmocka_unit_test(test_display_no_run_and_odd_names),
		cmocka_unit_test(test_display_duplicate_names),
		cmocka_unit_test(test_display_multiplexed),
		cmocka_unit_test(test_tree_tasks),
		cmocka_unit_test(test_tree_out_of_order),
		cmocka_unit_test(test_tree_figures),
		cmocka_unit_test(test_tree_attached),
		cmocka_unit_test(test_tree_long_name),
		cmocka_unit_test(test_tree_memory_bounded),
		cmocka_unit_test(test_tree_rows_collapse),
		cmocka_unit_test(test_tree_rows_sort),
		cmocka_unit_test(test_memory_series),
		cmocka_unit_test(test_memory_missed_peak),
		cmocka_unit_test(test_memory_spikes),
		cmocka_unit_test(test_memory_format_bytes),
		cmocka_unit_test(test_json_validator),
		cmocka_unit_test(test_display_tree_text),
		cmocka_unit_test(test_display_tree_json_csv),
		cmocka_unit_test(test_summary_memory_runs),
		cmocka_unit_test(test_display_format_1_0),
		cmocka_unit_test(test_summary_load),
		cmocka_unit_test(test_summary_load_multiplexed),
		cmocka_unit_test(test_summary_load_corrupt),
		cmocka_unit_test(test_summary_load_cut_off),
		cmocka_unit_test(test_summary_load_other_variant),
		cmocka_unit_test(test_cmd_report),
		cmocka_unit_test(test_cmd_report_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

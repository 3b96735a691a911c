/*
 * test_counter.c - unit tests of the report: the counter judgements
 * (counter.c), JSON writing (json.c), the summary of a recording
 * (summary.c), its display (display.c) and `pprobe report`'s exit codes
 * (builtin-report.c).
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
#include "recfile.h"
#include "summary.h"

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

enum view { VIEW_TEXT, VIEW_JSON, VIEW_CSV };

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
		cmocka_unit_test(test_summary_meta_unknown_kind),
		cmocka_unit_test(test_summary_not_pprobe),
		cmocka_unit_test(test_display_complete),
		cmocka_unit_test(test_display_cut_off),
		cmocka_unit_test(test_display_no_run_and_odd_names),
		cmocka_unit_test(test_display_duplicate_names),
		cmocka_unit_test(test_cmd_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

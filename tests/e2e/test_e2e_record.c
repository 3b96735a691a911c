/*
 * test_e2e_record.c - end-to-end tests of `pprobe record` and `pprobe
 * report`: the real binary, real workloads, real files.
 *
 * The accuracy tests run the calibrated workloads of tests/workloads under
 * `pprobe record` and compare pprobe's totals with the kernel's own
 * accounting of the same run, which each workload writes at its very end
 * (getrusage SELF + CHILDREN, see tests/workloads/truth.h). The figures are
 * printed whatever the outcome, so a CI log shows how close they are.
 *
 * How close they can be is set by the kernel, not by pprobe, and `perf
 * stat` shows the same differences (checked on kernel 6.18):
 *
 *  - Counting starts at exec (enable_on_exec), rusage at fork: the few page
 *    faults and context switches of pprobe's forked child before it execs
 *    are in the truth only. FAULT_SLACK and SWITCH_SLACK cover them; the
 *    workloads do enough work that the slack is far below 1%.
 *    Under valgrind (make test-valgrind) that child is pprobe's code under
 *    valgrind until it execs: some 750 faults and 15 ms of CPU here, in
 *    the truth only, which VALGRIND_FAULTS and VALGRIND_MS add to how far
 *    pprobe may fall short. The workload itself runs natively.
 *  - Counters are detached from an exiting process (perf_event_exit_task)
 *    before its last switch away from the CPU, which rusage counts as a
 *    voluntary switch when the parent reaps it afterwards. So pprobe, like
 *    perf, sees one context switch fewer per process that exits inside the
 *    tree: the expected figure is nvcsw + nivcsw - (descendant processes).
 *    Threads are released before that switch, so they do not count.
 *  - task-clock stops at the scheduler's perf hook, a little before the
 *    context switch itself, which rusage still charges to the task. When
 *    pingpong's two processes run on different CPUs (each switch goes
 *    through idle) that was 0.5-0.65 µs per switch here, 13% of its CPU
 *    time; when they share a CPU, nothing measurable. So task-clock may
 *    fall short of utime + stime by up to SWITCH_COST_MS per context
 *    switch, on top of the usual max(2%, 10 ms) for tick granularity.
 *  - Since the kernel stops an exiting task's counters before it tears
 *    down its memory and files (perf_event_exit_task() before exit_mm(),
 *    mainline since 2025, in 6.18), that teardown is in rusage but not in
 *    task-clock: 0.03 ms for an empty child here, 0.2 ms for one that
 *    touched 4 MiB, 0.35 ms under AddressSanitizer. task-clock may fall
 *    short by up to EXIT_COST_MS per process that exits inside the tree.
 *    For the same reason a child preempted during that teardown (often,
 *    when 64 children burn CPU on 2 cores) switches where no counter sees
 *    it, perf's included; traced switch by switch in exit_mmap(). So the
 *    context-switches count may fall short by up to EXIT_PREEMPT_SWITCHES
 *    per exiting process beyond its last switch (forktree 50 here: 0 to
 *    10 such switches over many runs).
 *  - The two points above are about counting per task (--count-by task,
 *    every case here). Counting the command's cgroup per CPU
 *    (--count-by cgroup, the cases named so, run as root) keeps counting
 *    while an exiting task is still in the cgroup: its last switch and
 *    teardown are seen, and the expected figure is nvcsw + nivcsw itself.
 *  - In a VM, time the hypervisor steals from a running task is in
 *    task-clock but not in rusage (CONFIG_PARAVIRT_TIME_ACCOUNTING leaves
 *    steal out of the scheduler's runtime). The steal time of the whole
 *    machine during the run (/proc/stat) is an upper bound of what the
 *    workload lost, and is added to what task-clock may exceed the truth
 *    by. It is printed, and is 0 on a quiet host.
 *
 * A test that needs what this machine lacks (a PMU, root) prints
 * "skipped: <reason>" and is reported as skipped by cmocka, never passed.
 * Every wait is bounded and every file goes in $PPROBE_TMPDIR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* Tolerances: see the top of the file for why each exists. */
#define REL_COUNT 0.01         /* counts: 1% */
#define REL_TIME 0.02          /* times: 2% */
#define ABS_TIME_MS 10.0       /* ... or 10 ms, for tick-granular rusage */
#define FAULT_SLACK 100        /* faults before exec, in the truth only */
#define SWITCH_SLACK 8         /* context switches before exec */
#define MAJOR_FAULT_SLACK 2
#define SWITCH_COST_MS 0.001   /* task-clock lost per context switch, upper bound */
#define EXIT_COST_MS 0.5       /* task-clock lost per exiting process, upper bound */
#define EXIT_PREEMPT_SWITCHES 0.25 /* switches lost in exit teardown, per exit */
#define VALGRIND_FAULTS 1000   /* faults before exec, under valgrind */
#define VALGRIND_MS 30.0       /* task-clock before exec, under valgrind */

#define RUN_TIMEOUT 120.0      /* seconds, for any one command */
#define SHORT_TIMEOUT 30.0

#define ACCURACY_EVENTS "task-clock,context-switches,page-faults,minor-faults,major-faults"


static void assert_contains(const char *what, const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle)) {
		print_error("%s: '%s' not found in:\n%s\n", what, needle, haystack);
		fail();
	}
}

static int file_equals(const char *path, const char *data, size_t len)
{
	size_t got_len;
	char *got = h_read_file(path, &got_len);
	int same = got && got_len == len && !memcmp(got, data, len);

	free(got);
	return same;
}

/* `pprobe report [opts] file` with a bounded wait. */
static void run_report(const char *opt, const char *file, struct h_result *r)
{
	struct h_args a = { 0 };

	h_args_push(&a, h_pprobe_or_skip(), "report", NULL);
	if (opt)
		h_args_push(&a, opt, NULL);
	h_args_push(&a, file, NULL);
	assert_int_equal(h_run(a.v, SHORT_TIMEOUT, r), 0);
}

/* `pprobe report --csv file`, which must succeed, parsed into *csv. */
static void report_csv(const char *file, struct h_csv *csv)
{
	struct h_result r;

	run_report("--csv", file, &r);
	h_assert_exit("pprobe report --csv", &r, 0);
	if (h_csv_parse(r.out, csv)) {
		h_show("pprobe report --csv", &r);
		fail();
	}
	h_result_release(&r);
}

static const struct h_csv_row *csv_row(const struct h_csv *csv, const char *event)
{
	const struct h_csv_row *row = h_csv_find(csv, 0, event);

	if (!row) {
		print_error("no CSV row for '%s' in run 0\n", event);
		fail();
	}
	if (h_csv_count(csv, 0, event) != 1) {
		print_error("%zu CSV rows for '%s' in run 0, expected 1\n",
			    h_csv_count(csv, 0, event), event);
		fail();
	}
	return row;
}

/* A counted event: it has a value, it is not "not supported". */
static double csv_counted(const struct h_csv *csv, const char *event)
{
	const struct h_csv_row *row = csv_row(csv, event);

	if (!row->has_value || strstr(row->status, "not")) {
		print_error("'%s' is not counted: status '%s'\n", event, row->status);
		fail();
	}
	return row->value;
}

static struct h_recording *load_recording(const char *path)
{
	struct h_recording *rec = calloc(1, sizeof(*rec));

	assert_non_null(rec);
	assert_int_equal(h_recording_load(path, rec), 0);
	return rec;
}

static void assert_complete(const char *path, const struct h_recording *rec)
{
	if (rec->status != REC_DONE) {
		print_error("'%s' is not a complete recording: %s at byte %llu: %s\n",
			    path, rec_strerror(rec->status),
			    (unsigned long long)rec->error_offset, rec->detail);
		fail();
	}
}

static double max2(double a, double b)
{
	return a > b ? a : b;
}

/* ---- accuracy ---- */

struct accuracy_case {
	const char *label;
	const char *workload;
	const char *args[4];
	const char *count_by;   /* --count-by: "task", "cgroup" or "rusage" */
};

/*
 * Records one workload, then compares pprobe's totals (through the CSV
 * report, and the file through the reader) with the workload's truth.
 * All figures are printed before the test fails on any of them.
 */
static void check_accuracy(const struct accuracy_case *c)
{
	char *data = h_tmp_path("accuracy.data"), *truth_path = h_tmp_path("accuracy.truth");
	struct h_args a = { 0 };
	struct h_result r;
	struct h_truth t;
	struct h_csv csv;
	struct h_recording *rec;
	struct rec_count raw;
	long long cs_truth, exited, truth_faults;
	double task_clock, cs, pf, minf, majf, user_s, sys_s, duration, truth_ms, tol, steal;
	double pre_exec_faults = h_valgrind() ? VALGRIND_FAULTS : 0;
	double pre_exec_ms = h_valgrind() ? VALGRIND_MS : 0;
	int ok = 1, i;

	int by_cgroup = !strcmp(c->count_by, "cgroup");
	int by_rusage = !strcmp(c->count_by, "rusage");
	/* Counted to the last switch of each exiting process, or not. */
	int whole = by_cgroup || by_rusage;

	h_args_push(&a, h_pprobe_or_skip(), "record", "-o", data, "-e", ACCURACY_EVENTS,
		    "--count-by", c->count_by, "--", h_workload(c->workload),
		    "--truth", truth_path, NULL);
	for (i = 0; i < 4 && c->args[i]; i++)
		h_args_push(&a, c->args[i], NULL);
	steal = h_steal_ms();
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
	steal = h_steal_ms() - steal;
	if (by_cgroup && r.exit_code == 1 && strstr(r.err, "--count-by cgroup:")) {
		/* Not root, or no cgroup to make: say which. */
		char why[256];

		snprintf(why, sizeof(why), "%s", r.err);
		why[strcspn(why, "\n")] = '\0';
		h_result_release(&r);
		free(data);
		free(truth_path);
		H_SKIP("%s: %s", c->label, why);
	}
	h_assert_exit("pprobe record", &r, 0);
	h_result_release(&r);
	assert_int_equal(h_truth_load(truth_path, &t), 0);

	report_csv(data, &csv);
	task_clock = csv_counted(&csv, "task-clock");
	cs = csv_counted(&csv, "context-switches");
	pf = csv_counted(&csv, "page-faults");
	minf = csv_counted(&csv, "minor-faults");
	majf = csv_counted(&csv, "major-faults");
	user_s = csv_row(&csv, "user_time")->value;
	sys_s = csv_row(&csv, "system_time")->value;
	duration = csv_row(&csv, "duration_time")->value;
	assert_string_equal(csv_row(&csv, "task-clock")->unit, "msec");
	assert_string_equal(csv_row(&csv, "user_time")->unit, "s");
	assert_string_equal(csv_row(&csv, "system_time")->unit, "s");
	assert_string_equal(csv_row(&csv, "duration_time")->unit, "s");

	/* Processes that exit inside the tree: one lost switch each, when
	 * counted per task. */
	exited = (h_truth_get(&t, "children") > 0 ? h_truth_get(&t, "children") : 0) +
		 (h_truth_get(&t, "grandchildren") > 0 ? h_truth_get(&t, "grandchildren") : 0);
	cs_truth = h_truth_get(&t, "nvcsw") + h_truth_get(&t, "nivcsw");
	truth_ms = (double)(h_truth_get(&t, "utime_us") + h_truth_get(&t, "stime_us")) / 1000.0;
	truth_faults = h_truth_get(&t, "minflt") + h_truth_get(&t, "majflt");

	print_message("%s: duration %.3f s, steal %.0f ms, %lld exited processes, truth nvcsw %lld nivcsw %lld minflt %lld majflt %lld maxrss %lld KiB\n",
		      c->label, duration, steal, exited, h_truth_get(&t, "nvcsw"),
		      h_truth_get(&t, "nivcsw"), h_truth_get(&t, "minflt"),
		      h_truth_get(&t, "majflt"), h_truth_get(&t, "maxrss_kib"));

	if (whole) {
		tol = max2(REL_COUNT * (double)cs_truth, SWITCH_SLACK);
		ok &= h_compare(c->label, "context-switches", cs, (double)cs_truth, tol, tol, "");
	} else {
		tol = max2(REL_COUNT * (double)(cs_truth - exited), SWITCH_SLACK);
		ok &= h_compare(c->label, "context-switches", cs, (double)(cs_truth - exited),
			      tol + EXIT_PREEMPT_SWITCHES * (double)exited, tol,
			      exited ? " (minus exits)" : "");
	}

	tol = max2(REL_COUNT * (double)h_truth_get(&t, "minflt"), FAULT_SLACK);
	ok &= h_compare(c->label, "minor-faults", minf, (double)h_truth_get(&t, "minflt"),
		      tol + pre_exec_faults, tol, "");
	ok &= h_compare(c->label, "major-faults", majf, (double)h_truth_get(&t, "majflt"),
		      MAJOR_FAULT_SLACK, MAJOR_FAULT_SLACK, "");
	tol = max2(REL_COUNT * (double)truth_faults, FAULT_SLACK);
	ok &= h_compare(c->label, "page-faults", pf, (double)truth_faults,
		      tol + pre_exec_faults, tol, "");
	if (pf < minf + majf) {
		print_message("  page-faults %.0f < minor-faults + major-faults %.0f: FAIL\n", pf, minf + majf);
		ok = 0;
	}

	tol = max2(REL_TIME * truth_ms, ABS_TIME_MS);
	ok &= h_compare(c->label, "task-clock (ms)", task_clock, truth_ms,
		      tol + SWITCH_COST_MS * (double)cs_truth + EXIT_COST_MS * (double)exited +
		      pre_exec_ms, tol + steal, "");
	tol = REL_TIME * (double)h_truth_get(&t, "utime_us") / 1e6 + ABS_TIME_MS / 1000;
	ok &= h_compare(c->label, "user_time (s)", user_s,
		      (double)h_truth_get(&t, "utime_us") / 1e6, tol, tol, "");
	tol = REL_TIME * (double)h_truth_get(&t, "stime_us") / 1e6 + ABS_TIME_MS / 1000;
	ok &= h_compare(c->label, "system_time (s)", sys_s,
		      (double)h_truth_get(&t, "stime_us") / 1e6, tol, tol, "");

	/* The file itself, through the reader: complete, and what the report said. */
	rec = load_recording(data);
	assert_complete(data, rec);
	if (rec->nr_run_end != 1 || rec->run_end.exit_kind != REC_EXIT_NORMAL ||
	    rec->run_end.exit_code != 0) {
		print_message("  RUN_END: %d records, kind %u code %d: FAIL\n", rec->nr_run_end,
			      rec->run_end.exit_kind, rec->run_end.exit_code);
		ok = 0;
	}
	if (rec->nr_counts_final != 1) {
		print_message("  %d final COUNTS records, expected 1: FAIL\n", rec->nr_counts_final);
		ok = 0;
	}
	if (h_recording_last(rec, "context-switches", &raw) || (double)raw.value != cs) {
		print_message("  the file's final context-switches (%llu) is not the report's: FAIL\n",
			      (unsigned long long)raw.value);
		ok = 0;
	}
	if (h_recording_last(rec, "task-clock", &raw) ||
	    (double)raw.value / 1e6 - task_clock > 0.01 + 1e-6 * task_clock ||
	    task_clock - (double)raw.value / 1e6 > 0.01 + 1e-6 * task_clock) {
		print_message("  the file's final task-clock (%llu ns) is not the report's (%.3f ms): FAIL\n",
			      (unsigned long long)raw.value, task_clock);
		ok = 0;
	}
	/* The collector's wait4() rusage comes after the truth: never less. */
	tol = max2(REL_TIME * truth_ms, ABS_TIME_MS);
	ok &= h_compare(c->label, "RUN_END cpu (ms)",
		      (double)(rec->run_end.rusage.utime_us + rec->run_end.rusage.stime_us) / 1000,
		      truth_ms, tol, tol, "");
	ok &= h_compare(c->label, "RUN_END minflt", (double)rec->run_end.rusage.minflt,
		      (double)h_truth_get(&t, "minflt"), 0,
		      max2(REL_COUNT * (double)h_truth_get(&t, "minflt"), FAULT_SLACK), "");
	/* No perf event: the final counts are that rusage, to the unit. */
	if (by_rusage && (h_recording_last(rec, "task-clock", &raw) ||
			  raw.value != (rec->run_end.rusage.utime_us + rec->run_end.rusage.stime_us) * 1000 ||
			  (double)(rec->run_end.rusage.nvcsw + rec->run_end.rusage.nivcsw) != cs ||
			  (double)(rec->run_end.rusage.minflt + rec->run_end.rusage.majflt) != pf)) {
		print_message("  the final counts are not RUN_END's rusage: FAIL\n");
		ok = 0;
	}
	free(rec);
	h_csv_release(&csv);
	free(data);
	free(truth_path);
	if (!ok)
		fail_msg("%s: pprobe's figures are not within the tolerances of the truth", c->label);
}

static void test_accuracy_pingpong(void **state)
{
	static const struct accuracy_case c = { "pingpong 20000", "pingpong", { "20000" }, "task" };

	(void)state;
	check_accuracy(&c);
}

static void test_accuracy_pingpong_cgroup(void **state)
{
	static const struct accuracy_case c = { "pingpong 20000 (cgroup)", "pingpong", { "20000" }, "cgroup" };

	(void)state;
	check_accuracy(&c);
}

static void test_accuracy_pingpong_rusage(void **state)
{
	static const struct accuracy_case c = { "pingpong 20000 (rusage)", "pingpong", { "20000" }, "rusage" };

	(void)state;
	check_accuracy(&c);
}

static void test_accuracy_forktree_deep_rusage(void **state)
{
	static const struct accuracy_case c = { "forktree 20 2 (rusage)", "forktree", { "20", "2" }, "rusage" };

	(void)state;
	check_accuracy(&c);
}

static void test_accuracy_touchmem(void **state)
{
	static const struct accuracy_case c = { "touchmem 256", "touchmem", { "256" }, "task" };

	(void)state;
	check_accuracy(&c);
}

static void test_accuracy_burn(void **state)
{
	static const struct accuracy_case c = { "burn 2 1", "burn", { "2", "1" }, "task" };

	(void)state;
	check_accuracy(&c);
}

static void test_accuracy_forktree(void **state)
{
	static const struct accuracy_case c = { "forktree 50", "forktree", { "50" }, "task" };

	(void)state;
	check_accuracy(&c);
}

static void test_accuracy_forktree_cgroup(void **state)
{
	static const struct accuracy_case c = { "forktree 50 (cgroup)", "forktree", { "50" }, "cgroup" };

	(void)state;
	check_accuracy(&c);
}

static void test_accuracy_forktree_deep(void **state)
{
	static const struct accuracy_case c = { "forktree 20 2", "forktree", { "20", "2" }, "task" };

	(void)state;
	check_accuracy(&c);
}

static void test_accuracy_forktree_deep_cgroup(void **state)
{
	static const struct accuracy_case c = { "forktree 20 2 (cgroup)", "forktree", { "20", "2" }, "cgroup" };

	(void)state;
	check_accuracy(&c);
}

/* ---- --count-by rusage ---- */

/*
 * Over time, the CPU time of the command's cgroup (root; as nobody there
 * is none, and a note says so): a burn of 2 threads for 1 s read every
 * 100 ms gives a rising task-clock, each reading at most the final one
 * (the rusage of the same tree). The events the kernel's accounting lacks
 * are recorded as not supported, with the reason in a note.
 */
/*
 * The task-clock readings of counters.csv (report --csv DIR): each at
 * least the one before and at most final. Returns how many.
 */
static int check_rising_clock(const char *data, const char *dir, uint64_t final)
{
	const char *argv[] = { h_pprobe_or_skip(), "report", "--csv", dir, data, NULL };
	char *path, *csv, *line;
	double previous = 0;
	struct h_result r;
	int n = 0;

	assert_int_equal(h_run(argv, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe report --csv DIR", &r, 0);
	h_result_release(&r);
	assert_true(asprintf(&path, "%s/counters.csv", dir) > 0);
	csv = h_read_file(path, NULL);
	assert_non_null(csv);
	for (line = strtok(csv, "\n"); line; line = strtok(NULL, "\n")) {
		const char *ev = strstr(line, ",task-clock,");
		double value;

		if (!ev || sscanf(ev, ",task-clock,%lf,", &value) != 1)
			continue;
		if (value < previous || value > (double)final)
			fail_msg("task-clock reading %.0f after %.0f, final %llu", value,
				 previous, (unsigned long long)final);
		previous = value;
		n++;
	}
	free(csv);
	free(path);
	return n;
}

static void check_rusage_timeline(int as_nobody)
{
	char *dir = h_tmp_path(as_nobody ? "rusage-nobody" : "rusage"), *data;
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", NULL, "--count-by", "rusage",
			       "-e", "task-clock,context-switches,cpu-migrations",
			       "--", h_workload("burn"), "2", "1", NULL };
	const struct rec_event *migrations;
	struct h_recording *rec;
	struct rec_count final;
	struct h_result r;
	struct h_proc p;
	int readings, timeline;

	if (as_nobody && geteuid() != 0)
		H_SKIP("not root: cannot switch to the nobody user");
	h_shared_dir(dir);
	assert_true(asprintf(&data, "%s/rusage.data", dir) > 0);
	argv[3] = data;
	if (as_nobody && !h_nobody_can_use(argv[0], argv[9], dir))
		H_SKIP("nobody cannot reach '%s', '%s' or '%s'", argv[0], argv[9], dir);
	assert_int_equal(h_spawn(&p, argv, NULL, as_nobody ? h_become_nobody : NULL, NULL), 0);
	assert_int_equal(h_wait(&p, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record --count-by rusage", &r, 0);
	if (!strstr(r.err, "'cpu-migrations': not in the kernel's accounting"))
		fail_msg("no note about cpu-migrations: %s", r.err);
	timeline = !strstr(r.err, "no timeline");

	rec = load_recording(data);
	assert_complete(data, rec);
	migrations = h_recording_event(rec, "cpu-migrations");
	assert_non_null(migrations);
	assert_int_equal(migrations->status, REC_EVENT_NOT_SUPPORTED);
	assert_int_equal(h_recording_last(rec, "task-clock", &final), 0);
	assert_int_equal(final.value,
			 (rec->run_end.rusage.utime_us + rec->run_end.rusage.stime_us) * 1000);
	assert_int_equal(rec->nr_counts_final, 1);
	readings = check_rising_clock(data, dir, final.value);
	print_message("rusage%s: %d task-clock readings, final %.1f ms%s\n",
		      as_nobody ? " as nobody" : "", readings, (double)final.value / 1e6,
		      timeline ? "" : " (no cgroup: no timeline)");
	/* 2 threads for 1 s, however slow the machine: over 1 s of CPU. */
	assert_true(final.value > 1000000000ull);
	if (!timeline) {
		/* As root only a cgroup that cannot be made, or one on v1, may
		 * leave the recording without its timeline. */
		if (!as_nobody && strstr(r.err, "cannot read the CPU time") &&
		    !strstr(r.err, "cgroup v1"))
			fail_msg("root, a cgroup, and no CPU time from it: %s", r.err);
		if (!as_nobody)
			print_message("  no timeline as root here: %s", r.err);
		assert_int_equal(rec->nr_counts, 1); /* the final reading alone */
	} else {
		assert_false(as_nobody); /* nobody cannot make a cgroup */
		assert_true(readings >= 5);  /* about 10 over the second */
	}
	free(rec);
	h_result_release(&r);
	free(data);
	free(dir);
}

static void test_count_by_rusage(void **state)
{
	(void)state;
	check_rusage_timeline(0);
}

static void test_count_by_rusage_nobody(void **state)
{
	(void)state;
	check_rusage_timeline(1);
}

/* What needs a perf event is refused, with what to do instead. */
static void test_count_by_rusage_refuses(void **state)
{
	static const char *const extra[][3] = {
		{ "--tree", NULL, "drop --tree" },
		{ "--per-cpu", NULL, "drop --per-cpu" },
		{ "-F", "99", "drop -F" },
		{ "-p", "1", "not -p" },
	};
	char *data = h_tmp_path("refused.data");

	(void)state;
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		struct h_args a = { 0 };
		struct h_result r;

		h_args_push(&a, h_pprobe_or_skip(), "record", "-o", data, "--count-by", "rusage",
			    extra[i][0], NULL);
		if (extra[i][1])
			h_args_push(&a, extra[i][1], NULL);
		if (strcmp(extra[i][0], "-p"))
			h_args_push(&a, "--", "true", NULL);
		assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
		h_assert_exit("pprobe record", &r, 129);
		if (!strstr(r.err, extra[i][2]) || h_count_lines(r.err) != 1)
			fail_msg("%s: %s", extra[i][0], r.err);
		assert_false(h_file_exists(data));
		h_result_release(&r);
	}
	/* pprobe scale splits by CPU: refused there, in its own words. */
	{
		const char *scale[] = { h_pprobe_or_skip(), "scale", "--count-by", "rusage",
					"--", "true", NULL };
		struct h_result r;

		assert_int_equal(h_run(scale, RUN_TIMEOUT, &r), 0);
		h_assert_exit("pprobe scale --count-by rusage", &r, 129);
		if (!strstr(r.err, "scaling study") || h_count_lines(r.err) != 1)
			fail_msg("scale: %s", r.err);
		h_result_release(&r);
	}
	free(data);
}

/* ---- switches by kind ---- */

/*
 * voluntary- and involuntary-context-switches (sched_switch filtered on
 * the state the task left in) against getrusage's nvcsw and nivcsw, on
 * pingpong (blocking: voluntary) and burn (two spinners on a busy
 * machine: preempted, involuntary). Per task, each exiting process's
 * last switch is not seen (voluntary: it blocks for good); per cgroup it
 * is. Their sum is context-switches, counted at the same hook.
 */
static void check_switch_kinds(const char *label, const char *count_by,
			       const char *workload, const char *const *args)
{
	char *data = h_tmp_path("kinds.data"), *truth_path = h_tmp_path("kinds.truth");
	struct h_args a = { 0 };
	struct h_result r;
	struct h_truth t;
	struct h_csv csv;
	double vol, invol, cs, tol;
	long long exited, nvcsw, nivcsw;
	int ok = 1, by_cgroup = !strcmp(count_by, "cgroup");

	if (access("/sys/kernel/tracing/events", X_OK) && access("/sys/kernel/debug/tracing/events", X_OK))
		H_SKIP("%s: tracefs is not visible here (not root, or not mounted): no tracepoints", label);
	h_args_push(&a, h_pprobe_or_skip(), "record", "-q", "-o", data, "--count-by", count_by,
		    "-e", "context-switches,voluntary-context-switches,involuntary-context-switches",
		    "--", h_workload(workload), "--truth", truth_path, NULL);
	for (int i = 0; args[i]; i++)
		h_args_push(&a, args[i], NULL);
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
	if (by_cgroup && r.exit_code == 1 && strstr(r.err, "--count-by cgroup:")) {
		h_result_release(&r);
		free(data);
		free(truth_path);
		H_SKIP("%s: counting per cgroup is not possible here (not root?)", label);
	}
	h_assert_exit("pprobe record", &r, 0);
	h_result_release(&r);
	assert_int_equal(h_truth_load(truth_path, &t), 0);
	report_csv(data, &csv);
	vol = csv_counted(&csv, "voluntary-context-switches");
	invol = csv_counted(&csv, "involuntary-context-switches");
	cs = csv_counted(&csv, "context-switches");
	exited = h_truth_get(&t, "children") > 0 ? h_truth_get(&t, "children") : 0;
	nvcsw = h_truth_get(&t, "nvcsw");
	nivcsw = h_truth_get(&t, "nivcsw");
	print_message("%s: truth nvcsw %lld nivcsw %lld, %lld exited\n", label, nvcsw, nivcsw, exited);

	tol = max2(REL_COUNT * (double)nvcsw, SWITCH_SLACK);
	ok &= h_compare(label, "voluntary", vol, (double)(nvcsw - (by_cgroup ? 0 : exited)),
		      tol + (by_cgroup ? 0 : EXIT_PREEMPT_SWITCHES * (double)exited), tol,
		      by_cgroup || !exited ? "" : " (minus exits)");
	tol = max2(REL_COUNT * (double)nivcsw, SWITCH_SLACK);
	ok &= h_compare(label, "involuntary", invol, (double)nivcsw, tol, tol, "");
	/* The same hook: equal but for a switch between two reads. */
	ok &= h_compare(label, "vol + invol", vol + invol, cs, 2, 2, " (context-switches)");
	h_csv_release(&csv);
	free(data);
	free(truth_path);
	if (!ok)
		fail_msg("%s: the switches by kind are not getrusage's", label);
}

static void test_switch_kinds(void **state)
{
	static const char *const pingpong[] = { "20000", NULL };
	static const char *const burn[] = { "2", "1", NULL };

	(void)state;
	check_switch_kinds("pingpong 20000 (task)", "task", "pingpong", pingpong);
	check_switch_kinds("burn 2 1 (task)", "task", "burn", burn);
	check_switch_kinds("pingpong 20000 (cgroup)", "cgroup", "pingpong", pingpong);
	check_switch_kinds("burn 2 1 (cgroup)", "cgroup", "burn", burn);
}

/* ---- events ---- */

static int is_pseudo_event(const char *name)
{
	return !strcmp(name, "duration_time") || !strcmp(name, "user_time") ||
	       !strcmp(name, "system_time");
}

/* -e task-clock,page-faults records exactly those two. */
static void test_event_list_custom(void **state)
{
	char *data = h_tmp_path("custom.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "-e", "task-clock,page-faults",
			       "--", h_workload("touchmem"), "16", NULL };
	struct h_result r;
	struct h_csv csv;
	struct h_recording *rec;
	size_t i, events = 0;

	(void)state;
	assert_int_equal(h_run(argv, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -e task-clock,page-faults", &r, 0);
	h_result_release(&r);

	report_csv(data, &csv);
	for (i = 0; i < csv.nr; i++) {
		if (is_pseudo_event(csv.rows[i].event))
			continue;
		events++;
		if (strcmp(csv.rows[i].event, "task-clock") && strcmp(csv.rows[i].event, "page-faults"))
			fail_msg("unexpected event '%s' in the report", csv.rows[i].event);
	}
	assert_int_equal(events, 2);
	assert_true(csv_counted(&csv, "task-clock") > 0);
	assert_true(csv_counted(&csv, "page-faults") >= 16 * 256);
	h_csv_release(&csv);

	rec = load_recording(data);
	assert_complete(data, rec);
	assert_int_equal(rec->nr_events, 2);
	assert_string_equal(rec->events[0].name, "task-clock");
	assert_string_equal(rec->events[1].name, "page-faults");
	free(rec);
	free(data);
}

static void test_event_unknown(void **state)
{
	char *data = h_tmp_path("unknown.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "-e", "task-clock,no-such-event",
			       "--", "true", NULL };
	struct h_result r;

	(void)state;
	assert_int_equal(h_run(argv, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -e task-clock,no-such-event", &r, 129);
	assert_contains("stderr", r.err, "unknown event");
	assert_contains("stderr", r.err, "no-such-event");
	assert_false(h_file_exists(data));
	h_result_release(&r);
	free(data);
}

static int machine_has_pmu(void)
{
	return !access("/sys/bus/event_source/devices/cpu", F_OK) ||
	       !access("/sys/bus/event_source/devices/cpu_core", F_OK) ||
	       !access("/sys/bus/event_source/devices/armv8_pmuv3_0", F_OK);
}

/* The line of `pprobe list` that names event, or NULL. */
static const char *list_line(const char *out, const char *event, char *line, size_t len)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "\n  %s ", event);
	p = strstr(out, key);
	if (!p)
		return NULL;
	p += 3;
	snprintf(line, len, "%.*s", (int)strcspn(p, "\n"), p);
	return line;
}

/*
 * pprobe list: every category, each event marked with what opening it
 * here said, which must agree with the machine (task-clock opens; cycles
 * says why not where there is no PMU); a pattern narrows it, one that
 * matches nothing exits 1, and the sets are shown.
 */
static void test_list(void **state)
{
	const char *all[] = { h_pprobe_or_skip(), "list", NULL };
	const char *cache[] = { h_pprobe_or_skip(), "list", "*dtlb-load*", NULL };
	const char *none[] = { h_pprobe_or_skip(), "list", "no-such-*", NULL };
	char line[512];
	struct h_result r;

	(void)state;
	assert_int_equal(h_run(all, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe list", &r, 0);
	print_message("%.1200s", r.out);
	assert_contains("stdout", r.out, "\nsoftware:\n");
	assert_contains("stdout", r.out, "\nhardware:\n");
	assert_contains("stdout", r.out, "\nhardware cache:\n");
	assert_contains("stdout", r.out, "@sched");
	assert_contains("stdout", r.out, "tracepoints");
	assert_non_null(list_line(r.out, "task-clock", line, sizeof(line)));
	if (!strstr(line, " ok ") && !strstr(line, "user only"))
		fail_msg("task-clock is not countable: %s", line);
	assert_non_null(list_line(r.out, "cycles or cpu-cycles", line, sizeof(line)));
	if (!machine_has_pmu() && !strstr(line, "no PMU here"))
		fail_msg("no PMU here, yet: %s", line);
	assert_non_null(list_line(r.out, "voluntary-context-switches", line, sizeof(line)));
	h_result_release(&r);

	assert_int_equal(h_run(cache, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe list '*dtlb-load*'", &r, 0);
	assert_contains("stdout", r.out, "dTLB-load-misses");
	if (strstr(r.out, "task-clock") || strstr(r.out, "\nsoftware:"))
		fail_msg("the pattern did not narrow the list:\n%s", r.out);
	h_result_release(&r);

	assert_int_equal(h_run(none, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe list 'no-such-*'", &r, 1);
	assert_contains("stderr", r.err, "no event matches");
	h_result_release(&r);
}

/*
 * cycles and instructions: counted where there is a PMU, "not supported"
 * (and the recording goes on) where there is none. Both worlds are tested
 * wherever the suite runs; which one this is goes in the log.
 */
static void test_hardware_events(void **state)
{
	char *data = h_tmp_path("hw.data"), *data_default = h_tmp_path("hw-default.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "-e", "cycles,instructions,task-clock",
			       "--", h_workload("burn"), "1", "0.2", NULL };
	const char *argv_default[] = { h_pprobe_or_skip(), "record", "-o", data_default,
				       "--", h_workload("burn"), "1", "0.2", NULL };
	const char *hw[] = { "cycles", "instructions" };
	int pmu = machine_has_pmu(), i;
	struct h_result r;
	struct h_csv csv;
	struct h_recording *rec;

	(void)state;
	print_message("hardware PMU: %s\n", pmu ? "present, cycles and instructions must be counted"
						 : "absent (no /sys/bus/event_source/devices/cpu), cycles and instructions must read \"not supported\"");
	assert_int_equal(h_run(argv, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -e cycles,instructions,task-clock", &r, 0);
	h_result_release(&r);

	report_csv(data, &csv);
	assert_true(csv_counted(&csv, "task-clock") > 100);
	rec = load_recording(data);
	assert_complete(data, rec);
	for (i = 0; i < 2; i++) {
		const struct h_csv_row *row = csv_row(&csv, hw[i]);
		const struct rec_event *ev = h_recording_event(rec, hw[i]);

		assert_non_null(ev);
		print_message("  %s: status '%s', value %s%.0f, file status %u errno %d\n", hw[i],
			      row->status, row->has_value ? "" : "(none) ", row->value,
			      ev->status, ev->error);
		if (pmu) {
			assert_int_equal(ev->status, REC_EVENT_OPENED);
			assert_true(row->has_value && row->value > 0);
		} else {
			assert_int_equal(ev->status, REC_EVENT_NOT_SUPPORTED);
			assert_string_equal(row->status, "not supported");
		}
	}
	free(rec);
	h_csv_release(&csv);

	/* The default events include the hardware ones: still a recording. */
	assert_int_equal(h_run(argv_default, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record (default events)", &r, 0);
	h_result_release(&r);
	rec = load_recording(data_default);
	assert_complete(data_default, rec);
	for (i = 0; i < rec->nr_events; i++)
		print_message("  default event %-18s status %u\n", rec->events[i].name,
			      rec->events[i].ev.status);
	assert_non_null(h_recording_event(rec, "task-clock"));
	free(rec);
	free(data);
	free(data_default);
}

/* ---- the command's exit ---- */

static void test_exit_status(void **state)
{
	char *data = h_tmp_path("exit3.data"), *data9 = h_tmp_path("kill9.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "sh", "-c", "exit 3", NULL };
	const char *argv9[] = { h_pprobe_or_skip(), "record", "-o", data9, "--", "sh", "-c", "kill -9 $$", NULL };
	struct h_result r;
	struct h_recording *rec;
	const char *p;

	(void)state;
	assert_int_equal(h_run(argv, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -- sh -c 'exit 3'", &r, 3);
	h_result_release(&r);
	rec = load_recording(data);
	assert_complete(data, rec);
	assert_int_equal(rec->nr_run_end, 1);
	assert_int_equal(rec->run_end.exit_kind, REC_EXIT_NORMAL);
	assert_int_equal(rec->run_end.exit_code, 3);
	free(rec);

	assert_int_equal(h_run(argv9, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -- sh -c 'kill -9 $$'", &r, 137);
	h_result_release(&r);
	rec = load_recording(data9);
	assert_complete(data9, rec);
	assert_int_equal(rec->run_end.exit_kind, REC_EXIT_SIGNAL);
	assert_int_equal(rec->run_end.exit_code, 9);
	free(rec);

	/* The report reads it and says so in JSON. */
	run_report("--json", data9, &r);
	h_assert_exit("pprobe report --json", &r, 0);
	for (p = r.out; *p == ' ' || *p == '\n'; p++)
		;
	if (*p != '{' && *p != '[') {
		h_show("pprobe report --json", &r);
		fail_msg("the JSON report does not start with '{' or '['");
	}
	assert_contains("JSON report", r.out, "\"exit_signal\": 9");
	h_result_release(&r);
	free(data);
	free(data9);
}

static void test_exec_not_found(void **state)
{
	char *data = h_tmp_path("notfound.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "/nonexistent/x", NULL };
	struct h_result r;

	(void)state;
	assert_int_equal(h_run(argv, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -- /nonexistent/x", &r, 127);
	assert_contains("stderr", r.err,
			"error: cannot run '/nonexistent/x': No such file or directory\n");
	assert_false(h_file_exists(data));
	h_result_release(&r);
	free(data);
}

/* A failed exec leaves an older recording at the same path as it was. */
static void test_exec_failure_keeps_old_file(void **state)
{
	char *data = h_tmp_path("keep.data"), *old;
	const char *good[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "true", NULL };
	const char *bad[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "/nonexistent/x", NULL };
	struct h_result r;
	struct h_recording *rec;
	size_t len;
	char *before;

	(void)state;
	assert_true(asprintf(&old, "%s.old", data) > 0);
	unlink(old); /* from an earlier run of the suite */
	assert_int_equal(h_run(good, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -- true", &r, 0);
	h_result_release(&r);
	before = h_read_file(data, &len);
	assert_non_null(before);

	assert_int_equal(h_run(bad, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -- /nonexistent/x", &r, 127);
	h_result_release(&r);
	if (!file_equals(data, before, len))
		fail_msg("'%s' changed although the command never ran", data);
	assert_false(h_file_exists(old));
	rec = load_recording(data);
	assert_complete(data, rec);
	free(rec);
	free(before);
	free(old);
	free(data);
}

static void test_exec_not_executable(void **state)
{
	char *data = h_tmp_path("noexec.data"), *script = h_tmp_path("noexec.sh");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "--", script, NULL };
	struct h_result r;

	(void)state;
	assert_int_equal(h_write_file(script, "#!/bin/sh\nexit 0\n", 17), 0);
	assert_int_equal(chmod(script, 0644), 0);
	assert_int_equal(h_run(argv, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -- <a file without x>", &r, 126);
	assert_contains("stderr", r.err, "Permission denied");
	assert_false(h_file_exists(data));
	h_result_release(&r);
	free(script);
	free(data);
}

/* ---- signals ---- */

/*
 * Starts `pprobe record -o data ARGV...` in the background and waits until
 * the command runs (pprobe's child has exec'd `comm`) and the recording
 * exists. Returns the command's pid.
 */
static pid_t start_background(struct h_proc *p, const char *data, const char *const *extra,
			      const char *comm)
{
	struct h_args a = { 0 };
	double deadline;
	pid_t child = 0;
	int i;

	h_args_push(&a, h_pprobe_or_skip(), "record", "-o", data, NULL);
	for (i = 0; extra[i]; i++)
		h_args_push(&a, extra[i], NULL);
	assert_int_equal(h_spawn(p, a.v, NULL, NULL, NULL), 0);
	deadline = h_now() + 10;
	while (h_now() < deadline) {
		struct h_result r;

		if (h_poll(p, &r)) {
			h_show("pprobe record (background)", &r);
			fail_msg("pprobe ended before its command started");
		}
		if (!child)
			child = h_find_child(p->pid, comm);
		if (child && h_file_exists(data))
			return child;
		h_sleep(0.01);
	}
	h_proc_kill(p);
	fail_msg("the command '%s' did not start within 10 s", comm);
	return 0;
}

static void check_signal_forwarding(int sig, int want_exit)
{
	char *data = h_tmp_path("signal.data");
	const char *const cmd[] = { "--", "sleep", "30", NULL };
	struct h_proc p;
	struct h_result r;
	struct h_recording *rec;
	double sent;

	start_background(&p, data, cmd, "sleep");
	sent = h_now();
	assert_int_equal(kill(p.pid, sig), 0);
	assert_int_equal(h_wait(&p, 10, &r), 0);
	print_message("%s: pprobe exited %d, %.3f s after the signal\n", strsignal(sig),
		      r.exited ? r.exit_code : -r.term_signal, h_now() - sent);
	h_assert_exit("pprobe record -- sleep 30 (signalled)", &r, want_exit);
	assert_true(h_now() - sent < 5);
	h_result_release(&r);

	rec = load_recording(data);
	assert_complete(data, rec);
	assert_int_equal(rec->nr_run_end, 1);
	assert_int_equal(rec->run_end.exit_kind, REC_EXIT_SIGNAL);
	assert_int_equal(rec->run_end.exit_code, sig);
	free(rec);
	free(data);
}

static void test_signal_sigterm(void **state)
{
	(void)state;
	check_signal_forwarding(SIGTERM, 143);
}

static void test_signal_sigint(void **state)
{
	(void)state;
	check_signal_forwarding(SIGINT, 130);
}

/*
 * A command that ignores SIGTERM keeps running: pprobe passes the signal
 * on, goes on recording, and ends when the command does, with its status.
 */
static void test_signal_ignored_by_command(void **state)
{
	char *data = h_tmp_path("ignore-term.data");
	const char *const cmd[] = { "--", "sh", "-c", "trap '' TERM; sleep 1; exit 5", NULL };
	struct h_proc p;
	struct h_result r;
	struct h_recording *rec;
	double deadline, sent;
	pid_t sh;

	(void)state;
	sh = start_background(&p, data, cmd, "sh");
	/* Once sh has started sleep, its trap is in place. */
	deadline = h_now() + 10;
	while (!h_find_child(sh, "sleep") && h_now() < deadline)
		h_sleep(0.01);
	sent = h_now();
	assert_int_equal(kill(p.pid, SIGTERM), 0);
	assert_int_equal(h_wait(&p, 10, &r), 0);
	print_message("SIGTERM ignored by the command: pprobe exited %d, %.3f s after the signal\n",
		      r.exited ? r.exit_code : -r.term_signal, h_now() - sent);
	h_assert_exit("pprobe record -- sh -c \"trap '' TERM; ...\"", &r, 5);
	h_result_release(&r);
	rec = load_recording(data);
	assert_complete(data, rec);
	assert_int_equal(rec->run_end.exit_kind, REC_EXIT_NORMAL);
	assert_int_equal(rec->run_end.exit_code, 5);
	free(rec);
	free(data);
}

/*
 * A command that leaves a background child behind (a daemon, `cmd &`):
 * PRODUCT.md says such a tree "is still recorded and reaped". pprobe, as
 * the subreaper of the tree, should wait for the orphan and count it: the
 * orphan burns 0.5 s of CPU after the command itself has exited.
 */
static void test_orphan_recorded_and_reaped(void **state)
{
	char *data = h_tmp_path("orphan.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "-e", "task-clock", "--",
			       "sh", "-c", "\"$0\" 1 0.5 & exit 0", h_workload("burn"), NULL };
	struct h_proc p;
	struct h_result r;
	struct h_recording *rec;
	struct rec_count raw;
	pid_t group;

	(void)state;
	assert_int_equal(h_spawn(&p, argv, NULL, NULL, NULL), 0);
	group = p.pid;
	assert_int_equal(h_wait(&p, RUN_TIMEOUT, &r), 0);
	/* Whatever happened, no orphan outlives the test. */
	h_kill_group(group);
	h_assert_exit("pprobe record -- sh -c 'burn 1 0.5 & exit 0'", &r, 0);
	h_result_release(&r);
	rec = load_recording(data);
	assert_complete(data, rec);
	assert_int_equal(h_recording_last(rec, "task-clock", &raw), 0);
	print_message("command exited at once, its orphan burnt 0.5 s: recording lasted %.3f s, task-clock %.1f ms\n",
		      (double)(rec->run_end.time_ns - rec->run_begin.time_ns) / 1e9,
		      (double)raw.value / 1e6);
	if (raw.value < 450 * 1000 * 1000ull)
		fail_msg("the orphan's CPU time is missing: pprobe did not wait for it");
	free(rec);
	free(data);
}

/* kill -9 of pprobe itself: the file is cut off but readable. */
static void test_kill9_mid_recording(void **state)
{
	char *data = h_tmp_path("kill9-pprobe.data");
	const char *const cmd[] = { "-I", "10", "-e", "task-clock,page-faults", "--",
				    h_workload("burn"), "1", "3", NULL };
	struct h_proc p;
	struct h_result r;
	struct h_recording *rec;
	pid_t child;

	(void)state;
	child = start_background(&p, data, cmd, "burn");
	h_sleep(1.5);
	assert_int_equal(kill(p.pid, SIGKILL), 0);
	/* The orphaned workload goes too: it is still in pprobe's group. */
	kill(child, SIGKILL);
	h_kill_group(p.pid);
	assert_int_equal(h_wait(&p, 10, &r), 0);
	assert_true(r.signaled && r.term_signal == SIGKILL);
	h_result_release(&r);

	rec = load_recording(data);
	print_message("after kill -9 at 1.5 s: %llu records, %d COUNTS, status '%s'\n",
		      (unsigned long long)rec->records, rec->nr_counts, rec_strerror(rec->status));
	assert_int_equal(rec->status, REC_ERR_TRUNCATED);
	assert_true(rec->nr_counts >= 1);
	assert_int_equal(rec->nr_run_end, 0);
	free(rec);

	run_report(NULL, data, &r);
	if (!r.exited || r.exit_code != 0 || !strstr(r.err, "cut off") ||
	    !strstr(r.out, "task-clock")) {
		h_show("pprobe report <killed recording>", &r);
		fail_msg("expected exit 0, 'cut off' on stderr and the figures on stdout");
	}
	h_result_release(&r);
	free(data);
}

/* ---- output ---- */

static void test_output_stdout_pipe(void **state)
{
	const char *argv[] = { "sh", "-c", "\"$0\" record -o - -e task-clock -- true | \"$0\" report -",
			       h_pprobe_or_skip(), NULL };
	struct h_result r;

	(void)state;
	assert_int_equal(h_run(argv, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -o - -- true | pprobe report -", &r, 0);
	assert_contains("report of a piped recording", r.out, "task-clock");
	if (strstr(r.err, "error"))
		fail_msg("errors in: %s", r.err);
	h_result_release(&r);
}

/* The command's stdout must not end up inside the recording on stdout. */
static void test_output_stdout_command_output(void **state)
{
	char *data = h_tmp_path("dash.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", "-", "-e", "task-clock", "--",
			       "echo", "hello", NULL };
	struct h_result r;
	struct h_recording *rec;

	(void)state;
	assert_int_equal(h_run(argv, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -o - -- echo hello", &r, 0);
	assert_contains("stderr", r.err, "hello\n");
	/* "hello" itself is in the file, as an argument in META; its line is not. */
	if (memmem(r.out, r.out_len, "hello\n", 6))
		fail_msg("the command's output is inside the recording");
	assert_int_equal(h_write_file(data, r.out, r.out_len), 0);
	h_result_release(&r);

	rec = load_recording(data);
	assert_complete(data, rec);
	assert_int_equal(rec->run_end.exit_code, 0);
	free(rec);
	free(data);
}

static void test_output_old_rotation(void **state)
{
	char *data = h_tmp_path("rotate.data"), *old, *first;
	const char *one[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "true", NULL };
	const char *two[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "sh", "-c", "exit 4", NULL };
	struct h_result r;
	struct h_recording *rec;
	size_t len;

	(void)state;
	assert_true(asprintf(&old, "%s.old", data) > 0);
	unlink(old); /* from an earlier run of the suite */
	assert_int_equal(h_run(one, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("first recording", &r, 0);
	h_result_release(&r);
	first = h_read_file(data, &len);
	assert_non_null(first);
	assert_false(h_file_exists(old));

	assert_int_equal(h_run(two, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("second recording", &r, 4);
	h_result_release(&r);
	if (!file_equals(old, first, len))
		fail_msg("'%s' is not the first recording", old);
	rec = load_recording(data);
	assert_complete(data, rec);
	assert_int_equal(rec->run_end.exit_code, 4);
	free(rec);
	free(first);
	free(old);
	free(data);
}

/* The command's standard streams are its own: pprobe passes them through. */
static void test_passthrough(void **state)
{
	char *data = h_tmp_path("pass.data"), *input = h_tmp_path("pass.in");
	const char *echo[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "echo", "hi", NULL };
	const char *err[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "sh", "-c", "echo oops >&2", NULL };
	const char *cat[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "cat", NULL };
	struct h_proc p;
	struct h_result r;

	(void)state;
	assert_int_equal(h_run(echo, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -- echo hi", &r, 0);
	assert_string_equal(r.out, "hi\n");
	h_result_release(&r);

	assert_int_equal(h_run(err, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -- sh -c 'echo oops >&2'", &r, 0);
	assert_contains("stderr", r.err, "oops\n");
	h_result_release(&r);

	assert_int_equal(h_write_file(input, "ping\n", 5), 0);
	assert_int_equal(h_spawn(&p, cat, input, NULL, NULL), 0);
	assert_int_equal(h_wait(&p, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -- cat < file", &r, 0);
	assert_string_equal(r.out, "ping\n");
	h_result_release(&r);
	free(input);
	free(data);
}

/* ---- the sampling interval ---- */

static void test_interval(void **state)
{
	char *data = h_tmp_path("interval.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-I", "10", "-o", data, "-e", "task-clock",
			       "--", "sleep", "1", NULL };
	const char *zero[] = { h_pprobe_or_skip(), "record", "-I", "0", "-o", data, "--", "true", NULL };
	struct h_result r;
	struct h_recording *rec;
	int samples;

	(void)state;
	assert_int_equal(h_run(argv, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -I 10 -- sleep 1", &r, 0);
	h_result_release(&r);
	rec = load_recording(data);
	assert_complete(data, rec);
	samples = rec->nr_counts - rec->nr_counts_final;
	print_message("-I 10 on sleep 1: %d samples in %.3f s\n", samples,
		      (double)(rec->run_end.time_ns - rec->run_begin.time_ns) / 1e9);
	assert_in_range(samples, 50, 110);
	free(rec);

	unlink(data);
	assert_int_equal(h_run(zero, SHORT_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -I 0", &r, 129);
	assert_true(r.err_len > 0);
	assert_false(h_file_exists(data));
	h_result_release(&r);
	free(data);
}

/* ---- damaged files ---- */

/* A good recording with many records, made once for the damage tests. */
static char *good_recording;

static const char *make_good_recording(void)
{
	const char *argv[] = { h_pprobe_or_skip(), "record", "-I", "10", "-o", NULL,
			       "-e", "task-clock,context-switches,page-faults",
			       "--", h_workload("burn"), "1", "0.3", NULL };
	struct h_result r;

	if (good_recording)
		return good_recording;
	good_recording = h_tmp_path("good.data");
	argv[5] = good_recording;
	assert_int_equal(h_run(argv, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record (for the damage tests)", &r, 0);
	h_result_release(&r);
	return good_recording;
}

/* Writes the first `len` bytes of the good recording to a new file. */
static char *cut_copy(const char *name, size_t len)
{
	size_t full;
	char *data = h_read_file(make_good_recording(), &full), *path = h_tmp_path(name);

	assert_non_null(data);
	assert_true(len <= full);
	assert_int_equal(h_write_file(path, data, len), 0);
	free(data);
	return path;
}

static void expect_cut_off_readable(const char *what, const char *path)
{
	struct h_result r;

	run_report(NULL, path, &r);
	print_message("%s: exit %d, stderr: %s", what, r.exit_code, r.err);
	if (!r.exited || r.exit_code != 0 || !strstr(r.err, "cut off") ||
	    !strstr(r.out, "task-clock")) {
		h_show(what, &r);
		fail_msg("%s: expected exit 0, 'cut off' on stderr and figures on stdout", what);
	}
	h_result_release(&r);
}

/* One line on stderr, "error: ...", exit 1, and no crash. */
static void expect_refused(const char *what, const char *path, struct h_result *r)
{
	run_report(NULL, path, r);
	print_message("%s: exit %d, stderr: %s", what, r->exit_code, r->err);
	if (!r->exited || r->exit_code != 1 || strncmp(r->err, "error: ", 7)) {
		h_show(what, r);
		fail_msg("%s: expected exit 1 and an error message", what);
	}
}

/* The good recording, checked, with its record offsets. */
static struct h_recording *load_good_recording(void)
{
	struct h_recording *rec = load_recording(make_good_recording());

	assert_complete(good_recording, rec);
	assert_true(rec->nr_offsets > 8);
	return rec;
}

/* Shorter than the header: nothing is readable, a clear refusal. */
static void test_cut_off_in_header(void **state)
{
	struct h_result r;
	char *path;

	(void)state;
	path = cut_copy("cut-header.data", 10);
	expect_refused("cut inside the header", path, &r);
	assert_int_equal(h_count_lines(r.err), 1);
	assert_contains("stderr", r.err, path);
	h_result_release(&r);
	free(path);
}

/* Cut inside a COUNTS record in the middle, in its payload and its frame. */
static void test_cut_off_in_record(void **state)
{
	struct h_recording *rec = load_good_recording();
	struct h_csv csv;
	char *path;
	int k;

	(void)state;
	print_message("good recording: %llu records, END at byte %llu\n",
		      (unsigned long long)rec->records, (unsigned long long)rec->end_offset);
	for (k = rec->nr_offsets / 2; k < rec->nr_offsets && rec->types[k] != REC_COUNTS; k++)
		;
	assert_true(k < rec->nr_offsets - 1);

	path = cut_copy("cut-record.data", (size_t)rec->offsets[k] + 12);
	expect_cut_off_readable("cut inside a record", path);
	report_csv(path, &csv);
	assert_true(csv_counted(&csv, "task-clock") > 0);
	h_csv_release(&csv);
	free(path);

	path = cut_copy("cut-frame.data", (size_t)rec->offsets[k] + 4);
	expect_cut_off_readable("cut inside a frame", path);
	free(path);
	free(rec);
}

/* Everything but the END record: cut off, yet every figure is there. */
static void test_cut_off_before_end(void **state)
{
	struct h_recording *rec = load_good_recording();
	char *path;

	(void)state;
	path = cut_copy("cut-end.data", (size_t)rec->end_offset);
	expect_cut_off_readable("cut just before END", path);
	free(path);
	free(rec);
}

static void test_corrupt_files(void **state)
{
	struct h_recording *rec;
	struct h_result r;
	size_t len;
	char *data, *path, expect[64], saved[4];
	int k = 3;

	(void)state;
	rec = load_good_recording();

	/* A frame whose size is smaller than a frame. */
	data = h_read_file(good_recording, &len);
	assert_non_null(data);
	memcpy(saved, data + rec->offsets[k] + 4, 4);
	data[rec->offsets[k] + 4] = 3;
	data[rec->offsets[k] + 5] = 0;
	data[rec->offsets[k] + 6] = 0;
	data[rec->offsets[k] + 7] = 0;
	path = h_tmp_path("corrupt-size.data");
	assert_int_equal(h_write_file(path, data, len), 0);
	expect_refused("frame size 3", path, &r);
	snprintf(expect, sizeof(expect), "byte %llu", (unsigned long long)rec->offsets[k]);
	assert_contains("stderr", r.err, expect);
	h_result_release(&r);
	free(path);

	/* A major version from the future. */
	memcpy(data + rec->offsets[k] + 4, saved, 4);
	data[8] = 9;
	data[9] = 0;
	path = h_tmp_path("version9.data");
	assert_int_equal(h_write_file(path, data, len), 0);
	expect_refused("major version 9", path, &r);
	assert_contains("stderr", r.err, "version");
	assert_contains("stderr", r.err, "9");
	assert_int_equal(h_count_lines(r.err), 1);
	h_result_release(&r);
	free(path);
	free(data);
	free(rec);
}

static void test_foreign_file(void **state)
{
	char *foreign = h_tmp_path("hostname.data");
	struct h_result r;

	(void)state;
	if (h_copy_file("/etc/hostname", foreign))
		assert_int_equal(h_write_file(foreign, "localhost\n", 10), 0);
	expect_refused("a text file", foreign, &r);
	assert_int_equal(h_count_lines(r.err), 1);
	assert_contains("stderr", r.err, foreign);
	h_result_release(&r);
	free(foreign);
}

static void test_empty_file(void **state)
{
	char *empty = h_tmp_path("empty.data");
	struct h_result r;

	(void)state;
	assert_int_equal(h_write_file(empty, "", 0), 0);
	expect_refused("an empty file", empty, &r);
	assert_int_equal(h_count_lines(r.err), 1);
	assert_contains("stderr", r.err, empty);
	h_result_release(&r);
	free(empty);
}

/* ---- unprivileged ---- */

static int read_paranoid(void)
{
	char *s = h_read_file("/proc/sys/kernel/perf_event_paranoid", NULL);
	int v = s ? atoi(s) : 2;

	free(s);
	return v;
}

/*
 * As `nobody` at perf_event_paranoid=2 kernel-side counting is refused:
 * the collector falls back to user-only counting, marks the events, and
 * the report says so.
 */
static void test_unprivileged_user(void **state)
{
	char *dir = h_tmp_path("nobody"), *data;
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", NULL, "-e",
			       "task-clock,page-faults,context-switches,cpu-migrations,voluntary-context-switches",
			       "--", h_workload("burn"), "1", "0.2", NULL };
	int paranoid = read_paranoid();
	const struct rec_event *ev;
	struct rec_count raw;
	struct h_proc p;
	struct h_result r;
	struct h_recording *rec;

	(void)state;
	if (geteuid() != 0)
		H_SKIP("not root: cannot switch to the nobody user");
	if (paranoid >= 3)
		H_SKIP("perf_event_paranoid=%d forbids perf to unprivileged users", paranoid);
	assert_true(asprintf(&data, "%s/nobody.data", dir) > 0);
	argv[3] = data;
	h_shared_dir(dir);
	if (!h_nobody_can_use(h_pprobe_or_skip(), argv[7], dir))
		H_SKIP("nobody cannot reach '%s', '%s' or '%s' (a parent directory is not searchable)",
		     h_pprobe_or_skip(), argv[7], dir);

	assert_int_equal(h_spawn(&p, argv, NULL, h_become_nobody, NULL), 0);
	assert_int_equal(h_wait(&p, RUN_TIMEOUT, &r), 0);
	print_message("as nobody at perf_event_paranoid=%d: exit %d, stderr: %s", paranoid,
		      r.exit_code, r.err);
	h_assert_exit("pprobe record as nobody", &r, 0);
	if (paranoid >= 2) {
		char quoted[64];

		/* The note quotes the value and the fix. */
		snprintf(quoted, sizeof(quoted), "perf_event_paranoid is %d", paranoid);
		if (!strstr(r.err, quoted) || !strstr(r.err, "CAP_PERFMON"))
			fail_msg("record's note does not say '%s' and the fix", quoted);
	}
	h_result_release(&r);

	rec = load_recording(data);
	assert_complete(data, rec);
	ev = h_recording_event(rec, "task-clock");
	assert_non_null(ev);
	assert_int_equal(ev->status, REC_EVENT_OPENED);
	assert_int_equal(h_recording_last(rec, "task-clock", &raw), 0);
	print_message("  task-clock %.1f ms, flags 0x%x\n", (double)raw.value / 1e6, ev->flags);
	assert_true(raw.value > 100 * 1000 * 1000ull); /* 0.2 s of user-mode CPU */
	if (paranoid >= 2) {
		assert_true(ev->flags & REC_EVENT_F_USER_FALLBACK);
		assert_true(ev->flags & REC_EVENT_F_EXCLUDE_KERNEL);
	}
	free(rec);

	run_report(NULL, data, &r);
	h_assert_exit("pprobe report <nobody's recording>", &r, 0);
	if (paranoid >= 2 && !strstr(r.err, "note:") && !strstr(r.out, "note:")) {
		h_show("pprobe report <nobody's recording>", &r);
		fail_msg("the report does not say that only user mode was counted");
	}
	/* Switches read 0 in user mode: the tree's own count stands in,
	 * labelled; the tracepoint is not permitted (tracefs is root's, and
	 * tracepoints count kernel work), and the rest still counted. */
	if (paranoid >= 2 && !strstr(r.out, "from getrusage")) {
		h_show("pprobe report <nobody's recording>", &r);
		fail_msg("the report does not give the switches from getrusage");
	}
	/* Migrations from /proc/PID/sched, where the kernel has it. */
	if (paranoid >= 2 && !access("/proc/self/sched", R_OK) &&
	    !strstr(r.out, "cpu-migrations            # from /proc/PID/sched")) {
		h_show("pprobe report <nobody's recording>", &r);
		fail_msg("the report does not give the migrations from /proc");
	}
	if (!strstr(r.out, "<not permitted>      voluntary-context-switches")) {
		h_show("pprobe report <nobody's recording>", &r);
		fail_msg("voluntary-context-switches is not shown as not permitted");
	}
	h_result_release(&r);
	free(data);
	free(dir);
}

/* ---- multiplexing ---- */

/*
 * More hardware events than a PMU has counters: each hardware event is a
 * perf group of its own, so the kernel takes turns with them, and every
 * one is counted part of the time and scaled up from it, which the report
 * gives as percent_counted < 100 (and "(NN.NN%)" in text). task-clock, in
 * the software group, is counted all the time. 18 events (12 of them at
 * the least, where :k is not permitted) outnumber the counters of any
 * common PMU, 4 to 8 general ones and a few fixed. Where there is no PMU
 * there is nothing to multiplex: skipped.
 */
static void test_multiplexed_hardware(void **state)
{
	static const char *const names[] = {
		"cycles", "cycles:u", "cycles:k",
		"instructions", "instructions:u", "instructions:k",
		"branches", "branches:u", "branches:k",
		"branch-misses", "branch-misses:u", "branch-misses:k",
		"cache-references", "cache-references:u", "cache-references:k",
		"cache-misses", "cache-misses:u", "cache-misses:k",
	};
	enum { NR_HW = sizeof(names) / sizeof(names[0]) };
	char *data;
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", NULL, "--count-by", "task", "-e",
			       "task-clock,cycles,cycles:u,cycles:k,instructions,instructions:u,instructions:k,"
			       "branches,branches:u,branches:k,branch-misses,branch-misses:u,branch-misses:k,"
			       "cache-references,cache-references:u,cache-references:k,"
			       "cache-misses,cache-misses:u,cache-misses:k",
			       "--", h_workload("burn"), "1", "0.5", NULL };
	const struct rec_event *clock, *ev;
	uint32_t groups[NR_HW];
	int opened = 0;
	struct h_recording *rec;
	struct h_result r;
	struct h_csv csv;
	const char *line;

	(void)state;
	if (!machine_has_pmu())
		H_SKIP("no hardware PMU (no /sys/bus/event_source/devices/cpu, cpu_core or armv8_pmuv3_0): nothing to multiplex");
	data = h_tmp_path("multiplexed.data");
	argv[3] = data;
	assert_int_equal(h_run(argv, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record <18 hardware events>", &r, 0);
	h_result_release(&r);

	rec = load_recording(data);
	assert_complete(data, rec);
	clock = h_recording_event(rec, "task-clock");
	assert_non_null(clock);
	for (int i = 0; i < NR_HW; i++) {
		ev = h_recording_event(rec, names[i]);
		assert_non_null(ev);
		print_message("  %-20s file status %u errno %d group %u\n", names[i],
			      ev->status, ev->error, ev->group);
		if (ev->status != REC_EVENT_OPENED)
			continue;
		/* A group each, apart from the software one. */
		assert_int_not_equal(ev->group, clock->group);
		for (int k = 0; k < opened; k++)
			assert_int_not_equal(ev->group, groups[k]);
		groups[opened++] = ev->group;
	}
	free(rec);
	if (opened < 12) {
		free(data);
		H_SKIP("only %d of the %d hardware events opened here: too few to be sure they outnumber the counters",
		       opened, (int)NR_HW);
	}

	report_csv(data, &csv);
	assert_true(csv_row(&csv, "task-clock")->percent_counted == 100.0);
	for (int i = 0; i < NR_HW; i++) {
		const struct h_csv_row *row = csv_row(&csv, names[i]);

		if (!strcmp(row->status, "not permitted") || !strcmp(row->status, "not supported"))
			continue;
		print_message("  %-20s %s %.0f, %.2f%% counted (running %llu of %llu ns)\n",
			      names[i], row->status, row->value, row->percent_counted,
			      (unsigned long long)row->running_ns,
			      (unsigned long long)row->enabled_ns);
		assert_string_equal(row->status, "counted");
		assert_true(row->has_value && row->has_percent);
		assert_true(row->percent_counted > 0.0 && row->percent_counted < 100.0);
		assert_true(row->running_ns < row->enabled_ns);
	}
	h_csv_release(&csv);

	/* The text marks the scaled values, as perf does. */
	run_report(NULL, data, &r);
	h_assert_exit("pprobe report <18 hardware events>", &r, 0);
	line = strstr(r.out, " cycles:u ");
	if (!line || !memchr(line, '%', strcspn(line, "\n"))) {
		h_show("pprobe report <18 hardware events>", &r);
		fail_msg("the text report does not mark cycles:u as scaled");
	}
	h_result_release(&r);
	free(data);
}

static int group_teardown(void **state)
{
	(void)state;
	free(good_recording);
	good_recording = NULL;
	return 0;
}

int main(void)
{
	const char *refused = h_perf_refused();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accuracy_pingpong),
		cmocka_unit_test(test_accuracy_touchmem),
		cmocka_unit_test(test_accuracy_burn),
		cmocka_unit_test(test_accuracy_forktree),
		cmocka_unit_test(test_accuracy_forktree_deep),
		cmocka_unit_test(test_accuracy_pingpong_cgroup),
		cmocka_unit_test(test_accuracy_forktree_cgroup),
		cmocka_unit_test(test_accuracy_forktree_deep_cgroup),
		cmocka_unit_test(test_accuracy_pingpong_rusage),
		cmocka_unit_test(test_accuracy_forktree_deep_rusage),
		cmocka_unit_test(test_count_by_rusage),
		cmocka_unit_test(test_count_by_rusage_nobody),
		cmocka_unit_test(test_count_by_rusage_refuses),
		cmocka_unit_test(test_switch_kinds),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_event_list_custom),
		cmocka_unit_test(test_event_unknown),
		cmocka_unit_test(test_hardware_events),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_exec_not_found),
		cmocka_unit_test(test_exec_failure_keeps_old_file),
		cmocka_unit_test(test_exec_not_executable),
		cmocka_unit_test(test_signal_sigterm),
		cmocka_unit_test(test_signal_sigint),
		cmocka_unit_test(test_signal_ignored_by_command),
		cmocka_unit_test(test_orphan_recorded_and_reaped),
		cmocka_unit_test(test_kill9_mid_recording),
		cmocka_unit_test(test_output_stdout_pipe),
		cmocka_unit_test(test_output_stdout_command_output),
		cmocka_unit_test(test_output_old_rotation),
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_cut_off_in_header),
		cmocka_unit_test(test_cut_off_in_record),
		cmocka_unit_test(test_cut_off_before_end),
		cmocka_unit_test(test_corrupt_files),
		cmocka_unit_test(test_foreign_file),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_unprivileged_user),
		cmocka_unit_test(test_multiplexed_hardware),
	};

	if (refused) {
		printf("skipped: every end-to-end test: %s\n", refused);
		return H_EXIT_SKIPPED;
	}
	return cmocka_run_group_tests_name("e2e record", tests, NULL, group_teardown);
}

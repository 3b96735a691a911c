/*
 * test_e2e_scale.c - repeats, CPU sets and scaling studies, end to end:
 * the real pprobe on calibrated workloads, its figures checked against
 * the kernel's own accounting and against what the workloads must do.
 *
 *  - `record -r N --warmup K`: N + K runs, the first K marked, each with
 *    its own figures: a run's rusage (RUSAGE_CHILDREN less what the
 *    earlier runs left there) agrees with its own task-clock;
 *  - commands separated by ":::" run interleaved, each a variant;
 *  - `--cpus` pins the tree: two spinning threads on one CPU take twice
 *    as long and use one CPU; `--per-cpu` puts their time on that CPU
 *    and its CPUs add up to the total;
 *  - `pprobe scale --cpus 1,2`: `burn 2` (two CPU-bound threads) runs
 *    about twice as fast on two CPUs, `burn 1` (one thread) no faster,
 *    and `contend` (four threads on one mutex) switches far more;
 *  - bad CPU lists and counts are usage errors, and a failed run stops
 *    the repeats with what was recorded kept.
 *
 * Tolerances are for a shared 2-core VM: a speedup of 2 must be above
 * 1.5, a speedup of 1 within 0.8-1.25, each figure the mean of 3 runs
 * (interleaved, so a busy moment hurts every CPU count alike), and a
 * study that misses is made again, up to 3 times. Every comparison is
 * printed, passing or not. Tests that need 2 online CPUs
 * skip, saying so, on a machine with one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "recfile.h"

#define RUN_TIMEOUT 120.0       /* seconds, for any one command */
#define MAX_RUNS 32
#define MAX_CPUS 64

/* What one run of a recording says, read straight from the file. */
struct run_facts {
	uint32_t variant, flags;
	int ended;
	double wall_s;
	double user_s, sys_s;      /* RUN_END rusage */
	uint64_t nvcsw, nivcsw;
	double task_clock_s;       /* the last COUNTS */
	uint64_t ctxsw, migrations;
	/* The last CPU_COUNTS: task-clock seconds per CPU. */
	double cpu_s[MAX_CPUS];
	int has_cpu;
};

struct facts {
	enum rec_status status;
	int nr_runs, nr_variants;
	struct run_facts runs[MAX_RUNS];
	struct {
		uint32_t nr_cpus;
		char label[96], cpus[64], argv0[256];
	} variants[8];
};

/* The id of the event named name among the EVENT records, or -1. */
static long event_id(const char names[][32], int nr, const char *name)
{
	for (int i = 0; i < nr; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static void load_facts(const char *path, struct facts *f)
{
	struct rec_reader r;
	struct rec rec;
	char names[64][32];
	uint32_t ids[64];
	int nr_events = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t begin = 0;

	memset(f, 0, sizeof(*f));
	assert_true(fd >= 0);
	assert_int_equal(rec_reader_open(&r, fd), REC_OK);
	while ((f->status = rec_reader_next(&r, &rec)) == REC_OK) {
		struct run_facts *run = f->nr_runs ? &f->runs[f->nr_runs - 1] : NULL;

		switch (rec.type) {
		case REC_EVENT: {
			struct rec_event e;

			assert_int_equal(rec_decode_event(&rec, &e), 0);
			assert_true(nr_events < 64);
			snprintf(names[nr_events], sizeof(names[0]), "%s", e.name);
			ids[nr_events++] = e.id;
			break;
		}
		case REC_VARIANT: {
			struct rec_variant v;
			size_t pos = 0;
			const char *arg;

			assert_int_equal(rec_decode_variant(&rec, &v), 0);
			assert_true(f->nr_variants < 8);
			f->variants[f->nr_variants].nr_cpus = v.nr_cpus;
			snprintf(f->variants[f->nr_variants].label, 96, "%s", v.label);
			snprintf(f->variants[f->nr_variants].cpus, 64, "%s", v.cpus);
			arg = rec_variant_arg(&v, &pos);
			snprintf(f->variants[f->nr_variants].argv0, 256, "%s", arg ? arg : "");
			f->nr_variants++;
			break;
		}
		case REC_RUN_BEGIN: {
			struct rec_run_begin b;

			assert_int_equal(rec_decode_run_begin(&rec, &b), 0);
			assert_true(f->nr_runs < MAX_RUNS);
			assert_int_equal(b.run, (uint32_t)f->nr_runs);
			run = &f->runs[f->nr_runs++];
			run->variant = b.variant;
			run->flags = b.flags;
			begin = b.time_ns;
			break;
		}
		case REC_RUN_END: {
			struct rec_run_end e;

			assert_int_equal(rec_decode_run_end(&rec, &e), 0);
			assert_non_null(run);
			assert_int_equal(e.run, (uint32_t)(f->nr_runs - 1));
			run->ended = 1;
			run->wall_s = (double)(e.time_ns - begin) / 1e9;
			run->user_s = (double)e.rusage.utime_us / 1e6;
			run->sys_s = (double)e.rusage.stime_us / 1e6;
			run->nvcsw = e.rusage.nvcsw;
			run->nivcsw = e.rusage.nivcsw;
			break;
		}
		case REC_COUNTS:
		case REC_CPU_COUNTS: {
			struct rec_counts c;
			struct rec_count e;
			int per_cpu = rec.type == REC_CPU_COUNTS;

			assert_int_equal(per_cpu ? rec_decode_cpu_counts(&rec, &c) :
					 rec_decode_counts(&rec, &c), 0);
			assert_non_null(run);
			if (per_cpu) {
				memset(run->cpu_s, 0, sizeof(run->cpu_s));
				run->has_cpu = 1;
			}
			for (uint32_t i = 0; i < c.nr; i++) {
				long k = -1;

				rec_counts_get(&c, i, &e);
				for (int j = 0; j < nr_events; j++)
					if (ids[j] == e.event_id)
						k = j;
				assert_true(k >= 0);
				if (per_cpu) {
					uint32_t cpu = rec_counts_cpu(&c, i);

					if (k == event_id(names, nr_events, "task-clock") &&
					    cpu < MAX_CPUS)
						run->cpu_s[cpu] = (double)e.value / 1e9;
					continue;
				}
				if (k == event_id(names, nr_events, "task-clock"))
					run->task_clock_s = (double)e.value / 1e9;
				else if (k == event_id(names, nr_events, "context-switches"))
					run->ctxsw = e.value;
				else if (k == event_id(names, nr_events, "cpu-migrations"))
					run->migrations = e.value;
			}
			break;
		}
		default:
			break;
		}
	}
	rec_reader_release(&r);
	close(fd);
}

/* The mean of a figure over the measured runs of one variant. */
static double variant_mean(const struct facts *f, uint32_t variant,
			   double (*figure)(const struct run_facts *))
{
	double sum = 0;
	int n = 0;

	for (int i = 0; i < f->nr_runs; i++)
		if (f->runs[i].variant == variant &&
		    !(f->runs[i].flags & REC_RUN_F_WARMUP) && f->runs[i].ended) {
			sum += figure(&f->runs[i]);
			n++;
		}
	assert_true(n > 0);
	return sum / n;
}

static double wall_of(const struct run_facts *r) { return r->wall_s; }
static double ctxsw_of(const struct run_facts *r) { return (double)r->ctxsw; }
static double cpu_of(const struct run_facts *r) { return r->task_clock_s; }

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

static void need_two_cpus(void)
{
	if (online_cpus() < 2)
		H_SKIP("this machine has %d online CPU: scaling needs 2", online_cpus());
}

/* A fresh path in $PPROBE_TMPDIR for this test's output. */
static char *fresh(const char *name)
{
	char *p = h_tmp_path(name);
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
	assert_int_equal(system(cmd), 0);
	return p;
}

static void run_ok(const char *what, const char *const *argv, struct h_result *r)
{
	assert_int_equal(h_run(argv, RUN_TIMEOUT, r), 0);
	h_assert_exit(what, r, 0);
}

/* ---- record -r, --warmup, ::: ---- */

static void test_repeat_and_warmup(void **state)
{
	char *data = fresh("repeat.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "-r", "3",
			       "--warmup", "1", "--", h_workload("burn"), "1", "0.15", NULL };
	struct h_result r;
	struct facts *f = calloc(1, sizeof(*f));
	double steal;
	int ok = 1;

	(void)state;
	/*
	 * Time the hypervisor steals from a running vCPU is in task-clock
	 * but not in rusage (test_e2e_record.c explains it): the machine's
	 * steal over the runs widens both comparisons.
	 */
	steal = h_steal_ms();
	run_ok("record -r 3 --warmup 1", argv, &r);
	steal = (h_steal_ms() - steal) / 1e3;
	print_message("  steal time over the runs: %.3f s\n", steal);
	load_facts(data, f);
	assert_int_equal(f->status, REC_DONE);
	assert_int_equal(f->nr_runs, 4);
	assert_true(f->runs[0].flags & REC_RUN_F_WARMUP);
	for (int i = 1; i < 4; i++)
		assert_false(f->runs[i].flags & REC_RUN_F_WARMUP);
	/* Each run's rusage is its own: not the sum of the runs so far. */
	for (int i = 0; i < 4; i++) {
		char label[32];

		snprintf(label, sizeof(label), "run %d", i);
		assert_true(f->runs[i].ended);
		ok &= h_compare(label, "user+sys s vs task-clock s",
				f->runs[i].user_s + f->runs[i].sys_s,
				f->runs[i].task_clock_s, 0.03 + steal, 0.03 + steal, "");
		ok &= h_compare(label, "task-clock s", f->runs[i].task_clock_s,
				0.15, 0.02, 0.05 + steal, " (burn 1 0.15)");
	}
	assert_true(ok);
	/* Each run announced; the summary counts them all. */
	assert_non_null(strstr(r.err, "warm-up run 1 of 1"));
	assert_non_null(strstr(r.err, "run 3 of 3"));
	h_result_release(&r);
	free(f);
	free(data);
}

static void test_interleaved_commands(void **state)
{
	char *data = fresh("interleaved.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-q", "-o", data, "-r", "2",
			       "--", h_workload("burn"), "1", "0.05", ":::",
			       h_workload("pingpong"), "2000", NULL };
	struct h_result r;
	struct facts *f = calloc(1, sizeof(*f));

	(void)state;
	run_ok("record -r 2 -- burn ::: pingpong", argv, &r);
	load_facts(data, f);
	assert_int_equal(f->status, REC_DONE);
	assert_int_equal(f->nr_variants, 2);
	assert_non_null(strstr(f->variants[0].argv0, "burn"));
	assert_non_null(strstr(f->variants[1].argv0, "pingpong"));
	assert_int_equal(f->variants[0].nr_cpus, 0);
	assert_int_equal(f->nr_runs, 4);
	/* a b a b, and each run did its own command's work. */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(f->runs[i].variant, (uint32_t)(i % 2));
		if (i % 2)
			assert_true(f->runs[i].nvcsw + f->runs[i].nivcsw >= 2 * 2000 * 9 / 10);
		else
			assert_true(f->runs[i].task_clock_s >= 0.04);
	}
	/* The report shows each command as a recording of its own. */
	h_result_release(&r);
	h_report(NULL, NULL, data, RUN_TIMEOUT, &r);
	assert_non_null(strstr(r.out, "pingpong"));
	assert_non_null(strstr(r.out, "burn"));
	h_result_release(&r);
	free(f);
	free(data);
}

static void test_failed_run_stops(void **state)
{
	char *data = fresh("failed.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "-r", "3",
			       "--", "sh", "-c", "exit 3", NULL };
	struct h_result r;
	struct facts *f = calloc(1, sizeof(*f));

	(void)state;
	assert_int_equal(h_run(argv, RUN_TIMEOUT, &r), 0);
	h_assert_exit("record -r 3 of a failing command", &r, 3);
	assert_non_null(strstr(r.err, "stopping"));
	load_facts(data, f);
	/* What ran is kept, and the file is complete. */
	assert_int_equal(f->status, REC_DONE);
	assert_int_equal(f->nr_runs, 1);
	assert_true(f->runs[0].ended);
	h_result_release(&r);
	free(f);
	free(data);
}

/* ---- --cpus and --per-cpu ---- */

static void test_cpus_pins_the_tree(void **state)
{
	char *data = fresh("pinned.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-q", "-o", data, "--cpus", "1",
			       "--per-cpu", "--", h_workload("burn"), "2", "0.2", NULL };
	struct h_result r;
	struct facts *f = calloc(1, sizeof(*f));
	const struct run_facts *run;
	int ok = 1;

	(void)state;
	need_two_cpus();
	run_ok("record --cpus 1 --per-cpu", argv, &r);
	load_facts(data, f);
	assert_int_equal(f->nr_variants, 1);
	assert_int_equal(f->variants[0].nr_cpus, 1);
	assert_string_equal(f->variants[0].cpus, "1");
	run = &f->runs[0];
	assert_true(run->has_cpu);
	/* Two threads of 0.2 s on one CPU: 0.4 s of wall, one CPU used,
	 * all of it on CPU 1. */
	ok &= h_compare("", "wall s", run->wall_s, 0.4, 0.04, 0.6, " (2 x 0.2 s on 1 CPU)");
	ok &= h_compare("", "CPUs utilised", run->task_clock_s / run->wall_s, 1.0, 0.3, 0.06, "");
	ok &= h_compare("", "task-clock on CPU 1 s", run->cpu_s[1], run->task_clock_s,
			0.01, 0.01, " (all of it)");
	ok &= h_compare("", "task-clock on CPU 0 s", run->cpu_s[0], 0, 0, 0.001, "");
	assert_true(ok);
	h_result_release(&r);
	free(f);
	free(data);
}

static void test_per_cpu_adds_up(void **state)
{
	char *data = fresh("percpu.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-q", "-o", data, "--per-cpu",
			       "--", h_workload("burn"), "2", "0.2", NULL };
	struct h_result r;
	struct facts *f = calloc(1, sizeof(*f));
	const struct run_facts *run;
	double sum = 0;

	(void)state;
	run_ok("record --per-cpu", argv, &r);
	load_facts(data, f);
	run = &f->runs[0];
	assert_true(run->has_cpu);
	for (int c = 0; c < MAX_CPUS; c++)
		sum += run->cpu_s[c];
	/* The per-CPU counters are read just after the total. */
	assert_true(h_compare("", "sum of per-CPU task-clock s", sum, run->task_clock_s,
			      0.005, 0.005, " (the total)"));
	h_result_release(&r);
	free(f);
	free(data);
}

static void test_bad_cpu_lists(void **state)
{
	const char *pp = h_pprobe_or_skip();
	const char *missing[] = { pp, "record", "-o", "/dev/null", "--cpus", "4095", "--", "true", NULL };
	const char *syntax[] = { pp, "record", "-o", "/dev/null", "--cpus", "0-", "--", "true", NULL };
	const char *attach[] = { pp, "record", "-o", "/dev/null", "-r", "2", "-p", "1", NULL };
	const char *too_many[] = { pp, "scale", "-o", "/dev/null", "--cpus", "1,4096", "--", "true", NULL };
	const char *zero[] = { pp, "scale", "--cpus", "0,1", "--", "true", NULL };
	const char *empty[] = { pp, "record", "-o", "/dev/null", "--", "true", ":::", NULL };
	struct h_result r;
	char want[64];

	(void)state;
	assert_int_equal(h_run(missing, RUN_TIMEOUT, &r), 0);
	h_assert_exit("--cpus 4095", &r, 129);
	assert_non_null(strstr(r.err, "CPU 4095 does not exist"));
	h_result_release(&r);
	assert_int_equal(h_run(syntax, RUN_TIMEOUT, &r), 0);
	h_assert_exit("--cpus 0-", &r, 129);
	assert_non_null(strstr(r.err, "not a CPU list"));
	h_result_release(&r);
	assert_int_equal(h_run(attach, RUN_TIMEOUT, &r), 0);
	h_assert_exit("-r with -p", &r, 129);
	h_result_release(&r);
	assert_int_equal(h_run(too_many, RUN_TIMEOUT, &r), 0);
	h_assert_exit("scale --cpus 1,4096", &r, 129);
	snprintf(want, sizeof(want), "this machine has %d online CPU", online_cpus());
	assert_non_null(strstr(r.err, want));
	h_result_release(&r);
	assert_int_equal(h_run(zero, RUN_TIMEOUT, &r), 0);
	h_assert_exit("scale --cpus 0,1", &r, 129);
	h_result_release(&r);
	assert_int_equal(h_run(empty, RUN_TIMEOUT, &r), 0);
	h_assert_exit("a trailing :::", &r, 129);
	h_result_release(&r);
}

/*
 * Counting by cgroup (root), --cpus also makes a cpuset cgroup, which
 * the command cannot widen its affinity past; per task, the affinity
 * alone pins.
 */
static void test_cpuset_cgroup(void **state)
{
	const char *script = "taskset -pc 0-1 $$ >/dev/null 2>&1; grep Cpus_allowed_list /proc/self/status";
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", "/dev/null", "--count-by",
			       "cgroup", "--cpus", "1", "--", "sh", "-c", script, NULL };
	struct h_result r;

	(void)state;
	need_two_cpus();
	if (geteuid() != 0)
		H_SKIP("not root: no cgroup of pprobe's to put a cpuset beside");
	assert_int_equal(h_run(argv, RUN_TIMEOUT, &r), 0);
	if (r.exit_code != 0 || strstr(r.err, "no cpuset cgroup")) {
		h_show("record --count-by cgroup --cpus 1", &r);
		H_SKIP("no cpuset cgroup on this machine (cgroup v2, or no cpuset controller): the affinity alone pins");
	}
	print_message("after widening its affinity: %s", r.out);
	assert_non_null(strstr(r.out, "Cpus_allowed_list:\t1\n"));
	h_result_release(&r);
}

/* ---- pprobe scale ---- */

/* Runs a study of `argv...` on 1 and 2 CPUs into dir; the facts. */
static void scale(const char *dir, struct facts *f, struct h_result *r,
		  const char *workload, const char *a1, const char *a2)
{
	char *data;
	const char *argv[] = { h_pprobe_or_skip(), "scale", "-q", "--cpus", "1,2", "-r", "3",
			       "-o", dir, "--", h_workload(workload), a1, a2, NULL };

	need_two_cpus();
	run_ok("pprobe scale", argv, r);
	assert_true(asprintf(&data, "%s/scale.data", dir) > 0);
	load_facts(data, f);
	free(data);
	assert_int_equal(f->status, REC_DONE);
	assert_int_equal(f->nr_variants, 2);
	assert_int_equal(f->variants[0].nr_cpus, 1);
	assert_int_equal(f->variants[1].nr_cpus, 2);
	assert_string_equal(f->variants[1].label, "2 CPUs");
	assert_int_equal(f->nr_runs, 6);
}

/*
 * A study that misses its tolerance is made again, up to STUDY_TRIES
 * times: on a shared machine another job can take a CPU from the runs
 * on two (seen here: a speedup of 1.1 while four compilers ran). Each
 * try is printed; one within the tolerance passes.
 */
#define STUDY_TRIES 3

/* What a study must show; prints its comparisons. 1 when it does. */
typedef int (*study_check)(const struct facts *f);

/* Studies workload on 1 and 2 CPUs until check passes, STUDY_TRIES at most. */
static void study(const char *name, const char *workload, const char *a1,
		  const char *a2, study_check check)
{
	char *dir = fresh(name);
	struct facts *f = calloc(1, sizeof(*f));
	struct h_result r;
	int ok = 0;

	for (int t = 0; t < STUDY_TRIES && !ok; t++) {
		scale(dir, f, &r, workload, a1, a2);
		ok = check(f);
		h_result_release(&r);
	}
	assert_true(ok);
	free(f);
	free(dir);
}

static int scales_twice(const struct facts *f)
{
	double speedup = variant_mean(f, 0, wall_of) / variant_mean(f, 1, wall_of);
	int ok = h_compare("burn 2", "speedup 1 -> 2 CPUs", speedup, 2.0, 0.5, 0.3,
			   " (two CPU-bound threads)");

	/* The same work either way: CPU time does not scale. */
	return ok & h_compare("burn 2", "CPU s on 2 CPUs / on 1", variant_mean(f, 1, cpu_of) /
			      variant_mean(f, 0, cpu_of), 1.0, 0.15, 0.15, "");
}

static int scales_not(const struct facts *f)
{
	double speedup = variant_mean(f, 0, wall_of) / variant_mean(f, 1, wall_of);

	return h_compare("burn 1", "speedup 1 -> 2 CPUs", speedup, 1.0, 0.2, 0.25,
			 " (one thread)");
}

static int switches_rise(const struct facts *f)
{
	double one = variant_mean(f, 0, ctxsw_of), two = variant_mean(f, 1, ctxsw_of);

	print_message("contend 4: %.0f context switches on 1 CPU, %.0f on 2\n", one, two);
	/* Measured 30x here; asked: 4x, and at least 500 more. */
	return two >= 4 * one && two >= one + 500;
}

static void test_scale_parallel(void **state)
{
	(void)state;
	study("scale-burn2", "burn", "2", "0.3", scales_twice);
}

static void test_scale_serial(void **state)
{
	(void)state;
	study("scale-burn1", "burn", "1", "0.3", scales_not);
}

static void test_scale_contended(void **state)
{
	(void)state;
	study("scale-contend", "contend", "4", "50000", switches_rise);
}

/* ---- unprivileged ---- */

static void test_unprivileged_repeat_pinned(void **state)
{
	char *dir = h_tmp_path("nobody-scale"), *data;
	const char *argv[] = { h_pprobe_or_skip(), "record", "-q", "-o", NULL, "-r", "2",
			       "--cpus", "0", "--per-cpu", "--", h_workload("burn"), "1", "0.1", NULL };
	struct facts *f = calloc(1, sizeof(*f));
	struct h_proc p;
	struct h_result r;

	(void)state;
	if (geteuid() != 0)
		H_SKIP("not root: cannot switch to the nobody user");
	h_shared_dir(dir);
	if (!h_nobody_can_use(argv[0], argv[11], dir))
		H_SKIP("nobody cannot reach '%s', '%s' or '%s'", argv[0], argv[11], dir);
	assert_true(asprintf(&data, "%s/nobody.data", dir) > 0);
	argv[4] = data;
	assert_int_equal(h_spawn(&p, argv, NULL, h_become_nobody, NULL), 0);
	assert_int_equal(h_wait(&p, RUN_TIMEOUT, &r), 0);
	h_assert_exit("record -r 2 --cpus 0 --per-cpu as nobody", &r, 0);
	load_facts(data, f);
	assert_int_equal(f->nr_runs, 2);
	assert_true(f->runs[1].has_cpu);
	assert_true(h_compare("nobody", "task-clock on CPU 0 s", f->runs[1].cpu_s[0],
			      f->runs[1].task_clock_s, 0.01, 0.01, " (all of it)"));
	h_result_release(&r);
	free(f);
	free(data);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeat_and_warmup),
		cmocka_unit_test(test_interleaved_commands),
		cmocka_unit_test(test_failed_run_stops),
		cmocka_unit_test(test_cpus_pins_the_tree),
		cmocka_unit_test(test_per_cpu_adds_up),
		cmocka_unit_test(test_bad_cpu_lists),
		cmocka_unit_test(test_cpuset_cgroup),
		cmocka_unit_test(test_scale_parallel),
		cmocka_unit_test(test_scale_serial),
		cmocka_unit_test(test_scale_contended),
		cmocka_unit_test(test_unprivileged_repeat_pinned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

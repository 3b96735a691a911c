/*
 * test_e2e_profile.c - `pprobe record -F` and `report --hot`, `--folded`
 * and the profile's charts, on samples/ratio: two functions whose CPU
 * time is 1:2 by construction. work_one should hold a third of the
 * samples and work_two two thirds, within 5 points, whether the code is
 * in a PIE, a non-PIE executable or a shared library, since each is
 * mapped and resolved differently.
 *
 * "A third" is what ratio measured it got, not the 1:2 it asked for: on
 * a loaded machine the two calls run at different speeds, and CI runs
 * saw the true split at 35:65 while the test compared with 33:67 and
 * failed. ratio sums the thread's CPU time across each call and prints
 * each function's share of the process's CPU time (samples/ratio.c);
 * the report is held to that, and the line shows both.
 *
 * Also: call chains reach main() through the frame pointers; children
 * forked and exec'd by a shell are resolved through the mappings they
 * inherit and map; a binary replaced after the recording is detected
 * (by its build-id) and shown as offsets, not with wrong names; the
 * unprivileged user at perf_event_paranoid 2 gets user-mode samples; and
 * the usage errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

#define RUN_TIMEOUT 60.0
#define SECONDS "1.5"
/* Points of percentage the report may be off the 1:2 ratio. */
#define POINTS 5.0


/* The shares of CPU time a run of ratio measured: its line of output. */
struct truth {
	double one, two;
};

/*
 * The line "NAME: work_one X% work_two Y% of ..." that the ratio sample
 * called name printed on out, with pprobe's output passed through.
 */
static struct truth read_truth(const char *out, const char *name)
{
	struct truth t = { -1, -1 };
	char head[80];
	const char *at;

	snprintf(head, sizeof(head), "%s: work_one ", name);
	at = strstr(out, head);
	if (!at || sscanf(at + strlen(head), "%lf%% work_two %lf%%", &t.one,
			  &t.two) != 2)
		fail_msg("no line '%s...' in the output:\n%s", head, out);
	return t;
}

/*
 * `pprobe record -q <opts...> -o data -- argv...`, which must exit 0.
 * Returns the command's output (pprobe passes it through), to be freed.
 */
static char *record(const char *data, const char *const *opts,
		    const char *const *argv)
{
	struct h_args a = { 0 };
	struct h_result r;
	char *out;

	h_args_push(&a, h_pprobe_or_skip(), "record", "-q", "-o", data, NULL);
	for (; *opts; opts++)
		h_args_push(&a, *opts, NULL);
	h_args_push(&a, "--", NULL);
	for (; *argv; argv++)
		h_args_push(&a, *argv, NULL);
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record -F", &r, 0);
	out = strdup(r.out);
	h_result_release(&r);
	return out;
}

/* record() of one ratio sample, and the shares of time it measured. */
static struct truth record_ratio(const char *data, const char *const *opts,
				 const char *const *argv)
{
	char *out = record(data, opts, argv), *name = strrchr(argv[0], '/');
	struct truth t = read_truth(out, name ? name + 1 : argv[0]);

	free(out);
	return t;
}

/* One row of `report --hot --csv`. */
struct hot_row {
	char command[64], function[128], module[128];
	double samples, percent;
};

struct hot {
	struct hot_row rows[256];
	int nr;
	char *err;   /* the report's stderr */
};

static void read_hot(const char *data, struct hot *h)
{
	struct h_result r;
	char *pos, *fields[8];
	int n;

	memset(h, 0, sizeof(*h));
	h_report("--hot=100", "--csv", data, RUN_TIMEOUT, &r);
	pos = r.out;
	n = h_csv_fields(&pos, fields, 8);
	assert_int_equal(n, 8); /* the header */
	while (*pos && h->nr < 256) {
		struct hot_row *row = &h->rows[h->nr++];

		n = h_csv_fields(&pos, fields, 8);
		assert_int_equal(n, 8);
		snprintf(row->command, sizeof(row->command), "%s", fields[1]);
		snprintf(row->function, sizeof(row->function), "%s", fields[2]);
		snprintf(row->module, sizeof(row->module), "%s", fields[3]);
		row->samples = strtod(fields[4], NULL);
		row->percent = strtod(fields[5], NULL);
	}
	h->err = strdup(r.err);
	h_result_release(&r);
}

/* The overall row of function (command "") or of command's table. */
static const struct hot_row *find_row(const struct hot *h, const char *command,
				      const char *function)
{
	for (int i = 0; i < h->nr; i++)
		if (!strcmp(h->rows[i].command, command) &&
		    !strcmp(h->rows[i].function, function))
			return &h->rows[i];
	return NULL;
}

static double percent_of(const struct hot *h, const char *command,
			 const char *function)
{
	const struct hot_row *row = find_row(h, command, function);

	if (!row) {
		for (int i = 0; i < h->nr; i++)
			print_message("  row: '%s' '%s' '%s' %.0f %.1f%%\n",
				      h->rows[i].command, h->rows[i].function,
				      h->rows[i].module, h->rows[i].samples,
				      h->rows[i].percent);
		fail_msg("no row for %s in '%s'", function, command);
	}
	return row->percent;
}

/* The split ratio measured, in the overall table and in the command's. */
static void check_ratio(const char *label, const struct hot *h,
			const char *command, const char *module, struct truth t)
{
	const struct hot_row *two = find_row(h, "", "work_two");

	assert_true(h_compare(label, "work_one %", percent_of(h, "", "work_one"),
			      t.one, POINTS, POINTS, " (measured; 1 of 3 asked)"));
	assert_true(h_compare(label, "work_two %", percent_of(h, "", "work_two"),
			      t.two, POINTS, POINTS, " (measured; 2 of 3 asked)"));
	assert_true(h_compare(label, "work_one % of command",
			      percent_of(h, command, "work_one"), t.one,
			      POINTS, POINTS, " (measured)"));
	assert_non_null(two);
	assert_string_equal(two->module, module);
	/* 999 Hz for about SECONDS of CPU time. */
	assert_true(h_compare(label, "samples", two->samples * 3 / 2, 1.5 * 999,
			      1.5 * 999 * 0.3, 1.5 * 999 * 0.3, " (1.5 s at 999 Hz)"));
}

static void ratio_test(const char *binary, const char *module)
{
	char *data = h_tmp_path(binary);
	const char *opts[] = { "-F", "999", NULL };
	const char *argv[] = { h_sample(binary), SECONDS, NULL };
	struct hot h;
	struct truth t = record_ratio(data, opts, argv);

	read_hot(data, &h);
	check_ratio(binary, &h, binary, module, t);
	free(h.err);
	free(data);
}

static void test_ratio_pie(void **state)
{
	(void)state;
	ratio_test("ratio-pie", "ratio-pie");
}

static void test_ratio_nopie(void **state)
{
	(void)state;
	ratio_test("ratio-nopie", "ratio-nopie");
}

static void test_ratio_shared_library(void **state)
{
	(void)state;
	ratio_test("ratio-shared", "libratio.so");
}

/*
 * Whether a folded stack goes through main() into function: as the leaf,
 * or with frames above it (a timer interrupt taken in the kernel while
 * function ran shows kernel frames on top).
 */
static bool under_main(const char *line, const char *function)
{
	char call[64];
	const char *at;

	snprintf(call, sizeof(call), ";main;%s", function);
	at = strstr(line, call);
	return at && (at[strlen(call)] == ' ' || at[strlen(call)] == ';');
}

/*
 * -g: the folded stacks go through main() to each work function, add up
 * to the samples, and the charts are drawn.
 */
static void test_callchains(void **state)
{
	char *data = h_tmp_path("ratio-g.data"), *png = h_tmp_path("ratio-g-png");
	char path[600];
	const char *opts[] = { "-g", NULL };
	const char *argv[] = { h_sample("ratio-pie"), SECONDS, NULL };
	struct h_result r;
	struct hot h;
	struct truth t;
	double one = 0, two = 0, all = 0;
	char *pos, *line;

	(void)state;
	t = record_ratio(data, opts, argv);
	read_hot(data, &h);
	h_report("--folded", NULL, data, RUN_TIMEOUT, &r);
	for (pos = r.out; (line = strsep(&pos, "\n")) && *line;) {
		char *count = strrchr(line, ' ');

		assert_non_null(count);
		all += strtod(count + 1, NULL);
		assert_true(!strncmp(line, "ratio-pie;", 10));
		if (under_main(line, "work_one"))
			one += strtod(count + 1, NULL);
		if (under_main(line, "work_two"))
			two += strtod(count + 1, NULL);
	}
	h_result_release(&r);
	/* Nearly every sample is in one of the two, called from main. */
	assert_true(h_compare("-g", "main;work_one %", 100 * one / all, t.one,
			      POINTS, POINTS, " (measured)"));
	assert_true(h_compare("-g", "main;work_two %", 100 * two / all, t.two,
			      POINTS, POINTS, " (measured)"));

	h_report("--png", png, data, RUN_TIMEOUT, &r);
	h_result_release(&r);
	snprintf(path, sizeof(path), "%s/hot-functions.png", png);
	assert_true(h_file_exists(path));
	snprintf(path, sizeof(path), "%s/flame.png", png);
	assert_true(h_file_exists(path));
	free(h.err);
	free(data);
	free(png);
}

/*
 * A shell that forks two children which exec the samples: each child's
 * samples resolve in its own program, through the mappings the kernel
 * reported after its exec, and have their own table. Two busy children
 * and pprobe on a 2-CPU VM gave work_one 30% to 40% of a child's samples
 * over runs, against the 1:2 asked for (perf record: 31.5% to 34.5%), so
 * the check here is the resolution, with a looser ratio, against the
 * split each child measured.
 */
#define CHILD_POINTS 10.0
static void test_children(void **state)
{
	char *data = h_tmp_path("ratio-tree.data"), script[1400];
	const char *opts[] = { "-F", "999", NULL };
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct hot h;
	struct truth nopie, shared;
	char *out;

	(void)state;
	snprintf(script, sizeof(script), "'%s' 1 & '%s' 1; wait",
		 h_sample("ratio-nopie"), h_sample("ratio-shared"));
	out = record(data, opts, argv);
	nopie = read_truth(out, "ratio-nopie");
	shared = read_truth(out, "ratio-shared");
	free(out);
	read_hot(data, &h);
	assert_true(h_compare("children", "ratio-nopie work_one %",
			      percent_of(&h, "ratio-nopie", "work_one"), nopie.one,
			      CHILD_POINTS, CHILD_POINTS, " (measured)"));
	assert_true(h_compare("children", "ratio-shared work_one %",
			      percent_of(&h, "ratio-shared", "work_one"), shared.one,
			      CHILD_POINTS, CHILD_POINTS, " (measured)"));
	assert_string_equal(find_row(&h, "ratio-shared", "work_two")->module,
			    "libratio.so");
	free(h.err);
	free(data);
}

/*
 * A binary rebuilt after the recording: its build-id no longer matches,
 * so its samples are shown as offsets and a warning names it; no sample
 * is given a name from the new binary.
 */
static void test_changed_binary(void **state)
{
	char *data = h_tmp_path("ratio-changed.data");
	char *copy = h_tmp_path("ratio-copy");
	const char *opts[] = { "-F", "999", NULL };
	const char *argv[] = { copy, "0.3", NULL };
	struct hot h;

	(void)state;
	unlink(copy);
	assert_int_equal(h_copy_file(h_sample("ratio-pie"), copy), 0);
	assert_int_equal(chmod(copy, 0755), 0);
	free(record(data, opts, argv));
	read_hot(data, &h);
	assert_non_null(find_row(&h, "", "work_two"));
	free(h.err);

	/* Another build of the same program, in its place. */
	unlink(copy);
	assert_int_equal(h_copy_file(h_sample("ratio-nopie"), copy), 0);
	read_hot(data, &h);
	assert_null(find_row(&h, "", "work_two"));
	assert_null(find_row(&h, "", "work_one"));
	assert_non_null(strstr(h.err, "changed since it was recorded"));
	assert_non_null(strstr(h.err, copy));
	free(h.err);

	/* Gone altogether. */
	unlink(copy);
	read_hot(data, &h);
	assert_null(find_row(&h, "", "work_two"));
	assert_non_null(strstr(h.err, copy));
	free(h.err);
	free(copy);
	free(data);
}

/*
 * The unprivileged user at perf_event_paranoid 2: user mode only, said
 * in a note and in the file, and the ratio holds.
 */
static void test_unprivileged(void **state)
{
	char *dir = h_tmp_path("nobody-profile"), *data, *paranoid;
	struct h_args a = { 0 };
	struct h_proc p;
	struct h_result r;
	struct hot h;
	struct truth t;

	(void)state;
	if (geteuid() != 0)
		H_SKIP("not root: cannot switch to the nobody user");
	h_shared_dir(dir);
	if (!h_nobody_can_use(h_pprobe_or_skip(), h_sample("ratio-pie"), dir))
		H_SKIP("nobody cannot reach pprobe, the samples or '%s'", dir);
	assert_true(asprintf(&data, "%s/nobody.data", dir) > 0);
	h_args_push(&a, h_pprobe_or_skip(), "record", "-F", "999", "-o", data,
		    "--", h_sample("ratio-pie"), SECONDS, NULL);
	assert_int_equal(h_spawn(&p, a.v, NULL, h_become_nobody, NULL), 0);
	assert_int_equal(h_wait(&p, RUN_TIMEOUT, &r), 0);
	h_assert_exit("record -F as nobody", &r, 0);
	paranoid = h_read_file("/proc/sys/kernel/perf_event_paranoid", NULL);
	if (paranoid && paranoid[0] >= '2')
		assert_non_null(strstr(r.err, "sampling user mode only"));
	free(paranoid);
	t = read_truth(r.out, "ratio-pie");
	h_result_release(&r);
	read_hot(data, &h);
	check_ratio("nobody", &h, "ratio-pie", "ratio-pie", t);
	free(h.err);
	free(data);
	free(dir);
}

/* What cannot work says so, with the usage exit status. */
static void test_usage_errors(void **state)
{
	static const struct {
		const char *args[8];
		const char *message;
	} cases[] = {
		{ { "record", "-F", "999", "-p", "1", NULL },
		  "need a command pprobe starts" },
		{ { "record", "-g", "--no-tree", "--", "/bin/true", NULL },
		  "need the tree" },
		{ { "record", "-F", "100000000", "--", "/bin/true", NULL },
		  "perf_event_max_sample_rate" },
		{ { "report", "--hot", "--folded", NULL },
		  "cannot be used together" },
		{ { "report", "--folded", "--json", NULL },
		  "--folded has one format" },
		{ { "report", "--hot=0", NULL },
		  "expects a number" },
	};
	struct h_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct h_args a = { 0 };

		h_args_push(&a, h_pprobe_or_skip(), NULL);
		for (const char *const *w = cases[i].args; *w; w++)
			h_args_push(&a, *w, NULL);
		assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
		h_assert_exit(cases[i].message, &r, 129);
		if (!strstr(r.err, cases[i].message))
			fail_msg("'%s' not in: %s", cases[i].message, r.err);
		h_result_release(&r);
	}
}

/* A recording made without -F: --hot says so, and exits 0. */
static void test_not_sampled(void **state)
{
	char *data = h_tmp_path("unsampled.data");
	const char *opts[] = { NULL };
	const char *argv[] = { "/bin/true", NULL };
	struct h_result r;

	(void)state;
	free(record(data, opts, argv));
	h_report("--hot", NULL, data, RUN_TIMEOUT, &r);
	assert_non_null(strstr(r.out, "not sampled"));
	h_result_release(&r);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ratio_pie),
		cmocka_unit_test(test_ratio_nopie),
		cmocka_unit_test(test_ratio_shared_library),
		cmocka_unit_test(test_callchains),
		cmocka_unit_test(test_children),
		cmocka_unit_test(test_changed_binary),
		cmocka_unit_test(test_unprivileged),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_not_sampled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

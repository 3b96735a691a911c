/*
 * test_e2e_studies.c - the studies of samples/, run end to end in their
 * quick form, as CI runs them: one test function per study.
 *
 *  - the memory backend study (`samples/memory-study --quick`): every
 *    file it promises is there and not empty, both charts are PNGs,
 *    summary.csv has a row per pprobe backend, the cgroup backend's peak
 *    is within 10% of memhog's own truth, and ru_maxrss (pprobe's rusage
 *    backend) is about the largest of memhog's two workers, half the
 *    tree, not the tree;
 *  - the server comparison (`samples/server-study --quick`): the fork and
 *    epoll servers at 1 and 4 clients on 1 and all CPUs, each recorded
 *    under loadgen with `record --load`: every chart and file is there,
 *    summary.csv has a row per configuration with every request served,
 *    the fork server has a process per client (and its parent), the
 *    epoll server one, and top was read beside pprobe.
 *
 * The studies are scripts: they run with /usr/bin/python3 and find the
 * build through the environment (tests/CMakeLists.txt sets it):
 *
 *   PPROBE_SAMPLES  the build's samples directory (memhog, study-chart)
 *   PPROBE_SOURCE   the source tree (samples/memory-study, memhog.py)
 *
 * A peer tool the machine lacks (mprof, psutil, /usr/bin/time) is skipped
 * by the study itself and fails nothing. A study that cannot run here (no
 * /usr/bin/python3) is skipped with the reason; when every test of the
 * file is skipped it exits 77, which CTest reports as skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define PYTHON "/usr/bin/python3"
#define STUDY_TIMEOUT 300.0     /* seconds; the quick memory study takes ~30 */
#define PEAK_TOLERANCE 0.10     /* of the truth, for an exact peak */

static int nr_tests, nr_skipped;

/* Counts a skip, for main()'s exit status, and skips the current test. */
#define STUDY_SKIP(...)                 \
	do {                            \
		nr_skipped++;           \
		H_SKIP(__VA_ARGS__);    \
	} while (0)

/* $name, or NULL. */
static const char *env_dir(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/*
 * The one entry of dir whose name starts with prefix, as a malloc'd
 * path; NULL (after a message) when there is none or more than one.
 */
static char *only_entry(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;
	int n = 0;

	if (!d) {
		print_error("cannot open '%s': %s\n", dir, strerror(errno));
		return NULL;
	}
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		if (n++ == 0 && asprintf(&found, "%s/%s", dir, e->d_name) < 0)
			found = NULL;
	}
	closedir(d);
	if (n != 1) {
		print_error("%d entries named '%s*' in '%s', not one\n", n, prefix, dir);
		free(found);
		return NULL;
	}
	return found;
}

/* Fails the test unless dir/name is a file with something in it. */
static void assert_file(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		print_error("'%s' is missing or empty\n", path);
		fail();
	}
}

/* Fails the test unless dir/name is a PNG (its 8-byte signature). */
static void assert_png(const char *dir, const char *name)
{
	static const unsigned char signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	char path[4096];
	unsigned char head[8];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f) {
		print_error("cannot open '%s': %s\n", path, strerror(errno));
		fail();
	}
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (n != sizeof(head) || memcmp(head, signature, sizeof(head))) {
		print_error("'%s' is not a PNG\n", path);
		fail();
	}
}

/* Fails the test unless dir/name is a directory with at least min entries. */
static void assert_dir(const char *dir, const char *name, int min)
{
	char path[4096];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	d = opendir(path);
	if (!d) {
		print_error("cannot open '%s': %s\n", path, strerror(errno));
		fail();
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	if (n < min) {
		print_error("'%s' holds %d entries, expected at least %d\n", path, n, min);
		fail();
	}
}

/* ---- summary.csv of the memory study ---- */

#define SUMMARY_MAX_FIELDS 32
#define SUMMARY_MAX_ROWS 32

struct summary_row {
	char tool[32];
	double peak, truth_peak;       /* bytes; -1 when empty */
};

struct summary {
	int nr;
	struct summary_row rows[SUMMARY_MAX_ROWS];
};

/* The column named name among fields, or -1. */
static int column(char **fields, int nr, const char *name)
{
	for (int i = 0; i < nr; i++)
		if (!strcmp(fields[i], name))
			return i;
	return -1;
}

static double number_or_empty(const char *s)
{
	char *end;
	double v;

	if (!*s)
		return -1;
	v = strtod(s, &end);
	return *end ? -1 : v;
}

/* Reads summary.csv (its text in place). Returns 0 or -1 after a message. */
static int summary_parse(char *text, struct summary *s)
{
	char *pos = text, *f[SUMMARY_MAX_FIELDS];
	int nr = h_csv_fields(&pos, f, SUMMARY_MAX_FIELDS);
	int c_tool, c_peak, c_truth;

	c_tool = nr > 0 ? column(f, nr, "tool") : -1;
	c_peak = nr > 0 ? column(f, nr, "peak_bytes") : -1;
	c_truth = nr > 0 ? column(f, nr, "truth_peak_bytes") : -1;
	if (c_tool < 0 || c_peak < 0 || c_truth < 0) {
		print_error("summary.csv: no tool, peak_bytes or truth_peak_bytes column\n");
		return -1;
	}
	s->nr = 0;
	while (*pos && s->nr < SUMMARY_MAX_ROWS) {
		struct summary_row *r = &s->rows[s->nr];
		int n = h_csv_fields(&pos, f, SUMMARY_MAX_FIELDS);

		if (n != nr) {
			print_error("summary.csv: a row of %d fields under a header of %d\n", n, nr);
			return -1;
		}
		snprintf(r->tool, sizeof(r->tool), "%s", f[c_tool]);
		r->peak = number_or_empty(f[c_peak]);
		r->truth_peak = number_or_empty(f[c_truth]);
		s->nr++;
	}
	return 0;
}

static const struct summary_row *summary_find(const struct summary *s, const char *tool)
{
	for (int i = 0; i < s->nr; i++)
		if (!strcmp(s->rows[i].tool, tool))
			return &s->rows[i];
	return NULL;
}

/* ---- the memory backend study ---- */

static void test_memory_study(void **state)
{
	static const char *const backends[] = { "rss", "pss", "hwm", "cgroup", "rusage" };
	const char *samples = env_dir("PPROBE_SAMPLES"), *source = env_dir("PPROBE_SOURCE");
	const char *pprobe = h_pprobe();
	char script[4096], memhog[4096], chart[4096];
	char *out, *folder, *text, *summary_path;
	struct h_args a = { .n = 0 };
	struct h_result r;
	struct summary sum;
	const struct summary_row *cg, *ru, *hwm;

	(void)state;
	nr_tests++;
	if (!pprobe)
		STUDY_SKIP("PPROBE is not set");
	if (access(PYTHON, X_OK) < 0)
		STUDY_SKIP("the memory study needs " PYTHON);
	if (!samples || !source)
		STUDY_SKIP("PPROBE_SAMPLES and PPROBE_SOURCE are not set (see tests/CMakeLists.txt)");
	snprintf(script, sizeof(script), "%s/samples/memory-study", source);
	snprintf(memhog, sizeof(memhog), "%s/memhog", samples);
	snprintf(chart, sizeof(chart), "%s/study-chart", samples);
	if (access(memhog, X_OK) < 0 || access(chart, X_OK) < 0)
		STUDY_SKIP("'%s' or '%s' is not built", memhog, chart);

	/* a fresh directory, whatever an earlier run left in the scratch dir */
	out = h_tmp_path("memory-study-XXXXXX");
	assert_non_null(out);
	assert_non_null(mkdtemp(out));
	h_args_push(&a, PYTHON, script, "--quick", "--pprobe", pprobe, "--memhog", memhog,
		    "-o", out, NULL);
	assert_int_equal(h_run(a.v, STUDY_TIMEOUT, &r), 0);
	h_assert_exit("memory-study --quick", &r, 0);
	print_message("memory-study --quick took %.1f s\n", r.seconds);
	h_result_release(&r);

	folder = only_entry(out, "memory-study-");
	assert_non_null(folder);
	assert_file(folder, "memory-usage-comparison.png");
	assert_file(folder, "execution-time-comparison.png");
	assert_png(folder, "memory-usage-comparison.png");
	assert_png(folder, "execution-time-comparison.png");
	assert_file(folder, "summary.csv");
	assert_file(folder, "summary.md");
	assert_file(folder, "study.log");
	/* 5 backends x 2 repeats of .data, at least */
	assert_dir(folder, "recordings", 10);
	assert_dir(folder, "pprobe-charts", 1);

	assert_int_not_equal(asprintf(&summary_path, "%s/summary.csv", folder), -1);
	text = h_read_file(summary_path, NULL);
	assert_non_null(text);
	assert_int_equal(summary_parse(text, &sum), 0);
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		char tool[32];

		snprintf(tool, sizeof(tool), "pprobe-%s", backends[i]);
		if (!summary_find(&sum, tool) && strcmp(backends[i], "cgroup")) {
			print_error("summary.csv has no row for %s\n", tool);
			fail();
		}
	}

	/* cgroup: the kernel's own peak of the tree, exact (page cache aside) */
	cg = summary_find(&sum, "pprobe-cgroup");
	if (!cg) {
		print_message("note: no cgroup backend on this machine (see study.log): its peak is not checked\n");
	} else {
		assert_true(cg->truth_peak > 0 && cg->peak > 0);
		assert_true(h_compare("cgroup", "peak bytes", cg->peak, cg->truth_peak,
				      PEAK_TOLERANCE * cg->truth_peak,
				      PEAK_TOLERANCE * cg->truth_peak, "(memhog's truth)"));
	}

	/*
	 * hwm: the sum of each process's own peak, an upper bound of the
	 * tree's (the workers peak together here), read from status
	 * whenever a process's memory moved, so a worker reaped by memhog
	 * keeps its spike.
	 */
	hwm = summary_find(&sum, "pprobe-hwm");
	assert_non_null(hwm);
	assert_true(hwm->peak > 0 && hwm->truth_peak > 0);
	assert_true(h_compare("hwm", "peak bytes", hwm->peak, hwm->truth_peak,
			      PEAK_TOLERANCE * hwm->truth_peak,
			      PEAK_TOLERANCE * hwm->truth_peak, "(memhog's truth)"));

	/* rusage: the largest of 2 workers, each half the tree */
	ru = summary_find(&sum, "pprobe-rusage");
	assert_non_null(ru);
	assert_true(ru->peak > 0 && ru->truth_peak > 0);
	assert_true(h_compare("rusage", "peak bytes", ru->peak, ru->truth_peak / 2,
			      PEAK_TOLERANCE * ru->truth_peak / 2,
			      PEAK_TOLERANCE * ru->truth_peak / 2,
			      "(half memhog's truth: the largest of 2 workers)"));

	free(text);
	free(summary_path);
	free(folder);
	free(out);
}

static void test_server_study(void **state)
{
	static const char *const charts[] = {
		"cpu-load.png", "context-switches.png", "memory.png", "scaling.png",
	};
	const char *samples = env_dir("PPROBE_SAMPLES"), *source = env_dir("PPROBE_SOURCE");
	const char *pprobe = h_pprobe();
	char script[4096], build[4096], loadgen[4096];
	char *out, *folder, *path, *text, *pos, *f[32];
	struct h_args a = { .n = 0 };
	struct h_result r;
	int rows = 0;

	(void)state;
	nr_tests++;
	if (!pprobe)
		STUDY_SKIP("PPROBE is not set");
	if (access(PYTHON, X_OK) < 0)
		STUDY_SKIP("the server study needs " PYTHON);
	if (!samples || !source)
		STUDY_SKIP("PPROBE_SAMPLES and PPROBE_SOURCE are not set (see tests/CMakeLists.txt)");
	snprintf(script, sizeof(script), "%s/samples/server-study", source);
	snprintf(loadgen, sizeof(loadgen), "%s/loadgen", samples);
	if (access(loadgen, X_OK) < 0)
		STUDY_SKIP("'%s' is not built", loadgen);
	/* The study finds the samples under <build>/samples. */
	snprintf(build, sizeof(build), "%s/..", samples);

	out = h_tmp_path("server-study-XXXXXX");
	assert_non_null(out);
	assert_non_null(mkdtemp(out));
	h_args_push(&a, PYTHON, script, "--quick", "--build", build, "--pprobe", pprobe,
		    "-o", out, NULL);
	assert_int_equal(h_run(a.v, STUDY_TIMEOUT, &r), 0);
	h_assert_exit("server-study --quick", &r, 0);
	print_message("server-study --quick took %.1f s\n", r.seconds);
	h_result_release(&r);

	folder = only_entry(out, "server-study-");
	assert_non_null(folder);
	for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++) {
		assert_file(folder, charts[i]);
		assert_png(folder, charts[i]);
	}
	assert_file(folder, "summary.csv");
	assert_file(folder, "summary.md");
	assert_file(folder, "study.log");
	/* 2 servers x 2 client counts x the CPU counts */
	assert_dir(folder, "recordings", 4);
	assert_dir(folder, "top", 4);

	assert_int_not_equal(asprintf(&path, "%s/summary.csv", folder), -1);
	text = h_read_file(path, NULL);
	assert_non_null(text);
	pos = text;
	/* server,cpus,clients,requests,...,processes (13),...,top_server_pct (18) */
	assert_true(h_csv_fields(&pos, f, 32) > 18);
	assert_string_equal(f[0], "server");
	assert_string_equal(f[13], "processes");
	assert_string_equal(f[18], "top_server_pct");
	while (*pos) {
		int n = h_csv_fields(&pos, f, 32), clients, procs;

		assert_true(n > 18);
		clients = atoi(f[2]);
		procs = atoi(f[13]);
		/* --quick: 20000 requests split between the clients */
		assert_int_equal(atoi(f[3]), 20000 / clients * clients);
		if (!strcmp(f[0], "fork"))
			assert_true(h_compare("fork", "processes", procs, clients + 1, 0, 0,
					      " (one per client, and the parent)"));
		else
			assert_true(h_compare(f[0], "processes", procs, 1, 0, 0, ""));
		/* top read the machine beside pprobe */
		assert_true(f[18][0] != '\0');
		rows++;
	}
	assert_true(rows >= 4);
	free(text);
	free(path);
	free(folder);
	free(out);
}

int main(void)
{
	const char *refused = h_perf_refused();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_study),
		cmocka_unit_test(test_server_study),
	};
	int failed;

	if (refused) {
		printf("skipped: every end-to-end test: %s\n", refused);
		return H_EXIT_SKIPPED;
	}
	failed = cmocka_run_group_tests_name("e2e studies", tests, NULL, NULL);
	if (!failed && nr_tests && nr_skipped == nr_tests)
		return H_EXIT_SKIPPED;
	return failed;
}

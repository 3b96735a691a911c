/*
 * test_fuzz_regress.c - the fuzz targets' inputs, replayed in the normal
 * build: every seed of fuzz/corpus/ and every input that ever made a
 * target fail, kept in fuzz/regress/ beside the fix (fuzz/README.md).
 * The recordings go through both the report's and the charts' target.
 *
 * Each goes through the very function libFuzzer calls (fuzz/fuzz.h), so
 * a bug the fuzzer found stays found without clang or libFuzzer: here a
 * crash fails the test, and under `make test-asan` so does a memory error,
 * a leak or undefined behaviour. The report's and --help's output goes to
 * /dev/null; the messages stay on standard error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* The whole of a file, in *data (the caller frees it). */
static size_t read_all(const char *path, uint8_t **data)
{
	struct stat st;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	*data = malloc((size_t)st.st_size + 1);
	assert_non_null(*data);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, *data + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		done += (size_t)n;
	}
	close(fd);
	return done;
}

static int is_input(const struct dirent *d)
{
	return d->d_name[0] != '.' && strcmp(d->d_name, "README");
}

/* Standard output to /dev/null, until quiet_end(saved). Returns saved. */
static int quiet_begin(void)
{
	int saved, null;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(saved >= 0 && null >= 0);
	assert_true(dup2(null, STDOUT_FILENO) >= 0);
	close(null);
	return saved;
}

static void quiet_end(int saved)
{
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
}

/*
 * Every file of FUZZ_DIR/sub through fn, in name order, with standard
 * output sent to /dev/null meanwhile. Returns how many there were.
 */
static int replay(const char *sub, int (*fn)(const uint8_t *, size_t))
{
	struct dirent **names;
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	int nr, saved;

	snprintf(dir, sizeof(dir), "%s/%s", FUZZ_DIR, sub);
	nr = scandir(dir, &names, is_input, alphasort);
	/* git keeps no empty directory: a target that never failed. */
	if (nr < 0 && errno == ENOENT)
		return 0;
	assert_true(nr >= 0);
	saved = quiet_begin();
	for (int i = 0; i < nr; i++) {
		uint8_t *data;
		size_t size;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		/* Named on stderr first: a crash says which input it was. */
		fprintf(stderr, "fuzz input: %s\n", path);
		size = read_all(path, &data);
		assert_int_equal(fn(data, size), 0);
		free(data);
		free(names[i]);
	}
	free(names);
	quiet_end(saved);
	return nr;
}

static void test_report_corpus(void **state)
{
	(void)state;
	/* The seeds are real recordings, and there are several. */
	assert_true(replay("corpus/report", fuzz_report_one) >= 5);
}

static void test_report_regress(void **state)
{
	(void)state;
	replay("regress/report", fuzz_report_one);
}

/* The charts of the same recordings: into a directory removed at exit. */
static void test_charts_corpus(void **state)
{
	(void)state;
	assert_true(replay("corpus/report", fuzz_charts_one) >= 5);
}

static void test_charts_regress(void **state)
{
	(void)state;
	replay("regress/charts", fuzz_charts_one);
}

static void test_options_corpus(void **state)
{
	(void)state;
	assert_true(replay("corpus/options", fuzz_options_one) >= 3);
}

static void test_options_regress(void **state)
{
	(void)state;
	replay("regress/options", fuzz_options_one);
}

/* The edges no file holds: no bytes at all, and a lone separator. */
static void test_empty(void **state)
{
	int saved = quiet_begin();

	(void)state;
	assert_int_equal(fuzz_report_one((const uint8_t *)"", 0), 0);
	assert_int_equal(fuzz_charts_one((const uint8_t *)"", 0), 0);
	assert_int_equal(fuzz_options_one((const uint8_t *)"", 0), 0);
	assert_int_equal(fuzz_options_one((const uint8_t *)"\n", 1), 0);
	assert_int_equal(fuzz_options_one((const uint8_t *)"record", 6), 0);
	quiet_end(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_corpus),
		cmocka_unit_test(test_report_regress),
		cmocka_unit_test(test_charts_corpus),
		cmocka_unit_test(test_charts_regress),
		cmocka_unit_test(test_options_corpus),
		cmocka_unit_test(test_options_regress),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

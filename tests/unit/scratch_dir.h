/*
 * scratch_dir.h - a scratch directory per unit test, made before it and
 * removed after it whether it passed or not, and a listing of what a test
 * left in it. For cmocka tests of modules that write files.
 */
#ifndef PPROBE_TESTS_SCRATCH_DIR_H
#define PPROBE_TESTS_SCRATCH_DIR_H

#include <stddef.h>

/* dir/name into out, which must have room (asserted). */
void scratch_join(char *out, size_t size, const char *dir, const char *name);

/*
 * A cmocka setup and teardown: *state is the test's own directory, made
 * under $TMPDIR (or /tmp) and named after the test program; the teardown
 * removes it with the files and empty directories in it, and fails if
 * it cannot.
 */
int scratch_dir_setup(void **state);
int scratch_dir_teardown(void **state);

/*
 * The names in dir, sorted, separated by spaces; a temporary name's
 * random part is written "*" ("chart.png.tmp.*"), so a test can compare
 * the listing with a string.
 */
void scratch_dir_list(const char *dir, char *out, size_t size);

#define assert_listing(dir, expect) \
	do { \
		char listing_[1024]; \
		scratch_dir_list(dir, listing_, sizeof(listing_)); \
		assert_string_equal(listing_, expect); \
	} while (0)

#endif /* PPROBE_TESTS_SCRATCH_DIR_H */

/*
 * scratch_dir.c - a scratch directory per unit test, for the tests of
 * modules that write files (plot.c's pages, series_csv.c's CSV files).
 * See scratch_dir.h.
 */
#include "scratch_dir.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* dir/name into out, which must have room. */
void scratch_join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < size);
}

/*
 * Removes dir and what the tests put in it (files, empty directories).
 * Returns 0, or -1 when something could not be removed (a teardown
 * reports it; it does not assert).
 */
static int remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	int ret = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path))
			ret = -1;
		else if (unlink(path) < 0 && rmdir(path) < 0)
			ret = -1;
	}
	closedir(d);
	return rmdir(dir) < 0 ? -1 : ret;
}

/* Each test's own directory, made before it and removed after it,
 * whether it passed or not: *state is its path. */
int scratch_dir_setup(void **state)
{
	const char *root = getenv("TMPDIR");
	char *dir = malloc(PATH_MAX);

	if (!dir)
		return -1;
	snprintf(dir, PATH_MAX, "%s/%s.XXXXXX",
		 root && *root ? root : "/tmp", program_invocation_short_name);
	if (!mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

int scratch_dir_teardown(void **state)
{
	int ret = remove_dir(*state);

	free(*state);
	return ret;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names in dir, sorted, separated by spaces; a temporary name's
 * random part is written "*" ("chart.png.tmp.*"), so a test can compare
 * the listing with a string.
 */
void scratch_dir_list(const char *dir, char *out, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[32];
	size_t nr = 0, len = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char *tmp;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		assert_true(nr < 32);
		names[nr] = strdup(e->d_name);
		assert_non_null(names[nr]);
		tmp = strstr(names[nr], ".tmp.");
		if (tmp)
			strcpy(tmp, ".tmp.*");
		nr++;
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), compare_names);
	out[0] = '\0';
	for (size_t i = 0; i < nr; i++) {
		len += (size_t)snprintf(out + len, size - len, "%s%s",
					i ? " " : "", names[i]);
		assert_true(len < size);
		free(names[i]);
	}
}

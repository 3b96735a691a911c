/*
 * dirs.c - making the directories a command writes into. See dirs.h.
 */
#include "dirs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int make_dirs(const char *path)
{
	char *copy = strdup(path);
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (char *slash = copy + 1;; slash++) {
		int last = !*slash;

		if (*slash != '/' && !last)
			continue;
		*slash = '\0';
		if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
			ret = -errno;
			break;
		}
		if (last)
			break;
		*slash = '/';
	}
	if (!ret) {
		struct stat st;

		if (stat(path, &st) < 0)
			ret = -errno;
		else if (!S_ISDIR(st.st_mode))
			ret = -ENOTDIR;
	}
	free(copy);
	return ret;
}

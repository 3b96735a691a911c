/*
 * dirs.h - making the directories a command writes into.
 */
#ifndef PPROBE_DIRS_H
#define PPROBE_DIRS_H

/*
 * mkdir -p: every missing directory of path (0777, less the umask).
 * Returns 0 once path is a directory, or -errno: -ENOTDIR when it, or a
 * part of it, is something else.
 */
int make_dirs(const char *path);

#endif /* PPROBE_DIRS_H */

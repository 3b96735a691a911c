/*
 * usage.h - how pprobe talks to the user when something is wrong, and the
 * exit codes every command shares.
 *
 * Messages follow one style: lowercase, no full stop, the problem first and
 * the subject quoted, then what to do:
 *
 *   error: cannot open 'x.data': Permission denied
 *
 * error() and warning() only print; error() returns -1 so a helper can
 * `return error(...)`. Only a command's top level chooses an exit code.
 */
#ifndef PPROBE_USAGE_H
#define PPROBE_USAGE_H

/* Exit codes. The command's own status passes through `pprobe record`. */
#define EXIT_USAGE 129        /* bad options or arguments, as git and perf */
#define EXIT_CANNOT_EXEC 126  /* found but not executable, as a shell */
#define EXIT_NOT_FOUND 127    /* not found, as a shell */

#if defined(__GNUC__)
#define PPROBE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PPROBE_PRINTF(f, a)
#endif

/* "error: ..." on stderr. Returns -1. */
int error(const char *fmt, ...) PPROBE_PRINTF(1, 2);
/* "warning: ..." on stderr. */
void warning(const char *fmt, ...) PPROBE_PRINTF(1, 2);
/* "note: ..." on stderr: what a user may want to know, not a problem. */
void note(const char *fmt, ...) PPROBE_PRINTF(1, 2);

#endif /* PPROBE_USAGE_H */

/*
 * usage.c - error(), warning() and note(): the one place that decides how
 * a message to the user looks ("error: cannot open 'x.data': ...").
 *
 * Each message is written under the stderr lock, so that lines from two
 * threads never interleave, and errno is left as the caller had it, so a
 * helper may report and then still return -errno.
 */
#include "usage.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

static void report(const char *prefix, const char *fmt, va_list ap)
	PPROBE_PRINTF(2, 0);

static void report(const char *prefix, const char *fmt, va_list ap)
{
	int saved_errno = errno;

	flockfile(stderr);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	funlockfile(stderr);
	errno = saved_errno;
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("warning: ", fmt, ap);
	va_end(ap);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("note: ", fmt, ap);
	va_end(ap);
}

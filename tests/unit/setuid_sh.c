/*
 * setuid_sh.c - a set-user-id copy of /bin/sh for tests; see setuid_sh.h.
 */
#include "setuid_sh.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Copies the file at from to to, mode 04755 (set-user-id, ours). */
static int copy_setuid(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	if (in >= 0)
		close(in);
	if (out < 0)
		return -1;
	if (n < 0 || fchmod(out, 04755) < 0) {
		close(out);
		return -1;
	}
	return close(out);
}

int setuid_sh_make(struct setuid_sh *s, char *why, size_t whylen)
{
	struct passwd *nobody = getpwnam("nobody");
	struct statvfs vfs;

	memset(s, 0, sizeof(*s));
	if (geteuid() != 0 || !nobody || !nobody->pw_uid) {
		snprintf(why, whylen, "needs root and a 'nobody' user to run a set-user-id program");
		return -1;
	}
	s->uid = nobody->pw_uid;
	s->gid = nobody->pw_gid;
	snprintf(s->dir, sizeof(s->dir), "/tmp/pprobe-test-suid-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	assert_int_equal(chmod(s->dir, 0755), 0);
	snprintf(s->path, sizeof(s->path), "%s/suid-sh", s->dir);
	assert_int_equal(copy_setuid("/bin/sh", s->path), 0);
	if (statvfs(s->dir, &vfs) < 0 || (vfs.f_flag & ST_NOSUID)) {
		setuid_sh_remove(s);
		snprintf(why, whylen, "/tmp is mounted nosuid");
		return -1;
	}
	return 0;
}

void setuid_sh_remove(struct setuid_sh *s)
{
	if (s->path[0])
		unlink(s->path);
	if (s->dir[0])
		rmdir(s->dir);
	s->path[0] = s->dir[0] = '\0';
}

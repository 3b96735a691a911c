/*
 * setuid_sh.h - a set-user-id copy of /bin/sh for the tests of what the
 * kernel does at a secure exec (test_task_tracker, test_e2e_tree).
 */
#ifndef PPROBE_TEST_SETUID_SH_H
#define PPROBE_TEST_SETUID_SH_H

#include <sys/types.h>

struct setuid_sh {
	char dir[64];      /* a new directory under /tmp, mode 0755 */
	char path[96];     /* dir/suid-sh: /bin/sh, mode 04755, root's */
	uid_t uid;         /* 'nobody', to run it as: not its owner */
	gid_t gid;
};

/*
 * Makes s. Returns 0, or -1 with why saying what this machine lacks for
 * it (not root, no 'nobody' user, /tmp mounted nosuid) and nothing left
 * behind. Fails the current cmocka test on an unexpected error.
 */
int setuid_sh_make(struct setuid_sh *s, char *why, size_t whylen);

/* Removes the copy and its directory. */
void setuid_sh_remove(struct setuid_sh *s);

#endif /* PPROBE_TEST_SETUID_SH_H */

/*
 * test_procfs.c - unit tests of collector/procfs.c: the /proc parsers on
 * canned, odd and cut-off text, and the reads on real processes this test
 * forks, checked against what the kernel must show (RSS of touched
 * memory, peaks, CPU time of a spinning child, zombies, reaped and reused
 * pids, out of fds, PSS of a copy-on-write tree against summed RSS).
 *
 * Every test works unprivileged on processes it owns; the one that needs
 * root to force a pid to be reused says it is skipped, and why, without.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"

#define MIB (1ull << 20)
#define MSEC 1000000ull
#define TICK_NS (1000000000ull / 100)

/* A real /proc/PID/stat line (kernel 6.18), fields 3.. after the comm. */
#define STAT_TAIL " S 13294 13294 11705 34816 13294 4194304 99 0 3 0 " \
	"250 37 0 0 20 0 4 0 343879 3133440 413 18446744073709551615 " \
	"93827964030976 93827964050857 140728180348992 0 0 0 0 0 0 0 0 0 " \
	"17 1 0 0 0 0 0 93827964066864 93827964068480 93828299902976 " \
	"140728180353665 140728180353685 140728180353685 140728180355051 0\n"

static const char stat_line[] = "13303 (cat)" STAT_TAIL;

/* Where the 22nd field (starttime) ends in stat_line: the cut-off point. */
static size_t stat_needed_len(const char *line)
{
	const char *p = strrchr(line, ')') + 1;

	for (int field = 3; field <= 22; field++)
		p = strchr(p + 1, ' ');
	return (size_t)(p - line) + 1;  /* its separator included */
}

static void assert_stat_line(const struct proc_figures *f)
{
	assert_int_equal(f->state, 'S');
	assert_int_equal(f->minflt, 99);
	assert_int_equal(f->majflt, 3);
	assert_int_equal(f->utime_ns, 250 * TICK_NS);
	assert_int_equal(f->stime_ns, 37 * TICK_NS);
	assert_int_equal(f->threads, 4);
	assert_int_equal(f->start_ns, 343879 * TICK_NS);
	assert_int_equal(f->have, PROC_HAVE_STATE | PROC_HAVE_TIMES |
			 PROC_HAVE_FAULTS | PROC_HAVE_THREADS | PROC_HAVE_START);
}

/* ---- stat parser ---- */

static void test_stat_normal(void **state)
{
	struct proc_figures f = { 0 };

	(void)state;
	assert_int_equal(proc_parse_stat(stat_line, strlen(stat_line), 100, &f), 0);
	assert_stat_line(&f);
	assert_int_equal(f.rss_bytes, 0);  /* stat's RSS is not taken */
}

static void test_stat_weird_comm(void **state)
{
	static const char *const lines[] = {
		"7 ((a) b)" STAT_TAIL,
		"7 (a) b)" STAT_TAIL,
		"7 () S 1 2 3 4 5 6 7)" STAT_TAIL,
		"7 (x\ny z)" STAT_TAIL,      /* a newline in the name */
		"7 ()" STAT_TAIL,            /* an empty name */
		"7 (  )" STAT_TAIL,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct proc_figures f = { 0 };

		assert_int_equal(proc_parse_stat(lines[i], strlen(lines[i]), 100, &f), 0);
		assert_stat_line(&f);
	}
}

/* record -p: the name and parent of a task that already runs. */
static void test_stat_identity(void **state)
{
	static const struct {
		const char *line, *comm;
		pid_t ppid;
	} ok[] = {
		{ "7 (sh) S 1 7 7 0", "sh", 1 },
		{ "7 ((a) b)) R 42 7", "(a) b)", 42 },
		{ "7 (x\ny z) S 3 ", "x\ny z", 3 },
		{ "7 () S 0 ", "", 0 },
		{ "7 (0123456789abcdefXYZ) S 9 ", "0123456789abcde", 9 },
	};
	static const char *const bad[] = {
		"", "7 sh S 1", "7 (sh) S", "7 (sh) S x ", "7 (sh) S 99999999999 ",
		"7 (sh)S 1 ",
	};
	char comm[16], own_comm[16] = "";
	pid_t ppid;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(proc_parse_stat_identity(ok[i].line, strlen(ok[i].line),
							  comm, &ppid), 0);
		assert_string_equal(comm, ok[i].comm);
		assert_int_equal(ppid, ok[i].ppid);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(proc_parse_stat_identity(bad[i], strlen(bad[i]), comm, &ppid),
				 -EINVAL);
	/* Our name as the kernel has it: "test_procfs", or valgrind's. */
	assert_int_equal(prctl(PR_GET_NAME, own_comm, 0, 0, 0), 0);
	assert_int_equal(proc_read_identity(getpid(), getpid(), comm, &ppid), 0);
	assert_string_equal(comm, own_comm);
	assert_int_equal(ppid, getppid());
	assert_int_equal(proc_read_identity(getpid(), 0x7ffffff0, comm, &ppid), -ESRCH);
}

static void test_schedstat(void **state)
{
	static const char line[] = "123456789 42 7\n";
	struct proc_figures f = { 0 };

	(void)state;
	assert_int_equal(proc_parse_schedstat(line, strlen(line), &f), 0);
	assert_true(f.have & PROC_HAVE_RAN);
	assert_int_equal(f.ran_ns, 123456789);
	/* Cut inside the first number: not taken. */
	for (size_t n = 0; n < 10; n++) {
		struct proc_figures g = { 0 };

		assert_int_equal(proc_parse_schedstat(line, n, &g), -EINVAL);
		assert_int_equal(g.have, 0);
	}
	assert_int_equal(proc_parse_schedstat("x 1 2\n", 6, &f), -EINVAL);
}

/* /proc/PID/sched: se.nr_migrations, complete lines only. */
static void test_sched(void **state)
{
	static const char text[] =
		"sleep (1234, #threads: 1)\n"
		"-------------------------------------------------------------------\n"
		"se.exec_start                                :      12345678.901234\n"
		"se.nr_migrations                             :                   17\n"
		"nr_switches                                  :                   40\n";
	const char *cut = strstr(text, "17\n") + 1;
	struct proc_figures f = { 0 };
	char self[64];

	(void)state;
	assert_int_equal(proc_parse_sched(text, strlen(text), &f), 0);
	assert_true(f.have & PROC_HAVE_MIGRATIONS);
	assert_int_equal(f.migrations, 17);
	/* "1" of "17", without its newline: not taken. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(proc_parse_sched(text, (size_t)(cut - text), &f), -EINVAL);
	assert_int_equal(f.have, 0);
	assert_int_equal(proc_parse_sched("se.nr_migrations_x : 3\n", 23, &f), -EINVAL);
	assert_int_equal(proc_parse_sched("se.nr_migrations : x\n", 21, &f), -EINVAL);
	/* This kernel's own file, where it has one. */
	snprintf(self, sizeof(self), "/proc/%d/sched", (int)getpid());
	if (access(self, R_OK) == 0) {
		struct proc_handle h;

		assert_int_equal(proc_handle_open(&h, getpid()), 0);
		memset(&f, 0, sizeof(f));
		assert_int_equal(proc_handle_read(&h, PROC_READ_SCHED, &f), 0);
		assert_true(f.have & PROC_HAVE_MIGRATIONS);
		proc_handle_release(&h);
	}
}

/* Cut at every length: a number cut in two must never be taken. */
static void test_stat_truncated(void **state)
{
	size_t len = strlen(stat_line), need = stat_needed_len(stat_line);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct proc_figures f = { 0 };
		int err = proc_parse_stat(stat_line, n, 100, &f);

		if (n < need) {
			assert_int_equal(err, -EINVAL);
			assert_int_equal(f.have, 0);
		} else {
			assert_int_equal(err, 0);
			assert_stat_line(&f);
		}
	}
}

static void test_stat_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"13303 cat S 1 2 3",                     /* no ')' */
		"13303 (cat) S 1 2 3 4 5 6 7 8 9 10\n",  /* too few fields */
		"13303 (cat) SS 1 1 1 0 -1 0 1 0 1 0 1 1 0 0 20 0 1 0 5 0 0\n",
		"13303 (cat) S 1 1 1 0 -1 0 x 0 1 0 1 1 0 0 20 0 1 0 5 0 0\n",
		"13303 (cat) S 1 1 1 0 -1 0 1 0 1 0 -1 1 0 0 20 0 1 0 5 0 0\n",
		"13303 (cat) S 1 1 1 0 -1 0 1 0 1 0 1 1 0 0 20 0 4294967296 0 5 0 0\n",
		"13303 (cat) S 1 1 1 0 -1 0 99999999999999999999 0 1 0 1 1 0 0 20 0 1 0 5 0 0\n",
		"13303 (cat) S  1 1 0 -1 0 1 0 1 0 1 1 0 0 20 0 1 0 5 0 0\n",
	};
	static const char good[] =
		"13303 (cat) S 1 1 1 0 -1 0 1 0 1 0 1 1 0 0 20 0 1 0 5 0 0\n";
	struct proc_figures f = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&f, 0, sizeof(f));
		assert_int_equal(proc_parse_stat(bad[i], strlen(bad[i]), 100, &f), -EINVAL);
		assert_int_equal(f.have, 0);
	}
	assert_int_equal(proc_parse_stat(good, strlen(good), 100, &f), 0);
	assert_int_equal(proc_parse_stat(good, strlen(good), 0, &f), -EINVAL);
	/* The largest counter a kernel can give: 2^64 - 1 faults. */
	{
		static const char big[] = "1 (a) S 1 1 1 0 -1 0 "
			"18446744073709551615 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n";

		assert_int_equal(proc_parse_stat(big, strlen(big), 100, &f), 0);
		assert_true(f.minflt == UINT64_MAX);
	}
}

static void test_stat_clock_ticks(void **state)
{
	static const char line[] = "1 (a) S 1 1 1 0 -1 0 0 0 0 0 "
		"1023 1000000000000 0 0 20 0 1 0 3 0 0\n";
	struct proc_figures f = { 0 };

	(void)state;
	assert_int_equal(proc_parse_stat(line, strlen(line), 1024, &f), 0);
	assert_int_equal(f.utime_ns, 999023437);  /* 1023/1024 s, rounded down */
	/* 10^12 ticks at 100 Hz: 10^19 ns, near 2^64, without overflow */
	assert_int_equal(proc_parse_stat(line, strlen(line), 100, &f), 0);
	assert_true(f.stime_ns == 10000000000000000000ull);
}

/* ---- statm parser ---- */

static void test_statm(void **state)
{
	static const char line[] = "765 437 408 5 0 123 0\n";
	struct proc_figures f = { 0 };
	size_t need = strlen("765 437 ");

	(void)state;
	assert_int_equal(proc_parse_statm(line, strlen(line), 4096, &f), 0);
	assert_int_equal(f.rss_bytes, 437 * 4096);
	assert_int_equal(f.have, PROC_HAVE_RSS);

	for (size_t n = 0; n < strlen(line); n++) {
		memset(&f, 0, sizeof(f));
		assert_int_equal(proc_parse_statm(line, n, 4096, &f),
				 n < need ? -EINVAL : 0);
		assert_int_equal(f.have, n < need ? 0 : PROC_HAVE_RSS);
	}

	/* A zombie, or a process whose main thread has exited. */
	memset(&f, 0, sizeof(f));
	assert_int_equal(proc_parse_statm("0 0 0 0 0 0 0\n", 14, 4096, &f), 0);
	assert_int_equal(f.have, 0);

	assert_int_equal(proc_parse_statm("765\n437 0\n", 10, 4096, &f), -EINVAL);
	assert_int_equal(proc_parse_statm("a b c\n", 6, 4096, &f), -EINVAL);
	assert_int_equal(proc_parse_statm(line, strlen(line), 0, &f), -EINVAL);
}

/* ---- status parser ---- */

static const char status_live[] =
	"Name:\tcat\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t13303\n"
	"PPid:\t13294\n"
	"Threads:\t1\n"
	"VmPeak:\t    3776 kB\n"
	"VmSize:\t    3760 kB\n"
	"VmHWM:\t    2048 kB\n"
	"VmRSS:\t    1980 kB\n"
	"RssAnon:\t     100 kB\n"
	"Cpus_allowed_list:\t0-1\n"
	"voluntary_ctxt_switches:\t17\n"
	"nonvoluntary_ctxt_switches:\t4\n";

static const char status_zombie[] =
	"Name:\texplore\n"
	"State:\tZ (zombie)\n"
	"Tgid:\t13477\n"
	"Threads:\t1\n"
	"SigQ:\t0/96365\n"
	"voluntary_ctxt_switches:\t1\n"
	"nonvoluntary_ctxt_switches:\t3\n";

static void test_status_live(void **state)
{
	struct proc_figures f = { 0 };

	(void)state;
	assert_int_equal(proc_parse_status(status_live, strlen(status_live), &f), 0);
	assert_int_equal(f.state, 'S');
	assert_int_equal(f.threads, 1);
	assert_int_equal(f.hwm_bytes, 2048 * 1024);
	assert_int_equal(f.rss_bytes, 1980 * 1024);
	assert_int_equal(f.nvcsw, 17);
	assert_int_equal(f.nivcsw, 4);
	/* alive with one thread: the main thread's switches are the process's */
	assert_int_equal(f.have, PROC_HAVE_STATE | PROC_HAVE_THREADS |
			 PROC_HAVE_RSS | PROC_HAVE_HWM | PROC_HAVE_CTXSW);
}

static void test_status_threads_and_zombie(void **state)
{
	struct proc_figures f = { 0 };
	char *text = strdup(status_live);
	char *t = strstr(text, "Threads:\t1");

	(void)state;
	assert_non_null(t);
	t[strlen("Threads:\t")] = '3';
	assert_int_equal(proc_parse_status(text, strlen(text), &f), 0);
	assert_int_equal(f.threads, 3);
	assert_true(f.have & PROC_HAVE_CTXSW_MAIN);
	assert_false(f.have & PROC_HAVE_CTXSW);
	free(text);

	memset(&f, 0, sizeof(f));
	assert_int_equal(proc_parse_status(status_zombie, strlen(status_zombie), &f), 0);
	assert_int_equal(f.state, 'Z');
	assert_int_equal(f.nvcsw, 1);
	assert_int_equal(f.nivcsw, 3);
	/* no memory lines; a zombie's switches are its main thread's */
	assert_int_equal(f.have, PROC_HAVE_STATE | PROC_HAVE_THREADS |
			 PROC_HAVE_CTXSW_MAIN);
}

static void test_status_truncated(void **state)
{
	size_t len = strlen(status_live);
	const char *hwm_end = strstr(status_live, "VmRSS:");
	size_t state_end = (size_t)(strstr(status_live, "Tgid:") - status_live);

	(void)state;
	for (size_t n = 0; n <= len; n++) {
		struct proc_figures f = { 0 };
		int err = proc_parse_status(status_live, n, &f);

		if (n < state_end) {
			assert_int_equal(err, -EINVAL);
			continue;
		}
		assert_int_equal(err, 0);
		/* a cut-off line is never half taken */
		if (n < (size_t)(hwm_end - status_live))
			assert_false(f.have & PROC_HAVE_HWM);
		else
			assert_int_equal(f.hwm_bytes, 2048 * 1024);
		if (n < len)  /* both switch lines are needed */
			assert_false(f.have & (PROC_HAVE_CTXSW | PROC_HAVE_CTXSW_MAIN));
		else
			assert_true(f.have & PROC_HAVE_CTXSW);
	}
}

static void test_status_odd(void **state)
{
	static const char only_nonvol[] = "nonvoluntary_ctxt_switches:\t9\n";
	static const char bad_number[] = "VmHWM:\t  12x kB\nVmRSS:\t 8 kB\n";
	struct proc_figures f = { 0 };

	(void)state;
	assert_int_equal(proc_parse_status("", 0, &f), -EINVAL);
	assert_int_equal(proc_parse_status("Name:\tx\nFoo:\t1\n", 15, &f), -EINVAL);
	/* "nonvoluntary" must not be read as "voluntary"; both are needed */
	assert_int_equal(proc_parse_status(only_nonvol, strlen(only_nonvol), &f), 0);
	assert_int_equal(f.have, 0);
	assert_int_equal(f.nvcsw + f.nivcsw, 0);
	memset(&f, 0, sizeof(f));
	assert_int_equal(proc_parse_status(bad_number, strlen(bad_number), &f), 0);
	assert_int_equal(f.have, PROC_HAVE_RSS);
	assert_int_equal(f.rss_bytes, 8 * 1024);
}

/* ---- smaps_rollup parser ---- */

static const char rollup[] =
	"55d6c1a00000-7ffd3b5fe000 ---p 00000000 00:00 0                          [rollup]\n"
	"Rss:               67584 kB\n"
	"Pss:               17012 kB\n"
	"Pss_Dirty:         16800 kB\n"
	"Pss_Anon:          16500 kB\n"
	"Pss_File:            512 kB\n"
	"Shared_Clean:        900 kB\n"
	"Private_Dirty:       100 kB\n";

static void test_rollup(void **state)
{
	uint64_t pss = 0, rss = 0;
	size_t need = (size_t)(strstr(rollup, "Pss_Dirty") - rollup);

	(void)state;
	assert_int_equal(proc_parse_smaps_rollup(rollup, strlen(rollup), &pss, &rss), 0);
	assert_int_equal(pss, 17012 * 1024);
	assert_int_equal(rss, 67584 * 1024);
	assert_int_equal(proc_parse_smaps_rollup(rollup, strlen(rollup), NULL, NULL), 0);
	for (size_t n = 0; n < strlen(rollup); n++) {
		pss = rss = 7;
		assert_int_equal(proc_parse_smaps_rollup(rollup, n, &pss, &rss),
				 n < need ? -EINVAL : 0);
		if (n < need)
			assert_true(pss == 7 && rss == 7);
		else
			assert_int_equal(pss, 17012 * 1024);
	}
	/* "Pss_Anon:" alone is not "Pss:" */
	assert_int_equal(proc_parse_smaps_rollup("Rss: 1 kB\nPss_Anon: 1 kB\n", 26,
						 &pss, &rss), -EINVAL);
}

static void test_from_rusage(void **state)
{
	struct rusage ru = { 0 };
	struct proc_figures f;

	(void)state;
	ru.ru_utime.tv_sec = 2;
	ru.ru_utime.tv_usec = 500;
	ru.ru_stime.tv_usec = 999999;
	ru.ru_maxrss = 33352;
	ru.ru_minflt = 8211;
	ru.ru_majflt = 2;
	ru.ru_nvcsw = 5;
	ru.ru_nivcsw = 6;
	proc_figures_from_rusage(&ru, &f);
	assert_int_equal(f.utime_ns, 2000500000ull);
	assert_int_equal(f.stime_ns, 999999000ull);
	assert_int_equal(f.hwm_bytes, 33352ull * 1024);
	assert_int_equal(f.minflt, 8211);
	assert_int_equal(f.majflt, 2);
	assert_int_equal(f.nvcsw, 5);
	assert_int_equal(f.nivcsw, 6);
	assert_true(f.have & PROC_HAVE_CTXSW);
	assert_true(f.have & PROC_HAVE_WAITED_CHILDREN);
	assert_false(f.have & PROC_HAVE_RSS);
}

/* ---- real processes ---- */

/*
 * A child driven step by step: it runs body(), which calls kid_step()
 * to tell the parent it has reached a point and wait to be let on. When
 * the parent closes the go pipe the child exits.
 */
struct kid {
	pid_t pid;
	int ready_fd;   /* parent reads one byte per step */
	int go_fd;      /* parent writes one byte to let it on */
};

static int kid_ready_w = -1, kid_go_r = -1;

/* In the child: signals a step and waits; returns 0 when told to stop. */
static int kid_step(void)
{
	char c = 's';

	if (write(kid_ready_w, &c, 1) != 1)
		_exit(90);
	return read(kid_go_r, &c, 1) == 1;
}

static struct kid kid_start(void (*body)(long), long arg)
{
	int ready[2], go[2];
	struct kid k;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	k.pid = fork();
	assert_true(k.pid >= 0);
	if (k.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(ready[0]);
		close(go[1]);
		kid_ready_w = ready[1];
		kid_go_r = go[0];
		body(arg);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	k.ready_fd = ready[0];
	k.go_fd = go[1];
	return k;
}

/* Kills the child and reaps it: for children with threads still running. */
static void kid_kill(struct kid *k, struct rusage *ru)
{
	int status;

	kill(k->pid, SIGKILL);
	assert_int_equal(wait4(k->pid, &status, 0, ru), k->pid);
	close(k->go_fd);
	close(k->ready_fd);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* Waits for the child's next step; false if it exited instead. */
static int kid_wait(const struct kid *k)
{
	char c;

	return read(k->ready_fd, &c, 1) == 1;
}

static void kid_go(const struct kid *k)
{
	char c = 'g';

	assert_int_equal(write(k->go_fd, &c, 1), 1);
}

/* Lets the child exit and waits for it (not reaped when reap is 0). */
static int kid_end(struct kid *k, int reap, struct rusage *ru)
{
	int status = 0;

	close(k->go_fd);
	close(k->ready_fd);
	if (reap) {
		assert_int_equal(wait4(k->pid, &status, 0, ru), k->pid);
	} else {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		assert_int_equal(waitid(P_PID, (id_t)k->pid, &si, WEXITED | WNOWAIT), 0);
		status = si.si_status;
	}
	return status;
}

static volatile unsigned char *map_touched(size_t bytes)
{
	unsigned char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		_exit(91);
	madvise(m, bytes, MADV_NOHUGEPAGE);  /* page-exact RSS */
	for (size_t i = 0; i < bytes; i += 4096)
		m[i] = 1;
	return m;
}

static void body_touch(long mib)
{
	kid_step();  /* before: the baseline */
	map_touched((size_t)mib * MIB);
	while (kid_step())
		;
}

static void body_idle(long arg)
{
	(void)arg;
	while (kid_step())
		;
}

/*
 * Touches |mib| MiB, then gives it back: by munmap() for mib > 0, by
 * madvise(MADV_DONTNEED), as malloc does to trim, for mib < 0.
 */
static void body_spike(long mib)
{
	size_t bytes = (size_t)(mib < 0 ? -mib : mib) * MIB;
	volatile unsigned char *m;

	kid_step();
	m = map_touched(bytes);
	kid_step();
	if (mib > 0)
		munmap((void *)m, bytes);
	else
		madvise((void *)m, bytes, MADV_DONTNEED);
	while (kid_step())
		;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Spins until it has used arg ms of CPU (whatever the machine's load). */
static volatile uint64_t spin_sink;

static void body_spin(long ms)
{
	uint64_t until;

	kid_step();
	until = cpu_ns() + (uint64_t)ms * MSEC;
	while (cpu_ns() < until)
		for (int i = 0; i < 10000; i++)
			spin_sink += (uint64_t)i;
	while (kid_step())
		;
}

static const unsigned all_files = PROC_READ_STAT | PROC_READ_STATM | PROC_READ_STATUS;

static void read_ok(struct proc_handle *h, unsigned what, struct proc_figures *f)
{
	int err = proc_handle_read(h, what, f);

	if (err)
		fail_msg("proc_handle_read(%d, %#x): %s", (int)h->pid, what, strerror(-err));
}

static void test_open_errors(void **state)
{
	struct proc_handle h;
	struct proc_figures f;

	(void)state;
	assert_int_equal(proc_handle_open(&h, 0), -EINVAL);
	assert_int_equal(h.stat_fd, -1);
	assert_int_equal(proc_handle_open(&h, -5), -EINVAL);
	/* above any pid_max (at most 2^22) */
	assert_int_equal(proc_handle_open(&h, 99999999), -ESRCH);
	assert_int_equal(proc_handle_read(&h, PROC_READ_STAT, &f), -EBADF);
	proc_handle_release(&h);
	proc_handle_release(&h);
	assert_int_equal(proc_read_pss(99999999, NULL, NULL), -ESRCH);
	assert_int_equal(proc_read_pss(0, NULL, NULL), -EINVAL);
}

static void test_self(void **state)
{
	struct proc_handle h;
	struct proc_figures f;
	uint64_t pss, rss;

	(void)state;
	assert_int_equal(proc_handle_open(&h, getpid()), 0);
	read_ok(&h, all_files | PROC_READ_THREADS | PROC_READ_PSS, &f);
	assert_int_equal(f.state, 'R');
	assert_int_equal(f.threads, 1);
	assert_true(f.rss_bytes > 0 && f.hwm_bytes >= f.rss_bytes);
	assert_true(f.pss_bytes > 0 && f.pss_bytes <= f.rss_bytes + MIB);
	assert_true(f.have & PROC_HAVE_CTXSW);
	assert_true(f.start_ns > 0);
	assert_int_equal(proc_read_pss(getpid(), &pss, &rss), 0);
	assert_true(pss > 0 && rss >= pss);
	proc_handle_release(&h);
	assert_int_equal(h.stat_fd, -1);
	assert_int_equal(h.statm_fd, -1);
	assert_int_equal(h.status_fd, -1);
	assert_int_equal(h.task_fd, -1);
}

static void test_rss_of_touched_memory(void **state)
{
	struct kid k = kid_start(body_touch, 64);
	struct proc_handle h;
	struct proc_figures before, after, st;
	uint64_t rollup_rss;

	(void)state;
	assert_true(kid_wait(&k));
	assert_int_equal(proc_handle_open(&h, k.pid), 0);
	read_ok(&h, PROC_READ_STATM, &before);
	kid_go(&k);
	assert_true(kid_wait(&k));
	read_ok(&h, PROC_READ_STATM, &after);
	read_ok(&h, PROC_READ_STATUS, &st);
	assert_int_equal(proc_read_pss(k.pid, NULL, &rollup_rss), 0);

	assert_true(after.rss_bytes - before.rss_bytes >= 64 * MIB);
	assert_true(after.rss_bytes - before.rss_bytes <= 65 * MIB);
	/* a sleeping process: statm, status and smaps_rollup agree exactly */
	assert_int_equal(st.rss_bytes, after.rss_bytes);
	assert_int_equal(rollup_rss, after.rss_bytes);
	assert_true(st.hwm_bytes >= st.rss_bytes);
	proc_handle_release(&h);
	assert_int_equal(kid_end(&k, 1, NULL), 0);
}

static void check_spike(long how)
{
	struct kid k = kid_start(body_spike, how);
	struct proc_handle h;
	struct proc_figures peak, after;

	assert_true(kid_wait(&k));
	assert_int_equal(proc_handle_open(&h, k.pid), 0);
	kid_go(&k);
	assert_true(kid_wait(&k));  /* 64 MiB touched */
	read_ok(&h, PROC_READ_STATUS, &peak);
	kid_go(&k);
	assert_true(kid_wait(&k));  /* and given back */
	read_ok(&h, PROC_READ_STATUS, &after);
	assert_true(after.have & PROC_HAVE_HWM);
	assert_true(after.rss_bytes + 63 * MIB <= peak.rss_bytes);
	/*
	 * The kernel records the peak from its per-CPU-batched RSS counter,
	 * so VmHWM may fall short of the largest VmRSS by up to
	 * nr_cpus * 32+ pages: allow 1 MiB. The same batching can raise it
	 * by as much after the read at the peak, when munmap or
	 * MADV_DONTNEED settles the counter first (seen once in CI: the
	 * peak read, then a larger VmHWM once the memory was given back).
	 */
	assert_true(after.hwm_bytes + MIB >= peak.rss_bytes);
	assert_true(after.hwm_bytes <= peak.hwm_bytes + MIB);
	if (after.hwm_bytes < peak.rss_bytes)
		print_message("    VmHWM %llu kB below the VmRSS %llu kB seen before\n",
			      (unsigned long long)(after.hwm_bytes >> 10),
			      (unsigned long long)(peak.rss_bytes >> 10));
	proc_handle_release(&h);
	assert_int_equal(kid_end(&k, 1, NULL), 0);
}

static void test_hwm_keeps_spike(void **state)
{
	(void)state;
	check_spike(64);   /* munmap */
	check_spike(-64);  /* MADV_DONTNEED */
}

static void test_utime_of_spinning_child(void **state)
{
	struct kid k = kid_start(body_spin, 250);
	struct proc_handle h;
	struct proc_figures a, b;

	(void)state;
	assert_true(kid_wait(&k));
	assert_int_equal(proc_handle_open(&h, k.pid), 0);
	read_ok(&h, PROC_READ_STAT, &a);
	kid_go(&k);
	assert_true(kid_wait(&k));  /* has used 250 ms of CPU */
	read_ok(&h, PROC_READ_STAT, &b);
	/* stat counts whole ticks: up to one lost at each end */
	assert_true(b.utime_ns + b.stime_ns - a.utime_ns - a.stime_ns >= 250 * MSEC - 2 * TICK_NS);
	assert_true(b.utime_ns - a.utime_ns >= 200 * MSEC);
	assert_true(b.utime_ns + b.stime_ns - a.utime_ns - a.stime_ns < 2000 * MSEC);
	proc_handle_release(&h);
	assert_int_equal(kid_end(&k, 1, NULL), 0);
}

static void body_exit_after_work(long mib)
{
	volatile unsigned char *m;
	uint64_t until;

	kid_step();
	m = map_touched((size_t)mib * MIB);
	munmap((void *)m, (size_t)mib * MIB);
	until = cpu_ns() + 50 * MSEC;
	while (cpu_ns() < until)
		spin_sink++;
	_exit(7);
}

/*
 * A zombie: stat still has its final times and faults, its memory is
 * gone (no RSS, no HWM), status has the main thread's switches; PSS says
 * ESRCH. Its peak is in the wait rusage, which can be peeked at before
 * reaping. Once reaped, every read says ESRCH, and so does a new open.
 */
static void test_zombie_then_reaped(void **state)
{
	struct kid k = kid_start(body_exit_after_work, 48);
	struct proc_handle h;
	struct proc_figures f, t, peek, reaped;
	struct rusage ru;

	(void)state;
	assert_true(kid_wait(&k));
	assert_int_equal(proc_handle_open(&h, k.pid), 0);
	assert_int_equal(proc_peek_exited_child(k.pid, &peek), -EAGAIN);
	kid_go(&k);
	assert_int_equal(kid_end(&k, 0, NULL), 7);  /* exited, not reaped */

	read_ok(&h, all_files, &f);
	assert_int_equal(f.state, 'Z');
	assert_true(f.have & PROC_HAVE_TIMES);
	assert_true(f.utime_ns + f.stime_ns >= 50 * MSEC - TICK_NS);
	assert_true(f.minflt >= 48 * MIB / 4096);
	assert_false(f.have & (PROC_HAVE_RSS | PROC_HAVE_HWM));
	assert_true(f.have & PROC_HAVE_CTXSW_MAIN);
	assert_false(f.have & PROC_HAVE_CTXSW);
	print_message("    zombie: threads=%u state=%c utime=%llu ms nvcsw=%llu\n",
		      f.threads, f.state, (unsigned long long)(f.utime_ns / MSEC),
		      (unsigned long long)f.nvcsw);
	read_ok(&h, PROC_READ_THREADS, &t);
	assert_true(t.have & PROC_HAVE_CTXSW_MAIN);
	assert_int_equal(proc_handle_read(&h, PROC_READ_PSS, &t), -ESRCH);
	assert_int_equal(proc_read_pss(k.pid, NULL, NULL), -ESRCH);

	assert_int_equal(proc_peek_exited_child(k.pid, &peek), 0);
	assert_int_equal(peek.state, 'Z');
	assert_true(peek.hwm_bytes >= 48 * MIB);
	/* same time as stat, at rusage's finer resolution */
	assert_true(peek.utime_ns + peek.stime_ns >= f.utime_ns + f.stime_ns);
	assert_true(peek.utime_ns + peek.stime_ns < f.utime_ns + f.stime_ns + 2 * TICK_NS);
	assert_true(peek.minflt >= f.minflt);

	assert_int_equal(wait4(k.pid, NULL, 0, &ru), k.pid);
	proc_figures_from_rusage(&ru, &reaped);
	assert_int_equal(reaped.hwm_bytes, peek.hwm_bytes);
	assert_int_equal(reaped.utime_ns, peek.utime_ns);
	assert_int_equal(proc_peek_exited_child(k.pid, &peek), -ECHILD);

	assert_int_equal(proc_handle_read(&h, PROC_READ_STAT, &f), -ESRCH);
	assert_int_equal(f.have, 0);
	assert_int_equal(proc_handle_read(&h, PROC_READ_STATM, &f), -ESRCH);
	assert_int_equal(proc_handle_read(&h, PROC_READ_STATUS, &f), -ESRCH);
	assert_int_equal(proc_handle_read(&h, PROC_READ_THREADS, &f), -ESRCH);
	/* a file first opened after the reap is refused too */
	assert_int_equal(proc_handle_read(&h, PROC_READ_PSS, &f), -ESRCH);
	proc_handle_release(&h);
	assert_int_equal(proc_handle_open(&h, k.pid), -ESRCH);
	assert_int_equal(proc_peek_exited_child(1, &peek), -ECHILD);
}

/*
 * A pid reaped and given to a new process: the old handle must not read
 * the new one. Forcing the reuse needs ns_last_pid (CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE); without it the test is skipped.
 */
static void test_pid_reuse(void **state)
{
	struct kid k = kid_start(body_idle, 0);
	struct proc_handle h, h2;
	struct proc_figures f;
	pid_t old = k.pid, again = -1;
	int fd;

	(void)state;
	assert_true(kid_wait(&k));
	assert_int_equal(proc_handle_open(&h, old), 0);
	read_ok(&h, PROC_READ_STATUS, &f);  /* status kept open, statm not yet */
	assert_int_equal(kid_end(&k, 1, NULL), 0);

	for (int tries = 0; tries < 100 && again != old; tries++) {
		char num[16];
		int n = snprintf(num, sizeof(num), "%d", (int)old - 1);

		fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, num, (size_t)n) != n) {
			int err = errno;

			if (fd >= 0)
				close(fd);
			proc_handle_release(&h);
			print_message("    skipped: forcing a pid to be reused needs CAP_SYS_ADMIN (ns_last_pid: %s)\n",
				      strerror(err));
			skip();
			return;
		}
		close(fd);
		again = fork();
		assert_true(again >= 0);
		if (again == 0) {
			pause();
			_exit(0);
		}
		if (again != old) {  /* another process took it first */
			kill(again, SIGKILL);
			waitpid(again, NULL, 0);
		}
	}
	assert_int_equal(again, old);
	assert_int_equal(proc_handle_read(&h, PROC_READ_STAT, &f), -ESRCH);
	assert_int_equal(proc_handle_read(&h, PROC_READ_STATUS, &f), -ESRCH);
	assert_int_equal(proc_handle_read(&h, PROC_READ_STATM, &f), -ESRCH);
	assert_int_equal(h.statm_fd, -1);
	assert_int_equal(proc_handle_read(&h, PROC_READ_PSS, &f), -ESRCH);
	/* while a new handle sees the new process */
	assert_int_equal(proc_handle_open(&h2, old), 0);
	read_ok(&h2, all_files, &f);
	proc_handle_release(&h2);
	proc_handle_release(&h);
	kill(again, SIGKILL);
	waitpid(again, NULL, 0);
}

static int lowest_free_fd(void)
{
	int fd = dup(0);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

/* Out of fds: -EMFILE, nothing left half-open, the handle still usable. */
static void test_fd_limit(void **state)
{
	struct rlimit old, low;
	struct proc_handle h;
	struct proc_figures f;
	int free_fd = lowest_free_fd();

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)free_fd;  /* every fd below it is taken */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(proc_handle_open(&h, getpid()), -EMFILE);
	assert_int_equal(h.stat_fd, -1);
	proc_handle_release(&h);
	assert_int_equal(proc_read_pss(getpid(), NULL, NULL), -EMFILE);

	low.rlim_cur = (rlim_t)free_fd + 1;  /* room for stat only */
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(proc_handle_open(&h, getpid()), 0);
	assert_int_equal(proc_handle_read(&h, PROC_READ_STAT | PROC_READ_STATM, &f), -EMFILE);
	assert_true(f.have & PROC_HAVE_TIMES);  /* what was read before */
	assert_false(f.have & PROC_HAVE_RSS);
	assert_int_equal(h.statm_fd, -1);
	assert_int_equal(proc_handle_read(&h, PROC_READ_THREADS, &f), -EMFILE);
	assert_int_equal(proc_handle_read(&h, PROC_READ_PSS, &f), -EMFILE);
	read_ok(&h, PROC_READ_STAT, &f);

	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	read_ok(&h, PROC_READ_STATM | PROC_READ_STATUS | PROC_READ_THREADS, &f);
	assert_true(f.have & PROC_HAVE_RSS);
	proc_handle_release(&h);
	assert_int_equal(lowest_free_fd(), free_fd);  /* nothing leaked */
}

/*
 * A status longer than the stack buffer (4 KiB): 2000 supplementary
 * groups push the context switch lines past it. Needs CAP_SETGID.
 */
static void body_many_groups(long n)
{
	gid_t *gids = calloc((size_t)n, sizeof(*gids));

	for (long i = 0; i < n; i++)
		gids[i] = (gid_t)(100000 + i);
	if (setgroups((size_t)n, gids))
		_exit(99);
	free(gids);
	while (kid_step())
		;
}

static void test_big_status(void **state)
{
	struct kid k;
	struct proc_handle h;
	struct proc_figures f;
	static char buf[65536];
	char path[64];
	const char *ctxsw;
	ssize_t len;
	int fd;

	(void)state;
	if (geteuid() != 0) {
		print_message("    skipped: a status above 4 KiB needs setgroups() (CAP_SETGID)\n");
		skip();
		return;
	}
	k = kid_start(body_many_groups, 2000);
	assert_true(kid_wait(&k));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)k.pid);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(len > 4096 && len < (ssize_t)sizeof(buf) - 1);
	buf[len] = 0;
	ctxsw = strstr(buf, "nonvoluntary_ctxt_switches");
	assert_non_null(ctxsw);
	assert_true(ctxsw > buf + 4096);

	assert_int_equal(proc_handle_open(&h, k.pid), 0);
	read_ok(&h, PROC_READ_STATUS, &f);
	assert_true(f.have & PROC_HAVE_CTXSW);
	assert_true(f.have & PROC_HAVE_HWM);
	read_ok(&h, PROC_READ_THREADS, &f);
	assert_true(f.have & PROC_HAVE_CTXSW);
	proc_handle_release(&h);
	assert_int_equal(kid_end(&k, 1, NULL), 0);
}

/* ---- threads ---- */

static void *sleepy_thread(void *arg)
{
	long n = (long)arg;

	for (long i = 0; i < n; i++)
		usleep(200);
	return NULL;
}

static void *parked_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/*
 * Main thread does almost nothing; a second thread sleeps 200 times and
 * stays; a third sleeps 150 times and exits. status shows the main
 * thread's switches; the sum over threads has the second thread's; the
 * third's are lost until the process is reaped.
 */
static void body_threads(long arg)
{
	pthread_t stay, gone;

	(void)arg;
	pthread_create(&gone, NULL, sleepy_thread, (void *)150L);
	pthread_join(gone, NULL);
	pthread_create(&stay, NULL, sleepy_thread, (void *)200L);
	pthread_join(stay, NULL);  /* joined: its switches are lost too */
	pthread_create(&stay, NULL, parked_thread, NULL);
	while (kid_step())
		;
}

static int sleeper_done[2];

/* Sleeps arg times, says so on sleeper_done, and stays. */
static void *late_sleeper(void *arg)
{
	char c = 'd';

	sleepy_thread(arg);
	if (write(sleeper_done[1], &c, 1) != 1)
		_exit(97);
	for (;;)
		pause();
	return NULL;
}

/* Starts late_sleeper and waits until it has done its sleeps. */
static void start_late_sleeper(long sleeps)
{
	pthread_t t;
	char c;

	if (pipe(sleeper_done) ||
	    pthread_create(&t, NULL, late_sleeper, (void *)sleeps) ||
	    read(sleeper_done[0], &c, 1) != 1)
		_exit(98);
}

static void body_threads_live(long arg)
{
	(void)arg;
	start_late_sleeper(200);
	while (kid_step())
		;
}

static void test_ctxsw_threads(void **state)
{
	struct kid k = kid_start(body_threads_live, 0);
	struct proc_handle h;
	struct proc_figures main_only, sum, ended;
	struct rusage ru;

	(void)state;
	assert_true(kid_wait(&k));
	assert_int_equal(proc_handle_open(&h, k.pid), 0);
	read_ok(&h, PROC_READ_STAT | PROC_READ_STATUS, &main_only);
	assert_int_equal(main_only.threads, 2);
	assert_true(main_only.have & PROC_HAVE_CTXSW_MAIN);
	assert_true(main_only.nvcsw < 100);
	read_ok(&h, PROC_READ_STATUS | PROC_READ_THREADS, &sum);
	assert_true(sum.have & PROC_HAVE_CTXSW);
	assert_false(sum.have & PROC_HAVE_CTXSW_MAIN);
	assert_true(sum.nvcsw >= 200);
	print_message("    2 threads: main %llu, summed %llu voluntary switches\n",
		      (unsigned long long)main_only.nvcsw, (unsigned long long)sum.nvcsw);
	proc_handle_release(&h);
	kid_kill(&k, &ru);
	proc_figures_from_rusage(&ru, &ended);
	assert_true(ended.nvcsw >= sum.nvcsw);
}

static void test_ctxsw_of_exited_threads(void **state)
{
	struct kid k = kid_start(body_threads, 0);
	struct proc_handle h;
	struct proc_figures sum;
	struct rusage ru;

	(void)state;
	assert_true(kid_wait(&k));
	assert_int_equal(proc_handle_open(&h, k.pid), 0);
	read_ok(&h, PROC_READ_THREADS, &sum);
	assert_true(sum.have & PROC_HAVE_CTXSW);
	/* documented limit: 350 switches of exited threads are not shown */
	assert_true(sum.nvcsw < 100);
	proc_handle_release(&h);
	kid_kill(&k, &ru);
	/* the reap's rusage has them */
	assert_true(ru.ru_nvcsw >= 350);
	print_message("    exited threads: live sum %llu, rusage at reap %ld\n",
		      (unsigned long long)sum.nvcsw, ru.ru_nvcsw);
}

/* The main thread exits, another thread runs on. */
static void body_leader_exits(long mib)
{
	map_touched((size_t)mib * MIB);
	start_late_sleeper(20);
	kid_step();
	pthread_exit(NULL);
}

static void test_main_thread_exited(void **state)
{
	struct kid k = kid_start(body_leader_exits, 16);
	struct proc_handle h;
	struct proc_figures f;
	char path[64];
	uint64_t pss = 0;
	int err = -1;
	struct dirent *d;
	DIR *dir;

	(void)state;
	assert_true(kid_wait(&k));
	assert_int_equal(proc_handle_open(&h, k.pid), 0);
	kid_go(&k);
	/* wait for the main thread to be gone */
	for (int i = 0; i < 200; i++) {
		read_ok(&h, PROC_READ_STAT, &f);
		if (f.state == 'Z')
			break;
		usleep(5000);
	}
	read_ok(&h, all_files | PROC_READ_THREADS, &f);
	assert_int_equal(f.state, 'Z');
	assert_int_equal(f.threads, 2);
	assert_false(f.have & (PROC_HAVE_RSS | PROC_HAVE_HWM));
	/* the live thread's switches make the sum whole again */
	assert_true(f.have & PROC_HAVE_CTXSW);
	assert_true(f.nvcsw >= 20);
	/* the memory is still there, seen through the live thread's id */
	snprintf(path, sizeof(path), "/proc/%d/task", (int)k.pid);
	dir = opendir(path);
	assert_non_null(dir);
	while ((d = readdir(dir)))
		if (atoi(d->d_name) > 0 && atoi(d->d_name) != (int)k.pid)
			err = proc_read_pss((pid_t)atoi(d->d_name), &pss, NULL);
	closedir(dir);
	assert_int_equal(err, 0);
	assert_true(pss >= 16 * MIB);
	proc_handle_release(&h);
	kid_kill(&k, NULL);
}

/*
 * The rusage of a reaped child includes the children it reaped itself:
 * its ru_maxrss is the largest of their peaks and its own.
 */
static void body_reaps_big_grandchild(long mib)
{
	pid_t g = fork();

	if (g == 0) {
		map_touched((size_t)mib * MIB);
		_exit(0);
	}
	waitpid(g, NULL, 0);
	while (kid_step())
		;
}

static void test_rusage_includes_waited_children(void **state)
{
	struct kid k = kid_start(body_reaps_big_grandchild, 64);
	struct proc_handle h;
	struct proc_figures own, peek;

	(void)state;
	assert_true(kid_wait(&k));
	assert_int_equal(proc_handle_open(&h, k.pid), 0);
	read_ok(&h, PROC_READ_STATUS, &own);
	proc_handle_release(&h);
	assert_int_equal(kid_end(&k, 0, NULL), 0);
	assert_int_equal(proc_peek_exited_child(k.pid, &peek), 0);
	assert_true(peek.have & PROC_HAVE_WAITED_CHILDREN);
	/* the grandchild's peak, above the child's own */
	assert_true(peek.hwm_bytes >= own.hwm_bytes + 60 * MIB);
	waitpid(k.pid, NULL, 0);
}

/* ---- PSS of a copy-on-write tree ---- */

#define COW_MIB 64
#define COW_READERS 3

static volatile unsigned cow_sink;

/*
 * The holder touches COW_MIB MiB, then forks readers that read every page
 * (no write: nothing is copied), and reports their pids. Next step, all of
 * them unmap the region, so the test can tell the region's share from
 * whatever else the processes hold (a sanitizer's or valgrind's own
 * memory, which differs per process).
 */
static void body_cow_holder(long arg)
{
	volatile unsigned char *m;
	int unmap[2], end[2], ready[2];
	pid_t kids[COW_READERS];
	char c = 'r';

	(void)arg;
	kid_step();  /* the baseline */
	m = map_touched(COW_MIB * MIB);
	if (pipe(unmap) || pipe(end) || pipe(ready))
		_exit(92);
	for (int i = 0; i < COW_READERS; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			unsigned sum = 0;

			close(unmap[1]);
			close(end[1]);  /* so that the holder closing it ends us */
			for (size_t off = 0; off < COW_MIB * MIB; off += 4096)
				sum += m[off];
			cow_sink = sum;
			if (write(ready[1], &c, 1) != 1)
				_exit(93);
			if (read(unmap[0], &c, 1) == 1) {
				munmap((void *)m, COW_MIB * MIB);
				if (write(ready[1], &c, 1) != 1)
					_exit(93);
			}
			while (read(end[0], &c, 1) > 0)
				;
			_exit(0);
		}
	}
	for (int i = 0; i < COW_READERS; i++)
		if (read(ready[0], &c, 1) != 1)
			_exit(95);
	for (int i = 0; i < COW_READERS; i++)
		if (write(kid_ready_w, &kids[i], sizeof(kids[i])) != sizeof(kids[i]))
			_exit(96);
	kid_step();  /* all share the region */
	if (write(unmap[1], "uuuu", COW_READERS) != COW_READERS)
		_exit(96);
	for (int i = 0; i < COW_READERS; i++)
		if (read(ready[0], &c, 1) != 1)
			_exit(95);
	munmap((void *)m, COW_MIB * MIB);
	while (kid_step())  /* none has it */
		;
	close(end[1]);
	while (wait(NULL) > 0)
		;
}

static void tree_sums(const pid_t *pids, int n, double *rss_mib, double *pss_mib)
{
	uint64_t rss = 0, pss = 0;

	for (int i = 0; i < n; i++) {
		struct proc_handle h;
		struct proc_figures f;

		assert_int_equal(proc_handle_open(&h, pids[i]), 0);
		read_ok(&h, PROC_READ_STATM | PROC_READ_PSS, &f);
		rss += f.rss_bytes;
		pss += f.pss_bytes;
		proc_handle_release(&h);
	}
	*rss_mib = (double)rss / MIB;
	*pss_mib = (double)pss / MIB;
}

static void test_pss_of_cow_tree(void **state)
{
	struct kid k = kid_start(body_cow_holder, 0);
	pid_t pids[1 + COW_READERS];
	double rss_with, pss_with, rss_without, pss_without;
	const int n = 1 + COW_READERS;

	(void)state;
	assert_true(kid_wait(&k));
	kid_go(&k);
	pids[0] = k.pid;
	for (int i = 0; i < COW_READERS; i++)
		assert_int_equal(read(k.ready_fd, &pids[1 + i], sizeof(pid_t)),
				 sizeof(pid_t));
	assert_true(kid_wait(&k));
	tree_sums(pids, n, &rss_with, &pss_with);
	kid_go(&k);
	assert_true(kid_wait(&k));
	tree_sums(pids, n, &rss_without, &pss_without);
	print_message("    %d processes sharing %d MiB: RSS sum %.1f MiB, PSS sum %.1f MiB; "
		      "the region's part: RSS %.1f MiB, PSS %.1f MiB\n",
		      n, COW_MIB, rss_with, pss_with,
		      rss_with - rss_without, pss_with - pss_without);
	/* summed RSS counts the shared region once per process */
	assert_true(rss_with >= n * COW_MIB);
	assert_true(rss_with - rss_without >= n * COW_MIB * 0.98);
	assert_true(rss_with - rss_without <= n * COW_MIB * 1.02);
	/* summed PSS counts it once: the real footprint */
	assert_true(pss_with >= COW_MIB);
	assert_true(pss_with - pss_without >= COW_MIB * 0.90);
	assert_true(pss_with - pss_without <= COW_MIB * 1.10);
	assert_int_equal(kid_end(&k, 1, NULL), 0);
}

/*
 * A process of another user: stat, statm and status are readable by
 * anyone, smaps_rollup needs ptrace access. Root starts a process, and a
 * child that has become nobody reads it.
 */
static void test_foreign_process(void **state)
{
	struct kid k;
	pid_t reader;
	int status;

	(void)state;
	if (geteuid() != 0) {
		print_message("    skipped: starting a process of another user needs root\n");
		skip();
		return;
	}
	k = kid_start(body_touch, 8);
	assert_true(kid_wait(&k));
	kid_go(&k);
	assert_true(kid_wait(&k));
	reader = fork();
	assert_true(reader >= 0);
	if (reader == 0) {
		struct proc_handle h;
		struct proc_figures f;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(80);
		if (proc_handle_open(&h, k.pid))
			_exit(81);
		if (proc_handle_read(&h, all_files, &f))
			_exit(82);
		if (!(f.have & PROC_HAVE_TIMES) || !(f.have & PROC_HAVE_HWM) ||
		    f.rss_bytes < 8 * MIB || !(f.have & PROC_HAVE_CTXSW))
			_exit(83);
		if (proc_handle_read(&h, PROC_READ_PSS, &f) != -EACCES)
			_exit(84);
		if (proc_read_pss(k.pid, NULL, NULL) != -EACCES)
			_exit(85);
		proc_handle_release(&h);
		_exit(0);
	}
	assert_int_equal(waitpid(reader, &status, 0), reader);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(kid_end(&k, 1, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_normal),
		cmocka_unit_test(test_stat_weird_comm),
		cmocka_unit_test(test_stat_identity),
		cmocka_unit_test(test_schedstat),
		cmocka_unit_test(test_sched),
		cmocka_unit_test(test_stat_truncated),
		cmocka_unit_test(test_stat_malformed),
		cmocka_unit_test(test_stat_clock_ticks),
		cmocka_unit_test(test_statm),
		cmocka_unit_test(test_status_live),
		cmocka_unit_test(test_status_threads_and_zombie),
		cmocka_unit_test(test_status_truncated),
		cmocka_unit_test(test_status_odd),
		cmocka_unit_test(test_rollup),
		cmocka_unit_test(test_from_rusage),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_rss_of_touched_memory),
		cmocka_unit_test(test_hwm_keeps_spike),
		cmocka_unit_test(test_utime_of_spinning_child),
		cmocka_unit_test(test_zombie_then_reaped),
		cmocka_unit_test(test_pid_reuse),
		cmocka_unit_test(test_fd_limit),
		cmocka_unit_test(test_big_status),
		cmocka_unit_test(test_ctxsw_threads),
		cmocka_unit_test(test_ctxsw_of_exited_threads),
		cmocka_unit_test(test_main_thread_exited),
		cmocka_unit_test(test_rusage_includes_waited_children),
		cmocka_unit_test(test_pss_of_cow_tree),
		cmocka_unit_test(test_foreign_process),
	};

	/* A child that never answers must fail the run, not hang it. */
	alarm(300);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

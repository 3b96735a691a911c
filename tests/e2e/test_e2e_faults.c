/*
 * test_e2e_faults.c - end-to-end tests of what goes wrong around `pprobe
 * record` and `pprobe report`: pprobe killed, the disk full, a command
 * that will not stop or leaves a thousand processes behind, paths that
 * cannot be written, files that are not recordings, too few file
 * descriptors. Each runs the real binary and checks what the README
 * promises ("What happens when"): one clear line, the right exit status,
 * a file that reads as far as it was written, and no process of the
 * test's left running.
 *
 * The faults of issue 9 and where each is tested (the ones tested
 * elsewhere are not repeated here):
 *
 *  - pprobe killed with SIGKILL mid-recording, the file readable and the
 *    report saying it was cut off: test_e2e_record.c:test_kill9_mid_recording
 *    (counters only); here test_kill9_cut_at_last_flush, with the tree and
 *    samples in the file, checks the flush promise itself (the figures
 *    reach to within a second of the kill) and that the command runs on.
 *  - disk full: test_disk_full (a 64 KiB tmpfs, root only).
 *  - a command killed by a signal, 128+N:
 *    test_e2e_record.c:test_exit_status (SIGKILL, 137, in the file and the
 *    JSON report); here test_thousand_orphans has the command die of
 *    SIGTERM while its orphans run on (143, once they are all reaped).
 *  - a signal passed on, or ignored by the command:
 *    test_e2e_record.c:test_signal_sigterm, test_signal_sigint,
 *    test_signal_ignored_by_command; the escalation after a grace period:
 *    test_ignore_term_duration (--duration: SIGTERM, SIGKILL 5 s later)
 *    and test_ignore_term_second_signal (a second signal to pprobe).
 *  - a thousand children left as orphans: test_thousand_orphans (they end
 *    by themselves) and test_orphans_ignoring_signals (they must be
 *    killed); a background job: test_e2e_record.c:test_orphan_recorded_and_reaped;
 *    a thousand short children the command waits for:
 *    test_e2e_tree.c:test_fork_heavy.
 *  - a daemon (double fork + setsid) followed, waited for, reaped, its
 *    three pids gone afterwards, the exit status the original's:
 *    test_e2e_tree.c:test_daemon; here test_daemon_stopped_by_signal,
 *    one that would outlive the test, stopped through pprobe.
 *  - the output path missing, a directory, not permitted, read-only:
 *    test_output_unwritable, test_output_not_permitted.
 *  - report given a directory, a missing file or perf's perf.data:
 *    test_report_bad_inputs; an empty file: test_e2e_record.c:test_empty_file;
 *    a text file: test_foreign_file; cut off and corrupt ones:
 *    test_cut_off_in_header, test_cut_off_in_record,
 *    test_cut_off_before_end, test_corrupt_files.
 *  - too few file descriptors: test_fd_limits.
 *
 * "None left running" is checked by a mark, not by pids: each test puts a
 * variable of its own (MARK_VAR=<unique value>) in the environment of the
 * pprobe it starts, which every process of the tree inherits, daemons that
 * left the process group included; afterwards no process in /proc may
 * carry it. The teardown of every test kills what does (and unmounts what
 * it mounted), so a failing test leaks nothing; the workloads end by
 * themselves within 10 s besides.
 *
 * A test that needs what this machine lacks (root to mount or to become
 * nobody) prints "skipped: <reason>". Every wait is bounded; the whole
 * file takes about 20 s.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "harness.h"

#define SHORT_TIMEOUT 30.0
#define START_TIMEOUT 10.0     /* for a command to be up, or a line to appear */
#define STOP_TIMEOUT 3.0       /* for pprobe to end once the tree is killed */

/* Set in each test's tree: see the top of the file. */
#define MARK_VAR "PPROBE_FAULT_MARK"

static char mark[64];          /* this test's value, "" between tests */
static char mounted[4096];     /* what this test mounted, "" when nothing */

/* Under valgrind (the harness wraps pprobe in $PPROBE_VALGRIND) pprobe is
 * many times slower: wall-clock bounds are printed but not checked, and
 * every wait is ten times as long. */
static int timing_checked(void)
{
	const char *v = getenv("PPROBE_VALGRIND");

	return !v || !*v;
}

static double scaled(double seconds)
{
	return timing_checked() ? seconds : 10 * seconds;
}

static void assert_contains(const char *what, const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle)) {
		print_error("%s: '%s' not found in:\n%s\n", what, needle, haystack);
		fail();
	}
}

/* How many lines of s start with prefix. */
static int count_lines_starting(const char *s, const char *prefix)
{
	size_t len = strlen(prefix);
	int n = 0;

	for (const char *line = s; *line; ) {
		const char *nl = strchr(line, '\n');

		n += !strncmp(line, prefix, len);
		if (!nl)
			break;
		line = nl + 1;
	}
	return n;
}

/* One "error: " line on stderr saying `needle`, and no other error. */
static void assert_one_error(const char *what, const struct h_result *r, const char *needle)
{
	if (count_lines_starting(r->err, "error: ") != 1 || !strstr(r->err, needle)) {
		h_show(what, r);
		fail_msg("%s: expected one 'error: ...' line saying '%s'", what, needle);
	}
}

/* ---- the mark, and what carries it ---- */

static void new_mark(void)
{
	static int n;

	snprintf(mark, sizeof(mark), "faults-%d-%d", (int)getpid(), ++n);
}

/* Does process pid carry this test's mark? */
static int is_marked(const char *pid)
{
	char path[300], want[sizeof(MARK_VAR) + sizeof(mark) + 1], *env;
	size_t len;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	env = h_read_file(path, &len);
	if (!env)
		return 0;
	snprintf(want, sizeof(want), "%s=%s", MARK_VAR, mark);
	for (size_t i = 0; i < len && !found; i += strlen(env + i) + 1)
		found = !strcmp(env + i, want);
	free(env);
	return found;
}

/*
 * The processes that carry the mark: counted, and with `kill_sig` sent
 * that signal; with `show` each printed with its command and parent.
 */
static int marked_processes(int kill_sig, int show)
{
	struct dirent *d;
	DIR *proc;
	int n = 0;

	if (!mark[0] || !(proc = opendir("/proc")))
		return 0;
	while ((d = readdir(proc))) {
		char path[300], *stat;

		if (d->d_name[0] < '1' || d->d_name[0] > '9' || !is_marked(d->d_name))
			continue;
		n++;
		if (show) {
			snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
			stat = h_read_file(path, NULL);
			print_message("  left running: %s", stat ? stat : d->d_name);
			free(stat);
		}
		if (kill_sig)
			kill((pid_t)atoi(d->d_name), kill_sig);
	}
	closedir(proc);
	return n;
}

/* Nothing of the test may be left once pprobe has exited. */
static void assert_none_left(const char *what)
{
	int n = marked_processes(0, 1);

	if (n) {
		marked_processes(SIGKILL, 0);
		fail_msg("%s: %d process%s of the tree still running after pprobe exited",
			 what, n, n == 1 ? "" : "es");
	}
	print_message("%s: no process of the tree left running\n", what);
}

/* Every test's teardown: kills what carries the mark, unmounts. */
static int cleanup(void **state)
{
	(void)state;
	for (int i = 0; i < 50 && marked_processes(SIGKILL, 0); i++)
		h_sleep(0.02);
	mark[0] = '\0';
	if (mounted[0]) {
		if (umount2(mounted, 0) < 0)
			umount2(mounted, MNT_DETACH);
		mounted[0] = '\0';
	}
	return 0;
}

/* ---- starting pprobe ---- */

struct child_setup {
	long nofile;           /* RLIMIT_NOFILE soft limit, or 0 */
	long nofile_hard;      /* ... and hard limit */
	int nobody;            /* run as user nobody */
};

/* In the child, before it execs pprobe (an h_child_fn). */
static int setup_child(void *arg)
{
	const struct child_setup *c = arg;

	if (setenv(MARK_VAR, mark, 1) < 0)
		return -1;
	if (c && c->nofile) {
		struct rlimit rl = { (rlim_t)c->nofile, (rlim_t)c->nofile_hard };

		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			return -1;
	}
	if (c && c->nobody && h_become_nobody(NULL))
		return -1;
	return 0;
}

/* Starts argv (pprobe ...) marked, with a fresh mark. */
static void spawn_marked(struct h_proc *p, const char *const *argv, struct child_setup *c)
{
	new_mark();
	assert_int_equal(h_spawn(p, argv, NULL, setup_child, c), 0);
}

/* Runs argv (pprobe ...) marked, to its end. */
static void run_marked(const char *const *argv, struct child_setup *c, double timeout,
		       struct h_result *r)
{
	struct h_proc p;

	spawn_marked(&p, argv, c);
	assert_int_equal(h_wait(&p, scaled(timeout), r), 0);
}

/* Waits until `path` (a running process's stdout or stderr) says `text`. */
static void wait_for_text(struct h_proc *p, const char *path, const char *text)
{
	double deadline = h_now() + scaled(START_TIMEOUT);

	while (h_now() < deadline) {
		char *s = h_read_file(path, NULL);
		int found = s && strstr(s, text);
		struct h_result r;

		free(s);
		if (found)
			return;
		if (h_poll(p, &r)) {
			h_show("pprobe record", &r);
			fail_msg("pprobe ended before '%s' appeared", text);
		}
		h_sleep(0.01);
	}
	h_proc_kill(p);
	fail_msg("'%s' did not appear within %.0f s", text, START_TIMEOUT);
}

/* Is pprobe still running `seconds` from now? Fails the test if not. */
static void assert_still_running(struct h_proc *p, double seconds, const char *why)
{
	struct h_result r;

	h_sleep(seconds);
	if (h_poll(p, &r)) {
		h_show("pprobe record", &r);
		fail_msg("pprobe ended %s", why);
	}
}

/*
 * Sends pprobe sig, which it passes on and the tree ignores: pprobe must
 * still run half a second later, with `marked` processes of the test's
 * tree alive (pprobe included).
 */
static void send_ignored(struct h_proc *p, int sig, long marked, const char *why)
{
	assert_int_equal(kill(p->pid, sig), 0);
	assert_still_running(p, 0.5, why);
	assert_int_equal(marked_processes(0, 0), marked);
}

/*
 * Sends pprobe sig, which must end it: within STOP_TIMEOUT (where timing
 * is checked), with exit status `status`. what names the case.
 */
static void send_stop(struct h_proc *p, int sig, int status, const char *what,
		      struct h_result *r)
{
	double sent = h_now(), took;

	assert_int_equal(kill(p->pid, sig), 0);
	assert_int_equal(h_wait(p, scaled(SHORT_TIMEOUT), r), 0);
	took = h_now() - sent;
	print_message("%s: exit %d, %.3f s after %s\n", what, r->exit_code, took, strsignal(sig));
	h_assert_exit(what, r, status);
	if (timing_checked() && took > STOP_TIMEOUT)
		fail_msg("%s: pprobe took %.3f s to end after %s", what, took, strsignal(sig));
}

static struct h_recording *load_recording(const char *path)
{
	struct h_recording *rec = calloc(1, sizeof(*rec));

	assert_non_null(rec);
	assert_int_equal(h_recording_load(path, rec), 0);
	return rec;
}

/* The recording is complete and its run ended as said. */
static void assert_run_end(const char *path, unsigned kind, int code)
{
	struct h_recording *rec = load_recording(path);

	if (rec->status != REC_DONE || rec->nr_run_end != 1 ||
	    rec->run_end.exit_kind != kind || rec->run_end.exit_code != code)
		fail_msg("'%s': %s, %d RUN_END, exit kind %u code %d; expected complete, kind %u code %d",
			 path, rec_strerror(rec->status), rec->nr_run_end,
			 rec->run_end.exit_kind, rec->run_end.exit_code, kind, code);
	free(rec);
}

/* `pprobe report [opt] file`, to its end. */
static void run_report(const char *opt, const char *file, struct h_result *r)
{
	struct h_args a = { 0 };

	h_args_push(&a, h_pprobe_or_skip(), "report", NULL);
	if (opt)
		h_args_push(&a, opt, NULL);
	h_args_push(&a, file, NULL);
	assert_int_equal(h_run(a.v, scaled(SHORT_TIMEOUT), r), 0);
}

/* Root mounts a tmpfs at a fresh scratch dir; else the test is skipped. */
static char *mount_tmpfs(const char *name, unsigned long flags, const char *options)
{
	char *dir = h_tmp_path(name);

	if (geteuid() != 0) {
		free(dir);
		H_SKIP("not root: cannot mount a tmpfs");
	}
	assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | flags, options) < 0) {
		int err = errno;

		rmdir(dir);
		free(dir);
		H_SKIP("cannot mount a tmpfs (%s): %s", options, strerror(err));
	}
	snprintf(mounted, sizeof(mounted), "%s", dir);
	return dir;
}

/* ---- pprobe killed ---- */

/*
 * kill -9 of pprobe while it records the tree and samples it: the file
 * is cut off, but flushed once a second, so the report's figures reach
 * to within a second (and a tick) of the kill. Nothing can pass a
 * SIGKILL on: the command runs on (README), until the test kills it.
 */
static void test_kill9_cut_at_last_flush(void **state)
{
	char *data = h_tmp_path("kill9.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-I", "10", "-F", "499", "-o", data,
			       "--", h_workload("burn"), "1", "4", NULL };
	struct h_recording *rec;
	struct h_result r;
	struct h_proc p;
	double begun, killed_at, last = -1;
	const char *at;
	struct stat st;

	(void)state;
	spawn_marked(&p, argv, NULL);
	/* The run has begun once its start is in the file. */
	begun = h_now() + scaled(START_TIMEOUT);
	while (!(h_find_child(p.pid, "burn") && stat(data, &st) == 0 && st.st_size > 0)) {
		if (h_now() > begun || h_poll(&p, &r))
			fail_msg("the recording did not begin within %.0f s", START_TIMEOUT);
		h_sleep(0.005);
	}
	begun = h_now();
	h_sleep(2.5);
	killed_at = h_now() - begun;
	assert_int_equal(kill(p.pid, SIGKILL), 0);
	assert_int_equal(h_wait(&p, scaled(STOP_TIMEOUT), &r), 0);
	assert_true(r.signaled && r.term_signal == SIGKILL);
	h_result_release(&r);
	if (marked_processes(0, 0) != 1)
		fail_msg("the command did not run on after pprobe's SIGKILL");
	marked_processes(SIGKILL, 0);

	rec = load_recording(data);
	print_message("kill -9 at %.3f s: %llu records, %d COUNTS, status '%s'\n", killed_at,
		      (unsigned long long)rec->records, rec->nr_counts, rec_strerror(rec->status));
	assert_int_equal(rec->status, REC_ERR_TRUNCATED);
	assert_int_equal(rec->nr_run_end, 0);
	free(rec);

	run_report(NULL, data, &r);
	at = strstr(r.err, "last sample at ");
	if (at)
		last = strtod(at + strlen("last sample at "), NULL);
	print_message("the report's figures end at %.3f s\n", last);
	if (!r.exited || r.exit_code != 0 || !strstr(r.err, "cut off") || !at ||
	    !strstr(r.out, "task-clock")) {
		h_show("pprobe report <killed recording>", &r);
		fail_msg("expected exit 0, 'cut off ... last sample at' on stderr and the figures");
	}
	/* Flushed once a second: at most that (and a tick, and our polling)
	 * is lost. */
	if (timing_checked() && (last < killed_at - 1.3 || last > killed_at + 0.5))
		fail_msg("the figures end at %.3f s, the kill came at %.3f s: more than a second lost",
			 last, killed_at);
	h_result_release(&r);

	/* The samples, cut off among them, are read as far as they go. */
	run_report("--hot", data, &r);
	h_assert_exit("pprobe report --hot <killed recording>", &r, 0);
	assert_contains("stderr", r.err, "cut off");
	h_result_release(&r);
	free(data);
}

/* ---- the disk full ---- */

/* Fills the file system at dir until at most `leave` bytes are free. */
static void fill(const char *dir, size_t leave)
{
	char path[4200], block[4096] = { 0 };
	struct statvfs vfs;
	int fd;

	snprintf(path, sizeof(path), "%s/filler-%zu", dir, leave);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	/* A tmpfs counts whole pages: one block at a time, no more. */
	while (fstatvfs(fd, &vfs) == 0 && (size_t)vfs.f_bavail * vfs.f_bsize > leave &&
	       write(fd, block, sizeof(block)) == (ssize_t)sizeof(block))
		;
	assert_int_equal(fstatvfs(fd, &vfs), 0);
	print_message("  %s: %zu bytes free\n", dir, (size_t)vfs.f_bavail * vfs.f_bsize);
	close(fd);
}

/*
 * The disk fills up while the command runs: one line says so, how much
 * of the file is readable and that the command keeps running; it does,
 * to its end (README: a profiler's failure should not cost the work it
 * watches), and pprobe exits 1 for a command that succeeded, with the
 * command's own status otherwise. What was written reads as cut off.
 */
static void test_disk_full(void **state)
{
	char *dir = mount_tmpfs("full", 0, "size=64k,mode=0755"), *data, *data2;
	const char *argv[] = { h_pprobe_or_skip(), "record", "-I", "1", "-o", NULL,
			       "--", "sh", "-c", "sleep 1.5; echo ran to its end", NULL };
	const char *argv2[] = { h_pprobe_or_skip(), "record", "-o", NULL, "--", "sh", "-c", "exit 3", NULL };
	struct h_recording *rec;
	struct h_result r;

	(void)state;
	assert_true(asprintf(&data, "%s/full.data", dir) > 0);
	assert_true(asprintf(&data2, "%s/nothing.data", dir) > 0);
	argv[5] = data;
	argv2[3] = data2;

	/* 16 KiB left: the start fits, a fraction of a second of -I 1 not. */
	fill(dir, 16 * 1024);
	run_marked(argv, NULL, SHORT_TIMEOUT, &r);
	print_message("disk full: exit %d after %.3f s, stderr: %s", r.exit_code, r.seconds, r.err);
	h_assert_exit("pprobe record <disk full, command succeeds>", &r, 1);
	assert_one_error("pprobe record <disk full>", &r, "No space left on device");
	assert_contains("stderr", r.err, data);
	assert_contains("stderr", r.err, "bytes are readable");
	assert_contains("stderr", r.err, "the command keeps running");
	/* Left running, it ran to its end. */
	assert_contains("stdout", r.out, "ran to its end");
	if (timing_checked() && r.seconds < 1.5)
		fail_msg("pprobe ended after %.3f s: the command was not left to finish", r.seconds);
	if (strstr(r.err, "[ pprobe record: wrote"))
		fail_msg("the summary claims a recording was written");
	h_result_release(&r);
	assert_none_left("disk full");

	rec = load_recording(data);
	print_message("  the file: %llu records, %d COUNTS, status '%s'\n",
		      (unsigned long long)rec->records, rec->nr_counts, rec_strerror(rec->status));
	assert_int_equal(rec->status, REC_ERR_TRUNCATED);
	assert_true(rec->nr_counts >= 1);
	free(rec);
	run_report(NULL, data, &r);
	if (!r.exited || r.exit_code != 0 || !strstr(r.err, "cut off") ||
	    !strstr(r.out, "task-clock")) {
		h_show("pprobe report <disk full>", &r);
		fail_msg("expected exit 0, 'cut off' on stderr and the figures on stdout");
	}
	h_result_release(&r);

	/* Full from the start: nothing written, the command's own status. */
	fill(dir, 0);
	run_marked(argv2, NULL, SHORT_TIMEOUT, &r);
	print_message("disk full from the start: exit %d, stderr: %s", r.exit_code, r.err);
	h_assert_exit("pprobe record <disk full, command exits 3>", &r, 3);
	assert_one_error("pprobe record <disk full from the start>", &r, "No space left on device");
	assert_contains("stderr", r.err, "nothing was written");
	h_result_release(&r);
	assert_none_left("disk full from the start");
	free(data2);
	free(data);
	free(dir);
}

/* ---- a command that will not stop ---- */

/*
 * --duration 1 on a command that ignores SIGTERM, as do its 20 children
 * (which would live 10 s): SIGTERM at 1 s, SIGKILL to the tree 5 s
 * later; pprobe exits 128+9 once all are reaped.
 */
static void test_ignore_term_duration(void **state)
{
	char *data = h_tmp_path("duration.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "--duration", "1", "-o", data,
			       "--", h_workload("orphans"), "-i", "-w", "20", "10", NULL };
	struct h_result r;

	(void)state;
	run_marked(argv, NULL, SHORT_TIMEOUT, &r);
	print_message("--duration 1, SIGTERM ignored: exit %d after %.3f s\n", r.exit_code, r.seconds);
	h_assert_exit("pprobe record --duration 1 -- orphans -i -w 20 10", &r, 137);
	assert_contains("stderr", r.err, "--duration 1 s is up: sending SIGTERM");
	assert_contains("stderr", r.err, "killing it");
	if (timing_checked() && (r.seconds < 5.5 || r.seconds > 9))
		fail_msg("pprobe took %.3f s: expected the SIGKILL 5 s after the SIGTERM at 1 s",
			 r.seconds);
	h_result_release(&r);
	assert_none_left("--duration");
	assert_run_end(data, REC_EXIT_SIGNAL, SIGKILL);
	free(data);
}

/*
 * The same command and children, stopped through pprobe: the first
 * SIGTERM is passed on and ignored, and the recording goes on; a second
 * request to stop (SIGINT here) kills the command and its tree.
 */
static void test_ignore_term_second_signal(void **state)
{
	char *data = h_tmp_path("second.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data,
			       "--", h_workload("orphans"), "-i", "-w", "20", "10", NULL };
	struct h_result r;
	struct h_proc p;

	(void)state;
	spawn_marked(&p, argv, NULL);
	wait_for_text(&p, p.out_path, "orphans: 20 children forked");
	/* pprobe, the command and its 20 children. */
	send_ignored(&p, SIGTERM, 22, "after one SIGTERM that its command ignores");
	send_stop(&p, SIGINT, 137, "pprobe record -- orphans -i -w 20 10 <SIGTERM, SIGINT>", &r);
	assert_contains("stderr", r.err, "a second signal: killing");
	h_result_release(&r);
	assert_none_left("second signal");
	assert_run_end(data, REC_EXIT_SIGNAL, SIGKILL);
	free(data);
}

/* ---- a thousand orphans ---- */

/* The "processes: N" of the text report. */
static long report_processes(const char *data)
{
	struct h_result r;
	const char *at;
	long n;

	run_report(NULL, data, &r);
	h_assert_exit("pprobe report", &r, 0);
	at = strstr(r.out, " processes: ");
	n = at ? strtol(at + strlen(" processes: "), NULL, 10) : -1;
	h_result_release(&r);
	return n;
}

/*
 * The command forks a thousand children that live a second and dies of
 * SIGTERM at once: pprobe, their subreaper, says it waits for them, does,
 * and exits 128+15, the command's status, once the last is reaped. All
 * of them are in the recording's process table.
 */
static void test_thousand_orphans(void **state)
{
	char *data = h_tmp_path("orphans.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data,
			       "--", h_workload("orphans"), "1000", "1", "-15", NULL };
	struct h_result r;
	long processes;

	(void)state;
	run_marked(argv, NULL, SHORT_TIMEOUT, &r);
	print_message("1000 orphans of a command killed by SIGTERM: exit %d after %.3f s\n",
		      r.exit_code, r.seconds);
	h_assert_exit("pprobe record -- orphans 1000 1 -15", &r, 143);
	assert_contains("stdout", r.out, "orphans: 1000 children forked");
	assert_contains("stderr", r.err, "exited; waiting for the processes it left running");
	if (timing_checked() && r.seconds < 0.9)
		fail_msg("pprobe ended after %.3f s, before the orphans (1 s each)", r.seconds);
	h_result_release(&r);
	assert_none_left("1000 orphans");
	assert_run_end(data, REC_EXIT_SIGNAL, SIGTERM);
	processes = report_processes(data);
	print_message("  processes in the recording: %ld\n", processes);
	assert_int_equal(processes, 1001);
	free(data);
}

/*
 * A thousand orphans that ignore SIGTERM and would live 10 s: the first
 * signal to pprobe passes SIGTERM on to them, in vain; the second kills
 * them. pprobe exits with the command's own status, 3.
 */
static void test_orphans_ignoring_signals(void **state)
{
	char *data = h_tmp_path("stubborn.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data,
			       "--", h_workload("orphans"), "-i", "1000", "10", "3", NULL };
	struct h_result r;
	struct h_proc p;

	(void)state;
	spawn_marked(&p, argv, NULL);
	wait_for_text(&p, p.err_path, "exited; waiting for the processes it left running");
	/* pprobe and the thousand. */
	send_ignored(&p, SIGTERM, 1001, "after one SIGTERM that the orphans ignore");
	send_stop(&p, SIGTERM, 3, "pprobe record -- orphans -i 1000 10 3 <SIGTERM, SIGTERM>", &r);
	h_result_release(&r);
	assert_none_left("1000 orphans ignoring SIGTERM");
	assert_run_end(data, REC_EXIT_NORMAL, 3);
	free(data);
}

/* ---- a daemon ---- */

/*
 * A daemon (double fork, setsid: out of pprobe's process group, out of
 * reach of a kill of the group) that would live 10 s: once its starter
 * has exited with 4, SIGTERM to pprobe reaches it; pprobe exits 4.
 */
static void test_daemon_stopped_by_signal(void **state)
{
	char *data = h_tmp_path("daemon.data");
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data,
			       "--", h_workload("daemon"), "10", "0.01", "4", NULL };
	struct h_result r;
	struct h_proc p;

	(void)state;
	spawn_marked(&p, argv, NULL);
	wait_for_text(&p, p.err_path, "exited; waiting for the processes it left running");
	/* pprobe and the daemon. */
	assert_int_equal(marked_processes(0, 0), 2);
	send_stop(&p, SIGTERM, 4, "pprobe record -- daemon 10 0.01 4 <SIGTERM>", &r);
	h_result_release(&r);
	assert_none_left("daemon");
	assert_run_end(data, REC_EXIT_NORMAL, 4);
	free(data);
}

/* ---- the output cannot be written ---- */

/*
 * `pprobe record -o data -- sh -c ': > ran'`, which must fail before the
 * command runs: exit 1, one error line saying `needle`, no `ran`.
 */
static void expect_output_refused(const char *what, const char *data, const char *ran,
				  struct child_setup *c, const char *needle)
{
	char *script;
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", data, "--", "sh", "-c", NULL, NULL };
	struct h_result r;

	assert_true(asprintf(&script, ": > '%s'", ran) > 0);
	argv[7] = script;
	unlink(ran);
	run_marked(argv, c, SHORT_TIMEOUT, &r);
	print_message("%s: exit %d, stderr: %s", what, r.exit_code, r.err);
	h_assert_exit(what, &r, 1);
	assert_one_error(what, &r, needle);
	assert_int_equal(h_count_lines(r.err), 1);
	assert_contains("stderr", r.err, data);
	if (h_file_exists(ran))
		fail_msg("%s: the command ran", what);
	h_result_release(&r);
	free(script);
}

static void test_output_unwritable(void **state)
{
	char *ran = h_tmp_path("ran"), *missing = h_tmp_path("no-such-dir"), *data;
	char expect[4200];

	(void)state;
	assert_true(asprintf(&data, "%s/sub/x.data", missing) > 0);
	snprintf(expect, sizeof(expect), "directory '%s/sub' does not exist", missing);
	expect_output_refused("output directory missing", data, ran, NULL, expect);
	expect_output_refused("output is a directory", h_tmpdir(), ran, NULL, "Is a directory");
	free(data);
	free(missing);
	free(ran);
}

/* As nobody, into root's directory; as root, onto a read-only mount. */
static void test_output_not_permitted(void **state)
{
	char *shared = h_tmp_path("shared"), *ran, *root_dir = h_tmp_path("roots"), *data, *ro;
	struct child_setup nobody = { .nobody = 1 };

	(void)state;
	if (geteuid() != 0)
		H_SKIP("not root: cannot switch to the nobody user or mount");
	h_shared_dir(shared);
	assert_true(asprintf(&ran, "%s/ran", shared) > 0);
	assert_true(mkdir(root_dir, 0755) == 0 || errno == EEXIST);
	if (!h_nobody_can_use(h_pprobe_or_skip(), "/bin/sh", shared))
		H_SKIP("nobody cannot reach '%s' or '%s' (a parent directory is not searchable)",
		       h_pprobe_or_skip(), shared);
	assert_true(asprintf(&data, "%s/x.data", root_dir) > 0);
	expect_output_refused("root's directory, as nobody", data, ran, &nobody, "Permission denied");
	free(data);

	ro = mount_tmpfs("read-only", MS_RDONLY, "size=16k");
	assert_true(asprintf(&data, "%s/x.data", ro) > 0);
	expect_output_refused("a read-only file system", data, ran, NULL, "Read-only file system");
	free(data);
	free(ro);
	free(root_dir);
	free(ran);
	free(shared);
}

/* ---- report given what is not a recording ---- */

/* perf's own file: made by perf where it can, else its header by hand. */
static void make_perf_data(const char *path)
{
	const char *argv[] = { "perf", "record", "-q", "-e", "cpu-clock", "-o", path, "true", NULL };
	char header[104] = "PERFILE2";
	struct h_result r;
	size_t len = 0;
	char *made;

	if (h_run(argv, SHORT_TIMEOUT, &r) == 0) {
		h_result_release(&r);
		made = h_read_file(path, &len);
		if (made && len >= 8 && !memcmp(made, "PERFILE2", 8)) {
			print_message("perf.data made by perf record (%zu bytes)\n", len);
			free(made);
			return;
		}
		free(made);
	}
	print_message("perf record did not make one here: a PERFILE2 header instead\n");
	assert_int_equal(h_write_file(path, header, sizeof(header)), 0);
}

static void expect_report_refused(const char *what, const char *path, const char *needle)
{
	struct h_result r;

	run_report(NULL, path, &r);
	print_message("%s: exit %d, stderr: %s", what, r.exit_code, r.err);
	h_assert_exit(what, &r, 1);
	assert_one_error(what, &r, needle);
	assert_int_equal(h_count_lines(r.err), 1);
	assert_contains("stderr", r.err, path);
	h_result_release(&r);
}

static void test_report_bad_inputs(void **state)
{
	char *perf_data = h_tmp_path("perf.data"), *missing = h_tmp_path("missing.data");

	(void)state;
	expect_report_refused("report <a directory>", h_tmpdir(), "is a directory");
	expect_report_refused("report <a missing file>", missing, "No such file or directory");
	make_perf_data(perf_data);
	expect_report_refused("report <perf.data>", perf_data, "perf.data file");
	expect_report_refused("report <perf.data>", perf_data, "perf report");
	free(missing);
	free(perf_data);
}

/* ---- file descriptors ---- */

/*
 * Too few file descriptors, hard limit and all (pprobe raises its soft
 * limit to the hard one), on a forking and a threaded command: either
 * a recording, complete, or one error line that says to raise `ulimit
 * -n`, exit 1 and no file; never a crash or a hang. Whatever says it
 * ran out of descriptors says how to get more. With the hard limit
 * high, pprobe raises the soft one and records.
 */
static void check_fd_limit(long soft, long hard, const char *workload, const char *const *args)
{
	char *data = h_tmp_path("fds.data");
	struct child_setup c = { .nofile = soft, .nofile_hard = hard };
	struct h_args a = { 0 };
	struct h_result r;
	char what[128];

	snprintf(what, sizeof(what), "ulimit -n %ld (hard %ld), %s", soft, hard, workload);
	h_args_push(&a, h_pprobe_or_skip(), "record", "-I", "10", "-o", data, "--",
		    h_workload(workload), NULL);
	for (int i = 0; args[i]; i++)
		h_args_push(&a, args[i], NULL);
	run_marked(a.v, &c, SHORT_TIMEOUT, &r);
	print_message("%-40s exit %d, %s", what, r.exited ? r.exit_code : -r.term_signal,
		      strstr(r.err, "error: ") ? strstr(r.err, "error: ") : "recorded\n");
	if (!r.exited || r.timed_out || (r.exit_code != 0 && r.exit_code != 1)) {
		h_show(what, &r);
		fail_msg("%s: pprobe crashed, hung or exited other than 0 or 1", what);
	}
	/* Whatever says it ran out of descriptors says how to get more. */
	for (const char *line = r.err; *line; ) {
		size_t len = strcspn(line, "\n");

		if ((memmem(line, len, "open files", 10) || memmem(line, len, "file descriptor", 15)) &&
		    !memmem(line, len, "ulimit -n", 9)) {
			h_show(what, &r);
			fail_msg("%s: out of descriptors without saying 'ulimit -n': %.*s",
				 what, (int)len, line);
		}
		line += len + (line[len] == '\n');
	}
	if (r.exit_code == 1) {
		assert_one_error(what, &r, "Too many open files");
		if (h_file_exists(data))
			fail_msg("%s: a file was left, though the command never ran", what);
	} else {
		assert_run_end(data, REC_EXIT_NORMAL, 0);
	}
	if (hard > 1024 && r.exit_code != 0)
		fail_msg("%s: pprobe did not raise its soft limit to the hard one", what);
	h_result_release(&r);
	assert_none_left(what);
	free(data);
}

static void test_fd_limits(void **state)
{
	static const char *const forkmany[] = { "200", NULL };
	static const char *const threads[] = { "16", "20", NULL };
	static const long limits[] = { 8, 12, 16, 20, 24, 32, 64 };

	(void)state;
	if (!timing_checked())
		H_SKIP("valgrind needs file descriptors of its own: no low 'ulimit -n' under it");
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		check_fd_limit(limits[i], limits[i], "forkmany", forkmany);
		check_fd_limit(limits[i], limits[i], "threads", threads);
	}
	check_fd_limit(8, 4096, "forkmany", forkmany);
}

int main(void)
{
	const char *refused = h_perf_refused();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kill9_cut_at_last_flush, cleanup),
		cmocka_unit_test_teardown(test_disk_full, cleanup),
		cmocka_unit_test_teardown(test_ignore_term_duration, cleanup),
		cmocka_unit_test_teardown(test_ignore_term_second_signal, cleanup),
		cmocka_unit_test_teardown(test_thousand_orphans, cleanup),
		cmocka_unit_test_teardown(test_orphans_ignoring_signals, cleanup),
		cmocka_unit_test_teardown(test_daemon_stopped_by_signal, cleanup),
		cmocka_unit_test_teardown(test_output_unwritable, cleanup),
		cmocka_unit_test_teardown(test_output_not_permitted, cleanup),
		cmocka_unit_test_teardown(test_report_bad_inputs, cleanup),
		cmocka_unit_test_teardown(test_fd_limits, cleanup),
	};

	if (refused) {
		printf("skipped: every end-to-end test: %s\n", refused);
		return H_EXIT_SKIPPED;
	}
	return cmocka_run_group_tests_name("e2e faults", tests, NULL, NULL);
}

/*
 * test_collector.c - unit tests of the collector's parts: holding a command
 * on a pipe (workload.c) and counting it (counters.c), on real processes.
 *
 * It also checks attaching to running processes (attach.c and
 * counter_set_attach()).
 *
 * The counting tests use only software events in user mode, so they run
 * unprivileged and without a hardware PMU; the hardware group's "not
 * supported" path is checked where the machine has no PMU, and skipped
 * (with the reason) where it has one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "cgroup.h"
#include "counters.h"
#include "cpumap.h"
#include "event.h"
#include "usage.h"
#include "workload.h"

static int wait_status(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(workload_exec_exit_code(ENOENT), EXIT_NOT_FOUND);
	assert_int_equal(workload_exec_exit_code(ENOTDIR), EXIT_NOT_FOUND);
	assert_int_equal(workload_exec_exit_code(EACCES), EXIT_CANNOT_EXEC);
	assert_int_equal(workload_exec_exit_code(ENOEXEC), EXIT_CANNOT_EXEC);

	assert_int_equal(workload_exit_code(0), 0);
	assert_int_equal(workload_exit_code(3 << 8), 3);
	assert_int_equal(workload_exit_code(SIGKILL), 128 + SIGKILL);
	assert_int_equal(workload_exit_code(SIGTERM), 128 + SIGTERM);
}

static void test_start_runs_command(void **state)
{
	const char *argv[] = { "sh", "-c", "exit 7", NULL };
	struct workload_options opts = { .argv = argv };
	struct workload w;

	(void)state;
	assert_int_equal(workload_prepare(&w, &opts), 0);
	assert_true(w.pid > 0);
	assert_int_equal(workload_start(&w), 0);
	assert_int_equal(workload_exit_code(wait_status(w.pid)), 7);
	workload_release(&w);
}

static void test_start_reports_exec_error(void **state)
{
	char path[] = "/tmp/pprobe-test-noexec-XXXXXX";
	int fd = mkstemp(path); /* mode 0600: not executable, even by root */
	const char *missing[] = { "/nonexistent/pprobe-test", NULL };
	const char *not_exec[] = { path, NULL };
	struct workload_options opts = { .argv = missing };
	struct workload w;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(workload_prepare(&w, &opts), 0);
	assert_int_equal(workload_start(&w), ENOENT);
	assert_int_equal(w.pid, -1); /* reaped */
	workload_release(&w);

	opts.argv = not_exec;
	assert_int_equal(workload_prepare(&w, &opts), 0);
	assert_int_equal(workload_start(&w), EACCES);
	workload_release(&w);
	unlink(path);
}

static void test_cancel_never_runs(void **state)
{
	/* If the command ran, it would create this file. */
	char path[] = "/tmp/pprobe-test-cancel-XXXXXX";
	int fd = mkstemp(path);
	const char *argv[] = { "rm", "-f", path, NULL };
	struct workload_options opts = { .argv = argv };
	struct workload w;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(workload_prepare(&w, &opts), 0);
	workload_cancel(&w);
	assert_int_equal(w.pid, -1);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
}

/*
 * The command starts with the signal state pprobe was given, not the one
 * pprobe set up for itself: here pprobe blocks and ignores SIGTERM, the
 * caller had neither, so the command dies of its own SIGTERM.
 */
static void test_signals_restored_in_child(void **state)
{
	const char *argv[] = { "sh", "-c", "kill -TERM $$; exit 0", NULL };
	int restore[] = { SIGTERM };
	struct sigaction caller_act[1];
	sigset_t set, caller_mask;
	struct workload_options opts = {
		.argv = argv, .mask = &caller_mask, .restore_signals = restore,
		.restore_actions = caller_act, .nr_restore = 1,
	};
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct workload w;
	int status;

	(void)state;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &caller_mask);
	sigaction(SIGTERM, &ign, &caller_act[0]);

	assert_int_equal(workload_prepare(&w, &opts), 0);
	assert_int_equal(workload_start(&w), 0);
	status = wait_status(w.pid);
	workload_release(&w);

	sigaction(SIGTERM, &caller_act[0], NULL);
	sigprocmask(SIG_SETMASK, &caller_mask, NULL);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
}

/* Under nohup the caller ignores SIGHUP: the command must keep that. */
static void test_caller_ignore_kept(void **state)
{
	const char *argv[] = { "sh", "-c", "kill -HUP $$; exit 4", NULL };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct workload_options opts = { .argv = argv };
	struct workload w;
	int status;

	(void)state;
	sigaction(SIGHUP, &ign, &old);
	assert_int_equal(workload_prepare(&w, &opts), 0);
	assert_int_equal(workload_start(&w), 0);
	status = wait_status(w.pid);
	workload_release(&w);
	sigaction(SIGHUP, &old, NULL);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 4);
}

static void parse_events(struct event_list *list, const char *spec)
{
	char err[256];

	event_list_init(list);
	if (event_list_parse(list, spec, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static const struct rec_count *find_count(const struct rec_count *v, int n,
					  uint32_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i].event_id == id)
			return &v[i];
	return NULL;
}

/*
 * A held child forks a grandchild that burns CPU and faults in memory: the
 * counters, opened before exec on the child only, must see the grandchild.
 */
static void test_counts_whole_tree(void **state)
{
	const char *argv[] = { "sh", "-c",
		"(i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done) & wait", NULL };
	struct workload_options opts = { .argv = argv };
	struct event_list events;
	struct counter_set set;
	struct rec_count values[4], before[4];
	const struct rec_count *clock;
	struct workload w;
	int n;

	(void)state;
	/* :u keeps this test independent of perf_event_paranoid. */
	parse_events(&events, "task-clock:u,page-faults:u");
	assert_int_equal(counter_set_init(&set, &events), 0);
	assert_int_equal(workload_prepare(&w, &opts), 0);
	assert_int_equal(counter_set_open(&set, w.pid), 2);
	assert_int_equal(counter_set_opened(&set), 2);

	/* Held: nothing counted before exec. */
	n = counter_set_read(&set, before);
	assert_int_equal(n, 2);
	assert_int_equal(before[0].value, 0);
	assert_int_equal(before[0].running_ns, 0);

	assert_int_equal(workload_start(&w), 0);
	assert_int_equal(workload_exit_code(wait_status(w.pid)), 0);
	n = counter_set_read(&set, values);
	assert_int_equal(n, 2);
	clock = find_count(values, n, 0);
	assert_non_null(clock);
	/* 20000 shell iterations take well over 5 ms of CPU. */
	assert_true(clock->value > 5000000);
	assert_true(clock->running_ns > 0);
	assert_true(clock->enabled_ns >= clock->running_ns);
	assert_true(find_count(values, n, 1)->value > 10); /* perf stat says ~95 */

	workload_release(&w);
	counter_set_release(&set);
	event_list_release(&events);
}

static int machine_has_pmu(void)
{
	return access("/sys/bus/event_source/devices/cpu", F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/cpu_core", F_OK) == 0;
}

/* Without a PMU the hardware group fails alone; the software one counts. */
static void test_hardware_not_supported(void **state)
{
	const char *argv[] = { "true", NULL };
	struct workload_options opts = { .argv = argv };
	struct event_list events;
	struct counter_set set;
	struct workload w;
	char buf[256];

	(void)state;
	if (machine_has_pmu()) {
		print_message("skipped: this machine has a hardware PMU, so cycles can be opened\n");
		skip();
	}
	parse_events(&events, "task-clock:u,cycles:u,instructions:u");
	assert_int_equal(counter_set_init(&set, &events), 0);
	assert_int_equal(workload_prepare(&w, &opts), 0);
	assert_int_equal(counter_set_open(&set, w.pid), 1);
	assert_int_equal(set.v[0].status, REC_EVENT_OPENED);
	assert_int_equal(set.v[1].status, REC_EVENT_NOT_SUPPORTED);
	assert_int_equal(set.v[2].status, REC_EVENT_NOT_SUPPORTED);
	assert_int_equal(set.v[1].group, COUNTER_GROUP_HARDWARE);
	assert_non_null(strstr(counter_open_strerror(&set.v[1], buf, sizeof(buf)),
			       "no hardware PMU"));
	workload_cancel(&w);
	counter_set_release(&set);
	event_list_release(&events);
}

static void test_empty_set(void **state)
{
	struct event_list events;
	struct counter_set set;
	struct rec_count v[1];

	(void)state;
	event_list_init(&events);
	assert_int_equal(counter_set_init(&set, &events), 0);
	assert_int_equal(counter_set_open(&set, getpid()), 0);
	assert_int_equal(counter_set_read(&set, v), 0);
	counter_set_release(&set);
	event_list_release(&events);
}

/* A child that burns CPU until killed: a task to attach to. */
static pid_t spin_child(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(30); /* never outlive a failed test */
		for (volatile unsigned long i = 0;; i++)
			;
	}
	return pid;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Two running processes attached one by one: each is counted from the
 * attach, and a read sums both, enabled and running times included, as
 * perf sums the threads of -p. A task gone before its turn is skipped.
 */
static void test_attach_sums_targets(void **state)
{
	struct event_list events;
	struct counter_set set;
	struct rec_count one[2], two[2];
	pid_t a = spin_child(), b = spin_child(), gone;

	(void)state;
	gone = fork();
	assert_true(gone >= 0);
	if (gone == 0)
		_exit(0);
	wait_status(gone);

	parse_events(&events, "task-clock:u,context-switches:u");
	assert_int_equal(counter_set_init(&set, &events), 0);
	/* The first task gone: nothing opened, the next is the first. */
	assert_int_equal(counter_set_attach(&set, gone), 0);
	assert_int_equal(set.nr_targets, 0);
	assert_int_equal(counter_set_attach(&set, a), 2);
	assert_int_equal(set.v[0].status, REC_EVENT_OPENED);
	assert_int_equal(counter_set_read(&set, one), 2);
	assert_int_equal(counter_set_attach(&set, gone), 0);
	assert_int_equal(counter_set_attach(&set, b), 1);
	assert_int_equal(set.nr_targets, 2);
	sleep_ms(100);
	assert_int_equal(counter_set_read(&set, two), 2);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	wait_status(a);
	wait_status(b);

	/* Counting at once, not from an exec: both spin for ~100 ms. */
	assert_int_equal(two[0].event_id, 0);
	assert_true(two[0].value > one[0].value);
	/* Two targets on two CPUs at best, on one at worst (the other
	 * core may be busy): at least 100 ms and 20 ms of either. */
	assert_true(two[0].value >= 20000000);
	/* A task's event is enabled while its task runs: the sum of both. */
	assert_true(two[0].enabled_ns >= 20000000);
	assert_true(two[0].running_ns <= two[0].enabled_ns);

	/* Ended tasks still read: their final counts. */
	assert_int_equal(counter_set_read(&set, one), 2);
	assert_true(one[0].value >= two[0].value);
	counter_set_release(&set);
	event_list_release(&events);
}

static void test_attach_parse_pids(void **state)
{
	static const char *const bad[] = {
		"", ",", "1,", ",1", "x", "1x", "0", "-3", "+3", " 3",
		"99999999999", "1,,2",
	};
	struct attach a = { 0 };
	char err[128];

	(void)state;
	assert_int_equal(attach_parse_pids(&a, "12,7,12,3", err, sizeof(err)), 0);
	assert_int_equal(a.nr, 3); /* the repeat is dropped */
	assert_int_equal(a.pids[0], 12);
	assert_int_equal(a.pids[1], 7);
	assert_int_equal(a.pids[2], 3);
	attach_release(&a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(attach_parse_pids(&a, bad[i], err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "is not a process id"));
		attach_release(&a);
	}
}

static void test_attach_check_pids(void **state)
{
	struct attach a = { 0 };
	char err[128], spec[32];
	pid_t gone = fork();

	(void)state;
	assert_true(gone >= 0);
	if (gone == 0)
		_exit(0);
	wait_status(gone);
	snprintf(spec, sizeof(spec), "%d", (int)getpid());
	assert_int_equal(attach_parse_pids(&a, spec, err, sizeof(err)), 0);
	assert_int_equal(attach_check_pids(&a, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "pprobe itself"));
	attach_release(&a);

	snprintf(spec, sizeof(spec), "1,%d", (int)gone);
	assert_int_equal(attach_parse_pids(&a, spec, err, sizeof(err)), 0);
	assert_int_equal(attach_check_pids(&a, err, sizeof(err)), -ESRCH);
	assert_non_null(strstr(err, "no process with pid"));
	attach_release(&a);
}

/* pidfds say when a process that is not pprobe's child has exited. */
static void test_attach_pidfds(void **state)
{
	struct attach a = { 0 };
	char err[128], spec[32];
	pid_t pid = spin_child();

	(void)state;
	snprintf(spec, sizeof(spec), "%d", (int)pid);
	assert_int_equal(attach_parse_pids(&a, spec, err, sizeof(err)), 0);
	assert_int_equal(attach_open_pidfds(&a), 0);
	assert_int_equal(a.live, 1);
	assert_int_equal(attach_add_task(&a, pid, pid), 0);
	assert_int_equal(a.nr_tasks, 1);
	assert_int_equal(a.tasks[0].ppid, getpid());
	kill(pid, SIGKILL);
	wait_status(pid);
	/* Gone: not kept. */
	assert_int_equal(attach_add_task(&a, pid, pid), 0);
	assert_int_equal(a.nr_tasks, 1);
	assert_int_equal(attach_exited(&a, 0), 0);
	assert_int_equal(attach_exited(&a, 0), 0); /* twice is harmless */
	attach_release(&a);
}

static void test_cpumap_parse(void **state)
{
	static const struct {
		const char *s;
		int nr;
		uint32_t first, last;
	} ok[] = {
		{ "0", 1, 0, 0 }, { "0-3", 4, 0, 3 }, { "0-1,4,6-7\n", 5, 0, 7 },
		{ "5,2", 2, 5, 2 }, { "8191", 1, 8191, 8191 },
	};
	static const char *const bad[] = {
		"", "\n", "-1", "3-1", "1,", ",1", "1,,2", "a", "1-", "0-3,2",
		"8192", "1 2", "99999999999999999999",
	};
	uint32_t *cpus;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(cpumap_parse(ok[i].s, &cpus), ok[i].nr);
		assert_int_equal(cpus[0], ok[i].first);
		assert_int_equal(cpus[ok[i].nr - 1], ok[i].last);
		free(cpus);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cpumap_parse(bad[i], &cpus), -EINVAL);
	assert_true(cpumap_online(&cpus) >= 1);
	free(cpus);
}

/*
 * Counting a cgroup per CPU: a process moved into it is counted from
 * counter_set_enable() on, and only it (pprobe's own work, outside, is
 * not), whatever runs where. Needs root: skipped with the reason else.
 */
static void test_cgroup_counting(void **state)
{
	static const char *const controllers[] = { "perf_event", NULL };
	struct cgroup_options opts = { .controllers = controllers, .name_hint = "pprobe-test" };
	struct cgroup cg = CGROUP_INIT;
	struct event_list events;
	struct counter_set set;
	struct rec_count v[2];
	char why[512] = "";
	uint32_t *cpus;
	int cpu_ints[64], nr, fd, n;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: not root: a cgroup and CPU-wide events need root\n");
		skip();
	}
	if (cgroup_create(&cg, &opts, why, sizeof(why)) < 0) {
		print_message("skipped: no perf_event cgroup here: %s\n", why);
		skip();
	}
	nr = cpumap_online(&cpus);
	assert_true(nr >= 1 && nr <= 64);
	for (int i = 0; i < nr; i++)
		cpu_ints[i] = (int)cpus[i];
	free(cpus);
	fd = open(cgroup_path(&cg, "perf_event"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	parse_events(&events, "task-clock,context-switches");
	assert_int_equal(counter_set_init(&set, &events), 0);
	n = counter_set_open_cgroup(&set, fd, cpu_ints, (size_t)nr);
	close(fd);
	assert_int_equal(n, 2);
	assert_true(set.by_cgroup);
	assert_int_equal(set.nr_targets, (size_t)nr);

	pid = spin_child();
	assert_int_equal(cgroup_attach(&cg, pid, why, sizeof(why)), 0);
	/* Disabled until enabled. */
	sleep_ms(20);
	assert_int_equal(counter_set_read(&set, v), 2);
	assert_int_equal(v[0].value, 0);
	assert_int_equal(counter_set_enable(&set), 0);
	sleep_ms(100);
	kill(pid, SIGKILL);
	wait_status(pid);
	assert_int_equal(counter_set_read(&set, v), 2);
	/* ~100 ms of one spinning process, shared at worst with the other
	 * core's load; not the 100 ms x CPUs a CPU-wide event would see. */
	assert_true(v[0].value >= 20000000);
	assert_true(v[0].value <= 200000000);

	counter_set_close(&set);
	assert_int_equal(set.nr_targets, 0);
	assert_int_equal(set.v[0].status, REC_EVENT_FAILED);
	assert_int_equal(cgroup_destroy(&cg, why, sizeof(why)), 0);
	counter_set_release(&set);
	event_list_release(&events);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_start_runs_command),
		cmocka_unit_test(test_start_reports_exec_error),
		cmocka_unit_test(test_cancel_never_runs),
		cmocka_unit_test(test_signals_restored_in_child),
		cmocka_unit_test(test_caller_ignore_kept),
		cmocka_unit_test(test_counts_whole_tree),
		cmocka_unit_test(test_hardware_not_supported),
		cmocka_unit_test(test_empty_set),
		cmocka_unit_test(test_attach_sums_targets),
		cmocka_unit_test(test_attach_parse_pids),
		cmocka_unit_test(test_attach_check_pids),
		cmocka_unit_test(test_attach_pidfds),
		cmocka_unit_test(test_cpumap_parse),
		cmocka_unit_test(test_cgroup_counting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

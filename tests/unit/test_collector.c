/*
 * test_collector.c - unit tests of the collector's parts: holding a command
 * on a pipe (workload.c) and counting it (counters.c), on real processes.
 *
 * It also checks attaching to running processes (attach.c and
 * counter_set_attach()).
 *
 * The counting tests use only software events in user mode, so they run
 * unprivileged and without a hardware PMU; the hardware events' "not
 * supported" path is checked where the machine has no PMU, and skipped
 * (with the reason) where it has one. The grouping is checked against the
 * kernel itself: a group read through any member's fd returns the whole
 * group (perf_read_group() reads the member's leader).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "cgroup.h"
#include "counters.h"
#include "cpumap.h"
#include "event.h"
#include "load.h"
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
	       access("/sys/bus/event_source/devices/cpu_core", F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/armv8_pmuv3_0", F_OK) == 0;
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
	/* A group each, neither of them the software one. */
	assert_int_not_equal(set.v[1].group, COUNTER_GROUP_SOFTWARE);
	assert_int_not_equal(set.v[2].group, COUNTER_GROUP_SOFTWARE);
	assert_int_not_equal(set.v[1].group, set.v[2].group);
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

/*
 * Reads the perf group fd belongs to, through fd: returns how many events
 * the kernel has in it, and checks that each of ids (nr_ids of them) is
 * one of them.
 */
static uint64_t kernel_group_size(int fd, const uint64_t *ids, size_t nr_ids)
{
	uint64_t buf[3 + 2 * 16];
	ssize_t n = read(fd, buf, sizeof(buf));

	assert_true(n >= (ssize_t)(3 * sizeof(buf[0])));
	assert_true(buf[0] <= 16);
	for (size_t k = 0; k < nr_ids; k++) {
		int found = 0;

		for (uint64_t m = 0; m < buf[0]; m++)
			found |= buf[4 + 2 * m] == ids[k];
		if (!found)
			fail_msg("event id %llu is not in the group of fd %d",
				 (unsigned long long)ids[k], fd);
	}
	return buf[0];
}

/*
 * Software events share one group whatever comes between them; each
 * hardware event has a group of its own, opened or not, and one that
 * fails (no PMU here) leaves the software group whole.
 */
static void test_groups(void **state)
{
	const char *argv[] = { "sh", "-c", "exit 0", NULL };
	struct workload_options opts = { .argv = argv };
	static const size_t sw[] = { 0, 2, 4 }, hw[] = { 1, 3 };
	struct event_list events;
	struct counter_set set;
	const struct counter_target *t;
	struct rec_count values[5];
	const struct rec_count *clock;
	uint64_t sw_ids[3];
	struct workload w;
	int opened, hw_opened = 0, n;

	(void)state;
	parse_events(&events, "task-clock:u,cycles:u,context-switches:u,instructions:u,page-faults:u");
	assert_int_equal(counter_set_init(&set, &events), 0);
	/* Settled from the list alone: the same on any machine. */
	assert_int_equal(set.nr_groups, 3);
	for (size_t k = 0; k < 3; k++)
		assert_int_equal(set.v[sw[k]].group, COUNTER_GROUP_SOFTWARE);
	assert_int_equal(set.v[hw[0]].group, 1);
	assert_int_equal(set.v[hw[1]].group, 2);

	assert_int_equal(workload_prepare(&w, &opts), 0);
	opened = counter_set_open(&set, w.pid);
	t = &set.targets[0];
	/* One leader, the first software event, and the kernel agrees. */
	assert_int_equal(t->groups[COUNTER_GROUP_SOFTWARE].leader, t->fd[0]);
	assert_int_equal(t->groups[COUNTER_GROUP_SOFTWARE].members, 3);
	for (size_t k = 0; k < 3; k++) {
		assert_int_equal(set.v[sw[k]].status, REC_EVENT_OPENED);
		sw_ids[k] = t->kernel_id[sw[k]];
	}
	for (size_t k = 0; k < 3; k++)
		assert_int_equal(kernel_group_size(t->fd[sw[k]], sw_ids, 3), 3);
	for (size_t k = 0; k < 2; k++) {
		const struct counter *c = &set.v[hw[k]];
		const struct counter_group *g = &t->groups[c->group];

		if (c->status == REC_EVENT_OPENED) {
			hw_opened++;
			assert_int_equal(g->leader, t->fd[hw[k]]);
			assert_int_equal(g->members, 1);
			assert_int_equal(kernel_group_size(g->leader,
							   &t->kernel_id[hw[k]], 1), 1);
		} else {
			assert_int_equal(c->status, REC_EVENT_NOT_SUPPORTED);
			assert_int_equal(c->error, ENOENT);
			assert_int_equal(g->leader, -1);
			assert_int_equal(g->members, 0);
			assert_int_equal(t->fd[hw[k]], -1);
		}
	}
	assert_int_equal(opened, 3 + hw_opened);
	if (!machine_has_pmu())
		assert_int_equal(hw_opened, 0);

	assert_int_equal(workload_start(&w), 0);
	assert_int_equal(workload_exit_code(wait_status(w.pid)), 0);
	n = counter_set_read(&set, values);
	assert_int_equal(n, opened);
	clock = find_count(values, n, 0);
	assert_non_null(clock);
	assert_true(clock->value > 0);
	/* Software counters are never multiplexed. */
	assert_true(clock->running_ns > 0);
	assert_true(clock->running_ns == clock->enabled_ns);
	assert_true(find_count(values, n, 4)->value > 10);
	workload_release(&w);
	counter_set_release(&set);
	event_list_release(&events);
}

/*
 * More hardware events than the PMU has counters, on a task that spins:
 * each alone in its group, the kernel rotates them, and each reads its
 * own enabled and running times, running short of enabled (all in one
 * group, they would never be scheduled: running 0). Needs a PMU: skipped
 * with the reason else.
 */
static void test_hardware_multiplexed(void **state)
{
	struct event_list events;
	struct counter_set set;
	struct rec_count values[19];
	int opened, n, scaled = 0;
	pid_t pid;

	(void)state;
	if (!machine_has_pmu()) {
		print_message("skipped: no hardware PMU (no /sys/bus/event_source/devices/cpu, cpu_core or armv8_pmuv3_0): nothing to multiplex\n");
		skip();
	}
	parse_events(&events, "task-clock:u,"
		     "cycles:u,instructions:u,branches:u,branch-misses:u,cache-references:u,cache-misses:u,"
		     "cycles,instructions,branches,branch-misses,cache-references,cache-misses,"
		     "cycles:k,instructions:k,branches:k,branch-misses:k,cache-references:k,cache-misses:k");
	assert_int_equal(counter_set_init(&set, &events), 0);
	assert_int_equal(set.nr_groups, 19);
	pid = spin_child();
	opened = counter_set_attach(&set, pid);
	assert_true(opened >= 1);
	sleep_ms(200);
	n = counter_set_read(&set, values);
	kill(pid, SIGKILL);
	wait_status(pid);
	assert_int_equal(n, opened);
	for (int i = 0; i < n; i++) {
		const struct counter *c = &set.v[values[i].event_id];

		print_message("  %-20s %12llu  running %llu of %llu ns\n", c->spec->name,
			      (unsigned long long)values[i].value,
			      (unsigned long long)values[i].running_ns,
			      (unsigned long long)values[i].enabled_ns);
		assert_true(values[i].running_ns <= values[i].enabled_ns);
		if (c->group == COUNTER_GROUP_SOFTWARE)
			assert_true(values[i].running_ns == values[i].enabled_ns);
		else
			scaled += values[i].running_ns < values[i].enabled_ns;
	}
	if (opened < 13) {
		counter_set_release(&set);
		event_list_release(&events);
		print_message("skipped: only %d hardware events opened: too few to be sure they outnumber the counters\n",
			      opened - 1);
		skip();
	}
	/* Every one of them took turns. */
	assert_int_equal(scaled, opened - 1);
	counter_set_release(&set);
	event_list_release(&events);
}

/*
 * A filter on a software event: the kernel takes filters for tracepoints
 * (and address filters for some PMUs) only, and says EINVAL. The event is
 * failed and closed; the others count, in a group the next event leads.
 */
static void test_filter_refused(void **state)
{
	const char *argv[] = { "sh", "-c", "exit 0", NULL };
	struct workload_options opts = { .argv = argv };
	struct event_list events;
	struct counter_set set;
	const struct counter_target *t;
	struct rec_count values[3];
	struct workload w;
	char buf[256];
	pid_t pid;

	(void)state;
	parse_events(&events, "task-clock:u,context-switches:u,page-faults:u");
	snprintf(events.v[0].filter, sizeof(events.v[0].filter), "common_pid != 0");
	assert_int_equal(counter_set_init(&set, &events), 0);
	assert_int_equal(workload_prepare(&w, &opts), 0);
	assert_int_equal(counter_set_open(&set, w.pid), 2);
	assert_int_equal(set.v[0].status, REC_EVENT_FAILED);
	assert_int_equal(set.v[0].error, EINVAL);
	assert_string_equal(counter_open_strerror(&set.v[0], buf, sizeof(buf)),
			    "filter refused (Invalid argument)");
	assert_int_equal(set.v[1].status, REC_EVENT_OPENED);
	assert_int_equal(set.v[2].status, REC_EVENT_OPENED);
	t = &set.targets[0];
	assert_int_equal(t->fd[0], -1);
	assert_int_equal(t->groups[COUNTER_GROUP_SOFTWARE].leader, t->fd[1]);
	assert_int_equal(t->groups[COUNTER_GROUP_SOFTWARE].members, 2);
	assert_int_equal(workload_start(&w), 0);
	assert_int_equal(workload_exit_code(wait_status(w.pid)), 0);
	assert_int_equal(counter_set_read(&set, values), 2);
	assert_int_equal(values[1].event_id, 2);
	assert_true(values[1].value > 10);
	workload_release(&w);
	counter_set_release(&set);

	/* Attaching: the same, for a member, which opens disabled until
	 * its filter is set (and never is enabled here). */
	events.v[0].filter[0] = '\0';
	snprintf(events.v[1].filter, sizeof(events.v[1].filter), "common_pid != 0");
	assert_int_equal(counter_set_init(&set, &events), 0);
	pid = spin_child();
	assert_int_equal(counter_set_attach(&set, pid), 2);
	assert_int_equal(set.v[1].status, REC_EVENT_FAILED);
	assert_int_equal(set.v[1].error, EINVAL);
	assert_int_equal(set.targets[0].groups[COUNTER_GROUP_SOFTWARE].members, 2);
	sleep_ms(50);
	assert_int_equal(counter_set_read(&set, values), 2);
	kill(pid, SIGKILL);
	wait_status(pid);
	assert_int_equal(values[0].event_id, 0);
	assert_true(values[0].value > 0);
	counter_set_release(&set);
	event_list_release(&events);
}

/* The tracefs id of a tracepoint, or -1 with why set. */
static long tracepoint_id(const char *name, char *why, size_t len)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[256];

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		FILE *f;
		long id;

		snprintf(path, sizeof(path), "%s/events/%s/id", roots[i], name);
		f = fopen(path, "re");
		if (!f) {
			snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
			continue;
		}
		if (fscanf(f, "%ld", &id) != 1)
			id = -1;
		fclose(f);
		if (id >= 0)
			return id;
		snprintf(why, len, "no id in %s", path);
	}
	return -1;
}

static struct event_spec tracepoint_spec(const char *name, long id,
					 const char *filter)
{
	struct event_spec e = { .kind = EVENT_TRACEPOINT, .unit = "" };

	snprintf(e.name, sizeof(e.name), "%s", name);
	snprintf(e.filter, sizeof(e.filter), "%s", filter);
	e.attr.size = sizeof(e.attr);
	e.attr.type = PERF_TYPE_TRACEPOINT;
	e.attr.config = (uint64_t)id;
	return e;
}

/*
 * Tracepoints count in the software group, filtered by the kernel, in
 * every process of the tree (an inherited copy uses its parent's filter).
 * Made by hand from tracefs, so it needs that readable (root): skipped
 * with the reason else. Where kernel-side counting is refused they are
 * "not permitted", never opened user-only (they would count 0).
 */
static void test_tracepoint_filtered(void **state)
{
	const char *argv[] = { "sh", "-c", "/bin/true; /bin/true; /bin/true; exit 0", NULL };
	struct workload_options opts = { .argv = argv };
	struct event_spec specs[4];
	struct event_list events = { .v = specs, .nr = 4, .alloc = 4 };
	struct counter_set set;
	struct rec_count values[4];
	struct workload w;
	char why[300];
	long id = tracepoint_id("sched/sched_process_fork", why, sizeof(why));
	int n;

	(void)state;
	if (id < 0) {
		print_message("skipped: no tracepoint id: %s\n", why);
		skip();
	}
	memset(&specs[0], 0, sizeof(specs[0]));
	snprintf(specs[0].name, sizeof(specs[0].name), "task-clock");
	specs[0].kind = EVENT_SOFTWARE;
	specs[0].unit = "ns";
	specs[0].attr.size = sizeof(specs[0].attr);
	specs[0].attr.type = PERF_TYPE_SOFTWARE;
	specs[0].attr.config = PERF_COUNT_SW_TASK_CLOCK;
	specs[1] = tracepoint_spec("sched:sched_process_fork", id, "");
	specs[2] = tracepoint_spec("sched:sched_process_fork", id, "child_pid == 0");
	specs[3] = tracepoint_spec("sched:sched_process_fork", id, "no_such_field == 1");

	assert_int_equal(counter_set_init(&set, &events), 0);
	assert_int_equal(set.nr_groups, 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(set.v[i].group, COUNTER_GROUP_SOFTWARE);
	assert_int_equal(workload_prepare(&w, &opts), 0);
	n = counter_set_open(&set, w.pid);
	if (set.v[1].status == REC_EVENT_NOT_PERMITTED) {
		/* task-clock fell back to user mode, the tracepoints not. */
		assert_int_equal(set.v[1].error, EACCES);
		assert_int_equal(set.v[2].status, REC_EVENT_NOT_PERMITTED);
		assert_false(set.v[1].flags & REC_EVENT_F_USER_FALLBACK);
		assert_int_equal(n, 1);
		workload_cancel(&w);
		counter_set_release(&set);
		print_message("skipped: kernel-side counting refused: tracepoints are not permitted (checked), and cannot be counted\n");
		skip();
	}
	assert_int_equal(n, 3);
	assert_int_equal(set.v[3].status, REC_EVENT_FAILED);
	assert_int_equal(set.v[3].error, EINVAL);
	assert_int_equal(set.targets[0].groups[0].members, 3);
	assert_int_equal(kernel_group_size(set.targets[0].fd[2],
					   set.targets[0].kernel_id, 3), 3);
	assert_int_equal(workload_start(&w), 0);
	assert_int_equal(workload_exit_code(wait_status(w.pid)), 0);
	assert_int_equal(counter_set_read(&set, values), 3);
	print_message("sched_process_fork: %llu unfiltered, %llu with child_pid == 0\n",
		      (unsigned long long)values[1].value,
		      (unsigned long long)values[2].value);
	/* sh forks for each /bin/true, the last one perhaps excepted. */
	assert_true(values[1].value >= 2);
	assert_int_equal(values[2].value, 0);
	assert_true(values[2].running_ns > 0);
	workload_release(&w);
	counter_set_release(&set);
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

/* Whether process pid's main thread has exited: "Z" in its stat. */
static int main_thread_gone(pid_t pid)
{
	char path[64], buf[512], *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] == 'Z';
}

static void *sleeping_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* A child whose main thread has exited while another thread sleeps on. */
static pid_t headless_child(void)
{
	pid_t pid = fork();
	pthread_t th;

	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(30); /* never outlive a failed test */
		if (pthread_create(&th, NULL, sleeping_thread, NULL))
			_exit(1);
		pthread_exit(NULL);
	}
	return pid;
}

/*
 * Without pidfd_open() (Linux < 5.3, valgrind 3.19) /proc says when a
 * target has exited: a zombie, not yet reaped, has; a zombie main thread
 * with a live thread has not; a pid that now names another process is not
 * the same target.
 */
static void test_attach_watch_proc(void **state)
{
	struct attach a = { 0 };
	char err[128], spec[32];
	pid_t pid = spin_child();

	(void)state;
	snprintf(spec, sizeof(spec), "%d", (int)pid);
	assert_int_equal(attach_parse_pids(&a, spec, err, sizeof(err)), 0);
	assert_int_equal(attach_watch_proc(&a), 0);
	assert_int_equal(a.pidfds[0], ATTACH_IN_PROC);
	assert_int_equal(attach_poll(&a), 1);
	assert_int_equal(attach_poll(&a), 1); /* still running */
	kill(pid, SIGKILL);
	for (int i = 0; i < 1000 && attach_poll(&a); i++)
		sleep_ms(1);
	assert_int_equal(a.live, 0); /* a zombie: it has exited */
	assert_int_equal(a.pidfds[0], -1);
	wait_status(pid);
	assert_int_equal(attach_poll(&a), 0);
	assert_int_equal(attach_exited(&a, 0), 0);

	/* The same pid with another start time: another process. */
	pid = spin_child();
	snprintf(spec, sizeof(spec), "%d", (int)pid);
	attach_release(&a);
	assert_int_equal(attach_parse_pids(&a, spec, err, sizeof(err)), 0);
	assert_int_equal(attach_watch_proc(&a), 0);
	a.start_ns[0]--;
	assert_int_equal(attach_poll(&a), 0);
	kill(pid, SIGKILL);
	wait_status(pid);
	attach_release(&a);

	/* Gone before the watch begins. */
	assert_int_equal(attach_parse_pids(&a, spec, err, sizeof(err)), 0);
	assert_int_equal(attach_watch_proc(&a), -ESRCH);
	attach_release(&a);

	/* Its main thread is a zombie, but the process runs on. */
	pid = headless_child();
	snprintf(spec, sizeof(spec), "%d", (int)pid);
	assert_int_equal(attach_parse_pids(&a, spec, err, sizeof(err)), 0);
	assert_int_equal(attach_watch_proc(&a), 0);
	for (int i = 0; i < 1000 && !main_thread_gone(pid); i++)
		sleep_ms(1);
	assert_true(main_thread_gone(pid));
	assert_int_equal(attach_poll(&a), 1);
	kill(pid, SIGKILL);
	wait_status(pid);
	assert_int_equal(attach_poll(&a), 0);
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

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static void test_cpumap_format(void **state)
{
	static const uint32_t list[] = { 0, 1, 2, 3, 5 };
	static const uint32_t unsorted[] = { 3, 0, 1, 2, 5, 2, 3 };
	static const uint32_t gaps[] = { 9, 8, 7, 5, 3, 2, 1, 0 };
	static const uint32_t single[] = { 7 };
	static const uint32_t pair[] = { 8191, 8190 };
	char buf[64];

	(void)state;
	assert_string_equal(cpumap_format(list, NR(list), buf, sizeof(buf)), "0-3,5");
	assert_string_equal(cpumap_format(unsorted, NR(unsorted), buf, sizeof(buf)), "0-3,5");
	assert_string_equal(cpumap_format(NULL, 0, buf, sizeof(buf)), "");
	assert_string_equal(cpumap_format(single, 1, buf, sizeof(buf)), "7");
	assert_string_equal(cpumap_format(pair, 2, buf, sizeof(buf)), "8190-8191");
	assert_string_equal(cpumap_format(gaps, NR(gaps), buf, sizeof(buf)), "0-3,5,7-9");
	/* Cut after the last CPU or range that leaves room for ",...". */
	assert_string_equal(cpumap_format(gaps, NR(gaps), buf, 10), "0-3,5,7-9");
	assert_string_equal(cpumap_format(gaps, NR(gaps), buf, 9), "0-3,...");
	assert_string_equal(cpumap_format(gaps, NR(gaps), buf, 8), "0-3,...");
	assert_string_equal(cpumap_format(gaps, NR(gaps), buf, 7), "...");
	assert_string_equal(cpumap_format(gaps, NR(gaps), buf, 4), "...");
	assert_string_equal(cpumap_format(gaps, NR(gaps), buf, 3), "..");
	assert_string_equal(cpumap_format(gaps, NR(gaps), buf, 1), "");
	/* No room at all: not even a terminating NUL is written. */
	buf[0] = 'x';
	assert_ptr_equal(cpumap_format(gaps, NR(gaps), buf, 0), buf);
	assert_int_equal(buf[0], 'x');
}

/*
 * The longest list there is, pairs with a gap between ("0-1,3-4,...")
 * up to CPUMAP_MAX_CPU, fits in CPUMAP_LIST_MAX and reads back whole.
 */
static void test_cpumap_format_longest(void **state)
{
	uint32_t *cpus = malloc((CPUMAP_MAX_CPU + 1) * sizeof(*cpus)), *back;
	char *buf = malloc(CPUMAP_LIST_MAX);
	size_t nr = 0;

	(void)state;
	assert_non_null(cpus);
	assert_non_null(buf);
	for (uint32_t c = 0; c <= CPUMAP_MAX_CPU; c++)
		if (c % 3 != 2)
			cpus[nr++] = c;
	cpumap_format(cpus, nr, buf, CPUMAP_LIST_MAX);
	assert_null(strstr(buf, "..."));
	assert_int_equal(strncmp(buf, "0-1,3-4,6-7,", 12), 0);
	assert_int_equal(cpumap_parse(buf, &back), (int)nr);
	assert_memory_equal(back, cpus, nr * sizeof(*cpus));
	free(back);
	free(buf);
	free(cpus);
}

static void test_cpumap_check_online(void **state)
{
	static const uint32_t online[] = { 0, 2, 3 };
	static const uint32_t present[] = { 0, 1, 2, 3 };
	static const uint32_t one[] = { 0 };
	static const uint32_t ok[] = { 3, 0, 2 };
	static const uint32_t offline[] = { 0, 1 };
	static const uint32_t missing[] = { 0, 7, 1 };
	static const uint32_t huge[] = { 8000 };
	uint32_t *real, *real_present;
	int nr_real, nr_present;
	char why[128] = "untouched", expect[128], list[64];

	(void)state;
	assert_int_equal(cpumap_check_against(ok, NR(ok), online, NR(online),
					      present, NR(present), why, sizeof(why)), 0);
	assert_string_equal(why, "untouched");
	assert_int_equal(cpumap_check_against(offline, NR(offline), online, NR(online),
					      present, NR(present), why, sizeof(why)), -ENODEV);
	assert_string_equal(why, "CPU 1 is offline: the online CPUs are 0,2-3");
	/* The first CPU that is not online is the one named. */
	assert_int_equal(cpumap_check_against(missing, NR(missing), online, NR(online),
					      present, NR(present), why, sizeof(why)), -ENODEV);
	assert_string_equal(why, "CPU 7 does not exist: this machine has CPUs 0-3");
	assert_int_equal(cpumap_check_against(offline, NR(offline), one, 1,
					      present, 2, why, sizeof(why)), -ENODEV);
	assert_string_equal(why, "CPU 1 is offline: the only online CPU is 0");
	assert_int_equal(cpumap_check_against(offline, NR(offline), one, 1,
					      one, 1, why, sizeof(why)), -ENODEV);
	assert_string_equal(why, "CPU 1 does not exist: this machine has only CPU 0");
	/* Without room for the reason, the answer still. */
	assert_int_equal(cpumap_check_against(offline, NR(offline), one, 1,
					      one, 1, NULL, 0), -ENODEV);
	assert_int_equal(cpumap_check_against(offline, NR(offline), one, 1,
					      one, 1, why, 12), -ENODEV);
	assert_string_equal(why, "CPU 1 does ");
	assert_int_equal(cpumap_check_against(NULL, 0, one, 1, one, 1, why,
					      sizeof(why)), 0);

	/* This machine: every online CPU is, CPU 8000 does not exist. */
	nr_real = cpumap_online(&real);
	assert_true(nr_real >= 1);
	assert_int_equal(cpumap_check_online(real, (size_t)nr_real, real, (size_t)nr_real,
					     why, sizeof(why)), 0);
	nr_present = cpumap_present(&real_present);
	assert_true(nr_present >= nr_real);
	if (real_present[nr_present - 1] < 8000) {
		cpumap_format(real_present, (size_t)nr_present, list, sizeof(list));
		snprintf(expect, sizeof(expect), "CPU 8000 does not exist: this machine has %s %s",
			 nr_present == 1 ? "only CPU" : "CPUs", list);
		assert_int_equal(cpumap_check_online(huge, 1, real, (size_t)nr_real,
						     why, sizeof(why)), -ENODEV);
		assert_string_equal(why, expect);
	}
	free(real_present);
	free(real);
}

static void test_cpumap_parse_counts(void **state)
{
	static const struct {
		const char *s;
		int nr;
		uint32_t counts[4];
	} ok[] = {
		{ "1,2,4", 3, { 1, 2, 4 } }, { "4,1", 2, { 1, 4 } },
		{ "1-4", 4, { 1, 2, 3, 4 } }, { "8,1-2\n", 3, { 1, 2, 8 } },
		{ "16", 1, { 16 } },
	};
	static const char *const bad[] = {
		"0", "", "2-1", "1,1", "0-3", "2,0", "1-2,2", "a", "1,", "-1",
	};
	uint32_t *counts;

	(void)state;
	for (size_t i = 0; i < NR(ok); i++) {
		assert_int_equal(cpumap_parse_counts(ok[i].s, &counts), ok[i].nr);
		assert_memory_equal(counts, ok[i].counts, (size_t)ok[i].nr * sizeof(*counts));
		free(counts);
	}
	for (size_t i = 0; i < NR(bad); i++)
		assert_int_equal(cpumap_parse_counts(bad[i], &counts), -EINVAL);
}

/* cpumap_spread() of n CPUs on t must give exactly expect[0..n). */
static void assert_spread(const struct cpumap_topo *t, size_t nr, size_t n,
			  const uint32_t *expect)
{
	uint32_t out[16];

	assert_true(n <= NR(out));
	assert_int_equal(cpumap_spread(t, nr, n, out), 0);
	assert_memory_equal(out, expect, n * sizeof(*out));
}

static void test_cpumap_spread(void **state)
{
	/* One package; CPUs 0 and 2 are core 0's threads, 1 and 3 core 1's. */
	static const struct cpumap_topo smt[] = {
		{ 0, 0, 0 }, { 1, 0, 1 }, { 2, 0, 0 }, { 3, 0, 1 },
	};
	/* The same machine listed in another order. */
	static const struct cpumap_topo smt_shuffled[] = {
		{ 3, 0, 1 }, { 2, 0, 0 }, { 0, 0, 0 }, { 1, 0, 1 },
	};
	/* Siblings numbered next to each other: 0/1 core 0, 2/3 core 1. */
	static const struct cpumap_topo adjacent[] = {
		{ 0, 0, 0 }, { 1, 0, 0 }, { 2, 0, 1 }, { 3, 0, 1 },
	};
	/*
	 * Two packages whose core ids repeat: package 0 has cores 0 (CPUs
	 * 0, 4) and 1 (1, 5), package 1 cores 0 (2, 6) and 1 (3, 7).
	 */
	static const struct cpumap_topo packages[] = {
		{ 0, 0, 0 }, { 1, 0, 1 }, { 2, 1, 0 }, { 3, 1, 1 },
		{ 4, 0, 0 }, { 5, 0, 1 }, { 6, 1, 0 }, { 7, 1, 1 },
	};
	/* Packages interleaved in the numbering: package 0 fills first. */
	static const struct cpumap_topo interleaved[] = {
		{ 0, 0, 0 }, { 1, 1, 0 }, { 2, 0, 1 }, { 3, 1, 1 },
	};
	static const uint32_t first[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	uint32_t out[8];

	(void)state;
	assert_spread(smt, 4, 1, (const uint32_t[]){ 0 });
	assert_spread(smt, 4, 2, (const uint32_t[]){ 0, 1 });
	assert_spread(smt, 4, 3, (const uint32_t[]){ 0, 1, 2 });
	assert_spread(smt, 4, 4, first);
	assert_spread(smt_shuffled, 4, 2, (const uint32_t[]){ 0, 1 });
	assert_spread(smt_shuffled, 4, 3, (const uint32_t[]){ 0, 1, 2 });
	assert_spread(adjacent, 4, 2, (const uint32_t[]){ 0, 2 });
	assert_spread(adjacent, 4, 3, (const uint32_t[]){ 0, 1, 2 });
	assert_spread(packages, 8, 2, (const uint32_t[]){ 0, 1 });
	assert_spread(packages, 8, 3, (const uint32_t[]){ 0, 1, 2 });
	assert_spread(packages, 8, 4, first);
	assert_spread(packages, 8, 5, first);
	assert_spread(packages, 8, 6, first);
	assert_spread(interleaved, 4, 2, (const uint32_t[]){ 0, 2 });
	assert_spread(interleaved, 4, 3, (const uint32_t[]){ 0, 1, 2 });

	assert_int_equal(cpumap_spread(smt, 4, 0, out), 0);
	assert_int_equal(cpumap_spread(smt, 4, 5, out), -EINVAL);
	assert_int_equal(cpumap_spread(NULL, 0, 0, out), 0);
}

static int memchr_u32(const uint32_t *v, size_t nr, uint32_t x)
{
	for (size_t i = 0; i < nr; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

/* On this machine: any n up to the online CPUs, chosen among them. */
static void test_cpumap_pick(void **state)
{
	uint32_t *online, *out;
	int nr;

	(void)state;
	nr = cpumap_online(&online);
	assert_true(nr >= 1);
	out = malloc((size_t)nr * sizeof(*out));
	assert_non_null(out);
	assert_int_equal(cpumap_pick(online, (size_t)nr, 1, out), 0);
	assert_true(memchr_u32(online, (size_t)nr, out[0]));
	/* All of them: every online CPU, ascending (as sysfs lists them). */
	assert_int_equal(cpumap_pick(online, (size_t)nr, (size_t)nr, out), 0);
	assert_memory_equal(out, online, (size_t)nr * sizeof(*out));
	assert_int_equal(cpumap_pick(online, (size_t)nr, (size_t)nr + 1, out), -EINVAL);
	free(out);
	free(online);
}

/*
 * Counting a cgroup per CPU: a process moved into it is counted from
 * counter_set_enable() on, and only it (pprobe's own work, outside, is
 * not), whatever runs where. Needs root: skipped with the reason else.
 */
/* A perf_event cgroup of the test's own in *cg, or the test is skipped. */
static void make_cgroup_or_skip(struct cgroup *cg)
{
	static const char *const controllers[] = { "perf_event", NULL };
	struct cgroup_options opts = { .controllers = controllers, .name_hint = "pprobe-test" };
	char why[512] = "";

	*cg = (struct cgroup)CGROUP_INIT;
	if (geteuid() != 0) {
		print_message("skipped: not root: making a cgroup needs root\n");
		skip();
	}
	if (cgroup_create(cg, &opts, why, sizeof(why)) < 0) {
		print_message("skipped: no perf_event cgroup here: %s\n", why);
		skip();
	}
}

static void test_cgroup_counting(void **state)
{
	struct cgroup cg;
	struct event_list events;
	struct counter_set set;
	struct rec_count v[2];
	char why[512] = "";
	uint32_t *cpus;
	int nr, fd, n;
	pid_t pid;

	(void)state;
	make_cgroup_or_skip(&cg);
	nr = cpumap_online(&cpus);
	assert_true(nr >= 1);
	fd = open(cgroup_path(&cg, "perf_event"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	parse_events(&events, "task-clock,context-switches");
	assert_int_equal(counter_set_init(&set, &events), 0);
	n = counter_set_open_cgroup(&set, fd, cpus, (size_t)nr);
	free(cpus);
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

/* ---- --count-by rusage (counters.h, RUSAGE MODE) ---- */

/*
 * Every event is settled without opening anything: those the kernel's
 * accounting has are "opened", the others not supported with pprobe's
 * reason; a reading fills only the events whose figure it has.
 */
static void test_rusage_events(void **state)
{
	struct event_list events;
	struct counter_set set;
	struct rec_count v[16];
	struct counter_accounting a = {
		.user_ns = 3000, .system_ns = 500, .nvcsw = 7, .nivcsw = 2,
		.minflt = 40, .majflt = 1,
	};
	/* expected value per event, or -1: not supported */
	static const long want[] = {
		3500, 3500, 3000, 500, 9, 7, 2, 41, 40, 1,
		-1, -1, -1, -1, -1, -1,
	};
	char buf[256];
	int n;

	(void)state;
	parse_events(&events, "task-clock,cpu-clock,task-clock:u,task-clock:k,"
		     "context-switches,voluntary-context-switches,"
		     "involuntary-context-switches,page-faults,minor-faults,major-faults,"
		     "cpu-migrations,cycles,instructions,context-switches:u,"
		     "page-faults:k,sched:sched_switch");
	assert_int_equal(events.nr, sizeof(want) / sizeof(want[0]));
	assert_int_equal(counter_set_init(&set, &events), 0);
	assert_int_equal(counter_set_open_rusage(&set), 10);
	assert_true(set.by_rusage);
	assert_int_equal(set.nr_targets, 0);
	for (size_t i = 0; i < set.nr; i++) {
		if (want[i] >= 0) {
			assert_int_equal(set.v[i].status, REC_EVENT_OPENED);
			continue;
		}
		assert_int_equal(set.v[i].status, REC_EVENT_NOT_SUPPORTED);
		if (!strstr(counter_open_strerror(&set.v[i], buf, sizeof(buf)),
			    "--count-by rusage"))
			fail_msg("%s: %s", set.v[i].spec->name, buf);
	}

	/* Everything: the final reading. */
	a.have = COUNTER_HAVE_CPU | COUNTER_HAVE_SWITCHES | COUNTER_HAVE_FAULTS;
	n = counter_set_read_accounting(&set, &a, 123, v);
	assert_int_equal(n, 10);
	for (int i = 0; i < n; i++) {
		assert_int_equal(v[i].event_id, (uint32_t)i);
		assert_int_equal(v[i].value, (uint64_t)want[i]);
		assert_int_equal(v[i].enabled_ns, 123);
		assert_int_equal(v[i].running_ns, 123);
	}
	/* The CPU time alone: a cgroup's reading during the run. */
	a.have = COUNTER_HAVE_CPU;
	n = counter_set_read_accounting(&set, &a, 5, v);
	assert_int_equal(n, 4);
	assert_int_equal(v[3].event_id, 3);
	assert_int_equal(v[3].value, 500);
	a.have = 0;
	assert_int_equal(counter_set_read_accounting(&set, &a, 5, v), 0);

	/* Closing forgets the mode and the reasons. */
	counter_set_close(&set);
	assert_false(set.by_rusage);
	assert_null(set.v[11].why);
	assert_int_equal(set.v[0].status, REC_EVENT_FAILED);
	counter_set_release(&set);
	event_list_release(&events);
}

/* Spins in user mode until this process has used ms of CPU time. */
static void burn_ms(long ms)
{
	struct timespec ts;

	do {
		for (volatile unsigned long i = 0; i < 100000; i++)
			;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	} while (ts.tv_sec * 1000 + ts.tv_nsec / 1000000 < ms);
}

/* This process's CPU time so far, in ns. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A process and two children burning CPU for about 50 ms each. */
static void burn_tree(void)
{
	for (int i = 0; i < 2; i++)
		if (fork() == 0) {
			burn_ms(50);
			_exit(0);
		}
	burn_ms(50);
	while (wait(NULL) > 0)
		;
	_exit(0);
}

/*
 * The cgroup's CPU time, the timeline of --count-by rusage, against the
 * kernel's other account of the same tree: getrusage() of it, reaped.
 * Both are the scheduler's sum_exec_runtime, so they agree to the
 * microsecond rounding of each process's rusage, but for what the first
 * process ran before it was moved in, which it tells (5 ms under
 * valgrind, whose forked child does its own setup).
 */
static void test_cgroup_cpu_time(void **state)
{
	struct cgroup cg;
	struct rusage before, after;
	uint64_t user, sys, user0, sys0, ru_ns, cg_ns, outside;
	char why[512] = "";
	int go[2], told[2], err;
	char c = 0;
	pid_t pid;

	(void)state;
	make_cgroup_or_skip(&cg);
	err = cgroup_cpu_read(&cg, &user0, &sys0);
	if (err == -ENOENT) {
		cgroup_destroy(&cg, NULL, 0);
		print_message("skipped: perf_event is on cgroup v1 here: no cpu.stat\n");
		skip();
	}
	assert_int_equal(err, 0);
	assert_int_equal(user0 + sys0, 0);

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(told), 0);
	getrusage(RUSAGE_CHILDREN, &before);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		close(told[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		outside = cpu_ns();
		if (write(told[1], &outside, sizeof(outside)) != (ssize_t)sizeof(outside))
			_exit(1);
		burn_tree();
	}
	close(go[0]);
	close(told[1]);
	assert_int_equal(cgroup_attach(&cg, pid, why, sizeof(why)), 0);
	assert_int_equal(write(go[1], &c, 1), 1);
	close(go[1]);
	assert_int_equal(read(told[0], &outside, sizeof(outside)), (ssize_t)sizeof(outside));
	close(told[0]);
	assert_int_equal(workload_exit_code(wait_status(pid)), 0);
	getrusage(RUSAGE_CHILDREN, &after);
	assert_int_equal(cgroup_cpu_read(&cg, &user, &sys), 0);

	ru_ns = (uint64_t)(after.ru_utime.tv_sec - before.ru_utime.tv_sec +
			   after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1000000000u +
		(uint64_t)((after.ru_utime.tv_usec - before.ru_utime.tv_usec +
			    after.ru_stime.tv_usec - before.ru_stime.tv_usec) * 1000);
	cg_ns = user + sys;
	print_message("  3 processes: cgroup cpu.stat %.3f ms (user %.3f), getrusage %.3f ms, %.3f ms of it before the attach\n",
		      (double)cg_ns / 1e6, (double)user / 1e6, (double)ru_ns / 1e6,
		      (double)outside / 1e6);
	assert_true(ru_ns >= 100000000); /* three times 50 ms, less what sanitizers blur */
	assert_true(outside < ru_ns);
	/* 3 processes, each rounded to the microsecond: 10 us is ample;
	 * 1% below, for the moment between the attach and the reading. */
	assert_true(cg_ns <= ru_ns + 10000);
	assert_true(cg_ns + ru_ns / 100 >= ru_ns - outside);
	assert_true(user > sys);
	assert_int_equal(cgroup_destroy(&cg, why, sizeof(why)), 0);
	/* Gone with its cgroup: nothing to read. */
	assert_int_equal(cgroup_cpu_read(&cg, &user, &sys), -ENOENT);
}

/* ---- the load of `record --load` (load.c) ---- */

/* Tables as the kernel writes them (port 8080 is 1F90, 50000 C350). */
#define TCP_HEADER "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
#define TCP6_HEADER "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

static void test_load_table_listens(void **state)
{
	/* A listener on 9090, and 8080 only in a connection. */
	static const char tcp[] = TCP_HEADER
		"   0: 00000000:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41001 1 0000000000000000 100 0 0 10 0\n"
		"   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 41002 1 0000000000000000 20 4 30 10 -1\n"
		"   2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 41003 1 0000000000000000 20 4 30 10 -1\n"
		"  10: 0100007F:1F90 0100007F:C351 06 00000000:00000000 03:00001234 00000000     0        0 0 3 0000000000000000\n";
	static const char tcp6[] = TCP6_HEADER
		"   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 42001 1 0000000000000000 100 0 0 10 0\n";
	/* Lines that are not socket lines, then one that is (cut after
	 * its state). */
#define GARBAGE TCP_HEADER \
		"garbage\n" \
		"   3: zz\n" \
		"   4: 0100007F:1F90\n" \
		"   6: 0100007F:XYZ 00000000:0000 0A 00000000:00000000\n" \
		"   7: 0100007F: 00000000:0000 0A\n" \
		"   8: 0100007F:1F90 00000000:0000\n"
	static const char garbage[] = GARBAGE;
	static const char garbage_then_listen[] = GARBAGE
		"   9: 0100007F:1F90 00000000:0000 0A\n";
#undef GARBAGE

	(void)state;
	assert_int_equal(load_table_listens(tcp, 9090), 1);
	assert_int_equal(load_table_listens(tcp, 8080), 0);
	assert_int_equal(load_table_listens(tcp, 50000), 0);
	assert_int_equal(load_table_listens(tcp, 80), 0);
	assert_int_equal(load_table_listens(tcp6, 8080), 1);
	assert_int_equal(load_table_listens(tcp6, 9090), 0);
	/* The state is the fourth field, not the sl or a port. */
	assert_int_equal(load_table_listens(tcp, 0x0A), 0);
	assert_int_equal(load_table_listens(garbage, 8080), 0);
	assert_int_equal(load_table_listens(garbage, 0), 0);
	assert_int_equal(load_table_listens(garbage, 0x0A), 0);
	assert_int_equal(load_table_listens(garbage_then_listen, 8080), 1);
	assert_int_equal(load_table_listens("", 8080), 0);
	assert_int_equal(load_table_listens(TCP_HEADER, 8080), 0);
	/* The first line is the header, whatever it holds. */
	assert_int_equal(load_table_listens(tcp6 + sizeof(TCP6_HEADER) - 1, 8080), 0);
	/* No newline at the end of the last line. */
	assert_int_equal(load_table_listens(TCP_HEADER
		"   0: 00000000:1F90 00000000:0000 0A", 8080), 1);
}

static void expect_requests(const char *text, uint64_t want)
{
	uint64_t n = 12345;

	if (load_parse_requests(text, &n) != 1)
		fail_msg("no request count found in '%s'", text);
	if (n != want)
		fail_msg("%llu requests found in '%s', not %llu", (unsigned long long)n,
			 text, (unsigned long long)want);
}

static void expect_no_requests(const char *text)
{
	uint64_t n = 12345;

	if (load_parse_requests(text, &n) != 0)
		fail_msg("a request count %llu found in '%s'", (unsigned long long)n, text);
}

static void test_load_parse_requests(void **state)
{
	(void)state;
	/* wrk */
	expect_requests("Running 2s test @ http://127.0.0.1:8080/\n"
			"  2 threads and 10 connections\n"
			"  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
			"    Latency   250.00us  100.00us   2.00ms   90.00%\n"
			"    Req/Sec    20.00k     1.00k   22.00k    70.00%\n"
			"  80000 requests in 2.00s, 10.5MB read\n"
			"Requests/sec:  40000.00\n"
			"Transfer/sec:      5.25MB\n", 80000);
	/* ab: the labelled total, not Failed's 0 after it... */
	expect_requests("Concurrency Level:      10\n"
			"Time taken for tests:   0.500 seconds\n"
			"Complete requests:      1000\n"
			"Failed requests:        0\n"
			"Requests per second:    2000.00 [#/sec] (mean)\n"
			"Time per request:       5.000 [ms] (mean)\n", 1000);
	/* ...nor its progress lines on stderr, which come first. */
	expect_requests("Benchmarking 127.0.0.1 (be patient)\n"
			"Completed 100 requests\n"
			"Completed 200 requests\n"
			"Finished 1000 requests\n"
			"\n"
			"Complete requests:      1000\n"
			"Failed requests:        0\n", 1000);
	/* redis-benchmark */
	expect_requests("====== PING_INLINE ======\n"
			"  100000 requests completed in 1.23 seconds\n"
			"  50 parallel clients\n", 100000);
	/* pprobe's loadgen, whose rate is no count */
	expect_requests("loadgen: 16000 requests in 0.224 s (71527 requests/s), "
			"8 clients x 2000 messages of 64 bytes; latency p50 102 us, "
			"p99 350 us\n", 16000);
	expect_requests("17 requests", 17);
	expect_requests("requests: 5", 5);
	expect_requests("requests:\t7\n", 7);
	expect_requests("18446744073709551615 requests", UINT64_MAX);
	expect_requests("abc123 requests, then 42 requests\n", 42);

	expect_no_requests("");
	expect_no_requests("Requests/sec: 100");
	expect_no_requests("requests");
	expect_no_requests("1.5 requests");
	/* A count with separators is not read as its last group. */
	expect_no_requests("1,000 requests");
	expect_no_requests("abc123 requests");
	expect_no_requests("71527 requests/s");
	expect_no_requests("PING_INLINE: 81300.81 requests per second, p50=0.311 msec\n");
	expect_no_requests("requests: none\nrequests: 12ms\n");
	expect_no_requests("100 requestsxyz");
}

/* Appends n bytes of a pattern that says where each byte was. */
static void keep_pattern(struct load *l, size_t from, size_t n)
{
	char *buf = malloc(n ? n : 1);

	assert_non_null(buf);
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)('a' + (from + i) % 23);
	assert_int_equal(load_keep_output(l, buf, n), 0);
	free(buf);
}

/* The kept output is bytes [from, from + len) of the pattern, then NUL. */
static void assert_kept(const struct load *l, size_t from, size_t len)
{
	assert_int_equal(l->len, len);
	assert_non_null(l->output);
	for (size_t i = 0; i < len; i++)
		if (l->output[i] != (char)('a' + (from + i) % 23))
			fail_msg("byte %zu of the output is '%c'", i, l->output[i]);
	assert_int_equal(l->output[len], '\0');
}

static void test_load_keep_output(void **state)
{
	const size_t max = LOAD_OUTPUT_MAX, third = LOAD_OUTPUT_MAX / 3;
	struct load l;

	(void)state;
	load_init(&l);
	assert_null(l.output);
	assert_int_equal(l.len, 0);
	assert_int_equal(l.state, LOAD_DONE);
	assert_int_equal(l.out_fd, -1);

	keep_pattern(&l, 0, 0);
	assert_kept(&l, 0, 0);
	assert_string_equal(l.output, "");
	keep_pattern(&l, 0, 10);
	assert_kept(&l, 0, 10);
	/* Up to the limit exactly, then one byte past it. */
	keep_pattern(&l, 10, max - 10);
	assert_kept(&l, 0, max);
	keep_pattern(&l, max, 1);
	assert_kept(&l, 1, max);
	/* Several appends that together pass it. */
	load_release(&l);
	load_init(&l);
	for (size_t i = 0; i < 5; i++)
		keep_pattern(&l, i * third, third);
	assert_kept(&l, 5 * third - max, max);
	/* One append larger than the limit: its end only. */
	keep_pattern(&l, 5 * third, max + 1000);
	assert_kept(&l, 5 * third + 1000, max);
	keep_pattern(&l, 5 * third + max + 1000, 3);
	assert_kept(&l, 5 * third + 1003, max);
	load_release(&l);
	assert_null(l.output);
	assert_int_equal(l.len, 0);

	/* The first append larger than the limit, and one of it exactly. */
	load_init(&l);
	keep_pattern(&l, 7, 3 * max);
	assert_kept(&l, 7 + 2 * max, max);
	keep_pattern(&l, 100, max);
	assert_kept(&l, 100, max);
	load_release(&l);
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
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_hardware_multiplexed),
		cmocka_unit_test(test_filter_refused),
		cmocka_unit_test(test_tracepoint_filtered),
		cmocka_unit_test(test_empty_set),
		cmocka_unit_test(test_attach_sums_targets),
		cmocka_unit_test(test_attach_parse_pids),
		cmocka_unit_test(test_attach_check_pids),
		cmocka_unit_test(test_attach_pidfds),
		cmocka_unit_test(test_attach_watch_proc),
		cmocka_unit_test(test_cpumap_parse),
		cmocka_unit_test(test_cpumap_format),
		cmocka_unit_test(test_cpumap_format_longest),
		cmocka_unit_test(test_cpumap_check_online),
		cmocka_unit_test(test_cpumap_parse_counts),
		cmocka_unit_test(test_cpumap_spread),
		cmocka_unit_test(test_cpumap_pick),
		cmocka_unit_test(test_cgroup_counting),
		cmocka_unit_test(test_rusage_events),
		cmocka_unit_test(test_cgroup_cpu_time),
		cmocka_unit_test(test_load_table_listens),
		cmocka_unit_test(test_load_parse_requests),
		cmocka_unit_test(test_load_keep_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_e2e_load.c - `pprobe record --load`, end to end: the sample
 * servers recorded under loadgen, the file read back record by record.
 *
 *  - the load window is marked (a LOAD BEGIN and END inside the run, the
 *    END with loadgen's request count), and the server is stopped once
 *    the load ended, pprobe exiting 0;
 *  - the fork server's per-client children are in the tree, the epoll
 *    server stays one process;
 *  - the load is no part of the recording: the run's rusage agrees with
 *    its task-clock, though loadgen spent CPU of its own;
 *  - readiness: a port in use already, a server that exits before it
 *    listens, one that never listens (--ready-timeout), --ready-delay;
 *  - failures: a load that fails makes pprobe fail with its status; a
 *    server that ignores SIGTERM is killed after the grace period;
 *  - usage errors, `pprobe scale --load`, and the whole as nobody.
 *
 * Ports: each test takes a free one from the kernel (bind to port 0),
 * on 127.0.0.1 only. Every command has a timeout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "recfile.h"

#define RUN_TIMEOUT 60.0        /* seconds, for any one command */
#define MESSAGES "300"          /* per client: a load of a fraction of a second */

/* What a recording of a server under load says. */
struct load_facts {
	enum rec_status status;
	int runs;
	uint32_t server_pid;
	uint64_t run_begin_ns, run_end_ns;
	int ended;
	struct rec_run_end end;
	int begins, ends;
	struct rec_load begin, finish; /* strings not kept */
	int has_output;
	/* Processes the server forked while the load ran: not after it,
	 * where a sanitizer's leak check forks a tracer as the server
	 * exits. */
	uint64_t children;
	uint64_t fork_ns[256];      /* ...counted from these at the end */
	size_t forks;
	double task_clock_s;        /* the last COUNTS */
	double steal_s;             /* the machine's steal time over the run */
};

static void read_facts(const char *path, struct load_facts *f)
{
	struct rec_reader r;
	struct rec rec;
	uint32_t clock_id = UINT32_MAX;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(f, 0, sizeof(*f));
	assert_true(fd >= 0);
	assert_int_equal(rec_reader_open(&r, fd), REC_OK);
	while ((f->status = rec_reader_next(&r, &rec)) == REC_OK) {
		switch (rec.type) {
		case REC_EVENT: {
			struct rec_event e;

			assert_int_equal(rec_decode_event(&rec, &e), 0);
			if (!strcmp(e.name, "task-clock"))
				clock_id = e.id;
			break;
		}
		case REC_RUN_BEGIN: {
			struct rec_run_begin b;

			assert_int_equal(rec_decode_run_begin(&rec, &b), 0);
			f->runs++;
			f->server_pid = b.pid;
			f->run_begin_ns = b.time_ns;
			break;
		}
		case REC_RUN_END:
			assert_int_equal(rec_decode_run_end(&rec, &f->end), 0);
			f->ended = 1;
			f->run_end_ns = f->end.time_ns;
			break;
		case REC_LOAD: {
			struct rec_load l;

			assert_int_equal(rec_decode_load(&rec, &l), 0);
			assert_string_not_equal(l.command, "");
			if (l.kind == REC_LOAD_BEGIN) {
				f->begins++;
				f->begin = l;
			} else if (l.kind == REC_LOAD_END) {
				f->ends++;
				f->finish = l;
				f->has_output = strstr(l.output, "requests in") != NULL;
			}
			f->begin.command = f->begin.output = NULL;
			f->finish.command = f->finish.output = NULL;
			break;
		}
		case REC_TASK: {
			struct rec_task t;

			assert_int_equal(rec_decode_task(&rec, &t), 0);
			if (t.kind == REC_TASK_FORK && t.pid != t.ppid &&
			    t.ppid == f->server_pid && f->forks < 256)
				f->fork_ns[f->forks++] = t.time_ns;
			break;
		}
		case REC_COUNTS: {
			struct rec_counts c;
			struct rec_count e;

			assert_int_equal(rec_decode_counts(&rec, &c), 0);
			for (uint32_t i = 0; i < c.nr; i++) {
				rec_counts_get(&c, i, &e);
				if (e.event_id == clock_id)
					f->task_clock_s = (double)e.value / 1e9;
			}
			break;
		}
		default:
			break;
		}
	}
	rec_reader_release(&r);
	close(fd);
	for (size_t i = 0; i < f->forks; i++)
		if (f->ends && f->fork_ns[i] >= f->begin.time_ns &&
		    f->fork_ns[i] <= f->finish.time_ns)
			f->children++;
}


/* A TCP port on 127.0.0.1 that nothing listens on just now. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* A socket listening on 127.0.0.1:port, held by the test. */
static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

/* "<loadgen> -p <port> -c <clients> -n MESSAGES", in a static buffer. */
static const char *loadgen(int port, int clients)
{
	static char cmd[700];

	snprintf(cmd, sizeof(cmd), "%s -p %d -c %d -n " MESSAGES, h_sample("loadgen"),
		 port, clients);
	return cmd;
}

/*
 * Records server (argv[0], then its port option) under loadgen with
 * `clients`; expects exit 0 and reads the file back.
 */
static void record_server(const char *server, int clients, struct load_facts *f,
			  struct h_result *r, char **data)
{
	char port[16];
	int p = free_port();
	struct h_args a = { 0 };
	double steal;

	snprintf(port, sizeof(port), "%d", p);
	*data = h_tmp_path("server.data");
	h_args_push(&a, h_pprobe_or_skip(), "record", "-o", *data, "--load",
		    loadgen(p, clients), "--ready", port, "--", h_sample(server),
		    "-p", port, NULL);
	steal = h_steal_ms();
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, r), 0);
	steal = h_steal_ms() - steal;
	h_assert_exit("record --load", r, 0);
	read_facts(*data, f);
	f->steal_s = steal / 1e3;
}

/* The window is inside the run, and the load did what it said. */
static void check_window(const struct load_facts *f, int clients)
{
	assert_int_equal(f->status, REC_DONE);
	assert_int_equal(f->runs, 1);
	assert_true(f->ended);
	assert_int_equal(f->begins, 1);
	assert_int_equal(f->ends, 1);
	assert_true(f->begin.time_ns >= f->run_begin_ns);
	assert_true(f->finish.time_ns > f->begin.time_ns);
	assert_true(f->finish.time_ns <= f->run_end_ns);
	assert_int_equal(f->finish.exit_kind, REC_EXIT_NORMAL);
	assert_int_equal(f->finish.exit_code, 0);
	assert_true(f->finish.flags & REC_LOAD_F_REQUESTS);
	assert_int_equal(f->finish.requests, (uint64_t)clients * strtoull(MESSAGES, NULL, 10));
	assert_true(f->has_output);
	/* Stopped by pprobe's SIGTERM, which the servers take as "exit 0". */
	assert_int_equal(f->end.exit_kind, REC_EXIT_NORMAL);
	assert_int_equal(f->end.exit_code, 0);
}

/*
 * The load is no part of the tree: the run's rusage agrees with the
 * tree's task-clock, while loadgen spent CPU of its own. In a VM, time
 * the hypervisor steals from a running task is in task-clock but not in
 * rusage (see test_e2e_record.c): the machine's steal over the run is
 * what task-clock may exceed rusage by, beyond the tolerance. One CI run
 * on a busy host saw rusage 34 ms under task-clock without it.
 */
static void check_load_apart(const char *label, const struct load_facts *f)
{
	double ru = (double)(f->end.rusage.utime_us + f->end.rusage.stime_us) / 1e6;
	double load = (double)(f->finish.rusage.utime_us + f->finish.rusage.stime_us) / 1e6;

	/* Tight enough that the load's CPU, were it in, would not fit:
	 * rusage and task-clock agree to a millisecond here. */
	double tol = fmax(0.003, fmin(0.03 + f->task_clock_s * 0.1, load / 2));

	print_message("  %-16s the load's own CPU: %.3f s; the machine's steal %.3f s\n",
		      label, load, f->steal_s);
	assert_true(load > 0);
	assert_true(h_compare(label, "rusage user+sys s", ru, f->task_clock_s,
			      tol + f->steal_s, tol,
			      " (task-clock, less steal; the load's own CPU is not in it)"));
}

static void test_fork_server(void **state)
{
	struct load_facts f;
	struct h_result r;
	char *data;

	(void)state;
	record_server("fork-server", 4, &f, &r, &data);
	check_window(&f, 4);
	/* One child per client (loadgen's clients, nothing else: --ready
	 * never connects). */
	assert_true(h_compare("fork-server", "children", (double)f.children, 4, 0, 0, ""));
	check_load_apart("fork-server", &f);
	assert_non_null(strstr(r.err, "is ready after"));
	assert_non_null(strstr(r.err, "the load ended after"));
	h_result_release(&r);

	h_report(NULL, NULL, data, RUN_TIMEOUT, &r);
	assert_non_null(strstr(r.out, " load: "));
	assert_non_null(strstr(r.out, "per request"));
	assert_non_null(strstr(r.out, "1200 requests"));
	assert_null(strstr(r.out, "killed by signal"));
	h_result_release(&r);
	h_report("--json", NULL, data, RUN_TIMEOUT, &r);
	assert_non_null(strstr(r.out, "\"requests\": 1200"));
	assert_non_null(strstr(r.out, "\"per_request\""));
	h_result_release(&r);
	free(data);
}

static void test_epoll_server(void **state)
{
	struct load_facts f;
	struct h_result r;
	char *data;

	(void)state;
	record_server("epoll-server", 8, &f, &r, &data);
	check_window(&f, 8);
	assert_true(h_compare("epoll-server", "children", (double)f.children, 0, 0, 0, ""));
	check_load_apart("epoll-server", &f);
	h_result_release(&r);
	free(data);
}

static void test_thread_server(void **state)
{
	struct load_facts f;
	struct h_result r;
	char *data;

	(void)state;
	record_server("thread-server", 4, &f, &r, &data);
	check_window(&f, 4);
	assert_true(h_compare("thread-server", "children", (double)f.children, 0, 0, 0, ""));
	h_result_release(&r);
	free(data);
}

static void test_port_in_use(void **state)
{
	int port = free_port(), fd = listen_on(port);
	char ports[16], *data = h_tmp_path("in-use.data");
	struct h_args a = { 0 };
	struct h_result r;

	(void)state;
	snprintf(ports, sizeof(ports), "%d", port);
	h_args_push(&a, h_pprobe_or_skip(), "record", "-o", data, "--load", "true",
		    "--ready", ports, "--", h_sample("fork-server"), "-p", ports, NULL);
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
	close(fd);
	h_assert_exit("record --ready <a port in use>", &r, 1);
	assert_non_null(strstr(r.err, "is in use already"));
	assert_int_equal(h_count_lines(r.err), 1);
	/* Nothing ran: nothing is left behind. */
	assert_false(h_file_exists(data));
	h_result_release(&r);
	free(data);
}

static void test_server_exits_first(void **state)
{
	char ports[16], *data = h_tmp_path("exits.data");
	struct h_args a = { 0 };
	struct load_facts f;
	struct h_result r;

	(void)state;
	snprintf(ports, sizeof(ports), "%d", free_port());
	h_args_push(&a, h_pprobe_or_skip(), "record", "-q", "-o", data, "--load", "true",
		    "--ready", ports, "--", "true", NULL);
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
	h_assert_exit("record --load of a command that never listens", &r, 1);
	assert_non_null(strstr(r.err, "exited before it was ready"));
	/* The command ran: its recording is complete, without a load. */
	read_facts(data, &f);
	assert_int_equal(f.status, REC_DONE);
	assert_true(f.ended);
	assert_int_equal(f.begins, 0);
	h_result_release(&r);
	free(data);
}

static void test_ready_timeout(void **state)
{
	char ports[16];
	struct h_args a = { 0 };
	struct h_result r;

	(void)state;
	snprintf(ports, sizeof(ports), "%d", free_port());
	h_args_push(&a, h_pprobe_or_skip(), "record", "-q", "-o", "/dev/null",
		    "--load", "true", "--ready", ports, "--ready-timeout", "1",
		    "--", "sleep", "30", NULL);
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
	h_assert_exit("record --ready-timeout 1 of a command that never listens", &r, 1);
	assert_non_null(strstr(r.err, "did not listen on port"));
	/* Stopped with SIGTERM, not left to sleep its 30 s. */
	assert_true(h_compare("", "seconds", r.seconds, 1, 0, 4, " (--ready-timeout 1)"));
	h_result_release(&r);
}

static void test_ready_delay(void **state)
{
	int port = free_port();
	char ports[16], *data = h_tmp_path("delay.data");
	struct h_args a = { 0 };
	struct load_facts f;
	struct h_result r;

	(void)state;
	snprintf(ports, sizeof(ports), "%d", port);
	h_args_push(&a, h_pprobe_or_skip(), "record", "-q", "-o", data,
		    "--load", loadgen(port, 2), "--ready-delay", "300",
		    "--", h_sample("epoll-server"), "-p", ports, NULL);
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
	h_assert_exit("record --ready-delay 300", &r, 0);
	read_facts(data, &f);
	check_window(&f, 2);
	assert_true(h_compare("", "load began at s", (double)(f.begin.time_ns - f.run_begin_ns) / 1e9,
			      0.3, 0, 0.2, " (--ready-delay 300)"));
	h_result_release(&r);
	free(data);
}

static void test_load_fails(void **state)
{
	int port = free_port(), other;
	char ports[16], wrong[700];
	struct h_args a = { 0 };
	struct h_result r;

	(void)state;
	do
		other = free_port();
	while (other == port);
	snprintf(ports, sizeof(ports), "%d", port);
	/* loadgen against a port nothing listens on: it fails, exit 1. */
	snprintf(wrong, sizeof(wrong), "%s", loadgen(other, 1));
	h_args_push(&a, h_pprobe_or_skip(), "record", "-o", "/dev/null", "--load", wrong,
		    "--ready", ports, "--", h_sample("fork-server"), "-p", ports, NULL);
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
	h_assert_exit("record --load of a load that fails", &r, 1);
	assert_non_null(strstr(r.err, "the load exited with status 1"));
	h_result_release(&r);
}

static void test_server_ignores_sigterm(void **state)
{
	const char *argv[] = { h_pprobe_or_skip(), "record", "-o", "/dev/null",
			       "--load", "true", "--ready-delay", "50", "--",
			       "sh", "-c", "trap '' TERM; sleep 60", NULL };
	struct h_result r;

	(void)state;
	assert_int_equal(h_run(argv, RUN_TIMEOUT, &r), 0);
	/* Killed as pprobe said it would be: the end it asked for. */
	h_assert_exit("record --load of a server that ignores SIGTERM", &r, 0);
	assert_non_null(strstr(r.err, "killing it"));
	assert_true(h_compare("", "seconds", r.seconds, 5, 0, 5, " (the grace period)"));
	h_result_release(&r);
}

static void test_usage(void **state)
{
	const char *pp = h_pprobe_or_skip();
	const char *cases[][10] = {
		{ pp, "record", "--ready", "8080", "--", "true", NULL },
		{ pp, "record", "--load", "true", "--ready", "8080", "--ready-delay", "5", "true", NULL },
		{ pp, "record", "--load", "true", "--ready-timeout", "5", "--", "true", NULL },
		{ pp, "record", "--load", "true", "-p", "1", NULL },
		{ pp, "record", "--load", "true", "--ready", "70000", "--", "true", NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct h_result r;

		assert_int_equal(h_run(cases[i], RUN_TIMEOUT, &r), 0);
		h_assert_exit(cases[i][2], &r, 129);
		assert_true(r.err_len > 0);
		h_result_release(&r);
	}
}

static void test_scale_load(void **state)
{
	int port = free_port();
	char ports[16], *dir = h_tmp_path("scale-load"), *data;
	struct h_args a = { 0 };
	struct load_facts f;
	struct h_result r;

	(void)state;
	snprintf(ports, sizeof(ports), "%d", port);
	h_args_push(&a, h_pprobe_or_skip(), "scale", "-q", "--cpus", "1", "-r", "1",
		    "-o", dir, "--load", loadgen(port, 2), "--ready", ports,
		    "--", h_sample("epoll-server"), "-p", ports, NULL);
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, &r), 0);
	h_assert_exit("scale --load", &r, 0);
	assert_non_null(strstr(r.out, "per request"));
	assert_true(asprintf(&data, "%s/scale.data", dir) > 0);
	read_facts(data, &f);
	check_window(&f, 2);
	h_result_release(&r);
	free(data);
	free(dir);
}

static void test_unprivileged(void **state)
{
	int port = free_port();
	char ports[16], *dir = h_tmp_path("nobody-load"), *data;
	struct h_args a = { 0 };
	struct load_facts f;
	struct h_proc p;
	struct h_result r;

	(void)state;
	if (geteuid() != 0)
		H_SKIP("not root: cannot switch to the nobody user");
	h_shared_dir(dir);
	if (!h_nobody_can_use(h_pprobe_or_skip(), h_sample("fork-server"), dir) ||
	    !h_nobody_can_use(h_sample("loadgen"), NULL, dir))
		H_SKIP("nobody cannot reach pprobe, the samples or '%s'", dir);
	assert_true(asprintf(&data, "%s/nobody.data", dir) > 0);
	snprintf(ports, sizeof(ports), "%d", port);
	h_args_push(&a, h_pprobe_or_skip(), "record", "-q", "-o", data, "--load",
		    loadgen(port, 4), "--ready", ports, "--", h_sample("fork-server"),
		    "-p", ports, NULL);
	assert_int_equal(h_spawn(&p, a.v, NULL, h_become_nobody, NULL), 0);
	assert_int_equal(h_wait(&p, RUN_TIMEOUT, &r), 0);
	h_assert_exit("record --load as nobody", &r, 0);
	read_facts(data, &f);
	check_window(&f, 4);
	assert_true(h_compare("nobody", "children", (double)f.children, 4, 0, 0, ""));
	h_result_release(&r);
	free(data);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_server),
		cmocka_unit_test(test_epoll_server),
		cmocka_unit_test(test_thread_server),
		cmocka_unit_test(test_port_in_use),
		cmocka_unit_test(test_server_exits_first),
		cmocka_unit_test(test_ready_timeout),
		cmocka_unit_test(test_ready_delay),
		cmocka_unit_test(test_load_fails),
		cmocka_unit_test(test_server_ignores_sigterm),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_scale_load),
		cmocka_unit_test(test_unprivileged),
	};
	const char *why = h_perf_refused();

	if (why) {
		printf("skipped: %s\n", why);
		return H_EXIT_SKIPPED;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_e2e_servers.c - the echo servers of the server comparison study
 * (samples/: fork-server, epoll-server, thread-server, go-server) and
 * loadgen, run as real processes.
 *
 *  - each server answers loadgen with 1, 4 and 16 clients, frames of 1
 *    byte to 1 MiB, and loadgen's "<N> requests" is clients x messages;
 *    SIGTERM stops it with exit 0 within STOP_TIMEOUT, and so does
 *    --max-seconds;
 *  - each has the shape it claims, seen in /proc while clients of the
 *    test's own are connected: fork-server one child process per client
 *    (all reaped once they leave, and those still serving outlive a
 *    SIGTERM to the parent), epoll-server one process with one thread,
 *    thread-server one thread per client;
 *  - loadgen fails with exit 1 when nothing listens, when the server is
 *    killed mid-run and when a reply is wrong; exit 2 at its time limit;
 *  - bad options are usage errors (129) and a port in use is an error.
 *
 * The samples are found through PPROBE_SAMPLES (build/samples); go-server
 * is tested when it was built, and reported skipped when no Go toolchain
 * was found. Nothing here needs perf_event_open. Every wait is bounded and
 * every server listens on 127.0.0.1 only, on a port the kernel picks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "echo_proto.h"
#include "harness.h"

#define RUN_TIMEOUT 120.0      /* seconds, for any one loadgen */
#define START_TIMEOUT 10.0     /* for a server to say it listens */
#define STOP_TIMEOUT 5.0       /* for a server to exit after SIGTERM */
#define PROC_TIMEOUT 5.0       /* for /proc to show what we wait for */
#define SOCKET_TIMEOUT_S 5     /* for each send and receive of the test's own clients */
#define MESSAGES 500           /* per client, in each server's runs */
#define OWN_CLIENTS 4

static const char *const c_servers[] = { "fork-server", "epoll-server", "thread-server" };

/* $PPROBE_SAMPLES/name, in a buffer of the caller's. */
static const char *sample(char *buf, size_t size, const char *name)
{
	const char *dir = getenv("PPROBE_SAMPLES");

	snprintf(buf, size, "%s/%s", dir && *dir ? dir : ".", name);
	return buf;
}

static int sample_built(const char *name)
{
	char path[4096];

	return access(sample(path, sizeof(path), name), X_OK) == 0;
}

/* ---- servers ---- */

struct server {
	const char *name;
	struct h_proc proc;    /* proc.pid is 0 when the slot is free */
	int port;
};

/* Servers running, in static slots so that the teardown of a test that
 * failed half-way can still kill them. */
#define SERVERS_MAX 4
static struct server servers[SERVERS_MAX];

static struct server *server_slot(void)
{
	for (int i = 0; i < SERVERS_MAX; i++)
		if (servers[i].proc.pid == 0)
			return &servers[i];
	fail_msg("more than %d servers at once", SERVERS_MAX);
	return NULL;
}

/* Kills what a test left running; a cmocka teardown. */
static int kill_leftovers(void **state)
{
	(void)state;
	for (int i = 0; i < SERVERS_MAX; i++)
		if (servers[i].proc.pid)
			h_proc_kill(&servers[i].proc);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	return 0;
}

/* The port from "listening on 127.0.0.1:PORT\n" in the server's stdout so
 * far; 0 while the line is not complete. */
static int listening_port(const struct server *s)
{
	char *out = h_read_file(s->proc.out_path, NULL);
	const char *line = out ? strstr(out, "listening on 127.0.0.1:") : NULL;
	int port = 0;

	if (line && strchr(line, '\n'))
		port = atoi(line + strlen("listening on 127.0.0.1:"));
	free(out);
	return port;
}

/* Starts a server on a port the kernel picks, stopping by itself after
 * max_seconds (NULL: 300), and waits for it to say which port. */
static struct server *server_start(const char *name, const char *max_seconds)
{
	char path[4096];
	struct h_args a = { 0 };
	struct h_result r;
	double deadline = h_now() + START_TIMEOUT;
	struct server *s = server_slot();

	s->name = name;
	s->port = 0;
	h_args_push(&a, sample(path, sizeof(path), name), "-p", "0", "--max-seconds",
		    max_seconds ? max_seconds : "300", NULL);
	assert_int_equal(h_spawn(&s->proc, a.v, NULL, NULL, NULL), 0);
	while (!s->port && h_now() < deadline) {
		if (h_poll(&s->proc, &r)) {
			h_show(name, &r);
			h_result_release(&r);
			fail_msg("%s exited before it listened", name);
		}
		s->port = listening_port(s);
		if (!s->port)
			h_sleep(0.01);
	}
	if (!s->port) {
		h_proc_kill(&s->proc);
		fail_msg("%s did not print \"listening on 127.0.0.1:PORT\" within %.0f s",
			 name, START_TIMEOUT);
	}
	return s;
}

/* SIGTERM; the server must exit 0 within STOP_TIMEOUT. */
static void server_stop(struct server *s)
{
	struct h_result r;

	assert_int_equal(kill(s->proc.pid, SIGTERM), 0);
	assert_int_equal(h_wait(&s->proc, STOP_TIMEOUT, &r), 0);
	h_assert_exit(s->name, &r, 0);
	/* Under the sanitizers: fork-server's children share this stderr,
	 * and their exit statuses are nobody's to check. */
	if (strstr(r.err, "Sanitizer") || strstr(r.err, "runtime error")) {
		h_show(s->name, &r);
		fail_msg("%s: the sanitizers found a problem", s->name);
	}
	h_result_release(&r);
}

/* ---- loadgen ---- */

static void loadgen_run(int port, const char *clients, const char *messages,
			const char *size, const char *extra, struct h_result *r)
{
	char path[4096], port_s[16];
	struct h_args a = { 0 };

	snprintf(port_s, sizeof(port_s), "%d", port);
	h_args_push(&a, sample(path, sizeof(path), "loadgen"), "-p", port_s, "-c", clients,
		    "-n", messages, "-s", size, NULL);
	if (extra)
		h_args_push(&a, extra, NULL);
	assert_int_equal(h_run(a.v, RUN_TIMEOUT, r), 0);
}

/* N from "loadgen: N requests in ...", or -1. */
static long loadgen_requests(const char *out)
{
	const char *line = strstr(out, "loadgen: ");
	long n;

	if (!line || sscanf(line, "loadgen: %ld requests in ", &n) != 1)
		return -1;
	return n;
}

/* loadgen must exit 0 having done clients x messages requests. */
static void loadgen_expect_all(const struct server *s, long clients, long messages, long size)
{
	char c[16], n[16], sz[16];
	struct h_result r;

	snprintf(c, sizeof(c), "%ld", clients);
	snprintf(n, sizeof(n), "%ld", messages);
	snprintf(sz, sizeof(sz), "%ld", size);
	loadgen_run(s->port, c, n, sz, NULL, &r);
	print_message("  %-13s %s", s->name, r.out);
	h_assert_exit("loadgen", &r, 0);
	if (loadgen_requests(r.out) != clients * messages) {
		h_show("loadgen", &r);
		fail_msg("%s: loadgen should have done %ld requests", s->name, clients * messages);
	}
	h_result_release(&r);
}

/* ---- /proc ---- */

/* Child processes of pid (zombies included), from its main thread's
 * children list; -1 when it cannot be read. */
static int count_children(pid_t pid)
{
	char path[64], *list, *tok, *save;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	list = h_read_file(path, NULL);
	if (!list)
		return -1;
	for (tok = strtok_r(list, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		n++;
	free(list);
	return n;
}

/* "Threads:" of /proc/pid/status; -1 when it cannot be read. */
static int count_threads(pid_t pid)
{
	char path[64], *status, *line;
	int n = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	status = h_read_file(path, NULL);
	line = status ? strstr(status, "\nThreads:") : NULL;
	if (line)
		n = atoi(line + strlen("\nThreads:"));
	free(status);
	return n;
}

/* Waits up to PROC_TIMEOUT for count(pid) to be want; returns the last
 * value seen. */
static int wait_count(int (*count)(pid_t), pid_t pid, int want)
{
	double deadline = h_now() + PROC_TIMEOUT;
	int got;

	while ((got = count(pid)) != want && h_now() < deadline)
		h_sleep(0.01);
	return got;
}

/* ---- the test's own clients ---- */

/* A connected socket to 127.0.0.1:port whose sends and receives give up
 * after SOCKET_TIMEOUT_S; -1 on failure. */
static int client_connect(int port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = SOCKET_TIMEOUT_S };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		print_error("cannot connect to 127.0.0.1:%d: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* One request and its reply, which must match. */
static void client_echo(int fd, const char *text)
{
	unsigned char req[ECHO_HEADER_SIZE + 64], reply[sizeof(req)];
	size_t len = strlen(text);

	assert_true(len > 0 && len <= 64);
	echo_header_put(req, (uint32_t)len);
	memcpy(req + ECHO_HEADER_SIZE, text, len);
	assert_int_equal(echo_send_full(fd, req, ECHO_HEADER_SIZE + len), 0);
	assert_int_equal(echo_recv_full(fd, reply, ECHO_HEADER_SIZE + len), 0);
	assert_memory_equal(req, reply, ECHO_HEADER_SIZE + len);
}

/* Connects OWN_CLIENTS clients, each served once: when the replies are
 * in, the server has set up whatever serves each one. */
static void clients_open(int port, int *fds)
{
	for (int i = 0; i < OWN_CLIENTS; i++) {
		fds[i] = client_connect(port);
		assert_true(fds[i] >= 0);
		client_echo(fds[i], "hello");
	}
}

static void clients_close(int *fds)
{
	for (int i = 0; i < OWN_CLIENTS; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
}

/* ---- each server ---- */

/* loadgen with 1, 4 and 16 clients, and frames of 1 byte and 1 MiB (which
 * no socket buffer holds whole: partial reads and writes). */
static void server_load(struct server *s)
{
	static const long clients[] = { 1, 4, 16 };

	for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++)
		loadgen_expect_all(s, clients[i], MESSAGES, 64);
	loadgen_expect_all(s, 4, MESSAGES, 1);
	loadgen_expect_all(s, 2, 8, ECHO_PAYLOAD_MAX);
}

static void test_fork_server(void **state)
{
	struct server *s;
	int fds[OWN_CLIENTS];

	(void)state;
	s = server_start("fork-server", NULL);
	server_load(s);
	/* Every child of loadgen's clients ended and was reaped. */
	assert_int_equal(wait_count(count_children, s->proc.pid, 0), 0);

	clients_open(s->port, fds);
	assert_int_equal(count_children(s->proc.pid), OWN_CLIENTS);
	assert_int_equal(count_threads(s->proc.pid), 1);
	clients_close(fds);
	assert_int_equal(wait_count(count_children, s->proc.pid, 0), 0);
	server_stop(s);
}

/*
 * SIGTERM stops the parent at once, but a child still serving a client
 * goes on until that client leaves. The test is made the subreaper, so
 * the orphaned child becomes its child and can be waited for.
 */
static void test_fork_server_stop_keeps_clients(void **state)
{
	struct server *s;
	pid_t child;
	int fd, status = 0, reaped = 0;
	double deadline;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	s = server_start("fork-server", NULL);
	fd = client_connect(s->port);
	assert_true(fd >= 0);
	client_echo(fd, "before");
	child = h_find_child(s->proc.pid, NULL);
	assert_true(child > 0);
	server_stop(s);

	client_echo(fd, "after the parent stopped");
	close(fd);
	for (deadline = h_now() + STOP_TIMEOUT; !reaped && h_now() < deadline; h_sleep(0.01))
		reaped = waitpid(child, &status, WNOHANG) == child;
	if (!reaped)
		kill(child, SIGKILL);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	assert_true(reaped);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_epoll_server(void **state)
{
	struct server *s;
	int fds[OWN_CLIENTS];

	(void)state;
	s = server_start("epoll-server", NULL);
	server_load(s);
	clients_open(s->port, fds);
	assert_int_equal(count_threads(s->proc.pid), 1);
	assert_int_equal(count_children(s->proc.pid), 0);
	clients_close(fds);
	server_stop(s);
}

static void test_thread_server(void **state)
{
	struct server *s;
	int fds[OWN_CLIENTS];

	(void)state;
	s = server_start("thread-server", NULL);
	server_load(s);
	/* The main thread, and one per client still open. */
	clients_open(s->port, fds);
	assert_int_equal(count_threads(s->proc.pid), 1 + OWN_CLIENTS);
	assert_int_equal(count_children(s->proc.pid), 0);
	clients_close(fds);
	assert_int_equal(wait_count(count_threads, s->proc.pid, 1), 1);
	server_stop(s);
}

static void test_go_server(void **state)
{
	struct server *s;
	int fds[OWN_CLIENTS];

	(void)state;
	if (!sample_built("go-server"))
		H_SKIP("no Go toolchain (install golang-go): go-server was not built");
	s = server_start("go-server", NULL);
	server_load(s);
	clients_open(s->port, fds);
	assert_int_equal(count_children(s->proc.pid), 0);
	clients_close(fds);
	server_stop(s);
}

/* Each server stops by itself, with exit 0, after --max-seconds. */
static void test_max_seconds(void **state)
{
	const char *names[] = { "fork-server", "epoll-server", "thread-server", "go-server" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct server *s;
		struct h_result r;

		if (!sample_built(names[i]))
			continue;
		s = server_start(names[i], "0.5");
		assert_int_equal(h_wait(&s->proc, STOP_TIMEOUT, &r), 0);
		h_assert_exit(names[i], &r, 0);
		h_result_release(&r);
	}
}

/* ---- loadgen's failures ---- */

/* A port bound, so no one else takes it, but not listening: connecting
 * to it is refused. Returns the socket holding it. */
static int refusing_port(int *port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	*port = ntohs(addr.sin_port);
	return fd;
}

static void assert_contains(const char *what, const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("%s: '%s' not found in:\n%s", what, needle, haystack);
}

static void test_loadgen_nothing_listening(void **state)
{
	struct h_result r;
	int port, holder = refusing_port(&port);

	(void)state;
	loadgen_run(port, "4", "10", "64", NULL, &r);
	h_assert_exit("loadgen", &r, 1);
	assert_contains("loadgen stderr", r.err, "cannot connect to 127.0.0.1:");
	assert_int_equal(loadgen_requests(r.out), 0);
	h_result_release(&r);

	/* --wait-ms retries for that long, then gives up the same way. */
	loadgen_run(port, "1", "10", "64", "--wait-ms=300", &r);
	h_assert_exit("loadgen --wait-ms=300", &r, 1);
	assert_true(r.seconds >= 0.3);
	assert_true(r.seconds < 10);
	h_result_release(&r);
	close(holder);
}

/* SIGKILL the server mid-run: loadgen must say so and exit 1, not hang. */
static void test_loadgen_server_killed(void **state)
{
	char path[4096], port_s[16];
	struct server *s;
	struct h_args a = { 0 };
	struct h_proc load;
	struct h_result r;

	(void)state;
	s = server_start("epoll-server", NULL);
	snprintf(port_s, sizeof(port_s), "%d", s->port);
	h_args_push(&a, sample(path, sizeof(path), "loadgen"), "-p", port_s, "-c", "4",
		    "-n", "100000000", "-t", "60", NULL);
	assert_int_equal(h_spawn(&load, a.v, NULL, NULL, NULL), 0);
	h_sleep(0.5);
	h_proc_kill(&s->proc);
	assert_int_equal(h_wait(&load, 20, &r), 0);
	h_assert_exit("loadgen", &r, 1);
	assert_true(r.seconds < 20);
	assert_contains("loadgen stderr", r.err, "loadgen: client ");
	assert_true(loadgen_requests(r.out) > 0);
	h_result_release(&r);
}

/* The time limit cuts the run short: exit 2, with what was done. */
static void test_loadgen_time_limit(void **state)
{
	struct server *s;
	struct h_result r;

	(void)state;
	s = server_start("epoll-server", NULL);
	loadgen_run(s->port, "2", "1000000000", "64", "-t0.5", &r);
	h_assert_exit("loadgen -t0.5", &r, 2);
	assert_true(r.seconds < 10);
	assert_true(loadgen_requests(r.out) > 0);
	assert_contains("loadgen stderr", r.err, "time limit");
	h_result_release(&r);
	server_stop(s);
}

/*
 * A server of the test's own, in a forked child, that corrupts one byte
 * of its one reply: loadgen must notice. Bounded by alarm().
 */
static _Noreturn void corrupting_server(int listener)
{
	unsigned char buf[ECHO_HEADER_SIZE + 64];
	int fd;

	alarm(20);
	fd = accept(listener, NULL, NULL);
	if (fd < 0 || echo_recv_full(fd, buf, ECHO_HEADER_SIZE) ||
	    echo_header_get(buf) != 64 ||
	    echo_recv_full(fd, buf + ECHO_HEADER_SIZE, 64))
		_exit(1);
	buf[ECHO_HEADER_SIZE + 10] ^= 0x40;
	if (echo_send_full(fd, buf, sizeof(buf)))
		_exit(1);
	/* Until loadgen closes. */
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
	_exit(0);
}

static void test_loadgen_wrong_reply(void **state)
{
	struct h_result r;
	int port, listener = refusing_port(&port), status = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(listen(listener, 4), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		corrupting_server(listener);
	close(listener);
	loadgen_run(port, "1", "10", "64", NULL, &r);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	h_assert_exit("loadgen", &r, 1);
	assert_contains("loadgen stderr", r.err, "client 1: the reply to message 1 differs from the request at byte 10");
	assert_int_equal(loadgen_requests(r.out), 0);
	h_result_release(&r);
}

/* ---- usage ---- */

static void expect_exit(const char *name, const char *arg, int code, int on_stdout,
			const char *text)
{
	char path[4096];
	const char *argv[] = { sample(path, sizeof(path), name), arg, NULL };
	struct h_result r;

	assert_int_equal(h_run(argv, 30, &r), 0);
	h_assert_exit(name, &r, code);
	assert_contains(name, on_stdout ? r.out : r.err, text);
	h_result_release(&r);
}

static void test_usage(void **state)
{
	const char *names[] = { "fork-server", "epoll-server", "thread-server", "go-server", "loadgen" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!sample_built(names[i]))
			continue;
		expect_exit(names[i], "--bogus", ECHO_EXIT_USAGE, 0, "usage:");
		expect_exit(names[i], "-h", 0, 1, "usage:");
		expect_exit(names[i], "--help", 0, 1, "usage:");
		expect_exit(names[i], "--port=70000", ECHO_EXIT_USAGE, 0, "usage:");
	}
	/* loadgen needs to be told the port. */
	expect_exit("loadgen", "-c4", ECHO_EXIT_USAGE, 0, "-p PORT");
}

/* A port in use: exit 1, naming it. */
static void test_port_in_use(void **state)
{
	const char *names[] = { "fork-server", "epoll-server", "thread-server", "go-server" };
	struct server *s;

	(void)state;
	s = server_start("epoll-server", NULL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[4096], port_s[16], want[64];
		struct h_args a = { 0 };
		struct h_result r;

		if (!sample_built(names[i]))
			continue;
		snprintf(port_s, sizeof(port_s), "%d", s->port);
		snprintf(want, sizeof(want), "cannot listen on 127.0.0.1:%d: ", s->port);
		h_args_push(&a, sample(path, sizeof(path), names[i]), "--port", port_s, NULL);
		assert_int_equal(h_run(a.v, 30, &r), 0);
		h_assert_exit(names[i], &r, 1);
		assert_contains(names[i], r.err, want);
		h_result_release(&r);
	}
	server_stop(s);
}

static int group_setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(c_servers) / sizeof(c_servers[0]); i++) {
		if (!sample_built(c_servers[i])) {
			print_error("%s not found: set PPROBE_SAMPLES to build/samples\n", c_servers[i]);
			return -1;
		}
	}
	return h_tmpdir() ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fork_server, kill_leftovers),
		cmocka_unit_test_teardown(test_fork_server_stop_keeps_clients, kill_leftovers),
		cmocka_unit_test_teardown(test_epoll_server, kill_leftovers),
		cmocka_unit_test_teardown(test_thread_server, kill_leftovers),
		cmocka_unit_test_teardown(test_go_server, kill_leftovers),
		cmocka_unit_test_teardown(test_max_seconds, kill_leftovers),
		cmocka_unit_test_teardown(test_loadgen_nothing_listening, kill_leftovers),
		cmocka_unit_test_teardown(test_loadgen_server_killed, kill_leftovers),
		cmocka_unit_test_teardown(test_loadgen_time_limit, kill_leftovers),
		cmocka_unit_test_teardown(test_loadgen_wrong_reply, kill_leftovers),
		cmocka_unit_test_teardown(test_usage, kill_leftovers),
		cmocka_unit_test_teardown(test_port_in_use, kill_leftovers),
	};

	/* A test's own client must see a closed server as EPIPE, not die. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("e2e servers", tests, group_setup, NULL);
}

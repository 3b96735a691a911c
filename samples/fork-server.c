/*
 * fork-server - the classic multi-process echo server: one child process
 * per client, as inetd and pre-threading Apache served.
 *
 *   fork-server [-p PORT] [--max-seconds S]
 *
 * The parent only accepts and reaps; each child serves its client until
 * EOF and _exit(0)s. So a recording shows a process tree that grows and
 * shrinks with the clients, and every connection pays a fork() and an
 * exit. Protocol and options: echo_proto.h, echo_server.h.
 *
 * Children are reaped on SIGCHLD (read from the same signalfd as SIGTERM),
 * so none is left a zombie. SIGTERM or SIGINT stops the parent at once
 * with exit 0; its children finish their clients. A child is bounded by
 * the parent's deadline too: it gets SIGALRM then, so no part of a
 * forgotten server outlives --max-seconds.
 */
#include "echo_proto.h"
#include "echo_server.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "fork-server"

struct fork_server {
	int listener, signal_fd;
	double deadline;
};

static _Noreturn void serve_child(struct fork_server *s, int client)
{
	double left = s->deadline - echo_now();
	int err;

	close(s->listener);
	close(s->signal_fd);
	echo_server_signals_reset();
	alarm(left > 1 ? (unsigned)ceil(left) : 1);
	err = echo_serve_blocking(client);
	if (err)
		fprintf(stderr, PROG ": client (pid %d): %s\n", (int)getpid(),
			echo_serve_strerror(err));
	_exit(err ? 1 : 0);
}

static void on_client(int client, void *arg)
{
	struct fork_server *s = arg;
	pid_t pid = fork();

	if (pid == 0)
		serve_child(s, client);
	if (pid < 0)
		fprintf(stderr, PROG ": cannot fork for a client, closing it: %s\n",
			strerror(errno));
	close(client);
}

/* SIGCHLD: reap every child that has ended; several may share one signal. */
static void on_signal(int sig, void *arg)
{
	(void)arg;
	if (sig != SIGCHLD)
		return;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(int argc, char **argv)
{
	struct echo_server_options opts;
	struct fork_server s;
	struct echo_accept_loop loop;
	sigset_t chld;
	int ret;

	ret = echo_server_parse_options(PROG, argc, argv, &opts);
	if (ret)
		return ret > 0 ? 0 : ECHO_EXIT_USAGE;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	s.deadline = echo_now() + opts.max_seconds;
	s.signal_fd = echo_server_signals(PROG, &chld);
	if (s.signal_fd < 0)
		return 1;
	s.listener = echo_server_listen(PROG, opts.port, 0);
	if (s.listener < 0)
		return 1;

	loop = (struct echo_accept_loop){
		.prog = PROG,
		.listener = s.listener,
		.signal_fd = s.signal_fd,
		.deadline = s.deadline,
		.on_client = on_client,
		.on_signal = on_signal,
		.arg = &s,
	};
	ret = echo_accept_loop_run(&loop);
	if (!ret && echo_ms_until(s.deadline) == 0)
		echo_server_report_deadline(PROG, opts.max_seconds);
	close(s.listener);
	close(s.signal_fd);
	/* Children that already ended; the others finish on their own. */
	on_signal(SIGCHLD, NULL);
	return ret ? 1 : 0;
}

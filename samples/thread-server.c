/*
 * thread-server - the echo server with one thread per client: one process
 * whose thread count follows the clients.
 *
 *   thread-server [-p PORT] [--max-seconds S]
 *
 * The main thread accepts; each client gets a detached thread running the
 * same blocking loop as fork-server's children, so the two differ only in
 * process versus thread. Protocol and options: echo_proto.h,
 * echo_server.h.
 *
 * On SIGTERM, SIGINT or the deadline the listener is closed and every
 * client socket shut down, which ends each thread's blocking read; the
 * main thread waits (up to STOP_WAIT_S) for them to free what they hold,
 * so nothing is left for the leak checker. Threads inherit the main
 * thread's blocked signals, so only the signalfd ever sees them.
 */
#include "echo_proto.h"
#include "echo_server.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "thread-server"
/* Beyond this many clients at once, new ones are closed at once. */
#define CLIENTS_MAX 4096
/* Enough for the blocking loop; the payload buffer is on the heap. */
#define THREAD_STACK (256 * 1024)
#define STOP_WAIT_S 5

/* Clients being served, so a stop can shut their sockets down. */
struct client_table {
	pthread_mutex_t lock;
	pthread_cond_t idle;         /* signalled when nr drops to 0 */
	int fds[CLIENTS_MAX];        /* -1: free slot */
	int nr;
};

static struct client_table clients = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
};

struct client {
	int fd, slot;
};

/* A free slot for fd, or -1 when full. */
static int clients_add(int fd)
{
	int slot = -1;

	pthread_mutex_lock(&clients.lock);
	for (int i = 0; i < CLIENTS_MAX && slot < 0; i++)
		if (clients.fds[i] < 0)
			slot = i;
	if (slot >= 0) {
		clients.fds[slot] = fd;
		clients.nr++;
	}
	pthread_mutex_unlock(&clients.lock);
	return slot;
}

/* Closes the slot's socket under the lock, so a stop never shuts down a
 * descriptor number that was reused. */
static void clients_remove(int slot)
{
	pthread_mutex_lock(&clients.lock);
	close(clients.fds[slot]);
	clients.fds[slot] = -1;
	if (--clients.nr == 0)
		pthread_cond_signal(&clients.idle);
	pthread_mutex_unlock(&clients.lock);
}

/* Ends every client's blocking read and waits, bounded, for the threads. */
static void clients_stop(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STOP_WAIT_S;
	pthread_mutex_lock(&clients.lock);
	for (int i = 0; i < CLIENTS_MAX; i++)
		if (clients.fds[i] >= 0)
			shutdown(clients.fds[i], SHUT_RDWR);
	while (clients.nr > 0)
		if (pthread_cond_timedwait(&clients.idle, &clients.lock, &until) == ETIMEDOUT)
			break;
	if (clients.nr > 0)
		fprintf(stderr, PROG ": %d client threads still running after %d s\n",
			clients.nr, STOP_WAIT_S);
	pthread_mutex_unlock(&clients.lock);
}

static void *serve(void *arg)
{
	struct client *c = arg;
	int err = echo_serve_blocking(c->fd), slot = c->slot;

	/* A shutdown by clients_stop() is not the client's fault. */
	if (err && err != -EPIPE && err != -ECONNRESET)
		fprintf(stderr, PROG ": client on socket %d: %s\n", c->fd,
			echo_serve_strerror(err));
	/* Freed first: once the slot is gone, main may return. */
	free(c);
	clients_remove(slot);
	return NULL;
}

static void on_client(int fd, void *arg)
{
	pthread_attr_t *attr = arg;
	struct client *c = malloc(sizeof(*c));
	pthread_t thread;
	int err;

	if (!c || (c->slot = clients_add(fd)) < 0) {
		fprintf(stderr, PROG ": %s: closing a new client\n",
			c ? "too many clients at once" : strerror(ENOMEM));
		free(c);
		close(fd);
		return;
	}
	c->fd = fd;
	err = pthread_create(&thread, attr, serve, c);
	if (err) {
		fprintf(stderr, PROG ": cannot start a thread, closing a client: %s\n",
			strerror(err));
		clients_remove(c->slot);
		free(c);
	}
}

int main(int argc, char **argv)
{
	struct echo_server_options opts;
	struct echo_accept_loop loop;
	pthread_attr_t attr;
	int signal_fd, listener, ret;
	double deadline;

	ret = echo_server_parse_options(PROG, argc, argv, &opts);
	if (ret)
		return ret > 0 ? 0 : ECHO_EXIT_USAGE;
	for (int i = 0; i < CLIENTS_MAX; i++)
		clients.fds[i] = -1;
	deadline = echo_now() + opts.max_seconds;
	signal_fd = echo_server_signals(PROG, NULL);
	if (signal_fd < 0)
		return 1;
	listener = echo_server_listen(PROG, opts.port, 0);
	if (listener < 0)
		return 1;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, THREAD_STACK);

	loop = (struct echo_accept_loop){
		.prog = PROG,
		.listener = listener,
		.signal_fd = signal_fd,
		.deadline = deadline,
		.on_client = on_client,
		.arg = &attr,
	};
	ret = echo_accept_loop_run(&loop);
	if (!ret && echo_ms_until(deadline) == 0)
		echo_server_report_deadline(PROG, opts.max_seconds);
	close(listener);
	clients_stop();
	close(signal_fd);
	pthread_attr_destroy(&attr);
	return ret ? 1 : 0;
}

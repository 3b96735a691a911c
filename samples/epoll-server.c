/*
 * epoll-server - the echo server as one thread with an epoll event loop,
 * the shape of nginx's workers, Redis and libuv: one process, one thread,
 * however many clients.
 *
 *   epoll-server [-p PORT] [--max-seconds S]
 *
 * Every socket is non-blocking. Each connection keeps its frame buffer and
 * how far it has got: reading the 4-byte header, reading the payload, or
 * sending the reply (the request frame itself). A read or write that stops
 * short just leaves the connection where it is until epoll says it can go
 * on; a connection waits for EPOLLOUT only while a reply is stuck. It
 * reads no further than the frame it is on, so it never holds more than
 * one frame. Protocol and options: echo_proto.h, echo_server.h.
 *
 * Level-triggered, and at most FRAMES_PER_WAKE frames per connection per
 * wake-up, so one fast client cannot starve the others. On SIGTERM,
 * SIGINT or the deadline, open connections are closed.
 */
#include "echo_proto.h"
#include "echo_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define PROG "epoll-server"
#define EVENTS_PER_WAIT 64
#define FRAMES_PER_WAKE 16
#define ACCEPTS_PER_WAKE 64
#define INITIAL_BUFFER (ECHO_HEADER_SIZE + 4096)

struct conn {
	int fd;
	unsigned char *buf;
	size_t cap;
	size_t have;           /* bytes of the current frame read so far */
	size_t want;           /* bytes of the frame: the header, then all */
	size_t sent;           /* bytes of the reply sent, while replying */
	int replying;
	uint32_t interest;     /* EPOLLIN or EPOLLOUT, as registered */
	struct conn *prev, *next;
};

struct server {
	int epoll_fd, listener, signal_fd;
	struct conn *conns;    /* every open connection, to close on stop */
};

/* epoll_event.data.ptr of the listener and the signalfd; a connection's is
 * its struct conn. */
static char listener_tag, signal_tag;

static void conn_close(struct server *s, struct conn *c)
{
	/* close() also removes it from the epoll set. */
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->buf);
	free(c);
}

static void on_client(int fd, void *arg)
{
	struct server *s = arg;
	struct conn *c = calloc(1, sizeof(*c));
	struct epoll_event ev = { .events = EPOLLIN };

	if (c)
		c->buf = malloc(INITIAL_BUFFER);
	if (!c || !c->buf) {
		fprintf(stderr, PROG ": out of memory: closing a new client\n");
		free(c);
		close(fd);
		return;
	}
	c->fd = fd;
	c->cap = INITIAL_BUFFER;
	c->want = ECHO_HEADER_SIZE;
	c->interest = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev)) {
		fprintf(stderr, PROG ": cannot watch a new client, closing it: %s\n",
			strerror(errno));
		free(c->buf);
		free(c);
		close(fd);
		return;
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
}

static int conn_watch(struct server *s, struct conn *c, uint32_t interest)
{
	struct epoll_event ev = { .events = interest, .data.ptr = c };

	if (c->interest == interest)
		return 0;
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev))
		return -errno;
	c->interest = interest;
	return 0;
}

/* Sends what is left of the reply. Returns 1 when it is all sent, 0 when
 * the socket is full, or -errno. */
static int conn_send(struct conn *c)
{
	while (c->sent < c->want) {
		ssize_t n = send(c->fd, c->buf + c->sent, c->want - c->sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		c->sent += (size_t)n;
	}
	c->replying = 0;
	c->have = 0;
	c->want = ECHO_HEADER_SIZE;
	return 1;
}

/* The header is in: how long the whole frame is, with room for it. */
static int conn_frame_size(struct conn *c)
{
	uint32_t len = echo_header_get(c->buf);

	if (!echo_length_valid(len))
		return -EPROTO;
	c->want = ECHO_HEADER_SIZE + len;
	if (c->want > c->cap) {
		unsigned char *bigger = realloc(c->buf, c->want);

		if (!bigger)
			return -ENOMEM;
		c->buf = bigger;
		c->cap = c->want;
	}
	return 0;
}

/* Reads toward the end of the current frame. Returns 1 when the frame is
 * complete, 0 when the socket has no more for now, -ENODATA at EOF
 * between frames, or another -errno. */
static int conn_recv(struct conn *c)
{
	while (c->have < c->want) {
		ssize_t n = recv(c->fd, c->buf + c->have, c->want - c->have, 0);
		int err;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0)
			return c->have ? -EPIPE : -ENODATA;
		c->have += (size_t)n;
		if (c->have == ECHO_HEADER_SIZE && c->want == ECHO_HEADER_SIZE &&
		    (err = conn_frame_size(c)))
			return err;
	}
	return 1;
}

/* Moves a connection on as far as its socket allows. Returns 0, or -errno
 * (-ENODATA: the client closed) when it is to be closed. */
static int conn_advance(struct server *s, struct conn *c)
{
	for (int frames = 0; frames < FRAMES_PER_WAKE; frames++) {
		int ret;

		if (!c->replying) {
			ret = conn_recv(c);
			if (ret <= 0)
				return ret;
			c->replying = 1;
			c->sent = 0;
		}
		ret = conn_send(c);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return conn_watch(s, c, EPOLLOUT);
		ret = conn_watch(s, c, EPOLLIN);
		if (ret)
			return ret;
	}
	return 0;
}

static void conn_event(struct server *s, struct conn *c)
{
	int err = conn_advance(s, c);

	if (!err)
		return;
	if (err != -ENODATA && err != -ECONNRESET)
		fprintf(stderr, PROG ": client on socket %d: %s\n", c->fd,
			echo_serve_strerror(err));
	conn_close(s, c);
}

static int add_watch(struct server *s, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev)) {
		fprintf(stderr, PROG ": epoll_ctl failed: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The event loop. Returns 0 when stopped by SIGTERM, SIGINT or the
 * deadline, -1 after printing why it failed.
 */
static int run(struct server *s, double deadline)
{
	struct echo_accept_loop accept = {
		.prog = PROG,
		.listener = s->listener,
		.accept_flags = SOCK_NONBLOCK,
		.on_client = on_client,
		.arg = s,
	};
	struct epoll_event events[EVENTS_PER_WAIT];

	for (;;) {
		int timeout = echo_ms_until(deadline), n;

		if (timeout == 0)
			return 0;
		n = epoll_wait(s->epoll_fd, events, EVENTS_PER_WAIT, timeout);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": epoll_wait failed: %s\n", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			void *tag = events[i].data.ptr;

			if (tag == &signal_tag) {
				if (echo_server_read_signals(s->signal_fd, NULL, NULL))
					return 0;
			} else if (tag == &listener_tag) {
				int got = 1;

				for (int a = 0; a < ACCEPTS_PER_WAKE && got == 1; a++)
					got = echo_server_accept(&accept);
				if (got < 0)
					return -1;
			} else {
				/* A connection closed here is never in a later
				 * event of this batch: each fd appears once. */
				conn_event(s, tag);
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct echo_server_options opts;
	struct server s = { .epoll_fd = -1 };
	double deadline;
	int ret;

	ret = echo_server_parse_options(PROG, argc, argv, &opts);
	if (ret)
		return ret > 0 ? 0 : ECHO_EXIT_USAGE;
	deadline = echo_now() + opts.max_seconds;
	s.signal_fd = echo_server_signals(PROG, NULL);
	if (s.signal_fd < 0)
		return 1;
	s.listener = echo_server_listen(PROG, opts.port, 1);
	if (s.listener < 0)
		return 1;
	s.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (s.epoll_fd < 0) {
		fprintf(stderr, PROG ": epoll_create1 failed: %s\n", strerror(errno));
		return 1;
	}
	if (add_watch(&s, s.listener, &listener_tag) ||
	    add_watch(&s, s.signal_fd, &signal_tag))
		return 1;

	ret = run(&s, deadline);
	if (!ret && echo_ms_until(deadline) == 0)
		echo_server_report_deadline(PROG, opts.max_seconds);
	while (s.conns)
		conn_close(&s, s.conns);
	close(s.epoll_fd);
	close(s.listener);
	close(s.signal_fd);
	return ret ? 1 : 0;
}

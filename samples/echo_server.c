/*
 * echo_server.c - options, listener, signals and the blocking client loop
 * shared by the C echo servers. See echo_server.h.
 */
#include "echo_server.h"
#include "echo_proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- options ---- */

static void print_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-p PORT] [--max-seconds S]\n"
		"\n"
		"Echo server on 127.0.0.1: each request (4-byte big-endian length,\n"
		"then that many bytes, 1 to %u) is sent back unchanged.\n"
		"\n"
		"    -p, --port PORT     port to listen on (default %d; 0: any free port)\n"
		"    --max-seconds S     stop by itself after S seconds (default %.0f)\n"
		"    -h, --help          show this help\n"
		"\n"
		"Prints \"listening on 127.0.0.1:PORT\" once ready; SIGTERM or SIGINT\n"
		"stops it with exit status 0.\n",
		prog, ECHO_PAYLOAD_MAX, ECHO_DEFAULT_PORT, ECHO_DEFAULT_MAX_SECONDS);
}

static int usage_error(const char *prog)
{
	print_usage(stderr, prog);
	return -1;
}

int echo_server_parse_options(const char *prog, int argc, char **argv,
			      struct echo_server_options *opts)
{
	enum { OPT_MAX_SECONDS = 256 };
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "max-seconds", required_argument, NULL, OPT_MAX_SECONDS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long port;
	int c;

	opts->port = ECHO_DEFAULT_PORT;
	opts->max_seconds = ECHO_DEFAULT_MAX_SECONDS;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (echo_parse_whole(optarg, 0, 65535, &port)) {
				fprintf(stderr, "%s: the port must be a number from 0 to 65535, not '%s'\n",
					prog, optarg);
				return usage_error(prog);
			}
			opts->port = (int)port;
			break;
		case OPT_MAX_SECONDS:
			if (echo_parse_seconds(optarg, 0.001, 1e7, &opts->max_seconds)) {
				fprintf(stderr, "%s: --max-seconds must be a number of seconds above 0, not '%s'\n",
					prog, optarg);
				return usage_error(prog);
			}
			break;
		case 'h':
			print_usage(stdout, prog);
			return 1;
		default:
			fprintf(stderr, "%s: unknown option, or no value after it: '%s'\n",
				prog, argv[optind - 1]);
			return usage_error(prog);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return usage_error(prog);
	}
	return 0;
}

/* ---- listener ---- */

int echo_server_listen(const char *prog, int port, int nonblock)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t addr_len = sizeof(addr);
	int one = 1, fd, err;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(fd, SOMAXCONN) ||
	    getsockname(fd, (struct sockaddr *)&addr, &addr_len))
		goto fail;
	printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
	fflush(stdout);
	return fd;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "%s: cannot listen on 127.0.0.1:%d: %s\n", prog, port, strerror(err));
	return -1;
}

/* ---- signals and time ---- */

int echo_server_signals(const char *prog, const sigset_t *extra)
{
	sigset_t set;
	int fd;

	if (extra)
		set = *extra;
	else
		sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		fprintf(stderr, "%s: cannot set up signal handling: %s\n", prog, strerror(errno));
		return -1;
	}
	return fd;
}

void echo_server_signals_reset(void)
{
	sigset_t none;

	sigemptyset(&none);
	signal(SIGPIPE, SIG_DFL);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
}

int echo_server_read_signals(int sfd, void (*on_other)(int sig, void *arg), void *arg)
{
	struct signalfd_siginfo si;
	int stop = 0;

	/* Non-blocking: read until none is pending. */
	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			stop = 1;
		else if (on_other)
			on_other((int)si.ssi_signo, arg);
	}
	return stop;
}

void echo_server_report_deadline(const char *prog, double max_seconds)
{
	fprintf(stderr, "%s: stopping: --max-seconds %g have passed\n", prog, max_seconds);
}

/* ---- the blocking accept loop ---- */

int echo_server_accept(const struct echo_accept_loop *loop)
{
	int fd = accept4(loop->listener, NULL, NULL, SOCK_CLOEXEC | loop->accept_flags);
	int one = 1;

	if (fd >= 0) {
		/* A reply is one send: Nagle could only hold back the tail of
		 * a big one. Go sets this on every connection too. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		loop->on_client(fd, loop->arg);
		return 1;
	}
	switch (errno) {
	case EINTR:
	case EAGAIN:
	case ECONNABORTED:
	case EPROTO:
		return 0;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		/* The pending client keeps the listener readable: without a
		 * pause the caller's poll() would spin until a client leaves. */
		fprintf(stderr, "%s: cannot accept a client: %s; raise 'ulimit -n' or use fewer clients\n",
			loop->prog, strerror(errno));
		poll(NULL, 0, 100);
		return 0;
	default:
		fprintf(stderr, "%s: cannot accept clients: %s\n", loop->prog, strerror(errno));
		return -1;
	}
}

int echo_accept_loop_run(const struct echo_accept_loop *loop)
{
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = loop->listener, .events = POLLIN },
			{ .fd = loop->signal_fd, .events = POLLIN },
		};
		int timeout = echo_ms_until(loop->deadline);
		int n;

		if (timeout == 0)
			return 0;
		n = poll(fds, 2, timeout);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "%s: poll failed: %s\n", loop->prog, strerror(errno));
			return -1;
		}
		if (n <= 0)
			continue;
		if (fds[1].revents &&
		    echo_server_read_signals(loop->signal_fd, loop->on_signal, loop->arg))
			return 0;
		if (fds[0].revents && echo_server_accept(loop) < 0)
			return -1;
	}
}

/* ---- one client, blocking ---- */

int echo_serve_blocking(int fd)
{
	size_t cap = ECHO_HEADER_SIZE + 4096;
	unsigned char *buf = malloc(cap);
	int err;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		uint32_t len;

		err = echo_recv_full(fd, buf, ECHO_HEADER_SIZE);
		if (err)
			break;
		len = echo_header_get(buf);
		if (!echo_length_valid(len)) {
			err = -EPROTO;
			break;
		}
		if (ECHO_HEADER_SIZE + len > cap) {
			unsigned char *bigger = realloc(buf, ECHO_HEADER_SIZE + len);

			if (!bigger) {
				err = -ENOMEM;
				break;
			}
			buf = bigger;
			cap = ECHO_HEADER_SIZE + len;
		}
		err = echo_recv_full(fd, buf + ECHO_HEADER_SIZE, len);
		if (err == -ENODATA)
			err = -EPIPE;  /* a header without its payload */
		if (err)
			break;
		/* The reply is the request frame itself. */
		err = echo_send_full(fd, buf, ECHO_HEADER_SIZE + len);
		if (err)
			break;
	}
	free(buf);
	return err == -ENODATA ? 0 : err;
}

const char *echo_serve_strerror(int err)
{
	switch (err) {
	case -EPROTO:
		return "sent a length outside 1 byte to 1 MiB: closed it";
	case -EPIPE:
		return "closed its connection in the middle of a frame";
	default:
		return strerror(-err);
	}
}

/*
 * loadgen - drives an echo server (fork-server, epoll-server,
 * thread-server, go-server) with closed-loop clients and measures latency.
 *
 *   loadgen -p PORT [-c CLIENTS] [-n MESSAGES] [-s SIZE] [-t SECONDS]
 *           [--wait-ms MS]
 *
 * CLIENTS connections to 127.0.0.1:PORT at once, one thread each; each
 * sends MESSAGES requests of SIZE bytes, one at a time, and checks that
 * each reply is its request. Payloads differ per client and per message,
 * so a reply sent to the wrong client, or an old one, is caught. Latency
 * is from the start of the send to the last byte of the reply
 * (CLOCK_MONOTONIC), kept in a log-linear histogram (within 1.6%), so
 * memory does not grow with MESSAGES. At the end, one line on stdout,
 * which `pprobe record --load` reads "<N> requests" from:
 *
 *   loadgen: 8000 requests in 1.234 s (6483 requests/s), 4 clients x 2000
 *   messages of 64 bytes; latency p50 95 us, p90 130 us, p99 400 us, max
 *   2100 us
 *
 * (one line; "clients" and "requests" stay plural so it parses the same
 * way for 1). Exit status: 0 when every client got every reply right; 1
 * when a connection failed, closed early or got a wrong reply (the first
 * such client is named on stderr); 2 when the time limit cut the run
 * short (the summary still says what was done); 129 for bad options.
 *
 * Bounded: MESSAGES per client, and SECONDS in all: at the limit every
 * socket is shut down, which ends any blocked send or receive, and a
 * connect waits no longer than the limit either.
 */
#include "echo_proto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "loadgen"
#define CLIENTS_MAX 1024
#define MESSAGES_MAX 1000000000L
/* Buffers of all clients together (a request and a reply each). */
#define MEMORY_MAX (512L * 1024 * 1024)
#define THREAD_STACK (256 * 1024)
#define CONNECT_RETRY_MS 10

/* ---- latency histogram ---- */

/*
 * Log-linear buckets of nanoseconds: exact below 2^HIST_LINEAR_BITS, then
 * 2^HIST_SUB_BITS buckets per power of two, each within 1/64 of its
 * value. Latencies from 2^(HIST_TOP_BIT + 1) ns (36 minutes) on all land
 * in the last bucket.
 */
#define HIST_SUB_BITS 6
#define HIST_LINEAR_BITS (HIST_SUB_BITS + 1)
#define HIST_LINEAR (1u << HIST_LINEAR_BITS)
#define HIST_TOP_BIT 40
#define HIST_BUCKETS (HIST_LINEAR + (HIST_TOP_BIT - HIST_LINEAR_BITS + 1) * (1u << HIST_SUB_BITS))

struct histogram {
	uint64_t count[HIST_BUCKETS];
	uint64_t total, max;
};

static unsigned top_bit(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

static unsigned hist_bucket(uint64_t ns)
{
	unsigned e;

	if (ns < HIST_LINEAR)
		return (unsigned)ns;
	if (ns >= 1ull << (HIST_TOP_BIT + 1))
		ns = (1ull << (HIST_TOP_BIT + 1)) - 1;
	e = top_bit(ns);
	return HIST_LINEAR + (e - HIST_LINEAR_BITS) * (1u << HIST_SUB_BITS) +
	       (unsigned)((ns >> (e - HIST_SUB_BITS)) & ((1u << HIST_SUB_BITS) - 1));
}

/* The middle of a bucket, in ns. */
static double hist_value(unsigned bucket)
{
	unsigned e, sub;
	double width;

	if (bucket < HIST_LINEAR)
		return bucket;
	e = (bucket - HIST_LINEAR) / (1u << HIST_SUB_BITS) + HIST_LINEAR_BITS;
	sub = (bucket - HIST_LINEAR) % (1u << HIST_SUB_BITS);
	width = (double)(1ull << (e - HIST_SUB_BITS));
	return ((1u << HIST_SUB_BITS) + sub) * width + width / 2;
}

static void hist_add(struct histogram *h, uint64_t ns)
{
	h->count[hist_bucket(ns)]++;
	h->total++;
	if (ns > h->max)
		h->max = ns;
}

static void hist_merge(struct histogram *into, const struct histogram *h)
{
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		into->count[i] += h->count[i];
	into->total += h->total;
	if (h->max > into->max)
		into->max = h->max;
}

/* The value at percentile p (0 < p <= 100), in ns; 0 when empty. Never
 * above the exact maximum. */
static double hist_percentile(const struct histogram *h, double p)
{
	uint64_t rank = (uint64_t)(p / 100.0 * (double)h->total + 0.999999), seen = 0;

	if (!h->total)
		return 0;
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->count[i];
		if (seen >= rank) {
			double v = hist_value(i);

			return v < (double)h->max ? v : (double)h->max;
		}
	}
	return (double)h->max;
}

/* ---- options ---- */

struct options {
	int port;
	long clients, messages, size;
	double seconds;
	long wait_ms;
};

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: loadgen -p PORT [-c CLIENTS] [-n MESSAGES] [-s SIZE] [-t SECONDS] [--wait-ms MS]\n"
		"\n"
		"Closed-loop clients of an echo server on 127.0.0.1: each sends a request,\n"
		"waits for its reply and checks it, MESSAGES times.\n"
		"\n"
		"    -p, --port PORT       the server's port\n"
		"    -c, --clients N       connections at once, 1 to %d (default 1)\n"
		"    -n, --messages N      requests per client (default 1000)\n"
		"    -s, --size BYTES      payload of each request, 1 to %u (default 64)\n"
		"    -t, --time SECONDS    stop after this long, exit 2 (default 60)\n"
		"    --wait-ms MS          retry connecting for up to MS ms (default 0)\n"
		"    -h, --help            show this help\n"
		"\n"
		"Prints one line: \"loadgen: N requests in S s (R requests/s), ...; latency\n"
		"p50 .. us, p90 .. us, p99 .. us, max .. us\". Exit status 0: all replies\n"
		"right; 1: a connection failed or a reply was wrong; 2: time limit.\n",
		CLIENTS_MAX, ECHO_PAYLOAD_MAX);
}

static int bad_value(const char *what, const char *value)
{
	fprintf(stderr, PROG ": %s, not '%s'\n", what, value);
	print_usage(stderr);
	return -1;
}

/* 0 to run, 1 after printing help, -1 after printing usage on stderr. */
static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_WAIT_MS = 256 };
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'c' },
		{ "messages", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "time", required_argument, NULL, 't' },
		{ "wait-ms", required_argument, NULL, OPT_WAIT_MS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long port = -1;
	int c;

	*o = (struct options){ .clients = 1, .messages = 1000, .size = 64, .seconds = 60 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:c:n:s:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (echo_parse_whole(optarg, 1, 65535, &port))
				return bad_value("the port must be a number from 1 to 65535", optarg);
			break;
		case 'c':
			if (echo_parse_whole(optarg, 1, CLIENTS_MAX, &o->clients))
				return bad_value("-c must be a number of clients from 1 to 1024", optarg);
			break;
		case 'n':
			if (echo_parse_whole(optarg, 1, MESSAGES_MAX, &o->messages))
				return bad_value("-n must be a number of messages from 1 to 1000000000", optarg);
			break;
		case 's':
			if (echo_parse_whole(optarg, 1, ECHO_PAYLOAD_MAX, &o->size))
				return bad_value("-s must be a payload size from 1 to 1048576 bytes", optarg);
			break;
		case 't':
			if (echo_parse_seconds(optarg, 0.001, 1e7, &o->seconds))
				return bad_value("-t must be a number of seconds above 0", optarg);
			break;
		case OPT_WAIT_MS:
			if (echo_parse_whole(optarg, 0, 3600000, &o->wait_ms))
				return bad_value("--wait-ms must be a number of milliseconds from 0 to 3600000", optarg);
			break;
		case 'h':
			print_usage(stdout);
			return 1;
		default:
			fprintf(stderr, PROG ": unknown option, or no value after it: '%s'\n",
				argv[optind - 1]);
			print_usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		print_usage(stderr);
		return -1;
	}
	if (port < 0) {
		fprintf(stderr, PROG ": which port? give the server's with -p PORT\n");
		print_usage(stderr);
		return -1;
	}
	if (o->clients * o->size * 2 > MEMORY_MAX) {
		fprintf(stderr, PROG ": %ld clients x %ld bytes would take over %ld MiB of buffers: use fewer clients or smaller messages\n",
			o->clients, o->size, MEMORY_MAX >> 20);
		print_usage(stderr);
		return -1;
	}
	o->port = (int)port;
	return 0;
}

/* ---- clients ---- */

struct client {
	pthread_t thread;
	int id;                 /* 1-based, as in messages */
	struct run *run;
	char error[200];        /* what went wrong; empty when nothing did */
	struct histogram latency;
};

/* What the clients share. */
struct run {
	const struct options *opts;
	double start, deadline, connect_deadline;
	pthread_mutex_t lock;
	pthread_cond_t finished;    /* signalled as running drops */
	int running;                /* client threads still at work */
	int stopping;               /* the time limit has passed */
	int fds[CLIENTS_MAX];       /* each client's socket; -1: none */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int run_stopping(struct run *r)
{
	int stopping;

	pthread_mutex_lock(&r->lock);
	stopping = r->stopping;
	pthread_mutex_unlock(&r->lock);
	return stopping;
}

/* One connect(), waiting no longer than the time limit. Returns a
 * blocking socket, or -errno (-ETIMEDOUT at the limit). */
static int connect_once(const struct run *r)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct pollfd pfd = { .events = POLLOUT };
	socklen_t len = sizeof(int);
	int fd, err = 0, one = 1, ready;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)r->opts->port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) && errno != EINPROGRESS) {
		err = -errno;
		goto fail;
	}
	pfd.fd = fd;
	do
		ready = poll(&pfd, 1, echo_ms_until(r->deadline));
	while (ready < 0 && errno == EINTR);
	if (ready <= 0) {
		err = ready ? -errno : -ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		err = err ? -err : -errno;
		goto fail;
	}
	/* Requests are one send each: Nagle would only delay big ones. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fcntl(fd, F_SETFL, 0)) {
		err = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

/* Connects, retrying refusals until --wait-ms has passed. */
static int client_connect(struct client *c)
{
	struct run *r = c->run;

	for (;;) {
		int fd = connect_once(r);

		/* Only a refusal means "not listening yet". */
		if (fd != -ECONNREFUSED || echo_now() >= r->connect_deadline ||
		    run_stopping(r))
			return fd;
		poll(NULL, 0, CONNECT_RETRY_MS);
	}
}

/* The payload of message m of client id: its own sequence of bytes. */
static void fill_payload(unsigned char *p, size_t len, int id, long m)
{
	uint64_t x = 0x9E3779B97F4A7C15ull * (uint64_t)id ^ 0xD1B54A32D192ED03ull * (uint64_t)(m + 1);

	for (size_t i = 0; i < len; i++) {
		if (i % 8 == 0) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		p[i] = (unsigned char)(x >> (8 * (i % 8)));
	}
}

/* Why a receive failed, for client_error(). */
static void receive_error(struct client *c, long m, int err)
{
	long n = c->run->opts->messages;

	if (err == -ENODATA || err == -EPIPE)
		snprintf(c->error, sizeof(c->error),
			 "the server closed the connection after %ld of %ld replies", m, n);
	else
		snprintf(c->error, sizeof(c->error), "no reply to message %ld of %ld: %s",
			 m + 1, n, strerror(-err));
}

/* Sends message m and checks its reply. Returns 0 or -1 with c->error
 * set. */
static int client_exchange(struct client *c, int fd, unsigned char *req,
			   unsigned char *reply, long m)
{
	size_t size = (size_t)c->run->opts->size;
	uint64_t t0, t1;
	uint32_t got;
	int err;

	fill_payload(req + ECHO_HEADER_SIZE, size, c->id, m);
	t0 = now_ns();
	err = echo_send_full(fd, req, ECHO_HEADER_SIZE + size);
	if (err) {
		snprintf(c->error, sizeof(c->error), "cannot send message %ld: %s", m + 1,
			 strerror(-err));
		return -1;
	}
	err = echo_recv_full(fd, reply, ECHO_HEADER_SIZE);
	if (!err && (got = echo_header_get(reply)) != size) {
		snprintf(c->error, sizeof(c->error),
			 "the reply to message %ld says %u bytes, not %zu", m + 1, got, size);
		return -1;
	}
	if (!err)
		err = echo_recv_full(fd, reply + ECHO_HEADER_SIZE, size);
	if (err) {
		receive_error(c, m, err == -ENODATA ? -EPIPE : err);
		return -1;
	}
	t1 = now_ns();
	if (memcmp(req + ECHO_HEADER_SIZE, reply + ECHO_HEADER_SIZE, size)) {
		size_t at = 0;

		while (req[ECHO_HEADER_SIZE + at] == reply[ECHO_HEADER_SIZE + at])
			at++;
		snprintf(c->error, sizeof(c->error),
			 "the reply to message %ld differs from the request at byte %zu",
			 m + 1, at);
		return -1;
	}
	hist_add(&c->latency, t1 - t0);
	return 0;
}

static void client_talk(struct client *c, int fd)
{
	size_t frame = ECHO_HEADER_SIZE + (size_t)c->run->opts->size;
	unsigned char *req = malloc(frame), *reply = malloc(frame);

	if (!req || !reply) {
		snprintf(c->error, sizeof(c->error), "out of memory");
		goto out;
	}
	echo_header_put(req, (uint32_t)c->run->opts->size);
	for (long m = 0; m < c->run->opts->messages; m++) {
		if (run_stopping(c->run) || client_exchange(c, fd, req, reply, m))
			break;
	}
out:
	free(req);
	free(reply);
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct run *r = c->run;
	int fd = client_connect(c), stopped;

	if (fd < 0) {
		snprintf(c->error, sizeof(c->error), "cannot connect to 127.0.0.1:%d: %s",
			 r->opts->port, strerror(-fd));
	} else {
		/* Registered, so that the time limit can shut it down. */
		pthread_mutex_lock(&r->lock);
		stopped = r->stopping;
		if (!stopped)
			r->fds[c->id - 1] = fd;
		pthread_mutex_unlock(&r->lock);
		if (!stopped)
			client_talk(c, fd);
	}

	pthread_mutex_lock(&r->lock);
	/* Anything that failed after the limit shut the socket is its doing. */
	if (r->stopping)
		c->error[0] = '\0';
	r->fds[c->id - 1] = -1;
	if (fd >= 0)
		close(fd);
	r->running--;
	pthread_cond_signal(&r->finished);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* ---- the run ---- */

/*
 * Waits for the clients until the time limit, then shuts every socket
 * down so the rest end at once. Returns 1 when the limit was reached.
 */
static int run_wait(struct run *r)
{
	double d = r->deadline;
	struct timespec until = {
		.tv_sec = (time_t)d,
		.tv_nsec = (long)((d - (double)(time_t)d) * 1e9),
	};
	int timed_out = 0;

	pthread_mutex_lock(&r->lock);
	while (r->running > 0 && !timed_out)
		timed_out = pthread_cond_timedwait(&r->finished, &r->lock, &until) == ETIMEDOUT;
	if (r->running > 0) {
		r->stopping = 1;
		for (int i = 0; i < CLIENTS_MAX; i++)
			if (r->fds[i] >= 0)
				shutdown(r->fds[i], SHUT_RDWR);
	}
	timed_out = r->stopping;
	pthread_mutex_unlock(&r->lock);
	return timed_out;
}

static void print_summary(const struct options *o, const struct histogram *h,
			  double seconds)
{
	printf("loadgen: %llu requests in %.3f s (%.0f requests/s), %ld clients x %ld messages of %ld bytes; "
	       "latency p50 %.0f us, p90 %.0f us, p99 %.0f us, max %.0f us\n",
	       (unsigned long long)h->total, seconds,
	       seconds > 0 ? (double)h->total / seconds : 0.0, o->clients, o->messages,
	       o->size, hist_percentile(h, 50) / 1e3, hist_percentile(h, 90) / 1e3,
	       hist_percentile(h, 99) / 1e3, (double)h->max / 1e3);
	fflush(stdout);
}

/* Starts the clients; returns how many threads started (all, unless one
 * could not, which has been reported). */
static long start_clients(struct run *r, struct client *clients)
{
	pthread_attr_t attr;
	long started = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	pthread_mutex_lock(&r->lock);
	for (; started < r->opts->clients; started++) {
		struct client *c = &clients[started];
		int err;

		c->id = (int)started + 1;
		c->run = r;
		r->running++;
		err = pthread_create(&c->thread, &attr, client_main, c);
		if (err) {
			r->running--;
			fprintf(stderr, PROG ": cannot start client %d: %s\n", c->id, strerror(err));
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	pthread_attr_destroy(&attr);
	return started;
}

static int report_failures(const struct client *clients, long nr)
{
	const struct client *first = NULL;
	long failed = 0;

	for (long i = 0; i < nr; i++) {
		if (!clients[i].error[0])
			continue;
		if (!first)
			first = &clients[i];
		failed++;
	}
	if (!first)
		return 0;
	fprintf(stderr, PROG ": client %d: %s\n", first->id, first->error);
	if (failed > 1)
		fprintf(stderr, PROG ": %ld more clients failed\n", failed - 1);
	return 1;
}

int main(int argc, char **argv)
{
	static struct run r;
	struct options o;
	struct client *clients;
	struct histogram *all;
	pthread_condattr_t cattr;
	long started;
	int timed_out, failed, ret;

	ret = parse_options(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : ECHO_EXIT_USAGE;
	clients = calloc((size_t)o.clients, sizeof(*clients));
	all = calloc(1, sizeof(*all));
	if (!clients || !all) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	r.opts = &o;
	for (int i = 0; i < CLIENTS_MAX; i++)
		r.fds[i] = -1;
	pthread_mutex_init(&r.lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&r.finished, &cattr);
	pthread_condattr_destroy(&cattr);

	r.start = echo_now();
	r.deadline = r.start + o.seconds;
	r.connect_deadline = r.start + (double)o.wait_ms / 1000.0;
	started = start_clients(&r, clients);
	timed_out = run_wait(&r);
	for (long i = 0; i < started; i++) {
		pthread_join(clients[i].thread, NULL);
		hist_merge(all, &clients[i].latency);
	}
	print_summary(&o, all, echo_now() - r.start);

	failed = report_failures(clients, started) || started < o.clients;
	if (!failed && timed_out)
		fprintf(stderr, PROG ": the time limit of %g s cut the run short: %llu of %ld requests done\n",
			o.seconds, (unsigned long long)all->total, o.clients * o.messages);
	pthread_cond_destroy(&r.finished);
	pthread_mutex_destroy(&r.lock);
	free(all);
	free(clients);
	return failed ? 1 : timed_out ? 2 : 0;
}

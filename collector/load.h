/*
 * load.h - the load a server is recorded under: `pprobe record --load
 * 'CMD' [--ready PORT | --ready-delay MS] -- SERVER`.
 *
 * pprobe starts SERVER (recorded, as any command), waits until it is
 * ready, runs CMD with /bin/sh -c (not recorded), and once CMD has
 * ended stops SERVER with SIGTERM, SIGKILL after a grace period. The
 * file marks the load's start and end (REC_LOAD), each right after a
 * reading of the counters, so the report has the counters of the load
 * window exactly, and the load's request count when it printed one.
 *
 * Ready means, with --ready PORT, that something listens on that TCP
 * port (IPv4 or IPv6), as /proc/net/tcp says: no connection is made,
 * so a server that forks per connection sees nothing before the load.
 * Otherwise it is --ready-delay after the server started.
 *
 * The load is a child of pprobe but no part of the tree: its pid is
 * known, it is reaped apart, and its rusage is taken out of the run's.
 * The pure functions are here for the tests.
 */
#ifndef PPROBE_LOAD_H
#define PPROBE_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "workload.h"

/* The load's output kept for the file: its last 64 KiB. */
#define LOAD_OUTPUT_MAX (64u << 10)
/* --ready-delay when neither --ready nor --ready-delay is given. */
#define LOAD_DEFAULT_DELAY_MS 500
/* How long a server may take to listen on --ready PORT, by default. */
#define LOAD_READY_TIMEOUT_S 60
/* How often pprobe looks for the port meanwhile. */
#define LOAD_READY_POLL_MS 10

enum load_state {
	LOAD_WAITING,   /* the server runs; the load waits for it */
	LOAD_RUNNING,
	LOAD_DONE,      /* ran and was reaped, or never will run */
};

struct load {
	const char *command;    /* --load, or NULL: no load */
	long port;              /* --ready, or 0 */
	long delay_ms;          /* --ready-delay, or -1 when not given */
	long timeout_s;         /* --ready-timeout */

	enum load_state state;
	struct workload w;      /* w.pid: the load, once it runs */
	int out_fd;             /* its stdout and stderr, or -1 */
	int echo;               /* copy its output to pprobe's stderr */
	char *output;           /* its last LOAD_OUTPUT_MAX bytes */
	size_t len;
	uint64_t ready_by_ns;   /* the delay's end, or the port's deadline */
	uint64_t begin_ns, end_ns;
	int stopped;            /* pprobe had to end it */
	int status;             /* wait status once reaped */
	struct rusage ru;       /* ...and its rusage */
};

/* A load of nothing: state LOAD_DONE, no fds. */
void load_init(struct load *l);
void load_release(struct load *l);

/*
 * Whether text, a /proc/net/tcp or /proc/net/tcp6 table, has a socket
 * in state LISTEN on port: 1 or 0.
 */
int load_table_listens(const char *text, unsigned port);
/* The same for this network namespace's tables: 1, 0 or -errno. */
int load_port_listening(unsigned port);

/*
 * The request count a load reported: the first "requests: <N>" (ab's
 * "Complete requests:") in text, else the first "<N> requests" (wrk,
 * redis-benchmark, pprobe's loadgen; ab's progress lines "Completed 100
 * requests" come before its total). 1 with *n set, or 0.
 */
int load_parse_requests(const char *text, uint64_t *n);

/* Keeps the last LOAD_OUTPUT_MAX bytes of what the load wrote. 0 or -ENOMEM. */
int load_keep_output(struct load *l, const char *buf, size_t len);

/*
 * Starts the load: /bin/sh -c command, stdout and stderr into a pipe
 * pprobe reads, the signal state given in opts (argv and the capture fd
 * are set here). Returns 0, or a positive errno when it cannot run.
 */
int load_start(struct load *l, const struct workload_options *opts);
/* Reads what the load wrote so far, without blocking. */
void load_read_output(struct load *l);

#endif /* PPROBE_LOAD_H */

/*
 * echo_server.h - what the C echo servers share: their options, the
 * loopback listener, stopping on SIGTERM/SIGINT or a time limit, and the
 * blocking one-client loop of fork-server and thread-server.
 *
 * Each server differs only in how it serves clients at once (a process, a
 * thread, or an epoll loop per client), which is what the server comparison
 * study measures; everything else is here, written once, so the servers
 * differ in nothing else.
 *
 * Stopping: SIGTERM and SIGINT are blocked and read from a signalfd, so a
 * server waits for a client, a signal or its deadline in one poll() and
 * never busy-waits. Only the programs print usage; helpers that fail print
 * one line "<prog>: ..." and return -1, so each caller exits 1.
 */
#ifndef PPROBE_ECHO_SERVER_H
#define PPROBE_ECHO_SERVER_H

#include <signal.h>

#define ECHO_DEFAULT_MAX_SECONDS 600.0

struct echo_server_options {
	int port;             /* 0: the kernel picks one */
	double max_seconds;   /* stop by itself after this long */
};

/*
 * Parses -p/--port PORT, --max-seconds S and -h/--help for the server
 * named prog. Returns 0 to run, 1 when help was printed to stdout (exit
 * 0), or -1 after printing the problem and usage to stderr (exit
 * ECHO_EXIT_USAGE).
 */
int echo_server_parse_options(const char *prog, int argc, char **argv,
			      struct echo_server_options *opts);

/*
 * Listens on 127.0.0.1:port (SO_REUSEADDR, close-on-exec; non-blocking
 * when nonblock) and prints "listening on 127.0.0.1:PORT" on stdout, with
 * the port the kernel chose for 0, flushed so a script can read it at
 * once. Returns the socket, or -1 after printing why.
 */
int echo_server_listen(const char *prog, int port, int nonblock);

/*
 * Blocks SIGTERM, SIGINT and the signals in extra (may be NULL) in this
 * thread, which threads created afterwards inherit, and returns a
 * signalfd (close-on-exec, non-blocking) that reads them; -1 after
 * printing why. SIGPIPE is ignored: a peer's close shows up as EPIPE.
 */
int echo_server_signals(const char *prog, const sigset_t *extra);
/* Undoes echo_server_signals() in a forked child: empty mask, default
 * SIGPIPE. */
void echo_server_signals_reset(void);

/*
 * Reads pending signals from sfd. Returns 1 when SIGTERM or SIGINT came
 * (stop), else 0, after calling on_other(sig, arg) for any other one.
 * on_other may be NULL.
 */
int echo_server_read_signals(int sfd, void (*on_other)(int sig, void *arg), void *arg);

/*
 * Accepting clients. Each accepted client (a close-on-exec socket, also
 * with accept_flags, e.g. SOCK_NONBLOCK) goes to on_client, which owns it
 * from then on.
 */
struct echo_accept_loop {
	const char *prog;
	int listener, signal_fd;
	int accept_flags;
	double deadline;
	void (*on_client)(int fd, void *arg);
	void (*on_signal)(int sig, void *arg);   /* other signals; may be NULL */
	void *arg;
};
/*
 * One accept(). Returns 1 when a client was handed to on_client; 0 when
 * there was none or a harmless error (out of descriptors, it pauses 100
 * ms so the caller does not spin); -1 after printing why the listener is
 * broken.
 */
int echo_server_accept(const struct echo_accept_loop *loop);
/*
 * The accept loop of the blocking servers: waits in poll() for a client,
 * a signal on signal_fd or the deadline. Returns 0 when stopped by
 * SIGTERM, SIGINT or the deadline, -1 after printing why it failed.
 */
int echo_accept_loop_run(const struct echo_accept_loop *loop);

/* Prints "<prog>: stopping: --max-seconds S have passed" on stderr. */
void echo_server_report_deadline(const char *prog, double max_seconds);

/*
 * Serves one client on a blocking socket until it closes: reads a frame,
 * sends it back, and again. Returns 0 at EOF between frames; -EPROTO for
 * a length the protocol does not allow; -EPIPE for EOF inside a frame;
 * -ENOMEM; or another -errno from the socket.
 */
int echo_serve_blocking(int fd);
/* What a negative echo_serve_blocking() result means, for a message. */
const char *echo_serve_strerror(int err);

#endif /* PPROBE_ECHO_SERVER_H */

/*
 * echo_proto.h - the framing every echo sample speaks: the servers of the
 * server comparison study (fork-server, epoll-server, thread-server,
 * go-server) and loadgen, which drives them.
 *
 * A request is a frame: a 4-byte big-endian payload length L, with
 * 0 < L <= ECHO_PAYLOAD_MAX, then L bytes. The reply is the same frame,
 * payload echoed back unchanged. A client sends one request, waits for the
 * reply, then sends the next; it ends by closing, and the server's handler
 * ends on that EOF.
 *
 * Functions return 0 or a negative errno, as the rest of pprobe does; only
 * the programs print and choose exit codes.
 */
#ifndef PPROBE_ECHO_PROTO_H
#define PPROBE_ECHO_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define ECHO_HEADER_SIZE 4
#define ECHO_PAYLOAD_MAX (1024u * 1024u)
#define ECHO_DEFAULT_PORT 7878
/* pprobe's usage exit code, which the samples share. */
#define ECHO_EXIT_USAGE 129

/* Writes len into the 4-byte header, big-endian. */
void echo_header_put(unsigned char *header, uint32_t len);
/* Reads the payload length from a 4-byte header. */
uint32_t echo_header_get(const unsigned char *header);
/* Is len a payload length the protocol allows? */
int echo_length_valid(uint32_t len);

/*
 * Reads exactly len bytes from a socket, restarting after EINTR and short
 * reads. Returns 0; -ENODATA when EOF came before the first byte (the peer
 * closed between frames, the normal end); -EPIPE when EOF came in the
 * middle; or -errno.
 */
int echo_recv_full(int fd, void *buf, size_t len);
/*
 * Writes exactly len bytes to a socket, restarting after EINTR and short
 * writes. Never raises SIGPIPE (MSG_NOSIGNAL). Returns 0 or -errno.
 */
int echo_send_full(int fd, const void *buf, size_t len);

/* CLOCK_MONOTONIC in seconds. */
double echo_now(void);
/* Milliseconds from now to deadline (an echo_now() value), for poll() and
 * epoll_wait(); 0 once it has passed, rounded up so a wait never wakes
 * just before it. Every wait in the samples is bounded by one. */
int echo_ms_until(double deadline);

/*
 * Option values. A whole number from min to max (a port, a count), or
 * seconds as a decimal from min to max; in decimal notation only (no
 * "0x", "inf", spaces). Return 0 and set *out, or -EINVAL.
 */
int echo_parse_whole(const char *s, long min, long max, long *out);
int echo_parse_seconds(const char *s, double min, double max, double *out);

#endif /* PPROBE_ECHO_PROTO_H */

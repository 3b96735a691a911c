/*
 * echo_proto.c - frame headers and whole-buffer socket I/O for the echo
 * samples. See echo_proto.h for the protocol.
 */
#include "echo_proto.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

void echo_header_put(unsigned char *header, uint32_t len)
{
	header[0] = (unsigned char)(len >> 24);
	header[1] = (unsigned char)(len >> 16);
	header[2] = (unsigned char)(len >> 8);
	header[3] = (unsigned char)len;
}

uint32_t echo_header_get(const unsigned char *header)
{
	return (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 |
	       (uint32_t)header[2] << 8 | (uint32_t)header[3];
}

int echo_length_valid(uint32_t len)
{
	return len > 0 && len <= ECHO_PAYLOAD_MAX;
}

double echo_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int echo_ms_until(double deadline)
{
	double ms = (deadline - echo_now()) * 1000.0;

	if (ms <= 0)
		return 0;
	if (ms > 1e9)
		return 1000000000;
	return (int)ms + 1;
}

int echo_recv_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = recv(fd, (char *)buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return done ? -EPIPE : -ENODATA;
		done += (size_t)n;
	}
	return 0;
}

int echo_send_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

/* Digits, with at most one '.' when decimal: what strtol/strtod would
 * take beyond that (signs, spaces, hex, "inf") is no option value. */
static int plain_number(const char *s, int decimal)
{
	int digits = 0, dots = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' && decimal && !dots)
			dots++;
		else
			return 0;
	}
	return digits > 0;
}

int echo_parse_whole(const char *s, long min, long max, long *out)
{
	long v;

	if (!plain_number(s, 0))
		return -EINVAL;
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int echo_parse_seconds(const char *s, double min, double max, double *out)
{
	double v;

	if (!plain_number(s, 1))
		return -EINVAL;
	errno = 0;
	v = strtod(s, NULL);
	if (errno || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

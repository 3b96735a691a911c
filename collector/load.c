/*
 * load.c - the load a server is recorded under (see load.h).
 */
#include "load.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

/* TCP state LISTEN in /proc/net/tcp (include/net/tcp_states.h). */
#define TCP_LISTEN_STATE 0x0A

void load_init(struct load *l)
{
	memset(l, 0, sizeof(*l));
	l->delay_ms = -1;
	l->timeout_s = LOAD_READY_TIMEOUT_S;
	l->state = LOAD_DONE;
	l->out_fd = -1;
	l->w = (struct workload){ .pid = -1, .go_fd = -1, .exec_fd = -1 };
}

void load_release(struct load *l)
{
	if (l->out_fd >= 0)
		close(l->out_fd);
	l->out_fd = -1;
	workload_release(&l->w);
	free(l->output);
	l->output = NULL;
	l->len = 0;
}

/*
 * One line of the table: "  0: 0100007F:1ECE 00000000:0000 0A ...";
 * for tcp6 the address is 32 hex digits. Returns 1 when it is a
 * listener on port.
 */
static int line_listens(const char *line, unsigned port)
{
	unsigned long local_port, state;
	const char *colon, *p = strchr(line, ':');
	char *end;

	if (!p)
		return 0;
	/* The local address: hex digits, a colon, the port in hex. */
	p++;
	while (*p == ' ')
		p++;
	colon = strchr(p, ':');
	if (!colon)
		return 0;
	local_port = strtoul(colon + 1, &end, 16);
	if (end == colon + 1 || *end != ' ')
		return 0;
	/* The remote address, then the state. */
	p = end;
	while (*p == ' ')
		p++;
	p = strchr(p, ' ');
	if (!p)
		return 0;
	state = strtoul(p, &end, 16);
	return end != p && state == TCP_LISTEN_STATE && local_port == port;
}

int load_table_listens(const char *text, unsigned port)
{
	const char *line = strchr(text, '\n'); /* the header goes */

	while (line && *++line) {
		if (line_listens(line, port))
			return 1;
		line = strchr(line, '\n');
	}
	return 0;
}

int load_port_listening(unsigned port)
{
	static const char *const tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	int found = 0, err = 0;

	for (size_t i = 0; i < 2 && !found; i++) {
		char *text;
		int e = proc_read_text(tables[i], &text);

		if (e < 0) {
			/* A kernel without IPv6 has no tcp6. */
			if (e != -ENOENT)
				err = e;
			continue;
		}
		found = load_table_listens(text, port);
		free(text);
	}
	return found ? 1 : err;
}

/* The number ending just before s[at], or -1 when there is none. */
static int number_before(const char *s, size_t at, uint64_t *n)
{
	size_t end = at, start;

	while (end > 0 && s[end - 1] == ' ')
		end--;
	start = end;
	while (start > 0 && isdigit((unsigned char)s[start - 1]))
		start--;
	if (start == end || (start > 0 && (isalnum((unsigned char)s[start - 1]) ||
					   s[start - 1] == '.' || s[start - 1] == ',')))
		return -1;
	*n = strtoull(s + start, NULL, 10);
	return 0;
}

int load_parse_requests(const char *text, uint64_t *n)
{
	static const char word[] = "requests";
	const char *p = text;
	uint64_t first = 0;
	int has_first = 0;

	/* A labelled total wins over "<N> requests" anywhere: ab writes
	 * "Completed 100 requests" as it goes, before its total. */
	while ((p = strstr(p, word))) {
		size_t at = (size_t)(p - text);
		const char *after = p + sizeof(word) - 1;
		char *end;

		/* "8000 requests": the word whole, after a number. */
		if (!has_first &&
		    (*after == ' ' || *after == '\n' || *after == ',' || *after == '\0') &&
		    number_before(text, at, &first) == 0)
			has_first = 1;
		/* "Complete requests:      1000" */
		if (*after == ':') {
			unsigned long long v;

			after++;
			while (*after == ' ' || *after == '\t')
				after++;
			if (isdigit((unsigned char)*after)) {
				v = strtoull(after, &end, 10);
				if (*end == '\0' || isspace((unsigned char)*end)) {
					*n = v;
					return 1;
				}
			}
		}
		p = after;
	}
	if (has_first)
		*n = first;
	return has_first;
}

int load_keep_output(struct load *l, const char *buf, size_t len)
{
	if (!l->output) {
		l->output = malloc(LOAD_OUTPUT_MAX + 1);
		if (!l->output)
			return -ENOMEM;
	}
	if (len >= LOAD_OUTPUT_MAX) {
		memcpy(l->output, buf + len - LOAD_OUTPUT_MAX, LOAD_OUTPUT_MAX);
		l->len = LOAD_OUTPUT_MAX;
	} else {
		size_t drop = l->len + len > LOAD_OUTPUT_MAX ?
			      l->len + len - LOAD_OUTPUT_MAX : 0;

		memmove(l->output, l->output + drop, l->len - drop);
		memcpy(l->output + l->len - drop, buf, len);
		l->len += len - drop;
	}
	l->output[l->len] = '\0';
	return 0;
}

int load_start(struct load *l, const struct workload_options *opts)
{
	const char *argv[] = { "/bin/sh", "-c", l->command, NULL };
	struct workload_options o = *opts;
	int out[2], err;

	if (pipe2(out, O_CLOEXEC) < 0)
		return errno;
	o.argv = argv;
	o.capture_fd = out[1];
	o.stdout_to_stderr = 0;
	err = workload_prepare(&l->w, &o);
	close(out[1]);
	if (err < 0) {
		close(out[0]);
		return -err;
	}
	err = workload_start(&l->w);
	if (err) {
		close(out[0]);
		return err;
	}
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	l->out_fd = out[0];
	l->state = LOAD_RUNNING;
	return 0;
}

void load_read_output(struct load *l)
{
	char buf[16384];
	ssize_t n;

	while (l->out_fd >= 0) {
		n = read(l->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* EOF: everything that could write to it has gone. */
			if (n == 0) {
				close(l->out_fd);
				l->out_fd = -1;
			}
			return;
		}
		if (l->echo && write(STDERR_FILENO, buf, (size_t)n) < 0) {
			/* Its output is kept for the file all the same. */
		}
		if (load_keep_output(l, buf, (size_t)n) < 0)
			return;
	}
}

/*
 * procfs.c - per-process figures from /proc, read through kept-open fds.
 *
 * Everything here is shaped by cost (see the table in procfs.h): the
 * files are opened once and read with pread(2) at offset 0 into stack
 * buffers, parsed in place without stdio, and only the files a caller
 * asks for are read. The parsers are pure functions of a buffer, so that
 * the unit tests can feed them canned and damaged text.
 *
 * Identity: a /proc/PID fd stays bound to the process it was opened on.
 * Files opened after the handle (statm, status, the task directory,
 * smaps_rollup) are opened by path, so they could in principle land on a
 * new process that reused the pid; each is checked by reading the kept
 * stat fd after the open: if that still works, the original process was
 * not reaped yet when the file was opened, so its pid could not have been
 * reused, and the new fd is the original's too.
 */
#include "procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_USEC 1000ull

/*
 * Read buffers. stat is < 1 KiB even with a 64-byte kernel thread name,
 * and only its first 22 fields are used, so a cut-off read is harmless.
 * status and smaps_rollup are 1-2 KiB, but status grows with the Groups
 * and Cpus_allowed lines on big machines: a full buffer is read again
 * into a larger one (see read_whole()).
 */
#define STAT_BUF 2048
#define STATM_BUF 256
#define STATUS_BUF 4096
#define ROLLUP_BUF 4096
/* The largest /proc text file we accept (Groups can list 65536 gids). */
#define READ_MAX (4u << 20)

/* ---- parsing helpers ---- */

static int is_separator(char c)
{
	return c == ' ' || c == '\n';
}

/*
 * Takes the next token of buf, up to (not including) a space or newline
 * that must lie before end: a token running to the end of the buffer may
 * be cut off, so it is not taken. Separators before the token are not
 * skipped. Returns 0 and [*tok, *tok_end), or -EINVAL.
 */
static int next_token(const char **p, const char *end,
		      const char **tok, const char **tok_end)
{
	const char *q = *p;

	while (q < end && !is_separator(*q))
		q++;
	if (q >= end || q == *p)
		return -EINVAL;
	*tok = *p;
	*tok_end = q;
	*p = q;
	return 0;
}

/* The whole of [s, e) as an unsigned decimal, or -EINVAL. */
static int to_u64(const char *s, const char *e, uint64_t *v)
{
	uint64_t x = 0;

	if (s >= e)
		return -EINVAL;
	for (; s < e; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -EINVAL;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static uint64_t ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	return ticks / hz * NSEC_PER_SEC + ticks % hz * NSEC_PER_SEC / hz;
}

/* Field numbers of /proc/PID/stat (proc(5)), counting from 1. */
enum {
	STAT_STATE = 3,
	STAT_PPID = 4,
	STAT_MINFLT = 10,
	STAT_MAJFLT = 12,
	STAT_UTIME = 14,
	STAT_STIME = 15,
	STAT_THREADS = 20,
	STAT_STARTTIME = 22,
};

int proc_parse_stat(const char *buf, size_t len, long clock_ticks,
		    struct proc_figures *out)
{
	const char *end = buf + len;
	const char *p, *tok, *tok_end;
	uint64_t v[STAT_STARTTIME + 1] = { 0 };
	char state = 0;

	if (clock_ticks <= 0 || !len)
		return -EINVAL;
	/* "pid (comm) S ...": comm may hold ')', spaces, even newlines. */
	p = memrchr(buf, ')', len);
	if (!p)
		return -EINVAL;
	p++;
	for (int field = STAT_STATE; field <= STAT_STARTTIME; field++) {
		if (p >= end || *p != ' ')
			return -EINVAL;
		p++;
		if (next_token(&p, end, &tok, &tok_end))
			return -EINVAL;
		if (field == STAT_STATE) {
			if (tok_end - tok != 1)
				return -EINVAL;
			state = *tok;
			continue;
		}
		switch (field) {
		case STAT_MINFLT:
		case STAT_MAJFLT:
		case STAT_UTIME:
		case STAT_STIME:
		case STAT_THREADS:
		case STAT_STARTTIME:
			if (to_u64(tok, tok_end, &v[field]))
				return -EINVAL;
			break;
		default:
			break;  /* some are signed (tty, nice): not needed */
		}
	}
	if (v[STAT_THREADS] > UINT32_MAX)
		return -EINVAL;

	out->state = state;
	out->minflt = v[STAT_MINFLT];
	out->majflt = v[STAT_MAJFLT];
	out->utime_ns = ticks_to_ns(v[STAT_UTIME], (uint64_t)clock_ticks);
	out->stime_ns = ticks_to_ns(v[STAT_STIME], (uint64_t)clock_ticks);
	out->threads = (uint32_t)v[STAT_THREADS];
	out->start_ns = ticks_to_ns(v[STAT_STARTTIME], (uint64_t)clock_ticks);
	out->have |= PROC_HAVE_STATE | PROC_HAVE_TIMES | PROC_HAVE_FAULTS |
		     PROC_HAVE_THREADS | PROC_HAVE_START;
	return 0;
}

int proc_parse_statm(const char *buf, size_t len, long page_size,
		     struct proc_figures *out)
{
	const char *p = buf, *end = buf + len, *tok, *tok_end;
	uint64_t size, resident;

	if (page_size <= 0)
		return -EINVAL;
	if (next_token(&p, end, &tok, &tok_end) ||
	    to_u64(tok, tok_end, &size) || *p++ != ' ' ||
	    next_token(&p, end, &tok, &tok_end) ||
	    to_u64(tok, tok_end, &resident))
		return -EINVAL;
	/* All zero: no address space (zombie, or main thread exited). */
	if (size == 0 && resident == 0)
		return 0;
	if (resident > UINT64_MAX / (uint64_t)page_size)
		return -EINVAL;
	out->rss_bytes = resident * (uint64_t)page_size;
	out->have |= PROC_HAVE_RSS;
	return 0;
}

/*
 * If line [s, e) starts with key, returns where its value starts (after
 * blanks), else NULL.
 */
static const char *line_value(const char *s, const char *e, const char *key)
{
	size_t n = strlen(key);

	if ((size_t)(e - s) < n || memcmp(s, key, n))
		return NULL;
	for (s += n; s < e && (*s == ' ' || *s == '\t'); s++)
		;
	return s;
}

/* The decimal at the start of [s, e), ending at a blank or at e. */
static int line_number(const char *s, const char *e, uint64_t *v)
{
	const char *q = s;

	while (q < e && *q != ' ' && *q != '\t')
		q++;
	return to_u64(s, q, v);
}

/* Same, for a "<n> kB" value, in bytes. */
static int line_kib(const char *s, const char *e, uint64_t *bytes)
{
	uint64_t kib;

	if (line_number(s, e, &kib) || kib > UINT64_MAX / 1024)
		return -EINVAL;
	*bytes = kib * 1024;
	return 0;
}

static int is_dead_state(char state)
{
	return state == 'Z' || state == 'X';
}

int proc_parse_status(const char *buf, size_t len, struct proc_figures *out)
{
	const char *p = buf, *end = buf + len;
	uint64_t threads = 0, rss = 0, hwm = 0, nvcsw = 0, nivcsw = 0;
	unsigned seen = 0;
	char state = 0;
	enum { S_STATE = 1, S_THREADS = 2, S_RSS = 4, S_HWM = 8,
	       S_NVCSW = 16, S_NIVCSW = 32 };

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *v = NULL;

		if (!nl)
			break;  /* a cut-off last line is not taken */
		/* Most of the ~55 lines are skipped on their first byte. */
		switch (*p) {
		case 'S':
			if ((v = line_value(p, nl, "State:")) && v < nl && *v != ' ') {
				state = *v;
				seen |= S_STATE;
			}
			break;
		case 'T':
			if ((v = line_value(p, nl, "Threads:")) &&
			    !line_number(v, nl, &threads) && threads <= UINT32_MAX)
				seen |= S_THREADS;
			break;
		case 'V':
			if ((v = line_value(p, nl, "VmHWM:"))) {
				if (!line_kib(v, nl, &hwm))
					seen |= S_HWM;
			} else if ((v = line_value(p, nl, "VmRSS:"))) {
				if (!line_kib(v, nl, &rss))
					seen |= S_RSS;
			}
			break;
		case 'v':
			if ((v = line_value(p, nl, "voluntary_ctxt_switches:")) &&
			    !line_number(v, nl, &nvcsw))
				seen |= S_NVCSW;
			break;
		case 'n':
			if ((v = line_value(p, nl, "nonvoluntary_ctxt_switches:")) &&
			    !line_number(v, nl, &nivcsw))
				seen |= S_NIVCSW;
			break;
		default:
			break;
		}
		p = nl + 1;
	}
	if (!seen)
		return -EINVAL;

	if (seen & S_STATE) {
		out->state = state;
		out->have |= PROC_HAVE_STATE;
	}
	if (seen & S_THREADS) {
		out->threads = (uint32_t)threads;
		out->have |= PROC_HAVE_THREADS;
	}
	if (seen & S_RSS) {
		out->rss_bytes = rss;
		out->have |= PROC_HAVE_RSS;
	}
	if (seen & S_HWM) {
		out->hwm_bytes = hwm;
		out->have |= PROC_HAVE_HWM;
	}
	if ((seen & (S_NVCSW | S_NIVCSW)) == (S_NVCSW | S_NIVCSW)) {
		int whole = (seen & S_STATE) && !is_dead_state(state) &&
			    (seen & S_THREADS) && threads == 1;

		out->nvcsw = nvcsw;
		out->nivcsw = nivcsw;
		out->have &= ~(unsigned)(PROC_HAVE_CTXSW | PROC_HAVE_CTXSW_MAIN);
		out->have |= whole ? PROC_HAVE_CTXSW : PROC_HAVE_CTXSW_MAIN;
	}
	return 0;
}

int proc_parse_smaps_rollup(const char *buf, size_t len,
			    uint64_t *pss_bytes, uint64_t *rss_bytes)
{
	const char *p = buf, *end = buf + len;
	uint64_t pss = 0, rss = 0;
	int have_pss = 0, have_rss = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *v;

		if (!nl)
			break;
		/* "Pss:" with its colon, not "Pss_Anon:" and the like */
		if ((v = line_value(p, nl, "Pss:")))
			have_pss = !line_kib(v, nl, &pss);
		else if ((v = line_value(p, nl, "Rss:")))
			have_rss = !line_kib(v, nl, &rss);
		p = nl + 1;
	}
	if (!have_pss || !have_rss)
		return -EINVAL;
	if (pss_bytes)
		*pss_bytes = pss;
	if (rss_bytes)
		*rss_bytes = rss;
	return 0;
}

/* ---- reading ---- */

static ssize_t pread0(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/*
 * Reads a whole /proc file from offset 0. One pread(2) of a seq_file
 * gets one consistent generation of the file as long as the buffer holds
 * all of it, so when buf (cap bytes) comes back full the read is done
 * again into a larger buffer, which *heap then owns (free it, even on
 * error). Sets *data to where the text is; returns its length or -errno.
 */
static ssize_t read_whole(int fd, char *buf, size_t cap, char **heap,
			  const char **data)
{
	ssize_t n = pread0(fd, buf, cap);
	size_t size = cap;

	*data = buf;
	while (n >= 0 && (size_t)n == size) {
		char *bigger;

		if (size >= READ_MAX)
			return -EFBIG;
		size *= 4;
		bigger = realloc(*heap, size);
		if (!bigger)
			return -ENOMEM;
		*heap = bigger;
		*data = bigger;
		n = pread0(fd, bigger, size);
	}
	return n;
}

static int open_errno(void)
{
	/* No /proc/PID at all: the process is gone (or never was). */
	return errno == ENOENT ? -ESRCH : -errno;
}

/*
 * Opens /proc/PID/name and checks it is the handle's process (see the top
 * of this file). Returns the fd or -errno.
 */
static int open_checked(const struct proc_handle *h, const char *name,
			int flags)
{
	char path[64], byte;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)h->pid, name);
	fd = open(path, flags | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return open_errno();
	n = pread0(h->stat_fd, &byte, 1);
	if (n < 0) {
		close(fd);
		return (int)n;
	}
	return fd;
}

int proc_handle_open(struct proc_handle *h, pid_t pid)
{
	char path[64];

	h->pid = pid;
	h->stat_fd = h->statm_fd = h->status_fd = h->task_fd = h->schedstat_fd = -1;
	h->sched_fd = -1;
	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	h->stat_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->stat_fd < 0)
		return open_errno();
	return 0;
}

void proc_handle_release(struct proc_handle *h)
{
	int *fds[] = { &h->task_fd, &h->status_fd, &h->statm_fd, &h->stat_fd,
		       &h->schedstat_fd, &h->sched_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Opens *fd on first use. */
static int ensure_open(const struct proc_handle *h, int *fd, const char *name,
		       int flags)
{
	if (*fd >= 0)
		return 0;
	*fd = open_checked(h, name, flags);
	if (*fd < 0) {
		int err = *fd;

		*fd = -1;
		return err;
	}
	return 0;
}

static long clock_ticks(void)
{
	static long hz;

	if (!hz) {
		long v = sysconf(_SC_CLK_TCK);

		hz = v > 0 ? v : 100;
	}
	return hz;
}

static long page_size(void)
{
	static long size;

	if (!size) {
		long v = sysconf(_SC_PAGESIZE);

		size = v > 0 ? v : 4096;
	}
	return size;
}

static int read_stat(struct proc_handle *h, struct proc_figures *out)
{
	char buf[STAT_BUF];
	ssize_t n = pread0(h->stat_fd, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return proc_parse_stat(buf, (size_t)n, clock_ticks(), out);
}

int proc_parse_stat_identity(const char *buf, size_t len, char comm[16],
			     pid_t *ppid)
{
	const char *end = buf + len, *open, *close, *p, *tok, *tok_end;
	uint64_t v;
	size_t n;

	open = memchr(buf, '(', len);
	close = memrchr(buf, ')', len);
	if (!open || !close || close < open)
		return -EINVAL;
	/* ") S PPID ": the state, then the parent. */
	p = close + 1;
	for (int field = STAT_STATE; field <= STAT_PPID; field++) {
		if (p >= end || *p != ' ')
			return -EINVAL;
		p++;
		if (next_token(&p, end, &tok, &tok_end))
			return -EINVAL;
	}
	if (to_u64(tok, tok_end, &v) || v > INT32_MAX)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n > 15)
		n = 15;
	memcpy(comm, open + 1, n);
	comm[n] = '\0';
	*ppid = (pid_t)v;
	return 0;
}

int proc_read_identity(pid_t pid, pid_t tid, char comm[16], pid_t *ppid)
{
	char path[64], buf[STAT_BUF];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = pread0(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return (int)n;
	return proc_parse_stat_identity(buf, (size_t)n, comm, ppid);
}

int proc_parse_schedstat(const char *buf, size_t len, struct proc_figures *out)
{
	const char *p = buf, *end = buf + len, *tok, *tok_end;
	uint64_t v;

	/* The first number must be followed by its separator to count. */
	if (next_token(&p, end, &tok, &tok_end) || p >= end ||
	    to_u64(tok, tok_end, &v))
		return -EINVAL;
	out->ran_ns = v;
	out->have |= PROC_HAVE_RAN;
	return 0;
}

int proc_parse_sched(const char *buf, size_t len, struct proc_figures *out)
{
	static const char key[] = "se.nr_migrations";
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		/* A line counts only when it is complete. */
		if (!eol)
			break;
		if ((size_t)(eol - p) > sizeof(key) - 1 && !memcmp(p, key, sizeof(key) - 1) &&
		    (p[sizeof(key) - 1] == ' ' || p[sizeof(key) - 1] == '\t')) {
			const char *q = memchr(p, ':', (size_t)(eol - p)), *s;
			uint64_t v;

			if (!q)
				return -EINVAL;
			for (s = q + 1; s < eol && (*s == ' ' || *s == '\t'); s++)
				;
			if (to_u64(s, eol, &v))
				return -EINVAL;
			out->migrations = v;
			out->have |= PROC_HAVE_MIGRATIONS;
			return 0;
		}
		p = eol + 1;
	}
	return -EINVAL;
}

static int read_sched(struct proc_handle *h, struct proc_figures *out)
{
	char buf[STATUS_BUF], *heap = NULL;
	const char *data;
	ssize_t n;
	static int have_sched = -1;
	int err;

	/* Without CONFIG_SCHED_DEBUG there is no such file, for anyone: not
	 * to be taken for a process that has gone. */
	if (have_sched < 0)
		have_sched = access("/proc/self/sched", R_OK) == 0;
	if (!have_sched)
		return -ENOENT;
	err = ensure_open(h, &h->sched_fd, "sched", 0);
	if (err)
		return err;
	n = read_whole(h->sched_fd, buf, sizeof(buf), &heap, &data);
	err = n < 0 ? (int)n : proc_parse_sched(data, (size_t)n, out);
	free(heap);
	return err;
}

static int read_schedstat(struct proc_handle *h, struct proc_figures *out)
{
	char buf[128];
	ssize_t n;
	int err = ensure_open(h, &h->schedstat_fd, "schedstat", 0);

	if (err)
		return err;
	n = pread0(h->schedstat_fd, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return proc_parse_schedstat(buf, (size_t)n, out);
}

static int read_statm(struct proc_handle *h, struct proc_figures *out)
{
	char buf[STATM_BUF];
	ssize_t n;
	int err = ensure_open(h, &h->statm_fd, "statm", 0);

	if (err)
		return err;
	n = pread0(h->statm_fd, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return proc_parse_statm(buf, (size_t)n, page_size(), out);
}

/* Reads and parses one status file through fd. */
static int read_status_fd(int fd, struct proc_figures *out)
{
	char buf[STATUS_BUF], *heap = NULL;
	const char *data;
	ssize_t n = read_whole(fd, buf, sizeof(buf), &heap, &data);
	int err = n < 0 ? (int)n : proc_parse_status(data, (size_t)n, out);

	free(heap);
	return err;
}

static int read_status(struct proc_handle *h, struct proc_figures *out)
{
	int err = ensure_open(h, &h->status_fd, "status", 0);

	return err ? err : read_status_fd(h->status_fd, out);
}

/*
 * Sums context switches over /proc/PID/task/TID/status. A thread that
 * exits between the listing and its read is skipped; so is one whose
 * status has no switch lines (never seen, but then it has nothing to add).
 */
static int read_threads(struct proc_handle *h, struct proc_figures *out)
{
	union {
		struct dirent64 d;
		char bytes[8192];
	} dents;
	uint64_t nvcsw = 0, nivcsw = 0;
	unsigned read_any = 0, alive = 0;
	int err = ensure_open(h, &h->task_fd, "task", O_DIRECTORY);

	if (err)
		return err;
	if (lseek(h->task_fd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		ssize_t n = getdents64(h->task_fd, dents.bytes, sizeof(dents.bytes));

		if (n < 0)  /* ENOENT: the process has been reaped */
			return errno == ENOENT ? -ESRCH : -errno;
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			const struct dirent64 *d = (const void *)(dents.bytes + off);
			struct proc_figures t = { 0 };
			char path[NAME_MAX + 16];
			int fd;

			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "%s/status", d->d_name);
			fd = openat(h->task_fd, path, O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				if (errno == ENOENT || errno == ESRCH)
					continue;  /* the thread has exited */
				return -errno;
			}
			err = read_status_fd(fd, &t);
			close(fd);
			if (err == -ESRCH)
				continue;
			if (err)
				return err;
			if (!(t.have & (PROC_HAVE_CTXSW | PROC_HAVE_CTXSW_MAIN)))
				continue;
			nvcsw += t.nvcsw;
			nivcsw += t.nivcsw;
			read_any++;
			if ((t.have & PROC_HAVE_STATE) && !is_dead_state(t.state))
				alive++;
		}
	}
	if (!read_any) {
		/* No thread left to read: the process is gone or going. */
		return pread0(h->stat_fd, dents.bytes, 1) < 0 ? -ESRCH : 0;
	}
	out->nvcsw = nvcsw;
	out->nivcsw = nivcsw;
	out->have &= ~(unsigned)(PROC_HAVE_CTXSW | PROC_HAVE_CTXSW_MAIN);
	/* Only a zombie's main thread left: its figures, not the process's. */
	out->have |= alive ? PROC_HAVE_CTXSW : PROC_HAVE_CTXSW_MAIN;
	return 0;
}

static int read_rollup_fd(int fd, uint64_t *pss_bytes, uint64_t *rss_bytes)
{
	char buf[ROLLUP_BUF], *heap = NULL;
	const char *data;
	ssize_t n = read_whole(fd, buf, sizeof(buf), &heap, &data);
	int err = n < 0 ? (int)n :
		  proc_parse_smaps_rollup(data, (size_t)n, pss_bytes, rss_bytes);

	free(heap);
	return err;
}

static int read_pss(struct proc_handle *h, struct proc_figures *out)
{
	uint64_t pss, rss;
	int fd = open_checked(h, "smaps_rollup", 0);
	int err;

	if (fd < 0)
		return fd;
	err = read_rollup_fd(fd, &pss, &rss);
	close(fd);
	if (err)
		return err;
	out->pss_bytes = pss;
	out->have |= PROC_HAVE_PSS;
	if (!(out->have & PROC_HAVE_RSS)) {
		out->rss_bytes = rss;
		out->have |= PROC_HAVE_RSS;
	}
	return 0;
}

int proc_handle_read(struct proc_handle *h, unsigned what,
		     struct proc_figures *out)
{
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (h->stat_fd < 0)
		return -EBADF;
	if (what & PROC_READ_SCHEDSTAT)
		err = read_schedstat(h, out);
	if (!err && (what & PROC_READ_STAT))
		err = read_stat(h, out);
	if (!err && (what & PROC_READ_STATM))
		err = read_statm(h, out);
	if (!err && (what & PROC_READ_STATUS))
		err = read_status(h, out);
	/* A live single-threaded process: status already had the sum. */
	if (!err && (what & PROC_READ_THREADS) && !(out->have & PROC_HAVE_CTXSW))
		err = read_threads(h, out);
	if (!err && (what & PROC_READ_PSS))
		err = read_pss(h, out);
	/* Only where the kernel has it (CONFIG_SCHED_DEBUG): else left out. */
	if (!err && (what & PROC_READ_SCHED) && read_sched(h, out) == -ENOENT)
		err = 0;
	return err;
}

int proc_read_pss(pid_t pid, uint64_t *pss_bytes, uint64_t *rss_bytes)
{
	char path[64];
	int fd, err;

	if (pid <= 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return open_errno();
	err = read_rollup_fd(fd, pss_bytes, rss_bytes);
	close(fd);
	return err;
}

/* ---- at exit ---- */

static uint64_t timeval_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC +
	       (uint64_t)tv->tv_usec * NSEC_PER_USEC;
}

void proc_figures_from_rusage(const struct rusage *ru, struct proc_figures *out)
{
	memset(out, 0, sizeof(*out));
	out->utime_ns = timeval_ns(&ru->ru_utime);
	out->stime_ns = timeval_ns(&ru->ru_stime);
	out->minflt = (uint64_t)ru->ru_minflt;
	out->majflt = (uint64_t)ru->ru_majflt;
	out->nvcsw = (uint64_t)ru->ru_nvcsw;
	out->nivcsw = (uint64_t)ru->ru_nivcsw;
	out->hwm_bytes = (uint64_t)ru->ru_maxrss * 1024;  /* KiB */
	out->have = PROC_HAVE_TIMES | PROC_HAVE_FAULTS | PROC_HAVE_CTXSW |
		    PROC_HAVE_HWM | PROC_HAVE_WAITED_CHILDREN;
}

int proc_peek_exited_child(pid_t pid, struct proc_figures *out)
{
	siginfo_t si;
	struct rusage ru;

	if (pid <= 0)
		return -EINVAL;
	memset(&si, 0, sizeof(si));
	memset(&ru, 0, sizeof(ru));
	/* glibc's waitid() has no rusage argument; the system call has. */
	if (syscall(SYS_waitid, P_PID, (id_t)pid, &si,
		    WEXITED | WNOWAIT | WNOHANG, &ru) < 0)
		return -errno;
	if (si.si_pid == 0)
		return -EAGAIN;
	proc_figures_from_rusage(&ru, out);
	out->state = 'Z';
	out->have |= PROC_HAVE_STATE;
	return 0;
}

/* ---- small files, whole ---- */

/*
 * The whole of a (small, /proc or cgroupfs) file open on fd, from its
 * start, NUL-terminated: with pread(2), so a kept-open fd reads afresh.
 */
int proc_read_fd_text(int fd, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL;

	*out = NULL;
	for (;;) {
		ssize_t n;

		if (!buf || len + 1 >= cap) {
			char *bigger = realloc(buf, buf ? cap *= 2 : cap);

			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
		}
		n = pread(fd, buf + len, cap - len - 1, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int proc_read_text(const char *path, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	*out = NULL;
	if (fd < 0)
		return -errno;
	err = proc_read_fd_text(fd, out);
	close(fd);
	return err;
}

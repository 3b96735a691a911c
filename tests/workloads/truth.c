/*
 * truth.c - the workloads' own accounting: taking --truth FILE out of argv
 * and writing getrusage() figures as key=value lines (format in truth.h),
 * from birth or since a baseline; and the few helpers several workloads
 * share (CPU clock, forking a bounded number of children).
 *
 * The writer avoids anything that could fault or block between the
 * measurement and exit: the file is opened and the facts are formatted into
 * a fixed buffer before getrusage(), and the buffer and the stack that
 * snprintf() uses are already touched by then. Only write(2) and close(2)
 * follow the measurement.
 */
#include "truth.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TRUTH_MAX_FACTS 16
#define TRUTH_BUF_SIZE 4096

struct truth_fact {
	const char *key;
	long long value;
};

/* getrusage SELF + CHILDREN, the figures that add up (maxrss does not). */
struct truth_usage {
	unsigned long long utime_us, stime_us, nvcsw, nivcsw, minflt, majflt;
	long maxrss_kib;
};

static struct truth_fact facts[TRUTH_MAX_FACTS];
static int nr_facts;
static char truth_buf[TRUTH_BUF_SIZE];
/* All zero until truth_set_baseline(): the truth then counts from birth. */
static struct truth_usage baseline;

const char *truth_take_option(int *argc, char **argv)
{
	const char *path = NULL;
	int used = 0;

	if (*argc < 2)
		return NULL;
	if (!strcmp(argv[1], "--truth")) {
		if (*argc < 3 || !argv[2][0]) {
			fprintf(stderr, "%s: --truth needs a file name\n", argv[0]);
			exit(2);
		}
		path = argv[2];
		used = 2;
	} else if (!strncmp(argv[1], "--truth=", 8)) {
		path = argv[1] + 8;
		if (!*path) {
			fprintf(stderr, "%s: --truth needs a file name\n", argv[0]);
			exit(2);
		}
		used = 1;
	} else {
		return NULL;
	}
	/* Shift the remaining arguments (and the terminating NULL) down. */
	memmove(&argv[1], &argv[1 + used], (size_t)(*argc - used) * sizeof(*argv));
	*argc -= used;
	return path;
}

void truth_fact(const char *key, long long value)
{
	if (nr_facts == TRUTH_MAX_FACTS) {
		fprintf(stderr, "truth: too many facts, '%s' dropped\n", key);
		return;
	}
	facts[nr_facts].key = key;
	facts[nr_facts].value = value;
	nr_facts++;
}

static unsigned long long timeval_us(const struct timeval *tv)
{
	return (unsigned long long)tv->tv_sec * 1000000ull +
	       (unsigned long long)tv->tv_usec;
}

/* Nothing here allocates or blocks: it runs at the measurement. */
static int measure(struct truth_usage *u)
{
	struct rusage self, children;

	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &children))
		return -1;
	u->utime_us = timeval_us(&self.ru_utime) + timeval_us(&children.ru_utime);
	u->stime_us = timeval_us(&self.ru_stime) + timeval_us(&children.ru_stime);
	u->nvcsw = (unsigned long long)(self.ru_nvcsw + children.ru_nvcsw);
	u->nivcsw = (unsigned long long)(self.ru_nivcsw + children.ru_nivcsw);
	u->minflt = (unsigned long long)(self.ru_minflt + children.ru_minflt);
	u->majflt = (unsigned long long)(self.ru_majflt + children.ru_majflt);
	u->maxrss_kib = self.ru_maxrss > children.ru_maxrss ? self.ru_maxrss : children.ru_maxrss;
	return 0;
}

void truth_set_baseline(void)
{
	if (measure(&baseline)) {
		/* Counting from birth instead would be wrong without a word. */
		fprintf(stderr, "truth: getrusage: %s\n", strerror(errno));
		exit(1);
	}
}

/* Appends to truth_buf; returns the new length, or -1 when it is full. */
static int buf_append(int len, const char *key, unsigned long long value)
{
	int n = snprintf(truth_buf + len, sizeof(truth_buf) - (size_t)len,
			 "%s=%llu\n", key, value);

	if (n < 0 || (size_t)n >= sizeof(truth_buf) - (size_t)len)
		return -1;
	return len + n;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int truth_write(const char *path)
{
	struct truth_usage u;
	char facts_text[1024];
	int facts_len = 0, len = 0, fd, i;

	if (!path)
		return 0;

	/* Everything that may allocate, fault or block happens first. */
	for (i = 0; i < nr_facts; i++) {
		int n = snprintf(facts_text + facts_len,
				 sizeof(facts_text) - (size_t)facts_len,
				 "%s=%lld\n", facts[i].key, facts[i].value);

		if (n < 0 || (size_t)n >= sizeof(facts_text) - (size_t)facts_len) {
			fprintf(stderr, "truth: facts do not fit\n");
			return -1;
		}
		facts_len += n;
	}
	memset(truth_buf, 0, sizeof(truth_buf));
	if (buf_append(0, "warm_up_the_stack", 0) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "truth: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}

	/* The measurement. */
	if (measure(&u)) {
		fprintf(stderr, "truth: getrusage: %s\n", strerror(errno));
		close(fd);
		return -1;
	}

	/* Since the baseline, if any; the peak is the whole life's. */
	len = buf_append(len, "utime_us", u.utime_us - baseline.utime_us);
	len = len < 0 ? len : buf_append(len, "stime_us", u.stime_us - baseline.stime_us);
	len = len < 0 ? len : buf_append(len, "nvcsw", u.nvcsw - baseline.nvcsw);
	len = len < 0 ? len : buf_append(len, "nivcsw", u.nivcsw - baseline.nivcsw);
	len = len < 0 ? len : buf_append(len, "minflt", u.minflt - baseline.minflt);
	len = len < 0 ? len : buf_append(len, "majflt", u.majflt - baseline.majflt);
	len = len < 0 ? len : buf_append(len, "maxrss_kib", (unsigned long long)u.maxrss_kib);
	if (len < 0 || (size_t)len + (size_t)facts_len > sizeof(truth_buf)) {
		fprintf(stderr, "truth: buffer too small\n");
		close(fd);
		return -1;
	}
	memcpy(truth_buf + len, facts_text, (size_t)facts_len);
	len += facts_len;

	if (write_all(fd, truth_buf, (size_t)len) < 0) {
		fprintf(stderr, "truth: cannot write '%s': %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		fprintf(stderr, "truth: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

long long truth_parse_count(const char *s, const char *what, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max) {
		fprintf(stderr, "invalid %s '%s': expected an integer from 0 to %lld\n",
			what, s, max);
		exit(2);
	}
	return v;
}

double truth_parse_seconds(const char *s, const char *what, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > max) {
		fprintf(stderr, "invalid %s '%s': expected seconds, more than 0 and at most %g\n",
			what, s, max);
		exit(2);
	}
	return v;
}

long long truth_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int truth_reap_one(void)
{
	int status;

	while (wait(&status) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

long long truth_fork_and_wait(long long n, long long max_alive,
			      void (*fn)(long long arg), long long arg,
			      const char *name)
{
	long long started = 0, alive = 0, failed = 0;

	while (started < n || alive) {
		if (started < n && alive < max_alive) {
			pid_t pid = fork();

			if (pid == 0)
				fn(arg);
			if (pid > 0) {
				started++;
				alive++;
				continue;
			}
			if (errno != EAGAIN || !alive) {
				fprintf(stderr, "%s: fork: %s\n", name, strerror(errno));
				failed += n - started;
				started = n;
				continue;
			}
			/* EAGAIN with children alive: reap one and retry. */
		}
		failed += truth_reap_one() ? 1 : 0;
		alive--;
	}
	return failed;
}

int truth_read_byte(int fd, char *c)
{
	for (;;) {
		ssize_t n = read(fd, c, 1);

		if (n == 1)
			return 0;
		if (n == 0)
			return 1; /* the other side is gone */
		if (errno != EINTR)
			return -1;
	}
}

int truth_write_byte(int fd, char c)
{
	for (;;) {
		ssize_t n = write(fd, &c, 1);

		if (n == 1)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/*
 * procfs_cost - what reading /proc costs the collector, per process and
 * per tick (collector/procfs.c).
 *
 *   gcc -O2 -std=c11 -D_GNU_SOURCE -Icollector bench/procfs_cost.c \
 *       collector/procfs.c -o procfs_cost && ./procfs_cost [MAX_PROCS]
 *
 * Forks up to MAX_PROCS (default 1000) sleeping children of its own and
 * reads them as the collector would, one "tick" being one read of every
 * child. Costs are the CPU time of the reading thread
 * (CLOCK_THREAD_CPUTIME_ID), which is what counts against the collector's
 * budget and is less disturbed by other load than wall time; each figure
 * is the median over rounds. Every measurement stops after a fixed time
 * budget, so the whole run takes well under a minute. Prints Markdown
 * tables on stdout; progress and problems on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"

#define MIB (1ul << 20)
#define CELL_BUDGET_NS 150000000ull  /* per measured figure */
#define MAX_ROUNDS 20000
#define MIN_ROUNDS 3

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Runs round(arg) until the budget is spent; returns the median CPU time
 * of one round in ns, or -1 if a round failed.
 */
static double measure(int (*round)(void *), void *arg)
{
	static uint64_t times[MAX_ROUNDS];
	uint64_t start = clock_ns(CLOCK_MONOTONIC);
	size_t n = 0;

	while (n < MAX_ROUNDS &&
	       (n < MIN_ROUNDS || clock_ns(CLOCK_MONOTONIC) - start < CELL_BUDGET_NS)) {
		uint64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);

		if (round(arg))
			return -1;
		times[n++] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
	}
	qsort(times, n, sizeof(times[0]), cmp_u64);
	return (double)times[n / 2];
}

/* ---- children ---- */

static pid_t *kids;
static size_t nr_kids;
static int hold_fd = -1;  /* children block reading its other end */

/* Forks until there are n sleeping children. */
static int grow_kids(size_t n)
{
	static int hold[2] = { -1, -1 };

	if (hold[0] < 0) {
		if (pipe2(hold, O_CLOEXEC))
			return -errno;
		hold_fd = hold[1];
	}
	kids = realloc(kids, n * sizeof(*kids));
	if (!kids)
		return -ENOMEM;
	while (nr_kids < n) {
		pid_t pid = fork();
		char c;

		if (pid < 0)
			return -errno;
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(hold[1]);
			while (read(hold[0], &c, 1) > 0)
				;
			_exit(0);
		}
		kids[nr_kids++] = pid;
	}
	return 0;
}

static void end_kids(void)
{
	close(hold_fd);
	for (size_t i = 0; i < nr_kids; i++)
		waitpid(kids[i], NULL, 0);
	free(kids);
}

/* ---- one file, one process ---- */

struct raw {
	int fd;
	const char *path;
	char buf[8192];
	ssize_t len;
};

static int round_pread(void *arg)
{
	struct raw *r = arg;

	r->len = pread(r->fd, r->buf, sizeof(r->buf), 0);
	return r->len < 0;
}

static int round_open_read_close(void *arg)
{
	struct raw *r = arg;
	int fd = open(r->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 1;
	r->len = read(fd, r->buf, sizeof(r->buf));
	close(fd);
	return r->len < 0;
}

/* The parsers alone, 100 times per round (one is too short to time). */
static int round_parse_stat(void *arg)
{
	struct raw *r = arg;
	struct proc_figures f = { 0 };

	for (int i = 0; i < 100; i++)
		if (proc_parse_stat(r->buf, (size_t)r->len, 100, &f))
			return 1;
	return 0;
}

static int round_parse_statm(void *arg)
{
	struct raw *r = arg;
	struct proc_figures f = { 0 };

	for (int i = 0; i < 100; i++)
		if (proc_parse_statm(r->buf, (size_t)r->len, 4096, &f))
			return 1;
	return 0;
}

static int round_parse_status(void *arg)
{
	struct raw *r = arg;
	struct proc_figures f = { 0 };

	for (int i = 0; i < 100; i++)
		if (proc_parse_status(r->buf, (size_t)r->len, &f))
			return 1;
	return 0;
}

static int round_parse_rollup(void *arg)
{
	struct raw *r = arg;
	uint64_t pss;

	for (int i = 0; i < 100; i++)
		if (proc_parse_smaps_rollup(r->buf, (size_t)r->len, &pss, NULL))
			return 1;
	return 0;
}

static void per_file_table(pid_t pid)
{
	static const struct {
		const char *file;
		int (*parse)(void *);
	} files[] = {
		{ "stat", round_parse_stat },
		{ "statm", round_parse_statm },
		{ "status", round_parse_status },
		{ "smaps_rollup", round_parse_rollup },
	};
	static struct raw r;
	char path[64];

	printf("## One sleeping single-threaded process (%d): cost of one read, us\n\n", (int)pid);
	printf("| file | pread, kept-open fd | open+read+close | parse | bytes |\n");
	printf("|---|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		double pr, orc, parse;

		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i].file);
		r.path = path;
		r.fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r.fd < 0) {
			printf("| %s | %s | | | |\n", files[i].file, strerror(errno));
			continue;
		}
		pr = measure(round_pread, &r);
		orc = measure(round_open_read_close, &r);
		parse = measure(files[i].parse, &r) / 100;
		printf("| %s | %.2f | %.2f | %.3f | %zd |\n", files[i].file,
		       pr / 1e3, orc / 1e3, parse / 1e3, r.len);
		close(r.fd);
	}
	printf("\n");
}

/* ---- ticks over many processes ---- */

struct tick {
	struct proc_handle *h;
	size_t n;
	unsigned what;
};

static int round_tick(void *arg)
{
	struct tick *t = arg;
	struct proc_figures f;

	for (size_t i = 0; i < t->n; i++)
		if (proc_handle_read(&t->h[i], t->what, &f))
			return 1;
	return 0;
}

static const struct {
	const char *name;
	unsigned what;
} plans[] = {
	{ "statm (RSS)", PROC_READ_STATM },
	{ "stat (CPU, faults)", PROC_READ_STAT },
	{ "stat + statm", PROC_READ_STAT | PROC_READ_STATM },
	{ "status (HWM, ctxsw)", PROC_READ_STATUS },
	{ "stat + statm + status", PROC_READ_STAT | PROC_READ_STATM | PROC_READ_STATUS },
	{ "smaps_rollup (PSS)", PROC_READ_PSS },
};
#define NR_PLANS (sizeof(plans) / sizeof(plans[0]))

static void tick_table(size_t max_procs)
{
	static const size_t counts[] = { 1, 10, 100, 1000 };
	double cost[4][NR_PLANS];
	size_t done = 0;
	uint64_t kid_rss = 0;
	struct proc_handle h0;
	struct proc_figures f0;

	if (proc_handle_open(&h0, kids[0]) == 0) {
		if (proc_handle_read(&h0, PROC_READ_STATM, &f0) == 0)
			kid_rss = f0.rss_bytes;
		proc_handle_release(&h0);
	}

	for (size_t c = 0; c < 4 && counts[c] <= max_procs; c++) {
		size_t n = counts[c];
		struct proc_handle *h = calloc(n, sizeof(*h));
		struct tick t = { h, n, 0 };
		size_t opened = 0;
		int err = grow_kids(n);

		if (err || !h) {
			fprintf(stderr, "procfs_cost: cannot start %zu processes: %s\n",
				n, strerror(err ? -err : ENOMEM));
			free(h);
			break;
		}
		for (; opened < n; opened++) {
			struct proc_figures f;

			err = proc_handle_open(&h[opened], kids[opened]);
			/* open every file a plan uses, as a collector would */
			if (!err)
				err = proc_handle_read(&h[opened], PROC_READ_STAT |
						       PROC_READ_STATM | PROC_READ_STATUS, &f);
			if (err)
				break;
		}
		if (err) {
			fprintf(stderr, "procfs_cost: %zu processes: %s after %zu (raise ulimit -n)\n",
				n, strerror(-err), opened);
			for (size_t i = 0; i < opened; i++)
				proc_handle_release(&h[i]);
			free(h);
			break;
		}
		fprintf(stderr, "procfs_cost: %zu processes...\n", n);
		for (size_t p = 0; p < NR_PLANS; p++) {
			t.what = plans[p].what;
			cost[c][p] = measure(round_tick, &t);
		}
		for (size_t i = 0; i < n; i++)
			proc_handle_release(&h[i]);
		free(h);
		done = c + 1;
	}

	printf("## One tick: every process read once (sleeping, single-threaded, %.1f MiB RSS each)\n\n",
	       (double)kid_rss / MIB);
	printf("us of CPU per tick, and per process in brackets. At a 10 ms interval, 100 us per tick is 1%% of a core.\n\n");
	printf("| read per tick |");
	for (size_t c = 0; c < done; c++)
		printf(" %zu proc |", counts[c]);
	printf(" %% of a core at 10 ms, 100 proc |\n|---|");
	for (size_t c = 0; c < done; c++)
		printf("---:|");
	printf("---:|\n");
	for (size_t p = 0; p <= NR_PLANS; p++) {
		double v[4];

		for (size_t c = 0; c < done; c++) {
			/*
			 * The last row is not measured but computed: statm every
			 * tick, stat every 10th, status every 100th (1 Hz at 10 ms).
			 */
			if (p < NR_PLANS)
				v[c] = cost[c][p];
			else if (cost[c][0] < 0 || cost[c][1] < 0 || cost[c][3] < 0)
				v[c] = -1;
			else
				v[c] = cost[c][0] + cost[c][1] / 10 + cost[c][3] / 100;
		}
		printf("| %s |", p < NR_PLANS ? plans[p].name :
		       "advised mix, amortized: statm + stat/10 + status/100");
		for (size_t c = 0; c < done; c++) {
			if (v[c] < 0)
				printf(" failed |");
			else
				printf(" %.1f (%.2f) |", v[c] / 1e3, v[c] / 1e3 / (double)counts[c]);
		}
		if (done > 2 && v[2] >= 0)
			printf(" %.2f%% |\n", v[2] / 1e3 / 10000 * 100);
		else
			printf(" |\n");
	}
	printf("\n");
}

/* ---- threads ---- */

static void *parked(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void thread_table(void)
{
	static const int counts[] = { 1, 10, 100, 1000 };
	static const struct {
		const char *name;
		unsigned what;
	} reads[] = {
		{ "stat", PROC_READ_STAT },
		{ "status", PROC_READ_STATUS },
		{ "status + threads (ctxsw sum)", PROC_READ_STATUS | PROC_READ_THREADS },
	};
	double cost[3][4];

	printf("## One process with T threads: cost of one read, us\n\n");
	printf("| read | T=1 | T=10 | T=100 | T=1000 |\n|---|---:|---:|---:|---:|\n");

	for (int c = 0; c < 4; c++) {
		int go[2];
		pid_t pid;
		char byte;

		if (pipe(go))
			return;
		pid = fork();
		if (pid == 0) {
			pthread_attr_t attr;
			pthread_t t;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			pthread_attr_init(&attr);
			pthread_attr_setstacksize(&attr, 64 * 1024);
			for (int i = 1; i < counts[c]; i++)
				if (pthread_create(&t, &attr, parked, NULL))
					_exit(1);
			close(go[0]);
			if (write(go[1], "r", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(go[1]);
		if (read(go[0], &byte, 1) != 1) {
			fprintf(stderr, "procfs_cost: cannot start %d threads\n", counts[c]);
			for (int r = 0; r < 3; r++)
				cost[r][c] = -1;
		} else {
			struct proc_handle h;
			struct tick t = { &h, 1, 0 };

			if (proc_handle_open(&h, pid) == 0) {
				for (int r = 0; r < 3; r++) {
					t.what = reads[r].what;
					cost[r][c] = measure(round_tick, &t);
				}
				proc_handle_release(&h);
			}
		}
		close(go[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	for (int r = 0; r < 3; r++) {
		printf("| %s |", reads[r].name);
		for (int c = 0; c < 4; c++)
			printf(cost[r][c] < 0 ? " - |" : " %.1f |", cost[r][c] / 1e3);
		printf("\n");
	}
	printf("\n");
}

/* ---- PSS against size ---- */

static void pss_table(void)
{
	static const size_t sizes[] = { 1, 10, 100, 400 };

	printf("## smaps_rollup (PSS) against resident size: cost of one read\n\n");
	printf("| RSS | us per read | us per MiB |\n|---:|---:|---:|\n");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int go[2];
		pid_t pid;
		char byte;

		if (pipe(go))
			return;
		pid = fork();
		if (pid == 0) {
			size_t len = sizes[s] * MIB;
			unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
						MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (m == MAP_FAILED)
				_exit(1);
			madvise(m, len, MADV_NOHUGEPAGE);
			for (size_t i = 0; i < len; i += 4096)
				m[i] = 1;
			close(go[0]);
			if (write(go[1], "r", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(go[1]);
		if (read(go[0], &byte, 1) == 1) {
			struct proc_handle h;
			struct proc_figures f;
			struct tick t = { &h, 1, PROC_READ_PSS };

			if (proc_handle_open(&h, pid) == 0 &&
			    proc_handle_read(&h, PROC_READ_STATM, &f) == 0) {
				double ns = measure(round_tick, &t);

				printf("| %.0f MiB | %.0f | %.1f |\n", (double)f.rss_bytes / MIB,
				       ns / 1e3, ns / 1e3 / ((double)f.rss_bytes / MIB));
				proc_handle_release(&h);
			}
		} else {
			printf("| %zu MiB | cannot start | |\n", sizes[s]);
		}
		close(go[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC);
	size_t max_procs = 1000;
	struct rlimit rl;

	if (argc > 2 || (argc == 2 && (max_procs = strtoul(argv[1], NULL, 10)) == 0)) {
		fprintf(stderr, "usage: procfs_cost [MAX_PROCS]\n");
		return 129;
	}
	/* Up to 3 fds a process: raise the soft limit as the collector should. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	printf("# /proc read costs (collector/procfs.c)\n\n");
	printf("CPU time of the reading thread, median over repeated rounds; %ld clock ticks/s; %ld CPUs online.\n\n",
	       sysconf(_SC_CLK_TCK), sysconf(_SC_NPROCESSORS_ONLN));
	if (grow_kids(1)) {
		fprintf(stderr, "procfs_cost: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	per_file_table(kids[0]);
	tick_table(max_procs);
	thread_table();
	pss_table();
	end_kids();
	fprintf(stderr, "procfs_cost: done in %.1f s\n",
		(double)(clock_ns(CLOCK_MONOTONIC) - start) / 1e9);
	return 0;
}

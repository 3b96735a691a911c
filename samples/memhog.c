/*
 * memhog - a memory-hungry task whose true memory use is known, for the
 * memory backend study (samples/memory-study).
 *
 *   memhog [--initial-ms I] [--ramp-mib R] [--steps S] [--step-ms T]
 *          [--spike-mib X] [--spike-ms H] [--plateau-ms P]
 *          [--free-percent F%] [--final-ms F] [--procs N]
 *          [--timeline FILE] [--quiet]
 *
 * Its phases, in order:
 *
 *   initial   nothing allocated yet, for I ms (so a tool can read it)
 *   ramp      R MiB in S equal steps, one step every T ms
 *   spike     X MiB more, held H ms (short: shorter than a 100 ms sampling
 *             interval, so a tool that polls can miss it), then freed
 *   plateau   the ramp held P ms
 *   free      F% of the ramp given back
 *   final     what is left held F ms, then exit
 *
 * Every chunk is its own anonymous mmap() with every page written, so it
 * is resident at once, and munmap() gives it back at once: no allocator
 * keeps freed memory, so the truth is exact. With --procs N the work is
 * split across N forked processes that run the phases in parallel, each
 * with 1/N of every size; the parent only waits. They all hold their part
 * of the spike at the same time (they wait for each other once it is
 * written), so the tree's true peak is really reached. With N > 1 the
 * largest single process holds 1/N of the tree: that is what ru_maxrss
 * reports, not the tree.
 *
 * At the end it prints on stdout, one line each:
 *
 *   memhog: truth initial 1.2 MiB peak 261.2 MiB final 101.2 MiB (allocated by the task itself, all processes)
 *   memhog: getrusage ru_maxrss 1.3 MiB (self) 131.0 MiB (largest child) utime 0.01 s stime 0.30 s wall 2.04 s
 *
 * "initial" is its own RSS when it starts (/proc/self/statm, before it
 * allocates anything); peak and final add what it allocated and still
 * held. That is memory the task asked for: a tool that counts more (page
 * tables, page cache, the same library pages once per process) reads a
 * little more. "self" is RUSAGE_SELF and "largest child" RUSAGE_CHILDREN
 * (0 with --procs 1, which forks nothing); utime and stime are the sum of
 * both. --timeline FILE writes `time_s,bytes` rows of that truth as it
 * happened: one row per change, at the moment the last process made it.
 *
 * Bounded: at most 16 GiB in all, 10000 steps, 64 processes, 10 minutes
 * per wait; the processes wait for each other at most 10 s. Usage errors
 * exit 129; a failed mmap or fork exits 1.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024.0 * 1024.0)
#define MAX_TOTAL_MIB (16 * 1024L)  /* ramp + spike */
#define MAX_STEPS 10000L
#define MAX_MS 600000L              /* 10 minutes */
#define MAX_PROCS 64L
#define WAIT_ALL_NS 10000000000LL   /* the spike rendezvous gives up after 10 s */
#define EXIT_USAGE 129

struct options {
	long initial_ms, ramp_mib, steps, step_ms, spike_mib, spike_ms, plateau_ms;
	long free_percent, final_ms, procs;
	const char *timeline;
	int quiet;
};

/* What every process does, in bytes of its own. */
struct plan {
	size_t page;
	size_t step_bytes;   /* one ramp chunk */
	size_t spike_bytes;
	size_t free_bytes;   /* given back from the ramp */
	long steps, procs;
	int64_t start_ns;    /* CLOCK_MONOTONIC of the parent's start */
};

/*
 * Shared between the processes (MAP_SHARED): the spike rendezvous and
 * when each truth change was complete. event_ns[i] is the latest time any
 * process made change i: i < steps, ramp step i; then spike written,
 * spike freed, ramp partly freed, final hold over.
 */
struct shared {
	atomic_int spike_ready;
	_Atomic int64_t event_ns[];
};

enum { EV_SPIKE, EV_SPIKE_FREED, EV_FREED, EV_END, EV_AFTER_RAMP };

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sleeps until CLOCK_MONOTONIC reaches ns (restarting after signals). */
static void sleep_until(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Notes that this process made change `index` now. */
static void event_mark(struct shared *sh, long index)
{
	int64_t t = now_ns(), seen = atomic_load(&sh->event_ns[index]);

	while (seen < t && !atomic_compare_exchange_weak(&sh->event_ns[index], &seen, t))
		;
}

/* This process's resident bytes, from /proc/self/statm; 0 if unreadable. */
static size_t resident_bytes(size_t page)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (size_t)resident * page;
}

/* A fresh chunk of len bytes with every page written; NULL on failure. */
static unsigned char *chunk_new(size_t len, size_t page)
{
	unsigned char *mem;

	if (!len)
		return NULL;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < len; i += page)
		mem[i] = (unsigned char)(1 + (i >> 12));
	return mem;
}

/* One process's share of the phases. Returns its exit status. */
static int run_phases(const struct options *o, const struct plan *p, struct shared *sh)
{
	unsigned char **chunks = calloc((size_t)p->steps, sizeof(*chunks));
	size_t chunk_len = p->step_bytes, to_free = p->free_bytes;
	unsigned char *spike;
	int64_t t;
	long i, last;

	if (!chunks)
		return 1;
	/* ramp: step i at start + I + i*T, so every process keeps the same beat */
	for (i = 0; i < p->steps; i++) {
		sleep_until(p->start_ns + (o->initial_ms + (int64_t)i * o->step_ms) * 1000000LL);
		if (chunk_len && !(chunks[i] = chunk_new(chunk_len, p->page))) {
			fprintf(stderr, "memhog: cannot map %zu bytes: %s\n", chunk_len, strerror(errno));
			return 1;
		}
		event_mark(sh, i);
	}
	sleep_until(p->start_ns + (o->initial_ms + (int64_t)p->steps * o->step_ms) * 1000000LL);

	/* spike: written by all, then held H ms by all at once */
	spike = chunk_new(p->spike_bytes, p->page);
	if (p->spike_bytes && !spike) {
		fprintf(stderr, "memhog: cannot map %zu bytes: %s\n", p->spike_bytes, strerror(errno));
		return 1;
	}
	event_mark(sh, p->steps + EV_SPIKE);
	atomic_fetch_add(&sh->spike_ready, 1);
	t = now_ns();
	while (atomic_load(&sh->spike_ready) < p->procs && now_ns() - t < WAIT_ALL_NS)
		sleep_until(now_ns() + 100000); /* 0.1 ms */
	t = now_ns();
	sleep_until(t + o->spike_ms * 1000000LL);
	if (spike)
		munmap(spike, p->spike_bytes);
	event_mark(sh, p->steps + EV_SPIKE_FREED);

	/* plateau, then give back the newest chunks first (the last in part) */
	sleep_until(now_ns() + o->plateau_ms * 1000000LL);
	for (last = p->steps - 1; last >= 0 && to_free; last--) {
		size_t n = to_free < chunk_len ? to_free : chunk_len;

		munmap(chunks[last] + (chunk_len - n), n);
		to_free -= n;
	}
	event_mark(sh, p->steps + EV_FREED);

	sleep_until(now_ns() + o->final_ms * 1000000LL);
	event_mark(sh, p->steps + EV_END);
	free(chunks);
	return 0;
}

/* A whole number from min to max, or exit 129 with a message. */
static long number(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < min || v > max) {
		fprintf(stderr, "memhog: %s must be a whole number from %ld to %ld, not '%s'\n",
			what, min, max, s);
		exit(EXIT_USAGE);
	}
	return v;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: memhog [<options>]\n\n"
		"    --initial-ms <ms>   first hold the initial state <ms> ms (default 200)\n"
		"    --ramp-mib <n>      allocate <n> MiB in steps (default 200)\n"
		"    --steps <n>         ... in <n> equal steps (default 10)\n"
		"    --step-ms <ms>      ... one every <ms> ms (default 100)\n"
		"    --spike-mib <n>     then <n> MiB more for a short spike (default 60)\n"
		"    --spike-ms <ms>     held <ms> ms (default 30)\n"
		"    --plateau-ms <ms>   then hold the ramp <ms> ms (default 500)\n"
		"    --free-percent <p>  then free <p>%% of the ramp (default 50)\n"
		"    --final-ms <ms>     then hold the rest <ms> ms and exit (default 500)\n"
		"    --procs <n>         split the work across <n> forked processes (default 1)\n"
		"    --timeline <file>   write the truth over time as time_s,bytes rows\n"
		"    --quiet             no progress on stderr\n"
		"    -h, --help          this text\n");
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { O_INITIAL = 256, O_RAMP, O_STEPS, O_STEP_MS, O_SPIKE, O_SPIKE_MS, O_PLATEAU,
	       O_FREE, O_FINAL, O_PROCS, O_TIMELINE, O_QUIET };
	static const struct option longopts[] = {
		{ "initial-ms", required_argument, NULL, O_INITIAL },
		{ "ramp-mib", required_argument, NULL, O_RAMP },
		{ "steps", required_argument, NULL, O_STEPS },
		{ "step-ms", required_argument, NULL, O_STEP_MS },
		{ "spike-mib", required_argument, NULL, O_SPIKE },
		{ "spike-ms", required_argument, NULL, O_SPIKE_MS },
		{ "plateau-ms", required_argument, NULL, O_PLATEAU },
		{ "free-percent", required_argument, NULL, O_FREE },
		{ "final-ms", required_argument, NULL, O_FINAL },
		{ "procs", required_argument, NULL, O_PROCS },
		{ "timeline", required_argument, NULL, O_TIMELINE },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ .initial_ms = 200, .ramp_mib = 200, .steps = 10, .step_ms = 100,
			       .spike_mib = 60, .spike_ms = 30, .plateau_ms = 500,
			       .free_percent = 50, .final_ms = 500, .procs = 1 };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_INITIAL: o->initial_ms = number(optarg, "--initial-ms", 0, MAX_MS); break;
		case O_RAMP: o->ramp_mib = number(optarg, "--ramp-mib", 0, MAX_TOTAL_MIB); break;
		case O_STEPS: o->steps = number(optarg, "--steps", 1, MAX_STEPS); break;
		case O_STEP_MS: o->step_ms = number(optarg, "--step-ms", 0, MAX_MS); break;
		case O_SPIKE: o->spike_mib = number(optarg, "--spike-mib", 0, MAX_TOTAL_MIB); break;
		case O_SPIKE_MS: o->spike_ms = number(optarg, "--spike-ms", 0, MAX_MS); break;
		case O_PLATEAU: o->plateau_ms = number(optarg, "--plateau-ms", 0, MAX_MS); break;
		case O_FREE: o->free_percent = number(optarg, "--free-percent", 0, 100); break;
		case O_FINAL: o->final_ms = number(optarg, "--final-ms", 0, MAX_MS); break;
		case O_PROCS: o->procs = number(optarg, "--procs", 1, MAX_PROCS); break;
		case O_TIMELINE: o->timeline = optarg; break;
		case O_QUIET: o->quiet = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "memhog: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if (o->ramp_mib + o->spike_mib > MAX_TOTAL_MIB) {
		fprintf(stderr, "memhog: --ramp-mib plus --spike-mib is %ld MiB: refusing more than %ld MiB (16 GiB)\n",
			o->ramp_mib + o->spike_mib, MAX_TOTAL_MIB);
		exit(EXIT_USAGE);
	}
}

/* Writes the truth over time; returns 0 or -1 after a message. */
static int write_timeline(const char *path, const struct plan *p, const struct shared *sh,
			  size_t initial)
{
	size_t procs = (size_t)p->procs, ramp = 0;
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "memhog: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "time_s,bytes\n0.000000,%zu\n", initial);
#define ROW(ev, bytes) fprintf(f, "%.6f,%zu\n", \
	(double)(atomic_load(&sh->event_ns[ev]) - p->start_ns) / 1e9, (size_t)(bytes))
	for (long i = 0; i < p->steps; i++) {
		ramp += p->step_bytes * procs;
		ROW(i, initial + ramp);
	}
	ROW(p->steps + EV_SPIKE, initial + ramp + p->spike_bytes * procs);
	ROW(p->steps + EV_SPIKE_FREED, initial + ramp);
	ROW(p->steps + EV_FREED, initial + ramp - p->free_bytes * procs);
	ROW(p->steps + EV_END, initial + ramp - p->free_bytes * procs);
#undef ROW
	if (fclose(f)) {
		fprintf(stderr, "memhog: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct plan p = { .start_ns = now_ns() };
	struct shared *sh;
	struct rusage self, children;
	size_t initial, ramp_total, shared_len;
	int status = 0;

	p.page = (size_t)sysconf(_SC_PAGESIZE);
	initial = resident_bytes(p.page); /* before anything is allocated */
	parse_options(argc, argv, &o);

	p.steps = o.steps;
	p.procs = o.procs;
	p.step_bytes = (size_t)(o.ramp_mib * MIB / (double)(o.procs * o.steps)) / p.page * p.page;
	p.spike_bytes = (size_t)(o.spike_mib * MIB / (double)o.procs) / p.page * p.page;
	ramp_total = p.step_bytes * (size_t)o.steps; /* per process */
	p.free_bytes = (size_t)((double)ramp_total * (double)o.free_percent / 100.0) / p.page * p.page;

	shared_len = sizeof(*sh) + (size_t)(o.steps + EV_AFTER_RAMP) * sizeof(sh->event_ns[0]);
	sh = mmap(NULL, shared_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		fprintf(stderr, "memhog: cannot map shared memory: %s\n", strerror(errno));
		return 1;
	}
	if (!o.quiet)
		fprintf(stderr, "memhog: %ld process%s: initial %ld ms, ramp %ld MiB in %ld steps of %ld ms, spike %ld MiB for %ld ms, plateau %ld ms, free %ld%%, final %ld ms\n",
			o.procs, o.procs == 1 ? "" : "es", o.initial_ms, o.ramp_mib, o.steps, o.step_ms,
			o.spike_mib, o.spike_ms, o.plateau_ms, o.free_percent, o.final_ms);

	if (o.procs == 1) {
		status = run_phases(&o, &p, sh);
	} else {
		pid_t pids[MAX_PROCS];
		long started = 0;

		fflush(NULL);
		for (; started < o.procs; started++) {
			pids[started] = fork();
			if (pids[started] < 0) {
				fprintf(stderr, "memhog: cannot fork: %s\n", strerror(errno));
				status = 1;
				for (long i = 0; i < started; i++)
					kill(pids[i], SIGKILL);
				break;
			}
			if (pids[started] == 0)
				_exit(run_phases(&o, &p, sh));
		}
		for (long i = 0; i < started; i++) {
			int ws;

			while (waitpid(pids[i], &ws, 0) < 0 && errno == EINTR)
				;
			if (!WIFEXITED(ws) || WEXITSTATUS(ws))
				status = 1;
		}
	}
	if (status) {
		fprintf(stderr, "memhog: a process failed\n");
		return 1;
	}
	if (o.timeline && write_timeline(o.timeline, &p, sh, initial) < 0)
		return 1;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	{
		double procs = (double)o.procs;
		double peak = (double)initial + ((double)ramp_total + (double)p.spike_bytes) * procs;
		double final = (double)initial + (double)(ramp_total - p.free_bytes) * procs;
		double user = (double)(self.ru_utime.tv_sec + children.ru_utime.tv_sec) +
			      (double)(self.ru_utime.tv_usec + children.ru_utime.tv_usec) / 1e6;
		double sys = (double)(self.ru_stime.tv_sec + children.ru_stime.tv_sec) +
			     (double)(self.ru_stime.tv_usec + children.ru_stime.tv_usec) / 1e6;

		printf("memhog: truth initial %.1f MiB peak %.1f MiB final %.1f MiB (allocated by the task itself, all processes)\n",
		       (double)initial / MIB, peak / MIB, final / MIB);
		printf("memhog: getrusage ru_maxrss %.1f MiB (self) %.1f MiB (largest child) utime %.2f s stime %.2f s wall %.2f s\n",
		       (double)self.ru_maxrss / 1024.0, (double)children.ru_maxrss / 1024.0,
		       user, sys, (double)(now_ns() - p.start_ns) / 1e9);
	}
	munmap(sh, shared_len);
	return 0;
}

/*
 * synth_recording - writes a synthetic recording as big as a long
 * `pprobe record` makes, for bench/report_speed.sh to time `pprobe report`
 * on.
 *
 *   synth_recording -o <file> [--seconds S] [--interval-ms MS]
 *                   [--processes N] [--proc-interval-ms MS]
 *
 * The file is what
 *
 *   pprobe record -I MS --proc-interval MS --mem rss,hwm,cgroup \
 *       -e task-clock,context-switches,cpu-migrations,page-faults,\
 *          voluntary-context-switches,involuntary-context-switches,\
 *          cycles,instructions -- synthetic ...
 *
 * writes for a command that forks N - 1 workers in its first seconds, so
 * that N processes run, and ends S seconds later (defaults: an hour at
 * 10 ms, 100 processes read every 100 ms: about 410 MB). The records come
 * in the order the collector writes them (collector/builtin-record.c,
 * proc_tree.c, memory.c): META, the EVENTs, a MEM_SOURCE per backend and
 * RUN_BEGIN; a COUNTS every tick, and on a process tick the TASK records
 * drained since the last one, a PROCS of the live processes and a MEM per
 * backend; at the end the command's last PROCS and its PROC_EXIT, the
 * FINAL COUNTS, the TASK records not drained yet, the FINAL MEMs, RUN_END
 * and END. The process tick follows the collector's rule too: the first
 * tick at least --proc-interval less half a tick after the last one, so
 * that ticks late by a varying few microseconds still give one every 10
 * ticks at -I 10.
 *
 * The figures are made up but hang together, so that every part of the
 * report and every chart has something to show: the tree's load is three
 * slow waves (1.5 to 9 busy CPUs of 16) and a spike of 6 CPUs more at
 * 62% of the run, its memory follows the load (with a 30 ms burst at the spike's
 * start that only the true peaks catch), IPC swings between 0.8 and 1.8
 * (0.6 in the spike), and each process's /proc figures are its share of
 * the counters, so that they add up to the counters' totals. Everything
 * is drawn from a fixed seed: the same options make the same file.
 *
 * Writing goes through the real rec_writer (format/rec_writer.c), flushed
 * as the collector flushes it: past 64 KiB and once a recorded second.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "parse-options.h"
#include "pprobe-version.h"
#include "recfile.h"
#include "usage.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull
#define MIB (1ull << 20)

/* The machine the recording claims to come from. */
#define CPUS_ONLINE 16
#define PAGE_SIZE_BYTES 4096
#define PERF_EVENT_PARANOID 1
/* tracefs id of sched:sched_switch: any number will do. */
#define SCHED_SWITCH_ID 316
/* A day after boot, on 2025-01-01 00:00:00 UTC. */
#define START_MONOTONIC_NS (86400 * NSEC_PER_SEC)
#define START_REALTIME_NS (1735689600 * NSEC_PER_SEC)
#define PPROBE_PID 40990
#define COMMAND_PID 41000
/* The kernel keeps CPU times in clock ticks (USER_HZ 100). */
#define CLOCK_TICK_NS (10 * NSEC_PER_MSEC)
/* The collector flushes at least this often. */
#define FLUSH_EVERY_NS NSEC_PER_SEC
/* ... and reads a process's status (switches, peak RSS) this often. */
#define STATUS_EVERY_NS NSEC_PER_SEC
/* Fixed, so that the same options make the same file. */
#define SEED 0x9e3779b97f4a7c15ull

/* The events, in the order of their ids (and of `-e` above). */
enum synth_event {
	EV_TASK_CLOCK,
	EV_CONTEXT_SWITCHES,
	EV_CPU_MIGRATIONS,
	EV_PAGE_FAULTS,
	EV_VOLUNTARY,
	EV_INVOLUNTARY,
	EV_CYCLES,
	EV_INSTRUCTIONS,
	EV_NR
};

#define EVENT(id_, group_, type_, config_, name_, unit_) \
	[id_] = { .id = (id_), .group = (group_), .perf_type = (type_), \
		  .status = REC_EVENT_OPENED, .config = (config_), \
		  .name = (name_), .unit = (unit_) }

/* Software events and tracepoints in group 0, each hardware event in a
 * group of its own, as counters.c opens them. */
static const struct rec_event events[EV_NR] = {
	EVENT(EV_TASK_CLOCK, 0, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK,
	      "task-clock", "ns"),
	EVENT(EV_CONTEXT_SWITCHES, 0, PERF_TYPE_SOFTWARE,
	      PERF_COUNT_SW_CONTEXT_SWITCHES, "context-switches", ""),
	EVENT(EV_CPU_MIGRATIONS, 0, PERF_TYPE_SOFTWARE,
	      PERF_COUNT_SW_CPU_MIGRATIONS, "cpu-migrations", ""),
	EVENT(EV_PAGE_FAULTS, 0, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS,
	      "page-faults", ""),
	EVENT(EV_VOLUNTARY, 0, PERF_TYPE_TRACEPOINT, SCHED_SWITCH_ID,
	      "voluntary-context-switches", ""),
	EVENT(EV_INVOLUNTARY, 0, PERF_TYPE_TRACEPOINT, SCHED_SWITCH_ID,
	      "involuntary-context-switches", ""),
	EVENT(EV_CYCLES, 1, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES,
	      "cycles", ""),
	EVENT(EV_INSTRUCTIONS, 2, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
	      "instructions", ""),
};

/*
 * What the tree has done per unit of process weight since the run began.
 * A process's own figure is its weight times the difference between now
 * (or its exit) and its fork: one update per tick whatever the number of
 * processes.
 */
struct shares {
	double cpu_ns;
	double voluntary, involuntary;
	double migrations;
	double churn_faults;   /* faults of memory reused, not grown */
	double growth;         /* sum of the memory factor's rises */
};

/* One process of the synthetic tree. */
struct synth_process {
	uint32_t pid;
	double weight;         /* its part of the tree's CPU and switches */
	double user_share;     /* of its CPU time, the part in user mode */
	uint64_t base_rss;     /* its RSS at memory factor 1 */
	uint64_t majflt;       /* all at its start */
	uint64_t fork_ns, exit_ns; /* the command: RUN_BEGIN and its end */
	int alive;             /* forked and not exited, as the kernel sees it */
	int listed;            /* in the collector's table: FORK drained,
				* EXIT not yet */
	double fork_factor;    /* memory factor when it was forked */
	struct shares at_fork, at_exit;
	struct rec_proc last;  /* its figures as last read from "/proc" */
	uint64_t status_read_ns; /* when switches and peak were last read */
};

/* A TASK record to come, in time order. */
struct task_plan {
	uint64_t time_ns;
	uint32_t kind;         /* enum rec_task_kind */
	uint32_t process;      /* index in synth.procs */
};

struct synth {
	/* options */
	const char *output;
	long seconds, interval_ms, processes, proc_interval_ms;

	struct rec_writer writer;
	int fd;
	uint64_t rng;

	uint64_t begin_ns, end_ns;     /* RUN_BEGIN; the command's exit */
	struct synth_process *procs;   /* [0] is the command */
	size_t nr_procs;
	double total_weight;
	struct task_plan *plan;        /* sorted by time */
	size_t nr_plan;
	size_t applied;                /* plan entries the "kernel" has done */
	size_t drained;                /* ... and the collector has written */

	/* The kernel's view, advanced tick by tick. */
	uint64_t now_ns;
	double alive_weight;
	uint64_t alive_procs;
	double alive_base_rss;
	double factor, factor_max;     /* memory factor now, and its peak */
	struct shares shares;
	double count[EV_NR];           /* cumulative counter values */
	double enabled_ns;             /* summed over the counted tasks */
	double cgroup_peak;

	struct rec_proc *scratch;      /* a PROCS record's entries */
	uint64_t last_flush_ns, last_proc_ns;
};

/* xorshift64*: small, fast, and the same everywhere. */
static uint64_t next_random(struct synth *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ull;
}

/* Uniform in [0, 1). */
static double uniform(struct synth *s)
{
	return (double)(next_random(s) >> 11) / 9007199254740992.0;
}

static uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ---- the load ---- */

/* Seconds since RUN_BEGIN, and that as a fraction of the run. */
static double run_seconds(const struct synth *s, uint64_t t)
{
	return (double)(t - s->begin_ns) / 1e9;
}

static double run_fraction(const struct synth *s, uint64_t t)
{
	return run_seconds(s, t) / (double)s->seconds;
}

/* Three slow waves over the run, from 0 to 1. */
static double wave(double f)
{
	return 0.5 - 0.5 * cos(2 * M_PI * 3 * f);
}

/* The spike: 0.5% of the run (18 s of an hour) from 62% on. */
static int in_spike(const struct synth *s, uint64_t t)
{
	double at = 0.62 * (double)s->seconds, len = 0.005 * (double)s->seconds;
	double sec = run_seconds(s, t);

	return sec >= at && sec < at + len;
}

/* The spike starts with an allocation burst of 30 ms. */
static int in_burst(const struct synth *s, uint64_t t)
{
	double sec = run_seconds(s, t) - 0.62 * (double)s->seconds;

	return sec >= 0 && sec < 0.030;
}

/* CPUs busy at t if every process ran, before noise. */
static double busy_cpus(const struct synth *s, uint64_t t)
{
	return 1.5 + 7.5 * wave(run_fraction(s, t)) + (in_spike(s, t) ? 6.0 : 0.0);
}

/* Each process's RSS is its base times this. */
static double memory_factor(const struct synth *s, uint64_t t)
{
	return 1.0 + 0.6 * wave(run_fraction(s, t)) +
	       (in_spike(s, t) ? 0.8 : 0.0) + (in_burst(s, t) ? 0.5 : 0.0);
}

static double instructions_per_cycle(const struct synth *s, uint64_t t)
{
	if (in_spike(s, t))
		return 0.6;  /* waiting on memory */
	return 1.3 + 0.5 * sin(2 * M_PI * 5 * run_fraction(s, t));
}

/* What the cgroup holds: RSS with shared pages once, page cache, kernel. */
static double cgroup_bytes(const struct synth *s)
{
	return 0.92 * s->alive_base_rss * s->factor + 256.0 * MIB +
	       32.0 * MIB * s->factor;
}

/*
 * The tree's counters from s->now_ns to t, then whatever forked or
 * exited by t. Processes forked in between count from the next tick.
 */
static void advance(struct synth *s, uint64_t t)
{
	double dt = (double)(t - s->now_ns), dt_s = dt / 1e9;
	double cpus = busy_cpus(s, t) * (0.95 + 0.1 * uniform(s)) *
		      s->alive_weight / s->total_weight;
	double cpu_ns = cpus * dt;
	double voluntary = (800.0 * cpus + 40.0 * (double)s->alive_procs) * dt_s;
	double pressure = cpus / CPUS_ONLINE;
	double involuntary = 300.0 * cpus * (1.0 + 2.0 * pressure * pressure) * dt_s;
	double migrations = 0.03 * (voluntary + involuntary);
	double churn = 120.0 * cpus * dt_s;
	double factor = memory_factor(s, t), rise = factor - s->factor;
	double cycles = cpu_ns * (3.4 - 0.5 * wave(run_fraction(s, t)));
	double w = s->alive_weight;

	if (rise < 0)
		rise = 0;
	s->count[EV_TASK_CLOCK] += cpu_ns;
	s->count[EV_VOLUNTARY] += voluntary;
	s->count[EV_INVOLUNTARY] += involuntary;
	s->count[EV_CONTEXT_SWITCHES] += voluntary + involuntary;
	s->count[EV_CPU_MIGRATIONS] += migrations;
	s->count[EV_PAGE_FAULTS] += churn + s->alive_base_rss * rise / PAGE_SIZE_BYTES;
	s->count[EV_CYCLES] += cycles;
	s->count[EV_INSTRUCTIONS] += cycles * instructions_per_cycle(s, t);
	s->enabled_ns += dt * (double)s->alive_procs;
	s->shares.cpu_ns += cpu_ns / w;
	s->shares.voluntary += voluntary / w;
	s->shares.involuntary += involuntary / w;
	s->shares.migrations += migrations / w;
	s->shares.churn_faults += churn / w;
	s->shares.growth += rise;
	s->factor = factor;
	if (factor > s->factor_max)
		s->factor_max = factor;
	if (cgroup_bytes(s) > s->cgroup_peak)
		s->cgroup_peak = cgroup_bytes(s);
	s->now_ns = t;

	for (; s->applied < s->nr_plan && s->plan[s->applied].time_ns <= t; s->applied++) {
		const struct task_plan *tp = &s->plan[s->applied];
		struct synth_process *p = &s->procs[tp->process];

		if (tp->kind == REC_TASK_FORK) {
			p->alive = 1;
			p->at_fork = s->shares;
			p->fork_factor = s->factor;
			s->alive_weight += p->weight;
			s->alive_procs++;
			s->alive_base_rss += (double)p->base_rss;
			/* Its first pages, and what it read from disk. */
			s->count[EV_PAGE_FAULTS] += (double)p->base_rss * s->factor /
						    PAGE_SIZE_BYTES + (double)p->majflt;
		} else if (tp->kind == REC_TASK_EXIT) {
			p->alive = 0;
			p->at_exit = s->shares;
			s->alive_weight -= p->weight;
			s->alive_procs--;
			s->alive_base_rss -= (double)p->base_rss;
		}
	}
}

/* ---- processes ---- */

static uint64_t round_to_tick(double ns)
{
	return (uint64_t)(ns / CLOCK_TICK_NS) * CLOCK_TICK_NS;
}

/* A process's CPU time so far, in ns, unrounded. */
static double process_cpu_ns(const struct synth *s, const struct synth_process *p)
{
	const struct shares *now = p->alive ? &s->shares : &p->at_exit;

	return (now->cpu_ns - p->at_fork.cpu_ns) * p->weight;
}

/*
 * Reads a process as /proc would: CPU, faults and RSS every time, the
 * status figures (switches, peak RSS, threads) the first time and then
 * once a second, as proc_tree_sample() does.
 */
static void read_process(const struct synth *s, struct synth_process *p,
			 uint64_t t, int all)
{
	const struct shares *now = p->alive ? &s->shares : &p->at_exit;
	const struct shares *born = &p->at_fork;
	double cpu = process_cpu_ns(s, p);
	struct rec_proc *r = &p->last;

	r->pid = p->pid;
	r->utime_ns = round_to_tick(cpu * p->user_share);
	r->stime_ns = round_to_tick(cpu * (1.0 - p->user_share));
	r->majflt = p->majflt;
	r->minflt = (uint64_t)((now->churn_faults - born->churn_faults) * p->weight +
			       (double)p->base_rss * (now->growth - born->growth + p->fork_factor) /
			       PAGE_SIZE_BYTES);
	r->have |= REC_PROC_HAVE_CPU | REC_PROC_HAVE_FAULTS;
	/* A zombie has no memory: its last RSS stays, as in fold(). */
	if (p->alive) {
		r->rss_bytes = (uint64_t)((double)p->base_rss * s->factor) &
			       ~(uint64_t)(PAGE_SIZE_BYTES - 1);
		r->have |= REC_PROC_HAVE_RSS;
	}
	if (all || !p->status_read_ns || t - p->status_read_ns >= STATUS_EVERY_NS) {
		double peak = s->factor_max > p->fork_factor ? s->factor_max : p->fork_factor;

		p->status_read_ns = t;
		r->nvcsw = (uint64_t)((now->voluntary - born->voluntary) * p->weight);
		r->nivcsw = (uint64_t)((now->involuntary - born->involuntary) * p->weight);
		r->hwm_bytes = (uint64_t)((double)p->base_rss * peak) & ~(uint64_t)(PAGE_SIZE_BYTES - 1);
		r->threads = 1;
		r->have |= REC_PROC_HAVE_CTXSW | REC_PROC_HAVE_HWM | REC_PROC_HAVE_THREADS;
	}
	if (all) {
		/* Read before the reap: /proc/PID/sched too. */
		r->migrations = (uint64_t)((now->migrations - born->migrations) * p->weight);
		r->have |= REC_PROC_HAVE_MIGRATIONS;
	}
}

/* The processes: the command, and N - 1 workers with varied weights. */
static int make_processes(struct synth *s)
{
	uint64_t spread_ns, exits_ns, exit_from;
	size_t n = (size_t)s->processes;

	s->procs = calloc(n, sizeof(*s->procs));
	s->scratch = calloc(n, sizeof(*s->scratch));
	/* A FORK and an EXEC per worker, an EXEC and an EXIT each. */
	s->plan = calloc(3 * n, sizeof(*s->plan));
	if (!s->procs || !s->scratch || !s->plan)
		return -ENOMEM;
	s->nr_procs = n;

	/* Forks over the first 5 s (a tenth of a short run), exits over
	 * most of the last 0.5 s (a quarter of a short run). */
	spread_ns = (uint64_t)s->seconds * NSEC_PER_SEC / 10;
	if (spread_ns > 5 * NSEC_PER_SEC)
		spread_ns = 5 * NSEC_PER_SEC;
	exits_ns = (uint64_t)s->seconds * NSEC_PER_SEC / 4;
	if (exits_ns > 500 * NSEC_PER_MSEC)
		exits_ns = 500 * NSEC_PER_MSEC;
	exit_from = s->end_ns - exits_ns;

	for (size_t i = 0; i < n; i++) {
		struct synth_process *p = &s->procs[i];
		int heavy = i % 10 == 1;

		p->pid = COMMAND_PID + (uint32_t)i;
		p->weight = i ? (0.4 + uniform(s)) * (heavy ? 4.0 : 1.0) : 0.0;
		p->user_share = 0.70 + 0.25 * uniform(s);
		p->base_rss = ((uint64_t)((8.0 + 48.0 * uniform(s)) * MIB)) & ~(uint64_t)(PAGE_SIZE_BYTES - 1);
		p->majflt = 5 + (uint64_t)(40.0 * uniform(s));
		p->last.pid = p->pid;
		if (!i) {
			/* The command only waits for its workers. */
			p->base_rss = 4 * MIB;
			p->fork_ns = s->begin_ns;
			p->exit_ns = s->end_ns;
			s->plan[s->nr_plan++] = (struct task_plan){
				s->begin_ns + 150 * NSEC_PER_USEC, REC_TASK_EXEC, 0 };
			continue;
		}
		p->fork_ns = s->begin_ns + 1 * NSEC_PER_MSEC +
			     spread_ns * (i - 1) / (n > 1 ? n - 1 : 1);
		p->exit_ns = exit_from + exits_ns * 3 / 4 * i / n;
		s->plan[s->nr_plan++] = (struct task_plan){ p->fork_ns, REC_TASK_FORK, (uint32_t)i };
		s->plan[s->nr_plan++] = (struct task_plan){
			p->fork_ns + (200 + (uint64_t)(300.0 * uniform(s))) * NSEC_PER_USEC,
			REC_TASK_EXEC, (uint32_t)i };
		s->plan[s->nr_plan++] = (struct task_plan){ p->exit_ns, REC_TASK_EXIT, (uint32_t)i };
	}
	/* The command's weight: a thousandth of the tree's CPU. */
	for (size_t i = 1; i < n; i++)
		s->total_weight += s->procs[i].weight;
	s->procs[0].weight = n > 1 ? s->total_weight / 999.0 : 1.0;
	s->total_weight += s->procs[0].weight;
	/* The command runs from the start, RUN_BEGIN is its fork, and the
	 * collector's table holds it from the start too. */
	s->procs[0].alive = 1;
	s->procs[0].listed = 1;
	s->procs[0].fork_factor = 1.0;
	s->alive_weight = s->procs[0].weight;
	s->alive_procs = 1;
	s->alive_base_rss = (double)s->procs[0].base_rss;
	s->plan[s->nr_plan++] = (struct task_plan){ s->end_ns, REC_TASK_EXIT, 0 };
	return 0;
}

static int compare_plan(const void *a, const void *b)
{
	const struct task_plan *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	if (x->process != y->process)
		return x->process < y->process ? -1 : 1;
	return x->kind < y->kind ? -1 : x->kind > y->kind;
}

/* The TASK record of a plan entry, as the kernel would report it. */
static void write_task(struct synth *s, const struct task_plan *tp)
{
	const struct synth_process *p = &s->procs[tp->process];
	uint32_t parent = tp->process ? COMMAND_PID : PPROBE_PID;
	struct rec_task t = {
		.time_ns = tp->time_ns,
		.kind = tp->kind,
		.pid = p->pid,
		.tid = p->pid,
		.comm = "",
	};

	if (tp->kind == REC_TASK_EXEC) {
		t.comm = tp->process ? "worker" : "synthetic";
	} else {
		t.ppid = parent;
		t.ptid = parent;
	}
	rec_write_task(&s->writer, &t);
}

/* Writes the TASK records up to t, as the collector drains them. */
static void drain_tasks(struct synth *s, uint64_t t)
{
	for (; s->drained < s->nr_plan && s->plan[s->drained].time_ns <= t; s->drained++) {
		const struct task_plan *tp = &s->plan[s->drained];

		write_task(s, tp);
		if (tp->kind == REC_TASK_FORK)
			s->procs[tp->process].listed = 1;
		else if (tp->kind == REC_TASK_EXIT)
			s->procs[tp->process].listed = 0;
	}
}

/* ---- records ---- */

static void write_mem(struct synth *s, uint64_t t, uint32_t backend,
		      uint64_t current, uint64_t peak, uint32_t processes,
		      uint32_t flags)
{
	struct rec_mem m = {
		.time_ns = t,
		.backend = backend,
		.current_bytes = current,
		.peak_bytes = peak,
		.processes = processes,
		.flags = flags,
	};

	rec_write_mem(&s->writer, &m);
}

/* The process tick: drained TASKs, a PROCS, and a MEM per backend. */
static void process_tick(struct synth *s, uint64_t t)
{
	uint64_t rss = 0, hwm = 0;
	uint32_t nr = 0;

	drain_tasks(s, t);
	for (size_t i = 0; i < s->nr_procs; i++) {
		struct synth_process *p = &s->procs[i];

		if (!p->listed)
			continue;
		read_process(s, p, t, 0);
		s->scratch[nr++] = p->last;
		rss += p->last.rss_bytes;
		hwm += p->last.hwm_bytes;
	}
	rec_write_procs(&s->writer, t, 0, s->scratch, nr);
	write_mem(s, t, REC_MEM_RSS, rss, 0, nr, 0);
	write_mem(s, t, REC_MEM_HWM, hwm, 0, nr, 0);
	write_mem(s, t, REC_MEM_CGROUP, (uint64_t)cgroup_bytes(s),
		  (uint64_t)s->cgroup_peak, 0, REC_MEM_F_PEAK);
}

static void write_counts(struct synth *s, uint64_t t, uint32_t flags)
{
	struct rec_count values[EV_NR];

	for (int i = 0; i < EV_NR; i++)
		values[i] = (struct rec_count){
			.event_id = (uint32_t)i,
			.value = (uint64_t)s->count[i],
			.enabled_ns = (uint64_t)s->enabled_ns,
			.running_ns = (uint64_t)s->enabled_ns,
		};
	rec_write_counts(&s->writer, t, 0, flags, values, EV_NR);
}

static void flush(struct synth *s, uint64_t t)
{
	rec_writer_flush(&s->writer);
	s->last_flush_ns = t;
}

static void write_start(struct synth *s)
{
	struct rec_writer *w = &s->writer;
	char seconds[32], interval[32], processes[32];
	static const struct rec_mem_source sources[] = {
		{ REC_MEM_RSS, REC_MEM_SOURCE_RECORDING, 0,
		  "/proc/PID/statm resident pages, summed over the live processes", "" },
		{ REC_MEM_HWM, REC_MEM_SOURCE_RECORDING, 0,
		  "/proc/PID/status VmHWM, summed over the live processes; wait4() ru_maxrss of reaped ones", "" },
		{ REC_MEM_CGROUP, REC_MEM_SOURCE_RECORDING, 0,
		  "cgroup v2 memory.peak (whole tree, includes page cache and kernel memory)", "" },
	};

	snprintf(seconds, sizeof(seconds), "%ld", s->seconds);
	snprintf(interval, sizeof(interval), "%ld", s->interval_ms);
	snprintf(processes, sizeof(processes), "%ld", s->processes);
	rec_meta_begin(w);
	rec_meta_str(w, "pprobe_version", PPROBE_VERSION);
	/* The command as if it were a real one: what the report names. */
	rec_meta_str(w, "argv", "synthetic");
	rec_meta_str(w, "argv", "--seconds");
	rec_meta_str(w, "argv", seconds);
	rec_meta_str(w, "argv", "--interval-ms");
	rec_meta_str(w, "argv", interval);
	rec_meta_str(w, "argv", "--processes");
	rec_meta_str(w, "argv", processes);
	rec_meta_str(w, "hostname", "synthetic");
	rec_meta_str(w, "kernel_release", "6.1.0-synthetic");
	rec_meta_str(w, "machine", "x86_64");
	rec_meta_u64(w, "cpus_online", CPUS_ONLINE);
	rec_meta_u64(w, "page_size", PAGE_SIZE_BYTES);
	rec_meta_str(w, "clock", "CLOCK_MONOTONIC");
	rec_meta_u64(w, "start_monotonic_ns", START_MONOTONIC_NS);
	rec_meta_u64(w, "start_realtime_ns", START_REALTIME_NS);
	rec_meta_u64(w, "interval_ns", (uint64_t)s->interval_ms * NSEC_PER_MSEC);
	rec_meta_str(w, "counting", "task");
	rec_meta_i64(w, "perf_event_paranoid", PERF_EVENT_PARANOID);
	rec_meta_str(w, "output", s->output);
	rec_meta_str(w, "label", "synthetic");
	rec_finish(w);
	for (int i = 0; i < EV_NR; i++)
		rec_write_event(w, &events[i]);
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		rec_write_mem_source(w, &sources[i]);
	/* The command runs: the start of the file goes out. */
	w->hold = 0;
	rec_write_run_begin(w, &(struct rec_run_begin){
		.time_ns = s->begin_ns,
		.run = 0,
		.pid = COMMAND_PID,
	});
	flush(s, s->begin_ns);
}

/* The tree's rusage: every process, the command waited for them all. */
static void tree_rusage(struct synth *s, struct rec_rusage *ru)
{
	double utime = 0, stime = 0;
	uint64_t maxrss = 0;

	memset(ru, 0, sizeof(*ru));
	for (size_t i = 0; i < s->nr_procs; i++) {
		struct synth_process *p = &s->procs[i];
		double cpu = process_cpu_ns(s, p);

		read_process(s, p, s->now_ns, 1);
		utime += cpu * p->user_share;
		stime += cpu * (1.0 - p->user_share);
		if (p->last.hwm_bytes > maxrss)
			maxrss = p->last.hwm_bytes;
		ru->minflt += p->last.minflt;
		ru->majflt += p->last.majflt;
		ru->nvcsw += p->last.nvcsw;
		ru->nivcsw += p->last.nivcsw;
	}
	ru->utime_us = (uint64_t)(utime / 1e3);
	ru->stime_us = (uint64_t)(stime / 1e3);
	ru->maxrss_kib = maxrss / 1024;
	ru->inblock = 2048;
	ru->oublock = 81920;
}

/*
 * The end, as cmd_record() writes it once the command is reaped: its
 * last PROCS and PROC_EXIT, the FINAL COUNTS, the TASKs not drained yet,
 * the FINAL MEMs (the tree is gone: no RSS; hwm is the largest process's
 * ru_maxrss), RUN_END and END.
 */
static void write_end(struct synth *s)
{
	uint64_t reaped = s->end_ns + 60 * NSEC_PER_USEC;
	uint64_t ended = reaped + 25 * NSEC_PER_USEC;
	struct synth_process *command = &s->procs[0];
	struct rec_rusage ru;

	advance(s, s->end_ns);
	tree_rusage(s, &ru);
	command->last.flags = REC_PROC_F_FINAL;
	rec_write_procs(&s->writer, reaped, 0, &command->last, 1);
	rec_write_proc_exit(&s->writer, &(struct rec_proc_exit){
		.time_ns = reaped,
		.pid = COMMAND_PID,
		.exit_kind = REC_EXIT_NORMAL,
		.rusage = ru,
	});
	write_counts(s, ended, REC_COUNTS_F_FINAL);
	drain_tasks(s, UINT64_MAX);
	write_mem(s, ended, REC_MEM_RSS, 0, 0, 0, REC_MEM_F_FINAL);
	write_mem(s, ended, REC_MEM_HWM, ru.maxrss_kib * 1024, 0, 0, REC_MEM_F_FINAL);
	write_mem(s, ended, REC_MEM_CGROUP, 256 * MIB, (uint64_t)s->cgroup_peak, 0,
		  REC_MEM_F_PEAK | REC_MEM_F_FINAL);
	rec_write_run_end(&s->writer, &(struct rec_run_end){
		.time_ns = ended,
		.run = 0,
		.pid = COMMAND_PID,
		.exit_kind = REC_EXIT_NORMAL,
		.rusage = ru,
	});
	rec_write_end(&s->writer, ended + 40 * NSEC_PER_USEC);
	flush(s, ended);
}

/*
 * The run: a tick every interval, a little late as a timerfd wakes
 * (20 to 120 us); the process tick 40 us after the counters were read,
 * when --proc-interval has passed since the last one.
 */
static void write_run(struct synth *s)
{
	uint64_t interval_ns = (uint64_t)s->interval_ms * NSEC_PER_MSEC;
	uint64_t proc_interval_ns = (uint64_t)s->proc_interval_ms * NSEC_PER_MSEC;

	for (uint64_t k = 1;; k++) {
		uint64_t t = s->begin_ns + k * interval_ns + 20 * NSEC_PER_USEC +
			     (uint64_t)(100.0 * uniform(s)) * NSEC_PER_USEC;
		uint64_t proc_t = t + 40 * NSEC_PER_USEC;

		if (proc_t >= s->end_ns)
			break;
		advance(s, t);
		write_counts(s, t, 0);
		if (t - s->last_flush_ns >= FLUSH_EVERY_NS)
			flush(s, t);
		/* The collector's rule: half a tick of slack. */
		if (!s->last_proc_ns ||
		    proc_t - s->last_proc_ns + interval_ns / 2 >= proc_interval_ns) {
			s->last_proc_ns = proc_t;
			advance(s, proc_t);
			process_tick(s, proc_t);
		}
	}
}

static const char *const synth_usage[] = {
	"synth_recording -o <file> [--seconds <s>] [--interval-ms <ms>] [--processes <n>] [--proc-interval-ms <ms>]",
	NULL
};

int main(int argc, const char **argv)
{
	struct synth s = {
		.seconds = 3600,
		.interval_ms = 10,
		.processes = 100,
		.proc_interval_ms = 100,
		.fd = -1,
		.rng = SEED,
	};
	const struct option options[] = {
		OPT_STRING('o', "output", &s.output, "file", "write the recording to <file>"),
		OPT_INTEGER(0, "seconds", &s.seconds, "s", 1, 31536000,
			    "how long the command runs (default 3600)"),
		OPT_INTEGER(0, "interval-ms", &s.interval_ms, "ms", 1, 3600000,
			    "a COUNTS record every <ms> (record -I; default 10)"),
		OPT_INTEGER(0, "processes", &s.processes, "n", 1, 190649,
			    "processes in the tree, the command included (default 100)"),
		OPT_INTEGER(0, "proc-interval-ms", &s.proc_interval_ms, "ms", 1, 3600000,
			    "a PROCS record every <ms> (record --proc-interval; default 100)"),
		OPT_END(),
	};
	uint64_t started = clock_ns();
	int nr, ret = 1;

	nr = parse_options(argc, argv, options, synth_usage, 0);
	if (nr == PARSE_OPT_HELP)
		return 0;
	if (nr < 0)
		return EXIT_USAGE;
	if (nr > 0 || !s.output) {
		error(nr > 0 ? "unexpected argument '%s'" : "no output: give -o <file>",
		      nr > 0 ? argv[0] : "");
		usage_with_options(synth_usage, options, 1);
		return EXIT_USAGE;
	}

	s.begin_ns = START_MONOTONIC_NS + 2 * NSEC_PER_MSEC;
	s.end_ns = s.begin_ns + (uint64_t)s.seconds * NSEC_PER_SEC + 3 * NSEC_PER_MSEC;
	s.now_ns = s.begin_ns;
	s.factor = s.factor_max = 1.0;
	if (make_processes(&s) < 0) {
		error("out of memory");
		goto out;
	}
	qsort(s.plan, s.nr_plan, sizeof(*s.plan), compare_plan);
	s.cgroup_peak = cgroup_bytes(&s);

	s.fd = open(s.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (s.fd < 0) {
		error("cannot open '%s': %s", s.output, strerror(errno));
		goto out;
	}
	if (rec_writer_init(&s.writer, s.fd) < 0) {
		error("out of memory");
		goto out;
	}
	/* Nothing goes out until the command runs, as in the collector. */
	s.writer.hold = 1;
	write_start(&s);
	write_run(&s);
	write_end(&s);
	if (s.writer.error) {
		error("cannot write '%s': %s", s.output, strerror(s.writer.error));
		goto out;
	}
	if (close(s.fd) < 0) {
		s.fd = -1;
		error("cannot write '%s': %s", s.output, strerror(errno));
		goto out;
	}
	s.fd = -1;
	printf("wrote '%s': %llu bytes, %llu records (%ld s at %ld ms, %ld processes every %ld ms) in %.2f s\n",
	       s.output, (unsigned long long)s.writer.flushed,
	       (unsigned long long)s.writer.records + 1, s.seconds, s.interval_ms,
	       s.processes, s.proc_interval_ms, (double)(clock_ns() - started) / 1e9);
	ret = 0;
out:
	if (s.fd >= 0)
		close(s.fd);
	rec_writer_release(&s.writer);
	free(s.procs);
	free(s.scratch);
	free(s.plan);
	return ret;
}

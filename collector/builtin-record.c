/*
 * builtin-record.c - `pprobe record`: run a command, count its whole
 * process tree, stream the counts into a recording.
 *
 * The order of events is what makes the figures right:
 *
 *   1. the output file is opened first (an unwritable path costs nothing);
 *   2. the command is forked and held on a pipe (workload.c);
 *   3. the counters are opened on it, disabled until exec (counters.c);
 *   4. the command is released; only once its exec has succeeded is the
 *      start of the recording written out, so a command that cannot run
 *      leaves no file that looks like a good one;
 *   5. a loop waits on two descriptors: a timerfd that ticks every -I ms
 *      (read the counters, append a COUNTS record) and a signalfd that
 *      brings SIGCHLD (the command ended) and the signals to forward.
 *
 * pprobe's own work happens in its own process and is never counted: the
 * counters follow the command's pid and its descendants only.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "builtin.h"
#include "cgroup.h"
#include "counters.h"
#include "cpumap.h"
#include "event.h"
#include "load.h"
#include "memory.h"
#include "parse-options.h"
#include "proc_tree.h"
#include "procfs.h"
#include "pprobe-version.h"
#include "recfile.h"
#include "record.h"
#include "sampler.h"
#include "task_tracker.h"
#include "usage.h"
#include "workload.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
/* Data older than this is on its way to the file: what a crash can lose. */
#define FLUSH_EVERY_NS NSEC_PER_SEC

static const char *const record_usage[] = {
	"pprobe record [<options>] [--] <command> [<args>...]",
	"pprobe record [<options>] -r <n> [--] <command> [<args>...] [::: <command> [<args>...]]...",
	"pprobe record [<options>] -p <pid>[,<pid>...]",
	"pprobe record [<options>] --load <command> [--ready <port>] [--] <server> [<args>...]",
	NULL
};

/* Separates the commands whose runs are interleaved (`-r 5 -- a ::: b`). */
#define COMMAND_SEPARATOR ":::"
/* Most variants a file may hold: commands, or CPU counts of a scale. */
#define MAX_VARIANTS 64

struct record {
	/* options */
	const char *output;
	const char *event_spec;
	long interval_ms;
	const char *label;
	int quiet;
	const char *mem_spec;
	int follow_tree;        /* --tree, --no-tree, or -1: not said */
	long proc_interval_ms;
	long pss_interval_ms;
	const char *pid_spec;   /* -p: attach instead of running a command */
	const char *count_by_spec;
	enum { COUNT_BY_AUTO, COUNT_BY_TASK, COUNT_BY_CGROUP, COUNT_BY_RUSAGE } count_by;
	long duration_s;        /* --duration: stop after this long, or 0 */
	long repeat;            /* -r: measured runs of each variant */
	long warmup;            /* --warmup: runs before those, not counted */
	const char *cpus_spec;  /* --cpus: pin the command to these CPUs */
	int per_cpu;            /* --per-cpu: counts split by CPU too */
	struct load load;       /* --load: what the command serves, per run */
	struct rusage load_ru;  /* the run's load, taken out of its rusage */
	int load_failed;        /* the load could not run as asked */
	int stopping;           /* --load: pprobe stops the command */
	long sample_hz;         /* -F: sample at this frequency, or 0 */
	int sample_default;     /* --sample: at SAMPLER_DEFAULT_HZ */
	int callchain;          /* -g: with the callers */

	/* What the runs run: the commands, each on its CPUs (record.h). */
	struct record_variant variants[MAX_VARIANTS];
	size_t nr_variants;
	uint32_t *online;       /* the online CPUs, for --per-cpu */
	size_t nr_online;
	uint32_t run;           /* the run under way, numbered from 0 */
	const struct record_variant *variant; /* ...and what it runs */
	struct rusage children_before; /* RUSAGE_CHILDREN when it began */
	int meta_written;       /* META, EVENT and VARIANT: once per file */

	struct event_list events;
	struct counter_set counters;
	struct cgroup count_cgroup; /* what counters.by_cgroup count, or
				     * counters.by_rusage read the CPU time of */
	int cpu_time_said;      /* rusage: why there is no timeline, said */
	struct cgroup cpuset_cgroup; /* --cpus with cgroups in use: the pin */
	int cpuset_said;        /* why it could not be: said once */
	struct rec_count *values;
	struct rec_count *cpu_values; /* --per-cpu: nr_cpus rows of values */
	uint32_t *cpu_of_entry; /* the CPU of each of their entries */
	size_t nr_cpus;
	struct workload workload;
	struct rec_writer writer;
	int out_fd;
	int created;            /* pprobe created <output>: remove it on failure */
	char *tmp_path;         /* written here until the command runs */
	int signal_fd, timer_fd;
	sigset_t signals;       /* blocked in pprobe, read from signal_fd */
	sigset_t caller_mask;   /* the mask pprobe was started with */
	/* Dispositions pprobe changes for itself, as the caller left them. */
	int changed_signals[2];
	struct sigaction caller_actions[2];
	int escalation;         /* requests to stop so far: SIGINT, SIGTERM,
				 * SIGQUIT; any signal once only orphans remain */

	struct task_tracker tracker;
	int tracking;           /* the tracker is open */
	struct sampler sampler;
	int sampling;           /* the sampler is open */
	int sampler_error;      /* why it could not be opened, or 0 */
	uint64_t last_drain_ns; /* when the rings were last drained */
	uint64_t ip_samples;    /* SAMPLE records written, all runs */
	struct proc_tree tree;
	struct mem_backends mem;
	uint64_t last_proc_ns;  /* the last process tick */
	long clock_slot;        /* task-clock/cpu-clock in values[], or -1 */
	uint64_t tree_cpu_ns;   /* its value at the last sample */
	uint64_t cpu_at_pass_ns; /* ...at the last pass over /proc */
	uint64_t last_pass_ns;  /* when that pass was */

	struct attach attach;   /* -p: the processes attached to */
	int attaching;
	uint64_t deadline_ns;   /* --duration: when to stop, or 0 */
	uint64_t kill_ns;       /* after --duration: when to insist */
	int killing;            /* ...and since then, SIGKILL to every child */
	int stopped;            /* attach: a signal or --duration ended it */

	const char *command;    /* argv[0] of the command, for messages */
	int command_ended;      /* reaped; orphans of its tree may remain */
	uint64_t begin_ns;
	uint64_t end_ns;        /* when the last process of the tree ended */
	uint64_t last_flush_ns;
	uint64_t samples;
	uint64_t read_failures; /* ticks whose counters could not be read */
	int write_failed;       /* reported once; the command runs on */
};

static int alloc_cpu_values(struct record *rec, size_t n);

/* Runs before the measured ones: --warmup of each variant. */
static uint32_t run_warmups(const struct record *rec)
{
	return (uint32_t)((size_t)rec->warmup * rec->nr_variants);
}

/* The signal a task tracker ring raises when it is half full. */
#define RING_SIGNAL (SIGRTMIN + 1)

/* Signals pprobe passes on to the command (see forward_signal()). */
static const int forwarded_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/*
 * For a failure that more file descriptors would have avoided, the
 * advice; else "". pprobe already runs at the hard limit
 * (raise_fd_limit()), so the limit itself must go up.
 */
static const char *fd_advice(int err)
{
	return err == EMFILE ? " (raise the limit with 'ulimit -n')" : "";
}

static int is_stdout(const struct record *rec)
{
	return !strcmp(rec->output, "-");
}

/* How messages name the output. */
static const char *output_name(const struct record *rec)
{
	return is_stdout(rec) ? "standard output" : rec->output;
}

/*
 * Opens the output without disturbing anything that exists: a command
 * that cannot run must leave every file as it was. So a non-empty file in
 * the way is not touched yet: the recording goes to a temporary file
 * beside it, which takes its place (the old one kept as <output>.old, as
 * perf does) only once the command runs, in commit_output(). A FIFO or a
 * device (/dev/null) is written as it is and never removed. This runs
 * before any signal is blocked, so Ctrl-C still ends a blocked open.
 */
static int open_output(struct record *rec)
{
	struct stat st;

	if (is_stdout(rec)) {
		if (isatty(STDOUT_FILENO))
			return error("refusing to write a recording to a terminal: redirect standard output or use -o <file>");
		rec->out_fd = STDOUT_FILENO;
		return 0;
	}

	if (stat(rec->output, &st) < 0) {
		const char *slash = strrchr(rec->output, '/');

		rec->out_fd = open(rec->output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		rec->created = rec->out_fd >= 0;
		/* "No such file or directory" for a file we were to create
		 * reads as if it should have been there already. */
		if (rec->out_fd < 0 && errno == ENOENT && slash && slash != rec->output)
			return error("cannot create '%s': directory '%.*s' does not exist",
				     rec->output, (int)(slash - rec->output), rec->output);
	} else if (S_ISDIR(st.st_mode)) {
		return error("cannot write '%s': Is a directory", rec->output);
	} else if (S_ISREG(st.st_mode) && st.st_size > 0) {
		if (asprintf(&rec->tmp_path, "%s.tmp.%d", rec->output, (int)getpid()) < 0) {
			rec->tmp_path = NULL;
			return error("out of memory");
		}
		rec->out_fd = open(rec->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (rec->out_fd < 0) {
			int err = errno;

			free(rec->tmp_path);
			rec->tmp_path = NULL;
			return error("cannot write beside '%s': %s", rec->output, strerror(err));
		}
	} else {
		rec->out_fd = open(rec->output, O_WRONLY | O_TRUNC | O_CLOEXEC);
	}
	if (rec->out_fd < 0)
		return error("cannot open '%s': %s", rec->output, strerror(errno));
	return 0;
}

/* The command runs: the recording takes its place, the old one kept. */
static void commit_output(struct record *rec)
{
	char *old_path;

	rec->writer.hold = 0;
	if (!rec->tmp_path)
		return;
	if (asprintf(&old_path, "%s.old", rec->output) < 0 ||
	    rename(rec->output, old_path) < 0 || rename(rec->tmp_path, rec->output) < 0) {
		/* Nothing is lost: say where the recording is. */
		warning("cannot put the recording in place of '%s' (%s): it is in '%s'",
			rec->output, strerror(errno), rec->tmp_path);
		rec->output = rec->tmp_path; /* freed with rec->tmp_path */
	} else {
		free(rec->tmp_path);
		rec->tmp_path = NULL;
	}
	free(old_path);
}

/* The command never ran: leave things as they were before pprobe. */
static void abandon_output(struct record *rec)
{
	rec_writer_discard(&rec->writer);
	if (is_stdout(rec) || rec->out_fd < 0)
		return;
	close(rec->out_fd);
	rec->out_fd = -1;
	if (rec->tmp_path)
		unlink(rec->tmp_path);
	else if (rec->created)
		unlink(rec->output);
}

static void write_meta(struct record *rec, const char **argv, int argc,
		       uint64_t start_mono, uint64_t start_real)
{
	struct rec_writer *w = &rec->writer;
	struct utsname uts;
	int paranoid;

	rec_meta_begin(w);
	rec_meta_str(w, "pprobe_version", PPROBE_VERSION);
	for (int i = 0; i < argc; i++)
		rec_meta_str(w, "argv", argv[i]);
	for (size_t i = 0; i < rec->attach.nr; i++)
		rec_meta_u64(w, "attach_pid", (uint64_t)rec->attach.pids[i]);
	if (uname(&uts) == 0) {
		rec_meta_str(w, "hostname", uts.nodename);
		rec_meta_str(w, "kernel_release", uts.release);
		rec_meta_str(w, "machine", uts.machine);
	}
	rec_meta_u64(w, "cpus_online", (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
	rec_meta_u64(w, "page_size", (uint64_t)sysconf(_SC_PAGESIZE));
	rec_meta_str(w, "clock", "CLOCK_MONOTONIC");
	rec_meta_u64(w, "start_monotonic_ns", start_mono);
	rec_meta_u64(w, "start_realtime_ns", start_real);
	rec_meta_u64(w, "interval_ns", (uint64_t)rec->interval_ms * NSEC_PER_MSEC);
	rec_meta_str(w, "counting", rec->counters.by_rusage ? "rusage" :
				    rec->counters.by_cgroup ? "cgroup" : "task");
	if (event_paranoid(&paranoid) == 0)
		rec_meta_i64(w, "perf_event_paranoid", paranoid);
	rec_meta_str(w, "output", rec->output);
	if (rec->label)
		rec_meta_str(w, "label", rec->label);
	rec_finish(w);
}

static void write_events(struct record *rec)
{
	for (size_t i = 0; i < rec->counters.nr; i++) {
		const struct counter *c = &rec->counters.v[i];
		struct rec_event e = {
			.id = c->id,
			.group = c->group,
			.perf_type = c->spec->attr.type,
			.status = c->status,
			.config = c->spec->attr.config,
			.flags = c->flags,
			.error = c->error,
			.name = c->spec->name,
			.unit = c->spec->unit,
		};
		rec_write_event(&rec->writer, &e);
	}
}

/*
 * Write errors do not stop the command: it runs to its end as it would
 * have without pprobe. The file keeps what was flushed before the error.
 */
static void check_writer(struct record *rec)
{
	char readable[64] = "nothing was written";

	if (!rec->writer.error || rec->write_failed)
		return;
	rec->write_failed = 1;
	if (rec->writer.flushed)
		snprintf(readable, sizeof(readable), "the first %llu bytes are readable",
			 (unsigned long long)rec->writer.flushed);
	error("cannot write '%s': %s (recording stopped; %s%s)",
	      output_name(rec), strerror(rec->writer.error), readable,
	      rec->command_ended ? "" : "; the command keeps running");
}

static void flush(struct record *rec, uint64_t now)
{
	rec_writer_flush(&rec->writer);
	rec->last_flush_ns = now;
	check_writer(rec);
}

static void run_rusage(const struct record *rec, const struct rusage *now,
		       struct rec_rusage *out);

/*
 * --count-by rusage: what the kernel accounted for the tree. At the end,
 * everything, from the rusage of the reaped tree (write_run_end()'s);
 * before, the CPU time of the command's cgroup, where there is one.
 * Returns the number of entries, 0 when there is nothing to read.
 */
static int read_accounting(struct record *rec, uint64_t t, uint32_t flags)
{
	struct counter_accounting a = { 0 };
	uint64_t elapsed = t > rec->begin_ns ? t - rec->begin_ns : 0;

	if (flags & REC_COUNTS_F_FINAL) {
		struct rusage now = { 0 };
		struct rec_rusage ru;

		getrusage(RUSAGE_CHILDREN, &now);
		run_rusage(rec, &now, &ru);
		a = (struct counter_accounting){
			.have = COUNTER_HAVE_CPU | COUNTER_HAVE_SWITCHES | COUNTER_HAVE_FAULTS,
			.user_ns = ru.utime_us * 1000, .system_ns = ru.stime_us * 1000,
			.nvcsw = ru.nvcsw, .nivcsw = ru.nivcsw,
			.minflt = ru.minflt, .majflt = ru.majflt,
		};
	} else if (cgroup_cpu_read(&rec->count_cgroup, &a.user_ns, &a.system_ns) == 0) {
		a.have = COUNTER_HAVE_CPU;
	}
	return counter_set_read_accounting(&rec->counters, &a, elapsed, rec->values);
}

/* Reads and writes the counters. Returns the reading's time. */
static uint64_t sample(struct record *rec, uint32_t flags)
{
	uint64_t t = now_ns();
	int n = rec->counters.by_rusage ? read_accounting(rec, t, flags) :
		counter_set_read_cpus(&rec->counters, rec->values,
				      rec->nr_cpus ? rec->cpu_values : NULL);

	if (n == 0 && rec->counters.by_rusage)
		return t; /* no figure before the end: no cgroup */
	if (n < 0) {
		/* That tick is skipped; said once, counted at the end. */
		if (!rec->read_failures++)
			warning("cannot read the counters: %s (that sample is skipped)", strerror(-n));
		return t;
	}
	rec_write_counts(&rec->writer, t, rec->run, flags, rec->values, (uint32_t)n);
	/* --per-cpu: the same reading, CPU by CPU. */
	if (rec->nr_cpus)
		rec_write_cpu_counts(&rec->writer, t, rec->run, flags, rec->cpu_values,
				     rec->cpu_of_entry, (uint32_t)((size_t)n * rec->nr_cpus));
	if (rec->clock_slot >= 0 && rec->clock_slot < n)
		rec->tree_cpu_ns = rec->values[rec->clock_slot].value;
	if (!(flags & REC_COUNTS_F_FINAL))
		rec->samples++;
	if (t - rec->last_flush_ns >= FLUSH_EVERY_NS)
		flush(rec, t);
	else
		check_writer(rec);
	return t;
}

static int on_task_event(const struct task_event *ev, void *arg)
{
	struct record *rec = arg;

	/* The samples and mappings before it go first (sampler.h, ORDER):
	 * those stamped with an EXIT's time are still the process's; a
	 * FORK's or EXEC's are the new program's. */
	if (rec->sampling)
		sampler_write(&rec->sampler,
			      ev->kind == TASK_EXIT ? ev->time_ns : ev->time_ns - 1,
			      &rec->writer);
	return proc_tree_event(&rec->tree, ev, &rec->writer);
}

/*
 * Hands every task event the kernel has written so far to the tree, and
 * writes the samples and mappings in time order among them, all up to
 * one cut (or everything, at the end).
 */
static void drain_events(struct record *rec, int all)
{
	uint64_t cut = all ? UINT64_MAX : task_tracker_cut();
	int err = 0;

	rec->last_drain_ns = now_ns();
	if (rec->sampling && sampler_read(&rec->sampler) == -EIO)
		warning("a sampling ring held a malformed record: its samples were dropped");
	if (rec->tracking)
		err = all ? task_tracker_drain_all(&rec->tracker, on_task_event, rec)
			  : task_tracker_drain_to(&rec->tracker, cut, on_task_event, rec);
	if (rec->sampling)
		sampler_write(&rec->sampler, cut, &rec->writer);
	if (err == -ENOMEM)
		warning(all ? "out of memory following the process tree: some process events are missing"
			    : "out of memory following the process tree: some process events are late");
}

static void drain_tasks(struct record *rec)
{
	drain_events(rec, 0);
}

/*
 * The process tick: /proc figures of every live process and the memory
 * backends, every --proc-interval rather than on every counter tick when
 * -I is short. stat (CPU, faults: 1.9 us a process) and statm (RSS: 0.8
 * us) are read each time, unless schedstat (0.5 us) says the process has
 * not run since (proc_tree.c); status (peak RSS, context switches: 4.2
 * us) on a process's first tick and then once a second. A peak RSS is
 * exact whenever it is read, so reading it seldom misses nothing but
 * processes that end unread.
 *
 * And when the tree's own CPU time (task-clock, counted for the whole
 * tree) has not moved since the last pass, no process of it ran: nothing
 * in /proc can have changed but what the once-a-second pass catches
 * (RSS lowered by reclaim), so the pass is skipped. An idle tree of a
 * hundred processes then costs no more than one.
 */
#define STATUS_EVERY_NS NSEC_PER_SEC

static int tree_idle(const struct record *rec, uint64_t now)
{
	return rec->clock_slot >= 0 && rec->last_pass_ns &&
	       rec->tree_cpu_ns == rec->cpu_at_pass_ns &&
	       now - rec->last_pass_ns < STATUS_EVERY_NS;
}

static void process_tick(struct record *rec, uint64_t now, int force)
{
	unsigned what = PROC_READ_STAT | PROC_READ_STATM;
	uint64_t due = (uint64_t)rec->proc_interval_ms * NSEC_PER_MSEC;
	uint64_t slack = (uint64_t)rec->interval_ms * NSEC_PER_MSEC / 2;

	/* Counter ticks wake a few microseconds early or late: half a tick
	 * of slack keeps --proc-interval 100 at -I 10 every 10 ticks, not
	 * 10 or 11 as the jitter fell (passes 110 ms apart one time in
	 * two). */
	if (!force && now - rec->last_proc_ns + (slack < due ? slack : 0) < due)
		return;
	rec->last_proc_ns = now;
	/* Without --tree the table holds only the command: no table then. */
	if (rec->follow_tree && !force && tree_idle(rec, now)) {
		drain_tasks(rec);
	} else if (rec->follow_tree) {
		rec->cpu_at_pass_ns = rec->tree_cpu_ns;
		rec->last_pass_ns = now;
		drain_tasks(rec);
		what |= mem_backends_reads(&rec->mem, now);
		/* Forced (the first and last ticks of an attach): all of it. */
		/* Switches are per thread: with the status of a process that
		 * has several, each thread's (7 us a thread, once a second). */
		/* Counting in user mode, migrations read 0: /proc has them. */
		if (proc_tree_sample(&rec->tree, now, rec->run, what,
				     PROC_READ_STATUS | PROC_READ_THREADS |
				     (rec->counters.user_only ? PROC_READ_SCHED : 0),
				     force ? 0 : STATUS_EVERY_NS, &rec->writer) == -ENOMEM)
			warning("out of memory reading the processes of the tree");
	}
	mem_backends_tick(&rec->mem, now, rec->run, &rec->tree.sums, &rec->writer);
}

/*
 * The sampler's rings are drained on a clock of their own, every
 * SAMPLE_DRAIN_NS whatever -I is: a ring of 256 KiB holds about a second
 * of samples with deep call chains, and a drain costs a sort of what came
 * since. Not on the rings' wakeups: with O_ASYNC the kernel signals every
 * sample (perf_event_overflow() queues a wakeup for each on an fd with
 * fasync), which cost pprobe 25 us a sample; and polling them would make
 * exiting tasks yield (see start_tracking()).
 */
#define SAMPLE_DRAIN_NS (100 * NSEC_PER_MSEC)

static void drain_samples(struct record *rec, uint64_t now)
{
	if (rec->sampling && now - rec->last_drain_ns >= SAMPLE_DRAIN_NS)
		drain_tasks(rec);
}

static void tick(struct record *rec)
{
	sample(rec, 0);
	if (rec->follow_tree || rec->mem.recording)
		process_tick(rec, now_ns(), 0);
	drain_samples(rec, now_ns());
}

static int setup_signals(struct record *rec)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN };

	/*
	 * Orphans of the tree (a double-forked daemon, a background job the
	 * command did not wait for) come to pprobe instead of init, so they
	 * are waited for and their counts end up in the totals.
	 */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return error("cannot become a subreaper: %s", strerror(errno));

	/*
	 * SIGCHLD must not be ignored, or the kernel reaps the children
	 * itself and no SIGCHLD ever says the command ended. A reader that
	 * goes away is a write error to report, not a death: SIGPIPE is
	 * ignored. The caller's settings are kept for the command.
	 */
	rec->changed_signals[0] = SIGCHLD;
	rec->changed_signals[1] = SIGPIPE;
	if (sigaction(SIGCHLD, &dfl, &rec->caller_actions[0]) < 0 ||
	    sigaction(SIGPIPE, &ign, &rec->caller_actions[1]) < 0)
		return error("cannot set up signals: %s", strerror(errno));

	sigemptyset(&rec->signals);
	sigaddset(&rec->signals, SIGCHLD);
	/* The task tracker's rings say "half full" with these (see
	 * start_tracking()); SIGIO if the real-time queue overflowed. */
	sigaddset(&rec->signals, RING_SIGNAL);
	sigaddset(&rec->signals, SIGIO);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		sigaddset(&rec->signals, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &rec->signals, &rec->caller_mask) < 0)
		return error("cannot block signals: %s", strerror(errno));
	rec->signal_fd = signalfd(-1, &rec->signals, SFD_CLOEXEC | SFD_NONBLOCK);
	if (rec->signal_fd < 0)
		return error("cannot create a signalfd: %s%s", strerror(errno), fd_advice(errno));
	return 0;
}

/*
 * Once, before any counter: under a low 'ulimit -n' the counters take what
 * is left, and the timer must not be what then finds none.
 */
static int create_timer(struct record *rec)
{
	rec->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (rec->timer_fd < 0)
		return error("cannot create a timer: %s%s", strerror(errno), fd_advice(errno));
	return 0;
}

static int start_timer(struct record *rec)
{
	struct itimerspec its = { 0 };
	uint64_t ns = (uint64_t)rec->interval_ms * NSEC_PER_MSEC;

	its.it_interval.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	its.it_interval.tv_nsec = (long)(ns % NSEC_PER_SEC);
	its.it_value = its.it_interval;
	if (timerfd_settime(rec->timer_fd, 0, &its, NULL) < 0)
		return error("cannot start the timer: %s", strerror(errno));
	return 0;
}

/*
 * Sends sig to every process pprobe is the parent of: once the command has
 * exited, those are the orphans it left, reparented to us as subreaper.
 */
static void signal_children(int sig)
{
	char path[64];
	long child;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%ld", &child) == 1)
		kill((pid_t)child, sig);
	fclose(f);
}

/* The forwarded signals that ask the command to stop, rather than to do
 * something (SIGHUP reloads many a server, SIGUSR1 makes dd report). */
static int is_stop_signal(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGQUIT;
}

/*
 * A signal typed at the terminal (si_code SI_KERNEL) has already reached
 * the command, which shares pprobe's foreground process group: passing it
 * on again would deliver it twice. Anything sent to pprobe alone, as
 * kill(1) does, is passed on. (A signal sent by another process to the
 * whole process group, kill -INT -PGID, reaches the command twice: a known
 * limit, written in the README.) Once the command itself is gone, the
 * signal goes to what it left running, which may well have left our
 * process group (a daemon calls setsid()).
 */
static void forward_signal(struct record *rec,
			   const struct signalfd_siginfo *si)
{
	if (rec->attaching) {
		/* Not ours to signal: Ctrl-C and the like end the recording,
		 * and the processes run on as if pprobe had never been. */
		if (si->ssi_signo != SIGUSR1 && si->ssi_signo != SIGUSR2)
			rec->stopped = 1;
		return;
	}
	if (rec->command_ended) {
		/*
		 * What is left may ignore the signal (a background job of a
		 * non-interactive shell ignores SIGINT and SIGQUIT): the
		 * first signal asks with SIGTERM, the next one insists.
		 */
		signal_children(rec->escalation++ ? SIGKILL : SIGTERM);
		return;
	}
	/*
	 * A second request to stop means it: a command that ignores the
	 * first, or takes too long over it, is killed, and so is every
	 * process of its tree as it comes to pprobe, as after --duration.
	 * Else only SIGKILL from outside could end it, and pprobe would wait.
	 */
	if (is_stop_signal((int)si->ssi_signo) && rec->escalation++) {
		warning("a second signal: killing '%s' and the processes it started (SIGKILL)",
			rec->command);
		kill(rec->workload.pid, SIGKILL);
		rec->killing = 1;
		return;
	}
	if (si->ssi_code == SI_KERNEL)
		return;
	kill(rec->workload.pid, (int)si->ssi_signo);
}

static void reap_load(struct record *rec);
static void command_ended_under_load(struct record *rec);

/*
 * Reaps every child that has ended: the command, and the orphans of its
 * tree that came to pprobe as their subreaper. Returns 1 once there is no
 * child left, so every process of the tree has exited and its counts have
 * been folded into the inherited counters.
 */
static int reap_children(struct record *rec, int *status)
{
	int command_was_running = !rec->command_ended;

	for (;;) {
		siginfo_t si = { 0 };
		struct rusage ru;
		uint64_t now;
		pid_t pid;
		int st;

		/* Look before reaping: a zombie's /proc still has its figures. */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECHILD;
		}
		pid = si.si_pid;
		if (!pid)
			break;
		if (pid == rec->load.w.pid) {
			reap_load(rec);
			continue;
		}
		now = now_ns();
		if (rec->follow_tree)
			proc_tree_before_reap(&rec->tree, pid, now, rec->run, &rec->writer);
		if (wait4(pid, &st, 0, &ru) != pid)
			continue;
		if (rec->follow_tree)
			proc_tree_reaped(&rec->tree, pid, st, &ru, now, &rec->writer);
		mem_backends_reaped(&rec->mem, ru.ru_maxrss);
		if (pid == rec->workload.pid) {
			*status = st;
			rec->command_ended = 1;
			command_ended_under_load(rec);
		}
	}
	/* Not when pprobe killed it: the rest is being killed, not waited for. */
	if (command_was_running && rec->command_ended && !rec->quiet && !rec->killing)
		note("'%s' exited; waiting for the processes it left running (their work is part of the recording)",
		     rec->command);
	return 0;
}

/* Handles pending signals. Returns 1 once the whole tree has been reaped. */
static int handle_signals(struct record *rec, int *status)
{
	struct signalfd_siginfo si;
	int done = 0;

	while (read(rec->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			done = reap_children(rec, status);
		else if ((int)si.ssi_signo == RING_SIGNAL || si.ssi_signo == SIGIO)
			drain_tasks(rec);
		else
			forward_signal(rec, &si);
	}
	return done || rec->stopped;
}

/*
 * --duration: an attach simply stops. A command is asked to end with
 * SIGTERM, as timeout(1) does, and killed if it still runs after
 * DURATION_GRACE_NS; so is what its tree left running.
 */
#define DURATION_GRACE_NS (5 * NSEC_PER_SEC)

static void check_deadline(struct record *rec, uint64_t now)
{
	if (rec->deadline_ns && now >= rec->deadline_ns) {
		rec->deadline_ns = 0;
		if (rec->attaching) {
			rec->stopped = 1;
			return;
		}
		if (!rec->quiet)
			note("--duration %ld s is up: sending SIGTERM to '%s'%s",
			     rec->duration_s, rec->command,
			     rec->command_ended ? "'s remaining processes" : "");
		if (rec->command_ended)
			signal_children(SIGTERM);
		else
			kill(rec->workload.pid, SIGTERM);
		rec->kill_ns = now + DURATION_GRACE_NS;
	} else if (rec->kill_ns && now >= rec->kill_ns) {
		rec->kill_ns = 0;
		rec->killing = 1;
		warning("the tree still runs %llu s after SIGTERM: killing it",
			(unsigned long long)(DURATION_GRACE_NS / NSEC_PER_SEC));
		if (!rec->command_ended)
			kill(rec->workload.pid, SIGKILL);
	}
	/* Orphans of killed processes come to pprobe: kill them too. */
	if (rec->killing)
		signal_children(SIGKILL);
}

/* ---- --load: the load a server is recorded under (load.h) ---- */

/* Asks the command to end with SIGTERM; check_deadline() insists later. */
static void stop_command(struct record *rec, uint64_t now)
{
	rec->stopping = 1;
	if (rec->command_ended)
		signal_children(SIGTERM);
	else
		kill(rec->workload.pid, SIGTERM);
	rec->kill_ns = now + DURATION_GRACE_NS;
}

/* The load could not run as asked: said, the command stopped. */
static void load_not_run(struct record *rec, uint64_t now)
{
	rec->load.state = LOAD_DONE;
	rec->load_failed = 1;
	if (!rec->command_ended)
		stop_command(rec, now);
}

/* The command is ready: a reading of the counters, then the load. */
static void begin_load(struct record *rec)
{
	struct load *l = &rec->load;
	struct workload_options opts = {
		.mask = &rec->caller_mask,
		.restore_signals = rec->changed_signals,
		.restore_actions = rec->caller_actions,
		.nr_restore = 2,
	};
	uint64_t t = sample(rec, 0);
	int err = load_start(l, &opts);

	if (err) {
		error("cannot run the load '%s': %s", l->command, strerror(err));
		load_not_run(rec, now_ns());
		return;
	}
	l->begin_ns = t;
	rec_write_load(&rec->writer, &(struct rec_load){
		.time_ns = t,
		.run = rec->run,
		.kind = REC_LOAD_BEGIN,
		.pid = (uint32_t)l->w.pid,
		.command = l->command,
	});
	if (!rec->quiet)
		note("'%s' is ready after %.3f s: running the load: %s", rec->command,
		     (double)(t - rec->begin_ns) / 1e9, l->command);
}

/* Before the load: is the command ready, or never going to be? */
static void check_load(struct record *rec, uint64_t now)
{
	struct load *l = &rec->load;
	int listening;

	if (l->state != LOAD_WAITING)
		return;
	if (rec->command_ended) {
		error("'%s' exited before it was ready: the load did not run", rec->command);
		load_not_run(rec, now);
		return;
	}
	if (!l->port) {
		if (now >= l->ready_by_ns)
			begin_load(rec);
		return;
	}
	listening = load_port_listening((unsigned)l->port);
	if (listening == 1) {
		begin_load(rec);
	} else if (listening < 0) {
		error("cannot tell whether port %ld listens (/proc/net/tcp: %s): the load did not run; stopping '%s'",
		      l->port, strerror(-listening), rec->command);
		load_not_run(rec, now);
	} else if (now >= l->ready_by_ns) {
		error("'%s' did not listen on port %ld within %ld s: the load did not run; stopping it (a slow server? --ready-timeout)",
		      rec->command, l->port, l->timeout_s);
		load_not_run(rec, now);
	}
}

/* The load ended: a reading of the counters, its record, the command stopped. */
static void reap_load(struct record *rec)
{
	struct load *l = &rec->load;
	struct rec_load e = {
		.run = rec->run,
		.kind = REC_LOAD_END,
		.pid = (uint32_t)l->w.pid,
		.command = l->command,
	};
	struct rusage ru = { 0 };
	int st = 0;

	if (wait4(l->w.pid, &st, 0, &ru) != l->w.pid)
		return;
	l->w.pid = -1;
	l->state = LOAD_DONE;
	l->status = st;
	/* Its account leaves the run's (run_rusage()). */
	timeradd(&rec->load_ru.ru_utime, &ru.ru_utime, &rec->load_ru.ru_utime);
	timeradd(&rec->load_ru.ru_stime, &ru.ru_stime, &rec->load_ru.ru_stime);
	rec->load_ru.ru_minflt += ru.ru_minflt;
	rec->load_ru.ru_majflt += ru.ru_majflt;
	rec->load_ru.ru_nvcsw += ru.ru_nvcsw;
	rec->load_ru.ru_nivcsw += ru.ru_nivcsw;
	rec->load_ru.ru_inblock += ru.ru_inblock;
	rec->load_ru.ru_oublock += ru.ru_oublock;
	load_read_output(l);
	if (l->out_fd >= 0) {
		/* Something it started holds the pipe: no more is kept. */
		close(l->out_fd);
		l->out_fd = -1;
	}

	e.time_ns = l->end_ns = sample(rec, 0);
	e.exit_kind = WIFSIGNALED(st) ? REC_EXIT_SIGNAL : REC_EXIT_NORMAL;
	e.exit_code = WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st);
	e.flags = l->stopped ? REC_LOAD_F_STOPPED : 0;
	e.output = l->output ? l->output : "";
	if (l->output && load_parse_requests(l->output, &e.requests))
		e.flags |= REC_LOAD_F_REQUESTS;
	proc_rusage_to_rec(&ru, &e.rusage);
	rec_write_load(&rec->writer, &e);

	if (workload_exit_code(st) && !l->stopped)
		warning("the load exited with status %d: %s", workload_exit_code(st), l->command);
	if (rec->command_ended)
		return;
	if (!rec->quiet)
		note("the load ended after %.3f s: stopping '%s' (SIGTERM, SIGKILL %llu s later)",
		     (double)(l->end_ns - l->begin_ns) / 1e9, rec->command,
		     (unsigned long long)(DURATION_GRACE_NS / NSEC_PER_SEC));
	stop_command(rec, l->end_ns);
}

/* The command ended by itself: a load still running has nothing to load. */
static void command_ended_under_load(struct record *rec)
{
	struct load *l = &rec->load;

	if (l->state != LOAD_RUNNING || rec->stopping)
		return;
	warning("'%s' ended while the load ran: stopping the load", rec->command);
	l->stopped = 1;
	kill(l->w.pid, SIGTERM);
	rec->kill_ns = now_ns() + DURATION_GRACE_NS;
}

/*
 * Before a run: the load waits for the command. Its port must be free,
 * or the load would reach something else. 0, or pprobe's exit status.
 */
static int arm_load(struct record *rec)
{
	struct load *l = &rec->load;

	rec->load_failed = 0;
	rec->stopping = 0;
	memset(&rec->load_ru, 0, sizeof(rec->load_ru));
	if (!l->command)
		return 0;
	if (l->port && load_port_listening((unsigned)l->port) == 1) {
		error("port %ld is in use already: the load would not reach '%s' (stop what listens there, or choose another port)",
		      l->port, rec->command);
		return 1;
	}
	l->state = LOAD_WAITING;
	l->len = 0;
	l->stopped = 0;
	l->status = 0;
	l->begin_ns = l->end_ns = 0;
	l->echo = !rec->quiet;
	return 0;
}

/* Once the command runs: when the load may start, or must have. */
static void time_load(struct record *rec)
{
	struct load *l = &rec->load;
	long ms = l->port ? l->timeout_s * 1000 :
		  l->delay_ms >= 0 ? l->delay_ms : LOAD_DEFAULT_DELAY_MS;

	l->ready_by_ns = rec->begin_ns + (uint64_t)ms * NSEC_PER_MSEC;
}

/*
 * The run's exit status: the command's; but a command ended by pprobe
 * (its load done, or not to be run) did what was asked, and then the
 * load's failure is the run's.
 */
static int run_exit_code(const struct record *rec, int status)
{
	const struct load *l = &rec->load;
	int code = workload_exit_code(status);

	if (rec->attaching)
		return 0;
	if (!l->command)
		return code;
	if (rec->stopping && WIFSIGNALED(status) &&
	    (WTERMSIG(status) == SIGTERM || WTERMSIG(status) == SIGKILL))
		code = 0;
	if (code)
		return code;
	if (rec->load_failed)
		return 1;
	return workload_exit_code(l->status);
}

/* How long poll() may sleep: at most a second, less before a deadline. */
static int poll_timeout_ms(const struct record *rec, uint64_t now)
{
	uint64_t until = now + FLUSH_EVERY_NS;

	if (rec->deadline_ns && rec->deadline_ns < until)
		until = rec->deadline_ns;
	if (rec->kill_ns && rec->kill_ns < until)
		until = rec->kill_ns;
	if (rec->sampling && rec->last_drain_ns + SAMPLE_DRAIN_NS < until)
		until = rec->last_drain_ns + SAMPLE_DRAIN_NS;
	if (rec->load.state == LOAD_WAITING) {
		uint64_t check = rec->load.port ?
				 now + LOAD_READY_POLL_MS * NSEC_PER_MSEC :
				 rec->load.ready_by_ns;

		if (check < until)
			until = check;
	}
	if (until <= now)
		return 0;
	return (int)((until - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
}

/*
 * The recording's loop. Returns 0 once the tree has ended (a command: all
 * reaped; an attach: every target exited) or a signal or --duration ended
 * an attach, or -1 on a failure already reported.
 */
static int run_loop(struct record *rec, int *status)
{
	size_t nr = 3 + rec->attach.nr;
	struct pollfd *pfd = calloc(nr, sizeof(*pfd));

	if (!pfd)
		return error("out of memory");
	pfd[0] = (struct pollfd){ .fd = rec->signal_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = rec->timer_fd, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	for (size_t i = 0; i < rec->attach.nr; i++)
		pfd[3 + i] = (struct pollfd){ .fd = rec->attach.pidfds[i], .events = POLLIN };

	for (;;) {
		uint64_t expirations;

		/* The load's output, while it runs (poll() skips -1). */
		pfd[2].fd = rec->load.out_fd;
		/* A wakeup at least every second keeps the flush promise. */
		if (poll(pfd, nr, poll_timeout_ms(rec, now_ns())) < 0) {
			if (errno == EINTR)
				continue;
			free(pfd);
			return error("poll failed: %s", strerror(errno));
		}
		if ((pfd[1].revents & POLLIN) &&
		    read(rec->timer_fd, &expirations, sizeof(expirations)) > 0)
			tick(rec);
		if (pfd[2].revents)
			load_read_output(&rec->load);
		if ((pfd[0].revents & POLLIN) && handle_signals(rec, status))
			break;
		for (size_t i = 0; i < rec->attach.nr; i++)
			if (pfd[3 + i].revents) {
				attach_exited(&rec->attach, i);
				pfd[3 + i].fd = -1; /* poll() skips it now */
			}
		/* Targets without a pidfd: looked for in /proc at each wakeup. */
		if (rec->attaching)
			attach_poll(&rec->attach);
		if (rec->attaching && !rec->attach.live)
			break;
		check_deadline(rec, now_ns());
		check_load(rec, now_ns());
		drain_samples(rec, now_ns());
		if (rec->stopped)
			break;
		if (now_ns() - rec->last_flush_ns >= FLUSH_EVERY_NS)
			flush(rec, now_ns());
	}
	free(pfd);
	return 0;
}

/*
 * What the run's tree used: RUSAGE_CHILDREN now, less what it was when
 * the run began (the earlier runs). Its peak is no sum: the largest
 * ru_maxrss of the run's own reaped processes, which the memory
 * backends keep per run.
 */
static void run_rusage(const struct record *rec, const struct rusage *now,
		       struct rec_rusage *out)
{
	const struct rusage *b = &rec->children_before, *l = &rec->load_ru;
	struct rusage d = {
		.ru_maxrss = (long)(rec->mem.hwm_reaped_max / 1024),
		.ru_minflt = now->ru_minflt - b->ru_minflt - l->ru_minflt,
		.ru_majflt = now->ru_majflt - b->ru_majflt - l->ru_majflt,
		.ru_nvcsw = now->ru_nvcsw - b->ru_nvcsw - l->ru_nvcsw,
		.ru_nivcsw = now->ru_nivcsw - b->ru_nivcsw - l->ru_nivcsw,
		.ru_inblock = now->ru_inblock - b->ru_inblock - l->ru_inblock,
		.ru_oublock = now->ru_oublock - b->ru_oublock - l->ru_oublock,
	};

	timersub(&now->ru_utime, &b->ru_utime, &d.ru_utime);
	timersub(&d.ru_utime, &l->ru_utime, &d.ru_utime);
	timersub(&now->ru_stime, &b->ru_stime, &d.ru_stime);
	timersub(&d.ru_stime, &l->ru_stime, &d.ru_stime);
	proc_rusage_to_rec(&d, out);
}

static void write_run_end(struct record *rec, int status)
{
	struct rusage ru = { 0 };
	struct rec_run_end e = {
		.time_ns = rec->end_ns,
		.run = rec->run,
		.pid = (uint32_t)rec->workload.pid,
		.exit_kind = WIFSIGNALED(status) ? REC_EXIT_SIGNAL : REC_EXIT_NORMAL,
		.exit_code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
	};

	if (rec->attaching) {
		/* Not our children: no status, no rusage. */
		e.pid = (uint32_t)rec->attach.pids[0];
		e.exit_kind = REC_EXIT_ATTACHED;
		e.exit_code = 0;
		rec_write_run_end(&rec->writer, &e);
		return;
	}
	/* Everything pprobe reaped is the tree: the command and its orphans. */
	getrusage(RUSAGE_CHILDREN, &ru);
	run_rusage(rec, &ru, &e.rusage);
	rec_write_run_end(&rec->writer, &e);
}

/* Why the sampler could not be opened, and what to do. */
static const char *sampling_why(int err)
{
	switch (err) {
	case ENOBUFS:
		return "its rings do not fit the locked memory this user may have (/proc/sys/kernel/perf_event_mlock_kb, ulimit -l): raise either";
	case EACCES:
	case EPERM:
		return "not permitted (perf_event_paranoid is above 2, or perf is disabled for this user: see /proc/sys/kernel/perf_event_paranoid)";
	case EMFILE:
		return "too many open files (raise the limit with 'ulimit -n')";
	default:
		return strerror(err);
	}
}

/*
 * -F: opens the sampler on the held command, before it execs. A sampler
 * that cannot be opened is said once and recorded as unavailable; the
 * recording goes on without it, as it does without cycles.
 */
static void start_sampling(struct record *rec)
{
	int err;

	rec->sampler_error = 0;
	if (!rec->sample_hz)
		return;
	err = sampler_open(&rec->sampler, rec->workload.pid,
			   (uint32_t)rec->sample_hz, rec->callchain);
	if (err) {
		rec->sampler_error = -err;
		if (rec->run == 0)
			warning("cannot sample the command: %s; recording without samples",
				sampling_why(rec->sampler_error));
		return;
	}
	rec->sampling = 1;
	rec->last_drain_ns = now_ns();
	if (rec->sampler.user_only && rec->run == 0 && !rec->quiet)
		note("sampling user mode only: the kernel's side needs perf_event_paranoid <= 1 or CAP_PERFMON");
}

/* The run's REC_SAMPLING BEGIN, after its RUN_BEGIN. */
static void begin_sampling(struct record *rec)
{
	char boot_id[64];
	struct rec_sampling sg = {
		.time_ns = rec->begin_ns,
		.run = rec->run,
		.kind = REC_SAMPLING_BEGIN,
		.frequency = (uint32_t)rec->sample_hz,
	};

	if (!rec->sample_hz)
		return;
	rec_boot_id(boot_id, sizeof(boot_id));
	sg.boot_id = boot_id;
	if (rec->sampling) {
		sg.flags = (rec->sampler.callchain ? REC_SAMPLING_F_CALLCHAIN : 0) |
			   (rec->sampler.user_only ? REC_SAMPLING_F_USER_ONLY : 0) |
			   (rec->sampler.build_id ? REC_SAMPLING_F_BUILD_ID : 0);
	} else {
		sg.status = REC_SAMPLING_UNAVAILABLE;
		sg.error = rec->sampler_error;
		sg.why = sampling_why(rec->sampler_error);
	}
	rec_write_sampling(&rec->writer, &sg);
}

/* After the last samples were written: the run's totals, and the sampler
 * goes. */
static void finish_sampling(struct record *rec)
{
	struct sampler *s = &rec->sampler;

	if (!rec->sampling)
		return;
	rec_write_sampling(&rec->writer, &(struct rec_sampling){
		.time_ns = now_ns(),
		.run = rec->run,
		.kind = REC_SAMPLING_END,
		.samples = s->samples,
		.lost = s->lost + s->dropped,
		.throttled = s->throttled,
	});
	if ((s->lost || s->dropped) && !rec->quiet)
		warning("%llu samples were lost (the sampling ring was full): lower -F, or drop -g",
			(unsigned long long)(s->lost + s->dropped));
	rec->ip_samples += s->samples;
	if (s->throttled && !rec->quiet)
		warning("the kernel throttled the sampling %llu times (perf_event_max_sample_rate): the profile holds fewer samples",
			(unsigned long long)s->throttled);
	sampler_release(s);
	rec->sampling = 0;
}

/*
 * After the tree ended: the last task events, and every record the kernel
 * dropped, including drops no LOST record has reported yet.
 */
static void finish_tasks(struct record *rec)
{
	uint64_t lost;

	drain_events(rec, 1);
	finish_sampling(rec);
	if (!rec->tracking)
		return;
	lost = task_tracker_lost(&rec->tracker);
	if (lost > rec->tree.lost) {
		struct rec_lost l = {
			.time_ns = now_ns(),
			.lost = lost - rec->tree.lost,
			.cpu = UINT32_MAX,
		};

		rec_write_lost(&rec->writer, &l);
		rec->tree.lost = lost;
	}
	if (lost)
		warning("%llu process events were lost (the kernel's ring was full): the process count and lifetimes are incomplete; the counters are not affected",
			(unsigned long long)lost);
}

/*
 * Follows the tree's processes; without it the counters still cover all.
 *
 * pprobe must never sleep on the rings' fds. Since Linux 6.15 do_exit()
 * detaches a task's perf events before it frees its memory, and each
 * inherited event wakes whoever polls its ring as it goes: woken, the
 * poller makes the exiting task yield at the next cond_resched() in
 * exit_mmap(), a context switch no counter can see (forktree 50: 20 more
 * missed than without the tracker, traced switch by switch). So a ring
 * half full raises RING_SIGNAL (O_ASYNC, F_SETSIG; watermark wakeups
 * raise it since Linux 6.10), read through the signalfd, and the tick
 * drains too, which older kernels rely on alone.
 */
static void watch_rings(struct record *rec);

/*
 * Counting by cgroup, the tracker follows the cgroup too: the tree's
 * tasks then carry no perf event at all, which makes their forks and
 * context switches cheaper (CGROUP MODE in task_tracker.h). Otherwise,
 * or if that fails, it follows the command.
 */
static int open_tracker(struct record *rec)
{
	int fd = -1, err = -1;

	if (rec->counters.by_cgroup)
		fd = open(cgroup_path(&rec->count_cgroup, "perf_event"),
			  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		err = task_tracker_open_cgroup(&rec->tracker, fd, 0);
		close(fd);
	}
	if (err)
		err = task_tracker_open(&rec->tracker, rec->workload.pid, 0);
	return err;
}

static void start_tracking(struct record *rec)
{
	int err;

	if (!rec->follow_tree)
		return;
	err = open_tracker(rec);
	if (err) {
		if (!rec->quiet)
			note("cannot follow the processes of the tree: %s%s; no per-process figures, but the counters still cover the whole tree",
			     strerror(-err), fd_advice(-err));
		return;
	}
	watch_rings(rec);
}

/* See start_tracking(): a ring half full raises RING_SIGNAL. Returns 0,
 * or -1 when it cannot (the tick still drains). */
static int watch_fd(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (fcntl(fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(fd, F_SETSIG, RING_SIGNAL) < 0 ||
	    flags < 0 || fcntl(fd, F_SETFL, flags | O_ASYNC) < 0)
		return -1;
	return 0;
}

static void watch_rings(struct record *rec)
{
	for (size_t i = 0; i < task_tracker_nr_fds(&rec->tracker); i++)
		if (watch_fd(task_tracker_fd(&rec->tracker, i)) < 0)
			break;
	rec->tracking = 1;
}

/*
 * "'cycles', 'instructions': <why>": one line per distinct reason, naming
 * every event it applies to. Returns the number of events named.
 */
static int explain_failures(const struct counter_set *set, void (*say)(const char *line))
{
	char why[256], other[256], names[512], line[800];
	int named = 0;

	for (size_t i = 0; i < set->nr; i++) {
		const struct counter *c = &set->v[i];
		size_t len = 0;
		int seen = 0;

		if (c->status == REC_EVENT_OPENED)
			continue;
		counter_open_strerror(c, why, sizeof(why));
		/* Said already, with an earlier event of the same reason? */
		for (size_t j = 0; j < i && !seen; j++)
			seen = set->v[j].status != REC_EVENT_OPENED &&
			       !strcmp(counter_open_strerror(&set->v[j], other, sizeof(other)), why);
		if (seen)
			continue;
		names[0] = '\0';
		for (size_t j = i; j < set->nr; j++) {
			const struct counter *d = &set->v[j];

			if (d->status == REC_EVENT_OPENED ||
			    strcmp(counter_open_strerror(d, other, sizeof(other)), why))
				continue;
			if (len < sizeof(names))
				len += (size_t)snprintf(names + len, sizeof(names) - len,
							"%s'%s'", len ? ", " : "", d->spec->name);
			named++;
		}
		snprintf(line, sizeof(line), "%s: %s", names, why);
		say(line);
	}
	return named;
}

static void note_line(const char *line)
{
	note("%s; recording the other events", line);
}

static void error_line(const char *line)
{
	error("%s", line);
}

/* Tells the user, once, what the recording will not have. */
static void explain_events(const struct record *rec)
{
	int user_fallback = 0;

	if (rec->quiet)
		return;
	for (size_t i = 0; i < rec->counters.nr; i++)
		if (rec->counters.v[i].flags & REC_EVENT_F_USER_FALLBACK)
			user_fallback = 1;
	explain_failures(&rec->counters, note_line);
	if (user_fallback) {
		int paranoid = 2;

		event_paranoid(&paranoid);
		note("kernel-side counting is not permitted (/proc/sys/kernel/perf_event_paranoid is %d, and no CAP_PERFMON): counting user mode only; context switches and migrations read 0 in this mode, the report takes switches from getrusage instead (fix: sysctl kernel.perf_event_paranoid=1, or grant CAP_PERFMON)",
		     paranoid);
	}
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	/* Counters are file descriptors; perf raises the soft limit too. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Where the tree's CPU time is in values[]: task-clock or cpu-clock,
 * counting kernel time too (user-only, a process woken in the kernel
 * could run unseen).
 */
static void find_clock_slot(struct record *rec)
{
	long slot = 0;

	rec->clock_slot = -1;
	for (size_t i = 0; i < rec->counters.nr; i++) {
		const struct counter *c = &rec->counters.v[i];

		if (c->status != REC_EVENT_OPENED)
			continue;
		if (c->spec->attr.type == PERF_TYPE_SOFTWARE &&
		    (c->spec->attr.config == PERF_COUNT_SW_TASK_CLOCK ||
		     c->spec->attr.config == PERF_COUNT_SW_CPU_CLOCK) &&
		    !(c->flags & (REC_EVENT_F_EXCLUDE_KERNEL | REC_EVENT_F_EXCLUDE_USER))) {
			rec->clock_slot = slot;
			return;
		}
		slot++;
	}
}

/* After the counters were opened, n of them or -errno. */
static int counters_opened(struct record *rec, int n)
{
	if (n == -EMFILE || n == -ENFILE)
		return error("cannot open the counters: %s (raise the limit with 'ulimit -n', or record fewer events)",
			     strerror(-n));
	if (n < 0)
		return error("cannot open the counters: %s", strerror(-n));
	if (n == 0) {
		explain_failures(&rec->counters, error_line);
		return error("no event can be counted: nothing to record");
	}
	free(rec->values);
	rec->values = calloc((size_t)n, sizeof(*rec->values));
	if (!rec->values)
		return error("out of memory");
	find_clock_slot(rec);
	return 0;
}

/*
 * Puts the held command into a cgroup of its own, rec->count_cgroup: a
 * perf_event one, which on cgroup v2 (and on hybrid layouts that leave
 * perf_event to v2, as this VM's) also has the tree's CPU time in
 * cpu.stat. Where perf_event is on v1 it has none (cpuacct would).
 */
static int make_count_cgroup(struct record *rec, char *why, size_t whylen)
{
	static const char *const controllers[] = { "perf_event", NULL };
	struct cgroup_options opts = {
		.controllers = controllers,
		.name_hint = "pprobe",
		/* On v2 a process is in one cgroup: stay inside the memory one. */
		.parent = mem_backends_cgroup_v2(&rec->mem),
	};
	int err = cgroup_create(&rec->count_cgroup, &opts, why, whylen);

	if (!err)
		err = cgroup_attach(&rec->count_cgroup, rec->workload.pid, why, whylen);
	if (err)
		cgroup_destroy(&rec->count_cgroup, NULL, 0);
	return err;
}

/*
 * Counting the command's own cgroup, per CPU: a read then costs the same
 * for a tree of a thousand processes as for one, where an inherited
 * event's read walks every live task's copy (~0.15 us per task and event
 * here: the bulk of pprobe's CPU on big trees). Needs root (CPU-wide
 * events and a cgroup to make). Returns the number of events opened, 0
 * when it cannot be used (why says so), or -errno for a failure that
 * counting per task would meet too (EMFILE).
 */
static int open_cgroup_counters(struct record *rec, char *why, size_t whylen)
{
	uint32_t *cpus = NULL;
	int nr, n = 0, fd = -1, err;

	err = make_count_cgroup(rec, why, whylen);
	if (!err) {
		fd = open(cgroup_path(&rec->count_cgroup, "perf_event"),
			  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			err = -errno;
	}
	nr = err ? 0 : cpumap_online(&cpus);
	if (nr < 0)
		err = nr;
	if (!err)
		n = counter_set_open_cgroup(&rec->counters, fd, cpus, (size_t)nr);
	if (!err && n <= 0 && n != -EMFILE && n != -ENFILE) {
		snprintf(why, whylen, "cannot count cgroup '%s' per CPU: %s",
			 cgroup_path(&rec->count_cgroup, "perf_event"),
			 n ? strerror(-n) : "no event can be counted that way");
		n = 0;
	}
	if (fd >= 0)
		close(fd);
	free(cpus);
	if (err || n <= 0)
		/* The command goes back where it was: its memory cgroup or ours. */
		cgroup_destroy(&rec->count_cgroup, NULL, 0);
	if (err && why[0] == '\0')
		snprintf(why, whylen, "%s", strerror(-err));
	return err ? 0 : n;
}

/*
 * --count-by rusage: nothing is opened (counters.h, RUSAGE MODE). The
 * cgroup is only for a timeline of CPU time: without one, the counts
 * come at the end alone.
 */
static int open_rusage_counters(struct record *rec)
{
	char why[512] = "";
	uint64_t user, sys;
	int n = counter_set_open_rusage(&rec->counters), err;

	if (make_count_cgroup(rec, why, sizeof(why)) == 0 &&
	    (err = cgroup_cpu_read(&rec->count_cgroup, &user, &sys)) < 0) {
		snprintf(why, sizeof(why), "cannot read the CPU time of cgroup '%s': %s",
			 cgroup_path(&rec->count_cgroup, "perf_event"),
			 err == -ENOENT ? "it is on cgroup v1, which has no cpu.stat" : strerror(-err));
		cgroup_destroy(&rec->count_cgroup, NULL, 0);
	}
	if (why[0] && !rec->quiet && !rec->cpu_time_said++)
		note("--count-by rusage: %s; the counts come at the end only, with no timeline", why);
	return counters_opened(rec, n);
}

static int open_counters(struct record *rec)
{
	char why[512] = "";
	int n = 0, too_many_fds = 0;

	if (rec->count_by == COUNT_BY_RUSAGE)
		return open_rusage_counters(rec);
	if (rec->count_by != COUNT_BY_TASK) {
		n = open_cgroup_counters(rec, why, sizeof(why));
		if (n == 0 && rec->count_by == COUNT_BY_CGROUP)
			return error("--count-by cgroup: %s", why);
		/* Per CPU takes a descriptor per event and CPU, per task one
		 * per event: what the limit refuses one way may fit the other. */
		if (n == -EMFILE && rec->count_by == COUNT_BY_AUTO) {
			too_many_fds = 1;
			n = 0;
		}
	}
	if (n == 0 && rec->per_cpu)
		n = counter_set_open_cpus(&rec->counters, rec->workload.pid,
					  rec->online, rec->nr_online);
	else if (n == 0)
		n = counter_set_open(&rec->counters, rec->workload.pid);
	if (counters_opened(rec, n) < 0)
		return -1;
	if (too_many_fds && !rec->quiet && rec->run == 0)
		note("counting per task: counting the cgroup per CPU takes a file descriptor per event and CPU, more than 'ulimit -n' allows");
	rec->nr_cpus = 0;
	return rec->per_cpu ? alloc_cpu_values(rec, (size_t)n) : 0;
}

static void print_summary(const struct record *rec)
{
	double kib = (double)rec->writer.flushed / 1024.0;
	struct rusage self;
	double cpu_ms = 0;

	if (rec->read_failures > 1)
		warning("%llu samples were skipped: the counters could not be read",
			(unsigned long long)rec->read_failures);
	if (rec->quiet || rec->write_failed)
		return;
	/* pprobe's own cost, so anyone can check it stays negligible. */
	if (getrusage(RUSAGE_SELF, &self) == 0)
		cpu_ms = (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec) * 1e3 +
			 (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e3;
	fprintf(stderr, "[ pprobe record: wrote '%s' (%llu sample%s, ",
		output_name(rec), (unsigned long long)rec->samples,
		rec->samples == 1 ? "" : "s");
	if (rec->sample_hz)
		fprintf(stderr, "%llu IP samples, ", (unsigned long long)rec->ip_samples);
	fprintf(stderr, "%.1f KiB; pprobe's own CPU %.1f ms) ]\n", kib, cpu_ms);
}

static void record_release(struct record *rec)
{
	if (rec->out_fd >= 0 && !is_stdout(rec))
		close(rec->out_fd);
	if (rec->signal_fd >= 0)
		close(rec->signal_fd);
	if (rec->timer_fd >= 0)
		close(rec->timer_fd);
	workload_release(&rec->workload);
	if (rec->tracking)
		task_tracker_release(&rec->tracker);
	if (rec->sampling)
		sampler_release(&rec->sampler);
	proc_tree_release(&rec->tree);
	attach_release(&rec->attach);
	counter_set_close(&rec->counters); /* before its cgroup goes */
	cgroup_destroy(&rec->count_cgroup, NULL, 0);
	cgroup_destroy(&rec->cpuset_cgroup, NULL, 0);
	mem_backends_release(&rec->mem);
	load_release(&rec->load);
	counter_set_release(&rec->counters);
	event_list_release(&rec->events);
	rec_writer_release(&rec->writer);
	free(rec->values);
	free(rec->cpu_values);
	free(rec->cpu_of_entry);
	free(rec->online);
	for (size_t i = 0; i < rec->nr_variants; i++) {
		free(rec->variants[i].cpus);
		free(rec->variants[i].cpu_list);
	}
	if (rec->output == rec->tmp_path)
		rec->output = NULL;
	free(rec->tmp_path);
}

/* VARIANT records: what each variant runs, and on which CPUs. */
static void write_variants(struct record *rec)
{
	for (size_t i = 0; i < rec->nr_variants; i++) {
		const struct record_variant *v = &rec->variants[i];

		rec_write_variant(&rec->writer, &(struct rec_variant){
			.variant = (uint32_t)i,
			.nr_args = (uint32_t)v->argc,
			.nr_cpus = (uint32_t)v->nr_cpus,
			.label = v->label,
			.cpus = v->cpu_list ? v->cpu_list : "",
		}, v->argv);
	}
}

/* Pins the held command to its variant's CPUs; the tree inherits it. */
static int pin_command(struct record *rec)
{
	const struct record_variant *v = rec->variant;
	cpu_set_t *set;
	size_t size;
	int err = 0;

	if (!v->nr_cpus)
		return 0;
	set = CPU_ALLOC(CPUMAP_MAX_CPU + 1);
	if (!set)
		return error("out of memory");
	size = CPU_ALLOC_SIZE(CPUMAP_MAX_CPU + 1);
	CPU_ZERO_S(size, set);
	for (size_t i = 0; i < v->nr_cpus; i++)
		CPU_SET_S(v->cpus[i], size, set);
	if (sched_setaffinity(rec->workload.pid, size, set) < 0)
		err = error("cannot pin '%s' to CPUs %s: %s", v->argv[0],
			    v->cpu_list, strerror(errno));
	CPU_FREE(set);
	return err;
}

/*
 * When the command is in cgroups of pprobe's anyway (the cgroup memory
 * backend, counting by cgroup), a cpuset one pins it too: unlike its
 * affinity, no process of the tree can widen that. On cgroup v2, or
 * without the cpuset controller, the affinity alone pins; said once.
 */
static void pin_cgroup(struct record *rec)
{
	static const char *const controllers[] = { "cpuset", NULL };
	const struct record_variant *v = rec->variant;
	struct cgroup_options opts = {
		.controllers = controllers, .name_hint = "pprobe", .cpus = v->cpu_list,
	};
	char why[512] = "";
	int err;

	if (!v->nr_cpus || !(rec->counters.by_cgroup || mem_backends_cgroup(&rec->mem)))
		return;
	err = cgroup_create(&rec->cpuset_cgroup, &opts, why, sizeof(why));
	if (!err && rec->cpuset_cgroup.dir[0].version != 1) {
		snprintf(why, sizeof(why), "cgroup v2 keeps a process in one cgroup");
		err = -EOPNOTSUPP;
	}
	if (!err)
		err = cgroup_attach(&rec->cpuset_cgroup, rec->workload.pid, why, sizeof(why));
	if (err) {
		cgroup_destroy(&rec->cpuset_cgroup, NULL, 0);
		if (!rec->quiet && !rec->cpuset_said++)
			note("no cpuset cgroup for --cpus (%s): pinned by affinity alone, which the command's processes could widen",
			     why);
	}
}

/*
 * --per-cpu: room for a reading of every CPU of the run's counters, n
 * events each, and the CPU of each entry, which stays for the run.
 * 0 or -1 (said).
 */
static int alloc_cpu_values(struct record *rec, size_t n)
{
	size_t cpus = counter_set_cpus(&rec->counters, NULL);
	uint32_t *ids = calloc(cpus + 1, sizeof(*ids));

	free(rec->cpu_values);
	free(rec->cpu_of_entry);
	rec->cpu_values = calloc(cpus * n + 1, sizeof(*rec->cpu_values));
	rec->cpu_of_entry = calloc(cpus * n + 1, sizeof(*rec->cpu_of_entry));
	if (!ids || !rec->cpu_values || !rec->cpu_of_entry) {
		free(ids);
		return error("out of memory");
	}
	counter_set_cpus(&rec->counters, ids);
	for (size_t k = 0; k < cpus; k++)
		for (size_t i = 0; i < n; i++)
			rec->cpu_of_entry[k * n + i] = ids[k];
	free(ids);
	rec->nr_cpus = cpus;
	return 0;
}

/*
 * Starts one run of the current variant: the command forked and held
 * until its counters are open. The first run also writes the file's
 * start (META, EVENT, VARIANT, MEM_SOURCE). Returns 0 once it runs, or
 * the exit status for pprobe when it could not be started.
 */
static int start_command(struct record *rec)
{
	const struct record_variant *v = rec->variant;
	struct workload_options wopts = { 0 };
	int exec_err, rc;

	/* The command gets the signal state it would have had without us. */
	wopts.argv = v->argv;
	wopts.mask = &rec->caller_mask;
	wopts.restore_signals = rec->changed_signals;
	wopts.restore_actions = rec->caller_actions;
	wopts.nr_restore = 2;
	wopts.stdout_to_stderr = is_stdout(rec);
	rc = workload_prepare(&rec->workload, &wopts);
	if (rc < 0) {
		error("cannot start '%s': %s%s", v->argv[0], strerror(-rc), fd_advice(-rc));
		return 1;
	}
	if (pin_command(rec) < 0) {
		workload_cancel(&rec->workload);
		return 1;
	}
	/* Its cgroups, if any, must hold the command before it execs. */
	mem_backends_prepare(&rec->mem, rec->workload.pid);
	if (open_counters(rec) < 0) {
		workload_cancel(&rec->workload);
		return 1;
	}
	pin_cgroup(rec);
	if (!rec->meta_written)
		explain_events(rec);
	start_tracking(rec);
	start_sampling(rec);
	if (proc_tree_add_command(&rec->tree, rec->workload.pid, getpid()) < 0) {
		error("out of memory");
		workload_cancel(&rec->workload);
		return 1;
	}

	if (!rec->meta_written) {
		write_meta(rec, v->argv, v->argc, now_ns(), clock_ns(CLOCK_REALTIME));
		write_events(rec);
		write_variants(rec);
		mem_backends_start(&rec->mem, &rec->writer, rec->quiet);
		rec->meta_written = 1;
	}
	/* What can fail is set up before the command is let go. */
	if (start_timer(rec) < 0) {
		workload_cancel(&rec->workload);
		return 1;
	}

	if (rec->counters.by_cgroup && (rc = counter_set_enable(&rec->counters)) < 0) {
		error("cannot start the counters: %s", strerror(-rc));
		workload_cancel(&rec->workload);
		return 1;
	}
	getrusage(RUSAGE_CHILDREN, &rec->children_before);
	rec->begin_ns = now_ns();
	exec_err = workload_start(&rec->workload);
	if (exec_err) {
		error("cannot run '%s': %s", v->argv[0], strerror(exec_err));
		return workload_exec_exit_code(exec_err);
	}
	commit_output(rec);
	rec_write_run_begin(&rec->writer, &(struct rec_run_begin){
		.time_ns = rec->begin_ns,
		.run = rec->run,
		.pid = (uint32_t)rec->workload.pid,
		.flags = rec->run < run_warmups(rec) ? REC_RUN_F_WARMUP : 0,
		.variant = (uint32_t)(v - rec->variants),
	});
	begin_sampling(rec);
	return 0;
}

/* task_tracker_attach() found tid and follows it: count it too. */
static int on_attached_task(pid_t pid, pid_t tid, void *arg)
{
	struct record *rec = arg;
	int n = counter_set_attach(&rec->counters, tid);

	if (n < 0)
		return n;
	return attach_add_task(&rec->attach, pid, tid);
}

/* "pid 12" or "pids 12,34", for messages. */
static const char *pid_list(const struct record *rec, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "pid%s ", rec->attach.nr > 1 ? "s" : "");

	for (size_t i = 0; i < rec->attach.nr && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "",
					 (int)rec->attach.pids[i]);
	return buf;
}

static int attach_error(const struct record *rec, int err)
{
	char pids[128];

	pid_list(rec, pids, sizeof(pids));
	switch (err) {
	case -EACCES:
	case -EPERM:
		return error("cannot attach to %s: %s (you may attach to your own processes only; root, or CAP_PERFMON with CAP_SYS_PTRACE, may attach to any)",
			     pids, strerror(-err));
	case -ESRCH:
		return error("cannot attach to %s: it exited while pprobe attached", pids);
	case -EMFILE:
	case -ENFILE:
		return error("cannot attach to %s: %s (each thread needs its own counters: raise the limit with 'ulimit -n', or record fewer events)",
			     pids, strerror(-err));
	default:
		return error("cannot attach to %s: %s", pids, strerror(-err));
	}
}

/*
 * Attaches to the running processes of -p and everything below them.
 * Returns 0 once counting, or the exit status for pprobe.
 */
static int start_attach(struct record *rec)
{
	char err[256];
	int rc;

	if (attach_check_pids(&rec->attach, err, sizeof(err)) < 0) {
		error("%s", err);
		return 1;
	}
	/* The pidfds first: an exit during the attach is not missed. */
	rc = attach_open_pidfds(&rec->attach);
	if (!rc)
		rc = task_tracker_attach(&rec->tracker, rec->attach.pids, rec->attach.nr,
					 0, on_attached_task, rec);
	if (rc) {
		attach_error(rec, rc);
		return 1;
	}
	rec->tracking = 1;
	watch_rings(rec);
	if (counters_opened(rec, (int)counter_set_opened(&rec->counters)) < 0)
		return 1;
	explain_events(rec);
	for (size_t i = 0; i < rec->attach.nr_tasks; i++) {
		const struct attach_task *t = &rec->attach.tasks[i];

		if (proc_tree_add_present(&rec->tree, t->pid, t->tid, t->ppid) < 0) {
			error("out of memory");
			return 1;
		}
	}

	write_meta(rec, NULL, 0, now_ns(), clock_ns(CLOCK_REALTIME));
	write_events(rec);
	mem_backends_start(&rec->mem, &rec->writer, rec->quiet);
	if (start_timer(rec) < 0)
		return 1;
	rec->begin_ns = now_ns();
	commit_output(rec);
	rec_write_run_begin(&rec->writer, &(struct rec_run_begin){
		.time_ns = rec->begin_ns,
		.run = 0,
		.pid = (uint32_t)rec->attach.pids[0],
	});
	for (size_t i = 0; i < rec->attach.nr_tasks; i++) {
		const struct attach_task *t = &rec->attach.tasks[i];

		rec_write_task(&rec->writer, &(struct rec_task){
			.time_ns = rec->begin_ns,
			.kind = REC_TASK_PRESENT,
			.pid = (uint32_t)t->pid,
			.tid = (uint32_t)t->tid,
			.ppid = (uint32_t)t->ppid,
			.comm = t->comm,
		});
	}
	/* Figures from /proc count from each process's birth: this first
	 * reading is what the report subtracts. */
	process_tick(rec, rec->begin_ns, 1);
	if (!rec->quiet) {
		char pids[128];

		note("attached to %s (%zu task%s); Ctrl-C%s to stop", pid_list(rec, pids, sizeof(pids)),
		     rec->attach.nr_tasks, rec->attach.nr_tasks == 1 ? "" : "s",
		     rec->duration_s ? " or --duration" : "");
	}
	return 0;
}

/* -p and --duration against the rest of the command line. */
static int check_attach_options(const struct record *rec, int argc, unsigned mem_wanted)
{
	if (argc > 0) {
		error("-p attaches to running processes: give a command or -p, not both");
		return -1;
	}
	if (!rec->follow_tree) {
		error("-p needs the tree: its tasks are found and counted one by one as pprobe follows it (drop --no-tree)");
		return -1;
	}
	if (mem_wanted & (MEM_BACKEND_BIT(REC_MEM_CGROUP) | MEM_BACKEND_BIT(REC_MEM_RUSAGE))) {
		error("--mem cgroup and rusage need a command pprobe starts itself: with -p use rss, pss or hwm");
		return -1;
	}
	return 0;
}

/* Pins v to a copy of cpus[0..nr). 0, or -1 (said). */
static int set_variant_cpus(struct record_variant *v, const uint32_t *cpus, size_t nr)
{
	char *list = malloc(CPUMAP_LIST_MAX);

	v->cpus = malloc(nr * sizeof(*v->cpus));
	if (list)
		v->cpu_list = strdup(cpumap_format(cpus, nr, list, CPUMAP_LIST_MAX));
	free(list);
	if (!v->cpus || !v->cpu_list)
		return error("out of memory");
	memcpy(v->cpus, cpus, nr * sizeof(*cpus));
	v->nr_cpus = nr;
	return 0;
}

/*
 * The commands of the command line, split at ":::", each a variant
 * pinned to --cpus; or with sets, the one command once per set. Returns
 * 0, or -1 after an error() (a usage error).
 */
static int make_variants(struct record *rec, int argc, const char **argv,
			 const struct record_cpu_sets *sets)
{
	int start = 0;

	for (int i = 0; i <= argc; i++) {
		struct record_variant *v;

		if (i < argc && strcmp(argv[i], COMMAND_SEPARATOR))
			continue;
		if (i == start)
			return error("'%s' with no command %s it: give a command on each side",
				     COMMAND_SEPARATOR, i == argc ? "after" : "before");
		if (rec->nr_variants == MAX_VARIANTS)
			return error("at most %d commands can be interleaved", MAX_VARIANTS);
		v = &rec->variants[rec->nr_variants++];
		v->argv = argv + start;
		v->argc = i - start;
		/* execvp() wants it NULL-terminated: the separator's place. */
		if (i < argc)
			argv[i] = NULL;
		start = i + 1;
	}
	if (sets && rec->nr_variants > 1)
		return error("a scaling study runs one command: no '%s'", COMMAND_SEPARATOR);
	if (sets) {
		if (sets->nr > MAX_VARIANTS)
			return error("at most %d CPU counts", MAX_VARIANTS);
		for (size_t k = 0; k < sets->nr; k++) {
			struct record_variant *v = &rec->variants[k];

			*v = rec->variants[0];
			v->cpus = NULL;
			v->cpu_list = NULL;
			rec->nr_variants = k + 1;
			if (set_variant_cpus(v, sets->cpus[k], sets->nr_cpus[k]) < 0)
				return -1;
		}
	}
	return 0;
}

/* "make -j4" from argv, shortened to fit, for a variant's label. */
static void command_label(const struct record_variant *v, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < v->argc && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? " " : "", v->argv[i]);
	if (used >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

/*
 * --cpus: checks the list against the CPUs there are and pprobe may use,
 * and pins every variant to it. The labels. Returns 0, or -1 after an
 * error().
 */
static int settle_variants(struct record *rec, const struct record_cpu_sets *sets)
{
	char why[256];
	int n = cpumap_online(&rec->online), err = 0;

	if (n < 0)
		return error("cannot read the online CPUs: %s", strerror(-n));
	rec->nr_online = (size_t)n;
	if (rec->cpus_spec) {
		uint32_t *cpus;
		int nr = cpumap_parse(rec->cpus_spec, &cpus);

		if (nr == -ENOMEM)
			return error("out of memory");
		if (nr < 0)
			return error("--cpus: '%s' is not a CPU list (like 0-3,8)", rec->cpus_spec);
		if (cpumap_check_online(cpus, (size_t)nr, rec->online, rec->nr_online,
					why, sizeof(why)) < 0) {
			free(cpus);
			return error("--cpus: %s", why);
		}
		for (size_t i = 0; i < rec->nr_variants && !err; i++)
			err = set_variant_cpus(&rec->variants[i], cpus, (size_t)nr);
		free(cpus);
		if (err)
			return -1;
	}
	for (size_t i = 0; i < rec->nr_variants; i++) {
		struct record_variant *v = &rec->variants[i];

		if (sets)
			snprintf(v->label, sizeof(v->label), "%zu CPU%s", v->nr_cpus,
				 v->nr_cpus == 1 ? "" : "s");
		else
			command_label(v, v->label, sizeof(v->label));
	}
	return 0;
}

/* The most a kernel samples per second (perf_event_max_sample_rate). */
static long max_sample_rate(void)
{
	char *text;
	long max = 0;

	if (proc_read_text("/proc/sys/kernel/perf_event_max_sample_rate", &text) == 0) {
		max = strtol(text, NULL, 10);
		free(text);
	}
	return max;
}

static int check_sampling_options(struct record *rec)
{
	long max;

	if ((rec->sample_default || rec->callchain) && !rec->sample_hz)
		rec->sample_hz = SAMPLER_DEFAULT_HZ;
	if (!rec->sample_hz)
		return 0;
	if (rec->attaching)
		return error("-F, --sample and -g need a command pprobe starts: sampling processes attached with -p is not supported yet");
	if (!rec->follow_tree)
		return error("-F, --sample and -g need the tree (drop --no-tree): a child's samples resolve through the mappings it inherits at fork");
	max = max_sample_rate();
	if (max > 0 && rec->sample_hz > max)
		return error("-F %ld: the kernel samples at most %ld times a second (/proc/sys/kernel/perf_event_max_sample_rate); use a lower -F",
			     rec->sample_hz, max);
	return 0;
}

/*
 * --count-by rusage opens no perf event: what needs one cannot be had.
 * The rusage is of what pprobe reaps, so it needs a command of its own.
 */
static int check_rusage_options(const struct record *rec)
{
	if (rec->attaching)
		return error("--count-by rusage reads the rusage of the tree pprobe reaps: it needs a command pprobe starts, not -p (count -p per task)");
	if (rec->follow_tree > 0)
		return error("--count-by rusage opens no perf event, and following the tree takes one: drop --tree, or count by task or cgroup");
	if (rec->per_cpu)
		return error("--count-by rusage has no split by CPU: drop --per-cpu, or count by task or cgroup");
	if (rec->sample_hz || rec->sample_default || rec->callchain)
		return error("--count-by rusage opens no perf event, and sampling takes one: drop -F, --sample and -g, or count by task or cgroup");
	return 0;
}

/*
 * Parses what no option parser can: -p, --count-by, --mem, -r with the
 * rest. Returns 0, or -1 after an error() (a usage error); *mem_wanted
 * has the memory backends.
 */
static int check_options(struct record *rec, int argc, unsigned *mem_wanted)
{
	char err[256];

	if (argc == 0 && !rec->pid_spec)
		return error("no command given: what should pprobe record?");
	if (rec->pid_spec &&
	    attach_parse_pids(&rec->attach, rec->pid_spec, err, sizeof(err)) < 0)
		return error("%s", err);
	rec->attaching = rec->pid_spec != NULL;
	if (rec->count_by_spec) {
		if (!strcmp(rec->count_by_spec, "auto"))
			rec->count_by = COUNT_BY_AUTO;
		else if (!strcmp(rec->count_by_spec, "task"))
			rec->count_by = COUNT_BY_TASK;
		else if (!strcmp(rec->count_by_spec, "cgroup"))
			rec->count_by = COUNT_BY_CGROUP;
		else if (!strcmp(rec->count_by_spec, "rusage"))
			rec->count_by = COUNT_BY_RUSAGE;
		else
			return error("--count-by: unknown '%s' (use auto, task, cgroup or rusage)",
				     rec->count_by_spec);
		if (rec->attaching && rec->count_by == COUNT_BY_CGROUP)
			return error("--count-by cgroup needs a command pprobe starts: -p counts per task");
	}
	if (rec->count_by == COUNT_BY_RUSAGE && check_rusage_options(rec) < 0)
		return -1;
	if (rec->follow_tree < 0)
		rec->follow_tree = rec->count_by != COUNT_BY_RUSAGE;
	if (rec->attaching && (rec->repeat > 1 || rec->warmup || rec->cpus_spec || rec->per_cpu))
		return error("-r, --warmup, --cpus and --per-cpu need a command pprobe starts: with -p, record once");
	if ((rec->load.port || rec->load.delay_ms >= 0) && !rec->load.command)
		return error("--ready and --ready-delay say when the load may start: give the load with --load");
	if (rec->load.timeout_s != LOAD_READY_TIMEOUT_S && !rec->load.port)
		return error("--ready-timeout bounds the wait for --ready <port>: give the port");
	if (rec->load.port && rec->load.delay_ms >= 0)
		return error("--ready and --ready-delay both say when the load may start: give one");
	if (rec->load.command && rec->attaching)
		return error("--load needs a command pprobe starts (the server it loads): not -p");
	if (check_sampling_options(rec) < 0)
		return -1;

	*mem_wanted = 0;
	if (rec->mem_spec && mem_backends_parse(rec->mem_spec, mem_wanted, err, sizeof(err)) < 0)
		return error("%s", err);
	if (rec->follow_tree && !rec->mem_spec)
		mem_backends_parse(MEM_DEFAULT_LIST, mem_wanted, err, sizeof(err));
	/* Sums over the live processes need to know the processes. */
	if (!rec->follow_tree &&
	    (*mem_wanted & (MEM_BACKEND_BIT(REC_MEM_RSS) | MEM_BACKEND_BIT(REC_MEM_PSS) |
			    MEM_BACKEND_BIT(REC_MEM_HWM))))
		return error(rec->count_by == COUNT_BY_RUSAGE ?
			     "--mem rss, pss and hwm sum over the tree's processes, which --count-by rusage does not follow: use --mem cgroup or rusage" :
			     "--mem rss, pss and hwm sum over the tree's processes: they need the tree (drop --no-tree)");
	if (rec->attaching && check_attach_options(rec, argc, *mem_wanted) < 0)
		return -1;
	return 0;
}

/*
 * After a run: what is per run goes, ready for the next. The file, the
 * signals and the timer stay.
 */
static void end_run(struct record *rec)
{
	struct itimerspec off = { 0 };
	uint64_t expirations;

	if (rec->timer_fd >= 0) {
		timerfd_settime(rec->timer_fd, 0, &off, NULL);
		while (read(rec->timer_fd, &expirations, sizeof(expirations)) > 0)
			;
	}
	workload_release(&rec->workload);
	rec->workload = (struct workload){ .pid = -1, .go_fd = -1, .exec_fd = -1 };
	if (rec->tracking)
		task_tracker_release(&rec->tracker);
	rec->tracking = 0;
	if (rec->sampling)
		sampler_release(&rec->sampler);
	rec->sampling = 0;
	proc_tree_release(&rec->tree);
	counter_set_close(&rec->counters);
	cgroup_destroy(&rec->count_cgroup, NULL, 0);
	cgroup_destroy(&rec->cpuset_cgroup, NULL, 0);
	mem_backends_new_run(&rec->mem);
	/* An allocation of a few bytes: out of memory here, the next
	 * run's first process fails as it would. */
	proc_tree_init(&rec->tree);
	rec->command_ended = 0;
	rec->escalation = 0;
	rec->kill_ns = 0;
	rec->killing = 0;
	rec->last_proc_ns = 0;
	rec->tree_cpu_ns = 0;
	rec->cpu_at_pass_ns = 0;
	rec->last_pass_ns = 0;
}

/*
 * One run, from the command's start to its RUN_END. Returns 0 with the
 * command's wait status in *status, or the exit status for pprobe when
 * it could not start (nothing of this run is in the file then).
 */
static int record_one_run(struct record *rec, int *status)
{
	char err[256];
	int ret;

	*status = 0;
	ret = arm_load(rec);
	if (!ret)
		ret = rec->attaching ? start_attach(rec) : start_command(rec);
	if (ret)
		return ret;
	time_load(rec);
	if (rec->duration_s)
		rec->deadline_ns = rec->begin_ns + (uint64_t)rec->duration_s * NSEC_PER_SEC;
	flush(rec, rec->begin_ns);
	if (run_loop(rec, status) < 0 && !rec->attaching) {
		/* Never leave the command behind unreaped. */
		kill(rec->workload.pid, SIGKILL);
		signal_children(SIGKILL);
		while (waitpid(rec->workload.pid, status, 0) < 0 && errno == EINTR)
			;
		if (rec->load.w.pid > 0)
			reap_load(rec);
	}
	rec->end_ns = now_ns();
	/* A command that ended before it was ready: said here. */
	check_load(rec, rec->end_ns);

	sample(rec, REC_COUNTS_F_FINAL);
	if (rec->count_cgroup.nr &&
	    cgroup_destroy(&rec->count_cgroup, err, sizeof(err)) < 0 && !rec->quiet)
		warning("%s", err);
	if (rec->attaching)
		process_tick(rec, rec->end_ns, 1);
	finish_tasks(rec);
	mem_backends_finish(&rec->mem, rec->end_ns, rec->run,
			    rec->attaching ? &rec->tree.sums : NULL, &rec->writer, rec->quiet);
	write_run_end(rec, *status);
	flush(rec, now_ns());
	return 0;
}

/* -r: "run 3 of 10: make -j4" before each run, with several. */
static void note_run(const struct record *rec, uint32_t total)
{
	const struct record_variant *v = rec->variant;
	uint32_t warm = run_warmups(rec), per = (uint32_t)rec->nr_variants;

	if (rec->quiet || total == 1)
		return;
	if (rec->run < warm)
		note("warm-up run %u of %ld: %s", rec->run / per + 1, rec->warmup, v->label);
	else
		note("run %u of %ld: %s", (rec->run - warm) / per + 1, rec->repeat, v->label);
}

int cmd_record(int argc, const char **argv)
{
	return record_main(argc, argv, NULL);
}

/* The defaults: from here on record_release() can clean up. */
static void record_init(struct record *rec)
{
	*rec = (struct record){
		.output = "pprobe.data",
		.interval_ms = 100,
		.follow_tree = -1,
		.proc_interval_ms = 100,
		.pss_interval_ms = 1000,
		.repeat = 1,
		.out_fd = -1,
		.signal_fd = -1,
		.timer_fd = -1,
		.clock_slot = -1,
		.workload = { .pid = -1, .go_fd = -1, .exec_fd = -1 },
	};
	mem_backends_init(&rec->mem, 0, 0);
	load_init(&rec->load);
}

/*
 * record_main()'s first step: the command line into rec, the options
 * and then what no option parser can check, the events resolved. Nothing
 * is started, opened or written (it reads the online CPUs, the kernel's
 * sampling limit and tracefs). Returns how many words of the command are
 * left at the front of argv (0 with -p), PARSE_OPT_HELP after the help,
 * or PARSE_OPT_ERROR after a usage error (said).
 */
static int record_parse(struct record *rec, int argc, const char **argv,
			const struct record_cpu_sets *sets, unsigned *mem_wanted)
{
	const struct option options[] = {
		OPT_STRING('o', "output", &rec->output, "file",
			   "write the recording to <file> (default pprobe.data; - for standard output)"),
		OPT_STRING('p', "pid", &rec->pid_spec, "pids",
			   "attach to these running processes, their threads and descendants, instead of running a command"),
		OPT_INTEGER(0, "duration", &rec->duration_s, "seconds", 1, 31536000,
			    "stop after <seconds>: detach from -p processes, or send the command SIGTERM (SIGKILL 5 s later)"),
		OPT_INTEGER('r', "repeat", &rec->repeat, "n", 1, 100000,
			    "run the command <n> times, each run with its own figures; the report gives their mean, spread and outliers (with several commands separated by ':::', their runs are interleaved)"),
		OPT_INTEGER(0, "warmup", &rec->warmup, "n", 0, 100000,
			    "first run the command <n> times more, recorded but marked as warm-up and left out of the figures"),
		OPT_STRING(0, "load", &rec->load.command, "command",
			   "run <command> (with /bin/sh -c, not recorded) once the recorded command is ready, then stop that with SIGTERM: a server recorded under a load; the report gives rates over the load and per request"),
		OPT_INTEGER(0, "ready", &rec->load.port, "port", 1, 65535,
			    "--load: the command is ready when something listens on TCP <port>"),
		OPT_INTEGER(0, "ready-delay", &rec->load.delay_ms, "ms", 0, 3600000,
			    "--load: the command is ready <ms> after it started (default 500 without --ready)"),
		OPT_INTEGER(0, "ready-timeout", &rec->load.timeout_s, "seconds", 1, 86400,
			    "--ready: how long the command may take to listen (default 60)"),
		OPT_STRING(0, "cpus", &rec->cpus_spec, "cpus",
			   "pin the command and its whole tree to these CPUs (like 0-3,8): affinity set before it runs"),
		OPT_BOOL(0, "per-cpu", &rec->per_cpu,
			 "record every counter per CPU as well, to show how busy each core was"),
		OPT_STRING('e', "event", &rec->event_spec, "events",
			   "comma-separated events to count (default: task-clock, context-switches, cpu-migrations, page-faults, cycles, instructions)"),
		OPT_INTEGER('I', "interval", &rec->interval_ms, "ms", 1, 3600000,
			    "read the counters every <ms> milliseconds (default 100)"),
		OPT_STRING(0, "count-by", &rec->count_by_spec, "how",
			   "count the tree's events per task (inherited by every child) or per CPU on the command's own cgroup, which costs the same for any tree size but needs root; auto (default) takes cgroup where it can; rusage opens no perf event and reads the kernel's own accounting instead: CPU time, context switches and page faults only, no cost to the tree (implies --no-tree)"),
		OPT_BOOL(0, "tree", &rec->follow_tree,
			 "follow every process and thread: lifetimes and per-process figures (default; --no-tree: the counters only)"),
		OPT_STRING(0, "mem", &rec->mem_spec, "backends",
			   "measure the tree's memory by each of: rss, pss, hwm, cgroup, rusage, or all (default rss)"),
		OPT_INTEGER(0, "proc-interval", &rec->proc_interval_ms, "ms", 1, 3600000,
			    "read each process's /proc figures and the memory at most every <ms> (default 100)"),
		OPT_INTEGER(0, "pss-interval", &rec->pss_interval_ms, "ms", 1, 3600000,
			    "read PSS, which walks page tables, at most every <ms> (default 1000)"),
		OPT_STRING(0, "label", &rec->label, "text",
			   "name this recording in reports and charts"),
		OPT_INTEGER('F', "freq", &rec->sample_hz, "hz", 1, INT32_MAX,
			    "sample where the tree's threads are, <hz> times per second of CPU time each, for `report --hot`"),
		OPT_BOOL(0, "sample", &rec->sample_default,
			 "sample at the default frequency (999 Hz, as perf record)"),
		OPT_BOOL('g', "call-graph", &rec->callchain,
			 "sample the callers too (frame pointers), for `report --folded` and the flame graph; implies --sample"),
		OPT_BOOL('q', "quiet", &rec->quiet, "print no notes or summary"),
		OPT_END(),
	};
	char err[256];

	argc = parse_options(argc, argv, options, record_usage,
			     PARSE_OPT_STOP_AT_NON_OPTION);
	if (argc < 0)
		return argc;
	if (check_options(rec, argc, mem_wanted) < 0 ||
	    (!rec->attaching && make_variants(rec, argc, argv, sets) < 0)) {
		if (argc == 0 && !rec->pid_spec)
			usage_with_options(record_usage, options, 1);
		return PARSE_OPT_ERROR;
	}
	if (!rec->attaching && settle_variants(rec, sets) < 0)
		return PARSE_OPT_ERROR;
	event_list_init(&rec->events);
	if (event_list_parse(&rec->events, rec->event_spec ? rec->event_spec :
			     rec->count_by == COUNT_BY_RUSAGE ? "@rusage" : event_default_list,
			     err, sizeof(err)) < 0) {
		error("%s", err);
		return PARSE_OPT_ERROR;
	}
	return argc;
}

int record_check_args(int argc, const char **argv, const struct record_cpu_sets *sets)
{
	struct record rec;
	unsigned mem_wanted;

	record_init(&rec);
	argc = record_parse(&rec, argc, argv, sets, &mem_wanted);
	record_release(&rec);
	if (argc < 0)
		return argc == PARSE_OPT_HELP ? 0 : EXIT_USAGE;
	return -1;
}

int record_main(int argc, const char **argv, const struct record_cpu_sets *sets)
{
	struct record rec;
	unsigned mem_wanted;
	int status = 0, ret = 1, start_failed = 0;
	uint32_t total;

	record_init(&rec);
	argc = record_parse(&rec, argc, argv, sets, &mem_wanted);
	if (argc < 0) {
		record_release(&rec);
		return argc == PARSE_OPT_HELP ? 0 : EXIT_USAGE;
	}
	rec.command = rec.attaching ? "" : argv[0];
	/* From here on record_release() cleans up whatever was set up. */
	mem_backends_init(&rec.mem, mem_wanted,
			  (uint64_t)rec.pss_interval_ms * NSEC_PER_MSEC);
	if (proc_tree_init(&rec.tree) < 0 ||
	    counter_set_init(&rec.counters, &rec.events) < 0) {
		error("out of memory");
		goto out;
	}

	raise_fd_limit();
	if (rec_writer_init(&rec.writer, -1) < 0) {
		error("out of memory");
		goto out;
	}
	/* Output first, while Ctrl-C still ends a blocking open (a FIFO). */
	if (open_output(&rec) < 0 || setup_signals(&rec) < 0 || create_timer(&rec) < 0) {
		abandon_output(&rec);
		goto out;
	}
	rec.writer.fd = rec.out_fd;
	/* Nothing reaches the output until the command is known to run. */
	rec.writer.hold = 1;

	total = rec.attaching ? 1 : (uint32_t)((size_t)(rec.repeat + rec.warmup) * rec.nr_variants);
	for (rec.run = 0; rec.run < total; rec.run++) {
		if (!rec.attaching) {
			rec.variant = &rec.variants[rec.run % rec.nr_variants];
			rec.command = rec.variant->argv[0];
		}
		note_run(&rec, total);
		ret = record_one_run(&rec, &status);
		if (ret) {
			start_failed = 1;
			break;
		}
		ret = run_exit_code(&rec, status);
		end_run(&rec);
		if (rec.write_failed)
			break;
		if (ret && rec.run + 1 < total) {
			/* As hyperfine: a failed run stops the repeats. */
			if (!rec.quiet)
				note("run %u failed ('%s' exited with status %d): stopping; the recording keeps the %u run%s so far",
				     rec.run + 1, rec.command, ret, rec.run + 1, rec.run ? "s" : "");
			break;
		}
	}
	if (start_failed && rec.run == 0) {
		/* Nothing ran: nothing is left behind. */
		abandon_output(&rec);
		goto out;
	}
	rec_write_end(&rec.writer, now_ns());
	flush(&rec, now_ns());
	print_summary(&rec);
	if (rec.write_failed && ret == 0)
		ret = 1;
out:
	record_release(&rec);
	return ret;
}

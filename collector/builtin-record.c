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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "builtin.h"
#include "counters.h"
#include "event.h"
#include "parse-options.h"
#include "pprobe-version.h"
#include "recfile.h"
#include "usage.h"
#include "workload.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
/* Data older than this is on its way to the file: what a crash can lose. */
#define FLUSH_EVERY_NS NSEC_PER_SEC

static const char *const record_usage[] = {
	"pprobe record [<options>] [--] <command> [<args>...]",
	NULL
};

struct record {
	/* options */
	const char *output;
	const char *event_spec;
	long interval_ms;
	const char *label;
	int quiet;

	struct event_list events;
	struct counter_set counters;
	struct rec_count *values;
	struct workload workload;
	struct rec_writer writer;
	int out_fd;
	int rotated;            /* an older file was renamed to <output>.old */
	char *old_path;
	int signal_fd, timer_fd;
	sigset_t signals;       /* blocked in pprobe, read from signal_fd */

	const char *command;    /* argv[0] of the command, for messages */
	int command_ended;      /* reaped; orphans of its tree may remain */
	uint64_t begin_ns;
	uint64_t end_ns;        /* when the last process of the tree ended */
	uint64_t last_flush_ns;
	uint64_t samples;
	int write_failed;       /* reported once; the command runs on */
};

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

static int is_stdout(const struct record *rec)
{
	return !strcmp(rec->output, "-");
}

/*
 * Like perf: a non-empty file in the way is kept as <output>.old rather
 * than overwritten, then the output is created.
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

	if (stat(rec->output, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return error("cannot write '%s': Is a directory", rec->output);
		if (S_ISREG(st.st_mode) && st.st_size > 0) {
			if (asprintf(&rec->old_path, "%s.old", rec->output) < 0) {
				rec->old_path = NULL;
				return error("out of memory");
			}
			if (rename(rec->output, rec->old_path) < 0)
				return error("cannot keep the old recording as '%s': %s",
					     rec->old_path, strerror(errno));
			rec->rotated = 1;
		}
	}

	rec->out_fd = open(rec->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (rec->out_fd < 0) {
		int err = errno;

		if (rec->rotated && rename(rec->old_path, rec->output) == 0)
			rec->rotated = 0;
		return error("cannot open '%s': %s", rec->output, strerror(err));
	}
	return 0;
}

/* The command never ran: leave things as they were before pprobe. */
static void abandon_output(struct record *rec)
{
	rec_writer_discard(&rec->writer);
	if (is_stdout(rec) || rec->out_fd < 0)
		return;
	close(rec->out_fd);
	rec->out_fd = -1;
	unlink(rec->output);
	if (rec->rotated && rename(rec->old_path, rec->output) == 0)
		rec->rotated = 0;
}

static void write_meta(struct record *rec, const char **argv, int argc,
		       uint64_t start_mono, uint64_t start_real)
{
	struct rec_writer *w = &rec->writer;
	struct utsname uts;
	char buf[64];
	FILE *f;

	rec_meta_begin(w);
	rec_meta_str(w, "pprobe_version", PPROBE_VERSION);
	for (int i = 0; i < argc; i++)
		rec_meta_str(w, "argv", argv[i]);
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
	f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			rec_meta_i64(w, "perf_event_paranoid", strtoll(buf, NULL, 10));
		fclose(f);
	}
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
	if (!rec->writer.error || rec->write_failed)
		return;
	rec->write_failed = 1;
	error("cannot write '%s': %s (recording stopped; the first %llu bytes are readable, the command keeps running)",
	      rec->output, strerror(rec->writer.error),
	      (unsigned long long)rec->writer.flushed);
}

static void flush(struct record *rec, uint64_t now)
{
	rec_writer_flush(&rec->writer);
	rec->last_flush_ns = now;
	check_writer(rec);
}

static void sample(struct record *rec, uint32_t flags)
{
	uint64_t t = now_ns();
	int n = counter_set_read(&rec->counters, rec->values);

	if (n < 0) {
		/* A read can only fail on a kernel bug or a closed fd. */
		if (!rec->write_failed)
			warning("cannot read counters: %s", strerror(-n));
		return;
	}
	rec_write_counts(&rec->writer, t, 0, flags, rec->values, (uint32_t)n);
	if (!(flags & REC_COUNTS_F_FINAL))
		rec->samples++;
	if (t - rec->last_flush_ns >= FLUSH_EVERY_NS)
		flush(rec, t);
	else
		check_writer(rec);
}

static int setup_signals(struct record *rec)
{
	/*
	 * Orphans of the tree (a double-forked daemon, a background job the
	 * command did not wait for) come to pprobe instead of init, so they
	 * are waited for and their counts end up in the totals.
	 */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return error("cannot become a subreaper: %s", strerror(errno));

	sigemptyset(&rec->signals);
	sigaddset(&rec->signals, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		sigaddset(&rec->signals, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &rec->signals, NULL) < 0)
		return error("cannot block signals: %s", strerror(errno));
	rec->signal_fd = signalfd(-1, &rec->signals, SFD_CLOEXEC | SFD_NONBLOCK);
	if (rec->signal_fd < 0)
		return error("cannot create a signalfd: %s", strerror(errno));
	/* A reader that goes away is a write error to report, not a death. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int start_timer(struct record *rec)
{
	struct itimerspec its = { 0 };
	uint64_t ns = (uint64_t)rec->interval_ms * NSEC_PER_MSEC;

	rec->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (rec->timer_fd < 0)
		return error("cannot create a timer: %s", strerror(errno));
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

/*
 * A signal typed at the terminal (si_code SI_KERNEL) has already reached
 * the command, which shares pprobe's foreground process group: passing it
 * on again would deliver it twice. Anything sent to pprobe alone, as
 * kill(1) does, is passed on. Once the command itself is gone, the signal
 * goes to what it left running, which may well have left our process
 * group (a daemon calls setsid()).
 */
static void forward_signal(const struct record *rec,
			   const struct signalfd_siginfo *si)
{
	if (rec->command_ended) {
		signal_children((int)si->ssi_signo);
		return;
	}
	if (si->ssi_code == SI_KERNEL)
		return;
	kill(rec->workload.pid, (int)si->ssi_signo);
}

/*
 * Reaps every child that has ended: the command, and the orphans of its
 * tree that came to pprobe as their subreaper. Returns 1 once there is no
 * child left, so every process of the tree has exited and its counts have
 * been folded into the inherited counters.
 */
static int reap_children(struct record *rec, int *status)
{
	int command_was_running = !rec->command_ended;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == rec->workload.pid) {
			*status = st;
			rec->command_ended = 1;
		}
	}
	if (pid < 0)
		return errno == ECHILD;
	if (command_was_running && rec->command_ended && !rec->quiet)
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
		else
			forward_signal(rec, &si);
	}
	return done;
}

static int run_loop(struct record *rec, int *status)
{
	struct pollfd pfd[2] = {
		{ .fd = rec->signal_fd, .events = POLLIN },
		{ .fd = rec->timer_fd, .events = POLLIN },
	};

	for (;;) {
		uint64_t expirations;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return error("poll failed: %s", strerror(errno));
		}
		if ((pfd[1].revents & POLLIN) &&
		    read(rec->timer_fd, &expirations, sizeof(expirations)) > 0)
			sample(rec, 0);
		if ((pfd[0].revents & POLLIN) && handle_signals(rec, status))
			return 0;
	}
}

static void write_run_end(struct record *rec, int status)
{
	struct rusage rusage = { 0 }, *ru = &rusage;
	struct rec_run_end e;

	/* Everything pprobe reaped is the tree: the command and its orphans. */
	getrusage(RUSAGE_CHILDREN, ru);
	e = (struct rec_run_end){
		.time_ns = rec->end_ns,
		.run = 0,
		.pid = (uint32_t)rec->workload.pid,
		.exit_kind = WIFSIGNALED(status) ? REC_EXIT_SIGNAL : REC_EXIT_NORMAL,
		.exit_code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		.rusage = {
			.utime_us = (uint64_t)ru->ru_utime.tv_sec * 1000000 + (uint64_t)ru->ru_utime.tv_usec,
			.stime_us = (uint64_t)ru->ru_stime.tv_sec * 1000000 + (uint64_t)ru->ru_stime.tv_usec,
			.maxrss_kib = (uint64_t)ru->ru_maxrss,
			.minflt = (uint64_t)ru->ru_minflt,
			.majflt = (uint64_t)ru->ru_majflt,
			.nvcsw = (uint64_t)ru->ru_nvcsw,
			.nivcsw = (uint64_t)ru->ru_nivcsw,
			.inblock = (uint64_t)ru->ru_inblock,
			.oublock = (uint64_t)ru->ru_oublock,
		},
	};
	rec_write_run_end(&rec->writer, &e);
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
			len += (size_t)snprintf(names + len, len < sizeof(names) ? sizeof(names) - len : 0,
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
	if (user_fallback)
		note("kernel-side counting is not permitted (perf_event_paranoid >= 2 without CAP_PERFMON): counting user mode only; context switches and migrations read 0 in this mode (fix: sysctl kernel.perf_event_paranoid=1, or grant CAP_PERFMON)");
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

static int open_counters(struct record *rec)
{
	int n;

	if (counter_set_init(&rec->counters, &rec->events) < 0)
		return error("out of memory");
	n = counter_set_open(&rec->counters, rec->workload.pid);
	if (n == -EMFILE || n == -ENFILE)
		return error("cannot open the counters: %s (raise the limit with 'ulimit -n', or record fewer events)",
			     strerror(-n));
	if (n < 0)
		return error("cannot open the counters: %s", strerror(-n));
	if (n == 0) {
		explain_failures(&rec->counters, error_line);
		return error("no event can be counted: nothing to record");
	}
	rec->values = calloc((size_t)n, sizeof(*rec->values));
	if (!rec->values)
		return error("out of memory");
	return 0;
}

static void print_summary(const struct record *rec)
{
	double kib = (double)rec->writer.flushed / 1024.0;
	struct rusage self;
	double cpu_ms = 0;

	if (rec->quiet || rec->write_failed)
		return;
	/* pprobe's own cost, so anyone can check it stays negligible. */
	if (getrusage(RUSAGE_SELF, &self) == 0)
		cpu_ms = (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec) * 1e3 +
			 (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e3;
	fprintf(stderr, "[ pprobe record: wrote '%s' (%llu sample%s, %.1f KiB; pprobe's own CPU %.1f ms) ]\n",
		rec->output, (unsigned long long)rec->samples,
		rec->samples == 1 ? "" : "s", kib, cpu_ms);
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
	counter_set_release(&rec->counters);
	event_list_release(&rec->events);
	rec_writer_release(&rec->writer);
	free(rec->values);
	free(rec->old_path);
}

int cmd_record(int argc, const char **argv)
{
	struct record rec = {
		.output = "pprobe.data",
		.interval_ms = 100,
		.out_fd = -1,
		.signal_fd = -1,
		.timer_fd = -1,
		.workload = { .pid = -1, .go_fd = -1, .exec_fd = -1 },
	};
	const struct option options[] = {
		OPT_STRING('o', "output", &rec.output, "file",
			   "write the recording to <file> (default pprobe.data; - for standard output)"),
		OPT_STRING('e', "event", &rec.event_spec, "events",
			   "comma-separated events to count (default: task-clock, context-switches, cpu-migrations, page-faults, minor-faults, major-faults, cycles, instructions)"),
		OPT_INTEGER('I', "interval", &rec.interval_ms, "ms", 1, 3600000,
			    "read the counters every <ms> milliseconds (default 100)"),
		OPT_STRING(0, "label", &rec.label, "text",
			   "name this recording in reports and charts"),
		OPT_BOOL('q', "quiet", &rec.quiet, "print no notes or summary"),
		OPT_END(),
	};
	struct workload_options wopts = { 0 };
	sigset_t reset_signals;
	uint64_t start_real;
	char err[256];
	int status = 0, exec_err, ret = 1, rc;

	argc = parse_options(argc, argv, options, record_usage,
			     PARSE_OPT_STOP_AT_NON_OPTION);
	if (argc == PARSE_OPT_HELP)
		return 0;
	if (argc < 0)
		return EXIT_USAGE;
	if (argc == 0) {
		error("no command given: what should pprobe record?");
		usage_with_options(record_usage, options, 1);
		return EXIT_USAGE;
	}

	rec.command = argv[0];
	event_list_init(&rec.events);
	if (event_list_parse(&rec.events, rec.event_spec ? rec.event_spec : event_default_list,
			     err, sizeof(err)) < 0) {
		error("%s", err);
		event_list_release(&rec.events);
		return EXIT_USAGE;
	}

	raise_fd_limit();
	if (rec_writer_init(&rec.writer, -1) < 0) {
		error("out of memory");
		goto out;
	}
	if (setup_signals(&rec) < 0 || open_output(&rec) < 0)
		goto out;
	rec.writer.fd = rec.out_fd;

	/* The command gets the signal state it would have had without us. */
	reset_signals = rec.signals;
	sigaddset(&reset_signals, SIGPIPE);
	wopts.argv = argv;
	wopts.reset_signals = &reset_signals;
	wopts.stdout_to_stderr = is_stdout(&rec);
	rc = workload_prepare(&rec.workload, &wopts);
	if (rc < 0) {
		error("cannot start '%s': %s", argv[0], strerror(-rc));
		abandon_output(&rec);
		goto out;
	}
	if (open_counters(&rec) < 0) {
		workload_cancel(&rec.workload);
		abandon_output(&rec);
		goto out;
	}
	explain_events(&rec);

	start_real = clock_ns(CLOCK_REALTIME);
	rec.begin_ns = now_ns();
	write_meta(&rec, argv, argc, rec.begin_ns, start_real);
	write_events(&rec);

	exec_err = workload_start(&rec.workload);
	if (exec_err) {
		error("cannot run '%s': %s", argv[0], strerror(exec_err));
		abandon_output(&rec);
		ret = workload_exec_exit_code(exec_err);
		goto out;
	}

	rec_write_run_begin(&rec.writer, &(struct rec_run_begin){
		.time_ns = rec.begin_ns,
		.run = 0,
		.pid = (uint32_t)rec.workload.pid,
	});
	flush(&rec, rec.begin_ns);
	if (start_timer(&rec) < 0 || run_loop(&rec, &status) < 0) {
		/* Never leave the command behind unreaped. */
		kill(rec.workload.pid, SIGKILL);
		signal_children(SIGKILL);
		while (waitpid(rec.workload.pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	rec.end_ns = now_ns();

	sample(&rec, REC_COUNTS_F_FINAL);
	write_run_end(&rec, status);
	rec_write_end(&rec.writer, now_ns());
	flush(&rec, now_ns());
	print_summary(&rec);

	ret = workload_exit_code(status);
	if (rec.write_failed && ret == 0)
		ret = 1;
out:
	record_release(&rec);
	return ret;
}

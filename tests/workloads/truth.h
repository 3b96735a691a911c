/*
 * truth.h - what a calibrated workload says about itself, for the
 * end-to-end tests to compare pprobe's figures against.
 *
 * Every workload in tests/workloads takes `--truth FILE` before its own
 * arguments. At the very end, after it has reaped all its children, it
 * writes the kernel's own accounting of its whole life to FILE: the sum of
 * getrusage(RUSAGE_SELF) and getrusage(RUSAGE_CHILDREN), plus facts that
 * only the workload knows (round_trips=N, children=N, ...). One key=value
 * pair per line, values are decimal integers:
 *
 *   utime_us=812345
 *   stime_us=20311
 *   nvcsw=40012
 *   nivcsw=17
 *   minflt=65701
 *   majflt=0
 *   maxrss_kib=263012
 *   round_trips=20000        (workload facts follow, in the order added)
 *
 * maxrss_kib is the larger of the two, not their sum: the kernel keeps the
 * largest single process in RUSAGE_CHILDREN, and so does wait4(), which is
 * what pprobe's own rusage comes from.
 *
 * A workload that pprobe attaches to while it runs (`record -p`) is counted
 * from the attach, not from its start: it calls truth_set_baseline() when
 * told to go, and every figure but maxrss_kib is then the difference since
 * that call. The baseline holds what the process's threads and its reaped
 * children did until then; children still running at that point are
 * measured when they are reaped, whole lives, so their work before the
 * baseline stays in the truth (keep it small, or let them do none).
 *
 * The measurement is taken as late as possible (after the facts are
 * formatted and FILE is open), so that what the process does after it is a
 * write(2), a close(2) and exit: no page faults and no context switches that
 * the truth would miss. What the truth sees and pprobe's counters cannot are
 * the few events of the forked child before it execs the workload; the
 * workloads do enough work that these are far below the tolerances.
 *
 * Not thread-safe: call these from the main thread only.
 */
#ifndef PPROBE_TRUTH_H
#define PPROBE_TRUTH_H

/*
 * Takes "--truth FILE" or "--truth=FILE" out of argv if it is the first
 * argument, shifting the rest down and updating *argc. Returns FILE, or
 * NULL when the option is absent (the workload then writes no truth).
 * A "--truth" without a FILE prints a usage message and exits 2: workloads
 * are small programs and may exit from here.
 */
const char *truth_take_option(int *argc, char **argv);

/*
 * Adds a workload-specific fact, written after the rusage lines. `key` must
 * be a string literal or outlive truth_write(). At most 16 facts.
 */
void truth_fact(const char *key, long long value);

/*
 * Takes the baseline (getrusage SELF + CHILDREN, see above): the truth
 * written later counts from here. Call it once, before the work to count.
 */
void truth_set_baseline(void);

/*
 * Measures (getrusage SELF + CHILDREN) and writes the truth file. Call it
 * as the last thing before exit, after every child has been waited for.
 * Does nothing and returns 0 when path is NULL. Returns 0, or -1 after
 * printing why on stderr.
 */
int truth_write(const char *path);

/*
 * Parses a non-negative decimal argument with an upper bound, or exits 2
 * with a message naming `what` (e.g. "round trips"). For the workloads'
 * own positional arguments.
 */
long long truth_parse_count(const char *s, const char *what, long long max);

/* The same for a duration in seconds, e.g. "1" or "0.25"; 0 < value <= max. */
double truth_parse_seconds(const char *s, const char *what, double max);

/*
 * One byte over a pipe, for the ping-pong workloads, going on after
 * EINTR. Read: 0, 1 at end of file (the other side is gone), -1 on error.
 * Write: 0 or -1.
 */
int truth_read_byte(int fd, char *c);
int truth_write_byte(int fd, char c);

/* CPU time of the calling thread, in ns (CLOCK_THREAD_CPUTIME_ID). */
long long truth_thread_cpu_ns(void);

/* Waits for any child; returns 0 if it exited with 0, -1 otherwise. */
int truth_reap_one(void);

/*
 * Forks n processes that each run fn(arg), which must _exit, keeping at
 * most max_alive alive at once, and waits for all of them. Returns how
 * many failed (could not be forked, or did not exit with 0). name is for
 * the error message.
 */
long long truth_fork_and_wait(long long n, long long max_alive,
			      void (*fn)(long long arg), long long arg,
			      const char *name);

#endif /* PPROBE_TRUTH_H */

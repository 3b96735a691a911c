/*
 * harness.h - running the real pprobe binary and the calibrated workloads
 * from cmocka tests, and reading what they leave behind.
 *
 * Paths come from the environment, so the same test binary can be pointed
 * at an installed pprobe:
 *
 *   PPROBE            the pprobe binary
 *   PPROBE_WORKLOADS  the directory holding pingpong, touchmem, burn, ...
 *   PPROBE_TMPDIR     scratch space; created if missing. Every file a test
 *                     writes goes here.
 *
 * A command runs in its own process group with its stdout and stderr sent
 * to files in PPROBE_TMPDIR, which are read back into memory when it ends;
 * so a command that writes a lot can never block on a pipe nobody reads,
 * and one that outlives its timeout is killed with its whole group. Every
 * wait in the harness is bounded.
 *
 * Helpers that can fail return 0 or -1 after printing why with
 * print_error(); the tests assert on that. Strings returned as `char *` are
 * the caller's to free().
 */
#ifndef PPROBE_E2E_HARNESS_H
#define PPROBE_E2E_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "recfile.h"

/* ---- can this machine run the tests at all? ---- */

/*
 * NULL when this process may use perf_event_open at all (counting itself
 * in user mode, which any user may do at perf_event_paranoid <= 2); else
 * why not, in a static buffer, for a "skipped: ..." line. A container
 * without CAP_PERFMON (a `docker build` step) or paranoid 3 refuses even
 * that; then no end-to-end test can say anything, and a test binary skips
 * them all as one by exiting H_EXIT_SKIPPED.
 */
const char *h_perf_refused(void);

/* CTest reports a test that exits with this code as skipped
 * (SKIP_RETURN_CODE in tests/CMakeLists.txt). */
#define H_EXIT_SKIPPED 77

/*
 * The machine's steal time so far, in ms (the 8th field of "cpu" in
 * /proc/stat); 0 when it cannot be read. In a VM, time the hypervisor
 * steals from a running task is in task-clock but not in rusage: the
 * difference over a run bounds what a workload lost that way.
 */
double h_steal_ms(void);

/* ---- running as an unprivileged user ---- */

#define H_NOBODY 65534

/*
 * An h_child_fn (below) that drops root for user and group nobody, and
 * keeps the process dumpable: changing uid clears that, and perf refuses
 * to count a task that is not. Returns 0 or -1.
 */
int h_become_nobody(void *arg);
/*
 * Can nobody execute exe (and exe2, unless NULL) and create files in dir?
 * Tried in a forked child that becomes nobody; 0 when it cannot, or when
 * this process is not root.
 */
int h_nobody_can_use(const char *exe, const char *exe2, const char *dir);
/*
 * Makes dir afresh (whatever was there goes) as a directory anyone may
 * create files in, sticky as /tmp: where nobody writes its recording.
 */
void h_shared_dir(const char *dir);

/* ---- paths ---- */

/* $PPROBE; NULL when unset. */
const char *h_pprobe(void);
/*
 * $PPROBE_VALGRIND: the valgrind command line, words separated by spaces,
 * that `make test-valgrind` runs pprobe under; NULL when unset (pprobe
 * runs natively).
 */
const char *h_valgrind(void);
/* How much longer h_wait() waits for a pprobe under valgrind. */
#define H_VALGRIND_SLOWDOWN 10
/* $PPROBE_WORKLOADS/name, in a static buffer (one of a few in rotation). */
const char *h_workload(const char *name);
/* $PPROBE_TMPDIR, created on first use; NULL (after a message) on failure. */
const char *h_tmpdir(void);
/* A fresh path in the scratch dir: "<tmpdir>/<NN>-<name>", removed if it
 * exists. NN is a counter, so two tests never share a file. Free it. */
char *h_tmp_path(const char *name);

/* ---- running commands ---- */

struct h_result {
	int status;        /* raw wait status */
	int exited;        /* WIFEXITED */
	int exit_code;     /* WEXITSTATUS, or -1 */
	int signaled;      /* WIFSIGNALED */
	int term_signal;   /* WTERMSIG, or 0 */
	int timed_out;     /* killed by the harness after the timeout */
	double seconds;    /* wall time from start to reap */
	char *out, *err;   /* whole stdout and stderr, NUL-terminated, never
			    * NULL after a successful h_wait() */
	size_t out_len, err_len;
};

struct h_proc {
	pid_t pid;         /* also its process group id */
	double start;      /* CLOCK_MONOTONIC seconds */
	char *out_path, *err_path;
	char *valgrind_log; /* where valgrind writes, when pprobe runs under it */
};

/*
 * Called in the child after fork, before exec, e.g. to drop privileges.
 * Returns 0, or -1 to make the child exit 126 without exec.
 */
typedef int (*h_child_fn)(void *arg);

/*
 * Starts argv (argv[0] looked up in PATH) in its own process group, with
 * stdin from /dev/null (or stdin_path when not NULL), stdout and stderr to
 * scratch files, default signal dispositions and an empty signal mask.
 *
 * Under valgrind (see h_valgrind()), an argv[0] that is $PPROBE runs as
 * `$PPROBE_VALGRIND --log-file=<scratch> pprobe ...`: the pid is still
 * pprobe's, the workloads it starts run natively, the timeout of h_wait()
 * is H_VALGRIND_SLOWDOWN times longer, and an error or a leak valgrind
 * logged fails the test when the command ends (its warnings, such as an
 * unknown syscall, are printed only).
 */
int h_spawn(struct h_proc *p, const char *const *argv, const char *stdin_path,
	    h_child_fn child_fn, void *child_arg);
/*
 * Waits up to timeout_s for the process; on overrun kills its whole
 * process group with SIGKILL, reaps it and sets timed_out. Fills *r.
 */
int h_wait(struct h_proc *p, double timeout_s, struct h_result *r);
/* Has it exited? Returns 1 and fills *r (as h_wait) if so, 0 if not. */
int h_poll(struct h_proc *p, struct h_result *r);
/* h_spawn + h_wait. */
int h_run(const char *const *argv, double timeout_s, struct h_result *r);
/*
 * h_run, with pprobe never under valgrind: for a recording that is only
 * the input of what a test checks (the report's charts, say), which a
 * pprobe slowed down by valgrind would take too few readings for.
 */
int h_run_native(const char *const *argv, double timeout_s, struct h_result *r);
void h_result_release(struct h_result *r);
/* Forgets a process: kills its group with SIGKILL and reaps it if needed. */
void h_proc_kill(struct h_proc *p);
/*
 * SIGKILL to the process group `group` (a pid from h_spawn). Does nothing
 * for group <= 1, so a forgotten pid (0) can never hit the test itself.
 */
void h_kill_group(pid_t group);

/*
 * The pid of a child of `parent` whose comm is `comm` (NULL: any child),
 * found through /proc; 0 when there is none.
 */
pid_t h_find_child(pid_t parent, const char *comm);
/* Sleeps for s seconds (restarting after signals). */
void h_sleep(double s);
/* CLOCK_MONOTONIC in seconds. */
double h_now(void);

/* ---- files ---- */

/* Reads a whole file; returns a malloc'd NUL-terminated buffer or NULL. */
char *h_read_file(const char *path, size_t *len);
int h_write_file(const char *path, const void *data, size_t len);
int h_copy_file(const char *from, const char *to);
int h_file_exists(const char *path);
/* Number of '\n' in s. */
size_t h_count_lines(const char *s);

/* ---- truth files (tests/workloads/truth.h) ---- */

#define H_TRUTH_MAX 32

struct h_truth {
	int nr;
	struct {
		char key[48];
		long long value;
	} v[H_TRUTH_MAX];
};

int h_truth_load(const char *path, struct h_truth *t);
/* The value of key, or -1 when it is missing. */
long long h_truth_get(const struct h_truth *t, const char *key);

/* ---- `pprobe report --csv` ---- */

/*
 * One row of: file,run,event,value,unit,status,percent_counted,enabled_ns,
 * running_ns. Numeric fields that are empty or not numbers are marked by
 * has_value / has_percent = 0 (e.g. an event that is not supported).
 */
struct h_csv_row {
	char *file, *event, *unit, *status;
	int run;
	double value;
	int has_value;
	double percent_counted;
	int has_percent;
	uint64_t enabled_ns, running_ns;
};

struct h_csv {
	struct h_csv_row *rows;
	size_t nr;
};

/* Parses the whole output; checks the header. Returns 0 or -1. */
int h_csv_parse(const char *text, struct h_csv *csv);
void h_csv_release(struct h_csv *csv);
/* The row for event in run, or NULL. */
const struct h_csv_row *h_csv_find(const struct h_csv *csv, int run, const char *event);
/* How many rows name this event in this run. */
size_t h_csv_count(const struct h_csv *csv, int run, const char *event);

/* ---- recordings, through the format library's reader ---- */

#define H_REC_MAX_EVENTS 64

struct h_recording {
	enum rec_status status;    /* the last status: REC_DONE when complete */
	char detail[160];          /* reader detail for error statuses */
	uint64_t error_offset;     /* reader offset for error statuses */
	uint64_t records;          /* records read */
	uint64_t end_offset;       /* file offset of the END frame, or 0 */
	int nr_events;
	struct {
		char name[64];
		struct rec_event ev;   /* name/unit pointers are not kept */
	} events[H_REC_MAX_EVENTS];
	int nr_run_begin, nr_run_end;
	struct rec_run_begin run_begin; /* the first */
	struct rec_run_end run_end;     /* the first */
	int nr_counts;             /* COUNTS records, final ones included */
	int nr_counts_final;
	int have_final;            /* last COUNTS values below are valid */
	int nr_last;
	struct rec_count last[H_REC_MAX_EVENTS]; /* the last COUNTS record */
	/* File offsets of every record frame (up to 4096), for cutting. */
	int nr_offsets;
	uint64_t offsets[4096];
	uint32_t types[4096];
};

/*
 * Reads a recording from start to its end or first error. Returns 0 when
 * the file could be opened (whatever its status), -1 when not.
 */
int h_recording_load(const char *path, struct h_recording *rec);
/* The event named `name`, or NULL. */
const struct rec_event *h_recording_event(const struct h_recording *rec, const char *name);
/* The last value of the event named `name`; -1 when absent. */
int h_recording_last(const struct h_recording *rec, const char *name, struct rec_count *out);


/* ---- helpers the e2e tests share ---- */

/* Prints "skipped: <reason>" and skips the current cmocka test. */
#define H_SKIP(...)                                           \
	do {                                                  \
		print_message("skipped: ");                   \
		print_message(__VA_ARGS__);                   \
		print_message("\n");                          \
		skip();                                       \
	} while (0)

/* An argv being built: v is NULL-terminated after every h_args_push(). */
struct h_args {
	const char *v[64];
	int n;
};

/* Appends strings up to a NULL argument. */
void h_args_push(struct h_args *a, ...);

/*
 * $PPROBE_SAMPLES/name (the samples/ build), or the current test is
 * skipped with the reason. The last four results stay valid.
 */
const char *h_sample(const char *name);

/* $PPROBE, or the current test is skipped with the reason. */
const char *h_pprobe_or_skip(void);

/* Prints what a command did (status, stdout, stderr), for a failing test. */
void h_show(const char *what, const struct h_result *r);

/* Fails the current test, showing r, unless r exited with code. */
void h_assert_exit(const char *what, const struct h_result *r, int code);

/*
 * One comparison of pprobe's figure with the truth: printed on one line,
 * whatever the outcome, so a CI log shows how close it came. Returns 1
 * when measured is within [expected - below, expected + above]. label
 * may be "" (one workload per test); how follows the truth ("(minus
 * exits)").
 */
int h_compare(const char *label, const char *what, double measured,
	      double expected, double below, double above, const char *how);

/* `pprobe report [opt [opt2]] file`, which must exit 0; output in *r. */
void h_report(const char *opt, const char *opt2, const char *file,
	      double timeout_s, struct h_result *r);

/*
 * Splits one CSV line in place into at most max fields (RFC 4180 quotes,
 * as the report writes them). Returns the number of fields, or -1 for a
 * line that is not CSV or has more; moves *pos past the line.
 */
int h_csv_fields(char **pos, char **fields, int max);

#endif /* PPROBE_E2E_HARNESS_H */

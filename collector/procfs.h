/*
 * procfs.h - per-process figures read from /proc, cheaply enough to be
 * read on every tick for every live process of the recorded tree.
 *
 * A proc_handle keeps /proc/PID files open and reads them with pread(2)
 * at offset 0, which makes the kernel generate the file afresh: no
 * open/close per tick. A kept-open fd also pins the process it was
 * opened on: once that process is reaped, every read fails with ESRCH,
 * even if its pid has been given to a new process meanwhile (checked on
 * kernel 6.18: an fd kept from before the reap, read after 32k forks that
 * recycled the pid, still says ESRCH). Files opened later are checked the
 * same way (see proc_handle_read()).
 *
 * What each file costs and gives. Measured on kernel 6.18, 2 vCPUs, by
 * bench/procfs_cost.c: CPU time of one proc_handle_read() on a sleeping
 * single-threaded process, pread of a kept-open fd plus parsing.
 *
 *   file          us/read   what we take from it
 *   stat           2.1      state, utime, stime, minflt, majflt, threads,
 *                           start time (kernel 1.85, parse 0.18). Grows
 *                           with threads, the kernel walks them: 4 us at
 *                           100, 29 us at 1000.
 *   statm          0.8      RSS, exact (kernel 0.75, parse 0.02). stat
 *                           has an RSS too, but from the per-CPU-batched
 *                           counter: it moves in steps of 32 pages per
 *                           CPU here, and can be off by nr_cpus * batch
 *                           pages on big machines; it is not taken.
 *   status         4.9      VmHWM, VmRSS, main thread's context switches
 *                           (kernel 4.2, parse 0.6).
 *   task/ * /status 7 per thread, for the context switch sum.
 *   smaps_rollup  10 + 5/MiB  PSS: walks the page tables (15 us for a
 *                           small process, 0.5 ms for 100 MiB, 1.8 ms
 *                           for 400 MiB). Opened per read.
 *   open+read+close instead of pread costs about 2 us more per file.
 *
 * Per tick over N sleeping processes, the cost per process holds from 1
 * to 1000 processes (0.6-0.8 us for statm, 1.8-2.3 us for stat). The
 * budget, 1% of a core at 100 processes and 10 ms, is 1 us per process
 * per tick; stat alone is twice that. So, what we advise the collector
 * to read (measured mix: 0.80 us per process per tick, 0.8% of a core
 * at 100 processes):
 *
 *   every tick          PROC_READ_STATM: RSS for the `rss` sum.
 *   every 10th tick     PROC_READ_STAT: CPU split, faults, threads.
 *                       utime/stime come in clock ticks (10 ms at
 *                       USER_HZ 100): read every 10 ms they change by 0
 *                       or 1 tick, so reading them faster than ~100 ms
 *                       adds cost, not information.
 *   ~1 Hz               PROC_READ_STATUS: VmHWM (the kernel's own peak,
 *                       which keeps a spike between two reads) and
 *                       context switches; PROC_READ_THREADS only for
 *                       processes with more than one thread.
 *   <= 1 Hz, opt-in     PROC_READ_PSS, less often for big processes.
 *   at exit             the wait rusage (proc_figures_from_rusage()), or
 *                       proc_peek_exited_child() before reaping.
 *
 * Exit is the weak spot. A process's memory is gone before it is a
 * zombie, and the perf EXIT record comes after that too: its last
 * VmHWM must be read while it lives. Only pprobe's own children (the
 * command, and orphans it reaps as subreaper) have a wait rusage for
 * pprobe; a child of the command is reaped by the command, and its final
 * figures are the last read (or its zombie's stat, if a tick catches
 * it). For those, the HWM is a lower bound, missing growth after the
 * last status read: reading status every tick for young processes (the
 * first second, say) catches short-lived ones at a bounded cost.
 *
 * VmHWM and ru_maxrss are the kernel's peak, recorded from the same
 * batched counter as stat's RSS: they can fall short of the largest
 * exact RSS by up to nr_cpus * batch pages (seen here: 124 KiB under a
 * VmRSS read earlier). Memory given back by munmap, MADV_DONTNEED or
 * MADV_PAGEOUT keeps its place in the peak (checked).
 *
 * Context switches. The kernel counts them per thread. /proc/PID/status
 * shows the main thread's only; PROC_READ_THREADS sums
 * /proc/PID/task/TID/status over the threads alive at the time of the
 * read, one open+read+close per thread (about 7 us each). Switches of
 * threads that have already exited are shown nowhere in /proc until the
 * whole process is reaped, where wait4()'s rusage has them all; so a
 * multi-threaded process's live sum can go down between two reads when a
 * thread exits, and the caller should keep the largest value it saw.
 *
 * Fds: a handle holds up to 4 fds (stat, and once used: statm, status,
 * the task directory); smaps_rollup is opened per read.
 * At 1000 processes that is 2000 to 4000 fds, above the usual soft limit
 * of 1024: the collector should raise RLIMIT_NOFILE to its hard limit.
 * Running out gives -EMFILE (or -ENFILE), with nothing left half-open.
 *
 * Permissions: stat, statm and status are readable for any process;
 * smaps_rollup needs ptrace read access (same user and dumpable, or
 * CAP_SYS_PTRACE), else -EACCES.
 *
 * Functions return 0 or -errno. -ESRCH always means the process is gone
 * (reaped, or never existed).
 */
#ifndef PPROBE_PROCFS_H
#define PPROBE_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Which files proc_handle_read() reads: an OR of these. */
enum {
	PROC_READ_STAT = 1u << 0,    /* /proc/PID/stat */
	PROC_READ_STATM = 1u << 1,   /* /proc/PID/statm */
	PROC_READ_STATUS = 1u << 2,  /* /proc/PID/status */
	PROC_READ_THREADS = 1u << 3, /* /proc/PID/task/ * /status, summed */
	PROC_READ_PSS = 1u << 4,     /* /proc/PID/smaps_rollup */
	PROC_READ_SCHEDSTAT = 1u << 5, /* /proc/PID/schedstat (main thread) */
	PROC_READ_SCHED = 1u << 6,   /* /proc/PID/sched (main thread) */
};

/* Which fields of struct proc_figures hold a value: an OR of these. */
enum {
	PROC_HAVE_STATE = 1u << 0,   /* state */
	PROC_HAVE_TIMES = 1u << 1,   /* utime_ns, stime_ns */
	PROC_HAVE_FAULTS = 1u << 2,  /* minflt, majflt */
	PROC_HAVE_THREADS = 1u << 3, /* threads */
	PROC_HAVE_START = 1u << 4,   /* start_ns */
	PROC_HAVE_RSS = 1u << 5,     /* rss_bytes */
	PROC_HAVE_HWM = 1u << 6,     /* hwm_bytes */
	PROC_HAVE_PSS = 1u << 7,     /* pss_bytes */
	/* nvcsw, nivcsw: summed over every thread alive at the read */
	PROC_HAVE_CTXSW = 1u << 8,
	/* nvcsw, nivcsw: the main thread's only (other threads not read) */
	PROC_HAVE_CTXSW_MAIN = 1u << 9,
	/*
	 * Not a field: the figures come from a wait rusage and include those
	 * of the children this process itself waited for (see
	 * proc_figures_from_rusage()).
	 */
	PROC_HAVE_WAITED_CHILDREN = 1u << 10,
	PROC_HAVE_RAN = 1u << 11,    /* ran_ns */
	PROC_HAVE_MIGRATIONS = 1u << 12, /* migrations */
};

/*
 * Figures of one process (a thread group) at one moment. Counters are
 * totals since the process started, over all its threads, those that
 * have exited included, its children excluded; except context switches,
 * see PROC_HAVE_CTXSW*. A field not flagged in `have` is 0.
 */
struct proc_figures {
	uint64_t utime_ns;  /* user CPU time, in steps of one clock tick */
	uint64_t stime_ns;  /* system CPU time, idem */
	uint64_t minflt;    /* minor page faults */
	uint64_t majflt;    /* major page faults (read from disk) */
	uint64_t nvcsw;     /* voluntary context switches */
	uint64_t nivcsw;    /* involuntary context switches */
	uint64_t rss_bytes; /* resident memory now, shared pages included */
	uint64_t hwm_bytes; /* peak RSS so far (VmHWM), see the top of file */
	uint64_t pss_bytes; /* proportional share of resident memory */
	uint64_t start_ns;  /* start, ns after boot (CLOCK_BOOTTIME), tick steps */
	uint64_t migrations; /* moves to another CPU, main thread (sched) */
	uint64_t ran_ns;    /* CPU time of the main thread, in ns (schedstat):
			     * unchanged, the thread has not run */
	uint32_t threads;   /* live threads */
	uint32_t have;      /* PROC_HAVE_* */
	/*
	 * R running, S sleeping, D disk wait, Z zombie (or, with threads > 1:
	 * the main thread has exited while others run), T stopped, ...
	 */
	char state;
};

/*
 * Open /proc files of one process. The caller owns the storage; fds are
 * close-on-exec. After proc_handle_release() (or a failed
 * proc_handle_open()) every fd is -1 and releasing again is harmless.
 */
struct proc_handle {
	pid_t pid;
	int stat_fd;   /* /proc/PID/stat, open while the handle is */
	int statm_fd;  /* /proc/PID/statm, from the first PROC_READ_STATM, or -1 */
	int status_fd; /* /proc/PID/status, from the first PROC_READ_STATUS, or -1 */
	int task_fd;   /* /proc/PID/task, from the first PROC_READ_THREADS, or -1 */
	int schedstat_fd; /* /proc/PID/schedstat, from the first PROC_READ_SCHEDSTAT, or -1 */
	int sched_fd;  /* /proc/PID/sched, from the first PROC_READ_SCHED, or -1 */
};

/*
 * Opens /proc/PID/stat and keeps it; the other files are opened on first
 * use. pid is a process (thread group) id. Returns 0, -ESRCH when there is no process pid, -EMFILE/-ENFILE
 * when out of fds, or another -errno.
 *
 * The handle follows the process that has pid at the time of this call.
 * If the caller's process could have been reaped and its pid reused
 * before, start_ns (PROC_READ_STAT) tells the two apart.
 */
int proc_handle_open(struct proc_handle *h, pid_t pid);

/*
 * Reads the files in `what` (PROC_READ_*) into *out, which is cleared
 * first. Returns 0 when every file was read, else the first error, with
 * out->have saying what was read before it:
 *   -ESRCH   the process has been reaped;
 *   -EACCES  PROC_READ_PSS without ptrace access;
 *   -EMFILE, -ENFILE, -ENOMEM  opening a file for the first time failed
 *            (the handle stays usable);
 *   -EINVAL  a file did not parse (a kernel we do not know);
 *   -EBADF   h is not open.
 * A handle is for one thread at a time; handles are independent.
 *
 * A file opened after proc_handle_open() (all but stat) is checked to
 * belong to the same process: it is kept only if stat can still be read
 * after it was opened, since a pid is not reused before it is reaped.
 *
 * A zombie (exited, not reaped) reads: stat with state 'Z' and its final
 * times and faults; statm and status with no memory figures (its memory
 * is gone before it is a zombie: RSS and HWM are not flagged, rather
 * than claimed 0); status with the main thread's final context switches
 * (PROC_HAVE_CTXSW_MAIN only); PSS -ESRCH. Its peak RSS is only in the
 * rusage of the wait that reaps it.
 *
 * RSS is taken from status when read (VmRSS), else from statm; both
 * are exact sums. When the main thread has exited while other threads
 * run, statm and status show no memory either: RSS is not flagged.
 */
int proc_handle_read(struct proc_handle *h, unsigned what,
		     struct proc_figures *out);

/* Closes every fd of h. */
void proc_handle_release(struct proc_handle *h);

/*
 * One-shot read of /proc/PID/smaps_rollup: Pss and Rss in bytes (either
 * pointer may be NULL). Costs ~10 us + 5 us per MiB resident. Returns 0,
 * -ESRCH (gone, or a zombie: no memory left), -EACCES (no ptrace
 * access), or another -errno. Nothing ties it to one process: for a pid
 * that could be reaped and reused meanwhile, use PROC_READ_PSS on a
 * handle.
 */
int proc_read_pss(pid_t pid, uint64_t *pss_bytes, uint64_t *rss_bytes);

/*
 * Final figures of an exited child of the caller, without reaping it:
 * waitid(P_PID, pid, WEXITED | WNOWAIT | WNOHANG) with the rusage
 * argument of the raw system call, which glibc's waitid() lacks. Sets
 * what proc_figures_from_rusage() sets, and state 'Z'. Returns 0,
 * -EAGAIN when the child has not exited yet, -ECHILD when pid is not an
 * unreaped child of the caller.
 */
int proc_peek_exited_child(pid_t pid, struct proc_figures *out);

/*
 * Final figures from the rusage of a wait for one child (wait4(), or
 * waitid() as above): times (us resolution), faults, context switches of
 * all its threads, exited ones included (PROC_HAVE_CTXSW), and
 * hwm_bytes from ru_maxrss, its peak RSS (VmHWM at its exit).
 *
 * The kernel fills it with RUSAGE_BOTH: the child's own figures plus
 * those of the children it waited for itself; ru_maxrss is the larger of
 * its peak and theirs. PROC_HAVE_WAITED_CHILDREN says so. The child's
 * own times and faults are in its /proc/PID/stat while it is a zombie;
 * its own context switches and peak alone are in no kernel interface
 * once its threads have exited.
 */
void proc_figures_from_rusage(const struct rusage *ru,
			      struct proc_figures *out);

/*
 * Parsers, pure functions of a buffer of len bytes that need not be
 * NUL-terminated. A field counts only when it is complete (followed by
 * its separator within len), so a cut-off buffer never yields a
 * cut-off number. Each adds to out->have the fields it sets and leaves
 * other fields alone. Return 0 or -EINVAL.
 */

/*
 * /proc/PID/stat. The command name may hold any byte, ')' and spaces
 * included: it ends at the last ')'. clock_ticks is sysconf(_SC_CLK_TCK).
 * Needs every field up to starttime (the 22nd).
 */
int proc_parse_stat(const char *buf, size_t len, long clock_ticks,
		    struct proc_figures *out);

/*
 * The name and parent in /proc/PID/stat (or /proc/PID/task/TID/stat):
 * comm, up to 15 bytes as the kernel keeps it, NUL-terminated in a buffer
 * of 16; ppid, the parent process. Return 0 or -EINVAL.
 */
int proc_parse_stat_identity(const char *buf, size_t len, char comm[16],
			     pid_t *ppid);

/*
 * Reads the name and parent of task tid of process pid, as above.
 * Returns 0, -ESRCH when it has gone, or -errno.
 */
int proc_read_identity(pid_t pid, pid_t tid, char comm[16], pid_t *ppid);

/*
 * /proc/PID/statm. page_size is sysconf(_SC_PAGESIZE). Needs size and
 * resident. An all-zero line (no address space) sets nothing and is not
 * an error.
 */
int proc_parse_statm(const char *buf, size_t len, long page_size,
		     struct proc_figures *out);

/*
 * /proc/PID/status: State, Threads, VmRSS, VmHWM, voluntary and
 * nonvoluntary context switches, each taken when its line is there and
 * complete (a zombie has no Vm lines). The switches are flagged
 * PROC_HAVE_CTXSW when the process is alive with one thread (the main
 * thread is then the only one), else PROC_HAVE_CTXSW_MAIN. -EINVAL when
 * none of these lines is found.
 */
int proc_parse_status(const char *buf, size_t len, struct proc_figures *out);

/*
 * /proc/PID/schedstat: "<ns on CPU> <ns waiting> <timeslices>", the first
 * into ran_ns. Much cheaper than stat (one number formatted, no locks
 * over the thread group): enough to tell that a task has not run.
 */
int proc_parse_schedstat(const char *buf, size_t len, struct proc_figures *out);

/*
 * /proc/PID/sched (kernels with CONFIG_SCHED_DEBUG): its
 * "se.nr_migrations : N" line into migrations. The only account of a
 * task's migrations outside perf: what user-mode counting cannot see.
 */
int proc_parse_sched(const char *buf, size_t len, struct proc_figures *out);

/* /proc/PID/smaps_rollup: Pss and Rss lines, both required. */
int proc_parse_smaps_rollup(const char *buf, size_t len,
			    uint64_t *pss_bytes, uint64_t *rss_bytes);

/*
 * The whole of a small file (/proc, sysfs, cgroupfs), NUL-terminated, in
 * *out (free() it). proc_read_fd_text() reads an open fd from its start
 * with pread(2), so a kept-open fd reads afresh. 0 or -errno.
 */
int proc_read_fd_text(int fd, char **out);
int proc_read_text(const char *path, char **out);

#endif /* PPROBE_PROCFS_H */

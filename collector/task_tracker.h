/*
 * task_tracker.h - follow every fork, exec and exit of a process tree,
 * from the records the kernel writes into perf ring buffers.
 *
 * One "dummy" software event per online CPU is opened on the command's pid
 * with inherit, so the kernel copies it into every thread and process the
 * command creates, recursively, and writes a FORK, COMM or EXIT record into
 * the ring of the CPU the task was running on. Nothing is sampled and no
 * MMAP records are asked for: each new task costs the kernel one copy of
 * the event per CPU (about 1.5 µs each), and pprobe nothing until it
 * drains. A ring cannot be attached to an inherited event opened with
 * cpu = -1 (mmap gives EINVAL), and PERF_EVENT_IOC_SET_OUTPUT refuses to
 * redirect across CPUs (EINVAL), hence one event and one ring per CPU.
 *
 * Timestamps are CLOCK_MONOTONIC nanoseconds (use_clockid), directly
 * comparable with clock_gettime(CLOCK_MONOTONIC) in the collector.
 *
 * WHAT A CONSUMER GETS (all checked by tests/unit/test_task_tracker.c):
 *
 *   - The command itself: task_tracker_open() is called on the held child
 *     before it execs; the events switch on at its exec (enable_on_exec),
 *     and the kernel does that before it renames the task, so the first
 *     event is the command's own TASK_COMM with exec = 1 and the command's
 *     name (at most 15 characters of the file name, as in /proc/PID/comm).
 *     There is no TASK_FORK for the command: its pid is the one given to
 *     task_tracker_open(). An exec that fails produces no event at all.
 *
 *   - A new process (fork, vfork, clone without CLONE_THREAD):
 *     TASK_FORK with pid == tid == the new pid, ppid = the pid of the
 *     process that called fork, ptid = the thread that called it. Then,
 *     if it execs, TASK_COMM with exec = 1 and the new name. Then
 *     TASK_EXIT with pid == tid.
 *     `sh -c '/bin/true; /bin/true & wait'` gives: COMM(sh, exec) for the
 *     command, then for each /bin/true FORK(pid = child, ppid = sh),
 *     COMM(child, "true", exec), EXIT(child); last EXIT(sh).
 *
 *   - A new thread (clone with CLONE_THREAD, e.g. pthread_create):
 *     TASK_FORK with pid == ppid (the process), tid = the new thread,
 *     ptid = the creating thread; later TASK_EXIT with that pid and tid.
 *     So "pid == ppid && tid != pid" means a thread. A program with N
 *     threads gives N such FORKs, N EXITs, and the EXIT of tid == pid.
 *
 *   - TASK_EXIT comes for every thread, the main thread (tid == pid)
 *     included; it is written when the thread exits (before it is a
 *     zombie), not when it is reaped. In EXIT records ppid and ptid are
 *     both the pid of the task's parent process at that moment: after a
 *     double fork the orphan's EXIT names its new parent (pprobe as
 *     subreaper, or init), not the process that forked it. The main
 *     thread's EXIT is not necessarily the last of its process: when a
 *     multi-threaded process exits, its threads exit concurrently and
 *     their EXITs may come in any order; and pthread_join() returns
 *     before the joined thread's EXIT is written (the kernel wakes the
 *     joiner when it releases the thread's memory, earlier in exit), so
 *     even a process that joined all its threads may have its main
 *     thread's EXIT first. A process is gone once every tid it had has an
 *     EXIT, the main thread's included. For a process, the EXIT is
 *     written before the parent can reap it: a waitpid() that returned
 *     means the EXIT is in a ring.
 *
 *   - exec by a multi-threaded process: the kernel first ends every other
 *     thread: TASK_EXIT for each of them; then TASK_COMM (pid, tid = pid,
 *     exec = 1). If the thread that called exec was not the main thread,
 *     the main thread's TASK_EXIT (tid == pid) comes too, before the COMM,
 *     and the exec'ing thread takes over tid = pid: its old tid never gets
 *     an EXIT. So a consumer must read COMM with exec = 1 as "this pid
 *     lives on with exactly one thread, tid == pid", even after an EXIT
 *     of tid == pid, and forget every other tid of that pid.
 *
 *   - exec of a program that makes the process non-dumpable (set-user-id,
 *     set-group-id or file capabilities, run by a user who does not have
 *     those ids already, e.g. sudo or mount run as a user): the kernel
 *     detaches every perf event from the process at that exec. The
 *     consumer gets TASK_COMM (exec = 1, the program's name) and at once
 *     a TASK_EXIT, written at the exec, not when the process ends; then
 *     nothing more about that process or anything it starts. The same
 *     holds when the command itself is such a program. (The inherited
 *     counters of counters.c stop counting that subtree the same way.)
 *
 *   - TASK_LOST: the ring of `cpu` was full and `lost` records were
 *     dropped before `time_ns`. After a loss a consumer may see events of
 *     a task whose FORK it never saw, and miss EXITs: it should check
 *     what it believes against /proc or waitid(). task_tracker_lost()
 *     gives the exact total.
 *
 * ORDER. Each drain delivers the events in time order across CPUs, those
 * stamped more than 20 ms before the drain began; the rest wait for the
 * next drain. A record is stamped a moment before it is visible in its
 * ring (and a vCPU may be stalled in that moment): with the cut at the
 * drain itself, a FORK turned up after its child's EXIT had been
 * delivered from another CPU's ring on a loaded machine. Because the
 * kernel writes a FORK before the new task can run, a task's FORK then
 * comes before anything else about it, and its EXIT after everything
 * else, even across drains. Once the whole tree has been reaped,
 * task_tracker_drain_all() delivers everything that is left.
 *
 * PRIVILEGES. The event counts user mode only (exclude_kernel), which is
 * all that FORK/COMM/EXIT records need and what an unprivileged user may
 * open at perf_event_paranoid 2 on their own child. Rings are locked
 * memory: an unprivileged user has perf_event_mlock_kb (516 KiB by
 * default) per CPU plus RLIMIT_MEMLOCK, shared by all their perf sessions;
 * beyond it mmap fails and task_tracker_open() returns -EPERM.
 *
 * CGROUP MODE. When the command runs in a cgroup of its own (counting by
 * cgroup: see counters.h), task_tracker_open_cgroup() opens the event on
 * that cgroup instead, once per CPU, with no inherit: the kernel writes
 * the same records for every task inside, and the tree's tasks carry no
 * event of the tracker's. Each fork then copies one event less per CPU,
 * and each context switch has one less to schedule in and out: pipe
 * ping-pong, counted by cgroup, ran 1.36 times as long as bare with the
 * per-task event and 1.31 with this one, in the same rounds (1.68 and
 * 1.35 in another run; bench/switch_cost.sh). Everything above holds, with
 * these differences:
 *   - The event is on from the start: the held child must be in the
 *     cgroup already, and anything else in it is followed too.
 *   - A secure exec (above) detaches nothing here: the process and what
 *     it starts are followed to their end. The kernel still writes its
 *     EXIT at the exec; the tracker drops it (an EXIT of a main thread
 *     within 200 us of its exec's COMM, whose task runs on or ends with
 *     another EXIT). A process that ends within 200 us of its exec keeps
 *     its one EXIT; each such EXIT costs a read of /proc, at times of the
 *     rings too. Should the kernel take longer between the two (a stall),
 *     that EXIT comes through, and the task's events go on after it.
 *   - An exec that fails gives the command's EXIT, with no COMM before.
 *   - No POLLHUP: the event lives as long as the cgroup. Wait for the
 *     tree some other way (pprobe reaps it as a subreaper).
 *   - A task that leaves the cgroup (moved by root, or cloned into
 *     another with CLONE_INTO_CGROUP) is no longer followed.
 *
 * LIMITS. CPUs that come online after the tracker is opened have no event:
 * what the tree does on them is not seen. pid namespaces: pids are those
 * of pprobe's namespace.
 */
#ifndef PPROBE_TASK_TRACKER_H
#define PPROBE_TASK_TRACKER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Default ring size per CPU: 128 KiB holds about 3,200 records of 40
 * bytes, i.e. 1,600 short-lived processes (a FORK and an EXIT each) per
 * CPU between two drains. Measured on a 2-vCPU VM: one process forking
 * (fork + exit + wait) makes at most about 8,000 processes a second,
 * which a drain every 100 ms holds with twice the room; vfork() + _exit()
 * makes about 20,000 a second, which overflows a timer-only 100 ms drain
 * (up to a quarter of the records lost in our runs) but loses nothing when the
 * collector also drains on the half-full wakeup (see task_tracker_fd()).
 * 132 KiB per CPU of locked memory leaves most of an unprivileged user's
 * 516 KiB per CPU for the rest of pprobe and other perf sessions.
 */
#define TASK_TRACKER_DEFAULT_RING_BYTES (128u * 1024)

enum task_event_kind {
	TASK_FORK,  /* a process or thread was created */
	TASK_EXIT,  /* a thread (or a process's main thread) exited */
	TASK_COMM,  /* a task changed its name; exec = 1 when by exec */
	TASK_LOST,  /* records were dropped: the ring was full */
};

struct task_event {
	enum task_event_kind kind;
	uint64_t time_ns;   /* CLOCK_MONOTONIC, when the kernel wrote it */
	uint32_t pid, tid;  /* the task: process id, thread id */
	uint32_t ppid, ptid; /* FORK: the forking process and thread;
			      * EXIT: the parent process (both); else 0 */
	int exec;           /* COMM: 1 when the name changed by exec */
	char comm[16];      /* COMM: the new name, NUL-terminated; else "" */
	uint64_t lost;      /* LOST: how many records were dropped */
	uint32_t cpu;       /* the CPU whose ring held the record */
};

struct task_tracker_stats {
	uint64_t drains;      /* calls to task_tracker_drain() */
	uint64_t records;     /* records read from the rings, of every type */
	uint64_t events;      /* events delivered to callbacks */
	uint64_t lost_reported; /* sum of the LOST records read */
	uint64_t peak_fill;   /* most bytes found waiting in one ring */
	uint64_t last_records; /* records read by the last drain */
};

/* How many delivered events attach keeps to drop copies (see dedupe). */
#define TASK_TRACKER_RECENT 8

/*
 * How many exec COMMs cgroup mode keeps to spot the EXIT a secure exec
 * writes after one: more than can be delivered between the two.
 */
#define TASK_TRACKER_EXECS 16

/* Private to task_tracker.c: one CPU's event and ring; a queued event. */
struct task_ring;
struct task_pending;

/*
 * The rings of one process tree. The caller owns the storage; everything
 * it points to belongs to the tracker and is freed by
 * task_tracker_release(). Fields are read-only outside task_tracker.c.
 */
struct task_tracker {
	struct task_ring *rings;   /* one per online CPU */
	size_t nr_rings;
	int *extra_fds;            /* attach: events writing to the rings */
	size_t nr_extra_fds;
	size_t ring_bytes;         /* data bytes per ring, a power of 2 */
	int kernel_lost_count;     /* read(2) gives the lost count (6.0+) */

	struct task_pending *pending; /* read, waiting to be delivered */
	size_t nr_pending, alloc_pending;
	uint64_t seq;              /* read order, to sort stably */

	/*
	 * attach: a task created while its creator's events were being
	 * opened may hold some of them and then get its own as well, so its
	 * records can come twice, back to back in one ring. The events
	 * delivered last are kept to spot the second copy.
	 */
	int dedupe;
	struct task_event recent[TASK_TRACKER_RECENT];
	size_t nr_recent;          /* recent[nr_recent % ...] is replaced next */

	/*
	 * attach: the tasks given a FORK made up, their own not read in
	 * time. On a loaded machine the real one may still turn up, late:
	 * of the two, the one delivered second is dropped.
	 */
	struct task_made_up_fork {
		uint32_t tid;
		int delivered;     /* one of the two FORKs was */
	} *made_up_forks;
	size_t nr_made_up_forks;

	/* Following a cgroup (see CGROUP MODE): the execs delivered last. */
	int cgroup;
	struct task_exec {
		uint32_t tid;
		uint64_t time_ns;
	} execs[TASK_TRACKER_EXECS];
	size_t nr_execs;           /* execs[nr_execs % ...] is replaced next */

	struct task_tracker_stats stats;
};

/*
 * Opens the tracker on pid, a child that has not exec'd yet (held by
 * workload_prepare()): events start at its exec. ring_bytes_per_cpu is
 * rounded up to a power of two pages; 0 means
 * TASK_TRACKER_DEFAULT_RING_BYTES. Returns 0, or -errno with t released:
 * -EACCES/-EPERM from perf_event_open (paranoid, or not our process),
 * -EPERM from mmap (locked-memory budget exhausted: see above),
 * -ESRCH (pid gone), -EMFILE, -ENOMEM, -EINVAL (size too large).
 */
int task_tracker_open(struct task_tracker *t, pid_t pid,
		      size_t ring_bytes_per_cpu);

/*
 * Like task_tracker_open(), for a command counted by cgroup: one event
 * per CPU on the cgroup whose directory cgroup_fd is open (its
 * perf_event hierarchy), on at once, so the tree's tasks carry no perf
 * event of the tracker's at all. See CGROUP MODE above. Needs what
 * CPU-wide events need: CAP_PERFMON or root at perf_event_paranoid >= 1.
 */
int task_tracker_open_cgroup(struct task_tracker *t, int cgroup_fd,
			     size_t ring_bytes_per_cpu);

/*
 * Like task_tracker_open(), for processes that already run (`record -p`):
 * events are opened, enabled at once, on every thread of each of the nr
 * pids and of every process descending from them, found through
 * /proc/TID/task and /proc/TID/task/TID/children (rescanned until no new
 * task appears, since tasks may fork while we open); tasks that exit
 * meanwhile are skipped. That is one event per task per CPU: the file
 * descriptors needed grow with both. A task created by one already
 * followed is recognised by its FORK record and not opened again, unless
 * it was created while its creator's events (or the counters on_task
 * opens) were being opened, one CPU after another: it then holds only
 * some of them, and gets its own too. Such a task writes some records
 * twice, back to back; the second copy is dropped when drained. One that
 * has gone before the rescan finds it, with its EXIT written on a CPU
 * it held no event of, gets an EXIT made up at the end of the attach;
 * one whose FORK went that way gets a FORK made up before its first
 * record (should its own turn up late, from a stalled CPU, it is
 * dropped). Left: a task created while on_task opens its counters holds
 * some of them and is given all, so it counts the first ones twice (the
 * window is the few microseconds of those opens).
 *
 * on_task, when not NULL, is called for each task given an event of its
 * own, with its process, right after the event is open: the caller opens
 * its counters on it there, so that the tasks it counts directly are the
 * ones the tracker saw exist (the rest are inherited) and lists it, since
 * the tasks that existed are not announced by any event (a task created
 * during the attach may both be listed and have a FORK: treat a FORK of a
 * known tid as no news). It returns 0, or -errno to stop the attach.
 *
 * Returns 0 or -errno as task_tracker_open(), the error of on_task, and
 * -ESRCH when one of pids is gone.
 */
int task_tracker_attach(struct task_tracker *t, const pid_t *pids, size_t nr,
			size_t ring_bytes_per_cpu,
			int (*on_task)(pid_t pid, pid_t tid, void *arg), void *arg);

/*
 * The descriptors to poll(2) for POLLIN, one per ring, i from 0 to
 * task_tracker_nr_fds() - 1 (-1 outside). A ring's fd becomes readable
 * each time half its size has been written since the last wakeup, so a
 * collector that polls these beside its timer drains before a burst can
 * fill a ring: the collector must, or fast forkers overflow the rings.
 *
 * POLLHUP comes once the task the tracker was opened on and all its
 * descendants have exited (zombies count as exited), and then instead of
 * POLLIN even when records wait in the ring: drain on POLLHUP too, and
 * stop polling that fd, or poll() will not block any more. After
 * task_tracker_attach(), POLLHUP on a ring only means that the tasks its
 * own event was opened on are gone, while other tasks may still write
 * into it: drain on the timer from then on.
 */
size_t task_tracker_nr_fds(const struct task_tracker *t);
int task_tracker_fd(const struct task_tracker *t, size_t i);

/*
 * Reads every ring and calls fn once per event, in time order, for the
 * events timestamped before this call began (see ORDER above); the others
 * are kept for the next drain. fn returns 0 to go on; any other value
 * stops the drain, which returns that value, and the events not delivered
 * yet are kept for the next drain. fn is not NULL and must not call
 * back into t; ev is valid during the call only.
 * Returns 0, the value of fn that stopped it, -ENOMEM (the records not
 * read stay in the rings for the next try), or -EIO when a ring held a
 * malformed record (that ring's unread data is dropped; the other events
 * are still delivered).
 */
int task_tracker_drain(struct task_tracker *t,
		       int (*fn)(const struct task_event *ev, void *arg),
		       void *arg);

/*
 * The time before which every record is visible in its ring: what
 * task_tracker_drain() delivers up to. Other rings read with the same cut
 * (the sampler's) merge with these events in time order.
 */
uint64_t task_tracker_cut(void);

/* Like task_tracker_drain(), delivering the events stamped up to cut. */
int task_tracker_drain_to(struct task_tracker *t, uint64_t cut,
			  int (*fn)(const struct task_event *ev, void *arg),
			  void *arg);

/*
 * Like task_tracker_drain(), delivering every event read, whatever its
 * time: for the end, once the whole tree has been reaped and nothing can
 * be in flight any more.
 */
int task_tracker_drain_all(struct task_tracker *t,
			   int (*fn)(const struct task_event *ev, void *arg),
			   void *arg);

/*
 * How many records the kernel dropped so far because a ring was full.
 * Exact: read from the kernel's own per-event count (PERF_FORMAT_LOST,
 * Linux 6.0+), which includes drops no LOST record has reported yet (the
 * kernel writes one only with the next record that fits); on older
 * kernels, the sum of the LOST records read. Once the tree is reaped and
 * drained, FORK + COMM + EXIT events delivered + this = records written.
 * Costs one read(2) per event, each walking the tree's inherited copies
 * (microseconds per hundred tasks): once a second or at the end, not per
 * drain.
 */
uint64_t task_tracker_lost(const struct task_tracker *t);

/*
 * For tests of the decoder: a tracker that opens no event and reads nr
 * rings from memory the caller owns and fills, each laid out as the
 * kernel's (one page whose struct perf_event_mmap_page gives data_head
 * and data_tail, then ring_bytes of records, a power of two); ring i
 * stands for CPU i. Returns 0 or -EINVAL/-ENOMEM; release it as usual.
 */
int task_tracker_open_memory(struct task_tracker *t, void *const *rings,
			     size_t nr, size_t ring_bytes);

/* Closes every event and unmaps every ring. Safe to call twice. */
void task_tracker_release(struct task_tracker *t);

#endif /* PPROBE_TASK_TRACKER_H */

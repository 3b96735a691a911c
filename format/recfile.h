/*
 * recfile.h - the pprobe record file: its layout, and the API to write and
 * read it.
 *
 * This header is the one place the on-disk format is written down; the
 * writer (rec_writer.c) and the reader (rec_reader.c) implement exactly what
 * is described here, and docs/FORMAT.md repeats it for people writing their
 * own readers. Change the three together.
 *
 * A recording is a stream: a fixed header, then records until an END
 * record. Everything is little-endian, written and read through explicit
 * put/get helpers (never a host struct). Every record starts with the same
 * 8-byte frame, so a reader can skip record types it does not know. The
 * collector flushes the writer at least once a second (the writer has no
 * timer of its own) and the writer flushes only whole records, so a
 * recording cut off by a crash, kill -9 or a full disk can be read up to
 * its last complete record.
 *
 * File header (REC_HEADER_SIZE bytes at offset 0):
 *
 *   offset size  field
 *   ------ ----  -----------------------------------------------------------
 *        0    8  magic: 0x89 'P' 'P' 'R' 'O' 'B' 'E' '\n'. The high byte
 *                catches 7-bit transfers, the newline catches text-mode
 *                line-ending conversion (as in PNG).
 *        8    2  major version. A reader refuses a major it does not know.
 *       10    2  minor version. Bumped for backward-compatible additions
 *                (new record types, fields appended to a record); older
 *                readers of the same major read newer minors.
 *       12    4  header size in bytes, >= 16 and <= REC_MAX_SIZE. Records
 *                start at this offset; a reader skips header bytes it does
 *                not know.
 *
 * Record frame (REC_FRAME_SIZE bytes, then the payload):
 *
 *        0    4  type (enum rec_type)
 *        4    4  size of the whole record in bytes, frame included:
 *                REC_FRAME_SIZE <= size <= REC_MAX_SIZE
 *
 * Strings inside payloads ("str16"/"str32") are a u16 or u32 length L, then
 * L bytes, then one NUL byte that is not counted in L. The reader checks the
 * NUL, so decoded strings point straight into the record buffer.
 *
 * Timestamps are CLOCK_MONOTONIC nanoseconds, the clock named in the META
 * record; META also stores the same instant on CLOCK_REALTIME so a reader
 * can turn any timestamp into a date.
 *
 * Record payloads, by type:
 *
 * REC_META (1) - facts about the recording, a list of entries to the end of
 *   the payload. Each entry:
 *        0    1  kind (enum rec_meta_kind)
 *        1    1  reserved, 0
 *        2    2  key length K
 *        4  K+1  key bytes, then a NUL
 *      5+K    4  value size V
 *      9+K    V  value: 8 bytes for REC_META_U64 and REC_META_I64; for
 *                REC_META_STR the string and a NUL (V = length + 1).
 *                A reader skips a kind it does not know by V, so new
 *                kinds can come in a minor version.
 *   Keys the collector writes (readers must ignore keys they do not know):
 *     pprobe_version (str), argv (str, once per argument, in order),
 *     hostname (str), kernel_release (str), machine (str),
 *     cpus_online (u64), page_size (u64), clock (str, "CLOCK_MONOTONIC"),
 *     start_monotonic_ns (u64), start_realtime_ns (u64),
 *     interval_ns (u64), perf_event_paranoid (i64), label (str, optional),
 *     output (str, the path written, "-" for stdout).
 *
 * REC_EVENT (2) - one counter the recording asked for, once per event,
 *   before any record that refers to it:
 *        0    4  id: how COUNTS entries refer to this event
 *        4    4  group: events with the same group were opened as one
 *                perf group (read together, scheduled together, so
 *                with the same enabled and running times). pprobe puts
 *                software events and tracepoints in group 0, and each
 *                hardware event in a group of its own, numbered from 1
 *                in the order of the events, so that each is multiplexed
 *                on its own (earlier pprobes put all the hardware events
 *                in group 1): a reader compares them, nothing more
 *        8    4  perf_type (perf_event_attr.type)
 *       12    4  status (enum rec_event_status): what happened at open
 *       16    8  config (perf_event_attr.config)
 *       24    4  flags (REC_EVENT_F_*)
 *       28    4  error: the errno perf_event_open gave, 0 when it opened
 *       32    -  name (str16): as the user spells it, e.g. "task-clock"
 *        -    -  unit (str16): unit of the raw value, "ns" or "" (a count)
 *
 * REC_RUN_BEGIN (3) - the command was released to exec:
 *        0    8  time_ns: just before the command was let go
 *        8    4  run: index of this run in the file, from 0
 *       12    4  pid of the command
 *       16    4  flags (REC_RUN_F_*)
 *       20    4  variant: which of the file's VARIANT records this run
 *                ran (since 1.3; older files wrote 0 here, their only
 *                variant)
 *
 * REC_COUNTS (4) - counter values of the whole process tree at one instant:
 *        0    8  time_ns: when the counters were read
 *        8    4  run
 *       12    4  flags (REC_COUNTS_F_*)
 *       16    4  nr: number of entries that follow
 *       20    4  reserved, 0
 *       24 32*nr entries, each:
 *                0  4  event id
 *                4  4  reserved, 0
 *                8  8  value: raw count since the command's exec (not scaled)
 *               16  8  time_enabled_ns
 *               24  8  time_running_ns (0: the event was never counted)
 *   Values are cumulative; a rate is the difference of two COUNTS. Events
 *   that could not be opened have no entries.
 *
 * REC_RUN_END (5) - the command and every process of its tree ended:
 *        0    8  time_ns: when the last process of the tree was reaped
 *                (orphans the command left come to pprobe as subreaper)
 *        8    4  run
 *       12    4  pid of the command
 *       16    4  exit_kind (enum rec_exit_kind) of the command
 *       20    4  exit_code: its exit status, or the signal number
 *       24   72  rusage of the whole tree (the command, the descendants
 *                it waited for, and the orphans pprobe reaped), nine
 *                u64: utime_us, stime_us, maxrss_kib, minflt, majflt,
 *                nvcsw, nivcsw, inblock, oublock
 *
 * REC_END (6) - the recording is complete. Nothing follows it:
 *        0    8  time_ns
 *        8    8  records: number of records written before this one
 *
 * Since format 1.1 - the process tree and its memory. TASK, LOST and
 * PROC_EXIT carry no run number: they belong to the run of the last
 * RUN_BEGIN before them (pids can repeat across runs).
 *
 * REC_TASK (7) - a process or thread of the tree was born, exec'd, renamed
 *   or ended, as the kernel reported it (perf FORK, COMM and EXIT records):
 *        0    8  time_ns
 *        8    4  kind (enum rec_task_kind)
 *       12    4  pid: the process (thread group id)
 *       16    4  tid: the thread; tid == pid for a process's main thread
 *       20    4  ppid: FORK, the process that forked (for a new thread,
 *                the process itself); EXIT, the parent process of pid
 *                when the thread ended (after a reparent, pprobe or
 *                init); 0 otherwise
 *       24    4  ptid: FORK, the thread that forked; EXIT, the kernel
 *                repeats ppid here (a process id, not a thread); 0
 *                otherwise
 *       28    4  reserved, 0
 *       32    -  comm (str16): EXEC and COMM, the new name (the kernel
 *                keeps 15 bytes); "" otherwise
 *   A FORK whose pid equals its ppid is a new thread of that process.
 *   EXIT comes for every thread, the main thread (tid == pid) included,
 *   and the main thread's is not always the last of its process: a
 *   process has ended once every tid it had has an EXIT. An EXEC leaves
 *   the process with one thread, tid == pid, even after an EXIT of
 *   tid == pid (exec from another thread ends the main thread first).
 *
 * REC_LOST (8) - the kernel dropped task records (pprobe's ring was full):
 *        0    8  time_ns
 *        8    8  lost: how many records were dropped
 *       16    4  cpu whose ring overflowed
 *       20    4  reserved, 0
 *
 * REC_PROCS (9) - figures of the tree's live processes at one instant,
 *   read from /proc:
 *        0    8  time_ns
 *        8    4  run
 *       12    4  nr: entries that follow
 *       16    4  entry_size E: bytes per entry, >= 80. A newer minor
 *                version may append fields to each entry; a reader
 *                steps from entry to entry by E and reads the fields
 *                it knows from the front of each
 *       20    4  reserved, 0
 *       24  E*nr entries, each (88 bytes in this version, 80 in 1.1):
 *                0  4  pid
 *                4  4  have: which fields hold a value (REC_PROC_HAVE_*);
 *                      a field without its bit is written 0 and is not
 *                      a reading of 0
 *                8  8  utime_ns: user CPU time since the process began
 *               16  8  stime_ns: system CPU time, likewise
 *               24  8  minflt
 *               32  8  majflt
 *               40  8  nvcsw: voluntary context switches
 *               48  8  nivcsw: involuntary context switches
 *               56  8  rss_bytes
 *               64  8  hwm_bytes: the process's peak RSS so far
 *               72  4  threads
 *               76  4  flags (REC_PROC_F_*)
 *               80  8  migrations: moves to another CPU, the main
 *                      thread's (since 1.2; absent from 80-byte entries)
 *   CPU times and faults count all the process's threads, ended ones
 *   included; the kernel keeps CPU times in clock ticks (10 ms at
 *   USER_HZ 100). Context switches are per thread in /proc: `have` says
 *   whether they are summed over the live threads or the main thread's
 *   only. One record holds at most 190,649 entries of 88 bytes
 *   (REC_MAX_SIZE).
 *
 * REC_PROC_EXIT (10) - a process pprobe reaped itself (the command, or an
 *   orphan of the tree that came to pprobe as subreaper), as wait4() saw it:
 *        0    8  time_ns
 *        8    4  pid
 *       12    4  exit_kind (enum rec_exit_kind)
 *       16    4  exit_code: its exit status, or the signal number
 *       20    4  reserved, 0
 *       24   72  rusage of the process and the descendants it waited for,
 *                laid out as in RUN_END; maxrss_kib is the largest single
 *                process among them
 *
 * REC_MEM_SOURCE (11) - what one memory backend measures, written once per
 *   backend before its first MEM record:
 *        0    4  backend (enum rec_mem_backend)
 *        4    4  status (enum rec_mem_source_status): 0 recording,
 *                1 unavailable (no MEM records follow)
 *        8    4  error: the errno that made it unavailable, else 0
 *       12    4  reserved, 0
 *       16    -  source (str16): where the figure comes from, e.g.
 *                "cgroup v1 memory.max_usage_in_bytes"
 *        -    -  why (str16): when unavailable, the reason for a person;
 *                "" otherwise
 *
 * REC_MEM (12) - one memory backend's reading of the whole tree:
 *        0    8  time_ns
 *        8    4  run
 *       12    4  backend (enum rec_mem_backend)
 *       16    8  current_bytes: the figure at time_ns (0 for a backend
 *                that has none, such as rusage)
 *       24    8  peak_bytes: the backend's own peak since the run began,
 *                when it keeps one (REC_MEM_F_PEAK); else 0, and a reader
 *                takes the largest current_bytes
 *       32    4  processes: how many processes the figure sums over, 0
 *                when it is not a sum (cgroup, rusage)
 *       36    4  flags (REC_MEM_F_*)
 *
 * Since format 1.3 - repeated runs, CPU sets and per-CPU counts.
 *
 * REC_CPU_COUNTS (13) - the same reading as the COUNTS record written
 *   just before it (same time_ns and run), split by the CPU the tree ran
 *   on (`record --per-cpu`). Laid out exactly as COUNTS, except that the
 *   second u32 of each entry is the CPU:
 *        0    8  time_ns
 *        8    4  run
 *       12    4  flags (REC_COUNTS_F_*)
 *       16    4  nr: entries that follow
 *       20    4  reserved, 0
 *       24 32*nr entries: event id, cpu, value, time_enabled_ns,
 *                time_running_ns
 *   A CPU where nothing of the tree ran still has its entries (value 0).
 *   Counting per cgroup, the COUNTS value is the sum over the CPUs;
 *   counting per task, the total is a counter of its own, read just
 *   before the per-CPU ones, so their sum can be a little behind it.
 *
 * REC_VARIANT (14) - what the runs of one variant ran: the command and
 *   the CPUs it was pinned to. A file runs one or more variants, N times
 *   each (`record -r N`; runs of several commands interleaved; `pprobe
 *   scale`, a variant per CPU count). Every VARIANT comes before the first
 *   RUN_BEGIN that names it; a file without any ran one variant, 0, whose
 *   command is META's argv:
 *        0    4  variant: its index, from 0
 *        4    4  nr_args: the command's arguments that follow
 *        8    4  nr_cpus: how many CPUs the command was pinned to, 0 when
 *                it was not pinned
 *       12    4  reserved, 0
 *       16    -  label (str16): how reports name it, e.g. "2 CPUs"
 *        -    -  cpus (str16): the pinned CPUs as the kernel writes
 *                lists ("0-3,8"), "" when not pinned
 *        -    -  nr_args arguments (str32 each), argv[0] first
 *
 * Since format 1.4 - a server recorded under load (`record --load`).
 *
 * REC_LOAD (15) - the load command pprobe ran against the recorded command
 *   (not part of the recording: its processes are not counted). Written
 *   when the load starts (kind BEGIN) and when it has ended (kind END),
 *   each right after a COUNTS record with the same time_ns and run, so
 *   the counters of the load window are the difference of those two:
 *        0    8  time_ns
 *        8    4  run
 *       12    4  kind (enum rec_load_kind)
 *       16    4  pid of the load command
 *       20    4  flags (REC_LOAD_F_*)
 *       24    4  exit_kind (enum rec_exit_kind), END only; else 0
 *       28    4  exit_code, END only; else 0
 *       32    8  requests: END with REC_LOAD_F_REQUESTS, how many
 *                requests the load said it made ("8000 requests" or
 *                "requests: 8000" in its output); else 0
 *       40   72  rusage of the load command and what it waited for, laid
 *                out as in RUN_END; END only, else all 0
 *      112    -  command (str32): the load command, run by /bin/sh -c
 *        -    -  output (str32): END, what the load wrote to stdout and
 *                stderr, its last 64 KiB at most; "" at BEGIN
 *   A run has at most one load. A BEGIN without an END (the file was
 *   cut off, or the load was still running when the recording ended)
 *   has no window.
 *
 * Since format 1.5 - where the time goes (`record -F HZ`, `-g`).
 *
 * REC_MMAP (16) - a process of the tree mapped a file, or anonymous
 *   memory, executable (perf MMAP2 records). Like TASK it carries no run
 *   number, and TASK, MMAP and SAMPLE records of a run are written in
 *   time order among themselves, so a reader replaying them knows each
 *   process's mappings when a sample comes: a FORK'd process starts
 *   with its parent's mappings, an EXEC starts it with none.
 *        0    8  time_ns
 *        8    4  pid
 *       12    4  tid
 *       16    8  start: the first address mapped
 *       24    8  len
 *       32    8  pgoff: the file offset mapped at start
 *       40    4  prot (PROT_* of mmap(2))
 *       44    4  flags (REC_MMAP_F_*)
 *       48    8  dev of the file (major << 32 | minor), REC_MMAP_F_STAT
 *       56    8  ino, REC_MMAP_F_STAT
 *       64    8  size of the file in bytes when recorded, REC_MMAP_F_STAT
 *       72    8  mtime of the file in ns since the epoch, REC_MMAP_F_STAT
 *       80    1  build_id_size, REC_MMAP_F_BUILD_ID (at most 20)
 *       81    3  reserved, 0
 *       84   20  build_id, the first build_id_size bytes
 *      104    -  filename (str16): the path, or the kernel's name for
 *                what is not a file ("[vdso]", "//anon", "[stack]")
 *
 * REC_SAMPLE (17) - the instruction pointer of a thread of the tree,
 *   sampled on its CPU clock, and with `-g` its callers:
 *        0    8  time_ns
 *        8    4  pid
 *       12    4  tid
 *       16    4  cpu
 *       20    2  nr: addresses that follow, at least 1
 *       22    2  nr_kernel: the first nr_kernel addresses are in the
 *                kernel; the rest are the process's
 *       24 8*nr  addresses: the one sampled, then its callers, innermost
 *                first (return addresses, as the kernel walked the
 *                frame pointers)
 *
 * REC_SAMPLING (18) - how the tree was sampled, once per run right after
 *   its RUN_BEGIN (kind BEGIN), and the totals once it ended (kind END,
 *   before its RUN_END):
 *        0    8  time_ns
 *        8    4  run
 *       12    4  kind (enum rec_sampling_kind)
 *       16    4  status (enum rec_sampling_status), BEGIN; else 0
 *       20    4  frequency asked for, in samples per second of CPU time
 *       24    4  flags (REC_SAMPLING_F_*)
 *       28    4  error: BEGIN when unavailable, the errno; else 0
 *       32    8  samples: END, SAMPLE records written in the run
 *       40    8  lost: END, samples the kernel dropped (ring full)
 *       48    8  throttled: END, times the kernel slowed the sampling
 *                down (perf_event_max_sample_rate)
 *       56    -  boot_id (str16): /proc/sys/kernel/random/boot_id at
 *                BEGIN, so a report knows whether /proc/kallsyms and the
 *                vDSO it can read are the recording's; "" at END
 *        -    -  why (str16): BEGIN when unavailable, what to do; else ""
 *
 * A file without an END record was cut off: readers report what they have
 * and say so (REC_ERR_TRUNCATED from rec_reader_next()).
 */
#ifndef PPROBE_RECFILE_H
#define PPROBE_RECFILE_H

#include <stddef.h>
#include <stdint.h>

#define REC_MAGIC "\x89PPROBE\n"
#define REC_MAGIC_SIZE 8
#define REC_VERSION_MAJOR 1
#define REC_VERSION_MINOR 5
#define REC_HEADER_SIZE 16
#define REC_FRAME_SIZE 8
/* Larger frames are corrupt, not merely cut off: no record is this big. */
#define REC_MAX_SIZE (16u << 20)

enum rec_type {
	REC_META = 1,
	REC_EVENT = 2,
	REC_RUN_BEGIN = 3,
	REC_COUNTS = 4,
	REC_RUN_END = 5,
	REC_END = 6,
	REC_TASK = 7,
	REC_LOST = 8,
	REC_PROCS = 9,
	REC_PROC_EXIT = 10,
	REC_MEM_SOURCE = 11,
	REC_MEM = 12,
	REC_CPU_COUNTS = 13,
	REC_VARIANT = 14,
	REC_LOAD = 15,
	REC_MMAP = 16,
	REC_SAMPLE = 17,
	REC_SAMPLING = 18,
};

enum rec_load_kind {
	REC_LOAD_BEGIN = 1, /* the load command was let go */
	REC_LOAD_END = 2,   /* it ended and was reaped */
};

/* Flags of REC_LOAD. */
#define REC_LOAD_F_REQUESTS (1u << 0) /* requests holds the load's count */
/* END: pprobe stopped the load itself (the recorded command ended
 * first, or the recording was stopped) */
#define REC_LOAD_F_STOPPED  (1u << 1)

enum rec_sampling_kind {
	REC_SAMPLING_BEGIN = 1, /* the run's sampling was set up (or not) */
	REC_SAMPLING_END = 2,   /* its totals */
};

enum rec_sampling_status {
	REC_SAMPLING_RECORDING = 0,   /* MMAP and SAMPLE records follow */
	REC_SAMPLING_UNAVAILABLE = 1, /* none follow: see error and why */
};

/* Flags of REC_SAMPLING. */
#define REC_SAMPLING_F_CALLCHAIN (1u << 0) /* -g: samples carry callers */
/* The kernel side was not sampled: perf_event_paranoid allows user
 * mode only, and pprobe fell back to it. */
#define REC_SAMPLING_F_USER_ONLY (1u << 1)
/* MMAP records of files carry the kernel's build-ids */
#define REC_SAMPLING_F_BUILD_ID  (1u << 2)

/* Flags of REC_MMAP. */
#define REC_MMAP_F_BUILD_ID (1u << 0) /* build_id holds the file's */
#define REC_MMAP_F_STAT     (1u << 1) /* dev, ino, size, mtime_ns hold it */

#define REC_BUILD_ID_MAX 20
/* The most addresses a SAMPLE holds (the kernel stops at 127 frames per
 * context by default: perf_event_max_stack). */
#define REC_SAMPLE_MAX_ADDRS 1024

enum rec_task_kind {
	REC_TASK_FORK = 1,  /* a new process, or a new thread (pid == ppid) */
	REC_TASK_EXEC = 2,  /* the task exec'd; comm is the new program */
	REC_TASK_COMM = 3,  /* renamed without exec (prctl PR_SET_NAME) */
	/* The thread ended. tid == pid is the main thread, which is not
	 * always the last thread of its process to end. */
	REC_TASK_EXIT = 4,
	/* Since 1.2: the task already ran when pprobe attached to it
	 * (`record -p`). ppid is its parent then, comm its name. */
	REC_TASK_PRESENT = 5,
};

/* Which fields of a REC_PROCS entry hold a value. */
#define REC_PROC_HAVE_CPU     (1u << 0) /* utime_ns, stime_ns */
#define REC_PROC_HAVE_FAULTS  (1u << 1) /* minflt, majflt */
/* nvcsw, nivcsw summed over the threads alive at the read (threads that
 * ended are in no /proc file until the process is reaped) */
#define REC_PROC_HAVE_CTXSW   (1u << 2)
#define REC_PROC_HAVE_RSS     (1u << 3)
#define REC_PROC_HAVE_HWM     (1u << 4)
#define REC_PROC_HAVE_THREADS (1u << 5)
/* nvcsw, nivcsw of the main thread only (other threads not read) */
#define REC_PROC_HAVE_CTXSW_MAIN (1u << 6)
/* migrations, of the main thread (since 1.2) */
#define REC_PROC_HAVE_MIGRATIONS (1u << 7)

/* Bytes per REC_PROCS entry written by this version, and the fewest any
 * version writes (1.1). */
#define REC_PROC_ENTRY_SIZE 88
#define REC_PROC_ENTRY_MIN 80

/* Flags of a REC_PROCS entry. */
#define REC_PROC_F_FINAL (1u << 0) /* read as it ended, before it was reaped */

enum rec_mem_backend {
	REC_MEM_RSS = 1,    /* sum of RSS over the tree's processes */
	REC_MEM_PSS = 2,    /* sum of PSS (smaps_rollup) */
	REC_MEM_HWM = 3,    /* sum of per-process high-water marks */
	REC_MEM_CGROUP = 4, /* the tree's own cgroup */
	REC_MEM_RUSAGE = 5, /* ru_maxrss of the reaped tree */
};

enum rec_mem_source_status {
	REC_MEM_SOURCE_RECORDING = 0,   /* MEM records of this backend follow */
	REC_MEM_SOURCE_UNAVAILABLE = 1, /* none follow: see error and why */
};

/* Flags of REC_MEM. */
#define REC_MEM_F_PEAK  (1u << 0) /* peak_bytes is the backend's own peak */
#define REC_MEM_F_FINAL (1u << 1) /* read after the whole tree ended */

enum rec_meta_kind {
	REC_META_U64 = 1,
	REC_META_I64 = 2,
	REC_META_STR = 3,
};

enum rec_event_status {
	REC_EVENT_OPENED = 0,        /* counting */
	REC_EVENT_NOT_SUPPORTED = 1, /* ENOENT/EOPNOTSUPP/ENODEV: not on this machine */
	REC_EVENT_NOT_PERMITTED = 2, /* EACCES/EPERM even after falling back */
	REC_EVENT_FAILED = 3,        /* any other errno, see error */
};

/* Flags of REC_EVENT. */
#define REC_EVENT_F_EXCLUDE_USER   (1u << 0) /* asked for :k */
#define REC_EVENT_F_EXCLUDE_KERNEL (1u << 1) /* kernel side not counted */
#define REC_EVENT_F_EXCLUDE_HV     (1u << 2)
/* exclude_kernel was not asked for: it was the fallback after EACCES. */
#define REC_EVENT_F_USER_FALLBACK  (1u << 3)

/* Flags of REC_RUN_BEGIN. */
#define REC_RUN_F_WARMUP (1u << 0) /* a warm-up run, not part of the figures */

/* Flags of REC_COUNTS. */
#define REC_COUNTS_F_FINAL (1u << 0) /* read after the command was reaped */

enum rec_exit_kind {
	REC_EXIT_NORMAL = 1, /* exit_code is the exit status */
	REC_EXIT_SIGNAL = 2, /* exit_code is the signal that killed it */
	/* Since 1.2, RUN_END only: pprobe attached to running processes
	 * (`record -p`) and is not their parent. No exit status (exit_code
	 * is 0) and no rusage (all 0): the run ended when they exited or
	 * when pprobe stopped watching them, which the report cannot tell
	 * apart. */
	REC_EXIT_ATTACHED = 3,
};

/* ---- Decoded records. Strings point into the reader's buffer. ---- */

struct rec_meta_entry {
	enum rec_meta_kind kind;
	const char *key;   /* NUL-terminated */
	uint64_t u64;      /* REC_META_U64 */
	int64_t i64;       /* REC_META_I64 */
	const char *str;   /* REC_META_STR, NUL-terminated */
	size_t str_len;
	/* The raw value, for a kind this reader does not know. */
	const unsigned char *value;
	size_t value_size;
};

struct rec_event {
	uint32_t id;
	uint32_t group;
	uint32_t perf_type;
	uint32_t status;   /* enum rec_event_status */
	uint64_t config;
	uint32_t flags;    /* REC_EVENT_F_* */
	int32_t error;     /* errno at open, 0 when opened */
	const char *name;  /* never NULL */
	const char *unit;  /* never NULL, "" for a plain count */
};

struct rec_run_begin {
	uint64_t time_ns;
	uint32_t run;
	uint32_t pid;
	uint32_t flags;    /* REC_RUN_F_* */
	uint32_t variant;  /* since 1.3; 0 before */
};

struct rec_count {
	uint32_t event_id;
	uint64_t value;
	uint64_t enabled_ns;
	uint64_t running_ns;
};

struct rec_variant {
	uint32_t variant;
	uint32_t nr_args;
	uint32_t nr_cpus;  /* 0: not pinned */
	const char *label; /* never NULL after decoding */
	const char *cpus;  /* never NULL after decoding; "" when not pinned */
	/* The arguments, checked by the decoder: rec_variant_arg(). */
	const unsigned char *args;
	size_t args_size;
};

/*
 * A COUNTS or CPU_COUNTS record as decoded: the entries stay in the record buffer and are
 * read one at a time with rec_counts_get().
 */
struct rec_counts {
	uint64_t time_ns;
	uint32_t run;
	uint32_t flags;    /* REC_COUNTS_F_* */
	uint32_t nr;
	const unsigned char *entries; /* nr * 32 bytes, private to the decoder */
};

struct rec_rusage {
	uint64_t utime_us, stime_us, maxrss_kib;
	uint64_t minflt, majflt, nvcsw, nivcsw, inblock, oublock;
};

struct rec_run_end {
	uint64_t time_ns;
	uint32_t run;
	uint32_t pid;
	uint32_t exit_kind; /* enum rec_exit_kind */
	int32_t exit_code;
	struct rec_rusage rusage;
};

struct rec_end {
	uint64_t time_ns;
	uint64_t records;
};

struct rec_task {
	uint64_t time_ns;
	uint32_t kind;     /* enum rec_task_kind */
	uint32_t pid, tid;
	uint32_t ppid, ptid;
	const char *comm;  /* never NULL after decoding; "" when none */
};

struct rec_lost {
	uint64_t time_ns;
	uint64_t lost;
	uint32_t cpu;
};

/* One process in a REC_PROCS record. */
struct rec_proc {
	uint32_t pid;
	uint32_t have;     /* REC_PROC_HAVE_* */
	uint64_t utime_ns, stime_ns;
	uint64_t minflt, majflt;
	uint64_t nvcsw, nivcsw;
	uint64_t rss_bytes, hwm_bytes;
	uint32_t threads;
	uint32_t flags;    /* REC_PROC_F_* */
	uint64_t migrations;
};

/* A REC_PROCS record as decoded; entries are read with rec_procs_get(). */
struct rec_procs {
	uint64_t time_ns;
	uint32_t run;
	uint32_t nr;
	uint32_t entry_size;          /* >= 80, private to the decoder */
	const unsigned char *entries; /* nr * entry_size bytes, likewise */
};

struct rec_proc_exit {
	uint64_t time_ns;
	uint32_t pid;
	uint32_t exit_kind; /* enum rec_exit_kind */
	int32_t exit_code;
	struct rec_rusage rusage;
};

struct rec_mem_source {
	uint32_t backend;  /* enum rec_mem_backend */
	uint32_t status;   /* enum rec_mem_source_status */
	int32_t error;     /* errno when unavailable */
	const char *source; /* never NULL after decoding */
	const char *why;    /* never NULL after decoding; "" when recording */
};

struct rec_mem {
	uint64_t time_ns;
	uint32_t run;
	uint32_t backend;  /* enum rec_mem_backend */
	uint64_t current_bytes;
	uint64_t peak_bytes;
	uint32_t processes;
	uint32_t flags;    /* REC_MEM_F_* */
};

struct rec_load {
	uint64_t time_ns;
	uint32_t run;
	uint32_t kind;      /* enum rec_load_kind */
	uint32_t pid;
	uint32_t flags;     /* REC_LOAD_F_* */
	uint32_t exit_kind; /* END: enum rec_exit_kind */
	int32_t exit_code;
	uint64_t requests;
	struct rec_rusage rusage;
	const char *command; /* never NULL after decoding */
	const char *output;  /* never NULL after decoding; "" at BEGIN */
};

struct rec_sampling {
	uint64_t time_ns;
	uint32_t run;
	uint32_t kind;      /* enum rec_sampling_kind */
	uint32_t status;    /* enum rec_sampling_status */
	uint32_t frequency;
	uint32_t flags;     /* REC_SAMPLING_F_* */
	int32_t error;
	uint64_t samples, lost, throttled;
	const char *boot_id; /* never NULL after decoding */
	const char *why;     /* never NULL after decoding */
};

struct rec_mmap {
	uint64_t time_ns;
	uint32_t pid, tid;
	uint64_t start, len, pgoff;
	uint32_t prot;
	uint32_t flags;     /* REC_MMAP_F_* */
	uint64_t dev, ino, size, mtime_ns;
	uint8_t build_id_size;
	unsigned char build_id[REC_BUILD_ID_MAX];
	const char *filename; /* never NULL after decoding */
};

struct rec_sample {
	uint64_t time_ns;
	uint32_t pid, tid, cpu;
	uint16_t nr, nr_kernel;
	/* Decoding: the nr addresses as stored (8 bytes each, unaligned):
	 * read them with rec_sample_addr(). */
	const unsigned char *addrs;
};

/* ---- Writing ---- */

/*
 * A writer appends records to a file descriptor through a memory buffer.
 * Nothing reaches the fd until rec_writer_flush(), or until the buffer is
 * past its flush threshold when a record ends; so a caller can build the
 * start of a file and drop it (rec_writer_discard) if the command cannot
 * run.
 *
 * Errors are sticky: the first failed write(2) is kept in `error` (a
 * positive errno) and every later call does nothing and returns -error.
 * `flushed` bytes are on the fd, and they always end on a record boundary
 * unless write(2) itself failed part-way. The writer does not touch
 * SIGPIPE: a caller writing to a pipe ignores it to get -EPIPE instead.
 *
 * A record that cannot be built (no memory, or larger than REC_MAX_SIZE)
 * is not an error of the stream: rec_finish() drops that one record,
 * returns -ENOMEM or -EMSGSIZE, and the writer goes on.
 */
struct rec_writer {
	int fd;                 /* not owned: the caller closes it */
	unsigned char *buf;     /* never NULL between init and release */
	size_t len, alloc;
	size_t record_start;    /* offset in buf of the open record, or SIZE_MAX */
	uint64_t flushed;       /* bytes written to fd so far */
	uint64_t records;       /* complete records written so far (buffered
				 * or flushed): what END counts */
	int error;              /* 0, or the errno of the first failure */
	int record_error;       /* 0, or ENOMEM/EMSGSIZE: the open record
				 * cannot be built and rec_finish() drops it */
	/*
	 * Set by the caller while the start of a file may yet be dropped
	 * (rec_writer_discard): rec_finish() then never flushes on its own,
	 * whatever the buffer holds; rec_writer_flush() still does.
	 */
	int hold;
};

/* rec_finish() flushes once the buffer holds more than this many bytes. */
#define REC_WRITER_FLUSH_SIZE (64u << 10)

/* Starts a file: the header goes into the buffer. Returns 0 or -ENOMEM. */
int rec_writer_init(struct rec_writer *w, int fd);
/* Frees the buffer without flushing it. Does not close the fd. */
void rec_writer_release(struct rec_writer *w);
/*
 * Writes out the buffer up to the last complete record (an open record
 * stays buffered). Returns 0 or -errno (sticky, see above).
 */
int rec_writer_flush(struct rec_writer *w);
/*
 * Forgets everything buffered and not yet flushed, the open record
 * included, and takes `records` back to what was flushed: the writer is as
 * it was after the last flush, or after rec_writer_init() if nothing was
 * flushed (the header is then buffered again, so a writer that goes on
 * still makes a well-formed file).
 */
void rec_writer_discard(struct rec_writer *w);

/*
 * Building a record by hand: rec_begin(), then the put calls, then
 * rec_finish(), which writes the frame's size. The typed writers below are
 * built on these; use them for new record types. The put calls never fail
 * on their own: a failure is remembered and reported by rec_finish().
 * A NULL string is written as "". A string too long for its length field
 * makes the record fail with -EMSGSIZE.
 */
void rec_begin(struct rec_writer *w, uint32_t type);
void rec_put_u8(struct rec_writer *w, uint8_t v);
void rec_put_u16(struct rec_writer *w, uint16_t v);
void rec_put_u32(struct rec_writer *w, uint32_t v);
void rec_put_u64(struct rec_writer *w, uint64_t v);
void rec_put_str16(struct rec_writer *w, const char *s);
void rec_put_str32(struct rec_writer *w, const char *s);
/*
 * Returns 0 or -errno: -ENOMEM or -EMSGSIZE (this record was dropped, the
 * writer goes on), or a sticky write error (from the flush done here once
 * the buffer holds more than REC_WRITER_FLUSH_SIZE).
 */
int rec_finish(struct rec_writer *w);

/* META: rec_meta_begin(), any number of entries, rec_finish(). */
void rec_meta_begin(struct rec_writer *w);
void rec_meta_u64(struct rec_writer *w, const char *key, uint64_t v);
void rec_meta_i64(struct rec_writer *w, const char *key, int64_t v);
void rec_meta_str(struct rec_writer *w, const char *key, const char *v);

/*
 * Typed writers: one whole record each. Return 0 or -errno, as
 * rec_finish(). rec_write_end() does not flush: call rec_writer_flush().
 */
int rec_write_event(struct rec_writer *w, const struct rec_event *e);
int rec_write_run_begin(struct rec_writer *w, const struct rec_run_begin *b);
int rec_write_counts(struct rec_writer *w, uint64_t time_ns, uint32_t run,
		     uint32_t flags, const struct rec_count *values, uint32_t nr);
int rec_write_run_end(struct rec_writer *w, const struct rec_run_end *e);
int rec_write_end(struct rec_writer *w, uint64_t time_ns);
int rec_write_task(struct rec_writer *w, const struct rec_task *t);
int rec_write_lost(struct rec_writer *w, const struct rec_lost *l);
int rec_write_procs(struct rec_writer *w, uint64_t time_ns, uint32_t run,
		    const struct rec_proc *procs, uint32_t nr);
int rec_write_proc_exit(struct rec_writer *w, const struct rec_proc_exit *e);
int rec_write_mem_source(struct rec_writer *w, const struct rec_mem_source *m);
int rec_write_mem(struct rec_writer *w, const struct rec_mem *m);
/* As rec_write_counts(), values[i] counted on CPU cpus[i]. */
int rec_write_cpu_counts(struct rec_writer *w, uint64_t time_ns, uint32_t run,
			 uint32_t flags, const struct rec_count *values,
			 const uint32_t *cpus, uint32_t nr);
/* argv: v->nr_args strings; v->args is not used. */
int rec_write_variant(struct rec_writer *w, const struct rec_variant *v,
		      const char *const *argv);
int rec_write_load(struct rec_writer *w, const struct rec_load *l);
int rec_write_sampling(struct rec_writer *w, const struct rec_sampling *s);
/*
 * This machine's boot id (/proc/sys/kernel/random/boot_id) into buf, what
 * SAMPLING records and what a reader compares it with; "" when it cannot
 * be read.
 */
void rec_boot_id(char *buf, size_t size);
int rec_write_mmap(struct rec_writer *w, const struct rec_mmap *m);
/* s->nr addresses from addrs (s->addrs is not used). */
int rec_write_sample(struct rec_writer *w, const struct rec_sample *s,
		     const uint64_t *addrs);

/* ---- Reading ---- */

enum rec_status {
	REC_OK = 0,          /* a record was returned */
	REC_DONE,            /* the END record was read: the file is complete */
	REC_ERR_IO,          /* read(2) failed; errno in reader.error */
	REC_ERR_NOT_PPROBE,  /* the file does not start with the magic */
	REC_ERR_VERSION,     /* a major version this reader does not know */
	REC_ERR_TRUNCATED,   /* the file ends inside the header or a record,
			      * or without an END record */
	REC_ERR_CORRUPT,     /* a frame or payload that cannot be right */
};

/* A short lowercase description of a status, e.g. "file is cut off". */
const char *rec_strerror(enum rec_status status);

/* One record, as returned by rec_reader_next(). */
struct rec {
	uint32_t type;
	uint32_t size;                 /* whole record, frame included */
	uint64_t offset;               /* of the frame in the file */
	const unsigned char *payload;  /* size - REC_FRAME_SIZE bytes; valid
					* until the next rec_reader_next() */
	size_t payload_size;
};

/*
 * A reader pulls records one at a time from a file descriptor (a file or a
 * pipe: it never seeks), holding one buffer, so memory does not grow with
 * the file: the buffer grows to the largest record seen, never past
 * REC_MAX_SIZE. It reads only when the record it is on is not all
 * buffered, so on a pipe it returns each record as soon as it has arrived,
 * and it reads nothing after the END record. The fd must be blocking.
 *
 * After an error status, `offset` is where the problem is and `detail`
 * says what it is, e.g. "record size 4 is smaller than its 8-byte frame".
 * The offset is the start of the piece that is wrong or cut off: 0 for the
 * header, the frame of a bad or cut-off record, or the end of the file
 * when it ends between records without an END record. The bad piece is not
 * consumed, so `offset` is also where the good data ends, and calling
 * rec_reader_next() again returns the same status.
 */
struct rec_reader {
	int fd;                  /* not owned */
	unsigned char *buf;
	size_t start, end, alloc; /* unread bytes are buf[start..end) */
	int eof;                 /* read(2) returned 0 */
	uint64_t offset;         /* file offset of the next unread byte */
	uint16_t major, minor;   /* from the header (set even for
				  * REC_ERR_VERSION) */
	uint64_t records;        /* records returned so far, END not counted */
	int error;               /* errno for REC_ERR_IO */
	char detail[160];        /* for any error status */
	struct rec_end end_record; /* the END record, once REC_DONE was
				    * returned; `offset` is then its frame */
};

/*
 * Reads and checks the header. Returns REC_OK, or an error status with
 * `offset` and `detail` set. Call rec_reader_release() in every case.
 */
enum rec_status rec_reader_open(struct rec_reader *r, int fd);
void rec_reader_release(struct rec_reader *r);
/*
 * The next record: REC_OK with *rec filled, REC_DONE after the END record
 * (which is not returned as a record: its fields are in r->end_record), or
 * an error status. A record of an unknown type is returned as it is:
 * callers skip types they do not know. After REC_DONE, REC_ERR_TRUNCATED
 * or REC_ERR_CORRUPT, later calls return the same status again without
 * reading; after REC_ERR_IO they try the read again. An END record too
 * short to decode is REC_ERR_CORRUPT. A failed allocation is REC_ERR_IO
 * with error ENOMEM.
 */
enum rec_status rec_reader_next(struct rec_reader *r, struct rec *rec);

/*
 * Decoders: fill *out from rec's payload. Each returns 0, or -1 when the
 * payload is too short or malformed, or rec is not of that type (the
 * caller reports REC_ERR_CORRUPT at rec->offset). Fields appended by a
 * newer minor version are ignored. Strings are checked: their length
 * within the payload and their NUL in place.
 */
int rec_decode_event(const struct rec *rec, struct rec_event *out);
int rec_decode_run_begin(const struct rec *rec, struct rec_run_begin *out);
int rec_decode_counts(const struct rec *rec, struct rec_counts *out);
/* Entry i < c->nr of a decoded COUNTS or CPU_COUNTS record. */
void rec_counts_get(const struct rec_counts *c, uint32_t i, struct rec_count *out);
/* The CPU of entry i < c->nr of a decoded CPU_COUNTS record. */
uint32_t rec_counts_cpu(const struct rec_counts *c, uint32_t i);
int rec_decode_cpu_counts(const struct rec *rec, struct rec_counts *out);
int rec_decode_variant(const struct rec *rec, struct rec_variant *out);
/*
 * The arguments of a decoded VARIANT, one at a time: set *pos to 0, then
 * call until it returns NULL.
 */
const char *rec_variant_arg(const struct rec_variant *v, size_t *pos);
int rec_decode_run_end(const struct rec *rec, struct rec_run_end *out);
int rec_decode_end(const struct rec *rec, struct rec_end *out);
int rec_decode_task(const struct rec *rec, struct rec_task *out);
int rec_decode_lost(const struct rec *rec, struct rec_lost *out);
int rec_decode_procs(const struct rec *rec, struct rec_procs *out);
/* Entry i < p->nr of a decoded PROCS record. */
void rec_procs_get(const struct rec_procs *p, uint32_t i, struct rec_proc *out);
int rec_decode_proc_exit(const struct rec *rec, struct rec_proc_exit *out);
int rec_decode_mem_source(const struct rec *rec, struct rec_mem_source *out);
int rec_decode_mem(const struct rec *rec, struct rec_mem *out);
int rec_decode_load(const struct rec *rec, struct rec_load *out);
int rec_decode_sampling(const struct rec *rec, struct rec_sampling *out);
int rec_decode_mmap(const struct rec *rec, struct rec_mmap *out);
/* Fails when nr is 0, nr_kernel > nr, or the addresses are not all
 * there. */
int rec_decode_sample(const struct rec *rec, struct rec_sample *out);
/* Address i (< s->nr) of a decoded sample. */
uint64_t rec_sample_addr(const struct rec_sample *s, size_t i);

/*
 * META entries, one at a time: set *pos to 0, then call until it returns 0
 * (no more entries) or -1 (malformed, or not a META record). Returns 1 with
 * *out filled; fields that do not belong to out->kind are 0 or NULL. An
 * entry of a kind this reader does not know is returned too, with only
 * key, value and value_size set: callers skip kinds they do not know.
 */
int rec_meta_next(const struct rec *rec, size_t *pos, struct rec_meta_entry *out);

#endif /* PPROBE_RECFILE_H */

/*
 * counters.h - the perf counters of one process tree.
 *
 * Events are opened on the held command's pid with inherit (so every
 * thread, child and grandchild is counted and read back as one total),
 * or, attaching to a running tree, on each of its tasks (see
 * counter_set_attach()), or per CPU on a cgroup (counter_set_open_cgroup()).
 *
 * Software events and tracepoints share one perf group: the kernel counts
 * them without limit, so they are always scheduled together and one
 * read(2) (PERF_FORMAT_GROUP) fetches them all. Each hardware event is a
 * group of its own, as perf stat makes them: a group is scheduled on the
 * PMU all or nothing, so one larger than the PMU's counters would never
 * count at all, where single events are multiplexed one by one when there
 * are more than counters. Each group is read with its time enabled and
 * running, from which the report scales a multiplexed value. A missing
 * PMU fails the hardware events alone.
 *
 * An event that cannot be opened does not stop the others: its status and
 * errno are kept for the file, like perf's "<not supported>". When the
 * kernel refuses kernel-side counting (perf_event_paranoid >= 2 without
 * CAP_PERFMON), the events are opened again counting user mode only, as
 * perf does, and marked so; not tracepoints, which fire in the kernel
 * and would count nothing in user mode: they stay "not permitted".
 */
#ifndef PPROBE_COUNTERS_H
#define PPROBE_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "recfile.h"

struct counter {
	const struct event_spec *spec; /* borrowed from the event list */
	uint32_t id;        /* index in the event list, the file's event id */
	uint32_t group;     /* its perf group: COUNTER_GROUP_SOFTWARE, or
			     * one of its own from 1 for a hardware event;
			     * the file's group id */
	uint32_t status;    /* enum rec_event_status */
	uint32_t flags;     /* REC_EVENT_F_* */
	int error;          /* errno of the failed open, 0 when open */
	int filter_refused; /* it opened, but PERF_EVENT_IOC_SET_FILTER
			     * failed with error: not counted */
	const char *why;    /* static: why it is not counted, when that is
			     * pprobe's choice rather than the kernel's */
};

/* The group of software events and tracepoints. */
#define COUNTER_GROUP_SOFTWARE 0u

/* One perf group on one target. */
struct counter_group {
	int leader;         /* the first of its events opened, or -1 */
	size_t members;     /* its open events, the leader included */
};

/*
 * The events opened on one task. A command has one target, its pid. When
 * attaching to a running tree (`record -p`), every task that existed gets
 * a target of its own; tasks born later are inherited by their creator's.
 */
struct counter_target {
	int cpu;            /* the CPU it counts on, or -1 for any */
	int *fd;            /* per event: -1 when not open */
	uint64_t *kernel_id; /* per event: PERF_EVENT_IOC_ID, to match reads */
	struct counter_group *groups; /* per group id: nr_groups of them */
};

struct counter_set {
	struct counter *v;    /* one per event, in the list's order */
	size_t nr;
	size_t nr_groups;     /* group ids are below this */
	struct counter_target *targets;
	size_t nr_targets, alloc_targets;
	int user_only;        /* kernel-side counting was refused */
	int by_cgroup;        /* targets are CPUs counting a cgroup */
	int by_rusage;        /* nothing opened: the kernel's accounting */
	uint64_t *read_buf;   /* room for the largest group read */
	size_t read_words;
	struct rec_count *acc; /* per event: the sum over the targets */
	struct rec_count *target_acc; /* per event: one target's values */
};

/* Prepares one counter per event; nothing is opened. 0 or -ENOMEM. */
int counter_set_init(struct counter_set *set, const struct event_list *events);
void counter_set_release(struct counter_set *set);

/*
 * Opens every event on pid, leaders disabled until the pid execs, and
 * settles each event's status. An event with a filter (event_spec.filter)
 * gets it before it can count; one whose filter the kernel refuses is
 * closed again and failed, with that errno. Returns the number of events
 * opened (possibly 0), or -errno for a failure that is not about one
 * event (EMFILE: out of file descriptors).
 */
int counter_set_open(struct counter_set *set, pid_t pid);

/*
 * Opens the events on tid, a task that already runs, counting at once.
 * The first task attached settles the statuses as counter_set_open()
 * does and returns the number of events opened; each later one opens the
 * events that opened on the first, and returns 1, or 0 when tid has
 * already gone (nothing is opened then). Returns -errno when tid may
 * not be counted (EACCES, EPERM) or on EMFILE, ENOMEM.
 */
int counter_set_attach(struct counter_set *set, pid_t tid);

/*
 * counter_set_open(), and for each CPU in cpus the same events counting
 * the tree on that CPU only (`record --per-cpu`), which
 * counter_set_read_cpus() returns one by one: their values add up to the
 * total's. The total stays its own target because a per-CPU task event
 * is enabled wherever the task runs but running only on its CPU, so its
 * times say nothing about multiplexing. Every CPU or none. Each process
 * the tree forks copies every event of every CPU: forks cost nr_cpus + 1
 * times as much (~1.5 us per event and copy).
 */
int counter_set_open_cpus(struct counter_set *set, pid_t pid,
			  const uint32_t *cpus, size_t nr_cpus);

/*
 * Counts the tasks of a cgroup instead of a task and its descendants: one
 * target per CPU in cpus, the events opened with PERF_FLAG_PID_CGROUP on
 * cgroup_fd (a directory fd of the perf_event hierarchy), disabled until
 * counter_set_enable(). A read then costs the same whatever the size of
 * the tree, where an inherited event's read walks every task's copy. Needs
 * what CPU-wide events need: perf_event_paranoid <= 0 or CAP_PERFMON.
 * Returns the number of events opened, as counter_set_open(), or -errno
 * with the set closed again (every CPU or none).
 */
int counter_set_open_cgroup(struct counter_set *set, int cgroup_fd,
			    const uint32_t *cpus, size_t nr_cpus);

/*
 * Starts counting what counter_set_open_cgroup() opened: every group
 * leader of every CPU. 0 or -errno.
 */
int counter_set_enable(struct counter_set *set);

/*
 * RUSAGE MODE (`record --count-by rusage`): no perf event at all. Every
 * perf event in a task's context is switched out and in with the task, a
 * cost of its own on each context switch (a quarter more time for a
 * command that does little else: docs/BENCHMARKS.md). The kernel counts
 * some of the same things for every task anyway, for getrusage(2) and
 * cgroups, and reading those costs the tasks nothing:
 *
 *   task-clock, cpu-clock    user + system CPU time (:u user, :k system);
 *                            the scheduler's sum_exec_runtime, which
 *                            leaves out the time a hypervisor stole, where
 *                            perf's clocks count it
 *   context-switches, cs     voluntary + involuntary switches
 *   voluntary-context-switches, involuntary-context-switches
 *   page-faults, faults      minor + major faults
 *   minor-faults, major-faults
 *
 * Every other event (cpu-migrations, hardware events, tracepoints) has no
 * such figure: it is marked not supported. counter_set_open_rusage()
 * settles the statuses and opens nothing; counter_set_read_accounting()
 * turns the figures of an accounting into entries of a COUNTS record.
 */
int counter_set_open_rusage(struct counter_set *set);

/* What the kernel accounted for a tree, and which of it is known. */
struct counter_accounting {
	unsigned have;            /* COUNTER_HAVE_* */
	uint64_t user_ns, system_ns;
	uint64_t nvcsw, nivcsw;   /* voluntary, involuntary switches */
	uint64_t minflt, majflt;
};

enum {
	COUNTER_HAVE_CPU = 1u << 0,      /* user_ns, system_ns */
	COUNTER_HAVE_SWITCHES = 1u << 1, /* nvcsw, nivcsw */
	COUNTER_HAVE_FAULTS = 1u << 2,   /* minflt, majflt */
};

/*
 * The entries of the events counter_set_open_rusage() opened whose figure
 * a has, in the set's order, into out (room for counter_set_opened());
 * each enabled and running for elapsed_ns. Returns how many.
 */
int counter_set_read_accounting(const struct counter_set *set,
				const struct counter_accounting *a,
				uint64_t elapsed_ns, struct rec_count *out);

/* Closes every event, statuses back to not opened; the set stays ready. */
void counter_set_close(struct counter_set *set);

/* Number of open events: the most entries counter_set_read() fills. */
size_t counter_set_opened(const struct counter_set *set);

/*
 * Reads every open event of every target, one read(2) per group and
 * target (one for the software group, one per hardware event), into out
 * (room for counter_set_opened() entries), summing the targets: values,
 * enabled and running times alike, as perf aggregates. Returns the number
 * of entries filled, or -errno.
 */
int counter_set_read(struct counter_set *set, struct rec_count *out);

/*
 * Why counter c could not be opened, for a person, without its name:
 * "not supported on this machine (no hardware PMU: ...)", or "filter
 * refused (Invalid argument)". Returns buf.
 */
/*
 * The CPUs counter_set_read_cpus() splits the counts by, in its order,
 * into out (unless NULL). Returns how many (0: the counts are not split).
 */
size_t counter_set_cpus(const struct counter_set *set, uint32_t *out);

/*
 * counter_set_read(), and the counts of each CPU too (targets opened by
 * counter_set_open_cpus() or counter_set_open_cgroup()): the k-th CPU of
 * counter_set_cpus() fills per_cpu[k * n .. k * n + n), where n is the
 * number of entries returned. per_cpu has room for counter_set_opened()
 * entries per CPU. Returns n, or -errno.
 */
int counter_set_read_cpus(struct counter_set *set, struct rec_count *out,
			  struct rec_count *per_cpu);

const char *counter_open_strerror(const struct counter *c, char *buf, size_t len);

#endif /* PPROBE_COUNTERS_H */

/*
 * event.h - the event catalogue: turning what a user types after -e into
 * perf_event_attr settings.
 *
 * Names are resolved in this order: the generic perf names every perf user
 * knows (task-clock, context-switches/cs, cycles, cache-misses, ...) from
 * our own table; then anything libpfm4 can encode for the PMUs present
 * (e.g. INST_RETIRED:ANY_P). perf's :u and :k modifiers apply to both.
 *
 * Resolving a name says nothing about whether this machine can count it:
 * libpfm4 encodes "cycles" even where there is no PMU. Only opening it
 * tells, and that is the collector's job. This module never opens a
 * counter except through sys_perf_event_open() below, which the collector and
 * `pprobe list` share.
 */
#ifndef PPROBE_EVENT_H
#define PPROBE_EVENT_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/perf_event.h>

#define EVENT_NAME_MAX 128
#define EVENT_FILTER_MAX 256

/*
 * How an event is counted. Software events and tracepoints, which the
 * kernel counts on every task switch without limit, share one perf group
 * (one read for all). Hardware events compete for a few PMU counters:
 * each is a group of its own, so the kernel can multiplex them one by one
 * when there are more than counters, and a missing PMU spoils nothing else.
 */
enum event_kind {
	EVENT_SOFTWARE,   /* kernel software counters: always available */
	EVENT_HARDWARE,   /* PMU counters: may be missing (VMs) or multiplexed */
	EVENT_TRACEPOINT, /* a tracefs event (sched:sched_switch), counted */
};

struct event_spec {
	char name[EVENT_NAME_MAX]; /* as the user spelled it, modifiers included */
	enum event_kind kind;
	/*
	 * type, config, config1, config2 and the exclude_* bits are set;
	 * size is set; everything else is 0 for the collector to fill.
	 */
	struct perf_event_attr attr;
	const char *unit;          /* "ns" for clocks, "" for counts; static */
	/* A tracepoint's filter (PERF_EVENT_IOC_SET_FILTER), or "". */
	char filter[EVENT_FILTER_MAX];
	/*
	 * 0, or the errno opening it would meet, known without trying: a
	 * tracepoint whose id tracefs does not show us (EACCES: tracefs is
	 * root's). The collector records it as not counted, for that reason.
	 */
	int unavailable;
};

/* A growable array of events. `v` may be NULL while `nr` is 0. */
struct event_list {
	struct event_spec *v;
	size_t nr, alloc;
};

/* The events recorded when -e is not given, as a -e list: "@default". */
extern const char event_default_list[];

/* One named event of the catalogue, for `pprobe list`. */
struct event_info {
	const char *name;
	const char *alias;  /* perf's other spelling, or NULL */
	enum event_kind kind;
	int cache;          /* a hardware cache event */
	const char *desc;
};

/* The named events (not libpfm4's, not tracepoints). Returns how many. */
size_t event_catalogue(const struct event_info **events);

/* A named set of events, -e @name (events/sets.def). */
struct event_set {
	const char *name;   /* without the @ */
	const char *desc;
	const char *events; /* a -e list */
};

/* The sets, in sets.def's order. Returns how many. */
size_t event_sets(const struct event_set **sets);

void event_list_init(struct event_list *list);
void event_list_release(struct event_list *list);

/*
 * Resolves one name, e.g. "cycles:u". Returns 0, or -1 with a message in
 * err such as "unknown event 'cylces' (did you mean 'cycles'?)" (no
 * "error:" prefix; the caller prints it).
 */
int event_resolve(const char *name, struct event_spec *out,
		  char *err, size_t errsz);

/*
 * Appends every event of a comma-separated list (spaces around names are
 * allowed); @name appends the events of a set. A name already in the list
 * is not added again. On the first unknown name, returns -1 with err set
 * and leaves the events before it in the list. An empty list or an empty
 * name between commas is an error too.
 */
int event_list_parse(struct event_list *list, const char *spec,
		     char *err, size_t errsz);

/*
 * The tracefs directory tracepoint ids are read from, or NULL when none
 * is visible. event_set_tracefs() points it elsewhere (tests; "" means
 * none is visible; NULL goes back to looking in /sys/kernel/tracing and
 * /sys/kernel/debug/tracing).
 */
const char *event_tracefs(void);
void event_set_tracefs(const char *dir);

/*
 * Whether the kernel has a core PMU (it registers one as "cpu", a hybrid
 * pair, or armv8_pmuv3_0 under /sys/bus/event_source/devices): without
 * one, no hardware event can be opened (a VM without PMU passthrough).
 */
int event_have_pmu(void);

/*
 * /proc/sys/kernel/perf_event_paranoid into *value: 0, or -1 when it
 * cannot be read (no perf support, or a hidden /proc/sys).
 */
int event_paranoid(int *value);

/*
 * perf_event_open(2), which glibc does not wrap. Returns an fd or -1/errno.
 * (Not called perf_event_open: libpfm4's headers define a static inline of
 * that name.)
 */
int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
			int group_fd, unsigned long flags);

#endif /* PPROBE_EVENT_H */

/*
 * event.c - the event catalogue: from what a user types after -e to the
 * perf_event_attr fields that select the counter.
 *
 * The generic perf names live in a table below, one line per event, so that
 * "cycles" means the same here as in perf on every machine, with perf's :u
 * and :k modifiers. Anything else goes to libpfm4, which knows the PMU
 * tables of most CPUs (and its own modifiers, e.g. INST_RETIRED:ANY_P:u).
 * A name neither knows gets a "did you mean" from the table.
 *
 * Tracepoints are "subsystem:event" as tracefs names them
 * (sched:sched_switch): their perf type is PERF_TYPE_TRACEPOINT and their
 * config the id in tracefs's events/<subsystem>/<event>/id. Two events of
 * the table are tracepoints with a filter: the voluntary and involuntary
 * context switches, told apart by the state the task left the CPU in.
 * Named sets (-e @sched) come from sets.def.
 *
 * libpfm4 is initialised on first use only: most runs use only the table,
 * and pfm_initialize() probes the CPU. It detects the PMU model from CPUID,
 * not from the kernel, so under a hypervisor it may happily encode events
 * the kernel cannot count; that shows up only when the collector opens them.
 */
#include "event.h"

/*
 * libpfm4's <perfmon/perf_event.h> defines its own copy of struct
 * perf_event_attr unless <linux/perf_event.h> came first (event.h includes
 * it, hence the order), and a static inline perf_event_open(), which is why
 * ours is called sys_perf_event_open().
 */
#include <perfmon/pfmlib_perf_event.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

const char event_default_list[] = "@default";

/* One generic event. The description is what `pprobe list` shows. */
struct event_def {
	const char *name;        /* perf's spelling */
	const char *alias;       /* the other spelling perf accepts, or NULL */
	uint32_t type;           /* PERF_TYPE_* */
	uint64_t config;
	enum event_kind kind;
	const char *unit;
	const char *desc;
	const char *tracepoint;  /* "sched:sched_switch": config from tracefs */
	const char *filter;      /* its filter, or NULL */
};

/* The kernel's encoding of a PERF_TYPE_HW_CACHE config. */
#define HW_CACHE(id, op, result) \
	((uint64_t)PERF_COUNT_HW_CACHE_##id | \
	 ((uint64_t)PERF_COUNT_HW_CACHE_OP_##op << 8) | \
	 ((uint64_t)PERF_COUNT_HW_CACHE_RESULT_##result << 16))

#define SW(name, alias, config, unit, desc) \
	{ name, alias, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_##config, \
	  EVENT_SOFTWARE, unit, desc, NULL, NULL }
#define HW(name, alias, config, desc) \
	{ name, alias, PERF_TYPE_HARDWARE, PERF_COUNT_HW_##config, \
	  EVENT_HARDWARE, "", desc, NULL, NULL }
#define CACHE(name, id, op, result, desc) \
	{ name, NULL, PERF_TYPE_HW_CACHE, HW_CACHE(id, op, result), \
	  EVENT_HARDWARE, "", desc, NULL, NULL }
#define TP(name, tracepoint, filter, desc) \
	{ name, NULL, PERF_TYPE_TRACEPOINT, 0, EVENT_TRACEPOINT, "", desc, \
	  tracepoint, filter }

/*
 * sched_switch's prev_state is the state the task left the CPU in: 0
 * (running: it was preempted, or yielded) or, when preempted, 0x100
 * ("R+", TASK_REPORT_MAX since Linux 4.14); a sleep state in the low
 * byte (S, D, ...) when it blocked. getrusage() counts the first kind as
 * involuntary and the second as voluntary: these filters split the same
 * way. The task's last switch at exit (state X) is voluntary to both.
 */
#define SWITCH_BLOCKED "prev_state & 255"

/*
 * The names perf accepts without a PMU prefix. The cache events are the
 * (cache, op) pairs perf itself lists as meaningful; the kernel may still
 * refuse some of them on a given CPU. "dummy" and "bpf-output" are left
 * out: they count nothing.
 */
static const struct event_def event_table[] = {
	SW("task-clock", NULL, TASK_CLOCK, "ns", "time the task was on a CPU"),
	SW("cpu-clock", NULL, CPU_CLOCK, "ns", "per-CPU clock, a timer"),
	SW("context-switches", "cs", CONTEXT_SWITCHES, "", "context switches"),
	SW("cpu-migrations", "migrations", CPU_MIGRATIONS, "", "moves to another CPU"),
	SW("page-faults", "faults", PAGE_FAULTS, "", "page faults, minor and major"),
	SW("minor-faults", NULL, PAGE_FAULTS_MIN, "", "page faults served without I/O"),
	SW("major-faults", NULL, PAGE_FAULTS_MAJ, "", "page faults that needed I/O"),
	SW("alignment-faults", NULL, ALIGNMENT_FAULTS, "", "unaligned accesses fixed up by the kernel"),
	SW("emulation-faults", NULL, EMULATION_FAULTS, "", "instructions emulated by the kernel"),
	SW("cgroup-switches", NULL, CGROUP_SWITCHES, "", "context switches to a task in another cgroup"),
	TP("voluntary-context-switches", "sched:sched_switch", SWITCH_BLOCKED,
	   "switches away from a task that blocked (getrusage's nvcsw)"),
	TP("involuntary-context-switches", "sched:sched_switch", "!(" SWITCH_BLOCKED ")",
	   "switches away from a task that could have run on (preempted: nivcsw)"),

	HW("cycles", "cpu-cycles", CPU_CYCLES, "CPU cycles"),
	HW("instructions", NULL, INSTRUCTIONS, "instructions retired"),
	HW("cache-references", NULL, CACHE_REFERENCES, "cache accesses, usually the last level"),
	HW("cache-misses", NULL, CACHE_MISSES, "cache misses, usually the last level"),
	HW("branches", "branch-instructions", BRANCH_INSTRUCTIONS, "branch instructions retired"),
	HW("branch-misses", NULL, BRANCH_MISSES, "mispredicted branches"),
	HW("bus-cycles", NULL, BUS_CYCLES, "bus cycles"),
	HW("stalled-cycles-frontend", "idle-cycles-frontend", STALLED_CYCLES_FRONTEND, "cycles the front end issued nothing"),
	HW("stalled-cycles-backend", "idle-cycles-backend", STALLED_CYCLES_BACKEND, "cycles the back end retired nothing"),
	HW("ref-cycles", NULL, REF_CPU_CYCLES, "cycles at the reference clock, unaffected by frequency scaling"),

	CACHE("L1-dcache-loads", L1D, READ, ACCESS, "level 1 data cache loads"),
	CACHE("L1-dcache-load-misses", L1D, READ, MISS, "level 1 data cache load misses"),
	CACHE("L1-dcache-stores", L1D, WRITE, ACCESS, "level 1 data cache stores"),
	CACHE("L1-dcache-store-misses", L1D, WRITE, MISS, "level 1 data cache store misses"),
	CACHE("L1-dcache-prefetches", L1D, PREFETCH, ACCESS, "level 1 data cache prefetches"),
	CACHE("L1-dcache-prefetch-misses", L1D, PREFETCH, MISS, "level 1 data cache prefetch misses"),
	CACHE("L1-icache-loads", L1I, READ, ACCESS, "level 1 instruction cache loads"),
	CACHE("L1-icache-load-misses", L1I, READ, MISS, "level 1 instruction cache load misses"),
	CACHE("L1-icache-prefetches", L1I, PREFETCH, ACCESS, "level 1 instruction cache prefetches"),
	CACHE("L1-icache-prefetch-misses", L1I, PREFETCH, MISS, "level 1 instruction cache prefetch misses"),
	CACHE("LLC-loads", LL, READ, ACCESS, "last level cache loads"),
	CACHE("LLC-load-misses", LL, READ, MISS, "last level cache load misses"),
	CACHE("LLC-stores", LL, WRITE, ACCESS, "last level cache stores"),
	CACHE("LLC-store-misses", LL, WRITE, MISS, "last level cache store misses"),
	CACHE("LLC-prefetches", LL, PREFETCH, ACCESS, "last level cache prefetches"),
	CACHE("LLC-prefetch-misses", LL, PREFETCH, MISS, "last level cache prefetch misses"),
	CACHE("dTLB-loads", DTLB, READ, ACCESS, "data TLB lookups for loads"),
	CACHE("dTLB-load-misses", DTLB, READ, MISS, "data TLB misses on loads"),
	CACHE("dTLB-stores", DTLB, WRITE, ACCESS, "data TLB lookups for stores"),
	CACHE("dTLB-store-misses", DTLB, WRITE, MISS, "data TLB misses on stores"),
	CACHE("dTLB-prefetches", DTLB, PREFETCH, ACCESS, "data TLB lookups for prefetches"),
	CACHE("dTLB-prefetch-misses", DTLB, PREFETCH, MISS, "data TLB misses on prefetches"),
	CACHE("iTLB-loads", ITLB, READ, ACCESS, "instruction TLB lookups"),
	CACHE("iTLB-load-misses", ITLB, READ, MISS, "instruction TLB misses"),
	CACHE("branch-loads", BPU, READ, ACCESS, "branch prediction unit lookups"),
	CACHE("branch-load-misses", BPU, READ, MISS, "branch prediction unit misses"),
	CACHE("node-loads", NODE, READ, ACCESS, "loads served by the local NUMA node"),
	CACHE("node-load-misses", NODE, READ, MISS, "loads served by a remote NUMA node"),
	CACHE("node-stores", NODE, WRITE, ACCESS, "stores to the local NUMA node"),
	CACHE("node-store-misses", NODE, WRITE, MISS, "stores to a remote NUMA node"),
	CACHE("node-prefetches", NODE, PREFETCH, ACCESS, "prefetches from the local NUMA node"),
	CACHE("node-prefetch-misses", NODE, PREFETCH, MISS, "prefetches from a remote NUMA node"),
};

#define EVENT_TABLE_NR (sizeof(event_table) / sizeof(event_table[0]))

size_t event_catalogue(const struct event_info **events)
{
	static struct event_info info[EVENT_TABLE_NR];

	if (!info[0].name)
		for (size_t i = 0; i < EVENT_TABLE_NR; i++)
			info[i] = (struct event_info){
				.name = event_table[i].name,
				.alias = event_table[i].alias,
				.kind = event_table[i].kind,
				.cache = event_table[i].type == PERF_TYPE_HW_CACHE,
				.desc = event_table[i].desc,
			};
	*events = info;
	return EVENT_TABLE_NR;
}

/* Formats into err, if the caller gave room for a message. Returns -1. */
static int set_err(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Is the first len bytes of s, and nothing more, equal to name? */
static int name_is(const char *name, const char *s, size_t len)
{
	return name && strlen(name) == len && !strncasecmp(name, s, len);
}

/*
 * Matching ignores case, as libpfm4 does: otherwise "CYCLES:u" would slip
 * past the table to libpfm4 and get its meaning of :u, not perf's.
 */
static const struct event_def *table_find(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < EVENT_TABLE_NR; i++)
		if (name_is(event_table[i].name, s, len) ||
		    name_is(event_table[i].alias, s, len))
			return &event_table[i];
	return NULL;
}

static const struct event_def *table_find_config(uint32_t type, uint64_t config)
{
	size_t i;

	for (i = 0; i < EVENT_TABLE_NR; i++)
		if (event_table[i].type == type && event_table[i].config == config)
			return &event_table[i];
	return NULL;
}

/*
 * perf's rule: naming any privilege level counts only the levels named, so
 * :u excludes kernel and hypervisor, :k user and hypervisor, and :uk only
 * the hypervisor. Repeats (:uu) are harmless, as in perf.
 */
static int apply_modifiers(struct perf_event_attr *attr, const char *mods,
			   const char *name, char *err, size_t errsz)
{
	int user = 0, kernel = 0;
	const char *p;

	if (!*mods)
		return set_err(err, errsz, "empty modifier in '%s'", name);
	for (p = mods; *p; p++) {
		if (*p == 'u')
			user = 1;
		else if (*p == 'k')
			kernel = 1;
		else
			return set_err(err, errsz,
				       "unknown modifier '%c' in '%s'", *p, name);
	}
	attr->exclude_user = !user;
	attr->exclude_kernel = !kernel;
	attr->exclude_hv = 1;
	return 0;
}

/*
 * Optimal string alignment distance (Levenshtein plus swapping two
 * neighbours, so "cylces" is one edit from "cycles"), ignoring case.
 * Both strings are shorter than EVENT_NAME_MAX; three rows suffice.
 */
static size_t edit_distance(const char *a, size_t la, const char *b)
{
	size_t rows[3][EVENT_NAME_MAX + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;
	size_t lb = strlen(b), i, j;

	if (la > EVENT_NAME_MAX || lb > EVENT_NAME_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		int ca = tolower((unsigned char)a[i - 1]);

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int cb = tolower((unsigned char)b[j - 1]);
			size_t best = prev[j - 1] + (ca != cb);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/*
 * The table name closest to the first len bytes of s, if close enough to
 * be a typo: within max(2, len/3) edits and fewer edits than s has
 * characters (so "x" does not suggest "cs"). Ties go to the earlier entry,
 * which puts common events first.
 */
static const char *suggest(const char *s, size_t len)
{
	size_t limit = len / 3 > 2 ? len / 3 : 2;
	size_t best = SIZE_MAX, i, d;
	const char *found = NULL;

	for (i = 0; i < EVENT_TABLE_NR; i++) {
		const char *names[2] = { event_table[i].name, event_table[i].alias };
		size_t n;

		for (n = 0; n < 2; n++) {
			if (!names[n])
				continue;
			d = edit_distance(s, len, names[n]);
			if (d < best) {
				best = d;
				found = names[n];
			}
		}
	}
	if (found && best <= limit && best < len)
		return found;
	return NULL;
}

/* ---- tracepoints ---- */

static const char *tracefs_override;

void event_set_tracefs(const char *dir)
{
	tracefs_override = dir;
}

/*
 * Where tracefs is: its own mount, or under debugfs on older setups. The
 * first whose events/ directory exists; NULL when none does (not mounted,
 * or not readable: /sys/kernel/debug is root's only).
 */
const char *event_tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[256];

	if (tracefs_override)
		return tracefs_override[0] ? tracefs_override : NULL;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (access(path, R_OK | X_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

/* "subsystem:event" as tracefs spells them: lowercase, digits, '_'. */
static int tracepoint_syntax(const char *name)
{
	const char *colon = strchr(name, ':');
	size_t i;

	if (!colon || colon == name || !colon[1] || strchr(colon + 1, ':'))
		return 0;
	/* "cylces:u" is a name with perf's modifiers, however misspelt. */
	if (!colon[strspn(colon + 1, "uk") + 1])
		return 0;
	for (i = 0; name[i]; i++)
		if (name + i != colon && !islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) && name[i] != '_')
			return 0;
	return 1;
}

/*
 * The tracefs id of tracepoint "sys:name". 0, -ENOENT (no such
 * tracepoint), or -EACCES (tracefs not visible: usually not root).
 */
static int tracepoint_id(const char *tracepoint, uint64_t *id)
{
	const char *dir = event_tracefs(), *colon = strchr(tracepoint, ':');
	char path[512], buf[32];
	FILE *f;
	int ok;

	if (!dir)
		return -EACCES;
	snprintf(path, sizeof(path), "%s/events/%.*s/%s/id", dir,
		 (int)(colon - tracepoint), tracepoint, colon + 1);
	f = fopen(path, "re");
	if (!f)
		return errno == EACCES || errno == EPERM ? -EACCES : -ENOENT;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return -ENOENT;
	*id = strtoull(buf, NULL, 10);
	return 0;
}

/*
 * Fills out for a tracepoint. One that tracefs cannot show us is still
 * an event (it is recorded, as not permitted, and the others count); one
 * tracefs says does not exist is an unknown name.
 */
static int resolve_tracepoint(const char *tracepoint, const char *filter,
			      struct event_spec *out, char *err, size_t errsz)
{
	uint64_t id = 0;
	int ret = tracepoint_id(tracepoint, &id);

	out->kind = EVENT_TRACEPOINT;
	out->attr.type = PERF_TYPE_TRACEPOINT;
	out->attr.config = id;
	if (filter)
		snprintf(out->filter, sizeof(out->filter), "%s", filter);
	if (ret == -ENOENT)
		return set_err(err, errsz, "unknown tracepoint '%s' (tracefs has no events/%.*s/%s: see 'pprobe list sched:*')",
			       tracepoint, (int)strcspn(tracepoint, ":"), tracepoint,
			       strchr(tracepoint, ':') + 1);
	if (ret == -EACCES)
		out->unavailable = EACCES;
	return 0;
}

/* libpfm4 state: initialised once, on first need. */
static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_init_ret;

static void pfm_init_once(void)
{
	pfm_init_ret = pfm_initialize();
}

/*
 * The message for a name nobody knows. A PMU-qualified name (with "::")
 * is libpfm4's syntax, where a suggestion from our table would mislead.
 */
static int unknown_event(const char *name, const char *libpfm_problem,
			 char *err, size_t errsz)
{
	const char *colon = strchr(name, ':');
	size_t len = colon ? (size_t)(colon - name) : strlen(name);
	const char *guess = NULL;

	if (!strstr(name, "::"))
		guess = suggest(name, len);
	if (guess)
		return set_err(err, errsz,
			       "unknown event '%s' (did you mean '%s%s'?)",
			       name, guess, colon ? colon : "");
	if (libpfm_problem)
		return set_err(err, errsz,
			       "unknown event '%s' (libpfm4 is unavailable: %s; the perf names in README.md work without it)",
			       name, libpfm_problem);
	return set_err(err, errsz, "unknown event '%s' (perf's names such as task-clock or cycles, or an event libpfm4 knows for this CPU)", name);
}

/*
 * libpfm4's extended encoding also takes sampling and scheduling settings
 * (period=, freq=, precise=, excl, pinned, cpu=). The collector owns those,
 * so an event that sets any is refused rather than silently changed.
 */
static int pfm_sets_only_counter(const struct perf_event_attr *attr,
				 const pfm_perf_encode_arg_t *arg)
{
	static const struct perf_event_attr zero;
	struct perf_event_attr rest = *attr;

	rest.size = 0;
	rest.type = 0;
	rest.config = 0;
	rest.config1 = 0;
	rest.config2 = 0;
	rest.exclude_user = 0;
	rest.exclude_kernel = 0;
	rest.exclude_hv = 0;
	rest.exclude_host = 0;
	rest.exclude_guest = 0;
	return !memcmp(&rest, &zero, sizeof(rest)) && arg->cpu == -1 &&
	       arg->flags == 0;
}

static int resolve_with_pfm(const char *name, struct event_spec *out,
			    char *err, size_t errsz)
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	const struct event_def *def;
	int ret;

	pthread_once(&pfm_once, pfm_init_once);
	if (pfm_init_ret != PFM_SUCCESS)
		return unknown_event(name, pfm_strerror(pfm_init_ret), err, errsz);

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	arg.attr = &attr;
	arg.cpu = -1;
	ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3,
					PFM_OS_PERF_EVENT_EXT, &arg);
	/* PFM_ERR_INVAL is what libpfm4 says to spaces and stray commas. */
	if (ret == PFM_ERR_NOTFOUND || ret == PFM_ERR_INVAL)
		return unknown_event(name, NULL, err, errsz);
	if (ret != PFM_SUCCESS)
		return set_err(err, errsz, "invalid event '%s': %s",
			       name, pfm_strerror(ret));
	if (!pfm_sets_only_counter(&attr, &arg))
		return set_err(err, errsz,
			       "unsupported attribute in event '%s': pprobe takes only the event, its unit masks and privilege levels",
			       name);

	out->attr.type = attr.type;
	out->attr.config = attr.config;
	out->attr.config1 = attr.config1;
	out->attr.config2 = attr.config2;
	out->attr.exclude_user = attr.exclude_user;
	out->attr.exclude_kernel = attr.exclude_kernel;
	out->attr.exclude_hv = attr.exclude_hv;
	out->attr.exclude_host = attr.exclude_host;
	out->attr.exclude_guest = attr.exclude_guest;

	/* perf::PERF_COUNT_SW_TASK_CLOCK is still a clock in nanoseconds. */
	def = table_find_config(attr.type, attr.config);
	if (def) {
		out->kind = def->kind;
		out->unit = def->unit;
	} else {
		out->kind = attr.type == PERF_TYPE_SOFTWARE ?
			EVENT_SOFTWARE : EVENT_HARDWARE;
		out->unit = "";
	}
	return 0;
}

int event_resolve(const char *name, struct event_spec *out,
		  char *err, size_t errsz)
{
	const struct event_def *def;
	const char *colon;
	size_t len = strlen(name);

	memset(out, 0, sizeof(*out));
	out->unit = "";
	out->attr.size = sizeof(out->attr);
	if (!len)
		return set_err(err, errsz, "empty event name");
	if (len >= EVENT_NAME_MAX)
		return set_err(err, errsz,
			       "event name too long: '%.32s...' (at most %d characters)",
			       name, EVENT_NAME_MAX - 1);
	memcpy(out->name, name, len + 1);

	/* The table wins over libpfm4, which knows many of the same names. */
	colon = strchr(name, ':');
	def = table_find(name, colon ? (size_t)(colon - name) : len);
	if (!def && tracepoint_syntax(name))
		return resolve_tracepoint(name, NULL, out, err, errsz);
	if (!def)
		return resolve_with_pfm(name, out, err, errsz);

	out->kind = def->kind;
	out->unit = def->unit;
	out->attr.type = def->type;
	out->attr.config = def->config;
	if (def->tracepoint && resolve_tracepoint(def->tracepoint, def->filter, out, err, errsz))
		return -1;
	if (colon)
		return apply_modifiers(&out->attr, colon + 1, name, err, errsz);
	return 0;
}

void event_list_init(struct event_list *list)
{
	list->v = NULL;
	list->nr = 0;
	list->alloc = 0;
}

void event_list_release(struct event_list *list)
{
	free(list->v);
	event_list_init(list);
}

/* Makes room for one more spec. Returns 0 or -1 (out of memory). */
static int event_list_grow(struct event_list *list)
{
	struct event_spec *v;
	size_t alloc;

	if (list->nr < list->alloc)
		return 0;
	alloc = list->alloc ? list->alloc * 2 : 8;
	if (alloc > SIZE_MAX / sizeof(*v))
		return -1;
	v = realloc(list->v, alloc * sizeof(*v));
	if (!v)
		return -1;
	list->v = v;
	list->alloc = alloc;
	return 0;
}

/* ---- named sets ---- */

static const struct event_set event_set_table[] = {
#define EVENT_SET(name, desc, events) { name, desc, events },
#include "sets.def"
#undef EVENT_SET
};

#define EVENT_SETS_NR (sizeof(event_set_table) / sizeof(event_set_table[0]))

size_t event_sets(const struct event_set **sets)
{
	*sets = event_set_table;
	return EVENT_SETS_NR;
}

static const struct event_set *set_find(const char *name, size_t len)
{
	for (size_t i = 0; i < EVENT_SETS_NR; i++)
		if (name_is(event_set_table[i].name, name, len))
			return &event_set_table[i];
	return NULL;
}

static int unknown_set(const char *name, size_t len, char *err, size_t errsz)
{
	char names[256];
	size_t used = 0;

	names[0] = '\0';
	for (size_t i = 0; i < EVENT_SETS_NR && used < sizeof(names); i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s@%s",
					 i ? ", " : "", event_set_table[i].name);
	return set_err(err, errsz, "unknown event set '@%.*s' (the sets are %s)",
		       (int)len, name, names);
}

static int listed(const struct event_list *list, const char *name)
{
	for (size_t i = 0; i < list->nr; i++)
		if (!strcmp(list->v[i].name, name))
			return 1;
	return 0;
}

static int parse_list(struct event_list *list, const char *spec, int depth,
		      char *err, size_t errsz);

/* One name of a list: an event, or @set (not inside a set). */
static int parse_one(struct event_list *list, const char *name, size_t len,
		     int depth, char *err, size_t errsz)
{
	const struct event_set *set;

	if (name[0] == '@') {
		set = set_find(name + 1, len - 1);
		if (!set || depth > 0)
			return unknown_set(name + 1, len - 1, err, errsz);
		return parse_list(list, set->events, depth + 1, err, errsz);
	}
	/* Named twice (a set and the event itself): counted once. */
	if (listed(list, name))
		return 0;
	if (event_list_grow(list))
		return set_err(err, errsz, "out of memory");
	if (event_resolve(name, &list->v[list->nr], err, errsz))
		return -1;
	list->nr++;
	return 0;
}

int event_list_parse(struct event_list *list, const char *spec,
		     char *err, size_t errsz)
{
	return parse_list(list, spec, 0, err, errsz);
}

static int parse_list(struct event_list *list, const char *spec, int depth,
		      char *err, size_t errsz)
{
	const char *p = spec, *comma;

	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p)
		return set_err(err, errsz, "empty event list");

	for (p = spec; ; p = comma + 1) {
		const char *start = p, *end;
		char name[EVENT_NAME_MAX];
		size_t len;

		comma = strchr(p, ',');
		end = comma ? comma : p + strlen(p);
		while (start < end && isspace((unsigned char)*start))
			start++;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		len = (size_t)(end - start);
		if (!len)
			return set_err(err, errsz,
				       "empty event name in '%s'", spec);
		if (len >= EVENT_NAME_MAX)
			return set_err(err, errsz,
				       "event name too long: '%.32s...' (at most %d characters)",
				       start, EVENT_NAME_MAX - 1);
		memcpy(name, start, len);
		name[len] = '\0';
		if (parse_one(list, name, len, depth, err, errsz))
			return -1;
		if (!comma)
			return 0;
	}
}

int event_have_pmu(void)
{
	return access("/sys/bus/event_source/devices/cpu", F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/cpu_core", F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/armv8_pmuv3_0", F_OK) == 0;
}

int event_paranoid(int *value)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%d", value) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
			int group_fd, unsigned long flags)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

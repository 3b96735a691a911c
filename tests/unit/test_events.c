/*
 * test_events.c - the event catalogue: every generic name, perf's modifiers,
 * the hw-cache encoding, "did you mean", -e list parsing, one name only
 * libpfm4 knows, and sys_perf_event_open() itself.
 *
 * The expected values are written out here from the kernel's constants,
 * not taken from event.c's table, so a wrong table line fails.
 *
 * Machine-dependent checks skip with the reason: "cycles" is expected to
 * fail to open only where there is no hardware PMU (as in our CI VM).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <perfmon/pfmlib.h>

#include "event.h"

struct expect {
	const char *name;
	uint32_t type;
	uint64_t config;
	enum event_kind kind;
	const char *unit;
};

#define CACHE_CONFIG(id, op, result) \
	((uint64_t)PERF_COUNT_HW_CACHE_##id | \
	 ((uint64_t)PERF_COUNT_HW_CACHE_OP_##op << 8) | \
	 ((uint64_t)PERF_COUNT_HW_CACHE_RESULT_##result << 16))
#define SW(n, c, u) { n, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_##c, EVENT_SOFTWARE, u }
#define HW(n, c) { n, PERF_TYPE_HARDWARE, PERF_COUNT_HW_##c, EVENT_HARDWARE, "" }
#define CACHE(n, id, op, r) \
	{ n, PERF_TYPE_HW_CACHE, CACHE_CONFIG(id, op, r), EVENT_HARDWARE, "" }

static const struct expect generic[] = {
	SW("task-clock", TASK_CLOCK, "ns"),
	SW("cpu-clock", CPU_CLOCK, "ns"),
	SW("context-switches", CONTEXT_SWITCHES, ""),
	SW("cs", CONTEXT_SWITCHES, ""),
	SW("cpu-migrations", CPU_MIGRATIONS, ""),
	SW("migrations", CPU_MIGRATIONS, ""),
	SW("page-faults", PAGE_FAULTS, ""),
	SW("faults", PAGE_FAULTS, ""),
	SW("minor-faults", PAGE_FAULTS_MIN, ""),
	SW("major-faults", PAGE_FAULTS_MAJ, ""),
	SW("alignment-faults", ALIGNMENT_FAULTS, ""),
	SW("emulation-faults", EMULATION_FAULTS, ""),
	SW("cgroup-switches", CGROUP_SWITCHES, ""),
	HW("cycles", CPU_CYCLES),
	HW("cpu-cycles", CPU_CYCLES),
	HW("instructions", INSTRUCTIONS),
	HW("cache-references", CACHE_REFERENCES),
	HW("cache-misses", CACHE_MISSES),
	HW("branches", BRANCH_INSTRUCTIONS),
	HW("branch-instructions", BRANCH_INSTRUCTIONS),
	HW("branch-misses", BRANCH_MISSES),
	HW("bus-cycles", BUS_CYCLES),
	HW("stalled-cycles-frontend", STALLED_CYCLES_FRONTEND),
	HW("idle-cycles-frontend", STALLED_CYCLES_FRONTEND),
	HW("stalled-cycles-backend", STALLED_CYCLES_BACKEND),
	HW("idle-cycles-backend", STALLED_CYCLES_BACKEND),
	HW("ref-cycles", REF_CPU_CYCLES),
	CACHE("L1-dcache-loads", L1D, READ, ACCESS),
	CACHE("L1-dcache-load-misses", L1D, READ, MISS),
	CACHE("L1-dcache-stores", L1D, WRITE, ACCESS),
	CACHE("L1-dcache-store-misses", L1D, WRITE, MISS),
	CACHE("L1-dcache-prefetches", L1D, PREFETCH, ACCESS),
	CACHE("L1-dcache-prefetch-misses", L1D, PREFETCH, MISS),
	CACHE("L1-icache-loads", L1I, READ, ACCESS),
	CACHE("L1-icache-load-misses", L1I, READ, MISS),
	CACHE("L1-icache-prefetches", L1I, PREFETCH, ACCESS),
	CACHE("L1-icache-prefetch-misses", L1I, PREFETCH, MISS),
	CACHE("LLC-loads", LL, READ, ACCESS),
	CACHE("LLC-load-misses", LL, READ, MISS),
	CACHE("LLC-stores", LL, WRITE, ACCESS),
	CACHE("LLC-store-misses", LL, WRITE, MISS),
	CACHE("LLC-prefetches", LL, PREFETCH, ACCESS),
	CACHE("LLC-prefetch-misses", LL, PREFETCH, MISS),
	CACHE("dTLB-loads", DTLB, READ, ACCESS),
	CACHE("dTLB-load-misses", DTLB, READ, MISS),
	CACHE("dTLB-stores", DTLB, WRITE, ACCESS),
	CACHE("dTLB-store-misses", DTLB, WRITE, MISS),
	CACHE("dTLB-prefetches", DTLB, PREFETCH, ACCESS),
	CACHE("dTLB-prefetch-misses", DTLB, PREFETCH, MISS),
	CACHE("iTLB-loads", ITLB, READ, ACCESS),
	CACHE("iTLB-load-misses", ITLB, READ, MISS),
	CACHE("branch-loads", BPU, READ, ACCESS),
	CACHE("branch-load-misses", BPU, READ, MISS),
	CACHE("node-loads", NODE, READ, ACCESS),
	CACHE("node-load-misses", NODE, READ, MISS),
	CACHE("node-stores", NODE, WRITE, ACCESS),
	CACHE("node-store-misses", NODE, WRITE, MISS),
	CACHE("node-prefetches", NODE, PREFETCH, ACCESS),
	CACHE("node-prefetch-misses", NODE, PREFETCH, MISS),
};

/* Resolves name, failing the test with the module's message if it can't. */
static void resolve_ok(const char *name, struct event_spec *spec)
{
	char err[256] = "";

	if (event_resolve(name, spec, err, sizeof(err)))
		fail_msg("'%s' did not resolve: %s", name, err);
	assert_string_equal(spec->name, name);
	assert_int_equal(spec->attr.size, sizeof(spec->attr));
}

/* Resolves name, expecting exactly the message want. */
static void resolve_fails(const char *name, const char *want)
{
	struct event_spec spec;
	char err[256] = "";

	assert_int_equal(event_resolve(name, &spec, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void test_generic_names(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++) {
		const struct expect *e = &generic[i];
		struct event_spec spec;

		resolve_ok(e->name, &spec);
		if (spec.attr.type != e->type || spec.attr.config != e->config)
			fail_msg("'%s': type %u config %#llx, want %u %#llx",
				 e->name, spec.attr.type,
				 (unsigned long long)spec.attr.config,
				 e->type, (unsigned long long)e->config);
		assert_int_equal(spec.kind, e->kind);
		assert_string_equal(spec.unit, e->unit);
		/* No modifier: count everything; the collector decides. */
		assert_int_equal(spec.attr.exclude_user, 0);
		assert_int_equal(spec.attr.exclude_kernel, 0);
		assert_int_equal(spec.attr.exclude_hv, 0);
		assert_int_equal(spec.attr.config1, 0);
		assert_int_equal(spec.attr.sample_period, 0);
	}
}

static void test_case_is_ignored(void **state)
{
	struct event_spec spec;

	(void)state;
	resolve_ok("CS", &spec);
	assert_int_equal(spec.attr.type, PERF_TYPE_SOFTWARE);
	assert_int_equal(spec.attr.config, PERF_COUNT_SW_CONTEXT_SWITCHES);
	resolve_ok("l1-DCACHE-loads", &spec);
	assert_int_equal(spec.attr.type, PERF_TYPE_HW_CACHE);
}

/* The hw-cache config layout, spelled out as numbers once. */
static void test_hw_cache_encoding(void **state)
{
	static const struct { const char *name; uint64_t config; } want[] = {
		{ "L1-dcache-loads", 0x000000 },
		{ "L1-dcache-load-misses", 0x010000 },
		{ "L1-dcache-store-misses", 0x010100 },
		{ "L1-dcache-prefetches", 0x000200 },
		{ "L1-icache-load-misses", 0x010001 },
		{ "LLC-loads", 0x000002 },
		{ "LLC-load-misses", 0x010002 },
		{ "dTLB-load-misses", 0x010003 },
		{ "iTLB-load-misses", 0x010004 },
		{ "branch-loads", 0x000005 },
		{ "branch-load-misses", 0x010005 },
		{ "node-prefetch-misses", 0x010206 },
	};
	struct event_spec spec;
	size_t i;

	(void)state;
	assert_int_equal(PERF_COUNT_HW_CACHE_RESULT_MISS, 1);
	assert_int_equal(PERF_COUNT_HW_CACHE_OP_PREFETCH, 2);
	assert_int_equal(PERF_COUNT_HW_CACHE_NODE, 6);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		resolve_ok(want[i].name, &spec);
		assert_int_equal(spec.attr.type, PERF_TYPE_HW_CACHE);
		assert_int_equal(spec.attr.config, want[i].config);
		assert_int_equal(spec.kind, EVENT_HARDWARE);
	}
}

static void test_modifiers(void **state)
{
	struct event_spec spec;

	(void)state;
	resolve_ok("cycles:u", &spec);
	assert_int_equal(spec.attr.config, PERF_COUNT_HW_CPU_CYCLES);
	assert_int_equal(spec.attr.exclude_user, 0);
	assert_int_equal(spec.attr.exclude_kernel, 1);
	assert_int_equal(spec.attr.exclude_hv, 1);

	resolve_ok("task-clock:k", &spec);
	assert_int_equal(spec.attr.config, PERF_COUNT_SW_TASK_CLOCK);
	assert_string_equal(spec.unit, "ns");
	assert_int_equal(spec.attr.exclude_user, 1);
	assert_int_equal(spec.attr.exclude_kernel, 0);
	assert_int_equal(spec.attr.exclude_hv, 1);

	/* As in perf, naming levels counts those only: :uk drops hv. */
	resolve_ok("cs:uk", &spec);
	assert_int_equal(spec.attr.config, PERF_COUNT_SW_CONTEXT_SWITCHES);
	assert_int_equal(spec.attr.exclude_user, 0);
	assert_int_equal(spec.attr.exclude_kernel, 0);
	assert_int_equal(spec.attr.exclude_hv, 1);
	resolve_ok("LLC-load-misses:ku", &spec);
	assert_int_equal(spec.attr.config, 0x10002);
	assert_int_equal(spec.attr.exclude_user, 0);
	assert_int_equal(spec.attr.exclude_kernel, 0);

	resolve_fails("cycles:x", "unknown modifier 'x' in 'cycles:x'");
	resolve_fails("cycles:ux", "unknown modifier 'x' in 'cycles:ux'");
	resolve_fails("faults:U", "unknown modifier 'U' in 'faults:U'");
	resolve_fails("cycles:", "empty modifier in 'cycles:'");
	resolve_fails("cycles:u:k", "unknown modifier ':' in 'cycles:u:k'");
}

/*
 * libpfm4 knows "cycles" too, but its :u leaves exclude_hv alone. An
 * exclude_hv of 1 shows that our table, not libpfm4, resolved the name;
 * and a bad modifier must be our error, not a libpfm4 encoding.
 */
static void test_table_wins_over_libpfm(void **state)
{
	struct event_spec spec;

	(void)state;
	resolve_ok("CYCLES:u", &spec);
	assert_int_equal(spec.attr.exclude_hv, 1);
	assert_int_equal(spec.attr.exclude_guest, 0);
	resolve_fails("instructions:u=0",
		      "unknown modifier '=' in 'instructions:u=0'");
}

static void test_did_you_mean(void **state)
{
	(void)state;
	resolve_fails("cylces", "unknown event 'cylces' (did you mean 'cycles'?)");
	resolve_fails("task-clck",
		      "unknown event 'task-clck' (did you mean 'task-clock'?)");
	resolve_fails("context-switch",
		      "unknown event 'context-switch' (did you mean 'context-switches'?)");
	resolve_fails("cylces:u",
		      "unknown event 'cylces:u' (did you mean 'cycles:u'?)");
	/* Two swapped letters are one edit, so even a short name gets help. */
	resolve_fails("sc", "unknown event 'sc' (did you mean 'cs'?)");
	resolve_fails("instrutcions",
		      "unknown event 'instrutcions' (did you mean 'instructions'?)");
}

static void test_no_suggestion(void **state)
{
	(void)state;
	resolve_fails("foo", "unknown event 'foo' (perf's names such as task-clock or cycles, or an event libpfm4 knows for this CPU)");
	resolve_fails("x", "unknown event 'x' (perf's names such as task-clock or cycles, or an event libpfm4 knows for this CPU)");
	resolve_fails("completely-unrelated-name",
		      "unknown event 'completely-unrelated-name' (perf's names such as task-clock or cycles, or an event libpfm4 knows for this CPU)");
	/* libpfm4's PMU::EVENT syntax gets no guess from the generic table. */
	resolve_fails("perf::cylces", "unknown event 'perf::cylces' (perf's names such as task-clock or cycles, or an event libpfm4 knows for this CPU)");
	/* libpfm4 calls these "invalid parameters"; to a user they are unknown. */
	resolve_fails("cycles u", "unknown event 'cycles u' (did you mean 'cycles'?)");
	resolve_fails(":u", "unknown event ':u' (perf's names such as task-clock or cycles, or an event libpfm4 knows for this CPU)");
	resolve_fails("", "empty event name");
}

static void test_small_error_buffer(void **state)
{
	struct event_spec spec;
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(event_resolve("cylces", &spec, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown");
	assert_int_equal(event_resolve("cylces", &spec, NULL, 0), -1);
}

/*
 * libpfm4's generic "perf" PMU is there on every machine, PMU or not, so
 * its spellings make a portable test of the fallback.
 */
static void test_libpfm_names(void **state)
{
	struct event_spec spec;

	(void)state;
	resolve_ok("perf::PERF_COUNT_SW_CPU_CLOCK", &spec);
	assert_int_equal(spec.attr.type, PERF_TYPE_SOFTWARE);
	assert_int_equal(spec.attr.config, PERF_COUNT_SW_CPU_CLOCK);
	assert_int_equal(spec.kind, EVENT_SOFTWARE);
	assert_string_equal(spec.unit, "ns");

	resolve_ok("perf::PERF_COUNT_SW_PAGE_FAULTS_MIN", &spec);
	assert_int_equal(spec.kind, EVENT_SOFTWARE);
	assert_string_equal(spec.unit, "");

	resolve_ok("PERF_COUNT_HW_INSTRUCTIONS", &spec);
	assert_int_equal(spec.attr.type, PERF_TYPE_HARDWARE);
	assert_int_equal(spec.attr.config, PERF_COUNT_HW_INSTRUCTIONS);
	assert_int_equal(spec.kind, EVENT_HARDWARE);
	assert_int_equal(spec.attr.exclude_kernel, 0);

	/* libpfm4's own modifiers, with its own meaning (hv left alone). */
	resolve_ok("perf::PERF_COUNT_HW_CPU_CYCLES:u", &spec);
	assert_int_equal(spec.attr.type, PERF_TYPE_HARDWARE);
	assert_int_equal(spec.attr.exclude_user, 0);
	assert_int_equal(spec.attr.exclude_kernel, 1);

	resolve_ok("perf::PERF_COUNT_HW_CACHE_L1D:READ:MISS", &spec);
	assert_int_equal(spec.attr.type, PERF_TYPE_HW_CACHE);
	assert_int_equal(spec.attr.config, 0x10000);
	assert_int_equal(spec.kind, EVENT_HARDWARE);

	/* Sampling settings belong to the collector: refused, not dropped. */
	resolve_fails("perf::PERF_COUNT_HW_CPU_CYCLES:period=1000",
		      "unsupported attribute in event 'perf::PERF_COUNT_HW_CPU_CYCLES:period=1000': pprobe takes only the event, its unit masks and privilege levels");
	resolve_fails("perf::PERF_COUNT_HW_CPU_CYCLES:bogus",
		      "invalid event 'perf::PERF_COUNT_HW_CPU_CYCLES:bogus': invalid event attribute");
}

static void test_name_length(void **state)
{
	struct event_spec spec;
	char name[EVENT_NAME_MAX + 1];
	char err[256];

	(void)state;
	/* The longest name that fits is merely unknown. */
	memset(name, 'q', EVENT_NAME_MAX - 1);
	name[EVENT_NAME_MAX - 1] = '\0';
	assert_int_equal(event_resolve(name, &spec, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown event 'qqq"));
	memset(name, 'q', EVENT_NAME_MAX);
	name[EVENT_NAME_MAX] = '\0';
	assert_int_equal(event_resolve(name, &spec, err, sizeof(err)), -1);
	assert_string_equal(err, "event name too long: 'qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq...' (at most 127 characters)");
}

static void test_default_list(void **state)
{
	static const char *const names[] = {
		"task-clock", "context-switches", "cpu-migrations", "page-faults",
		"cycles", "instructions",
	};
	struct event_list list;
	char err[256] = "";
	size_t i;

	(void)state;
	event_list_init(&list);
	assert_int_equal(event_list_parse(&list, event_default_list, err, sizeof(err)), 0);
	assert_int_equal(list.nr, sizeof(names) / sizeof(names[0]));
	for (i = 0; i < list.nr; i++) {
		assert_string_equal(list.v[i].name, names[i]);
		assert_int_equal(list.v[i].kind, i < 4 ? EVENT_SOFTWARE : EVENT_HARDWARE);
	}
	assert_string_equal(list.v[0].unit, "ns");
	event_list_release(&list);
	assert_null(list.v);
	assert_int_equal(list.nr, 0);
	event_list_release(&list);
}

static void list_fails(const char *spec, const char *want, size_t nr);

/*
 * A tracefs of our own: events/sched/<name>/id for the tracepoints the
 * sets name, sched_switch's id 316.
 */
static char *fake_tracefs(void)
{
	static const char *const names[] = { "sched_switch", "sched_wakeup", "sched_process_fork" };
	char *dir = strdup("/tmp/pprobe-tracefs-XXXXXX"), path[256];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/events", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/events/sched", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/events/sched/%s", dir, names[i]);
		assert_int_equal(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/events/sched/%s/id", dir, names[i]);
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "%zu\n", 316 + i);
		fclose(f);
	}
	return dir;
}

static void remove_fake_tracefs(char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(dir);
	event_set_tracefs(NULL);
}

/*
 * Tracepoints, by their tracefs id; the switch kinds are sched_switch
 * with a filter on the state the task left in; a tracepoint tracefs does
 * not show us is an event that will not count (not a usage error), one
 * tracefs says does not exist is unknown. libpfm4's EVENT:UMASK syntax
 * (upper case) is not taken for a tracepoint.
 */
static void test_tracepoints(void **state)
{
	char *dir = fake_tracefs(), err[256];
	struct event_spec e;

	(void)state;
	event_set_tracefs(dir);
	assert_int_equal(event_resolve("sched:sched_switch", &e, err, sizeof(err)), 0);
	assert_int_equal(e.kind, EVENT_TRACEPOINT);
	assert_int_equal(e.attr.type, PERF_TYPE_TRACEPOINT);
	assert_int_equal(e.attr.config, 316);
	assert_string_equal(e.filter, "");
	assert_int_equal(e.unavailable, 0);

	assert_int_equal(event_resolve("voluntary-context-switches", &e, err, sizeof(err)), 0);
	assert_int_equal(e.attr.config, 316);
	assert_string_equal(e.filter, "prev_state & 255");
	assert_int_equal(event_resolve("involuntary-context-switches", &e, err, sizeof(err)), 0);
	assert_string_equal(e.filter, "!(prev_state & 255)");
	assert_int_equal(e.kind, EVENT_TRACEPOINT);

	assert_int_equal(event_resolve("sched:sched_nothing", &e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown tracepoint 'sched:sched_nothing'"));
	assert_int_equal(event_resolve("nosys:x", &e, err, sizeof(err)), -1);

	/* Not visible (not root): recorded, as not permitted. */
	event_set_tracefs("");
	assert_int_equal(event_resolve("sched:sched_switch", &e, err, sizeof(err)), 0);
	assert_int_equal(e.unavailable, EACCES);
	assert_int_equal(event_resolve("voluntary-context-switches", &e, err, sizeof(err)), 0);
	assert_int_equal(e.unavailable, EACCES);
	remove_fake_tracefs(dir);
}

/* @sets expand from sets.def; a name met twice is listed once. */
static void test_sets(void **state)
{
	const struct event_set *sets;
	struct event_list list;
	char err[256];
	size_t nr = event_sets(&sets);
	char *dir = fake_tracefs();

	(void)state;
	event_set_tracefs(dir);
	assert_true(nr >= 4);
	/* Every set resolves (what a machine cannot count is an open's
	 * business, not the parser's). */
	for (size_t i = 0; i < nr; i++) {
		char spec[64];

		snprintf(spec, sizeof(spec), "@%s", sets[i].name);
		event_list_init(&list);
		if (event_list_parse(&list, spec, err, sizeof(err)))
			fail_msg("%s: %s", spec, err);
		assert_true(list.nr >= 2);
		event_list_release(&list);
	}
	event_list_init(&list);
	assert_int_equal(event_list_parse(&list, "cycles,@default,task-clock", err, sizeof(err)), 0);
	assert_int_equal(list.nr, 6); /* cycles once */
	assert_string_equal(list.v[0].name, "cycles");
	assert_string_equal(list.v[1].name, "task-clock");
	event_list_release(&list);

	event_list_init(&list);
	assert_int_equal(event_list_parse(&list, "@sched", err, sizeof(err)), 0);
	assert_string_equal(list.v[2].name, "voluntary-context-switches");
	event_list_release(&list);

	/* --count-by rusage's: what the kernel's accounting has, no more. */
	event_list_init(&list);
	assert_int_equal(event_list_parse(&list, "@rusage", err, sizeof(err)), 0);
	assert_int_equal(list.nr, 7);
	assert_string_equal(list.v[0].name, "task-clock");
	assert_string_equal(list.v[3].name, "involuntary-context-switches");
	assert_string_equal(list.v[6].name, "major-faults");
	event_list_release(&list);

	list_fails("@nope", "unknown event set '@nope' (the sets are @default, @rusage, @sched, @memory, @cache)", 0);
	list_fails("task-clock,@", "unknown event set '@' (the sets are @default, @rusage, @sched, @memory, @cache)", 1);
	remove_fake_tracefs(dir);
}

/* Parses spec into a fresh list, expecting the error want and nr events. */
static void list_fails(const char *spec, const char *want, size_t nr)
{
	struct event_list list;
	char err[256] = "";

	event_list_init(&list);
	assert_int_equal(event_list_parse(&list, spec, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_int_equal(list.nr, nr);
	event_list_release(&list);
}

static void test_list_parsing(void **state)
{
	struct event_list list;
	char err[256] = "";
	char spec[3 * EVENT_NAME_MAX];
	size_t i;

	(void)state;
	event_list_init(&list);
	assert_int_equal(event_list_parse(&list, "  cycles ,\tcs:u,cycles \n", err, sizeof(err)), 0);
	assert_int_equal(list.nr, 2);
	assert_string_equal(list.v[0].name, "cycles");
	assert_string_equal(list.v[1].name, "cs:u");
	assert_int_equal(list.v[1].attr.exclude_kernel, 1);
	/* A name given twice is listed once (perf would count it twice, and
	 * reports key their figures by name). cs and cs:u are two events. */
	/* A second call appends. */
	assert_int_equal(event_list_parse(&list, "faults", err, sizeof(err)), 0);
	assert_int_equal(list.nr, 3);
	event_list_release(&list);

	/* Enough events to make the array grow more than once: every named
	 * one, in user mode, then each again (not added twice). */
	event_list_init(&list);
	{
		const struct event_info *v;
		size_t nr = event_catalogue(&v);

		assert_true(nr > 32);
		for (int round = 0; round < 2; round++)
			for (i = 0; i < nr; i++) {
				char name[EVENT_NAME_MAX];

				if (v[i].kind == EVENT_TRACEPOINT)
					continue; /* needs tracefs: test_tracepoints */
				snprintf(name, sizeof(name), "%s:u", v[i].name);
				assert_int_equal(event_list_parse(&list, name, err, sizeof(err)), 0);
			}
		assert_int_equal(list.nr, nr - 2);
		assert_string_equal(list.v[list.nr - 1].name, "node-prefetch-misses:u");
	}
	event_list_release(&list);

	list_fails("", "empty event list", 0);
	list_fails(" \t ", "empty event list", 0);
	list_fails(",", "empty event name in ','", 0);
	list_fails("cycles,", "empty event name in 'cycles,'", 1);
	list_fails(",cycles", "empty event name in ',cycles'", 0);
	list_fails("cycles,,cs", "empty event name in 'cycles,,cs'", 1);
	list_fails("cycles, ,cs", "empty event name in 'cycles, ,cs'", 1);
	list_fails("cycles,cylces,cs",
		   "unknown event 'cylces' (did you mean 'cycles'?)", 1);

	memset(spec, 'z', sizeof(spec));
	memcpy(spec, "cs,", 3);
	spec[3 + EVENT_NAME_MAX] = '\0';
	list_fails(spec, "event name too long: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...' (at most 127 characters)", 1);
	spec[3 + EVENT_NAME_MAX] = ',';
	spec[3 + EVENT_NAME_MAX + 1] = 'x';
	spec[3 + EVENT_NAME_MAX + 2] = '\0';
	list_fails(spec, "event name too long: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...' (at most 127 characters)", 1);
}

static void test_open_task_clock(void **state)
{
	struct event_spec spec;
	uint64_t count = 0;
	int fd;

	(void)state;
	resolve_ok("task-clock", &spec);
	/* User-only, so that it works at perf_event_paranoid 2 unprivileged. */
	spec.attr.exclude_kernel = 1;
	spec.attr.exclude_hv = 1;
	fd = sys_perf_event_open(&spec.attr, 0, -1, -1, 0);
	if (fd < 0 && (errno == EACCES || errno == EPERM) && geteuid()) {
		print_message("skipped: perf_event_open refused to this user (%s): "
			      "perf_event_paranoid is above 2\n", strerror(errno));
		skip();
	}
	if (fd < 0)
		fail_msg("perf_event_open(task-clock): %s", strerror(errno));
	assert_int_equal(read(fd, &count, sizeof(count)), sizeof(count));
	close(fd);
}

static int has_cpu_pmu(void)
{
	return !access("/sys/bus/event_source/devices/cpu", F_OK) ||
	       !access("/sys/bus/event_source/devices/cpu_core", F_OK) ||
	       !access("/sys/bus/event_source/devices/cpu_atom", F_OK);
}

static void test_open_cycles_without_pmu(void **state)
{
	struct event_spec spec;
	int fd;

	(void)state;
	if (has_cpu_pmu()) {
		print_message("skipped: this machine has a hardware PMU "
			      "(/sys/bus/event_source/devices/cpu), so cycles may open\n");
		skip();
	}
	resolve_ok("cycles", &spec);
	spec.attr.exclude_kernel = 1;
	spec.attr.exclude_hv = 1;
	fd = sys_perf_event_open(&spec.attr, 0, -1, -1, 0);
	if (fd >= 0) {
		close(fd);
		print_message("skipped: cycles opened although no 'cpu' PMU is listed "
			      "(a PMU under another name)\n");
		skip();
	}
	assert_int_equal(errno, ENOENT);
}

/* libpfm4 keeps its tables until told otherwise; tidy for valgrind. */
static int teardown_pfm(void **state)
{
	(void)state;
	pfm_terminate();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic_names),
		cmocka_unit_test(test_case_is_ignored),
		cmocka_unit_test(test_hw_cache_encoding),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_table_wins_over_libpfm),
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_no_suggestion),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_libpfm_names),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_default_list),
		cmocka_unit_test(test_list_parsing),
		cmocka_unit_test(test_tracepoints),
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_open_task_clock),
		cmocka_unit_test(test_open_cycles_without_pmu),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_pfm);
}

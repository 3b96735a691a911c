/*
 * series.c - a recording's time series, folded from its records (see
 * series.h).
 *
 * COUNTS give the counters' rates, PROCS the /proc figures' rates (per
 * process, so that a process missing from one pass, skipped because it
 * was idle, adds its work to the next one it is in), CPU_COUNTS each
 * CPU's utilisation, MEM the memory, and TASK the process starts and
 * ends the timeline marks.
 */
#include "series.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"

/* Buckets start 1 ms wide: a one-second recording keeps every 10 ms
 * reading apart, and a long one doubles its way up. */
#define SERIES_FIRST_WIDTH_NS 1000000ull

void series_init(struct series *s, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap < 2 ? 2 : cap;
	s->cpu_event = s->ctxsw_event = s->voluntary_event = -1;
	s->involuntary_event = s->faults_event = -1;
	s->cycles_event = s->instructions_event = -1;
}

void series_release(struct series *s)
{
	for (size_t k = 0; k < SERIES_KINDS; k++)
		envelope_release(&s->env[k]);
	for (size_t k = 0; k < s->nr_cpu_env; k++)
		envelope_release(&s->cpu_env[k]);
	free(s->cpu_env);
	free(s->cpu_previous);
	free(s->previous);
	free(s->scratch);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}

const struct summary_run *series_run(const struct series *s,
				     const struct summary *sum)
{
	if (!s->active)
		return NULL;
	for (size_t i = 0; i < sum->nr_runs; i++)
		if (sum->runs[i].run == s->run)
			return &sum->runs[i];
	return NULL;
}

double series_seconds(const struct series *s, uint64_t t)
{
	return ((double)t - (double)s->begin_ns) / 1e9;
}

int series_counter_rate(const struct series_reading *prev,
			const struct series_reading *cur, double *per_second)
{
	double delta, enabled, running;

	if (!prev->present || !cur->present || cur->time_ns <= prev->time_ns ||
	    cur->value < prev->value)
		return -1;
	/* Not enabled at all over the interval: nothing of the tree ran
	 * (a cgroup's counter only runs while a task of the cgroup does). */
	if (cur->enabled_ns == prev->enabled_ns && cur->value == prev->value) {
		*per_second = 0;
		return 0;
	}
	/* Enabled but never on the PMU (multiplexed out): unknown. */
	if (cur->running_ns <= prev->running_ns)
		return -1;
	delta = (double)(cur->value - prev->value);
	running = (double)(cur->running_ns - prev->running_ns);
	enabled = cur->enabled_ns > prev->enabled_ns ?
		  (double)(cur->enabled_ns - prev->enabled_ns) : running;
	if (enabled > running)
		delta *= enabled / running;
	*per_second = delta * 1e9 / (double)(cur->time_ns - prev->time_ns);
	return isfinite(*per_second) ? 0 : -1;
}

/* ---- starting the run ---- */

/* The first counted event named `base` (any modifier), or -1. */
static long find_named(const struct summary *sum, const char *base)
{
	for (size_t i = 0; i < sum->nr_events; i++)
		if (sum->events[i].status == REC_EVENT_OPENED &&
		    counter_name_is(sum->events[i].name, base))
			return (long)i;
	return -1;
}

static void choose_events(struct series *s, const struct summary *sum)
{
	s->cpu_event = find_named(sum, "task-clock");
	if (s->cpu_event < 0)
		s->cpu_event = find_named(sum, "cpu-clock");
	s->ctxsw_event = find_named(sum, "context-switches");
	if (s->ctxsw_event < 0)
		s->ctxsw_event = find_named(sum, "cs");
	s->voluntary_event = find_named(sum, "voluntary-context-switches");
	s->involuntary_event = find_named(sum, "involuntary-context-switches");
	s->faults_event = find_named(sum, "page-faults");
	if (s->faults_event < 0)
		s->faults_event = find_named(sum, "faults");
	s->cycles_event = find_named(sum, "cycles");
	if (s->cycles_event < 0)
		s->cycles_event = find_named(sum, "cpu-cycles");
	s->instructions_event = find_named(sum, "instructions");
}

/*
 * Room for a previous reading of every event the file declared so far.
 * An event not read yet counts from 0 at the run's begin: counters count
 * from the command's exec, so the first interval is a rate too.
 */
static int reserve_readings(struct series *s, const struct summary *sum)
{
	struct series_reading *p;

	if (s->nr_previous >= sum->nr_events)
		return 0;
	p = realloc(s->scratch, sum->nr_events * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->scratch = p;
	p = realloc(s->previous, sum->nr_events * sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (size_t i = s->nr_previous; i < sum->nr_events; i++)
		p[i] = (struct series_reading){ .present = !s->attached,
						.time_ns = s->begin_ns };
	s->previous = p;
	s->nr_previous = sum->nr_events;
	return 0;
}

static int begin_run(struct series *s, const struct summary *sum,
		     const struct rec_run_begin *b)
{
	s->active = 1;
	s->run = b->run;
	s->begin_ns = s->last_ns = b->time_ns;
	s->attached = sum->nr_attach_pids > 0;
	s->min_interval_ns = sum->has_interval && sum->interval_ns / 2 > 1000000 ?
			     sum->interval_ns / 2 : 1000000;
	for (size_t k = 0; k < SERIES_KINDS; k++)
		envelope_init(&s->env[k], b->time_ns, SERIES_FIRST_WIDTH_NS,
			      s->cap);
	s->counts_previous_ns = b->time_ns;
	s->cpu_counts_previous_ns = b->time_ns;
	choose_events(s, sum);
	return reserve_readings(s, sum);
}

/* ---- records of the run ---- */

static void note_time(struct series *s, uint64_t t)
{
	if (t > s->last_ns)
		s->last_ns = t;
}

/* The rate of event (an index into cur, or -1) since its previous
 * reading, or -1 when it has none. */
static int rate_of(const struct series *s, long event,
		   const struct series_reading *cur, double *rate)
{
	if (event < 0 || (size_t)event >= s->nr_previous)
		return -1;
	return series_counter_rate(&s->previous[event], &cur[event], rate);
}

/*
 * Whether a reading at t comes too soon after one at `previous` to be a
 * rate: the FINAL reading, taken as the command ends, may follow the last
 * tick by microseconds, and a few faults over a few microseconds are a
 * rate of millions per second that never was. Such a reading is skipped
 * as the end of an interval; the next one's interval covers it.
 */
static int too_soon(const struct series *s, uint64_t previous, uint64_t t)
{
	return t > previous && t - previous < s->min_interval_ns;
}

/*
 * A rate over (from_ns, to_ns], put in every bucket the interval covers:
 * the chart then draws it flat over the interval it was measured on, as
 * a step, rather than as a slope from the previous interval's rate
 * (which, for /proc figures read every 100 ms or more, would smear a
 * 20 ms burst over 200 ms). The buckets only ever widen, so an interval
 * costs at most one reading per bucket it spans. Returns 0 or -ENOMEM.
 */
static int add_interval(struct envelope *e, uint64_t from_ns, uint64_t to_ns,
			double rate)
{
	uint64_t t = from_ns + 1 > e->origin_ns ? from_ns + 1 : e->origin_ns;

	while (t < to_ns) {
		if (envelope_add(e, t, rate) < 0)
			return -ENOMEM;
		/* The start of the next bucket, at the width now in use. */
		t = e->origin_ns + ((t - e->origin_ns) / e->width_ns + 1) *
				   e->width_ns;
	}
	return envelope_add(e, to_ns, rate);
}

/* Adds event's rate, divided by `unit`, to the series `kind`. Returns 0
 * or -ENOMEM. */
static int add_rate(struct series *s, enum series_kind kind, long event,
		    const struct series_reading *cur, double unit)
{
	double rate;

	if (rate_of(s, event, cur, &rate) < 0)
		return 0;
	return add_interval(&s->env[kind], s->previous[event].time_ns,
			    cur[event].time_ns, rate / unit);
}

static int add_counts(struct series *s, const struct summary *sum,
		      const struct rec *rec)
{
	struct rec_counts c;
	struct series_reading *cur;
	double cycles, instructions;
	int ret = 0;

	if (rec_decode_counts(rec, &c) < 0 || c.run != s->run)
		return 0;
	note_time(s, c.time_ns);
	if ((c.flags & REC_COUNTS_F_FINAL) &&
	    too_soon(s, s->counts_previous_ns, c.time_ns))
		return 0;
	s->counts_previous_ns = c.time_ns;
	if (reserve_readings(s, sum) < 0)
		return -ENOMEM;
	/* The new readings, beside the previous ones until all rates are
	 * taken: an event missing from this record keeps its previous. */
	cur = s->scratch;
	memcpy(cur, s->previous, s->nr_previous * sizeof(*cur));
	for (uint32_t i = 0; i < c.nr; i++) {
		struct rec_count e;
		long idx;

		rec_counts_get(&c, i, &e);
		idx = summary_event_index(sum, e.event_id);
		if (idx < 0 || (size_t)idx >= s->nr_previous)
			continue;
		cur[idx] = (struct series_reading){
			.present = 1, .time_ns = c.time_ns, .value = e.value,
			.enabled_ns = e.enabled_ns, .running_ns = e.running_ns,
		};
	}

	/* task-clock's rate is in ns per second: CPUs in use, times 1e9. */
	if (add_rate(s, SERIES_CPU_TOTAL, s->cpu_event, cur, 1e9) < 0 ||
	    add_rate(s, SERIES_CTXSW, s->ctxsw_event, cur, 1) < 0 ||
	    add_rate(s, SERIES_CTXSW_VOLUNTARY, s->voluntary_event, cur, 1) < 0 ||
	    add_rate(s, SERIES_CTXSW_INVOLUNTARY, s->involuntary_event, cur, 1) < 0 ||
	    add_rate(s, SERIES_FAULTS, s->faults_event, cur, 1) < 0)
		ret = -ENOMEM;
	else if (rate_of(s, s->cycles_event, cur, &cycles) == 0 &&
		 rate_of(s, s->instructions_event, cur, &instructions) == 0 &&
		 cycles > 0 &&
		 add_interval(&s->env[SERIES_IPC],
			      s->previous[s->cycles_event].time_ns, c.time_ns,
			      instructions / cycles) < 0)
		ret = -ENOMEM;
	/* The two arrays swap: this reading is the next one's previous. */
	s->scratch = s->previous;
	s->previous = cur;
	return ret;
}

/* ---- CPU_COUNTS: each CPU's utilisation ---- */

/* Buckets per CPU's envelope, for the CPUs expected (see series.h). */
static size_t cpu_cap(const struct series *s)
{
	size_t cap = SERIES_CPU_BUCKETS / (s->cpus_expected ? s->cpus_expected : 1);

	if (cap < SERIES_CPU_MIN_CAP)
		cap = SERIES_CPU_MIN_CAP;
	return cap < s->cap ? cap : s->cap;
}

/* Room for CPUs 0 to highest: an empty envelope and no previous
 * reading for each new one. Returns 0 or -ENOMEM. */
static int reserve_cpus(struct series *s, uint32_t highest)
{
	size_t n = (size_t)highest + 1;

	if (n > s->nr_cpu_previous) {
		struct series_reading *p = realloc(s->cpu_previous, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		memset(p + s->nr_cpu_previous, 0,
		       (n - s->nr_cpu_previous) * sizeof(*p));
		s->cpu_previous = p;
		s->nr_cpu_previous = n;
	}
	if (n > s->nr_cpu_env) {
		struct envelope *e = realloc(s->cpu_env, n * sizeof(*e));

		if (!e)
			return -ENOMEM;
		for (size_t k = s->nr_cpu_env; k < n; k++)
			envelope_init(&e[k], s->begin_ns, SERIES_FIRST_WIDTH_NS,
				      cpu_cap(s));
		s->cpu_env = e;
		s->nr_cpu_env = n;
	}
	return 0;
}

/* The CPU of entry i (into *e) if it is the CPU-time event's, else -1. */
static long cpu_entry(const struct series *s, const struct summary *sum,
		      const struct rec_counts *c, uint32_t i,
		      struct rec_count *e)
{
	rec_counts_get(c, i, e);
	if (summary_event_index(sum, e->event_id) != s->cpu_event)
		return -1;
	return (long)rec_counts_cpu(c, i);
}

static int add_cpu_counts(struct series *s, const struct summary *sum,
			  const struct rec *rec)
{
	struct rec_counts c;
	struct rec_count e;
	size_t expected;
	long highest = -1;

	if (s->cpu_event < 0 || rec_decode_cpu_counts(rec, &c) < 0 ||
	    c.run != s->run)
		return 0;
	note_time(s, c.time_ns);
	if ((c.flags & REC_COUNTS_F_FINAL) &&
	    too_soon(s, s->cpu_counts_previous_ns, c.time_ns))
		return 0;
	/* The CPUs first, so that every new envelope is sized for all of
	 * them: the first record names every CPU counted. */
	for (uint32_t i = 0; i < c.nr; i++) {
		long cpu = cpu_entry(s, sum, &c, i, &e);

		if (cpu >= SERIES_CPUS_MAX)
			s->cpus_ignored++;
		else if (cpu > highest)
			highest = cpu;
	}
	if (highest < 0)
		return 0;       /* says nothing of the CPUs: no interval */
	expected = (size_t)highest + 1;
	if (sum->has_cpus_online && sum->cpus_online > expected)
		expected = sum->cpus_online < SERIES_CPUS_MAX ?
			   (size_t)sum->cpus_online : SERIES_CPUS_MAX;
	if (expected > s->cpus_expected)
		s->cpus_expected = expected;
	if (reserve_cpus(s, (uint32_t)highest) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < c.nr; i++) {
		long cpu = cpu_entry(s, sum, &c, i, &e);
		struct series_reading *prev, cur = { .present = 1,
			.time_ns = c.time_ns, .value = e.value };

		if (cpu < 0 || cpu >= SERIES_CPUS_MAX)
			continue;
		prev = &s->cpu_previous[cpu];
		/* New: from 0 at the previous record (at the run's begin
		 * for the first), or from here after an attach. */
		if (!prev->present) {
			*prev = (struct series_reading){ .present = 1,
				.time_ns = s->cpu_counts_previous_ns };
			if (s->attached)
				*prev = cur;
		}
		if (cur.time_ns > prev->time_ns && cur.value >= prev->value &&
		    add_interval(&s->cpu_env[cpu], prev->time_ns, cur.time_ns,
				 (double)(cur.value - prev->value) /
				 (double)(cur.time_ns - prev->time_ns)) < 0)
			return -ENOMEM;
		*prev = cur;
	}
	s->cpu_counts_previous_ns = c.time_ns;
	return 0;
}

/* ---- /proc figures, per process ---- */

static size_t hash_pid(uint32_t pid, size_t size)
{
	return (size_t)(pid * 0x9e3779b1u) & (size - 1);
}

/* The slot of pid, inserted (zeroed) if new; NULL only without memory.
 * *fresh says whether it was inserted. */
static struct series_process *find_process(struct series *s, uint32_t pid,
					   int *fresh)
{
	size_t h;

	if ((s->procs_used + 1) * 2 > s->procs_size) {
		size_t size = s->procs_size ? s->procs_size * 2 : 64;
		struct series_process *table = calloc(size, sizeof(*table));

		if (!table)
			return NULL;
		for (size_t i = 0; i < s->procs_size; i++) {
			const struct series_process *p = &s->procs[i];

			if (!p->pid)
				continue;
			for (h = hash_pid(p->pid, size); table[h].pid;
			     h = (h + 1) & (size - 1))
				;
			table[h] = *p;
		}
		free(s->procs);
		s->procs = table;
		s->procs_size = size;
	}
	for (h = hash_pid(pid, s->procs_size); s->procs[h].pid;
	     h = (h + 1) & (s->procs_size - 1))
		if (s->procs[h].pid == pid) {
			*fresh = 0;
			return &s->procs[h];
		}
	s->procs[h].pid = pid;
	s->procs_used++;
	*fresh = 1;
	return &s->procs[h];
}

/* new - old of a cumulative figure; 0 when it went backwards (a reused
 * pid, whose FORK the report has not seen: it starts again from there). */
static uint64_t grew(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0;
}

/* Whether pid ran before the attach: its figures count from birth. */
static int was_present(const struct summary *sum, const struct series *s,
		       uint32_t pid)
{
	const struct summary_run *run = series_run(s, sum);
	const struct tree_process *p = run ? tree_find(&run->tree, pid) : NULL;

	return p && p->present;
}

static int add_procs(struct series *s, const struct summary *sum,
		     const struct rec *rec)
{
	struct rec_procs procs;
	double user = 0, sys = 0, minflt = 0, majflt = 0, vol = 0, invol = 0;
	int have_cpu = 0, have_faults = 0, have_ctxsw = 0;
	double seconds;
	uint64_t t, from;

	if (rec_decode_procs(rec, &procs) < 0 || procs.run != s->run)
		return 0;
	t = procs.time_ns;
	note_time(s, t);
	if (s->has_procs && too_soon(s, s->procs_previous_ns, t))
		return 0;
	for (uint32_t i = 0; i < procs.nr; i++) {
		struct series_process *p, was;
		struct rec_proc e;
		int fresh;

		rec_procs_get(&procs, i, &e);
		if (!e.pid)
			continue;
		p = find_process(s, e.pid, &fresh);
		if (!p)
			return -ENOMEM;
		/* A process running before an attach counts from its first
		 * reading; any other from its birth, after the run began
		 * (a child forked after an attach too). */
		was = *p;
		if (fresh && s->attached && was_present(sum, s, e.pid))
			was = (struct series_process){ .pid = e.pid,
				.utime_ns = e.utime_ns, .stime_ns = e.stime_ns,
				.minflt = e.minflt, .majflt = e.majflt,
				.nvcsw = e.nvcsw, .nivcsw = e.nivcsw };
		if (e.have & REC_PROC_HAVE_CPU) {
			user += (double)grew(e.utime_ns, was.utime_ns);
			sys += (double)grew(e.stime_ns, was.stime_ns);
			p->utime_ns = e.utime_ns;
			p->stime_ns = e.stime_ns;
			have_cpu = 1;
		}
		if (e.have & REC_PROC_HAVE_FAULTS) {
			minflt += (double)grew(e.minflt, was.minflt);
			majflt += (double)grew(e.majflt, was.majflt);
			p->minflt = e.minflt;
			p->majflt = e.majflt;
			have_faults = 1;
		}
		if (e.have & (REC_PROC_HAVE_CTXSW | REC_PROC_HAVE_CTXSW_MAIN)) {
			vol += (double)grew(e.nvcsw, was.nvcsw);
			invol += (double)grew(e.nivcsw, was.nivcsw);
			p->nvcsw = e.nvcsw;
			p->nivcsw = e.nivcsw;
			have_ctxsw = 1;
		}
	}
	/* The first pass has nothing to be a rate over but the run's begin. */
	if (!s->has_procs)
		s->procs_previous_ns = s->begin_ns;
	s->has_procs = 1;
	if (t <= s->procs_previous_ns)
		return 0;
	seconds = (double)(t - s->procs_previous_ns) / 1e9;
	from = s->procs_previous_ns;
	s->procs_previous_ns = t;
	if ((have_cpu &&
	     (add_interval(&s->env[SERIES_CPU_USER], from, t, user / 1e9 / seconds) < 0 ||
	      add_interval(&s->env[SERIES_CPU_SYS], from, t, sys / 1e9 / seconds) < 0)) ||
	    (have_faults &&
	     (add_interval(&s->env[SERIES_PROC_MINFLT], from, t, minflt / seconds) < 0 ||
	      add_interval(&s->env[SERIES_PROC_MAJFLT], from, t, majflt / seconds) < 0)) ||
	    (have_ctxsw &&
	     (add_interval(&s->env[SERIES_PROC_VOLUNTARY], from, t, vol / seconds) < 0 ||
	      add_interval(&s->env[SERIES_PROC_INVOLUNTARY], from, t, invol / seconds) < 0)))
		return -ENOMEM;
	return 0;
}

/* ---- memory and process starts ---- */

static int add_mem(struct series *s, const struct rec *rec)
{
	struct rec_mem m;
	int i;

	if (rec_decode_mem(rec, &m) < 0 || m.run != s->run)
		return 0;
	i = memory_backend_index(m.backend);
	if (i < 0 || !memory_backend_has_current(m.backend))
		return 0;
	note_time(s, m.time_ns);
	return envelope_add(&s->env[SERIES_MEMORY + i], m.time_ns,
			    (double)m.current_bytes);
}

static void add_marker(struct series *s, uint64_t t,
		       enum series_marker_kind kind, uint32_t pid)
{
	s->markers_seen++;
	if (s->nr_markers < SERIES_MARKERS_MAX)
		s->markers[s->nr_markers++] = (struct series_marker){
			.time_ns = t, .kind = kind, .pid = pid };
}

static void add_task(struct series *s, const struct rec *rec)
{
	struct rec_task task;

	if (rec_decode_task(rec, &task) < 0)
		return;
	note_time(s, task.time_ns);
	if (task.kind == REC_TASK_FORK && task.pid != task.ppid)
		add_marker(s, task.time_ns, SERIES_MARK_START, task.pid);
	else if (task.kind == REC_TASK_EXIT && task.tid == task.pid)
		add_marker(s, task.time_ns, SERIES_MARK_EXIT, task.pid);
}

int series_add(void *arg, const struct summary *sum, const struct rec *rec)
{
	struct series *s = arg;
	struct rec_run_begin b;
	struct rec_run_end e;

	if (s->done)
		return 0;
	if (rec->type == REC_RUN_BEGIN) {
		/* Any run after the charted one ends it (the records
		 * without a run number that follow are that run's). */
		if (s->active)
			s->done = 1;
		else if (rec_decode_run_begin(rec, &b) == 0 &&
			 !(b.flags & REC_RUN_F_WARMUP))
			return begin_run(s, sum, &b);
		return 0;
	}
	if (!s->active)
		return 0;
	switch (rec->type) {
	case REC_COUNTS:
		return add_counts(s, sum, rec);
	case REC_CPU_COUNTS:
		return add_cpu_counts(s, sum, rec);
	case REC_PROCS:
		return add_procs(s, sum, rec);
	case REC_MEM:
		return add_mem(s, rec);
	case REC_TASK:
		add_task(s, rec);
		return 0;
	case REC_RUN_END:
		if (rec_decode_run_end(rec, &e) == 0 && e.run == s->run)
			note_time(s, e.time_ns);
		return 0;
	default:
		return 0;
	}
}

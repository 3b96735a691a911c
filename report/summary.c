/*
 * summary.c - streams a recording into a struct summary (see summary.h).
 *
 * Each record type has one small add_*() function. They check what the
 * reader cannot know, because it does not interpret payloads: that a COUNTS
 * names only declared events and begun runs, that a run begins and ends
 * once. Such a record is refused as corrupt before it changes anything, so
 * the summary always holds exactly the records before the bad one.
 *
 * Events are found by id through a small open-addressing hash, because a
 * COUNTS record can hold thousands of entries and a recording thousands of
 * COUNTS; runs are found by binary search, since their indexes increase.
 * The process tree and the memory series of a run (format 1.1) are folded
 * by tree.c and memory_series.c; here they are only routed to their run.
 */
#include "summary.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"

int summary_init(struct summary *s, const char *file)
{
	memset(s, 0, sizeof(*s));
	s->status = REC_OK;
	s->only_variant = -1;
	s->file = strdup(file ? file : "");
	return s->file ? 0 : -ENOMEM;
}

void summary_only_variant(struct summary *s, uint32_t v)
{
	s->only_variant = v;
}

const struct summary_variant *summary_variant(const struct summary *s,
					      uint32_t index)
{
	for (size_t i = 0; i < s->nr_variants; i++)
		if (s->variants[i].index == index)
			return &s->variants[i];
	return NULL;
}

static void variant_release(struct summary_variant *v)
{
	for (size_t i = 0; i < v->argc; i++)
		free(v->argv[i]);
	free(v->argv);
	free(v->label);
	free(v->cpus);
}

void summary_release(struct summary *s)
{
	for (size_t i = 0; i < s->argc; i++)
		free(s->argv[i]);
	free(s->argv);
	free(s->hostname);
	free(s->kernel_release);
	free(s->machine);
	free(s->pprobe_version);
	free(s->label);
	free(s->counting);
	free(s->attach_pids);
	free(s->clock);
	for (size_t i = 0; i < s->nr_events; i++) {
		free(s->events[i].name);
		free(s->events[i].unit);
	}
	free(s->events);
	free(s->event_index);
	for (size_t i = 0; i < s->nr_runs; i++) {
		free(s->runs[i].readings);
		free(s->runs[i].load.command);
		free(s->runs[i].load.last_line);
		free(s->runs[i].sampling.why);
		free(s->runs[i].load.at_begin);
		free(s->runs[i].load.at_end);
		tree_release(&s->runs[i].tree);
		for (size_t b = 0; b < MEMORY_BACKENDS; b++)
			memory_series_release(&s->runs[i].memory[b]);
	}
	free(s->runs);
	for (size_t i = 0; i < s->nr_variants; i++)
		variant_release(&s->variants[i]);
	free(s->variants);
	for (size_t b = 0; b < MEMORY_BACKENDS; b++)
		memory_series_release(&s->sources[b]);
	free(s->file);
	memset(s, 0, sizeof(*s));
}

/* Says what is wrong with a record; returns -EINVAL for summary_add(). */
static int corrupt(struct summary *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int corrupt(struct summary *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->end_detail, sizeof(s->end_detail), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * Makes room for one more element in an array of `size`-byte elements.
 * Returns 0 or -ENOMEM (the array is then unchanged).
 */
static int grow(void **array, size_t *alloc, size_t nr, size_t size)
{
	size_t n;
	void *p;

	if (nr < *alloc)
		return 0;
	n = *alloc ? *alloc * 2 : 8;
	if (n > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*array, n * size);
	if (!p)
		return -ENOMEM;
	*array = p;
	*alloc = n;
	return 0;
}

/* ---- META ---- */

/* Replaces *field with a copy of value. 0 or -ENOMEM. */
static int set_string(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static int add_argv(struct summary *s, const char *arg)
{
	char *copy;
	char **argv;

	/* argv grows one by one; a command has few arguments. */
	if (s->argc >= SIZE_MAX / sizeof(*argv) - 1)
		return -ENOMEM;
	copy = strdup(arg);
	if (!copy)
		return -ENOMEM;
	argv = realloc(s->argv, (s->argc + 1) * sizeof(*argv));
	if (!argv) {
		free(copy);
		return -ENOMEM;
	}
	s->argv = argv;
	s->argv[s->argc++] = copy;
	return 0;
}

static int add_meta_string(struct summary *s, const struct rec_meta_entry *e)
{
	const struct {
		const char *key;
		char **field;
	} fields[] = {
		{ "hostname", &s->hostname },
		{ "kernel_release", &s->kernel_release },
		{ "machine", &s->machine },
		{ "pprobe_version", &s->pprobe_version },
		{ "label", &s->label },
		{ "clock", &s->clock },
		{ "counting", &s->counting },
	};

	if (!strcmp(e->key, "argv"))
		return add_argv(s, e->str);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(e->key, fields[i].key))
			return set_string(fields[i].field, e->str);
	return 0;
}

static int add_meta_u64(struct summary *s, const struct rec_meta_entry *e)
{
	if (!strcmp(e->key, "attach_pid")) {
		uint32_t *v;

		if (e->u64 > UINT32_MAX)
			return 0;
		v = realloc(s->attach_pids, (s->nr_attach_pids + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->attach_pids = v;
		s->attach_pids[s->nr_attach_pids++] = (uint32_t)e->u64;
	} else if (!strcmp(e->key, "cpus_online")) {
		s->cpus_online = e->u64;
		s->has_cpus_online = 1;
	} else if (!strcmp(e->key, "interval_ns")) {
		s->interval_ns = e->u64;
		s->has_interval = 1;
	} else if (!strcmp(e->key, "start_realtime_ns")) {
		s->start_realtime_ns = e->u64;
		s->has_start_realtime = 1;
	} else if (!strcmp(e->key, "start_monotonic_ns")) {
		s->start_monotonic_ns = e->u64;
		s->has_start_monotonic = 1;
	}
	return 0;
}

static int add_meta(struct summary *s, const struct rec *rec)
{
	struct rec_meta_entry e;
	size_t pos = 0;
	int ret;

	while ((ret = rec_meta_next(rec, &pos, &e)) > 0) {
		/* A key of the wrong kind is one this reader does not know. */
		switch (e.kind) {
		case REC_META_STR:
			if (e.str && add_meta_string(s, &e) < 0)
				return -ENOMEM;
			break;
		case REC_META_U64:
			if (add_meta_u64(s, &e) < 0)
				return -ENOMEM;
			break;
		case REC_META_I64:
			if (!strcmp(e.key, "perf_event_paranoid")) {
				s->perf_event_paranoid = e.i64;
				s->has_paranoid = 1;
			}
			break;
		}
	}
	/* Kinds a newer minor version adds are stepped over by
	 * rec_meta_next(); what is left is an entry that cannot be right. */
	if (ret < 0) {
		snprintf(s->end_detail, sizeof(s->end_detail),
			 "malformed metadata entry %zu bytes into the record", pos);
		return -EINVAL;
	}
	return 0;
}

/* ---- EVENT ---- */

static size_t hash_id(uint32_t id, size_t size)
{
	return (size_t)(id * 0x9e3779b1u) & (size - 1);
}

long summary_event_index(const struct summary *s, uint32_t id)
{
	if (!s->event_index_size)
		return -1;
	for (size_t h = hash_id(id, s->event_index_size);;
	     h = (h + 1) & (s->event_index_size - 1)) {
		uint32_t slot = s->event_index[h];

		if (!slot)
			return -1;
		if (s->events[slot - 1].id == id)
			return (long)slot - 1;
	}
}

static void index_insert(uint32_t *table, size_t size, uint32_t id,
			 uint32_t slot)
{
	size_t h = hash_id(id, size);

	while (table[h])
		h = (h + 1) & (size - 1);
	table[h] = slot;
}

/* Makes the hash fit nr events at most half full. 0 or -ENOMEM. */
static int index_reserve(struct summary *s, size_t nr)
{
	size_t size = s->event_index_size ? s->event_index_size : 16;
	uint32_t *table;

	if (nr > UINT32_MAX - 1)
		return -ENOMEM;
	while (size < 2 * nr)
		size *= 2;
	if (size == s->event_index_size)
		return 0;
	table = calloc(size, sizeof(*table));
	if (!table)
		return -ENOMEM;
	for (size_t i = 0; i < s->nr_events; i++)
		index_insert(table, size, s->events[i].id, (uint32_t)i + 1);
	free(s->event_index);
	s->event_index = table;
	s->event_index_size = size;
	return 0;
}

static int add_event(struct summary *s, const struct rec *rec)
{
	struct rec_event e;
	struct summary_event *se;

	if (rec_decode_event(rec, &e) < 0)
		return corrupt(s, "EVENT record does not decode");
	if (summary_event_index(s, e.id) >= 0)
		return corrupt(s, "event id %u is declared twice", e.id);
	if (grow((void **)&s->events, &s->alloc_events, s->nr_events,
		 sizeof(*s->events)) < 0 ||
	    index_reserve(s, s->nr_events + 1) < 0)
		return -ENOMEM;
	se = &s->events[s->nr_events];
	memset(se, 0, sizeof(*se));
	se->name = strdup(e.name);
	se->unit = strdup(e.unit);
	if (!se->name || !se->unit) {
		free(se->name);
		free(se->unit);
		return -ENOMEM;
	}
	se->id = e.id;
	se->group = e.group;
	se->perf_type = e.perf_type;
	se->status = e.status;
	se->config = e.config;
	se->flags = e.flags;
	se->error = e.error;
	se->offset = rec->offset;
	index_insert(s->event_index, s->event_index_size, e.id,
		     (uint32_t)s->nr_events + 1);
	s->nr_events++;
	return 0;
}

/* ---- runs ---- */

static struct summary_run *find_run(struct summary *s, uint32_t run)
{
	size_t lo = 0, hi = s->nr_runs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->runs[mid].run == run)
			return &s->runs[mid];
		if (s->runs[mid].run < run)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Starts following r's tree with its command, named as the kernel names
 * it at exec: the basename of argv[0]. 0 or -ENOMEM.
 */
static int ensure_tree(const struct summary *s, struct summary_run *r)
{
	const char *name = "", *slash;

	const struct summary_variant *v = summary_variant(s, r->variant);

	if (r->tree.followed)
		return 0;
	if (v && v->argc) {
		slash = strrchr(v->argv[0], '/');
		name = slash ? slash + 1 : v->argv[0];
	} else if (s->argc) {
		slash = strrchr(s->argv[0], '/');
		name = slash ? slash + 1 : s->argv[0];
	}
	if (tree_begin(&r->tree, r->pid, r->begin_ns, name) < 0)
		return -ENOMEM;
	if (r->ended)
		tree_set_command_exit(&r->tree, r->end.exit_kind,
				      r->end.exit_code);
	return 0;
}

/* Counts b's run for its variant, kept or skipped. */
static void count_variant_run(struct summary *s, const struct rec_run_begin *b)
{
	struct summary_variant *v =
		(struct summary_variant *)summary_variant(s, b->variant);

	if (!v)
		return;
	if (b->flags & REC_RUN_F_WARMUP)
		v->warmups++;
	else
		v->runs++;
}

/*
 * Whether a record of run `run` (or, for run < 0, of the latest run, as
 * TASK and the others without a run field) belongs to a skipped run.
 */
static int skip_run(struct summary *s, long run)
{
	if (!s->skipping || (run >= 0 && (uint32_t)run != s->skipped_run))
		return 0;
	s->skipped = 1;
	return 1;
}

static int add_variant(struct summary *s, const struct rec *rec)
{
	struct rec_variant rv;
	struct summary_variant *v;
	size_t pos = 0;
	const char *arg;

	if (rec_decode_variant(rec, &rv) < 0)
		return corrupt(s, "VARIANT record does not decode");
	if (summary_variant(s, rv.variant))
		return corrupt(s, "variant %u is declared twice", rv.variant);
	if (grow((void **)&s->variants, &s->alloc_variants, s->nr_variants,
		 sizeof(*s->variants)) < 0)
		return -ENOMEM;
	v = &s->variants[s->nr_variants];
	memset(v, 0, sizeof(*v));
	v->index = rv.variant;
	v->nr_cpus = rv.nr_cpus;
	v->label = strdup(rv.label);
	v->cpus = strdup(rv.cpus);
	v->argv = calloc(rv.nr_args ? rv.nr_args : 1, sizeof(*v->argv));
	if (!v->label || !v->cpus || !v->argv)
		goto nomem;
	while ((arg = rec_variant_arg(&rv, &pos)) != NULL) {
		v->argv[v->argc] = strdup(arg);
		if (!v->argv[v->argc])
			goto nomem;
		v->argc++;
	}
	s->nr_variants++;
	return 0;
nomem:
	variant_release(v);
	return -ENOMEM;
}

static int add_run_begin(struct summary *s, const struct rec *rec)
{
	struct rec_run_begin b;
	struct summary_run *r;

	if (rec_decode_run_begin(rec, &b) < 0)
		return corrupt(s, "RUN_BEGIN record does not decode");
	/* Runs are numbered in the order they ran: binary search needs it,
	 * and anything else is a damaged file. */
	if (s->have_last_run && b.run <= s->last_run) {
		if (find_run(s, b.run) ||
		    (s->skipping && b.run == s->skipped_run))
			return corrupt(s, "run %u begins twice", b.run);
		return corrupt(s, "run %u begins after run %u", b.run,
			       s->last_run);
	}
	s->have_last_run = 1;
	s->last_run = b.run;
	count_variant_run(s, &b);
	s->skipping = s->only_variant >= 0 && b.variant != s->only_variant;
	if (s->skipping) {
		s->skipped_run = b.run;
		s->skipped = 1;
		return 0;
	}
	if (grow((void **)&s->runs, &s->alloc_runs, s->nr_runs,
		 sizeof(*s->runs)) < 0)
		return -ENOMEM;
	r = &s->runs[s->nr_runs++];
	memset(r, 0, sizeof(*r));
	r->run = b.run;
	r->pid = b.pid;
	r->flags = b.flags;
	r->variant = b.variant;
	r->begin_ns = b.time_ns;
	tree_init(&r->tree);
	for (size_t i = 0; i < MEMORY_BACKENDS; i++) {
		memory_series_init(&r->memory[i]);
		if (memory_series_copy_source(&r->memory[i], &s->sources[i]) < 0)
			return -ENOMEM;
	}
	if (s->lost_before_run) {
		if (ensure_tree(s, r) < 0)
			return -ENOMEM;
		tree_add_lost(&r->tree, s->lost_before_run);
		s->lost_before_run = 0;
	}
	return 0;
}

/* Makes r->readings as long as the event table. 0 or -ENOMEM. */
static int reserve_readings(const struct summary *s, struct summary_run *r)
{
	struct summary_reading *p;

	if (r->nr_readings >= s->nr_events)
		return 0;
	p = realloc(r->readings, s->nr_events * sizeof(*p));
	if (!p)
		return -ENOMEM;
	memset(p + r->nr_readings, 0,
	       (s->nr_events - r->nr_readings) * sizeof(*p));
	r->readings = p;
	r->nr_readings = s->nr_events;
	return 0;
}

static void add_sample_time(struct summary_run *r, uint64_t t)
{
	r->samples++;
	/* A clock going backwards makes no gap; the sample still counts. */
	if (r->samples > 1 && t >= r->last_sample_ns) {
		uint64_t gap = t - r->last_sample_ns;

		r->gaps++;
		r->gap_sum_ns += gap;
		if (gap > r->gap_max_ns)
			r->gap_max_ns = gap;
	}
	r->last_sample_ns = t;
}

/*
 * The run of a decoded COUNTS or CPU_COUNTS (type names it), in *out,
 * once it is known to have begun and every entry to name a declared
 * event: checked before any is taken, so a bad record changes nothing.
 * 0, with *out NULL for a skipped run; or -EINVAL (corrupt).
 */
static int counts_run(struct summary *s, const struct rec_counts *c,
		      const char *type, struct summary_run **out)
{
	struct rec_count e;

	*out = NULL;
	if (skip_run(s, c->run))
		return 0;
	*out = find_run(s, c->run);
	if (!*out)
		return corrupt(s, "%s for run %u, which has not begun", type, c->run);
	for (uint32_t i = 0; i < c->nr; i++) {
		rec_counts_get(c, i, &e);
		if (summary_event_index(s, e.event_id) < 0)
			return corrupt(s, "%s refers to event id %u, which no EVENT declared",
				       type, e.event_id);
	}
	return 0;
}

static int add_counts(struct summary *s, const struct rec *rec)
{
	struct rec_counts c;
	struct rec_count e;
	struct summary_run *r;
	int final, err;

	if (rec_decode_counts(rec, &c) < 0)
		return corrupt(s, "COUNTS record does not decode");
	err = counts_run(s, &c, "COUNTS", &r);
	if (err || !r)
		return err;
	if (reserve_readings(s, r) < 0)
		return -ENOMEM;

	final = !!(c.flags & REC_COUNTS_F_FINAL);
	if (!final)
		add_sample_time(r, c.time_ns);
	/* The FINAL values are the totals; a sample after them (there
	 * should be none) does not replace them. */
	if (r->has_final && !final)
		return 0;
	for (uint32_t i = 0; i < c.nr; i++) {
		struct summary_reading *reading;

		rec_counts_get(&c, i, &e);
		reading = &r->readings[summary_event_index(s, e.event_id)];
		reading->present = 1;
		reading->value = e.value;
		reading->enabled_ns = e.enabled_ns;
		reading->running_ns = e.running_ns;
	}
	r->has_counts = 1;
	r->last_counts_ns = c.time_ns;
	r->has_final |= final;
	return 0;
}

static int add_run_end(struct summary *s, const struct rec *rec)
{
	struct rec_run_end e;
	struct summary_run *r;

	if (rec_decode_run_end(rec, &e) < 0)
		return corrupt(s, "RUN_END record does not decode");
	if (skip_run(s, e.run))
		return 0;
	r = find_run(s, e.run);
	if (!r)
		return corrupt(s, "RUN_END for run %u, which has not begun", e.run);
	if (r->ended)
		return corrupt(s, "run %u ends twice", e.run);
	r->ended = 1;
	r->end = e;
	if (r->tree.followed)
		tree_set_command_exit(&r->tree, e.exit_kind, e.exit_code);
	return 0;
}

/* ---- the process tree and memory (format 1.1) ---- */

/* The run records without a run field belong to: the latest begun. */
static struct summary_run *current_run(struct summary *s)
{
	return s->nr_runs ? &s->runs[s->nr_runs - 1] : NULL;
}

/*
 * The run a TASK or PROC_EXIT belongs to, its tree followed, in *out:
 * NULL when there is none (before any run) or its run is skipped.
 * 0 or -ENOMEM.
 */
static int current_tree(struct summary *s, struct summary_run **out)
{
	*out = skip_run(s, -1) ? NULL : current_run(s);
	return *out && ensure_tree(s, *out) < 0 ? -ENOMEM : 0;
}

static int add_task(struct summary *s, const struct rec *rec)
{
	struct rec_task t;
	struct summary_run *r;

	if (rec_decode_task(rec, &t) < 0)
		return corrupt(s, "TASK record does not decode");
	if (current_tree(s, &r) < 0)
		return -ENOMEM;
	return r ? tree_add_task(&r->tree, &t) : 0;
}

static int add_lost(struct summary *s, const struct rec *rec)
{
	struct rec_lost l;
	struct summary_run *r;

	if (rec_decode_lost(rec, &l) < 0)
		return corrupt(s, "LOST record does not decode");
	if (skip_run(s, -1))
		return 0;
	r = current_run(s);
	if (!r) {
		s->lost_before_run = l.lost > UINT64_MAX - s->lost_before_run ?
				     UINT64_MAX : s->lost_before_run + l.lost;
		return 0;
	}
	if (ensure_tree(s, r) < 0)
		return -ENOMEM;
	tree_add_lost(&r->tree, l.lost);
	return 0;
}

static int add_procs(struct summary *s, const struct rec *rec)
{
	struct rec_procs p;
	struct rec_proc e;
	struct summary_run *r;

	if (rec_decode_procs(rec, &p) < 0)
		return corrupt(s, "PROCS record does not decode");
	if (skip_run(s, p.run))
		return 0;
	r = find_run(s, p.run);
	if (!r)
		return corrupt(s, "PROCS for run %u, which has not begun", p.run);
	if (ensure_tree(s, r) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < p.nr; i++) {
		rec_procs_get(&p, i, &e);
		if (tree_add_proc(&r->tree, &e) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int add_proc_exit(struct summary *s, const struct rec *rec)
{
	struct rec_proc_exit e;
	struct summary_run *r;

	if (rec_decode_proc_exit(rec, &e) < 0)
		return corrupt(s, "PROC_EXIT record does not decode");
	if (current_tree(s, &r) < 0)
		return -ENOMEM;
	return r ? tree_add_proc_exit(&r->tree, &e) : 0;
}

static int add_mem_source(struct summary *s, const struct rec *rec)
{
	struct rec_mem_source m;
	struct summary_run *r;
	int i;

	if (rec_decode_mem_source(rec, &m) < 0)
		return corrupt(s, "MEM_SOURCE record does not decode");
	i = memory_backend_index(m.backend);
	if (i < 0)
		return 0;  /* a backend from a newer pprobe */
	if (memory_series_set_source(&s->sources[i], &m) < 0)
		return -ENOMEM;
	r = s->skipping ? NULL : current_run(s);
	if (r && !r->ended && memory_series_set_source(&r->memory[i], &m) < 0)
		return -ENOMEM;
	return 0;
}

static int add_mem(struct summary *s, const struct rec *rec)
{
	struct rec_mem m;
	struct summary_run *r;
	int i;

	if (rec_decode_mem(rec, &m) < 0)
		return corrupt(s, "MEM record does not decode");
	if (skip_run(s, m.run))
		return 0;
	r = find_run(s, m.run);
	if (!r)
		return corrupt(s, "MEM for run %u, which has not begun", m.run);
	i = memory_backend_index(m.backend);
	if (i >= 0)
		memory_series_add(&r->memory[i], &m);
	return 0;
}

/* ---- the load window (format 1.4) ---- */

/* A copy of the run's latest readings: the counters at a window's edge. */
static int copy_readings(const struct summary_run *r,
			 struct summary_reading **out, size_t *nr)
{
	free(*out);
	*nr = 0;
	*out = malloc((r->nr_readings ? r->nr_readings : 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	if (r->nr_readings)
		memcpy(*out, r->readings, r->nr_readings * sizeof(**out));
	*nr = r->nr_readings;
	return 0;
}

/* The last non-empty line of text, as a new string; NULL when none. */
static char *last_line(const char *text)
{
	size_t end = strlen(text), start;
	char *line;

	while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' ||
			   text[end - 1] == ' '))
		end--;
	start = end;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	if (start == end)
		return NULL;
	line = malloc(end - start + 1);
	if (line) {
		memcpy(line, text + start, end - start);
		line[end - start] = '\0';
	}
	return line;
}

static int add_load(struct summary *s, const struct rec *rec)
{
	struct rec_load l;
	struct summary_run *r;
	struct summary_load *d;

	if (rec_decode_load(rec, &l) < 0)
		return corrupt(s, "LOAD record does not decode");
	if (skip_run(s, l.run))
		return 0;
	r = find_run(s, l.run);
	if (!r)
		return corrupt(s, "LOAD for run %u, which has not begun", l.run);
	d = &r->load;
	if (l.kind == REC_LOAD_BEGIN) {
		if (d->began)
			return corrupt(s, "run %u has a second load", l.run);
		d->began = 1;
		d->begin_ns = l.time_ns;
		d->pid = l.pid;
		if (set_string(&d->command, l.command) < 0)
			return -ENOMEM;
		return copy_readings(r, &d->at_begin, &d->nr_at_begin);
	}
	if (l.kind != REC_LOAD_END)
		return 0; /* a kind from a newer minor version */
	if (!d->began || d->ended)
		return corrupt(s, "run %u: a load ends that did not begin", l.run);
	if (l.time_ns < d->begin_ns)
		return corrupt(s, "run %u: its load ends before it began", l.run);
	d->ended = 1;
	d->end_ns = l.time_ns;
	d->flags = l.flags;
	d->exit_kind = l.exit_kind;
	d->exit_code = l.exit_code;
	d->requests = l.requests;
	d->rusage = l.rusage;
	d->last_line = last_line(l.output);
	return copy_readings(r, &d->at_end, &d->nr_at_end);
}

static int add_sampling(struct summary *s, const struct rec *rec)
{
	struct rec_sampling g;
	struct summary_run *r;
	struct summary_sampling *d;

	if (rec_decode_sampling(rec, &g) < 0)
		return corrupt(s, "SAMPLING record does not decode");
	if (skip_run(s, g.run))
		return 0;
	r = find_run(s, g.run);
	if (!r)
		return corrupt(s, "SAMPLING for run %u, which has not begun", g.run);
	d = &r->sampling;
	if (g.kind == REC_SAMPLING_BEGIN) {
		if (d->began)
			return corrupt(s, "run %u is sampled twice", g.run);
		d->began = 1;
		d->status = g.status;
		d->frequency = g.frequency;
		d->flags = g.flags;
		d->error = g.error;
		if (g.status != REC_SAMPLING_RECORDING && g.why[0] &&
		    set_string(&d->why, g.why) < 0)
			return -ENOMEM;
		return 0;
	}
	if (g.kind != REC_SAMPLING_END)
		return 0; /* a kind from a newer minor version */
	if (!d->began || d->ended)
		return corrupt(s, "run %u: sampling ends that did not begin", g.run);
	d->ended = 1;
	d->lost = g.lost;
	d->throttled = g.throttled;
	return 0;
}

/* Samples and mappings: the profile's (profile.c); counted and checked
 * here. */
static int add_sample(struct summary *s, const struct rec *rec)
{
	struct rec_sample sa;
	struct summary_run *r;

	if (rec_decode_sample(rec, &sa) < 0)
		return corrupt(s, "SAMPLE record does not decode");
	if (skip_run(s, -1))
		return 0;
	r = current_run(s);
	if (r)
		r->sampling.samples++;
	return 0;
}

static int add_mmap(struct summary *s, const struct rec *rec)
{
	struct rec_mmap m;

	if (rec_decode_mmap(rec, &m) < 0)
		return corrupt(s, "MMAP record does not decode");
	(void)skip_run(s, -1);
	return 0;
}

/* Per-CPU counts are the series' business (series.c); checked here. */
static int add_cpu_counts(struct summary *s, const struct rec *rec)
{
	struct rec_counts c;
	struct summary_run *r;

	if (rec_decode_cpu_counts(rec, &c) < 0)
		return corrupt(s, "CPU_COUNTS record does not decode");
	return counts_run(s, &c, "CPU_COUNTS", &r);
}

int summary_add(struct summary *s, const struct rec *rec)
{
	s->skipped = 0;
	switch (rec->type) {
	case REC_META:
		return add_meta(s, rec);
	case REC_EVENT:
		return add_event(s, rec);
	case REC_RUN_BEGIN:
		return add_run_begin(s, rec);
	case REC_COUNTS:
		return add_counts(s, rec);
	case REC_RUN_END:
		return add_run_end(s, rec);
	case REC_TASK:
		return add_task(s, rec);
	case REC_LOST:
		return add_lost(s, rec);
	case REC_PROCS:
		return add_procs(s, rec);
	case REC_PROC_EXIT:
		return add_proc_exit(s, rec);
	case REC_MEM_SOURCE:
		return add_mem_source(s, rec);
	case REC_MEM:
		return add_mem(s, rec);
	case REC_CPU_COUNTS:
		return add_cpu_counts(s, rec);
	case REC_VARIANT:
		return add_variant(s, rec);
	case REC_LOAD:
		return add_load(s, rec);
	case REC_SAMPLING:
		return add_sampling(s, rec);
	case REC_SAMPLE:
		return add_sample(s, rec);
	case REC_MMAP:
		return add_mmap(s, rec);
	default:
		/* A type from a newer minor version (or END, which the
		 * reader keeps to itself): skipped by its size. */
		return 0;
	}
}

enum rec_status summary_read(struct summary *s, int fd)
{
	return summary_read_with(s, fd, NULL, NULL);
}

enum rec_status summary_read_with(struct summary *s, int fd,
				  summary_hook hook, void *arg)
{
	struct rec_reader r;
	struct rec rec;
	enum rec_status st;
	int ret;

	st = rec_reader_open(&r, fd);
	s->major = r.major;
	s->minor = r.minor;
	if (st == REC_OK) {
		s->opened = 1;
		while ((st = rec_reader_next(&r, &rec)) == REC_OK) {
			ret = summary_add(s, &rec);
			if (ret == 0 && hook && !s->skipped)
				ret = hook(arg, s, &rec);
			if (ret == 0)
				continue;
			s->end_offset = rec.offset;
			if (ret == -ENOMEM) {
				st = REC_ERR_IO;
				s->end_errno = ENOMEM;
				snprintf(s->end_detail, sizeof(s->end_detail),
					 "out of memory");
			} else {
				st = REC_ERR_CORRUPT;
			}
			goto out;
		}
	}
	s->end_offset = r.offset;
	s->end_errno = r.error;
	if (st == REC_DONE)
		s->end_detail[0] = '\0';
	else
		snprintf(s->end_detail, sizeof(s->end_detail), "%s", r.detail);
out:
	s->status = st;
	s->records = r.records;
	rec_reader_release(&r);
	return st;
}

/* ---- judgements ---- */

const struct summary_reading *summary_reading(const struct summary_run *r,
					      size_t i)
{
	if (i >= r->nr_readings || !r->readings[i].present)
		return NULL;
	return &r->readings[i];
}

void summary_judge(const struct summary *s, const struct summary_run *r,
		   size_t i, struct counter_view *out)
{
	const struct summary_event *e = &s->events[i];
	const struct summary_reading *reading = summary_reading(r, i);
	struct counter_input in = {
		.name = e->name,
		.raw_unit = e->unit,
		.open_status = e->status,
		.flags = e->flags,
		.has_reading = reading != NULL,
	};

	if (reading) {
		in.raw = reading->value;
		in.enabled_ns = reading->enabled_ns;
		in.running_ns = reading->running_ns;
	}
	counter_judge(&in, out);
}

int summary_run_wall_ns(const struct summary_run *r, uint64_t *ns)
{
	uint64_t until;

	if (r->ended)
		until = r->end.time_ns;
	else if (r->has_counts)
		until = r->last_counts_ns;
	else
		return -1;
	if (until < r->begin_ns)
		return -1;
	*ns = until - r->begin_ns;
	return 0;
}

int summary_run_cpu_seconds(const struct summary_run *r, double *user,
			    double *sys)
{
	/* An attach has no rusage: pprobe was not the parent. */
	if (!r->ended || r->end.exit_kind == REC_EXIT_ATTACHED)
		return -1;
	*user = (double)r->end.rusage.utime_us / 1e6;
	*sys = (double)r->end.rusage.stime_us / 1e6;
	return 0;
}

int summary_run_exit(const struct summary_run *r, int *status, int *signal)
{
	if (!r->ended)
		return -1;
	return tree_exit_status(r->end.exit_kind, r->end.exit_code, status, signal);
}

int summary_run_interval_ms(const struct summary_run *r, double *mean,
			    double *max)
{
	if (!r->gaps)
		return -1;
	*mean = (double)r->gap_sum_ns / (double)r->gaps / 1e6;
	*max = (double)r->gap_max_ns / 1e6;
	return 0;
}

long summary_cpu_time_event(const struct summary *s, const struct summary_run *r)
{
	static const char *const names[] = { "task-clock", "cpu-clock" };
	struct counter_view v;

	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		for (size_t i = 0; i < s->nr_events; i++) {
			if (!counter_name_is(s->events[i].name, names[n]))
				continue;
			summary_judge(s, r, i, &v);
			if (v.has_value && v.is_time)
				return (long)i;
		}
	}
	return -1;
}

int summary_run_cpus_utilized(const struct summary *s,
			      const struct summary_run *r, double *cpus)
{
	struct counter_view v;
	uint64_t wall_ns;
	long i = summary_cpu_time_event(s, r);

	if (i < 0 || summary_run_wall_ns(r, &wall_ns) < 0 || wall_ns == 0)
		return -1;
	summary_judge(s, r, (size_t)i, &v);
	/* v.value is in msec. */
	*cpus = v.value * 1e6 / (double)wall_ns;
	return 0;
}

int summary_run_has_tree(const struct summary_run *r)
{
	return r->tree.followed;
}

int summary_run_has_memory(const struct summary_run *r)
{
	for (size_t i = 0; i < MEMORY_BACKENDS; i++)
		if (r->memory[i].declared || r->memory[i].readings)
			return 1;
	return 0;
}

double summary_run_seconds(const struct summary_run *r, uint64_t t)
{
	if (t >= r->begin_ns)
		return (double)(t - r->begin_ns) / 1e9;
	return -(double)(r->begin_ns - t) / 1e9;
}

int summary_load_seconds(const struct summary_run *r, double *seconds)
{
	if (!r->load.began || !r->load.ended)
		return -1;
	*seconds = (double)(r->load.end_ns - r->load.begin_ns) / 1e9;
	return 0;
}

/* A reading scaled to its enabled time, as counter_judge() scales. */
static double scaled_value(const struct summary_reading *x)
{
	if (x->running_ns && x->running_ns < x->enabled_ns)
		return (double)x->value * ((double)x->enabled_ns / (double)x->running_ns);
	return (double)x->value;
}

int summary_load_delta(const struct summary *s, const struct summary_run *r,
		       size_t i, double *value)
{
	const struct summary_load *l = &r->load;
	const struct summary_reading *a, *b;

	if (!l->began || !l->ended || i >= s->nr_events ||
	    i >= l->nr_at_begin || i >= l->nr_at_end)
		return -1;
	a = &l->at_begin[i];
	b = &l->at_end[i];
	if (!a->present || !b->present || !b->running_ns)
		return -1;
	*value = scaled_value(b) - scaled_value(a);
	if (*value < 0)
		*value = 0;
	return 0;
}

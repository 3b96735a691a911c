/*
 * tree.c - the processes of one run, folded from TASK, PROCS, PROC_EXIT
 * and LOST records, and the table the report prints of them (see tree.h).
 *
 * Processes live in one array in the order they were first named, so an
 * index stays valid while the array grows (pointers do not: every function
 * that may add a process takes its pointers again afterwards). A pid finds
 * its latest process through an open-addressing hash, as summary.c finds
 * events: a tree of a thousand short-lived children gets a PROCS entry per
 * live child per tick, and each must cost O(1).
 */
#include "tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tree_init(struct tree *t)
{
	memset(t, 0, sizeof(*t));
}

void tree_release(struct tree *t)
{
	free(t->procs);
	free(t->index);
	memset(t, 0, sizeof(*t));
}

/* ---- the pid hash ---- */

static size_t hash_pid(uint32_t pid, size_t size)
{
	return (size_t)(pid * 0x9e3779b1u) & (size - 1);
}

static long find_index(const struct tree *t, uint32_t pid)
{
	if (!t->index_size)
		return -1;
	for (size_t h = hash_pid(pid, t->index_size);;
	     h = (h + 1) & (t->index_size - 1)) {
		uint32_t slot = t->index[h];

		if (!slot)
			return -1;
		if (t->procs[slot - 1].pid == pid)
			return (long)slot - 1;
	}
}

/* Points pid's entry at slot (index + 1), replacing the one it had. */
static void index_put(uint32_t *table, size_t size,
		      const struct tree_process *procs, uint32_t pid,
		      uint32_t slot)
{
	size_t h = hash_pid(pid, size);

	while (table[h] && procs[table[h] - 1].pid != pid)
		h = (h + 1) & (size - 1);
	table[h] = slot;
}

/* Makes the hash fit nr processes at most half full. 0 or -ENOMEM. */
static int index_reserve(struct tree *t, size_t nr)
{
	size_t size = t->index_size ? t->index_size : 64;
	uint32_t *table;

	while (size < 2 * nr)
		size *= 2;
	if (size == t->index_size)
		return 0;
	table = calloc(size, sizeof(*table));
	if (!table)
		return -ENOMEM;
	/* In array order, so a reused pid ends up at its latest process. */
	for (size_t i = 0; i < t->nr; i++)
		index_put(table, size, t->procs, t->procs[i].pid, (uint32_t)i + 1);
	free(t->index);
	t->index = table;
	t->index_size = size;
	return 0;
}

/* Appends a process with only its pid known. Its index, or -ENOMEM. */
static long new_process(struct tree *t, uint32_t pid)
{
	struct tree_process *p;

	/* Slots are index + 1 in a u32, and the hash needs 2 * nr. */
	if (t->nr >= UINT32_MAX / 2)
		return -ENOMEM;
	if (t->nr == t->alloc) {
		size_t n = t->alloc ? t->alloc * 2 : 16;

		if (n > SIZE_MAX / sizeof(*p))
			return -ENOMEM;
		p = realloc(t->procs, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->procs = p;
		t->alloc = n;
	}
	if (index_reserve(t, t->nr + 1) < 0)
		return -ENOMEM;
	p = &t->procs[t->nr];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	index_put(t->index, t->index_size, t->procs, pid, (uint32_t)t->nr + 1);
	return (long)t->nr++;
}

static long find_or_new(struct tree *t, uint32_t pid)
{
	long i = find_index(t, pid);

	return i >= 0 ? i : new_process(t, pid);
}

const struct tree_process *tree_find(const struct tree *t, uint32_t pid)
{
	long i = find_index(t, pid);

	return i >= 0 ? &t->procs[i] : NULL;
}

/* ---- folding records in ---- */

/* Copies a name, cut to fit on a UTF-8 character boundary. */
static void set_command(struct tree_process *p, const char *name)
{
	size_t n = strlen(name);

	if (n > TREE_COMMAND_MAX - 1) {
		n = TREE_COMMAND_MAX - 1;
		/* Cut before the character the limit falls inside. */
		while (n && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(p->command, name, n);
	p->command[n] = '\0';
}

int tree_begin(struct tree *t, uint32_t pid, uint64_t begin_ns,
	       const char *name)
{
	struct tree_process *p;
	long i;

	t->followed = 1;
	t->begin_ns = begin_ns;
	i = new_process(t, pid);
	if (i < 0)
		return (int)i;
	p = &t->procs[i];
	p->is_command = 1;
	p->has_start = 1;
	p->start_ns = begin_ns;
	set_command(p, name ? name : "");
	return 0;
}

static int add_fork(struct tree *t, const struct rec_task *task)
{
	long parent = find_index(t, task->ppid);
	long i = find_index(t, task->pid);
	struct tree_process *p;

	/* A FORK after the end of the pid's process: the pid was reused. */
	if (i >= 0 && t->procs[i].has_end && task->time_ns > t->procs[i].end_ns)
		i = -1;
	if (i < 0) {
		i = new_process(t, task->pid);
		if (i < 0)
			return (int)i;
	}
	p = &t->procs[i];
	/* Records that came before their FORK made the process already;
	 * the command begins at RUN_BEGIN whatever a FORK says. */
	if (!p->has_start || (!p->is_command && task->time_ns < p->start_ns)) {
		p->has_start = 1;
		p->start_ns = task->time_ns;
	}
	p->ppid = task->ppid;
	p->has_ppid = 1;
	if (parent >= 0 && parent != i) {
		/* Fork copies the name; an EXEC seen first already set it. */
		if (!p->command[0])
			memcpy(p->command, t->procs[parent].command,
			       sizeof(p->command));
		t->procs[parent].children++;
	}
	return 0;
}

static int add_exit(struct tree *t, const struct rec_task *task)
{
	long i = find_or_new(t, task->pid);
	struct tree_process *p;

	if (i < 0)
		return (int)i;
	p = &t->procs[i];
	if (!p->has_ppid && task->ppid) {
		p->ppid = task->ppid;
		p->has_ppid = 1;
	}
	if (task->tid == task->pid) {
		p->main_exited = 1;
		if (!p->has_end || task->time_ns > p->end_ns)
			p->end_ns = task->time_ns;
		p->has_end = 1;
	} else if (p->main_exited && task->time_ns > p->end_ns) {
		/* A thread that outlived the main one: the process ends
		 * with its last thread. */
		p->end_ns = task->time_ns;
	}
	return 0;
}

/*
 * A task that ran when pprobe attached. Its life began before the
 * recording: it is shown from the recording's start, and its /proc
 * figures from then on (see tree_add_proc()).
 */
static int add_present(struct tree *t, const struct rec_task *task)
{
	long i = find_or_new(t, task->pid);
	struct tree_process *p;

	if (i < 0)
		return (int)i;
	p = &t->procs[i];
	if (task->tid != task->pid) {
		p->thread_forks++;
		return 0;
	}
	p->present = 1;
	p->has_start = 1;
	p->start_ns = task->time_ns;
	p->ppid = task->ppid;
	p->has_ppid = 1;
	if (task->comm && task->comm[0])
		set_command(p, task->comm);
	return 0;
}

int tree_add_task(struct tree *t, const struct rec_task *task)
{
	struct tree_process *p;
	long i;

	switch (task->kind) {
	case REC_TASK_FORK:
		if (task->pid != task->ppid)
			return add_fork(t, task);
		i = find_or_new(t, task->pid);
		if (i < 0)
			return (int)i;
		t->procs[i].thread_forks++;
		return 0;
	case REC_TASK_EXEC:
	case REC_TASK_COMM:
		/* A thread renamed with prctl() is not its process. */
		if (task->kind == REC_TASK_COMM && task->tid != task->pid)
			return 0;
		i = find_or_new(t, task->pid);
		if (i < 0)
			return (int)i;
		p = &t->procs[i];
		if (task->kind == REC_TASK_EXEC) {
			/* Exec from another thread ended the main thread
			 * first; the process lives on as tid == pid. */
			p->main_exited = 0;
			p->has_end = 0;
		}
		if (task->comm && task->comm[0])
			set_command(p, task->comm);
		return 0;
	case REC_TASK_EXIT:
		return add_exit(t, task);
	case REC_TASK_PRESENT:
		return add_present(t, task);
	default:
		/* A kind from a newer pprobe. */
		return 0;
	}
}

/* Whether an entry's cumulative figures are below what p holds. */
static int went_down(const struct tree_process *p, const struct rec_proc *e)
{
	if ((p->have & TREE_HAVE_CPU) && (e->have & REC_PROC_HAVE_CPU) &&
	    e->utime_ns + e->stime_ns < p->utime_ns + p->stime_ns)
		return 1;
	return (p->have & TREE_HAVE_FAULTS) && (e->have & REC_PROC_HAVE_FAULTS) &&
	       e->minflt + e->majflt < p->minflt + p->majflt;
}

int tree_add_proc(struct tree *t, const struct rec_proc *e)
{
	struct tree_process *p;
	long i = find_or_new(t, e->pid);

	if (i < 0)
		return (int)i;
	p = &t->procs[i];
	/* Not this process: a new one with its pid, whose FORK is late. */
	if (p->has_end && went_down(p, e))
		return 0;
	p->has_procs = 1;
	if (p->present && !p->has_base) {
		/* The first reading after the attach: from here on. */
		p->has_base = 1;
		p->base_utime_ns = e->utime_ns;
		p->base_stime_ns = e->stime_ns;
		p->base_minflt = e->minflt;
		p->base_majflt = e->majflt;
		p->base_nvcsw = e->nvcsw;
		p->base_nivcsw = e->nivcsw;
	}
	if (e->have & REC_PROC_HAVE_CPU) {
		p->utime_ns = e->utime_ns;
		p->stime_ns = e->stime_ns;
		p->have |= TREE_HAVE_CPU;
	}
	if (e->have & REC_PROC_HAVE_FAULTS) {
		p->minflt = e->minflt;
		p->majflt = e->majflt;
		p->have |= TREE_HAVE_FAULTS;
	}
	if (e->have & (REC_PROC_HAVE_CTXSW | REC_PROC_HAVE_CTXSW_MAIN)) {
		p->nvcsw = e->nvcsw;
		p->nivcsw = e->nivcsw;
		p->have &= ~(TREE_HAVE_CTXSW | TREE_HAVE_CTXSW_MAIN);
		p->have |= (e->have & REC_PROC_HAVE_CTXSW) ? TREE_HAVE_CTXSW :
							     TREE_HAVE_CTXSW_MAIN;
	}
	if ((e->have & REC_PROC_HAVE_RSS) && e->rss_bytes > p->rss_max)
		p->rss_max = e->rss_bytes;
	if ((e->have & REC_PROC_HAVE_HWM) && e->hwm_bytes > p->hwm_max)
		p->hwm_max = e->hwm_bytes;
	if (e->have & (REC_PROC_HAVE_RSS | REC_PROC_HAVE_HWM))
		p->have |= TREE_HAVE_RSS;
	if (e->have & REC_PROC_HAVE_MIGRATIONS) {
		p->migrations = e->migrations;
		p->have |= TREE_HAVE_MIGRATIONS;
	}
	if ((e->have & REC_PROC_HAVE_THREADS) && e->threads > p->threads_max)
		p->threads_max = e->threads;
	return 0;
}

int tree_add_proc_exit(struct tree *t, const struct rec_proc_exit *e)
{
	struct tree_process *p;
	long i = find_or_new(t, e->pid);

	if (i < 0)
		return (int)i;
	p = &t->procs[i];
	p->has_exit = 1;
	p->exit_kind = e->exit_kind;
	p->exit_code = e->exit_code;
	p->has_exit_rusage = 1;
	p->exit_ns = e->time_ns;
	p->rusage = e->rusage;
	return 0;
}

void tree_add_lost(struct tree *t, uint64_t lost)
{
	t->lost = lost > UINT64_MAX - t->lost ? UINT64_MAX : t->lost + lost;
	t->lost_reports++;
}

void tree_set_command_exit(struct tree *t, uint32_t exit_kind,
			   int32_t exit_code)
{
	for (size_t i = 0; i < t->nr; i++) {
		struct tree_process *p = &t->procs[i];

		if (!p->is_command)
			continue;
		if (!p->has_exit) {
			p->has_exit = 1;
			p->exit_kind = exit_kind;
			p->exit_code = exit_code;
		}
		return;
	}
}

/* ---- judgements ---- */

static uint64_t process_threads(const struct tree_process *p)
{
	uint64_t seen = 1 + (uint64_t)p->thread_forks;

	return p->threads_max > seen ? p->threads_max : seen;
}

uint64_t tree_threads(const struct tree *t)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < t->nr; i++)
		sum += process_threads(&t->procs[i]) - 1;
	return sum;
}

int tree_migrations(const struct tree *t, uint64_t *sum)
{
	int found = 0;

	*sum = 0;
	for (size_t i = 0; i < t->nr; i++)
		if (t->procs[i].have & TREE_HAVE_MIGRATIONS) {
			*sum += t->procs[i].migrations;
			found = 1;
		}
	return found ? 0 : -1;
}

/* t - begin in seconds, negative when t is before begin. */
static double seconds_since(uint64_t begin, uint64_t t)
{
	if (t >= begin)
		return (double)(t - begin) / 1e9;
	return -(double)(begin - t) / 1e9;
}

int tree_exit_status(uint32_t kind, int32_t code, int *status, int *signal)
{
	switch (kind) {
	case REC_EXIT_NORMAL:
		*status = code;
		*signal = 0;
		return 0;
	case REC_EXIT_SIGNAL:
		/* Signal numbers are small; anything else is not one, and
		 * 128 + it could overflow. */
		if (code < 1 || code > 127)
			return -1;
		*status = 128 + code;
		*signal = code;
		return 0;
	default:
		return -1;
	}
}

/* A cumulative figure since the attach (bases are 0 otherwise). */
static uint64_t since_base(uint64_t v, uint64_t base)
{
	return v > base ? v - base : 0;
}

void tree_process_view(const struct tree *t, const struct tree_process *p,
		       struct tree_view *out)
{
	/* wait4()'s rusage is exact, but includes the children it waited
	 * for: only a process known to have had none may use it, and with
	 * lost records a child's FORK may be what was lost. */
	int use_rusage = p->has_exit_rusage && p->children == 0 && t->lost == 0;

	memset(out, 0, sizeof(*out));
	out->count = 1;
	out->pid = p->pid;
	out->has_ppid = p->has_ppid;
	out->ppid = p->ppid;
	out->command = p->command;
	if (p->has_start) {
		out->has_start = 1;
		out->start_seconds = seconds_since(t->begin_ns, p->start_ns);
	}
	if (p->has_end || p->has_exit_rusage) {
		out->has_end = 1;
		out->end_seconds = seconds_since(t->begin_ns,
						 p->has_end ? p->end_ns : p->exit_ns);
	}
	out->threads = process_threads(p);

	if (use_rusage) {
		const struct rec_rusage *ru = &p->rusage;

		out->has_cpu = out->has_faults = out->has_ctxsw = 1;
		out->user_seconds = (double)ru->utime_us / 1e6;
		out->sys_seconds = (double)ru->stime_us / 1e6;
		out->minflt = ru->minflt;
		out->majflt = ru->majflt;
		out->nvcsw = ru->nvcsw;
		out->nivcsw = ru->nivcsw;
	} else {
		if (p->have & TREE_HAVE_CPU) {
			out->has_cpu = 1;
			out->user_seconds = (double)since_base(p->utime_ns, p->base_utime_ns) / 1e9;
			out->sys_seconds = (double)since_base(p->stime_ns, p->base_stime_ns) / 1e9;
		}
		if (p->have & TREE_HAVE_FAULTS) {
			out->has_faults = 1;
			out->minflt = since_base(p->minflt, p->base_minflt);
			out->majflt = since_base(p->majflt, p->base_majflt);
		}
		if (p->have & (TREE_HAVE_CTXSW | TREE_HAVE_CTXSW_MAIN)) {
			out->has_ctxsw = 1;
			out->nvcsw = since_base(p->nvcsw, p->base_nvcsw);
			out->nivcsw = since_base(p->nivcsw, p->base_nivcsw);
			/* With one thread, the main one's are all there is. */
			out->ctxsw_main_only = (p->have & TREE_HAVE_CTXSW_MAIN) &&
					       out->threads > 1;
		}
	}
	if (p->have & TREE_HAVE_RSS) {
		out->has_peak_rss = 1;
		out->peak_rss = p->hwm_max > p->rss_max ? p->hwm_max : p->rss_max;
	}
	if (use_rusage) {
		uint64_t maxrss = p->rusage.maxrss_kib > UINT64_MAX / 1024 ?
				  UINT64_MAX : p->rusage.maxrss_kib * 1024;

		if (!out->has_peak_rss || maxrss > out->peak_rss)
			out->peak_rss = maxrss;
		out->has_peak_rss = 1;
	}
	out->no_figures = !out->has_cpu;
	if (p->has_exit &&
	    tree_exit_status(p->exit_kind, p->exit_code, &out->exit_status,
		       &out->exit_signal) == 0)
		out->has_exit = 1;
}

/* ---- the table ---- */

static const struct {
	const char *name;
	enum tree_sort key;
} sort_keys[] = {
	{ "pid", TREE_SORT_PID },
	{ "start", TREE_SORT_START },
	{ "end", TREE_SORT_END },
	{ "cpu", TREE_SORT_CPU },
	{ "user", TREE_SORT_USER },
	{ "sys", TREE_SORT_SYS },
	{ "vcsw", TREE_SORT_VCSW },
	{ "ivcsw", TREE_SORT_IVCSW },
	{ "faults", TREE_SORT_FAULTS },
	{ "rss", TREE_SORT_RSS },
	{ "command", TREE_SORT_COMMAND },
};

int tree_sort_parse(const char *name, enum tree_sort *out)
{
	for (size_t i = 0; i < sizeof(sort_keys) / sizeof(sort_keys[0]); i++) {
		if (!strcmp(name, sort_keys[i].name)) {
			*out = sort_keys[i].key;
			return 0;
		}
	}
	return -1;
}

const char *tree_sort_names(void)
{
	return "pid, start, end, cpu, user, sys, vcsw, ivcsw, faults, rss, command";
}

/* Adds process view v to row, a collapsed row of count >= 1 processes. */
static void row_add(struct tree_view *row, const struct tree_view *v)
{
	row->count++;
	if (v->pid < row->pid)
		row->pid = v->pid;
	if (row->has_ppid && (!v->has_ppid || v->ppid != row->ppid))
		row->has_ppid = 0;
	if (v->has_start &&
	    (!row->has_start || v->start_seconds < row->start_seconds)) {
		row->has_start = 1;
		row->start_seconds = v->start_seconds;
	}
	/* The end of a row is known once every process of it ended. */
	if (v->has_end && v->end_seconds > row->end_seconds)
		row->end_seconds = v->end_seconds;
	row->has_end = row->has_end && v->has_end;
	row->threads += v->threads;
	if (v->has_cpu) {
		row->user_seconds = (row->has_cpu ? row->user_seconds : 0) +
				    v->user_seconds;
		row->sys_seconds = (row->has_cpu ? row->sys_seconds : 0) +
				   v->sys_seconds;
		row->has_cpu = 1;
	}
	if (v->has_faults) {
		row->minflt = (row->has_faults ? row->minflt : 0) + v->minflt;
		row->majflt = (row->has_faults ? row->majflt : 0) + v->majflt;
		row->has_faults = 1;
	}
	if (v->has_ctxsw) {
		row->nvcsw = (row->has_ctxsw ? row->nvcsw : 0) + v->nvcsw;
		row->nivcsw = (row->has_ctxsw ? row->nivcsw : 0) + v->nivcsw;
		row->has_ctxsw = 1;
	}
	row->ctxsw_main_only |= v->ctxsw_main_only;
	if (v->has_peak_rss && (!row->has_peak_rss || v->peak_rss > row->peak_rss)) {
		row->peak_rss = v->peak_rss;
		row->has_peak_rss = 1;
	}
	row->no_figures += v->no_figures;
	row->has_exit = 0;
}

/* A process and its command, for grouping by name. */
struct named_process {
	const char *command;
	size_t index;
};

static int compare_named(const void *a, const void *b)
{
	const struct named_process *x = a, *y = b;
	int c = strcmp(x->command, y->command);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Fills rows with one view per process, collapsing commands with more
 * than TREE_COLLAPSE_ABOVE processes. Returns the number of rows, or -1
 * when out of memory.
 */
static long collapse_rows(const struct tree *t, struct tree_view *rows)
{
	struct named_process *order = malloc(t->nr * sizeof(*order));
	size_t nr_rows = 0;

	if (!order)
		return -1;
	for (size_t i = 0; i < t->nr; i++) {
		order[i].command = t->procs[i].command;
		order[i].index = i;
	}
	qsort(order, t->nr, sizeof(*order), compare_named);
	for (size_t start = 0, end; start < t->nr; start = end) {
		size_t members = 0;
		long row = -1;  /* the group's collapsed row, once it has one */

		for (end = start; end < t->nr &&
		     !strcmp(order[end].command, order[start].command); end++)
			if (!t->procs[order[end].index].is_command)
				members++;
		for (size_t k = start; k < end; k++) {
			const struct tree_process *p = &t->procs[order[k].index];
			struct tree_view v;

			tree_process_view(t, p, &v);
			if (members <= TREE_COLLAPSE_ABOVE || p->is_command) {
				rows[nr_rows++] = v;
			} else if (row < 0) {
				row = (long)nr_rows++;
				rows[row] = v;
			} else {
				row_add(&rows[row], &v);
			}
		}
	}
	free(order);
	return (long)nr_rows;
}

/* A row and the figure it sorts by. */
struct sort_item {
	const struct tree_view *row;
	int known;
	double number;      /* ascending; descending keys are negated */
	const char *text;   /* TREE_SORT_COMMAND */
};

static void sort_item_set(struct sort_item *it, const struct tree_view *v,
			  enum tree_sort key)
{
	memset(it, 0, sizeof(*it));
	it->row = v;
	it->known = 1;
	switch (key) {
	case TREE_SORT_PID:
		it->number = v->pid;
		break;
	case TREE_SORT_START:
		it->known = v->has_start;
		it->number = v->start_seconds;
		break;
	case TREE_SORT_END:
		it->known = v->has_end;
		it->number = v->end_seconds;
		break;
	case TREE_SORT_CPU:
		it->known = v->has_cpu;
		it->number = -(v->user_seconds + v->sys_seconds);
		break;
	case TREE_SORT_USER:
		it->known = v->has_cpu;
		it->number = -v->user_seconds;
		break;
	case TREE_SORT_SYS:
		it->known = v->has_cpu;
		it->number = -v->sys_seconds;
		break;
	case TREE_SORT_VCSW:
		it->known = v->has_ctxsw;
		it->number = -(double)v->nvcsw;
		break;
	case TREE_SORT_IVCSW:
		it->known = v->has_ctxsw;
		it->number = -(double)v->nivcsw;
		break;
	case TREE_SORT_FAULTS:
		it->known = v->has_faults;
		it->number = -((double)v->minflt + (double)v->majflt);
		break;
	case TREE_SORT_RSS:
		it->known = v->has_peak_rss;
		it->number = -(double)v->peak_rss;
		break;
	case TREE_SORT_COMMAND:
		it->text = v->command;
		break;
	}
}

static int compare_items(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;

	if (x->known != y->known)
		return x->known ? -1 : 1;
	if (x->known) {
		if (x->text) {
			int c = strcmp(x->text, y->text);

			if (c)
				return c;
		} else if (x->number != y->number) {
			return x->number < y->number ? -1 : 1;
		}
	}
	if (x->row->pid != y->row->pid)
		return x->row->pid < y->row->pid ? -1 : 1;
	/* A row of one command and one process may share a pid only when
	 * the pid was reused: the earlier one first. */
	return x->row < y->row ? -1 : x->row > y->row;
}

int tree_rows(const struct tree *t, enum tree_sort sort, int collapse,
	      struct tree_view **rows, size_t *nr)
{
	struct tree_view *views, *sorted;
	struct sort_item *items;
	size_t n = 0;

	*rows = NULL;
	*nr = 0;
	if (!t->nr)
		return 0;
	views = calloc(t->nr, sizeof(*views));
	if (!views)
		return -ENOMEM;
	if (collapse) {
		long r = collapse_rows(t, views);

		if (r < 0) {
			free(views);
			return -ENOMEM;
		}
		n = (size_t)r;
	} else {
		for (; n < t->nr; n++)
			tree_process_view(t, &t->procs[n], &views[n]);
	}

	items = malloc(n * sizeof(*items));
	sorted = malloc(n * sizeof(*sorted));
	if (!items || !sorted) {
		free(items);
		free(sorted);
		free(views);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		sort_item_set(&items[i], &views[i], sort);
	qsort(items, n, sizeof(*items), compare_items);
	for (size_t i = 0; i < n; i++)
		sorted[i] = *items[i].row;
	free(items);
	free(views);
	*rows = sorted;
	*nr = n;
	return 0;
}

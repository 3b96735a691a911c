/*
 * display.c - lays a summary out as perf-stat-like text, JSON or CSV (see
 * display.h).
 *
 * The text layout copies perf stat's columns: an 18-wide right-aligned
 * value, the unit ("msec" or blank), the event name padded to 25, then a
 * "# ..." comment (CPUs utilized, or a rate per wall-clock second with a
 * K/M/G prefix), then "(62.50%)" for a value scaled under multiplexing.
 * Every figure comes from summary_judge() and the summary_run_*()
 * functions, so the three formats cannot disagree.
 *
 * After a run's counters come its processes (tree_rows(): sorted,
 * collapsed, the top N) and its memory per backend with the spike
 * warning (memory_spikes()); JSON and CSV list every process unsorted and
 * uncollapsed, in the order the recording named them, for scripts. A run
 * without them prints nothing for them in text, so a format 1.0 recording
 * reads exactly as it did.
 */
#include "display.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "counter.h"
#include "load_view.h"
#include "memory_series.h"
#include "recfile.h"
#include "stats.h"
#include "tree.h"

#define VALUE_WIDTH 18
#define NAME_WIDTH 25
#define COMMENT_WIDTH 24

void display_sanitized(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
}

/*
 * display_sanitized() padded with spaces to `width` characters (UTF-8
 * continuation bytes take no column).
 */
static void print_padded(FILE *out, const char *s, int width)
{
	int columns = 0;

	display_sanitized(out, s);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			columns++;
	for (; columns < width; columns++)
		fputc(' ', out);
}

const char *display_signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev;

	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(buf, size, "SIGRTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;
	if (!abbrev)
		return NULL;
	snprintf(buf, size, "SIG%s", abbrev);
	return buf;
}

const char *display_end_status(const struct summary *s)
{
	switch (s->status) {
	case REC_DONE:
		return "complete";
	case REC_ERR_TRUNCATED:
		return "truncated";
	case REC_ERR_CORRUPT:
		return "corrupt";
	case REC_ERR_NOT_PPROBE:
		return "not_pprobe";
	case REC_ERR_VERSION:
		return "unsupported_version";
	case REC_ERR_IO:
	case REC_OK:
		break;
	}
	return "io_error";
}

const char *display_end_reason(const struct summary *s, char *buf, size_t size)
{
	const char *detail = s->end_detail;
	const char *sep = detail[0] ? ": " : "";
	unsigned long long offset = (unsigned long long)s->end_offset;

	switch (s->status) {
	case REC_DONE:
		return NULL;
	case REC_ERR_TRUNCATED:
		snprintf(buf, size, "cut off at byte %llu%s%s", offset, sep, detail);
		break;
	case REC_ERR_CORRUPT:
		snprintf(buf, size, "corrupt record at byte %llu%s%s", offset,
			 sep, detail);
		break;
	case REC_ERR_NOT_PPROBE:
		snprintf(buf, size, "not a pprobe recording (byte %llu%s%s)",
			 offset, sep, detail);
		break;
	case REC_ERR_VERSION:
		snprintf(buf, size, "format %u.%u (byte 8), which this pprobe cannot read: it reads format %d.x",
			 s->major, s->minor, REC_VERSION_MAJOR);
		break;
	case REC_ERR_IO:
	case REC_OK:
		snprintf(buf, size, "read error at byte %llu: %s", offset,
			 s->end_errno ? strerror(s->end_errno) : detail);
		break;
	}
	return buf;
}

/*
 * For each event, how many events up to it have the same name: JSON object
 * keys must be unique, so a second "cycles" becomes "cycles#2". Sorting
 * keeps this O(N log N) for huge event tables. Returns NULL when out of
 * memory (names are then used as they are).
 */
struct named_index {
	const char *name;
	size_t index;
};

static int compare_named_index(const void *a, const void *b)
{
	const struct named_index *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static uint32_t *name_ordinals(const struct summary *s)
{
	struct named_index *order;
	uint32_t *ordinal;

	if (!s->nr_events)
		return NULL;
	order = malloc(s->nr_events * sizeof(*order));
	ordinal = malloc(s->nr_events * sizeof(*ordinal));
	if (!order || !ordinal) {
		free(order);
		free(ordinal);
		return NULL;
	}
	for (size_t i = 0; i < s->nr_events; i++) {
		order[i].name = s->events[i].name;
		order[i].index = i;
	}
	qsort(order, s->nr_events, sizeof(*order), compare_named_index);
	for (size_t k = 0; k < s->nr_events; k++) {
		size_t i = order[k].index;

		if (k && !strcmp(order[k].name, order[k - 1].name))
			ordinal[i] = ordinal[order[k - 1].index] + 1;
		else
			ordinal[i] = 1;
	}
	free(order);
	return ordinal;
}

/* ---- text ---- */

/* The file as the text names it. */
static const char *text_file_name(const struct summary *s)
{
	return strcmp(s->file, "-") ? s->file : "standard input";
}

/* The variant whose runs the summary holds; NULL for a file without
 * VARIANT records (its command is META's). */
static const struct summary_variant *shown_variant(const struct summary *s)
{
	if (s->only_variant >= 0)
		return summary_variant(s, (uint32_t)s->only_variant);
	return s->nr_runs ? summary_variant(s, s->runs[0].variant) : NULL;
}

/* Its index: 0 for a file without variants. */
static uint32_t shown_variant_index(const struct summary *s)
{
	if (s->only_variant >= 0)
		return (uint32_t)s->only_variant;
	return s->nr_runs ? s->runs[0].variant : 0;
}

/* Whether v's label only repeats its command ("make -j4"). */
static int label_is_command(const struct summary_variant *v)
{
	const char *label = v->label;

	for (size_t i = 0; i < v->argc; i++) {
		size_t len = strlen(v->argv[i]);

		if (i && *label++ != ' ')
			return 0;
		if (strncmp(label, v->argv[i], len))
			return 0;
		label += len;
	}
	return !*label;
}

/*
 * "\n Performance counter stats for 'CMD' (FILE": the command is the
 * variant's when the file says what each variant ran (META's argv is the
 * first variant's), named by its label when there are several and the
 * label says more than the command. The caller adds its own parts, then
 * text_header_end().
 */
static void text_header_begin(FILE *out, const struct summary *s,
			      const struct summary_variant *v)
{
	char *const *argv = s->argv;
	size_t argc = s->argc;

	if (v && !s->nr_attach_pids) {
		argv = v->argv;
		argc = v->argc;
	}
	if (s->nr_attach_pids) {
		/* As perf stat -p says it. */
		fputs("\n Performance counter stats for process id '", out);
		for (size_t i = 0; i < s->nr_attach_pids; i++)
			fprintf(out, "%s%" PRIu32, i ? "," : "", s->attach_pids[i]);
	} else {
		fputs("\n Performance counter stats for '", out);
		if (!argc)
			fputs("<unknown command>", out);
	}
	for (size_t i = 0; i < argc; i++) {
		if (i)
			fputc(' ', out);
		display_sanitized(out, argv[i]);
	}
	fputs("' (", out);
	display_sanitized(out, text_file_name(s));
	if (v && s->nr_variants > 1 && !label_is_command(v)) {
		fputs(", variant '", out);
		display_sanitized(out, v->label);
		fputc('\'', out);
	}
}

static void text_header_end(FILE *out, const struct summary *s)
{
	if (s->label) {
		fputs(", label '", out);
		display_sanitized(out, s->label);
		fputc('\'', out);
	}
	fputs("):\n\n", out);
}

/* The header of one run, or of a recording without runs (r NULL). */
static void text_header(FILE *out, const struct summary *s,
			const struct summary_run *r)
{
	text_header_begin(out, s, r ? summary_variant(s, r->variant) :
			  shown_variant(s));
	if (r && s->nr_runs > 1)
		fprintf(out, ", run %" PRIu32, r->run);
	if (r && (r->flags & REC_RUN_F_WARMUP))
		fputs(", warm-up", out);
	text_header_end(out, s);
}

int display_rate(char *buf, size_t size, int is_time, double value,
		 double seconds)
{
	double rate, shown;

	buf[0] = '\0';
	if (counter_rate(value, seconds, &rate) < 0)
		return -1;
	if (is_time) {
		/* msec of CPU per second of wall time, / 1000. */
		snprintf(buf, size, "%8.3f CPUs utilized", rate / 1e3);
	} else {
		const char *prefix = counter_si_prefix(rate, &shown);

		snprintf(buf, size, "%8.3f %s/sec", shown, prefix);
	}
	return 0;
}

/* "# 1.989 CPUs utilized" or "# 1.419 K/sec" for a value over a wall
 * time, or "" when there is no rate. */
static void counter_comment(char *buf, size_t size, int is_time, double value,
			    int wall_known, double wall_seconds)
{
	char rate[COUNTER_NUMBER_MAX + 24];

	buf[0] = '\0';
	if (wall_known && display_rate(rate, sizeof(rate), is_time, value, wall_seconds) == 0)
		snprintf(buf, size, "# %s", rate);
}

/* One counter's line, of a run or of the mean of runs. */
struct counter_line {
	const char *name;
	int user_fallback;      /* perf's ":u" after a name without one */
	const char *value;      /* formatted, or "<not counted>" */
	const char *unit;
	const char *comment;    /* "" for none */
	int scaled;             /* "(62.50%)": the share of time counted */
	double percent_counted;
	double noise;           /* "( +- x% )" of repeated runs; 0: none */
	size_t counted_in, runs; /* counted in fewer runs than all: said */
};

static void text_counter_line(FILE *out, const struct counter_line *l)
{
	int partial = l->counted_in < l->runs;
	int fallback = l->user_fallback && !strchr(l->name, ':');

	fprintf(out, "%*s %-4s ", VALUE_WIDTH, l->value, l->unit);
	if (!l->comment[0] && !l->scaled && !l->noise && !partial) {
		display_sanitized(out, l->name);
		/* perf marks counters it fell back to user mode for. */
		if (fallback)
			fputs(":u", out);
		fputc('\n', out);
		return;
	}
	if (fallback) {
		display_sanitized(out, l->name);
		fputs(":u", out);
		print_padded(out, "", NAME_WIDTH - (int)strlen(l->name) - 2);
	} else {
		print_padded(out, l->name, NAME_WIDTH);
	}
	fputc(' ', out);
	if (!l->scaled && !l->noise && !partial) {
		fprintf(out, "%s\n", l->comment);
		return;
	}
	print_padded(out, l->comment, COMMENT_WIDTH);
	/* As perf stat -r: nothing when the runs agree exactly. */
	if (l->noise)
		fprintf(out, "  ( +-%6.2f%% )", l->noise);
	if (l->scaled)
		fprintf(out, "  (%.2f%%)", l->percent_counted);
	if (partial)
		fprintf(out, "  (counted in %zu of %zu runs)", l->counted_in,
			l->runs);
	fputc('\n', out);
}

static void text_counter(FILE *out, const struct summary *s,
			 const struct summary_run *r, size_t i, int wall_known,
			 double wall_seconds)
{
	char value[COUNTER_NUMBER_MAX], comment[COUNTER_NUMBER_MAX + 32] = "";
	struct counter_view v;
	struct counter_line l;

	summary_judge(s, r, i, &v);
	if (v.has_value) {
		counter_format_double(value, sizeof(value), v.value,
				      v.is_time ? 2 : 0);
		counter_comment(comment, sizeof(comment), v.is_time, v.value,
				wall_known, wall_seconds);
	} else {
		snprintf(value, sizeof(value), "<%s>",
			 counter_status_name(v.status));
	}
	l = (struct counter_line){
		.name = s->events[i].name, .user_fallback = v.user_fallback,
		.value = value, .unit = v.unit, .comment = comment,
		.scaled = v.scaled, .percent_counted = v.percent_counted,
	};
	text_counter_line(out, &l);
}

/*
 * Counting in user mode only, the kernel counts no context switch (they
 * happen in the kernel): the tree's own account, from the wait that
 * reaped it, stands in, labelled as such. Which of the two counters fell
 * back to user mode:
 */
static void user_mode_switch_events(const struct summary *s, int *switches,
				    int *migrations)
{
	*switches = *migrations = 0;
	for (size_t i = 0; i < s->nr_events; i++) {
		const struct summary_event *e = &s->events[i];

		if (e->status != REC_EVENT_OPENED || !(e->flags & REC_EVENT_F_USER_FALLBACK))
			continue;
		if (counter_name_is(e->name, "context-switches") || counter_name_is(e->name, "cs"))
			*switches = 1;
		if (counter_name_is(e->name, "cpu-migrations") || counter_name_is(e->name, "migrations"))
			*migrations = 1;
	}
}

static void text_switches_from_rusage(FILE *out, const struct summary *s,
				      const struct summary_run *r)
{
	char value[COUNTER_NUMBER_MAX];
	int switches, migrations;
	uint64_t n;

	user_mode_switch_events(s, &switches, &migrations);
	if (switches && r->ended && r->end.exit_kind != REC_EXIT_ATTACHED) {
		counter_format_double(value, sizeof(value),
				      (double)(r->end.rusage.nvcsw + r->end.rusage.nivcsw), 0);
		fprintf(out, "%*s      context-switches          # from getrusage: %" PRIu64 " voluntary, %" PRIu64 " involuntary (user-mode counting sees none)\n",
			VALUE_WIDTH, value, r->end.rusage.nvcsw, r->end.rusage.nivcsw);
	}
	if (migrations && tree_migrations(&r->tree, &n) == 0) {
		counter_format_double(value, sizeof(value), (double)n, 0);
		fprintf(out, "%*s      cpu-migrations            # from /proc/PID/sched, main threads (user-mode counting sees none)\n",
			VALUE_WIDTH, value);
	}
}

/* Where the counts come from, when it is not perf (record --count-by). */
static void text_counting(FILE *out, const struct summary *s)
{
	if (s->nr_events && s->counting && !strcmp(s->counting, "rusage"))
		fprintf(out, "\n%*s      # no perf event: the kernel's own accounting, the rusage of the\n"
			"%*s      # reaped tree (record --count-by rusage); CPU time without steal\n",
			VALUE_WIDTH, "", VALUE_WIDTH, "");
}

static void text_exit(FILE *out, const struct summary_run *r)
{
	char name[32];
	int status, sig;

	if (!r->ended) {
		fputs(" cut off before the command ended", out);
		return;
	}
	if (r->end.exit_kind == REC_EXIT_ATTACHED) {
		fputs(" detached (attached with -p: no exit status, and no rusage)", out);
		return;
	}
	if (summary_run_exit(r, &status, &sig) < 0) {
		fputs(" exit status unknown", out);
		return;
	}
	fprintf(out, " exit status %d", status);
	if (!sig)
		return;
	if (display_signal_name(sig, name, sizeof(name)))
		fprintf(out, " (killed by signal %d, %s", sig, name);
	else
		fprintf(out, " (killed by signal %d", sig);
	/* `record --load` ends the server once its load is done. */
	if (r->load.ended && (sig == SIGTERM || sig == SIGKILL) &&
	    r->end.time_ns >= r->load.end_ns)
		fputs(", which pprobe sent once the load ended", out);
	fputc(')', out);
}

static void text_sampling(FILE *out, const struct summary *s,
			  const struct summary_run *r)
{
	double mean, max;

	fprintf(out, "; %" PRIu64 " sample%s", r->samples,
		r->samples == 1 ? "" : "s");
	if (s->has_interval)
		fprintf(out, ", interval %.6g ms", (double)s->interval_ns / 1e6);
	if (summary_run_interval_ms(r, &mean, &max) == 0)
		fprintf(out, " (achieved %.1f ms mean, %.1f ms max)", mean, max);
	fputc('\n', out);
}

static void text_processes(FILE *out, const struct summary_run *r,
			   const struct display_options *o);
static void text_memory(FILE *out, const struct summary_run *r);

static void text_run(FILE *out, const struct summary *s,
		     const struct summary_run *r, const struct display_options *o)
{
	uint64_t wall_ns = 0;
	int wall_known = summary_run_wall_ns(r, &wall_ns) == 0;
	double wall_seconds = (double)wall_ns / 1e9, user, sys;

	text_header(out, s, r);
	for (size_t i = 0; i < s->nr_events; i++)
		text_counter(out, s, r, i, wall_known, wall_seconds);
	text_switches_from_rusage(out, s, r);
	text_counting(out, s);
	if (s->nr_events)
		fputc('\n', out);

	if (!wall_known)
		fputs("      no sample was recorded before the file was cut off\n",
		      out);
	else if (r->ended)
		fprintf(out, "%*.9f seconds time elapsed\n", VALUE_WIDTH,
			wall_seconds);
	else
		fprintf(out, "%*.9f seconds time elapsed, up to the last sample\n",
			VALUE_WIDTH, wall_seconds);
	if (summary_run_cpu_seconds(r, &user, &sys) == 0) {
		fprintf(out, "\n%*.9f seconds user\n", VALUE_WIDTH, user);
		fprintf(out, "%*.9f seconds sys\n", VALUE_WIDTH, sys);
	}
	fputc('\n', out);
	text_exit(out, r);
	text_sampling(out, s, r);
	fputc('\n', out);
	load_view_text(out, s, r);
	if (summary_run_has_tree(r))
		text_processes(out, r, o);
	if (summary_run_has_memory(r))
		text_memory(out, r);
}

/* ---- text: processes and memory ---- */

/* The command column's width; the others are in the formats below. */
#define PROC_COMMAND_WIDTH 20

/* A field of the table: the number, or "-" when unknown. */
static const char *field_u64(char *buf, size_t size, int known, uint64_t v)
{
	if (!known)
		return "-";
	snprintf(buf, size, "%" PRIu64, v);
	return buf;
}

static const char *field_int(char *buf, size_t size, int known, int v)
{
	if (!known)
		return "-";
	snprintf(buf, size, "%d", v);
	return buf;
}

static const char *field_seconds(char *buf, size_t size, int known, double v)
{
	if (!known)
		return "-";
	snprintf(buf, size, "%.3f", v);
	return buf;
}

/* The command column: sanitized, "?" when unknown, "name ×N" for a row
 * of N processes, padded to its width. */
static void text_command(FILE *out, const struct tree_view *v)
{
	char name[TREE_COMMAND_MAX + 32];

	snprintf(name, sizeof(name), "%s", v->command[0] ? v->command : "?");
	if (v->count > 1)
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
			 " \u00d7%zu", v->count);
	print_padded(out, name, PROC_COMMAND_WIDTH);
}

static void text_process_row(FILE *out, const struct tree_view *v)
{
	char pid[16], ppid[16], start[32], end[32], threads[24], user[32];
	char sys[32], vcsw[24], ivcsw[24], minflt[24], majflt[24];
	char rss[MEMORY_BYTES_MAX], exit_status[16];

	/* The command is padded by its columns, not its bytes ("×" is
	 * two): print_padded() between two fprintf()s. */
	fprintf(out, "%8s %7s  ",
		v->count > 1 ? "-" : field_u64(pid, sizeof(pid), 1, v->pid),
		field_u64(ppid, sizeof(ppid), v->has_ppid, v->ppid));
	text_command(out, v);
	fprintf(out, "%9s %8s %8s %9s %8s %9s %8s %9s %7s %10s %5s\n",
		field_seconds(start, sizeof(start), v->has_start, v->start_seconds),
		field_seconds(end, sizeof(end), v->has_end, v->end_seconds),
		field_u64(threads, sizeof(threads), 1, v->threads),
		field_seconds(user, sizeof(user), v->has_cpu, v->user_seconds),
		field_seconds(sys, sizeof(sys), v->has_cpu, v->sys_seconds),
		field_u64(vcsw, sizeof(vcsw), v->has_ctxsw, v->nvcsw),
		field_u64(ivcsw, sizeof(ivcsw), v->has_ctxsw, v->nivcsw),
		field_u64(minflt, sizeof(minflt), v->has_faults, v->minflt),
		field_u64(majflt, sizeof(majflt), v->has_faults, v->majflt),
		v->has_peak_rss ? memory_format_bytes(rss, v->peak_rss) : "-",
		field_int(exit_status, sizeof(exit_status), v->has_exit,
			  v->exit_status));
}

static void text_processes(FILE *out, const struct summary_run *r,
			   const struct display_options *o)
{
	const struct tree *t = &r->tree;
	struct tree_view *rows;
	size_t nr_rows, shown, hidden = 0, collapsed = 0, no_figures = 0;
	size_t main_only = 0;
	uint64_t threads = tree_threads(t);

	fprintf(out, " processes: %zu (%" PRIu64 " thread%s), lost records: %" PRIu64,
		t->nr, threads, threads == 1 ? "" : "s", t->lost);
	if (t->lost)
		fputs(": the process count and lifetimes are incomplete", out);
	fputc('\n', out);
	if (tree_rows(t, o->sort, o->collapse, &rows, &nr_rows) < 0) {
		fputs("      (out of memory for the process table)\n\n", out);
		return;
	}
	shown = o->top && o->top < nr_rows ? o->top : nr_rows;
	if (nr_rows)
		fprintf(out, "%8s %7s  %-*s%9s %8s %8s %9s %8s %9s %8s %9s %7s %10s %5s\n",
			"pid", "ppid", PROC_COMMAND_WIDTH, "command", "start s",
			"end s", "threads", "user s", "sys s", "vcsw", "ivcsw",
			"minflt", "majflt", "peak RSS", "exit");
	for (size_t i = 0; i < nr_rows; i++) {
		if (i < shown)
			text_process_row(out, &rows[i]);
		else
			hidden += rows[i].count;
		if (rows[i].count > 1)
			collapsed++;
		no_figures += rows[i].no_figures;
		main_only += rows[i].ctxsw_main_only;
	}
	if (hidden)
		fprintf(out, " \u2026 and %zu more process%s (--top 0 shows every row)\n",
			hidden, hidden == 1 ? "" : "es");
	if (collapsed)
		fputs(" \u00d7N: the N processes of one command, in one row: figures summed, peak RSS the largest (--no-collapse lists them)\n",
		      out);
	if (no_figures)
		fprintf(out, " %zu process%s without CPU figures (-) ended before a tick could read %s; %s counted above\n",
			no_figures, no_figures == 1 ? "" : "es",
			no_figures == 1 ? "it" : "them",
			no_figures == 1 ? "it is" : "they are");
	if (main_only)
		fputs(" note: some context switches are the main thread's only (its other threads could not be read)\n",
		      out);
	fputc('\n', out);
	free(rows);
}

/* What a backend's figure is, with its source when the recording names it. */
static void text_memory_label(FILE *out, uint32_t backend,
			      const struct memory_series *m)
{
	display_sanitized(out, memory_backend_what(backend));
	if (m->source && m->source[0]) {
		fputs(" (", out);
		display_sanitized(out, m->source);
		fputc(')', out);
	}
	fputs(": ", out);
	display_sanitized(out, memory_backend_judgement(backend));
	fputc('\n', out);
}

static void text_memory_row(FILE *out, const struct summary_run *r,
			    uint32_t backend, const struct memory_series *m)
{
	char initial[MEMORY_BYTES_MAX], peak[MEMORY_BYTES_MAX];
	char final[MEMORY_BYTES_MAX], at[32];
	int current = memory_backend_has_current(backend);

	fprintf(out, "   %-8s", memory_backend_name(backend));
	if (!memory_series_recorded(m)) {
		fputs("(unavailable: ", out);
		if (m->why && m->why[0])
			display_sanitized(out, m->why);
		else if (m->error > 0)
			fputs(strerror(m->error), out);
		else
			fputs("no reason given", out);
		fputs(")\n", out);
		return;
	}
	if (!m->readings) {
		fputs("(no reading)\n", out);
		return;
	}
	/* Without a current figure (rusage) the reading only says the peak
	 * happened at some time before it. */
	if (current)
		snprintf(at, sizeof(at), "%.3f s",
			 summary_run_seconds(r, m->peak_ns));
	else
		snprintf(at, sizeof(at), "-");
	fprintf(out, " %10s %10s %9s %10s  ",
		current ? memory_format_bytes(initial, m->initial) : "-",
		memory_format_bytes(peak, m->peak), at,
		current ? memory_format_bytes(final, m->final) : "-");
	text_memory_label(out, backend, m);
}

static void text_memory(FILE *out, const struct summary_run *r)
{
	struct memory_spike spikes[2];
	size_t nr;

	fprintf(out, " %-10s %10s %10s %9s %10s  %s\n", "memory", "initial",
		"peak", "peak at", "final", "what it is");
	for (uint32_t b = REC_MEM_RSS; b <= REC_MEM_RUSAGE; b++) {
		const struct memory_series *m = &r->memory[memory_backend_index(b)];

		if (m->declared || m->readings)
			text_memory_row(out, r, b, m);
	}
	nr = memory_spikes(r->memory, spikes);
	for (size_t i = 0; i < nr; i++) {
		const struct memory_spike *sp = &spikes[i];
		char sampled[MEMORY_BYTES_MAX], gap[MEMORY_BYTES_MAX];
		char truth[MEMORY_BYTES_MAX];

		fprintf(out, " warning: the sampled %s peak (%s) is %s below the %s peak (%s): a spike lasted less than the sampling interval",
			memory_backend_name(sp->sampled),
			memory_format_bytes(sampled, sp->sampled_peak),
			memory_format_bytes(gap, sp->gap),
			memory_backend_name(sp->against),
			memory_format_bytes(truth, sp->true_peak));
		if (sp->summed_over_processes)
			fputs(", or the processes peaked at different times (hwm adds up each one's own peak)",
			      out);
		if (sp->includes_page_cache)
			fprintf(out, ", or page cache, which the cgroup counts and %s does not",
				memory_backend_name(sp->sampled));
		fputc('\n', out);
	}
	fputc('\n', out);
}

/* ---- repeated runs ---- */

/*
 * The figures of a recording's runs (`record -r N`): one per event, in the
 * unit the text shows it in (msec for task-clock and cpu-clock), then
 * wall, user and system seconds. A figure's values are indexed like
 * s->runs and are NaN for a warm-up, for a run cut off before it ended
 * (its figures stop wherever the file did, and it has no exit status or
 * rusage) and for a run without the figure: stats_compute() leaves them
 * out, stats_outliers() never flags them. The measured runs are the
 * others: the statistics are theirs.
 *
 * A summary read without only_variant from a file of several variants
 * mixes their runs here; the report reads one variant at a time.
 */
enum { FIGURE_ELAPSED, FIGURE_USER, FIGURE_SYS, NR_TIME_FIGURES };

/* perf's tool events, as the --csv table names them. */
static const char *const time_figure_names[NR_TIME_FIGURES] = {
	"duration_time", "user_time", "system_time",
};
/* The rows of the text's statistics table, and the outlier marks. */
static const char *const time_figure_labels[NR_TIME_FIGURES] = {
	"seconds elapsed", "seconds user", "seconds sys",
};
static const char *const time_figure_short[NR_TIME_FIGURES] = {
	"elapsed", "user", "sys",
};

struct run_figure {
	long event;             /* index in s->events; -1 for a time */
	int time;               /* FIGURE_*; -1 for an event */
	const char *name;       /* the event's, or time_figure_names[] */
	const char *unit;       /* "msec", "" for a count, "s" for a time */
	int is_time;            /* an event shown in msec (counter_is_time) */
	double *values;         /* indexed like s->runs */
	unsigned char *outlier; /* indexed like s->runs */
	struct stats stats;     /* stats.n == 0: no measured run has it */
	size_t nr_outliers;
	enum counter_status status; /* the first measured run's */
	int user_fallback;
	int scaled;             /* some run's value is an estimate */
	double percent_counted; /* ... counted this share of the time, mean */
};

struct run_stats {
	const struct summary *s;
	size_t measured;        /* runs that are not warm-ups */
	size_t runs;            /* ... and ended: the runs of the figures */
	size_t warmups;
	size_t cut_off;         /* measured - runs */
	const struct summary_run *first; /* the first measured run, or NULL */
	struct run_figure *figures; /* s->nr_events events, then the times;
				     * NULL when there is no run */
	size_t nr_events, nr_figures;
	double *values;         /* every figure's values, in one block */
	unsigned char *flags;   /* ... and outlier flags */
};

/* Whether run r is one of the figures': no warm-up, and it ended. */
static int run_in_figures(const struct summary_run *r)
{
	return !(r->flags & REC_RUN_F_WARMUP) && r->ended;
}

static size_t measured_runs(const struct summary *s)
{
	size_t n = 0;

	for (size_t k = 0; k < s->nr_runs; k++)
		n += !(s->runs[k].flags & REC_RUN_F_WARMUP);
	return n;
}

static void run_stats_release(struct run_stats *st)
{
	free(st->figures);
	free(st->values);
	free(st->flags);
	st->figures = NULL;
	st->values = NULL;
	st->flags = NULL;
}

static void event_figure_fill(const struct summary *s, size_t i,
			      struct run_figure *f)
{
	const struct summary_event *e = &s->events[i];
	double divisor, percent = 0;
	size_t with_percent = 0;
	int seen = 0;

	f->event = (long)i;
	f->time = -1;
	f->name = e->name;
	f->unit = counter_unit(e->name, e->unit, &divisor);
	f->is_time = counter_is_time(e->name, e->unit);
	f->status = COUNTER_NOT_COUNTED;
	for (size_t k = 0; k < s->nr_runs; k++) {
		const struct summary_run *r = &s->runs[k];
		struct counter_view v;

		if (!run_in_figures(r))
			continue;
		summary_judge(s, r, i, &v);
		if (!seen)
			f->status = v.status;
		seen = 1;
		f->user_fallback |= v.user_fallback;
		if (!v.has_value)
			continue;
		f->values[k] = v.value;
		f->scaled |= v.scaled;
		if (v.has_percent) {
			percent += v.percent_counted;
			with_percent++;
		}
	}
	f->percent_counted = with_percent ? percent / (double)with_percent : 100;
}

static void time_figure_fill(const struct summary *s, int which,
			     struct run_figure *f)
{
	f->event = -1;
	f->time = which;
	f->name = time_figure_names[which];
	f->unit = "s";
	f->status = COUNTER_COUNTED;
	f->percent_counted = 100;
	for (size_t k = 0; k < s->nr_runs; k++) {
		const struct summary_run *r = &s->runs[k];
		uint64_t ns;
		double user, sys;

		if (!run_in_figures(r))
			continue;
		if (which == FIGURE_ELAPSED) {
			if (summary_run_wall_ns(r, &ns) == 0)
				f->values[k] = (double)ns / 1e9;
		} else if (summary_run_cpu_seconds(r, &user, &sys) == 0) {
			f->values[k] = which == FIGURE_USER ? user : sys;
		}
	}
}

/* Gathers the figures of s's runs. Returns 0 or -ENOMEM. */
static int run_stats_init(struct run_stats *st, const struct summary *s)
{
	size_t nr_runs = s->nr_runs, cells;

	memset(st, 0, sizeof(*st));
	st->s = s;
	st->nr_events = s->nr_events;
	st->nr_figures = s->nr_events + NR_TIME_FIGURES;
	for (size_t k = 0; k < nr_runs; k++) {
		const struct summary_run *r = &s->runs[k];

		if (r->flags & REC_RUN_F_WARMUP) {
			st->warmups++;
			continue;
		}
		if (!st->first)
			st->first = r;
		st->measured++;
		st->runs += r->ended != 0;
	}
	st->cut_off = st->measured - st->runs;
	if (!nr_runs)
		return 0;
	if (nr_runs > SIZE_MAX / sizeof(double) / st->nr_figures)
		return -ENOMEM;
	cells = st->nr_figures * nr_runs;
	st->figures = calloc(st->nr_figures, sizeof(*st->figures));
	st->values = malloc(cells * sizeof(*st->values));
	st->flags = calloc(cells, 1);
	if (!st->figures || !st->values || !st->flags)
		goto nomem;
	for (size_t c = 0; c < cells; c++)
		st->values[c] = NAN;
	for (size_t i = 0; i < st->nr_figures; i++) {
		struct run_figure *f = &st->figures[i];

		f->values = st->values + i * nr_runs;
		f->outlier = st->flags + i * nr_runs;
		if (i < s->nr_events)
			event_figure_fill(s, i, f);
		else
			time_figure_fill(s, (int)(i - s->nr_events), f);
		if (stats_compute(f->values, nr_runs, &f->stats) == -ENOMEM)
			goto nomem;
		/* Runs that agree exactly have no spread, whatever the
		 * rounding of their sum says (3 x 0.2 / 3 is not 0.2). */
		if (f->stats.n && f->stats.min == f->stats.max) {
			f->stats.mean = f->stats.min;
			f->stats.stddev = 0;
		}
		f->nr_outliers = stats_outliers(f->values, nr_runs, &f->stats,
						f->outlier);
	}
	return 0;
nomem:
	run_stats_release(st);
	return -ENOMEM;
}

static const struct run_figure *time_figure(const struct run_stats *st,
					    int which)
{
	return &st->figures[st->nr_events + (size_t)which];
}

/*
 * The figures in the order of the text's tables, k from 0 to
 * nr_figures - 1: the time elapsed first, then the events as the file
 * declared them, then user and system time.
 */
static const struct run_figure *table_figure(const struct run_stats *st,
					     size_t k)
{
	if (k == 0)
		return time_figure(st, FIGURE_ELAPSED);
	if (k <= st->nr_events)
		return &st->figures[k - 1];
	return &st->figures[k];
}

/*
 * Decimals for a figure in the tables: two significant digits of its
 * standard deviation, at least milliseconds for seconds and 2 for msec
 * (as perf shows them), at most 6. A count is whole unless its runs differ
 * by less than 1, when 2 decimals show by how much.
 */
static int figure_decimals(const struct run_figure *f)
{
	int decimals = f->time >= 0 ? 3 : f->is_time ? 2 : 0;
	double sd = f->stats.stddev;

	if (f->time < 0 && !f->is_time)
		return sd > 0 && sd < 1 ? 2 : 0;
	if (sd > 0 && isfinite(sd)) {
		int want = (int)ceil(-log10(sd)) + 1;

		if (want > decimals)
			decimals = want;
	}
	return decimals < 6 ? decimals : 6;
}

/* How the statistics table names a figure: "task-clock (ms)". */
static void figure_label(const struct run_figure *f, char *buf, size_t size)
{
	if (f->time >= 0)
		snprintf(buf, size, "%s", time_figure_labels[f->time]);
	else if (!strcmp(f->unit, "msec"))
		snprintf(buf, size, "%s (ms)", f->name);
	else if (f->unit[0])
		snprintf(buf, size, "%s (%s)", f->name, f->unit);
	else
		snprintf(buf, size, "%s", f->name);
}

/* "run 3" or "runs 3, 7": the runs as the file numbers them. */
static void text_outlier_runs(FILE *out, const struct run_stats *st,
			      const struct run_figure *f)
{
	size_t printed = 0;

	if (!f->nr_outliers)
		return;
	fputs(f->nr_outliers == 1 ? "  run " : "  runs ", out);
	for (size_t k = 0; k < st->s->nr_runs; k++)
		if (f->outlier[k])
			fprintf(out, "%s%" PRIu32, printed++ ? ", " : "",
				st->s->runs[k].run);
}

/* The columns a sanitized string takes (UTF-8 continuation bytes none). */
static int text_columns(const char *s)
{
	int columns = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			columns++;
	return columns;
}

#define STATS_COLUMNS 5
/* The figure column is as wide as its longest name, up to this. */
#define STATS_LABEL_MAX 40

static double stats_cell(const struct stats *s, int column)
{
	const double cells[STATS_COLUMNS] = {
		s->mean, s->stddev, s->min, s->median, s->max,
	};

	return cells[column];
}

/* mean, stddev, min, median, max and the outlier runs of each figure. */
static void text_stats_table(FILE *out, const struct run_stats *st)
{
	static const char *const heads[STATS_COLUMNS] = {
		"mean", "stddev", "min", "median", "max",
	};
	char label[STATS_LABEL_MAX + 80], cell[COUNTER_NUMBER_MAX];
	int label_width = (int)strlen("figure"), width = 0;

	for (size_t k = 0; k < st->nr_figures; k++) {
		const struct run_figure *f = table_figure(st, k);
		int decimals = figure_decimals(f);

		if (!f->stats.n)
			continue;
		figure_label(f, label, sizeof(label));
		if (text_columns(label) > label_width)
			label_width = text_columns(label);
		for (int c = 0; c < STATS_COLUMNS; c++) {
			counter_format_double(cell, sizeof(cell),
					      stats_cell(&f->stats, c), decimals);
			if ((int)strlen(cell) > width)
				width = (int)strlen(cell);
		}
	}
	if (label_width > STATS_LABEL_MAX)
		label_width = STATS_LABEL_MAX;
	if (width < (int)strlen("median"))
		width = (int)strlen("median");

	fputc(' ', out);
	print_padded(out, "figure", label_width);
	for (int c = 0; c < STATS_COLUMNS; c++)
		fprintf(out, "  %*s", width, heads[c]);
	fputs("  outliers\n", out);
	for (size_t k = 0; k < st->nr_figures; k++) {
		const struct run_figure *f = table_figure(st, k);
		int decimals = figure_decimals(f);

		if (!f->stats.n)
			continue;
		figure_label(f, label, sizeof(label));
		fputc(' ', out);
		print_padded(out, label, label_width);
		for (int c = 0; c < STATS_COLUMNS; c++)
			fprintf(out, "  %*s", width,
				counter_format_double(cell, sizeof(cell),
						      stats_cell(&f->stats, c),
						      decimals));
		text_outlier_runs(out, st, f);
		fputc('\n', out);
	}
}

/* The exit column of the table of runs: "0", "137 SIGKILL", "-". */
static const char *exit_cell(const struct summary_run *r, char *buf,
			     size_t size)
{
	char name[32];
	int status, sig;

	if (!r->ended)
		return "-";
	if (r->end.exit_kind == REC_EXIT_ATTACHED)
		return "detached";
	if (summary_run_exit(r, &status, &sig) < 0)
		return "?";
	if (sig && display_signal_name(sig, name, sizeof(name)))
		snprintf(buf, size, "%d %s", status, name);
	else
		snprintf(buf, size, "%d", status);
	return buf;
}

enum run_column {
	RUN_COLUMN_RUN, RUN_COLUMN_ELAPSED, RUN_COLUMN_USER, RUN_COLUMN_SYS,
	RUN_COLUMN_CPU, RUN_COLUMN_EXIT, NR_RUN_COLUMNS,
};

/* One cell of the table of runs; "-" for a figure the run does not have. */
static const char *run_cell(const struct run_stats *st,
			    const struct summary_run *r, int column,
			    long cpu_event, char *buf, size_t size)
{
	const struct summary *s = st->s;
	struct counter_view v;
	uint64_t ns;
	double user, sys;

	switch (column) {
	case RUN_COLUMN_RUN:
		snprintf(buf, size, "%" PRIu32, r->run);
		return buf;
	case RUN_COLUMN_ELAPSED:
		if (summary_run_wall_ns(r, &ns) < 0)
			return "-";
		return counter_format_double(buf, size, (double)ns / 1e9,
			figure_decimals(time_figure(st, FIGURE_ELAPSED)));
	case RUN_COLUMN_USER:
	case RUN_COLUMN_SYS:
		if (summary_run_cpu_seconds(r, &user, &sys) < 0)
			return "-";
		return counter_format_double(buf, size,
			column == RUN_COLUMN_USER ? user : sys,
			figure_decimals(time_figure(st, column == RUN_COLUMN_USER ?
						    FIGURE_USER : FIGURE_SYS)));
	case RUN_COLUMN_CPU:
		summary_judge(s, r, (size_t)cpu_event, &v);
		if (!v.has_value)
			return "-";
		return counter_format_double(buf, size, v.value,
			figure_decimals(&st->figures[cpu_event]));
	default:
		return exit_cell(r, buf, size);
	}
}

/* What the table of runs says about run k: warm-up, cut off, outlier. */
static void text_run_marks(FILE *out, const struct run_stats *st, size_t k)
{
	const struct summary_run *r = &st->s->runs[k];
	size_t named = 0, more = 0;

	if (r->flags & REC_RUN_F_WARMUP) {
		fputs("  warm-up", out);
		return;
	}
	if (!r->ended) {
		fputs("  cut off: left out", out);
		return;
	}
	for (size_t i = 0; i < st->nr_figures; i++) {
		const struct run_figure *f = table_figure(st, i);

		if (!f->outlier[k])
			continue;
		if (named == 3) {
			more++;
			continue;
		}
		fputs(named++ ? ", " : "  outlier: ", out);
		display_sanitized(out, f->time >= 0 ?
				  time_figure_short[f->time] : f->name);
	}
	if (more)
		fprintf(out, " and %zu more", more);
}

/* A line per run, warm-ups included, in the order they ran. */
static void text_run_table(FILE *out, const struct run_stats *st)
{
	const struct summary *s = st->s;
	long cpu_event = st->first ? summary_cpu_time_event(s, st->first) : -1;
	char heads[NR_RUN_COLUMNS][COUNTER_NUMBER_MAX] = {
		"run", "elapsed s", "user s", "sys s", "", "exit",
	};
	char cell[COUNTER_NUMBER_MAX];
	int widths[NR_RUN_COLUMNS];

	if (cpu_event >= 0)
		snprintf(heads[RUN_COLUMN_CPU], sizeof(heads[0]), "%.60s ms",
			 s->events[cpu_event].name);
	for (int c = 0; c < NR_RUN_COLUMNS; c++)
		widths[c] = text_columns(heads[c]);
	for (size_t k = 0; k < s->nr_runs; k++)
		for (int c = 0; c < NR_RUN_COLUMNS; c++) {
			int w;

			if (c == RUN_COLUMN_CPU && cpu_event < 0)
				continue;
			w = (int)strlen(run_cell(st, &s->runs[k], c, cpu_event,
						 cell, sizeof(cell)));
			if (w > widths[c])
				widths[c] = w;
		}
	for (int c = 0; c < NR_RUN_COLUMNS; c++) {
		if (c == RUN_COLUMN_CPU && cpu_event < 0)
			continue;
		fputs(c ? "  " : " ", out);
		print_padded(out, "", widths[c] - text_columns(heads[c]));
		display_sanitized(out, heads[c]);
	}
	fputc('\n', out);
	for (size_t k = 0; k < s->nr_runs; k++) {
		for (int c = 0; c < NR_RUN_COLUMNS; c++) {
			if (c == RUN_COLUMN_CPU && cpu_event < 0)
				continue;
			fprintf(out, "%s%*s", c ? "  " : " ", widths[c],
				run_cell(st, &s->runs[k], c, cpu_event, cell,
					 sizeof(cell)));
		}
		text_run_marks(out, st, k);
		fputc('\n', out);
	}
}

/* A counter's mean over the runs, with perf stat -r's "( +- x% )". */
static void text_mean_counter(FILE *out, const struct run_stats *st,
			      const struct run_figure *f, int wall_known,
			      double wall_seconds)
{
	char value[COUNTER_NUMBER_MAX], comment[COUNTER_NUMBER_MAX + 32] = "";
	struct counter_line l;

	if (f->stats.n) {
		counter_format_double(value, sizeof(value), f->stats.mean,
				      f->is_time ? 2 : 0);
		counter_comment(comment, sizeof(comment), f->is_time,
				f->stats.mean, wall_known, wall_seconds);
	} else {
		snprintf(value, sizeof(value), "<%s>",
			 counter_status_name(f->status));
	}
	l = (struct counter_line){
		.name = f->name, .user_fallback = f->user_fallback,
		.value = value, .unit = f->unit, .comment = comment,
		.scaled = f->scaled, .percent_counted = f->percent_counted,
		.noise = stats_rel_stderr(&f->stats),
		.counted_in = f->stats.n ? f->stats.n : st->runs,
		.runs = st->runs,
	};
	text_counter_line(out, &l);
}

/* The means of text_switches_from_rusage(). */
static void text_mean_switches_from_rusage(FILE *out,
					   const struct run_stats *st)
{
	const struct summary *s = st->s;
	char value[COUNTER_NUMBER_MAX];
	double voluntary = 0, involuntary = 0, moved = 0;
	size_t reaped = 0, read = 0;
	int switches, migrations;
	uint64_t n;

	user_mode_switch_events(s, &switches, &migrations);
	if (!switches && !migrations)
		return;
	for (size_t k = 0; k < s->nr_runs; k++) {
		const struct summary_run *r = &s->runs[k];

		if (!run_in_figures(r))
			continue;
		if (r->end.exit_kind != REC_EXIT_ATTACHED) {
			voluntary += (double)r->end.rusage.nvcsw;
			involuntary += (double)r->end.rusage.nivcsw;
			reaped++;
		}
		if (tree_migrations(&r->tree, &n) == 0) {
			moved += (double)n;
			read++;
		}
	}
	if (switches && reaped) {
		voluntary /= (double)reaped;
		involuntary /= (double)reaped;
		counter_format_double(value, sizeof(value),
				      voluntary + involuntary, 0);
		fprintf(out, "%*s      context-switches          # from getrusage, mean of %zu runs: %.0f voluntary, %.0f involuntary (user-mode counting sees none)\n",
			VALUE_WIDTH, value, reaped, voluntary, involuntary);
	}
	if (migrations && read) {
		counter_format_double(value, sizeof(value),
				      moved / (double)read, 0);
		fprintf(out, "%*s      cpu-migrations            # from /proc/PID/sched, main threads, mean of %zu runs (user-mode counting sees none)\n",
			VALUE_WIDTH, value, read);
	}
}

/*
 * "S +- E seconds what  ( +- x% )" as perf stat -r prints the time
 * elapsed: E is the standard error of the mean, and both have two more
 * decimals than E needs.
 */
static void text_mean_seconds(FILE *out, const struct stats *st,
			      const char *what)
{
	double error = st->n > 1 ? st->stddev / sqrt((double)st->n) : 0;
	double noise = stats_rel_stderr(st);
	int decimals = 9;

	if (error > 1)
		decimals = 2;
	else if (error > 0 && isfinite(error))
		decimals = (int)ceil(-log10(error)) + 2;
	if (decimals > 9)
		decimals = 9;
	fprintf(out, "%*.*f +- %.*f seconds %s", VALUE_WIDTH, decimals,
		st->mean, decimals, error, what);
	if (noise)
		fprintf(out, "  ( +-%6.2f%% )", noise);
	fputc('\n', out);
}

/* The exit status all runs share, and their samples together. */
static void text_runs_exit(FILE *out, const struct run_stats *st)
{
	const struct summary *s = st->s;
	const struct summary_run *one = NULL;
	uint64_t samples = 0, gaps = 0, gap_sum = 0, gap_max = 0;
	int same = 1;

	for (size_t k = 0; k < s->nr_runs; k++) {
		const struct summary_run *r = &s->runs[k];

		if (!run_in_figures(r))
			continue;
		if (!one)
			one = r;
		else if (r->end.exit_kind != one->end.exit_kind ||
			 r->end.exit_code != one->end.exit_code)
			same = 0;
		samples += r->samples;
		gaps += r->gaps;
		gap_sum += r->gap_sum_ns;
		if (r->gap_max_ns > gap_max)
			gap_max = r->gap_max_ns;
	}
	if (!one) {
		fputs(" no measured run ended\n", out);
		return;
	}
	if (!same) {
		fputs(" exit status differs between runs (see the table of runs)", out);
	} else {
		text_exit(out, one);
		if (st->runs > 1)
			fprintf(out, " in all %zu runs", st->runs);
	}
	fprintf(out, "; %" PRIu64 " sample%s", samples,
		samples == 1 ? "" : "s");
	if (s->has_interval)
		fprintf(out, ", interval %.6g ms", (double)s->interval_ns / 1e6);
	if (gaps)
		fprintf(out, " (achieved %.1f ms mean, %.1f ms max)",
			(double)gap_sum / (double)gaps / 1e6,
			(double)gap_max / 1e6);
	fputc('\n', out);
}

/*
 * The runs together, as perf stat -r prints them, then their statistics,
 * a line per run, and the processes and memory of the first measured run
 * (unless --per-run printed every run's already).
 */
static void text_repeated_runs(FILE *out, const struct run_stats *st,
			       const struct display_options *o)
{
	const struct summary *s = st->s;
	const struct run_figure *elapsed = time_figure(st, FIGURE_ELAPSED);
	const struct run_figure *user = time_figure(st, FIGURE_USER);
	const struct run_figure *sys = time_figure(st, FIGURE_SYS);
	const struct summary_run *first = st->first;

	text_header_begin(out, s, shown_variant(s));
	fprintf(out, ", %zu run%s", st->runs, st->runs == 1 ? "" : "s");
	if (st->warmups)
		fprintf(out, ", %zu warm-up run%s left out", st->warmups,
			st->warmups == 1 ? "" : "s");
	if (st->cut_off)
		fprintf(out, ", %zu cut-off run%s left out", st->cut_off,
			st->cut_off == 1 ? "" : "s");
	text_header_end(out, s);
	for (size_t i = 0; i < s->nr_events; i++)
		text_mean_counter(out, st, &st->figures[i], elapsed->stats.n > 0,
				  elapsed->stats.mean);
	text_mean_switches_from_rusage(out, st);
	text_counting(out, s);
	if (s->nr_events)
		fputc('\n', out);
	if (elapsed->stats.n)
		text_mean_seconds(out, &elapsed->stats, "time elapsed");
	if (user->stats.n) {
		fputc('\n', out);
		text_mean_seconds(out, &user->stats, "user");
		text_mean_seconds(out, &sys->stats, "sys");
	}
	fputc('\n', out);
	text_runs_exit(out, st);
	fputc('\n', out);
	if (st->runs) {
		text_stats_table(out, st);
		fputc('\n', out);
	}
	text_run_table(out, st);
	fputc('\n', out);
	if (o->per_run || !first ||
	    (!summary_run_has_tree(first) && !summary_run_has_memory(first)))
		return;
	fprintf(out, " processes and memory of run %" PRIu32 ", the first measured; --per-run shows every run\n",
		first->run);
	if (summary_run_has_tree(first))
		text_processes(out, first, o);
	if (summary_run_has_memory(first))
		text_memory(out, first);
}

/* Notes about the recording as a whole, after its runs. */
static void text_notes(FILE *out, const struct summary *s)
{
	int fallback = 0, printed = 0;

	for (size_t i = 0; i < s->nr_events; i++) {
		const struct summary_event *e = &s->events[i];

		if (e->status == REC_EVENT_OPENED &&
		    (e->flags & REC_EVENT_F_USER_FALLBACK))
			fallback = 1;
		if ((e->status == REC_EVENT_NOT_PERMITTED ||
		     e->status == REC_EVENT_FAILED) && e->error > 0) {
			printed = 1;
			fputs(" note: '", out);
			display_sanitized(out, e->name);
			fprintf(out, "' could not be opened: %s\n",
				strerror(e->error));
		}
	}
	if (fallback) {
		printed = 1;
		fputs(" note: counted in user mode only", out);
		if (s->has_paranoid)
			fprintf(out, " (perf_event_paranoid=%" PRId64 ")",
				s->perf_event_paranoid);
		fputs("; kernel-side work is missing from these values\n", out);
	}
	if (printed)
		fputc('\n', out);
}

void display_options_init(struct display_options *o)
{
	o->sort = TREE_SORT_CPU;
	o->top = DISPLAY_TOP_DEFAULT;
	o->collapse = 1;
	o->per_run = 0;
}

void display_text_with(FILE *out, const struct summary *s,
		       const struct display_options *o)
{
	struct run_stats st;
	int together = measured_runs(s) >= 2;

	if (!s->nr_runs) {
		text_header(out, s, NULL);
		fputs("      no run recorded\n\n", out);
		return;
	}
	if (together && run_stats_init(&st, s) < 0) {
		fputs("\n (out of memory for the statistics of the runs: each run follows)\n",
		      out);
		together = 0;
	}
	if (!together || o->per_run)
		for (size_t i = 0; i < s->nr_runs; i++)
			text_run(out, s, &s->runs[i], o);
	if (together) {
		text_repeated_runs(out, &st, o);
		run_stats_release(&st);
	}
	text_notes(out, s);
}

void display_text(FILE *out, const struct summary *s)
{
	struct display_options o;

	display_options_init(&o);
	display_text_with(out, s, &o);
}

/* ---- CSV ---- */

void display_csv_field(FILE *out, const char *field)
{
	size_t len = strlen(field);
	int quote = len && (field[0] == ' ' || field[len - 1] == ' ');

	if (!quote)
		quote = strpbrk(field, ",\"\r\n") != NULL;
	if (!quote) {
		fputs(field, out);
		return;
	}
	fputc('"', out);
	for (const char *p = field; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

void display_csv_header(FILE *out)
{
	fputs("file,run,event,value,unit,status,percent_counted,enabled_ns,running_ns\n",
	      out);
}

static void csv_row_start(FILE *out, const struct summary *s,
			  const struct summary_run *r, const char *event)
{
	display_csv_field(out, s->file);
	fprintf(out, ",%" PRIu32 ",", r->run);
	display_csv_field(out, event);
	fputc(',', out);
}

/* A run's times as perf's tool events, in seconds; unknown is empty. */
static void csv_time_row(FILE *out, const struct summary *s,
			 const struct summary_run *r, const char *event,
			 int known, double seconds)
{
	char number[JSON_NUMBER_MAX];

	csv_row_start(out, s, r, event);
	if (known)
		fputs(json_format_double(number, seconds), out);
	fprintf(out, ",s,%s,,,\n", counter_status_name(known ? COUNTER_COUNTED :
						   COUNTER_NOT_COUNTED));
}

static void csv_run(FILE *out, const struct summary *s,
		    const struct summary_run *r)
{
	char number[JSON_NUMBER_MAX];
	struct counter_view v;
	uint64_t wall_ns = 0;
	double user = 0, sys = 0;
	int wall_known = summary_run_wall_ns(r, &wall_ns) == 0;
	int cpu_known = summary_run_cpu_seconds(r, &user, &sys) == 0;

	for (size_t i = 0; i < s->nr_events; i++) {
		summary_judge(s, r, i, &v);
		csv_row_start(out, s, r, s->events[i].name);
		if (v.has_value && !v.scaled && !v.is_time)
			fprintf(out, "%" PRIu64, v.raw);
		else if (v.has_value)
			fputs(json_format_double(number, v.value), out);
		fputc(',', out);
		display_csv_field(out, v.unit);
		fprintf(out, ",%s,", counter_status_name(v.status));
		if (v.has_percent)
			fputs(json_format_double(number, v.percent_counted), out);
		if (v.has_reading)
			fprintf(out, ",%" PRIu64 ",%" PRIu64 "\n",
				v.enabled_ns, v.running_ns);
		else
			fputs(",,\n", out);
	}
	csv_time_row(out, s, r, "duration_time", wall_known,
		     (double)wall_ns / 1e9);
	csv_time_row(out, s, r, "user_time", cpu_known, user);
	csv_time_row(out, s, r, "system_time", cpu_known, sys);
}

void display_csv(FILE *out, const struct summary *s)
{
	for (size_t i = 0; i < s->nr_runs; i++)
		csv_run(out, s, &s->runs[i]);
}

void display_csv_processes_header(FILE *out)
{
	fputs("file,run,pid,ppid,command,start_seconds,end_seconds,threads,"
	      "user_seconds,sys_seconds,voluntary_switches,involuntary_switches,"
	      "minor_faults,major_faults,peak_rss_bytes,exit_status\n", out);
}

/* ",value" or "," for an unknown one. */
static void csv_u64(FILE *out, int known, uint64_t v)
{
	fputc(',', out);
	if (known)
		fprintf(out, "%" PRIu64, v);
}

static void csv_double(FILE *out, int known, double v)
{
	char number[JSON_NUMBER_MAX];

	fputc(',', out);
	if (known)
		fputs(json_format_double(number, v), out);
}

void display_csv_processes(FILE *out, const struct summary *s)
{
	for (size_t i = 0; i < s->nr_runs; i++) {
		const struct summary_run *r = &s->runs[i];

		for (size_t k = 0; k < r->tree.nr; k++) {
			struct tree_view v;

			tree_process_view(&r->tree, &r->tree.procs[k], &v);
			display_csv_field(out, s->file);
			fprintf(out, ",%" PRIu32 ",%" PRIu32, r->run, v.pid);
			csv_u64(out, v.has_ppid, v.ppid);
			fputc(',', out);
			display_csv_field(out, v.command);
			csv_double(out, v.has_start, v.start_seconds);
			csv_double(out, v.has_end, v.end_seconds);
			csv_u64(out, 1, v.threads);
			csv_double(out, v.has_cpu, v.user_seconds);
			csv_double(out, v.has_cpu, v.sys_seconds);
			csv_u64(out, v.has_ctxsw, v.nvcsw);
			csv_u64(out, v.has_ctxsw, v.nivcsw);
			csv_u64(out, v.has_faults, v.minflt);
			csv_u64(out, v.has_faults, v.majflt);
			csv_u64(out, v.has_peak_rss, v.peak_rss);
			fputc(',', out);
			if (v.has_exit)
				fprintf(out, "%d", v.exit_status);
			fputc('\n', out);
		}
	}
}

void display_csv_memory_header(FILE *out)
{
	fputs("file,run,backend,status,initial_bytes,peak_bytes,final_bytes,"
	      "peak_seconds,readings,source\n", out);
}

/* "recorded" or "unavailable", as JSON and CSV name a series' status. */
static const char *memory_status_name(const struct memory_series *m)
{
	return memory_series_recorded(m) ? "recorded" : "unavailable";
}

void display_csv_memory(FILE *out, const struct summary *s)
{
	for (size_t i = 0; i < s->nr_runs; i++) {
		const struct summary_run *r = &s->runs[i];

		for (uint32_t b = REC_MEM_RSS; b <= REC_MEM_RUSAGE; b++) {
			const struct memory_series *m =
				&r->memory[memory_backend_index(b)];
			int has = m->readings > 0;
			int current = has && memory_backend_has_current(b);

			if (!m->declared && !m->readings)
				continue;
			display_csv_field(out, s->file);
			fprintf(out, ",%" PRIu32 ",%s,%s", r->run,
				memory_backend_name(b), memory_status_name(m));
			csv_u64(out, current, m->initial);
			csv_u64(out, has, m->peak);
			csv_u64(out, current, m->final);
			csv_double(out, current, summary_run_seconds(r, m->peak_ns));
			csv_u64(out, 1, m->readings);
			fputc(',', out);
			display_csv_field(out, m->source ? m->source : "");
			fputc('\n', out);
		}
	}
}

void display_csv_stats_header(FILE *out)
{
	fputs("file,variant,figure,unit,runs,mean,stddev,min,median,max,"
	      "rel_stderr_percent,outlier_runs\n", out);
}

int display_csv_stats(FILE *out, const struct summary *s)
{
	struct run_stats st;

	if (run_stats_init(&st, s) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < st.nr_figures && st.runs; i++) {
		const struct run_figure *f = &st.figures[i];
		size_t printed = 0;

		if (!f->stats.n)
			continue;
		display_csv_field(out, s->file);
		fprintf(out, ",%" PRIu32 ",", shown_variant_index(s));
		display_csv_field(out, f->name);
		fputc(',', out);
		display_csv_field(out, f->unit);
		fprintf(out, ",%zu", f->stats.n);
		csv_double(out, 1, f->stats.mean);
		csv_double(out, 1, f->stats.stddev);
		csv_double(out, 1, f->stats.min);
		csv_double(out, 1, f->stats.median);
		csv_double(out, 1, f->stats.max);
		csv_double(out, 1, stats_rel_stderr(&f->stats));
		fputc(',', out);
		for (size_t k = 0; k < s->nr_runs; k++)
			if (f->outlier[k])
				fprintf(out, "%s%" PRIu32, printed++ ? " " : "",
					s->runs[k].run);
		fputc('\n', out);
	}
	run_stats_release(&st);
	return 0;
}

/* ---- JSON ---- */

void display_json_begin(struct json_writer *w, const char *pprobe_version)
{
	json_begin_object(w, NULL);
	json_string(w, "pprobe_version", pprobe_version);
	json_u64(w, "schema", DISPLAY_JSON_SCHEMA);
	json_begin_array(w, "recordings");
}

void display_json_end(struct json_writer *w)
{
	json_end_array(w);
	json_end_object(w);
}

static void json_counter(struct json_writer *w, const struct summary *s,
			 const struct summary_run *r, size_t i,
			 const uint32_t *ordinals, int wall_known,
			 double wall_seconds)
{
	const struct summary_event *e = &s->events[i];
	struct counter_view v;
	double rate;

	summary_judge(s, r, i, &v);
	if (ordinals && ordinals[i] > 1) {
		size_t len = strlen(e->name) + 16;
		char *key = malloc(len);

		if (key) {
			snprintf(key, len, "%s#%" PRIu32, e->name, ordinals[i]);
			json_begin_object(w, key);
			free(key);
		} else {
			json_begin_object(w, e->name);
		}
	} else {
		json_begin_object(w, e->name);
	}
	/* A count read without scaling is exact: print the integer, which
	 * a double would round above 2^53. */
	if (v.has_value && !v.scaled && !v.is_time)
		json_u64(w, "value", v.raw);
	else if (v.has_value)
		json_double(w, "value", v.value);
	else
		json_null(w, "value");
	json_string(w, "unit", v.unit);
	if (v.has_reading)
		json_u64(w, "raw", v.raw);
	else
		json_null(w, "raw");
	json_string(w, "status", counter_status_name(v.status));
	if (v.has_percent)
		json_double(w, "percent_counted", v.percent_counted);
	else
		json_null(w, "percent_counted");
	json_bool(w, "scaled", v.scaled);
	json_bool(w, "user_only", v.user_only);
	json_bool(w, "user_fallback", v.user_fallback);
	if (v.has_value && wall_known &&
	    counter_rate(v.value, wall_seconds, &rate) == 0)
		json_double(w, "per_second", rate);
	else
		json_null(w, "per_second");
	if (v.has_reading) {
		json_u64(w, "enabled_ns", v.enabled_ns);
		json_u64(w, "running_ns", v.running_ns);
	} else {
		json_null(w, "enabled_ns");
		json_null(w, "running_ns");
	}
	json_u64(w, "group", e->group);
	if (e->status != REC_EVENT_OPENED && e->error > 0)
		json_string(w, "open_error", strerror(e->error));
	else
		json_null(w, "open_error");
	json_end_object(w);
}

static void json_rusage(struct json_writer *w, const struct summary_run *r)
{
	const struct rec_rusage *u = &r->end.rusage;

	if (!r->ended || r->end.exit_kind == REC_EXIT_ATTACHED) {
		json_null(w, "rusage");
		return;
	}
	json_begin_object(w, "rusage");
	json_u64(w, "maxrss_kib", u->maxrss_kib);
	json_u64(w, "minflt", u->minflt);
	json_u64(w, "majflt", u->majflt);
	json_u64(w, "nvcsw", u->nvcsw);
	json_u64(w, "nivcsw", u->nivcsw);
	json_u64(w, "inblock", u->inblock);
	json_u64(w, "oublock", u->oublock);
	json_end_object(w);
}

static void json_u64_or_null(struct json_writer *w, const char *key,
			     int known, uint64_t v)
{
	if (known)
		json_u64(w, key, v);
	else
		json_null(w, key);
}

static void json_double_or_null(struct json_writer *w, const char *key,
				int known, double v)
{
	if (known)
		json_double(w, key, v);
	else
		json_null(w, key);
}

static void json_process(struct json_writer *w, const struct tree_view *v)
{
	json_begin_object(w, NULL);
	json_u64(w, "pid", v->pid);
	json_u64_or_null(w, "ppid", v->has_ppid, v->ppid);
	json_string_or_null(w, "command", v->command[0] ? v->command : NULL);
	json_double_or_null(w, "start_seconds", v->has_start, v->start_seconds);
	json_double_or_null(w, "end_seconds", v->has_end, v->end_seconds);
	json_u64(w, "threads", v->threads);
	json_double_or_null(w, "user_seconds", v->has_cpu, v->user_seconds);
	json_double_or_null(w, "sys_seconds", v->has_cpu, v->sys_seconds);
	json_u64_or_null(w, "voluntary_switches", v->has_ctxsw, v->nvcsw);
	json_u64_or_null(w, "involuntary_switches", v->has_ctxsw, v->nivcsw);
	json_bool(w, "switches_main_thread_only", v->ctxsw_main_only);
	json_u64_or_null(w, "minor_faults", v->has_faults, v->minflt);
	json_u64_or_null(w, "major_faults", v->has_faults, v->majflt);
	json_u64_or_null(w, "peak_rss_bytes", v->has_peak_rss, v->peak_rss);
	if (v->has_exit) {
		json_i64(w, "exit_status", v->exit_status);
		json_u64_or_null(w, "exit_signal", v->exit_signal != 0,
				 (uint64_t)v->exit_signal);
	} else {
		json_null(w, "exit_status");
		json_null(w, "exit_signal");
	}
	json_end_object(w);
}

/* "tree" (null when the run did not follow it) and "processes". */
static void json_tree(struct json_writer *w, const struct summary_run *r)
{
	const struct tree *t = &r->tree;

	if (summary_run_has_tree(r)) {
		json_begin_object(w, "tree");
		json_u64(w, "processes", t->nr);
		json_u64(w, "threads", tree_threads(t));
		json_u64(w, "lost_records", t->lost);
		json_end_object(w);
	} else {
		json_null(w, "tree");
	}
	json_begin_array(w, "processes");
	for (size_t i = 0; i < t->nr; i++) {
		struct tree_view v;

		tree_process_view(t, &t->procs[i], &v);
		json_process(w, &v);
	}
	json_end_array(w);
}

static void json_memory_series(struct json_writer *w,
			       const struct summary_run *r, uint32_t backend,
			       const struct memory_series *m,
			       const struct memory_spike *spike)
{
	int has = m->readings > 0;
	int current = has && memory_backend_has_current(backend);
	char label[256];

	json_begin_object(w, memory_backend_name(backend));
	json_u64_or_null(w, "initial_bytes", current, m->initial);
	json_u64_or_null(w, "peak_bytes", has, m->peak);
	json_u64_or_null(w, "final_bytes", current, m->final);
	json_double_or_null(w, "peak_seconds", current,
			    summary_run_seconds(r, m->peak_ns));
	json_u64(w, "readings", m->readings);
	json_bool(w, "own_peak", m->has_own_peak);
	json_string(w, "status", memory_status_name(m));
	json_string_or_null(w, "source", m->declared ? m->source : NULL);
	json_string_or_null(w, "why", m->why && m->why[0] ? m->why : NULL);
	snprintf(label, sizeof(label), "%s: %s", memory_backend_what(backend),
		 memory_backend_judgement(backend));
	json_string(w, "label", label);
	if (spike) {
		json_begin_object(w, "missed_spike");
		json_string(w, "against", memory_backend_name(spike->against));
		json_u64(w, "against_peak_bytes", spike->true_peak);
		json_u64(w, "gap_bytes", spike->gap);
		json_end_object(w);
	} else {
		json_null(w, "missed_spike");
	}
	json_end_object(w);
}

static void json_memory(struct json_writer *w, const struct summary_run *r)
{
	struct memory_spike spikes[2];
	size_t nr = memory_spikes(r->memory, spikes);

	json_begin_object(w, "memory");
	for (uint32_t b = REC_MEM_RSS; b <= REC_MEM_RUSAGE; b++) {
		const struct memory_series *m = &r->memory[memory_backend_index(b)];
		const struct memory_spike *spike = NULL;

		if (!m->declared && !m->readings)
			continue;
		for (size_t i = 0; i < nr; i++)
			if (spikes[i].sampled == b)
				spike = &spikes[i];
		json_memory_series(w, r, b, m, spike);
	}
	json_end_object(w);
}

static void json_run(struct json_writer *w, const struct summary *s,
		     const struct summary_run *r, const uint32_t *ordinals)
{
	uint64_t wall_ns = 0;
	int wall_known = summary_run_wall_ns(r, &wall_ns) == 0;
	double wall_seconds = (double)wall_ns / 1e9;
	double user, sys, cpus, mean, max;
	int status, sig;
	char name[32];

	json_begin_object(w, NULL);
	json_u64(w, "run", r->run);
	json_u64(w, "pid", r->pid);
	json_bool(w, "warmup", !!(r->flags & REC_RUN_F_WARMUP));
	json_bool(w, "ended", r->ended);
	if (wall_known)
		json_double(w, "wall_seconds", wall_seconds);
	else
		json_null(w, "wall_seconds");
	if (summary_run_cpu_seconds(r, &user, &sys) == 0) {
		json_double(w, "user_seconds", user);
		json_double(w, "sys_seconds", sys);
	} else {
		json_null(w, "user_seconds");
		json_null(w, "sys_seconds");
	}
	if (summary_run_cpus_utilized(s, r, &cpus) == 0)
		json_double(w, "cpus_utilized", cpus);
	else
		json_null(w, "cpus_utilized");
	if (summary_run_exit(r, &status, &sig) == 0) {
		json_i64(w, "exit_status", status);
		if (sig) {
			json_i64(w, "exit_signal", sig);
			json_string_or_null(w, "exit_signal_name",
					    display_signal_name(sig, name, sizeof(name)));
		} else {
			json_null(w, "exit_signal");
			json_null(w, "exit_signal_name");
		}
	} else {
		json_null(w, "exit_status");
		json_null(w, "exit_signal");
		json_null(w, "exit_signal_name");
	}
	json_u64(w, "samples", r->samples);
	if (summary_run_interval_ms(r, &mean, &max) == 0) {
		json_double(w, "interval_ms_mean", mean);
		json_double(w, "interval_ms_max", max);
	} else {
		json_null(w, "interval_ms_mean");
		json_null(w, "interval_ms_max");
	}
	json_rusage(w, r);
	json_begin_object(w, "counters");
	for (size_t i = 0; i < s->nr_events; i++)
		json_counter(w, s, r, i, ordinals, wall_known, wall_seconds);
	json_end_object(w);
	json_tree(w, r);
	json_memory(w, r);
	load_view_json(w, s, r);
	json_end_object(w);
}

/* "variant": the VARIANT record of the recording's runs, or null. */
static void json_variant(struct json_writer *w, const struct summary *s)
{
	const struct summary_variant *v = shown_variant(s);

	if (!v) {
		json_null(w, "variant");
		return;
	}
	json_begin_object(w, "variant");
	json_u64(w, "index", v->index);
	json_string(w, "label", v->label);
	json_string_or_null(w, "cpus", v->cpus[0] ? v->cpus : NULL);
	json_u64_or_null(w, "nr_cpus", v->nr_cpus > 0, v->nr_cpus);
	json_end_object(w);
}

/* One figure of "statistics": an event under its "counters" key. */
static void json_figure(struct json_writer *w, const struct run_stats *st,
			const struct run_figure *f, const uint32_t *ordinals)
{
	const struct summary *s = st->s;
	char *key = NULL;

	json_begin_object(w, NULL);
	if (f->event >= 0 && ordinals && ordinals[f->event] > 1) {
		size_t len = strlen(f->name) + 16;

		key = malloc(len);
		if (key)
			snprintf(key, len, "%s#%" PRIu32, f->name,
				 ordinals[f->event]);
	}
	json_string(w, "name", key ? key : f->name);
	free(key);
	json_string(w, "unit", f->unit);
	json_u64(w, "runs", f->stats.n);
	json_double(w, "mean", f->stats.mean);
	json_double(w, "stddev", f->stats.stddev);
	json_double(w, "min", f->stats.min);
	json_double(w, "median", f->stats.median);
	json_double(w, "max", f->stats.max);
	json_double(w, "rel_stderr_percent", stats_rel_stderr(&f->stats));
	json_begin_array(w, "outlier_runs");
	for (size_t k = 0; k < s->nr_runs; k++)
		if (f->outlier[k])
			json_u64(w, NULL, s->runs[k].run);
	json_end_array(w);
	json_end_object(w);
}

/* "statistics" of the measured runs (display_csv_stats()), or null. */
static void json_statistics(struct json_writer *w, const struct summary *s,
			    const uint32_t *ordinals)
{
	struct run_stats st;

	if (run_stats_init(&st, s) < 0 || !st.runs) {
		run_stats_release(&st);
		json_null(w, "statistics");
		return;
	}
	json_begin_object(w, "statistics");
	json_u64(w, "runs", st.runs);
	json_u64(w, "warmups", st.warmups);
	json_u64(w, "cut_off", st.cut_off);
	json_begin_array(w, "figures");
	for (size_t i = 0; i < st.nr_figures; i++)
		if (st.figures[i].stats.n)
			json_figure(w, &st, &st.figures[i], ordinals);
	json_end_array(w);
	json_end_object(w);
	run_stats_release(&st);
}

/* CLOCK_REALTIME nanoseconds as ISO 8601 in UTC. */
static void json_start_time(struct json_writer *w, const struct summary *s)
{
	time_t seconds;
	struct tm tm;
	char date[32], text[48];

	if (!s->has_start_realtime) {
		json_null(w, "start_realtime_ns");
		json_null(w, "start_time");
		return;
	}
	json_u64(w, "start_realtime_ns", s->start_realtime_ns);
	seconds = (time_t)(s->start_realtime_ns / 1000000000u);
	if (!gmtime_r(&seconds, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm)) {
		json_null(w, "start_time");
		return;
	}
	snprintf(text, sizeof(text), "%s.%09uZ", date,
		 (unsigned)(s->start_realtime_ns % 1000000000u));
	json_string(w, "start_time", text);
}

void display_json_recording(struct json_writer *w, const struct summary *s,
			    const char *open_error)
{
	const struct summary_variant *variant = shown_variant(s);
	char reason[256], version[16];
	uint32_t *ordinals;

	json_begin_object(w, NULL);
	json_string(w, "file", s->file);
	json_bool(w, "complete", !open_error && s->status == REC_DONE);
	if (open_error) {
		json_string(w, "end_status", "cannot_open");
		snprintf(reason, sizeof(reason), "cannot open: %s", open_error);
		json_string(w, "end_reason", reason);
		json_null(w, "end_offset");
	} else {
		json_string(w, "end_status", display_end_status(s));
		json_string_or_null(w, "end_reason",
				    display_end_reason(s, reason, sizeof(reason)));
		if (s->status == REC_DONE)
			json_null(w, "end_offset");
		else
			json_u64(w, "end_offset", s->end_offset);
	}
	if (s->opened || s->status == REC_ERR_VERSION) {
		snprintf(version, sizeof(version), "%u.%u", s->major, s->minor);
		json_string(w, "format_version", version);
	} else {
		json_null(w, "format_version");
	}
	json_string_or_null(w, "recorded_with", s->pprobe_version);
	json_begin_array(w, "command");
	if (variant && !s->nr_attach_pids)
		for (size_t i = 0; i < variant->argc; i++)
			json_string(w, NULL, variant->argv[i]);
	else
		for (size_t i = 0; i < s->argc; i++)
			json_string(w, NULL, s->argv[i]);
	json_end_array(w);
	json_string_or_null(w, "counting", s->counting);
	json_begin_array(w, "attached_pids");
	for (size_t i = 0; i < s->nr_attach_pids; i++)
		json_u64(w, NULL, s->attach_pids[i]);
	json_end_array(w);
	json_string_or_null(w, "hostname", s->hostname);
	json_string_or_null(w, "kernel_release", s->kernel_release);
	json_string_or_null(w, "machine", s->machine);
	if (s->has_cpus_online)
		json_u64(w, "cpus_online", s->cpus_online);
	else
		json_null(w, "cpus_online");
	if (s->has_interval)
		json_double(w, "interval_ms", (double)s->interval_ns / 1e6);
	else
		json_null(w, "interval_ms");
	if (s->has_paranoid)
		json_i64(w, "perf_event_paranoid", s->perf_event_paranoid);
	else
		json_null(w, "perf_event_paranoid");
	json_string_or_null(w, "label", s->label);
	json_variant(w, s);
	json_start_time(w, s);

	ordinals = name_ordinals(s);
	json_begin_array(w, "runs");
	for (size_t i = 0; i < s->nr_runs; i++)
		json_run(w, s, &s->runs[i], ordinals);
	json_end_array(w);
	json_statistics(w, s, ordinals);
	free(ordinals);
	json_end_object(w);
}

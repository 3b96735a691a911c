/*
 * charts.c - what each chart shows (see charts.h). Layout is in multiples
 * of the page's base font (plot.h), so every chart keeps its proportions
 * from 200 pixels to 10,000.
 */
#include "charts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "axis.h"
#include "counter.h"
#include "palette.h"
#include "tree.h"

#define TEXT_RGB 0x222222u
#define MUTED_RGB 0x666666u
#define FRAME_RGB 0x999999u     /* as plot.c frames a panel */

/* ---- pages ---- */

int chart_draw_page(struct chart_output *out, const char *name,
		    chart_draw_fn draw, const void *arg)
{
	for (int f = PLOT_PNG; f <= PLOT_PDF; f++) {
		struct plot p;
		char *path;
		int ret;

		if (!(out->formats & (1u << f)))
			continue;
		if (asprintf(&path, "%s/%s%s", out->dir, name,
			     plot_format_extension((enum plot_format)f)) < 0)
			return -ENOMEM;
		ret = plot_begin(&p, (enum plot_format)f, path, out->width,
				 out->height);
		if (ret == 0) {
			draw(&p, arg);
			ret = plot_end(&p);
		}
		if (ret == 0) {
			if (out->wrote)
				out->wrote(path);
		} else {
			out->failures++;
			if (out->failed)
				out->failed(path, -ret);
		}
		free(path);
		if (ret == -ENOMEM)
			return ret;
	}
	return 0;
}

int chart_ticks_for(const struct plot *p, double length, double chars)
{
	int n = (int)(length / (p->font * chars));

	return n < 2 ? 2 : n > 12 ? 12 : n;
}

char *chart_format_seconds(double v, char *buf, size_t size)
{
	if (v < 1e-3)
		snprintf(buf, size, "%.0f us", v * 1e6);
	else if (v < 0.01)
		snprintf(buf, size, "%.1f ms", v * 1e3);
	else if (v < 1)
		snprintf(buf, size, "%.0f ms", v * 1e3);
	else if (v < 100)
		snprintf(buf, size, "%.2f s", v);
	else
		snprintf(buf, size, "%.0f s", v);
	return buf;
}

/* ---- what comparisons keep ---- */

static const struct {
	const char *event;        /* as recorded */
	const char *title;        /* per second of wall time */
	double divisor;           /* of the report's value (msec for time) */
} chart_counters[CHART_COUNTERS] = {
	{ "task-clock", "CPUs utilized (task-clock)", 1000 },
	{ "context-switches", "context switches / s", 1 },
	{ "voluntary-context-switches", "voluntary switches / s", 1 },
	{ "involuntary-context-switches", "involuntary switches / s", 1 },
	{ "cpu-migrations", "CPU migrations / s", 1 },
	{ "page-faults", "page faults / s", 1 },
	{ "cycles", "cycles / s", 1 },
	{ "instructions", "instructions / s", 1 },
};

const char *chart_counter_title(size_t i)
{
	return i < CHART_COUNTERS ? chart_counters[i].title : "";
}

/* A label safe in a file name: [A-Za-z0-9._-], others '_'. */
static char *file_safe(const char *label)
{
	char *name = strdup(*label ? label : "recording");

	for (char *c = name; c && *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' ||
		      *c == '-'))
			*c = '_';
	return name;
}

/* The file's name without its directory and a ".data" ending. */
static char *file_label(const char *file)
{
	const char *base = strrchr(file, '/');
	size_t len;

	base = base ? base + 1 : file;
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".data"))
		len -= 5;
	return strndup(base, len);
}

static void digest_counters(struct chart_recording *c,
			    const struct summary *sum)
{
	for (size_t k = 0; k < CHART_COUNTERS; k++) {
		double total = 0, rate = 0;
		size_t runs = 0;

		for (size_t r = 0; r < sum->nr_runs; r++) {
			const struct summary_run *run = &sum->runs[r];
			struct counter_view v;
			uint64_t wall;

			if ((run->flags & REC_RUN_F_WARMUP) ||
			    summary_run_wall_ns(run, &wall) < 0 || !wall)
				continue;
			for (size_t i = 0; i < sum->nr_events; i++) {
				if (strcmp(sum->events[i].name,
					   chart_counters[k].event))
					continue;
				summary_judge(sum, run, i, &v);
				/* A counter of the user side only would
				 * be a 0 that means "not counted". */
				if (!v.has_value || v.user_only)
					continue;
				total += v.value / chart_counters[k].divisor;
				rate += v.value / chart_counters[k].divisor /
					((double)wall / 1e9);
				runs++;
				break;
			}
		}
		if (runs) {
			c->counters[k].has = 1;
			c->counters[k].total = total / (double)runs;
			c->counters[k].per_second = rate / (double)runs;
		}
	}
}

/* The variant the summary holds: the one it kept, or the file's only
 * one; NULL for a file without VARIANT records. */
static const struct summary_variant *variant_of(const struct summary *sum)
{
	if (sum->only_variant >= 0)
		return summary_variant(sum, (uint32_t)sum->only_variant);
	return sum->nr_variants == 1 ? &sum->variants[0] : NULL;
}

/*
 * --label, else the file's name; a variant of a file of several is
 * named by its own label, after the --label: "fork: 2 CPUs".
 */
static char *recording_label(const struct summary *sum)
{
	const struct summary_variant *v = sum->nr_variants > 1 ?
					  variant_of(sum) : NULL;
	int has_label = sum->label && *sum->label;
	char *label;

	if (!v)
		return has_label ? strdup(sum->label) : file_label(sum->file);
	if (!*v->label) {
		if (asprintf(&label, "%s%svariant %u",
			     has_label ? sum->label : "", has_label ? ": " : "",
			     v->index + 1) < 0)
			return NULL;
	} else if (asprintf(&label, "%s%s%s", has_label ? sum->label : "",
			    has_label ? ": " : "", v->label) < 0) {
		return NULL;
	}
	return label;
}

int chart_recording_init(struct chart_recording *c, const struct summary *sum,
			 const struct series *series, size_t index)
{
	const struct summary_run *run = series_run(series, sum);
	const struct summary_variant *variant = variant_of(sum);
	size_t n = 0;
	uint64_t run_wall;

	memset(c, 0, sizeof(*c));
	c->index = index;
	c->label = recording_label(sum);
	c->name = c->label ? file_safe(c->label) : NULL;
	c->cpus = strdup(variant ? variant->cpus : "");
	c->pinned_cpus = variant ? variant->nr_cpus : 0;
	c->wall = calloc(sum->nr_runs + 1, sizeof(double));
	c->user = calloc(sum->nr_runs + 1, sizeof(double));
	c->sys = calloc(sum->nr_runs + 1, sizeof(double));
	if (!c->label || !c->name || !c->cpus || !c->wall || !c->user ||
	    !c->sys) {
		chart_recording_release(c);
		return -ENOMEM;
	}
	for (size_t r = 0; r < sum->nr_runs; r++) {
		const struct summary_run *one = &sum->runs[r];
		uint64_t wall;
		double user, sys;

		if (one->flags & REC_RUN_F_WARMUP)
			continue;
		c->wall[n] = summary_run_wall_ns(one, &wall) == 0 ?
			     (double)wall / 1e9 : NAN;
		if (summary_run_cpu_seconds(one, &user, &sys) == 0) {
			c->user[n] = user;
			c->sys[n] = sys;
		} else {
			c->user[n] = c->sys[n] = NAN;
		}
		n++;
	}
	c->nr_runs = n;
	digest_counters(c, sum);
	c->begin_ns = series->begin_ns;
	if (run) {
		if (summary_run_wall_ns(run, &run_wall) == 0)
			c->duration = (double)run_wall / 1e9;
		c->duration = fmax(c->duration,
				   series_seconds(series, series->last_ns));
	}
	for (size_t b = 0; b < MEMORY_BACKENDS; b++) {
		envelope_init(&c->memory[b], series->begin_ns, 1, 2);
		memory_series_init(&c->figures[b]);
		if (run) {
			c->figures[b] = run->memory[b];
			c->figures[b].source = c->figures[b].why = NULL;
		}
	}
	return 0;
}

void chart_recording_take_memory(struct chart_recording *c,
				 struct series *series)
{
	for (size_t b = 0; b < MEMORY_BACKENDS; b++) {
		envelope_release(&c->memory[b]);
		c->memory[b] = series->env[SERIES_MEMORY + b];
		envelope_init(&series->env[SERIES_MEMORY + b], series->begin_ns,
			      1, series->cap);
	}
	for (size_t k = 0; k < c->nr_cpu_env; k++)
		envelope_release(&c->cpu_env[k]);
	free(c->cpu_env);
	c->cpu_env = series->cpu_env;
	c->nr_cpu_env = series->nr_cpu_env;
	c->cpus_ignored = series->cpus_ignored;
	series->cpu_env = NULL;
	series->nr_cpu_env = 0;
}

void chart_recording_release(struct chart_recording *c)
{
	free(c->label);
	free(c->name);
	free(c->wall);
	free(c->user);
	free(c->sys);
	for (size_t b = 0; b < MEMORY_BACKENDS; b++)
		envelope_release(&c->memory[b]);
	for (size_t k = 0; k < c->nr_cpu_env; k++)
		envelope_release(&c->cpu_env[k]);
	free(c->cpu_env);
	free(c->cpus);
	memset(c, 0, sizeof(*c));
}

/*
 * A time axis from 0 to exactly `duration` seconds: the data fills the
 * width, and ticks past the end are dropped rather than the range widened
 * to the next whole step (an hour would otherwise end at 1h10).
 */
static void time_axis(const struct plot *p, double duration, double width,
		      struct axis *x)
{
	axis_nice(0, duration, chart_ticks_for(p, width, 6), 0, AXIS_SECONDS, x);
	if (duration > x->lo && duration < x->hi) {
		x->hi = duration;
		while (x->nr > 2 && axis_tick(x, x->nr - 1) > duration * (1 + 1e-9))
			x->nr--;
	}
}

/* ---- titles ---- */

/* "cmd arg ... · file · run 1 of 3 · 2.41 s · host · 2026-11-21 10:02". */
static void describe(const struct summary *sum, const struct summary_run *run,
		     char *buf, size_t size)
{
	size_t len = 0, measured = 0, nr = 0;

#define ADD(...) do { \
		int n_ = snprintf(buf + len, size - len, __VA_ARGS__); \
		if (n_ > 0) \
			len = (size_t)n_ < size - len ? len + (size_t)n_ : size - 1; \
	} while (0)
	buf[0] = '\0';
	if (sum->nr_attach_pids) {
		ADD("process id '");
		for (size_t i = 0; i < sum->nr_attach_pids; i++)
			ADD("%s%u", i ? "," : "", sum->attach_pids[i]);
		ADD("'");
	}
	for (size_t i = 0; i < sum->argc && !sum->nr_attach_pids; i++)
		ADD("%s%s", i ? " " : "", sum->argv[i]);
	ADD("  \u00b7  %s", sum->file);
	for (size_t i = 0; i < sum->nr_runs; i++)
		if (!(sum->runs[i].flags & REC_RUN_F_WARMUP)) {
			nr++;
			if (run && &sum->runs[i] <= run)
				measured = nr;
		}
	if (nr > 1)
		ADD("  \u00b7  run %zu of %zu", measured, nr);
	if (run) {
		uint64_t wall;

		if (summary_run_wall_ns(run, &wall) == 0)
			ADD("  \u00b7  %.2f s", (double)wall / 1e9);
	}
	if (sum->hostname)
		ADD("  \u00b7  %s", sum->hostname);
	if (sum->has_start_realtime) {
		time_t t = (time_t)(sum->start_realtime_ns / 1000000000u);
		struct tm tm;
		char date[32];

		if (localtime_r(&t, &tm) &&
		    strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm))
			ADD("  \u00b7  %s", date);
	}
#undef ADD
	plot_utf8_trim(buf);
}

/* ---- timeline.png ---- */

struct recording_args {
	const struct summary *sum;
	const struct series *series;
	const struct chart_recording *c;
};

#define TIMELINE_LINES 6

struct timeline_panel {
	const char *y_title;
	enum axis_units units;
	double unit;                 /* values are divided by it */
	const struct envelope *stack[2];
	uint32_t stack_rgb[2];
	size_t nr_stack;
	const struct envelope *line[TIMELINE_LINES];
	uint32_t line_rgb[TIMELINE_LINES];
	size_t nr_lines;
	struct plot_legend_entry legend[TIMELINE_LINES + 2];
	size_t nr_legend;
	int memory;                  /* mark each backend's peak */
	int cpu_split;               /* task-clock split by /proc's shares */
	const char *no_data;         /* said when there is nothing to draw */
	char why[160];               /* room for a no_data made up */
};

static int has(const struct envelope *e)
{
	return e->readings > 0;
}

static int moved(const struct envelope *e)
{
	return e->readings > 0 && e->max > 0;
}

static void add_line(struct timeline_panel *tp, const struct envelope *e,
		     uint32_t rgb, const char *text)
{
	tp->line[tp->nr_lines] = e;
	tp->line_rgb[tp->nr_lines++] = rgb;
	tp->legend[tp->nr_legend++] = (struct plot_legend_entry){
		rgb, PLOT_SWATCH_LINE, text };
}

static void add_stack(struct timeline_panel *tp, const struct envelope *e,
		      uint32_t rgb, const char *text)
{
	tp->stack[tp->nr_stack] = e;
	tp->stack_rgb[tp->nr_stack++] = rgb;
	tp->legend[tp->nr_legend++] = (struct plot_legend_entry){
		rgb, PLOT_SWATCH_BOX, text };
}

/*
 * CPU: task-clock is exact (nanoseconds, every task, short-lived ones
 * too) but has no user/system split; /proc has the split but counts in
 * 10 ms clock ticks per process, so a tree of short processes shows far
 * less CPU there than it used. With both, the panel draws task-clock's
 * total, split in each pixel column in the shares /proc saw then.
 */
static void cpu_panel(const struct series *s, struct timeline_panel *tp)
{
	*tp = (struct timeline_panel){ .y_title = "CPUs",
		.units = AXIS_PLAIN, .unit = 1,
		.no_data = "no CPU time recorded (no task-clock, no /proc figures)" };
	if (has(&s->env[SERIES_CPU_TOTAL]) && has(&s->env[SERIES_CPU_USER])) {
		tp->cpu_split = 1;
		tp->line[tp->nr_lines] = &s->env[SERIES_CPU_TOTAL];
		tp->line_rgb[tp->nr_lines++] = PALETTE_CPU_TOTAL;
		tp->legend[tp->nr_legend++] = (struct plot_legend_entry){
			PALETTE_CPU_USER, PLOT_SWATCH_BOX, "user" };
		tp->legend[tp->nr_legend++] = (struct plot_legend_entry){
			PALETTE_CPU_SYS, PLOT_SWATCH_BOX, "system" };
		tp->legend[tp->nr_legend++] = (struct plot_legend_entry){
			PALETTE_GREY, PLOT_SWATCH_BOX, "not split yet" };
		tp->legend[tp->nr_legend++] = (struct plot_legend_entry){
			0xFFFFFFu, PLOT_SWATCH_BOX,
			"(total: task-clock; split: /proc user:system)" };
		return;
	}
	if (has(&s->env[SERIES_CPU_USER])) {
		add_stack(tp, &s->env[SERIES_CPU_USER], PALETTE_CPU_USER,
			  "user (/proc)");
		add_stack(tp, &s->env[SERIES_CPU_SYS], PALETTE_CPU_SYS,
			  "system (/proc)");
	}
	if (has(&s->env[SERIES_CPU_TOTAL]))
		add_line(tp, &s->env[SERIES_CPU_TOTAL], PALETTE_CPU_TOTAL,
			 "all (task-clock)");
}

/* The split drawing of cpu_panel(). */
static void draw_cpu_split(struct plot *p, const struct plot_panel *panel,
			   const struct series *s)
{
	struct envelope_bucket *col[3];
	double *values[3] = { NULL };
	static const uint32_t rgb[3] = { PALETTE_CPU_USER, PALETTE_CPU_SYS,
					 PALETTE_GREY };
	size_t columns = 0;

	col[0] = plot_columns(panel, &s->env[SERIES_CPU_TOTAL], s->begin_ns, &columns);
	col[1] = plot_columns(panel, &s->env[SERIES_CPU_USER], s->begin_ns, &columns);
	col[2] = plot_columns(panel, &s->env[SERIES_CPU_SYS], s->begin_ns, &columns);
	for (int k = 0; k < 3; k++)
		values[k] = malloc((columns ? columns : 1) * sizeof(double));
	if (!col[0] || !col[1] || !col[2] || !values[0] || !values[1] || !values[2])
		goto out;
	for (size_t c = 0; c < columns; c++) {
		double total = envelope_bucket_mean(&col[0][c]);
		double user = envelope_bucket_mean(&col[1][c]);
		double sys = envelope_bucket_mean(&col[2][c]);

		if (!col[0][c].n) {
			values[0][c] = values[1][c] = values[2][c] = NAN;
		} else if (col[1][c].n && user + sys > 0) {
			values[0][c] = total * user / (user + sys);
			values[1][c] = total * sys / (user + sys);
			values[2][c] = 0;
		} else {
			values[0][c] = values[1][c] = 0;
			values[2][c] = total;
		}
	}
	plot_stacked_values(p, panel, values, rgb, 3, columns);
out:
	for (int k = 0; k < 3; k++) {
		free(col[k]);
		free(values[k]);
	}
}

static void ctxsw_panel(const struct series *s, struct timeline_panel *tp)
{
	*tp = (struct timeline_panel){ .y_title = "switches/s",
		.units = AXIS_SI, .unit = 1,
		.no_data = "no context switches recorded" };
	if (moved(&s->env[SERIES_CTXSW_VOLUNTARY]) ||
	    moved(&s->env[SERIES_CTXSW_INVOLUNTARY])) {
		add_line(tp, &s->env[SERIES_CTXSW_VOLUNTARY],
			 PALETTE_CTXSW_VOLUNTARY, "voluntary (sched_switch)");
		add_line(tp, &s->env[SERIES_CTXSW_INVOLUNTARY],
			 PALETTE_CTXSW_INVOLUNTARY, "involuntary (sched_switch)");
	} else if (has(&s->env[SERIES_PROC_VOLUNTARY])) {
		add_line(tp, &s->env[SERIES_PROC_VOLUNTARY],
			 PALETTE_CTXSW_VOLUNTARY, "voluntary (/proc)");
		add_line(tp, &s->env[SERIES_PROC_INVOLUNTARY],
			 PALETTE_CTXSW_INVOLUNTARY, "involuntary (/proc)");
	} else if (has(&s->env[SERIES_CTXSW])) {
		add_line(tp, &s->env[SERIES_CTXSW], PALETTE_CTXSW_ALL,
			 "all (context-switches)");
	}
}

static void faults_panel(const struct series *s, struct timeline_panel *tp)
{
	*tp = (struct timeline_panel){ .y_title = "faults/s",
		.units = AXIS_SI, .unit = 1,
		.no_data = "no page faults recorded" };
	if (moved(&s->env[SERIES_FAULTS]) ||
	    (has(&s->env[SERIES_FAULTS]) && !has(&s->env[SERIES_PROC_MINFLT]))) {
		add_line(tp, &s->env[SERIES_FAULTS], PALETTE_FAULTS_MINOR,
			 "all (page-faults)");
	} else if (has(&s->env[SERIES_PROC_MINFLT])) {
		add_line(tp, &s->env[SERIES_PROC_MINFLT], PALETTE_FAULTS_MINOR,
			 "minor (/proc)");
		add_line(tp, &s->env[SERIES_PROC_MAJFLT], PALETTE_FAULTS_MAJOR,
			 "major (/proc)");
	}
}

static void memory_panel(const struct series *s, struct timeline_panel *tp)
{
	*tp = (struct timeline_panel){ .y_title = "memory",
		.units = AXIS_BYTES, .unit = 1, .memory = 1,
		.no_data = "no memory recorded (record --mem)" };
	for (uint32_t b = REC_MEM_RSS; b <= REC_MEM_CGROUP; b++) {
		int i = memory_backend_index(b);

		if (has(&s->env[SERIES_MEMORY + i]))
			add_line(tp, &s->env[SERIES_MEMORY + i],
				 palette_memory[i], memory_backend_name(b));
	}
}

/* The IPC panel, only when cycles or instructions were asked for. */
static int ipc_panel(const struct summary *sum, const struct series *s,
		     struct timeline_panel *tp)
{
	const struct summary_event *refused = NULL;
	int asked = 0;

	for (size_t i = 0; i < sum->nr_events; i++) {
		const struct summary_event *e = &sum->events[i];

		if (!counter_name_is(e->name, "cycles") &&
		    !counter_name_is(e->name, "instructions"))
			continue;
		asked = 1;
		if (!refused && e->status != REC_EVENT_OPENED)
			refused = e;
	}
	if (!asked)
		return 0;
	*tp = (struct timeline_panel){ .y_title = "IPC",
		.units = AXIS_PLAIN, .unit = 1, .no_data = tp->why };
	if (refused)
		snprintf(tp->why, sizeof(tp->why),
			 "no IPC: %s was %s on this machine", refused->name,
			 counter_status_name(counter_status_of(refused->status,
							       0, 0)));
	else
		snprintf(tp->why, sizeof(tp->why),
			 "no IPC: cycles and instructions were not both counted");
	if (has(&s->env[SERIES_IPC]))
		add_line(tp, &s->env[SERIES_IPC], PALETTE_IPC, "instructions per cycle");
	return 1;
}

/* The y axis of a panel, from everything it draws over [t0, t1). */
static void panel_y_axis(struct plot *p, const struct timeline_panel *tp,
			 struct plot_panel *panel, uint64_t t0, uint64_t t1)
{
	double max = 0;

	for (size_t i = 0; i < tp->nr_lines; i++)
		max = fmax(max, tp->line[i]->max / tp->unit);
	if (tp->nr_stack)
		max = fmax(max, plot_stacked_max(tp->stack, tp->nr_stack, t0, t1,
						 (size_t)panel->area.w, tp->unit));
	/* A little headroom: a plateau at a whole step is not the frame. */
	axis_nice(0, max * 1.04, chart_ticks_for(p, panel->area.h, 1.7), 1, tp->units,
		  &panel->y);
}

/* Whether two label boxes overlap. */
static int overlaps(const struct plot_rect *a, const struct plot_rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	       a->y < b->y + b->h && b->y < a->y + a->h;
}

/*
 * Each backend's peak, marked where it was first seen, with its value.
 * Backends often peak together: a label that would cover an earlier one
 * moves a line further from its mark.
 */
static void mark_peaks(struct plot *p, const struct plot_panel *panel,
		       const struct summary_run *run)
{
	struct plot_rect placed[MEMORY_BACKENDS];
	size_t nr_placed = 0;

	for (uint32_t b = REC_MEM_RSS; b <= REC_MEM_CGROUP; b++) {
		int i = memory_backend_index(b);
		const struct memory_series *m = &run->memory[i];
		char bytes[MEMORY_BYTES_MAX], text[64];
		double x, y, w, line = p->font * 1.05, dir;
		struct plot_rect box;
		int moved_on = 1;

		if (!m->readings || !memory_backend_has_current(b))
			continue;
		x = plot_x(panel, summary_run_seconds(run, m->peak_ns));
		y = plot_y(panel, (double)m->peak);
		plot_point(p, x, y, 1, palette_memory[i]);
		snprintf(text, sizeof(text), "%s peak %s", memory_backend_name(b),
			 memory_format_bytes(bytes, m->peak));
		w = plot_text_width(p, 0.8, 1, text);
		/* Above the mark, or below it when the mark is near the top;
		 * right of it, or left when the right has no room. */
		dir = y - panel->area.y < p->font * 1.2 ? 1 : -1;
		box = (struct plot_rect){
			x + w + p->font < panel->area.x + panel->area.w ?
				x + p->font * 0.3 : x - p->font * 0.3 - w,
			y + dir * p->font * 0.9 - line / 2, w, line };
		while (moved_on) {
			moved_on = 0;
			for (size_t k = 0; k < nr_placed; k++)
				if (overlaps(&box, &placed[k])) {
					box.y += dir * line;
					moved_on = 1;
				}
			/* Out of the panel going up: go down from the mark. */
			if (dir < 0 && box.y < panel->area.y) {
				dir = 1;
				box.y = y + p->font * 0.9 - line / 2;
				moved_on = 1;
			}
		}
		placed[nr_placed++] = box;
		plot_text(p, box.x, box.y + line / 2, PLOT_LEFT, 0.8, 1,
			  palette_memory[i], text);
	}
}

static void draw_timeline(struct plot *p, const void *arg)
{
	const struct recording_args *a = arg;
	const struct series *s = a->series;
	const struct summary_run *run = series_run(s, a->sum);
	struct timeline_panel tp[5];
	size_t n = 0;
	char title[256], sub[512];
	double top, left, right, bottom, share, duration = 0;
	uint64_t wall;
	struct axis x;

	snprintf(title, sizeof(title), "Timeline of %s", a->c->label);
	describe(a->sum, run, sub, sizeof(sub));
	top = plot_title(p, title, sub) + p->font * 0.3;
	if (!run) {
		struct plot_rect r = { p->font * 1.5, top, p->width - p->font * 3,
				       p->height - top - p->font * 1.5 };

		plot_no_data(p, &r, "no run in this recording: nothing to draw");
		return;
	}
	cpu_panel(s, &tp[n++]);
	ctxsw_panel(s, &tp[n++]);
	faults_panel(s, &tp[n++]);
	if (a->sum->counting && !strcmp(a->sum->counting, "rusage")) {
		/* The kernel's accounting has them for the whole run only: the
		 * final reading alone would draw as a flat mean. */
		for (int i = 1; i <= 2; i++)
			tp[i].nr_lines = tp[i].nr_stack = tp[i].nr_legend = 0;
		tp[1].no_data = "context switches: totals only (record --count-by rusage)";
		tp[2].no_data = "page faults: totals only (record --count-by rusage)";
	}
	memory_panel(s, &tp[n++]);
	n += (size_t)ipc_panel(a->sum, s, &tp[n]);

	if (summary_run_wall_ns(run, &wall) == 0)
		duration = (double)wall / 1e9;
	duration = fmax(duration, series_seconds(s, s->last_ns));
	if (!(duration > 0))
		duration = 1e-3;

	left = plot_left_gutter(p);
	right = p->width - p->font * 1.5;
	bottom = p->height - plot_bottom_gutter(p, 1) - p->font * 0.3;
	time_axis(p, duration, right - left, &x);
	share = (bottom - top) / (double)n;

	for (size_t i = 0; i < n; i++) {
		struct plot_legend_entry legend[TIMELINE_LINES + 3];
		size_t nr_legend = tp[i].nr_legend;
		struct plot_panel panel = { .x = x, .y_title = tp[i].y_title };
		double y = top + share * (double)i, legend_h;
		int markers = s->markers_seen &&
			      s->markers_seen <= SERIES_MARKERS_MAX;

		memcpy(legend, tp[i].legend, nr_legend * sizeof(*legend));
		if (i == 0 && markers)
			legend[nr_legend++] = (struct plot_legend_entry){
				PALETTE_GREY, PLOT_SWATCH_DASH,
				"process start / end" };
		else if (i == 0 && s->markers_seen > SERIES_MARKERS_MAX)
			legend[nr_legend++] = (struct plot_legend_entry){
				0xFFFFFFu, PLOT_SWATCH_BOX,
				"(too many process starts to mark: see processes.png)" };
		legend_h = plot_legend_height(p, right - left, legend, nr_legend);
		plot_legend(p, left, y + p->font * 0.75, right, legend, nr_legend);
		panel.area = (struct plot_rect){ left, y + legend_h + p->font * 0.2,
			right - left, share - legend_h - p->font * 0.9 };
		if (i == n - 1)
			panel.x_title = "time since the command began";
		if (panel.area.h < p->font * 2)
			panel.area.h = p->font * 2;
		if (!tp[i].nr_lines && !tp[i].nr_stack) {
			axis_nice(0, 1, 2, 1, tp[i].units, &panel.y);
			plot_axes(p, &panel, i == n - 1);
			plot_no_data(p, &panel.area, tp[i].no_data);
			continue;
		}
		panel_y_axis(p, &tp[i], &panel, s->begin_ns,
			     plot_time_ns(s->begin_ns, x.hi));
		plot_axes(p, &panel, i == n - 1);
		if (markers)
			for (size_t m = 0; m < s->nr_markers; m++)
				plot_vline(p, &panel,
					   series_seconds(s, s->markers[m].time_ns),
					   PALETTE_GREY);
		if (tp[i].nr_stack)
			plot_stacked(p, &panel, tp[i].stack, tp[i].stack_rgb,
				     tp[i].nr_stack, s->begin_ns, tp[i].unit);
		if (tp[i].cpu_split) {
			draw_cpu_split(p, &panel, s);
			continue;
		}
		for (size_t l = 0; l < tp[i].nr_lines; l++)
			plot_envelope(p, &panel, tp[i].line[l], s->begin_ns,
				      tp[i].unit, tp[i].line_rgb[l]);
		if (tp[i].memory)
			mark_peaks(p, &panel, run);
	}
}

/* ---- processes.png ---- */

/* Rows of the Gantt chart, at most; the rest are one "others" row. */
#define GANTT_ROWS_MAX 40

struct gantt_row {
	struct tree_view view;
	double cpu;                 /* user + sys seconds, -1 unknown */
};

static int by_cpu(const void *a, const void *b)
{
	const struct gantt_row *x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? 1 : -1;
	return x->view.pid < y->view.pid ? -1 : x->view.pid > y->view.pid;
}

static int by_start(const void *a, const void *b)
{
	const struct gantt_row *x = a, *y = b;
	double sx = x->view.has_start ? x->view.start_seconds : 0;
	double sy = y->view.has_start ? y->view.start_seconds : 0;

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return x->view.pid < y->view.pid ? -1 : x->view.pid > y->view.pid;
}

static int first_of_command(const struct gantt_row *rows, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(rows[j].view.command, rows[i].view.command))
			return 0;
	return 1;
}

/* The colour of row i's command: by the order commands first appear. */
static uint32_t command_colour(const struct gantt_row *rows, size_t i)
{
	size_t distinct = 0;

	for (size_t j = 0; j < i; j++) {
		if (!strcmp(rows[j].view.command, rows[i].view.command))
			break;
		distinct += (size_t)first_of_command(rows, j);
	}
	return palette_recording(distinct);
}

static void gantt_span(const struct gantt_row *row, double end, double *from,
		       double *to)
{
	*from = row->view.has_start ? fmax(0, row->view.start_seconds) : 0;
	*to = row->view.has_end ? row->view.end_seconds : end;
	if (*to < *from)
		*to = *from;
}

static void draw_processes(struct plot *p, const void *arg)
{
	const struct recording_args *a = arg;
	const struct summary_run *run = series_run(a->series, a->sum);
	struct gantt_row *rows = NULL;
	struct plot_legend_entry legend[10];
	size_t nr = 0, shown, nr_legend = 0, others;
	char title[256], sub[512];
	double top, left, right, bottom, duration = 0, row_h, legend_h;
	struct plot_panel panel = { .x_title = "time since the command began" };
	struct plot_rect all;
	uint64_t wall;

	snprintf(title, sizeof(title), "Processes of %s", a->c->label);
	describe(a->sum, run, sub, sizeof(sub));
	top = plot_title(p, title, sub) + p->font * 0.3;
	all = (struct plot_rect){ p->font * 1.5, top, p->width - p->font * 3,
				  p->height - top - p->font * 1.5 };
	if (!run || !summary_run_has_tree(run) || !run->tree.nr) {
		plot_no_data(p, &all, run ?
			     "no process records in this recording (record follows the tree unless --no-tree)" :
			     "no run in this recording: nothing to draw");
		return;
	}
	rows = calloc(run->tree.nr, sizeof(*rows));
	if (!rows) {
		plot_no_data(p, &all, "out of memory");
		return;
	}
	for (size_t i = 0; i < run->tree.nr; i++) {
		struct gantt_row *r = &rows[nr++];

		tree_process_view(&run->tree, &run->tree.procs[i], &r->view);
		r->cpu = r->view.has_cpu ?
			 r->view.user_seconds + r->view.sys_seconds : -1;
		if (r->view.has_end)
			duration = fmax(duration, r->view.end_seconds);
	}
	if (summary_run_wall_ns(run, &wall) == 0)
		duration = fmax(duration, (double)wall / 1e9);
	if (!(duration > 0))
		duration = 1e-3;

	left = p->font * 13;
	right = p->width - p->font * 1.5;
	/* The legend is sized before the rows, so it is laid out with the
	 * rows it names: the busiest first. */
	qsort(rows, nr, sizeof(*rows), by_cpu);
	bottom = p->height - plot_bottom_gutter(p, 1) - p->font * 0.3;
	shown = (size_t)((bottom - top) / (p->font * 1.35));
	if (shown > GANTT_ROWS_MAX)
		shown = GANTT_ROWS_MAX;
	if (shown < 2)
		shown = 2;
	if (nr > shown)
		shown--;        /* room for the "others" row */
	else
		shown = nr;
	others = nr - shown;
	qsort(rows, shown, sizeof(*rows), by_start);

	for (size_t i = 0; i < shown && nr_legend < 8; i++)
		if (first_of_command(rows, i))
			legend[nr_legend++] = (struct plot_legend_entry){
				command_colour(rows, i), PLOT_SWATCH_BOX,
				rows[i].view.command[0] ? rows[i].view.command : "?" };
	legend[nr_legend++] = (struct plot_legend_entry){ plot_tint(PALETTE_GREY, 0.6),
		PLOT_SWATCH_BOX, "lighter: less CPU time per second alive" };
	legend_h = plot_legend(p, left, top + p->font * 0.75, right, legend,
			       nr_legend);
	panel.area = (struct plot_rect){ left, top + legend_h + p->font * 0.2,
					 right - left, 0 };
	panel.area.h = bottom - panel.area.y;
	/* A few processes get bars of a sensible height, not the page. */
	row_h = fmin(p->font * 2.2, panel.area.h / (double)(shown + (others ? 1 : 0)));
	panel.area.h = row_h * (double)(shown + (others ? 1 : 0));
	time_axis(p, duration, right - left, &panel.x);
	axis_nice(0, 1, 2, 0, AXIS_PLAIN, &panel.y);
	panel.y.nr = 0;         /* rows, not values: no y ticks */
	plot_axes(p, &panel, 1);

	for (size_t i = 0; i < shown; i++) {
		const struct gantt_row *r = &rows[i];
		double from, to, y = panel.area.y + row_h * (double)i, share;
		char label[96], fitted[96];
		uint32_t rgb = command_colour(rows, i);

		gantt_span(r, duration, &from, &to);
		share = r->cpu >= 0 && to > from ? r->cpu / (to - from) : 1;
		rgb = plot_tint(rgb, 0.75 * (1 - fmin(1, fmax(0, share))));
		plot_colour(p, rgb, 1);
		cairo_rectangle(p->cr, plot_x(&panel, from), y + row_h * 0.15,
				fmax(1.5, plot_x(&panel, to) - plot_x(&panel, from)),
				row_h * 0.7);
		cairo_fill(p->cr);
		snprintf(label, sizeof(label), "%s [%u]",
			 r->view.command[0] ? r->view.command : "?", r->view.pid);
		plot_fit_text(p, fmin(0.85, row_h / p->font * 0.75), 0, label,
			      left - p->font * 1.2, fitted, sizeof(fitted));
		plot_text(p, left - p->font * 0.4, y + row_h / 2, PLOT_RIGHT,
			  fmin(0.85, row_h / p->font * 0.75), 0, TEXT_RGB, fitted);
	}
	if (others) {
		/* How many of the others were alive in each pixel column. */
		size_t columns = (size_t)panel.area.w;
		double *alive = calloc(columns ? columns : 1, sizeof(*alive));
		double most = 0, y = panel.area.y + row_h * (double)shown;
		char label[64];

		for (size_t i = shown; alive && i < nr; i++) {
			double from, to;
			size_t c0, c1;

			gantt_span(&rows[i], duration, &from, &to);
			c0 = (size_t)fmax(0, plot_x(&panel, from) - panel.area.x);
			c1 = (size_t)fmax(0, plot_x(&panel, to) - panel.area.x);
			for (size_t c = c0; c <= c1 && c < columns; c++)
				alive[c]++;
		}
		for (size_t c = 0; alive && c < columns; c++)
			most = fmax(most, alive[c]);
		for (size_t c = 0; alive && c < columns; c++) {
			if (!alive[c])
				continue;
			plot_colour(p, plot_tint(PALETTE_GREY,
						 0.7 * (1 - alive[c] / most)), 1);
			cairo_rectangle(p->cr, panel.area.x + (double)c,
					y + row_h * 0.15, 1, row_h * 0.7);
			cairo_fill(p->cr);
		}
		free(alive);
		snprintf(label, sizeof(label), "%zu others", others);
		plot_text(p, left - p->font * 0.4, y + row_h / 2, PLOT_RIGHT,
			  fmin(0.85, row_h / p->font * 0.75), 1, TEXT_RGB, label);
	}
	free(rows);
}

int charts_draw_recording(struct chart_output *out, const struct summary *sum,
			  const struct series *series,
			  const struct chart_recording *c,
			  const char *name_suffix)
{
	struct recording_args a = { sum, series, c };
	char name[320];

	snprintf(name, sizeof(name), "timeline%s", name_suffix);
	if (chart_draw_page(out, name, draw_timeline, &a) < 0)
		return -ENOMEM;
	snprintf(name, sizeof(name), "processes%s", name_suffix);
	return chart_draw_page(out, name, draw_processes, &a);
}

/* ---- comparisons ---- */

struct comparison_args {
	const struct chart_recording *recs;
	size_t nr;
};

/* A subtitle naming the recordings: "fork, epoll, thread". */
static void name_all(const struct comparison_args *a, const char *what,
		     char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "%s", what);

	for (size_t i = 0; i < a->nr && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i ? ", " : "", a->recs[i].label);
}

/* Backends in the order a comparison prefers them: exact first. */
static const uint32_t preferred_backends[] = {
	REC_MEM_CGROUP, REC_MEM_RSS, REC_MEM_PSS, REC_MEM_HWM,
};

static int has_memory(const struct chart_recording *c, uint32_t backend)
{
	return c->memory[memory_backend_index(backend)].readings > 0;
}

/* One line of the memory comparison. */
struct memory_line {
	const struct chart_recording *c;
	uint32_t backend;
	uint32_t rgb;
	char text[160];
};

/*
 * The lines: for one recording, each of its backends; for several, each
 * recording in the first backend all of them have, or else each in its
 * own best. Returns how many (at most `room`).
 */
static size_t memory_lines(const struct comparison_args *a,
			   struct memory_line *lines, size_t room)
{
	size_t n = 0;
	uint32_t common = 0;

	if (a->nr == 1) {
		for (size_t k = 0; k < 4 && n < room; k++)
			if (has_memory(&a->recs[0], preferred_backends[k]))
				lines[n++] = (struct memory_line){ .c = &a->recs[0],
					.backend = preferred_backends[k],
					.rgb = palette_memory[memory_backend_index(preferred_backends[k])] };
		return n;
	}
	for (size_t k = 0; k < 4 && !common; k++) {
		size_t i;

		for (i = 0; i < a->nr; i++)
			if (!has_memory(&a->recs[i], preferred_backends[k]))
				break;
		if (i == a->nr)
			common = preferred_backends[k];
	}
	for (size_t i = 0; i < a->nr && n < room; i++) {
		uint32_t backend = common;

		for (size_t k = 0; k < 4 && !backend; k++)
			if (has_memory(&a->recs[i], preferred_backends[k]))
				backend = preferred_backends[k];
		if (backend)
			lines[n++] = (struct memory_line){ .c = &a->recs[i],
				.backend = backend,
				.rgb = palette_recording(a->recs[i].index) };
	}
	return n;
}

/* Seconds from begin_ns to the start of e's first bucket with a reading. */
static double first_reading_seconds(const struct envelope *e, uint64_t begin_ns)
{
	for (size_t i = 0; i < e->nr; i++)
		if (e->buckets[i].n)
			return ((double)e->origin_ns + (double)i * (double)e->width_ns -
				(double)begin_ns) / 1e9;
	return 0;
}

static void draw_memory_comparison(struct plot *p, const void *arg)
{
	const struct comparison_args *a = arg;
	struct memory_line lines[16];
	struct plot_legend_entry legend[16];
	size_t n = memory_lines(a, lines, 16);
	struct plot_panel panel = { .y_title = "memory",
		.x_title = "time since the command began" };
	double top, left, right, bottom, duration = 0, max = 0, legend_h;
	char sub[512];

	if (a->nr == 1)
		snprintf(sub, sizeof(sub), "each memory backend of %s; \u25cf initial, \u25b2 peak, \u25a0 final",
			 a->recs[0].label);
	else
		name_all(a, "", sub, sizeof(sub));
	top = plot_title(p, "Memory usage", sub) + p->font * 0.3;
	left = plot_left_gutter(p);
	right = p->width - p->font * 1.5;
	bottom = p->height - plot_bottom_gutter(p, 1) - p->font * 0.3;
	for (size_t i = 0; i < n; i++) {
		const struct chart_recording *c = lines[i].c;
		int b = memory_backend_index(lines[i].backend);
		const struct memory_series *m = &c->figures[b];
		const struct envelope *e = &c->memory[b];
		char initial[MEMORY_BYTES_MAX], peak[MEMORY_BYTES_MAX];
		char final[MEMORY_BYTES_MAX];

		snprintf(lines[i].text, sizeof(lines[i].text),
			 "%s%s%s: %s \u2192 peak %s \u2192 %s",
			 a->nr > 1 ? c->label : "",
			 a->nr > 1 ? " " : "", memory_backend_name(lines[i].backend),
			 memory_format_bytes(initial, m->initial),
			 memory_format_bytes(peak, m->peak),
			 memory_format_bytes(final, m->final));
		legend[i] = (struct plot_legend_entry){ lines[i].rgb,
			PLOT_SWATCH_LINE, lines[i].text };
		duration = fmax(duration, ((double)e->origin_ns +
			   (double)e->nr * (double)e->width_ns -
			   (double)c->begin_ns) / 1e9);
		max = fmax(max, fmax(e->max, (double)m->peak));
	}
	legend_h = plot_legend(p, left, top + p->font * 0.75, right, legend, n);
	panel.area = (struct plot_rect){ left, top + legend_h + p->font * 0.2,
					 right - left, 0 };
	panel.area.h = bottom - panel.area.y;
	time_axis(p, duration > 0 ? duration : 1e-3, right - left, &panel.x);
	axis_nice(0, max, chart_ticks_for(p, panel.area.h, 2.2), 1, AXIS_BYTES,
		  &panel.y);
	plot_axes(p, &panel, 1);
	if (!n) {
		plot_no_data(p, &panel.area, "no memory recorded (record --mem)");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct chart_recording *c = lines[i].c;
		int b = memory_backend_index(lines[i].backend);
		const struct memory_series *m = &c->figures[b];
		const struct envelope *e = &c->memory[b];
		double end = ((double)e->origin_ns + (double)e->nr * (double)e->width_ns -
			      (double)c->begin_ns) / 1e9;

		plot_envelope(p, &panel, e, c->begin_ns, 1, lines[i].rgb);
		plot_point(p, plot_x(&panel, first_reading_seconds(e, c->begin_ns)),
			   plot_y(&panel, (double)m->initial), 0, lines[i].rgb);
		plot_point(p, plot_x(&panel, (double)(m->peak_ns - c->begin_ns) / 1e9),
			   plot_y(&panel, (double)m->peak), 1, lines[i].rgb);
		plot_point(p, plot_x(&panel, end), plot_y(&panel, (double)m->final),
			   2, lines[i].rgb);
	}
}

/* Mean, median, min and max of the finite values of v[0..n). */
struct spread {
	size_t n;
	double mean, median, min, max;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void spread_of(const double *v, size_t n, struct spread *out)
{
	double *sorted = malloc((n ? n : 1) * sizeof(*sorted)), sum = 0;
	size_t k = 0;

	memset(out, 0, sizeof(*out));
	if (!sorted)
		return;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			sorted[k++] = v[i];
	out->n = k;
	if (k) {
		qsort(sorted, k, sizeof(*sorted), cmp_double);
		for (size_t i = 0; i < k; i++)
			sum += sorted[i];
		out->mean = sum / (double)k;
		out->median = k % 2 ? sorted[k / 2] :
			      (sorted[k / 2 - 1] + sorted[k / 2]) / 2;
		out->min = sorted[0];
		out->max = sorted[k - 1];
	}
	free(sorted);
}

/*
 * A bar from 0 to value at x (width w) in rgb, with its value printed
 * above; with spread over several runs, a whisker from min to max and the
 * median marked.
 */
static void draw_bar(struct plot *p, const struct plot_panel *panel, double x,
		     double w, double value, const struct spread *s,
		     uint32_t rgb, const char *text)
{
	double y0 = plot_y(panel, 0), y1 = plot_y(panel, value), top = y1;

	plot_colour(p, rgb, 1);
	cairo_rectangle(p->cr, x, y1, w, y0 - y1);
	cairo_fill(p->cr);
	if (s && s->n > 1) {
		double cx = x + w / 2, ymin = plot_y(panel, s->min);
		double ymax = plot_y(panel, s->max), ymed = plot_y(panel, s->median);

		plot_colour(p, TEXT_RGB, 1);
		cairo_set_line_width(p->cr, fmax(1.5, p->font * 0.1));
		cairo_move_to(p->cr, cx, ymin);
		cairo_line_to(p->cr, cx, ymax);
		cairo_move_to(p->cr, cx - w * 0.2, ymin);
		cairo_line_to(p->cr, cx + w * 0.2, ymin);
		cairo_move_to(p->cr, cx - w * 0.2, ymax);
		cairo_line_to(p->cr, cx + w * 0.2, ymax);
		cairo_stroke(p->cr);
		cairo_set_line_width(p->cr, fmax(2.5, p->font * 0.2));
		cairo_move_to(p->cr, x, ymed);
		cairo_line_to(p->cr, x + w, ymed);
		cairo_stroke(p->cr);
		top = fmin(top, ymax);
	}
	if (text)
		plot_text(p, x + w / 2, top - p->font * 0.6, PLOT_CENTER,
			  fmin(0.8, w / p->font * 0.3), 0, TEXT_RGB, text);
}

static void draw_execution_comparison(struct plot *p, const void *arg)
{
	static const char *const kinds[3] = { "wall", "user", "system" };
	static const double tints[3] = { 0, 0.4, 0.7 };
	const struct comparison_args *a = arg;
	struct plot_legend_entry legend[4];
	struct plot_panel panel = { .y_title = "seconds" };
	double top, left, right, bottom, max = 0, group, legend_h;
	int any_spread = 0, any = 0;
	char sub[512];

	name_all(a, a->nr > 1 ? "" : "runs of ", sub, sizeof(sub));
	top = plot_title(p, "Execution time", sub) + p->font * 0.3;
	left = plot_left_gutter(p);
	right = p->width - p->font * 1.5;
	bottom = p->height - plot_bottom_gutter(p, 1) - p->font * 0.3;
	for (size_t i = 0; i < a->nr; i++) {
		const double *v[3] = { a->recs[i].wall, a->recs[i].user,
				       a->recs[i].sys };

		for (int k = 0; k < 3; k++) {
			struct spread s;

			spread_of(v[k], a->recs[i].nr_runs, &s);
			if (!s.n)
				continue;
			any = 1;
			any_spread |= s.n > 1;
			max = fmax(max, s.max);
		}
	}
	for (int k = 0; k < 3; k++)
		legend[k] = (struct plot_legend_entry){
			plot_tint(PALETTE_GREY, tints[k]), PLOT_SWATCH_BOX,
			kinds[k] };
	legend[3] = (struct plot_legend_entry){ any_spread ? TEXT_RGB : 0xFFFFFFu,
		PLOT_SWATCH_LINE,
		any_spread ? "bar: mean of the runs; whisker: min\u2013max; thick line: median" :
			     "(in each recording's colour)" };
	legend_h = plot_legend(p, left, top + p->font * 0.75, right, legend, 4);
	panel.area = (struct plot_rect){ left, top + legend_h + p->font * 0.2,
					 right - left, 0 };
	panel.area.h = bottom - panel.area.y;
	axis_nice(0, max * 1.08, chart_ticks_for(p, panel.area.h, 2.2), 1,
		  AXIS_SECONDS, &panel.y);
	panel.x.nr = 0;
	panel.x.lo = 0;
	panel.x.hi = 1;
	plot_axes(p, &panel, 0);
	if (!any) {
		plot_no_data(p, &panel.area, "no run with a known duration");
		return;
	}
	group = panel.area.w / (double)a->nr;
	for (size_t i = 0; i < a->nr; i++) {
		const struct chart_recording *c = &a->recs[i];
		const double *v[3] = { c->wall, c->user, c->sys };
		double w = fmin(group * 0.8 / 3, p->font * 6);
		double x0 = panel.area.x + group * (double)i + (group - 3 * w) / 2;
		char label[96], fitted[96];

		for (int k = 0; k < 3; k++) {
			struct spread s;
			char text[48];

			spread_of(v[k], c->nr_runs, &s);
			if (!s.n)
				continue;
			chart_format_seconds(s.mean, text, sizeof(text));
			draw_bar(p, &panel, x0 + w * k + w * 0.05, w * 0.9, s.mean,
				 &s, plot_tint(palette_recording(c->index), tints[k]),
				 text);
		}
		snprintf(label, sizeof(label), "%s (%zu run%s)", c->label,
			 c->nr_runs, c->nr_runs == 1 ? "" : "s");
		plot_fit_text(p, 0.9, 1, label, group * 0.95, fitted, sizeof(fitted));
		plot_text(p, panel.area.x + group * ((double)i + 0.5),
			  panel.area.y + panel.area.h + p->font * 1.0, PLOT_CENTER,
			  0.9, 1, palette_recording(c->index), fitted);
	}
}

static void draw_counters_comparison(struct plot *p, const void *arg)
{
	const struct comparison_args *a = arg;
	size_t shown[CHART_COUNTERS], n = 0, cols, rows;
	double top, cell_w, cell_h, left_pad;
	struct plot_legend_entry legend[16];
	size_t nr_legend = 0;
	char sub[512];

	name_all(a, "per second of wall time, mean over runs; printed: the total per run \u2014 ",
		 sub, sizeof(sub));
	top = plot_title(p, "Counters", sub) + p->font * 0.3;
	for (size_t i = 0; i < a->nr && nr_legend < 16; i++)
		legend[nr_legend++] = (struct plot_legend_entry){
			palette_recording(a->recs[i].index), PLOT_SWATCH_BOX,
			a->recs[i].label };
	top += plot_legend(p, p->font * 1.5, top + p->font * 0.75,
			   p->width - p->font * 1.5, legend, nr_legend);
	for (size_t k = 0; k < CHART_COUNTERS; k++)
		for (size_t i = 0; i < a->nr; i++)
			if (a->recs[i].counters[k].has) {
				shown[n++] = k;
				break;
			}
	if (!n) {
		struct plot_rect r = { p->font * 1.5, top, p->width - p->font * 3,
				       p->height - top - p->font * 1.5 };

		plot_no_data(p, &r, "no counter was counted in these recordings");
		return;
	}
	cols = n <= 3 ? n : n <= 4 ? 2 : n <= 6 ? 3 : 4;
	rows = (n + cols - 1) / cols;
	left_pad = plot_left_gutter(p) * 0.75;
	cell_w = (p->width - p->font * 1.5) / (double)cols;
	cell_h = (p->height - top - p->font * 0.5) / (double)rows;
	for (size_t j = 0; j < n; j++) {
		size_t k = shown[j];
		double x = (double)(j % cols) * cell_w, y = top + (double)(j / cols) * cell_h;
		struct plot_panel panel = { 0 };
		double max = 0, w;

		panel.area = (struct plot_rect){ x + left_pad, y + p->font * 1.6,
			cell_w - left_pad - p->font * 1.2, cell_h - p->font * 2.6 };
		plot_text(p, panel.area.x, y + p->font * 0.8, PLOT_LEFT, 0.95, 1,
			  TEXT_RGB, chart_counter_title(k));
		for (size_t i = 0; i < a->nr; i++)
			if (a->recs[i].counters[k].has)
				max = fmax(max, a->recs[i].counters[k].per_second);
		axis_nice(0, max * 1.12, chart_ticks_for(p, panel.area.h, 2.2), 1,
			  AXIS_SI, &panel.y);
		panel.x.nr = 0;
		panel.x.lo = 0;
		panel.x.hi = 1;
		/* No title beside the axis: the cell's title says it. */
		plot_axes(p, &panel, 0);
		w = panel.area.w / (double)a->nr;
		for (size_t i = 0; i < a->nr; i++) {
			const struct chart_counter *cc = &a->recs[i].counters[k];
			char total[AXIS_LABEL_MAX];

			if (!cc->has)
				continue;
			if (k == 0)         /* task-clock: CPU seconds */
				chart_format_seconds(cc->total, total, sizeof(total));
			else
				axis_format_si(cc->total, total, sizeof(total));
			draw_bar(p, &panel, panel.area.x + w * (double)i + w * 0.15,
				 w * 0.7, cc->per_second, NULL,
				 palette_recording(a->recs[i].index), total);
		}
	}
}

int charts_draw_comparisons(struct chart_output *out,
			    const struct chart_recording *recs, size_t nr)
{
	struct comparison_args a = { recs, nr };

	if (chart_draw_page(out, "memory-usage-comparison", draw_memory_comparison,
		      &a) < 0 ||
	    chart_draw_page(out, "execution-time-comparison",
		      draw_execution_comparison, &a) < 0 ||
	    chart_draw_page(out, "counters-comparison", draw_counters_comparison,
		      &a) < 0)
		return -ENOMEM;
	return charts_draw_cpu_heatmap(out, recs, nr);
}

/* ---- cpu-heatmap.png ---- */

/* Whether CPU k of c has a reading. */
static int cpu_has(const struct chart_recording *c, size_t k)
{
	return k < c->nr_cpu_env && c->cpu_env[k].readings > 0;
}

/* Whether c has per-CPU utilisation (record --per-cpu). */
static int has_cpu_data(const struct chart_recording *c)
{
	for (size_t k = 0; k < c->nr_cpu_env; k++)
		if (cpu_has(c, k))
			return 1;
	return 0;
}

/* A panel's title: "2 CPUs (CPUs 0-1)", "1 CPU (CPU 0)", or the label
 * alone when the recording was not pinned. */
static void heatmap_title(const struct chart_recording *c, char *buf,
			  size_t size)
{
	if (*c->cpus)
		snprintf(buf, size, "%s (CPU%s %s)", c->label,
			 strpbrk(c->cpus, ",-") ? "s" : "", c->cpus);
	else
		snprintf(buf, size, "%s", c->label);
	plot_utf8_trim(buf);
}

/* Row labels every `step` rows, step a power of two, so they fit. */
static size_t heatmap_label_step(const struct plot *p, double row_h,
				 double size)
{
	size_t step = 1;

	while (row_h * (double)step < p->font * size * 1.15 && step < SERIES_CPUS_MAX)
		step *= 2;
	return step;
}

static void draw_cpu_heatmap(struct plot *p, const void *arg)
{
	const struct comparison_args *a = arg;
	const double title_h = p->font * 1.7, gap = p->font * 0.5;
	size_t panels = 0, rows = 0, nr_cpus = 0, step, drawn = 0, len;
	size_t *cpus;
	double top, left, right, bottom, duration = 0, row_h, label_size;
	struct plot_rect bar;
	struct axis x, percent;
	char sub[512];

	/* The CPUs of every recording with any: one set of rows for all. */
	for (size_t i = 0; i < a->nr; i++) {
		if (!has_cpu_data(&a->recs[i]))
			continue;
		panels++;
		duration = fmax(duration, a->recs[i].duration);
		if (a->recs[i].nr_cpu_env > nr_cpus)
			nr_cpus = a->recs[i].nr_cpu_env;
	}
	cpus = calloc(nr_cpus ? nr_cpus : 1, sizeof(*cpus));
	for (size_t k = 0; cpus && k < nr_cpus; k++)
		for (size_t i = 0; i < a->nr; i++)
			if (cpu_has(&a->recs[i], k)) {
				cpus[rows++] = k;
				break;
			}

	len = (size_t)snprintf(sub, sizeof(sub),
			       "task-clock on each CPU per second of wall time; per pixel, the busiest moment");
	for (size_t i = 0; i < a->nr; i++)
		if (a->recs[i].cpus_ignored) {
			if (len < sizeof(sub))
				len += (size_t)snprintf(sub + len, sizeof(sub) - len,
							"  \u00b7  CPUs from %d on not shown",
							SERIES_CPUS_MAX);
			break;
		}
	for (size_t i = 0, missing = 0; i < a->nr && len < sizeof(sub); i++)
		if (!has_cpu_data(&a->recs[i]))
			len += (size_t)snprintf(sub + len, sizeof(sub) - len,
						"%s%s", missing++ ? ", " : "  \u00b7  not recorded with --per-cpu: ",
						a->recs[i].label);
	plot_utf8_trim(sub);
	top = plot_title(p, "CPU utilisation per CPU", sub);
	left = plot_left_gutter(p);
	right = p->width - p->font * 1.5;
	bottom = p->height - plot_bottom_gutter(p, 1) - p->font * 0.3;
	if (!cpus || !rows || !panels) {
		struct plot_rect r = { left, top, right - left, bottom - top };

		plot_no_data(p, &r, cpus ? "no per-CPU counts (record --per-cpu)" :
					   "out of memory");
		free(cpus);
		return;
	}

	/* The colour bar, on the right above the panels. */
	bar = (struct plot_rect){ right - p->font * 18, top, p->font * 18,
				  p->font * 0.9 };
	axis_nice(0, 100, 6, 1, AXIS_PLAIN, &percent);
	plot_colour_bar(p, &bar, &percent, "CPU utilisation %");
	top += p->font * 2.6;

	if (!(duration > 0))
		duration = 1e-3;
	time_axis(p, duration, right - left, &x);
	row_h = (bottom - top - (double)panels * title_h -
		 (double)(panels - 1) * gap) / ((double)panels * (double)rows);
	row_h = fmin(row_h, p->font * 4);
	label_size = fmin(0.85, fmax(0.6, row_h / p->font * 0.75));
	step = heatmap_label_step(p, row_h, label_size);

	for (size_t i = 0; i < a->nr; i++) {
		const struct chart_recording *c = &a->recs[i];
		struct plot_panel panel = { .x = x };
		char title[256], when[32];
		double w;
		int last;

		if (!has_cpu_data(c))
			continue;
		last = ++drawn == panels;
		heatmap_title(c, title, sizeof(title));
		w = plot_text(p, left, top + title_h * 0.55, PLOT_LEFT, 1.0, 1,
			      palette_recording(c->index), title);
		/* Which run it is: the others may have run otherwise. */
		chart_format_seconds(c->duration, when, sizeof(when));
		if (c->nr_runs > 1)
			snprintf(title, sizeof(title), "the first of %zu runs, %s",
				 c->nr_runs, when);
		else
			snprintf(title, sizeof(title), "%s", when);
		plot_text(p, left + w + p->font * 0.8, top + title_h * 0.55,
			  PLOT_LEFT, 0.85, 0, MUTED_RGB, title);
		panel.area = (struct plot_rect){ left, top + title_h, right - left,
						 row_h * (double)rows };
		axis_nice(0, 1, 2, 0, AXIS_PLAIN, &panel.y);
		panel.y.nr = 0;         /* rows, not values */
		if (last)
			panel.x_title = "time since the command began";
		plot_axes(p, &panel, last);
		for (size_t r = 0; r < rows; r++) {
			double y0 = panel.area.y + row_h * (double)r;
			/* A white line between rows tall enough to spare it. */
			double y1 = y0 + row_h - (row_h >= 6 ? 1 : 0);
			char label[32];

			if (cpu_has(c, cpus[r]))
				plot_heat_row(p, &panel, &c->cpu_env[cpus[r]],
					      c->begin_ns, 1.0, round(y0), round(y1));
			if (r % step)
				continue;
			snprintf(label, sizeof(label), "CPU %zu", cpus[r]);
			plot_text(p, left - p->font * 0.4, y0 + row_h / 2,
				  PLOT_RIGHT, label_size, 0, TEXT_RGB, label);
		}
		/* The frame again, over the cells' edges. */
		plot_colour(p, FRAME_RGB, 1);
		cairo_set_line_width(p->cr, 1);
		cairo_rectangle(p->cr, round(panel.area.x) + 0.5,
				round(panel.area.y) + 0.5, round(panel.area.w),
				round(panel.area.h));
		cairo_stroke(p->cr);
		top = panel.area.y + panel.area.h + gap;
	}
	free(cpus);
}

int charts_draw_cpu_heatmap(struct chart_output *out,
			    const struct chart_recording *recs, size_t nr)
{
	struct comparison_args a = { recs, nr };

	for (size_t i = 0; i < nr; i++)
		if (has_cpu_data(&recs[i]))
			return chart_draw_page(out, "cpu-heatmap", draw_cpu_heatmap, &a);
	return 0;
}

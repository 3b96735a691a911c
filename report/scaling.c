/*
 * scaling.c - a scaling study's figures, its table and its two charts
 * (see scaling.h).
 *
 * scaling_add() copies each measured run's figures out of a summary; the
 * rest works on struct scaling_row, every judgement about one CPU count
 * (means, spreads, speedup, efficiency, outliers) computed once, by
 * rows_compute(), so the table, the JSON and the charts cannot disagree.
 * Drawing allocates nothing: an out-of-memory can only happen before it.
 *
 * Charts use plot.h as the other charts do; the x axis of the speedup
 * panel is drawn here, because its ticks are at the CPU counts measured
 * (1, 2, 4, 8 ...), which are not evenly spaced.
 */
#include "scaling.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "axis.h"
#include "counter.h"
#include "display.h"
#include "palette.h"
#include "plot.h"
#include "stats.h"

#define TEXT_RGB 0x222222u
#define MUTED_RGB 0x666666u
#define GRID_RGB 0xE4E4E4u     /* as plot_axes() draws its grid */

/* The per-run arrays of a variant, for the loops that treat them alike. */
enum scaling_field {
	FIELD_WALL,
	FIELD_USER,
	FIELD_SYS,
	FIELD_CPU,
	FIELD_VCSW,
	FIELD_IVCSW,
	FIELD_MIGRATIONS,
	FIELD_FAULTS,
	FIELD_RATE,
	FIELD_CPU_PER_REQUEST,
	FIELD_SWITCHES_PER_REQUEST,
	FIELDS,
};

static double **field(struct scaling_variant *v, enum scaling_field f)
{
	switch (f) {
	case FIELD_WALL:
		return &v->wall;
	case FIELD_USER:
		return &v->user;
	case FIELD_SYS:
		return &v->sys;
	case FIELD_CPU:
		return &v->cpu;
	case FIELD_VCSW:
		return &v->vcsw;
	case FIELD_IVCSW:
		return &v->ivcsw;
	case FIELD_MIGRATIONS:
		return &v->migrations;
	case FIELD_RATE:
		return &v->rate;
	case FIELD_CPU_PER_REQUEST:
		return &v->cpu_per_request;
	case FIELD_SWITCHES_PER_REQUEST:
		return &v->switches_per_request;
	case FIELD_FAULTS:
	case FIELDS:
		break;
	}
	return &v->faults;
}

/* ---- the figures ---- */

void scaling_init(struct scaling *sc)
{
	memset(sc, 0, sizeof(*sc));
}

static void variant_release(struct scaling_variant *v)
{
	free(v->label);
	free(v->cpus);
	free(v->command);
	for (int f = 0; f < FIELDS; f++)
		free(*field(v, (enum scaling_field)f));
	memset(v, 0, sizeof(*v));
}

void scaling_release(struct scaling *sc)
{
	for (size_t i = 0; i < sc->nr; i++)
		variant_release(&sc->v[i]);
	free(sc->v);
	memset(sc, 0, sizeof(*sc));
}

/* argv joined by spaces, or "" (never NULL unless out of memory). */
static char *join_argv(char *const *argv, size_t argc)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	out = malloc(len);
	if (!out)
		return NULL;
	out[0] = '\0';
	for (size_t i = 0; i < argc; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, argv[i]);
	}
	return out;
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

/*
 * The value of the first counted event named `name` in run r, in the
 * report's units (msec for time events), or NAN. An event counted on the
 * user side only is left out: its count is not the whole run's.
 */
static double counter_value(const struct summary *s,
			    const struct summary_run *r, const char *name)
{
	struct counter_view v;

	for (size_t i = 0; i < s->nr_events; i++) {
		if (!counter_name_is(s->events[i].name, name))
			continue;
		summary_judge(s, r, i, &v);
		if (v.has_value && !v.user_only)
			return v.value;
	}
	return NAN;
}

/* The index of the first counted event named name, or -1. */
static long event_named(const struct summary *s, const char *name)
{
	for (size_t i = 0; i < s->nr_events; i++)
		if (counter_name_is(s->events[i].name, name))
			return (long)i;
	return -1;
}

/*
 * A run recorded under a load (`scale --load`): requests per second of
 * the load's window, and task-clock (usec) and context switches per
 * request over it. NAN without a window or a request count.
 */
static void take_load(struct scaling_variant *v, size_t n,
		      const struct summary *s, const struct summary_run *r)
{
	const struct summary_load *l = &r->load;
	long clock = summary_cpu_time_event(s, r), cs = event_named(s, "context-switches");
	double seconds, requests, value;

	if (summary_load_seconds(r, &seconds) < 0 || seconds <= 0 ||
	    !(l->flags & REC_LOAD_F_REQUESTS) || !l->requests)
		return;
	requests = (double)l->requests;
	v->rate[n] = requests / seconds;
	if (clock >= 0 && summary_load_delta(s, r, (size_t)clock, &value) == 0)
		v->cpu_per_request[n] = value / 1e3 / requests;
	if (cs >= 0 && summary_load_delta(s, r, (size_t)cs, &value) == 0)
		v->switches_per_request[n] = value / requests;
}

/* Run r's figures into slot n of every array of v. */
static void take_run(struct scaling_variant *v, size_t n,
		     const struct summary *s, const struct summary_run *r)
{
	const struct rec_rusage *ru = &r->end.rusage;
	int rusage = r->ended && r->end.exit_kind != REC_EXIT_ATTACHED;
	double faults, task_clock = NAN;
	uint64_t wall;
	long i;

	for (int f = 0; f < FIELDS; f++)
		(*field(v, (enum scaling_field)f))[n] = NAN;
	/* A run cut off has counted part of what it costs: see scaling.h. */
	if (!r->ended)
		return;
	if (summary_run_wall_ns(r, &wall) == 0)
		v->wall[n] = (double)wall / 1e9;
	i = summary_cpu_time_event(s, r);
	if (i >= 0) {
		struct counter_view view;

		summary_judge(s, r, (size_t)i, &view);
		if (view.has_value && !view.user_only)
			task_clock = view.value / 1e3;   /* msec */
	}
	v->cpu[n] = task_clock;
	v->migrations[n] = counter_value(s, r, "cpu-migrations");
	faults = counter_value(s, r, "page-faults");
	if (isnan(faults))
		faults = counter_value(s, r, "faults");
	if (rusage) {
		v->user[n] = (double)ru->utime_us / 1e6;
		v->sys[n] = (double)ru->stime_us / 1e6;
		v->vcsw[n] = (double)ru->nvcsw;
		v->ivcsw[n] = (double)ru->nivcsw;
		if (isnan(faults))
			faults = (double)(ru->minflt + ru->majflt);
	}
	v->faults[n] = faults;
	take_load(v, n, s, r);
}

int scaling_add(struct scaling *sc, const struct summary *s)
{
	uint32_t index = s->only_variant >= 0 ? (uint32_t)s->only_variant : 0;
	const struct summary_variant *sv = summary_variant(s, index);
	struct scaling_variant v = { 0 };
	size_t n = 0, at;

	for (size_t r = 0; r < s->nr_runs; r++)
		if (s->runs[r].variant == index &&
		    !(s->runs[r].flags & REC_RUN_F_WARMUP))
			n++;
	if (sv) {
		v.label = strdup(sv->label);
		v.nr_cpus = sv->nr_cpus;
		v.cpus = strdup(sv->cpus);
		v.command = join_argv(sv->argv, sv->argc);
	} else {
		v.label = s->label && *s->label ? strdup(s->label) :
			  file_label(s->file);
		v.cpus = strdup("");
		v.command = join_argv(s->argv, s->argc);
	}
	if (!v.label || !v.cpus || !v.command)
		goto nomem;
	for (int f = 0; f < FIELDS && n; f++) {
		double **a = field(&v, (enum scaling_field)f);

		*a = malloc(n * sizeof(**a));
		if (!*a)
			goto nomem;
	}
	for (size_t r = 0; r < s->nr_runs; r++) {
		const struct summary_run *run = &s->runs[r];

		if (run->variant == index && !(run->flags & REC_RUN_F_WARMUP))
			take_run(&v, v.nr_runs++, s, run);
	}
	if (sc->nr == sc->alloc) {
		size_t alloc = sc->alloc ? sc->alloc * 2 : 4;
		struct scaling_variant *grown = realloc(sc->v, alloc * sizeof(*grown));

		if (!grown)
			goto nomem;
		sc->v = grown;
		sc->alloc = alloc;
	}
	/* Kept in ascending CPU count, ties in the order added. */
	for (at = sc->nr; at > 0 && sc->v[at - 1].nr_cpus > v.nr_cpus; at--)
		;
	memmove(&sc->v[at + 1], &sc->v[at], (sc->nr - at) * sizeof(*sc->v));
	sc->v[at] = v;
	sc->nr++;
	return 0;
nomem:
	variant_release(&v);
	return -ENOMEM;
}

int scaling_is_study(const struct scaling *sc)
{
	if (sc->nr < 2)
		return 0;
	for (size_t i = 0; i < sc->nr; i++)
		if (!sc->v[i].nr_cpus ||
		    (i && sc->v[i].nr_cpus == sc->v[i - 1].nr_cpus))
			return 0;
	return 1;
}

/* ---- the judgements, per CPU count ---- */

struct scaling_row {
	const struct scaling_variant *v;
	struct stats wall, user, sys, usersys, cpu, utilized;
	struct stats vcsw, ivcsw, migrations, faults;
	struct stats rate, cpu_per_request, switches_per_request; /* a load's */
	size_t outliers;            /* wall times flagged by stats_outliers() */
	unsigned char *flags;       /* owned: flags[i] for v->wall[i] */
	/* NAN when unknown; efficiency is a fraction, 1 is perfect. */
	double speedup, speedup_min, speedup_max, ideal, efficiency;
};

static void rows_release(struct scaling_row *rows, size_t nr)
{
	for (size_t i = 0; rows && i < nr; i++)
		free(rows[i].flags);
	free(rows);
}

/* stats_compute(), with "no finite value" as an empty summary. */
static int summarise(const double *v, size_t n, struct stats *out)
{
	return stats_compute(v, n, out) == -ENOMEM ? -ENOMEM : 0;
}

/* A speedup of stats_speedup(), NAN where it says 0 (unknown). */
static double speedup_of(double base, double time)
{
	double s = stats_speedup(base, time);

	return s > 0 ? s : NAN;
}

static int row_compute(struct scaling_row *row, const struct scaling_variant *v)
{
	size_t n = v->nr_runs;
	double *usersys = malloc((n ? n : 1) * sizeof(double));
	double *utilized = malloc((n ? n : 1) * sizeof(double));
	int ret = -ENOMEM;

	row->v = v;
	row->flags = calloc(n ? n : 1, 1);
	if (!usersys || !utilized || !row->flags)
		goto out;
	for (size_t i = 0; i < n; i++) {
		double cpu = isfinite(v->cpu[i]) ? v->cpu[i] : v->user[i] + v->sys[i];

		usersys[i] = v->user[i] + v->sys[i];
		/* task-clock, else rusage: see scaling.h. */
		utilized[i] = v->wall[i] > 0 ? cpu / v->wall[i] : NAN;
	}
	if (summarise(v->wall, n, &row->wall) < 0 ||
	    summarise(v->user, n, &row->user) < 0 ||
	    summarise(v->sys, n, &row->sys) < 0 ||
	    summarise(usersys, n, &row->usersys) < 0 ||
	    summarise(v->cpu, n, &row->cpu) < 0 ||
	    summarise(utilized, n, &row->utilized) < 0 ||
	    summarise(v->vcsw, n, &row->vcsw) < 0 ||
	    summarise(v->ivcsw, n, &row->ivcsw) < 0 ||
	    summarise(v->migrations, n, &row->migrations) < 0 ||
	    summarise(v->faults, n, &row->faults) < 0 ||
	    summarise(v->rate, n, &row->rate) < 0 ||
	    summarise(v->cpu_per_request, n, &row->cpu_per_request) < 0 ||
	    summarise(v->switches_per_request, n, &row->switches_per_request) < 0)
		goto out;
	row->outliers = stats_outliers(v->wall, n, &row->wall, row->flags);
	ret = 0;
out:
	free(usersys);
	free(utilized);
	return ret;
}

/*
 * Every row of a study, base first. Returns a malloc'd array of sc->nr
 * (rows_release() it), or NULL when out of memory.
 */
static struct scaling_row *rows_compute(const struct scaling *sc)
{
	struct scaling_row *rows = calloc(sc->nr ? sc->nr : 1, sizeof(*rows));
	const struct scaling_row *base = rows;

	if (!rows)
		return NULL;
	for (size_t i = 0; i < sc->nr; i++) {
		struct scaling_row *row = &rows[i];

		if (row_compute(row, &sc->v[i]) < 0) {
			rows_release(rows, sc->nr);
			return NULL;
		}
		row->speedup = row->speedup_min = row->speedup_max = NAN;
		row->ideal = row->efficiency = NAN;
		if (base->v->nr_cpus)
			row->ideal = (double)row->v->nr_cpus / base->v->nr_cpus;
		if (!base->wall.n || !row->wall.n)
			continue;
		row->speedup = speedup_of(base->wall.mean, row->wall.mean);
		row->speedup_min = speedup_of(base->wall.mean, row->wall.max);
		row->speedup_max = speedup_of(base->wall.mean, row->wall.min);
		if (isfinite(row->speedup) && isfinite(row->ideal))
			row->efficiency = stats_efficiency(row->speedup, row->ideal);
	}
	return rows;
}

/* "1 CPU", "4 CPUs". */
static char *cpus_text(uint32_t n, char *buf, size_t size)
{
	snprintf(buf, size, "%u CPU%s", n, n == 1 ? "" : "s");
	return buf;
}

/* The command all variants ran, or NULL when they differ or none says. */
static const char *common_command(const struct scaling *sc)
{
	for (size_t i = 1; i < sc->nr; i++)
		if (strcmp(sc->v[i].command, sc->v[0].command))
			return NULL;
	return sc->nr && *sc->v[0].command ? sc->v[0].command : NULL;
}

/* "3 runs each", "3-5 runs each", "1 run each" of the known wall times. */
static void runs_text(const struct scaling_row *rows, size_t nr, char *buf,
		      size_t size)
{
	size_t lo = SIZE_MAX, hi = 0;

	for (size_t i = 0; i < nr; i++) {
		lo = rows[i].v->nr_runs < lo ? rows[i].v->nr_runs : lo;
		hi = rows[i].v->nr_runs > hi ? rows[i].v->nr_runs : hi;
	}
	if (lo == hi)
		snprintf(buf, size, "%zu run%s each", lo, lo == 1 ? "" : "s");
	else
		snprintf(buf, size, "%zu-%zu runs each", lo, hi);
}

/* "1, 2, 4" into buf. */
static void counts_text(const struct scaling *sc, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sc->nr && len < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%u", i ? ", " : "",
				 sc->v[i].nr_cpus);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

/* ---- text ---- */

/* A number with `decimals` digits into buf, or "-" when unknown. */
static const char *cell(char *buf, size_t size, const struct stats *s,
			int decimals)
{
	if (!s->n)
		return "-";
	snprintf(buf, size, "%.*f", decimals, s->mean);
	return buf;
}

/* A count's mean, with separators; a decimal for small fractions. */
static const char *count_cell(char *buf, size_t size, const struct stats *s)
{
	if (!s->n)
		return "-";
	return counter_format_double(buf, size, s->mean,
				     s->mean < 10 && s->mean != floor(s->mean) ? 1 : 0);
}

/* "1.5" or "2": an ideal speedup as few digits as it needs. */
static char *ideal_text(double ideal, char *buf, size_t size)
{
	snprintf(buf, size, "%.3g", ideal);
	return buf;
}

/* v with `decimals` digits and a suffix ("x", "%"), or "-" when v is
 * not finite. */
static void ratio(char *buf, size_t size, double v, int decimals,
		  const char *suffix)
{
	if (isfinite(v))
		snprintf(buf, size, "%.*f%s", decimals, v, suffix);
	else
		snprintf(buf, size, "-");
}

static void print_timing(FILE *out, const struct scaling_row *rows, size_t nr)
{
	fprintf(out, "  %6s %7s  %12s %10s %9s %13s %7s %11s\n", "CPUs", "runs",
		"wall s", "+- stderr", "speedup", "min-max", "ideal",
		"efficiency");
	for (size_t i = 0; i < nr; i++) {
		const struct scaling_row *r = &rows[i];
		char runs[32], wall[32], err[32], speed[32], range[48], ideal[32];
		char eff[32];

		if (r->wall.n == r->v->nr_runs)
			snprintf(runs, sizeof(runs), "%zu", r->v->nr_runs);
		else
			snprintf(runs, sizeof(runs), "%zu/%zu", r->wall.n,
				 r->v->nr_runs);
		cell(wall, sizeof(wall), &r->wall, 4);
		if (r->wall.n > 1)
			snprintf(err, sizeof(err), "+- %.2f%%",
				 stats_rel_stderr(&r->wall));
		else
			snprintf(err, sizeof(err), "-");
		ratio(speed, sizeof(speed), r->speedup, 2, "x");
		if (isfinite(r->speedup_min) && isfinite(r->speedup_max))
			snprintf(range, sizeof(range), "%.2f-%.2f", r->speedup_min,
				 r->speedup_max);
		else
			snprintf(range, sizeof(range), "-");
		ratio(ideal, sizeof(ideal), r->ideal, 2, "x");
		ratio(eff, sizeof(eff), r->efficiency * 100, 1, "%");
		/* '*': see the footnote on outliers. */
		fprintf(out, "  %6u %7s%c %12s %10s %9s %13s %7s %11s\n",
			r->v->nr_cpus, runs, r->outliers ? '*' : ' ',
			r->wall.n ? wall : "-", err, speed,
			range, ideal, eff);
	}
}

static void print_resources(FILE *out, const struct scaling_row *rows,
			    size_t nr)
{
	fprintf(out, "  %6s %9s %9s %14s %12s %12s %11s %12s\n", "CPUs",
		"user s", "sys s", "CPUs utilized", "voluntary", "involuntary",
		"migrations", "page faults");
	for (size_t i = 0; i < nr; i++) {
		const struct scaling_row *r = &rows[i];
		char user[32], sys[32], used[32];
		char vcsw[COUNTER_NUMBER_MAX], ivcsw[COUNTER_NUMBER_MAX];
		char migr[COUNTER_NUMBER_MAX], faults[COUNTER_NUMBER_MAX];

		fprintf(out, "  %6u %9s %9s %14s %12s %12s %11s %12s\n",
			r->v->nr_cpus, cell(user, sizeof(user), &r->user, 3),
			cell(sys, sizeof(sys), &r->sys, 3),
			cell(used, sizeof(used), &r->utilized, 2),
			count_cell(vcsw, sizeof(vcsw), &r->vcsw),
			count_cell(ivcsw, sizeof(ivcsw), &r->ivcsw),
			count_cell(migr, sizeof(migr), &r->migrations),
			count_cell(faults, sizeof(faults), &r->faults));
	}
}

/*
 * Under a load, the wall time is the load's: what scales is the rate,
 * and what each request costs.
 */
static void print_load(FILE *out, const struct scaling_row *rows, size_t nr)
{
	int any = 0;

	for (size_t i = 0; i < nr; i++)
		any |= rows[i].rate.n > 0;
	if (!any)
		return;
	fputs(" Under the load (its window only; mean per run):\n\n", out);
	fprintf(out, "  %6s %14s %9s %18s %20s\n", "CPUs", "requests/s", "speedup",
		"CPU usec/request", "switches/request");
	for (size_t i = 0; i < nr; i++) {
		const struct scaling_row *r = &rows[i];
		char rate[32], cpu[32], cs[32], speedup[32] = "-";

		if (r->rate.n && rows[0].rate.n && rows[0].rate.mean > 0)
			snprintf(speedup, sizeof(speedup), "%.2fx",
				 r->rate.mean / rows[0].rate.mean);
		fprintf(out, "  %6u %14s %9s %18s %20s\n", r->v->nr_cpus,
			cell(rate, sizeof(rate), &r->rate, 0), speedup,
			cell(cpu, sizeof(cpu), &r->cpu_per_request, 2),
			cell(cs, sizeof(cs), &r->switches_per_request, 3));
	}
	fputc('\n', out);
}

static void print_verdicts(FILE *out, const struct scaling_row *rows, size_t nr)
{
	for (size_t i = 1; i < nr; i++) {
		const struct scaling_row *r = &rows[i];
		char who[32], ideal[32];

		cpus_text(r->v->nr_cpus, who, sizeof(who));
		if (!isfinite(r->speedup)) {
			fprintf(out, "  %s: no speedup: %s\n", who,
				rows[0].wall.n ?
				"no run has a known wall time" :
				"no run of the base has a known wall time");
			continue;
		}
		fprintf(out, "  %s: %.2fx of ideal %sx (%.0f%% efficient)\n", who,
			r->speedup, ideal_text(r->ideal, ideal, sizeof(ideal)),
			r->efficiency * 100);
	}
}

static void print_footnotes(FILE *out, const struct scaling_row *rows,
			    size_t nr)
{
	int unknown = 0;

	for (size_t i = 0; i < nr; i++) {
		const struct scaling_row *r = &rows[i];
		const struct scaling_variant *v = r->v;
		char who[32];
		size_t k = 0;

		cpus_text(v->nr_cpus, who, sizeof(who));
		if (r->wall.n < v->nr_runs) {
			size_t missing = v->nr_runs - r->wall.n;

			fprintf(out, "  %s: %zu of %zu runs %s no end (cut off): left out\n",
				who, missing, v->nr_runs, missing == 1 ? "has" : "have");
		}
		if (!r->outliers)
			continue;
		fprintf(out, "  * %s: run%s", who, r->outliers == 1 ? "" : "s");
		for (size_t j = 0; j < v->nr_runs; j++) {
			if (!r->flags[j])
				continue;
			fprintf(out, "%s %zu (%.4f s)", k++ ? "," : "", j + 1,
				v->wall[j]);
		}
		fprintf(out, " of %zu stand%s apart from the median wall time %.4f s; the mean includes %s\n",
			v->nr_runs, r->outliers == 1 ? "s" : "", r->wall.median,
			r->outliers == 1 ? "it" : "them");
	}
	for (size_t i = 0; i < nr; i++)
		unknown |= !rows[i].wall.n || !rows[i].user.n ||
			   !rows[i].utilized.n || !rows[i].vcsw.n ||
			   !rows[i].migrations.n || !rows[i].faults.n;
	if (unknown)
		fprintf(out, "  -: not known (not counted, or no run ended)\n");
}

void scaling_print(FILE *out, const struct scaling *sc)
{
	struct scaling_row *rows;
	const char *command = common_command(sc);
	char counts[256], runs[64], base[32];

	if (!scaling_is_study(sc))
		return;
	rows = rows_compute(sc);
	if (!rows) {
		fprintf(out, "\n Scaling: out of memory\n");
		return;
	}
	counts_text(sc, counts, sizeof(counts));
	runs_text(rows, sc->nr, runs, sizeof(runs));
	fputs("\n Scaling", out);
	if (command) {
		fputs(" of '", out);
		display_sanitized(out, command);
		fputs("'", out);
	}
	fprintf(out, " over %s CPUs, %s (warm-ups left out);\n"
		" speedup over %s, from the mean wall times:\n\n", counts, runs,
		cpus_text(sc->v[0].nr_cpus, base, sizeof(base)));
	print_timing(out, rows, sc->nr);
	fputs("\n Mean per run:\n\n", out);
	print_resources(out, rows, sc->nr);
	fputc('\n', out);
	print_load(out, rows, sc->nr);
	print_verdicts(out, rows, sc->nr);
	fputc('\n', out);
	print_footnotes(out, rows, sc->nr);
	rows_release(rows, sc->nr);
}

/* ---- JSON ---- */

/* The mean, or null when unknown. */
static void json_mean(struct json_writer *w, const char *key,
		      const struct stats *s)
{
	json_double(w, key, s->n ? s->mean : NAN);
}

void scaling_json(struct json_writer *w, const struct scaling *sc)
{
	struct scaling_row *rows;

	if (!scaling_is_study(sc))
		return;
	json_begin_object(w, "scaling");
	json_u64(w, "base_cpus", sc->v[0].nr_cpus);
	rows = rows_compute(sc);
	if (!rows) {
		json_null(w, "rows");   /* out of memory: no figures, not none */
		json_end_object(w);
		return;
	}
	json_begin_array(w, "rows");
	for (size_t i = 0; i < sc->nr; i++) {
		const struct scaling_row *r = &rows[i];

		json_begin_object(w, NULL);
		json_u64(w, "cpus", r->v->nr_cpus);
		json_string(w, "label", r->v->label);
		json_string(w, "cpu_list", r->v->cpus);
		json_u64(w, "runs", r->v->nr_runs);
		json_u64(w, "runs_known", r->wall.n);
		json_mean(w, "wall_mean", &r->wall);
		json_double(w, "wall_stddev", r->wall.n ? r->wall.stddev : NAN);
		json_double(w, "wall_rel_stderr",
			    r->wall.n ? stats_rel_stderr(&r->wall) : NAN);
		json_double(w, "wall_min", r->wall.n ? r->wall.min : NAN);
		json_double(w, "wall_max", r->wall.n ? r->wall.max : NAN);
		json_u64(w, "wall_outliers", r->outliers);
		json_double(w, "speedup", r->speedup);
		json_double(w, "speedup_min", r->speedup_min);
		json_double(w, "speedup_max", r->speedup_max);
		json_double(w, "ideal_speedup", r->ideal);
		json_double(w, "efficiency", r->efficiency);
		json_mean(w, "user_mean", &r->user);
		json_mean(w, "sys_mean", &r->sys);
		json_mean(w, "cpu_mean", &r->cpu);
		json_mean(w, "cpus_utilized", &r->utilized);
		json_mean(w, "voluntary_switches", &r->vcsw);
		json_mean(w, "involuntary_switches", &r->ivcsw);
		json_mean(w, "migrations", &r->migrations);
		json_mean(w, "page_faults", &r->faults);
		json_mean(w, "requests_per_second", &r->rate);
		json_mean(w, "cpu_usec_per_request", &r->cpu_per_request);
		json_mean(w, "switches_per_request", &r->switches_per_request);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
	rows_release(rows, sc->nr);
}

/* ---- charts ---- */

struct study {
	const struct scaling *sc;
	const struct scaling_row *rows;
	size_t nr;
};

/* "'cmd' · 1, 2, 4 CPUs · 3 runs each, warm-ups left out". */
static void subtitle(const struct study *st, const char *tail, char *buf,
		     size_t size)
{
	const char *command = common_command(st->sc);
	char counts[256], runs[64];

	counts_text(st->sc, counts, sizeof(counts));
	runs_text(st->rows, st->nr, runs, sizeof(runs));
	snprintf(buf, size, "%s%s%s%s CPUs  \u00b7  %s, warm-ups left out%s",
		 command ? "'" : "", command ? command : "",
		 command ? "'  \u00b7  " : "", counts, runs, tail);
	plot_utf8_trim(buf);
}

/* CPU counts labelled along an x axis, at most; the rest keep their
 * grid line or bar, unlabelled. */
#define SCALING_LABELS_MAX 64

static void clip_to(struct plot *p, const struct plot_rect *r)
{
	cairo_save(p->cr);
	cairo_rectangle(p->cr, r->x, r->y, r->w, r->h);
	cairo_clip(p->cr);
}

/* ---- scaling.png ---- */

static void draw_speedup(struct plot *p, const struct study *st,
			 struct plot_panel *panel)
{
	double base = st->sc->v[0].nr_cpus, max_cpus = st->sc->v[st->nr - 1].nr_cpus;
	double ymax = 0, xs[SCALING_LABELS_MAX], room;
	char texts[SCALING_LABELS_MAX][AXIS_LABEL_MAX];
	size_t nr_ticks = 0, drawn = 0;
	int any = 0;

	for (size_t i = 0; i < st->nr; i++) {
		const struct scaling_row *r = &st->rows[i];

		ymax = fmax(ymax, r->ideal);
		if (isfinite(r->speedup)) {
			any = 1;
			ymax = fmax(ymax, r->speedup_max);
		}
	}
	/* Room right of the last count for its label ("4.71x"). */
	room = fmin(0.5, p->font * 4.5 / fmax(1, panel->area.w));
	plot_bare_axis(0, fmax(max_cpus * 1.08, max_cpus / (1 - room)), &panel->x);
	/* An empty panel gets the plain 0..1 axis, as the timeline's do. */
	axis_nice(0, any ? ymax * 1.06 : 1, any ? chart_ticks_for(p, panel->area.h, 2.2) : 2,
		  1, AXIS_PLAIN, &panel->y);
	plot_axes(p, panel, 1);
	/* The x ticks: a grid line and a label at each count measured. */
	for (size_t i = 0; i < st->nr; i++) {
		double x = round(plot_x(panel, st->sc->v[i].nr_cpus)) + 0.5;

		plot_line(p, x, panel->area.y + 1, x, panel->area.y + panel->area.h - 1,
			  GRID_RGB, 1, 0);
		if (nr_ticks < SCALING_LABELS_MAX) {
			xs[nr_ticks] = x;
			snprintf(texts[nr_ticks++], sizeof(texts[0]), "%u",
				 st->sc->v[i].nr_cpus);
		}
	}
	plot_x_labels(p, panel, xs, texts, nr_ticks);
	if (!any) {
		plot_no_data(p, &panel->area, st->rows[0].wall.n ?
			     "no speedup: no run has a known wall time" :
			     "no speedup: no run of the base has a known wall time");
		return;
	}
	clip_to(p, &panel->area);
	plot_line(p, plot_x(panel, 0), plot_y(panel, 0), plot_x(panel, panel->x.hi),
		  plot_y(panel, panel->x.hi / base), PALETTE_GREY,
		  fmax(1.5, p->font * 0.13), 1);
	/* The measured line first, whiskers and points over it. */
	plot_colour(p, PALETTE_BLUE, 1);
	cairo_set_line_width(p->cr, fmax(2, p->font * 0.18));
	for (size_t i = 0; i < st->nr; i++) {
		const struct scaling_row *r = &st->rows[i];
		double x, y;

		if (!isfinite(r->speedup))
			continue;
		x = plot_x(panel, r->v->nr_cpus);
		y = plot_y(panel, r->speedup);
		if (drawn++)
			cairo_line_to(p->cr, x, y);
		else
			cairo_move_to(p->cr, x, y);
	}
	cairo_stroke(p->cr);
	cairo_restore(p->cr);
	for (size_t i = 0; i < st->nr; i++) {
		const struct scaling_row *r = &st->rows[i];
		double x, y, tw;
		char text[32];

		if (!isfinite(r->speedup))
			continue;
		x = plot_x(panel, r->v->nr_cpus);
		y = plot_y(panel, r->speedup);
		if (r->wall.n > 1 && r->speedup_max > r->speedup_min)
			plot_whisker(p, x, plot_y(panel, r->speedup_min),
				     plot_y(panel, r->speedup_max), p->font * 0.7,
				     PALETTE_BLUE);
		plot_point(p, x, y, 0, PALETTE_BLUE);
		snprintf(text, sizeof(text), "%.2fx", r->speedup);
		/*
		 * Below and right of the point: the measured line comes from
		 * the lower left and goes to the upper right, so that corner
		 * is free. Where it does not fit, above and left.
		 */
		tw = plot_text_width(p, 0.8, 1, text);
		if (x + p->font * 0.6 + tw <= panel->area.x + panel->area.w &&
		    y + p->font * 1.3 <= panel->area.y + panel->area.h)
			plot_text(p, x + p->font * 0.6, y + p->font * 0.8,
				  PLOT_LEFT, 0.8, 1, PALETTE_BLUE, text);
		else
			plot_text(p, x - p->font * 0.6, y - p->font * 0.8,
				  PLOT_RIGHT, 0.8, 1, PALETTE_BLUE, text);
	}
}

/* A bar from 0 to value, its top at plot_y(value). */
static void bar(struct plot *p, const struct plot_panel *panel, double x,
		double w, double from, double to, uint32_t rgb)
{
	double y0 = plot_y(panel, from), y1 = plot_y(panel, to);

	plot_colour(p, rgb, 1);
	cairo_rectangle(p->cr, x, y1, w, y0 - y1);
	cairo_fill(p->cr);
}

/* CPU counts under categorical bars: one slot of `slot` pixels each. */
static void slot_labels(struct plot *p, const struct plot_panel *panel,
			const struct study *st, double slot)
{
	double xs[SCALING_LABELS_MAX];
	char texts[SCALING_LABELS_MAX][AXIS_LABEL_MAX];
	size_t n = 0;

	for (size_t i = 0; i < st->nr && n < SCALING_LABELS_MAX; i++) {
		xs[n] = panel->area.x + slot * ((double)i + 0.5);
		snprintf(texts[n++], sizeof(texts[0]), "%u", st->sc->v[i].nr_cpus);
	}
	plot_x_labels(p, panel, xs, texts, n);
}

static void draw_efficiency(struct plot *p, const struct study *st,
			    struct plot_panel *panel)
{
	double ymax = 100, slot = panel->area.w / (double)st->nr, w;
	int any = 0;

	for (size_t i = 0; i < st->nr; i++) {
		const struct scaling_row *r = &st->rows[i];

		if (!isfinite(r->efficiency))
			continue;
		any = 1;
		ymax = fmax(ymax, 100 * fmax(r->efficiency,
					     r->speedup_max / r->ideal));
	}
	plot_bare_axis(0, 1, &panel->x);
	axis_nice(0, any ? ymax * 1.1 : 1, any ? chart_ticks_for(p, panel->area.h, 2.2) : 2,
		  1, AXIS_PLAIN, &panel->y);
	plot_axes(p, panel, 1);
	slot_labels(p, panel, st, slot);
	if (!any) {
		plot_no_data(p, &panel->area, "no efficiency: no speedup is known");
		return;
	}
	w = fmin(slot * 0.6, p->font * 5);
	for (size_t i = 0; i < st->nr; i++) {
		const struct scaling_row *r = &st->rows[i];
		double cx = panel->area.x + slot * ((double)i + 0.5), top;
		char text[32];

		if (!isfinite(r->efficiency))
			continue;
		bar(p, panel, cx - w / 2, w, 0, r->efficiency * 100, PALETTE_GREEN);
		top = plot_y(panel, r->efficiency * 100);
		if (r->wall.n > 1 && r->speedup_max > r->speedup_min) {
			plot_whisker(p, cx, plot_y(panel, 100 * r->speedup_min / r->ideal),
				     plot_y(panel, 100 * r->speedup_max / r->ideal),
				     w * 0.4, TEXT_RGB);
			top = fmin(top, plot_y(panel, 100 * r->speedup_max / r->ideal));
		}
		snprintf(text, sizeof(text), "%.0f%%", r->efficiency * 100);
		if (slot > p->font * 2)
			plot_text(p, cx, top - p->font * 0.7, PLOT_CENTER,
				  0.8, 1, TEXT_RGB, text);
	}
	/* 100%: the ideal, over the bars so it shows through them. */
	plot_line(p, panel->area.x, plot_y(panel, 100), panel->area.x + panel->area.w,
		  plot_y(panel, 100), PALETTE_GREY, fmax(1.5, p->font * 0.13), 1);
}

static void draw_scaling(struct plot *p, const void *arg)
{
	const struct study *st = arg;
	struct plot_legend_entry legend[3];
	struct plot_panel speed = { .y_title = "speedup (x)", .x_title = "CPUs" };
	struct plot_panel eff = { .y_title = "parallel efficiency (%)",
				  .x_title = "CPUs" };
	char sub[512], base[32], ideal[96], tail[64];
	double top, left, right, bottom, split, legend_h;

	cpus_text(st->sc->v[0].nr_cpus, base, sizeof(base));
	snprintf(tail, sizeof(tail), "  \u00b7  base %s", base);
	subtitle(st, tail, sub, sizeof(sub));
	top = plot_title(p, "Scaling with CPUs", sub) + p->font * 0.3;
	snprintf(ideal, sizeof(ideal), "ideal: CPUs / %u (100%% efficient)",
		 st->sc->v[0].nr_cpus);
	legend[0] = (struct plot_legend_entry){ PALETTE_BLUE, PLOT_SWATCH_LINE,
		"speedup: base mean wall time / mean wall time (whisker: min\u2013max of the runs)" };
	legend[1] = (struct plot_legend_entry){ PALETTE_GREY, PLOT_SWATCH_DASH,
		ideal };
	legend[2] = (struct plot_legend_entry){ PALETTE_GREEN, PLOT_SWATCH_BOX,
		"parallel efficiency: speedup / ideal" };
	left = plot_left_gutter(p);
	right = p->width - p->font * 1.5;
	bottom = p->height - plot_bottom_gutter(p, 1) - p->font * 0.3;
	legend_h = plot_legend(p, left, top + p->font * 0.75, right, legend, 3);
	top += legend_h + p->font * 0.4;
	split = left + (right - left) * 0.56;
	speed.area = (struct plot_rect){ left, top, split - left - p->font * 1.5,
					 bottom - top };
	eff.area = (struct plot_rect){ split + plot_left_gutter(p), top,
				       right - split - plot_left_gutter(p),
				       bottom - top };
	draw_speedup(p, st, &speed);
	draw_efficiency(p, st, &eff);
}

/* ---- scaling-counters.png ---- */

/* One of the small multiples: up to two figures side by side, or stacked. */
struct counter_cell {
	const char *title;
	enum axis_units units;
	int stacked;                /* layers on each other, else side by side */
	size_t nr;                  /* layers */
	const struct stats *(*get[2])(const struct scaling_row *r);
	uint32_t rgb[2];
	const char *names[2];
	const char *no_data;
};

static const struct stats *get_user(const struct scaling_row *r)
{
	return &r->user;
}

static const struct stats *get_sys(const struct scaling_row *r)
{
	return &r->sys;
}

static const struct stats *get_vcsw(const struct scaling_row *r)
{
	return &r->vcsw;
}

static const struct stats *get_ivcsw(const struct scaling_row *r)
{
	return &r->ivcsw;
}

static const struct stats *get_migrations(const struct scaling_row *r)
{
	return &r->migrations;
}

static const struct stats *get_faults(const struct scaling_row *r)
{
	return &r->faults;
}

static const struct counter_cell counter_cells[4] = {
	{ "CPU time per run", AXIS_SECONDS, 1, 2, { get_user, get_sys },
	  { PALETTE_CPU_USER, PALETTE_CPU_SYS }, { "user", "system" },
	  "no CPU time: no run ended, and task-clock was not counted" },
	{ "context switches per run", AXIS_SI, 0, 2, { get_vcsw, get_ivcsw },
	  { PALETTE_CTXSW_VOLUNTARY, PALETTE_CTXSW_INVOLUNTARY },
	  { "voluntary", "involuntary" },
	  "no context switches: they come from the rusage of ended runs" },
	{ "CPU migrations per run", AXIS_SI, 0, 1, { get_migrations, NULL },
	  { PALETTE_SKY, 0 }, { "cpu-migrations", NULL },
	  "no migrations: cpu-migrations was not counted" },
	{ "page faults per run", AXIS_SI, 0, 1, { get_faults, NULL },
	  { PALETTE_FAULTS_MINOR, 0 }, { "page faults", NULL },
	  "no page faults: page-faults was not counted and no run ended" },
};

/* The CPU time cell's figures beyond its layers: the user+sys whisker and
 * the task-clock mark. */
static double cell_max(const struct counter_cell *c, const struct study *st,
		       int *any)
{
	double max = 0;

	*any = 0;
	for (size_t i = 0; i < st->nr; i++) {
		const struct scaling_row *r = &st->rows[i];
		double sum = 0;

		for (size_t k = 0; k < c->nr; k++) {
			const struct stats *s = c->get[k](r);

			if (!s->n)
				continue;
			*any = 1;
			if (c->stacked)
				sum += s->mean;
			else
				max = fmax(max, s->max);
		}
		max = fmax(max, sum);
		if (c->stacked && r->usersys.n)
			max = fmax(max, r->usersys.max);
		if (c->stacked && r->cpu.n) {
			*any = 1;
			max = fmax(max, r->cpu.mean);
		}
	}
	return max;
}

static void value_text(const struct counter_cell *c, double v, char *buf,
		       size_t size)
{
	if (c->units == AXIS_SECONDS)
		chart_format_seconds(v, buf, size);
	else
		axis_format_si(v, buf, size);
}

/* Says "unknown" in the slot of a CPU count with none of the cell's figures,
 * so a missing bar is not read as a 0. */
static void unknown_slot(struct plot *p, const struct plot_panel *panel,
			 const struct counter_cell *c, const struct scaling_row *r,
			 double x, double slot)
{
	const char *text = "unknown";

	for (size_t k = 0; k < c->nr; k++)
		if (c->get[k](r)->n)
			return;
	if (c->stacked && (r->usersys.n || r->cpu.n))
		return;
	if (plot_text_width(p, 0.75, 0, text) > slot * 0.9)
		text = "?";
	plot_text(p, x, panel->area.y + panel->area.h - p->font * 0.8,
		  PLOT_CENTER, 0.75, 0, MUTED_RGB, text);
}

static void draw_cell(struct plot *p, const struct study *st,
		      const struct counter_cell *c, struct plot_rect cell)
{
	struct plot_legend_entry legend[3];
	struct plot_panel panel = { .x_title = "CPUs" };
	size_t nr_legend = 0;
	double left = plot_left_gutter(p) * 0.8, legend_h, slot, w, max;
	int any;

	plot_text(p, cell.x + left, cell.y + p->font * 0.7, PLOT_LEFT, 0.95, 1,
		  TEXT_RGB, c->title);
	for (size_t k = 0; k < c->nr; k++)
		legend[nr_legend++] = (struct plot_legend_entry){ c->rgb[k],
			PLOT_SWATCH_BOX, c->names[k] };
	if (c->stacked)
		legend[nr_legend++] = (struct plot_legend_entry){ PALETTE_CPU_TOTAL,
			PLOT_SWATCH_LINE, "task-clock" };
	legend_h = c->nr > 1 ? plot_legend(p, cell.x + left, cell.y + p->font * 1.95,
					   cell.x + cell.w, legend, nr_legend) : 0;
	panel.area = (struct plot_rect){ cell.x + left,
		cell.y + p->font * 1.4 + legend_h + p->font * 0.3, 0, 0 };
	panel.area.w = cell.x + cell.w - panel.area.x - p->font * 0.8;
	panel.area.h = cell.y + cell.h - plot_bottom_gutter(p, 1) - panel.area.y;
	max = cell_max(c, st, &any);
	plot_bare_axis(0, 1, &panel.x);
	axis_nice(0, any ? max * 1.15 : 1, any ? chart_ticks_for(p, panel.area.h, 2.0) : 2,
		  1, c->units, &panel.y);
	plot_axes(p, &panel, 1);
	slot = panel.area.w / (double)st->nr;
	slot_labels(p, &panel, st, slot);
	if (!any) {
		plot_no_data(p, &panel.area, c->no_data);
		return;
	}
	w = fmin(slot * 0.7, p->font * 6);
	for (size_t i = 0; i < st->nr; i++) {
		const struct scaling_row *r = &st->rows[i];
		double x0 = panel.area.x + slot * (double)i + (slot - w) / 2;
		double layer_w = c->stacked ? w : w / (double)c->nr, base = 0;
		double label_top = panel.area.y + panel.area.h, label_x = x0 + w / 2;
		char text[AXIS_LABEL_MAX];

		for (size_t k = 0; k < c->nr; k++) {
			const struct stats *s = c->get[k](r);
			double x = c->stacked ? x0 : x0 + layer_w * (double)k;

			if (!s->n)
				continue;
			bar(p, &panel, x + layer_w * 0.05, layer_w * 0.9, base,
			    base + s->mean, c->rgb[k]);
			if (c->stacked) {
				base += s->mean;
				label_top = plot_y(&panel, base);
				continue;
			}
			label_top = plot_y(&panel, s->mean);
			if (s->n > 1 && s->max > s->min) {
				plot_whisker(p, x + layer_w / 2, plot_y(&panel, s->min),
					     plot_y(&panel, s->max), layer_w * 0.35,
					     TEXT_RGB);
				label_top = fmin(label_top, plot_y(&panel, s->max));
			}
			value_text(c, s->mean, text, sizeof(text));
			if (layer_w > plot_text_width(p, 0.75, 0, text) * 0.9)
				plot_text(p, x + layer_w / 2, label_top - p->font * 0.6,
					  PLOT_CENTER, 0.75, 0, TEXT_RGB, text);
		}
		if (!c->stacked) {
			unknown_slot(p, &panel, c, r, label_x, slot);
			continue;
		}
		/* CPU time: the total's whisker, task-clock's mark, the total. */
		if (r->usersys.n > 1 && r->usersys.max > r->usersys.min) {
			plot_whisker(p, label_x, plot_y(&panel, r->usersys.min),
				     plot_y(&panel, r->usersys.max), w * 0.25, TEXT_RGB);
			label_top = fmin(label_top, plot_y(&panel, r->usersys.max));
		}
		if (r->cpu.n) {
			double y = plot_y(&panel, r->cpu.mean);

			plot_line(p, x0, y, x0 + w, y, PALETTE_CPU_TOTAL,
				  fmax(2, p->font * 0.2), 0);
			label_top = fmin(label_top, y);
		}
		unknown_slot(p, &panel, c, r, label_x, slot);
		if (r->usersys.n || r->cpu.n) {
			value_text(c, r->usersys.n ? r->usersys.mean : r->cpu.mean,
				   text, sizeof(text));
			if (w > plot_text_width(p, 0.75, 0, text) * 0.9)
				plot_text(p, label_x, label_top - p->font * 0.6,
					  PLOT_CENTER, 0.75, 0, TEXT_RGB, text);
		}
	}
}

static void draw_counters(struct plot *p, const void *arg)
{
	const struct study *st = arg;
	char sub[512];
	double top, cell_w, cell_h, x0 = p->font * 0.5;

	subtitle(st, "  \u00b7  mean per run; whisker: min\u2013max of the runs",
		 sub, sizeof(sub));
	top = plot_title(p, "What each CPU count costs", sub) + p->font * 0.2;
	cell_w = (p->width - x0 - p->font * 0.7) / 2;
	cell_h = (p->height - top - p->font * 0.3) / 2;
	for (size_t i = 0; i < 4; i++) {
		struct plot_rect cell = { x0 + cell_w * (double)(i % 2),
			top + cell_h * (double)(i / 2), cell_w, cell_h };

		draw_cell(p, st, &counter_cells[i], cell);
	}
}

int scaling_draw(struct chart_output *out, const struct scaling *sc)
{
	struct study st = { sc, NULL, sc->nr };
	struct scaling_row *rows;
	int ret;

	if (!scaling_is_study(sc))
		return 0;
	rows = rows_compute(sc);
	if (!rows)
		return -ENOMEM;
	st.rows = rows;
	ret = chart_draw_page(out, "scaling", draw_scaling, &st);
	if (ret == 0)
		ret = chart_draw_page(out, "scaling-counters", draw_counters, &st);
	rows_release(rows, sc->nr);
	return ret;
}

/*
 * builtin-report.c - `pprobe report [<options>] [<file>...]`: reads one or
 * more recordings and prints their figures as text (like perf stat), JSON
 * or CSV.
 *
 * This is the top level of the report: it parses options, opens each file,
 * has summary.c read it and display.c print it, and turns how each file
 * ended into the one message and the exit code the user sees. Files are
 * done one at a time and forgotten, so memory does not grow with the
 * number of files either. A bad file does not stop the others; the exit
 * code is 1 if any was bad, 129 for a usage error, else 0 (a cut-off
 * file is reported with a warning, and is not an error: it is what a
 * crash or kill -9 of `pprobe record` leaves). Lost task records are
 * warned about here too, in every format, since a CSV table has no room
 * to say so.
 *
 * Options that shape the output: --json or --csv (with --processes,
 * --memory or --stats for the per-process, per-backend and per-figure
 * tables instead of the per-event one); --sort, --top and --no-collapse
 * for the text's process table; --per-run for every run of `record -r N`
 * in full. The CSV columns are listed after the option table in --help.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "charts.h"
#include "dirs.h"
#include "display.h"
#include "parse-options.h"
#include "pprobe-version.h"
#include "hot_view.h"
#include "memory_series.h"
#include "profile.h"
#include "profile_charts.h"
#include "scaling.h"
#include "series.h"
#include "series_csv.h"
#include "summary.h"
#include "tree.h"
#include "usage.h"

#define DEFAULT_INPUT "pprobe.data"
/* --hot alone: rows per table; and the bars of hot-functions.png. */
#define HOT_DEFAULT_ROWS 20
#define HOT_CHART_ROWS 20

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_CSV,           /* one row per event and run */
	REPORT_CSV_PROCESSES, /* --csv --processes: one row per process */
	REPORT_CSV_MEMORY,    /* --csv --memory: one row per memory backend */
	REPORT_CSV_STATS,     /* --csv --stats: one row per figure of the runs */
	REPORT_NONE,          /* --csv DIR: files only, nothing on stdout */
	REPORT_HOT,           /* --hot: the hot functions, as text */
	REPORT_HOT_JSON,      /* --hot --json */
	REPORT_HOT_CSV,       /* --hot --csv */
	REPORT_FOLDED,        /* --folded: the folded stacks */
};

/* The files named with -i, in order; room for one per argv word. */
struct report_inputs {
	const char **names;
	int nr;
};

struct report {
	enum report_format format;
	FILE *out;
	struct json_writer json;  /* REPORT_JSON */
	struct display_options text; /* REPORT_TEXT: the process table */

	/* --png, --svg, --pdf: one output per format asked for. */
	struct chart_output charts[3];
	size_t nr_charts;
	int width, height;        /* --size */
	int many;                 /* more than one file: charts get names */
	struct chart_recording *recordings; /* for the comparisons */
	size_t nr_recordings, alloc_recordings;

	/* Every recording's (variant's) figures, for a scaling study. */
	struct scaling scaling;
	int scaling_failed;       /* out of memory taking them: said */

	long hot;                 /* --hot: rows per table */

	/* --csv DIR: the time series, instead of a table on stdout. */
	const char *csv_dir;
	struct series_csv csv;
};

static const char *const report_usage[] = {
	"pprobe report [<options>] [<file>...]",
	"pprobe report --csv [--processes | --memory | --stats] [<file>...]",
	"pprobe report --hot[=<n>] [--json | --csv] [<file>...]",
	"pprobe report --folded [<file>...]",
	NULL,
};

/* After the option table in --help: what each CSV table holds. */
static void print_help_tail(void)
{
	printf("CSV tables (an unknown figure is an empty field):\n"
	       "    --csv                 file,run,event,value,unit,status,percent_counted,enabled_ns,running_ns\n"
	       "                          (one row per event and run, and duration_time, user_time, system_time)\n"
	       "    --csv --processes     file,run,pid,ppid,command,start_seconds,end_seconds,threads,user_seconds,\n"
	       "                          sys_seconds,voluntary_switches,involuntary_switches,minor_faults,\n"
	       "                          major_faults,peak_rss_bytes,exit_status\n"
	       "                          (one row per process of each run, every process, in the order recorded)\n"
	       "    --csv --memory        file,run,backend,status,initial_bytes,peak_bytes,final_bytes,peak_seconds,\n"
	       "                          readings,source\n"
	       "                          (one row per memory backend of each run: rss, pss, hwm, cgroup, rusage)\n"
	       "    --csv --stats         file,variant,figure,unit,runs,mean,stddev,min,median,max,\n"
	       "                          rel_stderr_percent,outlier_runs\n"
	       "                          (one row per figure of the measured runs of each variant (record -r N):\n"
	       "                          each event, then duration_time, user_time, system_time in seconds;\n"
	       "                          warm-ups and cut-off runs left out; outlier_runs separated by spaces)\n"
	       "    --hot --csv           file,command,function,module,samples,percent,total_samples,total_percent\n"
	       "                          (the top functions of all commands, command empty, then of each command;\n"
	       "                          total: samples with the function anywhere on the stack, with record -g)\n"
	       "\n"
	       "Process table (text): --sort by %s;\n"
	       "pid, start, end and command sort ascending, the others descending (default: cpu).\n"
	       "A command with more than %d processes is one row, \"name \u00d7N\", unless --no-collapse.\n"
	       "The memory section warns when a sampled peak (rss, pss) is more than %d%% and more than\n"
	       "1 MiB below a true peak (hwm, cgroup): a spike shorter than the sampling interval.\n"
	       "\n"
	       "Repeated runs (record -r N): with 2 or more measured runs, the text shows each counter's\n"
	       "mean with perf stat -r's \"( +- x%% )\" (the standard error of the mean), a table of mean,\n"
	       "stddev, min, median, max and outlier runs (modified z-score above 3.5 and more than 10%%\n"
	       "from the median), a line per run, and the processes and memory of the first measured run;\n"
	       "--per-run prints every run too.\n",
	       tree_sort_names(), TREE_COLLAPSE_ABOVE, MEMORY_SPIKE_MIN_PERCENT);
	fflush(stdout);
}

static int add_input(const struct option *opt, const char *arg)
{
	struct report_inputs *inputs = opt->data;

	inputs->names[inputs->nr++] = arg;
	return 0;
}

/*
 * Opens a recording for reading: "-" is standard input (not to be
 * closed). Returns an fd, or -errno; a directory is -EISDIR, since open(2)
 * accepts one and only read(2) would fail.
 */
static int open_input(const char *file)
{
	struct stat st;
	int fd;

	if (!strcmp(file, "-"))
		return STDIN_FILENO;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	return fd;
}

/* The warning for a cut-off file: what its figures are worth. */
static void warn_cut_off(const struct summary *s)
{
	const struct summary_run *last = s->nr_runs ? &s->runs[s->nr_runs - 1] : NULL;
	char where[256], run[32] = "";

	if (s->end_detail[0])
		snprintf(where, sizeof(where), "at byte %llu (%s)",
			 (unsigned long long)s->end_offset, s->end_detail);
	else
		snprintf(where, sizeof(where), "at byte %llu",
			 (unsigned long long)s->end_offset);
	if (!last) {
		warning("'%s' is cut off %s: no run recorded", s->file, where);
		return;
	}
	if (s->nr_runs > 1)
		snprintf(run, sizeof(run), " of run %u", last->run);
	if (last->ended && last->has_final)
		warning("'%s' is cut off %s, after its last run ended: the figures are complete",
			s->file, where);
	else if (last->has_final)
		warning("'%s' is cut off %s: the counter totals%s are final, but the exit status and CPU times are missing",
			s->file, where, run);
	else if (last->has_counts && last->last_counts_ns >= last->begin_ns)
		warning("'%s' is cut off %s: figures%s are up to the last sample at %.3f s",
			s->file, where, run,
			(double)(last->last_counts_ns - last->begin_ns) / 1e9);
	else
		warning("'%s' is cut off %s: run %u has no sample", s->file,
			where, last->run);
}

/* Lost task records are never hidden, whatever the format. */
static void warn_lost(const struct summary *s)
{
	for (size_t i = 0; i < s->nr_runs; i++) {
		const struct summary_run *r = &s->runs[i];
		char run[32] = "";

		if (!r->tree.lost)
			continue;
		if (s->nr_runs > 1)
			snprintf(run, sizeof(run), " in run %u", r->run);
		warning("'%s': the kernel dropped %llu task records%s: the process count and lifetimes are incomplete",
			s->file, (unsigned long long)r->tree.lost, run);
	}
}

/*
 * Says how the file ended, if it did not end well. Returns 0 for a file
 * whose figures can be trusted as far as they go (complete or cut off),
 * -1 for one that is an error.
 */
static int report_outcome(const struct summary *s)
{
	switch (s->status) {
	case REC_DONE:
	case REC_OK:
		return 0;
	case REC_ERR_TRUNCATED:
		/* Cut off before its header ends, a file holds nothing. */
		if (!s->opened)
			return error("'%s' is not a readable recording: %s",
				     s->file, s->end_detail);
		warn_cut_off(s);
		return 0;
	case REC_ERR_CORRUPT:
		return error("'%s': corrupt record at byte %llu: %s", s->file,
			     (unsigned long long)s->end_offset, s->end_detail);
	case REC_ERR_NOT_PPROBE:
		/* The reader knows a perf.data file, and says what reads it. */
		return error("'%s' is not a pprobe recording: %s", s->file,
			     s->end_detail[0] ? s->end_detail : "no pprobe magic at byte 0");
	case REC_ERR_VERSION:
		if (s->major > REC_VERSION_MAJOR)
			return error("'%s' was written by a newer pprobe (format %u.%u at byte 8); this one reads format %d.x",
				     s->file, s->major, s->minor, REC_VERSION_MAJOR);
		return error("'%s' is in format %u.%u (at byte 8), which this pprobe cannot read; it reads format %d.x",
			     s->file, s->major, s->minor, REC_VERSION_MAJOR);
	case REC_ERR_IO:
		break;
	}
	return error("cannot read '%s' at byte %llu: %s", s->file,
		     (unsigned long long)s->end_offset,
		     s->end_errno ? strerror(s->end_errno) : s->end_detail);
}

/* Tells the user of each file --png, --svg, --pdf or --csv DIR wrote. */
static void wrote(const char *path)
{
	fprintf(stderr, "wrote '%s'\n", path);
}

static void write_failed(const char *path, int err)
{
	error("cannot write '%s': %s", path, strerror(err));
}

/* The series the charts and --csv DIR want, read with the summary. */
struct report_hooks {
	struct report *rep;
	struct series series;
	struct profile *profile;  /* NULL: no hot functions asked for */
};

static int hooks_add(void *arg, const struct summary *s, const struct rec *rec)
{
	struct report_hooks *h = arg;

	if (h->rep->nr_charts && series_add(&h->series, s, rec) < 0)
		return -ENOMEM;
	if (h->profile && profile_add(h->profile, s, rec) < 0)
		return -ENOMEM;
	if (h->rep->csv_dir)
		return series_csv_add(&h->rep->csv, s, rec);
	return 0;
}

/*
 * The name a recording's own charts get after "timeline" when there are
 * several: "-" and its name, and its number too if an earlier one had
 * the same name.
 */
static void chart_suffix(const struct report *rep,
			 const struct chart_recording *c, char *buf,
			 size_t size)
{
	buf[0] = '\0';
	if (!rep->many)
		return;
	snprintf(buf, size, "-%s", c->name);
	for (size_t i = 0; i < rep->nr_recordings; i++)
		if (&rep->recordings[i] != c &&
		    !strcmp(rep->recordings[i].name, c->name)) {
			snprintf(buf, size, "-%s-%zu", c->name, c->index + 1);
			break;
		}
}

/*
 * Reads the file into s, and into the charts' series and the CSV files
 * when asked for; draws the recording's own charts. Returns 0, or -1
 * when out of memory.
 */
/* The charts of a sampled recording: its hot functions, its flame
 * graph. Returns 0 or -ENOMEM. */
static int draw_profile(struct chart_output *out, const struct summary *s,
			const struct profile *p, const char *suffix)
{
	struct hot_sampling hs;
	struct profile_row *rows;
	struct hot_row *bars;
	char subtitle[512];
	long nr;
	int ret = 0;

	if (!profile_samples(p))
		return 0;
	hot_sampling(s, &hs);
	snprintf(subtitle, sizeof(subtitle), "%s: %" PRIu64 " samples at %" PRIu32 " Hz%s",
		 s->file, profile_samples(p), hs.frequency,
		 hs.flags & REC_SAMPLING_F_USER_ONLY ? ", user mode only" : "");
	nr = profile_rows(p, NULL, HOT_CHART_ROWS, &rows);
	if (nr < 0)
		return -ENOMEM;
	bars = malloc((size_t)nr * sizeof(*bars) + 1);
	if (!bars) {
		free(rows);
		return -ENOMEM;
	}
	for (long i = 0; i < nr; i++)
		bars[i] = (struct hot_row){ rows[i].function, rows[i].module, rows[i].self };
	ret = charts_draw_hot(out, suffix, subtitle, bars, (size_t)nr,
			      profile_samples(p));
	free(bars);
	free(rows);
	if (ret == 0 && profile_has_callchains(p) && profile_stacks(p))
		ret = charts_draw_flame(out, suffix, subtitle, profile_stacks(p));
	return ret < 0 ? -ENOMEM : 0;
}

static int read_with_hooks(struct report *rep, struct summary *s, int fd,
			   struct profile *profile)
{
	struct report_hooks h = { .rep = rep, .profile = profile };
	struct chart_recording *c;
	char suffix[300];
	int ret = 0;

	if (!rep->nr_charts && !rep->csv_dir && !profile) {
		summary_read(s, fd);
		return 0;
	}
	/* Two buckets per pixel column: reducing to the page never
	 * merges a spike away. */
	series_init(&h.series, 2 * (size_t)rep->width);
	if (rep->csv_dir)
		series_csv_begin_file(&rep->csv);
	summary_read_with(s, fd, hooks_add, &h);
	if (s->status == REC_ERR_IO && s->end_errno == ENOMEM)
		ret = -1;
	if (!rep->nr_charts || !s->opened || ret < 0)
		goto out;
	/* Each variant of a file is a recording of its own. */
	if (s->nr_variants > 1)
		rep->many = 1;
	if (rep->nr_recordings == rep->alloc_recordings) {
		size_t n = 2 * rep->alloc_recordings + 1;
		struct chart_recording *more =
			realloc(rep->recordings, n * sizeof(*more));

		if (!more) {
			ret = -1;
			goto out;
		}
		rep->recordings = more;
		rep->alloc_recordings = n;
	}
	c = &rep->recordings[rep->nr_recordings];
	if (chart_recording_init(c, s, &h.series, rep->nr_recordings) < 0) {
		ret = -1;
		goto out;
	}
	rep->nr_recordings++;
	chart_suffix(rep, c, suffix, sizeof(suffix));
	for (size_t i = 0; i < rep->nr_charts && ret == 0; i++)
		if (charts_draw_recording(&rep->charts[i], s, &h.series, c,
					  suffix) < 0 ||
		    (profile && draw_profile(&rep->charts[i], s, profile, suffix) < 0))
			ret = -1;
	chart_recording_take_memory(c, &h.series);
out:
	series_release(&h.series);
	return ret;
}

static void warn_problem(void *arg, const char *path, const char *why)
{
	(void)arg;
	warning("'%s' %s: its samples are shown as offsets in it", path, why);
}

/*
 * Prints one variant of a recording read from fd: the whole file when it
 * has one. *variants gets the file's VARIANT records' indexes (the
 * caller frees it), when not NULL. The file's messages (cut off, lost
 * records) are said once, with its first variant (say). Returns 0, or -1
 * if the file was bad.
 */
static int report_variant(struct report *rep, const char *file, int fd,
			  uint32_t variant, int say, uint32_t **variants,
			  size_t *nr_variants)
{
	struct summary s;
	struct profile *profile = NULL;
	int ret = 0;

	if (summary_init(&s, file) < 0)
		return error("cannot read '%s': %s", file, strerror(ENOMEM));
	summary_only_variant(&s, variant);
	/* Where the samples fell, for --hot, --folded and the charts. */
	if ((rep->hot || rep->format == REPORT_FOLDED || rep->nr_charts) &&
	    !(profile = profile_new(rep->format == REPORT_FOLDED ||
				    rep->nr_charts, NULL))) {
		summary_release(&s);
		return error("out of memory");
	}
	if (read_with_hooks(rep, &s, fd, profile) < 0) {
		profile_free(profile);
		summary_release(&s);
		return error("out of memory");
	}
	if (s.opened && !rep->scaling_failed &&
	    scaling_add(&rep->scaling, &s) < 0)
		rep->scaling_failed = error("out of memory: no scaling table");
	if (variants && s.nr_variants > 1) {
		*variants = calloc(s.nr_variants, sizeof(**variants));
		if (!*variants) {
			summary_release(&s);
			return error("out of memory");
		}
		for (size_t i = 0; i < s.nr_variants; i++)
			(*variants)[i] = s.variants[i].index;
		*nr_variants = s.nr_variants;
	}

	switch (rep->format) {
	case REPORT_TEXT:
		/* Figures of a file that is wrong from its start would only
		 * be an empty table above the error. */
		if (s.nr_runs || s.status == REC_DONE ||
		    (s.status == REC_ERR_TRUNCATED && s.opened))
			display_text_with(rep->out, &s, &rep->text);
		break;
	case REPORT_JSON:
		display_json_recording(&rep->json, &s, NULL);
		break;
	case REPORT_CSV:
		display_csv(rep->out, &s);
		break;
	case REPORT_CSV_PROCESSES:
		display_csv_processes(rep->out, &s);
		break;
	case REPORT_CSV_MEMORY:
		display_csv_memory(rep->out, &s);
		break;
	case REPORT_CSV_STATS:
		if (display_csv_stats(rep->out, &s) < 0)
			ret = error("out of memory");
		break;
	case REPORT_NONE:
		break;
	case REPORT_HOT:
		if (s.opened && hot_view_text(rep->out, &s, profile, (size_t)rep->hot) < 0)
			ret = error("out of memory");
		break;
	case REPORT_HOT_JSON:
		if (s.opened && hot_view_json(&rep->json, &s, profile, (size_t)rep->hot) < 0)
			ret = error("out of memory");
		break;
	case REPORT_HOT_CSV:
		if (hot_view_csv(rep->out, &s, profile, (size_t)rep->hot) < 0)
			ret = error("out of memory");
		break;
	case REPORT_FOLDED: {
		int err = stacks_write_folded(profile_stacks(profile), rep->out);

		if (err < 0)
			ret = error("cannot write the folded stacks: %s", strerror(-err));
		break;
	}
	}
	if (rep->format == REPORT_TEXT && s.opened)
		hot_view_sampling_line(rep->out, &s);
	if (profile)
		profile_problems(profile, warn_problem, NULL);
	profile_free(profile);
	/* The message about a file comes after its figures, also when both
	 * go to one terminal or pipe. */
	fflush(rep->out);
	warn_lost(&s);
	if (say && report_outcome(&s) < 0)
		ret = -1;
	summary_release(&s);
	return ret;
}

/*
 * Prints one recording: each of its variants as a recording of its own.
 * Returns 0, or -1 if the file was bad.
 */
static int report_file(struct report *rep, const char *file)
{
	uint32_t *variants = NULL;
	size_t nr = 0;
	int fd, ret;

	fd = open_input(file);
	if (fd < 0) {
		if (fd == -EISDIR)
			error("'%s' is a directory, not a pprobe recording", file);
		else
			error("cannot open '%s': %s", file, strerror(-fd));
		if (rep->format == REPORT_JSON) {
			struct summary s;

			if (summary_init(&s, file) == 0) {
				display_json_recording(&rep->json, &s, strerror(-fd));
				summary_release(&s);
			}
		}
		return -1;
	}
	/* Variant 0 (all of a file without variants), and which others
	 * there are: the collector numbers them from 0. */
	ret = report_variant(rep, file, fd, 0, 1, &variants, &nr);
	for (size_t i = 0; i < nr && ret == 0; i++) {
		if (variants[i] == 0)
			continue;
		if (lseek(fd, 0, SEEK_SET) < 0) {
			warning("'%s' holds %zu variants, but only the first can be reported: it cannot be read twice (a pipe); give it by name",
				file, nr);
			break;
		}
		ret = report_variant(rep, file, fd, variants[i], 0, NULL, NULL);
	}
	free(variants);
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

/*
 * Checks the options that shape the output and sets rep from them.
 * Returns 0, or -1 after an error() (a usage error).
 */
static int choose_format(struct report *rep, int json, int csv, int processes,
			 int memory, int stats, const char *sort, long top,
			 int no_collapse, int per_run, int folded)
{
	if (json && csv)
		return error("--json and --csv cannot be used together");
	if (rep->hot && folded)
		return error("--hot and --folded cannot be used together: one output at a time");
	if ((rep->hot || folded) && (processes || memory || stats || rep->csv_dir))
		return error("--hot and --folded replace the tables: not with --processes, --memory, --stats or --csv DIR");
	if (folded && (json || csv))
		return error("--folded has one format (the flame-graph tools' folded stacks): not with --json or --csv");
	if ((processes || memory || stats) && !csv)
		return error("--processes, --memory and --stats choose a CSV table: use them with --csv");
	if (processes + memory + stats > 1)
		return error("--processes, --memory and --stats cannot be used together: one CSV table at a time");
	display_options_init(&rep->text);
	rep->text.per_run = per_run;
	if (sort && tree_sort_parse(sort, &rep->text.sort) < 0)
		return error("'%s' is not a sort key: use one of %s", sort,
			     tree_sort_names());
	rep->text.top = (size_t)top;
	rep->text.collapse = !no_collapse;
	if (folded)
		rep->format = REPORT_FOLDED;
	else if (rep->hot)
		rep->format = json ? REPORT_HOT_JSON : csv ? REPORT_HOT_CSV : REPORT_HOT;
	else if (json)
		rep->format = REPORT_JSON;
	else if (processes)
		rep->format = REPORT_CSV_PROCESSES;
	else if (memory)
		rep->format = REPORT_CSV_MEMORY;
	else if (stats)
		rep->format = REPORT_CSV_STATS;
	else if (csv && rep->csv_dir)
		rep->format = REPORT_NONE;
	else if (csv)
		rep->format = REPORT_CSV;
	else
		rep->format = REPORT_TEXT;
	return 0;
}

/* --size WxH */
static int parse_size(const struct option *opt, const char *arg)
{
	struct report *rep = opt->data;
	char *end;
	long w, h;

	errno = 0;
	w = strtol(arg, &end, 10);
	if (end == arg || (*end != 'x' && *end != 'X'))
		goto bad;
	arg = end + 1;
	h = strtol(arg, &end, 10);
	if (end == arg || *end || errno)
		goto bad;
	if (w < CHART_MIN_SIDE || w > CHART_MAX_SIDE || h < CHART_MIN_SIDE ||
	    h > CHART_MAX_SIDE)
		return error("--size %ldx%ld: each side must be %d to %d pixels",
			     w, h, CHART_MIN_SIDE, CHART_MAX_SIDE);
	rep->width = (int)w;
	rep->height = (int)h;
	return 0;
bad:
	return error("--size takes WIDTHxHEIGHT in pixels, such as 1600x900");
}

/*
 * --csv DIR: a directory can never be a recording, so a word after the
 * options that names one (or ends in '/') is where --csv writes the time
 * series. Takes it out of argv. Returns 0, or -1 after an error().
 */
static int take_csv_dir(struct report *rep, const char **argv, int *nr)
{
	for (int i = 0; i < *nr; i++) {
		struct stat st;
		size_t len = strlen(argv[i]);

		if (!(len && argv[i][len - 1] == '/') &&
		    !(stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)))
			continue;
		if (rep->csv_dir)
			return error("--csv writes into one directory: '%s' and '%s' are both directories",
				     rep->csv_dir, argv[i]);
		rep->csv_dir = argv[i];
		memmove(&argv[i], &argv[i + 1], (size_t)(*nr - i - 1) * sizeof(*argv));
		(*nr)--;
		i--;
	}
	return 0;
}

/*
 * Makes the directories the charts and the CSV files go to, and room for
 * up to `files` recordings' comparison data. Returns 0, or -1 after an
 * error().
 */
static int open_outputs(struct report *rep, const char *const dirs[3],
			int files)
{
	int ret;

	if (!rep->width) {
		rep->width = CHART_DEFAULT_WIDTH;
		rep->height = CHART_DEFAULT_HEIGHT;
	}
	rep->many = files > 1;
	for (int f = PLOT_PNG; f <= PLOT_PDF; f++) {
		struct chart_output *out = &rep->charts[rep->nr_charts];

		if (!dirs[f])
			continue;
		ret = make_dirs(dirs[f]);
		if (ret < 0)
			return error("cannot make the chart directory '%s': %s",
				     dirs[f], strerror(-ret));
		*out = (struct chart_output){ .dir = dirs[f],
			.formats = 1u << f, .width = rep->width,
			.height = rep->height, .wrote = wrote,
			.failed = write_failed };
		rep->nr_charts++;
	}
	if (rep->csv_dir) {
		ret = make_dirs(rep->csv_dir);
		if (ret == 0)
			ret = series_csv_open(&rep->csv, rep->csv_dir);
		if (ret < 0)
			return error("cannot write the time series into '%s': %s",
				     rep->csv_dir, strerror(-ret));
	}
	return 0;
}

/*
 * Draws the comparisons and finishes the CSV files. Returns 0, or -1 if
 * anything could not be written (each said with an error()).
 */
static int close_outputs(struct report *rep)
{
	int failed = 0;

	for (size_t i = 0; i < rep->nr_charts; i++) {
		if (rep->nr_recordings &&
		    charts_draw_comparisons(&rep->charts[i], rep->recordings,
					    rep->nr_recordings) < 0)
			failed = error("out of memory");
		if (scaling_draw(&rep->charts[i], &rep->scaling) < 0)
			failed = error("out of memory");
		failed |= rep->charts[i].failures ? -1 : 0;
	}
	for (size_t i = 0; i < rep->nr_recordings; i++)
		chart_recording_release(&rep->recordings[i]);
	free(rep->recordings);
	if (rep->csv_dir) {
		int ret = series_csv_close(&rep->csv, wrote);

		if (ret < 0)
			failed = error("cannot write the time series into '%s': %s",
				       rep->csv_dir, strerror(-ret));
	}
	return failed;
}

/*
 * cmd_report()'s first step: the command line into rep, inputs (the -i
 * files: room for one per argv word) and dirs (the chart directories).
 * Reads and writes nothing: it only stats the words --csv may take as
 * its directory. Returns how many files are left at the front of argv,
 * PARSE_OPT_HELP after the help, or PARSE_OPT_ERROR after a usage error
 * (said).
 */
static int report_parse(struct report *rep, struct report_inputs *inputs,
			const char **dirs, int argc, const char **argv)
{
	int json = 0, csv = 0, processes = 0, memory = 0, no_collapse = 0;
	int stats = 0, per_run = 0, folded = 0;
	int nr;
	const char *sort = NULL;
	long top = DISPLAY_TOP_DEFAULT;
	const struct option options[] = {
		OPT_BOOL(0, "json", &json, "print one JSON document"),
		OPT_BOOL(0, "csv", &csv, "print CSV: one row per event and run (tables below)"),
		OPT_BOOL(0, "processes", &processes,
			 "with --csv: one row per process instead"),
		OPT_BOOL(0, "memory", &memory,
			 "with --csv: one row per memory backend instead"),
		OPT_BOOL(0, "stats", &stats,
			 "with --csv: one row per figure of repeated runs instead"),
		OPT_STRING(0, "sort", &sort, "key",
			   "order of the process table (default cpu; keys below)"),
		OPT_INTEGER(0, "top", &top, "n", 0, LONG_MAX,
			    "rows of the process table to show (default 20, 0 = all)"),
		OPT_BOOL(0, "no-collapse", &no_collapse,
			 "list every process, even of a command with many"),
		OPT_BOOL(0, "per-run", &per_run,
			 "text of repeated runs (record -r N): every run in full too"),
		OPT_INTEGER_OPTARG(0, "hot", &rep->hot, "n", 1, 1000000, HOT_DEFAULT_ROWS,
				   "where the samples (record -F) fell: the top <n> functions (default 20) overall and per command, as text, --json or --csv"),
		OPT_BOOL(0, "folded", &folded,
			 "the sampled call stacks (record -g), one line each as flamegraph.pl and other flame-graph tools read them"),
		OPT_STRING(0, "png", &dirs[PLOT_PNG], "dir",
			   "draw the charts as PNG into <dir> (made if missing; charts below)"),
		OPT_STRING(0, "svg", &dirs[PLOT_SVG], "dir",
			   "... as SVG"),
		OPT_STRING(0, "pdf", &dirs[PLOT_PDF], "dir",
			   "... as PDF"),
		OPT_CALLBACK(0, "size", rep, "WxH",
			     "size of the charts in pixels (default 1600x900)",
			     parse_size),
		OPT_CALLBACK('i', "input", inputs, "file",
			     "a recording to read, as if named after the options (default: " DEFAULT_INPUT ", - for standard input)",
			     add_input),
		OPT_END(),
	};

	nr = parse_options(argc, argv, options, report_usage, 0);
	if (nr == PARSE_OPT_HELP)
		print_help_tail();
	if (nr < 0)
		return nr;
	if (csv && take_csv_dir(rep, argv, &nr) < 0)
		return PARSE_OPT_ERROR;
	if (choose_format(rep, json, csv, processes, memory, stats, sort, top,
			  no_collapse, per_run, folded) < 0) {
		usage_with_options(report_usage, options, 1);
		return PARSE_OPT_ERROR;
	}
	return nr;
}

int report_check_args(int argc, const char **argv)
{
	struct report rep = { .format = REPORT_TEXT, .out = stdout };
	struct report_inputs inputs = { 0 };
	const char *dirs[3] = { NULL, NULL, NULL };
	int nr;

	inputs.names = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*inputs.names));
	if (!inputs.names) {
		error("out of memory");
		return 1;
	}
	nr = report_parse(&rep, &inputs, dirs, argc, argv);
	free(inputs.names);
	if (nr < 0)
		return nr == PARSE_OPT_HELP ? 0 : EXIT_USAGE;
	return -1;
}

int cmd_report(int argc, const char **argv)
{
	struct report rep = { .format = REPORT_TEXT, .out = stdout };
	struct report_inputs inputs = { 0 };
	const char *dirs[3] = { NULL, NULL, NULL };
	int failed = 0, nr;

	scaling_init(&rep.scaling);
	/* Every -i takes at least one argv word. */
	inputs.names = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*inputs.names));
	if (!inputs.names) {
		error("out of memory");
		return 1;
	}
	nr = report_parse(&rep, &inputs, dirs, argc, argv);
	if (nr < 0) {
		free(inputs.names);
		return nr == PARSE_OPT_HELP ? 0 : EXIT_USAGE;
	}

	switch (rep.format) {
	case REPORT_JSON:
	case REPORT_HOT_JSON:
		json_writer_init(&rep.json, rep.out);
		display_json_begin(&rep.json, PPROBE_VERSION);
		break;
	case REPORT_HOT_CSV:
		hot_view_csv_header(rep.out);
		break;
	case REPORT_CSV:
		display_csv_header(rep.out);
		break;
	case REPORT_CSV_PROCESSES:
		display_csv_processes_header(rep.out);
		break;
	case REPORT_CSV_MEMORY:
		display_csv_memory_header(rep.out);
		break;
	case REPORT_CSV_STATS:
		display_csv_stats_header(rep.out);
		break;
	case REPORT_TEXT:
	case REPORT_NONE:
	case REPORT_HOT:
	case REPORT_FOLDED:
		break;
	}
	if (open_outputs(&rep, dirs, inputs.nr + nr ? inputs.nr + nr : 1) < 0) {
		free(inputs.names);
		return 1;
	}
	if (!inputs.nr && !nr)
		failed |= report_file(&rep, DEFAULT_INPUT) < 0;
	for (int i = 0; i < inputs.nr; i++)
		failed |= report_file(&rep, inputs.names[i]) < 0;
	for (int i = 0; i < nr; i++)
		failed |= report_file(&rep, argv[i]) < 0;
	/* Several CPU counts of one command: how it scaled. */
	if (rep.format == REPORT_TEXT)
		scaling_print(rep.out, &rep.scaling);
	if (rep.format == REPORT_JSON) {
		/* display_json_begin() opened the document and its
		 * "recordings"; the study follows them. */
		json_end_array(&rep.json);
		scaling_json(&rep.json, &rep.scaling);
		json_end_object(&rep.json);
	}
	if (rep.format == REPORT_HOT_JSON)
		display_json_end(&rep.json);
	failed |= close_outputs(&rep) < 0;
	scaling_release(&rep.scaling);

	if (fflush(rep.out) != 0 || ferror(rep.out)) {
		error("cannot write the report: %s", strerror(errno ? errno : EIO));
		failed = 1;
	}
	free(inputs.names);
	return failed ? 1 : 0;
}

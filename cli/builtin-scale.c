/*
 * builtin-scale.c - `pprobe scale`: does this program use more cores well?
 *
 * A scaling study is a recording and its report, so this command is the
 * two others put together: `pprobe record` runs the command pinned to 1,
 * 2, 4... CPUs, one variant per CPU count, -r times each and interleaved
 * (1 2 4 1 2 4 ...: a machine that drifts drifts for every count alike),
 * counting per CPU; then `pprobe report` prints each count's figures and
 * the scaling table, and with --png draws the charts. It lives in the hub
 * because it links both parts.
 *
 * Which CPUs make an n-CPU run: one per physical core before any second
 * hardware thread of a core (cpumap_pick()), so that "2 CPUs" on an SMT
 * machine means two cores, which is what a user asking about cores wants
 * to know; two siblings would share one core's execution units.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "cpumap.h"
#include "dirs.h"
#include "parse-options.h"
#include "record.h"
#include "usage.h"

static const char *const scale_usage[] = {
	"pprobe scale [<options>] [--cpus <counts>] [--] <command> [<args>...]",
	NULL
};

#define SCALE_DEFAULT_DIR "pprobe-scale"
#define SCALE_FILE "scale.data"

struct scale {
	const char *counts_spec;  /* --cpus 1,2,4 or 1-8 */
	long repeat, warmup;
	const char *dir;
	int png, quiet;
	const char *event_spec, *label, *count_by;
	/* --load and when it may start: passed to record as they are */
	const char *load, *ready, *ready_delay, *ready_timeout;
	long interval_ms;
	/* -r, --warmup and -I as words of record's command line */
	char repeat_word[32], warmup_word[32], interval_word[32];

	uint32_t *online;
	size_t nr_online;
	uint32_t *counts;         /* the CPU counts, ascending */
	size_t nr_counts;
	uint32_t **sets;          /* the CPUs of each count */
	size_t *nr_cpus;
};

/* The default counts: powers of two up to the CPUs there are, and all. */
static int default_counts(struct scale *sc)
{
	size_t n = 0;

	sc->counts = calloc(64, sizeof(*sc->counts));
	if (!sc->counts)
		return -ENOMEM;
	for (size_t c = 1; c < sc->nr_online && n < 63; c *= 2)
		sc->counts[n++] = (uint32_t)c;
	sc->counts[n++] = (uint32_t)sc->nr_online;
	sc->nr_counts = n;
	return 0;
}

/*
 * The CPU counts and, for each, the CPUs it runs on. Returns 0, or -1
 * after an error() (a usage error).
 */
static int choose_cpus(struct scale *sc)
{
	int n = cpumap_online(&sc->online);

	if (n < 0)
		return error("cannot read the online CPUs: %s", strerror(-n));
	sc->nr_online = (size_t)n;
	if (!sc->counts_spec) {
		if (default_counts(sc) < 0)
			return error("out of memory");
	} else {
		n = cpumap_parse_counts(sc->counts_spec, &sc->counts);
		if (n == -ENOMEM)
			return error("out of memory");
		if (n < 0)
			return error("--cpus takes CPU counts, like 1,2,4 or 1-8: not '%s'",
				     sc->counts_spec);
		sc->nr_counts = (size_t)n;
	}
	if (sc->counts[sc->nr_counts - 1] > sc->nr_online) {
		char list[256];

		cpumap_format(sc->online, sc->nr_online, list, sizeof(list));
		return error("--cpus %u: this machine has %zu online CPU%s (%s); use counts up to %zu",
			     sc->counts[sc->nr_counts - 1], sc->nr_online,
			     sc->nr_online == 1 ? "" : "s", list, sc->nr_online);
	}
	sc->sets = calloc(sc->nr_counts, sizeof(*sc->sets));
	sc->nr_cpus = calloc(sc->nr_counts, sizeof(*sc->nr_cpus));
	if (!sc->sets || !sc->nr_cpus)
		return error("out of memory");
	for (size_t i = 0; i < sc->nr_counts; i++) {
		sc->sets[i] = calloc(sc->counts[i], sizeof(**sc->sets));
		if (!sc->sets[i])
			return error("out of memory");
		if (cpumap_pick(sc->online, sc->nr_online, sc->counts[i], sc->sets[i]) < 0)
			return error("cannot choose %u CPUs among the online ones", sc->counts[i]);
		sc->nr_cpus[i] = sc->counts[i];
	}
	return 0;
}

static void scale_release(struct scale *sc)
{
	for (size_t i = 0; sc->sets && i < sc->nr_counts; i++)
		free(sc->sets[i]);
	free(sc->sets);
	free(sc->nr_cpus);
	free(sc->counts);
	free(sc->online);
}

/* Whether path is a file other than before (st: its stat then, or zeroed). */
static int file_changed(const char *path, const struct stat *before)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	return st.st_ino != before->st_ino || st.st_dev != before->st_dev ||
	       st.st_mtim.tv_sec != before->st_mtim.tv_sec ||
	       st.st_mtim.tv_nsec != before->st_mtim.tv_nsec;
}

/* Appends words to an argv being built; argv has room (see cmd_scale()). */
static void push(const char **argv, int *argc, const char *a, const char *b)
{
	argv[(*argc)++] = a;
	if (b)
		argv[(*argc)++] = b;
}

/*
 * cmd_scale()'s first step: the command line into sc, and the CPUs of
 * each count chosen. Reads the online CPUs, and writes nothing. Returns
 * how many words of the command are left at the front of argv,
 * PARSE_OPT_HELP after the help, or PARSE_OPT_ERROR after a usage error
 * (said).
 */
static int scale_parse(struct scale *sc, int argc, const char **argv)
{
	const struct option options[] = {
		OPT_STRING(0, "cpus", &sc->counts_spec, "counts",
			   "run the command on this many CPUs each, like 1,2,4 or 1-8 (default: 1, 2, 4... and all the online CPUs)"),
		OPT_INTEGER('r', "repeat", &sc->repeat, "n", 1, 100000,
			    "runs at each CPU count (default 3): the report gives their spread"),
		OPT_INTEGER(0, "warmup", &sc->warmup, "n", 0, 100000,
			    "runs at each count before those, left out of the figures"),
		OPT_STRING('o', "output", &sc->dir, "dir",
			   "write the recording (" SCALE_FILE ") and the charts into <dir> (default " SCALE_DEFAULT_DIR ")"),
		OPT_BOOL(0, "png", &sc->png,
			 "draw the charts into <dir>: scaling.png, scaling-counters.png, cpu-heatmap.png and the comparisons"),
		OPT_STRING('e', "event", &sc->event_spec, "events",
			   "events to count, as pprobe record -e"),
		OPT_INTEGER('I', "interval", &sc->interval_ms, "ms", 1, 3600000,
			    "read the counters every <ms> milliseconds, as pprobe record -I (default 100)"),
		OPT_STRING(0, "count-by", &sc->count_by, "how",
			   "as pprobe record --count-by"),
		OPT_STRING(0, "label", &sc->label, "text",
			   "name the study in the report and charts"),
		OPT_STRING(0, "load", &sc->load, "command",
			   "record the command as a server under this load at each CPU count, as pprobe record --load"),
		OPT_STRING(0, "ready", &sc->ready, "port", "as pprobe record --ready"),
		OPT_STRING(0, "ready-delay", &sc->ready_delay, "ms", "as pprobe record --ready-delay"),
		OPT_STRING(0, "ready-timeout", &sc->ready_timeout, "seconds",
			   "as pprobe record --ready-timeout"),
		OPT_BOOL('q', "quiet", &sc->quiet, "print no notes while recording"),
		OPT_END(),
	};

	argc = parse_options(argc, argv, options, scale_usage,
			     PARSE_OPT_STOP_AT_NON_OPTION);
	if (argc < 0)
		return argc;
	if (argc == 0) {
		error("no command given: what should pprobe scale run?");
		usage_with_options(scale_usage, options, 1);
		return PARSE_OPT_ERROR;
	}
	if (sc->count_by && !strcmp(sc->count_by, "rusage")) {
		/* record --per-cpu, which the study needs, takes perf events. */
		error("--count-by rusage has no split by CPU, which the scaling study needs: count by task or cgroup");
		return PARSE_OPT_ERROR;
	}
	if (choose_cpus(sc) < 0)
		return PARSE_OPT_ERROR;
	return argc;
}

/*
 * pprobe record's command line for the study of argv[0..argc), writing
 * file, into *rargv (the caller frees it; its words point into sc, file
 * and argv). Returns its length, or -1 when out of memory (said).
 */
static int record_args(struct scale *sc, int argc, const char **argv,
		       const char *file, const char ***rargv)
{
	const char **r;
	int n = 0;

	/* 26 option words at most, then the command. */
	r = calloc((size_t)argc + 28, sizeof(*r));
	if (!r)
		return error("out of memory");
	snprintf(sc->repeat_word, sizeof(sc->repeat_word), "%ld", sc->repeat);
	snprintf(sc->warmup_word, sizeof(sc->warmup_word), "%ld", sc->warmup);
	push(r, &n, "record", NULL);
	push(r, &n, "-o", file);
	push(r, &n, "-r", sc->repeat_word);
	push(r, &n, "--warmup", sc->warmup_word);
	push(r, &n, "--per-cpu", NULL);
	if (sc->interval_ms) {
		snprintf(sc->interval_word, sizeof(sc->interval_word), "%ld",
			 sc->interval_ms);
		push(r, &n, "-I", sc->interval_word);
	}
	if (sc->event_spec)
		push(r, &n, "-e", sc->event_spec);
	if (sc->count_by)
		push(r, &n, "--count-by", sc->count_by);
	if (sc->label)
		push(r, &n, "--label", sc->label);
	if (sc->load)
		push(r, &n, "--load", sc->load);
	if (sc->ready)
		push(r, &n, "--ready", sc->ready);
	if (sc->ready_delay)
		push(r, &n, "--ready-delay", sc->ready_delay);
	if (sc->ready_timeout)
		push(r, &n, "--ready-timeout", sc->ready_timeout);
	if (sc->quiet)
		push(r, &n, "-q", NULL);
	push(r, &n, "--", NULL);
	for (int i = 0; i < argc; i++)
		push(r, &n, argv[i], NULL);
	*rargv = r;
	return n;
}

/* The CPU sets record runs the command on: sc's. */
static struct record_cpu_sets cpu_sets(const struct scale *sc)
{
	return (struct record_cpu_sets){
		.cpus = (const uint32_t *const *)sc->sets,
		.nr_cpus = sc->nr_cpus,
		.nr = sc->nr_counts,
	};
}

int scale_check_args(int argc, const char **argv)
{
	struct scale sc = { .repeat = 3, .dir = SCALE_DEFAULT_DIR };
	struct record_cpu_sets sets;
	const char **rargv = NULL;
	char *file = NULL;
	int rargc, ret;

	argc = scale_parse(&sc, argc, argv);
	if (argc < 0) {
		ret = argc == PARSE_OPT_HELP ? 0 : EXIT_USAGE;
		goto out;
	}
	/* And what record makes of the command line it would be given. */
	ret = 1;
	if (asprintf(&file, "%s/%s", sc.dir, SCALE_FILE) < 0) {
		file = NULL;
		error("out of memory");
		goto out;
	}
	rargc = record_args(&sc, argc, argv, file, &rargv);
	if (rargc < 0)
		goto out;
	sets = cpu_sets(&sc);
	ret = record_check_args(rargc, rargv, &sets);
out:
	free(rargv);
	free(file);
	scale_release(&sc);
	return ret;
}

int cmd_scale(int argc, const char **argv)
{
	struct scale sc = { .repeat = 3, .dir = SCALE_DEFAULT_DIR };
	struct record_cpu_sets sets;
	struct stat before;
	const char **rargv = NULL, *report_argv[5];
	char *file = NULL;
	int rargc, ret = EXIT_USAGE, report_argc = 0, report_ret, err;

	argc = scale_parse(&sc, argc, argv);
	if (argc == PARSE_OPT_HELP)
		ret = 0;
	if (argc < 0)
		goto out;
	ret = 1;
	err = make_dirs(sc.dir);
	if (err < 0) {
		error("cannot make the study's directory '%s': %s", sc.dir, strerror(-err));
		goto out;
	}
	if (asprintf(&file, "%s/%s", sc.dir, SCALE_FILE) < 0) {
		file = NULL;
		error("out of memory");
		goto out;
	}
	rargc = record_args(&sc, argc, argv, file, &rargv);
	if (rargc < 0)
		goto out;
	sets = cpu_sets(&sc);
	/* A command that cannot run leaves an earlier study's file as it
	 * was: that one is not this study's to report. */
	if (stat(file, &before) < 0)
		memset(&before, 0, sizeof(before));
	ret = record_main(rargc, rargv, &sets);
	/* Whatever was recorded is reported, also when a run failed. */
	if (!file_changed(file, &before))
		goto out;
	push(report_argv, &report_argc, "report", NULL);
	if (sc.png)
		push(report_argv, &report_argc, "--png", sc.dir);
	push(report_argv, &report_argc, file, NULL);
	report_argv[report_argc] = NULL;
	report_ret = cmd_report(report_argc, report_argv);
	if (!ret)
		ret = report_ret;
out:
	free(rargv);
	free(file);
	scale_release(&sc);
	return ret;
}

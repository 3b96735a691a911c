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
 * crash or kill -9 of `pprobe record` leaves).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "display.h"
#include "parse-options.h"
#include "pprobe-version.h"
#include "summary.h"
#include "usage.h"

#define DEFAULT_INPUT "pprobe.data"

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_CSV,
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
};

static const char *const report_usage[] = {
	"pprobe report [<options>] [<file>...]",
	NULL,
};

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
		return error("'%s' is not a pprobe recording", s->file);
	case REC_ERR_VERSION:
		if (s->major > REC_VERSION_MAJOR)
			return error("'%s' was written by a newer pprobe (format %u.%u); this one reads format %d.x",
				     s->file, s->major, s->minor, REC_VERSION_MAJOR);
		return error("'%s' is in format %u.%u, which this pprobe cannot read; it reads format %d.x",
			     s->file, s->major, s->minor, REC_VERSION_MAJOR);
	case REC_ERR_IO:
		break;
	}
	return error("cannot read '%s' at byte %llu: %s", s->file,
		     (unsigned long long)s->end_offset,
		     s->end_errno ? strerror(s->end_errno) : s->end_detail);
}

/* Prints one recording. Returns 0, or -1 if the file was bad. */
static int report_file(struct report *rep, const char *file)
{
	struct summary s;
	int fd, ret;

	if (summary_init(&s, file) < 0)
		return error("cannot read '%s': %s", file, strerror(ENOMEM));
	fd = open_input(file);
	if (fd < 0) {
		if (fd == -EISDIR)
			error("'%s' is a directory, not a pprobe recording", file);
		else
			error("cannot open '%s': %s", file, strerror(-fd));
		if (rep->format == REPORT_JSON)
			display_json_recording(&rep->json, &s, strerror(-fd));
		summary_release(&s);
		return -1;
	}
	summary_read(&s, fd);
	if (fd != STDIN_FILENO)
		close(fd);

	switch (rep->format) {
	case REPORT_TEXT:
		/* Figures of a file that is wrong from its start would only
		 * be an empty table above the error. */
		if (s.nr_runs || s.status == REC_DONE ||
		    (s.status == REC_ERR_TRUNCATED && s.opened))
			display_text(rep->out, &s);
		break;
	case REPORT_JSON:
		display_json_recording(&rep->json, &s, NULL);
		break;
	case REPORT_CSV:
		display_csv(rep->out, &s);
		break;
	}
	/* The message about a file comes after its figures, also when both
	 * go to one terminal or pipe. */
	fflush(rep->out);
	ret = report_outcome(&s);
	summary_release(&s);
	return ret;
}

int cmd_report(int argc, const char **argv)
{
	struct report rep = { .format = REPORT_TEXT, .out = stdout };
	struct report_inputs inputs = { 0 };
	int json = 0, csv = 0, failed = 0, nr;
	const struct option options[] = {
		OPT_BOOL(0, "json", &json, "print one JSON document"),
		OPT_BOOL(0, "csv", &csv, "print CSV: one row per event and run"),
		OPT_CALLBACK('i', "input", &inputs, "file",
			     "a recording to read, as if named after the options (default: " DEFAULT_INPUT ", - for standard input)",
			     add_input),
		OPT_END(),
	};

	/* Every -i takes at least one argv word. */
	inputs.names = calloc((size_t)(argc > 0 ? argc : 1), sizeof(*inputs.names));
	if (!inputs.names) {
		error("out of memory");
		return 1;
	}
	nr = parse_options(argc, argv, options, report_usage, 0);
	if (nr < 0) {
		free(inputs.names);
		return nr == PARSE_OPT_HELP ? 0 : EXIT_USAGE;
	}
	if (json && csv) {
		error("--json and --csv cannot be used together");
		usage_with_options(report_usage, options, 1);
		free(inputs.names);
		return EXIT_USAGE;
	}
	rep.format = json ? REPORT_JSON : csv ? REPORT_CSV : REPORT_TEXT;

	if (rep.format == REPORT_JSON) {
		json_writer_init(&rep.json, rep.out);
		display_json_begin(&rep.json, PPROBE_VERSION);
	} else if (rep.format == REPORT_CSV) {
		display_csv_header(rep.out);
	}
	if (!inputs.nr && !nr)
		failed |= report_file(&rep, DEFAULT_INPUT) < 0;
	for (int i = 0; i < inputs.nr; i++)
		failed |= report_file(&rep, inputs.names[i]) < 0;
	for (int i = 0; i < nr; i++)
		failed |= report_file(&rep, argv[i]) < 0;
	if (rep.format == REPORT_JSON)
		display_json_end(&rep.json);

	if (fflush(rep.out) != 0 || ferror(rep.out)) {
		error("cannot write the report: %s", strerror(errno ? errno : EIO));
		failed = 1;
	}
	free(inputs.names);
	return failed ? 1 : 0;
}

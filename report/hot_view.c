/*
 * hot_view.c - the hot functions of a sampled recording, as text, JSON
 * and CSV. See hot_view.h.
 *
 * Text, like perf report's --stdio, one table overall and one per
 * command (the command a process ran when sampled, as /proc/PID/comm):
 *
 *    samples      %   total  function                  module
 *        431  66.7%   66.7%  work_two                  ratio
 *
 * "total" (with -g only) is the share of samples with the function
 * anywhere on the stack: its callees' time included.
 */
#include "hot_view.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"

#define FUNCTION_COLUMN 40

void hot_sampling(const struct summary *s, struct hot_sampling *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < s->nr_runs; i++) {
		const struct summary_run *r = &s->runs[i];
		const struct summary_sampling *g = &r->sampling;

		if (!g->began || (r->flags & REC_RUN_F_WARMUP))
			continue;
		out->sampled = 1;
		if (g->status != REC_SAMPLING_RECORDING) {
			out->unavailable = 1;
			if (!out->why)
				out->why = g->why ? g->why : "unavailable";
			continue;
		}
		out->frequency = g->frequency;
		out->flags |= g->flags;
		out->samples += g->samples;
		out->lost += g->lost;
		out->throttled += g->throttled;
	}
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* "646 samples at 999 Hz, none lost, user mode only" */
static void describe(FILE *out, const struct hot_sampling *h)
{
	fprintf(out, "%" PRIu64 " samples at %" PRIu32 " Hz", h->samples, h->frequency);
	if (h->lost)
		fprintf(out, ", %" PRIu64 " lost", h->lost);
	if (h->throttled)
		fprintf(out, ", throttled %" PRIu64 " times", h->throttled);
	if (h->flags & REC_SAMPLING_F_USER_ONLY)
		fputs(", user mode only", out);
	if (h->flags & REC_SAMPLING_F_CALLCHAIN)
		fputs(", with call chains", out);
}

void hot_view_sampling_line(FILE *out, const struct summary *s)
{
	struct hot_sampling h;

	hot_sampling(s, &h);
	if (!h.sampled)
		return;
	if (h.unavailable && !h.samples) {
		fprintf(out, " samples: none, sampling was unavailable (%s)\n\n", h.why);
		return;
	}
	fputs(" samples: ", out);
	describe(out, &h);
	fputs(" (pprobe report --hot: where)\n\n", out);
}

/*
 * Calls fn with each command's top rows, the busiest command first, and
 * how many commands there are. Returns 0 or -ENOMEM.
 */
typedef void (*command_fn)(void *arg, const char *command, uint64_t samples,
			   const struct profile_row *rows, long nr,
			   long nr_commands);

static int each_command(const struct profile *p, size_t top, command_fn fn,
			void *arg)
{
	const char **commands;
	uint64_t *samples;
	long nr_commands = profile_commands(p, &commands, &samples);
	int ret = 0;

	if (nr_commands < 0)
		return -ENOMEM;
	for (long c = 0; c < nr_commands && !ret; c++) {
		struct profile_row *rows;
		long nr = profile_rows(p, commands[c], top, &rows);

		if (nr < 0) {
			ret = -ENOMEM;
			break;
		}
		fn(arg, commands[c], samples[c], rows, nr, nr_commands);
		free(rows);
	}
	free(commands);
	free(samples);
	return ret;
}

static void print_rows(FILE *out, const struct profile_row *rows, long nr,
		       uint64_t whole, int totals)
{
	fprintf(out, "   %9s %7s%s  %-*s %s\n", "samples", "%",
		totals ? "   total" : "", FUNCTION_COLUMN, "function", "module");
	for (long i = 0; i < nr; i++) {
		fprintf(out, "   %9" PRIu64 " %6.1f%%", rows[i].self,
			share(rows[i].self, whole));
		if (totals)
			fprintf(out, " %6.1f%%", share(rows[i].total, whole));
		fputs("  ", out);
		display_sanitized(out, rows[i].function);
		fprintf(out, "%*s ", (int)(strlen(rows[i].function) < FUNCTION_COLUMN
					   ? FUNCTION_COLUMN - strlen(rows[i].function) : 0), "");
		display_sanitized(out, rows[i].module);
		fputc('\n', out);
	}
}

struct text_args {
	FILE *out;
	uint64_t whole;
};

/* A command's own table, when there are several (else it is the first). */
static void text_command(void *arg, const char *command, uint64_t samples,
			 const struct profile_row *rows, long nr,
			 long nr_commands)
{
	struct text_args *a = arg;

	if (nr_commands < 2)
		return;
	fputs("\n ", a->out);
	display_sanitized(a->out, command);
	fprintf(a->out, ": %" PRIu64 " samples, %.1f%%\n", samples,
		share(samples, a->whole));
	/* Shares of the command's own samples. */
	print_rows(a->out, rows, nr, samples, 0);
}

int hot_view_text(FILE *out, const struct summary *s,
		  const struct profile *p, size_t top)
{
	struct hot_sampling h;
	struct profile_row *rows;
	struct text_args a = { out, profile_samples(p) };
	long nr;
	int ret;

	hot_sampling(s, &h);
	fprintf(out, "\n Hot functions of '");
	display_sanitized(out, s->file);
	fputs("': ", out);
	if (!h.sampled) {
		fputs("not sampled (record with -F <hz>, --sample or -g)\n\n", out);
		return 0;
	}
	if (!a.whole) {
		fputs("no samples", out);
		if (h.unavailable)
			fprintf(out, " (sampling was unavailable: %s)", h.why);
		fputs("\n\n", out);
		return 0;
	}
	h.samples = a.whole;
	describe(out, &h);
	fputs("\n\n", out);

	nr = profile_rows(p, NULL, top, &rows);
	if (nr < 0)
		return -ENOMEM;
	print_rows(out, rows, nr, a.whole, profile_has_callchains(p));
	free(rows);

	ret = each_command(p, top, text_command, &a);
	fputc('\n', out);
	return ret;
}

static void json_rows(struct json_writer *w, const struct profile_row *rows,
		      long nr, uint64_t whole, int totals)
{
	json_begin_array(w, "functions");
	for (long i = 0; i < nr; i++) {
		json_begin_object(w, NULL);
		json_string(w, "function", rows[i].function);
		json_string(w, "module", rows[i].module);
		json_u64(w, "samples", rows[i].self);
		json_double(w, "percent", share(rows[i].self, whole));
		if (totals) {
			json_u64(w, "total_samples", rows[i].total);
			json_double(w, "total_percent", share(rows[i].total, whole));
		}
		json_end_object(w);
	}
	json_end_array(w);
}

struct json_args {
	struct json_writer *w;
	uint64_t whole;
};

static void json_command(void *arg, const char *command, uint64_t samples,
			 const struct profile_row *rows, long nr,
			 long nr_commands)
{
	struct json_args *a = arg;

	(void)nr_commands;
	json_begin_object(a->w, NULL);
	json_string(a->w, "command", command);
	json_u64(a->w, "samples", samples);
	json_double(a->w, "percent", share(samples, a->whole));
	json_rows(a->w, rows, nr, samples, 0);
	json_end_object(a->w);
}

int hot_view_json(struct json_writer *w, const struct summary *s,
		  const struct profile *p, size_t top)
{
	struct hot_sampling h;
	struct profile_row *rows;
	struct json_args a = { w, profile_samples(p) };
	int totals = profile_has_callchains(p);
	long nr;
	int ret;

	hot_sampling(s, &h);
	json_begin_object(w, NULL);
	json_string(w, "file", s->file);
	json_bool(w, "sampled", h.sampled);
	json_string_or_null(w, "unavailable", h.unavailable ? h.why : NULL);
	json_u64(w, "frequency", h.frequency);
	json_u64(w, "samples", a.whole);
	json_u64(w, "lost", h.lost);
	json_u64(w, "throttled", h.throttled);
	json_bool(w, "user_only", !!(h.flags & REC_SAMPLING_F_USER_ONLY));
	json_bool(w, "callchains", totals);

	nr = profile_rows(p, NULL, top, &rows);
	if (nr < 0)
		return -ENOMEM;
	json_rows(w, rows, nr, a.whole, totals);
	free(rows);

	json_begin_array(w, "commands");
	ret = each_command(p, top, json_command, &a);
	json_end_array(w);
	json_end_object(w);
	return ret;
}

void hot_view_csv_header(FILE *out)
{
	fputs("file,command,function,module,samples,percent,total_samples,total_percent\n", out);
}

static void csv_rows(FILE *out, const char *file, const char *command,
		     const struct profile_row *rows, long nr, uint64_t whole)
{
	for (long i = 0; i < nr; i++) {
		display_csv_field(out, file);
		fputc(',', out);
		display_csv_field(out, command);
		fputc(',', out);
		display_csv_field(out, rows[i].function);
		fputc(',', out);
		display_csv_field(out, rows[i].module);
		fprintf(out, ",%" PRIu64 ",%.3f,%" PRIu64 ",%.3f\n", rows[i].self,
			share(rows[i].self, whole), rows[i].total,
			share(rows[i].total, whole));
	}
}

struct csv_args {
	FILE *out;
	const char *file;
};

static void csv_command(void *arg, const char *command, uint64_t samples,
			const struct profile_row *rows, long nr,
			long nr_commands)
{
	struct csv_args *a = arg;

	(void)nr_commands;
	csv_rows(a->out, a->file, command, rows, nr, samples);
}

int hot_view_csv(FILE *out, const struct summary *s,
		 const struct profile *p, size_t top)
{
	struct csv_args a = { out, s->file };
	struct profile_row *rows;
	long nr;

	/* The overall rows have an empty command. */
	nr = profile_rows(p, NULL, top, &rows);
	if (nr < 0)
		return -ENOMEM;
	csv_rows(out, s->file, "", rows, nr, profile_samples(p));
	free(rows);
	return each_command(p, top, csv_command, &a);
}

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
 */
#include "display.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "counter.h"
#include "recfile.h"

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

static void text_header(FILE *out, const struct summary *s,
			const struct summary_run *r)
{
	fputs("\n Performance counter stats for '", out);
	if (!s->argc)
		fputs("<unknown command>", out);
	for (size_t i = 0; i < s->argc; i++) {
		if (i)
			fputc(' ', out);
		display_sanitized(out, s->argv[i]);
	}
	fputs("' (", out);
	display_sanitized(out, text_file_name(s));
	if (r && s->nr_runs > 1)
		fprintf(out, ", run %" PRIu32, r->run);
	if (r && (r->flags & REC_RUN_F_WARMUP))
		fputs(", warm-up", out);
	if (s->label) {
		fputs(", label '", out);
		display_sanitized(out, s->label);
		fputc('\'', out);
	}
	fputs("):\n\n", out);
}

static void text_counter(FILE *out, const struct summary *s,
			 const struct summary_run *r, size_t i, int wall_known,
			 double wall_seconds)
{
	const struct summary_event *e = &s->events[i];
	char value[COUNTER_NUMBER_MAX], comment[COUNTER_NUMBER_MAX + 32] = "";
	struct counter_view v;
	double rate, shown;

	summary_judge(s, r, i, &v);
	if (v.has_value)
		counter_format_double(value, sizeof(value), v.value,
				      v.is_time ? 2 : 0);
	else
		snprintf(value, sizeof(value), "<%s>",
			 counter_status_name(v.status));

	if (v.has_value && wall_known &&
	    counter_rate(v.value, wall_seconds, &rate) == 0) {
		if (v.is_time) {
			/* msec of CPU per second of wall time, / 1000. */
			snprintf(comment, sizeof(comment), "# %8.3f CPUs utilized",
				 rate / 1e3);
		} else {
			const char *prefix = counter_si_prefix(rate, &shown);

			snprintf(comment, sizeof(comment), "# %8.3f %s/sec",
				 shown, prefix);
		}
	}

	fprintf(out, "%*s %-4s ", VALUE_WIDTH, value, v.unit);
	if (!comment[0] && !v.scaled) {
		display_sanitized(out, e->name);
		/* perf marks counters it fell back to user mode for. */
		if (v.user_fallback && !strchr(e->name, ':'))
			fputs(":u", out);
		fputc('\n', out);
		return;
	}
	if (v.user_fallback && !strchr(e->name, ':')) {
		display_sanitized(out, e->name);
		fputs(":u", out);
		print_padded(out, "", NAME_WIDTH - (int)strlen(e->name) - 2);
	} else {
		print_padded(out, e->name, NAME_WIDTH);
	}
	fputc(' ', out);
	if (v.scaled) {
		print_padded(out, comment, COMMENT_WIDTH);
		fprintf(out, "  (%.2f%%)\n", v.percent_counted);
	} else {
		fprintf(out, "%s\n", comment);
	}
}

static void text_exit(FILE *out, const struct summary_run *r)
{
	char name[32];
	int status, sig;

	if (!r->ended) {
		fputs(" cut off before the command ended", out);
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
		fprintf(out, " (killed by signal %d, %s)", sig, name);
	else
		fprintf(out, " (killed by signal %d)", sig);
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

static void text_run(FILE *out, const struct summary *s,
		     const struct summary_run *r)
{
	uint64_t wall_ns = 0;
	int wall_known = summary_run_wall_ns(r, &wall_ns) == 0;
	double wall_seconds = (double)wall_ns / 1e9, user, sys;

	text_header(out, s, r);
	for (size_t i = 0; i < s->nr_events; i++)
		text_counter(out, s, r, i, wall_known, wall_seconds);
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

void display_text(FILE *out, const struct summary *s)
{
	if (!s->nr_runs) {
		text_header(out, s, NULL);
		fputs("      no run recorded\n\n", out);
		return;
	}
	for (size_t i = 0; i < s->nr_runs; i++)
		text_run(out, s, &s->runs[i]);
	text_notes(out, s);
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

	if (!r->ended) {
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
	json_end_object(w);
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
	for (size_t i = 0; i < s->argc; i++)
		json_string(w, NULL, s->argv[i]);
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
	json_start_time(w, s);

	ordinals = name_ordinals(s);
	json_begin_array(w, "runs");
	for (size_t i = 0; i < s->nr_runs; i++)
		json_run(w, s, &s->runs[i], ordinals);
	json_end_array(w);
	free(ordinals);
	json_end_object(w);
}

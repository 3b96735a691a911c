/*
 * load_view.c - a server's figures under its load (see load_view.h).
 */
#include "load_view.h"

#include <inttypes.h>
#include <string.h>

#include "counter.h"
#include "display.h"

/* The counter names' column, as in the counters above it. */
#define NAME_COLUMN 25

/* The load's requests, when it said how many. */
static int load_requests(const struct summary_load *l, double *n)
{
	if (!l->ended || !(l->flags & REC_LOAD_F_REQUESTS) || !l->requests)
		return -1;
	*n = (double)l->requests;
	return 0;
}

int load_per_request(const struct summary_run *r, struct load_per_request *out)
{
	const struct rec_rusage *ru = &r->end.rusage;
	double n;

	if (load_requests(&r->load, &n) < 0 || !r->ended ||
	    r->end.exit_kind == REC_EXIT_ATTACHED)
		return -1;
	out->user_us = (double)ru->utime_us / n;
	out->sys_us = (double)ru->stime_us / n;
	out->nvcsw = (double)ru->nvcsw / n;
	out->nivcsw = (double)ru->nivcsw / n;
	out->minflt = (double)ru->minflt / n;
	return 0;
}

/* How the load ended, for a person: "exit 0", "killed by SIGTERM". */
static void load_exit(const struct summary_load *l, char *buf, size_t size)
{
	char name[32];
	int status, sig;

	if (!l->ended) {
		snprintf(buf, size, "no end recorded");
		return;
	}
	if (tree_exit_status(l->exit_kind, l->exit_code, &status, &sig) < 0)
		snprintf(buf, size, "exit status unknown");
	else if (sig && display_signal_name(sig, name, sizeof(name)))
		snprintf(buf, size, "killed by %s", name);
	else if (sig)
		snprintf(buf, size, "killed by signal %d", sig);
	else
		snprintf(buf, size, "exit %d", status);
	if (l->flags & REC_LOAD_F_STOPPED)
		snprintf(buf + strlen(buf), size - strlen(buf),
			 ", stopped by pprobe: the server ended first");
}

/* One counter over the window: total, per second, per request. */
static void text_window_counter(FILE *out, const struct summary *s,
				const struct summary_run *r, size_t i,
				double seconds, int has_requests, double requests)
{
	const struct summary_event *e = &s->events[i];
	char total[COUNTER_NUMBER_MAX], rate[COUNTER_NUMBER_MAX + 24];
	char each[COUNTER_NUMBER_MAX + 16] = "";
	double divisor, value;
	const char *unit = counter_unit(e->name, e->unit, &divisor);
	int is_time = counter_is_time(e->name, e->unit), pad;

	if (summary_load_delta(s, r, i, &value) < 0)
		return;
	counter_format_double(total, sizeof(total), value / divisor, is_time ? 2 : 0);
	if (display_rate(rate, sizeof(rate), is_time, value / divisor, seconds) < 0)
		snprintf(rate, sizeof(rate), "-");
	if (has_requests && is_time)
		snprintf(each, sizeof(each), "%.2f usec", value / requests / 1e3);
	else if (has_requests)
		snprintf(each, sizeof(each), "%.4g", value / requests);
	pad = NAME_COLUMN - (int)strlen(e->name);
	fprintf(out, "%18s %-4s ", total, unit);
	display_sanitized(out, e->name);
	fprintf(out, "%*s%24s %16s\n", pad > 0 ? pad : 0, "", rate, each);
}

void load_view_text(FILE *out, const struct summary *s, const struct summary_run *r)
{
	const struct summary_load *l = &r->load;
	struct load_per_request pr;
	double seconds, requests = 0;
	int has_requests = load_requests(l, &requests) == 0;
	char how[128];

	if (!l->began)
		return;
	load_exit(l, how, sizeof(how));
	fputs(" load: ", out);
	display_sanitized(out, l->command);
	fprintf(out, " (pid %" PRIu32 ", %s)\n", l->pid, how);
	if (l->last_line) {
		fputs("       ", out);
		display_sanitized(out, l->last_line);
		fputc('\n', out);
	}
	if (summary_load_seconds(r, &seconds) < 0) {
		fputs("       the load has no end in the file: no figures over it\n\n", out);
		return;
	}
	fprintf(out, "       window %.3f s, from %.3f s to %.3f s of the run",
		seconds, summary_run_seconds(r, l->begin_ns), summary_run_seconds(r, l->end_ns));
	if (has_requests && seconds > 0)
		fprintf(out, "; %.0f requests, %.1f per second", requests, requests / seconds);
	else if (!has_requests)
		fputs("; no request count in its output (\"<N> requests\")", out);
	fprintf(out, "\n\n%18s %-4s %-*s%24s %16s\n", "over the load", "", NAME_COLUMN, "", "per second",
		has_requests ? "per request" : "");
	for (size_t i = 0; i < s->nr_events; i++)
		text_window_counter(out, s, r, i, seconds, has_requests, requests);
	if (load_per_request(r, &pr) == 0)
		fprintf(out, "\n       per request, from getrusage of the whole run (the server idles outside the load):\n"
			"       %.2f usec user, %.2f usec sys, %.4g voluntary and %.4g involuntary switches, %.4g minor faults\n",
			pr.user_us, pr.sys_us, pr.nvcsw, pr.nivcsw, pr.minflt);
	fputc('\n', out);
}

void load_view_json(struct json_writer *w, const struct summary *s,
		    const struct summary_run *r)
{
	const struct summary_load *l = &r->load;
	struct load_per_request pr;
	double seconds = 0, requests = 0, value, per;
	int has_window, has_requests = load_requests(l, &requests) == 0;
	int status, sig;

	if (!l->began) {
		json_null(w, "load");
		return;
	}
	has_window = summary_load_seconds(r, &seconds) == 0;
	json_begin_object(w, "load");
	json_string(w, "command", l->command);
	json_u64(w, "pid", l->pid);
	json_bool(w, "ended", l->ended);
	if (l->ended && tree_exit_status(l->exit_kind, l->exit_code, &status, &sig) == 0)
		json_i64(w, "exit_status", status);
	else
		json_null(w, "exit_status");
	json_bool(w, "stopped", !!(l->flags & REC_LOAD_F_STOPPED));
	json_double(w, "begin_seconds", summary_run_seconds(r, l->begin_ns));
	if (has_window) {
		json_double(w, "end_seconds", summary_run_seconds(r, l->end_ns));
		json_double(w, "seconds", seconds);
	} else {
		json_null(w, "end_seconds");
		json_null(w, "seconds");
	}
	if (has_requests) {
		json_u64(w, "requests", l->requests);
		if (has_window && counter_rate(requests, seconds, &per) == 0)
			json_double(w, "requests_per_second", per);
		else
			json_null(w, "requests_per_second");
	} else {
		json_null(w, "requests");
		json_null(w, "requests_per_second");
	}
	json_string_or_null(w, "output_last_line", l->last_line);
	if (l->ended) {
		json_begin_object(w, "load_rusage");
		json_double(w, "user_seconds", (double)l->rusage.utime_us / 1e6);
		json_double(w, "sys_seconds", (double)l->rusage.stime_us / 1e6);
		json_end_object(w);
	} else {
		json_null(w, "load_rusage");
	}
	json_begin_object(w, "counters");
	for (size_t i = 0; i < s->nr_events; i++) {
		double divisor;
		const char *unit = counter_unit(s->events[i].name, s->events[i].unit, &divisor);

		if (summary_load_delta(s, r, i, &value) < 0)
			continue;
		json_begin_object(w, s->events[i].name);
		json_double(w, "value", value / divisor);
		json_string(w, "unit", unit);
		if (counter_rate(value / divisor, seconds, &per) == 0)
			json_double(w, "per_second", per);
		else
			json_null(w, "per_second");
		if (has_requests)
			json_double(w, "per_request", value / divisor / requests);
		else
			json_null(w, "per_request");
		json_end_object(w);
	}
	json_end_object(w);
	if (load_per_request(r, &pr) == 0) {
		json_begin_object(w, "rusage_per_request");
		json_double(w, "user_us", pr.user_us);
		json_double(w, "sys_us", pr.sys_us);
		json_double(w, "nvcsw", pr.nvcsw);
		json_double(w, "nivcsw", pr.nivcsw);
		json_double(w, "minflt", pr.minflt);
		json_end_object(w);
	} else {
		json_null(w, "rusage_per_request");
	}
	json_end_object(w);
}

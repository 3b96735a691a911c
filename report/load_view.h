/*
 * load_view.h - a server's figures under its load (`record --load`): the
 * counters over the load window, per second of it and per request, and
 * the run's CPU time and switches per request.
 *
 * The counters are exact over the window: the collector read them just
 * before the load began and just after it ended. The user/sys split and
 * the voluntary/involuntary split of switches come from getrusage, which
 * covers the whole run: the server idles outside the load, and the text
 * says so.
 */
#ifndef PPROBE_REPORT_LOAD_VIEW_H
#define PPROBE_REPORT_LOAD_VIEW_H

#include <stdio.h>

#include "json.h"
#include "summary.h"

/* Per request, over the whole run, from RUN_END's rusage. */
struct load_per_request {
	double user_us, sys_us;    /* CPU microseconds */
	double nvcsw, nivcsw;      /* switches */
	double minflt;
};

/*
 * The run's rusage per request of its load. 0, or -1 when the load
 * reported no request count, or the run has no rusage.
 */
int load_per_request(const struct summary_run *r, struct load_per_request *out);

/* The load block of a run's text: nothing when the run had no load. */
void load_view_text(FILE *out, const struct summary *s, const struct summary_run *r);

/* "load": an object, or null when the run had no load. */
void load_view_json(struct json_writer *w, const struct summary *s,
		    const struct summary_run *r);

#endif /* PPROBE_REPORT_LOAD_VIEW_H */

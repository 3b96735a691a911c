/*
 * hot_view.h - `pprobe report --hot[=N]`: the functions the samples fell
 * in, overall and per command, as text, JSON or CSV; and the sampling
 * line of the usual text report.
 */
#ifndef PPROBE_HOT_VIEW_H
#define PPROBE_HOT_VIEW_H

#include <stddef.h>
#include <stdio.h>

#include "json.h"
#include "profile.h"
#include "summary.h"

/* What the measured runs' SAMPLING records say, added up. */
struct hot_sampling {
	int sampled;          /* some run asked for samples */
	int unavailable;      /* ...and some could not have them */
	const char *why;      /* the first such run's reason, or NULL */
	uint32_t frequency;
	uint32_t flags;       /* REC_SAMPLING_F_* of any run */
	uint64_t samples, lost, throttled;
};

void hot_sampling(const struct summary *s, struct hot_sampling *out);

/* The top functions overall, then per command. Returns 0 or -ENOMEM. */
int hot_view_text(FILE *out, const struct summary *s,
		  const struct profile *p, size_t top);
/* One object of the "recordings" array. Returns 0 or -ENOMEM. */
int hot_view_json(struct json_writer *w, const struct summary *s,
		  const struct profile *p, size_t top);
/* The CSV header line (once), then rows. Returns 0 or -ENOMEM. */
void hot_view_csv_header(FILE *out);
int hot_view_csv(FILE *out, const struct summary *s,
		 const struct profile *p, size_t top);

/* " samples: 646 at 999 Hz ...": for the text report; nothing when the
 * recording was not sampled. */
void hot_view_sampling_line(FILE *out, const struct summary *s);

#endif /* PPROBE_HOT_VIEW_H */

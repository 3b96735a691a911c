/*
 * profile_charts.h - the charts of a sampled recording (`record -F`):
 *
 *   hot-functions.png  the top functions as horizontal bars, longest on
 *                      top, each labelled with its function, module and
 *                      share of all samples
 *   flame.png          a flame graph of the call stacks (`record -g`):
 *                      the root at the bottom, each frame as wide as its
 *                      share of the samples, callees stacked above
 *
 * Both go through chart_draw_page(), so they come in every format asked
 * for (--png, --svg, --pdf) and are written atomically.
 */
#ifndef PPROBE_PROFILE_CHARTS_H
#define PPROBE_PROFILE_CHARTS_H

#include <stddef.h>
#include <stdint.h>

#include "charts.h"
#include "stacks.h"

/* One bar: a function (or module+offset when it has no symbol). */
struct hot_row {
	const char *function;
	const char *module;
	uint64_t samples;
};

/*
 * Draws hot-functions<suffix>: rows (already sorted, largest first) as
 * shares of total samples, as many as fit at a readable height (a last
 * row says how many more there were). subtitle says what was sampled
 * (e.g. the command, the frequency and the sample count); may be NULL.
 * No rows, or a total of 0, is a page that says "no samples". Returns 0,
 * or -ENOMEM (a chart that could not be written is counted in
 * out->failures and said through out->failed, as for the other charts).
 */
int charts_draw_hot(struct chart_output *out, const char *suffix,
		    const char *subtitle, const struct hot_row *rows,
		    size_t nr, uint64_t total);

/*
 * Draws flame<suffix> from s: a row per depth, the root ("all") at the
 * bottom, callees in order of their names; frames narrower than a pixel
 * are left out with their callees. Rows get thinner (down to a pixel)
 * until the deepest frame drawn fits; a deeper one is cut off, and the
 * subtitle says where. An empty s is a page that says "no samples".
 * Returns as charts_draw_hot().
 */
int charts_draw_flame(struct chart_output *out, const char *suffix,
		      const char *subtitle, const struct stacks *s);

#endif /* PPROBE_PROFILE_CHARTS_H */

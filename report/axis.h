/*
 * axis.h - the numbers along a chart's axes: a "nice" range and ticks for
 * any data range, and the labels a person reads at each tick.
 *
 * Ticks go in 1-2-5 steps (0, 0.2, 0.4 ...; 0, 50k, 100k ...), at most a
 * given number of them, and the range is widened to whole steps so the
 * data never touches the frame. Labels share one prefix per axis, chosen
 * from the axis's magnitude, so a reader compares digits, not suffixes:
 *
 *   AXIS_PLAIN    1-2-5 steps, plain numbers ("0.25", "1500")
 *   AXIS_SI       1-2-5 steps, SI prefixes: "500", "1.5k", "20M", "3G", "1T"
 *   AXIS_BYTES    the axis in the largest binary unit (B, KiB, MiB, GiB,
 *                 TiB) at or below its magnitude, 1-2-5 steps in that
 *                 unit: "0 MiB", "50 MiB", "1.5 GiB"
 *   AXIS_SECONDS  time since a run began: steps of 1-2-5 ms and s below a
 *                 minute, then 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2,
 *                 3, 6, 12, 24 h; labels "250ms", "1.5s", "30s", "2min",
 *                 "1h30"
 *
 * Everything here is pure and unit-tested (tests/unit/test_axis.c) on
 * ranges from 0..1 to 0..1e12, negative ranges, and empty ones.
 */
#ifndef PPROBE_REPORT_AXIS_H
#define PPROBE_REPORT_AXIS_H

#include <stddef.h>

enum axis_units {
	AXIS_PLAIN,
	AXIS_SI,
	AXIS_BYTES,
	AXIS_SECONDS,
};

/* An axis's range and ticks. Tick i is at first + i * step, i < nr. */
struct axis {
	enum axis_units units;
	double lo, hi;       /* the range drawn: lo < hi always */
	double step;         /* between ticks, > 0 */
	double first;        /* the first tick, >= lo */
	int nr;              /* ticks, 2 or more */
	/* How labels are written: value / divisor with `decimals` digits
	 * after the point and `suffix` after the digits ("k", " MiB",
	 * "s"). Set by axis_nice(); AXIS_SECONDS labels may switch
	 * forms (min, h) and use them only as far as they fit. */
	double divisor;
	int decimals;
	const char *suffix;  /* static storage, never NULL */
};

/* Room for any label axis_label() writes. */
#define AXIS_LABEL_MAX 32

/*
 * The nice axis for data in [min, max] with at most max_ticks ticks
 * (max_ticks >= 2; a smaller value is taken as 2):
 *  - lo and hi are min and max widened to whole steps; a range that
 *    includes 0 keeps 0 as a tick (ticks are whole multiples of the
 *    step, so a range with 0 strictly inside has at least 3 ticks, even
 *    when max_ticks is 2);
 *  - an empty range (min == max) is widened around the value: 0 gives
 *    0..1, any other v gives a range with v in its middle third;
 *  - min > max is taken as swapped; a value that is not finite makes
 *    the axis 0..1.
 * with_zero: the range is also stretched to include 0 (bars and stacked
 * areas start at 0; a time axis does not need to).
 */
void axis_nice(double min, double max, int max_ticks, int with_zero,
	       enum axis_units units, struct axis *out);

/* The value of tick i. */
double axis_tick(const struct axis *a, int i);

/*
 * The label of value v on axis a: "0", "1.5k", "512 MiB", "2min". Writes
 * into buf (at least AXIS_LABEL_MAX bytes) and returns buf. The label of
 * 0 is always "0" (with its unit for bytes: "0 B", "0 MiB").
 */
char *axis_label(const struct axis *a, double v, char *buf, size_t size);

/*
 * Where v falls on a: 0 at lo, 1 at hi, linearly (outside 0..1 when v is
 * outside the range). The caller maps that to pixels.
 */
double axis_fraction(const struct axis *a, double v);

/*
 * A single number with an SI prefix, for a value printed on its own
 * (a bar's label): 3 significant digits, trailing zeros dropped: "0",
 * "999", "1.23k", "1.5k", "45.6M", "7.89G"; negative values keep their
 * sign. Below 0.001 and from 1e21 on, exponent notation ("1e+21").
 * Returns buf.
 */
char *axis_format_si(double v, char *buf, size_t size);

#endif /* PPROBE_REPORT_AXIS_H */

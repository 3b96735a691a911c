/*
 * axis.c - nice ranges, ticks and labels for a chart's axes (see axis.h).
 *
 * A range is fitted to a series of steps (1-2-5 for numbers and bytes; for
 * time, 1-2-5 below a second, then the steps a clock face uses): the
 * smallest step whose whole-step widening of the data needs at most the
 * ticks allowed. Ticks are whole multiples of the step, so a range that
 * crosses 0 always has a tick at 0. A constant series (an empty range)
 * gets a range of its own with the value in the middle third, so a flat
 * line is drawn across the middle of the chart, not along its frame.
 *
 * Known limits: values beyond +-1e300 are treated like non-finite ones
 * (the axis is 0..1), because widening them could overflow; a range
 * narrower than 1e-12 of its magnitude is drawn as the constant at its
 * middle, since ticks could not tell its ends apart.
 */
#include "axis.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Steps an axis may take between ticks. */
enum step_series {
	STEPS_DECIMAL,  /* 1, 2, 5 times a power of ten */
	STEPS_TIME,     /* in seconds: 1-2-5 below 1 s, then a clock's steps */
};

/* The largest value an axis takes as it is (see the top of the file). */
#define AXIS_VALUE_MAX 1e300

/* Relative slack for comparisons of quotients that should be whole. */
#define AXIS_EPSILON 1e-9

/* Steps from 1 s to a day, in seconds: the ones a clock face suggests. */
static const double clock_steps[] = {
	1, 2, 5, 10, 15, 30,                    /* seconds */
	60, 120, 300, 600, 900, 1800,           /* minutes */
	3600, 7200, 10800, 21600, 43200, 86400, /* hours */
};

/* 10^exponent, computed so that 0.1, 0.01 ... are the nearest doubles. */
static double power_of_ten(int exponent)
{
	return exponent >= 0 ? pow(10.0, exponent) : 1.0 / pow(10.0, -exponent);
}

/* The smallest 1-2-5 step at or above raw (> 0). */
static double decimal_step_at_or_above(double raw)
{
	static const int mantissas[] = { 1, 2, 5 };
	int exponent = (int)floor(log10(raw)) - 1;

	/* log10 may be off by one near powers of ten: start a decade below
	 * and take the first that is large enough. */
	for (;;) {
		for (size_t i = 0; i < sizeof(mantissas) / sizeof(mantissas[0]); i++) {
			double step = exponent >= 0 ?
				mantissas[i] * power_of_ten(exponent) :
				mantissas[i] / power_of_ten(-exponent);

			if (step >= raw * (1.0 - AXIS_EPSILON))
				return step;
		}
		exponent++;
	}
}

/* The smallest step of `series` at or above raw (> 0). */
static double step_at_or_above(enum step_series series, double raw)
{
	const size_t clock_nr = sizeof(clock_steps) / sizeof(clock_steps[0]);

	if (series == STEPS_DECIMAL || raw <= 1.0)
		return decimal_step_at_or_above(raw);
	for (size_t i = 0; i < clock_nr; i++)
		if (clock_steps[i] >= raw * (1.0 - AXIS_EPSILON))
			return clock_steps[i];
	/* Beyond a day: 1-2-5 days. */
	return 86400.0 * decimal_step_at_or_above(raw / 86400.0);
}

/*
 * The step after `step` in its series. No two neighbours in either series
 * are less than 1.5 apart (10 -> 15 is the closest), nor more than 2.5, so
 * the next one is the first at or above one and a half times this one.
 */
static double step_after(enum step_series series, double step)
{
	return step_at_or_above(series, step * 1.5);
}

/* A fitted range: what axis_nice() stores before it chooses labels. */
struct range_fit {
	double lo, hi, step, first;
	int nr;
};

/* [min, max] widened to whole steps of `step`. */
static void fit_with_step(double min, double max, double step,
			  struct range_fit *fit)
{
	double first = min / step, last = max / step;

	/*
	 * 0.3 / 0.1 is 2.9999...: a quotient within rounding error of a whole
	 * number is taken as that number, or the range would grow by a step
	 * for nothing. That can put a tick an ulp inside the data: the range
	 * then keeps the data's own end. Adding 0.0 turns -0 into 0.
	 */
	first = floor(first + fabs(first) * 1e-12);
	last = ceil(last - fabs(last) * 1e-12);
	fit->first = first * step + 0.0;
	fit->lo = fmin(fit->first, min);
	fit->hi = fmax(last * step + 0.0, max);
	fit->step = step;
	fit->nr = (int)(last - first) + 1;
}

/* min < max, both finite: the smallest step that needs <= max_ticks. */
static void fit_range(enum step_series series, double min, double max,
		      int max_ticks, double min_step, struct range_fit *fit)
{
	double step;

	/* Ticks are whole multiples of the step, so one with 0 strictly
	 * inside needs three: one at each end and one at 0. */
	if (min < 0.0 && max > 0.0 && max_ticks < 3)
		max_ticks = 3;
	step = step_at_or_above(series, (max - min) / (max_ticks - 1));
	if (min_step > 0 && step < min_step)
		step = step_at_or_above(series, min_step);
	/* Each step is at least 1.5 times the last, so this ends quickly;
	 * the bound only guards against a loop on a rounding surprise. */
	for (int tries = 0; tries < 200; tries++) {
		fit_with_step(min, max, step, fit);
		if (fit->nr <= max_ticks)
			return;
		step = step_after(series, step);
	}
}

/* Where v falls in the fitted range, 0 at lo to 1 at hi. */
static double fit_position(const struct range_fit *fit, double v)
{
	return (v - fit->lo) / (fit->hi - fit->lo);
}

/* Whether v is in the middle third of the fitted range. */
static int fit_centres(const struct range_fit *fit, double v)
{
	double position = fit_position(fit, v);

	return position >= 1.0 / 3 - AXIS_EPSILON &&
	       position <= 2.0 / 3 + AXIS_EPSILON;
}

/* Widens the fitted range by one step at the end that is nearer to v. */
static void fit_extend_short_side(struct range_fit *fit, double v)
{
	if (fit_position(fit, v) < 0.5) {
		fit->first -= fit->step;
		fit->lo = fit->first;
	} else {
		fit->hi += fit->step;
	}
	fit->nr++;
}

/*
 * The one step of `step` that holds v: how far v is from its centre, as
 * a fraction of the step (0 in the middle, 0.5 on a tick).
 */
static double fit_one_step(double v, double step, struct range_fit *fit)
{
	double cell = floor(v / step);
	double inside = v / step - cell;

	if (inside > 1.0 - AXIS_EPSILON) {
		/* v sits on a tick (rounding put it just below). */
		cell += 1.0;
		inside = 0.0;
	}
	fit->step = step;
	fit->first = cell * step + 0.0;
	fit->lo = fmin(fit->first, v);
	fit->hi = fmax((cell + 1.0) * step + 0.0, v);
	fit->nr = 2;
	return fabs(inside - 0.5);
}

/*
 * An empty range at v: 0..1 for 0; otherwise v +- |v|/2 fitted as any
 * range, and if that leaves v outside the middle third (widening to whole
 * steps is lopsided), the tightest centred range of some step: one step
 * when v falls in its middle third, else two.
 */
static void fit_value(enum step_series series, double v, int max_ticks,
		      double min_step, struct range_fit *fit)
{
	struct range_fit best;
	double magnitude = fabs(v), best_off_centre = 1.0, step;

	if (v == 0.0) {
		fit_range(series, 0.0, 1.0, max_ticks, min_step, fit);
		return;
	}
	fit_range(series, v - magnitude / 2, v + magnitude / 2, max_ticks,
		  min_step, fit);
	if (fit_centres(fit, v))
		return;
	if (fit->nr < max_ticks) {
		fit_extend_short_side(fit, v);
		if (fit_centres(fit, v))
			return;
	}
	/*
	 * Three ticks are allowed: the step just fitted gives a centred range
	 * at once. Only two: try steps upward until v falls in the middle
	 * third of one; 1-2-5 steps always find one between |v|/2 and 3 |v|,
	 * the clock's steps may not, and then the nearest miss is taken.
	 */
	step = max_ticks >= 3 ? fit->step :
		step_at_or_above(series, fmax(magnitude / 2, min_step));
	best = *fit;
	for (int tries = 0; tries < 60; tries++, step = step_after(series, step)) {
		double off_centre = fit_one_step(v, step, fit);

		if (off_centre > 1.0 / 6 + AXIS_EPSILON)
			fit_extend_short_side(fit, v);
		if (fit->nr <= max_ticks)
			return;
		if (off_centre < best_off_centre) {
			best_off_centre = off_centre;
			fit_one_step(v, step, &best);
		}
	}
	*fit = best;
}

/* Digits after the point that show every multiple of step / divisor. */
static int decimals_for(double step, double divisor)
{
	double digits = ceil(-log10(step / divisor) - AXIS_EPSILON);

	if (digits < 0)
		return 0;
	return digits > 15 ? 15 : (int)digits;
}

static const char *const si_prefixes[] = { "", "k", "M", "G", "T", "P", "E" };
static const char *const byte_units[] = {
	" B", " KiB", " MiB", " GiB", " TiB",
};

/* The SI prefix for numbers up to `magnitude`: its index and factor. */
static int si_prefix_of(double magnitude, double *factor)
{
	const int prefix_nr = sizeof(si_prefixes) / sizeof(si_prefixes[0]);
	int prefix = 0;

	*factor = 1.0;
	while (prefix + 1 < prefix_nr && magnitude >= *factor * 1000.0) {
		*factor *= 1000.0;
		prefix++;
	}
	return prefix;
}

/* How an axis of seconds writes its labels; see axis_label(). */
static void choose_time_form(struct axis *a)
{
	double magnitude = fmax(fabs(a->lo), fabs(a->hi));

	a->decimals = 0;
	a->divisor = 1.0;
	a->suffix = "s";
	if (a->step < 1.0 - AXIS_EPSILON) {
		if (magnitude < 1.0) {
			a->divisor = 1e-3;
			a->suffix = "ms";
		}
		a->decimals = decimals_for(a->step, a->divisor);
	} else if (a->step >= 3600.0 - AXIS_EPSILON) {
		a->divisor = 3600.0;
		a->suffix = "h";
	} else if (a->step >= 60.0 - AXIS_EPSILON) {
		a->divisor = 60.0;
		a->suffix = "min";
	}
}

void axis_nice(double min, double max, int max_ticks, int with_zero,
	       enum axis_units units, struct axis *out)
{
	enum step_series series = units == AXIS_SECONDS ? STEPS_TIME :
							  STEPS_DECIMAL;
	struct range_fit fit;
	double unit = 1.0, min_step = 0.0, magnitude, factor;
	int unit_index = 0;

	memset(out, 0, sizeof(*out));
	out->units = units;
	out->suffix = "";
	out->divisor = 1.0;
	if (max_ticks < 2)
		max_ticks = 2;
	if (!isfinite(min) || !isfinite(max) || fabs(min) > AXIS_VALUE_MAX ||
	    fabs(max) > AXIS_VALUE_MAX) {
		min = 0.0;
		max = 1.0;
	}
	if (min > max) {
		double swap = min;

		min = max;
		max = swap;
	}
	if (with_zero) {
		min = fmin(min, 0.0);
		max = fmax(max, 0.0);
	}

	/* Bytes are fitted in their unit, so 1-2-5 steps are 50 MiB, not
	 * 50,000,000 B; below a KiB a step is at least one byte (unless
	 * the data is all between 0 and 1 byte: a mean may be). */
	magnitude = fmax(fabs(min), fabs(max));
	if (units == AXIS_BYTES) {
		const int unit_nr = sizeof(byte_units) / sizeof(byte_units[0]);

		while (unit_index + 1 < unit_nr && magnitude >= unit * 1024.0) {
			unit *= 1024.0;
			unit_index++;
		}
		min /= unit;
		max /= unit;
		if (unit_index == 0 && (magnitude >= 1.0 || magnitude == 0.0))
			min_step = 1.0;
	}

	if (max - min <= 1e-12 * fmax(fabs(min), fabs(max)))
		fit_value(series, min / 2 + max / 2, max_ticks, min_step, &fit);
	else
		fit_range(series, min, max, max_ticks, min_step, &fit);

	out->lo = fit.lo * unit;
	out->hi = fit.hi * unit;
	out->step = fit.step * unit;
	out->first = fit.first * unit;
	out->nr = fit.nr;

	switch (units) {
	case AXIS_PLAIN:
		out->decimals = decimals_for(out->step, 1.0);
		break;
	case AXIS_SI:
		out->suffix = si_prefixes[si_prefix_of(fmax(fabs(out->lo),
							    fabs(out->hi)),
						       &factor)];
		out->divisor = factor;
		out->decimals = decimals_for(out->step, factor);
		break;
	case AXIS_BYTES:
		out->divisor = unit;
		out->suffix = byte_units[unit_index];
		out->decimals = decimals_for(out->step, unit);
		break;
	case AXIS_SECONDS:
		choose_time_form(out);
		break;
	}
}

/* A value within rounding error of 0 on an axis of this step is 0. */
static double snap_to_zero(const struct axis *a, double v)
{
	return fabs(v) < a->step * 1e-6 ? 0.0 : v;
}

double axis_tick(const struct axis *a, int i)
{
	return snap_to_zero(a, a->first + i * a->step);
}

/*
 * A whole number of seconds as a clock reads it: "45s", "2min", "1min30"
 * (a minute and a half), "1h", "1h30", "2h00min05".
 */
static void format_clock(char *buf, size_t size, const char *sign,
			 double seconds)
{
	long long total = llround(seconds);
	long long hours = total / 3600, minutes = total % 3600 / 60;
	long long rest = total % 60;

	if (hours == 0 && minutes == 0)
		snprintf(buf, size, "%s%llds", sign, rest);
	else if (hours == 0 && rest == 0)
		snprintf(buf, size, "%s%lldmin", sign, minutes);
	else if (hours == 0)
		snprintf(buf, size, "%s%lldmin%02lld", sign, minutes, rest);
	else if (minutes == 0 && rest == 0)
		snprintf(buf, size, "%s%lldh", sign, hours);
	else if (rest == 0)
		snprintf(buf, size, "%s%lldh%02lld", sign, hours, minutes);
	else
		snprintf(buf, size, "%s%lldh%02lldmin%02lld", sign, hours,
			 minutes, rest);
}

char *axis_label(const struct axis *a, double v, char *buf, size_t size)
{
	double shown;

	if (!size)
		return buf;
	v = snap_to_zero(a, v);
	if (!isfinite(v)) {
		snprintf(buf, size, "%s", isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
		return buf;
	}
	if (v == 0.0) {
		snprintf(buf, size, "0%s", a->units == AXIS_BYTES ? a->suffix : "");
		return buf;
	}
	/* Whole-second steps read as a clock, whatever the magnitude (up to
	 * where a clock's hours stop making sense). */
	if (a->units == AXIS_SECONDS && a->step >= 1.0 - AXIS_EPSILON &&
	    fabs(v) < 1e15) {
		format_clock(buf, size, v < 0 ? "-" : "", fabs(v));
		return buf;
	}
	shown = v / a->divisor;
	/* %f of a huge number, or one with many decimals, is more digits
	 * than a label has room for. */
	if (fabs(shown) >= 1e15 || a->decimals > 12)
		snprintf(buf, size, "%.6g%s", shown, a->suffix);
	else
		snprintf(buf, size, "%.*f%s", a->decimals, shown, a->suffix);
	return buf;
}

double axis_fraction(const struct axis *a, double v)
{
	return (v - a->lo) / (a->hi - a->lo);
}

/* Drops the zeros at the end of a decimal fraction, and then its point. */
static void trim_fraction(char *number)
{
	char *point = strchr(number, '.');
	char *end;

	if (!point)
		return;
	end = number + strlen(number);
	while (end > point + 1 && end[-1] == '0')
		end--;
	if (end == point + 1)
		end = point;
	*end = '\0';
}

/* How many digits a printed number has, not counting leading zeros. */
static int significant_digits(const char *number)
{
	int digits = 0, leading = 1;

	for (const char *c = number; *c; c++) {
		if (*c < '0' || *c > '9')
			continue;
		if (leading && *c == '0')
			continue;
		leading = 0;
		digits++;
	}
	return digits;
}

char *axis_format_si(double v, char *buf, size_t size)
{
	const int prefix_nr = sizeof(si_prefixes) / sizeof(si_prefixes[0]);
	char number[AXIS_LABEL_MAX];
	double magnitude = fabs(v), factor;
	int prefix, decimals;

	if (!size)
		return buf;
	if (!isfinite(v)) {
		snprintf(buf, size, "%s", isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
		return buf;
	}
	if (v == 0.0) {
		snprintf(buf, size, "0");
		return buf;
	}
	/* Below one, or past the largest prefix, the exponent says it. */
	if (magnitude < 0.001 || magnitude >= 999.5e18) {
		snprintf(buf, size, "%.3g", v);
		return buf;
	}
	prefix = si_prefix_of(magnitude, &factor);
	if (magnitude < 1.0) {
		decimals = 2 - (int)floor(log10(magnitude));
		snprintf(number, sizeof(number), "%.*f", decimals, magnitude);
	} else {
		/* Fewer decimals until 3 digits are left: 9.996 rounds to
		 * "10.00", which must be "10.0"; 999.6 to "1000", which is
		 * the next prefix's "1k". */
		for (decimals = 2;; decimals--) {
			snprintf(number, sizeof(number), "%.*f", decimals,
				 magnitude / factor);
			if (significant_digits(number) <= 3 || decimals == 0)
				break;
		}
		if (significant_digits(number) > 3 && prefix + 1 < prefix_nr) {
			prefix++;
			factor *= 1000.0;
			snprintf(number, sizeof(number), "%.2f", magnitude / factor);
		}
	}
	trim_fraction(number);
	snprintf(buf, size, "%s%s%s", v < 0 ? "-" : "", number,
		 si_prefixes[prefix]);
	return buf;
}

/*
 * test_axis.c - unit tests of a chart's axes (report/axis.c): nice ranges
 * and 1-2-5 ticks on ranges from 0..1 to 0..1e12, negative, empty,
 * swapped and non-finite ones, at few and many ticks; the labels of plain
 * numbers, SI prefixes, binary byte units and times; axis_format_si().
 *
 * Every axis made here is also held to the invariants any axis must keep
 * (check_axis), so a case written for one rule tests all of them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "axis.h"

#define KIB 1024.0
#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * 1024.0 * 1024.0)

/* Whether step / 10^floor(log10 step) is 1, 2 or 5. */
static int is_one_two_five(double step)
{
	double mantissa = step / pow(10.0, floor(log10(step) + 1e-9));

	return fabs(mantissa - 1) < 1e-9 || fabs(mantissa - 2) < 1e-9 ||
	       fabs(mantissa - 5) < 1e-9;
}

/*
 * The rules every axis keeps, for data in [min, max] (already ordered,
 * with 0 included when with_zero asked for it) and at most max_ticks.
 */
static void check_axis(const struct axis *a, double min, double max,
		       int max_ticks)
{
	int zero_ticks = 0;

	if (max_ticks < 2)
		max_ticks = 2;
	/* A range with 0 strictly inside needs 3 ticks: both ends and 0. */
	if (min < 0 && max > 0 && max_ticks < 3)
		max_ticks = 3;
	assert_true(a->lo < a->hi);
	assert_true(a->lo <= min);
	assert_true(a->hi >= max);
	assert_true(a->step > 0);
	assert_true(a->first >= a->lo);
	assert_true(a->nr >= 2);
	assert_true(a->nr <= max_ticks);
	assert_non_null(a->suffix);
	assert_true(a->divisor > 0);
	assert_true(a->decimals >= 0);
	/* The last tick is inside the range (allowing for rounding). */
	assert_true(axis_tick(a, a->nr - 1) <= a->hi + a->step * 1e-9);
	for (int i = 0; i < a->nr; i++)
		zero_ticks += axis_tick(a, i) == 0.0;
	if (min <= 0 && max >= 0)
		assert_int_equal(zero_ticks, 1);
}

/* A PLAIN or SI axis: the rules above, and a 1-2-5 step. */
static void nice(double min, double max, int max_ticks, int with_zero,
		 enum axis_units units, struct axis *a)
{
	double data_min = fmin(min, max), data_max = fmax(min, max);

	axis_nice(min, max, max_ticks, with_zero, units, a);
	if (with_zero) {
		data_min = fmin(data_min, 0);
		data_max = fmax(data_max, 0);
	}
	check_axis(a, data_min, data_max, max_ticks);
	if (units == AXIS_PLAIN || units == AXIS_SI)
		assert_true(is_one_two_five(a->step));
	assert_int_equal(a->units, units);
}

/* All labels of an axis, joined by spaces. */
static const char *labels(const struct axis *a)
{
	static char all[1024];
	char label[AXIS_LABEL_MAX];
	size_t len = 0;

	all[0] = '\0';
	for (int i = 0; i < a->nr; i++) {
		axis_label(a, axis_tick(a, i), label, sizeof(label));
		len += (size_t)snprintf(all + len, sizeof(all) - len, "%s%s",
					i ? " " : "", label);
	}
	return all;
}

static void test_zero_to_one(void **state)
{
	struct axis a;

	(void)state;
	nice(0, 1, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 1);
	assert_true(fabs(a.step - 0.2) < 1e-12);
	assert_int_equal(a.nr, 6);
	assert_string_equal(labels(&a), "0 0.2 0.4 0.6 0.8 1.0");
	assert_true(axis_fraction(&a, 0.5) == 0.5);
	assert_true(axis_fraction(&a, 0) == 0);
	assert_true(axis_fraction(&a, 1) == 1);
}

static void test_small_ranges(void **state)
{
	struct axis a;

	(void)state;
	/* 0..7 in at most 6 ticks: 2 apart, the top widened to 8. */
	nice(0, 7, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 8 && a.step == 2);
	assert_string_equal(labels(&a), "0 2 4 6 8");
	nice(0, 10, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 10 && a.step == 2);
	assert_int_equal(a.nr, 6);
	nice(0, 10, 11, 0, AXIS_PLAIN, &a);
	assert_true(a.step == 1);
	assert_int_equal(a.nr, 11);
	/* 0.3 / 0.1 is 2.9999...: the range must not grow for that. */
	nice(0.3, 0.7, 6, 0, AXIS_PLAIN, &a);
	assert_true(fabs(a.lo - 0.3) < 1e-12 && fabs(a.hi - 0.7) < 1e-12);
	assert_string_equal(labels(&a), "0.3 0.4 0.5 0.6 0.7");
	nice(0.1, 0.3, 6, 0, AXIS_PLAIN, &a);
	assert_string_equal(labels(&a), "0.10 0.15 0.20 0.25 0.30");
}

static void test_huge_range(void **state)
{
	struct axis a;

	(void)state;
	nice(0, 1e12, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.hi == 1e12 && a.step == 2e11);
	assert_string_equal(labels(&a), "0 200000000000 400000000000 "
			    "600000000000 800000000000 1000000000000");
	nice(0, 1e12, 6, 0, AXIS_SI, &a);
	assert_string_equal(a.suffix, "T");
	assert_string_equal(labels(&a), "0 0.2T 0.4T 0.6T 0.8T 1.0T");
	nice(1, 9.99e11, 8, 0, AXIS_SI, &a);
	nice(0, 1e12, 2, 0, AXIS_PLAIN, &a);
	assert_int_equal(a.nr, 2);
}

/* An empty range is widened around its value, which lands in the middle
 * third, at every number of ticks. */
static void test_empty_range(void **state)
{
	static const double values[] = { 3, 1, 1.5, 7, -7, 0.3, 1e6, 123.456,
					 -0.02, 1e-9, 42e9 };
	struct axis a;

	(void)state;
	nice(3, 3, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo < 3 && a.hi > 3);
	assert_true(fabs(axis_fraction(&a, 3) - 0.5) < 1e-12);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		for (int ticks = 0; ticks <= 20; ticks++) {
			double where;

			nice(values[i], values[i], ticks, 0, AXIS_PLAIN, &a);
			where = axis_fraction(&a, values[i]);
			if (where < 1.0 / 3 - 1e-9 || where > 2.0 / 3 + 1e-9)
				fail_msg("%g at %d ticks is at %g of %g..%g",
					 values[i], ticks, where, a.lo, a.hi);
		}
	}
}

static void test_zero_range(void **state)
{
	struct axis a;

	(void)state;
	nice(0, 0, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 1);
	nice(0, 0, 2, 1, AXIS_SI, &a);
	assert_true(a.lo == 0 && a.hi == 1);
	assert_int_equal(a.nr, 2);
	nice(0, 0, 6, 0, AXIS_BYTES, &a);
	assert_true(a.lo == 0 && a.hi == 1);
	assert_string_equal(labels(&a), "0 B 1 B");
}

static void test_negative_ranges(void **state)
{
	struct axis a;

	(void)state;
	nice(-5, 5, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo == -5 && a.hi == 5);
	assert_string_equal(labels(&a), "-5 0 5");
	nice(-5, 5, 11, 0, AXIS_PLAIN, &a);
	assert_string_equal(labels(&a), "-5 -4 -3 -2 -1 0 1 2 3 4 5");
	/* Two ticks cannot keep 0 in a range across it: three, not two. */
	nice(-5, 5, 2, 0, AXIS_PLAIN, &a);
	assert_int_equal(a.nr, 3);
	nice(-1, 7, 2, 0, AXIS_PLAIN, &a);
	assert_int_equal(a.nr, 3);

	nice(-1e6, -1e3, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo == -1e6 && a.hi == 0);
	assert_true(a.step == 2e5);
	assert_true(!signbit(a.hi));
	assert_string_equal(labels(&a),
			    "-1000000 -800000 -600000 -400000 -200000 0");
	nice(-1e6, -1e3, 11, 0, AXIS_SI, &a);
	assert_string_equal(labels(&a),
		"-1.0M -0.9M -0.8M -0.7M -0.6M -0.5M -0.4M -0.3M -0.2M -0.1M 0");
	/* Without with_zero, a range far from 0 stays there. */
	nice(-1e6, -9e5, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.hi < 0);
	nice(-1e6, -9e5, 6, 1, AXIS_PLAIN, &a);
	assert_true(a.hi == 0);
}

static void test_swapped_and_not_finite(void **state)
{
	struct axis a, b;

	(void)state;
	nice(5, -5, 6, 0, AXIS_PLAIN, &a);
	nice(-5, 5, 6, 0, AXIS_PLAIN, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	nice(7, 0, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 8);

	axis_nice(NAN, 1, 6, 0, AXIS_PLAIN, &a);
	check_axis(&a, 0, 1, 6);
	assert_true(a.lo == 0 && a.hi == 1);
	axis_nice(0, INFINITY, 6, 0, AXIS_SI, &a);
	assert_true(a.lo == 0 && a.hi == 1);
	axis_nice(-INFINITY, 5, 6, 0, AXIS_BYTES, &a);
	assert_true(a.lo == 0 && a.hi == 1);
	axis_nice(NAN, NAN, 6, 1, AXIS_SECONDS, &a);
	assert_true(a.lo == 0 && a.hi == 1);
	axis_nice(0, 1e305, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 1);
}

static void test_with_zero(void **state)
{
	struct axis a;

	(void)state;
	nice(3, 7, 6, 1, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 8);
	assert_true(axis_tick(&a, 0) == 0);
	nice(3, 7, 6, 0, AXIS_PLAIN, &a);
	assert_true(a.lo > 0);
	/* An empty range at v with zero is simply 0..v, widened. */
	nice(3, 3, 6, 1, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 3 && a.step == 1);
	nice(3, 3, 3, 1, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 4);
	nice(-3, -7, 6, 1, AXIS_PLAIN, &a);
	assert_true(a.lo == -8 && a.hi == 0);
}

static void test_max_ticks(void **state)
{
	static const double ranges[][2] = {
		{ 0, 1 }, { 0, 7 }, { 0, 10 }, { 0, 1e12 }, { 0.3, 0.7 },
		{ 17, 1234 }, { -5, 5 }, { -1e6, -1e3 }, { 1e-6, 3e-6 },
		{ 99, 101 }, { -0.1, 1e9 },
	};
	struct axis a;

	(void)state;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		int previous = 0;

		for (int ticks = -1; ticks <= 40; ticks++) {
			nice(ranges[i][0], ranges[i][1], ticks, 0, AXIS_PLAIN, &a);
			nice(ranges[i][0], ranges[i][1], ticks, 1, AXIS_SI, &a);
			nice(ranges[i][0], ranges[i][1], ticks, 0, AXIS_PLAIN, &a);
			/* More room never gives fewer ticks. */
			assert_true(a.nr >= previous);
			previous = a.nr;
		}
	}
	/* Below 2 is 2. */
	nice(0, 1, 0, 0, AXIS_PLAIN, &a);
	assert_int_equal(a.nr, 2);
	nice(0, 1, -3, 0, AXIS_PLAIN, &a);
	assert_int_equal(a.nr, 2);
	nice(0, 7, 2, 0, AXIS_PLAIN, &a);
	assert_true(a.lo == 0 && a.hi == 10);
	assert_string_equal(labels(&a), "0 10");
	/* Twenty: 0..7 in halves, 15 ticks; 0..1e12 in 1e11s. */
	nice(0, 7, 20, 0, AXIS_PLAIN, &a);
	assert_true(a.step == 0.5 && a.nr == 15);
	nice(0, 1e12, 20, 0, AXIS_PLAIN, &a);
	assert_true(a.step == 1e11 && a.nr == 11);
}

static void test_si_labels(void **state)
{
	struct axis a;
	char buf[AXIS_LABEL_MAX];

	(void)state;
	nice(0, 500, 6, 0, AXIS_SI, &a);
	assert_string_equal(a.suffix, "");
	assert_string_equal(labels(&a), "0 100 200 300 400 500");
	/* One prefix for the axis, chosen by its magnitude. */
	nice(0, 2000, 6, 0, AXIS_SI, &a);
	assert_string_equal(a.suffix, "k");
	assert_true(a.divisor == 1e3);
	assert_string_equal(labels(&a), "0 0.5k 1.0k 1.5k 2.0k");
	nice(0, 23e6, 6, 0, AXIS_SI, &a);
	assert_string_equal(labels(&a), "0 5M 10M 15M 20M 25M");
	nice(0, 3e9, 4, 0, AXIS_SI, &a);
	assert_string_equal(labels(&a), "0 1G 2G 3G");
	nice(0, 0.25, 6, 0, AXIS_SI, &a);
	assert_string_equal(labels(&a), "0 0.05 0.10 0.15 0.20 0.25");
	/* A value between ticks is labelled in the axis's form. */
	assert_string_equal(axis_label(&a, 0.126, buf, sizeof(buf)), "0.13");
	nice(0, 2000, 6, 0, AXIS_SI, &a);
	assert_string_equal(axis_label(&a, 1234, buf, sizeof(buf)), "1.2k");
	assert_string_equal(axis_label(&a, -1500, buf, sizeof(buf)), "-1.5k");
	assert_string_equal(axis_label(&a, 0, buf, sizeof(buf)), "0");
	/* Rounding noise near 0 is 0, never "-0.0k". */
	assert_string_equal(axis_label(&a, -1e-13, buf, sizeof(buf)), "0");
	/* A small buffer is cut, not overrun. */
	assert_string_equal(axis_label(&a, 1500, buf, 3), "1.");
}

static void test_bytes_labels(void **state)
{
	struct axis a;
	char buf[AXIS_LABEL_MAX];

	(void)state;
	/* 0..300 MiB is labelled in MiB, 50 MiB apart. */
	nice(0, 300 * MIB, 7, 0, AXIS_BYTES, &a);
	assert_string_equal(a.suffix, " MiB");
	assert_true(a.divisor == MIB);
	assert_true(a.step == 50 * MIB);
	assert_string_equal(labels(&a), "0 MiB 50 MiB 100 MiB 150 MiB 200 MiB "
			    "250 MiB 300 MiB");
	/* Just under 300 MiB: the same axis. */
	nice(12 * MIB, 299.5 * MIB, 7, 1, AXIS_BYTES, &a);
	assert_true(a.hi == 300 * MIB);
	/* 1.6 GiB: GiB, in fifths. */
	nice(0, 1.6 * GIB, 9, 0, AXIS_BYTES, &a);
	assert_string_equal(a.suffix, " GiB");
	assert_string_equal(labels(&a), "0 GiB 0.2 GiB 0.4 GiB 0.6 GiB 0.8 GiB "
			    "1.0 GiB 1.2 GiB 1.4 GiB 1.6 GiB");
	assert_string_equal(axis_label(&a, 1.5 * GIB, buf, sizeof(buf)),
			    "1.5 GiB");
	/* A KiB and below: bytes, never a fraction of one. */
	nice(0, 300, 6, 0, AXIS_BYTES, &a);
	assert_string_equal(labels(&a), "0 B 100 B 200 B 300 B");
	nice(0, 3, 10, 0, AXIS_BYTES, &a);
	assert_true(a.step == 1);
	assert_string_equal(labels(&a), "0 B 1 B 2 B 3 B");
	nice(0, 1000 * KIB, 6, 0, AXIS_BYTES, &a);
	assert_string_equal(a.suffix, " KiB");
	assert_string_equal(labels(&a), "0 KiB 200 KiB 400 KiB 600 KiB "
			    "800 KiB 1000 KiB");
	/* TiB is the largest unit. */
	nice(0, 5e15, 6, 0, AXIS_BYTES, &a);
	assert_string_equal(a.suffix, " TiB");
	assert_true(is_one_two_five(a.step / a.divisor));
	/* Steps are 1-2-5 in the axis's unit. */
	for (double top = 1; top < 1e14; top *= 3.7) {
		nice(0, top, 8, 0, AXIS_BYTES, &a);
		assert_true(is_one_two_five(a.step / a.divisor));
	}
}

static void test_seconds_labels(void **state)
{
	struct axis a;
	char buf[AXIS_LABEL_MAX];

	(void)state;
	/* Below a second: milliseconds. */
	nice(0, 0.25, 6, 0, AXIS_SECONDS, &a);
	assert_string_equal(a.suffix, "ms");
	assert_string_equal(labels(&a), "0 50ms 100ms 150ms 200ms 250ms");
	nice(0, 0.003, 6, 0, AXIS_SECONDS, &a);
	assert_string_equal(labels(&a), "0 1ms 2ms 3ms");
	nice(0, 0.0005, 6, 0, AXIS_SECONDS, &a);
	assert_string_equal(labels(&a), "0 0.1ms 0.2ms 0.3ms 0.4ms 0.5ms");
	/* Fractions of a second past one second. */
	nice(0, 2.5, 6, 0, AXIS_SECONDS, &a);
	assert_string_equal(labels(&a), "0 0.5s 1.0s 1.5s 2.0s 2.5s");
	/* Seconds: 1-2-5, then 10, 15, 30. */
	nice(0, 8, 5, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 2);
	assert_string_equal(labels(&a), "0 2s 4s 6s 8s");
	nice(0, 45, 6, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 10);
	assert_string_equal(labels(&a), "0 10s 20s 30s 40s 50s");
	nice(0, 60, 5, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 15);
	assert_string_equal(labels(&a), "0 15s 30s 45s 1min");
	nice(0, 100, 8, 0, AXIS_SECONDS, &a);
	assert_string_equal(labels(&a),
			    "0 15s 30s 45s 1min 1min15 1min30 1min45");
	nice(0, 150, 6, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 30);
	/* Minutes: 1, 2, 5, 10, 15, 30. */
	nice(0, 600, 6, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 120);
	assert_string_equal(a.suffix, "min");
	assert_string_equal(labels(&a), "0 2min 4min 6min 8min 10min");
	nice(0, 1500, 6, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 300);
	/* An hour: 10 or 15 minutes apart. */
	nice(0, 3600, 7, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 600);
	assert_string_equal(labels(&a),
			    "0 10min 20min 30min 40min 50min 1h");
	nice(0, 3600, 5, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 900);
	assert_string_equal(labels(&a), "0 15min 30min 45min 1h");
	nice(0, 5400, 7, 0, AXIS_SECONDS, &a);
	assert_string_equal(labels(&a),
			    "0 15min 30min 45min 1h 1h15 1h30");
	nice(0, 2.5 * 3600, 6, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 1800);
	/* Hours: 1, 2, 3, 6, 12, 24; then days in hours. */
	nice(0, 10 * 3600, 6, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 7200);
	assert_string_equal(a.suffix, "h");
	assert_string_equal(labels(&a), "0 2h 4h 6h 8h 10h");
	nice(0, 14 * 3600, 6, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 3 * 3600);
	nice(0, 30 * 3600, 6, 0, AXIS_SECONDS, &a);
	assert_true(a.step == 6 * 3600);
	nice(0, 3 * 86400, 6, 0, AXIS_SECONDS, &a);
	assert_string_equal(labels(&a), "0 24h 48h 72h");
	/* A clock's labels for values between ticks too. */
	assert_string_equal(axis_label(&a, 3600 + 5, buf, sizeof(buf)),
			    "1h00min05");
	assert_string_equal(axis_label(&a, -90, buf, sizeof(buf)), "-1min30");
	/* A time axis's steps come only from its own series. */
	for (double top = 0.001; top < 1e7; top *= 1.37) {
		static const double clock[] = { 1, 2, 5, 10, 15, 30, 60, 120,
						300, 600, 900, 1800, 3600,
						7200, 10800, 21600, 43200,
						86400 };
		int found = 0;

		nice(0, top, 7, 0, AXIS_SECONDS, &a);
		if (a.step < 1)
			found = is_one_two_five(a.step);
		else if (a.step > 86400)
			found = is_one_two_five(a.step / 86400);
		for (size_t i = 0; i < sizeof(clock) / sizeof(clock[0]); i++)
			found |= a.step == clock[i];
		if (!found)
			fail_msg("0..%g s has a step of %g s", top, a.step);
	}
}

static void test_plain_labels(void **state)
{
	struct axis a;
	char buf[AXIS_LABEL_MAX];

	(void)state;
	nice(0, 0.25, 6, 0, AXIS_PLAIN, &a);
	assert_string_equal(labels(&a), "0 0.05 0.10 0.15 0.20 0.25");
	nice(1000, 2000, 3, 0, AXIS_PLAIN, &a);
	assert_string_equal(labels(&a), "1000 1500 2000");
	assert_string_equal(axis_label(&a, 1250, buf, sizeof(buf)), "1250");
	/* Every label of every axis fits. */
	for (double top = 1e-9; top < 1e30; top *= 7.3) {
		for (int units = AXIS_PLAIN; units <= AXIS_SECONDS; units++) {
			nice(-top, top, 21, 0, (enum axis_units)units, &a);
			for (int i = 0; i < a.nr; i++) {
				axis_label(&a, axis_tick(&a, i), buf,
					   sizeof(buf));
				assert_true(strlen(buf) < AXIS_LABEL_MAX - 1);
			}
		}
	}
}

static void test_fraction(void **state)
{
	struct axis a;

	(void)state;
	nice(-5, 5, 6, 0, AXIS_PLAIN, &a);
	assert_true(axis_fraction(&a, -5) == 0);
	assert_true(axis_fraction(&a, 0) == 0.5);
	assert_true(axis_fraction(&a, 5) == 1);
	assert_true(axis_fraction(&a, 2.5) == 0.75);
	/* Outside the range, outside 0..1. */
	assert_true(axis_fraction(&a, 10) == 1.5);
	assert_true(axis_fraction(&a, -10) == -0.5);
	for (int i = 0; i < a.nr; i++) {
		double where = axis_fraction(&a, axis_tick(&a, i));

		assert_true(where >= 0 && where <= 1);
	}
}

static void test_format_si(void **state)
{
	static const struct {
		double value;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ 1, "1" },
		{ 999, "999" },
		{ 1000, "1k" },
		{ 1234, "1.23k" },
		{ 1500, "1.5k" },
		{ 12345, "12.3k" },
		{ 123456, "123k" },
		{ 999.6, "1k" },     /* rounds into the next prefix */
		{ 9.996, "10" },     /* and into the next digit */
		{ 99.96, "100" },
		{ 999499, "999k" },
		{ 999500, "1M" },
		{ 45.6e6, "45.6M" },
		{ 7.891e9, "7.89G" },
		{ 1e12, "1T" },
		{ 2.5e15, "2.5P" },
		{ 3e18, "3E" },
		{ 1e21, "1e+21" },
		{ 0.5, "0.5" },
		{ 0.123456, "0.123" },
		{ 0.001, "0.001" },
		{ 0.0001, "0.0001" },
		{ -1234, "-1.23k" },
		{ -0.25, "-0.25" },
		{ -45.6e6, "-45.6M" },
		{ -999, "-999" },
	};
	char buf[AXIS_LABEL_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(axis_format_si(cases[i].value, buf,
						   sizeof(buf)),
				    cases[i].text);
	assert_string_equal(axis_format_si(NAN, buf, sizeof(buf)), "nan");
	assert_string_equal(axis_format_si(-INFINITY, buf, sizeof(buf)), "-inf");
	assert_string_equal(axis_format_si(1234, buf, 3), "1.");
	assert_ptr_equal(axis_format_si(1, buf, sizeof(buf)), buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_to_one),
		cmocka_unit_test(test_small_ranges),
		cmocka_unit_test(test_huge_range),
		cmocka_unit_test(test_empty_range),
		cmocka_unit_test(test_zero_range),
		cmocka_unit_test(test_negative_ranges),
		cmocka_unit_test(test_swapped_and_not_finite),
		cmocka_unit_test(test_with_zero),
		cmocka_unit_test(test_max_ticks),
		cmocka_unit_test(test_si_labels),
		cmocka_unit_test(test_bytes_labels),
		cmocka_unit_test(test_seconds_labels),
		cmocka_unit_test(test_plain_labels),
		cmocka_unit_test(test_fraction),
		cmocka_unit_test(test_format_si),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_stats.c - unit tests of the statistics over repeated runs
 * (report/stats.c): mean, sample standard deviation, median and MAD on
 * sets worked out by hand; no values, one value, non-finite ones, 1e5 of
 * them; the modified z-score's outliers on both sides of its threshold and
 * the rule for a MAD of 0; perf's relative standard error; speedup and
 * efficiency and their guards against NaN and inf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Figures are compared to a relative 1e-12: the expected values are
 * written as decimals or computed differently from the code. */
#define assert_near(got, expect) \
	do { \
		double g_ = (got), e_ = (expect); \
		if (!(fabs(g_ - e_) <= 1e-12 * fmax(1.0, fabs(e_)))) \
			fail_msg("%s is %.17g, expected %.17g", #got, g_, e_); \
	} while (0)

/* stats_compute() that must succeed. */
static struct stats summarise(const double *v, size_t n)
{
	struct stats s;

	assert_int_equal(stats_compute(v, n, &s), 0);
	return s;
}

/* The outlier flags of v as a string of '0' and '1', for short sets. */
static const char *outlier_flags(const double *v, size_t n, size_t *count)
{
	static char text[32];
	unsigned char flags[31];
	struct stats s = summarise(v, n);

	assert_true(n < sizeof(flags));
	memset(flags, 0xaa, sizeof(flags));
	*count = stats_outliers(v, n, &s, flags);
	for (size_t i = 0; i < n; i++) {
		assert_true(flags[i] == 0 || flags[i] == 1);
		text[i] = (char)('0' + flags[i]);
	}
	text[n] = '\0';
	return text;
}

/* ---- stats_compute() ---- */

/* The textbook set: population stddev 2, sample stddev sqrt(32 / 7). */
static void test_known_set(void **state)
{
	static const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct stats s = summarise(v, ARRAY_SIZE(v));

	(void)state;
	assert_int_equal(s.n, 8);
	assert_near(s.mean, 5);
	assert_near(s.stddev, sqrt(32.0 / 7));
	assert_near(s.stddev, 2.1380899352993950);
	assert_near(s.min, 2);
	assert_near(s.max, 9);
	assert_near(s.median, 4.5);
	/* Distances from 4.5: five of 0.5, two of 2.5, one of 4.5. */
	assert_near(s.mad, 0.5);
}

static void test_one_value(void **state)
{
	static const double v[] = { -3.25 };
	struct stats s = summarise(v, 1);

	(void)state;
	assert_int_equal(s.n, 1);
	assert_near(s.mean, -3.25);
	assert_near(s.stddev, 0);
	assert_near(s.min, -3.25);
	assert_near(s.median, -3.25);
	assert_near(s.max, -3.25);
	assert_near(s.mad, 0);
}

/* Every field 0, whatever *out held before. */
static void assert_empty(const double *v, size_t n)
{
	struct stats s;

	memset(&s, 0x55, sizeof(s));
	assert_int_equal(stats_compute(v, n, &s), -1);
	assert_int_equal(s.n, 0);
	assert_true(s.mean == 0 && s.stddev == 0 && s.mad == 0);
	assert_true(s.min == 0 && s.median == 0 && s.max == 0);
}

static void test_no_values(void **state)
{
	static const double v[] = { 1 };
	static const double not_finite[] = { NAN, INFINITY, -INFINITY };

	(void)state;
	assert_empty(NULL, 0);
	assert_empty(v, 0);
	assert_empty(not_finite, ARRAY_SIZE(not_finite));
}

static void test_median_odd_even(void **state)
{
	static const double odd[] = { 3, 1, 2 };
	static const double even[] = { 4, 1, 3, 2 };
	static const double two[] = { 10, 11 };

	(void)state;
	assert_near(summarise(odd, 3).median, 2);
	assert_near(summarise(even, 4).median, 2.5);
	assert_near(summarise(two, 2).median, 10.5);
	assert_near(summarise(two, 2).stddev, sqrt(0.5));
}

static void test_input_not_modified(void **state)
{
	double v[] = { 9, -1, 4, 4, 7.5, 0, 3 };
	double before[ARRAY_SIZE(v)];
	struct stats s;

	(void)state;
	memcpy(before, v, sizeof(v));
	s = summarise(v, ARRAY_SIZE(v));
	assert_memory_equal(v, before, sizeof(v));
	assert_near(s.min, -1);
	assert_near(s.max, 9);
	assert_near(s.median, 4);
}

/* The usual example: median 2, distances 1 1 0 0 2 4 7, MAD 1. */
static void test_mad(void **state)
{
	static const double v[] = { 1, 1, 2, 2, 4, 6, 9 };
	static const double same[] = { 7, 7, 7, 7 };
	struct stats s = summarise(v, ARRAY_SIZE(v));

	(void)state;
	assert_near(s.median, 2);
	assert_near(s.mad, 1);
	s = summarise(same, ARRAY_SIZE(same));
	assert_near(s.mad, 0);
	assert_near(s.stddev, 0);
}

/* Non-finite values are left out of every figure and never flagged. */
static void test_not_finite_skipped(void **state)
{
	static const double v[] = { NAN, 1, INFINITY, 3, -INFINITY, 2, NAN };
	unsigned char flags[ARRAY_SIZE(v)];
	struct stats s = summarise(v, ARRAY_SIZE(v));

	(void)state;
	assert_int_equal(s.n, 3);
	assert_near(s.mean, 2);
	assert_near(s.stddev, 1);
	assert_near(s.min, 1);
	assert_near(s.median, 2);
	assert_near(s.max, 3);
	assert_near(s.mad, 1);
	assert_int_equal(stats_outliers(v, ARRAY_SIZE(v), &s, flags), 0);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		assert_int_equal(flags[i], 0);
}

/*
 * 0 .. 99999 in a scrambled order (7919 is prime, so i * 7919 mod 1e5 is
 * a permutation): the sample variance of 0 .. N-1 is N (N + 1) / 12, the
 * distances from the median 49999.5 run 0.5, 0.5, 1.5, 1.5 ..., so their
 * middle two are 24999.5 and 25000.5.
 */
static void test_large_n(void **state)
{
	const size_t n = 100000;
	double *v = malloc(n * sizeof(*v));
	struct stats s;

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = (double)((i * 7919) % n);
	s = summarise(v, n);
	assert_int_equal(s.n, n);
	assert_near(s.mean, 49999.5);
	assert_near(s.stddev, sqrt((double)n * (double)(n + 1) / 12));
	assert_near(s.min, 0);
	assert_near(s.max, 99999);
	assert_near(s.median, 49999.5);
	assert_near(s.mad, 25000);
	assert_int_equal(stats_outliers(v, n, &s, NULL), 0);
	free(v);
}

/* ---- stats_rel_stderr() ---- */

static void test_rel_stderr(void **state)
{
	static const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	static const double negative[] = { -2, -4, -4, -4, -5, -5, -7, -9 };
	static const double zero_mean[] = { -1, 1 };
	static const double one[] = { 5 };
	struct stats s = summarise(v, ARRAY_SIZE(v));
	/* By hand: stddev 2.13809, over sqrt(8) 0.75593, of 5: 15.119% */
	double expect = 100 * (sqrt(32.0 / 7) / sqrt(8)) / 5;

	(void)state;
	assert_near(stats_rel_stderr(&s), expect);
	assert_true(fabs(stats_rel_stderr(&s) - 15.119) < 0.001);
	s = summarise(negative, ARRAY_SIZE(negative));
	assert_near(stats_rel_stderr(&s), expect);
	s = summarise(zero_mean, ARRAY_SIZE(zero_mean));
	assert_near(stats_rel_stderr(&s), 0);
	s = summarise(one, ARRAY_SIZE(one));
	assert_near(stats_rel_stderr(&s), 0);
}

/* ---- stats_outliers() ---- */

static void test_outliers_found(void **state)
{
	/* Median 10.025, MAD 0.075: 20 scores 89.7, 9.9 only 1.12. */
	static const double high[] = { 10, 10.1, 9.9, 10.05, 9.95, 20 };
	static const double low[] = { 10, 1, 10.1, 9.9, 10.05, 9.95 };
	size_t count;

	(void)state;
	assert_string_equal(outlier_flags(high, ARRAY_SIZE(high), &count),
			    "000001");
	assert_int_equal(count, 1);
	assert_string_equal(outlier_flags(low, ARRAY_SIZE(low), &count),
			    "010000");
	assert_int_equal(count, 1);
}

/* Median 0, MAD 1: the threshold is at 3.5 / 0.6745 = 5.189 either side. */
static void test_outliers_threshold(void **state)
{
	static const double v[] = { -1, -1, 0, 1, 1, 5.1, -5.2 };
	size_t count;

	(void)state;
	assert_string_equal(outlier_flags(v, ARRAY_SIZE(v), &count),
			    "0000001");
	assert_int_equal(count, 1);
}

static void test_outliers_none_in_tight_set(void **state)
{
	static const double v[] = { 100, 101, 99, 100.5, 99.5, 100.2, 99.8 };
	size_t count;

	(void)state;
	assert_string_equal(outlier_flags(v, ARRAY_SIZE(v), &count),
			    "0000000");
	assert_int_equal(count, 0);
}

/* z-score 5 but 0.75% off the median: not worth a flag. */
static void test_outliers_need_ten_percent(void **state)
{
	static const double v[] = { 1.000, 1.001, 0.999, 1.0005, 0.9995, 1.008, 1.5 };
	size_t count;

	(void)state;
	assert_string_equal(outlier_flags(v, ARRAY_SIZE(v), &count),
			    "0000001");
	assert_int_equal(count, 1);
}

/* A MAD of 0: more than 10% from the median is an outlier, less is not. */
static void test_outliers_flat(void **state)
{
	static const double far[] = { 10, 10, 12, 10, 10 };
	static const double near[] = { 10, 10, 10.5, 10, 10 };
	static const double both[] = { 10, 8.9, 10, 10, 10, 10.9, 10 };
	static const double zero[] = { 0, 0, 0, 1e-9 };
	static const double same[] = { 3, 3, 3 };
	size_t count;

	(void)state;
	assert_string_equal(outlier_flags(far, 5, &count), "00100");
	assert_int_equal(count, 1);
	assert_string_equal(outlier_flags(near, 5, &count), "00000");
	assert_int_equal(count, 0);
	assert_string_equal(outlier_flags(both, 7, &count), "0100000");
	assert_int_equal(count, 1);
	assert_string_equal(outlier_flags(zero, 4, &count), "0001");
	assert_int_equal(count, 1);
	assert_string_equal(outlier_flags(same, 3, &count), "000");
	assert_int_equal(count, 0);
}

/* Fewer than 3 finite values: no majority, so no outliers. */
static void test_outliers_too_few(void **state)
{
	static const double two[] = { 1, 1000 };
	static const double two_finite[] = { 1, NAN, 1000, INFINITY };
	static const double three[] = { 1, 1, 1000 };
	unsigned char flags[4];
	struct stats s;
	size_t count;

	(void)state;
	assert_string_equal(outlier_flags(two, 2, &count), "00");
	assert_int_equal(count, 0);
	s = summarise(two_finite, 4);
	memset(flags, 0xaa, sizeof(flags));
	assert_int_equal(stats_outliers(two_finite, 4, &s, flags), 0);
	assert_memory_equal(flags, "\0\0\0\0", 4);
	/* One more makes a majority. */
	assert_string_equal(outlier_flags(three, 3, &count), "001");
	assert_int_equal(count, 1);
	/* No values at all: nothing to flag or to count. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(stats_outliers(NULL, 0, &s, NULL), 0);
}

/* ---- stats_speedup(), stats_efficiency() ---- */

static void test_speedup_efficiency(void **state)
{
	(void)state;
	assert_near(stats_speedup(10, 2.5), 4);
	assert_near(stats_speedup(10, 10), 1);
	assert_near(stats_speedup(2, 4), 0.5);
	assert_near(stats_efficiency(4, 4), 1);
	assert_near(stats_efficiency(4, 8), 0.5);
	assert_near(stats_efficiency(stats_speedup(12, 2), 8), 0.75);
	assert_near(stats_efficiency(0, 8), 0);
}

static void test_speedup_guards(void **state)
{
	(void)state;
	assert_near(stats_speedup(0, 1), 0);
	assert_near(stats_speedup(1, 0), 0);
	assert_near(stats_speedup(-1, 1), 0);
	assert_near(stats_speedup(1, -1), 0);
	assert_near(stats_speedup(NAN, 1), 0);
	assert_near(stats_speedup(1, NAN), 0);
	assert_near(stats_speedup(INFINITY, 1), 0);
	assert_near(stats_speedup(1e300, 1e-300), 0);   /* inf */
	assert_near(stats_efficiency(4, 0), 0);
	assert_near(stats_efficiency(4, -2), 0);
	assert_near(stats_efficiency(4, NAN), 0);
	assert_near(stats_efficiency(NAN, 2), 0);
	assert_near(stats_efficiency(-1, 2), 0);
	assert_near(stats_efficiency(INFINITY, 2), 0);
	assert_near(stats_efficiency(1e300, 1e-300), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_set),
		cmocka_unit_test(test_one_value),
		cmocka_unit_test(test_no_values),
		cmocka_unit_test(test_median_odd_even),
		cmocka_unit_test(test_input_not_modified),
		cmocka_unit_test(test_mad),
		cmocka_unit_test(test_not_finite_skipped),
		cmocka_unit_test(test_large_n),
		cmocka_unit_test(test_rel_stderr),
		cmocka_unit_test(test_outliers_found),
		cmocka_unit_test(test_outliers_threshold),
		cmocka_unit_test(test_outliers_none_in_tight_set),
		cmocka_unit_test(test_outliers_need_ten_percent),
		cmocka_unit_test(test_outliers_flat),
		cmocka_unit_test(test_outliers_too_few),
		cmocka_unit_test(test_speedup_efficiency),
		cmocka_unit_test(test_speedup_guards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

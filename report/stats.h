/*
 * stats.h - what repeated runs say together: mean, spread, the middle and
 * the runs that stand apart (`pprobe record -r N`), and how a command's
 * time scales with CPUs (`pprobe scale`).
 *
 * The choices, and why:
 *  - the spread is the sample standard deviation (n - 1): the runs are a
 *    sample of what the command does, not all of it;
 *  - the "+- x%" beside a mean is the standard error of the mean relative
 *    to the mean, as `perf stat -r` prints it, so the two tools' figures
 *    can be compared directly;
 *  - outliers are judged on the median and the median absolute deviation
 *    (MAD), not the mean and standard deviation, because one slow run
 *    pulls the mean and inflates the deviation it would be measured by:
 *    with five runs, a single outlier can never be more than 1.8 standard
 *    deviations from the mean, however far off it is. The rule is the
 *    modified z-score of Iglewicz and Hoaglin, which hyperfine also uses;
 *  - values that are not finite (NaN, a run without the figure) are left
 *    out rather than poisoning every figure of the summary.
 *
 * Everything here is pure (no I/O, no state) and unit-tested in
 * tests/unit/test_stats.c. Sorting is O(n log n) on a copy; the values
 * passed in are never modified.
 */
#ifndef PPROBE_REPORT_STATS_H
#define PPROBE_REPORT_STATS_H

#include <stddef.h>

/* A summary of the finite values among those given to stats_compute(). */
struct stats {
	size_t n;             /* finite values summarised */
	double mean;
	double stddev;        /* sample standard deviation (n - 1); 0 when
			       * n < 2 */
	double min, median, max; /* median: the mean of the two middle
				  * values when n is even */
	double mad;           /* median absolute deviation from the median,
			       * unscaled (not multiplied by 1.4826) */
};

/*
 * Summarises v[0..n), which is not modified. Values that are not finite
 * (NaN, +-inf) are skipped: out->n counts only the finite ones. Returns
 * 0; -1 when no value is finite (n == 0 included), with every field of
 * *out 0; or -ENOMEM (the sorted copy could not be allocated; *out is
 * then all 0 as well).
 *
 * Known limit: the mean is a sum divided by n, so finite values near
 * DBL_MAX can overflow it; run times and counts are nowhere near.
 */
int stats_compute(const double *v, size_t n, struct stats *out);

/*
 * The standard error of the mean as a percentage of the mean,
 * 100 * stddev / sqrt(n) / |mean|: what `perf stat -r` prints as
 * "( +- x% )". 0 when n < 2 or the mean is 0.
 */
double stats_rel_stderr(const struct stats *s);

/*
 * Flags the outliers of v[0..n), as summarised in s by stats_compute()
 * of the same values: flags[i] = 1 for an outlier, else 0 (flags has room
 * for n; NULL only counts). Returns how many outliers.
 *
 * An outlier's modified z-score, 0.6745 * (x - median) / MAD, is beyond
 * 3.5 in absolute value (Iglewicz and Hoaglin, as hyperfine), and it
 * differs from the median by more than 10% of |median| (with a median of
 * 0, any other value does): runs that agree to 0.1% make a run 0.5% off
 * score 30, which means nothing to someone timing a program. When the
 * MAD is 0 (at least half the values equal the median) the score is
 * undefined, and the 10% alone decides.
 * With fewer than 3 finite values nothing is an outlier: there is no
 * majority to stand apart from. A value that is not finite is not
 * flagged: stats_compute() left it out, so it is missing, not odd.
 */
size_t stats_outliers(const double *v, size_t n, const struct stats *s,
		      unsigned char *flags);

/*
 * How many times faster a run took `time` than the base run took
 * base_time: base_time / time. 0 when either is not a positive number, or
 * the quotient is not finite, so a table never shows NaN or inf.
 */
double stats_speedup(double base_time, double time);

/*
 * Parallel efficiency: speedup / cpus, 1 for perfect scaling. 0 when
 * speedup is negative or not finite, or cpus is not a positive number.
 */
double stats_efficiency(double speedup, double cpus);

#endif /* PPROBE_REPORT_STATS_H */

/*
 * stats.c - mean, spread and outliers of repeated runs; speedup (see
 * stats.h).
 *
 * stats_compute() copies the finite values, sorts the copy once for the
 * minimum, median and maximum, then overwrites it with each value's
 * distance from the median and sorts again for the MAD. The standard
 * deviation is taken in two passes (the mean first, then the squared
 * distances from it), which loses nothing to cancellation when the runs
 * are close together, as repeated runs of one command are.
 */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this modified z-score a value is an outlier (Iglewicz and
 * Hoaglin). */
#define STATS_OUTLIER_Z 3.5
/* The MAD of a normal distribution is 0.6745 of its standard deviation:
 * the z-score's scale. */
#define STATS_MAD_TO_Z 0.6745
/* With a MAD of 0: how far from the median, relative to it, a value is an
 * outlier. */
#define STATS_FLAT_OUTLIER 0.10

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of sorted[0..n), n >= 1. */
static double sorted_median(const double *sorted, size_t n)
{
	if (n % 2)
		return sorted[n / 2];
	return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/* Copies the finite values of v[0..n) into a fresh array *out, and says
 * how many in *nr (0: *out is NULL). Returns 0 or -ENOMEM. */
static int copy_finite(const double *v, size_t n, double **out, size_t *nr)
{
	double *copy;
	size_t k = 0;

	*out = NULL;
	*nr = 0;
	for (size_t i = 0; i < n; i++)
		k += isfinite(v[i]) ? 1 : 0;
	if (!k)
		return 0;
	copy = malloc(k * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]))
			copy[k++] = v[i];
	*out = copy;
	*nr = k;
	return 0;
}

/* Mean and sample standard deviation of x[0..n), n >= 1, in two passes. */
static void mean_stddev(const double *x, size_t n, struct stats *out)
{
	double sum = 0, squares = 0;

	for (size_t i = 0; i < n; i++)
		sum += x[i];
	out->mean = sum / (double)n;
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		squares += (x[i] - out->mean) * (x[i] - out->mean);
	out->stddev = sqrt(squares / (double)(n - 1));
}

int stats_compute(const double *v, size_t n, struct stats *out)
{
	double *x;
	size_t k;

	memset(out, 0, sizeof(*out));
	if (copy_finite(v, n, &x, &k))
		return -ENOMEM;
	if (!k)
		return -1;

	out->n = k;
	mean_stddev(x, k, out);
	qsort(x, k, sizeof(*x), compare_double);
	out->min = x[0];
	out->max = x[k - 1];
	out->median = sorted_median(x, k);

	for (size_t i = 0; i < k; i++)
		x[i] = fabs(x[i] - out->median);
	qsort(x, k, sizeof(*x), compare_double);
	out->mad = sorted_median(x, k);

	free(x);
	return 0;
}

double stats_rel_stderr(const struct stats *s)
{
	if (s->n < 2 || s->mean == 0)
		return 0;
	return 100 * s->stddev / sqrt((double)s->n) / fabs(s->mean);
}

/* Whether x stands apart from the values summarised in s (see stats.h). */
static int is_outlier(double x, const struct stats *s)
{
	double distance = fabs(x - s->median);

	/* Odd, and by enough to matter: among runs that agree to 0.1%,
	 * one 0.5% off has a z-score of 30 and means nothing. */
	if (distance <= STATS_FLAT_OUTLIER * fabs(s->median))
		return 0;
	return s->mad == 0 || STATS_MAD_TO_Z * distance / s->mad > STATS_OUTLIER_Z;
}

size_t stats_outliers(const double *v, size_t n, const struct stats *s,
		      unsigned char *flags)
{
	size_t outliers = 0;

	for (size_t i = 0; i < n; i++) {
		int odd = s->n >= 3 && isfinite(v[i]) && is_outlier(v[i], s);

		if (flags)
			flags[i] = (unsigned char)odd;
		outliers += (size_t)odd;
	}
	return outliers;
}

double stats_speedup(double base_time, double time)
{
	double speedup;

	/* Written so that NaN fails the tests too. */
	if (!(base_time > 0) || !(time > 0))
		return 0;
	speedup = base_time / time;
	return isfinite(speedup) ? speedup : 0;
}

double stats_efficiency(double speedup, double cpus)
{
	double efficiency;

	if (!(speedup >= 0) || !(cpus > 0))
		return 0;
	efficiency = speedup / cpus;
	return isfinite(efficiency) ? efficiency : 0;
}

/*
 * envelope.h - a time series reduced, as it streams in, to a bounded
 * number of buckets that each keep min, max, sum and count.
 *
 * A one-hour recording at 10 ms has 360,000 readings of each series, but
 * a chart is 1600 pixels wide: the report keeps, per series, at most
 * `cap` buckets of equal width in time, from the run's begin. A reading
 * past the last bucket doubles the width (neighbouring buckets merge
 * pairwise) until it fits, so memory is fixed however long the recording
 * is, and every bucket still knows its smallest and largest reading: a
 * spike of one reading survives every merge and is drawn (the min/max
 * envelope), while the mean draws the line.
 *
 * envelope_reduce() then maps the buckets onto the chart's pixel columns
 * the same way (min of mins, max of maxes, sums and counts added).
 *
 * Unit-tested in tests/unit/test_envelope.c.
 */
#ifndef PPROBE_REPORT_ENVELOPE_H
#define PPROBE_REPORT_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

/* The readings that fell in one bucket; n == 0 is an empty bucket (min,
 * max, sum and last are then 0 and mean nothing). Readings are expected
 * in time order: within a bucket, `last` is the one added last. */
struct envelope_bucket {
	double min, max, sum;
	double last;        /* the latest reading by time */
	uint64_t n;
};

struct envelope {
	uint64_t origin_ns;   /* time of bucket 0's start */
	uint64_t width_ns;    /* of every bucket, > 0; doubles as needed */
	size_t cap;           /* most buckets kept, >= 2 */
	size_t nr;            /* buckets in use: up to the latest reading */
	struct envelope_bucket *buckets; /* `cap` of them, allocated at the
					  * first reading; NULL before */
	uint64_t readings;    /* added in all */
	double min, max;      /* over all readings, when readings > 0 */
};

/*
 * An empty envelope starting at origin_ns with buckets width_ns wide (0
 * is taken as 1 ns) and at most cap (at least 2) of them. Allocates
 * nothing.
 */
void envelope_init(struct envelope *e, uint64_t origin_ns, uint64_t width_ns,
		   size_t cap);
/* Frees the buckets. e is left empty, with its origin, width and cap, and
 * may take readings again. */
void envelope_release(struct envelope *e);

/*
 * Adds the reading v at time t_ns. A time before origin_ns goes into
 * bucket 0; a time past the last bucket doubles the width until it fits.
 * A v that is not finite is ignored. Returns 0, or -ENOMEM (the first
 * reading allocates; the envelope is then unchanged).
 */
int envelope_add(struct envelope *e, uint64_t t_ns, double v);

/* The mean of a bucket (0 for an empty one). */
double envelope_bucket_mean(const struct envelope_bucket *b);

/*
 * The readings between t0_ns (included) and t1_ns (excluded), t0 < t1,
 * reduced to `columns` equal columns: column c covers
 * [t0 + c*(t1-t0)/columns, t0 + (c+1)*(t1-t0)/columns), and gets every
 * bucket whose start falls in it, merged (min of mins, max of maxes,
 * sum of sums and counts, the last bucket's `last`). Columns nothing
 * falls in are empty (n == 0). out has room for `columns` buckets.
 * Returns how many columns are not empty.
 */
size_t envelope_reduce(const struct envelope *e, uint64_t t0_ns,
		       uint64_t t1_ns, size_t columns,
		       struct envelope_bucket *out);

#endif /* PPROBE_REPORT_ENVELOPE_H */

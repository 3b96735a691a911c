/*
 * envelope.c - a time series kept as at most `cap` min/max/sum/count
 * buckets, however long it runs (see envelope.h).
 *
 * Adding a reading is O(1) except when it lands past the last bucket: then
 * the buckets merge pairwise, O(cap), and the width doubles. Doubling
 * happens at most 64 times in an envelope's life (the width is a u64), so
 * the cost over a whole recording stays linear in its readings.
 *
 * A bucket keeps no times of its own, so `last` is the latest reading by
 * time only when readings arrive in time order, as a recording's do;
 * within one bucket it is the one added last.
 */
#include "envelope.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void envelope_init(struct envelope *e, uint64_t origin_ns, uint64_t width_ns,
		   size_t cap)
{
	memset(e, 0, sizeof(*e));
	e->origin_ns = origin_ns;
	e->width_ns = width_ns ? width_ns : 1;
	e->cap = cap < 2 ? 2 : cap;
}

void envelope_release(struct envelope *e)
{
	free(e->buckets);
	e->buckets = NULL;
	e->nr = 0;
	e->readings = 0;
	e->min = 0.0;
	e->max = 0.0;
}

/* Merges `from` into `into`; `from` holds the later readings. */
static void bucket_merge(struct envelope_bucket *into,
			 const struct envelope_bucket *from)
{
	if (from->n == 0)
		return;
	if (into->n == 0) {
		*into = *from;
		return;
	}
	into->min = fmin(into->min, from->min);
	into->max = fmax(into->max, from->max);
	into->sum += from->sum;
	into->n += from->n;
	into->last = from->last;
}

/* Doubles the width: bucket i becomes buckets 2i and 2i+1 merged. */
static void envelope_double_width(struct envelope *e)
{
	size_t merged = (e->nr + 1) / 2;

	for (size_t i = 0; i < merged; i++) {
		struct envelope_bucket pair = e->buckets[2 * i];

		if (2 * i + 1 < e->nr)
			bucket_merge(&pair, &e->buckets[2 * i + 1]);
		e->buckets[i] = pair;
	}
	memset(e->buckets + merged, 0,
	       (e->cap - merged) * sizeof(e->buckets[0]));
	e->nr = merged;
	e->width_ns *= 2;
}

int envelope_add(struct envelope *e, uint64_t t_ns, double v)
{
	struct envelope_bucket *b;
	uint64_t offset;
	size_t index;

	if (!isfinite(v))
		return 0;
	if (!e->buckets) {
		e->buckets = calloc(e->cap, sizeof(e->buckets[0]));
		if (!e->buckets)
			return -ENOMEM;
	}
	offset = t_ns < e->origin_ns ? 0 : t_ns - e->origin_ns;
	/*
	 * No overflow: a width above UINT64_MAX / 2 puts every offset in
	 * bucket 0 or 1, and cap is at least 2, so doubling stops first.
	 */
	for (;;) {
		uint64_t i = offset / e->width_ns;   /* one division a reading */

		if (i < e->cap) {
			index = (size_t)i;
			break;
		}
		envelope_double_width(e);
	}

	/* v and every stored value are finite: plain comparisons, not
	 * fmin()/fmax() calls, which a chart of an hour makes millions of. */
	b = &e->buckets[index];
	if (b->n == 0) {
		b->min = v;
		b->max = v;
		b->sum = v;
	} else {
		b->min = v < b->min ? v : b->min;
		b->max = v > b->max ? v : b->max;
		b->sum += v;
	}
	b->last = v;
	b->n++;
	if (index + 1 > e->nr)
		e->nr = index + 1;

	if (e->readings == 0) {
		e->min = v;
		e->max = v;
	} else {
		e->min = v < e->min ? v : e->min;
		e->max = v > e->max ? v : e->max;
	}
	e->readings++;
	return 0;
}

double envelope_bucket_mean(const struct envelope_bucket *b)
{
	return b->n ? b->sum / (double)b->n : 0.0;
}

/*
 * The column of a bucket starting `offset` ns after t0 in `columns`
 * columns over `span` ns (offset < span): floor(offset * columns / span),
 * exact in 64 bits while the product fits (a span of months at 1600
 * columns), else in long double.
 */
static size_t column_of(uint64_t offset, uint64_t span, size_t columns)
{
	size_t column;

	if (offset <= UINT64_MAX / columns)
		column = (size_t)(offset * columns / span);
	else
		column = (size_t)((long double)offset * columns / span);
	return column < columns ? column : columns - 1;
}

size_t envelope_reduce(const struct envelope *e, uint64_t t0_ns,
		       uint64_t t1_ns, size_t columns,
		       struct envelope_bucket *out)
{
	size_t non_empty = 0;

	if (columns == 0)
		return 0;
	memset(out, 0, columns * sizeof(out[0]));
	if (t1_ns <= t0_ns || !e->buckets)
		return 0;
	for (size_t i = 0; i < e->nr; i++) {
		const struct envelope_bucket *b = &e->buckets[i];
		/* i * width is at most the latest reading's offset: no
		 * overflow. */
		uint64_t start = e->origin_ns + i * e->width_ns;
		struct envelope_bucket *column;

		if (b->n == 0 || start < t0_ns || start >= t1_ns)
			continue;
		column = &out[column_of(start - t0_ns, t1_ns - t0_ns, columns)];
		if (column->n == 0)
			non_empty++;
		bucket_merge(column, b);
	}
	return non_empty;
}

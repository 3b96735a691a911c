/*
 * test_envelope.c - unit tests of the bounded min/max envelope of a time
 * series (report/envelope.c): empty, one reading, readings before the
 * origin, the width doubling as readings run past the last bucket, a
 * one-reading spike among an hour of readings at 10 ms, conservation of
 * sums and counts, non-finite readings, and the reduction to columns.
 *
 * Readings are small integers where sums are compared, so every sum is
 * exact in a double and conservation is tested with ==.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

#define MS 1000000ull
#define SECOND 1000000000ull

/* The totals of some buckets, to compare before and after a merge. */
struct totals {
	double sum, min, max;
	uint64_t n;
	size_t non_empty;
};

static void add_up(const struct envelope_bucket *buckets, size_t nr,
		   struct totals *t)
{
	memset(t, 0, sizeof(*t));
	t->min = INFINITY;
	t->max = -INFINITY;
	for (size_t i = 0; i < nr; i++) {
		const struct envelope_bucket *b = &buckets[i];

		if (b->n == 0) {
			/* An empty bucket holds nothing at all. */
			assert_true(b->min == 0 && b->max == 0 &&
				    b->sum == 0 && b->last == 0);
			continue;
		}
		assert_true(b->min <= b->max);
		assert_true(b->last >= b->min && b->last <= b->max);
		t->sum += b->sum;
		t->n += b->n;
		t->min = fmin(t->min, b->min);
		t->max = fmax(t->max, b->max);
		t->non_empty++;
	}
}

static void add(struct envelope *e, uint64_t t_ns, double v)
{
	assert_int_equal(envelope_add(e, t_ns, v), 0);
	assert_true(e->nr <= e->cap);
}

static void test_empty(void **state)
{
	struct envelope e;
	struct envelope_bucket out[8];

	(void)state;
	envelope_init(&e, 1000, 10, 16);
	assert_null(e.buckets);
	assert_int_equal(e.nr, 0);
	assert_int_equal(e.readings, 0);
	memset(out, 0xff, sizeof(out));
	assert_int_equal(envelope_reduce(&e, 0, 10000, 8, out), 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(out[i].n, 0);
	envelope_release(&e);
	envelope_release(&e);

	/* Width 0 is 1 ns; a cap below 2 is 2. */
	envelope_init(&e, 0, 0, 0);
	assert_int_equal(e.width_ns, 1);
	assert_int_equal(e.cap, 2);
	envelope_init(&e, 0, 5, 1);
	assert_int_equal(e.cap, 2);
}

static void test_one_reading(void **state)
{
	struct envelope e;
	struct envelope_bucket out[10];

	(void)state;
	envelope_init(&e, 1000, 10, 16);
	add(&e, 1025, 4.5);
	assert_non_null(e.buckets);
	assert_int_equal(e.nr, 3);
	assert_int_equal(e.readings, 1);
	assert_true(e.min == 4.5 && e.max == 4.5);
	assert_int_equal(e.buckets[0].n, 0);
	assert_int_equal(e.buckets[1].n, 0);
	assert_int_equal(e.buckets[2].n, 1);
	assert_true(e.buckets[2].min == 4.5 && e.buckets[2].max == 4.5);
	assert_true(e.buckets[2].sum == 4.5 && e.buckets[2].last == 4.5);
	assert_true(envelope_bucket_mean(&e.buckets[2]) == 4.5);

	/* Bucket 2 starts at 1020: column 2 of [1000, 1100) in 10. */
	assert_int_equal(envelope_reduce(&e, 1000, 1100, 10, out), 1);
	assert_int_equal(out[2].n, 1);
	assert_true(out[2].max == 4.5);
	envelope_release(&e);
	assert_null(e.buckets);
	assert_int_equal(e.readings, 0);

	/* Released, it takes readings again. */
	add(&e, 1000, -1);
	assert_int_equal(e.nr, 1);
	assert_int_equal(e.readings, 1);
	assert_true(e.min == -1 && e.max == -1);
	envelope_release(&e);
}

static void test_before_origin(void **state)
{
	struct envelope e;

	(void)state;
	envelope_init(&e, 5000, 10, 4);
	add(&e, 0, 3);
	add(&e, 4999, 1);
	add(&e, 5000, 2);
	assert_int_equal(e.nr, 1);
	assert_int_equal(e.buckets[0].n, 3);
	assert_true(e.buckets[0].min == 1 && e.buckets[0].max == 3);
	assert_true(e.buckets[0].sum == 6);
	assert_true(e.buckets[0].last == 2);
	/* The width did not change for them. */
	assert_int_equal(e.width_ns, 10);
	envelope_release(&e);
}

static void test_doubling(void **state)
{
	struct envelope e;
	const struct envelope_bucket *b;

	(void)state;
	envelope_init(&e, 0, 10, 4);
	add(&e, 0, 1);
	add(&e, 5, 3);
	add(&e, 10, 2);
	add(&e, 20, -1);
	add(&e, 30, 4);
	add(&e, 35, 0);
	assert_int_equal(e.nr, 4);
	assert_int_equal(e.width_ns, 10);

	/* 40 is past bucket 3: buckets merge pairwise, width 20. */
	add(&e, 40, 7);
	assert_int_equal(e.width_ns, 20);
	assert_int_equal(e.nr, 3);
	b = &e.buckets[0];  /* readings at 0, 5, 10 */
	assert_true(b->min == 1 && b->max == 3 && b->sum == 6 && b->last == 2);
	assert_int_equal(b->n, 3);
	b = &e.buckets[1];  /* at 20, 30, 35 */
	assert_true(b->min == -1 && b->max == 4 && b->sum == 3 && b->last == 0);
	assert_int_equal(b->n, 3);
	b = &e.buckets[2];  /* at 40 */
	assert_true(b->min == 7 && b->max == 7 && b->sum == 7 && b->last == 7);
	assert_int_equal(b->n, 1);
	assert_int_equal(e.buckets[3].n, 0);

	/* 200 is 10 widths of 20 away: two doublings, to 80. */
	add(&e, 200, 5);
	assert_int_equal(e.width_ns, 80);
	assert_int_equal(e.nr, 3);
	b = &e.buckets[0];  /* everything before 80 */
	assert_true(b->min == -1 && b->max == 7 && b->sum == 16 && b->last == 7);
	assert_int_equal(b->n, 7);
	assert_int_equal(e.buckets[1].n, 0);
	b = &e.buckets[2];
	assert_true(b->min == 5 && b->max == 5 && b->last == 5);
	assert_int_equal(b->n, 1);

	/* A full bucket merged with an empty one is unchanged. */
	add(&e, 320, 9);
	assert_int_equal(e.width_ns, 160);
	assert_int_equal(e.nr, 3);
	b = &e.buckets[0];  /* old 0 and old 1 (empty) */
	assert_true(b->min == -1 && b->max == 7 && b->sum == 16 && b->last == 7);
	assert_int_equal(b->n, 7);
	b = &e.buckets[1];  /* old 2 (at 200), the last in use */
	assert_true(b->min == 5 && b->max == 5 && b->sum == 5 && b->last == 5);
	assert_int_equal(b->n, 1);
	assert_int_equal(e.buckets[2].n, 1);
	assert_int_equal(e.buckets[3].n, 0);

	assert_int_equal(e.readings, 9);
	assert_true(e.min == -1 && e.max == 9);
	envelope_release(&e);

	/* And an empty bucket merged with a full one gives the full one. */
	envelope_init(&e, 0, 10, 2);
	add(&e, 15, 3);
	add(&e, 25, 4);
	assert_int_equal(e.width_ns, 20);
	assert_int_equal(e.nr, 2);
	b = &e.buckets[0];
	assert_true(b->min == 3 && b->max == 3 && b->sum == 3 && b->last == 3);
	assert_int_equal(b->n, 1);
	assert_int_equal(e.buckets[1].n, 1);
	envelope_release(&e);
}

/*
 * An hour at 10 ms, capped at 2048 buckets and drawn in 1600 columns: a
 * single reading far above (and one far below) the rest is the max (the
 * min) of exactly one column, the one its time falls in.
 */
static void test_spike_survives(void **state)
{
	const uint64_t origin = 7 * SECOND;
	const size_t readings = 360000, spike = 123457, dip = 301;
	const size_t columns = 1600;
	struct envelope_bucket *out = calloc(columns, sizeof(*out));
	struct envelope e;
	struct totals before, after;
	double sum = 0;
	size_t spike_columns = 0, dip_columns = 0, spike_column;
	uint64_t spike_start;

	(void)state;
	assert_non_null(out);
	envelope_init(&e, origin, 10 * MS, 2048);
	for (size_t i = 0; i < readings; i++) {
		double v = i == spike ? 1000 : i == dip ? -50 : (double)(i % 7);

		add(&e, origin + i * 10 * MS, v);
		sum += v;
	}
	assert_int_equal(e.readings, readings);
	assert_true(e.min == -50 && e.max == 1000);
	/* 3600 s in at most 2048 buckets: 10 ms doubled 8 times. */
	assert_int_equal(e.width_ns, 2560 * MS);
	assert_true(e.nr <= e.cap);
	add_up(e.buckets, e.nr, &before);
	assert_true(before.sum == sum);
	assert_int_equal(before.n, readings);

	assert_int_equal(envelope_reduce(&e, origin, origin + 3600 * SECOND,
					 columns, out),
			 e.nr);
	add_up(out, columns, &after);
	assert_true(after.sum == sum);
	assert_int_equal(after.n, readings);
	assert_true(after.min == -50 && after.max == 1000);
	for (size_t c = 0; c < columns; c++) {
		spike_columns += out[c].n && out[c].max == 1000;
		dip_columns += out[c].n && out[c].min == -50;
		if (out[c].n && out[c].max != 1000)
			assert_true(out[c].max <= 6);
	}
	assert_int_equal(spike_columns, 1);
	assert_int_equal(dip_columns, 1);
	/* The column is the one the spike's bucket starts in. */
	spike_start = spike * 10 * MS / e.width_ns * e.width_ns;
	spike_column = (size_t)(spike_start * columns / (3600 * SECOND));
	assert_true(out[spike_column].max == 1000);
	envelope_release(&e);
	free(out);
}

/* Sums and counts are kept through every doubling and every reduction. */
static void test_conservation(void **state)
{
	struct envelope_bucket out[97];
	struct envelope e;
	struct totals t;
	double sum = 0;
	uint64_t time = 0;
	size_t widths = 0;

	(void)state;
	envelope_init(&e, 1000, 3, 5);
	srand(42);
	for (int i = 0; i < 20000; i++) {
		double v = rand() % 2001 - 1000;
		uint64_t width = e.width_ns;

		time += (uint64_t)(rand() % 50);
		add(&e, 1000 + time, v);
		sum += v;
		widths += e.width_ns != width;
		add_up(e.buckets, e.nr, &t);
		if (t.sum != sum || t.n != (uint64_t)i + 1)
			fail_msg("reading %d: sum %g of %g, n %llu", i, t.sum,
				 sum, (unsigned long long)t.n);
	}
	assert_true(widths > 10);
	assert_true(e.min == t.min && e.max == t.max);
	for (size_t columns = 1; columns <= 97; columns += 8) {
		size_t non_empty = envelope_reduce(&e, 1000, 1000 + time + 1,
						   columns, out);

		add_up(out, columns, &t);
		assert_true(t.sum == sum);
		assert_int_equal(t.n, e.readings);
		assert_int_equal(t.non_empty, non_empty);
	}
	envelope_release(&e);
}

static void test_not_finite(void **state)
{
	struct envelope e;

	(void)state;
	envelope_init(&e, 0, 10, 4);
	assert_int_equal(envelope_add(&e, 5, NAN), 0);
	assert_int_equal(envelope_add(&e, 5, INFINITY), 0);
	assert_int_equal(envelope_add(&e, 5000, -INFINITY), 0);
	/* Ignored entirely: nothing allocated, the width unchanged. */
	assert_null(e.buckets);
	assert_int_equal(e.readings, 0);
	assert_int_equal(e.width_ns, 10);
	add(&e, 5, 2);
	assert_int_equal(envelope_add(&e, 6, NAN), 0);
	assert_int_equal(e.readings, 1);
	assert_int_equal(e.buckets[0].n, 1);
	assert_true(e.buckets[0].last == 2 && e.max == 2);
	envelope_release(&e);
}

static void test_bucket_mean(void **state)
{
	struct envelope_bucket b = { .min = 1, .max = 3, .sum = 6, .last = 3,
				     .n = 3 };
	struct envelope_bucket empty = { 0 };

	(void)state;
	assert_true(envelope_bucket_mean(&b) == 2);
	assert_true(envelope_bucket_mean(&empty) == 0);
	b.sum = -1;
	b.n = 4;
	assert_true(envelope_bucket_mean(&b) == -0.25);
}

/* Ten buckets 100 ns wide, reading i (at 100 i) being i. */
static void make_ten(struct envelope *e)
{
	envelope_init(e, 0, 100, 16);
	for (int i = 0; i < 10; i++) {
		add(e, (uint64_t)i * 100, i);
		add(e, (uint64_t)i * 100 + 50, i + 0.5);
	}
	assert_int_equal(e->nr, 10);
}

static void test_reduce_range(void **state)
{
	struct envelope_bucket out[40];
	struct envelope e;

	(void)state;
	make_ten(&e);
	/* [300, 700) in 4 columns: buckets 3 to 6, one each. */
	assert_int_equal(envelope_reduce(&e, 300, 700, 4, out), 4);
	for (int c = 0; c < 4; c++) {
		assert_int_equal(out[c].n, 2);
		assert_true(out[c].min == 3 + c && out[c].max == 3.5 + c);
		assert_true(out[c].last == 3.5 + c);
	}
	/* A bucket goes by its start: [250, 700) leaves out bucket 2. */
	assert_int_equal(envelope_reduce(&e, 250, 700, 4, out), 4);
	assert_true(out[0].min == 3);
	/* [0, 1000) in 3: column 0 ends at 333.3, so it has 0 to 3. */
	assert_int_equal(envelope_reduce(&e, 0, 1000, 3, out), 3);
	assert_int_equal(out[0].n, 8);
	assert_true(out[0].min == 0 && out[0].max == 3.5);
	assert_true(out[0].sum == 14 && out[0].last == 3.5);
	assert_int_equal(out[1].n, 6);
	assert_true(out[1].min == 4 && out[1].max == 6.5 && out[1].last == 6.5);
	assert_int_equal(out[2].n, 6);
	/* Past the readings: nothing. */
	assert_int_equal(envelope_reduce(&e, 1000, 5000, 4, out), 0);
	/* An empty or backwards range, or no columns: nothing. */
	assert_int_equal(envelope_reduce(&e, 500, 500, 4, out), 0);
	assert_int_equal(out[0].n, 0);
	assert_int_equal(envelope_reduce(&e, 700, 300, 4, out), 0);
	assert_int_equal(envelope_reduce(&e, 0, 1000, 0, out), 0);
	envelope_release(&e);
}

/* More columns than buckets: the columns between them are empty. */
static void test_reduce_wide(void **state)
{
	struct envelope_bucket out[40];
	struct envelope e;

	(void)state;
	make_ten(&e);
	assert_int_equal(envelope_reduce(&e, 0, 1000, 40, out), 10);
	for (int c = 0; c < 40; c++) {
		if (c % 4) {
			assert_int_equal(out[c].n, 0);
			assert_true(out[c].max == 0 && out[c].sum == 0);
			continue;
		}
		assert_int_equal(out[c].n, 2);
		assert_true(out[c].min == c / 4 && out[c].max == c / 4 + 0.5);
	}
	/* Readings before the range's start are not drawn. */
	assert_int_equal(envelope_reduce(&e, 500, 1000, 40, out), 5);
	assert_true(out[0].min == 5);
	assert_true(out[8].min == 6);
	envelope_release(&e);
}

/* Times at the ends of a u64: no overflow in the width or the columns. */
static void test_extreme_times(void **state)
{
	struct envelope_bucket out[1600];
	struct envelope e;
	struct totals t;

	(void)state;
	envelope_init(&e, 0, 1, 2);
	add(&e, 0, 1);
	add(&e, UINT64_MAX, 2);
	assert_int_equal(e.width_ns, 1ull << 63);
	assert_int_equal(e.nr, 2);
	assert_int_equal(envelope_reduce(&e, 0, UINT64_MAX, 1600, out), 2);
	add_up(out, 1600, &t);
	assert_true(t.sum == 3);
	assert_int_equal(out[0].n, 1);
	assert_int_equal(out[800].n, 1);
	envelope_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_reading),
		cmocka_unit_test(test_before_origin),
		cmocka_unit_test(test_doubling),
		cmocka_unit_test(test_spike_survives),
		cmocka_unit_test(test_conservation),
		cmocka_unit_test(test_not_finite),
		cmocka_unit_test(test_bucket_mean),
		cmocka_unit_test(test_reduce_range),
		cmocka_unit_test(test_reduce_wide),
		cmocka_unit_test(test_extreme_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test-stats.c - request statistics: counts, removal, nearest-rank
 * percentiles, histogram entries, merging. */
#include "config.h"

#include "xraytop/stats.h"

#include <stdlib.h>

#include "tap.h"

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Deterministic pseudo-random numbers (xorshift). */
static unsigned long long rng_state = 88172645463325252ULL;

static unsigned long long
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void
test_counts(void)
{
	struct stats st;

	stats_init(&st);
	is_dbl(stats_avg(&st), 0, 0, "empty: avg 0");
	is_dbl(stats_percentile(&st, 50), 0, 0, "empty: p50 0");
	stats_add(&st, REQ_OK, 0.5, 100, 100.5);
	stats_add(&st, REQ_ERROR, 0.1, 99, 99.1);
	stats_add(&st, REQ_THROTTLE, 0.3, 101, 101.3);
	stats_add(&st, REQ_FAULT, 0.2, 102, 102.2);
	stats_add(&st, REQ_OK, 0.4, 0, 0);
	is_int(st.count, 5, "count");
	is_int(st.ok, 2, "ok");
	is_int(st.error, 2, "error includes the throttle");
	is_int(st.throttle, 1, "throttle");
	is_int(st.fault, 1, "fault");
	is_dbl(st.sum, 1.5, 1e-12, "sum");
	is_dbl(stats_avg(&st), 0.3, 1e-12, "avg");
	is_dbl(st.first, 99, 0, "first = earliest start");
	is_dbl(st.last, 102.2, 0, "last = latest end");
	/* sorted: 0.1 0.2 0.3 0.4 0.5 */
	is_dbl(stats_percentile(&st, 50), 0.3, 0, "p50 of 5: k=3");
	is_dbl(stats_percentile(&st, 90), 0.5, 0, "p90 of 5: k=ceil(4.5)=5");
	is_dbl(stats_percentile(&st, 99), 0.5, 0, "p99 of 5: k=5");
	is_dbl(stats_percentile(&st, 20), 0.1, 0, "p20 of 5: k=1");
	is_dbl(stats_percentile(&st, 40), 0.2, 0, "p40 of 5: k=2");
	is_dbl(stats_percentile(&st, 100), 0.5, 0, "p100 = max");
	stats_done(&st);
}

static void
test_ranks(void)
{
	struct stats st;
	int i;

	stats_init(&st);
	for (i = 10; i >= 1; i--)
		stats_add(&st, REQ_OK, i, 0, 0);
	is_dbl(stats_percentile(&st, 90), 9, 0, "1..10: p90 = 9 (k=9 exactly, no rounding up)");
	is_dbl(stats_percentile(&st, 99), 10, 0, "1..10: p99 = 10");
	is_dbl(stats_percentile(&st, 50), 5, 0, "1..10: p50 = 5");
	is_dbl(stats_percentile(&st, 10), 1, 0, "1..10: p10 = 1");
	is_dbl(stats_percentile(&st, 11), 2, 0, "1..10: p11 = 2");
	stats_done(&st);

	stats_init(&st);
	for (i = 0; i < 1000; i++)
		stats_add(&st, REQ_OK, ((i * 7919) % 1000 + 1) / 1000.0, 0, 0);
	is_dbl(stats_percentile(&st, 99), 0.990, 0, "1000 values: p99 = 990th");
	is_dbl(stats_percentile(&st, 99.9), 0.999, 0, "1000 values: p99.9 = 999th");
	is_dbl(stats_percentile(&st, 50), 0.5, 0, "1000 values: p50 = 500th");
	stats_done(&st);
}

/* Every percentile of a large random set (negatives, duplicates) against a
 * qsort-sorted copy with k = ceil(p * n / 100) in integers. */
static void
test_large(void)
{
	enum { N = 20011 };
	struct stats st;
	double *ref = malloc(N * sizeof *ref);
	int i, p, bad = 0;

	stats_init(&st);
	for (i = 0; i < N; i++) {
		unsigned long long r = rng();

		if (i % 3 == 0)
			ref[i] = (double)(r % 50) / 1000.0;          /* many duplicates */
		else if (i % 17 == 0)
			ref[i] = -(double)(r % 100000) / 7.0;        /* negatives */
		else
			ref[i] = (double)(r % 100000000) / 3.0e6;
		stats_add(&st, REQ_OK, ref[i], 0, 0);
	}
	qsort(ref, N, sizeof *ref, dbl_cmp);
	for (p = 1; p <= 100; p++) {
		long k = ((long)p * N + 99) / 100;

		if (stats_percentile(&st, p) != ref[k - 1]) {
			bad++;
			diag("p%d: got %.17g, want %.17g", p, stats_percentile(&st, p), ref[k - 1]);
		}
	}
	is_int(bad, 0, "%d random values: p1..p100 equal the sorted reference", N);
	/* New values after sorting are still taken into account. */
	stats_add(&st, REQ_OK, -1e9, 0, 0);
	is_dbl(stats_percentile(&st, 0.001), -1e9, 0, "value added after a query is the new minimum");
	free(ref);
	stats_done(&st);
}

static void
test_remove(void)
{
	struct stats st;
	uint64_t h[5];
	int i;

	stats_init(&st);
	for (i = 1; i <= 5; i++)
		stats_add(&st, REQ_OK, i, 0, 0);
	stats_add(&st, REQ_THROTTLE, 2, 0, 0);
	stats_remove(&st, REQ_OK, 2);
	is_int(st.count, 5, "remove: count");
	is_int(st.ok, 4, "remove: ok");
	is_int(st.error, 1, "remove: the throttle stays");
	is_dbl(st.sum, 15 - 2 + 2, 1e-12, "remove: sum");
	/* left: 1 2 3 4 5 (one 2 removed of two) */
	is_dbl(stats_percentile(&st, 40), 2, 0, "remove takes one copy of a duplicated value");
	is_dbl(stats_percentile(&st, 60), 3, 0, "p60 after removal");
	stats_remove(&st, REQ_THROTTLE, 2);
	is_int(st.error, 0, "remove throttle: error");
	is_int(st.throttle, 0, "remove throttle: throttle");
	is_dbl(stats_percentile(&st, 25), 1, 0, "p25 of 1 3 4 5 = 1 (k=1)");
	is_dbl(stats_percentile(&st, 50), 3, 0, "p50 of 1 3 4 5 = 3 (k=2)");
	stats_remove(&st, REQ_OK, 1);
	stats_add(&st, REQ_FAULT, 0.5, 0, 0);
	is_dbl(stats_percentile(&st, 1), 0.5, 0, "removed before, added after a query");
	is_int(st.fault, 1, "fault counted");
	stats_remove(&st, REQ_OK, 3);
	stats_remove(&st, REQ_OK, 4);
	stats_remove(&st, REQ_OK, 5);
	stats_remove(&st, REQ_FAULT, 0.5);
	is_int(st.count, 0, "everything removed: count 0");
	ok(st.sum == 0, "everything removed: sum exactly 0");
	is_dbl(stats_percentile(&st, 50), 0, 0, "everything removed: p50 0");
	is_int(stats_histogram(&st, 0, 0, h, 5), 0, "everything removed: histogram empty");
	stats_done(&st);

	/* Removals pending across many values, added in reverse. */
	stats_init(&st);
	for (i = 0; i < 1000; i++)
		stats_add(&st, REQ_OK, i % 100, 0, 0);
	for (i = 999; i >= 0; i -= 2)
		stats_remove(&st, REQ_OK, i % 100);
	/* each value v in 0..99 had 10 copies; odd v lost 10, even v lost 0 */
	is_int(st.count, 500, "500 left");
	is_dbl(stats_percentile(&st, 100), 98, 0, "max left is 98");
	is_dbl(stats_percentile(&st, 50), 48, 0, "p50 of even values x10 = 48");
	stats_done(&st);
}

static void
test_buckets(void)
{
	struct stats st, a, b;
	uint64_t h[5];

	stats_init(&st);
	stats_add_counts(&st, 8, 2, 1, 1, 2.5);
	stats_add_bucket(&st, 0.3, 3);
	stats_add_bucket(&st, 0.1, 5);
	stats_add_bucket(&st, 0.2, 2);
	stats_add_bucket(&st, 9, 0);
	is_int(st.count, 11, "counts: count = ok + error + fault");
	is_int(st.error, 2, "counts: error");
	is_int(st.throttle, 1, "counts: throttle");
	is_dbl(stats_avg(&st), 2.5 / 11, 1e-12, "counts: avg over count");
	/* weights: 0.1 x5, 0.2 x2, 0.3 x3 = 10 */
	is_dbl(stats_percentile(&st, 50), 0.1, 0, "buckets: p50 (k=5)");
	is_dbl(stats_percentile(&st, 60), 0.2, 0, "buckets: p60 (k=6)");
	is_dbl(stats_percentile(&st, 70), 0.2, 0, "buckets: p70 (k=7)");
	is_dbl(stats_percentile(&st, 80), 0.3, 0, "buckets: p80 (k=8)");
	is_dbl(stats_percentile(&st, 99), 0.3, 0, "buckets: p99 (a zero-count entry is ignored)");
	is_int(stats_histogram(&st, 0, 0, h, 2), 10, "buckets: histogram counts weights");
	is_int(h[0], 5, "buckets: 0.1 in the low half");
	is_int(h[1], 5, "buckets: 0.2 and 0.3 in the high half");
	stats_done(&st);

	/* histogram of 0..9 */
	stats_init(&st);
	for (int i = 9; i >= 0; i--)
		stats_add(&st, REQ_OK, i, 0, 0);
	is_int(stats_histogram(&st, 0, 10, h, 5), 10, "histogram 0..10: all counted");
	ok(h[0] == 2 && h[1] == 2 && h[2] == 2 && h[3] == 2 && h[4] == 2, "histogram 0..10: 2 per bucket");
	is_int(stats_histogram(&st, 0, 0, h, 5), 10, "histogram min..max: all counted");
	ok(h[0] == 2 && h[1] == 2 && h[2] == 2 && h[3] == 2 && h[4] == 2,
	    "histogram min..max: 2 per bucket (max in the last)");
	is_int(stats_histogram(&st, 2, 5, h, 3), 4, "histogram 2..5: values outside are not counted");
	ok(h[0] == 1 && h[1] == 1 && h[2] == 2, "histogram 2..5: 2 | 3 | 4 5");
	stats_done(&st);

	/* merge: plain + weighted, with a pending removal */
	stats_init(&a);
	stats_init(&b);
	stats_add(&a, REQ_OK, 1, 10, 11);
	stats_add(&a, REQ_ERROR, 2, 0, 0);
	stats_add(&b, REQ_FAULT, 4, 5, 9);
	stats_add(&b, REQ_OK, 3, 0, 0);
	stats_remove(&b, REQ_OK, 3);
	stats_add_counts(&b, 2, 0, 0, 0, 10);
	stats_add_bucket(&b, 5, 2);
	stats_merge(&a, &b);
	is_int(a.count, 5, "merge: count");
	is_int(a.ok, 3, "merge: ok");
	is_int(a.fault, 1, "merge: fault");
	is_dbl(a.sum, 1 + 2 + 4 + 10, 1e-12, "merge: sum");
	is_dbl(a.first, 5, 0, "merge: first");
	is_dbl(a.last, 11, 0, "merge: last");
	/* values: 1, 2, 4, 5 x2 (3 removed) = weight 5 */
	is_dbl(stats_percentile(&a, 40), 2, 0, "merge: p40");
	is_dbl(stats_percentile(&a, 60), 4, 0, "merge: p60 (the removed 3 is gone)");
	is_dbl(stats_percentile(&a, 80), 5, 0, "merge: p80 (weighted entry)");
	is_dbl(stats_percentile(&b, 1), 4, 0, "merge leaves src usable");
	stats_done(&a);
	stats_done(&b);
}

int
main(void)
{
	test_counts();
	test_ranks();
	test_large();
	test_remove();
	test_buckets();
	return done_testing();
}

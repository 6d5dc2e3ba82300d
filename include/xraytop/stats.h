/* stats.h - request statistics of one service-map node or edge.
 *
 * Counts by class, the sum of response times, and the response times
 * themselves, so that percentiles are exact (nearest rank: the k-th smallest
 * value with k = ceil(p * count / 100)).  A request can be taken back
 * (stats_remove) when the map learns that it belongs elsewhere; removed
 * values are subtracted lazily when percentiles are asked for.
 *
 * Statistics loaded from GetServiceGraph have no individual values: their
 * latencies come as histogram entries (value, count), added with
 * stats_add_bucket, and percentiles are then taken over those entries (the
 * rank is then over the total weight of the entries, not over count).
 *
 * Live use bounds the memory of the latencies (stats_limit): a node or
 * edge holds at most 2 * max latency values (removals still to subtract
 * included); when it would hold more, the removals are applied, and if more
 * than max requests remain, its latencies move into a fixed log-scale
 * histogram of 64 buckets per power of two between 2^-24 s and 2^20 s
 * (22.5 KiB), and from then on percentiles are approximate: the middle of
 * the value's bucket, within 0.8% of the exact value (clamped to the
 * smallest and largest value seen).  Counts, sum and average stay exact.
 */
#ifndef XRAYTOP_STATS_H
#define XRAYTOP_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "xraytop/model.h"

/* Latencies: values (seconds) with weights; weight is NULL while every
 * weight is 1 (one request each), which halves the memory of the common
 * case.  Histogram entries (stats_add_bucket) carry their count as weight. */
struct sample_vec {
	double		*value;
	uint32_t	*weight;   /* NULL: every weight is 1 */
	size_t		 n;
	size_t		 cap;
	int		 sorted;
};

struct stats_hist;

struct stats {
	uint64_t	 count;     /* ok + error + fault (throttles are errors) */
	uint64_t	 ok;
	uint64_t	 error;     /* 4xx, throttles included */
	uint64_t	 fault;     /* 5xx */
	uint64_t	 throttle;  /* 429 */
	double		 sum;       /* sum of response times, seconds */
	double		 first;     /* earliest start seen, 0 when none (never shrinks) */
	double		 last;      /* latest end seen, 0 when none (never shrinks) */
	struct sample_vec samples;
	struct sample_vec removed;
	size_t		 max_samples; /* 0: keep every latency (exact percentiles) */
	struct stats_hist *hist;      /* non-NULL once latencies went to the histogram */
};

void stats_init(struct stats *st);
void stats_done(struct stats *st);
/* Count one request of class cls taking rt seconds, between start and end. */
void stats_add(struct stats *st, enum req_class cls, double rt, double start, double end);
/* Take back a request added earlier with the same class and rt. */
void stats_remove(struct stats *st, enum req_class cls, double rt);
/* Add counts without latencies (GetServiceGraph summaries). */
void stats_add_counts(struct stats *st, uint64_t ok, uint64_t error, uint64_t throttle,
    uint64_t fault, double sum);
/* Add a latency histogram entry: count requests of about value seconds. */
void stats_add_bucket(struct stats *st, double value, uint32_t count);
/* Widen the time span (first, last) to include start..end (0 = unknown). */
void stats_add_span(struct stats *st, double start, double end);
/* Add every count and sample of src to dst (a histogram when either has one). */
void stats_merge(struct stats *dst, const struct stats *src);
/* Bound the latencies held (0: no bound, the default; see above); stats
 * already past max requests switch to the histogram at once. */
void stats_limit(struct stats *st, size_t max);
/* Nonzero while percentiles are exact (no histogram). */
int stats_exact(const struct stats *st);

/* sum / count, or 0 when empty. */
double stats_avg(const struct stats *st);
/* Nearest-rank percentile p (0 < p <= 100) of the latencies, 0 when empty.
 * Sorts the samples on first use (hence not const). */
double stats_percentile(struct stats *st, double p);
/* Spread the latencies over nbuckets equal-width buckets between lo and hi
 * (hi <= lo picks the min and max); counts go to out[0..nbuckets-1].
 * Returns the number of latencies counted. */
uint64_t stats_histogram(struct stats *st, double lo, double hi, uint64_t *out, size_t nbuckets);

#endif

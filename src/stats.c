/* stats.c - request statistics of one service-map node or edge.
 *
 * Latencies are kept exactly (a vector of values) until stats_limit's bound
 * is passed, then in a log-scale histogram: bucket 0 holds what is below
 * 2^HIST_EXP_MIN seconds (and zero), the last bucket what is 2^HIST_EXP_MAX
 * or more, and in between each power of two is cut into HIST_SUB buckets of
 * equal width, found from the value's binary exponent and mantissa.
 */
#include "config.h"

#include "xraytop/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/xmalloc.h"

/* Below this many values a plain insertion sort beats the radix sort. */
#define SMALL_SORT 48

#define HIST_SUB	64
#define HIST_EXP_MIN	(-24)
#define HIST_EXP_MAX	20
#define HIST_N		((HIST_EXP_MAX - HIST_EXP_MIN) * HIST_SUB + 2)

struct stats_hist {
	uint64_t	 count[HIST_N];
	uint64_t	 total;
	double		 min;       /* smallest and largest value ever put in */
	double		 max;
	int		 seen;      /* min and max are set */
};

struct wsample {
	double		 value;
	uint32_t	 weight;
};

static void settle(struct stats *st);

void
stats_init(struct stats *st)
{
	memset(st, 0, sizeof *st);
}

/* ---------------------------------------------------------------- histogram */

static size_t
hist_index(double v)
{
	double m;
	int e, j;

	if (!(v > 0))
		return 0;
	m = frexp(v, &e);       /* v = m * 2^e, 0.5 <= m < 1 */
	e--;                    /* v = (2m) * 2^e, 1 <= 2m < 2 */
	if (e < HIST_EXP_MIN)
		return 0;
	if (e >= HIST_EXP_MAX)
		return HIST_N - 1;
	j = (int)((2 * m - 1) * HIST_SUB);
	if (j >= HIST_SUB)
		j = HIST_SUB - 1;
	return 1 + (size_t)(e - HIST_EXP_MIN) * HIST_SUB + (size_t)j;
}

/* The value a bucket stands for: its middle, within what was seen. */
static double
hist_value(const struct stats_hist *h, size_t i)
{
	double v;

	if (i == 0)
		return h->min;
	if (i == HIST_N - 1)
		return h->max;
	v = ldexp(1 + ((double)((i - 1) % HIST_SUB) + 0.5) / HIST_SUB,
	    (int)((i - 1) / HIST_SUB) + HIST_EXP_MIN);
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

static void
hist_add(struct stats_hist *h, double v, uint64_t w)
{
	if (w == 0)
		return;
	if (!h->seen) {
		h->min = h->max = v;
		h->seen = 1;
	}
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count[hist_index(v)] += w;
	h->total += w;
}

/* Take back w values of about v (never below zero). */
static void
hist_sub(struct stats_hist *h, double v, uint64_t w)
{
	uint64_t *c = &h->count[hist_index(v)];

	if (w > *c)
		w = *c;
	*c -= w;
	h->total -= w;
}

/* Move every latency of st into a histogram and free the vectors. */
static void
to_hist(struct stats *st)
{
	struct sample_vec *s = &st->samples;
	struct stats_hist *h;
	size_t i;

	if (st->hist != NULL)
		return;
	settle(st);
	h = st->hist = xcalloc(1, sizeof *h);
	for (i = 0; i < s->n; i++)
		hist_add(h, s->value[i], s->weight != NULL ? s->weight[i] : 1);
	free(s->value);
	free(s->weight);
	memset(s, 0, sizeof *s);
}

/* Free the arrays of a vector and empty it. */
static void
vec_free(struct sample_vec *v)
{
	free(v->value);
	free(v->weight);
	memset(v, 0, sizeof *v);
}

void
stats_done(struct stats *st)
{
	vec_free(&st->samples);
	vec_free(&st->removed);
	free(st->hist);
	memset(st, 0, sizeof *st);
}

/* Once the values held (added, and taken back but not yet subtracted)
 * pass twice the limit, settle the removals; when more than the limit are
 * still held, switch to the histogram.  Between two settlings at least
 * max values come, so the sorting is paid for. */
static void
limit_check(struct stats *st)
{
	if (st->max_samples == 0 || st->hist != NULL ||
	    st->samples.n + st->removed.n <= 2 * st->max_samples)
		return;
	settle(st);
	if (st->samples.n > st->max_samples)
		to_hist(st);
}

void
stats_limit(struct stats *st, size_t max)
{
	st->max_samples = max;
	if (max > 0 && st->hist == NULL) {
		settle(st);
		if (st->samples.n > max)
			to_hist(st);
	}
}

int
stats_exact(const struct stats *st)
{
	return st->hist == NULL;
}

/* Make room for extra more entries; grows by half to keep the slack small. */
static void
vec_reserve(struct sample_vec *v, size_t extra)
{
	size_t cap;

	if (v->n + extra <= v->cap)
		return;
	cap = v->cap < 8 ? 8 : v->cap + v->cap / 2;
	if (cap < v->n + extra)
		cap = v->n + extra;
	v->value = xreallocarray(v->value, cap, sizeof *v->value);
	if (v->weight != NULL)
		v->weight = xreallocarray(v->weight, cap, sizeof *v->weight);
	v->cap = cap;
}

/* Give the vector a weight array (all ones so far). */
static void
vec_weigh(struct sample_vec *v)
{
	size_t i;

	if (v->weight != NULL)
		return;
	v->weight = xreallocarray(NULL, v->cap > 0 ? v->cap : 1, sizeof *v->weight);
	for (i = 0; i < v->n; i++)
		v->weight[i] = 1;
}

/* Append one value of weight w; the vector stays sorted if it was and the
 * value is not smaller than the last one. */
static void
vec_push(struct sample_vec *v, double value, uint32_t w)
{
	if (v->n == 0)
		v->sorted = 1;
	else if (v->sorted && value < v->value[v->n - 1])
		v->sorted = 0;
	vec_reserve(v, 1);
	if (w != 1 && v->weight == NULL)
		vec_weigh(v);
	v->value[v->n] = value;
	if (v->weight != NULL)
		v->weight[v->n] = w;
	v->n++;
}

/* Append every entry of src to v. */
static void
vec_append(struct sample_vec *v, const struct sample_vec *src)
{
	size_t i;

	if (src->n == 0)
		return;
	vec_reserve(v, src->n);
	if (src->weight != NULL)
		vec_weigh(v);
	memcpy(v->value + v->n, src->value, src->n * sizeof *v->value);
	if (v->weight != NULL)
		for (i = 0; i < src->n; i++)
			v->weight[v->n + i] = src->weight != NULL ? src->weight[i] : 1;
	v->n += src->n;
	v->sorted = 0;
}

/* An unsigned key that orders like the double it comes from. */
static uint64_t
dbl_key(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof u);
	return (u & UINT64_C(0x8000000000000000)) ? ~u : u | UINT64_C(0x8000000000000000);
}

/* The double a key from dbl_key came from. */
static double
key_dbl(uint64_t u)
{
	double d;

	u = (u & UINT64_C(0x8000000000000000)) ? u & ~UINT64_C(0x8000000000000000) : ~u;
	memcpy(&d, &u, sizeof d);
	return d;
}

/* Sort n doubles: insertion sort when few, else an LSD radix sort on their
 * bit patterns (linear, and indifferent to the many equal values that
 * millisecond timestamps give). */
static void
sort_doubles(double *v, size_t n)
{
	size_t count[8][256], i, b, pos, sum;
	uint64_t *a, *t, *swap;

	if (n < SMALL_SORT) {
		for (i = 1; i < n; i++) {
			double x = v[i];
			size_t j = i;

			while (j > 0 && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	a = xreallocarray(NULL, n, sizeof *a);
	t = xreallocarray(NULL, n, sizeof *t);
	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++) {
		a[i] = dbl_key(v[i]);
		for (b = 0; b < 8; b++)
			count[b][(a[i] >> (8 * b)) & 0xff]++;
	}
	for (b = 0; b < 8; b++) {
		if (count[b][(a[0] >> (8 * b)) & 0xff] == n)
			continue;       /* every key has the same byte here */
		for (sum = 0, pos = 0; pos < 256; pos++) {
			size_t c = count[b][pos];

			count[b][pos] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			t[count[b][(a[i] >> (8 * b)) & 0xff]++] = a[i];
		swap = a;
		a = t;
		t = swap;
	}
	for (i = 0; i < n; i++)
		v[i] = key_dbl(a[i]);
	free(a);
	free(t);
}

static int
wsample_cmp(const void *a, const void *b)
{
	double x = ((const struct wsample *)a)->value, y = ((const struct wsample *)b)->value;

	return x < y ? -1 : x > y;
}

/* Sort a vector by value (weights follow their values). */
static void
vec_sort(struct sample_vec *v)
{
	struct wsample *p;
	size_t i;

	if (v->sorted || v->n < 2) {
		v->sorted = 1;
		return;
	}
	if (v->weight == NULL)
		sort_doubles(v->value, v->n);
	else {
		p = xreallocarray(NULL, v->n, sizeof *p);
		for (i = 0; i < v->n; i++) {
			p[i].value = v->value[i];
			p[i].weight = v->weight[i];
		}
		qsort(p, v->n, sizeof *p, wsample_cmp);
		for (i = 0; i < v->n; i++) {
			v->value[i] = p[i].value;
			v->weight[i] = p[i].weight;
		}
		free(p);
	}
	v->sorted = 1;
}

/* Sort the samples and subtract the removed ones from them (a merge of two
 * sorted lists); afterwards removed is empty. */
static void
settle(struct stats *st)
{
	struct sample_vec *s = &st->samples, *r = &st->removed;
	size_t i, j = 0, o = 0;
	uint32_t rem;

	vec_sort(s);
	if (r->n == 0)
		return;
	vec_sort(r);
	rem = r->weight != NULL ? r->weight[0] : 1;
	for (i = 0; i < s->n; i++) {
		double v = s->value[i];
		uint32_t w = s->weight != NULL ? s->weight[i] : 1;

		while (j < r->n && r->value[j] < v) {   /* nothing to take it from */
			j++;
			rem = j < r->n ? (r->weight != NULL ? r->weight[j] : 1) : 0;
		}
		while (w > 0 && j < r->n && r->value[j] == v) {
			uint32_t take = w < rem ? w : rem;

			w -= take;
			rem -= take;
			if (rem == 0) {
				j++;
				rem = j < r->n ? (r->weight != NULL ? r->weight[j] : 1) : 0;
			}
		}
		if (w == 0)
			continue;
		s->value[o] = v;
		if (s->weight != NULL)
			s->weight[o] = w;
		o++;
	}
	s->n = o;
	vec_free(r);
}

void
stats_add(struct stats *st, enum req_class cls, double rt, double start, double end)
{
	st->count++;
	switch (cls) {
	case REQ_OK:
		st->ok++;
		break;
	case REQ_THROTTLE:
		st->throttle++;
		/* FALLTHROUGH */
	case REQ_ERROR:
		st->error++;
		break;
	case REQ_FAULT:
		st->fault++;
		break;
	}
	st->sum += rt;
	if (st->hist != NULL)
		hist_add(st->hist, rt, 1);
	else {
		vec_push(&st->samples, rt, 1);
		limit_check(st);
	}
	stats_add_span(st, start, end);
}

/* Decrement a counter without wrapping below zero. */
static void
dec(uint64_t *c)
{
	if (*c > 0)
		(*c)--;
}

void
stats_remove(struct stats *st, enum req_class cls, double rt)
{
	dec(&st->count);
	switch (cls) {
	case REQ_OK:
		dec(&st->ok);
		break;
	case REQ_THROTTLE:
		dec(&st->throttle);
		/* FALLTHROUGH */
	case REQ_ERROR:
		dec(&st->error);
		break;
	case REQ_FAULT:
		dec(&st->fault);
		break;
	}
	/* An empty set of requests sums to exactly 0, whatever the rounding. */
	st->sum = st->count == 0 ? 0 : st->sum - rt;
	if (st->hist != NULL)
		hist_sub(st->hist, rt, 1);
	else {
		vec_push(&st->removed, rt, 1);
		limit_check(st);
	}
}

void
stats_add_counts(struct stats *st, uint64_t ok, uint64_t error, uint64_t throttle,
    uint64_t fault, double sum)
{
	st->ok += ok;
	st->error += error;
	st->throttle += throttle;
	st->fault += fault;
	st->count += ok + error + fault;
	st->sum += sum;
}

void
stats_add_bucket(struct stats *st, double value, uint32_t count)
{
	if (count == 0)
		return;
	if (st->hist != NULL)
		hist_add(st->hist, value, count);
	else {
		vec_push(&st->samples, value, count);
		limit_check(st);
	}
}

void
stats_add_span(struct stats *st, double start, double end)
{
	if (start > 0 && (st->first == 0 || start < st->first))
		st->first = start;
	if (end > 0 && end > st->last)
		st->last = end;
}

void
stats_merge(struct stats *dst, const struct stats *src)
{
	const struct sample_vec *v;
	size_t i;

	stats_add_counts(dst, src->ok, src->error, src->throttle, src->fault, src->sum);
	stats_add_span(dst, src->first, src->last);
	if (src->hist == NULL && dst->hist == NULL) {
		vec_append(&dst->samples, &src->samples);
		vec_append(&dst->removed, &src->removed);
		limit_check(dst);
		return;
	}
	to_hist(dst);
	if (src->hist != NULL) {
		for (i = 0; i < HIST_N; i++)
			dst->hist->count[i] += src->hist->count[i];
		if (src->hist->seen) {
			if (!dst->hist->seen || src->hist->min < dst->hist->min)
				dst->hist->min = src->hist->min;
			if (!dst->hist->seen || src->hist->max > dst->hist->max)
				dst->hist->max = src->hist->max;
			dst->hist->seen = 1;
		}
		dst->hist->total += src->hist->total;
		return;
	}
	v = &src->samples;
	for (i = 0; i < v->n; i++)
		hist_add(dst->hist, v->value[i], v->weight != NULL ? v->weight[i] : 1);
	v = &src->removed;
	for (i = 0; i < v->n; i++)
		hist_sub(dst->hist, v->value[i], v->weight != NULL ? v->weight[i] : 1);
}

double
stats_avg(const struct stats *st)
{
	return st->count > 0 ? st->sum / (double)st->count : 0;
}

/* Total weight of the (settled) samples. */
static uint64_t
total_weight(const struct sample_vec *v)
{
	uint64_t w = 0;
	size_t i;

	if (v->weight == NULL)
		return v->n;
	for (i = 0; i < v->n; i++)
		w += v->weight[i];
	return w;
}

double
stats_percentile(struct stats *st, double p)
{
	const struct sample_vec *s = &st->samples;
	uint64_t total, k, acc = 0;
	double rank;
	size_t i;

	settle(st);
	total = st->hist != NULL ? st->hist->total : total_weight(s);
	if (total == 0)
		return 0;
	/* k = ceil(p * total / 100), forgiving the rounding of p itself. */
	rank = ceil(p * (double)total / 100.0 - 1e-9);
	k = rank < 1 ? 1 : rank > (double)total ? total : (uint64_t)rank;
	if (st->hist != NULL) {
		for (i = 0; i < HIST_N; i++) {
			acc += st->hist->count[i];
			if (acc >= k)
				return hist_value(st->hist, i);
		}
		return st->hist->max;
	}
	if (s->weight == NULL)
		return s->value[k - 1];
	for (i = 0; i < s->n; i++) {
		acc += s->weight[i];
		if (acc >= k)
			return s->value[i];
	}
	return s->value[s->n - 1];
}

/* stats_histogram over a log-scale histogram: each bucket's count goes
 * where the value it stands for falls. */
static uint64_t
hist_spread(const struct stats_hist *h, double lo, double hi, uint64_t *out, size_t nbuckets)
{
	uint64_t counted = 0;
	double width;
	size_t i, b;

	if (h->total == 0)
		return 0;
	if (hi <= lo) {
		lo = h->min;
		hi = h->max;
	}
	width = (hi - lo) / (double)nbuckets;
	for (i = 0; i < HIST_N; i++) {
		double v;

		if (h->count[i] == 0)
			continue;
		v = hist_value(h, i);
		if (v < lo || v > hi)
			continue;
		b = width > 0 ? (size_t)((v - lo) / width) : 0;
		if (b >= nbuckets)
			b = nbuckets - 1;
		out[b] += h->count[i];
		counted += h->count[i];
	}
	return counted;
}

uint64_t
stats_histogram(struct stats *st, double lo, double hi, uint64_t *out, size_t nbuckets)
{
	const struct sample_vec *s = &st->samples;
	uint64_t counted = 0;
	double width;
	size_t i, b;

	if (nbuckets == 0)
		return 0;
	memset(out, 0, nbuckets * sizeof *out);
	settle(st);
	if (st->hist != NULL)
		return hist_spread(st->hist, lo, hi, out, nbuckets);
	if (s->n == 0)
		return 0;
	if (hi <= lo) {
		lo = s->value[0];
		hi = s->value[s->n - 1];
	}
	width = (hi - lo) / (double)nbuckets;
	for (i = 0; i < s->n; i++) {
		double v = s->value[i];
		uint32_t w = s->weight != NULL ? s->weight[i] : 1;

		if (v < lo || v > hi)
			continue;
		b = width > 0 ? (size_t)((v - lo) / width) : 0;
		if (b >= nbuckets)
			b = nbuckets - 1;
		out[b] += w;
		counted += w;
	}
	return counted;
}

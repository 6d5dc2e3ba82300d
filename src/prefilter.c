/* prefilter.c - necessary conditions of a filter on raw document text. */
#include "config.h"

#include "xraytop/prefilter.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/filter.h"
#include "xraytop/xmalloc.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2_SCAN 1       /* chosen at run time */
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MIN_LITERAL	3      /* shorter runs rule out too little for their cost */
#define MAX_LITERAL	255    /* the matcher's longest needle: a longer literal
                                * stands for its first MAX_LITERAL bytes */

enum pf_type { PF_TRUE, PF_LIT, PF_RT, PF_DUR, PF_AND, PF_OR };

struct pf_node {
	enum pf_type	 type;
	int		 lit;            /* PF_LIT */
	double		 bound;          /* PF_RT, PF_DUR: value > bound (>= when !strict) */
	int		 strict;
	struct pf_node	**kids;
	size_t		 nkids;
};

struct prefilter {
	struct pf_node	*root;
	char		*lits[PF_MAX_LITERALS];
	size_t		 litlen[PF_MAX_LITERALS];
	size_t		 nlits;
	int		 times;
	struct pf_matcher *m;          /* the literals */
};

static struct pf_node *
pf_new(enum pf_type type)
{
	struct pf_node *n = xcalloc(1, sizeof *n);

	n->type = type;
	return n;
}

static void
pf_node_free(struct pf_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		pf_node_free(n->kids[i]);
	free(n->kids);
	free(n);
}

/* Bytes JSON writes as themselves: printable ASCII but for " and \. */
static int
plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* A literal for needle bytes s[0..n); the same literal is shared. */
static struct pf_node *
pf_lit(struct prefilter *pf, const char *s, size_t n)
{
	struct pf_node *node;
	size_t i;

	if (n > MAX_LITERAL)
		n = MAX_LITERAL;
	for (i = 0; i < pf->nlits; i++)
		if (pf->litlen[i] == n && memcmp(pf->lits[i], s, n) == 0)
			break;
	if (i == pf->nlits) {
		if (pf->nlits == PF_MAX_LITERALS)
			return pf_new(PF_TRUE);
		pf->lits[i] = xstrndup(s, n);
		pf->litlen[i] = n;
		pf->nlits++;
	}
	node = pf_new(PF_LIT);
	node->lit = (int)i;
	return node;
}

/* What a string value must leave in the raw text: the whole JSON string
 * with its quotes for an exact match of plain text, else its longest run
 * of plain bytes. */
static struct pf_node *
pf_string(struct prefilter *pf, const char *v, int exact)
{
	size_t n = strlen(v), i, best = 0, bestlen = 0, start = 0;
	char *q;
	struct pf_node *node;

	for (i = 0; i < n; i++)
		if (!plain((unsigned char)v[i]))
			break;
	if (exact && i == n) {
		q = xmalloc(n + 3);
		q[0] = '"';
		memcpy(q + 1, v, n);
		q[n + 1] = '"';
		node = pf_lit(pf, q, n + 2);
		free(q);
		return node;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && plain((unsigned char)v[i]))
			continue;
		if (i - start > bestlen) {
			best = start;
			bestlen = i - start;
		}
		start = i + 1;
	}
	if (bestlen < MIN_LITERAL)
		return pf_new(PF_TRUE);
	return pf_lit(pf, v + best, bestlen);
}

/* A JSON member name: always written in full between quotes. */
static struct pf_node *
pf_key(struct prefilter *pf, const char *k)
{
	return pf_string(pf, k, 1);
}

static struct pf_node *
pf_time(enum pf_type type, enum filter_op op, double v)
{
	struct pf_node *n;

	if (op != FOP_GT && op != FOP_GE && op != FOP_EQ)
		return pf_new(PF_TRUE);
	n = pf_new(type);
	n->bound = v;
	n->strict = op == FOP_GT;
	return n;
}

/* AND or OR of two nodes, folding PF_TRUE away. */
static struct pf_node *
pf_join(enum pf_type type, struct pf_node *a, struct pf_node *b)
{
	struct pf_node *n;

	if (a->type == PF_TRUE || b->type == PF_TRUE) {
		if (type == PF_OR) {
			pf_node_free(a);
			pf_node_free(b);
			return pf_new(PF_TRUE);
		}
		if (a->type == PF_TRUE) {
			pf_node_free(a);
			return b;
		}
		pf_node_free(b);
		return a;
	}
	n = pf_new(type);
	n->kids = xcalloc(2, sizeof *n->kids);
	n->kids[0] = a;
	n->kids[1] = b;
	n->nkids = 2;
	return n;
}

/* The node's condition on a service name ("client" is no text). */
static struct pf_node *
pf_nodespec(struct prefilter *pf, const struct filter_nodespec *ns)
{
	struct pf_node *n = pf_new(PF_TRUE);

	if (!ns->present)
		return n;
	if (ns->name != NULL && strcmp(ns->name, "client") != 0)
		n = pf_join(PF_AND, n, pf_string(pf, ns->name, 1));
	if (ns->account != NULL)
		n = pf_join(PF_AND, n, pf_string(pf, ns->account, 1));
	return n;
}

/* Necessary condition of n evaluated on a whole trace. */
static struct pf_node *
pf_build(struct prefilter *pf, const struct filter_node *n)
{
	struct pf_node *r;
	size_t i;

	switch (n->type) {
	case FN_AND:
	case FN_OR:
		r = pf_build(pf, n->children[0]);
		for (i = 1; i < n->nchildren; i++)
			r = pf_join(n->type == FN_AND ? PF_AND : PF_OR, r, pf_build(pf, n->children[i]));
		return r;
	case FN_NOT:
		return pf_new(PF_TRUE);
	case FN_KEYWORD:
		switch (n->kw) {
		case FK_RESPONSETIME:
			return pf_time(PF_RT, n->op, n->value.number);
		case FK_DURATION:
			return pf_time(PF_DUR, n->op, n->value.number);
		case FK_HTTP_URL: case FK_HTTP_METHOD: case FK_HTTP_USERAGENT: case FK_HTTP_CLIENTIP:
		case FK_USER: case FK_NAME: case FK_TYPE: case FK_MESSAGE: case FK_AVAILABILITYZONE:
		case FK_INSTANCE_ID: case FK_RESOURCE_ARN: case FK_ACCOUNT_ID:
			if (n->op == FOP_EQ)
				return pf_string(pf, n->value.str, 1);
			if (n->op == FOP_CONTAINS || n->op == FOP_BEGINSWITH || n->op == FOP_ENDSWITH)
				return pf_string(pf, n->value.str, 0);
			return pf_new(PF_TRUE);
		default:
			return pf_new(PF_TRUE);
		}
	case FN_ANNOTATION:
		if (n->op == FOP_EQ && n->value.type == FV_STRING)
			return pf_string(pf, n->value.str, 1);
		if ((n->op == FOP_CONTAINS || n->op == FOP_BEGINSWITH || n->op == FOP_ENDSWITH) &&
		    n->value.type == FV_STRING)
			r = pf_string(pf, n->value.str, 0);
		else
			r = pf_new(PF_TRUE);
		return pf_join(PF_AND, r, pf_key(pf, n->key));
	case FN_SERVICE:
		return pf_nodespec(pf, &n->a);
	case FN_EDGE:
		return pf_join(PF_AND, pf_nodespec(pf, &n->a), pf_nodespec(pf, &n->b));
	case FN_GROUP:
		if (n->op == FOP_EQ && n->resolved != NULL)
			return pf_build(pf, n->resolved);
		return pf_new(PF_TRUE);
	case FN_ROOTCAUSE:
	case FN_RCJSON:
		return pf_new(PF_TRUE);
	}
	return pf_new(PF_TRUE);
}

static int
has_type(const struct pf_node *n, enum pf_type type)
{
	size_t i;

	if (n->type == type)
		return 1;
	for (i = 0; i < n->nkids; i++)
		if (has_type(n->kids[i], type))
			return 1;
	return 0;
}

struct prefilter *
prefilter_new(const struct filter *f)
{
	struct prefilter *pf;

	if (f == NULL || f->root == NULL)
		return NULL;
	pf = xcalloc(1, sizeof *pf);
	pf->root = pf_build(pf, f->root);
	if (pf->root->type == PF_TRUE) {
		prefilter_free(pf);
		return NULL;
	}
	pf->times = has_type(pf->root, PF_RT) || has_type(pf->root, PF_DUR);
	pf->m = pf_matcher_new((const char *const *)pf->lits, pf->litlen, pf->nlits);
	return pf;
}

void
prefilter_free(struct prefilter *pf)
{
	size_t i;

	if (pf == NULL)
		return;
	pf_node_free(pf->root);
	pf_matcher_free(pf->m);
	for (i = 0; i < pf->nlits; i++)
		free(pf->lits[i]);
	free(pf);
}

size_t
prefilter_nliterals(const struct prefilter *pf)
{
	return pf != NULL ? pf->nlits : 0;
}

const char *
prefilter_literal(const struct prefilter *pf, size_t i, size_t *len)
{
	if (pf == NULL || i >= pf->nlits)
		return NULL;
	if (len != NULL)
		*len = pf->litlen[i];
	return pf->lits[i];
}

int
prefilter_uses_times(const struct prefilter *pf)
{
	return pf != NULL && pf->times;
}

/* ---------------------------------------------------------------- matcher */

#define MAX_NEEDLES	32

struct pf_needle {
	const char	*s;
	size_t		 len;
	size_t		 a, b, c;       /* the bytes compared first: first, rarest, last */
};

struct pf_matcher {
	struct pf_needle needles[MAX_NEEDLES];
	size_t		 n;
	size_t		 maxoff;        /* largest anchor offset */
	int		 avx2;          /* the machine has AVX2 */
	int		 avx512;        /* and AVX-512BW */
	int		 bytewise;      /* no vectors (tests) */
};

/* How common a byte is in JSON documents (higher: more common), a rough
 * guide for choosing the byte to compare besides the first and last. */
static int
byte_weight(unsigned char c)
{
	static const char common[] = "\" :,eatoinsr{}0123456789.lcdhu_-/pmfgybwvk";
	const char *p;

	if (c == '\0')
		return 0;
	if ((p = strchr(common, c)) != NULL)
		return 100 - (int)(p - common);
	if (c >= 'A' && c <= 'Z')
		return 5;
	return 10;
}

struct pf_matcher *
pf_matcher_new(const char *const *needles, const size_t *lens, size_t n)
{
	struct pf_matcher *m = xcalloc(1, sizeof *m);
	size_t k, i;

#ifdef HAVE_AVX2_SCAN
	__builtin_cpu_init();
	m->avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	m->avx512 = __builtin_cpu_supports("avx512bw") ? 1 : 0;
#endif
	for (k = 0; k < n && k < MAX_NEEDLES; k++) {
		struct pf_needle *nd = &m->needles[m->n];

		if (lens[k] == 0 || lens[k] > 255)
			continue;
		m->n++;
		nd->s = xstrndup(needles[k], lens[k]);
		nd->len = lens[k];
		nd->a = 0;
		nd->c = nd->len - 1;
		nd->b = nd->len > 2 ? 1 : nd->c;
		for (i = 1; i + 1 < nd->len; i++)
			if (byte_weight((unsigned char)nd->s[i]) < byte_weight((unsigned char)nd->s[nd->b]))
				nd->b = i;
		if (nd->c > m->maxoff)
			m->maxoff = nd->c;
	}
	return m;
}

void
pf_matcher_limit(struct pf_matcher *m, int level)
{
	if (level < 3)
		m->avx512 = 0;
	if (level < 2)
		m->avx2 = 0;
	m->bytewise = level < 1;
}

void
pf_matcher_free(struct pf_matcher *m)
{
	size_t k;

	if (m == NULL)
		return;
	for (k = 0; k < m->n; k++)
		free((void *)(uintptr_t)m->needles[k].s);
	free(m);
}

struct pf_run {
	const struct pf_matcher *m;
	const char	*text;
	size_t		 len;
	uint32_t	 every;
	uint32_t	 found;
	void		(*fn)(void *, size_t, size_t);
	void		*ctx;
	int		*escape;
};

/* Check a candidate position of needle k. */
static void
candidate(struct pf_run *r, size_t k, size_t pos)
{
	const struct pf_needle *nd = &r->m->needles[k];

	if (pos + nd->len > r->len || memcmp(r->text + pos, nd->s, nd->len) != 0)
		return;
	r->found |= (uint32_t)1 << k;
	if ((r->every >> k & 1) && r->fn != NULL)
		r->fn(r->ctx, k, pos);
}

/* Needle k still to look for. */
static int
wanted(const struct pf_run *r, size_t k)
{
	return !(r->found >> k & 1) || (r->every >> k & 1);
}

/* A backslash at pos: does an escape that can hide plain bytes start there? */
static void
backslash(struct pf_run *r, size_t pos)
{
	if (pos + 1 < r->len && (r->text[pos + 1] == 'u' || r->text[pos + 1] == '/'))
		*r->escape = 1;
}

/* The positions [from, len), one byte at a time. */
static void
scan_tail(struct pf_run *r, size_t from)
{
	size_t pos, k;

	for (pos = from; pos < r->len; pos++) {
		if (r->escape != NULL && r->text[pos] == '\\')
			backslash(r, pos);
		for (k = 0; k < r->m->n; k++)
			if (wanted(r, k) && r->text[pos] == r->m->needles[k].s[0])
				candidate(r, k, pos);
	}
}

#ifdef HAVE_AVX2_SCAN
/* 64 positions at a time with AVX-512BW: the same comparisons as below,
 * with the byte masks straight from the compare; the end of the text too,
 * with masked loads (which never touch the bytes they leave out). */
__attribute__((target("avx512bw,avx512f"))) static size_t
scan_avx512(struct pf_run *r)
{
	const struct pf_matcher *m = r->m;
	const char *t = r->text;
	const __m512i bs = _mm512_set1_epi8('\\');
	size_t i = 0, k, len = r->len;
	uint64_t bits;

	/* A load of the 64 bytes at i + off, the ones past the end left out. */
#define LOAD(off) (i + 64 + (off) <= len ?					\
	    _mm512_loadu_si512((const void *)(t + i + (off))) :			\
	    _mm512_maskz_loadu_epi8(i + (off) >= len ? 0 :			\
	    len - i - (off) >= 64 ? ~(uint64_t)0 :				\
	    (((uint64_t)1 << (len - i - (off))) - 1), t + i + (off)))

	for (; i < len; i += 64) {
		if (r->escape != NULL && !*r->escape) {
			bits = _mm512_cmpeq_epi8_mask(LOAD(0), bs);
			for (; bits != 0; bits &= bits - 1)
				backslash(r, i + (size_t)__builtin_ctzll(bits));
		}
		for (k = 0; k < m->n; k++) {
			const struct pf_needle *nd = &m->needles[k];

			if (!wanted(r, k))
				continue;
			bits = _mm512_cmpeq_epi8_mask(LOAD(nd->a), _mm512_set1_epi8(nd->s[nd->a]));
			if (bits == 0)
				continue;
			bits = _mm512_mask_cmpeq_epi8_mask(bits, LOAD(nd->b), _mm512_set1_epi8(nd->s[nd->b]));
			bits = _mm512_mask_cmpeq_epi8_mask(bits, LOAD(nd->c), _mm512_set1_epi8(nd->s[nd->c]));
			for (; bits != 0; bits &= bits - 1)
				candidate(r, k, i + (size_t)__builtin_ctzll(bits));
		}
	}
#undef LOAD
	return len;
}
#endif

#ifdef HAVE_AVX2_SCAN
/* 32 positions at a time: the three anchor bytes of each needle compared
 * at once; returns where the tail starts. */
__attribute__((target("avx2"))) static size_t
scan_avx2(struct pf_run *r)
{
	const struct pf_matcher *m = r->m;
	const char *t = r->text;
	const __m256i bs = _mm256_set1_epi8('\\');
	__m256i va[MAX_NEEDLES], vb[MAX_NEEDLES], vc[MAX_NEEDLES];
	size_t i = 0, k;
	unsigned bits;

	for (k = 0; k < m->n; k++) {
		va[k] = _mm256_set1_epi8(m->needles[k].s[m->needles[k].a]);
		vb[k] = _mm256_set1_epi8(m->needles[k].s[m->needles[k].b]);
		vc[k] = _mm256_set1_epi8(m->needles[k].s[m->needles[k].c]);
	}
	for (; i + 32 + m->maxoff + 1 <= r->len; i += 32) {
		if (r->escape != NULL && !*r->escape) {
			__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(t + i));

			bits = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, bs));
			for (; bits != 0; bits &= bits - 1)
				backslash(r, i + (size_t)__builtin_ctz(bits));
		}
		for (k = 0; k < m->n; k++) {
			const struct pf_needle *nd = &m->needles[k];
			__m256i ea, eb, ec;

			if (!wanted(r, k))
				continue;
			ea = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(t + i + nd->a)),
			    va[k]);
			eb = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(t + i + nd->b)),
			    vb[k]);
			ec = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(t + i + nd->c)),
			    vc[k]);
			bits = (unsigned)_mm256_movemask_epi8(_mm256_and_si256(_mm256_and_si256(ea, eb), ec));
			for (; bits != 0; bits &= bits - 1)
				candidate(r, k, i + (size_t)__builtin_ctz(bits));
		}
	}
	return i;
}

#endif

#ifdef __SSE2__
/* The same, 16 positions at a time, for machines without AVX2. */
static size_t
scan_sse2(struct pf_run *r)
{
	const struct pf_matcher *m = r->m;
	const char *t = r->text;
	const __m128i bs = _mm_set1_epi8('\\');
	size_t i = 0, k;
	unsigned bits;

	for (; i + 16 + m->maxoff + 1 <= r->len; i += 16) {
		if (r->escape != NULL && !*r->escape) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(t + i));

			bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, bs));
			for (; bits != 0; bits &= bits - 1)
				backslash(r, i + (size_t)__builtin_ctz(bits));
		}
		for (k = 0; k < m->n; k++) {
			const struct pf_needle *nd = &m->needles[k];
			__m128i ea, eb, ec;

			if (!wanted(r, k))
				continue;
			ea = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(t + i + nd->a)),
			    _mm_set1_epi8(nd->s[nd->a]));
			eb = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(t + i + nd->b)),
			    _mm_set1_epi8(nd->s[nd->b]));
			ec = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(t + i + nd->c)),
			    _mm_set1_epi8(nd->s[nd->c]));
			bits = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_and_si128(ea, eb), ec));
			for (; bits != 0; bits &= bits - 1)
				candidate(r, k, i + (size_t)__builtin_ctz(bits));
		}
	}
	return i;
}
#endif

uint32_t
pf_matcher_scan(const struct pf_matcher *m, const char *text, size_t len, uint32_t every,
    void (*fn)(void *, size_t, size_t), void *ctx, int *escape)
{
	struct pf_run r = { m, text, len, every, 0, fn, ctx, escape };
	size_t from = 0;

	if (escape != NULL)
		*escape = 0;
#if defined(HAVE_AVX2_SCAN)
	if (!m->bytewise)
		from = m->avx512 ? scan_avx512(&r) : m->avx2 ? scan_avx2(&r) : scan_sse2(&r);
#elif defined(__SSE2__)
	if (!m->bytewise)
		from = scan_sse2(&r);
#endif
	scan_tail(&r, from);
	return r.found;
}

/* A backslash followed by u or / (escapes that can stand for plain bytes;
 * \" and \\ stand for bytes no literal holds, the others for control
 * bytes; a \u after an escaped backslash counts too, which only errs on
 * the safe side). */
static int
has_hiding_escape(const char *s, size_t len)
{
	const char *end = s + len, *p = s;

	while (p < end && (p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (p + 1 >= end)
			return 0;
		if (p[1] == 'u' || p[1] == '/')
			return 1;
		p++;
	}
	return 0;
}

uint32_t
prefilter_scan(const struct prefilter *pf, const char *text, size_t len, int *uncertain)
{
	if (pf == NULL || pf->nlits == 0) {
		*uncertain = has_hiding_escape(text, len);
		return 0;
	}
	return pf_matcher_scan(pf->m, text, len, 0, NULL, NULL, uncertain);
}

/* A JSON number at p, fast: *lo <= the double strtod reads <= *hi.  Returns
 * the end of the number, or NULL when there is none (null, a string, ...). */
static const char *
number_bounds(const char *p, const char *end, double *lo, double *hi)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	const char *start = p;
	uint64_t mant = 0;
	int neg = 0, digits = 0, dexp = 0, exp = 0, eneg = 0, edigits = 0;
	double v, margin;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (digits < 19) {
			mant = mant * 10 + (uint64_t)(*p - '0');
			if (mant != 0)
				digits++;
		} else
			dexp++;
	}
	if (p < end && *p == '.') {
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			if (digits < 19) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				if (mant != 0)
					digits++;
				dexp--;
			}
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++, edigits++)
			if (exp < 100000)
				exp = exp * 10 + (*p - '0');
		if (edigits == 0)
			return NULL;
		dexp += eneg ? -exp : exp;
	}
	if (dexp >= -22 && dexp <= 22) {
		v = (double)mant;
		v = dexp >= 0 ? v * pow10[dexp] : v / pow10[-dexp];
	} else {
		char tmp[64];
		size_t n = (size_t)(p - start);

		if (n >= sizeof tmp)
			return NULL;
		memcpy(tmp, start, n);
		tmp[n] = '\0';
		v = fabs(strtod(tmp, NULL));
	}
	if (neg)
		v = -v;
	/* At most three roundings (about 3.3e-16 relative) against strtod's
	 * correctly rounded one: 1e-15 of the value is a safe margin. */
	margin = fabs(v) * 1e-15 + 1e-300;
	*lo = v - margin;
	*hi = v + margin;
	return p;
}

static struct pf_matcher *time_keys;
static pthread_once_t time_keys_once = PTHREAD_ONCE_INIT;

static void
time_keys_init(void)
{
	static const char *const keys[] = { "\"start_time\"", "\"end_time\"" };
	static const size_t lens[] = { 12, 10 };

	time_keys = pf_matcher_new(keys, lens, 2);
}

struct times_acc {
	const char	*text;
	size_t		 len;
	double		 min_start, max_end;
	int		 fs, fe;
};

int
prefilter_time_value(const char *text, size_t len, size_t off, double *lo, double *hi)
{
	const char *end = text + len, *q = text + off;

	while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
		q++;
	if (q >= end || *q != ':')
		return 0;
	for (q++; q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'); q++)
		;
	/* null, a string: not a time json-in would use */
	return number_bounds(q, end, lo, hi) != NULL && isfinite(*lo) && isfinite(*hi);
}

/* A "start_time" (k 0) or "end_time" (k 1) key at off: take its number. */
static void
time_key(void *ctx, size_t k, size_t off)
{
	struct times_acc *t = ctx;
	double lo, hi;

	if (!prefilter_time_value(t->text, t->len, off + (k == 0 ? 12 : 10), &lo, &hi))
		return;
	if (k == 0) {
		if (!t->fs || lo < t->min_start)
			t->min_start = lo;
		t->fs = 1;
	} else {
		if (!t->fe || hi > t->max_end)
			t->max_end = hi;
		t->fe = 1;
	}
}

int
prefilter_times(const char *text, size_t len, double *min_start, double *max_end)
{
	struct times_acc t;
	int escape;

	pthread_once(&time_keys_once, time_keys_init);
	memset(&t, 0, sizeof t);
	t.text = text;
	t.len = len;
	pf_matcher_scan(time_keys, text, len, 3, time_key, &t, &escape);
	if (escape)
		return 0;
	*min_start = t.fs ? t.min_start : INFINITY;   /* no start: json-in refuses it */
	*max_end = t.fe ? t.max_end : -INFINITY;      /* no end: in progress */
	return 1;
}

void
pf_trace_init(struct pf_trace *t)
{
	memset(t, 0, sizeof *t);
	t->times = 1;
	t->max_span = -INFINITY;
	t->min_start = INFINITY;
	t->max_end = -INFINITY;
}

void
pf_trace_add_times(struct pf_trace *t, double min_start, double max_end)
{
	if (min_start < t->min_start)
		t->min_start = min_start;
	if (max_end > t->max_end)
		t->max_end = max_end;
	if (isfinite(min_start) && isfinite(max_end) && max_end - min_start > t->max_span)
		t->max_span = max_end - min_start;
}

static int
bound_ok(double v, const struct pf_node *n)
{
	return n->strict ? v > n->bound : v >= n->bound;
}

static int
possible(const struct prefilter *pf, const struct pf_node *n, const struct pf_trace *t, int times)
{
	size_t i;

	switch (n->type) {
	case PF_TRUE:
		return 1;
	case PF_LIT:
		return t->uncertain || (t->lits >> n->lit & 1);
	case PF_RT:
		if (!times || !t->times)
			return 1;
		return bound_ok(t->max_span, n);
	case PF_DUR:
		if (!times || !t->times)
			return 1;
		if (!isfinite(t->min_start) || !isfinite(t->max_end))
			return 0;
		return bound_ok(t->max_end - t->min_start, n);
	case PF_AND:
		for (i = 0; i < n->nkids; i++)
			if (!possible(pf, n->kids[i], t, times))
				return 0;
		return 1;
	case PF_OR:
		for (i = 0; i < n->nkids; i++)
			if (possible(pf, n->kids[i], t, times))
				return 1;
		return 0;
	}
	return 1;
}

int
prefilter_possible(const struct prefilter *pf, const struct pf_trace *t, int times)
{
	if (pf == NULL)
		return 1;
	return possible(pf, pf->root, t, times);
}

/* prefilter.h - a sound test on raw document text that rules traces out
 * before their JSON is parsed.
 *
 * From a bound filter it derives necessary conditions on the raw text of a
 * trace's documents (doc/internals/filter.md has the proof obligations):
 *  - literals: a trace can satisfy annotation.K = "v", http.url CONTAINS
 *    "/x", service("name"), ... only if the bytes of the value (or of its
 *    longest run of plain ASCII) occur in some document of the trace, since
 *    JSON writes such bytes as they are unless a \u escape (or \/) hides
 *    them: a document with one is "uncertain" and counts as holding every
 *    literal;
 *  - time bounds: responsetime > x needs a document whose largest raw
 *    end_time minus smallest raw start_time exceeds x (the root's own times
 *    are among them); duration > x needs the trace's largest raw end_time
 *    minus its smallest raw start_time to exceed x;
 * combined as the filter combines them (AND, OR; a negation tells nothing).
 * A trace for which prefilter_possible() says 0 cannot match the filter;
 * any other trace must still be evaluated on its decoded documents.
 * Pure and thread-safe once built.
 */
#ifndef XRAYTOP_PREFILTER_H
#define XRAYTOP_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

struct filter;

#define PF_MAX_LITERALS  16

/* What is known of one trace so far. */
struct pf_trace {
	uint32_t	 lits;          /* bit i: literal i seen in some document */
	int		 uncertain;     /* some document has an escape that can hide bytes */
	int		 times;         /* the time bounds below cover every document */
	double		 max_span;      /* max over documents of (largest end - smallest start) */
	double		 min_start;     /* smallest start_time seen */
	double		 max_end;       /* largest end_time seen */
};

struct prefilter;

/* NULL when the filter gives nothing to rule a trace out with. */
struct prefilter *prefilter_new(const struct filter *f);
void prefilter_free(struct prefilter *pf);
size_t prefilter_nliterals(const struct prefilter *pf);
/* Literal i as bytes (for diagnostics and tests). */
const char *prefilter_literal(const struct prefilter *pf, size_t i, size_t *len);
/* The filter has time bounds worth a second look at the documents. */
int prefilter_uses_times(const struct prefilter *pf);

/* A set of byte strings found in one pass over a text (SSE2 where the
 * machine has it: two bytes of each needle are compared 16 positions at a
 * time, candidates checked in full).  Up to 32 needles of 1 to 255 bytes. */
struct pf_matcher;
struct pf_matcher *pf_matcher_new(const char *const *needles, const size_t *lens, size_t n);
void pf_matcher_free(struct pf_matcher *m);
/* Use at most this instruction set: 3 AVX-512BW, 2 AVX2, 1 SSE2, 0 none
 * (for the tests: every path gives the same answers). */
void pf_matcher_limit(struct pf_matcher *m, int level);
/* Bit k set when needle k occurs in text; for each needle k in every (a
 * bit mask), fn(ctx, k, offset) at each occurrence, in order of offset per
 * needle.  *escape (when not NULL) is set when text holds a backslash
 * followed by u or / (an escape that can stand for plain bytes). */
uint32_t pf_matcher_scan(const struct pf_matcher *m, const char *text, size_t len, uint32_t every,
    void (*fn)(void *ctx, size_t k, size_t off), void *ctx, int *escape);

/* Literals (bits) found in one document's text; *uncertain when it holds
 * an escape (\u, \/) that could hide some. */
uint32_t prefilter_scan(const struct prefilter *pf, const char *text, size_t len, int *uncertain);
/* The raw time bounds of one document's text: at most the smallest number
 * after a "start_time" key, at least the largest after an "end_time" key
 * (any depth; numbers read fast and widened by 1e-15 of their value, more
 * than their rounding can differ from strtod's); +inf / -inf when there is
 * none.  Returns 0 when the text holds an escape (nothing is known). */
int prefilter_times(const char *text, size_t len, double *min_start, double *max_end);
/* The number after the "start_time" or "end_time" key that ends at off
 * (before the colon), as prefilter_times reads it: 1 and its bounds, or 0
 * when there is none (null, a string). */
int prefilter_time_value(const char *text, size_t len, size_t off, double *lo, double *hi);
/* Start a trace's facts (every bound empty) and add one document's times. */
void pf_trace_init(struct pf_trace *t);
void pf_trace_add_times(struct pf_trace *t, double min_start, double max_end);

/* 0 when a trace with these facts cannot match; times says whether the
 * time bounds in t may be used (else they count as unknown). */
int prefilter_possible(const struct prefilter *pf, const struct pf_trace *t, int times);

#endif

/* select.h - whole traces from files, only those a filter can match.
 *
 * select_read files into a store every trace of the inputs that the filter
 * may match (all of them when no shortcut applies), complete and in file
 * order, so that evaluating the filter on the store afterwards gives
 * exactly what evaluating it on a store of every trace would.
 *
 * The shortcut (prefilter.h), taken when every input is a regular JSON
 * Lines file and the filter has a necessary condition on raw text:
 *  1. every line is scanned, not parsed, in one pass: the raw values of its
 *     "trace_id" members (lines json-in would not take as a plain segment
 *     document, and lines with \u or \/ escapes, are decoded instead),
 *     which literals of the filter it holds, and when the filter has time
 *     bounds its raw start and end times; lines are remembered per trace by
 *     file offset;
 *  2. the lines of the traces that may still match are read again and
 *     decoded into the store, in file order.
 * Lines of ruled-out traces are never parsed, so a broken one among them
 * is not reported (the exit status can then be 0 where a full read says 3).
 * Worker threads scan, read and decode; the store is only touched by the
 * calling thread.
 */
#ifndef XRAYTOP_SELECT_H
#define XRAYTOP_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "xraytop/sink.h"
#include "xraytop/source-file.h"

struct arena;
struct filter;
struct store;
struct svcmap;
struct trace;

struct select_opts {
	unsigned	 json_opts;     /* JSON_LEAN ... */
	int		 threads;       /* -1 one per core, 0 none */
	int		 prefilter;     /* 0: always read everything (the exact reference path) */
	/* Problems as "FILE:LINE: message"; NULL prints them to stderr. */
	void		(*report)(void *ctx, const char *msg);
	void		*report_ctx;
};

struct select_stats {
	struct source_file_stats read;  /* documents: those given to the store */
	int		 prefiltered;   /* the shortcut ran */
	uint64_t	 lines;         /* non-blank lines seen */
	uint64_t	 decoded_early; /* lines decoded in step 1 */
	uint64_t	 decoded;       /* lines decoded into the store (step 2) */
	uint64_t	 traces;        /* traces seen in step 1 */
	uint64_t	 candidates;    /* traces decoded */
	double		 seconds[2];    /* wall time of steps 1, 2 */
	double		 cpu[2];        /* and CPU time (every thread) */
};

/* Read paths ("-" is standard input); documents of the traces that may
 * match f (NULL: every trace) go to st; summaries and GetServiceGraph
 * pages go to other (either callback may be NULL).  Returns 0, or -1 when
 * an input could not be opened or read (as source_file_read). */
int select_read(const char *const *paths, size_t npaths, const struct filter *f,
    const struct select_opts *o, struct store *st, const struct sink *other,
    struct select_stats *stats);

/* Give m the current documents of t as they were sent: each segment, and
 * each independent subsegment, as its own document (scratch holds copies
 * for the duration of the call). */
void select_feed_map(struct svcmap *m, const struct trace *t, struct arena *scratch);

#endif

/* store.h - the trace assembler: whole traces from pieces in any order.
 *
 * store_add takes one decoded top-level document and files it under its
 * trace, copying it into the trace's own arena (the caller's copy may be
 * freed afterwards).  Pieces may come in any order:
 *  - a segment seen again with the same id replaces the earlier copy when
 *    the new one is complete, or when both are complete (the later wins, as
 *    X-Ray does; of two in-progress copies the later too); an in-progress
 *    copy never replaces a complete one;
 *  - an independent subsegment ("type": "subsegment") is attached under the
 *    entity its parent_id names, found anywhere in the trace; until that
 *    entity arrives it waits in the trace's pending list, and it is attached
 *    as soon as it does (and so, transitively, the pending ones under it).
 *    One seen again replaces the earlier copy under the same rules as
 *    segments.  When a document is replaced, the independent subsegments
 *    attached inside the old copy are attached again inside the new one
 *    (or wait again when their parent is no longer there).
 * Segments and independent subsegments are matched by id each among their
 * own kind.  start/end cover the current documents (recomputed when one is
 * replaced).  A replaced copy stays in the trace's arena until the trace is
 * freed, or until replaced copies pass half the trace's documents (a sender
 * resending documents): store_add then copies the current documents into a
 * fresh arena, so a trace's memory stays bounded; pointers into a trace are
 * therefore valid only until the next store_add or store_evict.  A trace is
 * freed as a whole (one arena).  Not thread-safe.
 *
 * Live use bounds memory by evicting the oldest traces (store_evict); a
 * document that arrives for an evicted trace starts a new trace of the same
 * id, which knows nothing of the evicted pieces.
 */
#ifndef XRAYTOP_STORE_H
#define XRAYTOP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "xraytop/model.h"

struct trace {
	const char	*id;            /* in the trace's arena */
	struct arena	*arena;
	struct segment	**segments;     /* top-level segment documents, merged */
	size_t		 nsegments;
	size_t		 capsegments;
	struct segment	**pending;      /* independent subsegments with no parent yet */
	size_t		 npending;
	size_t		 cappending;
	double		 start;         /* earliest start_time of any document */
	double		 end;           /* latest end_time of any document */
	uint64_t	 seq;           /* order of first arrival */
};

struct store;

struct store *store_new(void);
void store_free(struct store *st);
/* File one document; returns its trace (never NULL for a document with a
 * trace_id; NULL and nothing stored when doc has none). */
struct trace *store_add(struct store *st, const struct segment *doc);
struct trace *store_find(struct store *st, const char *trace_id);
size_t store_ntraces(const struct store *st);
/* Traces in order of first arrival (the oldest held is 0). */
struct trace *store_trace(struct store *st, size_t i);
/* Free the n oldest traces (by first arrival); gone (may be NULL) sees each
 * one just before it is freed.  Returns how many were evicted. */
size_t store_evict(struct store *st, size_t n, void (*gone)(void *ctx, const struct trace *t),
    void *ctx);
/* The root segment: the segment with no parent_id (or whose parent is not
 * in the trace), the earliest such when several; when every segment has its
 * parent in the trace (a cycle), the earliest segment; NULL for a trace
 * without segment documents. */
struct segment *trace_root(const struct trace *t);
/* The entity with this id anywhere in the trace, or NULL. */
struct segment *trace_find(const struct trace *t, const char *id);

#endif

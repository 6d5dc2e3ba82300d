/* tracetree.h - the entities of one trace in the order they are drawn.
 *
 * tracetree_build lays every entity of an assembled trace (segments, their
 * subsegments at any depth, independent subsegments still waiting for their
 * parent) out as rows, the way the X-Ray console draws a trace: segments
 * hang under the entity their parent_id names (usually the caller's
 * subsegment), subsegments under their parent, siblings in start order.  A
 * segment whose parent is not in the trace is a root (roots in start
 * order); pieces that a parent_id cycle cuts off from every root are drawn
 * as roots too (the earliest document first), so every entity is on
 * exactly one row.
 *
 * Rows are in depth-first pre-order: the subtree of row i is rows i to
 * i + size - 1, and the children of row i are i + 1, then each next one at
 * the previous child's row + its size.  Used by the text waterfall
 * (export_waterfall) and the timeline view.
 *
 * The critical path is marked as Jaeger computes it: from the first root,
 * the child that finishes last (ends clipped to the parent's end) is on
 * the path, then the child that finishes last before that one started, and
 * so on; each chosen child is followed the same way inside its own span.
 * An entity in progress counts as running to the end of the trace.
 */
#ifndef XRAYTOP_TRACETREE_H
#define XRAYTOP_TRACETREE_H

#include <stddef.h>

struct segment;
struct trace;

struct tt_row {
	struct segment	*s;
	long		 parent;    /* row of the entity it hangs under, -1 for a root */
	size_t		 depth;     /* 0 for a root */
	size_t		 size;      /* rows in its subtree, itself included */
	int		 last;      /* the last child of its parent (roots: 1) */
	int		 orphan;    /* an independent subsegment whose parent is missing */
	int		 critical;  /* on the critical path */
};

struct tracetree {
	struct tt_row	*rows;
	size_t		 nrows;
	double		 t0;        /* earliest start of any entity (0 when none) */
	double		 t1;        /* latest end (or start) of any entity */
};

/* Lay out t (NULL gives no rows); free with tracetree_free. */
void tracetree_build(struct tracetree *tt, const struct trace *t);
void tracetree_free(struct tracetree *tt);
/* End time of row i's entity as drawn: its end_time, or the trace's end
 * while it is in progress; never before its start. */
double tracetree_end(const struct tracetree *tt, size_t i);

#endif

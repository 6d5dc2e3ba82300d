/* test-store.c - the trace assembler, trace summaries and the waterfall.
 *
 * The merge rules one by one on hand-built documents, then the two corpus
 * captures through json-in against the corpus README's ground truth, then
 * the waterfall of a hand-built trace (golden text) and of corpus traces.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/export.h"
#include "xraytop/json-in.h"
#include "xraytop/model.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#include "tap.h"

#define TID "1-5f000000-000000000000000000000001"

static struct arena *A;  /* where hand-built documents live */

/* A top-level document: a segment, or an independent subsegment when
 * parent_id is set and indep is nonzero.  end 0 means in progress. */
static struct segment *
doc(const char *trace_id, const char *name, const char *id, const char *parent_id,
    double start, double end, int indep)
{
	struct segment *s = arena_calloc(A, 1, sizeof *s);

	s->name = name;
	s->id = id;
	s->trace_id = trace_id;
	s->parent_id = parent_id;
	s->start_time = start;
	s->end_time = end;
	if (end == 0)
		s->flags |= SEG_IN_PROGRESS;
	if (indep)
		s->flags |= SEG_INDEPENDENT | SEG_SUBSEGMENT;
	return s;
}

/* A nested subsegment of p. */
static struct segment *
sub(struct segment *p, const char *name, const char *id, double start, double end)
{
	struct segment *s = arena_calloc(A, 1, sizeof *s);

	s->name = name;
	s->id = id;
	s->trace_id = p->trace_id;
	s->start_time = start;
	s->end_time = end;
	s->flags = SEG_SUBSEGMENT | (end == 0 ? SEG_IN_PROGRESS : 0);
	segment_append_child(p, s);
	return s;
}

static size_t
count_children(const struct segment *s, const char *id)
{
	const struct segment *c;
	size_t n = 0;

	for (c = s->children; c != NULL; c = c->next)
		if (id == NULL || (c->id != NULL && strcmp(c->id, id) == 0))
			n++;
	return n;
}

static size_t
trace_entities(const struct trace *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nsegments; i++)
		n += segment_count(t->segments[i]);
	for (i = 0; i < t->npending; i++)
		n += segment_count(t->pending[i]);
	return n;
}

/* Nonzero when the entity with this id is attached under the entity with pid. */
static int
attached_under(const struct trace *t, const char *id, const char *pid)
{
	struct segment *s = trace_find(t, id);

	return s != NULL && s->parent != NULL && s->parent->id != NULL &&
	    strcmp(s->parent->id, pid) == 0 && count_children(s->parent, id) == 1;
}

static void
test_duplicates(void)
{
	struct store *st = store_new();
	struct trace *t;
	struct segment *a;

	a = doc(TID, "svc", "a000000000000001", NULL, 100.0, 101.0, 0);
	t = store_add(st, a);
	ok(t != NULL, "dup: trace returned");
	store_add(st, a);
	is_int(store_ntraces(st), 1, "dup: one trace");
	is_int(t->nsegments, 1, "dup: the same segment twice is counted once");
	is_str(t->id, TID, "dup: trace id kept");
	ok(store_find(st, TID) == t, "dup: store_find gives the trace");
	ok(store_find(st, "1-5f000000-000000000000000000000002") == NULL, "dup: unknown id -> NULL");
	ok(store_add(st, doc(NULL, "x", "b000000000000001", NULL, 1, 2, 0)) == NULL,
	    "no trace_id: not stored");
	ok(store_add(st, doc("", "x", "b000000000000001", NULL, 1, 2, 0)) == NULL,
	    "empty trace_id: not stored");
	is_int(store_ntraces(st), 1, "no trace_id: still one trace");
	store_free(st);

	/* in progress, then complete */
	st = store_new();
	t = store_add(st, doc(TID, "svc", "a000000000000001", NULL, 100.0, 0, 0));
	ok(t->segments[0]->flags & SEG_IN_PROGRESS, "in-progress first: stored in progress");
	is_dbl(t->end, 0, 0, "in-progress first: no end yet");
	store_add(st, doc(TID, "svc", "a000000000000001", NULL, 100.0, 100.5, 0));
	is_int(t->nsegments, 1, "in-progress then complete: one segment");
	ok(!(t->segments[0]->flags & SEG_IN_PROGRESS), "in-progress then complete: complete kept");
	is_dbl(t->end, 100.5, 1e-9, "in-progress then complete: end from the complete copy");
	/* then in progress again: ignored */
	a = doc(TID, "svc-late", "a000000000000001", NULL, 100.0, 0, 0);
	store_add(st, a);
	is_int(t->nsegments, 1, "complete then in-progress: one segment");
	ok(!(t->segments[0]->flags & SEG_IN_PROGRESS), "complete then in-progress: complete kept");
	is_str(t->segments[0]->name, "svc", "complete then in-progress: the complete copy");
	/* later complete wins */
	store_add(st, doc(TID, "svc-v2", "a000000000000001", NULL, 100.0, 100.75, 0));
	is_int(t->nsegments, 1, "two completes: one segment");
	is_str(t->segments[0]->name, "svc-v2", "two completes: the later wins");
	is_dbl(t->end, 100.75, 1e-9, "two completes: end recomputed");
	/* two in-progress copies: the later wins */
	store_add(st, doc(TID, "b1", "b000000000000001", "0000000000000000", 99.0, 0, 0));
	store_add(st, doc(TID, "b2", "b000000000000001", "0000000000000000", 99.0, 0, 0));
	is_int(t->nsegments, 2, "two in-progress: one more segment");
	is_str(t->segments[1]->name, "b2", "two in-progress: the later wins");
	is_dbl(t->start, 99.0, 1e-9, "start: earliest of every document");
	store_free(st);
}

static void
test_independent(void)
{
	struct store *st;
	struct trace *t;
	struct segment *a, *i1, *i2;

	/* Subsegment before its parent segment. */
	st = store_new();
	a = doc(TID, "gateway", "a000000000000001", NULL, 10.0, 11.0, 0);
	sub(a, "remote", "a000000000000002", 10.1, 10.9);
	i1 = doc(TID, "localhost", "c000000000000001", "a000000000000002", 10.2, 10.3, 1);
	t = store_add(st, i1);
	is_int(t->npending, 1, "indep before parent: pending");
	is_int(t->nsegments, 0, "indep before parent: no segment yet");
	ok(trace_root(t) == NULL, "indep before parent: no root yet");
	ok(trace_find(t, "c000000000000001") != NULL, "indep before parent: trace_find sees pending");
	is_dbl(t->start, 10.2, 1e-9, "indep before parent: start from the pending document");
	store_add(st, a);
	is_int(t->npending, 0, "indep before parent: attached when the parent arrives");
	ok(attached_under(t, "c000000000000001", "a000000000000002"),
	    "indep before parent: under the subsegment parent_id names");
	is_int(trace_entities(t), 3, "indep before parent: 3 entities");
	is_dbl(t->start, 10.0, 1e-9, "indep before parent: start");
	is_dbl(t->end, 11.0, 1e-9, "indep before parent: end");
	store_free(st);

	/* Subsegment after its parent; directly under the segment. */
	st = store_new();
	t = store_add(st, a);
	store_add(st, doc(TID, "DynamoDB", "c000000000000002", "a000000000000001", 10.0, 10.05, 1));
	is_int(t->npending, 0, "indep after parent: attached at once");
	ok(attached_under(t, "c000000000000002", "a000000000000001"),
	    "indep after parent: under the segment");
	store_add(st, doc(TID, "DynamoDB", "c000000000000002", "a000000000000001", 10.0, 10.05, 1));
	is_int(count_children(t->segments[0], "c000000000000002"), 1,
	    "indep seen twice: attached once");
	store_free(st);

	/* Parent inside another independent subsegment: every order. */
	{
		static const int orders[6][3] = {
			{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
		};
		struct segment *docs[3];
		int k, j, good = 0;

		docs[0] = a;
		docs[1] = i1 = doc(TID, "outer", "d000000000000001", "a000000000000002", 10.2, 10.6, 1);
		sub(i1, "inner", "d000000000000002", 10.3, 10.5);
		docs[2] = i2 = doc(TID, "deep", "d000000000000003", "d000000000000002", 10.35, 10.4, 1);
		for (k = 0; k < 6; k++) {
			st = store_new();
			for (j = 0; j < 3; j++)
				t = store_add(st, docs[orders[k][j]]);
			if (t->npending == 0 && t->nsegments == 1 &&
			    attached_under(t, "d000000000000001", "a000000000000002") &&
			    attached_under(t, "d000000000000003", "d000000000000002") &&
			    segment_count(t->segments[0]) == 5)
				good++;
			else
				diag("order %d %d %d: pending %zu", orders[k][0], orders[k][1],
				    orders[k][2], t->npending);
			store_free(st);
		}
		is_int(good, 6, "nested parent in another indep: attached in all 6 orders");
	}

	/* A parent that never arrives: pending, never lost. */
	st = store_new();
	t = store_add(st, doc(TID, "orphan", "e000000000000001", "ffffffffffffffff", 5.0, 6.0, 1));
	store_add(st, a);
	is_int(t->npending, 1, "missing parent: still pending");
	ok(trace_root(t) == t->segments[0], "missing parent: root is the segment");
	store_free(st);
}

static void
test_replacement(void)
{
	struct store *st = store_new();
	struct trace *t;
	struct segment *a0, *a1, *a2, *x, *i1, *i2;

	/* Segment in progress with the caller subsegment open; streamed
	 * subsegments attach under it; then the complete segment arrives. */
	a0 = doc(TID, "gateway", "a000000000000001", NULL, 20.0, 0, 0);
	sub(a0, "remote", "a000000000000002", 20.1, 0);
	t = store_add(st, a0);
	i1 = doc(TID, "localhost", "c000000000000001", "a000000000000002", 20.2, 20.3, 1);
	sub(i1, "nested", "c000000000000009", 20.21, 20.29);
	store_add(st, i1);
	store_add(st, doc(TID, "DynamoDB", "c000000000000002", "a000000000000001", 20.05, 20.08, 1));
	/* and one under the first streamed one */
	store_add(st, doc(TID, "deep", "c000000000000003", "c000000000000009", 20.22, 20.23, 1));
	is_int(t->npending, 0, "replace: all attached before");
	is_int(trace_entities(t), 6, "replace: 6 entities before");

	a1 = doc(TID, "gateway", "a000000000000001", NULL, 20.0, 21.0, 0);
	x = sub(a1, "remote", "a000000000000002", 20.1, 20.9);
	store_add(st, a1);
	is_int(t->nsegments, 1, "replace: one segment");
	ok(!(t->segments[0]->flags & SEG_IN_PROGRESS), "replace: the complete copy");
	is_int(t->npending, 0, "replace: nothing pending");
	ok(attached_under(t, "c000000000000001", "a000000000000002"),
	    "replace: streamed subsegment re-attached under the new subsegment copy");
	ok(segment_find(t->segments[0], "c000000000000001") != NULL,
	    "replace: reachable from the new segment");
	ok(attached_under(t, "c000000000000002", "a000000000000001"),
	    "replace: streamed subsegment re-attached under the new segment");
	ok(attached_under(t, "c000000000000003", "c000000000000009"),
	    "replace: the one under a streamed one stays there");
	is_int(segment_count(t->segments[0]), 6, "replace: 6 entities after");
	ok(!(trace_find(t, "a000000000000002")->flags & SEG_IN_PROGRESS),
	    "replace: trace_find gives the new copy");
	(void)x;

	/* A newer copy without the subsegment: the streamed one waits again. */
	a2 = doc(TID, "gateway", "a000000000000001", NULL, 20.0, 21.5, 0);
	store_add(st, a2);
	is_int(t->npending, 1, "replace without parent: one pending");
	is_str(t->npending ? t->pending[0]->id : NULL, "c000000000000001",
	    "replace without parent: the streamed one waits");
	ok(attached_under(t, "c000000000000002", "a000000000000001"),
	    "replace without parent: the other is re-attached");
	is_dbl(t->end, 21.5, 1e-9, "replace: end recomputed");
	/* and the subsegment comes back in a later copy */
	store_add(st, a1);
	is_int(t->npending, 0, "parent back: attached again");
	ok(attached_under(t, "c000000000000001", "a000000000000002"), "parent back: under it");
	is_int(segment_count(t->segments[0]), 6, "parent back: 6 entities");

	/* An independent subsegment replaced: in progress, then complete. */
	i2 = doc(TID, "localhost", "c000000000000001", "a000000000000002", 20.2, 0, 1);
	store_add(st, i2);
	ok(!(trace_find(t, "c000000000000001")->flags & SEG_IN_PROGRESS),
	    "indep complete then in-progress: complete kept");
	i2 = doc(TID, "localhost-v2", "c000000000000001", "a000000000000002", 20.2, 20.35, 1);
	sub(i2, "nested", "c000000000000009", 20.21, 20.29);
	store_add(st, i2);
	ok(attached_under(t, "c000000000000001", "a000000000000002"), "indep replaced: attached once");
	is_str(trace_find(t, "c000000000000001")->name, "localhost-v2", "indep replaced: the later copy");
	ok(attached_under(t, "c000000000000003", "c000000000000009"),
	    "indep replaced: the one under it moves to the new copy");
	ok(trace_find(t, "c000000000000003")->parent->parent == trace_find(t, "c000000000000001"),
	    "indep replaced: inside the new copy");
	is_int(segment_count(t->segments[0]), 6, "indep replaced: 6 entities");
	is_int(t->npending, 0, "indep replaced: nothing pending");
	store_free(st);
}

static void
test_root_and_many(void)
{
	struct store *st = store_new();
	struct trace *t;
	struct segment *a;
	char tid[64], id[32];
	int i, good;

	/* root: no parent_id, else parent not in the trace; the earliest */
	t = store_add(st, doc(TID, "down", "a000000000000003", "a000000000000002", 30.1, 30.2, 0));
	ok(trace_root(t) == t->segments[0], "root: a segment whose parent is not in the trace");
	a = doc(TID, "up", "a000000000000001", NULL, 30.0, 30.5, 0);
	sub(a, "call", "a000000000000002", 30.05, 30.3);
	store_add(st, a);
	is_str(trace_root(t)->name, "up", "root: the one without parent_id");
	store_add(st, doc(TID, "other", "a000000000000009", "9999999999999999", 29.0, 29.5, 0));
	is_str(trace_root(t)->name, "other", "root: the earliest of several");
	store_free(st);

	/* many traces, and one big trace (document index) */
	st = store_new();
	for (i = 0; i < 50000; i++) {
		snprintf(tid, sizeof tid, "1-5f000000-%024d", i);
		a = doc(arena_strdup(A, tid), "s", "a000000000000001", NULL, 1000 + i, 1000.5 + i, 0);
		store_add(st, a);
	}
	is_int(store_ntraces(st), 50000, "many: 50000 traces");
	good = 0;
	for (i = 0; i < 50000; i++) {
		snprintf(tid, sizeof tid, "1-5f000000-%024d", i);
		t = store_find(st, tid);
		if (t != NULL && strcmp(t->id, tid) == 0 && store_trace(st, (size_t)i) == t &&
		    t->seq == (uint64_t)i)
			good++;
	}
	is_int(good, 50000, "many: every trace found, in order of arrival");
	ok(store_trace(st, 50000) == NULL, "many: index past the end -> NULL");
#define BIG "1-5f000000-ffffffffffffffffffffffff"
	for (i = 0; i < 300; i++) {
		snprintf(id, sizeof id, "b%015d", i);
		store_add(st, doc(BIG, "big", arena_strdup(A, id), "a000000000000001", 1 + i, 0, 0));
	}
	for (i = 0; i < 300; i++) {
		snprintf(id, sizeof id, "b%015d", i);
		store_add(st, doc(BIG, "big", arena_strdup(A, id), "a000000000000001", 1 + i, 2 + i, 0));
		store_add(st, doc(BIG, "big", arena_strdup(A, id), "a000000000000001", 1 + i, 0, 0));
	}
	is_int(store_ntraces(st), 50001, "big trace: one more trace");
	t = store_find(st, BIG);
	is_int(t->nsegments, 300, "big trace: 300 segments after 900 documents");
	good = 0;
	for (i = 0; i < 300; i++)
		if (!(t->segments[i]->flags & SEG_IN_PROGRESS))
			good++;
	is_int(good, 300, "big trace: every segment complete");
	store_add(st, doc(BIG, "late", "c000000000000001", "b000000000000150", 151.5, 151.6, 1));
	ok(attached_under(t, "c000000000000001", "b000000000000150"), "big trace: indep attached");
	store_free(st);
}

/* ---------------------------------------------------------------- random orders */

#define RL 8   /* logical documents: 4 segments, 4 independent subsegments */

static unsigned long long rng_state;

static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static size_t
count_id(const struct segment *s, const char *id)
{
	const struct segment *c;
	size_t n = s->id != NULL && strcmp(s->id, id) == 0;

	for (c = s->children; c != NULL; c = c->next)
		n += count_id(c, id);
	return n;
}

static size_t
trace_count_id(const struct trace *t, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < t->nsegments; i++)
		n += count_id(t->segments[i], id);
	for (i = 0; i < t->npending; i++)
		n += count_id(t->pending[i], id);
	return n;
}

/* Random streams of segments and independent subsegments, each in two
 * versions (in progress, complete) and two shapes (with or without a nested
 * branch), parents chosen at random (possibly missing, possibly circular);
 * after every document the store must agree with the merge rules. */
static void
test_random(void)
{
	static char ids[RL][4][20], pids[RL][20], names[2][2][8];
	struct segment *docs[RL][2][2];
	int cur[RL][2], round, step, k, v, shape, failures = 0, checks = 0;
	size_t expect, nseg, nind, i;

	for (v = 0; v < 2; v++)
		for (shape = 0; shape < 2; shape++)
			snprintf(names[v][shape], sizeof names[v][shape], "v%d%d", v, shape);
	rng_state = 88172645463325252ULL;
	for (round = 0; round < 400 && failures < 5; round++) {
		struct store *st = store_new();
		struct trace *t = NULL;

		for (k = 0; k < RL; k++) {
			for (i = 0; i < 4; i++)
				snprintf(ids[k][i], sizeof ids[k][i], "%c%02d%013zu", k < RL / 2 ? 's' : 'i', k, i);
			if (k >= RL / 2) {
				unsigned pick = rnd(RL * 4 + 2);

				if (pick >= RL * 4)
					snprintf(pids[k], sizeof pids[k], "missing%09u", pick);
				else
					snprintf(pids[k], sizeof pids[k], "%s", ids[pick / 4][pick % 4]);
			}
			for (v = 0; v < 2; v++)
				for (shape = 0; shape < 2; shape++) {
					struct segment *d, *b;

					d = doc(TID, names[v][shape], ids[k][0], k < RL / 2 ? NULL : pids[k],
					    10 + k, v ? 20 + k : 0, k >= RL / 2);
					if (k > 0 && k < RL / 2)
						d->parent_id = ids[k - 1][1 + rnd(3)];
					sub(d, "n1", ids[k][1], 10.1 + k, 10.2 + k);
					if (shape == 0) {
						b = sub(d, "n2", ids[k][2], 10.3 + k, 10.4 + k);
						sub(b, "n3", ids[k][3], 10.31 + k, 10.32 + k);
					}
					docs[k][v][shape] = d;
				}
			cur[k][0] = -1;
		}
		for (step = 0; step < 24; step++) {
			k = (int)rnd(RL);
			v = (int)rnd(2);
			shape = (int)rnd(2);
			t = store_add(st, docs[k][v][shape]);
			if (cur[k][0] < 0 || v == 1 || cur[k][0] == 0) {
				cur[k][0] = v;
				cur[k][1] = shape;
			}
			expect = nseg = nind = 0;
			for (k = 0; k < RL; k++) {
				if (cur[k][0] < 0)
					continue;
				expect += cur[k][1] == 0 ? 4 : 2;
				if (k < RL / 2)
					nseg++;
				else
					nind++;
			}
			checks++;
			if (trace_entities(t) != expect || t->nsegments != nseg || t->npending > nind) {
				diag("round %d step %d: %zu entities (want %zu), %zu segments (want %zu)",
				    round, step, trace_entities(t), expect, t->nsegments, nseg);
				failures++;
				break;
			}
			for (k = 0; k < RL; k++) {
				struct segment *e;
				int bad = 0;

				if (cur[k][0] < 0)
					continue;
				e = trace_find(t, ids[k][0]);
				bad |= e == NULL || strcmp(e->name, names[cur[k][0]][cur[k][1]]) != 0;
				for (i = 0; i < (cur[k][1] == 0 ? 4u : 2u); i++)
					bad |= trace_count_id(t, ids[k][i]) != 1;
				if (!bad && k >= RL / 2 && e->parent != NULL)
					bad |= e->parent->id == NULL || strcmp(e->parent->id, pids[k]) != 0;
				if (!bad && k >= RL / 2 && e->parent == NULL) {
					/* waiting: its parent must not be reachable */
					for (i = 0; i < t->nsegments; i++)
						bad |= segment_find(t->segments[i], pids[k]) != NULL;
					for (i = 0; i < t->npending && t->pending[i] != e; i++)
						;
					bad |= i == t->npending;
				}
				if (bad) {
					diag("round %d step %d: document %d (%s) misplaced", round, step, k,
					    ids[k][0]);
					failures++;
					break;
				}
			}
			if (failures)
				break;
		}
		store_free(st);
	}
	is_int(failures, 0, "random orders: %d states checked against the merge rules", checks);
}

static struct annotation *
annos(size_t n)
{
	return arena_calloc(A, n, sizeof(struct annotation));
}

static void
test_summary_hand(void)
{
	struct store *st = store_new();
	struct arena *sa = arena_new(0);
	struct trace *t;
	struct trace_summary sum;
	struct segment *root, *down, *inf, *late, *x, *i1;
	struct annotation *an;
	struct http_info *h;

	/* root "web" [100, 100.4] error 404 user u1; "api" [100.05, 100.3]
	 * (another service) called from web's subsegment; "api" again; an
	 * inferred segment; a segment of a third service that starts before
	 * the root (skewed clock) but is not the entry point. */
	root = doc(TID, "web", "a000000000000001", NULL, 100.0, 100.4, 0);
	root->origin = "AWS::EC2::Instance";
	root->user = "u1";
	root->flags |= SEG_ERROR;
	h = arena_calloc(A, 1, sizeof *h);
	h->method = "GET";
	h->url = "http://web/x";
	h->user_agent = "ua";
	h->client_ip = "10.0.0.1";
	h->status = 404;
	root->http = h;
	root->annotations = an = annos(3);
	root->nannotations = 3;
	an[0] = (struct annotation){ .key = "n", .type = ANNO_STRING, .str = "5" };
	an[1] = (struct annotation){ .key = "n", .type = ANNO_NUMBER, .num = 5 };
	an[2] = (struct annotation){ .key = "b", .type = ANNO_BOOL, .boolean = 1 };
	x = sub(root, "api-call", "a000000000000002", 100.04, 100.35);
	x->annotations = an = annos(2);
	x->nannotations = 2;
	an[0] = (struct annotation){ .key = "n", .type = ANNO_NUMBER, .num = 5 };
	an[1] = (struct annotation){ .key = "n", .type = ANNO_NUMBER, .num = 7 };
	down = doc(TID, "api", "b000000000000001", "a000000000000002", 100.05, 100.3, 0);
	down->annotations = an = annos(1);
	down->nannotations = 1;
	an[0] = (struct annotation){ .key = "b", .type = ANNO_BOOL, .boolean = 1 };
	inf = doc(TID, "table", "c000000000000001", "a000000000000002", 100.06, 100.07, 0);
	inf->flags |= SEG_INFERRED;
	late = doc(TID, "skewed", "d000000000000001", "b000000000000001", 99.99, 100.2, 0);

	t = store_add(st, late);
	store_add(st, down);
	store_add(st, inf);
	store_add(st, doc(TID, "api", "b000000000000002", "a000000000000002", 100.1, 100.2, 0));
	store_add(st, root);
	summary_from_trace(&sum, t, sa);
	is_str(sum.id, TID, "summary: id");
	is_dbl(sum.start, 99.99, 1e-9, "summary: start is the earliest start");
	is_dbl(sum.duration, 100.4 - 99.99, 1e-9, "summary: duration over every document");
	is_dbl(sum.response_time, 0.4, 1e-9, "summary: response time of the root");
	is_str(sum.method, "GET", "summary: method");
	is_str(sum.url, "http://web/x", "summary: url");
	is_str(sum.user_agent, "ua", "summary: user agent");
	is_str(sum.client_ip, "10.0.0.1", "summary: client ip");
	is_str(sum.user, "u1", "summary: user");
	is_int(sum.status, 404, "summary: status");
	is_int(sum.flags, SUM_ERROR, "summary: flags of the root only");
	is_str(sum.root.name, "web", "summary: entry point");
	is_str(sum.root.type, "AWS::EC2::Instance", "summary: entry point type");
	is_int(sum.nsegments, 5, "summary: segment documents");
	is_int(sum.nservices, 3, "summary: 3 services (inferred left out, api once)");
	if (sum.nservices == 3) {
		is_str(sum.services[0].name, "web", "summary: the entry point first");
		is_str(sum.services[1].name, "skewed", "summary: then by start time");
		is_str(sum.services[2].name, "api", "summary: then by start time (2)");
		ok(sum.services[2].type == NULL, "summary: no origin -> type NULL");
	}
	/* distinct (key, type, value): b=true, n=5 (number), n=7, n="5" */
	is_int(sum.nannotations, 4, "summary: distinct annotations");
	if (sum.nannotations == 4) {
		ok(strcmp(sum.annotations[0].key, "b") == 0 && sum.annotations[0].boolean,
		    "summary: annotations sorted, b=true");
		ok(sum.annotations[1].type == ANNO_STRING && strcmp(sum.annotations[1].str, "5") == 0,
		    "summary: n=\"5\" kept apart from n=5");
		ok(sum.annotations[2].type == ANNO_NUMBER && sum.annotations[2].num == 5,
		    "summary: n=5 once");
		ok(sum.annotations[3].type == ANNO_NUMBER && sum.annotations[3].num == 7,
		    "summary: n=7");
	}
	ok(sum.nannotations > 0 && trace_root(t)->nannotations == 3 &&
	    sum.annotations[0].key != trace_root(t)->annotations[2].key &&
	    sum.method != trace_root(t)->http->method,
	    "summary: strings copied into the summary's arena");

	/* partial: an in-progress document, or a subsegment waiting for its parent */
	store_add(st, doc(TID, "api", "b000000000000003", "a000000000000002", 100.2, 0, 0));
	summary_from_trace(&sum, t, sa);
	ok(sum.flags & SUM_PARTIAL, "summary: in-progress document -> partial");
	store_free(st);

	st = store_new();
	i1 = doc(TID, "orphan", "e000000000000001", "ffffffffffffffff", 5.0, 6.0, 1);
	t = store_add(st, i1);
	summary_from_trace(&sum, t, sa);
	ok(sum.flags & SUM_PARTIAL, "summary: waiting subsegment -> partial");
	ok(sum.root.name == NULL, "summary: no root yet");
	is_dbl(sum.response_time, -1, 0, "summary: response time unknown");
	is_dbl(sum.duration, 1.0, 1e-9, "summary: duration from the subsegment document");
	is_int(sum.nservices, 0, "summary: no services yet");
	store_free(st);

	/* root in progress: response time unknown */
	st = store_new();
	t = store_add(st, doc(TID, "web", "a000000000000001", NULL, 7.0, 0, 0));
	summary_from_trace(&sum, t, sa);
	is_dbl(sum.response_time, -1, 0, "summary: root in progress -> response time unknown");
	is_dbl(sum.duration, -1, 0, "summary: nothing ended -> duration unknown");
	ok(sum.flags & SUM_PARTIAL, "summary: root in progress -> partial");
	store_free(st);
	arena_free(sa);
}

/* ---------------------------------------------------------------- corpus */

static char *
shared_path(const char *rel)
{
	const char *dir = getenv("SHARED_DIR"), *top = getenv("top_srcdir");

	if (dir != NULL && dir[0] != '\0')
		return xasprintf("%s/%s", dir, rel);
	return xasprintf("%s/../shared/%s", top != NULL ? top : ".", rel);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = xrealloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Every line of a segments.jsonl through json-in into a new store. */
static struct store *
load_corpus(const char *scenario, size_t *ndocs)
{
	char *path = xasprintf("corpus/%s/segments.jsonl", scenario), *full = shared_path(path);
	char *text, *line, *nl, err[256];
	struct arena *scratch = arena_new(0);
	struct store *st;
	struct segment *s;
	size_t len;

	*ndocs = 0;
	text = slurp(full, &len);
	if (text == NULL) {
		diag("cannot read %s", full);
		free(path);
		free(full);
		arena_free(scratch);
		return NULL;
	}
	st = store_new();
	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		if (nl > line) {
			s = json_decode_segment(line, (size_t)(nl - line), scratch, 0, err, sizeof err, NULL);
			if (s == NULL)
				diag("%s: %s", scenario, err);
			else if (store_add(st, s) != NULL)
				(*ndocs)++;
			arena_reset(scratch);
		}
		if (*nl == '\0')
			break;
	}
	free(text);
	free(path);
	free(full);
	arena_free(scratch);
	return st;
}

static size_t
count_flag(const struct segment *s, unsigned flag)
{
	const struct segment *c;
	size_t n = (s->flags & flag) ? 1 : 0;

	for (c = s->children; c != NULL; c = c->next)
		n += count_flag(c, flag);
	return n;
}

/* The driver's requests from ground-truth.json: trace id, method, status.
 * The file is pretty-printed one key per line, so lines are enough. */
struct request {
	char	 trace_id[64];
	char	 method[16];
	int	 status;
};

static size_t
load_requests(const char *scenario, struct request *r, size_t max)
{
	char *path = xasprintf("corpus/%s/ground-truth.json", scenario), *full = shared_path(path);
	char *text, *p, *line;
	size_t len, n = 0;
	int in = 0;

	text = slurp(full, &len);
	free(path);
	free(full);
	if (text == NULL)
		return 0;
	for (line = strtok_r(text, "\n", &p); line != NULL; line = strtok_r(NULL, "\n", &p)) {
		while (*line == ' ')
			line++;
		if (strncmp(line, "\"requests\": [", 13) == 0)
			in = 1;
		else if (!in)
			continue;
		else if (line[0] == '{' && n < max)
			memset(&r[n++], 0, sizeof *r);
		else if (n == 0)
			continue;
		else if (sscanf(line, "\"trace_id\": \"%63[^\"]\"", r[n - 1].trace_id) == 1)
			;
		else if (sscanf(line, "\"method\": \"%15[^\"]\"", r[n - 1].method) == 1)
			;
		else
			sscanf(line, "\"status\": %d", &r[n - 1].status);
	}
	free(text);
	return n;
}

struct expect {
	const char	*scenario;
	size_t		 docs, traces, streamed;
	int		 fault, error, throttle;
	const char	*services[3];
	int		 svc_traces[3];
	const char	*status_counts;   /* "200:20 201:8 ..." */
	const char	*root;            /* the service whose users the summaries carry */
	int		 users[6];        /* alice .. frank */
	const char	*annos;           /* "key=value:count ..." (trace counts) */
};

static const char *const user_names[6] = { "alice", "bob", "carol", "dave", "erin", "frank" };

static int
anno_matches(const struct annotation *an, const char *key, const char *value)
{
	char buf[64];

	if (strcmp(an->key, key) != 0)
		return 0;
	switch (an->type) {
	case ANNO_STRING:
		snprintf(buf, sizeof buf, "\"%s\"", an->str);
		break;
	case ANNO_NUMBER:
		snprintf(buf, sizeof buf, "%g", an->num);
		break;
	case ANNO_BOOL:
		snprintf(buf, sizeof buf, "%s", an->boolean ? "true" : "false");
		break;
	}
	return strcmp(buf, value) == 0;
}

static void
test_corpus(const struct expect *e)
{
	struct store *st;
	struct trace *t;
	struct trace_summary *sums;
	struct arena *sa;
	struct request req[64];
	size_t ndocs, i, j, pending = 0, streamed = 0, nreq, reqok = 0, reqn = 0;
	int fault = 0, error = 0, throttle = 0, svc[3] = { 0, 0, 0 }, users[6] = { 0 };
	int partial = 0, durok = 0;
	char status_buf[256] = "", *p, *tok, *save, copy[512];
	int hist[600] = { 0 };

	st = load_corpus(e->scenario, &ndocs);
	if (!ok(st != NULL, "%s: corpus read", e->scenario))
		return;
	is_int(ndocs, e->docs, "%s: documents stored", e->scenario);
	is_int(store_ntraces(st), e->traces, "%s: traces assembled", e->scenario);
	for (i = 0; i < store_ntraces(st); i++) {
		t = store_trace(st, i);
		pending += t->npending;
		for (j = 0; j < t->nsegments; j++)
			streamed += count_flag(t->segments[j], SEG_INDEPENDENT);
	}
	is_int(pending, 0, "%s: no subsegment left pending", e->scenario);
	is_int(streamed, e->streamed, "%s: streamed subsegments all attached", e->scenario);

	sa = arena_new(0);
	sums = xcalloc(store_ntraces(st), sizeof *sums);
	for (i = 0; i < store_ntraces(st); i++) {
		t = store_trace(st, i);
		summary_from_trace(&sums[i], t, sa);
		if (sums[i].flags & SUM_FAULT)
			fault++;
		if (sums[i].flags & SUM_ERROR)
			error++;
		if (sums[i].flags & SUM_THROTTLE)
			throttle++;
		if (sums[i].flags & SUM_PARTIAL)
			partial++;
		if (sums[i].status > 0 && sums[i].status < 600)
			hist[sums[i].status]++;
		for (j = 0; j < sums[i].nservices; j++) {
			int k;

			for (k = 0; k < 3; k++)
				if (e->services[k] != NULL && strcmp(sums[i].services[j].name, e->services[k]) == 0)
					svc[k]++;
		}
		if (sums[i].user != NULL)
			for (j = 0; j < 6; j++)
				if (strcmp(sums[i].user, user_names[j]) == 0)
					users[j]++;
		/* duration: latest end - earliest start over the documents */
		{
			double lo = 0, hi = 0;

			for (j = 0; j < t->nsegments; j++) {
				const struct segment *s = t->segments[j];

				if (lo == 0 || s->start_time < lo)
					lo = s->start_time;
				if (s->end_time > hi)
					hi = s->end_time;
			}
			if (sums[i].duration >= sums[i].response_time - 1e-9 &&
			    fabs(sums[i].duration - (hi - lo)) < 1e-6 &&
			    sums[i].root.name != NULL && strcmp(sums[i].root.name, e->root) == 0 &&
			    sums[i].nservices > 0 && strcmp(sums[i].services[0].name, e->root) == 0)
				durok++;
		}
	}
	is_int(fault, e->fault, "%s: traces with root fault", e->scenario);
	is_int(error, e->error, "%s: traces with root error", e->scenario);
	is_int(throttle, e->throttle, "%s: traces with root throttle", e->scenario);
	is_int(partial, 0, "%s: no trace partial", e->scenario);
	is_int(durok, e->traces, "%s: duration, root and entry service agree", e->scenario);
	for (i = 0; i < 3; i++)
		if (e->services[i] != NULL)
			is_int(svc[i], e->svc_traces[i], "%s: traces containing a segment of %s",
			    e->scenario, e->services[i]);
	for (i = 0; i < 600; i++)
		if (hist[i] > 0) {
			size_t l = strlen(status_buf);

			snprintf(status_buf + l, sizeof status_buf - l, "%s%zu:%d", l ? " " : "", i, hist[i]);
		}
	is_str(status_buf, e->status_counts, "%s: root HTTP status counts", e->scenario);
	for (i = 0; i < 6; i++)
		is_int(users[i], e->users[i], "%s: traces with user %s (%s's user field)",
		    e->scenario, user_names[i], e->root);

	/* traces per annotation value */
	snprintf(copy, sizeof copy, "%s", e->annos);
	for (tok = strtok_r(copy, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		char key[64], value[64];
		int want, got = 0;

		p = strchr(tok, '=');
		if (p == NULL || sscanf(p + 1, "%63[^:]:%d", value, &want) != 2)
			continue;
		snprintf(key, sizeof key, "%.*s", (int)(p - tok), tok);
		for (i = 0; i < store_ntraces(st); i++) {
			int n = 0;

			for (j = 0; j < sums[i].nannotations; j++)
				if (anno_matches(&sums[i].annotations[j], key, value))
					n++;
			if (n > 1)
				diag("%s: %s=%s twice in one summary", e->scenario, key, value);
			got += n;
		}
		is_int(got, want, "%s: traces with annotation %s = %s", e->scenario, key, value);
	}

	/* per request: the summary of its trace has its method and status */
	nreq = load_requests(e->scenario, req, sizeof req / sizeof req[0]);
	ok(nreq == e->traces, "%s: %zu requests in ground-truth.json", e->scenario, nreq);
	for (i = 0; i < nreq; i++) {
		if (req[i].trace_id[0] == '\0')
			continue;
		reqn++;
		for (j = 0; j < store_ntraces(st); j++)
			if (strcmp(sums[j].id, req[i].trace_id) == 0)
				break;
		if (j < store_ntraces(st) && sums[j].status == req[i].status &&
		    sums[j].method != NULL && strcmp(sums[j].method, req[i].method) == 0)
			reqok++;
		else
			diag("%s: request for %s not matched", e->scenario, req[i].trace_id);
	}
	ok(reqn > 0 && reqok == reqn, "%s: %zu/%zu requests have their trace's method and status",
	    e->scenario, reqok, reqn);

	/* the comparators */
	qsort(sums, store_ntraces(st), sizeof *sums, summary_cmp_response);
	for (i = 1, j = 0; i < store_ntraces(st); i++)
		if (sums[i - 1].response_time < sums[i].response_time)
			j++;
	is_int(j, 0, "%s: sorted by response time, slowest first", e->scenario);
	qsort(sums, store_ntraces(st), sizeof *sums, summary_cmp_start);
	for (i = 1, j = 0; i < store_ntraces(st); i++)
		if (sums[i - 1].start > sums[i].start)
			j++;
	is_int(j, 0, "%s: sorted by start", e->scenario);
	qsort(sums, store_ntraces(st), sizeof *sums, summary_cmp_id);
	for (i = 1, j = 0; i < store_ntraces(st); i++)
		if (strcmp(sums[i - 1].id, sums[i].id) >= 0)
			j++;
	is_int(j, 0, "%s: sorted by id, all distinct", e->scenario);

	free(sums);
	arena_free(sa);
	store_free(st);
}

/* ---------------------------------------------------------------- waterfall */

/* Render t into a string. */
static char *
render(const struct trace *t, int width, int *rc)
{
	char *buf = NULL, err[256] = "";
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*rc = export_waterfall(t, width, 1, f, err, sizeof err);
	fclose(f);
	if (*rc != 0)
		diag("export_waterfall: %s", err);
	return buf;
}

/* Lines of text, and whether every one is exactly width columns. */
static size_t
check_lines(const char *text, int width, size_t *bad)
{
	char line[8192];
	const char *p = text, *nl;
	size_t n = 0;

	*bad = 0;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
		if (text_width(line) != (size_t)width) {
			if (*bad == 0)
				diag("width %zu, want %d: \"%s\"", text_width(line), width, line);
			(*bad)++;
		}
		n++;
		p = *nl ? nl + 1 : nl;
	}
	return n;
}

static void
test_waterfall_golden(void)
{
	struct store *st = store_new();
	struct trace *t;
	struct segment *gw, *call, *fe, *db;
	struct http_info *h;
	char *out;
	int rc;
	size_t bad, n;

	/* gateway [0, 1.0] calls DynamoDB [0.1, 0.2] and frontend through
	 * 127.0.0.1 [0.25, 0.9]; frontend [0.3, 0.85] runs query [0.4, 0.6]
	 * that fails.  Documents arrive child first. */
	gw = doc(TID, "gateway", "a000000000000001", NULL, 1000.0, 1001.0, 0);
	gw->origin = "AWS::EC2::Instance";
	gw->flags |= SEG_FAULT;
	h = arena_calloc(A, 1, sizeof *h);
	h->method = "GET";
	h->url = "http://shop/x\x1b[31m";
	h->status = 502;
	gw->http = h;
	call = sub(gw, "127.0.0.1", "a000000000000003", 1000.25, 1000.9);
	call->namespace = "remote";
	call->flags |= SEG_FAULT;
	h = arena_calloc(A, 1, sizeof *h);
	h->status = 500;
	call->http = h;
	db = sub(gw, "DynamoDB", "a000000000000002", 1000.1, 1000.2);
	db->namespace = "aws";
	fe = doc(TID, "front\x07" "end", "b000000000000001", "a000000000000003", 1000.3, 1000.85, 0);
	fe->flags |= SEG_FAULT;
	fe->origin = "AWS::ECS::Container";
	sub(fe, "query", "b000000000000002", 1000.4, 1000.6)->flags |= SEG_ERROR;
	sub(fe, "running", "b000000000000003", 1000.7, 0);
	store_add(st, fe);
	t = store_add(st, gw);

	text_set_ascii(1);
	out = render(t, 80, &rc);
	is_int(rc, 0, "waterfall: rendered");
	n = check_lines(out, 80, &bad);
	is_int(n, 2 + 6, "waterfall: header, axis and one row per entity");
	is_int(bad, 0, "waterfall: every line exactly 80 columns");
	/* Label column: the longest label, "   `- * front?end (ECS)", 23
	 * columns (under 55% of 80-16-1 = 63); the bar gets 63-23 = 40
	 * columns for 1.0 s, 25 ms each.  gateway [0,1] -> cells 0..39;
	 * DynamoDB [.1,.2] -> 4..7; 127.0.0.1 [.25,.9] -> 10..35; frontend
	 * [.3,.85] -> 12..33; query [.4,.6] -> 16..23; running [.7, open] to
	 * the trace's end -> 28..39 drawn '~'.  Children by start time
	 * (DynamoDB before 127.0.0.1 although appended after it); frontend
	 * under the subsegment its parent_id names; the BEL in its name and
	 * the ESC in the URL print as '?'. */
	is_str(out,
	    "1-5f000000-000000000000000000000001  1970-01-01 00:16:40.000  1.00s  2 segments~\n"
	    "                        status     time 0                                  1.00s\n"
	    "* gateway (EC2)         FLT 502   1.00s ########################################\n"
	    "|- DynamoDB [aws]       OK        100ms     ####                                \n"
	    "`- 127.0.0.1 [remote]   FLT 500   650ms           ##########################    \n"
	    "   `- * front?end (ECS) FLT       550ms             ######################      \n"
	    "      |- query          ERR       200ms                 ########                \n"
	    "      `- running        RUN      >300ms                             ~~~~~~~~~~~~\n",
	    "waterfall: golden text (ASCII, 80 columns)");
	if (out != NULL && strstr(out, "\x1b") != NULL)
		ok(0, "waterfall: no escape from data");
	free(out);

	text_set_ascii(0);
	/* 61 columns: bar 21 columns, 47.6 ms each; eighth blocks end the
	 * bars: DynamoDB [2.1, 4.2] -> cells 2-3 and 2/8 of 4; 127.0.0.1
	 * [5.25, 18.9] -> 5-17 and 7/8 of 18 (151.2 eighths -> 151);
	 * frontend [6.3, 17.85] -> 6-16 and 7/8; query [8.4, 12.6] -> 8-11
	 * and 5/8 (100.8 -> 101 eighths); running from cell 14 to the end. */
	out = render(t, 61, &rc);
	is_str(out,
	    "1-5f000000-000000000000000000000001  1970-01-01 00:16:40.000\u2026\n"
	    "                        status     time 0               1.00s\n"
	    "\u25c6 gateway (EC2)         FLT 502   1.00s "
	    "\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588"
	    "\u2588\u2588\u2588\u2588\u2588\u2588\u2588\n"
	    "\u251c\u2500 DynamoDB [aws]       OK        100ms   \u2588\u2588\u258e                \n"
	    "\u2514\u2500 127.0.0.1 [remote]   FLT 500   650ms      "
	    "\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2589  \n"
	    "   \u2514\u2500 \u25c6 front?end (ECS) FLT       550ms       "
	    "\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2589   \n"
	    "      \u251c\u2500 query          ERR       200ms         \u2588\u2588\u2588\u2588\u258b        \n"
	    "      \u2514\u2500 running        RUN      >300ms               "
	    "\u2591\u2591\u2591\u2591\u2591\u2591\u2591\n",
	    "waterfall: golden text (Unicode, 61 columns)");
	free(out);
	out = render(t, 60, &rc);
	n = check_lines(out, 60, &bad);
	is_int(n, 8, "waterfall unicode: 8 lines");
	is_int(bad, 0, "waterfall unicode: every line exactly 60 columns");
	free(out);
	out = render(t, 140, &rc);
	ok(out != NULL && strstr(out, "  2 segments  502 GET http://shop/x?[31m   ") != NULL,
	    "waterfall: header has the root request, sanitized");
	free(out);

	for (rc = 1; rc <= 200; rc += (rc < 50 ? 1 : 37)) {
		int r;

		out = render(t, rc, &r);
		n = check_lines(out, rc, &bad);
		if (n != 8 || bad != 0)
			break;
		free(out);
		out = NULL;
	}
	ok(rc > 200, "waterfall: every width from 1 to 50 (and some wider) fits exactly");
	free(out);
	{
		char err[256] = "";
		FILE *ro = fopen("/dev/null", "r");

		is_int(export_waterfall(NULL, 80, 1, stdout, err, sizeof err), -1, "waterfall: no trace -> -1");
		is_int(export_waterfall(t, 0, 1, stdout, err, sizeof err), -1, "waterfall: width 0 -> -1");
		err[0] = '\0';
		if (ro != NULL) {
			is_int(export_waterfall(t, 80, 1, ro, err, sizeof err), -1,
			    "waterfall: write error -> -1");
			ok(err[0] != '\0', "waterfall: write error explained (%s)", err);
			fclose(ro);
		}
	}
	store_free(st);
}

static void
test_waterfall_corpus(const char *scenario)
{
	struct store *st;
	size_t ndocs, i, n, bad, rowsok = 0, widthok = 0;
	int rc;
	char *out;

	st = load_corpus(scenario, &ndocs);
	if (!ok(st != NULL, "%s: corpus read for the waterfall", scenario))
		return;
	for (i = 0; i < store_ntraces(st); i++) {
		const struct trace *t = store_trace(st, i);

		out = render(t, 100, &rc);
		n = check_lines(out, 100, &bad);
		if (rc == 0 && n == 2 + trace_entities(t))
			rowsok++;
		else
			diag("%s: %s: %zu lines for %zu entities", scenario, t->id, n, trace_entities(t));
		if (bad == 0)
			widthok++;
		free(out);
	}
	is_int(rowsok, store_ntraces(st), "%s: every trace renders each entity once", scenario);
	is_int(widthok, store_ntraces(st), "%s: every line 100 columns", scenario);
	store_free(st);
}

int
main(void)
{
	static const struct expect mesh = {
		"python-mesh", 86, 45, 0, 4, 13, 4,
		{ "frontend", "orders", NULL }, { 45, 41, 0 },
		"200:20 201:8 404:9 429:4 500:4",
		"frontend", { 7, 6, 5, 7, 9, 7 },
		"item_count=1:5 item_count=2:3 item_count=3:5 item_count=4:9 item_count=5:6 "
		"slow_path=false:33 slow_path=true:4 "
		"user_id=\"alice\":7 user_id=\"bob\":6 user_id=\"carol\":5 user_id=\"dave\":7 "
		"user_id=\"erin\":9 user_id=\"frank\":7",
	};
	static const struct expect gateway = {
		"node-gateway", 91, 36, 11, 7, 11, 2,
		{ "frontend", "gateway", "orders" }, { 22, 36, 22 },
		"200:14 201:4 404:7 409:2 429:2 500:2 502:3 503:2",
		"gateway", { 4, 2, 3, 3, 4, 8 },
		"cart_lines=2:1 cart_lines=4:2 cart_lines=6:3 item_count=1:2 item_count=2:3 "
		"item_count=3:4 item_count=4:4 item_count=5:1 premium=false:3 premium=true:1 "
		"sku=\"SKU-419\":1 sku=\"XSKU-549\":1 slow_path=false:18 slow_path=true:2 "
		"tier=\"guest\":12 tier=\"premium\":7 tier=\"standard\":5 "
		"user_id=\"alice\":4 user_id=\"bob\":2 user_id=\"carol\":3 user_id=\"dave\":3 "
		"user_id=\"erin\":4 user_id=\"frank\":8",
	};

	/* Column counts of the Unicode waterfall need a UTF-8 locale. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL && setlocale(LC_CTYPE, "") == NULL)
		diag("no UTF-8 locale");
	A = arena_new(0);
	test_duplicates();
	test_independent();
	test_replacement();
	test_root_and_many();
	test_random();
	test_summary_hand();
	test_corpus(&mesh);
	test_corpus(&gateway);
	test_waterfall_golden();
	test_waterfall_corpus("python-mesh");
	test_waterfall_corpus("node-gateway");
	arena_free(A);
	return done_testing();
}

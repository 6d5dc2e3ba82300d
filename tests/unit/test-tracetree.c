/* test-tracetree.c - the rows of a trace as they are drawn, and the
 * critical path, on hand-built traces whose answers are worked out by hand
 * in the comments. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/model.h"
#include "xraytop/store.h"
#include "xraytop/tracetree.h"

#include "tap.h"

#define TID "1-5f000000-000000000000000000000001"

static struct arena *A;

static struct segment *
doc(const char *name, const char *id, const char *parent_id, double start, double end, int indep)
{
	struct segment *s = arena_calloc(A, 1, sizeof *s);

	s->name = name;
	s->id = id;
	s->trace_id = TID;
	s->parent_id = parent_id;
	s->start_time = start;
	s->end_time = end;
	if (end == 0)
		s->flags |= SEG_IN_PROGRESS;
	if (indep)
		s->flags |= SEG_INDEPENDENT | SEG_SUBSEGMENT;
	return s;
}

static struct segment *
sub(struct segment *p, const char *name, const char *id, double start, double end)
{
	struct segment *s = arena_calloc(A, 1, sizeof *s);

	s->name = name;
	s->id = id;
	s->trace_id = TID;
	s->start_time = start;
	s->end_time = end;
	s->flags = SEG_SUBSEGMENT;
	segment_append_child(p, s);
	return s;
}

/* The names of the rows, "A s1 B ...", and the critical ones. */
static void
names(const struct tracetree *tt, char *all, char *crit, size_t len)
{
	size_t i;

	all[0] = crit[0] = '\0';
	for (i = 0; i < tt->nrows; i++) {
		snprintf(all + strlen(all), len - strlen(all), "%s%s", i ? " " : "", tt->rows[i].s->name);
		if (tt->rows[i].critical)
			snprintf(crit + strlen(crit), len - strlen(crit), "%s%s", crit[0] ? " " : "",
			    tt->rows[i].s->name);
	}
}

/*
 * A (100-110) calls B through s1 (101-105) and C through s2 (102-109), then
 * works locally in s3 (109.2-109.8); C queries a database in c2 (103-108).
 *
 *   rows: A, s1, B, s2, C, c2, s3 (children in start order)
 *   critical path: A ends at 110; the child finishing last is s3 (109.8);
 *   before s3 started (109.2) the last to finish is s2 (109); before s2
 *   started (102) nothing finished (s1 ends at 105).  Inside s2 (up to
 *   109): C (108.5); inside C: c2.  So A s2 C c2 s3; s1 and B are not.
 */
static void
test_shape(void)
{
	struct store *st = store_new();
	struct segment *a = doc("A", "a000000000000001", NULL, 100, 110, 0);
	struct segment *b = doc("B", "b000000000000001", "5100000000000001", 101.5, 104.5, 0);
	struct segment *c = doc("C", "c000000000000001", "5200000000000001", 102.5, 108.5, 0);
	struct tracetree tt;
	struct trace *t;
	char all[256], crit[256];
	static const size_t depth[] = { 0, 1, 2, 1, 2, 3, 1 };
	static const size_t size[] = { 7, 2, 1, 3, 2, 1, 1 };
	static const long parent[] = { -1, 0, 1, 0, 3, 4, 0 };
	static const int last[] = { 1, 0, 1, 0, 1, 1, 1 };
	size_t i;

	sub(a, "s1", "5100000000000001", 101, 105);
	sub(a, "s2", "5200000000000001", 102, 109);
	sub(a, "s3", "5300000000000001", 109.2, 109.8);
	sub(c, "c2", "c200000000000001", 103, 108);
	/* Arrival order is not drawing order. */
	store_add(st, c);
	store_add(st, b);
	store_add(st, a);
	t = store_find(st, TID);
	tracetree_build(&tt, t);
	names(&tt, all, crit, sizeof all);
	is_str(all, "A s1 B s2 C c2 s3", "rows in drawing order");
	is_str(crit, "A s2 C c2 s3", "the critical path, worked out by hand");
	for (i = 0; i < 7 && i < tt.nrows; i++) {
		is_int(tt.rows[i].depth, depth[i], "row %zu (%s): depth", i, tt.rows[i].s->name);
		is_int(tt.rows[i].size, size[i], "row %zu: subtree size", i);
		is_int(tt.rows[i].parent, parent[i], "row %zu: parent row", i);
		is_int(tt.rows[i].last, last[i], "row %zu: last child", i);
	}
	is_dbl(tt.t0, 100, 1e-9, "span starts with A");
	is_dbl(tt.t1, 110, 1e-9, "span ends with A");
	tracetree_free(&tt);
	store_free(st);
}

/* Two calls in parallel ending at the same time as their parent: the later
 * starting one is chosen (ties go to the later row), and an in-progress
 * entity runs to the end of the trace. */
static void
test_ties_and_running(void)
{
	struct store *st = store_new();
	struct segment *a = doc("A", "a000000000000002", NULL, 200, 210, 0);
	struct tracetree tt;
	char all[256], crit[256];

	sub(a, "p", "5100000000000002", 200, 210);
	sub(a, "q", "5200000000000002", 205, 210);
	store_add(st, a);
	tracetree_build(&tt, store_find(st, TID));
	names(&tt, all, crit, sizeof all);
	is_str(all, "A p q", "siblings by start");
	is_str(crit, "A q", "equal ends: the later one; p ends after q starts");
	tracetree_free(&tt);
	store_free(st);

	st = store_new();
	a = doc("A", "a000000000000003", NULL, 300, 0, 0);
	sub(a, "done", "5100000000000003", 300, 301);
	sub(a, "running", "5200000000000003", 301, 0)->flags |= SEG_IN_PROGRESS;
	store_add(st, a);
	store_add(st, doc("late", "d000000000000003", NULL, 302, 305, 0));
	tracetree_build(&tt, store_find(st, TID));
	names(&tt, all, crit, sizeof all);
	is_str(all, "A done running late", "in-progress root first, then the other root");
	is_dbl(tracetree_end(&tt, 0), 305, 1e-9, "an entity in progress runs to the trace's end");
	is_str(crit, "A done running", "the running call is on the path, the earlier call before it");
	tracetree_free(&tt);
	store_free(st);
}

/* An independent subsegment whose parent never came is a root, marked; a
 * parent_id cycle still draws every entity once. */
static void
test_orphans_and_cycles(void)
{
	struct store *st = store_new();
	struct tracetree tt;
	char all[256], crit[256];
	size_t i, orphans = 0;

	store_add(st, doc("root", "a000000000000004", NULL, 400, 401, 0));
	store_add(st, doc("lost", "e000000000000004", "ffffffffffffffff", 400.5, 400.6, 1));
	tracetree_build(&tt, store_find(st, TID));
	names(&tt, all, crit, sizeof all);
	is_str(all, "root lost", "the orphan comes after the root");
	for (i = 0; i < tt.nrows; i++)
		orphans += (size_t)tt.rows[i].orphan;
	is_int(orphans, 1, "one row marked as missing its parent");
	is_int(tt.rows[1].depth, 0, "the orphan is drawn as a root");
	tracetree_free(&tt);
	store_free(st);

	st = store_new();
	store_add(st, doc("X", "1000000000000005", "2000000000000005", 500, 501, 0));
	store_add(st, doc("Y", "2000000000000005", "1000000000000005", 500.2, 500.8, 0));
	tracetree_build(&tt, store_find(st, TID));
	names(&tt, all, crit, sizeof all);
	is_str(all, "X Y", "a cycle: the earliest is the root, each drawn once");
	is_int(tt.rows[1].parent, 0, "Y hangs under X");
	tracetree_free(&tt);
	store_free(st);

	tracetree_build(&tt, NULL);
	is_int(tt.nrows, 0, "no trace, no rows");
	tracetree_free(&tt);
}

/* 10,000 subsegments under one segment: every one is a row, in start
 * order, and the critical path is the chain of the last ones. */
static void
test_big(void)
{
	struct store *st = store_new();
	struct segment *a = doc("A", "a000000000000006", NULL, 1000, 1000 + 10000 / 64.0, 0);
	struct tracetree tt;
	char id[17], *ids = arena_calloc(A, 10000, 17);
	size_t i, ok_order = 1, crit = 0;

	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof id, "%016zx", i + 1);
		memcpy(ids + i * 17, id, 17);
		/* Back-to-back calls of 1/64 s each (exact in binary), inserted
		 * in reverse. */
		sub(a, "call", ids + i * 17, 1000 + (double)(9999 - i) / 64,
		    1000 + (double)(10000 - i) / 64);
	}
	store_add(st, a);
	tracetree_build(&tt, store_find(st, TID));
	is_int(tt.nrows, 10001, "every entity is a row");
	for (i = 2; i < tt.nrows; i++)
		if (tt.rows[i].s->start_time < tt.rows[i - 1].s->start_time)
			ok_order = 0;
	ok(ok_order, "children in start order");
	for (i = 0; i < tt.nrows; i++)
		crit += (size_t)tt.rows[i].critical;
	is_int(crit, 10001, "back-to-back calls are all on the critical path");
	tracetree_free(&tt);
	store_free(st);
}

int
main(void)
{
	A = arena_new(0);
	test_shape();
	test_ties_and_running();
	test_orphans_and_cycles();
	test_big();
	arena_free(A);
	return done_testing();
}

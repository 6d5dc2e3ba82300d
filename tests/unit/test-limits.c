/* test-limits.c - trees and expressions far bigger than real ones.
 *
 * A parent_id chain of 100,000 independent subsegments in a shuffled order
 * assembles into one tree 100,000 deep, which the tree walks (segment_find,
 * segment_count, trace_find, the root-cause graph, the filter evaluator)
 * go through without recursion; 50,000 subsegments waiting for a parent
 * nested in a segment document that comes last are all attached; a filter
 * of 100,000 ORed terms parses with the right columns, and nesting past
 * the parser's limit is an error at the column where it passes it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/filter.h"
#include "xraytop/model.h"
#include "xraytop/rootcause.h"
#include "xraytop/store.h"
#include "xraytop/xmalloc.h"

#include "tap.h"

#define TID "1-5f000000-000000000000000000000001"
#define CHAIN 100000

static struct arena *A;

static const char *
id_of(size_t i)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%016zx", i + 1);
	return arena_strdup(A, buf);
}

/* A segment document, or an independent subsegment when parent is set. */
static struct segment *
doc(const char *name, const char *id, const char *parent, double start)
{
	struct segment *s = arena_calloc(A, 1, sizeof *s);

	s->name = name;
	s->id = id;
	s->trace_id = TID;
	s->parent_id = parent;
	s->start_time = start;
	s->end_time = start + 1;
	if (parent != NULL)
		s->flags |= SEG_INDEPENDENT | SEG_SUBSEGMENT;
	return s;
}

/* A deterministic shuffle (a linear congruential generator). */
static void
shuffle(size_t *v, size_t n)
{
	unsigned long long x = 12345;
	size_t i, j, t;

	for (i = n - 1; i > 0; i--) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		j = (size_t)(x >> 33) % (i + 1);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

static void
test_chain(void)
{
	struct store *st = store_new();
	struct segment **docs = xcalloc(CHAIN, sizeof *docs), *root, *last, *s;
	size_t *order = xcalloc(CHAIN, sizeof *order), i, depth = 0, bad = 0;
	struct arena *ga = arena_new(1 << 20);
	struct filter_error err;
	struct tgraph *g;
	struct filter *f;
	struct trace *t = NULL;

	for (i = 0; i < CHAIN; i++) {
		docs[i] = doc("link", id_of(i), i > 0 ? id_of(i - 1) : NULL, (double)i);
		order[i] = i;
	}
	shuffle(order, CHAIN);
	for (i = 0; i < CHAIN; i++)
		t = store_add(st, docs[order[i]]);
	ok(t != NULL && t->nsegments == 1 && t->npending == 0,
	    "chain: one segment, nothing pending (%zu)", t != NULL ? t->npending : 0);
	root = t->segments[0];
	is_int(segment_count(root), CHAIN, "chain: segment_count of a tree %d deep", CHAIN);
	last = trace_find(t, id_of(CHAIN - 1));
	ok(last != NULL && segment_find(root, id_of(CHAIN - 1)) == last,
	    "chain: trace_find and segment_find find the deepest");
	for (s = last; s != NULL && s->parent != NULL; s = s->parent)
		depth++;
	ok(s == root && depth == CHAIN - 1, "chain: the deepest is %zu levels under the root", depth);
	ok(segment_find(root, "ffffffffffffffff") == NULL, "chain: a missing id is not found");

	g = tgraph_build(t, ga);
	is_int(g->nents, CHAIN, "chain: the root-cause graph has every entity");
	for (i = 1; i < g->nents; i++)
		if (g->ents[i].up != (long)i - 1 || strcmp(g->ents[i].s->id, id_of(i)) != 0)
			bad++;
	is_int(bad, 0, "chain: ... in pre-order, each under the one before");

	f = filter_parse("ok AND !annotation.none", &err);
	ok(f != NULL && filter_match(f, t) == 1, "chain: a filter evaluates the deep trace");
	filter_free(f);
	f = filter_parse("rootcause.fault.service { name = \"link\" }", &err);
	ok(f != NULL && filter_match(f, t) == 0, "chain: ... and its root causes");
	filter_free(f);

	arena_free(ga);
	store_free(st);
	free(docs);
	free(order);
}

/* 50,000 subsegments wait for a parent nested in a segment that comes last. */
static void
test_waiting(void)
{
	struct store *st = store_new();
	struct segment *top = doc("front", "a000000000000000", NULL, 0), *mid;
	struct trace *t = NULL;
	size_t i, n = 50000, bad = 0;

	mid = arena_calloc(A, 1, sizeof *mid);
	mid->name = "call";
	mid->id = "b000000000000000";
	mid->flags = SEG_SUBSEGMENT;
	mid->start_time = 0;
	mid->end_time = 1;
	mid->parent = top;
	segment_append_child(top, mid);
	for (i = 0; i < n; i++)
		t = store_add(st, doc("leaf", id_of(i), "b000000000000000", 0));
	is_int(t->npending, n, "waiting: all wait");
	t = store_add(st, top);
	is_int(t->npending, 0, "waiting: all attached when the parent comes");
	mid = trace_find(t, "b000000000000000");
	ok(mid != NULL && mid->nchildren == n, "waiting: under the nested subsegment");
	for (i = 0; i < n; i++)
		if (trace_find(t, id_of(i)) == NULL || trace_find(t, id_of(i))->parent != mid)
			bad++;
	is_int(bad, 0, "waiting: trace_find finds each under it");
	/* A second segment refers to one of them: the root is still front. */
	t = store_add(st, doc("back", "c000000000000000", NULL, 5));
	ok(trace_root(t) != NULL && strcmp(trace_root(t)->name, "front") == 0, "waiting: the root");
	store_free(st);
}

/* Sub-tree walks in pre-order with the right enclosing entity. */
static void
test_preorder(void)
{
	struct store *st = store_new();
	struct segment *r = doc("r", "r000000000000000", NULL, 0), *n[5];
	const char *names[5] = { "a", "a1", "a2", "b", "b1" };
	int parent[5] = { -1, 0, 0, -1, 3 };
	long want_up[6] = { -1, 0, 1, 1, 0, 4 };
	struct arena *ga = arena_new(4096);
	struct tgraph *g;
	struct trace *t;
	size_t i, bad = 0;

	for (i = 0; i < 5; i++) {
		n[i] = arena_calloc(A, 1, sizeof *n[i]);
		n[i]->name = names[i];
		n[i]->id = id_of(1000 + i);
		n[i]->flags = SEG_SUBSEGMENT;
		n[i]->parent = parent[i] < 0 ? r : n[parent[i]];
		segment_append_child(n[i]->parent, n[i]);
	}
	t = store_add(st, r);
	is_int(segment_count(t->segments[0]), 6, "preorder: six entities");
	g = tgraph_build(t, ga);
	is_int(g->nents, 6, "preorder: six in the root-cause graph");
	for (i = 0; i < g->nents && i < 6; i++)
		if (g->ents[i].up != want_up[i] || g->ents[i].seg != 0 ||
		    strcmp(g->ents[i].s->name, i == 0 ? "r" : names[i - 1]) != 0)
			bad++;
	is_int(bad, 0, "preorder: r a a1 a2 b b1, each under its parent, of segment 0");
	ok(segment_find(t->segments[0], id_of(1004)) != NULL &&
	    strcmp(segment_find(t->segments[0], id_of(1004))->name, "b1") == 0, "preorder: find b1");
	arena_free(ga);
	store_free(st);
}

static void
test_filters(void)
{
	size_t n = 100000, len = 0, i, bad = 0;
	char *text = xmalloc(n * 32 + 1);
	size_t *off = xcalloc(n, sizeof *off);
	struct filter_error err;
	struct filter *f;

	for (i = 0; i < n; i++) {
		if (i > 0)
			len += (size_t)sprintf(text + len, " OR ");
		off[i] = len;
		len += (size_t)sprintf(text + len, "annotation.k = %zu", i);
	}
	f = filter_parse(text, &err);
	ok(f != NULL && f->root->type == FN_OR && f->root->nchildren == n,
	    "filter: %zu ORed terms in one OR", n);
	for (i = 0; f != NULL && i < n; i++)
		if (f->root->children[i]->column != (int)off[i] + 1)
			bad++;
	free(off);
	is_int(bad, 0, "filter: each term's column");
	filter_free(f);

	/* 200 levels parse; the 201st is an error at its column. */
	for (i = 0; i < 2; i++) {
		size_t depth = 200 + i, k;

		for (len = 0, k = 0; k < depth; k++)
			text[len++] = '(';
		memcpy(text + len, "ok", 2);
		len += 2;
		for (k = 0; k < depth; k++)
			text[len++] = ')';
		text[len] = '\0';
		f = filter_parse(text, &err);
		if (i == 0)
			ok(f != NULL, "filter: 200 parentheses");
		else
			ok(f == NULL && err.column == 201 &&
			    strcmp(err.message, "nesting deeper than 200 levels") == 0,
			    "filter: 201 parentheses: column %d: %s", err.column, err.message);
		filter_free(f);
	}
	memset(text, '!', n);
	strcpy(text + n, "ok");
	f = filter_parse(text, &err);
	ok(f == NULL && err.column == 201 && strcmp(err.message, "nesting deeper than 200 levels") == 0,
	    "filter: %zu NOTs: column %d: %s", n, err.column, err.message);
	free(text);
}

int
main(void)
{
	A = arena_new(1 << 20);
	test_chain();
	test_waiting();
	test_preorder();
	test_filters();
	arena_free(A);
	return done_testing();
}

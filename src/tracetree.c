/* tracetree.c - the entities of one trace in the order they are drawn. */
#include "config.h"

#include "xraytop/tracetree.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/model.h"
#include "xraytop/store.h"
#include "xraytop/xmalloc.h"

struct tnode {
	struct segment	*s;
	long		 tparent;   /* enclosing entity, -1 at a document's top */
	long		 dparent;   /* where it is drawn, -1 for a root */
	size_t		 kid0;      /* its children: kids[kid0 .. kid0 + nkids) */
	size_t		 nkids;
	int		 visited;
	int		 orphan;
};

struct kid {
	double		 start;
	size_t		 i;
};

struct build {
	struct tnode	*n;
	size_t		 nn;
	size_t		 capn;
	struct kid	*kids;
	struct tracetree *tt;
};

static int
kid_cmp(const void *pa, const void *pb)
{
	const struct kid *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

static size_t
hash_id(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

static void
add_node(struct build *b, struct segment *s, long tparent, int orphan)
{
	if (b->nn == b->capn) {
		b->capn = b->capn ? b->capn * 2 : 64;
		b->n = xreallocarray(b->n, b->capn, sizeof *b->n);
	}
	memset(&b->n[b->nn], 0, sizeof b->n[b->nn]);
	b->n[b->nn].s = s;
	b->n[b->nn].tparent = tparent;
	b->n[b->nn].orphan = orphan;
	b->nn++;
}

/* Every entity of a document's tree, breadth first. */
static void
add_tree(struct build *b, struct segment *top, int orphan)
{
	size_t i = b->nn;
	struct segment *c;

	add_node(b, top, -1, orphan);
	for (; i < b->nn; i++)
		for (c = b->n[i].s->children; c != NULL; c = c->next)
			add_node(b, c, (long)i, 0);
}

/* Work out where each entity is drawn and order every entity's children. */
static void
link_tree(struct build *b)
{
	size_t cap = 16, mask, i, j, *tab, *fill;

	while (cap < b->nn * 2)
		cap *= 2;
	mask = cap - 1;
	tab = xcalloc(cap, sizeof *tab);
	for (i = 0; i < b->nn; i++) {
		const char *id = b->n[i].s->id;

		if (id == NULL)
			continue;
		for (j = hash_id(id) & mask; tab[j] != 0; j = (j + 1) & mask)
			if (strcmp(b->n[tab[j] - 1].s->id, id) == 0)
				break;
		if (tab[j] == 0)
			tab[j] = i + 1;  /* the first entity with an id wins */
	}
	for (i = 0; i < b->nn; i++) {
		const char *pid = b->n[i].s->parent_id;

		b->n[i].dparent = b->n[i].tparent;
		if (b->n[i].tparent >= 0 || pid == NULL)
			continue;
		for (j = hash_id(pid) & mask; tab[j] != 0; j = (j + 1) & mask)
			if (strcmp(b->n[tab[j] - 1].s->id, pid) == 0) {
				if (tab[j] - 1 != i)
					b->n[i].dparent = (long)(tab[j] - 1);
				break;
			}
	}
	free(tab);

	for (i = 0; i < b->nn; i++)
		if (b->n[i].dparent >= 0)
			b->n[b->n[i].dparent].nkids++;
	for (i = 0, j = 0; i < b->nn; i++) {
		b->n[i].kid0 = j;
		j += b->n[i].nkids;
	}
	b->kids = xcalloc(j + 1, sizeof *b->kids);
	fill = xcalloc(b->nn + 1, sizeof *fill);
	for (i = 0; i < b->nn; i++) {
		long p = b->n[i].dparent;
		struct kid *k;

		if (p < 0)
			continue;
		k = &b->kids[b->n[p].kid0 + fill[p]++];
		k->start = b->n[i].s->start_time;
		k->i = i;
	}
	free(fill);
	for (i = 0; i < b->nn; i++)
		if (b->n[i].nkids > 1)
			qsort(b->kids + b->n[i].kid0, b->n[i].nkids, sizeof *b->kids, kid_cmp);
}

struct frame {
	size_t		 i;
	long		 parent;    /* row */
	size_t		 depth;
	int		 last;
};

/* Rows of the tree under root, depth first, children in start order. */
static void
walk(struct build *b, size_t root)
{
	struct tracetree *tt = b->tt;
	struct frame *stack;
	size_t n = 0, k, j, r;

	stack = xcalloc(b->nn + 1, sizeof *stack);
	b->n[root].visited = 1;
	stack[n++] = (struct frame){ root, -1, 0, 1 };
	while (n > 0) {
		struct frame f = stack[--n];
		struct tnode *nd = &b->n[f.i];
		struct tt_row *row;

		r = tt->nrows++;
		row = &tt->rows[r];
		row->s = nd->s;
		row->parent = f.parent;
		row->depth = f.depth;
		row->size = 1;
		row->last = f.last;
		row->orphan = nd->orphan;
		/* Push unvisited children in reverse so the earliest comes first;
		 * marking them now keeps "last" right and each entity drawn once. */
		for (k = nd->nkids, j = 0; k-- > 0; ) {
			size_t c = b->kids[nd->kid0 + k].i;

			if (b->n[c].visited)
				continue;
			b->n[c].visited = 1;
			stack[n++] = (struct frame){ c, (long)r, f.depth + 1, j++ == 0 };
		}
	}
	free(stack);
}

/* Span of the drawing: earliest start to latest end of any entity. */
static void
time_span(struct tracetree *tt)
{
	size_t i;

	tt->t0 = tt->t1 = 0;
	for (i = 0; i < tt->nrows; i++) {
		const struct segment *s = tt->rows[i].s;

		if (s->start_time > 0 && (tt->t0 == 0 || s->start_time < tt->t0))
			tt->t0 = s->start_time;
		if (s->end_time > tt->t1)
			tt->t1 = s->end_time;
		if (s->start_time > tt->t1)
			tt->t1 = s->start_time;
	}
	if (tt->t1 < tt->t0)
		tt->t1 = tt->t0;
}

double
tracetree_end(const struct tracetree *tt, size_t i)
{
	const struct segment *s = tt->rows[i].s;
	double end = (s->flags & SEG_IN_PROGRESS) || s->end_time <= 0 ? tt->t1 : s->end_time;

	return end < s->start_time ? s->start_time : end;
}

struct cand {
	double		 end;
	size_t		 row;
};

/* Latest end first; of equal ends the later start, then the later row. */
static int
cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;

	if (a->end != b->end)
		return a->end > b->end ? -1 : 1;
	return (a->row < b->row) - (a->row > b->row);
}

/* Mark the critical path under row r, whose span ends at limit. */
static void
critical(struct tracetree *tt, size_t root)
{
	struct cand *c;
	size_t *todo, ntodo = 0, i;
	double *lim;

	c = xcalloc(tt->nrows + 1, sizeof *c);
	todo = xcalloc(tt->nrows + 1, sizeof *todo);
	lim = xcalloc(tt->nrows + 1, sizeof *lim);
	todo[ntodo++] = root;
	lim[root] = tracetree_end(tt, root);
	while (ntodo > 0) {
		size_t r = todo[--ntodo], nc = 0, j;
		double cursor = lim[r];

		tt->rows[r].critical = 1;
		for (j = r + 1; j < r + tt->rows[r].size; j += tt->rows[j].size) {
			double e = tracetree_end(tt, j);

			c[nc].end = e > lim[r] ? lim[r] : e;
			c[nc++].row = j;
		}
		if (nc > 1)
			qsort(c, nc, sizeof *c, cand_cmp);
		for (i = 0; i < nc; i++) {
			const struct segment *s = tt->rows[c[i].row].s;

			if (c[i].end > cursor)
				continue;
			lim[c[i].row] = c[i].end;
			todo[ntodo++] = c[i].row;
			cursor = s->start_time;
		}
	}
	free(lim);
	free(todo);
	free(c);
}

void
tracetree_build(struct tracetree *tt, const struct trace *t)
{
	struct build b;
	struct kid *roots;
	size_t i, nroots = 0;

	memset(tt, 0, sizeof *tt);
	if (t == NULL)
		return;
	memset(&b, 0, sizeof b);
	b.tt = tt;
	for (i = 0; i < t->nsegments; i++)
		add_tree(&b, t->segments[i], 0);
	for (i = 0; i < t->npending; i++)
		add_tree(&b, t->pending[i], 1);
	link_tree(&b);
	tt->rows = xcalloc(b.nn + 1, sizeof *tt->rows);

	roots = xcalloc(b.nn + 1, sizeof *roots);
	for (i = 0; i < b.nn; i++)
		if (b.n[i].dparent < 0) {
			roots[nroots].start = b.n[i].s->start_time;
			roots[nroots++].i = i;
		}
	qsort(roots, nroots, sizeof *roots, kid_cmp);
	for (i = 0; i < nroots; i++)
		walk(&b, roots[i].i);
	free(roots);
	/* What a parent_id cycle cut off: the earliest such document is a root. */
	for (;;) {
		long best = -1;

		for (i = 0; i < b.nn; i++)
			if (!b.n[i].visited && b.n[i].tparent < 0 && (best < 0 ||
			    b.n[i].s->start_time < b.n[best].s->start_time))
				best = (long)i;
		if (best < 0)
			break;
		walk(&b, (size_t)best);
	}
	/* Subtree sizes: children come after their parent in pre-order. */
	for (i = tt->nrows; i-- > 0; )
		if (tt->rows[i].parent >= 0)
			tt->rows[tt->rows[i].parent].size += tt->rows[i].size;
	time_span(tt);
	if (tt->nrows > 0)
		critical(tt, 0);
	free(b.kids);
	free(b.n);
}

void
tracetree_free(struct tracetree *tt)
{
	free(tt->rows);
	memset(tt, 0, sizeof *tt);
}

/* rootcause.c - a trace as a graph of services and entities; root causes. */
#include "config.h"

#include "xraytop/rootcause.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/model.h"
#include "xraytop/store.h"

/* ---------------------------------------------------------------- graph */

/* Growing arrays in an arena: copy on growth (the old block stays). */
static void *
grow(struct arena *a, void *v, size_t n, size_t *cap, size_t size)
{
	void *nv;

	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 8;
	nv = arena_alloc(a, *cap * size);
	if (n > 0)
		memcpy(nv, v, n * size);
	return nv;
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

struct builder {
	struct tgraph	*g;
	struct arena	*a;
	size_t		 capents;
	size_t		 capnodes;
	size_t		 capedges;
	long		*table;         /* id -> entity, open addressing */
	size_t		 tmask;
	size_t		*ndowncap;
};

/* Add top and its subtree in pre-order; up is the enclosing entity, seg the
 * segment document.  Iterative: attached documents can nest 100,000 deep. */
static void
add_tree(struct builder *b, const struct segment *top, long up, long seg)
{
	struct tgraph *g = b->g;
	const struct segment *s = top;
	long self;

	for (;;) {
		g->ents = grow(b->a, g->ents, g->nents, &b->capents, sizeof *g->ents);
		self = (long)g->nents++;
		memset(&g->ents[self], 0, sizeof g->ents[self]);
		g->ents[self].s = s;
		g->ents[self].up = up;
		g->ents[self].node = -1;
		if (up < 0 && !(s->flags & SEG_SUBSEGMENT))
			seg = self;
		g->ents[self].seg = seg;
		if (s->children != NULL) {
			up = self;
			s = s->children;
			continue;
		}
		/* Up to the nearest entity with a next sibling, then to it. */
		while (s != top && s->next == NULL) {
			s = g->ents[up].s;
			up = g->ents[up].up;
		}
		if (s == top)
			return;
		s = s->next;
		seg = g->ents[up].seg;
	}
}

static void
down_add(struct builder *b, long from, size_t to)
{
	struct tg_ent *e = &b->g->ents[from];

	e->down = grow(b->a, e->down, e->ndown, &b->ndowncap[from], sizeof *e->down);
	e->down[e->ndown++] = to;
}

long
tgraph_find(const struct tgraph *g, const char *id)
{
	size_t i;

	if (id == NULL)
		return -1;
	for (i = 0; i < g->nents; i++)
		if (g->ents[i].s->id != NULL && strcmp(g->ents[i].s->id, id) == 0)
			return (long)i;
	return -1;
}

/* The id table: the first entity of each id. */
static void
table_build(struct builder *b)
{
	struct tgraph *g = b->g;
	size_t n = 16, i, h;

	while (n < g->nents * 2)
		n *= 2;
	b->table = arena_alloc(b->a, n * sizeof *b->table);
	for (i = 0; i < n; i++)
		b->table[i] = -1;
	b->tmask = n - 1;
	for (i = 0; i < g->nents; i++) {
		const char *id = g->ents[i].s->id;

		if (id == NULL)
			continue;
		for (h = hash_str(id) & b->tmask; b->table[h] >= 0; h = (h + 1) & b->tmask)
			if (strcmp(g->ents[b->table[h]].s->id, id) == 0)
				break;
		if (b->table[h] < 0)
			b->table[h] = (long)i;
	}
}

static long
table_find(const struct builder *b, const char *id)
{
	size_t h;

	if (id == NULL)
		return -1;
	for (h = hash_str(id) & b->tmask; b->table[h] >= 0; h = (h + 1) & b->tmask)
		if (strcmp(b->g->ents[b->table[h]].s->id, id) == 0)
			return b->table[h];
	return -1;
}

static int
is_call(const struct segment *s)
{
	return (s->flags & SEG_SUBSEGMENT) && s->namespace != NULL &&
	    (strcmp(s->namespace, "aws") == 0 || strcmp(s->namespace, "remote") == 0);
}

const char *
tgraph_call_name(const struct segment *s)
{
	if (s->namespace != NULL && strcmp(s->namespace, "aws") == 0 && s->aws != NULL &&
	    s->aws->table_name != NULL && s->aws->table_name[0] != '\0')
		return s->aws->table_name;
	return s->name != NULL ? s->name : "";
}

const char *
tgraph_call_type(const struct segment *s, char *buf, size_t len)
{
	if (s->namespace != NULL && strcmp(s->namespace, "aws") == 0) {
		if (s->aws != NULL && s->aws->table_name != NULL && s->aws->table_name[0] != '\0')
			return "AWS::DynamoDB::Table";
		snprintf(buf, len, "AWS::%s", s->name != NULL ? s->name : "");
		return buf;
	}
	return s->sql != NULL ? "Database::SQL" : "remote";
}

static long
node_get(struct builder *b, const char *name, const char *type, int inferred)
{
	struct tgraph *g = b->g;
	size_t i;

	for (i = 1; i < g->nnodes; i++)
		if (strcmp(g->nodes[i].name, name) == 0 && strcmp(g->nodes[i].type, type) == 0 &&
		    g->nodes[i].inferred == inferred)
			return (long)i;
	g->nodes = grow(b->a, g->nodes, g->nnodes, &b->capnodes, sizeof *g->nodes);
	memset(&g->nodes[g->nnodes], 0, sizeof g->nodes[0]);
	g->nodes[g->nnodes].name = arena_strdup(b->a, name);
	g->nodes[g->nnodes].type = arena_strdup(b->a, type);
	g->nodes[g->nnodes].inferred = inferred;
	return (long)g->nnodes++;
}

static void
edge_add(struct builder *b, size_t src, size_t dst, size_t ent)
{
	struct tgraph *g = b->g;

	g->edges = grow(b->a, g->edges, g->nedges, &b->capedges, sizeof *g->edges);
	g->edges[g->nedges].src = src;
	g->edges[g->nedges].dst = dst;
	g->edges[g->nedges].ent = ent;
	g->nedges++;
}

/* A segment document (top level, not an independent subsegment). */
static int
is_segdoc(const struct tgraph *g, size_t i)
{
	return g->ents[i].seg == (long)i;
}

struct tgraph *
tgraph_build(const struct trace *t, struct arena *a)
{
	struct builder b;
	struct tgraph *g = arena_calloc(a, 1, sizeof *g);
	size_t i, j;
	char buf[300];

	memset(&b, 0, sizeof b);
	b.g = g;
	b.a = a;
	g->t = t;
	g->root_ent = -1;
	g->root = trace_root(t);
	/* node 0: the client */
	g->nodes = grow(a, g->nodes, 0, &b.capnodes, sizeof *g->nodes);
	memset(&g->nodes[0], 0, sizeof g->nodes[0]);
	g->nodes[0].name = "client";
	g->nodes[0].type = "client";
	g->nodes[0].client = 1;
	g->nnodes = 1;
	if (t == NULL)
		return g;

	for (i = 0; i < t->nsegments; i++)
		add_tree(&b, t->segments[i], -1, -1);
	for (i = 0; i < t->npending; i++)
		add_tree(&b, t->pending[i], -1, -1);
	b.ndowncap = arena_calloc(a, g->nents + 1, sizeof *b.ndowncap);
	table_build(&b);

	/* Nested subsegments first, then the segments each entity calls. */
	for (i = 0; i < g->nents; i++)
		if (g->ents[i].up >= 0)
			down_add(&b, g->ents[i].up, i);
	for (i = 0; i < g->nents; i++) {
		const struct segment *s = g->ents[i].s;
		long p;

		if (g->root != NULL && s == g->root)
			g->root_ent = (long)i;
		if (!is_segdoc(g, i) || s->parent_id == NULL)
			continue;
		p = table_find(&b, s->parent_id);
		if (p < 0 || p == (long)i)
			continue;
		g->ents[i].up = p;
		down_add(&b, p, i);
		if (!(s->flags & SEG_INFERRED))
			g->ents[p].called = 1;
	}

	/* Nodes: segment documents, then inferred calls. */
	for (i = 0; i < g->nents; i++) {
		const struct segment *s = g->ents[i].s;
		long n;

		if (is_segdoc(g, i)) {
			if (s->flags & SEG_INFERRED)
				continue;
			n = node_get(&b, s->name != NULL ? s->name : "", s->origin != NULL ? s->origin : "", 0);
			if (g->nodes[n].account == NULL && s->aws != NULL && s->aws->account_id != NULL)
				g->nodes[n].account = s->aws->account_id;
		} else if (is_call(s) && g->ents[i].seg >= 0 && !g->ents[i].called &&
		    !(s->flags & SEG_IN_PROGRESS) && s->end_time != 0) {
			n = node_get(&b, tgraph_call_name(s), tgraph_call_type(s, buf, sizeof buf), 1);
		} else
			continue;
		g->ents[i].node = n;
		g->nodes[n].nents++;
	}
	/* The entity lists of the nodes, counted above. */
	for (i = 0; i < g->nnodes; i++) {
		g->nodes[i].ents = arena_alloc(a, (g->nodes[i].nents + 1) * sizeof *g->nodes[i].ents);
		g->nodes[i].nents = 0;
	}
	for (i = 0; i < g->nents; i++) {
		long n = g->ents[i].node;

		if (n >= 0)
			g->nodes[n].ents[g->nodes[n].nents++] = i;
	}

	/* Edges. */
	for (i = 0; i < g->nents; i++) {
		long n = g->ents[i].node, p = g->ents[i].up, src;

		if (n < 0)
			continue;
		if (is_segdoc(g, i)) {
			if (p < 0) {
				edge_add(&b, 0, (size_t)n, i);
				continue;
			}
			j = (size_t)p;
			src = g->ents[j].seg >= 0 ? g->ents[g->ents[j].seg].node : -1;
			if (src < 0)
				src = 0;
			edge_add(&b, (size_t)src, (size_t)n, is_segdoc(g, j) || !is_call(g->ents[j].s) ? i : j);
		} else {
			src = g->ents[i].seg >= 0 ? g->ents[g->ents[i].seg].node : -1;
			if (src >= 0)
				edge_add(&b, (size_t)src, (size_t)n, i);
		}
	}
	return g;
}

/* ---------------------------------------------------------------- root causes */

static double
dur(const struct segment *s)
{
	return segment_duration(s);
}

/* The exceptions an entity recorded (a bare cause id is looked up). */
static void
ent_exceptions(const struct tgraph *g, const struct segment *s, struct arena *a,
    struct rc_exception **out, size_t *n)
{
	const struct cause *c = s->cause;
	const struct exception *found = NULL;
	size_t i, k;

	*out = NULL;
	*n = 0;
	if (c == NULL)
		return;
	if (c->exception_id != NULL) {
		for (i = 0; i < g->nents && found == NULL; i++) {
			const struct cause *o = g->ents[i].s->cause;

			if (o == NULL)
				continue;
			for (k = 0; k < o->nexceptions; k++)
				if (o->exceptions[k].id != NULL &&
				    strcmp(o->exceptions[k].id, c->exception_id) == 0) {
					found = &o->exceptions[k];
					break;
				}
		}
		if (found == NULL)
			return;
		*out = arena_calloc(a, 1, sizeof **out);
		(*out)->name = found->type;
		(*out)->message = found->message;
		(*out)->remote = found->remote;
		*n = 1;
		return;
	}
	if (c->nexceptions == 0)
		return;
	*out = arena_calloc(a, c->nexceptions, sizeof **out);
	for (i = 0; i < c->nexceptions; i++) {
		(*out)[i].name = c->exceptions[i].type;
		(*out)[i].message = c->exceptions[i].message;
		(*out)[i].remote = c->exceptions[i].remote;
	}
	*n = c->nexceptions;
}

/* The path root -> e as entity indices (into a), or 0 when e does not lead
 * up to the root. */
static size_t
path_to(const struct tgraph *g, size_t e, struct arena *a, size_t **out)
{
	size_t n = 0, i, *v;
	long x;

	for (x = (long)e; x >= 0 && n <= g->nents; x = g->ents[x].up)
		n++;
	if (n > g->nents || g->root_ent < 0)
		return 0;
	v = arena_alloc(a, n * sizeof *v);
	i = n;
	for (x = (long)e; x >= 0; x = g->ents[x].up)
		v[--i] = (size_t)x;
	if (v[0] != (size_t)g->root_ent)
		return 0;
	*out = v;
	return n;
}

/* Split a path of entities into services; root_time > 0 for a response-time
 * root cause (coverage, no exceptions), else exceptions and no coverage. */
static void
path_services(const struct tgraph *g, const size_t *path, size_t n, double root_time,
    struct arena *a, struct root_cause *rc)
{
	size_t i, ns = 0, k = 0;
	struct rc_service *svc;
	long last;

	for (i = 0; i < n; i++)
		if (is_segdoc(g, path[i]) || i == 0)
			ns++;
	last = g->ents[path[n - 1]].node;
	if (last >= 0 && !is_segdoc(g, path[n - 1]))
		ns++;   /* the inferred node the culprit calls */
	svc = arena_calloc(a, ns, sizeof *svc);
	for (i = 0; i < n; i++) {
		const struct tg_ent *e = &g->ents[path[i]];
		struct rc_entity *re;
		struct rc_service *cur;

		if (is_segdoc(g, path[i]) || i == 0) {
			cur = &svc[k++];
			cur->name = e->s->name;
			cur->type = e->s->origin != NULL ? e->s->origin : "";
			cur->account = e->s->aws != NULL ? e->s->aws->account_id : NULL;
			cur->inferred = (e->s->flags & SEG_INFERRED) != 0;
			cur->path = arena_calloc(a, n - i, sizeof *cur->path);
		}
		cur = &svc[k - 1];
		re = &cur->path[cur->npath++];
		re->name = e->s->name;
		re->s = e->s;
		re->remote = is_call(e->s);
		re->coverage = root_time > 0 ? dur(e->s) / root_time : -1;
		if (root_time <= 0)
			ent_exceptions(g, e->s, a, &re->exceptions, &re->nexceptions);
	}
	if (last >= 0 && !is_segdoc(g, path[n - 1])) {
		const struct tg_node *node = &g->nodes[last];
		struct rc_service *cur = &svc[k++];

		cur->name = node->name;
		cur->type = node->type;
		cur->inferred = 1;
		cur->path = arena_calloc(a, 1, sizeof *cur->path);
		cur->path[0].name = node->name;
		cur->path[0].remote = 1;
		cur->path[0].coverage = root_time > 0 ? dur(g->ents[path[n - 1]].s) / root_time : -1;
		cur->npath = 1;
	}
	rc->services = svc;
	rc->nservices = k;
}

/* Fault or error culprits: flagged entities no callee or subsegment of
 * which is flagged, reachable from the root (depth first). */
static size_t
flag_causes(const struct tgraph *g, unsigned flag, struct arena *a, struct root_cause **out)
{
	size_t *stack, nstack = 0, i, j, n = 0, cap = 0, *path, np;
	unsigned char *seen;
	struct root_cause *v = NULL;

	*out = NULL;
	if (g->root_ent < 0)
		return 0;
	stack = arena_alloc(a, (g->nents + 1) * sizeof *stack);
	seen = arena_calloc(a, g->nents + 1, 1);
	stack[nstack++] = (size_t)g->root_ent;
	seen[g->root_ent] = 1;
	while (nstack > 0) {
		const struct tg_ent *e = &g->ents[stack[--nstack]];
		size_t self = (size_t)(e - g->ents);
		int culprit = (e->s->flags & flag) != 0;

		for (j = e->ndown; j-- > 0;) {
			size_t c = e->down[j];

			if (g->ents[c].s->flags & flag)
				culprit = 0;
			if (!seen[c]) {
				seen[c] = 1;
				stack[nstack++] = c;
			}
		}
		if (!culprit || (np = path_to(g, self, a, &path)) == 0)
			continue;
		if (n == cap) {
			struct root_cause *nv;

			cap = cap ? cap * 2 : 4;
			nv = arena_calloc(a, cap, sizeof *nv);
			if (n > 0)
				memcpy(nv, v, n * sizeof *nv);
			v = nv;
		}
		path_services(g, path, np, -1, a, &v[n]);
		v[n].client_impacting = 1;
		for (i = 0; i < np; i++)
			if (!(g->ents[path[i]].s->flags & flag))
				v[n].client_impacting = 0;
		n++;
	}
	*out = v;
	return n;
}

/* The slowest path from the root while a callee takes half its caller's time. */
static size_t
time_causes(const struct tgraph *g, struct arena *a, struct root_cause **out)
{
	size_t *path, n = 0, e;
	double root_time;

	*out = NULL;
	if (g->root_ent < 0 || (root_time = dur(g->root)) <= 0)
		return 0;
	path = arena_alloc(a, (g->nents + 1) * sizeof *path);
	e = (size_t)g->root_ent;
	path[n++] = e;
	while (n <= g->nents) {
		const struct tg_ent *x = &g->ents[e];
		double best = -1;
		size_t j, bi = 0;

		for (j = 0; j < x->ndown; j++) {
			double d = dur(g->ents[x->down[j]].s);

			if (d > best) {
				best = d;
				bi = x->down[j];
			}
		}
		if (best <= 0 || best < 0.5 * dur(x->s))
			break;
		for (j = 0; j < n; j++)
			if (path[j] == bi)
				break;
		if (j < n)
			break;   /* a cycle */
		e = bi;
		path[n++] = e;
	}
	*out = arena_calloc(a, 1, sizeof **out);
	path_services(g, path, n, root_time, a, *out);
	(*out)->client_impacting = 1;
	return 1;
}

size_t
rootcause_derive(const struct tgraph *g, enum rc_kind kind, struct arena *a,
    struct root_cause **out)
{
	switch (kind) {
	case RC_FAULT:
		return flag_causes(g, SEG_FAULT, a, out);
	case RC_ERROR:
		return flag_causes(g, SEG_ERROR, a, out);
	case RC_RESPONSETIME:
		return time_causes(g, a, out);
	}
	*out = NULL;
	return 0;
}

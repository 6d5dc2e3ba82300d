/* svcmap.c - the service map, built incrementally with X-Ray's semantics.
 *
 * Every entity of every counted document (the segment or independent
 * subsegment itself, and each nested subsegment) gets one compact record
 * (struct ent, 48 bytes), found by (trace, id) through an open-addressing
 * table of record indices.  A record that is only named as someone's parent
 * so far is a placeholder (K_EMPTY) until its document arrives.
 *
 * Each record is linked into the dependent list of its parent record: the
 * record its parent_id names (top-level documents), or the document it is
 * nested in (nested subsegments).  What a record contributes to the map is a
 * function of itself and its parent only:
 *  - a segment: its node (own request) and one edge, whose source is the
 *    client, the parent segment's node, or the node of the segment owning
 *    the parent aws/remote subsegment (then with that subsegment's request);
 *  - a complete aws/remote subsegment whose owning segment is known and that
 *    no segment names as parent: an inferred node and the edge owner -> it.
 * Each record remembers what it contributed (edge index, flags), so that a
 * change of its parent (arrival, replacement) retracts exactly that and adds
 * the new contribution; refreshing is idempotent, and changes propagate down
 * the dependent lists (owners of independent subsegments) with a work list.
 * The result is a function of the set of documents, whatever their order.
 *
 * Records only ever link records of their own trace, so a trace's records
 * can be forgotten together (svcmap_forget_traces) without touching what
 * they counted: one pass over every record frees those of the forgotten
 * traces (a free list that ent_new takes from first), renumbers the traces
 * that stay, and rebuilds the id table.
 */
#include "config.h"

#include "xraytop/svcmap.h"

#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/xmalloc.h"

#define NONE		UINT32_MAX
#define HASHED_ID	0x80000000u     /* in ent.trace: id is a hash of a non-hex id */
#define ENT_SHIFT	16              /* records per block: 65536 */
#define SLOT_BITS	27              /* id table slot: 5-bit hash tag | record index */
#define SLOT_IDX	((UINT32_C(1) << SLOT_BITS) - 1)
#define MAX_ENTS	(SLOT_IDX - 1)  /* so that no slot reads NONE */
#define ENT_BLOCK	((size_t)1 << ENT_SHIFT)

enum ent_kind { K_EMPTY, K_SEG, K_SUB, K_FREE };

#define F_TOP		0x01u   /* a top-level document */
#define F_NESTED	0x02u   /* nested in the document its parent field names */
#define F_CALL		0x04u   /* a complete aws/remote subsegment */
#define F_NODE		0x08u   /* a segment counted in its node */
#define F_FROMPAR	0x10u   /* the segment's edge carries its parent call's request */
#define F_INDEXED	0x20u   /* in the id table */

/* One entity: 48 bytes, no pointers, no strings. */
struct ent {
	uint64_t	 id;
	uint32_t	 trace;     /* trace index, | HASHED_ID */
	uint32_t	 parent;    /* record it depends on, NONE */
	uint32_t	 child;     /* first dependent */
	uint32_t	 sibling;   /* next dependent of the same parent */
	uint32_t	 owner;     /* segment record it belongs to, NONE while unknown */
	uint32_t	 key;       /* node key: a segment's node, a call's inferred node */
	uint32_t	 edge;      /* edge contributed to, NONE */
	uint8_t		 kind;
	uint8_t		 cls;
	uint8_t		 flags;
	uint8_t		 unused;
	double		 rt;
};

/* An interned (name, type) and its node, once created. */
struct nkey {
	char		*name;
	char		*type;
	uint32_t	 hash;
	enum node_kind	 kind;
	long		 node;
};

struct inode {
	struct svc_node	 pub;
	uint32_t	 key;
	int		 graph_root;
};

/* A GetServiceGraph edge whose target has not been seen yet. */
struct pending {
	size_t		 source;
	int		 reference_id;
	struct stats	 stats;
};

struct refid {
	int		 reference_id;
	size_t		 node;
};

struct svcmap {
	/* records */
	struct ent	**blocks;
	size_t		 nblocks;
	size_t		 nents;
	uint32_t	 free_ent;      /* first free record (linked by sibling), NONE */
	size_t		 nfree;
	uint32_t	*idtab;         /* tag << SLOT_BITS | record index, NONE = empty */
	size_t		 idcap;
	size_t		 idcount;

	/* trace ids */
	struct arena	*strings;
	const char	**traces;
	uint32_t	*trhash;
	size_t		 ntraces;
	size_t		 trcap;
	uint32_t	*trtab;
	size_t		 trtabcap;

	/* node keys, nodes, edges */
	struct nkey	*keys;
	size_t		 nkeys;
	size_t		 keycap;
	uint32_t	*keytab;
	size_t		 keytabcap;
	uint32_t	 client_key;
	long		 client;        /* client node, -1 until needed */

	struct inode	*nodes;
	size_t		 nnodes;
	size_t		 nodecap;
	struct svc_edge	*edges;
	size_t		 nedges;
	size_t		 edgecap;
	uint32_t	*edgetab;
	size_t		 edgetabcap;

	/* GetServiceGraph */
	struct refid	*refs;
	size_t		 nrefs;
	size_t		 refcap;
	struct pending	*pend;
	size_t		 npend;
	size_t		 pendcap;

	/* scratch */
	uint32_t	*work;
	size_t		 nwork;
	size_t		 workcap;

	size_t		 sample_cap;    /* stats_limit of every node and edge */

	struct svcmap_input in;
	double		 win_start;
	double		 win_end;
};

/* ---------------------------------------------------------------- hashing */

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

static uint64_t
fnv64(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

#define FNV_BASIS UINT64_C(0xcbf29ce484222325)

/* Parse a 16-digit lowercase hex id; else hash it and say so (returns 1).
 * Ids are compared as written, as the trace view does: "00AB..." and
 * "00ab..." are two ids, so uppercase ones go the hashed way. */
static int
parse_id(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int i, c;

	for (i = 0; i < 16; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			break;
	}
	if (i == 16 && s[16] == '\0') {
		*out = v;
		return 0;
	}
	*out = fnv64(s, FNV_BASIS);
	return 1;
}

/* Grow an open-addressing table of indices to cap slots (all NONE). */
static uint32_t *
table_new(size_t cap)
{
	uint32_t *t = xreallocarray(NULL, cap, sizeof *t);

	memset(t, 0xff, cap * sizeof *t);
	return t;
}

/* ---------------------------------------------------------------- records */

static struct ent *
ent(const struct svcmap *m, uint32_t i)
{
	return &m->blocks[i >> ENT_SHIFT][i & (ENT_BLOCK - 1)];
}

static uint64_t
ent_hash(uint32_t trace, uint64_t id)
{
	return mix64(id ^ ((uint64_t)trace * UINT64_C(0x9e3779b97f4a7c15)));
}

/* The tag part of an id table slot for hash h: its top 5 bits, so that a
 * probe rarely has to look at a record (a cache miss) that is not the one. */
static uint32_t
slot_tag(uint64_t h)
{
	return (uint32_t)(h >> 59) << SLOT_BITS;
}

/* A fresh placeholder record. */
static uint32_t
ent_new(struct svcmap *m, uint32_t trace, uint64_t id)
{
	struct ent *e;
	uint32_t i;

	if (m->free_ent != NONE) {
		i = m->free_ent;
		m->free_ent = ent(m, i)->sibling;
		m->nfree--;
	} else {
		if (m->nents >= MAX_ENTS)
			fatal("service map: too many entities (%zu)", m->nents);
		if ((m->nents >> ENT_SHIFT) >= m->nblocks) {
			m->blocks = xreallocarray(m->blocks, m->nblocks + 1, sizeof *m->blocks);
			m->blocks[m->nblocks++] = xreallocarray(NULL, ENT_BLOCK, sizeof **m->blocks);
		}
		i = (uint32_t)m->nents++;
	}
	e = ent(m, i);
	memset(e, 0, sizeof *e);
	e->id = id;
	e->trace = trace;
	e->parent = e->child = e->sibling = e->owner = e->key = e->edge = NONE;
	e->kind = K_EMPTY;
	return i;
}

/* Make the id table cap slots and put every indexed record in it.  Records
 * are visited in their own order (memory order), not in the table's, which
 * would be one cache miss per record. */
static void
idtab_rebuild(struct svcmap *m, size_t cap)
{
	size_t i, s;
	uint32_t *t = table_new(cap);

	m->idcount = 0;
	for (i = 0; i < m->nents; i++) {
		const struct ent *e = ent(m, (uint32_t)i);
		uint64_t h;

		if (!(e->flags & F_INDEXED))
			continue;
		h = ent_hash(e->trace, e->id);
		for (s = h & (cap - 1); t[s] != NONE; s = (s + 1) & (cap - 1))
			;
		t[s] = slot_tag(h) | (uint32_t)i;
		m->idcount++;
	}
	free(m->idtab);
	m->idtab = t;
	m->idcap = cap;
}

/* Double the id table. */
static void
idtab_grow(struct svcmap *m)
{
	idtab_rebuild(m, m->idcap == 0 ? 1024 : m->idcap * 2);
}

/* The record of (trace, id), created as a placeholder when new; an entity
 * without an id gets a record of its own that nothing can find. */
static uint32_t
ent_get(struct svcmap *m, uint32_t trace, const char *idstr)
{
	uint64_t id, h;
	uint32_t i, v, tag;
	size_t s;

	if (idstr == NULL)
		return ent_new(m, trace, 0);
	if (parse_id(idstr, &id))
		trace |= HASHED_ID;
	if ((m->idcount + 1) * 10 > m->idcap * 7)
		idtab_grow(m);
	h = ent_hash(trace, id);
	tag = slot_tag(h);
	for (s = h & (m->idcap - 1); (v = m->idtab[s]) != NONE; s = (s + 1) & (m->idcap - 1)) {
		struct ent *e;

		if ((v & ~SLOT_IDX) != tag)
			continue;
		e = ent(m, v & SLOT_IDX);
		if (e->id == id && e->trace == trace)
			return v & SLOT_IDX;
	}
	i = ent_new(m, trace, id);
	ent(m, i)->flags = F_INDEXED;
	m->idtab[s] = tag | i;
	m->idcount++;
	return i;
}

/* Add record i to the dependents of p. */
static void
link_dep(struct svcmap *m, uint32_t p, uint32_t i)
{
	struct ent *e = ent(m, i);

	e->parent = p;
	if (p == NONE)
		return;
	e->sibling = ent(m, p)->child;
	ent(m, p)->child = i;
}

/* Take record i out of its parent's dependents. */
static void
unlink_dep(struct svcmap *m, uint32_t i)
{
	struct ent *e = ent(m, i);
	uint32_t *pp;

	if (e->parent == NONE)
		return;
	for (pp = &ent(m, e->parent)->child; *pp != NONE; pp = &ent(m, *pp)->sibling)
		if (*pp == i) {
			*pp = e->sibling;
			break;
		}
	e->parent = NONE;
	e->sibling = NONE;
}

/* ---------------------------------------------------------------- traces */

static uint32_t
trace_hash(const char *s)
{
	return (uint32_t)mix64(fnv64(s, FNV_BASIS));
}

/* Make the trace table cap slots and put every trace in it. */
static void
trtab_rebuild(struct svcmap *m, size_t cap)
{
	size_t slot, k;

	free(m->trtab);
	m->trtab = table_new(cap);
	m->trtabcap = cap;
	for (k = 0; k < m->ntraces; k++) {
		for (slot = m->trhash[k] & (cap - 1); m->trtab[slot] != NONE; slot = (slot + 1) & (cap - 1))
			;
		m->trtab[slot] = (uint32_t)k;
	}
}

/* The index of trace id s, or NONE. */
static uint32_t
trace_lookup(const struct svcmap *m, const char *s)
{
	uint32_t h = trace_hash(s), i;
	size_t slot;

	if (m->trtabcap == 0)
		return NONE;
	for (slot = h & (m->trtabcap - 1); (i = m->trtab[slot]) != NONE; slot = (slot + 1) & (m->trtabcap - 1))
		if (m->trhash[i] == h && strcmp(m->traces[i], s) == 0)
			return i;
	return NONE;
}

static uint32_t
trace_intern(struct svcmap *m, const char *s)
{
	uint32_t h = trace_hash(s), i;
	size_t slot;

	if ((m->ntraces + 1) * 10 > m->trtabcap * 7)
		trtab_rebuild(m, m->trtabcap == 0 ? 256 : m->trtabcap * 2);
	for (slot = h & (m->trtabcap - 1); (i = m->trtab[slot]) != NONE; slot = (slot + 1) & (m->trtabcap - 1))
		if (m->trhash[i] == h && strcmp(m->traces[i], s) == 0)
			return i;
	if (m->ntraces >= HASHED_ID - 1)
		fatal("service map: too many traces");
	if (m->ntraces == m->trcap) {
		m->trcap = m->trcap == 0 ? 256 : m->trcap * 2;
		m->traces = xreallocarray(m->traces, m->trcap, sizeof *m->traces);
		m->trhash = xreallocarray(m->trhash, m->trcap, sizeof *m->trhash);
	}
	i = (uint32_t)m->ntraces++;
	m->traces[i] = arena_strdup(m->strings, s);
	m->trhash[i] = h;
	m->trtab[slot] = i;
	return i;
}

/* ---------------------------------------------------------------- nodes, edges */

static uint32_t
key_hash(const char *name, const char *type)
{
	return (uint32_t)mix64(fnv64(type, fnv64(name, FNV_BASIS) ^ 0xff));
}

/* Find (name, type), or -1. */
static long
key_find(const struct svcmap *m, const char *name, const char *type)
{
	uint32_t h = key_hash(name, type), i;
	size_t s;

	if (m->keytabcap == 0)
		return -1;
	for (s = h & (m->keytabcap - 1); (i = m->keytab[s]) != NONE; s = (s + 1) & (m->keytabcap - 1))
		if (m->keys[i].hash == h && strcmp(m->keys[i].name, name) == 0 &&
		    strcmp(m->keys[i].type, type) == 0)
			return i;
	return -1;
}

/* Intern (name, type); kind is used when the key is new. */
static uint32_t
key_intern(struct svcmap *m, const char *name, const char *type, enum node_kind kind)
{
	long f = key_find(m, name, type);
	struct nkey *k;
	size_t s, cap, j;

	if (f >= 0)
		return (uint32_t)f;
	if ((m->nkeys + 1) * 10 > m->keytabcap * 7) {
		cap = m->keytabcap == 0 ? 64 : m->keytabcap * 2;
		free(m->keytab);
		m->keytab = table_new(cap);
		m->keytabcap = cap;
		for (j = 0; j < m->nkeys; j++) {
			for (s = m->keys[j].hash & (cap - 1); m->keytab[s] != NONE; s = (s + 1) & (cap - 1))
				;
			m->keytab[s] = (uint32_t)j;
		}
	}
	if (m->nkeys == m->keycap) {
		m->keycap = m->keycap == 0 ? 32 : m->keycap * 2;
		m->keys = xreallocarray(m->keys, m->keycap, sizeof *m->keys);
	}
	k = &m->keys[m->nkeys];
	k->name = xstrdup(name);
	k->type = xstrdup(type);
	k->hash = key_hash(name, type);
	k->kind = kind;
	k->node = -1;
	for (s = k->hash & (m->keytabcap - 1); m->keytab[s] != NONE; s = (s + 1) & (m->keytabcap - 1))
		;
	m->keytab[s] = (uint32_t)m->nkeys;
	return (uint32_t)m->nkeys++;
}

/* The node of a key, created on first use. */
static size_t
node_of(struct svcmap *m, uint32_t key)
{
	struct nkey *k = &m->keys[key];
	struct inode *n;

	if (k->node >= 0)
		return (size_t)k->node;
	if (m->nnodes == m->nodecap) {
		m->nodecap = m->nodecap == 0 ? 32 : m->nodecap * 2;
		m->nodes = xreallocarray(m->nodes, m->nodecap, sizeof *m->nodes);
	}
	n = &m->nodes[m->nnodes];
	memset(n, 0, sizeof *n);
	n->pub.name = k->name;
	n->pub.type = k->type;
	n->pub.kind = k->kind;
	stats_init(&n->pub.stats);
	stats_limit(&n->pub.stats, m->sample_cap);
	n->key = key;
	k->node = (long)m->nnodes;
	if (key == m->client_key)
		m->client = k->node;
	return m->nnodes++;
}

static size_t
client_node(struct svcmap *m)
{
	return node_of(m, m->client_key);
}

static uint32_t
edge_hash(size_t source, size_t target)
{
	return (uint32_t)mix64(((uint64_t)source << 32) ^ (uint64_t)target);
}

/* Index of the edge source -> target, created on first use. */
static uint32_t
edge_of(struct svcmap *m, size_t source, size_t target)
{
	struct svc_edge *e;
	size_t s, cap, j;
	uint32_t i;

	if (m->edgetabcap > 0)
		for (s = edge_hash(source, target) & (m->edgetabcap - 1); (i = m->edgetab[s]) != NONE;
		    s = (s + 1) & (m->edgetabcap - 1))
			if (m->edges[i].source == source && m->edges[i].target == target)
				return i;
	if (m->nedges >= NONE - 1)
		fatal("service map: too many edges");
	if ((m->nedges + 1) * 10 > m->edgetabcap * 7) {
		cap = m->edgetabcap == 0 ? 64 : m->edgetabcap * 2;
		free(m->edgetab);
		m->edgetab = table_new(cap);
		m->edgetabcap = cap;
		for (j = 0; j < m->nedges; j++) {
			for (s = edge_hash(m->edges[j].source, m->edges[j].target) & (cap - 1);
			    m->edgetab[s] != NONE; s = (s + 1) & (cap - 1))
				;
			m->edgetab[s] = (uint32_t)j;
		}
	}
	if (m->nedges == m->edgecap) {
		m->edgecap = m->edgecap == 0 ? 32 : m->edgecap * 2;
		m->edges = xreallocarray(m->edges, m->edgecap, sizeof *m->edges);
	}
	e = &m->edges[m->nedges];
	e->source = source;
	e->target = target;
	stats_init(&e->stats);
	stats_limit(&e->stats, m->sample_cap);
	for (s = edge_hash(source, target) & (m->edgetabcap - 1); m->edgetab[s] != NONE;
	    s = (s + 1) & (m->edgetabcap - 1))
		;
	m->edgetab[s] = (uint32_t)m->nedges;
	return (uint32_t)m->nedges++;
}

/* Count (sign > 0) or take back one request on stats. */
static void
apply(struct stats *st, enum req_class cls, double rt, int sign)
{
	if (sign > 0)
		stats_add(st, cls, rt, 0, 0);
	else
		stats_remove(st, cls, rt);
}

/* Count or take back a request on an edge; the client node mirrors the
 * edges that leave it (its statistics are their sum). */
static void
edge_apply(struct svcmap *m, uint32_t e, enum req_class cls, double rt, int sign)
{
	apply(&m->edges[e].stats, cls, rt, sign);
	if (m->client >= 0 && m->edges[e].source == (size_t)m->client)
		apply(&m->nodes[m->client].pub.stats, cls, rt, sign);
}

/* Count or take back a request on the node of a key (created if needed;
 * the index is taken before the array is touched, as creating may move it). */
static void
node_apply(struct svcmap *m, uint32_t key, enum req_class cls, double rt, int sign)
{
	size_t n = node_of(m, key);

	apply(&m->nodes[n].pub.stats, cls, rt, sign);
}

/* ---------------------------------------------------------------- contributions */

/* The segment record an entity belongs to, NONE while unknown. */
static uint32_t
owner_of(const struct svcmap *m, uint32_t i)
{
	const struct ent *e;

	if (i == NONE)
		return NONE;
	e = ent(m, i);
	return e->kind == K_SEG ? i : e->kind == K_SUB ? e->owner : NONE;
}

/* Take back a segment's edge contribution. */
static void
seg_edge_retract(struct svcmap *m, struct ent *s)
{
	const struct ent *v = s;

	if (s->edge == NONE)
		return;
	if (s->flags & F_FROMPAR)
		v = ent(m, s->parent);
	edge_apply(m, s->edge, (enum req_class)v->cls, v->rt, -1);
	s->edge = NONE;
	s->flags &= (uint8_t)~F_FROMPAR;
}

/* Bring a segment's edge up to date with its parent. */
static void
seg_refresh(struct svcmap *m, struct ent *s)
{
	const struct ent *p = s->parent != NONE ? ent(m, s->parent) : NULL, *v = s;
	size_t src, dst = node_of(m, s->key);
	uint32_t want;
	uint8_t frompar = 0;

	if (p != NULL && p->kind == K_SEG)
		src = node_of(m, p->key);
	else if (p != NULL && p->kind == K_SUB && (p->flags & F_CALL) && p->owner != NONE) {
		src = node_of(m, ent(m, p->owner)->key);
		frompar = F_FROMPAR;
		v = p;
	} else
		src = client_node(m);
	want = edge_of(m, src, dst);
	if (want == s->edge && (s->flags & F_FROMPAR) == frompar)
		return;
	seg_edge_retract(m, s);
	edge_apply(m, want, (enum req_class)v->cls, v->rt, +1);
	s->edge = want;
	s->flags |= frompar;
}

/* Take back a subsegment's inferred node and edge. */
static void
sub_retract(struct svcmap *m, struct ent *x)
{
	if (x->edge == NONE)
		return;
	node_apply(m, x->key, (enum req_class)x->cls, x->rt, -1);
	edge_apply(m, x->edge, (enum req_class)x->cls, x->rt, -1);
	x->edge = NONE;
}

/* Nonzero when some segment names this entity as its parent. */
static int
has_seg_child(const struct svcmap *m, const struct ent *x)
{
	uint32_t c;

	for (c = x->child; c != NONE; c = ent(m, c)->sibling)
		if (ent(m, c)->kind == K_SEG)
			return 1;
	return 0;
}

/* Bring a subsegment's owner and inferred contribution up to date; returns
 * nonzero when its owner changed (its dependents need a look then). */
static int
sub_refresh(struct svcmap *m, struct ent *x)
{
	uint32_t owner = owner_of(m, x->parent), want = NONE;
	int changed = owner != x->owner;

	if (changed) {
		sub_retract(m, x);
		x->owner = owner;
	}
	if ((x->flags & F_CALL) && owner != NONE && !has_seg_child(m, x))
		want = edge_of(m, node_of(m, ent(m, owner)->key), node_of(m, x->key));
	if (want != x->edge) {
		sub_retract(m, x);
		if (want != NONE) {
			node_apply(m, x->key, (enum req_class)x->cls, x->rt, +1);
			edge_apply(m, want, (enum req_class)x->cls, x->rt, +1);
			x->edge = want;
		}
	}
	return changed;
}

static void
work_push(struct svcmap *m, uint32_t i)
{
	if (m->nwork == m->workcap) {
		m->workcap = m->workcap == 0 ? 64 : m->workcap * 2;
		m->work = xreallocarray(m->work, m->workcap, sizeof *m->work);
	}
	m->work[m->nwork++] = i;
}

/* Refresh the dependents of record i, and theirs where an owner changed. */
static void
propagate(struct svcmap *m, uint32_t i)
{
	uint32_t q, c;

	work_push(m, i);
	while (m->nwork > 0) {
		q = m->work[--m->nwork];
		for (c = ent(m, q)->child; c != NONE; c = ent(m, c)->sibling) {
			struct ent *e = ent(m, c);

			if (e->kind == K_SEG)
				seg_refresh(m, e);
			else if (e->kind == K_SUB && sub_refresh(m, e))
				work_push(m, c);
		}
	}
}

/* Turn a present entity back into a placeholder: take back what it and the
 * edges made from its request counted, unlink it, and refresh whatever
 * depended on it. */
static void
ent_remove(struct svcmap *m, uint32_t i)
{
	struct ent *e = ent(m, i), *p;
	uint32_t c, parent = e->parent;
	int wasseg = e->kind == K_SEG;

	if (wasseg) {
		if (e->flags & F_NODE)
			node_apply(m, e->key, (enum req_class)e->cls, e->rt, -1);
		seg_edge_retract(m, e);
	} else
		sub_retract(m, e);
	for (c = e->child; c != NONE; c = ent(m, c)->sibling)
		if (ent(m, c)->flags & F_FROMPAR)
			seg_edge_retract(m, ent(m, c));
	unlink_dep(m, i);
	e->kind = K_EMPTY;
	e->owner = NONE;
	e->key = NONE;
	e->flags &= F_INDEXED;
	if (wasseg && parent != NONE && (p = ent(m, parent))->kind == K_SUB)
		sub_refresh(m, p);      /* it may be an inferred call again */
	propagate(m, i);
}

/* Remove a present entity and, for a document, what is nested in it. */
static void
ent_remove_all(struct svcmap *m, uint32_t i)
{
	struct ent *e = ent(m, i);
	uint32_t c, next;

	if (e->flags & F_TOP) {
		for (c = e->child; c != NONE; c = next) {
			next = ent(m, c)->sibling;
			if (ent(m, c)->flags & F_NESTED) {
				ent_remove(m, c);
				m->in.subsegments--;
			}
		}
	}
	if (e->kind == K_SUB)
		m->in.subsegments--;    /* itself: nested, or an independent one */
	ent_remove(m, i);
}

/* ---------------------------------------------------------------- documents */

static int
is_call(const struct segment *s)
{
	return s->namespace != NULL &&
	    (strcmp(s->namespace, "aws") == 0 || strcmp(s->namespace, "remote") == 0) &&
	    !(s->flags & SEG_IN_PROGRESS) && s->end_time != 0;
}

/* The inferred node key of an aws/remote subsegment. */
static uint32_t
call_key(struct svcmap *m, const struct segment *s)
{
	const char *name = s->name != NULL ? s->name : "";
	char buf[256], *type;
	uint32_t k;

	if (strcmp(s->namespace, "aws") == 0) {
		if (s->aws != NULL && s->aws->table_name != NULL && s->aws->table_name[0] != '\0')
			return key_intern(m, s->aws->table_name, "AWS::DynamoDB::Table", NODE_INFERRED);
		if (strlen(name) < sizeof buf - 6) {
			memcpy(buf, "AWS::", 5);
			strcpy(buf + 5, name);
			return key_intern(m, name, buf, NODE_INFERRED);
		}
		type = xasprintf("AWS::%s", name);
		k = key_intern(m, name, type, NODE_INFERRED);
		free(type);
		return k;
	}
	return key_intern(m, name, s->sql != NULL ? "Database::SQL" : "remote", NODE_INFERRED);
}

/* Widen the map's window to an entity's times. */
static void
window_add(struct svcmap *m, const struct segment *s)
{
	if (s->start_time > 0 && (m->win_start == 0 || s->start_time < m->win_start))
		m->win_start = s->start_time;
	if (s->end_time > 0 && s->end_time > m->win_end)
		m->win_end = s->end_time;
}

/* The next entity after s in a depth-first walk of root's tree, or NULL. */
static const struct segment *
walk_next(const struct segment *s, const struct segment *root)
{
	if (s->children != NULL)
		return s->children;
	while (s != root) {
		if (s->next != NULL)
			return s->next;
		s = s->parent;
	}
	return NULL;
}

/* Fill a record from an entity. */
static void
ent_fill(struct svcmap *m, struct ent *e, const struct segment *s, enum ent_kind kind, uint8_t flags)
{
	e->kind = (uint8_t)kind;
	e->flags = (uint8_t)((e->flags & F_INDEXED) | flags);
	e->cls = (uint8_t)segment_class(s);
	e->rt = segment_duration(s);
	e->owner = NONE;
	e->edge = NONE;
	if (kind == K_SEG)
		e->key = key_intern(m, s->name != NULL ? s->name : "",
		    s->origin != NULL ? s->origin : "", NODE_SERVICE);
	else if (is_call(s)) {
		e->flags |= F_CALL;
		e->key = call_key(m, s);
	} else
		e->key = NONE;
}

void
svcmap_add(struct svcmap *m, const struct segment *doc)
{
	const struct segment *s;
	struct ent *e, *p;
	uint32_t t, i, j;
	int indep;

	m->in.documents++;
	if (doc->flags & SEG_INFERRED) {
		m->in.inferred++;
		return;
	}
	if ((doc->flags & SEG_IN_PROGRESS) || doc->end_time == 0) {
		m->in.in_progress++;
		return;
	}
	indep = (doc->flags & SEG_INDEPENDENT) != 0;
	t = trace_intern(m, doc->trace_id != NULL ? doc->trace_id : "");
	i = ent_get(m, t, doc->id);
	if (ent(m, i)->kind != K_EMPTY) {
		m->in.duplicates++;
		ent_remove_all(m, i);
	} else if (indep)
		m->in.independent++;
	else
		m->in.segments++;

	e = ent(m, i);
	ent_fill(m, e, doc, indep ? K_SUB : K_SEG, F_TOP);
	if (!indep)
		e->owner = i;
	else
		m->in.subsegments++;
	window_add(m, doc);
	link_dep(m, doc->parent_id != NULL ? ent_get(m, t, doc->parent_id) : NONE, i);

	for (s = doc->children; s != NULL; s = walk_next(s, doc)) {
		m->in.subsegments++;
		if (!(s->flags & SEG_IN_PROGRESS))
			window_add(m, s);
		j = ent_get(m, t, s->id);
		if (j == i)
			j = ent_get(m, t, NULL);        /* claims the document's own id */
		else if (ent(m, j)->kind != K_EMPTY)
			ent_remove_all(m, j);           /* a later copy wins */
		ent_fill(m, ent(m, j), s, K_SUB, F_NESTED);
		link_dep(m, i, j);
	}

	e = ent(m, i);
	if (e->kind == K_SEG) {
		node_apply(m, e->key, (enum req_class)e->cls, e->rt, +1);
		e->flags |= F_NODE;
		seg_refresh(m, e);
		if (e->parent != NONE && (p = ent(m, e->parent))->kind == K_SUB)
			sub_refresh(m, p);      /* no longer an inferred call */
	} else
		sub_refresh(m, e);
	propagate(m, i);
}

/* ---------------------------------------------------------------- GetServiceGraph */

/* The node a GetServiceGraph type most likely stands for. */
static enum node_kind
graph_kind(const char *type)
{
	static const char *const compute[] = {
		"AWS::EC2::Instance", "AWS::ECS::Container", "AWS::ElasticBeanstalk::Environment",
		"AWS::Lambda", "AWS::Lambda::Function", "AWS::EKS::Container",
		"AWS::ApiGateway::Stage", "AWS::AppSync::GraphQLAPI", "AWS::StepFunctions::StateMachine",
	};
	size_t i;

	if (strcmp(type, "remote") == 0 || strcmp(type, "Database::SQL") == 0)
		return NODE_INFERRED;
	if (strncmp(type, "AWS::", 5) != 0)
		return NODE_SERVICE;
	for (i = 0; i < sizeof compute / sizeof compute[0]; i++)
		if (strcmp(type, compute[i]) == 0)
			return NODE_SERVICE;
	return NODE_INFERRED;
}

/* Counts, histogram and time span of a GetServiceGraph block into st. */
static void
graph_stats_into(struct stats *st, const struct graph_stats *gs, const struct graph_hist *h,
    size_t nh, double start, double end)
{
	size_t i;

	if (gs->present)
		stats_add_counts(st, gs->ok, gs->error, gs->throttle, gs->fault,
		    gs->total_response_time);
	for (i = 0; i < nh; i++)
		stats_add_bucket(st, h[i].value, h[i].count);
	stats_add_span(st, start, end);
}

/* Remember which node a ReferenceId names (the latest page wins). */
static void
ref_set(struct svcmap *m, int reference_id, size_t node)
{
	size_t i;

	for (i = 0; i < m->nrefs; i++)
		if (m->refs[i].reference_id == reference_id) {
			m->refs[i].node = node;
			return;
		}
	if (m->nrefs == m->refcap) {
		m->refcap = m->refcap == 0 ? 32 : m->refcap * 2;
		m->refs = xreallocarray(m->refs, m->refcap, sizeof *m->refs);
	}
	m->refs[m->nrefs].reference_id = reference_id;
	m->refs[m->nrefs++].node = node;
}

static long
ref_get(const struct svcmap *m, int reference_id)
{
	size_t i;

	for (i = 0; i < m->nrefs; i++)
		if (m->refs[i].reference_id == reference_id)
			return (long)m->refs[i].node;
	return -1;
}

/* Add edge statistics to source -> target (mirrored on the client node). */
static void
graph_edge_add(struct svcmap *m, size_t source, size_t target, const struct stats *st)
{
	uint32_t e = edge_of(m, source, target);

	stats_merge(&m->edges[e].stats, st);
	if (m->client >= 0 && source == (size_t)m->client)
		stats_merge(&m->nodes[m->client].pub.stats, st);
}

static void
graph_window(struct svcmap *m, double start, double end)
{
	if (start > 0 && (m->win_start == 0 || start < m->win_start))
		m->win_start = start;
	if (end > 0 && end > m->win_end)
		m->win_end = end;
}

void
svcmap_load_graph(struct svcmap *m, const struct graph_service *svcs, size_t n)
{
	const struct graph_service *g;
	struct stats st;
	size_t i, k, *nodes;
	long target;

	if (n == 0)
		return;
	nodes = xreallocarray(NULL, n, sizeof *nodes);
	for (i = 0; i < n; i++) {
		const char *type = svcs[i].type != NULL ? svcs[i].type : "";
		uint32_t key;

		g = &svcs[i];
		/* Every client service is the one client node. */
		if (strcmp(type, "client") == 0)
			key = m->client_key;
		else
			key = key_intern(m, g->name != NULL ? g->name : "", type, graph_kind(type));
		nodes[i] = node_of(m, key);
		ref_set(m, g->reference_id, nodes[i]);
		graph_window(m, g->start_time, g->end_time);
		if (g->root)
			m->nodes[nodes[i]].graph_root = 1;
		/* The client's statistics are the sum of its edges. */
		if ((long)nodes[i] != m->client)
			graph_stats_into(&m->nodes[nodes[i]].pub.stats, &g->stats, g->histogram,
			    g->nhistogram, g->start_time, g->end_time);
	}
	/* Edges of earlier pages that were waiting for a service of this one. */
	for (k = 0; k < m->npend; ) {
		if ((target = ref_get(m, m->pend[k].reference_id)) < 0) {
			k++;
			continue;
		}
		graph_edge_add(m, m->pend[k].source, (size_t)target, &m->pend[k].stats);
		stats_done(&m->pend[k].stats);
		m->pend[k] = m->pend[--m->npend];
	}
	for (i = 0; i < n; i++) {
		g = &svcs[i];
		for (k = 0; k < g->nedges; k++) {
			const struct graph_edge *ge = &g->edges[k];

			stats_init(&st);
			graph_stats_into(&st, &ge->stats, ge->histogram, ge->nhistogram,
			    ge->start_time, ge->end_time);
			graph_window(m, ge->start_time, ge->end_time);
			if ((target = ref_get(m, ge->reference_id)) >= 0) {
				graph_edge_add(m, nodes[i], (size_t)target, &st);
				stats_done(&st);
				continue;
			}
			if (m->npend == m->pendcap) {
				m->pendcap = m->pendcap == 0 ? 8 : m->pendcap * 2;
				m->pend = xreallocarray(m->pend, m->pendcap, sizeof *m->pend);
			}
			m->pend[m->npend].source = nodes[i];
			m->pend[m->npend].reference_id = ge->reference_id;
			m->pend[m->npend++].stats = st;
		}
	}
	free(nodes);
}

/* ---------------------------------------------------------------- bounded memory */

size_t
svcmap_forget_traces(struct svcmap *m, const char *const *ids, size_t n)
{
	struct arena *strings;
	unsigned char *dead;
	uint32_t *renum, t, o;
	size_t k, forgotten = 0, i, cap;

	if (n == 0 || m->ntraces == 0)
		return 0;
	dead = xcalloc(m->ntraces, 1);
	for (k = 0; k < n; k++) {
		t = ids[k] != NULL ? trace_lookup(m, ids[k]) : NONE;
		if (t != NONE && !dead[t]) {
			dead[t] = 1;
			forgotten++;
		}
	}
	if (forgotten == 0) {
		free(dead);
		return 0;
	}

	/* The traces that stay, renumbered in order, their ids in a new arena. */
	renum = xreallocarray(NULL, m->ntraces, sizeof *renum);
	strings = arena_new(0);
	for (t = 0, o = 0; t < m->ntraces; t++) {
		if (dead[t]) {
			renum[t] = NONE;
			continue;
		}
		renum[t] = o;
		m->traces[o] = arena_strdup(strings, m->traces[t]);
		m->trhash[o++] = m->trhash[t];
	}
	arena_free(m->strings);
	m->strings = strings;
	m->ntraces = o;
	for (cap = 256; (m->ntraces + 1) * 10 > cap * 7; cap *= 2)
		;
	trtab_rebuild(m, cap);

	/* Records of forgotten traces go to the free list; links never cross
	 * traces, so nothing that stays points at them. */
	for (i = 0; i < m->nents; i++) {
		struct ent *e = ent(m, (uint32_t)i);

		if (e->kind == K_FREE)
			continue;
		t = renum[e->trace & ~HASHED_ID];
		if (t == NONE) {
			e->kind = K_FREE;
			e->flags = 0;
			e->sibling = m->free_ent;
			m->free_ent = (uint32_t)i;
			m->nfree++;
		} else
			e->trace = t | (e->trace & HASHED_ID);
	}
	idtab_rebuild(m, m->idcap);
	free(renum);
	free(dead);
	return forgotten;
}

size_t
svcmap_records(const struct svcmap *m)
{
	return m->nents - m->nfree;
}

size_t
svcmap_ntraces(const struct svcmap *m)
{
	return m->ntraces;
}

void
svcmap_set_sample_cap(struct svcmap *m, size_t max)
{
	size_t i;

	m->sample_cap = max;
	for (i = 0; i < m->nnodes; i++)
		stats_limit(&m->nodes[i].pub.stats, max);
	for (i = 0; i < m->nedges; i++)
		stats_limit(&m->edges[i].stats, max);
}

/* ---------------------------------------------------------------- queries */

struct svcmap *
svcmap_new(void)
{
	struct svcmap *m = xcalloc(1, sizeof *m);

	m->strings = arena_new(0);
	m->free_ent = NONE;
	m->client = -1;
	m->client_key = key_intern(m, "client", "client", NODE_CLIENT);
	return m;
}

void
svcmap_free(struct svcmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nblocks; i++)
		free(m->blocks[i]);
	free(m->blocks);
	free(m->idtab);
	arena_free(m->strings);
	free(m->traces);
	free(m->trhash);
	free(m->trtab);
	for (i = 0; i < m->nkeys; i++) {
		free(m->keys[i].name);
		free(m->keys[i].type);
	}
	free(m->keys);
	free(m->keytab);
	for (i = 0; i < m->nnodes; i++)
		stats_done(&m->nodes[i].pub.stats);
	free(m->nodes);
	for (i = 0; i < m->nedges; i++)
		stats_done(&m->edges[i].stats);
	free(m->edges);
	free(m->edgetab);
	free(m->refs);
	for (i = 0; i < m->npend; i++)
		stats_done(&m->pend[i].stats);
	free(m->pend);
	free(m->work);
	free(m);
}

size_t
svcmap_nnodes(const struct svcmap *m)
{
	return m->nnodes;
}

struct svc_node *
svcmap_node(struct svcmap *m, size_t i)
{
	struct inode *n;
	long e;

	if (i >= m->nnodes)
		return NULL;
	n = &m->nodes[i];
	e = m->client >= 0 ? svcmap_find_edge(m, (size_t)m->client, i) : -1;
	n->pub.root = n->graph_root || (e >= 0 && m->edges[e].stats.count > 0);
	return &n->pub;
}

size_t
svcmap_nedges(const struct svcmap *m)
{
	return m->nedges;
}

struct svc_edge *
svcmap_edge(struct svcmap *m, size_t i)
{
	return i < m->nedges ? &m->edges[i] : NULL;
}

long
svcmap_find_node(const struct svcmap *m, const char *name, const char *type)
{
	long k = key_find(m, name, type);

	return k < 0 ? -1 : m->keys[k].node;
}

long
svcmap_find_edge(const struct svcmap *m, size_t source, size_t target)
{
	size_t s;
	uint32_t i;

	if (m->edgetabcap == 0)
		return -1;
	for (s = edge_hash(source, target) & (m->edgetabcap - 1); (i = m->edgetab[s]) != NONE;
	    s = (s + 1) & (m->edgetabcap - 1))
		if (m->edges[i].source == source && m->edges[i].target == target)
			return (long)i;
	return -1;
}

int
svcmap_node_visible(struct svcmap *m, size_t i)
{
	size_t k;

	if (i >= m->nnodes)
		return 0;
	if (m->nodes[i].pub.stats.count > 0)
		return 1;
	for (k = 0; k < m->nedges; k++)
		if ((m->edges[k].source == i || m->edges[k].target == i) && m->edges[k].stats.count > 0)
			return 1;
	return 0;
}

struct node_sort {
	const char	*name;
	const char	*type;
	size_t		 idx;
};

static int
node_sort_cmp(const void *a, const void *b)
{
	const struct node_sort *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->type, y->type);
}

size_t
svcmap_sorted_nodes(struct svcmap *m, size_t *out)
{
	struct node_sort *v;
	unsigned char *vis;
	size_t i, n = 0;

	if (m->nnodes == 0)
		return 0;
	vis = xcalloc(m->nnodes, 1);
	for (i = 0; i < m->nedges; i++)
		if (m->edges[i].stats.count > 0)
			vis[m->edges[i].source] = vis[m->edges[i].target] = 1;
	v = xreallocarray(NULL, m->nnodes, sizeof *v);
	for (i = 0; i < m->nnodes; i++)
		if (vis[i] || m->nodes[i].pub.stats.count > 0) {
			v[n].name = m->nodes[i].pub.name;
			v[n].type = m->nodes[i].pub.type;
			v[n++].idx = i;
		}
	qsort(v, n, sizeof *v, node_sort_cmp);
	for (i = 0; i < n; i++)
		out[i] = v[i].idx;
	free(v);
	free(vis);
	return n;
}

struct edge_sort {
	struct node_sort src;
	struct node_sort dst;
	size_t		 idx;
};

static int
edge_sort_cmp(const void *a, const void *b)
{
	const struct edge_sort *x = a, *y = b;
	int c = node_sort_cmp(&x->src, &y->src);

	return c != 0 ? c : node_sort_cmp(&x->dst, &y->dst);
}

size_t
svcmap_sorted_edges(struct svcmap *m, size_t *out)
{
	struct edge_sort *v;
	size_t i, n = 0;

	if (m->nedges == 0)
		return 0;
	v = xreallocarray(NULL, m->nedges, sizeof *v);
	for (i = 0; i < m->nedges; i++) {
		const struct svc_edge *e = &m->edges[i];

		if (e->stats.count == 0)
			continue;
		v[n].src.name = m->nodes[e->source].pub.name;
		v[n].src.type = m->nodes[e->source].pub.type;
		v[n].dst.name = m->nodes[e->target].pub.name;
		v[n].dst.type = m->nodes[e->target].pub.type;
		v[n++].idx = i;
	}
	qsort(v, n, sizeof *v, edge_sort_cmp);
	for (i = 0; i < n; i++)
		out[i] = v[i].idx;
	free(v);
	return n;
}

const struct svcmap_input *
svcmap_input(const struct svcmap *m)
{
	return &m->in;
}

void
svcmap_window(const struct svcmap *m, double *start, double *end)
{
	*start = m->win_start;
	*end = m->win_end;
}

double
svcmap_rate(const struct svcmap *m, const struct stats *st)
{
	double span = m->win_end - m->win_start;

	return span > 0 ? (double)st->count / (span / 60.0) : 0;
}

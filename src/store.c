/* store.c - the trace assembler: documents filed by trace, merged by id.
 *
 * Traces live in an open-addressing hash table keyed by trace id, and in an
 * array in order of first arrival.  Each trace owns one arena holding its
 * documents; the arrays that index them are heap-allocated and grow by
 * doubling.  A document replaced by a newer copy stays in the arena (
 * replacements are rare: in-progress then complete) until the trace is
 * freed, or until replacements pass half the documents (a sender resending
 * the same documents): then the trace is compacted, its current documents
 * copied into a fresh arena, so that its memory stays bounded.
 *
 * Independent subsegments are attached under the entity their parent_id
 * names, but only when that entity is reachable from a segment document of
 * the trace; until then they wait in the pending list.  Everything that
 * becomes reachable (a new segment, a newly attached subsegment) is searched
 * for the parents of pending subsegments, so chains resolve transitively.
 *
 * Nothing here is quadratic, nor recursive, in the size of a trace (a
 * parent_id chain 100,000 deep, or 100,000 documents waiting for one
 * parent, in any order): documents are found by id through the index,
 * entities nested in documents through a second one, reachability is
 * remembered until a document is detached, and pending documents are
 * listed by the parent id they wait for.
 */
#include "config.h"

#include "xraytop/store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/xmalloc.h"

/* Per-trace arena chunks: a typical trace holds 10-20 KiB of decoded data. */
#define TRACE_CHUNK (8 * 1024)
/* A trace is compacted when replaced copies pass half its documents plus this. */
#define COMPACT_SLACK 4
/* A trace builds an id index of its documents past this many documents. */
#define IDX_MIN_DOCS 16

enum doc_kind { KIND_SEGMENT = 0, KIND_INDEP = 1 };

/* The documents waiting for one parent id: a list through wnodes. */
struct wslot {
	const char	*key;        /* the parent id (a waiting document's), NULL: empty */
	size_t		 head;       /* wnodes index + 1 of the newest, 0: none */
};

struct wnode {
	struct segment	*p;
	size_t		 next;       /* wnodes index + 1 of the one before, 0: none */
};

/* The public trace and what only the store needs to know about it. */
struct tentry {
	struct trace	 t;          /* first: a struct trace * is a struct tentry * */
	uint64_t	 hash;
	struct segment	**indeps;    /* current copy of every independent subsegment */
	size_t		 nindeps;
	size_t		 capindeps;
	size_t		*idx;        /* id -> (index << 1 | kind) + 1, or NULL */
	size_t		 idxcap;     /* power of two */
	size_t		 replaced;   /* copies replaced since the arena was made */
	unsigned	*reach;      /* per indeps[i]: gen + 1 when found reachable then */
	size_t		 capreach;
	unsigned	 gen;        /* bumped when a document may have become unreachable */
	struct segment	**nested;    /* entities nested in documents, by id (open
	                                addressing; copies since replaced stay) */
	size_t		 nnested;
	size_t		 capnested;  /* power of two, or 0 */
	struct wslot	*wait;       /* pending documents by parent_id: open addressing */
	size_t		 nwait;      /* keys */
	size_t		 capwait;    /* power of two, or 0 */
	struct wnode	*wnodes;     /* the lists of wait; entries no longer pending
	                                are skipped, and dropped at a rebuild */
	size_t		 nwnodes;
	size_t		 capwnodes;
};

struct store {
	struct tentry	**traces;    /* in order of first arrival, from traces[head] */
	size_t		 head;       /* evicted entries before it */
	size_t		 ntraces;
	size_t		 captraces;
	struct tentry	**slots;     /* hash table, power-of-two size */
	size_t		 nslots;
	uint64_t	 seq;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	/* Mix the high bits down: the table uses the low ones. */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

static int
is_complete(const struct segment *s)
{
	return (s->flags & SEG_IN_PROGRESS) == 0;
}

/* Grow a pointer array so that one more element fits. */
static void
grow(struct segment ***arr, size_t n, size_t *cap)
{
	if (n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 4;
	*arr = xreallocarray(*arr, *cap, sizeof **arr);
}

static void
push(struct segment ***arr, size_t *n, size_t *cap, struct segment *s)
{
	grow(arr, *n, cap);
	(*arr)[(*n)++] = s;
}

static void
entry_free(struct tentry *e)
{
	arena_free(e->t.arena);
	free(e->t.segments);
	free(e->t.pending);
	free(e->indeps);
	free(e->idx);
	free(e->reach);
	free(e->nested);
	free(e->wait);
	free(e->wnodes);
	free(e);
}

struct store *
store_new(void)
{
	struct store *st = xcalloc(1, sizeof *st);

	st->nslots = 64;
	st->slots = xcalloc(st->nslots, sizeof *st->slots);
	return st;
}

void
store_free(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->ntraces; i++)
		entry_free(st->traces[st->head + i]);
	free(st->traces);
	free(st->slots);
	free(st);
}

/* The slot where trace id lives or would go. */
static size_t
slot_of(const struct store *st, const char *id, uint64_t h)
{
	size_t mask = st->nslots - 1, i = (size_t)h & mask;

	while (st->slots[i] != NULL) {
		if (st->slots[i]->hash == h && strcmp(st->slots[i]->t.id, id) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* Double the hash table, keeping the load factor under 1/2. */
static void
store_rehash(struct store *st)
{
	struct tentry **old = st->slots;
	size_t oldn = st->nslots, i, j, mask;

	st->nslots *= 2;
	st->slots = xcalloc(st->nslots, sizeof *st->slots);
	mask = st->nslots - 1;
	for (i = 0; i < oldn; i++) {
		if (old[i] == NULL)
			continue;
		j = (size_t)old[i]->hash & mask;
		while (st->slots[j] != NULL)
			j = (j + 1) & mask;
		st->slots[j] = old[i];
	}
	free(old);
}

struct trace *
store_find(struct store *st, const char *trace_id)
{
	uint64_t h;
	struct tentry *e;

	if (st == NULL || trace_id == NULL)
		return NULL;
	h = hash_str(trace_id);
	e = st->slots[slot_of(st, trace_id, h)];
	return e != NULL ? &e->t : NULL;
}

size_t
store_ntraces(const struct store *st)
{
	return st != NULL ? st->ntraces : 0;
}

struct trace *
store_trace(struct store *st, size_t i)
{
	if (st == NULL || i >= st->ntraces)
		return NULL;
	return &st->traces[st->head + i]->t;
}

/* The trace for id, created when new. */
static struct tentry *
store_get(struct store *st, const char *id)
{
	uint64_t h = hash_str(id);
	size_t i = slot_of(st, id, h);
	struct tentry *e;

	if (st->slots[i] != NULL)
		return st->slots[i];
	if ((st->ntraces + 1) * 2 > st->nslots) {
		store_rehash(st);
		i = slot_of(st, id, h);
	}
	e = xcalloc(1, sizeof *e);
	e->hash = h;
	e->t.arena = arena_new(TRACE_CHUNK);
	e->t.id = arena_strdup(e->t.arena, id);
	e->t.seq = st->seq++;
	st->slots[i] = e;
	if (st->head + st->ntraces == st->captraces) {
		if (st->head > 0 && st->head >= st->ntraces) {
			/* half or more evicted: move the rest down */
			memmove(st->traces, st->traces + st->head, st->ntraces * sizeof *st->traces);
			st->head = 0;
		} else {
			st->captraces = st->captraces ? st->captraces * 2 : 64;
			st->traces = xreallocarray(st->traces, st->captraces, sizeof *st->traces);
		}
	}
	st->traces[st->head + st->ntraces++] = e;
	return e;
}

/* Empty slot i of the hash table, moving later entries of its probe run
 * back so that every entry stays reachable from its home slot. */
static void
slot_delete(struct store *st, size_t i)
{
	size_t mask = st->nslots - 1, j = i, home;

	st->slots[i] = NULL;
	for (;;) {
		j = (j + 1) & mask;
		if (st->slots[j] == NULL)
			return;
		home = (size_t)st->slots[j]->hash & mask;
		/* the entry at j may fill the hole at i unless its home lies in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			st->slots[i] = st->slots[j];
			st->slots[j] = NULL;
			i = j;
		}
	}
}

size_t
store_evict(struct store *st, size_t n, void (*gone)(void *ctx, const struct trace *t), void *ctx)
{
	struct tentry *e;
	size_t k;

	if (st == NULL)
		return 0;
	if (n > st->ntraces)
		n = st->ntraces;
	for (k = 0; k < n; k++) {
		e = st->traces[st->head];
		if (gone != NULL)
			gone(ctx, &e->t);
		slot_delete(st, slot_of(st, e->t.id, e->hash));
		st->traces[st->head++] = NULL;
		st->ntraces--;
		entry_free(e);
	}
	if (st->ntraces == 0)
		st->head = 0;
	return n;
}

/* ---------------------------------------------------------------- document index */

static struct segment *
doc_at(const struct tentry *e, size_t v)
{
	size_t i = (v - 1) >> 1;

	return ((v - 1) & 1) == KIND_INDEP ? e->indeps[i] : e->t.segments[i];
}

static void
idx_put(struct tentry *e, const char *id, enum doc_kind kind, size_t i)
{
	size_t mask = e->idxcap - 1, j = (size_t)hash_str(id) & mask;

	while (e->idx[j] != 0)
		j = (j + 1) & mask;
	e->idx[j] = ((i << 1) | kind) + 1;
}

/* (Re)build the index once the trace is big enough to need one. */
static void
idx_rebuild(struct tentry *e)
{
	size_t n = e->t.nsegments + e->nindeps, i;

	if (n <= IDX_MIN_DOCS)
		return;
	free(e->idx);
	e->idxcap = 64;
	while (e->idxcap < n * 4)
		e->idxcap *= 2;
	e->idx = xcalloc(e->idxcap, sizeof *e->idx);
	for (i = 0; i < e->t.nsegments; i++)
		if (e->t.segments[i]->id != NULL)
			idx_put(e, e->t.segments[i]->id, KIND_SEGMENT, i);
	for (i = 0; i < e->nindeps; i++)
		if (e->indeps[i]->id != NULL)
			idx_put(e, e->indeps[i]->id, KIND_INDEP, i);
}

/* Record a document just appended to its array. */
static void
idx_add(struct tentry *e, enum doc_kind kind, size_t i)
{
	const char *id = kind == KIND_INDEP ? e->indeps[i]->id : e->t.segments[i]->id;

	if (e->idx != NULL && (e->t.nsegments + e->nindeps) * 2 <= e->idxcap) {
		if (id != NULL)
			idx_put(e, id, kind, i);
	} else
		idx_rebuild(e);
}

/* Index of the document of this kind with this id, or -1. */
static long
doc_index(const struct tentry *e, const char *id, enum doc_kind kind)
{
	struct segment **arr = kind == KIND_INDEP ? e->indeps : e->t.segments;
	size_t n = kind == KIND_INDEP ? e->nindeps : e->t.nsegments, i, mask;

	if (id == NULL)
		return -1;
	if (e->idx == NULL) {
		for (i = 0; i < n; i++)
			if (arr[i]->id != NULL && strcmp(arr[i]->id, id) == 0)
				return (long)i;
		return -1;
	}
	mask = e->idxcap - 1;
	for (i = (size_t)hash_str(id) & mask; e->idx[i] != 0; i = (i + 1) & mask) {
		size_t v = e->idx[i];

		if (((v - 1) & 1) == kind && strcmp(doc_at(e, v)->id, id) == 0)
			return (long)((v - 1) >> 1);
	}
	return -1;
}

/* ---------------------------------------------------------------- attaching */

/* The top-level document an entity belongs to: the nearest enclosing entity
 * that is a document of its own (a segment or an independent subsegment). */
static struct segment *
doc_of(struct segment *s)
{
	while (s->parent != NULL && (s->flags & SEG_INDEPENDENT) == 0)
		s = s->parent;
	return s;
}

/* Nonzero when s hangs, through attached documents, under a segment. */
static int
reachable(const struct segment *s)
{
	while (s->parent != NULL)
		s = s->parent;
	return (s->flags & SEG_INDEPENDENT) == 0;
}

/* Nonzero when indeps[k] hangs, through attached documents, under a
 * segment.  A positive answer is kept (reach) until a document is detached
 * or replaced (gen), so that the links of a long parent_id chain are each
 * walked once, not once per document added below them. */
static int
indep_reachable(struct tentry *e, size_t k)
{
	unsigned known = e->gen + 1;
	struct segment *top;
	size_t first = k;
	long j;
	int ok, pass;

	for (pass = 0; pass < 2; pass++) {
		/* The first pass finds the answer, the second notes it. */
		for (k = first;; k = (size_t)j) {
			if (e->reach[k] == known) {
				ok = 1;
				break;
			}
			if (pass == 1)
				e->reach[k] = known;
			if (e->indeps[k]->parent == NULL) {
				ok = 0;
				break;
			}
			top = doc_of(e->indeps[k]->parent);
			if ((top->flags & SEG_INDEPENDENT) == 0) {
				ok = 1;
				break;
			}
			j = doc_index(e, top->id, KIND_INDEP);
			if (j < 0 || e->indeps[j] != top) {
				ok = reachable(top);
				break;
			}
		}
		if (!ok)
			return 0;
	}
	return 1;
}

/* Nonzero when the nested entity c is in a current document (that is
 * reachable from the trace's segments, when reach is nonzero). */
static int
nested_current(struct tentry *e, const struct segment *c, int reach)
{
	const struct segment *top = doc_of((struct segment *)(uintptr_t)c);
	long k;

	if (top->flags & SEG_INDEPENDENT) {
		k = doc_index(e, top->id, KIND_INDEP);
		return k >= 0 && e->indeps[k] == top && (!reach || indep_reachable(e, (size_t)k));
	}
	k = doc_index(e, top->id, KIND_SEGMENT);
	return k >= 0 && e->t.segments[k] == top;
}

/* Index s by id; of two current entities with one id, the first stays. */
static void
nested_put(struct tentry *e, struct segment *s)
{
	size_t mask, j, i;

	if ((e->nnested + 1) * 2 > e->capnested) {
		struct segment **old = e->nested;
		size_t oldcap = e->capnested;

		e->capnested = oldcap ? oldcap * 2 : 64;
		e->nested = xcalloc(e->capnested, sizeof *e->nested);
		e->nnested = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i] != NULL)
				nested_put(e, old[i]);
		free(old);
	}
	mask = e->capnested - 1;
	for (j = (size_t)hash_str(s->id) & mask; e->nested[j] != NULL; j = (j + 1) & mask)
		if (strcmp(e->nested[j]->id, s->id) == 0) {
			/* One slot per id: repeated ids cannot make a cluster. */
			if (!nested_current(e, e->nested[j], 0))
				e->nested[j] = s;
			return;
		}
	e->nested[j] = s;
	e->nnested++;
}

/* Index the entities nested in doc (a fresh copy: nothing attached yet). */
static void
nested_add(struct tentry *e, struct segment *doc)
{
	struct segment *s = doc->children;

	while (s != NULL) {
		if (s->id != NULL)
			nested_put(e, s);
		if (s->children != NULL) {
			s = s->children;
			continue;
		}
		while (s != doc && s->next == NULL)
			s = s->parent;
		s = s != doc ? s->next : NULL;
	}
}

/* The entity with this id nested in a current document (that is reachable
 * from the trace's segments, when reach is nonzero), or NULL. */
static struct segment *
nested_find(struct tentry *e, const char *id, int reach)
{
	struct segment *c;
	size_t mask, j;

	if (e->capnested == 0)
		return NULL;
	mask = e->capnested - 1;
	for (j = (size_t)hash_str(id) & mask; (c = e->nested[j]) != NULL; j = (j + 1) & mask)
		if (strcmp(c->id, id) == 0)
			return nested_current(e, c, reach) ? c : NULL;
	return NULL;
}

/* The entity with this id reachable from the trace's segments, or NULL. */
static struct segment *
find_reachable(struct tentry *e, const char *id)
{
	long k;

	if (id == NULL)
		return NULL;
	if ((k = doc_index(e, id, KIND_SEGMENT)) >= 0)
		return e->t.segments[k];
	if ((k = doc_index(e, id, KIND_INDEP)) >= 0)
		return indep_reachable(e, (size_t)k) ? e->indeps[k] : NULL;
	return nested_find(e, id, 1);
}

static void
attach(struct segment *parent, struct segment *child)
{
	child->next = NULL;
	segment_append_child(parent, child);
	child->parent = parent;
}

/* Take child out of its parent's list of children. */
static void
detach(struct segment *child)
{
	struct segment *p = child->parent, *c, *prev = NULL;

	if (p == NULL)
		return;
	for (c = p->children; c != NULL && c != child; c = c->next)
		prev = c;
	if (c != NULL) {
		if (prev != NULL)
			prev->next = c->next;
		else
			p->children = c->next;
		if (p->last_child == c)
			p->last_child = prev;
		p->nchildren--;
	}
	child->next = NULL;
	child->parent = NULL;
}

static void
pending_remove(struct trace *t, const struct segment *s)
{
	size_t i;

	for (i = 0; i < t->npending; i++)
		if (t->pending[i] == s) {
			memmove(t->pending + i, t->pending + i + 1,
			    (t->npending - i - 1) * sizeof *t->pending);
			t->npending--;
			return;
		}
}

/* The slot of parent id key: where it is, or the empty one it would take. */
static struct wslot *
wait_slot(const struct tentry *e, const char *key)
{
	size_t mask = e->capwait - 1, j;

	for (j = (size_t)hash_str(key) & mask; e->wait[j].key != NULL; j = (j + 1) & mask)
		if (strcmp(e->wait[j].key, key) == 0)
			break;
	return &e->wait[j];
}

static void
wait_insert(struct tentry *e, struct segment *p)
{
	struct wslot *w;
	size_t i;

	if ((e->nwait + 1) * 2 > e->capwait) {
		struct wslot *old = e->wait;
		size_t oldcap = e->capwait;

		e->capwait = oldcap ? oldcap * 2 : 64;
		e->wait = xcalloc(e->capwait, sizeof *e->wait);
		for (i = 0; i < oldcap; i++)
			if (old[i].key != NULL)
				*wait_slot(e, old[i].key) = old[i];
		free(old);
	}
	w = wait_slot(e, p->parent_id);
	if (w->key == NULL) {
		w->key = p->parent_id;
		e->nwait++;
	}
	if (e->nwnodes == e->capwnodes) {
		e->capwnodes = e->capwnodes ? e->capwnodes * 2 : 64;
		e->wnodes = xreallocarray(e->wnodes, e->capwnodes, sizeof *e->wnodes);
	}
	e->wnodes[e->nwnodes].p = p;
	e->wnodes[e->nwnodes].next = w->head;
	w->head = ++e->nwnodes;
}

/* Push p to the pending list and note it under its parent_id. */
static void
pending_add(struct tentry *e, struct segment *p)
{
	size_t i;

	push(&e->t.pending, &e->t.npending, &e->t.cappending, p);
	if (p->parent_id == NULL)
		return;
	if (e->nwnodes < 2 * e->t.npending + 64) {
		wait_insert(e, p);
		return;
	}
	/* Mostly left the list: start again from it. */
	free(e->wait);
	e->wait = NULL;
	e->nwait = e->capwait = 0;
	e->nwnodes = 0;
	for (i = 0; i < e->t.npending; i++)
		if (e->t.pending[i]->parent_id != NULL)
			wait_insert(e, e->t.pending[i]);
}

/* Nonzero when p is a current independent subsegment not attached. */
static int
is_pending(const struct tentry *e, const struct segment *p)
{
	long k;

	if (p->parent != NULL)
		return 0;
	k = doc_index(e, p->id, KIND_INDEP);
	return k >= 0 && e->indeps[k] == p;
}

/* Attach every pending subsegment whose parent is in tree (just made
 * reachable), and transitively those whose parent is in what that
 * attached: one walk of tree, which takes in each subsegment as it is
 * attached, with the pending ones looked up by parent_id.  Linear in what
 * becomes reachable, however long the pending list or the chain. */
static void
resolve_pending(struct tentry *e, struct segment *tree)
{
	struct trace *t = &e->t;
	struct segment *x, **list = NULL;
	struct wslot *w;
	size_t i, n, k, nlist = 0, caplist = 0;
	int attached = 0;

	if (t->npending == 0 || e->nwait == 0)
		return;
	for (x = tree; x != NULL; ) {
		if (x->id != NULL && (w = wait_slot(e, x->id))->key != NULL && w->head != 0) {
			/* Oldest first, as they came. */
			nlist = 0;
			for (k = w->head; k != 0; k = e->wnodes[k - 1].next)
				push(&list, &nlist, &caplist, e->wnodes[k - 1].p);
			w->head = 0;
			for (i = nlist; i-- > 0; )
				if (is_pending(e, list[i])) {
					attach(x, list[i]);
					attached = 1;
				}
		}
		/* The next entity of tree in pre-order (attach appends, so
		 * what was just attached is walked too). */
		if (x->children != NULL) {
			x = x->children;
			continue;
		}
		while (x != tree && x->next == NULL)
			x = x->parent;
		x = x != tree ? x->next : NULL;
	}
	free(list);
	if (!attached)
		return;
	for (i = n = 0; i < t->npending; i++)
		if (t->pending[i]->parent == NULL)
			t->pending[n++] = t->pending[i];
	t->npending = n;
}

/* Independent subsegments attached inside old's own document (not inside
 * another independent one below it), taken off their parents. */
static struct segment **
take_attached(struct tentry *e, struct segment *old, size_t *n)
{
	struct segment **list = NULL;
	size_t cap = 0, i;

	*n = 0;
	for (i = 0; i < e->nindeps; i++) {
		struct segment *s = e->indeps[i];

		if (s != old && s->parent != NULL && doc_of(s->parent) == old) {
			detach(s);
			e->gen++;
			push(&list, n, &cap, s);
		}
	}
	return list;
}

/* Put back subsegments taken off a replaced document: under the entity
 * their parent_id names, or pending. */
static void
reattach(struct tentry *e, struct segment **list, size_t n)
{
	struct segment *parent;
	size_t i;

	for (i = 0; i < n; i++) {
		parent = find_reachable(e, list[i]->parent_id);
		if (parent != NULL)
			attach(parent, list[i]);
		else
			pending_add(e, list[i]);
	}
	free(list);
}

static void
span_add(struct trace *t, const struct segment *s)
{
	if (s->start_time > 0 && (t->start == 0 || s->start_time < t->start))
		t->start = s->start_time;
	if (s->end_time > t->end)
		t->end = s->end_time;
}

/* Start and end again from every current document (after a replacement). */
static void
span_recompute(struct tentry *e)
{
	size_t i;

	e->t.start = e->t.end = 0;
	for (i = 0; i < e->t.nsegments; i++)
		span_add(&e->t, e->t.segments[i]);
	for (i = 0; i < e->nindeps; i++)
		span_add(&e->t, e->indeps[i]);
}

static void
add_segment(struct tentry *e, const struct segment *doc)
{
	struct trace *t = &e->t;
	struct segment *copy, *old, **moved;
	size_t nmoved;
	long k = doc_index(e, doc->id, KIND_SEGMENT);

	if (k >= 0 && is_complete(t->segments[k]) && !is_complete(doc))
		return;
	copy = segment_copy(doc, t->arena, NULL);
	if (k < 0) {
		push(&t->segments, &t->nsegments, &t->capsegments, copy);
		idx_add(e, KIND_SEGMENT, t->nsegments - 1);
		nested_add(e, copy);
		span_add(t, copy);
	} else {
		old = t->segments[k];
		t->segments[k] = copy;
		nested_add(e, copy);     /* once current: the old copy's ids give way */
		moved = take_attached(e, old, &nmoved);
		reattach(e, moved, nmoved);
		span_recompute(e);
		e->replaced++;
	}
	resolve_pending(e, copy);
}

static void
add_independent(struct tentry *e, const struct segment *doc)
{
	struct trace *t = &e->t;
	struct segment *copy, *old = NULL, *parent, **moved = NULL;
	size_t nmoved = 0;
	long k = doc_index(e, doc->id, KIND_INDEP);

	if (k >= 0) {
		old = e->indeps[k];
		if (is_complete(old) && !is_complete(doc))
			return;
	}
	copy = segment_copy(doc, t->arena, NULL);
	if (old != NULL) {
		e->indeps[k] = copy;
		e->reach[k] = 0;
		e->gen++;
		if (old->parent != NULL)
			detach(old);
		else
			pending_remove(t, old);
		moved = take_attached(e, old, &nmoved);
	} else {
		push(&e->indeps, &e->nindeps, &e->capindeps, copy);
		if (e->capreach < e->capindeps) {
			e->reach = xreallocarray(e->reach, e->capindeps, sizeof *e->reach);
			memset(e->reach + e->capreach, 0,
			    (e->capindeps - e->capreach) * sizeof *e->reach);
			e->capreach = e->capindeps;
		}
		idx_add(e, KIND_INDEP, e->nindeps - 1);
	}
	nested_add(e, copy);
	parent = find_reachable(e, copy->parent_id);
	if (parent != NULL)
		attach(parent, copy);
	else
		pending_add(e, copy);
	if (old != NULL) {
		reattach(e, moved, nmoved);
		span_recompute(e);
		e->replaced++;
	} else
		span_add(t, copy);
	if (parent != NULL)
		resolve_pending(e, copy);
}

/* Copy the current documents of a trace into a fresh arena and free the
 * old one with the replaced copies in it.  The independent subsegments are
 * taken off their parents first, so that copying a document copies only
 * what it nests itself; adding them again attaches them as before. */
static void
trace_compact(struct tentry *e)
{
	struct tentry fresh;
	size_t i;

	for (i = 0; i < e->nindeps; i++)
		if (e->indeps[i]->parent != NULL)
			detach(e->indeps[i]);
	memset(&fresh, 0, sizeof fresh);
	fresh.hash = e->hash;
	fresh.t.arena = arena_new(TRACE_CHUNK);
	fresh.t.id = arena_strdup(fresh.t.arena, e->t.id);
	fresh.t.seq = e->t.seq;
	for (i = 0; i < e->t.nsegments; i++)
		add_segment(&fresh, e->t.segments[i]);
	for (i = 0; i < e->nindeps; i++)
		add_independent(&fresh, e->indeps[i]);
	arena_free(e->t.arena);
	free(e->t.segments);
	free(e->t.pending);
	free(e->indeps);
	free(e->idx);
	free(e->reach);
	free(e->nested);
	free(e->wait);
	free(e->wnodes);
	*e = fresh;
}

struct trace *
store_add(struct store *st, const struct segment *doc)
{
	struct tentry *e;

	if (st == NULL || doc == NULL || doc->trace_id == NULL || doc->trace_id[0] == '\0')
		return NULL;
	e = store_get(st, doc->trace_id);
	if (doc->flags & SEG_INDEPENDENT)
		add_independent(e, doc);
	else
		add_segment(e, doc);
	if (e->replaced > (e->t.nsegments + e->nindeps) / 2 + COMPACT_SLACK)
		trace_compact(e);
	return &e->t;
}

/* ---------------------------------------------------------------- queries */

/* By the indexes: a trace is always the first member of its entry. */
struct segment *
trace_find(const struct trace *t, const char *id)
{
	struct tentry *e = (struct tentry *)(uintptr_t)t;
	long k;

	if (t == NULL || id == NULL)
		return NULL;
	if ((k = doc_index(e, id, KIND_SEGMENT)) >= 0)
		return e->t.segments[k];
	if ((k = doc_index(e, id, KIND_INDEP)) >= 0)
		return e->indeps[k];
	return nested_find(e, id, 0);
}

struct segment *
trace_root(const struct trace *t)
{
	struct segment *best = NULL, *s;
	size_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < t->nsegments; i++) {
		s = t->segments[i];
		if (s->parent_id != NULL && trace_find(t, s->parent_id) != NULL)
			continue;
		if (best == NULL || s->start_time < best->start_time)
			best = s;
	}
	/* Every segment's parent is in the trace: a cycle; take the earliest. */
	if (best == NULL && t->nsegments > 0) {
		best = t->segments[0];
		for (i = 1; i < t->nsegments; i++)
			if (t->segments[i]->start_time < best->start_time)
				best = t->segments[i];
	}
	return best;
}

/* segment-fuzz.c - libFuzzer target: segment documents and everything a
 * line of a file goes through, on arbitrary bytes.
 *
 * The input is decoded three ways: as one segment document
 * (json_decode_segment, full and JSON_LEAN), as one JSON value of any kind
 * (json_decode: documents, BatchGetTraces, GetTraceSummaries and
 * GetServiceGraph pages, wrapped datagrams), and as a file (source_file_read
 * on a memfd: JSON Lines or one value over many lines).  Checks:
 *  - a rejected document has a message and an offset within the text;
 *  - an accepted tree is well formed (ids, names, trace ids, finite times,
 *    in-progress entities without an end, children lists and counts,
 *    parent pointers, subsegment flags), its raw text is the trimmed
 *    input, and the lean decoding has the same entities, flags, times,
 *    HTTP status and annotations and none of the skipped blocks;
 *  - the counts json_decode and the file source report equal what reached
 *    the sink, and a file with no newline reads as json_decode reads it;
 *  - what was delivered, filed in a store and counted in a service map,
 *    gives a map whose node and edge counts do not depend on the order of
 *    the documents (when no entity repeats another's trace and id: the
 *    later one counts then, by design), trace trees that
 *    hold every entity once in a well-formed pre-order, summaries, and
 *    text exports (map, trace list, waterfall) that are safe for a
 *    terminal.
 * Any violation aborts. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/export.h"
#include "xraytop/json-in.h"
#include "xraytop/model.h"
#include "xraytop/source-file.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/tracetree.h"

#include "fuzz-common.h"

#define MAX_INPUT	65536
#define MAX_KEPT	256     /* documents kept for the second map */

/* What reached a sink. */
struct collect {
	struct store	*store;
	struct svcmap	*map;           /* NULL until a document or a graph comes */
	int		 no_map;        /* another path counts these documents */
	struct arena	*keep;
	const struct segment *docs[MAX_KEPT];
	size_t		 ndocs;
	unsigned long	 documents;
	unsigned long	 summaries;
	unsigned long	 services;
	struct trace_summary sums[64];
	struct arena	*sum_arena;
	size_t		 nsums;
};

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A decoded entity and its subtree are well formed; returns the entities. */
static size_t
check_tree(const struct segment *s, const struct segment *parent, int top)
{
	const struct segment *c, *last = NULL;
	size_t n = 1, kids = 0;

	FUZZ_CHECK(s->id != NULL && s->id[0] != '\0', "entity without an id");
	FUZZ_CHECK(s->name != NULL, "entity %s without a name", s->id);
	FUZZ_CHECK(s->trace_id != NULL && (!top || s->trace_id[0] != '\0'),
	    "entity %s without a trace id", s->id);
	FUZZ_CHECK(isfinite(s->start_time) && isfinite(s->end_time), "entity %s: times", s->id);
	FUZZ_CHECK(!(s->flags & SEG_IN_PROGRESS) || s->end_time == 0,
	    "entity %s in progress with an end time", s->id);
	FUZZ_CHECK(s->parent == parent, "entity %s: wrong parent pointer", s->id);
	FUZZ_CHECK(top || (s->flags & SEG_SUBSEGMENT), "nested entity %s not a subsegment", s->id);
	FUZZ_CHECK(top || !(s->flags & SEG_INDEPENDENT), "nested entity %s independent", s->id);
	FUZZ_CHECK(!top || !(s->flags & SEG_SUBSEGMENT) == !(s->flags & SEG_INDEPENDENT),
	    "document %s: subsegment and independent flags disagree", s->id);
	FUZZ_CHECK(top || s->raw == NULL, "nested entity %s has raw text", s->id);
	FUZZ_CHECK(s->nannotations == 0 || s->annotations != NULL, "annotations");
	for (size_t i = 0; i < s->nannotations; i++)
		FUZZ_CHECK(s->annotations[i].key != NULL &&
		    (s->annotations[i].type != ANNO_STRING || s->annotations[i].str != NULL),
		    "entity %s: annotation %zu", s->id, i);
	for (c = s->children; c != NULL; c = c->next) {
		n += check_tree(c, s, 0);
		last = c;
		kids++;
	}
	FUZZ_CHECK(kids == s->nchildren && last == s->last_child,
	    "entity %s: %zu children listed, nchildren %zu", s->id, kids, s->nchildren);
	return n;
}

/* The lean decoding keeps what the map and the filters read. */
static void
check_lean(const struct segment *f, const struct segment *l)
{
	const struct segment *a, *b;

	FUZZ_CHECK(str_eq(f->id, l->id) && str_eq(f->name, l->name) &&
	    str_eq(f->trace_id, l->trace_id) && str_eq(f->parent_id, l->parent_id) &&
	    str_eq(f->origin, l->origin) && str_eq(f->namespace, l->namespace) &&
	    str_eq(f->user, l->user), "lean entity %s differs", f->id);
	FUZZ_CHECK(f->flags == l->flags && f->start_time == l->start_time &&
	    f->end_time == l->end_time, "lean entity %s: flags or times differ", f->id);
	FUZZ_CHECK((f->http == NULL) == (l->http == NULL) &&
	    (f->http == NULL || f->http->status == l->http->status), "lean %s: http", f->id);
	FUZZ_CHECK((f->aws == NULL) == (l->aws == NULL) &&
	    (f->aws == NULL || (str_eq(f->aws->table_name, l->aws->table_name) &&
	    str_eq(f->aws->operation, l->aws->operation))), "lean %s: aws", f->id);
	FUZZ_CHECK(f->nannotations == l->nannotations, "lean %s: annotations", f->id);
	FUZZ_CHECK(l->cause == NULL && l->metadata == NULL && l->nservice == 0 &&
	    l->nprecursors == 0, "lean %s kept a skipped block", f->id);
	FUZZ_CHECK(f->nchildren == l->nchildren, "lean %s: children", f->id);
	for (a = f->children, b = l->children; a != NULL; a = a->next, b = b->next)
		check_lean(a, b);
}

static void
collect_document(void *ctx, const struct segment *doc)
{
	struct collect *cl = ctx;

	check_tree(doc, NULL, 1);
	cl->documents++;
	store_add(cl->store, doc);
	if (cl->no_map)
		return;
	if (cl->map == NULL)
		cl->map = svcmap_new();
	svcmap_add(cl->map, doc);
	if (cl->ndocs < MAX_KEPT)
		cl->docs[cl->ndocs++] = segment_copy(doc, cl->keep, NULL);
}

static void
collect_summary(void *ctx, const struct trace_summary *s)
{
	struct collect *cl = ctx;

	FUZZ_CHECK(s->id != NULL, "summary without an id");
	FUZZ_CHECK(s->nservices == 0 || s->services != NULL, "summary services");
	cl->summaries++;
	if (cl->nsums == sizeof cl->sums / sizeof cl->sums[0])
		return;
	/* The pointers die with the call. */
	summary_copy(&cl->sums[cl->nsums++], s, cl->sum_arena);
}

static void
collect_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	struct collect *cl = ctx;

	FUZZ_CHECK(n > 0, "empty graph page delivered");
	cl->services += n;
	if (cl->no_map)
		return;
	if (cl->map == NULL)
		cl->map = svcmap_new();
	svcmap_load_graph(cl->map, svcs, n);
}

static void
collect_init(struct collect *cl, struct sink *sink)
{
	memset(cl, 0, sizeof *cl);
	cl->store = store_new();
	cl->keep = arena_new(0);
	cl->sum_arena = arena_new(0);
	sink->ctx = cl;
	sink->document = collect_document;
	sink->summary = collect_summary;
	sink->graph = collect_graph;
}

static void
collect_done(struct collect *cl)
{
	store_free(cl->store);
	svcmap_free(cl->map);
	arena_free(cl->keep);
	arena_free(cl->sum_arena);
}

/* Node and edge counts of two maps built from the same documents agree. */
static void
check_same_counts(struct svcmap *a, struct svcmap *b)
{
	size_t na = svcmap_nnodes(a), nb = svcmap_nnodes(b), i, *ia, *ib, ka, kb;

	ia = calloc(na + 1, sizeof *ia);
	ib = calloc(nb + 1, sizeof *ib);
	ka = svcmap_sorted_nodes(a, ia);
	kb = svcmap_sorted_nodes(b, ib);
	FUZZ_CHECK(ka == kb, "%zu nodes in one order, %zu in the other", ka, kb);
	for (i = 0; i < ka; i++) {
		struct svc_node *x = svcmap_node(a, ia[i]), *y = svcmap_node(b, ib[i]);

		FUZZ_CHECK(strcmp(x->name, y->name) == 0 && strcmp(x->type, y->type) == 0,
		    "node %zu: %s/%s against %s/%s", i, x->name, x->type, y->name, y->type);
		FUZZ_CHECK(x->stats.count == y->stats.count && x->stats.ok == y->stats.ok &&
		    x->stats.error == y->stats.error && x->stats.fault == y->stats.fault &&
		    x->stats.throttle == y->stats.throttle,
		    "node %s/%s: count %llu against %llu", x->name, x->type,
		    (unsigned long long)x->stats.count, (unsigned long long)y->stats.count);
	}
	free(ia);
	free(ib);
	na = svcmap_nedges(a);
	nb = svcmap_nedges(b);
	ia = calloc(na + 1, sizeof *ia);
	ib = calloc(nb + 1, sizeof *ib);
	ka = svcmap_sorted_edges(a, ia);
	kb = svcmap_sorted_edges(b, ib);
	FUZZ_CHECK(ka == kb, "%zu edges in one order, %zu in the other", ka, kb);
	for (i = 0; i < ka; i++) {
		struct svc_edge *x = svcmap_edge(a, ia[i]), *y = svcmap_edge(b, ib[i]);

		FUZZ_CHECK(strcmp(svcmap_node(a, x->source)->name, svcmap_node(b, y->source)->name) == 0 &&
		    strcmp(svcmap_node(a, x->target)->name, svcmap_node(b, y->target)->name) == 0,
		    "edge %zu differs", i);
		FUZZ_CHECK(x->stats.count == y->stats.count && x->stats.fault == y->stats.fault &&
		    x->stats.error == y->stats.error, "edge %s -> %s: count %llu against %llu",
		    svcmap_node(a, x->source)->name, svcmap_node(a, x->target)->name,
		    (unsigned long long)x->stats.count, (unsigned long long)y->stats.count);
	}
	free(ia);
	free(ib);
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

/* Trees, summaries and text exports of every trace and of the map. */
static void
check_outputs(struct collect *cl)
{
	struct arena *a = arena_new(0);
	struct trace_summary *sums;
	size_t i, j, n = store_ntraces(cl->store);
	char err[256];

	sums = calloc(n + 1, sizeof *sums);
	for (i = 0; i < n; i++) {
		const struct trace *t = store_trace(cl->store, i);
		struct tracetree tt;

		FUZZ_CHECK(t->nsegments + t->npending > 0, "empty trace %s", t->id);
		tracetree_build(&tt, t);
		FUZZ_CHECK(tt.nrows == trace_entities(t), "trace %s: %zu rows for %zu entities",
		    t->id, tt.nrows, trace_entities(t));
		for (j = 0; j < tt.nrows; j++) {
			const struct tt_row *r = &tt.rows[j];

			FUZZ_CHECK(r->size >= 1 && j + r->size <= tt.nrows, "row %zu: size", j);
			FUZZ_CHECK(r->parent < (long)j, "row %zu: parent %ld after it", j, r->parent);
			if (r->parent < 0)
				FUZZ_CHECK(r->depth == 0, "root row %zu at depth %zu", j, r->depth);
			else {
				const struct tt_row *p = &tt.rows[r->parent];

				FUZZ_CHECK(r->depth == p->depth + 1 &&
				    j + r->size <= (size_t)r->parent + p->size,
				    "row %zu outside its parent's subtree", j);
			}
			FUZZ_CHECK(tracetree_end(&tt, j) >= r->s->start_time || !isfinite(r->s->start_time),
			    "row %zu ends before it starts", j);
		}
		tracetree_free(&tt);
		summary_from_trace(&sums[i], t, a);
		FUZZ_CHECK(sums[i].id != NULL && strcmp(sums[i].id, t->id) == 0, "summary id");
		FUZZ_CHECK(sums[i].nsegments == t->nsegments, "summary segments");
		FUZZ_TERMINAL_OUTPUT("export_waterfall", export_waterfall(t, 100, 1, out, err, sizeof err));
	}
	if (n > 1)
		qsort(sums, n, sizeof *sums, summary_cmp_response);
	FUZZ_TERMINAL_OUTPUT("text_out_traces", text_out_traces(sums, n, 1, out, err, sizeof err));
	FUZZ_TERMINAL_OUTPUT("text_out_traces (API summaries)",
	    text_out_traces(cl->sums, cl->nsums, 1, out, err, sizeof err));
	if (cl->map != NULL)
		FUZZ_TERMINAL_OUTPUT("text_out_map", text_out_map(cl->map, out, err, sizeof err));
	free(sums);
	arena_free(a);
}

/* "TRACE_ID ID" of s and of every entity under it, into ids; the trace is
 * the document's (tid), as the map takes it, whatever a nested subsegment
 * says of its own. */
static void
collect_ids(const struct segment *s, const char *tid, const char ***ids, size_t *n, size_t *cap,
    struct arena *a)
{
	const struct segment *c;
	size_t tl = strlen(tid), il = strlen(s->id);
	char *k = arena_alloc(a, tl + il + 2);

	memcpy(k, tid, tl);
	k[tl] = ' ';
	memcpy(k + tl + 1, s->id, il + 1);
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((*ids = realloc(*ids, *cap * sizeof **ids)) == NULL)
			abort();
	}
	(*ids)[(*n)++] = k;
	for (c = s->children; c != NULL; c = c->next)
		collect_ids(c, tid, ids, n, cap, a);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Nonzero when two entities of the documents share a trace and an id:
 * the map then counts the later one (replacing), so order matters. */
static int
ids_repeat(const struct collect *cl)
{
	struct arena *a = arena_new(0);
	const char **ids = NULL;
	size_t n = 0, cap = 0, i;
	int dup = 0;

	for (i = 0; i < cl->ndocs; i++)
		collect_ids(cl->docs[i], cl->docs[i]->trace_id, &ids, &n, &cap, a);
	qsort(ids, n, sizeof *ids, str_cmp);
	for (i = 1; i < n && !dup; i++)
		dup = strcmp(ids[i - 1], ids[i]) == 0;
	free(ids);
	arena_free(a);
	return dup;
}

/* An entity of the documents: its id and its parent's (for a nested
 * subsegment the enclosing entity, whatever its parent_id says), in one
 * trace. */
struct link {
	const char	*trace;
	const char	*id;
	const char	*parent;
};

static void
collect_links(const struct segment *s, const char *tid, const char *up, struct link **l,
    size_t *n, size_t *cap)
{
	const struct segment *c;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((*l = realloc(*l, *cap * sizeof **l)) == NULL)
			abort();
	}
	(*l)[*n].trace = tid;
	(*l)[*n].id = s->id;
	(*l)[(*n)++].parent = up != NULL ? up : s->parent_id;
	for (c = s->children; c != NULL; c = c->next)
		collect_links(c, tid, s->id, l, n, cap);
}

/* Nonzero when following parents from some entity leads back to it (an
 * entity that is its own ancestor): no tree, and no order-free map. */
static int
parents_cycle(const struct collect *cl)
{
	struct link *l = NULL;
	size_t n = 0, cap = 0, i, j, k, steps;
	int cycle = 0;

	for (i = 0; i < cl->ndocs; i++)
		collect_links(cl->docs[i], cl->docs[i]->trace_id, NULL, &l, &n, &cap);
	for (i = 0; i < n && !cycle; i++) {
		for (k = i, steps = 0; steps <= n && l[k].parent != NULL; steps++) {
			for (j = 0; j < n; j++)
				if (strcmp(l[j].trace, l[k].trace) == 0 && strcmp(l[j].id, l[k].parent) == 0)
					break;
			if (j == n)
				break;
			if ((k = j) == i) {
				cycle = 1;
				break;
			}
		}
	}
	free(l);
	return cycle;
}

/* Every document, the other way round, into a fresh map (when no entity
 * repeats another's trace and id, as X-Ray's unique ids promise, and no
 * entity is its own ancestor). */
static void
check_order(struct collect *cl)
{
	const struct svcmap_input *in;
	struct svcmap *m;
	size_t i;

	if (cl->map == NULL)
		return;
	in = svcmap_input(cl->map);
	if (cl->ndocs < 2 || cl->ndocs != cl->documents || in->duplicates > 0 ||
	    cl->services > 0 || ids_repeat(cl) || parents_cycle(cl))
		return;
	FUZZ_CHECK(in->documents == cl->documents, "map saw %llu documents of %lu",
	    (unsigned long long)in->documents, cl->documents);
	FUZZ_CHECK(in->segments + in->independent + in->in_progress + in->inferred +
	    in->duplicates == in->documents, "map input counters do not add up");
	m = svcmap_new();
	for (i = cl->ndocs; i-- > 0;)
		svcmap_add(m, cl->docs[i]);
	if (svcmap_input(m)->duplicates == 0)
		check_same_counts(cl->map, m);
	svcmap_free(m);
}

static void
one_document(const char *text, size_t size)
{
	struct arena *a = arena_new(0);
	struct segment *full, *lean;
	char err[256];
	size_t off = (size_t)-1, from = 0, to = size;

	full = json_decode_segment(text, size, a, JSON_KEEP_RAW, err, sizeof err, &off);
	if (full == NULL) {
		FUZZ_CHECK(err[0] != '\0', "rejected without a message");
		FUZZ_CHECK(off <= size, "error offset %zu past %zu", off, size);
		arena_free(a);
		return;
	}
	check_tree(full, NULL, 1);
	while (from < to && is_ws(text[from]))
		from++;
	while (to > from && is_ws(text[to - 1]))
		to--;
	FUZZ_CHECK(full->raw != NULL && full->raw_len == to - from &&
	    memcmp(full->raw, text + from, to - from) == 0, "raw text is not the trimmed input");
	lean = json_decode_segment(text, size, a, JSON_LEAN, err, sizeof err, NULL);
	FUZZ_CHECK(lean != NULL, "the lean decoding rejects what the full one took: %s", err);
	FUZZ_CHECK(segment_count(full) == segment_count(lean), "lean entity count");
	check_lean(full, lean);
	arena_free(a);
}

/* Reading a file costs a 1 MiB decoding arena, which is slow under
 * AddressSanitizer: read the input as a file when it has a newline
 * (JSON Lines, a value over many lines), and one input in eight of the
 * others (a hash decides, so an input always takes the same path). */
static int
want_file(const char *text, size_t size)
{
	uint32_t h = 2166136261u;
	size_t i;

	if (memchr(text, '\n', size) != NULL)
		return 1;
	for (i = 0; i < size; i++)
		h = (h ^ (unsigned char)text[i]) * 16777619u;
	return h % 8 == 0;
}

static void
report_count(void *ctx, const char *msg)
{
	FUZZ_CHECK(msg != NULL && msg[0] != '\0', "empty problem report");
	++*(unsigned long *)ctx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct collect cl, fl;
	struct sink sink, fsink;
	struct json_result res;
	struct source_file_stats st;
	struct source_file_opts opts = { 0 };
	struct arena *scratch;
	enum json_kind kind;
	unsigned long reports = 0;
	const char *path;
	char *text;

	if (size > MAX_INPUT)
		return 0;
	text = fuzz_text(data, size);
	one_document(text, size);

	/* One JSON value of any kind. */
	collect_init(&cl, &sink);
	scratch = arena_new(0);
	kind = json_decode(text, size, scratch, JSON_KEEP_RAW, &sink, &res);
	FUZZ_CHECK(res.documents == cl.documents && res.summaries == cl.summaries &&
	    res.services == cl.services, "json_decode counted %lu/%lu/%lu, delivered %lu/%lu/%lu",
	    res.documents, res.summaries, res.services, cl.documents, cl.summaries, cl.services);
	if (kind == JSON_KIND_INVALID)
		FUZZ_CHECK(res.bad > 0 && res.error[0] != '\0' && res.offset <= size,
		    "invalid without a reason");
	arena_free(scratch);
	check_order(&cl);
	check_outputs(&cl);

	/* The same bytes as a file: see want_file. */
	if (!want_file(text, size)) {
		collect_done(&cl);
		free(text);
		return 0;
	}
	collect_init(&fl, &fsink);
	/* A service map costs a 3 MiB block: one per input is enough. */
	fl.no_map = cl.documents > 0 || cl.services > 0;
	opts.threads = 0;
	opts.report = report_count;
	opts.report_ctx = &reports;
	path = fuzz_file(data, size);
	FUZZ_CHECK(source_file_read(&path, 1, &opts, &fsink, &st) == 0, "reading the memfd failed");
	FUZZ_CHECK(st.files == 1 && st.bytes == size, "read %llu bytes of %zu",
	    (unsigned long long)st.bytes, size);
	FUZZ_CHECK(st.documents == fl.documents && st.summaries == fl.summaries &&
	    st.services == fl.services, "file source counted %llu documents, delivered %lu",
	    (unsigned long long)st.documents, fl.documents);
	FUZZ_CHECK((st.bad == 0) == (reports == 0), "%llu bad, %lu problems reported",
	    (unsigned long long)st.bad, reports);
	if (memchr(text, '\n', size) == NULL) {
		/* One line (no byte order mark): the file is read as one value,
		 * the same documents as above. */
		if (size > 0 && (size < 3 || memcmp(text, "\xef\xbb\xbf", 3) != 0))
			FUZZ_CHECK(st.documents == res.documents && st.summaries == res.summaries &&
			    st.services == res.services && st.bad == res.bad,
			    "one line: the file source read %llu documents, %llu bad; "
			    "json_decode %lu, %lu", (unsigned long long)st.documents,
			    (unsigned long long)st.bad, res.documents, res.bad);
	} else {
		check_order(&fl);
		check_outputs(&fl);
	}
	collect_done(&fl);
	collect_done(&cl);
	free(text);
	return 0;
}

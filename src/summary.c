/* summary.c - one line per trace, computed from an assembled trace. */
#include "config.h"

#include "xraytop/summary.h"

#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/store.h"
#include "xraytop/xmalloc.h"

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
str_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* Segment documents by start time, earlier first; equal ones keep their order. */
struct by_start {
	const struct segment	*s;
	size_t			 i;
};

static int
cmp_by_start(const void *pa, const void *pb)
{
	const struct by_start *a = pa, *b = pb;

	if (a->s->start_time != b->s->start_time)
		return a->s->start_time < b->s->start_time ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

/* Distinct (name, origin) of the non-inferred segment documents: the root
 * first, then by start time. */
static void
summary_services(struct trace_summary *out, const struct trace *t,
    const struct segment *root, struct arena *a)
{
	struct by_start *v;
	struct service_id *svc;
	size_t n = 0, i, j;

	v = xcalloc(t->nsegments + 1, sizeof *v);
	if (root != NULL && (root->flags & SEG_INFERRED) == 0)
		v[n++].s = root;
	for (i = 0; i < t->nsegments; i++) {
		if (t->segments[i] == root || (t->segments[i]->flags & SEG_INFERRED))
			continue;
		v[n].s = t->segments[i];
		v[n].i = i;
		n++;
	}
	/* Sort what follows the root. */
	if (root != NULL && n > 1 && v[0].s == root)
		qsort(v + 1, n - 1, sizeof *v, cmp_by_start);
	else
		qsort(v, n, sizeof *v, cmp_by_start);

	svc = arena_calloc(a, n ? n : 1, sizeof *svc);
	out->services = svc;
	out->nservices = 0;
	for (i = 0; i < n; i++) {
		const struct segment *s = v[i].s;

		for (j = 0; j < out->nservices; j++)
			if (str_eq(svc[j].name, s->name) && str_eq(svc[j].type, s->origin))
				break;
		if (j < out->nservices)
			continue;
		svc[out->nservices].name = arena_strdup(a, s->name);
		svc[out->nservices].type = arena_strdup(a, s->origin);
		out->nservices++;
	}
	free(v);
}

/* Order of annotations: key, then type, then value. */
static int
anno_cmp(const void *pa, const void *pb)
{
	const struct annotation *a = *(const struct annotation *const *)pa;
	const struct annotation *b = *(const struct annotation *const *)pb;
	int c;

	if ((c = str_cmp(a->key, b->key)) != 0)
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	switch (a->type) {
	case ANNO_STRING:
		return str_cmp(a->str, b->str);
	case ANNO_NUMBER:
		return (a->num > b->num) - (a->num < b->num);
	case ANNO_BOOL:
		return (a->boolean != 0) - (b->boolean != 0);
	}
	return 0;
}

struct anno_list {
	const struct annotation	**v;
	size_t			 n;
	size_t			 cap;
};

/* The entity after s in a depth-first walk of its tree, or NULL at the end
 * (the tree's top is the entity without a parent). */
static const struct segment *
preorder_next(const struct segment *s)
{
	if (s->children != NULL)
		return s->children;
	for (; s->parent != NULL; s = s->parent)
		if (s->next != NULL)
			return s->next;
	return NULL;
}

/* Every annotation of the tree under the top-level document s. */
static void
collect_annotations(struct anno_list *l, const struct segment *s)
{
	size_t i;

	for (; s != NULL; s = preorder_next(s))
		for (i = 0; i < s->nannotations; i++) {
			if (s->annotations[i].key == NULL)
				continue;
			if (l->n == l->cap) {
				l->cap = l->cap ? l->cap * 2 : 16;
				l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
			}
			l->v[l->n++] = &s->annotations[i];
		}
}

/* Distinct (key, type, value) annotations over every entity, sorted. */
static void
summary_annotations(struct trace_summary *out, const struct trace *t, struct arena *a)
{
	struct anno_list l = { NULL, 0, 0 };
	struct annotation *dst;
	size_t i;

	for (i = 0; i < t->nsegments; i++)
		collect_annotations(&l, t->segments[i]);
	for (i = 0; i < t->npending; i++)
		collect_annotations(&l, t->pending[i]);
	out->annotations = NULL;
	out->nannotations = 0;
	if (l.n == 0) {
		free(l.v);
		return;
	}
	qsort(l.v, l.n, sizeof *l.v, anno_cmp);
	dst = arena_calloc(a, l.n, sizeof *dst);
	for (i = 0; i < l.n; i++) {
		if (i > 0 && anno_cmp(&l.v[i - 1], &l.v[i]) == 0)
			continue;
		dst[out->nannotations] = *l.v[i];
		dst[out->nannotations].key = arena_strdup(a, l.v[i]->key);
		dst[out->nannotations].str = arena_strdup(a, l.v[i]->str);
		out->nannotations++;
	}
	out->annotations = dst;
	free(l.v);
}

/* Some document still in progress: a segment, an independent subsegment
 * (pending or attached), or a pending one whose parent has not been sent. */
static int
any_in_progress(const struct trace *t)
{
	const struct segment *s;
	size_t i;

	if (t->npending > 0)
		return 1;
	for (i = 0; i < t->nsegments; i++)
		for (s = t->segments[i]; s != NULL; s = preorder_next(s))
			if ((s->flags & SEG_IN_PROGRESS) &&
			    (s == t->segments[i] || (s->flags & SEG_INDEPENDENT)))
				return 1;
	return 0;
}

void
summary_from_trace(struct trace_summary *out, const struct trace *t, struct arena *a)
{
	const struct segment *root;

	memset(out, 0, sizeof *out);
	out->duration = -1;
	out->response_time = -1;
	if (t == NULL)
		return;
	out->id = arena_strdup(a, t->id);
	out->start = t->start;
	if (t->start > 0 && t->end >= t->start)
		out->duration = t->end - t->start;
	out->nsegments = t->nsegments;

	root = trace_root(t);
	if (root != NULL) {
		out->root.name = arena_strdup(a, root->name);
		out->root.type = arena_strdup(a, root->origin);
		if ((root->flags & SEG_IN_PROGRESS) == 0 && root->end_time >= root->start_time)
			out->response_time = root->end_time - root->start_time;
		if (root->http != NULL) {
			out->method = arena_strdup(a, root->http->method);
			out->url = arena_strdup(a, root->http->url);
			out->user_agent = arena_strdup(a, root->http->user_agent);
			out->client_ip = arena_strdup(a, root->http->client_ip);
			out->status = root->http->status;
		}
		out->user = arena_strdup(a, root->user);
		if (root->flags & SEG_ERROR)
			out->flags |= SUM_ERROR;
		if (root->flags & SEG_FAULT)
			out->flags |= SUM_FAULT;
		if (root->flags & SEG_THROTTLE)
			out->flags |= SUM_THROTTLE;
	}
	if (any_in_progress(t))
		out->flags |= SUM_PARTIAL;

	summary_services(out, t, root, a);
	summary_annotations(out, t, a);
}

int
summary_cmp_response(const void *pa, const void *pb)
{
	const struct trace_summary *a = pa, *b = pb;

	if (a->response_time != b->response_time)
		return a->response_time > b->response_time ? -1 : 1;
	return summary_cmp_start(pa, pb);
}

int
summary_cmp_start(const void *pa, const void *pb)
{
	const struct trace_summary *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return summary_cmp_id(pa, pb);
}

int
summary_cmp_id(const void *pa, const void *pb)
{
	const struct trace_summary *a = pa, *b = pb;

	return str_cmp(a->id, b->id);
}

void
summary_copy(struct trace_summary *d, const struct trace_summary *s, struct arena *a)
{
	size_t i;

	*d = *s;
	d->id = arena_strdup(a, s->id);
	d->method = arena_strdup(a, s->method);
	d->url = arena_strdup(a, s->url);
	d->user_agent = arena_strdup(a, s->user_agent);
	d->client_ip = arena_strdup(a, s->client_ip);
	d->user = arena_strdup(a, s->user);
	d->root.name = arena_strdup(a, s->root.name);
	d->root.type = arena_strdup(a, s->root.type);
	d->services = arena_calloc(a, s->nservices, sizeof *d->services);
	for (i = 0; i < s->nservices; i++) {
		d->services[i].name = arena_strdup(a, s->services[i].name);
		d->services[i].type = arena_strdup(a, s->services[i].type);
	}
	d->annotations = arena_calloc(a, s->nannotations, sizeof *d->annotations);
	for (i = 0; i < s->nannotations; i++) {
		d->annotations[i] = s->annotations[i];
		d->annotations[i].key = arena_strdup(a, s->annotations[i].key);
		d->annotations[i].str = arena_strdup(a, s->annotations[i].str);
	}
}

/* filter-eval.c - evaluate a bound filter on an assembled trace or on a
 * trace summary.  Pure: the model in, a yes or no out. */
#include "config.h"

#include "xraytop/filter.h"

#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/model.h"
#include "xraytop/rootcause.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"

/* What keywords refer to. */
enum ctx_kind {
	CTX_TRACE,       /* the trace: its root request, any segment */
	CTX_ENTITY,      /* one segment or subsegment of a service or an edge */
	CTX_RCSERVICE,   /* a service of a root cause */
	CTX_RCENTITY,    /* an entity of a root cause */
	CTX_RCEXCEPTION, /* an exception of a root cause */
};

struct ctx {
	enum ctx_kind	 kind;
	const struct segment *s;        /* CTX_ENTITY, and the segment behind an rc element */
	const struct tg_node *node;     /* CTX_ENTITY */
	const struct rc_service *svc;
	const struct rc_entity *ent;
	const struct rc_exception *exc;
	size_t		 index;         /* position in the enumerated list */
	size_t		 count;
};

struct eval {
	const struct trace *t;
	const struct segment *root;
	struct arena	*a;             /* made when first needed */
	struct tgraph	*g;
	struct root_cause *rc[3];
	size_t		 nrc[3];
	int		 rc_done[3];
};

static int eval_node(struct eval *ev, const struct filter_node *n, const struct ctx *c);

static struct tgraph *
graph(struct eval *ev)
{
	if (ev->g == NULL) {
		if (ev->a == NULL)
			ev->a = arena_new(0);
		ev->g = tgraph_build(ev->t, ev->a);
	}
	return ev->g;
}

static size_t
causes(struct eval *ev, enum filter_rc_kind kind, struct root_cause **out)
{
	static const enum rc_kind map[] = { RC_FAULT, RC_ERROR, RC_RESPONSETIME };

	if (!ev->rc_done[kind]) {
		struct tgraph *g = graph(ev);

		ev->nrc[kind] = rootcause_derive(g, map[kind], ev->a, &ev->rc[kind]);
		ev->rc_done[kind] = 1;
	}
	*out = ev->rc[kind];
	return ev->nrc[kind];
}

/* The entity after s in a depth-first walk of the tree under top. */
static const struct segment *
walk_next(const struct segment *s, const struct segment *top)
{
	if (s->children != NULL)
		return s->children;
	for (; s != top && s != NULL; s = s->parent)
		if (s->next != NULL)
			return s->next;
	return NULL;
}

/* ---------------------------------------------------------------- values */

static int
str_test(const char *have, enum filter_op op, const char *want)
{
	size_t lh, lw;

	if (have == NULL)
		return 0;
	switch (op) {
	case FOP_NONE:
		return 1;
	case FOP_EQ:
		return strcmp(have, want) == 0;
	case FOP_NE:
		return strcmp(have, want) != 0;
	case FOP_CONTAINS:
		return strstr(have, want) != NULL;
	case FOP_BEGINSWITH:
		return strncmp(have, want, strlen(want)) == 0;
	case FOP_ENDSWITH:
		lh = strlen(have);
		lw = strlen(want);
		return lh >= lw && memcmp(have + lh - lw, want, lw) == 0;
	default:
		return 0;
	}
}

static int
num_test(double have, enum filter_op op, double want)
{
	switch (op) {
	case FOP_EQ: return have == want;
	case FOP_NE: return have != want;
	case FOP_LT: return have < want;
	case FOP_LE: return have <= want;
	case FOP_GT: return have > want;
	case FOP_GE: return have >= want;
	default:     return 0;
	}
}

/* A boolean keyword's value v (0 or 1) against op and value. */
static int
bool_test(int v, const struct filter_node *n)
{
	switch (n->op) {
	case FOP_NONE: return v;
	case FOP_EQ:   return v == n->value.boolean;
	case FOP_NE:   return v != n->value.boolean;
	default:       return 0;
	}
}

static int
annotation_test(const struct annotation *an, const struct filter_node *n)
{
	const struct filter_value *v = &n->value;

	switch (n->op) {
	case FOP_NONE:
		return 1;
	case FOP_EQ:
	case FOP_NE: {
		int same;

		if (v->type == FV_STRING)
			same = an->type == ANNO_STRING && an->str != NULL && strcmp(an->str, v->str) == 0;
		else if (v->type == FV_NUMBER)
			same = an->type == ANNO_NUMBER && an->num == v->number;
		else
			same = an->type == ANNO_BOOL && !an->boolean == !v->boolean;
		return n->op == FOP_EQ ? same : !same;
	}
	case FOP_LT: case FOP_LE: case FOP_GT: case FOP_GE:
		return an->type == ANNO_NUMBER && num_test(an->num, n->op, v->number);
	case FOP_CONTAINS: case FOP_BEGINSWITH: case FOP_ENDSWITH:
		return an->type == ANNO_STRING && str_test(an->str, n->op, v->str);
	}
	return 0;
}

/* Some entity of the tree under top has an annotation that passes. */
static int
tree_annotation(const struct segment *top, const struct filter_node *n)
{
	const struct segment *s;
	size_t i;

	for (s = top; s != NULL; s = walk_next(s, top))
		for (i = 0; i < s->nannotations; i++)
			if (s->annotations[i].key != NULL && strcmp(s->annotations[i].key, n->key) == 0 &&
			    annotation_test(&s->annotations[i], n))
				return 1;
	return 0;
}

static int
eval_annotation(struct eval *ev, const struct filter_node *n, const struct ctx *c)
{
	const struct trace *t = ev->t;
	size_t i;

	switch (c->kind) {
	case CTX_TRACE:
		for (i = 0; i < t->nsegments; i++)
			if (tree_annotation(t->segments[i], n))
				return 1;
		for (i = 0; i < t->npending; i++)
			if (tree_annotation(t->pending[i], n))
				return 1;
		return 0;
	case CTX_ENTITY:
	case CTX_RCSERVICE:
	case CTX_RCENTITY:
		return c->s != NULL && tree_annotation(c->s, n);
	case CTX_RCEXCEPTION:
		return 0;
	}
	return 0;
}

/* ---------------------------------------------------------------- keywords */

/* Some document still in progress (as summary.h's SUM_PARTIAL). */
static int
trace_partial(const struct trace *t)
{
	const struct segment *s;
	size_t i;

	if (t->npending > 0)
		return 1;
	for (i = 0; i < t->nsegments; i++)
		for (s = t->segments[i]; s != NULL; s = walk_next(s, t->segments[i]))
			if ((s->flags & SEG_IN_PROGRESS) &&
			    (s == t->segments[i] || (s->flags & SEG_INDEPENDENT)))
				return 1;
	return 0;
}

static int
trace_inferred(const struct trace *t)
{
	size_t i;

	for (i = 0; i < t->nsegments; i++)
		if (t->segments[i]->flags & SEG_INFERRED)
			return 1;
	return 0;
}

/* The string of a keyword on one entity (NULL when absent). */
static const char *
ent_string(const struct segment *s, enum filter_kw kw)
{
	switch (kw) {
	case FK_HTTP_URL:         return s->http != NULL ? s->http->url : NULL;
	case FK_HTTP_METHOD:      return s->http != NULL ? s->http->method : NULL;
	case FK_HTTP_USERAGENT:   return s->http != NULL ? s->http->user_agent : NULL;
	case FK_HTTP_CLIENTIP:    return s->http != NULL ? s->http->client_ip : NULL;
	case FK_USER:             return s->user;
	case FK_NAME:             return s->name;
	case FK_TYPE:             return s->origin;
	case FK_AVAILABILITYZONE: return s->aws != NULL ? s->aws->availability_zone : NULL;
	case FK_INSTANCE_ID:      return s->aws != NULL ? s->aws->instance_id : NULL;
	case FK_RESOURCE_ARN:     return s->resource_arn;
	case FK_ACCOUNT_ID:       return s->aws != NULL ? s->aws->account_id : NULL;
	default:                  return NULL;
	}
}

/* The exception messages of an entity (its own cause). */
static int
ent_message(const struct segment *s, const struct filter_node *n)
{
	size_t i;

	if (s->cause == NULL)
		return 0;
	for (i = 0; i < s->cause->nexceptions; i++)
		if (str_test(s->cause->exceptions[i].message, n->op, n->value.str))
			return 1;
	return 0;
}

static int
ent_flag(const struct segment *s, enum filter_kw kw)
{
	switch (kw) {
	case FK_OK:       return !(s->flags & (SEG_ERROR | SEG_FAULT | SEG_THROTTLE));
	case FK_ERROR:    return (s->flags & SEG_ERROR) != 0;
	case FK_FAULT:    return (s->flags & SEG_FAULT) != 0;
	case FK_THROTTLE: return (s->flags & SEG_THROTTLE) != 0;
	case FK_PARTIAL:  return (s->flags & SEG_IN_PROGRESS) != 0;
	case FK_REMOTE:   return s->namespace != NULL && (strcmp(s->namespace, "remote") == 0 ||
	                      strcmp(s->namespace, "aws") == 0);
	default:          return 0;
	}
}

/* A number of one entity: 1 and *v when it has one. */
static int
ent_number(const struct segment *s, enum filter_kw kw, double *v)
{
	switch (kw) {
	case FK_RESPONSETIME:
	case FK_DURATION:
		if ((s->flags & SEG_IN_PROGRESS) || s->end_time == 0 || s->end_time < s->start_time)
			return 0;
		*v = s->end_time - s->start_time;
		return 1;
	case FK_HTTP_STATUS:
		if (s->http == NULL || s->http->status == 0)
			return 0;
		*v = s->http->status;
		return 1;
	default:
		return 0;
	}
}

/* Keywords on the trace: the root request, or any segment document. */
static int
trace_keyword(struct eval *ev, const struct filter_node *n)
{
	const struct trace *t = ev->t;
	const struct segment *r = ev->root, *s;
	double v;
	size_t i;

	switch (n->kw) {
	case FK_OK: case FK_ERROR: case FK_FAULT: case FK_THROTTLE:
		return bool_test(r != NULL && ent_flag(r, n->kw), n);
	case FK_PARTIAL:
		return bool_test(trace_partial(t), n);
	case FK_INFERRED:
		return bool_test(trace_inferred(t), n);
	case FK_ROOT:
		return bool_test(r != NULL, n);
	case FK_FIRST: case FK_LAST: case FK_REMOTE:
		return bool_test(0, n);
	case FK_RESPONSETIME:
	case FK_HTTP_STATUS:
		return r != NULL && ent_number(r, n->kw, &v) && num_test(v, n->op, n->value.number);
	case FK_DURATION:
		if (t->start <= 0 || t->end < t->start)
			return 0;
		return num_test(t->end - t->start, n->op, n->value.number);
	case FK_INDEX: case FK_COVERAGE:
		return 0;
	case FK_HTTP_URL: case FK_HTTP_METHOD: case FK_HTTP_USERAGENT: case FK_HTTP_CLIENTIP:
	case FK_NAME: case FK_TYPE:
		return r != NULL && str_test(ent_string(r, n->kw), n->op, n->value.str);
	case FK_USER: case FK_AVAILABILITYZONE: case FK_INSTANCE_ID: case FK_RESOURCE_ARN:
	case FK_ACCOUNT_ID:
		for (i = 0; i < t->nsegments; i++) {
			s = t->segments[i];
			if (str_test(ent_string(s, n->kw), n->op, n->value.str))
				return 1;
		}
		return 0;
	case FK_MESSAGE:
		for (i = 0; i < t->nsegments; i++)
			for (s = t->segments[i]; s != NULL; s = walk_next(s, t->segments[i]))
				if (ent_message(s, n))
					return 1;
		for (i = 0; i < t->npending; i++)
			for (s = t->pending[i]; s != NULL; s = walk_next(s, t->pending[i]))
				if (ent_message(s, n))
					return 1;
		return 0;
	case FK_COUNT:
		break;
	}
	return 0;
}

/* Keywords on one entity of a service or an edge. */
static int
entity_keyword(struct eval *ev, const struct filter_node *n, const struct segment *s,
    const struct tg_node *node)
{
	double v;

	switch (n->kw) {
	case FK_OK: case FK_ERROR: case FK_FAULT: case FK_THROTTLE: case FK_PARTIAL:
	case FK_REMOTE:
		return bool_test(ent_flag(s, n->kw), n);
	case FK_INFERRED:
		return bool_test(node != NULL ? node->inferred : (s->flags & SEG_INFERRED) != 0, n);
	case FK_ROOT:
		return bool_test(s == ev->root, n);
	case FK_FIRST: case FK_LAST:
		return bool_test(0, n);
	case FK_RESPONSETIME: case FK_DURATION: case FK_HTTP_STATUS:
		return ent_number(s, n->kw, &v) && num_test(v, n->op, n->value.number);
	case FK_INDEX: case FK_COVERAGE:
		return 0;
	case FK_TYPE:
		if (node != NULL)
			return str_test(node->type, n->op, n->value.str);
		return str_test(s->origin, n->op, n->value.str);
	case FK_MESSAGE:
		return ent_message(s, n);
	default:
		return str_test(ent_string(s, n->kw), n->op, n->value.str);
	}
}

/* Keywords on an element of a root cause. */
static int
rc_keyword(struct eval *ev, const struct filter_node *n, const struct ctx *c)
{
	const struct rc_service *svc = c->svc;
	const struct rc_entity *e = c->ent;
	const struct rc_exception *x = c->exc;
	size_t i, k;
	double v;

	switch (n->kw) {
	case FK_FIRST:
		return bool_test(c->index == 0, n);
	case FK_LAST:
		return bool_test(c->index + 1 == c->count, n);
	case FK_INDEX:
		return num_test((double)c->index, n->op, n->value.number);
	case FK_NAME:
		if (c->kind == CTX_RCEXCEPTION)
			return str_test(x->name, n->op, n->value.str);
		return str_test(c->kind == CTX_RCSERVICE ? svc->name : e->name, n->op, n->value.str);
	case FK_TYPE:
		return c->kind != CTX_RCEXCEPTION && str_test(svc->type, n->op, n->value.str);
	case FK_ACCOUNT_ID:
		return c->kind != CTX_RCEXCEPTION && str_test(svc->account, n->op, n->value.str);
	case FK_INFERRED:
		return bool_test(c->kind != CTX_RCEXCEPTION && svc->inferred, n);
	case FK_REMOTE:
		if (c->kind == CTX_RCEXCEPTION)
			return bool_test(x->remote, n);
		if (c->kind == CTX_RCENTITY)
			return bool_test(e->remote, n);
		return bool_test(svc->npath > 0 && svc->path[svc->npath - 1].remote, n);
	case FK_COVERAGE:
		if (c->kind == CTX_RCEXCEPTION)
			return 0;
		v = c->kind == CTX_RCENTITY ? e->coverage : (svc->npath > 0 ? svc->path[0].coverage : -1);
		return v >= 0 && num_test(v, n->op, n->value.number);
	case FK_MESSAGE:
		if (c->kind == CTX_RCEXCEPTION)
			return str_test(x->message, n->op, n->value.str);
		if (c->kind == CTX_RCENTITY) {
			for (k = 0; k < e->nexceptions; k++)
				if (str_test(e->exceptions[k].message, n->op, n->value.str))
					return 1;
			return 0;
		}
		for (i = 0; i < svc->npath; i++)
			for (k = 0; k < svc->path[i].nexceptions; k++)
				if (str_test(svc->path[i].exceptions[k].message, n->op, n->value.str))
					return 1;
		return 0;
	default:
		/* Anything else: the segment behind the element, as in service() braces. */
		if (c->s == NULL) {
			if (filter_kw_class(n->kw) == FKC_BOOL)
				return bool_test(0, n);
			return 0;
		}
		return entity_keyword(ev, n, c->s, NULL);
	}
}

static int
eval_keyword(struct eval *ev, const struct filter_node *n, const struct ctx *c)
{
	switch (c->kind) {
	case CTX_TRACE:
		return trace_keyword(ev, n);
	case CTX_ENTITY:
		return entity_keyword(ev, n, c->s, c->node);
	default:
		return rc_keyword(ev, n, c);
	}
}

/* ---------------------------------------------------------------- services, edges */

static int
nodespec_match(const struct filter_nodespec *ns, const struct tg_node *node)
{
	if (!ns->present)
		return !node->client;
	if (ns->name != NULL && strcmp(ns->name, node->name) != 0)
		return 0;
	if (ns->type != NULL && strcmp(ns->type, node->type) != 0)
		return 0;
	if (ns->account != NULL && (node->account == NULL || strcmp(ns->account, node->account) != 0))
		return 0;
	/* The client is not a service; an edge may start at it by name or type. */
	return 1;
}

static int
eval_service(struct eval *ev, const struct filter_node *n)
{
	struct tgraph *g = graph(ev);
	struct ctx c;
	size_t i, k;

	for (i = 1; i < g->nnodes; i++) {
		const struct tg_node *node = &g->nodes[i];

		if (!nodespec_match(&n->a, node))
			continue;
		if (n->sub == NULL)
			return 1;
		for (k = 0; k < node->nents; k++) {
			memset(&c, 0, sizeof c);
			c.kind = CTX_ENTITY;
			c.s = g->ents[node->ents[k]].s;
			c.node = node;
			if (eval_node(ev, n->sub, &c))
				return 1;
		}
	}
	return 0;
}

static int
eval_edge(struct eval *ev, const struct filter_node *n)
{
	struct tgraph *g = graph(ev);
	struct ctx c;
	size_t i;

	for (i = 0; i < g->nedges; i++) {
		const struct tg_edge *e = &g->edges[i];

		if (!nodespec_match(&n->a, &g->nodes[e->src]) || !nodespec_match(&n->b, &g->nodes[e->dst]))
			continue;
		if (n->sub == NULL)
			return 1;
		memset(&c, 0, sizeof c);
		c.kind = CTX_ENTITY;
		c.s = g->ents[e->ent].s;
		c.node = &g->nodes[e->dst];
		if (eval_node(ev, n->sub, &c))
			return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- root causes */

static int
eval_rootcause(struct eval *ev, const struct filter_node *n)
{
	struct root_cause *rc;
	struct ctx c;
	size_t nrc, r, i, k, x, count, idx;

	nrc = causes(ev, n->rc_kind, &rc);
	for (r = 0; r < nrc; r++) {
		const struct root_cause *cause = &rc[r];

		memset(&c, 0, sizeof c);
		switch (n->rc_level) {
		case FRC_SERVICE:
			c.kind = CTX_RCSERVICE;
			c.count = cause->nservices;
			for (i = 0; i < cause->nservices; i++) {
				c.svc = &cause->services[i];
				c.s = c.svc->npath > 0 ? c.svc->path[0].s : NULL;
				c.index = i;
				if (eval_node(ev, n->sub, &c))
					return 1;
			}
			break;
		case FRC_ENTITY:
			c.kind = CTX_RCENTITY;
			for (count = 0, i = 0; i < cause->nservices; i++)
				count += cause->services[i].npath;
			c.count = count;
			for (idx = 0, i = 0; i < cause->nservices; i++)
				for (k = 0; k < cause->services[i].npath; k++) {
					c.svc = &cause->services[i];
					c.ent = &c.svc->path[k];
					c.s = c.ent->s;
					c.index = idx++;
					if (eval_node(ev, n->sub, &c))
						return 1;
				}
			break;
		case FRC_EXCEPTION:
			c.kind = CTX_RCEXCEPTION;
			for (count = 0, i = 0; i < cause->nservices; i++)
				for (k = 0; k < cause->services[i].npath; k++)
					count += cause->services[i].path[k].nexceptions;
			c.count = count;
			for (idx = 0, i = 0; i < cause->nservices; i++)
				for (k = 0; k < cause->services[i].npath; k++)
					for (x = 0; x < cause->services[i].path[k].nexceptions; x++) {
						c.svc = &cause->services[i];
						c.ent = &c.svc->path[k];
						c.exc = &c.ent->exceptions[x];
						c.index = idx++;
						if (eval_node(ev, n->sub, &c))
							return 1;
					}
			break;
		}
	}
	return 0;
}

/* rootcause.json: a pattern object's members must all be present and
 * match; arrays must have the same length and match element by element. */
static int json_str(const struct filter_json *j, const char *s);

static int
json_str(const struct filter_json *j, const char *s)
{
	return j->type == FJ_STRING && s != NULL && strcmp(j->str, s) == 0;
}

static int
json_bool(const struct filter_json *j, int v)
{
	return j->type == FJ_BOOL && !j->boolean == !v;
}

static int
json_exception(const struct filter_json *p, const struct rc_exception *x)
{
	size_t i;

	if (p->type != FJ_OBJECT)
		return 0;
	for (i = 0; i < p->nitems; i++) {
		const struct filter_json *m = p->items[i];

		if (strcmp(m->key, "Name") == 0 ? !json_str(m, x->name) :
		    strcmp(m->key, "Message") == 0 ? !json_str(m, x->message) :
		    strcmp(m->key, "Remote") == 0 ? !json_bool(m, x->remote) : 1)
			return 0;
	}
	return 1;
}

static int
json_entity(const struct filter_json *p, const struct rc_entity *e)
{
	size_t i, k;

	if (p->type != FJ_OBJECT)
		return 0;
	for (i = 0; i < p->nitems; i++) {
		const struct filter_json *m = p->items[i];

		if (strcmp(m->key, "Name") == 0) {
			if (!json_str(m, e->name))
				return 0;
		} else if (strcmp(m->key, "Remote") == 0) {
			if (!json_bool(m, e->remote))
				return 0;
		} else if (strcmp(m->key, "Coverage") == 0) {
			if (m->type != FJ_NUMBER || e->coverage < 0 ||
			    m->number - e->coverage > 1e-9 || e->coverage - m->number > 1e-9)
				return 0;
		} else if (strcmp(m->key, "Exceptions") == 0) {
			if (m->type != FJ_ARRAY || m->nitems != e->nexceptions)
				return 0;
			for (k = 0; k < m->nitems; k++)
				if (!json_exception(m->items[k], &e->exceptions[k]))
					return 0;
		} else
			return 0;
	}
	return 1;
}

static int
json_service(const struct filter_json *p, const struct rc_service *s)
{
	size_t i, k;

	if (p->type != FJ_OBJECT)
		return 0;
	for (i = 0; i < p->nitems; i++) {
		const struct filter_json *m = p->items[i];

		if (strcmp(m->key, "Name") == 0) {
			if (!json_str(m, s->name))
				return 0;
		} else if (strcmp(m->key, "Names") == 0) {
			if (m->type != FJ_ARRAY || m->nitems != 1 || !json_str(m->items[0], s->name))
				return 0;
		} else if (strcmp(m->key, "Type") == 0) {
			if (!json_str(m, s->type))
				return 0;
		} else if (strcmp(m->key, "AccountId") == 0) {
			if (!json_str(m, s->account))
				return 0;
		} else if (strcmp(m->key, "Inferred") == 0) {
			if (!json_bool(m, s->inferred))
				return 0;
		} else if (strcmp(m->key, "EntityPath") == 0) {
			if (m->type != FJ_ARRAY || m->nitems != s->npath)
				return 0;
			for (k = 0; k < m->nitems; k++)
				if (!json_entity(m->items[k], &s->path[k]))
					return 0;
		} else
			return 0;
	}
	return 1;
}

static int
json_cause(const struct filter_json *p, const struct root_cause *rc)
{
	size_t i, k;

	if (p->type != FJ_OBJECT)
		return 0;
	for (i = 0; i < p->nitems; i++) {
		const struct filter_json *m = p->items[i];

		if (strcmp(m->key, "Services") == 0) {
			if (m->type != FJ_ARRAY || m->nitems != rc->nservices)
				return 0;
			for (k = 0; k < m->nitems; k++)
				if (!json_service(m->items[k], &rc->services[k]))
					return 0;
		} else if (strcmp(m->key, "ClientImpacting") == 0) {
			if (!json_bool(m, rc->client_impacting))
				return 0;
		} else
			return 0;
	}
	return 1;
}

static int
eval_rcjson(struct eval *ev, const struct filter_node *n)
{
	const struct filter_json *arr = n->json;
	struct root_cause *rc;
	size_t i, r, nrc;
	int kind, found;

	if (arr->nitems == 0)
		return 0;
	for (i = 0; i < arr->nitems; i++) {
		found = 0;
		for (kind = FRC_FAULT; kind <= FRC_RESPONSETIME && !found; kind++) {
			nrc = causes(ev, (enum filter_rc_kind)kind, &rc);
			for (r = 0; r < nrc && !found; r++)
				found = json_cause(arr->items[i], &rc[r]);
		}
		if (!found)
			return 0;
	}
	return 1;
}

static int
eval_node(struct eval *ev, const struct filter_node *n, const struct ctx *c)
{
	size_t i;

	switch (n->type) {
	case FN_AND:
		for (i = 0; i < n->nchildren; i++)
			if (!eval_node(ev, n->children[i], c))
				return 0;
		return 1;
	case FN_OR:
		for (i = 0; i < n->nchildren; i++)
			if (eval_node(ev, n->children[i], c))
				return 1;
		return 0;
	case FN_NOT:
		return !eval_node(ev, n->children[0], c);
	case FN_KEYWORD:
		return eval_keyword(ev, n, c);
	case FN_ANNOTATION:
		return eval_annotation(ev, n, c);
	case FN_SERVICE:
		return eval_service(ev, n);
	case FN_EDGE:
		return eval_edge(ev, n);
	case FN_GROUP:
		if (n->resolved == NULL)
			return 0;
		return n->op == FOP_NE ? !eval_node(ev, n->resolved, c) : eval_node(ev, n->resolved, c);
	case FN_ROOTCAUSE:
		return eval_rootcause(ev, n);
	case FN_RCJSON:
		return eval_rcjson(ev, n);
	}
	return 0;
}

int
filter_match(const struct filter *f, const struct trace *t)
{
	struct eval ev;
	struct ctx c;
	int r;

	if (f == NULL || f->root == NULL)
		return 1;
	if (t == NULL)
		return 0;
	memset(&ev, 0, sizeof ev);
	memset(&c, 0, sizeof c);
	ev.t = t;
	ev.root = trace_root(t);
	c.kind = CTX_TRACE;
	r = eval_node(&ev, f->root, &c);
	arena_free(ev.a);
	return r;
}

/* ---------------------------------------------------------------- summaries */

/* Three-valued: 1, 0, or -1 when the summary cannot tell. */
static int sum_node(const struct filter_node *n, const struct trace_summary *s);

static int
sum_keyword(const struct filter_node *n, const struct trace_summary *s)
{
	const char *str = NULL;

	switch (n->kw) {
	case FK_OK:
		return bool_test(s->root.name != NULL &&
		    !(s->flags & (SUM_ERROR | SUM_FAULT | SUM_THROTTLE)), n);
	case FK_ERROR:    return bool_test((s->flags & SUM_ERROR) != 0, n);
	case FK_FAULT:    return bool_test((s->flags & SUM_FAULT) != 0, n);
	case FK_THROTTLE: return bool_test((s->flags & SUM_THROTTLE) != 0, n);
	case FK_PARTIAL:  return bool_test((s->flags & SUM_PARTIAL) != 0, n);
	case FK_ROOT:     return bool_test(s->root.name != NULL, n);
	case FK_FIRST: case FK_LAST: case FK_REMOTE:
		return bool_test(0, n);
	case FK_INFERRED:
		return -1;
	case FK_RESPONSETIME:
		return s->response_time >= 0 && num_test(s->response_time, n->op, n->value.number);
	case FK_DURATION:
		return s->duration >= 0 && num_test(s->duration, n->op, n->value.number);
	case FK_HTTP_STATUS:
		return s->status != 0 && num_test(s->status, n->op, n->value.number);
	case FK_INDEX: case FK_COVERAGE:
		return 0;
	case FK_HTTP_URL:       str = s->url; break;
	case FK_HTTP_METHOD:    str = s->method; break;
	case FK_HTTP_USERAGENT: str = s->user_agent; break;
	case FK_HTTP_CLIENTIP:  str = s->client_ip; break;
	case FK_USER:           str = s->user; break;
	case FK_NAME:           str = s->root.name; break;
	case FK_TYPE:           str = s->root.type; break;
	default:
		return -1;
	}
	return str_test(str, n->op, n->value.str);
}

static int
sum_node(const struct filter_node *n, const struct trace_summary *s)
{
	size_t i;
	int r, any;

	switch (n->type) {
	case FN_AND:
		for (any = 1, i = 0; i < n->nchildren; i++) {
			if ((r = sum_node(n->children[i], s)) == 0)
				return 0;
			if (r < 0)
				any = -1;
		}
		return any;
	case FN_OR:
		for (any = 0, i = 0; i < n->nchildren; i++) {
			if ((r = sum_node(n->children[i], s)) == 1)
				return 1;
			if (r < 0)
				any = -1;
		}
		return any;
	case FN_NOT:
		r = sum_node(n->children[0], s);
		return r < 0 ? -1 : !r;
	case FN_KEYWORD:
		return sum_keyword(n, s);
	case FN_ANNOTATION:
		for (i = 0; i < s->nannotations; i++)
			if (s->annotations[i].key != NULL && strcmp(s->annotations[i].key, n->key) == 0 &&
			    annotation_test(&s->annotations[i], n))
				return 1;
		return 0;
	case FN_SERVICE:
		if (n->sub != NULL || (n->a.present && n->a.account != NULL))
			return -1;
		if (!n->a.present)
			return s->nservices > 0;
		for (i = 0; i < s->nservices; i++)
			if ((n->a.name == NULL || (s->services[i].name != NULL &&
			    strcmp(n->a.name, s->services[i].name) == 0)) &&
			    (n->a.type == NULL || (s->services[i].type != NULL &&
			    strcmp(n->a.type, s->services[i].type) == 0)))
				return 1;
		return 0;
	case FN_GROUP:
		if (n->resolved == NULL)
			return -1;
		r = sum_node(n->resolved, s);
		return n->op == FOP_NE && r >= 0 ? !r : r;
	case FN_EDGE:
	case FN_ROOTCAUSE:
	case FN_RCJSON:
		return -1;
	}
	return -1;
}

int
filter_match_summary(const struct filter *f, const struct trace_summary *s)
{
	if (f == NULL || f->root == NULL)
		return 1;
	if (s == NULL)
		return 0;
	return sum_node(f->root, s);
}

static int
needs_causes(const struct filter_node *n)
{
	size_t i;

	if (n == NULL)
		return 0;
	if (n->type == FN_ROOTCAUSE || n->type == FN_RCJSON ||
	    (n->type == FN_KEYWORD && n->kw == FK_MESSAGE))
		return 1;
	for (i = 0; i < n->nchildren; i++)
		if (needs_causes(n->children[i]))
			return 1;
	return needs_causes(n->sub) || needs_causes(n->resolved);
}

int
filter_needs_causes(const struct filter *f)
{
	return f != NULL && needs_causes(f->root);
}

/* model.c - helpers over segment trees: classes, copies, searches. */
#include "config.h"

#include "xraytop/model.h"

#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/xmalloc.h"

enum req_class
segment_class(const struct segment *s)
{
	if (s->flags & SEG_FAULT)
		return REQ_FAULT;
	if (s->flags & SEG_THROTTLE)
		return REQ_THROTTLE;
	if (s->flags & SEG_ERROR)
		return REQ_ERROR;
	return REQ_OK;
}

double
segment_duration(const struct segment *s)
{
	if ((s->flags & SEG_IN_PROGRESS) || s->end_time == 0)
		return 0;
	return s->end_time - s->start_time;
}

void
segment_append_child(struct segment *s, struct segment *child)
{
	child->parent = s;
	child->next = NULL;
	if (s->last_child != NULL)
		s->last_child->next = child;
	else
		s->children = child;
	s->last_child = child;
	s->nchildren++;
}

/* Copy an array of n strings into a. */
static const char **
copy_strv(struct arena *a, const char **v, size_t n)
{
	const char **out;
	size_t i;

	if (v == NULL || n == 0)
		return NULL;
	out = arena_alloc(a, n * sizeof *out);
	for (i = 0; i < n; i++)
		out[i] = arena_strdup(a, v[i]);
	return out;
}

/* Copy an array of n flattened fields into a. */
static struct field *
copy_fields(struct arena *a, const struct field *f, size_t n)
{
	struct field *out;
	size_t i;

	if (f == NULL || n == 0)
		return NULL;
	out = arena_alloc(a, n * sizeof *out);
	for (i = 0; i < n; i++) {
		out[i].key = arena_strdup(a, f[i].key);
		out[i].value = arena_strdup(a, f[i].value);
	}
	return out;
}

/* Copy a named aws string, sharing the copy of fields[] when the original did. */
static const char *
copy_aws_str(struct arena *a, const char *s, const struct aws_info *from, const struct aws_info *to)
{
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < from->nfields; i++)
		if (from->fields[i].value == s)
			return to->fields[i].value;
	return arena_strdup(a, s);
}

static struct aws_info *
copy_aws(struct arena *a, const struct aws_info *from)
{
	struct aws_info *to = arena_alloc(a, sizeof *to);

	*to = *from;
	to->fields = copy_fields(a, from->fields, from->nfields);
	to->nfields = to->fields != NULL ? from->nfields : 0;
	to->operation = copy_aws_str(a, from->operation, from, to);
	to->table_name = copy_aws_str(a, from->table_name, from, to);
	to->region = copy_aws_str(a, from->region, from, to);
	to->request_id = copy_aws_str(a, from->request_id, from, to);
	to->account_id = copy_aws_str(a, from->account_id, from, to);
	to->queue_url = copy_aws_str(a, from->queue_url, from, to);
	to->function_name = copy_aws_str(a, from->function_name, from, to);
	to->instance_id = copy_aws_str(a, from->instance_id, from, to);
	to->availability_zone = copy_aws_str(a, from->availability_zone, from, to);
	return to;
}

static struct http_info *
copy_http(struct arena *a, const struct http_info *from)
{
	struct http_info *to = arena_alloc(a, sizeof *to);

	*to = *from;
	to->method = arena_strdup(a, from->method);
	to->url = arena_strdup(a, from->url);
	to->user_agent = arena_strdup(a, from->user_agent);
	to->client_ip = arena_strdup(a, from->client_ip);
	return to;
}

static struct sql_info *
copy_sql(struct arena *a, const struct sql_info *from)
{
	struct sql_info *to = arena_alloc(a, sizeof *to);

	to->url = arena_strdup(a, from->url);
	to->connection_string = arena_strdup(a, from->connection_string);
	to->sanitized_query = arena_strdup(a, from->sanitized_query);
	to->database_type = arena_strdup(a, from->database_type);
	to->database_version = arena_strdup(a, from->database_version);
	to->driver_version = arena_strdup(a, from->driver_version);
	to->user = arena_strdup(a, from->user);
	to->preparation = arena_strdup(a, from->preparation);
	return to;
}

static void
copy_exception(struct arena *a, struct exception *to, const struct exception *from)
{
	size_t i;

	*to = *from;
	to->id = arena_strdup(a, from->id);
	to->message = arena_strdup(a, from->message);
	to->type = arena_strdup(a, from->type);
	to->cause = arena_strdup(a, from->cause);
	to->stack = NULL;
	to->nstack = 0;
	if (from->stack == NULL || from->nstack == 0)
		return;
	to->stack = arena_alloc(a, from->nstack * sizeof *to->stack);
	to->nstack = from->nstack;
	for (i = 0; i < from->nstack; i++) {
		to->stack[i].path = arena_strdup(a, from->stack[i].path);
		to->stack[i].label = arena_strdup(a, from->stack[i].label);
		to->stack[i].line = from->stack[i].line;
	}
}

static struct cause *
copy_cause(struct arena *a, const struct cause *from)
{
	struct cause *to = arena_alloc(a, sizeof *to);
	size_t i;

	to->exception_id = arena_strdup(a, from->exception_id);
	to->working_directory = arena_strdup(a, from->working_directory);
	to->paths = copy_strv(a, from->paths, from->npaths);
	to->npaths = to->paths != NULL ? from->npaths : 0;
	to->exceptions = NULL;
	to->nexceptions = 0;
	if (from->exceptions != NULL && from->nexceptions > 0) {
		to->exceptions = arena_alloc(a, from->nexceptions * sizeof *to->exceptions);
		to->nexceptions = from->nexceptions;
		for (i = 0; i < from->nexceptions; i++)
			copy_exception(a, &to->exceptions[i], &from->exceptions[i]);
	}
	return to;
}

static struct annotation *
copy_annotations(struct arena *a, const struct annotation *from, size_t n)
{
	struct annotation *to;
	size_t i;

	if (from == NULL || n == 0)
		return NULL;
	to = arena_alloc(a, n * sizeof *to);
	for (i = 0; i < n; i++) {
		to[i] = from[i];
		to[i].key = arena_strdup(a, from[i].key);
		to[i].str = arena_strdup(a, from[i].str);
	}
	return to;
}

/* Copy a string that may be shared with the parent's copy of the same field. */
static const char *
copy_shared(struct arena *a, const char *s, const char *orig_parent, const char *copy_parent)
{
	if (s != NULL && s == orig_parent)
		return copy_parent;
	return arena_strdup(a, s);
}

struct segment *
segment_copy(const struct segment *s, struct arena *a, struct segment *parent)
{
	struct segment *c = arena_alloc(a, sizeof *c);
	const struct segment *child;

	*c = *s;
	c->name = arena_strdup(a, s->name);
	c->id = arena_strdup(a, s->id);
	/* Nested entities usually share the document's trace_id (and their
	 * parent_id is often the parent's id): keep the sharing in the copy. */
	if (parent != NULL && s->parent != NULL) {
		c->trace_id = copy_shared(a, s->trace_id, s->parent->trace_id, parent->trace_id);
		c->parent_id = copy_shared(a, s->parent_id, s->parent->id, parent->id);
	} else {
		c->trace_id = arena_strdup(a, s->trace_id);
		c->parent_id = arena_strdup(a, s->parent_id);
	}
	c->origin = arena_strdup(a, s->origin);
	c->namespace = arena_strdup(a, s->namespace);
	c->user = arena_strdup(a, s->user);
	c->resource_arn = arena_strdup(a, s->resource_arn);
	c->http = s->http != NULL ? copy_http(a, s->http) : NULL;
	c->aws = s->aws != NULL ? copy_aws(a, s->aws) : NULL;
	c->sql = s->sql != NULL ? copy_sql(a, s->sql) : NULL;
	c->cause = s->cause != NULL ? copy_cause(a, s->cause) : NULL;
	c->annotations = copy_annotations(a, s->annotations, s->nannotations);
	c->nannotations = c->annotations != NULL ? s->nannotations : 0;
	c->metadata = arena_strdup(a, s->metadata);
	c->service = copy_fields(a, s->service, s->nservice);
	c->nservice = c->service != NULL ? s->nservice : 0;
	c->precursor_ids = copy_strv(a, s->precursor_ids, s->nprecursors);
	c->nprecursors = c->precursor_ids != NULL ? s->nprecursors : 0;
	c->raw = s->raw != NULL ? arena_strndup(a, s->raw, s->raw_len) : NULL;
	c->raw_len = c->raw != NULL ? s->raw_len : 0;

	c->parent = parent;
	c->children = c->last_child = c->next = NULL;
	c->nchildren = 0;
	for (child = s->children; child != NULL; child = child->next)
		segment_append_child(c, segment_copy(child, a, c));
	return c;
}

/* Pre-order walks of a tree of any depth (a parent_id chain of attached
 * documents can be 100,000 deep) without recursion: a stack of the next
 * siblings still to visit, at most one per level. */
struct walk {
	const struct segment *root;
	const struct segment **v;
	size_t		 n, cap;
	const struct segment *small[32];
};

static void
walk_init(struct walk *w, const struct segment *root)
{
	w->root = root;
	w->v = w->small;
	w->n = 0;
	w->cap = sizeof w->small / sizeof w->small[0];
}

static void
walk_done(struct walk *w)
{
	if (w->v != w->small)
		free(w->v);
}

/* The entity after c in pre-order under the walk's root, or NULL. */
static const struct segment *
walk_next(struct walk *w, const struct segment *c)
{
	const struct segment *sib = c != w->root ? c->next : NULL;

	if (c->children != NULL) {
		if (sib != NULL) {
			if (w->n == w->cap) {
				const struct segment **v = xreallocarray(NULL, w->cap * 2, sizeof *v);

				memcpy(v, w->v, w->n * sizeof *v);
				walk_done(w);
				w->v = v;
				w->cap *= 2;
			}
			w->v[w->n++] = sib;
		}
		return c->children;
	}
	if (sib != NULL)
		return sib;
	return w->n > 0 ? w->v[--w->n] : NULL;
}

struct segment *
segment_find(struct segment *s, const char *id)
{
	const struct segment *c;
	struct walk w;

	walk_init(&w, s);
	for (c = s; c != NULL; c = walk_next(&w, c))
		if (c->id != NULL && strcmp(c->id, id) == 0)
			break;
	walk_done(&w);
	return (struct segment *)c;
}

size_t
segment_count(const struct segment *s)
{
	const struct segment *c;
	struct walk w;
	size_t n = 0;

	walk_init(&w, s);
	for (c = s; c != NULL; c = walk_next(&w, c))
		n++;
	walk_done(&w);
	return n;
}

const struct annotation *
segment_annotation(const struct segment *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nannotations; i++)
		if (s->annotations[i].key != NULL && strcmp(s->annotations[i].key, key) == 0)
			return &s->annotations[i];
	return NULL;
}

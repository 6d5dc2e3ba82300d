/* json-in.c - JSON text -> model, through cJSON.
 *
 * cJSON allocates every node and string separately, which dominates the cost
 * of parsing.  So cJSON's allocation hooks are installed once, and while this
 * module parses, they take memory from a per-thread bump pool that is
 * rewound after each document; free is then a no-op.  Outside our parses
 * (cJSON used by json-out.c) the hooks fall through to the heap.  Decoded
 * model objects are copied into the caller's arena, so nothing built by
 * cJSON outlives the call.
 */
#include "config.h"

#include "xraytop/json-in.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xraytop/arena.h"
#include "xraytop/groups.h"
#include "xraytop/model.h"
#include "xraytop/sampling.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/timeseries.h"
#include "xraytop/xmalloc.h"

/* ------------------------------------------------------------------ */
/* Bump pools for cJSON                                                */
/* ------------------------------------------------------------------ */

#define POOL_ALIGN  8     /* enough for cJSON's nodes (pointers, doubles) */
#define POOL_CHUNK  (256 * 1024)
#define POOL_KEEP   (16 * 1024 * 1024)  /* above this, a reset gives memory back */
#define POOL_DEPTH  4                   /* nested parses served by per-thread pools */

struct pool_chunk {
	struct pool_chunk *next;
	size_t		 size;
	size_t		 used;
	_Alignas(POOL_ALIGN) unsigned char data[];
};

struct pool {
	struct pool_chunk *head;
	struct pool_chunk *cur;    /* chunks after cur are unused since the last reset */
	size_t		 total;
};

/* A growable byte buffer. */
struct jbuf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

struct tstate {
	struct pool	 pools[POOL_DEPTH];
	int		 depth;     /* pools in use */
	struct jbuf	 out;       /* compact JSON being printed */
	struct jbuf	 key;       /* flattened key being built */
};

static _Thread_local struct pool *cj_pool;   /* where cJSON allocates now, or NULL */
static _Thread_local struct tstate *tstate;
static pthread_key_t tstate_key;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* Slow path of pool_alloc: move to the next kept chunk, or add one. */
static void * __attribute__((noinline))
pool_alloc_slow(struct pool *p, size_t need)
{
	struct pool_chunk *c, *n;
	size_t size;

	for (c = p->cur != NULL ? p->cur->next : p->head; c != NULL; c = c->next) {
		p->cur = c;
		if (c->size >= need) {
			c->used = need;
			return c->data;
		}
	}
	size = need > POOL_CHUNK ? need : POOL_CHUNK;
	n = xmalloc(sizeof *n + size);
	n->next = NULL;
	n->size = size;
	n->used = need;
	if (p->cur != NULL)
		p->cur->next = n;
	else
		p->head = n;
	p->cur = n;
	p->total += size;
	return n->data;
}

static inline void *
pool_alloc(struct pool *p, size_t n)
{
	struct pool_chunk *c = p->cur;
	size_t need = (n + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
	void *r;

	if (need < n)
		return NULL;
	if (c != NULL && c->size - c->used >= need) {
		r = c->data + c->used;
		c->used += need;
		return r;
	}
	return pool_alloc_slow(p, need);
}

/* Forget every allocation; keep the chunks unless they grew large. */
static void
pool_reset(struct pool *p)
{
	struct pool_chunk *c, *next;

	if (p->total > POOL_KEEP && p->head != NULL) {
		for (c = p->head->next; c != NULL; c = next) {
			next = c->next;
			p->total -= c->size;
			free(c);
		}
		p->head->next = NULL;
	}
	for (c = p->head; c != NULL; c = c->next)
		c->used = 0;
	p->cur = p->head;
}

static void
pool_free(struct pool *p)
{
	struct pool_chunk *c, *next;

	for (c = p->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	memset(p, 0, sizeof *p);
}

static void *
cj_malloc(size_t n)
{
	struct pool *p = cj_pool;

	if (p != NULL)
		return pool_alloc(p, n);
	return xmalloc(n);
}

static void
cj_free(void *ptr)
{
	if (cj_pool == NULL)
		free(ptr);
}

/* Thread exit: give back the thread's pools and buffers. */
static void
tstate_destroy(void *arg)
{
	struct tstate *ts = arg;
	int i;

	for (i = 0; i < POOL_DEPTH; i++)
		pool_free(&ts->pools[i]);
	free(ts->out.p);
	free(ts->key.p);
	free(ts);
}

static void
init_hooks(void)
{
	cJSON_Hooks hooks = { cj_malloc, cj_free };

	if (pthread_key_create(&tstate_key, tstate_destroy) != 0)
		fatal("cannot create thread-specific key");
	cJSON_InitHooks(&hooks);
}

/* Install the hooks before main() runs, while there is only one thread;
 * pthread_once covers programs that load us in another way. */
static void __attribute__((constructor))
json_in_init(void)
{
	pthread_once(&init_once, init_hooks);
}

static struct tstate *
tstate_get(void)
{
	struct tstate *ts = tstate;

	if (ts != NULL)
		return ts;
	pthread_once(&init_once, init_hooks);
	ts = xcalloc(1, sizeof *ts);
	if (pthread_setspecific(tstate_key, ts) != 0)
		fatal("cannot set thread-specific data");
	tstate = ts;
	return ts;
}

/* A pool for one parse; nested parses (a sink that decodes) get their own. */
static struct pool *
pool_acquire(struct tstate *ts)
{
	if (ts->depth < POOL_DEPTH)
		return &ts->pools[ts->depth++];
	ts->depth++;
	return xcalloc(1, sizeof(struct pool));
}

static void
pool_release(struct tstate *ts, struct pool *p)
{
	ts->depth--;
	if (ts->depth >= POOL_DEPTH) {
		pool_free(p);
		free(p);
	} else
		pool_reset(p);
}

/* ------------------------------------------------------------------ */
/* Parsing and error reports                                           */
/* ------------------------------------------------------------------ */

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Explain why cJSON stopped at pos: too deep, cut short, or a syntax error.
 * Only runs on failures, so it may scan the text again. */
static void
describe_failure(const char *text, size_t len, size_t pos, size_t base,
    char *err, size_t errlen, size_t *offset)
{
	size_t i, depth = 0, deep_at = (size_t)-1, str_at = 0;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			str_at = i;
		} else if (c == '{' || c == '[') {
			if (++depth > CJSON_NESTING_LIMIT && deep_at == (size_t)-1)
				deep_at = i;
		} else if ((c == '}' || c == ']') && depth > 0)
			depth--;
	}
	if (deep_at != (size_t)-1 && deep_at <= pos) {
		*offset = deep_at;
		set_err(err, errlen, "invalid JSON: nesting deeper than %d levels at byte %zu",
		    CJSON_NESTING_LIMIT, base + deep_at);
	} else if ((in_str && str_at + 1 >= pos) || (depth > 0 && pos + 1 >= len)) {
		*offset = len;
		set_err(err, errlen, "invalid JSON: unexpected end of input at byte %zu",
		    base + len);
	} else {
		*offset = pos;
		set_err(err, errlen, "invalid JSON: syntax error at byte %zu", base + pos);
	}
}

/* Parse one JSON value filling text (whitespace around it allowed) into
 * pool p.  On failure returns NULL, a message and the offset of the error
 * (messages count bytes from base, for text inside a larger buffer). */
static cJSON *
parse_json(struct pool *p, const char *text, size_t len, size_t base,
    char *err, size_t errlen, size_t *offset)
{
	const char *end = NULL;
	struct pool *saved = cj_pool;
	size_t i, off;
	cJSON *root;

	if (offset == NULL)
		offset = &off;
	for (i = 0; i < len && is_ws((unsigned char)text[i]); i++)
		continue;
	if (i == len) {
		*offset = len;
		set_err(err, errlen, "invalid JSON: empty document");
		return NULL;
	}
	cj_pool = p;
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	cj_pool = saved;
	if (root == NULL) {
		describe_failure(text, len, end != NULL ? (size_t)(end - text) : 0, base,
		    err, errlen, offset);
		return NULL;
	}
	for (i = (size_t)(end - text); i < len && is_ws((unsigned char)text[i]); i++)
		continue;
	if (i < len) {
		*offset = i;
		set_err(err, errlen, "invalid JSON: unexpected data after the value at byte %zu",
		    base + i);
		return NULL;
	}
	return root;
}

/* ------------------------------------------------------------------ */
/* Small helpers over cJSON values                                     */
/* ------------------------------------------------------------------ */

static const char *
dup_str(struct arena *a, const cJSON *v)
{
	if (v == NULL || !(v->type & cJSON_String) || v->valuestring == NULL)
		return NULL;
	return arena_strndup(a, v->valuestring, strlen(v->valuestring));
}

static int
is_true(const cJSON *v)
{
	return v != NULL && (v->type & 0xff) == cJSON_True;
}

static int
num_int(const cJSON *v, int dflt)
{
	double x;

	if (v == NULL || !cJSON_IsNumber(v))
		return dflt;
	x = v->valuedouble;
	if (!(x >= INT_MIN && x <= INT_MAX))
		return dflt;
	return (int)x;
}

static long long
num_ll(const cJSON *v, long long dflt)
{
	double x;

	if (v == NULL || !cJSON_IsNumber(v))
		return dflt;
	x = v->valuedouble;
	if (!(x >= -9.2e18 && x <= 9.2e18))
		return dflt;
	return (long long)x;
}

static uint64_t
num_u64(const cJSON *v)
{
	double x;

	if (v == NULL || !cJSON_IsNumber(v))
		return 0;
	x = v->valuedouble;
	if (!(x >= 0 && x <= 1.8e19))
		return 0;
	return (uint64_t)x;
}

static double
num_dbl(const cJSON *v, double dflt)
{
	if (v == NULL || !cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return dflt;
	return v->valuedouble;
}

static size_t
count_children(const cJSON *v)
{
	const cJSON *c;
	size_t n = 0;

	for (c = v->child; c != NULL; c = c->next)
		n++;
	return n;
}

/* Child of an object by exact key; for the rarely used blocks. */
static const cJSON *
get(const cJSON *o, const char *key)
{
	const cJSON *c;

	if (o == NULL || !cJSON_IsObject(o))
		return NULL;
	for (c = o->child; c != NULL; c = c->next)
		if (c->string != NULL && strcmp(c->string, key) == 0)
			return c;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Compact JSON text (printed by cJSON)                                 */
/* ------------------------------------------------------------------ */

/* Grow b to hold n more bytes. */
static void
jb_grow(struct jbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 1024;

	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2)
			fatal("JSON text too large");
		cap *= 2;
	}
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

static inline void
jb_put(struct jbuf *b, const void *s, size_t n)
{
	if (b->cap - b->len < n)
		jb_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void
jb_putc(struct jbuf *b, char c)
{
	if (b->cap == b->len)
		jb_grow(b, 1);
	b->p[b->len++] = c;
}

/* Compact JSON text of v printed by cJSON, copied into a.  The print buffer
 * is the thread's own and grows until cJSON's printer fits in it. */
static const char *
compact_json(struct arena *a, const cJSON *v)
{
	struct jbuf *b = &tstate->out;

	b->len = 0;
	if (b->cap < 256)
		jb_grow(b, 256);
	while (!cJSON_PrintPreallocated((cJSON *)v, b->p, (int)(b->cap > INT_MAX ? INT_MAX : b->cap), 0)) {
		if (b->cap >= INT_MAX)
			return NULL;
		jb_grow(b, b->cap * 2);
	}
	return arena_strdup(a, b->p);
}

/* A scalar as text (strings as they are), or compact JSON, copied into a. */
static const char *
value_text(struct arena *a, const cJSON *v)
{
	switch (v->type & 0xff) {
	case cJSON_String:
		return dup_str(a, v);
	default:
		return compact_json(a, v);
	}
}

/* ------------------------------------------------------------------ */
/* Flattened blocks (aws, service)                                     */
/* ------------------------------------------------------------------ */

/* Number of fields flattening object o gives: non-empty objects recurse. */
static size_t
flat_count(const cJSON *o)
{
	const cJSON *c;
	size_t n = 0;

	for (c = o->child; c != NULL; c = c->next) {
		if (cJSON_IsObject(c) && c->child != NULL)
			n += flat_count(c);
		else
			n++;
	}
	return n;
}

/* Append the fields of object o to f; keys are tstate->key + "." + name. */
static void
flat_fill(struct arena *a, struct field *f, size_t *n, const cJSON *o)
{
	struct jbuf *k = &tstate->key;
	size_t keep = k->len;
	const cJSON *c;

	for (c = o->child; c != NULL; c = c->next) {
		const char *name = c->string != NULL ? c->string : "";

		k->len = keep;
		if (keep > 0)
			jb_putc(k, '.');
		jb_put(k, name, strlen(name));
		if (cJSON_IsObject(c) && c->child != NULL) {
			flat_fill(a, f, n, c);
			continue;
		}
		f[*n].key = arena_strndup(a, k->p, k->len);
		f[*n].value = value_text(a, c);
		(*n)++;
	}
	k->len = keep;
}

/* Flatten object o into a new array in a; returns the count. */
static size_t
flatten(struct arena *a, const cJSON *o, struct field **out)
{
	size_t n = flat_count(o), got = 0;

	*out = NULL;
	if (n == 0)
		return 0;
	*out = arena_alloc(a, n * sizeof **out);
	tstate->key.len = 0;
	flat_fill(a, *out, &got, o);
	return got;
}

/* ------------------------------------------------------------------ */
/* Segment documents                                                   */
/* ------------------------------------------------------------------ */

struct dec {
	struct arena	*a;
	const char	*trace_id;   /* the document's, for nested subsegments */
	char		*err;
	size_t		 errlen;
	unsigned	 opts;       /* JSON_* */
};

static void
decode_http(struct dec *d, struct segment *s, const cJSON *o)
{
	struct http_info *h;
	const cJSON *c, *r;

	if (!cJSON_IsObject(o))
		return;
	h = arena_calloc(d->a, 1, sizeof *h);
	h->content_length = -1;
	for (c = o->child; c != NULL; c = c->next) {
		if (c->string == NULL || !cJSON_IsObject(c))
			continue;
		if (strcmp(c->string, "request") == 0) {
			for (r = c->child; r != NULL; r = r->next) {
				const char *k = r->string;

				if (k == NULL)
					continue;
				if (strcmp(k, "method") == 0)
					h->method = dup_str(d->a, r);
				else if (strcmp(k, "url") == 0)
					h->url = dup_str(d->a, r);
				else if (strcmp(k, "user_agent") == 0)
					h->user_agent = dup_str(d->a, r);
				else if (strcmp(k, "client_ip") == 0)
					h->client_ip = dup_str(d->a, r);
				else if (strcmp(k, "traced") == 0) {
					if (is_true(r))
						s->flags |= SEG_TRACED;
				} else if (strcmp(k, "x_forwarded_for") == 0) {
					if (is_true(r))
						s->flags |= SEG_XFF;
				}
			}
		} else if (strcmp(c->string, "response") == 0) {
			for (r = c->child; r != NULL; r = r->next) {
				if (r->string == NULL)
					continue;
				if (strcmp(r->string, "status") == 0)
					h->status = num_int(r, 0);
				else if (strcmp(r->string, "content_length") == 0)
					h->content_length = num_ll(r, -1);
			}
		}
	}
	s->http = h;
}

/* The value text flattening gave the field with this key, searched in
 * fields [from, to); NULL when absent. */
static const char *
field_value(const struct field *f, size_t from, size_t to, const char *key)
{
	size_t i;

	for (i = from; i < to; i++)
		if (strcmp(f[i].key, key) == 0)
			return f[i].value;
	return NULL;
}

/* Point the named aws field k (if it is one) at the text v. */
static void
aws_named(struct aws_info *ai, const char *k, const char *v)
{
	switch (k[0]) {
	case 'a':
		if (strcmp(k, "account_id") == 0)
			ai->account_id = v;
		break;
	case 'f':
		if (strcmp(k, "function_name") == 0)
			ai->function_name = v;
		break;
	case 'o':
		if (strcmp(k, "operation") == 0)
			ai->operation = v;
		break;
	case 'q':
		if (strcmp(k, "queue_url") == 0)
			ai->queue_url = v;
		break;
	case 'r':
		if (strcmp(k, "region") == 0)
			ai->region = v;
		else if (strcmp(k, "request_id") == 0)
			ai->request_id = v;
		break;
	case 't':
		if (strcmp(k, "table_name") == 0)
			ai->table_name = v;
		break;
	}
}

static void
decode_aws(struct dec *d, struct segment *s, const cJSON *o)
{
	struct aws_info *ai;
	const cJSON *c;
	size_t n, got = 0;

	if (!cJSON_IsObject(o))
		return;
	ai = arena_calloc(d->a, 1, sizeof *ai);
	ai->retries = -1;
	n = (d->opts & JSON_LEAN) ? 0 : flat_count(o);
	if (n > 0)
		ai->fields = arena_alloc(d->a, n * sizeof *ai->fields);
	tstate->key.len = 0;
	/* Flatten one top-level member at a time so the named fields can point
	 * at the same text as their entry in fields[]. */
	for (c = o->child; c != NULL; c = c->next) {
		const char *k = c->string != NULL ? c->string : "";
		size_t first = got;
		const char *v;

		if (n == 0) {
			/* Lean: only the named scalar fields, no fields[]. */
			if (strcmp(k, "retries") == 0)
				ai->retries = num_int(c, -1);
			else if (cJSON_IsString(c))
				aws_named(ai, k, dup_str(d->a, c));
			continue;
		}
		if (cJSON_IsObject(c) && c->child != NULL) {
			struct jbuf *kb = &tstate->key;

			kb->len = 0;
			jb_put(kb, k, strlen(k));
			flat_fill(d->a, ai->fields, &got, c);
			kb->len = 0;
			if (strcmp(k, "ec2") == 0) {
				ai->instance_id = field_value(ai->fields, first, got, "ec2.instance_id");
				ai->availability_zone = field_value(ai->fields, first, got,
				    "ec2.availability_zone");
			}
			continue;
		}
		v = value_text(d->a, c);
		ai->fields[got].key = arena_strndup(d->a, k, strlen(k));
		ai->fields[got].value = v;
		got++;
		if (strcmp(k, "retries") == 0) {
			ai->retries = num_int(c, -1);
			continue;
		}
		if (cJSON_IsString(c))
			aws_named(ai, k, v);
	}
	ai->nfields = got;
	s->aws = ai;
}

static void
decode_sql(struct dec *d, struct segment *s, const cJSON *o)
{
	struct sql_info *q;
	const cJSON *c;

	if (!cJSON_IsObject(o))
		return;
	q = arena_calloc(d->a, 1, sizeof *q);
	for (c = o->child; c != NULL; c = c->next) {
		const char *k = c->string;

		if (k == NULL)
			continue;
		if (strcmp(k, "url") == 0)
			q->url = dup_str(d->a, c);
		else if (strcmp(k, "connection_string") == 0)
			q->connection_string = dup_str(d->a, c);
		else if (strcmp(k, "sanitized_query") == 0)
			q->sanitized_query = dup_str(d->a, c);
		else if (strcmp(k, "database_type") == 0)
			q->database_type = dup_str(d->a, c);
		else if (strcmp(k, "database_version") == 0)
			q->database_version = dup_str(d->a, c);
		else if (strcmp(k, "driver_version") == 0)
			q->driver_version = dup_str(d->a, c);
		else if (strcmp(k, "user") == 0)
			q->user = dup_str(d->a, c);
		else if (strcmp(k, "preparation") == 0)
			q->preparation = dup_str(d->a, c);
	}
	s->sql = q;
}

static void
decode_exception(struct dec *d, struct exception *e, const cJSON *o)
{
	const cJSON *c, *f;
	size_t n;

	memset(e, 0, sizeof *e);
	for (c = o->child; c != NULL; c = c->next) {
		const char *k = c->string;

		if (k == NULL)
			continue;
		if (strcmp(k, "id") == 0)
			e->id = dup_str(d->a, c);
		else if (strcmp(k, "message") == 0)
			e->message = dup_str(d->a, c);
		else if (strcmp(k, "type") == 0)
			e->type = dup_str(d->a, c);
		else if (strcmp(k, "cause") == 0)
			e->cause = dup_str(d->a, c);
		else if (strcmp(k, "remote") == 0)
			e->remote = is_true(c);
		else if (strcmp(k, "truncated") == 0)
			e->truncated = num_int(c, 0);
		else if (strcmp(k, "skipped") == 0)
			e->skipped = num_int(c, 0);
		else if (strcmp(k, "stack") == 0 && cJSON_IsArray(c)) {
			n = count_children(c);
			if (n == 0)
				continue;
			e->stack = arena_alloc(d->a, n * sizeof *e->stack);
			e->nstack = 0;          /* a repeated key: the last wins */
			for (f = c->child; f != NULL; f = f->next) {
				struct stack_frame *sf;

				if (!cJSON_IsObject(f))
					continue;
				sf = &e->stack[e->nstack++];
				sf->path = dup_str(d->a, get(f, "path"));
				sf->label = dup_str(d->a, get(f, "label"));
				sf->line = num_int(get(f, "line"), 0);
			}
		}
	}
}

static void
decode_cause(struct dec *d, struct segment *s, const cJSON *o)
{
	struct cause *ca;
	const cJSON *c, *x;
	size_t n;

	if (cJSON_IsString(o)) {
		ca = arena_calloc(d->a, 1, sizeof *ca);
		ca->exception_id = dup_str(d->a, o);
		s->cause = ca;
		return;
	}
	if (!cJSON_IsObject(o))
		return;
	ca = arena_calloc(d->a, 1, sizeof *ca);
	for (c = o->child; c != NULL; c = c->next) {
		const char *k = c->string;

		if (k == NULL)
			continue;
		if (strcmp(k, "working_directory") == 0)
			ca->working_directory = dup_str(d->a, c);
		else if (strcmp(k, "paths") == 0 && cJSON_IsArray(c)) {
			n = count_children(c);
			if (n == 0)
				continue;
			ca->paths = arena_alloc(d->a, n * sizeof *ca->paths);
			ca->npaths = 0;
			for (x = c->child; x != NULL; x = x->next)
				if (cJSON_IsString(x))
					ca->paths[ca->npaths++] = dup_str(d->a, x);
		} else if (strcmp(k, "exceptions") == 0 && cJSON_IsArray(c)) {
			n = count_children(c);
			if (n == 0)
				continue;
			ca->exceptions = arena_alloc(d->a, n * sizeof *ca->exceptions);
			ca->nexceptions = 0;
			for (x = c->child; x != NULL; x = x->next)
				if (cJSON_IsObject(x))
					decode_exception(d, &ca->exceptions[ca->nexceptions++], x);
		}
	}
	s->cause = ca;
}

static void
decode_annotations(struct dec *d, struct segment *s, const cJSON *o)
{
	struct annotation *an;
	const cJSON *c;
	size_t n;

	if (!cJSON_IsObject(o) || (n = count_children(o)) == 0)
		return;
	s->annotations = arena_alloc(d->a, n * sizeof *s->annotations);
	s->nannotations = 0;            /* a repeated key: the last wins */
	for (c = o->child; c != NULL; c = c->next) {
		int t = c->type & 0xff;

		if (c->string == NULL)
			continue;
		if (t != cJSON_String && t != cJSON_Number && t != cJSON_True && t != cJSON_False)
			continue;
		an = &s->annotations[s->nannotations++];
		memset(an, 0, sizeof *an);
		an->key = arena_strndup(d->a, c->string, strlen(c->string));
		switch (t) {
		case cJSON_String:
			an->type = ANNO_STRING;
			an->str = dup_str(d->a, c);
			break;
		case cJSON_Number:
			an->type = ANNO_NUMBER;
			an->num = c->valuedouble;
			break;
		default:
			an->type = ANNO_BOOL;
			an->boolean = t == cJSON_True;
			break;
		}
	}
	if (s->nannotations == 0)
		s->annotations = NULL;
}

static void
decode_precursors(struct dec *d, struct segment *s, const cJSON *o)
{
	const cJSON *c;
	size_t n;

	if (!cJSON_IsArray(o) || (n = count_children(o)) == 0)
		return;
	s->precursor_ids = arena_alloc(d->a, n * sizeof *s->precursor_ids);
	s->nprecursors = 0;
	for (c = o->child; c != NULL; c = c->next)
		if (cJSON_IsString(c))
			s->precursor_ids[s->nprecursors++] = dup_str(d->a, c);
	if (s->nprecursors == 0)
		s->precursor_ids = NULL;
}

/* Record an error about the entity being decoded: the document itself, or
 * a subsegment named by its id or by its place under its parent. */
static struct segment * __attribute__((format(printf, 5, 6)))
dec_fail(struct dec *d, const struct segment *parent, int index, const cJSON *id,
    const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (parent == NULL)
		set_err(d->err, d->errlen, "%s", msg);
	else if (id != NULL && cJSON_IsString(id) && id->valuestring[0] != '\0')
		set_err(d->err, d->errlen, "subsegment %.40s: %s", id->valuestring, msg);
	else
		set_err(d->err, d->errlen, "subsegment #%d of %.40s: %s", index, parent->id, msg);
	return NULL;
}

/* Check a required string member: 0, or -1 with an error. */
static int
need_str(struct dec *d, const struct segment *parent, int index, const cJSON *id,
    const cJSON *v, const char *key)
{
	if (v == NULL || cJSON_IsNull(v) || (cJSON_IsString(v) && v->valuestring[0] == '\0')) {
		dec_fail(d, parent, index, id, "no %s", key);
		return -1;
	}
	if (!cJSON_IsString(v)) {
		dec_fail(d, parent, index, id, "%s is not a string", key);
		return -1;
	}
	return 0;
}

/* Decode one entity (a document when parent is NULL, else the index-th
 * subsegment nested in parent) and, recursively, its subsegments. */
static struct segment *
decode_entity(struct dec *d, const cJSON *o, struct segment *parent, int index)
{
	const cJSON *id = NULL, *trace_id = NULL, *name = NULL, *start = NULL, *end = NULL;
	const cJSON *parent_id = NULL, *http = NULL, *aws = NULL, *sql = NULL, *cause = NULL;
	const cJSON *annotations = NULL, *metadata = NULL, *service = NULL, *subs = NULL;
	const cJSON *precursors = NULL, *c;
	struct segment *s;
	unsigned flags = parent != NULL ? SEG_SUBSEGMENT : 0;
	int nsub;

	s = arena_alloc(d->a, sizeof *s);
	memset(s, 0, sizeof *s);
	/* One pass over the members: flags now, blocks after the checks. */
	for (c = o->child; c != NULL; c = c->next) {
		const char *k = c->string;

		if (k == NULL)
			continue;
		switch (k[0]) {
		case 'a':
			if (strcmp(k, "annotations") == 0)
				annotations = c;
			else if (strcmp(k, "aws") == 0)
				aws = c;
			break;
		case 'c':
			if (strcmp(k, "cause") == 0)
				cause = c;
			break;
		case 'e':
			if (strcmp(k, "end_time") == 0)
				end = c;
			else if (strcmp(k, "error") == 0 && is_true(c))
				flags |= SEG_ERROR;
			break;
		case 'f':
			if (strcmp(k, "fault") == 0 && is_true(c))
				flags |= SEG_FAULT;
			break;
		case 'h':
			if (strcmp(k, "http") == 0)
				http = c;
			break;
		case 'i':
			if (k[1] == 'd' && k[2] == '\0')
				id = c;
			else if (strcmp(k, "in_progress") == 0 && is_true(c))
				flags |= SEG_IN_PROGRESS;
			else if (strcmp(k, "inferred") == 0 && is_true(c))
				flags |= SEG_INFERRED;
			break;
		case 'm':
			if (strcmp(k, "metadata") == 0)
				metadata = c;
			break;
		case 'n':
			if (strcmp(k, "name") == 0)
				name = c;
			else if (strcmp(k, "namespace") == 0)
				s->namespace = dup_str(d->a, c);
			break;
		case 'o':
			if (strcmp(k, "origin") == 0)
				s->origin = dup_str(d->a, c);
			break;
		case 'p':
			if (strcmp(k, "parent_id") == 0)
				parent_id = c;
			else if (strcmp(k, "precursor_ids") == 0)
				precursors = c;
			break;
		case 'r':
			if (strcmp(k, "resource_arn") == 0)
				s->resource_arn = dup_str(d->a, c);
			break;
		case 's':
			if (strcmp(k, "start_time") == 0)
				start = c;
			else if (strcmp(k, "subsegments") == 0)
				subs = c;
			else if (strcmp(k, "sql") == 0)
				sql = c;
			else if (strcmp(k, "service") == 0)
				service = c;
			break;
		case 't':
			if (strcmp(k, "trace_id") == 0)
				trace_id = c;
			else if (strcmp(k, "throttle") == 0 && is_true(c))
				flags |= SEG_THROTTLE;
			else if (strcmp(k, "traced") == 0 && is_true(c))
				flags |= SEG_TRACED;
			else if (strcmp(k, "type") == 0 && parent == NULL && cJSON_IsString(c) &&
			    strcmp(c->valuestring, "subsegment") == 0)
				flags |= SEG_INDEPENDENT | SEG_SUBSEGMENT;
			break;
		case 'u':
			if (strcmp(k, "user") == 0)
				s->user = dup_str(d->a, c);
			break;
		}
	}

	if (need_str(d, parent, index, id, id, "id") < 0)
		return NULL;
	if (parent == NULL) {
		if (need_str(d, parent, index, id, trace_id, "trace_id") < 0)
			return NULL;
	} else if (trace_id != NULL && !cJSON_IsNull(trace_id) && !cJSON_IsString(trace_id))
		return dec_fail(d, parent, index, id, "trace_id is not a string");
	if (name == NULL || cJSON_IsNull(name))
		return dec_fail(d, parent, index, id, "no name");
	if (!cJSON_IsString(name))
		return dec_fail(d, parent, index, id, "name is not a string");
	if (start == NULL || cJSON_IsNull(start))
		return dec_fail(d, parent, index, id, "no start_time");
	if (!cJSON_IsNumber(start) || !isfinite(start->valuedouble))
		return dec_fail(d, parent, index, id, "start_time is not a number");
	if (end != NULL && !cJSON_IsNull(end) && (!cJSON_IsNumber(end) || !isfinite(end->valuedouble)))
		return dec_fail(d, parent, index, id, "end_time is not a number");

	s->id = dup_str(d->a, id);
	s->name = dup_str(d->a, name);
	if (parent == NULL) {
		s->trace_id = dup_str(d->a, trace_id);
		d->trace_id = s->trace_id;
	} else if (trace_id == NULL || !cJSON_IsString(trace_id) ||
	    strcmp(trace_id->valuestring, d->trace_id) == 0)
		s->trace_id = d->trace_id;
	else
		s->trace_id = dup_str(d->a, trace_id);
	if (parent_id != NULL && cJSON_IsString(parent_id)) {
		if (parent != NULL && strcmp(parent_id->valuestring, parent->id) == 0)
			s->parent_id = parent->id;
		else
			s->parent_id = dup_str(d->a, parent_id);
	}
	s->start_time = start->valuedouble;
	if (end == NULL || cJSON_IsNull(end))
		flags |= SEG_IN_PROGRESS;
	else if (!(flags & SEG_IN_PROGRESS))
		s->end_time = end->valuedouble;
	s->flags = flags;

	if (http != NULL)
		decode_http(d, s, http);
	if (aws != NULL)
		decode_aws(d, s, aws);
	if (sql != NULL)
		decode_sql(d, s, sql);
	if (annotations != NULL)
		decode_annotations(d, s, annotations);
	if (!(d->opts & JSON_LEAN)) {
		if (cause != NULL)
			decode_cause(d, s, cause);
		if (metadata != NULL && !cJSON_IsNull(metadata))
			s->metadata = compact_json(d->a, metadata);
		if (service != NULL && cJSON_IsObject(service))
			s->nservice = flatten(d->a, service, &s->service);
		if (precursors != NULL)
			decode_precursors(d, s, precursors);
	}

	if (subs != NULL && cJSON_IsArray(subs)) {
		nsub = 0;
		for (c = subs->child; c != NULL; c = c->next, nsub++) {
			struct segment *child;

			if (!cJSON_IsObject(c))
				return dec_fail(d, s, nsub, NULL, "not an object");
			if ((child = decode_entity(d, c, s, nsub)) == NULL)
				return NULL;
			segment_append_child(s, child);
		}
	}
	return s;
}

/* Decode a parsed document; raw/raw_len are kept with JSON_KEEP_RAW. */
static struct segment *
decode_document(const cJSON *root, struct arena *a, unsigned opts, const char *raw,
    size_t raw_len, char *err, size_t errlen)
{
	struct dec d = { a, NULL, err, errlen, opts };
	struct segment *s;

	if (!cJSON_IsObject(root)) {
		set_err(err, errlen, "not a JSON object");
		return NULL;
	}
	if ((s = decode_entity(&d, root, NULL, 0)) == NULL)
		return NULL;
	if (opts & JSON_KEEP_RAW) {
		while (raw_len > 0 && is_ws((unsigned char)raw[raw_len - 1]))
			raw_len--;
		while (raw_len > 0 && is_ws((unsigned char)*raw)) {
			raw++;
			raw_len--;
		}
		s->raw = arena_strndup(a, raw, raw_len);
		s->raw_len = raw_len;
	}
	return s;
}

/* Parse and decode one document; offsets in messages count from base. */
static struct segment *
decode_segment_text(const char *text, size_t len, size_t base, struct arena *a, unsigned opts,
    char *err, size_t errlen, size_t *offset)
{
	struct tstate *ts = tstate_get();
	struct pool *p = pool_acquire(ts);
	struct segment *s = NULL;
	cJSON *root;

	if (offset != NULL)
		*offset = 0;
	root = parse_json(p, text, len, base, err, errlen, offset);
	if (root != NULL)
		s = decode_document(root, a, opts, text, len, err, errlen);
	pool_release(ts, p);
	return s;
}

struct segment *
json_decode_segment(const char *text, size_t len, struct arena *a, unsigned opts,
    char *err, size_t errlen, size_t *offset)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return decode_segment_text(text, len, 0, a, opts, err, errlen, offset);
}

/* ------------------------------------------------------------------ */
/* Datagrams                                                           */
/* ------------------------------------------------------------------ */

static int
header_valid(const cJSON *root)
{
	const cJSON *format = get(root, "format"), *version = get(root, "version");

	return format != NULL && cJSON_IsString(format) &&
	    strcasecmp(format->valuestring, "json") == 0 &&
	    version != NULL && cJSON_IsNumber(version) && version->valuedouble == 1.0;
}

int
json_is_header(const char *text, size_t len)
{
	static const char compact[] = "{\"format\":\"json\",\"version\":1}";
	static const char spaced[] = "{\"format\": \"json\", \"version\": 1}";
	struct tstate *ts;
	struct pool *p;
	cJSON *root;
	int ok;

	while (len > 0 && is_ws((unsigned char)text[len - 1]))
		len--;
	if ((len == sizeof compact - 1 && memcmp(text, compact, len) == 0) ||
	    (len == sizeof spaced - 1 && memcmp(text, spaced, len) == 0))
		return 1;
	ts = tstate_get();
	p = pool_acquire(ts);
	root = parse_json(p, text, len, 0, NULL, 0, NULL);
	ok = root != NULL && header_valid(root);
	pool_release(ts, p);
	return ok;
}

struct segment *
json_decode_datagram(const char *data, size_t len, struct arena *a, unsigned opts,
    char *err, size_t errlen)
{
	const char *nl;
	size_t hlen;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	nl = memchr(data, '\n', len);
	if (nl == NULL) {
		set_err(err, errlen, "no header: the datagram has no newline");
		return NULL;
	}
	hlen = (size_t)(nl - data);
	if (!json_is_header(data, hlen)) {
		set_err(err, errlen, "bad header: want {\"format\":\"json\",\"version\":1}");
		return NULL;
	}
	return decode_segment_text(nl + 1, len - hlen - 1, hlen + 1, a, opts, err, errlen, NULL);
}

/* ------------------------------------------------------------------ */
/* API pages                                                           */
/* ------------------------------------------------------------------ */

/* Keep the first error of a page. */
static void __attribute__((format(printf, 2, 3)))
res_bad(struct json_result *res, const char *fmt, ...)
{
	va_list ap;

	res->bad++;
	if (res->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof res->error, fmt, ap);
	va_end(ap);
}

static void
deliver_document(const struct sink *sink, struct json_result *res, const struct segment *s)
{
	res->documents++;
	if (sink != NULL && sink->document != NULL)
		sink->document(sink->ctx, s);
}

static void
decode_batch(const cJSON *traces, struct arena *scratch, unsigned opts,
    const struct sink *sink, struct json_result *res)
{
	const cJSON *t, *segs, *e, *doc;
	struct segment *s;
	char err[200];
	int ti = 0, si;

	for (t = traces->child; t != NULL; t = t->next, ti++) {
		if (!cJSON_IsObject(t)) {
			res_bad(res, "Traces[%d]: not an object", ti);
			continue;
		}
		segs = get(t, "Segments");
		if (segs == NULL)
			segs = get(t, "Spans");   /* ListRetrievedTraces, XRAY format */
		if (segs == NULL || !cJSON_IsArray(segs))
			continue;
		si = 0;
		for (e = segs->child; e != NULL; e = e->next, si++) {
			doc = get(e, "Document");
			if (doc == NULL || !cJSON_IsString(doc)) {
				res_bad(res, "Traces[%d].Segments[%d]: no Document string", ti, si);
				continue;
			}
			s = decode_segment_text(doc->valuestring, strlen(doc->valuestring), 0,
			    scratch, opts, err, sizeof err, NULL);
			if (s == NULL) {
				res_bad(res, "Traces[%d].Segments[%d]: %s", ti, si, err);
				continue;
			}
			deliver_document(sink, res, s);
		}
	}
}

static void
decode_service_id(struct arena *a, struct service_id *out, const cJSON *o)
{
	out->name = dup_str(a, get(o, "Name"));
	out->type = dup_str(a, get(o, "Type"));
}

/* Count annotation values of a TraceSummary's Annotations map. */
static size_t
summary_anno_count(const cJSON *annos)
{
	const cJSON *k, *v;
	size_t n = 0;

	for (k = annos->child; k != NULL; k = k->next)
		if (cJSON_IsArray(k))
			for (v = k->child; v != NULL; v = v->next)
				n++;
	return n;
}

static void
decode_summary_annotations(struct arena *a, struct trace_summary *ts, const cJSON *annos)
{
	const cJSON *k, *v, *av, *x;
	size_t n;

	if (!cJSON_IsObject(annos) || (n = summary_anno_count(annos)) == 0)
		return;
	ts->annotations = arena_alloc(a, n * sizeof *ts->annotations);
	ts->nannotations = 0;           /* a repeated key: the last wins */
	for (k = annos->child; k != NULL; k = k->next) {
		if (k->string == NULL || !cJSON_IsArray(k))
			continue;
		for (v = k->child; v != NULL; v = v->next) {
			struct annotation an;

			memset(&an, 0, sizeof an);
			if ((av = get(v, "AnnotationValue")) == NULL)
				continue;
			if ((x = get(av, "StringValue")) != NULL && cJSON_IsString(x)) {
				an.type = ANNO_STRING;
				an.str = dup_str(a, x);
			} else if ((x = get(av, "NumberValue")) != NULL && cJSON_IsNumber(x)) {
				an.type = ANNO_NUMBER;
				an.num = x->valuedouble;
			} else if ((x = get(av, "BooleanValue")) != NULL && cJSON_IsBool(x)) {
				an.type = ANNO_BOOL;
				an.boolean = is_true(x);
			} else
				continue;
			an.key = arena_strndup(a, k->string, strlen(k->string));
			ts->annotations[ts->nannotations++] = an;
		}
	}
}

/* Decode one TraceSummary; returns 0, or -1 with a reason in msg. */
static int
decode_summary(struct arena *a, struct trace_summary *ts, const cJSON *o, char *msg, size_t msglen)
{
	const cJSON *c, *x;
	size_t n;

	memset(ts, 0, sizeof *ts);
	ts->duration = -1;
	ts->response_time = -1;
	if (!cJSON_IsObject(o)) {
		set_err(msg, msglen, "not an object");
		return -1;
	}
	for (c = o->child; c != NULL; c = c->next) {
		const char *k = c->string;

		if (k == NULL)
			continue;
		if (strcmp(k, "Id") == 0)
			ts->id = dup_str(a, c);
		else if (strcmp(k, "StartTime") == 0)
			ts->start = num_dbl(c, 0);
		else if (strcmp(k, "Duration") == 0)
			ts->duration = num_dbl(c, -1);
		else if (strcmp(k, "ResponseTime") == 0)
			ts->response_time = num_dbl(c, -1);
		else if (strcmp(k, "HasError") == 0) {
			if (is_true(c))
				ts->flags |= SUM_ERROR;
		} else if (strcmp(k, "HasFault") == 0) {
			if (is_true(c))
				ts->flags |= SUM_FAULT;
		} else if (strcmp(k, "HasThrottle") == 0) {
			if (is_true(c))
				ts->flags |= SUM_THROTTLE;
		} else if (strcmp(k, "IsPartial") == 0) {
			if (is_true(c))
				ts->flags |= SUM_PARTIAL;
		} else if (strcmp(k, "Http") == 0 && cJSON_IsObject(c)) {
			ts->url = dup_str(a, get(c, "HttpURL"));
			ts->status = num_int(get(c, "HttpStatus"), 0);
			ts->method = dup_str(a, get(c, "HttpMethod"));
			ts->user_agent = dup_str(a, get(c, "UserAgent"));
			ts->client_ip = dup_str(a, get(c, "ClientIp"));
		} else if (strcmp(k, "Users") == 0 && cJSON_IsArray(c)) {
			if (c->child != NULL)
				ts->user = dup_str(a, get(c->child, "UserName"));
		} else if (strcmp(k, "ServiceIds") == 0 && cJSON_IsArray(c)) {
			if ((n = count_children(c)) == 0)
				continue;
			ts->services = arena_alloc(a, n * sizeof *ts->services);
			ts->nservices = 0;
			for (x = c->child; x != NULL; x = x->next)
				if (cJSON_IsObject(x))
					decode_service_id(a, &ts->services[ts->nservices++], x);
		} else if (strcmp(k, "EntryPoint") == 0 && cJSON_IsObject(c))
			decode_service_id(a, &ts->root, c);
		else if (strcmp(k, "Annotations") == 0)
			decode_summary_annotations(a, ts, c);
	}
	if (ts->id == NULL) {
		set_err(msg, msglen, "no Id");
		return -1;
	}
	return 0;
}

static void
decode_summaries(const cJSON *list, struct arena *scratch, const struct sink *sink,
    struct json_result *res)
{
	struct trace_summary ts;
	const cJSON *c;
	char msg[128];
	int i = 0;

	for (c = list->child; c != NULL; c = c->next, i++) {
		if (decode_summary(scratch, &ts, c, msg, sizeof msg) < 0) {
			res_bad(res, "TraceSummaries[%d]: %s", i, msg);
			continue;
		}
		res->summaries++;
		if (sink != NULL && sink->summary != NULL)
			sink->summary(sink->ctx, &ts);
	}
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* Read exactly n digits. */
static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return 0;
}

/* ISO-8601 date-time as the AWS CLI prints it ("2026-11-24T14:00:00+00:00",
 * fractional seconds, "Z", or no zone = UTC) -> epoch seconds; -1 when not. */
static int
parse_iso8601(const char *s, double *out)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, zh = 0, zm = 0, sign;
	double frac = 0, scale = 0.1;

	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 || *p++ != ':' ||
	    digits(&p, 2, &sec) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (*p == '.' || *p == ',') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (digits(&p, 2, &zh) < 0)
			return -1;
		if (*p == ':')
			p++;
		if (*p != '\0' && digits(&p, 2, &zm) < 0)
			return -1;
		zh *= sign;
		zm *= sign;
	}
	if (*p != '\0')
		return -1;
	*out = (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL +
	    h * 3600LL + mi * 60LL + sec - zh * 3600LL - zm * 60LL) + frac;
	return 0;
}

/* A time given as epoch seconds or as an ISO-8601 string; 0 when absent,
 * -1 when unusable. */
static int
graph_time(const cJSON *v, double *out)
{
	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
		*out = v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && parse_iso8601(v->valuestring, out) == 0)
		return 0;
	return -1;
}

static void
decode_graph_stats(struct graph_stats *st, const cJSON *o)
{
	const cJSON *es, *fs, *x;

	memset(st, 0, sizeof *st);
	if (o == NULL || !cJSON_IsObject(o))
		return;
	st->present = 1;
	st->ok = num_u64(get(o, "OkCount"));
	if ((es = get(o, "ErrorStatistics")) != NULL) {
		st->throttle = num_u64(get(es, "ThrottleCount"));
		if ((x = get(es, "TotalCount")) != NULL)
			st->error = num_u64(x);
		else
			st->error = st->throttle + num_u64(get(es, "OtherCount"));
	}
	if ((fs = get(o, "FaultStatistics")) != NULL) {
		if ((x = get(fs, "TotalCount")) != NULL)
			st->fault = num_u64(x);
		else
			st->fault = num_u64(get(fs, "OtherCount"));
	}
	if ((x = get(o, "TotalCount")) != NULL)
		st->total = num_u64(x);
	else
		st->total = st->ok + st->error + st->fault;
	st->total_response_time = num_dbl(get(o, "TotalResponseTime"), 0);
}

static size_t
decode_histogram(struct arena *a, const cJSON *o, struct graph_hist **out)
{
	const cJSON *c;
	size_t n, got = 0;
	double count;

	*out = NULL;
	if (o == NULL || !cJSON_IsArray(o) || (n = count_children(o)) == 0)
		return 0;
	*out = arena_alloc(a, n * sizeof **out);
	for (c = o->child; c != NULL; c = c->next) {
		if (!cJSON_IsObject(c))
			continue;
		(*out)[got].value = num_dbl(get(c, "Value"), 0);
		count = num_dbl(get(c, "Count"), 0);
		(*out)[got].count = count > 0 && count <= UINT32_MAX ? (uint32_t)count : 0;
		got++;
	}
	return got;
}

/* Decode one GetServiceGraph Service; -1 with a reason in msg when unusable. */
static int
decode_service(struct arena *a, struct graph_service *gs, const cJSON *o, char *msg, size_t msglen)
{
	const cJSON *ref, *edges, *e;
	size_t n;
	int ei = 0;

	memset(gs, 0, sizeof *gs);
	if (!cJSON_IsObject(o)) {
		set_err(msg, msglen, "not an object");
		return -1;
	}
	ref = get(o, "ReferenceId");
	if (ref == NULL || !cJSON_IsNumber(ref)) {
		set_err(msg, msglen, "no ReferenceId");
		return -1;
	}
	gs->reference_id = num_int(ref, -1);
	gs->name = dup_str(a, get(o, "Name"));
	gs->type = dup_str(a, get(o, "Type"));
	gs->account_id = dup_str(a, get(o, "AccountId"));
	gs->state = dup_str(a, get(o, "State"));
	gs->root = is_true(get(o, "Root"));
	if (graph_time(get(o, "StartTime"), &gs->start_time) < 0 ||
	    graph_time(get(o, "EndTime"), &gs->end_time) < 0) {
		set_err(msg, msglen, "StartTime/EndTime is neither epoch seconds nor ISO-8601");
		return -1;
	}
	decode_graph_stats(&gs->stats, get(o, "SummaryStatistics"));
	gs->nhistogram = decode_histogram(a, get(o, "ResponseTimeHistogram"), &gs->histogram);
	edges = get(o, "Edges");
	if (edges == NULL || !cJSON_IsArray(edges) || (n = count_children(edges)) == 0)
		return 0;
	gs->edges = arena_alloc(a, n * sizeof *gs->edges);
	for (e = edges->child; e != NULL; e = e->next, ei++) {
		struct graph_edge *ge = &gs->edges[gs->nedges];

		memset(ge, 0, sizeof *ge);
		ref = get(e, "ReferenceId");
		if (ref == NULL || !cJSON_IsNumber(ref)) {
			set_err(msg, msglen, "Edges[%d]: no ReferenceId", ei);
			return -1;
		}
		ge->reference_id = num_int(ref, -1);
		if (graph_time(get(e, "StartTime"), &ge->start_time) < 0 ||
		    graph_time(get(e, "EndTime"), &ge->end_time) < 0) {
			set_err(msg, msglen, "Edges[%d]: StartTime/EndTime is neither epoch seconds nor ISO-8601", ei);
			return -1;
		}
		decode_graph_stats(&ge->stats, get(e, "SummaryStatistics"));
		ge->nhistogram = decode_histogram(a, get(e, "ResponseTimeHistogram"), &ge->histogram);
		gs->nedges++;
	}
	return 0;
}

static void
decode_graph(const cJSON *list, struct arena *scratch, const struct sink *sink,
    struct json_result *res)
{
	struct graph_service *svcs;
	const cJSON *c;
	size_t n = count_children(list), got = 0;
	char msg[160];
	int i = 0;

	if (n == 0)
		return;
	svcs = arena_alloc(scratch, n * sizeof *svcs);
	for (c = list->child; c != NULL; c = c->next, i++) {
		if (decode_service(scratch, &svcs[got], c, msg, sizeof msg) < 0) {
			res_bad(res, "Services[%d]: %s", i, msg);
			continue;
		}
		got++;
	}
	res->services += got;
	if (got > 0 && sink != NULL && sink->graph != NULL)
		sink->graph(sink->ctx, svcs, got);
}

/* What a parsed top-level value is, and the member that holds its payload.
 * The first member that tells decides: API responses use capitalised
 * names, segment documents lower-case ones. */
static enum json_kind
classify(const cJSON *root, const cJSON **payload)
{
	const cJSON *c;
	int hdr = 0;

	*payload = root;
	if (!cJSON_IsObject(root))
		return JSON_KIND_INVALID;
	for (c = root->child; c != NULL; c = c->next) {
		const char *k = c->string;

		if (k == NULL)
			continue;
		switch (k[0]) {
		case 'd':
			if (strcmp(k, "datagram") == 0 && cJSON_IsString(c)) {
				*payload = c;
				return JSON_KIND_DATAGRAM;
			}
			break;
		case 'T':
			if (strcmp(k, "Traces") == 0 && cJSON_IsArray(c)) {
				*payload = c;
				return JSON_KIND_BATCH;
			}
			if (strcmp(k, "TraceSummaries") == 0 && cJSON_IsArray(c)) {
				*payload = c;
				return JSON_KIND_SUMMARIES;
			}
			break;
		case 'S':
			if (strcmp(k, "Services") == 0 && cJSON_IsArray(c)) {
				*payload = c;
				return JSON_KIND_GRAPH;
			}
			break;
		case 'i':
		case 'n':
		case 's':
		case 't':
			if (strcmp(k, "id") == 0 || strcmp(k, "name") == 0 ||
			    strcmp(k, "start_time") == 0 || strcmp(k, "trace_id") == 0)
				return JSON_KIND_SEGMENT;
			break;
		case 'f':
		case 'v':
			if (strcmp(k, "format") == 0 || strcmp(k, "version") == 0)
				hdr = 1;
			break;
		}
	}
	return hdr ? JSON_KIND_HEADER : JSON_KIND_INVALID;
}

enum json_kind
json_decode(const char *text, size_t len, struct arena *scratch, unsigned opts,
    const struct sink *sink, struct json_result *res)
{
	struct json_result local;
	struct tstate *ts = tstate_get();
	struct pool *p = pool_acquire(ts);
	const cJSON *root, *payload;
	struct segment *s;
	enum json_kind kind;
	char err[200];

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	root = parse_json(p, text, len, 0, res->error, sizeof res->error, &res->offset);
	if (root == NULL) {
		res->bad = 1;
		pool_release(ts, p);
		return JSON_KIND_INVALID;
	}
	kind = classify(root, &payload);
	switch (kind) {
	case JSON_KIND_SEGMENT:
		s = decode_document(root, scratch, opts, text, len, err, sizeof err);
		if (s == NULL)
			res_bad(res, "%s", err);
		else
			deliver_document(sink, res, s);
		break;
	case JSON_KIND_HEADER:
		if (!header_valid(root)) {
			res_bad(res, "bad header: want {\"format\":\"json\",\"version\":1}");
			kind = JSON_KIND_INVALID;
		}
		break;
	case JSON_KIND_DATAGRAM:
		s = json_decode_datagram(payload->valuestring, strlen(payload->valuestring),
		    scratch, opts, err, sizeof err);
		if (s == NULL)
			res_bad(res, "datagram: %s", err);
		else
			deliver_document(sink, res, s);
		break;
	case JSON_KIND_BATCH:
		decode_batch(payload, scratch, opts, sink, res);
		break;
	case JSON_KIND_SUMMARIES:
		decode_summaries(payload, scratch, sink, res);
		break;
	case JSON_KIND_GRAPH:
		decode_graph(payload, scratch, sink, res);
		break;
	case JSON_KIND_INVALID:
		res_bad(res, cJSON_IsObject(root) ? "not a segment document or an X-Ray API response"
		    : "not a JSON object");
		break;
	}
	pool_release(ts, p);
	return kind;
}

/* ------------------------------------------------------------------ */
/* API responses and credential documents (the AWS source)             */
/* ------------------------------------------------------------------ */

/* Parse text as one JSON object into a pool; NULL with a message if not. */
static const cJSON *
parse_object(struct pool *p, const char *text, size_t len, char *err, size_t errlen)
{
	const cJSON *root;

	root = parse_json(p, text, len, 0, err, errlen, NULL);
	if (root != NULL && !cJSON_IsObject(root)) {
		set_err(err, errlen, "not a JSON object");
		return NULL;
	}
	return root;
}

/* The strings of an array member, copied into a. */
static size_t
str_array(struct arena *a, const cJSON *arr, const char ***out)
{
	const cJSON *c;
	size_t n, got = 0;

	*out = NULL;
	if (arr == NULL || !cJSON_IsArray(arr) || (n = count_children(arr)) == 0)
		return 0;
	*out = arena_alloc(a, n * sizeof **out);
	for (c = arr->child; c != NULL; c = c->next)
		if (cJSON_IsString(c))
			(*out)[got++] = dup_str(a, c);
	return got;
}

/* The member with one of two spellings ("message" / "Message"). */
static const cJSON *
get2(const cJSON *o, const char *k1, const char *k2)
{
	const cJSON *v = get(o, k1);

	return v != NULL ? v : get(o, k2);
}

int
json_decode_page(const char *text, size_t len, struct arena *a, struct json_page *out,
    char *err, size_t errlen)
{
	struct tstate *ts = tstate_get();
	struct pool *p = pool_acquire(ts);
	const cJSON *root, *v, *c;
	const char *code, *hash;
	size_t n;

	memset(out, 0, sizeof *out);
	out->processed = -1;
	if ((root = parse_object(p, text, len, err, errlen)) == NULL) {
		pool_release(ts, p);
		return -1;
	}
	out->next_token = dup_str(a, get(root, "NextToken"));
	out->nunprocessed = str_array(a, get(root, "UnprocessedTraceIds"), &out->unprocessed);
	if ((v = get(root, "Traces")) != NULL && cJSON_IsArray(v) && (n = count_children(v)) > 0) {
		out->trace_ids = arena_alloc(a, n * sizeof *out->trace_ids);
		for (c = v->child; c != NULL; c = c->next) {
			const char *id = dup_str(a, get(c, "Id"));

			if (id != NULL)
				out->trace_ids[out->ntraces++] = id;
		}
	}
	if ((v = get(root, "TraceSummaries")) != NULL && cJSON_IsArray(v))
		out->nsummaries = count_children(v);
	out->processed = num_ll(get(root, "TracesProcessedCount"), -1);
	out->approximate_time = num_dbl(get(root, "ApproximateTime"), 0);
	out->old_group_versions = is_true(get(root, "ContainsOldGroupVersions"));
	/* botocore's order: __type (after the last '#'), then code / Code. */
	code = NULL;
	if ((v = get(root, "__type")) != NULL && cJSON_IsString(v)) {
		code = v->valuestring;
		if ((hash = strrchr(code, '#')) != NULL)
			code = hash + 1;
	} else if ((v = get2(root, "code", "Code")) != NULL && cJSON_IsString(v))
		code = v->valuestring;
	if (code != NULL)
		out->error_code = arena_strdup(a, code);
	out->message = dup_str(a, get2(root, "message", "Message"));
	out->destination = dup_str(a, get(root, "Destination"));
	out->status = dup_str(a, get(root, "Status"));
	out->retrieval_token = dup_str(a, get(root, "RetrievalToken"));
	out->retrieval_status = dup_str(a, get(root, "RetrievalStatus"));
	pool_release(ts, p);
	return 0;
}

int
json_parse_time(const char *s, double *out)
{
	return s != NULL ? parse_iso8601(s, out) : -1;
}

/* Copy a string member into a fixed buffer; counts what does not fit. */
static void
creds_copy(struct json_creds *c, char *dst, size_t size, const cJSON *v)
{
	size_t n;

	if (v == NULL || !cJSON_IsString(v) || v->valuestring == NULL)
		return;
	n = strlen(v->valuestring);
	if (n >= size) {
		c->truncated = 1;
		return;
	}
	memcpy(dst, v->valuestring, n + 1);
}

/* An expiration: ISO-8601 text, or a number of epoch milliseconds (SSO). */
static void
creds_expiration(struct json_creds *c, const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v))
		return;
	c->has_expiration = 1;
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble > 0)
		c->expiration = v->valuedouble / 1000.0;
	else if (!cJSON_IsString(v) || parse_iso8601(v->valuestring, &c->expiration) != 0)
		c->bad_expiration = 1;
}

int
json_decode_creds(const char *text, size_t len, struct json_creds *out, char *err, size_t errlen)
{
	struct tstate *ts = tstate_get();
	struct pool *p = pool_acquire(ts);
	const cJSON *root, *o, *v;

	memset(out, 0, sizeof *out);
	out->version = -1;
	if ((root = parse_object(p, text, len, err, errlen)) == NULL) {
		pool_release(ts, p);
		return -1;
	}
	o = get(root, "roleCredentials");   /* SSO portal */
	if (o == NULL || !cJSON_IsObject(o))
		o = root;
	creds_copy(out, out->access_key, sizeof out->access_key, get2(o, "AccessKeyId", "accessKeyId"));
	creds_copy(out, out->secret_key, sizeof out->secret_key,
	    get2(o, "SecretAccessKey", "secretAccessKey"));
	v = get(o, "Token");
	if (v == NULL)
		v = get2(o, "SessionToken", "sessionToken");
	creds_copy(out, out->token, sizeof out->token, v);
	creds_copy(out, out->access_token, sizeof out->access_token, get(o, "accessToken"));
	creds_copy(out, out->account_id, sizeof out->account_id, get2(o, "AccountId", "accountId"));
	creds_copy(out, out->code, sizeof out->code, get(o, "Code"));
	creds_copy(out, out->message, sizeof out->message, get2(o, "Message", "message"));
	creds_copy(out, out->region, sizeof out->region, get(o, "region"));
	v = get2(o, "Expiration", "expiration");
	if (v == NULL)
		v = get(o, "expiresAt");
	creds_expiration(out, v);
	out->version = num_int(get(o, "Version"), -1);
	pool_release(ts, p);
	return 0;
}

/* The array member key of a response, or NULL with a message. */
static const cJSON *
response_list(const cJSON *root, const char *key, char *err, size_t errlen)
{
	const cJSON *v = get(root, key);

	if (v == NULL || cJSON_IsNull(v))
		return NULL;
	if (!cJSON_IsArray(v)) {
		set_err(err, errlen, "%s is not an array", key);
		return NULL;
	}
	return v;
}

static void
decode_group(struct arena *a, struct xray_group *g, const cJSON *o)
{
	const cJSON *ic;

	g->name = dup_str(a, get(o, "GroupName"));
	g->arn = dup_str(a, get(o, "GroupARN"));
	g->filter = dup_str(a, get(o, "FilterExpression"));
	g->insights = -1;
	g->notifications = -1;
	if ((ic = get(o, "InsightsConfiguration")) != NULL && cJSON_IsObject(ic)) {
		if (get(ic, "InsightsEnabled") != NULL)
			g->insights = is_true(get(ic, "InsightsEnabled"));
		if (get(ic, "NotificationsEnabled") != NULL)
			g->notifications = is_true(get(ic, "NotificationsEnabled"));
	}
}

int
json_decode_groups(const char *text, size_t len, struct arena *a,
    struct xray_group **out, size_t *n, char *err, size_t errlen)
{
	struct tstate *ts = tstate_get();
	struct pool *p = pool_acquire(ts);
	const cJSON *root, *list, *c;
	size_t cap;

	*out = NULL;
	*n = 0;
	if ((root = parse_object(p, text, len, err, errlen)) == NULL)
		goto fail;
	err[0] = '\0';
	if ((c = get(root, "Group")) != NULL && cJSON_IsObject(c)) {
		*out = arena_calloc(a, 1, sizeof **out);
		decode_group(a, *out, c);
		*n = 1;
	} else if ((list = response_list(root, "Groups", err, errlen)) != NULL) {
		cap = count_children(list);
		*out = arena_calloc(a, cap > 0 ? cap : 1, sizeof **out);
		for (c = list->child; c != NULL; c = c->next)
			if (cJSON_IsObject(c))
				decode_group(a, &(*out)[(*n)++], c);
	} else if (err[0] != '\0')
		goto fail;
	pool_release(ts, p);
	return 0;
fail:
	pool_release(ts, p);
	return -1;
}

/* A string member, or "" when absent (required members of SamplingRule). */
static const char *
str_or_empty(struct arena *a, const cJSON *v)
{
	const char *s = dup_str(a, v);

	return s != NULL ? s : "";
}

static void
decode_rule(struct arena *a, struct sampling_rule *r, const cJSON *rec)
{
	const cJSON *o = get(rec, "SamplingRule"), *v, *c;
	size_t n;

	if (o == NULL || !cJSON_IsObject(o))
		o = rec;
	r->name = str_or_empty(a, get(o, "RuleName"));
	r->arn = dup_str(a, get(o, "RuleARN"));
	r->resource_arn = str_or_empty(a, get(o, "ResourceARN"));
	r->priority = num_int(get(o, "Priority"), 0);
	r->fixed_rate = num_dbl(get(o, "FixedRate"), 0);
	r->reservoir = num_ll(get(o, "ReservoirSize"), 0);
	r->service_name = str_or_empty(a, get(o, "ServiceName"));
	r->service_type = str_or_empty(a, get(o, "ServiceType"));
	r->host = str_or_empty(a, get(o, "Host"));
	r->http_method = str_or_empty(a, get(o, "HTTPMethod"));
	r->url_path = str_or_empty(a, get(o, "URLPath"));
	r->version = num_int(get(o, "Version"), 0);
	if ((v = get(o, "Attributes")) != NULL && cJSON_IsObject(v) && (n = count_children(v)) > 0) {
		r->attributes = arena_alloc(a, n * sizeof *r->attributes);
		for (c = v->child; c != NULL; c = c->next) {
			if (c->string == NULL)
				continue;
			r->attributes[r->nattributes].key = arena_strdup(a, c->string);
			r->attributes[r->nattributes++].value = value_text(a, c);
		}
	}
	r->boost_max_rate = -1;
	r->boost_cooldown = -1;
	if ((v = get(o, "SamplingRateBoost")) != NULL && cJSON_IsObject(v)) {
		r->boost_max_rate = num_dbl(get(v, "MaxRate"), -1);
		r->boost_cooldown = num_int(get(v, "CooldownWindowMinutes"), -1);
	}
	graph_time(get(rec, "CreatedAt"), &r->created);
	graph_time(get(rec, "ModifiedAt"), &r->modified);
}

int
json_decode_sampling_rules(const char *text, size_t len, struct arena *a,
    struct sampling_rule **out, size_t *n, char *err, size_t errlen)
{
	struct tstate *ts = tstate_get();
	struct pool *p = pool_acquire(ts);
	const cJSON *root, *list, *c;

	*out = NULL;
	*n = 0;
	if ((root = parse_object(p, text, len, err, errlen)) == NULL)
		goto fail;
	err[0] = '\0';
	if ((list = response_list(root, "SamplingRuleRecords", err, errlen)) == NULL) {
		if (err[0] != '\0')
			goto fail;
		pool_release(ts, p);
		return 0;
	}
	*out = arena_calloc(a, count_children(list) + 1, sizeof **out);
	for (c = list->child; c != NULL; c = c->next)
		if (cJSON_IsObject(c))
			decode_rule(a, &(*out)[(*n)++], c);
	pool_release(ts, p);
	return 0;
fail:
	pool_release(ts, p);
	return -1;
}

int
json_decode_sampling_stats(const char *text, size_t len, struct arena *a,
    struct sampling_stat **out, size_t *n, char *err, size_t errlen)
{
	struct tstate *ts = tstate_get();
	struct pool *p = pool_acquire(ts);
	const cJSON *root, *list, *c;
	struct sampling_stat *st;

	*out = NULL;
	*n = 0;
	if ((root = parse_object(p, text, len, err, errlen)) == NULL)
		goto fail;
	err[0] = '\0';
	if ((list = response_list(root, "SamplingStatisticSummaries", err, errlen)) == NULL) {
		if (err[0] != '\0')
			goto fail;
		pool_release(ts, p);
		return 0;
	}
	*out = arena_calloc(a, count_children(list) + 1, sizeof **out);
	for (c = list->child; c != NULL; c = c->next) {
		if (!cJSON_IsObject(c))
			continue;
		st = &(*out)[(*n)++];
		st->rule_name = str_or_empty(a, get(c, "RuleName"));
		graph_time(get(c, "Timestamp"), &st->timestamp);
		st->requests = num_ll(get(c, "RequestCount"), 0);
		st->sampled = num_ll(get(c, "SampledCount"), 0);
		st->borrowed = num_ll(get(c, "BorrowCount"), 0);
	}
	pool_release(ts, p);
	return 0;
fail:
	pool_release(ts, p);
	return -1;
}

int
json_decode_timeseries(const char *text, size_t len, struct arena *a,
    struct ts_point **out, size_t *n, char *err, size_t errlen)
{
	struct tstate *ts = tstate_get();
	struct pool *p = pool_acquire(ts);
	const cJSON *root, *list, *c, *f;
	struct ts_point *pt;

	*out = NULL;
	*n = 0;
	if ((root = parse_object(p, text, len, err, errlen)) == NULL)
		goto fail;
	err[0] = '\0';
	if ((list = response_list(root, "TimeSeriesServiceStatistics", err, errlen)) == NULL) {
		if (err[0] != '\0')
			goto fail;
		pool_release(ts, p);
		return 0;
	}
	*out = arena_calloc(a, count_children(list) + 1, sizeof **out);
	for (c = list->child; c != NULL; c = c->next) {
		if (!cJSON_IsObject(c))
			continue;
		pt = &(*out)[(*n)++];
		graph_time(get(c, "Timestamp"), &pt->timestamp);
		decode_graph_stats(&pt->edge, get(c, "EdgeSummaryStatistics"));
		decode_graph_stats(&pt->service, get(c, "ServiceSummaryStatistics"));
		pt->fault_high = pt->fault_low = -1;
		if ((f = get(c, "ServiceForecastStatistics")) != NULL && cJSON_IsObject(f)) {
			pt->fault_high = num_dbl(get(f, "FaultCountHigh"), -1);
			pt->fault_low = num_dbl(get(f, "FaultCountLow"), -1);
		}
		pt->nhistogram = decode_histogram(a, get(c, "ResponseTimeHistogram"), &pt->histogram);
	}
	pool_release(ts, p);
	return 0;
fail:
	pool_release(ts, p);
	return -1;
}

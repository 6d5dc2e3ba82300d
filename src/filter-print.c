/* filter-print.c - an AST back to canonical text; structural equality. */
#include "config.h"

#include "xraytop/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/xmalloc.h"
#include "filter-int.h"

struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 128;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* A filter string: double quotes, with " and \ escaped. */
static void
put_string(struct buf *b, const char *s)
{
	put(b, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			put(b, "\\", 1);
		put(b, s, 1);
	}
	put(b, "\"", 1);
}

/* The shortest text that reads back as the same double. */
static void
put_number(struct buf *b, double v)
{
	char tmp[40];
	int prec;

	if (v == 0)
		v = 0;   /* no "-0" */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	puts_(b, tmp);
}

static void
put_json_string(struct buf *b, const char *s)
{
	char tmp[8];

	put(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':  puts_(b, "\\\""); break;
		case '\\': puts_(b, "\\\\"); break;
		case '\b': puts_(b, "\\b"); break;
		case '\f': puts_(b, "\\f"); break;
		case '\n': puts_(b, "\\n"); break;
		case '\r': puts_(b, "\\r"); break;
		case '\t': puts_(b, "\\t"); break;
		default:
			if (c < 0x20) {
				snprintf(tmp, sizeof tmp, "\\u%04x", c);
				puts_(b, tmp);
			} else
				put(b, s, 1);
		}
	}
	put(b, "\"", 1);
}

static void
put_json(struct buf *b, const struct filter_json *j)
{
	size_t i;

	switch (j->type) {
	case FJ_NULL:
		puts_(b, "null");
		return;
	case FJ_BOOL:
		puts_(b, j->boolean ? "true" : "false");
		return;
	case FJ_NUMBER:
		if (j->str != NULL)
			puts_(b, j->str);
		else
			put_number(b, j->number);
		return;
	case FJ_STRING:
		put_json_string(b, j->str);
		return;
	case FJ_ARRAY:
	case FJ_OBJECT:
		put(b, j->type == FJ_ARRAY ? "[" : "{", 1);
		for (i = 0; i < j->nitems; i++) {
			if (i > 0)
				put(b, ",", 1);
			if (j->type == FJ_OBJECT) {
				put_json_string(b, j->items[i]->key != NULL ? j->items[i]->key : "");
				put(b, ":", 1);
			}
			put_json(b, j->items[i]);
		}
		put(b, j->type == FJ_ARRAY ? "]" : "}", 1);
		return;
	}
}

static const char *
op_name(enum filter_op op)
{
	switch (op) {
	case FOP_NONE:       return "";
	case FOP_EQ:         return "=";
	case FOP_NE:         return "!=";
	case FOP_LT:         return "<";
	case FOP_LE:         return "<=";
	case FOP_GT:         return ">";
	case FOP_GE:         return ">=";
	case FOP_CONTAINS:   return "CONTAINS";
	case FOP_BEGINSWITH: return "BEGINSWITH";
	case FOP_ENDSWITH:   return "ENDSWITH";
	}
	return "?";
}

static void
put_value(struct buf *b, const struct filter_value *v)
{
	switch (v->type) {
	case FV_NONE:
		break;
	case FV_BOOL:
		puts_(b, v->boolean ? "true" : "false");
		break;
	case FV_NUMBER:
		put_number(b, v->number);
		break;
	case FV_STRING:
		put_string(b, v->str);
		break;
	}
}

static void
put_op_value(struct buf *b, enum filter_op op, const struct filter_value *v)
{
	if (op == FOP_NONE)
		return;
	put(b, " ", 1);
	puts_(b, op_name(op));
	put(b, " ", 1);
	put_value(b, v);
}

static void
put_nodespec(struct buf *b, const struct filter_nodespec *ns)
{
	int n = 0;

	if (!ns->present)
		return;
	if (!ns->is_id) {
		put_string(b, ns->name != NULL ? ns->name : "");
		return;
	}
	puts_(b, "id(");
	if (ns->name != NULL) {
		puts_(b, "name: ");
		put_string(b, ns->name);
		n++;
	}
	if (ns->type != NULL) {
		puts_(b, n++ ? ", type: " : "type: ");
		put_string(b, ns->type);
	}
	if (ns->account != NULL) {
		puts_(b, n++ ? ", account.id: " : "account.id: ");
		put_string(b, ns->account);
	}
	put(b, ")", 1);
}

static void put_node(struct buf *b, const struct filter_node *n);

static void
put_sub(struct buf *b, const struct filter_node *sub)
{
	if (sub == NULL)
		return;
	puts_(b, " { ");
	put_node(b, sub);
	puts_(b, " }");
}

static void
put_node(struct buf *b, const struct filter_node *n)
{
	static const char *const rc_kinds[] = { "fault", "error", "responsetime" };
	static const char *const rc_levels[] = { "service", "entity", "exception" };
	const struct filter_node *c;
	size_t i;

	switch (n->type) {
	case FN_AND:
	case FN_OR:
		for (i = 0; i < n->nchildren; i++) {
			c = n->children[i];
			if (i > 0)
				puts_(b, n->type == FN_AND ? " AND " : " OR ");
			if ((n->type == FN_AND && c->type == FN_OR) || c->type == n->type) {
				put(b, "(", 1);
				put_node(b, c);
				put(b, ")", 1);
			} else
				put_node(b, c);
		}
		return;
	case FN_NOT:
		c = n->children[0];
		put(b, "!", 1);
		if (c->type == FN_AND || c->type == FN_OR || c->type == FN_RCJSON ||
		    c->type == FN_GROUP || ((c->type == FN_KEYWORD || c->type == FN_ANNOTATION) &&
		    c->op != FOP_NONE)) {
			put(b, "(", 1);
			put_node(b, c);
			put(b, ")", 1);
		} else
			put_node(b, c);
		return;
	case FN_KEYWORD:
		puts_(b, filter_kw_name(n->kw));
		put_op_value(b, n->op, &n->value);
		return;
	case FN_ANNOTATION:
		puts_(b, "annotation.");
		puts_(b, n->key);
		put_op_value(b, n->op, &n->value);
		return;
	case FN_SERVICE:
		puts_(b, "service(");
		put_nodespec(b, &n->a);
		put(b, ")", 1);
		put_sub(b, n->sub);
		return;
	case FN_EDGE:
		puts_(b, "edge(");
		put_nodespec(b, &n->a);
		puts_(b, ", ");
		put_nodespec(b, &n->b);
		put(b, ")", 1);
		put_sub(b, n->sub);
		return;
	case FN_GROUP:
		puts_(b, n->by_arn ? "group.arn" : "group.name");
		put_op_value(b, n->op, &n->value);
		return;
	case FN_ROOTCAUSE:
		puts_(b, "rootcause.");
		puts_(b, rc_kinds[n->rc_kind]);
		put(b, ".", 1);
		puts_(b, rc_levels[n->rc_level]);
		put_sub(b, n->sub);
		return;
	case FN_RCJSON:
		puts_(b, "rootcause.json = #");
		put_json(b, n->json);
		return;
	}
}

char *
filter_print_node(const struct filter_node *n)
{
	struct buf b = { NULL, 0, 0 };

	put(&b, "", 0);
	if (n != NULL)
		put_node(&b, n);
	return b.s;
}

char *
filter_print(const struct filter *f)
{
	return filter_print_node(f != NULL ? f->root : NULL);
}

static int
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
value_equal(const struct filter_value *a, const struct filter_value *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case FV_NONE:   return 1;
	case FV_BOOL:   return !a->boolean == !b->boolean;
	case FV_NUMBER: return a->number == b->number;
	case FV_STRING: return str_same(a->str, b->str);
	}
	return 0;
}

static int
nodespec_equal(const struct filter_nodespec *a, const struct filter_nodespec *b)
{
	return a->present == b->present && a->is_id == b->is_id && str_same(a->name, b->name) &&
	    str_same(a->type, b->type) && str_same(a->account, b->account);
}

int
filter_json_equal(const struct filter_json *a, const struct filter_json *b)
{
	size_t i;

	if (a->type != b->type || !str_same(a->key, b->key) || a->nitems != b->nitems)
		return 0;
	switch (a->type) {
	case FJ_NULL:   return 1;
	case FJ_BOOL:   return !a->boolean == !b->boolean;
	case FJ_NUMBER: return a->number == b->number;
	case FJ_STRING: return str_same(a->str, b->str);
	case FJ_ARRAY:
	case FJ_OBJECT:
		for (i = 0; i < a->nitems; i++)
			if (!filter_json_equal(a->items[i], b->items[i]))
				return 0;
		return 1;
	}
	return 0;
}

int
filter_node_equal(const struct filter_node *a, const struct filter_node *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->type != b->type || a->nchildren != b->nchildren)
		return 0;
	for (i = 0; i < a->nchildren; i++)
		if (!filter_node_equal(a->children[i], b->children[i]))
			return 0;
	switch (a->type) {
	case FN_AND:
	case FN_OR:
	case FN_NOT:
		return 1;
	case FN_KEYWORD:
		return a->kw == b->kw && a->op == b->op && value_equal(&a->value, &b->value);
	case FN_ANNOTATION:
		return str_same(a->key, b->key) && a->op == b->op && value_equal(&a->value, &b->value);
	case FN_SERVICE:
		return nodespec_equal(&a->a, &b->a) && filter_node_equal(a->sub, b->sub);
	case FN_EDGE:
		return nodespec_equal(&a->a, &b->a) && nodespec_equal(&a->b, &b->b) &&
		    filter_node_equal(a->sub, b->sub);
	case FN_GROUP:
		return a->by_arn == b->by_arn && a->op == b->op && value_equal(&a->value, &b->value);
	case FN_ROOTCAUSE:
		return a->rc_kind == b->rc_kind && a->rc_level == b->rc_level &&
		    filter_node_equal(a->sub, b->sub);
	case FN_RCJSON:
		return filter_json_equal(a->json, b->json);
	}
	return 0;
}

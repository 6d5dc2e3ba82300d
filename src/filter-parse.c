/* filter-parse.c - filter expression text -> AST, with errors a prompt can
 * underline; binding of group references. */
#include "config.h"

#include "xraytop/filter.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/xmalloc.h"
#include "filter-int.h"

#define MAX_DEPTH	200     /* nesting of (), {}, ! and JSON */

struct parser {
	struct lexer	 lx;
	struct token	 tok;
	struct filter	*f;
	struct filter_error *err;
	int		 failed;
	int		 depth;
	size_t		 col_off;    /* col(): the last offset asked for ... */
	int		 col_col;    /* ... and its column (1 for offset 0) */
};

static struct filter_node *parse_or(struct parser *p);
static struct filter_node *parse_unary(struct parser *p);

static void perr(struct parser *p, size_t off, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record the first error only. */
static void
perr(struct parser *p, size_t off, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	if (p->err == NULL)
		return;
	memset(p->err, 0, sizeof *p->err);
	p->err->offset = off;
	p->err->column = lex_column(p->lx.src, off);
	p->err->width = len > 0 ? lex_width(p->lx.src, off, len) : 1;
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
	va_end(ap);
}

static void
warn(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warn(struct parser *p, const char *fmt, ...)
{
	struct filter *f = p->f;
	char buf[300], **v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	v = arena_alloc(f->arena, (f->nwarnings + 1) * sizeof *v);
	if (f->nwarnings > 0)
		memcpy(v, f->warnings, f->nwarnings * sizeof *v);
	v[f->nwarnings++] = arena_strdup(f->arena, buf);
	f->warnings = v;
}

static void
next(struct parser *p)
{
	lex_next(&p->lx, &p->tok);
	if (p->tok.type == T_ERROR)
		perr(p, p->tok.off, p->tok.len, "%s", p->tok.text);
}

static int
is_word(const struct token *t, const char *w)
{
	return t->type == T_WORD && strcasecmp(t->text, w) == 0;
}

/* AND, OR and the word operators: never a term nor a value. */
static int
is_reserved(const struct token *t)
{
	return is_word(t, "and") || is_word(t, "or") || is_word(t, "contains") ||
	    is_word(t, "beginswith") || is_word(t, "endswith");
}

/* Column of byte offset off.  Nodes ask in text order, so counting on from
 * the last answer keeps parsing linear (a 1 MB expression has 100k nodes). */
static int
col(struct parser *p, size_t off)
{
	if (p->col_col == 0 || off < p->col_off) {
		p->col_off = 0;
		p->col_col = 1;
	}
	p->col_col += lex_column(p->lx.src + p->col_off, off - p->col_off) - 1;
	p->col_off = off;
	return p->col_col;
}

static struct filter_node *
node_new(struct parser *p, enum filter_node_type type, size_t off)
{
	struct filter_node *n = arena_calloc(p->f->arena, 1, sizeof *n);

	n->type = type;
	n->column = col(p, off);
	return n;
}

/* How a token reads in a message. */
static const char *
tok_desc(struct parser *p, const struct token *t)
{
	char buf[80];

	switch (t->type) {
	case T_EOF:      return "the end";
	case T_WORD:
		snprintf(buf, sizeof buf, "'%.60s'", t->text);
		return arena_strdup(p->f->arena, buf);
	case T_STRING:
		snprintf(buf, sizeof buf, "string \"%.40s%s\"", t->text, strlen(t->text) > 40 ? "..." : "");
		return arena_strdup(p->f->arena, buf);
	case T_NUMBER:
		snprintf(buf, sizeof buf, "number %.40s", t->text);
		return arena_strdup(p->f->arena, buf);
	case T_LPAREN:   return "'('";
	case T_RPAREN:   return "')'";
	case T_LBRACE:   return "'{'";
	case T_RBRACE:   return "'}'";
	case T_COMMA:    return "','";
	case T_COLON:    return "':'";
	case T_HASH:     return "'#'";
	case T_BANG:     return "'!'";
	case T_EQ:       return "'='";
	case T_NE:       return "'!='";
	case T_LT:       return "'<'";
	case T_LE:       return "'<='";
	case T_GT:       return "'>'";
	case T_GE:       return "'>='";
	case T_ERROR:    return "an error";
	}
	return "?";
}

/* A term was needed here (after what, or at the start when after is NULL). */
static void
term_expected(struct parser *p, const char *after)
{
	const struct token *t = &p->tok;

	if (p->failed)
		return;
	if (t->type == T_EOF) {
		if (after == NULL)
			perr(p, t->off, 1, "empty expression");
		else
			perr(p, t->off, 1, "expected a condition after %s", after);
		return;
	}
	switch (t->type) {
	case T_STRING:
		perr(p, t->off, t->len, "a string must follow a keyword and an operator "
		    "(http.url CONTAINS \"...\")");
		return;
	case T_NUMBER:
		perr(p, t->off, t->len, "a number must follow a keyword and an operator "
		    "(responsetime > 5)");
		return;
	case T_LBRACE:
		perr(p, t->off, t->len, "unexpected '{': braces follow service(), edge() or a "
		    "rootcause keyword");
		return;
	case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE: case T_COLON:
		perr(p, t->off, t->len, "unexpected %s: a comparison starts with a keyword",
		    tok_desc(p, t));
		return;
	case T_WORD:
		if (is_reserved(t) || is_word(t, "true") || is_word(t, "false")) {
			if (after != NULL)
				perr(p, t->off, t->len, "expected a condition after %s, found %s", after,
				    tok_desc(p, t));
			else
				perr(p, t->off, t->len, "unexpected %s: a condition must come first",
				    tok_desc(p, t));
			return;
		}
		break;
	default:
		break;
	}
	if (after != NULL)
		perr(p, t->off, t->len, "expected a condition after %s, found %s", after, tok_desc(p, t));
	else
		perr(p, t->off, t->len, "unexpected %s", tok_desc(p, t));
}

static enum filter_op
tok_op(const struct token *t)
{
	switch (t->type) {
	case T_EQ: return FOP_EQ;
	case T_NE: return FOP_NE;
	case T_LT: return FOP_LT;
	case T_LE: return FOP_LE;
	case T_GT: return FOP_GT;
	case T_GE: return FOP_GE;
	case T_WORD:
		if (is_word(t, "contains"))
			return FOP_CONTAINS;
		if (is_word(t, "beginswith"))
			return FOP_BEGINSWITH;
		if (is_word(t, "endswith"))
			return FOP_ENDSWITH;
		break;
	default:
		break;
	}
	return FOP_NONE;
}

static const char *
op_text(enum filter_op op)
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

/* A string value after op: "..." or, accepted with a warning, a bare word. */
static int
parse_string_value(struct parser *p, enum filter_op op, struct filter_value *v)
{
	struct token *t = &p->tok;

	if (t->type == T_STRING) {
		v->type = FV_STRING;
		v->str = t->text;
		next(p);
		return 0;
	}
	if (t->type == T_WORD && !is_reserved(t) && !is_word(t, "true") && !is_word(t, "false")) {
		v->type = FV_STRING;
		v->str = t->text;
		warn(p, "column %d: unquoted value %s taken as the string \"%s\"", col(p, t->off),
		    t->text, t->text);
		next(p);
		return 0;
	}
	if (!p->failed)
		perr(p, t->off, t->len, "expected a string after %s%s", op_text(op),
		    t->type == T_EOF ? "" : " (strings take double quotes)");
	return -1;
}

static int
parse_bool_value(struct parser *p, enum filter_op op, struct filter_value *v)
{
	struct token *t = &p->tok;

	if (is_word(t, "true") || is_word(t, "false")) {
		v->type = FV_BOOL;
		v->boolean = is_word(t, "true");
		next(p);
		return 0;
	}
	if (!p->failed)
		perr(p, t->off, t->len, "expected true or false after %s", op_text(op));
	return -1;
}

static int
parse_number_value(struct parser *p, enum filter_op op, struct filter_value *v)
{
	struct token *t = &p->tok;

	if (t->type == T_NUMBER) {
		v->type = FV_NUMBER;
		v->number = t->number;
		v->num_text = t->text;
		next(p);
		return 0;
	}
	if (!p->failed)
		perr(p, t->off, t->len, "expected a number after %s", op_text(op));
	return -1;
}

static struct filter_node *
parse_keyword(struct parser *p, enum filter_kw kw, size_t off)
{
	struct filter_node *n = node_new(p, FN_KEYWORD, off);
	const char *name = filter_kw_name(kw);
	enum filter_op op = tok_op(&p->tok);
	struct token *t = &p->tok;

	n->kw = kw;
	switch (filter_kw_class(kw)) {
	case FKC_BOOL:
		if (op == FOP_NONE)
			return n;
		if (op != FOP_EQ && op != FOP_NE) {
			perr(p, t->off, t->len, "%s does not apply to %s: a boolean keyword is used bare, "
			    "with !, or with = true / = false", op_text(op), name);
			return NULL;
		}
		n->op = op;
		next(p);
		return parse_bool_value(p, op, &n->value) == 0 ? n : NULL;
	case FKC_NUMBER:
		if (op == FOP_NONE) {
			if (p->failed)
				return NULL;
			perr(p, t->off, t->len, "%s needs a comparison and a number (%s > 1)",
			    name, name);
			return NULL;
		}
		if (op >= FOP_CONTAINS) {
			perr(p, t->off, t->len, "%s does not apply to %s: a number keyword takes "
			    "=, !=, <, <=, > or >=", op_text(op), name);
			return NULL;
		}
		n->op = op;
		next(p);
		return parse_number_value(p, op, &n->value) == 0 ? n : NULL;
	case FKC_STRING:
		if (op == FOP_NONE)
			return n;
		if (op != FOP_EQ && op != FOP_NE && op < FOP_CONTAINS) {
			perr(p, t->off, t->len, "%s does not apply to %s: a string keyword takes "
			    "=, !=, CONTAINS, BEGINSWITH or ENDSWITH", op_text(op), name);
			return NULL;
		}
		n->op = op;
		next(p);
		return parse_string_value(p, op, &n->value) == 0 ? n : NULL;
	}
	return NULL;
}

static struct filter_node *
parse_annotation(struct parser *p, const char *key, size_t off, size_t keyoff)
{
	struct filter_node *n = node_new(p, FN_ANNOTATION, off);
	struct token *t = &p->tok;
	enum filter_op op;
	const char *k;

	if (*key == '\0') {
		perr(p, keyoff, 1, "expected an annotation key after 'annotation.'");
		return NULL;
	}
	for (k = key; *k != '\0'; k++)
		if (!isalnum((unsigned char)*k) && *k != '_') {
			perr(p, keyoff + (size_t)(k - key), 1,
			    "annotation keys are made of letters, digits and '_'");
			return NULL;
		}
	n->key = key;
	op = tok_op(t);
	if (op == FOP_NONE)
		return n;
	n->op = op;
	next(p);
	if (p->failed)
		return NULL;
	switch (op) {
	case FOP_LT: case FOP_LE: case FOP_GT: case FOP_GE:
		if (t->type == T_STRING || is_word(t, "true") || is_word(t, "false")) {
			perr(p, t->off, t->len, "%s compares numbers: expected a number", op_text(op));
			return NULL;
		}
		return parse_number_value(p, op, &n->value) == 0 ? n : NULL;
	case FOP_CONTAINS: case FOP_BEGINSWITH: case FOP_ENDSWITH:
		return parse_string_value(p, op, &n->value) == 0 ? n : NULL;
	default:
		if (t->type == T_NUMBER)
			return parse_number_value(p, op, &n->value) == 0 ? n : NULL;
		if (is_word(t, "true") || is_word(t, "false"))
			return parse_bool_value(p, op, &n->value) == 0 ? n : NULL;
		if (t->type == T_STRING || (t->type == T_WORD && !is_reserved(t)))
			return parse_string_value(p, op, &n->value) == 0 ? n : NULL;
		perr(p, t->off, t->len, "expected a string, a number, true or false after %s",
		    op_text(op));
		return NULL;
	}
}

static int
expect(struct parser *p, enum tok_type type, const char *what)
{
	if (p->tok.type == type) {
		next(p);
		return 0;
	}
	if (!p->failed)
		perr(p, p->tok.off, p->tok.len, "expected %s, found %s", what, tok_desc(p, &p->tok));
	return -1;
}

/* id(name: "x", type: "y", account.id: "z") */
static int
parse_id(struct parser *p, struct filter_nodespec *ns)
{
	size_t open = p->tok.off;

	ns->is_id = 1;
	next(p);
	if (expect(p, T_LPAREN, "'(' after id") != 0)
		return -1;
	if (p->tok.type == T_RPAREN) {
		perr(p, open, p->tok.off + 1 - open, "id() needs at least one of name, type, account.id");
		return -1;
	}
	for (;;) {
		struct token *t = &p->tok;
		const char **slot;
		size_t foff = t->off, flen = t->len;

		if (p->failed)
			return -1;
		if (is_word(t, "name"))
			slot = &ns->name;
		else if (is_word(t, "type"))
			slot = &ns->type;
		else if (is_word(t, "account.id"))
			slot = &ns->account;
		else {
			if (t->type == T_WORD)
				perr(p, t->off, t->len, "unknown id() field %s: name, type or account.id",
				    tok_desc(p, t));
			else
				perr(p, t->off, t->len, "expected name, type or account.id in id(), found %s",
				    tok_desc(p, t));
			return -1;
		}
		if (*slot != NULL) {
			perr(p, foff, flen, "%s is given twice in id()", t->text);
			return -1;
		}
		next(p);
		if (expect(p, T_COLON, "':' after the id() field name") != 0)
			return -1;
		if (p->tok.type != T_STRING) {
			if (!p->failed)
				perr(p, p->tok.off, p->tok.len, "expected a string after ':' in id()");
			return -1;
		}
		*slot = p->tok.text;
		next(p);
		if (p->tok.type == T_COMMA) {
			next(p);
			continue;
		}
		return expect(p, T_RPAREN, "',' or ')' in id()");
	}
}

/* A service: "name" or id(...). */
static int
parse_nodespec(struct parser *p, struct filter_nodespec *ns, const char *where)
{
	struct token *t = &p->tok;

	if (p->failed)
		return -1;
	ns->present = 1;
	if (t->type == T_STRING) {
		ns->name = t->text;
		next(p);
		return 0;
	}
	if (is_word(t, "id"))
		return parse_id(p, ns);
	perr(p, t->off, t->len, "expected a service name (a string) or id(...) in %s, found %s",
	    where, tok_desc(p, t));
	return -1;
}

/* Optional (required when need) "{ expr }"; a '}' missing at the very end
 * is added with a warning. */
static int
parse_braces(struct parser *p, struct filter_node **sub, int need, const char *what)
{
	size_t open = p->tok.off;

	*sub = NULL;
	if (p->tok.type != T_LBRACE) {
		if (need && !p->failed)
			perr(p, p->tok.off, p->tok.len, "expected '{' after %s", what);
		return need ? -1 : 0;
	}
	if (++p->depth > MAX_DEPTH) {
		perr(p, open, 1, "nesting deeper than %d levels", MAX_DEPTH);
		return -1;
	}
	next(p);
	if (p->tok.type == T_RBRACE) {
		perr(p, open, p->tok.off + 1 - open, "empty braces: write a condition inside them");
		return -1;
	}
	if ((*sub = parse_or(p)) == NULL) {
		term_expected(p, "'{'");
		return -1;
	}
	p->depth--;
	if (p->tok.type == T_RBRACE) {
		next(p);
		return 0;
	}
	if (p->tok.type == T_EOF && !p->failed) {
		warn(p, "column %d: the '{' there was not closed; '}' added at the end",
		    col(p, open));
		return 0;
	}
	if (!p->failed)
		perr(p, p->tok.off, p->tok.len, "expected '}' to close the '{' at column %d, found %s",
		    col(p, open), tok_desc(p, &p->tok));
	return -1;
}

static struct filter_node *
parse_service(struct parser *p, size_t off)
{
	struct filter_node *n = node_new(p, FN_SERVICE, off);

	if (expect(p, T_LPAREN, "'(' after service") != 0)
		return NULL;
	if (p->tok.type != T_RPAREN && parse_nodespec(p, &n->a, "service()") != 0)
		return NULL;
	if (p->tok.type == T_COMMA) {
		perr(p, p->tok.off, 1, "service() takes one service; edge(\"a\", \"b\") is a connection");
		return NULL;
	}
	if (expect(p, T_RPAREN, "')' after the service") != 0)
		return NULL;
	return parse_braces(p, &n->sub, 0, "service()") == 0 ? n : NULL;
}

static struct filter_node *
parse_edge(struct parser *p, size_t off)
{
	struct filter_node *n = node_new(p, FN_EDGE, off);

	if (expect(p, T_LPAREN, "'(' after edge") != 0)
		return NULL;
	if (p->tok.type == T_RPAREN) {
		perr(p, p->tok.off, 1, "edge() takes two services: edge(\"source\", \"destination\")");
		return NULL;
	}
	if (parse_nodespec(p, &n->a, "edge()") != 0)
		return NULL;
	if (p->tok.type != T_COMMA) {
		if (!p->failed)
			perr(p, p->tok.off, p->tok.len,
			    "edge() takes two services: edge(\"source\", \"destination\")");
		return NULL;
	}
	next(p);
	if (parse_nodespec(p, &n->b, "edge()") != 0)
		return NULL;
	if (p->tok.type == T_COMMA) {
		perr(p, p->tok.off, 1, "edge() takes two services, not more");
		return NULL;
	}
	if (expect(p, T_RPAREN, "')' after the destination") != 0)
		return NULL;
	return parse_braces(p, &n->sub, 0, "edge()") == 0 ? n : NULL;
}

static struct filter_node *
parse_group(struct parser *p, int by_arn, size_t off)
{
	struct filter_node *n = node_new(p, FN_GROUP, off);
	enum filter_op op = tok_op(&p->tok);

	n->by_arn = by_arn;
	if (op != FOP_EQ && op != FOP_NE) {
		if (!p->failed)
			perr(p, p->tok.off, p->tok.len, "expected = or != after group.%s",
			    by_arn ? "arn" : "name");
		return NULL;
	}
	n->op = op;
	next(p);
	if (p->tok.type != T_STRING) {
		if (!p->failed)
			perr(p, p->tok.off, p->tok.len, "expected the group's %s as a string after %s",
			    by_arn ? "ARN" : "name", op_text(op));
		return NULL;
	}
	n->value.type = FV_STRING;
	n->value.str = p->tok.text;
	next(p);
	return n;
}

/* ---------------------------------------------------------------- JSON */

struct jparser {
	struct parser	*p;
	const char	*s;
	size_t		 pos;
	size_t		 len;
	int		 depth;
};

static void
jws(struct jparser *j)
{
	while (j->pos < j->len && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
	    j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
		j->pos++;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
jhex4(struct jparser *j, size_t at, unsigned *out)
{
	unsigned v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		if (at + (size_t)i >= j->len || (h = hexval((unsigned char)j->s[at + (size_t)i])) < 0)
			return -1;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return 0;
}

static size_t
utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static const char *
jstring(struct jparser *j)
{
	size_t start = j->pos, n = 0;
	char *out = arena_alloc(j->p->f->arena, j->len - j->pos + 1);

	j->pos++;
	while (j->pos < j->len) {
		unsigned char c = (unsigned char)j->s[j->pos];

		if (c == '"') {
			j->pos++;
			out[n] = '\0';
			return out;
		}
		if (c < 0x20) {
			perr(j->p, j->pos, 1, "control character in a JSON string");
			return NULL;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			j->pos++;
			continue;
		}
		if (j->pos + 1 >= j->len)
			break;
		c = (unsigned char)j->s[j->pos + 1];
		j->pos += 2;
		switch (c) {
		case '"': case '\\': case '/': out[n++] = (char)c; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (jhex4(j, j->pos, &cp) != 0) {
				perr(j->p, j->pos - 2, 2, "bad \\u escape in a JSON string");
				return NULL;
			}
			j->pos += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && j->pos + 6 <= j->len &&
			    j->s[j->pos] == '\\' && j->s[j->pos + 1] == 'u' &&
			    jhex4(j, j->pos + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				j->pos += 6;
			} else if (cp >= 0xd800 && cp < 0xe000)
				cp = 0xfffd;
			if (cp == 0)
				cp = 0xfffd;
			n += utf8_put(out + n, cp);
			break;
		}
		default:
			perr(j->p, j->pos - 2, 2, "bad escape in a JSON string");
			return NULL;
		}
	}
	perr(j->p, start, 1, "unterminated JSON string");
	return NULL;
}

static struct filter_json *jvalue(struct jparser *j);

static struct filter_json *
jcontainer(struct jparser *j, int object)
{
	struct arena *a = j->p->f->arena;
	struct filter_json *v = arena_calloc(a, 1, sizeof *v), **items = NULL, *it;
	size_t open = j->pos, cap = 0;
	char close = object ? '}' : ']';

	v->type = object ? FJ_OBJECT : FJ_ARRAY;
	if (++j->depth > MAX_DEPTH) {
		perr(j->p, open, 1, "JSON nesting deeper than %d levels", MAX_DEPTH);
		return NULL;
	}
	j->pos++;
	jws(j);
	if (j->pos < j->len && j->s[j->pos] == close) {
		j->pos++;
		j->depth--;
		return v;
	}
	for (;;) {
		const char *key = NULL;

		jws(j);
		if (object) {
			if (j->pos >= j->len || j->s[j->pos] != '"') {
				perr(j->p, j->pos, 1, "expected a member name (a string) in the JSON object");
				return NULL;
			}
			if ((key = jstring(j)) == NULL)
				return NULL;
			jws(j);
			if (j->pos >= j->len || j->s[j->pos] != ':') {
				perr(j->p, j->pos, 1, "expected ':' in the JSON object");
				return NULL;
			}
			j->pos++;
		}
		if ((it = jvalue(j)) == NULL)
			return NULL;
		it->key = key;
		if (v->nitems == cap) {
			struct filter_json **nv;

			cap = cap ? cap * 2 : 4;
			nv = arena_alloc(a, cap * sizeof *nv);
			if (v->nitems > 0)
				memcpy(nv, items, v->nitems * sizeof *nv);
			items = nv;
		}
		items[v->nitems++] = it;
		v->items = items;
		jws(j);
		if (j->pos < j->len && j->s[j->pos] == ',') {
			j->pos++;
			continue;
		}
		if (j->pos < j->len && j->s[j->pos] == close) {
			j->pos++;
			j->depth--;
			return v;
		}
		if (j->pos >= j->len)
			perr(j->p, open, 1, "unterminated JSON %s: no closing '%c'",
			    object ? "object" : "array", close);
		else
			perr(j->p, j->pos, 1, "expected ',' or '%c' in the JSON %s", close,
			    object ? "object" : "array");
		return NULL;
	}
}

static struct filter_json *
jvalue(struct jparser *j)
{
	struct arena *a = j->p->f->arena;
	struct filter_json *v;
	size_t start;
	char c;

	jws(j);
	if (j->pos >= j->len) {
		perr(j->p, j->pos, 1, "expected a JSON value");
		return NULL;
	}
	c = j->s[j->pos];
	if (c == '{' || c == '[')
		return jcontainer(j, c == '{');
	v = arena_calloc(a, 1, sizeof *v);
	if (c == '"') {
		v->type = FJ_STRING;
		return (v->str = jstring(j)) != NULL ? v : NULL;
	}
	start = j->pos;
	if (c == '-' || isdigit((unsigned char)c)) {
		char *end, *text;

		if (c == '-')
			j->pos++;
		if (j->pos >= j->len || !isdigit((unsigned char)j->s[j->pos])) {
			perr(j->p, start, 1, "malformed JSON number");
			return NULL;
		}
		while (j->pos < j->len && (isdigit((unsigned char)j->s[j->pos]) ||
		    j->s[j->pos] == '.' || j->s[j->pos] == 'e' || j->s[j->pos] == 'E' ||
		    j->s[j->pos] == '+' || j->s[j->pos] == '-'))
			j->pos++;
		text = arena_strndup(a, j->s + start, j->pos - start);
		v->type = FJ_NUMBER;
		v->number = strtod(text, &end);
		if (*end != '\0') {
			perr(j->p, start, j->pos - start, "malformed JSON number");
			return NULL;
		}
		v->str = text;
		return v;
	}
	if (j->len - j->pos >= 4 && memcmp(j->s + j->pos, "true", 4) == 0) {
		v->type = FJ_BOOL;
		v->boolean = 1;
		j->pos += 4;
	} else if (j->len - j->pos >= 5 && memcmp(j->s + j->pos, "false", 5) == 0) {
		v->type = FJ_BOOL;
		j->pos += 5;
	} else if (j->len - j->pos >= 4 && memcmp(j->s + j->pos, "null", 4) == 0) {
		v->type = FJ_NULL;
		j->pos += 4;
	} else {
		perr(j->p, j->pos, 1, "expected a JSON value");
		return NULL;
	}
	if (j->pos < j->len && (isalnum((unsigned char)j->s[j->pos]) || j->s[j->pos] == '_')) {
		perr(j->p, start, j->pos - start + 1, "expected a JSON value");
		return NULL;
	}
	return v;
}

/* rootcause.json = #[ ... ] */
static struct filter_node *
parse_rcjson(struct parser *p, size_t off)
{
	struct filter_node *n = node_new(p, FN_RCJSON, off);
	struct jparser j;

	if (p->tok.type != T_EQ) {
		if (!p->failed)
			perr(p, p->tok.off, p->tok.len, "expected = after rootcause.json");
		return NULL;
	}
	n->op = FOP_EQ;
	{
		size_t q = p->lx.pos;

		while (q < p->lx.len && isspace((unsigned char)p->lx.src[q]))
			q++;
		if (q < p->lx.len && p->lx.src[q] == '[') {
			perr(p, q, 1, "expected # before the JSON array: rootcause.json = #[ ... ]");
			return NULL;
		}
	}
	next(p);
	if (p->tok.type != T_HASH) {
		if (!p->failed)
			perr(p, p->tok.off, p->tok.len, "expected #[ ... ] (a JSON array after #)");
		return NULL;
	}
	memset(&j, 0, sizeof j);
	j.p = p;
	j.s = p->lx.src;
	j.len = p->lx.len;
	j.pos = p->lx.pos;
	jws(&j);
	if (j.pos >= j.len || j.s[j.pos] != '[') {
		perr(p, j.pos, 1, "expected a JSON array after #");
		return NULL;
	}
	if ((n->json = jcontainer(&j, 0)) == NULL)
		return NULL;
	p->lx.pos = j.pos;
	next(p);
	return n;
}

/* ---------------------------------------------------------------- terms */

static struct filter_node *
parse_rootcause(struct parser *p, const char *word, size_t off, size_t len)
{
	static const char *const kinds[] = { "fault", "error", "responsetime" };
	static const char *const levels[] = { "service", "entity", "exception" };
	struct filter_node *n;
	char kind[32], level[32];
	size_t i, k = 3, l = 3;

	if (sscanf(word + strlen("rootcause."), "%31[^.].%31s", kind, level) == 2) {
		for (i = 0; i < 3; i++) {
			if (strcasecmp(kind, kinds[i]) == 0)
				k = i;
			if (strcasecmp(level, levels[i]) == 0)
				l = i;
		}
	}
	if (k == 3 || l == 3) {
		const char *s = filter_suggest(word, p->f->arena);

		perr(p, off, len, "unknown keyword '%s'%s%s%s", word, s ? "; did you mean '" : "",
		    s ? s : " (rootcause.fault|error|responsetime.service|entity|exception { ... })",
		    s ? "'?" : "");
		return NULL;
	}
	n = node_new(p, FN_ROOTCAUSE, off);
	n->rc_kind = (enum filter_rc_kind)k;
	n->rc_level = (enum filter_rc_level)l;
	return parse_braces(p, &n->sub, 1, word) == 0 ? n : NULL;
}

/* A term that starts with a word (the current token, not yet consumed). */
static struct filter_node *
parse_term(struct parser *p)
{
	size_t off = p->tok.off, len = p->tok.len;
	const char *word = p->tok.text;
	enum filter_kw kw;

	if (filter_kw_lookup(word, &kw) == 0) {
		next(p);
		return parse_keyword(p, kw, off);
	}
	if (strncasecmp(word, "annotation.", 11) == 0) {
		next(p);
		return parse_annotation(p, word + 11, off, off + 11);
	}
	if (strcasecmp(word, "annotation") == 0 || strncasecmp(word, "annotations.", 12) == 0) {
		perr(p, off, len, "annotations are written annotation.KEY");
		return NULL;
	}
	if (strcasecmp(word, "service") == 0) {
		next(p);
		return parse_service(p, off);
	}
	if (strcasecmp(word, "edge") == 0) {
		next(p);
		return parse_edge(p, off);
	}
	if (strcasecmp(word, "group.name") == 0 || strcasecmp(word, "group.arn") == 0) {
		next(p);
		return parse_group(p, strcasecmp(word, "group.arn") == 0, off);
	}
	if (strcasecmp(word, "rootcause.json") == 0 || strcasecmp(word, "json") == 0) {
		next(p);
		return parse_rcjson(p, off);
	}
	if (strncasecmp(word, "rootcause.", 10) == 0) {
		next(p);
		return parse_rootcause(p, word, off, len);
	}
	if (strcasecmp(word, "id") == 0) {
		perr(p, off, len, "id(...) names a service: use it inside service() or edge()");
		return NULL;
	}
	if (strcasecmp(word, "not") == 0) {
		perr(p, off, len, "unknown keyword '%s': negate with !", word);
		return NULL;
	}
	{
		const char *s = filter_suggest(word, p->f->arena);

		if (s != NULL)
			perr(p, off, len, "unknown keyword '%s'; did you mean '%s'?", word, s);
		else
			perr(p, off, len, "unknown keyword '%s'", word);
	}
	return NULL;
}

/* Can the current token start a term (for implied AND)? */
static int
starts_term(const struct token *t)
{
	if (t->type == T_BANG || t->type == T_LPAREN)
		return 1;
	return t->type == T_WORD && !is_reserved(t) && !is_word(t, "true") && !is_word(t, "false");
}

static struct filter_node *
parse_unary(struct parser *p)
{
	struct filter_node *n, *c;
	size_t off = p->tok.off;

	if (p->failed)
		return NULL;
	if (p->tok.type == T_BANG) {
		if (++p->depth > MAX_DEPTH) {
			perr(p, off, 1, "nesting deeper than %d levels", MAX_DEPTH);
			return NULL;
		}
		next(p);
		if ((c = parse_unary(p)) == NULL) {
			term_expected(p, "'!'");
			return NULL;
		}
		p->depth--;
		n = node_new(p, FN_NOT, off);
		n->children = arena_alloc(p->f->arena, sizeof *n->children);
		n->children[0] = c;
		n->nchildren = 1;
		return n;
	}
	if (p->tok.type == T_LPAREN) {
		if (++p->depth > MAX_DEPTH) {
			perr(p, off, 1, "nesting deeper than %d levels", MAX_DEPTH);
			return NULL;
		}
		next(p);
		if (p->tok.type == T_RPAREN) {
			perr(p, off, p->tok.off + 1 - off, "empty parentheses");
			return NULL;
		}
		if ((n = parse_or(p)) == NULL) {
			term_expected(p, "'('");
			return NULL;
		}
		p->depth--;
		if (p->tok.type != T_RPAREN) {
			if (!p->failed)
				perr(p, p->tok.off, p->tok.len,
				    "expected ')' to close the '(' at column %d, found %s",
				    col(p, off), tok_desc(p, &p->tok));
			return NULL;
		}
		next(p);
		return n;
	}
	if (starts_term(&p->tok))
		return parse_term(p);
	return NULL;
}

/* Add c to the n-ary node n of the same type, splicing c's children when
 * c is of that type too (so parentheses leave no trace in the AST). */
static void
nary_add(struct parser *p, struct filter_node *n, struct filter_node *c, size_t *cap)
{
	size_t i, need = c->type == n->type ? c->nchildren : 1;

	if (n->nchildren + need > *cap) {
		struct filter_node **v;

		while (n->nchildren + need > *cap)
			*cap = *cap ? *cap * 2 : 4;
		v = arena_alloc(p->f->arena, *cap * sizeof *v);
		if (n->nchildren > 0)
			memcpy(v, n->children, n->nchildren * sizeof *v);
		n->children = v;
	}
	if (c->type == n->type)
		for (i = 0; i < c->nchildren; i++)
			n->children[n->nchildren++] = c->children[i];
	else
		n->children[n->nchildren++] = c;
}

static struct filter_node *
parse_and(struct parser *p)
{
	struct filter_node *first, *n = NULL, *c;
	size_t cap = 0;

	if ((first = parse_unary(p)) == NULL)
		return NULL;
	for (;;) {
		if (p->failed)
			return NULL;
		if (is_word(&p->tok, "and")) {
			next(p);
			if ((c = parse_unary(p)) == NULL) {
				term_expected(p, "AND");
				return NULL;
			}
		} else if (starts_term(&p->tok)) {
			if ((c = parse_unary(p)) == NULL)
				return NULL;
		} else
			break;
		if (n == NULL) {
			n = node_new(p, FN_AND, 0);
			n->column = first->column;
			nary_add(p, n, first, &cap);
		}
		nary_add(p, n, c, &cap);
	}
	if (n == NULL)
		return first;
	return n;
}

static struct filter_node *
parse_or(struct parser *p)
{
	struct filter_node *first, *n = NULL, *c;
	size_t cap = 0;

	if ((first = parse_and(p)) == NULL)
		return NULL;
	while (!p->failed && is_word(&p->tok, "or")) {
		next(p);
		if ((c = parse_and(p)) == NULL) {
			term_expected(p, "OR");
			return NULL;
		}
		if (n == NULL) {
			n = node_new(p, FN_OR, 0);
			n->column = first->column;
			nary_add(p, n, first, &cap);
		}
		nary_add(p, n, c, &cap);
	}
	if (p->failed)
		return NULL;
	return n != NULL ? n : first;
}

/* Parse text into the arena of f; the root node, or NULL with the error. */
static struct filter_node *
parse_into(struct filter *f, const char *text, struct filter_error *err)
{
	struct parser p;
	struct filter_node *n;

	memset(&p, 0, sizeof p);
	p.f = f;
	p.err = err;
	lex_init(&p.lx, text, f->arena);
	next(&p);
	if (p.failed)
		return NULL;
	if ((n = parse_or(&p)) == NULL) {
		term_expected(&p, NULL);
		return NULL;
	}
	if (p.tok.type != T_EOF) {
		if (p.tok.type == T_RPAREN)
			perr(&p, p.tok.off, 1, "unexpected ')': no '(' to close");
		else if (p.tok.type == T_RBRACE)
			perr(&p, p.tok.off, 1, "unexpected '}': no '{' to close");
		else if (p.tok.type == T_STRING || p.tok.type == T_NUMBER)
			perr(&p, p.tok.off, p.tok.len, "unexpected %s: a value must follow an operator",
			    tok_desc(&p, &p.tok));
		else
			perr(&p, p.tok.off, p.tok.len, "unexpected %s", tok_desc(&p, &p.tok));
		return NULL;
	}
	return p.failed ? NULL : n;
}

struct filter *
filter_parse(const char *text, struct filter_error *err)
{
	struct filter *f;
	struct arena *a;

	if (err != NULL)
		memset(err, 0, sizeof *err);
	if (text == NULL)
		text = "";
	a = arena_new(0);
	f = arena_calloc(a, 1, sizeof *f);
	f->arena = a;
	f->text = arena_strdup(a, text);
	if ((f->root = parse_into(f, f->text, err)) == NULL) {
		arena_free(a);
		return NULL;
	}
	return f;
}

void
filter_free(struct filter *f)
{
	if (f != NULL)
		arena_free(f->arena);
}

/* ---------------------------------------------------------------- groups */

struct binder {
	struct filter	*f;
	const struct filter_groups *groups;
	const char	*stack[16];     /* groups being resolved */
	int		 nstack;
};

static int bind_node(struct binder *b, struct filter_node *n, struct filter_error *err);

static void
bind_error(struct filter_error *err, int column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bind_error(struct filter_error *err, int column, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	memset(err, 0, sizeof *err);
	err->column = column;
	err->width = 1;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

static int
bind_group(struct binder *b, struct filter_node *n, struct filter_error *err)
{
	struct filter_error sub;
	const char *text = NULL;
	int i;

	if (b->groups != NULL && b->groups->lookup != NULL)
		text = b->groups->lookup(b->groups->ctx, n->value.str, n->by_arn);
	if (text == NULL) {
		bind_error(err, n->column, "unknown group %s '%s' (groups come from the config file, "
		    "see xraytop-config(5))", n->by_arn ? "ARN" : "name", n->value.str);
		return -1;
	}
	for (i = 0; i < b->nstack; i++)
		if (strcmp(b->stack[i], n->value.str) == 0) {
			bind_error(err, n->column, "group '%s' refers to itself", n->value.str);
			return -1;
		}
	if (b->nstack == (int)(sizeof b->stack / sizeof b->stack[0])) {
		bind_error(err, n->column, "groups nested too deep");
		return -1;
	}
	n->resolved = parse_into(b->f, arena_strdup(b->f->arena, text), &sub);
	if (n->resolved == NULL) {
		bind_error(err, n->column, "group '%s': column %d of its filter: %s", n->value.str,
		    sub.column, sub.message);
		return -1;
	}
	b->stack[b->nstack++] = n->value.str;
	if (bind_node(b, n->resolved, &sub) != 0) {
		bind_error(err, n->column, "group '%s': %s", n->value.str, sub.message);
		return -1;
	}
	b->nstack--;
	return 0;
}

static int
bind_node(struct binder *b, struct filter_node *n, struct filter_error *err)
{
	size_t i;

	if (n == NULL)
		return 0;
	for (i = 0; i < n->nchildren; i++)
		if (bind_node(b, n->children[i], err) != 0)
			return -1;
	if (n->sub != NULL && bind_node(b, n->sub, err) != 0)
		return -1;
	if (n->type == FN_GROUP)
		return bind_group(b, n, err);
	return 0;
}

int
filter_bind(struct filter *f, const struct filter_groups *groups, struct filter_error *err)
{
	struct binder b;

	if (err != NULL)
		memset(err, 0, sizeof *err);
	memset(&b, 0, sizeof b);
	b.f = f;
	b.groups = groups;
	if (bind_node(&b, f->root, err) != 0)
		return -1;
	f->bound = 1;
	return 0;
}

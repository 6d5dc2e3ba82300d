/* filter-lex.c - the filter language's tokens, keywords and suggestions. */
#include "config.h"

#include "xraytop/filter.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "filter-int.h"

static const struct {
	const char		*name;
	enum filter_kw		 kw;
	enum filter_kw_class	 cls;
} keywords[] = {
	{ "ok",               FK_OK,               FKC_BOOL },
	{ "error",            FK_ERROR,            FKC_BOOL },
	{ "fault",            FK_FAULT,            FKC_BOOL },
	{ "throttle",         FK_THROTTLE,         FKC_BOOL },
	{ "partial",          FK_PARTIAL,          FKC_BOOL },
	{ "inferred",         FK_INFERRED,         FKC_BOOL },
	{ "root",             FK_ROOT,             FKC_BOOL },
	{ "first",            FK_FIRST,            FKC_BOOL },
	{ "last",             FK_LAST,             FKC_BOOL },
	{ "remote",           FK_REMOTE,           FKC_BOOL },
	{ "responsetime",     FK_RESPONSETIME,     FKC_NUMBER },
	{ "duration",         FK_DURATION,         FKC_NUMBER },
	{ "http.status",      FK_HTTP_STATUS,      FKC_NUMBER },
	{ "index",            FK_INDEX,            FKC_NUMBER },
	{ "coverage",         FK_COVERAGE,         FKC_NUMBER },
	{ "http.url",         FK_HTTP_URL,         FKC_STRING },
	{ "http.method",      FK_HTTP_METHOD,      FKC_STRING },
	{ "http.useragent",   FK_HTTP_USERAGENT,   FKC_STRING },
	{ "http.clientip",    FK_HTTP_CLIENTIP,    FKC_STRING },
	{ "user",             FK_USER,             FKC_STRING },
	{ "name",             FK_NAME,             FKC_STRING },
	{ "type",             FK_TYPE,             FKC_STRING },
	{ "message",          FK_MESSAGE,          FKC_STRING },
	{ "availabilityzone", FK_AVAILABILITYZONE, FKC_STRING },
	{ "instance.id",      FK_INSTANCE_ID,      FKC_STRING },
	{ "resource.arn",     FK_RESOURCE_ARN,     FKC_STRING },
	{ "account.id",       FK_ACCOUNT_ID,       FKC_STRING },
};
#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

/* Words that are not keywords, for suggestions only. */
static const char *const other_words[] = {
	"service", "edge", "id", "group.name", "group.arn", "json", "rootcause.json",
	"rootcause.fault.service", "rootcause.fault.entity", "rootcause.fault.exception",
	"rootcause.error.service", "rootcause.error.entity", "rootcause.error.exception",
	"rootcause.responsetime.service", "rootcause.responsetime.entity",
	"rootcause.responsetime.exception",
	"AND", "OR", "CONTAINS", "BEGINSWITH", "ENDSWITH", "true", "false",
};

const char *
filter_kw_name(enum filter_kw kw)
{
	size_t i;

	for (i = 0; i < NKEYWORDS; i++)
		if (keywords[i].kw == kw)
			return keywords[i].name;
	return "?";
}

enum filter_kw_class
filter_kw_class(enum filter_kw kw)
{
	size_t i;

	for (i = 0; i < NKEYWORDS; i++)
		if (keywords[i].kw == kw)
			return keywords[i].cls;
	return FKC_BOOL;
}

int
filter_kw_lookup(const char *word, enum filter_kw *kw)
{
	size_t i;

	for (i = 0; i < NKEYWORDS; i++)
		if (strcasecmp(word, keywords[i].name) == 0) {
			*kw = keywords[i].kw;
			return 0;
		}
	return -1;
}

size_t
filter_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d;
	size_t *row0, *row1, *row2, *tmp;

	/* Optimal string alignment, case-insensitive, three rolling rows. */
	row0 = calloc(lb + 1, sizeof *row0);
	row1 = calloc(lb + 1, sizeof *row1);
	row2 = calloc(lb + 1, sizeof *row2);
	if (row0 == NULL || row1 == NULL || row2 == NULL) {
		free(row0);
		free(row1);
		free(row2);
		return la > lb ? la : lb;
	}
	for (j = 0; j <= lb; j++)
		row1[j] = j;
	for (i = 1; i <= la; i++) {
		row2[0] = i;
		for (j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca == cb ? 0 : 1;

			d = row1[j] + 1;
			if (row2[j - 1] + 1 < d)
				d = row2[j - 1] + 1;
			if (row1[j - 1] + cost < d)
				d = row1[j - 1] + cost;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && row0[j - 2] + 1 < d)
				d = row0[j - 2] + 1;
			row2[j] = d;
		}
		tmp = row0;
		row0 = row1;
		row1 = row2;
		row2 = tmp;
	}
	d = row1[lb];
	free(row0);
	free(row1);
	free(row2);
	return d;
}

/* Close enough to be a typo of a word of length len. */
static int
near(size_t d, size_t len)
{
	return d > 0 && (d <= 1 || (d <= 2 && len >= 5) || (d <= 3 && len >= 12));
}

const char *
filter_suggest(const char *word, struct arena *a)
{
	const char *best = NULL, *dot;
	size_t i, d, bestd = (size_t)-1;

	for (i = 0; i < NKEYWORDS; i++) {
		d = filter_edit_distance(word, keywords[i].name);
		if (d < bestd) {
			bestd = d;
			best = keywords[i].name;
		}
	}
	for (i = 0; i < sizeof other_words / sizeof other_words[0]; i++) {
		d = filter_edit_distance(word, other_words[i]);
		if (d < bestd) {
			bestd = d;
			best = other_words[i];
		}
	}
	if (best != NULL && near(bestd, strlen(word)))
		return best;
	/* "anotation.user_id": the prefix is a typo of annotation. */
	if ((dot = strchr(word, '.')) != NULL && dot[1] != '\0') {
		char *prefix = arena_strndup(a, word, (size_t)(dot - word));

		d = filter_edit_distance(prefix, "annotation");
		if (near(d, strlen(prefix))) {
			size_t n = strlen("annotation") + strlen(dot) + 1;
			char *s = arena_alloc(a, n);

			memcpy(s, "annotation", 10);
			memcpy(s + 10, dot, strlen(dot) + 1);
			return s;
		}
	}
	return NULL;
}

void
lex_init(struct lexer *lx, const char *src, struct arena *a)
{
	lx->src = src;
	lx->len = strlen(src);
	lx->pos = 0;
	lx->arena = a;
}

int
lex_column(const char *src, size_t off)
{
	size_t i;
	int col = 1;

	for (i = 0; i < off && src[i] != '\0'; i++)
		if (((unsigned char)src[i] & 0xc0) != 0x80)
			col++;
	return col;
}

int
lex_width(const char *src, size_t off, size_t len)
{
	size_t i;
	int w = 0;

	for (i = off; i < off + len && src[i] != '\0'; i++)
		if (((unsigned char)src[i] & 0xc0) != 0x80)
			w++;
	return w > 0 ? w : 1;
}

static int
is_word_start(int c)
{
	return isalpha(c) || c == '_';
}

static int
is_word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

static void
tok_error(struct lexer *lx, struct token *t, size_t off, size_t len, const char *msg)
{
	t->type = T_ERROR;
	t->off = off;
	t->len = len > 0 ? len : 1;
	t->text = msg;
	lx->pos = off;
}

/* A double-quoted string; \" and \\ are escapes, any other backslash stays. */
static void
lex_string(struct lexer *lx, struct token *t)
{
	size_t start = lx->pos, i = start + 1;
	char *out;
	size_t n = 0;

	out = arena_alloc(lx->arena, lx->len - start + 1);
	for (; i < lx->len; i++) {
		char c = lx->src[i];

		if (c == '"') {
			out[n] = '\0';
			t->type = T_STRING;
			t->off = start;
			t->len = i + 1 - start;
			t->text = out;
			lx->pos = i + 1;
			return;
		}
		if (c == '\\' && i + 1 < lx->len && (lx->src[i + 1] == '"' || lx->src[i + 1] == '\\'))
			c = lx->src[++i];
		out[n++] = c;
	}
	tok_error(lx, t, start, 1, "unterminated string: no closing \"");
}

/* -?digits[.digits][e[+-]digits] */
static void
lex_number(struct lexer *lx, struct token *t)
{
	const char *s = lx->src;
	size_t start = lx->pos, i = start;
	char *end;

	if (s[i] == '-' || s[i] == '+')
		i++;
	if (!isdigit((unsigned char)s[i]) && !(s[i] == '.' && isdigit((unsigned char)s[i + 1]))) {
		tok_error(lx, t, start, 1, "malformed number");
		return;
	}
	while (isdigit((unsigned char)s[i]))
		i++;
	if (s[i] == '.') {
		i++;
		if (!isdigit((unsigned char)s[i])) {
			tok_error(lx, t, start, i - start, "malformed number: digits must follow the point");
			return;
		}
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	if (s[i] == 'e' || s[i] == 'E') {
		size_t e = i++;

		if (s[i] == '+' || s[i] == '-')
			i++;
		if (!isdigit((unsigned char)s[i])) {
			tok_error(lx, t, start, e + 1 - start, "malformed number: digits must follow the exponent");
			return;
		}
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	if (is_word_char((unsigned char)s[i])) {
		size_t j = i;

		while (is_word_char((unsigned char)s[j]))
			j++;
		tok_error(lx, t, start, j - start, "malformed number");
		return;
	}
	t->type = T_NUMBER;
	t->off = start;
	t->len = i - start;
	t->text = arena_strndup(lx->arena, s + start, i - start);
	t->number = strtod(t->text, &end);
	if (!isfinite(t->number)) {
		tok_error(lx, t, start, i - start, "number out of range");
		return;
	}
	lx->pos = i;
}

void
lex_next(struct lexer *lx, struct token *t)
{
	const char *s = lx->src;
	size_t p;
	int c;

	memset(t, 0, sizeof *t);
	while (lx->pos < lx->len && isspace((unsigned char)s[lx->pos]))
		lx->pos++;
	p = lx->pos;
	t->off = p;
	t->len = 1;
	if (p >= lx->len) {
		t->type = T_EOF;
		t->len = 0;
		return;
	}
	c = (unsigned char)s[p];
	if (is_word_start(c)) {
		size_t i = p;

		while (i < lx->len && is_word_char((unsigned char)s[i]))
			i++;
		t->type = T_WORD;
		t->len = i - p;
		t->text = arena_strndup(lx->arena, s + p, i - p);
		lx->pos = i;
		return;
	}
	if (isdigit(c) || c == '-' || c == '+' || (c == '.' && isdigit((unsigned char)s[p + 1]))) {
		lex_number(lx, t);
		return;
	}
	lx->pos = p + 1;
	switch (c) {
	case '"':
		lx->pos = p;
		lex_string(lx, t);
		return;
	case '(': t->type = T_LPAREN; return;
	case ')': t->type = T_RPAREN; return;
	case '{': t->type = T_LBRACE; return;
	case '}': t->type = T_RBRACE; return;
	case ',': t->type = T_COMMA; return;
	case ':': t->type = T_COLON; return;
	case '#': t->type = T_HASH; return;
	case '=':
		t->type = T_EQ;
		if (s[p + 1] == '=') {
			tok_error(lx, t, p, 2, "'==' is written '='");
			return;
		}
		return;
	case '!':
		if (s[p + 1] == '=') {
			t->type = T_NE;
			t->len = 2;
			lx->pos = p + 2;
		} else
			t->type = T_BANG;
		return;
	case '<':
		if (s[p + 1] == '=') {
			t->type = T_LE;
			t->len = 2;
			lx->pos = p + 2;
		} else if (s[p + 1] == '>')
			tok_error(lx, t, p, 2, "'<>' is written '!='");
		else
			t->type = T_LT;
		return;
	case '>':
		if (s[p + 1] == '=') {
			t->type = T_GE;
			t->len = 2;
			lx->pos = p + 2;
		} else
			t->type = T_GT;
		return;
	case '\'':
		tok_error(lx, t, p, 1, "strings take double quotes, not single quotes");
		return;
	case '&':
		tok_error(lx, t, p, s[p + 1] == '&' ? 2 : 1, "unexpected '&' (write AND)");
		return;
	case '|':
		tok_error(lx, t, p, s[p + 1] == '|' ? 2 : 1, "unexpected '|' (write OR)");
		return;
	case '[':
	case ']':
		tok_error(lx, t, p, 1, c == '[' ? "unexpected '['" : "unexpected ']'");
		return;
	}
	if (c >= 0x80) {
		size_t n = 1;

		while (((unsigned char)s[p + n] & 0xc0) == 0x80)
			n++;
		tok_error(lx, t, p, n, "unexpected character (outside a string)");
		return;
	}
	if (c < 0x20 || c == 0x7f) {
		tok_error(lx, t, p, 1, "unexpected control character");
		return;
	}
	{
		char *msg = arena_alloc(lx->arena, 32);

		memcpy(msg, "unexpected character 'x'", 25);
		msg[22] = (char)c;
		tok_error(lx, t, p, 1, msg);
	}
}

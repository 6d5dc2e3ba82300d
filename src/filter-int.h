/* filter-int.h - what the filter modules share and nobody else needs: the
 * lexer's tokens and the keyword table. */
#ifndef XRAYTOP_FILTER_INT_H
#define XRAYTOP_FILTER_INT_H

#include <stddef.h>

#include "xraytop/filter.h"

struct arena;

enum tok_type {
	T_EOF,
	T_WORD,       /* keyword, annotation.KEY, AND/OR/..., true/false, unquoted value */
	T_STRING,     /* "..." (value unescaped) */
	T_NUMBER,
	T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_COMMA, T_COLON, T_HASH,
	T_BANG, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_ERROR,      /* text holds the message */
};

struct token {
	enum tok_type	 type;
	size_t		 off;        /* byte offset of the first character */
	size_t		 len;        /* bytes */
	const char	*text;       /* T_WORD: the word; T_STRING: unescaped; T_NUMBER: as written;
	                                T_ERROR: the message (all in the lexer's arena) */
	double		 number;
};

struct lexer {
	const char	*src;
	size_t		 len;
	size_t		 pos;
	struct arena	*arena;
};

void lex_init(struct lexer *lx, const char *src, struct arena *a);
/* The next token; T_ERROR tokens leave pos on the offending character. */
void lex_next(struct lexer *lx, struct token *t);
/* 1-based column in characters (UTF-8 code points) of byte offset off. */
int lex_column(const char *src, size_t off);
/* Characters in bytes [off, off + len). */
int lex_width(const char *src, size_t off, size_t len);

/* Keyword table lookup by name, case-insensitively: 0 and *kw when found. */
int filter_kw_lookup(const char *word, enum filter_kw *kw);
/* Best "did you mean" for an unknown word, or NULL; may return a string
 * built in a (for annotation keys). */
const char *filter_suggest(const char *word, struct arena *a);

/* Deep equality of two rootcause.json values (member order counts). */
int filter_json_equal(const struct filter_json *a, const struct filter_json *b);

#endif

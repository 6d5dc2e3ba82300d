/* filter.h - X-Ray filter expressions: parse, print, bind groups, evaluate.
 *
 * The language is the one GetTraceSummaries and groups accept (xray-api.md
 * section 5; doc/internals/filter.md has every choice made where the AWS
 * documentation is silent):
 *
 *   expr  := or
 *   or    := and { OR and }
 *   and   := unary { [AND] unary }          adjacent terms: an implied AND
 *   unary := "!" unary | "(" expr ")" | term
 *   term  := BOOLKW [ ("=" | "!=") (true | false) ]
 *          | NUMKW  ("=" | "!=" | "<" | "<=" | ">" | ">=") NUMBER
 *          | STRKW  [ ("=" | "!=" | CONTAINS | BEGINSWITH | ENDSWITH) STRING ]
 *          | annotation.KEY [ OP (STRING | NUMBER | true | false) ]
 *          | service "(" [ NODE ] ")" [ "{" expr "}" ]
 *          | edge "(" NODE "," NODE ")" [ "{" expr "}" ]
 *          | (group.name | group.arn) ("=" | "!=") STRING
 *          | rootcause.(fault | error | responsetime).(service | entity | exception) "{" expr "}"
 *          | (rootcause.json | json) "=" "#" JSON-ARRAY
 *   NODE  := STRING | id "(" FIELD { "," FIELD } ")"     FIELD := (name | type | account.id) ":" STRING
 *
 * Keywords, AND, OR, the word operators and true/false are case-insensitive;
 * annotation keys and string values are not.  AND binds tighter than OR.
 *
 * A parsed expression is an AST in its own arena (struct filter).  It is
 * printed back in one canonical form (filter_print), which parses to the
 * same AST.  Before evaluation, group references are bound to the groups'
 * own expressions (filter_bind).  Evaluation works on the model only
 * (store.h, summary.h): the same compiled expression runs over a file, the
 * live store or a fetched page, and keeps no state between calls, so any
 * number of threads may evaluate one filter at once.
 */
#ifndef XRAYTOP_FILTER_H
#define XRAYTOP_FILTER_H

#include <stddef.h>

struct arena;
struct trace;
struct trace_summary;

enum filter_op {
	FOP_NONE,        /* bare keyword: true / present */
	FOP_EQ,
	FOP_NE,
	FOP_LT,
	FOP_LE,
	FOP_GT,
	FOP_GE,
	FOP_CONTAINS,
	FOP_BEGINSWITH,
	FOP_ENDSWITH,
};

enum filter_kw {
	/* boolean keywords */
	FK_OK, FK_ERROR, FK_FAULT, FK_THROTTLE, FK_PARTIAL, FK_INFERRED, FK_ROOT,
	FK_FIRST, FK_LAST, FK_REMOTE,
	/* number keywords */
	FK_RESPONSETIME, FK_DURATION, FK_HTTP_STATUS, FK_INDEX, FK_COVERAGE,
	/* string keywords */
	FK_HTTP_URL, FK_HTTP_METHOD, FK_HTTP_USERAGENT, FK_HTTP_CLIENTIP, FK_USER,
	FK_NAME, FK_TYPE, FK_MESSAGE, FK_AVAILABILITYZONE, FK_INSTANCE_ID,
	FK_RESOURCE_ARN, FK_ACCOUNT_ID,
	FK_COUNT
};

enum filter_kw_class { FKC_BOOL, FKC_NUMBER, FKC_STRING };

enum filter_value_type { FV_NONE, FV_BOOL, FV_NUMBER, FV_STRING };

struct filter_value {
	enum filter_value_type type;
	int		 boolean;
	double		 number;
	const char	*str;           /* FV_STRING: the unescaped text */
	const char	*num_text;      /* FV_NUMBER: the digits as written */
};

/* A JSON value of rootcause.json = #[...]. */
enum filter_json_type { FJ_NULL, FJ_BOOL, FJ_NUMBER, FJ_STRING, FJ_ARRAY, FJ_OBJECT };

struct filter_json {
	enum filter_json_type type;
	const char	*key;           /* member name inside an object, else NULL */
	int		 boolean;
	double		 number;
	const char	*str;           /* FJ_STRING; FJ_NUMBER: the number as written */
	struct filter_json **items;     /* FJ_ARRAY elements, FJ_OBJECT members */
	size_t		 nitems;
};

/* What service() and edge() name: a string, or id(...) with any fields. */
struct filter_nodespec {
	int		 present;       /* 0 for service() */
	int		 is_id;         /* written as id(...) */
	const char	*name;
	const char	*type;
	const char	*account;
};

enum filter_node_type {
	FN_AND,          /* children[] */
	FN_OR,           /* children[] */
	FN_NOT,          /* children[0] */
	FN_KEYWORD,      /* kw [op value] */
	FN_ANNOTATION,   /* annotation.key [op value] */
	FN_SERVICE,      /* service(a) [{ sub }] */
	FN_EDGE,         /* edge(a, b) [{ sub }] */
	FN_GROUP,        /* group.name / group.arn op value; bound: resolved */
	FN_ROOTCAUSE,    /* rootcause.rc_kind.rc_level { sub } */
	FN_RCJSON,       /* rootcause.json = #json */
};

enum filter_rc_kind { FRC_FAULT, FRC_ERROR, FRC_RESPONSETIME };
enum filter_rc_level { FRC_SERVICE, FRC_ENTITY, FRC_EXCEPTION };

struct filter_node {
	enum filter_node_type type;
	int		 column;        /* 1-based column where the node starts */
	struct filter_node **children;  /* FN_AND, FN_OR (two or more), FN_NOT (one) */
	size_t		 nchildren;
	enum filter_kw	 kw;            /* FN_KEYWORD */
	enum filter_op	 op;
	struct filter_value value;
	const char	*key;           /* FN_ANNOTATION */
	struct filter_nodespec a, b;    /* FN_SERVICE (a), FN_EDGE (a -> b) */
	struct filter_node *sub;        /* braces of service, edge, rootcause; or NULL */
	enum filter_rc_kind rc_kind;    /* FN_ROOTCAUSE */
	enum filter_rc_level rc_level;
	int		 by_arn;        /* FN_GROUP: group.arn */
	struct filter_node *resolved;   /* FN_GROUP after filter_bind */
	struct filter_json *json;       /* FN_RCJSON: the array */
};

/* A parse or bind error: the column (1-based, in characters) to underline,
 * how many characters to underline (at least 1), and the message. */
struct filter_error {
	int		 column;
	int		 width;
	size_t		 offset;        /* byte offset of the column */
	char		 message[256];
};

struct filter {
	struct arena	*arena;
	const char	*text;          /* as given */
	struct filter_node *root;
	char		**warnings;     /* accepted but noted ("closing '}' added") */
	size_t		 nwarnings;
	int		 bound;
};

/* Group lookup for filter_bind: the expression text of the group with that
 * name (or ARN, when by_arn), or NULL when there is none. */
struct filter_groups {
	const char	*(*lookup)(void *ctx, const char *key, int by_arn);
	void		*ctx;
};

/* Parse text.  NULL and *err filled on error (err may be NULL). */
struct filter *filter_parse(const char *text, struct filter_error *err);
void filter_free(struct filter *f);
/* Resolve every group.name / group.arn through groups (NULL: none known),
 * parsing the groups' expressions; 0, or -1 with *err (an unknown group, an
 * error in a group's expression, a group that refers to itself). */
int filter_bind(struct filter *f, const struct filter_groups *groups, struct filter_error *err);

/* The canonical text (heap, the caller frees): keywords in lower case as
 * documented, AND/OR/CONTAINS/... upper case, implied ANDs written out, one
 * space around binary operators, strings double-quoted, parentheses only
 * where precedence needs them. */
char *filter_print(const struct filter *f);
char *filter_print_node(const struct filter_node *n);
/* Structural equality of two ASTs (columns ignored). */
int filter_node_equal(const struct filter_node *a, const struct filter_node *b);

/* Keyword name <-> enum (names as documented, lower case). */
const char *filter_kw_name(enum filter_kw kw);
enum filter_kw_class filter_kw_class(enum filter_kw kw);

/* Evaluate a bound filter on an assembled trace: 1 when it matches. */
int filter_match(const struct filter *f, const struct trace *t);
/* Evaluate on a trace summary (GetTraceSummaries): 1, 0, or -1 when the
 * expression needs what a summary does not hold (segments, edges, root
 * causes of service/edge sub-filters and rootcause keywords). */
int filter_match_summary(const struct filter *f, const struct trace_summary *s);

/* Nonzero when evaluating f reads exceptions (message, root causes): the
 * documents must then be decoded with their cause blocks (not JSON_LEAN). */
int filter_needs_causes(const struct filter *f);

/* Damerau-Levenshtein distance (for "did you mean"); exposed for tests. */
size_t filter_edit_distance(const char *a, const char *b);

#endif

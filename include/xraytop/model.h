/* model.h - xraytop's one model of X-Ray data: plain C structs, no library types.
 *
 * A segment document (a segment or an independent subsegment) decodes into a
 * tree of struct segment.  Subsegments are the same struct, nested through
 * children/next.  Every pointer inside a segment tree (strings, arrays,
 * children) points into the arena the tree was built in: the tree has no
 * owner of its own and dies with its arena (see arena.h, store.h).
 *
 * Absent strings are NULL; absent numbers use the sentinels documented per
 * field.  Timestamps are epoch seconds as doubles (the SDKs write them in
 * several notations: 1700000000.123456, 1.700000000123456E9, 1700000001).
 */
#ifndef XRAYTOP_MODEL_H
#define XRAYTOP_MODEL_H

#include <stddef.h>

struct arena;

/* Segment flags. */
#define SEG_ERROR        0x0001u  /* "error": true (4xx; also set with throttle) */
#define SEG_FAULT        0x0002u  /* "fault": true (5xx) */
#define SEG_THROTTLE     0x0004u  /* "throttle": true (429) */
#define SEG_IN_PROGRESS  0x0008u  /* "in_progress": true, or no end_time */
#define SEG_INFERRED     0x0010u  /* "inferred": true (added by the X-Ray service) */
#define SEG_INDEPENDENT  0x0020u  /* top-level document with "type": "subsegment" */
#define SEG_SUBSEGMENT   0x0040u  /* a subsegment (nested or independent) */
#define SEG_TRACED       0x0080u  /* "traced": true (top level or http.request) */
#define SEG_XFF          0x0100u  /* http.request.x_forwarded_for */

enum anno_type { ANNO_STRING, ANNO_NUMBER, ANNO_BOOL };

/* One annotation: key -> string | number | boolean. */
struct annotation {
	const char	*key;
	enum anno_type	 type;
	const char	*str;      /* ANNO_STRING */
	double		 num;      /* ANNO_NUMBER */
	int		 boolean;  /* ANNO_BOOL */
};

/* A flattened key/value pair for blocks shown as-is ("ec2.instance_id"). */
struct field {
	const char	*key;
	const char	*value;    /* scalar as text; objects/arrays as compact JSON */
};

struct stack_frame {
	const char	*path;
	const char	*label;
	int		 line;     /* 0 when absent */
};

struct exception {
	const char	*id;
	const char	*message;
	const char	*type;
	const char	*cause;     /* id of the parent exception, or NULL */
	int		 remote;
	int		 truncated; /* frames omitted, 0 when absent */
	int		 skipped;   /* exceptions skipped, 0 when absent */
	struct stack_frame *stack;
	size_t		 nstack;
};

/* "cause": either a bare exception id, or an object. */
struct cause {
	const char	*exception_id;      /* set for the bare-id form only */
	const char	*working_directory;
	const char	**paths;
	size_t		 npaths;
	struct exception *exceptions;
	size_t		 nexceptions;
};

struct http_info {
	const char	*method;
	const char	*url;
	const char	*user_agent;
	const char	*client_ip;
	int		 status;            /* http.response.status, 0 when absent */
	long long	 content_length;    /* -1 when absent */
};

struct aws_info {
	const char	*operation;
	const char	*table_name;
	const char	*region;
	const char	*request_id;
	const char	*account_id;
	const char	*queue_url;
	const char	*function_name;
	const char	*instance_id;        /* aws.ec2.instance_id */
	const char	*availability_zone;  /* aws.ec2.availability_zone */
	int		 retries;            /* -1 when absent */
	struct field	*fields;             /* every aws field, flattened, in order */
	size_t		 nfields;
};

struct sql_info {
	const char	*url;
	const char	*connection_string;
	const char	*sanitized_query;
	const char	*database_type;
	const char	*database_version;
	const char	*driver_version;
	const char	*user;
	const char	*preparation;
};

struct segment {
	const char	*name;
	const char	*id;            /* 16 hex digits */
	const char	*trace_id;      /* inherited from the document for nested subsegments */
	const char	*parent_id;     /* NULL on roots and nested subsegments without one */
	const char	*origin;        /* segments: AWS::EC2::Instance ... */
	const char	*namespace;     /* subsegments: aws | remote | local */
	const char	*user;
	const char	*resource_arn;
	double		 start_time;
	double		 end_time;      /* 0 when in progress */
	unsigned	 flags;         /* SEG_* */

	struct http_info *http;         /* NULL when no "http" block */
	struct aws_info	*aws;           /* NULL when no "aws" block */
	struct sql_info	*sql;           /* NULL when no "sql" block */
	struct cause	*cause;         /* NULL when no "cause" */

	struct annotation *annotations;
	size_t		 nannotations;
	const char	*metadata;      /* compact JSON text of "metadata", or NULL */
	struct field	*service;       /* the "service" block, flattened */
	size_t		 nservice;
	const char	**precursor_ids;
	size_t		 nprecursors;

	struct segment	*parent;        /* enclosing entity; NULL for a top-level document */
	struct segment	*children;      /* first subsegment */
	struct segment	*last_child;
	struct segment	*next;          /* next sibling */
	size_t		 nchildren;

	const char	*raw;           /* the document's JSON text (top level only), or NULL */
	size_t		 raw_len;
};

/* Whole request classes, as the service map counts them: fault first, then
 * throttle (which is also an error), then error, else ok. */
enum req_class { REQ_OK, REQ_ERROR, REQ_THROTTLE, REQ_FAULT };

enum req_class segment_class(const struct segment *s);
/* end_time - start_time, or 0 for an in-progress entity. */
double segment_duration(const struct segment *s);
/* Deep copy of a tree into another arena; parent of the copy is set to parent. */
struct segment *segment_copy(const struct segment *s, struct arena *a, struct segment *parent);
/* Append child (already allocated in the same arena as s) to s's children. */
void segment_append_child(struct segment *s, struct segment *child);
/* Depth-first search of the tree for an entity with this id, or NULL (no
 * recursion: trees of any depth). */
struct segment *segment_find(struct segment *s, const char *id);
/* Number of entities in the tree, s included. */
size_t segment_count(const struct segment *s);
/* The annotation with this key on this entity, or NULL. */
const struct annotation *segment_annotation(const struct segment *s, const char *key);

#endif

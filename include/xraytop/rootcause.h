/* rootcause.h - one trace as a graph of services, and its root causes.
 *
 * A trace graph (struct tgraph) indexes an assembled trace: every entity
 * (segment, subsegment, independent subsegment), which entity called which
 * (a segment's parent_id names the calling subsegment, or segment, found
 * anywhere in the trace), the trace's service nodes and its edges, the way
 * the service map sees them (svcmap.h):
 *  - a node per segment document (name, origin; "" when none), inferred
 *    segment documents excepted;
 *  - an inferred node per complete aws/remote subsegment that no
 *    non-inferred segment names as its parent: (table_name,
 *    AWS::DynamoDB::Table), (name, AWS::<name>), (name, Database::SQL) when it
 *    has a sql block, else (name, remote);
 *  - edges: client -> root-level segments; caller's node -> segment, carried
 *    by the calling subsegment (the caller's view) or by the segment when a
 *    segment calls it directly; caller's node -> inferred node, carried by
 *    the calling subsegment.
 *
 * Root causes are derived from the graph the way X-Ray reports them in
 * GetTraceSummaries (FaultRootCauses, ErrorRootCauses,
 * ResponseTimeRootCauses); doc/internals/filter.md says how, and where the
 * result can differ from the service's:
 *  - fault (error): every entity with the fault (error) flag none of whose
 *    callees or subsegments has it is a culprit; its root cause is the path
 *    of services from the root segment down to it, each service with the
 *    entities of that service on the path (EntityPath), the culprit's
 *    exceptions on the entities that recorded them; a culprit that is a call
 *    to an inferred node adds that node as the last service (Inferred);
 *  - response time: from the root segment, descend into the slowest callee
 *    or subsegment while it takes at least half of its caller's time; one
 *    root cause, each entity with Coverage = its time / the root's (and no
 *    exceptions, as in X-Ray's ResponseTimeRootCauses).
 * Everything lives in the arena given.  Pure: no I/O, no globals.
 */
#ifndef XRAYTOP_ROOTCAUSE_H
#define XRAYTOP_ROOTCAUSE_H

#include <stddef.h>

struct arena;
struct segment;
struct trace;
struct exception;

struct tg_node {
	const char	*name;
	const char	*type;          /* "" when none */
	const char	*account;       /* aws.account_id of a segment of the node, or NULL */
	int		 inferred;
	int		 client;        /* the client node (callers of the root) */
	size_t		*ents;          /* entities of the node: its segments, or the calls */
	size_t		 nents;
};

struct tg_edge {
	size_t		 src;           /* node indices */
	size_t		 dst;
	size_t		 ent;           /* the entity that carries it */
};

struct tg_ent {
	const struct segment *s;
	long		 up;            /* enclosing entity, or the caller of a segment; -1 */
	long		 seg;           /* the segment document the entity is part of; -1 */
	long		 node;          /* node of a segment document, or inferred node a call reaches */
	size_t		*down;          /* nested subsegments, then segments it calls */
	size_t		 ndown;
	int		 called;        /* some non-inferred segment names it as parent */
};

struct tgraph {
	const struct trace *t;
	const struct segment *root;
	long		 root_ent;      /* -1 without a root */
	struct tg_ent	*ents;
	size_t		 nents;
	struct tg_node	*nodes;         /* the client node is 0 */
	size_t		 nnodes;
	struct tg_edge	*edges;
	size_t		 nedges;
};

/* Index t in arena a (never NULL). */
struct tgraph *tgraph_build(const struct trace *t, struct arena *a);
/* The entity with this id, or -1. */
long tgraph_find(const struct tgraph *g, const char *id);
/* The node type an aws/remote call reaches: written into buf when built. */
const char *tgraph_call_type(const struct segment *s, char *buf, size_t len);
/* The node name an aws/remote call reaches. */
const char *tgraph_call_name(const struct segment *s);

enum rc_kind { RC_FAULT, RC_ERROR, RC_RESPONSETIME };

struct rc_exception {
	const char	*name;          /* the exception's type */
	const char	*message;
	int		 remote;
};

struct rc_entity {
	const char	*name;
	double		 coverage;      /* response time: entity time / root time; else -1 */
	int		 remote;        /* an aws/remote call, or an inferred node */
	struct rc_exception *exceptions;
	size_t		 nexceptions;
	const struct segment *s;        /* NULL for an inferred node */
};

struct rc_service {
	const char	*name;
	const char	*type;
	const char	*account;
	int		 inferred;
	struct rc_entity *path;         /* EntityPath */
	size_t		 npath;
};

struct root_cause {
	struct rc_service *services;    /* from the root's service down to the culprit's */
	size_t		 nservices;
	int		 client_impacting;
};

/* The root causes of kind in g, into arena a; returns how many (*out may be
 * NULL when 0). */
size_t rootcause_derive(const struct tgraph *g, enum rc_kind kind, struct arena *a,
    struct root_cause **out);

#endif

/* svcmap.h - the service map, built incrementally with X-Ray's semantics.
 *
 * Feed it top-level documents one at a time, in any order (svcmap_add); it
 * keeps per node and per edge statistics that always equal what a full
 * rebuild from the same documents would give.  The rules (see doc/xraytop.1
 * and the bench README's "Service-map semantics"):
 *
 *  - documents that are in progress, or inferred, are not counted;
 *  - a node per segment (name, origin; "" when no origin); a "client" node
 *    (type "client") for the callers of root segments;
 *  - an inferred node per aws/remote subsegment X whose id is no segment's
 *    parent_id in the same trace: DynamoDB tables (table_name,
 *    AWS::DynamoDB::Table), other AWS calls (name, AWS::<name>), SQL
 *    databases (name, Database::SQL), other remote calls (name, remote);
 *  - edges: root segment -> client->N with the segment's statistics; a
 *    segment whose parent is an aws/remote subsegment X of node P -> P->N
 *    with X's statistics (the caller's view); a segment whose parent is a
 *    segment P -> P->N with its own; a parent not (yet) seen -> client->N
 *    until it arrives; inferred node I from X in P -> P->I with X's;
 *  - independent subsegments ("type": "subsegment") are part of the segment
 *    their parent_id leads to and count once that segment is known;
 *  - the same (trace_id, id) seen again replaces what was counted for it.
 *
 * Links are resolved by (trace_id, id), both compared exactly as written
 * (as the trace view does: "00AB..." and "00ab..." are two ids).
 * Statistics of the client node are the sum of its outgoing edges (kept in
 * step with them, never counted on their own).  Memory: 48 bytes per
 * entity of every counted document (all subsegments, since any can be the
 * parent of an independent subsegment), a 4-byte id-table slot per ~0.5
 * entity, and 8 bytes per counted request latency; limit 2^27 - 2
 * entities.  Node and edge indices are stable for the life of the map;
 * nodes are never removed, but a node or edge can drop to a count of 0
 * when what made it is reclassified (svcmap_node_visible).
 *
 * Live use bounds memory: svcmap_forget_traces drops the records of whole
 * traces while what they counted stays in the nodes and edges, so the map
 * equals a rebuild from the documents of the remembered traces plus the
 * frozen contribution of the forgotten ones; a later document of a
 * forgotten trace is linked as if its trace were new.  svcmap_set_sample_cap
 * bounds the latencies kept per node and edge (stats_limit).
 *
 * The map can also be loaded from GetServiceGraph output (svcmap_load_graph),
 * which fills the same structures from the service's statistics and
 * histograms instead of from documents.
 */
#ifndef XRAYTOP_SVCMAP_H
#define XRAYTOP_SVCMAP_H

#include <stddef.h>
#include <stdint.h>

#include "xraytop/model.h"
#include "xraytop/stats.h"

enum node_kind {
	NODE_SERVICE,    /* from segment documents */
	NODE_CLIENT,     /* the "client" node */
	NODE_INFERRED,   /* from aws/remote subsegments, or inferred segments */
};

struct svc_node {
	const char	*name;     /* owned by the map */
	const char	*type;     /* origin, "client", AWS::DynamoDB::Table, ... ("" when none) */
	enum node_kind	 kind;
	int		 root;     /* receives requests from the client */
	struct stats	 stats;
};

struct svc_edge {
	size_t		 source;   /* node index */
	size_t		 target;   /* node index */
	struct stats	 stats;
};

/* Counters of what svcmap_add saw (for the map's "input" block).  Every
 * document lands in exactly one of segments, independent, in_progress,
 * inferred or duplicates, so documents is their sum. */
struct svcmap_input {
	uint64_t	 documents;     /* every document given */
	uint64_t	 segments;      /* segment documents counted (first copies) */
	uint64_t	 subsegments;   /* subsegments at any depth in the current copies of the
	                                   counted documents, independent ones themselves included */
	uint64_t	 in_progress;   /* skipped: in progress */
	uint64_t	 inferred;      /* skipped: inferred */
	uint64_t	 independent;   /* independent subsegment documents counted (first copies) */
	uint64_t	 duplicates;    /* documents that replaced an earlier copy */
};

/* A service of GetServiceGraph output, as decoded (no library types). */
struct graph_hist {
	double		 value;
	uint32_t	 count;
};

struct graph_stats {
	int		 present;       /* 0 when the block was absent (client node) */
	uint64_t	 ok, error, throttle, fault, total;
	double		 total_response_time;
};

struct graph_edge {
	int		 reference_id;  /* the target service's ReferenceId */
	double		 start_time, end_time;
	struct graph_stats stats;
	struct graph_hist *histogram;   /* ResponseTimeHistogram */
	size_t		 nhistogram;
};

struct graph_service {
	int		 reference_id;
	const char	*name;
	const char	*type;
	const char	*account_id;
	const char	*state;
	int		 root;
	double		 start_time, end_time;
	struct graph_stats stats;
	struct graph_hist *histogram;   /* ResponseTimeHistogram */
	size_t		 nhistogram;
	struct graph_edge *edges;
	size_t		 nedges;
};

struct svcmap;

struct svcmap *svcmap_new(void);
void svcmap_free(struct svcmap *m);
/* Count one top-level document (a segment or an independent subsegment).
 * The map copies what it needs; doc may be freed after the call. */
void svcmap_add(struct svcmap *m, const struct segment *doc);
/* Merge GetServiceGraph services (one page or several) into the map.  Every
 * service of type "client" is the one client node; an edge whose target
 * ReferenceId is not known yet waits for a later page (skipped if none). */
void svcmap_load_graph(struct svcmap *m, const struct graph_service *svcs, size_t n);

/* Forget the link records of these traces (unknown ids are ignored); their
 * counts stay.  One pass over every record: give many ids at once.  Returns
 * how many traces were forgotten. */
size_t svcmap_forget_traces(struct svcmap *m, const char *const *ids, size_t n);
/* Entity records in use, and traces known (for memory accounting and tests). */
size_t svcmap_records(const struct svcmap *m);
size_t svcmap_ntraces(const struct svcmap *m);
/* Bound the latencies of every node and edge (stats_limit; 0: no bound,
 * the default): past max requests, its percentiles become approximate. */
void svcmap_set_sample_cap(struct svcmap *m, size_t max);

/* Nodes are made when something is first counted in them: 0 means none. */
size_t svcmap_nnodes(const struct svcmap *m);
struct svc_node *svcmap_node(struct svcmap *m, size_t i);
size_t svcmap_nedges(const struct svcmap *m);
struct svc_edge *svcmap_edge(struct svcmap *m, size_t i);
/* Index of node (name, type), or -1. */
long svcmap_find_node(const struct svcmap *m, const char *name, const char *type);
/* Index of edge source -> target, or -1. */
long svcmap_find_edge(const struct svcmap *m, size_t source, size_t target);
/* Nonzero when the node has requests or an edge with requests. */
int svcmap_node_visible(struct svcmap *m, size_t i);
/* Node indices with a count (or an edge), sorted by (name, type); returns
 * how many were written to out (sized svcmap_nnodes). */
size_t svcmap_sorted_nodes(struct svcmap *m, size_t *out);
/* Edge indices with a count, sorted by (source name, type, target name, type). */
size_t svcmap_sorted_edges(struct svcmap *m, size_t *out);
const struct svcmap_input *svcmap_input(const struct svcmap *m);
/* The data's time window: earliest start and latest end counted (entities of
 * counted documents, or GetServiceGraph times; it never shrinks).  The
 * per-stats first/last are left at 0 for maps built from documents. */
void svcmap_window(const struct svcmap *m, double *start, double *end);
/* Requests per minute of st over the map's window (0 when the window is empty). */
double svcmap_rate(const struct svcmap *m, const struct stats *st);

#endif

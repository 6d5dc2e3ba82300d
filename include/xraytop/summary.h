/* summary.h - one line per trace: what a trace list shows and filters on.
 *
 * A summary is computed from an assembled trace (summary_from_trace) or
 * decoded from GetTraceSummaries output (json-in.h), and has the same shape
 * either way.  Strings are owned by the arena given at creation.
 *
 * From a trace: the root request (trace_root) gives method, URL, status,
 * user agent, client IP, user, response time (root end - start) and the
 * error/fault/throttle flags (the root segment's own flags); duration is the
 * latest end - the earliest start over every document; services are the
 * distinct (name, origin) pairs of the non-inferred segment documents, the
 * root's first, then by start time (type NULL when there is no origin);
 * annotations are the distinct (key, type, value) triples over every segment
 * and subsegment, sorted by key, type, value.  SUM_PARTIAL: a segment or
 * independent subsegment document is in progress, or an independent
 * subsegment still waits for its parent (which the SDK sends when it closes).
 */
#ifndef XRAYTOP_SUMMARY_H
#define XRAYTOP_SUMMARY_H

#include <stddef.h>

#include "xraytop/model.h"

struct arena;
struct trace;

#define SUM_ERROR     0x01u
#define SUM_FAULT     0x02u
#define SUM_THROTTLE  0x04u
#define SUM_PARTIAL   0x08u   /* some document still in progress */

struct service_id {
	const char	*name;
	const char	*type;
};

struct trace_summary {
	const char	*id;
	double		 start;          /* earliest start_time */
	double		 duration;       /* seconds; -1 when unknown */
	double		 response_time;  /* seconds; -1 when unknown */
	const char	*method;
	const char	*url;
	const char	*user_agent;
	const char	*client_ip;
	const char	*user;
	int		 status;         /* 0 when unknown */
	unsigned	 flags;          /* SUM_* */
	struct service_id root;          /* entry point; name NULL when unknown */
	struct service_id *services;
	size_t		 nservices;
	struct annotation *annotations;  /* distinct (key, type, value) */
	size_t		 nannotations;
	size_t		 nsegments;      /* segment documents, 0 for API summaries */
};

/* Fill out from an assembled trace; strings are copied into a. */
void summary_from_trace(struct trace_summary *out, const struct trace *t, struct arena *a);
/* A copy of s in d whose strings and arrays all live in a. */
void summary_copy(struct trace_summary *d, const struct trace_summary *s, struct arena *a);
/* qsort comparators: by response time descending, by start ascending, by id. */
int summary_cmp_response(const void *a, const void *b);
int summary_cmp_start(const void *a, const void *b);
int summary_cmp_id(const void *a, const void *b);

#endif

/* aws.h - the AWS X-Ray API: a polite, retrying client and its operations.
 *
 * The client (aws.c) sends X-Ray calls (rest-json: POST PATH with a JSON
 * body) through http.h, signed with SigV4 for the resolved region, with the
 * credentials of creds.h.  It is polite and persistent:
 *  - a client-side rate limit: at most `rate` calls (rounded down; one
 *    call every 1/rate s below 1) are started in any window of 1.1 s (the
 *    0.1 s absorbs the network bunching requests up, so that the service
 *    never sees more than `rate` in one second), and at
 *    most `max_inflight` at once; after a throttle the rate used is halved
 *    and climbs back slowly (never above `rate`);
 *  - retries, like the AWS SDKs', for throttling (HTTP 429 and the throttle
 *    error codes), 5xx, transport errors (resets, bodies cut short) and
 *    timeouts (the whole attempt, or a stall: less than 1 byte/s for
 *    stall_timeout), and 200 answers whose body is not a whole JSON object:
 *    exponential backoff with full jitter, delay = uniform(0, min(cap,
 *    base * 2^attempt)), at most `max_attempts` attempts.  An answer over
 *    HTTP_MAX_BODY is not retried (the same question gets the same answer);
 *  - a request refused for its time (clock skew: "Signature expired",
 *    RequestTimeTooSkewed, ...) is not retried either: curl signs with this
 *    machine's clock, so the error says by how much it is off from the
 *    answer's Date header;
 *  - an expired security token refreshes the credentials and retries;
 *    temporary credentials are refreshed on a worker thread 10 minutes
 *    before they expire, without stopping calls that are in flight;
 *  - errors that will not go away by retrying come back as one clear
 *    message: access denied names the IAM action that is missing.
 *
 * The operations (aws-ops.c) are jobs made of many calls: paging until no
 * NextToken, GetTraceSummaries windows split into chunks and capped,
 * BatchGetTraces five ids a call with many calls in flight and
 * UnprocessedTraceIds asked again, Transaction Search retrieval when the
 * account sends traces to CloudWatch Logs.  What they fetch goes to a sink
 * (sink.h) and to typed callbacks; progress is reported after every page;
 * a job can be cancelled at any time.  Everything runs on the loop's thread.
 */
#ifndef XRAYTOP_AWS_H
#define XRAYTOP_AWS_H

#include <stddef.h>
#include <stdint.h>

#include "xraytop/sink.h"

struct loop;
struct json_page;
struct xray_group;
struct sampling_rule;
struct sampling_stat;
struct ts_point;

#define AWS_DEFAULT_RATE	20.0    /* calls per second */
#define AWS_DEFAULT_INFLIGHT	8
#define AWS_DEFAULT_ATTEMPTS	8
#define AWS_DEFAULT_TIMEOUT	30.0    /* seconds per attempt */
#define AWS_DEFAULT_STALL	20.0    /* seconds without a byte before an attempt is given up */
#define AWS_MAX_SKEW		300.0   /* seconds AWS lets a request's time be off */
#define AWS_DEFAULT_LIMIT	1000    /* trace summaries, as the console */
#define AWS_RETENTION		(30 * 86400.0)  /* X-Ray keeps 30 days */
#define AWS_SUMMARY_CHUNK	(6 * 3600.0)    /* longest GetTraceSummaries window sent */
#define AWS_BATCH_IDS		5       /* BatchGetTraces ids per call */
#define AWS_RETRIEVAL_IDS	100     /* StartTraceRetrieval ids per call */

struct aws_opts {
	const char	*region;        /* --region (NULL: the chain of region.h) */
	const char	*profile;       /* --profile */
	const char	*endpoint;      /* --endpoint-url */
	double		 rate;          /* calls per second (0: AWS_DEFAULT_RATE) */
	int		 max_inflight;  /* 0: AWS_DEFAULT_INFLIGHT */
	int		 max_attempts;  /* 0: AWS_DEFAULT_ATTEMPTS */
	double		 timeout;       /* per attempt (0: AWS_DEFAULT_TIMEOUT) */
	double		 stall_timeout; /* an attempt during which less than 1 byte/s
	                                 * came for this long fails (0: AWS_DEFAULT_STALL,
	                                 * or the timeout when that is shorter) */
	double		 backoff_base;  /* seconds (0: 0.25) */
	double		 backoff_cap;   /* seconds (0: 20) */
};

/* Counters of the client's work (for progress, logs and tests). */
struct aws_counters {
	unsigned long	 calls;         /* calls asked for */
	unsigned long	 attempts;      /* HTTP requests sent */
	unsigned long	 retries;
	unsigned long	 throttles;     /* throttled answers */
	unsigned long	 server_errors; /* 5xx answers */
	unsigned long	 network_errors;/* transport failures, timeouts, cut bodies */
	unsigned long	 refreshes;     /* credential refreshes */
	unsigned long	 failed;        /* calls that failed for good */
	double		 rate_used;     /* the current (adaptive) rate */
};

/* The final outcome of one call, after retries. */
struct aws_result {
	int		 ok;            /* a 2xx answer with a JSON object */
	long		 status;        /* HTTP status of the last attempt (0: none) */
	const char	*body;          /* the answer's body */
	size_t		 len;
	const struct json_page *page;   /* its paging/status members (NULL when not JSON) */
	const char	*code;          /* error code: "AccessDeniedException", "NetworkError", ... */
	const char	*message;       /* when !ok: a complete message for people */
	int		 attempts;
};

typedef void (*aws_call_fn)(void *ctx, const struct aws_result *r);

struct aws;

/* Resolve region, endpoint and credentials (blocking: before the loop
 * runs) and make a client on loop lp.  NULL with the reason in err. */
struct aws *aws_new(struct loop *lp, const struct aws_opts *o, char *err, size_t errlen);
void aws_free(struct aws *a);
const char *aws_region(const struct aws *a);
const char *aws_region_source(const struct aws *a);
const char *aws_endpoint(const struct aws *a);
const char *aws_creds_source(const struct aws *a);
const struct aws_counters *aws_counters(const struct aws *a);
struct loop *aws_loop(const struct aws *a);

/* Call operation (e.g. "GetGroups") at path ("/Groups") with a JSON body
 * (NULL: an empty body).  cb runs once with the final result.  Returns the
 * call's id. */
uint64_t aws_call(struct aws *a, const char *operation, const char *path, const char *body,
    aws_call_fn cb, void *ctx);
/* Forget a call (no callback); unknown ids are ignored. */
void aws_cancel(struct aws *a, uint64_t id);
/* Calls not finished. */
size_t aws_pending(const struct aws *a);
/* Where the account sends traces, once a job asked (GetTraceSegmentDestination):
 * 0 not known yet, 1 X-Ray, 2 CloudWatch Logs (Transaction Search). */
int aws_destination(const struct aws *a);
void aws_set_destination(struct aws *a, int dest);

/* ---------------------------------------------------------------- operations */

struct aws_progress {
	const char	*what;          /* "GetTraceSummaries", ... */
	unsigned long	 pages;         /* answers used */
	unsigned long	 calls;
	unsigned long	 retries;
	unsigned long	 throttles;
	unsigned long long scanned;     /* TracesProcessedCount, summed */
	unsigned long	 summaries;     /* summaries delivered (matched) */
	unsigned long	 traces_wanted; /* full traces asked for */
	unsigned long	 traces_done;   /* ... delivered */
	unsigned long	 traces_missing;/* ... that the service did not have */
	unsigned long	 bad;           /* documents or entries that could not be used */
	char		 bad_first[256];/* "OPERATION: what was wrong" with the first */
	double		 window_done;   /* 0..1 of the time window covered */
};

/* How a job ended. */
enum aws_status {
	AWS_DONE = 0,                   /* everything fetched */
	AWS_PARTIAL = 1,                /* fetched, but some calls failed for good */
	AWS_FAILED = 2,                 /* nothing usable (error says why) */
	AWS_CANCELLED = 3,
};

struct aws_handlers {
	void		*ctx;
	const struct sink *sink;        /* documents, summaries, graph pages */
	unsigned	 json_opts;     /* for json_decode: JSON_KEEP_RAW, JSON_LEAN */
	/* Each answer page as received (compact JSON, one value), for --save. */
	void		(*page)(void *ctx, const char *operation, const char *body, size_t len);
	void		(*groups)(void *ctx, const struct xray_group *g, size_t n);
	void		(*rules)(void *ctx, const struct sampling_rule *r, size_t n);
	void		(*rule_stats)(void *ctx, const struct sampling_stat *s, size_t n);
	void		(*timeseries)(void *ctx, const struct ts_point *p, size_t n);
	void		(*progress)(void *ctx, const struct aws_progress *p);
	/* Once, at the end.  error is "" for AWS_DONE. */
	void		(*done)(void *ctx, enum aws_status st, const char *error);
};

struct aws_query {
	double		 start, end;    /* epoch seconds */
	const char	*group;         /* GroupName (graph, time series) */
	const char	*filter;        /* FilterExpression: only text the local parser accepted */
	const char	*time_range;    /* "TraceId" (default), "Event" or "Service" */
	long		 limit;         /* summaries: at most this many, newest first (0: no cap) */
	int		 full;          /* summaries: also fetch every trace (BatchGetTraces) */
	double		 chunk;         /* summaries: longest window per call (0: AWS_SUMMARY_CHUNK) */
	const char	*selector;      /* time series: EntitySelectorExpression */
	int		 period;        /* time series: Period in seconds (0: not sent) */
};

struct aws_job;

struct aws_job *aws_fetch_graph(struct aws *a, const struct aws_query *q, const struct aws_handlers *h);
struct aws_job *aws_fetch_summaries(struct aws *a, const struct aws_query *q, const struct aws_handlers *h);
/* Full traces by id; q (may be NULL) gives the window for Transaction
 * Search retrieval (default: around each id's time). */
struct aws_job *aws_fetch_traces(struct aws *a, const char *const *ids, size_t n,
    const struct aws_query *q, const struct aws_handlers *h);
struct aws_job *aws_fetch_groups(struct aws *a, const struct aws_handlers *h);
/* Sampling rules and their statistics. */
struct aws_job *aws_fetch_sampling(struct aws *a, const struct aws_handlers *h);
struct aws_job *aws_fetch_timeseries(struct aws *a, const struct aws_query *q, const struct aws_handlers *h);
/* Stop the job: its calls are dropped and done(AWS_CANCELLED) runs. */
void aws_job_cancel(struct aws_job *j);
/* Free a job (cancelled silently if still running).  Not from its callbacks. */
void aws_job_free(struct aws_job *j);
int aws_job_finished(const struct aws_job *j);
const struct aws_progress *aws_job_progress(const struct aws_job *j);

/* The epoch seconds of a trace id's time part (1-5759e988-...); -1 if not one. */
double aws_trace_id_time(const char *id);

#endif

/* json-in.h - JSON text -> model.  With json-out.c, the only code that uses cJSON.
 *
 * json_decode takes one complete JSON value and recognises what it is:
 *  - a segment document (has "trace_id"/"id"/"name"), or an independent
 *    subsegment ("type": "subsegment");
 *  - a daemon datagram header {"format":"json","version":1} (any spacing);
 *  - a wrapped datagram {"datagram": "HEADER\nDOCUMENT"};
 *  - a BatchGetTraces page {"Traces":[{"Id","Segments":[{"Id","Document"}]}]}
 *    where each Document is a JSON string holding a segment document
 *    (ListRetrievedTraces pages in XRAY format, with "Spans" for
 *    "Segments", are read the same way);
 *  - a GetTraceSummaries page {"TraceSummaries":[...]};
 *  - a GetServiceGraph page {"Services":[...]}.
 * Whatever it holds is delivered to the sink; documents are decoded into the
 * scratch arena, which the caller resets when it likes (after the call at
 * the earliest).  A page with some bad documents delivers the good ones and
 * counts the bad ones (json_result.bad, first error kept).
 *
 * Thread-safe: several threads may decode at once, each with its own arena.
 */
#ifndef XRAYTOP_JSON_IN_H
#define XRAYTOP_JSON_IN_H

#include <stddef.h>

#include "xraytop/sink.h"

struct arena;
struct segment;

enum json_kind {
	JSON_KIND_INVALID,      /* not JSON, or not a shape we know */
	JSON_KIND_SEGMENT,      /* a segment or independent subsegment document */
	JSON_KIND_HEADER,       /* a daemon datagram header */
	JSON_KIND_DATAGRAM,     /* {"datagram": "..."} */
	JSON_KIND_BATCH,        /* BatchGetTraces */
	JSON_KIND_SUMMARIES,    /* GetTraceSummaries */
	JSON_KIND_GRAPH,        /* GetServiceGraph */
};

struct json_result {
	unsigned long	 documents;   /* segment documents delivered */
	unsigned long	 summaries;   /* summaries delivered */
	unsigned long	 services;    /* graph services delivered */
	unsigned long	 bad;         /* documents or entries that could not be used */
	size_t		 offset;      /* byte offset of the first error in text */
	char		 error[256];  /* first error, "" when none */
};

/* Options for json_decode. */
#define JSON_KEEP_RAW  0x1u   /* keep each document's text in segment.raw */
#define JSON_LEAN      0x2u   /* only what the map and filters read: no cause,
                               * metadata, service, precursor_ids, nor
                               * aws.fields (the named aws fields stay) */

enum json_kind json_decode(const char *text, size_t len, struct arena *scratch,
    unsigned opts, const struct sink *sink, struct json_result *res);

/* Decode one segment document into a tree in arena a.  On failure returns
 * NULL and writes a message (and the byte offset, if offset is not NULL). */
struct segment *json_decode_segment(const char *text, size_t len, struct arena *a,
    unsigned opts, char *err, size_t errlen, size_t *offset);

/* Nonzero when text is a valid daemon header: "format" equal to "json"
 * (case-insensitive) and "version" the integer 1. */
int json_is_header(const char *text, size_t len);

/* Split a datagram (HEADER "\n" DOCUMENT) and decode the document.  Returns
 * NULL with a reason ("no header", "bad header", "invalid JSON: ...",
 * "no id", "no trace_id", ...) when it cannot be used. */
struct segment *json_decode_datagram(const char *data, size_t len, struct arena *a,
    unsigned opts, char *err, size_t errlen);

/* ---------------------------------------------------------------------
 * API responses and credential documents, for the AWS source (aws.c,
 * creds.c, region.c).  Each parses one complete JSON text; strings are
 * copied into the arena given.  They return 0, or -1 with a reason in err
 * when the text is not JSON (or not an object).
 */
struct xray_group;
struct sampling_rule;
struct sampling_stat;
struct ts_point;

/* The paging and status members of an X-Ray response or error body. */
struct json_page {
	const char	*next_token;        /* NextToken; NULL on the last page */
	const char	**unprocessed;      /* UnprocessedTraceIds */
	size_t		 nunprocessed;
	const char	**trace_ids;        /* Ids of Traces (BatchGetTraces, ListRetrievedTraces) */
	size_t		 ntraces;
	size_t		 nsummaries;        /* entries of TraceSummaries */
	long long	 processed;         /* TracesProcessedCount, -1 when absent */
	double		 approximate_time;  /* ApproximateTime, 0 when absent */
	int		 old_group_versions;/* ContainsOldGroupVersions */
	const char	*error_code;        /* __type (after '#'), code or Code */
	const char	*message;           /* message or Message */
	const char	*destination;       /* GetTraceSegmentDestination: Destination */
	const char	*status;            /* ... and Status */
	const char	*retrieval_token;   /* StartTraceRetrieval: RetrievalToken */
	const char	*retrieval_status;  /* ListRetrievedTraces: RetrievalStatus */
};

int json_decode_page(const char *text, size_t len, struct arena *a, struct json_page *out,
    char *err, size_t errlen);

/* A credential document, in any of the shapes the providers return:
 * credential_process output, ECS/EKS and IMDS credentials, the SSO portal's
 * {"roleCredentials": ...} (expiration in epoch milliseconds), an SSO token
 * cache file ({"accessToken", "expiresAt"}), the EC2 instance identity
 * document ({"region"}).  Fixed buffers, so the caller can wipe them. */
struct json_creds {
	char		 access_key[128];   /* AccessKeyId | accessKeyId */
	char		 secret_key[256];   /* SecretAccessKey | secretAccessKey */
	char		 token[4096];       /* Token | SessionToken | sessionToken */
	char		 access_token[4096];/* SSO cache: accessToken */
	char		 account_id[32];    /* AccountId */
	char		 code[64];          /* IMDS: Code ("Success") */
	char		 message[256];      /* Code/Message errors; never a secret */
	char		 region[64];        /* identity document: region */
	double		 expiration;        /* Expiration | expiration | expiresAt; 0 when absent */
	int		 has_expiration;
	int		 bad_expiration;    /* present but not a time */
	int		 version;           /* Version, -1 when absent */
	int		 truncated;         /* a value did not fit its buffer */
};

int json_decode_creds(const char *text, size_t len, struct json_creds *out, char *err, size_t errlen);

/* GetGroups ("Groups") or GetGroup ("Group") output. */
int json_decode_groups(const char *text, size_t len, struct arena *a,
    struct xray_group **out, size_t *n, char *err, size_t errlen);
/* GetSamplingRules output ("SamplingRuleRecords"). */
int json_decode_sampling_rules(const char *text, size_t len, struct arena *a,
    struct sampling_rule **out, size_t *n, char *err, size_t errlen);
/* GetSamplingStatisticSummaries output ("SamplingStatisticSummaries"). */
int json_decode_sampling_stats(const char *text, size_t len, struct arena *a,
    struct sampling_stat **out, size_t *n, char *err, size_t errlen);
/* GetTimeSeriesServiceStatistics output ("TimeSeriesServiceStatistics"). */
int json_decode_timeseries(const char *text, size_t len, struct arena *a,
    struct ts_point **out, size_t *n, char *err, size_t errlen);
/* An ISO-8601 date-time ("2026-11-24T14:00:00Z", fractions, offsets) ->
 * epoch seconds; -1 when it is not one. */
int json_parse_time(const char *s, double *out);

#endif

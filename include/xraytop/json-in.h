/* json-in.h - JSON text -> model.  With json-out.c, the only code that uses cJSON.
 *
 * json_decode takes one complete JSON value and recognises what it is:
 *  - a segment document (has "trace_id"/"id"/"name"), or an independent
 *    subsegment ("type": "subsegment");
 *  - a daemon datagram header {"format":"json","version":1} (any spacing);
 *  - a wrapped datagram {"datagram": "HEADER\nDOCUMENT"};
 *  - a BatchGetTraces page {"Traces":[{"Id","Segments":[{"Id","Document"}]}]}
 *    where each Document is a JSON string holding a segment document;
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

#endif

/* sink.h - where decoded data goes.
 *
 * Sources (files, the UDP listener, the AWS API) decode what they read and
 * hand each object to a sink, on the thread that drives the sink.  Every
 * pointer passed is valid only during the call: a consumer that keeps
 * anything copies it (the map and the store do).  Any callback may be NULL.
 */
#ifndef XRAYTOP_SINK_H
#define XRAYTOP_SINK_H

#include <stddef.h>

struct segment;
struct trace_summary;
struct graph_service;

struct sink {
	void	*ctx;
	/* One top-level document: a segment or an independent subsegment. */
	void	(*document)(void *ctx, const struct segment *doc);
	/* One trace summary (GetTraceSummaries). */
	void	(*summary)(void *ctx, const struct trace_summary *s);
	/* One page of GetServiceGraph services. */
	void	(*graph)(void *ctx, const struct graph_service *svcs, size_t n);
};

#endif

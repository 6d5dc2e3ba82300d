/* source-file.h - reading X-Ray data from files and standard input.
 *
 * The format of each file is detected from its content:
 *  - JSON Lines: one value per line - segment documents, BatchGetTraces
 *    pages, {"datagram": ...} records, or a daemon recording (a header line
 *    {"format":"json","version":1} before each document line);
 *  - one JSON value spread over many lines: what `aws xray batch-get-traces`,
 *    `get-trace-summaries` or `get-service-graph` print.
 * Everything decoded goes to the sink in file order, on the calling thread.
 * Large inputs are decoded by worker threads in chunks; delivery order is
 * kept.  A line that cannot be used is counted and reported as
 * "FILE:LINE: message"; the rest of the file is still read.
 */
#ifndef XRAYTOP_SOURCE_FILE_H
#define XRAYTOP_SOURCE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "xraytop/sink.h"

struct source_file_stats {
	uint64_t	 files;
	uint64_t	 bytes;
	uint64_t	 documents;   /* segment documents delivered */
	uint64_t	 summaries;
	uint64_t	 services;
	uint64_t	 bad;         /* lines, documents or entries not usable */
};

struct source_file_opts {
	unsigned	 json_opts;   /* JSON_KEEP_RAW ... */
	int		 threads;     /* decoding threads: -1 one per core, 0 none (decode inline) */
	/* Called for each problem ("FILE:LINE: message"); NULL prints to
	 * stderr, at most 20 lines per file and then a count. */
	void		(*report)(void *ctx, const char *msg);
	void		*report_ctx;
};

/* Read every path ("-" is standard input).  Returns 0 when every file could
 * be opened and read (bad lines are counted, not fatal), -1 otherwise. */
int source_file_read(const char *const *paths, size_t npaths, const struct source_file_opts *opts,
    const struct sink *sink, struct source_file_stats *stats);

#endif

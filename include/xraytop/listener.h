/* listener.h - a drop-in receiver for the X-Ray daemon's UDP protocol.
 *
 * The SDKs send each segment document, or each independent subsegment, to
 * the daemon as one UDP datagram: a header line {"format":"json",
 * "version":1} (any spacing), a newline, the document (at most 64 KiB in
 * all).  A listener binds a UDP socket (non-blocking) and, once attached to
 * the event loop (listener_attach), drains it whenever it is readable:
 * many datagrams per system call (recvmmsg), and for each one, in this
 * order:
 *  1. forwards it byte for byte to the daemon given to listener_forward
 *     (sendmmsg on a non-blocking socket: never waits; a datagram the kernel
 *     does not take at once is counted as a forward error);
 *  2. decodes it (json_decode_datagram); one that cannot be used is counted
 *     by reason and logged at debug level (log.h), escaped;
 *  3. appends it to the recording given to listener_record, when its header
 *     is valid: the header line as received, then the document on one line
 *     (the daemon-recording format the file source reads).  A document
 *     spread over several lines is joined: a line break between JSON tokens
 *     becomes a space, one inside a string becomes \n, which decodes to the
 *     same document.  Datagrams without a valid header are not recorded;
 *  4. hands the document to the sink, on the loop's thread.
 * The socket's receive buffer is 64 MiB when the process may have one (as
 * root), else what net.core.rmem_max allows; it holds what arrives while
 * the loop is busy elsewhere.
 * A datagram longer than 64 KiB (65,536 bytes, the daemon's buffer) is
 * "oversize": counted, not forwarded, recorded or decoded.  (UDP over IPv4
 * carries at most 65,507 bytes and over IPv6 65,527, so one can only come
 * from an IPv6 jumbogram.)  Datagrams the kernel dropped because the socket
 * buffer was full are counted from SO_RXQ_OVFL as they happen and from
 * /proc/net/udp when listener_update_drops is called.
 */
#ifndef XRAYTOP_LISTENER_H
#define XRAYTOP_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "xraytop/sink.h"

struct loop;

/* The largest datagram decoded: the daemon's 64 KiB buffer. */
#define LISTENER_MAX_DATAGRAM 65536

/* Why a datagram could not be used. */
enum listen_reason {
	LISTEN_NO_HEADER,       /* no newline: header or document missing */
	LISTEN_BAD_HEADER,      /* first line is not {"format":"json","version":1} */
	LISTEN_INVALID_JSON,    /* the document is not JSON */
	LISTEN_TRUNCATED,       /* the document's JSON ends too early (or is empty) */
	LISTEN_NOT_SEGMENT,     /* JSON, but no segment document (no name, start_time, ...) */
	LISTEN_NO_ID,           /* the document has no id (or not a string) */
	LISTEN_NO_TRACE_ID,     /* the document has no trace_id (or not a string) */
	LISTEN_BINARY,          /* unusable, and holds NUL, control bytes or invalid UTF-8 */
	LISTEN_NREASONS
};

struct listener_counters {
	uint64_t	 received;          /* datagrams read (= parsed + invalid + oversize) */
	uint64_t	 bytes;             /* their bytes */
	uint64_t	 parsed;            /* decoded and given to the sink */
	uint64_t	 invalid;           /* could not be used: the sum of by_reason */
	uint64_t	 by_reason[LISTEN_NREASONS];
	uint64_t	 oversize;          /* longer than LISTENER_MAX_DATAGRAM */
	uint64_t	 dropped;           /* dropped by the kernel (socket buffer full) */
	uint64_t	 forwarded;         /* taken by the kernel for the forward address */
	uint64_t	 forward_errors;    /* could not be forwarded */
	uint64_t	 recorded;          /* written to the recording */
};

struct listener;

/* A listener with no socket yet; documents go to sink. */
struct listener *listener_new(const struct sink *sink);
/* Close everything (the recording is flushed) and free. */
void listener_free(struct listener *l);

/* Bind "[ADDR:]PORT" (ADDR defaults to 127.0.0.1; IPv6 as [::1]:PORT; a
 * host name is resolved).  Port 0 picks a free port.  Returns 0, or -1
 * with a message in err. */
int listener_bind(struct listener *l, const char *addr, char *err, size_t errlen);
/* Relay every datagram to "ADDR:PORT".  Returns 0, or -1 with a message. */
int listener_forward(struct listener *l, const char *addr, char *err, size_t errlen);
/* Append what arrives to path (created or truncated).  Returns 0, or -1. */
int listener_record(struct listener *l, const char *path, char *err, size_t errlen);
/* Write out what is buffered for the recording; -1 on a write error. */
int listener_flush(struct listener *l);

/* Watch the socket from lp (drained whenever it is readable); after
 * listener_bind.  Returns -1 when not bound or already attached. */
int listener_attach(struct listener *l, struct loop *lp);
/* Read no more than max datagrams in all (0: no limit); once that many
 * have been read and delivered, stop watching the socket and call
 * reached(ctx) from the loop, once. */
void listener_set_limit(struct listener *l, uint64_t max, void (*reached)(void *ctx), void *ctx);

/* The socket, -1 before listener_bind. */
int listener_fd(const struct listener *l);
/* The bound address with the real port: "127.0.0.1:2000", "[::1]:2000". */
const char *listener_address(const struct listener *l);

/* Read and handle up to max datagrams that are waiting (0: as many as are
 * waiting, in bounded rounds), within the limit; returns how many were
 * read (all of them delivered). */
size_t listener_drain(struct listener *l, size_t max);
/* Handle one datagram as if it had arrived (no socket needed): forward,
 * decode, record, deliver, on the calling thread.  truncated says the
 * kernel cut it. */
void listener_handle(struct listener *l, const char *data, size_t len, int truncated);

/* Read the socket's drop count from /proc/net/udp (or udp6) into the
 * counters, when it is higher than what SO_RXQ_OVFL reported. */
void listener_update_drops(struct listener *l);
const struct listener_counters *listener_counters(const struct listener *l);
/* "no-header", "bad-header", ...: the reason's name in the summary. */
const char *listener_reason_name(enum listen_reason r);
/* Which reason a json_decode_datagram error message stands for. */
enum listen_reason listener_classify(const char *data, size_t len, const char *err);

#endif

/* http.h - HTTP requests over libcurl: the only code that includes curl.
 *
 * Requests run on libcurl's multi interface, driven by the event loop
 * (loop.h): curl's sockets and timer are registered with the loop, so many
 * requests are in flight at once and nothing waits.  Connections are kept
 * and reused between requests; HTTP/2 is used (and multiplexed) where the
 * server offers it over TLS.  TLS peers and host names are always verified;
 * only http and https are allowed, redirects are not followed, and curl
 * never prints anything (no verbose output, errors go to an error buffer).
 *
 * Signing: a request with sigv4 set ("aws:amz:REGION:SERVICE") is signed by
 * curl (CURLOPT_AWS_SIGV4) with user:password as access key and secret; the
 * caller adds "Content-Type" and "X-Amz-Security-Token" as headers, which
 * curl (>= 7.86) then signs too.  The body is sent as CURLOPT_POSTFIELDS so
 * that curl hashes it.  Secrets are copied for the transfer and wiped when
 * it ends; they are never logged.
 *
 * http_fetch is the blocking form, on a handle of its own, for credential
 * providers (they run before the loop starts, or on a refresh thread).
 */
#ifndef XRAYTOP_HTTP_H
#define XRAYTOP_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct http;

/* The largest body accepted, after decompression: a bigger one fails the
 * request (too_big) as soon as it is announced (Content-Length) or, when it
 * is not, once that much has arrived; no more is ever buffered.  X-Ray's
 * largest answers (five traces of at most 500 KB, a page of the service
 * graph) are a few MB. */
#define HTTP_MAX_BODY	(32u * 1024 * 1024)

struct http_request {
	const char	*method;          /* "GET", "POST", "PUT"; NULL: GET, or POST with a body */
	const char	*url;
	const char	*body;            /* copied; may be NULL */
	size_t		 body_len;
	const char *const *headers;       /* "Name: value" lines */
	size_t		 nheaders;
	const char	*sigv4;           /* "aws:amz:REGION:SERVICE", or NULL: not signed */
	const char	*user;            /* access key id for sigv4 */
	const char	*password;        /* secret access key for sigv4 */
	double		 timeout;         /* the whole transfer, seconds (0: none) */
	double		 connect_timeout; /* seconds (0: 10) */
	double		 stall_timeout;   /* fail when less than 1 byte/s came for this
	                                   * long, headers included (0: never) */
};

struct http_response {
	long		 status;          /* HTTP status; 0 when no response came */
	char		*body;            /* NUL-terminated (the NUL is not counted) */
	size_t		 body_len;
	char		*error_type;      /* the x-amzn-ErrorType header, or NULL */
	char		*request_id;      /* the x-amzn-RequestId header, or NULL */
	int		 failed;          /* the transfer failed (no response, or cut short) */
	int		 timed_out;       /* ... because a timeout (or the stall timeout) expired */
	int		 too_big;         /* ... because the body is over HTTP_MAX_BODY */
	double		 date;            /* the Date header, epoch seconds (0: none) */
	char		 error[256];      /* why, when failed */
	double		 seconds;         /* total time of the transfer */
	int		 http_version;    /* 1 or 2 (0 when unknown) */
};

/* Called once per request that was not cancelled, on the loop's thread.
 * The response is valid during the call only. */
typedef void (*http_done_fn)(void *ctx, const struct http_response *r);

/* Once, before any thread uses curl.  Returns 0, or -1. */
int http_global_init(void);

/* A client on loop lp that keeps at most max_host_connections connections
 * to one host (0: 8). */
struct http *http_new(struct loop *lp, int max_host_connections);
/* Abort every transfer (no callbacks) and free. */
void http_free(struct http *h);
/* Start a request; cb runs when it is done.  Returns its id (never 0). */
uint64_t http_start(struct http *h, const struct http_request *rq, http_done_fn cb, void *ctx);
/* Abort a request that has not finished (no callback; unknown ids are ignored). */
void http_cancel(struct http *h, uint64_t id);
/* Requests started and not finished. */
size_t http_active(const struct http *h);
/* Connections opened so far (to check that they are reused). */
long http_connections(const struct http *h);

/* A blocking request.  Returns 0 when a response came (any status), -1 when
 * the transfer failed (reason in r->error).  Free r with http_response_clear. */
int http_fetch(const struct http_request *rq, struct http_response *r);
void http_response_clear(struct http_response *r);

/* Overwrite n bytes of secret memory in a way the compiler keeps. */
void http_wipe(void *p, size_t n);

#endif

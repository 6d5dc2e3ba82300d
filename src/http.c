/* http.c - HTTP requests over libcurl, driven by the event loop.
 *
 * One multi handle per client; each request is an easy handle (curl keeps
 * the connections in the multi handle's cache, so they are reused across
 * easy handles).  curl tells which sockets to watch through the socket
 * callback and when to call it back through the timer callback; both map
 * onto loop.h.  Finished transfers are collected with curl_multi_info_read
 * after every socket_action, and their callbacks run from there.
 */
#include "config.h"

#include "xraytop/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "xraytop/loop.h"
#include "xraytop/xmalloc.h"

struct xfer {
	struct http	*h;
	uint64_t	 id;
	CURL		*easy;
	struct curl_slist *headers;
	char		*body;            /* our copy of the request body */
	size_t		 body_len;
	char		*user;            /* copies of the signing keys, wiped at the end */
	char		*password;
	struct http_response resp;
	size_t		 cap;             /* of resp.body */
	int		 too_big;
	http_done_fn	 cb;
	void		*ctx;
	char		 errbuf[CURL_ERROR_SIZE];
	struct xfer	*next;
};

struct http {
	struct loop	*lp;
	CURLM		*multi;
	uint64_t	 timer;           /* loop timer id, 0 when none */
	uint64_t	 next_id;
	struct xfer	*xfers;
	size_t		 nactive;
	long		 connections;
};

void
http_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

/* Wipe and free a heap string. */
static void
free_secret(char *s)
{
	if (s == NULL)
		return;
	http_wipe(s, strlen(s));
	free(s);
}

int
http_global_init(void)
{
	static int done;

	if (done)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	done = 1;
	return 0;
}

/* ---------------------------------------------------------------- one transfer */

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	struct http_response *r = &x->resp;
	size_t n = size * nmemb;

	if (n > HTTP_MAX_BODY || r->body_len + n + 1 > HTTP_MAX_BODY) {
		x->too_big = 1;
		return 0;   /* makes curl fail the transfer */
	}
	if (r->body_len + n + 1 > x->cap) {
		while (r->body_len + n + 1 > x->cap)
			x->cap = x->cap ? x->cap * 2 : 4096;
		if (x->cap > HTTP_MAX_BODY)
			x->cap = HTTP_MAX_BODY;
		r->body = xrealloc(r->body, x->cap);
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

/* The value of header line "Name: value\r\n" when its name is name. */
static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name), e;
	const char *v;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	e = len - nl - 1;
	while (e > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		e--;
	}
	while (e > 0 && (v[e - 1] == '\r' || v[e - 1] == '\n' || v[e - 1] == ' '))
		e--;
	return xstrndup(v, e);
}

static size_t
header_cb(char *data, size_t size, size_t nmemb, void *userp)
{
	struct xfer *x = userp;
	size_t n = size * nmemb;
	char *v;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue): forget the last one's. */
		free(x->resp.error_type);
		free(x->resp.request_id);
		x->resp.error_type = x->resp.request_id = NULL;
		x->resp.date = 0;
	} else if ((v = header_value(data, n, "Date")) != NULL) {
		time_t t = curl_getdate(v, NULL);

		x->resp.date = t > 0 ? (double)t : 0;
		free(v);
	} else if ((v = header_value(data, n, "x-amzn-ErrorType")) != NULL) {
		free(x->resp.error_type);
		x->resp.error_type = v;
	} else if ((v = header_value(data, n, "x-amzn-RequestId")) != NULL) {
		free(x->resp.request_id);
		x->resp.request_id = v;
	}
	return n;
}

static long
ms(double seconds)
{
	return seconds > 0 ? (long)(seconds * 1000 + 0.5) : 0;
}

/* Configure x->easy for rq; copies what must outlive the call. */
static void
xfer_setup(struct xfer *x, const struct http_request *rq)
{
	CURL *e = x->easy;
	const char *method = rq->method;
	size_t i;

	curl_easy_setopt(e, CURLOPT_URL, rq->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	/* an extra CA bundle, as the AWS CLI takes it (verification stays on) */
	if (getenv("AWS_CA_BUNDLE") != NULL && *getenv("AWS_CA_BUNDLE") != '\0')
		curl_easy_setopt(e, CURLOPT_CAINFO, getenv("AWS_CA_BUNDLE"));
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "xraytop/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, rq->connect_timeout > 0 ?
	    ms(rq->connect_timeout) : 10000L);
	if (rq->timeout > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ms(rq->timeout));
	if (rq->stall_timeout > 0) {
		/* curl checks the speed once a second: whole seconds */
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
		    rq->stall_timeout < 1 ? 1L : (long)(rq->stall_timeout + 0.5));
	}
	/* refuse a body announced as too big before reading any of it */
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_BODY - 1);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);

	if (method == NULL)
		method = rq->body != NULL ? "POST" : "GET";
	if (rq->body != NULL || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
		x->body_len = rq->body != NULL ? rq->body_len : 0;
		x->body = xmalloc(x->body_len + 1);
		if (x->body_len > 0)
			memcpy(x->body, rq->body, x->body_len);
		x->body[x->body_len] = '\0';
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);

	for (i = 0; i < rq->nheaders; i++)
		x->headers = curl_slist_append(x->headers, rq->headers[i]);
	if (x->headers != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	if (rq->sigv4 != NULL) {
		x->user = xstrdup(rq->user != NULL ? rq->user : "");
		x->password = xstrdup(rq->password != NULL ? rq->password : "");
		curl_easy_setopt(e, CURLOPT_AWS_SIGV4, rq->sigv4);
		curl_easy_setopt(e, CURLOPT_USERNAME, x->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, x->password);
	}
}

/* Fill the response's status and failure after curl finished with code. */
static void
xfer_result(struct xfer *x, CURLcode code)
{
	struct http_response *r = &x->resp;
	long status = 0, version = 0;
	double t = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME, &t);
	curl_easy_getinfo(x->easy, CURLINFO_HTTP_VERSION, &version);
	r->seconds = t;
	r->http_version = version == CURL_HTTP_VERSION_2_0 ? 2 :
	    version == CURL_HTTP_VERSION_1_0 || version == CURL_HTTP_VERSION_1_1 ? 1 : 0;
	r->status = code == CURLE_OK ? status : 0;
	if (r->body == NULL) {
		r->body = xstrdup("");
		r->body_len = 0;
	}
	if (code == CURLE_OK)
		return;
	r->failed = 1;
	r->timed_out = code == CURLE_OPERATION_TIMEDOUT;
	r->too_big = x->too_big || code == CURLE_FILESIZE_EXCEEDED;
	if (r->too_big)
		snprintf(r->error, sizeof r->error, "the answer is larger than %u MiB, the most "
		    "xraytop reads", HTTP_MAX_BODY >> 20);
	else if (x->errbuf[0] != '\0')
		snprintf(r->error, sizeof r->error, "%s", x->errbuf);
	else
		snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(code));
}

/* Free what the transfer holds, wiping secrets (the token is a header). */
static void
xfer_release(struct xfer *x)
{
	struct curl_slist *s;

	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	for (s = x->headers; s != NULL; s = s->next)
		http_wipe(s->data, strlen(s->data));
	curl_slist_free_all(x->headers);
	free_secret(x->user);
	free_secret(x->password);
	free(x->body);
	http_response_clear(&x->resp);
	free(x);
}

void
http_response_clear(struct http_response *r)
{
	free(r->body);
	free(r->error_type);
	free(r->request_id);
	r->body = r->error_type = r->request_id = NULL;
	r->body_len = 0;
}

int
http_fetch(const struct http_request *rq, struct http_response *r)
{
	struct xfer *x = xcalloc(1, sizeof *x);
	CURLcode code;

	memset(r, 0, sizeof *r);
	if ((x->easy = curl_easy_init()) == NULL) {
		snprintf(r->error, sizeof r->error, "cannot start a transfer");
		r->failed = 1;
		free(x);
		return -1;
	}
	xfer_setup(x, rq);
	code = curl_easy_perform(x->easy);
	xfer_result(x, code);
	*r = x->resp;
	memset(&x->resp, 0, sizeof x->resp);
	xfer_release(x);
	return r->failed ? -1 : 0;
}

/* ---------------------------------------------------------------- the multi handle */

static void check_done(struct http *h);

static void
fd_cb(void *ctx, int fd, unsigned revents)
{
	struct http *h = ctx;
	int flags = 0, running;

	if (revents & LOOP_IN)
		flags |= CURL_CSELECT_IN;
	if (revents & LOOP_OUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & LOOP_ERR)
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	check_done(h);
}

static int
socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http *h = userp;
	unsigned ev = 0;

	if (what == CURL_POLL_REMOVE) {
		if (socketp != NULL) {
			loop_remove_fd(h->lp, s);
			curl_multi_assign(h->multi, s, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= LOOP_IN;
	if (what & CURL_POLL_OUT)
		ev |= LOOP_OUT;
	if (socketp == NULL) {
		if (loop_add_fd(h->lp, s, ev, fd_cb, h) != 0)
			loop_set_events(h->lp, s, ev);
		curl_multi_assign(h->multi, s, h);
	} else
		loop_set_events(h->lp, s, ev);
	return 0;
}

static void
timer_fired(void *ctx)
{
	struct http *h = ctx;
	int running;

	h->timer = 0;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http *h = userp;

	if (h->timer != 0) {
		loop_cancel_timer(h->lp, h->timer);
		h->timer = 0;
	}
	if (timeout_ms >= 0)
		h->timer = loop_add_timer(h->lp, (double)timeout_ms / 1000.0, timer_fired, h);
	return 0;
}

/* Take x off the list of transfers. */
static void
xfer_unlink(struct http *h, struct xfer *x)
{
	struct xfer **pp;

	for (pp = &h->xfers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == x) {
			*pp = x->next;
			h->nactive--;
			return;
		}
	}
}

/* Hand every finished transfer to its callback. */
static void
check_done(struct http *h)
{
	CURLMsg *msg;
	struct xfer *x;
	long conns;
	int left;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x == NULL)
			continue;
		xfer_result(x, msg->data.result);
		conns = 0;
		curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &conns);
		h->connections += conns;
		curl_multi_remove_handle(h->multi, x->easy);
		xfer_unlink(h, x);
		if (x->cb != NULL)
			x->cb(x->ctx, &x->resp);
		xfer_release(x);
	}
}

struct http *
http_new(struct loop *lp, int max_host_connections)
{
	struct http *h;

	if (http_global_init() != 0)
		return NULL;
	h = xcalloc(1, sizeof *h);
	h->lp = lp;
	if ((h->multi = curl_multi_init()) == NULL) {
		free(h);
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)(max_host_connections > 0 ? max_host_connections : 8));
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS,
	    (long)(max_host_connections > 0 ? max_host_connections * 2 : 16));
	return h;
}

void
http_free(struct http *h)
{
	struct xfer *x;

	if (h == NULL)
		return;
	while ((x = h->xfers) != NULL) {
		h->xfers = x->next;
		curl_multi_remove_handle(h->multi, x->easy);
		xfer_release(x);
	}
	if (h->timer != 0)
		loop_cancel_timer(h->lp, h->timer);
	curl_multi_cleanup(h->multi);   /* closes the sockets through socket_cb */
	free(h);
}

uint64_t
http_start(struct http *h, const struct http_request *rq, http_done_fn cb, void *ctx)
{
	struct xfer *x = xcalloc(1, sizeof *x);

	x->h = h;
	x->id = ++h->next_id;
	x->cb = cb;
	x->ctx = ctx;
	if ((x->easy = curl_easy_init()) == NULL)
		fatal("cannot start an HTTP transfer");
	xfer_setup(x, rq);
	x->next = h->xfers;
	h->xfers = x;
	h->nactive++;
	if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK)
		fatal("cannot add an HTTP transfer");
	return x->id;
}

void
http_cancel(struct http *h, uint64_t id)
{
	struct xfer *x;

	for (x = h->xfers; x != NULL; x = x->next) {
		if (x->id == id) {
			curl_multi_remove_handle(h->multi, x->easy);
			xfer_unlink(h, x);
			xfer_release(x);
			return;
		}
	}
}

size_t
http_active(const struct http *h)
{
	return h->nactive;
}

long
http_connections(const struct http *h)
{
	return h->connections;
}

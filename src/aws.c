/* aws.c - the X-Ray API client: signing, rate limit, retries, credentials.
 *
 * Every call goes through one queue.  pump() starts queued calls while the
 * in-flight and rate limits allow, and otherwise sets a timer for the
 * moment they will.  The rate limit keeps the start times of the last
 * calls: a call may start when the K-th most recent start is older than
 * the window (K calls per second of the current rate; window one second
 * plus a margin, so that the service never sees more than the configured
 * rate even when the network bunches requests up).  A finished attempt is
 * classified (ok, retry, refresh credentials, fail) and a retry waits on a
 * timer with full jitter before it joins the queue again.
 */
#include "config.h"

#include "xraytop/aws.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xraytop/arena.h"
#include "xraytop/creds.h"
#include "xraytop/http.h"
#include "xraytop/json-in.h"
#include "xraytop/log.h"
#include "xraytop/loop.h"
#include "xraytop/region.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define RATE_MARGIN	0.1     /* seconds added to the one-second window */
#define ADVISORY	600.0   /* refresh temporary credentials this long before they expire */
#define MANDATORY	60.0    /* ... and stop sending this long before */

enum call_state { CALL_QUEUED, CALL_INFLIGHT, CALL_BACKOFF, CALL_CREDS };

struct call {
	struct aws	*a;
	uint64_t	 id;
	char		*op;
	char		*path;
	char		*body;
	aws_call_fn	 cb;
	void		*ctx;
	int		 attempts;
	int		 token_refreshed;   /* refreshed once for an expired token */
	unsigned	 gen;               /* credentials generation of the last attempt */
	enum call_state	 state;
	uint64_t	 http_id;
	uint64_t	 timer;
	struct call	*next;              /* all calls */
	struct call	*qnext;             /* the queue */
};

struct aws {
	struct loop	*lp;
	struct http	*http;
	struct aws_opts	 o;
	char		 region[64];
	char		 region_src[160];
	char		 endpoint[1024];
	char		 scope[128];        /* aws:amz:REGION:xray */
	char		 profile[256];
	int		 profile_given;
	struct aws_creds creds;

	struct call	*calls;
	struct call	*qhead, *qtail;
	size_t		 ncalls;
	size_t		 inflight;
	uint64_t	 next_id;
	uint64_t	 pump_timer;
	int		 pumping;

	double		*starts;            /* ring of recent start times */
	size_t		 nstarts_cap;
	size_t		 starts_pos;
	size_t		 nstarts;

	/* credential refresh on a worker thread */
	int		 refreshing;
	int		 refresh_pipe[2];
	pthread_t	 refresh_thread;
	struct creds_opts refresh_opts;
	struct aws_creds fresh;
	int		 fresh_rc;
	char		 fresh_err[2048];
	double		 last_refresh;      /* loop_now() of the last refresh started */

	uint64_t	 rng;
	int		 destination;
	double		 last_cut;          /* loop_now() of the last rate cut */
	unsigned	 creds_gen;         /* bumped when the credentials change */
	struct aws_counters counters;
};

static void pump(struct aws *a);

/* ---------------------------------------------------------------- helpers */

static double
epoch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Uniform in [0, 1) (xorshift64*). */
static double
rand01(struct aws *a)
{
	uint64_t x = a->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	a->rng = x;
	return (double)((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static const char *const throttle_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "ProvisionedThroughputExceededException",
	"TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
	"LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
	"EC2ThrottledException", NULL
};

static const char *const transient_codes[] = {
	"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
	"InternalFailure", "InternalServerError", "ServiceUnavailable", NULL
};

static const char *const expired_codes[] = {
	"ExpiredTokenException", "ExpiredToken", NULL
};

static int
in_list(const char *code, const char *const *list)
{
	for (; code != NULL && *list != NULL; list++)
		if (strcmp(code, *list) == 0)
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- the client */

const char *
aws_region(const struct aws *a)
{
	return a->region;
}

const char *
aws_region_source(const struct aws *a)
{
	return a->region_src;
}

const char *
aws_endpoint(const struct aws *a)
{
	return a->endpoint;
}

const char *
aws_creds_source(const struct aws *a)
{
	return a->creds.source;
}

const struct aws_counters *
aws_counters(const struct aws *a)
{
	return &a->counters;
}

struct loop *
aws_loop(const struct aws *a)
{
	return a->lp;
}

size_t
aws_pending(const struct aws *a)
{
	return a->ncalls;
}

int
aws_destination(const struct aws *a)
{
	return a->destination;
}

void
aws_set_destination(struct aws *a, int dest)
{
	a->destination = dest;
}

static void refresh_readable(void *ctx, int fd, unsigned revents);

struct aws *
aws_new(struct loop *lp, const struct aws_opts *o, char *err, size_t errlen)
{
	struct creds_opts co;
	struct aws *a;

	if (http_global_init() != 0) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	a->lp = lp;
	a->o = *o;
	if (a->o.rate <= 0)
		a->o.rate = AWS_DEFAULT_RATE;
	if (a->o.max_inflight <= 0)
		a->o.max_inflight = AWS_DEFAULT_INFLIGHT;
	if (a->o.max_attempts <= 0)
		a->o.max_attempts = AWS_DEFAULT_ATTEMPTS;
	if (a->o.timeout <= 0)
		a->o.timeout = AWS_DEFAULT_TIMEOUT;
	if (a->o.backoff_base <= 0)
		a->o.backoff_base = 0.25;
	if (a->o.backoff_cap <= 0)
		a->o.backoff_cap = 20;
	a->refresh_pipe[0] = a->refresh_pipe[1] = -1;
	if (o->profile != NULL) {
		snprintf(a->profile, sizeof a->profile, "%s", o->profile);
		a->profile_given = 1;
	}
	if (creds_profile_check(o->profile, err, errlen) != 0 ||
	    region_resolve(o->region, o->profile, a->region, sizeof a->region,
	    a->region_src, sizeof a->region_src, err, errlen) != 0 ||
	    region_endpoint(o->endpoint, o->profile, a->region, a->endpoint, sizeof a->endpoint,
	    err, errlen) != 0) {
		free(a);
		return NULL;
	}
	snprintf(a->scope, sizeof a->scope, "aws:amz:%s:xray", a->region);
	memset(&co, 0, sizeof co);
	co.profile = a->profile_given ? a->profile : NULL;
	co.region = a->region;
	if (creds_resolve(&co, &a->creds, err, errlen) != 0) {
		free(a);
		return NULL;
	}
	a->refresh_opts = co;
	a->refresh_opts.only = a->creds.provider;
	log_info("aws: region %s (from %s), endpoint %s, credentials from %s", a->region,
	    a->region_src, a->endpoint, a->creds.source);
	if ((a->http = http_new(lp, a->o.max_inflight)) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		creds_wipe(&a->creds);
		free(a);
		return NULL;
	}
	if (pipe(a->refresh_pipe) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		aws_free(a);
		return NULL;
	}
	fcntl(a->refresh_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(a->refresh_pipe[1], F_SETFD, FD_CLOEXEC);
	loop_add_fd(lp, a->refresh_pipe[0], LOOP_IN, refresh_readable, a);
	a->nstarts_cap = (size_t)ceil(a->o.rate) + 1;
	a->starts = xcalloc(a->nstarts_cap, sizeof *a->starts);
	a->counters.rate_used = a->o.rate;
	a->rng = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)a;
	if (a->rng == 0)
		a->rng = 1;
	return a;
}

static void
call_free(struct call *c)
{
	free(c->op);
	free(c->path);
	free(c->body);
	free(c);
}

/* Take c off the queue (it may not be on it). */
static void
queue_remove(struct aws *a, struct call *c)
{
	struct call **pp, *prev = NULL;

	for (pp = &a->qhead; *pp != NULL; prev = *pp, pp = &(*pp)->qnext) {
		if (*pp == c) {
			*pp = c->qnext;
			if (a->qtail == c)
				a->qtail = prev;
			c->qnext = NULL;
			return;
		}
	}
}

static void
queue_push(struct aws *a, struct call *c)
{
	c->state = CALL_QUEUED;
	c->qnext = NULL;
	if (a->qtail != NULL)
		a->qtail->qnext = c;
	else
		a->qhead = c;
	a->qtail = c;
}

/* Unlink c from every list and stop what it waits on; does not free. */
static void
call_detach(struct aws *a, struct call *c)
{
	struct call **pp;

	if (c->state == CALL_INFLIGHT && c->http_id != 0) {
		http_cancel(a->http, c->http_id);
		a->inflight--;
	}
	if (c->timer != 0)
		loop_cancel_timer(a->lp, c->timer);
	c->timer = 0;
	queue_remove(a, c);
	for (pp = &a->calls; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			a->ncalls--;
			break;
		}
	}
}

void
aws_free(struct aws *a)
{
	struct call *c;

	if (a == NULL)
		return;
	while ((c = a->calls) != NULL) {
		call_detach(a, c);
		call_free(c);
	}
	if (a->refreshing) {
		pthread_join(a->refresh_thread, NULL);
		creds_wipe(&a->fresh);
	}
	if (a->refresh_pipe[0] >= 0) {
		loop_remove_fd(a->lp, a->refresh_pipe[0]);
		close(a->refresh_pipe[0]);
		close(a->refresh_pipe[1]);
	}
	if (a->pump_timer != 0)
		loop_cancel_timer(a->lp, a->pump_timer);
	http_free(a->http);
	creds_wipe(&a->creds);
	free(a->starts);
	free(a);
}

/* ---------------------------------------------------------------- credentials */

static void *
refresh_main(void *arg)
{
	struct aws *a = arg;

	a->fresh_rc = creds_resolve(&a->refresh_opts, &a->fresh, a->fresh_err, sizeof a->fresh_err);
	(void)!write(a->refresh_pipe[1], "r", 1);
	return NULL;
}

/* Start refreshing the credentials on the worker thread (once at a time). */
static void
refresh_start(struct aws *a)
{
	if (a->refreshing)
		return;
	a->refreshing = 1;
	a->last_refresh = loop_now();
	log_info("aws: refreshing the credentials (%s)", a->creds.source);
	if (pthread_create(&a->refresh_thread, NULL, refresh_main, a) != 0) {
		a->fresh_rc = -1;
		snprintf(a->fresh_err, sizeof a->fresh_err, "cannot start a thread: %s", strerror(errno));
		(void)!write(a->refresh_pipe[1], "r", 1);
	}
}

static void finish(struct aws *a, struct call *c, const struct aws_result *r);

/* Fail call c for good with a message. */
static void __attribute__((format(printf, 4, 5)))
fail_call(struct aws *a, struct call *c, const char *code, const char *fmt, ...)
{
	struct aws_result r;
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	memset(&r, 0, sizeof r);
	r.code = code;
	r.message = msg;
	r.attempts = c->attempts;
	r.body = "";
	finish(a, c, &r);
}

/* The worker thread finished: take the new credentials, wake waiting calls. */
static void
refresh_readable(void *ctx, int fd, unsigned revents)
{
	struct aws *a = ctx;
	struct call *c;
	char buf[8];
	int changed = 0;

	(void)!read(fd, buf, sizeof buf);
	if (!a->refreshing)
		return;
	pthread_join(a->refresh_thread, NULL);
	a->refreshing = 0;
	if (a->fresh_rc == 0) {
		changed = strcmp(a->fresh.access_key, a->creds.access_key) != 0 ||
		    strcmp(a->fresh.token, a->creds.token) != 0 ||
		    strcmp(a->fresh.secret_key, a->creds.secret_key) != 0;
		creds_wipe(&a->creds);
		a->creds = a->fresh;
		a->counters.refreshes++;
		if (changed)
			a->creds_gen++;
		log_info("aws: credentials refreshed (%s)%s", a->creds.source, changed ? "" : ", unchanged");
	} else
		log_warn("aws: refreshing the credentials failed");
	creds_wipe(&a->fresh);
	/* One at a time from the start: a callback may add or cancel calls. */
	for (;;) {
		for (c = a->calls; c != NULL && c->state != CALL_CREDS; c = c->next)
			continue;
		if (c == NULL)
			break;
		if (changed)
			queue_push(a, c);
		else if (a->fresh_rc != 0)
			fail_call(a, c, "ExpiredTokenException", "X-Ray %s: the security token expired and "
			    "new credentials could not be had: %s", c->op, a->fresh_err);
		else
			fail_call(a, c, "ExpiredTokenException", "X-Ray %s: the security token of the "
			    "credentials from %s has expired; renew them", c->op, a->creds.source);
	}
	pump(a);
}

/* ---------------------------------------------------------------- sending */

static void attempt_done(void *ctx, const struct http_response *resp);

static void
pump_fired(void *ctx)
{
	struct aws *a = ctx;

	a->pump_timer = 0;
	pump(a);
}

/* Seconds to wait before the rate limit lets one more call start. */
static double
rate_wait(struct aws *a, double now)
{
	double rate = a->counters.rate_used, window;
	size_t k, idx;

	if (rate >= 1) {
		k = (size_t)floor(rate);
		window = 1.0 + RATE_MARGIN;
	} else {
		k = 1;
		window = 1.0 / rate + RATE_MARGIN;
	}
	if (k > a->nstarts_cap)
		k = a->nstarts_cap;
	if (a->nstarts < k)
		return 0;
	/* the k-th most recent start */
	idx = (a->starts_pos + a->nstarts_cap - k) % a->nstarts_cap;
	if (now - a->starts[idx] >= window)
		return 0;
	return a->starts[idx] + window - now;
}

static void
note_start(struct aws *a, double now)
{
	a->starts[a->starts_pos] = now;
	a->starts_pos = (a->starts_pos + 1) % a->nstarts_cap;
	if (a->nstarts < a->nstarts_cap)
		a->nstarts++;
}

static void
send_call(struct aws *a, struct call *c, double now)
{
	char url[1400], tok[4200];
	const char *hdrs[2];
	struct http_request rq;

	snprintf(url, sizeof url, "%s%s", a->endpoint, c->path);
	memset(&rq, 0, sizeof rq);
	rq.method = "POST";
	rq.url = url;
	rq.body = c->body != NULL ? c->body : "";
	rq.body_len = strlen(rq.body);
	hdrs[0] = "Content-Type: application/json";
	rq.headers = hdrs;
	rq.nheaders = 1;
	if (a->creds.token[0] != '\0') {
		snprintf(tok, sizeof tok, "X-Amz-Security-Token: %s", a->creds.token);
		hdrs[1] = tok;
		rq.nheaders = 2;
	}
	rq.sigv4 = a->scope;
	rq.user = a->creds.access_key;
	rq.password = a->creds.secret_key;
	rq.timeout = a->o.timeout;
	rq.connect_timeout = a->o.timeout < 10 ? a->o.timeout : 10;
	c->attempts++;
	c->gen = a->creds_gen;
	c->state = CALL_INFLIGHT;
	a->inflight++;
	a->counters.attempts++;
	note_start(a, now);
	log_debug("aws: %s attempt %d", c->op, c->attempts);
	c->http_id = http_start(a->http, &rq, attempt_done, c);
	http_wipe(tok, sizeof tok);
}

/* Start what the limits allow; set a timer for the rest. */
static void
pump(struct aws *a)
{
	double now, wait, left;

	if (a->pumping)
		return;
	a->pumping = 1;
	while (a->qhead != NULL && a->inflight < (size_t)a->o.max_inflight) {
		now = loop_now();
		if (a->creds.expiration > 0) {
			left = a->creds.expiration - epoch_now();
			if (left < ADVISORY && !a->refreshing && now - a->last_refresh > 30)
				refresh_start(a);
			if (left < MANDATORY && a->refreshing)
				break;   /* refresh_readable pumps again */
		}
		if ((wait = rate_wait(a, now)) > 0) {
			if (a->pump_timer == 0)
				a->pump_timer = loop_add_timer(a->lp, wait, pump_fired, a);
			break;
		}
		{
			struct call *c = a->qhead;

			a->qhead = c->qnext;
			if (a->qhead == NULL)
				a->qtail = NULL;
			c->qnext = NULL;
			send_call(a, c, now);
		}
	}
	a->pumping = 0;
}

uint64_t
aws_call(struct aws *a, const char *operation, const char *path, const char *body,
    aws_call_fn cb, void *ctx)
{
	struct call *c = xcalloc(1, sizeof *c);

	c->a = a;
	c->id = ++a->next_id;
	c->op = xstrdup(operation);
	c->path = xstrdup(path);
	c->body = body != NULL ? xstrdup(body) : NULL;
	c->cb = cb;
	c->ctx = ctx;
	c->next = a->calls;
	a->calls = c;
	a->ncalls++;
	a->counters.calls++;
	queue_push(a, c);
	pump(a);
	return c->id;
}

void
aws_cancel(struct aws *a, uint64_t id)
{
	struct call *c;

	for (c = a->calls; c != NULL; c = c->next) {
		if (c->id == id) {
			call_detach(a, c);
			call_free(c);
			pump(a);
			return;
		}
	}
}

/* ---------------------------------------------------------------- outcomes */

/* Hand the result to the caller and free the call. */
static void
finish(struct aws *a, struct call *c, const struct aws_result *r)
{
	call_detach(a, c);
	if (!r->ok)
		a->counters.failed++;
	if (c->cb != NULL)
		c->cb(c->ctx, r);
	call_free(c);
}

static void
backoff_fired(void *ctx)
{
	struct call *c = ctx;

	c->timer = 0;
	queue_push(c->a, c);
	pump(c->a);
}

/* Retry c after a jittered exponential delay; 0, or -1 when out of attempts. */
static int
retry_later(struct aws *a, struct call *c)
{
	double cap, delay;

	if (c->attempts >= a->o.max_attempts)
		return -1;
	cap = a->o.backoff_base * pow(2, c->attempts - 1);
	if (cap > a->o.backoff_cap)
		cap = a->o.backoff_cap;
	delay = rand01(a) * cap;
	a->counters.retries++;
	c->state = CALL_BACKOFF;
	c->timer = loop_add_timer(a->lp, delay, backoff_fired, c);
	log_debug("aws: %s retry in %.3f s", c->op, delay);
	return 0;
}

/* The first line of an answer's message, printable and short. */
static void
clean_message(const char *s, char *out, size_t outlen)
{
	char tmp[400];
	size_t n;

	snprintf(tmp, sizeof tmp, "%s", s != NULL ? s : "");
	n = strcspn(tmp, "\r\n");
	tmp[n] = '\0';
	text_sanitize(tmp, out, outlen);
}

/* The error code: x-amzn-ErrorType (before ':'), else the body's. */
static void
error_code(const struct http_response *resp, const struct json_page *pg, char *out, size_t outlen)
{
	if (resp->error_type != NULL && resp->error_type[0] != '\0') {
		snprintf(out, outlen, "%.*s", (int)strcspn(resp->error_type, ":"), resp->error_type);
		return;
	}
	if (pg != NULL && pg->error_code != NULL) {
		snprintf(out, outlen, "%s", pg->error_code);
		return;
	}
	snprintf(out, outlen, "HTTP%ld", resp->status);
}

static void
attempt_done(void *ctx, const struct http_response *resp)
{
	struct call *c = ctx;
	struct aws *a = c->a;
	struct arena *ar = arena_new(0);
	struct json_page pg, *pgp = NULL;
	struct aws_result r;
	char code[128], msg[400], perr[200], safe_code[128];
	int throttled;

	c->http_id = 0;
	a->inflight--;
	c->state = CALL_QUEUED;   /* neither in flight nor waiting, for now */
	memset(&r, 0, sizeof r);
	r.status = resp->status;
	r.body = resp->body;
	r.len = resp->body_len;
	r.attempts = c->attempts;

	if (resp->failed) {
		a->counters.network_errors++;
		log_debug("aws: %s: transfer failed: %s", c->op, resp->error);
		if (retry_later(a, c) == 0)
			goto out;
		fail_call(a, c, resp->timed_out ? "Timeout" : "NetworkError",
		    "X-Ray %s: cannot get an answer from %s after %d attempts: %s", c->op, a->endpoint,
		    c->attempts, resp->error);
		goto out;
	}
	if (json_decode_page(resp->body, resp->body_len, ar, &pg, perr, sizeof perr) == 0)
		pgp = &pg;
	if (resp->status >= 200 && resp->status < 300) {
		if (pgp == NULL) {
			/* cut short or garbled: worth another try */
			a->counters.network_errors++;
			log_debug("aws: %s: unusable answer (%s)", c->op, perr);
			if (retry_later(a, c) == 0)
				goto out;
			fail_call(a, c, "InvalidResponse", "X-Ray %s: the answers from %s are not JSON "
			    "(%s) after %d attempts", c->op, a->endpoint, perr, c->attempts);
			goto out;
		}
		if (a->counters.rate_used < a->o.rate) {
			a->counters.rate_used += 0.5;
			if (a->counters.rate_used > a->o.rate)
				a->counters.rate_used = a->o.rate;
		}
		r.ok = 1;
		r.page = pgp;
		log_debug("aws: %s ok (%.0f ms)", c->op, resp->seconds * 1000);
		finish(a, c, &r);
		goto out;
	}

	error_code(resp, pgp, code, sizeof code);
	text_sanitize(code, safe_code, sizeof safe_code);
	clean_message(pgp != NULL ? pgp->message : resp->body, msg, sizeof msg);
	throttled = resp->status == 429 || in_list(code, throttle_codes);
	log_debug("aws: %s: HTTP %ld %s", c->op, resp->status, safe_code);
	if (throttled) {
		a->counters.throttles++;
		/* halve the rate, once per second at most: the calls already out
		 * were sent at the old rate */
		if (loop_now() - a->last_cut >= 1.0) {
			a->last_cut = loop_now();
			a->counters.rate_used /= 2;
			if (a->counters.rate_used < 1 && a->o.rate >= 1)
				a->counters.rate_used = 1;
			else if (a->counters.rate_used < a->o.rate / 8)
				a->counters.rate_used = a->o.rate / 8;
		}
		if (retry_later(a, c) == 0)
			goto out;
		fail_call(a, c, safe_code, "X-Ray %s: still throttled after %d attempts (%s); "
		    "try a lower --rate", c->op, c->attempts, safe_code);
		goto out;
	}
	if (resp->status >= 500 || in_list(code, transient_codes)) {
		a->counters.server_errors++;
		if (retry_later(a, c) == 0)
			goto out;
		fail_call(a, c, safe_code, "X-Ray %s: the service kept failing (HTTP %ld %s%s%s) after "
		    "%d attempts", c->op, resp->status, safe_code, msg[0] ? ": " : "", msg, c->attempts);
		goto out;
	}
	if (in_list(code, expired_codes) && c->gen != a->creds_gen && c->attempts < a->o.max_attempts) {
		/* sent with credentials that have been replaced since: again, with the new ones */
		queue_push(a, c);
		goto out;
	}
	if (in_list(code, expired_codes) && !c->token_refreshed && c->attempts < a->o.max_attempts) {
		c->token_refreshed = 1;
		c->state = CALL_CREDS;
		if (!a->refreshing)
			refresh_start(a);
		goto out;
	}
	if (strcmp(code, "AccessDeniedException") == 0 || strcmp(code, "AccessDenied") == 0 ||
	    resp->status == 403) {
		if (in_list(code, expired_codes))
			fail_call(a, c, safe_code, "X-Ray %s: the security token of the credentials from "
			    "%s has expired; renew them", c->op, a->creds.source);
		else if (strcmp(code, "UnrecognizedClientException") == 0 ||
		    strcmp(code, "InvalidClientTokenId") == 0)
			fail_call(a, c, safe_code, "X-Ray %s: the access key of the credentials from %s "
			    "is not valid (%s)", c->op, a->creds.source, safe_code);
		else if (strcmp(code, "InvalidSignatureException") == 0 ||
		    strcmp(code, "SignatureDoesNotMatch") == 0)
			fail_call(a, c, safe_code, "X-Ray %s: the signature was refused: check the secret "
			    "key of the credentials from %s, and this machine's clock", c->op,
			    a->creds.source);
		else
			fail_call(a, c, safe_code, "X-Ray %s: access denied: the credentials from %s need "
			    "the IAM permission xray:%s (see the policy in the README)%s%s", c->op,
			    a->creds.source, c->op, msg[0] ? ". AWS said: " : "", msg);
		goto out;
	}
	if (strcmp(code, "RequestExpired") == 0 || strcmp(code, "InvalidSignatureException") == 0)
		fail_call(a, c, safe_code, "X-Ray %s: %s: %s (check this machine's clock)", c->op,
		    safe_code, msg);
	else
		fail_call(a, c, safe_code, "X-Ray %s: HTTP %ld %s%s%s", c->op, resp->status, safe_code,
		    msg[0] ? ": " : "", msg);
out:
	arena_free(ar);
	pump(a);
}

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
#define DEAD_HOLD	30.0    /* after a failed renewal of an expired token, try again this late */

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
	int		 token_refreshed;   /* a refresh was asked for an expired token ... */
	unsigned	 refreshed_gen;     /* ... sent with these credentials */
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
	double		 dead_since;        /* loop_now() when an expired token could not be
	                                     * renewed (0: it could); calls fail at once
	                                     * for DEAD_HOLD s instead of being sent */
	char		 dead_err[2048];
	uint64_t	 dead_timer;        /* fails the queued calls from the loop */

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
	if (a->o.stall_timeout <= 0)
		a->o.stall_timeout = AWS_DEFAULT_STALL;
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
	if (a->dead_timer != 0)
		loop_cancel_timer(a->lp, a->dead_timer);
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

/* Copy a message of several lines ("...Tried, in order:\n  x: why") as one. */
static void
one_line(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in != '\0' && o + 3 < outlen; in++) {
		if (*in == '\n') {
			while (in[1] == ' ' || in[1] == '\t')
				in++;
			if (o > 0 && out[o - 1] != ':' && out[o - 1] != ';')
				out[o++] = ';';
			out[o++] = ' ';
		} else
			out[o++] = *in;
	}
	out[o] = '\0';
}

/* The worker thread finished: take the new credentials, wake waiting calls. */
static void
refresh_readable(void *ctx, int fd, unsigned revents)
{
	struct aws *a = ctx;
	struct call *c;
	char buf[8], why[sizeof a->fresh_err];
	int changed = 0, waiting = 0;

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
	one_line(a->fresh_err, why, sizeof why);
	for (c = a->calls; c != NULL; c = c->next)
		waiting |= c->state == CALL_CREDS;
	if (changed)
		a->dead_since = 0;
	else if (waiting) {
		/* the token has expired for good: fail what comes for a while
		 * rather than send it with credentials known to be refused */
		a->dead_since = loop_now();
		if (a->fresh_rc != 0)
			snprintf(a->dead_err, sizeof a->dead_err, "the security token expired and new "
			    "credentials could not be had: %.1900s", why);
		else
			snprintf(a->dead_err, sizeof a->dead_err, "the security token of the credentials "
			    "from %s has expired; renew them", a->creds.source);
	}
	/* One at a time from the start: a callback may add or cancel calls. */
	for (;;) {
		for (c = a->calls; c != NULL && c->state != CALL_CREDS; c = c->next)
			continue;
		if (c == NULL)
			break;
		if (changed)
			queue_push(a, c);
		else
			fail_call(a, c, "ExpiredTokenException", "X-Ray %s: %s", c->op, a->dead_err);
	}
	pump(a);
}

/* Whether the credentials are known to be expired for good (for now). */
static int
creds_dead(struct aws *a)
{
	if (a->dead_since > 0 && loop_now() - a->dead_since >= DEAD_HOLD)
		a->dead_since = 0;
	return a->dead_since > 0;
}

/* Fail the queued calls while the credentials are dead (from the loop, never
 * from inside aws_call: its caller must get the id before the callback). */
static void
dead_fired(void *ctx)
{
	struct aws *a = ctx;
	struct call *c;

	a->dead_timer = 0;
	while (creds_dead(a) && (c = a->qhead) != NULL) {
		queue_remove(a, c);
		fail_call(a, c, "ExpiredTokenException", "X-Ray %s: %s", c->op, a->dead_err);
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
	/* a stall longer than the attempt's whole time would never fire */
	rq.stall_timeout = a->o.stall_timeout < a->o.timeout ? a->o.stall_timeout : 0;
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
		if (creds_dead(a)) {
			/* nothing is sent with a token known to be refused */
			if (a->dead_timer == 0)
				a->dead_timer = loop_add_timer(a->lp, 0, dead_fired, a);
			break;
		}
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

/* "10 min 5 s", "2 h 3 min", "40 s". */
static void
span_text(double secs, char *out, size_t outlen)
{
	long s = (long)(fabs(secs) + 0.5);

	if (s >= 3600)
		snprintf(out, outlen, "%ld h %ld min", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, outlen, "%ld min %ld s", s / 60, s % 60);
	else
		snprintf(out, outlen, "%ld s", s);
}

static const char *const signature_codes[] = {
	"InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
	"IncompleteSignatureException", "AuthFailure", NULL
};

/* Whether the service refused the request for its time (the clocks of this
 * machine and of AWS disagree by more than AWS allows).  Then fail c with a
 * message that says by how much, from the answer's Date header, and return 1.
 * Retrying would not help: curl signs with this machine's clock. */
static int
clock_refused(struct aws *a, struct call *c, const struct http_response *resp, const char *code,
    const char *msg)
{
	/* the Date header is whole seconds, cut: the time was half a second later on average */
	double off = resp->date > 0 ? resp->date + 0.5 - epoch_now() : 0;
	int said = strcmp(code, "RequestTimeTooSkewed") == 0 || strcmp(code, "RequestExpired") == 0 ||
	    (in_list(code, signature_codes) && (strstr(msg, "Signature expired") != NULL ||
	    strstr(msg, "Signature not yet current") != NULL));
	char span[64];

	if (!said && !(in_list(code, signature_codes) && fabs(off) > AWS_MAX_SKEW))
		return 0;
	if (resp->date <= 0 || fabs(off) < 1) {
		fail_call(a, c, code, "X-Ray %s: the request was refused for its time (%s%s%s): check "
		    "this machine's clock (set it right with NTP)", c->op, code, msg[0] ? ": " : "", msg);
		return 1;
	}
	span_text(off, span, sizeof span);
	log_warn("aws: the service's clock (Date header) is %+.0f s from this machine's", off);
	fail_call(a, c, code, "X-Ray %s: the request was refused for its time (%s%s%s): this machine's "
	    "clock is %s %s the service's (by its Date header); set it right (NTP) and try again",
	    c->op, code, msg[0] ? ": " : "", msg, span, off > 0 ? "behind" : "ahead of");
	return 1;
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
		if (resp->too_big) {
			/* the same question would get the same answer */
			fail_call(a, c, "ResponseTooLarge", "X-Ray %s: %s (from %s; not asked again)",
			    c->op, resp->error, a->endpoint);
			goto out;
		}
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
	if (in_list(code, expired_codes) && creds_dead(a)) {
		fail_call(a, c, safe_code, "X-Ray %s: %s", c->op, a->dead_err);
		goto out;
	}
	/* Once per credentials: new ones that expire too (short-lived, rotated)
	 * are renewed again, within the call's attempts; the same ones are not. */
	if (in_list(code, expired_codes) && !(c->token_refreshed && c->refreshed_gen == c->gen) &&
	    c->attempts < a->o.max_attempts) {
		c->token_refreshed = 1;
		c->refreshed_gen = c->gen;
		c->state = CALL_CREDS;
		if (!a->refreshing)
			refresh_start(a);
		goto out;
	}
	if (clock_refused(a, c, resp, safe_code, msg))
		goto out;
	if (strcmp(code, "AccessDeniedException") == 0 || strcmp(code, "AccessDenied") == 0 ||
	    resp->status == 403) {
		if (in_list(code, expired_codes))
			fail_call(a, c, safe_code, "X-Ray %s: the security token of the credentials from "
			    "%s has expired; renew them", c->op, a->creds.source);
		else if (strcmp(code, "UnrecognizedClientException") == 0 ||
		    strcmp(code, "InvalidClientTokenId") == 0)
			fail_call(a, c, safe_code, "X-Ray %s: the access key of the credentials from %s "
			    "is not valid (%s)", c->op, a->creds.source, safe_code);
		else if ((strcmp(code, "InvalidSignatureException") == 0 ||
		    strcmp(code, "SignatureDoesNotMatch") == 0) && resp->date > 0)
			fail_call(a, c, safe_code, "X-Ray %s: the signature was refused: check the secret "
			    "key of the credentials from %s (this machine's clock agrees with the "
			    "service's)", c->op, a->creds.source);
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

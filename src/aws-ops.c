/* aws-ops.c - X-Ray operations as jobs of many calls: paging, windows,
 * trace batches, Transaction Search retrieval, groups, sampling rules and
 * time series.
 *
 * A job keeps the calls it has out (to cancel them) and decides after each
 * answer what to ask next; it ends (done callback) when nothing is out and
 * nothing is left to ask.  Answers are decoded with json-in into a scratch
 * arena that is reset after every page, through a filtering sink that
 * drops what was already delivered (summaries by id, traces by id), so
 * every trace and summary reaches the caller exactly once whatever the
 * retries and overlapping windows did.
 */
#include "config.h"

#include "xraytop/aws.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xraytop/arena.h"
#include "xraytop/groups.h"
#include "xraytop/json-in.h"
#include "xraytop/log.h"
#include "xraytop/loop.h"
#include "xraytop/model.h"
#include "xraytop/sampling.h"
#include "xraytop/summary.h"
#include "xraytop/timeseries.h"
#include "xraytop/xmalloc.h"

#define MAX_BATCHES_OUT		16      /* BatchGetTraces calls a job keeps out at once */
#define UNPROCESSED_ROUNDS	6       /* times an unprocessed id is asked again */
#define RETRIEVAL_POLL		2.0     /* seconds between ListRetrievedTraces polls */
#define RETRIEVAL_TIMEOUT	600.0   /* give a retrieval this long */

/* ---------------------------------------------------------------- id sets */

struct idset {
	char		**slots;
	size_t		 cap;
	size_t		 n;
};

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t
idset_slot(const struct idset *s, const char *id)
{
	size_t i = (size_t)hash_str(id) & (s->cap - 1);

	while (s->slots[i] != NULL && strcmp(s->slots[i], id) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static int
idset_has(const struct idset *s, const char *id)
{
	return s->cap > 0 && s->slots[idset_slot(s, id)] != NULL;
}

/* Add id; 1 when it was new. */
static int
idset_add(struct idset *s, const char *id)
{
	size_t i, j;

	if (s->n * 2 + 2 > s->cap) {
		struct idset g = { NULL, s->cap ? s->cap * 2 : 64, 0 };

		g.slots = xcalloc(g.cap, sizeof *g.slots);
		for (j = 0; j < s->cap; j++)
			if (s->slots[j] != NULL) {
				g.slots[idset_slot(&g, s->slots[j])] = s->slots[j];
				g.n++;
			}
		free(s->slots);
		*s = g;
	}
	i = idset_slot(s, id);
	if (s->slots[i] != NULL)
		return 0;
	s->slots[i] = xstrdup(id);
	s->n++;
	return 1;
}

static void
idset_free(struct idset *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------- JSON bodies */

struct sbuf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, b->p != NULL ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n >= 0 && b->p != NULL && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)(n > 0 ? n : 0) + 64) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
}

/* Append a JSON string (escaped per RFC 8259). */
static void
sb_strval(struct sbuf *b, const char *v)
{
	const unsigned char *p;

	sb_printf(b, "\"");
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			sb_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			sb_printf(b, "\\u%04x", *p);
		else
			sb_printf(b, "%c", *p);
	}
	sb_printf(b, "\"");
}

/* Append "key": "value" after a comma if needed. */
static void
sb_str(struct sbuf *b, const char *key, const char *v)
{
	sb_printf(b, "%s\"%s\":", b->len > 1 ? "," : "", key);
	sb_strval(b, v);
}

/* Append "key": [ids]. */
static void
sb_ids(struct sbuf *b, const char *key, char *const *ids, size_t n)
{
	size_t i;

	sb_printf(b, "%s\"%s\":[", b->len > 1 ? "," : "", key);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_printf(b, ",");
		sb_strval(b, ids[i]);
	}
	sb_printf(b, "]");
}

/* Append "key": number (whole seconds without a fraction, as botocore). */
static void
sb_time(struct sbuf *b, const char *key, double t)
{
	if (t == floor(t))
		sb_printf(b, "%s\"%s\":%.0f", b->len > 1 ? "," : "", key, t);
	else
		sb_printf(b, "%s\"%s\":%.3f", b->len > 1 ? "," : "", key, t);
}

/* ---------------------------------------------------------------- jobs */

enum job_kind { JOB_GRAPH, JOB_SUMMARIES, JOB_TRACES, JOB_GROUPS, JOB_SAMPLING, JOB_TIMESERIES };

struct jcall;

struct aws_job {
	struct aws	*a;
	enum job_kind	 kind;
	struct aws_handlers h;
	struct aws_query q;
	char		*group, *filter, *time_range, *selector;
	struct aws_progress prog;
	int		 finished;
	int		 cancelled;
	unsigned long	 failed_calls;
	char		 first_error[1024];
	struct jcall	*calls;             /* out now */
	struct arena	*scratch;

	/* paged operations */
	char		*token;

	/* summaries */
	double		 start, end;        /* the window, clamped to retention */
	double		 chunk_start, chunk_end;
	int		 summaries_done;
	struct idset	 seen;

	/* traces */
	char		**pending;          /* ids to ask for */
	size_t		 npending, cappending;
	struct idset	 asked;
	struct idset	 delivered;
	struct idset	 skip;              /* per page: traces already delivered */
	int		*rounds;            /* unprocessed rounds, parallel to pending */
	unsigned	 batches_out;
	int		 dest_asked;
	uint64_t	 requeue_timer;
	int		 traces_input_done; /* no more ids will come */

	/* retrieval (Transaction Search) */
	char		*retrieval_token;
	int		 retrieving;        /* a retrieval is started and not finished */
	double		 retrieval_started;
	uint64_t	 poll_timer;

	/* sampling */
	struct arena	*keep;
	struct sampling_rule *rules;
	size_t		 nrules, caprules;
	struct sampling_stat *stats;
	size_t		 nstats, capstats;
	int		 rules_done, stats_done;
	char		*stats_token;
};

/* One call out for a job, with what its answer needs. */
struct jcall {
	struct aws_job	*j;
	uint64_t	 id;
	const char	*op;
	char		**ids;              /* BatchGetTraces / StartTraceRetrieval */
	int		*rounds;
	size_t		 nids;
	unsigned char	*got;               /* which ids came back */
	int		 stats;             /* sampling: the statistics call */
	struct jcall	*next;
};

static void job_check(struct aws_job *j);
static void traces_pump(struct aws_job *j);

static void
jcall_free(struct jcall *c)
{
	size_t i;

	for (i = 0; i < c->nids; i++)
		free(c->ids[i]);
	free(c->ids);
	free(c->rounds);
	free(c->got);
	free(c);
}

static void
jcall_unlink(struct aws_job *j, struct jcall *c)
{
	struct jcall **pp;

	for (pp = &j->calls; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

static void
progress(struct aws_job *j)
{
	const struct aws_counters *k = aws_counters(j->a);

	j->prog.calls = k->attempts;
	j->prog.retries = k->retries;
	j->prog.throttles = k->throttles;
	if (j->h.progress != NULL && !j->finished)
		j->h.progress(j->h.ctx, &j->prog);
}

/* Note a call that failed for good. */
static void
job_error(struct aws_job *j, const char *msg)
{
	j->failed_calls++;
	if (j->first_error[0] == '\0')
		snprintf(j->first_error, sizeof j->first_error, "%.1000s", msg);
	log_warn("aws: %s", msg);
}

static void aws_call_done(void *ctx, const struct aws_result *r);

/* Send a call for job j; the answer goes to the job's handler for op. */
static struct jcall *
job_call(struct aws_job *j, const char *op, const char *path, const char *body)
{
	struct jcall *c = xcalloc(1, sizeof *c);

	c->j = j;
	c->op = op;
	c->next = j->calls;
	j->calls = c;
	c->id = aws_call(j->a, op, path, body, aws_call_done, c);
	return c;
}

static struct aws_job *
job_new(struct aws *a, enum job_kind kind, const struct aws_query *q, const struct aws_handlers *h)
{
	struct aws_job *j = xcalloc(1, sizeof *j);

	j->a = a;
	j->kind = kind;
	j->h = *h;
	if (q != NULL) {
		j->q = *q;
		j->group = q->group != NULL ? xstrdup(q->group) : NULL;
		j->filter = q->filter != NULL && *q->filter != '\0' ? xstrdup(q->filter) : NULL;
		j->time_range = q->time_range != NULL ? xstrdup(q->time_range) : NULL;
		j->selector = q->selector != NULL ? xstrdup(q->selector) : NULL;
	}
	j->scratch = arena_new(0);
	j->keep = arena_new(0);
	return j;
}

/* End the job with its status (once). */
static void
job_finish(struct aws_job *j, enum aws_status st, const char *err)
{
	if (j->finished)
		return;
	j->finished = 1;
	if (j->h.done != NULL)
		j->h.done(j->h.ctx, st, err != NULL ? err : "");
}

/* Drop everything the job has out (no callbacks). */
static void
job_stop(struct aws_job *j)
{
	struct jcall *c;
	struct loop *lp = aws_loop(j->a);

	while ((c = j->calls) != NULL) {
		j->calls = c->next;
		aws_cancel(j->a, c->id);
		jcall_free(c);
	}
	if (j->requeue_timer != 0)
		loop_cancel_timer(lp, j->requeue_timer);
	if (j->poll_timer != 0)
		loop_cancel_timer(lp, j->poll_timer);
	j->requeue_timer = j->poll_timer = 0;
}

void
aws_job_cancel(struct aws_job *j)
{
	if (j == NULL || j->finished)
		return;
	j->cancelled = 1;
	job_stop(j);
	job_finish(j, AWS_CANCELLED, "cancelled");
}

void
aws_job_free(struct aws_job *j)
{
	size_t i;

	if (j == NULL)
		return;
	j->finished = 1;
	job_stop(j);
	for (i = 0; i < j->npending; i++)
		free(j->pending[i]);
	free(j->pending);
	free(j->rounds);
	idset_free(&j->seen);
	idset_free(&j->asked);
	idset_free(&j->delivered);
	idset_free(&j->skip);
	free(j->token);
	free(j->stats_token);
	free(j->retrieval_token);
	free(j->group);
	free(j->filter);
	free(j->time_range);
	free(j->selector);
	free(j->rules);
	free(j->stats);
	arena_free(j->scratch);
	arena_free(j->keep);
	free(j);
}

int
aws_job_finished(const struct aws_job *j)
{
	return j->finished;
}

const struct aws_progress *
aws_job_progress(const struct aws_job *j)
{
	return &j->prog;
}

/* Whether the job has nothing out and nothing left to ask; then end it. */
static void
job_check(struct aws_job *j)
{
	enum aws_status st;

	if (j->finished || j->calls != NULL || j->requeue_timer != 0 || j->poll_timer != 0)
		return;
	switch (j->kind) {
	case JOB_SUMMARIES:
		if (!j->summaries_done)
			return;
		/* FALLTHROUGH */
	case JOB_TRACES:
		if (j->npending > 0 && (j->kind == JOB_TRACES || j->q.full))
			return;
		break;
	case JOB_SAMPLING:
		if (!j->rules_done || !j->stats_done)
			return;
		break;
	default:
		break;
	}
	if (j->failed_calls == 0)
		st = AWS_DONE;
	else if (j->prog.pages == 0)
		st = AWS_FAILED;
	else
		st = AWS_PARTIAL;
	job_finish(j, st, j->first_error);
}

/* Decode a page to the caller's sink, through the filtering sink. */
struct filter_ctx {
	struct aws_job	*j;
	int		 drop_docs;         /* use j->skip */
};

static void
f_document(void *ctx, const struct segment *doc)
{
	struct filter_ctx *f = ctx;
	const struct sink *s = f->j->h.sink;

	if (f->drop_docs && doc->trace_id != NULL && idset_has(&f->j->skip, doc->trace_id))
		return;
	if (s != NULL && s->document != NULL)
		s->document(s->ctx, doc);
}

static void trace_wanted(struct aws_job *j, const char *id);

static void
f_summary(void *ctx, const struct trace_summary *ts)
{
	struct filter_ctx *f = ctx;
	struct aws_job *j = f->j;
	const struct sink *s = j->h.sink;

	if (j->q.limit > 0 && j->prog.summaries >= (unsigned long)j->q.limit)
		return;
	if (!idset_add(&j->seen, ts->id))
		return;   /* already seen in another window */
	j->prog.summaries++;
	if (s != NULL && s->summary != NULL)
		s->summary(s->ctx, ts);
	if (j->q.full)
		trace_wanted(j, ts->id);
}

static void
f_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	struct filter_ctx *f = ctx;
	const struct sink *s = f->j->h.sink;

	if (s != NULL && s->graph != NULL)
		s->graph(s->ctx, svcs, n);
}

static void
deliver(struct aws_job *j, const char *op, const struct aws_result *r, int drop_docs)
{
	struct filter_ctx f = { j, drop_docs };
	struct sink s = { &f, f_document, f_summary, f_graph };
	struct json_result res;

	if (j->h.page != NULL)
		j->h.page(j->h.ctx, op, r->body, r->len);
	json_decode(r->body, r->len, j->scratch, j->h.json_opts, &s, &res);
	if (res.bad > 0 && j->prog.bad == 0)
		snprintf(j->prog.bad_first, sizeof j->prog.bad_first, "%.40s: %.200s", op, res.error);
	j->prog.bad += res.bad;
	arena_reset(j->scratch);
}

/* ---------------------------------------------------------------- GetServiceGraph */

static void
graph_next(struct aws_job *j)
{
	struct sbuf b = { NULL, 0, 0 };

	sb_printf(&b, "{");
	sb_time(&b, "StartTime", j->start);
	sb_time(&b, "EndTime", j->end);
	if (j->group != NULL)
		sb_str(&b, "GroupName", j->group);
	if (j->token != NULL)
		sb_str(&b, "NextToken", j->token);
	sb_printf(&b, "}");
	job_call(j, "GetServiceGraph", "/ServiceGraph", b.p);
	free(b.p);
}

/* The window clamped to what X-Ray keeps; -1 with an error when nothing is left. */
static int
clamp_window(struct aws_job *j)
{
	double now = (double)time(NULL), oldest = now - AWS_RETENTION + 60;

	j->start = j->q.start;
	j->end = j->q.end;
	if (j->end > now)
		j->end = now;
	if (j->start < oldest) {
		log_info("aws: window starts before X-Ray's 30 days of retention; starting at %.0f", oldest);
		j->start = oldest;
	}
	if (j->end <= j->start) {
		job_error(j, j->q.end <= oldest ? "the time window is older than the 30 days X-Ray keeps"
		    : "the time window is empty (end before start)");
		return -1;
	}
	return 0;
}

/* Replace the job's NextToken with the page's. */
static void
take_token(char **dst, const struct json_page *pg)
{
	free(*dst);
	*dst = pg != NULL && pg->next_token != NULL && *pg->next_token != '\0' ?
	    xstrdup(pg->next_token) : NULL;
}

static void
graph_answer(struct aws_job *j, const struct aws_result *r)
{
	if (!r->ok) {
		job_error(j, r->message);
		return;
	}
	j->prog.pages++;
	deliver(j, "GetServiceGraph", r, 0);
	take_token(&j->token, r->page);
	if (j->token != NULL)
		graph_next(j);
	else
		j->prog.window_done = 1;
}

struct aws_job *
aws_fetch_graph(struct aws *a, const struct aws_query *q, const struct aws_handlers *h)
{
	struct aws_job *j = job_new(a, JOB_GRAPH, q, h);

	j->prog.what = "GetServiceGraph";
	if (clamp_window(j) == 0)
		graph_next(j);
	job_check(j);
	return j;
}

/* ---------------------------------------------------------------- GetTraceSummaries */

static void
summaries_next(struct aws_job *j)
{
	struct sbuf b = { NULL, 0, 0 };

	sb_printf(&b, "{");
	sb_time(&b, "StartTime", j->chunk_start);
	sb_time(&b, "EndTime", j->chunk_end);
	if (j->time_range != NULL)
		sb_str(&b, "TimeRangeType", j->time_range);
	if (j->filter != NULL)
		sb_str(&b, "FilterExpression", j->filter);
	if (j->token != NULL)
		sb_str(&b, "NextToken", j->token);
	sb_printf(&b, "}");
	job_call(j, "GetTraceSummaries", "/TraceSummaries", b.p);
	free(b.p);
}

/* Go on to the next (older) chunk, or finish the summaries. */
static void
summaries_next_chunk(struct aws_job *j)
{
	double chunk = j->q.chunk > 0 ? j->q.chunk : AWS_SUMMARY_CHUNK;

	free(j->token);
	j->token = NULL;
	if (j->chunk_start <= j->start || (j->q.limit > 0 && j->prog.summaries >= (unsigned long)j->q.limit)) {
		j->summaries_done = 1;
		j->prog.window_done = 1;
		j->traces_input_done = 1;
		return;
	}
	j->prog.window_done = (j->end - j->chunk_start) / (j->end - j->start);
	j->chunk_end = j->chunk_start;
	j->chunk_start = j->chunk_end - chunk > j->start ? j->chunk_end - chunk : j->start;
	summaries_next(j);
}

static void
summaries_answer(struct aws_job *j, const struct aws_result *r)
{
	double covered;

	if (!r->ok) {
		/* this chunk is lost; the older ones may still come */
		job_error(j, r->message);
		summaries_next_chunk(j);
		return;
	}
	j->prog.pages++;
	if (r->page->processed > 0)
		j->prog.scanned += (unsigned long long)r->page->processed;
	deliver(j, "GetTraceSummaries", r, 0);
	take_token(&j->token, r->page);
	if (r->page->approximate_time >= j->chunk_start && r->page->approximate_time <= j->chunk_end) {
		covered = (j->end - r->page->approximate_time) / (j->end - j->start);
		if (covered > j->prog.window_done)
			j->prog.window_done = covered;
	}
	if (j->token != NULL && !(j->q.limit > 0 && j->prog.summaries >= (unsigned long)j->q.limit))
		summaries_next(j);
	else
		summaries_next_chunk(j);
	traces_pump(j);
}

struct aws_job *
aws_fetch_summaries(struct aws *a, const struct aws_query *q, const struct aws_handlers *h)
{
	struct aws_job *j = job_new(a, JOB_SUMMARIES, q, h);
	double chunk = q->chunk > 0 ? q->chunk : AWS_SUMMARY_CHUNK;

	j->prog.what = "GetTraceSummaries";
	if (clamp_window(j) != 0) {
		j->summaries_done = 1;
		job_check(j);
		return j;
	}
	j->chunk_end = j->end;
	j->chunk_start = j->end - chunk > j->start ? j->end - chunk : j->start;
	summaries_next(j);
	return j;
}

/* ---------------------------------------------------------------- BatchGetTraces */

static void
pending_push(struct aws_job *j, const char *id, int round)
{
	if (j->npending == j->cappending) {
		j->cappending = j->cappending ? j->cappending * 2 : 64;
		j->pending = xreallocarray(j->pending, j->cappending, sizeof *j->pending);
		j->rounds = xreallocarray(j->rounds, j->cappending, sizeof *j->rounds);
	}
	j->pending[j->npending] = xstrdup(id);
	j->rounds[j->npending++] = round;
}

/* A trace to fetch (asked for once, whatever the callers say). */
static void
trace_wanted(struct aws_job *j, const char *id)
{
	if (!idset_add(&j->asked, id))
		return;
	j->prog.traces_wanted++;
	pending_push(j, id, 0);
}

/* Take up to n pending ids into a new call's arrays. */
static void
take_ids(struct aws_job *j, struct jcall *c, size_t n)
{
	if (n > j->npending)
		n = j->npending;
	c->ids = xcalloc(n, sizeof *c->ids);
	c->rounds = xcalloc(n, sizeof *c->rounds);
	c->got = xcalloc(n, 1);
	memcpy(c->ids, j->pending, n * sizeof *c->ids);
	memcpy(c->rounds, j->rounds, n * sizeof *c->rounds);
	c->nids = n;
	memmove(j->pending, j->pending + n, (j->npending - n) * sizeof *j->pending);
	memmove(j->rounds, j->rounds + n, (j->npending - n) * sizeof *j->rounds);
	j->npending -= n;
}

static void
batch_body(struct sbuf *b, char *const *ids, size_t n, const char *token)
{
	b->len = 0;
	sb_printf(b, "{");
	sb_ids(b, "TraceIds", ids, n);
	if (token != NULL)
		sb_str(b, "NextToken", token);
	sb_printf(b, "}");
}

/* Send one BatchGetTraces for the ids of c (with a NextToken for its next page). */
static struct jcall *
batch_send(struct aws_job *j, struct jcall *from, const char *token)
{
	struct sbuf b = { NULL, 0, 0 };
	struct jcall *c;

	if (from != NULL) {
		batch_body(&b, from->ids, from->nids, token);
		c = job_call(j, "BatchGetTraces", "/Traces", b.p);
		/* the follow-up page inherits the ids */
		c->ids = from->ids;
		c->rounds = from->rounds;
		c->got = from->got;
		c->nids = from->nids;
		from->ids = NULL;
		from->rounds = NULL;
		from->got = NULL;
		from->nids = 0;
	} else {
		c = xcalloc(1, sizeof *c);
		c->j = j;
		c->op = "BatchGetTraces";
		take_ids(j, c, AWS_BATCH_IDS);
		batch_body(&b, c->ids, c->nids, NULL);
		c->next = j->calls;
		j->calls = c;
		c->id = aws_call(j->a, "BatchGetTraces", "/Traces", b.p, aws_call_done, c);
	}
	j->batches_out++;
	free(b.p);
	return c;
}

static void retrieval_start(struct aws_job *j);

/* Ask for pending traces as the limits allow. */
static void
traces_pump(struct aws_job *j)
{
	if (j->finished || j->npending == 0)
		return;
	if (aws_destination(j->a) == 0) {
		if (!j->dest_asked) {
			j->dest_asked = 1;
			job_call(j, "GetTraceSegmentDestination", "/GetTraceSegmentDestination", NULL);
		}
		return;
	}
	if (aws_destination(j->a) == 2) {
		if (!j->retrieving &&
		    (j->npending >= AWS_RETRIEVAL_IDS || j->traces_input_done || j->kind == JOB_TRACES))
			retrieval_start(j);
		return;
	}
	while (j->npending > 0 && j->batches_out < MAX_BATCHES_OUT) {
		/* wait for a full batch while summaries still come */
		if (j->npending < AWS_BATCH_IDS && !j->traces_input_done)
			break;
		batch_send(j, NULL, NULL);
	}
}

static void
requeue_fired(void *ctx)
{
	struct aws_job *j = ctx;

	j->requeue_timer = 0;
	traces_pump(j);
	job_check(j);
}

static void
batch_answer(struct aws_job *j, struct jcall *c, const struct aws_result *r)
{
	const struct json_page *pg = r->page;
	size_t i, k;
	int requeued = 0;

	j->batches_out--;
	if (!r->ok) {
		char msg[1200];

		snprintf(msg, sizeof msg, "%s (%zu trace%s not fetched)", r->message, c->nids,
		    c->nids == 1 ? "" : "s");
		job_error(j, msg);
		return;
	}
	j->prog.pages++;
	/* traces this page holds that an earlier page already delivered */
	idset_free(&j->skip);
	for (i = 0; i < pg->ntraces; i++)
		if (idset_has(&j->delivered, pg->trace_ids[i]))
			idset_add(&j->skip, pg->trace_ids[i]);
	deliver(j, "BatchGetTraces", r, 1);
	for (i = 0; i < pg->ntraces; i++) {
		if (idset_add(&j->delivered, pg->trace_ids[i]))
			j->prog.traces_done++;
		for (k = 0; k < c->nids; k++)
			if (strcmp(c->ids[k], pg->trace_ids[i]) == 0)
				c->got[k] = 1;
	}
	for (i = 0; i < pg->nunprocessed; i++) {
		for (k = 0; k < c->nids; k++) {
			if (c->got[k] || strcmp(c->ids[k], pg->unprocessed[i]) != 0)
				continue;
			c->got[k] = 2;
			if (c->rounds[k] + 1 >= UNPROCESSED_ROUNDS) {
				char msg[200];

				snprintf(msg, sizeof msg, "X-Ray BatchGetTraces: trace %.40s stayed unprocessed "
				    "after %d rounds", c->ids[k], UNPROCESSED_ROUNDS);
				job_error(j, msg);
			} else {
				pending_push(j, c->ids[k], c->rounds[k] + 1);
				requeued = 1;
			}
		}
	}
	if (pg->next_token != NULL && *pg->next_token != '\0') {
		batch_send(j, c, pg->next_token);
		return;
	}
	for (k = 0; k < c->nids; k++)
		if (!c->got[k] && !idset_has(&j->delivered, c->ids[k])) {
			j->prog.traces_missing++;
			log_info("aws: trace %s not found", c->ids[k]);
		}
	if (requeued && j->requeue_timer == 0)
		j->requeue_timer = loop_add_timer(aws_loop(j->a), 0.5, requeue_fired, j);
}

static void
destination_answer(struct aws_job *j, const struct aws_result *r)
{
	int dest = 1;

	if (r->ok && r->page->destination != NULL &&
	    strcmp(r->page->destination, "CloudWatchLogs") == 0 &&
	    (r->page->status == NULL || strcmp(r->page->status, "ACTIVE") == 0))
		dest = 2;
	if (!r->ok)
		log_info("aws: GetTraceSegmentDestination failed (%s); using BatchGetTraces",
		    r->code != NULL ? r->code : "?");
	aws_set_destination(j->a, dest);
	log_info("aws: traces are in %s", dest == 2 ? "CloudWatch Logs (Transaction Search)" : "X-Ray");
	traces_pump(j);
}

struct aws_job *
aws_fetch_traces(struct aws *a, const char *const *ids, size_t n, const struct aws_query *q,
    const struct aws_handlers *h)
{
	struct aws_job *j = job_new(a, JOB_TRACES, q, h);
	size_t i;

	j->prog.what = "BatchGetTraces";
	j->traces_input_done = 1;
	for (i = 0; i < n; i++)
		trace_wanted(j, ids[i]);
	traces_pump(j);
	job_check(j);
	return j;
}

double
aws_trace_id_time(const char *id)
{
	char hex[9], *end;
	unsigned long v;

	if (id == NULL || strncmp(id, "1-", 2) != 0 || strlen(id) < 10 || id[10] != '-')
		return -1;
	memcpy(hex, id + 2, 8);
	hex[8] = '\0';
	v = strtoul(hex, &end, 16);
	return *end == '\0' ? (double)v : -1;
}

/* ---------------------------------------------------------------- Transaction Search */

static void
retrieval_start(struct aws_job *j)
{
	struct sbuf b = { NULL, 0, 0 };
	struct jcall *c = xcalloc(1, sizeof *c);
	double start = j->q.start, end = j->q.end, t, now = (double)time(NULL);
	size_t i;

	c->j = j;
	c->op = "StartTraceRetrieval";
	j->retrieving = 1;
	take_ids(j, c, AWS_RETRIEVAL_IDS);
	if (start <= 0 || end <= 0) {
		/* around the ids' own times */
		start = now;
		end = 0;
		for (i = 0; i < c->nids; i++) {
			if ((t = aws_trace_id_time(c->ids[i])) < 0)
				continue;
			if (t - 60 < start)
				start = t - 60;
			if (t + 6 * 3600 > end)
				end = t + 6 * 3600;
		}
		if (end == 0 || end > now)
			end = now;
		if (start >= end)
			start = end - 3600;
	}
	sb_printf(&b, "{");
	sb_ids(&b, "TraceIds", c->ids, c->nids);
	sb_time(&b, "StartTime", floor(start));
	sb_time(&b, "EndTime", ceil(end));
	sb_printf(&b, "}");
	c->next = j->calls;
	j->calls = c;
	c->id = aws_call(j->a, "StartTraceRetrieval", "/StartTraceRetrieval", b.p, aws_call_done, c);
	free(b.p);
}

static void
retrieval_poll(struct aws_job *j)
{
	struct sbuf b = { NULL, 0, 0 };

	sb_printf(&b, "{");
	sb_str(&b, "RetrievalToken", j->retrieval_token);
	sb_str(&b, "TraceFormat", "XRAY");
	if (j->token != NULL)
		sb_str(&b, "NextToken", j->token);
	sb_printf(&b, "}");
	job_call(j, "ListRetrievedTraces", "/ListRetrievedTraces", b.p);
	free(b.p);
}

static void
poll_fired(void *ctx)
{
	struct aws_job *j = ctx;

	j->poll_timer = 0;
	retrieval_poll(j);
}

static void
retrieval_answer(struct aws_job *j, struct jcall *c, const struct aws_result *r)
{
	const char *st;
	size_t i;

	if (!r->ok) {
		job_error(j, r->message);
		free(j->retrieval_token);
		j->retrieval_token = NULL;
		j->retrieving = 0;
		return;
	}
	if (strcmp(c->op, "StartTraceRetrieval") == 0) {
		if (r->page->retrieval_token == NULL) {
			job_error(j, "X-Ray StartTraceRetrieval: no RetrievalToken in the answer");
			j->retrieving = 0;
			return;
		}
		j->retrieval_token = xstrdup(r->page->retrieval_token);
		j->retrieval_started = loop_now();
		j->poll_timer = loop_add_timer(aws_loop(j->a), RETRIEVAL_POLL, poll_fired, j);
		return;
	}
	st = r->page->retrieval_status != NULL ? r->page->retrieval_status : "";
	if (strcmp(st, "COMPLETE") == 0) {
		j->prog.pages++;
		idset_free(&j->skip);
		for (i = 0; i < r->page->ntraces; i++)
			if (idset_has(&j->delivered, r->page->trace_ids[i]))
				idset_add(&j->skip, r->page->trace_ids[i]);
		deliver(j, "ListRetrievedTraces", r, 1);
		for (i = 0; i < r->page->ntraces; i++)
			if (idset_add(&j->delivered, r->page->trace_ids[i]))
				j->prog.traces_done++;
		take_token(&j->token, r->page);
		if (j->token != NULL) {
			retrieval_poll(j);
			return;
		}
		free(j->retrieval_token);
		j->retrieval_token = NULL;
		j->retrieving = 0;
		j->prog.traces_missing = j->prog.traces_wanted - j->prog.traces_done - j->npending;
		traces_pump(j);   /* the next hundred, if any */
		return;
	}
	if (strcmp(st, "FAILED") == 0 || strcmp(st, "CANCELLED") == 0 || strcmp(st, "TIMEOUT") == 0 ||
	    loop_now() - j->retrieval_started > RETRIEVAL_TIMEOUT) {
		char msg[200];

		snprintf(msg, sizeof msg, "X-Ray ListRetrievedTraces: the retrieval ended as %s",
		    st[0] != '\0' ? st : "too slow");
		job_error(j, msg);
		free(j->retrieval_token);
		j->retrieval_token = NULL;
		j->retrieving = 0;
		return;
	}
	j->poll_timer = loop_add_timer(aws_loop(j->a), RETRIEVAL_POLL, poll_fired, j);
}

/* ---------------------------------------------------------------- groups, sampling, time series */

static void
groups_next(struct aws_job *j)
{
	struct sbuf b = { NULL, 0, 0 };

	sb_printf(&b, "{");
	if (j->token != NULL)
		sb_str(&b, "NextToken", j->token);
	sb_printf(&b, "}");
	job_call(j, "GetGroups", "/Groups", b.p);
	free(b.p);
}

static void
groups_answer(struct aws_job *j, const struct aws_result *r)
{
	struct xray_group *g;
	size_t n;
	char err[200];

	if (!r->ok) {
		job_error(j, r->message);
		return;
	}
	if (json_decode_groups(r->body, r->len, j->scratch, &g, &n, err, sizeof err) != 0) {
		job_error(j, err);
		return;
	}
	j->prog.pages++;
	if (j->h.page != NULL)
		j->h.page(j->h.ctx, "GetGroups", r->body, r->len);
	if (n > 0 && j->h.groups != NULL)
		j->h.groups(j->h.ctx, g, n);
	arena_reset(j->scratch);
	take_token(&j->token, r->page);
	if (j->token != NULL)
		groups_next(j);
}

struct aws_job *
aws_fetch_groups(struct aws *a, const struct aws_handlers *h)
{
	struct aws_job *j = job_new(a, JOB_GROUPS, NULL, h);

	j->prog.what = "GetGroups";
	groups_next(j);
	return j;
}

static void
sampling_next(struct aws_job *j, int stats)
{
	struct sbuf b = { NULL, 0, 0 };
	const char *tok = stats ? j->stats_token : j->token;
	struct jcall *c;

	sb_printf(&b, "{");
	if (tok != NULL)
		sb_str(&b, "NextToken", tok);
	sb_printf(&b, "}");
	if (stats)
		c = job_call(j, "GetSamplingStatisticSummaries", "/SamplingStatisticSummaries", b.p);
	else
		c = job_call(j, "GetSamplingRules", "/GetSamplingRules", b.p);
	c->stats = stats;
	free(b.p);
}

/* Both lists are in: join, sort and hand them over. */
static void
sampling_deliver(struct aws_job *j)
{
	if (!j->rules_done || !j->stats_done)
		return;
	sampling_join(j->rules, j->nrules, j->stats, j->nstats);
	qsort(j->rules, j->nrules, sizeof *j->rules, sampling_rule_cmp);
	if (j->h.rules != NULL)
		j->h.rules(j->h.ctx, j->rules, j->nrules);
	if (j->h.rule_stats != NULL)
		j->h.rule_stats(j->h.ctx, j->stats, j->nstats);
}

static void
sampling_answer(struct aws_job *j, struct jcall *c, const struct aws_result *r)
{
	char err[200];
	size_t n, i;

	if (!r->ok) {
		job_error(j, r->message);
		if (c->stats)
			j->stats_done = 1;
		else
			j->rules_done = 1;
		sampling_deliver(j);
		return;
	}
	j->prog.pages++;
	if (j->h.page != NULL)
		j->h.page(j->h.ctx, c->op, r->body, r->len);
	if (c->stats) {
		struct sampling_stat *s;

		if (json_decode_sampling_stats(r->body, r->len, j->keep, &s, &n, err, sizeof err) != 0)
			job_error(j, err);
		else
			for (i = 0; i < n; i++) {
				if (j->nstats == j->capstats) {
					j->capstats = j->capstats ? j->capstats * 2 : 16;
					j->stats = xreallocarray(j->stats, j->capstats, sizeof *j->stats);
				}
				j->stats[j->nstats++] = s[i];
			}
		take_token(&j->stats_token, r->page);
		if (j->stats_token != NULL)
			sampling_next(j, 1);
		else
			j->stats_done = 1;
	} else {
		struct sampling_rule *rl;

		if (json_decode_sampling_rules(r->body, r->len, j->keep, &rl, &n, err, sizeof err) != 0)
			job_error(j, err);
		else
			for (i = 0; i < n; i++) {
				if (j->nrules == j->caprules) {
					j->caprules = j->caprules ? j->caprules * 2 : 16;
					j->rules = xreallocarray(j->rules, j->caprules, sizeof *j->rules);
				}
				j->rules[j->nrules++] = rl[i];
			}
		take_token(&j->token, r->page);
		if (j->token != NULL)
			sampling_next(j, 0);
		else
			j->rules_done = 1;
	}
	sampling_deliver(j);
}

struct aws_job *
aws_fetch_sampling(struct aws *a, const struct aws_handlers *h)
{
	struct aws_job *j = job_new(a, JOB_SAMPLING, NULL, h);

	j->prog.what = "GetSamplingRules";
	sampling_next(j, 0);
	sampling_next(j, 1);
	return j;
}

static void
timeseries_next(struct aws_job *j)
{
	struct sbuf b = { NULL, 0, 0 };

	sb_printf(&b, "{");
	sb_time(&b, "StartTime", j->start);
	sb_time(&b, "EndTime", j->end);
	if (j->group != NULL)
		sb_str(&b, "GroupName", j->group);
	if (j->selector != NULL)
		sb_str(&b, "EntitySelectorExpression", j->selector);
	if (j->q.period > 0)
		sb_printf(&b, ",\"Period\":%d", j->q.period);
	if (j->token != NULL)
		sb_str(&b, "NextToken", j->token);
	sb_printf(&b, "}");
	job_call(j, "GetTimeSeriesServiceStatistics", "/TimeSeriesServiceStatistics", b.p);
	free(b.p);
}

static void
timeseries_answer(struct aws_job *j, const struct aws_result *r)
{
	struct ts_point *p;
	size_t n;
	char err[200];

	if (!r->ok) {
		job_error(j, r->message);
		return;
	}
	if (json_decode_timeseries(r->body, r->len, j->scratch, &p, &n, err, sizeof err) != 0) {
		job_error(j, err);
		return;
	}
	j->prog.pages++;
	if (j->h.page != NULL)
		j->h.page(j->h.ctx, "GetTimeSeriesServiceStatistics", r->body, r->len);
	if (n > 0 && j->h.timeseries != NULL)
		j->h.timeseries(j->h.ctx, p, n);
	arena_reset(j->scratch);
	take_token(&j->token, r->page);
	if (j->token != NULL)
		timeseries_next(j);
}

struct aws_job *
aws_fetch_timeseries(struct aws *a, const struct aws_query *q, const struct aws_handlers *h)
{
	struct aws_job *j = job_new(a, JOB_TIMESERIES, q, h);

	j->prog.what = "GetTimeSeriesServiceStatistics";
	if (clamp_window(j) == 0)
		timeseries_next(j);
	job_check(j);
	return j;
}

/* ---------------------------------------------------------------- dispatch */

static void
aws_call_done(void *ctx, const struct aws_result *r)
{
	struct jcall *c = ctx;
	struct aws_job *j = c->j;

	jcall_unlink(j, c);
	if (j->finished) {
		jcall_free(c);
		return;
	}
	if (strcmp(c->op, "GetServiceGraph") == 0)
		graph_answer(j, r);
	else if (strcmp(c->op, "GetTraceSummaries") == 0)
		summaries_answer(j, r);
	else if (strcmp(c->op, "BatchGetTraces") == 0)
		batch_answer(j, c, r);
	else if (strcmp(c->op, "GetTraceSegmentDestination") == 0)
		destination_answer(j, r);
	else if (strcmp(c->op, "StartTraceRetrieval") == 0 || strcmp(c->op, "ListRetrievedTraces") == 0)
		retrieval_answer(j, c, r);
	else if (strcmp(c->op, "GetGroups") == 0)
		groups_answer(j, r);
	else if (strcmp(c->op, "GetTimeSeriesServiceStatistics") == 0)
		timeseries_answer(j, r);
	else
		sampling_answer(j, c, r);
	jcall_free(c);
	if (j->finished)
		return;
	progress(j);
	traces_pump(j);
	job_check(j);
}

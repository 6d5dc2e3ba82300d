/* test-json-in.c - the JSON decoder against the SDK corpus and hand-made documents. */
#include "config.h"

#include "xraytop/json-in.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/model.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/xmalloc.h"

#include "tap.h"

static char shared_dir[4096];

/* Find the shared folder: $SHARED_DIR, else $top_srcdir/../shared. */
static int
find_shared(void)
{
	const char *s = getenv("SHARED_DIR"), *top = getenv("top_srcdir");
	char probe[4200];
	FILE *f;

	if (s != NULL && *s != '\0')
		snprintf(shared_dir, sizeof shared_dir, "%s", s);
	else
		snprintf(shared_dir, sizeof shared_dir, "%s/../shared", top != NULL ? top : ".");
	snprintf(probe, sizeof probe, "%s/corpus/README.md", shared_dir);
	if ((f = fopen(probe, "r")) == NULL)
		return -1;
	fclose(f);
	return 0;
}

/* Read a whole file of the corpus into a heap buffer (NUL-terminated). */
static char *
slurp(const char *scenario, const char *name, size_t *len)
{
	char path[4400];
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	snprintf(path, sizeof path, "%s/corpus/%s/%s", shared_dir, scenario, name);
	if ((f = fopen(path, "rb")) == NULL) {
		ok(0, "open %s", path);
		*len = 0;
		return xstrdup("");
	}
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = xrealloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Occurrences of needle in the text (an independent count from the bytes). */
static size_t
count_substr(const char *text, const char *needle)
{
	size_t n = 0, l = strlen(needle);
	const char *p = text;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += l;
	}
	return n;
}

static size_t
count_lines(const char *text, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			n++;
	if (len > 0 && text[len - 1] != '\n')
		n++;
	return n;
}

/* ------------------------------------------------------------------ */
/* What the corpus tests count                                          */

struct tally {
	size_t	 docs, segments, independent, entities, bad;
	size_t	 frontend_error, frontend_fault, frontend_throttle;
	size_t	 orders_error, orders_fault, orders_throttle;
	size_t	 gateway_error, gateway_fault, gateway_throttle;
	size_t	 xff, xff_ip, traced, sql_sqlite, table_order_status, table_sessions;
	size_t	 slow_true, slow_false, item_count[6], tier_guest, tier_premium, tier_standard;
	size_t	 user_alice, bare_causes, bare_cause_found, nested_trace_ok, nested;
	size_t	 parent_link_ok, in_progress;
	char	 first_error[256];
};

static void
tally_entity(struct tally *t, const struct segment *doc, const struct segment *e)
{
	const struct annotation *an;
	const struct segment *c;

	t->entities++;
	if (e->flags & SEG_IN_PROGRESS)
		t->in_progress++;
	if (e->flags & SEG_TRACED)
		t->traced++;
	if (e->sql != NULL && e->sql->database_type != NULL &&
	    strcmp(e->sql->database_type, "sqlite3") == 0)
		t->sql_sqlite++;
	if (e->aws != NULL && e->aws->table_name != NULL) {
		if (strcmp(e->aws->table_name, "order-status") == 0)
			t->table_order_status++;
		else if (strcmp(e->aws->table_name, "sessions") == 0)
			t->table_sessions++;
	}
	if ((an = segment_annotation(e, "slow_path")) != NULL && an->type == ANNO_BOOL) {
		if (an->boolean)
			t->slow_true++;
		else
			t->slow_false++;
	}
	if ((an = segment_annotation(e, "item_count")) != NULL && an->type == ANNO_NUMBER &&
	    an->num >= 1 && an->num <= 5)
		t->item_count[(int)an->num]++;
	if ((an = segment_annotation(e, "tier")) != NULL && an->type == ANNO_STRING) {
		if (strcmp(an->str, "guest") == 0)
			t->tier_guest++;
		else if (strcmp(an->str, "premium") == 0)
			t->tier_premium++;
		else if (strcmp(an->str, "standard") == 0)
			t->tier_standard++;
	}
	if (e->cause != NULL && e->cause->exception_id != NULL) {
		/* A bare id refers to an exception recorded on a subsegment. */
		const struct segment *x;

		t->bare_causes++;
		for (x = e->children; x != NULL; x = x->next) {
			size_t i;

			if (x->cause == NULL)
				continue;
			for (i = 0; i < x->cause->nexceptions; i++)
				if (x->cause->exceptions[i].id != NULL &&
				    strcmp(x->cause->exceptions[i].id, e->cause->exception_id) == 0)
					t->bare_cause_found++;
		}
	}
	if (e != doc) {
		t->nested++;
		if (e->trace_id != NULL && strcmp(e->trace_id, doc->trace_id) == 0 &&
		    (e->flags & SEG_SUBSEGMENT) && !(e->flags & SEG_INDEPENDENT))
			t->nested_trace_ok++;
		if (e->parent != NULL && (e->parent_id == NULL || strcmp(e->parent_id, e->parent->id) == 0))
			t->parent_link_ok++;
	}
	for (c = e->children; c != NULL; c = c->next)
		tally_entity(t, doc, c);
}

static void
tally_doc(struct tally *t, const struct segment *s)
{
	const char *n = s->name;

	t->docs++;
	if (s->flags & SEG_INDEPENDENT)
		t->independent++;
	else {
		t->segments++;
		if (strcmp(n, "frontend") == 0) {
			t->frontend_error += !!(s->flags & SEG_ERROR);
			t->frontend_fault += !!(s->flags & SEG_FAULT);
			t->frontend_throttle += !!(s->flags & SEG_THROTTLE);
		} else if (strcmp(n, "orders") == 0) {
			t->orders_error += !!(s->flags & SEG_ERROR);
			t->orders_fault += !!(s->flags & SEG_FAULT);
			t->orders_throttle += !!(s->flags & SEG_THROTTLE);
		} else if (strcmp(n, "gateway") == 0) {
			t->gateway_error += !!(s->flags & SEG_ERROR);
			t->gateway_fault += !!(s->flags & SEG_FAULT);
			t->gateway_throttle += !!(s->flags & SEG_THROTTLE);
		}
		if (s->user != NULL && strcmp(s->user, "alice") == 0)
			t->user_alice++;
	}
	if (s->flags & SEG_XFF) {
		t->xff++;
		if (s->http != NULL && s->http->client_ip != NULL &&
		    strncmp(s->http->client_ip, "203.0.113.", 10) == 0)
			t->xff_ip++;
	}
	tally_entity(t, s, s);
}

static void
sink_tally(void *ctx, const struct segment *s)
{
	tally_doc(ctx, s);
}

/* Decode every line with json_decode_segment. */
static void
tally_lines(struct tally *t, const char *text, size_t len)
{
	struct arena *a = arena_new(0);
	const char *p = text, *end = text + len, *nl;
	char err[256];
	size_t off;

	memset(t, 0, sizeof *t);
	for (; p < end; p = nl + 1) {
		struct segment *s;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p)
			continue;
		s = json_decode_segment(p, (size_t)(nl - p), a, 0, err, sizeof err, &off);
		if (s == NULL) {
			if (t->bad++ == 0)
				snprintf(t->first_error, sizeof t->first_error, "%s", err);
		} else
			tally_doc(t, s);
		arena_reset(a);
	}
	arena_free(a);
}

/* Decode every line with json_decode, delivering to a tallying sink. */
static void
tally_decode_lines(struct tally *t, const char *text, size_t len, enum json_kind want,
    size_t *wrong_kind)
{
	struct arena *a = arena_new(0);
	struct sink sink = { t, sink_tally, NULL, NULL };
	const char *p = text, *end = text + len, *nl;
	struct json_result res;

	memset(t, 0, sizeof *t);
	*wrong_kind = 0;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p)
			continue;
		if (json_decode(p, (size_t)(nl - p), a, 0, &sink, &res) != want)
			(*wrong_kind)++;
		if (res.bad > 0 && t->bad++ == 0)
			snprintf(t->first_error, sizeof t->first_error, "%s", res.error);
		arena_reset(a);
	}
	arena_free(a);
}

static void
test_corpus_python(void)
{
	struct tally t, d;
	size_t len, blen, wrong;
	char *text = slurp("python-mesh", "segments.jsonl", &len);
	char *batch = slurp("python-mesh", "batch-get-traces.json", &blen);
	struct arena *a = arena_new(0);
	struct sink sink = { &d, sink_tally, NULL, NULL };
	struct json_result res;

	tally_lines(&t, text, len);
	is_int(t.bad, 0, "python-mesh: every document decodes");
	if (t.bad)
		diag("%s", t.first_error);
	is_int(t.docs, count_lines(text, len), "python-mesh: one document per line");
	is_int(t.segments, 86, "python-mesh: 86 segment documents (README)");
	is_int(t.independent, 0, "python-mesh: no independent subsegments");
	is_int(t.entities, count_substr(text, "\"start_time\""),
	    "python-mesh: one entity per start_time in the text (%zu)", t.entities);
	is_int(t.frontend_error, 13, "python-mesh: frontend error 13 (README)");
	is_int(t.frontend_throttle, 4, "python-mesh: frontend throttle 4");
	is_int(t.frontend_fault, 4, "python-mesh: frontend fault 4");
	is_int(t.orders_error, 9, "python-mesh: orders error 9");
	is_int(t.orders_throttle, 4, "python-mesh: orders throttle 4");
	is_int(t.orders_fault, 4, "python-mesh: orders fault 4");
	is_int(t.xff, 6, "python-mesh: 6 segments with x_forwarded_for (README)");
	is_int(t.xff_ip, 6, "python-mesh: their client_ip is the forwarded address");
	is_int(t.sql_sqlite, 33, "python-mesh: 33 sqlite3 sql blocks (orders -> orders.db)");
	is_int(t.table_order_status, 28, "python-mesh: 28 calls to table order-status");
	is_int(t.slow_false, 33, "python-mesh: slow_path false 33 (bool annotation)");
	is_int(t.slow_true, 4, "python-mesh: slow_path true 4");
	is_int(t.item_count[1], 5, "python-mesh: item_count 1: 5 (number annotation)");
	is_int(t.item_count[2], 3, "python-mesh: item_count 2: 3");
	is_int(t.item_count[4], 9, "python-mesh: item_count 4: 9");
	is_int(t.user_alice, 7, "python-mesh: user alice on 7 segments");
	ok(t.bare_causes > 0, "python-mesh: bare-string causes decode (%zu)", t.bare_causes);
	is_int(t.bare_cause_found, t.bare_causes,
	    "python-mesh: every bare cause names an exception of a subsegment");
	is_int(t.nested_trace_ok, t.nested, "python-mesh: nested subsegments keep the trace_id");
	is_int(t.parent_link_ok, t.nested, "python-mesh: nested parent links match parent_id");
	is_int(t.in_progress, 0, "python-mesh: nothing in progress");

	memset(&d, 0, sizeof d);
	is_int(json_decode(batch, blen, a, 0, &sink, &res), JSON_KIND_BATCH,
	    "python-mesh: batch-get-traces.json is a BatchGetTraces page");
	is_int(res.bad, 0, "python-mesh: batch has no bad documents");
	is_int(res.documents, t.docs, "python-mesh: batch delivers as many documents as segments.jsonl");
	is_int(d.docs, t.docs, "python-mesh: the sink saw them all");
	is_int(d.entities, t.entities, "python-mesh: batch documents hold the same entities");
	is_int(d.frontend_error, t.frontend_error, "python-mesh: batch frontend errors the same");
	arena_free(a);
	free(batch);
	free(text);

	text = slurp("python-mesh", "datagrams.jsonl", &len);
	tally_decode_lines(&d, text, len, JSON_KIND_DATAGRAM, &wrong);
	is_int(wrong, 0, "python-mesh: every datagrams.jsonl line is a wrapped datagram");
	is_int(d.bad, 0, "python-mesh: every datagram decodes");
	if (d.bad)
		diag("%s", d.first_error);
	is_int(d.docs, 86, "python-mesh: 86 datagrams (README)");
	is_int(d.entities, t.entities, "python-mesh: datagrams hold the same entities");
	free(text);
}

static void
test_corpus_node(void)
{
	struct tally t, d;
	size_t len, blen, wrong;
	char *text = slurp("node-gateway", "segments.jsonl", &len);
	char *batch = slurp("node-gateway", "batch-get-traces.json", &blen);
	struct arena *a = arena_new(0);
	struct sink sink = { &d, sink_tally, NULL, NULL };
	struct json_result res;

	tally_lines(&t, text, len);
	is_int(t.bad, 0, "node-gateway: every document decodes");
	if (t.bad)
		diag("%s", t.first_error);
	is_int(t.segments, 80, "node-gateway: 80 segment documents (README)");
	is_int(t.independent, 11, "node-gateway: 11 independent subsegments (README)");
	is_int(t.entities, count_substr(text, "\"start_time\""),
	    "node-gateway: one entity per start_time in the text (%zu)", t.entities);
	is_int(t.gateway_error, 11, "node-gateway: gateway error 11 (README)");
	is_int(t.gateway_throttle, 2, "node-gateway: gateway throttle 2");
	is_int(t.gateway_fault, 7, "node-gateway: gateway fault 7");
	is_int(t.frontend_error, 5, "node-gateway: frontend error 5");
	is_int(t.orders_fault, 3, "node-gateway: orders fault 3");
	is_int(t.traced, 22, "node-gateway: 22 traced calls gateway -> frontend");
	is_int(t.table_sessions, 24, "node-gateway: 24 calls to table sessions");
	is_int(t.table_order_status, 14, "node-gateway: 14 calls to table order-status");
	is_int(t.sql_sqlite, 17, "node-gateway: 17 sqlite3 sql blocks");
	is_int(t.tier_guest, 12, "node-gateway: tier guest 12 (string annotation)");
	is_int(t.tier_premium, 7, "node-gateway: tier premium 7");
	is_int(t.tier_standard, 5, "node-gateway: tier standard 5");
	is_int(t.nested_trace_ok, t.nested,
	    "node-gateway: nested Node subsegments inherit the document's trace_id");
	is_int(t.xff, 0, "node-gateway: no x_forwarded_for");

	memset(&d, 0, sizeof d);
	is_int(json_decode(batch, blen, a, 0, &sink, &res), JSON_KIND_BATCH,
	    "node-gateway: batch-get-traces.json is a BatchGetTraces page");
	is_int(res.bad, 0, "node-gateway: batch has no bad documents");
	is_int(res.documents, 91, "node-gateway: batch delivers 91 documents");
	is_int(d.independent, 11, "node-gateway: batch keeps the 11 independent subsegments");
	is_int(d.entities, t.entities, "node-gateway: batch documents hold the same entities");
	arena_free(a);
	free(batch);
	free(text);

	text = slurp("node-gateway", "datagrams.jsonl", &len);
	tally_decode_lines(&d, text, len, JSON_KIND_DATAGRAM, &wrong);
	is_int(wrong, 0, "node-gateway: every datagrams.jsonl line is a wrapped datagram");
	is_int(d.bad, 0, "node-gateway: every datagram decodes");
	is_int(d.docs, 91, "node-gateway: 91 datagrams (README)");
	is_int(d.independent, 11, "node-gateway: 11 of them independent subsegments");
	free(text);
}

/* ------------------------------------------------------------------ */
/* GetTraceSummaries                                                    */

struct sums {
	size_t	 n, error, fault, throttle, partial, no_duration;
	struct trace_summary first;
	char	 first_id[64];
	double	 response_sum;
};

static void
sink_summary(void *ctx, const struct trace_summary *s)
{
	struct sums *u = ctx;

	if (u->n == 0) {
		u->first = *s;
		snprintf(u->first_id, sizeof u->first_id, "%s", s->id);
	}
	u->n++;
	u->error += !!(s->flags & SUM_ERROR);
	u->fault += !!(s->flags & SUM_FAULT);
	u->throttle += !!(s->flags & SUM_THROTTLE);
	u->partial += !!(s->flags & SUM_PARTIAL);
	u->no_duration += s->duration < 0;
	u->response_sum += s->response_time;
}

static void
test_moto_summaries(const char *scenario, size_t want)
{
	struct sums u;
	struct sink sink = { &u, NULL, sink_summary, NULL };
	struct json_result res;
	struct arena *a = arena_new(0);
	size_t len;
	char *text = slurp(scenario, "moto-get-trace-summaries.json", &len);
	const char *id;

	memset(&u, 0, sizeof u);
	is_int(json_decode(text, len, a, 0, &sink, &res), JSON_KIND_SUMMARIES,
	    "%s: moto output is a GetTraceSummaries page", scenario);
	is_int(res.summaries, want, "%s: %zu summaries", scenario, want);
	is_int(u.n, want, "%s: the sink saw %zu", scenario, want);
	is_int(res.bad, 0, "%s: no bad summaries", scenario);
	is_int(u.error, count_substr(text, "\"HasError\": true"), "%s: HasError as in the file", scenario);
	is_int(u.fault, count_substr(text, "\"HasFault\": true"), "%s: HasFault as in the file", scenario);
	is_int(u.throttle, count_substr(text, "\"HasThrottle\": true"),
	    "%s: HasThrottle as in the file", scenario);
	is_int(u.partial, 0, "%s: no IsPartial (moto drops it)", scenario);
	is_dbl(u.response_sum, (double)want, 1e-9, "%s: moto's ResponseTime is always 1.0", scenario);
	id = strstr(text, "\"Id\": \"");
	ok(id != NULL && strncmp(id + 7, u.first_id, strlen(u.first_id)) == 0 &&
	    id[7 + strlen(u.first_id)] == '"', "%s: first summary id %s as in the file", scenario, u.first_id);
	free(text);
	arena_free(a);
}

static void
test_summary_fields(void)
{
	static const char page[] =
	    "{\"TraceSummaries\":[{\"Id\":\"1-59602603-23fc5b688855d396af79b496\",\"Duration\":3.232,"
	    "\"ResponseTime\":3.125,\"HasFault\":false,\"HasError\":true,\"HasThrottle\":true,"
	    "\"IsPartial\":true,\"StartTime\":1499473301.5,"
	    "\"Http\":{\"HttpURL\":\"http://scorekeep.elasticbeanstalk.com/api/user\",\"HttpStatus\":429,"
	    "\"HttpMethod\":\"POST\",\"UserAgent\":\"Mozilla/5.0\",\"ClientIp\":\"205.255.255.183\"},"
	    "\"Users\":[{\"UserName\":\"5M388M1E\",\"ServiceIds\":[]}],"
	    "\"ServiceIds\":[{\"Name\":\"Scorekeep\",\"Names\":[\"Scorekeep\"],\"Type\":\"AWS::EC2::Instance\"},"
	    "{\"Name\":\"scorekeep-user\",\"Type\":\"AWS::DynamoDB::Table\"}],"
	    "\"EntryPoint\":{\"Name\":\"Scorekeep\",\"Type\":\"AWS::EC2::Instance\"},"
	    "\"Annotations\":{\"UserID\":[{\"AnnotationValue\":{\"StringValue\":\"5M388M1E\"}},"
	    "{\"AnnotationValue\":{\"StringValue\":\"other\"}}],"
	    "\"score\":[{\"AnnotationValue\":{\"NumberValue\":12.5}}],"
	    "\"won\":[{\"AnnotationValue\":{\"BooleanValue\":true}}]}},"
	    "{\"Id\":\"1-59602604-aaaaaaaaaaaaaaaaaaaaaaaa\"},{\"HasError\":true}],"
	    "\"ApproximateTime\":1499473304.0,\"TracesProcessedCount\":2}";
	struct sums u;
	struct sink sink = { &u, NULL, sink_summary, NULL };
	struct json_result res;
	struct arena *a = arena_new(0);
	const struct trace_summary *s = &u.first;

	memset(&u, 0, sizeof u);
	is_int(json_decode(page, sizeof page - 1, a, 0, &sink, &res), JSON_KIND_SUMMARIES,
	    "summaries: hand-made page");
	is_int(res.summaries, 2, "summaries: two usable summaries");
	is_int(res.bad, 1, "summaries: the one without Id is bad");
	ok(strstr(res.error, "TraceSummaries[2]") != NULL && strstr(res.error, "no Id") != NULL,
	    "summaries: error names the entry (%s)", res.error);
	is_str(s->id, "1-59602603-23fc5b688855d396af79b496", "summaries: Id");
	is_dbl(s->start, 1499473301.5, 1e-6, "summaries: StartTime");
	is_dbl(s->duration, 3.232, 1e-9, "summaries: Duration");
	is_dbl(s->response_time, 3.125, 1e-9, "summaries: ResponseTime");
	is_int(s->flags, SUM_ERROR | SUM_THROTTLE | SUM_PARTIAL, "summaries: flags");
	is_str(s->url, "http://scorekeep.elasticbeanstalk.com/api/user", "summaries: HttpURL");
	is_int(s->status, 429, "summaries: HttpStatus");
	is_str(s->method, "POST", "summaries: HttpMethod");
	is_str(s->user_agent, "Mozilla/5.0", "summaries: UserAgent");
	is_str(s->client_ip, "205.255.255.183", "summaries: ClientIp");
	is_str(s->user, "5M388M1E", "summaries: Users[0].UserName");
	is_int(s->nservices, 2, "summaries: two ServiceIds");
	if (s->nservices == 2) {
		is_str(s->services[1].name, "scorekeep-user", "summaries: service name");
		is_str(s->services[1].type, "AWS::DynamoDB::Table", "summaries: service type");
	}
	is_str(s->root.name, "Scorekeep", "summaries: EntryPoint name");
	is_str(s->root.type, "AWS::EC2::Instance", "summaries: EntryPoint type");
	is_int(s->nannotations, 4, "summaries: one annotation per value");
	if (s->nannotations == 4) {
		is_str(s->annotations[1].key, "UserID", "summaries: second UserID value key");
		is_str(s->annotations[1].str, "other", "summaries: second UserID value");
		is_int(s->annotations[2].type, ANNO_NUMBER, "summaries: NumberValue");
		is_dbl(s->annotations[2].num, 12.5, 0, "summaries: NumberValue value");
		is_int(s->annotations[3].type, ANNO_BOOL, "summaries: BooleanValue");
		is_int(s->annotations[3].boolean, 1, "summaries: BooleanValue value");
	}
	is_int(u.no_duration, 1, "summaries: missing Duration -> -1");
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* GetServiceGraph                                                      */

struct graphs {
	size_t	 calls, n;
	struct arena *a;
	struct graph_service *svcs;   /* copies of the first page */
};

static void
sink_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	struct graphs *g = ctx;

	if (g->calls++ == 0) {
		g->svcs = arena_alloc(g->a, n * sizeof *svcs);
		memcpy(g->svcs, svcs, n * sizeof *svcs);  /* shallow: the scratch arena lives on */
		g->n = n;
	}
}

static const struct graph_service *
find_service(const struct graphs *g, int ref)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->svcs[i].reference_id == ref)
			return &g->svcs[i];
	return NULL;
}

static void
test_service_graph(void)
{
	/* Shaped like the documentation's example: client -> EC2 instance ->
	 * DynamoDB table and SNS; times as the AWS CLI v1 prints them. */
	static const char page[] =
	    "{\"StartTime\": \"2026-11-24T14:00:00+00:00\", \"EndTime\": \"2026-11-24T14:05:30.250000+00:00\",\n"
	    " \"Services\": [\n"
	    "  {\"ReferenceId\": 0, \"Name\": \"xray-sample.elasticbeanstalk.com\", \"Names\": [\"xray-sample.elasticbeanstalk.com\"],\n"
	    "   \"Type\": \"client\", \"State\": \"unknown\",\n"
	    "   \"StartTime\": \"2026-11-24T14:00:00+00:00\", \"EndTime\": \"2026-11-24T16:05:30.250000+02:00\",\n"
	    "   \"Edges\": [{\"ReferenceId\": 2, \"StartTime\": \"2026-11-24T14:00:00+00:00\",\n"
	    "     \"EndTime\": 1795529130.25,\n"
	    "     \"SummaryStatistics\": {\"OkCount\": 3, \"ErrorStatistics\": {\"ThrottleCount\": 0, \"OtherCount\": 1, \"TotalCount\": 1},\n"
	    "       \"FaultStatistics\": {\"OtherCount\": 0, \"TotalCount\": 0}, \"TotalCount\": 4, \"TotalResponseTime\": 0.273},\n"
	    "     \"ResponseTimeHistogram\": [{\"Value\": 0.005, \"Count\": 1}, {\"Value\": 0.015, \"Count\": 1},\n"
	    "       {\"Value\": 0.157, \"Count\": 1}, {\"Value\": 0.096, \"Count\": 1}], \"Aliases\": []}]},\n"
	    "  {\"ReferenceId\": 1, \"Name\": \"awseb-e-dixzws4s9p-stack-StartupSignupsTable-E5RLSNUVLN8D\",\n"
	    "   \"Type\": \"AWS::DynamoDB::Table\", \"State\": \"unknown\", \"Edges\": [],\n"
	    "   \"SummaryStatistics\": {\"OkCount\": 2, \"ErrorStatistics\": {\"ThrottleCount\": 0, \"OtherCount\": 0, \"TotalCount\": 0},\n"
	    "     \"FaultStatistics\": {\"OtherCount\": 0, \"TotalCount\": 0}, \"TotalCount\": 2, \"TotalResponseTime\": 0.12},\n"
	    "   \"ResponseTimeHistogram\": [{\"Value\": 0.076, \"Count\": 1}, {\"Value\": 0.044, \"Count\": 1}]},\n"
	    "  {\"ReferenceId\": 2, \"Name\": \"xray-sample.elasticbeanstalk.com\", \"Root\": true, \"AccountId\": \"123456789012\",\n"
	    "   \"Type\": \"AWS::EC2::Instance\", \"State\": \"active\",\n"
	    "   \"StartTime\": 1795528800, \"EndTime\": 1.79552913025E9,\n"
	    "   \"Edges\": [{\"ReferenceId\": 1, \"SummaryStatistics\": {\"OkCount\": 2, \"ErrorStatistics\": {\"ThrottleCount\": 1, \"OtherCount\": 0},\n"
	    "       \"FaultStatistics\": {\"TotalCount\": 0}, \"TotalCount\": 3, \"TotalResponseTime\": 0.125}},\n"
	    "     {\"ReferenceId\": 3, \"SummaryStatistics\": {\"OkCount\": 2, \"ErrorStatistics\": {\"ThrottleCount\": 0, \"OtherCount\": 0, \"TotalCount\": 0},\n"
	    "       \"FaultStatistics\": {\"OtherCount\": 0, \"TotalCount\": 0}, \"TotalCount\": 2, \"TotalResponseTime\": 0.2}}],\n"
	    "   \"SummaryStatistics\": {\"OkCount\": 3, \"ErrorStatistics\": {\"ThrottleCount\": 0, \"OtherCount\": 1, \"TotalCount\": 1},\n"
	    "     \"FaultStatistics\": {\"OtherCount\": 0, \"TotalCount\": 0}, \"TotalCount\": 4, \"TotalResponseTime\": 0.273},\n"
	    "   \"DurationHistogram\": [{\"Value\": 0.005, \"Count\": 1}],\n"
	    "   \"ResponseTimeHistogram\": [{\"Value\": 0.005, \"Count\": 1}, {\"Value\": 0.015, \"Count\": 1},\n"
	    "     {\"Value\": 0.157, \"Count\": 1}, {\"Value\": 0.096, \"Count\": 1}]},\n"
	    "  {\"ReferenceId\": 3, \"Name\": \"SNS\", \"Type\": \"AWS::SNS\", \"State\": \"unknown\", \"Edges\": [],\n"
	    "   \"SummaryStatistics\": {\"OkCount\": 2, \"ErrorStatistics\": {\"ThrottleCount\": 0, \"OtherCount\": 0, \"TotalCount\": 0},\n"
	    "     \"FaultStatistics\": {\"OtherCount\": 0, \"TotalCount\": 0}, \"TotalCount\": 2, \"TotalResponseTime\": 0.192}}\n"
	    " ], \"ContainsOldGroupVersions\": false}\n";
	static const char bad_time[] =
	    "{\"Services\":[{\"ReferenceId\":5,\"Name\":\"x\",\"StartTime\":\"yesterday\"},"
	    "{\"ReferenceId\":6,\"Name\":\"y\",\"StartTime\":\"2024-02-29T23:59:59Z\"},{\"Name\":\"no ref\"}]}";
	struct graphs g;
	struct sink sink = { &g, NULL, NULL, sink_graph };
	struct json_result res;
	struct arena *a = arena_new(0);
	const struct graph_service *c, *e, *t;

	memset(&g, 0, sizeof g);
	g.a = arena_new(0);
	is_int(json_decode(page, sizeof page - 1, a, 0, &sink, &res), JSON_KIND_GRAPH,
	    "graph: a GetServiceGraph page");
	is_int(res.services, 4, "graph: 4 services");
	is_int(res.bad, 0, "graph: nothing bad");
	is_int(g.calls, 1, "graph: delivered as one page");
	is_int(g.n, 4, "graph: the sink got 4 services");
	c = find_service(&g, 0);
	e = find_service(&g, 2);
	t = find_service(&g, 1);
	ok(c != NULL && e != NULL && t != NULL, "graph: services found by ReferenceId");
	if (c == NULL || e == NULL || t == NULL) {
		arena_free(g.a);
		arena_free(a);
		return;
	}
	is_str(c->type, "client", "graph: client node type");
	is_int(c->stats.present, 0, "graph: client node has no SummaryStatistics");
	is_dbl(c->start_time, 1795528800.0, 1e-6, "graph: ISO StartTime with +00:00");
	is_dbl(c->end_time, 1795529130.25, 1e-6, "graph: ISO EndTime with fraction and +02:00");
	is_int(c->nedges, 1, "graph: client has one edge");
	is_int(c->edges[0].reference_id, 2, "graph: client edge goes to ReferenceId 2");
	is_dbl(c->edges[0].start_time, 1795528800.0, 1e-6, "graph: edge ISO StartTime");
	is_dbl(c->edges[0].end_time, 1795529130.25, 1e-6, "graph: edge epoch EndTime");
	is_int(c->edges[0].stats.present, 1, "graph: edge statistics present");
	is_int(c->edges[0].stats.ok, 3, "graph: edge OkCount");
	is_int(c->edges[0].stats.error, 1, "graph: edge ErrorStatistics.TotalCount");
	is_int(c->edges[0].stats.total, 4, "graph: edge TotalCount");
	is_dbl(c->edges[0].stats.total_response_time, 0.273, 1e-12, "graph: edge TotalResponseTime");
	is_int(c->edges[0].nhistogram, 4, "graph: edge histogram entries");
	is_dbl(c->edges[0].histogram[3].value, 0.096, 1e-12, "graph: histogram kept unsorted");
	is_str(e->name, "xray-sample.elasticbeanstalk.com", "graph: service name");
	is_str(e->type, "AWS::EC2::Instance", "graph: service type");
	is_str(e->account_id, "123456789012", "graph: AccountId");
	is_str(e->state, "active", "graph: State");
	is_int(e->root, 1, "graph: Root");
	is_dbl(e->start_time, 1795528800.0, 0, "graph: integer StartTime");
	is_dbl(e->end_time, 1795529130.25, 1e-6, "graph: Java-style EndTime");
	is_int(e->stats.present, 1, "graph: service statistics present");
	is_int(e->stats.ok + e->stats.error + e->stats.fault, e->stats.total,
	    "graph: ok + error + fault = total");
	is_int(e->nhistogram, 4, "graph: ResponseTimeHistogram entries");
	is_int(e->nedges, 2, "graph: two edges from the instance");
	is_int(e->edges[0].stats.throttle, 1, "graph: edge ThrottleCount");
	is_int(e->edges[0].stats.error, 1, "graph: error total from Throttle + Other when TotalCount absent");
	is_int(t->nhistogram, 2, "graph: table histogram");
	is_int(t->nedges, 0, "graph: table has no edges");

	arena_free(g.a);
	memset(&g, 0, sizeof g);
	g.a = arena_new(0);
	is_int(json_decode(bad_time, sizeof bad_time - 1, a, 0, &sink, &res), JSON_KIND_GRAPH,
	    "graph: page with unusable services");
	is_int(res.services, 1, "graph: the good service is delivered");
	is_int(res.bad, 2, "graph: bad time and missing ReferenceId are counted");
	ok(strstr(res.error, "Services[0]") != NULL, "graph: first error kept (%s)", res.error);
	if (g.n == 1)
		is_dbl(g.svcs[0].start_time, 1709251199.0, 0, "graph: ISO time with Z (leap day)");
	else
		ok(0, "graph: ISO time with Z (leap day)");
	arena_free(g.a);
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* Fields of hand-made documents                                        */

static struct segment *
decode(struct arena *a, const char *text, char *err, size_t errlen)
{
	size_t off;

	return json_decode_segment(text, strlen(text), a, 0, err, errlen, &off);
}

static void
test_fields(void)
{
	/* A Node-style segment: trace_id first, whole seconds as integers. */
	static const char node[] =
	    "{\"trace_id\":\"1-6553f100-9f1eb9aaf697059b1de64909\",\"id\":\"9f567a09d8abf16f\","
	    "\"start_time\":1700000001,\"name\":\"cart-service\",\"end_time\":1700000002,"
	    "\"origin\":\"AWS::ECS::Container\",\"parent_id\":\"7db08033803f5c57\","
	    "\"http\":{\"request\":{\"method\":\"POST\",\"url\":\"http://cart/v1/cart?x=1\","
	    "\"user_agent\":\"ua\",\"client_ip\":\"10.1.2.3\",\"x_forwarded_for\":true},"
	    "\"response\":{\"status\":201,\"content_length\":17811}},"
	    "\"annotations\":{\"tenant\":\"acme\",\"cart_items\":3,\"order_total\":12.75,"
	    "\"is_premium\":true,\"cache_hit\":false,\"bad\":[1],\"worse\":{\"a\":1},\"nil\":null},"
	    "\"metadata\":{\"default\":{\"a\":[1,2.5,\"x\\\"y\\\\z\\n\"],\"b\":{\"c\":true,\"d\":null},"
	    "\"big\":12345678901234567890,\"tiny\":1e-7,\"neg\":-0.25}},"
	    "\"aws\":{\"ec2\":{\"instance_id\":\"i-0123\",\"availability_zone\":\"us-east-1a\"},"
	    "\"xray\":{\"sdk\":\"X-Ray for Node.js\",\"sdk_version\":\"3.5.3\"},\"account_id\":\"123456789012\","
	    "\"empty\":{},\"resource_names\":[\"orders\",\"x\"]},"
	    "\"service\":{\"version\":\"1.4.2\",\"runtime\":\"node\",\"nested\":{\"deep\":{\"k\":1}}},"
	    "\"user\":\"alice\",\"resource_arn\":\"arn:aws:ecs:x\","
	    "\"subsegments\":[{\"id\":\"dfc0a83d5207aceb\",\"name\":\"DynamoDB\",\"start_time\":1700000001.25,"
	    "\"end_time\":1700000001.5,\"namespace\":\"aws\",\"traced\":true,"
	    "\"aws\":{\"operation\":\"GetItem\",\"table_name\":\"orders\",\"region\":\"us-east-1\","
	    "\"request_id\":\"RID\",\"retries\":1,\"queue_url\":\"q\",\"function_name\":\"fn\"},"
	    "\"precursor_ids\":[\"1111111111111111\",\"2222222222222222\"],"
	    "\"subsegments\":[{\"id\":\"aaaaaaaaaaaaaaaa\",\"name\":\"orders.db\",\"start_time\":1700000001.3,"
	    "\"in_progress\":true,\"trace_id\":\"1-6553f100-9f1eb9aaf697059b1de64909\","
	    "\"sql\":{\"url\":\"jdbc:x\",\"connection_string\":\"cs\",\"sanitized_query\":\"SELECT 1\","
	    "\"database_type\":\"PostgreSQL\",\"database_version\":\"14\",\"driver_version\":\"42\","
	    "\"user\":\"app\",\"preparation\":\"statement\"}}]},"
	    "{\"id\":\"bbbbbbbbbbbbbbbb\",\"name\":\"render\",\"start_time\":1700000001.5,"
	    "\"end_time\":1700000001.75,\"error\":true,\"throttle\":true,"
	    "\"cause\":\"0123456789abcdef\"}]}";
	/* A Java-style document: name before id, Java doubles, a full cause. */
	static const char java[] =
	    "{\"name\":\"payment-service\",\"id\":\"1234567890abcdef\",\"start_time\":1.700000000123456E9,"
	    "\"end_time\":1.700000000523456E9,\"trace_id\":\"1-6553f100-000000000000000000000001\","
	    "\"fault\":true,\"inferred\":true,\"cause\":{\"working_directory\":\"/app\",\"paths\":[\"/a.jar\",\"/b.jar\"],"
	    "\"exceptions\":[{\"id\":\"e000000000000001\",\"message\":\"boom \\\"quoted\\\"\\n\",\"type\":\"IOException\","
	    "\"remote\":true,\"truncated\":12,\"skipped\":2,\"cause\":\"e000000000000002\","
	    "\"stack\":[{\"path\":\"Pay.java\",\"line\":42,\"label\":\"Pay.run\"},{\"path\":\"Main.java\",\"label\":\"main\"}]},"
	    "{\"id\":\"e000000000000002\",\"message\":\"root\"}]}}";
	/* The same text once with \u escapes (Python) and once raw UTF-8. */
	static const char esc[] =
	    "{\"id\": \"0000000000000001\", \"name\": \"caf\\u00e9 \\ud83d\\ude00 \\u4e2d\", \"start_time\": 1700000000.5, "
	    "\"trace_id\": \"1-6553f100-000000000000000000000002\", \"end_time\": 1700000001.0, "
	    "\"annotations\": {\"product\": \"\\u00dcber \\ud83d\\udce6\"}, \"metadata\": {\"n\": \"\\u00e9\\u0001\"}}";
	static const char raw[] =
	    "{\"id\":\"0000000000000001\",\"name\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe4\xb8\xad\",\"start_time\":1700000000.5,"
	    "\"trace_id\":\"1-6553f100-000000000000000000000002\",\"end_time\":1700000001.0,"
	    "\"annotations\":{\"product\":\"\xc3\x9c" "ber \xf0\x9f\x93\xa6\"},\"metadata\":{\"n\":\"\xc3\xa9\\u0001\"}}";
	static const char indep[] =
	    "{\"name\":\"api.example.com\",\"id\":\"53995c3f42cd8ad8\",\"start_time\":1.478293361271E9,"
	    "\"end_time\":1.478293361449E9,\"type\":\"subsegment\",\"trace_id\":\"1-581cf771-a006649127e371903a2de979\","
	    "\"parent_id\":\"defdfd9912dc5a56\",\"namespace\":\"remote\",\"http\":{\"request\":{\"url\":"
	    "\"https://api.example.com/health\",\"method\":\"POST\",\"traced\":true},\"response\":{\"status\":200}},"
	    "\"subsegments\":[{\"id\":\"53995c3f42cd8ad9\",\"name\":\"inner\",\"start_time\":1.4782933613E9,"
	    "\"end_time\":1.4782933614E9,\"type\":\"subsegment\"}]}";
	static const char nul[] =
	    "{\"id\":\"0000000000000003\",\"name\":\"ab\\u0000cd\",\"start_time\":1,\"trace_id\":\"t\",\"in_progress\":true,"
	    "\"end_time\":5}";
	char err[256];
	struct arena *a = arena_new(0);
	struct segment *s, *d, *r, *e, *x;
	const struct annotation *an;
	size_t i;

	s = decode(a, node, err, sizeof err);
	ok(s != NULL, "node: decodes");
	if (s == NULL) {
		diag("%s", err);
		return;
	}
	is_dbl(s->start_time, 1700000001.0, 0, "node: integer start_time");
	is_dbl(s->end_time, 1700000002.0, 0, "node: integer end_time");
	is_dbl(segment_duration(s), 1.0, 0, "node: duration");
	is_str(s->trace_id, "1-6553f100-9f1eb9aaf697059b1de64909", "node: trace_id");
	is_str(s->origin, "AWS::ECS::Container", "node: origin");
	is_str(s->parent_id, "7db08033803f5c57", "node: parent_id");
	is_str(s->user, "alice", "node: user");
	is_str(s->resource_arn, "arn:aws:ecs:x", "node: resource_arn");
	is_int(s->flags, SEG_XFF, "node: only SEG_XFF set");
	ok(s->http != NULL, "node: http block");
	if (s->http != NULL) {
		is_str(s->http->method, "POST", "node: http method");
		is_str(s->http->url, "http://cart/v1/cart?x=1", "node: http url keeps the query");
		is_str(s->http->user_agent, "ua", "node: user agent");
		is_str(s->http->client_ip, "10.1.2.3", "node: client ip");
		is_int(s->http->status, 201, "node: status");
		is_int(s->http->content_length, 17811, "node: content_length");
	}
	is_int(s->nannotations, 5, "node: scalar annotations kept, others skipped");
	an = segment_annotation(s, "tenant");
	ok(an != NULL && an->type == ANNO_STRING && strcmp(an->str, "acme") == 0, "node: string annotation");
	an = segment_annotation(s, "cart_items");
	ok(an != NULL && an->type == ANNO_NUMBER && an->num == 3, "node: integer annotation");
	an = segment_annotation(s, "order_total");
	ok(an != NULL && an->type == ANNO_NUMBER && an->num == 12.75, "node: float annotation");
	an = segment_annotation(s, "is_premium");
	ok(an != NULL && an->type == ANNO_BOOL && an->boolean == 1, "node: true annotation");
	an = segment_annotation(s, "cache_hit");
	ok(an != NULL && an->type == ANNO_BOOL && an->boolean == 0, "node: false annotation");
	ok(segment_annotation(s, "bad") == NULL && segment_annotation(s, "nil") == NULL,
	    "node: array and null annotations skipped");
	is_str(s->metadata,
	    "{\"default\":{\"a\":[1,2.5,\"x\\\"y\\\\z\\n\"],\"b\":{\"c\":true,\"d\":null},"
	    "\"big\":1.2345678901234567e+19,\"tiny\":1e-07,\"neg\":-0.25}}", "node: metadata as compact JSON");
	ok(s->aws != NULL, "node: aws block");
	if (s->aws != NULL) {
		static const char *const want[][2] = {
			{ "ec2.instance_id", "i-0123" }, { "ec2.availability_zone", "us-east-1a" },
			{ "xray.sdk", "X-Ray for Node.js" }, { "xray.sdk_version", "3.5.3" },
			{ "account_id", "123456789012" }, { "empty", "{}" },
			{ "resource_names", "[\"orders\",\"x\"]" },
		};

		is_str(s->aws->instance_id, "i-0123", "node: aws.ec2.instance_id");
		is_str(s->aws->availability_zone, "us-east-1a", "node: aws.ec2.availability_zone");
		is_str(s->aws->account_id, "123456789012", "node: aws.account_id");
		is_int(s->aws->retries, -1, "node: no retries -> -1");
		is_int(s->aws->nfields, 7, "node: every aws field flattened");
		for (i = 0; i < 7 && i < s->aws->nfields; i++) {
			is_str(s->aws->fields[i].key, want[i][0], "node: aws field %zu key", i);
			is_str(s->aws->fields[i].value, want[i][1], "node: aws field %zu value", i);
		}
	}
	is_int(s->nservice, 3, "node: service flattened");
	if (s->nservice == 3) {
		is_str(s->service[1].key, "runtime", "node: service.runtime key");
		is_str(s->service[1].value, "node", "node: service.runtime value");
		is_str(s->service[2].key, "nested.deep.k", "node: nested service key");
		is_str(s->service[2].value, "1", "node: number as text");
	}
	is_int(s->nchildren, 2, "node: two subsegments");
	is_int(segment_count(s), 4, "node: four entities");
	d = segment_find(s, "dfc0a83d5207aceb");
	ok(d != NULL && d->parent == s && d == s->children, "node: first subsegment linked");
	if (d != NULL) {
		ok(d->trace_id == s->trace_id, "node: nested trace_id inherited from the document");
		ok(d->parent_id == NULL, "node: nested subsegment without parent_id");
		is_int(d->flags, SEG_SUBSEGMENT | SEG_TRACED, "node: top-level traced on a subsegment");
		is_str(d->namespace, "aws", "node: namespace");
		is_str(d->aws->operation, "GetItem", "node: aws.operation");
		is_str(d->aws->table_name, "orders", "node: aws.table_name");
		is_str(d->aws->region, "us-east-1", "node: aws.region");
		is_str(d->aws->request_id, "RID", "node: aws.request_id");
		is_str(d->aws->queue_url, "q", "node: aws.queue_url");
		is_str(d->aws->function_name, "fn", "node: aws.function_name");
		is_int(d->aws->retries, 1, "node: aws.retries");
		is_int(d->nprecursors, 2, "node: precursor_ids");
		if (d->nprecursors == 2)
			is_str(d->precursor_ids[1], "2222222222222222", "node: second precursor");
		x = segment_find(s, "aaaaaaaaaaaaaaaa");
		ok(x != NULL && x->parent == d, "node: third level linked");
		if (x != NULL) {
			is_int(x->flags, SEG_SUBSEGMENT | SEG_IN_PROGRESS, "node: nested in_progress");
			is_dbl(x->end_time, 0, 0, "node: in-progress end_time 0");
			is_dbl(segment_duration(x), 0, 0, "node: in-progress duration 0");
			ok(x->sql != NULL, "node: sql block");
			if (x->sql != NULL) {
				is_str(x->sql->url, "jdbc:x", "node: sql.url");
				is_str(x->sql->connection_string, "cs", "node: sql.connection_string");
				is_str(x->sql->sanitized_query, "SELECT 1", "node: sql.sanitized_query");
				is_str(x->sql->database_type, "PostgreSQL", "node: sql.database_type");
				is_str(x->sql->database_version, "14", "node: sql.database_version");
				is_str(x->sql->driver_version, "42", "node: sql.driver_version");
				is_str(x->sql->user, "app", "node: sql.user");
				is_str(x->sql->preparation, "statement", "node: sql.preparation");
			}
			is_str(x->trace_id, s->trace_id, "node: equal nested trace_id");
		}
	}
	r = segment_find(s, "bbbbbbbbbbbbbbbb");
	ok(r != NULL && d != NULL && d->next == r && s->last_child == r, "node: sibling order kept");
	if (r != NULL) {
		is_int(segment_class(r), REQ_THROTTLE, "node: throttle class");
		ok(r->cause != NULL && r->cause->exception_id != NULL &&
		    strcmp(r->cause->exception_id, "0123456789abcdef") == 0 && r->cause->nexceptions == 0,
		    "node: bare-string cause");
	}
	ok(segment_find(s, "ffffffffffffffff") == NULL, "node: unknown id not found");
	is_int(segment_class(s), REQ_OK, "node: ok class");

	e = decode(a, java, err, sizeof err);
	ok(e != NULL, "java: decodes");
	if (e != NULL) {
		is_dbl(e->start_time, 1700000000.123456, 5e-7, "java: 1.700000000123456E9");
		is_dbl(segment_duration(e), 0.4, 1e-6, "java: duration");
		is_int(e->flags, SEG_FAULT | SEG_INFERRED, "java: fault and inferred");
		is_int(segment_class(e), REQ_FAULT, "java: fault class");
		ok(e->cause != NULL && e->cause->exception_id == NULL, "java: cause object");
		if (e->cause != NULL) {
			struct exception *ex = e->cause->exceptions;

			is_str(e->cause->working_directory, "/app", "java: working_directory");
			is_int(e->cause->npaths, 2, "java: paths");
			is_int(e->cause->nexceptions, 2, "java: exceptions");
			if (e->cause->nexceptions == 2) {
				is_str(ex[0].id, "e000000000000001", "java: exception id");
				is_str(ex[0].message, "boom \"quoted\"\n", "java: message unescaped");
				is_str(ex[0].type, "IOException", "java: type");
				is_str(ex[0].cause, "e000000000000002", "java: exception cause");
				is_int(ex[0].remote, 1, "java: remote");
				is_int(ex[0].truncated, 12, "java: truncated");
				is_int(ex[0].skipped, 2, "java: skipped");
				is_int(ex[0].nstack, 2, "java: stack frames");
				if (ex[0].nstack == 2) {
					is_str(ex[0].stack[0].path, "Pay.java", "java: frame path");
					is_str(ex[0].stack[0].label, "Pay.run", "java: frame label");
					is_int(ex[0].stack[0].line, 42, "java: frame line");
					is_int(ex[0].stack[1].line, 0, "java: frame without line");
				}
				is_int(ex[1].nstack, 0, "java: exception without stack");
			}
		}
	}

	d = decode(a, esc, err, sizeof err);
	r = decode(a, raw, err, sizeof err);
	ok(d != NULL && r != NULL, "unicode: both spellings decode");
	if (d != NULL && r != NULL) {
		is_str(d->name, "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe4\xb8\xad", "unicode: \\u escapes and a surrogate pair");
		is_str(d->name, r->name, "unicode: same bytes as raw UTF-8");
		is_str(d->annotations[0].str, r->annotations[0].str, "unicode: annotation value the same");
		is_str(d->metadata, r->metadata, "unicode: metadata the same");
		is_str(d->metadata, "{\"n\":\"\xc3\xa9\\u0001\"}", "unicode: metadata raw UTF-8, control escaped");
		is_dbl(d->end_time, 1700000001.0, 0, "unicode: end_time");
	}

	d = decode(a, indep, err, sizeof err);
	ok(d != NULL, "independent: decodes");
	if (d != NULL) {
		is_int(d->flags, SEG_INDEPENDENT | SEG_SUBSEGMENT | SEG_TRACED, "independent: flags");
		is_str(d->parent_id, "defdfd9912dc5a56", "independent: parent_id");
		is_int(d->http->status, 200, "independent: status");
		is_int(d->http->content_length, -1, "independent: content_length absent -> -1");
		ok(d->children != NULL && d->children->flags == SEG_SUBSEGMENT,
		    "independent: nested one is only SEG_SUBSEGMENT");
	}

	d = decode(a, nul, err, sizeof err);
	ok(d != NULL, "nul: decodes");
	if (d != NULL) {
		is_str(d->name, "ab", "nul: string truncated at an embedded NUL");
		is_int(d->flags, SEG_IN_PROGRESS, "nul: in_progress true");
		is_dbl(d->end_time, 0, 0, "nul: in_progress wins over end_time");
	}
	arena_free(a);
}

static void
test_keep_raw(void)
{
	static const char doc[] =
	    "{\"id\":\"0000000000000001\",\"name\":\"n\",\"start_time\":1,\"end_time\":2,\"trace_id\":\"t\"}";
	char line[256], err[256];
	struct arena *a = arena_new(0);
	struct segment *s;
	size_t off;

	snprintf(line, sizeof line, "  %s \r\n", doc);
	s = json_decode_segment(line, strlen(line), a, JSON_KEEP_RAW, err, sizeof err, &off);
	ok(s != NULL && s->raw != NULL && s->raw_len == strlen(doc) && strcmp(s->raw, doc) == 0,
	    "raw: JSON_KEEP_RAW keeps the document text");
	s = json_decode_segment(line, strlen(line), a, 0, err, sizeof err, &off);
	ok(s != NULL && s->raw == NULL && s->raw_len == 0, "raw: not kept without the option");
	ok(s != NULL && s->end_time == 2 && !(s->flags & SEG_IN_PROGRESS), "raw: complete");
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* Headers, datagrams and errors                                        */

static void
test_headers(void)
{
	static const char *const good[] = {
		"{\"format\":\"json\",\"version\":1}",
		"{\"format\": \"json\", \"version\": 1}",
		"{ \"version\" : 1 , \"format\" : \"JSON\" }",
		"{\"format\":\"Json\",\"version\":1,\"extra\":true}\r",
	};
	static const char *const bad[] = {
		"{\"format\":\"json\",\"version\":\"1\"}",
		"{\"format\":\"xml\",\"version\":1}",
		"{\"format\":\"json\",\"version\":2}",
		"{\"format\":\"json\",\"version\":1.5}",
		"{\"format\":\"json\"}",
		"{\"version\":1}",
		"{\"format\":\"json\",\"version\":1",
		"[\"format\",\"json\"]",
		"",
		"\x01\x02\xff",
	};
	size_t i;

	for (i = 0; i < sizeof good / sizeof *good; i++)
		ok(json_is_header(good[i], strlen(good[i])), "header accepted: %s", good[i]);
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		ok(!json_is_header(bad[i], strlen(bad[i])), "header rejected: #%zu %s", i, bad[i]);
}

static void
test_datagrams(void)
{
	static const char body[] =
	    "{\"id\":\"0000000000000001\",\"name\":\"n\",\"start_time\":1,\"end_time\":2,\"trace_id\":\"t\"}";
	static const char hdr[] = "{\"format\": \"json\", \"version\": 1}";
	char dg[512], err[256];
	struct arena *a = arena_new(0);
	struct segment *s;
	size_t n;

	n = (size_t)snprintf(dg, sizeof dg, "%s\n%s", hdr, body);
	s = json_decode_datagram(dg, n, a, JSON_KEEP_RAW, err, sizeof err);
	ok(s != NULL && strcmp(s->id, "0000000000000001") == 0, "datagram: spaced header");
	ok(s != NULL && s->raw != NULL && strcmp(s->raw, body) == 0, "datagram: raw is the document part");
	n = (size_t)snprintf(dg, sizeof dg, "{\"format\":\"json\",\"version\":1}\n%s\n", body);
	ok(json_decode_datagram(dg, n, a, 0, err, sizeof err) != NULL, "datagram: compact header, trailing newline");
	/* The body may itself span lines: only the first newline splits. */
	n = (size_t)snprintf(dg, sizeof dg, "%s\n{\"id\":\"0000000000000001\",\n\"name\":\"n\",\n"
	    "\"start_time\":1,\"trace_id\":\"t\"}", hdr);
	ok(json_decode_datagram(dg, n, a, 0, err, sizeof err) != NULL, "datagram: multi-line body");

	ok(json_decode_datagram(body, strlen(body), a, 0, err, sizeof err) == NULL &&
	    strncmp(err, "no header", 9) == 0, "datagram: no newline -> %s", err);
	n = (size_t)snprintf(dg, sizeof dg, "{\"format\":\"json\",\"version\":\"1\"}\n%s", body);
	ok(json_decode_datagram(dg, n, a, 0, err, sizeof err) == NULL &&
	    strncmp(err, "bad header", 10) == 0, "datagram: version \"1\" -> %s", err);
	n = (size_t)snprintf(dg, sizeof dg, "{\"format\":\"xml\",\"version\":1}\n%s", body);
	ok(json_decode_datagram(dg, n, a, 0, err, sizeof err) == NULL &&
	    strncmp(err, "bad header", 10) == 0, "datagram: format xml -> %s", err);
	/* Truncated: the error is at the end of the datagram. */
	n = (size_t)snprintf(dg, sizeof dg, "%s\n%.40s", hdr, body);
	ok(json_decode_datagram(dg, n, a, 0, err, sizeof err) == NULL &&
	    strncmp(err, "invalid JSON", 12) == 0 && strstr(err, "end of input") != NULL,
	    "datagram: truncated -> %s", err);
	{
		char want[64];

		snprintf(want, sizeof want, "at byte %zu", n);
		ok(strstr(err, want) != NULL, "datagram: truncation offset counts from the datagram (%s)", want);
	}
	n = (size_t)snprintf(dg, sizeof dg, "%s\n\x01\xfe\xff garbage", hdr);
	ok(json_decode_datagram(dg, n, a, 0, err, sizeof err) == NULL &&
	    strncmp(err, "invalid JSON", 12) == 0, "datagram: binary garbage -> %s", err);
	n = (size_t)snprintf(dg, sizeof dg, "%s\n", hdr);
	ok(json_decode_datagram(dg, n, a, 0, err, sizeof err) == NULL &&
	    strncmp(err, "invalid JSON", 12) == 0, "datagram: empty document -> %s", err);
	n = (size_t)snprintf(dg, sizeof dg, "%s\n{\"name\":\"n\",\"start_time\":1,\"trace_id\":\"t\"}", hdr);
	ok(json_decode_datagram(dg, n, a, 0, err, sizeof err) == NULL && strcmp(err, "no id") == 0,
	    "datagram: missing id -> %s", err);
	n = (size_t)snprintf(dg, sizeof dg, "%s\n{\"id\":\"0000000000000001\",\"name\":\"n\",\"start_time\":1}", hdr);
	ok(json_decode_datagram(dg, n, a, 0, err, sizeof err) == NULL && strcmp(err, "no trace_id") == 0,
	    "datagram: missing trace_id -> %s", err);

	{
		const char *w = "{\"datagram\": \"{\\\"format\\\":\\\"json\\\",\\\"version\\\":1}\\n"
		    "{\\\"id\\\":\\\"0000000000000001\\\",\\\"name\\\":\\\"n\\\",\\\"start_time\\\":1,"
		    "\\\"trace_id\\\":\\\"t\\\"}\"}";
		const char *wbad = "{\"datagram\": \"{\\\"format\\\":\\\"json\\\",\\\"version\\\":1}\"}";
		struct json_result res;

		is_int(json_decode(w, strlen(w), a, 0, NULL, &res), JSON_KIND_DATAGRAM, "wrapped datagram: kind");
		is_int(res.documents, 1, "wrapped datagram: one document");
		is_int(json_decode(wbad, strlen(wbad), a, 0, NULL, &res), JSON_KIND_DATAGRAM,
		    "wrapped datagram without body: kind");
		ok(res.bad == 1 && strstr(res.error, "no header") != NULL, "wrapped datagram without body: %s",
		    res.error);
	}
	arena_free(a);
}

static void
test_errors(void)
{
	static const struct {
		const char	*text;
		const char	*want;     /* error text, exact */
		size_t		 offset;
	} cases[] = {
		{ "{\"id\":\"0000000000000001\",\"name\":\"n\",\"start_time\":1,\"trace_id\":\"t\"", 
		  "invalid JSON: unexpected end of input at byte 65", 65 },
		{ "{\"id\":\"0000000000000001\",\"name\":\"n\",\"start_time\":1,\"trace_id\":\"t", 
		  "invalid JSON: unexpected end of input at byte 64", 64 },
		{ "{\"id\": x}", "invalid JSON: syntax error at byte 7", 7 },
		{ "{\"id\":\"1\"} {}", "invalid JSON: unexpected data after the value at byte 11", 11 },
		{ "\x89PNG\r\n\x1a\n\x00\x00", "invalid JSON: syntax error at byte 0", 0 },
		{ "   ", "invalid JSON: empty document", 3 },
		{ "[1,2]", "not a JSON object", 0 },
		{ "{\"name\":\"n\",\"start_time\":1,\"trace_id\":\"t\"}", "no id", 0 },
		{ "{\"id\":\"\",\"name\":\"n\",\"start_time\":1,\"trace_id\":\"t\"}", "no id", 0 },
		{ "{\"id\":7,\"name\":\"n\",\"start_time\":1,\"trace_id\":\"t\"}", "id is not a string", 0 },
		{ "{\"id\":\"1\",\"name\":\"n\",\"start_time\":1}", "no trace_id", 0 },
		{ "{\"id\":\"1\",\"start_time\":1,\"trace_id\":\"t\"}", "no name", 0 },
		{ "{\"id\":\"1\",\"name\":\"n\",\"trace_id\":\"t\"}", "no start_time", 0 },
		{ "{\"id\":\"1\",\"name\":\"n\",\"trace_id\":\"t\",\"start_time\":\"1700000000.5\"}",
		  "start_time is not a number", 0 },
		{ "{\"id\":\"1\",\"name\":\"n\",\"trace_id\":\"t\",\"start_time\":1,\"end_time\":\"2\"}",
		  "end_time is not a number", 0 },
		{ "{\"id\":\"1\",\"name\":\"n\",\"trace_id\":\"t\",\"start_time\":1,\"subsegments\":"
		  "[{\"id\":\"2\",\"name\":\"s\",\"start_time\":1},{\"id\":\"3\",\"start_time\":1}]}",
		  "subsegment 3: no name", 0 },
		{ "{\"id\":\"1\",\"name\":\"n\",\"trace_id\":\"t\",\"start_time\":1,\"subsegments\":"
		  "[{\"name\":\"s\",\"start_time\":1}]}", "subsegment #0 of 1: no id", 0 },
		{ "{\"id\":\"1\",\"name\":\"n\",\"trace_id\":\"t\",\"start_time\":1,\"subsegments\":[1]}",
		  "subsegment #0 of 1: not an object", 0 },
	};
	struct arena *a = arena_new(0);
	char err[256];
	size_t i, off, len;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		len = i == 4 ? 10 : strlen(cases[i].text);
		off = 12345;
		ok(json_decode_segment(cases[i].text, len, a, 0, err, sizeof err, &off) == NULL,
		    "error %zu: rejected", i);
		is_str(err, cases[i].want, "error %zu: message", i);
		is_int(off, cases[i].offset, "error %zu: offset", i);
	}
	{
		struct json_result res;

		is_int(json_decode("{\"id\": x}", 9, a, 0, NULL, &res), JSON_KIND_INVALID, "json_decode: invalid");
		is_int(res.offset, 7, "json_decode: error offset");
		is_int(res.bad, 1, "json_decode: counted bad");
		is_int(json_decode("{\"id\":\"1\"}", 10, a, 0, NULL, &res), JSON_KIND_SEGMENT,
		    "json_decode: segment-shaped but incomplete");
		is_str(res.error, "no trace_id", "json_decode: reason kept");
		is_int(res.documents, 0, "json_decode: nothing delivered");
		is_int(json_decode("{\"format\":\"json\",\"version\":1}", 29, a, 0, NULL, &res), JSON_KIND_HEADER,
		    "json_decode: a header line");
		is_int(res.bad, 0, "json_decode: a header is not bad");
		is_int(json_decode("{\"format\":\"xml\",\"version\":1}", 28, a, 0, NULL, &res), JSON_KIND_INVALID,
		    "json_decode: a bad header line");
		is_int(json_decode("{\"foo\":1}", 9, a, 0, NULL, &res), JSON_KIND_INVALID,
		    "json_decode: unknown shape");
		ok(res.error[0] != '\0', "json_decode: unknown shape explained (%s)", res.error);
	}
	arena_free(a);
}

static void
test_batch_bad(void)
{
	static const char page[] =
	    "{\"Traces\":[{\"Id\":\"1-a\",\"Segments\":["
	    "{\"Id\":\"1\",\"Document\":\"{\\\"id\\\":\\\"0000000000000001\\\",\\\"name\\\":\\\"a\\\",\\\"start_time\\\":1,"
	    "\\\"end_time\\\":2,\\\"trace_id\\\":\\\"1-a\\\"}\"},"
	    "{\"Id\":\"2\",\"Document\":\"{\\\"id\\\":\\\"0000000000000002\\\",\\\"name\\\":\"},"
	    "{\"Id\":\"3\",\"Document\":\"{\\\"name\\\":\\\"c\\\",\\\"start_time\\\":1,\\\"trace_id\\\":\\\"1-a\\\"}\"},"
	    "{\"Id\":\"4\"}]},"
	    "{\"Id\":\"1-b\",\"Segments\":[{\"Id\":\"5\",\"Document\":\"{\\\"id\\\":\\\"0000000000000005\\\","
	    "\\\"name\\\":\\\"e\\\",\\\"start_time\\\":1.5E9,\\\"inferred\\\":true,\\\"end_time\\\":1.5000000001E9,"
	    "\\\"trace_id\\\":\\\"1-b\\\"}\"}]}],\"UnprocessedTraceIds\":[]}";
	struct tally t;
	struct sink sink = { &t, sink_tally, NULL, NULL };
	struct json_result res;
	struct arena *a = arena_new(0);

	memset(&t, 0, sizeof t);
	is_int(json_decode(page, sizeof page - 1, a, JSON_KEEP_RAW, &sink, &res), JSON_KIND_BATCH,
	    "batch: page with bad documents");
	is_int(res.documents, 2, "batch: good documents delivered");
	is_int(t.docs, 2, "batch: sink saw them");
	is_int(res.bad, 3, "batch: bad documents counted");
	ok(strncmp(res.error, "Traces[0].Segments[1]: invalid JSON", 35) == 0, "batch: first error kept (%s)",
	    res.error);
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* Deep nesting                                                         */

static void
test_nesting(void)
{
	size_t depth = 10000, i, n = 0, off = 0;
	char *buf = xmalloc(depth * 2 + 1), *doc;
	struct json_result res;
	struct arena *a = arena_new(0);
	struct segment *s;
	char err[256];

	for (i = 0; i < depth; i++)
		buf[n++] = '[';
	for (i = 0; i < depth; i++)
		buf[n++] = ']';
	is_int(json_decode(buf, n, a, 0, NULL, &res), JSON_KIND_INVALID, "nesting: 10000 arrays rejected");
	ok(strstr(res.error, "nesting deeper than") != NULL, "nesting: reason (%s)", res.error);
	is_int(res.offset, 1000, "nesting: offset of the first level too deep");
	free(buf);

	/* 10000 nested subsegments: too deep for cJSON, rejected cleanly. */
	doc = xmalloc(depth * 120 + 200);
	n = (size_t)sprintf(doc, "{\"id\":\"0000000000000000\",\"name\":\"root\",\"start_time\":1,"
	    "\"end_time\":2,\"trace_id\":\"t\",\"subsegments\":[");
	for (i = 1; i < depth; i++)
		n += (size_t)sprintf(doc + n, "{\"id\":\"%016zx\",\"name\":\"s\",\"start_time\":1,"
		    "\"end_time\":2,\"subsegments\":[", i);
	for (i = 1; i < depth; i++)
		n += (size_t)sprintf(doc + n, "]}");
	n += (size_t)sprintf(doc + n, "]}");
	s = json_decode_segment(doc, n, a, 0, err, sizeof err, &off);
	ok(s == NULL && strstr(err, "nesting deeper than") != NULL, "nesting: 10000 subsegment levels: %s", err);

	/* 400 levels (800 JSON levels) is within the limit and decodes. */
	depth = 400;
	n = (size_t)sprintf(doc, "{\"id\":\"0000000000000000\",\"name\":\"root\",\"start_time\":1,"
	    "\"end_time\":2,\"trace_id\":\"t\",\"subsegments\":[");
	for (i = 1; i < depth; i++)
		n += (size_t)sprintf(doc + n, "{\"id\":\"%016zx\",\"name\":\"s\",\"start_time\":1,"
		    "\"end_time\":2,\"subsegments\":[", i);
	for (i = 1; i < depth; i++)
		n += (size_t)sprintf(doc + n, "]}");
	n += (size_t)sprintf(doc + n, "]}");
	s = json_decode_segment(doc, n, a, 0, err, sizeof err, &off);
	ok(s != NULL, "nesting: 400 subsegment levels decode");
	if (s != NULL) {
		struct segment *deep = segment_find(s, "000000000000018f");

		is_int(segment_count(s), 400, "nesting: 400 entities");
		ok(deep != NULL && deep->children == NULL && deep->parent != NULL &&
		    strcmp(deep->parent->id, "000000000000018e") == 0, "nesting: deepest linked to its parent");
		ok(deep != NULL && deep->trace_id == s->trace_id, "nesting: deepest inherits trace_id");
	}
	free(doc);
	arena_free(a);
}

/* ------------------------------------------------------------------ */
/* segment_copy                                                         */

static int
str_eq(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

/* Nonzero when the strings are equal and, if not NULL, not the same storage. */
static int
str_indep(const char *a, const char *b)
{
	return str_eq(a, b) && (a == NULL || a != b);
}

static int
fields_eq(const struct field *a, const struct field *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!str_indep(a[i].key, b[i].key) || !str_indep(a[i].value, b[i].value))
			return 0;
	return 1;
}

/* Whole-tree comparison; reports the first difference. */
static int
tree_eq(const struct segment *a, const struct segment *b, const struct segment *bparent)
{
	const struct segment *ca, *cb;
	size_t i;

#define CHECK(cond) do { if (!(cond)) { diag("differs at %s: %s", a->id ? a->id : "?", #cond); return 0; } } while (0)
	CHECK(a != b);
	CHECK(b->parent == bparent);
	CHECK(str_indep(a->name, b->name) && str_indep(a->id, b->id) && str_eq(a->trace_id, b->trace_id));
	CHECK(a->trace_id != b->trace_id);
	CHECK(str_eq(a->parent_id, b->parent_id) && str_indep(a->origin, b->origin));
	CHECK(str_indep(a->namespace, b->namespace) && str_indep(a->user, b->user));
	CHECK(str_indep(a->resource_arn, b->resource_arn) && str_indep(a->metadata, b->metadata));
	CHECK(a->start_time == b->start_time && a->end_time == b->end_time && a->flags == b->flags);
	CHECK((a->http == NULL) == (b->http == NULL));
	if (a->http != NULL) {
		CHECK(a->http != b->http);
		CHECK(str_indep(a->http->method, b->http->method) && str_indep(a->http->url, b->http->url));
		CHECK(str_indep(a->http->user_agent, b->http->user_agent));
		CHECK(str_indep(a->http->client_ip, b->http->client_ip));
		CHECK(a->http->status == b->http->status && a->http->content_length == b->http->content_length);
	}
	CHECK((a->aws == NULL) == (b->aws == NULL));
	if (a->aws != NULL) {
		CHECK(a->aws != b->aws && a->aws->nfields == b->aws->nfields);
		CHECK(fields_eq(a->aws->fields, b->aws->fields, a->aws->nfields));
		CHECK(str_indep(a->aws->operation, b->aws->operation));
		CHECK(str_indep(a->aws->table_name, b->aws->table_name));
		CHECK(str_indep(a->aws->region, b->aws->region));
		CHECK(str_indep(a->aws->request_id, b->aws->request_id));
		CHECK(str_indep(a->aws->account_id, b->aws->account_id));
		CHECK(str_indep(a->aws->queue_url, b->aws->queue_url));
		CHECK(str_indep(a->aws->function_name, b->aws->function_name));
		CHECK(str_indep(a->aws->instance_id, b->aws->instance_id));
		CHECK(str_indep(a->aws->availability_zone, b->aws->availability_zone));
		CHECK(a->aws->retries == b->aws->retries);
	}
	CHECK((a->sql == NULL) == (b->sql == NULL));
	if (a->sql != NULL) {
		CHECK(a->sql != b->sql);
		CHECK(str_indep(a->sql->url, b->sql->url) && str_indep(a->sql->user, b->sql->user));
		CHECK(str_indep(a->sql->connection_string, b->sql->connection_string));
		CHECK(str_indep(a->sql->sanitized_query, b->sql->sanitized_query));
		CHECK(str_indep(a->sql->database_type, b->sql->database_type));
		CHECK(str_indep(a->sql->database_version, b->sql->database_version));
		CHECK(str_indep(a->sql->driver_version, b->sql->driver_version));
		CHECK(str_indep(a->sql->preparation, b->sql->preparation));
	}
	CHECK((a->cause == NULL) == (b->cause == NULL));
	if (a->cause != NULL) {
		CHECK(a->cause != b->cause);
		CHECK(str_indep(a->cause->exception_id, b->cause->exception_id));
		CHECK(str_indep(a->cause->working_directory, b->cause->working_directory));
		CHECK(a->cause->npaths == b->cause->npaths && a->cause->nexceptions == b->cause->nexceptions);
		for (i = 0; i < a->cause->npaths; i++)
			CHECK(str_indep(a->cause->paths[i], b->cause->paths[i]));
		for (i = 0; i < a->cause->nexceptions; i++) {
			const struct exception *ea = &a->cause->exceptions[i], *eb = &b->cause->exceptions[i];
			size_t j;

			CHECK(str_indep(ea->id, eb->id) && str_indep(ea->message, eb->message));
			CHECK(str_indep(ea->type, eb->type) && str_indep(ea->cause, eb->cause));
			CHECK(ea->remote == eb->remote && ea->truncated == eb->truncated);
			CHECK(ea->skipped == eb->skipped && ea->nstack == eb->nstack);
			for (j = 0; j < ea->nstack; j++) {
				CHECK(str_indep(ea->stack[j].path, eb->stack[j].path));
				CHECK(str_indep(ea->stack[j].label, eb->stack[j].label));
				CHECK(ea->stack[j].line == eb->stack[j].line);
			}
		}
	}
	CHECK(a->nannotations == b->nannotations);
	for (i = 0; i < a->nannotations; i++) {
		CHECK(str_indep(a->annotations[i].key, b->annotations[i].key));
		CHECK(a->annotations[i].type == b->annotations[i].type);
		CHECK(str_indep(a->annotations[i].str, b->annotations[i].str));
		CHECK(a->annotations[i].num == b->annotations[i].num);
		CHECK(a->annotations[i].boolean == b->annotations[i].boolean);
	}
	CHECK(a->nservice == b->nservice && fields_eq(a->service, b->service, a->nservice));
	CHECK(a->nprecursors == b->nprecursors);
	for (i = 0; i < a->nprecursors; i++)
		CHECK(str_indep(a->precursor_ids[i], b->precursor_ids[i]));
	CHECK(a->raw_len == b->raw_len && (a->raw == NULL) == (b->raw == NULL));
	if (a->raw != NULL)
		CHECK(a->raw != b->raw && memcmp(a->raw, b->raw, a->raw_len) == 0);
	CHECK(a->nchildren == b->nchildren);
	for (ca = a->children, cb = b->children; ca != NULL && cb != NULL; ca = ca->next, cb = cb->next)
		if (!tree_eq(ca, cb, b))
			return 0;
	CHECK(ca == NULL && cb == NULL);
	CHECK((b->children == NULL && b->last_child == NULL) ||
	    (b->last_child != NULL && b->last_child->next == NULL));
#undef CHECK
	return 1;
}

static void
test_copy(void)
{
	size_t len, ndocs = 0, same = 0;
	char *text = slurp("python-mesh", "segments.jsonl", &len);
	char *text2 = slurp("node-gateway", "segments.jsonl", &len);
	const char *inputs[2] = { text, text2 };
	struct arena *a = arena_new(0), *b = arena_new(0), *c = arena_new(0);
	char err[256];
	size_t k;

	for (k = 0; k < 2; k++) {
		const char *p = inputs[k], *end = p + strlen(p), *nl;

		for (; p < end; p = nl + 1) {
			struct segment *s, *copy, *fresh;

			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			if (nl == p)
				continue;
			s = json_decode_segment(p, (size_t)(nl - p), a, JSON_KEEP_RAW, err, sizeof err, NULL);
			if (s == NULL)
				continue;
			ndocs++;
			copy = segment_copy(s, b, NULL);
			/* The original's arena goes away: the copy must not need it. */
			arena_reset(a);
			fresh = json_decode_segment(p, (size_t)(nl - p), c, JSON_KEEP_RAW, err, sizeof err, NULL);
			if (fresh != NULL && copy->parent == NULL && tree_eq(fresh, copy, NULL))
				same++;
			arena_reset(b);
			arena_reset(c);
		}
	}
	ok(ndocs == 177, "copy: decoded every corpus document (%zu)", ndocs);
	is_int(same, ndocs, "copy: every copy equals a fresh decode and shares no storage");
	arena_free(a);
	arena_free(b);
	arena_free(c);
	free(text);
	free(text2);
}

/* ------------------------------------------------------------------ */
/* Threads                                                              */

struct worker {
	const char	*text;
	size_t		 len;
	struct tally	 t;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	int round;

	for (round = 0; round < 5; round++)
		tally_lines(&w->t, w->text, w->len);
	return NULL;
}

static void
test_threads(void)
{
	size_t len, i;
	char *text = slurp("node-gateway", "segments.jsonl", &len);
	struct worker w[4];
	pthread_t th[4];
	struct tally one;

	tally_lines(&one, text, len);
	for (i = 0; i < 4; i++) {
		w[i].text = text;
		w[i].len = len;
		if (pthread_create(&th[i], NULL, worker_run, &w[i]) != 0)
			fatal("pthread_create");
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++)
		ok(w[i].t.bad == 0 && w[i].t.docs == one.docs && w[i].t.entities == one.entities &&
		    w[i].t.tier_guest == one.tier_guest && w[i].t.traced == one.traced,
		    "threads: worker %zu decodes the same as one thread", i);
	free(text);
}

/* JSON_LEAN keeps what the map and filters read and drops the rest. */
static void
test_lean(void)
{
	static const char doc[] =
	    "{\"id\":\"0000000000000001\",\"name\":\"svc\",\"start_time\":1,\"end_time\":2,"
	    "\"trace_id\":\"1-5f000000-000000000000000000000001\",\"metadata\":{\"a\":1},"
	    "\"service\":{\"runtime\":\"x\"},\"annotations\":{\"k\":\"v\"},"
	    "\"cause\":{\"exceptions\":[{\"id\":\"e000000000000001\"}]},"
	    "\"subsegments\":[{\"id\":\"0000000000000002\",\"name\":\"DynamoDB\",\"start_time\":1,"
	    "\"end_time\":1.5,\"namespace\":\"aws\",\"aws\":{\"table_name\":\"t\",\"operation\":\"GetItem\","
	    "\"retries\":2,\"resource_names\":[\"t\"]},\"precursor_ids\":[\"0000000000000003\"]}]}";
	struct arena *a = arena_new(0);
	struct segment *full, *lean;
	char err[256];

	full = json_decode_segment(doc, sizeof doc - 1, a, 0, err, sizeof err, NULL);
	lean = json_decode_segment(doc, sizeof doc - 1, a, JSON_LEAN, err, sizeof err, NULL);
	ok(full != NULL && lean != NULL, "lean: both decode");
	if (full == NULL || lean == NULL) {
		arena_free(a);
		return;
	}
	ok(full->metadata != NULL && lean->metadata == NULL, "lean: no metadata");
	ok(full->nservice == 1 && lean->nservice == 0, "lean: no service block");
	ok(full->cause != NULL && lean->cause == NULL, "lean: no cause");
	is_int(lean->nannotations, 1, "lean: annotations kept");
	ok(lean->children != NULL && lean->children->aws != NULL, "lean: aws block kept");
	if (lean->children != NULL && lean->children->aws != NULL) {
		const struct aws_info *ai = lean->children->aws;

		is_str(ai->table_name, "t", "lean: aws.table_name kept");
		is_str(ai->operation, "GetItem", "lean: aws.operation kept");
		is_int(ai->retries, 2, "lean: aws.retries kept");
		is_int(ai->nfields, 0, "lean: no flattened aws fields");
		is_int(full->children->aws->nfields, 4, "full: four flattened aws fields");
		is_int(lean->children->nprecursors, 0, "lean: no precursor ids");
	}
	arena_free(a);
}

/* A key given twice (JSON allows it; cJSON keeps both): the last one wins,
 * and its array is counted alone (it was once counted on top of the
 * first's, past the end of its allocation). */
static void
test_repeated_keys(void)
{
	static const char doc[] =
	    "{\"trace_id\":\"1-5f000000-000000000000000000000001\",\"id\":\"a000000000000001\","
	    "\"name\":\"web\",\"start_time\":1,\"end_time\":2,"
	    "\"annotations\":{\"a\":1,\"b\":2,\"c\":3},\"annotations\":{\"d\":4},"
	    "\"precursor_ids\":[\"p1\",\"p2\",\"p3\"],\"precursor_ids\":[\"p4\"],"
	    "\"cause\":{\"paths\":[\"x\",\"y\"],\"paths\":[\"z\"],"
	    "\"exceptions\":[{\"id\":\"e1\"},{\"id\":\"e2\"},{\"id\":\"e3\"}],"
	    "\"exceptions\":[{\"id\":\"e4\",\"stack\":[{\"line\":1},{\"line\":2}],\"stack\":[{\"line\":3}]}]}}";
	static const char page[] =
	    "{\"TraceSummaries\":[{\"Id\":\"1-59602603-23fc5b688855d396af79b496\","
	    "\"ServiceIds\":[{\"Name\":\"a\"},{\"Name\":\"b\"},{\"Name\":\"c\"}],"
	    "\"ServiceIds\":[{\"Name\":\"d\"}],"
	    "\"Annotations\":{\"k\":[{\"AnnotationValue\":{\"NumberValue\":1}},"
	    "{\"AnnotationValue\":{\"NumberValue\":2}}]},"
	    "\"Annotations\":{\"m\":[{\"AnnotationValue\":{\"NumberValue\":3}}]}}]}";
	struct arena *a = arena_new(0);
	char err[200];
	struct segment *s = decode(a, doc, err, sizeof err);
	struct sums u;
	struct sink sink = { &u, NULL, sink_summary, NULL };
	struct json_result res;

	ok(s != NULL, "repeated keys: the document decodes");
	if (s != NULL) {
		ok(s->nannotations == 1 && strcmp(s->annotations[0].key, "d") == 0,
		    "repeated keys: the last annotations object wins");
		ok(s->nprecursors == 1 && strcmp(s->precursor_ids[0], "p4") == 0,
		    "repeated keys: the last precursor_ids wins");
		ok(s->cause != NULL && s->cause->npaths == 1 && strcmp(s->cause->paths[0], "z") == 0,
		    "repeated keys: the last cause.paths wins");
		ok(s->cause != NULL && s->cause->nexceptions == 1 && s->cause->exceptions[0].nstack == 1 &&
		    s->cause->exceptions[0].stack[0].line == 3,
		    "repeated keys: the last exceptions and stack win");
	}
	memset(&u, 0, sizeof u);
	is_int(json_decode(page, sizeof page - 1, a, 0, &sink, &res), JSON_KIND_SUMMARIES,
	    "repeated keys: the summaries page decodes");
	ok(u.n == 1 && u.first.nservices == 1 && strcmp(u.first.services[0].name, "d") == 0,
	    "repeated keys: the last ServiceIds wins");
	ok(u.n == 1 && u.first.nannotations == 1 && strcmp(u.first.annotations[0].key, "m") == 0,
	    "repeated keys: the last Annotations wins");
	arena_free(a);
}

int
main(void)
{
	if (find_shared() < 0) {
		ok(0, "shared folder found (SHARED_DIR or $top_srcdir/../shared): %s", shared_dir);
		return done_testing();
	}
	test_corpus_python();
	test_corpus_node();
	test_moto_summaries("python-mesh", 45);
	test_moto_summaries("node-gateway", 36);
	test_summary_fields();
	test_service_graph();
	test_fields();
	test_keep_raw();
	test_headers();
	test_datagrams();
	test_errors();
	test_batch_bad();
	test_nesting();
	test_copy();
	test_threads();
	test_lean();
	test_repeated_keys();
	return done_testing();
}

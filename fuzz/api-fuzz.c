/* api-fuzz.c - libFuzzer target: every decoder of X-Ray API responses and
 * credential documents on arbitrary bytes.
 *
 * The first byte picks the decoder (byte % 8, so the seeds start with a
 * digit); the rest is the response body:
 *   0  json_decode_page: paging and status members of any X-Ray response
 *      (BatchGetTraces, GetTraceSummaries, GetServiceGraph, ListRetrieved-
 *      Traces, StartTraceRetrieval, GetTraceSegmentDestination, errors);
 *   1  json_decode of a page (BatchGetTraces, GetTraceSummaries,
 *      GetServiceGraph) into a sink: the graph merged into a service map,
 *      the summaries sorted and listed, the map exported;
 *   2  json_decode_creds (every provider's shape);
 *   3  json_decode_groups, sorted (group_cmp) and written as JSON;
 *   4  json_decode_sampling_rules, sorted and written as JSON;
 *   5  json_decode_sampling_stats, joined to rules (sampling_join);
 *   6  json_decode_timeseries;
 *   7  json_parse_time.
 * Checks: a failure has a message; counts never exceed what the text
 * holds and every listed pointer is set; fixed buffers stay terminated;
 * numbers are finite and in their documented ranges; comparators give a
 * sorted order; the JSON writers' output parses again; text
 * exports are safe for a terminal; a parsed time formats back to the same
 * second.  Any violation aborts. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xraytop/arena.h"
#include "xraytop/export.h"
#include "xraytop/groups.h"
#include "xraytop/json-in.h"
#include "xraytop/model.h"
#include "xraytop/sampling.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/timeseries.h"

#include "fuzz-common.h"

#define MAX_INPUT	65536
#define NOPS		8

/* Upper bound on how many entries the text can list: one per '{'. */
static size_t
braces(const char *text, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += text[i] == '{';
	return n;
}

static size_t
quotes(const char *text, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += text[i] == '"';
	return n;
}

/* A writer's output must be one JSON value again (json_decode tells a
 * syntax error, "invalid JSON: ...", from a value it has no use for). */
static void
check_json_output(const char *what, char *buf, size_t len)
{
	struct arena *a = arena_new(0);
	struct json_result res;

	if (json_decode(buf, len, a, 0, NULL, &res) == JSON_KIND_INVALID)
		FUZZ_CHECK(strncmp(res.error, "invalid JSON", 12) != 0,
		    "%s wrote something that is not JSON: %s\n%.*s", what, res.error,
		    (int)(len < 400 ? len : 400), buf);
	arena_free(a);
}

#define CHECK_JSON_WRITER(what, call) do {                                   \
	char *jb_ = NULL;                                                    \
	size_t jl_ = 0;                                                      \
	FILE *out = open_memstream(&jb_, &jl_);                              \
	if (out == NULL)                                                     \
		abort();                                                     \
	FUZZ_CHECK((call) == 0, "%s failed", what);                          \
	fclose(out);                                                         \
	check_json_output(what, jb_, jl_);                                   \
	free(jb_);                                                           \
} while (0)

static void
op_page(const char *text, size_t len, struct arena *a)
{
	struct json_page pg;
	char err[256] = "";
	size_t i;

	if (json_decode_page(text, len, a, &pg, err, sizeof err) != 0) {
		FUZZ_CHECK(err[0] != '\0', "page rejected without a message");
		return;
	}
	FUZZ_CHECK(pg.ntraces <= braces(text, len), "%zu trace ids", pg.ntraces);
	for (i = 0; i < pg.ntraces; i++)
		FUZZ_CHECK(pg.trace_ids[i] != NULL, "trace id %zu unset", i);
	FUZZ_CHECK(pg.nunprocessed <= quotes(text, len) / 2, "%zu unprocessed", pg.nunprocessed);
	for (i = 0; i < pg.nunprocessed; i++)
		FUZZ_CHECK(pg.unprocessed[i] != NULL, "unprocessed id %zu unset", i);
	FUZZ_CHECK(isfinite(pg.approximate_time), "ApproximateTime not finite");
}

struct pages {
	struct svcmap	*map;
	struct arena	*a;
	struct trace_summary sums[128];
	size_t		 nsums;
	unsigned long	 documents, summaries, services;
};

static void
page_document(void *ctx, const struct segment *doc)
{
	struct pages *p = ctx;

	FUZZ_CHECK(doc->id != NULL && doc->trace_id != NULL && doc->name != NULL,
	    "document without id, trace id or name");
	p->documents++;
	svcmap_add(p->map, doc);
}

/* Keep a summary for the list; its strings die with the call. */
static void
page_summary(void *ctx, const struct trace_summary *s)
{
	struct pages *p = ctx;
	size_t i;

	FUZZ_CHECK(s->id != NULL, "summary without an id");
	FUZZ_CHECK(s->nservices == 0 || s->services != NULL, "summary services");
	FUZZ_CHECK(s->nannotations == 0 || s->annotations != NULL, "summary annotations");
	for (i = 0; i < s->nannotations; i++)
		FUZZ_CHECK(s->annotations[i].key != NULL &&
		    (s->annotations[i].type != ANNO_STRING || s->annotations[i].str != NULL),
		    "summary annotation %zu", i);
	p->summaries++;
	if (p->nsums == sizeof p->sums / sizeof p->sums[0])
		return;
	summary_copy(&p->sums[p->nsums++], s, p->a);
}

static void
page_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	struct pages *p = ctx;
	size_t i, j;

	FUZZ_CHECK(n > 0, "empty graph page delivered");
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(isfinite(svcs[i].start_time) && isfinite(svcs[i].end_time),
		    "service %zu: times", i);
		FUZZ_CHECK(svcs[i].nedges == 0 || svcs[i].edges != NULL, "service %zu: edges", i);
		FUZZ_CHECK(svcs[i].nhistogram == 0 || svcs[i].histogram != NULL, "histogram");
		for (j = 0; j < svcs[i].nhistogram; j++)
			FUZZ_CHECK(isfinite(svcs[i].histogram[j].value), "histogram value");
		FUZZ_CHECK(isfinite(svcs[i].stats.total_response_time), "total response time");
	}
	p->services += n;
	svcmap_load_graph(p->map, svcs, n);
}

static void
op_decode(const char *text, size_t len)
{
	struct pages p;
	struct sink sink = { &p, page_document, page_summary, page_graph };
	struct json_result res;
	struct arena *scratch = arena_new(0);
	enum json_kind kind;
	char err[256];
	size_t i;

	memset(&p, 0, sizeof p);
	p.map = svcmap_new();
	p.a = arena_new(0);
	kind = json_decode(text, len, scratch, 0, &sink, &res);
	FUZZ_CHECK(res.documents == p.documents && res.summaries == p.summaries &&
	    res.services == p.services, "json_decode counted %lu/%lu/%lu, delivered %lu/%lu/%lu",
	    res.documents, res.summaries, res.services, p.documents, p.summaries, p.services);
	FUZZ_CHECK(kind != JSON_KIND_INVALID || (res.bad > 0 && res.error[0] != '\0'),
	    "invalid without a reason");
	FUZZ_CHECK(res.offset <= len, "error offset %zu past %zu", res.offset, len);
	arena_free(scratch);
	if (p.nsums > 1) {
		qsort(p.sums, p.nsums, sizeof *p.sums, summary_cmp_response);
		for (i = 1; i < p.nsums; i++)
			FUZZ_CHECK(summary_cmp_response(&p.sums[i - 1], &p.sums[i]) <= 0,
			    "summaries not sorted at %zu", i);
		qsort(p.sums, p.nsums, sizeof *p.sums, summary_cmp_start);
		qsort(p.sums, p.nsums, sizeof *p.sums, summary_cmp_id);
	}
	FUZZ_TERMINAL_OUTPUT("text_out_traces", text_out_traces(p.sums, p.nsums, 1, out, err, sizeof err));
	CHECK_JSON_WRITER("json_out_traces", json_out_traces(p.sums, p.nsums, out, err, sizeof err));
	FUZZ_TERMINAL_OUTPUT("text_out_map", text_out_map(p.map, out, err, sizeof err));
	CHECK_JSON_WRITER("json_out_map", json_out_map(p.map, out, err, sizeof err));
	svcmap_free(p.map);
	arena_free(p.a);
}

/* A fixed buffer holds a terminated string. */
#define TERMINATED(buf) (memchr((buf), '\0', sizeof(buf)) != NULL)

static void
op_creds(const char *text, size_t len)
{
	struct json_creds c;
	char err[256] = "";

	if (json_decode_creds(text, len, &c, err, sizeof err) != 0) {
		FUZZ_CHECK(err[0] != '\0', "credentials rejected without a message");
		return;
	}
	FUZZ_CHECK(TERMINATED(c.access_key) && TERMINATED(c.secret_key) && TERMINATED(c.token) &&
	    TERMINATED(c.access_token) && TERMINATED(c.account_id) && TERMINATED(c.code) &&
	    TERMINATED(c.message) && TERMINATED(c.region), "a credential buffer is not terminated");
	FUZZ_CHECK(!c.has_expiration || c.bad_expiration || isfinite(c.expiration),
	    "expiration not finite");
	FUZZ_CHECK(c.has_expiration || (c.expiration == 0 && !c.bad_expiration),
	    "expiration without one");
	FUZZ_CHECK(c.truncated == 0 || c.truncated == 1, "truncated flag");
}

static void
op_groups(const char *text, size_t len, struct arena *a)
{
	struct xray_group *g;
	char err[256] = "";
	size_t n, i;

	if (json_decode_groups(text, len, a, &g, &n, err, sizeof err) != 0) {
		FUZZ_CHECK(err[0] != '\0' && n == 0, "groups rejected without a message");
		return;
	}
	FUZZ_CHECK(n <= braces(text, len), "%zu groups", n);
	FUZZ_CHECK(n == 0 || g != NULL, "groups unset");
	for (i = 0; i < n; i++)
		FUZZ_CHECK(g[i].insights >= -1 && g[i].insights <= 1 &&
		    g[i].notifications >= -1 && g[i].notifications <= 1, "group %zu: flags", i);
	if (n > 1) {
		qsort(g, n, sizeof *g, group_cmp);
		for (i = 1; i < n; i++)
			FUZZ_CHECK(group_cmp(&g[i - 1], &g[i]) <= 0, "groups not sorted at %zu", i);
	}
	CHECK_JSON_WRITER("json_out_groups", json_out_groups(g, n, out, err, sizeof err));
}

static void
check_rule(const struct sampling_rule *r)
{
	size_t i;

	FUZZ_CHECK(r->name != NULL && r->resource_arn != NULL && r->service_name != NULL &&
	    r->service_type != NULL && r->host != NULL && r->http_method != NULL &&
	    r->url_path != NULL, "rule with a required string unset");
	FUZZ_CHECK(isfinite(r->fixed_rate) && isfinite(r->boost_max_rate) &&
	    isfinite(r->created) && isfinite(r->modified), "rule %s: numbers", r->name);
	FUZZ_CHECK(r->nattributes == 0 || r->attributes != NULL, "attributes");
	for (i = 0; i < r->nattributes; i++)
		FUZZ_CHECK(r->attributes[i].key != NULL && r->attributes[i].value != NULL,
		    "rule %s: attribute %zu", r->name, i);
}

static void
op_rules(const char *text, size_t len, struct arena *a)
{
	struct sampling_rule *r;
	char err[256] = "";
	size_t n, i;

	if (json_decode_sampling_rules(text, len, a, &r, &n, err, sizeof err) != 0) {
		FUZZ_CHECK(err[0] != '\0' && n == 0, "rules rejected without a message");
		return;
	}
	FUZZ_CHECK(n <= braces(text, len), "%zu rules", n);
	for (i = 0; i < n; i++)
		check_rule(&r[i]);
	if (n > 1) {
		qsort(r, n, sizeof *r, sampling_rule_cmp);
		for (i = 1; i < n; i++)
			FUZZ_CHECK(sampling_rule_cmp(&r[i - 1], &r[i]) <= 0, "rules not sorted at %zu", i);
	}
	CHECK_JSON_WRITER("json_out_sampling", json_out_sampling(r, n, out, err, sizeof err));
}

static void
op_stats(const char *text, size_t len, struct arena *a)
{
	static const char *const names[] = { "Default", "slow", "", "checkout" };
	struct sampling_rule rules[4];
	struct sampling_stat *st;
	char err[256] = "";
	size_t n, i;

	if (json_decode_sampling_stats(text, len, a, &st, &n, err, sizeof err) != 0) {
		FUZZ_CHECK(err[0] != '\0' && n == 0, "statistics rejected without a message");
		return;
	}
	FUZZ_CHECK(n <= braces(text, len), "%zu statistics", n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(st[i].rule_name != NULL && isfinite(st[i].timestamp),
		    "statistic %zu", i);
	memset(rules, 0, sizeof rules);
	for (i = 0; i < 4; i++)
		rules[i].name = names[i];
	sampling_join(rules, 4, st, n);
	for (i = 0; i < 4; i++) {
		size_t j;

		if (rules[i].stat == NULL) {
			for (j = 0; j < n; j++)
				FUZZ_CHECK(strcmp(st[j].rule_name, names[i]) != 0,
				    "rule %s not joined to its statistics", names[i]);
			continue;
		}
		FUZZ_CHECK(strcmp(rules[i].stat->rule_name, names[i]) == 0,
		    "rule %s joined to statistics of %s", names[i], rules[i].stat->rule_name);
		for (j = 0; j < n; j++)
			FUZZ_CHECK(strcmp(st[j].rule_name, names[i]) != 0 ||
			    st[j].timestamp <= rules[i].stat->timestamp,
			    "rule %s joined to older statistics", names[i]);
	}
}

static void
check_graph_stats(const struct graph_stats *s)
{
	FUZZ_CHECK(s->present || (s->ok == 0 && s->total == 0 && s->total_response_time == 0),
	    "absent statistics with counts");
	FUZZ_CHECK(isfinite(s->total_response_time), "total response time");
}

static void
op_timeseries(const char *text, size_t len, struct arena *a)
{
	struct ts_point *pt;
	char err[256] = "";
	size_t n, i, j;

	if (json_decode_timeseries(text, len, a, &pt, &n, err, sizeof err) != 0) {
		FUZZ_CHECK(err[0] != '\0' && n == 0, "time series rejected without a message");
		return;
	}
	FUZZ_CHECK(n <= braces(text, len), "%zu points", n);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(isfinite(pt[i].timestamp) && isfinite(pt[i].fault_high) &&
		    isfinite(pt[i].fault_low), "point %zu: numbers", i);
		check_graph_stats(&pt[i].edge);
		check_graph_stats(&pt[i].service);
		FUZZ_CHECK(pt[i].nhistogram == 0 || pt[i].histogram != NULL, "histogram");
		for (j = 0; j < pt[i].nhistogram; j++)
			FUZZ_CHECK(isfinite(pt[i].histogram[j].value), "histogram value");
	}
}

static void
op_time(const char *text)
{
	double t = -12345, back;
	char buf[64];
	struct tm tm;
	time_t secs;

	if (json_parse_time(text, &t) != 0) {
		FUZZ_CHECK(t == -12345, "a failed parse wrote its result");
		return;
	}
	FUZZ_CHECK(isfinite(t), "time %s gave %g", text, t);
	/* Years 0000-9999 and offsets of at most 99:99 stay within this. */
	FUZZ_CHECK(t > -62200000000.0 && t < 253500000000.0, "time %s gave %.0f", text, t);
	secs = (time_t)floor(t);
	if (gmtime_r(&secs, &tm) == NULL || tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999)
		return;
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	FUZZ_CHECK(json_parse_time(buf, &back) == 0 && back == (double)secs,
	    "%s -> %.3f -> %s -> %.3f", text, t, buf, back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	const char *body;
	char *text;
	size_t len;
	int op;

	if (size < 1 || size > MAX_INPUT)
		return 0;
	op = data[0] % NOPS;
	text = fuzz_text(data + 1, size - 1);
	body = text;
	len = size - 1;
	a = arena_new(0);
	switch (op) {
	case 0:
		op_page(body, len, a);
		break;
	case 1:
		op_decode(body, len);
		break;
	case 2:
		op_creds(body, len);
		break;
	case 3:
		op_groups(body, len, a);
		break;
	case 4:
		op_rules(body, len, a);
		break;
	case 5:
		op_stats(body, len, a);
		break;
	case 6:
		op_timeseries(body, len, a);
		break;
	case 7:
		op_time(body);
		break;
	}
	arena_free(a);
	free(text);
	return 0;
}

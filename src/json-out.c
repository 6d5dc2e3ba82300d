/* json-out.c - the map and the trace list as JSON, for scripts.
 *
 * Built with cJSON (with json-in.c the only users of it).  Numbers go in as
 * raw text so that their form is exact: counts as integers, seconds and
 * rates with 6 decimals, annotation numbers in their shortest form that
 * reads back as the same double.  Strings that are not valid UTF-8 have each
 * bad byte replaced by U+FFFD, so the output is always valid JSON; controls,
 * DEL, C1, bidi and invisible characters are written as \u escapes
 * (text_json_write), so it is also safe to print on a terminal.
 */
#include "config.h"

#include "xraytop/export.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xraytop/groups.h"
#include "xraytop/sampling.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

/* "%.6f" without a negative zero; null for what is not a number. */
static cJSON *
num6(double v)
{
	char buf[64];

	if (!isfinite(v))
		return cJSON_CreateNull();
	snprintf(buf, sizeof buf, "%.6f", v);
	if (strcmp(buf, "-0.000000") == 0)
		strcpy(buf, "0.000000");
	return cJSON_CreateRaw(buf);
}

static cJSON *
uint_json(uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return cJSON_CreateRaw(buf);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v; integers
 * below 2^53 without a fraction. */
static cJSON *
num_short(double v)
{
	char buf[64];
	int prec;

	if (!isfinite(v))
		return cJSON_CreateNull();
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		snprintf(buf, sizeof buf, "%.0f", v == 0 ? 0.0 : v);
		return cJSON_CreateRaw(buf);
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof buf, "%.17g", v);
	return cJSON_CreateRaw(buf);
}

/* A heap copy of s with each invalid UTF-8 byte replaced by U+FFFD, or
 * NULL when s is valid as it is. */
static char *
utf8_fix(const char *s)
{
	const char *p;
	char *fixed, *o;
	uint32_t c;
	size_t len;

	for (p = s; *p != '\0'; p += len)
		if ((len = text_utf8_next(p, &c)) == 0)
			break;
	if (*p == '\0')
		return NULL;
	o = fixed = xmalloc(strlen(s) * 3 + 1);
	for (p = s; *p != '\0'; p += len) {
		if ((len = text_utf8_next(p, &c)) == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			len = 1;
			continue;
		}
		memcpy(o, p, len);
		o += len;
	}
	*o = '\0';
	return fixed;
}

/* A JSON string, or null for NULL. */
static cJSON *
str_json(const char *s)
{
	char *fixed;
	cJSON *j;

	if (s == NULL)
		return cJSON_CreateNull();
	if ((fixed = utf8_fix(s)) == NULL)
		return cJSON_CreateString(s);
	j = cJSON_CreateString(fixed);
	free(fixed);
	return j;
}

/* Add item under key (made valid UTF-8 when it is not). */
static void
add(cJSON *obj, const char *key, cJSON *item)
{
	char *fixed = utf8_fix(key);

	cJSON_AddItemToObject(obj, fixed != NULL ? fixed : key, item);
	free(fixed);
}

/* {"name", "type"}; a NULL type is "" in the map and null elsewhere. */
static cJSON *
service_json(const char *name, const char *type)
{
	cJSON *o = cJSON_CreateObject();

	add(o, "name", str_json(name));
	add(o, "type", str_json(type));
	return o;
}

static void
add_stats(cJSON *o, struct svcmap *m, struct stats *st)
{
	add(o, "count", uint_json(st->count));
	add(o, "ok", uint_json(st->ok));
	add(o, "error", uint_json(st->error));
	add(o, "fault", uint_json(st->fault));
	add(o, "throttle", uint_json(st->throttle));
	add(o, "sum_response_time", num6(st->sum));
	add(o, "avg", num6(stats_avg(st)));
	add(o, "p50", num6(stats_percentile(st, 50)));
	add(o, "p90", num6(stats_percentile(st, 90)));
	add(o, "p95", num6(stats_percentile(st, 95)));
	add(o, "p99", num6(stats_percentile(st, 99)));
	/* "approximate" once the latencies went to the live-mode histogram */
	add(o, "percentiles", cJSON_CreateString(stats_exact(st) ? "exact" : "approximate"));
	add(o, "requests_per_minute", num6(svcmap_rate(m, st)));
}

static const char *
kind_name(enum node_kind k)
{
	switch (k) {
	case NODE_CLIENT:
		return "client";
	case NODE_INFERRED:
		return "inferred";
	default:
		return "service";
	}
}

/* Print j pretty, indented by one tab per level beyond the first; what a
 * terminal would act on (DEL, C1, bidi and invisible characters, which
 * cJSON writes as they are) as \u escapes, so the JSON is the same and
 * safe to print. */
static void
print_json(FILE *out, cJSON *j, int indent)
{
	char *text = cJSON_Print(j);

	if (text == NULL)
		fatal("out of memory (JSON output)");
	text_json_write(out, text, strlen(text), indent ? "\n\t" : "\n");
	cJSON_free(text);
}

int
json_out_map(struct svcmap *m, FILE *out, char *err, size_t errlen)
{
	const struct svcmap_input *in = svcmap_input(m);
	cJSON *root, *input, *skipped, *nodes, *edges, *o;
	size_t *idx, n, i;

	root = cJSON_CreateObject();
	add(root, "schema", cJSON_CreateString("xray-bench-map/1"));

	input = cJSON_CreateObject();
	add(input, "documents", uint_json(in->documents));
	add(input, "segments", uint_json(in->segments));
	add(input, "subsegments", uint_json(in->subsegments));
	/* Independent subsegments are used, not skipped: counted apart. */
	add(input, "independent_subsegments", uint_json(in->independent));
	add(input, "duplicates", uint_json(in->duplicates));
	skipped = cJSON_CreateObject();
	add(skipped, "in_progress", uint_json(in->in_progress));
	add(skipped, "inferred", uint_json(in->inferred));
	add(skipped, "independent_subsegment", uint_json(0));
	add(input, "skipped", skipped);
	add(root, "input", input);

	idx = xcalloc(svcmap_nnodes(m) + svcmap_nedges(m) + 1, sizeof *idx);
	nodes = cJSON_CreateArray();
	n = svcmap_sorted_nodes(m, idx);
	for (i = 0; i < n; i++) {
		struct svc_node *nd = svcmap_node(m, idx[i]);

		o = cJSON_CreateObject();
		add(o, "name", str_json(nd->name));
		add(o, "type", str_json(nd->type != NULL ? nd->type : ""));
		add(o, "kind", cJSON_CreateString(kind_name(nd->kind)));
		add_stats(o, m, &nd->stats);
		cJSON_AddItemToArray(nodes, o);
	}
	add(root, "nodes", nodes);

	edges = cJSON_CreateArray();
	n = svcmap_sorted_edges(m, idx);
	for (i = 0; i < n; i++) {
		struct svc_edge *e = svcmap_edge(m, idx[i]);
		struct svc_node *s = svcmap_node(m, e->source), *t = svcmap_node(m, e->target);

		o = cJSON_CreateObject();
		add(o, "source", service_json(s->name, s->type != NULL ? s->type : ""));
		add(o, "target", service_json(t->name, t->type != NULL ? t->type : ""));
		add_stats(o, m, &e->stats);
		cJSON_AddItemToArray(edges, o);
	}
	add(root, "edges", edges);
	free(idx);

	print_json(out, root, 0);
	putc('\n', out);
	cJSON_Delete(root);
	return 0;
}

/* "2023-11-14T22:13:20.123456Z", or null when the time is unknown. */
static cJSON *
iso_json(double epoch)
{
	long long us;
	time_t sec;
	struct tm tm;
	char date[32], buf[48];

	if (!isfinite(epoch) || epoch <= 0 || epoch >= 253402300800.0)
		return cJSON_CreateNull();
	us = llround(epoch * 1e6);
	sec = (time_t)(us / 1000000);
	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return cJSON_CreateNull();
	snprintf(buf, sizeof buf, "%s.%06lldZ", date, us % 1000000);
	return cJSON_CreateString(buf);
}

static cJSON *
anno_value(const struct annotation *a)
{
	switch (a->type) {
	case ANNO_NUMBER:
		return num_short(a->num);
	case ANNO_BOOL:
		return cJSON_CreateBool(a->boolean);
	default:
		return str_json(a->str != NULL ? a->str : "");
	}
}

/* One trace summary as an object. */
static cJSON *
trace_json(const struct trace_summary *s)
{
	cJSON *o = cJSON_CreateObject(), *svcs, *annos, *vals = NULL;
	const char *key = NULL;
	size_t i;

	add(o, "id", str_json(s->id));
	add(o, "start", s->start > 0 ? num6(s->start) : cJSON_CreateNull());
	add(o, "start_iso", iso_json(s->start));
	add(o, "method", str_json(s->method));
	add(o, "url", str_json(s->url));
	add(o, "status", s->status != 0 ? uint_json((uint64_t)(unsigned)s->status) :
	    cJSON_CreateNull());
	add(o, "response_time", s->response_time >= 0 ? num6(s->response_time) :
	    cJSON_CreateNull());
	add(o, "duration", s->duration >= 0 ? num6(s->duration) : cJSON_CreateNull());
	add(o, "user", str_json(s->user));
	add(o, "client_ip", str_json(s->client_ip));
	add(o, "user_agent", str_json(s->user_agent));
	add(o, "error", cJSON_CreateBool((s->flags & SUM_ERROR) != 0));
	add(o, "fault", cJSON_CreateBool((s->flags & SUM_FAULT) != 0));
	add(o, "throttle", cJSON_CreateBool((s->flags & SUM_THROTTLE) != 0));
	add(o, "partial", cJSON_CreateBool((s->flags & SUM_PARTIAL) != 0));
	add(o, "root", s->root.name != NULL ? service_json(s->root.name, s->root.type) :
	    cJSON_CreateNull());
	svcs = cJSON_CreateArray();
	for (i = 0; i < s->nservices; i++)
		cJSON_AddItemToArray(svcs, service_json(s->services[i].name, s->services[i].type));
	add(o, "services", svcs);
	/* Annotations come sorted by key: one array per key. */
	annos = cJSON_CreateObject();
	for (i = 0; i < s->nannotations; i++) {
		const struct annotation *a = &s->annotations[i];
		const char *k = a->key != NULL ? a->key : "";

		if (vals == NULL || strcmp(k, key) != 0) {
			char *fixed = utf8_fix(k);

			key = k;
			vals = cJSON_GetObjectItemCaseSensitive(annos, fixed != NULL ? fixed : k);
			free(fixed);
			if (vals == NULL) {
				vals = cJSON_CreateArray();
				add(annos, k, vals);
			}
		}
		cJSON_AddItemToArray(vals, anno_value(a));
	}
	add(o, "annotations", annos);
	add(o, "segments", uint_json(s->nsegments));
	return o;
}

/* An array written one element at a time, so that a long list never has
 * to be held as one cJSON tree. */
int
json_out_traces(const struct trace_summary *s, size_t n, FILE *out, char *err, size_t errlen)
{
	size_t i;
	cJSON *o;

	if (n == 0) {
		fputs("[]\n", out);
		return 0;
	}
	putc('[', out);
	for (i = 0; i < n; i++) {
		fputs(i == 0 ? "\n\t" : ",\n\t", out);
		o = trace_json(&s[i]);
		print_json(out, o, 1);
		cJSON_Delete(o);
	}
	fputs("\n]\n", out);
	return 0;
}

/* ---------------------------------------------------------------- groups, sampling rules */

/* A flag that may be absent (-1): true, false or null. */
static cJSON *
flag_json(int v)
{
	return v < 0 ? cJSON_CreateNull() : cJSON_CreateBool(v);
}

int
json_out_groups(const struct xray_group *g, size_t n, FILE *out, char *err, size_t errlen)
{
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *o;
	size_t i;

	add(root, "schema", cJSON_CreateString("xraytop-groups/1"));
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		add(o, "name", str_json(g[i].name));
		add(o, "arn", str_json(g[i].arn));
		add(o, "filter_expression", str_json(g[i].filter));
		add(o, "insights_enabled", flag_json(g[i].insights));
		add(o, "notifications_enabled", flag_json(g[i].notifications));
		cJSON_AddItemToArray(arr, o);
	}
	add(root, "groups", arr);
	print_json(out, root, 0);
	putc('\n', out);
	cJSON_Delete(root);
	return 0;
}

int
json_out_sampling(const struct sampling_rule *r, size_t n, FILE *out, char *err, size_t errlen)
{
	cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *o, *attrs, *st;
	size_t i, k;

	add(root, "schema", cJSON_CreateString("xraytop-sampling-rules/1"));
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		add(o, "name", str_json(r[i].name));
		add(o, "arn", str_json(r[i].arn));
		add(o, "priority", num_short(r[i].priority));
		add(o, "fixed_rate", num_short(r[i].fixed_rate));
		add(o, "reservoir_size", num_short((double)r[i].reservoir));
		add(o, "service_name", str_json(r[i].service_name));
		add(o, "service_type", str_json(r[i].service_type));
		add(o, "host", str_json(r[i].host));
		add(o, "http_method", str_json(r[i].http_method));
		add(o, "url_path", str_json(r[i].url_path));
		add(o, "resource_arn", str_json(r[i].resource_arn));
		add(o, "version", num_short(r[i].version));
		attrs = cJSON_CreateObject();
		for (k = 0; k < r[i].nattributes; k++)
			add(attrs, r[i].attributes[k].key, str_json(r[i].attributes[k].value));
		add(o, "attributes", attrs);
		add(o, "created", iso_json(r[i].created));
		add(o, "modified", iso_json(r[i].modified));
		if (r[i].stat != NULL) {
			st = cJSON_CreateObject();
			add(st, "timestamp", iso_json(r[i].stat->timestamp));
			add(st, "requests", num_short((double)r[i].stat->requests));
			add(st, "sampled", num_short((double)r[i].stat->sampled));
			add(st, "borrowed", num_short((double)r[i].stat->borrowed));
			add(o, "statistics", st);
		} else
			add(o, "statistics", cJSON_CreateNull());
		cJSON_AddItemToArray(arr, o);
	}
	add(root, "rules", arr);
	print_json(out, root, 0);
	putc('\n', out);
	cJSON_Delete(root);
	return 0;
}

/* test-export.c - the exporters over a small hand-built map: JSON that
 * parses back with the hand-computed counts, order and 6-decimal numbers;
 * the text table; DOT that Graphviz reads back; SVG that xmllint accepts,
 * with health colours per node and a hostile name kept inert; the trace
 * list as JSON, text and ids; format names; write errors. */
#include "config.h"

#include "xraytop/export.h"

#include <cjson/cJSON.h>
#include <graphviz/cgraph.h>
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include "xraytop/graph.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"

#include "tap.h"

#define T0 1700000000.0
#define HOSTILE "<script>alert(1)</script>\"q\\\x1b]0;x\x07&y"
/* What a terminal shows of it (text_sanitize). */
#define HOSTILE_TEXT "<script>alert(1)</script>\"q\\?]0;x?&y"

/* ---------------------------------------------------------------- building the map */

static struct segment seg_pool[64];
static struct aws_info aws_pool[8];
static struct http_info http_pool[16];
static size_t nseg, naws, nhttp;

static struct segment *
entity(const char *trace, const char *id, const char *name, double start, double rt,
    unsigned flags)
{
	struct segment *s = &seg_pool[nseg++];

	s->trace_id = trace;
	s->id = id;
	s->name = name;
	s->start_time = start;
	s->end_time = start + rt;
	s->flags = flags;
	return s;
}

static struct segment *
doc(const char *trace, const char *id, const char *parent, const char *name, const char *origin,
    double start, double rt, unsigned flags, int status)
{
	struct segment *s = entity(trace, id, name, start, rt, flags);

	s->parent_id = parent;
	s->origin = origin;
	if (status != 0) {
		s->http = &http_pool[nhttp++];
		s->http->status = status;
		s->http->content_length = -1;
	}
	return s;
}

static struct segment *
sub(struct segment *p, const char *id, const char *name, const char *ns, double start, double rt,
    unsigned flags)
{
	struct segment *s = entity(p->trace_id, id, name, start, rt, flags | SEG_SUBSEGMENT);

	s->namespace = ns;
	segment_append_child(p, s);
	return s;
}

static void
table(struct segment *s, const char *name)
{
	s->aws = &aws_pool[naws++];
	s->aws->operation = "GetItem";
	s->aws->table_name = name;
	s->aws->retries = -1;
}

#define TR(n) "1-6553f100-00000000000000000000000" #n
#define THR (SEG_ERROR | SEG_THROTTLE)

/*
 * T1 ok:        web -> (remote api 0.12) -> api -> (DynamoDB orders 0.01)
 * T2 fault:     web fault -> (remote api fault 0.45) -> api fault -> (DynamoDB sessions throttled 0.05)
 * T3 throttle:  web 429
 * T4 error:     admin 404
 * T5 ok:        HOSTILE
 */
static struct svcmap *
build_map(void)
{
	struct svcmap *m = svcmap_new();
	struct segment *web, *api, *x;

	web = doc(TR(1), "a000000000000001", NULL, "web", "AWS::EC2::Instance", T0, 0.2, 0, 200);
	sub(web, "a000000000000002", "api", "remote", T0 + 0.01, 0.12, 0);
	api = doc(TR(1), "a000000000000003", "a000000000000002", "api", "AWS::ECS::Container",
	    T0 + 0.02, 0.1, 0, 200);
	x = sub(api, "a000000000000004", "DynamoDB", "aws", T0 + 0.03, 0.01, 0);
	table(x, "orders");
	svcmap_add(m, api);   /* the child first: order does not matter */
	svcmap_add(m, web);

	web = doc(TR(2), "b000000000000001", NULL, "web", "AWS::EC2::Instance", T0 + 10, 0.5,
	    SEG_FAULT, 500);
	sub(web, "b000000000000002", "api", "remote", T0 + 10.01, 0.45, SEG_FAULT);
	api = doc(TR(2), "b000000000000003", "b000000000000002", "api", "AWS::ECS::Container",
	    T0 + 10.02, 0.4, SEG_FAULT, 500);
	x = sub(api, "b000000000000004", "DynamoDB", "aws", T0 + 10.03, 0.05, THR);
	table(x, "sessions");
	svcmap_add(m, web);
	svcmap_add(m, api);

	svcmap_add(m, doc(TR(3), "c000000000000001", NULL, "web", "AWS::EC2::Instance", T0 + 20,
	    0.05, THR, 429));
	svcmap_add(m, doc(TR(4), "d000000000000001", NULL, "admin", NULL, T0 + 30, 0.03,
	    SEG_ERROR, 404));
	svcmap_add(m, doc(TR(5), "e000000000000001", NULL, HOSTILE, NULL, T0 + 40, 0.25, 0, 200));
	return m;
}

/* Expected nodes, in (name, type) byte order. */
static const struct want_node {
	const char	*name, *type, *kind;
	int		 count, okc, error, fault, throttle;
	double		 sum, p50, p90;
	const char	*health;   /* hue class of its colour */
	const char	*shape;
} want_nodes[] = {
	{ HOSTILE, "", "service", 1, 1, 0, 0, 0, 0.25, 0.25, 0.25, "green", "box" },
	{ "admin", "", "service", 1, 0, 1, 0, 0, 0.03, 0.03, 0.03, "amber", "box" },
	{ "api", "AWS::ECS::Container", "service", 2, 1, 0, 1, 0, 0.5, 0.1, 0.4, "red", "box" },
	{ "client", "client", "client", 5, 2, 2, 1, 1, 1.03, 0.2, 0.5, "red", "circle" },
	{ "orders", "AWS::DynamoDB::Table", "inferred", 1, 1, 0, 0, 0, 0.01, 0.01, 0.01, "green", "cylinder" },
	{ "sessions", "AWS::DynamoDB::Table", "inferred", 1, 0, 1, 0, 1, 0.05, 0.05, 0.05, "purple", "cylinder" },
	{ "web", "AWS::EC2::Instance", "service", 3, 1, 1, 1, 1, 0.75, 0.2, 0.5, "red", "box" },
};
#define NWANT_NODES (sizeof want_nodes / sizeof want_nodes[0])

static const struct want_edge {
	const char	*source, *target;
	int		 count, okc, error, fault, throttle;
	double		 sum;
} want_edges[] = {
	{ "api", "orders", 1, 1, 0, 0, 0, 0.01 },
	{ "api", "sessions", 1, 0, 1, 0, 1, 0.05 },
	{ "client", HOSTILE, 1, 1, 0, 0, 0, 0.25 },
	{ "client", "admin", 1, 0, 1, 0, 0, 0.03 },
	{ "client", "web", 3, 1, 1, 1, 1, 0.75 },
	{ "web", "api", 2, 1, 0, 1, 0, 0.57 },
};
#define NWANT_EDGES (sizeof want_edges / sizeof want_edges[0])

/* The data's window: the first start to the last end. */
#define WINDOW_MIN ((40.25) / 60.0)

/* ---------------------------------------------------------------- helpers */

/* A name as test output may show it (no escape sequences in TAP). */
static const char *
show(const char *name)
{
	return strcmp(name, HOSTILE) == 0 ? HOSTILE_TEXT : name;
}

/* Output of a writer as a heap string. */
struct capture {
	char	*buf;
	size_t	 len;
	FILE	*f;
};

static FILE *
cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	return c->f;
}

static char *
cap_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

static double
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : -12345;
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Every value of these keys in the text is written with exactly 6
 * decimals; returns how many were seen, -1 on the first that is not. */
static int
six_decimals(const char *text)
{
	static const char *const keys[] = {
		"\"sum_response_time\":", "\"avg\":", "\"p50\":", "\"p90\":", "\"p95\":",
		"\"p99\":", "\"requests_per_minute\":",
	};
	const char *p, *q;
	size_t k, digits;
	int n = 0;

	for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		for (p = strstr(text, keys[k]); p != NULL; p = strstr(p + 1, keys[k])) {
			q = p + strlen(keys[k]);
			while (*q == ' ' || *q == '\t')
				q++;
			while (*q >= '0' && *q <= '9')
				q++;
			if (*q++ != '.')
				return -1;
			for (digits = 0; q[digits] >= '0' && q[digits] <= '9'; digits++)
				;
			if (digits != 6)
				return -1;
			n++;
		}
	}
	return n;
}

/* ---------------------------------------------------------------- JSON map */

static void
check_stats_json(const cJSON *o, const char *what, int count, int okc, int error, int fault,
    int throttle, double sum)
{
	int good = num(o, "count") == count && num(o, "ok") == okc && num(o, "error") == error &&
	    num(o, "fault") == fault && num(o, "throttle") == throttle;

	if (!ok(good, "json %s: count %d ok %d error %d fault %d throttle %d", what, count, okc,
	    error, fault, throttle))
		diag("got %g %g %g %g %g", num(o, "count"), num(o, "ok"), num(o, "error"),
		    num(o, "fault"), num(o, "throttle"));
	is_dbl(num(o, "sum_response_time"), sum, 1e-6, "json %s: sum_response_time", what);
	is_dbl(num(o, "avg"), sum / count, 1e-6, "json %s: avg", what);
	is_dbl(num(o, "requests_per_minute"), count / WINDOW_MIN, 1e-6, "json %s: requests_per_minute",
	    what);
}

static void
test_json_map(struct svcmap *m)
{
	struct capture c;
	char err[256] = "", *text;
	cJSON *root, *in, *nodes, *edges, *o;
	size_t i;
	int rc;

	rc = export_map(m, MAP_JSON, cap_open(&c), err, sizeof err);
	text = cap_close(&c);
	is_int(rc, 0, "export_map json returns 0");
	root = cJSON_Parse(text);
	if (!ok(root != NULL, "map JSON parses back")) {
		free(text);
		return;
	}
	is_str(str(root, "schema"), "xray-bench-map/1", "schema");
	in = cJSON_GetObjectItemCaseSensitive(root, "input");
	is_int(num(in, "documents"), 7, "input.documents");
	is_int(num(in, "segments"), 7, "input.segments");
	is_int(num(in, "subsegments"), 4, "input.subsegments");
	is_int(num(in, "independent_subsegments"), 0, "input.independent_subsegments");
	is_int(num(cJSON_GetObjectItemCaseSensitive(in, "skipped"), "in_progress"), 0,
	    "input.skipped.in_progress");
	is_int(num(cJSON_GetObjectItemCaseSensitive(in, "skipped"), "independent_subsegment"), 0,
	    "input.skipped.independent_subsegment is 0 (they are used)");

	nodes = cJSON_GetObjectItemCaseSensitive(root, "nodes");
	is_int(cJSON_GetArraySize(nodes), NWANT_NODES, "json: %zu nodes", NWANT_NODES);
	for (i = 0; i < NWANT_NODES && i < (size_t)cJSON_GetArraySize(nodes); i++) {
		const struct want_node *w = &want_nodes[i];

		o = cJSON_GetArrayItem(nodes, (int)i);
		is_str(str(o, "name"), w->name, "json node %zu is %s (sorted by name)", i, show(w->name));
		is_str(str(o, "type"), w->type, "json node %s: type", show(w->name));
		is_str(str(o, "kind"), w->kind, "json node %s: kind", show(w->name));
		check_stats_json(o, show(w->name), w->count, w->okc, w->error, w->fault, w->throttle, w->sum);
		is_dbl(num(o, "p50"), w->p50, 1e-6, "json node %s: p50 (nearest rank)", show(w->name));
		is_dbl(num(o, "p90"), w->p90, 1e-6, "json node %s: p90 (nearest rank)", show(w->name));
	}

	edges = cJSON_GetObjectItemCaseSensitive(root, "edges");
	is_int(cJSON_GetArraySize(edges), NWANT_EDGES, "json: %zu edges", NWANT_EDGES);
	for (i = 0; i < NWANT_EDGES && i < (size_t)cJSON_GetArraySize(edges); i++) {
		const struct want_edge *w = &want_edges[i];
		char what[128];

		o = cJSON_GetArrayItem(edges, (int)i);
		snprintf(what, sizeof what, "edge %zu %.20s -> %.20s", i, show(w->source), show(w->target));
		ok(str(cJSON_GetObjectItemCaseSensitive(o, "source"), "name") != NULL &&
		    strcmp(str(cJSON_GetObjectItemCaseSensitive(o, "source"), "name"), w->source) == 0 &&
		    str(cJSON_GetObjectItemCaseSensitive(o, "target"), "name") != NULL &&
		    strcmp(str(cJSON_GetObjectItemCaseSensitive(o, "target"), "name"), w->target) == 0,
		    "json %s (sorted by source, target)", what);
		check_stats_json(o, what, w->count, w->okc, w->error, w->fault, w->throttle, w->sum);
	}
	o = cJSON_GetArrayItem(edges, 5);
	is_dbl(num(o, "p50"), 0.12, 1e-9, "json edge web -> api: p50 is the caller's subsegment time");

	is_int(six_decimals(text), (int)(NWANT_NODES + NWANT_EDGES) * 7,
	    "json: every time and rate is written with 6 decimals");
	ok(strstr(text, "0.750000") != NULL, "json: web's sum 0.75 is written as 0.750000");
	cJSON_Delete(root);
	free(text);
}

/* ---------------------------------------------------------------- text map */

static void
test_text_map(struct svcmap *m)
{
	struct capture c;
	char err[256] = "", *text, line[256];
	size_t i, lines = 0;
	const char *p;
	int rc;

	rc = export_map(m, MAP_TEXT, cap_open(&c), err, sizeof err);
	text = cap_close(&c);
	is_int(rc, 0, "export_map text returns 0");
	for (i = 0; i < NWANT_NODES; i++) {
		const char *n = strcmp(want_nodes[i].name, HOSTILE) == 0 ? HOSTILE_TEXT : want_nodes[i].name;

		snprintf(line, sizeof line, "\n%s ", n);
		ok(strstr(text, line) != NULL, "text map: a row for node %s", n);
	}
	for (i = 0; i < NWANT_EDGES; i++) {
		const char *t = strcmp(want_edges[i].target, HOSTILE) == 0 ? HOSTILE_TEXT : want_edges[i].target;

		snprintf(line, sizeof line, "\n%s -> %s ", want_edges[i].source, t);
		ok(strstr(text, line) != NULL, "text map: a row for edge %s -> %s", want_edges[i].source, t);
	}
	ok(strchr(text, '\x1b') == NULL && strchr(text, '\x07') == NULL, "text map: no ESC or BEL byte");
	ok(strstr(text, "\nweb ") != NULL && strstr(strstr(text, "\nweb "), " 33.3% ") != NULL,
	    "text map: web is 33.3%% ok");
	for (p = text; *p != '\0'; p++)
		if (*p == '\n')
			lines++;
	/* header + 7 nodes, blank, header + 6 edges, blank, summary */
	is_int(lines, 1 + NWANT_NODES + 1 + 1 + NWANT_EDGES + 2, "text map: line count");
	ok(strstr(text, "7 nodes, 6 edges from 7 documents") != NULL, "text map: the summary line");
	free(text);
}

/* ---------------------------------------------------------------- DOT and SVG */

/* Hue class of "#rrggbb": red, amber, green, purple, or "other". */
static const char *
hue_class(const char *hex)
{
	unsigned r, g, b;
	double mx, mn, h;

	if (hex == NULL || sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3)
		return "none";
	mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
	mn = r < g ? (r < b ? r : b) : (g < b ? g : b);
	if (mx == mn)
		return "grey";
	if (mx == r)
		h = 60 * fmod(((double)g - b) / (mx - mn), 6);
	else if (mx == g)
		h = 60 * (((double)b - r) / (mx - mn) + 2);
	else
		h = 60 * (((double)r - g) / (mx - mn) + 4);
	if (h < 0)
		h += 360;
	if (h < 15 || h >= 340)
		return "red";
	if (h >= 25 && h < 60)
		return "amber";
	if (h >= 90 && h < 160)
		return "green";
	if (h >= 260 && h < 320)
		return "purple";
	return "other";
}

/* The label Graphviz is given for a name: '\' doubled, '&' as "&amp;". */
static void
label_name(const char *name, char *out, size_t outlen)
{
	char clean[256], *p;
	size_t o = 0;

	text_sanitize(name, clean, sizeof clean);
	for (p = clean; *p != '\0' && o + 6 < outlen; p++) {
		if (*p == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (*p == '&') {
			memcpy(out + o, "&amp;", 5);
			o += 5;
		} else
			out[o++] = *p;
	}
	out[o] = '\0';
}

/* Render, with stderr sent to a file that must stay empty. */
static char *
render(struct svcmap *m, enum map_format fmt, int *rc, int *quiet)
{
	char path[] = "/tmp/xraytop-test-stderr.XXXXXX", err[256] = "", *text;
	struct capture c;
	int fd, saved;
	off_t size;

	fflush(stderr);
	fd = mkstemp(path);
	saved = dup(2);
	dup2(fd, 2);
	*rc = export_map(m, fmt, cap_open(&c), err, sizeof err);
	text = cap_close(&c);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	*quiet = size == 0;
	if (*rc != 0)
		diag("error: %s", err);
	return text;
}

static void
test_dot(struct svcmap *m)
{
	char *text, want[256];
	Agraph_t *g;
	Agnode_t *n;
	size_t i;
	int rc, quiet, nn = 0;

	text = render(m, MAP_DOT, &rc, &quiet);
	is_int(rc, 0, "export_map dot returns 0");
	ok(quiet, "dot: Graphviz wrote nothing to stderr");
	g = agmemread(text);
	if (!ok(g != NULL, "dot output re-parses with agmemread")) {
		free(text);
		return;
	}
	for (n = agfstnode(g); n != NULL; n = agnxtnode(g, n))
		nn++;
	is_int(nn, NWANT_NODES, "dot: %zu nodes", NWANT_NODES);
	is_int(agnedges(g), NWANT_EDGES, "dot: %zu edges", NWANT_EDGES);
	ok(agget(g, "bb") != NULL && agget(g, "bb")[0] != '\0', "dot: the layout's bounding box is there");
	is_str(agget(g, "rankdir"), "LR", "dot: rankdir LR");
	for (i = 0; i < NWANT_NODES; i++) {
		const struct want_node *w = &want_nodes[i];
		Agnode_t *found = NULL;
		char *label, *pos;

		label_name(w->name, want, sizeof want);
		strcat(want, "\\n");
		for (n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
			label = agget(n, "label");
			if (label != NULL && strncmp(label, want, strlen(want)) == 0)
				found = n;
		}
		if (!ok(found != NULL, "dot: node %s has a label that starts with its name", show(w->name)))
			continue;
		pos = agget(found, "pos");
		ok(pos != NULL && strchr(pos, ',') != NULL, "dot: node %s has a position", show(w->name));
		is_str(hue_class(agget(found, "color")), w->health, "dot: node %s is %s", show(w->name),
		    w->health);
		is_str(hue_class(agget(found, "fillcolor")), w->health, "dot: node %s filled %s",
		    show(w->name), w->health);
		is_str(agget(found, "shape"), w->shape, "dot: node %s is a %s", show(w->name), w->shape);
	}
	/* The edge label: count and average, and the percentages. */
	for (n = agfstnode(g); n != NULL; n = agnxtnode(g, n)) {
		Agedge_t *e;

		for (e = agfstout(g, n); e != NULL; e = agnxtout(g, e)) {
			char *label = agget(e, "label");

			if (label != NULL && strstr(label, "3 req") != NULL)
				ok(strstr(label, "250ms avg") != NULL && strstr(label, "33.3% err") != NULL &&
				    strstr(label, "33.3% fault") != NULL,
				    "dot: client -> web's label: %s", label);
		}
	}
	agclose(g);
	free(text);
}

static void
test_svg(struct svcmap *m)
{
	char path[] = "/tmp/xraytop-test-svg.XXXXXX", cmd[512], want[256];
	const char *xmllint = getenv("XMLLINT");
	char *text;
	size_t i;
	FILE *f;
	int rc, quiet, fd, status;

	text = render(m, MAP_SVG, &rc, &quiet);
	is_int(rc, 0, "export_map svg returns 0");
	ok(quiet, "svg: Graphviz wrote nothing to stderr");
	ok(strncmp(text, "<?xml", 5) == 0 && strstr(text, "<svg") != NULL, "svg: an SVG document");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	if (xmllint == NULL || *xmllint == '\0' || strcmp(xmllint, "no") == 0)
		xmllint = "xmllint";
	snprintf(cmd, sizeof cmd, "'%s' --noout '%s'", xmllint, path);
	status = system(cmd);
	ok(status == 0, "svg: xmllint --noout accepts it (%s)", cmd);
	unlink(path);

	for (i = 0; i < NWANT_NODES; i++) {
		if (strcmp(want_nodes[i].name, HOSTILE) == 0)
			continue;
		snprintf(want, sizeof want, ">%s<", want_nodes[i].name);
		ok(strstr(text, want) != NULL, "svg: names node %s", want_nodes[i].name);
	}
	ok(strstr(text, "<script") == NULL, "svg: no <script element");
	ok(strchr(text, '\x1b') == NULL && strchr(text, '\x07') == NULL, "svg: no ESC or BEL byte");
	ok(strstr(text, ">&lt;script&gt;alert(1)&lt;/script&gt;&quot;q\\?]0;x?&amp;y<") != NULL,
	    "svg: the hostile name is shown as escaped text");
	ok(strstr(text, "<title>client-&gt;web</title>") != NULL,
	    "svg: '-' is written as itself outside comments");
	free(text);
}

/* ---------------------------------------------------------------- traces */

static void
test_traces(void)
{
	struct annotation annos[] = {
		{ .key = "cart_items", .type = ANNO_NUMBER, .num = 3 },
		{ .key = "is_premium", .type = ANNO_BOOL, .boolean = 1 },
		{ .key = "order_total", .type = ANNO_NUMBER, .num = 12.34 },
		{ .key = "tenant", .type = ANNO_STRING, .str = "acme" },
		{ .key = "tenant", .type = ANNO_STRING, .str = "glo\"bex\n" },
	};
	struct service_id svcs[] = {
		{ "web", "AWS::EC2::Instance" }, { "api", NULL }, { "api", "AWS::Lambda" },
	};
	struct trace_summary s[2];
	struct capture c;
	char err[256] = "", *text;
	const cJSON *o, *a;
	cJSON *root;
	int rc;

	memset(s, 0, sizeof s);
	s[0].id = "1-6553f100-000000000000000000000002";
	s[0].start = T0 + 0.25;
	s[0].duration = 0.5;
	s[0].response_time = 0.45;
	s[0].method = "POST";
	s[0].url = "https://example.com/cart?\x1b[2J";
	s[0].user_agent = "curl/8";
	s[0].client_ip = "203.0.113.7";
	s[0].user = "u-1";
	s[0].status = 502;
	s[0].flags = SUM_FAULT | SUM_PARTIAL;
	s[0].root = svcs[0];
	s[0].services = svcs;
	s[0].nservices = 3;
	s[0].annotations = annos;
	s[0].nannotations = 5;
	s[0].nsegments = 3;
	s[1].id = "1-6553f100-000000000000000000000001";
	s[1].start = T0;
	s[1].duration = -1;
	s[1].response_time = -1;
	s[1].flags = SUM_ERROR | SUM_THROTTLE;

	rc = export_traces(s, 2, LIST_JSON, 1, cap_open(&c), err, sizeof err);
	text = cap_close(&c);
	is_int(rc, 0, "export_traces json returns 0");
	root = cJSON_Parse(text);
	if (ok(cJSON_IsArray(root) && cJSON_GetArraySize(root) == 2, "traces JSON: an array of 2")) {
		o = cJSON_GetArrayItem(root, 0);
		is_str(str(o, "id"), s[0].id, "traces JSON: in the order given");
		is_dbl(num(o, "start"), T0 + 0.25, 1e-6, "traces JSON: start");
		is_str(str(o, "start_iso"), "2023-11-14T22:13:20.250000Z", "traces JSON: start_iso");
		is_dbl(num(o, "response_time"), 0.45, 1e-9, "traces JSON: response_time");
		is_dbl(num(o, "duration"), 0.5, 1e-9, "traces JSON: duration");
		is_int(num(o, "status"), 502, "traces JSON: status");
		is_str(str(o, "url"), s[0].url, "traces JSON: the URL as it is (JSON-escaped)");
		ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "fault")) &&
		    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "error")) &&
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "partial")),
		    "traces JSON: flags as booleans");
		is_str(str(cJSON_GetObjectItemCaseSensitive(o, "root"), "name"), "web", "traces JSON: root");
		a = cJSON_GetObjectItemCaseSensitive(o, "services");
		ok(cJSON_GetArraySize(a) == 3 &&
		    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(a, 1), "type")),
		    "traces JSON: services, a missing type is null");
		a = cJSON_GetObjectItemCaseSensitive(o, "annotations");
		ok(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(a, "tenant")) == 2,
		    "traces JSON: two values of one key in one array");
		is_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "tenant"), 1)->valuestring,
		    "glo\"bex\n", "traces JSON: a string value round-trips");
		ok(cJSON_IsTrue(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "is_premium"), 0)),
		    "traces JSON: a boolean annotation is a JSON boolean");
		is_dbl(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(a, "order_total"), 0)->valuedouble,
		    12.34, 0, "traces JSON: a float annotation reads back exactly");
		ok(strstr(text, "[3]") != NULL && strstr(text, "[12.34]") != NULL,
		    "traces JSON: numbers in their shortest form (3, 12.34)");
		o = cJSON_GetArrayItem(root, 1);
		ok(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "response_time")) &&
		    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "status")) &&
		    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "method")) &&
		    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "root")),
		    "traces JSON: unknowns are null");
	}
	cJSON_Delete(root);
	free(text);

	rc = export_traces(s, 0, LIST_JSON, 1, cap_open(&c), err, sizeof err);
	text = cap_close(&c);
	root = cJSON_Parse(text);
	ok(rc == 0 && cJSON_IsArray(root) && cJSON_GetArraySize(root) == 0, "traces JSON: none is []");
	cJSON_Delete(root);
	free(text);

	rc = export_traces(s, 2, LIST_TEXT, 1, cap_open(&c), err, sizeof err);
	text = cap_close(&c);
	is_int(rc, 0, "export_traces text returns 0");
	{
		char *l1 = strchr(text, '\n'), *l2 = l1 ? strchr(l1 + 1, '\n') : NULL;

		ok(l1 && l2 && strchr(l2 + 1, '\n') != NULL && strchr(l2 + 1, '\n')[1] == '\0',
		    "traces text: a header and two rows");
		ok(l1 && strncmp(l1 + 1, s[0].id, strlen(s[0].id)) == 0, "traces text: rows in the order given");
		ok(strstr(text, "2023-11-14 22:13:20.250") != NULL, "traces text: UTC start");
		ok(strstr(text, "https://example.com/cart??[2J") != NULL && strchr(text, '\x1b') == NULL,
		    "traces text: the URL sanitized");
		ok(strstr(text, "web, api ") != NULL || strstr(text, "web, api\n") != NULL,
		    "traces text: distinct service names");
		ok(l2 && strstr(l1, "!\xe2\x80\xa6\n") == l2 - 4, "traces text: marks ! and \xe2\x80\xa6");
		ok(l2 && strstr(l2, "ET\n") != NULL, "traces text: marks E and T");
		ok(strstr(text, "450ms") != NULL && strstr(text, "500ms") != NULL,
		    "traces text: response time and duration");
	}
	free(text);

	rc = export_traces(s, 2, LIST_IDS, 1, cap_open(&c), err, sizeof err);
	text = cap_close(&c);
	is_str(text, "1-6553f100-000000000000000000000002\n1-6553f100-000000000000000000000001\n",
	    "ids: one per line, in the order given");
	free(text);
}

static void
test_formats_and_errors(struct svcmap *m)
{
	char err[256] = "";
	FILE *full;
	int rc;

	is_int(export_map_format("text"), MAP_TEXT, "map format text");
	is_int(export_map_format("json"), MAP_JSON, "map format json");
	is_int(export_map_format("dot"), MAP_DOT, "map format dot");
	is_int(export_map_format("svg"), MAP_SVG, "map format svg");
	is_int(export_map_format("png"), -1, "map format png is unknown");
	is_int(export_map_format(NULL), -1, "map format NULL is unknown");
	is_int(export_list_format("ids"), LIST_IDS, "list format ids");
	is_int(export_list_format("json"), LIST_JSON, "list format json");
	is_int(export_list_format("text"), LIST_TEXT, "list format text");
	is_int(export_list_format("dot"), -1, "list format dot is unknown");

	full = fopen("/dev/full", "w");
	if (!ok(full != NULL, "/dev/full opens"))
		return;
	rc = export_map(m, MAP_JSON, full, err, sizeof err);
	ok(rc == -1 && strstr(err, "write error") != NULL, "a full disk is a write error: %s", err);
	clearerr(full);
	err[0] = '\0';
	rc = export_map(m, MAP_SVG, full, err, sizeof err);
	ok(rc == -1 && strstr(err, "write error") != NULL, "svg to a full disk: %s", err);
	fclose(full);
}

/* An empty map still renders (an empty graph, empty tables). */
static void
test_empty(void)
{
	struct svcmap *m = svcmap_new();
	struct capture c;
	char err[256] = "", *text;
	cJSON *root;
	int rc;

	rc = export_map(m, MAP_JSON, cap_open(&c), err, sizeof err);
	text = cap_close(&c);
	root = cJSON_Parse(text);
	ok(rc == 0 && root != NULL &&
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "nodes")) == 0,
	    "empty map: JSON with no nodes");
	cJSON_Delete(root);
	free(text);
	rc = export_map(m, MAP_SVG, cap_open(&c), err, sizeof err);
	text = cap_close(&c);
	ok(rc == 0 && strstr(text, "</svg>") != NULL, "empty map: an SVG");
	free(text);
	svcmap_free(m);
}

int
main(void)
{
	struct svcmap *m;
	size_t idx[64];

	setlocale(LC_ALL, "C.UTF-8");
	m = build_map();
	/* T2's remote call to api makes a (api, remote) node until api's
	 * segment arrives; it stays with no requests and must not show. */
	ok(svcmap_nnodes(m) < 64 && svcmap_sorted_nodes(m, idx) == NWANT_NODES,
	    "the map has %zu visible nodes (of %zu)", NWANT_NODES, svcmap_nnodes(m));
	test_json_map(m);
	test_text_map(m);
	test_dot(m);
	test_svg(m);
	test_traces();
	test_formats_and_errors(m);
	test_empty();
	svcmap_free(m);
	return done_testing();
}

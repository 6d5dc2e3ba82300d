/* graph.c - the service map through Graphviz: the only code that uses gvc/cgraph.
 *
 * The map's visible nodes and edges become a cgraph digraph, laid out in
 * process by the dot engine and rendered as DOT (with positions) or SVG.
 *
 * Text from data reaches Graphviz only as attribute values set with
 * agsafeset on plain (not HTML) strings, after three steps: text_sanitize
 * (no control, C1 or bidi characters, valid UTF-8: an SVG must not carry
 * what XML forbids), '\' doubled (a label's escape character: "\N" from data
 * must not become the node's name), and '&' written as "&amp;" (Graphviz
 * passes "&...;" through to SVG as an entity, so "&#0;" from data would make
 * the SVG ill-formed; Graphviz shows "&amp;" as '&' in every format).
 * Graphviz itself quotes DOT strings and escapes SVG text.
 *
 * graph_layout (layout.h) gives no text to Graphviz at all: nodes are named
 * by index, sized in inches from cells, and edge labels are blank HTML
 * tables of a fixed size in points; the coordinates are copied out into
 * plain structs and the graph is freed before it returns.
 */
#include "config.h"

#include "xraytop/graph.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/layout.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

/* Graphviz's messages while graph_render runs (its error hook has no
 * context pointer). */
static char *gv_msgs;
static size_t gv_msglen;

static int
collect_msg(char *msg)
{
	size_t n = strlen(msg);

	gv_msgs = xrealloc(gv_msgs, gv_msglen + n + 1);
	memcpy(gv_msgs + gv_msglen, msg, n + 1);
	gv_msglen += n;
	return 0;
}

/* The collected messages on one line into err, after what. */
static void
set_error(char *err, size_t errlen, const char *what)
{
	char *p;

	if (gv_msgs != NULL) {
		for (p = gv_msgs; *p != '\0'; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		while (gv_msglen > 0 && gv_msgs[gv_msglen - 1] == ' ')
			gv_msgs[--gv_msglen] = '\0';
	}
	snprintf(err, errlen, "%s%s%s", what, gv_msgs != NULL && gv_msglen > 0 ? ": " : "",
	    gv_msgs != NULL ? gv_msgs : "");
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* A growing string for labels. */
struct buf {
	char	*s;
	size_t	 len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Data text, made safe for a Graphviz label (see the top of the file). */
static void
buf_data(struct buf *b, const char *s)
{
	size_t n = (s != NULL ? strlen(s) : 0) + 1;
	char *clean = text_sanitize(s, xmalloc(n), n), *p;

	for (p = clean; *p != '\0'; p++) {
		if (*p == '\\')
			buf_str(b, "\\\\");
		else if (*p == '&')
			buf_str(b, "&amp;");
		else
			buf_add(b, p, 1);
	}
	free(clean);
}

static void
buf_fmt(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_fmt(struct buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Health as the X-Ray console shows it: the worst class present. */
enum health { H_OK, H_THROTTLE, H_ERROR, H_FAULT, H_NONE };

static enum health
health_of(const struct stats *st)
{
	if (st->count == 0)
		return H_NONE;
	if (st->fault > 0)
		return H_FAULT;
	if (st->error > st->throttle)
		return H_ERROR;
	if (st->throttle > 0)
		return H_THROTTLE;
	return H_OK;
}

static const struct {
	const char	*fill;
	const char	*line;
} palette[] = {
	[H_OK] =       { "#dff3e0", "#2e7d32" },   /* green */
	[H_THROTTLE] = { "#ece0f7", "#7b1fa2" },   /* purple */
	[H_ERROR] =    { "#fdefc3", "#e08e00" },   /* amber */
	[H_FAULT] =    { "#fadbd8", "#c62828" },   /* red */
	[H_NONE] =     { "#f2f2f2", "#9e9e9e" },   /* grey */
};

/* Shapes: services are rounded boxes, the client a circle, data stores
 * cylinders, other AWS resources 3-D boxes, remote endpoints notes. */
static const char *
shape_of(const struct svc_node *n)
{
	const char *t = n->type != NULL ? n->type : "";

	if (n->kind == NODE_CLIENT)
		return "circle";
	if (n->kind != NODE_INFERRED)
		return "box";
	if (strcmp(t, "AWS::DynamoDB::Table") == 0 || strncmp(t, "Database::", 10) == 0 ||
	    strcmp(t, "AWS::S3") == 0 || strncmp(t, "AWS::RDS", 8) == 0)
		return "cylinder";
	if (strncmp(t, "AWS::", 5) == 0)
		return "box3d";
	return "note";
}

/* "87ms · 45 req" */
static void
buf_load(struct buf *b, const struct stats *st)
{
	char d[32];

	if (st->count > 0)
		buf_fmt(b, "%s avg \u00b7 ", text_duration(stats_avg(st), d, sizeof d));
	buf_fmt(b, "%llu req", (unsigned long long)st->count);
}

static void
buf_pct(struct buf *b, uint64_t part, uint64_t count, const char *what, int *first)
{
	if (part == 0 || count == 0)
		return;
	buf_fmt(b, "%s%.1f%% %s", *first ? "\\n" : " \u00b7 ", 100.0 * (double)part / (double)count,
	    what);
	*first = 0;
}

static void
set(void *obj, const char *name, const char *value)
{
	agsafeset(obj, (char *)name, (char *)value, "");
}

static void
style_node(Agnode_t *an, const struct svc_node *n)
{
	enum health h = health_of(&n->stats);
	struct buf b = { 0 };

	/* Name, type, then load: "\n" is a label's line break. */
	buf_data(&b, n->name);
	if (n->kind != NODE_CLIENT && n->type != NULL && n->type[0] != '\0') {
		buf_str(&b, "\\n");
		buf_data(&b, n->type);
	}
	buf_str(&b, "\\n");
	if (n->kind == NODE_CLIENT)
		buf_fmt(&b, "%llu req", (unsigned long long)n->stats.count);
	else
		buf_load(&b, &n->stats);
	set(an, "label", b.s);
	set(an, "shape", shape_of(n));
	set(an, "style", n->kind == NODE_SERVICE ? "rounded,filled" : "filled");
	set(an, "fillcolor", palette[h].fill);
	set(an, "color", palette[h].line);
	free(b.s);
}

static void
style_edge(Agedge_t *ae, const struct svc_edge *e)
{
	enum health h = health_of(&e->stats);
	struct buf b = { 0 };
	int first = 1;

	buf_load(&b, &e->stats);
	buf_pct(&b, e->stats.error, e->stats.count, "err", &first);
	buf_pct(&b, e->stats.fault, e->stats.count, "fault", &first);
	buf_pct(&b, e->stats.throttle, e->stats.count, "throttle", &first);
	set(ae, "label", b.s);
	set(ae, "color", h == H_OK ? "#607d8b" : palette[h].line);
	set(ae, "fontcolor", h == H_OK || h == H_NONE ? "#37474f" : palette[h].line);
	free(b.s);
}

/* A node's id: its name (and type when another visible node has the same
 * name), made safe as labels are; an index is added in the unlikely case
 * that is still taken.  Graphviz 2.42 cannot write an id that ends in a
 * single '\' as DOT it can read back, which the doubling also avoids. */
static Agnode_t *
make_node(Agraph_t *g, struct svcmap *m, size_t p, const size_t *vis, size_t nvis)
{
	size_t i = vis[p];
	const struct svc_node *n = svcmap_node(m, i);
	struct buf id = { 0 };
	int dup = 0;
	Agnode_t *an;

	/* vis is sorted by name: a namesake is a neighbour. */
	if (p > 0 && strcmp(nz(svcmap_node(m, vis[p - 1])->name), nz(n->name)) == 0)
		dup = 1;
	if (p + 1 < nvis && strcmp(nz(svcmap_node(m, vis[p + 1])->name), nz(n->name)) == 0)
		dup = 1;
	/* An empty id would make an anonymous node that DOT cannot name. */
	buf_data(&id, nz(n->name)[0] != '\0' ? n->name : "(no name)");
	if (dup && n->type != NULL && n->type[0] != '\0') {
		buf_str(&id, " (");
		buf_data(&id, n->type);
		buf_str(&id, ")");
	}
	if (agnode(g, id.s, 0) != NULL)
		buf_fmt(&id, " #%zu", i);
	an = agnode(g, id.s, 1);
	free(id.s);
	return an;
}

/* Order of the busiest first (requests), then of the map. */
static struct svcmap *busy_map;

static int
busy_cmp(const void *a, const void *b)
{
	const size_t *x = a, *y = b;
	uint64_t cx = svcmap_node(busy_map, *x)->stats.count;
	uint64_t cy = svcmap_node(busy_map, *y)->stats.count;

	if (cx != cy)
		return cx > cy ? -1 : 1;
	return *x < *y ? -1 : *x > *y;
}

/* Keep the max busiest of the n nodes of vis, in their order; the count. */
static size_t
keep_busiest(struct svcmap *m, size_t *vis, size_t n, size_t max)
{
	size_t *by = xcalloc(n, sizeof *by), nn = svcmap_nnodes(m), i, k = 0;
	unsigned char *keep = xcalloc(nn + 1, 1);

	if (n <= max) {
		free(by);
		free(keep);
		return n;
	}
	memcpy(by, vis, n * sizeof *by);
	busy_map = m;
	qsort(by, n, sizeof *by, busy_cmp);
	for (i = 0; i < max; i++)
		keep[by[i]] = 1;
	for (i = 0; i < n; i++)
		if (keep[vis[i]])
			vis[k++] = vis[i];
	free(by);
	free(keep);
	return k;
}

/* Above 50 nodes, dot's crossing minimisation and network simplex passes
 * get bounded effort: 200 nodes with edges across many ranks took minutes. */
static void
bound_effort(Agraph_t *g, size_t nnodes)
{
	if (nnodes <= 50)
		return;
	agattr(g, AGRAPH, "mclimit", "0.3");
	agattr(g, AGRAPH, "nslimit", "2");
	agattr(g, AGRAPH, "nslimit1", "2");
	agattr(g, AGRAPH, "searchsize", "10");
}

size_t
graph_render_limit(struct svcmap *m)
{
	size_t *vis = xcalloc(svcmap_nnodes(m) + 1, sizeof *vis), n;

	n = svcmap_sorted_nodes(m, vis);
	free(vis);
	return n > LAYOUT_MAX_NODES ? n : 0;
}

/* Build the digraph of the visible part of the map: of its max busiest
 * nodes (0: every node). */
static Agraph_t *
build(struct svcmap *m, size_t max)
{
	size_t nn = svcmap_nnodes(m), ne = svcmap_nedges(m), nvis, nedges, i;
	size_t *vis = xcalloc(nn + 1, sizeof *vis), *eidx = xcalloc(ne + 1, sizeof *eidx);
	Agnode_t **an = xcalloc(nn + 1, sizeof *an);
	Agraph_t *g;

	g = agopen("xraytop", Agstrictdirected, NULL);
	if (g == NULL)
		goto out;
	agattr(g, AGRAPH, "rankdir", "LR");
	agattr(g, AGRAPH, "bgcolor", "white");
	agattr(g, AGRAPH, "nodesep", "0.35");
	agattr(g, AGRAPH, "ranksep", "0.9");
	agattr(g, AGRAPH, "fontname", "Helvetica");
	agattr(g, AGNODE, "fontname", "Helvetica");
	agattr(g, AGNODE, "fontsize", "10");
	agattr(g, AGNODE, "penwidth", "1.6");
	agattr(g, AGNODE, "margin", "0.12,0.06");
	agattr(g, AGEDGE, "fontname", "Helvetica");
	agattr(g, AGEDGE, "fontsize", "8");
	agattr(g, AGEDGE, "arrowsize", "0.7");

	nvis = svcmap_sorted_nodes(m, vis);
	if (max > 0 && nvis > max) {
		char label[160];

		snprintf(label, sizeof label, "the %zu busiest of %zu nodes (a map of more than "
		    "%d is not laid out; --format json or text has every node)", max, nvis,
		    LAYOUT_MAX_NODES);
		agattr(g, AGRAPH, "label", label);
		agattr(g, AGRAPH, "labelloc", "t");
		nvis = keep_busiest(m, vis, nvis, max);
	}
	bound_effort(g, nvis);
	for (i = 0; i < nvis; i++) {
		an[vis[i]] = make_node(g, m, i, vis, nvis);
		style_node(an[vis[i]], svcmap_node(m, vis[i]));
	}
	nedges = svcmap_sorted_edges(m, eidx);
	for (i = 0; i < nedges; i++) {
		const struct svc_edge *e = svcmap_edge(m, eidx[i]);
		Agedge_t *ae;

		if (an[e->source] == NULL || an[e->target] == NULL)
			continue;
		ae = agedge(g, an[e->source], an[e->target], NULL, 1);
		if (ae != NULL)
			style_edge(ae, e);
	}
out:
	free(vis);
	free(eidx);
	free(an);
	return g;
}

/* Write Graphviz's SVG with "&#45;" (how 2.42 escapes every '-') back to
 * '-' outside comments, as later Graphviz versions write it: names read
 * (and grep) as they are, and "--" can only appear where it is allowed. */
static void
write_svg(FILE *out, const char *s, size_t len)
{
	size_t i, from = 0;
	int comment = 0;

	for (i = 0; i < len; i++) {
		if (!comment && len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			comment = 1;
			i += 3;
		} else if (comment && len - i >= 3 && memcmp(s + i, "-->", 3) == 0) {
			comment = 0;
			i += 2;
		} else if (!comment && len - i >= 5 && memcmp(s + i, "&#45;", 5) == 0) {
			fwrite(s + from, 1, i - from, out);
			putc('-', out);
			from = i + 5;
			i += 4;
		}
	}
	fwrite(s + from, 1, len - from, out);
}

/* LeakSanitizer: the text layout plugin's fontconfig keeps its caches
 * until exit by design; a leak report of them says nothing about xraytop.
 * (Read only by sanitizer builds; harmless elsewhere.) */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_options(void);

const char * __attribute__((used))
__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

const char * __attribute__((used))
__lsan_default_options(void)
{
	return "print_suppressions=0";
}

/* One Graphviz context for the life of the process: with 2.42, a second
 * context after gvFreeContext makes the pango text plugin read a font name
 * that the first context freed (a use-after-free found with ASan). */
static GVC_t *gvc_shared;

/* Free the context at exit, so that leak checkers see only real leaks. */
static void
gv_context_free(void)
{
	if (gvc_shared != NULL)
		gvFreeContext(gvc_shared);
	gvc_shared = NULL;
}

#if defined(__SANITIZE_ADDRESS__)
#define XT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XT_ASAN 1
#endif
#endif

/* Under AddressSanitizer the context is kept to the end instead: 2.42's
 * gvFreeContext leaves what gvconfig read (3.6 KB) unreferenced, and
 * LeakSanitizer, unlike valgrind (tests/cli/valgrind.supp), sees too few
 * frames of that allocation to suppress it by function.  Kept, it stays
 * reachable from gvc_shared. */
static GVC_t *
gv_context(void)
{
	if (gvc_shared == NULL) {
		gvc_shared = gvContext();
#ifndef XT_ASAN
		if (gvc_shared != NULL)
			atexit(gv_context_free);
#else
		(void)gv_context_free;
#endif
	}
	return gvc_shared;
}

int
graph_render(struct svcmap *m, enum graph_format fmt, FILE *out, char *err, size_t errlen)
{
	agusererrf prev_f;
	agerrlevel_t prev_level;
	GVC_t *gvc;
	Agraph_t *g;
	char *data = NULL;
	unsigned int len = 0;
	size_t big;
	int rc = -1;

	gv_msgs = NULL;
	gv_msglen = 0;
	prev_f = agseterrf(collect_msg);
	prev_level = agseterr(AGWARN);

	gvc = gv_context();
	if (gvc == NULL) {
		set_error(err, errlen, "Graphviz could not start");
		goto restore;
	}
	big = graph_render_limit(m);
	g = build(m, big > 0 && fmt == GRAPH_SVG ? LAYOUT_MAX_NODES : 0);
	if (g == NULL) {
		set_error(err, errlen, "Graphviz could not make a graph");
		goto restore;
	}
	if (big > 0 && fmt == GRAPH_DOT) {
		/* Every node and edge, for a layout program of one's own. */
		fprintf(out, "/* %zu nodes: more than the %d xraytop lays out, so without "
		    "positions (sfdp -Tsvg lays out large graphs) */\n", big, LAYOUT_MAX_NODES);
		if (agwrite(g, out) != 0)
			set_error(err, errlen, "Graphviz could not write the graph");
		else
			rc = 0;
		goto graph;
	}
	if (gvLayout(gvc, g, "dot") != 0) {
		set_error(err, errlen, "Graphviz layout failed");
		goto graph;
	}
	if (gvRenderData(gvc, g, fmt == GRAPH_SVG ? "svg" : "dot", &data, &len) != 0 ||
	    data == NULL)
		set_error(err, errlen, "Graphviz rendering failed");
	else {
		if (fmt == GRAPH_SVG)
			write_svg(out, data, len);
		else
			fwrite(data, 1, len, out);
		rc = 0;
	}
	if (data != NULL)
		gvFreeRenderData(data);
	gvFreeLayout(gvc, g);
graph:
	agclose(g);
restore:
	agseterr(prev_level);
	agseterrf(prev_f);
	free(gv_msgs);
	gv_msgs = NULL;
	gv_msglen = 0;
	return rc;
}

/* ---------------------------------------------------------------- layout in cells */

#define PT_PER_COL 7.2    /* 0.1 in */
#define PT_PER_ROW 14.4   /* 0.2 in */

void
layout_init(struct layout *l, size_t nnodes, size_t nedges)
{
	memset(l, 0, sizeof *l);
	l->nodes = xcalloc(nnodes + 1, sizeof *l->nodes);
	l->nnodes = nnodes;
	l->edges = xcalloc(nedges + 1, sizeof *l->edges);
	l->nedges = nedges;
}

void
layout_done(struct layout *l)
{
	size_t i;

	if (l->edges != NULL)
		for (i = 0; i < l->nedges; i++)
			free(l->edges[i].pts);
	free(l->nodes);
	free(l->edges);
	memset(l, 0, sizeof *l);
}

static void
set_num(void *obj, const char *name, double v)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%.4f", v);
	set(obj, name, buf);
}

/* A blank edge label of w x h points: an empty HTML table of fixed size. */
static void
set_blank_label(Agraph_t *g, Agedge_t *e, double w, double h)
{
	char buf[256];
	char *html;

	snprintf(buf, sizeof buf, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"0\" "
	    "CELLPADDING=\"0\" FIXEDSIZE=\"TRUE\" WIDTH=\"%d\" HEIGHT=\"%d\"><TR><TD></TD></TR></TABLE>",
	    (int)(w + 0.5), (int)(h + 0.5));
	html = agstrdup_html(g, buf);
	agsafeset(e, "label", html, "");
	agstrfree(g, html);
}

/* The graph of l, in points, with default attributes for a cell layout. */
static Agraph_t *
layout_graph(const struct layout *l, Agnode_t **an, Agedge_t **ae)
{
	double nodesep = l->nodesep > 0 ? l->nodesep : 1, ranksep = l->ranksep > 0 ? l->ranksep : 6;
	char name[32];
	Agraph_t *g;
	size_t i;

	g = agopen("layout", Agdirected, NULL);
	if (g == NULL)
		return NULL;
	agattr(g, AGRAPH, "rankdir", "LR");
	/* In LR, nodesep separates the nodes of a rank vertically (rows) and
	 * ranksep the ranks horizontally (columns); both are in inches. */
	set_num(g, "nodesep", nodesep * PT_PER_ROW / 72);
	set_num(g, "ranksep", ranksep * PT_PER_COL / 72);
	agattr(g, AGNODE, "shape", "box");
	agattr(g, AGNODE, "fixedsize", "true");
	agattr(g, AGNODE, "label", "");
	agattr(g, AGNODE, "margin", "0");
	agattr(g, AGNODE, "width", "1");
	agattr(g, AGNODE, "height", "0.2");
	/* Edges leave a box in the middle of its right side and enter in the
	 * middle of the left one: in cells, the rows above and below are the
	 * box's border, which a line must not seem to start from. */
	agattr(g, AGEDGE, "tailport", "e");
	agattr(g, AGEDGE, "headport", "w");
	agattr(g, AGEDGE, "arrowhead", "none");
	agattr(g, AGEDGE, "arrowtail", "none");
	agattr(g, AGEDGE, "label", "");
	bound_effort(g, l->nnodes);
	for (i = 0; i < l->nnodes; i++) {
		const struct layout_node *n = &l->nodes[i];

		snprintf(name, sizeof name, "n%zu", i);
		an[i] = agnode(g, name, 1);
		set_num(an[i], "width", (n->w >= 1 ? n->w : 1) * PT_PER_COL / 72);
		set_num(an[i], "height", (n->h >= 1 ? n->h : 1) * PT_PER_ROW / 72);
	}
	for (i = 0; i < l->nedges; i++) {
		const struct layout_edge *e = &l->edges[i];

		snprintf(name, sizeof name, "e%zu", i);
		ae[i] = agedge(g, an[e->source], an[e->target], name, 1);
		if (ae[i] != NULL && e->lw > 0 && e->lh > 0)
			set_blank_label(g, ae[i], e->lw * PT_PER_COL, e->lh * PT_PER_ROW);
	}
	return g;
}

/* Copy dot's coordinates (points, y up) into l (cells, y down). */
static void
layout_copy(Agraph_t *g, struct layout *l, Agnode_t **an, Agedge_t **ae)
{
	boxf bb = GD_bb(g);
	double top = bb.UR.y, left = bb.LL.x, w = 0, h = 0;
	size_t i, k, j;

#define CX(px) (((px) - left) / PT_PER_COL)
#define CY(py) ((top - (py)) / PT_PER_ROW)
	for (i = 0; i < l->nnodes; i++) {
		struct layout_node *n = &l->nodes[i];

		n->x = CX(ND_coord(an[i]).x);
		n->y = CY(ND_coord(an[i]).y);
		if (n->x + n->w / 2 > w)
			w = n->x + n->w / 2;
		if (n->y + n->h / 2 > h)
			h = n->y + n->h / 2;
	}
	for (i = 0; i < l->nedges; i++) {
		struct layout_edge *e = &l->edges[i];
		const splines *spl = ae[i] != NULL ? ED_spl(ae[i]) : NULL;
		const textlabel_t *lab = ae[i] != NULL ? ED_label(ae[i]) : NULL;
		size_t n = 0;

		free(e->pts);
		e->pts = NULL;
		e->npts = 0;
		e->has_label = 0;
		if (spl != NULL)
			for (k = 0; k < (size_t)spl->size; k++)
				n += (size_t)spl->list[k].size;
		if (n >= 4) {
			e->pts = xcalloc(n, sizeof *e->pts);
			/* Pieces of one edge (rare) are joined end to start. */
			for (k = 0; k < (size_t)spl->size; k++) {
				const bezier *bz = &spl->list[k];

				for (j = 0; j < (size_t)bz->size; j++) {
					if (k > 0 && j == 0)
						continue;
					e->pts[e->npts].x = CX(bz->list[j].x);
					e->pts[e->npts].y = CY(bz->list[j].y);
					e->npts++;
				}
			}
			/* Keep 1 + 3k points. */
			while (e->npts > 4 && (e->npts - 1) % 3 != 0)
				e->npts--;
		}
		for (k = 0; k < e->npts; k++) {
			if (e->pts[k].x > w)
				w = e->pts[k].x;
			if (e->pts[k].y > h)
				h = e->pts[k].y;
		}
		if (lab != NULL && lab->set) {
			e->has_label = 1;
			e->lx = CX(lab->pos.x);
			e->ly = CY(lab->pos.y);
			if (e->lx + e->lw / 2 > w)
				w = e->lx + e->lw / 2;
			if (e->ly + e->lh / 2 > h)
				h = e->ly + e->lh / 2;
		}
	}
#undef CX
#undef CY
	l->width = w;
	l->height = h;
}

int
graph_layout(struct layout *l, char *err, size_t errlen)
{
	agusererrf prev_f;
	agerrlevel_t prev_level;
	Agnode_t **an;
	Agedge_t **ae;
	GVC_t *gvc;
	Agraph_t *g;
	size_t i;
	int rc = -1;

	l->width = l->height = 0;
	for (i = 0; i < l->nedges; i++)
		if (l->edges[i].source >= l->nnodes || l->edges[i].target >= l->nnodes) {
			snprintf(err, errlen, "edge %zu names a node that does not exist", i);
			return -1;
		}
	if (l->nnodes == 0)
		return 0;
	if (l->nnodes > LAYOUT_MAX_NODES) {
		snprintf(err, errlen, "%zu nodes: more than the %d laid out", l->nnodes,
		    LAYOUT_MAX_NODES);
		return -1;
	}
	gv_msgs = NULL;
	gv_msglen = 0;
	prev_f = agseterrf(collect_msg);
	prev_level = agseterr(AGWARN);
	an = xcalloc(l->nnodes, sizeof *an);
	ae = xcalloc(l->nedges + 1, sizeof *ae);

	gvc = gv_context();
	if (gvc == NULL) {
		set_error(err, errlen, "Graphviz could not start");
		goto restore;
	}
	g = layout_graph(l, an, ae);
	if (g == NULL) {
		set_error(err, errlen, "Graphviz could not make a graph");
		goto restore;
	}
	if (gvLayout(gvc, g, "dot") != 0)
		set_error(err, errlen, "Graphviz layout failed");
	else {
		layout_copy(g, l, an, ae);
		gvFreeLayout(gvc, g);
		rc = 0;
	}
	agclose(g);
restore:
	free(an);
	free(ae);
	agseterr(prev_level);
	agseterrf(prev_f);
	free(gv_msgs);
	gv_msgs = NULL;
	gv_msglen = 0;
	return rc;
}

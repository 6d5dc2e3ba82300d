/* mapview-draw.c - the map drawn into a canvas: glyphs, numbers, box
 * sizes, boxes and edges of the scene (mapview-scene.c) in the viewport,
 * hit testing and the items list. */
#include "config.h"

#include "xraytop/mapview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapview-priv.h"
#include "xraytop/canvas.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define NAME_MAX_BYTES 512

/* ---------------------------------------------------------------- glyphs */

enum health { H_OK, H_THROTTLE, H_ERROR, H_FAULT, H_NONE };

/* The worst class present, as graph.c colours nodes. */
static enum health
health_of(const struct mv_counts *c)
{
	if (c->count == 0)
		return H_NONE;
	if (c->fault > 0)
		return H_FAULT;
	if (c->error > c->throttle)
		return H_ERROR;
	if (c->throttle > 0)
		return H_THROTTLE;
	return H_OK;
}

static const struct {
	uint32_t	 cp;
	char		 ascii;
	int		 style;
} health_glyph[] = {
	[H_OK] =       { 0x2713, 'o', CS_NODE_OK },        /* ✓ */
	[H_THROTTLE] = { 0x29d6, 'T', CS_NODE_THROTTLE },  /* ⧖ */
	[H_ERROR] =    { '!',    '!', CS_NODE_ERROR },
	[H_FAULT] =    { 0x2717, 'X', CS_NODE_FAULT },     /* ✗ */
	[H_NONE] =     { 0x00b7, '-', CS_NODE_IDLE },      /* · */
};

/* Share of the class the health glyph names, in percent. */
static double
health_share(const struct mv_counts *c, enum health h)
{
	uint64_t part = 0;

	switch (h) {
	case H_FAULT:
		part = c->fault;
		break;
	case H_ERROR:
		part = c->error > c->throttle ? c->error - c->throttle : 0;
		break;
	case H_THROTTLE:
		part = c->throttle;
		break;
	default:
		return 0;
	}
	return c->count > 0 ? 100.0 * (double)part / (double)c->count : 0;
}

static const struct {
	const char	*prefix;    /* type prefix, compared without case */
	int		 exact;     /* the whole type, not a prefix */
	const char	*glyph;
	char		 ascii;
	const char	*what;
	int		 service;   /* a compute service rather than a resource */
} type_glyphs[] = {
	{ "AWS::EC2",              0, "\u25a3", 'E', "EC2", 1 },            /* ▣ */
	{ "AWS::ECS",              0, "\u25a6", 'C', "ECS", 1 },            /* ▦ */
	{ "AWS::EKS",              0, "\u25a6", 'K', "EKS", 1 },
	{ "AWS::Lambda",           0, "\u03bb", 'L', "Lambda", 1 },         /* λ */
	{ "AWS::ElasticBeanstalk", 0, "\u03b2", 'B', "Beanstalk", 1 },      /* β */
	{ "AWS::ApiGateway",       0, "\u21c4", 'A', "API Gateway", 1 },    /* ⇄ */
	{ "AWS::DynamoDB",         0, "\u25a4", 'D', "DynamoDB", 0 },       /* ▤ */
	{ "Database::",            0, "\u229e", 'Q', "SQL", 0 },            /* ⊞ */
	{ "AWS::RDS",              0, "\u229e", 'Q', "SQL", 0 },
	{ "AWS::S3",               1, "\u25ea", 'S', "S3", 0 },             /* ◪ */
	{ "AWS::SQS",              1, "\u21f6", 'M', "SQS", 0 },            /* ⇶ */
	{ "AWS::SNS",              1, "\u21c9", 'N', "SNS", 0 },            /* ⇉ */
	{ "remote",                1, "\u2197", 'R', "remote", 0 },         /* ↗ */
	{ "AWS::",                 0, "\u25c7", 'W', "AWS", 0 },            /* ◇ */
};

static int
ci_prefix(const char *s, const char *prefix, int exact)
{
	size_t n = strlen(prefix), i;

	for (i = 0; i < n; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)prefix[i];

		if (a == 0)
			return 0;
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return !exact || s[n] == '\0';
}

void
mapview_type_glyph(int kind, const char *type, const char **glyph, char *ascii, const char **what)
{
	size_t i;

	*glyph = "\u25c6";   /* ◆ a service of another or no type */
	*ascii = '*';
	*what = "service";
	if (kind == NODE_CLIENT) {
		*glyph = "\u25c9";   /* ◉ */
		*ascii = '@';
		*what = "client";
		return;
	}
	for (i = 0; i < sizeof type_glyphs / sizeof type_glyphs[0]; i++)
		if (type != NULL && ci_prefix(type, type_glyphs[i].prefix, type_glyphs[i].exact)) {
			*glyph = type_glyphs[i].glyph;
			*ascii = type_glyphs[i].ascii;
			*what = type_glyphs[i].what;
			return;
		}
	if (kind == NODE_INFERRED) {
		*glyph = "\u2197";
		*ascii = 'R';
		*what = "remote";
	}
}

int
mapview_legend(size_t i, const char **glyph, char *ascii, const char **what, int *style)
{
	static const struct {
		const char	*glyph;
		char		 ascii;
		const char	*what;
		int		 style;
	} extra[] = {
		{ "\u25c9", '@', "client", CS_NODE_CLIENT },
		{ "\u25c6", '*', "service", CS_NODE_NAME },
		{ "\u2295", '+', "resources (collapsed)", CS_NODE_INFERRED },
		{ "\u2713", 'o', "ok", CS_NODE_OK },
		{ "!", '!', "errors (4xx)", CS_NODE_ERROR },
		{ "\u29d6", 'T', "throttled (429)", CS_NODE_THROTTLE },
		{ "\u2717", 'X', "faults (5xx)", CS_NODE_FAULT },
		{ "\u00b7", '-', "no requests", CS_NODE_IDLE },
	};
	size_t k, n = 0;

	/* The types (each glyph once), then the others. */
	for (k = 0; k < sizeof type_glyphs / sizeof type_glyphs[0]; k++) {
		if (k > 0 && strcmp(type_glyphs[k].glyph, type_glyphs[k - 1].glyph) == 0)
			continue;
		if (n++ != i)
			continue;
		*glyph = type_glyphs[k].glyph;
		*ascii = type_glyphs[k].ascii;
		*what = type_glyphs[k].what;
		*style = type_glyphs[k].service ? CS_NODE_NAME : CS_NODE_INFERRED;
		return 1;
	}
	i -= n;
	if (i >= sizeof extra / sizeof extra[0])
		return 0;
	*glyph = extra[i].glyph;
	*ascii = extra[i].ascii;
	*what = extra[i].what;
	*style = extra[i].style;
	return 1;
}

/* ---------------------------------------------------------------- numbers */

void
mv_counts(struct mapview *mv, const struct mv_node *n, struct mv_counts *c)
{
	const struct stats *st;
	size_t j;

	memset(c, 0, sizeof *c);
	if (!n->collapsed) {
		st = &svcmap_node(mv->m, n->idx)->stats;
		c->count = st->count;
		c->ok = st->ok;
		c->error = st->error;
		c->fault = st->fault;
		c->throttle = st->throttle;
		c->sum = st->sum;
		return;
	}
	for (j = 0; j < n->nmembers; j++) {
		st = &svcmap_edge(mv->m, n->members[j])->stats;
		c->count += st->count;
		c->ok += st->ok;
		c->error += st->error;
		c->fault += st->fault;
		c->throttle += st->throttle;
		c->sum += st->sum;
	}
}

void
mv_edge_counts(struct mapview *mv, const struct mv_edge *e, struct mv_counts *c)
{
	const struct stats *st;

	if (e->collapsed) {
		mv_counts(mv, &mv->set.nodes[e->dst], c);
		return;
	}
	st = &svcmap_edge(mv->m, e->idx)->stats;
	memset(c, 0, sizeof *c);
	c->count = st->count;
	c->ok = st->ok;
	c->error = st->error;
	c->fault = st->fault;
	c->throttle = st->throttle;
	c->sum = st->sum;
}

const char *
mv_node_name(struct mapview *mv, const struct mv_node *n, char *buf, size_t len)
{
	if (n->collapsed) {
		snprintf(buf, len, "%zu resources", n->nmembers);
		return buf;
	}
	return svcmap_node(mv->m, n->idx)->name;
}

/* "6.5k/m" */
static void
fmt_rate(double r, char *out, size_t len)
{
	if (r < 10)
		snprintf(out, len, "%.1f/m", r);
	else if (r < 999.5)
		snprintf(out, len, "%.0f/m", r);
	else if (r < 9999.5)
		snprintf(out, len, "%.1fk/m", r / 1e3);
	else if (r < 999500)
		snprintf(out, len, "%.0fk/m", r / 1e3);
	else
		snprintf(out, len, "%.1fM/m", r / 1e6);
}

/* "496", "4.4k", "12k", "1.2M" */
static void
fmt_count(uint64_t n, char *out, size_t len)
{
	if (n < 1000)
		snprintf(out, len, "%llu", (unsigned long long)n);
	else if (n < 9950)
		snprintf(out, len, "%.1fk", (double)n / 1e3);
	else if (n < 999500)
		snprintf(out, len, "%.0fk", (double)n / 1e3);
	else
		snprintf(out, len, "%.1fM", (double)n / 1e6);
}

static double
rate_of(struct mapview *mv, uint64_t count)
{
	double start, end;

	svcmap_window(mv->m, &start, &end);
	return end > start ? (double)count / ((end - start) / 60.0) : 0;
}

/* ---------------------------------------------------------------- sizes */

/* Columns of data text as a canvas shows it (ASCII: one per character). */
static int
text_cols(const char *s)
{
	char buf[NAME_MAX_BYTES];
	const char *p;
	uint32_t cp;
	size_t len;
	int n = 0;

	text_sanitize(s, buf, sizeof buf);
	if (!text_ascii())
		return (int)text_width(buf);
	for (p = buf; *p != '\0'; p += len ? len : 1, n++)
		len = text_utf8_next(p, &cp);
	return n;
}

static int
clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Box sizes depend on the name only (never on counts), so that a live map
 * keeps its layout while the numbers change. */
void
mv_node_size(struct mapview *mv, const struct mv_node *n, enum map_detail d, int *w, int *h)
{
	int nw = n->collapsed ? 14 : text_cols(svcmap_node(mv->m, n->idx)->name);

	switch (d) {
	case MAP_DETAIL_FULL:
	case MAP_DETAIL_BOXES:
	default:
		*w = clampi(nw + 2, 20, 26) + 2;
		*h = 4;
		break;
	case MAP_DETAIL_COMPACT:
		*w = clampi(nw + 4, 8, 22) + 2;
		*h = 3;
		break;
	case MAP_DETAIL_TINY:
		*w = clampi(nw + 2, 6, 14);
		*h = 1;
		break;
	}
}

/* ---------------------------------------------------------------- drawing */

static const struct {
	uint32_t	 cp;
	char		 ascii;
} arrows[] = {
	[CANVAS_RIGHT] = { 0x25b6, '>' },   /* ▶ */
	[CANVAS_LEFT] =  { 0x25c0, '<' },   /* ◀ */
	[CANVAS_UP] =    { 0x25b2, '^' },   /* ▲ */
	[CANVAS_DOWN] =  { 0x25bc, 'v' },   /* ▼ */
};

static void
draw_edge_lines(struct canvas *c, const struct mv_edge *e, int selected)
{
	size_t k;

	for (k = 0; k < e->npath; k++)
		canvas_line(c, e->path[k].x, e->path[k].y,
		    e->path[k].sides | (selected ? CANVAS_HEAVY : 0),
		    selected ? CS_EDGE_SELECTED : CS_EDGE);
}

static void
draw_edge_end(struct mapview *mv, struct canvas *c, const struct mv_edge *e, int selected)
{
	const struct mv_cell *end;
	struct mv_counts cn;
	char num[16], dur[32], label[64];
	int tw, x;

	if (e->arrow && e->npath > 0 && e->arrow_dir < sizeof arrows / sizeof arrows[0]) {
		end = &e->path[e->npath - 1];
		canvas_put(c, end->x, end->y, arrows[e->arrow_dir].cp, arrows[e->arrow_dir].ascii,
		    selected ? CS_EDGE_SELECTED : CS_EDGE);
	}
	if (!e->label)
		return;
	mv_edge_counts(mv, e, &cn);
	fmt_count(cn.count, num, sizeof num);
	if (cn.count > 0)
		snprintf(label, sizeof label, "%s %s", num,
		    text_duration(cn.sum / (double)cn.count, dur, sizeof dur));
	else
		snprintf(label, sizeof label, "%s", num);
	tw = canvas_text_width(c, label);
	x = e->lx + (tw < e->lw ? (e->lw - tw) / 2 : 0);
	canvas_text(c, x, e->ly, label, e->lw, selected ? CS_EDGE_SELECTED : CS_EDGE_LABEL);
}

/* The name's style: search match, else by kind. */
static int
name_style(struct mapview *mv, const struct mv_node *n)
{
	const struct svc_node *sn = svcmap_node(mv->m, n->idx);

	if (mv_node_matches(mv, n))
		return CS_MATCH;
	if (n->collapsed || sn->kind == NODE_INFERRED)
		return CS_NODE_INFERRED;
	if (sn->kind == NODE_CLIENT)
		return CS_NODE_CLIENT;
	return CS_NODE_NAME;
}

/* The statistics line of a full box into out, at most cols columns. */
static void
stats_line(struct mapview *mv, const struct mv_counts *cn, enum health h, int cols, char *out,
    size_t len)
{
	char pct[16] = "", avg[32], rate[32], buf[96];
	double share = health_share(cn, h);

	if (cn->count == 0) {
		snprintf(out, len, "no requests");
		return;
	}
	if (h != H_OK)
		snprintf(pct, sizeof pct, share < 9.95 ? "%.1f%%" : "%.0f%%", share);
	text_duration(cn->sum / (double)cn->count, avg, sizeof avg);
	fmt_rate(rate_of(mv, cn->count), rate, sizeof rate);
	/* Drop the rate, then the share, until it fits. */
	snprintf(buf, sizeof buf, "%s%s%s %s", pct, pct[0] ? " " : "", avg, rate);
	if ((int)text_width(buf) > cols)
		snprintf(buf, sizeof buf, "%s%s%s", pct, pct[0] ? " " : "", avg);
	if ((int)text_width(buf) > cols)
		snprintf(buf, sizeof buf, "%s", avg);
	snprintf(out, len, "%s", buf);
}

static void
draw_node(struct mapview *mv, struct canvas *c, const struct mv_node *n, int selected)
{
	const struct svc_node *sn = svcmap_node(mv->m, n->idx);
	const char *glyph, *what, *name;
	char ascii, gbuf[8], nbuf[32], line[96];
	struct mv_counts cn;
	enum health h;
	uint32_t gcp;
	int inner = n->w - 2, hst, nst = name_style(mv, n), x = n->x, y = n->y;

	mv_counts(mv, n, &cn);
	h = health_of(&cn);
	hst = health_glyph[h].style;
	if (n->collapsed) {
		glyph = "\u2295";   /* ⊕ */
		ascii = '+';
	} else
		mapview_type_glyph(sn->kind, sn->type, &glyph, &ascii, &what);
	text_utf8_next(glyph, &gcp);
	snprintf(gbuf, sizeof gbuf, "%s", glyph);
	name = mv_node_name(mv, n, nbuf, sizeof nbuf);
	if (n->h == 1) {
		/* TINY: health, name; the selection shows as its style only. */
		canvas_fill(c, x, y, n->w, 1, ' ', selected ? CS_SELECTED : nst);
		canvas_put(c, x, y, health_glyph[h].cp, health_glyph[h].ascii,
		    selected ? CS_SELECTED : hst);
		canvas_text(c, x + 2, y, name, n->w - 2, selected ? CS_SELECTED : nst);
		return;
	}
	canvas_fill(c, x + 1, y + 1, n->w - 2, n->h - 2, ' ', CS_DEFAULT);
	canvas_box(c, x, y, n->w, n->h, selected ? CANVAS_BOX_HEAVY : CANVAS_BOX_ROUND,
	    selected ? CS_SELECTED : hst);
	canvas_put(c, x + 1, y + 1, gcp, ascii, nst == CS_MATCH ? CS_NODE_NAME : nst);
	if (n->h == 3) {
		/* COMPACT: glyph, name, health at the right. */
		canvas_text(c, x + 3, y + 1, name, inner - 4, nst);
		canvas_put(c, x + n->w - 2, y + 1, health_glyph[h].cp, health_glyph[h].ascii, hst);
		return;
	}
	canvas_text(c, x + 3, y + 1, name, inner - 2, nst);
	canvas_put(c, x + 1, y + 2, health_glyph[h].cp, health_glyph[h].ascii, hst);
	stats_line(mv, &cn, h, inner - 2, line, sizeof line);
	canvas_text(c, x + 3, y + 2, line, inner - 2, CS_TEXT);
}

void
mapview_draw(struct mapview *mv, struct canvas *c)
{
	struct mv_set *s = &mv->set;
	struct mv_node *seln = mv_sel_node(mv);
	struct mv_edge *sele = mv_sel_edge(mv);
	size_t i;

	if (canvas_width(c) != mv->cols || canvas_height(c) != mv->rows)
		canvas_resize(c, mv->cols, mv->rows);
	canvas_set_origin(c, 0, 0);
	canvas_clear(c);
	canvas_set_ascii(c, text_ascii());
	canvas_set_origin(c, mv->ox, mv->oy);
	/* Lines first (where they meet, they merge), the selected one last and
	 * heavy; then arrowheads and labels; boxes over everything. */
	for (i = 0; i < s->nedges; i++)
		if (&s->edges[i] != sele)
			draw_edge_lines(c, &s->edges[i], 0);
	if (sele != NULL)
		draw_edge_lines(c, sele, 1);
	for (i = 0; i < s->nedges; i++)
		if (&s->edges[i] != sele)
			draw_edge_end(mv, c, &s->edges[i], 0);
	if (sele != NULL)
		draw_edge_end(mv, c, sele, 1);
	for (i = 0; i < s->nnodes; i++)
		draw_node(mv, c, &s->nodes[i], &s->nodes[i] == seln);
	canvas_set_origin(c, 0, 0);
}

/* ---------------------------------------------------------------- hit testing */

int
mapview_click(struct mapview *mv, int x, int y)
{
	struct mv_set *s = &mv->set;
	int dx = x + mv->ox, dy = y + mv->oy;
	size_t i, k;

	for (i = 0; i < s->nnodes; i++)
		if (mv_in_box(&s->nodes[i], dx, dy)) {
			mv_select_key(mv, MAP_SEL_NODE, s->nodes[i].key);
			return 1;
		}
	for (i = 0; i < s->nedges; i++) {
		const struct mv_edge *e = &s->edges[i];
		int hit = e->label && dy == e->ly && dx >= e->lx && dx < e->lx + e->lw;

		for (k = 0; k < e->npath && !hit; k++)
			hit = e->path[k].x == dx && e->path[k].y == dy;
		if (hit) {
			mv_select_key(mv, MAP_SEL_EDGE, e->key);
			return 1;
		}
	}
	return 0;
}

size_t
mapview_items(const struct mapview *mv, struct map_item *out, size_t max)
{
	const struct mv_set *s = &mv->set;
	size_t n = 0, i, k;

	for (i = 0; i < s->nnodes; i++, n++) {
		const struct mv_node *nd = &s->nodes[i];

		if (n >= max)
			continue;
		memset(&out[n], 0, sizeof out[n]);
		out[n].sel = MAP_SEL_NODE;
		out[n].index = nd->idx;
		out[n].collapsed = nd->collapsed;
		out[n].x = nd->x;
		out[n].y = nd->y;
		out[n].w = nd->w;
		out[n].h = nd->h;
		out[n].selected = mv->sel == MAP_SEL_NODE && mv->sel_key == nd->key;
	}
	for (i = 0; i < s->nedges; i++, n++) {
		const struct mv_edge *e = &s->edges[i];
		int x0 = 0, y0 = 0, x1 = -1, y1 = -1;

		if (n >= max)
			continue;
		for (k = 0; k < e->npath; k++) {
			if (k == 0 || e->path[k].x < x0)
				x0 = e->path[k].x;
			if (k == 0 || e->path[k].y < y0)
				y0 = e->path[k].y;
			if (k == 0 || e->path[k].x > x1)
				x1 = e->path[k].x;
			if (k == 0 || e->path[k].y > y1)
				y1 = e->path[k].y;
		}
		memset(&out[n], 0, sizeof out[n]);
		out[n].sel = MAP_SEL_EDGE;
		out[n].index = e->idx;
		out[n].collapsed = e->collapsed;
		out[n].x = x0;
		out[n].y = y0;
		out[n].w = x1 - x0 + 1;
		out[n].h = y1 - y0 + 1;
		out[n].cells = e->npath;
		out[n].label = e->label;
		out[n].selected = mv->sel == MAP_SEL_EDGE && mv->sel_key == e->key;
	}
	return n;
}

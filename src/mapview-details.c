/* mapview-details.c - the selection in numbers: counts and shares,
 * percentiles, the latency histogram with its chosen range, and the filter
 * expression that finds the selection's traces (mapview.h).
 */
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

#define HIST_DEFAULT_COLS 60

void
mv_reset_range(struct mapview *mv)
{
	mv->has_lo = mv->has_hi = 0;
	mv->range_lo = 0;
	mv->range_hi = 0;
}

/* The members of a collapsed selection (its caller's edges), or NULL. */
static const struct mv_node *
sel_collapsed(struct mapview *mv)
{
	struct mv_node *n = mv_sel_node(mv);
	struct mv_edge *e = mv_sel_edge(mv);

	if (n != NULL && n->collapsed)
		return n;
	if (e != NULL && e->collapsed)
		return &mv->set.nodes[e->dst];
	return NULL;
}

struct stats *
mv_sel_stats(struct mapview *mv)
{
	struct mv_node *n = mv_sel_node(mv);
	struct mv_edge *e = mv_sel_edge(mv);
	const struct mv_node *c = sel_collapsed(mv);
	size_t j;

	if (c != NULL) {
		/* The caller's edges to its resources, merged once per update. */
		if (!mv->merged_ok) {
			stats_done(&mv->merged);
			stats_init(&mv->merged);
			for (j = 0; j < c->nmembers; j++)
				stats_merge(&mv->merged, &svcmap_edge(mv->m, c->members[j])->stats);
			mv->merged_ok = 1;
		}
		return &mv->merged;
	}
	if (n != NULL)
		return &svcmap_node(mv->m, n->idx)->stats;
	if (e != NULL)
		return &svcmap_edge(mv->m, e->idx)->stats;
	return NULL;
}

static double
pct(uint64_t part, uint64_t count)
{
	return count > 0 ? 100.0 * (double)part / (double)count : 0;
}

enum map_sel
mapview_details(struct mapview *mv, struct map_details *d)
{
	struct mv_node *n = mv_sel_node(mv);
	struct mv_edge *e = mv_sel_edge(mv);
	const struct mv_node *c = sel_collapsed(mv);
	struct stats *st = mv_sel_stats(mv);
	const char *arrow = text_ascii() ? "->" : "\u2192";
	char a[200], b[200];

	memset(d, 0, sizeof *d);
	d->members = 1;
	if (st == NULL)
		return d->sel = MAP_SEL_NONE;
	if (n != NULL) {
		const struct svc_node *sn = svcmap_node(mv->m, n->idx);

		d->sel = MAP_SEL_NODE;
		d->node = n->idx;
		d->client = sn->kind == NODE_CLIENT;
		if (c != NULL)
			snprintf(d->title, sizeof d->title, "%s %s %zu resources",
			    text_sanitize(sn->name, a, sizeof a), arrow, c->nmembers);
		else {
			d->name = sn->name;
			d->type = sn->type;
			text_sanitize(sn->name, a, sizeof a);
			text_sanitize(sn->type, b, sizeof b);
			snprintf(d->title, sizeof d->title, b[0] != '\0' ? "%s (%s)" : "%s", a, b);
		}
	} else {
		const struct svc_edge *se = svcmap_edge(mv->m, e->idx);

		d->sel = MAP_SEL_EDGE;
		d->edge = e->idx;
		d->node = se->source;
		d->client = svcmap_node(mv->m, se->source)->kind == NODE_CLIENT;
		text_sanitize(svcmap_node(mv->m, se->source)->name, a, sizeof a);
		if (c != NULL)
			snprintf(b, sizeof b, "%zu resources", c->nmembers);
		else
			text_sanitize(svcmap_node(mv->m, se->target)->name, b, sizeof b);
		snprintf(d->title, sizeof d->title, "%s %s %s", a, arrow, b);
	}
	if (c != NULL) {
		d->collapsed = 1;
		d->members = c->nmembers;
		d->edge = c->members[0];
	}
	d->exact = stats_exact(st);
	d->count = st->count;
	d->ok = st->ok;
	d->error = st->error;
	d->fault = st->fault;
	d->throttle = st->throttle;
	d->pct_ok = pct(st->ok, st->count);
	d->pct_error = pct(st->error > st->throttle ? st->error - st->throttle : 0, st->count);
	d->pct_throttle = pct(st->throttle, st->count);
	d->pct_fault = pct(st->fault, st->count);
	if (st->count > 0) {
		d->avg = stats_avg(st);
		d->p50 = stats_percentile(st, 50);
		d->p90 = stats_percentile(st, 90);
		d->p99 = stats_percentile(st, 99);
		d->max = stats_percentile(st, 100);
	}
	d->rate = svcmap_rate(mv->m, st);
	return d->sel;
}

/* ---------------------------------------------------------------- histogram and range */

/* The histogram's range for st: the zoom, else 0 to the largest latency. */
static void
hist_bounds(struct mapview *mv, struct stats *st, double *lo, double *hi)
{
	if (mv->view_hi > mv->view_lo) {
		*lo = mv->view_lo;
		*hi = mv->view_hi;
		return;
	}
	*lo = 0;
	*hi = st != NULL && st->count > 0 ? stats_percentile(st, 100) : 0;
	if (*hi <= *lo)
		*hi = *lo + 0.001;
}

/* Bucket boundaries (0..nb) of the chosen range's markers. */
static void
marker_pos(const struct mapview *mv, double lo, double hi, int nb, int *lo_i, int *hi_i)
{
	double bw = (hi - lo) / nb;

	*lo_i = mv->has_lo ? (int)lround((mv->range_lo - lo) / bw) : 0;
	*hi_i = mv->has_hi ? (int)lround((mv->range_hi - lo) / bw) : nb;
	if (*lo_i < 0)
		*lo_i = 0;
	if (*hi_i > nb)
		*hi_i = nb;
	if (*lo_i > nb - 1)
		*lo_i = nb - 1;
	if (*hi_i < *lo_i + 1)
		*hi_i = *lo_i + 1;
}

void
mapview_range_move(struct mapview *mv, int which, int steps)
{
	struct stats *st = mv_sel_stats(mv);
	int nb = mv->hist_cols > 0 ? mv->hist_cols : HIST_DEFAULT_COLS, lo_i, hi_i;
	double lo, hi, bw;

	if (st == NULL || st->count == 0)
		return;
	hist_bounds(mv, st, &lo, &hi);
	bw = (hi - lo) / nb;
	marker_pos(mv, lo, hi, nb, &lo_i, &hi_i);
	if (which == 0) {
		lo_i += steps;
		if (lo_i > hi_i - 1)
			lo_i = hi_i - 1;
		if (lo_i < 0)
			lo_i = 0;
		mv->has_lo = lo_i > 0;
		mv->range_lo = mv->has_lo ? lo + lo_i * bw : 0;
	} else {
		hi_i += steps;
		if (hi_i < lo_i + 1)
			hi_i = lo_i + 1;
		if (hi_i > nb)
			hi_i = nb;
		mv->has_hi = hi_i < nb;
		mv->range_hi = mv->has_hi ? lo + hi_i * bw : 0;
	}
}

void
mapview_range_clear(struct mapview *mv)
{
	mv_reset_range(mv);
}

int
mapview_range(const struct mapview *mv, double *lo, double *hi)
{
	*lo = mv->has_lo ? mv->range_lo : 0;
	*hi = mv->has_hi ? mv->range_hi : -1;
	return mv->has_lo || mv->has_hi;
}

void
mapview_hist_zoom(struct mapview *mv, int out)
{
	struct stats *st = mv_sel_stats(mv);
	double lo, hi;

	if (out || st == NULL) {
		mv->view_lo = mv->view_hi = 0;
		return;
	}
	if (!mv->has_lo && !mv->has_hi)
		return;
	hist_bounds(mv, st, &lo, &hi);
	mv->view_lo = mv->has_lo ? mv->range_lo : lo;
	mv->view_hi = mv->has_hi ? mv->range_hi : hi;
	mv_reset_range(mv);
}

/* Bar glyphs by eighths of a cell: ▁▂▃▄▅▆▇█, ASCII _ = #. */
static const uint32_t bar_cp[9] = { ' ', 0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587,
	0x2588 };
static const char bar_ascii[9] = { ' ', '_', '_', '_', '=', '=', '=', '=', '#' };

/* "250ms-500ms (123 requests, 12.3%)" for the chosen range. */
static void
range_text(const struct mapview *mv, uint64_t in, uint64_t total, char *out, size_t len)
{
	char a[32], b[32];
	const char *ge = text_ascii() ? ">=" : "\u2265", *le = text_ascii() ? "<=" : "\u2264";
	const char *dash = text_ascii() ? "-" : "\u2013";

	text_duration(mv->range_lo, a, sizeof a);
	text_duration(mv->range_hi, b, sizeof b);
	if (mv->has_lo && mv->has_hi)
		snprintf(out, len, "%s%s%s", a, dash, b);
	else if (mv->has_lo)
		snprintf(out, len, "%s %s", ge, a);
	else
		snprintf(out, len, "%s %s", le, b);
	snprintf(out + strlen(out), len - strlen(out), ": %llu (%.1f%%)", (unsigned long long)in,
	    pct(in, total));
}

void
mapview_hist_draw(struct mapview *mv, struct canvas *c, int x, int y, int w, int h)
{
	struct stats *st = mv_sel_stats(mv);
	uint64_t *counts, maxc = 0, in = 0, total = 0;
	int rows = h - 2, b, r, lo_i, hi_i, chosen = mv->has_lo || mv->has_hi;
	char a[32], z[32], mid[96];
	double lo, hi;

	if (w < 8 || h < 3)
		return;
	canvas_fill(c, x, y, w, h, ' ', CS_DEFAULT);
	if (st == NULL || st->count == 0) {
		canvas_text(c, x, y + rows / 2, "no requests", w, CS_DIM);
		return;
	}
	mv->hist_cols = w;
	hist_bounds(mv, st, &lo, &hi);
	counts = xcalloc((size_t)w, sizeof *counts);
	stats_histogram(st, lo, hi, counts, (size_t)w);
	for (b = 0; b < w; b++) {
		if (counts[b] > maxc)
			maxc = counts[b];
		total += counts[b];
	}
	marker_pos(mv, lo, hi, w, &lo_i, &hi_i);
	for (b = 0; b < w; b++) {
		uint64_t level = maxc > 0 ? (counts[b] * (uint64_t)rows * 8 + maxc - 1) / maxc : 0;
		int style = chosen && b >= lo_i && b < hi_i ? CS_HIST_RANGE : CS_HIST_BAR;

		if (b >= lo_i && b < hi_i)
			in += counts[b];
		for (r = 0; r < rows; r++) {
			int64_t e = (int64_t)level - (int64_t)r * 8;

			if (e <= 0)
				break;
			if (e > 8)
				e = 8;
			canvas_put(c, x + b, y + rows - 1 - r, bar_cp[e], bar_ascii[e], style);
		}
		canvas_put(c, x + b, y + rows, 0x2500, '-', CS_HIST_AXIS);
	}
	canvas_put(c, x + lo_i, y + rows, 0x25b2, '^', CS_HIST_MARKER);
	canvas_put(c, x + hi_i - 1, y + rows, 0x25b2, '^', CS_HIST_MARKER);
	/* Bounds under the axis, the chosen range between them. */
	text_duration(lo, a, sizeof a);
	if (lo == 0)
		snprintf(a, sizeof a, "0");
	text_duration(hi, z, sizeof z);
	canvas_text(c, x, y + rows + 1, a, w, CS_HIST_AXIS);
	canvas_text(c, x + w - (int)text_width(z), y + rows + 1, z, (int)text_width(z), CS_HIST_AXIS);
	if (chosen) {
		int mw = w - (int)text_width(a) - (int)text_width(z) - 2, tw;

		range_text(mv, in, total, mid, sizeof mid);
		tw = (int)text_width(mid);
		if (mw > 0)
			canvas_text(c, x + (int)text_width(a) + 1 + (tw < mw ? (mw - tw) / 2 : 0),
			    y + rows + 1, mid, mw, CS_HIST_MARKER);
	}
	free(counts);
}

/* ---------------------------------------------------------------- filter expressions */

struct sbuf {
	char	*s;
	size_t	 len, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
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
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* A string literal: '"' and '\' escaped with '\' (X-Ray's documentation
 * shows no escapes; this is the convention of the JSON the service speaks). */
static void
sb_quote(struct sbuf *b, const char *s)
{
	sb_str(b, "\"");
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			sb_add(b, "\\", 1);
		sb_add(b, s, 1);
	}
	sb_str(b, "\"");
}

char *
mapview_quote(const char *s)
{
	struct sbuf b = { 0 };

	sb_quote(&b, s);
	return b.s;
}

/* Seconds with 3 significant digits, rounded down (lower bound) or up. */
static void
sb_secs(struct sbuf *b, double v, int up)
{
	char buf[64];
	int dec = 0;
	double scale;
	size_t n;

	if (v > 0)
		dec = 2 - (int)floor(log10(v));
	if (dec < 0)
		dec = 0;
	if (dec > 6)
		dec = 6;
	scale = pow(10, dec);
	v = up ? ceil(v * scale - 1e-9) / scale : floor(v * scale + 1e-9) / scale;
	snprintf(buf, sizeof buf, "%.*f", dec, v);
	n = strlen(buf);
	if (strchr(buf, '.') != NULL) {
		while (n > 0 && buf[n - 1] == '0')
			n--;
		if (n > 0 && buf[n - 1] == '.')
			n--;
	}
	sb_add(b, buf, n);
}

/* The conditions inside the braces (or alone, for the client). */
static void
sb_conds(struct mapview *mv, struct sbuf *b, enum map_traces what, int first)
{
	if (what == MAP_TRACES_FAULT || what == MAP_TRACES_ERROR) {
		sb_str(b, first ? "" : " AND ");
		sb_str(b, what == MAP_TRACES_FAULT ? "fault" : "error");
		first = 0;
	}
	if (mv->has_lo) {
		sb_str(b, first ? "responsetime >= " : " AND responsetime >= ");
		sb_secs(b, mv->range_lo, 0);
		first = 0;
	}
	if (mv->has_hi) {
		sb_str(b, first ? "responsetime <= " : " AND responsetime <= ");
		sb_secs(b, mv->range_hi, 1);
	}
}

static int
has_conds(const struct mapview *mv, enum map_traces what)
{
	return what != MAP_TRACES_ALL || mv->has_lo || mv->has_hi;
}

static void
sb_braces(struct mapview *mv, struct sbuf *b, enum map_traces what)
{
	if (!has_conds(mv, what))
		return;
	sb_str(b, " { ");
	sb_conds(mv, b, what, 1);
	sb_str(b, " }");
}

static void
sb_id(struct sbuf *b, const struct svc_node *n)
{
	sb_str(b, "id(name: ");
	sb_quote(b, n->name);
	if (n->type != NULL && n->type[0] != '\0') {
		sb_str(b, ", type: ");
		sb_quote(b, n->type);
	}
	sb_str(b, ")");
}

/* Does another node of the map have this node's name? */
static int
name_shared(struct mapview *mv, size_t idx)
{
	const char *name = svcmap_node(mv->m, idx)->name;
	size_t i, n = svcmap_nnodes(mv->m);

	for (i = 0; i < n; i++)
		if (i != idx && strcmp(svcmap_node(mv->m, i)->name != NULL ?
		    svcmap_node(mv->m, i)->name : "", name != NULL ? name : "") == 0)
			return 1;
	return 0;
}

static void
sb_edge(struct mapview *mv, struct sbuf *b, size_t edge, enum map_traces what)
{
	const struct svc_edge *e = svcmap_edge(mv->m, edge);
	const struct svc_node *s = svcmap_node(mv->m, e->source), *t = svcmap_node(mv->m, e->target);

	if (s->kind == NODE_CLIENT) {
		/* The client's requests are the target's own, as the entry point. */
		sb_str(b, "service(");
		sb_id(b, t);
		sb_str(b, ") { root = true");
		sb_conds(mv, b, what, 0);
		sb_str(b, " }");
		return;
	}
	sb_str(b, "edge(");
	if (name_shared(mv, e->source))
		sb_id(b, s);
	else
		sb_quote(b, s->name);
	sb_str(b, ", ");
	if (name_shared(mv, e->target))
		sb_id(b, t);
	else
		sb_quote(b, t->name);
	sb_str(b, ")");
	sb_braces(mv, b, what);
}

char *
mapview_filter(struct mapview *mv, enum map_traces what)
{
	struct mv_node *n = mv_sel_node(mv);
	struct mv_edge *e = mv_sel_edge(mv);
	const struct mv_node *c = sel_collapsed(mv);
	struct sbuf b = { 0 };
	size_t j;

	sb_str(&b, "");
	if (c != NULL) {
		for (j = 0; j < c->nmembers; j++) {
			if (j > 0)
				sb_str(&b, " OR ");
			sb_edge(mv, &b, c->members[j], what);
		}
	} else if (n != NULL) {
		const struct svc_node *sn = svcmap_node(mv->m, n->idx);

		if (sn->kind == NODE_CLIENT)
			sb_conds(mv, &b, what, 1);
		else {
			sb_str(&b, "service(");
			sb_id(&b, sn);
			sb_str(&b, ")");
			sb_braces(mv, &b, what);
		}
	} else if (e != NULL)
		sb_edge(mv, &b, e->idx, what);
	else {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* ---------------------------------------------------------------- the details pane */

/* Items laid out left to right, wrapping to the next row. */
struct flow {
	struct canvas	*c;
	int		 x, y, w, h;   /* region */
	int		 cx, cy;       /* next position */
};

static void
flow_item(struct flow *f, const char *s, int style)
{
	int tw = (int)text_width(s);

	if (f->cx > f->x && f->cx + tw > f->x + f->w) {
		f->cx = f->x;
		f->cy++;
	}
	if (f->cy >= f->y + f->h)
		return;
	f->cx += canvas_text(f->c, f->cx, f->cy, s, f->x + f->w - f->cx, style) + 2;
}

static void
flow_newline(struct flow *f)
{
	if (f->cx > f->x) {
		f->cx = f->x;
		f->cy++;
	}
}

void
mapview_details_draw(struct mapview *mv, struct canvas *c, int x, int y, int w, int h)
{
	struct map_details d;
	struct flow f = { c, x, y, w, h, x, y };
	char buf[160], a[32], b[32], p[4][32];
	char *filter;
	int i, hist_h, rest;
	static const char *const what[] = { "ok", "error", "throttle", "fault" };
	static const int styles[] = { CS_NODE_OK, CS_NODE_ERROR, CS_NODE_THROTTLE, CS_NODE_FAULT };
	double shares[4];
	uint64_t counts[4];

	if (w <= 0 || h <= 0)
		return;
	canvas_fill(c, x, y, w, h, ' ', CS_DEFAULT);
	if (mapview_details(mv, &d) == MAP_SEL_NONE) {
		canvas_text(c, x, y, "nothing selected", w, CS_DIM);
		return;
	}
	canvas_text(c, x, y, d.title, w, CS_TITLE);
	f.cy = y + 1;
	snprintf(buf, sizeof buf, "%llu requests", (unsigned long long)d.count);
	flow_item(&f, buf, CS_TEXT);
	snprintf(buf, sizeof buf, "%.1f/min", d.rate);
	flow_item(&f, buf, CS_TEXT);
	if (!d.exact)
		flow_item(&f, "(percentiles approximate)", CS_DIM);
	flow_newline(&f);
	shares[0] = d.pct_ok;
	shares[1] = d.pct_error;
	shares[2] = d.pct_throttle;
	shares[3] = d.pct_fault;
	counts[0] = d.ok;
	counts[1] = d.error > d.throttle ? d.error - d.throttle : 0;
	counts[2] = d.throttle;
	counts[3] = d.fault;
	for (i = 0; i < 4; i++) {
		snprintf(buf, sizeof buf, "%s %llu (%.1f%%)", what[i], (unsigned long long)counts[i],
		    shares[i]);
		flow_item(&f, buf, counts[i] > 0 ? styles[i] : CS_DIM);
	}
	flow_newline(&f);
	if (d.count > 0) {
		text_duration(d.avg, a, sizeof a);
		snprintf(buf, sizeof buf, "avg %s", a);
		flow_item(&f, buf, CS_TEXT);
		text_duration(d.p50, p[0], sizeof p[0]);
		text_duration(d.p90, p[1], sizeof p[1]);
		text_duration(d.p99, p[2], sizeof p[2]);
		text_duration(d.max, p[3], sizeof p[3]);
		snprintf(buf, sizeof buf, "p50 %s", p[0]);
		flow_item(&f, buf, CS_TEXT);
		snprintf(buf, sizeof buf, "p90 %s", p[1]);
		flow_item(&f, buf, CS_TEXT);
		snprintf(buf, sizeof buf, "p99 %s", p[2]);
		flow_item(&f, buf, CS_TEXT);
		snprintf(buf, sizeof buf, "max %s", p[3]);
		flow_item(&f, buf, CS_TEXT);
	}
	flow_newline(&f);
	/* The histogram takes what is left but the filter's row. */
	rest = y + h - f.cy;
	hist_h = rest - 2;
	if (hist_h >= 3 && w >= 8) {
		mapview_hist_draw(mv, c, x, f.cy + 1, w, hist_h);
		f.cy += hist_h + 1;
	}
	if (f.cy < y + h) {
		filter = mapview_filter(mv, MAP_TRACES_ALL);
		if (filter != NULL) {
			snprintf(b, sizeof b, "filter: ");
			canvas_text(c, x, f.cy, b, w, CS_DIM);
			canvas_text(c, x + 8, f.cy, filter[0] != '\0' ? filter : "(every trace)", w - 8,
			    CS_TEXT);
			free(filter);
		}
	}
}

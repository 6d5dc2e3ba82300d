/* mapview.c - the service map view: what is shown, its layout (cached),
 * and the viewport (mapview.h).
 *
 * Each update rebuilds the shown set from the map (cheap: a pass over
 * nodes and edges) and compares its signature - node keys and box sizes,
 * edge keys and ends, the detail level - with the current one: when equal,
 * the geometry is kept and only counts change; otherwise the layout comes
 * from the cache or from the layouter (graph_layout).
 */
#include "config.h"

#include "xraytop/mapview.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mapview-priv.h"
#include "xraytop/canvas.h"
#include "xraytop/layout.h"
#include "xraytop/svcmap.h"
#include "xraytop/xmalloc.h"

#define LABEL_W 11   /* "12.3k 1.25s" */

struct mapview *
mapview_new(struct svcmap *m)
{
	struct mapview *mv = xcalloc(1, sizeof *mv);

	mv->m = m;
	mv->detail = MAP_DETAIL_FULL;
	mv->client = MAP_SHOW;
	mv->inferred = MAP_SHOW;
	mv->layouter = graph_layout;
	mv->cols = 80;
	mv->rows = 24;
	stats_init(&mv->merged);
	mv_reset_range(mv);
	return mv;
}

static void
set_free(struct mv_set *s)
{
	size_t i;

	mv_scene_free(s);
	for (i = 0; i < s->nnodes; i++)
		free(s->nodes[i].members);
	free(s->nodes);
	free(s->edges);
	memset(s, 0, sizeof *s);
}

void
mapview_free(struct mapview *mv)
{
	size_t i;

	if (mv == NULL)
		return;
	set_free(&mv->set);
	for (i = 0; i < MV_CACHE; i++) {
		free(mv->cache[i].sig);
		layout_done(&mv->cache[i].l);
	}
	free(mv->sig);
	free(mv->order);
	free(mv->query);
	stats_done(&mv->merged);
	free(mv);
}

void
mapview_set_layouter(struct mapview *mv, int (*fn)(struct layout *, char *, size_t))
{
	size_t i;

	mv->layouter = fn != NULL ? fn : graph_layout;
	/* Layouts of another layouter are not reused. */
	for (i = 0; i < MV_CACHE; i++) {
		free(mv->cache[i].sig);
		layout_done(&mv->cache[i].l);
		memset(&mv->cache[i], 0, sizeof mv->cache[i]);
	}
	free(mv->sig);
	mv->sig = NULL;
	mv->nsig = 0;
}

long
mv_find_node(const struct mapview *mv, uint64_t key)
{
	size_t i;

	for (i = 0; i < mv->set.nnodes; i++)
		if (mv->set.nodes[i].key == key)
			return (long)i;
	return -1;
}

long
mv_find_edge(const struct mapview *mv, uint64_t key)
{
	size_t i;

	for (i = 0; i < mv->set.nedges; i++)
		if (mv->set.edges[i].key == key)
			return (long)i;
	return -1;
}

struct mv_node *
mv_sel_node(struct mapview *mv)
{
	long i = mv->sel == MAP_SEL_NODE ? mv_find_node(mv, mv->sel_key) : -1;

	return i >= 0 ? &mv->set.nodes[i] : NULL;
}

struct mv_edge *
mv_sel_edge(struct mapview *mv)
{
	long i = mv->sel == MAP_SEL_EDGE ? mv_find_edge(mv, mv->sel_key) : -1;

	return i >= 0 ? &mv->set.edges[i] : NULL;
}

/* ---------------------------------------------------------------- the shown set */

/* Keep the nodes of s whose keep[] is set (in their order) and the edges
 * between them, renumbered. */
static void
set_keep(struct mv_set *s, const unsigned char *keep)
{
	size_t *newidx = xcalloc(s->nnodes ? s->nnodes : 1, sizeof *newidx), i, n = 0, ne = 0;

	for (i = 0; i < s->nnodes; i++) {
		if (!keep[i]) {
			free(s->nodes[i].members);
			continue;
		}
		newidx[i] = n;
		s->nodes[n++] = s->nodes[i];
	}
	for (i = 0; i < s->nedges; i++) {
		struct mv_edge e = s->edges[i];

		if (!keep[e.src] || !keep[e.dst])
			continue;
		e.src = newidx[e.src];
		e.dst = newidx[e.dst];
		s->edges[ne++] = e;
	}
	s->nnodes = n;
	s->nedges = ne;
	free(newidx);
}

/* Keep only the nodes within depth edges (either way) of the focus node;
 * returns 0 when the focus node is not shown. */
static int
apply_focus(struct mapview *mv, struct mv_set *s)
{
	size_t *dist, *queue, head = 0, tail = 0, i;
	unsigned char *keep;
	long start = -1;

	for (i = 0; i < s->nnodes; i++)
		if (s->nodes[i].key == MV_KEY(mv->focus, 0))
			start = (long)i;
	if (start < 0)
		return 0;
	dist = xcalloc(s->nnodes, sizeof *dist);
	queue = xcalloc(s->nnodes, sizeof *queue);
	keep = xcalloc(s->nnodes, 1);
	for (i = 0; i < s->nnodes; i++)
		dist[i] = SIZE_MAX;
	dist[start] = 0;
	queue[tail++] = (size_t)start;
	while (head < tail) {
		size_t u = queue[head++];

		if (dist[u] >= (size_t)mv->depth)
			continue;
		for (i = 0; i < s->nedges; i++) {
			size_t v;

			if (s->edges[i].src == u)
				v = s->edges[i].dst;
			else if (s->edges[i].dst == u)
				v = s->edges[i].src;
			else
				continue;
			if (dist[v] == SIZE_MAX) {
				dist[v] = dist[u] + 1;
				queue[tail++] = v;
			}
		}
	}
	for (i = 0; i < s->nnodes; i++)
		keep[i] = dist[i] != SIZE_MAX;
	set_keep(s, keep);
	free(dist);
	free(queue);
	free(keep);
	return 1;
}

/* Requests of a shown node: a collapsed one's are its members' edges'. */
static uint64_t
node_load(const struct mapview *mv, const struct mv_node *n)
{
	uint64_t c = 0;
	size_t i;

	if (!n->collapsed)
		return svcmap_node(mv->m, n->idx)->stats.count;
	for (i = 0; i < n->nmembers; i++)
		c += svcmap_edge(mv->m, n->members[i])->stats.count;
	return c;
}

static const struct mapview *load_mv;
static const struct mv_set *load_set;

/* The busiest first, then in the set's order. */
static int
load_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	uint64_t lx = node_load(load_mv, &load_set->nodes[x]);
	uint64_t ly = node_load(load_mv, &load_set->nodes[y]);

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Keep the LAYOUT_MAX_NODES busiest nodes of s (in their order) and the
 * edges between them; mv->limited says how many there were. */
static void
keep_busiest(struct mapview *mv, struct mv_set *s)
{
	size_t *by, i;
	unsigned char *keep;

	mv->limited = 0;
	if (s->nnodes <= LAYOUT_MAX_NODES)
		return;
	mv->limited = s->nnodes;
	by = xcalloc(s->nnodes, sizeof *by);
	keep = xcalloc(s->nnodes, 1);
	for (i = 0; i < s->nnodes; i++)
		by[i] = i;
	load_mv = mv;
	load_set = s;
	qsort(by, s->nnodes, sizeof *by, load_cmp);
	for (i = 0; i < LAYOUT_MAX_NODES; i++)
		keep[by[i]] = 1;
	set_keep(s, keep);
	free(by);
	free(keep);
}

/* What is shown at detail d, with box sizes and no geometry yet. */
static void
build_set(struct mapview *mv, enum map_detail d, struct mv_set *s)
{
	struct svcmap *m = mv->m;
	size_t nn = svcmap_nnodes(m), ne = svcmap_nedges(m), nvis, nev, i;
	size_t *vis = xcalloc(nn + 1, sizeof *vis), *eidx = xcalloc(ne + 1, sizeof *eidx);
	long *at = xcalloc(nn + 1, sizeof *at), *agg = xcalloc(nn + 1, sizeof *agg);
	size_t *outdeg = xcalloc(nn + 1, sizeof *outdeg), *nleaf = xcalloc(nn + 1, sizeof *nleaf);
	unsigned char *keep = xcalloc(nn + 1, 1), *eagg = xcalloc(ne + 1, 1);
	unsigned char *fed = xcalloc(nn + 1, 1);

	memset(s, 0, sizeof *s);
	nvis = svcmap_sorted_nodes(m, vis);
	nev = svcmap_sorted_edges(m, eidx);
	mv->map_nodes = nvis;
	mv->map_edges = nev;
	for (i = 0; i < nvis; i++) {
		const struct svc_node *n = svcmap_node(m, vis[i]);

		keep[vis[i]] = !((n->kind == NODE_CLIENT && mv->client == MAP_HIDE) ||
		    (n->kind == NODE_INFERRED && mv->inferred == MAP_HIDE));
	}
	/* Edges whose ends are both kept; which inferred targets collapse. */
	for (i = 0; i < nev; i++) {
		const struct svc_edge *e = svcmap_edge(m, eidx[i]);

		if (keep[e->source] && keep[e->target])
			outdeg[e->source]++;
	}
	if (mv->inferred == MAP_COLLAPSE) {
		for (i = 0; i < nev; i++) {
			const struct svc_edge *e = svcmap_edge(m, eidx[i]);

			if (keep[e->source] && keep[e->target] &&
			    svcmap_node(m, e->target)->kind == NODE_INFERRED && outdeg[e->target] == 0)
				nleaf[e->source]++;
		}
		for (i = 0; i < nev; i++) {
			const struct svc_edge *e = svcmap_edge(m, eidx[i]);

			if (!keep[e->source] || !keep[e->target])
				continue;
			if (svcmap_node(m, e->target)->kind == NODE_INFERRED &&
			    outdeg[e->target] == 0 && nleaf[e->source] >= 2 && e->source != e->target)
				eagg[i] = 1;
			else
				fed[e->target] = 1;
		}
		/* A resource every caller of which collapsed it is not shown alone. */
		for (i = 0; i < nev; i++) {
			const struct svc_edge *e = svcmap_edge(m, eidx[i]);

			if (eagg[i] && !fed[e->target])
				keep[e->target] = 0;
		}
	}
	s->nodes = xcalloc(nvis * 2 + 1, sizeof *s->nodes);
	s->edges = xcalloc(nev + nvis + 1, sizeof *s->edges);
	for (i = 0; i < nvis; i++) {
		at[vis[i]] = -1;
		agg[vis[i]] = -1;
		if (!keep[vis[i]])
			continue;
		at[vis[i]] = (long)s->nnodes;
		s->nodes[s->nnodes].key = MV_KEY(vis[i], 0);
		s->nodes[s->nnodes].idx = vis[i];
		s->nnodes++;
	}
	/* Collapsed nodes after the others, in the order of their callers. */
	for (i = 0; i < nvis; i++) {
		struct mv_node *n;

		if (!keep[vis[i]] || nleaf[vis[i]] < 2 || mv->inferred != MAP_COLLAPSE)
			continue;
		agg[vis[i]] = (long)s->nnodes;
		n = &s->nodes[s->nnodes++];
		n->key = MV_KEY(vis[i], 1);
		n->idx = vis[i];
		n->collapsed = 1;
		n->members = xcalloc(nleaf[vis[i]], sizeof *n->members);
	}
	for (i = 0; i < nev; i++) {
		const struct svc_edge *e = svcmap_edge(m, eidx[i]);
		struct mv_edge *ve;

		if (eagg[i]) {
			struct mv_node *a = &s->nodes[agg[e->source]];

			if (a->nmembers == 0) {
				ve = &s->edges[s->nedges++];
				ve->key = MV_KEY(e->source, 1);
				ve->src = (size_t)at[e->source];
				ve->dst = (size_t)agg[e->source];
				ve->idx = eidx[i];
				ve->collapsed = 1;
			}
			a->members[a->nmembers++] = eidx[i];
			continue;
		}
		if (!keep[e->source] || !keep[e->target] || at[e->source] < 0 || at[e->target] < 0)
			continue;
		ve = &s->edges[s->nedges++];
		ve->key = MV_KEY(eidx[i], 0);
		ve->src = (size_t)at[e->source];
		ve->dst = (size_t)at[e->target];
		ve->idx = eidx[i];
	}
	if (mv->focused && !apply_focus(mv, s))
		mv->focused = 0;
	keep_busiest(mv, s);
	for (i = 0; i < s->nnodes; i++)
		mv_node_size(mv, &s->nodes[i], d, &s->nodes[i].w, &s->nodes[i].h);
	free(vis);
	free(eidx);
	free(at);
	free(agg);
	free(outdeg);
	free(nleaf);
	free(keep);
	free(eagg);
	free(fed);
}

static uint64_t *
make_sig(const struct mv_set *s, enum map_detail d, size_t *n)
{
	uint64_t *sig = xcalloc(3 + s->nnodes * 2 + s->nedges * 2, sizeof *sig);
	size_t k = 0, i;

	sig[k++] = (uint64_t)d;
	sig[k++] = s->nnodes;
	for (i = 0; i < s->nnodes; i++) {
		sig[k++] = s->nodes[i].key;
		sig[k++] = ((uint64_t)(uint32_t)s->nodes[i].w << 32) | (uint32_t)s->nodes[i].h;
	}
	sig[k++] = s->nedges;
	for (i = 0; i < s->nedges; i++) {
		sig[k++] = s->edges[i].key;
		sig[k++] = ((uint64_t)s->edges[i].src << 32) ^ s->edges[i].dst;
	}
	*n = k;
	return sig;
}

static int
sig_equal(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	return na == nb && a != NULL && b != NULL && memcmp(a, b, na * sizeof *a) == 0;
}

/* The layout of s at detail d, from the cache or computed; NULL with a
 * message in err when the layouter failed. */
static const struct layout *
get_layout(struct mapview *mv, const struct mv_set *s, enum map_detail d, const uint64_t *sig,
    size_t nsig, char *err, size_t errlen)
{
	struct mv_cached *slot = &mv->cache[0];
	size_t i;

	for (i = 0; i < MV_CACHE; i++) {
		if (sig_equal(mv->cache[i].sig, mv->cache[i].nsig, sig, nsig)) {
			mv->cache[i].used = ++mv->clock;
			return &mv->cache[i].l;
		}
		if (mv->cache[i].used < slot->used)
			slot = &mv->cache[i];
	}
	free(slot->sig);
	slot->sig = NULL;
	layout_done(&slot->l);
	layout_init(&slot->l, s->nnodes, s->nedges);
	for (i = 0; i < s->nnodes; i++) {
		slot->l.nodes[i].w = s->nodes[i].w;
		slot->l.nodes[i].h = s->nodes[i].h;
	}
	for (i = 0; i < s->nedges; i++) {
		slot->l.edges[i].source = s->edges[i].src;
		slot->l.edges[i].target = s->edges[i].dst;
		if (d == MAP_DETAIL_FULL) {
			slot->l.edges[i].lw = LABEL_W;
			slot->l.edges[i].lh = 1;
		}
	}
	slot->l.nodesep = 1;
	/* With labels dot halves ranksep: 3 columns either side of a label. */
	slot->l.ranksep = d == MAP_DETAIL_FULL ? 6 : d == MAP_DETAIL_BOXES ? 8 :
	    d == MAP_DETAIL_COMPACT ? 6 : 4;
	mv->layouts++;
	if (mv->layouter(&slot->l, err, errlen) != 0) {
		layout_done(&slot->l);
		slot->used = 0;
		return NULL;
	}
	slot->sig = xcalloc(nsig, sizeof *sig);
	memcpy(slot->sig, sig, nsig * sizeof *sig);
	slot->nsig = nsig;
	slot->used = ++mv->clock;
	return &slot->l;
}

/* Keep the viewport on the drawing: centred on an axis where the drawing
 * is smaller than the viewport, else inside it. */
static void
clamp_view(struct mapview *mv)
{
	if (mv->set.width <= mv->cols)
		mv->ox = -((mv->cols - mv->set.width) / 2);
	else if (mv->ox < 0)
		mv->ox = 0;
	else if (mv->ox > mv->set.width - mv->cols)
		mv->ox = mv->set.width - mv->cols;
	if (mv->set.height <= mv->rows)
		mv->oy = -((mv->rows - mv->set.height) / 2);
	else if (mv->oy < 0)
		mv->oy = 0;
	else if (mv->oy > mv->set.height - mv->rows)
		mv->oy = mv->set.height - mv->rows;
}

/* Scroll the least that shows the rectangle (its top-left when it is
 * larger than the viewport). */
static void
show_rect(struct mapview *mv, int x, int y, int w, int h)
{
	if (x + w > mv->ox + mv->cols)
		mv->ox = x + w - mv->cols;
	if (x < mv->ox)
		mv->ox = x;
	if (y + h > mv->oy + mv->rows)
		mv->oy = y + h - mv->rows;
	if (y < mv->oy)
		mv->oy = y;
	clamp_view(mv);
}

void
mv_show_selection(struct mapview *mv)
{
	struct mv_node *n = mv_sel_node(mv);
	struct mv_edge *e = mv_sel_edge(mv);

	if (n != NULL)
		show_rect(mv, n->x - 1, n->y - 1, n->w + 2, n->h + 2);
	else if (e != NULL && e->label)
		show_rect(mv, e->lx - e->lw / 2 - 1, e->ly - 1, e->lw + 2, 3);
	else if (e != NULL)
		show_rect(mv, (int)e->mx - 2, (int)e->my - 1, 5, 3);
}

/* ---------------------------------------------------------------- update */

/* Install s (with its signature) as what is shown. */
static void
install(struct mapview *mv, struct mv_set *s, uint64_t *sig, size_t nsig, enum map_detail d)
{
	struct mv_edge *e = mv_sel_edge(mv);
	size_t src = 0;
	int had_src = 0;

	if (e != NULL) {
		src = mv->set.nodes[e->src].idx;
		had_src = !mv->set.nodes[e->src].collapsed;
	}
	set_free(&mv->set);
	mv->set = *s;
	mv->have_set = 1;
	free(mv->sig);
	mv->sig = sig;
	mv->nsig = nsig;
	mv->detail = d;
	mv->merged_ok = 0;
	mv_build_order(mv);
	mv_fix_selection(mv, src, had_src);
	clamp_view(mv);
}

/* Same signature: take the current geometry over into s. */
static void
adopt(struct mapview *mv, struct mv_set *s)
{
	size_t i;

	for (i = 0; i < s->nnodes; i++) {
		s->nodes[i].x = mv->set.nodes[i].x;
		s->nodes[i].y = mv->set.nodes[i].y;
		s->nodes[i].cx = mv->set.nodes[i].cx;
		s->nodes[i].cy = mv->set.nodes[i].cy;
	}
	for (i = 0; i < s->nedges; i++) {
		struct mv_edge *o = &mv->set.edges[i], *n = &s->edges[i];

		n->path = o->path;
		n->npath = o->npath;
		n->arrow = o->arrow;
		n->arrow_dir = o->arrow_dir;
		n->label = o->label;
		n->lx = o->lx;
		n->ly = o->ly;
		n->lw = o->lw;
		n->mx = o->mx;
		n->my = o->my;
		o->path = NULL;
		o->npath = 0;
	}
	s->width = mv->set.width;
	s->height = mv->set.height;
	for (i = 0; i < mv->set.nnodes; i++)
		free(mv->set.nodes[i].members);
	free(mv->set.nodes);
	mv_scene_free(&mv->set);
	free(mv->set.edges);
	mv->set = *s;
	mv->merged_ok = 0;
	/* Edge order and geometry are unchanged, so is the Tab order. */
}

int
mapview_update(struct mapview *mv, char *err, size_t errlen)
{
	enum map_detail d = mv->fit ? MAP_DETAIL_FULL : mv->detail, last = mv->fit ?
	    MAP_DETAIL_TINY : mv->detail;
	const struct layout *l;
	struct mv_set s;
	uint64_t *sig;
	size_t nsig;

	mv->has_error = 0;
	for (;; d++) {
		build_set(mv, d, &s);
		sig = make_sig(&s, d, &nsig);
		if (mv->have_set && d == mv->detail && sig_equal(sig, nsig, mv->sig, mv->nsig) &&
		    (d == last || (mv->set.width <= mv->cols && mv->set.height <= mv->rows))) {
			free(sig);
			adopt(mv, &s);
			return 0;
		}
		l = get_layout(mv, &s, d, sig, nsig, mv->error, sizeof mv->error);
		if (l == NULL) {
			mv->has_error = 1;
			snprintf(err, errlen, "%s", mv->error);
			free(sig);
			set_free(&s);
			return -1;
		}
		mv_scene(&s, l, d == MAP_DETAIL_FULL);
		if (d == last || (s.width <= mv->cols && s.height <= mv->rows)) {
			install(mv, &s, sig, nsig, d);
			return 1;
		}
		free(sig);
		set_free(&s);
	}
}

void
mapview_set_size(struct mapview *mv, int cols, int rows)
{
	char err[256];

	mv->cols = cols > 1 ? cols : 1;
	mv->rows = rows > 1 ? rows : 1;
	if (mv->fit && mv->have_set)
		(void)mapview_update(mv, err, sizeof err);
	clamp_view(mv);
	mv_show_selection(mv);
}

void
mapview_status(const struct mapview *mv, struct map_status *st)
{
	memset(st, 0, sizeof *st);
	st->shown_nodes = mv->set.nnodes;
	st->shown_edges = mv->set.nedges;
	st->map_nodes = mv->map_nodes;
	st->map_edges = mv->map_edges;
	st->limited = mv->limited;
	st->detail = mv->detail;
	st->client = mv->client;
	st->inferred = mv->inferred;
	st->focused = mv->focused;
	st->focus_node = mv->focus;
	st->focus_depth = mv->depth;
	st->query = mv->searching ? mv->query : NULL;
	st->error = mv->has_error ? mv->error : NULL;
	st->fit = mv->fit;
	st->width = mv->set.width;
	st->height = mv->set.height;
	st->ox = mv->ox;
	st->oy = mv->oy;
	st->layouts = mv->layouts;
}

/* ---------------------------------------------------------------- viewport and filters */

void
mapview_pan(struct mapview *mv, int dx, int dy)
{
	mv->fit = 0;
	mv->ox += dx;
	mv->oy += dy;
	clamp_view(mv);
}

int
mapview_fit(struct mapview *mv, char *err, size_t errlen)
{
	int rc;

	mv->fit = 1;
	rc = mapview_update(mv, err, errlen);
	clamp_view(mv);
	mv_show_selection(mv);
	return rc;
}

int
mapview_set_detail(struct mapview *mv, enum map_detail d, char *err, size_t errlen)
{
	int rc;

	if (d >= MAP_DETAIL_COUNT)
		d = MAP_DETAIL_TINY;
	mv->fit = 0;
	mv->detail = d;
	rc = mapview_update(mv, err, errlen);
	mv_show_selection(mv);
	return rc;
}

int
mapview_set_client(struct mapview *mv, enum map_show show, char *err, size_t errlen)
{
	mv->client = show == MAP_SHOW ? MAP_SHOW : MAP_HIDE;
	return mapview_update(mv, err, errlen);
}

int
mapview_set_inferred(struct mapview *mv, enum map_show show, char *err, size_t errlen)
{
	mv->inferred = show;
	return mapview_update(mv, err, errlen);
}

int
mapview_focus(struct mapview *mv, int depth, char *err, size_t errlen)
{
	struct mv_node *n = mv_sel_node(mv);
	struct mv_edge *e = mv_sel_edge(mv);
	int rc;

	if (depth < 0)
		mv->focused = 0;
	else {
		if (n == NULL && e != NULL)
			n = &mv->set.nodes[e->src];
		if (n == NULL)
			return 0;
		mv->focused = 1;
		mv->focus = n->idx;
		mv->depth = depth;
	}
	rc = mapview_update(mv, err, errlen);
	mv_show_selection(mv);
	return rc;
}

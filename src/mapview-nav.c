/* mapview-nav.c - the selection: Tab order, moving to the nearest node in
 * a direction, search (mapview.h). */
#include "config.h"

#include "xraytop/mapview.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mapview-priv.h"
#include "xraytop/svcmap.h"
#include "xraytop/xmalloc.h"

/* ---------------------------------------------------------------- Tab order */

static const struct mv_set *order_set;

static int
cmp_nodes(const void *a, const void *b)
{
	const struct mv_node *p = &order_set->nodes[*(const size_t *)a];
	const struct mv_node *q = &order_set->nodes[*(const size_t *)b];
	long px = lround(p->cx), qx = lround(q->cx), py = lround(p->cy), qy = lround(q->cy);

	/* By centre: the nodes of a rank share theirs, whatever their widths. */
	if (px != qx)
		return px < qx ? -1 : 1;
	if (py != qy)
		return py < qy ? -1 : 1;
	return p->key < q->key ? -1 : p->key > q->key;
}

static int
cmp_edges(const void *a, const void *b)
{
	const struct mv_edge *e = &order_set->edges[*(const size_t *)a];
	const struct mv_edge *f = &order_set->edges[*(const size_t *)b];
	const struct mv_node *p = &order_set->nodes[e->dst], *q = &order_set->nodes[f->dst];

	if (e->src != f->src)
		return e->src < f->src ? -1 : 1;
	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return e->key < f->key ? -1 : e->key > f->key;
}

void
mv_build_order(struct mapview *mv)
{
	const struct mv_set *s = &mv->set;
	size_t *ni = xcalloc(s->nnodes + 1, sizeof *ni), *ei = xcalloc(s->nedges + 1, sizeof *ei);
	size_t i, k, n = 0;

	free(mv->order);
	mv->order = xcalloc(s->nnodes + s->nedges + 1, sizeof *mv->order);
	for (i = 0; i < s->nnodes; i++)
		ni[i] = i;
	for (i = 0; i < s->nedges; i++)
		ei[i] = i;
	order_set = s;
	qsort(ni, s->nnodes, sizeof *ni, cmp_nodes);
	qsort(ei, s->nedges, sizeof *ei, cmp_edges);
	order_set = NULL;
	for (i = 0; i < s->nnodes; i++) {
		mv->order[n].sel = MAP_SEL_NODE;
		mv->order[n++].i = ni[i];
		for (k = 0; k < s->nedges; k++)
			if (s->edges[ei[k]].src == ni[i]) {
				mv->order[n].sel = MAP_SEL_EDGE;
				mv->order[n++].i = ei[k];
			}
	}
	mv->norder = n;
	free(ni);
	free(ei);
}

/* Position of the selection in the Tab order, or -1. */
static long
order_pos(const struct mapview *mv)
{
	size_t i;

	for (i = 0; i < mv->norder; i++) {
		const struct mv_stop *st = &mv->order[i];
		uint64_t key = st->sel == MAP_SEL_NODE ? mv->set.nodes[st->i].key :
		    mv->set.edges[st->i].key;

		if (st->sel == mv->sel && key == mv->sel_key)
			return (long)i;
	}
	return -1;
}

static void
select_stop(struct mapview *mv, const struct mv_stop *st)
{
	enum map_sel sel = st->sel;
	uint64_t key = sel == MAP_SEL_NODE ? mv->set.nodes[st->i].key : mv->set.edges[st->i].key;

	if (sel != mv->sel || key != mv->sel_key) {
		mv->sel = sel;
		mv->sel_key = key;
		mv_reset_range(mv);
		mv->view_lo = mv->view_hi = 0;
		mv->merged_ok = 0;
	}
	mv_show_selection(mv);
}

int
mv_select_key(struct mapview *mv, enum map_sel sel, uint64_t key)
{
	long i = sel == MAP_SEL_NODE ? mv_find_node(mv, key) : mv_find_edge(mv, key);
	struct mv_stop st;

	if (i < 0 || sel == MAP_SEL_NONE)
		return 0;
	if (mv->sel == sel && mv->sel_key == key)
		return 0;
	st.sel = sel;
	st.i = (size_t)i;
	select_stop(mv, &st);
	return 1;
}

/* After the shown set changed: keep the selection if it is still shown,
 * else its edge's source, else the first node. */
void
mv_fix_selection(struct mapview *mv, size_t old_src_idx, int had_src)
{
	long i;

	if (mv->sel == MAP_SEL_NODE && mv_find_node(mv, mv->sel_key) >= 0)
		return;
	if (mv->sel == MAP_SEL_EDGE && mv_find_edge(mv, mv->sel_key) >= 0)
		return;
	if (had_src && (i = mv_find_node(mv, MV_KEY(old_src_idx, 0))) >= 0) {
		struct mv_stop st = { MAP_SEL_NODE, (size_t)i };

		select_stop(mv, &st);
		return;
	}
	if (mv->norder > 0)
		select_stop(mv, &mv->order[0]);
	else {
		mv->sel = MAP_SEL_NONE;
		mv->sel_key = 0;
	}
}

/* ---------------------------------------------------------------- selection */

static void
sel_centre(struct mapview *mv, double *x, double *y)
{
	struct mv_node *n = mv_sel_node(mv);
	struct mv_edge *e = mv_sel_edge(mv);

	*x = *y = 0;
	if (n != NULL) {
		*x = n->cx;
		*y = n->cy;
	} else if (e != NULL) {
		*x = e->mx;
		*y = e->my;
	}
}

int
mapview_move(struct mapview *mv, enum map_dir dir)
{
	static const int ux[] = { [MAP_LEFT] = -1, [MAP_RIGHT] = 1, [MAP_UP] = 0, [MAP_DOWN] = 0 };
	static const int uy[] = { [MAP_LEFT] = 0, [MAP_RIGHT] = 0, [MAP_UP] = -1, [MAP_DOWN] = 1 };
	double px, py, best = INFINITY, best_perp = INFINITY, fb = INFINITY;
	long pick = -1, fallback = -1;
	struct mv_node *self = mv_sel_node(mv);
	size_t k;

	if (mv->sel == MAP_SEL_NONE)
		return mv->norder > 0 ? mapview_cycle(mv, 1) : 0;
	sel_centre(mv, &px, &py);
	/* Walk in Tab order so that ties go to the earlier stop. */
	for (k = 0; k < mv->norder; k++) {
		const struct mv_node *n;
		double vx, vy, along, perp, dist;

		if (mv->order[k].sel != MAP_SEL_NODE)
			continue;
		n = &mv->set.nodes[mv->order[k].i];
		if (n == self)
			continue;
		vx = n->cx - px;
		vy = (n->cy - py) * 2;   /* a row is about two columns tall */
		along = vx * ux[dir] + vy * uy[dir];
		perp = fabs(vx * uy[dir] - vy * ux[dir]);
		if (along <= 0)
			continue;
		dist = sqrt(vx * vx + vy * vy);
		if (perp <= along) {
			if (dist < best - 1e-9 || (fabs(dist - best) <= 1e-9 && perp < best_perp)) {
				best = dist;
				best_perp = perp;
				pick = (long)k;
			}
		} else if (dist + perp < fb) {
			fb = dist + perp;
			fallback = (long)k;
		}
	}
	if (pick < 0)
		pick = fallback;
	if (pick < 0)
		return 0;
	select_stop(mv, &mv->order[pick]);
	return 1;
}

int
mapview_cycle(struct mapview *mv, int forward)
{
	long pos = order_pos(mv), next;

	if (mv->norder == 0)
		return 0;
	if (pos < 0)
		next = forward ? 0 : (long)mv->norder - 1;
	else if (forward)
		next = (pos + 1) % (long)mv->norder;
	else
		next = (pos + (long)mv->norder - 1) % (long)mv->norder;
	if (next == pos)
		return 0;
	select_stop(mv, &mv->order[next]);
	return 1;
}

int
mapview_select_node(struct mapview *mv, size_t node)
{
	return mv_select_key(mv, MAP_SEL_NODE, MV_KEY(node, 0));
}

int
mapview_select_edge(struct mapview *mv, size_t edge)
{
	long i = mv_find_edge(mv, MV_KEY(edge, 0));
	size_t k;

	/* An edge inside a collapsed node selects the collapsed edge. */
	if (i < 0)
		for (k = 0; k < mv->set.nedges && i < 0; k++) {
			const struct mv_node *n = &mv->set.nodes[mv->set.edges[k].dst];
			size_t j;

			for (j = 0; n->collapsed && j < n->nmembers; j++)
				if (n->members[j] == edge)
					i = (long)k;
		}
	if (i < 0)
		return 0;
	return mv_select_key(mv, MAP_SEL_EDGE, mv->set.edges[i].key);
}

/* ASCII case-insensitive substring test. */
static int
ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;
	const char *p;

	if (hay == NULL)
		return 0;
	for (p = hay; *p != '\0'; p++) {
		for (i = 0; i < n && p[i] != '\0'; i++) {
			unsigned char a = (unsigned char)p[i], b = (unsigned char)needle[i];

			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (unsigned char)(b - 'A' + 'a');
			if (a != b)
				break;
		}
		if (i == n)
			return 1;
	}
	return n == 0;
}

/* Does node n match the query (its name, or a resource inside it)? */
static int
node_matches(struct mapview *mv, const struct mv_node *n, const char *q)
{
	size_t j;

	if (!n->collapsed)
		return ci_contains(svcmap_node(mv->m, n->idx)->name, q);
	for (j = 0; j < n->nmembers; j++) {
		const struct svc_edge *e = svcmap_edge(mv->m, n->members[j]);

		if (ci_contains(svcmap_node(mv->m, e->target)->name, q))
			return 1;
	}
	return 0;
}

int
mv_node_matches(struct mapview *mv, const struct mv_node *n)
{
	return mv->searching && mv->query != NULL && mv->query[0] != '\0' &&
	    node_matches(mv, n, mv->query);
}

int
mapview_search(struct mapview *mv, const char *q, int dir)
{
	long pos, k, n = (long)mv->norder, step = dir < 0 ? -1 : 1, i;

	if (q != NULL) {
		free(mv->query);
		mv->query = xstrdup(q);
	}
	if (mv->query == NULL || mv->query[0] == '\0' || n == 0)
		return 0;
	mv->searching = 1;
	pos = order_pos(mv);
	if (pos < 0)
		pos = dir > 0 ? n - 1 : 0;
	for (k = dir == 0 ? 0 : 1; k <= n; k++) {
		const struct mv_stop *st;

		i = ((pos + step * k) % n + n) % n;
		st = &mv->order[i];
		if (st->sel == MAP_SEL_NODE && node_matches(mv, &mv->set.nodes[st->i], mv->query)) {
			select_stop(mv, st);
			return 1;
		}
		if (dir == 0 && k == n - 1)
			break;
	}
	return 0;
}

void
mapview_search_clear(struct mapview *mv)
{
	mv->searching = 0;
}

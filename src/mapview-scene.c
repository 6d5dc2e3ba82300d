/* mapview-scene.c - the map in cells from a layout: boxes placed, each
 * spline turned into a path of cells, labels put where there is room.
 *
 * A spline is sampled densely; each sample falls in a cell; consecutive
 * cells are joined by single horizontal or vertical steps (a diagonal step
 * turns where the path was already going), so every path is a chain of
 * cells that share a side, and each cell's line glyph follows from the
 * sides its neighbours are on.  The cells inside the source and target
 * boxes are cut off; the last cell becomes the arrowhead.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mapview-priv.h"
#include "xraytop/canvas.h"
#include "xraytop/layout.h"
#include "xraytop/xmalloc.h"

/* ---------------------------------------------------------------- scene */

struct cellvec {
	struct mv_cell	*c;
	size_t		 n, cap;
	int		 horiz;      /* the last step was horizontal */
};

/* Append a cell; stepping back onto the cell before the last (a spike)
 * removes the last instead. */
static void
cv_push(struct cellvec *v, int x, int y)
{
	if (v->n >= 2 && v->c[v->n - 2].x == x && v->c[v->n - 2].y == y) {
		v->n--;
		return;
	}
	if (v->n >= 1 && v->c[v->n - 1].x == x && v->c[v->n - 1].y == y)
		return;
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->c = xreallocarray(v->c, v->cap, sizeof *v->c);
	}
	v->c[v->n].x = x;
	v->c[v->n].y = y;
	v->c[v->n].sides = 0;
	v->n++;
}

/* Extend the path to (x, y) by unit steps: a diagonal goes on the way the
 * path was going (or vertically first with vfirst, horizontally first with
 * hfirst). */
static void
cv_walk(struct cellvec *v, int x, int y, int vfirst, int hfirst)
{
	int cx, cy;

	if (v->n == 0) {
		cv_push(v, x, y);
		return;
	}
	cx = v->c[v->n - 1].x;
	cy = v->c[v->n - 1].y;
	while (cx != x || cy != y) {
		int dx = (x > cx) - (x < cx), dy = (y > cy) - (y < cy), horiz;

		if (dx == 0 || dy == 0)
			horiz = dx != 0;
		else if (vfirst || hfirst)
			horiz = hfirst;
		else
			horiz = v->horiz || abs(x - cx) > 2 * abs(y - cy);
		if (horiz)
			cx += dx;
		else
			cy += dy;
		v->horiz = horiz;
		cv_push(v, cx, cy);
		if (v->n > 0) {
			cx = v->c[v->n - 1].x;
			cy = v->c[v->n - 1].y;
		}
	}
}

int
mv_in_box(const struct mv_node *n, int x, int y)
{
	return x >= n->x && x < n->x + n->w && y >= n->y && y < n->y + n->h;
}

/* The side of a cell that its neighbour (nx, ny) is on. */
static unsigned
side_to(int x, int y, int nx, int ny)
{
	if (nx > x)
		return CANVAS_RIGHT;
	if (nx < x)
		return CANVAS_LEFT;
	if (ny > y)
		return CANVAS_DOWN;
	if (ny < y)
		return CANVAS_UP;
	return 0;
}

/* Which side of cell (x, y) box n touches (0 when none). */
static unsigned
box_side(const struct mv_node *n, int x, int y)
{
	if (y >= n->y && y < n->y + n->h) {
		if (x == n->x - 1)
			return CANVAS_RIGHT;
		if (x == n->x + n->w)
			return CANVAS_LEFT;
	}
	if (x >= n->x && x < n->x + n->w) {
		if (y == n->y - 1)
			return CANVAS_DOWN;
		if (y == n->y + n->h)
			return CANVAS_UP;
	}
	return 0;
}

static void
bezier_point(const struct layout_point *p, double t, double *x, double *y)
{
	double u = 1 - t, a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;

	*x = a * p[0].x + b * p[1].x + c * p[2].x + d * p[3].x;
	*y = a * p[0].y + b * p[1].y + c * p[2].y + d * p[3].y;
}

/* The cells a spline passes through, joined into a path. */
static void
sample_spline(const struct layout_edge *le, struct cellvec *v)
{
	size_t k;
	int j, steps;

	for (k = 0; k + 3 < le->npts; k += 3) {
		const struct layout_point *p = &le->pts[k];
		double len = 0, x, y;

		for (j = 0; j < 3; j++)
			len += fabs(p[j + 1].x - p[j].x) + fabs(p[j + 1].y - p[j].y);
		steps = (int)(len * 3) + 4;
		for (j = k == 0 ? 0 : 1; j <= steps; j++) {
			bezier_point(p, (double)j / steps, &x, &y);
			/* +1: the drawing's margin; a hair up so that a spline along
			 * a row's edge stays in one row despite rounding errors */
			cv_walk(v, (int)floor(x + 1e-6) + 1, (int)floor(y + 1e-6) + 1, 0, 0);
		}
	}
}

/* The path of edge e from its spline, in drawing cells.  Where the spline
 * leaves a box's side (or enters one), the path starts (ends) with a
 * horizontal stub, so that the edges of a box fan out from one column
 * next to it as a tree does (─┬, ├, ╰) and arrive the same way. */
static void
edge_path(struct mv_set *s, struct mv_edge *e, const struct layout_edge *le)
{
	const struct mv_node *src = &s->nodes[e->src], *dst = &s->nodes[e->dst];
	struct cellvec v = { 0 }, w = { 0 };
	size_t first, last, i, k, j;
	int sdir = 0, tdir = 0;
	struct mv_cell f, l;

	e->path = NULL;
	e->npath = 0;
	e->arrow = 0;
	sample_spline(le, &v);
	/* Cut what lies inside the two boxes. */
	for (first = 0; first < v.n && mv_in_box(src, v.c[first].x, v.c[first].y); first++)
		;
	for (last = v.n; last > first && mv_in_box(dst, v.c[last - 1].x, v.c[last - 1].y); last--)
		;
	if (last <= first)
		goto done;
	f = v.c[first];
	l = v.c[last - 1];
	if (box_side(src, f.x, f.y) == CANVAS_LEFT)
		sdir = 1;
	else if (box_side(src, f.x, f.y) == CANVAS_RIGHT)
		sdir = -1;
	if (box_side(dst, l.x, l.y) == CANVAS_RIGHT)
		tdir = 1;
	else if (box_side(dst, l.x, l.y) == CANVAS_LEFT)
		tdir = -1;
	cv_push(&w, f.x, f.y);
	if (sdir != 0 && tdir != 0 && last - first >= 4 && (l.x - f.x) * sdir > 2 &&
	    (l.x - f.x) * tdir > 2) {
		/* The stub, the spline's cells beyond it and short of the
		 * target's column, then the approach. */
		cv_push(&w, f.x + sdir, f.y);
		/* Skip what stays on the stub's row or column; likewise before
		 * the approach. */
		for (k = first + 1; k < last && ((v.c[k].x - f.x) * sdir <= 1 || v.c[k].y == f.y);
		    k++)
			;
		for (j = last - 1; j > k && ((l.x - v.c[j - 1].x) * tdir <= 1 ||
		    v.c[j - 1].y == l.y); j--)
			;
		for (i = k; i < j; i++)
			cv_walk(&w, v.c[i].x, v.c[i].y, i == k, 0);
		cv_walk(&w, l.x - tdir, l.y, w.n <= 2, 1);
		cv_walk(&w, l.x, l.y, 0, 1);
	} else
		for (i = first + 1; i < last; i++)
			cv_walk(&w, v.c[i].x, v.c[i].y, 0, 0);
	if (w.n == 0)
		goto done;
	for (i = 0; i < w.n; i++) {
		struct mv_cell *c = &w.c[i];

		if (i > 0)
			c->sides |= side_to(c->x, c->y, w.c[i - 1].x, w.c[i - 1].y);
		if (i + 1 < w.n)
			c->sides |= side_to(c->x, c->y, w.c[i + 1].x, w.c[i + 1].y);
	}
	/* The first cell's line reaches into the source box. */
	w.c[0].sides |= box_side(src, w.c[0].x, w.c[0].y);
	e->arrow = 1;
	e->arrow_dir = box_side(dst, w.c[w.n - 1].x, w.c[w.n - 1].y);
	if (e->arrow_dir == 0 && w.n >= 2)
		e->arrow_dir = side_to(w.c[w.n - 2].x, w.c[w.n - 2].y, w.c[w.n - 1].x,
		    w.c[w.n - 1].y);
	if (e->arrow_dir == 0)
		e->arrow_dir = CANVAS_RIGHT;
	e->npath = w.n;
	e->path = w.c;
	w.c = NULL;
done:
	free(v.c);
	free(w.c);
}

void
mv_scene_free(struct mv_set *s)
{
	size_t i;

	for (i = 0; i < s->nedges; i++) {
		free(s->edges[i].path);
		s->edges[i].path = NULL;
		s->edges[i].npath = 0;
	}
}

/* Cells taken by boxes, lines and labels while labels are placed. */
struct occupancy {
	unsigned char	*c;
	int		 w, h;
};

static int
occ_free(const struct occupancy *o, int x, int y, int w)
{
	int i;

	if (y < 0 || y >= o->h || x < 0 || x + w > o->w)
		return 0;
	for (i = 0; i < w; i++)
		if (o->c[(size_t)y * (size_t)o->w + (size_t)(x + i)])
			return 0;
	return 1;
}

static void
occ_take(struct occupancy *o, int x, int y, int w)
{
	int i;

	for (i = 0; i < w; i++)
		if (y >= 0 && y < o->h && x + i >= 0 && x + i < o->w)
			o->c[(size_t)y * (size_t)o->w + (size_t)(x + i)] = 1;
}

/* Put each label where dot put it, or a row above or below, if no box,
 * line or other label is there; else the edge goes without. */
static void
place_labels(struct mv_set *s, const struct layout *l)
{
	static const int dy[] = { 0, -1, 1 };
	struct occupancy o = { NULL, s->width, s->height };
	size_t i, k;
	int r;

	o.c = xcalloc((size_t)o.w * (size_t)o.h + 1, 1);
	for (i = 0; i < s->nnodes; i++)
		for (r = 0; r < s->nodes[i].h; r++)
			occ_take(&o, s->nodes[i].x, s->nodes[i].y + r, s->nodes[i].w);
	for (i = 0; i < s->nedges; i++)
		for (k = 0; k < s->edges[i].npath; k++)
			occ_take(&o, s->edges[i].path[k].x, s->edges[i].path[k].y, 1);
	for (i = 0; i < s->nedges && i < l->nedges; i++) {
		struct mv_edge *e = &s->edges[i];
		const struct layout_edge *le = &l->edges[i];
		int lw = (int)lround(le->lw), x = (int)lround(le->lx - le->lw / 2.0) + 1;
		int y = (int)floor(le->ly) + 1;

		e->label = 0;
		if (!le->has_label || lw <= 0)
			continue;
		for (r = 0; r < 3 && !e->label; r++)
			if (occ_free(&o, x, y + dy[r], lw)) {
				e->label = 1;
				e->lx = x;
				e->ly = y + dy[r];
				e->lw = lw;
				occ_take(&o, x, y + dy[r], lw);
			}
	}
	free(o.c);
}

void
mv_scene(struct mv_set *s, const struct layout *l, int labels)
{
	int w = (int)ceil(l->width) + 2, h = (int)ceil(l->height) + 2;
	size_t i, k;

	for (i = 0; i < s->nnodes && i < l->nnodes; i++) {
		struct mv_node *n = &s->nodes[i];

		n->x = (int)lround(l->nodes[i].x - n->w / 2.0) + 1;
		n->y = (int)lround(l->nodes[i].y - n->h / 2.0) + 1;
		n->cx = n->x + n->w / 2.0;
		n->cy = n->y + n->h / 2.0;
		if (n->x + n->w + 1 > w)
			w = n->x + n->w + 1;
		if (n->y + n->h + 1 > h)
			h = n->y + n->h + 1;
	}
	for (i = 0; i < s->nedges && i < l->nedges; i++) {
		struct mv_edge *e = &s->edges[i];

		free(e->path);
		edge_path(s, e, &l->edges[i]);
		e->label = 0;
		for (k = 0; k < e->npath; k++) {
			if (e->path[k].x + 2 > w)
				w = e->path[k].x + 2;
			if (e->path[k].y + 2 > h)
				h = e->path[k].y + 2;
		}
		if (labels && l->edges[i].has_label) {
			int lx = (int)lround(l->edges[i].lx + l->edges[i].lw / 2.0) + 1;

			if (lx + 1 > w)
				w = lx + 1;
			if ((int)floor(l->edges[i].ly) + 3 > h)
				h = (int)floor(l->edges[i].ly) + 3;
		}
	}
	s->width = w;
	s->height = h;
	if (labels)
		place_labels(s, l);
	/* The centre of an edge, for moving the selection: its label, else the
	 * middle of its path. */
	for (i = 0; i < s->nedges; i++) {
		struct mv_edge *e = &s->edges[i];

		if (e->label) {
			e->mx = e->lx + e->lw / 2.0;
			e->my = e->ly + 0.5;
		} else if (e->npath > 0) {
			e->mx = e->path[e->npath / 2].x + 0.5;
			e->my = e->path[e->npath / 2].y + 0.5;
		} else {
			e->mx = (s->nodes[e->src].cx + s->nodes[e->dst].cx) / 2;
			e->my = (s->nodes[e->src].cy + s->nodes[e->dst].cy) / 2;
		}
	}
}

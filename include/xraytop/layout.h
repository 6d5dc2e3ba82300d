/* layout.h - a graph laid out in terminal cells (plain structs, no Graphviz).
 *
 * The caller says how big each node and each edge label is, in cells (a
 * column is one cell wide, a row one cell high); graph_layout (in graph.c,
 * the only Graphviz user) runs dot in process, left to right (rankdir LR),
 * and copies back node centres, edge splines and label centres, in cells,
 * with the origin at the top-left corner of the drawing and y growing
 * downwards.  Nothing of the caller's text reaches Graphviz: nodes are
 * fixed-size boxes named by their index, labels are fixed-size blanks.
 *
 * Cells are converted to points as 1 column = 7.2 pt (0.1 in) and 1 row =
 * 14.4 pt (0.2 in), the usual 1:2 aspect of a terminal cell, so the layout's
 * proportions are the screen's.
 *
 * Ownership: layout_init allocates the node and edge arrays, graph_layout
 * allocates each edge's points; layout_done frees all of it.  A layout is
 * computed again only when the set of nodes and edges (or a size) changes;
 * counts shown inside boxes must not change a box's size (mapview.h).
 */
#ifndef XRAYTOP_LAYOUT_H
#define XRAYTOP_LAYOUT_H

#include <stddef.h>

struct layout_point {
	double		 x, y;
};

struct layout_node {
	/* in */
	double		 w, h;       /* size in cells (at least 1) */
	/* out */
	double		 x, y;       /* centre */
};

struct layout_edge {
	/* in */
	size_t		 source, target;  /* node indices */
	double		 lw, lh;     /* label size in cells; 0 = no label */
	/* out: the path as cubic Bezier control points p0 c1 c2 p1 c1 c2 p2 ...
	 * (npts = 1 + 3k, k >= 1) from the source's border to the target's */
	struct layout_point *pts;
	size_t		 npts;
	int		 has_label;  /* the label was placed, at lx, ly (its centre) */
	double		 lx, ly;
};

struct layout {
	struct layout_node *nodes;
	size_t		 nnodes;
	struct layout_edge *edges;
	size_t		 nedges;
	/* in: gaps in cells between nodes of one rank (rows) and between ranks
	 * (columns); 0 picks 1 row and 6 columns */
	double		 nodesep, ranksep;
	/* out: size of the drawing in cells (every node and point is inside) */
	double		 width, height;
};

/* The most nodes graph_layout lays out (and graph_render in SVG): dot takes
 * minutes over a few hundred, with edges across ranks.  Callers show the
 * busiest LAYOUT_MAX_NODES and say so (mapview.h, graph.h).  Above 50 nodes
 * dot's passes get bounded effort (mclimit, nslimit), so a layout ends in
 * seconds at some cost in crossings. */
#define LAYOUT_MAX_NODES 200

/* Make room for nnodes nodes and nedges edges (zeroed). */
void layout_init(struct layout *l, size_t nnodes, size_t nedges);
/* Free what layout_init and graph_layout allocated; l can be reused. */
void layout_done(struct layout *l);

/* Lay l out with dot (LR).  Edge endpoints must be node indices (a self
 * loop is allowed).  Returns 0, or -1 with a message in err (Graphviz's own
 * messages go there, never to stderr; more than LAYOUT_MAX_NODES nodes is
 * refused).  An empty graph gives a 0 x 0
 * drawing. */
int graph_layout(struct layout *l, char *err, size_t errlen);

#endif

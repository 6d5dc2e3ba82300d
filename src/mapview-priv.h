/* mapview-priv.h - what the mapview-*.c files share (not an interface:
 * see include/xraytop/mapview.h).
 *
 * Drawing coordinates are cells of the whole drawing, (0, 0) its top-left
 * corner, with a margin of one cell around the layout.
 */
#ifndef XRAYTOP_MAPVIEW_PRIV_H
#define XRAYTOP_MAPVIEW_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "xraytop/layout.h"
#include "xraytop/mapview.h"
#include "xraytop/stats.h"

struct svcmap;

/* A node key: svcmap node index << 1, with bit 0 set for the collapsed
 * resources of that caller; edge keys likewise (svcmap edge index, or the
 * caller's index with bit 0 set). */
#define MV_KEY(i, collapsed) (((uint64_t)(i) << 1) | ((collapsed) ? 1u : 0u))

/* One cell of an edge's path: where it is and which sides its line leaves
 * through (CANVAS_UP ...). */
struct mv_cell {
	int		 x, y;
	unsigned	 sides;
};

struct mv_node {
	uint64_t	 key;
	size_t		 idx;        /* svcmap node; collapsed: the caller */
	int		 collapsed;
	size_t		*members;    /* collapsed: svcmap edges caller -> resource */
	size_t		 nmembers;
	int		 w, h;       /* box size at the view's detail */
	int		 x, y;       /* box top-left (drawing cells) */
	double		 cx, cy;     /* centre */
};

struct mv_edge {
	uint64_t	 key;
	size_t		 src, dst;   /* mv_node indices */
	size_t		 idx;        /* svcmap edge; collapsed: the first member */
	int		 collapsed;
	struct mv_cell	*path;       /* from next to the source to next to the target */
	size_t		 npath;
	int		 arrow;      /* the last path cell is an arrowhead pointing: */
	unsigned	 arrow_dir;  /* CANVAS_RIGHT ... (the side into the target) */
	int		 label;      /* dot placed a label: centre at lx, ly */
	int		 lx, ly, lw;
	double		 mx, my;     /* centre, for moving the selection */
};

/* What is shown, with its geometry. */
struct mv_set {
	struct mv_node	*nodes;
	size_t		 nnodes;
	struct mv_edge	*edges;
	size_t		 nedges;
	int		 width, height;   /* drawing, margin included */
};

struct mv_cached {
	uint64_t	*sig;
	size_t		 nsig;
	struct layout	 l;
	unsigned long	 used;
};

#define MV_CACHE 8

/* One stop of the Tab order. */
struct mv_stop {
	enum map_sel	 sel;
	size_t		 i;          /* mv_node or mv_edge index */
};

/* Counts of a node or edge, or of a collapsed node's edges together. */
struct mv_counts {
	uint64_t	 count, ok, error, fault, throttle;
	double		 sum;
};

struct mapview {
	struct svcmap	*m;
	int		 cols, rows;
	int		 ox, oy;
	enum map_detail	 detail;
	int		 fit;
	enum map_show	 client, inferred;
	int		 focused;
	size_t		 focus;      /* svcmap node */
	int		 depth;
	int		 (*layouter)(struct layout *, char *, size_t);

	struct mv_set	 set;
	int		 have_set;
	size_t		 map_nodes, map_edges;   /* visible in the map, at the last update */
	size_t		 limited;    /* nodes to show before keeping the busiest, or 0 */
	uint64_t	*sig;
	size_t		 nsig;
	struct mv_cached cache[MV_CACHE];
	unsigned long	 clock;
	int		 layouts;
	char		 error[256];
	int		 has_error;

	struct mv_stop	*order;
	size_t		 norder;

	enum map_sel	 sel;
	uint64_t	 sel_key;
	char		*query;
	int		 searching;  /* highlight matches */

	/* Histogram and latency range of the selection. */
	double		 view_lo, view_hi;   /* zoom; view_hi <= view_lo: whole range */
	double		 range_lo, range_hi; /* chosen range, in seconds */
	int		 has_lo, has_hi;
	int		 hist_cols;          /* buckets last drawn */
	struct stats	 merged;             /* a collapsed selection's edges together */
	int		 merged_ok;
};

/* mapview-scene.c */
/* Geometry of s from its layout l (same order): boxes, edge paths, labels. */
void mv_scene(struct mv_set *s, const struct layout *l, int labels);
void mv_scene_free(struct mv_set *s);
/* Is cell (x, y) inside n's box? */
int mv_in_box(const struct mv_node *n, int x, int y);

/* mapview-draw.c */
void mv_node_size(struct mapview *mv, const struct mv_node *n, enum map_detail d, int *w, int *h);
void mv_counts(struct mapview *mv, const struct mv_node *n, struct mv_counts *c);
void mv_edge_counts(struct mapview *mv, const struct mv_edge *e, struct mv_counts *c);
/* "5 resources" for a collapsed node, else the node's name. */
const char *mv_node_name(struct mapview *mv, const struct mv_node *n, char *buf, size_t len);

/* mapview-details.c */
/* The statistics of the selection (NULL when none). */
struct stats *mv_sel_stats(struct mapview *mv);
void mv_reset_range(struct mapview *mv);

/* mapview.c */
/* Scroll the viewport the least that shows the selection. */
void mv_show_selection(struct mapview *mv);

/* mapview-nav.c */
/* The Tab order of the shown set. */
void mv_build_order(struct mapview *mv);
/* After the shown set changed: keep the selection if it is still shown,
 * else the vanished edge's source (old_src_idx, when had_src), else the
 * first Tab stop. */
void mv_fix_selection(struct mapview *mv, size_t old_src_idx, int had_src);
struct mv_node *mv_sel_node(struct mapview *mv);
struct mv_edge *mv_sel_edge(struct mapview *mv);
/* Index of the shown node or edge with this key, or -1. */
long mv_find_node(const struct mapview *mv, uint64_t key);
long mv_find_edge(const struct mapview *mv, uint64_t key);
/* Select the shown node or edge with this key; 1 when the selection changed. */
int mv_select_key(struct mapview *mv, enum map_sel sel, uint64_t key);
/* Is n highlighted by the current search? */
int mv_node_matches(struct mapview *mv, const struct mv_node *n);

#endif

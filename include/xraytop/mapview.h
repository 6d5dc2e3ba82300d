/* mapview.h - the service map view: state and logic, without a terminal.
 *
 * A mapview shows one svcmap (borrowed, never changed) through a viewport
 * of cols x rows cells.  The UI calls mapview_update after the map changed,
 * turns keys into the calls below, and copies what mapview_draw and
 * mapview_details_draw put in a canvas to the screen.
 *
 * What is shown: the visible nodes of the map (svcmap_sorted_nodes), less
 * the client node when hidden, less inferred nodes when hidden; when
 * inferred nodes are collapsed, a caller with two or more inferred leaf
 * targets shows them as one "N resources" node whose statistics are the sum
 * of the caller's edges to them (the caller's view); with a focus, only the
 * nodes within depth edges of the focused node, edges followed both ways.
 * Of more than LAYOUT_MAX_NODES nodes (layout.h), the busiest (requests)
 * and the edges between them (map_status.limited tells).
 *
 * Layout: Graphviz dot, left to right (layout.h).  The layout is computed
 * again only when the set of shown nodes and edges changes (or the detail
 * level): counts, latencies and rates, which a live source updates many
 * times a second, never change a box's size, so mapview_update is cheap
 * then and the map does not move.  The last 8 layouts are kept, so that
 * toggling a filter or the detail level back is instant.
 *
 * Drawing: a node is a box (rounded; heavy when selected) with a type
 * glyph and the name, and at full detail a second line with the health
 * glyph, the share of the worst class present, the average latency and the
 * requests per minute.  Health reads without colour: a glyph (✓ ok, ! error,
 * ⧖ throttle, ✗ fault, · no requests; ASCII o ! T X -) and a style
 * (CS_NODE_OK ...), worst class present first as graph.c colours nodes.
 * Edges follow the dot splines with box-drawing characters and end in an
 * arrowhead next to the target (▶◀▲▼, ASCII ><^v); at full detail each
 * carries its request count and average latency where dot left room.
 * Every string from data is sanitized on its way into the canvas.
 *
 * Selection: one node or one edge.  mapview_move goes to the nearest node
 * in a direction: among the nodes whose centre lies within 45 degrees of
 * the direction from the selection's centre (an edge's centre is its label,
 * else the middle of its path), measured with a row counting as two
 * columns (the shape of a cell), the closest by straight distance, ties
 * going to the one nearer the axis, then to Tab order; when that cone is
 * empty, any node ahead of the selection (in the half-plane) by distance
 * plus its offset from the axis.  mapview_cycle (Tab) walks the nodes
 * left to right, top to bottom (layout order), each followed by its
 * outgoing edges top to bottom, and wraps.  The selection survives updates
 * while what it names is shown; the viewport scrolls to keep it in view.
 *
 * Not thread-safe; call everything from the thread that changes the map.
 */
#ifndef XRAYTOP_MAPVIEW_H
#define XRAYTOP_MAPVIEW_H

#include <stddef.h>
#include <stdint.h>

struct canvas;
struct svcmap;

enum map_detail {
	MAP_DETAIL_FULL,      /* 4-row boxes with statistics, labelled edges */
	MAP_DETAIL_BOXES,     /* the same without edge labels */
	MAP_DETAIL_COMPACT,   /* 3-row boxes: glyph, name, health */
	MAP_DETAIL_TINY,      /* one row per node, no border */
	MAP_DETAIL_COUNT
};

enum map_show {
	MAP_SHOW,
	MAP_HIDE,
	MAP_COLLAPSE,         /* inferred nodes only */
};

enum map_dir { MAP_LEFT, MAP_RIGHT, MAP_UP, MAP_DOWN };

enum map_sel { MAP_SEL_NONE, MAP_SEL_NODE, MAP_SEL_EDGE };

/* What the traces of a selection are narrowed to (mapview_filter). */
enum map_traces {
	MAP_TRACES_ALL,
	MAP_TRACES_FAULT,
	MAP_TRACES_ERROR,
};

/* The selection in numbers.  Shares: ok + error + throttle + fault = 100%
 * (error here is 4xx other than 429, as the X-Ray console counts it; the
 * counts keep svcmap's meaning: error includes throttles). */
struct map_details {
	enum map_sel	 sel;
	char		 title[512];    /* sanitized: "name (type)" or "a → b" */
	const char	*name, *type;   /* node: from the map (not sanitized); NULL for a
	                                   collapsed node or an edge */
	size_t		 node;          /* node: svcmap index (collapsed: the caller) */
	size_t		 edge;          /* edge: svcmap index (collapsed: one of them) */
	size_t		 members;       /* collapsed: how many resources, else 1 */
	int		 collapsed;
	int		 client;        /* the client node, or an edge from it */
	int		 exact;         /* percentiles exact (no histogram fallback) */
	uint64_t	 count, ok, error, fault, throttle;
	double		 pct_ok, pct_error, pct_throttle, pct_fault;
	double		 avg, p50, p90, p99, max;   /* seconds; 0 when no requests */
	double		 rate;          /* requests per minute over the map's window */
};

/* The view's state for a status line. */
struct map_status {
	size_t		 shown_nodes, shown_edges;
	size_t		 map_nodes, map_edges;      /* visible in the svcmap at the last update */
	size_t		 limited;                   /* nodes there were to show when more than
	                                               LAYOUT_MAX_NODES: the busiest are shown */
	enum map_detail	 detail;
	enum map_show	 client, inferred;
	int		 focused;
	size_t		 focus_node;
	int		 focus_depth;
	const char	*query;                     /* last search, or NULL */
	const char	*error;                     /* last layout error, or NULL */
	int		 fit;                        /* detail chosen to fit the viewport */
	int		 width, height;              /* size of the drawing in cells */
	int		 ox, oy;                     /* viewport's top-left in the drawing */
	int		 layouts;                    /* layouts computed so far */
};

struct mapview;

/* A view of m (borrowed: it must outlive the view), nothing selected yet. */
struct mapview *mapview_new(struct svcmap *m);
void mapview_free(struct mapview *mv);
/* Take the map's current state into account: what is shown, the layout
 * (only when the shown set changed), the selection (kept while what it
 * names is shown; else a vanished edge's source, else the first node in
 * Tab order).  Returns 1 when the drawing's layout changed (computed, or
 * taken from the cache), 0 when it stayed (only counts changed: redraw),
 * -1 (message in err) when Graphviz failed; the view then keeps what it
 * showed. */
int mapview_update(struct mapview *mv, char *err, size_t errlen);
/* Size of the viewport (the map's part of the screen). */
void mapview_set_size(struct mapview *mv, int cols, int rows);
/* Draw the viewport into c (resized to the viewport). */
void mapview_draw(struct mapview *mv, struct canvas *c);
void mapview_status(const struct mapview *mv, struct map_status *st);

/* Viewport. */
void mapview_pan(struct mapview *mv, int dx, int dy);
/* Choose the most detailed level whose drawing fits the viewport (TINY when
 * none does) and centre it; it stays chosen this way, as the map changes,
 * until mapview_set_detail or a pan. */
int mapview_fit(struct mapview *mv, char *err, size_t errlen);
int mapview_set_detail(struct mapview *mv, enum map_detail d, char *err, size_t errlen);

/* What is shown; each returns like mapview_update. */
int mapview_set_client(struct mapview *mv, enum map_show show, char *err, size_t errlen);
int mapview_set_inferred(struct mapview *mv, enum map_show show, char *err, size_t errlen);
/* Focus on the selected node (depth >= 0 edges away; a collapsed node or
 * an edge focuses on its caller), or drop the focus with depth < 0. */
int mapview_focus(struct mapview *mv, int depth, char *err, size_t errlen);

/* Selection.  Each returns 1 when the selection changed, else 0. */
int mapview_move(struct mapview *mv, enum map_dir dir);
int mapview_cycle(struct mapview *mv, int forward);
int mapview_select_node(struct mapview *mv, size_t node);
int mapview_select_edge(struct mapview *mv, size_t edge);
/* Search shown node names (and the names inside collapsed nodes) for q,
 * ASCII case-insensitively: dir 0 starts at the selection, 1 after it, -1
 * before it, wrapping; NULL q repeats the last query.  Matches are
 * highlighted until mapview_search_clear.  Returns 1 when a node matched
 * (it is selected), 0 when none. */
int mapview_search(struct mapview *mv, const char *q, int dir);
void mapview_search_clear(struct mapview *mv);

/* Select what is drawn at viewport cell (x, y): a box, an edge's label or
 * a cell of its path.  Returns 1 when something is there. */
int mapview_click(struct mapview *mv, int x, int y);

/* One shown thing and where it is in the drawing (cells of the whole
 * drawing: subtract the status' ox, oy for viewport cells). */
struct map_item {
	enum map_sel	 sel;
	size_t		 index;       /* svcmap node or edge (collapsed: the caller's
	                                 node, the first of the edges) */
	int		 collapsed;
	int		 x, y, w, h;  /* node: its box; edge: its path's bounding box */
	size_t		 cells;       /* edge: cells of its path, arrowhead included */
	int		 label;       /* edge: its label was placed */
	int		 selected;
};

/* The shown nodes, then the shown edges; up to max into out.  Returns how
 * many there are. */
size_t mapview_items(const struct mapview *mv, struct map_item *out, size_t max);

/* The selection's numbers; returns its kind. */
enum map_sel mapview_details(struct mapview *mv, struct map_details *d);

/* Latency histogram of the selection drawn into the w x h region at (x, y)
 * of c (w >= 8, h >= 3): bars of block characters ▁▂▃▄▅▆▇█ (ASCII _=#), one
 * column per bucket of equal width over the histogram's range (0 to the
 * largest latency, or the zoomed range), then an axis with the two range
 * markers, then the range's bounds.  Buckets inside the chosen range are
 * CS_HIST_RANGE. */
void mapview_hist_draw(struct mapview *mv, struct canvas *c, int x, int y, int w, int h);
/* Move the low (which 0) or high (1) marker by steps buckets of the last
 * drawn histogram; a marker at its end of the histogram leaves that bound
 * open. */
void mapview_range_move(struct mapview *mv, int which, int steps);
void mapview_range_clear(struct mapview *mv);
/* The chosen range in seconds: lo (0 when open) and hi (< 0 when open);
 * returns 1 when a bound is chosen, else 0. */
int mapview_range(const struct mapview *mv, double *lo, double *hi);
/* Zoom the histogram to the chosen range (which is then cleared), or back
 * out to the whole range with out set. */
void mapview_hist_zoom(struct mapview *mv, int out);

/* The filter expression for the selection's traces (heap string; "" means
 * every trace, for the client node; NULL when nothing is selected), with
 * the chosen latency range:
 *   node       service(id(name: "N", type: "T")) { fault AND responsetime >= 0.5 }
 *   edge       edge("A", "B") { error }   (id(...) forms when a name is shared)
 *   client->N  service(id(name: "N", type: "T")) { root = true }
 *   collapsed  edge("A", "x") OR edge("A", "y") ...
 *   client     fault, responsetime >= ... (trace-level keywords)
 * Strings are quoted with '"' and '\' escaped by a '\'. */
char *mapview_filter(struct mapview *mv, enum map_traces what);

/* The details pane: title, counts and shares, percentiles, histogram,
 * range and filter, in the w x h region at (x, y) of c. */
void mapview_details_draw(struct mapview *mv, struct canvas *c, int x, int y, int w, int h);

/* The type glyph of a node kind and type (for a legend): UTF-8 glyph, ASCII
 * letter and a short name ("Lambda", "DynamoDB" ...). */
void mapview_type_glyph(int kind, const char *type, const char **glyph, char *ascii,
    const char **what);

/* Entry i of the map's legend (type glyphs, then client, service,
 * collapsed and the health glyphs) with the style it is drawn in; returns 0
 * past the last. */
int mapview_legend(size_t i, const char **glyph, char *ascii, const char **what, int *style);

/* Quote s as a filter-expression string: heap string with the quotes. */
char *mapview_quote(const char *s);

struct layout;

/* Lay out with fn instead of graph_layout (tests: a layout that does not
 * depend on the Graphviz version); NULL restores graph_layout. */
void mapview_set_layouter(struct mapview *mv, int (*fn)(struct layout *l, char *err,
    size_t errlen));

#endif

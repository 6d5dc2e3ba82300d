/* graph.h - the service map through Graphviz: the only code that uses gvc/cgraph.
 *
 * graph_render lays the map out with dot and writes it as DOT (with the
 * layout's positions, re-readable by Graphviz) or SVG.  Nodes are coloured
 * by health as the X-Ray console does: green when all requests were ok,
 * else by the worst class present - red for faults, yellow for errors,
 * purple for throttles; client and inferred nodes have their own shapes.
 * Edge labels carry the request count and the average latency.  Every
 * label is escaped for DOT and SVG (text from data cannot inject markup).
 * Graphviz's own messages go to the error buffer, never to stderr.
 */
#ifndef XRAYTOP_GRAPH_H
#define XRAYTOP_GRAPH_H

#include <stddef.h>
#include <stdio.h>

struct svcmap;

enum graph_format {
	GRAPH_DOT,
	GRAPH_SVG,
};

/* Returns 0, or -1 with a message in err.  A map of more than
 * LAYOUT_MAX_NODES visible nodes (layout.h) is not laid out whole: DOT has
 * every node and edge without positions (a comment says why), SVG the
 * LAYOUT_MAX_NODES busiest nodes (by requests) and the edges between them,
 * with a caption that says so. */
int graph_render(struct svcmap *m, enum graph_format fmt, FILE *out, char *err, size_t errlen);
/* The number of visible nodes when it is over LAYOUT_MAX_NODES, else 0. */
size_t graph_render_limit(struct svcmap *m);

#endif

/* view-map.c - the service map on screen.
 *
 * Everything about the map (what is shown, the layout, the selection, the
 * details and the histogram) is mapview.h's; this file turns keys into
 * mapview calls and copies its canvases to the screen, each canvas style
 * drawn in its theme slot.  From a selection one key opens its traces: the
 * filter expression mapview builds is handed to the trace list, which shows
 * it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-private.h"
#include "xraytop/canvas.h"
#include "xraytop/layout.h"
#include "xraytop/loop.h"
#include "xraytop/mapview.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/view.h"
#include "xraytop/xmalloc.h"

#define DETAILS_W  44   /* the details pane beside the map, on wide screens */
#define DETAILS_H  10   /* ... or under it */

/* The theme slot of each canvas style. */
static const enum theme_slot style_slot[CS_COUNT] = {
	[CS_DEFAULT]       = SLOT_DEFAULT,
	[CS_TEXT]          = SLOT_MAP_NODE,
	[CS_DIM]           = SLOT_DIM,
	[CS_TITLE]         = SLOT_SECTION,
	[CS_NODE_OK]       = SLOT_MAP_NODE_OK,
	[CS_NODE_ERROR]    = SLOT_MAP_NODE_ERROR,
	[CS_NODE_FAULT]    = SLOT_MAP_NODE_FAULT,
	[CS_NODE_THROTTLE] = SLOT_MAP_NODE_THROTTLE,
	[CS_NODE_IDLE]     = SLOT_MAP_NODE_IDLE,
	[CS_NODE_NAME]     = SLOT_MAP_NODE_NAME,
	[CS_NODE_CLIENT]   = SLOT_MAP_NODE_CLIENT,
	[CS_NODE_INFERRED] = SLOT_MAP_NODE_INFERRED,
	[CS_SELECTED]      = SLOT_MAP_SELECTED,
	[CS_MATCH]         = SLOT_SEARCH,
	[CS_EDGE]          = SLOT_MAP_EDGE,
	[CS_EDGE_SELECTED] = SLOT_MAP_EDGE_SELECTED,
	[CS_EDGE_LABEL]    = SLOT_MAP_LABEL,
	[CS_HIST_BAR]      = SLOT_HIST,
	[CS_HIST_RANGE]    = SLOT_HIST_RANGE,
	[CS_HIST_MARKER]   = SLOT_HIST_MARKER,
	[CS_HIST_AXIS]     = SLOT_HIST_AXIS,
};

struct mapv {
	struct mapview	*mv;
	struct svcmap	*m;            /* the map mv shows */
	struct canvas	*canvas;
	struct canvas	*dcanvas;
	int		 details;      /* show the details pane */
	int		 fitted;       /* fit once, when the map first has nodes */
	uint64_t	 gen;
	int		 mx, my;       /* where the map's viewport was drawn */
	size_t		 told;         /* the node count the busiest-only note was shown for */
	char		 err[256];
};

/* Copy c to the screen at (y, x): runs of one style at a time. */
static void
blit(const struct canvas *c, int y, int x)
{
	int w = canvas_width(c), h = canvas_height(c), cx, cy, start;
	char *run = xmalloc((size_t)w * 4 + 1);

	for (cy = 0; cy < h; cy++) {
		for (cx = 0; cx < w; ) {
			const struct canvas_cell *cell = canvas_at(c, cx, cy);
			int style = cell->style, cols = 0;
			size_t o = 0;

			start = cx;
			while (cx < w) {
				const struct canvas_cell *k = canvas_at(c, cx, cy);
				uint32_t cp = k->cp;

				if (k->style != style && cp != 0)
					break;
				cx++;
				cols++;
				if (cp == 0)
					continue;   /* the right half of a wide character */
				if (cp < 0x80)
					run[o++] = (char)cp;
				else if (cp < 0x800) {
					run[o++] = (char)(0xc0 | (cp >> 6));
					run[o++] = (char)(0x80 | (cp & 0x3f));
				} else if (cp < 0x10000) {
					run[o++] = (char)(0xe0 | (cp >> 12));
					run[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					run[o++] = (char)(0x80 | (cp & 0x3f));
				} else {
					run[o++] = (char)(0xf0 | (cp >> 18));
					run[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
					run[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					run[o++] = (char)(0x80 | (cp & 0x3f));
				}
			}
			run[o] = '\0';
			if (style < 0 || style >= CS_COUNT)
				style = CS_DEFAULT;
			/* Blank default cells need no drawing: the frame was erased. */
			if (style != CS_DEFAULT || strspn(run, " ") != o)
				ui_text(y + cy, x + start, cols, style_slot[style], run);
		}
	}
	free(run);
}

/* Follow the app's map (it changes with new data, the window, the group). */
static void
sync_map(struct view *v)
{
	struct mapv *mp = v->priv;
	struct svcmap *m = app_map(v->app);
	const struct app_data *d = app_data(v->app);
	struct map_status st;
	double t0;
	int r;

	if (m != mp->m) {
		mapview_free(mp->mv);
		mp->mv = mapview_new(m);
		mp->m = m;
		mp->fitted = 0;
		mp->gen = 0;
	}
	if (mp->gen == d->generation && mp->gen != 0)
		return;
	t0 = loop_now();
	r = mapview_update(mp->mv, mp->err, sizeof mp->err);
	if (r < 0)
		app_error(v->app, "map layout: %s", mp->err);
	else if (r > 0 && v->app->bench != NULL)
		fprintf(v->app->bench, "layout-view %.9f\n", loop_now() - t0);
	mp->gen = d->generation;
	mapview_status(mp->mv, &st);
	if (st.limited > 0 && st.limited != mp->told)
		app_message(v->app, "%zu nodes: the %d busiest are shown (f focuses on the "
		    "selection; xraytop map --format json has every node)", st.limited,
		    LAYOUT_MAX_NODES);
	mp->told = st.limited;
	if (!mp->fitted && svcmap_nnodes(m) > 0)
		mp->fitted = 2;   /* fit at the next draw, when the size is known */
}

static int
map_open(struct view *v, const void *arg)
{
	struct mapv *mp = v->priv;

	(void)arg;
	mp->canvas = canvas_new(0, 0);
	mp->dcanvas = canvas_new(0, 0);
	mp->details = 1;
	sync_map(v);
	return 0;
}

static void
map_done(struct view *v)
{
	struct mapv *mp = v->priv;

	mapview_free(mp->mv);
	canvas_free(mp->canvas);
	canvas_free(mp->dcanvas);
}

static void
map_data_changed(struct view *v)
{
	sync_map(v);
}

static void
map_draw(struct view *v, int y, int x, int h, int w)
{
	struct mapv *mp = v->priv;
	struct map_status st;
	int mw = w, mh = h, side = 0, below = 0;
	long long loading = app_loading(v->app);

	sync_map(v);
	if (mp->details) {
		if (w >= 130)
			side = DETAILS_W;
		else if (h >= 22)
			below = DETAILS_H;
	}
	mw = w - side - (side > 0);
	mh = h - below - (below > 0);
	mapview_set_size(mp->mv, mw, mh);
	if (mp->fitted == 2) {
		if (mapview_fit(mp->mv, mp->err, sizeof mp->err) < 0)
			app_error(v->app, "map layout: %s", mp->err);
		mp->fitted = 1;
	}
	mapview_status(mp->mv, &st);
	mp->mx = x;
	mp->my = y;
	if (st.shown_nodes == 0) {
		const char *why = loading >= 0 ? "loading..." :
		    svcmap_nnodes(mp->m) > 0 ? "every node is hidden (C shows the client, I the inferred nodes)" :
		    app_data(v->app)->nsums > 0 ? "no service map in this window or group" :
		    "no service map in the data";

		ui_text(y + 1, x + 2, w - 4, SLOT_DIM, why);
		return;
	}
	canvas_set_ascii(mp->canvas, text_ascii());
	mapview_draw(mp->mv, mp->canvas);
	blit(mp->canvas, y, x);
	if (side > 0) {
		int i;

		for (i = 0; i < h; i++)
			ui_repeat(y + i, x + mw, 1, SLOT_BORDER, ui_glyph(UG_VLINE));
		canvas_set_ascii(mp->dcanvas, text_ascii());
		canvas_resize(mp->dcanvas, side, h);
		mapview_details_draw(mp->mv, mp->dcanvas, 0, 0, side, h);
		blit(mp->dcanvas, y, x + mw + 1);
	} else if (below > 0) {
		ui_repeat(y + mh, x, w, SLOT_BORDER, ui_glyph(UG_HLINE));
		canvas_set_ascii(mp->dcanvas, text_ascii());
		canvas_resize(mp->dcanvas, w, below);
		mapview_details_draw(mp->mv, mp->dcanvas, 0, 0, w, below);
		blit(mp->dcanvas, y + mh + 1, x);
	}
}

/* Open the trace list of the selection. */
static void
open_traces(struct view *v, enum map_traces what, int need_range)
{
	struct mapv *mp = v->priv;
	struct map_details d;
	char caption[640];
	double lo, hi;
	char *filter;

	if (mapview_details(mp->mv, &d) == MAP_SEL_NONE) {
		app_message(v->app, "select a node or an edge first");
		return;
	}
	if (need_range && !mapview_range(mp->mv, &lo, &hi)) {
		app_message(v->app, "pick a latency range on the histogram first ([ ] and { })");
		return;
	}
	filter = mapview_filter(mp->mv, what);
	if (filter == NULL)
		return;
	snprintf(caption, sizeof caption, "%s %s%s", d.sel == MAP_SEL_EDGE ? "edge" : "node",
	    d.title, what == MAP_TRACES_FAULT ? " faults" : what == MAP_TRACES_ERROR ? " errors" : "");
	app_open_traces(v->app, filter, caption);
	free(filter);
}

static void
set_show(struct view *v, int which)
{
	struct mapv *mp = v->priv;
	struct map_status st;
	int r;

	mapview_status(mp->mv, &st);
	if (which == 0) {
		r = mapview_set_client(mp->mv, st.client == MAP_SHOW ? MAP_HIDE : MAP_SHOW,
		    mp->err, sizeof mp->err);
		app_message(v->app, "client node %s", st.client == MAP_SHOW ? "hidden" : "shown");
	} else {
		enum map_show next = st.inferred == MAP_SHOW ? MAP_COLLAPSE :
		    st.inferred == MAP_COLLAPSE ? MAP_HIDE : MAP_SHOW;

		r = mapview_set_inferred(mp->mv, next, mp->err, sizeof mp->err);
		app_message(v->app, "inferred nodes %s", next == MAP_SHOW ? "shown" :
		    next == MAP_COLLAPSE ? "collapsed per caller" : "hidden");
	}
	if (r < 0)
		app_error(v->app, "map layout: %s", mp->err);
}

static void
focus(struct view *v, int delta)
{
	struct mapv *mp = v->priv;
	struct map_status st;
	int depth, r;

	mapview_status(mp->mv, &st);
	if (delta == 0)
		depth = st.focused ? -1 : 1;
	else if (!st.focused) {
		app_message(v->app, "focus on a node first (f)");
		return;
	} else {
		depth = st.focus_depth + delta;
		if (depth < 0)
			depth = 0;
	}
	r = mapview_focus(mp->mv, depth, mp->err, sizeof mp->err);
	if (r < 0)
		app_error(v->app, "map layout: %s", mp->err);
	else if (depth < 0)
		app_message(v->app, "the whole map");
	else
		app_message(v->app, "focus: %d level%s around the selection", depth, depth == 1 ? "" : "s");
}

static int
map_action(struct view *v, enum action act, int key)
{
	struct mapv *mp = v->priv;
	struct map_status st;
	int r = 0;

	(void)key;
	if (mp->mv == NULL)
		return 0;
	switch (act) {
	case ACT_LEFT: mapview_move(mp->mv, MAP_LEFT); return 1;
	case ACT_RIGHT: mapview_move(mp->mv, MAP_RIGHT); return 1;
	case ACT_UP: mapview_move(mp->mv, MAP_UP); return 1;
	case ACT_DOWN: mapview_move(mp->mv, MAP_DOWN); return 1;
	case ACT_NEXT: mapview_cycle(mp->mv, 1); return 1;
	case ACT_PREV: mapview_cycle(mp->mv, 0); return 1;
	case ACT_PAN_LEFT: mapview_pan(mp->mv, -8, 0); return 1;
	case ACT_PAN_RIGHT: mapview_pan(mp->mv, 8, 0); return 1;
	case ACT_PAN_UP: mapview_pan(mp->mv, 0, -4); return 1;
	case ACT_PAN_DOWN: mapview_pan(mp->mv, 0, 4); return 1;
	case ACT_FIT:
		r = mapview_fit(mp->mv, mp->err, sizeof mp->err);
		break;
	case ACT_DETAIL:
		mapview_status(mp->mv, &st);
		r = mapview_set_detail(mp->mv, (enum map_detail)((st.detail + 1) % MAP_DETAIL_COUNT),
		    mp->err, sizeof mp->err);
		break;
	case ACT_DETAILS:
		mp->details = !mp->details;
		return 1;
	case ACT_FOCUS_NODE: focus(v, 0); return 1;
	case ACT_DEPTH_MORE: focus(v, 1); return 1;
	case ACT_DEPTH_LESS: focus(v, -1); return 1;
	case ACT_HIDE_CLIENTS: set_show(v, 0); return 1;
	case ACT_HIDE_INFERRED: set_show(v, 1); return 1;
	case ACT_ENTER:
	case ACT_TRACES_ALL: open_traces(v, MAP_TRACES_ALL, 0); return 1;
	case ACT_TRACES_FAULT: open_traces(v, MAP_TRACES_FAULT, 0); return 1;
	case ACT_TRACES_ERROR: open_traces(v, MAP_TRACES_ERROR, 0); return 1;
	case ACT_TRACES_SLOW: open_traces(v, MAP_TRACES_ALL, 1); return 1;
	case ACT_RANGE_LOW_DOWN: mapview_range_move(mp->mv, 0, -1); return 1;
	case ACT_RANGE_LOW_UP: mapview_range_move(mp->mv, 0, 1); return 1;
	case ACT_RANGE_HIGH_DOWN: mapview_range_move(mp->mv, 1, -1); return 1;
	case ACT_RANGE_HIGH_UP: mapview_range_move(mp->mv, 1, 1); return 1;
	case ACT_RANGE_CLEAR: mapview_range_clear(mp->mv); return 1;
	case ACT_HIST_ZOOM: {
		double lo, hi;

		mapview_hist_zoom(mp->mv, !mapview_range(mp->mv, &lo, &hi));
		return 1;
	}
	case ACT_TOP: {
		/* Back to where requests come in: the client node. */
		long c = svcmap_find_node(mp->m, "client", "client");

		if (c < 0)
			app_message(v->app, "this map has no client node");
		else
			mapview_select_node(mp->mv, (size_t)c);
		return 1;
	}
	default:
		return 0;
	}
	if (r < 0)
		app_error(v->app, "map layout: %s", mp->err);
	return 1;
}

static int
map_search(struct view *v, const char *text, int dir, int skip)
{
	struct mapv *mp = v->priv;

	return mapview_search(mp->mv, text, skip ? dir : 0);
}

static const char *
map_copy(struct view *v, char *buf, size_t len)
{
	struct mapv *mp = v->priv;
	char *f = mapview_filter(mp->mv, MAP_TRACES_ALL);

	if (f == NULL || *f == '\0') {
		free(f);
		return NULL;
	}
	snprintf(buf, len, "%s", f);
	free(f);
	return buf;
}

static const char *
map_crumb(struct view *v, char *buf, size_t len)
{
	struct mapv *mp = v->priv;
	struct map_status st;

	mapview_status(mp->mv, &st);
	if (st.focused)
		snprintf(buf, len, "map (focus %d)", st.focus_depth);
	else
		snprintf(buf, len, "map");
	return buf;
}

static void
map_mouse(struct view *v, int y, int x, enum ui_button b)
{
	struct mapv *mp = v->priv;

	if (b == UB_WHEEL_UP || b == UB_WHEEL_DOWN) {
		mapview_pan(mp->mv, 0, b == UB_WHEEL_UP ? -2 : 2);
		return;
	}
	if (mapview_click(mp->mv, x, y) && b == UB_DOUBLE)
		open_traces(v, MAP_TRACES_ALL, 0);
}

static const struct keybind map_keys[] = {
	{ UK_LEFT, ACT_LEFT }, { 'h', ACT_LEFT },
	{ UK_RIGHT, ACT_RIGHT }, { 'l', ACT_RIGHT },
	{ UK_UP, ACT_UP }, { 'k', ACT_UP },
	{ UK_DOWN, ACT_DOWN }, { 'j', ACT_DOWN },
	{ UK_TAB, ACT_NEXT }, { UK_BTAB, ACT_PREV },
	{ 'H', ACT_PAN_LEFT }, { 'L', ACT_PAN_RIGHT }, { 'K', ACT_PAN_UP }, { 'J', ACT_PAN_DOWN },
	{ UK_PGUP, ACT_PAN_UP }, { UK_PGDN, ACT_PAN_DOWN },
	{ 'g', ACT_TOP }, { UK_HOME, ACT_TOP },
	{ '.', ACT_FIT },
	{ 'D', ACT_DETAIL },
	{ 'd', ACT_DETAILS },
	{ 'f', ACT_FOCUS_NODE },
	{ '+', ACT_DEPTH_MORE }, { '-', ACT_DEPTH_LESS },
	{ 'C', ACT_HIDE_CLIENTS },
	{ 'I', ACT_HIDE_INFERRED },
	{ UK_ENTER, ACT_TRACES_ALL },
	{ 'x', ACT_TRACES_FAULT },
	{ 'e', ACT_TRACES_ERROR },
	{ 't', ACT_TRACES_SLOW },
	{ '[', ACT_RANGE_LOW_DOWN }, { ']', ACT_RANGE_LOW_UP },
	{ '{', ACT_RANGE_HIGH_DOWN }, { '}', ACT_RANGE_HIGH_UP },
	{ 'r', ACT_RANGE_CLEAR },
	{ 'z', ACT_HIST_ZOOM },
	{ 0, ACT_NONE }
};

const struct view_ops view_map_ops = {
	.name = "map",
	.title = "Service map",
	.priv_size = sizeof(struct mapv),
	.keys = map_keys,
	.open = map_open,
	.draw = map_draw,
	.action = map_action,
	.done = map_done,
	.data_changed = map_data_changed,
	.search = map_search,
	.copy = map_copy,
	.crumb = map_crumb,
	.mouse = map_mouse,
	.hints = "hjkl/Tab select  Enter traces  x faults  e errors  f focus  C I hide  . fit  d details  ? help",
};

/* :bench-layout N: lay the current map out N times from scratch, as the
 * view does when it opens, each time into the bench file. */
int
view_map_bench_layout(struct app *app, int n)
{
	char err[256];
	int i;

	for (i = 0; i < n; i++) {
		struct mapview *mv = mapview_new(app_map(app));
		double t0 = loop_now();

		if (mapview_update(mv, err, sizeof err) < 0) {
			mapview_free(mv);
			app_error(app, "map layout: %s", err);
			return -1;
		}
		if (app->bench != NULL)
			fprintf(app->bench, "layout %.9f\n", loop_now() - t0);
		mapview_free(mv);
	}
	return 0;
}

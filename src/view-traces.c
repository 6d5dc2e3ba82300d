/* view-traces.c - the trace list: one row per trace summary, sortable
 * (slowest response first by default), narrowed by the app's scope (time
 * window, group) and by the view's own filter expression. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-private.h"
#include "xraytop/loop.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"
#include "xraytop/text.h"
#include "xraytop/view.h"
#include "xraytop/xmalloc.h"

enum col {
	COL_ID, COL_TIME, COL_METHOD, COL_URL, COL_STATUS, COL_RESPONSE, COL_DURATION,
	COL_SERVICES, COL_ANNOTATIONS, COL_COUNT
};

static const struct {
	const char	*name;      /* header, and :sort name */
	int		 width;     /* 0: shares what is left */
	int		 right;
	int		 sortable;
	int		 drop;      /* hidden first when narrow: higher goes first */
} cols[COL_COUNT] = {
	[COL_ID]          = { "ID",          35, 0, 1, 0 },
	[COL_TIME]        = { "TIME",        12, 0, 1, 4 },
	[COL_METHOD]      = { "METHOD",       6, 0, 1, 3 },
	[COL_URL]         = { "URL",          0, 0, 1, 0 },
	[COL_STATUS]      = { "STATUS",       6, 1, 1, 0 },
	[COL_RESPONSE]    = { "RESPONSE",     8, 1, 1, 0 },
	[COL_DURATION]    = { "DURATION",     8, 1, 1, 1 },
	[COL_SERVICES]    = { "SERVICES",     0, 0, 1, 5 },
	[COL_ANNOTATIONS] = { "ANNOTATIONS",  0, 0, 0, 2 },
};

struct traces {
	char		*filter;       /* NULL: every trace in scope */
	char		 caption[128];
	size_t		*idx;          /* into the data's summaries: in scope, filtered, sorted */
	size_t		 nidx;
	size_t		 total;        /* in scope before the filter */
	struct vlist	 list;
	enum col	 sort;
	int		 ascending;
	uint64_t	 gen;
	unsigned	 scope;
	double		 build_time;   /* seconds the last rebuild took */
	int		 built;
	int		 x[COL_COUNT];  /* column positions of the last frame, -1 hidden */
	int		 w[COL_COUNT];
};

static struct app *sort_app;   /* for the comparators (qsort has no context) */
static enum col sort_col;

static const struct trace_summary *
sum_at(struct view *v, size_t i)
{
	struct traces *t = v->priv;

	return &app_data(v->app)->sums[t->idx[i]];
}

static int
cmp_double(double a, double b)
{
	return (a > b) - (a < b);
}

static int
cmp_str(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

/* Ascending order of column sort_col, then by id (a total order). */
static int
sum_cmp(const void *pa, const void *pb)
{
	const struct trace_summary *s = app_data(sort_app)->sums;
	const struct trace_summary *a = &s[*(const size_t *)pa], *b = &s[*(const size_t *)pb];
	int c = 0;

	switch (sort_col) {
	case COL_ID: break;
	case COL_TIME: c = cmp_double(a->start, b->start); break;
	case COL_METHOD: c = cmp_str(a->method, b->method); break;
	case COL_URL: c = cmp_str(a->url, b->url); break;
	case COL_STATUS: c = (a->status > b->status) - (a->status < b->status); break;
	case COL_RESPONSE: c = cmp_double(a->response_time, b->response_time); break;
	case COL_DURATION: c = cmp_double(a->duration, b->duration); break;
	case COL_SERVICES:
		c = cmp_str(a->nservices > 0 ? a->services[0].name : NULL,
		    b->nservices > 0 ? b->services[0].name : NULL);
		break;
	default: break;
	}
	return c != 0 ? c : cmp_str(a->id, b->id);
}

static void
sort_rows(struct view *v)
{
	struct traces *t = v->priv;
	size_t i, j;

	sort_app = v->app;
	sort_col = t->sort;
	if (t->nidx > 1)
		qsort(t->idx, t->nidx, sizeof *t->idx, sum_cmp);
	if (!t->ascending)
		for (i = 0, j = t->nidx; i + 1 < j; i++, j--) {
			size_t tmp = t->idx[i];

			t->idx[i] = t->idx[j - 1];
			t->idx[j - 1] = tmp;
		}
}

/* Rows again from the data, the scope and the filter; the selection stays
 * on the same trace when it is still there. */
static void
rebuild(struct view *v)
{
	struct traces *t = v->priv;
	struct app *app = v->app;
	const struct app_data *d = app_data(app);
	char keep[128] = "";
	size_t i;
	double t0 = loop_now();

	if (t->built && t->nidx > 0 && t->list.sel < t->nidx)
		snprintf(keep, sizeof keep, "%s", sum_at(v, t->list.sel)->id);
	free(t->idx);
	t->idx = xcalloc(d->nsums + 1, sizeof *t->idx);
	t->nidx = t->total = 0;
	for (i = 0; i < d->nsums; i++) {
		const struct trace_summary *s = &d->sums[i];

		if (!app_in_scope(app, s))
			continue;
		t->total++;
		if (t->filter != NULL && !app_filter_match(app, t->filter, s,
		    store_find(d->store, s->id)))
			continue;
		t->idx[t->nidx++] = i;
	}
	sort_rows(v);
	vlist_set(&t->list, t->nidx);
	if (keep[0] != '\0' || !t->built) {
		t->list.sel = 0;
		for (i = 0; keep[0] != '\0' && i < t->nidx; i++)
			if (strcmp(sum_at(v, i)->id, keep) == 0) {
				t->list.sel = i;
				break;
			}
	}
	vlist_scroll(&t->list, t->list.height);
	t->gen = d->generation;
	t->built = 1;
	t->build_time = loop_now() - t0;
}

static void
services_text(const struct trace_summary *s, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < s->nservices && o + 1 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i > 0 ? ", " : "",
		    s->services[i].name != NULL ? s->services[i].name : "?");
}

static void
annotations_text(const struct trace_summary *s, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < s->nannotations && o + 1 < len; i++) {
		const struct annotation *a = &s->annotations[i];

		if (a->type == ANNO_STRING)
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", i > 0 ? " " : "", a->key,
			    a->str != NULL ? a->str : "");
		else if (a->type == ANNO_NUMBER)
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%g", i > 0 ? " " : "", a->key, a->num);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", i > 0 ? " " : "", a->key,
			    a->boolean ? "true" : "false");
	}
}

static const char *
row_text(void *ctx, size_t i, char *buf, size_t len)
{
	struct view *v = ctx;
	const struct trace_summary *s = sum_at(v, i);
	char svc[512], ann[512];

	services_text(s, svc, sizeof svc);
	annotations_text(s, ann, sizeof ann);
	snprintf(buf, len, "%s %s %s %d %s %s", s->id, s->method != NULL ? s->method : "",
	    s->url != NULL ? s->url : "", s->status, svc, ann);
	return buf;
}

static int
traces_open(struct view *v, const void *arg)
{
	struct traces *t = v->priv;
	const char *const *a = arg;

	t->sort = COL_RESPONSE;
	t->ascending = 0;
	t->list.row_text = row_text;
	t->list.ctx = v;
	t->list.height = 20;
	if (a != NULL && a[0] != NULL && a[0][0] != '\0') {
		char err[256];
		long pos = -1;

		if (app_filter_check(v->app, a[0], err, sizeof err, &pos, NULL) != 0) {
			app_error(v->app, "filter: %s (at column %ld)", err, pos + 1);
			return -1;
		}
		t->filter = xstrdup(a[0]);
	}
	if (a != NULL && a[1] != NULL)
		snprintf(t->caption, sizeof t->caption, "%s", a[1]);
	rebuild(v);
	return 0;
}

void
view_traces_set_filter(struct view *v, const char *filter)
{
	struct traces *t = v->priv;

	free(t->filter);
	t->filter = filter != NULL && *filter != '\0' ? xstrdup(filter) : NULL;
	t->caption[0] = '\0';
	t->built = 0;
	rebuild(v);
	app_message(v->app, "%zu of %zu traces match", t->nidx, t->total);
}

/* Ids are long: cut on narrower screens (y copies the whole id). */
static int
id_width(int w)
{
	return w >= 140 ? cols[COL_ID].width : w >= 80 ? 21 : 14;
}

/* Which columns show in w columns, and where. */
static void
place_columns(struct traces *t, int w)
{
	int hidden[COL_COUNT], used, flex, nflex, c, level, x;

	memset(hidden, 0, sizeof hidden);
	for (level = 0; level <= 5; level++) {
		if (level > 0)
			for (c = 0; c < COL_COUNT; c++)
				if (cols[c].drop == level)
					hidden[c] = 1;
		used = 2;
		nflex = 0;
		for (c = 0; c < COL_COUNT; c++) {
			if (hidden[c])
				continue;
			used += (c == COL_ID ? id_width(w) : cols[c].width) + 1;
			if (cols[c].width == 0)
				nflex++;
		}
		if (w - used >= nflex * 14)
			break;
	}
	flex = w - used;
	x = 2;
	for (c = 0; c < COL_COUNT; c++) {
		if (hidden[c]) {
			t->x[c] = -1;
			t->w[c] = 0;
			continue;
		}
		t->x[c] = x;
		if (cols[c].width > 0)
			t->w[c] = cols[c].width;
		else if (c == COL_URL)
			t->w[c] = nflex > 1 ? flex * 45 / 100 : flex;
		else if (c == COL_SERVICES)
			t->w[c] = nflex > 2 ? flex * 35 / 100 : flex - (nflex > 1 ? flex * 45 / 100 : 0);
		else
			t->w[c] = flex - flex * 45 / 100 - flex * 35 / 100;
		if (t->w[c] < 1)
			t->w[c] = 1;
		if (c == COL_ID)
			t->w[c] = id_width(w);
		x += t->w[c] + 1;
	}
}

static enum theme_slot
status_slot(const struct trace_summary *s, const char **glyph)
{
	if (s->flags & SUM_FAULT) {
		*glyph = ui_glyph(UG_FAULT);
		return SLOT_FAULT;
	}
	if (s->flags & SUM_THROTTLE) {
		*glyph = ui_glyph(UG_THROTTLE);
		return SLOT_THROTTLE;
	}
	if (s->flags & SUM_ERROR) {
		*glyph = ui_glyph(UG_ERROR);
		return SLOT_ERROR;
	}
	if (s->flags & SUM_PARTIAL) {
		*glyph = ui_glyph(UG_PARTIAL);
		return SLOT_PARTIAL;
	}
	*glyph = ui_glyph(UG_OK);
	return SLOT_OK;
}

static void
draw_row(struct view *v, const struct trace_summary *s, int y, int x0, int w, int selected)
{
	struct traces *t = v->priv;
	char buf[1024], when[64];
	const char *glyph;
	enum theme_slot st = status_slot(s, &glyph);
	int c;

	ui_text(y, x0, 1, st, glyph);
	for (c = 0; c < COL_COUNT; c++) {
		int cx = x0 + t->x[c], cw = t->w[c];
		enum theme_slot slot = SLOT_DEFAULT;

		if (t->x[c] < 0)
			continue;
		buf[0] = '\0';
		switch ((enum col)c) {
		case COL_ID:
			snprintf(buf, sizeof buf, "%s", s->id);
			slot = SLOT_ID;
			break;
		case COL_TIME:
			text_time(s->start, app_utc(v->app), when, sizeof when);
			/* Only the time of day: the day is in the window. */
			snprintf(buf, sizeof buf, "%s", strlen(when) > 11 ? when + 11 : when);
			break;
		case COL_METHOD:
			snprintf(buf, sizeof buf, "%s", s->method != NULL ? s->method : "");
			break;
		case COL_URL:
			snprintf(buf, sizeof buf, "%s", s->url != NULL ? s->url : "");
			break;
		case COL_STATUS:
			if (s->status > 0)
				snprintf(buf, sizeof buf, "%d", s->status);
			slot = st == SLOT_OK ? SLOT_DEFAULT : st;
			break;
		case COL_RESPONSE:
			text_duration(s->response_time, buf, sizeof buf);
			slot = SLOT_NUMBER;
			break;
		case COL_DURATION:
			text_duration(s->duration, buf, sizeof buf);
			slot = SLOT_NUMBER;
			break;
		case COL_SERVICES:
			services_text(s, buf, sizeof buf);
			break;
		case COL_ANNOTATIONS:
			annotations_text(s, buf, sizeof buf);
			slot = SLOT_DIM;
			break;
		default:
			break;
		}
		ui_field(y, cx, cw, slot, buf, cols[c].right);
	}
	if (selected)
		ui_restyle(y, x0, w, SLOT_CURSOR);
}

static void
traces_draw(struct view *v, int y, int x, int h, int w)
{
	struct traces *t = v->priv;
	const struct app_data *d = app_data(v->app);
	char info[1024], sorted[64];
	long long loading = app_loading(v->app);
	int c, i, rows;

	if (t->gen != d->generation)
		rebuild(v);
	place_columns(t, w);
	snprintf(sorted, sizeof sorted, "%s %s", cols[t->sort].name,
	    ui_glyph(t->ascending ? UG_SORT_UP : UG_SORT_DOWN));
	/* What is listed: counts, order, and the filter in full. */
	if (t->filter != NULL)
		snprintf(info, sizeof info, "%zu of %zu traces  sorted by %s  filter: ", t->nidx,
		    t->total, sorted);
	else
		snprintf(info, sizeof info, "%zu traces  sorted by %s", t->nidx, sorted);
	c = ui_text(y, x + 1, w - 1, SLOT_DIM, info);
	if (t->filter != NULL)
		ui_text(y, x + 1 + c, w - 1 - c, SLOT_VALUE, t->filter);
	for (c = 0; c < COL_COUNT; c++) {
		if (t->x[c] < 0)
			continue;
		ui_field(y + 1, x + t->x[c], t->w[c], c == (int)t->sort ? SLOT_HEADER_SORT : SLOT_HEADER,
		    cols[c].name, cols[c].right);
	}
	rows = h - 2;
	vlist_scroll(&t->list, rows);
	if (t->nidx == 0) {
		const char *why = loading >= 0 ? "loading..." : t->total > 0 ?
		    "no trace matches the filter (F clears it)" : d->nsums > 0 ?
		    "no trace in the window or group (:since all, :group)" : "no traces in the data";

		ui_text(y + 3, x + 2, w - 4, SLOT_DIM, why);
		return;
	}
	for (i = 0; i < rows; i++) {
		size_t r = t->list.top + (size_t)i;

		if (r >= t->nidx)
			break;
		draw_row(v, sum_at(v, r), y + 2 + i, x, w, r == t->list.sel);
	}
}

static void
open_selected(struct view *v)
{
	struct traces *t = v->priv;
	const struct trace_summary *s;

	if (t->nidx == 0)
		return;
	s = sum_at(v, t->list.sel);
	app_open_trace(v->app, s->id);
}

static int
traces_action(struct view *v, enum action act, int key)
{
	struct traces *t = v->priv;

	(void)key;
	switch (act) {
	case ACT_ENTER:
		open_selected(v);
		return 1;
	case ACT_FILTER:
		app_prompt_start(v->app, PK_FILTER, t->filter);
		return 1;
	case ACT_FILTER_CLEAR:
		view_traces_set_filter(v, NULL);
		return 1;
	case ACT_SORT_NEXT:
	case ACT_SORT_PREV:
		do
			t->sort = (enum col)((t->sort + (act == ACT_SORT_NEXT ? 1 : COL_COUNT - 1)) %
			    COL_COUNT);
		while (!cols[t->sort].sortable);
		/* Numbers and times read best largest first, text from A. */
		t->ascending = !(t->sort == COL_RESPONSE || t->sort == COL_DURATION ||
		    t->sort == COL_TIME || t->sort == COL_STATUS);
		sort_rows(v);
		vlist_select(&t->list, 0);
		return 1;
	case ACT_SORT_REVERSE:
		t->ascending = !t->ascending;
		sort_rows(v);
		vlist_select(&t->list, 0);
		return 1;
	case ACT_GROUP:
		app_push(v->app, &view_groups_ops, NULL);
		return 1;
	case ACT_WINDOW:
		app_prompt_start(v->app, PK_WINDOW, NULL);
		return 1;
	default:
		return vlist_action(&t->list, act);
	}
}

static void
traces_done(struct view *v)
{
	struct traces *t = v->priv;

	free(t->idx);
	free(t->filter);
}

static void
traces_data_changed(struct view *v)
{
	rebuild(v);
}

static int
traces_search(struct view *v, const char *text, int dir, int skip)
{
	struct traces *t = v->priv;

	return vlist_search(&t->list, text, dir, skip);
}

static const char *
traces_copy(struct view *v, char *buf, size_t len)
{
	struct traces *t = v->priv;

	if (t->nidx > 0)
		snprintf(buf, len, "%s", sum_at(v, t->list.sel)->id);
	else if (t->filter != NULL)
		snprintf(buf, len, "%s", t->filter);
	else
		return NULL;
	return buf;
}

static const char *
traces_crumb(struct view *v, char *buf, size_t len)
{
	struct traces *t = v->priv;

	if (t->caption[0] != '\0')
		snprintf(buf, len, "traces %s", t->caption);
	else if (t->filter != NULL)
		snprintf(buf, len, "traces (filtered)");
	else
		snprintf(buf, len, "traces");
	return buf;
}

static void
traces_mouse(struct view *v, int y, int x, enum ui_button b)
{
	struct traces *t = v->priv;
	size_t r;

	(void)x;
	if (b == UB_WHEEL_UP || b == UB_WHEEL_DOWN) {
		vlist_action(&t->list, b == UB_WHEEL_UP ? ACT_UP : ACT_DOWN);
		return;
	}
	if (y < 2)
		return;
	r = t->list.top + (size_t)(y - 2);
	if (r >= t->nidx)
		return;
	vlist_select(&t->list, r);
	if (b == UB_DOUBLE)
		open_selected(v);
}

static const struct keybind traces_keys[] = {
	{ 'f', ACT_FILTER }, { '\\', ACT_FILTER },
	{ 'F', ACT_FILTER_CLEAR },
	{ 's', ACT_SORT_NEXT }, { '>', ACT_SORT_NEXT },
	{ '<', ACT_SORT_PREV },
	{ 'S', ACT_SORT_REVERSE },
	{ 'o', ACT_GROUP },
	{ 'w', ACT_WINDOW },
	{ UK_RIGHT, ACT_ENTER }, { 'l', ACT_ENTER },
	{ 0, ACT_NONE }
};

const struct view_ops view_traces_ops = {
	.name = "traces",
	.title = "Trace list",
	.priv_size = sizeof(struct traces),
	.keys = traces_keys,
	.list = 1,
	.open = traces_open,
	.draw = traces_draw,
	.action = traces_action,
	.done = traces_done,
	.data_changed = traces_data_changed,
	.search = traces_search,
	.copy = traces_copy,
	.crumb = traces_crumb,
	.mouse = traces_mouse,
	.hints = "Enter open  f filter  s sort  / search  y copy id  w window  ? help  q back",
};

/* view-groups.c - the groups (a name for a filter expression), and the
 * picker that narrows the map and the trace list to one.  The first row is
 * always the Default group: everything. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-private.h"
#include "xraytop/groups.h"
#include "xraytop/view.h"
#include "xraytop/xmalloc.h"

struct groups {
	struct vlist	 list;     /* row 0: Default; row i: data groups[i - 1] */
	size_t		 ngroups;
	uint64_t	 gen;
};

static const struct xray_group *
group_at(struct view *v, size_t row)
{
	if (row == 0)
		return NULL;
	return &app_data(v->app)->groups[row - 1];
}

static const char *
groups_row_text(void *ctx, size_t i, char *buf, size_t len)
{
	struct view *v = ctx;
	const struct xray_group *g = group_at(v, i);

	if (g == NULL)
		snprintf(buf, len, "Default");
	else
		snprintf(buf, len, "%s %s", g->name, g->filter != NULL ? g->filter : "");
	return buf;
}

static void
groups_sync(struct view *v)
{
	struct groups *g = v->priv;
	const struct app_data *d = app_data(v->app);
	const char *cur = app_group(v->app);
	size_t i;

	g->ngroups = d->ngroups;
	vlist_set(&g->list, d->ngroups + 1);
	g->gen = d->generation;
	if (cur != NULL)
		for (i = 0; i < d->ngroups; i++)
			if (strcmp(d->groups[i].name, cur) == 0)
				g->list.sel = i + 1;
}

static int
groups_open(struct view *v, const void *arg)
{
	struct groups *g = v->priv;

	(void)arg;
	g->list.row_text = groups_row_text;
	g->list.ctx = v;
	g->list.height = 10;
	groups_sync(v);
	return 0;
}

static const char *
yes_no(int v)
{
	return v < 0 ? "-" : v ? "yes" : "no";
}

static void
groups_draw(struct view *v, int y, int x, int h, int w)
{
	struct groups *g = v->priv;
	const char *cur = app_group(v->app);
	int nw = 24, iw = 9, fw, i, rows;

	if (g->gen != app_data(v->app)->generation)
		groups_sync(v);
	fw = w - 2 - nw - 1 - iw - 1 - iw - 1;
	if (fw < 10) {
		iw = 0;
		fw = w - 2 - nw - 1;
	}
	ui_text(y, x + 1, w - 1, SLOT_DIM, g->ngroups > 0 ?
	    "Enter narrows the map and the traces to a group" :
	    "this source has no groups (the AWS source reads them with GetGroups)");
	ui_field(y + 1, x + 2, nw, SLOT_HEADER, "GROUP", 0);
	ui_field(y + 1, x + 2 + nw + 1, fw, SLOT_HEADER, "FILTER EXPRESSION", 0);
	if (iw > 0) {
		ui_field(y + 1, x + 2 + nw + 1 + fw + 1, iw, SLOT_HEADER, "INSIGHTS", 0);
		ui_field(y + 1, x + 2 + nw + 1 + fw + 1 + iw + 1, iw, SLOT_HEADER, "NOTIFY", 0);
	}
	rows = h - 2;
	vlist_scroll(&g->list, rows);
	for (i = 0; i < rows; i++) {
		size_t r = g->list.top + (size_t)i;
		const struct xray_group *gr;
		int ry = y + 2 + i, active;

		if (r >= g->list.n)
			break;
		gr = group_at(v, r);
		active = gr == NULL ? cur == NULL : cur != NULL && strcmp(cur, gr->name) == 0;
		if (active)
			ui_text(ry, x, 1, SLOT_OK, ui_glyph(UG_OK));
		ui_field(ry, x + 2, nw, SLOT_VALUE, gr != NULL ? gr->name : "Default", 0);
		ui_field(ry, x + 2 + nw + 1, fw, gr != NULL && gr->filter != NULL ? SLOT_VALUE : SLOT_DIM,
		    gr != NULL && gr->filter != NULL ? gr->filter : "(every trace)", 0);
		if (iw > 0 && gr != NULL) {
			ui_field(ry, x + 2 + nw + 1 + fw + 1, iw, SLOT_DEFAULT, yes_no(gr->insights), 0);
			ui_field(ry, x + 2 + nw + 1 + fw + 1 + iw + 1, iw, SLOT_DEFAULT,
			    yes_no(gr->notifications), 0);
		}
		if (r == g->list.sel)
			ui_restyle(ry, x, w, SLOT_CURSOR);
	}
}

static int
groups_action(struct view *v, enum action act, int key)
{
	struct groups *g = v->priv;
	const struct xray_group *gr;
	char err[256];

	(void)key;
	if (act != ACT_ENTER)
		return vlist_action(&g->list, act);
	gr = group_at(v, g->list.sel);
	if (app_set_group(v->app, gr != NULL ? gr->name : NULL, err, sizeof err) != 0) {
		app_error(v->app, "%s", err);
		return 1;
	}
	app_message(v->app, "group: %s", gr != NULL ? gr->name : "Default");
	app_pop(v->app);
	return 1;
}

static int
groups_search(struct view *v, const char *text, int dir, int skip)
{
	struct groups *g = v->priv;

	return vlist_search(&g->list, text, dir, skip);
}

static const char *
groups_copy(struct view *v, char *buf, size_t len)
{
	struct groups *g = v->priv;
	const struct xray_group *gr = group_at(v, g->list.sel);

	if (gr == NULL || gr->filter == NULL)
		return NULL;
	snprintf(buf, len, "%s", gr->filter);
	return buf;
}

const struct view_ops view_groups_ops = {
	.name = "groups",
	.title = "Groups",
	.priv_size = sizeof(struct groups),
	.list = 1,
	.open = groups_open,
	.draw = groups_draw,
	.action = groups_action,
	.search = groups_search,
	.copy = groups_copy,
	.hints = "Enter pick the group  y copy its filter  / search  Esc back  ? help",
};

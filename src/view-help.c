/* view-help.c - the help overlay, printed from the key tables themselves,
 * and pages of plain text (the problems met reading the input). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "app-private.h"
#include "xraytop/view.h"
#include "xraytop/xmalloc.h"

struct help_line {
	char		*keys;     /* NULL for a section title or a text line */
	char		*text;
	int		 title;
};

struct help {
	char		 title[128];
	struct help_line *lines;
	size_t		 n;
	struct vlist	 list;
	int		 keyw;      /* width of the key column */
};

static void
add_line(struct help *h, const char *keys, const char *text, int title)
{
	h->lines = xreallocarray(h->lines, h->n + 1, sizeof *h->lines);
	h->lines[h->n].keys = keys != NULL ? xstrdup(keys) : NULL;
	h->lines[h->n].text = xstrdup(text);
	h->lines[h->n].title = title;
	h->n++;
	if (keys != NULL && (int)strlen(keys) > h->keyw)
		h->keyw = (int)strlen(keys);
}

/* What an action does, and its name for the configuration file. */
static const char *
action_line(enum action a)
{
	static char buf[160];

	snprintf(buf, sizeof buf, "%s  [%s]", action_help(a), action_name(a));
	return buf;
}

/* One line per action of table, with every key bound to it; actions the
 * view or the list already took are left out (they would not run). */
static void
add_table(struct help *h, const char *title, const struct keybind *table,
    const struct keybind *shadow1, const struct keybind *shadow2)
{
	const struct keybind *k, *j;
	int done[ACT_COUNT], first = 1;
	char keys[128], name[32];

	memset(done, 0, sizeof done);
	for (k = table; k->key != 0 || k->act != ACT_NONE; k++) {
		if (done[k->act] || k->act == ACT_NONE)
			continue;
		done[k->act] = 1;
		keys[0] = '\0';
		for (j = k; j->key != 0 || j->act != ACT_NONE; j++) {
			if (j->act != k->act)
				continue;
			/* A key the view's own table takes first does not reach here. */
			if (keymap_lookup(shadow1, j->key) != ACT_NONE ||
			    keymap_lookup(shadow2, j->key) != ACT_NONE)
				continue;
			if (keys[0] != '\0')
				strncat(keys, " ", sizeof keys - strlen(keys) - 1);
			strncat(keys, ui_key_name(j->key, name, sizeof name), sizeof keys - strlen(keys) - 1);
		}
		if (keys[0] == '\0')
			continue;
		if (first) {
			if (h->n > 0)
				add_line(h, NULL, "", 0);
			add_line(h, NULL, title, 1);
			first = 0;
		}
		add_line(h, keys, action_line(k->act), 0);
	}
}

/* The bindings of the configuration file that apply to view. */
static void
add_user_keys(struct help *h, struct app *app, const char *view)
{
	char name[32], line[64];
	size_t i;
	int first = 1;

	for (i = 0; i < app->nuser_keys; i++) {
		const struct user_key *u = &app->user_keys[i];

		if (u->view[0] != '\0' && (view == NULL || strcmp(u->view, view) != 0))
			continue;
		if (first) {
			add_line(h, NULL, "Yours (configuration file)", 1);
			first = 0;
		}
		snprintf(line, sizeof line, "%s", ui_key_name(u->key, name, sizeof name));
		add_line(h, line, action_line(u->act), 0);
	}
}

static const char *
help_row_text(void *ctx, size_t i, char *buf, size_t len)
{
	struct help *h = ctx;

	snprintf(buf, len, "%s %s", h->lines[i].keys != NULL ? h->lines[i].keys : "", h->lines[i].text);
	return buf;
}

static int
help_open(struct view *v, const void *arg)
{
	struct help *h = v->priv;
	struct view *below = app_top(v->app);
	size_t i;

	h->list.row_text = help_row_text;
	h->list.ctx = h;
	if (arg != NULL) {
		/* A page of text: { title, lines, &n }. */
		const char *const *a = arg;
		char **lines = (char **)a[1];
		size_t n = *(const size_t *)a[2];

		snprintf(h->title, sizeof h->title, "%s", a[0]);
		for (i = 0; i < n; i++)
			add_line(h, NULL, lines[i], 0);
	} else {
		const struct view_ops *ops = below != NULL ? below->ops : NULL;

		snprintf(h->title, sizeof h->title, "Keys: %s", ops != NULL ? ops->title : "xraytop");
		add_user_keys(h, v->app, ops != NULL ? ops->name : NULL);
		if (ops != NULL && ops->keys != NULL)
			add_table(h, ops->title, ops->keys, NULL, NULL);
		if (ops != NULL && ops->list)
			add_table(h, "Moving", view_list_keys, ops->keys, NULL);
		add_table(h, "Everywhere", app_global_keys, ops != NULL ? ops->keys : NULL,
		    ops != NULL && ops->list ? view_list_keys : NULL);
		add_line(h, NULL, "", 0);
		add_line(h, NULL, "Commands", 1);
		add_line(h, ":trace ID", "open a trace (X-Ray or 32-hex W3C id)", 0);
		add_line(h, ":group NAME", "narrow the map and the traces to a group", 0);
		add_line(h, ":since 30m", "time window: the last 30m (or a time, :window A B, all)", 0);
		add_line(h, ":filter EXPR", "the trace list of a filter expression", 0);
		add_line(h, ":export svg F", "write the map (svg, dot, json, text) or the screen", 0);
		add_line(h, ":theme NAME", "dark, light, mono or a theme file", 0);
		add_line(h, ":errors", "what could not be read from the input", 0);
		add_line(h, ":q", "quit", 0);
	}
	vlist_set(&h->list, h->n);
	return 0;
}

static void
help_draw(struct view *v, int y, int x, int hgt, int w)
{
	struct help *h = v->priv;
	int bw = w - 4, bh, by, bx, i, rows, kw = h->keyw + 2;
	size_t r;

	if (bw > 90)
		bw = 90;
	bh = (int)h->n + 2;
	if (bh > hgt)
		bh = hgt;
	if (bh < 3 || bw < 10)
		return;
	by = y + (hgt - bh) / 2;
	bx = x + (w - bw) / 2;
	rows = bh - 2;
	vlist_scroll(&h->list, rows);
	if (kw > bw / 2)
		kw = bw / 2;
	/* The frame. */
	ui_repeat(by, bx, bw, SLOT_BORDER, ui_glyph(UG_HLINE));
	ui_repeat(by + bh - 1, bx, bw, SLOT_BORDER, ui_glyph(UG_HLINE));
	ui_repeat(by, bx, 1, SLOT_BORDER, ui_glyph(UG_TL));
	ui_repeat(by, bx + bw - 1, 1, SLOT_BORDER, ui_glyph(UG_TR));
	ui_repeat(by + bh - 1, bx, 1, SLOT_BORDER, ui_glyph(UG_BL));
	ui_repeat(by + bh - 1, bx + bw - 1, 1, SLOT_BORDER, ui_glyph(UG_BR));
	for (i = 1; i < bh - 1; i++) {
		ui_repeat(by + i, bx, 1, SLOT_BORDER, ui_glyph(UG_VLINE));
		ui_fill(by + i, bx + 1, bw - 2, SLOT_HELP_TEXT);
		ui_repeat(by + i, bx + bw - 1, 1, SLOT_BORDER, ui_glyph(UG_VLINE));
	}
	ui_text(by, bx + 2, bw - 4, SLOT_SECTION, h->title);
	if ((int)h->n > rows) {
		char pos[32];

		snprintf(pos, sizeof pos, " %zu/%zu ", h->list.sel + 1, h->n);
		ui_text(by + bh - 1, bx + bw - 2 - (int)strlen(pos), (int)strlen(pos), SLOT_BORDER, pos);
	}
	for (i = 0; i < rows; i++) {
		r = h->list.top + (size_t)i;
		if (r >= h->n)
			break;
		if (h->lines[r].title)
			ui_text(by + 1 + i, bx + 2, bw - 4, SLOT_SECTION, h->lines[r].text);
		else if (h->lines[r].keys != NULL) {
			ui_text(by + 1 + i, bx + 2, kw, SLOT_HELP_KEY, h->lines[r].keys);
			ui_text(by + 1 + i, bx + 2 + kw, bw - 4 - kw, SLOT_HELP_TEXT, h->lines[r].text);
		} else
			ui_text(by + 1 + i, bx + 2, bw - 4, SLOT_HELP_TEXT, h->lines[r].text);
		if (r == h->list.sel && (int)h->n > rows)
			ui_restyle(by + 1 + i, bx + 1, bw - 2, SLOT_CURSOR_DIM);
	}
}

static int
help_action(struct view *v, enum action act, int key)
{
	struct help *h = v->priv;

	(void)key;
	if (act == ACT_ENTER || act == ACT_HELP) {
		app_pop(v->app);
		return 1;
	}
	return vlist_action(&h->list, act);
}

static int
help_search(struct view *v, const char *text, int dir, int skip)
{
	struct help *h = v->priv;

	return vlist_search(&h->list, text, dir, skip);
}

static void
help_done(struct view *v)
{
	struct help *h = v->priv;
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->lines[i].keys);
		free(h->lines[i].text);
	}
	free(h->lines);
}

static const char *
help_crumb(struct view *v, char *buf, size_t len)
{
	struct help *h = v->priv;

	snprintf(buf, len, "%s", h->title);
	return buf;
}

static const struct keybind help_keys[] = {
	{ '?', ACT_HELP },
	{ 0, ACT_NONE }
};

const struct view_ops view_help_ops = {
	.name = "help",
	.title = "Help",
	.priv_size = sizeof(struct help),
	.keys = help_keys,
	.list = 1,
	.overlay = 1,
	.open = help_open,
	.draw = help_draw,
	.action = help_action,
	.done = help_done,
	.search = help_search,
	.crumb = help_crumb,
	.hints = "Esc or ? closes  j k move  / search",
};

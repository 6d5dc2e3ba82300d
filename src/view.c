/* view.c - actions, key tables and the generic scrolling list. */
#include "config.h"

#include "xraytop/view.h"

#include <ctype.h>
#include <string.h>

static const char *const action_names[ACT_COUNT] = {
#define VIEW_ACTION_NAME(id, name, help) name,
	VIEW_ACTIONS(VIEW_ACTION_NAME)
#undef VIEW_ACTION_NAME
};

static const char *const action_helps[ACT_COUNT] = {
#define VIEW_ACTION_HELP(id, name, help) help,
	VIEW_ACTIONS(VIEW_ACTION_HELP)
#undef VIEW_ACTION_HELP
};

/* Movement, the same in every list. */
const struct keybind view_list_keys[] = {
	{ UK_UP, ACT_UP }, { 'k', ACT_UP },
	{ UK_DOWN, ACT_DOWN }, { 'j', ACT_DOWN },
	{ UK_PGUP, ACT_PAGE_UP }, { UK_CTRL('b'), ACT_PAGE_UP },
	{ UK_PGDN, ACT_PAGE_DOWN }, { UK_CTRL('f'), ACT_PAGE_DOWN }, { ' ', ACT_PAGE_DOWN },
	{ UK_CTRL('u'), ACT_HALF_UP }, { UK_CTRL('d'), ACT_HALF_DOWN },
	{ UK_HOME, ACT_TOP }, { 'g', ACT_TOP },
	{ UK_END, ACT_BOTTOM }, { 'G', ACT_BOTTOM },
	{ UK_ENTER, ACT_ENTER },
	{ 0, ACT_NONE }
};

/* The app's own keys, after the view's and the list's. */
const struct keybind app_global_keys[] = {
	{ 'q', ACT_QUIT },
	{ UK_CTRL('c'), ACT_QUIT_NOW },
	{ UK_ESC, ACT_BACK },
	{ '?', ACT_HELP }, { UK_F1, ACT_HELP },
	{ ':', ACT_COMMAND },
	{ '/', ACT_SEARCH },
	{ 'n', ACT_SEARCH_NEXT },
	{ 'N', ACT_SEARCH_PREV },
	{ 'p', ACT_PAUSE },
	{ 'y', ACT_COPY },
	{ 'Z', ACT_TIME_ZONE },
	{ UK_CTRL('l'), ACT_REDRAW },
	{ 'R', ACT_REFRESH },
	{ UK_CTRL('z'), ACT_SUSPEND },
	{ '1', ACT_VIEW_MAP },
	{ '2', ACT_VIEW_TRACES },
	{ '3', ACT_VIEW_GROUPS },
	{ '4', ACT_VIEW_SAMPLING },
	{ 0, ACT_NONE }
};

const char *
action_name(enum action a)
{
	return (int)a >= 0 && a < ACT_COUNT ? action_names[a] : "?";
}

const char *
action_help(enum action a)
{
	return (int)a >= 0 && a < ACT_COUNT ? action_helps[a] : "";
}

int
action_find(const char *name)
{
	int i;

	for (i = 0; i < ACT_COUNT; i++)
		if (strcmp(name, action_names[i]) == 0)
			return i;
	return -1;
}

enum action
keymap_lookup(const struct keybind *table, int key)
{
	if (table == NULL)
		return ACT_NONE;
	for (; table->key != 0 || table->act != ACT_NONE; table++)
		if (table->key == key)
			return table->act;
	return ACT_NONE;
}

/* ------------------------------------------------------------ the list */

void
vlist_set(struct vlist *l, size_t n)
{
	l->n = n;
	if (n == 0) {
		l->sel = l->top = 0;
		return;
	}
	if (l->sel >= n)
		l->sel = n - 1;
	if (l->top > l->sel)
		l->top = l->sel;
}

void
vlist_scroll(struct vlist *l, int height)
{
	size_t h = height > 0 ? (size_t)height : 1;

	l->height = height;
	if (l->n == 0) {
		l->top = l->sel = 0;
		return;
	}
	if (l->sel < l->top)
		l->top = l->sel;
	else if (l->sel >= l->top + h)
		l->top = l->sel - h + 1;
	/* No blank rows below the end when rows could fill them. */
	if (l->top + h > l->n)
		l->top = l->n > h ? l->n - h : 0;
}

void
vlist_select(struct vlist *l, size_t i)
{
	if (l->n == 0)
		return;
	l->sel = i < l->n ? i : l->n - 1;
	vlist_scroll(l, l->height);
}

int
vlist_action(struct vlist *l, enum action act)
{
	size_t page = l->height > 1 ? (size_t)l->height - 1 : 1;
	size_t half = l->height > 2 ? (size_t)l->height / 2 : 1;

	switch (act) {
	case ACT_UP:
		if (l->sel > 0)
			l->sel--;
		break;
	case ACT_DOWN:
		if (l->sel + 1 < l->n)
			l->sel++;
		break;
	case ACT_PAGE_UP:
		l->sel = l->sel > page ? l->sel - page : 0;
		l->top = l->top > page ? l->top - page : 0;
		break;
	case ACT_PAGE_DOWN:
		l->sel += page;
		l->top += page;
		break;
	case ACT_HALF_UP:
		l->sel = l->sel > half ? l->sel - half : 0;
		break;
	case ACT_HALF_DOWN:
		l->sel += half;
		break;
	case ACT_TOP:
		l->sel = 0;
		break;
	case ACT_BOTTOM:
		l->sel = l->n > 0 ? l->n - 1 : 0;
		break;
	default:
		return 0;
	}
	if (l->n == 0)
		l->sel = 0;
	else if (l->sel >= l->n)
		l->sel = l->n - 1;
	vlist_scroll(l, l->height);
	return 1;
}

int
view_match(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (hay == NULL)
		return 0;
	if (n == 0)
		return 1;
	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n && hay[i] != '\0'; i++)
			if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return 0;
}

int
vlist_search(struct vlist *l, const char *text, int dir, int skip_current)
{
	char buf[2048];
	size_t k, i;

	if (l->n == 0 || l->row_text == NULL || text == NULL || *text == '\0')
		return 0;
	for (k = skip_current ? 1 : 0; k <= l->n; k++) {
		if (dir >= 0)
			i = (l->sel + k) % l->n;
		else
			i = (l->sel + l->n * 2 - k) % l->n;
		if (k == l->n && skip_current == 0)
			break;
		if (view_match(l->row_text(l->ctx, i, buf, sizeof buf), text)) {
			vlist_select(l, i);
			return 1;
		}
	}
	return 0;
}

/* view.h - what every view provides, the actions keys are bound to, and a
 * generic scrolling list with search.
 *
 * A view is one screen of the TUI (map, traces, timeline, groups, sampling
 * rules, help).  The app keeps a stack of them: Enter opens a new one on
 * top, Esc pops back.  Each view file ends with its `const struct view_ops`
 * table.  Keys are never handled raw: a key table (struct keybind) turns a
 * key into an action, first the view's own table, then the list table
 * (movement), then the app's global one; the help overlay is printed from
 * those same tables, so it cannot disagree with what the keys do.
 *
 * Ownership: the app allocates a view with ops->priv_size zeroed bytes of
 * private state (v->priv), calls open, and at the end done (which frees
 * what open allocated, not priv itself).
 */
#ifndef XRAYTOP_VIEW_H
#define XRAYTOP_VIEW_H

#include <stddef.h>

#include "xraytop/ui.h"

struct app;

/* X(ID, "name", "what it does"): every action, declared once. */
#define VIEW_ACTIONS(X) \
	X(NONE,          "none",          "") \
	X(QUIT,          "quit",          "quit (from the first view; else back)") \
	X(QUIT_NOW,      "quit-now",      "quit at once") \
	X(BACK,          "back",          "go back to the previous view") \
	X(HELP,          "help",          "show the keys of this view") \
	X(COMMAND,       "command",       "type a command (:trace ID, :since 30m, :q ...)") \
	X(SEARCH,        "search",        "search the rows") \
	X(SEARCH_NEXT,   "search-next",   "next match") \
	X(SEARCH_PREV,   "search-prev",   "previous match") \
	X(PAUSE,         "pause",         "pause or resume live updates") \
	X(COPY,          "copy",          "copy the trace id, or the filter (OSC 52)") \
	X(TIME_ZONE,     "time-zone",     "show times in UTC or local time") \
	X(REDRAW,        "redraw",        "redraw the whole screen") \
	X(REFRESH,       "refresh",       "fetch again now (AWS)") \
	X(SUSPEND,       "suspend",       "suspend xraytop (fg to come back)") \
	X(VIEW_MAP,      "view-map",      "the service map") \
	X(VIEW_TRACES,   "view-traces",   "the trace list") \
	X(VIEW_GROUPS,   "view-groups",   "the groups") \
	X(VIEW_SAMPLING, "view-sampling", "the sampling rules") \
	X(UP,            "up",            "move up") \
	X(DOWN,          "down",          "move down") \
	X(LEFT,          "left",          "move left") \
	X(RIGHT,         "right",         "move right") \
	X(PAGE_UP,       "page-up",       "one page up") \
	X(PAGE_DOWN,     "page-down",     "one page down") \
	X(HALF_UP,       "half-up",       "half a page up") \
	X(HALF_DOWN,     "half-down",     "half a page down") \
	X(TOP,           "top",           "the first row") \
	X(BOTTOM,        "bottom",        "the last row") \
	X(ENTER,         "enter",         "open the selection") \
	X(FILTER,        "filter",        "filter with an X-Ray filter expression") \
	X(FILTER_CLEAR,  "filter-clear",  "clear the filter") \
	X(SORT_NEXT,     "sort-next",     "sort by the next column") \
	X(SORT_PREV,     "sort-prev",     "sort by the previous column") \
	X(SORT_REVERSE,  "sort-reverse",  "reverse the sort order") \
	X(GROUP,         "group",         "pick a group") \
	X(WINDOW,        "window",        "set the time window") \
	X(TOGGLE,        "toggle",        "collapse or expand") \
	X(COLLAPSE,      "collapse",      "collapse, or go to the parent") \
	X(EXPAND,        "expand",        "expand") \
	X(COLLAPSE_ALL,  "collapse-all",  "collapse everything") \
	X(EXPAND_ALL,    "expand-all",    "expand everything") \
	X(NEXT_ERROR,    "next-error",    "next error, fault or throttle") \
	X(PREV_ERROR,    "prev-error",    "previous error, fault or throttle") \
	X(NEXT_SLOW,     "next-slowest",  "next slowest entity") \
	X(PREV_SLOW,     "prev-slowest",  "previous slowest entity") \
	X(NEXT_CRITICAL, "next-critical", "next entity on the critical path") \
	X(FOCUS,         "focus",         "move between the list and the details") \
	X(RAW,           "raw",           "raw JSON of the document in $PAGER") \
	X(DETAILS,       "details",       "show or hide the details") \
	X(NEXT,          "next",          "select the next node or edge") \
	X(PREV,          "prev",          "select the previous node or edge") \
	X(PAN_LEFT,      "pan-left",      "move the map right (see what is left)") \
	X(PAN_RIGHT,     "pan-right",     "move the map left (see what is right)") \
	X(PAN_UP,        "pan-up",        "move the map down (see what is above)") \
	X(PAN_DOWN,      "pan-down",      "move the map up (see what is below)") \
	X(FIT,           "fit",           "fit the map to the screen") \
	X(DETAIL,        "detail",        "less detail in the boxes (cycles)") \
	X(FOCUS_NODE,    "focus-node",    "show only the selection and its neighbours (again: all)") \
	X(DEPTH_MORE,    "depth-more",    "focus: one more level of neighbours") \
	X(DEPTH_LESS,    "depth-less",    "focus: one level less") \
	X(HIDE_CLIENTS,  "hide-clients",  "hide or show the client node") \
	X(HIDE_INFERRED, "hide-inferred", "inferred nodes (AWS, SQL, remote): shown, collapsed, hidden") \
	X(TRACES_ALL,    "traces-all",    "the traces through the selection") \
	X(TRACES_FAULT,  "traces-fault",  "... those with a fault (5xx)") \
	X(TRACES_ERROR,  "traces-error",  "... those with an error (4xx)") \
	X(TRACES_SLOW,   "traces-slow",   "... those in the picked latency range") \
	X(RANGE_LOW_DOWN,  "range-low-down",  "histogram: low mark left") \
	X(RANGE_LOW_UP,    "range-low-up",    "histogram: low mark right") \
	X(RANGE_HIGH_DOWN, "range-high-down", "histogram: high mark left") \
	X(RANGE_HIGH_UP,   "range-high-up",   "histogram: high mark right") \
	X(RANGE_CLEAR,   "range-clear",   "histogram: forget the latency range") \
	X(HIST_ZOOM,     "hist-zoom",     "histogram: zoom into the range (again: out)")

enum action {
#define VIEW_ACTION_ENUM(id, name, help) ACT_##id,
	VIEW_ACTIONS(VIEW_ACTION_ENUM)
#undef VIEW_ACTION_ENUM
	ACT_COUNT
};

const char *action_name(enum action a);
const char *action_help(enum action a);
/* The action of a name, or -1. */
int action_find(const char *name);

/* One key bound to an action; tables end with { 0, ACT_NONE }. */
struct keybind {
	int		 key;
	enum action	 act;
};

/* The action key is bound to in table, or ACT_NONE. */
enum action keymap_lookup(const struct keybind *table, int key);

struct view;

struct view_ops {
	const char	*name;         /* "traces" */
	const char	*title;        /* "Traces", for the help overlay */
	size_t		 priv_size;
	const struct keybind *keys;   /* the view's own bindings, NULL for none */
	int		 list;          /* 1: the list movement keys apply */
	int		 overlay;       /* drawn over the view below it (help) */
	/* Set up from arg (view-specific); -1 when it cannot open (the view
	 * has put a message with app_message). */
	int		(*open)(struct view *v, const void *arg);
	/* Draw in the rectangle rows y..y+h-1, columns x..x+w-1. */
	void		(*draw)(struct view *v, int y, int x, int h, int w);
	/* Do act (key is what was typed); 1 when handled, 0 to pass it on. */
	int		(*action)(struct view *v, enum action act, int key);
	void		(*done)(struct view *v);
	/* The model changed (new data, a new window or group). */
	void		(*data_changed)(struct view *v);
	/* The selection moved (the list calls it). */
	void		(*select)(struct view *v);
	/* Rows matching text from the selection on in direction dir (1, -1);
	 * 1 when one was found and selected. */
	int		(*search)(struct view *v, const char *text, int dir, int skip_current);
	/* Text for `y` (a trace id, a filter), or NULL when nothing. */
	const char	*(*copy)(struct view *v, char *buf, size_t len);
	/* The view's part of the breadcrumb ("edge a→b"), into buf. */
	const char	*(*crumb)(struct view *v, char *buf, size_t len);
	/* A click or the wheel at (y, x) inside the view's rectangle. */
	void		(*mouse)(struct view *v, int y, int x, enum ui_button b);
	/* A one-line key hint for the bottom line. */
	const char	*hints;
};

struct view {
	const struct view_ops *ops;
	struct app	*app;
	void		*priv;
	int		 y, x, h, w;    /* where it was drawn last */
};

/* ------------------------------------------------------------ the list */

/* Selection and scrolling of a list of n rows, shown height rows at a
 * time; row_text gives the text searched for row i. */
struct vlist {
	size_t		 n;
	size_t		 sel;
	size_t		 top;
	int		 height;
	const char	*(*row_text)(void *ctx, size_t i, char *buf, size_t len);
	void		*ctx;
};

/* New row count; the selection and the top stay in range. */
void vlist_set(struct vlist *l, size_t n);
/* Movement actions (up, down, pages, top, bottom); 1 when act is one. */
int vlist_action(struct vlist *l, enum action act);
/* Make the selection visible in height rows. */
void vlist_scroll(struct vlist *l, int height);
/* Select row i (clamped) and make it visible. */
void vlist_select(struct vlist *l, size_t i);
/* Find text (case-insensitive) from the selection in direction dir;
 * skip_current starts at the next row.  1 and selected when found. */
int vlist_search(struct vlist *l, const char *text, int dir, int skip_current);
/* Case-insensitive substring test. */
int view_match(const char *hay, const char *needle);

/* The keys of the list (movement), and the app's global ones. */
extern const struct keybind view_list_keys[];
extern const struct keybind app_global_keys[];

/* Give a trace list a new filter expression (NULL or "": every trace). */
void view_traces_set_filter(struct view *v, const char *filter);

/* The views. */
extern const struct view_ops view_map_ops;
extern const struct view_ops view_traces_ops;
extern const struct view_ops view_timeline_ops;
extern const struct view_ops view_groups_ops;
extern const struct view_ops view_sampling_ops;
extern const struct view_ops view_help_ops;

#endif

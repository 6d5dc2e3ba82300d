/* theme.h - semantic colour slots and the themes that style them.
 *
 * Everything xraytop draws names a slot (what the thing is: a fault, the
 * status bar, a selected map node), never a colour.  A theme gives each
 * slot a foreground, a background and attributes.  Themes are text, one
 * command per line, '#' starts a comment:
 *
 *     color SLOT FG BG [ATTR...]
 *
 * SLOT is a slot name below (dashes or underscores); FG and BG are
 * "default", a colour name (black red green yellow blue magenta cyan
 * white, "bright-" of each), or a number 0-255; ATTR is bold, dim,
 * underline, reverse, italic, blink, standout or normal.  The built-in
 * themes (dark, the default; light; mono, attributes only) are the files
 * themes/NAME.theme, compiled in.  NO_COLOR (set to anything) selects mono
 * unless a theme is chosen explicitly.
 *
 * This module is pure: no curses.  ui.c turns styles into colour pairs.
 */
#ifndef XRAYTOP_THEME_H
#define XRAYTOP_THEME_H

#include <stddef.h>

/* X(ID, "name"): every slot, declared once. */
#define THEME_SLOTS(X) \
	X(DEFAULT,        "default")        /* everything else */ \
	X(TITLE,          "title")          /* the breadcrumb line */ \
	X(TITLE_DIM,      "title-dim")      /* breadcrumb separators, right side */ \
	X(STATUS,         "status")         /* the status bar */ \
	X(STATUS_KEY,     "status-key")     /* labels inside the status bar */ \
	X(STATUS_ALERT,   "status-alert")   /* PAUSED, dropped datagrams */ \
	X(MESSAGE,        "message")        /* the message line */ \
	X(WARNING,        "warning")        /* errors shown on the message line */ \
	X(HINT,           "hint")           /* key hints */ \
	X(HEADER,         "header")         /* column headers */ \
	X(HEADER_SORT,    "header-sort")    /* the column sorted on */ \
	X(CURSOR,         "cursor")         /* the selected row */ \
	X(CURSOR_DIM,     "cursor-dim")     /* the selected row of an unfocused pane */ \
	X(SEARCH,         "search")         /* text matching the search */ \
	X(DIM,            "dim")            /* secondary text */ \
	X(OK,             "ok")             /* 2xx, healthy */ \
	X(ERROR,          "error")          /* 4xx */ \
	X(FAULT,          "fault")          /* 5xx */ \
	X(THROTTLE,       "throttle")       /* 429 */ \
	X(PARTIAL,        "partial")        /* in progress */ \
	X(ID,             "id")             /* trace and segment ids */ \
	X(NUMBER,         "number")         /* latencies, counts */ \
	X(SECTION,        "section")        /* detail section titles */ \
	X(KEY,            "key")            /* detail keys, help keys */ \
	X(VALUE,          "value")          /* detail values */ \
	X(TREE,           "tree")           /* tree guides */ \
	X(BAR,            "bar")            /* timeline bars */ \
	X(BAR_CRITICAL,   "bar-critical")   /* bars on the critical path */ \
	X(BAR_ERROR,      "bar-error")      /* bars of entities with an error or fault */ \
	X(CRITICAL,       "critical")       /* the critical-path mark */ \
	X(HIDDEN,         "hidden")         /* "+N hidden" */ \
	X(HIST,           "hist")           /* histogram bars */ \
	X(HIST_RANGE,     "hist-range")     /* the picked latency range */ \
	X(HIST_MARKER,    "hist-marker")    /* percentile marks on the histogram */ \
	X(HIST_AXIS,      "hist-axis")      /* the histogram's axis and scale */ \
	X(PROMPT,         "prompt")         /* the input line */ \
	X(PROMPT_ERROR,   "prompt-error")   /* where the input is wrong */ \
	X(MAP_NODE,       "map-node")       /* text inside a node box */ \
	X(MAP_NODE_NAME,  "map-node-name")  /* a node's name */ \
	X(MAP_NODE_OK,    "map-node-ok")    /* box of a node whose requests were ok */ \
	X(MAP_NODE_ERROR, "map-node-error") /* ... with errors (4xx) */ \
	X(MAP_NODE_FAULT, "map-node-fault") /* ... with faults (5xx) */ \
	X(MAP_NODE_THROTTLE, "map-node-throttle") /* ... throttled (429) */ \
	X(MAP_NODE_IDLE,  "map-node-idle")  /* ... without requests */ \
	X(MAP_NODE_CLIENT, "map-node-client") /* the client node */ \
	X(MAP_NODE_INFERRED, "map-node-inferred") /* AWS resources, databases, remote */ \
	X(MAP_SELECTED,   "map-selected")   /* the selected node */ \
	X(MAP_EDGE,       "map-edge")       /* edge lines and arrowheads */ \
	X(MAP_EDGE_SELECTED, "map-edge-selected") /* the selected edge */ \
	X(MAP_LABEL,      "map-label")      /* edge labels */ \
	X(HELP_KEY,       "help-key") \
	X(HELP_TEXT,      "help-text") \
	X(BORDER,         "border")         /* pane borders, overlay frames */

enum theme_slot {
#define THEME_ENUM(id, name) SLOT_##id,
	THEME_SLOTS(THEME_ENUM)
#undef THEME_ENUM
	SLOT_COUNT
};

#define THEME_COLOR_DEFAULT  (-1)

/* Attributes (ui.c maps them to curses). */
#define THEME_BOLD       0x01u
#define THEME_DIM        0x02u
#define THEME_UNDERLINE  0x04u
#define THEME_REVERSE    0x08u
#define THEME_ITALIC     0x10u
#define THEME_BLINK      0x20u
#define THEME_STANDOUT   0x40u

struct theme_style {
	short		 fg;       /* 0-255, or THEME_COLOR_DEFAULT */
	short		 bg;
	unsigned	 attrs;    /* THEME_* */
	int		 set;      /* given by the theme */
};

struct theme {
	char		 name[64];
	struct theme_style style[SLOT_COUNT];
};

/* "map-node-fault" for SLOT_MAP_NODE_FAULT. */
const char *theme_slot_name(enum theme_slot slot);
/* The slot of a name (dashes or underscores, any case), or -1. */
int theme_slot_find(const char *name);

/* Every slot default on default, no attributes, not set. */
void theme_init(struct theme *th, const char *name);
/* Apply lines of theme text; where names the text in errors ("FILE").
 * Returns 0, or -1 with "WHERE:LINE: reason" in a heap string in *cause
 * (the lines before the bad one stay applied). */
int theme_parse(struct theme *th, const char *text, const char *where, char **cause);
/* One "color ..." line; -1 with a reason in err. */
int theme_parse_line(struct theme *th, const char *line, char *err, size_t errlen);
/* A built-in theme by name (dark, light, mono); -1 when there is none. */
int theme_builtin(struct theme *th, const char *name);
/* The text of a built-in theme, or NULL. */
const char *theme_builtin_text(const char *name);
/* Names of the built-in themes, NULL-terminated. */
const char *const *theme_builtin_names(void);
/* A built-in theme by name, or else a theme file; -1 with *cause. */
int theme_load(struct theme *th, const char *name_or_path, char **cause);
/* Nonzero when the theme uses any colour. */
int theme_has_colors(const struct theme *th);

#endif

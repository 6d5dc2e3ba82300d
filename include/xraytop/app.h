/* app.h - the interactive program: sources, data, the view stack, the
 * status bar, commands, and the loop that drives them.
 *
 * app_main parses the TUI's command line (xraytop [OPTIONS] [FILE...]) and
 * runs it.  The app owns the data the views read (struct app_data: the
 * trace store, the service map, one summary per trace), the stack of views
 * (the first one is the map, or the trace list), a prompt for `:` commands,
 * searches and filters, and the chrome: a breadcrumb on the first row, a
 * status bar and a message/hint line at the bottom.
 *
 * Everything runs on one thread, in the loop of loop.h: the terminal's
 * descriptor, SIGWINCH, timers, and the sources.  Files are read by a
 * worker thread into a new store and map, which replace the old ones in
 * one step when reading is done (views never see half-built data); live
 * sources change the data in place, and the app redraws at most every
 * APP_REDRAW_DELAY seconds for them.  A frame is only drawn when something
 * changed, and curses sends only the cells that differ.
 *
 * Headless mode (XRAYTOP_NO_DISPLAY=1) draws on a virtual screen of
 * LINES x COLUMNS; XRAYTOP_SCRIPT=FILE then supplies the input: one step
 * per line, either `:command ARGS` or keys ("j", "<Down>", "<Enter>",
 * "<C-c>"; several on a line), '#' comments; the run waits for data to be
 * loaded before the first step and ends after the last one.
 * XRAYTOP_NOW=EPOCH fixes the clock (ages in the status bar) and
 * XRAYTOP_BENCH=FILE records how long each scripted key took, from the key
 * to the frame sent ("key NAME SECONDS" lines).
 */
#ifndef XRAYTOP_APP_H
#define XRAYTOP_APP_H

#include <stddef.h>
#include <stdint.h>

struct app;
struct store;
struct svcmap;
struct trace;
struct trace_summary;
struct view_ops;
struct view;
struct xray_group;
struct sampling_rule;

#define APP_REDRAW_DELAY  0.2   /* seconds between frames for live data */
#define APP_MIN_COLS      40    /* smaller terminals get a message instead */
#define APP_MIN_LINES     10

/* What the views read.  Replaced as a whole when files finish loading;
 * changed in place by live sources (generation counts the changes). */
struct app_data {
	struct store	*store;
	struct svcmap	*map;            /* every document loaded */
	struct trace_summary *sums;      /* one per trace with documents */
	size_t		 nsums;
	double		 first, last;     /* earliest start and latest end in the data */
	uint64_t	 generation;
	uint64_t	 documents;       /* documents taken in */
	uint64_t	 bad;             /* lines or documents that could not be used */
	int		 raw;             /* documents keep their JSON text */
	const struct xray_group *groups; /* from the source (NULL: none) */
	size_t		 ngroups;
	const struct sampling_rule *rules;
	size_t		 nrules;
};

/* Run the TUI with argv (argv[0] is the program); returns the exit status. */
int app_main(int argc, char **argv);

const struct app_data *app_data(struct app *app);
/* The map of the current time window and group: the whole map when neither
 * narrows it, else one built from the traces that fall in both. */
struct svcmap *app_map(struct app *app);
/* The time window: [from, to) in epoch seconds; to is 0 for "up to now";
 * returns 0 when there is no window (everything). */
int app_window(struct app *app, double *from, double *to);
/* Whether a trace summary is in the window and the group. */
int app_in_scope(struct app *app, const struct trace_summary *s);
/* The active group's name, or NULL. */
const char *app_group(struct app *app);
int app_utc(struct app *app);
/* The clock (XRAYTOP_NOW when set). */
double app_now(struct app *app);

/* Open a view on top of the stack; arg is passed to its open.  Returns the
 * view, or NULL when it could not open (its message is shown). */
struct view *app_push(struct app *app, const struct view_ops *ops, const void *arg);
/* Close the top view (never the first one). */
void app_pop(struct app *app);
/* The view of the trace list, opened with this filter expression (NULL or
 * "" for every trace) and a caption for the breadcrumb. */
struct view *app_open_traces(struct app *app, const char *filter, const char *caption);
/* The timeline of one trace (an id as X-Ray writes it, or 32 hex digits). */
struct view *app_open_trace(struct app *app, const char *id);

/* A message on the bottom line until the next key. */
void app_message(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_error(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Something on screen changed: draw a frame soon. */
void app_dirty(struct app *app);
/* Run a program on a file with the terminal given back to it meanwhile
 * ($PAGER and the like): sh -c 'CMD "$1"' with FILE as $1. */
int app_run_program(struct app *app, const char *cmd, const char *file);
/* Check a filter expression (filter.h, groups bound to the source's); 0,
 * or -1 with a message, the byte where it is wrong and how many characters
 * to underline (pos and width may be NULL). */
int app_filter_check(struct app *app, const char *expr, char *err, size_t errlen, long *pos,
    int *width);
/* Whether a trace matches a filter expression already checked; summaries
 * are enough for many expressions, the trace is used when given. */
int app_filter_match(struct app *app, const char *expr, const struct trace_summary *s,
    const struct trace *t);

#endif

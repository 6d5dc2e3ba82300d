/* app-private.h - the app's state, shared by app.c (stack, drawing, keys),
 * app-data.c (sources and data) and app-cmd.c (`:` commands, the script).
 * Nothing outside these files includes it.
 */
#ifndef XRAYTOP_APP_PRIVATE_H
#define XRAYTOP_APP_PRIVATE_H

#include <stdint.h>
#include <stdio.h>

#include "xraytop/app.h"
#include "xraytop/prompt.h"
#include "xraytop/theme.h"
#include "xraytop/ui.h"
#include "xraytop/view.h"

#define APP_STACK 16

enum app_source { SOURCE_NONE, SOURCE_FILES, SOURCE_DEMO, SOURCE_LIVE, SOURCE_AWS };

enum prompt_kind { PK_NONE, PK_COMMAND, PK_SEARCH, PK_FILTER, PK_WINDOW };

struct app_load;
struct app_live;
struct app_aws;
struct config;
struct xray_group;
struct trace_summary;
struct arena;

/* A key bound in the configuration file ([keys] or [keys VIEW]). */
struct user_key {
	char		 view[32];       /* "" for every view */
	int		 key;
	enum action	 act;
};

struct app_opts {
	enum app_source	 source;
	char		**files;
	size_t		 nfiles;
	const char	*listen;         /* live: [ADDR:]PORT */
	const char	*forward;        /* live: relay to this daemon */
	const char	*record;         /* live: append what arrives here */
	size_t		 max_traces;     /* live: traces held (0: 10000) */
	const char	*region;         /* AWS: --region, --profile, --endpoint-url */
	const char	*profile;
	const char	*endpoint;
	double		 refresh;        /* AWS: seconds between fetches (0: 60) */
	const char	*theme;          /* NULL: dark, or mono under NO_COLOR */
	const char	*view;           /* "map" or "traces" */
	const char	*log_path;
	const char	*filter;         /* initial filter of the trace list */
	const char	*since;          /* initial window */
	int		 utc;
	int		 utc_set;        /* --utc or --local given */
	int		 mouse;
	int		 mouse_set;      /* --no-mouse given */
	int		 threads;
	int		 headless;
	const char	*script;
	const char	*bench;
};

struct app {
	struct loop	*lp;
	struct app_opts	 opts;
	struct theme	 theme;

	/* data */
	struct app_data	 data;
	struct arena	*sum_arena;
	enum app_source	 source;
	char		 source_label[256];
	struct app_load	*load;           /* files being read, or NULL */
	struct app_live	*live;           /* the live collector, or NULL */
	struct app_aws	*aws;            /* the AWS API, or NULL */
	char		**problems;      /* what the source could not use */
	size_t		 nproblems;
	int		 paused;
	uint64_t	 paused_new;     /* documents held back while paused */
	double		 data_time;      /* when the data last changed (app_now) */

	/* scope: window and group */
	const char	*pending_since;  /* --since for files, once they are read */
	int		 has_window;
	double		 win_from, win_to;
	double		 win_span;       /* live "last N": the window slides (0: fixed) */
	char		 win_label[64];
	char		*group;
	char		*group_filter;
	struct svcmap	*scoped;         /* the map of the scope, or NULL */
	uint64_t	 scoped_gen;
	unsigned	 scope_version;
	unsigned	 scoped_version;
	int		 utc;

	/* configuration */
	struct config	*config;
	struct user_key	*user_keys;
	size_t		 nuser_keys;
	struct xray_group *groups;       /* the file's groups, for local sources */
	size_t		 ngroups;
	int		 config_problems;

	/* views */
	struct view	*stack[APP_STACK];
	int		 depth;

	/* prompt and messages */
	enum prompt_kind pkind;
	struct prompt	 prompt;
	struct prompt_history hist_command, hist_search, hist_filter;
	char		 search[PROMPT_MAX];
	char		 msg[512];
	int		 msg_error;

	/* the frame */
	int		 dirty;
	uint64_t	 redraw_timer;
	uint64_t	 tick_timer;
	int		 quit;
	int		 status;

	/* script and bench */
	char		**steps;
	size_t		 nsteps;
	size_t		 step;
	size_t		 script_line;
	int		 script_errors;
	uint64_t	 script_timer;
	FILE		*bench;
	double		 fixed_now;
	uint64_t	 wait_docs;      /* :wait-data: the script waits for this many */
	double		 wait_until;
};

/* app.c */
void app_draw(struct app *app);
void app_key(struct app *app, int key);
void app_data_changed(struct app *app);
void app_prompt_start(struct app *app, enum prompt_kind kind, const char *text);
void app_reset_stack(struct app *app, const struct view_ops *second);
struct view *app_top(struct app *app);


/* app-data.c */
int app_source_start(struct app *app, char *err, size_t errlen);
void app_source_stop(struct app *app);
void app_data_free(struct app_data *d, struct arena *a);
void app_set_window(struct app *app, int has, double from, double to, const char *label);
/* A window of the last span seconds that follows the clock (live sources). */
void app_set_sliding_window(struct app *app, double span, const char *label);
int app_set_group(struct app *app, const char *name, char *err, size_t errlen);
void app_pause(struct app *app, int paused);
const char *app_demo_path(void);
/* A deep copy of s into d, its strings in a. */
/* Documents read so far while files load, or -1 when not loading. */
long long app_loading(struct app *app);
/* Forget the compiled filters (at exit). */
void app_filters_free(void);
/* Live data: summaries and generation brought up to date before a frame;
 * 1 when anything changed. */
int app_live_refresh(struct app *app);
/* A frame soon, at most every APP_REDRAW_DELAY (app.c). */
void app_dirty_later(struct app *app);
/* Documents the source has taken in so far (live: held back ones too). */
uint64_t app_documents_taken(struct app *app);
/* Live counters for the status bar: 0 when the source is not live. */
int app_live_counters(struct app *app, uint64_t *received, uint64_t *invalid, uint64_t *dropped);

/* view-map.c: lay the map out n times afresh, timings to the bench file. */
int view_map_bench_layout(struct app *app, int n);

/* app-aws.c */
/* Resolve region and credentials (blocking, before the loop runs); -1 with
 * a reason when AWS cannot be used. */
int app_aws_open(struct app *app, char *err, size_t errlen);
/* The first fetches: groups, sampling rules, the map and the list. */
int app_aws_start(struct app *app);
void app_aws_close(struct app *app);
/* Fetch again now (R, :refresh, after a pause). */
void app_aws_refresh(struct app *app);
/* The window or the group changed: fetch for the new one. */
void app_aws_scope_changed(struct app *app);
/* Fetch one trace in full and open its timeline when it is in. */
int app_aws_fetch_trace(struct app *app, const char *id);
/* Whether X-Ray says the trace id matches expr (asked once per expr; 0
 * until the answer is in, and the views are told when it is). */
int app_aws_filter_match(struct app *app, const char *expr, const char *id);
/* A fetch is under way. */
int app_aws_busy(struct app *app);
/* The fetch's progress for the status bar, or NULL. */
const char *app_aws_status(struct app *app, char *buf, size_t len);

/* app-config.c */
/* Read the configuration file into the options, key bindings and groups;
 * -1 when it had problems (collected in app->problems). */
int app_config_load(struct app *app);
/* Apply its [colors] to th. */
void app_config_colors(struct app *app, struct theme *th);
/* The action the user bound key to in view (or everywhere), or ACT_NONE. */
enum action app_user_key(struct app *app, const char *view, int key);
void app_config_free(struct app *app);

/* app-cmd.c */
int app_command(struct app *app, const char *line);
int app_script_load(struct app *app, const char *path, char *err, size_t errlen);
void app_script_schedule(struct app *app);
/* Parse "30m", "2h", "90s", "1d" into seconds; -1 when bad. */
double app_parse_span(const char *s);
/* Parse "2026-11-24T15:07:00", "2026-11-24 15:07", "15:07" (the data's
 * last day) or an epoch number, in UTC or local time; -1 when bad. */
double app_parse_time(struct app *app, const char *s);
int app_trace_id_normalize(const char *in, char *out, size_t outlen);

#endif

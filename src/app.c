/* app.c - the interactive program: the view stack, the chrome (breadcrumb,
 * status bar, message line), keys, and the loop that drives them. */
#include "config.h"

#include "app-private.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xraytop/config.h"
#include "xraytop/log.h"
#include "xraytop/loop.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

/* ------------------------------------------------------------ small things */

double
app_now(struct app *app)
{
	struct timespec ts;

	if (app->fixed_now > 0)
		return app->fixed_now;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

const struct app_data *
app_data(struct app *app)
{
	return &app->data;
}

int
app_utc(struct app *app)
{
	return app->utc;
}

static void
redraw_due(void *ctx)
{
	struct app *app = ctx;

	app->redraw_timer = 0;
	app->dirty = 1;
}

void
app_dirty(struct app *app)
{
	app->dirty = 1;
}

/* Live data changed: a frame soon, but not more often than the delay. */
void
app_dirty_later(struct app *app)
{
	if (app->redraw_timer == 0 && !app->dirty)
		app->redraw_timer = loop_add_timer(app->lp, APP_REDRAW_DELAY, redraw_due, app);
}

static void
set_message(struct app *app, int error, const char *fmt, va_list ap)
{
	vsnprintf(app->msg, sizeof app->msg, fmt, ap);
	app->msg_error = error;
	app->dirty = 1;
	if (error)
		log_info("message: %s", app->msg);
}

void
app_message(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(app, 0, fmt, ap);
	va_end(ap);
}

void
app_error(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(app, 1, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ the stack */

struct view *
app_top(struct app *app)
{
	return app->depth > 0 ? app->stack[app->depth - 1] : NULL;
}

static void
view_free(struct view *v)
{
	if (v->ops->done != NULL)
		v->ops->done(v);
	free(v->priv);
	free(v);
}

struct view *
app_push(struct app *app, const struct view_ops *ops, const void *arg)
{
	struct view *v;

	if (app->depth == APP_STACK) {
		/* Keep the first view; forget the oldest of the others. */
		view_free(app->stack[1]);
		memmove(app->stack + 1, app->stack + 2, (APP_STACK - 2) * sizeof app->stack[0]);
		app->depth--;
	}
	v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->app = app;
	v->priv = xcalloc(1, ops->priv_size > 0 ? ops->priv_size : 1);
	if (ops->open != NULL && ops->open(v, arg) != 0) {
		free(v->priv);
		free(v);
		app->dirty = 1;
		return NULL;
	}
	app->stack[app->depth++] = v;
	app->dirty = 1;
	return v;
}

void
app_pop(struct app *app)
{
	if (app->depth <= 1)
		return;
	view_free(app->stack[--app->depth]);
	app->dirty = 1;
}

/* Back to the first view, then second on top of it (NULL: nothing). */
void
app_reset_stack(struct app *app, const struct view_ops *second)
{
	while (app->depth > 1)
		app_pop(app);
	if (second != NULL && app->depth > 0 && app->stack[0]->ops != second)
		app_push(app, second, NULL);
}

void
app_data_changed(struct app *app)
{
	int i;

	for (i = 0; i < app->depth; i++)
		if (app->stack[i]->ops->data_changed != NULL)
			app->stack[i]->ops->data_changed(app->stack[i]);
	app->dirty = 1;
}

struct view *
app_open_traces(struct app *app, const char *filter, const char *caption)
{
	const char *arg[2] = { filter, caption };

	return app_push(app, &view_traces_ops, arg);
}

int
app_trace_id_normalize(const char *in, char *out, size_t outlen)
{
	size_t len, i;

	while (*in == ' ')
		in++;
	len = strcspn(in, " ");
	if (len == 32) {
		for (i = 0; i < 32; i++)
			if (!((in[i] >= '0' && in[i] <= '9') || (in[i] >= 'a' && in[i] <= 'f') ||
			    (in[i] >= 'A' && in[i] <= 'F')))
				break;
		if (i == 32) {
			snprintf(out, outlen, "1-%.8s-%.24s", in, in + 8);
			for (i = 0; out[i] != '\0'; i++)
				if (out[i] >= 'A' && out[i] <= 'F')
					out[i] = (char)(out[i] - 'A' + 'a');
			return 0;
		}
	}
	if (len == 0 || len >= outlen)
		return -1;
	for (i = 0; i < len; i++)
		if (!((in[i] >= '0' && in[i] <= '9') || (in[i] >= 'a' && in[i] <= 'f') ||
		    (in[i] >= 'A' && in[i] <= 'F') || in[i] == '-'))
			return -1;
	memcpy(out, in, len);
	out[len] = '\0';
	return 0;
}

struct view *
app_open_trace(struct app *app, const char *id)
{
	char norm[64];

	if (app_trace_id_normalize(id, norm, sizeof norm) != 0) {
		app_error(app, "'%.80s' is not a trace id (1-5759e988-bd862e3fe1be46a994272793)", id);
		return NULL;
	}
	if (store_find(app->data.store, norm) == NULL) {
		/* AWS: fetched, then opened when it is in. */
		if (app->aws != NULL && app_aws_fetch_trace(app, norm) == 0)
			return NULL;
		app_error(app, "no trace %s in the data%s", norm, app->data.nsums > 0 &&
		    app->source == SOURCE_FILES ? " (summaries alone do not hold its documents)" : "");
		return NULL;
	}
	return app_push(app, &view_timeline_ops, norm);
}

/* ------------------------------------------------------------ pager */

int
app_run_program(struct app *app, const char *cmd, const char *file)
{
	pid_t pid;
	int status = -1;
	struct sigaction ign, oldint, oldquit;

	ui_suspend();
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oldint);
	sigaction(SIGQUIT, &ign, &oldquit);
	pid = fork();
	if (pid == 0) {
		struct sigaction dfl;
		char *script = xasprintf("%s \"$1\"", cmd);

		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(SIGINT, &dfl, NULL);
		sigaction(SIGQUIT, &dfl, NULL);
		if (ui_headless()) {
			/* The screen is not a terminal: the program's output goes nowhere. */
			int fd = open("/dev/null", O_RDWR);

			if (fd >= 0) {
				dup2(fd, STDIN_FILENO);
				dup2(fd, STDOUT_FILENO);
			}
		}
		execl("/bin/sh", "sh", "-c", script, "sh", file, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &oldint, NULL);
	sigaction(SIGQUIT, &oldquit, NULL);
	ui_resume();
	app->dirty = 1;
	if (pid < 0) {
		app_error(app, "cannot start a process: %s", strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		app_error(app, "'%.60s' failed (status %d)", cmd,
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ drawing */

/* A piece of the status bar: label then value; returns the next column. */
static int
status_piece(int y, int x, int end, const char *label, const char *value, enum theme_slot vslot)
{
	if (x >= end)
		return x;
	if (label != NULL && *label != '\0') {
		x += ui_text(y, x, end - x, SLOT_STATUS_KEY, label);
		x += ui_text(y, x, end - x, SLOT_STATUS, " ");
	}
	x += ui_text(y, x, end - x, vslot, value);
	x += ui_text(y, x, end - x, SLOT_STATUS, "  ");
	return x;
}

/* The status bar, most urgent first (what does not fit is cut at the
 * right): source, pause, live counters, traces, data age, group, window,
 * time zone. */
static void
draw_status(struct app *app, int y, int w)
{
	char buf[256], t1[64], t2[64];
	uint64_t rcv, inv, drop;
	double age;
	long long loading;
	int x = 0;

	ui_fill(y, 0, w, SLOT_STATUS);
	x = status_piece(y, x + 1, w, NULL, app->source_label, SLOT_STATUS);
	if (app->paused) {
		snprintf(buf, sizeof buf, "PAUSED +%llu new", (unsigned long long)app->paused_new);
		x = status_piece(y, x, w, NULL, buf, SLOT_STATUS_ALERT);
	}
	if (app_live_counters(app, &rcv, &inv, &drop)) {
		snprintf(buf, sizeof buf, "%llu recv %llu invalid %llu dropped",
		    (unsigned long long)rcv, (unsigned long long)inv, (unsigned long long)drop);
		x = status_piece(y, x, w, NULL, buf, inv > 0 || drop > 0 ? SLOT_STATUS_ALERT : SLOT_STATUS);
	}
	loading = app_loading(app);
	if (loading >= 0)
		snprintf(buf, sizeof buf, "loading %lld", loading);
	else
		snprintf(buf, sizeof buf, "%zu", app->data.nsums);
	x = status_piece(y, x, w, "traces", buf, SLOT_STATUS);
	if (app_aws_status(app, buf, sizeof buf) != NULL)
		x = status_piece(y, x, w, NULL, buf, SLOT_STATUS);
	if (app->data.bad > 0) {
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)app->data.bad);
		x = status_piece(y, x, w, "bad", buf, SLOT_STATUS_ALERT);
	}
	if (loading < 0 && app->data.last > 0) {
		/* How old the newest data is; from AWS, how long since the fetch. */
		age = app_now(app) - (app->aws != NULL ? app->data_time : app->data.last);
		if (age < 1)
			snprintf(buf, sizeof buf, "<1s");
		else
			text_duration(age, buf, sizeof buf);
		x = status_piece(y, x, w, "age", buf, SLOT_STATUS);
	}
	x = status_piece(y, x, w, "group", app->group != NULL ? app->group : "Default", SLOT_STATUS);
	if (app->has_window) {
		if (app->win_label[0] != '\0')
			snprintf(buf, sizeof buf, "%s", app->win_label);
		else {
			/* "2026-11-24 15:07:10 - 15:07:12": the day once, no
			 * milliseconds when there are none. */
			double from, to;

			app_window(app, &from, &to);
			text_time(from, app->utc, t1, sizeof t1);
			if (app->win_to > 0)
				text_time(app->win_to, app->utc, t2, sizeof t2);
			else
				snprintf(t2, sizeof t2, "now");
			if (strlen(t1) == 23 && strcmp(t1 + 19, ".000") == 0)
				t1[19] = '\0';
			if (strlen(t2) == 23 && strcmp(t2 + 19, ".000") == 0)
				t2[19] = '\0';
			snprintf(buf, sizeof buf, "%s - %s", t1,
			    strncmp(t1, t2, 11) == 0 && strlen(t2) > 11 ? t2 + 11 : t2);
		}
	} else
		snprintf(buf, sizeof buf, "all");
	x = status_piece(y, x, w, "window", buf, SLOT_STATUS);
	status_piece(y, x, w, NULL, app->utc ? "UTC" : "local", SLOT_STATUS);
}

static void
draw_breadcrumb(struct app *app, int w)
{
	char buf[512];
	int x = 0, i;
	const char *sep = ui_glyph(UG_SEP);

	ui_fill(0, 0, w, SLOT_TITLE);
	x += ui_text(0, x, w - x, SLOT_TITLE, " xraytop");
	for (i = 0; i < app->depth && x < w; i++) {
		struct view *v = app->stack[i];
		const char *c;

		if (v->ops->overlay)
			continue;
		c = v->ops->crumb != NULL ? v->ops->crumb(v, buf, sizeof buf) : v->ops->name;
		x += ui_text(0, x, w - x, SLOT_TITLE_DIM, " ");
		x += ui_text(0, x, w - x, SLOT_TITLE_DIM, sep);
		x += ui_text(0, x, w - x, SLOT_TITLE_DIM, " ");
		x += ui_text(0, x, w - x, SLOT_TITLE, c);
	}
}

/* The bottom line: the prompt, else the message, else the key hints. */
static void
draw_bottom(struct app *app, int y, int w)
{
	struct view *v = app_top(app);

	ui_fill(y, 0, w, SLOT_DEFAULT);
	if (app->pkind != PK_NONE) {
		prompt_draw(&app->prompt, y, 0, w);
		return;
	}
	if (app->msg[0] != '\0') {
		ui_text(y, 0, w, app->msg_error ? SLOT_WARNING : SLOT_MESSAGE, app->msg);
		return;
	}
	if (v != NULL && v->ops->hints != NULL)
		ui_text(y, 0, w, SLOT_HINT, v->ops->hints);
}

/* Too small to be useful: say so, in as much room as there is. */
static void
draw_too_small(int lines, int cols)
{
	char msg[128], line[128];
	const char *p;
	int y = 0, n;

	snprintf(msg, sizeof msg, "xraytop needs %dx%d; this terminal is %dx%d", APP_MIN_COLS,
	    APP_MIN_LINES, cols, lines);
	for (p = msg; *p != '\0' && y < lines; y++) {
		n = (int)strlen(p);
		if (n > cols) {
			/* Break at the last space that fits. */
			for (n = cols; n > 0 && p[n] != ' '; n--)
				;
			if (n == 0)
				n = cols;
		}
		snprintf(line, sizeof line, "%.*s", n, p);
		ui_text(y, 0, cols, SLOT_WARNING, line);
		p += n;
		while (*p == ' ')
			p++;
	}
}

void
app_draw(struct app *app)
{
	int lines = ui_lines(), cols = ui_cols(), i, base;

	if (app_live_refresh(app))
		app_data_changed(app);
	app->dirty = 0;
	ui_erase();
	if (lines < APP_MIN_LINES || cols < APP_MIN_COLS) {
		draw_too_small(lines, cols);
		ui_update();
		return;
	}
	draw_breadcrumb(app, cols);
	/* The top view, and the views under an overlay. */
	for (base = app->depth - 1; base > 0 && app->stack[base]->ops->overlay; base--)
		;
	for (i = base; i < app->depth; i++) {
		struct view *v = app->stack[i];

		v->y = 1;
		v->x = 0;
		v->h = lines - 3;
		v->w = cols;
		if (v->ops->draw != NULL)
			v->ops->draw(v, v->y, v->x, v->h, v->w);
	}
	draw_status(app, lines - 2, cols);
	draw_bottom(app, lines - 1, cols);
	ui_update();
}

/* ------------------------------------------------------------ prompt */

void
app_prompt_start(struct app *app, enum prompt_kind kind, const char *text)
{
	struct prompt_history *h;
	const char *label;

	switch (kind) {
	case PK_SEARCH: label = "/"; h = &app->hist_search; break;
	case PK_FILTER: label = "filter: "; h = &app->hist_filter; break;
	case PK_WINDOW: label = "window: "; h = &app->hist_command; break;
	default: label = ":"; h = &app->hist_command; kind = PK_COMMAND; break;
	}
	prompt_start(&app->prompt, label, text, h);
	app->pkind = kind;
	app->msg[0] = '\0';
	app->dirty = 1;
}

static void
search_run(struct app *app, int dir, int skip)
{
	struct view *v = app_top(app);

	if (app->search[0] == '\0') {
		app_message(app, "nothing to search for (/ starts a search)");
		return;
	}
	if (v == NULL || v->ops->search == NULL) {
		app_message(app, "nothing to search in this view");
		return;
	}
	if (!v->ops->search(v, app->search, dir, skip))
		app_error(app, "not found: %s", app->search);
	app->dirty = 1;
}

/* Give the filter prompt's text to the top view (a trace list). */
static void
filter_accept(struct app *app, const char *text)
{
	struct view *v = app_top(app);

	if (v == NULL || v->ops != &view_traces_ops)
		app_open_traces(app, text, NULL);
	else
		view_traces_set_filter(v, text);
}

static void
prompt_done(struct app *app, enum prompt_result r)
{
	enum prompt_kind kind = app->pkind;
	char text[PROMPT_MAX], err[256];
	long pos = -1;
	int width = 1;

	snprintf(text, sizeof text, "%s", app->prompt.buf);
	if (r == PROMPT_CANCEL) {
		app->pkind = PK_NONE;
		app->dirty = 1;
		return;
	}
	switch (kind) {
	case PK_SEARCH:
		app->pkind = PK_NONE;
		snprintf(app->search, sizeof app->search, "%s", text);
		search_run(app, 1, 0);
		break;
	case PK_FILTER:
		if (text[0] != '\0' && app_filter_check(app, text, err, sizeof err, &pos, &width) != 0) {
			prompt_set_error(&app->prompt, pos, width, err);
			app->dirty = 1;
			return;
		}
		app->pkind = PK_NONE;
		filter_accept(app, text);
		break;
	case PK_WINDOW:
		app->pkind = PK_NONE;
		if (text[0] != '\0') {
			char cmd[PROMPT_MAX + 8];

			snprintf(cmd, sizeof cmd, "since %s", text);
			app_command(app, cmd);
		}
		break;
	default:
		app->pkind = PK_NONE;
		if (text[0] != '\0')
			app_command(app, text);
		break;
	}
	app->dirty = 1;
}


static void
prompt_key_in(struct app *app, int key)
{
	enum prompt_result r = prompt_key(&app->prompt, key);
	char err[256];
	long pos = -1;
	int width = 1;

	if (r != PROMPT_EDIT) {
		prompt_done(app, r);
		return;
	}
	/* Filters are checked as they are typed. */
	if (app->pkind == PK_FILTER) {
		if (app->prompt.len > 0 &&
		    app_filter_check(app, app->prompt.buf, err, sizeof err, &pos, &width) != 0)
			prompt_set_error(&app->prompt, pos, width, err);
		else
			prompt_set_error(&app->prompt, -1, 0, NULL);
	}
	app->dirty = 1;
}

/* ------------------------------------------------------------ keys */

static void
copy_selection(struct app *app)
{
	struct view *v = app_top(app);
	char buf[PROMPT_MAX];
	const char *text = NULL;

	if (v != NULL && v->ops->copy != NULL)
		text = v->ops->copy(v, buf, sizeof buf);
	if (text == NULL || *text == '\0') {
		app_message(app, "nothing to copy here");
		return;
	}
	ui_copy(text);
	app_message(app, "copied %s", text);
}

static void
global_action(struct app *app, enum action act, int key)
{
	char name[32];

	switch (act) {
	case ACT_QUIT:
		if (app->depth > 1)
			app_pop(app);
		else
			app->quit = 1;
		break;
	case ACT_QUIT_NOW:
		app->quit = 1;
		break;
	case ACT_BACK:
		if (app->depth > 1)
			app_pop(app);
		else
			app_message(app, "this is the first view (q quits)");
		break;
	case ACT_HELP:
		if (app_top(app) != NULL && app_top(app)->ops == &view_help_ops)
			app_pop(app);
		else
			app_push(app, &view_help_ops, NULL);
		break;
	case ACT_COMMAND:
		app_prompt_start(app, PK_COMMAND, NULL);
		break;
	case ACT_SEARCH:
		app_prompt_start(app, PK_SEARCH, NULL);
		break;
	case ACT_SEARCH_NEXT:
		search_run(app, 1, 1);
		break;
	case ACT_SEARCH_PREV:
		search_run(app, -1, 1);
		break;
	case ACT_PAUSE:
		app_pause(app, !app->paused);
		break;
	case ACT_COPY:
		copy_selection(app);
		break;
	case ACT_TIME_ZONE:
		app->utc = !app->utc;
		app_message(app, "times in %s", app->utc ? "UTC" : "local time");
		break;
	case ACT_REDRAW:
		ui_resize(ui_lines(), ui_cols());
		break;
	case ACT_REFRESH:
		app_aws_refresh(app);
		break;
	case ACT_SUSPEND:
		ui_stop();
		break;
	case ACT_VIEW_MAP:
		app_reset_stack(app, &view_map_ops);
		break;
	case ACT_VIEW_TRACES:
		app_reset_stack(app, &view_traces_ops);
		break;
	case ACT_VIEW_GROUPS:
		app_reset_stack(app, &view_groups_ops);
		break;
	case ACT_VIEW_SAMPLING:
		app_reset_stack(app, &view_sampling_ops);
		break;
	default:
		app_message(app, "%s does nothing here (? lists the keys)",
		    ui_key_name(key, name, sizeof name));
		break;
	}
	app->dirty = 1;
}

static void
mouse_in(struct app *app)
{
	struct view *v = app_top(app);
	enum ui_button b;
	int y, x;

	ui_mouse(&y, &x, &b);
	if (v == NULL)
		return;
	if (b == UB_WHEEL_UP || b == UB_WHEEL_DOWN) {
		if (v->ops->mouse != NULL)
			v->ops->mouse(v, y - v->y, x - v->x, b);
		else if (v->ops->action != NULL)
			v->ops->action(v, b == UB_WHEEL_UP ? ACT_UP : ACT_DOWN, 0);
	} else if (y >= v->y && y < v->y + v->h && v->ops->mouse != NULL)
		v->ops->mouse(v, y - v->y, x - v->x, b);
	app->dirty = 1;
}

void
app_key(struct app *app, int key)
{
	struct view *v = app_top(app);
	enum action act = ACT_NONE;

	if (key == UK_RESIZE) {
		ui_resize(ui_lines(), ui_cols());
		app->dirty = 1;
		return;
	}
	/* Ctrl-C always quits, whatever is on screen. */
	if (key == UK_CTRL('c') && app->pkind == PK_NONE) {
		app->quit = 1;
		return;
	}
	if (app->pkind != PK_NONE) {
		prompt_key_in(app, key);
		return;
	}
	app->msg[0] = '\0';
	if (key == UK_MOUSE) {
		mouse_in(app);
		return;
	}
	if (v != NULL) {
		act = app_user_key(app, v->ops->name, key);
		if (act == ACT_NONE)
			act = keymap_lookup(v->ops->keys, key);
		if (act == ACT_NONE && v->ops->list)
			act = keymap_lookup(view_list_keys, key);
	}
	if (act == ACT_NONE)
		act = keymap_lookup(app_global_keys, key);
	if (act != ACT_NONE && v != NULL && v->ops->action != NULL && v->ops->action(v, act, key)) {
		app->dirty = 1;
		return;
	}
	global_action(app, act, key);
}

/* ------------------------------------------------------------ loop */

static void
on_input(void *ctx, int fd, unsigned revents)
{
	struct app *app = ctx;
	int key, n = 0;

	(void)fd;
	if (revents & LOOP_ERR) {
		/* The terminal went away (hang-up). */
		app->quit = 1;
		return;
	}
	while (!app->quit && (key = ui_read_key()) != UK_NONE && n++ < 256)
		app_key(app, key);
}

static void
on_winch(void *ctx, int signo)
{
	struct app *app = ctx;

	(void)signo;
	ui_resize(0, 0);
	app->dirty = 1;
}

/* Once a second: the ages in the status bar. */
static void
on_tick(void *ctx)
{
	struct app *app = ctx;

	if (app->data.last > 0)
		app_dirty_later(app);
	app->tick_timer = loop_add_timer(app->lp, 1.0, on_tick, app);
}

/* ------------------------------------------------------------ options */

enum {
	OPT_DEMO = 256, OPT_LISTEN, OPT_THEME, OPT_ASCII, OPT_NO_MOUSE, OPT_UTC, OPT_LOCAL,
	OPT_LOG, OPT_VIEW, OPT_FILTER, OPT_SINCE, OPT_FORWARD, OPT_RECORD, OPT_MAX_TRACES,
	OPT_REGION, OPT_PROFILE, OPT_ENDPOINT, OPT_REFRESH,
};

static const struct option tui_options[] = {
	{ "demo",     no_argument,       NULL, OPT_DEMO },
	{ "listen",   optional_argument, NULL, OPT_LISTEN },
	{ "forward",  required_argument, NULL, OPT_FORWARD },
	{ "record",   required_argument, NULL, OPT_RECORD },
	{ "max-traces", required_argument, NULL, OPT_MAX_TRACES },
	{ "region",   required_argument, NULL, OPT_REGION },
	{ "profile",  required_argument, NULL, OPT_PROFILE },
	{ "endpoint-url", required_argument, NULL, OPT_ENDPOINT },
	{ "refresh",  required_argument, NULL, OPT_REFRESH },
	{ "theme",    required_argument, NULL, OPT_THEME },
	{ "ascii",    no_argument,       NULL, OPT_ASCII },
	{ "no-mouse", no_argument,       NULL, OPT_NO_MOUSE },
	{ "utc",      no_argument,       NULL, OPT_UTC },
	{ "local",    no_argument,       NULL, OPT_LOCAL },
	{ "log",      required_argument, NULL, OPT_LOG },
	{ "view",     required_argument, NULL, OPT_VIEW },
	{ "filter",   required_argument, NULL, OPT_FILTER },
	{ "since",    required_argument, NULL, OPT_SINCE },
	{ "threads",  required_argument, NULL, 'j' },
	{ "verbose",  no_argument,       NULL, 'v' },
	{ "help",     no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
tui_usage(FILE *out)
{
	fputs("usage: xraytop [--demo | FILE... | --listen[=[ADDR:]PORT]] [--theme dark|light|mono|FILE]\n"
	    "               [--ascii] [--no-mouse] [--utc|--local] [--view map|traces]\n"
	    "               [--since 30m] [--filter EXPR] [-v] [--log FILE]\n"
	    "               live: [--forward ADDR:PORT] [--record FILE] [--max-traces N]\n"
	    "               AWS (the default): [--region R] [--profile P] [--endpoint-url URL]\n"
	    "                                  [--refresh 60s]\n"
	    "       xraytop COMMAND ...   (map, traces, trace, listen: xraytop --help)\n", out);
}

static int
tui_parse(int argc, char **argv, struct app_opts *o, int *verbose)
{
	int c;

	memset(o, 0, sizeof *o);
	o->utc = 1;
	o->mouse = 1;
	o->threads = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "j:vh", tui_options, NULL)) != -1) {
		switch (c) {
		case OPT_DEMO: o->source = SOURCE_DEMO; break;
		case OPT_LISTEN:
			o->source = SOURCE_LIVE;
			o->listen = optarg;
			/* "--listen PORT" as well as "--listen=PORT". */
			if (optarg == NULL && optind < argc && argv[optind][0] != '-' &&
			    strspn(argv[optind], "0123456789.:[]abcdefABCDEF") == strlen(argv[optind]) &&
			    access(argv[optind], F_OK) != 0)
				o->listen = argv[optind++];
			if (o->listen == NULL)
				o->listen = "127.0.0.1:2000";
			break;
		case OPT_FORWARD: o->forward = optarg; break;
		case OPT_REGION: o->region = optarg; break;
		case OPT_PROFILE: o->profile = optarg; break;
		case OPT_ENDPOINT: o->endpoint = optarg; break;
		case OPT_REFRESH:
			if ((o->refresh = app_parse_span(optarg)) < 1) {
				fprintf(stderr, "xraytop: --refresh takes a time such as 30s or 2m (at least 1s)\n");
				return -1;
			}
			break;
		case OPT_RECORD: o->record = optarg; break;
		case OPT_MAX_TRACES: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (end == optarg || *end != '\0' || v < 1 || v > 100000000) {
				fprintf(stderr, "xraytop: --max-traces takes a number from 1 to 100000000\n");
				return -1;
			}
			o->max_traces = (size_t)v;
			break;
		}
		case OPT_THEME: o->theme = optarg; break;
		case OPT_ASCII: text_set_ascii(1); break;
		case OPT_NO_MOUSE: o->mouse = 0; o->mouse_set = 1; break;
		case OPT_UTC: o->utc = 1; o->utc_set = 1; break;
		case OPT_LOCAL: o->utc = 0; o->utc_set = 1; break;
		case OPT_LOG: o->log_path = optarg; break;
		case OPT_VIEW:
			if (strcmp(optarg, "map") != 0 && strcmp(optarg, "traces") != 0) {
				fprintf(stderr, "xraytop: --view takes map or traces\n");
				return -1;
			}
			o->view = optarg;
			break;
		case OPT_FILTER: o->filter = optarg; break;
		case OPT_SINCE: o->since = optarg; break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);

			o->threads = end != optarg && *end == '\0' ? (int)v : -1;
			if (v < 0 || v > 64 || o->threads < 0) {
				fprintf(stderr, "xraytop: --threads takes a number from 0 to 64\n");
				return -1;
			}
			break;
		}
		case 'v': (*verbose)++; break;
		case 'h':
			tui_usage(stdout);
			return 1;
		default:
			if (optopt != 0 && optopt < 256)
				fprintf(stderr, "xraytop: unknown option -%c or missing argument\n", optopt);
			else
				fprintf(stderr, "xraytop: unknown option %s or missing argument\n",
				    argv[optind - 1]);
			fprintf(stderr, "Try 'xraytop --help'.\n");
			return -1;
		}
	}
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
	if (o->nfiles > 0 && (o->source == SOURCE_DEMO || o->source == SOURCE_LIVE)) {
		fprintf(stderr, "xraytop: --%s takes no FILE\n", o->source == SOURCE_DEMO ? "demo" : "listen");
		return -1;
	}
	if ((o->forward != NULL || o->record != NULL || o->max_traces > 0) && o->source != SOURCE_LIVE) {
		fprintf(stderr, "xraytop: --forward, --record and --max-traces go with --listen\n");
		return -1;
	}
	if (o->nfiles > 0)
		o->source = SOURCE_FILES;
	return 0;
}

/* The theme: --theme, else mono under NO_COLOR, else dark. */
static int
choose_theme(struct app *app)
{
	char *cause = NULL;
	const char *nc = getenv("NO_COLOR");

	if (app->opts.theme != NULL) {
		if (theme_load(&app->theme, app->opts.theme, &cause) != 0) {
			fprintf(stderr, "xraytop: %s\n", cause);
			free(cause);
			return -1;
		}
		return 0;
	}
	theme_builtin(&app->theme, nc != NULL && *nc != '\0' ? "mono" : "dark");
	return 0;
}

static void
app_free(struct app *app)
{
	size_t i;

	while (app->depth > 0)
		view_free(app->stack[--app->depth]);
	app_source_stop(app);
	app_data_free(&app->data, app->sum_arena);
	svcmap_free(app->scoped);
	app_filters_free();
	app_config_free(app);
	for (i = 0; i < app->nproblems; i++)
		free(app->problems[i]);
	free(app->problems);
	for (i = 0; i < app->nsteps; i++)
		free(app->steps[i]);
	free(app->steps);
	free(app->group);
	free(app->group_filter);
	history_free(&app->hist_command);
	history_free(&app->hist_search);
	history_free(&app->hist_filter);
	if (app->bench != NULL)
		fclose(app->bench);
	if (app->lp != NULL)
		loop_free(app->lp);
}

int
app_main(int argc, char **argv)
{
	struct app app;
	struct ui_opts uo;
	char err[512] = "";
	const char *env;
	int rc, verbose = 0, status = 0;
	char *logpath = NULL;

	memset(&app, 0, sizeof app);
	if ((rc = tui_parse(argc, argv, &app.opts, &verbose)) != 0)
		return rc > 0 ? 0 : 2;
	env = getenv("XRAYTOP_NO_DISPLAY");
	app.opts.headless = env != NULL && *env != '\0' && strcmp(env, "0") != 0;
	app.opts.script = getenv("XRAYTOP_SCRIPT");
	app.opts.bench = getenv("XRAYTOP_BENCH");
	if ((env = getenv("XRAYTOP_NOW")) != NULL)
		app.fixed_now = strtod(env, NULL);
	app_config_load(&app);
	app.source = app.opts.source;
	app.utc = app.opts.utc;
	app.lp = loop_new();
	/* No FILE, --demo or --listen: the account's X-Ray data, when AWS
	 * credentials are found. */
	if (app.source == SOURCE_NONE && app_aws_open(&app, err, sizeof err) == 0)
		app.source = SOURCE_AWS;
	if (app.source == SOURCE_NONE) {
		fprintf(stderr, "xraytop: nothing to show: AWS is not set up here (%s);\n"
		    "give FILEs (what `aws xray batch-get-traces` or the X-Ray SDKs write),\n"
		    "--listen for what the SDKs send, or --demo for the bundled demo\n\n", err);
		tui_usage(stderr);
		fputc('\n', stderr);
		fprintf(stderr, "Try 'xraytop --help' for the subcommands.\n");
		status = 2;
		goto out;
	}
	if (app.source == SOURCE_FILES) {
		size_t i;

		for (i = 0; i < app.opts.nfiles; i++)
			if (strcmp(app.opts.files[i], "-") != 0 && access(app.opts.files[i], R_OK) != 0) {
				fprintf(stderr, "xraytop: %s: %s\n", app.opts.files[i], strerror(errno));
				status = 2;
				goto out;
			}
	}
	if (choose_theme(&app) != 0) {
		status = 2;
		goto out;
	}
	app_config_colors(&app, &app.theme);
	if (verbose > 0 || app.opts.log_path != NULL) {
		logpath = app.opts.log_path != NULL ? xstrdup(app.opts.log_path) :
		    xasprintf("xraytop-%ld.log", (long)getpid());
		if (log_open(verbose > 1 ? 3 : 2, logpath) != 0) {
			fprintf(stderr, "xraytop: %s: %s\n", logpath, strerror(errno));
			status = 2;
			goto out;
		}
	}
	if (app.opts.headless && app.opts.script == NULL) {
		fprintf(stderr, "xraytop: XRAYTOP_NO_DISPLAY needs XRAYTOP_SCRIPT (the keys to play)\n");
		status = 2;
		goto out;
	}
	if (app.opts.script != NULL && app_script_load(&app, app.opts.script, err, sizeof err) != 0) {
		fprintf(stderr, "xraytop: %s\n", err);
		status = 2;
		goto out;
	}
	if (app.opts.bench != NULL && (app.bench = fopen(app.opts.bench, "w")) == NULL) {
		fprintf(stderr, "xraytop: %s: %s\n", app.opts.bench, strerror(errno));
		status = 2;
		goto out;
	}

	memset(&uo, 0, sizeof uo);
	uo.headless = app.opts.headless;
	uo.mouse = app.opts.mouse;
	uo.log_path = logpath;
	if (ui_init(&uo, &app.theme, err, sizeof err) != 0) {
		fprintf(stderr, "xraytop: %s\n", err);
		status = 2;
		goto out;
	}
	if (!app.opts.headless) {
		loop_add_fd(app.lp, ui_input_fd(), LOOP_IN, on_input, &app);
		loop_add_signal(app.lp, SIGWINCH, on_winch, &app);
	}
	/* --since: a window that follows the clock for live sources, set now;
	 * for files it ends with their data, so it waits for them. */
	if (app.opts.since != NULL) {
		char cmd[256];

		snprintf(cmd, sizeof cmd, "since %s", app.opts.since);
		if (app.source == SOURCE_FILES || app.source == SOURCE_DEMO)
			app.pending_since = app.opts.since;
		else
			app_command(&app, cmd);
	}
	if (app_source_start(&app, err, sizeof err) != 0) {
		ui_done();
		fprintf(stderr, "xraytop: %s\n", err);
		status = 2;
		goto out;
	}
	app.data.groups = app.groups;
	app.data.ngroups = app.ngroups;
	if (app.config_problems > 0)
		app_error(&app, "%d problem%s in %s (:errors lists them)", app.config_problems,
		    app.config_problems == 1 ? "" : "s", app.config != NULL && app.config->path != NULL ?
		    app.config->path : "the configuration");
	if (app.opts.view != NULL && strcmp(app.opts.view, "traces") == 0)
		app_open_traces(&app, app.opts.filter, NULL);
	else {
		app_push(&app, &view_map_ops, NULL);
		if (app.opts.filter != NULL)
			app_open_traces(&app, app.opts.filter, NULL);
	}
	if (app.depth == 0)
		app_push(&app, &view_traces_ops, NULL);
	app.tick_timer = loop_add_timer(app.lp, 1.0, on_tick, &app);
	app_script_schedule(&app);

	app.dirty = 1;
	while (!app.quit) {
		if (app.dirty)
			app_draw(&app);
		if (loop_once(app.lp, -1) < 0 && errno != EINTR) {
			snprintf(err, sizeof err, "poll: %s", strerror(errno));
			app.status = 2;
			break;
		}
	}
	ui_done();
	if (app.script_errors > 0 && app.status == 0)
		app.status = 1;
	status = app.status;
	if (status == 2 && err[0] != '\0')
		fprintf(stderr, "xraytop: %s\n", err);
out:
	app_free(&app);
	log_close();
	free(logpath);
	return status;
}

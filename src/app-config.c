/* app-config.c - what the TUI reads from the configuration file
 * (config.h: the file, its sections and its groups):
 *
 *   [ui]        theme = dark|light|mono|FILE   mouse = on|off
 *               time = utc|local               view = map|traces
 *               ascii = on|off
 *   [colors]    SLOT = FG BG [ATTR...]          (a theme's color lines)
 *   [keys]      KEY = ACTION                    (every view)
 *   [keys VIEW] KEY = ACTION                    (map, traces, trace, ...)
 *   [group NAME] filter = EXPR                  (the groups of local sources)
 *
 * Command-line options win over the file.  Problems are collected and
 * shown once the screen is up (:errors lists them), as tmux does.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app-private.h"
#include "xraytop/config.h"
#include "xraytop/groups.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

static void
problem(struct app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
problem(struct app *app, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	app->problems = xreallocarray(app->problems, app->nproblems + 1, sizeof *app->problems);
	app->problems[app->nproblems++] = msg;
	app->config_problems++;
}

static void
report(void *ctx, const char *msg)
{
	problem(ctx, "%s", msg);
}

/* "on", "yes", "true", "1" / "off", "no", "false", "0"; -1 otherwise. */
static int
boolean(const char *v)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

static void
add_binding(struct app *app, const struct config_entry *e)
{
	const char *view = e->section[4] == ' ' ? e->section + 5 : NULL, *k = e->key;
	struct user_key *u;
	int key, act;

	key = ui_key_parse(&k);
	if (key == UK_NONE || *k != '\0') {
		problem(app, "%s:%d: '%s' is not a key (j, <Down>, <C-d>, <F2> ...)", app->config->path,
		    e->line, e->key);
		return;
	}
	if ((act = action_find(e->value)) < 0 || act == ACT_NONE) {
		problem(app, "%s:%d: unknown action '%s' (the help overlay lists them)",
		    app->config->path, e->line, e->value);
		return;
	}
	if (key == UK_CTRL('c')) {
		problem(app, "%s:%d: Ctrl-C always quits; it cannot be bound", app->config->path, e->line);
		return;
	}
	app->user_keys = xreallocarray(app->user_keys, app->nuser_keys + 1, sizeof *app->user_keys);
	u = &app->user_keys[app->nuser_keys++];
	snprintf(u->view, sizeof u->view, "%s", view != NULL ? view : "");
	u->key = key;
	u->act = (enum action)act;
}

int
app_config_load(struct app *app)
{
	const struct config *c;
	const char *v;
	size_t i;

	config_load(NULL, &app->config, report, app);
	c = app->config;

	if (app->opts.theme == NULL && (v = config_get(c, "ui", "theme")) != NULL)
		app->opts.theme = v;
	if ((v = config_get(c, "ui", "mouse")) != NULL && app->opts.mouse_set == 0) {
		if (boolean(v) < 0)
			problem(app, "%s: [ui] mouse = %s: on or off", c->path, v);
		else
			app->opts.mouse = boolean(v);
	}
	if ((v = config_get(c, "ui", "time")) != NULL && app->opts.utc_set == 0) {
		if (strcasecmp(v, "utc") == 0)
			app->opts.utc = 1;
		else if (strcasecmp(v, "local") == 0)
			app->opts.utc = 0;
		else
			problem(app, "%s: [ui] time = %s: utc or local", c->path, v);
	}
	if ((v = config_get(c, "ui", "view")) != NULL && app->opts.view == NULL) {
		if (strcmp(v, "map") == 0 || strcmp(v, "traces") == 0)
			app->opts.view = v;
		else
			problem(app, "%s: [ui] view = %s: map or traces", c->path, v);
	}
	if ((v = config_get(c, "ui", "ascii")) != NULL) {
		if (boolean(v) < 0)
			problem(app, "%s: [ui] ascii = %s: on or off", c->path, v);
		else if (boolean(v) == 1)
			text_set_ascii(1);
	}
	for (i = 0; i < c->nentries; i++) {
		const struct config_entry *e = &c->entries[i];

		if (strcmp(e->section, "keys") == 0 || strncmp(e->section, "keys ", 5) == 0)
			add_binding(app, e);
	}

	/* The groups of local sources. */
	app->ngroups = c->ngroups;
	app->groups = xcalloc(c->ngroups + 1, sizeof *app->groups);
	for (i = 0; i < c->ngroups; i++) {
		app->groups[i].name = c->groups[i].name;
		app->groups[i].arn = c->groups[i].arn;
		app->groups[i].filter = c->groups[i].filter;
		app->groups[i].insights = -1;
		app->groups[i].notifications = -1;
	}
	return app->config_problems > 0 ? -1 : 0;
}

/* The [colors] lines on top of the theme. */
void
app_config_colors(struct app *app, struct theme *th)
{
	const struct config *c = app->config;
	char line[1024], err[256];
	size_t i;

	for (i = 0; c != NULL && i < c->nentries; i++) {
		const struct config_entry *e = &c->entries[i];

		if (strcmp(e->section, "colors") != 0 && strcmp(e->section, "colours") != 0)
			continue;
		snprintf(line, sizeof line, "color %s %s", e->key, e->value);
		if (theme_parse_line(th, line, err, sizeof err) != 0)
			problem(app, "%s:%d: %s", c->path, e->line, err);
	}
}

enum action
app_user_key(struct app *app, const char *view, int key)
{
	size_t i;
	enum action act = ACT_NONE;

	/* A binding for the view wins over one for every view; the last wins. */
	for (i = 0; i < app->nuser_keys; i++)
		if (app->user_keys[i].key == key && app->user_keys[i].view[0] == '\0')
			act = app->user_keys[i].act;
	for (i = 0; view != NULL && i < app->nuser_keys; i++)
		if (app->user_keys[i].key == key && strcmp(app->user_keys[i].view, view) == 0)
			act = app->user_keys[i].act;
	return act;
}

void
app_config_free(struct app *app)
{
	free(app->user_keys);
	free(app->groups);
	config_free(app->config);
	app->user_keys = NULL;
	app->groups = NULL;
	app->config = NULL;
}

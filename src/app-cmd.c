/* app-cmd.c - `:` commands, and the key script of the headless mode. */
#include "config.h"

#include "app-private.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xraytop/export.h"
#include "xraytop/loop.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define STEP_KEY '\x1f'   /* a script step that is one key */

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
app_parse_span(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(v) || v <= 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v;
	if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		return v * 60;
	if (strcmp(end, "h") == 0)
		return v * 3600;
	if (strcmp(end, "d") == 0)
		return v * 86400;
	return -1;
}

double
app_parse_time(struct app *app, const char *s)
{
	struct tm tm;
	char *end;
	double frac = 0, epoch;
	int n = 0;
	time_t t;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &n) == 5 && n > 0) {
		if (s[n] == ':') {
			int m = 0;

			if (sscanf(s + n + 1, "%2d%n", &tm.tm_sec, &m) != 1)
				return -1;
			n += 1 + m;
			if (s[n] == '.') {
				frac = strtod(s + n, &end);
				n = (int)(end - s);
			}
		}
		if (s[n] != '\0' && !(s[n] == 'Z' && s[n + 1] == '\0'))
			return -1;
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
	} else if (sscanf(s, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &n) == 2 &&
	    (s[n] == '\0' || s[n] == ':')) {
		/* A time of day: on the day of the data's last time (or today). */
		double ref = app->data.last > 0 ? app->data.last : app_now(app);
		time_t rt = (time_t)ref;
		struct tm day;

		if (s[n] == ':' && sscanf(s + n + 1, "%2d", &tm.tm_sec) != 1)
			return -1;
		if ((app->utc ? gmtime_r(&rt, &day) : localtime_r(&rt, &day)) == NULL)
			return -1;
		tm.tm_year = day.tm_year;
		tm.tm_mon = day.tm_mon;
		tm.tm_mday = day.tm_mday;
	} else {
		errno = 0;
		epoch = strtod(s, &end);
		if (end == s || *end != '\0' || errno != 0 || epoch <= 0)
			return -1;
		return epoch;
	}
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_isdst = -1;
	t = app->utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	return (double)t + frac;
}

/* The reference for relative windows: now for live sources, the data's
 * last time for files (their data is not from now). */
static double
window_end(struct app *app)
{
	if (app->source == SOURCE_FILES || app->source == SOURCE_DEMO)
		return app->data.last > 0 ? app->data.last : app_now(app);
	return app_now(app);
}

/* since SPAN | since TIME | since all | window FROM [TO] */
static int
cmd_window(struct app *app, const char *verb, char *args)
{
	char *a, *b, label[64];
	double span, from, to = 0;

	a = strtok(args, " ");
	b = a != NULL ? strtok(NULL, " ") : NULL;
	if (a == NULL) {
		app_error(app, "usage: :since 30m | :since 2026-11-24T15:07 | :window FROM TO | :since all");
		return -1;
	}
	if (strcmp(a, "all") == 0 || strcmp(a, "off") == 0) {
		app_set_window(app, 0, 0, 0, NULL);
		app_message(app, "window: all the data");
		return 0;
	}
	if (strcmp(verb, "since") == 0 && b == NULL && (span = app_parse_span(a)) > 0) {
		snprintf(label, sizeof label, "last %s", a);
		/* Files: the window ends with the data; live: it follows now. */
		if (app->source == SOURCE_FILES || app->source == SOURCE_DEMO)
			app_set_window(app, 1, window_end(app) - span, 0, label);
		else
			app_set_sliding_window(app, span, label);
		return 0;
	}
	if ((from = app_parse_time(app, a)) < 0) {
		app_error(app, "'%s' is not a time (30m, 2h, 2026-11-24T15:07:00, 15:07)", a);
		return -1;
	}
	if (b != NULL && (to = app_parse_time(app, b)) < 0) {
		app_error(app, "'%s' is not a time (2026-11-24T15:07:00, 15:07)", b);
		return -1;
	}
	if (to > 0 && to <= from) {
		app_error(app, "the window ends before it starts");
		return -1;
	}
	app_set_window(app, 1, from, to, NULL);
	return 0;
}

static int
cmd_export(struct app *app, char *args)
{
	char *what = strtok(args, " "), *path = what != NULL ? strtok(NULL, "") : NULL;
	char err[256];
	FILE *f;
	int fmt, rc;

	if (what == NULL || path == NULL) {
		app_error(app, "usage: :export svg|dot|json|text|screen FILE");
		return -1;
	}
	while (*path == ' ')
		path++;
	if (strcmp(what, "screen") == 0) {
		if (ui_dump(path, NULL, err, sizeof err) != 0) {
			app_error(app, "%s", err);
			return -1;
		}
		app_message(app, "screen written to %s", path);
		return 0;
	}
	if ((fmt = export_map_format(strcmp(what, "txt") == 0 ? "text" : what)) < 0) {
		app_error(app, "unknown export format '%s' (svg, dot, json, text or screen)", what);
		return -1;
	}
	if (svcmap_nnodes(app_map(app)) == 0) {
		app_error(app, "no service map to export");
		return -1;
	}
	if ((f = fopen(path, "w")) == NULL) {
		app_error(app, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = export_map(app_map(app), (enum map_format)fmt, f, err, sizeof err);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, sizeof err, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0) {
		app_error(app, "%s", err);
		return -1;
	}
	app_message(app, "map written to %s (%s)", path, what);
	return 0;
}

/* The load problems, as a page of text. */
static int
cmd_errors(struct app *app)
{
	const char *arg[3];
	char title[64];

	if (app->nproblems == 0) {
		app_message(app, "no problems reading the input");
		return 0;
	}
	snprintf(title, sizeof title, "Problems (%zu)", app->nproblems);
	arg[0] = title;
	arg[1] = (const char *)app->problems;
	arg[2] = (const char *)&app->nproblems;
	return app_push(app, &view_help_ops, arg) != NULL ? 0 : -1;
}

int
app_command(struct app *app, const char *line)
{
	char buf[PROMPT_MAX], *verb, *args, err[256];
	struct theme th;
	char *cause = NULL;

	snprintf(buf, sizeof buf, "%s", line);
	verb = buf;
	while (*verb == ' ' || *verb == ':')
		verb++;
	args = verb + strcspn(verb, " ");
	if (*args != '\0')
		*args++ = '\0';
	while (*args == ' ')
		args++;
	args[strcspn(args, "\r\n")] = '\0';

	if (strcmp(verb, "q") == 0 || strcmp(verb, "quit") == 0 || strcmp(verb, "q!") == 0 ||
	    strcmp(verb, "qa") == 0) {
		app->quit = 1;
		return 0;
	}
	if (strcmp(verb, "trace") == 0) {
		if (*args == '\0') {
			app_error(app, "usage: :trace ID");
			return -1;
		}
		/* From AWS the trace may be on its way: that is no failure. */
		return app_open_trace(app, args) != NULL || app_aws_busy(app) ? 0 : -1;
	}
	if (strcmp(verb, "group") == 0) {
		if (app_set_group(app, args, err, sizeof err) != 0) {
			app_error(app, "%s", err);
			return -1;
		}
		app_message(app, "group: %s", *args != '\0' ? args : "Default");
		return 0;
	}
	if (strcmp(verb, "since") == 0 || strcmp(verb, "window") == 0)
		return cmd_window(app, verb, args);
	if (strcmp(verb, "export") == 0)
		return cmd_export(app, args);
	if (strcmp(verb, "dump-screen") == 0) {
		char *path = strtok(args, " "), *slots = path != NULL ? strtok(NULL, " ") : NULL;

		if (path == NULL) {
			app_error(app, "usage: :dump-screen FILE [SLOTS-FILE]");
			return -1;
		}
		/* The screen as it is now, what is pending drawn. */
		app_draw(app);
		if (ui_dump(path, slots, err, sizeof err) != 0) {
			app_error(app, "%s", err);
			return -1;
		}
		return 0;
	}
	if (strcmp(verb, "resize") == 0) {
		int cols = 0, lines = 0;

		if (sscanf(args, "%d %d", &cols, &lines) != 2 || cols < 1 || lines < 1 ||
		    cols > 1000 || lines > 1000) {
			app_error(app, "usage: :resize COLUMNS LINES");
			return -1;
		}
		if (!ui_headless()) {
			app_error(app, "only the headless screen can be resized from here");
			return -1;
		}
		ui_resize(lines, cols);
		app_key(app, UK_RESIZE);
		return 0;
	}
	if (strcmp(verb, "theme") == 0) {
		if (*args == '\0') {
			app_message(app, "theme: %s%s", app->theme.name,
			    theme_has_colors(&app->theme) ? "" : " (no colours)");
			return 0;
		}
		if (theme_load(&th, args, &cause) != 0) {
			app_error(app, "%s", cause);
			free(cause);
			return -1;
		}
		app->theme = th;
		ui_set_theme(&th);
		app->dirty = 1;
		return 0;
	}
	if (strcmp(verb, "utc") == 0 || strcmp(verb, "local") == 0) {
		app->utc = strcmp(verb, "utc") == 0;
		app->dirty = 1;
		return 0;
	}
	if (strcmp(verb, "filter") == 0) {
		long pos = -1;

		if (*args != '\0' && app_filter_check(app, args, err, sizeof err, &pos, NULL) != 0) {
			app_error(app, "filter: %s (at column %ld)", err, pos + 1);
			return -1;
		}
		app_prompt_start(app, PK_FILTER, args);
		app_key(app, UK_ENTER);
		return 0;
	}
	if (strcmp(verb, "search") == 0) {
		app_prompt_start(app, PK_SEARCH, args);
		app_key(app, UK_ENTER);
		return 0;
	}
	if (strcmp(verb, "map") == 0) {
		app_reset_stack(app, &view_map_ops);
		return 0;
	}
	if (strcmp(verb, "traces") == 0) {
		app_reset_stack(app, &view_traces_ops);
		return 0;
	}
	if (strcmp(verb, "groups") == 0) {
		app_reset_stack(app, &view_groups_ops);
		return 0;
	}
	if (strcmp(verb, "sampling") == 0 || strcmp(verb, "rules") == 0) {
		app_reset_stack(app, &view_sampling_ops);
		return 0;
	}
	if (strcmp(verb, "help") == 0)
		return app_push(app, &view_help_ops, NULL) != NULL ? 0 : -1;
	if (strcmp(verb, "pause") == 0 || strcmp(verb, "resume") == 0) {
		app_pause(app, strcmp(verb, "pause") == 0);
		return 0;
	}
	if (strcmp(verb, "errors") == 0)
		return cmd_errors(app);
	if (strcmp(verb, "refresh") == 0) {
		app_aws_refresh(app);
		return 0;
	}
	if (strcmp(verb, "wait-data") == 0) {
		double secs = 10;
		unsigned long long n = 0;

		if (sscanf(args, "%llu %lf", &n, &secs) < 1 || n == 0 || secs <= 0) {
			app_error(app, "usage: :wait-data N [SECONDS]");
			return -1;
		}
		app->wait_docs = n;
		app->wait_until = mono_now() + secs;
		return 0;
	}
	if (strcmp(verb, "bench-mark") == 0) {
		if (app->bench != NULL)
			fprintf(app->bench, "mark %s\n", args);
		return 0;
	}
	if (strcmp(verb, "bench-layout") == 0) {
		int n = atoi(args);

		if (n < 1 || n > 100000) {
			app_error(app, "usage: :bench-layout N (timings go to XRAYTOP_BENCH)");
			return -1;
		}
		return view_map_bench_layout(app, n);
	}
	app_error(app, "unknown command ':%s' (? lists keys; :trace :group :since :export :q)", verb);
	return -1;
}

/* ------------------------------------------------------------ script */

static void
add_step(struct app *app, char *s)
{
	app->steps = xreallocarray(app->steps, app->nsteps + 1, sizeof *app->steps);
	app->steps[app->nsteps++] = s;
}

int
app_script_load(struct app *app, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[PROMPT_MAX];
	int lineno = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		const char *p = line, *q;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (*p == ':') {
			add_step(app, xstrdup(p));
			continue;
		}
		/* Keys, one step each. */
		while (*p != '\0') {
			q = p;
			if (ui_key_parse(&q) == UK_NONE) {
				snprintf(err, errlen, "%s:%d: bad key at '%.20s'", path, lineno, p);
				fclose(f);
				return -1;
			}
			add_step(app, xasprintf("%c%.*s", STEP_KEY, (int)(q - p), p));
			p = q;
		}
	}
	fclose(f);
	return 0;
}


static void
script_step(void *ctx)
{
	struct app *app = ctx;
	const char *s;

	app->script_timer = 0;
	if (app->quit)
		return;
	if (app->load != NULL || app_aws_busy(app))
		return;         /* on_loaded, or the fetch's end, schedules us again */
	if (app->step >= app->nsteps) {
		app->quit = 1;
		return;
	}
	if (app->wait_docs > 0) {
		/* :wait-data: until the source has taken that many documents. */
		if (app_documents_taken(app) >= app->wait_docs) {
			app->wait_docs = 0;
		} else if (mono_now() > app->wait_until) {
			app->wait_docs = 0;
			app->script_errors++;
			fprintf(stderr, "xraytop: script step %zu: :wait-data timed out after %llu "
			    "document(s)\n", app->step, (unsigned long long)app_documents_taken(app));
		} else {
			app->script_timer = loop_add_timer(app->lp, 0.05, script_step, app);
			return;
		}
	}
	s = app->steps[app->step++];
	if (s[0] == STEP_KEY) {
		const char *p = s + 1;
		int key = ui_key_parse(&p);
		double t0 = mono_now();

		app_key(app, key);
		if (app->bench != NULL) {
			char name[32];

			app_draw(app);
			fprintf(app->bench, "key %s %.9f\n", ui_key_name(key, name, sizeof name),
			    mono_now() - t0);
		}
	} else if (app_command(app, s + 1) != 0) {
		app->script_errors++;
		fprintf(stderr, "xraytop: script step %zu (%s): %s\n", app->step, s, app->msg);
	}
	app_script_schedule(app);
}

void
app_script_schedule(struct app *app)
{
	if (app->opts.script == NULL || app->script_timer != 0 || app->quit || app->load != NULL ||
	    app_aws_busy(app))
		return;
	app->script_timer = loop_add_timer(app->lp, 0, script_step, app);
}

/* app-aws.c - the AWS X-Ray API as the TUI's source (aws.h).
 *
 * A fetch cycle asks for the service graph and the trace summaries of the
 * window (the last 15 minutes unless told otherwise; the group's, when one
 * is picked) into a new map and a new list, and swaps them in when both are
 * done; the next cycle starts `refresh` seconds later (not while paused).
 * Groups and sampling rules are fetched once.  Full traces are fetched one
 * at a time, when the timeline of one is opened, into the store (kept
 * across cycles).  A filter expression that a summary cannot answer
 * (edge(), service() with a sub-filter, root causes) is sent to X-Ray
 * itself: the ids it returns decide, and the list is drawn again when they
 * are in.  Everything runs on the loop's thread; jobs are freed from a
 * timer, never from their own callbacks.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-private.h"
#include "xraytop/arena.h"
#include "xraytop/aws.h"
#include "xraytop/groups.h"
#include "xraytop/loop.h"
#include "xraytop/model.h"
#include "xraytop/sampling.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define DEFAULT_SPAN     (15 * 60.0)
#define DEFAULT_REFRESH  60.0
#define MAX_FILTERS      16

/* A filter expression X-Ray evaluated for us: the ids it matched. */
struct remote_filter {
	char		*expr;
	struct aws_job	*job;
	struct sink	 sink;
	int		 state;        /* 0 running, 1 done, -1 failed */
	char		**ids;
	size_t		 nids, capids;
	struct app	*app;
};

struct app_aws {
	struct app	*app;
	struct aws	*a;
	double		 refresh;

	/* the cycle */
	struct aws_job	*graph_job, *sum_job;
	int		 running;
	int		 graph_done, sum_done;
	enum aws_status	 graph_st, sum_st;
	char		 err[256];
	struct svcmap	*next_map;
	struct trace_summary *next_sums;
	size_t		 nnext, capnext;
	struct arena	*next_arena;
	double		 q_start, q_end;
	struct aws_progress prog;
	uint64_t	 refresh_timer;
	unsigned	 cycles;

	/* groups and rules, fetched once */
	struct arena	*meta;
	struct xray_group *groups;
	size_t		 ngroups;
	struct sampling_rule *rules;
	size_t		 nrules;
	struct aws_job	*groups_job, *rules_job;

	/* one trace at a time */
	struct aws_job	*trace_job;
	char		 trace_id[64];

	struct remote_filter *filters[MAX_FILTERS];
	size_t		 nfilters;

	/* what the jobs deliver to (they keep pointers to these) */
	struct sink	 gsink, ssink, tsink;

	/* finished jobs, freed from a timer */
	struct aws_job	**dead;
	size_t		 ndead;
	uint64_t	 reap_timer;
};

static void cycle_start(void *ctx);

static void
reap(void *ctx)
{
	struct app_aws *aw = ctx;
	size_t i;

	aw->reap_timer = 0;
	for (i = 0; i < aw->ndead; i++)
		aws_job_free(aw->dead[i]);
	aw->ndead = 0;
}

/* Free j once its callback has returned. */
static void
bury(struct app_aws *aw, struct aws_job *j)
{
	if (j == NULL)
		return;
	aw->dead = xreallocarray(aw->dead, aw->ndead + 1, sizeof *aw->dead);
	aw->dead[aw->ndead++] = j;
	if (aw->reap_timer == 0)
		aw->reap_timer = loop_add_timer(aw->app->lp, 0, reap, aw);
}

/* ------------------------------------------------------------ the cycle */

static void
on_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	struct app_aws *aw = ctx;

	svcmap_load_graph(aw->next_map, svcs, n);
}

static void
on_summary(void *ctx, const struct trace_summary *s)
{
	struct app_aws *aw = ctx;

	if (aw->nnext == aw->capnext) {
		aw->capnext = aw->capnext ? aw->capnext * 2 : 256;
		aw->next_sums = xreallocarray(aw->next_sums, aw->capnext, sizeof *aw->next_sums);
	}
	summary_copy(&aw->next_sums[aw->nnext++], s, aw->next_arena);
}

static void
on_progress(void *ctx, const struct aws_progress *p)
{
	struct app_aws *aw = ctx;

	aw->prog = *p;
	app_dirty_later(aw->app);
}

/* Both halves are in: the new map and list replace the old ones. */
static void
cycle_finish(struct app_aws *aw)
{
	struct app *app = aw->app;
	struct app_data *d = &app->data;

	if (!aw->graph_done || !aw->sum_done)
		return;
	aw->running = 0;
	if (aw->graph_st == AWS_CANCELLED || aw->sum_st == AWS_CANCELLED) {
		/* Asked again with a new scope: nothing of this one is kept. */
		svcmap_free(aw->next_map);
		free(aw->next_sums);
		arena_free(aw->next_arena);
	} else if (aw->graph_st == AWS_FAILED && aw->sum_st == AWS_FAILED) {
		svcmap_free(aw->next_map);
		free(aw->next_sums);
		arena_free(aw->next_arena);
		app_error(app, "AWS: %s", aw->err);
	} else {
		svcmap_free(d->map);
		free(d->sums);
		arena_free(app->sum_arena);
		d->map = aw->next_map;
		d->sums = aw->next_sums;
		d->nsums = aw->nnext;
		app->sum_arena = aw->next_arena;
		d->first = aw->q_start;
		d->last = aw->q_end;
		d->documents = aw->nnext;
		d->generation++;
		app->data_time = app_now(app);
		app->scope_version++;
		if (aw->graph_st != AWS_DONE || aw->sum_st != AWS_DONE)
			app_error(app, "AWS: some calls failed (%s); the rest is shown", aw->err);
		else if (aw->cycles++ == 0)
			app_message(app, "%zu traces, %zu services from %s", d->nsums,
			    svcmap_nnodes(d->map), aws_region(aw->a));
		app_data_changed(app);
	}
	aw->next_map = NULL;
	aw->next_sums = NULL;
	aw->nnext = aw->capnext = 0;
	aw->next_arena = NULL;
	app_script_schedule(app);
	if (aw->refresh > 0 && aw->refresh_timer == 0)
		aw->refresh_timer = loop_add_timer(app->lp, aw->refresh, cycle_start, aw);
}

static void
graph_done(void *ctx, enum aws_status st, const char *err)
{
	struct app_aws *aw = ctx;

	aw->graph_done = 1;
	aw->graph_st = st;
	if (st != AWS_DONE && err[0] != '\0')
		snprintf(aw->err, sizeof aw->err, "%s", err);
	bury(aw, aw->graph_job);
	aw->graph_job = NULL;
	cycle_finish(aw);
}

static void
sum_done(void *ctx, enum aws_status st, const char *err)
{
	struct app_aws *aw = ctx;

	aw->sum_done = 1;
	aw->sum_st = st;
	if (st != AWS_DONE && err[0] != '\0')
		snprintf(aw->err, sizeof aw->err, "%s", err);
	bury(aw, aw->sum_job);
	aw->sum_job = NULL;
	cycle_finish(aw);
}

/* The window to fetch: the app's when it has one, else the last span. */
static void
window(struct app_aws *aw, double *start, double *end)
{
	struct app *app = aw->app;
	double from, to, now = app_now(app);

	if (app_window(app, &from, &to)) {
		*start = from;
		*end = to > 0 ? to : now;
	} else {
		*start = now - DEFAULT_SPAN;
		*end = now;
	}
}

static void
cycle_start(void *ctx)
{
	struct app_aws *aw = ctx;
	struct app *app = aw->app;
	struct aws_query q;
	struct aws_handlers h;

	aw->refresh_timer = 0;
	if (aw->running)
		return;
	if (app->paused) {
		/* Not while paused; p asks again. */
		return;
	}
	aw->running = 1;
	aw->graph_done = aw->sum_done = 0;
	aw->err[0] = '\0';
	memset(&aw->prog, 0, sizeof aw->prog);
	aw->next_map = svcmap_new();
	aw->next_arena = arena_new(0);
	window(aw, &aw->q_start, &aw->q_end);

	memset(&q, 0, sizeof q);
	q.start = aw->q_start;
	q.end = aw->q_end;
	q.group = app->group;
	q.limit = AWS_DEFAULT_LIMIT;

	aw->gsink = (struct sink){ .ctx = aw, .graph = on_graph };
	memset(&h, 0, sizeof h);
	h.ctx = aw;
	h.sink = &aw->gsink;
	h.done = graph_done;
	aw->graph_job = aws_fetch_graph(aw->a, &q, &h);

	q.filter = app->group_filter;
	aw->ssink = (struct sink){ .ctx = aw, .summary = on_summary };
	memset(&h, 0, sizeof h);
	h.ctx = aw;
	h.sink = &aw->ssink;
	h.progress = on_progress;
	h.done = sum_done;
	aw->sum_job = aws_fetch_summaries(aw->a, &q, &h);
	app_dirty(app);
}

void
app_aws_refresh(struct app *app)
{
	struct app_aws *aw = app->aws;

	if (aw == NULL) {
		app_message(app, "nothing to fetch: the data comes from %s", app->source_label);
		return;
	}
	if (aw->refresh_timer != 0) {
		loop_cancel_timer(app->lp, aw->refresh_timer);
		aw->refresh_timer = 0;
	}
	if (aw->running) {
		app_message(app, "a fetch is running");
		return;
	}
	cycle_start(aw);
}

/* ------------------------------------------------------------ groups, rules */

static void
on_groups(void *ctx, const struct xray_group *g, size_t n)
{
	struct app_aws *aw = ctx;
	size_t i;

	aw->groups = xreallocarray(aw->groups, aw->ngroups + n + 1, sizeof *aw->groups);
	for (i = 0; i < n; i++) {
		struct xray_group *d = &aw->groups[aw->ngroups++];

		*d = g[i];
		d->name = arena_strdup(aw->meta, g[i].name);
		d->arn = arena_strdup(aw->meta, g[i].arn);
		d->filter = arena_strdup(aw->meta, g[i].filter);
	}
}

static void
groups_done(void *ctx, enum aws_status st, const char *err)
{
	struct app_aws *aw = ctx;
	struct app *app = aw->app;

	if (st == AWS_DONE || aw->ngroups > 0) {
		qsort(aw->groups, aw->ngroups, sizeof *aw->groups, group_cmp);
		app->data.groups = aw->groups;
		app->data.ngroups = aw->ngroups;
		app_data_changed(app);
	} else if (err[0] != '\0')
		app_error(app, "AWS groups: %s", err);
	bury(aw, aw->groups_job);
	aw->groups_job = NULL;
	app_script_schedule(app);
}

static const struct field *
copy_fields(struct arena *a, const struct field *f, size_t n)
{
	struct field *d = arena_calloc(a, n + 1, sizeof *d);
	size_t i;

	for (i = 0; i < n; i++) {
		d[i].key = arena_strdup(a, f[i].key);
		d[i].value = arena_strdup(a, f[i].value);
	}
	return d;
}

static void
on_rules(void *ctx, const struct sampling_rule *r, size_t n)
{
	struct app_aws *aw = ctx;
	struct arena *a = aw->meta;
	size_t i;

	aw->rules = arena_calloc(a, n + 1, sizeof *aw->rules);
	for (i = 0; i < n; i++) {
		struct sampling_rule *d = &aw->rules[i];

		*d = r[i];
		d->name = arena_strdup(a, r[i].name);
		d->arn = arena_strdup(a, r[i].arn);
		d->resource_arn = arena_strdup(a, r[i].resource_arn);
		d->service_name = arena_strdup(a, r[i].service_name);
		d->service_type = arena_strdup(a, r[i].service_type);
		d->host = arena_strdup(a, r[i].host);
		d->http_method = arena_strdup(a, r[i].http_method);
		d->url_path = arena_strdup(a, r[i].url_path);
		d->attributes = (struct field *)copy_fields(a, r[i].attributes, r[i].nattributes);
		if (r[i].stat != NULL) {
			struct sampling_stat *st = arena_calloc(a, 1, sizeof *st);

			*st = *r[i].stat;
			st->rule_name = arena_strdup(a, r[i].stat->rule_name);
			d->stat = st;
		}
	}
	aw->nrules = n;
}

static void
rules_done(void *ctx, enum aws_status st, const char *err)
{
	struct app_aws *aw = ctx;
	struct app *app = aw->app;

	if (aw->nrules > 0) {
		app->data.rules = aw->rules;
		app->data.nrules = aw->nrules;
		app_data_changed(app);
	} else if (st != AWS_DONE && err[0] != '\0')
		app_error(app, "AWS sampling rules: %s", err);
	bury(aw, aw->rules_job);
	aw->rules_job = NULL;
	app_script_schedule(app);
}

/* ------------------------------------------------------------ one trace */

static void
on_trace_document(void *ctx, const struct segment *doc)
{
	struct app_aws *aw = ctx;

	store_add(aw->app->data.store, doc);
}

static void
trace_done(void *ctx, enum aws_status st, const char *err)
{
	struct app_aws *aw = ctx;
	struct app *app = aw->app;

	bury(aw, aw->trace_job);
	aw->trace_job = NULL;
	if (store_find(app->data.store, aw->trace_id) != NULL) {
		app->msg[0] = '\0';
		app_push(app, &view_timeline_ops, aw->trace_id);
	} else if (st == AWS_DONE)
		app_error(app, "X-Ray has no trace %s", aw->trace_id);
	else
		app_error(app, "AWS: %s", err[0] != '\0' ? err : "the trace could not be fetched");
	app_dirty(app);
	app_script_schedule(app);
}

int
app_aws_fetch_trace(struct app *app, const char *id)
{
	struct app_aws *aw = app->aws;
	struct aws_handlers h;
	const char *ids[1];

	if (aw == NULL)
		return -1;
	if (aw->trace_job != NULL) {
		aws_job_cancel(aw->trace_job);
		aw->trace_job = NULL;
	}
	snprintf(aw->trace_id, sizeof aw->trace_id, "%s", id);
	aw->tsink = (struct sink){ .ctx = aw, .document = on_trace_document };
	memset(&h, 0, sizeof h);
	h.ctx = aw;
	h.sink = &aw->tsink;
	h.done = trace_done;
	ids[0] = aw->trace_id;
	app_message(app, "fetching trace %s ...", id);
	aw->trace_job = aws_fetch_traces(aw->a, ids, 1, NULL, &h);
	return 0;
}

int
app_aws_busy(struct app *app)
{
	struct app_aws *aw = app->aws;
	size_t i;

	if (aw == NULL)
		return 0;
	/* groups and rules count: a script must not look before they are in */
	if (aw->running || aw->trace_job != NULL || aw->groups_job != NULL || aw->rules_job != NULL)
		return 1;
	for (i = 0; i < aw->nfilters; i++)
		if (aw->filters[i]->state == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ remote filters */

static void
rf_summary(void *ctx, const struct trace_summary *s)
{
	struct remote_filter *rf = ctx;

	if (rf->nids == rf->capids) {
		rf->capids = rf->capids ? rf->capids * 2 : 64;
		rf->ids = xreallocarray(rf->ids, rf->capids, sizeof *rf->ids);
	}
	rf->ids[rf->nids++] = xstrdup(s->id);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
rf_done(void *ctx, enum aws_status st, const char *err)
{
	struct remote_filter *rf = ctx;
	struct app *app = rf->app;

	rf->state = st == AWS_DONE || st == AWS_PARTIAL ? 1 : -1;
	if (rf->nids > 1)
		qsort(rf->ids, rf->nids, sizeof *rf->ids, str_cmp);
	if (rf->state < 0)
		app_error(app, "AWS: the filter could not be run: %s", err);
	bury(app->aws, rf->job);
	rf->job = NULL;
	/* The lists that waited for it are drawn again. */
	app->data.generation++;
	app_data_changed(app);
	app_script_schedule(app);
}

static void
rf_free(struct remote_filter *rf)
{
	size_t i;

	if (rf == NULL)
		return;
	if (rf->job != NULL)
		aws_job_free(rf->job);
	for (i = 0; i < rf->nids; i++)
		free(rf->ids[i]);
	free(rf->ids);
	free(rf->expr);
	free(rf);
}

int
app_aws_filter_match(struct app *app, const char *expr, const char *id)
{
	struct app_aws *aw = app->aws;
	struct remote_filter *rf = NULL;
	struct aws_handlers h;
	struct aws_query q;
	size_t i;

	if (aw == NULL)
		return 0;
	for (i = 0; i < aw->nfilters; i++)
		if (strcmp(aw->filters[i]->expr, expr) == 0)
			rf = aw->filters[i];
	if (rf == NULL) {
		if (aw->nfilters == MAX_FILTERS) {
			/* The oldest goes (its job, if still out, with it). */
			rf_free(aw->filters[0]);
			memmove(aw->filters, aw->filters + 1, (MAX_FILTERS - 1) * sizeof aw->filters[0]);
			aw->nfilters--;
		}
		rf = xcalloc(1, sizeof *rf);
		aw->filters[aw->nfilters++] = rf;
		rf->expr = xstrdup(expr);
		rf->app = app;
		memset(&q, 0, sizeof q);
		window(aw, &q.start, &q.end);
		q.filter = expr;
		q.limit = AWS_DEFAULT_LIMIT;
		rf->sink = (struct sink){ .ctx = rf, .summary = rf_summary };
		memset(&h, 0, sizeof h);
		h.ctx = rf;
		h.sink = &rf->sink;
		h.done = rf_done;
		rf->job = aws_fetch_summaries(aw->a, &q, &h);
		app_message(app, "asking X-Ray which traces match ...");
		return 0;
	}
	if (rf->state != 1)
		return 0;
	return bsearch(&id, rf->ids, rf->nids, sizeof *rf->ids, str_cmp) != NULL;
}

/* ------------------------------------------------------------ life */

int
app_aws_open(struct app *app, char *err, size_t errlen)
{
	struct aws_opts ao;
	struct aws *a;

	memset(&ao, 0, sizeof ao);
	ao.region = app->opts.region;
	ao.profile = app->opts.profile;
	ao.endpoint = app->opts.endpoint;
	if ((a = aws_new(app->lp, &ao, err, errlen)) == NULL)
		return -1;
	app->aws = xcalloc(1, sizeof *app->aws);
	app->aws->app = app;
	app->aws->a = a;
	app->aws->refresh = app->opts.refresh > 0 ? app->opts.refresh : DEFAULT_REFRESH;
	app->aws->meta = arena_new(0);
	return 0;
}

int
app_aws_start(struct app *app)
{
	struct app_aws *aw = app->aws;
	struct aws_handlers h;

	snprintf(app->source_label, sizeof app->source_label, "AWS %s", aws_region(aw->a));
	memset(&h, 0, sizeof h);
	h.ctx = aw;
	h.groups = on_groups;
	h.done = groups_done;
	aw->groups_job = aws_fetch_groups(aw->a, &h);
	memset(&h, 0, sizeof h);
	h.ctx = aw;
	h.rules = on_rules;
	h.done = rules_done;
	aw->rules_job = aws_fetch_sampling(aw->a, &h);
	cycle_start(aw);
	return 0;
}

/* The scope changed (window, group): fetch again. */
void
app_aws_scope_changed(struct app *app)
{
	struct app_aws *aw = app->aws;
	size_t i;

	if (aw == NULL)
		return;
	for (i = 0; i < aw->nfilters; i++)
		rf_free(aw->filters[i]);
	aw->nfilters = 0;
	if (aw->running) {
		aws_job_cancel(aw->graph_job);
		aws_job_cancel(aw->sum_job);
	}
	app_aws_refresh(app);
}

/* What the status bar says about the fetch, or NULL. */
const char *
app_aws_status(struct app *app, char *buf, size_t len)
{
	struct app_aws *aw = app->aws;

	if (aw == NULL)
		return NULL;
	if (aw->running)
		snprintf(buf, len, "fetching: %.0f%% of the window, %lu trace%s", aw->prog.window_done * 100,
		    aw->prog.summaries, aw->prog.summaries == 1 ? "" : "s");
	else if (aw->trace_job != NULL)
		snprintf(buf, len, "fetching a trace");
	else if (app->data.nsums >= AWS_DEFAULT_LIMIT)
		snprintf(buf, len, "the newest %d", AWS_DEFAULT_LIMIT);
	else
		return NULL;
	return buf;
}

void
app_aws_close(struct app *app)
{
	struct app_aws *aw = app->aws;
	size_t i;

	if (aw == NULL)
		return;
	if (aw->refresh_timer != 0)
		loop_cancel_timer(app->lp, aw->refresh_timer);
	if (aw->reap_timer != 0)
		loop_cancel_timer(app->lp, aw->reap_timer);
	reap(aw);
	aws_job_free(aw->graph_job);
	aws_job_free(aw->sum_job);
	aws_job_free(aw->groups_job);
	aws_job_free(aw->rules_job);
	aws_job_free(aw->trace_job);
	for (i = 0; i < aw->nfilters; i++)
		rf_free(aw->filters[i]);
	svcmap_free(aw->next_map);
	free(aw->next_sums);
	arena_free(aw->next_arena);
	free(aw->groups);
	arena_free(aw->meta);
	free(aw->dead);
	aws_free(aw->a);
	if (app->data.groups == aw->groups)
		app->data.groups = NULL, app->data.ngroups = 0;
	if (app->data.rules == aw->rules)
		app->data.rules = NULL, app->data.nrules = 0;
	free(aw);
	app->aws = NULL;
}

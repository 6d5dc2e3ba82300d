/* app-data.c - where the TUI's data comes from, and its scope.
 *
 * Files (and the demo) are read by a worker thread into a new store, map
 * and summaries; when it is done it writes a byte to a pipe that the loop
 * watches, and the loop's thread swaps the new data in at once.  The scope
 * (time window and group) narrows the trace list and the map: the map of a
 * scope is built again from the traces in it, once per change.
 */
#include "config.h"

#include "app-private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xraytop/arena.h"
#include "xraytop/filter.h"
#include "xraytop/groups.h"
#include "xraytop/json-in.h"
#include "xraytop/listener.h"
#include "xraytop/log.h"
#include "xraytop/loop.h"
#include "xraytop/source-file.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/xmalloc.h"

/* Inputs up to this size keep each document's JSON text (for `r`). */
#define RAW_KEEP_MAX	(256ull << 20)
#define MAX_PROBLEMS	200

struct app_load {
	pthread_t	 thread;
	int		 started;
	int		 pipe[2];
	char		**paths;
	size_t		 npaths;
	int		 threads;
	unsigned	 json_opts;
	_Atomic uint64_t docs;

	/* results, read after the thread is joined */
	struct app_data	 data;
	struct arena	*arena;
	struct trace_summary *api;       /* summaries given as such */
	size_t		 napi, capapi;
	struct source_file_stats stats;
	int		 rc;
	pthread_mutex_t	 mu;
	char		**problems;
	size_t		 nproblems;
	uint64_t	 more_problems;
};

/* ------------------------------------------------------------ the worker */

static void
load_document(void *ctx, const struct segment *doc)
{
	struct app_load *ld = ctx;

	store_add(ld->data.store, doc);
	svcmap_add(ld->data.map, doc);
	atomic_fetch_add(&ld->docs, 1);
}

static void
load_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	struct app_load *ld = ctx;

	svcmap_load_graph(ld->data.map, svcs, n);
}

/* Keep a copy of a summary given as such (GetTraceSummaries). */
static void
load_summary(void *ctx, const struct trace_summary *s)
{
	struct app_load *ld = ctx;

	if (ld->napi == ld->capapi) {
		ld->capapi = ld->capapi ? ld->capapi * 2 : 64;
		ld->api = xreallocarray(ld->api, ld->capapi, sizeof *ld->api);
	}
	summary_copy(&ld->api[ld->napi++], s, ld->arena);
	atomic_fetch_add(&ld->docs, 1);
}

static void
load_report(void *ctx, const char *msg)
{
	struct app_load *ld = ctx;

	pthread_mutex_lock(&ld->mu);
	if (ld->nproblems < MAX_PROBLEMS) {
		ld->problems = xreallocarray(ld->problems, ld->nproblems + 1, sizeof *ld->problems);
		ld->problems[ld->nproblems++] = xstrdup(msg);
	} else
		ld->more_problems++;
	pthread_mutex_unlock(&ld->mu);
	log_warn("%s", msg);
}

/* One summary per trace with documents (store order), after those given
 * as such; and the data's time span. */
static void
load_summaries(struct app_load *ld)
{
	struct app_data *d = &ld->data;
	size_t n = store_ntraces(d->store), i, k = 0;
	double s, e;

	d->sums = xcalloc(ld->napi + n + 1, sizeof *d->sums);
	if (ld->napi > 0)
		memcpy(d->sums, ld->api, ld->napi * sizeof *ld->api);
	k = ld->napi;
	for (i = 0; i < n; i++) {
		struct trace *t = store_trace(d->store, i);

		if (t->nsegments == 0 && t->npending == 0)
			continue;
		summary_from_trace(&d->sums[k++], t, ld->arena);
	}
	d->nsums = k;
	svcmap_window(d->map, &s, &e);
	d->first = s;
	d->last = e;
	for (i = 0; i < d->nsums; i++) {
		const struct trace_summary *t = &d->sums[i];
		double end = t->start + (t->duration > 0 ? t->duration : 0);

		if (t->start > 0 && (d->first == 0 || t->start < d->first))
			d->first = t->start;
		if (end > d->last)
			d->last = end;
	}
}

static void *
load_main(void *arg)
{
	struct app_load *ld = arg;
	struct source_file_opts fo;
	struct sink sink;
	char c = 'x';
	ssize_t w;

	memset(&fo, 0, sizeof fo);
	fo.json_opts = ld->json_opts;
	fo.threads = ld->threads;
	fo.report = load_report;
	fo.report_ctx = ld;
	sink = (struct sink){ .ctx = ld, .document = load_document, .summary = load_summary,
	    .graph = load_graph };
	ld->rc = source_file_read((const char *const *)ld->paths, ld->npaths, &fo, &sink, &ld->stats);
	load_summaries(ld);
	ld->data.documents = ld->stats.documents + ld->stats.summaries + ld->stats.services;
	ld->data.bad = ld->stats.bad;
	ld->data.raw = (ld->json_opts & JSON_KEEP_RAW) != 0;
	do
		w = write(ld->pipe[1], &c, 1);
	while (w < 0 && errno == EINTR);
	return NULL;
}

static void
load_free(struct app_load *ld)
{
	size_t i;

	if (ld == NULL)
		return;
	if (ld->pipe[0] >= 0)
		close(ld->pipe[0]);
	if (ld->pipe[1] >= 0)
		close(ld->pipe[1]);
	app_data_free(&ld->data, ld->arena);
	free(ld->api);
	for (i = 0; i < ld->nproblems; i++)
		free(ld->problems[i]);
	free(ld->problems);
	pthread_mutex_destroy(&ld->mu);
	free(ld);
}

/* The worker is done: take its data. */
static void
on_loaded(void *ctx, int fd, unsigned revents)
{
	struct app *app = ctx;
	struct app_load *ld = app->load;
	char buf[16];
	size_t i;

	if (read(fd, buf, sizeof buf) <= 0 && !(revents & LOOP_ERR))
		return;
	loop_remove_fd(app->lp, fd);
	pthread_join(ld->thread, NULL);
	ld->started = 0;

	app_data_free(&app->data, app->sum_arena);
	app->data = ld->data;
	app->data.generation = 1;
	app->sum_arena = ld->arena;
	memset(&ld->data, 0, sizeof ld->data);
	ld->arena = NULL;
	/* The file's problems after the configuration's. */
	for (i = (size_t)app->config_problems; i < app->nproblems; i++)
		free(app->problems[i]);
	app->nproblems = (size_t)app->config_problems;
	app->problems = xreallocarray(app->problems, app->nproblems + ld->nproblems + 1,
	    sizeof *app->problems);
	for (i = 0; i < ld->nproblems; i++)
		app->problems[app->nproblems++] = ld->problems[i];
	ld->nproblems = 0;
	if (ld->more_problems > 0) {
		app->problems = xreallocarray(app->problems, app->nproblems + 1, sizeof *app->problems);
		app->problems[app->nproblems++] = xasprintf("... and %llu more",
		    (unsigned long long)ld->more_problems);
	}
	app->data.groups = app->groups;
	app->data.ngroups = app->ngroups;
	app->data_time = app_now(app);
	if (ld->rc != 0 && app->data.nsums == 0 && svcmap_nnodes(app->data.map) == 0)
		app_error(app, "%s", app->nproblems > (size_t)app->config_problems ?
		    app->problems[app->config_problems] : "could not read the input");
	else if (app->data.bad > 0)
		app_error(app, "%llu bad item%s skipped (:errors lists them); the rest was used",
		    (unsigned long long)app->data.bad, app->data.bad == 1 ? "" : "s");
	else if (ld->rc != 0)
		app_error(app, "%s", app->nproblems > (size_t)app->config_problems ?
		    app->problems[app->config_problems] : "an input could not be read");
	else if (app->config_problems > 0)
		app_error(app, "%zu traces; %d problem%s in the configuration (:errors lists them)",
		    app->data.nsums, app->config_problems, app->config_problems == 1 ? "" : "s");
	else
		app_message(app, "%zu trace%s, %zu service%s", app->data.nsums,
		    app->data.nsums == 1 ? "" : "s", svcmap_nnodes(app->data.map),
		    svcmap_nnodes(app->data.map) == 1 ? "" : "s");
	load_free(ld);
	app->load = NULL;
	app->scope_version++;
	if (app->pending_since != NULL) {
		char cmd[256];

		snprintf(cmd, sizeof cmd, "since %s", app->pending_since);
		app->pending_since = NULL;
		app_command(app, cmd);
	}
	app_data_changed(app);
	app_script_schedule(app);
}

/* Redraw the progress while loading. */
static void
on_load_tick(void *ctx)
{
	struct app *app = ctx;

	if (app->load == NULL)
		return;
	app_dirty(app);
	loop_add_timer(app->lp, 0.25, on_load_tick, app);
}

static int
start_files(struct app *app, char **paths, size_t npaths, char *err, size_t errlen)
{
	struct app_load *ld;
	unsigned long long total = 0;
	struct stat st;
	size_t i;

	ld = xcalloc(1, sizeof *ld);
	ld->pipe[0] = ld->pipe[1] = -1;
	pthread_mutex_init(&ld->mu, NULL);
	if (pipe(ld->pipe) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		load_free(ld);
		return -1;
	}
	fcntl(ld->pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(ld->pipe[1], F_SETFD, FD_CLOEXEC);
	ld->paths = paths;
	ld->npaths = npaths;
	ld->threads = app->opts.threads;
	for (i = 0; i < npaths; i++)
		if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0)
			total += (unsigned long long)st.st_size;
	/* Raw text costs as much memory as the input: keep it for modest inputs. */
	ld->json_opts = total <= RAW_KEEP_MAX ? JSON_KEEP_RAW : 0;
	ld->data.store = store_new();
	ld->data.map = svcmap_new();
	ld->arena = arena_new(0);
	atomic_init(&ld->docs, 0);
	if (pthread_create(&ld->thread, NULL, load_main, ld) != 0) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(errno));
		load_free(ld);
		return -1;
	}
	ld->started = 1;
	app->load = ld;
	loop_add_fd(app->lp, ld->pipe[0], LOOP_IN, on_loaded, app);
	loop_add_timer(app->lp, 0.25, on_load_tick, app);
	return 0;
}

long long
app_loading(struct app *app)
{
	if (app->load == NULL)
		return -1;
	return (long long)atomic_load(&app->load->docs);
}

/* ------------------------------------------------------------ live */

/* Exact latencies kept per node and edge before the histogram (as
 * `xraytop listen`), and what goes when the trace cap is passed. */
#define LIVE_SAMPLE_CAP   16384
#define EVICT_DIVISOR     16

struct app_live {
	struct listener	*l;
	size_t		 max_traces;
	uint64_t	 evicted;
	char		**gone;          /* ids of the traces being evicted */
	size_t		 ngone, capgone;
	struct trace	**dirty;         /* traces changed since the summaries were made */
	size_t		 ndirty, capdirty;
	int		 full;           /* the summaries must be made again, all of them */
	int		 pending;        /* something changed since the last frame */
	size_t		*slot;           /* id hash -> summary index + 1 */
	size_t		 nslot;
	struct arena	*held_arena;     /* documents held back while paused */
	struct segment	**held;
	size_t		 nheld, capheld;
};

static size_t
id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

/* The summary index of a trace id, or -1 (the table is rebuilt with the
 * summaries, open addressing, at most half full). */
static long
slot_find(struct app *app, const char *id, size_t **where)
{
	struct app_live *lv = app->live;
	size_t mask = lv->nslot - 1, j;

	for (j = id_hash(id) & mask; lv->slot[j] != 0; j = (j + 1) & mask)
		if (strcmp(app->data.sums[lv->slot[j] - 1].id, id) == 0) {
			*where = &lv->slot[j];
			return (long)(lv->slot[j] - 1);
		}
	*where = &lv->slot[j];
	return -1;
}

static void
slots_rebuild(struct app *app, size_t want)
{
	struct app_live *lv = app->live;
	size_t n = 16, i, *w;

	while (n < want * 2 + 2)
		n *= 2;
	free(lv->slot);
	lv->slot = xcalloc(n, sizeof *lv->slot);
	lv->nslot = n;
	for (i = 0; i < app->data.nsums; i++)
		if (slot_find(app, app->data.sums[i].id, &w) < 0)
			*w = i + 1;
}

/* Bring the summaries up to date with the store: all of them after an
 * eviction, else only the traces that changed. */
static void
live_summaries(struct app *app)
{
	struct app_live *lv = app->live;
	struct app_data *d = &app->data;
	size_t n = store_ntraces(d->store), i, *w;
	double s, e;

	if (lv->full || lv->slot == NULL || d->nsums + lv->ndirty + 1 > lv->nslot / 2) {
		arena_free(app->sum_arena);
		app->sum_arena = arena_new(0);
		free(d->sums);
		d->sums = xcalloc(n + 1, sizeof *d->sums);
		d->nsums = 0;
		for (i = 0; i < n; i++) {
			struct trace *t = store_trace(d->store, i);

			if (t->nsegments > 0 || t->npending > 0)
				summary_from_trace(&d->sums[d->nsums++], t, app->sum_arena);
		}
		slots_rebuild(app, n + 1024);
		lv->full = 0;
	} else {
		for (i = 0; i < lv->ndirty; i++) {
			struct trace *t = lv->dirty[i];
			long k = slot_find(app, t->id, &w);

			if (k < 0) {
				d->sums = xreallocarray(d->sums, d->nsums + 1, sizeof *d->sums);
				k = (long)d->nsums++;
				*w = (size_t)k + 1;
			}
			/* The old strings stay in the arena until the next full pass. */
			summary_from_trace(&d->sums[k], t, app->sum_arena);
		}
	}
	lv->ndirty = 0;
	svcmap_window(d->map, &s, &e);
	d->first = s;
	d->last = e;
}

static void
live_gone(void *ctx, const struct trace *t)
{
	struct app_live *lv = ctx;

	if (lv->ngone == lv->capgone) {
		lv->capgone = lv->capgone ? lv->capgone * 2 : 64;
		lv->gone = xreallocarray(lv->gone, lv->capgone, sizeof *lv->gone);
	}
	lv->gone[lv->ngone++] = xstrdup(t->id);
}

/* Take one document into the store and the map. */
static void
live_apply(struct app *app, const struct segment *doc)
{
	struct app_live *lv = app->live;
	struct trace *t;
	size_t n, k, i;

	t = store_add(app->data.store, doc);
	svcmap_add(app->data.map, doc);
	app->data.documents++;
	if (t != NULL && !lv->full) {
		for (i = lv->ndirty; i > 0 && i + 8 > lv->ndirty; i--)
			if (lv->dirty[i - 1] == t)
				break;
		if (i == 0 || i + 8 <= lv->ndirty) {
			if (lv->ndirty == lv->capdirty) {
				lv->capdirty = lv->capdirty ? lv->capdirty * 2 : 256;
				lv->dirty = xreallocarray(lv->dirty, lv->capdirty, sizeof *lv->dirty);
			}
			lv->dirty[lv->ndirty++] = t;
		}
	}
	n = store_ntraces(app->data.store);
	if (n > lv->max_traces) {
		/* The oldest go, a batch at a time; their counts stay in the map. */
		k = n - lv->max_traces + lv->max_traces / EVICT_DIVISOR;
		lv->evicted += store_evict(app->data.store, k, live_gone, lv);
		svcmap_forget_traces(app->data.map, (const char *const *)lv->gone, lv->ngone);
		for (i = 0; i < lv->ngone; i++)
			free(lv->gone[i]);
		lv->ngone = 0;
		lv->ndirty = 0;
		lv->full = 1;
	}
	lv->pending = 1;
}

/* The listener's sink: straight in, or held back while paused. */
static void
live_document(void *ctx, const struct segment *doc)
{
	struct app *app = ctx;
	struct app_live *lv = app->live;

	if (app->paused) {
		if (lv->held_arena == NULL)
			lv->held_arena = arena_new(0);
		if (lv->nheld == lv->capheld) {
			lv->capheld = lv->capheld ? lv->capheld * 2 : 256;
			lv->held = xreallocarray(lv->held, lv->capheld, sizeof *lv->held);
		}
		lv->held[lv->nheld++] = segment_copy(doc, lv->held_arena, NULL);
		app->paused_new++;
	} else
		live_apply(app, doc);
	app_dirty_later(app);
}

int
app_live_refresh(struct app *app)
{
	struct app_live *lv = app->live;

	if (lv == NULL || !lv->pending)
		return 0;
	lv->pending = 0;
	live_summaries(app);
	app->data.generation++;
	app->data_time = app_now(app);
	return 1;
}

static int
start_live(struct app *app, char *err, size_t errlen)
{
	struct app_live *lv = xcalloc(1, sizeof *lv);
	struct sink sink = { .ctx = app, .document = live_document };

	app->live = lv;
	lv->max_traces = app->opts.max_traces > 0 ? app->opts.max_traces : 10000;
	lv->full = 1;
	svcmap_set_sample_cap(app->data.map, LIVE_SAMPLE_CAP);
	lv->l = listener_new(&sink);
	if (listener_bind(lv->l, app->opts.listen, err, errlen) != 0 ||
	    (app->opts.forward != NULL && listener_forward(lv->l, app->opts.forward, err, errlen) != 0) ||
	    (app->opts.record != NULL && listener_record(lv->l, app->opts.record, err, errlen) != 0))
		return -1;
	if (listener_attach(lv->l, app->lp) != 0) {
		snprintf(err, errlen, "cannot watch the socket");
		return -1;
	}
	snprintf(app->source_label, sizeof app->source_label, "live %s", listener_address(lv->l));
	app->data.raw = 0;
	live_summaries(app);
	return 0;
}

static void
stop_live(struct app *app)
{
	struct app_live *lv = app->live;
	size_t i;

	if (lv == NULL)
		return;
	listener_free(lv->l);
	for (i = 0; i < lv->ngone; i++)
		free(lv->gone[i]);
	free(lv->gone);
	free(lv->dirty);
	free(lv->slot);
	free(lv->held);
	arena_free(lv->held_arena);
	free(lv);
	app->live = NULL;
}

int
app_source_start(struct app *app, char *err, size_t errlen)
{
	static char *demo[1];

	app->data.store = store_new();
	app->data.map = svcmap_new();
	app->sum_arena = arena_new(0);
	switch (app->source) {
	case SOURCE_DEMO:
		demo[0] = (char *)app_demo_path();
		if (demo[0] == NULL) {
			snprintf(err, errlen, "the demo data (demo/demo.jsonl) is not installed");
			return -1;
		}
		snprintf(app->source_label, sizeof app->source_label, "demo");
		return start_files(app, demo, 1, err, errlen);
	case SOURCE_FILES:
		if (app->opts.nfiles == 1) {
			const char *b = strrchr(app->opts.files[0], '/');

			snprintf(app->source_label, sizeof app->source_label, "%s",
			    b != NULL && b[1] != '\0' ? b + 1 : app->opts.files[0]);
		} else
			snprintf(app->source_label, sizeof app->source_label, "%zu files",
			    app->opts.nfiles);
		return start_files(app, app->opts.files, app->opts.nfiles, err, errlen);
	case SOURCE_LIVE:
		return start_live(app, err, errlen);
	case SOURCE_AWS:
		return app_aws_start(app);
	default:
		snprintf(err, errlen, "no source");
		return -1;
	}
}

void
app_source_stop(struct app *app)
{
	struct app_load *ld = app->load;

	if (ld != NULL) {
		/* The worker cannot be interrupted; wait for it (it ends with the
		 * input). */
		if (ld->started)
			pthread_join(ld->thread, NULL);
		loop_remove_fd(app->lp, ld->pipe[0]);
		load_free(ld);
		app->load = NULL;
	}
	stop_live(app);
	app_aws_close(app);
}

void
app_data_free(struct app_data *d, struct arena *a)
{
	store_free(d->store);
	svcmap_free(d->map);
	free(d->sums);
	arena_free(a);
	memset(d, 0, sizeof *d);
}

int
app_live_counters(struct app *app, uint64_t *received, uint64_t *invalid, uint64_t *dropped)
{
	const struct listener_counters *c;

	*received = *invalid = *dropped = 0;
	if (app->live == NULL)
		return 0;
	listener_update_drops(app->live->l);
	c = listener_counters(app->live->l);
	*received = c->received;
	*invalid = c->invalid + c->oversize;
	*dropped = c->dropped;
	return 1;
}

uint64_t
app_documents_taken(struct app *app)
{
	if (app->live != NULL)
		return listener_counters(app->live->l)->parsed;
	return app->data.documents;
}

void
app_pause(struct app *app, int paused)
{
	struct app_live *lv = app->live;
	size_t i;

	if (app->source != SOURCE_LIVE && app->source != SOURCE_AWS) {
		app_message(app, "nothing live to pause: the data comes from files");
		return;
	}
	app->paused = paused;
	if (paused)
		app_message(app, "paused: the screen holds still; new data waits (p resumes)");
	else if (app->aws != NULL) {
		app_message(app, "resumed");
		app_aws_refresh(app);
	} else {
		/* What arrived meanwhile goes in, in the order it came. */
		if (lv != NULL) {
			for (i = 0; i < lv->nheld; i++)
				live_apply(app, lv->held[i]);
			lv->nheld = 0;
			arena_free(lv->held_arena);
			lv->held_arena = NULL;
		}
		app_message(app, "resumed: %llu new document%s", (unsigned long long)app->paused_new,
		    app->paused_new == 1 ? "" : "s");
		app->paused_new = 0;
	}
	app_dirty(app);
}

/* ------------------------------------------------------------ scope */

void
app_set_window(struct app *app, int has, double from, double to, const char *label)
{
	app->has_window = has;
	app->win_from = from;
	app->win_to = to;
	app->win_span = 0;
	snprintf(app->win_label, sizeof app->win_label, "%s", has && label != NULL ? label : "");
	app->scope_version++;
	app_aws_scope_changed(app);
	app_data_changed(app);
}

int
app_set_group(struct app *app, const char *name, char *err, size_t errlen)
{
	const struct xray_group *g = NULL;
	size_t i;

	if (name == NULL || *name == '\0' || strcmp(name, "Default") == 0) {
		free(app->group);
		free(app->group_filter);
		app->group = app->group_filter = NULL;
		app->scope_version++;
		app_aws_scope_changed(app);
		app_data_changed(app);
		return 0;
	}
	for (i = 0; i < app->data.ngroups; i++)
		if (strcmp(app->data.groups[i].name, name) == 0)
			g = &app->data.groups[i];
	if (g == NULL) {
		snprintf(err, errlen, "no group '%s' (3 lists the groups)", name);
		return -1;
	}
	if (g->filter != NULL && app_filter_check(app, g->filter, err, errlen, NULL, NULL) != 0)
		return -1;
	free(app->group);
	free(app->group_filter);
	app->group = xstrdup(g->name);
	app->group_filter = g->filter != NULL ? xstrdup(g->filter) : NULL;
	app->scope_version++;
	app_aws_scope_changed(app);
	app_data_changed(app);
	return 0;
}

void
app_set_sliding_window(struct app *app, double span, const char *label)
{
	app_set_window(app, 1, app_now(app) - span, 0, label);
	app->win_span = span;
}

/* A sliding window starts span seconds before now. */
static double
window_from(struct app *app)
{
	return app->win_span > 0 ? app_now(app) - app->win_span : app->win_from;
}

int
app_window(struct app *app, double *from, double *to)
{
	*from = window_from(app);
	*to = app->win_to;
	return app->has_window;
}

const char *
app_group(struct app *app)
{
	return app->group;
}

int
app_in_scope(struct app *app, const struct trace_summary *s)
{
	if (app->has_window) {
		if (s->start < window_from(app))
			return 0;
		if (app->win_to > 0 && s->start >= app->win_to)
			return 0;
	}
	/* What AWS sends is already the group's. */
	if (app->group_filter != NULL && app->aws == NULL) {
		struct trace *t = store_find(app->data.store, s->id);

		if (!app_filter_match(app, app->group_filter, s, t))
			return 0;
	}
	return 1;
}

struct svcmap *
app_map(struct app *app)
{
	struct svcmap *m;
	size_t i, j;

	/* AWS: the service graph of the window and group, as X-Ray made it. */
	if ((!app->has_window && app->group_filter == NULL) || store_ntraces(app->data.store) == 0 ||
	    app->aws != NULL)
		return app->data.map;
	if (app->scoped != NULL && app->scoped_gen == app->data.generation &&
	    app->scoped_version == app->scope_version)
		return app->scoped;
	svcmap_free(app->scoped);
	m = svcmap_new();
	for (i = 0; i < app->data.nsums; i++) {
		const struct trace_summary *s = &app->data.sums[i];
		struct trace *t;

		if (!app_in_scope(app, s) || (t = store_find(app->data.store, s->id)) == NULL)
			continue;
		for (j = 0; j < t->nsegments; j++)
			svcmap_add(m, t->segments[j]);
		for (j = 0; j < t->npending; j++)
			svcmap_add(m, t->pending[j]);
	}
	app->scoped = m;
	app->scoped_gen = app->data.generation;
	app->scoped_version = app->scope_version;
	return m;
}

/* ------------------------------------------------------------ the demo */

/* Is path readable? */
static int
readable(const char *path)
{
	return access(path, R_OK) == 0;
}

const char *
app_demo_path(void)
{
	static char path[PATH_MAX + 64];
	char exe[PATH_MAX], dir[PATH_MAX];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	dir[0] = '\0';
	if (n > 0) {
		exe[n] = '\0';
		snprintf(dir, sizeof dir, "%s", exe);
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
	}
	/* From the build tree: the source tree's copy. */
	if (dir[0] != '\0' && strcmp(dir, XT_BUILDDIR) == 0) {
		snprintf(path, sizeof path, "%s/demo/demo.jsonl", XT_SRCDIR);
		if (readable(path))
			return path;
	}
	snprintf(path, sizeof path, "%s/demo/demo.jsonl", XT_PKGDATADIR);
	if (readable(path))
		return path;
	/* An installation moved elsewhere: PREFIX/bin/xraytop, PREFIX/share/xraytop. */
	if (dir[0] != '\0') {
		snprintf(path, sizeof path, "%s/../share/xraytop/demo/demo.jsonl", dir);
		if (readable(path))
			return path;
		snprintf(path, sizeof path, "%s/demo/demo.jsonl", dir);
		if (readable(path))
			return path;
	}
	return NULL;
}

/* ------------------------------------------------------------ filters */

/* Compiled filters, most recently used first: a trace list evaluates its
 * expression over every trace, and the group's too. */
#define FILTER_CACHE 8

static struct {
	char		*text;
	struct filter	*f;
	uint64_t	 gen;
} fcache[FILTER_CACHE];

static const char *
group_lookup(void *ctx, const char *key, int by_arn)
{
	struct app *app = ctx;
	size_t i;

	for (i = 0; i < app->data.ngroups; i++) {
		const struct xray_group *g = &app->data.groups[i];
		const char *k = by_arn ? g->arn : g->name;

		if (k != NULL && strcmp(k, key) == 0)
			return g->filter != NULL ? g->filter : "";
	}
	return NULL;
}

/* Parse and bind expr; NULL with *err on error. */
static struct filter *
compile(struct app *app, const char *expr, struct filter_error *err)
{
	struct filter_groups groups = { group_lookup, app };
	struct filter *f;

	memset(err, 0, sizeof *err);
	if ((f = filter_parse(expr, err)) == NULL)
		return NULL;
	if (filter_bind(f, &groups, err) != 0) {
		filter_free(f);
		return NULL;
	}
	return f;
}

static struct filter *
cached(struct app *app, const char *expr)
{
	struct filter_error err;
	struct filter *f;
	size_t i;

	for (i = 0; i < FILTER_CACHE; i++)
		if (fcache[i].text != NULL && fcache[i].gen == app->data.generation &&
		    strcmp(fcache[i].text, expr) == 0) {
			if (i > 0) {
				/* Move to the front. */
				char *t = fcache[i].text;
				struct filter *cf = fcache[i].f;
				uint64_t g = fcache[i].gen;

				memmove(fcache + 1, fcache, i * sizeof fcache[0]);
				fcache[0].text = t;
				fcache[0].f = cf;
				fcache[0].gen = g;
			}
			return fcache[0].f;
		}
	if ((f = compile(app, expr, &err)) == NULL)
		return NULL;
	free(fcache[FILTER_CACHE - 1].text);
	filter_free(fcache[FILTER_CACHE - 1].f);
	memmove(fcache + 1, fcache, (FILTER_CACHE - 1) * sizeof fcache[0]);
	fcache[0].text = xstrdup(expr);
	fcache[0].f = f;
	fcache[0].gen = app->data.generation;
	return f;
}

void
app_filters_free(void)
{
	size_t i;

	for (i = 0; i < FILTER_CACHE; i++) {
		free(fcache[i].text);
		filter_free(fcache[i].f);
		fcache[i].text = NULL;
		fcache[i].f = NULL;
	}
}

int
app_filter_check(struct app *app, const char *expr, char *err, size_t errlen, long *pos,
    int *width)
{
	struct filter_error fe;
	struct filter *f = compile(app, expr, &fe);

	if (f != NULL) {
		filter_free(f);
		return 0;
	}
	snprintf(err, errlen, "%s", fe.message[0] != '\0' ? fe.message : "not a filter expression");
	if (pos != NULL)
		*pos = (long)fe.offset;
	if (width != NULL)
		*width = fe.width > 0 ? fe.width : 1;
	return -1;
}

int
app_filter_match(struct app *app, const char *expr, const struct trace_summary *s,
    const struct trace *t)
{
	struct filter *f = cached(app, expr);

	if (f == NULL)
		return 0;
	if (t != NULL)
		return filter_match(f, t) == 1;
	switch (filter_match_summary(f, s)) {
	case 1:
		return 1;
	case 0:
		return 0;
	default:
		/* What the summary cannot tell: X-Ray can (else no match). */
		return app_aws_filter_match(app, expr, s->id);
	}
}

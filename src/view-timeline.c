/* view-timeline.c - one trace as a collapsible waterfall, with the details
 * of the selected entity in X-Ray's own terms.
 *
 * The rows and their order come from tracetree.h (as the text waterfall).
 * Big traces open collapsed: the deepest level whose rows number at most
 * BIG_ROWS is shown, and deeper subtrees fold into "+N hidden".  Only the
 * rows on screen are drawn, so a 10,000-entity trace costs what a small
 * one does per frame.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app-private.h"
#include "xraytop/model.h"
#include "xraytop/store.h"
#include "xraytop/text.h"
#include "xraytop/tracetree.h"
#include "xraytop/view.h"
#include "xraytop/xmalloc.h"

#define BIG_ROWS   200   /* rows shown expanded when a trace opens */
#define STATUS_W   7     /* "FLT 503" */
#define DUR_W      7
#define LABEL_MIN  16
#define BAR_MIN    10
#define KEY_W(w)   ((w) >= 80 ? 24 : 16)  /* the key column of the details */

struct dline {
	char		*key;      /* NULL: a section title (text) or a continuation */
	char		*text;
	enum theme_slot	 slot;
	int		 title;
};

struct timeline {
	char		 id[64];
	struct trace	*t;
	struct tracetree tt;
	unsigned char	*collapsed;   /* per tree row */
	size_t		*vis;         /* shown rows: tree row indices */
	size_t		 nvis;
	struct vlist	 list;        /* over vis */
	size_t		*slow;        /* tree rows by duration, longest first */
	size_t		 slow_at;
	uint64_t	 gen;

	int		 details;     /* the details pane is shown */
	int		 focus;       /* 1: keys go to the details */
	struct dline	*dl;
	size_t		 ndl;
	size_t		 dl_row;      /* the tree row the details are of */
	int		 dl_width;
	struct vlist	 dlist;
	int		 tree_y, tree_h; /* where the rows were drawn (for the mouse) */
};

/* ------------------------------------------------------------ the tree */

static void
compute_visible(struct timeline *tl)
{
	size_t i;

	tl->nvis = 0;
	for (i = 0; i < tl->tt.nrows; ) {
		tl->vis[tl->nvis++] = i;
		i += tl->collapsed[i] ? tl->tt.rows[i].size : 1;
	}
	vlist_set(&tl->list, tl->nvis);
}

/* The visible index of tree row r, expanding its ancestors if needed. */
static size_t
reveal(struct timeline *tl, size_t r)
{
	long p;
	size_t i;

	for (p = tl->tt.rows[r].parent; p >= 0; p = tl->tt.rows[p].parent)
		tl->collapsed[p] = 0;
	compute_visible(tl);
	for (i = 0; i < tl->nvis; i++)
		if (tl->vis[i] == r)
			return i;
	return 0;
}

static size_t
selected_row(const struct timeline *tl)
{
	return tl->nvis > 0 ? tl->vis[tl->list.sel] : 0;
}

static double
row_duration(const struct timeline *tl, size_t r)
{
	return tracetree_end(&tl->tt, r) - tl->tt.rows[r].s->start_time;
}

static const struct timeline *slow_tl;   /* for the comparator */

static int
slow_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	double da = row_duration(slow_tl, a), db = row_duration(slow_tl, b);

	if (da != db)
		return da > db ? -1 : 1;
	return (a > b) - (a < b);
}

/* Fold big traces: show the deepest levels that fit in BIG_ROWS rows. */
static void
initial_collapse(struct timeline *tl)
{
	size_t *per_depth, maxd = 0, i, d, total = 0, keep = 0;

	memset(tl->collapsed, 0, tl->tt.nrows + 1);
	if (tl->tt.nrows <= BIG_ROWS)
		return;
	for (i = 0; i < tl->tt.nrows; i++)
		if (tl->tt.rows[i].depth > maxd)
			maxd = tl->tt.rows[i].depth;
	per_depth = xcalloc(maxd + 2, sizeof *per_depth);
	for (i = 0; i < tl->tt.nrows; i++)
		per_depth[tl->tt.rows[i].depth]++;
	for (d = 0; d <= maxd; d++) {
		total += per_depth[d];
		if (total > BIG_ROWS)
			break;
		keep = d;
	}
	free(per_depth);
	for (i = 0; i < tl->tt.nrows; i++)
		if (tl->tt.rows[i].depth >= keep && tl->tt.rows[i].size > 1)
			tl->collapsed[i] = 1;
}

/* Lay the trace out again (new data); the selection stays on the same
 * entity when it is still there. */
static int
build(struct view *v)
{
	struct timeline *tl = v->priv;
	const struct app_data *d = app_data(v->app);
	const struct segment *keep = NULL;
	char keep_id[64] = "";
	size_t i;

	if (tl->tt.nrows > 0 && tl->nvis > 0) {
		keep = tl->tt.rows[selected_row(tl)].s;
		snprintf(keep_id, sizeof keep_id, "%s", keep->id != NULL ? keep->id : "");
	}
	tracetree_free(&tl->tt);
	free(tl->collapsed);
	free(tl->vis);
	free(tl->slow);
	tl->collapsed = NULL;
	tl->vis = tl->slow = NULL;
	tl->nvis = 0;
	tl->t = store_find(d->store, tl->id);
	tl->gen = d->generation;
	tracetree_build(&tl->tt, tl->t);
	tl->collapsed = xcalloc(tl->tt.nrows + 1, 1);
	tl->vis = xcalloc(tl->tt.nrows + 1, sizeof *tl->vis);
	tl->slow = xcalloc(tl->tt.nrows + 1, sizeof *tl->slow);
	for (i = 0; i < tl->tt.nrows; i++)
		tl->slow[i] = i;
	slow_tl = tl;
	if (tl->tt.nrows > 1)
		qsort(tl->slow, tl->tt.nrows, sizeof *tl->slow, slow_cmp);
	tl->slow_at = (size_t)-1;   /* the first jump goes to the slowest */
	initial_collapse(tl);
	compute_visible(tl);
	tl->list.sel = 0;
	if (keep_id[0] != '\0')
		for (i = 0; i < tl->tt.nrows; i++)
			if (tl->tt.rows[i].s->id != NULL && strcmp(tl->tt.rows[i].s->id, keep_id) == 0) {
				vlist_select(&tl->list, reveal(tl, i));
				break;
			}
	tl->dl_row = (size_t)-1;
	return tl->t != NULL ? 0 : -1;
}

/* ------------------------------------------------------------ details */

static void
dl_add(struct timeline *tl, const char *key, const char *text, enum theme_slot slot, int title)
{
	tl->dl = xreallocarray(tl->dl, tl->ndl + 1, sizeof *tl->dl);
	tl->dl[tl->ndl].key = key != NULL ? xstrdup(key) : NULL;
	tl->dl[tl->ndl].text = xstrdup(text != NULL ? text : "");
	tl->dl[tl->ndl].slot = slot;
	tl->dl[tl->ndl].title = title;
	tl->ndl++;
}

/* A key and its value, the value wrapped to the pane's width; nothing
 * when the value is absent. */
static void
dl_kv(struct timeline *tl, const char *key, const char *value, enum theme_slot slot)
{
	char buf[4096];
	const char *p;
	int w = tl->dl_width - KEY_W(tl->dl_width) - 2;
	size_t n, len, space;
	uint32_t c;
	int first = 1, cols;

	if (value == NULL || *value == '\0')
		return;
	text_sanitize(value, buf, sizeof buf);
	if (w < 10)
		w = 10;
	for (p = buf; *p != '\0' || first; ) {
		/* As many characters as fit in w columns, cut after a space
		 * when there is one in the second half. */
		for (len = 0, cols = 0, space = 0; p[len] != '\0'; len += n) {
			n = text_utf8_next(p + len, &c);
			if (n == 0)
				n = 1;
			if (cols + 1 > w)
				break;
			cols++;
			if (p[len] == ' ' && cols > w / 2)
				space = len + 1;
		}
		if (p[len] != '\0' && space > 0)
			len = space;
		{
			char *line = xstrndup(p, len);

			dl_add(tl, first ? key : NULL, line, slot, 0);
			free(line);
		}
		first = 0;
		p += len;
		if (len == 0)
			break;
	}
}

static void
dl_title(struct timeline *tl, const char *title)
{
	if (tl->ndl > 0)
		dl_add(tl, NULL, "", SLOT_DEFAULT, 0);
	dl_add(tl, NULL, title, SLOT_SECTION, 1);
}

static void
dl_time(struct timeline *tl, struct app *app, const char *key, double t)
{
	char buf[64];

	if (t <= 0)
		return;
	dl_kv(tl, key, text_time(t, app_utc(app), buf, sizeof buf), SLOT_VALUE);
}

/* Compact JSON reindented, one line per member (for metadata). */
static void
dl_json(struct timeline *tl, const char *json)
{
	char line[1024];
	size_t o = 0;
	int depth = 0, in_str = 0, esc = 0;
	const char *p;

	for (p = json; *p != '\0'; p++) {
		char c = *p;

		if (in_str) {
			if (o + 1 < sizeof line)
				line[o++] = c;
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			if (o + 1 < sizeof line)
				line[o++] = c;
		} else if (c == '{' || c == '[') {
			if (p[1] == (c == '{' ? '}' : ']')) {
				if (o + 2 < sizeof line) {
					line[o++] = c;
					line[o++] = p[1];
				}
				p++;
				continue;
			}
			if (o + 1 < sizeof line)
				line[o++] = c;
			line[o] = '\0';
			dl_kv(tl, "", line, SLOT_VALUE);
			depth++;
			o = (size_t)snprintf(line, sizeof line, "%*s", depth * 2 > 40 ? 40 : depth * 2, "");
		} else if (c == '}' || c == ']') {
			line[o] = '\0';
			if (o > 0 && strspn(line, " ") != o)
				dl_kv(tl, "", line, SLOT_VALUE);
			depth = depth > 0 ? depth - 1 : 0;
			o = (size_t)snprintf(line, sizeof line, "%*s%c", depth * 2 > 40 ? 40 : depth * 2, "", c);
		} else if (c == ',') {
			if (o + 1 < sizeof line)
				line[o++] = c;
			line[o] = '\0';
			dl_kv(tl, "", line, SLOT_VALUE);
			o = (size_t)snprintf(line, sizeof line, "%*s", depth * 2 > 40 ? 40 : depth * 2, "");
		} else if (c == ':') {
			if (o + 2 < sizeof line) {
				line[o++] = ':';
				line[o++] = ' ';
			}
		} else if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
			if (o + 1 < sizeof line)
				line[o++] = c;
		}
	}
	line[o] = '\0';
	if (o > 0 && strspn(line, " ") != o)
		dl_kv(tl, "", line, SLOT_VALUE);
}

static void
dl_free(struct timeline *tl)
{
	size_t i;

	for (i = 0; i < tl->ndl; i++) {
		free(tl->dl[i].key);
		free(tl->dl[i].text);
	}
	free(tl->dl);
	tl->dl = NULL;
	tl->ndl = 0;
}

static enum theme_slot
class_slot(const struct segment *s, const char **what)
{
	if (s->flags & SEG_FAULT) {
		*what = "FLT";
		return SLOT_FAULT;
	}
	if (s->flags & SEG_THROTTLE) {
		*what = "THR";
		return SLOT_THROTTLE;
	}
	if (s->flags & SEG_ERROR) {
		*what = "ERR";
		return SLOT_ERROR;
	}
	if (s->flags & SEG_IN_PROGRESS) {
		*what = "RUN";
		return SLOT_PARTIAL;
	}
	*what = "OK";
	return SLOT_OK;
}

/* The details of tree row r, in the order the X-Ray console shows them. */
static void
build_details(struct view *v, size_t r)
{
	struct timeline *tl = v->priv;
	struct app *app = v->app;
	const struct tt_row *row = &tl->tt.rows[r];
	const struct segment *s = row->s;
	char buf[1024], d[64];
	const char *what;
	enum theme_slot cls = class_slot(s, &what);
	size_t i, j;

	dl_free(tl);
	tl->dl_row = r;
	dl_title(tl, (s->flags & SEG_SUBSEGMENT) ? "Subsegment" : "Segment");
	dl_kv(tl, "name", s->name, SLOT_VALUE);
	dl_kv(tl, "id", s->id, SLOT_ID);
	dl_kv(tl, "parent", s->parent_id != NULL ? s->parent_id :
	    s->parent != NULL ? s->parent->id : NULL, SLOT_ID);
	dl_kv(tl, "trace", s->trace_id, SLOT_ID);
	dl_kv(tl, "origin", s->origin, SLOT_VALUE);
	dl_kv(tl, "namespace", s->namespace, SLOT_VALUE);
	snprintf(buf, sizeof buf, "%s%s%s%s", what,
	    (s->flags & SEG_ERROR) && (s->flags & SEG_FAULT) ? " +error" : "",
	    (s->flags & SEG_IN_PROGRESS) && strcmp(what, "RUN") != 0 ? " (in progress)" : "",
	    row->critical ? "  on the critical path" : "");
	dl_kv(tl, "status", buf, cls);
	dl_time(tl, app, "start", s->start_time);
	dl_time(tl, app, "end", s->end_time);
	if (!(s->flags & SEG_IN_PROGRESS))
		dl_kv(tl, "duration", text_duration(segment_duration(s), d, sizeof d), SLOT_NUMBER);
	dl_kv(tl, "user", s->user, SLOT_VALUE);
	dl_kv(tl, "resource arn", s->resource_arn, SLOT_VALUE);
	if (row->orphan)
		dl_kv(tl, "note", "its parent has not arrived (independent subsegment)", SLOT_WARNING);
	for (i = 0; i < s->nservice; i++) {
		snprintf(buf, sizeof buf, "service.%s", s->service[i].key);
		dl_kv(tl, buf, s->service[i].value, SLOT_VALUE);
	}
	if (s->http != NULL) {
		dl_title(tl, "HTTP");
		dl_kv(tl, "method", s->http->method, SLOT_VALUE);
		dl_kv(tl, "url", s->http->url, SLOT_VALUE);
		if (s->http->status > 0) {
			snprintf(buf, sizeof buf, "%d", s->http->status);
			dl_kv(tl, "status", buf, cls);
		}
		if (s->http->content_length >= 0) {
			snprintf(buf, sizeof buf, "%lld", s->http->content_length);
			dl_kv(tl, "content length", buf, SLOT_NUMBER);
		}
		dl_kv(tl, "user agent", s->http->user_agent, SLOT_VALUE);
		dl_kv(tl, "client ip", s->http->client_ip, SLOT_VALUE);
		if (s->flags & SEG_XFF)
			dl_kv(tl, "forwarded", "x_forwarded_for", SLOT_VALUE);
		if (s->flags & SEG_TRACED)
			dl_kv(tl, "traced", "true (the callee sent its own segment)", SLOT_VALUE);
	}
	if (s->sql != NULL) {
		dl_title(tl, "SQL");
		dl_kv(tl, "query", s->sql->sanitized_query, SLOT_VALUE);
		dl_kv(tl, "url", s->sql->url, SLOT_VALUE);
		dl_kv(tl, "connection", s->sql->connection_string, SLOT_VALUE);
		dl_kv(tl, "database", s->sql->database_type, SLOT_VALUE);
		dl_kv(tl, "version", s->sql->database_version, SLOT_VALUE);
		dl_kv(tl, "driver", s->sql->driver_version, SLOT_VALUE);
		dl_kv(tl, "user", s->sql->user, SLOT_VALUE);
		dl_kv(tl, "preparation", s->sql->preparation, SLOT_VALUE);
	}
	if (s->aws != NULL) {
		static const char *const named[] = { "operation", "table_name", "region", "request_id",
		    "retries", "account_id", "queue_url", "function_name" };

		dl_title(tl, "AWS");
		dl_kv(tl, "operation", s->aws->operation, SLOT_VALUE);
		dl_kv(tl, "table", s->aws->table_name, SLOT_VALUE);
		dl_kv(tl, "region", s->aws->region, SLOT_VALUE);
		dl_kv(tl, "request id", s->aws->request_id, SLOT_ID);
		if (s->aws->retries >= 0) {
			snprintf(buf, sizeof buf, "%d", s->aws->retries);
			dl_kv(tl, "retries", buf, s->aws->retries > 0 ? SLOT_ERROR : SLOT_NUMBER);
		}
		dl_kv(tl, "account", s->aws->account_id, SLOT_VALUE);
		dl_kv(tl, "queue url", s->aws->queue_url, SLOT_VALUE);
		dl_kv(tl, "function", s->aws->function_name, SLOT_VALUE);
		dl_kv(tl, "instance", s->aws->instance_id, SLOT_VALUE);
		dl_kv(tl, "zone", s->aws->availability_zone, SLOT_VALUE);
		/* The rest of the block as it came. */
		for (i = 0; i < s->aws->nfields; i++) {
			const char *k = s->aws->fields[i].key;
			int shown = 0;

			for (j = 0; j < sizeof named / sizeof named[0]; j++)
				if (strcmp(k, named[j]) == 0)
					shown = 1;
			if (!shown && strcmp(k, "ec2.instance_id") != 0 &&
			    strcmp(k, "ec2.availability_zone") != 0)
				dl_kv(tl, k, s->aws->fields[i].value, SLOT_VALUE);
		}
	}
	if (s->nannotations > 0) {
		dl_title(tl, "Annotations");
		for (i = 0; i < s->nannotations; i++) {
			const struct annotation *a = &s->annotations[i];

			if (a->type == ANNO_STRING)
				snprintf(buf, sizeof buf, "%s", a->str != NULL ? a->str : "");
			else if (a->type == ANNO_NUMBER)
				snprintf(buf, sizeof buf, "%.15g", a->num);
			else
				snprintf(buf, sizeof buf, "%s", a->boolean ? "true" : "false");
			dl_kv(tl, a->key, buf[0] != '\0' ? buf : "\"\"", SLOT_VALUE);
		}
	}
	if (s->metadata != NULL) {
		dl_title(tl, "Metadata");
		dl_json(tl, s->metadata);
	}
	if (s->cause != NULL) {
		const struct cause *c = s->cause;

		dl_title(tl, "Exceptions");
		if (c->exception_id != NULL)
			dl_kv(tl, "see exception", c->exception_id, SLOT_ID);
		dl_kv(tl, "directory", c->working_directory, SLOT_VALUE);
		for (i = 0; i < c->npaths; i++)
			dl_kv(tl, i == 0 ? "paths" : "", c->paths[i], SLOT_VALUE);
		for (i = 0; i < c->nexceptions; i++) {
			const struct exception *e = &c->exceptions[i];

			snprintf(buf, sizeof buf, "%s%s%s%s", e->type != NULL ? e->type : "exception",
			    e->message != NULL ? ": " : "", e->message != NULL ? e->message : "",
			    e->remote ? " (remote)" : "");
			dl_kv(tl, i == 0 ? "exception" : "caused", buf, cls == SLOT_OK ? SLOT_ERROR : cls);
			if (e->cause != NULL)
				dl_kv(tl, "cause id", e->cause, SLOT_ID);
			for (j = 0; j < e->nstack; j++) {
				const struct stack_frame *f = &e->stack[j];

				if (f->line > 0)
					snprintf(buf, sizeof buf, "%s (%s:%d)", f->label != NULL ? f->label : "?",
					    f->path != NULL ? f->path : "?", f->line);
				else
					snprintf(buf, sizeof buf, "%s (%s)", f->label != NULL ? f->label : "?",
					    f->path != NULL ? f->path : "?");
				dl_kv(tl, j == 0 ? "  at" : "", buf, SLOT_DIM);
			}
			if (e->truncated > 0) {
				snprintf(buf, sizeof buf, "%d frames left out", e->truncated);
				dl_kv(tl, "", buf, SLOT_DIM);
			}
			if (e->skipped > 0) {
				snprintf(buf, sizeof buf, "%d exceptions skipped", e->skipped);
				dl_kv(tl, "", buf, SLOT_DIM);
			}
		}
	}
	vlist_set(&tl->dlist, tl->ndl);
	tl->dlist.sel = tl->dlist.top = 0;
}

/* ------------------------------------------------------------ open */

static const char *
dl_row_text(void *ctx, size_t i, char *buf, size_t len)
{
	struct timeline *tl = ctx;

	snprintf(buf, len, "%s %s", tl->dl[i].key != NULL ? tl->dl[i].key : "", tl->dl[i].text);
	return buf;
}

static int
timeline_open(struct view *v, const void *arg)
{
	struct timeline *tl = v->priv;

	snprintf(tl->id, sizeof tl->id, "%s", (const char *)arg);
	tl->list.height = 10;
	tl->dlist.row_text = dl_row_text;
	tl->dlist.ctx = tl;
	tl->details = 1;
	if (build(v) != 0) {
		app_error(v->app, "no trace %s in the data", tl->id);
		return -1;
	}
	return 0;
}

static void
timeline_done(struct view *v)
{
	struct timeline *tl = v->priv;

	tracetree_free(&tl->tt);
	free(tl->collapsed);
	free(tl->vis);
	free(tl->slow);
	dl_free(tl);
}

static void
timeline_data_changed(struct view *v)
{
	struct timeline *tl = v->priv;

	if (app_data(v->app)->generation != tl->gen && build(v) != 0)
		app_error(v->app, "trace %s is no longer in the data", tl->id);
}

/* ------------------------------------------------------------ drawing */

/* "AWS::EC2::Instance" -> "EC2", "AWS::Lambda::Function" -> "Lambda::Function"
 * (as the text waterfall writes origins). */
static void
short_origin(const char *origin, char *out, size_t outlen)
{
	static const char *const tails[] = { "::Instance", "::Container", "::Environment" };
	char buf[256];
	const char *s = text_sanitize(origin, buf, sizeof buf);
	size_t n, i, tl;

	if (strncmp(s, "AWS::", 5) == 0 && s[5] != '\0')
		s += 5;
	n = strlen(s);
	for (i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		tl = strlen(tails[i]);
		if (n > tl && strcmp(s + n - tl, tails[i]) == 0) {
			n -= tl;
			break;
		}
	}
	snprintf(out, outlen, "%.*s", (int)n, s);
}

/* The tree guides and the name of tree row r, into buf. */
static void
row_label(struct timeline *tl, size_t r, int maxcols, char *buf, size_t len)
{
	const struct tt_row *row = &tl->tt.rows[r];
	const struct segment *s = row->s;
	const char *guides[64];
	char name[256], note[272], extra[256];
	size_t depth = row->depth, k, o = 0, levels;
	long a = (long)r;

	levels = depth;
	if (levels > (size_t)maxcols / 3 + 1)
		levels = (size_t)maxcols / 3 + 1;
	if (levels > sizeof guides / sizeof guides[0])
		levels = sizeof guides / sizeof guides[0];
	/* Walk up: the guide at each level says whether that ancestor has
	 * siblings below it. */
	for (k = depth; k >= 1 && a >= 0; k--) {
		const struct tt_row *ar = &tl->tt.rows[a];

		if (k <= levels) {
			if (k == depth)
				guides[k - 1] = ar->last ? (text_ascii() ? "`- " : "\u2514\u2500 ") :
				    (text_ascii() ? "|- " : "\u251c\u2500 ");
			else
				guides[k - 1] = ar->last ? "   " : (text_ascii() ? "|  " : "\u2502  ");
		}
		a = ar->parent;
	}
	buf[0] = '\0';
	for (k = 0; k < levels && o + 8 < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s", guides[k]);
	if (row->size > 1)
		o += (size_t)snprintf(buf + o, len - o, "%s ",
		    ui_glyph(tl->collapsed[r] ? UG_CLOSED : UG_OPEN));
	text_sanitize(s->name != NULL ? s->name : "?", name, sizeof name);
	note[0] = '\0';
	if (!(s->flags & SEG_SUBSEGMENT)) {
		if (s->origin != NULL) {
			short_origin(s->origin, extra, sizeof extra);
			snprintf(note, sizeof note, " (%s)", extra);
		}
	} else if (s->namespace != NULL) {
		text_sanitize(s->namespace, extra, sizeof extra);
		snprintf(note, sizeof note, " [%s]", extra);
	}
	snprintf(buf + o, len - o, "%s%s%s%s", (s->flags & SEG_SUBSEGMENT) ? "" :
	    (text_ascii() ? "* " : "\u25c6 "), name, note, row->orphan ? " (parent missing)" : "");
}

/* The bar of row r in bw columns at x; eighth blocks for the end. */
static void
draw_bar(struct timeline *tl, size_t r, int y, int x, int bw, enum theme_slot slot)
{
	static const char *const eighths[] = { " ", "\u258f", "\u258e", "\u258d",
	    "\u258c", "\u258b", "\u258a", "\u2589", "\u2588" };
	const struct segment *s = tl->tt.rows[r].s;
	double span = tl->tt.t1 - tl->tt.t0, x0 = 0, x1 = 0, end = tracetree_end(&tl->tt, r);
	int running = (s->flags & SEG_IN_PROGRESS) != 0, ascii = text_ascii();
	long a, c_end, e8, c;

	if (span > 0 && s->start_time > 0) {
		x0 = (s->start_time - tl->tt.t0) / span * bw;
		x1 = (end - tl->tt.t0) / span * bw;
	}
	if (x0 < 0)
		x0 = 0;
	if (x1 > bw)
		x1 = bw;
	if (x1 < x0)
		x1 = x0;
	x0 += 1e-7;
	x1 += 1e-7;
	a = (long)floor(x0);
	if (a >= bw)
		a = bw - 1;
	if (ascii || running) {
		c_end = lround(x1);
		if (c_end <= a)
			c_end = a + 1;
		ui_repeat(y, x + (int)a, (int)(c_end - a), slot,
		    ascii ? (running ? "~" : "#") : "\u2591");
		return;
	}
	e8 = lround(x1 * 8);
	if (e8 <= a * 8)
		e8 = a * 8 + 1;
	for (c = a; c < bw; c++) {
		long covered = e8 - c * 8;

		if (covered <= 0)
			break;
		ui_repeat(y, x + (int)c, 1, slot, eighths[covered >= 8 ? 8 : covered]);
	}
}

static void
draw_header(struct view *v, int y, int x, int w)
{
	struct timeline *tl = v->priv;
	const struct trace *t = tl->t;
	const struct segment *root = t != NULL ? trace_root(t) : NULL;
	char line[2048], when[64], dur[64], req[1024];
	int partial = t != NULL && t->npending > 0, used;
	size_t i;

	for (i = 0; i < tl->tt.nrows; i++)
		if ((tl->tt.rows[i].s->flags & SEG_IN_PROGRESS) && tl->tt.rows[i].s->parent == NULL)
			partial = 1;
	text_time(t != NULL ? t->start : 0, app_utc(v->app), when, sizeof when);
	if (t != NULL && t->start > 0 && t->end >= t->start)
		text_duration(t->end - t->start, dur, sizeof dur);
	else
		snprintf(dur, sizeof dur, "-");
	req[0] = '\0';
	if (root != NULL && root->http != NULL) {
		char status[16] = "";

		if (root->http->status > 0)
			snprintf(status, sizeof status, "%d ", root->http->status);
		snprintf(req, sizeof req, "%s%s%s%s", status,
		    root->http->method != NULL ? root->http->method : "",
		    root->http->method != NULL && root->http->url != NULL ? " " : "",
		    root->http->url != NULL ? root->http->url : "");
	}
	used = ui_text(y, x + 1, w - 1, SLOT_ID, tl->id);
	snprintf(line, sizeof line, "  %s  %s  %zu segment%s  %zu entit%s%s  ", when, dur,
	    t != NULL ? t->nsegments : 0, t != NULL && t->nsegments == 1 ? "" : "s", tl->tt.nrows,
	    tl->tt.nrows == 1 ? "y" : "ies", partial ? " (in progress)" : "");
	used += ui_text(y, x + 1 + used, w - 1 - used, SLOT_DIM, line);
	ui_text(y, x + 1 + used, w - 1 - used, SLOT_VALUE, req);
}

static void
draw_tree(struct view *v, int y, int x, int h, int w, int focused)
{
	struct timeline *tl = v->priv;
	char label[2048], buf[64], total[64];
	int lw, bw, rows, i, avail;

	/* Columns: mark, label, status, duration, bar.  The label gets what
	 * the rows on screen need, up to 55% of the room. */
	avail = w - 1 - 1 - STATUS_W - 1 - DUR_W - 1;
	rows = h - 1;
	vlist_scroll(&tl->list, rows);
	lw = 0;
	for (i = 0; i < rows && tl->list.top + (size_t)i < tl->nvis; i++) {
		size_t r = tl->vis[tl->list.top + (size_t)i];
		int need;

		row_label(tl, r, avail, label, sizeof label);
		need = (int)text_width(label);
		if (tl->collapsed[r] && tl->tt.rows[r].size > 1)
			need += snprintf(buf, sizeof buf, " +%zu hidden", tl->tt.rows[r].size - 1);
		if (need > lw)
			lw = need;
	}
	if (lw > avail * 55 / 100)
		lw = avail * 55 / 100;
	if (lw < LABEL_MIN)
		lw = LABEL_MIN;
	bw = avail - lw;
	if (bw < BAR_MIN) {
		bw = 0;
		lw = avail;
	}
	if (lw < 4)
		return;
	/* The axis. */
	ui_field(y, x + 1 + lw + 1, STATUS_W, SLOT_HEADER, "status", 0);
	ui_field(y, x + 1 + lw + 1 + STATUS_W + 1, DUR_W, SLOT_HEADER, "time", 1);
	if (bw > 0) {
		text_duration(tl->tt.t1 - tl->tt.t0, total, sizeof total);
		ui_fill(y, x + w - bw, bw, SLOT_HEADER);
		ui_text(y, x + w - bw, 1, SLOT_HEADER, "0");
		ui_field(y, x + w - bw + 2, bw - 2, SLOT_HEADER, total, 1);
	}
	tl->tree_y = y + 1;
	tl->tree_h = rows;
	if (tl->nvis == 0) {
		ui_text(y + 2, x + 2, w - 4, SLOT_DIM, "this trace has no entities");
		return;
	}
	for (i = 0; i < rows; i++) {
		size_t vi = tl->list.top + (size_t)i, r;
		const struct segment *s;
		const char *what;
		enum theme_slot cls, bar;
		int used, ry = y + 1 + i;

		if (vi >= tl->nvis)
			break;
		r = tl->vis[vi];
		s = tl->tt.rows[r].s;
		cls = class_slot(s, &what);
		if (tl->tt.rows[r].critical)
			ui_text(ry, x, 1, SLOT_CRITICAL, ui_glyph(UG_CRITICAL));
		row_label(tl, r, lw, label, sizeof label);
		used = ui_text(ry, x + 1, lw, SLOT_DEFAULT, label);
		if (tl->collapsed[r] && tl->tt.rows[r].size > 1 && used + 2 < lw) {
			snprintf(buf, sizeof buf, " +%zu hidden", tl->tt.rows[r].size - 1);
			ui_text(ry, x + 1 + used, lw - used, SLOT_HIDDEN, buf);
		}
		if (s->http != NULL && s->http->status > 0)
			snprintf(buf, sizeof buf, "%s %d", what, s->http->status);
		else
			snprintf(buf, sizeof buf, "%s", what);
		ui_field(ry, x + 1 + lw + 1, STATUS_W, cls, buf, 0);
		if (s->flags & SEG_IN_PROGRESS) {
			if (tl->tt.t1 > s->start_time && s->start_time > 0) {
				buf[0] = '>';
				text_duration(tl->tt.t1 - s->start_time, buf + 1, sizeof buf - 1);
			} else
				snprintf(buf, sizeof buf, "%s", ui_glyph(UG_ELLIPSIS));
		} else
			text_duration(segment_duration(s), buf, sizeof buf);
		ui_field(ry, x + 1 + lw + 1 + STATUS_W + 1, DUR_W, SLOT_NUMBER, buf, 1);
		bar = (s->flags & (SEG_FAULT | SEG_ERROR | SEG_THROTTLE)) ? SLOT_BAR_ERROR :
		    tl->tt.rows[r].critical ? SLOT_BAR_CRITICAL : SLOT_BAR;
		if (bw > 0)
			draw_bar(tl, r, ry, x + w - bw, bw, bar);
		if (vi == tl->list.sel)
			ui_restyle(ry, x + 1, lw + 1 + STATUS_W + 1 + DUR_W,
			    focused ? SLOT_CURSOR : SLOT_CURSOR_DIM);
	}
}

static void
draw_details(struct view *v, int y, int x, int h, int w, int focused)
{
	struct timeline *tl = v->priv;
	size_t r = selected_row(tl);
	int i, rows = h - 1;

	if (tl->nvis == 0 || h < 2)
		return;
	if (tl->dl_row != r || tl->dl_width != w) {
		tl->dl_width = w;
		build_details(v, r);
	}
	ui_repeat(y, x, w, SLOT_BORDER, ui_glyph(UG_HLINE));
	ui_text(y, x + 2, w - 4, focused ? SLOT_SECTION : SLOT_DIM,
	    focused ? " details (Tab: back to the tree) " : " details (Tab to scroll, r raw JSON) ");
	vlist_scroll(&tl->dlist, rows);
	for (i = 0; i < rows; i++) {
		size_t k = tl->dlist.top + (size_t)i;
		const struct dline *dl;
		int ry = y + 1 + i;

		if (k >= tl->ndl)
			break;
		dl = &tl->dl[k];
		if (dl->title)
			ui_text(ry, x + 1, w - 2, SLOT_SECTION, dl->text);
		else {
			if (dl->key != NULL)
				ui_text(ry, x + 2, KEY_W(w) - 1, SLOT_KEY, dl->key);
			ui_text(ry, x + 2 + KEY_W(w), w - 2 - KEY_W(w), dl->slot, dl->text);
		}
		if (focused && k == tl->dlist.sel)
			ui_restyle(ry, x, w, SLOT_CURSOR_DIM);
	}
}

static void
timeline_draw(struct view *v, int y, int x, int h, int w)
{
	struct timeline *tl = v->priv;
	int th, dh;

	if (app_data(v->app)->generation != tl->gen)
		timeline_data_changed(v);
	draw_header(v, y, x, w);
	y++;
	h--;
	if (!tl->details || h < 8) {
		draw_tree(v, y, x, h, w, 1);
		return;
	}
	if (w >= 160) {
		/* Side by side. */
		int dw = w * 40 / 100;

		int i;

		draw_tree(v, y, x, h, w - dw - 1, !tl->focus);
		for (i = 0; i < h; i++)
			ui_repeat(y + i, x + w - dw - 1, 1, SLOT_BORDER, ui_glyph(UG_VLINE));
		draw_details(v, y, x + w - dw, h, dw, tl->focus);
		return;
	}
	dh = h * 40 / 100;
	if (dh < 4)
		dh = 4;
	th = h - dh;
	draw_tree(v, y, x, th, w, !tl->focus);
	draw_details(v, y + th, x, dh, w, tl->focus);
}

/* ------------------------------------------------------------ actions */

static void
select_row(struct view *v, size_t r)
{
	struct timeline *tl = v->priv;

	vlist_select(&tl->list, reveal(tl, r));
}

/* The next (dir 1) or previous tree row after the selection where want(row). */
static int
jump(struct view *v, int dir, int (*want)(const struct tt_row *))
{
	struct timeline *tl = v->priv;
	size_t n = tl->tt.nrows, cur = selected_row(tl), k, r;

	for (k = 1; k <= n; k++) {
		r = dir > 0 ? (cur + k) % n : (cur + n * 2 - k) % n;
		if (want(&tl->tt.rows[r])) {
			select_row(v, r);
			return 1;
		}
	}
	return 0;
}

static int
want_error(const struct tt_row *r)
{
	return (r->s->flags & (SEG_ERROR | SEG_FAULT | SEG_THROTTLE)) != 0;
}

static int
want_critical(const struct tt_row *r)
{
	return r->critical;
}

static void
slowest(struct view *v, int dir)
{
	struct timeline *tl = v->priv;
	char d[64], name[128];
	size_t r;

	if (tl->tt.nrows == 0)
		return;
	if (tl->slow_at >= tl->tt.nrows)
		tl->slow_at = dir > 0 ? 0 : tl->tt.nrows - 1;
	else if (dir > 0)
		tl->slow_at = (tl->slow_at + 1) % tl->tt.nrows;
	else
		tl->slow_at = (tl->slow_at + tl->tt.nrows - 1) % tl->tt.nrows;
	r = tl->slow[tl->slow_at];
	select_row(v, r);
	text_duration(row_duration(tl, r), d, sizeof d);
	text_sanitize(tl->tt.rows[r].s->name, name, sizeof name);
	app_message(v->app, "slowest #%zu of %zu: %s, %s", tl->slow_at + 1, tl->tt.nrows, name, d);
}

/* Write the document of row r as indented JSON to a file and page it. */
static void
show_raw(struct view *v)
{
	struct timeline *tl = v->priv;
	const struct segment *s, *top;
	const char *pager = getenv("PAGER"), *tmpdir = getenv("TMPDIR");
	char path[512], line[4096];
	int fd, depth = 0, in_str = 0, esc = 0;
	size_t i, o = 0;
	FILE *f;

	if (tl->nvis == 0)
		return;
	s = tl->tt.rows[selected_row(tl)].s;
	for (top = s; top->parent != NULL; top = top->parent)
		;
	if (top->raw == NULL) {
		app_error(v->app, "the JSON text is not kept for inputs over 256 MB; "
		    "xraytop trace %s --format raw FILE prints it", tl->id);
		return;
	}
	snprintf(path, sizeof path, "%s/xraytop-raw.XXXXXX", tmpdir != NULL && *tmpdir != '\0' ?
	    tmpdir : "/tmp");
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		app_error(v->app, "%s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return;
	}
	/* Indent as it goes; each line sanitized (the pager is a terminal too). */
#define RAW_FLUSH() do { char sb[sizeof line]; line[o] = '\0'; \
	fprintf(f, "%s\n", text_sanitize(line, sb, sizeof sb)); o = 0; } while (0)
#define RAW_INDENT() do { int k_; for (k_ = 0; k_ < depth * 2 && o + 1 < sizeof line; k_++) \
	line[o++] = ' '; } while (0)
	for (i = 0; i < top->raw_len; i++) {
		char c = top->raw[i];

		if (o + 4 >= sizeof line)
			RAW_FLUSH();
		if (in_str) {
			line[o++] = c;
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			line[o++] = c;
			break;
		case '{': case '[':
			line[o++] = c;
			depth++;
			RAW_FLUSH();
			RAW_INDENT();
			break;
		case '}': case ']':
			if (o > 0 && strspn(line, " ") != o)
				RAW_FLUSH();
			o = 0;
			depth = depth > 0 ? depth - 1 : 0;
			RAW_INDENT();
			line[o++] = c;
			break;
		case ',':
			line[o++] = c;
			RAW_FLUSH();
			RAW_INDENT();
			break;
		case ':':
			line[o++] = ':';
			line[o++] = ' ';
			break;
		case ' ': case '\n': case '\t': case '\r':
			break;
		default:
			line[o++] = c;
			break;
		}
	}
	if (o > 0)
		RAW_FLUSH();
#undef RAW_FLUSH
#undef RAW_INDENT
	if (fclose(f) != 0) {
		app_error(v->app, "%s: %s", path, strerror(errno));
		unlink(path);
		return;
	}
	app_run_program(v->app, pager != NULL && *pager != '\0' ? pager : "less", path);
	unlink(path);
}

static void
collapse_all(struct timeline *tl, int collapse)
{
	size_t i;

	for (i = 0; i < tl->tt.nrows; i++)
		tl->collapsed[i] = collapse && tl->tt.rows[i].size > 1 && tl->tt.rows[i].depth > 0;
	compute_visible(tl);
}

static int
timeline_action(struct view *v, enum action act, int key)
{
	struct timeline *tl = v->priv;
	size_t r = selected_row(tl), keep;

	(void)key;
	if (tl->focus) {
		switch (act) {
		case ACT_FOCUS: case ACT_BACK: case ACT_LEFT:
			tl->focus = 0;
			return 1;
		case ACT_UP: case ACT_DOWN: case ACT_PAGE_UP: case ACT_PAGE_DOWN:
		case ACT_HALF_UP: case ACT_HALF_DOWN: case ACT_TOP: case ACT_BOTTOM:
			return vlist_action(&tl->dlist, act);
		case ACT_COLLAPSE:
			tl->focus = 0;
			return 1;
		default:
			break;
		}
	}
	switch (act) {
	case ACT_ENTER:
	case ACT_FOCUS:
		if (tl->nvis == 0)
			return 1;
		tl->details = 1;
		tl->focus = 1;
		return 1;
	case ACT_DETAILS:
		tl->details = !tl->details;
		tl->focus = 0;
		return 1;
	case ACT_TOGGLE:
		if (tl->nvis > 0 && tl->tt.rows[r].size > 1) {
			tl->collapsed[r] = !tl->collapsed[r];
			compute_visible(tl);
		}
		return 1;
	case ACT_COLLAPSE:
		if (tl->nvis == 0)
			return 1;
		if (tl->tt.rows[r].size > 1 && !tl->collapsed[r]) {
			tl->collapsed[r] = 1;
			compute_visible(tl);
		} else if (tl->tt.rows[r].parent >= 0)
			select_row(v, (size_t)tl->tt.rows[r].parent);
		return 1;
	case ACT_EXPAND:
		if (tl->nvis == 0)
			return 1;
		if (tl->collapsed[r]) {
			tl->collapsed[r] = 0;
			compute_visible(tl);
		} else if (tl->tt.rows[r].size > 1)
			select_row(v, r + 1);
		return 1;
	case ACT_COLLAPSE_ALL:
	case ACT_EXPAND_ALL:
		keep = r;
		collapse_all(tl, act == ACT_COLLAPSE_ALL);
		if (tl->nvis > 0)
			select_row(v, act == ACT_COLLAPSE_ALL && tl->tt.rows[keep].depth > 1 ? 0 : keep);
		return 1;
	case ACT_NEXT_ERROR:
	case ACT_PREV_ERROR:
		if (!jump(v, act == ACT_NEXT_ERROR ? 1 : -1, want_error))
			app_message(v->app, "no error, fault or throttle in this trace");
		return 1;
	case ACT_NEXT_CRITICAL:
		jump(v, 1, want_critical);
		return 1;
	case ACT_NEXT_SLOW:
	case ACT_PREV_SLOW:
		slowest(v, act == ACT_NEXT_SLOW ? 1 : -1);
		return 1;
	case ACT_RAW:
		show_raw(v);
		return 1;
	default:
		return vlist_action(&tl->list, act);
	}
}

static int
timeline_search(struct view *v, const char *text, int dir, int skip)
{
	struct timeline *tl = v->priv;
	size_t n = tl->tt.nrows, cur = selected_row(tl), k, r;

	if (tl->focus)
		return vlist_search(&tl->dlist, text, dir, skip);
	for (k = skip ? 1 : 0; k <= n; k++) {
		const struct segment *s;

		if (k == n && !skip)
			break;
		r = dir >= 0 ? (cur + k) % n : (cur + n * 2 - k) % n;
		s = tl->tt.rows[r].s;
		if (view_match(s->name, text) || view_match(s->origin, text) ||
		    view_match(s->namespace, text) || (s->id != NULL && view_match(s->id, text)) ||
		    (s->http != NULL && view_match(s->http->url, text)) ||
		    (s->sql != NULL && view_match(s->sql->sanitized_query, text)) ||
		    (s->aws != NULL && view_match(s->aws->operation, text))) {
			select_row(v, r);
			return 1;
		}
	}
	return 0;
}

static const char *
timeline_copy(struct view *v, char *buf, size_t len)
{
	struct timeline *tl = v->priv;

	snprintf(buf, len, "%s", tl->id);
	return buf;
}

static const char *
timeline_crumb(struct view *v, char *buf, size_t len)
{
	struct timeline *tl = v->priv;

	snprintf(buf, len, "trace %.20s%s", tl->id, strlen(tl->id) > 20 ? ui_glyph(UG_ELLIPSIS) : "");
	return buf;
}

static void
timeline_mouse(struct view *v, int y, int x, enum ui_button b)
{
	struct timeline *tl = v->priv;
	int ty = tl->tree_y - v->y;
	size_t vi;

	(void)x;
	if (b == UB_WHEEL_UP || b == UB_WHEEL_DOWN) {
		vlist_action(tl->focus ? &tl->dlist : &tl->list, b == UB_WHEEL_UP ? ACT_UP : ACT_DOWN);
		return;
	}
	if (y < ty || y >= ty + tl->tree_h)
		return;
	vi = tl->list.top + (size_t)(y - ty);
	if (vi >= tl->nvis)
		return;
	tl->focus = 0;
	vlist_select(&tl->list, vi);
	if (b == UB_DOUBLE)
		timeline_action(v, ACT_TOGGLE, 0);
}

static const struct keybind timeline_keys[] = {
	{ 'o', ACT_TOGGLE }, { ' ', ACT_TOGGLE },
	{ UK_LEFT, ACT_COLLAPSE }, { 'h', ACT_COLLAPSE },
	{ UK_RIGHT, ACT_EXPAND }, { 'l', ACT_EXPAND },
	{ '[', ACT_COLLAPSE_ALL }, { ']', ACT_EXPAND_ALL },
	{ 'e', ACT_NEXT_ERROR }, { 'E', ACT_PREV_ERROR },
	{ 's', ACT_NEXT_SLOW }, { 'S', ACT_PREV_SLOW },
	{ 'c', ACT_NEXT_CRITICAL },
	{ UK_TAB, ACT_FOCUS },
	{ 'd', ACT_DETAILS },
	{ 'r', ACT_RAW },
	{ 0, ACT_NONE }
};

const struct view_ops view_timeline_ops = {
	.name = "trace",
	.title = "Trace timeline",
	.priv_size = sizeof(struct timeline),
	.keys = timeline_keys,
	.list = 1,
	.open = timeline_open,
	.draw = timeline_draw,
	.action = timeline_action,
	.done = timeline_done,
	.data_changed = timeline_data_changed,
	.search = timeline_search,
	.copy = timeline_copy,
	.crumb = timeline_crumb,
	.mouse = timeline_mouse,
	.hints = "o fold  h l  e next error  s slowest  c critical  Tab details  r raw  y copy id  ? help",
};

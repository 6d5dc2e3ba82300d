/* view-sampling.c - the sampling rules, read-only, in the order the SDKs
 * apply them (priority, then name), with the latest statistics the service
 * reported for each when the source has them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-private.h"
#include "xraytop/model.h"
#include "xraytop/sampling.h"
#include "xraytop/text.h"
#include "xraytop/view.h"
#include "xraytop/xmalloc.h"

struct sampling {
	struct vlist	 list;
	size_t		*order;
	uint64_t	 gen;
};

static const struct sampling_rule *sort_rules;

/* Priority, then name: the order the SDKs apply the rules in. */
static int
order_cmp(const void *pa, const void *pb)
{
	const struct sampling_rule *a = &sort_rules[*(const size_t *)pa];
	const struct sampling_rule *b = &sort_rules[*(const size_t *)pb];

	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return strcmp(a->name != NULL ? a->name : "", b->name != NULL ? b->name : "");
}

static const struct sampling_rule *
rule_at(struct view *v, size_t i)
{
	struct sampling *s = v->priv;

	return &app_data(v->app)->rules[s->order[i]];
}

static const char *
rule_row_text(void *ctx, size_t i, char *buf, size_t len)
{
	struct view *v = ctx;
	const struct sampling_rule *r = rule_at(v, i);

	snprintf(buf, len, "%s %s %s %s %s %s", r->name != NULL ? r->name : "",
	    r->service_name != NULL ? r->service_name : "", r->service_type != NULL ? r->service_type : "",
	    r->host != NULL ? r->host : "", r->http_method != NULL ? r->http_method : "",
	    r->url_path != NULL ? r->url_path : "");
	return buf;
}

static void
sampling_sync(struct view *v)
{
	struct sampling *s = v->priv;
	const struct app_data *d = app_data(v->app);
	size_t i;

	free(s->order);
	s->order = xcalloc(d->nrules + 1, sizeof *s->order);
	for (i = 0; i < d->nrules; i++)
		s->order[i] = i;
	sort_rules = d->rules;
	if (d->nrules > 1)
		qsort(s->order, d->nrules, sizeof *s->order, order_cmp);
	vlist_set(&s->list, d->nrules);
	s->gen = d->generation;
}

static int
sampling_open(struct view *v, const void *arg)
{
	struct sampling *s = v->priv;

	(void)arg;
	s->list.row_text = rule_row_text;
	s->list.ctx = v;
	s->list.height = 10;
	sampling_sync(v);
	return 0;
}

static const char *
or_star(const char *s)
{
	return s != NULL && *s != '\0' ? s : "*";
}

static void
sampling_draw(struct view *v, int y, int x, int h, int w)
{
	struct sampling *s = v->priv;
	static const struct { const char *name; int w; int right; } c[] = {
		{ "PRIO", 5, 1 }, { "RULE", 18, 0 }, { "RESERVOIR", 9, 1 }, { "RATE", 6, 1 },
		{ "SERVICE", 14, 0 }, { "TYPE", 14, 0 }, { "HOST", 12, 0 }, { "METHOD", 6, 0 },
		{ "PATH", 14, 0 }, { "REQUESTS", 8, 1 }, { "SAMPLED", 7, 1 }, { "BORROWED", 8, 1 },
	};
	const size_t nc = sizeof c / sizeof c[0];
	char buf[64];
	const char *cell[12];
	int cx[12], i, rows, xx;
	size_t k;

	if (s->gen != app_data(v->app)->generation)
		sampling_sync(v);
	if (s->list.n == 0) {
		ui_text(y + 1, x + 2, w - 4, SLOT_DIM, "this source has no sampling rules "
		    "(the AWS source reads them with GetSamplingRules)");
		return;
	}
	ui_text(y, x + 1, w - 1, SLOT_DIM, "read-only: in the order the SDKs apply them; "
	    "statistics of the last 10 s window reported");
	for (k = 0, xx = x + 1; k < nc; k++) {
		cx[k] = xx + c[k].w <= x + w ? xx : -1;
		if (cx[k] >= 0)
			ui_field(y + 1, cx[k], c[k].w, SLOT_HEADER, c[k].name, c[k].right);
		xx += c[k].w + 1;
	}
	rows = h - 3;
	vlist_scroll(&s->list, rows);
	for (i = 0; i < rows; i++) {
		size_t r = s->list.top + (size_t)i;
		const struct sampling_rule *ru;
		char prio[16], res[24], rate[16], req[24] = "-", smp[24] = "-", bor[24] = "-";
		int ry = y + 2 + i;

		if (r >= s->list.n)
			break;
		ru = rule_at(v, r);
		snprintf(prio, sizeof prio, "%d", ru->priority);
		snprintf(res, sizeof res, "%lld/s", ru->reservoir);
		snprintf(rate, sizeof rate, "%g%%", ru->fixed_rate * 100);
		if (ru->stat != NULL) {
			snprintf(req, sizeof req, "%lld", ru->stat->requests);
			snprintf(smp, sizeof smp, "%lld", ru->stat->sampled);
			snprintf(bor, sizeof bor, "%lld", ru->stat->borrowed);
		}
		cell[0] = prio; cell[1] = or_star(ru->name); cell[2] = res; cell[3] = rate;
		cell[4] = or_star(ru->service_name); cell[5] = or_star(ru->service_type);
		cell[6] = or_star(ru->host); cell[7] = or_star(ru->http_method);
		cell[8] = or_star(ru->url_path); cell[9] = req; cell[10] = smp; cell[11] = bor;
		for (k = 0; k < nc; k++)
			if (cx[k] >= 0)
				ui_field(ry, cx[k], c[k].w, k >= 9 ? SLOT_NUMBER : SLOT_VALUE, cell[k], c[k].right);
		if (r == s->list.sel)
			ui_restyle(ry, x, w, SLOT_CURSOR);
	}
	/* The selected rule's remaining matchers. */
	if (s->list.n > 0 && h > 4) {
		const struct sampling_rule *ru = rule_at(v, s->list.sel);
		char line[1024];
		size_t o = 0, a;

		o += (size_t)snprintf(line + o, sizeof line - o, "resource %s  version %d",
		    or_star(ru->resource_arn), ru->version);
		for (a = 0; a < ru->nattributes && o + 1 < sizeof line; a++)
			o += (size_t)snprintf(line + o, sizeof line - o, "  %s=%s", ru->attributes[a].key,
			    ru->attributes[a].value);
		if (ru->boost_max_rate >= 0 && o + 1 < sizeof line)
			o += (size_t)snprintf(line + o, sizeof line - o, "  boost %g%% cooldown %dm",
			    ru->boost_max_rate * 100, ru->boost_cooldown);
		if (ru->modified > 0 && o + 1 < sizeof line)
			snprintf(line + o, sizeof line - o, "  modified %s",
			    text_time(ru->modified, app_utc(v->app), buf, sizeof buf));
		ui_text(y + h - 1, x + 1, w - 1, SLOT_DIM, line);
	}
}

static int
sampling_action(struct view *v, enum action act, int key)
{
	struct sampling *s = v->priv;

	(void)key;
	if (act == ACT_ENTER) {
		app_message(v->app, "sampling rules are read-only here");
		return 1;
	}
	return vlist_action(&s->list, act);
}

static int
sampling_search(struct view *v, const char *text, int dir, int skip)
{
	struct sampling *s = v->priv;

	return vlist_search(&s->list, text, dir, skip);
}

static void
sampling_done(struct view *v)
{
	struct sampling *s = v->priv;

	free(s->order);
}

static const char *
sampling_copy(struct view *v, char *buf, size_t len)
{
	struct sampling *s = v->priv;

	if (s->list.n == 0)
		return NULL;
	snprintf(buf, len, "%s", rule_at(v, s->list.sel)->name);
	return buf;
}

const struct view_ops view_sampling_ops = {
	.name = "sampling",
	.title = "Sampling rules",
	.priv_size = sizeof(struct sampling),
	.list = 1,
	.open = sampling_open,
	.draw = sampling_draw,
	.action = sampling_action,
	.done = sampling_done,
	.search = sampling_search,
	.copy = sampling_copy,
	.hints = "read-only  j k move  / search  y copy the rule name  Esc back  ? help",
};

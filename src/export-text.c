/* export-text.c - the map and the trace list as tables for a terminal.
 *
 * Every cell is sanitized when it is stored (text.h), columns are as wide
 * as their widest cell (up to a cap, past which cells are cut with an
 * ellipsis), numbers are right-aligned, and nothing trails a row.
 */
#include "config.h"

#include "xraytop/export.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define GAP 2   /* spaces between columns */

struct column {
	const char	*head;
	size_t		 cap;     /* widest allowed, 0 for no limit */
	int		 right;
};

struct table {
	const struct column *cols;
	size_t		 ncols;
	char		**cells;  /* nrows * ncols, sanitized */
	size_t		*widths;  /* display width of each cell */
	size_t		 nrows;
	size_t		 caprows;
};

static void
table_init(struct table *t, const struct column *cols, size_t ncols)
{
	memset(t, 0, sizeof *t);
	t->cols = cols;
	t->ncols = ncols;
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->widths);
}

/* Append a row of ncols strings (NULL shows as "-"). */
static void
table_add(struct table *t, const char *const *row)
{
	size_t i, k, n;

	if (t->nrows == t->caprows) {
		t->caprows = t->caprows ? t->caprows * 2 : 32;
		t->cells = xreallocarray(t->cells, t->caprows * t->ncols, sizeof *t->cells);
		t->widths = xreallocarray(t->widths, t->caprows * t->ncols, sizeof *t->widths);
	}
	for (i = 0; i < t->ncols; i++) {
		const char *s = row[i] != NULL ? row[i] : "-";

		k = t->nrows * t->ncols + i;
		n = strlen(s) + 1;
		t->cells[k] = text_sanitize(s, xmalloc(n), n);
		t->widths[k] = text_width(t->cells[k]);
	}
	t->nrows++;
}

/* One row: cells padded or cut to their column's width; nothing is
 * written after the last non-empty cell (no trailing blanks). */
static void
row_out(const struct table *t, FILE *out, const size_t *w, char *const *cells,
    const size_t *widths)
{
	size_t i, last = 0;

	for (i = 0; i < t->ncols; i++)
		if (cells[i][0] != '\0')
			last = i;
	for (i = 0; i <= last; i++) {
		if (i > 0)
			fprintf(out, "%*s", GAP, "");
		if (i == last && !t->cols[i].right && widths[i] <= w[i])
			fputs(cells[i], out);
		else
			text_fit(out, cells[i], w[i], t->cols[i].right);
	}
	putc('\n', out);
}

static void
table_print(const struct table *t, FILE *out)
{
	size_t *w = xcalloc(t->ncols, sizeof *w), *hw = xcalloc(t->ncols, sizeof *hw);
	char **heads = xcalloc(t->ncols, sizeof *heads);
	size_t r, i;

	for (i = 0; i < t->ncols; i++) {
		heads[i] = (char *)t->cols[i].head;
		w[i] = hw[i] = text_width(t->cols[i].head);
		for (r = 0; r < t->nrows; r++)
			if (t->widths[r * t->ncols + i] > w[i])
				w[i] = t->widths[r * t->ncols + i];
		if (t->cols[i].cap != 0 && w[i] > t->cols[i].cap)
			w[i] = t->cols[i].cap;
	}
	row_out(t, out, w, heads, hw);
	for (r = 0; r < t->nrows; r++)
		row_out(t, out, w, t->cells + r * t->ncols, t->widths + r * t->ncols);
	free(w);
	free(hw);
	free(heads);
}

/* ---------------------------------------------------------------- map */

/* A node's name as shown: never blank. */
static const char *
node_name(const struct svc_node *n)
{
	return n->name != NULL && n->name[0] != '\0' ? n->name : "(no name)";
}

enum {
	C_NAME, C_TYPE, C_REQ, C_OK, C_ERR, C_FLT, C_THR, C_AVG, C_P50, C_P99, C_RATE, NCOLS
};

/* The statistics columns of one node or edge, into bufs. */
static void
stats_cells(struct svcmap *m, struct stats *st, char bufs[NCOLS][32], const char **row)
{
	int i;

	snprintf(bufs[C_REQ], 32, "%" PRIu64, st->count);
	if (st->count > 0)
		snprintf(bufs[C_OK], 32, "%.1f%%", 100.0 * (double)st->ok / (double)st->count);
	else
		snprintf(bufs[C_OK], 32, "-");
	snprintf(bufs[C_ERR], 32, "%" PRIu64, st->error);
	snprintf(bufs[C_FLT], 32, "%" PRIu64, st->fault);
	snprintf(bufs[C_THR], 32, "%" PRIu64, st->throttle);
	if (st->count > 0) {
		text_duration(stats_avg(st), bufs[C_AVG], 32);
		text_duration(stats_percentile(st, 50), bufs[C_P50], 32);
		text_duration(stats_percentile(st, 99), bufs[C_P99], 32);
	} else {
		strcpy(bufs[C_AVG], "-");
		strcpy(bufs[C_P50], "-");
		strcpy(bufs[C_P99], "-");
	}
	snprintf(bufs[C_RATE], 32, "%.1f", svcmap_rate(m, st));
	for (i = C_REQ; i < NCOLS; i++)
		row[i] = bufs[i];
}

int
text_out_map(struct svcmap *m, FILE *out, char *err, size_t errlen)
{
	static const struct column node_cols[NCOLS] = {
		{ "SERVICE", 40, 0 }, { "TYPE", 28, 0 }, { "REQ", 0, 1 }, { "OK", 0, 1 },
		{ "ERR", 0, 1 }, { "FAULT", 0, 1 }, { "THROT", 0, 1 }, { "AVG", 0, 1 },
		{ "P50", 0, 1 }, { "P99", 0, 1 }, { "REQ/MIN", 0, 1 },
	};
	static const struct column edge_cols[NCOLS] = {
		{ "EDGE", 64, 0 }, { "TARGET TYPE", 28, 0 }, { "REQ", 0, 1 }, { "OK", 0, 1 },
		{ "ERR", 0, 1 }, { "FAULT", 0, 1 }, { "THROT", 0, 1 }, { "AVG", 0, 1 },
		{ "P50", 0, 1 }, { "P99", 0, 1 }, { "REQ/MIN", 0, 1 },
	};
	const struct svcmap_input *in = svcmap_input(m);
	char bufs[NCOLS][32], from[32], to[32];
	const char *row[NCOLS];
	struct table t;
	size_t *idx, nn, ne, i;
	double start, end;
	char *label;

	idx = xcalloc(svcmap_nnodes(m) + svcmap_nedges(m) + 1, sizeof *idx);

	table_init(&t, node_cols, NCOLS);
	nn = svcmap_sorted_nodes(m, idx);
	for (i = 0; i < nn; i++) {
		struct svc_node *n = svcmap_node(m, idx[i]);

		row[C_NAME] = node_name(n);
		row[C_TYPE] = n->type != NULL && n->type[0] != '\0' ? n->type : "-";
		stats_cells(m, &n->stats, bufs, row);
		table_add(&t, row);
	}
	table_print(&t, out);
	table_free(&t);

	table_init(&t, edge_cols, NCOLS);
	ne = svcmap_sorted_edges(m, idx);
	for (i = 0; i < ne; i++) {
		struct svc_edge *e = svcmap_edge(m, idx[i]);
		struct svc_node *s = svcmap_node(m, e->source), *d = svcmap_node(m, e->target);

		label = xasprintf("%s -> %s", node_name(s), node_name(d));
		row[C_NAME] = label;
		row[C_TYPE] = d->type != NULL && d->type[0] != '\0' ? d->type : "-";
		stats_cells(m, &e->stats, bufs, row);
		table_add(&t, row);
		free(label);
	}
	if (ne > 0) {
		putc('\n', out);
		table_print(&t, out);
	}
	table_free(&t);
	free(idx);

	svcmap_window(m, &start, &end);
	fprintf(out, "\n%zu node%s, %zu edge%s from %" PRIu64 " document%s", nn,
	    nn == 1 ? "" : "s", ne, ne == 1 ? "" : "s", in->documents,
	    in->documents == 1 ? "" : "s");
	if (start > 0 && end >= start)
		fprintf(out, ", %s to %s UTC", text_time(start, 1, from, sizeof from),
		    text_time(end, 1, to, sizeof to));
	putc('\n', out);
	return 0;
}

/* ---------------------------------------------------------------- traces */

enum {
	T_ID, T_START, T_METHOD, T_URL, T_STATUS, T_RESP, T_DUR, T_SVCS, T_MARKS, NTCOLS
};

/* "a, b, c": the distinct names of the trace's services (a heap string). */
static char *
services_text(const struct trace_summary *s)
{
	size_t i, j, len = 1, nlen;
	char *buf, *p;

	for (i = 0; i < s->nservices; i++)
		len += strlen(s->services[i].name != NULL ? s->services[i].name : "?") + 2;
	p = buf = xmalloc(len);
	*p = '\0';
	for (i = 0; i < s->nservices; i++) {
		const char *n = s->services[i].name != NULL ? s->services[i].name : "?";

		for (j = 0; j < i; j++)
			if (strcmp(n, s->services[j].name != NULL ? s->services[j].name : "?") == 0)
				break;
		if (j < i)
			continue;
		if (p != buf) {
			memcpy(p, ", ", 2);
			p += 2;
		}
		nlen = strlen(n);
		memcpy(p, n, nlen + 1);
		p += nlen;
	}
	return buf;
}

int
text_out_traces(const struct trace_summary *s, size_t n, int utc, FILE *out, char *err,
    size_t errlen)
{
	static const struct column cols[NTCOLS] = {
		{ "ID", 40, 0 }, { "START", 0, 0 }, { "METHOD", 8, 0 }, { "URL", 56, 0 },
		{ "STATUS", 0, 1 }, { "RESPONSE", 0, 1 }, { "DURATION", 0, 1 },
		{ "SERVICES", 48, 0 }, { "MARKS", 0, 0 },
	};
	char start[40], status[16], resp[32], dur[32], marks[16];
	const char *row[NTCOLS];
	struct table t;
	char *svcs;
	size_t i;

	table_init(&t, cols, NTCOLS);
	for (i = 0; i < n; i++) {
		const struct trace_summary *x = &s[i];

		row[T_ID] = x->id;
		row[T_START] = text_time(x->start, utc, start, sizeof start);
		row[T_METHOD] = x->method;
		row[T_URL] = x->url;
		if (x->status != 0)
			snprintf(status, sizeof status, "%d", x->status);
		else
			strcpy(status, "-");
		row[T_STATUS] = status;
		row[T_RESP] = text_duration(x->response_time, resp, sizeof resp);
		row[T_DUR] = text_duration(x->duration, dur, sizeof dur);
		svcs = services_text(x);
		row[T_SVCS] = svcs[0] != '\0' ? svcs : "-";
		snprintf(marks, sizeof marks, "%s%s%s%s",
		    (x->flags & SUM_FAULT) ? "!" : "",
		    (x->flags & SUM_ERROR) ? "E" : "",
		    (x->flags & SUM_THROTTLE) ? "T" : "",
		    (x->flags & SUM_PARTIAL) ? (text_ascii() ? "~" : "\u2026") : "");
		row[T_MARKS] = marks;
		table_add(&t, row);
		free(svcs);
	}
	table_print(&t, out);
	table_free(&t);
	return 0;
}

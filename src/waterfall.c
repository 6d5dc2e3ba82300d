/* waterfall.c - one trace as a text waterfall, the way the X-Ray console
 * draws it: every entity on a row, nested, with a bar on the trace's time
 * scale.
 *
 * Segments hang under the entity their parent_id names (usually the caller's
 * subsegment), subsegments under their parent; siblings are ordered by start
 * time.  A segment whose parent is not in the trace is a root; pieces that a
 * parent_id cycle cuts off from every root are drawn as roots too, so every
 * entity is drawn exactly once.
 */
#include "config.h"

#include "xraytop/export.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/model.h"
#include "xraytop/store.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define STATUS_W  7   /* "FLT 503" */
#define DUR_W     7   /* "1.25s", ">2m03s" */
#define LABEL_MIN 12
#define BAR_MIN   10
#define TEXT_MAX  512 /* bytes kept of one string from data */

struct wnode {
	struct segment	*s;
	long		 tparent;   /* enclosing entity, -1 at a document's top */
	long		 dparent;   /* where it is drawn, -1 for a root */
	size_t		 kid0;      /* its children: kids[kid0 .. kid0 + nkids) */
	size_t		 nkids;
	int		 visited;
	int		 orphan;    /* an independent subsegment without its parent */
};

struct kid {
	double		 start;
	size_t		 i;
};

struct row {
	size_t		 node;
	char		*label;
};

struct wf {
	const struct trace *t;
	struct wnode	*n;
	size_t		 nn;
	size_t		 capn;
	struct kid	*kids;
	struct row	*rows;
	size_t		 nrows;
	unsigned char	*more;      /* per depth: an ancestor there has siblings below */
	double		 t0;
	double		 t1;
};

static int
kid_cmp(const void *pa, const void *pb)
{
	const struct kid *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

static size_t
hash_id(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

static void
add_node(struct wf *w, struct segment *s, long tparent, int orphan)
{
	if (w->nn == w->capn) {
		w->capn = w->capn ? w->capn * 2 : 64;
		w->n = xreallocarray(w->n, w->capn, sizeof *w->n);
	}
	memset(&w->n[w->nn], 0, sizeof w->n[w->nn]);
	w->n[w->nn].s = s;
	w->n[w->nn].tparent = tparent;
	w->n[w->nn].orphan = orphan;
	w->nn++;
}

/* Every entity of a document's tree, breadth first. */
static void
add_tree(struct wf *w, struct segment *top, int orphan)
{
	size_t i = w->nn;
	struct segment *c;

	add_node(w, top, -1, orphan);
	for (; i < w->nn; i++)
		for (c = w->n[i].s->children; c != NULL; c = c->next)
			add_node(w, c, (long)i, 0);
}

/* Work out where each entity is drawn and order every entity's children. */
static void
build_tree(struct wf *w)
{
	size_t cap = 16, mask, i, j, *tab, *fill;

	while (cap < w->nn * 2)
		cap *= 2;
	mask = cap - 1;
	tab = xcalloc(cap, sizeof *tab);
	for (i = 0; i < w->nn; i++) {
		const char *id = w->n[i].s->id;

		if (id == NULL)
			continue;
		for (j = hash_id(id) & mask; tab[j] != 0; j = (j + 1) & mask)
			if (strcmp(w->n[tab[j] - 1].s->id, id) == 0)
				break;
		if (tab[j] == 0)
			tab[j] = i + 1;  /* the first entity with an id wins */
	}
	for (i = 0; i < w->nn; i++) {
		const char *pid = w->n[i].s->parent_id;

		w->n[i].dparent = w->n[i].tparent;
		if (w->n[i].tparent >= 0 || pid == NULL)
			continue;
		for (j = hash_id(pid) & mask; tab[j] != 0; j = (j + 1) & mask)
			if (strcmp(w->n[tab[j] - 1].s->id, pid) == 0) {
				if (tab[j] - 1 != i)
					w->n[i].dparent = (long)(tab[j] - 1);
				break;
			}
	}
	free(tab);

	for (i = 0; i < w->nn; i++)
		if (w->n[i].dparent >= 0)
			w->n[w->n[i].dparent].nkids++;
	for (i = 0, j = 0; i < w->nn; i++) {
		w->n[i].kid0 = j;
		j += w->n[i].nkids;
	}
	w->kids = xcalloc(j + 1, sizeof *w->kids);
	fill = xcalloc(w->nn + 1, sizeof *fill);
	for (i = 0; i < w->nn; i++) {
		long p = w->n[i].dparent;
		struct kid *k;

		if (p < 0)
			continue;
		k = &w->kids[w->n[p].kid0 + fill[p]++];
		k->start = w->n[i].s->start_time;
		k->i = i;
	}
	free(fill);
	for (i = 0; i < w->nn; i++)
		if (w->n[i].nkids > 1)
			qsort(w->kids + w->n[i].kid0, w->n[i].nkids, sizeof *w->kids, kid_cmp);
}

/* "AWS::EC2::Instance" -> "EC2", "AWS::Lambda::Function" -> "Lambda::Function". */
static void
short_origin(const char *origin, char *out, size_t outlen)
{
	static const char *const tails[] = { "::Instance", "::Container", "::Environment" };
	char buf[TEXT_MAX];
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

/* The row's label: tree prefix, segment mark, name, origin or namespace. */
static char *
make_label(struct wf *w, size_t i, size_t depth, int last, size_t maxcols)
{
	const struct segment *s = w->n[i].s;
	int ascii = text_ascii();
	char name[TEXT_MAX], extra[TEXT_MAX], note[TEXT_MAX + 8];
	char *buf, *p;
	size_t d, levels, size;

	/* Only as many levels as could show: the label is cut to its column. */
	levels = depth;
	if (levels > maxcols / 3 + 1)
		levels = maxcols / 3 + 1;
	size = levels * 8 + 3 * sizeof name;
	buf = p = xmalloc(size);
	*p = '\0';
	for (d = 1; d <= levels; d++) {
		const char *g;

		if (d < depth)
			g = w->more[d] ? (ascii ? "|  " : "\u2502  ") : "   ";
		else
			g = last ? (ascii ? "`- " : "\u2514\u2500 ") : (ascii ? "|- " : "\u251c\u2500 ");
		p += snprintf(p, size - (size_t)(p - buf), "%s", g);
	}
	text_sanitize(s->name != NULL ? s->name : "?", name, sizeof name);
	note[0] = '\0';
	if ((s->flags & SEG_SUBSEGMENT) == 0) {
		if (s->origin != NULL) {
			short_origin(s->origin, extra, sizeof extra);
			snprintf(note, sizeof note, " (%s)", extra);
		}
	} else if (s->namespace != NULL) {
		text_sanitize(s->namespace, extra, sizeof extra);
		snprintf(note, sizeof note, " [%s]", extra);
	}
	snprintf(p, size - (size_t)(p - buf), "%s%s%s%s",
	    (s->flags & SEG_SUBSEGMENT) ? "" : (ascii ? "* " : "\u25c6 "),
	    name, note, w->n[i].orphan ? " (parent missing)" : "");
	return buf;
}

static void
add_row(struct wf *w, size_t i, size_t depth, int last, size_t maxcols)
{
	w->rows[w->nrows].node = i;
	w->rows[w->nrows].label = make_label(w, i, depth, last, maxcols);
	w->nrows++;
}

struct frame {
	size_t		 i;
	size_t		 depth;
	int		 last;
};

/* Rows of the tree under root, depth first, children in start order. */
static void
walk(struct wf *w, size_t root, size_t maxcols)
{
	struct frame *stack;
	size_t n = 0, k, j;

	stack = xcalloc(w->nn + 1, sizeof *stack);
	w->n[root].visited = 1;
	stack[n++] = (struct frame){ root, 0, 1 };
	while (n > 0) {
		struct frame f = stack[--n];
		struct wnode *nd = &w->n[f.i];

		if (f.depth > 0)
			w->more[f.depth] = !f.last;
		add_row(w, f.i, f.depth, f.last, maxcols);
		/* Push unvisited children in reverse so the earliest comes first;
		 * marking them now keeps "last" right and each entity drawn once. */
		for (k = nd->nkids, j = 0; k-- > 0; ) {
			size_t c = w->kids[nd->kid0 + k].i;

			if (w->n[c].visited)
				continue;
			w->n[c].visited = 1;
			stack[n++] = (struct frame){ c, f.depth + 1, j++ == 0 };
		}
	}
	free(stack);
}

/* Span of the drawing: earliest start to latest end of any entity. */
static void
time_span(struct wf *w)
{
	size_t i;

	w->t0 = w->t1 = 0;
	for (i = 0; i < w->nn; i++) {
		const struct segment *s = w->n[i].s;

		if (s->start_time > 0 && (w->t0 == 0 || s->start_time < w->t0))
			w->t0 = s->start_time;
		if (s->end_time > w->t1)
			w->t1 = s->end_time;
		if (s->start_time > w->t1)
			w->t1 = s->start_time;
	}
	if (w->t1 < w->t0)
		w->t1 = w->t0;
}

static void
status_text(const struct segment *s, char *out, size_t outlen)
{
	const char *cls;

	if (s->flags & SEG_FAULT)
		cls = "FLT";
	else if (s->flags & SEG_THROTTLE)
		cls = "THR";
	else if (s->flags & SEG_ERROR)
		cls = "ERR";
	else if (s->flags & SEG_IN_PROGRESS)
		cls = "RUN";
	else
		cls = "OK";
	if (s->http != NULL && s->http->status > 0)
		snprintf(out, outlen, "%s %d", cls, s->http->status);
	else
		snprintf(out, outlen, "%s", cls);
}

static void
duration_text(const struct wf *w, const struct segment *s, char *out, size_t outlen)
{
	if (s->flags & SEG_IN_PROGRESS) {
		if (w->t1 > s->start_time && s->start_time > 0 && outlen > 1) {
			/* "at least": the time it has run until the trace's last end */
			out[0] = '>';
			text_duration(w->t1 - s->start_time, out + 1, outlen - 1);
		} else
			snprintf(out, outlen, "%s", text_ascii() ? "..." : "\u2026");
	} else
		text_duration(s->end_time - s->start_time, out, outlen);
}

/* The bar: bw columns for [t0, t1]; eighth blocks give the end's fraction. */
static void
put_bar(FILE *out, const struct wf *w, const struct segment *s, size_t bw)
{
	static const char *const eighths[] = { " ", "\u258f", "\u258e", "\u258d",
	    "\u258c", "\u258b", "\u258a", "\u2589", "\u2588" };
	double span = w->t1 - w->t0, x0 = 0, x1 = 0, end;
	int ascii = text_ascii(), running = (s->flags & SEG_IN_PROGRESS) != 0;
	long a, e8, c_end;
	size_t c;

	end = running ? w->t1 : s->end_time;
	if (end < s->start_time)
		end = s->start_time;
	if (span > 0 && s->start_time > 0) {
		x0 = (s->start_time - w->t0) / span * (double)bw;
		x1 = (end - w->t0) / span * (double)bw;
	}
	if (x0 < 0)
		x0 = 0;
	if (x1 > (double)bw)
		x1 = (double)bw;
	if (x1 < x0)
		x1 = x0;
	/* A hair of slack so that 0.3 s of 1 s on 40 columns is column 12,
	 * not 11.99999 -> 11. */
	x0 += 1e-7;
	x1 += 1e-7;
	a = (long)floor(x0);
	if (a >= (long)bw)
		a = (long)bw - 1;
	if (ascii || running) {
		c_end = lround(x1);
		if (c_end <= a)
			c_end = a + 1;
		for (c = 0; c < bw; c++) {
			if ((long)c < a || (long)c >= c_end)
				fputc(' ', out);
			else if (ascii)
				fputc(running ? '~' : '#', out);
			else
				fputs("\u2591", out);
		}
		return;
	}
	e8 = lround(x1 * 8);
	if (e8 <= a * 8)
		e8 = a * 8 + 1;
	for (c = 0; c < bw; c++) {
		long covered = e8 - (long)c * 8;

		if ((long)c < a || covered <= 0)
			fputc(' ', out);
		else
			fputs(eighths[covered >= 8 ? 8 : covered], out);
	}
}

/* Column widths for width w: label, status+duration (0/1) and bar. */
static void
layout(int width, size_t maxlabel, size_t *lw, int *cols, size_t *bw)
{
	size_t W = (size_t)width, fixed = 1 + STATUS_W + 1 + DUR_W, avail, want;

	*bw = 0;
	*cols = 0;
	*lw = W;
	if (W < fixed + LABEL_MIN)
		return;
	*cols = 1;
	*lw = W - fixed;
	if (W < fixed + 1 + LABEL_MIN + BAR_MIN)
		return;
	avail = W - fixed - 1;
	/* The label gets what it needs, up to 55% of the room; the bar the rest. */
	want = maxlabel < LABEL_MIN ? LABEL_MIN : maxlabel;
	if (want > avail * 55 / 100)
		want = avail * 55 / 100;
	if (want < LABEL_MIN)
		want = LABEL_MIN;
	if (avail - want < BAR_MIN)
		want = avail - BAR_MIN;
	*lw = want;
	*bw = avail - want;
}

static void
put_header(FILE *out, const struct wf *w, int width, int utc)
{
	const struct trace *t = w->t;
	const struct segment *root = trace_root(t);
	char id[TEXT_MAX], when[64], dur[64], req[3 * TEXT_MAX], line[5 * TEXT_MAX];
	char method[TEXT_MAX], url[TEXT_MAX];
	int partial = 0;
	size_t i;

	for (i = 0; i < w->nn; i++)
		if ((w->n[i].s->flags & SEG_IN_PROGRESS) && w->n[i].tparent < 0)
			partial = 1;
	if (t->npending > 0)
		partial = 1;
	text_sanitize(t->id, id, sizeof id);
	if (t->start > 0)
		text_time(t->start, utc, when, sizeof when);
	else
		snprintf(when, sizeof when, "-");
	if (t->start > 0 && t->end >= t->start)
		text_duration(t->end - t->start, dur, sizeof dur);
	else
		snprintf(dur, sizeof dur, "-");
	req[0] = '\0';
	if (root != NULL && root->http != NULL) {
		char status[16] = "";

		if (root->http->status > 0)
			snprintf(status, sizeof status, "%d ", root->http->status);
		text_sanitize(root->http->method, method, sizeof method);
		text_sanitize(root->http->url, url, sizeof url);
		snprintf(req, sizeof req, "  %s%s%s%s", status, method,
		    method[0] != '\0' && url[0] != '\0' ? " " : "", url);
	}
	snprintf(line, sizeof line, "%s  %s  %s  %zu segment%s%s%s", id, when, dur,
	    t->nsegments, t->nsegments == 1 ? "" : "s", partial ? " (in progress)" : "", req);
	text_fit(out, line, (size_t)width, 0);
	fputc('\n', out);
}

/* The line above the bars: column names and the time scale. */
static void
put_axis(FILE *out, const struct wf *w, size_t lw, int cols, size_t bw)
{
	char total[64];
	size_t tw;

	text_fit(out, "", lw, 0);
	if (cols) {
		fputc(' ', out);
		text_fit(out, "status", STATUS_W, 0);
		fputc(' ', out);
		text_fit(out, "time", DUR_W, 1);
	}
	if (bw > 0) {
		fputc(' ', out);
		text_duration(w->t1 - w->t0, total, sizeof total);
		tw = text_width(total);
		if (bw >= tw + 2) {
			fputc('0', out);
			text_fit(out, total, bw - 1, 1);
		} else
			text_fit(out, "", bw, 0);
	}
	fputc('\n', out);
}

int
export_waterfall(const struct trace *t, int width, int utc, FILE *out, char *err, size_t errlen)
{
	struct wf w;
	size_t i, lw, bw, maxlabel = 0, lwmax;
	int cols, rc = 0;
	char buf[64];

	if (t == NULL) {
		snprintf(err, errlen, "no trace");
		return -1;
	}
	if (width <= 0) {
		snprintf(err, errlen, "bad width %d", width);
		return -1;
	}
	memset(&w, 0, sizeof w);
	w.t = t;
	for (i = 0; i < t->nsegments; i++)
		add_tree(&w, t->segments[i], 0);
	for (i = 0; i < t->npending; i++)
		add_tree(&w, t->pending[i], 1);
	build_tree(&w);
	time_span(&w);

	w.rows = xcalloc(w.nn + 1, sizeof *w.rows);
	w.more = xcalloc(w.nn + 1, sizeof *w.more);
	layout(width, 0, &lw, &cols, &bw);
	lwmax = (size_t)width;
	{
		struct kid *roots = xcalloc(w.nn + 1, sizeof *roots);
		size_t nroots = 0;

		for (i = 0; i < w.nn; i++)
			if (w.n[i].dparent < 0) {
				roots[nroots].start = w.n[i].s->start_time;
				roots[nroots++].i = i;
			}
		qsort(roots, nroots, sizeof *roots, kid_cmp);
		for (i = 0; i < nroots; i++)
			walk(&w, roots[i].i, lwmax);
		free(roots);
	}
	/* What a parent_id cycle cut off: the earliest such document is a root. */
	for (;;) {
		long best = -1;

		for (i = 0; i < w.nn; i++)
			if (!w.n[i].visited && w.n[i].tparent < 0 && (best < 0 ||
			    w.n[i].s->start_time < w.n[best].s->start_time))
				best = (long)i;
		if (best < 0)
			break;
		walk(&w, (size_t)best, lwmax);
	}

	for (i = 0; i < w.nrows; i++) {
		size_t lwi = text_width(w.rows[i].label);

		if (lwi > maxlabel)
			maxlabel = lwi;
	}
	layout(width, maxlabel, &lw, &cols, &bw);

	put_header(out, &w, width, utc);
	put_axis(out, &w, lw, cols, bw);
	for (i = 0; i < w.nrows; i++) {
		const struct segment *s = w.n[w.rows[i].node].s;

		text_fit(out, w.rows[i].label, lw, 0);
		if (cols) {
			fputc(' ', out);
			status_text(s, buf, sizeof buf);
			text_fit(out, buf, STATUS_W, 0);
			fputc(' ', out);
			duration_text(&w, s, buf, sizeof buf);
			text_fit(out, buf, DUR_W, 1);
		}
		if (bw > 0) {
			fputc(' ', out);
			put_bar(out, &w, s, bw);
		}
		fputc('\n', out);
	}

	for (i = 0; i < w.nrows; i++)
		free(w.rows[i].label);
	free(w.rows);
	free(w.more);
	free(w.kids);
	free(w.n);
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(err, errlen, "write error: %s", strerror(errno));
		rc = -1;
	}
	return rc;
}

/* waterfall.c - one trace as a text waterfall, the way the X-Ray console
 * draws it: every entity on a row, nested, with a bar on the trace's time
 * scale.  The rows and their order come from tracetree.h.
 */
#include "config.h"

#include "xraytop/export.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/model.h"
#include "xraytop/store.h"
#include "xraytop/text.h"
#include "xraytop/tracetree.h"
#include "xraytop/xmalloc.h"

#define STATUS_W  7   /* "FLT 503" */
#define DUR_W     7   /* "1.25s", ">2m03s" */
#define LABEL_MIN 12
#define BAR_MIN   10
#define TEXT_MAX  512 /* bytes kept of one string from data */

struct row {
	size_t		 node;      /* row of the tree */
	char		*label;
};

struct wf {
	const struct trace *t;
	struct tracetree tt;
	struct row	*rows;
	size_t		 nrows;
	unsigned char	*more;      /* per depth: an ancestor there has siblings below */
	double		 t0;
	double		 t1;
};

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
	const struct segment *s = w->tt.rows[i].s;
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
	    name, note, w->tt.rows[i].orphan ? " (parent missing)" : "");
	return buf;
}

/* Labels of every row, with the tree's guides. */
static void
make_rows(struct wf *w, size_t maxcols)
{
	size_t i;

	for (i = 0; i < w->tt.nrows; i++) {
		const struct tt_row *r = &w->tt.rows[i];

		if (r->depth > 0)
			w->more[r->depth] = !r->last;
		w->rows[w->nrows].node = i;
		w->rows[w->nrows].label = make_label(w, i, r->depth, r->last, maxcols);
		w->nrows++;
	}
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

	for (i = 0; i < w->tt.nrows; i++)
		if ((w->tt.rows[i].s->flags & SEG_IN_PROGRESS) && w->tt.rows[i].s->parent == NULL)
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
	size_t i, lw, bw, maxlabel = 0;
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
	tracetree_build(&w.tt, t);
	w.t0 = w.tt.t0;
	w.t1 = w.tt.t1;

	w.rows = xcalloc(w.tt.nrows + 1, sizeof *w.rows);
	w.more = xcalloc(w.tt.nrows + 1, sizeof *w.more);
	make_rows(&w, (size_t)width);

	for (i = 0; i < w.nrows; i++) {
		size_t lwi = text_width(w.rows[i].label);

		if (lwi > maxlabel)
			maxlabel = lwi;
	}
	layout(width, maxlabel, &lw, &cols, &bw);

	put_header(out, &w, width, utc);
	put_axis(out, &w, lw, cols, bw);
	for (i = 0; i < w.nrows; i++) {
		const struct segment *s = w.tt.rows[w.rows[i].node].s;

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
	tracetree_free(&w.tt);
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(err, errlen, "write error: %s", strerror(errno));
		rc = -1;
	}
	return rc;
}

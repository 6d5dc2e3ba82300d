/* prompt.c - one line of input: commands, filter expressions, searches. */
#include "config.h"

#include "xraytop/prompt.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/text.h"
#include "xraytop/ui.h"
#include "xraytop/xmalloc.h"

void
prompt_start(struct prompt *p, const char *label, const char *text, struct prompt_history *hist)
{
	memset(p, 0, sizeof *p);
	snprintf(p->label, sizeof p->label, "%s", label);
	if (text != NULL)
		snprintf(p->buf, sizeof p->buf, "%s", text);
	p->len = p->pos = strlen(p->buf);
	p->hist = hist;
	p->hist_at = hist != NULL ? hist->n : 0;
	p->err_pos = -1;
}

void
prompt_set_error(struct prompt *p, long pos, int width, const char *msg)
{
	p->err_pos = pos;
	p->err_width = width > 0 ? width : 1;
	snprintf(p->err_msg, sizeof p->err_msg, "%s", pos >= 0 && msg != NULL ? msg : "");
}

/* Byte offset of the character before/after pos. */
static size_t
prev_char(const struct prompt *p, size_t pos)
{
	if (pos == 0)
		return 0;
	pos--;
	while (pos > 0 && ((unsigned char)p->buf[pos] & 0xc0) == 0x80)
		pos--;
	return pos;
}

static size_t
next_char(const struct prompt *p, size_t pos)
{
	if (pos >= p->len)
		return p->len;
	pos++;
	while (pos < p->len && ((unsigned char)p->buf[pos] & 0xc0) == 0x80)
		pos++;
	return pos;
}

static void
cut(struct prompt *p, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(p->buf + from, p->buf + to, p->len - to + 1);
	p->len -= to - from;
	if (p->pos > to)
		p->pos -= to - from;
	else if (p->pos > from)
		p->pos = from;
}

static void
insert(struct prompt *p, int key)
{
	char mb[8];
	size_t n;
	uint32_t c = (uint32_t)key;

	if (c < 0x80) {
		mb[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		mb[0] = (char)(0xc0 | (c >> 6));
		mb[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		mb[0] = (char)(0xe0 | (c >> 12));
		mb[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		mb[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		mb[0] = (char)(0xf0 | (c >> 18));
		mb[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		mb[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		mb[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (p->len + n + 1 > sizeof p->buf)
		return;
	memmove(p->buf + p->pos + n, p->buf + p->pos, p->len - p->pos + 1);
	memcpy(p->buf + p->pos, mb, n);
	p->len += n;
	p->pos += n;
}

static void
set_text(struct prompt *p, const char *s)
{
	snprintf(p->buf, sizeof p->buf, "%s", s);
	p->len = p->pos = strlen(p->buf);
}

/* Walk the history by dir (-1 older, +1 newer). */
static void
history_walk(struct prompt *p, int dir)
{
	struct prompt_history *h = p->hist;

	if (h == NULL || h->n == 0)
		return;
	if (dir < 0) {
		if (p->hist_at == 0)
			return;
		if (p->hist_at == h->n)
			snprintf(p->saved, sizeof p->saved, "%s", p->buf);
		p->hist_at--;
		set_text(p, h->items[p->hist_at]);
	} else {
		if (p->hist_at >= h->n)
			return;
		p->hist_at++;
		set_text(p, p->hist_at == h->n ? p->saved : h->items[p->hist_at]);
	}
}

enum prompt_result
prompt_key(struct prompt *p, int key)
{
	size_t at;

	switch (key) {
	case UK_ENTER:
		if (p->hist != NULL && p->len > 0)
			history_add(p->hist, p->buf);
		return PROMPT_ACCEPT;
	case UK_ESC: case UK_CTRL('c'): case UK_CTRL('g'):
		return PROMPT_CANCEL;
	case UK_LEFT: case UK_CTRL('b'):
		p->pos = prev_char(p, p->pos);
		break;
	case UK_RIGHT: case UK_CTRL('f'):
		p->pos = next_char(p, p->pos);
		break;
	case UK_HOME: case UK_CTRL('a'):
		p->pos = 0;
		break;
	case UK_END: case UK_CTRL('e'):
		p->pos = p->len;
		break;
	case UK_BACKSPACE: case UK_CTRL('h'):
		cut(p, prev_char(p, p->pos), p->pos);
		break;
	case UK_DELETE: case UK_CTRL('d'):
		cut(p, p->pos, next_char(p, p->pos));
		break;
	case UK_CTRL('u'):
		cut(p, 0, p->pos);
		break;
	case UK_CTRL('k'):
		cut(p, p->pos, p->len);
		break;
	case UK_CTRL('w'):
		at = p->pos;
		while (at > 0 && p->buf[at - 1] == ' ')
			at--;
		while (at > 0 && p->buf[at - 1] != ' ')
			at--;
		cut(p, at, p->pos);
		break;
	case UK_UP: case UK_CTRL('p'):
		history_walk(p, -1);
		break;
	case UK_DOWN: case UK_CTRL('n'):
		history_walk(p, 1);
		break;
	default:
		if (key == UK_TAB)
			key = ' ';
		if (key >= ' ' && key < UK_BASE && key != 0x7f && !(key >= 0x80 && key < 0xa0))
			insert(p, key);
		break;
	}
	return PROMPT_EDIT;
}

/* Display columns of the first n bytes of s. */
static int
cols_of(const char *s, size_t n)
{
	char tmp[PROMPT_MAX];

	if (n >= sizeof tmp)
		n = sizeof tmp - 1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return (int)text_width(tmp);
}

void
prompt_draw(const struct prompt *p, int y, int x, int w)
{
	int lw, avail, cur, skip_cols = 0, ecol;
	size_t skip = 0;

	ui_fill(y, x, w, SLOT_PROMPT);
	lw = ui_text(y, x, w, SLOT_PROMPT, p->label);
	avail = w - lw - 1;
	if (avail < 1)
		return;
	/* Scroll sideways so the cursor stays in view. */
	cur = cols_of(p->buf, p->pos);
	while (cur - skip_cols >= avail && skip < p->pos) {
		skip = next_char(p, skip);
		skip_cols = cols_of(p->buf, skip);
	}
	ui_text(y, x + lw, avail, SLOT_PROMPT, p->buf + skip);
	if (p->err_pos >= 0) {
		size_t e = (size_t)p->err_pos > p->len ? p->len : (size_t)p->err_pos;
		size_t e2 = e;
		int ew, k;

		for (k = 0; k < p->err_width; k++)
			e2 = next_char(p, e2);
		ew = e2 > e ? cols_of(p->buf + e, e2 - e) : 1;

		ecol = cols_of(p->buf, e) - skip_cols;
		if (ecol >= 0 && ecol < avail + 1) {
			if (e >= p->len)
				ui_fill(y, x + lw + ecol, 1, SLOT_PROMPT_ERROR);
			else
				ui_restyle(y, x + lw + ecol, ew, SLOT_PROMPT_ERROR);
		}
		if (y > 0 && p->err_msg[0] != '\0') {
			char msg[320];

			int mx = x + lw + (ecol > 0 ? ecol : 0);

			snprintf(msg, sizeof msg, "%s column %ld: %s", ui_glyph(UG_SORT_UP),
			    (long)cols_of(p->buf, e) + 1, p->err_msg);
			/* Under the error when it fits there, else from the left. */
			if (mx + (int)text_width(msg) > x + w)
				mx = x;
			ui_fill(y - 1, x, w, SLOT_WARNING);
			ui_text(y - 1, mx, x + w - mx, SLOT_WARNING, msg);
		}
	}
	ui_cursor(y, x + lw + cur - skip_cols);
}

/* ------------------------------------------------------------ history */

void
history_add(struct prompt_history *h, const char *line)
{
	if (line == NULL || *line == '\0')
		return;
	if (h->n > 0 && strcmp(h->items[h->n - 1], line) == 0)
		return;
	if (h->n == PROMPT_HISTORY) {
		free(h->items[0]);
		memmove(h->items, h->items + 1, (PROMPT_HISTORY - 1) * sizeof h->items[0]);
		h->n--;
	}
	h->items[h->n++] = xstrdup(line);
}

void
history_free(struct prompt_history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->items[i]);
	h->n = 0;
}

int
history_load(struct prompt_history *h, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[PROMPT_MAX];

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		history_add(h, line);
	}
	fclose(f);
	return 0;
}

int
history_save(const struct prompt_history *h, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i;
	int bad;

	if (f == NULL)
		return -1;
	for (i = 0; i < h->n; i++)
		fprintf(f, "%s\n", h->items[i]);
	bad = ferror(f);
	bad |= fclose(f) != 0;
	return bad ? -1 : 0;
}

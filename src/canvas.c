/* canvas.c - a grid of terminal cells, drawn without a terminal. */
#include "config.h"

#include "xraytop/canvas.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

struct canvas {
	int		 w, h;
	int		 ox, oy;
	int		 ascii;
	struct canvas_cell *cells;
};

static const struct {
	const char	*name;
	char		 letter;
} styles[] = {
#define CANVAS_STYLE_ROW(id, name, letter) [id] = { name, letter },
	CANVAS_STYLES(CANVAS_STYLE_ROW)
#undef CANVAS_STYLE_ROW
};

#define U CANVAS_UP
#define D CANVAS_DOWN
#define L CANVAS_LEFT
#define R CANVAS_RIGHT

/* Glyphs of a line cell by its sides: light (rounded corners), heavy. */
static const uint32_t light_glyph[16] = {
	[0] = ' ',
	[U] = 0x2502, [D] = 0x2502, [U | D] = 0x2502,                 /* │ */
	[L] = 0x2500, [R] = 0x2500, [L | R] = 0x2500,                 /* ─ */
	[D | R] = 0x256d, [D | L] = 0x256e, [U | R] = 0x2570, [U | L] = 0x256f,  /* ╭╮╰╯ */
	[U | D | R] = 0x251c, [U | D | L] = 0x2524,                   /* ├ ┤ */
	[L | R | D] = 0x252c, [L | R | U] = 0x2534,                   /* ┬ ┴ */
	[U | D | L | R] = 0x253c,                                     /* ┼ */
};

static const uint32_t heavy_glyph[16] = {
	[0] = ' ',
	[U] = 0x2503, [D] = 0x2503, [U | D] = 0x2503,                 /* ┃ */
	[L] = 0x2501, [R] = 0x2501, [L | R] = 0x2501,                 /* ━ */
	[D | R] = 0x250f, [D | L] = 0x2513, [U | R] = 0x2517, [U | L] = 0x251b,  /* ┏┓┗┛ */
	[U | D | R] = 0x2523, [U | D | L] = 0x252b,                   /* ┣ ┫ */
	[L | R | D] = 0x2533, [L | R | U] = 0x253b,                   /* ┳ ┻ */
	[U | D | L | R] = 0x254b,                                     /* ╋ */
};

/* ASCII: straight lines as - and |, every bend or junction as +; heavy
 * straight lines as = and #. */
static uint32_t
ascii_glyph(unsigned lines)
{
	unsigned d = lines & 0x0f;
	int heavy = (lines & CANVAS_HEAVY) != 0;

	if (d == 0)
		return ' ';
	if ((d & (U | D)) == 0)
		return heavy ? '=' : '-';
	if ((d & (L | R)) == 0)
		return heavy ? '#' : '|';
	return '+';
}

#undef U
#undef D
#undef L
#undef R

static uint32_t
line_glyph(const struct canvas *c, unsigned lines)
{
	if (c->ascii)
		return ascii_glyph(lines);
	return (lines & CANVAS_HEAVY) ? heavy_glyph[lines & 0x0f] : light_glyph[lines & 0x0f];
}

struct canvas *
canvas_new(int w, int h)
{
	struct canvas *c = xcalloc(1, sizeof *c);

	c->ascii = text_ascii();
	canvas_resize(c, w, h);
	return c;
}

void
canvas_free(struct canvas *c)
{
	if (c == NULL)
		return;
	free(c->cells);
	free(c);
}

void
canvas_resize(struct canvas *c, int w, int h)
{
	c->w = w > 0 ? w : 0;
	c->h = h > 0 ? h : 0;
	free(c->cells);
	c->cells = xcalloc((size_t)c->w * (size_t)c->h + 1, sizeof *c->cells);
	canvas_clear(c);
}

int
canvas_width(const struct canvas *c)
{
	return c->w;
}

int
canvas_height(const struct canvas *c)
{
	return c->h;
}

void
canvas_clear(struct canvas *c)
{
	size_t i, n = (size_t)c->w * (size_t)c->h;

	for (i = 0; i < n; i++) {
		c->cells[i].cp = ' ';
		c->cells[i].style = CS_DEFAULT;
		c->cells[i].lines = 0;
	}
}

void
canvas_set_ascii(struct canvas *c, int ascii)
{
	c->ascii = ascii != 0;
}

int
canvas_ascii(const struct canvas *c)
{
	return c->ascii;
}

void
canvas_set_origin(struct canvas *c, int ox, int oy)
{
	c->ox = ox;
	c->oy = oy;
}

const struct canvas_cell *
canvas_at(const struct canvas *c, int x, int y)
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return NULL;
	return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

/* The cell at drawing coordinates (x, y), or NULL when clipped. */
static struct canvas_cell *
cell(struct canvas *c, int x, int y)
{
	long cx = (long)x - c->ox, cy = (long)y - c->oy;

	if (cx < 0 || cy < 0 || cx >= c->w || cy >= c->h)
		return NULL;
	return &c->cells[(size_t)cy * (size_t)c->w + (size_t)cx];
}

/* Before a cell is overwritten: a wide character it is half of is blanked
 * whole, so no half of one is left behind. */
static void
unwide(struct canvas *c, struct canvas_cell *p)
{
	size_t i = (size_t)(p - c->cells);
	int x = (int)(i % (size_t)c->w);

	if (p->cp == 0 && x > 0)
		p[-1].cp = ' ';
	else if (x + 1 < c->w && p[1].cp == 0)
		p[1].cp = ' ';
}

static void
set_cell(struct canvas *c, int x, int y, uint32_t cp, int style)
{
	struct canvas_cell *p = cell(c, x, y);

	if (p == NULL)
		return;
	unwide(c, p);
	p->cp = cp;
	p->style = (uint8_t)style;
	p->lines = 0;
}

void
canvas_put(struct canvas *c, int x, int y, uint32_t cp, char ascii, int style)
{
	set_cell(c, x, y, c->ascii ? (uint32_t)(unsigned char)ascii : cp, style);
}

void
canvas_fill(struct canvas *c, int x, int y, int w, int h, uint32_t cp, int style)
{
	int i, j;

	if (c->ascii && cp >= 0x80)
		cp = '?';
	for (j = 0; j < h; j++)
		for (i = 0; i < w; i++)
			set_cell(c, x + i, y + j, cp, style);
}

/* Set or add line sides in one cell. */
static void
set_lines(struct canvas *c, int x, int y, unsigned dirs, int style, int add)
{
	struct canvas_cell *p = cell(c, x, y);
	unsigned lines;

	if (p == NULL)
		return;
	unwide(c, p);
	lines = add ? (unsigned)p->lines | dirs : dirs;
	p->lines = (uint8_t)lines;
	p->cp = line_glyph(c, lines);
	p->style = (uint8_t)style;
}

void
canvas_line(struct canvas *c, int x, int y, unsigned dirs, int style)
{
	set_lines(c, x, y, dirs & 0x1f, style, 1);
}

void
canvas_restyle(struct canvas *c, int x, int y, int style)
{
	struct canvas_cell *p = cell(c, x, y);

	if (p != NULL)
		p->style = (uint8_t)style;
}

void
canvas_box(struct canvas *c, int x, int y, int w, int h, unsigned flags, int style)
{
	unsigned heavy = (flags & CANVAS_BOX_HEAVY) ? CANVAS_HEAVY : 0;
	int i;

	if (w < 2 || h < 2)
		return;
	set_lines(c, x, y, CANVAS_DOWN | CANVAS_RIGHT | heavy, style, 0);
	set_lines(c, x + w - 1, y, CANVAS_DOWN | CANVAS_LEFT | heavy, style, 0);
	set_lines(c, x, y + h - 1, CANVAS_UP | CANVAS_RIGHT | heavy, style, 0);
	set_lines(c, x + w - 1, y + h - 1, CANVAS_UP | CANVAS_LEFT | heavy, style, 0);
	for (i = 1; i < w - 1; i++) {
		set_lines(c, x + i, y, CANVAS_LEFT | CANVAS_RIGHT | heavy, style, 0);
		set_lines(c, x + i, y + h - 1, CANVAS_LEFT | CANVAS_RIGHT | heavy, style, 0);
	}
	for (i = 1; i < h - 1; i++) {
		set_lines(c, x, y + i, CANVAS_UP | CANVAS_DOWN | heavy, style, 0);
		set_lines(c, x + w - 1, y + i, CANVAS_UP | CANVAS_DOWN | heavy, style, 0);
	}
}

/* Columns of code point cp on this canvas (0, 1 or 2). */
static int
cp_width(const struct canvas *c, uint32_t cp)
{
	int w;

	if (c->ascii || cp < 0x80 || MB_CUR_MAX == 1)
		return 1;
	w = wcwidth((wchar_t)cp);
	if (w < 0)
		return 1;
	return w > 2 ? 2 : w;
}

/* The next character of a sanitized string as this canvas shows it. */
static size_t
next_char(const struct canvas *c, const char *s, uint32_t *cp, int *w)
{
	size_t len = text_utf8_next(s, cp);

	if (len == 0) {
		/* Cannot happen after text_sanitize; shown as one '?'. */
		*cp = '?';
		len = 1;
	}
	if (c->ascii && *cp >= 0x80)
		*cp = '?';
	*w = cp_width(c, *cp);
	return len;
}

/* s sanitized, into a buffer of the caller's or the heap. */
static char *
clean(const char *s, char *stack, size_t stacklen)
{
	size_t n = (s != NULL ? strlen(s) : 0) + 1;
	char *buf = n > stacklen ? xmalloc(n) : stack;

	return text_sanitize(s, buf, n);
}

int
canvas_text_width(const struct canvas *c, const char *s)
{
	char stack[256], *buf = clean(s, stack, sizeof stack);
	const char *p;
	uint32_t cp;
	int w, total = 0;

	for (p = buf; *p != '\0';) {
		p += next_char(c, p, &cp, &w);
		total += w;
	}
	if (buf != stack)
		free(buf);
	return total;
}

int
canvas_text(struct canvas *c, int x, int y, const char *s, int maxw, int style)
{
	char stack[256], *buf;
	const char *p;
	uint32_t cp, ell = c->ascii ? '~' : 0x2026;
	int w, used = 0, total, limit;
	struct canvas_cell *q;

	if (maxw <= 0)
		return 0;
	total = canvas_text_width(c, s);
	/* When cut, leave a column for the ellipsis. */
	limit = total > maxw ? maxw - 1 : maxw;
	buf = clean(s, stack, sizeof stack);
	for (p = buf; *p != '\0';) {
		p += next_char(c, p, &cp, &w);
		if (w == 0)
			continue;
		if (used + w > limit)
			break;
		set_cell(c, x + used, y, cp, style);
		if (w == 2) {
			q = cell(c, x + used + 1, y);
			if (q == NULL || cell(c, x + used, y) == NULL) {
				/* Half of it would be clipped: show a blank. */
				set_cell(c, x + used, y, ' ', style);
				set_cell(c, x + used + 1, y, ' ', style);
			} else {
				unwide(c, q);
				q->cp = 0;
				q->style = (uint8_t)style;
				q->lines = 0;
			}
		}
		used += w;
	}
	if (total > maxw) {
		/* A wide character that did not fit leaves one blank. */
		while (used < maxw - 1)
			set_cell(c, x + used++, y, ' ', style);
		set_cell(c, x + used++, y, ell, style);
	}
	if (buf != stack)
		free(buf);
	return used;
}

/* Append the UTF-8 of cp to out (room permitting); returns its length. */
static size_t
utf8_put(uint32_t cp, char *out, size_t room)
{
	char b[4];
	size_t n, i;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	for (i = 0; i < n && i < room; i++)
		out[i] = b[i];
	return n;
}

size_t
canvas_row(const struct canvas *c, int y, char *out, size_t outlen)
{
	size_t n = 0;
	int x;

	if (y >= 0 && y < c->h)
		for (x = 0; x < c->w; x++) {
			const struct canvas_cell *p = canvas_at(c, x, y);

			if (p->cp == 0)
				continue;
			n += utf8_put(p->cp, out != NULL && n < outlen ? out + n : NULL,
			    out != NULL && n < outlen ? outlen - n : 0);
		}
	if (outlen > 0)
		out[n < outlen ? n : outlen - 1] = '\0';
	return n;
}

void
canvas_dump(const struct canvas *c, FILE *out, int with_styles)
{
	size_t need = (size_t)c->w * 4 + 1, len;
	char *row = xmalloc(need);
	int x, y, last;

	for (y = 0; y < c->h; y++) {
		canvas_row(c, y, row, need);
		len = strlen(row);
		while (len > 0 && row[len - 1] == ' ')
			len--;
		fwrite(row, 1, len, out);
		putc('\n', out);
	}
	if (with_styles) {
		putc('\n', out);
		for (y = 0; y < c->h; y++) {
			last = -1;
			for (x = 0; x < c->w; x++)
				if (canvas_at(c, x, y)->style != CS_DEFAULT)
					last = x;
			for (x = 0; x <= last; x++) {
				int st = canvas_at(c, x, y)->style;

				putc(st < CS_COUNT ? styles[st].letter : '?', out);
			}
			putc('\n', out);
		}
	}
	free(row);
}

const char *
canvas_style_name(int style)
{
	if (style < 0 || style >= CS_COUNT)
		return NULL;
	return styles[style].name;
}

int
canvas_style_find(const char *name)
{
	int i;

	for (i = 0; i < CS_COUNT; i++)
		if (name != NULL && strcmp(styles[i].name, name) == 0)
			return i;
	return -1;
}

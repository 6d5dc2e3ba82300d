/* test-canvas.c - the cell grid: lines that merge into the right glyph
 * where they meet, boxes, data text (sanitized, cut with an ellipsis,
 * double-width characters, ASCII mode), clipping and the origin, the dump
 * format, style names; and a golden drawing (UPDATE=1 rewrites it). */
#include "config.h"

#include "xraytop/canvas.h"

#include <locale.h>
#include <stdlib.h>

#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#include "tap.h"

/* ---------------------------------------------------------------- helpers */

static uint32_t
cp_at(const struct canvas *c, int x, int y)
{
	const struct canvas_cell *p = canvas_at(c, x, y);

	return p != NULL ? p->cp : 0xffffffffu;
}

static int
style_at(const struct canvas *c, int x, int y)
{
	const struct canvas_cell *p = canvas_at(c, x, y);

	return p != NULL ? p->style : -1;
}

/* Row y as UTF-8, in one of a few static buffers (several per check). */
static const char *
row(const struct canvas *c, int y)
{
	static char bufs[4][512];
	static int next;
	char *s = bufs[next++ % 4];

	canvas_row(c, y, s, sizeof bufs[0]);
	return s;
}

static char *
dump(const struct canvas *c, int styles)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	canvas_dump(c, f, styles);
	fclose(f);
	return buf;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Compare got with tests/fixtures/canvas/NAME, or rewrite it with UPDATE=1. */
static void
golden(const char *name, const char *got)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/fixtures/canvas/%s", top != NULL ? top : "..", name);
	char *want;
	FILE *f;
	size_t i, line = 1;

	if (getenv("UPDATE") != NULL && getenv("UPDATE")[0] == '1') {
		f = fopen(path, "wb");
		ok(f != NULL && fputs(got, f) >= 0 && fclose(f) == 0, "%s rewritten", name);
		free(path);
		return;
	}
	want = slurp(path);
	if (want == NULL) {
		ok(0, "%s: cannot read %s (top_srcdir set?)", name, path);
		free(path);
		return;
	}
	if (!ok(strcmp(want, got) == 0, "%s matches the golden file", name)) {
		for (i = 0; want[i] != '\0' && want[i] == got[i]; i++)
			if (want[i] == '\n')
				line++;
		diag("first difference on line %zu; got:\n%s", line, got);
	}
	free(want);
	free(path);
}

/* ---------------------------------------------------------------- tests */

static void
test_basics(void)
{
	struct canvas *c = canvas_new(5, 3), *z = canvas_new(0, 0);
	int x, y, blank = 1;

	is_int(canvas_width(c), 5, "width");
	is_int(canvas_height(c), 3, "height");
	for (y = 0; y < 3; y++)
		for (x = 0; x < 5; x++)
			blank &= cp_at(c, x, y) == ' ' && style_at(c, x, y) == CS_DEFAULT;
	ok(blank, "a new canvas is blank");
	ok(canvas_at(c, 5, 0) == NULL && canvas_at(c, -1, 0) == NULL && canvas_at(c, 0, 3) == NULL,
	    "no cell outside");
	canvas_put(c, 7, 1, 'x', 'x', CS_TEXT);
	canvas_put(c, -1, 1, 'x', 'x', CS_TEXT);
	canvas_text(c, 3, 2, "abcdef", 10, CS_TEXT);
	is_str(row(c, 2), "   ab", "text is clipped at the right edge");
	canvas_put(c, 0, 0, 0x2713, 'v', CS_NODE_OK);
	is_int(cp_at(c, 0, 0), 0x2713, "canvas_put: the UTF-8 glyph");
	is_int(style_at(c, 0, 0), CS_NODE_OK, "canvas_put: the style");
	canvas_set_ascii(c, 1);
	canvas_put(c, 1, 0, 0x2713, 'v', CS_NODE_OK);
	is_int(cp_at(c, 1, 0), 'v', "canvas_put: the ASCII glyph in ASCII mode");
	canvas_restyle(c, 1, 0, CS_DIM);
	is_int(style_at(c, 1, 0), CS_DIM, "restyle keeps the glyph, changes the style");
	is_int(cp_at(c, 1, 0), 'v', "restyle keeps the glyph");
	canvas_resize(c, 2, 2);
	ok(canvas_width(c) == 2 && cp_at(c, 0, 0) == ' ', "resize blanks the canvas");
	canvas_text(z, 0, 0, "x", 5, CS_TEXT);
	canvas_box(z, 0, 0, 3, 3, 0, CS_EDGE);
	ok(canvas_width(z) == 0, "drawing on an empty canvas does nothing");
	canvas_free(c);
	canvas_free(z);
	canvas_free(NULL);
}

static void
test_lines(void)
{
	struct canvas *c = canvas_new(7, 5);
	int x;

	canvas_set_ascii(c, 0);
	/* A horizontal line through row 2, a vertical one through column 3. */
	for (x = 0; x < 7; x++)
		canvas_line(c, x, 2, (x > 0 ? CANVAS_LEFT : 0) | (x < 6 ? CANVAS_RIGHT : 0), CS_EDGE);
	canvas_line(c, 3, 1, CANVAS_DOWN, CS_EDGE);
	is_int(cp_at(c, 3, 1), 0x2502, "a line end going down is │");
	canvas_line(c, 3, 2, CANVAS_UP, CS_EDGE);
	is_int(cp_at(c, 3, 2), 0x2534, "a line from above meets ─ as ┴");
	canvas_line(c, 3, 2, CANVAS_DOWN, CS_EDGE);
	is_int(cp_at(c, 3, 2), 0x253c, "and one going on down makes ┼");
	canvas_line(c, 0, 0, CANVAS_DOWN | CANVAS_RIGHT, CS_EDGE);
	canvas_line(c, 1, 0, CANVAS_DOWN | CANVAS_LEFT, CS_EDGE);
	canvas_line(c, 0, 4, CANVAS_UP | CANVAS_RIGHT, CS_EDGE);
	canvas_line(c, 1, 4, CANVAS_UP | CANVAS_LEFT, CS_EDGE);
	is_str(row(c, 0), "╭╮     ", "corners are rounded (top)");
	is_str(row(c, 4), "╰╯     ", "corners are rounded (bottom)");
	canvas_line(c, 5, 1, CANVAS_UP | CANVAS_DOWN | CANVAS_RIGHT, CS_EDGE);
	is_int(cp_at(c, 5, 1), 0x251c, "├");
	canvas_line(c, 6, 1, CANVAS_UP | CANVAS_DOWN | CANVAS_LEFT, CS_EDGE);
	is_int(cp_at(c, 6, 1), 0x2524, "┤");
	canvas_line(c, 4, 3, CANVAS_LEFT | CANVAS_RIGHT | CANVAS_DOWN, CS_EDGE);
	is_int(cp_at(c, 4, 3), 0x252c, "┬");
	canvas_line(c, 1, 2, CANVAS_HEAVY, CS_EDGE_SELECTED);
	is_int(cp_at(c, 1, 2), 0x2501, "a heavy line: ━");
	is_int(style_at(c, 1, 2), CS_EDGE_SELECTED, "the line's style is the latest");
	canvas_line(c, 3, 2, CANVAS_HEAVY, CS_EDGE_SELECTED);
	is_int(cp_at(c, 3, 2), 0x254b, "heavy crossing: ╋");
	canvas_text(c, 2, 2, "ab", 2, CS_TEXT);
	is_str(row(c, 2), "─━ab───", "text replaces lines");
	canvas_line(c, 2, 2, CANVAS_LEFT, CS_EDGE);
	is_int(cp_at(c, 2, 2), 0x2500, "a line over text starts afresh");

	/* The same in ASCII. */
	canvas_set_ascii(c, 1);
	canvas_clear(c);
	for (x = 0; x < 7; x++)
		canvas_line(c, x, 2, CANVAS_LEFT | CANVAS_RIGHT, CS_EDGE);
	canvas_line(c, 3, 2, CANVAS_UP | CANVAS_DOWN, CS_EDGE);
	canvas_line(c, 3, 1, CANVAS_UP | CANVAS_DOWN, CS_EDGE);
	canvas_line(c, 0, 0, CANVAS_DOWN | CANVAS_RIGHT, CS_EDGE);
	canvas_line(c, 1, 2, CANVAS_HEAVY, CS_EDGE);
	canvas_line(c, 5, 1, CANVAS_UP | CANVAS_DOWN | CANVAS_HEAVY, CS_EDGE);
	canvas_line(c, 6, 1, CANVAS_UP | CANVAS_RIGHT | CANVAS_HEAVY, CS_EDGE);
	is_str(row(c, 2), "-=-+---", "ASCII: - and + where lines cross; heavy =");
	is_str(row(c, 1), "   | #+", "ASCII: |, heavy #, any bend +");
	is_str(row(c, 0), "+      ", "ASCII: a corner is +");
	canvas_free(c);
}

static void
test_boxes(void)
{
	struct canvas *c = canvas_new(8, 4);

	canvas_set_ascii(c, 0);
	canvas_box(c, 0, 0, 4, 3, CANVAS_BOX_ROUND, CS_NODE_OK);
	canvas_box(c, 4, 0, 4, 3, CANVAS_BOX_HEAVY, CS_SELECTED);
	is_str(row(c, 0), "╭──╮┏━━┓", "box tops: rounded and heavy");
	is_str(row(c, 1), "│  │┃  ┃", "box sides");
	is_str(row(c, 2), "╰──╯┗━━┛", "box bottoms");
	is_int(style_at(c, 1, 0), CS_NODE_OK, "box style");
	canvas_line(c, 3, 1, CANVAS_RIGHT, CS_EDGE);
	is_int(cp_at(c, 3, 1), 0x251c, "a line leaving a box side joins it: ├");
	canvas_box(c, 0, 0, 4, 3, 0, CS_NODE_FAULT);
	is_int(cp_at(c, 3, 1), 0x2502, "a box drawn again replaces what was merged into it");
	canvas_box(c, 0, 3, 1, 1, 0, CS_EDGE);
	is_str(row(c, 3), "        ", "a box smaller than 2 x 2 is not drawn");
	canvas_set_ascii(c, 1);
	canvas_clear(c);
	canvas_box(c, 0, 0, 4, 3, 0, CS_NODE_OK);
	canvas_box(c, 4, 0, 4, 3, CANVAS_BOX_HEAVY, CS_SELECTED);
	is_str(row(c, 0), "+--++==+", "ASCII boxes");
	is_str(row(c, 1), "|  |#  #", "ASCII box sides (heavy #)");
	canvas_free(c);
}

static void
test_text(void)
{
	struct canvas *c = canvas_new(12, 6);
	int n;

	canvas_set_ascii(c, 0);
	n = canvas_text(c, 0, 0, "\x1b]0;x\x07", 12, CS_TEXT);
	is_str(row(c, 0), "?]0;x?      ", "an escape sequence becomes harmless text");
	is_int(n, 6, "columns written");
	n = canvas_text(c, 0, 1, "checkout-api", 8, CS_TEXT);
	is_str(row(c, 1), "checkou…    ", "cut to 8 columns with …");
	is_int(n, 8, "a cut text fills its width");
	is_int(canvas_text_width(c, "checkout-api"), 12, "width of a text");
	canvas_text(c, 0, 2, "日本語", 12, CS_TEXT);
	is_str(row(c, 2), "日本語      ", "double-width characters");
	is_int(cp_at(c, 1, 2), 0, "the right half of a wide character holds 0");
	is_int(cp_at(c, 2, 2), 0x672c, "the next character after two cells");
	is_int(canvas_text_width(c, "日本語"), 6, "a wide character counts 2");
	canvas_text(c, 0, 3, "日本語", 4, CS_TEXT);
	is_str(row(c, 3), "日 …        ", "a wide character that does not fit leaves a blank");
	canvas_put(c, 3, 2, '|', '|', CS_EDGE);
	is_str(row(c, 2), "日 |語      ", "overwriting half of a wide character blanks the other");
	canvas_text(c, 11, 4, "日", 5, CS_TEXT);
	is_str(row(c, 4), "            ", "a wide character cut by the edge is not drawn");
	canvas_text(c, 0, 5, "e\xcc\x81t\xc3\xa9", 12, CS_TEXT);
	is_str(row(c, 5), "et\xc3\xa9         ", "combining marks (width 0) are dropped");
	n = canvas_text(c, 0, 5, "x", 0, CS_TEXT);
	is_int(n, 0, "nothing written into 0 columns");

	canvas_set_ascii(c, 1);
	canvas_clear(c);
	canvas_text(c, 0, 0, "caf\xc3\xa9 日", 12, CS_TEXT);
	is_str(row(c, 0), "caf? ?      ", "ASCII mode: each non-ASCII character is one ?");
	canvas_text(c, 0, 1, "checkout-api", 8, CS_TEXT);
	is_str(row(c, 1), "checkou~    ", "ASCII mode cuts with ~");
	canvas_text(c, 0, 2, "\xff\xfe ok", 12, CS_TEXT);
	is_str(row(c, 2), "?? ok       ", "invalid UTF-8 bytes are one ? each");
	canvas_free(c);
}

static void
test_origin_and_fill(void)
{
	struct canvas *c = canvas_new(4, 2);

	canvas_set_ascii(c, 0);
	canvas_set_origin(c, 10, 5);
	canvas_text(c, 11, 5, "ab", 4, CS_TEXT);
	canvas_put(c, 0, 0, 'x', 'x', CS_TEXT);
	canvas_fill(c, 8, 6, 4, 1, '#', CS_HIST_BAR);
	canvas_set_origin(c, 0, 0);
	is_str(row(c, 0), " ab ", "drawing goes through the origin");
	is_str(row(c, 1), "##  ", "fill is clipped to the canvas");
	is_int(style_at(c, 0, 1), CS_HIST_BAR, "fill sets the style");
	canvas_free(c);
}

static void
test_dump_and_styles(void)
{
	struct canvas *c = canvas_new(6, 3);
	char *d;
	int i, names = 1;

	canvas_set_ascii(c, 0);
	canvas_text(c, 0, 0, "ab", 6, CS_TEXT);
	canvas_put(c, 4, 1, 0x2717, 'X', CS_NODE_FAULT);
	d = dump(c, 1);
	is_str(d, "ab\n    ✗\n\n\ntt\n....f\n\n",
	    "dump: rows without trailing blanks, then style letters");
	free(d);
	d = dump(c, 0);
	is_str(d, "ab\n    ✗\n\n", "dump without styles");
	free(d);
	for (i = 0; i < CS_COUNT; i++)
		names &= canvas_style_find(canvas_style_name(i)) == i;
	ok(names, "every style's name finds it back");
	is_int(canvas_style_find("node-fault"), CS_NODE_FAULT, "style by name");
	is_int(canvas_style_find("no-such-style"), -1, "unknown style name");
	ok(canvas_style_name(CS_COUNT) == NULL && canvas_style_name(-1) == NULL,
	    "no name outside the styles");
	canvas_free(c);
}

/* A small scene of every primitive, UTF-8 and ASCII, against goldens. */
static void
test_golden(void)
{
	int ascii;

	for (ascii = 0; ascii <= 1; ascii++) {
		struct canvas *c = canvas_new(30, 8);
		char *d;
		int x, y;

		canvas_set_ascii(c, ascii);
		for (x = 13; x < 17; x++)
			canvas_line(c, x, 2, CANVAS_LEFT | CANVAS_RIGHT, CS_EDGE);
		for (y = 2; y < 6; y++)
			canvas_line(c, 15, y, (y > 2 ? CANVAS_UP : CANVAS_LEFT) | CANVAS_DOWN, CS_EDGE);
		canvas_line(c, 15, 6, CANVAS_UP | CANVAS_RIGHT, CS_EDGE);
		for (x = 16; x < 19; x++)
			canvas_line(c, x, 6, CANVAS_LEFT | CANVAS_RIGHT | CANVAS_HEAVY, CS_EDGE_SELECTED);
		canvas_put(c, 19, 6, 0x25b6, '>', CS_EDGE_SELECTED);
		canvas_put(c, 17, 2, 0x25b6, '>', CS_EDGE);
		canvas_text(c, 16, 4, "12 5ms", 8, CS_EDGE_LABEL);
		canvas_box(c, 1, 1, 12, 4, CANVAS_BOX_HEAVY, CS_SELECTED);
		canvas_put(c, 2, 2, 0x03bb, 'L', CS_NODE_NAME);
		canvas_text(c, 4, 2, "orders-\x1b[2J", 8, CS_NODE_NAME);
		canvas_put(c, 2, 3, 0x2717, 'X', CS_NODE_FAULT);
		canvas_text(c, 4, 3, "4.5% 9ms", 8, CS_TEXT);
		canvas_box(c, 18, 0, 12, 4, CANVAS_BOX_ROUND, CS_NODE_OK);
		canvas_text(c, 19, 1, "日本 db", 10, CS_NODE_INFERRED);
		canvas_box(c, 20, 5, 8, 3, 0, CS_NODE_THROTTLE);
		canvas_text(c, 21, 6, "throttled", 6, CS_NODE_NAME);
		d = dump(c, 1);
		golden(ascii ? "primitives-ascii.txt" : "primitives.txt", d);
		free(d);
		canvas_free(c);
	}
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_basics();
	test_lines();
	test_boxes();
	test_text();
	test_origin_and_fill();
	test_dump_and_styles();
	test_golden();
	return done_testing();
}

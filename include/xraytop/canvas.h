/* canvas.h - a grid of terminal cells, drawn without a terminal.
 *
 * Each cell holds one code point and a semantic style (what the cell shows,
 * not how: the UI maps styles to colours and attributes through the theme).
 * The map view draws into a canvas and the UI copies the canvas to the
 * screen, so drawings can be tested as text (canvas_dump).
 *
 * Lines are drawn by direction: each cell remembers which of its four sides
 * a line leaves through, and its glyph is chosen from that set - rounded
 * corners, T-junctions and crossings where lines meet (─│╭╮╰╯├┤┬┴┼, heavy
 * ━┃┏┓┗┛ for a highlighted line; "-|+" and "=#" in ASCII mode).  Writing
 * text or a box over a line replaces it.
 *
 * Every string given to canvas_text is data: it is passed through
 * text_sanitize first (controls, escape sequences and bidi overrides become
 * '?'), and in ASCII mode every non-ASCII character becomes '?'.  A double
 * width character takes two cells: the first holds it, the second holds
 * code point 0 (the UI skips such cells); one that does not fit is not
 * drawn.  Characters of width 0 are dropped.
 *
 * Drawing is clipped to the canvas; coordinates are relative to an origin
 * (canvas_set_origin) so that a large drawing can be drawn through a
 * viewport by moving the origin.
 */
#ifndef XRAYTOP_CANVAS_H
#define XRAYTOP_CANVAS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The styles: id, name (for themes), letter (for canvas_dump). */
#define CANVAS_STYLES(X)						\
	X(CS_DEFAULT,       "default",        '.')			\
	X(CS_TEXT,          "text",           't')			\
	X(CS_DIM,           "dim",            'd')			\
	X(CS_TITLE,         "title",          'T')			\
	X(CS_NODE_OK,       "node-ok",        'o')			\
	X(CS_NODE_ERROR,    "node-error",     'e')			\
	X(CS_NODE_FAULT,    "node-fault",     'f')			\
	X(CS_NODE_THROTTLE, "node-throttle",  'h')			\
	X(CS_NODE_IDLE,     "node-idle",      'i')			\
	X(CS_NODE_NAME,     "node-name",      'n')			\
	X(CS_NODE_CLIENT,   "node-client",    'c')			\
	X(CS_NODE_INFERRED, "node-inferred",  'r')			\
	X(CS_SELECTED,      "selected",       'S')			\
	X(CS_MATCH,         "match",          'm')			\
	X(CS_EDGE,          "edge",           '-')			\
	X(CS_EDGE_SELECTED, "edge-selected",  '=')			\
	X(CS_EDGE_LABEL,    "edge-label",     'l')			\
	X(CS_HIST_BAR,      "hist-bar",       'b')			\
	X(CS_HIST_RANGE,    "hist-range",     'R')			\
	X(CS_HIST_MARKER,   "hist-marker",    'M')			\
	X(CS_HIST_AXIS,     "hist-axis",      'a')

enum canvas_style {
#define CANVAS_STYLE_ENUM(id, name, letter) id,
	CANVAS_STYLES(CANVAS_STYLE_ENUM)
#undef CANVAS_STYLE_ENUM
	CS_COUNT
};

/* Sides a line leaves a cell through; CANVAS_HEAVY draws it heavy. */
#define CANVAS_UP	0x01
#define CANVAS_DOWN	0x02
#define CANVAS_LEFT	0x04
#define CANVAS_RIGHT	0x08
#define CANVAS_HEAVY	0x10

/* Box flags. */
#define CANVAS_BOX_ROUND 0x01   /* ╭╮╰╯ corners */
#define CANVAS_BOX_HEAVY 0x02   /* ┏━┓ (selected) */

struct canvas_cell {
	uint32_t	 cp;      /* code point; 0: right half of a wide character */
	uint8_t		 style;   /* enum canvas_style */
	uint8_t		 lines;   /* CANVAS_UP ... when the cell is part of a line */
};

struct canvas;

/* A canvas of w x h cells (0 allowed), blank, in the ASCII mode of
 * text_ascii(). */
struct canvas *canvas_new(int w, int h);
void canvas_free(struct canvas *c);
/* Change the size; the canvas is blank afterwards. */
void canvas_resize(struct canvas *c, int w, int h);
int canvas_width(const struct canvas *c);
int canvas_height(const struct canvas *c);
/* Blank every cell (space, CS_DEFAULT); the origin is kept. */
void canvas_clear(struct canvas *c);
void canvas_set_ascii(struct canvas *c, int ascii);
int canvas_ascii(const struct canvas *c);
/* Drawing at (x, y) lands in cell (x - ox, y - oy). */
void canvas_set_origin(struct canvas *c, int ox, int oy);

/* The cell at (x, y) in canvas coordinates (the origin does not apply), or
 * NULL outside. */
const struct canvas_cell *canvas_at(const struct canvas *c, int x, int y);

/* One glyph of width 1 chosen by the program (not data): cp in UTF-8 mode,
 * ascii in ASCII mode. */
void canvas_put(struct canvas *c, int x, int y, uint32_t cp, char ascii, int style);
/* Data text, sanitized, cut to at most maxw columns with "…" ("~" in ASCII)
 * when longer.  Returns the columns written (clipped cells included). */
int canvas_text(struct canvas *c, int x, int y, const char *s, int maxw, int style);
/* Columns canvas_text would take for s (before cutting). */
int canvas_text_width(const struct canvas *c, const char *s);
/* Fill a rectangle with a glyph of width 1 (space clears). */
void canvas_fill(struct canvas *c, int x, int y, int w, int h, uint32_t cp, int style);
/* A box outline w x h (at least 2 x 2) with its top-left corner at (x, y). */
void canvas_box(struct canvas *c, int x, int y, int w, int h, unsigned flags, int style);
/* Add the sides in dirs (CANVAS_UP ...) to the line in cell (x, y) and
 * redraw its glyph; style replaces the cell's style. */
void canvas_line(struct canvas *c, int x, int y, unsigned dirs, int style);
/* Change the style of a cell, keeping its glyph. */
void canvas_restyle(struct canvas *c, int x, int y, int style);

/* Write the canvas as text, one line per row with trailing blanks removed;
 * with styles set, then a blank line and one letter per cell per row
 * (CANVAS_STYLES' letters, trailing '.' removed). */
void canvas_dump(const struct canvas *c, FILE *out, int styles);
/* Row y as UTF-8 (wide characters once), NUL-terminated, into out; returns
 * the length needed (like snprintf). */
size_t canvas_row(const struct canvas *c, int y, char *out, size_t outlen);

const char *canvas_style_name(int style);
/* The style named name, or -1. */
int canvas_style_find(const char *name);

#endif

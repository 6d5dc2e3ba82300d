/* ui.h - the terminal: the only module that starts and stops curses.
 *
 * ui_init takes the terminal over (or, headless, a virtual screen of
 * LINES x COLUMNS on /dev/null: XRAYTOP_NO_DISPLAY, for tests and
 * benchmarks); ui_done gives it back.  While curses is up:
 *  - standard error goes to the log file given (or /dev/null), so that
 *    nothing scribbles over the screen; it is put back by ui_done;
 *  - the terminal is restored on every way out: ui_done, fatal() (through
 *    fatal_set_hook), and SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT (the
 *    handler restores, then re-raises the signal with its default action).
 *
 * Drawing goes through this interface, in theme slots (theme.h), never in
 * colours: every string drawn with ui_text is sanitized (text_sanitize), so
 * text from data cannot reach the terminal as control sequences.  A frame
 * is drawn whole (ui_erase, then the views) and sent with ui_update; curses
 * compares it with what the terminal shows and sends only the cells that
 * changed.  The slot of every cell is kept beside the screen so ui_dump can
 * write both (the headless tests' golden screens).
 *
 * Keys are code points (what was typed, UTF-8 decoded) or UK_* values.
 */
#ifndef XRAYTOP_UI_H
#define XRAYTOP_UI_H

#include <stddef.h>

#include "xraytop/theme.h"

/* Keys beyond Unicode's range; Ctrl-A..Ctrl-Z are 1..26 (UK_CTRL('c')). */
enum ui_key {
	UK_NONE = -1,
	UK_BASE = 0x110000,
	UK_UP, UK_DOWN, UK_LEFT, UK_RIGHT,
	UK_PGUP, UK_PGDN, UK_HOME, UK_END,
	UK_ENTER, UK_ESC, UK_TAB, UK_BTAB, UK_BACKSPACE, UK_DELETE, UK_INSERT,
	UK_F1, UK_F2, UK_F3, UK_F4, UK_F5, UK_F6, UK_F7, UK_F8, UK_F9, UK_F10,
	UK_RESIZE,      /* the terminal changed size */
	UK_MOUSE,       /* ui_mouse tells where */
	UK_LAST
};

#define UK_CTRL(c) ((c) & 0x1f)

/* Mouse buttons reported with UK_MOUSE. */
enum ui_button { UB_NONE, UB_CLICK, UB_DOUBLE, UB_WHEEL_UP, UB_WHEEL_DOWN };

/* Glyphs the program draws; ASCII stand-ins in ASCII mode. */
enum ui_glyph {
	UG_HLINE, UG_VLINE, UG_TL, UG_TR, UG_BL, UG_BR, UG_TEE, UG_ELBOW, UG_ELLIPSIS, UG_SEP, UG_ARROW,
	UG_BLOCK, UG_SHADE, UG_DOT, UG_SEGMENT, UG_CRITICAL,
	UG_OPEN, UG_CLOSED, UG_SORT_DOWN, UG_SORT_UP,
	UG_OK, UG_ERROR, UG_FAULT, UG_THROTTLE, UG_PARTIAL,
	UG_COUNT
};

struct ui_opts {
	int		 headless;  /* a virtual screen on /dev/null */
	int		 mouse;     /* report clicks and the wheel */
	const char	*log_path;  /* where stderr goes while curses is up; NULL: /dev/null */
};

/* Start curses with theme th (copied).  Returns 0, or -1 with a message
 * in err (no terminal, unknown TERM ...). */
int ui_init(const struct ui_opts *o, const struct theme *th, char *err, size_t errlen);
/* Give the terminal back; safe to call more than once, or without ui_init. */
void ui_done(void);
int ui_active(void);
int ui_headless(void);
/* The descriptor to poll for keys (-1 headless). */
int ui_input_fd(void);
/* The next key typed, UK_NONE when none is waiting (never blocks). */
int ui_read_key(void);
/* After UK_MOUSE: where (screen row and column) and what. */
void ui_mouse(int *y, int *x, enum ui_button *button);

/* Screen size. */
int ui_lines(void);
int ui_cols(void);
/* Follow the terminal's new size (SIGWINCH); headless: resize to lines x cols. */
void ui_resize(int lines, int cols);
/* Change the theme (copied); the next frame uses it. */
void ui_set_theme(const struct theme *th);
const struct theme *ui_theme(void);

/* Blank the frame. */
void ui_erase(void);
/* Draw s (sanitized) at row y, column x, in at most width columns; a string
 * that does not fit is cut with an ellipsis.  Returns the columns used. */
int ui_text(int y, int x, int width, enum theme_slot slot, const char *s);
/* The same, padded with spaces to exactly width columns (right-aligned
 * when right is set). */
void ui_field(int y, int x, int width, enum theme_slot slot, const char *s, int right);
/* width cells of the same program glyph (not data: not sanitized). */
void ui_repeat(int y, int x, int width, enum theme_slot slot, const char *glyph);
/* Spaces in slot. */
void ui_fill(int y, int x, int width, enum theme_slot slot);
/* Change the slot of width cells, keeping what they show. */
void ui_restyle(int y, int x, int width, enum theme_slot slot);
/* Show the cursor at (y, x) after the update; y < 0 hides it. */
void ui_cursor(int y, int x);
/* Send the frame: only what changed reaches the terminal. */
void ui_update(void);
/* Program glyph g in the current mode. */
const char *ui_glyph(enum ui_glyph g);
/* UTF-8 glyphs when the locale is UTF-8 and ASCII was not asked for. */
int ui_utf8(void);

/* Leave curses for a moment (a pager, Ctrl-Z) and come back. */
void ui_suspend(void);
void ui_resume(void);
/* Stop the process as Ctrl-Z would, the terminal restored meanwhile. */
void ui_stop(void);
/* Put text on the clipboard of the terminal (OSC 52; works through SSH
 * and tmux with set-clipboard on).  Headless, the text is kept for
 * ui_clipboard. */
void ui_copy(const char *text);
const char *ui_clipboard(void);

/* Write the screen as text, one line per row, trailing blanks removed;
 * with slots_path, one more file with the slot of each cell: a line per
 * row, one letter per cell ('.' for the default slot, then a, b, c ... in
 * the order the slots first appear, trailing dots removed), then a blank
 * line and the legend ("a title").  Returns 0, or -1 with a message. */
int ui_dump(const char *path, const char *slots_path, char *err, size_t errlen);
/* Row y of the screen as UTF-8 text (for tests); returns out. */
char *ui_row(int y, char *out, size_t outlen);

/* "<Up>", "j", "<C-c>", "<F1>" ... */
char *ui_key_name(int key, char *out, size_t outlen);
/* Parse one key at *s ("<Down>", "<C-x>", "<Space>", a character); moves *s
 * past it.  Returns the key, or UK_NONE with *s unchanged when bad. */
int ui_key_parse(const char **s);

#endif

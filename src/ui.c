/* ui.c - the terminal: the only module that starts and stops curses. */
#include "config.h"

#include "xraytop/ui.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "provide-curses.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define TEXT_STACK 1024
#define DOUBLE_CLICK_S 0.4

static const int caught_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT };
#define NSIGNALS (sizeof caught_signals / sizeof caught_signals[0])

static struct {
	int		 active;
	int		 headless;
	SCREEN		*screen;
	FILE		*out;           /* the terminal (stdout), or /dev/null */
	FILE		*in;
	int		 in_fd;
	int		 saved_stderr;  /* -1 when stderr is not redirected */
	int		 colors;        /* colour pairs in use */
	int		 locale_utf8;   /* data may be drawn as UTF-8 */
	struct theme	 theme;
	attr_t		 attr[SLOT_COUNT];
	short		 pair[SLOT_COUNT];
	unsigned char	*slots;         /* slot of each cell */
	int		 slines, scols;
	int		 cur_y, cur_x;
	int		 mouse_y, mouse_x;
	enum ui_button	 mouse_button;
	double		 last_press;    /* when button 1 was last pressed (monotonic) */
	char		*clip;
	struct sigaction old[NSIGNALS];
} U = { .saved_stderr = -1, .in_fd = -1, .cur_y = -1 };

static const char *const glyphs_utf8[UG_COUNT] = {
	[UG_HLINE] = "\u2500", [UG_VLINE] = "\u2502", [UG_TL] = "\u256d", [UG_TR] = "\u256e",
	[UG_BL] = "\u2570", [UG_BR] = "\u256f", [UG_TEE] = "\u251c\u2500",
	[UG_ELBOW] = "\u2514\u2500", [UG_ELLIPSIS] = "\u2026", [UG_SEP] = "\u203a",
	[UG_ARROW] = "\u2192", [UG_BLOCK] = "\u2588", [UG_SHADE] = "\u2591",
	[UG_DOT] = "\u00b7", [UG_SEGMENT] = "\u25c6", [UG_CRITICAL] = "\u258c",
	[UG_OPEN] = "\u25be", [UG_CLOSED] = "\u25b8", [UG_SORT_DOWN] = "\u25bc",
	[UG_SORT_UP] = "\u25b2", [UG_OK] = "\u2713", [UG_ERROR] = "!",
	[UG_FAULT] = "\u2716", [UG_THROTTLE] = "\u29d7", [UG_PARTIAL] = "\u2026",
};

static const char *const glyphs_ascii[UG_COUNT] = {
	[UG_HLINE] = "-", [UG_VLINE] = "|", [UG_TL] = "+", [UG_TR] = "+", [UG_BL] = "+",
	[UG_BR] = "+", [UG_TEE] = "|-", [UG_ELBOW] = "`-",
	[UG_ELLIPSIS] = "~", [UG_SEP] = ">", [UG_ARROW] = ">", [UG_BLOCK] = "#",
	[UG_SHADE] = ":", [UG_DOT] = ".", [UG_SEGMENT] = "*", [UG_CRITICAL] = "*",
	[UG_OPEN] = "-", [UG_CLOSED] = "+", [UG_SORT_DOWN] = "v", [UG_SORT_UP] = "^",
	[UG_OK] = "o", [UG_ERROR] = "!", [UG_FAULT] = "X", [UG_THROTTLE] = "T",
	[UG_PARTIAL] = "~",
};

int
ui_active(void)
{
	return U.active;
}

int
ui_headless(void)
{
	return U.headless;
}

int
ui_utf8(void)
{
	return !text_ascii();
}

const char *
ui_glyph(enum ui_glyph g)
{
	if ((int)g < 0 || g >= UG_COUNT)
		return "?";
	return text_ascii() ? glyphs_ascii[g] : glyphs_utf8[g];
}

/* ---------------------------------------------------------------- theme */

static attr_t
curses_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_DIM)
		r |= A_DIM;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_ITALIC)
		r |= A_ITALIC;
	if (a & THEME_BLINK)
		r |= A_BLINK;
	if (a & THEME_STANDOUT)
		r |= A_STANDOUT;
	return r;
}

/* A theme colour on this terminal: bright colours fold onto the eight
 * basic ones when only eight exist, anything else unknown is the default. */
static short
term_color(short c)
{
	if (c < 0)
		return -1;
	if (c < COLORS)
		return c;
	if (c < 16 && COLORS >= 8)
		return (short)(c - 8);
	return -1;
}

/* Colour pairs and attributes of every slot. */
static void
apply_theme(void)
{
	int i, colors = has_colors() && theme_has_colors(&U.theme);

	if (colors && !U.colors) {
		start_color();
		use_default_colors();
		U.colors = 1;
	}
	for (i = 0; i < SLOT_COUNT; i++) {
		const struct theme_style *st = &U.theme.style[i];

		U.attr[i] = curses_attrs(st->attrs);
		U.pair[i] = 0;
		if (U.colors && (st->fg >= 0 || st->bg >= 0) && i + 1 < COLOR_PAIRS) {
			init_pair((short)(i + 1), term_color(st->fg), term_color(st->bg));
			U.pair[i] = (short)(i + 1);
		} else if (!colors && (st->fg >= 0 || st->bg >= 0))
			U.attr[i] |= A_BOLD;  /* coloured text stays apart without colour */
	}
}

void
ui_set_theme(const struct theme *th)
{
	U.theme = *th;
	if (U.active)
		apply_theme();
}

const struct theme *
ui_theme(void)
{
	return &U.theme;
}

/* ---------------------------------------------------------------- life */

/* Put back the terminal and stderr; only what is safe enough in a signal
 * handler (as htop's CRT_done, endwin is the one exception). */
static void
restore(void)
{
	if (U.active) {
		U.active = 0;
		if (!U.headless) {
			mousemask(0, NULL);
			curs_set(1);
		}
		endwin();
	}
	if (U.saved_stderr >= 0) {
		dup2(U.saved_stderr, STDERR_FILENO);
		close(U.saved_stderr);
		U.saved_stderr = -1;
	}
}

/* fatal(): give the terminal back, nothing more (it may run on another
 * thread than the one drawing, and the process is about to exit). */
static void
on_fatal(void)
{
	restore();
}

static void
on_signal(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
slots_alloc(void)
{
	free(U.slots);
	U.slines = LINES > 0 ? LINES : 1;
	U.scols = COLS > 0 ? COLS : 1;
	U.slots = xcalloc((size_t)U.slines * (size_t)U.scols, 1);
}

int
ui_init(const struct ui_opts *o, const struct theme *th, char *err, size_t errlen)
{
	struct sigaction sa;
	const char *term;
	size_t i;
	int fd;

	if (U.active) {
		snprintf(err, errlen, "the terminal is already in use");
		return -1;
	}
	U.headless = o->headless;
	U.locale_utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	U.theme = *th;
	if (U.headless) {
		term = getenv("TERM");
		if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0)
			term = "xterm-256color";
		U.out = fopen("/dev/null", "w");
		U.in = fopen("/dev/null", "r");
		if (U.out == NULL || U.in == NULL) {
			snprintf(err, errlen, "/dev/null: %s", strerror(errno));
			goto fail;
		}
		U.in_fd = -1;
		U.screen = newterm(term, U.out, U.in);
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			snprintf(err, errlen, "standard input and output must be a terminal "
			    "(use a subcommand such as 'xraytop map' for text)");
			return -1;
		}
		U.out = stdout;
		U.in = stdin;
		U.in_fd = STDIN_FILENO;
		U.screen = newterm(NULL, stdout, stdin);
	}
	if (U.screen == NULL) {
		term = getenv("TERM");
		snprintf(err, errlen, "cannot use terminal type '%s'", term != NULL ? term : "");
		goto fail;
	}
	set_term(U.screen);
	U.active = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	set_escdelay(25);
	curs_set(0);
	if (o->mouse && !U.headless) {
		/* Presses only, with no interval: curses would hold every
		 * click back to tell it from a double click (ui_read_key does). */
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	apply_theme();
	slots_alloc();

	/* Nothing may write to the terminal behind curses' back. */
	if (!U.headless) {
		fflush(stderr);
		fd = open(o->log_path != NULL ? o->log_path : "/dev/null",
		    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			U.saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGNALS; i++)
		sigaction(caught_signals[i], &sa, &U.old[i]);
	fatal_set_hook(on_fatal);
	return 0;

fail:
	if (U.headless) {
		if (U.out != NULL)
			fclose(U.out);
		if (U.in != NULL)
			fclose(U.in);
	}
	U.out = U.in = NULL;
	return -1;
}

void
ui_done(void)
{
	size_t i;
	int was = U.active || U.screen != NULL;

	restore();
	if (!was)
		return;
	for (i = 0; i < NSIGNALS; i++)
		sigaction(caught_signals[i], &U.old[i], NULL);
	fatal_set_hook(NULL);
	if (U.screen != NULL) {
		delscreen(U.screen);
		U.screen = NULL;
	}
	if (U.headless) {
		if (U.out != NULL)
			fclose(U.out);
		if (U.in != NULL)
			fclose(U.in);
	} else if (U.out != NULL)
		fflush(U.out);
	U.out = U.in = NULL;
	free(U.slots);
	U.slots = NULL;
	free(U.clip);
	U.clip = NULL;
	U.colors = 0;
}

int
ui_input_fd(void)
{
	return U.in_fd;
}

/* ---------------------------------------------------------------- keys */

static int
map_keycode(int k)
{
	MEVENT ev;

	switch (k) {
	case KEY_UP: return UK_UP;
	case KEY_DOWN: return UK_DOWN;
	case KEY_LEFT: return UK_LEFT;
	case KEY_RIGHT: return UK_RIGHT;
	case KEY_PPAGE: return UK_PGUP;
	case KEY_NPAGE: return UK_PGDN;
	case KEY_HOME: case KEY_A1: return UK_HOME;
	case KEY_END: case KEY_C1: return UK_END;
	case KEY_ENTER: return UK_ENTER;
	case KEY_BTAB: return UK_BTAB;
	case KEY_BACKSPACE: return UK_BACKSPACE;
	case KEY_DC: return UK_DELETE;
	case KEY_IC: return UK_INSERT;
	case KEY_RESIZE: return UK_RESIZE;
	case KEY_MOUSE:
		if (getmouse(&ev) != OK)
			return UK_NONE;
		if (ev.bstate & BUTTON1_PRESSED) {
			struct timespec ts;
			double now;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
			/* A second press on the same cell soon after: a double click. */
			U.mouse_button = now - U.last_press < DOUBLE_CLICK_S && ev.y == U.mouse_y &&
			    ev.x == U.mouse_x ? UB_DOUBLE : UB_CLICK;
			U.last_press = U.mouse_button == UB_DOUBLE ? 0 : now;
		} else if (ev.bstate & BUTTON4_PRESSED)
			U.mouse_button = UB_WHEEL_UP;
		else if (ev.bstate & BUTTON5_PRESSED)
			U.mouse_button = UB_WHEEL_DOWN;
		else
			return UK_NONE;
		U.mouse_y = ev.y;
		U.mouse_x = ev.x;
		return UK_MOUSE;
	default:
		if (k >= KEY_F(1) && k <= KEY_F(10))
			return UK_F1 + (k - KEY_F(1));
		return UK_NONE;
	}
}

int
ui_read_key(void)
{
	wint_t wch;
	int r;

	if (!U.active || U.headless)
		return UK_NONE;
	for (;;) {
		r = wget_wch(stdscr, &wch);
		if (r == ERR)
			return UK_NONE;
		if (r == KEY_CODE_YES) {
			int k = map_keycode((int)wch);

			if (k == UK_NONE)
				continue;  /* a key we have no use for */
			return k;
		}
		switch (wch) {
		case '\r': case '\n': return UK_ENTER;
		case 27: return UK_ESC;
		case '\t': return UK_TAB;
		case 127: case 8: return UK_BACKSPACE;
		default: return (int)wch;
		}
	}
}

void
ui_mouse(int *y, int *x, enum ui_button *button)
{
	*y = U.mouse_y;
	*x = U.mouse_x;
	*button = U.mouse_button;
}

static const struct {
	int		 key;
	const char	*name;
} key_names[] = {
	{ UK_UP, "Up" }, { UK_DOWN, "Down" }, { UK_LEFT, "Left" }, { UK_RIGHT, "Right" },
	{ UK_PGUP, "PgUp" }, { UK_PGDN, "PgDn" }, { UK_HOME, "Home" }, { UK_END, "End" },
	{ UK_ENTER, "Enter" }, { UK_ESC, "Esc" }, { UK_TAB, "Tab" }, { UK_BTAB, "S-Tab" },
	{ UK_BACKSPACE, "BS" }, { UK_DELETE, "Del" }, { UK_INSERT, "Ins" },
	{ UK_F1, "F1" }, { UK_F2, "F2" }, { UK_F3, "F3" }, { UK_F4, "F4" }, { UK_F5, "F5" },
	{ UK_F6, "F6" }, { UK_F7, "F7" }, { UK_F8, "F8" }, { UK_F9, "F9" }, { UK_F10, "F10" },
	{ UK_RESIZE, "Resize" }, { UK_MOUSE, "Mouse" }, { ' ', "Space" }, { '<', "lt" },
};

char *
ui_key_name(int key, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (key_names[i].key == key) {
			snprintf(out, outlen, "<%s>", key_names[i].name);
			return out;
		}
	if (key >= 1 && key <= 26)
		snprintf(out, outlen, "<C-%c>", 'a' + key - 1);
	else if (key > ' ' && key < 0x7f)
		snprintf(out, outlen, "%c", key);
	else if (key >= 0xa0 && key < 0x800)
		snprintf(out, outlen, "%c%c", 0xc0 | (key >> 6), 0x80 | (key & 0x3f));
	else if (key >= 0x800 && key < 0x10000 && !(key >= 0xd800 && key < 0xe000))
		snprintf(out, outlen, "%c%c%c", 0xe0 | (key >> 12), 0x80 | ((key >> 6) & 0x3f),
		    0x80 | (key & 0x3f));
	else if (key >= 0x10000 && key < 0x110000)
		snprintf(out, outlen, "%c%c%c%c", 0xf0 | (key >> 18), 0x80 | ((key >> 12) & 0x3f),
		    0x80 | ((key >> 6) & 0x3f), 0x80 | (key & 0x3f));
	else
		snprintf(out, outlen, "<%d>", key);
	return out;
}

int
ui_key_parse(const char **s)
{
	const char *p = *s, *end;
	uint32_t cp;
	size_t i, len;

	if (*p == '\0')
		return UK_NONE;
	if (*p == '<' && (end = strchr(p, '>')) != NULL && end > p + 1) {
		len = (size_t)(end - p - 1);
		for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
			if (strlen(key_names[i].name) == len &&
			    strncasecmp(key_names[i].name, p + 1, len) == 0) {
				*s = end + 1;
				return key_names[i].key;
			}
		if (len == 3 && (p[1] == 'C' || p[1] == 'c') && p[2] == '-' &&
		    ((p[3] >= 'a' && p[3] <= 'z') || (p[3] >= 'A' && p[3] <= 'Z'))) {
			*s = end + 1;
			return UK_CTRL(p[3]);
		}
		return UK_NONE;
	}
	len = text_utf8_next(p, &cp);
	if (len == 0)
		return UK_NONE;
	*s = p + len;
	return (int)cp;
}

/* ---------------------------------------------------------------- size */

int
ui_lines(void)
{
	return U.active ? LINES : 0;
}

int
ui_cols(void)
{
	return U.active ? COLS : 0;
}

void
ui_resize(int lines, int cols)
{
	if (!U.active)
		return;
	if (U.headless) {
		if (lines < 1 || cols < 1)
			return;
		resizeterm(lines, cols);
	} else {
		/* Let curses read the new size from the terminal. */
		endwin();
		doupdate();
	}
	slots_alloc();
	werase(stdscr);
}

/* ---------------------------------------------------------------- draw */

void
ui_erase(void)
{
	if (!U.active)
		return;
	if (U.slines != LINES || U.scols != COLS)
		slots_alloc();
	werase(stdscr);
	memset(U.slots, 0, (size_t)U.slines * (size_t)U.scols);
	U.cur_y = -1;
}

static void
mark(int y, int x, int width, enum theme_slot slot)
{
	int i;

	if (y < 0 || y >= U.slines || x >= U.scols)
		return;
	for (i = x < 0 ? 0 : x; i < x + width && i < U.scols; i++)
		U.slots[(size_t)y * (size_t)U.scols + (size_t)i] = (unsigned char)slot;
}

/* Columns of one valid character. */
static int
char_cols(uint32_t c)
{
	int w = wcwidth((wchar_t)c);

	return w < 0 ? 1 : w;
}

/* Sanitize s into buf (size len) and cut it to width columns with the
 * ellipsis; non-ASCII becomes '?' when the locale cannot show it.
 * Returns the columns the result takes. */
static int
prepare(const char *s, int width, char *buf, size_t len)
{
	const char *ell = ui_glyph(UG_ELLIPSIS);
	int used = 0, ew = 1, total = 0, keep_cols = 0, fits;
	size_t n, keep = 0, o = 0;
	char *p;
	uint32_t c;

	text_sanitize(s, buf, len);
	if (!U.locale_utf8) {
		for (p = buf; *p != '\0'; p += n) {
			n = text_utf8_next(p, &c);
			if (n == 0 || n > 1) {
				buf[o++] = '?';
				n = n == 0 ? 1 : n;
			} else
				buf[o++] = *p;
		}
		buf[o] = '\0';
	}
	for (p = buf; *p != '\0'; p += n) {
		n = text_utf8_next(p, &c);
		if (n == 0)
			n = 1, c = '?';
		total += char_cols(c);
	}
	fits = total <= width && strlen(buf) + 1 < len;
	if (fits)
		return total;
	if (width <= 0) {
		buf[0] = '\0';
		return 0;
	}
	/* Keep whole characters while they and the ellipsis fit. */
	for (p = buf; *p != '\0'; p += n) {
		int cw;

		n = text_utf8_next(p, &c);
		if (n == 0)
			n = 1, c = '?';
		cw = char_cols(c);
		if (used + cw + ew > width)
			break;
		used += cw;
		keep = (size_t)(p - buf) + n;
		keep_cols = used;
	}
	if (keep + strlen(ell) + 1 > len)
		keep = 0, keep_cols = 0;
	memcpy(buf + keep, ell, strlen(ell) + 1);
	return keep_cols + ew;
}

static void
set_slot(enum theme_slot slot)
{
	if ((int)slot < 0 || slot >= SLOT_COUNT)
		slot = SLOT_DEFAULT;
	wattr_set(stdscr, U.attr[slot], U.pair[slot], NULL);
}

/* Draw prepared text; clipped at the right edge of the screen. */
static int
put(int y, int x, int width, enum theme_slot slot, const char *buf, int cols)
{
	if (cols > width)
		cols = width;
	if (x + cols > COLS)
		cols = COLS - x;
	if (cols <= 0)
		return 0;
	set_slot(slot);
	if (cols < (int)text_width(buf)) {
		/* Draw character by character so nothing wraps to the next line. */
		const char *p = buf;
		int at = x;
		size_t n;
		uint32_t c;

		while (*p != '\0') {
			n = text_utf8_next(p, &c);
			if (n == 0)
				n = 1, c = '?';
			if (at + char_cols(c) > x + cols)
				break;
			mvwaddnstr(stdscr, y, at, p, (int)n);
			at += char_cols(c);
			p += n;
		}
		cols = at - x;
	} else
		mvwaddstr(stdscr, y, x, buf);
	mark(y, x, cols, slot);
	wattr_set(stdscr, A_NORMAL, 0, NULL);
	return cols;
}

int
ui_text(int y, int x, int width, enum theme_slot slot, const char *s)
{
	char stack[TEXT_STACK], *buf = stack;
	size_t need;
	int cols, used;

	if (!U.active || y < 0 || y >= LINES || x < 0 || x >= COLS || width <= 0)
		return 0;
	/* Enough bytes for width columns of the widest UTF-8, and then some,
	 * so that a longer string shows as cut. */
	need = (size_t)width * 4 + 16;
	if (s != NULL && strlen(s) + 1 < need)
		need = strlen(s) + 2;
	if (need > sizeof stack)
		buf = xmalloc(need);
	cols = prepare(s, width, buf, need);
	used = put(y, x, width, slot, buf, cols);
	if (buf != stack)
		free(buf);
	return used;
}

void
ui_field(int y, int x, int width, enum theme_slot slot, const char *s, int right)
{
	char stack[TEXT_STACK], *buf = stack;
	size_t need;
	int cols, pad;

	if (!U.active || y < 0 || y >= LINES || x < 0 || x >= COLS || width <= 0)
		return;
	need = (size_t)width * 4 + 16;
	if (s != NULL && strlen(s) + 1 < need)
		need = strlen(s) + 2;
	if (need > sizeof stack)
		buf = xmalloc(need);
	cols = prepare(s, width, buf, need);
	pad = width - cols;
	if (right && pad > 0) {
		ui_fill(y, x, pad, slot);
		put(y, x + pad, cols, slot, buf, cols);
	} else {
		put(y, x, width, slot, buf, cols);
		if (pad > 0)
			ui_fill(y, x + cols, pad, slot);
	}
	if (buf != stack)
		free(buf);
}

void
ui_repeat(int y, int x, int width, enum theme_slot slot, const char *glyph)
{
	int i;

	if (!U.active || y < 0 || y >= LINES || x >= COLS || width <= 0)
		return;
	if (x < 0) {
		width += x;
		x = 0;
	}
	if (x + width > COLS)
		width = COLS - x;
	set_slot(slot);
	wmove(stdscr, y, x);
	for (i = 0; i < width; i++)
		waddstr(stdscr, glyph);
	mark(y, x, width, slot);
	wattr_set(stdscr, A_NORMAL, 0, NULL);
}

void
ui_fill(int y, int x, int width, enum theme_slot slot)
{
	ui_repeat(y, x, width, slot, " ");
}

void
ui_restyle(int y, int x, int width, enum theme_slot slot)
{
	if (!U.active || y < 0 || y >= LINES || x >= COLS || width <= 0)
		return;
	if (x < 0) {
		width += x;
		x = 0;
	}
	if (x + width > COLS)
		width = COLS - x;
	mvwchgat(stdscr, y, x, width, U.attr[slot], U.pair[slot], NULL);
	mark(y, x, width, slot);
}

void
ui_cursor(int y, int x)
{
	U.cur_y = y;
	U.cur_x = x;
}

void
ui_update(void)
{
	if (!U.active)
		return;
	if (U.cur_y >= 0 && U.cur_y < LINES && U.cur_x >= 0 && U.cur_x < COLS) {
		wmove(stdscr, U.cur_y, U.cur_x);
		curs_set(1);
	} else
		curs_set(0);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---------------------------------------------------------------- suspend */

void
ui_suspend(void)
{
	if (!U.active || U.headless)
		return;
	def_prog_mode();
	endwin();
	if (U.saved_stderr >= 0)
		dup2(U.saved_stderr, STDERR_FILENO);
}

void
ui_resume(void)
{
	int fd;

	if (!U.active || U.headless)
		return;
	if (U.saved_stderr >= 0) {
		fflush(stderr);
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
	reset_prog_mode();
	/* What ran meanwhile drew over the screen: send all of it once. */
	clearok(curscr, TRUE);
	wnoutrefresh(stdscr);
	doupdate();
}

void
ui_stop(void)
{
	struct sigaction sa, old;

	if (!U.active || U.headless)
		return;
	ui_suspend();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTSTP, &sa, &old);
	raise(SIGTSTP);
	sigaction(SIGTSTP, &old, NULL);
	ui_resume();
}

/* ---------------------------------------------------------------- clipboard */

static char *
base64(const char *s)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i, o = 0;
	char *out = xmalloc(n / 3 * 4 + 5);

	for (i = 0; i + 2 < n; i += 3) {
		out[o++] = tab[u[i] >> 2];
		out[o++] = tab[((u[i] & 3) << 4) | (u[i + 1] >> 4)];
		out[o++] = tab[((u[i + 1] & 15) << 2) | (u[i + 2] >> 6)];
		out[o++] = tab[u[i + 2] & 63];
	}
	if (i < n) {
		out[o++] = tab[u[i] >> 2];
		if (i + 1 < n) {
			out[o++] = tab[((u[i] & 3) << 4) | (u[i + 1] >> 4)];
			out[o++] = tab[(u[i + 1] & 15) << 2];
		} else {
			out[o++] = tab[(u[i] & 3) << 4];
			out[o++] = '=';
		}
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

void
ui_copy(const char *text)
{
	char *b64;

	free(U.clip);
	U.clip = xstrdup(text);
	if (!U.active || U.headless || U.out == NULL)
		return;
	b64 = base64(text);
	fprintf(U.out, "\033]52;c;%s\a", b64);
	fflush(U.out);
	free(b64);
}

const char *
ui_clipboard(void)
{
	return U.clip;
}

/* ---------------------------------------------------------------- dump */

char *
ui_row(int y, char *out, size_t outlen)
{
	size_t o = 0, end = 0;
	int x;

	if (outlen == 0)
		return out;
	out[0] = '\0';
	if (!U.active || y < 0 || y >= LINES)
		return out;
	for (x = 0; x < COLS; ) {
		cchar_t cc;
		wchar_t wc[CCHARW_MAX + 1];
		attr_t attrs;
		short pair;
		char mb[MB_LEN_MAX * (CCHARW_MAX + 1)];
		size_t n = 0, k;
		int w;

		if (mvwin_wch(stdscr, y, x, &cc) == ERR)
			break;
		if (getcchar(&cc, wc, &attrs, &pair, NULL) == ERR || wc[0] == L'\0') {
			wc[0] = L' ';
			wc[1] = L'\0';
		}
		for (k = 0; wc[k] != L'\0'; k++) {
			mbstate_t st;
			size_t m;

			memset(&st, 0, sizeof st);
			m = wcrtomb(mb + n, wc[k], &st);
			if (m == (size_t)-1) {
				mb[n] = '?';
				m = 1;
			}
			n += m;
		}
		w = wcwidth(wc[0]);
		if (w < 1)
			w = 1;
		if (o + n + 1 > outlen)
			break;
		memcpy(out + o, mb, n);
		o += n;
		if (!(n == 1 && mb[0] == ' '))
			end = o;
		x += w;
	}
	out[end] = '\0';
	return out;
}

int
ui_dump(const char *path, const char *slots_path, char *err, size_t errlen)
{
	FILE *f;
	size_t rowlen;
	char *row, letter[SLOT_COUNT];
	int y, x, nletters = 0, order[SLOT_COUNT], bad = 0;

	if (!U.active) {
		snprintf(err, errlen, "no screen");
		return -1;
	}
	if ((f = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rowlen = (size_t)COLS * 16 + 1;
	row = xmalloc(rowlen);
	for (y = 0; y < LINES; y++)
		fprintf(f, "%s\n", ui_row(y, row, rowlen));
	free(row);
	bad |= fclose(f) != 0;
	if (slots_path != NULL) {
		static const char letters[] =
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

		if ((f = fopen(slots_path, "w")) == NULL) {
			snprintf(err, errlen, "%s: %s", slots_path, strerror(errno));
			return -1;
		}
		memset(letter, 0, sizeof letter);
		letter[SLOT_DEFAULT] = '.';
		for (y = 0; y < U.slines && y < LINES; y++) {
			int last = -1;

			for (x = 0; x < U.scols && x < COLS; x++) {
				unsigned char sl = U.slots[(size_t)y * (size_t)U.scols + (size_t)x];

				if (sl >= SLOT_COUNT)
					sl = SLOT_DEFAULT;
				if (letter[sl] == 0) {
					letter[sl] = nletters < (int)sizeof letters - 1 ?
					    letters[nletters] : '?';
					order[nletters++] = sl;
				}
				if (sl != SLOT_DEFAULT)
					last = x;
			}
			for (x = 0; x <= last; x++) {
				unsigned char sl = U.slots[(size_t)y * (size_t)U.scols + (size_t)x];

				fputc(letter[sl < SLOT_COUNT ? sl : SLOT_DEFAULT], f);
			}
			fputc('\n', f);
		}
		fputc('\n', f);
		for (x = 0; x < nletters; x++)
			fprintf(f, "%c %s\n", letter[order[x]], theme_slot_name((enum theme_slot)order[x]));
		bad |= fclose(f) != 0;
	}
	if (bad) {
		snprintf(err, errlen, "write error: %s", strerror(errno));
		return -1;
	}
	return 0;
}

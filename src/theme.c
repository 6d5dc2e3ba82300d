/* theme.c - semantic colour slots and the themes that style them. */
#include "config.h"

#include "xraytop/theme.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xraytop/xmalloc.h"

/* theme_text_dark, theme_text_light, theme_text_mono: themes/ *.theme,
 * made into C strings at build time. */
#include "themes-builtin.h"

static const char *const slot_names[SLOT_COUNT] = {
#define THEME_NAME(id, name) name,
	THEME_SLOTS(THEME_NAME)
#undef THEME_NAME
};

static const struct {
	const char	*name;
	const char	*text;
} builtins[] = {
	{ "dark",  theme_text_dark },
	{ "light", theme_text_light },
	{ "mono",  theme_text_mono },
};

#define NBUILTINS (sizeof builtins / sizeof builtins[0])

static const char *const builtin_names[NBUILTINS + 1] = { "dark", "light", "mono", NULL };

static const char *const color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

static const struct {
	const char	*name;
	unsigned	 attr;
} attr_names[] = {
	{ "normal",    0 },
	{ "bold",      THEME_BOLD },
	{ "dim",       THEME_DIM },
	{ "underline", THEME_UNDERLINE },
	{ "reverse",   THEME_REVERSE },
	{ "italic",    THEME_ITALIC },
	{ "blink",     THEME_BLINK },
	{ "standout",  THEME_STANDOUT },
};

const char *
theme_slot_name(enum theme_slot slot)
{
	if ((int)slot < 0 || slot >= SLOT_COUNT)
		return "?";
	return slot_names[slot];
}

/* Compare names treating '-' and '_' alike, ignoring case. */
static int
name_eq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		int ca = *a == '_' ? '-' : tolower((unsigned char)*a);
		int cb = *b == '_' ? '-' : tolower((unsigned char)*b);

		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

int
theme_slot_find(const char *name)
{
	int i;

	for (i = 0; i < SLOT_COUNT; i++)
		if (name_eq(name, slot_names[i]))
			return i;
	return -1;
}

void
theme_init(struct theme *th, const char *name)
{
	int i;

	memset(th, 0, sizeof *th);
	snprintf(th->name, sizeof th->name, "%s", name != NULL ? name : "");
	for (i = 0; i < SLOT_COUNT; i++) {
		th->style[i].fg = THEME_COLOR_DEFAULT;
		th->style[i].bg = THEME_COLOR_DEFAULT;
	}
}

/* A colour word: default, a name, bright-NAME, colorN or N; -2 when bad. */
static int
parse_color(const char *w)
{
	const char *p = w;
	char *end;
	long n;
	int i, bright = 0;

	if (strcasecmp(w, "default") == 0 || strcmp(w, "-1") == 0)
		return THEME_COLOR_DEFAULT;
	if (strncasecmp(p, "bright-", 7) == 0 || strncasecmp(p, "bright_", 7) == 0) {
		bright = 8;
		p += 7;
	}
	for (i = 0; i < 8; i++)
		if (strcasecmp(p, color_names[i]) == 0)
			return i + bright;
	if (bright)
		return -2;
	if (strncasecmp(p, "color", 5) == 0)
		p += 5;
	if (!isdigit((unsigned char)*p))
		return -2;
	errno = 0;
	n = strtol(p, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > 255)
		return -2;
	return (int)n;
}

int
theme_parse_line(struct theme *th, const char *line, char *err, size_t errlen)
{
	char buf[512], *words[16], *save = NULL, *w;
	int nw = 0, slot, fg, bg, i, j;
	unsigned attrs = 0;

	snprintf(buf, sizeof buf, "%s", line);
	for (w = strtok_r(buf, " \t\r\n", &save); w != NULL; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (*w == '#')
			break;
		if (nw == (int)(sizeof words / sizeof words[0])) {
			snprintf(err, errlen, "too many words");
			return -1;
		}
		words[nw++] = w;
	}
	if (nw == 0)
		return 0;
	if (strcmp(words[0], "color") != 0 && strcmp(words[0], "colour") != 0) {
		snprintf(err, errlen, "unknown command '%.64s' (only 'color SLOT FG BG [ATTR...]')",
		    words[0]);
		return -1;
	}
	if (nw < 4) {
		snprintf(err, errlen, "'color' needs SLOT FG BG [ATTR...]");
		return -1;
	}
	if ((slot = theme_slot_find(words[1])) < 0) {
		snprintf(err, errlen, "unknown slot '%.64s'", words[1]);
		return -1;
	}
	if ((fg = parse_color(words[2])) < -1) {
		snprintf(err, errlen, "unknown colour '%.64s'", words[2]);
		return -1;
	}
	if ((bg = parse_color(words[3])) < -1) {
		snprintf(err, errlen, "unknown colour '%.64s'", words[3]);
		return -1;
	}
	for (i = 4; i < nw; i++) {
		for (j = 0; j < (int)(sizeof attr_names / sizeof attr_names[0]); j++)
			if (strcasecmp(words[i], attr_names[j].name) == 0)
				break;
		if (j == (int)(sizeof attr_names / sizeof attr_names[0])) {
			snprintf(err, errlen, "unknown attribute '%.64s'", words[i]);
			return -1;
		}
		attrs |= attr_names[j].attr;
	}
	th->style[slot].fg = (short)fg;
	th->style[slot].bg = (short)bg;
	th->style[slot].attrs = attrs;
	th->style[slot].set = 1;
	return 0;
}

int
theme_parse(struct theme *th, const char *text, const char *where, char **cause)
{
	const char *p = text, *nl;
	char line[512], err[256];
	size_t len;
	int lineno = 0;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (len >= sizeof line) {
			*cause = xasprintf("%s:%d: line too long", where, lineno);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (theme_parse_line(th, line, err, sizeof err) != 0) {
			*cause = xasprintf("%s:%d: %s", where, lineno, err);
			return -1;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return 0;
}

const char *
theme_builtin_text(const char *name)
{
	size_t i;

	for (i = 0; i < NBUILTINS; i++)
		if (strcasecmp(name, builtins[i].name) == 0)
			return builtins[i].text;
	return NULL;
}

const char *const *
theme_builtin_names(void)
{
	return builtin_names;
}

int
theme_builtin(struct theme *th, const char *name)
{
	const char *text = theme_builtin_text(name);
	char *cause = NULL;

	if (text == NULL)
		return -1;
	theme_init(th, name);
	if (theme_parse(th, text, name, &cause) != 0) {
		/* The built-in files are checked by the tests; never here. */
		free(cause);
		return -1;
	}
	return 0;
}

/* Read a whole file into a heap string; NULL with errno set. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			if (cap > (1u << 20)) {
				fclose(f);
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

int
theme_load(struct theme *th, const char *name_or_path, char **cause)
{
	const char *base;
	char *text;
	int rc;

	if (theme_builtin(th, name_or_path) == 0)
		return 0;
	if (strchr(name_or_path, '/') == NULL && strchr(name_or_path, '.') == NULL) {
		*cause = xasprintf("unknown theme '%s' (dark, light, mono, or a file)", name_or_path);
		return -1;
	}
	if ((text = read_file(name_or_path)) == NULL) {
		*cause = xasprintf("%s: %s", name_or_path, strerror(errno));
		return -1;
	}
	/* A theme file styles what it names on top of the default theme. */
	theme_builtin(th, "dark");
	base = strrchr(name_or_path, '/');
	snprintf(th->name, sizeof th->name, "%s", base != NULL ? base + 1 : name_or_path);
	rc = theme_parse(th, text, name_or_path, cause);
	free(text);
	return rc;
}

int
theme_has_colors(const struct theme *th)
{
	int i;

	for (i = 0; i < SLOT_COUNT; i++)
		if (th->style[i].fg != THEME_COLOR_DEFAULT || th->style[i].bg != THEME_COLOR_DEFAULT)
			return 1;
	return 0;
}

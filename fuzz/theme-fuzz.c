/* theme-fuzz.c - libFuzzer target: theme files (theme.h) on arbitrary
 * text.
 *
 * Checks: theme_parse applies exactly the lines theme_parse_line takes,
 * one by one, up to the first bad one, and reports that one as
 * "WHERE:LINE: reason" with its line number; every style is in range (a
 * colour -1 to 255, known attributes) and only the slots named are set;
 * the theme, written back as "color" lines by the names theme.h documents,
 * parses to the same styles.  Any violation aborts. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/theme.h"

#include "fuzz-common.h"

#define MAX_INPUT	16384
#define ATTRS		(THEME_BOLD | THEME_DIM | THEME_UNDERLINE | THEME_REVERSE | \
			 THEME_ITALIC | THEME_BLINK | THEME_STANDOUT)

static void
check_ranges(const struct theme *th)
{
	int s;

	for (s = 0; s < SLOT_COUNT; s++) {
		const struct theme_style *st = &th->style[s];

		FUZZ_CHECK(st->fg >= -1 && st->fg <= 255 && st->bg >= -1 && st->bg <= 255 &&
		    (st->attrs & ~ATTRS) == 0, "slot %s: fg %d bg %d attrs %#x",
		    theme_slot_name((enum theme_slot)s), st->fg, st->bg, st->attrs);
		FUZZ_CHECK(st->set || (st->fg == -1 && st->bg == -1 && st->attrs == 0),
		    "slot %s styled but not set", theme_slot_name((enum theme_slot)s));
	}
}

/* The theme as "color" lines, in the documented words. */
static char *
theme_write(const struct theme *th)
{
	static const char *const attrs[] = { "bold", "dim", "underline", "reverse", "italic",
	    "blink", "standout" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int s, i;

	if (f == NULL)
		abort();
	for (s = 0; s < SLOT_COUNT; s++) {
		const struct theme_style *st = &th->style[s];

		if (!st->set)
			continue;
		fprintf(f, "color %s ", theme_slot_name((enum theme_slot)s));
		if (st->fg < 0)
			fputs("default ", f);
		else
			fprintf(f, "%d ", st->fg);
		if (st->bg < 0)
			fputs("default", f);
		else
			fprintf(f, "color%d", st->bg);
		for (i = 0; i < 7; i++)
			if (st->attrs & (1u << i))
				fprintf(f, " %s", attrs[i]);
		fputc('\n', f);
	}
	fclose(f);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme th, th2, again;
	char *text, *cause = NULL, *line, *p, *nl, *written, err[256], where[16];
	int rc, lineno = 0, bad = 0;

	if (size > MAX_INPUT)
		return 0;
	text = fuzz_text(data, size);
	theme_init(&th, "fuzz");
	rc = theme_parse(&th, text, "T", &cause);
	check_ranges(&th);

	/* Line by line, as theme_parse documents it. */
	theme_init(&th2, "fuzz");
	for (p = text; *p != '\0' && !bad; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (len >= 512) {
			bad = 1;
			snprintf(err, sizeof err, "line too long");
			break;
		}
		line = fuzz_text((const uint8_t *)p, len);
		err[0] = '\0';
		if (theme_parse_line(&th2, line, err, sizeof err) != 0) {
			FUZZ_CHECK(err[0] != '\0', "line %d rejected without a reason", lineno);
			bad = 1;
		}
		free(line);
	}
	if (bad) {
		snprintf(where, sizeof where, "T:%d: ", lineno);
		FUZZ_CHECK(rc == -1 && cause != NULL && strncmp(cause, where, strlen(where)) == 0 &&
		    strcmp(cause + strlen(where), err) == 0,
		    "theme_parse: %d '%s', line by line: '%s%s'", rc, cause != NULL ? cause : "",
		    where, err);
	} else
		FUZZ_CHECK(rc == 0 && cause == NULL, "theme_parse failed: %s", cause);
	FUZZ_CHECK(memcmp(th.style, th2.style, sizeof th.style) == 0,
	    "theme_parse and the lines one by one give different styles");

	/* Written back, it reads the same. */
	written = theme_write(&th);
	theme_init(&again, "fuzz");
	free(cause);
	cause = NULL;
	FUZZ_CHECK(theme_parse(&again, written, "W", &cause) == 0, "written theme: %s", cause);
	FUZZ_CHECK(memcmp(th.style, again.style, sizeof th.style) == 0,
	    "the written theme reads differently:\n%s", written);
	FUZZ_CHECK(theme_has_colors(&th) == theme_has_colors(&again), "has_colors");
	free(written);
	free(text);
	return 0;
}

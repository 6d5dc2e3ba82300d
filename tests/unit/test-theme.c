/* test-theme.c - theme files: the built-in ones are the files in themes/,
 * each styles every slot, and bad lines are reported with their line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xraytop/theme.h"

#include "tap.h"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void
test_builtins(void)
{
	const char *const *names = theme_builtin_names();
	const char *top = getenv("top_srcdir");
	char path[1024];
	struct theme th;
	int n, i, unset;

	for (n = 0; names[n] != NULL; n++) {
		char *text;

		ok(theme_builtin(&th, names[n]) == 0, "built-in theme %s parses", names[n]);
		for (i = 0, unset = 0; i < SLOT_COUNT; i++)
			if (!th.style[i].set) {
				unset++;
				diag("%s does not style %s", names[n], theme_slot_name((enum theme_slot)i));
			}
		is_int(unset, 0, "%s styles every slot", names[n]);
		snprintf(path, sizeof path, "%s/themes/%s.theme", top != NULL ? top : "..", names[n]);
		text = slurp(path);
		ok(text != NULL && strcmp(text, theme_builtin_text(names[n])) == 0,
		    "%s is compiled from %s", names[n], path);
		free(text);
	}
	is_int(n, 3, "three built-in themes");
	theme_builtin(&th, "mono");
	ok(!theme_has_colors(&th), "mono uses no colour");
	theme_builtin(&th, "dark");
	ok(theme_has_colors(&th), "dark uses colours");
	ok(theme_builtin(&th, "neon") != 0, "no such built-in theme");
}

static void
test_slots(void)
{
	int i, j, dup = 0;

	for (i = 0; i < SLOT_COUNT; i++) {
		if (theme_slot_find(theme_slot_name((enum theme_slot)i)) != i)
			dup++;
		for (j = i + 1; j < SLOT_COUNT; j++)
			if (strcmp(theme_slot_name((enum theme_slot)i), theme_slot_name((enum theme_slot)j)) == 0)
				dup++;
	}
	is_int(dup, 0, "slot names are unique and found back");
	is_int(theme_slot_find("MAP_NODE_FAULT"), SLOT_MAP_NODE_FAULT, "underscores and case");
	is_int(theme_slot_find("nope"), -1, "unknown slot");
}

static void
test_lines(void)
{
	struct theme th;
	char err[256], *cause = NULL;
	FILE *f;
	char path[] = "/tmp/xraytop-theme-XXXXXX";
	int fd;

	theme_init(&th, "t");
	ok(theme_parse_line(&th, "color fault bright-red default bold underline", err, sizeof err) == 0,
	    "a colour line");
	is_int(th.style[SLOT_FAULT].fg, 9, "bright-red is colour 9");
	is_int(th.style[SLOT_FAULT].bg, -1, "default background");
	is_int(th.style[SLOT_FAULT].attrs, THEME_BOLD | THEME_UNDERLINE, "two attributes");
	ok(theme_parse_line(&th, "color ok 34 color200", err, sizeof err) == 0, "numbered colours");
	is_int(th.style[SLOT_OK].fg, 34, "34");
	is_int(th.style[SLOT_OK].bg, 200, "color200");
	ok(theme_parse_line(&th, "  # a comment", err, sizeof err) == 0, "comments");
	ok(theme_parse_line(&th, "color ok 256 default", err, sizeof err) != 0 &&
	    strstr(err, "256") != NULL, "256 is no colour: %s", err);
	ok(theme_parse_line(&th, "color okay red default", err, sizeof err) != 0 &&
	    strstr(err, "slot") != NULL, "unknown slot: %s", err);
	ok(theme_parse_line(&th, "color ok red default shiny", err, sizeof err) != 0 &&
	    strstr(err, "shiny") != NULL, "unknown attribute: %s", err);
	ok(theme_parse_line(&th, "colour ok red", err, sizeof err) != 0, "missing background");
	ok(theme_parse_line(&th, "bind q quit", err, sizeof err) != 0, "only color lines");

	ok(theme_parse(&th, "color ok red default\n\ncolor fault blue purple\n", "x.theme", &cause) != 0 &&
	    cause != NULL && strncmp(cause, "x.theme:3: ", 11) == 0, "errors name the line: %s",
	    cause != NULL ? cause : "(none)");
	free(cause);
	cause = NULL;

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs("# mine\ncolor cursor black yellow\n", f);
	fclose(f);
	ok(theme_load(&th, path, &cause) == 0, "a theme file");
	is_int(th.style[SLOT_CURSOR].bg, 3, "its line applies");
	ok(th.style[SLOT_STATUS].set, "what it does not name comes from dark");
	unlink(path);
	ok(theme_load(&th, "/nonexistent/x.theme", &cause) != 0 && cause != NULL &&
	    strstr(cause, "/nonexistent/x.theme") != NULL, "a missing file is named");
	free(cause);
	cause = NULL;
	ok(theme_load(&th, "solarized", &cause) != 0 && cause != NULL &&
	    strstr(cause, "unknown theme") != NULL, "an unknown name");
	free(cause);
}

int
main(void)
{
	test_builtins();
	test_slots();
	test_lines();
	return done_testing();
}

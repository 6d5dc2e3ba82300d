/* config-fuzz.c - libFuzzer target: the configuration file
 * (xraytop-config(5)) on arbitrary bytes, and what the interactive view
 * reads from it.
 *
 * The input is the file (a memfd; config_load reads a path).  Checks:
 *  - config_load returns as many problems as it reported, each one
 *    "PATH:LINE: message" or "PATH: message" with a line that exists;
 *  - every entry has a key without blanks around it or '=' in it, a value
 *    without blanks around it, and a line that exists; config_get finds
 *    the last value given for a section and key, and nothing for a key
 *    that was never given;
 *  - every group has a valid name (1 to 32 letters, digits, '-', '_'),
 *    given once; config_group and config_group_arn find exactly the groups
 *    with a filter; binding group.name = "NAME" through
 *    config_filter_groups ends (a group that refers to itself, directly or
 *    not, is an error, not a loop), and succeeds only for a group whose
 *    filter parses;
 *  - [keys] entries: ui_key_parse moves past what it reads, and the name
 *    ui_key_name gives is safe for a terminal and reads back as the same
 *    key when it is not a bare number;
 *  - [colors] entries are theme lines (as app-config.c applies them) that
 *    leave every style in range.
 * Any violation aborts. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/config.h"
#include "xraytop/filter.h"
#include "xraytop/theme.h"
#include "xraytop/ui.h"

#include "fuzz-common.h"

#define MAX_INPUT	16384

struct reports {
	const char	*path;
	int		 n;
	int		 lines;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void
report(void *ctx, const char *msg)
{
	struct reports *r = ctx;
	size_t plen = strlen(r->path);
	long line;
	char *end;

	r->n++;
	FUZZ_CHECK(strncmp(msg, r->path, plen) == 0 && msg[plen] == ':', "report '%s'", msg);
	if (msg[plen + 1] == ' ')
		return;
	line = strtol(msg + plen + 1, &end, 10);
	FUZZ_CHECK(end[0] == ':' && end[1] == ' ' && line >= 1 && line <= r->lines,
	    "report '%s': line of %d", msg, r->lines);
}

static int
group_name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static void
check_entries(const struct config *c, int lines)
{
	size_t i, j;

	for (i = 0; i < c->nentries; i++) {
		const struct config_entry *e = &c->entries[i];
		size_t kl = strlen(e->key), vl = strlen(e->value);
		const char *last = NULL;

		FUZZ_CHECK(kl > 0 && !is_blank(e->key[0]) && !is_blank(e->key[kl - 1]) &&
		    strchr(e->key, '=') == NULL, "entry %zu: key '%s'", i, e->key);
		FUZZ_CHECK(vl == 0 || (!is_blank(e->value[0]) && !is_blank(e->value[vl - 1])),
		    "entry %zu: value '%s'", i, e->value);
		FUZZ_CHECK(e->line >= 1 && e->line <= lines, "entry %zu: line %d", i, e->line);
		for (j = 0; j < c->nentries; j++)
			if (strcmp(c->entries[j].section, e->section) == 0 &&
			    strcmp(c->entries[j].key, e->key) == 0)
				last = c->entries[j].value;
		FUZZ_CHECK(config_get(c, e->section, e->key) == last,
		    "config_get [%s] %s is not the last value", e->section, e->key);
	}
	FUZZ_CHECK(config_get(c, "", "no such=key") == NULL, "config_get invents a key");
}

static void
check_groups(const struct config *c, int lines)
{
	struct filter_groups groups;
	size_t i, j;

	config_filter_groups(c, &groups);
	for (i = 0; i < c->ngroups; i++) {
		const struct config_group *g = &c->groups[i];
		struct filter_error err;
		struct filter *f;
		char text[128];
		int bound;

		FUZZ_CHECK(group_name_valid(g->name), "group name '%s'", g->name);
		FUZZ_CHECK(g->line >= 1 && g->line <= lines, "group %s: line %d", g->name, g->line);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(c->groups[j].name, g->name) != 0, "group %s twice", g->name);
		FUZZ_CHECK(config_group(c, g->name) == (g->filter != NULL ? g : NULL),
		    "config_group %s", g->name);
		if (g->arn != NULL && g->filter != NULL)
			FUZZ_CHECK(config_group_arn(c, g->arn) != NULL, "config_group_arn %s", g->arn);

		snprintf(text, sizeof text, "group.name = \"%s\"", g->name);
		f = filter_parse(text, &err);
		FUZZ_CHECK(f != NULL, "%s does not parse: %s", text, err.message);
		bound = filter_bind(f, &groups, &err) == 0;
		filter_free(f);
		if (bound) {
			FUZZ_CHECK(g->filter != NULL, "bound group %s without a filter", g->name);
			f = filter_parse(g->filter, &err);
			FUZZ_CHECK(f != NULL, "bound group %s whose filter does not parse", g->name);
			filter_free(f);
		} else
			FUZZ_CHECK(err.message[0] != '\0', "group %s: bind failed without a message",
			    g->name);
	}
}

/* Keys as [keys] sections name them. */
static void
check_keys(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->nentries; i++) {
		const struct config_entry *e = &c->entries[i];
		const char *k = e->key, *k2;
		char name[64];
		size_t at;
		int key, back;

		if (strcmp(e->section, "keys") != 0 && strncmp(e->section, "keys ", 5) != 0)
			continue;
		key = ui_key_parse(&k);
		if (key == UK_NONE) {
			FUZZ_CHECK(k == e->key, "a bad key moved the text");
			continue;
		}
		FUZZ_CHECK(k > e->key && k <= e->key + strlen(e->key), "key parse did not move");
		ui_key_name(key, name, sizeof name);
		FUZZ_CHECK(fuzz_terminal_safe(name, strlen(name), &at), "key name '%s' unsafe at %zu",
		    name, at);
		if (name[0] == '<' && name[1] >= '0' && name[1] <= '9')
			continue;   /* a key with no name of its own */
		k2 = name;
		back = ui_key_parse(&k2);
		FUZZ_CHECK(back == key && *k2 == '\0', "key %d named '%s' reads back as %d", key,
		    name, back);
	}
}

/* [colors] entries, applied as the interactive view applies them. */
static void
check_colors(const struct config *c)
{
	struct theme th;
	char line[1024], err[256];
	size_t i;
	int s;

	theme_init(&th, "fuzz");
	for (i = 0; i < c->nentries; i++) {
		const struct config_entry *e = &c->entries[i];

		if (strcmp(e->section, "colors") != 0 && strcmp(e->section, "colours") != 0)
			continue;
		snprintf(line, sizeof line, "color %s %s", e->key, e->value);
		err[0] = '\0';
		if (theme_parse_line(&th, line, err, sizeof err) != 0)
			FUZZ_CHECK(err[0] != '\0', "colour line rejected without a message");
	}
	for (s = 0; s < SLOT_COUNT; s++)
		FUZZ_CHECK(th.style[s].fg >= -1 && th.style[s].fg <= 255 && th.style[s].bg >= -1 &&
		    th.style[s].bg <= 255 && th.style[s].attrs < 0x80, "slot %d out of range", s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reports r = { NULL, 0, 1 };
	struct config *c = NULL;
	size_t i;
	int problems;

	if (size > MAX_INPUT)
		return 0;
	for (i = 0; i < size; i++)
		r.lines += data[i] == '\n';
	r.path = fuzz_file(data, size);
	problems = config_load(r.path, &c, report, &r);
	FUZZ_CHECK(c != NULL, "config_load gave no config");
	FUZZ_CHECK(problems == r.n, "%d problems returned, %d reported", problems, r.n);
	FUZZ_CHECK(c->path != NULL && strcmp(c->path, r.path) == 0, "config path");
	check_entries(c, r.lines);
	check_groups(c, r.lines);
	check_keys(c);
	check_colors(c);
	config_free(c);
	return 0;
}

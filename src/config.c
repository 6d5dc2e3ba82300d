/* config.c - the user's configuration file: sections, keys, groups. */
#include "config.h"

#include "xraytop/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/filter.h"
#include "xraytop/xmalloc.h"

#define MAX_LINE	65536

char *
config_path(int *explicit)
{
	const char *p;

	if (explicit != NULL)
		*explicit = 0;
	if ((p = getenv("XRAYTOP_CONFIG")) != NULL && *p != '\0') {
		if (explicit != NULL)
			*explicit = 1;
		return xstrdup(p);
	}
	if ((p = getenv("XDG_CONFIG_HOME")) != NULL && *p == '/')
		return xasprintf("%s/xraytop/config", p);
	if ((p = getenv("HOME")) != NULL && *p != '\0')
		return xasprintf("%s/.config/xraytop/config", p);
	return NULL;
}

struct loader {
	struct config	*c;
	const char	*path;
	void		(*report)(void *, const char *);
	void		*ctx;
	int		 problems;
	size_t		 capentries;
	size_t		 capgroups;
};

static void problem(struct loader *l, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct loader *l, int line, const char *fmt, ...)
{
	char msg[600], full[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof full, "%s:%d: %s", l->path, line, msg);
	else
		snprintf(full, sizeof full, "%s: %s", l->path, msg);
	l->problems++;
	if (l->report != NULL)
		l->report(l->ctx, full);
	else
		fprintf(stderr, "xraytop: %s\n", full);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static struct config_entry *
entry_add(struct loader *l, const char *section, const char *key, const char *value, int line)
{
	struct config *c = l->c;
	struct config_entry *e;

	if (c->nentries == l->capentries) {
		struct config_entry *nv;

		l->capentries = l->capentries ? l->capentries * 2 : 16;
		nv = arena_alloc(c->arena, l->capentries * sizeof *nv);
		if (c->nentries > 0)
			memcpy(nv, c->entries, c->nentries * sizeof *nv);
		c->entries = nv;
	}
	e = &c->entries[c->nentries++];
	e->section = arena_strdup(c->arena, section);
	e->key = arena_strdup(c->arena, key);
	e->value = arena_strdup(c->arena, value);
	e->line = line;
	return e;
}

/* Group names as X-Ray allows them: 1 to 32 letters, digits, '-' or '_'. */
static int
group_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* Turn the [group NAME] sections into groups, checking each. */
static void
collect_groups(struct loader *l)
{
	struct config *c = l->c;
	size_t i, j;

	for (i = 0; i < c->nentries; i++) {
		const struct config_entry *e = &c->entries[i];
		struct config_group *g = NULL;
		const char *name;

		if (strncmp(e->section, "group ", 6) != 0)
			continue;
		name = e->section + 6;
		for (j = 0; j < c->ngroups; j++)
			if (strcmp(c->groups[j].name, name) == 0)
				g = &c->groups[j];
		if (g == NULL)
			continue;
		if (strcmp(e->key, "filter") == 0)
			g->filter = e->value;
		else if (strcmp(e->key, "arn") == 0)
			g->arn = e->value;
		else
			problem(l, e->line, "unknown key '%s' in [group %s] (filter, arn)", e->key, name);
	}
	for (i = 0; i < c->ngroups; i++) {
		struct config_group *g = &c->groups[i];
		struct filter_error err;
		struct filter *f;

		if (g->filter == NULL || *g->filter == '\0') {
			problem(l, g->line, "group '%s' has no filter", g->name);
			continue;
		}
		if ((f = filter_parse(g->filter, &err)) == NULL) {
			problem(l, g->line, "group '%s': column %d of its filter: %s", g->name,
			    err.column, err.message);
			continue;
		}
		filter_free(f);
	}
}

static void
group_add(struct loader *l, const char *name, int line)
{
	struct config *c = l->c;
	size_t i;

	if (!group_name_ok(name)) {
		problem(l, line, "bad group name '%s' (1 to 32 letters, digits, '-' or '_')", name);
		return;
	}
	for (i = 0; i < c->ngroups; i++)
		if (strcmp(c->groups[i].name, name) == 0) {
			problem(l, line, "group '%s' is defined twice (first at line %d)", name,
			    c->groups[i].line);
			return;
		}
	if (c->ngroups == l->capgroups) {
		struct config_group *nv;

		l->capgroups = l->capgroups ? l->capgroups * 2 : 8;
		nv = arena_alloc(c->arena, l->capgroups * sizeof *nv);
		if (c->ngroups > 0)
			memcpy(nv, c->groups, c->ngroups * sizeof *nv);
		c->groups = nv;
	}
	memset(&c->groups[c->ngroups], 0, sizeof c->groups[0]);
	c->groups[c->ngroups].name = arena_strdup(c->arena, name);
	c->groups[c->ngroups].line = line;
	c->ngroups++;
}

static void
parse_file(struct loader *l, FILE *f)
{
	char *buf = xmalloc(MAX_LINE), section[256] = "", *s, *eq;
	struct config_entry *last = NULL;
	int lineno = 0, skip = 0;

	while (fgets(buf, MAX_LINE, f) != NULL) {
		size_t len = strlen(buf);

		lineno++;
		if (len == MAX_LINE - 1 && buf[len - 1] != '\n') {
			int ch;

			problem(l, lineno, "line too long (over %d bytes)", MAX_LINE - 2);
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			last = NULL;
			continue;
		}
		/* A blank-led line continues the value above it. */
		if ((buf[0] == ' ' || buf[0] == '\t') && *(s = trim(buf)) != '\0' && s[0] != '#' &&
		    s[0] != ';') {
			if (last != NULL) {
				/* "key =" then an indented value: no space before it */
				char *v = xasprintf("%s%s%s", last->value,
				    *last->value != '\0' ? " " : "", s);

				last->value = arena_strdup(l->c->arena, v);
				free(v);
			} else if (!skip)
				problem(l, lineno, "indented line continues nothing");
			continue;
		}
		s = trim(buf);
		if (*s == '\0' || *s == '#' || *s == ';') {
			if (*s == '\0')
				last = NULL;
			continue;
		}
		last = NULL;
		if (*s == '[') {
			char *close = strchr(s, ']'), *name;

			skip = 0;
			if (close == NULL || *trim(close + 1) != '\0') {
				problem(l, lineno, "a section header is written [NAME]");
				skip = 1;
				continue;
			}
			*close = '\0';
			name = trim(s + 1);
			if (strncmp(name, "group", 5) == 0 && (name[5] == '\0' || isspace((unsigned char)name[5]))) {
				char *g = trim(name + 5);

				if (*g == '\0') {
					problem(l, lineno, "[group] needs a name: [group NAME]");
					skip = 1;
					continue;
				}
				snprintf(section, sizeof section, "group %s", g);
				group_add(l, g, lineno);
			} else
				snprintf(section, sizeof section, "%s", name);
			continue;
		}
		if (skip)
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			problem(l, lineno, "expected KEY = VALUE or a [section] header");
			continue;
		}
		*eq = '\0';
		if (*trim(s) == '\0') {
			problem(l, lineno, "no key before '='");
			continue;
		}
		last = entry_add(l, section, trim(s), trim(eq + 1), lineno);
	}
	free(buf);
}

int
config_load(const char *path, struct config **out, void (*report)(void *, const char *), void *ctx)
{
	struct loader l;
	struct config *c;
	struct arena *a = arena_new(0);
	char *found = NULL;
	int explicit = path != NULL;
	FILE *f;

	c = arena_calloc(a, 1, sizeof *c);
	c->arena = a;
	*out = c;
	if (path == NULL && (path = found = config_path(&explicit)) == NULL)
		return 0;
	memset(&l, 0, sizeof l);
	l.c = c;
	l.path = path;
	l.report = report;
	l.ctx = ctx;
	if ((f = fopen(path, "r")) == NULL) {
		if (explicit || errno != ENOENT)
			problem(&l, 0, "%s", strerror(errno));
		free(found);
		return l.problems;
	}
	c->path = arena_strdup(a, path);
	l.path = c->path;
	parse_file(&l, f);
	if (ferror(f))
		problem(&l, 0, "read error: %s", strerror(errno));
	fclose(f);
	collect_groups(&l);
	free(found);
	return l.problems;
}

void
config_free(struct config *c)
{
	if (c != NULL)
		arena_free(c->arena);
}

const struct config_group *
config_group(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; c != NULL && i < c->ngroups; i++)
		if (strcmp(c->groups[i].name, name) == 0 && c->groups[i].filter != NULL)
			return &c->groups[i];
	return NULL;
}

const struct config_group *
config_group_arn(const struct config *c, const char *arn)
{
	size_t i;

	for (i = 0; c != NULL && i < c->ngroups; i++)
		if (c->groups[i].arn != NULL && strcmp(c->groups[i].arn, arn) == 0 &&
		    c->groups[i].filter != NULL)
			return &c->groups[i];
	return NULL;
}

const char *
config_get(const struct config *c, const char *section, const char *key)
{
	size_t i;
	const char *v = NULL;

	/* The last one given wins. */
	for (i = 0; c != NULL && i < c->nentries; i++)
		if (strcmp(c->entries[i].section, section) == 0 && strcmp(c->entries[i].key, key) == 0)
			v = c->entries[i].value;
	return v;
}

static const char *
lookup(void *ctx, const char *key, int by_arn)
{
	const struct config_group *g;

	g = by_arn ? config_group_arn(ctx, key) : config_group(ctx, key);
	return g != NULL ? g->filter : NULL;
}

void
config_filter_groups(const struct config *c, struct filter_groups *out)
{
	out->lookup = lookup;
	out->ctx = (void *)(uintptr_t)c;
}

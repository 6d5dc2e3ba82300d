/* config.h - the user's configuration file (xraytop-config(5)).
 *
 * Found at $XRAYTOP_CONFIG, else $XDG_CONFIG_HOME/xraytop/config, else
 * ~/.config/xraytop/config.  Lines of "key = value" under "[section]"
 * headers; '#' or ';' starts a comment line; a line that starts with blanks
 * continues the value above it.  Groups are sections "[group NAME]" with
 * "filter = EXPR" (required) and "arn = ARN" (optional); every other
 * section is kept as is for whoever reads it (config_get).
 */
#ifndef XRAYTOP_CONFIG_H
#define XRAYTOP_CONFIG_H

#include <stddef.h>

struct filter_groups;

struct config_group {
	const char	*name;
	const char	*arn;       /* NULL when not given */
	const char	*filter;    /* the expression text */
	int		 line;      /* where its section starts */
};

struct config_entry {
	const char	*section;   /* "" before any header; "group NAME" for groups */
	const char	*key;
	const char	*value;
	int		 line;
};

struct config {
	struct arena	*arena;
	const char	*path;      /* the file read, NULL when there was none */
	struct config_group *groups;
	size_t		 ngroups;
	struct config_entry *entries;
	size_t		 nentries;
};

/* The file to read (heap, caller frees), or NULL when no HOME is known;
 * *explicit is set when it came from $XRAYTOP_CONFIG. */
char *config_path(int *explicit);
/* Read path (NULL: config_path()).  A missing file is no error unless it
 * was named explicitly (path given or $XRAYTOP_CONFIG).  Each problem is
 * reported as "FILE:LINE: message" through report (NULL: stderr, prefixed
 * "xraytop: "); returns the number of problems, and *out (never NULL) holds
 * whatever was usable. */
int config_load(const char *path, struct config **out,
    void (*report)(void *ctx, const char *msg), void *ctx);
void config_free(struct config *c);
const struct config_group *config_group(const struct config *c, const char *name);
const struct config_group *config_group_arn(const struct config *c, const char *arn);
/* The value of key in section, or NULL. */
const char *config_get(const struct config *c, const char *section, const char *key);
/* A group lookup for filter_bind that reads c's groups. */
void config_filter_groups(const struct config *c, struct filter_groups *out);

#endif

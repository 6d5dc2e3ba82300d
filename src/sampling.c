/* sampling.c - ordering sampling rules and joining their statistics; the
 * order of groups. */
#include "config.h"

#include "xraytop/sampling.h"

#include <string.h>

#include "xraytop/groups.h"

static int
str_cmp(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

int
sampling_rule_cmp(const void *a, const void *b)
{
	const struct sampling_rule *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return str_cmp(x->name, y->name);
}

void
sampling_join(struct sampling_rule *rules, size_t nrules,
    const struct sampling_stat *stats, size_t nstats)
{
	size_t i, j;

	for (i = 0; i < nrules; i++) {
		rules[i].stat = NULL;
		for (j = 0; j < nstats; j++) {
			if (str_cmp(rules[i].name, stats[j].rule_name) != 0)
				continue;
			if (rules[i].stat == NULL || stats[j].timestamp > rules[i].stat->timestamp)
				rules[i].stat = &stats[j];
		}
	}
}

int
group_cmp(const void *a, const void *b)
{
	const struct xray_group *x = a, *y = b;
	int dx = x->name != NULL && strcmp(x->name, "Default") == 0;
	int dy = y->name != NULL && strcmp(y->name, "Default") == 0;

	if (dx != dy)
		return dx ? -1 : 1;
	return str_cmp(x->name, y->name);
}

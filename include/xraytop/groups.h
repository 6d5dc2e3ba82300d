/* groups.h - X-Ray groups: a name for a filter expression (model layer).
 *
 * Decoded from GetGroups / GetGroup output (json-in.h).  Strings live in
 * the arena the caller gave the decoder.
 */
#ifndef XRAYTOP_GROUPS_H
#define XRAYTOP_GROUPS_H

#include <stddef.h>

struct xray_group {
	const char	*name;              /* GroupName */
	const char	*arn;               /* GroupARN */
	const char	*filter;            /* FilterExpression; NULL for the Default group */
	int		 insights;          /* InsightsConfiguration.InsightsEnabled (-1 absent) */
	int		 notifications;     /* InsightsConfiguration.NotificationsEnabled (-1 absent) */
};

/* qsort comparator: by name, "Default" first. */
int group_cmp(const void *a, const void *b);

#endif

/* export.c - the choice of format and the dispatch to the writers. */
#include "config.h"

#include "xraytop/export.h"

#include <errno.h>
#include <string.h>

#include "xraytop/graph.h"
#include "xraytop/summary.h"
#include "xraytop/text.h"

static const char *const map_names[] = {
	[MAP_TEXT] = "text", [MAP_JSON] = "json", [MAP_DOT] = "dot", [MAP_SVG] = "svg",
};

static const char *const list_names[] = {
	[LIST_TEXT] = "text", [LIST_JSON] = "json", [LIST_IDS] = "ids",
};

int
export_map_format(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof map_names / sizeof map_names[0]; i++)
		if (strcmp(name, map_names[i]) == 0)
			return (int)i;
	return -1;
}

int
export_list_format(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof list_names / sizeof list_names[0]; i++)
		if (strcmp(name, list_names[i]) == 0)
			return (int)i;
	return -1;
}

/* Flush out and report a write error that happened on the way. */
static int
check_written(FILE *out, char *err, size_t errlen)
{
	if (fflush(out) != 0) {
		snprintf(err, errlen, "write error: %s", strerror(errno));
		return -1;
	}
	if (ferror(out)) {
		snprintf(err, errlen, "write error");
		return -1;
	}
	return 0;
}

int
export_map(struct svcmap *m, enum map_format fmt, FILE *out, char *err, size_t errlen)
{
	int rc;

	switch (fmt) {
	case MAP_TEXT:
		rc = text_out_map(m, out, err, errlen);
		break;
	case MAP_JSON:
		rc = json_out_map(m, out, err, errlen);
		break;
	case MAP_DOT:
		rc = graph_render(m, GRAPH_DOT, out, err, errlen);
		break;
	case MAP_SVG:
		rc = graph_render(m, GRAPH_SVG, out, err, errlen);
		break;
	default:
		snprintf(err, errlen, "unknown map format %d", (int)fmt);
		return -1;
	}
	if (rc != 0)
		return rc;
	return check_written(out, err, errlen);
}

/* The ids, one per line, in the order given. */
static int
ids_out(const struct trace_summary *s, size_t n, FILE *out)
{
	char buf[256];
	size_t i;

	for (i = 0; i < n; i++) {
		fputs(text_sanitize(s[i].id != NULL ? s[i].id : "-", buf, sizeof buf), out);
		putc('\n', out);
	}
	return 0;
}

int
export_traces(const struct trace_summary *s, size_t n, enum list_format fmt, int utc,
    FILE *out, char *err, size_t errlen)
{
	int rc;

	switch (fmt) {
	case LIST_TEXT:
		rc = text_out_traces(s, n, utc, out, err, errlen);
		break;
	case LIST_JSON:
		rc = json_out_traces(s, n, out, err, errlen);
		break;
	case LIST_IDS:
		rc = ids_out(s, n, out);
		break;
	default:
		snprintf(err, errlen, "unknown list format %d", (int)fmt);
		return -1;
	}
	if (rc != 0)
		return rc;
	return check_written(out, err, errlen);
}

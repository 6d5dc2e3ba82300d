/* export.h - writing the map, the trace list and one trace for people and scripts.
 *
 * All writers take data already built (a map, summaries, an assembled trace)
 * and write to a stdio stream; they return 0, or -1 with a message in err
 * (a write error, or Graphviz failing).  Text formats sanitize every string
 * from data (text.h); JSON escapes per RFC 8259.
 *
 * Map JSON has the "xray-bench-map/1" shape: {"schema", "input", "nodes",
 * "edges"} with per node/edge count, ok, error, fault, throttle,
 * sum_response_time, avg, p50, p90, p95, p99 (seconds, 6 decimals) and
 * requests_per_minute; nodes sorted by (name, type), edges by (source, target).
 */
#ifndef XRAYTOP_EXPORT_H
#define XRAYTOP_EXPORT_H

#include <stddef.h>
#include <stdio.h>

struct svcmap;
struct trace;
struct trace_summary;

enum map_format { MAP_TEXT, MAP_JSON, MAP_DOT, MAP_SVG };
enum list_format { LIST_TEXT, LIST_JSON, LIST_IDS };

/* Parse "text", "json", ... into the enum; -1 when unknown. */
int export_map_format(const char *name);
int export_list_format(const char *name);

int export_map(struct svcmap *m, enum map_format fmt, FILE *out, char *err, size_t errlen);
/* The trace list, in the order given. utc selects UTC times in text. */
int export_traces(const struct trace_summary *s, size_t n, enum list_format fmt, int utc,
    FILE *out, char *err, size_t errlen);
/* A text waterfall of one trace: entities nested, bars scaled to the trace,
 * durations and status, in width columns. */
int export_waterfall(const struct trace *t, int width, int utc, FILE *out, char *err, size_t errlen);

/* Writers behind export_map and export_traces (json-out.c, export-text.c). */
int json_out_map(struct svcmap *m, FILE *out, char *err, size_t errlen);
int json_out_traces(const struct trace_summary *s, size_t n, FILE *out, char *err, size_t errlen);
struct xray_group;
struct sampling_rule;
/* X-Ray groups and sampling rules as JSON ("xraytop-groups/1",
 * "xraytop-sampling-rules/1"), in the order given. */
int json_out_groups(const struct xray_group *g, size_t n, FILE *out, char *err, size_t errlen);
int json_out_sampling(const struct sampling_rule *r, size_t n, FILE *out, char *err, size_t errlen);
int text_out_map(struct svcmap *m, FILE *out, char *err, size_t errlen);
int text_out_traces(const struct trace_summary *s, size_t n, int utc, FILE *out, char *err, size_t errlen);

#endif

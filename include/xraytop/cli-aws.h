/* cli-aws.h - the AWS source on the command line.
 *
 * With no INPUT, `map`, `traces` and `trace ID` read from the X-Ray API of
 * the account (cli.c calls these with the sink it would give the file
 * source); `groups` and `sampling-rules` are commands of their own.  The
 * options shared by all of them are parsed here (CLI_AWS_LONG_OPTIONS goes
 * into a command's getopt table, cli_aws_option takes what it returns).
 *
 * Times: --since DURATION (15m, 2h, 1d, 1h30m, 90s; default 15m) or
 * --start/--end, each epoch seconds, ISO-8601 with a zone ("...Z",
 * "...+02:00"), "YYYY-MM-DD[ T]HH:MM[:SS]" read as UTC (as local time with
 * --local), "now", or "-DURATION" before now.
 *
 * Exit statuses as cli.h says, with: 2 when nothing could be fetched
 * (credentials, region, network, access denied), 3 when some calls failed
 * for good (the rest was used), 130 when interrupted.
 */
#ifndef XRAYTOP_CLI_AWS_H
#define XRAYTOP_CLI_AWS_H

#include <getopt.h>

struct sink;

struct cli_aws {
	const char	*since;
	const char	*start;
	const char	*end;
	const char	*group;
	const char	*filter;
	const char	*region;
	const char	*profile;
	const char	*endpoint;
	const char	*save;
	const char	*time_range;
	const char	*log;
	long		 fetch_limit;     /* -1: AWS_DEFAULT_LIMIT */
	double		 rate;            /* 0: AWS_DEFAULT_RATE */
	double		 timeout;         /* 0: AWS_DEFAULT_TIMEOUT */
	double		 stall_timeout;   /* 0: AWS_DEFAULT_STALL */
	int		 full;
	int		 verbose;
	int		 quiet;           /* no progress line */
	int		 used;            /* an option of the AWS source was given */
};

enum {
	OPT_AWS_SINCE = 400,
	OPT_AWS_START,
	OPT_AWS_END,
	OPT_AWS_GROUP,
	OPT_AWS_FILTER,
	OPT_AWS_REGION,
	OPT_AWS_PROFILE,
	OPT_AWS_ENDPOINT,
	OPT_AWS_SAVE,
	OPT_AWS_TIME_RANGE,
	OPT_AWS_FETCH_LIMIT,
	OPT_AWS_RATE,
	OPT_AWS_TIMEOUT,
	OPT_AWS_FULL,
	OPT_AWS_LOG,
	OPT_AWS_VERBOSE,
	OPT_AWS_QUIET,
	OPT_AWS_STALL_TIMEOUT,
	OPT_AWS_END_
};

#define CLI_AWS_LONG_OPTIONS \
	{ "since",        required_argument, NULL, OPT_AWS_SINCE }, \
	{ "start",        required_argument, NULL, OPT_AWS_START }, \
	{ "end",          required_argument, NULL, OPT_AWS_END }, \
	{ "group",        required_argument, NULL, OPT_AWS_GROUP }, \
	{ "filter",       required_argument, NULL, OPT_AWS_FILTER }, \
	{ "region",       required_argument, NULL, OPT_AWS_REGION }, \
	{ "profile",      required_argument, NULL, OPT_AWS_PROFILE }, \
	{ "endpoint-url", required_argument, NULL, OPT_AWS_ENDPOINT }, \
	{ "save",         required_argument, NULL, OPT_AWS_SAVE }, \
	{ "time-range",   required_argument, NULL, OPT_AWS_TIME_RANGE }, \
	{ "fetch-limit",  required_argument, NULL, OPT_AWS_FETCH_LIMIT }, \
	{ "rate",         required_argument, NULL, OPT_AWS_RATE }, \
	{ "timeout",      required_argument, NULL, OPT_AWS_TIMEOUT }, \
	{ "full",         no_argument,       NULL, OPT_AWS_FULL }, \
	{ "log",          required_argument, NULL, OPT_AWS_LOG }, \
	{ "verbose",      no_argument,       NULL, OPT_AWS_VERBOSE }, \
	{ "quiet",        no_argument,       NULL, OPT_AWS_QUIET }, \
	{ "stall-timeout", required_argument, NULL, OPT_AWS_STALL_TIMEOUT }

/* Defaults for every field. */
void cli_aws_init(struct cli_aws *ca);
/* Take option code (OPT_AWS_*) with its argument.  Returns 0, or -1 after
 * printing a usage message for command cmd. */
int cli_aws_option(struct cli_aws *ca, int code, const char *arg, const char *cmd);
/* Nonzero when code is one of the OPT_AWS_* codes. */
int cli_aws_is_option(int code);

/* Fetch into sink, as the file source would deliver; return an exit
 * status.  map: GetServiceGraph (with --filter or --full: the full traces
 * of the matching summaries); traces: GetTraceSummaries (with --full:
 * BatchGetTraces of each, documents only); trace: that one trace's
 * documents (json_opts as for json_decode). */
int cli_aws_map(const struct cli_aws *ca, int utc, const struct sink *sink);
int cli_aws_traces(const struct cli_aws *ca, int utc, const struct sink *sink);
int cli_aws_trace(const struct cli_aws *ca, int utc, const char *id, unsigned json_opts,
    const struct sink *sink);

/* The commands `xraytop groups` and `xraytop sampling-rules`. */
int cli_groups(int argc, char **argv);
int cli_sampling_rules(int argc, char **argv);

/* Parse a duration ("15m", "1h30m", "90s", "2d", "45" = seconds) into
 * seconds; -1 when not one. */
double cli_aws_duration(const char *s);
/* Parse a time as --start/--end take it, relative to now; -1 when not one. */
double cli_aws_time(const char *s, int utc, double now);

#endif

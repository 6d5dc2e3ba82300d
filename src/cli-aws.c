/* cli-aws.c - the AWS source on the command line: map, traces and trace
 * without INPUT, and the groups and sampling-rules commands.
 *
 * Each command makes a loop and a client, starts one job, and runs the loop
 * until the job is done (or SIGINT/SIGTERM cancels it): the same loop and
 * the same code the TUI runs.  --save writes each answer page as received,
 * one JSON value per line, which the file source reads back.
 */
#include "config.h"

#include "xraytop/cli-aws.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "xraytop/arena.h"
#include "xraytop/aws.h"
#include "xraytop/cli.h"
#include "xraytop/export.h"
#include "xraytop/filter.h"
#include "xraytop/groups.h"
#include "xraytop/json-in.h"
#include "xraytop/log.h"
#include "xraytop/loop.h"
#include "xraytop/model.h"
#include "xraytop/sampling.h"
#include "xraytop/sink.h"
#include "xraytop/summary.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define EXIT_NOTHING	1
#define EXIT_FAIL	2
#define EXIT_PARTIAL	3
#define EXIT_CANCELLED	130
#define DEFAULT_SINCE	(15 * 60.0)

void
cli_aws_init(struct cli_aws *ca)
{
	memset(ca, 0, sizeof *ca);
	ca->fetch_limit = -1;
}

int
cli_aws_is_option(int code)
{
	return code >= OPT_AWS_SINCE && code < OPT_AWS_END_;
}

double
cli_aws_duration(const char *s)
{
	double total = 0, v;
	char *end;
	int any = 0;

	if (s == NULL || *s == '\0')
		return -1;
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		errno = 0;
		v = strtod(s, &end);
		if (errno != 0 || end == s || !isfinite(v) || v < 0)
			return -1;
		s = end;
		switch (*s) {
		case 's': s++; break;
		case 'm': v *= 60; s++; break;
		case 'h': v *= 3600; s++; break;
		case 'd': v *= 86400; s++; break;
		case 'w': v *= 7 * 86400; s++; break;
		case '\0':
			if (any)
				return -1;   /* "1h30" is ambiguous */
			break;
		default:
			return -1;
		}
		total += v;
		any = 1;
	}
	return total;
}

/* "YYYY-MM-DD[ T]HH:MM[:SS]" without a zone, as UTC or local time. */
static double
plain_time(const char *s, int utc)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	char sep;
	time_t t;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	s += n;
	if (*s != '\0') {
		if (sscanf(s, "%c%2d:%2d%n", &sep, &h, &mi, &n) != 3 || (sep != ' ' && sep != 'T'))
			return -1;
		s += n;
		if (*s == ':') {
			if (sscanf(s, ":%2d%n", &sec, &n) != 1)
				return -1;
			s += n;
		}
		if (*s != '\0')
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	return t == (time_t)-1 ? -1 : (double)t;
}

/* An ISO-8601 time with a zone. */
static double
zoned_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, n = 0, zh, zm = 0;
	double sec, frac = 0;
	char sign;
	const char *p;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	p = s + n;
	if (*p == 'Z' || *p == 'z') {
		zh = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++;
		if (sscanf(p, "%2d%n", &zh, &n) != 1)
			return -1;
		p += n;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p)) {
			if (sscanf(p, "%2d%n", &zm, &n) != 1)
				return -1;
			p += n;
		}
		if (sign == '-') {
			zh = -zh;
			zm = -zm;
		}
	} else
		return -1;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec >= 61)
		return -1;
	frac = sec - floor(sec);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = (int)sec;
	return (double)timegm(&tm) + frac - zh * 3600.0 - zm * 60.0;
}

double
cli_aws_time(const char *s, int utc, double now)
{
	double v;
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "now") == 0)
		return now;
	if (s[0] == '-') {
		v = cli_aws_duration(s + 1);
		return v < 0 ? -1 : now - v;
	}
	errno = 0;
	v = strtod(s, &end);
	if (*end == '\0' && errno == 0 && isfinite(v) && v > 0 && strchr(s, '-') == NULL)
		return v;
	if ((v = zoned_time(s)) > 0)
		return v;
	return plain_time(s, utc);
}

int
cli_aws_option(struct cli_aws *ca, int code, const char *arg, const char *cmd)
{
	char *end;

	if (code != OPT_AWS_VERBOSE && code != OPT_AWS_LOG && code != OPT_AWS_QUIET)
		ca->used = 1;
	switch (code) {
	case OPT_AWS_SINCE:
		if (cli_aws_duration(arg) <= 0) {
			fprintf(stderr, "xraytop %s: --since takes a duration like 15m, 2h or 1d\n", cmd);
			return -1;
		}
		ca->since = arg;
		break;
	case OPT_AWS_START: ca->start = arg; break;
	case OPT_AWS_END: ca->end = arg; break;
	case OPT_AWS_GROUP:
		if (*arg == '\0' || strlen(arg) > 32) {
			fprintf(stderr, "xraytop %s: --group takes a group name of 1 to 32 characters\n", cmd);
			return -1;
		}
		ca->group = arg;
		break;
	case OPT_AWS_FILTER: ca->filter = arg; break;
	case OPT_AWS_REGION: ca->region = arg; break;
	case OPT_AWS_PROFILE: ca->profile = arg; break;
	case OPT_AWS_ENDPOINT: ca->endpoint = arg; break;
	case OPT_AWS_SAVE: ca->save = arg; break;
	case OPT_AWS_TIME_RANGE:
		if (strcasecmp(arg, "trace-id") == 0 || strcasecmp(arg, "traceid") == 0)
			ca->time_range = "TraceId";
		else if (strcasecmp(arg, "event") == 0)
			ca->time_range = "Event";
		else if (strcasecmp(arg, "service") == 0)
			ca->time_range = "Service";
		else {
			fprintf(stderr, "xraytop %s: --time-range takes trace-id, event or service\n", cmd);
			return -1;
		}
		break;
	case OPT_AWS_FETCH_LIMIT:
		errno = 0;
		ca->fetch_limit = strtol(arg, &end, 10);
		if (errno != 0 || *end != '\0' || end == arg || ca->fetch_limit < 0) {
			fprintf(stderr, "xraytop %s: --fetch-limit takes a whole number (0: no limit)\n", cmd);
			return -1;
		}
		break;
	case OPT_AWS_RATE:
		errno = 0;
		ca->rate = strtod(arg, &end);
		if (errno != 0 || *end != '\0' || !(ca->rate >= 0.1 && ca->rate <= 1000)) {
			fprintf(stderr, "xraytop %s: --rate takes calls per second, from 0.1 to 1000\n", cmd);
			return -1;
		}
		break;
	case OPT_AWS_TIMEOUT:
		if ((ca->timeout = cli_aws_duration(arg)) <= 0 || ca->timeout > 600) {
			fprintf(stderr, "xraytop %s: --timeout takes a duration up to 10m\n", cmd);
			return -1;
		}
		break;
	case OPT_AWS_STALL_TIMEOUT:
		if ((ca->stall_timeout = cli_aws_duration(arg)) < 1 || ca->stall_timeout > 600) {
			fprintf(stderr, "xraytop %s: --stall-timeout takes a duration from 1s to 10m\n", cmd);
			return -1;
		}
		break;
	case OPT_AWS_FULL: ca->full = 1; break;
	case OPT_AWS_LOG: ca->log = arg; break;
	case OPT_AWS_VERBOSE: ca->verbose = 1; break;
	case OPT_AWS_QUIET: ca->quiet = 1; break;
	default:
		return -1;
	}
	return 0;
}

/* The window from --since / --start / --end.  Returns 0, or -1 after a message. */
static int
window(const struct cli_aws *ca, int utc, const char *cmd, double *start, double *end)
{
	double now = (double)time(NULL);

	if (ca->since != NULL && ca->start != NULL) {
		fprintf(stderr, "xraytop %s: give --since or --start, not both\n", cmd);
		return -1;
	}
	*end = now;
	if (ca->end != NULL && (*end = cli_aws_time(ca->end, utc, now)) < 0) {
		fprintf(stderr, "xraytop %s: --end: '%s' is not a time (epoch seconds, "
		    "2026-11-24T14:00:00Z, '2026-11-24 14:00', now, -15m)\n", cmd, ca->end);
		return -1;
	}
	if (ca->start != NULL) {
		if ((*start = cli_aws_time(ca->start, utc, now)) < 0) {
			fprintf(stderr, "xraytop %s: --start: '%s' is not a time (epoch seconds, "
			    "2026-11-24T14:00:00Z, '2026-11-24 14:00', -1h)\n", cmd, ca->start);
			return -1;
		}
	} else
		*start = *end - (ca->since != NULL ? cli_aws_duration(ca->since) : DEFAULT_SINCE);
	if (*start >= *end) {
		fprintf(stderr, "xraytop %s: the window is empty (start is not before end)\n", cmd);
		return -1;
	}
	return 0;
}

/* The local filter parser decides what is sent: a FilterExpression goes to
 * X-Ray only once filter_parse accepts it, so a typo costs no call and is
 * reported with its column. */
static int
filter_accept(const char *expr, char *err, size_t errlen)
{
	struct filter_error fe;
	struct filter *f;

	memset(&fe, 0, sizeof fe);
	if ((f = filter_parse(expr, &fe)) == NULL) {
		snprintf(err, errlen, "column %d: %s", fe.column, fe.message);
		return -1;
	}
	filter_free(f);
	return 0;
}

/* ---------------------------------------------------------------- running a job */

struct run {
	const char	*cmd;
	struct loop	*lp;
	struct aws	*a;
	struct aws_job	*job;
	FILE		*save;
	const char	*save_path;
	int		 save_failed;
	int		 save_traces_only;  /* --full: keep only the trace pages */
	int		 done;
	enum aws_status	 status;
	char		 error[2048];
	int		 show_progress;
	int		 progress_shown;
	const struct sink *user;
	struct sink	 wrap;
	int		 drop_summaries;
	char		 filter_buf[4096];
	/* groups and sampling rules */
	struct xray_group *groups;
	size_t		 ngroups;
	struct sampling_rule *rules;
	size_t		 nrules;
	struct arena	*keep;
};

static void
on_signal(void *ctx, int signo)
{
	struct run *r = ctx;

	if (r->job != NULL && !aws_job_finished(r->job))
		aws_job_cancel(r->job);
}

static void
on_page(void *ctx, const char *op, const char *body, size_t len)
{
	struct run *r = ctx;
	size_t i;

	if (r->save == NULL || r->save_failed)
		return;
	if (r->save_traces_only && strcmp(op, "BatchGetTraces") != 0 &&
	    strcmp(op, "ListRetrievedTraces") != 0)
		return;
	/* one value per line: a raw line break can only be white space in JSON */
	for (i = 0; i < len; i++)
		putc(body[i] == '\n' || body[i] == '\r' ? ' ' : body[i], r->save);
	putc('\n', r->save);
	if (ferror(r->save))
		r->save_failed = 1;
}

static void
on_progress(void *ctx, const struct aws_progress *p)
{
	struct run *r = ctx;

	log_debug("progress: %s %lu pages, %llu scanned, %lu summaries, traces %lu/%lu, %.0f%%",
	    p->what, p->pages, p->scanned, p->summaries, p->traces_done, p->traces_wanted,
	    p->window_done * 100);
	if (!r->show_progress)
		return;
	fputs("\r\033[K", text_raw_stderr());
	fprintf(stderr, "xraytop: %lu pages", p->pages);
	if (p->scanned > 0 || p->summaries > 0)
		fprintf(stderr, ", %llu traces scanned, %lu matched", p->scanned, p->summaries);
	if (p->traces_wanted > 0)
		fprintf(stderr, ", %lu/%lu traces fetched", p->traces_done, p->traces_wanted);
	if (p->window_done > 0)
		fprintf(stderr, ", %.0f%% of the window", p->window_done * 100);
	if (p->throttles > 0)
		fprintf(stderr, ", %lu throttled", p->throttles);
	r->progress_shown = 1;
}

static void
on_done(void *ctx, enum aws_status st, const char *err)
{
	struct run *r = ctx;

	r->done = 1;
	r->status = st;
	snprintf(r->error, sizeof r->error, "%s", err);
	loop_stop(r->lp);
}

/* Forward documents and graph pages; summaries unless told not to. */
static void
w_document(void *ctx, const struct segment *doc)
{
	struct run *r = ctx;

	if (r->user->document != NULL)
		r->user->document(r->user->ctx, doc);
}

static void
w_summary(void *ctx, const struct trace_summary *s)
{
	struct run *r = ctx;

	if (!r->drop_summaries && r->user->summary != NULL)
		r->user->summary(r->user->ctx, s);
}

static void
w_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	struct run *r = ctx;

	if (r->user->graph != NULL)
		r->user->graph(r->user->ctx, svcs, n);
}

/* Logging, loop, client, --save.  Returns 0, or an exit status. */
static int
run_open(struct run *r, const struct cli_aws *ca, const char *cmd)
{
	struct aws_opts ao;
	char err[4096];

	r->cmd = cmd;
	if (ca->verbose || ca->log != NULL) {
		char *path = ca->log != NULL ? xstrdup(ca->log) : xasprintf("xraytop-%ld.log", (long)getpid());

		if (log_open(ca->verbose ? 3 : 2, path) != 0) {
			fprintf(stderr, "xraytop %s: %s: %s\n", cmd, path, strerror(errno));
			free(path);
			return EXIT_FAIL;
		}
		if (ca->log == NULL)
			fprintf(stderr, "xraytop %s: logging to %s\n", cmd, path);
		free(path);
	}
	memset(&ao, 0, sizeof ao);
	ao.region = ca->region;
	ao.profile = ca->profile;
	ao.endpoint = ca->endpoint;
	ao.rate = ca->rate;
	ao.timeout = ca->timeout;
	ao.stall_timeout = ca->stall_timeout;
	r->lp = loop_new();
	if ((r->a = aws_new(r->lp, &ao, err, sizeof err)) == NULL) {
		fprintf(stderr, "xraytop %s: %s\n", cmd, err);
		return EXIT_FAIL;
	}
	if (ca->save != NULL) {
		r->save_path = ca->save;
		if ((r->save = fopen(ca->save, "w")) == NULL) {
			fprintf(stderr, "xraytop %s: %s: %s\n", cmd, ca->save, strerror(errno));
			return EXIT_FAIL;
		}
	}
	r->show_progress = !ca->quiet && isatty(2);
	loop_add_signal(r->lp, SIGINT, on_signal, r);
	loop_add_signal(r->lp, SIGTERM, on_signal, r);
	return 0;
}

static struct aws_handlers
run_handlers(struct run *r, const struct sink *user, unsigned json_opts)
{
	struct aws_handlers h;

	memset(&h, 0, sizeof h);
	h.ctx = r;
	r->user = user;
	if (user != NULL) {
		r->wrap = (struct sink){ r, w_document, w_summary, w_graph };
		h.sink = &r->wrap;
	}
	h.json_opts = json_opts;
	h.page = on_page;
	h.progress = on_progress;
	h.done = on_done;
	return h;
}

/* Run the loop until the job is done; report how it ended.  Returns the
 * exit status (opened: what run_open returned). */
static int
run_wait(struct run *r, int opened)
{
	int status = 0;

	if (opened == 0 && r->job != NULL) {
		while (!r->done) {
			if (loop_run(r->lp) != 0)
				break;
		}
	}
	if (r->progress_shown)
		fputs("\r\033[K", text_raw_stderr());
	if (opened != 0)
		return opened;
	if (!r->done) {
		fprintf(stderr, "xraytop %s: the event loop failed\n", r->cmd);
		return EXIT_FAIL;
	}
	switch (r->status) {
	case AWS_DONE:
		break;
	case AWS_PARTIAL:
		fprintf(stderr, "xraytop %s: %s\nxraytop %s: some calls failed; the rest was used\n",
		    r->cmd, r->error, r->cmd);
		status = EXIT_PARTIAL;
		break;
	case AWS_FAILED:
		fprintf(stderr, "xraytop %s: %s\n", r->cmd, r->error);
		status = EXIT_FAIL;
		break;
	case AWS_CANCELLED:
		fprintf(stderr, "xraytop %s: interrupted\n", r->cmd);
		status = EXIT_CANCELLED;
		break;
	}
	if (status == 0 && r->job != NULL && aws_job_progress(r->job)->bad > 0) {
		const struct aws_progress *p = aws_job_progress(r->job);

		fprintf(stderr, "xraytop %s: %lu bad document%s or entr%s skipped (the first: %s); "
		    "the rest was used\n", r->cmd, p->bad, p->bad == 1 ? "" : "s",
		    p->bad == 1 ? "y" : "ies", p->bad_first);
		status = EXIT_PARTIAL;
	}
	if (r->save != NULL) {
		if (fclose(r->save) != 0 || r->save_failed) {
			fprintf(stderr, "xraytop %s: %s: write error\n", r->cmd, r->save_path);
			if (status == 0)
				status = EXIT_FAIL;
		}
		r->save = NULL;
	}
	return status;
}

static void
run_free(struct run *r)
{
	if (r->a != NULL) {
		const struct aws_counters *k = aws_counters(r->a);

		log_info("aws: %lu calls, %lu requests, %lu retries, %lu throttled, %lu server errors, "
		    "%lu network errors, %lu failed", k->calls, k->attempts, k->retries, k->throttles,
		    k->server_errors, k->network_errors, k->failed);
	}
	if (r->save != NULL)
		fclose(r->save);
	aws_job_free(r->job);
	aws_free(r->a);
	loop_free(r->lp);
	arena_free(r->keep);
	free(r->groups);
	free(r->rules);
	log_close();
	memset(r, 0, sizeof *r);
}

static int
run_close(struct run *r, int opened)
{
	int status = run_wait(r, opened);

	run_free(r);
	return status;
}

/* The FilterExpression to send: --filter (checked locally) with --group's
 * condition.  NULL when there is none; "" after a usage error. */
static const char *
query_filter(struct run *r, const struct cli_aws *ca, int with_group)
{
	char err[300];

	if (ca->filter != NULL && filter_accept(ca->filter, err, sizeof err) != 0) {
		fprintf(stderr, "xraytop %s: --filter: %s\n", r->cmd, err);
		return "";
	}
	if (with_group && ca->group != NULL) {
		if (ca->filter != NULL)
			snprintf(r->filter_buf, sizeof r->filter_buf, "group.name = \"%s\" AND (%s)",
			    ca->group, ca->filter);
		else
			snprintf(r->filter_buf, sizeof r->filter_buf, "group.name = \"%s\"", ca->group);
		return r->filter_buf;
	}
	return ca->filter;
}

int
cli_aws_map(const struct cli_aws *ca, int utc, const struct sink *sink)
{
	struct run r;
	struct aws_query q;
	struct aws_handlers h;
	int rc;

	memset(&r, 0, sizeof r);
	memset(&q, 0, sizeof q);
	r.cmd = "map";
	if (window(ca, utc, "map", &q.start, &q.end) != 0)
		return EXIT_FAIL;
	if ((q.filter = query_filter(&r, ca, 1)) != NULL && *q.filter == '\0')
		return EXIT_FAIL;
	if ((rc = run_open(&r, ca, "map")) != 0)
		return run_close(&r, rc);
	h = run_handlers(&r, sink, JSON_LEAN);
	if (ca->filter != NULL || ca->full) {
		/* the map of the matching traces themselves */
		q.full = 1;
		q.limit = ca->fetch_limit >= 0 ? ca->fetch_limit : AWS_DEFAULT_LIMIT;
		q.time_range = ca->time_range;
		r.drop_summaries = 1;
		r.save_traces_only = 1;
		r.job = aws_fetch_summaries(r.a, &q, &h);
	} else {
		q.group = ca->group;
		q.filter = NULL;
		r.job = aws_fetch_graph(r.a, &q, &h);
	}
	return run_close(&r, 0);
}

int
cli_aws_traces(const struct cli_aws *ca, int utc, const struct sink *sink)
{
	struct run r;
	struct aws_query q;
	struct aws_handlers h;
	int rc;

	memset(&r, 0, sizeof r);
	memset(&q, 0, sizeof q);
	r.cmd = "traces";
	if (window(ca, utc, "traces", &q.start, &q.end) != 0)
		return EXIT_FAIL;
	if ((q.filter = query_filter(&r, ca, 1)) != NULL && *q.filter == '\0')
		return EXIT_FAIL;
	if ((rc = run_open(&r, ca, "traces")) != 0)
		return run_close(&r, rc);
	h = run_handlers(&r, sink, 0);
	q.limit = ca->fetch_limit >= 0 ? ca->fetch_limit : AWS_DEFAULT_LIMIT;
	q.time_range = ca->time_range;
	q.full = ca->full;
	r.drop_summaries = ca->full;
	r.save_traces_only = ca->full;
	r.job = aws_fetch_summaries(r.a, &q, &h);
	return run_close(&r, 0);
}

int
cli_aws_trace(const struct cli_aws *ca, int utc, const char *id, unsigned json_opts,
    const struct sink *sink)
{
	struct run r;
	struct aws_query q, *qp = NULL;
	struct aws_handlers h;
	int rc;

	memset(&r, 0, sizeof r);
	memset(&q, 0, sizeof q);
	r.cmd = "trace";
	if (ca->start != NULL || ca->end != NULL || ca->since != NULL) {
		if (window(ca, utc, "trace", &q.start, &q.end) != 0)
			return EXIT_FAIL;
		qp = &q;
	}
	if ((rc = run_open(&r, ca, "trace")) != 0)
		return run_close(&r, rc);
	h = run_handlers(&r, sink, json_opts);
	r.job = aws_fetch_traces(r.a, &id, 1, qp, &h);
	return run_close(&r, 0);
}

/* ---------------------------------------------------------------- groups, sampling-rules */

static void
on_groups(void *ctx, const struct xray_group *g, size_t n)
{
	struct run *r = ctx;
	size_t i;

	r->groups = xreallocarray(r->groups, r->ngroups + n, sizeof *r->groups);
	for (i = 0; i < n; i++) {
		struct xray_group *d = &r->groups[r->ngroups++];

		*d = g[i];
		d->name = arena_strdup(r->keep, g[i].name);
		d->arn = arena_strdup(r->keep, g[i].arn);
		d->filter = arena_strdup(r->keep, g[i].filter);
	}
}

/* Rules arrive sorted and joined once, valid during the call: copy them. */
static void
on_rules(void *ctx, const struct sampling_rule *rl, size_t n)
{
	struct run *r = ctx;
	size_t i, k;

	r->rules = xcalloc(n + 1, sizeof *r->rules);
	r->nrules = n;
	for (i = 0; i < n; i++) {
		struct sampling_rule *d = &r->rules[i];
		struct sampling_stat *st;

		*d = rl[i];
		d->name = arena_strdup(r->keep, rl[i].name);
		d->arn = arena_strdup(r->keep, rl[i].arn);
		d->resource_arn = arena_strdup(r->keep, rl[i].resource_arn);
		d->service_name = arena_strdup(r->keep, rl[i].service_name);
		d->service_type = arena_strdup(r->keep, rl[i].service_type);
		d->host = arena_strdup(r->keep, rl[i].host);
		d->http_method = arena_strdup(r->keep, rl[i].http_method);
		d->url_path = arena_strdup(r->keep, rl[i].url_path);
		d->attributes = arena_calloc(r->keep, rl[i].nattributes + 1, sizeof *d->attributes);
		for (k = 0; k < rl[i].nattributes; k++) {
			d->attributes[k].key = arena_strdup(r->keep, rl[i].attributes[k].key);
			d->attributes[k].value = arena_strdup(r->keep, rl[i].attributes[k].value);
		}
		if (rl[i].stat != NULL) {
			st = arena_alloc(r->keep, sizeof *st);
			*st = *rl[i].stat;
			st->rule_name = d->name;
			d->stat = st;
		}
	}
}

enum { OPT_FORMAT = 'f', OPT_OUTPUT = 'o' };

static const struct option admin_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "help",   no_argument,       NULL, 'h' },
	{ "ascii",  no_argument,       NULL, 'A' },
	CLI_AWS_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

/* Options of groups / sampling-rules.  Returns 0, 1 after --help, -1 after a usage error. */
static int
admin_parse(int argc, char **argv, struct cli_aws *ca, const char **format, const char **output)
{
	int c;

	cli_aws_init(ca);
	*format = "text";
	*output = NULL;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:hv", admin_options, NULL)) != -1) {
		switch (c) {
		case 'f': *format = optarg; break;
		case 'o': *output = optarg; break;
		case 'A': text_set_ascii(1); break;
		case 'v': ca->verbose = 1; break;
		case 'h':
			cli_usage(stdout);
			return 1;
		default:
			if (cli_aws_is_option(c)) {
				if (c == OPT_AWS_SINCE || c == OPT_AWS_START || c == OPT_AWS_END ||
				    c == OPT_AWS_GROUP || c == OPT_AWS_FILTER || c == OPT_AWS_FULL ||
				    c == OPT_AWS_FETCH_LIMIT || c == OPT_AWS_TIME_RANGE) {
					fprintf(stderr, "xraytop %s: %s does not apply here\n", argv[0],
					    argv[optind - 1]);
					return -1;
				}
				if (cli_aws_option(ca, c, optarg, argv[0]) != 0)
					return -1;
				break;
			}
			fprintf(stderr, "xraytop %s: unknown option %s or missing argument\n"
			    "Try 'xraytop --help'.\n", argv[0], argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xraytop %s: no INPUT is read here ('%s')\n", argv[0], argv[optind]);
		return -1;
	}
	if (strcmp(*format, "text") != 0 && strcmp(*format, "json") != 0) {
		fprintf(stderr, "xraytop %s: unknown format '%s' (text or json)\n", argv[0], *format);
		return -1;
	}
	return 0;
}

static FILE *
admin_output(const char *cmd, const char *path)
{
	FILE *f;

	if (path == NULL || strcmp(path, "-") == 0)
		return stdout;
	if ((f = fopen(path, "w")) == NULL)
		fprintf(stderr, "xraytop %s: %s: %s\n", cmd, path, strerror(errno));
	return f;
}

static int
admin_close(const char *cmd, const char *path, FILE *f)
{
	int bad = fflush(f) != 0 || ferror(f);

	if (f != stdout)
		bad |= fclose(f) != 0;
	if (bad)
		fprintf(stderr, "xraytop %s: %s: write error\n", cmd, path != NULL ? path : "standard output");
	return bad;
}

static const char *
onoff(int v)
{
	return v < 0 ? "-" : v ? "on" : "off";
}

static void
groups_text(const struct xray_group *g, size_t n, FILE *out)
{
	size_t i, wname = 4, wfilter = 17, w;

	for (i = 0; i < n; i++) {
		if ((w = text_width(g[i].name != NULL ? g[i].name : "")) > wname)
			wname = w;
		if ((w = text_width(g[i].filter != NULL ? g[i].filter : "")) > wfilter)
			wfilter = w;
	}
	if (wname > 32)
		wname = 32;
	if (wfilter > 60)
		wfilter = 60;
	text_fit(out, "NAME", wname, 0);
	fputs("  ", out);
	text_fit(out, "FILTER EXPRESSION", wfilter, 0);
	fputs("  INSIGHTS  NOTIFY  ARN\n", out);
	for (i = 0; i < n; i++) {
		text_fit(out, g[i].name, wname, 0);
		fputs("  ", out);
		text_fit(out, g[i].filter != NULL ? g[i].filter : "-", wfilter, 0);
		fputs("  ", out);
		text_fit(out, onoff(g[i].insights), 8, 0);
		fputs("  ", out);
		text_fit(out, onoff(g[i].notifications), 6, 0);
		fputs("  ", out);
		text_fit(out, g[i].arn != NULL ? g[i].arn : "-", text_width(g[i].arn != NULL ? g[i].arn : "-"), 0);
		fputc('\n', out);
	}
	fprintf(out, "\n%zu group%s\n", n, n == 1 ? "" : "s");
}

int
cli_groups(int argc, char **argv)
{
	const char *format, *output;
	struct aws_handlers h;
	struct cli_aws ca;
	struct run r;
	char err[256] = "";
	int rc;
	FILE *out;

	if ((rc = admin_parse(argc, argv, &ca, &format, &output)) != 0)
		return rc > 0 ? 0 : EXIT_FAIL;
	memset(&r, 0, sizeof r);
	if ((rc = run_open(&r, &ca, "groups")) != 0)
		return run_close(&r, rc);
	r.keep = arena_new(0);
	h = run_handlers(&r, NULL, 0);
	h.groups = on_groups;
	r.job = aws_fetch_groups(r.a, &h);
	rc = run_wait(&r, 0);
	if (rc == 0 || rc == EXIT_PARTIAL) {
		if (r.ngroups > 0)
			qsort(r.groups, r.ngroups, sizeof *r.groups, group_cmp);
		if ((out = admin_output("groups", output)) == NULL)
			rc = EXIT_FAIL;
		else {
			if (strcmp(format, "json") == 0) {
				if (json_out_groups(r.groups, r.ngroups, out, err, sizeof err) != 0) {
					fprintf(stderr, "xraytop groups: %s\n", err);
					rc = EXIT_FAIL;
				}
			} else
				groups_text(r.groups, r.ngroups, out);
			if (admin_close("groups", output, out) != 0)
				rc = EXIT_FAIL;
		}
	}
	run_free(&r);
	return rc;
}

/* "5%", "0.5%", "100%". */
static void
percent(double v, char *out, size_t outlen)
{
	double p = v * 100;

	if (p == floor(p))
		snprintf(out, outlen, "%.0f%%", p);
	else
		snprintf(out, outlen, "%.3g%%", p);
}

static void
rules_text(const struct sampling_rule *rl, size_t n, FILE *out)
{
	size_t i, k, wname = 4, w;
	char buf[64];

	for (i = 0; i < n; i++)
		if ((w = text_width(rl[i].name)) > wname)
			wname = w;
	if (wname > 32)
		wname = 32;
	fputs("PRIORITY  ", out);
	text_fit(out, "NAME", wname, 0);
	fputs("  RATE  RESERVOIR  SERVICE         TYPE            HOST            METHOD  "
	    "URL PATH        REQUESTS  SAMPLED  BORROWED  ATTRIBUTES\n", out);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "%d", rl[i].priority);
		text_fit(out, buf, 8, 1);
		fputs("  ", out);
		text_fit(out, rl[i].name, wname, 0);
		fputs("  ", out);
		percent(rl[i].fixed_rate, buf, sizeof buf);
		text_fit(out, buf, 4, 1);
		fputs("  ", out);
		snprintf(buf, sizeof buf, "%lld/s", rl[i].reservoir);
		text_fit(out, buf, 9, 1);
		fputs("  ", out);
		text_fit(out, rl[i].service_name, 14, 0);
		fputs("  ", out);
		text_fit(out, rl[i].service_type, 14, 0);
		fputs("  ", out);
		text_fit(out, rl[i].host, 14, 0);
		fputs("  ", out);
		text_fit(out, rl[i].http_method, 6, 0);
		fputs("  ", out);
		text_fit(out, rl[i].url_path, 14, 0);
		fputs("  ", out);
		if (rl[i].stat != NULL) {
			snprintf(buf, sizeof buf, "%lld", rl[i].stat->requests);
			text_fit(out, buf, 8, 1);
			fputs("  ", out);
			snprintf(buf, sizeof buf, "%lld", rl[i].stat->sampled);
			text_fit(out, buf, 7, 1);
			fputs("  ", out);
			snprintf(buf, sizeof buf, "%lld", rl[i].stat->borrowed);
			text_fit(out, buf, 8, 1);
		} else {
			text_fit(out, "-", 8, 1);
			fputs("  ", out);
			text_fit(out, "-", 7, 1);
			fputs("  ", out);
			text_fit(out, "-", 8, 1);
		}
		fputs("  ", out);
		if (rl[i].nattributes == 0)
			fputs("-", out);
		for (k = 0; k < rl[i].nattributes; k++) {
			char kv[200];

			snprintf(kv, sizeof kv, "%s%s=%s", k > 0 ? "," : "", rl[i].attributes[k].key,
			    rl[i].attributes[k].value);
			text_fit(out, kv, text_width(kv), 0);
		}
		fputc('\n', out);
	}
	fprintf(out, "\n%zu rule%s; requests, sampled and borrowed are the latest 10-second window\n",
	    n, n == 1 ? "" : "s");
}

int
cli_sampling_rules(int argc, char **argv)
{
	const char *format, *output;
	struct aws_handlers h;
	struct cli_aws ca;
	struct run r;
	char err[256] = "";
	int rc;
	FILE *out;

	if ((rc = admin_parse(argc, argv, &ca, &format, &output)) != 0)
		return rc > 0 ? 0 : EXIT_FAIL;
	memset(&r, 0, sizeof r);
	if ((rc = run_open(&r, &ca, "sampling-rules")) != 0)
		return run_close(&r, rc);
	r.keep = arena_new(0);
	h = run_handlers(&r, NULL, 0);
	h.rules = on_rules;
	r.job = aws_fetch_sampling(r.a, &h);
	rc = run_wait(&r, 0);
	if (rc == 0 || rc == EXIT_PARTIAL) {
		if ((out = admin_output("sampling-rules", output)) == NULL)
			rc = EXIT_FAIL;
		else {
			if (strcmp(format, "json") == 0) {
				if (json_out_sampling(r.rules, r.nrules, out, err, sizeof err) != 0) {
					fprintf(stderr, "xraytop sampling-rules: %s\n", err);
					rc = EXIT_FAIL;
				}
			} else
				rules_text(r.rules, r.nrules, out);
			if (admin_close("sampling-rules", output, out) != 0)
				rc = EXIT_FAIL;
		}
	}
	run_free(&r);
	return rc;
}

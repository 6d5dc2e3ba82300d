/* cli-listen.c - `xraytop listen`: the live collector without a screen.
 *
 * Binds the UDP listener, runs the event loop until --count datagrams have
 * arrived, --duration has passed, or SIGINT/SIGTERM, then prints the map
 * and a one-line summary of the counters.  Documents go to the trace store
 * and the incremental map as they arrive; memory is bounded by a cap on the
 * traces held (the oldest evicted in batches, their map records forgotten,
 * their counts kept) and on the exact latencies per node and edge.
 */
#include "config.h"

#include "xraytop/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xraytop/export.h"
#include "xraytop/listener.h"
#include "xraytop/log.h"
#include "xraytop/loop.h"
#include "xraytop/store.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define EXIT_USAGE	2
#define EXIT_BAD	3

#define DEFAULT_LISTEN		"127.0.0.1:2000"
#define DEFAULT_MAX_TRACES	10000
/* Exact latencies kept per node and edge before the histogram. */
#define LIVE_SAMPLE_CAP		16384
/* When the cap is passed, this fraction of it goes at once. */
#define EVICT_DIVISOR		16
#define RECORD_FLUSH_S		1.0

/* The store and the map, fed as documents arrive, with the trace cap. */
struct live {
	struct store	*store;
	struct svcmap	*map;
	size_t		 max_traces;
	uint64_t	 evicted;
	char		**gone;         /* ids of the traces being evicted */
	size_t		 ngone;
	size_t		 capgone;
};

struct listen_run {
	struct loop	*loop;
	struct listener	*listener;
	int		 signo;         /* the signal that stopped the run, 0 */
};

static void
live_gone(void *ctx, const struct trace *t)
{
	struct live *lv = ctx;

	if (lv->ngone == lv->capgone) {
		lv->capgone = lv->capgone ? lv->capgone * 2 : 64;
		lv->gone = xreallocarray(lv->gone, lv->capgone, sizeof *lv->gone);
	}
	lv->gone[lv->ngone++] = xstrdup(t->id);
}

/* Past the cap, evict the oldest traces from the store and forget their
 * records in the map, a batch at a time (the map's pass is over every
 * record, so it is done once per batch). */
static void
live_evict(struct live *lv)
{
	size_t n = store_ntraces(lv->store), k, i;

	if (n <= lv->max_traces)
		return;
	k = n - lv->max_traces + lv->max_traces / EVICT_DIVISOR;
	lv->evicted += store_evict(lv->store, k, live_gone, lv);
	svcmap_forget_traces(lv->map, (const char *const *)lv->gone, lv->ngone);
	for (i = 0; i < lv->ngone; i++)
		free(lv->gone[i]);
	lv->ngone = 0;
}

static void
live_document(void *ctx, const struct segment *doc)
{
	struct live *lv = ctx;

	store_add(lv->store, doc);
	svcmap_add(lv->map, doc);
	live_evict(lv);
}

/* Read what the socket still holds when the run stops (Ctrl-C, --duration),
 * so that nothing that had arrived is lost; bounded when senders go on. */
static void
drain_queued(struct listener *l)
{
	size_t n, total = 0;

	while (total < 4 * 1024 * 1024 && (n = listener_drain(l, 0)) > 0)
		total += n;
}

/* ---------------------------------------------------------------- loop callbacks */

static void
on_count(void *ctx)
{
	loop_stop(((struct listen_run *)ctx)->loop);
}

static void
on_signal(void *ctx, int signo)
{
	struct listen_run *run = ctx;

	run->signo = signo;
	loop_stop(run->loop);
}

static void
on_deadline(void *ctx)
{
	loop_stop(((struct listen_run *)ctx)->loop);
}

static void
on_flush(void *ctx)
{
	struct listen_run *run = ctx;

	listener_flush(run->listener);
	loop_add_timer(run->loop, RECORD_FLUSH_S, on_flush, run);
}

/* ---------------------------------------------------------------- options */

/* "30s", "500ms", "2m", "1h", "45" (seconds); -1 when not a duration. */
static double
parse_duration(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(v) || v <= 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return v;
	if (strcmp(end, "ms") == 0)
		return v / 1000;
	if (strcmp(end, "m") == 0)
		return v * 60;
	if (strcmp(end, "h") == 0)
		return v * 3600;
	return -1;
}

/* A whole number from 1 up; 0 when not one. */
static unsigned long long
parse_positive(const char *s)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? 0 : v;
}

struct listen_opts {
	const char	*listen;
	const char	*forward;
	const char	*record;
	const char	*format;
	const char	*output;
	const char	*log;
	double		 duration;
	uint64_t	 count;
	size_t		 max_traces;
	int		 verbose;
};

enum {
	OPT_LISTEN = 256,
	OPT_DURATION,
	OPT_COUNT,
	OPT_FORWARD,
	OPT_RECORD,
	OPT_MAX_TRACES,
	OPT_LOG,
	OPT_ASCII,
};

static const struct option listen_options[] = {
	{ "listen",     required_argument, NULL, OPT_LISTEN },
	{ "duration",   required_argument, NULL, OPT_DURATION },
	{ "count",      required_argument, NULL, OPT_COUNT },
	{ "map",        required_argument, NULL, 'f' },
	{ "format",     required_argument, NULL, 'f' },
	{ "output",     required_argument, NULL, 'o' },
	{ "forward",    required_argument, NULL, OPT_FORWARD },
	{ "record",     required_argument, NULL, OPT_RECORD },
	{ "max-traces", required_argument, NULL, OPT_MAX_TRACES },
	{ "log",        required_argument, NULL, OPT_LOG },
	{ "ascii",      no_argument,       NULL, OPT_ASCII },
	{ "verbose",    no_argument,       NULL, 'v' },
	{ "help",       no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Returns -1 after a usage error (message printed), 1 after --help, else 0. */
static int
listen_parse(int argc, char **argv, struct listen_opts *o)
{
	unsigned long long v;
	int c;

	memset(o, 0, sizeof *o);
	o->listen = DEFAULT_LISTEN;
	o->format = "text";
	o->max_traces = DEFAULT_MAX_TRACES;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "l:f:o:vh", listen_options, NULL)) != -1) {
		switch (c) {
		case 'l':
		case OPT_LISTEN: o->listen = optarg; break;
		case 'f': o->format = optarg; break;
		case 'o': o->output = optarg; break;
		case OPT_FORWARD: o->forward = optarg; break;
		case OPT_RECORD: o->record = optarg; break;
		case OPT_LOG: o->log = optarg; break;
		case OPT_ASCII: text_set_ascii(1); break;
		case 'v': o->verbose = 1; break;
		case OPT_DURATION:
			if ((o->duration = parse_duration(optarg)) <= 0) {
				fprintf(stderr, "xraytop listen: --duration takes a time such as 30s, "
				    "500ms, 2m or 1h\n");
				return -1;
			}
			break;
		case OPT_COUNT:
			if ((o->count = parse_positive(optarg)) == 0) {
				fprintf(stderr, "xraytop listen: --count takes a number from 1 up\n");
				return -1;
			}
			break;
		case OPT_MAX_TRACES:
			v = parse_positive(optarg);
			if (v == 0 || v > 100000000) {
				fprintf(stderr, "xraytop listen: --max-traces takes a number from 1 "
				    "to 100000000\n");
				return -1;
			}
			o->max_traces = (size_t)v;
			break;
		case 'h':
			cli_usage(stdout);
			return 1;
		default:
			if (optopt != 0 && optopt < 256)
				fprintf(stderr, "xraytop listen: unknown option -%c or missing argument\n",
				    optopt);
			else
				fprintf(stderr, "xraytop listen: unknown option %s or missing argument\n",
				    argv[optind - 1]);
			fprintf(stderr, "Try 'xraytop --help'.\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "xraytop listen: unexpected argument '%s' (the listener takes no "
		    "INPUT)\nTry 'xraytop --help'.\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- summary */

static void
print_summary(FILE *out, const struct listener_counters *c, const struct live *lv,
    const struct listen_opts *o)
{
	int r;

	fprintf(out, "xraytop: received %llu, parsed %llu, invalid %llu",
	    (unsigned long long)c->received, (unsigned long long)c->parsed,
	    (unsigned long long)c->invalid);
	if (c->invalid > 0) {
		fputs(" (", out);
		for (r = 0; r < LISTEN_NREASONS; r++)
			fprintf(out, "%s%s %llu", r > 0 ? ", " : "",
			    listener_reason_name((enum listen_reason)r),
			    (unsigned long long)c->by_reason[r]);
		fputs(")", out);
	}
	fprintf(out, ", oversize %llu, dropped %llu, traces %zu, evicted %llu",
	    (unsigned long long)c->oversize, (unsigned long long)c->dropped,
	    store_ntraces(lv->store), (unsigned long long)lv->evicted);
	if (o->forward != NULL)
		fprintf(out, ", forwarded %llu, forward-errors %llu",
		    (unsigned long long)c->forwarded, (unsigned long long)c->forward_errors);
	if (o->record != NULL)
		fprintf(out, ", recorded %llu", (unsigned long long)c->recorded);
	fputc('\n', out);
}

/* ---------------------------------------------------------------- command */

int
cli_listen(int argc, char **argv)
{
	struct listen_opts o;
	struct listen_run run;
	struct live lv;
	struct sink sink;
	const struct listener_counters *c;
	char err[512] = "", *logpath = NULL;
	int fmt, rc, status = 0, bad;
	FILE *out;

	if ((rc = listen_parse(argc, argv, &o)) != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	if ((fmt = export_map_format(o.format)) < 0) {
		fprintf(stderr, "xraytop listen: unknown map format '%s' (text, json, dot or svg)\n",
		    o.format);
		return EXIT_USAGE;
	}
	if (o.verbose || o.log != NULL) {
		logpath = o.log != NULL ? xstrdup(o.log) : xasprintf("xraytop-%ld.log", (long)getpid());
		if (log_open(o.verbose ? 3 : 2, logpath) != 0) {
			fprintf(stderr, "xraytop listen: %s: %s\n", logpath, strerror(errno));
			free(logpath);
			return EXIT_USAGE;
		}
	}
	/* The output first: a run must not be lost for want of a place to put it. */
	out = stdout;
	if (o.output != NULL && strcmp(o.output, "-") != 0 && (out = fopen(o.output, "w")) == NULL) {
		fprintf(stderr, "xraytop listen: %s: %s\n", o.output, strerror(errno));
		free(logpath);
		log_close();
		return EXIT_USAGE;
	}

	memset(&lv, 0, sizeof lv);
	lv.store = store_new();
	lv.map = svcmap_new();
	lv.max_traces = o.max_traces;
	svcmap_set_sample_cap(lv.map, LIVE_SAMPLE_CAP);
	sink = (struct sink){ .ctx = &lv, .document = live_document };

	memset(&run, 0, sizeof run);
	run.loop = loop_new();
	run.listener = listener_new(&sink);
	if (listener_bind(run.listener, o.listen, err, sizeof err) != 0 ||
	    (o.forward != NULL && listener_forward(run.listener, o.forward, err, sizeof err) != 0) ||
	    (o.record != NULL && listener_record(run.listener, o.record, err, sizeof err) != 0)) {
		fprintf(stderr, "xraytop listen: %s\n", err);
		status = EXIT_USAGE;
		goto done;
	}
	listener_attach(run.listener, run.loop);
	if (o.count > 0)
		listener_set_limit(run.listener, o.count, on_count, &run);
	loop_add_signal(run.loop, SIGINT, on_signal, &run);
	loop_add_signal(run.loop, SIGTERM, on_signal, &run);
	if (o.duration > 0)
		loop_add_timer(run.loop, o.duration, on_deadline, &run);
	if (o.record != NULL)
		loop_add_timer(run.loop, RECORD_FLUSH_S, on_flush, &run);

	fprintf(stderr, "xraytop: listening on %s (udp)\n", listener_address(run.listener));
	if (o.forward != NULL)
		fprintf(stderr, "xraytop: forwarding to %s\n", o.forward);
	if (o.record != NULL)
		fprintf(stderr, "xraytop: recording to %s\n", o.record);
	fflush(stderr);

	if (loop_run(run.loop) != 0) {
		fprintf(stderr, "xraytop listen: poll: %s\n", strerror(errno));
		status = EXIT_USAGE;
	}
	if (run.signo != 0)
		log_info("stopped by signal %d", run.signo);
	drain_queued(run.listener);
	listener_update_drops(run.listener);
	if (o.record != NULL && listener_flush(run.listener) != 0) {
		fprintf(stderr, "xraytop listen: %s: write error\n", o.record);
		status = EXIT_USAGE;
	}

	if (export_map(lv.map, (enum map_format)fmt, out, err, sizeof err) != 0) {
		fprintf(stderr, "xraytop listen: %s\n", err);
		status = EXIT_USAGE;
	}
	c = listener_counters(run.listener);
	print_summary(stderr, c, &lv, &o);
	bad = c->invalid > 0 || c->oversize > 0;
	if (status == 0 && bad)
		status = EXIT_BAD;

done:
	if (out != stdout) {
		if (fclose(out) != 0 && status != EXIT_USAGE) {
			fprintf(stderr, "xraytop listen: %s: %s\n", o.output, strerror(errno));
			status = EXIT_USAGE;
		}
	} else if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "xraytop listen: standard output: write error\n");
		status = EXIT_USAGE;
	}
	listener_free(run.listener);
	loop_free(run.loop);
	svcmap_free(lv.map);
	store_free(lv.store);
	free(lv.gone);
	log_close();
	free(logpath);
	return status;
}

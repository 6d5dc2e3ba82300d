/* cli.c - the non-interactive subcommands: map, traces, trace. */
#include "config.h"

#include "xraytop/cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xraytop/arena.h"
#include "xraytop/cli-aws.h"
#include "xraytop/export.h"
#include "xraytop/filter.h"
#include "xraytop/graph.h"
#include "xraytop/json-in.h"
#include "xraytop/layout.h"
#include "xraytop/select.h"
#include "xraytop/source-file.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"
#include "xraytop/svcmap.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define EXIT_NOTHING	1
#define EXIT_USAGE	2
#define EXIT_BADDOCS	3
#define EXIT_AWS_CANCELLED	130

void
cli_usage(FILE *out)
{
	fputs(
"usage: xraytop [--demo | --listen[=[ADDR:]PORT] | INPUT...] [VIEW OPTIONS]\n"
"       xraytop COMMAND [OPTIONS] INPUT...\n"
"\n"
"Without a COMMAND, the interactive view (service map, traces, timelines; ? lists\n"
"the keys) of INPUT, of the bundled demo (--demo), of what the X-Ray SDKs send\n"
"(--listen, default 127.0.0.1:2000; with --forward, --record, --max-traces), or\n"
"else of the account's X-Ray data (AWS; --region, --profile, --endpoint-url,\n"
"--since 15m, --refresh 60s):\n"
"      --theme dark|light|mono|FILE   --ascii   --no-mouse   --utc|--local\n"
"      --view map|traces   --since 30m   --filter EXPR   -v, --log FILE\n"
"\n"
"Commands:\n"
"  map      [--format text|json|dot|svg] [-o FILE] [INPUT...]\n"
"           the service map of the traces in INPUT, or of the account (AWS)\n"
"  traces   [--format text|json|ids] [--sort response|start|id] [--limit N]\n"
"           [--utc|--local] [-o FILE] [INPUT...]\n"
"           one line per trace\n"
"  trace    ID [--format text|raw] [--width N] [--utc|--local] [-o FILE] [INPUT...]\n"
"           one trace as a waterfall (raw: its documents, one per line)\n"
"  listen   [--listen [ADDR:]PORT] [--duration 30s | --count N] [--map FORMAT]\n"
"           [-o FILE] [--forward ADDR:PORT] [--record FILE] [--max-traces N]\n"
"           [-v] [--log FILE]\n"
"           receive what the X-Ray SDKs send to the daemon (UDP, default\n"
"           127.0.0.1:2000) and print the map when it stops (limit, Ctrl-C, SIGTERM)\n"
"  groups   [--format text|json] [-o FILE] [AWS OPTIONS]\n"
"           the account's X-Ray groups and their filter expressions\n"
"  sampling-rules [--format text|json] [-o FILE] [AWS OPTIONS]\n"
"           the sampling rules, by priority, with their latest statistics\n"
"  check-filter EXPR\n"
"           print a filter expression in canonical form, or show where it is wrong\n"
"\n"
"INPUT is a file or - for standard input: segment documents (one per line),\n"
"daemon recordings, or what `aws xray batch-get-traces`, `get-trace-summaries`\n"
"and `get-service-graph` print.  The format is detected from the content.\n"
"map and traces over INPUT also take:\n"
"      --filter EXPR         only whole traces that match the filter expression\n"
"      --group NAME          only traces of a group of the config file (xraytop-config(5))\n"
"      --no-prefilter        parse every document instead of ruling traces out\n"
"                            from the raw text first (slower; same result)\n"
"\n"
"Without INPUT, map, traces and trace read the account's X-Ray data (AWS):\n"
"      --since DURATION      the last 15m (default), 2h, 1d, ...\n"
"      --start TIME --end TIME  epoch seconds, 2026-11-24T14:00:00Z, '2026-11-24 14:00'\n"
"                            (UTC; local time with --local), now, -1h\n"
"      --group NAME          an X-Ray group        --filter EXPR  a filter expression\n"
"      --region R  --profile P  --endpoint-url URL  (else as the AWS CLI finds them)\n"
"      --save FILE           also write what was fetched, to reopen as INPUT\n"
"      --full                traces: fetch every trace (BatchGetTraces); map: build\n"
"                            the map from the traces (implied by --filter)\n"
"      --fetch-limit N       at most N trace summaries, newest first (default 1000)\n"
"      --time-range trace-id|event|service   --rate N (calls/s, default 20)\n"
"      --timeout DURATION    per call (default 30s)   --quiet  no progress line\n"
"      --stall-timeout DURATION  give a call up when less than a byte a second\n"
"                            came for this long (default 20s); it is retried\n"
"      -v, --verbose  --log FILE   debug log (never secrets)\n"
"\n"
"Options for every command:\n"
"  -o, --output FILE   write to FILE instead of standard output\n"
"  -j, --threads N     decoding threads (default: one per core)\n"
"      --ascii         ASCII instead of Unicode glyphs\n"
"  -h, --help          this help\n"
"\n"
"Other:\n"
"  xraytop --version   print the version\n"
"\n"
"Exit status: 0 ok; 1 nothing usable in the input, or no such trace;\n"
"2 usage error or unreadable input; 3 some documents were bad (the rest was used).\n",
	    out);
}

/* Options shared by the subcommands. */
struct cli_opts {
	const char	*format;
	const char	*output;
	const char	*sort;
	long		 limit;
	int		 threads;
	int		 utc;
	int		 width;
	int		 no_prefilter;
	struct cli_aws	 aws;
	char		**inputs;
	size_t		 ninputs;
};

enum {
	OPT_ASCII = 256,
	OPT_UTC,
	OPT_LOCAL,
	OPT_SORT,
	OPT_LIMIT,
	OPT_WIDTH,
	OPT_NO_PREFILTER,
};

static const struct option long_options[] = {
	{ "format",  required_argument, NULL, 'f' },
	{ "output",  required_argument, NULL, 'o' },
	{ "threads", required_argument, NULL, 'j' },
	{ "ascii",   no_argument,       NULL, OPT_ASCII },
	{ "utc",     no_argument,       NULL, OPT_UTC },
	{ "local",   no_argument,       NULL, OPT_LOCAL },
	{ "sort",    required_argument, NULL, OPT_SORT },
	{ "limit",   required_argument, NULL, OPT_LIMIT },
	{ "width",   required_argument, NULL, OPT_WIDTH },
	{ "no-prefilter", no_argument,  NULL, OPT_NO_PREFILTER },
	{ "help",    no_argument,       NULL, 'h' },
	CLI_AWS_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

/* Parse a whole non-negative number; -1 when it is not one. */
static long
parse_count(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return -1;
	return v;
}

/* Parse the options of subcommand argv[0]; returns -1 after a usage error
 * (message printed), 1 after --help, 0 otherwise. */
static int
cli_parse(int argc, char **argv, const char *allowed, struct cli_opts *o)
{
	int c;

	memset(o, 0, sizeof *o);
	o->threads = -1;
	o->utc = 1;
	o->limit = -1;
	cli_aws_init(&o->aws);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:j:hv", long_options, NULL)) != -1) {
		const char *name = NULL;

		switch (c) {
		case 'f': name = "format"; o->format = optarg; break;
		case 'o': name = "output"; o->output = optarg; break;
		case 'j':
			name = "threads";
			o->threads = (int)parse_count(optarg);
			if (o->threads < 0 || o->threads > 64) {
				fprintf(stderr, "xraytop %s: --threads takes a number from 0 to 64\n", argv[0]);
				return -1;
			}
			break;
		case OPT_ASCII: text_set_ascii(1); break;
		case OPT_UTC: o->utc = 1; break;
		case OPT_LOCAL: o->utc = 0; break;
		case OPT_SORT: name = "sort"; o->sort = optarg; break;
		case OPT_LIMIT:
			name = "limit";
			if ((o->limit = parse_count(optarg)) < 0) {
				fprintf(stderr, "xraytop %s: --limit takes a whole number\n", argv[0]);
				return -1;
			}
			break;
		case OPT_WIDTH:
			name = "width";
			o->width = (int)parse_count(optarg);
			if (o->width < 40 || o->width > 1000) {
				fprintf(stderr, "xraytop %s: --width takes a number from 40 to 1000\n", argv[0]);
				return -1;
			}
			break;
		case OPT_NO_PREFILTER: name = "no-prefilter"; o->no_prefilter = 1; break;
		case 'h':
			cli_usage(stdout);
			return 1;
		case 'v':
			c = OPT_AWS_VERBOSE;
			/* FALLTHROUGH */
		default:
			if (cli_aws_is_option(c)) {
				int used = o->aws.used;

				name = "aws";
				if (cli_aws_option(&o->aws, c, optarg, argv[0]) != 0)
					return -1;
				/* --filter and --group apply to INPUT files too. */
				if (c == OPT_AWS_FILTER || c == OPT_AWS_GROUP) {
					o->aws.used = used;
					name = c == OPT_AWS_FILTER ? "filter" : "group";
				}
				break;
			}
			if (optopt != 0 && optopt < 256)
				fprintf(stderr, "xraytop %s: unknown option -%c or missing argument\n",
				    argv[0], optopt);
			else
				fprintf(stderr, "xraytop %s: unknown option %s or missing argument\n",
				    argv[0], argv[optind - 1]);
			fprintf(stderr, "Try 'xraytop --help'.\n");
			return -1;
		}
		if (name != NULL && strstr(allowed, name) == NULL) {
			fprintf(stderr, "xraytop %s: --%s does not apply here\n", argv[0],
			    strcmp(name, "aws") == 0 ? argv[optind - 1] + 2 : name);
			return -1;
		}
	}
	o->inputs = argv + optind;
	o->ninputs = (size_t)(argc - optind);
	return 0;
}

/* Open -o FILE or standard output. */
static FILE *
output_open(const struct cli_opts *o)
{
	FILE *f;

	if (o->output == NULL || strcmp(o->output, "-") == 0)
		return stdout;
	f = fopen(o->output, "w");
	if (f == NULL)
		fprintf(stderr, "xraytop: %s: %s\n", o->output, strerror(errno));
	return f;
}

/* Flush and close the output; nonzero when anything failed to be written. */
static int
output_close(const struct cli_opts *o, FILE *f)
{
	int bad = fflush(f) != 0 || ferror(f);

	if (f != stdout)
		bad |= fclose(f) != 0;
	if (bad)
		fprintf(stderr, "xraytop: %s: write error: %s\n",
		    f == stdout ? "standard output" : o->output, strerror(errno));
	return bad;
}

/* Options of the AWS source make no sense with INPUT files. */
static int
need_no_aws(const char *cmd, const struct cli_opts *o)
{
	if (!o->aws.used)
		return 0;
	fprintf(stderr, "xraytop %s: the AWS options (--since, --region, --save, ...) apply only "
	    "without INPUT\n", cmd);
	fprintf(stderr, "Try 'xraytop --help'.\n");
	return -1;
}

static int
read_inputs(const struct cli_opts *o, unsigned json_opts, const struct sink *sink,
    struct source_file_stats *st)
{
	struct source_file_opts fo = { .json_opts = json_opts, .threads = o->threads };

	return source_file_read((const char *const *)o->inputs, o->ninputs, &fo, sink, st);
}

/* Exit status after reading: unreadable input beats bad documents. */
static int
read_status(int rc, const struct source_file_stats *st)
{
	if (rc != 0)
		return EXIT_USAGE;
	if (st->bad > 0) {
		fprintf(stderr, "xraytop: %llu bad item%s skipped; the rest was used\n",
		    (unsigned long long)st->bad, st->bad == 1 ? "" : "s");
		return EXIT_BADDOCS;
	}
	return 0;
}

/* ---------------------------------------------------------------- map */

static void
map_document(void *ctx, const struct segment *doc)
{
	svcmap_add(ctx, doc);
}

static void
map_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	svcmap_load_graph(ctx, svcs, n);
}

/* A whole trace that matches --filter: its documents into the map. */
struct map_match {
	struct svcmap	*m;
	struct arena	*scratch;
};

static void
map_match(void *ctx, const struct trace *t)
{
	struct map_match *mm = ctx;

	select_feed_map(mm->m, t, mm->scratch);
}

int
cli_map(int argc, char **argv)
{
	struct source_file_stats st;
	struct filter *flt = NULL;
	struct cli_opts o;
	struct svcmap *m;
	struct sink sink;
	char err[256] = "";
	int fmt, rc, status;
	size_t big;
	FILE *out;

	if ((rc = cli_parse(argc, argv, "format output threads aws filter group no-prefilter", &o)) != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	fmt = export_map_format(o.format != NULL ? o.format : "text");
	if (fmt < 0) {
		fprintf(stderr, "xraytop map: unknown format '%s' (text, json, dot or svg)\n", o.format);
		return EXIT_USAGE;
	}
	if (o.ninputs > 0 && need_no_aws("map", &o) != 0)
		return EXIT_USAGE;
	if (o.ninputs > 0 && (o.aws.filter != NULL || o.aws.group != NULL) &&
	    (rc = cli_filter_setup("map", o.aws.filter, o.aws.group, &flt)) != 0)
		return rc;

	m = svcmap_new();
	sink = (struct sink){ .ctx = m, .document = map_document, .graph = map_graph };
	memset(&st, 0, sizeof st);
	if (o.ninputs == 0)
		status = cli_aws_map(&o.aws, o.utc, &sink);
	else if (flt != NULL) {
		struct map_match mm = { m, arena_new(0) };

		rc = cli_filter_read("map", o.inputs, o.ninputs, o.threads,
		    filter_needs_causes(flt) ? 0 : JSON_LEAN, !o.no_prefilter, flt, map_match, &mm,
		    NULL, &st);
		status = read_status(rc, &st);
		arena_free(mm.scratch);
	} else {
		rc = read_inputs(&o, JSON_LEAN, &sink, &st);
		status = read_status(rc, &st);
	}
	if (status == EXIT_AWS_CANCELLED || (o.ninputs == 0 && status == EXIT_USAGE)) {
		svcmap_free(m);
		filter_free(flt);
		return status;
	}
	if (svcmap_nnodes(m) == 0) {
		if (status == 0 && flt != NULL) {
			fprintf(stderr, "xraytop map: no trace in the input matches the filter\n");
			status = EXIT_NOTHING;
		} else if (status == 0) {
			fprintf(stderr, "xraytop map: no service map in the input%s\n",
			    st.summaries > 0 ? " (trace summaries hold none: give segment "
			    "documents, BatchGetTraces or GetServiceGraph output)" : "");
			status = EXIT_NOTHING;
		}
		svcmap_free(m);
		filter_free(flt);
		return status;
	}
	filter_free(flt);
	if ((out = output_open(&o)) == NULL) {
		svcmap_free(m);
		return EXIT_USAGE;
	}
	if (export_map(m, (enum map_format)fmt, out, err, sizeof err) != 0) {
		fprintf(stderr, "xraytop map: %s\n", err);
		status = EXIT_USAGE;
	} else if ((fmt == MAP_DOT || fmt == MAP_SVG) && (big = graph_render_limit(m)) > 0)
		fprintf(stderr, "xraytop map: note: %zu nodes, more than the %d laid out: %s\n",
		    big, LAYOUT_MAX_NODES, fmt == MAP_DOT ? "the DOT has every node and edge, "
		    "without positions" : "the SVG shows the busiest of them (--format json or "
		    "text has every node)");
	if (output_close(&o, out) != 0)
		status = EXIT_USAGE;
	svcmap_free(m);
	return status;
}

/* ---------------------------------------------------------------- traces */

/* Summaries collected from the API output, kept beside the store. */
struct traces_ctx {
	struct store	*store;
	struct arena	*arena;
	struct trace_summary *sums;
	size_t		 nsums;
	size_t		 capsums;
};

static void
traces_document(void *ctx, const struct segment *doc)
{
	store_add(((struct traces_ctx *)ctx)->store, doc);
}

/* Keep a copy of an API summary; its strings are copied into our arena. */
static void
traces_summary(void *ctx, const struct trace_summary *s)
{
	struct traces_ctx *tc = ctx;

	if (tc->nsums == tc->capsums) {
		tc->capsums = tc->capsums ? tc->capsums * 2 : 64;
		tc->sums = xreallocarray(tc->sums, tc->capsums, sizeof *tc->sums);
	}
	summary_copy(&tc->sums[tc->nsums++], s, tc->arena);
}

/* A whole trace that matches --filter: its summary. */
static void
traces_match(void *ctx, const struct trace *t)
{
	struct traces_ctx *tc = ctx;

	if (tc->nsums == tc->capsums) {
		tc->capsums = tc->capsums ? tc->capsums * 2 : 64;
		tc->sums = xreallocarray(tc->sums, tc->capsums, sizeof *tc->sums);
	}
	summary_from_trace(&tc->sums[tc->nsums++], t, tc->arena);
}

int
cli_traces(int argc, char **argv)
{
	struct traces_ctx tc;
	struct source_file_stats st;
	struct filter *flt = NULL;
	struct cli_opts o;
	struct sink sink;
	char err[256] = "";
	int fmt, rc, status;
	int (*cmp)(const void *, const void *) = summary_cmp_response;
	size_t i, n, nsum;
	FILE *out;

	if ((rc = cli_parse(argc, argv, "format output threads sort limit aws filter group no-prefilter",
	    &o)) != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	fmt = export_list_format(o.format != NULL ? o.format : "text");
	if (fmt < 0) {
		fprintf(stderr, "xraytop traces: unknown format '%s' (text, json or ids)\n", o.format);
		return EXIT_USAGE;
	}
	if (fmt == LIST_IDS)
		cmp = summary_cmp_id;
	if (o.sort != NULL) {
		if (strcmp(o.sort, "response") == 0)
			cmp = summary_cmp_response;
		else if (strcmp(o.sort, "start") == 0)
			cmp = summary_cmp_start;
		else if (strcmp(o.sort, "id") == 0)
			cmp = summary_cmp_id;
		else {
			fprintf(stderr, "xraytop traces: unknown sort '%s' (response, start or id)\n", o.sort);
			return EXIT_USAGE;
		}
	}
	if (o.ninputs > 0 && need_no_aws("traces", &o) != 0)
		return EXIT_USAGE;
	if (o.ninputs > 0 && (o.aws.filter != NULL || o.aws.group != NULL) &&
	    (rc = cli_filter_setup("traces", o.aws.filter, o.aws.group, &flt)) != 0)
		return rc;

	memset(&tc, 0, sizeof tc);
	tc.store = store_new();
	tc.arena = arena_new(0);
	sink = (struct sink){ .ctx = &tc, .document = traces_document, .summary = traces_summary };
	memset(&st, 0, sizeof st);
	if (o.ninputs == 0)
		status = cli_aws_traces(&o.aws, o.utc, &sink);
	else if (flt != NULL) {
		rc = cli_filter_read("traces", o.inputs, o.ninputs, o.threads,
		    filter_needs_causes(flt) ? 0 : JSON_LEAN, !o.no_prefilter, flt, traces_match, &tc,
		    &sink, &st);
		status = read_status(rc, &st);
	} else {
		rc = read_inputs(&o, 0, &sink, &st);
		status = read_status(rc, &st);
	}
	if (status == EXIT_AWS_CANCELLED || (o.ninputs == 0 && status == EXIT_USAGE)) {
		free(tc.sums);
		arena_free(tc.arena);
		store_free(tc.store);
		filter_free(flt);
		return status;
	}

	/* Summaries of assembled traces, after those the API gave. */
	nsum = tc.nsums;
	n = store_ntraces(tc.store);
	tc.sums = xreallocarray(tc.sums, nsum + n + 1, sizeof *tc.sums);
	for (i = 0; i < n; i++) {
		struct trace *t = store_trace(tc.store, i);

		if (trace_root(t) == NULL && t->npending == 0 && t->nsegments == 0)
			continue;
		summary_from_trace(&tc.sums[nsum++], t, tc.arena);
	}
	if (nsum == 0 && status == 0) {
		fprintf(stderr, "xraytop traces: no traces in the %s%s\n", o.ninputs > 0 ? "input" :
		    "time window", flt != NULL ? " match the filter" : "");
		status = EXIT_NOTHING;
	}
	if (nsum > 0) {
		qsort(tc.sums, nsum, sizeof *tc.sums, cmp);
		if (o.limit >= 0 && (size_t)o.limit < nsum)
			nsum = (size_t)o.limit;
		if ((out = output_open(&o)) == NULL)
			status = EXIT_USAGE;
		else {
			if (export_traces(tc.sums, nsum, (enum list_format)fmt, o.utc, out,
			    err, sizeof err) != 0) {
				fprintf(stderr, "xraytop traces: %s\n", err);
				status = EXIT_USAGE;
			}
			if (output_close(&o, out) != 0)
				status = EXIT_USAGE;
		}
	}
	free(tc.sums);
	arena_free(tc.arena);
	store_free(tc.store);
	filter_free(flt);
	return status;
}

/* ---------------------------------------------------------------- trace */

struct trace_ctx {
	struct store	*store;
	char		 id[64];
	int		 raw;
	char		**docs;    /* raw mode: the documents' text, as received */
	size_t		 ndocs;
	size_t		 capdocs;
};

static void
trace_document(void *ctx, const struct segment *doc)
{
	struct trace_ctx *tc = ctx;

	if (doc->trace_id == NULL || strcmp(doc->trace_id, tc->id) != 0)
		return;
	store_add(tc->store, doc);
	if (tc->raw && doc->raw != NULL) {
		if (tc->ndocs == tc->capdocs) {
			tc->capdocs = tc->capdocs ? tc->capdocs * 2 : 16;
			tc->docs = xreallocarray(tc->docs, tc->capdocs, sizeof *tc->docs);
		}
		tc->docs[tc->ndocs++] = xstrndup(doc->raw, doc->raw_len);
	}
}

/* Accept "1-xxxxxxxx-yyyy..." or a bare 32-hex (W3C) id; 0 when usable. */
static int
trace_id_normalize(const char *in, char *out, size_t outlen)
{
	size_t len = strlen(in), i;

	if (len == 32) {
		for (i = 0; i < 32; i++) {
			if (!isxdigit((unsigned char)in[i]))
				break;
		}
		if (i == 32) {
			snprintf(out, outlen, "1-%.8s-%.24s", in, in + 8);
			return 0;
		}
	}
	if (len == 0 || len >= outlen)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)in[i]) && in[i] != '-')
			return -1;
	}
	memcpy(out, in, len + 1);
	return 0;
}

/* Write the documents of the trace as they were received, one per line;
 * raw controls, C1, bidi and invisible characters in their strings (which
 * the parser lets through) as \u escapes, invalid UTF-8 as \ufffd: the
 * same JSON, safe on a terminal. */
static void
trace_write_raw(const struct trace_ctx *tc, FILE *out)
{
	size_t i;

	for (i = 0; i < tc->ndocs; i++) {
		text_json_write(out, tc->docs[i], strlen(tc->docs[i]), " ");
		fputc('\n', out);
	}
}

static void
trace_ctx_done(struct trace_ctx *tc)
{
	size_t i;

	for (i = 0; i < tc->ndocs; i++)
		free(tc->docs[i]);
	free(tc->docs);
	store_free(tc->store);
}

int
cli_trace(int argc, char **argv)
{
	struct source_file_stats st;
	struct trace_ctx tc;
	struct cli_opts o;
	struct sink sink;
	struct trace *t;
	char err[256] = "";
	int rc, status, raw = 0, width;
	FILE *out;

	if ((rc = cli_parse(argc, argv, "format output threads width aws", &o)) != 0)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (o.format != NULL) {
		if (strcmp(o.format, "raw") == 0)
			raw = 1;
		else if (strcmp(o.format, "text") != 0) {
			fprintf(stderr, "xraytop trace: unknown format '%s' (text or raw)\n", o.format);
			return EXIT_USAGE;
		}
	}
	if (o.ninputs == 0) {
		fprintf(stderr, "xraytop trace: no trace ID given\nTry 'xraytop --help'.\n");
		return EXIT_USAGE;
	}
	memset(&tc, 0, sizeof tc);
	if (trace_id_normalize(o.inputs[0], tc.id, sizeof tc.id) != 0) {
		fprintf(stderr, "xraytop trace: '%s' is not a trace ID (1-5759e988-bd862e3fe1be46a994272793)\n",
		    o.inputs[0]);
		return EXIT_USAGE;
	}
	o.inputs++;
	o.ninputs--;
	if (o.ninputs > 0 && need_no_aws("trace", &o) != 0)
		return EXIT_USAGE;

	tc.store = store_new();
	tc.raw = raw;
	sink = (struct sink){ .ctx = &tc, .document = trace_document };
	memset(&st, 0, sizeof st);
	if (o.ninputs == 0)
		status = cli_aws_trace(&o.aws, o.utc, tc.id, raw ? JSON_KEEP_RAW : 0, &sink);
	else {
		rc = read_inputs(&o, raw ? JSON_KEEP_RAW : 0, &sink, &st);
		status = read_status(rc, &st);
	}
	t = status == EXIT_AWS_CANCELLED ? NULL : store_find(tc.store, tc.id);
	if (t == NULL) {
		if (status != EXIT_AWS_CANCELLED && (status != EXIT_USAGE || o.ninputs > 0))
			fprintf(stderr, "xraytop trace: no trace %s in the %s\n", tc.id,
			    o.ninputs > 0 ? "input" : "account's X-Ray data (X-Ray keeps 30 days)");
		trace_ctx_done(&tc);
		return status != 0 ? status : EXIT_NOTHING;
	}
	if ((out = output_open(&o)) == NULL) {
		trace_ctx_done(&tc);
		return EXIT_USAGE;
	}
	width = o.width;
	if (width == 0) {
		const char *cols = getenv("COLUMNS");

		width = cols != NULL ? atoi(cols) : 0;
		if (width < 40 || width > 1000)
			width = isatty(fileno(out)) ? 100 : 120;
	}
	if (raw)
		trace_write_raw(&tc, out);
	else if (export_waterfall(t, width, o.utc, out, err, sizeof err) != 0) {
		fprintf(stderr, "xraytop trace: %s\n", err);
		status = EXIT_USAGE;
	}
	if (output_close(&o, out) != 0)
		status = EXIT_USAGE;
	trace_ctx_done(&tc);
	return status;
}

/* cli-filter.c - filter expressions on the command line: check-filter,
 * and --filter / --group for map and traces over files. */
#include "config.h"

#include "xraytop/cli.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/config.h"
#include "xraytop/filter.h"
#include "xraytop/select.h"
#include "xraytop/store.h"
#include "xraytop/summary.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#define EXIT_USAGE	2

#define ERR_SHOWN	160	/* characters of a long expression shown around its error */

/* The expression, a caret line under the error and the message.  Control
 * characters print as spaces so that the caret stays under its column.  Of
 * an expression longer than ERR_SHOWN characters, only ERR_SHOWN around the
 * error are shown, with "..." where it was cut. */
void
cli_filter_error(FILE *out, const char *expr, const struct filter_error *e)
{
	const char *p;
	long i, ch = 0, total = 0, from = 0, to = LONG_MAX;
	long width = e->width > 0 ? e->width : 1;

	for (p = expr; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			total++;
	if (width > ERR_SHOWN / 2)
		width = ERR_SHOWN / 2;
	if (total > ERR_SHOWN) {
		from = e->column - 1 - (ERR_SHOWN - width) / 2;
		if (from > total - ERR_SHOWN)
			from = total - ERR_SHOWN;
		if (from < 0)
			from = 0;
		to = from + ERR_SHOWN;
	}
	fputs(from > 0 ? "  ..." : "  ", out);
	for (p = expr; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80)
			ch++;
		if (ch - 1 >= from && ch - 1 < to)
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p, out);
	}
	fputs(to < total ? "...\n  " : "\n  ", out);
	for (i = from > 0 ? -3 : 0; i < e->column - 1 - from; i++)
		fputc(' ', out);
	for (i = 0; i < width; i++)
		fputc('^', out);
	fprintf(out, "\n  column %d: %s\n", e->column, e->message);
}

static int
has_groups(const struct filter_node *n)
{
	size_t i;

	if (n == NULL)
		return 0;
	if (n->type == FN_GROUP)
		return 1;
	for (i = 0; i < n->nchildren; i++)
		if (has_groups(n->children[i]))
			return 1;
	return has_groups(n->sub);
}

static void
config_report(void *ctx, const char *msg)
{
	fprintf(stderr, "xraytop %s: %s\n", (const char *)ctx, msg);
}

int
cli_filter_setup(const char *cmd, const char *expr, const char *group, struct filter **out)
{
	struct config *cfg = NULL;
	struct filter_groups groups;
	struct filter_error err;
	struct filter *f = NULL, *gf;
	char *text, *gtext, *ftext;
	size_t i;

	*out = NULL;
	if (expr != NULL) {
		/* Checked alone first, so that columns are the user's. */
		if ((f = filter_parse(expr, &err)) == NULL) {
			fprintf(stderr, "xraytop %s: bad --filter expression:\n", cmd);
			cli_filter_error(stderr, expr, &err);
			return EXIT_USAGE;
		}
		for (i = 0; i < f->nwarnings; i++)
			fprintf(stderr, "xraytop %s: --filter: note: %s\n", cmd, f->warnings[i]);
	}
	if (group != NULL || (f != NULL && has_groups(f->root)))
		config_load(NULL, &cfg, config_report, (void *)(uintptr_t)cmd);
	if (group != NULL) {
		const struct config_group *g = config_group(cfg, group);

		if (g == NULL) {
			fprintf(stderr, "xraytop %s: no group '%s' in %s (groups are [group NAME] "
			    "sections with filter = EXPR, see xraytop-config(5))\n", cmd, group,
			    cfg->path != NULL ? cfg->path : "the config file (there is none)");
			filter_free(f);
			config_free(cfg);
			return EXIT_USAGE;
		}
		/* Both in canonical form, so that leniencies (an added '}')
		 * cannot change how the two read together. */
		if ((gf = filter_parse(g->filter, &err)) == NULL) {
			fprintf(stderr, "xraytop %s: group '%s': bad filter:\n", cmd, group);
			cli_filter_error(stderr, g->filter, &err);
			filter_free(f);
			config_free(cfg);
			return EXIT_USAGE;
		}
		gtext = filter_print(gf);
		ftext = f != NULL ? filter_print(f) : NULL;
		text = ftext != NULL ? xasprintf("(%s) AND (%s)", gtext, ftext) : xstrdup(gtext);
		filter_free(gf);
		filter_free(f);
		free(gtext);
		free(ftext);
		f = filter_parse(text, &err);
		free(text);
		if (f == NULL) {
			fprintf(stderr, "xraytop %s: group '%s' with --filter: %s\n", cmd, group, err.message);
			config_free(cfg);
			return EXIT_USAGE;
		}
	}
	config_filter_groups(cfg, &groups);
	if (filter_bind(f, &groups, &err) != 0) {
		fprintf(stderr, "xraytop %s: %s\n", cmd, err.message);
		filter_free(f);
		config_free(cfg);
		return EXIT_USAGE;
	}
	config_free(cfg);
	*out = f;
	return 0;
}

/* ---------------------------------------------------------------- reading */

struct fread_ctx {
	const struct filter *f;
	const struct sink *other;
	const char	*cmd;
	unsigned long	 undecided;     /* summaries the filter cannot be tested on */
	unsigned long	 graphs;
};

static void
fr_summary(void *ctx, const struct trace_summary *s)
{
	struct fread_ctx *fc = ctx;
	int r = filter_match_summary(fc->f, s);

	if (r < 0)
		fc->undecided++;
	else if (r > 0 && fc->other != NULL && fc->other->summary != NULL)
		fc->other->summary(fc->other->ctx, s);
}

static void
fr_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	((struct fread_ctx *)ctx)->graphs++;
}

int
cli_filter_read(const char *cmd, char **inputs, size_t ninputs, int threads, unsigned json_opts,
    int prefilter, const struct filter *f, void (*match)(void *, const struct trace *),
    void *ctx, const struct sink *other, struct source_file_stats *st)
{
	struct fread_ctx fc = { f, other, cmd, 0, 0 };
	struct sink sink = { &fc, NULL, fr_summary, fr_graph };
	struct select_opts so;
	struct select_stats ss;
	struct store *store = store_new();
	size_t i, n;
	int rc;

	memset(&so, 0, sizeof so);
	so.json_opts = json_opts;
	so.threads = threads;
	so.prefilter = prefilter;
	rc = select_read((const char *const *)inputs, ninputs, f, &so, store, &sink, &ss);
	n = store_ntraces(store);
	for (i = 0; i < n; i++) {
		const struct trace *t = store_trace(store, i);

		if (filter_match(f, t))
			match(ctx, t);
	}
	store_free(store);
	if (fc.undecided > 0)
		fprintf(stderr, "xraytop %s: %lu trace summar%s left out: the filter needs what only "
		    "segment documents hold (service and edge braces, rootcause, edge)\n", cmd,
		    fc.undecided, fc.undecided == 1 ? "y" : "ies");
	if (fc.graphs > 0)
		fprintf(stderr, "xraytop %s: GetServiceGraph output left out: it holds no traces "
		    "to filter\n", cmd);
	if (getenv("XRAYTOP_SELECT_STATS") != NULL)
		fprintf(stderr, "xraytop %s: prefilter %s; %llu lines, %llu decoded early, %llu decoded; "
		    "%llu traces, %llu candidates; steps %.3f %.3f s (CPU %.3f %.3f s)\n", cmd,
		    ss.prefiltered ? "used" : "not used", (unsigned long long)ss.lines,
		    (unsigned long long)ss.decoded_early, (unsigned long long)ss.decoded,
		    (unsigned long long)ss.traces, (unsigned long long)ss.candidates,
		    ss.seconds[0], ss.seconds[1], ss.cpu[0], ss.cpu[1]);
	*st = ss.read;
	return rc;
}

/* ---------------------------------------------------------------- check-filter */

/* All of standard input, without its trailing newlines; NULL (reported) on
 * a read error or a NUL byte. */
static char *
read_stdin(void)
{
	size_t len = 0, cap = 4096, n;
	char *buf = xmalloc(cap);

	while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (cap - len - 1 == 0)
			buf = xrealloc(buf, cap *= 2);
	}
	if (ferror(stdin) || memchr(buf, '\0', len) != NULL) {
		fprintf(stderr, "xraytop check-filter: %s\n", ferror(stdin) ?
		    "cannot read the expression from standard input" :
		    "a NUL byte in the expression on standard input");
		free(buf);
		return NULL;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return buf;
}

int
cli_check_filter(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct filter_groups groups;
	struct filter_error err;
	struct filter *f;
	char *expr, *canon, *clean;
	size_t i, len = 0;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-h") == 0 || strcmp(argv[a], "--help") == 0) {
			printf("usage: xraytop check-filter EXPR\n"
			    "Print EXPR in canonical form, or show where it is wrong (exit 2).\n"
			    "EXPR - reads the expression from standard input.\n");
			return 0;
		}
		if (strcmp(argv[a], "--") == 0) {
			a++;
			break;
		}
		if (argv[a][0] != '-' || argv[a][1] == '\0' || (argv[a][1] >= '0' && argv[a][1] <= '9'))
			break;
		fprintf(stderr, "xraytop check-filter: unknown option %s\nTry 'xraytop --help'.\n",
		    argv[a]);
		return EXIT_USAGE;
	}
	if (a >= argc) {
		fprintf(stderr, "xraytop check-filter: no expression given\n"
		    "usage: xraytop check-filter EXPR\n");
		return EXIT_USAGE;
	}
	if (a == argc - 1 && strcmp(argv[a], "-") == 0) {
		/* From standard input: longer than a command line can be. */
		if ((expr = read_stdin()) == NULL)
			return EXIT_USAGE;
	} else {
		/* Several words are one expression (check-filter ok AND fault). */
		for (i = (size_t)a; i < (size_t)argc; i++)
			len += strlen(argv[i]) + 1;
		expr = xmalloc(len + 1);
		expr[0] = '\0';
		for (i = (size_t)a; i < (size_t)argc; i++) {
			if (i > (size_t)a)
				strcat(expr, " ");
			strcat(expr, argv[i]);
		}
	}
	if ((f = filter_parse(expr, &err)) == NULL) {
		fprintf(stderr, "xraytop check-filter: error:\n");
		cli_filter_error(stderr, expr, &err);
		free(expr);
		return EXIT_USAGE;
	}
	for (i = 0; i < f->nwarnings; i++)
		fprintf(stderr, "xraytop check-filter: note: %s\n", f->warnings[i]);
	if (has_groups(f->root)) {
		config_load(NULL, &cfg, config_report, "check-filter");
		config_filter_groups(cfg, &groups);
		if (filter_bind(f, &groups, &err) != 0)
			fprintf(stderr, "xraytop check-filter: note: %s; the AWS source resolves "
			    "groups itself\n", err.message);
		config_free(cfg);
	}
	/* The filter language has no escapes for control characters: those
	 * in its strings print as '?' (the expression matches as given). */
	canon = filter_print(f);
	clean = xmalloc(strlen(canon) + 1);
	printf("%s\n", text_sanitize(canon, clean, strlen(canon) + 1));
	free(clean);
	free(canon);
	filter_free(f);
	free(expr);
	if (fflush(stdout) != 0 || ferror(stdout))
		return EXIT_USAGE;
	return 0;
}

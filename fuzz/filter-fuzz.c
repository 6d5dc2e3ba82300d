/* filter-fuzz.c - libFuzzer target: the filter parser, printer, binder,
 * evaluator and prefilter on arbitrary input.
 *
 * Every input is parsed; an accepted one must print to a canonical text
 * that parses to the same AST and prints identically; its error column
 * must lie within the text.  Bound, it is evaluated on a small trace, and
 * the prefilter must never rule that trace out when the filter matches it
 * (soundness).  Any violation aborts. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/filter.h"
#include "xraytop/json-in.h"
#include "xraytop/prefilter.h"
#include "xraytop/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A checkout that failed downstream: web -> api (fault) and DynamoDB. */
static const char *const sample_docs[] = {
	"{\"trace_id\":\"1-5f000000-000000000000000000000001\",\"id\":\"a000000000000001\","
	"\"name\":\"web\",\"origin\":\"AWS::EC2::Instance\",\"start_time\":1600000000.0,"
	"\"end_time\":1600000000.5,\"fault\":true,\"user\":\"alice\","
	"\"http\":{\"request\":{\"method\":\"POST\",\"url\":\"http://web/orders/1\","
	"\"user_agent\":\"curl\",\"client_ip\":\"10.0.0.1\"},\"response\":{\"status\":502}},"
	"\"annotations\":{\"tenant\":\"acme\",\"items\":3,\"premium\":true},"
	"\"aws\":{\"account_id\":\"123456789012\",\"ec2\":{\"instance_id\":\"i-1\","
	"\"availability_zone\":\"us-east-1a\"}},"
	"\"subsegments\":[{\"id\":\"b000000000000001\",\"name\":\"api\",\"namespace\":\"remote\","
	"\"start_time\":1600000000.1,\"end_time\":1600000000.45,\"fault\":true,"
	"\"http\":{\"request\":{\"method\":\"GET\",\"url\":\"http://api/x\"},\"response\":{\"status\":500}}},"
	"{\"id\":\"b000000000000002\",\"name\":\"DynamoDB\",\"namespace\":\"aws\","
	"\"start_time\":1600000000.01,\"end_time\":1600000000.05,"
	"\"aws\":{\"operation\":\"GetItem\",\"table_name\":\"orders\"}}]}",
	"{\"trace_id\":\"1-5f000000-000000000000000000000001\",\"id\":\"c000000000000001\","
	"\"name\":\"api\",\"origin\":\"AWS::ECS::Container\",\"parent_id\":\"b000000000000001\","
	"\"start_time\":1600000000.11,\"end_time\":1600000000.44,\"fault\":true,"
	"\"http\":{\"response\":{\"status\":500}},"
	"\"cause\":{\"exceptions\":[{\"id\":\"e000000000000001\",\"type\":\"KeyError\","
	"\"message\":\"no such order\"}]},"
	"\"subsegments\":[{\"id\":\"d000000000000001\",\"name\":\"lookup\",\"start_time\":1600000000.2,"
	"\"end_time\":1600000000.43,\"fault\":true,\"annotations\":{\"slow\":false},"
	"\"cause\":{\"exceptions\":[{\"id\":\"e000000000000002\",\"type\":\"KeyError\","
	"\"message\":\"no such order\",\"remote\":false}]}}]}",
};
#define NSAMPLE (sizeof sample_docs / sizeof sample_docs[0])

static struct store *sample;
static struct pf_trace sample_facts;

static void
sample_build(void)
{
	struct arena *a = arena_new(0);
	char err[200];
	size_t i;

	sample = store_new();
	pf_trace_init(&sample_facts);
	for (i = 0; i < NSAMPLE; i++) {
		const char *t = sample_docs[i];
		struct segment *s = json_decode_segment(t, strlen(t), a, 0, err, sizeof err, NULL);
		double lo, hi;
		int unc;

		if (s == NULL) {
			fprintf(stderr, "filter-fuzz: sample document %zu: %s\n", i, err);
			abort();
		}
		store_add(sample, s);
		if (!prefilter_times(t, strlen(t), &lo, &hi))
			abort();
		pf_trace_add_times(&sample_facts, lo, hi);
		(void)unc;
	}
	arena_free(a);
}

/* Groups for binding: "loop" refers to itself, anything else is a fault. */
static const char *
lookup(void *ctx, const char *key, int by_arn)
{
	if (strcmp(key, "loop") == 0)
		return "ok OR group.name = \"loop\"";
	if (strcmp(key, "bad") == 0)
		return "responsetime >";
	return "fault AND annotation.tenant = \"acme\"";
}

static void
check_matches(struct filter *f)
{
	const struct trace *t = store_trace(sample, 0);
	struct prefilter *pf;
	struct pf_trace facts = sample_facts;
	size_t i;
	int m = filter_match(f, t);

	if ((pf = prefilter_new(f)) == NULL)
		return;
	facts.lits = 0;
	facts.uncertain = 0;
	for (i = 0; i < NSAMPLE; i++) {
		int unc;

		facts.lits |= prefilter_scan(pf, sample_docs[i], strlen(sample_docs[i]), &unc);
		facts.uncertain |= unc;
	}
	/* Sound: a trace that matches is never ruled out. */
	if (m && (!prefilter_possible(pf, &facts, 0) || !prefilter_possible(pf, &facts, 1))) {
		fprintf(stderr, "filter-fuzz: prefilter ruled out a matching trace: %s\n", f->text);
		abort();
	}
	prefilter_free(pf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct filter_groups groups = { lookup, NULL };
	struct filter_error err, err2;
	struct filter *f, *g;
	char *text, *canon, *canon2;
	int unc, chars = 0;
	size_t i;
	double lo, hi;

	if (sample == NULL)
		sample_build();
	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* The raw-text scanners take any bytes. */
	prefilter_times(text, size, &lo, &hi);
	for (i = 0; text[i] != '\0'; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			chars++;

	f = filter_parse(text, &err);
	if (f == NULL) {
		if (err.column < 1 || err.column > chars + 1 || err.width < 1 || err.message[0] == '\0') {
			fprintf(stderr, "filter-fuzz: bad error: column %d width %d '%s'\n", err.column,
			    err.width, err.message);
			abort();
		}
		free(text);
		return 0;
	}
	canon = filter_print(f);
	if ((g = filter_parse(canon, &err2)) == NULL) {
		fprintf(stderr, "filter-fuzz: canonical form does not parse: %s\n  %s at %d\n", canon,
		    err2.message, err2.column);
		abort();
	}
	canon2 = filter_print(g);
	if (!filter_node_equal(f->root, g->root) || strcmp(canon, canon2) != 0 || g->nwarnings != 0) {
		fprintf(stderr, "filter-fuzz: canonical form differs:\n  %s\n  %s\n", canon, canon2);
		abort();
	}
	if (filter_bind(f, &groups, &err) == 0) {
		struct prefilter *pf = prefilter_new(f);

		prefilter_scan(pf, text, size, &unc);
		prefilter_free(pf);
		check_matches(f);
	}
	free(canon);
	free(canon2);
	filter_free(f);
	filter_free(g);
	free(text);
	return 0;
}

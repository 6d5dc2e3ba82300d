/* test-svcmap.c - the service map from hand-built segment trees: each rule
 * of the semantics, order independence (every permutation of small traces
 * gives the same map), duplicates, in-progress and inferred documents,
 * independent subsegments, and GetServiceGraph input. */
#include "config.h"

#include "xraytop/svcmap.h"

#include <stdio.h>
#include <stdlib.h>

#include "tap.h"

#define T1 "1-65000000-0123456789abcdef01234567"
#define T2 "1-65000000-fedcba9876543210fedcba98"

/* ---------------------------------------------------------------- building trees */

static struct segment seg_pool[512];
static struct aws_info aws_pool[64];
static struct sql_info sql_pool[16];
static size_t nseg, naws, nsql;

static void
pool_reset(void)
{
	memset(seg_pool, 0, sizeof seg_pool);
	memset(aws_pool, 0, sizeof aws_pool);
	memset(sql_pool, 0, sizeof sql_pool);
	nseg = naws = nsql = 0;
}

static struct segment *
new_entity(const char *trace, const char *id, const char *name, double start, double rt,
    unsigned flags)
{
	struct segment *s;

	if (nseg == sizeof seg_pool / sizeof seg_pool[0]) {
		fprintf(stderr, "test pool exhausted\n");
		exit(99);
	}
	s = &seg_pool[nseg++];
	s->trace_id = trace;
	s->id = id;
	s->name = name;
	s->start_time = start;
	s->end_time = (flags & SEG_IN_PROGRESS) ? 0 : start + rt;
	s->flags = flags;
	return s;
}

/* A segment document. */
static struct segment *
doc(const char *trace, const char *id, const char *parent, const char *name, const char *origin,
    double start, double rt, unsigned flags)
{
	struct segment *s = new_entity(trace, id, name, start, rt, flags);

	s->parent_id = parent;
	s->origin = origin;
	return s;
}

/* An independent subsegment document. */
static struct segment *
indep(const char *trace, const char *id, const char *parent, const char *name, const char *ns,
    double start, double rt, unsigned flags)
{
	struct segment *s = new_entity(trace, id, name, start, rt,
	    flags | SEG_INDEPENDENT | SEG_SUBSEGMENT);

	s->parent_id = parent;
	s->namespace = ns;
	return s;
}

/* A nested subsegment of p. */
static struct segment *
sub(struct segment *p, const char *id, const char *name, const char *ns, double start, double rt,
    unsigned flags)
{
	struct segment *s = new_entity(p->trace_id, id, name, start, rt, flags | SEG_SUBSEGMENT);

	s->namespace = ns;
	segment_append_child(p, s);
	return s;
}

static void
set_table(struct segment *s, const char *table)
{
	s->aws = &aws_pool[naws++];
	s->aws->operation = "GetItem";
	s->aws->table_name = table;
	s->aws->retries = -1;
}

static void
set_sql(struct segment *s)
{
	s->sql = &sql_pool[nsql++];
	s->sql->database_type = "PostgreSQL";
}

/* ---------------------------------------------------------------- looking at maps */

static struct stats *
node_stats(struct svcmap *m, const char *name, const char *type)
{
	long i = svcmap_find_node(m, name, type);

	return i < 0 ? NULL : &svcmap_node(m, (size_t)i)->stats;
}

static struct stats *
edge_stats(struct svcmap *m, const char *sn, const char *st, const char *tn, const char *tt)
{
	long s = svcmap_find_node(m, sn, st), t = svcmap_find_node(m, tn, tt), e;

	if (s < 0 || t < 0 || (e = svcmap_find_edge(m, (size_t)s, (size_t)t)) < 0)
		return NULL;
	return &svcmap_edge(m, (size_t)e)->stats;
}

/* Check count, class counts and sum of stats that must exist. */
static void
check_stats(struct stats *st, const char *what, uint64_t count, uint64_t okc, uint64_t err,
    uint64_t thr, uint64_t fault, double sum)
{
	if (!ok(st != NULL, "%s exists", what))
		return;
	ok(st->count == count && st->ok == okc && st->error == err && st->throttle == thr &&
	    st->fault == fault, "%s: count %llu ok %llu error %llu throttle %llu fault %llu",
	    what, (unsigned long long)count, (unsigned long long)okc, (unsigned long long)err,
	    (unsigned long long)thr, (unsigned long long)fault);
	if (st->count != count || st->ok != okc || st->error != err || st->throttle != thr ||
	    st->fault != fault)
		diag("got count %llu ok %llu error %llu throttle %llu fault %llu",
		    (unsigned long long)st->count, (unsigned long long)st->ok,
		    (unsigned long long)st->error, (unsigned long long)st->throttle,
		    (unsigned long long)st->fault);
	is_dbl(st->sum, sum, 1e-9, "%s: sum", what);
}

/* A canonical text of the visible map: nodes and edges in order, with
 * every statistic. */
static char *
dump(struct svcmap *m)
{
	size_t n = svcmap_nnodes(m) + svcmap_nedges(m) + 1, *idx = calloc(n, sizeof *idx), k, i;
	size_t cap = 65536, len = 0;
	char *out = malloc(cap);
	struct stats *st;

	out[0] = '\0';
#define PUT(...) len += (size_t)snprintf(out + len, cap - len, __VA_ARGS__)
#define STATS(st) PUT(" %llu/%llu/%llu/%llu/%llu sum=%.6f p50=%.9g p90=%.9g p99=%.9g\n", \
	(unsigned long long)(st)->count, (unsigned long long)(st)->ok, (unsigned long long)(st)->error, \
	(unsigned long long)(st)->throttle, (unsigned long long)(st)->fault, (st)->sum, \
	stats_percentile((st), 50), stats_percentile((st), 90), stats_percentile((st), 99))
	k = svcmap_sorted_nodes(m, idx);
	for (i = 0; i < k; i++) {
		struct svc_node *nd = svcmap_node(m, idx[i]);

		st = &nd->stats;
		PUT("node %s|%s kind=%d root=%d", nd->name, nd->type, (int)nd->kind, nd->root);
		STATS(st);
	}
	k = svcmap_sorted_edges(m, idx);
	for (i = 0; i < k; i++) {
		struct svc_edge *e = svcmap_edge(m, idx[i]);

		PUT("edge %s|%s -> %s|%s", svcmap_node(m, e->source)->name, svcmap_node(m, e->source)->type,
		    svcmap_node(m, e->target)->name, svcmap_node(m, e->target)->type);
		STATS(&e->stats);
	}
#undef STATS
#undef PUT
	free(idx);
	return out;
}

/* The map of docs[order[0..n-1]]. */
static char *
dump_order(struct segment **docs, const int *order, size_t n, struct svcmap_input *in)
{
	struct svcmap *m = svcmap_new();
	char *d;
	size_t i;

	for (i = 0; i < n; i++)
		svcmap_add(m, docs[order[i]]);
	d = dump(m);
	if (in != NULL)
		*in = *svcmap_input(m);
	svcmap_free(m);
	return d;
}

/* Next permutation in lexicographic order; 0 after the last. */
static int
next_perm(int *a, size_t n)
{
	size_t i, j;
	int t;

	if (n < 2)
		return 0;
	for (i = n - 1; i > 0 && a[i - 1] >= a[i]; i--)
		;
	if (i == 0)
		return 0;
	for (j = n - 1; a[j] <= a[i - 1]; j--)
		;
	t = a[i - 1];
	a[i - 1] = a[j];
	a[j] = t;
	for (j = n - 1; i < j; i++, j--) {
		t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
	return 1;
}

/* Feed every permutation of docs; count how many maps differ from ref and
 * how many input blocks differ from in. */
static void
all_orders(struct segment **docs, size_t n, const char *ref, const struct svcmap_input *in,
    const char *what)
{
	int order[10];
	size_t i;
	long perms = 0, bad = 0, badin = 0;
	struct svcmap_input got;

	for (i = 0; i < n; i++)
		order[i] = (int)i;
	do {
		char *d = dump_order(docs, order, n, &got);

		perms++;
		if (strcmp(d, ref) != 0) {
			if (bad++ == 0) {
				diag("order differs:");
				for (i = 0; i < n; i++)
					diag("  %s", docs[order[i]]->id);
				diag("got:\n%s", d);
			}
		}
		if (memcmp(&got, in, sizeof got) != 0)
			badin++;
		free(d);
	} while (next_perm(order, n));
	ok(bad == 0, "%s: all %ld orders give the same map", what, perms);
	ok(badin == 0, "%s: all %ld orders give the same input counts", what, perms);
}

/* ---------------------------------------------------------------- rules */

static void
test_root(void)
{
	struct svcmap *m = svcmap_new();
	struct svc_node *n;
	long i;

	pool_reset();
	is_int(svcmap_nnodes(m), 0, "empty map has no nodes");
	svcmap_add(m, doc(T1, "a000000000000001", NULL, "web", "AWS::EC2::Instance", 100, 0.25, SEG_ERROR | SEG_THROTTLE));
	svcmap_add(m, doc(T2, "a000000000000002", NULL, "web", "AWS::EC2::Instance", 101, 0.5, 0));
	svcmap_add(m, doc(T2, "a000000000000003", NULL, "plain", NULL, 102, 0.125, SEG_FAULT | SEG_ERROR));
	check_stats(node_stats(m, "web", "AWS::EC2::Instance"), "root: node web", 2, 1, 1, 1, 0, 0.75);
	check_stats(edge_stats(m, "client", "client", "web", "AWS::EC2::Instance"), "root: edge client -> web",
	    2, 1, 1, 1, 0, 0.75);
	check_stats(node_stats(m, "plain", ""), "root: no origin gives type \"\"", 1, 0, 0, 0, 1, 0.125);
	check_stats(node_stats(m, "client", "client"), "root: client = sum of its edges", 3, 1, 1, 1, 1, 0.875);
	i = svcmap_find_node(m, "client", "client");
	n = svcmap_node(m, (size_t)i);
	is_int(n->kind, NODE_CLIENT, "root: client node kind");
	is_int(svcmap_node(m, (size_t)svcmap_find_node(m, "web", "AWS::EC2::Instance"))->root, 1,
	    "root: web receives requests from the client");
	is_int(svcmap_node(m, (size_t)svcmap_find_node(m, "web", "AWS::EC2::Instance"))->kind, NODE_SERVICE,
	    "root: web is a service node");
	is_dbl(stats_percentile(node_stats(m, "client", "client"), 50), 0.25, 1e-12, "root: client p50");
	is_int(svcmap_input(m)->segments, 3, "root: 3 segments");
	is_int(svcmap_input(m)->documents, 3, "root: 3 documents");
	{
		double s, e;

		svcmap_window(m, &s, &e);
		is_dbl(s, 100, 0, "window start");
		is_dbl(e, 102.125, 1e-9, "window end");
		is_dbl(svcmap_rate(m, node_stats(m, "client", "client")), 3 / (2.125 / 60), 1e-6,
		    "rate: requests per minute over the window");
	}
	svcmap_free(m);
}

static void
test_downstream(void)
{
	struct svcmap *m = svcmap_new();
	struct segment *a, *x;

	pool_reset();
	a = doc(T1, "b000000000000001", NULL, "front", "AWS::ECS::Container", 100, 1.0, 0);
	x = sub(a, "b000000000000002", "back.local", "remote", 100.1, 0.5, SEG_FAULT);
	(void)x;
	svcmap_add(m, a);
	svcmap_add(m, doc(T1, "b000000000000003", "b000000000000002", "back", "AWS::EC2::Instance", 100.2, 0.25, 0));
	check_stats(edge_stats(m, "front", "AWS::ECS::Container", "back", "AWS::EC2::Instance"),
	    "downstream: edge front -> back has the caller subsegment's stats", 1, 0, 0, 0, 1, 0.5);
	check_stats(node_stats(m, "back", "AWS::EC2::Instance"), "downstream: node back has its own", 1, 1, 0, 0, 0, 0.25);
	ok(node_stats(m, "back.local", "remote") == NULL || node_stats(m, "back.local", "remote")->count == 0,
	    "downstream: no inferred node for a traced call");
	ok(edge_stats(m, "client", "client", "back", "AWS::EC2::Instance") == NULL,
	    "downstream: no client -> back edge");
	is_int(svcmap_input(m)->subsegments, 1, "downstream: 1 subsegment");
	svcmap_free(m);
}

static void
test_inferred(void)
{
	struct svcmap *m = svcmap_new();
	struct segment *a, *l, *s;
	size_t idx[32], n;

	pool_reset();
	a = doc(T1, "c000000000000001", NULL, "api", "AWS::EC2::Instance", 100, 2, 0);
	sub(a, "c000000000000002", "api.stripe.com", "remote", 100.1, 0.3, SEG_ERROR);
	s = sub(a, "c000000000000003", "DynamoDB", "aws", 100.2, 0.01, 0);
	set_table(s, "orders");
	s = sub(a, "c000000000000004", "DynamoDB", "aws", 100.3, 0.03, SEG_FAULT);
	set_table(s, "orders");
	sub(a, "c000000000000005", "S3", "aws", 100.4, 0.07, 0);
	l = sub(a, "c000000000000006", "validate", NULL, 100.5, 0.5, 0);
	s = sub(l, "c000000000000007", "db@pg.local", "remote", 100.6, 0.04, 0);
	set_sql(s);
	s = sub(l, "c000000000000008", "SQS", "aws", 100.7, 0.02, SEG_IN_PROGRESS);   /* not counted */
	sub(a, "c000000000000009", "local", "local", 100.8, 0.01, 0);
	svcmap_add(m, a);
	check_stats(node_stats(m, "api.stripe.com", "remote"), "inferred: untraced remote -> (host, remote)", 1, 0, 1, 0, 0, 0.3);
	check_stats(edge_stats(m, "api", "AWS::EC2::Instance", "api.stripe.com", "remote"), "inferred: edge api -> host", 1, 0, 1, 0, 0, 0.3);
	check_stats(node_stats(m, "orders", "AWS::DynamoDB::Table"), "inferred: DynamoDB table node", 2, 1, 0, 0, 1, 0.04);
	check_stats(edge_stats(m, "api", "AWS::EC2::Instance", "orders", "AWS::DynamoDB::Table"), "inferred: edge api -> table", 2, 1, 0, 0, 1, 0.04);
	check_stats(node_stats(m, "S3", "AWS::S3"), "inferred: other aws -> AWS::S3", 1, 1, 0, 0, 0, 0.07);
	check_stats(node_stats(m, "db@pg.local", "Database::SQL"), "inferred: SQL (nested in a local subsegment) -> Database::SQL", 1, 1, 0, 0, 0, 0.04);
	check_stats(edge_stats(m, "api", "AWS::EC2::Instance", "db@pg.local", "Database::SQL"), "inferred: edge api -> db", 1, 1, 0, 0, 0, 0.04);
	ok(node_stats(m, "SQS", "AWS::SQS") == NULL, "inferred: an in-progress call is no node");
	ok(node_stats(m, "validate", "remote") == NULL && node_stats(m, "local", "remote") == NULL,
	    "inferred: local subsegments are no nodes");
	is_int(svcmap_node(m, (size_t)svcmap_find_node(m, "orders", "AWS::DynamoDB::Table"))->kind, NODE_INFERRED,
	    "inferred: node kind");
	is_int(svcmap_input(m)->subsegments, 8, "inferred: 8 subsegments at any depth");
	n = svcmap_sorted_nodes(m, idx);
	is_int(n, 6, "inferred: 6 visible nodes");
	is_str(svcmap_node(m, idx[0])->name, "S3", "sorted nodes: S3 first (byte order)");
	is_str(svcmap_node(m, idx[n - 1])->name, "orders", "sorted nodes: orders last");
	n = svcmap_sorted_edges(m, idx);
	is_int(n, 5, "inferred: 5 visible edges");
	is_str(svcmap_node(m, svcmap_edge(m, idx[0])->target)->name, "S3", "sorted edges: api -> S3 first");
	is_str(svcmap_node(m, svcmap_edge(m, idx[4])->source)->name, "client", "sorted edges: client -> api last");
	svcmap_free(m);
}

static void
test_lambda(void)
{
	struct svcmap *m = svcmap_new();
	struct segment *a, *x;

	pool_reset();
	a = doc(T1, "d000000000000001", NULL, "orders", "AWS::ECS::Container", 100, 1, 0);
	x = sub(a, "d000000000000002", "Lambda", "aws", 100.1, 0.6, SEG_ERROR | SEG_THROTTLE);
	x->aws = &aws_pool[naws++];
	x->aws->function_name = "fn";
	/* function segment first, then the Lambda service segment */
	svcmap_add(m, doc(T1, "d000000000000004", "d000000000000003", "fn", "AWS::Lambda::Function", 100.25, 0.2, SEG_FAULT));
	check_stats(edge_stats(m, "client", "client", "fn", "AWS::Lambda::Function"), "lambda: parent not seen -> client edge", 1, 0, 0, 0, 1, 0.2);
	svcmap_add(m, doc(T1, "d000000000000003", "d000000000000002", "fn", "AWS::Lambda", 100.2, 0.5, 0));
	svcmap_add(m, a);
	check_stats(edge_stats(m, "orders", "AWS::ECS::Container", "fn", "AWS::Lambda"), "lambda: invoke -> AWS::Lambda with the invoke's stats", 1, 0, 1, 1, 0, 0.6);
	check_stats(edge_stats(m, "fn", "AWS::Lambda", "fn", "AWS::Lambda::Function"), "lambda: segment parent is a segment -> own stats", 1, 0, 0, 0, 1, 0.2);
	ok(edge_stats(m, "client", "client", "fn", "AWS::Lambda::Function")->count == 0,
	    "lambda: the temporary client edge is taken back");
	ok(node_stats(m, "Lambda", "AWS::Lambda") == NULL || node_stats(m, "Lambda", "AWS::Lambda")->count == 0,
	    "lambda: the invoke is no inferred node");
	check_stats(node_stats(m, "client", "client"), "lambda: client counts only the root", 1, 1, 0, 0, 0, 1);
	is_int(svcmap_node(m, (size_t)svcmap_find_node(m, "fn", "AWS::Lambda::Function"))->root, 0,
	    "lambda: function is not a root any more");
	svcmap_free(m);
}

/* A 4-document trace: web -> (remote X1) api -> (aws Lambda X3) fn, with
 * DynamoDB/remote calls at each level; every order gives the same map. */
static void
test_permutations(void)
{
	struct segment *docs[6], *a, *b, *c, *l, *s;
	struct svcmap_input in;
	int order[6] = { 0, 1, 2, 3, 4, 5 };
	char *ref, *rev;
	struct svcmap *m;

	pool_reset();
	a = doc(T1, "e000000000000001", NULL, "web", "AWS::EC2::Instance", 100, 1.5, SEG_FAULT);
	sub(a, "e000000000000002", "api.local", "remote", 100.1, 1.2, SEG_FAULT);
	s = sub(a, "e000000000000003", "DynamoDB", "aws", 100.05, 0.011, 0);
	set_table(s, "sessions");
	b = doc(T1, "e000000000000004", "e000000000000002", "api", "AWS::ECS::Container", 100.11, 1.1, SEG_ERROR);
	s = sub(b, "e000000000000005", "Invocations", NULL, 100.12, 0.9, 0);
	s = sub(s, "e000000000000006", "Lambda", "aws", 100.13, 0.8, SEG_ERROR);
	sub(b, "e000000000000007", "legacy.corp", "remote", 100.2, 0.2, SEG_ERROR | SEG_THROTTLE);
	l = doc(T1, "e000000000000008", "e000000000000006", "calc", "AWS::Lambda", 100.14, 0.7, SEG_ERROR);
	c = doc(T1, "e000000000000009", "e000000000000008", "calc", "AWS::Lambda::Function", 100.15, 0.6, 0);
	s = sub(c, "e00000000000000a", "DynamoDB", "aws", 100.16, 0.013, 0);
	set_table(s, "sessions");
	docs[0] = a;
	docs[1] = b;
	docs[2] = l;
	docs[3] = c;

	m = svcmap_new();
	svcmap_add(m, a);
	svcmap_add(m, b);
	svcmap_add(m, l);
	svcmap_add(m, c);
	check_stats(edge_stats(m, "client", "client", "web", "AWS::EC2::Instance"), "4 docs: client -> web", 1, 0, 0, 0, 1, 1.5);
	check_stats(edge_stats(m, "web", "AWS::EC2::Instance", "api", "AWS::ECS::Container"), "4 docs: web -> api (X1)", 1, 0, 0, 0, 1, 1.2);
	check_stats(edge_stats(m, "api", "AWS::ECS::Container", "calc", "AWS::Lambda"), "4 docs: api -> calc Lambda (X3)", 1, 0, 1, 0, 0, 0.8);
	check_stats(edge_stats(m, "calc", "AWS::Lambda", "calc", "AWS::Lambda::Function"), "4 docs: Lambda -> Function", 1, 1, 0, 0, 0, 0.6);
	check_stats(node_stats(m, "sessions", "AWS::DynamoDB::Table"), "4 docs: sessions table from two services", 2, 2, 0, 0, 0, 0.024);
	check_stats(edge_stats(m, "api", "AWS::ECS::Container", "legacy.corp", "remote"), "4 docs: api -> legacy (throttled)", 1, 0, 1, 1, 0, 0.2);
	check_stats(node_stats(m, "calc", "AWS::Lambda"), "4 docs: node calc Lambda", 1, 0, 1, 0, 0, 0.7);
	is_int(svcmap_sorted_nodes(m, (size_t[16]){ 0 }), 7, "4 docs: 7 visible nodes");
	is_int(svcmap_sorted_edges(m, (size_t[16]){ 0 }), 7, "4 docs: 7 visible edges");
	ref = dump(m);
	in = *svcmap_input(m);
	is_int(in.subsegments, 6, "4 docs: 6 subsegments");
	svcmap_free(m);
	all_orders(docs, 4, ref, &in, "4-document trace");

	order[0] = 3, order[1] = 2, order[2] = 1, order[3] = 0;
	rev = dump_order(docs, order, 4, NULL);
	is_str(rev, ref, "reversed order gives the identical map");
	free(rev);

	/* a second trace with the same ids must not link to the first */
	docs[4] = doc(T2, "e000000000000009", "e000000000000008", "calc", "AWS::Lambda::Function", 200, 0.5, 0);
	docs[5] = doc(T2, "e000000000000001", NULL, "web", "AWS::EC2::Instance", 200, 0.1, 0);
	m = svcmap_new();
	svcmap_add(m, docs[4]);
	svcmap_add(m, docs[5]);
	svcmap_add(m, c);
	svcmap_add(m, l);
	check_stats(edge_stats(m, "client", "client", "calc", "AWS::Lambda::Function"),
	    "same ids in another trace stay apart (T2 function has no parent)", 1, 1, 0, 0, 0, 0.5);
	check_stats(edge_stats(m, "calc", "AWS::Lambda", "calc", "AWS::Lambda::Function"),
	    "T1 function links to T1 Lambda only", 1, 1, 0, 0, 0, 0.6);
	svcmap_free(m);
	free(ref);
}

static void
test_duplicates(void)
{
	struct segment *docs[4], *a, *a2, *b, *bp;
	struct svcmap *m;
	char *once, *twice;
	int o1[2] = { 0, 1 }, o2[4] = { 0, 1, 1, 0 };

	pool_reset();
	a = doc(T1, "f000000000000001", NULL, "web", "w", 100, 1, 0);
	sub(a, "f000000000000002", "svc.local", "remote", 100.1, 0.5, 0);
	sub(a, "f000000000000003", "S3", "aws", 100.2, 0.1, 0);
	b = doc(T1, "f000000000000004", "f000000000000002", "svc", "s", 100.11, 0.4, 0);
	docs[0] = a;
	docs[1] = b;
	once = dump_order(docs, o1, 2, NULL);
	twice = dump_order(docs, o2, 4, NULL);
	is_str(twice, once, "exact duplicates are counted once");
	free(twice);

	/* in progress, then complete */
	bp = doc(T1, "f000000000000004", "f000000000000002", "svc", "s", 100.11, 0, SEG_IN_PROGRESS);
	m = svcmap_new();
	svcmap_add(m, bp);
	svcmap_add(m, a);
	svcmap_add(m, b);
	svcmap_add(m, bp);              /* a late in-progress copy changes nothing */
	twice = dump(m);
	is_str(twice, once, "in progress then complete: counted once");
	is_int(svcmap_input(m)->in_progress, 2, "in progress: 2 skipped");
	is_int(svcmap_input(m)->duplicates, 0, "in progress: no duplicate");
	is_int(svcmap_input(m)->segments, 2, "in progress: 2 segments");
	is_int(svcmap_input(m)->documents, 4, "in progress: 4 documents");
	free(twice);
	svcmap_free(m);

	/* a changed copy replaces the first one */
	a2 = doc(T1, "f000000000000001", NULL, "web", "w", 100, 2, SEG_FAULT);
	sub(a2, "f000000000000002", "svc.local", "remote", 100.1, 1.5, SEG_FAULT);
	m = svcmap_new();
	svcmap_add(m, a);
	svcmap_add(m, b);
	svcmap_add(m, a2);
	check_stats(node_stats(m, "web", "w"), "replaced: node web has the second copy only", 1, 0, 0, 0, 1, 2);
	check_stats(edge_stats(m, "web", "w", "svc", "s"), "replaced: edge from the new caller subsegment", 1, 0, 0, 0, 1, 1.5);
	ok(node_stats(m, "S3", "AWS::S3")->count == 0, "replaced: a call missing from the new copy is gone");
	is_int(svcmap_input(m)->duplicates, 1, "replaced: 1 duplicate");
	is_int(svcmap_input(m)->documents, svcmap_input(m)->segments + svcmap_input(m)->duplicates,
	    "replaced: documents = segments + duplicates");
	is_int(svcmap_input(m)->subsegments, 1, "replaced: subsegments of the current copies");
	is_int(svcmap_sorted_nodes(m, (size_t[8]){ 0 }), 3, "replaced: 3 visible nodes (S3 gone)");
	svcmap_free(m);

	/* a new copy of the callee without the link: the caller's subsegment
	 * is an untraced call again */
	m = svcmap_new();
	svcmap_add(m, a);
	svcmap_add(m, b);
	ok(node_stats(m, "svc.local", "remote")->count == 0, "relinked: traced call is no node (taken back)");
	svcmap_add(m, doc(T1, "f000000000000004", NULL, "svc", "s", 100.11, 0.4, 0));
	check_stats(node_stats(m, "svc.local", "remote"), "relinked: the call is inferred again", 1, 1, 0, 0, 0, 0.5);
	check_stats(edge_stats(m, "web", "w", "svc.local", "remote"), "relinked: web -> svc.local", 1, 1, 0, 0, 0, 0.5);
	check_stats(edge_stats(m, "client", "client", "svc", "s"), "relinked: svc is a root now", 1, 1, 0, 0, 0, 0.4);
	ok(edge_stats(m, "web", "w", "svc", "s")->count == 0, "relinked: web -> svc taken back");
	svcmap_free(m);

	/* inferred documents are skipped */
	m = svcmap_new();
	svcmap_add(m, doc(T1, "f000000000000009", "f000000000000003", "S3", "AWS::S3", 100.2, 0.1, SEG_INFERRED));
	is_int(svcmap_input(m)->inferred, 1, "inferred document skipped");
	is_int(svcmap_nnodes(m), 0, "inferred document makes no node");
	svcmap_free(m);
	free(once);
}

/* Node SDK streaming: subsegments sent as their own documents, before (or
 * after) the segment; one of them is inside another independent one. */
static void
test_independent(void)
{
	struct segment *docs[6], *g, *i3, *s;
	struct svcmap *m;
	struct svcmap_input in;
	char *ref;

	pool_reset();
	g = doc(T1, "9000000000000001", NULL, "gateway", "AWS::EC2::Instance", 100, 1, 0);
	sub(g, "9000000000000002", "handler", NULL, 100.01, 0.9, 0);
	docs[0] = g;
	docs[1] = indep(T1, "9000000000000003", "9000000000000001", "localhost", "remote", 100.1, 0.2, SEG_ERROR);
	docs[2] = indep(T1, "9000000000000004", "9000000000000002", "DynamoDB", "aws", 100.2, 0.05, 0);
	set_table(docs[2], "sessions");
	i3 = indep(T1, "9000000000000005", "9000000000000001", "price_cart", NULL, 100.3, 0.4, 0);
	s = sub(i3, "9000000000000006", "127.0.0.1", "remote", 100.31, 0.3, 0);
	(void)s;
	sub(i3, "9000000000000007", "work", NULL, 100.32, 0.01, 0);
	docs[3] = i3;
	docs[4] = indep(T1, "9000000000000008", "9000000000000007", "ldap.corp", "remote", 100.33, 0.005, SEG_FAULT);
	docs[5] = doc(T1, "9000000000000009", "9000000000000006", "frontend", "", 100.315, 0.25, 0);

	m = svcmap_new();
	svcmap_add(m, docs[1]);
	svcmap_add(m, docs[2]);
	svcmap_add(m, docs[3]);
	svcmap_add(m, docs[4]);
	svcmap_add(m, docs[5]);
	ok(svcmap_find_node(m, "localhost", "remote") < 0 && svcmap_find_node(m, "sessions", "AWS::DynamoDB::Table") < 0,
	    "independent: nothing counted before the segment");
	check_stats(edge_stats(m, "client", "client", "frontend", ""), "independent: caller unknown -> client edge", 1, 1, 0, 0, 0, 0.25);
	svcmap_add(m, g);
	check_stats(node_stats(m, "localhost", "remote"), "independent: streamed remote call counts", 1, 0, 1, 0, 0, 0.2);
	check_stats(edge_stats(m, "gateway", "AWS::EC2::Instance", "localhost", "remote"), "independent: gateway -> localhost", 1, 0, 1, 0, 0, 0.2);
	check_stats(edge_stats(m, "gateway", "AWS::EC2::Instance", "sessions", "AWS::DynamoDB::Table"),
	    "independent: parent is a subsegment inside the segment", 1, 1, 0, 0, 0, 0.05);
	check_stats(edge_stats(m, "gateway", "AWS::EC2::Instance", "ldap.corp", "remote"),
	    "independent: parent inside another independent subsegment", 1, 0, 0, 0, 1, 0.005);
	check_stats(edge_stats(m, "gateway", "AWS::EC2::Instance", "frontend", ""),
	    "independent: nested call in an independent subsegment is the caller of a segment", 1, 1, 0, 0, 0, 0.3);
	ok(edge_stats(m, "client", "client", "frontend", "")->count == 0, "independent: client -> frontend taken back");
	ok(svcmap_find_node(m, "127.0.0.1", "remote") < 0, "independent: traced call is no inferred node");
	in = *svcmap_input(m);
	is_int(in.independent, 4, "independent: 4 independent documents");
	is_int(in.segments, 2, "independent: 2 segments");
	is_int(in.subsegments, 7, "independent: 7 subsegments (4 documents + 3 nested)");
	ref = dump(m);
	svcmap_free(m);
	all_orders(docs, 6, ref, &in, "segment + 4 independent subsegments + callee");
	free(ref);
}

/* Ids that are not 16 hex digits still link. */
static void
test_odd_ids(void)
{
	struct svcmap *m = svcmap_new();
	struct segment *a;
	struct stats *st;
	int i, j;

	pool_reset();
	a = doc(T1, "root-1", NULL, "a", "x", 100, 1, 0);
	sub(a, "call 2", "b.local", "remote", 100.1, 0.5, 0);
	sub(a, NULL, "nameless", "remote", 100.2, 0.1, 0);
	svcmap_add(m, doc(T1, "B", "call 2", "b", "x", 100.2, 0.4, 0));
	svcmap_add(m, a);
	svcmap_add(m, doc("", "C", NULL, "c", "x", 100.3, 0.4, 0));
	check_stats(edge_stats(m, "a", "x", "b", "x"), "odd ids: linked by hashed id", 1, 1, 0, 0, 0, 0.5);
	check_stats(node_stats(m, "nameless", "remote"), "odd ids: a call without id still counts", 1, 1, 0, 0, 0, 0.1);
	check_stats(node_stats(m, "c", "x"), "odd ids: an empty trace id is a trace", 1, 1, 0, 0, 0, 0.4);
	ok(edge_stats(m, "client", "client", "b", "x")->count == 0, "odd ids: client edge taken back");
	svcmap_free(m);

	/* Ids are compared as written, in either order: two nested calls
	 * whose ids differ only in case are two calls, and a parent id names
	 * only the one written the same way. */
	for (i = 0; i < 2; i++) {
		struct segment *d[3];

		m = svcmap_new();
		pool_reset();
		d[0] = doc(T1, "00000000000000a1", NULL, "a", "x", 100, 1, 0);
		sub(d[0], "00000000000000aa", "db", "remote", 100.1, 0.2, 0);
		d[1] = doc(T1, "00000000000000b1", NULL, "b", "x", 100, 1, 0);
		sub(d[1], "00000000000000AA", "db", "remote", 100.1, 0.2, 0);
		d[2] = doc(T1, "00000000000000c1", "00000000000000AA", "c", "x", 100.1, 0.1, 0);
		for (j = 0; j < 3; j++)
			svcmap_add(m, d[i == 0 ? j : 2 - j]);
		check_stats(edge_stats(m, "a", "x", "db", "remote"), "case of ids: a's call is its own",
		    1, 1, 0, 0, 0, 0.2);
		check_stats(edge_stats(m, "b", "x", "c", "x"), "case of ids: exact parent", 1, 1, 0, 0, 0, 0.2);
		st = edge_stats(m, "a", "x", "c", "x");
		ok(st == NULL || st->count == 0, "case of ids: no link across case (%s)",
		    i == 0 ? "forward" : "reversed");
		st = edge_stats(m, "b", "x", "db", "remote");
		ok(st == NULL || st->count == 0, "case of ids: b's call reaches a segment (%s)",
		    i == 0 ? "forward" : "reversed");
		svcmap_free(m);
	}
}

/* ---------------------------------------------------------------- GetServiceGraph */

static void
test_graph(void)
{
	struct graph_hist h_client[] = { { 0.3, 2 }, { 0.2, 2 } };
	struct graph_hist h_web[] = { { 0.15, 4 }, { 0.05, 6 } };
	struct graph_hist h_edge[] = { { 0.01, 9 }, { 0.02, 1 } };
	struct graph_edge client_edges[] = { {
		.reference_id = 1, .start_time = 1000, .end_time = 1060,
		.stats = { .present = 1, .ok = 3, .error = 1, .throttle = 1, .fault = 0, .total = 4,
		    .total_response_time = 1.0 },
		.histogram = h_client, .nhistogram = 2,
	} };
	struct graph_edge web_edges[] = { {
		.reference_id = 2, .start_time = 1000, .end_time = 1060,
		.stats = { .present = 1, .ok = 9, .fault = 1, .total = 10, .total_response_time = 0.11 },
		.histogram = h_edge, .nhistogram = 2,
	}, {
		.reference_id = 77,
		.stats = { .present = 1, .ok = 5, .total = 5, .total_response_time = 5 },
	} };
	struct graph_service page1[] = { {
		.reference_id = 0, .name = "client", .type = "client",
		.edges = client_edges, .nedges = 1,
	}, {
		.reference_id = 1, .name = "web", .type = "AWS::EC2::Instance", .root = 1,
		.start_time = 1000, .end_time = 1060,
		.stats = { .present = 1, .ok = 8, .error = 1, .throttle = 0, .fault = 1, .total = 10,
		    .total_response_time = 0.9 },
		.histogram = h_web, .nhistogram = 2,
		.edges = web_edges, .nedges = 2,
	} };
	struct graph_service page2[] = { {
		.reference_id = 2, .name = "orders", .type = "AWS::DynamoDB::Table",
		.start_time = 1001, .end_time = 1059,
		.stats = { .present = 1, .ok = 10, .total = 10, .total_response_time = 0.08 },
	} };
	struct svcmap *m = svcmap_new();
	struct stats *st;
	double s, e;

	svcmap_load_graph(m, page1, 2);
	ok(edge_stats(m, "web", "AWS::EC2::Instance", "orders", "AWS::DynamoDB::Table") == NULL,
	    "graph: an edge to a service of a later page waits");
	svcmap_load_graph(m, page2, 1);
	check_stats(node_stats(m, "web", "AWS::EC2::Instance"), "graph: service statistics", 10, 8, 1, 0, 1, 0.9);
	st = node_stats(m, "web", "AWS::EC2::Instance");
	is_dbl(stats_percentile(st, 50), 0.05, 0, "graph: p50 over histogram entries (6 of 10 at 0.05)");
	is_dbl(stats_percentile(st, 70), 0.15, 0, "graph: p70 over histogram entries");
	check_stats(edge_stats(m, "client", "client", "web", "AWS::EC2::Instance"), "graph: client edge", 4, 3, 1, 1, 0, 1.0);
	check_stats(node_stats(m, "client", "client"), "graph: client node = sum of its edges", 4, 3, 1, 1, 0, 1.0);
	is_dbl(stats_percentile(node_stats(m, "client", "client"), 50), 0.2, 0, "graph: client p50 from its edge's histogram");
	check_stats(edge_stats(m, "web", "AWS::EC2::Instance", "orders", "AWS::DynamoDB::Table"),
	    "graph: edge resolved across pages", 10, 9, 0, 0, 1, 0.11);
	is_dbl(stats_percentile(edge_stats(m, "web", "AWS::EC2::Instance", "orders", "AWS::DynamoDB::Table"), 95),
	    0.02, 0, "graph: edge p95 from its histogram");
	is_int(svcmap_nedges(m), 2, "graph: the edge to a missing service is skipped");
	is_int(svcmap_node(m, (size_t)svcmap_find_node(m, "web", "AWS::EC2::Instance"))->root, 1, "graph: root");
	is_int(svcmap_node(m, (size_t)svcmap_find_node(m, "orders", "AWS::DynamoDB::Table"))->kind, NODE_INFERRED,
	    "graph: a table is an inferred node");
	is_int(svcmap_node(m, (size_t)svcmap_find_node(m, "client", "client"))->kind, NODE_CLIENT, "graph: client kind");
	svcmap_window(m, &s, &e);
	is_dbl(s, 1000, 0, "graph: window start");
	is_dbl(e, 1060, 0, "graph: window end");
	is_dbl(svcmap_rate(m, node_stats(m, "web", "AWS::EC2::Instance")), 10, 1e-9, "graph: 10 per minute");
	/* the same page again adds up */
	svcmap_load_graph(m, page2, 1);
	check_stats(node_stats(m, "orders", "AWS::DynamoDB::Table"), "graph: pages merge", 20, 20, 0, 0, 0, 0.16);
	svcmap_free(m);
}

int
main(void)
{
	test_root();
	test_downstream();
	test_inferred();
	test_lambda();
	test_permutations();
	test_duplicates();
	test_independent();
	test_odd_ids();
	test_graph();
	return done_testing();
}

/* test-listener.c - the live collector's parts that need no network: the
 * event loop (descriptors, timers, signals), the listener's handling of
 * good, bad and oversize datagrams (counters by reason, delivery, the
 * recording and how it reads back), the store's eviction and compaction,
 * the map forgetting traces (the map must equal a rebuild in which each
 * forgotten part of a trace is a trace of its own), and the latency
 * histogram that bounds live memory. */
#include "config.h"

#include "xraytop/listener.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xraytop/arena.h"
#include "xraytop/export.h"
#include "xraytop/json-in.h"
#include "xraytop/loop.h"
#include "xraytop/model.h"
#include "xraytop/source-file.h"
#include "xraytop/stats.h"
#include "xraytop/store.h"
#include "xraytop/svcmap.h"
#include "xraytop/xmalloc.h"

#include "tap.h"

#define HDR "{\"format\":\"json\",\"version\":1}"
#define HDR_SPACED "{\"format\": \"json\", \"version\": 1}"
#define TID "1-65000000-0123456789abcdef01234567"

/* Deterministic pseudo-random numbers (xorshift). */
static unsigned long long rng_state = 88172645463325252ULL;

static unsigned long long
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---------------------------------------------------------------- the loop */

struct loop_probe {
	struct loop	*lp;
	int		 order[8];
	int		 norder;
	int		 fd_calls;
	unsigned	 revents;
	int		 signals;
	int		 stop_after;
};

static void
timer_a(void *ctx)
{
	struct loop_probe *p = ctx;

	p->order[p->norder++] = 1;
}

static void
timer_b(void *ctx)
{
	struct loop_probe *p = ctx;

	p->order[p->norder++] = 2;
}

static void
timer_stop(void *ctx)
{
	struct loop_probe *p = ctx;

	p->order[p->norder++] = 9;
	loop_stop(p->lp);
}

static void
on_pipe(void *ctx, int fd, unsigned revents)
{
	struct loop_probe *p = ctx;
	char buf[16];

	p->fd_calls++;
	p->revents = revents;
	(void)!read(fd, buf, sizeof buf);
	if (p->stop_after > 0 && p->fd_calls >= p->stop_after)
		loop_stop(p->lp);
}

static void
on_usr1(void *ctx, int signo)
{
	struct loop_probe *p = ctx;

	if (signo == SIGUSR1)
		p->signals++;
}

static void
test_loop(void)
{
	struct loop_probe p;
	struct sigaction sa;
	int fds[2];
	uint64_t id;
	double t0;

	memset(&p, 0, sizeof p);
	p.lp = loop_new();

	/* timers run earliest first; a cancelled one never runs */
	loop_add_timer(p.lp, 0.03, timer_b, &p);
	loop_add_timer(p.lp, 0.01, timer_a, &p);
	id = loop_add_timer(p.lp, 0.02, timer_a, &p);
	ok(id != 0, "a timer has an id");
	loop_cancel_timer(p.lp, id);
	loop_add_timer(p.lp, 0.05, timer_stop, &p);
	t0 = loop_now();
	is_int(loop_run(p.lp), 0, "loop_run returns 0 after loop_stop");
	ok(loop_now() - t0 >= 0.045, "the loop waited for the last timer (%.3f s)", loop_now() - t0);
	is_int(p.norder, 3, "three timers ran (the cancelled one did not)");
	ok(p.order[0] == 1 && p.order[1] == 2 && p.order[2] == 9, "timers ran in order of their time");
	ok(loop_stopped(p.lp), "the loop says it was stopped");
	loop_free(p.lp);

	/* a readable descriptor calls its callback; removed, it does not */
	memset(&p, 0, sizeof p);
	p.lp = loop_new();
	if (pipe(fds) != 0) {
		ok(0, "pipe: %s", strerror(errno));
		return;
	}
	is_int(loop_add_fd(p.lp, fds[0], LOOP_IN, on_pipe, &p), 0, "watch a pipe");
	is_int(loop_add_fd(p.lp, fds[0], LOOP_IN, on_pipe, &p), -1, "a descriptor is watched once");
	is_int(loop_once(p.lp, 0), 0, "nothing to read: no callback");
	(void)!write(fds[1], "x", 1);
	is_int(loop_once(p.lp, 1), 1, "one callback when the pipe is readable");
	is_int(p.fd_calls, 1, "the callback ran");
	ok(p.revents & LOOP_IN, "it was told the descriptor is readable");
	loop_set_events(p.lp, fds[0], 0);
	(void)!write(fds[1], "x", 1);
	is_int(loop_once(p.lp, 0.01), 0, "not watched for reading: no callback");
	loop_set_events(p.lp, fds[0], LOOP_IN);
	p.stop_after = 2;
	is_int(loop_run(p.lp), 0, "the callback stops the loop");
	is_int(p.fd_calls, 2, "the waiting byte was read then");
	loop_remove_fd(p.lp, fds[0]);
	(void)!write(fds[1], "x", 1);
	is_int(loop_once(p.lp, 0.01), 0, "a removed descriptor has no callback");

	/* signals arrive as callbacks from the loop; loop_free puts the
	 * disposition back */
	is_int(loop_add_signal(p.lp, SIGUSR1, on_usr1, &p), 0, "catch SIGUSR1");
	raise(SIGUSR1);
	raise(SIGUSR1);
	loop_once(p.lp, 1);
	ok(p.signals >= 1, "the signal's callback ran from the loop (%d)", p.signals);
	loop_free(p.lp);
	sigaction(SIGUSR1, NULL, &sa);
	ok(sa.sa_handler == SIG_DFL, "loop_free restores the signal's disposition");
	close(fds[0]);
	close(fds[1]);
}

/* ---------------------------------------------------------------- datagrams */

struct collected {
	char		*ids[64];
	char		*names[64];
	size_t		 n;
};

static void
collect_doc(void *ctx, const struct segment *doc)
{
	struct collected *c = ctx;

	if (c->n < 64) {
		c->ids[c->n] = xstrdup(doc->id);
		c->names[c->n] = xstrdup(doc->name);
	}
	c->n++;
}

static void
collected_free(struct collected *c)
{
	size_t i;

	for (i = 0; i < c->n && i < 64; i++) {
		free(c->ids[i]);
		free(c->names[i]);
	}
	c->n = 0;
}

/* A datagram holding a segment document named name with id id. */
static char *
good_datagram(const char *hdr, const char *id, const char *name)
{
	return xasprintf("%s\n{\"name\":\"%s\",\"id\":\"%s\",\"trace_id\":\"" TID "\","
	    "\"start_time\":1700000000.5,\"end_time\":1700000000.75}", hdr, name, id);
}

struct bad_case {
	const char	*what;
	const char	*data;
	size_t		 len;            /* 0: strlen */
	enum listen_reason reason;
};

static const struct bad_case bad_cases[] = {
	{ "no newline", "{\"name\":\"a\",\"id\":\"1111111111111111\"}", 0, LISTEN_NO_HEADER },
	{ "wrong format", "{\"format\":\"xml\",\"version\":1}\n{}", 0, LISTEN_BAD_HEADER },
	{ "version as a string", "{\"format\":\"json\",\"version\":\"1\"}\n{}", 0, LISTEN_BAD_HEADER },
	{ "version 2", "{\"format\":\"json\",\"version\":2}\n{}", 0, LISTEN_BAD_HEADER },
	{ "header not JSON", "format=json\n{}", 0, LISTEN_BAD_HEADER },
	{ "truncated document", HDR "\n{\"name\":\"a\",\"id\":\"1111111111111111\",\"trace_id\":\"1-",
	  0, LISTEN_TRUNCATED },
	{ "header and nothing else", HDR "\n", 0, LISTEN_TRUNCATED },
	{ "invalid JSON", HDR "\n{\"name\" \"a\"}", 0, LISTEN_INVALID_JSON },
	{ "JSON but an array", HDR "\n[1,2,3]", 0, LISTEN_NOT_SEGMENT },
	{ "no name", HDR "\n{\"id\":\"1111111111111111\",\"trace_id\":\"" TID "\",\"start_time\":1}",
	  0, LISTEN_NOT_SEGMENT },
	{ "no id", HDR "\n{\"name\":\"a\",\"trace_id\":\"" TID "\",\"start_time\":1,\"end_time\":2}",
	  0, LISTEN_NO_ID },
	{ "id not a string", HDR "\n{\"name\":\"a\",\"id\":7,\"trace_id\":\"" TID "\",\"start_time\":1}",
	  0, LISTEN_NO_ID },
	{ "no trace_id", HDR "\n{\"name\":\"a\",\"id\":\"1111111111111111\",\"start_time\":1,\"end_time\":2}",
	  0, LISTEN_NO_TRACE_ID },
	{ "binary garbage", "\x00\x9f\x13\n\xff\xfe{\x01\x02", 10, LISTEN_BINARY },
	{ "invalid UTF-8 in a bad document", HDR "\n{\"name\":\"\xc3\x28\"", 0, LISTEN_BINARY },
	{ "control bytes in a bad header", "\x1b[31m\n{}", 0, LISTEN_BINARY },
};

#define NBAD (sizeof bad_cases / sizeof bad_cases[0])

static void
test_bad_datagrams(void)
{
	struct collected got = { { 0 }, { 0 }, 0 };
	struct sink sink = { .ctx = &got, .document = collect_doc };
	struct listener *l = listener_new(&sink);
	const struct listener_counters *c = listener_counters(l);
	uint64_t want[LISTEN_NREASONS] = { 0 };
	size_t i, ngood = 0;
	char *d, id[17];
	int r;

	for (i = 0; i < NBAD; i++) {
		const struct bad_case *b = &bad_cases[i];
		size_t len = b->len ? b->len : strlen(b->data);

		/* a good one between every two bad ones */
		snprintf(id, sizeof id, "%016zx", i + 1);
		d = good_datagram(i % 2 ? HDR : HDR_SPACED, id, "good");
		listener_handle(l, d, strlen(d), 0);
		free(d);
		ngood++;
		listener_handle(l, b->data, len, 0);
		want[b->reason]++;
		is_int(c->by_reason[b->reason], want[b->reason], "%s: counted as %s", b->what,
		    listener_reason_name(b->reason));
	}
	is_int(c->received, ngood + NBAD, "every datagram is received");
	is_int(c->parsed, ngood, "every good datagram is parsed");
	is_int(c->invalid, NBAD, "every bad datagram is invalid");
	is_int(c->oversize, 0, "none is oversize");
	for (r = 0; r < LISTEN_NREASONS; r++)
		is_int(c->by_reason[r], want[r], "reason %s counted exactly",
		    listener_reason_name((enum listen_reason)r));
	is_int(got.n, ngood, "the sink got every good document and nothing else");
	for (i = 0; i < got.n && i < 64; i++) {
		snprintf(id, sizeof id, "%016zx", i + 1);
		if (strcmp(got.ids[i], id) != 0 || strcmp(got.names[i], "good") != 0)
			break;
	}
	is_int(i, got.n, "the good documents arrive in order, intact");
	collected_free(&got);
	listener_free(l);
}

/* A good datagram of exactly len bytes (metadata pads it). */
static char *
sized_datagram(size_t len)
{
	static const char head[] = HDR "\n{\"name\":\"big\",\"id\":\"2222222222222222\",\"trace_id\":\""
	    TID "\",\"start_time\":1,\"end_time\":2,\"metadata\":{\"pad\":\"";
	static const char tail[] = "\"}}";
	char *d = xmalloc(len + 1);
	size_t pad = len - (sizeof head - 1) - (sizeof tail - 1);

	memcpy(d, head, sizeof head - 1);
	memset(d + sizeof head - 1, 'x', pad);
	memcpy(d + sizeof head - 1 + pad, tail, sizeof tail);
	return d;
}

static void
test_oversize(void)
{
	struct collected got = { { 0 }, { 0 }, 0 };
	struct sink sink = { .ctx = &got, .document = collect_doc };
	struct listener *l = listener_new(&sink);
	const struct listener_counters *c = listener_counters(l);
	char *d;

	d = sized_datagram(LISTENER_MAX_DATAGRAM);
	listener_handle(l, d, LISTENER_MAX_DATAGRAM, 0);
	free(d);
	is_int(c->parsed, 1, "a datagram of exactly 64 KiB is parsed");
	d = sized_datagram(LISTENER_MAX_DATAGRAM + 1);
	listener_handle(l, d, LISTENER_MAX_DATAGRAM + 1, 0);
	free(d);
	is_int(c->oversize, 1, "one byte more is oversize");
	d = sized_datagram(70000);
	listener_handle(l, d, 70000, 0);
	listener_handle(l, d, 1000, 1);
	free(d);
	is_int(c->oversize, 3, "70,000 bytes, or a datagram the kernel cut, is oversize");
	is_int(c->invalid, 0, "oversize is not counted as invalid");
	is_int(c->received, 4, "all four were received");
	is_int(got.n, 1, "only the one that fits reached the sink");
	collected_free(&got);
	listener_free(l);
}

/* ---------------------------------------------------------------- recording */

static void
count_report(void *ctx, const char *msg)
{
	(*(int *)ctx)++;
	(void)msg;
}

static void
test_record(void)
{
	static const char multiline[] = HDR_SPACED "\n{\n  \"name\": \"multi\",\n  \"id\": "
	    "\"3333333333333333\",\n  \"trace_id\": \"" TID "\",\n  \"start_time\": 1.5,\n"
	    "  \"end_time\": 2.5,\n  \"annotations\": {\"note\": \"two\nlines\"}\n}\n";
	struct collected got = { { 0 }, { 0 }, 0 }, back = { { 0 }, { 0 }, 0 };
	struct sink sink = { .ctx = &got, .document = collect_doc };
	struct sink backsink = { .ctx = &back, .document = collect_doc };
	struct source_file_stats fst;
	int fd, lines = 0, reports = 0;
	struct source_file_opts fo = { .threads = 0, .report = count_report, .report_ctx = &reports };
	struct listener *l = listener_new(&sink);
	char path[] = "/tmp/xraytop-test-record.XXXXXX", err[256], line[512], *d;
	const char *paths[1];
	FILE *f;

	if ((fd = mkstemp(path)) < 0) {
		ok(0, "mkstemp: %s", strerror(errno));
		return;
	}
	close(fd);
	is_int(listener_record(l, path, err, sizeof err), 0, "record to a file");
	d = good_datagram(HDR, "1111111111111111", "first");
	listener_handle(l, d, strlen(d), 0);
	free(d);
	listener_handle(l, multiline, strlen(multiline), 0);
	listener_handle(l, bad_cases[1].data, strlen(bad_cases[1].data), 0);   /* bad header */
	listener_handle(l, bad_cases[0].data, strlen(bad_cases[0].data), 0);   /* no header */
	listener_handle(l, bad_cases[10].data, strlen(bad_cases[10].data), 0); /* no id */
	is_int(listener_flush(l), 0, "the recording is flushed");
	is_int(listener_counters(l)->recorded, 3,
	    "the good ones and the one with a good header are recorded");
	is_int(got.n, 2, "two documents delivered");

	f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		lines++;
	if (f != NULL)
		fclose(f);
	is_int(lines, 6, "three datagrams, two lines each (header, document)");

	paths[0] = path;
	is_int(source_file_read(paths, 1, &fo, &backsink, &fst), 0, "the recording reads back");
	is_int(fst.documents, 2, "both good documents read back");
	is_int(fst.bad, 1, "the document without an id is reported as bad");
	is_int(reports, 1, "and reported once");
	ok(back.n == 2 && strcmp(back.names[0], "first") == 0 && strcmp(back.names[1], "multi") == 0,
	    "the documents read back are the ones received");
	collected_free(&got);
	collected_free(&back);
	listener_free(l);
	unlink(path);
}

/* The recorded form of a multi-line document decodes to the same tree. */
static void
test_record_joined(void)
{
	static const char doc[] = "{\n\"name\": \"j\",\n\"id\": \"4444444444444444\",\n\"trace_id\": \""
	    TID "\",\n\"start_time\": 3,\n\"end_time\": 4,\n\"annotations\": {\"k\": \"a\nb\\\"\n\"}}";
	struct listener *l = listener_new(NULL);
	struct arena *a = arena_new(0);
	char path[] = "/tmp/xraytop-test-joined.XXXXXX", err[256], hdr[128], *line = NULL, *d;
	struct segment *s1, *s2;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd;

	if ((fd = mkstemp(path)) < 0) {
		ok(0, "mkstemp: %s", strerror(errno));
		return;
	}
	close(fd);
	listener_record(l, path, err, sizeof err);
	d = xasprintf(HDR "\n%s", doc);
	listener_handle(l, d, strlen(d), 0);
	free(d);
	listener_free(l);
	f = fopen(path, "r");
	ok(f != NULL && fgets(hdr, sizeof hdr, f) != NULL && strcmp(hdr, HDR "\n") == 0,
	    "the header line is written as received");
	n = f != NULL ? getline(&line, &cap, f) : -1;
	ok(n > 0 && line[n - 1] == '\n' && memchr(line, '\n', (size_t)n - 1) == NULL,
	    "the document is on one line");
	s1 = json_decode_segment(doc, strlen(doc), a, 0, err, sizeof err, NULL);
	s2 = n > 0 ? json_decode_segment(line, (size_t)n, a, 0, err, sizeof err, NULL) : NULL;
	ok(s1 != NULL && s2 != NULL && s2->nannotations == 1 &&
	    strcmp(s2->annotations[0].str, s1->annotations[0].str) == 0 &&
	    strcmp(s2->annotations[0].str, "a\nb\"\n") == 0 && s2->start_time == 3,
	    "joined, it decodes to the same document (line breaks in strings kept)");
	free(line);
	if (f != NULL)
		fclose(f);
	arena_free(a);
	unlink(path);
}

/* ---------------------------------------------------------------- store eviction */

static struct segment *
decode(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static struct segment *
decode(struct arena *a, const char *fmt, ...)
{
	char text[2048], err[256];
	struct segment *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	s = json_decode_segment(text, strlen(text), a, 0, err, sizeof err, NULL);
	if (s == NULL) {
		fprintf(stderr, "test document does not decode: %s\n%s\n", err, text);
		exit(99);
	}
	return s;
}

static void
trace_id_of(char *out, size_t outlen, unsigned k)
{
	snprintf(out, outlen, "1-65000000-%024x", k);
}

static void
test_store_evict(void)
{
	struct store *st = store_new();
	struct arena *a = arena_new(0);
	struct trace *t;
	char tid[64];
	unsigned k, bad = 0;
	size_t n;

	for (k = 0; k < 1000; k++) {
		trace_id_of(tid, sizeof tid, k);
		store_add(st, decode(a, "{\"name\":\"s\",\"id\":\"%016x\",\"trace_id\":\"%s\","
		    "\"start_time\":%u,\"end_time\":%u}", k + 1, tid, k + 10, k + 11));
		arena_reset(a);
	}
	is_int(store_evict(st, 300, NULL, NULL), 300, "300 traces evicted");
	is_int(store_ntraces(st), 700, "700 held");
	trace_id_of(tid, sizeof tid, 299);
	ok(store_find(st, tid) == NULL, "an evicted trace is gone");
	for (k = 300; k < 1000; k++) {
		trace_id_of(tid, sizeof tid, k);
		t = store_find(st, tid);
		if (t == NULL || strcmp(t->id, tid) != 0 || t->nsegments != 1)
			bad++;
	}
	is_int(bad, 0, "every trace held is still found, intact");
	t = store_trace(st, 0);
	trace_id_of(tid, sizeof tid, 300);
	ok(t != NULL && strcmp(t->id, tid) == 0, "the oldest held is now the 301st");

	/* evicting and adding many times keeps the table consistent */
	for (k = 1000; k < 20000; k++) {
		trace_id_of(tid, sizeof tid, k);
		store_add(st, decode(a, "{\"name\":\"s\",\"id\":\"%016x\",\"trace_id\":\"%s\","
		    "\"start_time\":%u,\"end_time\":%u}", k + 1, tid, k + 10, k + 11));
		arena_reset(a);
		if (store_ntraces(st) > 700)
			store_evict(st, (size_t)(rng() % 50) + 1, NULL, NULL);
	}
	n = store_ntraces(st);
	ok(n <= 700 && n > 600, "the number held stays at the cap (%zu)", n);
	for (k = 0, bad = 0; k < 20000; k++) {
		trace_id_of(tid, sizeof tid, k);
		t = store_find(st, tid);
		if ((k >= 20000 - n) != (t != NULL))
			bad++;
	}
	is_int(bad, 0, "exactly the newest traces are found, the rest not");
	for (k = 0, bad = 0; k < n; k++) {
		trace_id_of(tid, sizeof tid, 20000 - (unsigned)n + k);
		if (strcmp(store_trace(st, k)->id, tid) != 0)
			bad++;
	}
	is_int(bad, 0, "held traces keep their order of arrival");

	/* a document for an evicted trace starts a new trace */
	trace_id_of(tid, sizeof tid, 5);
	t = store_add(st, decode(a, "{\"name\":\"late\",\"id\":\"%016x\",\"trace_id\":\"%s\","
	    "\"start_time\":1,\"end_time\":2}", 99999, tid));
	ok(t != NULL && t->nsegments == 1 && strcmp(t->segments[0]->name, "late") == 0 &&
	    store_trace(st, store_ntraces(st) - 1) == t, "a late document makes a new, newest trace");
	store_free(st);
	arena_free(a);
}

static void
gone_count(void *ctx, const struct trace *t)
{
	(*(size_t *)ctx)++;
	(void)t;
}

/* Resending the same documents keeps a trace's memory bounded and its
 * content the same. */
static void
test_store_compact(void)
{
	struct store *st = store_new();
	struct arena *a = arena_new(0);
	struct segment *root, *child, *indep, *orphan;
	struct trace *t;
	size_t early = 0, late = 0, gone = 0;
	int i;

	root = decode(a, "{\"name\":\"front\",\"id\":\"aaaaaaaaaaaaaaaa\",\"trace_id\":\"" TID "\","
	    "\"start_time\":10,\"end_time\":11,\"subsegments\":[{\"name\":\"call\",\"id\":"
	    "\"bbbbbbbbbbbbbbbb\",\"start_time\":10.1,\"end_time\":10.9,\"namespace\":\"remote\"}]}");
	child = decode(a, "{\"name\":\"back\",\"id\":\"cccccccccccccccc\",\"trace_id\":\"" TID "\","
	    "\"parent_id\":\"bbbbbbbbbbbbbbbb\",\"start_time\":10.2,\"end_time\":10.8}");
	indep = decode(a, "{\"name\":\"q\",\"id\":\"dddddddddddddddd\",\"trace_id\":\"" TID "\","
	    "\"type\":\"subsegment\",\"parent_id\":\"cccccccccccccccc\",\"start_time\":10.3,"
	    "\"end_time\":10.4}");
	orphan = decode(a, "{\"name\":\"o\",\"id\":\"eeeeeeeeeeeeeeee\",\"trace_id\":\"" TID "\","
	    "\"type\":\"subsegment\",\"parent_id\":\"ffffffffffffffff\",\"start_time\":10.5,"
	    "\"end_time\":10.6}");
	for (i = 0; i < 500; i++) {
		store_add(st, root);
		store_add(st, child);
		store_add(st, indep);
		t = store_add(st, orphan);
		if (i < 20 && arena_used(t->arena) > early)
			early = arena_used(t->arena);
		if (i >= 480 && arena_used(t->arena) > late)
			late = arena_used(t->arena);
	}
	t = store_find(st, TID);
	ok(late <= early, "the trace's arena does not grow as the same documents keep coming "
	    "(at most %zu bytes at the end, %zu at the start)", late, early);
	ok(t->nsegments == 2 && t->npending == 1 && trace_find(t, "dddddddddddddddd") != NULL &&
	    trace_find(t, "dddddddddddddddd")->parent == trace_find(t, "cccccccccccccccc") &&
	    strcmp(t->pending[0]->id, "eeeeeeeeeeeeeeee") == 0,
	    "the trace holds the same documents, attached as before");
	ok(trace_root(t) != NULL && strcmp(trace_root(t)->name, "front") == 0 && t->start == 10 &&
	    t->end == 11, "root and span unchanged");
	store_evict(st, 5, gone_count, &gone);
	is_int(gone, 1, "evicting more than held evicts what there is, each seen once");
	is_int(store_ntraces(st), 0, "nothing left");
	store_free(st);
	arena_free(a);
}

/* ---------------------------------------------------------------- map forgetting */

/* One generated document: its JSON (with "@" where the trace id goes) and
 * its trace. */
struct gdoc {
	char		*fmt;
	unsigned	 trace;
};

/* The documents of trace k: a root with a remote call and a DynamoDB call,
 * the segment the remote call reached, an independent subsegment of that
 * one; latencies vary with k. */
static size_t
gen_trace(struct gdoc *out, unsigned k)
{
	double t0 = 1700000000 + k, rt = 0.05 + (double)(rng() % 1000) / 1e4;
	int fault = rng() % 10 == 0;

	out[0].fmt = xasprintf("{\"name\":\"front\",\"id\":\"a%015x\",\"trace_id\":\"@\","
	    "\"start_time\":%.6f,\"end_time\":%.6f%s,\"subsegments\":[{\"name\":\"back\","
	    "\"id\":\"b%015x\",\"namespace\":\"remote\",\"start_time\":%.6f,\"end_time\":%.6f},"
	    "{\"name\":\"DynamoDB\",\"id\":\"d%015x\",\"namespace\":\"aws\",\"start_time\":%.6f,"
	    "\"end_time\":%.6f,\"aws\":{\"table_name\":\"t%u\"}}]}",
	    k, t0, t0 + rt, fault ? ",\"fault\":true" : "", k, t0 + 0.001, t0 + rt * 0.8, k,
	    t0 + 0.002, t0 + 0.004 + rt / 10, k % 3);
	out[1].fmt = xasprintf("{\"name\":\"back\",\"id\":\"c%015x\",\"trace_id\":\"@\","
	    "\"parent_id\":\"b%015x\",\"start_time\":%.6f,\"end_time\":%.6f}",
	    k, k, t0 + 0.002, t0 + rt * 0.7);
	out[2].fmt = xasprintf("{\"name\":\"work\",\"id\":\"e%015x\",\"trace_id\":\"@\","
	    "\"type\":\"subsegment\",\"namespace\":\"remote\",\"parent_id\":\"c%015x\","
	    "\"start_time\":%.6f,\"end_time\":%.6f}", k, k, t0 + 0.003, t0 + rt * 0.5);
	out[0].trace = out[1].trace = out[2].trace = k;
	return 3;
}

static void
add_gdoc(struct svcmap *m, struct arena *a, const struct gdoc *g, const char *tid)
{
	char text[2048], err[256];
	const char *at = strchr(g->fmt, '@');
	struct segment *s;

	snprintf(text, sizeof text, "%.*s%s%s", (int)(at - g->fmt), g->fmt, tid, at + 1);
	s = json_decode_segment(text, strlen(text), a, 0, err, sizeof err, NULL);
	if (s == NULL) {
		fprintf(stderr, "generated document does not decode: %s\n%s\n", err, text);
		exit(99);
	}
	svcmap_add(m, s);
	arena_reset(a);
}

/* Nodes and edges of two maps equal: counts, sums, percentiles. */
static int
maps_equal(struct svcmap *x, struct svcmap *y, char *why, size_t whylen)
{
	size_t *ix = xcalloc(svcmap_nnodes(x) + svcmap_nedges(x) + 1, sizeof *ix);
	size_t *iy = xcalloc(svcmap_nnodes(y) + svcmap_nedges(y) + 1, sizeof *iy);
	size_t nx, ny, i;
	int good = 1;

	nx = svcmap_sorted_nodes(x, ix);
	ny = svcmap_sorted_nodes(y, iy);
	if (nx != ny) {
		snprintf(why, whylen, "%zu nodes, want %zu", nx, ny);
		good = 0;
	}
	for (i = 0; good && i < nx; i++) {
		struct svc_node *a = svcmap_node(x, ix[i]), *b = svcmap_node(y, iy[i]);

		if (strcmp(a->name, b->name) != 0 || strcmp(a->type, b->type) != 0 ||
		    a->stats.count != b->stats.count || a->stats.fault != b->stats.fault ||
		    fabs(a->stats.sum - b->stats.sum) > 1e-6 ||
		    stats_percentile(&a->stats, 50) != stats_percentile(&b->stats, 50) ||
		    stats_percentile(&a->stats, 99) != stats_percentile(&b->stats, 99)) {
			snprintf(why, whylen, "node %s (%s): count %llu, want %llu", a->name, a->type,
			    (unsigned long long)a->stats.count, (unsigned long long)b->stats.count);
			good = 0;
		}
	}
	nx = good ? svcmap_sorted_edges(x, ix) : 0;
	ny = good ? svcmap_sorted_edges(y, iy) : 0;
	if (good && nx != ny) {
		snprintf(why, whylen, "%zu edges, want %zu", nx, ny);
		good = 0;
	}
	for (i = 0; good && i < nx; i++) {
		struct svc_edge *a = svcmap_edge(x, ix[i]), *b = svcmap_edge(y, iy[i]);
		struct svc_node *as = svcmap_node(x, a->source), *bs = svcmap_node(y, b->source);
		struct svc_node *at = svcmap_node(x, a->target), *bt = svcmap_node(y, b->target);

		if (strcmp(as->name, bs->name) != 0 || strcmp(at->name, bt->name) != 0 ||
		    strcmp(at->type, bt->type) != 0 || a->stats.count != b->stats.count ||
		    fabs(a->stats.sum - b->stats.sum) > 1e-6 ||
		    stats_percentile(&a->stats, 90) != stats_percentile(&b->stats, 90)) {
			snprintf(why, whylen, "edge %s -> %s (%s): count %llu, want %llu", as->name,
			    at->name, at->type, (unsigned long long)a->stats.count,
			    (unsigned long long)b->stats.count);
			good = 0;
		}
	}
	free(ix);
	free(iy);
	return good;
}

/* Documents of 400 traces arrive interleaved (children often first);
 * traces are forgotten in batches while their documents still arrive.  The
 * map must equal a rebuild in which each part of a trace delivered between
 * two forgettings is a trace of its own. */
static void
test_forget(void)
{
	enum { NTRACES = 400, NDOCS = NTRACES * 3 };
	struct gdoc *docs = xcalloc(NDOCS, sizeof *docs);
	unsigned *epoch = xcalloc(NTRACES, sizeof *epoch), *doc_epoch = xcalloc(NDOCS, sizeof *doc_epoch);
	struct svcmap *live = svcmap_new(), *rebuilt = svcmap_new();
	struct arena *a = arena_new(0);
	const char **ids = xcalloc(NTRACES, sizeof *ids);
	char tid[64], why[256] = "", **tids = xcalloc(NTRACES, sizeof *tids);
	size_t i, j, n = 0, forgotten = 0, peak = 0, nids;
	unsigned k;

	for (k = 0; k < NTRACES; k++) {
		n += gen_trace(docs + n, k);
		trace_id_of(tid, sizeof tid, k);
		tids[k] = xstrdup(tid);
	}
	/* shuffle within a window of 40 documents: traces interleave, and a
	 * child often comes before its parent */
	for (i = 0; i < n; i++) {
		j = i + (size_t)(rng() % 40);
		if (j < n) {
			struct gdoc t = docs[i];

			docs[i] = docs[j];
			docs[j] = t;
		}
	}
	for (i = 0; i < n; i++) {
		add_gdoc(live, a, &docs[i], tids[docs[i].trace]);
		doc_epoch[i] = epoch[docs[i].trace];
		if (i % 60 == 59) {
			/* forget the traces of the 50 oldest ids still likely live */
			nids = 0;
			for (k = (unsigned)(i / 3 > 60 ? i / 3 - 60 : 0); k < i / 3 && nids < 25; k++) {
				ids[nids++] = tids[k];
				epoch[k]++;
			}
			forgotten += svcmap_forget_traces(live, ids, nids);
		}
		if (svcmap_records(live) > peak)
			peak = svcmap_records(live);
	}
	ok(forgotten > 100, "traces were forgotten on the way (%zu)", forgotten);
	for (i = 0; i < n; i++) {
		snprintf(tid, sizeof tid, "%s#%u", tids[docs[i].trace], doc_epoch[i]);
		add_gdoc(rebuilt, a, &docs[i], tid);
	}
	ok(maps_equal(live, rebuilt, why, sizeof why),
	    "the map equals the rebuild with each forgotten part a trace of its own%s%s",
	    why[0] ? ": " : "", why);
	ok(svcmap_records(live) < svcmap_records(rebuilt),
	    "forgetting freed records (%zu held, %zu in the rebuild)", svcmap_records(live),
	    svcmap_records(rebuilt));
	ok(svcmap_ntraces(live) < svcmap_ntraces(rebuilt), "and trace ids (%zu, %zu in the rebuild)",
	    svcmap_ntraces(live), svcmap_ntraces(rebuilt));
	is_int(svcmap_input(live)->documents, n, "every document is still counted in the input");
	ok(svcmap_forget_traces(live, ids, 0) == 0, "forgetting nothing changes nothing");
	ids[0] = "1-unknown";
	is_int(svcmap_forget_traces(live, ids, 1), 0, "an unknown id is ignored");

	/* memory: adding and forgetting the same number of traces again and
	 * again reuses the freed records */
	for (i = 0; i < 30; i++)
		free(tids[i]);
	for (k = 0; k < 20; k++) {
		for (i = 0; i < 30; i++) {
			struct gdoc g[3];

			gen_trace(g, 1000 + k * 30 + (unsigned)i);
			snprintf(tid, sizeof tid, "1-reuse-%u-%zu", k, i);
			for (j = 0; j < 3; j++) {
				add_gdoc(live, a, &g[j], tid);
				free(g[j].fmt);
			}
			tids[i] = xasprintf("%s", tid);
			ids[i] = tids[i];
		}
		svcmap_forget_traces(live, ids, 30);
		for (i = 0; i < 30; i++)
			free(tids[i]);
		if (k == 1)
			peak = svcmap_records(live);
	}
	ok(svcmap_records(live) <= peak, "records do not grow over cycles of forgetting "
	    "(%zu, %zu after the second)", svcmap_records(live), peak);

	for (i = 0; i < n; i++)
		free(docs[i].fmt);
	for (k = 30; k < NTRACES; k++)
		free(tids[k]);
	free(tids);
	free(ids);
	free(docs);
	free(epoch);
	free(doc_epoch);
	arena_free(a);
	svcmap_free(live);
	svcmap_free(rebuilt);
}

/* ---------------------------------------------------------------- bounded latencies */

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
test_histogram(void)
{
	enum { N = 20000 };
	double *v = xmalloc(N * sizeof *v), sum = 0, worst = 0, exact, approx;
	static const double ps[] = { 1, 10, 50, 90, 95, 99, 99.9, 100 };
	struct stats st, ex, merged;
	uint64_t buckets[10], total;
	size_t i, k;

	stats_init(&st);
	stats_init(&ex);
	stats_limit(&st, 1000);
	for (i = 0; i < N; i++) {
		/* from 50 us to 100 s, log-uniform */
		v[i] = 5e-5 * pow(2e6, (double)(rng() % 1000000) / 1e6);
		sum += v[i];
		stats_add(&st, i % 7 == 0 ? REQ_FAULT : REQ_OK, v[i], 0, 0);
		stats_add(&ex, i % 7 == 0 ? REQ_FAULT : REQ_OK, v[i], 0, 0);
		if (i == 999)
			ok(stats_exact(&st), "exact up to the limit");
	}
	ok(!stats_exact(&st), "approximate past the limit");
	ok(st.samples.n == 0 && st.samples.value == NULL, "the exact values are freed");
	is_int(st.count, N, "count stays exact");
	is_int(st.fault, (N + 6) / 7, "classes stay exact");
	is_dbl(st.sum, sum, 1e-6, "sum stays exact");
	qsort(v, N, sizeof *v, dbl_cmp);
	for (k = 0; k < sizeof ps / sizeof ps[0]; k++) {
		exact = stats_percentile(&ex, ps[k]);
		approx = stats_percentile(&st, ps[k]);
		if (fabs(approx - exact) / exact > worst)
			worst = fabs(approx - exact) / exact;
	}
	ok(worst <= 0.008, "percentiles within 0.8%% of the exact ones (worst %.4f%%)", worst * 100);
	ok(stats_percentile(&st, 100) <= v[N - 1] &&
	    stats_percentile(&st, 100) >= v[N - 1] * (1 - 0.008),
	    "p100 is within 0.8%% below the largest value seen");

	/* removal takes from the histogram */
	for (i = 0; i < N / 2; i++)
		stats_remove(&st, REQ_OK, v[i]);
	is_int(st.count, N - N / 2, "removal is counted");
	ok(fabs(stats_percentile(&st, 1) - v[N / 2 + N / 200 - 1]) / v[N / 2] <= 0.008,
	    "removed values leave the histogram (p1 is now within the upper half)");
	total = stats_histogram(&st, 0, 0, buckets, 10);
	is_int(total, N - N / 2, "stats_histogram spreads every remaining request");

	/* merging an exact stats into an approximate one, and the other way */
	stats_init(&merged);
	stats_merge(&merged, &ex);
	ok(stats_exact(&merged), "merging exact into exact stays exact");
	stats_merge(&merged, &st);
	ok(!stats_exact(&merged), "merging a histogram makes a histogram");
	is_int(merged.count, N + N - N / 2, "merged counts add up");
	total = stats_histogram(&merged, 0, 0, buckets, 10);
	is_int(total, merged.count, "and so do the merged latencies");
	stats_done(&merged);
	stats_done(&st);

	/* removals pending in exact mode count towards the limit */
	stats_init(&st);
	stats_limit(&st, 100);
	for (i = 0; i < 1000; i++) {
		stats_add(&st, REQ_OK, v[i], 0, 0);
		stats_remove(&st, REQ_OK, v[i]);
	}
	ok(stats_exact(&st) && st.samples.n + st.removed.n <= 200,
	    "adding and taking back keeps what is held under twice the limit, exact");
	for (i = 0; i < 99; i++)
		stats_add(&st, REQ_OK, v[i], 0, 0);
	for (i = 0; i < 500; i++) {
		stats_add(&st, REQ_OK, v[i], 0, 0);
		stats_remove(&st, REQ_OK, v[i]);
	}
	ok(stats_exact(&st), "requests up to the limit (while one is replaced), churned, stay exact");
	is_dbl(stats_percentile(&st, 100), v[98], 0, "and their percentiles are exact");
	stats_add(&st, REQ_OK, 0.25, 0, 0);
	stats_add(&st, REQ_OK, 0.5, 0, 0);
	for (i = 0; i < 200; i++) {
		stats_add(&st, REQ_OK, v[i], 0, 0);
		stats_remove(&st, REQ_OK, v[i]);
	}
	ok(!stats_exact(&st), "past the limit, the latencies go to the histogram");
	stats_done(&st);
	stats_init(&st);
	stats_limit(&st, 100);
	stats_add(&st, REQ_OK, 0.25, 0, 0);
	is_dbl(stats_percentile(&st, 50), 0.25, 0, "and the percentiles exact");
	stats_done(&st);
	stats_done(&ex);
	free(v);
}

/* The map's JSON says which percentiles are approximate. */
static void
test_map_cap(void)
{
	struct svcmap *m = svcmap_new();
	struct arena *a = arena_new(0);
	char tid[64], err[256], *buf = NULL;
	size_t len = 0, i;
	struct gdoc g[3];
	const char *p;
	FILE *f;
	int napprox = 0, nexact = 0;

	svcmap_set_sample_cap(m, 50);
	for (i = 0; i < 200; i++) {
		size_t j;

		gen_trace(g, (unsigned)i);
		trace_id_of(tid, sizeof tid, (unsigned)i);
		for (j = 0; j < 3; j++) {
			/* only the first 20 traces reach the back end */
			if (j == 0 || i < 20)
				add_gdoc(m, a, &g[j], tid);
			free(g[j].fmt);
		}
	}
	f = open_memstream(&buf, &len);
	is_int(json_out_map(m, f, err, sizeof err), 0, "the map is written as JSON");
	fclose(f);
	for (p = buf; (p = strstr(p, "\"percentiles\":")) != NULL; p++) {
		if (strncmp(p, "\"percentiles\":\t\"approximate\"", 28) == 0)
			napprox++;
		else if (strncmp(p, "\"percentiles\":\t\"exact\"", 22) == 0)
			nexact++;
	}
	ok(napprox >= 3, "busy nodes and edges say \"approximate\" (%d)", napprox);
	ok(nexact >= 2, "the quiet ones say \"exact\" (%d)", nexact);
	free(buf);
	arena_free(a);
	svcmap_free(m);
}

int
main(void)
{
	test_loop();
	test_bad_datagrams();
	test_oversize();
	test_record();
	test_record_joined();
	test_store_evict();
	test_store_compact();
	test_forget();
	test_histogram();
	test_map_cap();
	return done_testing();
}

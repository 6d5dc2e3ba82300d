/* datagram-fuzz.c - libFuzzer target: the UDP listener's handling of
 * datagrams, without a socket, on arbitrary bytes.
 *
 * The input is cut at each 0x1e byte into datagrams, which a listener
 * with no socket handles one by one (listener_handle, as if each had
 * arrived) while it records them; then the whole input is handled once
 * more as a datagram the kernel cut (oversize).  Checks, after each one:
 *  - the counters add up: received = parsed + invalid by reason +
 *    oversize, invalid = the sum of the reasons, bytes = what was handed
 *    in, exactly one of them moved, and the sink got every parsed one;
 *  - json_decode_datagram, called on its own, accepts exactly the
 *    datagrams the listener parsed, and listener_classify names the reason
 *    counted; a NUL byte makes it "binary", text without a newline that is
 *    not binary has "no header", a bad header is one json_is_header
 *    rejects;
 *  - the datagram wrapped as {"datagram": "..."} decodes the same way;
 *  - the recording holds the datagrams with a good header, and reading it
 *    back with the file source gives the documents that decoding each
 *    recorded header line and document gives (a document over several
 *    lines is joined without changing what it decodes to).
 * Any violation aborts. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xraytop/arena.h"
#include "xraytop/json-in.h"
#include "xraytop/listener.h"
#include "xraytop/model.h"
#include "xraytop/source-file.h"

#include "fuzz-common.h"

#define MAX_INPUT	(LISTENER_MAX_DATAGRAM * 2)
#define SEPARATOR	0x1e

struct counted {
	unsigned long	 documents;
};

static void
count_document(void *ctx, const struct segment *doc)
{
	FUZZ_CHECK(doc->id != NULL && doc->id[0] != '\0' && doc->trace_id != NULL &&
	    doc->name != NULL, "a document without id, trace id or name was delivered");
	((struct counted *)ctx)->documents++;
}

/* Documents json_decode finds in text (a line of the recording). */
static unsigned long
decode_count(const char *text, size_t len, struct arena *a)
{
	struct counted n = { 0 };
	struct sink sink = { &n, count_document, NULL, NULL };
	struct json_result res;

	json_decode(text, len, a, 0, &sink, &res);
	arena_reset(a);
	return res.documents;
}

/* {"datagram": "..."} around data; NULL when data holds a NUL (the
 * wrapped form ends the text there). */
static char *
wrap(const char *data, size_t len, size_t *outlen)
{
	char *out = malloc(len * 6 + 32), *o;
	size_t i;

	if (out == NULL)
		abort();
	o = out + sprintf(out, "{\"datagram\": \"");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c == '\0') {
			free(out);
			return NULL;
		}
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20)
			o += sprintf(o, "\\u%04x", c);
		else
			*o++ = (char)c;
	}
	o += sprintf(o, "\"}");
	*outlen = (size_t)(o - out);
	return out;
}

static uint64_t
sum_reasons(const struct listener_counters *c)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < LISTEN_NREASONS; i++)
		n += c->by_reason[i];
	return n;
}

static void
check_counters(const struct listener_counters *c, unsigned long delivered)
{
	FUZZ_CHECK(c->received == c->parsed + sum_reasons(c) + c->oversize,
	    "received %llu != parsed %llu + invalid %llu + oversize %llu",
	    (unsigned long long)c->received, (unsigned long long)c->parsed,
	    (unsigned long long)sum_reasons(c), (unsigned long long)c->oversize);
	FUZZ_CHECK(c->invalid == sum_reasons(c), "invalid %llu, reasons add to %llu",
	    (unsigned long long)c->invalid, (unsigned long long)sum_reasons(c));
	FUZZ_CHECK(c->parsed == delivered, "parsed %llu, delivered %lu",
	    (unsigned long long)c->parsed, delivered);
	FUZZ_CHECK(c->forwarded == 0 && c->forward_errors == 0 && c->dropped == 0,
	    "forwarded or dropped without a socket");
}

/* Handle one datagram and check what moved; returns the documents its
 * recorded lines should give back, or -1 when it is not recorded. */
static long
one_datagram(struct listener *l, struct counted *got, const char *d, size_t len, struct arena *a)
{
	struct listener_counters before = *listener_counters(l), after;
	struct segment *doc;
	enum listen_reason why = LISTEN_NREASONS;
	const char *nl = memchr(d, '\n', len);
	char err[256], *w;
	size_t wlen;
	long expect;
	int i;

	listener_handle(l, d, len, 0);
	after = *listener_counters(l);
	check_counters(&after, got->documents);
	FUZZ_CHECK(after.received == before.received + 1 && after.bytes == before.bytes + len,
	    "received or bytes did not move by one datagram");
	FUZZ_CHECK(after.oversize == before.oversize, "a datagram of %zu bytes was oversize", len);

	doc = json_decode_datagram(d, len, a, 0, err, sizeof err);
	if (doc != NULL) {
		FUZZ_CHECK(after.parsed == before.parsed + 1, "decoded alone, not by the listener");
		FUZZ_CHECK(doc->parent == NULL && doc->id != NULL, "datagram document");
	} else {
		FUZZ_CHECK(err[0] != '\0', "datagram rejected without a message");
		FUZZ_CHECK(after.parsed == before.parsed, "the listener took what json_decode_datagram "
		    "rejects: %s", err);
		why = listener_classify(d, len, err);
		FUZZ_CHECK((unsigned)why < LISTEN_NREASONS, "reason %d", (int)why);
		for (i = 0; i < LISTEN_NREASONS; i++)
			FUZZ_CHECK(after.by_reason[i] == before.by_reason[i] + (i == (int)why),
			    "counted as %s, classified %s", listener_reason_name((enum listen_reason)i),
			    listener_reason_name(why));
		if (memchr(d, '\0', len) != NULL)
			FUZZ_CHECK(why == LISTEN_BINARY, "a NUL byte gave %s", listener_reason_name(why));
		if (nl == NULL)
			FUZZ_CHECK(why == LISTEN_NO_HEADER || why == LISTEN_BINARY,
			    "no newline gave %s", listener_reason_name(why));
		if (why == LISTEN_BAD_HEADER)
			FUZZ_CHECK(nl != NULL && !json_is_header(d, (size_t)(nl - d)),
			    "bad header that json_is_header takes");
	}
	if (nl != NULL && why != LISTEN_BINARY && why != LISTEN_NO_HEADER)
		FUZZ_CHECK((why == LISTEN_BAD_HEADER) == !json_is_header(d, (size_t)(nl - d)),
		    "json_is_header disagrees with the datagram decoder (%s)",
		    why == LISTEN_NREASONS ? "ok" : listener_reason_name(why));

	/* The same datagram in a file's {"datagram": ...} record. */
	if ((w = wrap(d, len, &wlen)) != NULL) {
		unsigned long n = decode_count(w, wlen, a);

		FUZZ_CHECK(n == (doc != NULL), "wrapped, %lu documents; alone %s", n,
		    doc != NULL ? "accepted" : err);
		free(w);
	}

	if (doc == NULL && (why == LISTEN_BINARY || why == LISTEN_NO_HEADER ||
	    why == LISTEN_BAD_HEADER)) {
		FUZZ_CHECK(after.recorded == before.recorded, "recorded a datagram with a bad header");
		arena_reset(a);
		return -1;
	}
	FUZZ_CHECK(after.recorded == before.recorded + 1, "a datagram with a good header was not "
	    "recorded");
	expect = (long)decode_count(d, (size_t)(nl - d), a);
	expect += (long)decode_count(nl + 1, len - (size_t)(nl - d) - 1, a);
	arena_reset(a);
	return expect;
}

static void
ignore_report(void *ctx, const char *msg)
{
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct counted got = { 0 }, back = { 0 };
	struct sink sink = { &got, count_document, NULL, NULL };
	struct sink bsink = { &back, count_document, NULL, NULL };
	struct source_file_opts opts = { 0 };
	struct source_file_stats st;
	struct listener_counters before;
	struct listener *l;
	struct arena *a;
	const char *p = (const char *)data, *end = p + size, *sep, *path;
	unsigned long expect = 0, recorded = 0;
	char err[256];
	long e;

	if (size > MAX_INPUT)
		return 0;
	a = arena_new(0);
	l = listener_new(&sink);
	path = fuzz_file("", 0);
	FUZZ_CHECK(listener_record(l, path, err, sizeof err) == 0, "recording: %s", err);
	for (;;) {
		sep = memchr(p, SEPARATOR, (size_t)(end - p));
		if (sep == NULL)
			sep = end;
		if ((size_t)(sep - p) <= LISTENER_MAX_DATAGRAM &&
		    (e = one_datagram(l, &got, p, (size_t)(sep - p), a)) >= 0) {
			expect += (unsigned long)e;
			recorded++;
		}
		if (sep == end)
			break;
		p = sep + 1;
	}

	/* What the kernel cut is oversize whatever it holds. */
	before = *listener_counters(l);
	listener_handle(l, (const char *)data, size, 1);
	FUZZ_CHECK(listener_counters(l)->oversize == before.oversize + 1 &&
	    listener_counters(l)->recorded == before.recorded, "a cut datagram was not oversize");
	check_counters(listener_counters(l), got.documents);
	FUZZ_CHECK(listener_counters(l)->recorded == recorded, "recorded %llu of %lu",
	    (unsigned long long)listener_counters(l)->recorded, recorded);

	/* Read the recording back. */
	FUZZ_CHECK(listener_flush(l) == 0, "flushing the recording failed");
	opts.threads = 0;
	opts.report = ignore_report;
	FUZZ_CHECK(source_file_read(&path, 1, &opts, &bsink, &st) == 0,
	    "reading the recording failed");
	FUZZ_CHECK(back.documents == expect, "the recording of %lu datagrams gives %lu documents, "
	    "its lines %lu", recorded, back.documents, expect);
	listener_free(l);
	arena_free(a);
	return 0;
}

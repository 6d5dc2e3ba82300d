/* listener.c - a drop-in receiver for the X-Ray daemon's UDP protocol.
 *
 * Datagrams are read in batches: one recvmmsg() fills up to BATCH buffers
 * of 64 KiB + 1 bytes (the extra byte tells a datagram over the limit from
 * one exactly at it); only the pages a datagram touches become resident, so
 * the 4 MiB of buffers cost little.  A batch is forwarded with one
 * sendmmsg() before anything is decoded, then each datagram in turn is
 * decoded into the batch's arena, counted, recorded and delivered, and the
 * arena emptied.
 *
 * Decoding stays on the loop's thread: handing batches to a worker thread
 * was measured (bench/run.sh) and lost more datagrams on the 2-core bench
 * machine than decoding inline, as the scheduler kept both threads on the
 * core the sender left free.
 */
#include "config.h"

#include "xraytop/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xraytop/arena.h"
#include "xraytop/json-in.h"
#include "xraytop/log.h"
#include "xraytop/loop.h"
#include "xraytop/model.h"
#include "xraytop/xmalloc.h"

#define BATCH		64
#define BUF_SIZE	(LISTENER_MAX_DATAGRAM + 1)
/* Batches read per listener_drain(l, 0) before the loop gets a turn. */
#define DRAIN_ROUNDS	16
/* Asked of the kernel for the receive buffer (it doubles it for overhead). */
#define RCVBUF_BYTES	(32 * 1024 * 1024)
#define SNDBUF_BYTES	(4 * 1024 * 1024)
#define RECORD_BUFFER	(1024 * 1024)

union ctlbuf {
	struct cmsghdr	 align;
	char		 buf[CMSG_SPACE(sizeof(uint32_t))];
};

enum dg_status { DG_OK, DG_INVALID, DG_OVERSIZE };

/* What decoding made of one datagram (in the batch's arena). */
struct result {
	struct segment	*doc;
	const char	*err;
	enum dg_status	 status;
	enum listen_reason reason;
};

struct batch {
	unsigned	 n;
	char		*bufs;          /* BATCH * BUF_SIZE */
	struct arena	*arena;         /* decoded documents */
	struct mmsghdr	 msgs[BATCH];
	struct iovec	 iov[BATCH];
	struct sockaddr_storage from[BATCH];
	union ctlbuf	 ctl[BATCH];
};

struct listener {
	struct sink	 sink;
	struct arena	*scratch;       /* listener_handle */
	struct listener_counters c;

	int		 fd;
	int		 family;
	char		 address[80];
	struct loop	*loop;
	int		 paused;        /* socket not watched: the limit is reached */
	uint64_t	 limit;         /* stop reading after this many, 0: none */
	void		(*reached)(void *ctx);
	void		*reached_ctx;

	int		 fwd_fd;
	char		 fwd_address[80];
	int		 fwd_errno;     /* last forward error logged */
	struct mmsghdr	 out[BATCH];    /* the batch to forward */
	struct iovec	 fwdiov[BATCH];

	FILE		*record;
	char		*record_path;
	int		 record_failed;

	struct batch	*batch;         /* after listener_bind */
};

static struct batch *
batch_new(void)
{
	struct batch *b = xcalloc(1, sizeof *b);
	unsigned i;

	b->bufs = xmalloc((size_t)BATCH * BUF_SIZE);
	b->arena = arena_new(0);
	for (i = 0; i < BATCH; i++) {
		b->iov[i].iov_base = b->bufs + (size_t)i * BUF_SIZE;
		b->iov[i].iov_len = BUF_SIZE;
	}
	return b;
}

static void
batch_free(struct batch *b)
{
	free(b->bufs);
	arena_free(b->arena);
	free(b);
}

struct listener *
listener_new(const struct sink *sink)
{
	struct listener *l = xcalloc(1, sizeof *l);

	if (sink != NULL)
		l->sink = *sink;
	l->scratch = arena_new(0);
	l->fd = -1;
	l->fwd_fd = -1;
	return l;
}

void
listener_free(struct listener *l)
{
	if (l == NULL)
		return;
	if (l->record != NULL) {
		listener_flush(l);
		fclose(l->record);
	}
	free(l->record_path);
	if (l->fd >= 0) {
		if (l->loop != NULL)
			loop_remove_fd(l->loop, l->fd);
		close(l->fd);
	}
	if (l->fwd_fd >= 0)
		close(l->fwd_fd);
	if (l->batch != NULL)
		batch_free(l->batch);
	arena_free(l->scratch);
	free(l);
}

const struct listener_counters *
listener_counters(const struct listener *l)
{
	return &l->c;
}

int
listener_fd(const struct listener *l)
{
	return l->fd;
}

const char *
listener_address(const struct listener *l)
{
	return l->address;
}

/* ---------------------------------------------------------------- addresses */

/* "1.2.3.4:5" or "[::1]:5" for a socket address. */
static void
addr_format(const struct sockaddr *sa, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
		snprintf(out, outlen, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
		snprintf(out, outlen, "[%s]:%u", host, port);
	} else
		snprintf(out, outlen, "?");
}

/* Resolve "[ADDR:]PORT" ("ADDR:PORT" when need_host).  Returns 0, or -1
 * with a message. */
static int
addr_parse(const char *spec, int need_host, struct sockaddr_storage *ss, socklen_t *sslen,
    char *err, size_t errlen)
{
	struct addrinfo hints, *res;
	const char *colon, *p;
	char host[256], port[24];
	size_t hlen;
	long pv;
	char *end;
	int rc;

	if (spec[0] == '[') {
		if ((p = strchr(spec, ']')) == NULL || p[1] != ':') {
			snprintf(err, errlen, "'%s': want [IPV6]:PORT", spec);
			return -1;
		}
		hlen = (size_t)(p - spec - 1);
		if (hlen >= sizeof host) {
			snprintf(err, errlen, "'%s': address too long", spec);
			return -1;
		}
		memcpy(host, spec + 1, hlen);
		host[hlen] = '\0';
		colon = p + 1;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		if (memchr(spec, ':', (size_t)(colon - spec)) != NULL) {
			snprintf(err, errlen, "'%s': put an IPv6 address in brackets: [::1]:2000", spec);
			return -1;
		}
		hlen = (size_t)(colon - spec);
		if (hlen == 0 || hlen >= sizeof host) {
			snprintf(err, errlen, "'%s': want ADDR:PORT (0.0.0.0:PORT for every interface)",
			    spec);
			return -1;
		}
		memcpy(host, spec, hlen);
		host[hlen] = '\0';
	} else {
		if (need_host) {
			snprintf(err, errlen, "'%s': want ADDR:PORT", spec);
			return -1;
		}
		strcpy(host, "127.0.0.1");
		colon = spec - 1;
	}
	errno = 0;
	pv = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || pv > 65535 ||
	    (need_host && pv == 0)) {
		snprintf(err, errlen, "'%s': the port must be a number from %d to 65535",
		    spec, need_host ? 1 : 0);
		return -1;
	}
	snprintf(port, sizeof port, "%ld", pv);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "'%s': %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Set a buffer size: the privileged option first (past rmem_max/wmem_max),
 * then the ordinary one, which the kernel caps. */
static void
sock_buffer(int fd, int force_opt, int opt, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof bytes) != 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes);
}

int
listener_bind(struct listener *l, const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	int fd, one = 1, rcvbuf = 0;
	socklen_t optlen = sizeof rcvbuf;

	if (addr_parse(addr, 0, &ss, &sslen, err, errlen) != 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	sock_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, RCVBUF_BYTES);
	(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
		char a[80];

		addr_format((struct sockaddr *)&ss, a, sizeof a);
		snprintf(err, errlen, "cannot listen on %s: %s", a, strerror(errno));
		close(fd);
		return -1;
	}
	sslen = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sslen);
	addr_format((struct sockaddr *)&ss, l->address, sizeof l->address);
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &optlen);
	log_info("listening on %s (udp), receive buffer %d bytes", l->address, rcvbuf);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = fd;
	l->family = ss.ss_family;
	if (l->batch == NULL)
		l->batch = batch_new();
	return 0;
}

/* Nonzero when ss is the address socket fd is bound to (forwarding there
 * would send every datagram round for ever). */
static int
same_address(int fd, const struct sockaddr_storage *ss)
{
	struct sockaddr_storage mine;
	socklen_t len = sizeof mine;
	char a[80], b[80];

	if (getsockname(fd, (struct sockaddr *)&mine, &len) != 0)
		return 0;
	addr_format((const struct sockaddr *)&mine, a, sizeof a);
	addr_format((const struct sockaddr *)ss, b, sizeof b);
	return strcmp(a, b) == 0;
}

int
listener_forward(struct listener *l, const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	int fd;

	if (addr_parse(addr, 1, &ss, &sslen, err, errlen) != 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (l->fd >= 0 && same_address(l->fd, &ss)) {
		snprintf(err, errlen, "cannot forward to %s: that is where xraytop listens", addr);
		close(fd);
		return -1;
	}
	sock_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, SNDBUF_BYTES);
	if (connect(fd, (struct sockaddr *)&ss, sslen) != 0) {
		snprintf(err, errlen, "cannot forward to %s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	if (l->fwd_fd >= 0)
		close(l->fwd_fd);
	l->fwd_fd = fd;
	addr_format((struct sockaddr *)&ss, l->fwd_address, sizeof l->fwd_address);
	log_info("forwarding to %s", l->fwd_address);
	return 0;
}

int
listener_record(struct listener *l, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	setvbuf(f, NULL, _IOFBF, RECORD_BUFFER);
	if (l->record != NULL)
		fclose(l->record);
	free(l->record_path);
	l->record = f;
	l->record_path = xstrdup(path);
	l->record_failed = 0;
	return 0;
}

int
listener_flush(struct listener *l)
{
	if (l->record == NULL || l->record_failed)
		return l->record_failed ? -1 : 0;
	if (fflush(l->record) != 0 || ferror(l->record)) {
		log_warn("recording to %s failed: %s; recording stopped", l->record_path,
		    strerror(errno));
		l->record_failed = 1;
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- classifying */

/* Nonzero when data holds what no SDK sends: NUL or another control byte
 * than tab, LF and CR, DEL, or bytes that are not UTF-8. */
static int
is_binary(const unsigned char *p, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		unsigned char c = p[i];

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return 1;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return 1;
		if (i + n >= len)
			return 1;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 1;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, past U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 1;
		i += n + 1;
	}
	return 0;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum listen_reason
listener_classify(const char *data, size_t len, const char *err)
{
	if (is_binary((const unsigned char *)data, len))
		return LISTEN_BINARY;
	if (starts(err, "no header"))
		return LISTEN_NO_HEADER;
	if (starts(err, "bad header"))
		return LISTEN_BAD_HEADER;
	if (starts(err, "invalid JSON: unexpected end of input") ||
	    starts(err, "invalid JSON: empty document"))
		return LISTEN_TRUNCATED;
	if (starts(err, "invalid JSON"))
		return LISTEN_INVALID_JSON;
	if (strcmp(err, "no id") == 0 || strcmp(err, "id is not a string") == 0)
		return LISTEN_NO_ID;
	if (strcmp(err, "no trace_id") == 0 || strcmp(err, "trace_id is not a string") == 0)
		return LISTEN_NO_TRACE_ID;
	return LISTEN_NOT_SEGMENT;
}

const char *
listener_reason_name(enum listen_reason r)
{
	static const char *const names[LISTEN_NREASONS] = {
		[LISTEN_NO_HEADER] = "no-header",
		[LISTEN_BAD_HEADER] = "bad-header",
		[LISTEN_INVALID_JSON] = "invalid-json",
		[LISTEN_TRUNCATED] = "truncated",
		[LISTEN_NOT_SEGMENT] = "not-segment",
		[LISTEN_NO_ID] = "no-id",
		[LISTEN_NO_TRACE_ID] = "no-trace-id",
		[LISTEN_BINARY] = "binary",
	};

	return (unsigned)r < LISTEN_NREASONS ? names[r] : "?";
}

/* The first bytes of data, every byte that is not printable ASCII (and,
 * with quotes set, quotes and backslashes) written as \xNN, for a log line. */
static void
escape_prefix(const char *data, size_t len, int quotes, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c >= 0x20 && c < 0x7f && (!quotes || (c != '\\' && c != '"')))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

static void
log_bad(const char *data, size_t len, const struct sockaddr *from, const char *what,
    const char *detail)
{
	char who[80] = "?", head[4 * 64 + 8], why[4 * 120 + 8];

	if (log_level() < 3)
		return;
	if (from != NULL)
		addr_format(from, who, sizeof who);
	escape_prefix(data, len < 64 ? len : 64, 1, head, sizeof head);
	/* the message may quote the document (an id): escaped too */
	escape_prefix(detail, strlen(detail) < 120 ? strlen(detail) : 120, 0, why, sizeof why);
	log_debug("datagram from %s, %zu bytes: %s: %s; starts \"%s\"", who, len, what, why, head);
}

/* ---------------------------------------------------------------- recording */

/* Write a document that holds line breaks on one line: outside strings a
 * line break becomes a space, inside one the escape \n. */
static void
write_joined(FILE *f, const char *p, size_t len)
{
	size_t i, from = 0;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		char c = p[i];

		if (in_str && c == '\\') {
			/* A backslash before a line break is no escape (the
			 * document is not JSON): a space keeps it so, on one
			 * line, so that what follows cannot read as a line of
			 * its own. */
			if (i + 1 < len && p[i + 1] == '\n') {
				fwrite(p + from, 1, i + 1 - from, f);
				putc(' ', f);
				from = i + 2;
			}
			i++;
			continue;
		}
		if (c == '"')
			in_str = !in_str;
		else if (c == '\n') {
			fwrite(p + from, 1, i - from, f);
			fputs(in_str ? "\\n" : " ", f);
			from = i + 1;
		}
	}
	fwrite(p + from, 1, len - from, f);
}

/* Append a datagram with a valid header: header line, document line. */
static void
record_write(struct listener *l, const char *data, size_t len)
{
	const char *nl = memchr(data, '\n', len);
	size_t hlen;

	if (l->record == NULL || l->record_failed || nl == NULL)
		return;
	hlen = (size_t)(nl - data);
	fwrite(data, 1, hlen + 1, l->record);
	if (memchr(nl + 1, '\n', len - hlen - 1) == NULL)
		fwrite(nl + 1, 1, len - hlen - 1, l->record);
	else
		write_joined(l->record, nl + 1, len - hlen - 1);
	if (putc('\n', l->record) == EOF || ferror(l->record)) {
		listener_flush(l);
		return;
	}
	l->c.recorded++;
}

/* ---------------------------------------------------------------- handling */

/* Decode one datagram into arena a (any thread). */
static void
decode_one(struct arena *a, const char *data, size_t len, int truncated, struct result *r)
{
	char err[256];

	r->doc = NULL;
	r->err = NULL;
	if (truncated || len > LISTENER_MAX_DATAGRAM) {
		r->status = DG_OVERSIZE;
		return;
	}
	r->doc = json_decode_datagram(data, len, a, 0, err, sizeof err);
	if (r->doc != NULL) {
		r->status = DG_OK;
		return;
	}
	r->status = DG_INVALID;
	r->reason = listener_classify(data, len, err);
	r->err = arena_strdup(a, err);
}

/* Count, log, record and deliver one decoded datagram (the loop's thread). */
static void
deliver_one(struct listener *l, const char *data, size_t len, const struct sockaddr *from,
    const struct result *r)
{
	switch (r->status) {
	case DG_OVERSIZE:
		l->c.oversize++;
		log_bad(data, len > LISTENER_MAX_DATAGRAM ? LISTENER_MAX_DATAGRAM : len, from,
		    "oversize", "longer than 65536 bytes");
		return;
	case DG_INVALID:
		l->c.invalid++;
		l->c.by_reason[r->reason]++;
		log_bad(data, len, from, listener_reason_name(r->reason), r->err);
		/* json_decode_datagram checks the header first: past it, the
		 * header is good and the datagram fits the recording */
		if (r->reason != LISTEN_BINARY && r->reason != LISTEN_NO_HEADER &&
		    r->reason != LISTEN_BAD_HEADER)
			record_write(l, data, len);
		return;
	case DG_OK:
		record_write(l, data, len);
		l->c.parsed++;
		if (l->sink.document != NULL)
			l->sink.document(l->sink.ctx, r->doc);
		return;
	}
}

/* Count a failed forward; log each new kind of error once. */
static void
forward_failed(struct listener *l, uint64_t n, int err)
{
	l->c.forward_errors += n;
	if (err != l->fwd_errno) {
		log_warn("forwarding to %s: %s", l->fwd_address, strerror(err));
		l->fwd_errno = err;
	}
}

/* Send out[0..n-1] to the forward address without waiting. */
static void
forward_send(struct listener *l, struct mmsghdr *out, unsigned n)
{
	unsigned off = 0;
	int r;

	while (off < n) {
		r = sendmmsg(l->fwd_fd, out + off, n - off, MSG_DONTWAIT);
		if (r > 0) {
			l->c.forwarded += (unsigned)r;
			off += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			/* the kernel takes no more now: the rest is lost */
			forward_failed(l, n - off, errno);
			return;
		}
		/* this one failed (e.g. ECONNREFUSED from an earlier one): go on */
		forward_failed(l, 1, r < 0 ? errno : EIO);
		off++;
	}
}

void
listener_handle(struct listener *l, const char *data, size_t len, int truncated)
{
	struct iovec iov = { (void *)(uintptr_t)data, len };
	struct mmsghdr out;
	struct result r;

	if (l->fwd_fd >= 0 && !truncated && len <= LISTENER_MAX_DATAGRAM) {
		memset(&out, 0, sizeof out);
		out.msg_hdr.msg_iov = &iov;
		out.msg_hdr.msg_iovlen = 1;
		forward_send(l, &out, 1);
	}
	l->c.received++;
	l->c.bytes += len;
	decode_one(l->scratch, data, len, truncated, &r);
	deliver_one(l, data, len, NULL, &r);
	arena_reset(l->scratch);
}

static int
is_oversize(const struct batch *b, unsigned i)
{
	return (b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ||
	    b->msgs[i].msg_len > LISTENER_MAX_DATAGRAM;
}

/* Forward every datagram of a batch that fits, in one call. */
static void
forward_batch(struct listener *l, struct batch *b)
{
	unsigned i, nout = 0;

	for (i = 0; i < b->n; i++) {
		if (is_oversize(b, i))
			continue;
		memset(&l->out[nout], 0, sizeof l->out[nout]);
		l->fwdiov[nout].iov_base = b->iov[i].iov_base;
		l->fwdiov[nout].iov_len = b->msgs[i].msg_len;
		l->out[nout].msg_hdr.msg_iov = &l->fwdiov[nout];
		l->out[nout].msg_hdr.msg_iovlen = 1;
		nout++;
	}
	forward_send(l, l->out, nout);
}

/* Decode and deliver each datagram of a batch in turn, emptying the arena
 * after each one, so that a document is still in the cache when the sink
 * copies it, and the arena keeps reusing one chunk. */
static void
handle_batch(struct listener *l, struct batch *b)
{
	struct result r;
	unsigned i;

	for (i = 0; i < b->n; i++) {
		const struct msghdr *h = &b->msgs[i].msg_hdr;

		decode_one(b->arena, b->iov[i].iov_base, b->msgs[i].msg_len, is_oversize(b, i), &r);
		deliver_one(l, b->iov[i].iov_base, b->msgs[i].msg_len,
		    h->msg_namelen > 0 ? (const struct sockaddr *)h->msg_name : NULL, &r);
		arena_reset(b->arena);
	}
	b->n = 0;
}

/* The kernel's count of drops for this socket, from SO_RXQ_OVFL. */
static void
read_drops(struct listener *l, struct msghdr *h)
{
	struct cmsghdr *cm;
	uint32_t v;

	for (cm = CMSG_FIRSTHDR(h); cm != NULL; cm = CMSG_NXTHDR(h, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
			memcpy(&v, CMSG_DATA(cm), sizeof v);
			if (v > l->c.dropped)
				l->c.dropped = v;
		}
}

/* Watch the socket or not, when attached to a loop. */
static void
set_paused(struct listener *l, int paused)
{
	if (l->paused == paused || l->loop == NULL || l->fd < 0)
		return;
	l->paused = paused;
	loop_set_events(l->loop, l->fd, paused ? 0 : LOOP_IN);
}

size_t
listener_drain(struct listener *l, size_t max)
{
	size_t total = 0, budget = max > 0 ? max : (size_t)BATCH * DRAIN_ROUNDS;
	struct batch *b = l->batch;
	unsigned want, i;
	int n;

	if (l->fd < 0)
		return 0;
	if (l->limit > 0) {
		if (l->c.received >= l->limit)
			return 0;
		if (budget > l->limit - l->c.received)
			budget = (size_t)(l->limit - l->c.received);
	}
	while (total < budget) {
		want = budget - total < BATCH ? (unsigned)(budget - total) : BATCH;
		for (i = 0; i < want; i++) {
			struct msghdr *h = &b->msgs[i].msg_hdr;

			h->msg_name = &b->from[i];
			h->msg_namelen = sizeof b->from[i];
			h->msg_iov = &b->iov[i];
			h->msg_iovlen = 1;
			h->msg_control = b->ctl[i].buf;
			h->msg_controllen = sizeof b->ctl[i].buf;
			h->msg_flags = 0;
		}
		n = recvmmsg(l->fd, b->msgs, want, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->n = (unsigned)n;
		for (i = 0; i < b->n; i++)
			l->c.bytes += b->msgs[i].msg_len;
		l->c.received += b->n;
		read_drops(l, &b->msgs[n - 1].msg_hdr);
		if (l->fwd_fd >= 0)
			forward_batch(l, b);
		handle_batch(l, b);
		total += (unsigned)n;
		if ((unsigned)n < want)
			break;  /* the queue is empty: spare the call that says so */
	}
	return total;
}

/* ---------------------------------------------------------------- the loop */

static void
on_socket(void *ctx, int fd, unsigned revents)
{
	struct listener *l = ctx;
	void (*cb)(void *);

	listener_drain(l, 0);
	if (l->limit == 0 || l->c.received < l->limit)
		return;
	set_paused(l, 1);
	if ((cb = l->reached) != NULL) {
		l->reached = NULL;
		cb(l->reached_ctx);
	}
}

int
listener_attach(struct listener *l, struct loop *lp)
{
	if (l->fd < 0 || l->loop != NULL)
		return -1;
	if (loop_add_fd(lp, l->fd, LOOP_IN, on_socket, l) != 0)
		return -1;
	l->loop = lp;
	l->paused = 0;
	return 0;
}

void
listener_set_limit(struct listener *l, uint64_t max, void (*reached)(void *ctx), void *ctx)
{
	l->limit = max;
	l->reached = reached;
	l->reached_ctx = ctx;
}

/* ---------------------------------------------------------------- drops */

void
listener_update_drops(struct listener *l)
{
	char line[512];
	unsigned long inode, drops;
	struct stat sb;
	FILE *f;

	if (l->fd < 0 || fstat(l->fd, &sb) != 0)
		return;
	f = fopen(l->family == AF_INET6 ? "/proc/net/udp6" : "/proc/net/udp", "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops */
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %lu %*s %*s %lu",
		    &inode, &drops) == 2 && inode == (unsigned long)sb.st_ino) {
			if (drops > l->c.dropped)
				l->c.dropped = drops;
			break;
		}
	}
	fclose(f);
}

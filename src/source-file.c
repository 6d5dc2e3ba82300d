/* source-file.c - reading X-Ray data from files and standard input.
 *
 * A file is either JSON Lines (one value per line) or one JSON value spread
 * over many lines; the first line tells which.  JSON Lines are read in
 * chunks that end at a line boundary; worker threads decode chunks into
 * their own arenas and the calling thread delivers the results in file
 * order, so memory stays bounded by the chunks in flight whatever the size
 * of the input.
 */
#include "config.h"

#include "xraytop/source-file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xraytop/arena.h"
#include "xraytop/json-in.h"
#include "xraytop/xmalloc.h"

#define CHUNK_SIZE	(4u * 1024 * 1024)   /* bytes read per chunk */
#define READ_MIN	(64u * 1024)         /* first buffer size */
#define MAX_REPORTS	20                   /* problems printed per file */
#define MAX_WORKERS	16

/* What decoding one line of a chunk produced, in order. */
enum event_type {
	EV_DOC,     /* a decoded document, in the chunk's arena */
	EV_REDO,    /* summaries or graph pages: decoded again on the main thread */
	EV_ERROR,   /* a line that could not be used */
};

struct event {
	enum event_type	 type;
	const struct segment *doc;
	size_t		 line;      /* 0-based line within the chunk */
	size_t		 off;       /* EV_REDO: offset of the line in the chunk */
	size_t		 len;
	const char	*msg;       /* EV_ERROR, in the chunk's arena */
	unsigned long	 bad;       /* EV_ERROR: how many items were bad */
};

struct chunk {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	size_t		 first_line;  /* 1-based number of the chunk's first line */
	size_t		 nlines;      /* newlines in the chunk */
	struct arena	*arena;
	struct event	*ev;
	size_t		 nev;
	size_t		 capev;
	int		 state;       /* CH_FREE, CH_QUEUED, CH_DONE */
	unsigned	 json_opts;
};

enum { CH_FREE, CH_QUEUED, CH_DONE };

struct pool {
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;        /* a chunk was queued, or stop */
	pthread_cond_t	 done;        /* a chunk was decoded */
	struct chunk	*chunks;
	size_t		 nchunks;
	size_t		 next_job;    /* next chunk index for the workers */
	size_t		 queued;      /* chunks queued so far (monotonic) */
	int		 stop;
	pthread_t	 threads[MAX_WORKERS];
	int		 nthreads;
};

/* Per-file reading state. */
struct reader {
	const char	*name;
	int		 fd;
	const struct source_file_opts *opts;
	const struct sink *sink;
	struct source_file_stats *stats;
	char		*carry;       /* bytes after the last newline of the previous read */
	size_t		 ncarry;
	size_t		 capcarry;
	int		 eof;
	int		 failed;
	size_t		 next_line;
	unsigned long	 reports;
	unsigned long	 bad;
};

static void
report(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print or hand over one problem "FILE:...". */
static void
report(struct reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->opts != NULL && r->opts->report != NULL) {
		r->opts->report(r->opts->report_ctx, msg);
		return;
	}
	if (r->reports++ < MAX_REPORTS)
		fprintf(stderr, "xraytop: %s\n", msg);
}

static struct event *
event_add(struct chunk *c)
{
	if (c->nev == c->capev) {
		c->capev = c->capev ? c->capev * 2 : 256;
		c->ev = xreallocarray(c->ev, c->capev, sizeof *c->ev);
	}
	memset(&c->ev[c->nev], 0, sizeof c->ev[0]);
	return &c->ev[c->nev++];
}

/* Sink used by the workers: collect documents, flag anything else. */
struct collect {
	struct chunk	*chunk;
	size_t		 line;
	int		 redo;
};

static void
collect_document(void *ctx, const struct segment *doc)
{
	struct collect *cl = ctx;
	struct event *ev = event_add(cl->chunk);

	ev->type = EV_DOC;
	ev->doc = doc;
	ev->line = cl->line;
}

static void
collect_summary(void *ctx, const struct trace_summary *s)
{
	((struct collect *)ctx)->redo = 1;
}

static void
collect_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	((struct collect *)ctx)->redo = 1;
}

/* Line and column (1-based) of byte offset off in text. */
static void
line_col(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
	size_t i, l = 1, c = 1;

	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else
			c++;
	}
	*line = l;
	*col = c;
}

/* Decode every line of a chunk into events (runs on a worker thread). */
static void
chunk_decode(struct chunk *c)
{
	struct collect cl = { .chunk = c };
	struct sink sink = {
		.ctx = &cl,
		.document = collect_document,
		.summary = collect_summary,
		.graph = collect_graph,
	};
	const char *p = c->buf, *end = c->buf + c->len, *nl;
	size_t line = 0, keep_nev;
	struct json_result res;
	enum json_kind kind;

	for (; p < end; p = nl + 1, line++) {
		size_t len;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len == 0)
			continue;
		cl.line = line;
		cl.redo = 0;
		keep_nev = c->nev;
		memset(&res, 0, sizeof res);
		kind = json_decode(p, len, c->arena, c->json_opts, &sink, &res);
		if (cl.redo) {
			/* Drop what was collected; the main thread decodes it again. */
			struct event *ev;

			c->nev = keep_nev;
			ev = event_add(c);
			ev->type = EV_REDO;
			ev->line = line;
			ev->off = (size_t)(p - c->buf);
			ev->len = len;
			continue;
		}
		if (kind == JSON_KIND_INVALID || res.bad > 0) {
			struct event *ev = event_add(c);
			char tmp[400];

			ev->type = EV_ERROR;
			ev->line = line;
			ev->bad = res.bad > 0 ? res.bad : 1;
			if (kind == JSON_KIND_INVALID || kind == JSON_KIND_SEGMENT)
				snprintf(tmp, sizeof tmp, "column %zu: %s", res.offset + 1,
				    res.error[0] ? res.error : "not a segment document or an X-Ray API response");
			else
				snprintf(tmp, sizeof tmp, "%lu bad document%s: %s", res.bad,
				    res.bad == 1 ? "" : "s", res.error);
			ev->msg = arena_strdup(c->arena, tmp);
		}
	}
	c->nlines = line;
}

static void *
worker_main(void *arg)
{
	struct pool *pl = arg;
	struct chunk *c;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		while (!pl->stop && pl->next_job == pl->queued)
			pthread_cond_wait(&pl->work, &pl->lock);
		if (pl->next_job == pl->queued && pl->stop)
			break;
		c = &pl->chunks[pl->next_job % pl->nchunks];
		pl->next_job++;
		pthread_mutex_unlock(&pl->lock);
		chunk_decode(c);
		pthread_mutex_lock(&pl->lock);
		c->state = CH_DONE;
		pthread_cond_broadcast(&pl->done);
	}
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

/* Read until buf holds want more bytes or EOF; -1 on a read error.  The
 * buffer grows as the data comes, doubling from READ_MIN (up to len + want
 * + 1), so that a small file needs no chunk-sized buffer. */
static int
read_more(struct reader *r, char **buf, size_t *len, size_t *cap, size_t want)
{
	size_t room, ncap;
	ssize_t n;

	while (want > 0 && !r->eof) {
		if (*cap < *len + 2) {
			ncap = *cap < READ_MIN ? READ_MIN : *cap * 2;
			if (ncap > *len + want + 1)
				ncap = *len + want + 1;
			if (ncap < *len + 2)
				ncap = *len + 2;
			*buf = xrealloc(*buf, ncap);
			*cap = ncap;
		}
		room = *cap - *len - 1;
		n = read(r->fd, *buf + *len, room < want ? room : want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			report(r, "%s: %s", r->name, strerror(errno));
			r->failed = 1;
			r->eof = 1;
			return -1;
		}
		if (n == 0) {
			r->eof = 1;
			break;
		}
		*len += (size_t)n;
		want -= (size_t)n;
		r->stats->bytes += (uint64_t)n;
	}
	return 0;
}

/* Fill chunk c with whole lines: the carry-over plus new data. Returns 0
 * when the chunk is empty (end of input). */
static int
chunk_fill(struct reader *r, struct chunk *c)
{
	char *lastnl;

	c->len = 0;
	if (r->ncarry > 0) {
		if (c->cap < r->ncarry + 1) {
			c->cap = r->ncarry + 1;
			c->buf = xrealloc(c->buf, c->cap);
		}
		memcpy(c->buf, r->carry, r->ncarry);
		c->len = r->ncarry;
		r->ncarry = 0;
	}
	for (;;) {
		if (read_more(r, &c->buf, &c->len, &c->cap, CHUNK_SIZE) != 0)
			break;
		if (r->eof)
			break;
		lastnl = memrchr(c->buf, '\n', c->len);
		if (lastnl != NULL) {
			size_t keep = (size_t)(lastnl - c->buf) + 1;

			r->ncarry = c->len - keep;
			if (r->capcarry < r->ncarry) {
				r->capcarry = r->ncarry;
				r->carry = xrealloc(r->carry, r->capcarry);
			}
			memcpy(r->carry, c->buf + keep, r->ncarry);
			c->len = keep;
			break;
		}
		/* A line longer than a chunk: keep reading. */
	}
	return c->len > 0;
}

/* Hand a decoded chunk's results to the sink, in order. */
static void
chunk_deliver(struct reader *r, struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->nev; i++) {
		struct event *ev = &c->ev[i];
		struct json_result res;

		switch (ev->type) {
		case EV_DOC:
			r->stats->documents++;
			if (r->sink->document != NULL)
				r->sink->document(r->sink->ctx, ev->doc);
			break;
		case EV_REDO:
			memset(&res, 0, sizeof res);
			json_decode(c->buf + ev->off, ev->len, c->arena, c->json_opts, r->sink, &res);
			r->stats->documents += res.documents;
			r->stats->summaries += res.summaries;
			r->stats->services += res.services;
			if (res.bad > 0) {
				r->bad += res.bad;
				report(r, "%s:%zu: %lu bad entr%s: %s", r->name,
				    c->first_line + ev->line, res.bad, res.bad == 1 ? "y" : "ies",
				    res.error);
			}
			break;
		case EV_ERROR:
			r->bad += ev->bad;
			report(r, "%s:%zu: %s", r->name, c->first_line + ev->line, ev->msg);
			break;
		}
	}
	c->nev = 0;
	arena_reset(c->arena);
	r->next_line = c->first_line + c->nlines;
}

static void
pool_start(struct pool *pl, int nthreads, size_t nchunks)
{
	int i;

	memset(pl, 0, sizeof *pl);
	pthread_mutex_init(&pl->lock, NULL);
	pthread_cond_init(&pl->work, NULL);
	pthread_cond_init(&pl->done, NULL);
	pl->nchunks = nchunks;
	pl->chunks = xcalloc(nchunks, sizeof *pl->chunks);
	for (i = 0; i < (int)nchunks; i++)
		pl->chunks[i].arena = arena_new(1024 * 1024);
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&pl->threads[i], NULL, worker_main, pl) != 0)
			break;
	}
	pl->nthreads = i;
}

static void
pool_stop(struct pool *pl)
{
	size_t i;
	int t;

	pthread_mutex_lock(&pl->lock);
	pl->stop = 1;
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->lock);
	for (t = 0; t < pl->nthreads; t++)
		pthread_join(pl->threads[t], NULL);
	for (i = 0; i < pl->nchunks; i++) {
		free(pl->chunks[i].buf);
		free(pl->chunks[i].ev);
		arena_free(pl->chunks[i].arena);
	}
	free(pl->chunks);
	pthread_cond_destroy(&pl->work);
	pthread_cond_destroy(&pl->done);
	pthread_mutex_destroy(&pl->lock);
}

/* JSON Lines: chunks decoded by the pool (or inline without workers),
 * delivered in order.  The first chunk is already filled. */
static void
read_lines(struct reader *r, struct pool *pl, struct chunk *first)
{
	size_t fill = 0, deliver = pl->queued;
	struct chunk *c;
	int more = 1;

	if (pl->nthreads == 0) {
		c = first;
		do {
			c->first_line = r->next_line;
			chunk_decode(c);
			chunk_deliver(r, c);
		} while (chunk_fill(r, c));
		return;
	}
	/* The first chunk sits in slot 0 already. */
	pthread_mutex_lock(&pl->lock);
	for (;;) {
		while (more && pl->queued - deliver < pl->nchunks) {
			c = &pl->chunks[pl->queued % pl->nchunks];
			if (fill > 0) {
				pthread_mutex_unlock(&pl->lock);
				more = chunk_fill(r, c);
				pthread_mutex_lock(&pl->lock);
				if (!more)
					break;
			}
			fill++;
			c->json_opts = first->json_opts;
			c->state = CH_QUEUED;
			pl->queued++;
			pthread_cond_signal(&pl->work);
		}
		if (deliver == pl->queued)
			break;
		c = &pl->chunks[deliver % pl->nchunks];
		while (c->state != CH_DONE)
			pthread_cond_wait(&pl->done, &pl->lock);
		pthread_mutex_unlock(&pl->lock);
		c->first_line = r->next_line;
		chunk_deliver(r, c);
		pthread_mutex_lock(&pl->lock);
		c->state = CH_FREE;
		deliver++;
	}
	pthread_mutex_unlock(&pl->lock);
}

/* One JSON value over the whole file (what the AWS CLI prints). */
static void
read_whole(struct reader *r, struct chunk *c)
{
	struct json_result res;
	enum json_kind kind;
	size_t line, col;

	while (!r->eof)
		read_more(r, &c->buf, &c->len, &c->cap, CHUNK_SIZE);
	if (r->failed)
		return;
	memset(&res, 0, sizeof res);
	kind = json_decode(c->buf, c->len, c->arena, c->json_opts, r->sink, &res);
	r->stats->documents += res.documents;
	r->stats->summaries += res.summaries;
	r->stats->services += res.services;
	if (kind == JSON_KIND_INVALID) {
		line_col(c->buf, c->len, res.offset, &line, &col);
		r->bad++;
		report(r, "%s:%zu:%zu: %s", r->name, line, col,
		    res.error[0] ? res.error : "not X-Ray data");
	} else if (res.bad > 0) {
		r->bad += res.bad;
		report(r, "%s: %lu bad entr%s: %s", r->name, res.bad,
		    res.bad == 1 ? "y" : "ies", res.error);
	}
	arena_reset(c->arena);
}

/* Nonzero when the first non-blank line of the chunk is a JSON value of its own. */
static int
first_line_complete(struct chunk *c, unsigned json_opts)
{
	static const struct sink none;
	struct json_result res;
	const char *p = c->buf, *end = c->buf + c->len, *nl;
	struct arena *a;
	enum json_kind kind;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL)
		return 0;   /* one line in all: the whole-value path reads it the same */
	a = arena_new(0);
	memset(&res, 0, sizeof res);
	kind = json_decode(p, (size_t)(nl - p), a, json_opts, &none, &res);
	arena_free(a);
	return kind != JSON_KIND_INVALID;
}

static void
read_file(struct reader *r, struct pool *pl)
{
	struct chunk *c = &pl->chunks[pl->queued % pl->nchunks];
	unsigned json_opts = r->opts != NULL ? r->opts->json_opts : 0;

	c->json_opts = json_opts;
	r->next_line = 1;
	if (!chunk_fill(r, c))
		return;
	/* Skip a UTF-8 byte order mark. */
	if (c->len >= 3 && memcmp(c->buf, "\xef\xbb\xbf", 3) == 0)
		memset(c->buf, ' ', 3);
	if (first_line_complete(c, json_opts))
		read_lines(r, pl, c);
	else {
		/* Put the carried-over tail back behind the chunk and read on. */
		if (r->ncarry > 0) {
			if (c->cap < c->len + r->ncarry + 1) {
				c->cap = c->len + r->ncarry + 1;
				c->buf = xrealloc(c->buf, c->cap);
			}
			memcpy(c->buf + c->len, r->carry, r->ncarry);
			c->len += r->ncarry;
			r->ncarry = 0;
		}
		read_whole(r, c);
	}
}

int
source_file_read(const char *const *paths, size_t npaths, const struct source_file_opts *opts,
    const struct sink *sink, struct source_file_stats *stats)
{
	struct pool pl;
	struct reader r;
	int threads, rc = 0;
	size_t i;

	memset(stats, 0, sizeof *stats);
	threads = opts != NULL ? opts->threads : -1;
	if (threads < 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 1 ? (int)n : 0;   /* one core: decode inline */
	}
	if (threads > MAX_WORKERS)
		threads = MAX_WORKERS;
	pool_start(&pl, threads, threads > 0 ? (size_t)threads * 2 : 1);

	for (i = 0; i < npaths; i++) {
		memset(&r, 0, sizeof r);
		r.opts = opts;
		r.sink = sink;
		r.stats = stats;
		if (strcmp(paths[i], "-") == 0) {
			r.name = "<stdin>";
			r.fd = STDIN_FILENO;
		} else {
			r.name = paths[i];
			r.fd = open(paths[i], O_RDONLY | O_CLOEXEC);
			if (r.fd < 0) {
				report(&r, "%s: %s", paths[i], strerror(errno));
				rc = -1;
				continue;
			}
#ifdef POSIX_FADV_SEQUENTIAL
			posix_fadvise(r.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
		}
		stats->files++;
		read_file(&r, &pl);
		if (r.failed)
			rc = -1;
		stats->bad += r.bad;
		if ((opts == NULL || opts->report == NULL) && r.reports > MAX_REPORTS)
			fprintf(stderr, "xraytop: %s: %lu more problems not shown\n", r.name,
			    r.reports - MAX_REPORTS);
		if (r.fd != STDIN_FILENO)
			close(r.fd);
		free(r.carry);
	}
	pool_stop(&pl);
	return rc;
}

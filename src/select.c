/* select.c - whole traces from files, only those a filter can match.
 *
 * The inputs are mapped (mmap) and read in place: step 1 scans ranges of
 * whole lines on worker threads and keeps, per trace, its literal bits, its
 * raw time bounds and the list of its lines (file, offset, length, line
 * number); step 2 goes back to the lines of the traces still possible, in
 * batches, on worker threads, and decodes them.  Results are merged on the
 * calling thread in file order.  Pages are given back to the page cache
 * (MADV_DONTNEED) once a worker is done with them, so that the memory in
 * use stays a few batches whatever the size of the input.
 */
#include "config.h"

#include "xraytop/select.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xraytop/arena.h"
#include "xraytop/filter.h"
#include "xraytop/json-in.h"
#include "xraytop/model.h"
#include "xraytop/prefilter.h"
#include "xraytop/store.h"
#include "xraytop/svcmap.h"
#include "xraytop/xmalloc.h"

#define SCAN_BYTES	(4u * 1024 * 1024)   /* step 1: bytes per job */
#define BATCH_BYTES	(2u * 1024 * 1024)   /* steps 2, 3: line bytes per job */
#define MAX_WORKERS	16
#define MAX_REPORTS	20
#define MAX_IDS		8                    /* distinct raw trace ids per line */
#define NONE		UINT32_MAX

/* ---------------------------------------------------------------- tables */

struct sfile {
	const char	*path;
	int		 fd;
	const char	*map;           /* the whole file, read-only */
	size_t		 size;
};

/* A line of an input, remembered in step 1. */
struct line {
	uint64_t	 off;
	uint64_t	 lineno;
	uint32_t	 len;
	uint16_t	 file;
	uint8_t		 flags;
};

#define L_SPECIAL	0x01u   /* summaries or a service graph: always decoded, in order */
#define L_NEEDED	0x02u   /* step 2 decodes it */

struct link {
	uint32_t	 line;
	uint32_t	 next;
};

/* A trace seen in step 1 (dense array, in order of first sight). */
struct strace {
	const char	*id;
	uint64_t	 hash;
	size_t		 idlen;
	struct pf_trace	 pf;
	uint32_t	 head;          /* its lines: a list of links */
	uint32_t	 tail;
	uint8_t		 cand;          /* decoded in step 2 */
};

struct sel {
	const struct select_opts *o;
	const struct prefilter *pf;
	struct pf_matcher *m;           /* "trace_id", the literals, the time keys: one pass */
	size_t		 k_start;       /* needle numbers of "start_time" and "end_time", */
	size_t		 k_end;         /* or 0 when the filter has no time bounds */
	struct sfile	*files;
	struct source_file_stats *rs;
	struct select_stats *stats;
	struct store	*store;         /* step 2 delivers here */
	const struct sink *other;       /* and summaries, graphs here */

	struct line	*lines;
	size_t		 nlines, caplines;
	struct link	*links;
	size_t		 nlinks, caplinks;
	struct strace	*tr;
	size_t		 ntr, captr;
	uint32_t	*index;         /* hash -> tr index, open addressing */
	size_t		 icap;
	struct arena	*ids;           /* trace id strings */
	uint64_t	 next_line;     /* step 1: number of the next job's first line */

	unsigned long	 reports;
	int		 failed;
	size_t		 pagesize;
};

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h | 1;   /* never 0 */
}

/* The trace with id s[0..n) (hash hv), or NONE. */
static uint32_t
strace_find(const struct sel *sl, const char *s, size_t n, uint64_t hv)
{
	size_t h;
	uint32_t k;

	if (sl->icap == 0)
		return NONE;
	for (h = hv & (sl->icap - 1); (k = sl->index[h]) != NONE; h = (h + 1) & (sl->icap - 1)) {
		const struct strace *t = &sl->tr[k];

		if (t->hash == hv && t->idlen == n && memcmp(t->id, s, n) == 0)
			return k;
	}
	return NONE;
}

static void
index_grow(struct sel *sl)
{
	size_t i, h;

	free(sl->index);
	sl->icap = sl->icap ? sl->icap * 2 : 65536;
	sl->index = xreallocarray(NULL, sl->icap, sizeof *sl->index);
	for (i = 0; i < sl->icap; i++)
		sl->index[i] = NONE;
	for (i = 0; i < sl->ntr; i++) {
		for (h = sl->tr[i].hash & (sl->icap - 1); sl->index[h] != NONE; h = (h + 1) & (sl->icap - 1))
			;
		sl->index[h] = (uint32_t)i;
	}
}

/* The trace with id s[0..n), made when new. */
static struct strace *
strace_get(struct sel *sl, const char *s, size_t n, uint64_t hv)
{
	uint32_t k = strace_find(sl, s, n, hv);
	struct strace *t;
	size_t h;

	if (k != NONE)
		return &sl->tr[k];
	if ((sl->ntr + 1) * 2 > sl->icap)
		index_grow(sl);
	if (sl->ntr == sl->captr) {
		sl->captr = sl->captr ? sl->captr * 2 : 16384;
		sl->tr = xreallocarray(sl->tr, sl->captr, sizeof *sl->tr);
	}
	t = &sl->tr[sl->ntr];
	memset(t, 0, sizeof *t);
	t->id = arena_strndup(sl->ids, s, n);
	t->idlen = n;
	t->hash = hv;
	pf_trace_init(&t->pf);
	t->head = t->tail = NONE;
	for (h = hv & (sl->icap - 1); sl->index[h] != NONE; h = (h + 1) & (sl->icap - 1))
		;
	sl->index[h] = (uint32_t)sl->ntr++;
	return t;
}

static void
strace_link(struct sel *sl, struct strace *t, uint32_t line)
{
	struct link *k;

	if (t->tail != NONE && sl->links[t->tail].line == line)
		return;
	if (sl->nlinks == sl->caplinks) {
		sl->caplinks = sl->caplinks ? sl->caplinks * 2 : 65536;
		sl->links = xreallocarray(sl->links, sl->caplinks, sizeof *sl->links);
	}
	k = &sl->links[sl->nlinks];
	k->line = line;
	k->next = NONE;
	if (t->tail == NONE)
		t->head = (uint32_t)sl->nlinks;
	else
		sl->links[t->tail].next = (uint32_t)sl->nlinks;
	t->tail = (uint32_t)sl->nlinks;
	sl->nlinks++;
}

static void report(struct sel *sl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
report(struct sel *sl, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (sl->o->report != NULL) {
		sl->o->report(sl->o->report_ctx, msg);
		return;
	}
	if (sl->reports++ < MAX_REPORTS)
		fprintf(stderr, "xraytop: %s\n", msg);
}

/* Give the pages of [start, end) of a file back (they are re-read from the
 * page cache if touched again). */
static void
release(struct sel *sl, int file, uint64_t start, uint64_t end)
{
	const struct sfile *f = &sl->files[file];
	uint64_t a = start / sl->pagesize * sl->pagesize, b = end / sl->pagesize * sl->pagesize;

	if (b > a && f->map != NULL)
		madvise((void *)(uintptr_t)(f->map + a), (size_t)(b - a), MADV_DONTNEED);
}

/* ---------------------------------------------------------------- line classes */

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Past the JSON string at p (on its opening quote); NULL when unterminated. */
static const char *
skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Past the JSON value at p; NULL when malformed. */
static const char *
skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
		    *p != '\r' && *p != '\n')
			p++;
		return p;
	}
	for (; p < end; p++) {
		switch (*p) {
		case '"':
			if ((p = skip_string(p, end)) == NULL)
				return NULL;
			p--;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return p + 1;
			break;
		}
	}
	return NULL;
}

/* Would json-in's classify() take this object for a segment document?  The
 * first member that tells decides (json-in.c): "datagram" with a string,
 * Traces / TraceSummaries / Services with an array, or id / name /
 * start_time / trace_id.  1 for a segment; 0 for anything else. */
static int
is_segment_line(const char *p, const char *end)
{
	const char *k, *ke;
	size_t kl;

	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return 0;
	p++;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end || *p != '"')
			return 0;
		k = p + 1;
		if ((p = skip_string(p, end)) == NULL)
			return 0;
		ke = p - 1;
		kl = (size_t)(ke - k);
		if (memchr(k, '\\', kl) != NULL)
			return 0;
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			return 0;
		p = skip_ws(p + 1, end);
		if (p >= end)
			return 0;
		if ((kl == 2 && memcmp(k, "id", 2) == 0) || (kl == 4 && memcmp(k, "name", 4) == 0) ||
		    (kl == 10 && memcmp(k, "start_time", 10) == 0) ||
		    (kl == 8 && memcmp(k, "trace_id", 8) == 0))
			return 1;
		if (kl == 8 && memcmp(k, "datagram", 8) == 0 && *p == '"')
			return 0;
		if (((kl == 6 && memcmp(k, "Traces", 6) == 0) ||
		    (kl == 14 && memcmp(k, "TraceSummaries", 14) == 0) ||
		    (kl == 8 && memcmp(k, "Services", 8) == 0)) && *p == '[')
			return 0;
		if ((p = skip_value(p, end)) == NULL)
			return 0;
		p = skip_ws(p, end);
		if (p >= end || *p != ',')
			return 0;
		p++;
	}
}

/* The distinct string values of every "trace_id" member of a line (the
 * top-level one json-in files the document under is among them), gathered
 * as the matcher finds the key; bad when one cannot be read as plain bytes
 * (the line is then decoded instead). */
struct rawids {
	const char	*text;
	size_t		 len;
	const char	*ids[MAX_IDS];
	size_t		 lens[MAX_IDS];
	int		 n;
	int		 bad;
	size_t		 k_start, k_end;        /* the time keys' needles (0: none) */
	double		 min_start, max_end;    /* their bounds (prefilter_times) */
	int		 fs, fe;
};

/* A "start_time" or "end_time" key: widen the line's time bounds. */
static void
rawtime_at(struct rawids *r, size_t k, size_t off)
{
	double lo, hi;

	if (k == r->k_start) {
		if (prefilter_time_value(r->text, r->len, off + 12, &lo, &hi) &&
		    (!r->fs || lo < r->min_start)) {
			r->min_start = lo;
			r->fs = 1;
		}
	} else if (prefilter_time_value(r->text, r->len, off + 10, &lo, &hi) &&
	    (!r->fe || hi > r->max_end)) {
		r->max_end = hi;
		r->fe = 1;
	}
}

static void
rawid_at(void *ctx, size_t k, size_t off)
{
	struct rawids *r = ctx;
	const char *end = r->text + r->len, *q, *v;
	int i;

	if (k != 0 && k != 0 + r->k_start && k != 0 + r->k_end)
		return;
	if (k != 0) {
		if (r->k_start != 0)
			rawtime_at(r, k, off);
		return;
	}
	if (r->bad)
		return;
	q = skip_ws(r->text + off + 10, end);
	if (q >= end || *q != ':')
		return;
	q = skip_ws(q + 1, end);
	if (q >= end || *q != '"')
		return;         /* not a string: json-in refuses it at the top */
	v = ++q;
	while (q < end && *q != '"' && *q != '\\')
		q++;
	if (q >= end || *q == '\\') {
		r->bad = 1;
		return;
	}
	for (i = 0; i < r->n; i++)
		if (r->lens[i] == (size_t)(q - v) && memcmp(r->ids[i], v, r->lens[i]) == 0)
			return;
	if (r->n == MAX_IDS) {
		r->bad = 1;
		return;
	}
	r->ids[r->n] = v;
	r->lens[r->n] = (size_t)(q - v);
	r->n++;
}

/* ---------------------------------------------------------------- jobs */

enum job_kind { J_SCAN, J_DECODE };
enum { JS_FREE, JS_QUEUED, JS_DONE };

/* What step 1 found on one line. */
struct lrec {
	uint64_t	 off;           /* in the file, after leading blanks */
	uint32_t	 len;
	uint32_t	 line;          /* 0-based line in the job */
	uint8_t		 kind;          /* R_* */
	uint16_t	 nattr;
	uint32_t	 attr;          /* first attribution in the job's list */
	const char	*msg;           /* a problem with the line */
	unsigned long	 bad;
};

enum { R_RAW, R_DECODED, R_SPECIAL, R_BAD, R_NONE };

/* A trace a line belongs to, with what the line says of it. */
struct attr {
	const char	*id;            /* in the mapping (raw) or the job's arena */
	size_t		 idlen;
	uint64_t	 hash;
	uint32_t	 lits;
	int		 uncertain;
	int		 times;         /* known (decoded lines) */
	double		 min_start, max_end;
};

/* What step 2 hands back, in line order. */
struct dev {
	int		 type;          /* D_DOC, D_ERROR, D_REDO */
	const struct segment *doc;
	uint32_t	 line;          /* index into sel.lines */
	const char	*msg;
	unsigned long	 bad;
};

enum { D_DOC, D_ERROR, D_REDO };

struct job {
	enum job_kind	 kind;
	int		 state;
	struct arena	*arena;
	unsigned	 json_opts;
	/* J_SCAN: bytes [start, end) of a file, whole lines */
	int		 file;
	uint64_t	 start, end;
	uint64_t	 nlines;        /* newlines in the range */
	struct lrec	*recs;
	size_t		 nrecs, caprecs;
	struct attr	*attrs;
	size_t		 nattrs, capattrs;
	/* J_DECODE: line indices */
	uint32_t	*todo;
	size_t		 ntodo, captodo;
	struct dev	*devs;
	size_t		 ndevs, capdevs;
};

struct pool {
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;
	pthread_cond_t	 done;
	struct job	*jobs;
	size_t		 njobs;
	size_t		 queued;        /* monotonic */
	size_t		 next;          /* next job for a worker */
	size_t		 consumed;      /* jobs merged by the calling thread */
	int		 stop;
	pthread_t	 th[MAX_WORKERS];
	int		 nth;
	struct sel	*sl;
};

static void *
grow(void *v, size_t n, size_t *cap, size_t size, size_t first)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : first;
	return xreallocarray(v, *cap, size);
}

static struct lrec *
rec_add(struct job *j)
{
	j->recs = grow(j->recs, j->nrecs, &j->caprecs, sizeof *j->recs, 4096);
	memset(&j->recs[j->nrecs], 0, sizeof j->recs[0]);
	return &j->recs[j->nrecs++];
}

static struct attr *
attr_add(struct job *j)
{
	j->attrs = grow(j->attrs, j->nattrs, &j->capattrs, sizeof *j->attrs, 4096);
	memset(&j->attrs[j->nattrs], 0, sizeof j->attrs[0]);
	return &j->attrs[j->nattrs++];
}

static struct dev *
dev_add(struct job *j)
{
	j->devs = grow(j->devs, j->ndevs, &j->capdevs, sizeof *j->devs, 1024);
	memset(&j->devs[j->ndevs], 0, sizeof j->devs[0]);
	return &j->devs[j->ndevs++];
}

/* Step 1's sink for decoded lines: one attribution per document, with its
 * literals from its own text and its exact times. */
struct early {
	struct job	*job;
	const struct prefilter *pf;
	int		 special;
};

static void
early_document(void *ctx, const struct segment *doc)
{
	struct early *e = ctx;
	struct attr *a;

	if (doc->trace_id == NULL)
		return;
	a = attr_add(e->job);
	a->id = doc->trace_id;
	a->idlen = strlen(doc->trace_id);
	a->hash = hash_bytes(a->id, a->idlen);
	if (doc->raw != NULL)
		a->lits = prefilter_scan(e->pf, doc->raw, doc->raw_len, &a->uncertain);
	else
		a->uncertain = 1;
	a->times = 1;
	a->min_start = doc->start_time;
	a->max_end = (doc->flags & SEG_IN_PROGRESS) ? doc->start_time : doc->end_time;
}

static void
early_summary(void *ctx, const struct trace_summary *s)
{
	((struct early *)ctx)->special = 1;
}

static void
early_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	((struct early *)ctx)->special = 1;
}

static void
problem_text(char *buf, size_t len, enum json_kind kind, const struct json_result *res)
{
	if (kind == JSON_KIND_INVALID || kind == JSON_KIND_SEGMENT)
		snprintf(buf, len, "column %zu: %s", res->offset + 1,
		    res->error[0] ? res->error : "not a segment document or an X-Ray API response");
	else
		snprintf(buf, len, "%lu bad document%s: %s", res->bad, res->bad == 1 ? "" : "s",
		    res->error);
}

/* Step 1 on one line. */
static void
scan_line(struct sel *sl, struct job *j, const char *base, const char *p, size_t len,
    uint32_t lineno)
{
	const char *end = p + len;
	struct lrec *r = rec_add(j);
	struct rawids ri;
	int i, esc;
	uint32_t lits;

	r->off = (uint64_t)(p - base);
	r->len = (uint32_t)len;
	r->line = lineno;
	r->attr = (uint32_t)j->nattrs;
	memset(&ri, 0, sizeof ri);
	ri.text = p;
	ri.len = len;
	ri.k_start = sl->k_start;
	ri.k_end = sl->k_end;
	lits = pf_matcher_scan(sl->m, p, len, sl->k_start != 0 ? 1 | 1u << sl->k_start |
	    1u << sl->k_end : 1, rawid_at, &ri, &esc);
	lits = (lits >> 1) & (((uint32_t)1 << prefilter_nliterals(sl->pf)) - 1);
	if (!esc && !ri.bad && ri.n > 0 && is_segment_line(p, end)) {
		r->kind = R_RAW;
		for (i = 0; i < ri.n; i++) {
			struct attr *a = attr_add(j);

			a->id = arena_strndup(j->arena, ri.ids[i], ri.lens[i]);
			a->idlen = ri.lens[i];
			a->hash = hash_bytes(ri.ids[i], ri.lens[i]);
			a->lits = lits;
			a->times = 1;
			a->min_start = ri.fs ? ri.min_start : INFINITY;
			a->max_end = ri.fe ? ri.max_end : -INFINITY;
		}
		r->nattr = (uint16_t)ri.n;
		return;
	}
	/* Anything else is decoded now, to learn its traces exactly. */
	{
		struct early e = { j, sl->pf, 0 };
		struct sink sink = { &e, early_document, early_summary, early_graph };
		struct json_result res;
		enum json_kind kind;
		size_t keep = j->nattrs, nattr;
		char tmp[400];

		memset(&res, 0, sizeof res);
		kind = json_decode(p, len, j->arena, j->json_opts | JSON_KEEP_RAW, &sink, &res);
		if (e.special) {
			j->nattrs = keep;
			r->kind = R_SPECIAL;
			return;
		}
		nattr = j->nattrs - keep;
		if (nattr > UINT16_MAX)
			nattr = UINT16_MAX;
		j->nattrs = keep + nattr;
		r->nattr = (uint16_t)nattr;
		r->kind = nattr > 0 ? R_DECODED : R_NONE;
		if (kind == JSON_KIND_INVALID || res.bad > 0) {
			problem_text(tmp, sizeof tmp, kind, &res);
			r->msg = arena_strdup(j->arena, tmp);
			r->bad = res.bad > 0 ? res.bad : 1;
			if (nattr == 0)
				r->kind = R_BAD;
		}
	}
}

/* Step 1 on a range of whole lines. */
static void
job_scan(struct sel *sl, struct job *j)
{
	const char *base = sl->files[j->file].map;
	const char *p = base + j->start, *end = base + j->end, *nl;
	uint32_t line = 0;

	j->nrecs = j->nattrs = 0;
	if (j->start == 0 && j->end >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;         /* a byte order mark */
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
		if (len > 0)
			scan_line(sl, j, base, p, len, line);
		if (nl == end)
			break;
	}
	j->nlines = line;       /* the newlines passed */
	release(sl, j->file, j->start, j->end);
}

static void
release_lines(struct sel *sl, const struct job *j)
{
	const struct line *a, *b;

	if (j->ntodo == 0)
		return;
	a = &sl->lines[j->todo[0]];
	b = &sl->lines[j->todo[j->ntodo - 1]];
	if (a->file == b->file)
		release(sl, a->file, a->off, b->off + b->len);
}

static const char *
line_text(const struct sel *sl, uint32_t li)
{
	return sl->files[sl->lines[li].file].map + sl->lines[li].off;
}

/* Step 2's sink: documents of candidate traces only. */
struct late {
	struct sel	*sl;
	struct job	*job;
	uint32_t	 line;
	int		 redo;
};

static void
late_document(void *ctx, const struct segment *doc)
{
	struct late *l = ctx;
	size_t n;
	uint32_t k;
	struct dev *d;

	if (doc->trace_id == NULL)
		return;
	n = strlen(doc->trace_id);
	k = strace_find(l->sl, doc->trace_id, n, hash_bytes(doc->trace_id, n));
	if (k == NONE || !l->sl->tr[k].cand)
		return;
	d = dev_add(l->job);
	d->type = D_DOC;
	d->doc = doc;
	d->line = l->line;
}

static void
late_summary(void *ctx, const struct trace_summary *s)
{
	((struct late *)ctx)->redo = 1;
}

static void
late_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	((struct late *)ctx)->redo = 1;
}

static void
job_decode(struct sel *sl, struct job *j)
{
	size_t i;

	j->ndevs = 0;
	for (i = 0; i < j->ntodo; i++) {
		uint32_t li = j->todo[i];
		struct late l = { sl, j, li, 0 };
		struct sink sink = { &l, late_document, late_summary, late_graph };
		struct json_result res;
		enum json_kind kind;
		size_t keep = j->ndevs;
		char tmp[400];
		struct dev *d;

		memset(&res, 0, sizeof res);
		kind = json_decode(line_text(sl, li), sl->lines[li].len, j->arena, j->json_opts, &sink,
		    &res);
		if (l.redo) {
			j->ndevs = keep;
			d = dev_add(j);
			d->type = D_REDO;
			d->line = li;
			continue;
		}
		if (kind == JSON_KIND_INVALID || res.bad > 0) {
			problem_text(tmp, sizeof tmp, kind, &res);
			d = dev_add(j);
			d->type = D_ERROR;
			d->line = li;
			d->msg = arena_strdup(j->arena, tmp);
			d->bad = res.bad > 0 ? res.bad : 1;
		}
	}
}

static void
job_run(struct sel *sl, struct job *j)
{
	switch (j->kind) {
	case J_SCAN:
		job_scan(sl, j);
		break;
	case J_DECODE:
		job_decode(sl, j);
		break;
	}
}

static void *
worker_main(void *arg)
{
	struct pool *pl = arg;
	struct job *j;

	pthread_mutex_lock(&pl->lock);
	for (;;) {
		while (!pl->stop && pl->next == pl->queued)
			pthread_cond_wait(&pl->work, &pl->lock);
		if (pl->next == pl->queued && pl->stop)
			break;
		j = &pl->jobs[pl->next % pl->njobs];
		pl->next++;
		pthread_mutex_unlock(&pl->lock);
		job_run(pl->sl, j);
		pthread_mutex_lock(&pl->lock);
		j->state = JS_DONE;
		pthread_cond_broadcast(&pl->done);
	}
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

static void
pool_start(struct pool *pl, struct sel *sl, int nthreads)
{
	size_t i;
	int t;

	memset(pl, 0, sizeof *pl);
	pthread_mutex_init(&pl->lock, NULL);
	pthread_cond_init(&pl->work, NULL);
	pthread_cond_init(&pl->done, NULL);
	pl->sl = sl;
	pl->njobs = nthreads > 0 ? (size_t)nthreads * 2 : 1;
	pl->jobs = xcalloc(pl->njobs, sizeof *pl->jobs);
	for (i = 0; i < pl->njobs; i++)
		pl->jobs[i].arena = arena_new(1024 * 1024);
	for (t = 0; t < nthreads; t++)
		if (pthread_create(&pl->th[t], NULL, worker_main, pl) != 0)
			break;
	pl->nth = t;
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
	for (t = 0; t < pl->nth; t++)
		pthread_join(pl->th[t], NULL);
	for (i = 0; i < pl->njobs; i++) {
		struct job *j = &pl->jobs[i];

		free(j->recs);
		free(j->attrs);
		free(j->todo);
		free(j->devs);
		arena_free(j->arena);
	}
	free(pl->jobs);
	pthread_cond_destroy(&pl->work);
	pthread_cond_destroy(&pl->done);
	pthread_mutex_destroy(&pl->lock);
}

/* Merge the oldest job once it is done. */
static void
pool_consume_one(struct pool *pl, void (*consume)(struct pool *, struct job *))
{
	struct job *j = &pl->jobs[pl->consumed % pl->njobs];

	while (j->state != JS_DONE)
		pthread_cond_wait(&pl->done, &pl->lock);
	pthread_mutex_unlock(&pl->lock);
	consume(pl, j);
	pthread_mutex_lock(&pl->lock);
	j->state = JS_FREE;
	pl->consumed++;
}

/* A free job slot, after merging finished jobs while every slot is busy. */
static struct job *
pool_slot(struct pool *pl, void (*consume)(struct pool *, struct job *))
{
	struct job *j;

	if (pl->nth == 0)
		return &pl->jobs[0];
	pthread_mutex_lock(&pl->lock);
	while (pl->queued - pl->consumed >= pl->njobs)
		pool_consume_one(pl, consume);
	j = &pl->jobs[pl->queued % pl->njobs];
	pthread_mutex_unlock(&pl->lock);
	return j;
}

/* Queue the job pool_slot gave (without workers: run and merge it here). */
static void
pool_submit(struct pool *pl, struct job *j, void (*consume)(struct pool *, struct job *))
{
	if (pl->nth == 0) {
		job_run(pl->sl, j);
		consume(pl, j);
		return;
	}
	pthread_mutex_lock(&pl->lock);
	j->state = JS_QUEUED;
	pl->queued++;
	pthread_cond_signal(&pl->work);
	pthread_mutex_unlock(&pl->lock);
}

/* Merge every job still queued. */
static void
pool_drain(struct pool *pl, void (*consume)(struct pool *, struct job *))
{
	if (pl->nth == 0)
		return;
	pthread_mutex_lock(&pl->lock);
	while (pl->consumed < pl->queued)
		pool_consume_one(pl, consume);
	pthread_mutex_unlock(&pl->lock);
}

/* ---------------------------------------------------------------- step 1 */

static void
consume_scan(struct pool *pl, struct job *j)
{
	struct sel *sl = pl->sl;
	const char *path = sl->files[j->file].path;
	size_t i, k;

	for (i = 0; i < j->nrecs && !sl->failed; i++) {
		const struct lrec *r = &j->recs[i];
		struct line *ln;
		uint32_t li;

		sl->stats->lines++;
		if (r->kind != R_RAW)
			sl->stats->decoded_early++;
		if (r->msg != NULL) {
			sl->rs->bad += r->bad;
			report(sl, "%s:%llu: %s", path, (unsigned long long)(sl->next_line + r->line), r->msg);
		}
		if (r->kind == R_BAD || r->kind == R_NONE)
			continue;
		if (sl->nlines >= NONE - 1) {
			report(sl, "%s: more lines than the prefilter can index", path);
			sl->failed = 1;
			break;
		}
		sl->lines = grow(sl->lines, sl->nlines, &sl->caplines, sizeof *sl->lines, 65536);
		li = (uint32_t)sl->nlines++;
		ln = &sl->lines[li];
		ln->off = r->off;
		ln->len = r->len;
		ln->lineno = sl->next_line + r->line;
		ln->file = (uint16_t)j->file;
		ln->flags = r->kind == R_SPECIAL ? L_SPECIAL : 0;
		for (k = 0; k < r->nattr; k++) {
			const struct attr *a = &j->attrs[r->attr + k];
			struct strace *t = strace_get(sl, a->id, a->idlen, a->hash);

			t->pf.lits |= a->lits;
			if (a->uncertain)
				t->pf.uncertain = 1;
			if (a->times)
				pf_trace_add_times(&t->pf, a->min_start, a->max_end);
			else
				t->pf.times = 0;
			strace_link(sl, t, li);
		}
	}
	sl->next_line += j->nlines;
	arena_reset(j->arena);
}

static void
step1_file(struct sel *sl, struct pool *pl, int file)
{
	const struct sfile *f = &sl->files[file];
	uint64_t pos = 0;
	struct job *j;

	sl->next_line = 1;
	while (pos < f->size && !sl->failed) {
		uint64_t end = pos + SCAN_BYTES;
		const char *nl;

		if (end >= f->size)
			end = f->size;
		else if ((nl = memchr(f->map + end, '\n', f->size - end)) != NULL)
			end = (uint64_t)(nl - f->map) + 1;
		else
			end = f->size;
		j = pool_slot(pl, consume_scan);
		j->kind = J_SCAN;
		j->json_opts = sl->o->json_opts;
		j->file = file;
		j->start = pos;
		j->end = end;
		pool_submit(pl, j, consume_scan);
		pos = end;
	}
	pool_drain(pl, consume_scan);
}

/* ---------------------------------------------------------------- step 2 */

static void
consume_decode(struct pool *pl, struct job *j)
{
	struct sel *sl = pl->sl;
	size_t i;

	for (i = 0; i < j->ndevs; i++) {
		const struct dev *d = &j->devs[i];
		const struct line *ln = &sl->lines[d->line];
		const char *path = sl->files[ln->file].path;
		struct json_result res;

		switch (d->type) {
		case D_DOC:
			sl->rs->documents++;
			store_add(sl->store, d->doc);
			break;
		case D_ERROR:
			sl->rs->bad += d->bad;
			report(sl, "%s:%llu: %s", path, (unsigned long long)ln->lineno, d->msg);
			break;
		case D_REDO:
			memset(&res, 0, sizeof res);
			json_decode(line_text(sl, d->line), ln->len, j->arena, j->json_opts, sl->other, &res);
			sl->rs->documents += res.documents;
			sl->rs->summaries += res.summaries;
			sl->rs->services += res.services;
			if (res.bad > 0) {
				sl->rs->bad += res.bad;
				report(sl, "%s:%llu: %lu bad entr%s: %s", path, (unsigned long long)ln->lineno,
				    res.bad, res.bad == 1 ? "y" : "ies", res.error);
			}
			break;
		}
	}
	arena_reset(j->arena);
	release_lines(sl, j);
}

/* Run kind over every line flagged L_NEEDED, in file order, in batches. */
static void
step_lines(struct sel *sl, struct pool *pl, enum job_kind kind,
    void (*consume)(struct pool *, struct job *))
{
	size_t li, bytes = 0;
	struct job *j = NULL;

	for (li = 0; li < sl->nlines; li++) {
		if (!(sl->lines[li].flags & L_NEEDED))
			continue;
		if (j == NULL) {
			j = pool_slot(pl, consume);
			j->kind = kind;
			j->json_opts = sl->o->json_opts;
			j->ntodo = 0;
			bytes = 0;
		}
		j->todo = grow(j->todo, j->ntodo, &j->captodo, sizeof *j->todo, 1024);
		j->todo[j->ntodo++] = (uint32_t)li;
		bytes += sl->lines[li].len;
		if (bytes >= BATCH_BYTES) {
			pool_submit(pl, j, consume);
			j = NULL;
		}
	}
	if (j != NULL)
		pool_submit(pl, j, consume);
	pool_drain(pl, consume);
}

/* ---------------------------------------------------------------- the whole */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the process so far, every thread. */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The full read: every document into the store. */
struct full {
	struct store	*st;
	const struct sink *other;
};

static void
full_document(void *ctx, const struct segment *doc)
{
	store_add(((struct full *)ctx)->st, doc);
}

static void
full_summary(void *ctx, const struct trace_summary *s)
{
	const struct sink *o = ((struct full *)ctx)->other;

	if (o != NULL && o->summary != NULL)
		o->summary(o->ctx, s);
}

static void
full_graph(void *ctx, const struct graph_service *svcs, size_t n)
{
	const struct sink *o = ((struct full *)ctx)->other;

	if (o != NULL && o->graph != NULL)
		o->graph(o->ctx, svcs, n);
}

static int
read_full(const char *const *paths, size_t npaths, const struct select_opts *o,
    struct store *st, const struct sink *other, struct select_stats *stats)
{
	struct full fc = { st, other };
	struct sink sink = { &fc, full_document, full_summary, full_graph };
	struct source_file_opts fo;

	memset(&fo, 0, sizeof fo);
	fo.json_opts = o->json_opts;
	fo.threads = o->threads;
	fo.report = o->report;
	fo.report_ctx = o->report_ctx;
	return source_file_read(paths, npaths, &fo, &sink, &stats->read);
}

/* Map a regular file whose first line is a JSON value of its own (what
 * source-file.c reads as JSON Lines); 0, or -1 when the shortcut cannot
 * read it. */
static int
map_lines_file(struct sfile *f)
{
	static const struct sink none;
	struct json_result res;
	struct stat sb;
	struct arena *a;
	const char *p, *end, *nl;
	enum json_kind kind;
	void *m;

	if ((f->fd = open(f->path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(f->fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0)
		return -1;
	f->size = (size_t)sb.st_size;
	m = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, f->fd, 0);
	if (m == MAP_FAILED)
		return -1;
	f->map = m;
	madvise(m, f->size, MADV_SEQUENTIAL);
	p = f->map;
	end = f->map + f->size;
	if (f->size >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	p = skip_ws(p, end);
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		return -1;      /* one line in all: the whole-value reader */
	a = arena_new(0);
	memset(&res, 0, sizeof res);
	kind = json_decode(p, (size_t)(nl - p), a, 0, &none, &res);
	arena_free(a);
	return kind != JSON_KIND_INVALID ? 0 : -1;
}

static void
unmap_files(struct sfile *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (files[i].map != NULL)
			munmap((void *)(uintptr_t)files[i].map, files[i].size);
		if (files[i].fd >= 0)
			close(files[i].fd);
	}
	free(files);
}

/* Step 2: decode the candidates' lines, and summary pages, in order. */
static void
step2(struct sel *sl, struct pool *pl)
{
	size_t i;
	uint32_t k;

	for (i = 0; i < sl->ntr; i++) {
		struct strace *t = &sl->tr[i];

		if (!prefilter_possible(sl->pf, &t->pf, 1))
			continue;
		t->cand = 1;
		sl->stats->candidates++;
		for (k = t->head; k != NONE; k = sl->links[k].next)
			sl->lines[sl->links[k].line].flags |= L_NEEDED;
	}
	for (i = 0; i < sl->nlines; i++) {
		if (sl->lines[i].flags & L_SPECIAL)
			sl->lines[i].flags |= L_NEEDED;
		if (sl->lines[i].flags & L_NEEDED)
			sl->stats->decoded++;
	}
	step_lines(sl, pl, J_DECODE, consume_decode);
}

int
select_read(const char *const *paths, size_t npaths, const struct filter *f,
    const struct select_opts *o, struct store *st, const struct sink *other,
    struct select_stats *stats)
{
	struct prefilter *pf = NULL;
	struct sel sl;
	struct pool pl;
	size_t i;
	int threads, ok = 1;
	double t0 = now(), c0 = cpu_now();

	memset(stats, 0, sizeof *stats);
	if (o->prefilter && f != NULL)
		pf = prefilter_new(f);
	if (pf == NULL)
		return read_full(paths, npaths, o, st, other, stats);

	memset(&sl, 0, sizeof sl);
	sl.o = o;
	sl.pf = pf;
	sl.rs = &stats->read;
	sl.stats = stats;
	sl.store = st;
	sl.other = other;
	sl.pagesize = (size_t)sysconf(_SC_PAGESIZE);
	sl.files = xcalloc(npaths + 1, sizeof *sl.files);
	for (i = 0; i < npaths; i++) {
		sl.files[i].path = paths[i];
		sl.files[i].fd = -1;
	}
	for (i = 0; i < npaths && ok; i++)
		if (strcmp(paths[i], "-") == 0 || i >= UINT16_MAX || map_lines_file(&sl.files[i]) != 0)
			ok = 0;
	if (!ok) {
		unmap_files(sl.files, npaths);
		prefilter_free(pf);
		return read_full(paths, npaths, o, st, other, stats);
	}
	stats->prefiltered = 1;
	sl.ids = arena_new(0);
	{
		const char *needles[PF_MAX_LITERALS + 3];
		size_t lens[PF_MAX_LITERALS + 3], n = prefilter_nliterals(pf);

		needles[0] = "\"trace_id\"";
		lens[0] = 10;
		for (i = 0; i < n; i++)
			needles[i + 1] = prefilter_literal(pf, i, &lens[i + 1]);
		n++;
		if (prefilter_uses_times(pf)) {
			sl.k_start = n;
			needles[n] = "\"start_time\"";
			lens[n++] = 12;
			sl.k_end = n;
			needles[n] = "\"end_time\"";
			lens[n++] = 10;
		}
		sl.m = pf_matcher_new(needles, lens, n);
	}
	threads = o->threads;
	if (threads < 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n > 1 ? (int)n : 0;
	}
	if (threads > MAX_WORKERS)
		threads = MAX_WORKERS;
	pool_start(&pl, &sl, threads);

	for (i = 0; i < npaths && !sl.failed; i++) {
		stats->read.files++;
		stats->read.bytes += sl.files[i].size;
		step1_file(&sl, &pl, (int)i);
	}
	stats->traces = sl.ntr;
	stats->seconds[0] = now() - t0;
	stats->cpu[0] = cpu_now() - c0;
	t0 = now();
	c0 = cpu_now();
	if (!sl.failed)
		step2(&sl, &pl);
	stats->seconds[1] = now() - t0;
	stats->cpu[1] = cpu_now() - c0;

	if (o->report == NULL && sl.reports > MAX_REPORTS)
		fprintf(stderr, "xraytop: %lu more problems not shown\n", sl.reports - MAX_REPORTS);
	pool_stop(&pl);
	unmap_files(sl.files, npaths);
	free(sl.lines);
	free(sl.links);
	free(sl.tr);
	free(sl.index);
	arena_free(sl.ids);
	pf_matcher_free(sl.m);
	prefilter_free(pf);
	return sl.failed ? -1 : 0;
}

/* ---------------------------------------------------------------- map */

struct detached {
	const struct segment **v;
	size_t		 n, cap;
};

/* A copy of s's tree without its independent subsegments (collected in d). */
static struct segment *
detach(const struct segment *s, struct segment *parent, struct arena *a, struct detached *d)
{
	struct segment *c = arena_alloc(a, sizeof *c);
	const struct segment *k;

	*c = *s;
	c->parent = parent;
	c->children = c->last_child = c->next = NULL;
	c->nchildren = 0;
	for (k = s->children; k != NULL; k = k->next) {
		if (k->flags & SEG_INDEPENDENT) {
			d->v = grow(d->v, d->n, &d->cap, sizeof *d->v, 8);
			d->v[d->n++] = k;
			continue;
		}
		segment_append_child(c, detach(k, c, a, d));
	}
	return c;
}

void
select_feed_map(struct svcmap *m, const struct trace *t, struct arena *scratch)
{
	struct detached d = { NULL, 0, 0 };
	size_t i;

	for (i = 0; i < t->nsegments; i++)
		svcmap_add(m, detach(t->segments[i], NULL, scratch, &d));
	for (i = 0; i < t->npending; i++)
		svcmap_add(m, detach(t->pending[i], NULL, scratch, &d));
	for (i = 0; i < d.n; i++)
		svcmap_add(m, detach(d.v[i], NULL, scratch, &d));
	free(d.v);
	arena_reset(scratch);
}

/* arena.c - bump allocator in chained chunks. */
#include "config.h"

#include "xraytop/arena.h"
#include "xraytop/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_CHUNK (64 * 1024)

struct chunk {
	struct chunk	*next;
	size_t		 size;   /* usable bytes in data */
	size_t		 used;
	/* data follows, aligned */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
	struct chunk	*head;   /* current chunk; older ones follow */
	size_t		 chunk_size;
	size_t		 used;
};

static struct chunk *
chunk_new(size_t size)
{
	struct chunk *c = xmalloc(sizeof *c + size);

	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *
arena_new(size_t chunk_size)
{
	struct arena *a = xcalloc(1, sizeof *a);

	a->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
	return a;
}

void
arena_free(struct arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

/* Keep only the most recently added standard-size chunk. */
void
arena_reset(struct arena *a)
{
	struct chunk *c, *next, *keep = NULL;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		if (keep == NULL && c->size == a->chunk_size)
			keep = c;
		else
			free(c);
	}
	if (keep != NULL) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
	a->used = 0;
}

/* Take size bytes aligned to align (a power of two up to ARENA_ALIGN). */
static void *
arena_take(struct arena *a, size_t size, size_t align)
{
	struct chunk *c = a->head;
	size_t start, need;
	void *p;

	if (size > SIZE_MAX - ARENA_ALIGN)
		fatal("arena allocation overflow");
	if (size == 0)
		size = 1;
	if (c != NULL) {
		start = (c->used + align - 1) & ~(align - 1);
		if (start <= c->size && c->size - start >= size) {
			p = c->data + start;
			a->used += size + (start - c->used);
			c->used = start + size;
			return p;
		}
	}
	need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need > a->chunk_size / 4) {
		/* A big block gets a chunk of its own, behind the current one. */
		struct chunk *big = chunk_new(need);

		big->used = need;
		if (c != NULL) {
			big->next = c->next;
			c->next = big;
		} else
			a->head = big;
		a->used += need;
		return big->data;
	}
	c = chunk_new(a->chunk_size);
	c->next = a->head;
	a->head = c;
	c->used = size;
	a->used += size;
	return c->data;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	return arena_take(a, size, ARENA_ALIGN);
}

void *
arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		fatal("arena allocation overflow");
	p = arena_alloc(a, nmemb * size);
	memset(p, 0, nmemb * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = arena_take(a, n + 1, 1);   /* strings need no alignment */
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}

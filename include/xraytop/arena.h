/* arena.h - bump allocator for data that lives and dies together.
 *
 * A trace's segments, strings and arrays live in one arena and are freed with
 * it in one call; decoders use a scratch arena that is reset per document or
 * per chunk.  Allocations are 16-byte aligned and never freed one by one.
 * An arena is not thread-safe: each thread uses its own.
 */
#ifndef XRAYTOP_ARENA_H
#define XRAYTOP_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(size_t chunk_size);  /* 0 picks a default (64 KiB) */
void arena_free(struct arena *a);           /* NULL is fine */
/* Forget every allocation but keep the first chunk for reuse. */
void arena_reset(struct arena *a);
void *arena_alloc(struct arena *a, size_t size);          /* uninitialised */
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);
char *arena_strdup(struct arena *a, const char *s);       /* NULL -> NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Bytes handed out since creation or the last reset (for memory accounting). */
size_t arena_used(const struct arena *a);

#endif

/* xmalloc.h - allocation wrappers that abort on out-of-memory, and fatal errors.
 *
 * Every allocation in xraytop that is not from an arena goes through these.
 * On failure they print one line and exit(2); callers never check for NULL.
 */
#ifndef XRAYTOP_XMALLOC_H
#define XRAYTOP_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array of nmemb elements of size bytes each, checking overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "xraytop: MESSAGE" to stderr and exit with status 2.  The terminal
 * is restored first through the hook set with fatal_set_hook(). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatal_set_hook(void (*hook)(void));

#endif

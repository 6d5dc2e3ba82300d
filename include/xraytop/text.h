/* text.h - making data safe and short enough for a terminal or a table.
 *
 * Every string that came from data goes through text_sanitize before it is
 * printed to a terminal: C0 and C1 controls, DEL, ESC sequences' lead
 * bytes, Unicode bidi controls (overrides, embeddings, isolates, marks),
 * invisible characters (zero-width spaces and joiners, BOM, tags) and
 * invalid UTF-8 are each replaced by one '?' (so "\x1b]0;x\x07" prints as
 * "?]0;x?").  JSON keeps such characters, as \u escapes (text_json_write);
 * and standard error is sanitized as a whole (text_guard_stderr).
 */
#ifndef XRAYTOP_TEXT_H
#define XRAYTOP_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Copy s into out (size outlen, always NUL-terminated when outlen > 0) with
 * every unsafe character replaced; NULL s gives "".  Returns out. */
char *text_sanitize(const char *s, char *out, size_t outlen);
/* Display columns of a sanitized UTF-8 string. */
size_t text_width(const char *s);
/* Write s sanitized, padded or cut (with "…" or "~" in ASCII mode) to exactly
 * width columns; left-aligned unless right is set. */
void text_fit(FILE *out, const char *s, size_t width, int right);
/* "87ms", "1.25s", "2m03s", "512µs"; "-" for a negative value. */
char *text_duration(double seconds, char *out, size_t outlen);
/* "2026-11-24 14:03:07.123" in UTC (utc set) or local time. */
char *text_time(double epoch, int utc, char *out, size_t outlen);
/* Length (1-4) of the valid, shortest-form UTF-8 sequence at s, with its
 * code point in *cp; 0 when s is at its NUL or at an invalid byte. */
size_t text_utf8_next(const char *s, uint32_t *cp);
/* Nonzero for a character text_sanitize replaces. */
int text_unsafe(uint32_t c);
/* Write JSON text (a whole value, or a document as it was received) so
 * that it is still the same JSON but no terminal acts on it and it is
 * valid UTF-8: inside strings each character text_sanitize would replace
 * is written as a \u escape (a surrogate pair past U+FFFF) and each
 * invalid UTF-8 byte as \ufffd; outside strings each newline is written as
 * nl ("\n", "\n\t" to indent, " " to keep a document on one line), a tab
 * stays, and any other control or non-ASCII byte (not JSON there) becomes
 * a blank. */
void text_json_write(FILE *out, const char *s, size_t len, const char *nl);
/* From now on, everything written to stderr (by xraytop or a library) is
 * sanitized as text_sanitize does, but newlines and tabs stay: file names,
 * arguments, API answers and messages quoting data cannot reach the
 * terminal as controls.  Returns the unfiltered stream to descriptor 2, for
 * the program's own sequences (a progress line's "\r\033[K"); later calls
 * return the same.  (glibc's fopencookie; elsewhere a no-op returning
 * stderr.) */
FILE *text_guard_stderr(void);
/* The unfiltered stream of text_guard_stderr; stderr before it. */
FILE *text_raw_stderr(void);
/* The filter behind text_guard_stderr, for tests: writes to out (at least
 * len + 4 bytes) what len bytes of in become, and returns its length.  A
 * UTF-8 sequence cut at the end of in is kept in carry (*carried bytes) to
 * be completed by the next call. */
size_t text_filter_stream(const char *in, size_t len, char *out, size_t *carried, char carry[4]);
/* Use ASCII replacements for "…" and other non-ASCII glyphs. */
void text_set_ascii(int ascii);
int text_ascii(void);

#endif

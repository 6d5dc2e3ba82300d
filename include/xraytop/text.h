/* text.h - making data safe and short enough for a terminal or a table.
 *
 * Every string that came from data goes through text_sanitize before it is
 * printed to a terminal: C0 and C1 controls, DEL, ESC sequences' lead
 * bytes, Unicode bidi overrides and invalid UTF-8 are each replaced by one
 * '?' (so "\x1b]0;x\x07" prints as "?]0;x?").
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
/* Use ASCII replacements for "…" and other non-ASCII glyphs. */
void text_set_ascii(int ascii);
int text_ascii(void);

#endif

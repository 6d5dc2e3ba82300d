/* text.c - making data safe and short enough for a terminal or a table. */
#include "config.h"

#include "xraytop/text.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "xraytop/xmalloc.h"

static int ascii_mode;

void
text_set_ascii(int ascii)
{
	ascii_mode = ascii != 0;
}

int
text_ascii(void)
{
	return ascii_mode;
}

/* Decode one UTF-8 sequence at s: its length (1-4) with the code point in
 * *cp, or 0 when the bytes at s are not a valid, shortest-form sequence of a
 * Unicode scalar value (or s is at its NUL). */
size_t
text_utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t len, i;

	if (u[0] == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		c = u[0] & 0x1f;
		len = 2;
		min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		c = u[0] & 0x0f;
		len = 3;
		min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		c = u[0] & 0x07;
		len = 4;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that a terminal would act on rather than show. */
static int
unsafe(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* Invalid bytes are replaced one '?' each; a valid but unsafe character
 * (however many bytes) by one '?'.  A character that does not fit whole is
 * left out, so the output is always valid UTF-8. */
char *
text_sanitize(const char *s, char *out, size_t outlen)
{
	size_t o = 0, len;
	uint32_t c;

	if (outlen == 0)
		return out;
	if (s == NULL) {
		out[0] = '\0';
		return out;
	}
	while (*s != '\0') {
		len = text_utf8_next(s, &c);
		if (len == 0 || unsafe(c)) {
			if (o + 1 >= outlen)
				break;
			out[o++] = '?';
			s += len == 0 ? 1 : len;
			continue;
		}
		if (o + len >= outlen)
			break;
		memcpy(out + o, s, len);
		o += len;
		s += len;
	}
	out[o] = '\0';
	return out;
}

/* Columns of one character of a sanitized string (bytes in a C locale). */
static size_t
char_width(uint32_t c, size_t len)
{
	int w;

	if (MB_CUR_MAX == 1)
		return len;
	w = wcwidth((wchar_t)c);
	return w < 0 ? 1 : (size_t)w;
}

size_t
text_width(const char *s)
{
	size_t w = 0, len;
	uint32_t c;

	if (s == NULL)
		return 0;
	while (*s != '\0') {
		len = text_utf8_next(s, &c);
		if (len == 0) {
			/* Not sanitized after all: it would print as one '?'. */
			w++;
			s++;
			continue;
		}
		w += char_width(c, len);
		s += len;
	}
	return w;
}

static void
pad(FILE *out, size_t n)
{
	while (n-- > 0)
		putc(' ', out);
}

void
text_fit(FILE *out, const char *s, size_t width, int right)
{
	char stack[512], *buf = stack;
	const char *ell = ascii_mode ? "~" : "\u2026";
	size_t n = s != NULL ? strlen(s) + 1 : 1, w, ew, used, len, cw;
	const char *p;
	uint32_t c;

	/* Sanitizing never makes a string longer. */
	if (n > sizeof stack)
		buf = xmalloc(n);
	text_sanitize(s, buf, n);
	w = text_width(buf);
	if (w <= width) {
		if (right)
			pad(out, width - w);
		fputs(buf, out);
		if (!right)
			pad(out, width - w);
		goto done;
	}
	ew = text_width(ell);
	if (ew > width) {
		ell = "";
		ew = 0;
	}
	/* Keep whole characters while they and the ellipsis fit. */
	used = 0;
	for (p = buf; *p != '\0'; p += len) {
		len = text_utf8_next(p, &c);
		cw = char_width(c, len);
		if (used + cw + ew > width)
			break;
		used += cw;
	}
	if (right)
		pad(out, width - used - ew);
	fwrite(buf, 1, (size_t)(p - buf), out);
	fputs(ell, out);
	if (!right)
		pad(out, width - used - ew);
done:
	if (buf != stack)
		free(buf);
}

char *
text_duration(double seconds, char *out, size_t outlen)
{
	long long t;

	if (outlen == 0)
		return out;
	if (!isfinite(seconds) || seconds < 0) {
		snprintf(out, outlen, "-");
		return out;
	}
	if (seconds * 1e6 < 999.5)
		snprintf(out, outlen, "%.0f%s", seconds * 1e6, ascii_mode ? "us" : "\u00b5s");
	else if (seconds * 1e3 < 9.95)
		snprintf(out, outlen, "%.1fms", seconds * 1e3);
	else if (seconds * 1e3 < 999.5)
		snprintf(out, outlen, "%.0fms", seconds * 1e3);
	else if (seconds < 59.995)
		snprintf(out, outlen, "%.2fs", seconds);
	else if (seconds < 3599.5) {
		t = llround(seconds);
		snprintf(out, outlen, "%lldm%02llds", t / 60, t % 60);
	} else if (seconds < 86400.0 * 1e6) {
		t = (long long)(seconds / 60);
		if (t < 24 * 60)
			snprintf(out, outlen, "%lldh%02lldm", t / 60, t % 60);
		else
			snprintf(out, outlen, "%lldd%02lldh", t / (24 * 60), t / 60 % 24);
	} else
		snprintf(out, outlen, "%.0fd", seconds / 86400);
	return out;
}

char *
text_time(double epoch, int utc, char *out, size_t outlen)
{
	long long ms;
	time_t sec;
	struct tm tm;
	char date[32];

	if (outlen == 0)
		return out;
	/* Past year 9999 strftime's output would not be a timestamp any more. */
	if (!isfinite(epoch) || epoch <= 0 || epoch >= 253402300800.0) {
		snprintf(out, outlen, "-");
		return out;
	}
	ms = llround(epoch * 1000);
	sec = (time_t)(ms / 1000);
	if ((utc ? gmtime_r(&sec, &tm) : localtime_r(&sec, &tm)) == NULL ||
	    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		snprintf(out, outlen, "-");
		return out;
	}
	snprintf(out, outlen, "%s.%03lld", date, ms % 1000);
	return out;
}

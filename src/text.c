/* text.c - making data safe and short enough for a terminal or a table. */
#include "config.h"

#include "xraytop/text.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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

/* Characters that a terminal would act on rather than show (C0, DEL, C1),
 * that reorder what follows (bidi embeddings, overrides, isolates and
 * marks), or that show nothing at all (zero-width spaces and joiners, the
 * BOM, invisible operators, line and paragraph separators, interlinear
 * annotations, tag characters): "pay\u200bments" must not pass for
 * "payments", nor "\u202egnp.exe" for "exe.png". */
static int
unsafe(uint32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
		return 1;
	if (c < 0x61c)
		return 0;
	return c == 0x61c || c == 0x180e || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) ||
	    c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) || (c >= 0xe0000 && c <= 0xe007f);
}

int
text_unsafe(uint32_t c)
{
	return unsafe(c);
}

/* unsafe() for a terminal: in a single-byte locale every non-ASCII
 * character too, since a terminal that is not UTF-8 reads the bytes of
 * UTF-8 (0x80-0x9f among them) as C1 controls or other glyphs. */
static int
unsafe_here(uint32_t c)
{
	return unsafe(c) || (c >= 0x80 && MB_CUR_MAX == 1);
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
		if (len == 0 || unsafe_here(c)) {
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

/* One character as JSON \u escapes (a surrogate pair past U+FFFF). */
static void
json_escape_char(FILE *out, uint32_t c)
{
	if (c > 0xffff) {
		c -= 0x10000;
		fprintf(out, "\\u%04x\\u%04x", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
	} else
		fprintf(out, "\\u%04x", c);
}

void
text_json_write(FILE *out, const char *s, size_t len, const char *nl)
{
	const char *end = s + len;
	int in_str = 0;
	size_t n;
	uint32_t c;
	char tmp[5];

	while (s < end) {
		unsigned char b = (unsigned char)*s;

		if (!in_str) {
			if (b == '"')
				in_str = 1;
			if (b == '\n')
				fputs(nl, out);
			else if (b == '\t' || (b >= 0x20 && b < 0x7f))
				putc(b, out);
			else
				putc(' ', out);
			s++;
			continue;
		}
		if (b == '"') {
			in_str = 0;
			putc(b, out);
			s++;
			continue;
		}
		if (b == '\\') {
			/* An escape stays as it is; a backslash before anything
			 * but printable ASCII (not JSON) is written escaped. */
			if (s + 1 < end && s[1] > 0x20 && s[1] < 0x7f) {
				putc('\\', out);
				putc(s[1], out);
				s += 2;
			} else {
				fputs("\\\\", out);
				s++;
			}
			continue;
		}
		/* text_utf8_next reads up to a NUL: never past end. */
		n = (size_t)(end - s) < 4 ? (size_t)(end - s) : 4;
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		if (b == 0) {
			fputs("\\u0000", out);
			s++;
		} else if ((n = text_utf8_next(tmp, &c)) == 0) {
			fputs("\\ufffd", out);
			s++;
		} else {
			if (unsafe(c))
				json_escape_char(out, c);
			else
				fwrite(s, 1, n, out);
			s += n;
		}
	}
}

/* ------------------------------------------------------------ stderr */

static FILE *raw_stderr;

FILE *
text_raw_stderr(void)
{
	return raw_stderr != NULL ? raw_stderr : stderr;
}

/* The filter of text_guard_stderr: what it writes to descriptor 2. */
size_t
text_filter_stream(const char *in, size_t len, char *out, size_t *carried, char carry[4])
{
	char buf[8];
	size_t o = 0, i = 0, n, want, have, k;
	uint32_t c;

	while (*carried > 0 || i < len) {
		/* The next character's bytes: what was carried, then input. */
		have = 0;
		for (k = 0; k < *carried && have < 4; k++)
			buf[have++] = carry[k];
		for (k = i; k < len && have < 4; k++)
			buf[have++] = in[k];
		buf[have] = '\0';
		c = (unsigned char)buf[0];
		want = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 1;
		if (have < want) {
			/* A sequence cut between two writes: keep it for the next. */
			for (k = 1; k < have; k++)
				if (((unsigned char)buf[k] & 0xc0) != 0x80)
					break;
			if (k == have) {
				for (k = *carried; k < have; k++)
					carry[k] = buf[k];
				*carried = have;
				return o;
			}
		}
		if (buf[0] == '\n' || buf[0] == '\t') {
			out[o++] = buf[0];
			n = 1;
		} else if (buf[0] == '\0' || (n = text_utf8_next(buf, &c)) == 0) {
			out[o++] = '?';
			n = 1;
		} else if (unsafe_here(c)) {
			out[o++] = '?';
		} else {
			memcpy(out + o, buf, n);
			o += n;
		}
		/* Consume n bytes: carried ones first. */
		if (n >= *carried) {
			i += n - *carried;
			*carried = 0;
		} else {
			memmove(carry, carry + n, *carried - n);
			*carried -= n;
		}
	}
	return o;
}

#ifdef __GLIBC__
static char guard_carry[4];
static size_t guard_ncarry;

static void
write_all(const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(STDERR_FILENO, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

static ssize_t
guard_write(void *cookie, const char *buf, size_t size)
{
	char out[1024];
	size_t done = 0, chunk, n;

	(void)cookie;
	/* Filtering never makes text longer: 4 bytes in, at most 4 out
	 * (with up to 3 carried). */
	while (done < size) {
		chunk = size - done < sizeof out - 4 ? size - done : sizeof out - 4;
		n = text_filter_stream(buf + done, chunk, out, &guard_ncarry, guard_carry);
		write_all(out, n);
		done += chunk;
	}
	return (ssize_t)size;
}

static int
guard_close(void *cookie)
{
	(void)cookie;
	while (guard_ncarry > 0) {
		write_all("?", 1);
		guard_ncarry--;
	}
	return 0;
}

FILE *
text_guard_stderr(void)
{
	cookie_io_functions_t io = { NULL, guard_write, NULL, guard_close };
	FILE *f;

	if (raw_stderr != NULL)
		return raw_stderr;
	if ((f = fopencookie(NULL, "w", io)) == NULL)
		return stderr;
	setvbuf(f, NULL, _IONBF, 0);
	fflush(stderr);
	raw_stderr = stderr;
	stderr = f;
	return raw_stderr;
}
#else
FILE *
text_guard_stderr(void)
{
	return stderr;
}
#endif

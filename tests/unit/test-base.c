/* test-base.c - the arena, the allocation wrappers and the text helpers:
 * alignment and integrity of many allocations, reset and big blocks; the
 * wrappers' results and their fatal exit; sanitizing (escape sequences, C1,
 * bidi controls, invisible characters, invalid UTF-8), JSON made safe for a
 * terminal, the stderr filter, display widths, fitting to columns,
 * durations and times. */
#include "config.h"

#include "xraytop/arena.h"
#include "xraytop/text.h"
#include "xraytop/xmalloc.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

/* ---------------------------------------------------------------- arena */

struct block {
	unsigned char	*p;
	size_t		 size;
};

static int
aligned(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

static size_t
round16(size_t n)
{
	return n == 0 ? 16 : (n + 15) & ~(size_t)15;
}

/* Many small and a few big blocks, each filled with its own byte, all
 * still intact after the last one: no overlap, no reuse. */
static void
test_arena_many(void)
{
	enum { N = 20000 };
	struct arena *a = arena_new(4096);
	struct block *b = xcalloc(N, sizeof *b);
	size_t i, j, least = 0, most = 0, bad_align = 0, bad_data = 0;
	unsigned seed = 12345;

	for (i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i].size = (i % 997 == 0) ? 3000 + (seed >> 16) % 20000 : (seed >> 16) % 200;
		b[i].p = arena_alloc(a, b[i].size);
		if (!aligned(b[i].p))
			bad_align++;
		memset(b[i].p, (int)(i & 0xff), b[i].size);
		least += b[i].size ? b[i].size : 1;
		most += round16(b[i].size);
	}
	for (i = 0; i < N; i++)
		for (j = 0; j < b[i].size; j++)
			if (b[i].p[j] != (unsigned char)(i & 0xff)) {
				bad_data++;
				break;
			}
	is_int(bad_align, 0, "arena: %d blocks all 16-byte aligned", N);
	is_int(bad_data, 0, "arena: every block keeps its own bytes (no overlap)");
	ok(arena_used(a) >= least && arena_used(a) <= most,
	    "arena: used is between the sizes asked for and their 16-byte rounding");
	if (arena_used(a) < least || arena_used(a) > most)
		diag("used %zu, sizes %zu, rounded %zu", arena_used(a), least, most);
	arena_free(a);
	free(b);
}

static void
test_arena_misc(void)
{
	struct arena *a = arena_new(1024);
	unsigned char *p, *q, *big, *small;
	char *s;
	int zero = 1;
	size_t i;

	p = arena_alloc(a, 100);
	q = arena_alloc(a, 0);
	ok(p != NULL && q != NULL && q != p && aligned(q), "arena: a 0-byte allocation is a distinct aligned pointer");
	p = arena_calloc(a, 50, 7);
	for (i = 0; i < 350; i++)
		if (p[i] != 0)
			zero = 0;
	ok(zero && aligned(p), "arena_calloc: zeroed and aligned");
	s = arena_strdup(a, "hello");
	is_str(s, "hello", "arena_strdup copies");
	is_str(arena_strndup(a, "hello world", 5), "hello", "arena_strndup copies n bytes");
	ok(arena_strdup(a, NULL) == NULL && arena_strndup(a, NULL, 3) == NULL, "arena_strdup(NULL) is NULL");

	/* A block bigger than the chunk gets its own; small ones go on after it. */
	big = arena_alloc(a, 100000);
	memset(big, 0xab, 100000);
	small = arena_alloc(a, 16);
	memset(small, 0xcd, 16);
	ok(aligned(big) && big[0] == 0xab && big[99999] == 0xab, "arena: a big block is aligned and whole");
	ok(small + 16 <= big || small >= big + 100000, "arena: a small block after a big one lies outside it");
	is_str(s, "hello", "arena: earlier strings survive big blocks");

	/* Reset: nothing used, and the chunk kept is handed out again. */
	arena_reset(a);
	is_int(arena_used(a), 0, "arena_reset: nothing used");
	p = arena_alloc(a, 64);
	memset(p, 1, 64);
	ok(aligned(p), "arena: allocation after reset is aligned");
	arena_free(a);

	a = arena_new(0);
	p = arena_alloc(a, 32);
	arena_reset(a);
	q = arena_alloc(a, 32);
	ok(p == q, "arena_reset: the kept chunk is reused from its start");
	arena_reset(a);
	arena_reset(a);
	is_int(arena_used(a), 0, "arena_reset twice is harmless");
	arena_free(a);
	arena_free(NULL);
	ok(1, "arena_free(NULL) is harmless");
}

/* ---------------------------------------------------------------- xmalloc */

static void
test_xmalloc(void)
{
	int *v, zero = 1, kept = 1, i;
	char *s;
	void *p;

	p = xmalloc(0);
	ok(p != NULL, "xmalloc(0) gives a pointer");
	free(p);
	v = xcalloc(100, sizeof *v);
	for (i = 0; i < 100; i++) {
		if (v[i] != 0)
			zero = 0;
		v[i] = i;
	}
	ok(zero, "xcalloc zeroes");
	v = xreallocarray(v, 100000, sizeof *v);
	for (i = 0; i < 100; i++)
		if (v[i] != i)
			kept = 0;
	ok(kept, "xreallocarray keeps the contents");
	free(v);
	s = xstrdup("abc");
	is_str(s, "abc", "xstrdup");
	free(s);
	s = xstrndup("abcdef", 3);
	is_str(s, "abc", "xstrndup");
	free(s);
	s = xasprintf("%s-%d-%.2f", "x", 42, 1.5);
	is_str(s, "x-42-1.50", "xasprintf");
	free(s);
}

static int hook_fd = -1;

static void
hook(void)
{
	if (write(hook_fd, "H", 1) != 1)
		_exit(3);
}

/* An overflowing size is fatal: the hook runs, then exit status 2. */
static void
test_fatal(void)
{
	int fds[2], status = -1;
	char c = 0;
	pid_t pid;

	if (pipe(fds) != 0) {
		ok(0, "pipe");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		hook_fd = fds[1];
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(4);
		fatal_set_hook(hook);
		xreallocarray(NULL, SIZE_MAX / 2, 4);
		_exit(0);
	}
	close(fds[1]);
	waitpid(pid, &status, 0);
	if (read(fds[0], &c, 1) != 1)
		c = 0;
	close(fds[0]);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 2, "xreallocarray overflow exits with 2");
	ok(c == 'H', "the fatal hook runs first");
}

/* ---------------------------------------------------------------- text */

static void
check_sanitize(const char *in, const char *want, const char *what)
{
	char out[256];

	is_str(text_sanitize(in, out, sizeof out), want, "sanitize: %s", what);
}

static void
test_sanitize(void)
{
	char out[8];

	check_sanitize("\x1b]0;x\x07", "?]0;x?", "OSC title sequence ESC ] 0 ; x BEL");
	check_sanitize("\x1b[31mred\x1b[0m", "?[31mred?[0m", "CSI colour");
	check_sanitize("a\tb\rc\nd", "a?b?c?d", "TAB, CR, LF");
	check_sanitize("del\x7f!", "del?!", "DEL");
	check_sanitize("c1\xc2\x85\xc2\x9b[2J", "c1??[2J", "C1 NEL and CSI (U+0085, U+009B)");
	check_sanitize("\xc2\xa0nbsp", "\xc2\xa0nbsp", "U+00A0 is kept");
	check_sanitize("abc\xe2\x80\xaegnp.exe", "abc?gnp.exe", "bidi RLO U+202E");
	check_sanitize("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "????", "bidi U+202A-U+202D");
	check_sanitize("\xe2\x81\xa6x\xe2\x81\xa9", "?x?", "bidi isolates U+2066, U+2069");
	check_sanitize("h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
	    "accents, CJK and emoji are kept");
	check_sanitize("a\xffz", "a?z", "an invalid byte");
	check_sanitize("end\xc3", "end?", "a truncated sequence");
	check_sanitize("\xc0\xaf", "??", "overlong 2-byte '/'");
	check_sanitize("\xe0\x80\xaf", "???", "overlong 3-byte '/'");
	check_sanitize("\xed\xa0\x80", "???", "a UTF-16 surrogate");
	check_sanitize("\xf4\x90\x80\x80", "????", "beyond U+10FFFF");
	check_sanitize("\x80x", "?x", "a stray continuation byte");
	check_sanitize(NULL, "", "NULL gives an empty string");
	is_str(text_sanitize("\xe6\x97\xa5\xe6\x9c\xac", out, 4), "\xe6\x97\xa5",
	    "sanitize: a character that does not fit is left out whole");
	is_str(text_sanitize("abcdefghij", out, sizeof out), "abcdefg", "sanitize: cut to the buffer");
	out[0] = 'x';
	text_sanitize("abc", out, 1);
	is_str(out, "", "sanitize: a 1-byte buffer gets an empty string");
}

/* Bidi marks and characters that show nothing: each one '?'. */
static void
test_sanitize_invisible(void)
{
	static const struct {
		const char *in, *name;
	} cases[] = {
		{ "\xe2\x80\x8b", "U+200B zero width space" },
		{ "\xe2\x80\x8c", "U+200C zero width non-joiner" },
		{ "\xe2\x80\x8d", "U+200D zero width joiner" },
		{ "\xe2\x80\x8e", "U+200E left-to-right mark" },
		{ "\xe2\x80\x8f", "U+200F right-to-left mark" },
		{ "\xd8\x9c", "U+061C Arabic letter mark" },
		{ "\xe1\xa0\x8e", "U+180E Mongolian vowel separator" },
		{ "\xe2\x80\xa8", "U+2028 line separator" },
		{ "\xe2\x80\xa9", "U+2029 paragraph separator" },
		{ "\xe2\x81\xa0", "U+2060 word joiner" },
		{ "\xe2\x81\xa4", "U+2064 invisible plus" },
		{ "\xe2\x81\xa7", "U+2067 right-to-left isolate" },
		{ "\xe2\x81\xa8", "U+2068 first strong isolate" },
		{ "\xe2\x81\xaf", "U+206F nominal digit shapes" },
		{ "\xef\xbb\xbf", "U+FEFF byte order mark" },
		{ "\xef\xbf\xb9", "U+FFF9 interlinear annotation anchor" },
		{ "\xf3\xa0\x80\x81", "U+E0001 language tag" },
		{ "\xf3\xa0\x81\xbf", "U+E007F cancel tag" },
	};
	char in[32], out[32];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(in, sizeof in, "pay%sments", cases[i].in);
		is_str(text_sanitize(in, out, sizeof out), "pay?ments", "sanitize: %s", cases[i].name);
	}
	check_sanitize("\xe2\x80\x8a\xe2\x80\x90\xe2\x81\x9f\xef\xbf\xbc\xf3\xa0\x84\x80",
	    "\xe2\x80\x8a\xe2\x80\x90\xe2\x81\x9f\xef\xbf\xbc\xf3\xa0\x84\x80",
	    "the neighbours are kept (U+200A, U+2010, U+205F, U+FFFC, U+E0100)");
	check_sanitize("\xe2\x9d\xa4\xef\xb8\x8f e\xcc\x81", "\xe2\x9d\xa4\xef\xb8\x8f e\xcc\x81",
	    "variation selectors and combining marks are kept");
	ok(text_unsafe(0x202e) && text_unsafe(0x9b) && !text_unsafe('a') && !text_unsafe(0xe9),
	    "text_unsafe agrees with sanitize");
}

/* text_json_write's output as a string. */
static char *
json_write(const char *s, size_t len, const char *nl)
{
	static char buf[512];
	FILE *f;

	memset(buf, 0, sizeof buf);
	f = fmemopen(buf, sizeof buf, "w");
	text_json_write(f, s, len, nl);
	fclose(f);
	return buf;
}

static void
test_json_write(void)
{
	const char *s;

	s = "{\"a\":\t\"x\x1b]0;t\x07y\"}";
	is_str(json_write(s, strlen(s), "\n"), "{\"a\":\t\"x\\u001b]0;t\\u0007y\"}",
	    "json_write: raw controls in a string become \\u escapes");
	s = "[\"\xc2\x9b\x7f\xe2\x80\xae\xe2\x80\x8b\xf3\xa0\x80\x81\"]";
	is_str(json_write(s, strlen(s), "\n"), "[\"\\u009b\\u007f\\u202e\\u200b\\udb40\\udc01\"]",
	    "json_write: C1, DEL, bidi, zero width, a tag (surrogate pair)");
	s = "[\"\xc0\xaf\x9b\xe2\x82\"]";
	is_str(json_write(s, strlen(s), "\n"), "[\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"]",
	    "json_write: invalid UTF-8, one U+FFFD per byte");
	s = "[\"\\u001b\\\"\\\\\", \"h\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\"]";
	is_str(json_write(s, strlen(s), "\n"), s, "json_write: escapes and printable UTF-8 stay as they are");
	s = "{\n\t\"a\": [1,\r\n2]}";
	is_str(json_write(s, strlen(s), "\n\t"), "{\n\t\t\"a\": [1, \n\t2]}",
	    "json_write: newlines outside strings as given, CR a blank");
	is_str(json_write(s, strlen(s), " "), "{ \t\"a\": [1,  2]}", "json_write: ... or on one line");
	s = "{\"k\x1b\":\"v\nw\"}";
	is_str(json_write(s, strlen(s), " "), "{\"k\\u001b\":\"v\\u000aw\"}",
	    "json_write: keys too; a newline in a string is escaped, not a line break");
	s = "[\"a\\\x1b\"]";
	is_str(json_write(s, strlen(s), "\n"), "[\"a\\\\\\u001b\"]",
	    "json_write: a backslash before a control is escaped itself");
	is_str(json_write("[\"ab\"]", 4, "\n"), "[\"ab", "json_write: stops at len");
	is_str(json_write("\x1b[2J\xc3\xa9{}", 8, "\n"), " [2J  {}", "json_write: controls outside strings are blanks");
}

/* What text_filter_stream makes of in, written in pieces of size step. */
static char *
filter(const char *in, size_t step)
{
	static char out[256];
	char carry[4];
	size_t carried = 0, o = 0, i, n, len = strlen(in);

	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		o += text_filter_stream(in + i, n, out + o, &carried, carry);
	}
	out[o] = '\0';
	ok(carried < 4, "filter: at most 3 bytes carried (%zu)", carried);
	return out;
}

static void
test_filter_stream(void)
{
	const char *in = "file \x1b]0;x\x07\xc2\x9b\xe2\x80\xae\xe2\x80\x8b\xc0\xaf:\n\tcaf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\r\x7f\n";
	const char *want = "file ?]0;x????\?\?:\n\tcaf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80??\n";
	size_t step;

	is_str(filter(in, 4096), want, "filter: controls, C1, bidi, invisible, invalid UTF-8; newline and tab stay");
	for (step = 1; step <= 4; step++)
		is_str(filter(in, step), want, "filter: the same in pieces of %zu bytes", step);
	{
		char carry[4], out[16];
		size_t carried = 0, n;

		n = text_filter_stream("ab\xe6\x97", 4, out, &carried, carry);
		ok(n == 2 && carried == 2, "filter: a cut sequence waits for its end");
		n = text_filter_stream("x", 1, out, &carried, carry);
		ok(n == 3 && memcmp(out, "??x", 3) == 0 && carried == 0,
		    "filter: ... and is replaced when it never comes");
	}
}

/* text_fit's output as a string. */
static char *
fit(const char *s, size_t width, int right)
{
	static char buf[256];
	FILE *f;

	memset(buf, 0, sizeof buf);
	f = fmemopen(buf, sizeof buf, "w");

	text_fit(f, s, width, right);
	fclose(f);
	return buf;
}

static void
test_width_fit(void)
{
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		diag("C.UTF-8 locale missing");
	is_int(text_width("abc"), 3, "width: ASCII");
	is_int(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 4, "width: two CJK characters are 4 columns");
	is_int(text_width("\xf0\x9f\x98\x80"), 2, "width: an emoji is 2 columns");
	is_int(text_width("e\xcc\x81"), 1, "width: a combining accent adds none");
	is_int(text_width("\xc3\xa9"), 1, "width: a precomposed letter is 1");
	is_int(text_width(""), 0, "width: empty");

	is_str(fit("hello", 8, 0), "hello   ", "fit: pad left-aligned");
	is_str(fit("hello", 8, 1), "   hello", "fit: pad right-aligned");
	is_str(fit("hello", 5, 0), "hello", "fit: exact width");
	is_str(fit("hello world", 8, 0), "hello w\xe2\x80\xa6", "fit: cut with an ellipsis");
	is_str(fit("hello world", 8, 1), "hello w\xe2\x80\xa6", "fit: cut right-aligned is full");
	is_str(fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad", 7, 0),
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe2\x80\xa6", "fit: CJK cut at 7 columns (3 wide + ellipsis)");
	is_str(fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86", 6, 0),
	    "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6 ", "fit: a wide character that does not fit leaves a pad");
	is_str(fit("\xe6\x97\xa5\xe6\x9c\xac", 4, 0), "\xe6\x97\xa5\xe6\x9c\xac", "fit: CJK at exact width");
	is_str(fit("long", 0, 0), "", "fit: width 0 prints nothing");
	is_str(fit("long", 1, 0), "\xe2\x80\xa6", "fit: width 1 is just the ellipsis");
	is_str(fit("\x1b]0;x\x07", 8, 0), "?]0;x?  ", "fit: sanitizes first");
	is_str(fit(NULL, 3, 0), "   ", "fit: NULL is empty");
	text_set_ascii(1);
	ok(text_ascii(), "ascii mode on");
	is_str(fit("hello world", 8, 0), "hello w~", "fit: ASCII mode cuts with '~'");
	text_set_ascii(0);
	ok(!text_ascii(), "ascii mode off");

	/* In the C locale a column is a byte. */
	setlocale(LC_ALL, "C");
	is_int(text_width("\xe6\x97\xa5\xe6\x9c\xac"), 6, "width in the C locale: bytes");
	/* ... and a terminal that is not UTF-8 gets no byte over 0x7f. */
	{
		char out[32];

		is_str(text_sanitize("caf\xc3\xa9 \xc2\x9b" "2J \xe6\x97\xa5", out, sizeof out), "caf? ?2J ?",
		    "sanitize in the C locale: every non-ASCII character is one '?'");
	}
	setlocale(LC_ALL, "C.UTF-8");
}

static void
check_dur(double s, const char *want)
{
	char buf[32];

	is_str(text_duration(s, buf, sizeof buf), want, "duration %.6g s", s);
}

static void
test_duration(void)
{
	char small[4];

	check_dur(0.000512, "512\xc2\xb5s");
	check_dur(0, "0\xc2\xb5s");
	check_dur(0.0023, "2.3ms");
	check_dur(0.087, "87ms");
	check_dur(0.9994, "999ms");
	check_dur(0.9996, "1.00s");
	check_dur(1.25, "1.25s");
	check_dur(59.999, "1m00s");
	check_dur(123, "2m03s");
	check_dur(3700, "1h01m");
	check_dur(90000, "1d01h");
	check_dur(-1, "-");
	check_dur(NAN, "-");
	text_set_ascii(1);
	check_dur(0.000512, "512us");
	text_set_ascii(0);
	is_str(text_duration(1.25, small, sizeof small), "1.2", "duration: cut to the buffer");
}

static void
test_time(void)
{
	char buf[40];

	is_str(text_time(1700000000.123, 1, buf, sizeof buf), "2023-11-14 22:13:20.123",
	    "time: UTC with milliseconds");
	is_str(text_time(1700000000.9996, 1, buf, sizeof buf), "2023-11-14 22:13:21.000",
	    "time: milliseconds round into the next second");
	is_str(text_time(951782400.5, 1, buf, sizeof buf), "2000-02-29 00:00:00.500", "time: a leap day");
	setenv("TZ", "JST-9", 1);
	tzset();
	is_str(text_time(1700000000.123, 0, buf, sizeof buf), "2023-11-15 07:13:20.123",
	    "time: local time (TZ=JST-9)");
	is_str(text_time(1700000000.123, 1, buf, sizeof buf), "2023-11-14 22:13:20.123",
	    "time: UTC whatever TZ says");
	setenv("TZ", "UTC", 1);
	tzset();
	is_str(text_time(0, 1, buf, sizeof buf), "-", "time: 0 is unknown");
	is_str(text_time(NAN, 1, buf, sizeof buf), "-", "time: NaN is unknown");
	is_str(text_time(1e300, 1, buf, sizeof buf), "-", "time: out of range");
}

static void
test_utf8_next(void)
{
	uint32_t c = 0;

	ok(text_utf8_next("\xf0\x9f\x98\x80", &c) == 4 && c == 0x1f600, "utf8_next: a 4-byte sequence");
	ok(text_utf8_next("\xc3\xa9", &c) == 2 && c == 0xe9, "utf8_next: a 2-byte sequence");
	is_int(text_utf8_next("", &c), 0, "utf8_next: at the end");
	is_int(text_utf8_next("\xc1\xbf", &c), 0, "utf8_next: overlong");
}

int
main(void)
{
	/* Sanitizing keeps UTF-8 only where the terminal takes it. */
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		diag("C.UTF-8 locale missing");
	test_arena_many();
	test_arena_misc();
	test_xmalloc();
	test_fatal();
	test_sanitize();
	test_sanitize_invisible();
	test_json_write();
	test_filter_stream();
	test_width_fit();
	test_duration();
	test_time();
	test_utf8_next();
	return done_testing();
}

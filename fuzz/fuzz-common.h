/* fuzz-common.h - helpers shared by the fuzz targets (header only).
 *
 * FUZZ_CHECK aborts with a message when an invariant does not hold, so
 * that libFuzzer (or the replay in make check) stops on the input.
 * fuzz_file gives a target a path whose content is the input, for the
 * entry points that read files: a memfd, created once and rewritten for
 * every input (no file system, nothing left behind).
 */
#ifndef XRAYTOP_FUZZ_COMMON_H
#define XRAYTOP_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xraytop/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...) do {                                           \
	if (!(cond)) {                                                       \
		fprintf(stderr, "%s:%d: invariant failed: %s\n  ", __FILE__, \
		    __LINE__, #cond);                                        \
		fprintf(stderr, __VA_ARGS__);                                \
		fputc('\n', stderr);                                         \
		abort();                                                     \
	}                                                                    \
} while (0)

/* The input as a NUL-terminated heap string (NUL bytes inside stay). */
static inline char *
fuzz_text(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (t == NULL)
		abort();
	memcpy(t, data, size);
	t[size] = '\0';
	return t;
}

/* A path ("/proc/self/fd/N") whose file holds exactly data; the same
 * memfd each time, truncated and rewritten. */
static inline const char *
fuzz_file(const void *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	const char *p = data;
	ssize_t n;

	if (fd < 0) {
		if ((fd = memfd_create("xraytop-fuzz", MFD_CLOEXEC)) < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	while (size > 0) {
		if ((n = write(fd, p, size)) <= 0)
			abort();
		p += n;
		size -= (size_t)n;
	}
	return path;
}

/* Nonzero when text is what may reach a terminal: valid UTF-8 with no
 * C0 control but newline, no DEL, no C1 control, no bidi override. */
static inline int
fuzz_terminal_safe(const char *text, size_t len, size_t *bad_at)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x80) {
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				goto bad;
			i++;
			continue;
		}
		if ((n = text_utf8_next(text + i, &cp)) == 0 || i + n > len)
			goto bad;
		if ((cp >= 0x80 && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			goto bad;
		i += n;
	}
	return 1;
bad:
	if (bad_at != NULL)
		*bad_at = i;
	return 0;
}

/* Run call, which writes to the stream "out", into memory and check that
 * what it wrote may go to a terminal. */
#define FUZZ_TERMINAL_OUTPUT(what, call) do {                                \
	char *fz_buf_ = NULL;                                                \
	size_t fz_len_ = 0, fz_at_ = 0;                                      \
	FILE *out = open_memstream(&fz_buf_, &fz_len_);                      \
	if (out == NULL)                                                     \
		abort();                                                     \
	(void)(call);                                                        \
	fclose(out);                                                         \
	FUZZ_CHECK(fuzz_terminal_safe(fz_buf_, fz_len_, &fz_at_),            \
	    "%s wrote an unsafe byte 0x%02x at %zu of %zu: \"%.*s\"", what,  \
	    fz_at_ < fz_len_ ? (unsigned char)fz_buf_[fz_at_] : 0, fz_at_,   \
	    fz_len_, (int)(fz_len_ - fz_at_ < 40 ? fz_len_ - fz_at_ : 40),   \
	    fz_buf_ + fz_at_);                                               \
	free(fz_buf_);                                                       \
} while (0)

#endif

/* replay.c - a fuzz target without libFuzzer, for `make check`: every
 * seed of the target's corpus (in name order), then deterministic random
 * mutations of them (byte flips, insertions, deletions, dictionary words,
 * splices), through the same entry point.  TAP output; a violation aborts
 * the program.
 *
 * Built once per target with FUZZ_NAME (the corpus fuzz/corpus/NAME),
 * FUZZ_DICT (fuzz/DICT.dict), FUZZ_MAX_INPUT, FUZZ_MIN_SEEDS and
 * FUZZ_MIN_DICT (how many seeds and words the corpus must hold) and
 * FUZZ_ITERS (mutations; $FUZZ_ITERATIONS overrides it). */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef FUZZ_NAME
#define FUZZ_NAME	"filter"
#endif
#ifndef FUZZ_DICT
#define FUZZ_DICT	FUZZ_NAME
#endif
#ifndef FUZZ_MAX_INPUT
#define FUZZ_MAX_INPUT	4096
#endif
#ifndef FUZZ_MIN_SEEDS
#define FUZZ_MIN_SEEDS	40
#endif
#ifndef FUZZ_MIN_DICT
#define FUZZ_MIN_DICT	40
#endif
#ifndef FUZZ_ITERS
#define FUZZ_ITERS	50000
#endif

struct blob {
	char	*p;
	size_t	 n;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n > 0 ? (uint32_t)(rng % n) : 0;
}

static struct blob *
add(struct blob **v, size_t *n, const char *p, size_t len)
{
	struct blob *b;

	*v = realloc(*v, (*n + 1) * sizeof **v);
	if (*v == NULL)
		abort();
	b = &(*v)[(*n)++];
	b->p = malloc(len + 1);
	if (b->p == NULL)
		abort();
	memcpy(b->p, p, len);
	b->p[len] = '\0';
	b->n = len;
	return b;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Dictionary lines: "word" or name="word", with \" and \\ and \xHH. */
static void
load_dict(const char *path, struct blob **v, size_t *n)
{
	size_t len;
	char *text = slurp(path, &len), *line, *save = NULL;

	if (text == NULL)
		return;
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *q = strchr(line, '"'), out[256];
		size_t k = 0;

		if (line[0] == '#' || q == NULL)
			continue;
		for (q++; *q != '\0' && *q != '"' && k < sizeof out - 1; q++) {
			if (*q == '\\' && q[1] == 'x' && q[2] && q[3]) {
				char hex[3] = { q[2], q[3], 0 };

				out[k++] = (char)strtol(hex, NULL, 16);
				q += 3;
			} else if (*q == '\\' && q[1] != '\0')
				out[k++] = *++q;
			else
				out[k++] = *q;
		}
		add(v, n, out, k);
	}
	free(text);
}

static size_t
mutate(char *buf, size_t n, const struct blob *seeds, size_t nseeds, const struct blob *dict,
    size_t ndict)
{
	int rounds = 1 + (int)rnd(4), r;

	for (r = 0; r < rounds; r++) {
		size_t at = n > 0 ? rnd((uint32_t)n + 1) : 0, k;
		const struct blob *b;

		switch (rnd(7)) {
		case 0:         /* flip a byte */
			if (n > 0)
				buf[rnd((uint32_t)n)] = (char)rnd(256);
			break;
		case 1:         /* insert a byte */
			if (n < FUZZ_MAX_INPUT) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = rnd(4) == 0 ? (char)rnd(256) : " (){}!=<>\",:#[]"[rnd(16)];
				n++;
			}
			break;
		case 2:         /* delete a run */
			if (n > 0) {
				at = rnd((uint32_t)n);
				k = 1 + rnd((uint32_t)(n - at));
				memmove(buf + at, buf + at + k, n - at - k);
				n -= k;
			}
			break;
		case 3:         /* insert a dictionary word */
		case 4:
			if (ndict > 0) {
				b = &dict[rnd((uint32_t)ndict)];
				if (n + b->n + 1 <= FUZZ_MAX_INPUT) {
					memmove(buf + at + b->n + 1, buf + at, n - at);
					memcpy(buf + at, b->p, b->n);
					buf[at + b->n] = ' ';
					n += b->n + 1;
				}
			}
			break;
		case 5:         /* splice another seed's tail */
			b = &seeds[rnd((uint32_t)nseeds)];
			k = b->n > 0 ? rnd((uint32_t)b->n) : 0;
			if (at + (b->n - k) <= FUZZ_MAX_INPUT) {
				memcpy(buf + at, b->p + k, b->n - k);
				n = at + (b->n - k);
			}
			break;
		case 6:         /* truncate */
			n = at;
			break;
		}
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char dir[4096], path[8192], *env, **names = NULL;
	struct blob *seeds = NULL, *dict = NULL;
	size_t nseeds = 0, ndict = 0, nnames = 0, i;
	unsigned long iters = FUZZ_ITERS, it;
	struct dirent *de;
	char *buf;
	DIR *d;
	int ok;

	if (top == NULL)
		top = ".";
	snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", argc > 1 ? argv[1] : top, FUZZ_NAME);
	if ((env = getenv("FUZZ_ITERATIONS")) != NULL)
		iters = strtoul(env, NULL, 10);
	if ((d = opendir(dir)) == NULL) {
		printf("not ok 1 - seed corpus %s not found\n1..1\n", dir);
		return 1;
	}
	/* In name order, so that the mutations are the same everywhere. */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (nnames + 1) * sizeof *names);
		if (names == NULL || (names[nnames] = strdup(de->d_name)) == NULL)
			abort();
		nnames++;
	}
	closedir(d);
	if (nnames > 0)
		qsort(names, nnames, sizeof *names, name_cmp);
	for (i = 0; i < nnames; i++) {
		size_t len;
		char *text;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		free(names[i]);
		if ((text = slurp(path, &len)) == NULL)
			continue;
		add(&seeds, &nseeds, text, len > FUZZ_MAX_INPUT ? FUZZ_MAX_INPUT : len);
		free(text);
	}
	free(names);
	snprintf(path, sizeof path, "%s/fuzz/%s.dict", argc > 1 ? argv[1] : top, FUZZ_DICT);
	load_dict(path, &dict, &ndict);

	if (nseeds == 0) {
		printf("not ok 1 - no seed inputs in %s\n1..1\n", dir);
		return 1;
	}
	for (i = 0; i < nseeds; i++)
		LLVMFuzzerTestOneInput((const uint8_t *)seeds[i].p, seeds[i].n);
	printf("%s 1 - %zu seed inputs of %s replayed\n", nseeds >= FUZZ_MIN_SEEDS ? "ok" : "not ok",
	    nseeds, FUZZ_NAME);
	printf("%s 2 - %zu dictionary words loaded from %s.dict\n",
	    ndict >= FUZZ_MIN_DICT ? "ok" : "not ok", ndict, FUZZ_DICT);

	buf = malloc(FUZZ_MAX_INPUT + 1);
	if (buf == NULL)
		abort();
	for (it = 0; it < iters; it++) {
		const struct blob *s = &seeds[rnd((uint32_t)nseeds)];
		size_t n = s->n;

		memcpy(buf, s->p, n);
		n = mutate(buf, n, seeds, nseeds, dict, ndict);
		LLVMFuzzerTestOneInput((const uint8_t *)buf, n);
	}
	printf("ok 3 - %lu mutated inputs, no violation\n", iters);
	printf("1..3\n");
	free(buf);
	ok = nseeds >= FUZZ_MIN_SEEDS && ndict >= FUZZ_MIN_DICT;
	for (i = 0; i < nseeds; i++)
		free(seeds[i].p);
	for (i = 0; i < ndict; i++)
		free(dict[i].p);
	free(seeds);
	free(dict);
	return ok ? 0 : 1;
}

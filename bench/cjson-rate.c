/* cjson-rate.c - cJSON's raw parse rate over a JSON Lines file, for the
 * benchmark report: every line parsed with cJSON's default allocator and
 * freed, nothing else.  Prints "MB/s documents seconds". */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>

int
main(int argc, char **argv)
{
	struct timespec a, b;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	double secs, bytes = 0;
	long docs = 0;
	FILE *f;

	if (argc != 2 || (f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: cjson-rate FILE.jsonl\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	while ((n = getline(&line, &cap, f)) > 0) {
		cJSON *j = cJSON_ParseWithLength(line, (size_t)n);

		docs += j != NULL;
		cJSON_Delete(j);
		bytes += (double)n;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%.1f %ld %.3f\n", bytes / 1e6 / secs, docs, secs);
	free(line);
	fclose(f);
	return 0;
}

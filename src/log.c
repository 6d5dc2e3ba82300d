/* log.c - debug logging to a file, never to the terminal. */
#include "config.h"

#include "xraytop/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

static FILE *log_file;
static int log_lvl;

int
log_open(int level, const char *path)
{
	log_close();
	if (level <= 0 || path == NULL)
		return 0;
	log_file = fopen(path, "a");
	if (log_file == NULL)
		return -1;
	setvbuf(log_file, NULL, _IOLBF, 0);
	log_lvl = level;
	return 0;
}

void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	log_lvl = 0;
}

int
log_level(void)
{
	return log_lvl;
}

static void
log_vwrite(int level, const char *tag, const char *fmt, va_list ap)
{
	struct timeval tv;
	struct tm tm;
	char when[32];

	if (log_file == NULL || level > log_lvl)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(log_file, "%s.%03dZ %s ", when, (int)(tv.tv_usec / 1000), tag);
	vfprintf(log_file, fmt, ap);
	fputc('\n', log_file);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(1, "warn", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(2, "info", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(3, "debug", fmt, ap);
	va_end(ap);
}

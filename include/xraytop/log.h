/* log.h - debug logging to a file, never to the terminal.
 *
 * log_open(level, path) starts logging at level (1 warn, 2 info, 3 debug);
 * before it, or at level 0, every log call is a cheap no-op.  Secrets must
 * never be passed to these functions.
 */
#ifndef XRAYTOP_LOG_H
#define XRAYTOP_LOG_H

int log_open(int level, const char *path);
void log_close(void);
int log_level(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

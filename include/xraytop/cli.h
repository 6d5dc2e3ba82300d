/* cli.h - the non-interactive subcommands: map, traces, trace, listen.
 *
 * Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand), reads the inputs, writes to standard output or -o FILE, and
 * returns the process exit status:
 *   0  success
 *   1  the inputs held nothing usable, or the trace asked for is not there
 *   2  usage error, or an input could not be opened or read
 *   3  some documents in the inputs were bad (the rest was used and written)
 */
#ifndef XRAYTOP_CLI_H
#define XRAYTOP_CLI_H

#include <stdio.h>

int cli_map(int argc, char **argv);
int cli_traces(int argc, char **argv);
int cli_trace(int argc, char **argv);
/* The live collector (cli-listen.c): status 0, 2 when it cannot listen,
 * 3 when some datagrams were invalid or oversize (the rest was used). */
int cli_listen(int argc, char **argv);
/* Usage text for the whole program. */
void cli_usage(FILE *out);

/* Filter expressions (cli-filter.c).  `xraytop check-filter EXPR`: the
 * canonical form, or the error under a caret line (status 2). */
int cli_check_filter(int argc, char **argv);
struct filter;
struct filter_error;
struct sink;
struct source_file_stats;
struct trace;
/* --filter EXPR and --group NAME of command cmd compiled and bound (groups
 * from the config file); 0 with *out, or status 2 after printing why. */
int cli_filter_setup(const char *cmd, const char *expr, const char *group, struct filter **out);
/* Read inputs (select.h; prefilter: the shortcut allowed) and call match
 * for each whole trace that matches f; matching API summaries go to
 * other->summary.  Returns 0, or -1 when an input could not be read. */
int cli_filter_read(const char *cmd, char **inputs, size_t ninputs, int threads, unsigned json_opts,
    int prefilter, const struct filter *f, void (*match)(void *ctx, const struct trace *t),
    void *ctx, const struct sink *other, struct source_file_stats *st);
/* The expression with a caret line under the error's column, and the message. */
void cli_filter_error(FILE *out, const char *expr, const struct filter_error *e);

#endif

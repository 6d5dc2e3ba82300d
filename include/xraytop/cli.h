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

#endif

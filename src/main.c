/* main.c - xraytop: start-up, the choice of command, shut-down. */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xraytop/app.h"
#include "xraytop/cli.h"
#include "xraytop/cli-aws.h"
#include "xraytop/text.h"

int
main(int argc, char **argv)
{
	const char *cmd;

	setlocale(LC_ALL, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		text_set_ascii(1);
	/* Messages quote file names, arguments and data: none of it may reach
	 * the terminal as control characters. */
	text_guard_stderr();

	/* No command: the interactive view (of --demo, FILEs, ...). */
	if (argc < 2)
		return app_main(argc, argv);
	cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("xraytop %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		cli_usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "map") == 0)
		return cli_map(argc - 1, argv + 1);
	if (strcmp(cmd, "traces") == 0)
		return cli_traces(argc - 1, argv + 1);
	if (strcmp(cmd, "trace") == 0)
		return cli_trace(argc - 1, argv + 1);
	if (strcmp(cmd, "listen") == 0)
		return cli_listen(argc - 1, argv + 1);
	if (strcmp(cmd, "groups") == 0)
		return cli_groups(argc - 1, argv + 1);
	if (strcmp(cmd, "sampling-rules") == 0)
		return cli_sampling_rules(argc - 1, argv + 1);
	if (strcmp(cmd, "check-filter") == 0)
		return cli_check_filter(argc - 1, argv + 1);
	if (cmd[0] == '-' || strchr(cmd, '/') != NULL || strchr(cmd, '.') != NULL ||
	    access(cmd, F_OK) == 0)
		return app_main(argc, argv);
	fprintf(stderr, "xraytop: unknown command '%s'\nTry 'xraytop --help'.\n", cmd);
	return 2;
}

/* The peephole command: global options and subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char main_usage[] =
	"usage: peephole COMMAND [options] [args]\n"
	"\n"
	"peephole checks a device's network traffic for signs of a backdoor and\n"
	"for insecure connections.\n"
	"\n"
	"commands:\n"
	"  check CAPTURE...         verdict: known-bad contacts and findings, with\n"
	"                           evidence and advice (text or --json)\n"
	"  ioc list|match           show loaded indicators; look values up\n"
	"  logs CAPTURE... -o DIR   write Zeek-style logs (conn.log) for captures\n"
	"  update [options]         download the indicator feeds into the cache\n"
	"\n"
	"options:\n"
	"  -h, --help               this help ('peephole COMMAND --help' for a command)\n"
	"  -V, --version            print the version\n"
	"\n"
	"exit status: 0 ok, 1 findings (check), 2 input unreadable, 3 usage error,\n"
	"             4 input partly damaged, 5 output could not be written\n";

struct ph_command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct ph_command commands[] = {
	{"check", ph_cmd_check},
	{"ioc", ph_cmd_ioc},
	{"logs", ph_cmd_logs},
	{"update", ph_cmd_update},
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(main_usage, stderr);
		return PH_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "help") == 0) {
		fputs(main_usage, stdout);
		return PH_EXIT_OK;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("peephole %s\n", PH_VERSION_STRING);
		return PH_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	ph_cli_errorf("unknown command '%s'", cmd);
	fputs("Try 'peephole --help'.\n", stderr);
	return PH_EXIT_USAGE;
}

/*
 * pprobe.c - the hub: `pprobe <command> [<args>]`.
 *
 * Every command is one row of the table below and one function with the
 * signature in builtin.h, living in the folder of the part that owns it.
 * `pprobe help <command>` and `pprobe <command> --help` print the same
 * text, because the first is turned into the second here.
 */
#include <stdio.h>
#include <string.h>

#include "builtin.h"
#include "pprobe-version.h"
#include "usage.h"

struct command {
	const char *name;
	int (*fn)(int argc, const char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "run a command and record its whole process tree" },
	{ "report", cmd_report, "print the figures of one or more recordings" },
	{ "scale", cmd_scale, "run a command on 1, 2, 4... CPUs: how well it uses more cores" },
	{ "list", cmd_list, "list the events -e takes, and which this machine can count" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out)
{
	fprintf(out, "usage: pprobe [--version] [--help] <command> [<args>]\n\n"
		     "commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "   %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nSee 'pprobe help <command>' for the options of one command.\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int run_help(int argc, const char **argv)
{
	const struct command *cmd;
	const char *help_argv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		error("'%s' is not a pprobe command: see 'pprobe help'", argv[1]);
		return EXIT_USAGE;
	}
	help_argv[0] = cmd->name;
	return cmd->fn(2, help_argv);
}

int main(int argc, const char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return run_help(1, argv + 1);
	if (!strcmp(argv[1], "help"))
		return run_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("pprobe %s\n", PPROBE_VERSION);
		return 0;
	}

	cmd = find_command(argv[1]);
	if (!cmd) {
		error("'%s' is not a pprobe command: see 'pprobe help'", argv[1]);
		return EXIT_USAGE;
	}
	return cmd->fn(argc - 1, argv + 1);
}

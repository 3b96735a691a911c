/*
 * fuzz_options.c - command lines made of arbitrary bytes, through the
 * option parsing of `pprobe record`, `report` and `scale`.
 *
 * The input is split into words at NUL and newline bytes; the first is
 * argv[0], the command's name. When it names record, report or scale,
 * that command parses the line, else all three do, each on its own copy
 * (parsing moves the words of argv about). Each runs only its first
 * step, *_check_args(): its real option table through parse_options()
 * (short and long options, bundles, abbreviations, --no-, attached and
 * separate values, integer bounds, "--"), and then what each command
 * checks itself: the event lists (-e, with libpfm4 and tracefs names),
 * -p pid lists, --cpus lists and counts against the online CPUs, --mem
 * backends, --count-by, --size, --sort, the ":::" commands, the
 * combinations refused; and for scale, record's check of the command
 * line scale would give it. Nothing is run, opened or written.
 *
 * parse_options() never exits: a usage error is a return value that
 * each command turns into its exit status (129), so a bad line costs
 * the fuzzer nothing, and the fuzzer needs no fork or exit hook.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "fuzz.h"
#include "record.h"

static int record_check(int argc, const char **argv)
{
	return record_check_args(argc, argv, NULL);
}

static const struct {
	const char *name;
	int (*check)(int argc, const char **argv);
} commands[] = {
	{ "record", record_check },
	{ "report", report_check_args },
	{ "scale", scale_check_args },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int fuzz_options_one(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	const char **words = malloc((size + 2) * sizeof(*words));
	const char **argv = malloc((size + 2) * sizeof(*argv));
	int argc = 0, ret = -ENOMEM;
	size_t chosen = NR_COMMANDS;

	if (!text || !words || !argv)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	/* Empty input: no words at all, not even argv[0]. */
	for (size_t start = 0, i = 0; size && i <= size; i++) {
		if (i < size && text[i] != '\0' && text[i] != '\n')
			continue;
		text[i] = '\0';
		words[argc++] = text + start;
		start = i + 1;
	}
	words[argc] = NULL;

	for (size_t c = 0; argc && c < NR_COMMANDS; c++)
		if (!strcmp(words[0], commands[c].name))
			chosen = c;
	for (size_t c = 0; c < NR_COMMANDS; c++) {
		if (chosen != NR_COMMANDS && c != chosen)
			continue;
		memcpy(argv, words, ((size_t)argc + 1) * sizeof(*argv));
		commands[c].check(argc, argv);
	}
	ret = 0;
out:
	free(argv);
	free(words);
	free(text);
	return ret;
}


/*
 * parse-options.h - a small table-driven command-line parser shared by the
 * pprobe commands.
 *
 * Each command describes its options once, in an array of struct option
 * ending with OPT_END(); the same table produces `--help`. Short options
 * may be bundled (-qv) and take their argument attached or separate
 * (-o x, -ox); long ones as --name=value or --name value. "--" ends the
 * options. With PARSE_OPT_STOP_AT_NON_OPTION the first word that is not an
 * option ends them too (so `pprobe record ls -l` leaves "ls -l" alone, as
 * perf does); otherwise options and arguments may be mixed.
 */
#ifndef PPROBE_PARSE_OPTIONS_H
#define PPROBE_PARSE_OPTIONS_H

enum option_type {
	OPTION_END,
	OPTION_BOOL,     /* int *value set to 1 (or 0 with --no-name) */
	OPTION_STRING,   /* const char **value: points into argv */
	OPTION_INTEGER,  /* long *value: decimal, within [min, max] */
	OPTION_CALLBACK, /* callback(opt, arg) returns 0, or -1 after error() */
};

struct option;
typedef int (*option_callback)(const struct option *opt, const char *arg);

struct option {
	enum option_type type;
	int short_name;         /* 0 for none */
	const char *long_name;  /* NULL for none */
	void *value;
	const char *argh;       /* argument name in --help, NULL: no argument */
	const char *help;
	long min, max;          /* OPTION_INTEGER bounds */
	/* OPTION_INTEGER: the value is optional and only ever attached
	 * (--name=value, as git's PARSE_OPT_OPTARG); without one the
	 * option sets `def` */
	int optional;
	long def;
	option_callback callback;
	void *data;             /* for the callback */
};

#define OPT_END() { .type = OPTION_END }
#define OPT_BOOL(s, l, v, h) \
	{ .type = OPTION_BOOL, .short_name = (s), .long_name = (l), \
	  .value = (v), .help = (h) }
#define OPT_STRING(s, l, v, a, h) \
	{ .type = OPTION_STRING, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .help = (h) }
#define OPT_INTEGER(s, l, v, a, lo, hi, h) \
	{ .type = OPTION_INTEGER, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .min = (lo), .max = (hi), .help = (h) }
/* --name alone sets def; --name=<n> sets n, within [lo, hi]. */
#define OPT_INTEGER_OPTARG(s, l, v, a, lo, hi, d, h) \
	{ .type = OPTION_INTEGER, .short_name = (s), .long_name = (l), \
	  .value = (v), .argh = (a), .min = (lo), .max = (hi), \
	  .optional = 1, .def = (d), .help = (h) }
/* A callback that takes an argument when a is not NULL. */
#define OPT_CALLBACK(s, l, d, a, h, f) \
	{ .type = OPTION_CALLBACK, .short_name = (s), .long_name = (l), \
	  .data = (d), .argh = (a), .help = (h), .callback = (f) }

#define PARSE_OPT_STOP_AT_NON_OPTION (1 << 0)

/* What parse_options() returns besides a count of arguments. */
#define PARSE_OPT_HELP  (-2)  /* --help/-h was given; usage is printed */
#define PARSE_OPT_ERROR (-1)  /* an error was printed with usage hints */

/*
 * Parses argv[1..argc) (argv[0] is the command's name) against opts.
 * Returns how many non-option arguments remain, moved to the front of
 * argv (argv[0] onwards) and followed by a NULL (so they can go straight
 * to execvp()), or PARSE_OPT_HELP after printing the full help
 * to stdout, or PARSE_OPT_ERROR after printing one error line and the
 * usage lines to stderr. `usage` is a NULL-terminated list of usage lines,
 * e.g. "pprobe record [<options>] -- <command> [<args>...]".
 */
int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usage, int flags);

/* Prints the usage lines and the option table, to stdout or stderr. */
void usage_with_options(const char *const *usage, const struct option *opts,
			int to_stderr);

#endif /* PPROBE_PARSE_OPTIONS_H */

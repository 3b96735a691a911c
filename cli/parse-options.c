/*
 * parse-options.c - the option parser every pprobe command shares, in the
 * manner of git's parse-options: one table per command gives the parsing
 * and the --help text, so the two cannot disagree.
 *
 * Arguments are read left to right in one pass. Non-option arguments are
 * moved down to the front of argv as they are met; that is safe in place
 * because the write position never passes the read position. The list is
 * then NULL-terminated, so a command can hand it straight to execvp().
 *
 * Long options may be abbreviated to any unique prefix, as in git. That
 * means adding an option can turn a prefix someone relies on ambiguous;
 * scripts should spell options out.
 */
#include "parse-options.h"
#include "usage.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Layout of the --help option table, as git lays it out. */
#define USAGE_OPTS_WIDTH 24
#define USAGE_GAP 2

/* How the user wrote the option, for naming it in messages. */
enum spelling {
	SPELLED_SHORT,    /* -o */
	SPELLED_LONG,     /* --output */
	SPELLED_NEGATED,  /* --no-quiet */
};

/* What parsing one argument led to, besides success (0). */
#define PARSE_HELP (-2)
#define PARSE_FAIL (-1)

struct parse_ctx {
	int argc;
	const char **argv;
	int i;                      /* index of the argument being parsed */
	const struct option *opts;
};

/*
 * "switch 'o'" for a short option, "option '--output'" for a long one:
 * the full name even when an abbreviation was typed.
 */
static const char *opt_name(const struct option *opt, enum spelling how,
			    char *buf, size_t size)
{
	switch (how) {
	case SPELLED_SHORT:
		snprintf(buf, size, "switch '%c'", opt->short_name);
		break;
	case SPELLED_LONG:
		snprintf(buf, size, "option '--%s'", opt->long_name);
		break;
	case SPELLED_NEGATED:
		snprintf(buf, size, "option '--no-%s'", opt->long_name);
		break;
	}
	return buf;
}

static int takes_value(const struct option *opt)
{
	return opt->type == OPTION_STRING || opt->type == OPTION_INTEGER ||
	       (opt->type == OPTION_CALLBACK && opt->argh);
}

/* Decimal, all of it, no leading space, within long. */
static int parse_number(const char *s, long *out)
{
	int saved_errno = errno;
	char *end;
	long v;
	int ok;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	ok = errno == 0 && *end == '\0';
	errno = saved_errno;
	if (!ok)
		return -1;
	*out = v;
	return 0;
}

/*
 * Applies one option. `attached` is the value given in the same argument
 * (--output=x, -ox), or NULL: then an option that needs a value takes the
 * next argument, whatever it looks like (so "-o -" works).
 */
static int get_value(struct parse_ctx *ctx, const struct option *opt,
		     enum spelling how, const char *attached)
{
	const char *arg = attached;
	char name[160];
	long number;

	if (!takes_value(opt)) {
		if (attached)
			return error("%s takes no value",
				     opt_name(opt, how, name, sizeof(name)));
		if (opt->type == OPTION_BOOL) {
			*(int *)opt->value = how != SPELLED_NEGATED;
			return 0;
		}
		return opt->callback(opt, NULL) ? PARSE_FAIL : 0;
	}

	if (!arg && opt->optional) {
		*(long *)opt->value = opt->def;
		return 0;
	}
	if (!arg) {
		if (ctx->i + 1 >= ctx->argc)
			return error("%s requires a value",
				     opt_name(opt, how, name, sizeof(name)));
		arg = ctx->argv[++ctx->i];
	}

	switch (opt->type) {
	case OPTION_STRING:
		*(const char **)opt->value = arg;
		return 0;
	case OPTION_INTEGER:
		if (parse_number(arg, &number) ||
		    number < opt->min || number > opt->max)
			return error("%s expects a number from %ld to %ld, not '%s'",
				     opt_name(opt, how, name, sizeof(name)),
				     opt->min, opt->max, arg);
		*(long *)opt->value = number;
		return 0;
	case OPTION_CALLBACK:
		return opt->callback(opt, arg) ? PARSE_FAIL : 0;
	default:
		return error("%s has a bad type in the option table",
			     opt_name(opt, how, name, sizeof(name)));
	}
}

static int is_exactly(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && !strncmp(name, s, len);
}

/* Does the typed prefix (len bytes of s) start name, without being it? */
static int is_abbrev(const char *s, size_t len, const char *name)
{
	return len && strlen(name) > len && !strncmp(name, s, len);
}

/*
 * Is the typed name (len bytes of s) an abbreviation of opt, either as is
 * or, for a bool, after "no-"? Sets *how to say which.
 */
static int abbreviates(const char *s, size_t len, const struct option *opt,
		       enum spelling *how)
{
	if (!opt->long_name)
		return 0;
	if (is_abbrev(s, len, opt->long_name)) {
		*how = SPELLED_LONG;
		return 1;
	}
	if (opt->type == OPTION_BOOL && len > 3 && !strncmp(s, "no-", 3) &&
	    is_abbrev(s + 3, len - 3, opt->long_name)) {
		*how = SPELLED_NEGATED;
		return 1;
	}
	return 0;
}

/*
 * Reports an ambiguous abbreviation with every option it could stand for:
 * "ambiguous option '--fo' (could be --foo or --foobar)".
 */
static int ambiguous(const char *s, size_t len, const struct option *opts,
		     int matches)
{
	char list[512] = "";
	size_t used = 0;
	const struct option *opt;
	enum spelling how;
	int found = 0;

	for (opt = opts; opt->type != OPTION_END; opt++) {
		if (!abbreviates(s, len, opt, &how))
			continue;
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used,
						 "%s--%s%s",
						 !found ? "" : found + 1 == matches ? " or " : ", ",
						 how == SPELLED_NEGATED ? "no-" : "",
						 opt->long_name);
		found++;
	}
	return error("ambiguous option '--%.*s' (could be %s)", (int)len, s, list);
}

/* arg is what follows "--". */
static int parse_long(struct parse_ctx *ctx, const char *arg)
{
	size_t len = strcspn(arg, "=");
	const char *attached = arg[len] == '=' ? arg + len + 1 : NULL;
	const struct option *opt, *match = NULL;
	enum spelling how, match_how = SPELLED_LONG;
	int matches = 0;

	/* An exact name wins, so "--no-foo" can itself be an option. */
	for (opt = ctx->opts; opt->type != OPTION_END; opt++)
		if (opt->long_name && is_exactly(arg, len, opt->long_name))
			return get_value(ctx, opt, SPELLED_LONG, attached);
	if (len > 3 && !strncmp(arg, "no-", 3))
		for (opt = ctx->opts; opt->type != OPTION_END; opt++)
			if (opt->type == OPTION_BOOL && opt->long_name &&
			    is_exactly(arg + 3, len - 3, opt->long_name))
				return get_value(ctx, opt, SPELLED_NEGATED, attached);
	if (is_exactly(arg, len, "help")) {
		if (attached)
			return error("option '--help' takes no value");
		return PARSE_HELP;
	}

	for (opt = ctx->opts; opt->type != OPTION_END; opt++) {
		if (!abbreviates(arg, len, opt, &how))
			continue;
		match = opt;
		match_how = how;
		matches++;
	}
	if (matches == 1)
		return get_value(ctx, match, match_how, attached);
	if (matches > 1)
		return ambiguous(arg, len, ctx->opts, matches);
	/* "--=x" has no name part to show; show it all. */
	if (!len)
		return error("unknown option '--%s'", arg);
	return error("unknown option '--%.*s'", (int)len, arg);
}

/* arg is what follows "-": one or more bundled switches. */
static int parse_short(struct parse_ctx *ctx, const char *arg)
{
	const struct option *opt;
	int ret;

	for (; *arg; arg++) {
		for (opt = ctx->opts; opt->type != OPTION_END; opt++)
			if (opt->short_name && opt->short_name == *arg)
				break;
		if (opt->type == OPTION_END) {
			if (*arg == 'h')
				return PARSE_HELP;
			return error("unknown switch '%c'", *arg);
		}
		/* A switch that takes a value takes the rest of the word. */
		if (takes_value(opt))
			return get_value(ctx, opt, SPELLED_SHORT,
					 arg[1] ? arg + 1 : NULL);
		ret = get_value(ctx, opt, SPELLED_SHORT, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

static void print_usage_lines(FILE *out, const char *const *usage)
{
	size_t i;

	for (i = 0; usage && usage[i]; i++)
		fprintf(out, "%s%s\n", i ? "   or: " : "usage: ", usage[i]);
}

/*
 * "    -o, --output <file>   write the recording to <file>": the help
 * starts in a fixed column, or on the next line if the option is too wide.
 * An argh already holding brackets (e.g. "<pid>[,<pid>...]") is printed
 * as it is; a plain word is put in <>.
 */
static void print_option(FILE *out, const struct option *opt)
{
	int pos = fprintf(out, "    ");
	int pad;

	if (opt->short_name)
		pos += fprintf(out, "-%c", opt->short_name);
	if (opt->short_name && opt->long_name)
		pos += fprintf(out, ", ");
	if (opt->long_name)
		pos += fprintf(out, "--%s", opt->long_name);
	if (opt->argh && opt->optional)
		pos += fprintf(out, "[=<%s>]", opt->argh);
	else if (opt->argh)
		pos += fprintf(out, strpbrk(opt->argh, "<>[]()|") ? " %s" : " <%s>",
			       opt->argh);

	if (!opt->help || !*opt->help) {
		fputc('\n', out);
		return;
	}
	if (pos <= USAGE_OPTS_WIDTH) {
		pad = USAGE_OPTS_WIDTH - pos;
	} else if (pos == USAGE_OPTS_WIDTH + 1) {
		pad = -1;
	} else {
		fputc('\n', out);
		pad = USAGE_OPTS_WIDTH;
	}
	fprintf(out, "%*s%s\n", pad + USAGE_GAP, "", opt->help);
}

void usage_with_options(const char *const *usage, const struct option *opts,
			int to_stderr)
{
	FILE *out = to_stderr ? stderr : stdout;
	const struct option *opt;

	print_usage_lines(out, usage);
	fputc('\n', out);
	for (opt = opts; opt && opt->type != OPTION_END; opt++)
		print_option(out, opt);
	fputc('\n', out);
	fflush(out);
}

int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usage, int flags)
{
	struct parse_ctx ctx = { .argc = argc, .argv = argv, .opts = opts };
	int nr = 0, ret = 0;

	for (ctx.i = 1; ctx.i < argc; ctx.i++) {
		const char *arg = argv[ctx.i];

		/* A lone "-" is an argument: stdin or stdout. */
		if (arg[0] != '-' || !arg[1]) {
			if (flags & PARSE_OPT_STOP_AT_NON_OPTION)
				break;
			argv[nr++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			ctx.i++;
			break;
		}
		if (arg[1] == '-')
			ret = parse_long(&ctx, arg + 2);
		else
			ret = parse_short(&ctx, arg + 1);
		if (ret == PARSE_HELP) {
			usage_with_options(usage, opts, 0);
			return PARSE_OPT_HELP;
		}
		if (ret) {
			print_usage_lines(stderr, usage);
			return PARSE_OPT_ERROR;
		}
	}

	/* The rest, after "--" or from the first non-option, as it is. */
	for (; ctx.i < argc; ctx.i++)
		argv[nr++] = argv[ctx.i];
	if (nr < argc)
		argv[nr] = NULL;
	return nr;
}

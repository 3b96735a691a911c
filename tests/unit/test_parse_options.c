/*
 * test_parse_options.c - the shared option parser: short, bundled and long
 * options, values attached or separate, abbreviations, --no-, "--" and "-",
 * stopping at the command, numbers at and past their bounds, callbacks,
 * and the exact text of --help and of every error.
 *
 * Each case runs parse_options() with stdout and stderr sent to temporary
 * files, then compares what was printed: the messages are part of the
 * interface. Nothing is asserted while the streams are redirected, so a
 * failing check still reaches the terminal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse-options.h"
#include "usage.h"

#define MAX_ARGS 32
#define MAX_OUTPUT 8192

static int quiet, verbose, inherit;
static const char *output, *output_dir;
static long interval;
static int event_calls, list_calls;
static const char *event_arg;

static int cb_event(const struct option *opt, const char *arg)
{
	(void)opt;
	event_calls++;
	event_arg = arg;
	if (!strcmp(arg, "bad"))
		return error("unknown event '%s'", arg);
	return 0;
}

static int cb_list(const struct option *opt, const char *arg)
{
	(void)opt;
	list_calls++;
	event_arg = arg;
	return 0;
}

static const struct option options[] = {
	OPT_BOOL('q', "quiet", &quiet, "say less"),
	OPT_BOOL('v', "verbose", &verbose, "say more"),
	OPT_STRING('o', "output", &output, "file", "write the recording to <file>"),
	OPT_STRING(0, "output-dir", &output_dir, "directory", "write into <directory>"),
	OPT_INTEGER('I', "interval", &interval, "ms", 1, 3600000,
		    "sample every <ms> milliseconds"),
	OPT_BOOL(0, "inherit", &inherit, "count children too"),
	OPT_CALLBACK('e', "event", NULL, "events", "events to count", cb_event),
	OPT_CALLBACK(0, "list", NULL, NULL, "list the events", cb_list),
	OPT_END(),
};

static const char *const usage[] = {
	"pprobe record [<options>] [--] <command> [<args>...]",
	"pprobe record [<options>] -p <pid>",
	NULL,
};

#define USAGE_LINES \
	"usage: pprobe record [<options>] [--] <command> [<args>...]\n" \
	"   or: pprobe record [<options>] -p <pid>\n"

static struct result {
	int ret;
	int argc;                       /* as passed, argv[0] included */
	const char *argv[MAX_ARGS + 1]; /* after parsing */
	char out[MAX_OUTPUT];           /* what went to stdout */
	char err[MAX_OUTPUT];           /* what went to stderr */
} r;

static int reset(void **state)
{
	(void)state;
	quiet = verbose = inherit = 0;
	output = output_dir = NULL;
	interval = -1;
	event_calls = list_calls = 0;
	event_arg = NULL;
	memset(&r, 0, sizeof(r));
	return 0;
}

/* Points stream's fd at a new temporary file; returns the saved fd. */
static int redirect(FILE *stream, FILE **tmp)
{
	int saved;

	fflush(stream);
	*tmp = tmpfile();
	if (!*tmp)
		return -1;
	saved = dup(fileno(stream));
	dup2(fileno(*tmp), fileno(stream));
	return saved;
}

static void restore(FILE *stream, FILE *tmp, int saved, char *buf)
{
	size_t n;

	fflush(stream);
	dup2(saved, fileno(stream));
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, MAX_OUTPUT - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

/* Parses "pprobe-test" followed by the NULL-terminated words into r. */
static void run_with(const struct option *opts, int flags, ...)
{
	FILE *out_tmp, *err_tmp;
	int out_fd, err_fd;
	const char *word;
	va_list ap;

	r.argc = 0;
	r.argv[r.argc++] = "pprobe-test";
	va_start(ap, flags);
	while ((word = va_arg(ap, const char *)) && r.argc < MAX_ARGS)
		r.argv[r.argc++] = word;
	va_end(ap);
	r.argv[r.argc] = NULL;

	out_fd = redirect(stdout, &out_tmp);
	err_fd = redirect(stderr, &err_tmp);
	if (out_fd < 0 || err_fd < 0)
		fail_msg("cannot redirect output to a temporary file");
	r.ret = parse_options(r.argc, r.argv, opts, usage, flags);
	restore(stderr, err_tmp, err_fd, r.err);
	restore(stdout, out_tmp, out_fd, r.out);
}

#define run(flags, ...) run_with(options, (flags), __VA_ARGS__, (const char *)NULL)

/* The parse succeeded quietly and left exactly these arguments. */
static void expect_args(int nr, ...)
{
	va_list ap;
	int i;

	assert_string_equal(r.err, "");
	assert_string_equal(r.out, "");
	assert_int_equal(r.ret, nr);
	va_start(ap, nr);
	for (i = 0; i < nr; i++)
		assert_string_equal(r.argv[i], va_arg(ap, const char *));
	va_end(ap);
	assert_null(r.argv[nr]);
}

/* The parse failed with this one error line, then the usage lines. */
static void expect_error(const char *message)
{
	char want[1024];

	snprintf(want, sizeof(want), "error: %s\n" USAGE_LINES, message);
	assert_int_equal(r.ret, PARSE_OPT_ERROR);
	assert_string_equal(r.err, want);
	assert_string_equal(r.out, "");
}

static void test_no_arguments(void **state)
{
	(void)state;
	run(0, NULL);
	expect_args(0);
	assert_int_equal(quiet, 0);
	assert_null(output);
}

static void test_bundled_short_flags(void **state)
{
	(void)state;
	run(0, "-qv");
	expect_args(0);
	assert_int_equal(quiet, 1);
	assert_int_equal(verbose, 1);
}

static void test_short_values(void **state)
{
	(void)state;
	run(0, "-ofile");
	expect_args(0);
	assert_string_equal(output, "file");

	reset(NULL);
	run(0, "-o", "file");
	expect_args(0);
	assert_string_equal(output, "file");

	/* A switch with a value ends the bundle and takes the rest. */
	reset(NULL);
	run(0, "-qofile");
	expect_args(0);
	assert_int_equal(quiet, 1);
	assert_string_equal(output, "file");

	reset(NULL);
	run(0, "-oq");
	expect_args(0);
	assert_string_equal(output, "q");
	assert_int_equal(quiet, 0);

	/* The next word is the value even if it looks like an option. */
	reset(NULL);
	run(0, "-o", "-v");
	expect_args(0);
	assert_string_equal(output, "-v");
	assert_int_equal(verbose, 0);

	reset(NULL);
	run(0, "-qo");
	expect_error("switch 'o' requires a value");
}

static void test_long_values(void **state)
{
	(void)state;
	run(0, "--output=file");
	expect_args(0);
	assert_string_equal(output, "file");

	reset(NULL);
	run(0, "--output", "file");
	expect_args(0);
	assert_string_equal(output, "file");

	reset(NULL);
	run(0, "--output=");
	expect_args(0);
	assert_string_equal(output, "");

	reset(NULL);
	run(0, "--output=a=b");
	expect_args(0);
	assert_string_equal(output, "a=b");

	/* The later one wins. */
	reset(NULL);
	run(0, "--output=a", "-o", "b");
	expect_args(0);
	assert_string_equal(output, "b");

	reset(NULL);
	run(0, "--output");
	expect_error("option '--output' requires a value");
}

static void test_mixed_options_and_arguments(void **state)
{
	(void)state;
	run(0, "a", "-q", "b", "--output=x", "c", "-o", "y", "d");
	expect_args(4, "a", "b", "c", "d");
	assert_int_equal(quiet, 1);
	assert_string_equal(output, "y");

	/* Without the stop flag, a command's own options are ours. */
	reset(NULL);
	run(0, "-q", "ls", "-l");
	expect_error("unknown switch 'l'");
}

static void test_stop_at_non_option(void **state)
{
	(void)state;
	run(PARSE_OPT_STOP_AT_NON_OPTION, "-q", "ls", "-l", "--output", "x");
	expect_args(4, "ls", "-l", "--output", "x");
	assert_int_equal(quiet, 1);
	assert_null(output);

	reset(NULL);
	run(PARSE_OPT_STOP_AT_NON_OPTION, "ls", "-h");
	expect_args(2, "ls", "-h");

	/* A "--" after the command belongs to the command. */
	reset(NULL);
	run(PARSE_OPT_STOP_AT_NON_OPTION, "-v", "ls", "--", "-q");
	expect_args(3, "ls", "--", "-q");
	assert_int_equal(verbose, 1);
	assert_int_equal(quiet, 0);

	reset(NULL);
	run(PARSE_OPT_STOP_AT_NON_OPTION, "-q");
	expect_args(0);
}

static void test_double_dash(void **state)
{
	(void)state;
	run(0, "-q", "--", "-v", "x");
	expect_args(2, "-v", "x");
	assert_int_equal(quiet, 1);
	assert_int_equal(verbose, 0);

	reset(NULL);
	run(0, "a", "--", "--", "b");
	expect_args(3, "a", "--", "b");

	reset(NULL);
	run(0, "--");
	expect_args(0);

	reset(NULL);
	run(0, "--", "--help");
	expect_args(1, "--help");

	reset(NULL);
	run(PARSE_OPT_STOP_AT_NON_OPTION, "-q", "--", "ls", "-l");
	expect_args(2, "ls", "-l");

	reset(NULL);
	run(PARSE_OPT_STOP_AT_NON_OPTION, "--", "-v");
	expect_args(1, "-v");
	assert_int_equal(verbose, 0);
}

static void test_lone_dash_is_an_argument(void **state)
{
	(void)state;
	run(0, "-o", "-", "-", "-q");
	expect_args(1, "-");
	assert_string_equal(output, "-");
	assert_int_equal(quiet, 1);

	reset(NULL);
	run(PARSE_OPT_STOP_AT_NON_OPTION, "-", "-q");
	expect_args(2, "-", "-q");
	assert_int_equal(quiet, 0);
}

static void test_integers(void **state)
{
	(void)state;
	run(0, "-I", "100");
	expect_args(0);
	assert_int_equal(interval, 100);

	reset(NULL);
	run(0, "-I250");
	expect_args(0);
	assert_int_equal(interval, 250);

	reset(NULL);
	run(0, "--interval=1");
	expect_args(0);
	assert_int_equal(interval, 1);

	reset(NULL);
	run(0, "--interval", "3600000");
	expect_args(0);
	assert_int_equal(interval, 3600000);

	reset(NULL);
	run(0, "-I", "+7");
	expect_args(0);
	assert_int_equal(interval, 7);
}

/* Each bad value is refused with the same wording and leaves the value. */
static void test_integer_errors(void **state)
{
	static const char *const bad[] = {
		"0", "3600001", "-5", "abc", "", " 5", "5 ", "5x", "0x10", "1e3",
		"99999999999999999999", "-99999999999999999999",
	};
	char want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset(NULL);
		run(0, "-I", bad[i]);
		snprintf(want, sizeof(want),
			 "switch 'I' expects a number from 1 to 3600000, not '%s'", bad[i]);
		expect_error(want);
		assert_int_equal(interval, -1);
	}

	reset(NULL);
	run(0, "--interval=abc");
	expect_error("option '--interval' expects a number from 1 to 3600000, not 'abc'");

	reset(NULL);
	run(0, "-Iabc");
	expect_error("switch 'I' expects a number from 1 to 3600000, not 'abc'");

	reset(NULL);
	run(0, "--interval");
	expect_error("option '--interval' requires a value");
}

/* Overflow must be caught even where the bounds would not catch it. */
static void test_integer_full_range(void **state)
{
	static long any;
	static const struct option wide[] = {
		OPT_INTEGER(0, "any", &any, "n", LONG_MIN, LONG_MAX, "any long"),
		OPT_END(),
	};
	char want[256];

	(void)state;
	run_with(wide, 0, "--any=9223372036854775807", (const char *)NULL);
	expect_args(0);
	assert_true(any == LONG_MAX);

	reset(NULL);
	run_with(wide, 0, "--any", "-9223372036854775808", (const char *)NULL);
	expect_args(0);
	assert_true(any == LONG_MIN);

	reset(NULL);
	any = 5;
	run_with(wide, 0, "--any=9223372036854775808", (const char *)NULL);
	snprintf(want, sizeof(want),
		 "option '--any' expects a number from %ld to %ld, not '9223372036854775808'",
		 LONG_MIN, LONG_MAX);
	expect_error(want);
	assert_true(any == 5);

	reset(NULL);
	run_with(wide, 0, "--any=-9223372036854775809", (const char *)NULL);
	snprintf(want, sizeof(want),
		 "option '--any' expects a number from %ld to %ld, not '-9223372036854775809'",
		 LONG_MIN, LONG_MAX);
	expect_error(want);
	assert_true(any == 5);
}

/* --hot alone takes its default; --hot=N its value; the next word is
 * never taken (it is a file); the help says so. */
static void test_integer_optional(void **state)
{
	static long hot;
	static const struct option opts[] = {
		OPT_INTEGER_OPTARG(0, "hot", &hot, "n", 1, 1000, 20,
				   "the top <n> functions"),
		OPT_END(),
	};

	(void)state;
	hot = 0;
	run_with(opts, 0, "--hot", "pprobe.data", (const char *)NULL);
	expect_args(1, "pprobe.data");
	assert_int_equal(hot, 20);

	reset(NULL);
	run_with(opts, 0, "--hot=5", (const char *)NULL);
	expect_args(0);
	assert_int_equal(hot, 5);

	reset(NULL);
	hot = 7;
	run_with(opts, 0, "--hot=0", (const char *)NULL);
	expect_error("option '--hot' expects a number from 1 to 1000, not '0'");
	assert_int_equal(hot, 7);

	reset(NULL);
	run_with(opts, 0, "--ho", (const char *)NULL);
	assert_int_equal(hot, 20);

	reset(NULL);
	run_with(opts, 0, "-h", (const char *)NULL);
	assert_int_equal(r.ret, PARSE_OPT_HELP);
	assert_non_null(strstr(r.out, "    --hot[=<n>]"));
}

static void test_callbacks(void **state)
{
	(void)state;
	run(0, "-e", "cycles");
	expect_args(0);
	assert_int_equal(event_calls, 1);
	assert_string_equal(event_arg, "cycles");

	reset(NULL);
	run(0, "-ecycles", "--event=cs", "--event", "faults");
	expect_args(0);
	assert_int_equal(event_calls, 3);
	assert_string_equal(event_arg, "faults");

	reset(NULL);
	run(0, "--list");
	expect_args(0);
	assert_int_equal(list_calls, 1);
	assert_null(event_arg);

	reset(NULL);
	run(0, "--list=x");
	expect_error("option '--list' takes no value");
	assert_int_equal(list_calls, 0);

	reset(NULL);
	run(0, "-e");
	expect_error("switch 'e' requires a value");
	assert_int_equal(event_calls, 0);

	/* The callback's own message, then the usage lines. */
	reset(NULL);
	run(0, "-e", "bad", "-q");
	expect_error("unknown event 'bad'");
	assert_int_equal(quiet, 0);
}

static void test_abbreviations(void **state)
{
	(void)state;
	run(0, "--verb", "--inh", "--int=5", "--eve", "x");
	expect_args(0);
	assert_int_equal(verbose, 1);
	assert_int_equal(inherit, 1);
	assert_int_equal(interval, 5);
	assert_string_equal(event_arg, "x");

	/* An exact name is never ambiguous with the longer names it starts. */
	reset(NULL);
	run(0, "--output", "x");
	expect_args(0);
	assert_string_equal(output, "x");

	reset(NULL);
	run(0, "--output-", "d");
	expect_args(0);
	assert_string_equal(output_dir, "d");

	reset(NULL);
	run(0, "--in");
	expect_error("ambiguous option '--in' (could be --interval or --inherit)");

	reset(NULL);
	run(0, "--out=x");
	expect_error("ambiguous option '--out' (could be --output or --output-dir)");
	assert_null(output);

	reset(NULL);
	run(0, "--no-inh");
	expect_args(0);
	assert_int_equal(inherit, 0);

	/* Help is spelled out: "--he" is not a way to ask for it. */
	reset(NULL);
	run(0, "--he");
	expect_error("unknown option '--he'");
}

static int dummy_a, dummy_b, dummy_c;
static const struct option three[] = {
	OPT_BOOL(0, "foo", &dummy_a, "a"),
	OPT_BOOL(0, "foobar", &dummy_b, "b"),
	OPT_BOOL(0, "foobaz", &dummy_c, "c"),
	OPT_END(),
};

static void test_ambiguity_lists_every_candidate(void **state)
{
	(void)state;
	run_with(three, 0, "--fo", (const char *)NULL);
	expect_error("ambiguous option '--fo' (could be --foo, --foobar or --foobaz)");

	reset(NULL);
	run_with(three, 0, "--foob", (const char *)NULL);
	expect_error("ambiguous option '--foob' (could be --foobar or --foobaz)");

	reset(NULL);
	run_with(three, 0, "--no-fo", (const char *)NULL);
	expect_error("ambiguous option '--no-fo' (could be --no-foo, --no-foobar or --no-foobaz)");

	reset(NULL);
	dummy_a = dummy_b = dummy_c = 1;
	run_with(three, 0, "--foo", "--no-foobaz", (const char *)NULL);
	expect_args(0);
	assert_int_equal(dummy_a, 1);
	assert_int_equal(dummy_b, 1);
	assert_int_equal(dummy_c, 0);
}

static void test_negation(void **state)
{
	(void)state;
	run(0, "--inherit", "--no-inherit");
	expect_args(0);
	assert_int_equal(inherit, 0);

	reset(NULL);
	run(0, "--no-inherit", "--inherit");
	expect_args(0);
	assert_int_equal(inherit, 1);

	reset(NULL);
	quiet = 1;
	run(0, "--no-quiet");
	expect_args(0);
	assert_int_equal(quiet, 0);

	reset(NULL);
	run(0, "--quiet=1");
	expect_error("option '--quiet' takes no value");
	assert_int_equal(quiet, 0);

	reset(NULL);
	run(0, "--no-quiet=1");
	expect_error("option '--no-quiet' takes no value");

	/* Only a bool can be negated. */
	reset(NULL);
	run(0, "--no-output");
	expect_error("unknown option '--no-output'");

	reset(NULL);
	run(0, "--no-");
	expect_error("unknown option '--no-'");
}

static void test_unknown_options(void **state)
{
	(void)state;
	run(0, "--foo");
	expect_error("unknown option '--foo'");

	reset(NULL);
	run(0, "--foo=bar");
	expect_error("unknown option '--foo'");

	reset(NULL);
	run(0, "--=x");
	expect_error("unknown option '--=x'");

	reset(NULL);
	run(0, "-x");
	expect_error("unknown switch 'x'");

	reset(NULL);
	run(0, "-qx");
	expect_error("unknown switch 'x'");

	/* Options after the error are not applied. */
	reset(NULL);
	run(0, "-x", "-v");
	expect_error("unknown switch 'x'");
	assert_int_equal(verbose, 0);
}

static const char help_text[] =
	USAGE_LINES
	"\n"
	"    -q, --quiet           say less\n"
	"    -v, --verbose         say more\n"
	"    -o, --output <file>   write the recording to <file>\n"
	"    --output-dir <directory>\n"
	"                          write into <directory>\n"
	"    -I, --interval <ms>   sample every <ms> milliseconds\n"
	"    --inherit             count children too\n"
	"    -e, --event <events>  events to count\n"
	"    --list                list the events\n"
	"\n";

static void test_help(void **state)
{
	(void)state;
	run(0, "-h");
	assert_int_equal(r.ret, PARSE_OPT_HELP);
	assert_string_equal(r.out, help_text);
	assert_string_equal(r.err, "");

	reset(NULL);
	run(0, "-q", "--help", "--foo");
	assert_int_equal(r.ret, PARSE_OPT_HELP);
	assert_string_equal(r.out, help_text);
	assert_string_equal(r.err, "");

	reset(NULL);
	run(0, "-qh");
	assert_int_equal(r.ret, PARSE_OPT_HELP);

	reset(NULL);
	run(0, "--help=x");
	expect_error("option '--help' takes no value");
}

/* Odd widths: just under, at and over the help column; literal argh. */
static void test_help_layout(void **state)
{
	static int a;
	static const char *s;
	static const struct option layout[] = {
		OPT_BOOL('c', "per-core-counts", &a, "25 wide: one space"),
		OPT_BOOL('n', "null-workload", &a, "23 wide"),
		OPT_STRING('p', "pid", &s, "<pid>[,<pid>...]", "literal"),
		OPT_STRING('x', NULL, &s, "sep", "short only"),
		OPT_BOOL(0, "undocumented", &a, NULL),
		OPT_END(),
	};
	FILE *tmp;
	int fd;
	char out[MAX_OUTPUT];

	(void)state;
	fd = redirect(stdout, &tmp);
	if (fd < 0)
		fail_msg("cannot redirect output to a temporary file");
	usage_with_options(usage, layout, 0);
	restore(stdout, tmp, fd, out);
	assert_string_equal(out,
		USAGE_LINES
		"\n"
		"    -c, --per-core-counts 25 wide: one space\n"
		"    -n, --null-workload   23 wide\n"
		"    -p, --pid <pid>[,<pid>...]\n"
		"                          literal\n"
		"    -x <sep>              short only\n"
		"    --undocumented\n"
		"\n");
}

static void test_messages(void **state)
{
	FILE *tmp;
	int fd;
	char err[MAX_OUTPUT];
	int ret;

	(void)state;
	fd = redirect(stderr, &tmp);
	if (fd < 0)
		fail_msg("cannot redirect output to a temporary file");
	ret = error("cannot open '%s': %s", "x.data", "Permission denied");
	warning("%d events not counted", 2);
	note("see '%s'", "pprobe list");
	restore(stderr, tmp, fd, err);
	assert_int_equal(ret, -1);
	assert_string_equal(err,
		"error: cannot open 'x.data': Permission denied\n"
		"warning: 2 events not counted\n"
		"note: see 'pprobe list'\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_arguments, reset),
		cmocka_unit_test_setup(test_bundled_short_flags, reset),
		cmocka_unit_test_setup(test_short_values, reset),
		cmocka_unit_test_setup(test_long_values, reset),
		cmocka_unit_test_setup(test_mixed_options_and_arguments, reset),
		cmocka_unit_test_setup(test_stop_at_non_option, reset),
		cmocka_unit_test_setup(test_double_dash, reset),
		cmocka_unit_test_setup(test_lone_dash_is_an_argument, reset),
		cmocka_unit_test_setup(test_integers, reset),
		cmocka_unit_test_setup(test_integer_errors, reset),
		cmocka_unit_test_setup(test_integer_full_range, reset),
		cmocka_unit_test_setup(test_integer_optional, reset),
		cmocka_unit_test_setup(test_callbacks, reset),
		cmocka_unit_test_setup(test_abbreviations, reset),
		cmocka_unit_test_setup(test_ambiguity_lists_every_candidate, reset),
		cmocka_unit_test_setup(test_negation, reset),
		cmocka_unit_test_setup(test_unknown_options, reset),
		cmocka_unit_test_setup(test_help, reset),
		cmocka_unit_test_setup(test_help_layout, reset),
		cmocka_unit_test_setup(test_messages, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

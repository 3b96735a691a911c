/*
 * fuzz_report.c - `pprobe report` on a recording made of arbitrary bytes.
 *
 * The input is written to a memfd, and cmd_report(), the command itself,
 * reads it by its /proc/self/fd path, once for each output asked for.
 *
 * fuzz_report_one(): the outputs on standard output: text (also with
 * every run and process in full), --json, the four CSV tables, --hot as
 * text, JSON and CSV, and --folded. So the bytes go through the reader
 * (the header, the frames, every rec_decode_*()), the summary and its
 * runs, the process tree, the memory, the load and the repeated runs'
 * statistics, the profile's replay of mappings and samples into
 * functions and stacks, the scaling table, a second read for each
 * further variant, and every display of them.
 *
 * fuzz_charts_one(): the files, in one read: every chart as a small PNG
 * (the series, axes, envelopes, the hot functions and flame graph, the
 * comparisons and the scaling charts) and the time series as CSV files
 * (--csv DIR), into a directory of its own made on the first call and
 * removed at exit. Drawing takes milliseconds an input, ten times the
 * rest: a target of its own, so as not to slow the other down.
 *
 * What the report reads besides the input, the fuzzer must not steer
 * into a hang or a flood: the files MMAP records name are opened only
 * when they are regular files (symbols.c), and the kernel's symbols come
 * from the small fixed table fuzz/kallsyms rather than /proc/kallsyms,
 * which takes a tenth of a second to read (profile_set_kallsyms()).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "builtin.h"
#include "fuzz.h"
#include "profile.h"

/* The longest pass's words below, and the NULL after them. */
#define PASS_WORDS 8
/* In a pass, the word that stands for the output directory. */
#define OUTPUT_DIR "DIR"

/* The outputs of fuzz_report_one(), each one cmd_report() of the input. */
static const char *const report_passes[][PASS_WORDS] = {
	{ "report" },
	{ "report", "--per-run", "--no-collapse", "--top=0", "--sort=start" },
	{ "report", "--json" },
	{ "report", "--csv" },
	{ "report", "--csv", "--processes" },
	{ "report", "--csv", "--memory" },
	{ "report", "--csv", "--stats" },
	{ "report", "--hot" },
	{ "report", "--hot=3", "--json" },
	{ "report", "--hot", "--csv" },
	{ "report", "--folded" },
};

/* fuzz_charts_one()'s: the charts at their smallest, and the series. */
static const char *const chart_passes[][PASS_WORDS] = {
	{ "report", "--png", OUTPUT_DIR, "--size", "200x200", "--csv", OUTPUT_DIR },
};

/* The memfd holding the input: made once, rewritten for each input. */
static int input_fd = -1;
/* fuzz_charts_one()'s output directory, "" until made. */
static char output_dir[PATH_MAX];

/* Makes the memfd hold exactly data. Returns 0 or -errno. */
static int set_input(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (input_fd < 0) {
		input_fd = memfd_create("pprobe-fuzz-input", MFD_CLOEXEC);
		if (input_fd < 0)
			return -errno;
	}
	if (ftruncate(input_fd, 0) < 0)
		return -errno;
	while (done < size) {
		ssize_t n = pwrite(input_fd, data + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* The input through cmd_report() once per pass. Returns 0 or -errno. */
static int run_passes(const uint8_t *data, size_t size,
		      const char *const (*passes)[PASS_WORDS], size_t nr)
{
	char path[64];
	int ret = set_input(data, size);

	if (ret < 0)
		return ret;
	profile_set_kallsyms(FUZZ_KALLSYMS);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", input_fd);
	for (size_t i = 0; i < nr; i++) {
		const char *argv[PASS_WORDS + 1];
		int argc = 0;

		/* cmd_report() moves the words of its argv about: a copy. */
		for (; passes[i][argc]; argc++)
			argv[argc] = strcmp(passes[i][argc], OUTPUT_DIR) ?
				     passes[i][argc] : output_dir;
		argv[argc++] = path;
		argv[argc] = NULL;
		cmd_report(argc, argv);
	}
	return 0;
}

int fuzz_report_one(const uint8_t *data, size_t size)
{
	return run_passes(data, size, report_passes,
			  sizeof(report_passes) / sizeof(report_passes[0]));
}

/* At exit: the charts and CSV files of the last input, and their directory. */
static void remove_output_dir(void)
{
	DIR *dir = opendir(output_dir);
	struct dirent *d;
	char path[sizeof(output_dir) + NAME_MAX + 1];

	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", output_dir, d->d_name);
		unlink(path);
	}
	closedir(dir);
	rmdir(output_dir);
}

int fuzz_charts_one(const uint8_t *data, size_t size)
{
	if (!output_dir[0]) {
		const char *tmp = getenv("TMPDIR");
		size_t n;

		n = (size_t)snprintf(output_dir, sizeof(output_dir), "%s/pprobe-fuzz-XXXXXX",
				     tmp && *tmp ? tmp : "/tmp");
		if (n >= sizeof(output_dir)) {
			output_dir[0] = '\0';
			return -ENAMETOOLONG;
		}
		if (!mkdtemp(output_dir)) {
			output_dir[0] = '\0';
			return -errno;
		}
		atexit(remove_output_dir);
	}
	return run_passes(data, size, chart_passes,
			  sizeof(chart_passes) / sizeof(chart_passes[0]));
}

/*
 * test_e2e_charts.c - end-to-end tests of the charts (`pprobe report --png
 * DIR`, --svg, --pdf, --size) and of the time series written as CSV files
 * (`pprobe report --csv DIR`): real recordings of real workloads, read
 * back the way a person would see them.
 *
 * A chart is checked by its pixels, not by its code: the report draws
 * data opaque in exactly the colours of report/palette.h, so a test
 * counts the pixels within COLOUR_TOLERANCE of a colour. That says the
 * data was drawn, not where: the palette has seven colours, so one colour
 * can stand for two series of a chart (user CPU and the rss backend are
 * both blue; hwm and involuntary context switches both orange). Where
 * that matters the check is made stronger than a count:
 *
 *  - user CPU is a filled area, and no line is: the test counts the pixel
 *    columns holding a vertical run of its colour 1/AREA_RUN_DIVISOR of
 *    the chart's height long (10 pixels at 900, where the CPU panel is 110
 *    pixels for 0-4 CPUs; 5 at 450, 50 pixels for 0-5 CPUs: half a CPU,
 *    so that burn still fills it on a machine busy with something else,
 *    which can leave it one CPU of two). A 2-pixel line makes such runs
 *    only where it is steep, and a legend's swatch in its few columns: up
 *    to 75 columns in memory-usage-comparison.png, where rss is the only
 *    blue; the area of burn's CPU fills 500 of 800 columns, 1150 of 1600.
 *    At least 1/AREA_DIVISOR of the chart's width is asked.
 *  - the memory backends are also checked in memory-usage-comparison.png,
 *    where nothing but memory is drawn.
 *
 * The thresholds sit between what the decorations of a chart make in a
 * data colour and what its data makes, both of which scale with the
 * chart. A line's colour is also in its legend's swatch, its end markers
 * and its peak label: 80-140 pixels at 800x450 and 200-420 at 1600x900 in
 * the charts of `true`, which have no line to speak of; the lines of A
 * make 650-1100 pixels at 800x450 and 2000-3600 at 1600x900. So a line
 * must show LINE_MIN_PIXELS at the default width, in proportion at
 * others. A bar is thousands of pixels.
 *
 * The recordings: A is `burn 2 0.4` beside `spike 32 64` under one shell
 * (two busy CPUs for 0.4 s, 32 MiB held for 0.5 s with a 64 MiB spike,
 * three commands), B is `forktree 20 2` (60 short processes of 10 ms CPU
 * and 4 MiB each), both read every 10 ms with the rss and hwm backends,
 * about half a second each. They are recorded once, when a test first needs
 * them, and shared. Every wait is bounded; the whole file takes a few
 * seconds, and every file goes in $PPROBE_TMPDIR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "palette.h"

#define RUN_TIMEOUT 30.0        /* seconds, for any one command */

#define DEFAULT_WIDTH 1600
#define DEFAULT_HEIGHT 900

/* Pixel checks: see the top of the file. */
#define COLOUR_TOLERANCE 8      /* per channel, either way */
#define AREA_RUN_DIVISOR 90     /* a column is "filled" by height / this pixels */
#define AREA_DIVISOR 8          /* filled columns asked: width / this */
#define LINE_MIN_PIXELS 900     /* of a line's colour, at the default width */
#define BAR_MIN_PIXELS 500      /* of a bar's colour */
#define SWATCH_MIN_PIXELS 20    /* a colour in a legend, at least */
#define SATURATED_MIN_PIXELS 1000
#define SATURATION_MIN 0.35     /* (max - min) / max of the channels */

/* The workloads, each about half a second (top of the file). */
#define A_SHELL "\"$0\" 2 0.4 & \"$1\" 32 64; wait"
#define B_CHILDREN "20"
#define B_GRANDCHILDREN "2"
#define B_PROCESSES 60          /* 20 children with 2 grandchildren each */
#define RECORD_OPTIONS "-q", "-I", "10", "--proc-interval", "10", "--mem", "rss,hwm"

/* The memory backends recorded, and their index in palette_memory[]. */
#define MEM_RSS 0
#define MEM_HWM 2

#define NR_SINGLE_CHARTS 5
static const char *const single_charts[NR_SINGLE_CHARTS] = {
	"timeline", "processes", "memory-usage-comparison",
	"execution-time-comparison", "counters-comparison",
};

#define NR_COMPARISON_CHARTS 3
static const char *const comparison_charts[NR_COMPARISON_CHARTS] = {
	"memory-usage-comparison", "execution-time-comparison", "counters-comparison",
};

/* ---- files and directories ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/*
 * A fresh path in the scratch dir, nothing there: h_tmp_path() unlinks a
 * file, but a directory of charts left by an earlier run of this binary
 * (the names repeat from run to run) must go with its contents. Skips
 * the test when $PPROBE is not set.
 */
static char *fresh_path(const char *name)
{
	char *path;

	/* Every test runs pprobe: without it, skip before making files. */
	h_pprobe_or_skip();
	path = h_tmp_path(name);
	assert_non_null(path);
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
		fail_msg("cannot remove '%s' from an earlier run: %s", path, strerror(errno));
	return path;
}

static int name_in(const char *name, char names[][64], size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

/*
 * Fails unless dir holds exactly the nr names, nothing more (no temporary
 * file left by the atomic writes) and nothing less.
 */
static void assert_dir_holds(const char *dir, char names[][64], size_t nr)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t i, found = 0;
	int ok = 1;

	if (!d)
		fail_msg("cannot open '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (name_in(e->d_name, names, nr)) {
			found++;
		} else {
			print_message("%s holds '%s', which is not one of the files expected\n",
				      dir, e->d_name);
			ok = 0;
		}
	}
	closedir(d);
	if (found != nr) {
		for (i = 0; i < nr; i++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if (!h_file_exists(path))
				print_message("%s has no '%s'\n", dir, names[i]);
		}
		ok = 0;
	}
	if (!ok)
		fail_msg("'%s' does not hold exactly the %zu files expected", dir, nr);
}

/* Fails unless stderr has a line `wrote 'DIR/NAME'`. */
static void assert_wrote(const struct h_result *r, const char *dir, const char *name)
{
	char line[4200];

	snprintf(line, sizeof(line), "wrote '%s/%s'\n", dir, name);
	if (!strstr(r->err, line)) {
		h_show("pprobe report", r);
		fail_msg("stderr has no line \"%.*s\"", (int)strlen(line) - 1, line);
	}
}

/* Lines of stderr that start with "wrote '". */
static size_t count_wrote(const struct h_result *r)
{
	const char *line;
	size_t n = 0;

	for (line = r->err; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "")
		n += !strncmp(line, "wrote '", 7);
	return n;
}

/* Each of names with the extension ext appended, into out. */
static size_t chart_names(char out[][64], const char *const *names, size_t nr, const char *ext)
{
	size_t i;

	for (i = 0; i < nr; i++)
		snprintf(out[i], 64, "%s.%s", names[i], ext);
	return nr;
}

/* ---- running pprobe ---- */

static void run(const struct h_args *a, struct h_result *r)
{
	assert_int_equal(h_run(a->v, RUN_TIMEOUT, r), 0);
}

/*
 * Records cmd (NULL-terminated) with RECORD_OPTIONS into a fresh file.
 * These recordings are what the charts are drawn from, so pprobe makes
 * them natively even under valgrind (make test-valgrind), which checks
 * the report here and the recording in the other end-to-end tests: slowed
 * down, pprobe took two readings of B in its 0.8 s, and B's lines were
 * all but empty.
 */
static char *record(const char *file, const char *label, const char *const *cmd)
{
	struct h_args a = { 0 };
	struct h_result r;
	char *data = fresh_path(file);
	int i;

	h_args_push(&a, h_pprobe_or_skip(), "record", RECORD_OPTIONS, "-o", data, NULL);
	if (label)
		h_args_push(&a, "--label", label, NULL);
	h_args_push(&a, "--", NULL);
	for (i = 0; cmd[i]; i++)
		h_args_push(&a, cmd[i], NULL);
	assert_int_equal(h_run_native(a.v, RUN_TIMEOUT, &r), 0);
	h_assert_exit("pprobe record", &r, 0);
	h_result_release(&r);
	return data;
}

/* The shared recordings (top of the file), made on first use. */
static char *recording_a_path, *recording_b_path;

static const char *recording_a(void)
{
	char burn[4096], spike[4096];
	const char *cmd[] = { "sh", "-c", A_SHELL, burn, spike, NULL };

	if (!recording_a_path) {
		snprintf(burn, sizeof(burn), "%s", h_workload("burn"));
		snprintf(spike, sizeof(spike), "%s", h_workload("spike"));
		recording_a_path = record("a.data", "A", cmd);
	}
	return recording_a_path;
}

static const char *recording_b(void)
{
	if (!recording_b_path) {
		const char *cmd[] = { h_workload("forktree"), B_CHILDREN, B_GRANDCHILDREN, NULL };

		recording_b_path = record("b.data", "B", cmd);
	}
	return recording_b_path;
}

static int release_recordings(void **state)
{
	(void)state;
	free(recording_a_path);
	free(recording_b_path);
	recording_a_path = recording_b_path = NULL;
	return 0;
}

/* ---- reading a chart ---- */

struct chart {
	char path[4096];
	cairo_surface_t *surface;
	int width, height, stride;
	int has_alpha;            /* CAIRO_FORMAT_ARGB32 */
	const unsigned char *data;
};

/* Loads a PNG with cairo; fails the test when it is not a valid PNG. */
static void chart_load(struct chart *c, const char *dir, const char *name)
{
	cairo_status_t status;
	cairo_format_t format;

	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s/%s", dir, name);
	c->surface = cairo_image_surface_create_from_png(c->path);
	status = cairo_surface_status(c->surface);
	if (status != CAIRO_STATUS_SUCCESS)
		fail_msg("'%s' is not a PNG cairo can read: %s", c->path,
			 cairo_status_to_string(status));
	format = cairo_image_surface_get_format(c->surface);
	if (format != CAIRO_FORMAT_ARGB32 && format != CAIRO_FORMAT_RGB24)
		fail_msg("'%s' loads as cairo format %d, not RGB", c->path, (int)format);
	cairo_surface_flush(c->surface);
	c->has_alpha = format == CAIRO_FORMAT_ARGB32;
	c->width = cairo_image_surface_get_width(c->surface);
	c->height = cairo_image_surface_get_height(c->surface);
	c->stride = cairo_image_surface_get_stride(c->surface);
	c->data = cairo_image_surface_get_data(c->surface);
	assert_non_null(c->data);
}

static void chart_release(struct chart *c)
{
	cairo_surface_destroy(c->surface);
	c->surface = NULL;
}

/*
 * The pixel at (x, y) as 0xRRGGBB, or -1 when it is not opaque (the
 * channels of a translucent ARGB32 pixel are premultiplied: not the
 * colour drawn).
 */
static long chart_pixel(const struct chart *c, int x, int y)
{
	uint32_t px = ((const uint32_t *)(c->data + (size_t)y * (size_t)c->stride))[x];

	if (c->has_alpha && px >> 24 != 0xFF)
		return -1;
	return (long)(px & 0xFFFFFFu);
}

static int channel_near(long px, uint32_t rgb, int shift)
{
	int a = (int)((px >> shift) & 0xFF), b = (int)((rgb >> shift) & 0xFF);

	return abs(a - b) <= COLOUR_TOLERANCE;
}

static int colour_near(long px, uint32_t rgb)
{
	return px >= 0 && channel_near(px, rgb, 16) && channel_near(px, rgb, 8) &&
	       channel_near(px, rgb, 0);
}

/* Pixels within COLOUR_TOLERANCE of rgb. */
static long chart_count(const struct chart *c, uint32_t rgb)
{
	long n = 0;
	int x, y;

	for (y = 0; y < c->height; y++)
		for (x = 0; x < c->width; x++)
			n += colour_near(chart_pixel(c, x, y), rgb);
	return n;
}

/* Columns holding a vertical run of at least min_run pixels near rgb. */
static long chart_filled_columns(const struct chart *c, uint32_t rgb, int min_run)
{
	long columns = 0;
	int x, y, run_length;

	for (x = 0; x < c->width; x++) {
		run_length = 0;
		for (y = 0; y < c->height; y++) {
			run_length = colour_near(chart_pixel(c, x, y), rgb) ? run_length + 1 : 0;
			if (run_length >= min_run) {
				columns++;
				break;
			}
		}
	}
	return columns;
}

/* Pixels of a saturated colour: not white, grey or black, nor a pale tint. */
static long chart_saturated(const struct chart *c)
{
	long n = 0, px;
	int x, y, r, g, b, max, min;

	for (y = 0; y < c->height; y++) {
		for (x = 0; x < c->width; x++) {
			px = chart_pixel(c, x, y);
			if (px < 0)
				continue;
			r = (int)(px >> 16) & 0xFF;
			g = (int)(px >> 8) & 0xFF;
			b = (int)px & 0xFF;
			max = r > g ? (r > b ? r : b) : (g > b ? g : b);
			min = r < g ? (r < b ? r : b) : (g < b ? g : b);
			n += max >= 48 && (double)(max - min) / max >= SATURATION_MIN;
		}
	}
	return n;
}

/* Fails unless the chart is width x height. */
static void chart_assert_size(const struct chart *c, int width, int height)
{
	if (c->width != width || c->height != height)
		fail_msg("'%s' is %dx%d, expected %dx%d", c->path, c->width, c->height, width,
			 height);
}

/*
 * Fails unless the chart has at least min pixels near rgb; the count is
 * printed whatever the outcome, so a log shows how far from the line it was.
 */
static void chart_assert_colour(const struct chart *c, const char *what, uint32_t rgb, long min)
{
	long n = chart_count(c, rgb);

	print_message("  %s: %ld pixels of %s (#%06X), at least %ld asked: %s\n", c->path, n,
		      what, (unsigned)rgb, min, n >= min ? "ok" : "FAIL");
	if (n < min)
		fail_msg("'%s' shows too little of %s (#%06X): %ld pixels", c->path, what,
			 (unsigned)rgb, n);
}

/* Loads every chart of names (with ext) in dir and checks its size. */
static void assert_charts_valid(const char *dir, char names[][64], size_t nr, int width,
				int height)
{
	struct chart c;
	size_t i;

	for (i = 0; i < nr; i++) {
		chart_load(&c, dir, names[i]);
		chart_assert_size(&c, width, height);
		chart_release(&c);
	}
}

/*
 * The checks of the charts of recording A alone, in a chart of width x
 * height: user CPU as an area, the memory backends as lines, the
 * processes as saturated bars, A's colour in the comparisons.
 */
static void assert_single_charts_show_a(const char *dir, int width, int height)
{
	long area_min = width / AREA_DIVISOR, filled, scale_min, rss, hwm;
	long line_min = (long)LINE_MIN_PIXELS * width / DEFAULT_WIDTH;
	int run_min = height / AREA_RUN_DIVISOR;
	struct chart c;

	/* Thresholds scale with the area, from the default size's. */
	scale_min = (long)((double)width * height / (DEFAULT_WIDTH * DEFAULT_HEIGHT) *
			   SATURATED_MIN_PIXELS);

	chart_load(&c, dir, "timeline.png");
	chart_assert_size(&c, width, height);
	chart_assert_colour(&c, "user CPU", PALETTE_CPU_USER, line_min);
	filled = chart_filled_columns(&c, PALETTE_CPU_USER, run_min);
	print_message("  %s: %ld columns hold %d+ pixels of user CPU on end (at least %ld asked): %s\n",
		      c.path, filled, run_min, area_min, filled >= area_min ? "ok" : "FAIL");
	if (filled < area_min)
		fail_msg("user CPU is not a filled area in '%s': %ld columns of %d+ pixels",
			 c.path, filled, run_min);
	chart_assert_colour(&c, "the hwm line", palette_memory[MEM_HWM], line_min);
	chart_release(&c);

	chart_load(&c, dir, "memory-usage-comparison.png");
	chart_assert_size(&c, width, height);
	/*
	 * Where the backends agree (rss and hwm on the 32 MiB base, often) the
	 * line drawn last hides the other: together they make a line, and
	 * each is at least in the legend.
	 */
	rss = chart_count(&c, palette_memory[MEM_RSS]);
	hwm = chart_count(&c, palette_memory[MEM_HWM]);
	print_message("  %s: %ld pixels of rss (#%06X) and %ld of hwm (#%06X), at least %ld together and %d each asked: %s\n",
		      c.path, rss, (unsigned)palette_memory[MEM_RSS], hwm,
		      (unsigned)palette_memory[MEM_HWM], line_min, SWATCH_MIN_PIXELS,
		      rss + hwm >= line_min && rss >= SWATCH_MIN_PIXELS &&
		      hwm >= SWATCH_MIN_PIXELS ? "ok" : "FAIL");
	if (rss + hwm < line_min || rss < SWATCH_MIN_PIXELS || hwm < SWATCH_MIN_PIXELS)
		fail_msg("'%s' does not show the rss and hwm lines", c.path);
	chart_release(&c);

	chart_load(&c, dir, "processes.png");
	chart_assert_size(&c, width, height);
	filled = chart_saturated(&c);
	print_message("  %s: %ld saturated pixels (at least %ld asked): %s\n", c.path, filled,
		      scale_min, filled >= scale_min ? "ok" : "FAIL");
	if (filled < scale_min)
		fail_msg("'%s' has no bars: %ld saturated pixels", c.path, filled);
	chart_release(&c);

	chart_load(&c, dir, "execution-time-comparison.png");
	chart_assert_size(&c, width, height);
	chart_assert_colour(&c, "A's wall bar", palette_recording(0), BAR_MIN_PIXELS);
	chart_release(&c);

	chart_load(&c, dir, "counters-comparison.png");
	chart_assert_size(&c, width, height);
	chart_assert_colour(&c, "A's bars", palette_recording(0), BAR_MIN_PIXELS);
	chart_release(&c);
}

/* ---- the charts of one recording ---- */

static void test_png_one_recording(void **state)
{
	const char *data = recording_a();
	char *dir = fresh_path("charts-one");
	char names[NR_SINGLE_CHARTS][64];
	struct h_args a = { 0 };
	struct h_result r;
	size_t i;

	(void)state;
	chart_names(names, single_charts, NR_SINGLE_CHARTS, "png");
	h_args_push(&a, h_pprobe_or_skip(), "report", "--png", dir, data, NULL);
	run(&a, &r);
	h_assert_exit("pprobe report --png", &r, 0);
	/* The text report is still printed. */
	if (!strstr(r.out, "task-clock"))
		fail_msg("no text report on stdout with --png");
	for (i = 0; i < NR_SINGLE_CHARTS; i++)
		assert_wrote(&r, dir, names[i]);
	/* A line per chart, and no more (notes may go there too). */
	assert_int_equal(count_wrote(&r), NR_SINGLE_CHARTS);
	assert_dir_holds(dir, names, NR_SINGLE_CHARTS);
	assert_single_charts_show_a(dir, DEFAULT_WIDTH, DEFAULT_HEIGHT);
	h_result_release(&r);
	free(dir);
}

static void test_png_size(void **state)
{
	const char *data = recording_a();
	char *dir = fresh_path("charts-small");
	char names[NR_SINGLE_CHARTS][64];
	struct h_args a = { 0 };
	struct h_result r;

	(void)state;
	chart_names(names, single_charts, NR_SINGLE_CHARTS, "png");
	h_args_push(&a, h_pprobe_or_skip(), "report", "--png", dir, "--size", "800x450", data,
		    NULL);
	run(&a, &r);
	h_assert_exit("pprobe report --png --size 800x450", &r, 0);
	assert_dir_holds(dir, names, NR_SINGLE_CHARTS);
	assert_single_charts_show_a(dir, 800, 450);
	h_result_release(&r);
	free(dir);
}

/* ---- comparing two recordings ---- */

static void test_png_two_recordings(void **state)
{
	const char *data_a = recording_a(), *data_b = recording_b();
	char *dir = fresh_path("charts-two");
	char names[NR_COMPARISON_CHARTS + 4][64];
	struct h_args a = { 0 };
	struct h_result r;
	struct chart c;
	size_t i, nr;

	(void)state;
	nr = chart_names(names, comparison_charts, NR_COMPARISON_CHARTS, "png");
	snprintf(names[nr++], 64, "timeline-A.png");
	snprintf(names[nr++], 64, "processes-A.png");
	snprintf(names[nr++], 64, "timeline-B.png");
	snprintf(names[nr++], 64, "processes-B.png");

	h_args_push(&a, h_pprobe_or_skip(), "report", "--png", dir, data_a, data_b, NULL);
	run(&a, &r);
	h_assert_exit("pprobe report --png A B", &r, 0);
	for (i = 0; i < nr; i++)
		assert_wrote(&r, dir, names[i]);
	assert_dir_holds(dir, names, nr);
	assert_charts_valid(dir, names, nr, DEFAULT_WIDTH, DEFAULT_HEIGHT);

	chart_load(&c, dir, "execution-time-comparison.png");
	chart_assert_colour(&c, "A's wall bar", palette_recording(0), BAR_MIN_PIXELS);
	chart_assert_colour(&c, "B's wall bar", palette_recording(1), BAR_MIN_PIXELS);
	chart_release(&c);

	chart_load(&c, dir, "memory-usage-comparison.png");
	chart_assert_colour(&c, "A's memory", palette_recording(0), LINE_MIN_PIXELS);
	chart_assert_colour(&c, "B's memory", palette_recording(1), LINE_MIN_PIXELS);
	chart_release(&c);

	chart_load(&c, dir, "counters-comparison.png");
	chart_assert_colour(&c, "A's bars", palette_recording(0), BAR_MIN_PIXELS);
	chart_assert_colour(&c, "B's bars", palette_recording(1), BAR_MIN_PIXELS);
	chart_release(&c);

	/* Each recording's own timeline shows its own CPU. */
	chart_load(&c, dir, "timeline-A.png");
	chart_assert_colour(&c, "A's user CPU", PALETTE_CPU_USER, LINE_MIN_PIXELS);
	chart_release(&c);
	chart_load(&c, dir, "timeline-B.png");
	chart_assert_colour(&c, "B's user CPU", PALETTE_CPU_USER, LINE_MIN_PIXELS);
	chart_release(&c);
	h_result_release(&r);
	free(dir);
}

/* ---- almost nothing recorded; names ---- */

/*
 * `true` lives for a millisecond: one reading, or none between the start
 * and the end. Every chart is still written (its panels say there is no
 * data). Then two such recordings side by side, one unlabelled, named
 * after its file, and one with a label that is no file name.
 */
static void test_png_almost_empty(void **state)
{
	const char *cmd[] = { "true", NULL };
	char *data = record("true run+1.data", NULL, cmd);
	char *odd = record("odd.data", "x/y z", cmd);
	char *dir = fresh_path("charts-true"), *dir2 = fresh_path("charts-names");
	char names[NR_COMPARISON_CHARTS + 4][64], *base;
	struct h_recording *rec;
	struct h_args a = { 0 };
	struct h_result r;
	size_t nr;

	(void)state;
	rec = calloc(1, sizeof(*rec));
	assert_non_null(rec);
	assert_int_equal(h_recording_load(data, rec), 0);
	print_message("a recording of true: %d COUNTS records (%d final)\n", rec->nr_counts,
		      rec->nr_counts_final);
	free(rec);
	nr = chart_names(names, single_charts, NR_SINGLE_CHARTS, "png");
	h_args_push(&a, h_pprobe_or_skip(), "report", "--png", dir, data, NULL);
	run(&a, &r);
	h_assert_exit("pprobe report --png (a recording of true)", &r, 0);
	assert_dir_holds(dir, names, nr);
	assert_charts_valid(dir, names, nr, DEFAULT_WIDTH, DEFAULT_HEIGHT);
	h_result_release(&r);

	/* "<NNN>-true run+1.data" is named "<NNN>-true_run_1". */
	base = strrchr(data, '/') + 1;
	nr = chart_names(names, comparison_charts, NR_COMPARISON_CHARTS, "png");
	snprintf(names[nr++], 64, "timeline-%.3s-true_run_1.png", base);
	snprintf(names[nr++], 64, "processes-%.3s-true_run_1.png", base);
	snprintf(names[nr++], 64, "timeline-x_y_z.png");
	snprintf(names[nr++], 64, "processes-x_y_z.png");
	a.n = 0;
	h_args_push(&a, h_pprobe_or_skip(), "report", "--png", dir2, data, odd, NULL);
	run(&a, &r);
	h_assert_exit("pprobe report --png (two recordings of true)", &r, 0);
	assert_dir_holds(dir2, names, nr);
	assert_charts_valid(dir2, names, nr, DEFAULT_WIDTH, DEFAULT_HEIGHT);
	h_result_release(&r);
	free(data);
	free(odd);
	free(dir);
	free(dir2);
}

/* ---- SVG and PDF ---- */

/* Fails unless every file of names in dir starts with one of the prefixes. */
static void assert_files_start(const char *dir, char names[][64], size_t nr,
			       const char *prefix, const char *prefix2)
{
	char path[4200], *text;
	size_t i, len;

	for (i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		text = h_read_file(path, &len);
		assert_non_null(text);
		if (strncmp(text, prefix, strlen(prefix)) &&
		    (!prefix2 || strncmp(text, prefix2, strlen(prefix2))))
			fail_msg("'%s' does not start with \"%s\"%s%s%s: \"%.16s\"", path, prefix,
				 prefix2 ? " or \"" : "", prefix2 ? prefix2 : "",
				 prefix2 ? "\"" : "", text);
		if (len < 200)
			fail_msg("'%s' is only %zu bytes", path, len);
		free(text);
	}
}

static void test_svg_pdf(void **state)
{
	const char *data = recording_a();
	char *svg_dir = fresh_path("charts-svg"), *pdf_dir = fresh_path("charts-pdf");
	char *png_dir = fresh_path("charts-png");
	char svg[NR_SINGLE_CHARTS][64], pdf[NR_SINGLE_CHARTS][64], png[NR_SINGLE_CHARTS][64];
	struct h_args a = { 0 };
	struct h_result r;
	size_t i;

	(void)state;
	chart_names(svg, single_charts, NR_SINGLE_CHARTS, "svg");
	chart_names(pdf, single_charts, NR_SINGLE_CHARTS, "pdf");
	chart_names(png, single_charts, NR_SINGLE_CHARTS, "png");
	h_args_push(&a, h_pprobe_or_skip(), "report", "--svg", svg_dir, "--pdf", pdf_dir,
		    "--png", png_dir, data, NULL);
	run(&a, &r);
	h_assert_exit("pprobe report --svg --pdf --png", &r, 0);
	for (i = 0; i < NR_SINGLE_CHARTS; i++) {
		assert_wrote(&r, svg_dir, svg[i]);
		assert_wrote(&r, pdf_dir, pdf[i]);
		assert_wrote(&r, png_dir, png[i]);
	}
	assert_dir_holds(svg_dir, svg, NR_SINGLE_CHARTS);
	assert_dir_holds(pdf_dir, pdf, NR_SINGLE_CHARTS);
	assert_dir_holds(png_dir, png, NR_SINGLE_CHARTS);
	assert_files_start(svg_dir, svg, NR_SINGLE_CHARTS, "<?xml", "<svg");
	assert_files_start(pdf_dir, pdf, NR_SINGLE_CHARTS, "%PDF-", NULL);
	assert_charts_valid(png_dir, png, NR_SINGLE_CHARTS, DEFAULT_WIDTH, DEFAULT_HEIGHT);
	h_result_release(&r);
	free(svg_dir);
	free(pdf_dir);
	free(png_dir);
}

/* ---- errors ---- */

static void test_size_usage_errors(void **state)
{
	static const char *const bad[] = { "10x10", "abc", "199x900", "1600x10001", "1600",
					   "1600x", "x900", "-800x450", "800x450x2" };
	const char *data = recording_a();
	char *dir = fresh_path("charts-bad-size"), *ok_dir = fresh_path("charts-edges");
	char names[NR_SINGLE_CHARTS][64];
	struct h_args a = { 0 };
	struct h_result r;
	struct chart c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.n = 0;
		h_args_push(&a, h_pprobe_or_skip(), "report", "--png", dir, "--size", bad[i],
			    data, NULL);
		run(&a, &r);
		print_message("--size %s: exit %d, stderr: %s", bad[i], r.exit_code, r.err);
		h_assert_exit("pprobe report --size (bad)", &r, 129);
		if (h_file_exists(dir))
			fail_msg("--size %s: '%s' was created after a usage error", bad[i], dir);
		h_result_release(&r);
	}

	/* The edges of the range are accepted. */
	chart_names(names, single_charts, NR_SINGLE_CHARTS, "png");
	a.n = 0;
	h_args_push(&a, h_pprobe_or_skip(), "report", "--png", ok_dir, "--size", "200x10000",
		    data, NULL);
	run(&a, &r);
	h_assert_exit("pprobe report --size 200x10000", &r, 0);
	assert_dir_holds(ok_dir, names, NR_SINGLE_CHARTS);
	chart_load(&c, ok_dir, "timeline.png");
	chart_assert_size(&c, 200, 10000);
	chart_release(&c);
	h_result_release(&r);
	free(dir);
	free(ok_dir);
}

/*
 * A DIR that cannot be made (its parent is a regular file): exit 1, one
 * line on stderr saying so, and no file anywhere, the regular file
 * unchanged.
 */
static void test_png_unwritable(void **state)
{
	const char *data = recording_a();
	char *parent = fresh_path("charts-blocked"), plain[4200], dir[4300];
	char parent_holds[1][64] = { "plain" };
	struct h_args a = { 0 };
	struct h_result r;
	char *text;

	(void)state;
	assert_int_equal(mkdir(parent, 0755), 0);
	snprintf(plain, sizeof(plain), "%s/plain", parent);
	assert_int_equal(h_write_file(plain, "not a directory\n", 16), 0);
	snprintf(dir, sizeof(dir), "%s/charts", plain);

	h_args_push(&a, h_pprobe_or_skip(), "report", "--png", dir, data, NULL);
	run(&a, &r);
	print_message("--png under a regular file: exit %d, stderr: %s", r.exit_code, r.err);
	h_assert_exit("pprobe report --png (under a regular file)", &r, 1);
	if (h_count_lines(r.err) != 1 || !strstr(r.err, plain))
		fail_msg("stderr is not one line naming the path: \"%s\"", r.err);
	assert_dir_holds(parent, parent_holds, 1);
	text = h_read_file(plain, NULL);
	assert_non_null(text);
	assert_string_equal(text, "not a directory\n");
	free(text);
	h_result_release(&r);
	free(parent);
}

/*
 * A chart's own name taken by a directory: the rename cannot replace it.
 * The run fails, says which, and leaves no temporary file behind; the
 * directory is untouched.
 */
static void test_png_rename_fails(void **state)
{
	const char *data = recording_a();
	char *dir = fresh_path("charts-taken"), blocker[4200], inside[4300];
	char allowed[NR_SINGLE_CHARTS][64];
	struct h_args a = { 0 };
	struct h_result r;
	DIR *d;
	struct dirent *e;

	(void)state;
	chart_names(allowed, single_charts, NR_SINGLE_CHARTS, "png");
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(blocker, sizeof(blocker), "%s/timeline.png", dir);
	assert_int_equal(mkdir(blocker, 0755), 0);
	snprintf(inside, sizeof(inside), "%s/keep", blocker);
	assert_int_equal(h_write_file(inside, "x", 1), 0);

	h_args_push(&a, h_pprobe_or_skip(), "report", "--png", dir, data, NULL);
	run(&a, &r);
	print_message("--png with timeline.png a directory: exit %d, stderr: %s", r.exit_code,
		      r.err);
	h_assert_exit("pprobe report --png (timeline.png a directory)", &r, 1);
	if (!strstr(r.err, "timeline.png"))
		fail_msg("stderr does not name timeline.png: \"%s\"", r.err);
	assert_true(h_file_exists(inside));
	/* Only charts (and the directory in the way): no temporary file. */
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    !name_in(e->d_name, allowed, NR_SINGLE_CHARTS))
			fail_msg("'%s' holds '%s' after a failed write", dir, e->d_name);
	closedir(d);
	h_result_release(&r);
	free(dir);
}

/*
 * One good file and one missing: the missing one is an error (exit 1,
 * named on stderr) but the good one still gets its charts, under the
 * names of a run given two files: naming by what was asked, so a script
 * finds timeline-A.png whether or not a neighbour could be read.
 */
static void test_png_missing_input(void **state)
{
	const char *data = recording_a();
	char *dir = fresh_path("charts-missing"), *missing = fresh_path("missing.data");
	char names[NR_COMPARISON_CHARTS + 2][64];
	struct h_args a = { 0 };
	struct h_result r;
	size_t nr;

	(void)state;
	nr = chart_names(names, comparison_charts, NR_COMPARISON_CHARTS, "png");
	snprintf(names[nr++], 64, "timeline-A.png");
	snprintf(names[nr++], 64, "processes-A.png");
	h_args_push(&a, h_pprobe_or_skip(), "report", "--png", dir, data, missing, NULL);
	run(&a, &r);
	print_message("--png with a missing file: exit %d, stderr: %s", r.exit_code, r.err);
	h_assert_exit("pprobe report --png (a missing file)", &r, 1);
	if (!strstr(r.err, missing))
		fail_msg("stderr does not name the missing file");
	assert_dir_holds(dir, names, nr);
	assert_charts_valid(dir, names, nr, DEFAULT_WIDTH, DEFAULT_HEIGHT);
	h_result_release(&r);
	free(dir);
	free(missing);
}

/* ---- the time series as CSV files ---- */

#define TABLE_MAX_COLUMNS 16

/* A CSV file read whole, its cells pointing into text. */
struct table {
	char *text;
	char **cells;       /* rows * columns, row-major, the header left out */
	size_t rows;
	int columns;
};

static const char *cell(const struct table *t, size_t row, int column)
{
	return t->cells[row * (size_t)t->columns + (size_t)column];
}

/* Reads dir/name, checks its header is exactly `header`, splits its rows. */
static void table_load(struct table *t, const char *dir, const char *name, const char *header)
{
	char path[4200], *pos, *line_end, *f[TABLE_MAX_COLUMNS + 1];
	size_t alloc = 0;
	int n, i;

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	t->text = h_read_file(path, NULL);
	if (!t->text)
		fail_msg("cannot read '%s'", path);
	line_end = strchr(t->text, '\n');
	if (!line_end || strncmp(t->text, header, (size_t)(line_end - t->text)) ||
	    strlen(header) != (size_t)(line_end - t->text))
		fail_msg("'%s' starts with \"%.*s\", not the header \"%s\"", path,
			 line_end ? (int)(line_end - t->text) : 80, t->text, header);
	pos = t->text;
	t->columns = h_csv_fields(&pos, f, TABLE_MAX_COLUMNS + 1);
	assert_true(t->columns > 0 && t->columns <= TABLE_MAX_COLUMNS);
	while (*pos) {
		n = h_csv_fields(&pos, f, TABLE_MAX_COLUMNS + 1);
		if (n != t->columns)
			fail_msg("'%s' row %zu has %d fields, the header %d", path, t->rows + 2, n,
				 t->columns);
		if (t->rows == alloc) {
			alloc = alloc ? 2 * alloc : 256;
			t->cells = realloc(t->cells, alloc * (size_t)t->columns * sizeof(char *));
			assert_non_null(t->cells);
		}
		for (i = 0; i < n; i++)
			t->cells[t->rows * (size_t)t->columns + (size_t)i] = f[i];
		t->rows++;
	}
}

static void table_release(struct table *t)
{
	free(t->text);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

#define COUNTERS_HEADER "file,run,time_seconds,event,value,enabled_ns,running_ns,rate_per_second"
#define PROCESSES_HEADER "file,run,time_seconds,pid,user_seconds,sys_seconds,minor_faults," \
	"major_faults,voluntary_switches,involuntary_switches,rss_bytes,hwm_bytes,threads"
#define MEMORY_HEADER "file,run,time_seconds,backend,current_bytes,peak_bytes,processes"
#define TASKS_HEADER "file,run,time_seconds,kind,pid,tid,ppid,command"

/*
 * The readings of `backend` in recording `data`, from the readings column
 * of `pprobe report --csv --memory`; -1 when the backend has no row.
 */
static long memory_readings(const char *data, const char *backend)
{
	struct h_result r;
	char *pos, *f[TABLE_MAX_COLUMNS];
	long readings = -1;

	h_report("--csv", "--memory", data, RUN_TIMEOUT, &r);
	pos = r.out;
	assert_int_equal(h_csv_fields(&pos, f, TABLE_MAX_COLUMNS), 10);
	assert_string_equal(f[8], "readings");
	while (*pos)
		if (h_csv_fields(&pos, f, TABLE_MAX_COLUMNS) == 10 && !strcmp(f[2], backend))
			readings = atol(f[8]);
	h_result_release(&r);
	return readings;
}

/*
 * counters.csv: task-clock is there in every reading of each recording
 * (every COUNTS record but the final totals; the final ones may be rows
 * too), in increasing time.
 */
/* floor: the fewest readings the recording must have, so the check says something. */
static void check_counters_csv(const char *dir, const char *data, long floor)
{
	struct h_recording *rec = calloc(1, sizeof(*rec));
	struct table t;
	double last = -1, time_s;
	long rows = 0, expected_min, expected_max;
	size_t i;

	assert_non_null(rec);
	assert_int_equal(h_recording_load(data, rec), 0);
	assert_int_equal(rec->status, REC_DONE);
	expected_max = rec->nr_counts;
	expected_min = rec->nr_counts - rec->nr_counts_final;
	free(rec);

	table_load(&t, dir, "counters.csv", COUNTERS_HEADER);
	for (i = 0; i < t.rows; i++) {
		if (strcmp(cell(&t, i, 0), data) || strcmp(cell(&t, i, 1), "0") ||
		    strcmp(cell(&t, i, 3), "task-clock"))
			continue;
		time_s = strtod(cell(&t, i, 2), NULL);
		if (!*cell(&t, i, 2) || !*cell(&t, i, 4))
			fail_msg("counters.csv row %zu: task-clock without a time or a value", i + 2);
		if (time_s <= last)
			fail_msg("counters.csv row %zu: task-clock at %s s, after a reading at %.9f s",
				 i + 2, cell(&t, i, 2), last);
		last = time_s;
		rows++;
	}
	print_message("counters.csv: %ld task-clock rows for %s (%ld to %ld readings recorded)\n",
		      rows, data, expected_min, expected_max);
	if (rows < expected_min || rows > expected_max || rows < floor)
		fail_msg("counters.csv has %ld task-clock rows for '%s', not one per reading (%ld to %ld)",
			 rows, data, expected_min, expected_max);
	table_release(&t);
}

/* memory.csv: one row per reading of each backend recorded. */
static void check_memory_csv(const char *dir, const char *data)
{
	static const char *const backends[] = { "rss", "hwm" };
	struct table t;
	long rows, readings;
	size_t i, b;

	table_load(&t, dir, "memory.csv", MEMORY_HEADER);
	for (b = 0; b < 2; b++) {
		rows = 0;
		for (i = 0; i < t.rows; i++)
			rows += !strcmp(cell(&t, i, 0), data) && !strcmp(cell(&t, i, 3), backends[b]);
		readings = memory_readings(data, backends[b]);
		print_message("memory.csv: %ld %s rows for %s (%ld readings in --csv --memory)\n",
			      rows, backends[b], data, readings);
		if (rows == 0 || rows != readings)
			fail_msg("memory.csv has %ld %s rows for '%s', not one per reading (%ld)",
				 rows, backends[b], data, readings);
	}
	table_release(&t);
}

/* tasks.csv: forktree's 60 processes were each forked. */
static void check_tasks_csv(const char *dir, const char *data)
{
	struct table t;
	long forks = 0;
	size_t i;

	table_load(&t, dir, "tasks.csv", TASKS_HEADER);
	for (i = 0; i < t.rows; i++)
		forks += !strcmp(cell(&t, i, 0), data) && !strcmp(cell(&t, i, 3), "fork") &&
			 (!*cell(&t, i, 5) || !strcmp(cell(&t, i, 4), cell(&t, i, 5)));
	print_message("tasks.csv: %ld process forks in %s (forktree made %d)\n", forks, data,
		      B_PROCESSES);
	if (forks < B_PROCESSES)
		fail_msg("tasks.csv has %ld process forks for '%s', forktree made %d", forks, data,
			 B_PROCESSES);
	table_release(&t);
}

/* processes.csv: rows of each recording's processes, with their pids. */
static void check_processes_csv(const char *dir, const char *data, long min_pids)
{
	struct table t;
	long rows = 0, pids = 0;
	size_t i, j;

	table_load(&t, dir, "processes.csv", PROCESSES_HEADER);
	for (i = 0; i < t.rows; i++) {
		int seen = 0;

		if (strcmp(cell(&t, i, 0), data))
			continue;
		rows++;
		if (atol(cell(&t, i, 3)) <= 0)
			fail_msg("processes.csv row %zu has no pid", i + 2);
		for (j = 0; j < i && !seen; j++)
			seen = !strcmp(cell(&t, j, 0), data) && !strcmp(cell(&t, j, 3), cell(&t, i, 3));
		pids += !seen;
	}
	print_message("processes.csv: %ld rows of %ld processes for %s\n", rows, pids, data);
	if (pids < min_pids || rows < pids)
		fail_msg("processes.csv has %ld processes for '%s', at least %ld asked", pids,
			 data, min_pids);
	table_release(&t);
}

static void test_csv_dir(void **state)
{
	static const char *const files[] = { "counters.csv", "processes.csv", "memory.csv",
					     "tasks.csv" };
	const char *data_a = recording_a(), *data_b = recording_b();
	char *dir = fresh_path("csv"), *made = fresh_path("csv-made"), made_slash[4200];
	char names[4][64];
	struct h_args a = { 0 };
	struct h_result r;
	struct h_csv csv;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		snprintf(names[i], 64, "%s", files[i]);
	assert_int_equal(mkdir(dir, 0755), 0);
	h_args_push(&a, h_pprobe_or_skip(), "report", "--csv", dir, data_a, data_b, NULL);
	run(&a, &r);
	h_assert_exit("pprobe report --csv DIR", &r, 0);
	if (r.out_len)
		fail_msg("--csv DIR printed on stdout: \"%.200s\"", r.out);
	for (i = 0; i < 4; i++)
		assert_wrote(&r, dir, files[i]);
	assert_dir_holds(dir, names, 4);
	check_counters_csv(dir, data_a, 10);
	/* forktree is short: a few readings, fewer under the sanitizers. */
	check_counters_csv(dir, data_b, 3);
	check_memory_csv(dir, data_a);
	check_memory_csv(dir, data_b);
	check_tasks_csv(dir, data_b);
	/*
	 * A: sh, burn and spike, each read many times. B's processes live
	 * 15 ms, and one may end between two readings: not all have rows.
	 */
	check_processes_csv(dir, data_a, 3);
	check_processes_csv(dir, data_b, 1);
	h_result_release(&r);

	/* A path ending in '/' is a directory, made if missing. */
	snprintf(made_slash, sizeof(made_slash), "%s/", made);
	a.n = 0;
	h_args_push(&a, h_pprobe_or_skip(), "report", "--csv", made_slash, data_a, NULL);
	run(&a, &r);
	h_assert_exit("pprobe report --csv DIR/ (missing)", &r, 0);
	assert_int_equal(r.out_len, 0);
	assert_dir_holds(made, names, 4);
	h_result_release(&r);

	/* Without a directory, --csv is the per-event table on stdout, as before. */
	h_report("--csv", NULL, data_a, RUN_TIMEOUT, &r);
	assert_int_equal(h_csv_parse(r.out, &csv), 0);
	assert_non_null(h_csv_find(&csv, 0, "task-clock"));
	h_csv_release(&csv);
	h_result_release(&r);
	free(dir);
	free(made);
}

int main(void)
{
	const char *refused = h_perf_refused();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png_one_recording),
		cmocka_unit_test(test_png_size),
		cmocka_unit_test(test_png_two_recordings),
		cmocka_unit_test(test_png_almost_empty),
		cmocka_unit_test(test_svg_pdf),
		cmocka_unit_test(test_size_usage_errors),
		cmocka_unit_test(test_png_unwritable),
		cmocka_unit_test(test_png_rename_fails),
		cmocka_unit_test(test_png_missing_input),
		cmocka_unit_test(test_csv_dir),
	};

	if (refused) {
		printf("skipped: every end-to-end test: %s\n", refused);
		return H_EXIT_SKIPPED;
	}
	return cmocka_run_group_tests_name("e2e charts", tests, NULL, release_recordings);
}

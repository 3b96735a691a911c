/*
 * test_study_chart.c - unit tests of study-chart (samples/study_csv.c,
 * samples/study_plot.c): its CSV files read into points and bars (quoted
 * fields, optional columns, missing values, every malformed line named
 * by file and line, empty files), names and colours in order of first
 * appearance, the grid's columns, and the command run as a script runs
 * it, checked in the PNG it writes (read back with cairo: its size, and
 * the series' colours in its pixels) and in its exit codes.
 *
 * Files are read from memory (fmemopen) or written into a scratch
 * directory per test, removed by its teardown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "palette.h"
#include "scratch_dir.h"
#include "study_csv.h"
#include "study_plot.h"

/* ---- reading ---- */

static int read_lines(struct study_lines *l, const char *text, char *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	assert_non_null(f);
	ret = study_lines_read(l, f, "t.csv", err);
	fclose(f);
	return ret;
}

static int read_bars(struct study_bars *b, const char *text, char *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	assert_non_null(f);
	ret = study_bars_read(b, f, "b.csv", err);
	fclose(f);
	return ret;
}

/* text must fail with ret and exactly the message expect. */
static void lines_fail(const char *text, int ret, const char *expect)
{
	struct study_lines l;
	char err[STUDY_ERROR_MAX];

	assert_int_equal(read_lines(&l, text, err), ret);
	assert_string_equal(err, expect);
	study_lines_release(&l);
}

static void test_quoted_fields(void **state)
{
	struct study_lines l;
	char err[STUDY_ERROR_MAX];

	(void)state;
	assert_int_equal(read_lines(&l,
		"panel,series,x,y,lo,hi\r\n"
		"# a comment, then a blank line\r\n"
		"\r\n"
		"\"fork, 2 CPUs\",\"user \"\"hot\"\"\",1,0.5,0.4,0.6\r\n"
		"  epoll , \"sys\" ,2, 1e3 ,,\r\n", err), 0);
	assert_int_equal(l.panels.nr, 2);
	assert_string_equal(l.panels.v[0], "fork, 2 CPUs");
	assert_string_equal(l.panels.v[1], "epoll");
	assert_int_equal(l.series.nr, 2);
	assert_string_equal(l.series.v[0], "user \"hot\"");
	assert_string_equal(l.series.v[1], "sys");
	assert_int_equal(l.nr, 2);
	assert_true(l.points[0].x == 1 && l.points[0].y == 0.5);
	assert_true(l.points[0].lo == 0.4 && l.points[0].hi == 0.6);
	assert_int_equal(l.points[1].panel, 1);
	assert_true(l.points[1].x == 2 && l.points[1].y == 1000);
	assert_true(isnan(l.points[1].lo) && isnan(l.points[1].hi));
	study_lines_release(&l);

	lines_fail("panel,series,x,y\na,\"b,1,2\n", -EINVAL,
		   "t.csv:2: field 2: a quote is not closed (fields cannot span lines)");
	lines_fail("panel,series,x,y\na,\"b\"c,1,2\n", -EINVAL,
		   "t.csv:2: field 2: text after its closing quote");
}

static void test_optional_columns(void **state)
{
	struct study_lines l;
	char err[STUDY_ERROR_MAX];

	(void)state;
	/* No lo, hi: no whiskers; a row may stop before optional columns;
	 * columns in any order; a missing y is no point, its names kept. */
	assert_int_equal(read_lines(&l,
		"series,panel,y,x,lo,hi,style\n"
		"s1,p,2,1\n"
		"s2,p,nan,1,,,\n"
		"s1,q,,2\n"
		"s1,q,4,3,3.5,4.5,solid\n", err), 0);
	assert_int_equal(l.nr, 2);
	assert_int_equal(l.series.nr, 2);
	assert_int_equal(l.panels.nr, 2);
	assert_true(isnan(l.points[0].lo));
	assert_int_equal(l.points[1].panel, 1);
	assert_true(l.points[1].lo == 3.5 && l.points[1].hi == 4.5);
	study_lines_release(&l);

	assert_int_equal(read_lines(&l, "panel,series,x,y\np,s,1,2\n", err), 0);
	assert_int_equal(l.nr, 1);
	assert_true(isnan(l.points[0].lo) && isnan(l.points[0].hi));
	assert_int_equal(l.styles[0], STUDY_SOLID);
	study_lines_release(&l);
}

static void test_malformed_lines(void **state)
{
	(void)state;
	lines_fail("panel,series,x,y\np,s,1,2\np,s,1.5.3,2\n", -EINVAL,
		   "t.csv:3: x '1.5.3' is not a number");
	lines_fail("panel,series,x,y\np,s,1,abc\n", -EINVAL,
		   "t.csv:2: y 'abc' is not a number");
	lines_fail("panel,series,x,y\np,s,1,inf\n", -EINVAL,
		   "t.csv:2: y 'inf' is out of range");
	lines_fail("panel,series,x,y\np,s,,2\n", -EINVAL,
		   "t.csv:2: x is missing");
	lines_fail("panel,series,x,y,lo,hi\np,s,1,2,1,\n", -EINVAL,
		   "t.csv:2: lo without hi: give both or neither");
	lines_fail("panel,series,x,y,lo,hi\np,s,1,2,3,1\n", -EINVAL,
		   "t.csv:2: lo 3 is above hi 1");
	lines_fail("panel,series,x,y\np,s,1,2,3\n", -EINVAL,
		   "t.csv:2: 5 fields, the header has 4");
	lines_fail("panel,series,x,y\np,s,1\n", -EINVAL,
		   "t.csv:2: 3 fields, the header has 4 (no 'y')");
	lines_fail("panel,series,x,y\np,,1,2\n", -EINVAL,
		   "t.csv:2: the series has no name");
	lines_fail("panel,series,x,yy\n", -EINVAL,
		   "t.csv:1: unknown column 'yy' in the header (panel,series,x,y[,lo,hi][,style])");
	lines_fail("panel,series,x\n", -EINVAL,
		   "t.csv:1: no column 'y' in the header (panel,series,x,y[,lo,hi][,style])");
	lines_fail("panel,series,x,y,x\n", -EINVAL,
		   "t.csv:1: column 'x' twice in the header");
	lines_fail("panel,series,x,y,lo\n", -EINVAL,
		   "t.csv:1: column 'lo' without 'hi' in the header");
	lines_fail("panel,series,x,y,style\np,s,1,2,dotted\n", -EINVAL,
		   "t.csv:2: style 'dotted' is not solid, dashed or step");
	lines_fail("panel,series,x,y,style\np,s,1,2,step\np,s,2,2,dashed\n",
		   -EINVAL,
		   "t.csv:3: series 's' is step, this row says dashed: one style a series");
}

static void test_empty_files(void **state)
{
	(void)state;
	lines_fail("", -ENODATA,
		   "t.csv: empty file: no header line (panel,series,x,y[,lo,hi][,style])");
	lines_fail("\n# nothing\n", -ENODATA,
		   "t.csv: empty file: no header line (panel,series,x,y[,lo,hi][,style])");
	lines_fail("panel,series,x,y\n", -ENODATA, "t.csv: no data rows");
	lines_fail("panel,series,x,y\np,s,1,nan\n", -ENODATA,
		   "t.csv: no data rows with a y value");
}

/* Names, styles and colours in order of first appearance. */
static void test_order_and_colours(void **state)
{
	struct study_lines l;
	char err[STUDY_ERROR_MAX];

	(void)state;
	assert_int_equal(read_lines(&l,
		"panel,series,x,y,lo,hi,style\n"
		"thread,sys,1,1,,,\n"
		"fork,user,1,1,,,dashed\n"
		"fork,sys,2,1,,,solid\n"
		"epoll,top,1,1,,,step\n"
		"thread,user,2,2,,,\n", err), 0);
	assert_int_equal(l.panels.nr, 3);
	assert_string_equal(l.panels.v[0], "thread");
	assert_string_equal(l.panels.v[1], "fork");
	assert_string_equal(l.panels.v[2], "epoll");
	assert_int_equal(l.series.nr, 3);
	assert_string_equal(l.series.v[0], "sys");
	assert_string_equal(l.series.v[1], "user");
	assert_string_equal(l.series.v[2], "top");
	assert_int_equal(study_names_find(&l.series, "user"), 1);
	assert_int_equal(study_names_find(&l.series, "none"), -1);
	assert_int_equal(l.styles[0], STUDY_SOLID);
	assert_int_equal(l.styles[1], STUDY_DASHED);
	assert_int_equal(l.styles[2], STUDY_STEP);
	assert_int_equal(l.points[4].series, 1);
	assert_int_equal(l.points[4].panel, 0);
	study_lines_release(&l);

	for (size_t k = 0; k < 10; k++)
		assert_int_equal(study_chart_colour(k), palette_recording(k));
	assert_int_equal(study_chart_colour(0), PALETTE_BLUE);
	assert_int_equal(study_chart_colour(1), PALETTE_VERMILLION);
}

static void test_bars_read(void **state)
{
	struct study_bars b;
	char err[STUDY_ERROR_MAX];

	(void)state;
	assert_int_equal(read_bars(&b,
		"group,series,value,lo,hi,label\n"
		"rss,run time,2.5,2.4,2.6,\n"
		"rss,\"peak, MiB\",300,,,300 MiB\n"
		"pss,peak\u2009MiB,,,,\n"
		"pss,\"peak, MiB\",310,,,\n", err), 0);
	assert_int_equal(b.groups.nr, 2);
	assert_int_equal(b.series.nr, 3);
	assert_int_equal(b.nr, 3);
	assert_null(b.bars[0].label);
	assert_true(b.bars[0].lo == 2.4 && b.bars[0].hi == 2.6);
	assert_string_equal(b.bars[1].label, "300 MiB");
	assert_int_equal(b.bars[2].group, 1);
	assert_int_equal(b.bars[2].series, 1);
	assert_int_equal(b.bars[2].line, 5);
	study_bars_release(&b);

	assert_int_equal(read_bars(&b,
		"group,series,value\na,s,1\nb,s,2\na,s,3\n", err), -EINVAL);
	assert_string_equal(err,
		"b.csv:4: a second bar of series 's' in group 'a' (the first is on line 2)");
	study_bars_release(&b);
	assert_int_equal(read_bars(&b, "group,series,value\na,s,x\n", err),
			 -EINVAL);
	assert_string_equal(err, "b.csv:2: value 'x' is not a number");
	study_bars_release(&b);
	assert_int_equal(read_bars(&b, "group,series,value,lo,hi\n", err),
			 -ENODATA);
	assert_string_equal(err, "b.csv: no data rows");
	study_bars_release(&b);
}

/* Many rows: nothing is dropped. */
static void test_many_rows(void **state)
{
	size_t n = 120000, size = n * 40 + 64, len;
	char *text = malloc(size), err[STUDY_ERROR_MAX];
	struct study_lines l;

	(void)state;
	assert_non_null(text);
	len = (size_t)snprintf(text, size, "panel,series,x,y,style\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, size - len, "m,s%zu,%zu,%zu,step\n",
					i % 4, i / 4, i);
	assert_int_equal(read_lines(&l, text, err), 0);
	assert_int_equal(l.nr, n);
	assert_int_equal(l.series.nr, 4);
	assert_true(l.points[n - 1].y == (double)(n - 1));
	study_lines_release(&l);
	free(text);
}

/* ---- layout ---- */

static void test_columns(void **state)
{
	(void)state;
	assert_int_equal(study_chart_columns(1, 0), 1);
	assert_int_equal(study_chart_columns(2, 0), 2);
	assert_int_equal(study_chart_columns(4, 0), 2);
	assert_int_equal(study_chart_columns(5, 0), 3);
	assert_int_equal(study_chart_columns(9, 0), 3);
	assert_int_equal(study_chart_columns(3, 3), 3);
	assert_int_equal(study_chart_columns(2, 5), 2);
}

static void test_units_and_formats(void **state)
{
	enum study_units u;
	enum plot_format f;

	(void)state;
	assert_int_equal(study_units_parse("bytes", &u), 0);
	assert_int_equal(u, STUDY_BYTES);
	assert_int_equal(study_units_parse("percent", &u), 0);
	assert_int_equal(u, STUDY_PERCENT);
	assert_int_equal(study_units_parse("furlongs", &u), -EINVAL);
	assert_int_equal(study_chart_format("a/b.png", &f), 0);
	assert_int_equal(f, PLOT_PNG);
	assert_int_equal(study_chart_format("b.svg", &f), 0);
	assert_int_equal(f, PLOT_SVG);
	assert_int_equal(study_chart_format("b.txt", &f), -EINVAL);
	assert_int_equal(study_chart_format(".png", &f), -EINVAL);
}

/* ---- the command ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Runs study_chart_main() on a NULL-terminated list of words. */
static int run(const char *first, ...)
{
	const char *argv[32] = { "study-chart", first };
	int argc = 2;
	va_list ap;

	va_start(ap, first);
	while ((argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	return study_chart_main(argc, argv);
}

/* Checks the PNG's size and counts its pixels of exactly each rgb[k]. */
static void check_png(const char *path, int width, int height,
		      const uint32_t *rgb, size_t nr)
{
	cairo_surface_t *png = cairo_image_surface_create_from_png(path);
	const unsigned char *data;
	int stride;

	assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(png), width);
	assert_int_equal(cairo_image_surface_get_height(png), height);
	cairo_surface_flush(png);
	data = cairo_image_surface_get_data(png);
	stride = cairo_image_surface_get_stride(png);
	for (size_t k = 0; k < nr; k++) {
		size_t found = 0;

		for (int y = 0; y < height; y++)
			for (int x = 0; x < width; x++) {
				uint32_t px = *(const uint32_t *)(data +
					(size_t)y * (size_t)stride + (size_t)x * 4);

				found += (px & 0xFFFFFFu) == rgb[k];
			}
		if (found < 50)
			fail_msg("%s: %zu pixels of %06X", path, found, rgb[k]);
	}
	cairo_surface_destroy(png);
}

static void test_lines_png(void **state)
{
	const char *dir = *state;
	char csv[4096], out[4096];
	const uint32_t rgb[] = { palette_recording(0), palette_recording(1) };

	scratch_join(csv, sizeof(csv), dir, "servers.csv");
	scratch_join(out, sizeof(out), dir, "charts/servers.png");
	write_file(csv,
		"panel,series,x,y,lo,hi,style\n"
		"fork,user,1,1.0,0.9,1.1,solid\n"
		"fork,user,2,1.9,1.8,2.0,solid\n"
		"fork,user,4,3.5,3.3,3.6,solid\n"
		"fork,top user,1,1.1,,,dashed\n"
		"fork,top user,4,3.2,,,dashed\n"
		"epoll,user,1,0.5,,,\n"
		"epoll,user,4,1.0,,,\n"
		"\"thread, pool\",top user,2,1.5,,,dashed\n");
	assert_int_equal(run("lines", "-o", out, "--title", "Servers",
			     "--subtitle", "made up", "--x-title", "clients",
			     "--y-title", "CPU time", "--y-unit", "seconds",
			     "--x-log2", "--y-zero", csv, NULL), 0);
	check_png(out, 1600, 900, rgb, 2);
	assert_listing(dir, "charts servers.csv");

	/* Half size, three columns, a linear axis; steps. */
	write_file(csv,
		"panel,series,x,y,style\n"
		"a,rss,0,1e6,step\na,rss,1,3e6,step\na,rss,2,2e6,step\n"
		"b,pss,0,1e6,step\nb,pss,1,2e6,step\n");
	assert_int_equal(run("lines", "-o", out, "--title", "Memory",
			     "--x-title", "time", "--y-title", "memory",
			     "--x-unit", "seconds", "--y-unit", "bytes",
			     "--columns", "3", "--width", "800", "--height", "450",
			     csv, NULL), 0);
	check_png(out, 800, 450, rgb, 2);
	/* The teardown removes files and empty directories, not trees. */
	assert_int_equal(unlink(out), 0);
}

static void test_bars_png(void **state)
{
	const char *dir = *state;
	char csv[4096], out[4096];
	const uint32_t rgb[] = { palette_recording(0), palette_recording(1) };

	scratch_join(csv, sizeof(csv), dir, "backends.csv");
	scratch_join(out, sizeof(out), dir, "backends.png");
	write_file(csv,
		"group,series,value,lo,hi,label\n"
		"rss,run time,2.41,2.3,2.5,\n"
		"rss,peak,3.1,,,310 MiB\n"
		"pss,run time,2.95,2.8,3.1,\n"
		"cgroup,peak,3.5,,,\n");
	assert_int_equal(run("bars", "-o", out, "--title", "Backends",
			     "--y-title", "seconds", "--y-unit", "seconds", csv,
			     NULL), 0);
	check_png(out, 1600, 900, rgb, 2);
	assert_listing(dir, "backends.csv backends.png");
}

static void test_errors(void **state)
{
	const char *dir = *state;
	char csv[4096], out[4096], missing[4096];

	scratch_join(csv, sizeof(csv), dir, "bad.csv");
	scratch_join(out, sizeof(out), dir, "out.png");
	scratch_join(missing, sizeof(missing), dir, "missing.csv");
	write_file(csv, "panel,series,x,y\np,s,0,1\np,s,one,2\n");
	/* The command line: usage, 129. */
	assert_int_equal(run("pie", NULL), 129);
	assert_int_equal(run("lines", "-o", out, "--title", "t", "--y-title",
			     "y", csv, NULL), 129);          /* no --x-title */
	assert_int_equal(run("lines", "-o", out, "--title", "t", "--x-title",
			     "x", "--y-title", "y", "--y-unit", "furlongs", csv,
			     NULL), 129);
	assert_int_equal(run("bars", "-o", out, "--title", "t", "--y-title",
			     "y", "--x-log2", csv, NULL), 129);
	assert_int_equal(run("bars", "-o", "out.gif", "--title", "t",
			     "--y-title", "y", csv, NULL), 129);
	assert_int_equal(run("bars", "-o", out, "--title", "t", "--y-title",
			     "y", NULL), 129);
	/* The file: 1. */
	assert_int_equal(run("bars", "-o", out, "--title", "t", "--y-title",
			     "y", missing, NULL), 1);
	assert_int_equal(run("lines", "-o", out, "--title", "t", "--x-title",
			     "x", "--y-title", "y", csv, NULL), 1);
	write_file(csv, "panel,series,x,y\np,s,0,1\np,s,2,2\n");
	assert_int_equal(run("lines", "-o", out, "--title", "t", "--x-title",
			     "x", "--y-title", "y", "--x-log2", csv, NULL), 1);
	assert_listing(dir, "bad.csv");
	assert_int_equal(run("--help", NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_fields),
		cmocka_unit_test(test_optional_columns),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_empty_files),
		cmocka_unit_test(test_order_and_colours),
		cmocka_unit_test(test_bars_read),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_units_and_formats),
		cmocka_unit_test_setup_teardown(test_lines_png, scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_bars_png, scratch_dir_setup,
						scratch_dir_teardown),
		cmocka_unit_test_setup_teardown(test_errors, scratch_dir_setup,
						scratch_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

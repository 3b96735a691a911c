/*
 * test_plot.c - unit tests of the drawing layer under every chart
 * (report/plot.c): pages written atomically (PNG, SVG, PDF; nothing at
 * the destination until plot_end(), no temporary file left after it or
 * after an error), the font scaling with the page, colour tints, text cut
 * to fit without splitting a UTF-8 character, and envelopes drawn so that
 * a one-reading spike shows in its own pixel column.
 *
 * The sequential colour map of heat maps, heat map rows, and the
 * cpu-heatmap chart (charts.c) drawn from recordings made by hand are
 * tested here too, as they are checked the same way.
 *
 * Drawings are checked in the pixels: a PNG page's surface is an image
 * surface, read back before plot_end(). Data is drawn opaque in exactly
 * the palette's colours (palette.h), so a test looks for those values;
 * RGB24 pixels are 0x00RRGGBB in a native-endian uint32_t. Each test
 * writes into a fresh directory under $TMPDIR (or /tmp), which its
 * teardown removes, failed or not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo.h>

#include "axis.h"
#include "charts.h"
#include "envelope.h"
#include "palette.h"
#include "plot.h"
#include "scratch_dir.h"

#define MS 1000000ull
#define T0 5000000000ull
#define WHITE 0xFFFFFFu

/* ---- files ---- */

/* The first n bytes of a file (which must have them) into buf. */
static void head(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
}

/* ---- pages ---- */

static void test_format_extension(void **state)
{
	(void)state;
	assert_string_equal(plot_format_extension(PLOT_PNG), ".png");
	assert_string_equal(plot_format_extension(PLOT_SVG), ".svg");
	assert_string_equal(plot_format_extension(PLOT_PDF), ".pdf");
}

static void test_png_atomic(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	cairo_surface_t *png;
	unsigned char *data;
	struct plot p;
	struct stat st;
	mode_t mask = umask(022);

	scratch_join(path, sizeof(path), dir, "chart.png");
	assert_int_equal(plot_begin(&p, PLOT_PNG, path, 320, 200), 0);
	umask(mask);
	assert_listing(dir, "chart.png.tmp.*");
	assert_true(p.width == 320 && p.height == 200);
	plot_colour(&p, PALETTE_BLUE, 1);
	cairo_rectangle(p.cr, 10, 10, 20, 20);
	cairo_fill(p.cr);
	/* Drawn in memory: still only the temporary file. */
	assert_listing(dir, "chart.png.tmp.*");

	assert_int_equal(plot_end(&p), 0);
	assert_listing(dir, "chart.png");
	/* plot_end() released the plot. */
	assert_null(p.surface);
	assert_null(p.cr);
	assert_null(p.path);
	assert_null(p.tmp);
	assert_int_equal(p.fd, -1);
	/* As readable as any file made under the umask. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	png = cairo_image_surface_create_from_png(path);
	assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(png), 320);
	assert_int_equal(cairo_image_surface_get_height(png), 200);
	cairo_surface_flush(png);
	data = cairo_image_surface_get_data(png);
	assert_non_null(data);
	{
		int stride = cairo_image_surface_get_stride(png);
		uint32_t corner, square;

		memcpy(&corner, data, sizeof(corner));
		memcpy(&square, data + 20 * (size_t)stride + 20 * 4,
		       sizeof(square));
		assert_int_equal(corner & 0xFFFFFFu, WHITE);
		assert_int_equal(square & 0xFFFFFFu, PALETTE_BLUE);
	}
	cairo_surface_destroy(png);
}

/* A page of `format` in dir/name: the destination appears at plot_end(),
 * starting with `magic`. */
static void check_streamed(const char *dir, enum plot_format format,
			   const char *name, const char *magic)
{
	char path[PATH_MAX], listing[64], start[16];
	struct plot p;

	scratch_join(path, sizeof(path), dir, name);
	assert_int_equal(plot_begin(&p, format, path, 400, 300), 0);
	snprintf(listing, sizeof(listing), "%s.tmp.*", name);
	assert_listing(dir, listing);
	plot_title(&p, "a title", "a subtitle");
	plot_colour(&p, PALETTE_GREEN, 1);
	cairo_rectangle(p.cr, 10, 100, 50, 50);
	cairo_fill(p.cr);
	assert_listing(dir, listing);
	assert_int_equal(plot_end(&p), 0);
	assert_listing(dir, name);
	head(path, start, strlen(magic));
	assert_memory_equal(start, magic, strlen(magic));
	assert_int_equal(unlink(path), 0);
}

static void test_svg_pdf(void **state)
{
	const char *dir = *state;

	check_streamed(dir, PLOT_SVG, "chart.svg", "<?xml");
	check_streamed(dir, PLOT_PDF, "chart.pdf", "%PDF-");
}

static void test_begin_missing_dir(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct plot p;

	scratch_join(path, sizeof(path), dir, "missing/chart.png");
	for (int format = PLOT_PNG; format <= PLOT_PDF; format++) {
		assert_int_equal(plot_begin(&p, format, path, 320, 200), -ENOENT);
		assert_null(p.surface);
		assert_null(p.cr);
		assert_null(p.path);
		assert_null(p.tmp);
		assert_int_equal(p.fd, -1);
	}
	assert_listing(dir, "");
}

static void test_end_rename_fails(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX];
	struct plot p;

	/* A directory where the page should go: written, not renamed, and
	 * the temporary file removed. */
	scratch_join(path, sizeof(path), dir, "chart.png");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(plot_begin(&p, PLOT_PNG, path, 64, 48), 0);
	assert_int_equal(plot_end(&p), -EISDIR);
	assert_listing(dir, "chart.png");
	assert_int_equal(p.fd, -1);
	assert_null(p.tmp);
}

static void test_font_scales(void **state)
{
	static const struct {
		int width, height;
		double font;
	} pages[] = {
		{ 1600, 900, 15 },
		{ 3200, 1800, 30 },
		{ 1600, 1800, 15 },     /* the smaller ratio */
		{ 800, 450, 10 },       /* 7.5, but never below 10 */
		{ 100, 100, 10 },
	};
	const char *dir = *state;
	char path[PATH_MAX];
	struct plot p;

	scratch_join(path, sizeof(path), dir, "chart.svg");
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		assert_int_equal(plot_begin(&p, PLOT_SVG, path, pages[i].width,
					    pages[i].height), 0);
		if (fabs(p.font - pages[i].font) > 1e-9)
			fail_msg("font %g on %dx%d, expected %g", p.font,
				 pages[i].width, pages[i].height, pages[i].font);
		assert_int_equal(plot_end(&p), 0);
	}
	assert_listing(dir, "chart.svg");
}

/* ---- colour ---- */

static void test_tint(void **state)
{
	(void)state;
	assert_int_equal(plot_tint(PALETTE_BLUE, 0), PALETTE_BLUE);
	assert_int_equal(plot_tint(PALETTE_VERMILLION, 0), PALETTE_VERMILLION);
	assert_int_equal(plot_tint(PALETTE_BLUE, 1), WHITE);
	assert_int_equal(plot_tint(PALETTE_BLACK, 1), WHITE);
	assert_int_equal(plot_tint(WHITE, 0.5), WHITE);
	/* Midway: each channel halfway to 255, rounded (127.5 -> 128). */
	assert_int_equal(plot_tint(PALETTE_BLACK, 0.5), 0x808080u);
	/* 0x00 -> 0x80, 0x72 (114) -> 184.5 -> 0xB9, 0xB2 (178) -> 216.5 -> 0xD9 */
	assert_int_equal(plot_tint(PALETTE_BLUE, 0.5), 0x80B9D9u);
	/* Amounts outside 0..1 are clamped. */
	assert_int_equal(plot_tint(PALETTE_BLUE, -1), PALETTE_BLUE);
	assert_int_equal(plot_tint(PALETTE_BLUE, 2), WHITE);
}

/* CIE L* (0 black .. 100 white) of an sRGB colour. */
static double lightness(uint32_t rgb)
{
	double y = 0;
	static const double weight[3] = { 0.0722, 0.7152, 0.2126 }; /* b, g, r */

	for (int k = 0; k < 3; k++) {
		double c = ((rgb >> (8 * k)) & 0xFF) / 255.0;

		c = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
		y += weight[k] * c;
	}
	return y > 216.0 / 24389 ? 116 * cbrt(y) - 16 : y * 24389.0 / 27;
}

static void test_sequential(void **state)
{
	double previous = -1;

	(void)state;
	/* viridis: dark purple to yellow, its stops exactly. */
	assert_int_equal(plot_sequential(0), 0x440154u);
	assert_int_equal(plot_sequential(1), 0xFDE725u);
	assert_int_equal(plot_sequential(0.25), 0x3B528Bu);
	assert_int_equal(plot_sequential(0.5), 0x21908Cu);
	/* Outside 0..1 clamped; NAN is the bottom. */
	assert_int_equal(plot_sequential(-3), 0x440154u);
	assert_int_equal(plot_sequential(7), 0xFDE725u);
	assert_int_equal(plot_sequential(NAN), 0x440154u);
	assert_int_equal(plot_sequential(INFINITY), 0xFDE725u);
	/* Halfway between the first two stops, halfway in each channel:
	 * 0x440154 and 0x470D60: 0x44..0x47 is 69.5 -> 70 (rounded),
	 * 0x01..0x0D is 7, 0x54..0x60 is 90. */
	assert_int_equal(plot_sequential(1.0 / 64), 0x46075Au);
	/* Lighter at every step, and by far from end to end: it reads in
	 * order in grey too. (Rounding to 8 bits can take a channel down
	 * a step as another goes up: a dip of some hundredths of a unit of
	 * L*, where a person sees about 1.) */
	for (int i = 0; i <= 10000; i++) {
		double l = lightness(plot_sequential(i / 10000.0));

		if (!(l >= previous - 0.1))
			fail_msg("L* %.3f at %.4f is below %.3f before it", l,
				 i / 10000.0, previous);
		previous = l;
	}
	assert_true(lightness(plot_sequential(1)) -
		    lightness(plot_sequential(0)) > 60);
	assert_true(lightness(plot_sequential(0.5)) > lightness(plot_sequential(0.25)) + 10);
}

/* ---- text ---- */

/* A PNG page in dir for measuring text; skips the test without a font
 * (the toy API then measures every text as 0 wide). */
static void text_page(struct plot *p, const char *dir)
{
	char path[PATH_MAX];

	scratch_join(path, sizeof(path), dir, "text.png");
	assert_int_equal(plot_begin(p, PLOT_PNG, path, 800, 450), 0);
	if (plot_text_width(p, 1, 0, "abc") <= 0) {
		assert_int_equal(plot_end(p), 0);
		print_message("no font to measure text with: skipped\n");
		skip();
	}
}

/* Whether s is well-formed UTF-8 (no cut or stray sequence). */
static int valid_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		int more = *u < 0x80 ? 0 : (*u & 0xE0) == 0xC0 ? 1 :
			   (*u & 0xF0) == 0xE0 ? 2 : (*u & 0xF8) == 0xF0 ? 3 : -1;

		if (more < 0)
			return 0;
		u++;
		for (; more > 0; more--, u++)
			if ((*u & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

/*
 * Checks one result of plot_fit_text(): well-formed, and either the text
 * itself or a prefix of it and "...", no wider than width (but "...").
 */
static void check_fitted(struct plot *p, const char *text, double width,
			 const char *got)
{
	size_t len = strlen(got);

	if (!valid_utf8(got))
		fail_msg("'%s' cut to fit %g is not UTF-8", text, width);
	if (!strcmp(got, text))
		assert_true(plot_text_width(p, 1, 0, got) <= width);
	else if (len < 3 || strcmp(got + len - 3, "...") ||
		 strncmp(got, text, len - 3))
		fail_msg("'%s' cut to fit %g is '%s'", text, width, got);
	else if (len > 3 && plot_text_width(p, 1, 0, got) > width)
		fail_msg("'%s' cut to '%s' is %g wide, more than %g", text,
			 got, plot_text_width(p, 1, 0, got), width);
}

static void test_fit_text(void **state)
{
	static const char text[] = "the quick brown fox jumps over the lazy dog";
	struct plot p;
	char buf[128], longer[128];
	double width;
	size_t len;

	text_page(&p, *state);
	/* Short text is kept as it is. */
	assert_string_equal(plot_fit_text(&p, 1, 0, "short", 1000, buf,
					  sizeof(buf)), "short");
	assert_ptr_equal(plot_fit_text(&p, 1, 0, text, 1e6, buf, sizeof(buf)),
			 buf);
	assert_string_equal(buf, text);

	/* Long text loses its end, says so, and fits. */
	width = plot_text_width(&p, 1, 0, "the quick brown fox");
	plot_fit_text(&p, 1, 0, text, width, buf, sizeof(buf));
	check_fitted(&p, text, width, buf);
	len = strlen(buf);
	assert_true(len > 3 && len < strlen(text));
	/* ... and keeps as much as fits: one more character would not. */
	snprintf(longer, sizeof(longer), "%.*s...", (int)(len - 3 + 1), text);
	assert_true(plot_text_width(&p, 1, 0, longer) > width);

	/* Bold text is wider: cut sooner. */
	plot_fit_text(&p, 1, 1, text, width, longer, sizeof(longer));
	assert_true(strlen(longer) <= strlen(buf));

	/* Nothing fits: "..." alone. */
	assert_string_equal(plot_fit_text(&p, 1, 0, text, 0, buf, sizeof(buf)),
			    "...");
	assert_int_equal(cairo_status(p.cr), CAIRO_STATUS_SUCCESS);
	assert_int_equal(plot_end(&p), 0);
}

static void test_fit_text_utf8(void **state)
{
	/* Two-, three- and four-byte characters between ASCII ones. */
	static const char text[] =
		"caf\xC3\xA9 \xCE\xB1\xCE\xB2\xCE\xB3 \xE2\x82\xAC\xE2\x82\xAC "
		"\xF0\x9F\x98\x80 na\xC3\xAFve \xE6\x97\xA5\xE6\x9C\xAC";
	struct plot p;
	char buf[128];
	double full;

	text_page(&p, *state);
	full = plot_text_width(&p, 1, 0, text);
	for (double width = 0; width <= full + 2; width += 1) {
		plot_fit_text(&p, 1, 0, text, width, buf, sizeof(buf));
		check_fitted(&p, text, width, buf);
	}
	assert_int_equal(cairo_status(p.cr), CAIRO_STATUS_SUCCESS);
	assert_int_equal(plot_end(&p), 0);
}

static void test_fit_text_small_buffer(void **state)
{
	/* "abcd" and a two-byte e-acute: 6 bytes, for a 6-byte buffer. */
	static const char text[] = "abcd\xC3\xA9";
	struct plot p;
	char buf[6];

	/*
	 * plot.h: the text is "cut with "..." to fit width (into buf, `size`
	 * bytes)". Wide enough, but longer than the buffer: cut there too,
	 * whole characters only, and said so. A cut character is invalid
	 * UTF-8, which also puts the page's cairo context in an error state
	 * (nothing more is drawn on it).
	 */
	text_page(&p, *state);
	plot_fit_text(&p, 1, 0, text, 1e6, buf, sizeof(buf));
	if (!valid_utf8(buf))
		fail_msg("'%s' cut into %zu bytes is not UTF-8 (ends in 0x%02X); "
			 "the page's cairo status: %s", text, sizeof(buf),
			 (unsigned char)buf[strlen(buf) - 1],
			 cairo_status_to_string(cairo_status(p.cr)));
	check_fitted(&p, text, 1e6, buf);
	assert_int_equal(cairo_status(p.cr), CAIRO_STATUS_SUCCESS);
	assert_int_equal(plot_end(&p), 0);
}

/* ---- envelopes ---- */

/* The pixel at (x, y) of a PNG page, as 0xRRGGBB. */
static uint32_t pixel(struct plot *p, int x, int y)
{
	const unsigned char *data;
	uint32_t v;
	int stride;

	assert_true(x >= 0 && x < (int)p->width && y >= 0 && y < (int)p->height);
	cairo_surface_flush(p->surface);
	data = cairo_image_surface_get_data(p->surface);
	stride = cairo_image_surface_get_stride(p->surface);
	assert_non_null(data);
	memcpy(&v, data + (size_t)y * (size_t)stride + (size_t)x * 4, sizeof(v));
	return v & 0xFFFFFFu;
}

/* Whether every channel of a is within `slack` of b's. */
static int close_colour(uint32_t a, uint32_t b, int slack)
{
	for (int shift = 0; shift <= 16; shift += 8) {
		int d = (int)((a >> shift) & 0xFF) - (int)((b >> shift) & 0xFF);

		if (d > slack || d < -slack)
			return 0;
	}
	return 1;
}

/*
 * A panel 250 px wide from x = 40 (pixel column c of the data is x = 40
 * + c), 160 px high from y = 20, for `seconds` of x axis and 0..10 on y.
 */
static void spike_panel(struct plot_panel *panel, double seconds)
{
	memset(panel, 0, sizeof(*panel));
	panel->area = (struct plot_rect){ 40, 20, 250, 160 };
	axis_nice(0, seconds, 6, 0, AXIS_SECONDS, &panel->x);
	axis_nice(0, 10, 6, 1, AXIS_PLAIN, &panel->y);
	assert_true(panel->x.lo == 0 && panel->x.hi == seconds);
	assert_true(panel->y.lo == 0 && panel->y.hi == 10);
}

/* Every pixel of column x from y0 to y1 (included) is white. */
static void assert_white_column(struct plot *p, int x, int y0, int y1)
{
	for (int y = y0; y <= y1; y++)
		if (pixel(p, x, y) != WHITE)
			fail_msg("pixel (%d, %d) is %06X, not white", x, y,
				 pixel(p, x, y));
}

/* Whether column x has a pixel of exactly rgb between y0 and y1. */
static int column_has(struct plot *p, int x, int y0, int y1, uint32_t rgb)
{
	for (int y = y0; y <= y1; y++)
		if (pixel(p, x, y) == rgb)
			return 1;
	return 0;
}

static void begin_spike_page(struct plot *p, const char *dir)
{
	char path[PATH_MAX];

	scratch_join(path, sizeof(path), dir, "spike.png");
	assert_int_equal(plot_begin(p, PLOT_PNG, path, 320, 200), 0);
}

static void test_envelope_spike(void **state)
{
	const uint32_t rgb = PALETTE_VERMILLION;
	struct plot_panel panel;
	struct envelope e;
	struct envelope_bucket *col;
	struct plot p;
	size_t nr;
	int x_spike, x_far, y_spike, y_two;

	/* 250 ms of 1 ms readings of 1, but 9 at 120 ms: with a column per
	 * millisecond, the spike is column 120's only reading. */
	envelope_init(&e, T0, MS, 4096);
	for (uint64_t ms = 0; ms < 250; ms++)
		assert_int_equal(envelope_add(&e, T0 + ms * MS,
					      ms == 120 ? 9 : 1), 0);
	spike_panel(&panel, 0.25);
	col = plot_columns(&panel, &e, T0, &nr);
	assert_non_null(col);
	assert_int_equal(nr, 250);
	assert_true(col[120].n == 1 && col[120].max == 9);
	free(col);

	begin_spike_page(&p, *state);
	plot_envelope(&p, &panel, &e, T0, 1, rgb);
	x_spike = 40 + 120;
	x_far = 40 + 30;
	y_spike = (int)round(plot_y(&panel, 8));
	y_two = (int)round(plot_y(&panel, 2));
	/* The mean line climbs to 9 in the spike's column... */
	assert_true(column_has(&p, x_spike, y_spike, y_two, rgb));
	/* ... and runs at 1 elsewhere, nothing above it. */
	assert_int_equal(pixel(&p, x_far, (int)plot_y(&panel, 1) - 1), rgb);
	assert_white_column(&p, x_far, 20, y_two);
	/* Nothing outside the data area. */
	assert_white_column(&p, 20, 0, 199);
	assert_white_column(&p, 300, 0, 199);
	assert_int_equal(plot_end(&p), 0);
	envelope_release(&e);
}

static void test_envelope_narrow_spike(void **state)
{
	const uint32_t rgb = PALETTE_BLUE;
	struct plot_panel panel;
	struct envelope e;
	struct plot p;
	int x_spike, y;

	/* 1 s of 1 ms readings over 250 columns: 4 readings a column. The
	 * spike at 481 ms is a quarter of column 120: its mean is 3, but
	 * the band still reaches 9, in the series' colour, lightly. */
	envelope_init(&e, T0, MS, 4096);
	for (uint64_t ms = 0; ms < 1000; ms++)
		assert_int_equal(envelope_add(&e, T0 + ms * MS,
					      ms == 481 ? 9 : 1), 0);
	spike_panel(&panel, 1.0);

	begin_spike_page(&p, *state);
	plot_envelope(&p, &panel, &e, T0, 1, rgb);
	x_spike = 40 + 120;
	y = (int)round(plot_y(&panel, 8));
	if (!close_colour(pixel(&p, x_spike, y), plot_tint(rgb, 0.72), 2))
		fail_msg("band pixel (%d, %d) is %06X, expected about %06X",
			 x_spike, y, pixel(&p, x_spike, y), plot_tint(rgb, 0.72));
	/* The neighbours' readings are all 1: no band above them. */
	assert_white_column(&p, x_spike - 1, 20, (int)round(plot_y(&panel, 4)));
	assert_white_column(&p, x_spike + 1, 20, (int)round(plot_y(&panel, 4)));
	/* The mean line rises to 3 there. */
	assert_true(column_has(&p, x_spike, (int)round(plot_y(&panel, 3)),
			       (int)round(plot_y(&panel, 1.5)), rgb));
	assert_int_equal(plot_end(&p), 0);
	envelope_release(&e);
}

static void test_envelope_one_reading(void **state)
{
	const uint32_t rgb = PALETTE_GREEN;
	struct plot_panel panel;
	struct envelope e;
	struct plot p;

	/* A line of one point is no line: it is drawn as a dot. */
	envelope_init(&e, T0, MS, 4096);
	assert_int_equal(envelope_add(&e, T0 + 100 * MS, 5), 0);
	spike_panel(&panel, 0.25);
	begin_spike_page(&p, *state);
	plot_envelope(&p, &panel, &e, T0, 1, rgb);
	assert_int_equal(pixel(&p, 40 + 100, (int)plot_y(&panel, 5)), rgb);
	assert_int_equal(plot_end(&p), 0);
	envelope_release(&e);
}

static void test_envelope_empty(void **state)
{
	struct plot_panel panel;
	struct envelope e;
	struct plot p;

	envelope_init(&e, T0, MS, 4096);
	spike_panel(&panel, 0.25);
	begin_spike_page(&p, *state);
	plot_envelope(&p, &panel, &e, T0, 1, PALETTE_BLUE);
	for (int x = 0; x < 320; x++)
		assert_white_column(&p, x, 0, 199);
	assert_int_equal(plot_end(&p), 0);
	envelope_release(&e);
}

static void test_envelope_unit(void **state)
{
	const uint32_t rgb = PALETTE_PURPLE;
	struct plot_panel panel;
	struct envelope e;
	struct plot p;

	/* Readings of 4e9 drawn in units of 1e9 sit at 4. */
	envelope_init(&e, T0, MS, 4096);
	for (uint64_t ms = 0; ms < 250; ms++)
		assert_int_equal(envelope_add(&e, T0 + ms * MS, 4e9), 0);
	spike_panel(&panel, 0.25);
	begin_spike_page(&p, *state);
	plot_envelope(&p, &panel, &e, T0, 1e9, rgb);
	assert_int_equal(pixel(&p, 40 + 50, (int)plot_y(&panel, 4) - 1), rgb);
	assert_white_column(&p, 40 + 50, 20, (int)plot_y(&panel, 4) - 3);
	assert_int_equal(plot_end(&p), 0);
	envelope_release(&e);
}

/*
 * An axis running past the end of the clock (fuzz/regress/charts/
 * plot-columns-past-2-64-ns): readings 4 s long from 5 s before
 * UINT64_MAX ns, on a 10 s axis. The columns end at UINT64_MAX; the
 * time past it once became an undefined conversion, in practice 0, and
 * every reading fell into one column.
 */
static void test_columns_past_the_clock(void **state)
{
	const uint64_t start = UINT64_MAX - 5000 * MS;
	struct plot_panel panel;
	struct envelope e;
	struct envelope_bucket *col;
	size_t nr, filled = 0;

	(void)state;
	envelope_init(&e, start, MS, 4096);
	for (uint64_t ms = 0; ms < 4000; ms++)
		assert_int_equal(envelope_add(&e, start + ms * MS, 1), 0);
	spike_panel(&panel, 10);
	col = plot_columns(&panel, &e, start, &nr);
	assert_non_null(col);
	assert_int_equal(nr, 250);
	for (size_t c = 0; c < nr; c++)
		filled += col[c].n > 0;
	/* 250 columns over the 5 s left: 4 s of readings fill 200. */
	assert_in_range(filled, 190, 210);
	free(col);
	envelope_release(&e);
}

/* ---- heat maps ---- */

static void test_heat_row(void **state)
{
	struct plot_panel panel;
	struct envelope e;
	struct plot p;
	const uint32_t hot = plot_sequential(1), half = plot_sequential(0.5);

	/* 250 columns over 0.25 s, 1 ms a column, and buckets 2 ms wide:
	 * a bucket fills both the columns it covers (no stripes). Full at
	 * 0..100 ms, half at 150..200 ms, a 1 ms burst to full at 175 ms
	 * in a bucket of 0.5: its max shows. Nothing elsewhere. */
	envelope_init(&e, T0, 2 * MS, 4096);
	for (uint64_t ms = 0; ms < 100; ms += 2)
		assert_int_equal(envelope_add(&e, T0 + ms * MS, 1.0), 0);
	for (uint64_t ms = 150; ms < 200; ms += 2)
		assert_int_equal(envelope_add(&e, T0 + ms * MS, 0.5), 0);
	assert_int_equal(envelope_add(&e, T0 + 177 * MS, 1.0), 0);
	spike_panel(&panel, 0.25);
	begin_spike_page(&p, *state);
	plot_heat_row(&p, &panel, &e, T0, 1.0, 50, 70);
	for (int c = 0; c < 100; c++) {
		if (pixel(&p, 40 + c, 60) != hot)
			fail_msg("column %d is %06X, not %06X", c,
				 pixel(&p, 40 + c, 60), hot);
		assert_int_equal(pixel(&p, 40 + c, 50), hot);
		assert_int_equal(pixel(&p, 40 + c, 69), hot);
		assert_int_equal(pixel(&p, 40 + c, 49), WHITE);
		assert_int_equal(pixel(&p, 40 + c, 70), WHITE);
	}
	for (int c = 101; c < 150; c++)
		assert_int_equal(pixel(&p, 40 + c, 60), WHITE);
	assert_int_equal(pixel(&p, 40 + 160, 60), half);
	assert_int_equal(pixel(&p, 40 + 176, 60), hot);
	assert_int_equal(pixel(&p, 40 + 177, 60), hot);
	assert_int_equal(pixel(&p, 40 + 190, 60), half);
	for (int c = 201; c < 250; c++)
		assert_int_equal(pixel(&p, 40 + c, 60), WHITE);
	/* Scaled by full: 0.5 of 0.5 is the top. */
	plot_heat_row(&p, &panel, &e, T0, 0.5, 100, 110);
	assert_int_equal(pixel(&p, 40 + 160, 105), hot);
	/* Nothing outside the panel. */
	assert_white_column(&p, 39, 0, 199);
	assert_white_column(&p, 291, 0, 199);
	assert_int_equal(plot_end(&p), 0);
	envelope_release(&e);
}

static void test_colour_bar(void **state)
{
	struct plot_rect r = { 100, 40, 200, 20 };
	struct axis a;
	struct plot p;

	axis_nice(0, 100, 6, 1, AXIS_PLAIN, &a);
	begin_spike_page(&p, *state);
	plot_colour_bar(&p, &r, &a, "CPU utilisation %");
	/* The bar's colours run from the bottom's to the top's, as
	 * plot_sequential() has them at each pixel's middle. */
	for (int x = 101; x <= 298; x++) {
		uint32_t expect = plot_sequential((x + 0.5 - 100) / 200);

		if (!close_colour(pixel(&p, x, 50), expect, 2))
			fail_msg("bar pixel (%d, 50) is %06X, expected about %06X",
				 x, pixel(&p, x, 50), expect);
	}
	/* Its ends, a pixel and a half in: about the bottom and the top
	 * of the map. */
	assert_true(close_colour(pixel(&p, 101, 50), plot_sequential(0), 6));
	assert_true(close_colour(pixel(&p, 298, 50), plot_sequential(1), 6));
	assert_int_equal(plot_end(&p), 0);
}

/* ---- cpu-heatmap ---- */

/* A recording of nr CPUs, each at util[k] from its begin for `ms`. */
static void heat_recording(struct chart_recording *c, const char *label,
			   const char *cpus, size_t index, const double *util,
			   size_t nr, uint64_t ms)
{
	memset(c, 0, sizeof(*c));
	c->label = strdup(label);
	c->name = strdup(label);
	c->cpus = strdup(cpus);
	c->index = index;
	c->begin_ns = T0 + index * 1000 * MS;
	c->duration = (double)ms / 1000;
	assert_non_null(c->label);
	assert_non_null(c->cpus);
	if (!nr)
		return;
	c->cpu_env = calloc(nr, sizeof(*c->cpu_env));
	assert_non_null(c->cpu_env);
	c->nr_cpu_env = nr;
	for (size_t k = 0; k < nr; k++) {
		envelope_init(&c->cpu_env[k], c->begin_ns, MS, 4096);
		for (uint64_t t = 0; t <= ms && util[k] >= 0; t++)
			assert_int_equal(envelope_add(&c->cpu_env[k],
						      c->begin_ns + t * MS,
						      util[k]), 0);
	}
}

static void heat_output(struct chart_output *out, const char *dir)
{
	*out = (struct chart_output){ .dir = dir, .formats = 1u << PLOT_PNG,
				      .width = 800, .height = 450 };
}

/* The PNG at dir/name, which must be w x h. */
static cairo_surface_t *load_png(const char *dir, const char *name, int w,
				 int h)
{
	char path[PATH_MAX];
	cairo_surface_t *png;

	scratch_join(path, sizeof(path), dir, name);
	png = cairo_image_surface_create_from_png(path);
	assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(png), w);
	assert_int_equal(cairo_image_surface_get_height(png), h);
	cairo_surface_flush(png);
	return png;
}

/* How many pixels of image row y are exactly rgb. */
static int row_count(cairo_surface_t *png, int y, uint32_t rgb)
{
	const unsigned char *data = cairo_image_surface_get_data(png);
	int stride = cairo_image_surface_get_stride(png), n = 0;

	for (int x = 0; x < cairo_image_surface_get_width(png); x++) {
		uint32_t v;

		memcpy(&v, data + (size_t)y * (size_t)stride + (size_t)x * 4,
		       sizeof(v));
		n += (v & 0xFFFFFFu) == rgb;
	}
	return n;
}

static void test_cpu_heatmap(void **state)
{
	const char *dir = *state;
	const uint32_t hot = plot_sequential(1), cold = plot_sequential(0);
	const uint32_t part = plot_sequential(0.4);
	struct chart_recording recs[3];
	struct chart_output out;
	cairo_surface_t *png;
	int full = 0, halfway = 0, idle = 0, parts = 0, h;

	/* "2 CPUs" ran 200 ms, CPU 0 busy, CPU 1 at 40%; "1 CPU" ran 400
	 * ms on CPU 0 and has no CPU 1 (empty); "plain" has no per-CPU
	 * counts and no panel. */
	heat_recording(&recs[0], "2 CPUs", "0-1", 0, (double[]){ 1.0, 0.4 }, 2, 200);
	heat_recording(&recs[1], "1 CPU", "0", 1, (double[]){ 1.0 }, 1, 400);
	heat_recording(&recs[2], "plain", "", 2, NULL, 0, 300);
	heat_output(&out, dir);
	assert_int_equal(charts_draw_cpu_heatmap(&out, recs, 3), 0);
	assert_int_equal(out.failures, 0);
	assert_listing(dir, "cpu-heatmap.png");

	png = load_png(dir, "cpu-heatmap.png", 800, 450);
	h = cairo_image_surface_get_height(png);
	/* One time axis: the 400 ms run's hot rows are the full width of
	 * the data, the 200 ms run's half of it. */
	for (int y = 0; y < h; y++) {
		int n = row_count(png, y, hot);

		full = n > full ? n : full;
	}
	assert_true(full > 500);
	for (int y = 0; y < h; y++) {
		int n = row_count(png, y, hot), k = row_count(png, y, part);

		halfway += n >= full * 0.48 && n <= full * 0.52;
		parts += k >= full * 0.48 && k <= full * 0.52;
		idle += row_count(png, y, cold) > 0;
	}
	if (!halfway)
		fail_msg("no row of the 200 ms run is half of %d pixels hot", full);
	assert_true(parts > 0);
	/* Nothing at 0: no CPU was idle where it had data. */
	assert_int_equal(idle, 0);
	cairo_surface_destroy(png);

	/* With none having per-CPU counts: no chart, no file. */
	{
		char path[PATH_MAX];

		scratch_join(path, sizeof(path), dir, "cpu-heatmap.png");
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(charts_draw_cpu_heatmap(&out, &recs[2], 1), 0);
	assert_int_equal(charts_draw_cpu_heatmap(&out, recs, 0), 0);
	assert_listing(dir, "");
	for (int i = 0; i < 3; i++)
		chart_recording_release(&recs[i]);
}

/*
 * Under LeakSanitizer (PPROBE_SANITIZE): fontconfig, which cairo's toy
 * text API loads, keeps its parsed configuration and patterns until
 * FcFini(), which nothing here links to call. Those are not leaks of the
 * code under test; a leak of its own (a surface, a path) is still found.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

#define DIR_TEST(test) cmocka_unit_test_setup_teardown(test, scratch_dir_setup, \
							scratch_dir_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_extension),
		DIR_TEST(test_png_atomic),
		DIR_TEST(test_svg_pdf),
		DIR_TEST(test_begin_missing_dir),
		DIR_TEST(test_end_rename_fails),
		DIR_TEST(test_font_scales),
		cmocka_unit_test(test_tint),
		cmocka_unit_test(test_sequential),
		DIR_TEST(test_heat_row),
		DIR_TEST(test_colour_bar),
		DIR_TEST(test_cpu_heatmap),
		DIR_TEST(test_fit_text),
		DIR_TEST(test_fit_text_utf8),
		DIR_TEST(test_fit_text_small_buffer),
		DIR_TEST(test_envelope_spike),
		DIR_TEST(test_envelope_narrow_spike),
		DIR_TEST(test_envelope_one_reading),
		DIR_TEST(test_envelope_empty),
		DIR_TEST(test_envelope_unit),
		cmocka_unit_test(test_columns_past_the_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

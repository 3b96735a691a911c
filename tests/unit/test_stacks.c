/*
 * test_stacks.c - unit tests of sampled call stacks (report/stacks.c)
 * and the two charts drawn from a profile (report/profile_charts.c).
 *
 * The tree: counts merged along shared prefixes, totals and self counts,
 * the folded lines compared as exact text (sorted byte by byte as the
 * stack texts compare, ';' and newlines in names escaped, a sample
 * without frames in the root only), memory that grows with distinct
 * paths, a root of 100,000 children (a sibling list walked per sample
 * would take minutes there), a stack of 1000 frames, and a write error.
 *
 * The charts are checked in the pixels of the PNG, as test_plot.c does:
 * hot-functions' bars are PALETTE_BLUE, longest on top, as long as their
 * shares; a flame graph's frames are warm colours (red high, blue low,
 * which neither the page, the text nor the root's grey is), as wide as
 * their samples, rows thinner when the stacks are deep, the top cut off
 * (and said in the subtitle) when they are deeper than the page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cairo.h>

#include "palette.h"
#include "profile_charts.h"
#include "scratch_dir.h"
#include "stacks.h"

#define STACK(...) ((const char *const[]){ __VA_ARGS__ })
#define NR(...) (sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(char *))
/* Adds count samples of the frames given, root first. */
#define ADD(s, count, ...) \
	assert_int_equal(stacks_add(s, STACK(__VA_ARGS__), NR(__VA_ARGS__), \
				    count), 0)

/* The folded lines of s, malloc'd. */
static char *folded(const struct stacks *s)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	assert_int_equal(stacks_write_folded(s, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void assert_folded(const struct stacks *s, const char *expect)
{
	char *text = folded(s);

	assert_string_equal(text, expect);
	free(text);
}

/* The child of n called name (NULL: none). */
static const struct stack_node *child(const struct stack_node *n,
				      const char *name)
{
	for (n = n->children; n; n = n->next)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

/* ---- the tree ---- */

static void test_merge_and_counts(void **state)
{
	const struct stack_node *a, *b;
	struct stacks s;

	(void)state;
	stacks_init(&s);
	ADD(&s, 1, "crunch", "main", "work_one");
	ADD(&s, 1, "crunch", "main", "work_one");
	ADD(&s, 3, "crunch", "main", "work_two");
	ADD(&s, 2, "crunch", "main");
	ADD(&s, 5, "sleep", "nanosleep");
	/* Shared prefixes share nodes: crunch, main, two leaves, sleep,
	 * nanosleep. */
	assert_int_equal(s.nr_nodes, 6);
	assert_int_equal(s.root.total, 12);
	assert_int_equal(s.root.self, 0);
	a = child(&s.root, "crunch");
	assert_non_null(a);
	assert_ptr_equal(a->parent, &s.root);
	assert_int_equal(a->total, 7);
	assert_int_equal(a->self, 0);
	b = child(a, "main");
	assert_int_equal(b->total, 7);
	assert_int_equal(b->self, 2);
	assert_int_equal(child(b, "work_one")->total, 2);
	assert_int_equal(child(b, "work_one")->self, 2);
	assert_int_equal(child(b, "work_two")->self, 3);
	assert_null(child(b, "work_three"));
	/* Merged, one line per stack, sorted; a stack's own line before
	 * its callees'. */
	assert_folded(&s, "crunch;main 2\n"
			  "crunch;main;work_one 2\n"
			  "crunch;main;work_two 3\n"
			  "sleep;nanosleep 5\n");
	stacks_release(&s);
	/* Released is empty, and usable again. */
	assert_int_equal(s.nr_nodes, 0);
	assert_int_equal(s.root.total, 0);
	assert_folded(&s, "");
	ADD(&s, 1, "x");
	assert_folded(&s, "x 1\n");
	stacks_release(&s);
}

static int by_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_sorted_as_text(void **state)
{
	/* Names that start alike, and characters on either side of ';'
	 * (0x3B): '.' and '2' sort before it, '<' and 'w' after. A tree
	 * walked in order of names would put "c;work;x" before "c;work2". */
	static const char *const lines[] = {
		"c;work;x", "c;work2", "c;work<int>", "c;wor", "c;work.a",
		"c;work", "c;work;x;y", "b;zzz", "c;Work", "c2;a",
	};
	const size_t nr = sizeof(lines) / sizeof(lines[0]);
	const char *sorted[sizeof(lines) / sizeof(lines[0])];
	char expect[512] = "";
	struct stacks s;

	(void)state;
	stacks_init(&s);
	for (size_t i = 0; i < nr; i++) {
		char copy[64], *frames[8], *save = NULL;
		size_t n = 0;

		snprintf(copy, sizeof(copy), "%s", lines[i]);
		for (char *f = strtok_r(copy, ";", &save); f;
		     f = strtok_r(NULL, ";", &save))
			frames[n++] = f;
		assert_int_equal(stacks_add(&s, (const char *const *)frames, n,
					    i + 1), 0);
	}
	/* The expected order from the whole texts, as `LC_ALL=C sort`. */
	memcpy(sorted, lines, sizeof(sorted));
	qsort(sorted, nr, sizeof(*sorted), by_strcmp);
	for (size_t i = 0; i < nr; i++) {
		size_t k;
		char line[80];

		for (k = 0; strcmp(lines[k], sorted[i]); k++)
			;
		snprintf(line, sizeof(line), "%s %zu\n", sorted[i], k + 1);
		strcat(expect, line);
	}
	assert_folded(&s, expect);
	/* And spelled out, so the test does not rest on the sort above. */
	assert_string_equal(expect, "b;zzz 8\nc2;a 10\nc;Work 9\nc;wor 4\n"
			    "c;work 6\nc;work.a 5\nc;work2 2\nc;work;x 1\n"
			    "c;work;x;y 7\nc;work<int> 3\n");
	stacks_release(&s);
}

static void test_escapes(void **state)
{
	struct stacks s;

	(void)state;
	stacks_init(&s);
	ADD(&s, 1, "prog", "a;b", "line\nbreak");
	assert_folded(&s, "prog;a:b;line break 1\n");
	/* The name as kept: one frame with what it reads as. */
	ADD(&s, 2, "prog", "a:b", "line break");
	assert_int_equal(s.nr_nodes, 3);
	assert_string_equal(child(&s.root, "prog")->children->name, "a:b");
	assert_folded(&s, "prog;a:b;line break 3\n");
	stacks_release(&s);
}

static void test_no_frames(void **state)
{
	struct stacks s;

	(void)state;
	stacks_init(&s);
	assert_folded(&s, "");
	assert_int_equal(stacks_add(&s, NULL, 0, 4), 0);
	/* In the root only: it has no folded line. */
	assert_int_equal(s.root.total, 4);
	assert_int_equal(s.root.self, 4);
	assert_int_equal(s.nr_nodes, 0);
	assert_folded(&s, "");
	/* A count of 0 adds nothing, not even nodes. */
	ADD(&s, 0, "ghost", "town");
	assert_int_equal(s.nr_nodes, 0);
	assert_int_equal(s.root.total, 4);
	ADD(&s, 1, "one");
	assert_folded(&s, "one 1\n");
	assert_int_equal(s.root.total, 5);
	stacks_release(&s);
}

/* Memory follows distinct paths: a stack sampled 100,000 times is three
 * nodes and three names. */
static void test_repeats_add_no_nodes(void **state)
{
	struct stacks s;

	(void)state;
	stacks_init(&s);
	for (int i = 0; i < 100000; i++)
		ADD(&s, 1, "prog", "main", "loop");
	assert_int_equal(s.nr_nodes, 3);
	assert_int_equal(s.nr_names, 3);
	assert_int_equal(s.root.total, 100000);
	assert_folded(&s, "prog;main;loop 100000\n");
	/* A name in two places is one interned copy. */
	ADD(&s, 1, "prog", "loop");
	assert_int_equal(s.nr_nodes, 4);
	assert_int_equal(s.nr_names, 3);
	assert_ptr_equal(child(child(&s.root, "prog"), "loop")->name,
			 child(child(child(&s.root, "prog"), "main"), "loop")->name);
	stacks_release(&s);
}

static double cpu_seconds(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define WIDE 100000

static void test_wide_node(void **state)
{
	char name[32], *text, *line, *save = NULL, last[32] = "";
	double start = cpu_seconds(), took;
	size_t lines = 0;
	struct stacks s;

	(void)state;
	stacks_init(&s);
	/* Each child added, then found again. */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < WIDE; i++) {
			snprintf(name, sizeof(name), "f%d", i);
			ADD(&s, 1, "prog", name);
		}
	took = cpu_seconds() - start;
	/* Milliseconds with a hash (a second or so under the sanitizers);
	 * a list walked per sample is 10^10 steps. */
	if (took > 5)
		fail_msg("200,000 samples under a node of %d children took %.1f s",
			 WIDE, took);
	assert_int_equal(s.nr_nodes, WIDE + 1);
	assert_int_equal(child(&s.root, "prog")->total, 2 * WIDE);
	text = folded(&s);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		assert_true(strncmp(line, "prog;f", 6) == 0);
		assert_string_equal(strchr(line, ' '), " 2");
		assert_true(strcmp(last, line) < 0);
		snprintf(last, sizeof(last), "%s", line);
		lines++;
	}
	assert_int_equal(lines, WIDE);
	free(text);
	stacks_release(&s);
}

#define DEEP 1000

static void test_deep_stack(void **state)
{
	const char *frames[DEEP];
	char (*names)[16] = calloc(DEEP, sizeof(*names));
	char *expect = calloc(DEEP, 16), *text;
	struct stacks s;

	(void)state;
	assert_non_null(names);
	assert_non_null(expect);
	for (int i = 0; i < DEEP; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d", i);
		frames[i] = names[i];
		strcat(expect, names[i]);
		strcat(expect, i + 1 < DEEP ? ";" : " 7\n");
	}
	stacks_init(&s);
	assert_int_equal(stacks_add(&s, frames, DEEP, 7), 0);
	assert_int_equal(s.nr_nodes, DEEP);
	assert_folded(&s, expect);
	/* Another leaf under the same 999 frames: one more node, and a
	 * line that sorts before ("f999" > "f998"). */
	frames[DEEP - 1] = "f998";
	assert_int_equal(stacks_add(&s, frames, DEEP, 1), 0);
	assert_int_equal(s.nr_nodes, DEEP + 1);
	text = folded(&s);
	assert_int_equal(strncmp(text + strlen(text) - strlen(expect), expect,
				 strlen(expect)), 0);
	assert_int_equal(strlen(text), 2 * strlen(expect));
	assert_non_null(strstr(text, ";f998;f998 1\n"));
	free(text);
	stacks_release(&s);
	free(names);
	free(expect);
}

static void test_write_error(void **state)
{
	struct stacks s;
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	if (!full)
		skip();
	stacks_init(&s);
	ADD(&s, 1, "prog", "main");
	assert_int_equal(stacks_write_folded(&s, full), -ENOSPC);
	fclose(full);
	stacks_release(&s);
}

/* ---- charts ---- */

#define W 800
#define H 450
#define FONT 10                 /* plot.h's base font at 800x450 */

static void png_output(struct chart_output *out, const char *dir)
{
	*out = (struct chart_output){ .dir = dir, .formats = 1u << PLOT_PNG,
				      .width = W, .height = H };
}

/* The PNG at dir/name, which must be W x H. */
static cairo_surface_t *load_png(const char *dir, const char *name)
{
	char path[PATH_MAX];
	cairo_surface_t *png;

	scratch_join(path, sizeof(path), dir, name);
	png = cairo_image_surface_create_from_png(path);
	assert_int_equal(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(png), W);
	assert_int_equal(cairo_image_surface_get_height(png), H);
	cairo_surface_flush(png);
	return png;
}

static uint32_t pixel(cairo_surface_t *png, int x, int y)
{
	const unsigned char *data = cairo_image_surface_get_data(png);
	uint32_t v;

	memcpy(&v, data + (size_t)y * (size_t)cairo_image_surface_get_stride(png) +
		   (size_t)x * 4, sizeof(v));
	return v & 0xFFFFFFu;
}

static int count_colour(cairo_surface_t *png, int y0, int y1, uint32_t rgb)
{
	int n = 0;

	for (int y = y0; y < y1; y++)
		for (int x = 0; x < W; x++)
			n += pixel(png, x, y) == rgb;
	return n;
}

/* A flame frame's colour: red high, blue low (not text, page, or root). */
static int warm(uint32_t rgb)
{
	return (rgb >> 16) >= 0xE0 && (rgb & 0xFF) <= 0x60;
}

/* The runs of warm pixels along row y: up to max of them (start,
 * length), returning how many there are. */
static int warm_runs(cairo_surface_t *png, int y, int (*runs)[2], int max)
{
	int n = 0;

	for (int x = 0; x < W; x++) {
		if (!warm(pixel(png, x, y)))
			continue;
		if (x == 0 || !warm(pixel(png, x - 1, y))) {
			if (n < max)
				runs[n][0] = x, runs[n][1] = 0;
			n++;
		}
		if (n <= max)
			runs[n - 1][1]++;
	}
	return n;
}

/* The first row (from the top) with a warm pixel, or H. */
static int top_warm(cairo_surface_t *png)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			if (warm(pixel(png, x, y)))
				return y;
	return H;
}

/* Pixels that are not white in the subtitle's line. */
static int subtitle_ink(cairo_surface_t *png)
{
	return W * (FONT * 4 - FONT * 26 / 10) -
	       count_colour(png, FONT * 26 / 10, FONT * 4, 0xFFFFFFu);
}

static void test_hot(void **state)
{
	const char *dir = *state;
	const struct hot_row rows[] = {
		{ "std::vector<std::pair<int, std::string>>::_M_realloc_insert", "crunch", 60 },
		{ "memcpy", "libc.so.6", 30 },
		{ "0x1234", NULL, 10 },
	};
	struct chart_output out;
	cairo_surface_t *png;
	int bars[4] = { 0 }, nr = 0, in_bar = 0;

	png_output(&out, dir);
	assert_int_equal(charts_draw_hot(&out, "-crunch", "crunch  \u00b7  99 Hz",
					 rows, 3, 200), 0);
	assert_int_equal(out.failures, 0);
	assert_listing(dir, "hot-functions-crunch.png");
	png = load_png(dir, "hot-functions-crunch.png");
	/* Bars top to bottom, each as long as its widest pixel row. */
	for (int y = 0; y < H; y++) {
		int n = count_colour(png, y, y + 1, PALETTE_BLUE);

		if (n > 2 && !in_bar) {
			assert_true(nr < 4);
			nr++;
		}
		if (n > 2 && n > bars[nr - 1])
			bars[nr - 1] = n;
		in_bar = n > 2;
	}
	assert_int_equal(nr, 3);
	/* Longest on top; 30%, 15% and 5% of the samples. */
	if (abs(bars[0] - 2 * bars[1]) > 3 || abs(bars[0] - 6 * bars[2]) > 8)
		fail_msg("bars of %d, %d and %d pixels are not 6:3:1",
			 bars[0], bars[1], bars[2]);
	assert_true(bars[0] > W / 4);
	cairo_surface_destroy(png);
}

static void test_hot_many_rows(void **state)
{
	const char *dir = *state;
	struct hot_row rows[200];
	struct chart_output out;
	cairo_surface_t *png;
	int nr = 0, in_bar = 0;

	for (int i = 0; i < 200; i++)
		rows[i] = (struct hot_row){ "function", "module",
					    (uint64_t)(400 - i) };
	png_output(&out, dir);
	assert_int_equal(charts_draw_hot(&out, "", NULL, rows, 200, 100000), 0);
	assert_int_equal(out.failures, 0);
	png = load_png(dir, "hot-functions.png");
	for (int y = 0; y < H; y++) {
		int n = count_colour(png, y, y + 1, PALETTE_BLUE);

		nr += n > 0 && !in_bar;
		in_bar = n > 0;
	}
	/* As many as fit at a readable height, not 200 slivers. */
	assert_true(nr >= 20 && nr <= 40);
	cairo_surface_destroy(png);
}

static void test_hot_empty(void **state)
{
	const char *dir = *state;
	struct chart_output out;
	cairo_surface_t *png;

	png_output(&out, dir);
	assert_int_equal(charts_draw_hot(&out, "", "nothing", NULL, 0, 0), 0);
	assert_int_equal(out.failures, 0);
	png = load_png(dir, "hot-functions.png");
	assert_int_equal(count_colour(png, 0, H, PALETTE_BLUE), 0);
	/* plot_no_data()'s grey. */
	assert_true(count_colour(png, 0, H, 0xF4F4F4u) > W * H / 2);
	cairo_surface_destroy(png);
}

static void test_flame_widths(void **state)
{
	const char *dir = *state;
	struct chart_output out;
	cairo_surface_t *png;
	struct stacks s;
	int runs[4][2], pairs = 0, whole = 0;

	stacks_init(&s);
	ADD(&s, 2, "a", "b");
	ADD(&s, 1, "a", "c");
	png_output(&out, dir);
	assert_int_equal(charts_draw_flame(&out, "", "a test", &s), 0);
	assert_int_equal(out.failures, 0);
	assert_listing(dir, "flame.png");
	png = load_png(dir, "flame.png");
	/* Rows of b and c beside each other (those not crossed by their
	 * labels), and rows of a alone, the whole width. */
	for (int y = 0; y < H; y++) {
		int n = warm_runs(png, y, runs, 4);

		if (n == 1 && runs[0][1] > W * 9 / 10) {
			whole = runs[0][1];
			continue;
		}
		if (n != 2 || runs[0][1] < 20 || runs[1][1] < 20)
			continue;
		pairs++;
		/* b, twice as wide, on the left: both under a's left edge. */
		if (abs(runs[0][1] - 2 * runs[1][1]) > 3)
			fail_msg("b is %d pixels wide, c %d: not 2:1",
				 runs[0][1], runs[1][1]);
		assert_true(runs[0][0] < runs[1][0]);
		assert_true(abs(runs[0][0] - FONT * 3 / 2) <= 1);
	}
	assert_true(pairs > 0);
	assert_true(whole > 0);
	cairo_surface_destroy(png);
	stacks_release(&s);
}

/* A stack of depth frames, count samples. */
static void add_deep(struct stacks *s, size_t depth, uint64_t count,
		     const char *prefix)
{
	const char **frames = calloc(depth, sizeof(*frames));
	char (*names)[24] = calloc(depth, sizeof(*names));

	assert_non_null(frames);
	assert_non_null(names);
	for (size_t i = 0; i < depth; i++) {
		snprintf(names[i], sizeof(names[i]), "%s%zu", prefix, i);
		frames[i] = names[i];
	}
	assert_int_equal(stacks_add(s, frames, depth, count), 0);
	free(frames);
	free(names);
}

/* The flame of one stack of depth frames, for a look at its pixels. */
static cairo_surface_t *deep_flame(const char *dir, size_t depth)
{
	struct chart_output out;
	struct stacks s;

	stacks_init(&s);
	add_deep(&s, depth, 10, "f");
	png_output(&out, dir);
	assert_int_equal(charts_draw_flame(&out, "", "deep", &s), 0);
	assert_int_equal(out.failures, 0);
	stacks_release(&s);
	return load_png(dir, "flame.png");
}

static void test_flame_deep(void **state)
{
	const char *dir = *state;
	cairo_surface_t *shallow = deep_flame(dir, 3);
	cairo_surface_t *deep = deep_flame(dir, 100);
	cairo_surface_t *deeper = deep_flame(dir, 2000);

	/* Three frames are rows of a readable height, at the bottom. */
	assert_true(top_warm(shallow) > H * 3 / 4);
	/* A hundred are thinner rows up to the top. */
	assert_true(top_warm(deep) < FONT * 6);
	/* 2000 cannot fit even at a pixel each: drawn up to the top, and
	 * the subtitle says they were cut ("deep", then more). */
	assert_true(top_warm(deeper) < FONT * 6);
	assert_int_equal(subtitle_ink(shallow), subtitle_ink(deep));
	assert_true(subtitle_ink(deeper) > subtitle_ink(deep) + 200);
	/* Every pixel row of the frames is drawn: the one stack is a
	 * column of warm rows from the top of the data to the root. */
	for (int y = top_warm(deeper); y < H - FONT * 3; y++)
		assert_true(warm(pixel(deeper, W / 2, y)));
	cairo_surface_destroy(shallow);
	cairo_surface_destroy(deep);
	cairo_surface_destroy(deeper);
}

/* A deep stack narrower than a pixel is left out, and leaves the rows
 * of the others their full height. */
static void test_flame_narrow(void **state)
{
	const char *dir = *state;
	struct chart_output out;
	cairo_surface_t *png;
	struct stacks s;
	int rows = 0;

	stacks_init(&s);
	add_deep(&s, 200, 1, "a");
	ADD(&s, 100000, "b", "main");
	png_output(&out, dir);
	assert_int_equal(charts_draw_flame(&out, "", NULL, &s), 0);
	png = load_png(dir, "flame.png");
	/* b and main: two rows of about 1.25 fonts. */
	for (int y = 0; y < H; y++)
		rows += warm(pixel(png, W - FONT * 3, y));
	assert_true(rows >= 2 * FONT && rows <= 3 * FONT);
	assert_true(top_warm(png) > H * 3 / 4);
	cairo_surface_destroy(png);
	stacks_release(&s);
}

static void test_flame_empty(void **state)
{
	const char *dir = *state;
	struct chart_output out;
	cairo_surface_t *png;
	struct stacks s;

	stacks_init(&s);
	png_output(&out, dir);
	assert_int_equal(charts_draw_flame(&out, "-none", NULL, &s), 0);
	assert_int_equal(out.failures, 0);
	assert_listing(dir, "flame-none.png");
	png = load_png(dir, "flame-none.png");
	assert_int_equal(top_warm(png), H);
	assert_true(count_colour(png, 0, H, 0xF4F4F4u) > W * H / 2);
	cairo_surface_destroy(png);
	/* Samples without frames: the root alone, drawn, no frame. */
	assert_int_equal(stacks_add(&s, NULL, 0, 3), 0);
	assert_int_equal(charts_draw_flame(&out, "-none", NULL, &s), 0);
	png = load_png(dir, "flame-none.png");
	assert_int_equal(top_warm(png), H);
	/* not the "no samples" page (a little of its grey is in text) */
	assert_true(count_colour(png, 0, H, 0xF4F4F4u) < W * H / 100);
	cairo_surface_destroy(png);
	stacks_release(&s);
}

/* fontconfig's configuration, kept until FcFini(): see test_plot.c. */
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
		cmocka_unit_test(test_merge_and_counts),
		cmocka_unit_test(test_sorted_as_text),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_no_frames),
		cmocka_unit_test(test_repeats_add_no_nodes),
		cmocka_unit_test(test_wide_node),
		cmocka_unit_test(test_deep_stack),
		cmocka_unit_test(test_write_error),
		DIR_TEST(test_hot),
		DIR_TEST(test_hot_many_rows),
		DIR_TEST(test_hot_empty),
		DIR_TEST(test_flame_widths),
		DIR_TEST(test_flame_deep),
		DIR_TEST(test_flame_narrow),
		DIR_TEST(test_flame_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

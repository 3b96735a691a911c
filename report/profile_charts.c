/*
 * profile_charts.c - the hot functions and the flame graph of a sampled
 * recording (see profile_charts.h). Layout is in multiples of the page's
 * base font (plot.h), as in charts.c.
 *
 * The flame graph is drawn as flamegraph.pl draws it: each frame's
 * callees in order of their names (so the same profile always looks the
 * same, and two profiles compare side by side), left aligned above it,
 * the frame's own samples the room left on their right. A frame's colour
 * comes from a hash of its name, so a function has the same colour
 * wherever it appears and from one report to the next.
 */
#include "profile_charts.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axis.h"
#include "palette.h"

#define TEXT_RGB 0x222222u
#define MUTED_RGB 0x666666u
#define FLAME_ROOT_RGB 0xD6D6D6u    /* "all": not a function */

/* ---- hot functions ---- */

struct hot_args {
	const char *subtitle;
	const struct hot_row *rows;
	size_t nr;
	uint64_t total;
};

/* samples as a percentage of total (> 0); more than total is 100. */
static double percent_of(uint64_t samples, uint64_t total)
{
	return samples >= total ? 100 : (double)samples * 100 / (double)total;
}

static char *format_percent(double percent, char *buf, size_t size)
{
	/* "0.0%" would read as "never sampled". */
	if (percent > 0 && percent < 0.05)
		snprintf(buf, size, "<0.1%%");
	else
		snprintf(buf, size, "%.1f%%", percent);
	return buf;
}

/* " (module)", or "" without one. */
static void module_text(const struct hot_row *row, char *buf, size_t size)
{
	if (row->module && *row->module)
		snprintf(buf, size, " (%s)", row->module);
	else
		buf[0] = '\0';
	plot_utf8_trim(buf);
}

/*
 * The row's label, right aligned on x within width: the function cut to
 * fit so that its module stays whole (a template's arguments are what
 * goes), unless the module itself takes more than half the room.
 */
static void hot_label(struct plot *p, const struct hot_row *row, double x,
		      double y, double size, double width)
{
	char module[256], fitted_module[256], function[512];
	double module_w;

	module_text(row, module, sizeof(module));
	plot_fit_text(p, size, 0, module, width / 2, fitted_module,
		      sizeof(fitted_module));
	module_w = plot_text_width(p, size, 0, fitted_module);
	plot_fit_text(p, size, 0, row->function ? row->function : "?",
		      width - module_w, function, sizeof(function));
	plot_text(p, x, y, PLOT_RIGHT, size, 0, MUTED_RGB, fitted_module);
	plot_text(p, x - module_w, y, PLOT_RIGHT, size, 0, TEXT_RGB, function);
}

/* The width of the row's whole label. */
static double hot_label_width(struct plot *p, const struct hot_row *row,
			      double size)
{
	char module[256];

	module_text(row, module, sizeof(module));
	return plot_text_width(p, size, 0, row->function ? row->function : "?") +
	       plot_text_width(p, size, 0, module);
}

static void draw_hot(struct plot *p, const void *arg)
{
	const struct hot_args *a = arg;
	struct plot_panel panel = { .x_title = "share of all samples (%)" };
	double top, bottom, left, right, row_h, size, label_w = 0, max = 0;
	size_t shown, fit, more;
	struct plot_rect all;
	char text[64];

	top = plot_title(p, "Hot functions", a->subtitle) + p->font * 0.3;
	all = (struct plot_rect){ p->font * 1.5, top, p->width - p->font * 3,
				  p->height - top - p->font * 1.5 };
	if (!a->nr || !a->total) {
		plot_no_data(p, &all, "no samples");
		return;
	}
	bottom = p->height - plot_bottom_gutter(p, 1) - p->font * 0.3;
	/* As many rows as fit at a readable height; when some do not, the
	 * last row says how many were left out. */
	fit = (size_t)fmax(1, floor((bottom - top) / (p->font * 1.15)));
	shown = a->nr <= fit ? a->nr : fit > 1 ? fit - 1 : 1;
	more = a->nr - shown;
	row_h = fmin(p->font * 2.0,
		     (bottom - top) / (double)(shown + (more ? 1 : 0)));
	size = fmin(0.9, row_h / p->font * 0.62);

	for (size_t i = 0; i < shown; i++) {
		label_w = fmax(label_w, hot_label_width(p, &a->rows[i], size));
		max = fmax(max, percent_of(a->rows[i].samples, a->total));
	}
	/* Long C++ names are cut rather than squeeze the bars. */
	label_w = fmin(fmax(label_w, p->font * 6), p->width * 0.45);
	left = p->font * 1.5 + label_w + p->font * 0.6;
	right = p->width - p->font * 1.5;
	panel.area = (struct plot_rect){ left, top, right - left,
					 row_h * (double)(shown + (more ? 1 : 0)) };
	/* Room after the longest bar for its percentage. */
	axis_nice(0, fmax(max * 1.12, 1), chart_ticks_for(p, panel.area.w, 5),
		  1, AXIS_PLAIN, &panel.x);
	axis_nice(0, 1, 2, 0, AXIS_PLAIN, &panel.y);
	panel.y.nr = 0;         /* rows, not values: no y ticks */
	plot_axes(p, &panel, 1);

	for (size_t i = 0; i < shown; i++) {
		const struct hot_row *row = &a->rows[i];
		double percent = percent_of(row->samples, a->total);
		double y = panel.area.y + row_h * ((double)i + 0.5);
		double x0 = plot_x(&panel, 0), x1 = plot_x(&panel, percent);
		double text_w;

		plot_colour(p, PALETTE_BLUE, 1);
		cairo_rectangle(p->cr, x0, y - row_h * 0.35,
				fmax(1, x1 - x0), row_h * 0.7);
		cairo_fill(p->cr);
		format_percent(percent, text, sizeof(text));
		text_w = plot_text_width(p, size, 0, text);
		if (x1 + p->font * 0.4 + text_w <= right - p->font * 0.2)
			plot_text(p, x1 + p->font * 0.4, y, PLOT_LEFT, size, 0,
				  TEXT_RGB, text);
		else
			plot_text(p, x1 - p->font * 0.4, y, PLOT_RIGHT, size, 0,
				  0xFFFFFFu, text);
		hot_label(p, row, left - p->font * 0.5, y, size, label_w);
	}
	if (more) {
		snprintf(text, sizeof(text), "%zu more not shown", more);
		plot_text(p, left - p->font * 0.5,
			  panel.area.y + row_h * ((double)shown + 0.5),
			  PLOT_RIGHT, size, 0, MUTED_RGB, text);
	}
}

int charts_draw_hot(struct chart_output *out, const char *suffix,
		    const char *subtitle, const struct hot_row *rows,
		    size_t nr, uint64_t total)
{
	struct hot_args a = { subtitle, rows, nr, total };
	char name[320];

	snprintf(name, sizeof(name), "hot-functions%s", suffix);
	return chart_draw_page(out, name, draw_hot, &a);
}

/* ---- the flame graph ---- */

struct flame_args {
	const char *subtitle;
	const struct stacks *s;
	int *out_of_memory;     /* set when the page could not be drawn */
};

/* What a flame graph is drawn with. */
struct flame {
	struct plot *p;
	double x0;              /* the page x of the root's left edge */
	double scale;           /* pixels per sample */
	double bottom;          /* the page y under the root's row */
	double row_h;
	size_t rows;            /* rows drawn: depths 0 (the root) .. rows-1 */
	double label_size;      /* of the base font; 0: rows too thin */
	/* Children of the frames being drawn, sorted, each frame's after
	 * its parent's: room for every node, allocated once. */
	const struct stack_node **kids;
	size_t nr_kids;
	char label[256];
};

/* Frames narrower than this many pixels are not drawn, nor their callees. */
#define FLAME_MIN_WIDTH 1.0
/* The tallest row, and the thinnest before deep stacks are cut off. */
#define FLAME_ROW 1.25          /* of the base font */
#define FLAME_MIN_ROW 1.0       /* pixels */

/*
 * A warm colour from the name's hash (FNV-1a): red to yellow, never so
 * dark that a label cannot be read on it.
 */
static uint32_t flame_colour(const char *name)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 16777619u;
	return (0xE6u + h % 0x1Au) << 16 | (0x58u + (h >> 8) % 0x88u) << 8 |
	       (0x30u + (h >> 16) % 0x30u);
}

/* The deepest frame at least FLAME_MIN_WIDTH wide (the root is 0). */
static size_t flame_depth(const struct stacks *s, double scale)
{
	const struct stack_node *n = s->root.children;
	size_t depth = 1, deepest = 0;

	/* Without recursion: a stack may be deeper than the C stack. */
	while (n) {
		if ((double)n->total * scale >= FLAME_MIN_WIDTH) {
			if (depth > deepest)
				deepest = depth;
			if (n->children) {
				n = n->children;
				depth++;
				continue;
			}
		}
		while (n != &s->root && !n->next) {
			n = n->parent;
			depth--;
		}
		n = n == &s->root ? NULL : n->next;
	}
	return deepest;
}

static void flame_box(struct flame *f, const char *name, const char *text,
		      uint32_t rgb, size_t depth, double x, double w)
{
	struct plot *p = f->p;
	double x0 = round(x), x1 = round(x + w), pad = p->font * 0.3;
	double y0 = round(f->bottom - f->row_h * (double)(depth + 1));
	double y1 = round(f->bottom - f->row_h * (double)depth);
	size_t fit;

	if (x1 <= x0)
		x1 = x0 + 1;
	if (y1 <= y0)
		y1 = y0 + 1;
	/* A white line between boxes, where there is room for one. */
	plot_colour(p, rgb, 1);
	cairo_rectangle(p->cr, x0, y0, x1 - x0 - (x1 - x0 >= 3),
			y1 - y0 - (y1 - y0 >= 4));
	cairo_fill(p->cr);
	if (!f->label_size || x1 - x0 - 2 * pad < p->font * f->label_size * 1.5)
		return;
	/* No name can show more characters than fit at a narrow letter's
	 * width: cutting it there first bounds plot_fit_text()'s work. */
	fit = (size_t)((x1 - x0 - 2 * pad) / (p->font * f->label_size * 0.3)) + 4;
	plot_fit_text(p, f->label_size, 0, text ? text : name, x1 - x0 - 2 * pad,
		      f->label,
		      fit < sizeof(f->label) ? fit : sizeof(f->label));
	if (strcmp(f->label, "...") && f->label[0])
		plot_text(p, x0 + pad, (y0 + y1 - 1) / 2, PLOT_LEFT,
			  f->label_size, 0, TEXT_RGB, f->label);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct stack_node *const *)a)->name,
		      (*(const struct stack_node *const *)b)->name);
}

/* n's callees at depth, from x, and theirs above them. */
static void flame_callees(struct flame *f, const struct stack_node *n,
			  size_t depth, double x)
{
	size_t start = f->nr_kids, nr = 0;

	if (depth >= f->rows)
		return;
	for (const struct stack_node *c = n->children; c; c = c->next)
		f->kids[start + nr++] = c;
	qsort(f->kids + start, nr, sizeof(*f->kids), by_name);
	f->nr_kids = start + nr;
	for (size_t i = 0; i < nr; i++) {
		const struct stack_node *c = f->kids[start + i];
		double w = (double)c->total * f->scale;

		if (w >= FLAME_MIN_WIDTH) {
			flame_box(f, c->name, NULL, flame_colour(c->name), depth,
				  x, w);
			flame_callees(f, c, depth + 1, x);
		}
		x += w;
	}
	f->nr_kids = start;
}

static void draw_flame(struct plot *p, const void *arg)
{
	const struct flame_args *a = arg;
	const struct stacks *s = a->s;
	struct flame f = { .p = p };
	double top, width;
	size_t deepest, needed;
	char sub[512], root[64];
	struct plot_rect all;
	int cut;

	f.x0 = p->font * 1.5;
	width = p->width - p->font * 3;
	f.bottom = p->height - p->font * 1.5;
	if (!s->root.total) {
		top = plot_title(p, "Flame graph", a->subtitle) + p->font * 0.3;
		all = (struct plot_rect){ f.x0, top, width, f.bottom - top };
		plot_no_data(p, &all, "no samples");
		return;
	}
	f.scale = width / (double)s->root.total;
	deepest = flame_depth(s, f.scale);
	needed = deepest + 1;

	/* Rows shrink to fit the deepest stack, down to a pixel; below
	 * that the top is cut, and the subtitle says so. Whether it is
	 * cut is known before the title is drawn, from the room under a
	 * title with a subtitle: the least there can be. */
	cut = (double)needed * FLAME_MIN_ROW >
	      f.bottom - plot_title_height(p, 1) - p->font * 0.3;
	top = plot_title_height(p, a->subtitle || cut) + p->font * 0.3;
	f.rows = cut ? (size_t)floor((f.bottom - top) / FLAME_MIN_ROW) : needed;
	f.row_h = fmin(p->font * FLAME_ROW, (f.bottom - top) / (double)f.rows);
	if (cut) {
		snprintf(sub, sizeof(sub), "%s%sstacks cut off above %zu frames (the deepest has %zu)",
			 a->subtitle ? a->subtitle : "",
			 a->subtitle ? "  \u00b7  " : "", f.rows - 1, deepest);
		plot_title(p, "Flame graph", sub);
	} else {
		plot_title(p, "Flame graph", a->subtitle);
	}
	f.label_size = fmin(0.8, (f.row_h - 1) / p->font * 0.7);
	if (f.label_size < 0.6)
		f.label_size = 0;

	f.kids = malloc((s->nr_nodes + 1) * sizeof(*f.kids));
	if (!f.kids) {
		all = (struct plot_rect){ f.x0, top, width, f.bottom - top };
		plot_no_data(p, &all, "out of memory");
		*a->out_of_memory = 1;
		return;
	}
	snprintf(root, sizeof(root), "all (%" PRIu64 " sample%s)",
		 s->root.total, s->root.total == 1 ? "" : "s");
	flame_box(&f, "", root, FLAME_ROOT_RGB, 0, f.x0, width);
	flame_callees(&f, &s->root, 1, f.x0);
	free(f.kids);
}

int charts_draw_flame(struct chart_output *out, const char *suffix,
		      const char *subtitle, const struct stacks *s)
{
	int out_of_memory = 0;
	struct flame_args a = { subtitle, s, &out_of_memory };
	char name[320];
	int ret;

	snprintf(name, sizeof(name), "flame%s", suffix);
	ret = chart_draw_page(out, name, draw_flame, &a);
	return ret < 0 ? ret : out_of_memory ? -ENOMEM : 0;
}

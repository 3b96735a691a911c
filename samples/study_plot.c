/*
 * study_plot.c - study-chart's charts and command (see study_plot.h).
 * The layout follows the report's charts: a title and a subtitle, the
 * legend above the data (plot_legend(), so it never covers any), panels
 * with plot_axes(), sizes in multiples of the page's font.
 */
#include "study_plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "axis.h"
#include "charts.h"
#include "dirs.h"
#include "memory_series.h"
#include "palette.h"
#include "parse-options.h"
#include "usage.h"

#define TEXT_RGB 0x222222u
#define GRID_RGB 0xE4E4E4u      /* as plot_axes() draws its grid */

/* At most this many log2 ticks at the data's own x values; beyond, the
 * powers of two. */
#define LOG2_TICKS_MAX 32

int study_units_parse(const char *name, enum study_units *out)
{
	static const char *const names[] = { "count", "seconds", "bytes",
					     "percent" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*out = (enum study_units)i;
			return 0;
		}
	return -EINVAL;
}

size_t study_chart_columns(size_t panels, size_t asked)
{
	size_t cols = asked ? asked : panels <= 1 ? 1 : panels <= 4 ? 2 : 3;

	return panels && cols > panels ? panels : cols ? cols : 1;
}

uint32_t study_chart_colour(size_t series)
{
	return palette_recording(series);
}

int study_chart_format(const char *path, enum plot_format *out)
{
	size_t len = strlen(path);

	for (int f = PLOT_PNG; f <= PLOT_PDF; f++) {
		const char *ext = plot_format_extension((enum plot_format)f);
		size_t n = strlen(ext);

		if (len > n && !strcasecmp(path + len - n, ext)) {
			*out = (enum plot_format)f;
			return 0;
		}
	}
	return -EINVAL;
}

/* An axis of `units` for data in [min, max], `room` of the range added
 * at each end (none below 0 when the data is not), from 0 with zero. */
static void value_axis(double min, double max, double room, int max_ticks,
		       int zero, enum study_units units, struct axis *out)
{
	static const enum axis_units kinds[] = { AXIS_SI, AXIS_SECONDS,
						 AXIS_BYTES, AXIS_PLAIN };
	double pad = (max - min) * room;

	axis_nice(min >= 0 && min - pad < 0 ? 0 : min - pad, max + pad,
		  max_ticks, zero, kinds[units], out);
	if (units == STUDY_PERCENT)
		out->suffix = "%";
}

/* A single value as a person reads it, in its units: a bar's label, a
 * log2 tick. */
static char *format_value(enum study_units units, double v, char *buf,
			  size_t size)
{
	char tmp[AXIS_LABEL_MAX];

	switch (units) {
	case STUDY_SECONDS:
		return chart_format_seconds(v, buf, size);
	case STUDY_BYTES:
		if (v >= 0 && v < 1.8e19) {
			char bytes[MEMORY_BYTES_MAX];

			snprintf(buf, size, "%s",
				 memory_format_bytes(bytes, (uint64_t)llround(v)));
			return buf;
		}
		break;
	case STUDY_PERCENT:
		snprintf(buf, size, "%s%%", axis_format_si(v, tmp, sizeof(tmp)));
		return buf;
	case STUDY_COUNT:
		break;
	}
	snprintf(buf, size, "%s", axis_format_si(v, tmp, sizeof(tmp)));
	return buf;
}

/* Draws one page into path. */
static int draw_page(const struct study_chart *c, const char *path,
		     chart_draw_fn draw, const void *arg)
{
	enum plot_format format;
	struct plot p;
	int ret;

	if (study_chart_format(path, &format) < 0)
		return -EINVAL;
	ret = plot_begin(&p, format, path, c->width, c->height);
	if (ret < 0)
		return ret;
	draw(&p, arg);
	return plot_end(&p);
}

/* The legend, a swatch per series, from (left, top) to right; returns
 * its height. */
static double series_legend(struct plot *p, const struct study_names *series,
			    const enum study_style *styles, enum plot_swatch swatch,
			    double left, double top, double right)
{
	struct plot_legend_entry *legend = calloc(series->nr, sizeof(*legend));
	double h;

	if (!legend)
		return 0;
	for (size_t k = 0; k < series->nr; k++)
		legend[k] = (struct plot_legend_entry){ study_chart_colour(k),
			styles && styles[k] == STUDY_DASHED ? PLOT_SWATCH_DASH :
							      swatch,
			series->v[k] };
	h = plot_legend(p, left, top + p->font * 0.75, right, legend, series->nr);
	free(legend);
	return h;
}

/* ---- lines ---- */

struct lines_page {
	const struct study_chart *c;
	const struct study_lines *l;
	const struct study_point **sorted;  /* by panel, series, x, file order */
	double *ticks;          /* log2: the x values ticked */
	size_t nr_ticks;
};

static int cmp_point(const void *x, const void *y)
{
	const struct study_point *a = *(const struct study_point *const *)x;
	const struct study_point *b = *(const struct study_point *const *)y;

	if (a->panel != b->panel)
		return a->panel < b->panel ? -1 : 1;
	if (a->series != b->series)
		return a->series < b->series ? -1 : 1;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* The page x of data x. */
static double page_x(const struct lines_page *a, const struct plot_panel *panel,
		     double x)
{
	return plot_x(panel, a->c->x_log2 ? log2(x) : x);
}

/*
 * The x ticks of a log2 axis: the distinct x values, or when there are
 * more than LOG2_TICKS_MAX, the powers of two from below the first to
 * above the last, every other one and so on until they are few enough.
 */
static int log2_ticks(struct lines_page *a)
{
	const struct study_lines *l = a->l;
	size_t n = 0;

	a->ticks = malloc((l->nr > LOG2_TICKS_MAX ? l->nr : LOG2_TICKS_MAX) *
			  sizeof(*a->ticks));
	if (!a->ticks)
		return -ENOMEM;
	for (size_t i = 0; i < l->nr; i++)
		a->ticks[i] = l->points[i].x;
	qsort(a->ticks, l->nr, sizeof(*a->ticks), cmp_double);
	for (size_t i = 0; i < l->nr; i++)
		if (!n || a->ticks[i] != a->ticks[n - 1])
			a->ticks[n++] = a->ticks[i];
	if (n > LOG2_TICKS_MAX) {
		double lo = floor(log2(a->ticks[0]));
		double hi = ceil(log2(a->ticks[n - 1]));
		double step = ceil((hi - lo + 1) / LOG2_TICKS_MAX);

		n = 0;
		for (double e = lo; e <= hi && n < LOG2_TICKS_MAX; e += step)
			a->ticks[n++] = exp2(e);
	}
	a->nr_ticks = n;
	return 0;
}

/* The shared x and y axes of every panel. */
static void lines_axes(struct plot *p, const struct lines_page *a,
		       const struct plot_rect *area, struct axis *x,
		       struct axis *y)
{
	const struct study_lines *l = a->l;
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;

	for (size_t i = 0; i < l->nr; i++) {
		const struct study_point *pt = &l->points[i];
		double v = a->c->x_log2 ? log2(pt->x) : pt->x;

		xmin = fmin(xmin, v);
		xmax = fmax(xmax, v);
		ymin = fmin(ymin, isnan(pt->lo) ? pt->y : fmin(pt->y, pt->lo));
		ymax = fmax(ymax, isnan(pt->hi) ? pt->y : fmax(pt->y, pt->hi));
	}
	/* Room above and below for markers; none along x, which
	 * axis_nice() widens to whole steps anyway. */
	value_axis(ymin, ymax, 0.03, chart_ticks_for(p, area->h, 2.2),
		   a->c->y_zero, a->c->y_units, y);
	if (a->c->x_log2) {
		/* Room for a marker and half a label beyond the ends. */
		double pad = fmax(0.3, (xmax - xmin) * 0.04);

		plot_bare_axis(xmin - pad, xmax + pad, x);
	} else {
		value_axis(xmin, xmax, 0, chart_ticks_for(p, area->w, 6), 0,
			   a->c->x_units, x);
	}
}

/* The log2 axis's grid lines and labels, over plot_axes()' bare panel. */
static void log2_axis(struct plot *p, const struct lines_page *a,
		      const struct plot_panel *panel)
{
	double xs[LOG2_TICKS_MAX];
	char texts[LOG2_TICKS_MAX][AXIS_LABEL_MAX];

	for (size_t i = 0; i < a->nr_ticks; i++) {
		xs[i] = round(page_x(a, panel, a->ticks[i])) + 0.5;
		plot_line(p, xs[i], panel->area.y + 1, xs[i],
			  panel->area.y + panel->area.h - 1, GRID_RGB, 1, 0);
		format_value(a->c->x_units, a->ticks[i], texts[i],
			     sizeof(texts[i]));
	}
	plot_x_labels(p, panel, xs, texts, a->nr_ticks);
	if (panel->x_title)
		plot_text(p, panel->area.x + panel->area.w / 2,
			  panel->area.y + panel->area.h + p->font * 2.3,
			  PLOT_CENTER, 0.9, 0, TEXT_RGB, panel->x_title);
}

/* The series' line through pts[0..n) (sorted by x). */
static void series_line(struct plot *p, const struct lines_page *a,
			const struct plot_panel *panel,
			const struct study_point *const *pts, size_t n)
{
	enum study_style style = a->l->styles[pts[0]->series];
	double dash[] = { p->font * 0.4, p->font * 0.25 };
	double last_y = 0;

	for (size_t i = 0; i < n; i++) {
		double x = page_x(a, panel, pts[i]->x), y = plot_y(panel, pts[i]->y);

		if (!i)
			cairo_move_to(p->cr, x, y);
		else if (style == STUDY_STEP)
			cairo_line_to(p->cr, x, last_y);
		if (i)
			cairo_line_to(p->cr, x, y);
		last_y = y;
	}
	plot_colour(p, study_chart_colour(pts[0]->series), 1);
	cairo_set_line_width(p->cr, style == STUDY_STEP ?
				    fmax(1.5, p->font * 0.12) :
				    fmax(2, p->font * 0.18));
	cairo_set_line_join(p->cr, CAIRO_LINE_JOIN_ROUND);
	if (style == STUDY_DASHED)
		cairo_set_dash(p->cr, dash, 2, 0);
	cairo_stroke(p->cr);
	cairo_set_dash(p->cr, NULL, 0, 0);
}

/* The series' whiskers (whiskers set) or markers, when its points are
 * far enough apart to be told apart (a font's width each, on average). */
static void series_points(struct plot *p, const struct lines_page *a,
			  const struct plot_panel *panel,
			  const struct study_point *const *pts, size_t n,
			  int whiskers)
{
	uint32_t rgb = study_chart_colour(pts[0]->series);

	if (a->l->styles[pts[0]->series] == STUDY_STEP ||
	    (double)n > panel->area.w / p->font)
		return;
	for (size_t i = 0; i < n; i++) {
		double x = page_x(a, panel, pts[i]->x);

		if (!whiskers)
			plot_point(p, x, plot_y(panel, pts[i]->y), 0, rgb);
		else if (!isnan(pts[i]->lo) && pts[i]->hi > pts[i]->lo)
			plot_whisker(p, x, plot_y(panel, pts[i]->lo),
				     plot_y(panel, pts[i]->hi), p->font * 0.6, rgb);
	}
}

/* Panel j's points: from *at in a->sorted, to the first of another panel. */
static void draw_series(struct plot *p, const struct lines_page *a,
			const struct plot_panel *panel, size_t j, size_t *at)
{
	const struct study_point *const *pts = a->sorted + *at;
	size_t n = 0, pass;

	while (*at + n < a->l->nr && pts[n]->panel == j)
		n++;
	*at += n;
	if (!n) {
		plot_no_data(p, &panel->area, "no points");
		return;
	}
	/* Every series' lines, then every whisker, then every marker: no
	 * series hides another's whiskers. */
	for (pass = 0; pass < 3; pass++) {
		if (!pass) {
			cairo_save(p->cr);
			cairo_rectangle(p->cr, panel->area.x, panel->area.y,
					panel->area.w, panel->area.h);
			cairo_clip(p->cr);
		}
		for (size_t i = 0, end; i < n; i = end) {
			for (end = i + 1; end < n && pts[end]->series == pts[i]->series;)
				end++;
			if (!pass)
				series_line(p, a, panel, pts + i, end - i);
			else
				series_points(p, a, panel, pts + i, end - i,
					      pass == 1);
		}
		if (!pass)
			cairo_restore(p->cr);
	}
}

static void draw_lines(struct plot *p, const void *arg)
{
	const struct lines_page *a = arg;
	const struct study_lines *l = a->l;
	size_t n = l->panels.nr, cols = study_chart_columns(n, a->c->columns);
	size_t rows = (n + cols - 1) / cols, at = 0;
	double top, cell_w, cell_h, heading = p->font * 0.4;
	struct plot_rect first;
	struct axis x, y;

	top = plot_title(p, a->c->title, a->c->subtitle) + p->font * 0.3;
	top += series_legend(p, &l->series, l->styles, PLOT_SWATCH_LINE,
			     p->font * 1.5, top, p->width - p->font * 1.5);
	for (size_t j = 0; j < n; j++)
		if (*l->panels.v[j])
			heading = p->font * 1.7;
	cell_w = (p->width - p->font * 1.5) / (double)cols;
	cell_h = (p->height - top - p->font * 0.3) / (double)rows;
	first = (struct plot_rect){ 0, 0, cell_w - plot_left_gutter(p) - p->font * 1.2,
		cell_h - heading - plot_bottom_gutter(p, 1) };
	lines_axes(p, a, &first, &x, &y);
	for (size_t j = 0; j < n; j++) {
		double cx = (double)(j % cols) * cell_w;
		double cy = top + (double)(j / cols) * cell_h;
		struct plot_panel panel = { .x = x, .y = y };
		char name[256];

		panel.area = first;
		panel.area.x = cx + plot_left_gutter(p);
		panel.area.y = cy + heading;
		/* Titles where they are read: y beside the first column,
		 * x under the last panel of each column. */
		panel.y_title = j % cols == 0 ? a->c->y_title : NULL;
		panel.x_title = j + cols >= n ? a->c->x_title : NULL;
		plot_fit_text(p, 0.95, 1, l->panels.v[j], panel.area.w, name,
			      sizeof(name));
		plot_text(p, panel.area.x, cy + heading - p->font * 0.8,
			  PLOT_LEFT, 0.95, 1, TEXT_RGB, name);
		plot_axes(p, &panel, !a->c->x_log2);
		if (a->c->x_log2)
			log2_axis(p, a, &panel);
		draw_series(p, a, &panel, j, &at);
	}
}

int study_draw_lines(const struct study_chart *c, const struct study_lines *l,
		     const char *path)
{
	struct lines_page a = { .c = c, .l = l };
	int ret = -ENOMEM;

	if (c->x_log2)
		for (size_t i = 0; i < l->nr; i++)
			if (!(l->points[i].x > 0))
				return -ERANGE;
	a.sorted = malloc((l->nr ? l->nr : 1) * sizeof(*a.sorted));
	if (!a.sorted || (c->x_log2 && log2_ticks(&a) < 0))
		goto out;
	for (size_t i = 0; i < l->nr; i++)
		a.sorted[i] = &l->points[i];
	qsort(a.sorted, l->nr, sizeof(*a.sorted), cmp_point);
	ret = draw_page(c, path, draw_lines, &a);
out:
	free(a.ticks);
	free(a.sorted);
	return ret;
}

/* ---- bars ---- */

struct bars_page {
	const struct study_chart *c;
	const struct study_bars *b;
};

/* The bar's text over it, as large as fits its width (up to 0.8 of the
 * font), left out when that would be too small to read. */
static void bar_text(struct plot *p, const struct bars_page *a,
		     const struct study_bar *bar, double cx, double top,
		     double w)
{
	char value[64];
	const char *text = bar->label ? bar->label :
			   format_value(a->c->y_units, bar->value, value,
					sizeof(value));
	double size = fmin(0.8, w / fmax(1, plot_text_width(p, 1, 0, text)));

	if (size >= 0.45)
		plot_text(p, cx, top - p->font * 0.6, PLOT_CENTER, size, 0,
			  TEXT_RGB, text);
}

static void draw_bars(struct plot *p, const void *arg)
{
	const struct bars_page *a = arg;
	const struct study_bars *b = a->b;
	struct plot_panel panel = { .y_title = a->c->y_title };
	double top, left, right, bottom, min = 0, max = 0, group, w;
	double slots = (double)b->series.nr;

	top = plot_title(p, a->c->title, a->c->subtitle) + p->font * 0.3;
	left = plot_left_gutter(p);
	right = p->width - p->font * 1.5;
	bottom = p->height - plot_bottom_gutter(p, 0) - p->font * 0.3;
	top += series_legend(p, &b->series, NULL, PLOT_SWATCH_BOX, left, top,
			     right) + p->font * 0.2;
	panel.area = (struct plot_rect){ left, top, right - left, bottom - top };
	for (size_t i = 0; i < b->nr; i++) {
		min = fmin(min, isnan(b->bars[i].lo) ? b->bars[i].value :
			   fmin(b->bars[i].value, b->bars[i].lo));
		max = fmax(max, isnan(b->bars[i].hi) ? b->bars[i].value :
			   fmax(b->bars[i].value, b->bars[i].hi));
	}
	/* Room over the highest bar for its text. */
	value_axis(min, max, 0.06, chart_ticks_for(p, panel.area.h, 2.2), 1,
		   a->c->y_units, &panel.y);
	plot_bare_axis(0, 1, &panel.x);
	plot_axes(p, &panel, 0);
	group = panel.area.w / (double)b->groups.nr;
	w = fmin(group * 0.8 / slots, p->font * 6);
	for (size_t i = 0; i < b->nr; i++) {
		const struct study_bar *bar = &b->bars[i];
		double x = panel.area.x + group * (double)bar->group +
			   (group - slots * w) / 2 + w * (double)bar->series;
		double y0 = plot_y(&panel, 0), y1 = plot_y(&panel, bar->value);
		double top_y = fmin(y0, y1);

		plot_colour(p, study_chart_colour(bar->series), 1);
		cairo_rectangle(p->cr, x + w * 0.05, y1, w * 0.9, y0 - y1);
		cairo_fill(p->cr);
		if (!isnan(bar->lo) && bar->hi > bar->lo) {
			plot_whisker(p, x + w / 2, plot_y(&panel, bar->lo),
				     plot_y(&panel, bar->hi), w * 0.4, TEXT_RGB);
			top_y = fmin(top_y, plot_y(&panel, bar->hi));
		}
		bar_text(p, a, bar, x + w / 2, top_y, w);
	}
	for (size_t g = 0; g < b->groups.nr; g++) {
		char name[256];

		plot_fit_text(p, 0.9, 1, b->groups.v[g], group * 0.95, name,
			      sizeof(name));
		plot_text(p, panel.area.x + group * ((double)g + 0.5),
			  panel.area.y + panel.area.h + p->font * 1.0, PLOT_CENTER,
			  0.9, 1, TEXT_RGB, name);
	}
}

int study_draw_bars(const struct study_chart *c, const struct study_bars *b,
		    const char *path)
{
	struct bars_page a = { c, b };

	return draw_page(c, path, draw_bars, &a);
}

/* ---- the command ---- */

static const char *const lines_usage[] = {
	"study-chart lines -o OUT.png --title TEXT [--subtitle TEXT] --x-title TEXT --y-title TEXT [<options>] FILE.csv",
	NULL,
};

static const char *const bars_usage[] = {
	"study-chart bars -o OUT.png --title TEXT [--subtitle TEXT] --y-title TEXT [<options>] FILE.csv",
	NULL,
};

static int parse_units(const struct option *opt, const char *arg)
{
	if (study_units_parse(arg, opt->data) < 0)
		return error("%s '%s': units are count, seconds, bytes or percent",
			     opt->long_name, arg);
	return 0;
}

static void print_usage(int to_stderr)
{
	FILE *out = to_stderr ? stderr : stdout;

	fprintf(out, "usage: %s\n   or: %s\n", lines_usage[0], bars_usage[0]);
	fprintf(out, "\nDraws a study's chart from a CSV file, as pprobe draws its own;\n"
		     "'study-chart lines --help' and 'study-chart bars --help' list the options.\n");
}

/* Reads path ("-": standard input) as a `lines` or `bars` file. */
static int read_file(const char *path, int lines, struct study_lines *l,
		     struct study_bars *b)
{
	int is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	char err[STUDY_ERROR_MAX];
	int ret;

	if (!f)
		return error("cannot open '%s': %s", path, strerror(errno));
	if (lines)
		ret = study_lines_read(l, f, is_stdin ? "<stdin>" : path, err);
	else
		ret = study_bars_read(b, f, is_stdin ? "<stdin>" : path, err);
	if (!is_stdin)
		fclose(f);
	return ret < 0 ? error("%s", err) : 0;
}

/* The directory out goes into, made when missing. */
static int make_out_dir(const char *out)
{
	const char *slash = strrchr(out, '/');
	char *dir;
	int ret;

	if (!slash || slash == out)
		return 0;
	dir = strndup(out, (size_t)(slash - out));
	if (!dir)
		return error("out of memory");
	ret = make_dirs(dir);
	if (ret < 0)
		error("cannot make directory '%s': %s", dir, strerror(-ret));
	free(dir);
	return ret < 0 ? -1 : 0;
}

int study_chart_main(int argc, const char **argv)
{
	struct study_chart c = { .width = CHART_DEFAULT_WIDTH,
				 .height = CHART_DEFAULT_HEIGHT };
	const char *out = NULL, *const *usage;
	long columns = 0, width = c.width, height = c.height;
	struct study_lines l = { 0 };
	struct study_bars b = { 0 };
	enum plot_format format;
	int lines, nr, ret;
	struct option options[] = {
		OPT_STRING('o', "output", &out, "file",
			   "the chart to write: .png, .svg or .pdf (its directory is made if missing)"),
		OPT_STRING(0, "title", &c.title, "text", "the chart's title"),
		OPT_STRING(0, "subtitle", &c.subtitle, "text",
			   "a line under the title"),
		OPT_STRING(0, "y-title", &c.y_title, "text",
			   "beside the y axis"),
		OPT_CALLBACK(0, "y-unit", &c.y_units, "unit",
			     "y values are a count (default), seconds, bytes or percent",
			     parse_units),
		OPT_INTEGER(0, "width", &width, "px", CHART_MIN_SIDE,
			    CHART_MAX_SIDE, "the page's width (default 1600)"),
		OPT_INTEGER(0, "height", &height, "px", CHART_MIN_SIDE,
			    CHART_MAX_SIDE, "the page's height (default 900)"),
		OPT_INTEGER(0, "columns", &columns, "n", 1, 16,
			    "lines: panels side by side (default 1, 2 or 3 by their number); bars: ignored"),
		/* lines only, from here */
		OPT_STRING(0, "x-title", &c.x_title, "text",
			   "under the x axis"),
		OPT_CALLBACK(0, "x-unit", &c.x_units, "unit",
			     "x values are a count (default), seconds, bytes or percent",
			     parse_units),
		OPT_BOOL(0, "x-log2", &c.x_log2,
			 "x on a log2 axis, ticked at the data's x values (all above 0)"),
		OPT_BOOL(0, "y-zero", &c.y_zero, "the y axis starts at 0"),
		OPT_END(),
	};

	if (argc < 2 || (strcmp(argv[1], "lines") && strcmp(argv[1], "bars"))) {
		int help = argc >= 2 && (!strcmp(argv[1], "--help") ||
					 !strcmp(argv[1], "-h") ||
					 !strcmp(argv[1], "help"));

		if (!help && argc >= 2)
			error("unknown chart '%s': lines or bars", argv[1]);
		print_usage(!help);
		return help ? 0 : EXIT_USAGE;
	}
	lines = !strcmp(argv[1], "lines");
	usage = lines ? lines_usage : bars_usage;
	if (!lines)             /* no x options for bars */
		for (size_t i = 0; options[i].type != OPTION_END; i++)
			if (!strcmp(options[i].long_name, "x-title")) {
				options[i] = (struct option)OPT_END();
				break;
			}
	nr = parse_options(argc - 1, argv + 1, options, usage, 0);
	if (nr == PARSE_OPT_HELP)
		return 0;
	if (nr < 0)
		return EXIT_USAGE;
	if (nr != 1 || !out || !c.title || !c.y_title || (lines && !c.x_title) ||
	    study_chart_format(out, &format) < 0) {
		if (nr != 1)
			error("one CSV file, not %d", nr);
		else if (!out)
			error("no output: -o OUT.png is required");
		else if (study_chart_format(out, &format) < 0)
			error("-o '%s': the chart's name must end in .png, .svg or .pdf",
			      out);
		else
			error("--title, --y-title%s are required",
			      lines ? " and --x-title" : "");
		usage_with_options(usage, options, 1);
		return EXIT_USAGE;
	}
	c.columns = (size_t)columns;
	c.width = (int)width;
	c.height = (int)height;
	if (read_file(argv[1], lines, &l, &b) < 0 || make_out_dir(out) < 0) {
		ret = 1;
		goto out;
	}
	ret = lines ? study_draw_lines(&c, &l, out) : study_draw_bars(&c, &b, out);
	if (ret == -ERANGE)
		error("'%s': an x is not above 0, which a log2 axis cannot show (--x-log2)",
		      argv[1]);
	else if (ret < 0)
		error("cannot write '%s': %s", out, strerror(-ret));
	ret = ret < 0;
out:
	study_lines_release(&l);
	study_bars_release(&b);
	return ret;
}

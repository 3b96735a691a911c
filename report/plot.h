/*
 * plot.h - the small drawing layer under every chart: a page that is
 * written atomically as PNG, SVG or PDF, text, panels with nice axes, a
 * legend beside the data, and series drawn from envelopes.
 *
 * Sizes scale with the page: the base font is 15 px on a 1600x900 page and
 * never below 10 px, so a chart drawn at half size (--size 800x450) is
 * still read without a magnifier. Everything else (margins, line widths,
 * gaps) is a multiple of the font, so layouts keep their proportions.
 *
 * A page is drawn in memory (PNG) or streamed into a temporary file
 * beside its destination (SVG, PDF) and renamed over the destination
 * only when complete: an error never leaves half a chart behind.
 */
#ifndef PPROBE_REPORT_PLOT_H
#define PPROBE_REPORT_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include <cairo.h>

#include "axis.h"
#include "envelope.h"

enum plot_format {
	PLOT_PNG,
	PLOT_SVG,
	PLOT_PDF,
};

/* ".png", ".svg", ".pdf". */
const char *plot_format_extension(enum plot_format format);

struct plot {
	enum plot_format format;
	cairo_surface_t *surface;
	cairo_t *cr;
	double width, height;   /* in pixels (points for PDF) */
	double font;            /* the base font size */
	char *path;             /* owned: where the page goes */
	char *tmp;              /* owned: where it is written first */
	int fd;                 /* the temporary file, -1 when closed */
	int error;              /* the first write error (errno), 0 if none */
};

/*
 * Starts a page of width x height for `path`. Returns 0, or -errno when
 * the temporary file cannot be made (-EACCES, -ENOENT, ...) or cairo
 * cannot make a surface (-ENOMEM).
 */
int plot_begin(struct plot *p, enum plot_format format, const char *path,
	       int width, int height);
/*
 * Finishes the page and renames it into place. Returns 0, or -errno
 * (-EINVAL when a drawing call failed and left the page part drawn;
 * nothing is left at path's temporary name in any case). Releases the
 * plot.
 */
int plot_end(struct plot *p);

/* A rectangle in page coordinates (y grows downwards). */
struct plot_rect {
	double x, y, w, h;
};

enum plot_align {
	PLOT_LEFT,
	PLOT_CENTER,
	PLOT_RIGHT,
};

/* Sets the source colour (0xRRGGBB) with an alpha. */
void plot_colour(struct plot *p, uint32_t rgb, double alpha);
/* rgb mixed with white: amount 0 is rgb, 1 is white. */
uint32_t plot_tint(uint32_t rgb, double amount);
/*
 * The sequential colour map of heat maps, viridis: t from 0 (dark
 * purple, 0x440154) to 1 (yellow, 0xFDE725), lighter all the way at an
 * even pace, so it reads in order in grey and to readers with any
 * common form of colour blindness. 33 stops, interpolated linearly
 * (per channel, in sRGB); t is clamped to [0, 1], NAN is 0.
 */
uint32_t plot_sequential(double t);

/*
 * Text whose vertical middle is at y, aligned on x; size is a multiple of
 * the base font (1 = body text). Returns the text's width.
 */
double plot_text(struct plot *p, double x, double y, enum plot_align align,
		 double size, int bold, uint32_t rgb, const char *text);
/* The width text would take. */
double plot_text_width(struct plot *p, double size, int bold,
		       const char *text);
/* s without a last character cut short (an incomplete UTF-8 sequence
 * at its end, as snprintf into a small buffer leaves). Returns s. */
char *plot_utf8_trim(char *s);
/* text cut with "..." to fit width (into buf, `size` bytes). Returns buf. */
char *plot_fit_text(struct plot *p, double font_size, int bold,
		    const char *text, double width, char *buf, size_t size);

/*
 * The chart's title and a line under it (subtitle, may be NULL), at the
 * top of the page. Returns the y where the content below may start.
 */
double plot_title(struct plot *p, const char *title, const char *subtitle);
/*
 * Where plot_title() will end, with or without a subtitle: for a chart
 * whose subtitle depends on the room left under it.
 */
double plot_title_height(const struct plot *p, int with_subtitle);

/* One entry of a legend: a swatch of colour and a text. */
enum plot_swatch {
	PLOT_SWATCH_BOX,        /* a filled square: areas and bars */
	PLOT_SWATCH_LINE,       /* a short line: series */
	PLOT_SWATCH_DASH,       /* a dashed line: markers */
};

struct plot_legend_entry {
	uint32_t rgb;
	enum plot_swatch swatch;
	const char *text;
};

/*
 * A legend in one or more lines starting at (x, y) (the middle of the
 * first line), wrapping before max_x. Returns the height it took, so a
 * caller reserves it above the data: a legend never covers data.
 */
double plot_legend(struct plot *p, double x, double y, double max_x,
		   const struct plot_legend_entry *entries, size_t nr);
/* The height plot_legend() would take. */
double plot_legend_height(struct plot *p, double width,
			  const struct plot_legend_entry *entries, size_t nr);

/* A panel: a data area with its axes. */
struct plot_panel {
	struct plot_rect area;  /* where data is drawn */
	struct axis x, y;
	const char *y_title;    /* beside the y axis, e.g. "CPUs in use" */
	const char *x_title;    /* under the x tick labels, or NULL */
};

/* The room around a panel's data area its tick labels and titles need. */
double plot_left_gutter(struct plot *p);
double plot_bottom_gutter(struct plot *p, int with_title);

/*
 * Draws the panel's background, grid lines at the ticks, the frame, the
 * y tick labels and title, and with x_labels the x tick labels (and
 * x_title).
 */
void plot_axes(struct plot *p, const struct plot_panel *panel, int x_labels);
/* The page x of value v on the panel's x axis, y likewise. */
double plot_x(const struct plot_panel *panel, double v);
double plot_y(const struct plot_panel *panel, double v);
/* Says in the middle of r that there is nothing to draw, and why. */
void plot_no_data(struct plot *p, const struct plot_rect *r, const char *why);

/*
 * An envelope on the panel, whose x axis is in seconds from origin_ns,
 * values divided by `unit`: per pixel column, the min..max band lightly
 * and the mean as a line in rgb, so a spike shorter than a pixel still
 * shows. Columns without a reading are bridged by the line.
 */
void plot_envelope(struct plot *p, const struct plot_panel *panel,
		   const struct envelope *e, uint64_t origin_ns, double unit,
		   uint32_t rgb);
/*
 * The clock's time, in ns, at `seconds` on an x axis that counts from
 * origin_ns, clamped to what a uint64_t holds: an axis's nice range
 * reaches past its data, and a file's timestamps may lie anywhere up to
 * UINT64_MAX.
 */
uint64_t plot_time_ns(uint64_t origin_ns, double seconds);
/*
 * The panel's pixel columns of e: as many as the data area is wide (at
 * least 1), each the readings of its part of the x axis, which is in
 * seconds from origin_ns. Returns a malloc'd array of *nr, or NULL when
 * out of memory.
 */
struct envelope_bucket *plot_columns(const struct plot_panel *panel,
				     const struct envelope *e,
				     uint64_t origin_ns, size_t *nr);
/*
 * Filled areas stacked from per-column values (values[k][c], NAN where
 * layer k has nothing in column c), the first layer at the bottom.
 */
void plot_stacked_values(struct plot *p, const struct plot_panel *panel,
			 double *const *values, const uint32_t *rgb, size_t nr,
			 size_t columns);
/*
 * Envelopes stacked as filled areas of each column's mean, the first at
 * the bottom. nr <= 8.
 */
void plot_stacked(struct plot *p, const struct plot_panel *panel,
		  const struct envelope *const *e, const uint32_t *rgb,
		  size_t nr, uint64_t origin_ns, double unit);
/*
 * The largest sum of the stacked means over `columns` columns of
 * [t0_ns, t1_ns), divided by unit: the top of plot_stacked()'s areas.
 */
double plot_stacked_max(const struct envelope *const *e, size_t nr,
			uint64_t t0_ns, uint64_t t1_ns, size_t columns,
			double unit);
/*
 * One row of a heat map, from y0 to y1 across the panel: e (x axis in
 * seconds from origin_ns) reduced to the panel's pixel columns, each
 * filled with plot_sequential(max / full), max the largest reading of
 * the buckets the column overlaps -- the max, so a burst shorter than a
 * column still shows; overlaps, so a bucket wider than a column fills
 * every column it covers. Columns no bucket with a reading overlaps are
 * left as they are. Drawn without antialiasing, so every pixel of a
 * cell is exactly its colour.
 */
void plot_heat_row(struct plot *p, const struct plot_panel *panel,
		   const struct envelope *e, uint64_t origin_ns, double full,
		   double y0, double y1);
/*
 * A colour bar of plot_sequential() in r, from a->lo on the left to
 * a->hi on the right, its ticks marked and labelled under it, and title
 * on its left (may be NULL). Returns the width the title took (so a
 * caller can lay things out around it).
 */
double plot_colour_bar(struct plot *p, const struct plot_rect *r,
		       const struct axis *a, const char *title);
/* A thin vertical line across the panel at x value v, dashed. */
void plot_vline(struct plot *p, const struct plot_panel *panel, double v,
		uint32_t rgb);
/* A line between two page points in rgb, `width` wide, dashed or not. */
void plot_line(struct plot *p, double x0, double y0, double x1, double y1,
	       uint32_t rgb, double width, int dashed);
/* A whisker from page y0 to y1 at x, with caps `cap` wide (a min-max). */
void plot_whisker(struct plot *p, double x, double y0, double y1, double cap,
		  uint32_t rgb);
/*
 * Labels (as axis_label() writes them) under the panel's data area, at
 * page x positions xs[], where plot_axes() puts its x labels; each is
 * left out when it would touch the one before, so dense ticks keep their
 * grid line or bar but not every label.
 */
void plot_x_labels(struct plot *p, const struct plot_panel *panel,
		   const double *xs, char (*texts)[AXIS_LABEL_MAX], size_t nr);
/* An axis whose values the caller draws: from lo to hi, no ticks. */
void plot_bare_axis(double lo, double hi, struct axis *x);
/* A point marker: 0 a circle, 1 a triangle, 2 a square, centred on x, y. */
void plot_point(struct plot *p, double x, double y, int shape, uint32_t rgb);

#endif /* PPROBE_REPORT_PLOT_H */

/*
 * study_plot.h - study-chart: the charts of pprobe's studies (a server
 * comparison, a memory-backend comparison), drawn from the CSV files
 * their scripts write (study_csv.h) with the report's plotting layer, so
 * they look like pprobe's own charts: same page size, fonts, palette,
 * axes and legends.
 *
 *   study-chart lines -o OUT.png --title T --x-title T --y-title T ... F.csv
 *       a panel per `panel`, in a grid, all on the same x and y ranges; a
 *       colour and a legend entry per `series` (palette_recording(k), k
 *       the series' order of first appearance in the file, the same in
 *       every panel); points joined in x order, a marker at each (unless
 *       too dense to tell apart), a whisker lo..hi; `step` series as
 *       steps without markers or whiskers (memory over time)
 *   study-chart bars -o OUT.png --title T --y-title T ... F.csv
 *       a group per `group` along x, a bar per series in each (a series
 *       keeps its slot, empty where a group lacks it), whisker lo..hi,
 *       the label or the value over the bar
 *
 * OUT's ending chooses the format: .png, .svg or .pdf. The page is
 * written atomically (plot_begin()/plot_end()).
 */
#ifndef PPROBE_SAMPLES_STUDY_PLOT_H
#define PPROBE_SAMPLES_STUDY_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "plot.h"
#include "study_csv.h"

/* What the numbers on an axis are (--x-unit, --y-unit). */
enum study_units {
	STUDY_COUNT,            /* SI prefixes: 500, 1.5k, 20M */
	STUDY_SECONDS,          /* 250ms, 1.5s, 2min */
	STUDY_BYTES,            /* 512 MiB, 1.5 GiB */
	STUDY_PERCENT,          /* 25% */
};

/* "count", "seconds", "bytes", "percent" into *out. Returns 0 or -EINVAL. */
int study_units_parse(const char *name, enum study_units *out);

/* What a chart shows beside its data: the command line's choices. */
struct study_chart {
	const char *title;
	const char *subtitle;   /* NULL: none */
	const char *x_title;    /* lines only */
	const char *y_title;
	enum study_units x_units, y_units;
	int x_log2;             /* x on a log2 axis, ticked at the data's x */
	int y_zero;             /* the y axis starts at 0 (bars always do) */
	size_t columns;         /* of the grid of panels; 0: by their number */
	int width, height;      /* of the page, in pixels (points for PDF) */
};

/* Columns of a grid of `panels`: `asked` if not 0, else 1 for 1 panel,
 * 2 for 2 to 4, 3 beyond; never more than there are panels. */
size_t study_chart_columns(size_t panels, size_t asked);

/* Series k's colour, in every panel and chart. */
uint32_t study_chart_colour(size_t series);

/* The format path's ending asks for; -EINVAL for none of .png .svg .pdf. */
int study_chart_format(const char *path, enum plot_format *out);

/*
 * Draws a `lines` or `bars` chart into path. Returns 0, or -errno from
 * writing the page (plot_end()); -ERANGE when x_log2 is set and some x
 * is not above 0.
 */
int study_draw_lines(const struct study_chart *c, const struct study_lines *l,
		     const char *path);
int study_draw_bars(const struct study_chart *c, const struct study_bars *b,
		    const char *path);

/*
 * The command: argv[0] is "study-chart", argv[1] "lines" or "bars".
 * Returns the exit status: 0, 1 when the file cannot be read or the
 * chart written (one line on stderr), 129 for a bad command line.
 */
int study_chart_main(int argc, const char **argv);

#endif /* PPROBE_SAMPLES_STUDY_PLOT_H */

/*
 * study_csv.h - the CSV files study-chart draws: what the study scripts
 * measured, one row per point or bar, read into tables with every name
 * kept once, in order of first appearance (that order is the order of
 * panels, groups and colours).
 *
 * The files are CSV as spreadsheets write it: a header line naming the
 * columns, then one row per line; fields separated by commas, a field in
 * double quotes may hold commas and "" for a quote (but no line break).
 * Spaces around an unquoted field are dropped. Empty lines and lines
 * starting with '#' are skipped. Numbers are C-locale decimals ("0.5",
 * "1e6"); "nan" or an empty field is a missing value.
 *
 *   lines: panel,series,x,y[,lo,hi][,style]
 *          a point of `series` in `panel`; y missing: no point (the
 *          names are still known, so colours stay put); lo and hi: a
 *          whisker, both or neither; style: solid (default), dashed or
 *          step, the same on every row of a series
 *   bars:  group,series,value[,lo,hi][,label]
 *          a bar of `series` in `group`; value missing: no bar; label:
 *          printed above the bar instead of its value
 *
 * Columns are found by their names in the header, in any order; a column
 * the kind does not know is an error (a typo would otherwise be lost). A
 * row may stop before optional columns; it may not have more fields than
 * the header.
 *
 * Limits: names are looked up linearly (the last one found is tried
 * first), so a file of n rows with k distinct names costs O(n k) at worst;
 * studies have tens of names. Rows are limited only by memory.
 */
#ifndef PPROBE_SAMPLES_STUDY_CSV_H
#define PPROBE_SAMPLES_STUDY_CSV_H

#include <stddef.h>
#include <stdio.h>

/* Names in order of first appearance; index i is name i's number. */
struct study_names {
	char **v;               /* owned, each owned */
	size_t nr, alloc;
	size_t last;            /* the one found last: tried first */
};

/* The index of name in n, or -1. */
long study_names_find(const struct study_names *n, const char *name);

enum study_style {
	STUDY_SOLID,            /* a line through the points, a marker at each */
	STUDY_DASHED,           /* the same, dashed */
	STUDY_STEP,             /* steps from point to point, no markers */
};

struct study_point {
	size_t panel, series;   /* indexes into the names */
	double x, y;            /* finite */
	double lo, hi;          /* the whisker; both NAN when none */
};

struct study_lines {
	struct study_names panels, series;
	enum study_style *styles;   /* owned: per series, series.nr of them */
	struct study_point *points; /* owned, in file order */
	size_t nr, alloc;
};

struct study_bar {
	size_t group, series;   /* indexes into the names */
	double value;           /* finite */
	double lo, hi;          /* the whisker; both NAN when none */
	char *label;            /* owned; NULL: print the value */
	size_t line;            /* where it was read, for messages */
};

struct study_bars {
	struct study_names groups, series;
	struct study_bar *bars; /* owned, in file order */
	size_t nr, alloc;
};

/* Room for an error message of the readers. */
#define STUDY_ERROR_MAX 512

/*
 * Reads a `lines` file from f, named `name` in messages, into l (which
 * is initialised here and must be released with study_lines_release()
 * whatever is returned). Returns 0, or -errno with a message in err
 * ("name:LINE: ..." without "error: "): -EINVAL for a malformed file,
 * -ENODATA for one without a header or without any point, -ENOMEM, or
 * the error reading f.
 */
int study_lines_read(struct study_lines *l, FILE *f, const char *name,
		     char err[STUDY_ERROR_MAX]);
void study_lines_release(struct study_lines *l);

/*
 * Reads a `bars` file, as study_lines_read() reads a `lines` one; two
 * bars of one series in one group are an error too.
 */
int study_bars_read(struct study_bars *b, FILE *f, const char *name,
		    char err[STUDY_ERROR_MAX]);
void study_bars_release(struct study_bars *b);

#endif /* PPROBE_SAMPLES_STUDY_CSV_H */

/*
 * study_csv.c - the CSV files of study-chart (see study_csv.h): a line
 * split into fields, a header into columns, rows into points and bars.
 *
 * Numbers go through strtod(), which reads the C locale's decimals as
 * long as nothing calls setlocale(), and study-chart does not.
 */
#include "study_csv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "usage.h"

/* ---- names ---- */

long study_names_find(const struct study_names *n, const char *name)
{
	if (n->last < n->nr && !strcmp(n->v[n->last], name))
		return (long)n->last;
	for (size_t i = 0; i < n->nr; i++)
		if (!strcmp(n->v[i], name))
			return (long)i;
	return -1;
}

/* The index of name, added at the end when new; -ENOMEM. */
static long names_intern(struct study_names *n, const char *name)
{
	long i = study_names_find(n, name);

	if (i < 0) {
		if (n->nr == n->alloc) {
			size_t alloc = n->alloc ? 2 * n->alloc : 8;
			char **v = realloc(n->v, alloc * sizeof(*v));

			if (!v)
				return -ENOMEM;
			n->v = v;
			n->alloc = alloc;
		}
		n->v[n->nr] = strdup(name);
		if (!n->v[n->nr])
			return -ENOMEM;
		i = (long)n->nr++;
	}
	n->last = (size_t)i;
	return i;
}

static void names_release(struct study_names *n)
{
	for (size_t i = 0; i < n->nr; i++)
		free(n->v[i]);
	free(n->v);
	memset(n, 0, sizeof(*n));
}

/* Makes room for one more of `size` bytes in *v (nr used of *alloc). */
static int grow(void **v, size_t nr, size_t *alloc, size_t size)
{
	size_t n = *alloc ? 2 * *alloc : 64;
	void *more;

	if (nr < *alloc)
		return 0;
	more = realloc(*v, n * size);
	if (!more)
		return -ENOMEM;
	*v = more;
	*alloc = n;
	return 0;
}

/* ---- lines of fields ---- */

/* A column a kind of file knows. A kind's "lo" is followed by its "hi". */
struct column {
	const char *name;
	int required;
};

#define COLUMNS_MAX 8

struct reader {
	FILE *f;
	const char *name;       /* of the file, in messages */
	char *err;              /* STUDY_ERROR_MAX bytes */
	size_t line;            /* of the text in buf, from 1 */
	char *buf;              /* getline()'s */
	size_t cap;
	char *text;             /* the fields' unquoted text */
	size_t text_cap;
	char **fields;          /* into text */
	size_t nr, alloc;
	/* The header: where each known column is (-1: not in the file). */
	const struct column *columns;
	size_t nr_columns;
	long at[COLUMNS_MAX];
	size_t header_fields;
};

static int fail(struct reader *r, int ret, const char *fmt, ...)
	PPROBE_PRINTF(3, 4);

/* A message "name:line: ..." into r->err; returns ret. */
static int fail(struct reader *r, int ret, const char *fmt, ...)
{
	int n = r->line ? snprintf(r->err, STUDY_ERROR_MAX, "%s:%zu: ", r->name,
				   r->line) :
			  snprintf(r->err, STUDY_ERROR_MAX, "%s: ", r->name);
	va_list ap;

	if (n < 0 || n >= STUDY_ERROR_MAX)
		return ret;
	va_start(ap, fmt);
	vsnprintf(r->err + n, STUDY_ERROR_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return ret;
}

static void reader_release(struct reader *r)
{
	free(r->buf);
	free(r->text);
	free(r->fields);
}

/* Spaces and tabs around s (in place): the trimmed start. */
static char *trim(char *s, char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return s;
}

/*
 * Splits the line in r->buf (len bytes, its end of line cut) into
 * r->fields. Returns 0, -EINVAL (a quote not closed, text after one) or
 * -ENOMEM.
 */
static int split(struct reader *r, size_t len)
{
	const char *s = r->buf, *end = r->buf + len;
	char *o;

	if (r->text_cap < len + 1) {
		char *t = realloc(r->text, len + 1);

		if (!t)
			return fail(r, -ENOMEM, "out of memory");
		r->text = t;
		r->text_cap = len + 1;
	}
	o = r->text;
	r->nr = 0;
	for (;;) {
		char *start = o;

		if (grow((void **)&r->fields, r->nr, &r->alloc, sizeof(char *)))
			return fail(r, -ENOMEM, "out of memory");
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s == '"') {
			for (s++;; s++) {
				if (s == end)
					return fail(r, -EINVAL,
						    "field %zu: a quote is not closed (fields cannot span lines)",
						    r->nr + 1);
				if (*s == '"' && s + 1 < end && s[1] == '"')
					*o++ = *s++;
				else if (*s == '"')
					break;
				else
					*o++ = *s;
			}
			for (s++; s < end && (*s == ' ' || *s == '\t'); s++)
				;
			if (s < end && *s != ',')
				return fail(r, -EINVAL,
					    "field %zu: text after its closing quote",
					    r->nr + 1);
			*o++ = '\0';
		} else {
			while (s < end && *s != ',')
				*o++ = *s++;
			start = trim(start, o);
			o++;
		}
		r->fields[r->nr++] = start;
		if (s == end)
			return 0;
		s++;    /* the comma */
	}
}

/*
 * The next line that is not empty or a comment, split into fields.
 * Returns 1, 0 at the end of the file, or -errno after fail().
 */
static int next_row(struct reader *r)
{
	for (;;) {
		ssize_t n;

		errno = 0;
		n = getline(&r->buf, &r->cap, r->f);
		if (n < 0) {
			if (ferror(r->f))
				return fail(r, errno ? -errno : -EIO,
					    "cannot read: %s",
					    strerror(errno ? errno : EIO));
			return errno == ENOMEM ? fail(r, -ENOMEM, "out of memory") : 0;
		}
		r->line++;
		while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
			n--;
		r->buf[n] = '\0';
		if (r->line == 1 && n >= 3 && !memcmp(r->buf, "\xEF\xBB\xBF", 3)) {
			memmove(r->buf, r->buf + 3, (size_t)n - 2);
			n -= 3;
		}
		if (strspn(r->buf, " \t") == (size_t)n || r->buf[0] == '#')
			continue;
		if (memchr(r->buf, '\0', (size_t)n))
			return fail(r, -EINVAL, "a NUL byte in the line");
		n = split(r, (size_t)n);
		return n < 0 ? (int)n : 1;
	}
}

/* Reads the header: every field a known column, once; the required ones. */
static int read_header(struct reader *r, const char *kind)
{
	int ret = next_row(r);

	if (ret < 0)
		return ret;
	if (ret == 0) {
		r->line = 0;
		return fail(r, -ENODATA, "empty file: no header line (%s)", kind);
	}
	for (size_t k = 0; k < r->nr_columns; k++)
		r->at[k] = -1;
	for (size_t j = 0; j < r->nr; j++) {
		size_t k;

		for (k = 0; k < r->nr_columns; k++)
			if (!strcasecmp(r->fields[j], r->columns[k].name))
				break;
		if (k == r->nr_columns)
			return fail(r, -EINVAL,
				    "unknown column '%.64s' in the header (%s)",
				    r->fields[j], kind);
		if (r->at[k] >= 0)
			return fail(r, -EINVAL, "column '%s' twice in the header",
				    r->columns[k].name);
		r->at[k] = (long)j;
	}
	for (size_t k = 0; k < r->nr_columns; k++) {
		if (r->columns[k].required && r->at[k] < 0)
			return fail(r, -EINVAL, "no column '%s' in the header (%s)",
				    r->columns[k].name, kind);
		/* A whisker needs both ends: lo is followed by hi. */
		if (!strcmp(r->columns[k].name, "lo") &&
		    (r->at[k] < 0) != (r->at[k + 1] < 0))
			return fail(r, -EINVAL,
				    "column '%s' without '%s' in the header",
				    r->at[k] < 0 ? "hi" : "lo",
				    r->at[k] < 0 ? "lo" : "hi");
	}
	r->header_fields = r->nr;
	return 0;
}

/*
 * Reads the header, then every row with row(r, arg). *kept is how many
 * rows the caller has kept so far (a row without its value is not): none
 * is an error, naming `value`.
 */
static int read_rows(struct reader *r, const char *kind,
		     int (*row)(struct reader *r, void *arg), void *arg,
		     const size_t *kept, const char *value)
{
	size_t rows = 0;
	int ret = read_header(r, kind);

	while (ret == 0 && (ret = next_row(r)) > 0) {
		rows++;
		ret = row(r, arg);
	}
	if (ret == 0 && !*kept) {
		r->line = 0;
		if (rows)
			return fail(r, -ENODATA, "no data rows with a %s", value);
		return fail(r, -ENODATA, "no data rows");
	}
	return ret;
}

/* Checks the row's number of fields against the header. */
static int check_fields(struct reader *r)
{
	if (r->nr > r->header_fields)
		return fail(r, -EINVAL, "%zu fields, the header has %zu", r->nr,
			    r->header_fields);
	for (size_t k = 0; k < r->nr_columns; k++)
		if (r->columns[k].required && r->at[k] >= (long)r->nr)
			return fail(r, -EINVAL,
				    "%zu fields, the header has %zu (no '%s')",
				    r->nr, r->header_fields, r->columns[k].name);
	return 0;
}

/* The row's field of known column k; "" when the file or row lacks it. */
static const char *field(const struct reader *r, size_t k)
{
	return r->at[k] >= 0 && r->at[k] < (long)r->nr ? r->fields[r->at[k]] : "";
}

/*
 * The number in column k into *v. Returns 1, 0 when missing (empty or
 * "nan"; *v is NAN) or -EINVAL after fail().
 */
static int number(struct reader *r, size_t k, double *v)
{
	const char *s = field(r, k);
	char *end;

	*v = NAN;
	if (!*s || !strcasecmp(s, "nan"))
		return 0;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end)
		return fail(r, -EINVAL, "%s '%.40s' is not a number",
			    r->columns[k].name, s);
	if (!isfinite(*v) || errno == ERANGE)
		return fail(r, -EINVAL, "%s '%.40s' is out of range",
			    r->columns[k].name, s);
	return 1;
}

/* Columns lo_k and lo_k + 1 (hi): both or neither, lo <= hi. */
static int whisker(struct reader *r, size_t lo_k, double *lo, double *hi)
{
	int has_lo = number(r, lo_k, lo), has_hi;

	if (has_lo < 0)
		return has_lo;
	has_hi = number(r, lo_k + 1, hi);
	if (has_hi < 0)
		return has_hi;
	if (has_lo != has_hi)
		return fail(r, -EINVAL, "%s without %s: give both or neither",
			    has_lo ? "lo" : "hi", has_lo ? "hi" : "lo");
	if (has_lo && *lo > *hi)
		return fail(r, -EINVAL, "lo %g is above hi %g", *lo, *hi);
	return 0;
}

/* The name in column k, interned in n; a series must have one. */
static long name_of(struct reader *r, size_t k, struct study_names *n)
{
	const char *s = field(r, k);
	long i;

	if (!*s && !strcmp(r->columns[k].name, "series"))
		return fail(r, -EINVAL, "the series has no name");
	i = names_intern(n, s);
	return i < 0 ? fail(r, (int)i, "out of memory") : i;
}

/* ---- lines ---- */

enum { L_PANEL, L_SERIES, L_X, L_Y, L_LO, L_HI, L_STYLE, L_COLUMNS };

static const struct column line_columns[L_COLUMNS] = {
	{ "panel", 1 }, { "series", 1 }, { "x", 1 }, { "y", 1 },
	{ "lo", 0 }, { "hi", 0 }, { "style", 0 },
};

static const char *const style_names[] = { "solid", "dashed", "step" };

/* The row's style, checked against its series' (given[] says which
 * series have had one). */
static int read_style(struct reader *r, struct study_lines *l,
		      unsigned char **given, size_t *given_alloc, size_t series)
{
	const char *s = field(r, L_STYLE);
	size_t k;

	while (*given_alloc < l->series.nr) {
		size_t n = *given_alloc ? 2 * *given_alloc : 16;
		unsigned char *g = realloc(*given, n);
		enum study_style *st = realloc(l->styles, n * sizeof(*st));

		if (g)
			*given = g;
		if (st)
			l->styles = st;
		if (!g || !st)
			return fail(r, -ENOMEM, "out of memory");
		memset(g + *given_alloc, 0, n - *given_alloc);
		for (size_t i = *given_alloc; i < n; i++)
			st[i] = STUDY_SOLID;
		*given_alloc = n;
	}
	if (!*s)
		return 0;
	for (k = 0; k < sizeof(style_names) / sizeof(style_names[0]); k++)
		if (!strcasecmp(s, style_names[k]))
			break;
	if (k == sizeof(style_names) / sizeof(style_names[0]))
		return fail(r, -EINVAL,
			    "style '%.40s' is not solid, dashed or step", s);
	if ((*given)[series] && l->styles[series] != (enum study_style)k)
		return fail(r, -EINVAL,
			    "series '%.64s' is %s, this row says %s: one style a series",
			    l->series.v[series], style_names[l->styles[series]],
			    style_names[k]);
	(*given)[series] = 1;
	l->styles[series] = (enum study_style)k;
	return 0;
}

/* What reading a `lines` file keeps besides the table. */
struct lines_state {
	struct study_lines *l;
	unsigned char *given;   /* per series: a row has named its style */
	size_t given_alloc;
};

static int read_point(struct reader *r, void *arg)
{
	struct lines_state *st = arg;
	struct study_lines *l = st->l;
	struct study_point pt;
	long panel, series;
	int ret;

	if ((ret = check_fields(r)) < 0)
		return ret;
	if ((panel = name_of(r, L_PANEL, &l->panels)) < 0)
		return (int)panel;
	if ((series = name_of(r, L_SERIES, &l->series)) < 0)
		return (int)series;
	if ((ret = read_style(r, l, &st->given, &st->given_alloc,
			      (size_t)series)) < 0)
		return ret;
	pt.panel = (size_t)panel;
	pt.series = (size_t)series;
	ret = number(r, L_X, &pt.x);
	if (ret == 0)
		return fail(r, -EINVAL, "x is missing");
	if (ret < 0 || (ret = number(r, L_Y, &pt.y)) < 0 ||
	    whisker(r, L_LO, &pt.lo, &pt.hi) < 0)
		return -EINVAL;
	if (ret == 0)           /* no y: no point */
		return 0;
	if (grow((void **)&l->points, l->nr, &l->alloc, sizeof(pt)))
		return fail(r, -ENOMEM, "out of memory");
	l->points[l->nr++] = pt;
	return 0;
}

int study_lines_read(struct study_lines *l, FILE *f, const char *name,
		     char err[STUDY_ERROR_MAX])
{
	struct reader r = { .f = f, .name = name, .err = err,
			    .columns = line_columns, .nr_columns = L_COLUMNS };
	struct lines_state st = { .l = l };
	int ret;

	memset(l, 0, sizeof(*l));
	err[0] = '\0';
	ret = read_rows(&r, "panel,series,x,y[,lo,hi][,style]", read_point,
			&st, &l->nr, "y value");
	free(st.given);
	reader_release(&r);
	return ret;
}

void study_lines_release(struct study_lines *l)
{
	names_release(&l->panels);
	names_release(&l->series);
	free(l->styles);
	free(l->points);
	memset(l, 0, sizeof(*l));
}

/* ---- bars ---- */

enum { B_GROUP, B_SERIES, B_VALUE, B_LO, B_HI, B_LABEL, B_COLUMNS };

static const struct column bar_columns[B_COLUMNS] = {
	{ "group", 1 }, { "series", 1 }, { "value", 1 },
	{ "lo", 0 }, { "hi", 0 }, { "label", 0 },
};

static int read_bar(struct reader *r, void *arg)
{
	struct study_bars *b = arg;
	struct study_bar bar = { .line = r->line };
	long group, series;
	int ret;

	if ((ret = check_fields(r)) < 0)
		return ret;
	if ((group = name_of(r, B_GROUP, &b->groups)) < 0)
		return (int)group;
	if ((series = name_of(r, B_SERIES, &b->series)) < 0)
		return (int)series;
	bar.group = (size_t)group;
	bar.series = (size_t)series;
	if ((ret = number(r, B_VALUE, &bar.value)) < 0 ||
	    whisker(r, B_LO, &bar.lo, &bar.hi) < 0)
		return -EINVAL;
	if (ret == 0)           /* no value: no bar */
		return 0;
	if (*field(r, B_LABEL) && !(bar.label = strdup(field(r, B_LABEL))))
		return fail(r, -ENOMEM, "out of memory");
	if (grow((void **)&b->bars, b->nr, &b->alloc, sizeof(bar))) {
		free(bar.label);
		return fail(r, -ENOMEM, "out of memory");
	}
	b->bars[b->nr++] = bar;
	return 0;
}

static int cmp_slot(const void *x, const void *y)
{
	const struct study_bar *a = *(const struct study_bar *const *)x;
	const struct study_bar *b = *(const struct study_bar *const *)y;

	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->series != b->series)
		return a->series < b->series ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Two bars in one slot: the second is an error. O(n log n). */
static int check_slots(struct reader *r, const struct study_bars *b)
{
	const struct study_bar **sorted = malloc(b->nr * sizeof(*sorted));

	if (!sorted)
		return fail(r, -ENOMEM, "out of memory");
	for (size_t i = 0; i < b->nr; i++)
		sorted[i] = &b->bars[i];
	qsort(sorted, b->nr, sizeof(*sorted), cmp_slot);
	for (size_t i = 1; i < b->nr; i++)
		if (sorted[i]->group == sorted[i - 1]->group &&
		    sorted[i]->series == sorted[i - 1]->series) {
			r->line = sorted[i]->line;
			fail(r, -EINVAL,
			     "a second bar of series '%.64s' in group '%.64s' (the first is on line %zu)",
			     b->series.v[sorted[i]->series],
			     b->groups.v[sorted[i]->group], sorted[i - 1]->line);
			free(sorted);
			return -EINVAL;
		}
	free(sorted);
	return 0;
}

int study_bars_read(struct study_bars *b, FILE *f, const char *name,
		    char err[STUDY_ERROR_MAX])
{
	struct reader r = { .f = f, .name = name, .err = err,
			    .columns = bar_columns, .nr_columns = B_COLUMNS };
	int ret;

	memset(b, 0, sizeof(*b));
	err[0] = '\0';
	ret = read_rows(&r, "group,series,value[,lo,hi][,label]", read_bar, b,
			&b->nr, "value");
	if (ret == 0)
		ret = check_slots(&r, b);
	reader_release(&r);
	return ret;
}

void study_bars_release(struct study_bars *b)
{
	names_release(&b->groups);
	names_release(&b->series);
	for (size_t i = 0; i < b->nr; i++)
		free(b->bars[i].label);
	free(b->bars);
	memset(b, 0, sizeof(*b));
}

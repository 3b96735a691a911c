/*
 * plot.c - pages, text, axes and series on cairo (see plot.h).
 *
 * Only the toy text API is used (cairo_show_text with a "sans-serif"
 * face through fontconfig): chart labels are short, in one direction, and
 * the toy API needs nothing beyond cairo itself.
 */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>

#define PLOT_FACE "sans-serif"
#define PLOT_TEXT_RGB 0x222222u
#define PLOT_MUTED_RGB 0x666666u
#define PLOT_GRID_RGB 0xE4E4E4u
#define PLOT_FRAME_RGB 0x999999u

const char *plot_format_extension(enum plot_format format)
{
	switch (format) {
	case PLOT_SVG:
		return ".svg";
	case PLOT_PDF:
		return ".pdf";
	case PLOT_PNG:
		break;
	}
	return ".png";
}

/* ---- the page ---- */

static cairo_status_t write_out(void *closure, const unsigned char *data,
				unsigned int length)
{
	struct plot *p = closure;

	while (length && !p->error) {
		ssize_t n = write(p->fd, data, length);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			p->error = n < 0 ? errno : EIO;
			break;
		}
		data += n;
		length -= (unsigned int)n;
	}
	return p->error ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static void plot_release(struct plot *p)
{
	if (p->cr)
		cairo_destroy(p->cr);
	if (p->surface)
		cairo_surface_destroy(p->surface);
	if (p->fd >= 0) {
		close(p->fd);
		unlink(p->tmp);
	}
	free(p->path);
	free(p->tmp);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

int plot_begin(struct plot *p, enum plot_format format, const char *path,
	       int width, int height)
{
	mode_t mask;
	int ret;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->format = format;
	p->width = width;
	p->height = height;
	p->font = fmax(10.0, 15.0 * fmin(width / 1600.0, height / 900.0));
	p->path = strdup(path);
	if (!p->path || asprintf(&p->tmp, "%s.tmp.XXXXXX", path) < 0) {
		p->tmp = NULL;
		plot_release(p);
		return -ENOMEM;
	}
	p->fd = mkostemp(p->tmp, O_CLOEXEC);
	if (p->fd < 0) {
		ret = -errno;
		plot_release(p);
		return ret;
	}
	/* mkstemp makes 0600; a chart is as readable as any file made. */
	mask = umask(0);
	umask(mask);
	(void)fchmod(p->fd, 0666 & ~mask);

	switch (format) {
	case PLOT_PNG:
		p->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
							width, height);
		break;
	case PLOT_SVG:
		p->surface = cairo_svg_surface_create_for_stream(write_out, p,
								 width, height);
		break;
	case PLOT_PDF:
		p->surface = cairo_pdf_surface_create_for_stream(write_out, p,
								 width, height);
		break;
	}
	if (!p->surface || cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS) {
		plot_release(p);
		return -ENOMEM;
	}
	p->cr = cairo_create(p->surface);
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
		plot_release(p);
		return -ENOMEM;
	}
	cairo_set_source_rgb(p->cr, 1, 1, 1);
	cairo_paint(p->cr);
	cairo_select_font_face(p->cr, PLOT_FACE, CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	return 0;
}

int plot_end(struct plot *p)
{
	cairo_status_t status = cairo_status(p->cr);
	int ret = 0;

	/* A drawing error (text that is not UTF-8, say) leaves the rest of
	 * the page undrawn: better no chart than a blank one. */
	if (status != CAIRO_STATUS_SUCCESS) {
		plot_release(p);
		return status == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EINVAL;
	}
	cairo_destroy(p->cr);
	p->cr = NULL;
	if (p->format == PLOT_PNG)
		status = cairo_surface_write_to_png_stream(p->surface,
							   write_out, p);
	else {
		cairo_surface_finish(p->surface);
		status = cairo_surface_status(p->surface);
	}
	if (p->error)
		ret = -p->error;
	else if (status != CAIRO_STATUS_SUCCESS)
		ret = status == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EIO;
	else if (close(p->fd) < 0) {
		ret = -errno;
		p->fd = -1;
		unlink(p->tmp);
	} else {
		p->fd = -1;
		if (rename(p->tmp, p->path) < 0) {
			ret = -errno;
			unlink(p->tmp);
		}
	}
	plot_release(p);
	return ret;
}

/* ---- colour and text ---- */

void plot_colour(struct plot *p, uint32_t rgb, double alpha)
{
	cairo_set_source_rgba(p->cr, ((rgb >> 16) & 0xff) / 255.0,
			      ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0,
			      alpha);
}

uint32_t plot_tint(uint32_t rgb, double amount)
{
	uint32_t out = 0;

	amount = fmin(1.0, fmax(0.0, amount));
	for (int shift = 0; shift <= 16; shift += 8) {
		double c = (rgb >> shift) & 0xff;

		out |= (uint32_t)lround(c + (255.0 - c) * amount) << shift;
	}
	return out;
}

/* viridis (van der Walt and Smith, 2015; public domain) at t = 0, 1/32,
 * ..., 1, from matplotlib's 256 entries: linear between these stays
 * within a unit of the full map in every channel. */
static const uint32_t viridis[33] = {
	0x440154u, 0x470D60u, 0x48186Au, 0x482374u, 0x472D7Bu,
	0x453681u, 0x424086u, 0x3F4989u, 0x3B528Bu, 0x375A8Du,
	0x33638Du, 0x2F6A8Eu, 0x2C728Eu, 0x297A8Eu, 0x26818Eu,
	0x23898Eu, 0x21908Cu, 0x1F988Bu, 0x1F9F88u, 0x21A685u,
	0x28AE80u, 0x31B57Bu, 0x3EBC74u, 0x4CC26Cu, 0x5DC963u,
	0x6ECE58u, 0x82D34Cu, 0x96D83Fu, 0xABDC32u, 0xC0DF24u,
	0xD5E21Au, 0xEAE51Au, 0xFDE725u,
};

#define VIRIDIS_STOPS (sizeof(viridis) / sizeof(viridis[0]))

uint32_t plot_sequential(double t)
{
	double at, frac;
	size_t i;
	uint32_t out = 0;

	if (!(t > 0))           /* NAN too */
		return viridis[0];
	if (t >= 1)
		return viridis[VIRIDIS_STOPS - 1];
	at = t * (double)(VIRIDIS_STOPS - 1);
	i = (size_t)at;
	frac = at - (double)i;
	for (int shift = 0; shift <= 16; shift += 8) {
		double a = (viridis[i] >> shift) & 0xff;
		double b = (viridis[i + 1] >> shift) & 0xff;

		out |= (uint32_t)lround(a + (b - a) * frac) << shift;
	}
	return out;
}

/* Room for a line of chart text; longer text is cut there. */
#define PLOT_TEXT_MAX 1024

/*
 * text as valid UTF-8 in out (PLOT_TEXT_MAX bytes): a byte that does not
 * start or continue a well-formed character becomes '?', and text is cut
 * on a character boundary when it does not fit. Command lines and labels
 * come from the user and need not be UTF-8; cairo refuses what is not,
 * and stops drawing the page.
 */
static const char *valid_utf8(const char *text, char *out)
{
	size_t o = 0;

	for (const unsigned char *s = (const unsigned char *)text; *s;) {
		size_t need = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2 :
			      (*s & 0xF0) == 0xE0 ? 3 : (*s & 0xF8) == 0xF0 ? 4 : 0;
		size_t k;

		for (k = 1; k < need; k++)
			if ((s[k] & 0xC0) != 0x80)
				break;
		if (!need || k < need || (need == 2 && *s < 0xC2)) {
			need = 1;
			if (o + 1 >= PLOT_TEXT_MAX)
				break;
			out[o++] = '?';
			s++;
			continue;
		}
		if (o + need >= PLOT_TEXT_MAX)
			break;
		memcpy(out + o, s, need);
		o += need;
		s += need;
	}
	out[o] = '\0';
	return out;
}

static void set_font(struct plot *p, double size, int bold)
{
	cairo_select_font_face(p->cr, PLOT_FACE, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD :
				      CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, size * p->font);
}

double plot_text_width(struct plot *p, double size, int bold,
		       const char *text)
{
	cairo_text_extents_t ext;
	char valid[PLOT_TEXT_MAX];

	set_font(p, size, bold);
	cairo_text_extents(p->cr, valid_utf8(text, valid), &ext);
	return ext.x_advance;
}

double plot_text(struct plot *p, double x, double y, enum plot_align align,
		 double size, int bold, uint32_t rgb, const char *text)
{
	cairo_font_extents_t font;
	double width = plot_text_width(p, size, bold, text);
	char valid[PLOT_TEXT_MAX];

	cairo_font_extents(p->cr, &font);
	if (align == PLOT_CENTER)
		x -= width / 2;
	else if (align == PLOT_RIGHT)
		x -= width;
	plot_colour(p, rgb, 1);
	cairo_move_to(p->cr, x, y + (font.ascent - font.descent) / 2);
	cairo_show_text(p->cr, valid_utf8(text, valid));
	cairo_new_path(p->cr);
	return width;
}

char *plot_utf8_trim(char *s)
{
	size_t len = strlen(s), lead = len, need;
	unsigned char c;

	/* Back to the last byte that starts a character. */
	while (lead > 0 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0)
		return s;
	c = (unsigned char)s[lead - 1];
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (len - (lead - 1) < need)
		s[lead - 1] = '\0';
	return s;
}

char *plot_fit_text(struct plot *p, double font_size, int bold,
		    const char *text, double width, char *buf, size_t size)
{
	size_t len;

	snprintf(buf, size, "%s", text);
	len = strlen(buf);
	/* Cut by the buffer: that is a cut too, and says so. */
	if (len < strlen(text) && size > 4) {
		len = size - 4;
		while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80)
			len--;
		memcpy(buf + len, "...", 4);
	}
	plot_utf8_trim(buf);
	len = strlen(buf);
	while (len > 0 && plot_text_width(p, font_size, bold, buf) > width) {
		/* Cut a whole UTF-8 character, then add the ellipsis. */
		do
			len--;
		while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80);
		if (len + 4 > size)
			continue;
		memcpy(buf + len, "...", 4);
	}
	return buf;
}

double plot_title(struct plot *p, const char *title, const char *subtitle)
{
	double x = p->font * 1.5;

	plot_text(p, x, p->font * 1.7, PLOT_LEFT, 1.45, 1, PLOT_TEXT_RGB, title);
	if (subtitle) {
		char buf[512];

		plot_fit_text(p, 0.95, 0, subtitle, p->width - 2 * x, buf,
			      sizeof(buf));
		plot_text(p, x, p->font * 3.3, PLOT_LEFT, 0.95, 0,
			  PLOT_MUTED_RGB, buf);
	}
	return plot_title_height(p, subtitle != NULL);
}

double plot_title_height(const struct plot *p, int with_subtitle)
{
	/* Under the subtitle's line (at 3.3), or the title's (at 1.7). */
	return p->font * (with_subtitle ? 4.8 : 3.3);
}

/* ---- legends ---- */

static double entry_width(struct plot *p, const struct plot_legend_entry *e)
{
	return p->font * 1.8 + plot_text_width(p, 0.9, 0, e->text) +
	       p->font * 1.4;
}

static double legend_layout(struct plot *p, double x, double y, double max_x,
			    const struct plot_legend_entry *entries, size_t nr,
			    int draw)
{
	double line = p->font * 1.5, cx = x, cy = y;

	for (size_t i = 0; i < nr; i++) {
		const struct plot_legend_entry *e = &entries[i];
		double w = entry_width(p, e), s = p->font * 0.8;

		if (cx > x && cx + w > max_x) {
			cx = x;
			cy += line;
		}
		if (draw) {
			plot_colour(p, e->rgb, 1);
			if (e->swatch == PLOT_SWATCH_BOX) {
				cairo_rectangle(p->cr, cx, cy - s / 2, s * 1.3, s);
				cairo_fill(p->cr);
			} else {
				cairo_set_line_width(p->cr, p->font * 0.16);
				if (e->swatch == PLOT_SWATCH_DASH) {
					double dash[] = { p->font * 0.25 };

					cairo_set_dash(p->cr, dash, 1, 0);
				}
				cairo_move_to(p->cr, cx, cy);
				cairo_line_to(p->cr, cx + s * 1.3, cy);
				cairo_stroke(p->cr);
				cairo_set_dash(p->cr, NULL, 0, 0);
			}
			plot_text(p, cx + p->font * 1.5, cy, PLOT_LEFT, 0.9, 0,
				  PLOT_TEXT_RGB, e->text);
		}
		cx += w;
	}
	return nr ? cy - y + line : 0;
}

double plot_legend(struct plot *p, double x, double y, double max_x,
		   const struct plot_legend_entry *entries, size_t nr)
{
	return legend_layout(p, x, y, max_x, entries, nr, 1);
}

double plot_legend_height(struct plot *p, double width,
			  const struct plot_legend_entry *entries, size_t nr)
{
	return legend_layout(p, 0, 0, width, entries, nr, 0);
}

/* ---- panels ---- */

double plot_left_gutter(struct plot *p)
{
	return p->font * 6.8;
}

double plot_bottom_gutter(struct plot *p, int with_title)
{
	return p->font * (with_title ? 3.0 : 1.7);
}

double plot_x(const struct plot_panel *panel, double v)
{
	return panel->area.x + axis_fraction(&panel->x, v) * panel->area.w;
}

double plot_y(const struct plot_panel *panel, double v)
{
	return panel->area.y + panel->area.h -
	       axis_fraction(&panel->y, v) * panel->area.h;
}

void plot_axes(struct plot *p, const struct plot_panel *panel, int x_labels)
{
	const struct plot_rect *r = &panel->area;
	char label[AXIS_LABEL_MAX];
	cairo_t *cr = p->cr;

	cairo_set_line_width(cr, 1);
	plot_colour(p, PLOT_GRID_RGB, 1);
	for (int i = 0; i < panel->y.nr; i++) {
		double y = round(plot_y(panel, axis_tick(&panel->y, i))) + 0.5;

		cairo_move_to(cr, r->x, y);
		cairo_line_to(cr, r->x + r->w, y);
	}
	for (int i = 0; i < panel->x.nr; i++) {
		double x = round(plot_x(panel, axis_tick(&panel->x, i))) + 0.5;

		cairo_move_to(cr, x, r->y);
		cairo_line_to(cr, x, r->y + r->h);
	}
	cairo_stroke(cr);
	plot_colour(p, PLOT_FRAME_RGB, 1);
	cairo_rectangle(cr, round(r->x) + 0.5, round(r->y) + 0.5, round(r->w),
			round(r->h));
	cairo_stroke(cr);

	for (int i = 0; i < panel->y.nr; i++) {
		double v = axis_tick(&panel->y, i);

		plot_text(p, r->x - p->font * 0.4, plot_y(panel, v), PLOT_RIGHT,
			  0.85, 0, PLOT_MUTED_RGB,
			  axis_label(&panel->y, v, label, sizeof(label)));
	}
	if (panel->y_title) {
		char buf[128];

		cairo_save(cr);
		cairo_translate(cr, r->x - plot_left_gutter(p) + p->font * 0.8,
				r->y + r->h / 2);
		cairo_rotate(cr, -M_PI / 2);
		plot_fit_text(p, 0.9, 0, panel->y_title, r->h, buf, sizeof(buf));
		plot_text(p, 0, 0, PLOT_CENTER, 0.9, 0, PLOT_TEXT_RGB, buf);
		cairo_restore(cr);
	}
	if (!x_labels)
		return;
	for (int i = 0; i < panel->x.nr; i++) {
		double v = axis_tick(&panel->x, i);

		plot_text(p, plot_x(panel, v), r->y + r->h + p->font * 0.9,
			  PLOT_CENTER, 0.85, 0, PLOT_MUTED_RGB,
			  axis_label(&panel->x, v, label, sizeof(label)));
	}
	if (panel->x_title)
		plot_text(p, r->x + r->w / 2, r->y + r->h + p->font * 2.3,
			  PLOT_CENTER, 0.9, 0, PLOT_TEXT_RGB, panel->x_title);
}

void plot_no_data(struct plot *p, const struct plot_rect *r, const char *why)
{
	char buf[256];

	plot_colour(p, 0xF4F4F4u, 1);
	cairo_rectangle(p->cr, r->x, r->y, r->w, r->h);
	cairo_fill(p->cr);
	plot_fit_text(p, 0.95, 0, why, r->w - p->font, buf, sizeof(buf));
	plot_text(p, r->x + r->w / 2, r->y + r->h / 2, PLOT_CENTER, 0.95, 0,
		  PLOT_MUTED_RGB, buf);
}

/* ---- series ---- */

uint64_t plot_time_ns(uint64_t origin_ns, double seconds)
{
	double ns = (double)origin_ns + seconds * 1e9;

	/* Converting a double outside the range (or NaN) is undefined. */
	if (!(ns > 0))
		return 0;
	if (ns >= 0x1p64)
		return UINT64_MAX;
	return (uint64_t)ns;
}

struct envelope_bucket *plot_columns(const struct plot_panel *panel,
				     const struct envelope *e,
				     uint64_t origin_ns, size_t *nr)
{
	struct envelope_bucket *out;
	uint64_t lo = plot_time_ns(origin_ns, panel->x.lo);
	uint64_t hi = plot_time_ns(origin_ns, panel->x.hi);

	/* envelope_reduce() wants lo < hi. */
	if (lo == UINT64_MAX)
		lo--;
	if (hi <= lo)
		hi = lo + 1;
	*nr = panel->area.w >= 1 ? (size_t)panel->area.w : 1;
	out = calloc(*nr, sizeof(*out));
	if (!out)
		return NULL;
	envelope_reduce(e, lo, hi, *nr, out);
	return out;
}

static double column_x(const struct plot_panel *panel, size_t c, size_t nr)
{
	return panel->area.x + ((double)c + 0.5) * panel->area.w / (double)nr;
}

static void clip_to(struct plot *p, const struct plot_rect *r)
{
	cairo_save(p->cr);
	cairo_rectangle(p->cr, r->x, r->y, r->w, r->h);
	cairo_clip(p->cr);
}

void plot_envelope(struct plot *p, const struct plot_panel *panel,
		   const struct envelope *e, uint64_t origin_ns, double unit,
		   uint32_t rgb)
{
	struct envelope_bucket *col;
	size_t nr, drawn = 0;
	double last_x = 0, last_y = 0;

	if (!e->readings)
		return;
	col = plot_columns(panel, e, origin_ns, &nr);
	if (!col)
		return;
	clip_to(p, &panel->area);
	/* The band: where min and max differ by more than a pixel. */
	for (size_t c = 0; c < nr; c++) {
		double top, bottom;

		if (!col[c].n)
			continue;
		top = plot_y(panel, col[c].max / unit);
		bottom = plot_y(panel, col[c].min / unit);
		if (bottom - top > 1)
			cairo_rectangle(p->cr, column_x(panel, c, nr) - 0.5, top,
					1, bottom - top);
	}
	plot_colour(p, rgb, 0.28);
	cairo_fill(p->cr);
	/* The mean. */
	for (size_t c = 0; c < nr; c++) {
		if (!col[c].n)
			continue;
		last_x = column_x(panel, c, nr);
		last_y = plot_y(panel, envelope_bucket_mean(&col[c]) / unit);
		if (drawn++)
			cairo_line_to(p->cr, last_x, last_y);
		else
			cairo_move_to(p->cr, last_x, last_y);
	}
	plot_colour(p, rgb, 1);
	cairo_set_line_width(p->cr, fmax(2.0, p->font * 0.14));
	cairo_set_line_join(p->cr, CAIRO_LINE_JOIN_ROUND);
	cairo_stroke(p->cr);
	if (drawn == 1)
		plot_point(p, last_x, last_y, 0, rgb);
	cairo_restore(p->cr);
	free(col);
}

void plot_stacked_values(struct plot *p, const struct plot_panel *panel,
			 double *const *values, const uint32_t *rgb, size_t nr,
			 size_t columns)
{
	double *base = calloc(columns ? columns : 1, sizeof(*base));

	if (!base)
		return;
	clip_to(p, &panel->area);
	for (size_t k = 0; k < nr; k++) {
		size_t first = SIZE_MAX, last = 0;

		/* The upper edge left to right, the base right to left; a
		 * column with no value of this layer is skipped. */
		for (size_t c = 0; c < columns; c++) {
			if (isnan(values[k][c]))
				continue;
			if (first == SIZE_MAX) {
				first = c;
				cairo_move_to(p->cr, column_x(panel, c, columns),
					      plot_y(panel, base[c]));
			}
			cairo_line_to(p->cr, column_x(panel, c, columns),
				      plot_y(panel, base[c] + values[k][c]));
			last = c;
		}
		if (first == SIZE_MAX)
			continue;
		for (size_t c = last + 1; c-- > first;)
			if (!isnan(values[k][c]))
				cairo_line_to(p->cr, column_x(panel, c, columns),
					      plot_y(panel, base[c]));
		cairo_close_path(p->cr);
		plot_colour(p, rgb[k], 1);
		cairo_fill(p->cr);
		for (size_t c = 0; c < columns; c++)
			if (!isnan(values[k][c]))
				base[c] += values[k][c];
	}
	cairo_restore(p->cr);
	free(base);
}

void plot_stacked(struct plot *p, const struct plot_panel *panel,
		  const struct envelope *const *e, const uint32_t *rgb,
		  size_t nr, uint64_t origin_ns, double unit)
{
	double *values[8] = { NULL };
	size_t columns = 0, k;

	if (nr > 8)
		nr = 8;
	for (k = 0; k < nr; k++) {
		struct envelope_bucket *col = plot_columns(panel, e[k], origin_ns,
							   &columns);

		values[k] = col ? malloc(columns * sizeof(double)) : NULL;
		if (!values[k]) {
			free(col);
			goto out;
		}
		for (size_t c = 0; c < columns; c++)
			values[k][c] = col[c].n ?
				       envelope_bucket_mean(&col[c]) / unit : NAN;
		free(col);
	}
	plot_stacked_values(p, panel, values, rgb, nr, columns);
out:
	for (k = 0; k < nr; k++)
		free(values[k]);
}

double plot_stacked_max(const struct envelope *const *e, size_t nr,
			uint64_t t0_ns, uint64_t t1_ns, size_t columns,
			double unit)
{
	struct envelope_bucket *col;
	double *sum, best = 0;

	if (!columns || t1_ns <= t0_ns)
		return 0;
	col = calloc(columns, sizeof(*col));
	sum = calloc(columns, sizeof(*sum));
	if (!col || !sum)
		goto out;
	for (size_t k = 0; k < nr; k++) {
		envelope_reduce(e[k], t0_ns, t1_ns, columns, col);
		for (size_t c = 0; c < columns; c++)
			sum[c] += envelope_bucket_mean(&col[c]) / unit;
	}
	for (size_t c = 0; c < columns; c++)
		best = fmax(best, sum[c]);
out:
	free(col);
	free(sum);
	return best;
}

/*
 * The largest reading of each of nr columns of the panel's x axis (in
 * seconds from origin_ns), over every bucket of e the column overlaps:
 * unlike envelope_reduce(), which gives a bucket to the column it starts
 * in, a bucket wider than a column fills every column it covers, so a
 * heat map has no empty stripes between buckets. max[c] is NAN where no
 * bucket with a reading overlaps. Costs O(nr + e->nr).
 */
static void overlap_max(const struct plot_panel *panel,
			const struct envelope *e, uint64_t origin_ns,
			size_t nr, double *max)
{
	double span = (panel->x.hi - panel->x.lo) * 1e9 / (double)nr;
	double start = (double)origin_ns + panel->x.lo * 1e9 -
		       (double)e->origin_ns;
	double width = (double)e->width_ns;

	for (size_t c = 0; c < nr; c++) {
		double t0 = start + span * (double)c, t1 = t0 + span;
		double first = floor(t0 / width), last = ceil(t1 / width) - 1;

		max[c] = NAN;
		if (last < 0 || first >= (double)e->nr)
			continue;
		for (size_t i = first > 0 ? (size_t)first : 0;
		     i < e->nr && (double)i <= last; i++)
			if (e->buckets[i].n && !(e->buckets[i].max <= max[c]))
				max[c] = e->buckets[i].max;
	}
}

void plot_heat_row(struct plot *p, const struct plot_panel *panel,
		   const struct envelope *e, uint64_t origin_ns, double full,
		   double y0, double y1)
{
	double *max;
	size_t nr, c = 0;

	if (!e->readings || !e->buckets || !(full > 0) || !(y1 > y0) ||
	    !(panel->x.hi > panel->x.lo))
		return;
	nr = panel->area.w >= 1 ? (size_t)panel->area.w : 1;
	max = malloc(nr * sizeof(*max));
	if (!max)
		return;
	overlap_max(panel, e, origin_ns, nr, max);
	clip_to(p, &panel->area);
	cairo_set_antialias(p->cr, CAIRO_ANTIALIAS_NONE);
	/* A run of columns of one colour is one rectangle: an SVG of a
	 * steady row is a few shapes, not one per pixel. */
	while (c < nr) {
		size_t end = c + 1;
		uint32_t rgb;

		if (isnan(max[c])) {
			c++;
			continue;
		}
		rgb = plot_sequential(max[c] / full);
		while (end < nr && !isnan(max[end]) &&
		       plot_sequential(max[end] / full) == rgb)
			end++;
		plot_colour(p, rgb, 1);
		cairo_rectangle(p->cr,
				panel->area.x + (double)c * panel->area.w / (double)nr,
				y0, (double)(end - c) * panel->area.w / (double)nr,
				y1 - y0);
		cairo_fill(p->cr);
		c = end;
	}
	cairo_restore(p->cr);
	free(max);
}

double plot_colour_bar(struct plot *p, const struct plot_rect *r,
		       const struct axis *a, const char *title)
{
	cairo_pattern_t *gradient;
	char label[AXIS_LABEL_MAX];
	double title_w = 0;

	gradient = cairo_pattern_create_linear(r->x, 0, r->x + r->w, 0);
	for (size_t i = 0; i < VIRIDIS_STOPS; i++)
		cairo_pattern_add_color_stop_rgb(gradient,
			(double)i / (double)(VIRIDIS_STOPS - 1),
			((viridis[i] >> 16) & 0xff) / 255.0,
			((viridis[i] >> 8) & 0xff) / 255.0,
			(viridis[i] & 0xff) / 255.0);
	cairo_set_source(p->cr, gradient);
	cairo_rectangle(p->cr, r->x, r->y, r->w, r->h);
	cairo_fill(p->cr);
	cairo_pattern_destroy(gradient);
	plot_colour(p, PLOT_FRAME_RGB, 1);
	cairo_set_line_width(p->cr, 1);
	cairo_rectangle(p->cr, round(r->x) + 0.5, round(r->y) + 0.5,
			round(r->w) - 1, round(r->h) - 1);
	cairo_stroke(p->cr);
	for (int i = 0; i < a->nr; i++) {
		double v = axis_tick(a, i);
		double x = round(r->x + axis_fraction(a, v) * r->w) + 0.5;

		plot_colour(p, PLOT_FRAME_RGB, 1);
		cairo_move_to(p->cr, x, r->y + r->h);
		cairo_line_to(p->cr, x, r->y + r->h + p->font * 0.3);
		cairo_stroke(p->cr);
		plot_text(p, x, r->y + r->h + p->font * 0.85, PLOT_CENTER, 0.8,
			  0, PLOT_MUTED_RGB, axis_label(a, v, label, sizeof(label)));
	}
	if (title)
		title_w = plot_text(p, r->x - p->font * 0.6, r->y + r->h / 2,
				    PLOT_RIGHT, 0.9, 0, PLOT_TEXT_RGB, title);
	return title_w;
}

void plot_vline(struct plot *p, const struct plot_panel *panel, double v,
		uint32_t rgb)
{
	double x = round(plot_x(panel, v)) + 0.5, dash[] = { 3, 3 };

	if (x < panel->area.x || x > panel->area.x + panel->area.w)
		return;
	cairo_set_dash(p->cr, dash, 2, 0);
	cairo_set_line_width(p->cr, 1);
	plot_colour(p, rgb, 0.7);
	cairo_move_to(p->cr, x, panel->area.y);
	cairo_line_to(p->cr, x, panel->area.y + panel->area.h);
	cairo_stroke(p->cr);
	cairo_set_dash(p->cr, NULL, 0, 0);
}

void plot_line(struct plot *p, double x0, double y0, double x1, double y1,
	       uint32_t rgb, double width, int dashed)
{
	double dash[] = { p->font * 0.4, p->font * 0.25 };

	plot_colour(p, rgb, 1);
	cairo_set_line_width(p->cr, width);
	if (dashed)
		cairo_set_dash(p->cr, dash, 2, 0);
	cairo_move_to(p->cr, x0, y0);
	cairo_line_to(p->cr, x1, y1);
	cairo_stroke(p->cr);
	cairo_set_dash(p->cr, NULL, 0, 0);
}

void plot_whisker(struct plot *p, double x, double y0, double y1, double cap,
		  uint32_t rgb)
{
	double width = fmax(1.5, p->font * 0.12);

	plot_line(p, x, y0, x, y1, rgb, width, 0);
	plot_line(p, x - cap / 2, y0, x + cap / 2, y0, rgb, width, 0);
	plot_line(p, x - cap / 2, y1, x + cap / 2, y1, rgb, width, 0);
}

void plot_x_labels(struct plot *p, const struct plot_panel *panel,
		   const double *xs, char (*texts)[AXIS_LABEL_MAX], size_t nr)
{
	double last_right = -1e9, y = panel->area.y + panel->area.h + p->font * 0.9;

	for (size_t i = 0; i < nr; i++) {
		double w = plot_text_width(p, 0.85, 0, texts[i]);

		if (xs[i] - w / 2 < last_right + p->font * 0.5)
			continue;
		plot_text(p, xs[i], y, PLOT_CENTER, 0.85, 0, PLOT_MUTED_RGB,
			  texts[i]);
		last_right = xs[i] + w / 2;
	}
}

void plot_bare_axis(double lo, double hi, struct axis *x)
{
	axis_nice(lo, hi, 2, 0, AXIS_PLAIN, x);
	x->lo = lo;
	x->hi = hi;
	x->nr = 0;
}

void plot_point(struct plot *p, double x, double y, int shape, uint32_t rgb)
{
	double r = p->font * 0.38;

	switch (shape) {
	case 1:
		cairo_move_to(p->cr, x, y - r * 1.2);
		cairo_line_to(p->cr, x + r * 1.1, y + r * 0.8);
		cairo_line_to(p->cr, x - r * 1.1, y + r * 0.8);
		cairo_close_path(p->cr);
		break;
	case 2:
		cairo_rectangle(p->cr, x - r, y - r, 2 * r, 2 * r);
		break;
	default:
		cairo_arc(p->cr, x, y, r, 0, 2 * M_PI);
		break;
	}
	plot_colour(p, rgb, 1);
	cairo_fill_preserve(p->cr);
	plot_colour(p, 0xFFFFFFu, 1);
	cairo_set_line_width(p->cr, 1);
	cairo_stroke(p->cr);
}

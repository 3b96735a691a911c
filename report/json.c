/*
 * json.c - the JSON writer behind `pprobe report --json` (see json.h).
 *
 * Output is indented by two spaces per level so a person can read it and
 * `diff` two reports; a script does not care.
 */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void json_writer_init(struct json_writer *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

static void indent(struct json_writer *w)
{
	fputc('\n', w->out);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

/* The comma, newline and key that come before any value. */
static void begin_value(struct json_writer *w, const char *key)
{
	if (w->depth > 0) {
		int level = w->depth < JSON_MAX_DEPTH ? w->depth : JSON_MAX_DEPTH - 1;

		if (w->has_members[level])
			fputc(',', w->out);
		w->has_members[level] = 1;
		indent(w);
	}
	if (key) {
		json_write_string(w->out, key);
		fputs(": ", w->out);
	}
}

static void begin_container(struct json_writer *w, const char *key, char open)
{
	begin_value(w, key);
	fputc(open, w->out);
	w->depth++;
	if (w->depth < JSON_MAX_DEPTH)
		w->has_members[w->depth] = 0;
}

static void end_container(struct json_writer *w, char close)
{
	int had_members = w->depth < JSON_MAX_DEPTH && w->has_members[w->depth];

	if (w->depth > 0)
		w->depth--;
	/* "{}" and "[]" stay on one line. */
	if (had_members)
		indent(w);
	fputc(close, w->out);
	if (w->depth == 0)
		fputc('\n', w->out);
}

void json_begin_object(struct json_writer *w, const char *key)
{
	begin_container(w, key, '{');
}

void json_end_object(struct json_writer *w)
{
	end_container(w, '}');
}

void json_begin_array(struct json_writer *w, const char *key)
{
	begin_container(w, key, '[');
}

void json_end_array(struct json_writer *w)
{
	end_container(w, ']');
}

void json_string(struct json_writer *w, const char *key, const char *s)
{
	begin_value(w, key);
	json_write_string(w->out, s ? s : "");
}

void json_string_or_null(struct json_writer *w, const char *key, const char *s)
{
	if (s)
		json_string(w, key, s);
	else
		json_null(w, key);
}

void json_u64(struct json_writer *w, const char *key, uint64_t v)
{
	begin_value(w, key);
	fprintf(w->out, "%" PRIu64, v);
}

void json_i64(struct json_writer *w, const char *key, int64_t v)
{
	begin_value(w, key);
	fprintf(w->out, "%" PRId64, v);
}

void json_double(struct json_writer *w, const char *key, double v)
{
	char buf[JSON_NUMBER_MAX];

	begin_value(w, key);
	fputs(json_format_double(buf, v), w->out);
}

void json_bool(struct json_writer *w, const char *key, int v)
{
	begin_value(w, key);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w, const char *key)
{
	begin_value(w, key);
	fputs("null", w->out);
}

/*
 * The length of the valid UTF-8 sequence at s (1 to 4), or 0 when the
 * byte at s does not start one. Follows RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF. A NUL ends the string, so it is
 * never a valid continuation byte.
 */
static size_t utf8_sequence_length(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range excludes overlongs, surrogates, > U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void json_write_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		size_t len = utf8_sequence_length(s);

		if (len == 0) {
			fputs("\\ufffd", out);
			s++;
			continue;
		}
		if (len > 1) {
			fwrite(s, 1, len, out);
			s += len;
			continue;
		}
		switch (*s) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f)
				fprintf(out, "\\u%04x", *s);
			else
				fputc(*s, out);
		}
		s++;
	}
	fputc('"', out);
}

char *json_format_double(char buf[JSON_NUMBER_MAX], double v)
{
	if (!isfinite(v)) {
		strcpy(buf, "null");
		return buf;
	}
	/* Counts and nanoseconds are integers; print them as such while a
	 * double holds them exactly. */
	if (fabs(v) < 9007199254740992.0 && v == (double)(int64_t)v) {
		snprintf(buf, JSON_NUMBER_MAX, "%" PRId64, (int64_t)v);
		return buf;
	}
	snprintf(buf, JSON_NUMBER_MAX, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, JSON_NUMBER_MAX, "%.17g", v);
	return buf;
}

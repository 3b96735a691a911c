/*
 * json.h - a small streaming JSON writer for `pprobe report --json`.
 *
 * The report's document has a fixed shape, so this is no general JSON
 * library: it writes members and elements straight to a FILE, keeps track
 * of the commas and the indentation, and makes sure that whatever the
 * recording holds comes out as valid JSON:
 *
 *  - strings are escaped: '"', '\\' and control characters (\n, \t, ...,
 *    else \u00XX), and DEL as \u007f; valid UTF-8 passes through as it is;
 *    every byte that is not part of valid UTF-8 (a stray continuation
 *    byte, an overlong form, a surrogate, past U+10FFFF) becomes \ufffd,
 *    the replacement character. Strings end at their first NUL.
 *  - doubles that are not finite are written as null; integral doubles
 *    below 2^53 as integers; others with the fewest digits (up to 17)
 *    that read back as the same double.
 *
 * Write errors are not checked call by call: the caller looks at
 * ferror() once at the end.
 */
#ifndef PPROBE_REPORT_JSON_H
#define PPROBE_REPORT_JSON_H

#include <stdint.h>
#include <stdio.h>

/* Deeper nesting than this is a bug in the caller; it is not checked
 * beyond staying inside the array. */
#define JSON_MAX_DEPTH 16

struct json_writer {
	FILE *out;                       /* not owned */
	int depth;                       /* open containers */
	int has_members[JSON_MAX_DEPTH]; /* a comma is due at that depth */
};

void json_writer_init(struct json_writer *w, FILE *out);

/*
 * Containers and values. `key` is the member name inside an object, and
 * NULL for an element of an array or the top-level value.
 */
void json_begin_object(struct json_writer *w, const char *key);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w, const char *key);
void json_end_array(struct json_writer *w);
void json_string(struct json_writer *w, const char *key, const char *s);
/* json_string(), or null when s is NULL. */
void json_string_or_null(struct json_writer *w, const char *key, const char *s);
void json_u64(struct json_writer *w, const char *key, uint64_t v);
void json_i64(struct json_writer *w, const char *key, int64_t v);
void json_double(struct json_writer *w, const char *key, double v);
void json_bool(struct json_writer *w, const char *key, int v);
void json_null(struct json_writer *w, const char *key);

/* Writes s as a quoted, escaped JSON string (see above). */
void json_write_string(FILE *out, const char *s);

/* Room for any number json_format_double() writes. */
#define JSON_NUMBER_MAX 32
/* A double as JSON text: "null" when not finite. Returns buf. */
char *json_format_double(char buf[JSON_NUMBER_MAX], double v);

#endif /* PPROBE_REPORT_JSON_H */

/*
 * rec_reader.c - reading a pprobe record file (the layout is in recfile.h).
 *
 * The input may be a pipe or a terminal, so the reader never seeks and
 * never reads ahead of the record it is on: it buffers one record at a
 * time (plus whatever the last read(2) happened to bring), growing the
 * buffer only for a record larger than any before. That keeps memory flat
 * however long the recording, and lets `pprobe report` follow a recording
 * that is still being written to a pipe.
 *
 * Every check the format allows is made here, once: the magic, the major
 * version, frame sizes, and in the decoders the length of every payload
 * and every string. A bad piece is never consumed, so after an error the
 * reader's offset is both where the problem is and where the good data
 * ends.
 */
#include "recfile.h"
#include "bytes.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Also the usual read(2) size: most records are far smaller. */
#define READER_INITIAL_ALLOC (64u << 10)

/* Sizes of the fixed parts of each payload, as in recfile.h. */
#define EVENT_FIXED_SIZE 32
#define RUN_BEGIN_SIZE 24
#define COUNTS_FIXED_SIZE 24
#define COUNTS_ENTRY_SIZE 32
#define RUN_END_SIZE 96
#define END_SIZE 16
#define TASK_FIXED_SIZE 32
#define LOST_SIZE 24
#define PROCS_FIXED_SIZE 24
#define PROC_EXIT_SIZE 96
#define MEM_SOURCE_FIXED_SIZE 16
#define MEM_SIZE 40
#define VARIANT_FIXED_SIZE 16
#define LOAD_FIXED_SIZE 112
#define SAMPLING_FIXED_SIZE 56
#define MMAP_FIXED_SIZE 104
#define SAMPLE_FIXED_SIZE 24

__attribute__((format(printf, 3, 4)))
static enum rec_status fail(struct rec_reader *r, enum rec_status status,
			    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	return status;
}

static size_t buffered(const struct rec_reader *r)
{
	return r->end - r->start;
}

/* Room for n bytes from buf[0]: n never exceeds REC_MAX_SIZE. */
static int grow(struct rec_reader *r, size_t n)
{
	size_t alloc = r->alloc * 2;
	unsigned char *buf;

	if (alloc > REC_MAX_SIZE)
		alloc = REC_MAX_SIZE;
	if (alloc < n)
		alloc = n;
	buf = realloc(r->buf, alloc);
	if (!buf)
		return -1;
	r->buf = buf;
	r->alloc = alloc;
	return 0;
}

/*
 * Buffers at least n unread bytes, or all that is left of the file. Reads
 * only while fewer than n are buffered, so a reader on a pipe waits for
 * the record it needs and for nothing more.
 */
static enum rec_status fill(struct rec_reader *r, size_t n)
{
	while (buffered(r) < n && !r->eof) {
		ssize_t got;

		/* What is left is part of one record: cheap to move. */
		if (r->start) {
			memmove(r->buf, r->buf + r->start, buffered(r));
			r->end -= r->start;
			r->start = 0;
		}
		if (r->alloc < n && grow(r, n)) {
			r->error = ENOMEM;
			return fail(r, REC_ERR_IO, "out of memory for a %zu-byte record", n);
		}
		got = read(r->fd, r->buf + r->end, r->alloc - r->end);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			r->error = errno;
			return fail(r, REC_ERR_IO, "cannot read: %s", strerror(errno));
		}
		if (got == 0)
			r->eof = 1;
		r->end += (size_t)got;
	}
	return REC_OK;
}

/* The detail for a file that does not start with our magic. */
static enum rec_status not_pprobe(struct rec_reader *r)
{
	if (buffered(r) >= 8 && !memcmp(r->buf + r->start, "PERFILE2", 8))
		return fail(r, REC_ERR_NOT_PPROBE,
			    "this is a perf.data file (read it with perf report)");
	return fail(r, REC_ERR_NOT_PPROBE,
		    "the file does not start with the pprobe magic");
}

enum rec_status rec_reader_open(struct rec_reader *r, int fd)
{
	enum rec_status status;
	const unsigned char *p;
	size_t have;
	uint32_t header_size;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->buf = malloc(READER_INITIAL_ALLOC);
	if (!r->buf) {
		r->error = ENOMEM;
		return fail(r, REC_ERR_IO, "out of memory");
	}
	r->alloc = READER_INITIAL_ALLOC;

	status = fill(r, REC_HEADER_SIZE);
	if (status != REC_OK)
		return status;
	p = r->buf + r->start;
	have = buffered(r);

	/* A short file is cut off only if what there is could be ours. */
	if (memcmp(p, REC_MAGIC, have < REC_MAGIC_SIZE ? have : REC_MAGIC_SIZE))
		return not_pprobe(r);
	if (!have)
		return fail(r, REC_ERR_TRUNCATED, "file is empty");

	/* The major first: a newer one may have laid out the rest anew. */
	if (have >= 10) {
		r->major = get_u16(p + 8);
		if (r->major != REC_VERSION_MAJOR) {
			if (have >= 12)
				r->minor = get_u16(p + 10);
			if (r->major > REC_VERSION_MAJOR)
				return fail(r, REC_ERR_VERSION,
					    "made by a newer pprobe (format version %d; this one reads version %d)",
					    r->major, REC_VERSION_MAJOR);
			return fail(r, REC_ERR_VERSION,
				    "format version %d is not supported (this pprobe reads version %d)",
				    r->major, REC_VERSION_MAJOR);
		}
	}
	if (have < REC_HEADER_SIZE)
		return fail(r, REC_ERR_TRUNCATED,
			    "file ends %zu bytes into its %d-byte header",
			    have, REC_HEADER_SIZE);
	r->minor = get_u16(p + 10);
	header_size = get_u32(p + 12);
	if (header_size < REC_HEADER_SIZE)
		return fail(r, REC_ERR_CORRUPT,
			    "header size %" PRIu32 " is smaller than %d",
			    header_size, REC_HEADER_SIZE);
	/* No version will need a header that large: it is garbage. */
	if (header_size > REC_MAX_SIZE)
		return fail(r, REC_ERR_CORRUPT,
			    "header size %" PRIu32 " is larger than the %u-byte limit",
			    header_size, REC_MAX_SIZE);

	/* Header bytes a newer minor added are read and skipped. */
	status = fill(r, header_size);
	if (status != REC_OK)
		return status;
	if (buffered(r) < header_size)
		return fail(r, REC_ERR_TRUNCATED,
			    "file ends %zu bytes into its %" PRIu32 "-byte header",
			    buffered(r), header_size);
	r->start += header_size;
	r->offset = header_size;
	return REC_OK;
}

void rec_reader_release(struct rec_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->start = r->end = r->alloc = 0;
}

enum rec_status rec_reader_next(struct rec_reader *r, struct rec *rec)
{
	enum rec_status status;
	const unsigned char *p;
	uint32_t type, size;
	struct rec here;

	status = fill(r, REC_FRAME_SIZE);
	if (status != REC_OK)
		return status;
	if (!buffered(r))
		return fail(r, REC_ERR_TRUNCATED, "file ends without an end record");
	if (buffered(r) < REC_FRAME_SIZE)
		return fail(r, REC_ERR_TRUNCATED,
			    "file ends %zu bytes into a record frame", buffered(r));

	p = r->buf + r->start;
	type = get_u32(p);
	size = get_u32(p + 4);
	if (size < REC_FRAME_SIZE)
		return fail(r, REC_ERR_CORRUPT,
			    "record size %" PRIu32 " is smaller than its %d-byte frame",
			    size, REC_FRAME_SIZE);
	if (size > REC_MAX_SIZE)
		return fail(r, REC_ERR_CORRUPT,
			    "record size %" PRIu32 " is larger than the %u-byte limit",
			    size, REC_MAX_SIZE);

	status = fill(r, size);
	if (status != REC_OK)
		return status;
	if (buffered(r) < size)
		return fail(r, REC_ERR_TRUNCATED,
			    "file ends %zu bytes into a %" PRIu32 "-byte record",
			    buffered(r), size);

	p = r->buf + r->start; /* fill() may have moved the buffer */
	here.type = type;
	here.size = size;
	here.offset = r->offset;
	here.payload = p + REC_FRAME_SIZE;
	here.payload_size = size - REC_FRAME_SIZE;

	/* END is left unconsumed: asking again answers REC_DONE again,
	 * without reading what follows it. */
	if (type == REC_END) {
		if (rec_decode_end(&here, &r->end_record))
			return fail(r, REC_ERR_CORRUPT,
				    "end record is %" PRIu32 " bytes, shorter than its %d-byte minimum",
				    size, REC_FRAME_SIZE + END_SIZE);
		return REC_DONE;
	}
	r->start += size;
	r->offset += size;
	r->records++;
	*rec = here;
	return REC_OK;
}

const char *rec_strerror(enum rec_status status)
{
	switch (status) {
	case REC_OK:
		return "ok";
	case REC_DONE:
		return "end of file";
	case REC_ERR_IO:
		return "read error";
	case REC_ERR_NOT_PPROBE:
		return "not a pprobe file";
	case REC_ERR_VERSION:
		return "unsupported format version";
	case REC_ERR_TRUNCATED:
		return "file is cut off";
	case REC_ERR_CORRUPT:
		return "corrupt record";
	}
	return "unknown error";
}

/* ---- Decoders ---- */

/* Two's complement without relying on implementation-defined casts. */
static int64_t to_i64(uint64_t v)
{
	return v <= INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

static int32_t to_i32(uint32_t v)
{
	return v <= INT32_MAX ? (int32_t)v : -(int32_t)(~v) - 1;
}

/*
 * A str16 (len_size 2) or str32 (len_size 4) at payload[*pos]: its length
 * field, its bytes and its NUL must all be inside the payload. On success
 * *pos moves past the NUL.
 */
static int get_string(const struct rec *rec, size_t *pos, size_t len_size,
		      const char **s, size_t *len)
{
	const unsigned char *p;
	size_t left;
	uint32_t n;

	if (*pos > rec->payload_size)
		return -1;
	p = rec->payload + *pos;
	left = rec->payload_size - *pos;
	if (left < len_size)
		return -1;
	n = len_size == 2 ? get_u16(p) : get_u32(p);
	p += len_size;
	left -= len_size;
	/* n bytes and the NUL: n < left, written so it cannot overflow. */
	if (n >= left || p[n] != '\0')
		return -1;
	*s = (const char *)p;
	*len = n;
	*pos += len_size + n + 1;
	return 0;
}

int rec_decode_event(const struct rec *rec, struct rec_event *out)
{
	const unsigned char *p = rec->payload;
	size_t pos = EVENT_FIXED_SIZE, len;

	if (rec->type != REC_EVENT || rec->payload_size < EVENT_FIXED_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->id = get_u32(p);
	out->group = get_u32(p + 4);
	out->perf_type = get_u32(p + 8);
	out->status = get_u32(p + 12);
	out->config = get_u64(p + 16);
	out->flags = get_u32(p + 24);
	out->error = to_i32(get_u32(p + 28));
	if (get_string(rec, &pos, 2, &out->name, &len) ||
	    get_string(rec, &pos, 2, &out->unit, &len))
		return -1;
	return 0;
}

int rec_decode_run_begin(const struct rec *rec, struct rec_run_begin *out)
{
	const unsigned char *p = rec->payload;

	if (rec->type != REC_RUN_BEGIN || rec->payload_size < RUN_BEGIN_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->run = get_u32(p + 8);
	out->pid = get_u32(p + 12);
	out->flags = get_u32(p + 16);
	out->variant = get_u32(p + 20);
	return 0;
}

/* COUNTS and CPU_COUNTS share their layout. */
static int decode_counts(const struct rec *rec, uint32_t type,
			 struct rec_counts *out)
{
	const unsigned char *p = rec->payload;
	uint32_t nr;

	if (rec->type != type || rec->payload_size < COUNTS_FIXED_SIZE)
		return -1;
	nr = get_u32(p + 16);
	/* Divided, not multiplied: nr comes from the file. */
	if (nr > (rec->payload_size - COUNTS_FIXED_SIZE) / COUNTS_ENTRY_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->run = get_u32(p + 8);
	out->flags = get_u32(p + 12);
	out->nr = nr;
	out->entries = p + COUNTS_FIXED_SIZE;
	return 0;
}

int rec_decode_counts(const struct rec *rec, struct rec_counts *out)
{
	return decode_counts(rec, REC_COUNTS, out);
}

uint32_t rec_counts_cpu(const struct rec_counts *c, uint32_t i)
{
	assert(i < c->nr);
	return get_u32(c->entries + (size_t)i * COUNTS_ENTRY_SIZE + 4);
}

int rec_decode_cpu_counts(const struct rec *rec, struct rec_counts *out)
{
	return decode_counts(rec, REC_CPU_COUNTS, out);
}

void rec_counts_get(const struct rec_counts *c, uint32_t i, struct rec_count *out)
{
	const unsigned char *p;

	assert(i < c->nr);
	p = c->entries + (size_t)i * COUNTS_ENTRY_SIZE;
	out->event_id = get_u32(p);
	out->value = get_u64(p + 8);
	out->enabled_ns = get_u64(p + 16);
	out->running_ns = get_u64(p + 24);
}

/* The nine u64 of a rusage (72 bytes at p), as RUN_END and PROC_EXIT
 * lay them out. */
static void get_rusage(const unsigned char *p, struct rec_rusage *ru)
{
	ru->utime_us = get_u64(p);
	ru->stime_us = get_u64(p + 8);
	ru->maxrss_kib = get_u64(p + 16);
	ru->minflt = get_u64(p + 24);
	ru->majflt = get_u64(p + 32);
	ru->nvcsw = get_u64(p + 40);
	ru->nivcsw = get_u64(p + 48);
	ru->inblock = get_u64(p + 56);
	ru->oublock = get_u64(p + 64);
}

int rec_decode_run_end(const struct rec *rec, struct rec_run_end *out)
{
	const unsigned char *p = rec->payload;

	if (rec->type != REC_RUN_END || rec->payload_size < RUN_END_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->run = get_u32(p + 8);
	out->pid = get_u32(p + 12);
	out->exit_kind = get_u32(p + 16);
	out->exit_code = to_i32(get_u32(p + 20));
	get_rusage(p + 24, &out->rusage);
	return 0;
}

int rec_decode_end(const struct rec *rec, struct rec_end *out)
{
	if (rec->type != REC_END || rec->payload_size < END_SIZE)
		return -1;
	out->time_ns = get_u64(rec->payload);
	out->records = get_u64(rec->payload + 8);
	return 0;
}

int rec_decode_task(const struct rec *rec, struct rec_task *out)
{
	const unsigned char *p = rec->payload;
	size_t pos = TASK_FIXED_SIZE, len;

	if (rec->type != REC_TASK || rec->payload_size < TASK_FIXED_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->kind = get_u32(p + 8);
	out->pid = get_u32(p + 12);
	out->tid = get_u32(p + 16);
	out->ppid = get_u32(p + 20);
	out->ptid = get_u32(p + 24);
	if (get_string(rec, &pos, 2, &out->comm, &len))
		return -1;
	return 0;
}

int rec_decode_lost(const struct rec *rec, struct rec_lost *out)
{
	const unsigned char *p = rec->payload;

	if (rec->type != REC_LOST || rec->payload_size < LOST_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->lost = get_u64(p + 8);
	out->cpu = get_u32(p + 16);
	return 0;
}

int rec_decode_procs(const struct rec *rec, struct rec_procs *out)
{
	const unsigned char *p = rec->payload;
	uint32_t nr, entry_size;

	if (rec->type != REC_PROCS || rec->payload_size < PROCS_FIXED_SIZE)
		return -1;
	nr = get_u32(p + 12);
	entry_size = get_u32(p + 16);
	if (entry_size < REC_PROC_ENTRY_MIN)
		return -1;
	/* Divided, not multiplied: nr and entry_size come from the file. */
	if (nr > (rec->payload_size - PROCS_FIXED_SIZE) / entry_size)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->run = get_u32(p + 8);
	out->nr = nr;
	out->entry_size = entry_size;
	out->entries = p + PROCS_FIXED_SIZE;
	return 0;
}

void rec_procs_get(const struct rec_procs *procs, uint32_t i, struct rec_proc *out)
{
	const unsigned char *p;

	assert(i < procs->nr);
	p = procs->entries + (size_t)i * procs->entry_size;
	out->pid = get_u32(p);
	out->have = get_u32(p + 4);
	out->utime_ns = get_u64(p + 8);
	out->stime_ns = get_u64(p + 16);
	out->minflt = get_u64(p + 24);
	out->majflt = get_u64(p + 32);
	out->nvcsw = get_u64(p + 40);
	out->nivcsw = get_u64(p + 48);
	out->rss_bytes = get_u64(p + 56);
	out->hwm_bytes = get_u64(p + 64);
	out->threads = get_u32(p + 72);
	out->flags = get_u32(p + 76);
	/* Not in 1.1's 80-byte entries: absent, and its `have` bit clear. */
	out->migrations = procs->entry_size >= 88 ? get_u64(p + 80) : 0;
	if (procs->entry_size < 88)
		out->have &= ~REC_PROC_HAVE_MIGRATIONS;
}

int rec_decode_proc_exit(const struct rec *rec, struct rec_proc_exit *out)
{
	const unsigned char *p = rec->payload;

	if (rec->type != REC_PROC_EXIT || rec->payload_size < PROC_EXIT_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->pid = get_u32(p + 8);
	out->exit_kind = get_u32(p + 12);
	out->exit_code = to_i32(get_u32(p + 16));
	get_rusage(p + 24, &out->rusage);
	return 0;
}

int rec_decode_mem_source(const struct rec *rec, struct rec_mem_source *out)
{
	const unsigned char *p = rec->payload;
	size_t pos = MEM_SOURCE_FIXED_SIZE, len;

	if (rec->type != REC_MEM_SOURCE ||
	    rec->payload_size < MEM_SOURCE_FIXED_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->backend = get_u32(p);
	out->status = get_u32(p + 4);
	out->error = to_i32(get_u32(p + 8));
	if (get_string(rec, &pos, 2, &out->source, &len) ||
	    get_string(rec, &pos, 2, &out->why, &len))
		return -1;
	return 0;
}

int rec_decode_variant(const struct rec *rec, struct rec_variant *out)
{
	const unsigned char *p = rec->payload;
	size_t pos = VARIANT_FIXED_SIZE, args, len;
	const char *arg;

	if (rec->type != REC_VARIANT || rec->payload_size < VARIANT_FIXED_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->variant = get_u32(p);
	out->nr_args = get_u32(p + 4);
	out->nr_cpus = get_u32(p + 8);
	if (get_string(rec, &pos, 2, &out->label, &len) ||
	    get_string(rec, &pos, 2, &out->cpus, &len))
		return -1;
	/* Every argument checked now, so rec_variant_arg() cannot fail. */
	args = pos;
	for (uint32_t i = 0; i < out->nr_args; i++)
		if (get_string(rec, &pos, 4, &arg, &len))
			return -1;
	out->args = p + args;
	out->args_size = pos - args;
	return 0;
}

int rec_decode_load(const struct rec *rec, struct rec_load *out)
{
	const unsigned char *p = rec->payload;
	size_t pos = LOAD_FIXED_SIZE, len;

	if (rec->type != REC_LOAD || rec->payload_size < LOAD_FIXED_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->run = get_u32(p + 8);
	out->kind = get_u32(p + 12);
	out->pid = get_u32(p + 16);
	out->flags = get_u32(p + 20);
	out->exit_kind = get_u32(p + 24);
	out->exit_code = to_i32(get_u32(p + 28));
	out->requests = get_u64(p + 32);
	get_rusage(p + 40, &out->rusage);
	if (get_string(rec, &pos, 4, &out->command, &len) ||
	    get_string(rec, &pos, 4, &out->output, &len))
		return -1;
	return 0;
}

int rec_decode_sampling(const struct rec *rec, struct rec_sampling *out)
{
	const unsigned char *p = rec->payload;
	size_t pos = SAMPLING_FIXED_SIZE, len;

	if (rec->type != REC_SAMPLING || rec->payload_size < SAMPLING_FIXED_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->run = get_u32(p + 8);
	out->kind = get_u32(p + 12);
	out->status = get_u32(p + 16);
	out->frequency = get_u32(p + 20);
	out->flags = get_u32(p + 24);
	out->error = to_i32(get_u32(p + 28));
	out->samples = get_u64(p + 32);
	out->lost = get_u64(p + 40);
	out->throttled = get_u64(p + 48);
	if (get_string(rec, &pos, 2, &out->boot_id, &len) ||
	    get_string(rec, &pos, 2, &out->why, &len))
		return -1;
	return 0;
}

int rec_decode_mmap(const struct rec *rec, struct rec_mmap *out)
{
	const unsigned char *p = rec->payload;
	size_t pos = MMAP_FIXED_SIZE, len;

	if (rec->type != REC_MMAP || rec->payload_size < MMAP_FIXED_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->pid = get_u32(p + 8);
	out->tid = get_u32(p + 12);
	out->start = get_u64(p + 16);
	out->len = get_u64(p + 24);
	out->pgoff = get_u64(p + 32);
	out->prot = get_u32(p + 40);
	out->flags = get_u32(p + 44);
	out->dev = get_u64(p + 48);
	out->ino = get_u64(p + 56);
	out->size = get_u64(p + 64);
	out->mtime_ns = get_u64(p + 72);
	out->build_id_size = p[80];
	if (out->build_id_size > REC_BUILD_ID_MAX)
		return -1;
	memcpy(out->build_id, p + 84, REC_BUILD_ID_MAX);
	if (get_string(rec, &pos, 2, &out->filename, &len))
		return -1;
	return 0;
}

int rec_decode_sample(const struct rec *rec, struct rec_sample *out)
{
	const unsigned char *p = rec->payload;

	if (rec->type != REC_SAMPLE || rec->payload_size < SAMPLE_FIXED_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->pid = get_u32(p + 8);
	out->tid = get_u32(p + 12);
	out->cpu = get_u32(p + 16);
	out->nr = get_u16(p + 20);
	out->nr_kernel = get_u16(p + 22);
	if (!out->nr || out->nr_kernel > out->nr ||
	    rec->payload_size < SAMPLE_FIXED_SIZE + 8 * (size_t)out->nr)
		return -1;
	out->addrs = p + SAMPLE_FIXED_SIZE;
	return 0;
}

uint64_t rec_sample_addr(const struct rec_sample *s, size_t i)
{
	return get_u64(s->addrs + 8 * i);
}

const char *rec_variant_arg(const struct rec_variant *v, size_t *pos)
{
	const char *arg;
	uint32_t len;

	if (*pos + 4 > v->args_size)
		return NULL;
	len = get_u32(v->args + *pos);
	arg = (const char *)v->args + *pos + 4;
	*pos += 4 + (size_t)len + 1;
	return arg;
}

int rec_decode_mem(const struct rec *rec, struct rec_mem *out)
{
	const unsigned char *p = rec->payload;

	if (rec->type != REC_MEM || rec->payload_size < MEM_SIZE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->time_ns = get_u64(p);
	out->run = get_u32(p + 8);
	out->backend = get_u32(p + 12);
	out->current_bytes = get_u64(p + 16);
	out->peak_bytes = get_u64(p + 24);
	out->processes = get_u32(p + 32);
	out->flags = get_u32(p + 36);
	return 0;
}

int rec_meta_next(const struct rec *rec, size_t *pos, struct rec_meta_entry *out)
{
	size_t at = *pos, key_len;
	const unsigned char *p;
	uint32_t size;
	uint8_t kind;

	if (rec->type != REC_META || at > rec->payload_size)
		return -1;
	if (at == rec->payload_size)
		return 0;
	if (rec->payload_size - at < 2)
		return -1;
	memset(out, 0, sizeof(*out));
	kind = rec->payload[at];
	at += 2; /* kind, and a reserved byte later versions may use */
	if (get_string(rec, &at, 2, &out->key, &key_len))
		return -1;
	if (rec->payload_size - at < 4)
		return -1;
	size = get_u32(rec->payload + at);
	at += 4;
	if (size > rec->payload_size - at)
		return -1;
	p = rec->payload + at;

	switch (kind) {
	case REC_META_U64:
	case REC_META_I64:
		if (size != 8)
			return -1;
		if (kind == REC_META_U64)
			out->u64 = get_u64(p);
		else
			out->i64 = to_i64(get_u64(p));
		break;
	case REC_META_STR:
		/* The string and its NUL. */
		if (size == 0 || p[size - 1] != '\0')
			return -1;
		out->str = (const char *)p;
		out->str_len = size - 1;
		break;
	default:
		/* A kind from a newer minor version: its size lets us step
		 * over it, and the caller ignores it. */
		break;
	}
	out->kind = (enum rec_meta_kind)kind;
	out->value = p;
	out->value_size = size;
	*pos = at + size;
	return 1;
}

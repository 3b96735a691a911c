/*
 * rec_writer.c - writing a pprobe record file (the layout is in recfile.h).
 *
 * Records are built in one memory buffer and go to the fd in large
 * write(2)s, so the collector makes one system call per 64 KiB rather than
 * one per record, and can drop the start of a file it has not flushed. A
 * record is built in place: rec_begin() leaves room for the frame, the put
 * calls append, and rec_finish() fills in the size. Only complete records
 * are ever flushed, so a file cut off by a crash ends on a record boundary
 * and the reader can tell a cut-off file from a corrupt one.
 */
#include "recfile.h"
#include "bytes.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Room for a flush's worth of small records without growing. */
#define WRITER_INITIAL_ALLOC (2 * REC_WRITER_FLUSH_SIZE)
/* rec_begin() finds at most REC_WRITER_FLUSH_SIZE bytes buffered, since
 * rec_finish() flushes past that. */
#define WRITER_MAX_ALLOC ((size_t)REC_WRITER_FLUSH_SIZE + REC_MAX_SIZE)

static void put_header(struct rec_writer *w)
{
	unsigned char *p = w->buf;

	memcpy(p, REC_MAGIC, REC_MAGIC_SIZE);
	put_u16(p + 8, REC_VERSION_MAJOR);
	put_u16(p + 10, REC_VERSION_MINOR);
	put_u32(p + 12, REC_HEADER_SIZE);
	w->len = REC_HEADER_SIZE;
}

int rec_writer_init(struct rec_writer *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->record_start = SIZE_MAX;
	w->buf = malloc(WRITER_INITIAL_ALLOC);
	if (!w->buf)
		return -ENOMEM;
	w->alloc = WRITER_INITIAL_ALLOC;
	put_header(w);
	return 0;
}

void rec_writer_release(struct rec_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->alloc = 0;
	w->record_start = SIZE_MAX;
}

/* write(2) all of buf, through EINTR and short writes. 0 or an errno. */
static int write_all(int fd, const unsigned char *buf, size_t len,
		     size_t *written)
{
	*written = 0;
	while (*written < len) {
		ssize_t n = write(fd, buf + *written, len - *written);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		/* Only a broken driver says 0 for a non-empty write. */
		if (n == 0)
			return EIO;
		*written += (size_t)n;
	}
	return 0;
}

int rec_writer_flush(struct rec_writer *w)
{
	size_t complete, written;
	int err;

	if (w->error)
		return -w->error;
	complete = w->record_start == SIZE_MAX ? w->len : w->record_start;
	if (!complete)
		return 0;

	err = write_all(w->fd, w->buf, complete, &written);
	w->flushed += written;
	/* Keep the open record (and, after a failure, whatever was not
	 * written) at the start of the buffer. */
	memmove(w->buf, w->buf + written, w->len - written);
	w->len -= written;
	if (w->record_start != SIZE_MAX)
		w->record_start -= written;
	if (err) {
		w->error = err;
		return -err;
	}
	return 0;
}

/*
 * The number of complete records in buf[pos..limit). Only discard needs
 * it, and it is rare, so walking the frames beats keeping a second count
 * in step with every flush.
 */
static uint64_t count_records(const unsigned char *buf, size_t pos,
			      size_t limit)
{
	uint64_t nr = 0;

	while (pos + REC_FRAME_SIZE <= limit) {
		uint32_t size = get_u32(buf + pos + 4);

		if (size < REC_FRAME_SIZE) /* cannot happen: we wrote them */
			break;
		pos += size;
		nr++;
	}
	return nr;
}

void rec_writer_discard(struct rec_writer *w)
{
	size_t limit = w->record_start == SIZE_MAX ? w->len : w->record_start;

	if (!w->buf)
		return;
	if (!w->error) {
		/* With nothing flushed, the buffer starts with the header. */
		size_t first = w->flushed ? 0 : REC_HEADER_SIZE;

		w->records -= count_records(w->buf, first, limit);
	}
	w->len = 0;
	w->record_start = SIZE_MAX;
	w->record_error = 0;
	if (!w->flushed && !w->error)
		put_header(w);
}

/*
 * Room for n more bytes of the open record, or NULL when the record cannot
 * be built (the reason is left in record_error for rec_finish()). Checking
 * the record's size here, not only at the end, keeps a runaway record from
 * growing the buffer past REC_MAX_SIZE.
 */
static unsigned char *reserve(struct rec_writer *w, size_t n)
{
	unsigned char *p;

	if (w->error || w->record_error)
		return NULL;
	assert(w->record_start != SIZE_MAX && "put outside rec_begin/rec_finish");
	if (w->record_start == SIZE_MAX)
		return NULL;
	if (n > REC_MAX_SIZE - (w->len - w->record_start)) {
		w->record_error = EMSGSIZE;
		return NULL;
	}
	if (n > w->alloc - w->len) {
		/* alloc is 0 only after a failed rec_writer_init(). */
		size_t alloc = w->alloc ? w->alloc : WRITER_INITIAL_ALLOC;
		unsigned char *buf;

		/* Doubling, but a flush's worth of records and one record of
		 * the largest size is all the buffer ever holds. */
		while (n > alloc - w->len)
			alloc *= 2;
		if (alloc > WRITER_MAX_ALLOC && w->len + n <= WRITER_MAX_ALLOC)
			alloc = WRITER_MAX_ALLOC;
		buf = realloc(w->buf, alloc);
		if (!buf) {
			w->record_error = ENOMEM;
			return NULL;
		}
		w->buf = buf;
		w->alloc = alloc;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void rec_begin(struct rec_writer *w, uint32_t type)
{
	unsigned char *p;

	if (w->error)
		return;
	/* A record left open is dropped, not glued to this one. */
	assert(w->record_start == SIZE_MAX && "rec_begin inside a record");
	if (w->record_start != SIZE_MAX)
		w->len = w->record_start;
	w->record_error = 0;
	w->record_start = w->len;
	p = reserve(w, REC_FRAME_SIZE);
	if (!p)
		return;
	put_u32(p, type);
	put_u32(p + 4, 0); /* the size, filled in by rec_finish() */
}

void rec_put_u8(struct rec_writer *w, uint8_t v)
{
	unsigned char *p = reserve(w, 1);

	if (p)
		*p = v;
}

void rec_put_u16(struct rec_writer *w, uint16_t v)
{
	unsigned char *p = reserve(w, 2);

	if (p)
		put_u16(p, v);
}

void rec_put_u32(struct rec_writer *w, uint32_t v)
{
	unsigned char *p = reserve(w, 4);

	if (p)
		put_u32(p, v);
}

void rec_put_u64(struct rec_writer *w, uint64_t v)
{
	unsigned char *p = reserve(w, 8);

	if (p)
		put_u64(p, v);
}

/* The string's bytes and its NUL, after a length field already written. */
static void put_string_bytes(struct rec_writer *w, const char *s, size_t len)
{
	unsigned char *p = reserve(w, len + 1);

	if (p)
		memcpy(p, s, len + 1);
}

void rec_put_str16(struct rec_writer *w, const char *s)
{
	size_t len;

	if (!s)
		s = "";
	len = strlen(s);
	if (len > UINT16_MAX) {
		if (!w->error && !w->record_error)
			w->record_error = EMSGSIZE;
		return;
	}
	rec_put_u16(w, (uint16_t)len);
	put_string_bytes(w, s, len);
}

void rec_put_str32(struct rec_writer *w, const char *s)
{
	size_t len;

	if (!s)
		s = "";
	len = strlen(s);
	/* No record can hold it; reserve() would say so too, but the length
	 * must not be cut to 32 bits first. */
	if (len >= REC_MAX_SIZE) {
		if (!w->error && !w->record_error)
			w->record_error = EMSGSIZE;
		return;
	}
	rec_put_u32(w, (uint32_t)len);
	put_string_bytes(w, s, len);
}

int rec_finish(struct rec_writer *w)
{
	size_t start = w->record_start;

	if (w->error)
		return -w->error;
	assert(start != SIZE_MAX && "rec_finish without rec_begin");
	if (start == SIZE_MAX)
		return -EINVAL;
	w->record_start = SIZE_MAX;
	if (w->record_error) {
		int err = w->record_error;

		w->len = start;
		w->record_error = 0;
		return -err;
	}
	/* reserve() kept the record within REC_MAX_SIZE, so this fits. */
	put_u32(w->buf + start + 4, (uint32_t)(w->len - start));
	w->records++;
	if (w->len > REC_WRITER_FLUSH_SIZE && !w->hold)
		return rec_writer_flush(w);
	return 0;
}

void rec_meta_begin(struct rec_writer *w)
{
	rec_begin(w, REC_META);
}

/*
 * An entry's kind, reserved byte, key and value size; the caller puts the
 * value. The size lets a reader skip a kind it does not know.
 */
static void meta_key(struct rec_writer *w, enum rec_meta_kind kind,
		     const char *key, uint32_t value_size)
{
	rec_put_u8(w, (uint8_t)kind);
	rec_put_u8(w, 0);
	rec_put_str16(w, key);
	rec_put_u32(w, value_size);
}

void rec_meta_u64(struct rec_writer *w, const char *key, uint64_t v)
{
	meta_key(w, REC_META_U64, key, 8);
	rec_put_u64(w, v);
}

void rec_meta_i64(struct rec_writer *w, const char *key, int64_t v)
{
	meta_key(w, REC_META_I64, key, 8);
	/* Two's complement, which is what int64_t is. */
	rec_put_u64(w, (uint64_t)v);
}

void rec_meta_str(struct rec_writer *w, const char *key, const char *v)
{
	size_t len;

	if (!v)
		v = "";
	len = strlen(v);
	/* As in rec_put_str32(): no record holds it, and the size must not
	 * be cut to 32 bits first. */
	if (len >= REC_MAX_SIZE) {
		if (!w->error && !w->record_error)
			w->record_error = EMSGSIZE;
		return;
	}
	/* The value is the string and its NUL. */
	meta_key(w, REC_META_STR, key, (uint32_t)len + 1);
	put_string_bytes(w, v, len);
}

int rec_write_event(struct rec_writer *w, const struct rec_event *e)
{
	rec_begin(w, REC_EVENT);
	rec_put_u32(w, e->id);
	rec_put_u32(w, e->group);
	rec_put_u32(w, e->perf_type);
	rec_put_u32(w, e->status);
	rec_put_u64(w, e->config);
	rec_put_u32(w, e->flags);
	rec_put_u32(w, (uint32_t)e->error);
	rec_put_str16(w, e->name);
	rec_put_str16(w, e->unit);
	return rec_finish(w);
}

int rec_write_run_begin(struct rec_writer *w, const struct rec_run_begin *b)
{
	rec_begin(w, REC_RUN_BEGIN);
	rec_put_u64(w, b->time_ns);
	rec_put_u32(w, b->run);
	rec_put_u32(w, b->pid);
	rec_put_u32(w, b->flags);
	rec_put_u32(w, b->variant);
	return rec_finish(w);
}

/* COUNTS and CPU_COUNTS: one layout, the CPU in CPU_COUNTS entries only. */
static int write_counts(struct rec_writer *w, uint32_t type, uint64_t time_ns,
			uint32_t run, uint32_t flags,
			const struct rec_count *values, const uint32_t *cpus,
			uint32_t nr)
{
	rec_begin(w, type);
	rec_put_u64(w, time_ns);
	rec_put_u32(w, run);
	rec_put_u32(w, flags);
	rec_put_u32(w, nr);
	rec_put_u32(w, 0);
	for (uint32_t i = 0; i < nr; i++) {
		rec_put_u32(w, values[i].event_id);
		rec_put_u32(w, cpus ? cpus[i] : 0);
		rec_put_u64(w, values[i].value);
		rec_put_u64(w, values[i].enabled_ns);
		rec_put_u64(w, values[i].running_ns);
	}
	return rec_finish(w);
}

int rec_write_counts(struct rec_writer *w, uint64_t time_ns, uint32_t run,
		     uint32_t flags, const struct rec_count *values, uint32_t nr)
{
	return write_counts(w, REC_COUNTS, time_ns, run, flags, values, NULL, nr);
}

int rec_write_cpu_counts(struct rec_writer *w, uint64_t time_ns, uint32_t run,
			 uint32_t flags, const struct rec_count *values,
			 const uint32_t *cpus, uint32_t nr)
{
	assert(cpus || !nr);
	return write_counts(w, REC_CPU_COUNTS, time_ns, run, flags, values,
			    cpus, nr);
}

int rec_write_variant(struct rec_writer *w, const struct rec_variant *v,
		      const char *const *argv)
{
	rec_begin(w, REC_VARIANT);
	rec_put_u32(w, v->variant);
	rec_put_u32(w, v->nr_args);
	rec_put_u32(w, v->nr_cpus);
	rec_put_u32(w, 0);
	rec_put_str16(w, v->label);
	rec_put_str16(w, v->cpus);
	for (uint32_t i = 0; i < v->nr_args; i++)
		rec_put_str32(w, argv[i]);
	return rec_finish(w);
}

/* The nine u64 of a rusage, as RUN_END and PROC_EXIT lay them out. */
static void put_rusage(struct rec_writer *w, const struct rec_rusage *ru)
{
	rec_put_u64(w, ru->utime_us);
	rec_put_u64(w, ru->stime_us);
	rec_put_u64(w, ru->maxrss_kib);
	rec_put_u64(w, ru->minflt);
	rec_put_u64(w, ru->majflt);
	rec_put_u64(w, ru->nvcsw);
	rec_put_u64(w, ru->nivcsw);
	rec_put_u64(w, ru->inblock);
	rec_put_u64(w, ru->oublock);
}

int rec_write_run_end(struct rec_writer *w, const struct rec_run_end *e)
{
	rec_begin(w, REC_RUN_END);
	rec_put_u64(w, e->time_ns);
	rec_put_u32(w, e->run);
	rec_put_u32(w, e->pid);
	rec_put_u32(w, e->exit_kind);
	rec_put_u32(w, (uint32_t)e->exit_code);
	put_rusage(w, &e->rusage);
	return rec_finish(w);
}

int rec_write_load(struct rec_writer *w, const struct rec_load *l)
{
	rec_begin(w, REC_LOAD);
	rec_put_u64(w, l->time_ns);
	rec_put_u32(w, l->run);
	rec_put_u32(w, l->kind);
	rec_put_u32(w, l->pid);
	rec_put_u32(w, l->flags);
	rec_put_u32(w, l->exit_kind);
	rec_put_u32(w, (uint32_t)l->exit_code);
	rec_put_u64(w, l->requests);
	put_rusage(w, &l->rusage);
	rec_put_str32(w, l->command);
	rec_put_str32(w, l->output);
	return rec_finish(w);
}

int rec_write_sampling(struct rec_writer *w, const struct rec_sampling *s)
{
	rec_begin(w, REC_SAMPLING);
	rec_put_u64(w, s->time_ns);
	rec_put_u32(w, s->run);
	rec_put_u32(w, s->kind);
	rec_put_u32(w, s->status);
	rec_put_u32(w, s->frequency);
	rec_put_u32(w, s->flags);
	rec_put_u32(w, (uint32_t)s->error);
	rec_put_u64(w, s->samples);
	rec_put_u64(w, s->lost);
	rec_put_u64(w, s->throttled);
	rec_put_str16(w, s->boot_id);
	rec_put_str16(w, s->why);
	return rec_finish(w);
}

void rec_boot_id(char *buf, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int rec_write_mmap(struct rec_writer *w, const struct rec_mmap *m)
{
	uint8_t n = m->build_id_size < REC_BUILD_ID_MAX ? m->build_id_size
							: REC_BUILD_ID_MAX;

	rec_begin(w, REC_MMAP);
	rec_put_u64(w, m->time_ns);
	rec_put_u32(w, m->pid);
	rec_put_u32(w, m->tid);
	rec_put_u64(w, m->start);
	rec_put_u64(w, m->len);
	rec_put_u64(w, m->pgoff);
	rec_put_u32(w, m->prot);
	rec_put_u32(w, m->flags);
	rec_put_u64(w, m->dev);
	rec_put_u64(w, m->ino);
	rec_put_u64(w, m->size);
	rec_put_u64(w, m->mtime_ns);
	rec_put_u8(w, n);
	for (int i = 0; i < 3; i++)
		rec_put_u8(w, 0);
	for (size_t i = 0; i < REC_BUILD_ID_MAX; i++)
		rec_put_u8(w, i < n ? m->build_id[i] : 0);
	rec_put_str16(w, m->filename);
	return rec_finish(w);
}

int rec_write_sample(struct rec_writer *w, const struct rec_sample *s,
		     const uint64_t *addrs)
{
	rec_begin(w, REC_SAMPLE);
	rec_put_u64(w, s->time_ns);
	rec_put_u32(w, s->pid);
	rec_put_u32(w, s->tid);
	rec_put_u32(w, s->cpu);
	rec_put_u16(w, s->nr);
	rec_put_u16(w, s->nr_kernel);
	for (size_t i = 0; i < s->nr; i++)
		rec_put_u64(w, addrs[i]);
	return rec_finish(w);
}

int rec_write_end(struct rec_writer *w, uint64_t time_ns)
{
	uint64_t records = w->records;

	rec_begin(w, REC_END);
	rec_put_u64(w, time_ns);
	rec_put_u64(w, records);
	return rec_finish(w);
}

int rec_write_task(struct rec_writer *w, const struct rec_task *t)
{
	rec_begin(w, REC_TASK);
	rec_put_u64(w, t->time_ns);
	rec_put_u32(w, t->kind);
	rec_put_u32(w, t->pid);
	rec_put_u32(w, t->tid);
	rec_put_u32(w, t->ppid);
	rec_put_u32(w, t->ptid);
	rec_put_u32(w, 0);
	rec_put_str16(w, t->comm);
	return rec_finish(w);
}

int rec_write_lost(struct rec_writer *w, const struct rec_lost *l)
{
	rec_begin(w, REC_LOST);
	rec_put_u64(w, l->time_ns);
	rec_put_u64(w, l->lost);
	rec_put_u32(w, l->cpu);
	rec_put_u32(w, 0);
	return rec_finish(w);
}

int rec_write_procs(struct rec_writer *w, uint64_t time_ns, uint32_t run,
		    const struct rec_proc *procs, uint32_t nr)
{
	rec_begin(w, REC_PROCS);
	rec_put_u64(w, time_ns);
	rec_put_u32(w, run);
	rec_put_u32(w, nr);
	rec_put_u32(w, REC_PROC_ENTRY_SIZE);
	rec_put_u32(w, 0);
	for (uint32_t i = 0; i < nr; i++) {
		const struct rec_proc *p = &procs[i];

		rec_put_u32(w, p->pid);
		rec_put_u32(w, p->have);
		rec_put_u64(w, p->utime_ns);
		rec_put_u64(w, p->stime_ns);
		rec_put_u64(w, p->minflt);
		rec_put_u64(w, p->majflt);
		rec_put_u64(w, p->nvcsw);
		rec_put_u64(w, p->nivcsw);
		rec_put_u64(w, p->rss_bytes);
		rec_put_u64(w, p->hwm_bytes);
		rec_put_u32(w, p->threads);
		rec_put_u32(w, p->flags);
		rec_put_u64(w, p->migrations);
	}
	return rec_finish(w);
}

int rec_write_proc_exit(struct rec_writer *w, const struct rec_proc_exit *e)
{
	rec_begin(w, REC_PROC_EXIT);
	rec_put_u64(w, e->time_ns);
	rec_put_u32(w, e->pid);
	rec_put_u32(w, e->exit_kind);
	rec_put_u32(w, (uint32_t)e->exit_code);
	rec_put_u32(w, 0);
	put_rusage(w, &e->rusage);
	return rec_finish(w);
}

int rec_write_mem_source(struct rec_writer *w, const struct rec_mem_source *m)
{
	rec_begin(w, REC_MEM_SOURCE);
	rec_put_u32(w, m->backend);
	rec_put_u32(w, m->status);
	rec_put_u32(w, (uint32_t)m->error);
	rec_put_u32(w, 0);
	rec_put_str16(w, m->source);
	rec_put_str16(w, m->why);
	return rec_finish(w);
}

int rec_write_mem(struct rec_writer *w, const struct rec_mem *m)
{
	rec_begin(w, REC_MEM);
	rec_put_u64(w, m->time_ns);
	rec_put_u32(w, m->run);
	rec_put_u32(w, m->backend);
	rec_put_u64(w, m->current_bytes);
	rec_put_u64(w, m->peak_bytes);
	rec_put_u32(w, m->processes);
	rec_put_u32(w, m->flags);
	return rec_finish(w);
}

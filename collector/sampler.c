/*
 * sampler.c - sampled instruction pointers and the mappings they fall in,
 * read from one perf ring per CPU and written in time order. See
 * sampler.h.
 *
 * The records this file decodes, as the kernel writes them with
 * sample_type IP | TID | TIME | CPU [| CALLCHAIN] and sample_id_all (all
 * fields in host byte order):
 *
 *   record   offset size  field
 *   SAMPLE        8    8  ip
 *                16    4  pid, 20 4 tid
 *                24    8  time, CLOCK_MONOTONIC ns
 *                32    4  cpu, 36 4 reserved
 *                40    8  nr (CALLCHAIN only), then nr u64 entries: each
 *                         an address, or a context marker (>=
 *                         PERF_CONTEXT_MAX) saying whose the addresses
 *                         after it are (kernel, user, ...)
 *   MMAP2         8    4  pid, 12 4 tid
 *                16    8  addr, 24 8 len, 32 8 pgoff
 *                40   24  maj u32, min u32, ino u64, ino_generation u64;
 *                         or with PERF_RECORD_MISC_MMAP_BUILD_ID in misc:
 *                         build_id_size u8, 3 reserved, build_id[20]
 *                64    4  prot, 68 4 flags
 *                72    n  filename, NUL-terminated, padded to 8 bytes
 *   LOST          8    8  id, 16 8 lost
 *   THROTTLE      8    8  time, 16 8 id, 24 8 stream_id (and UNTHROTTLE)
 *   others: trailer (TID, TIME, CPU) in the last 24 bytes: pid, tid u32;
 *           time u64; cpu, reserved u32
 *
 * The events also bring FORK and EXIT records (the kernel sends them to
 * every event that asks for mmap records): the task tracker writes those.
 */
#include "sampler.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "cpumap.h"
#include "event.h"
#include "perf_ring.h"

#define TRAILER_BYTES 24
#define SAMPLE_FIXED_BYTES 40
#define MMAP2_FIXED_BYTES 72
/* Where a record is copied out of its ring: a callchain of 127 kernel
 * and 127 user frames, or a PATH_MAX file name, with room to spare. */
#define RECORD_BUF_BYTES 8192
#define RING_MIN_BYTES (32u * 1024)
#define ITEMS_MIN 256

struct sampler_ring {
	int fd;
	uint32_t cpu;
	struct perf_event_mmap_page *meta;
	unsigned char *data;
	size_t map_bytes;
};

/* A record read from a ring: a struct rec_sample and its addresses, or a
 * struct rec_mmap and its file name, at arena[off..off+len). */
struct sampler_item {
	uint64_t time_ns;
	uint64_t seq;          /* read order: ties in time keep it */
	uint32_t type;         /* REC_SAMPLE or REC_MMAP */
	size_t off, len;
};

static void init_attr(struct perf_event_attr *attr, const struct sampler *s)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = PERF_TYPE_SOFTWARE;
	attr->config = PERF_COUNT_SW_CPU_CLOCK;
	attr->freq = 1;
	attr->sample_freq = s->frequency;
	attr->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID |
			    PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
	if (s->callchain)
		attr->sample_type |= PERF_SAMPLE_CALLCHAIN;
	attr->inherit = 1;
	attr->mmap = 1;
	attr->mmap2 = 1;
	attr->build_id = !!s->build_id;
	attr->sample_id_all = 1;
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
	attr->exclude_kernel = !!s->user_only;
	attr->exclude_callchain_kernel = !!s->user_only;
	attr->exclude_hv = 1;
	attr->disabled = 1;
	attr->enable_on_exec = 1;
	/* No wakeup watermark: nobody waits on these rings (sampler.h). */
}

/*
 * Opens the event of one CPU. The first one finds out what this kernel
 * and this user may have: build-ids in MMAP2 records (EINVAL before
 * Linux 5.12), and the kernel side (EACCES at perf_event_paranoid 2
 * without CAP_PERFMON): each is dropped in turn, and the others are opened
 * as it was. Returns an fd or -errno.
 */
static int open_event(struct sampler *s, pid_t pid, uint32_t cpu, int first)
{
	struct perf_event_attr attr;

	for (;;) {
		int fd;

		init_attr(&attr, s);
		fd = sys_perf_event_open(&attr, pid, (int)cpu, -1,
					 PERF_FLAG_FD_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (!first)
			return -errno;
		if (errno == EINVAL && s->build_id)
			s->build_id = 0;
		else if ((errno == EACCES || errno == EPERM) && !s->user_only)
			s->user_only = 1;
		else
			return -errno;
	}
}

static void unmap_rings(struct sampler *s)
{
	for (size_t i = 0; i < s->nr_rings; i++) {
		struct sampler_ring *r = &s->rings[i];

		if (r->meta && r->map_bytes)
			munmap(r->meta, r->map_bytes);
		r->meta = NULL;
		r->data = NULL;
		r->map_bytes = 0;
	}
}

/*
 * Maps every ring at the largest size the locked-memory limits allow for
 * all of them (the limit is per user, over every CPU's ring: EPERM beyond
 * it), halving down to RING_MIN_BYTES. Returns 0, -ENOBUFS when even
 * those do not fit, or another -errno.
 */
static int map_rings(struct sampler *s)
{
	for (;;) {
		int err = 0;

		for (size_t i = 0; i < s->nr_rings && !err; i++) {
			struct sampler_ring *r = &s->rings[i];

			err = perf_ring_map(r->fd, s->ring_bytes, &r->meta,
					    &r->data, &r->map_bytes);
		}
		if (err != -EPERM)
			return err;
		if (s->ring_bytes / 2 < RING_MIN_BYTES)
			return -ENOBUFS;
		unmap_rings(s);
		s->ring_bytes /= 2;
	}
}

int sampler_open(struct sampler *s, pid_t pid, uint32_t frequency,
		 int callchain)
{
	uint32_t *cpus = NULL;
	int n, err = 0;

	memset(s, 0, sizeof(*s));
	s->frequency = frequency;
	s->callchain = !!callchain;
	s->build_id = 1;
	s->ring_bytes = SAMPLER_DEFAULT_RING_BYTES;
	n = cpumap_online(&cpus);
	if (n < 0)
		return n;
	s->rings = calloc((size_t)n, sizeof(*s->rings));
	if (!s->rings) {
		free(cpus);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		s->rings[i].fd = -1;
		s->rings[i].cpu = cpus[i];
	}
	s->nr_rings = (size_t)n;
	free(cpus);

	for (size_t i = 0; i < s->nr_rings && !err; i++) {
		struct sampler_ring *r = &s->rings[i];

		r->fd = open_event(s, pid, r->cpu, i == 0);
		if (r->fd < 0)
			err = r->fd;
	}
	if (!err)
		err = map_rings(s);
	if (err)
		sampler_release(s);
	return err;
}

/* Room for len more bytes in the arena, 8-aligned; its offset or -1. */
static long arena_take(struct sampler *s, size_t len)
{
	size_t off = (s->arena_len + 7) & ~(size_t)7;

	if (off + len > s->arena_alloc) {
		size_t n = s->arena_alloc ? s->arena_alloc : 64 * 1024;
		unsigned char *more;

		while (n < off + len)
			n *= 2;
		more = realloc(s->arena, n);
		if (!more)
			return -1;
		s->arena = more;
		s->arena_alloc = n;
	}
	s->arena_len = off + len;
	return (long)off;
}

/* Queues a record of len bytes; returns where to put it, or NULL. */
static void *queue(struct sampler *s, uint32_t type, uint64_t time_ns,
		   size_t len)
{
	struct sampler_item *it;
	long off;

	if (s->nr_items == s->alloc_items) {
		size_t n = s->alloc_items ? 2 * s->alloc_items : ITEMS_MIN;

		it = realloc(s->items, n * sizeof(*it));
		if (!it)
			return NULL;
		s->items = it;
		s->alloc_items = n;
	}
	off = arena_take(s, len);
	if (off < 0)
		return NULL;
	it = &s->items[s->nr_items++];
	it->time_ns = time_ns;
	it->seq = s->seq++;
	it->type = type;
	it->off = (size_t)off;
	it->len = len;
	return s->arena + off;
}

static int is_kernel_mode(uint16_t misc)
{
	uint16_t mode = misc & PERF_RECORD_MISC_CPUMODE_MASK;

	return mode == PERF_RECORD_MISC_KERNEL ||
	       mode == PERF_RECORD_MISC_HYPERVISOR;
}

/*
 * A SAMPLE: the sampled IP, then with a callchain its callers, context
 * markers taken out. The kernel's part of a chain comes first; the
 * chain's first address is the sampled IP itself.
 */
static int decode_sample(struct sampler *s, const struct perf_event_header *h,
			 const unsigned char *rec)
{
	uint64_t addrs[REC_SAMPLE_MAX_ADDRS];
	struct rec_sample out = { 0 };
	uint64_t ip, nr_chain = 0;
	size_t nr = 0, nr_kernel = 0;
	int kernel;
	void *dst;

	if (h->size < SAMPLE_FIXED_BYTES)
		return 0;
	ip = perf_get_u64(rec + 8);
	out.pid = perf_get_u32(rec + 16);
	out.tid = perf_get_u32(rec + 20);
	out.time_ns = perf_get_u64(rec + 24);
	out.cpu = perf_get_u32(rec + 32);
	kernel = is_kernel_mode(h->misc);
	if (s->callchain && h->size >= SAMPLE_FIXED_BYTES + 8) {
		nr_chain = perf_get_u64(rec + SAMPLE_FIXED_BYTES);
		if (nr_chain > (uint64_t)(h->size - SAMPLE_FIXED_BYTES - 8) / 8)
			nr_chain = 0;
	}
	if (nr_chain) {
		const unsigned char *p = rec + SAMPLE_FIXED_BYTES + 8;
		int in_kernel = 0, skip = 0;

		for (uint64_t i = 0; i < nr_chain && nr < REC_SAMPLE_MAX_ADDRS; i++) {
			uint64_t a = perf_get_u64(p + 8 * i);

			if (a >= (uint64_t)PERF_CONTEXT_MAX) {
				in_kernel = a == (uint64_t)PERF_CONTEXT_KERNEL ||
					    a == (uint64_t)PERF_CONTEXT_HV;
				/* A guest's addresses are not the tree's. */
				skip = a != (uint64_t)PERF_CONTEXT_KERNEL &&
				       a != (uint64_t)PERF_CONTEXT_HV &&
				       a != (uint64_t)PERF_CONTEXT_USER;
				continue;
			}
			if (skip)
				continue;
			addrs[nr++] = a;
			if (in_kernel)
				nr_kernel = nr;
		}
	}
	if (!nr || addrs[0] != ip) {
		/* No chain, or one that does not start at the IP. */
		if (nr == REC_SAMPLE_MAX_ADDRS)
			nr--;
		memmove(addrs + 1, addrs, nr * sizeof(addrs[0]));
		addrs[0] = ip;
		nr++;
		if (kernel)
			nr_kernel++;
		else
			nr_kernel = 0;
	}
	out.nr = (uint16_t)nr;
	out.nr_kernel = (uint16_t)nr_kernel;
	dst = queue(s, REC_SAMPLE, out.time_ns, sizeof(out) + nr * sizeof(addrs[0]));
	if (!dst)
		return -ENOMEM;
	memcpy(dst, &out, sizeof(out));
	memcpy((unsigned char *)dst + sizeof(out), addrs, nr * sizeof(addrs[0]));
	return 0;
}

/*
 * Without a build-id from the kernel, what identifies the file is what
 * stat() says now, if it is still the file that was mapped (the same
 * device and inode): its size and mtime.
 */
static void stat_file(struct rec_mmap *m, uint32_t maj, uint32_t min)
{
	struct stat st;

	m->dev = (uint64_t)maj << 32 | min;
	if (m->filename[0] != '/' || stat(m->filename, &st) < 0 ||
	    st.st_ino != m->ino || major(st.st_dev) != maj ||
	    minor(st.st_dev) != min)
		return;
	m->size = (uint64_t)st.st_size;
	m->mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ull +
		      (uint64_t)st.st_mtim.tv_nsec;
	m->flags |= REC_MMAP_F_STAT;
}

static int decode_mmap2(struct sampler *s, const struct perf_event_header *h,
			const unsigned char *rec)
{
	struct rec_mmap m = { 0 };
	const char *name = (const char *)rec + MMAP2_FIXED_BYTES;
	size_t room, len;
	char *dst;

	if (h->size < MMAP2_FIXED_BYTES + TRAILER_BYTES)
		return 0;
	room = h->size - MMAP2_FIXED_BYTES - TRAILER_BYTES;
	len = strnlen(name, room);
	if (len == room)
		return 0; /* no NUL: not a record the kernel writes */
	m.pid = perf_get_u32(rec + 8);
	m.tid = perf_get_u32(rec + 12);
	m.start = perf_get_u64(rec + 16);
	m.len = perf_get_u64(rec + 24);
	m.pgoff = perf_get_u64(rec + 32);
	m.prot = perf_get_u32(rec + 64);
	m.time_ns = perf_get_u64(rec + h->size - 16);

	dst = queue(s, REC_MMAP, m.time_ns, sizeof(m) + len + 1);
	if (!dst)
		return -ENOMEM;
	memcpy(dst + sizeof(m), name, len + 1);
	m.filename = dst + sizeof(m);
	if (h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID) {
		m.build_id_size = rec[40] < REC_BUILD_ID_MAX ? rec[40]
							     : REC_BUILD_ID_MAX;
		memcpy(m.build_id, rec + 44, m.build_id_size);
		m.flags |= REC_MMAP_F_BUILD_ID;
	} else {
		m.ino = perf_get_u64(rec + 48);
		stat_file(&m, perf_get_u32(rec + 40), perf_get_u32(rec + 44));
	}
	m.filename = NULL; /* the arena may move: set again when written */
	memcpy(dst, &m, sizeof(m));
	return 0;
}

static int on_record(void *arg, const struct perf_event_header *h,
		     const unsigned char *rec)
{
	struct sampler *s = arg;
	int err = 0;

	if (!rec)
		return 0; /* larger than any record we decode */
	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		err = decode_sample(s, h, rec);
		break;
	case PERF_RECORD_MMAP2:
		err = decode_mmap2(s, h, rec);
		break;
	case PERF_RECORD_LOST:
		if (h->size >= 24)
			s->lost += perf_get_u64(rec + 16);
		break;
	case PERF_RECORD_THROTTLE:
		s->throttled++;
		break;
	default:
		break;
	}
	if (err) {
		/* Out of memory: the record is dropped, not left in the
		 * ring, so the rings keep flowing. */
		s->dropped++;
	}
	return 0;
}

static int cmp_items(const void *a, const void *b)
{
	const struct sampler_item *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void write_item(struct sampler *s, const struct sampler_item *it,
		       struct rec_writer *w)
{
	unsigned char *p = s->arena + it->off;

	if (it->type == REC_SAMPLE) {
		struct rec_sample sa;

		memcpy(&sa, p, sizeof(sa));
		rec_write_sample(w, &sa, (const uint64_t *)(p + sizeof(sa)));
		s->samples++;
	} else {
		struct rec_mmap m;

		memcpy(&m, p, sizeof(m));
		m.filename = (const char *)p + sizeof(m);
		rec_write_mmap(w, &m);
	}
}

/* Keeps the items from `from` on, and their records only. */
static void compact(struct sampler *s, size_t from)
{
	size_t left = s->nr_items - from, len = 0;
	unsigned char *arena;

	if (!left) {
		s->nr_items = 0;
		s->arena_len = 0;
		return;
	}
	for (size_t i = from; i < s->nr_items; i++)
		len += (s->items[i].len + 7) & ~(size_t)7;
	arena = malloc(len);
	if (arena) {
		len = 0;
		for (size_t i = from; i < s->nr_items; i++) {
			struct sampler_item *it = &s->items[i];

			memcpy(arena + len, s->arena + it->off, it->len);
			it->off = len;
			len += (it->len + 7) & ~(size_t)7;
		}
		free(s->arena);
		s->arena = arena;
		s->arena_alloc = len;
		s->arena_len = len;
	}
	/* Without memory for a new arena the old one stays whole: it is
	 * compacted at a later call. */
	memmove(s->items, s->items + from, left * sizeof(*s->items));
	s->nr_items = left;
}

int sampler_read(struct sampler *s)
{
	unsigned char buf[RECORD_BUF_BYTES];
	int err = 0;

	if (s->first)
		compact(s, s->first);
	s->first = 0;
	for (size_t i = 0; i < s->nr_rings; i++) {
		struct sampler_ring *r = &s->rings[i];
		uint64_t fill, records = 0;
		int e;

		if (!r->meta)
			continue;
		e = perf_ring_read(r->meta, r->data, s->ring_bytes, buf,
				   sizeof(buf), on_record, s, &fill, &records);
		if (e && !err)
			err = e;
	}
	if (s->nr_items > 1)
		qsort(s->items, s->nr_items, sizeof(*s->items), cmp_items);
	return err;
}

void sampler_write(struct sampler *s, uint64_t cut, struct rec_writer *w)
{
	while (s->first < s->nr_items && s->items[s->first].time_ns <= cut)
		write_item(s, &s->items[s->first++], w);
}

void sampler_release(struct sampler *s)
{
	unmap_rings(s);
	for (size_t i = 0; i < s->nr_rings; i++)
		if (s->rings[i].fd >= 0)
			close(s->rings[i].fd);
	free(s->rings);
	free(s->items);
	free(s->arena);
	memset(s, 0, sizeof(*s));
}

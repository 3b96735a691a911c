/*
 * perf_ring.h - reading the records of a perf_event ring buffer (the
 * mmap(2) of a perf event fd: a metadata page, then a power-of-two data
 * area), shared by the task tracker and the sampler.
 *
 * The protocol: the kernel advances data_head (read with acquire
 * semantics before reading the data it covers); the reader advances
 * data_tail (written with release semantics once it is done with the
 * data), and the kernel never overwrites what lies between the two. A
 * record may wrap around the end of the data area: it is handed out as
 * one contiguous copy.
 */
#ifndef PPROBE_PERF_RING_H
#define PPROBE_PERF_RING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/perf_event.h>

/* Fields of a record copied out of a ring (host order, maybe unaligned). */
static inline uint32_t perf_get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t perf_get_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Maps the ring of event fd: one page of metadata, then data_bytes (a
 * power-of-two number of pages). Sets *meta, *data and *map_bytes (what
 * to munmap from meta). Returns 0 or -errno (-EPERM beyond the
 * locked-memory limits).
 */
int perf_ring_map(int fd, size_t data_bytes, struct perf_event_mmap_page **meta,
		  unsigned char **data, size_t *map_bytes);

/*
 * Called with each record in turn: h is its header, rec the whole record
 * (header included) copied contiguously, or NULL when it is larger than
 * the caller's buffer. Returns 0 to go on; any other value stops the read
 * and leaves this record in the ring for the next one.
 */
typedef int (*perf_ring_fn)(void *arg, const struct perf_event_header *h,
			    const unsigned char *rec);

/*
 * Hands every complete record of the ring (meta, data of data_bytes) to
 * fn and gives the space back to the kernel. Records written meanwhile
 * wait for the next call, so a read's work is bounded by the ring size.
 * *fill gets the bytes found waiting, *records is increased by the
 * records consumed. Returns 0, the value of fn that stopped it, or -EIO
 * when the framing is lost (what is left in the ring is dropped).
 */
int perf_ring_read(struct perf_event_mmap_page *meta, const unsigned char *data,
		   size_t data_bytes, unsigned char *buf, size_t buf_size,
		   perf_ring_fn fn, void *arg, uint64_t *fill,
		   uint64_t *records);

#endif /* PPROBE_PERF_RING_H */

/*
 * perf_ring.c - the records of a perf_event ring buffer, in order. See
 * perf_ring.h.
 */
#include "perf_ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int perf_ring_map(int fd, size_t data_bytes, struct perf_event_mmap_page **meta,
		  unsigned char **data, size_t *map_bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *m;

	m = mmap(NULL, page + data_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	*meta = m;
	*data = (unsigned char *)m + page;
	*map_bytes = page + data_bytes;
	return 0;
}

/* Copies len bytes at ring offset off, wrapping around the data's end. */
static void copy_out(const unsigned char *data, size_t data_bytes,
		     uint64_t off, void *dst, size_t len)
{
	size_t pos = (size_t)(off & (data_bytes - 1));
	size_t first = data_bytes - pos;

	if (first >= len) {
		memcpy(dst, data + pos, len);
	} else {
		memcpy(dst, data + pos, first);
		memcpy((unsigned char *)dst + first, data, len - first);
	}
}

int perf_ring_read(struct perf_event_mmap_page *meta, const unsigned char *data,
		   size_t data_bytes, unsigned char *buf, size_t buf_size,
		   perf_ring_fn fn, void *arg, uint64_t *fill,
		   uint64_t *records)
{
	uint64_t head, tail;
	int ret = 0;

	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&meta->data_tail, __ATOMIC_RELAXED);
	*fill = head - tail;

	while (tail != head) {
		struct perf_event_header h;
		const unsigned char *rec = NULL;

		copy_out(data, data_bytes, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - tail) {
			/* Lost track of the framing: drop what is left. */
			tail = head;
			ret = -EIO;
			break;
		}
		if (h.size <= buf_size) {
			copy_out(data, data_bytes, tail, buf, h.size);
			rec = buf;
		}
		ret = fn(arg, &h, rec);
		if (ret)
			break; /* this record stays in the ring */
		tail += h.size;
		(*records)++;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	return ret;
}

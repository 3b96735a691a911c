/*
 * sampler.h - where the tree's threads spend their CPU time: their
 * instruction pointers sampled on the CPU clock (`record -F HZ`), with
 * their callers (`-g`), and the executable mappings of every process of
 * the tree, so that the report can turn addresses into functions.
 *
 * One cpu-clock sampling event per online CPU, opened on the held command
 * with inherit and enable_on_exec as the task tracker's (and for the same
 * reason: a ring cannot be attached to an inherited event opened with
 * cpu = -1). With freq, the kernel adjusts each thread's period so it
 * samples about HZ times per second of its CPU time. The same events ask
 * for MMAP2 records (mmap, mmap2): the executable, ld.so, each shared
 * library, [vdso] and anonymous executable memory (JIT code), as each is
 * mapped, with the file's build-id when the kernel can give it
 * (attr.build_id, Linux 5.12). When it cannot, the file is stat()ed as it
 * is read from the ring and the MMAP record carries its size and mtime,
 * so a report can tell a file changed since.
 *
 * ORDER. The sampler does not write on its own: sampler_read() reads the
 * rings, and sampler_write() writes the MMAP and SAMPLE records stamped up
 * to a cut, in time order across CPUs. The collector drains the task
 * tracker with one cut (task_tracker_cut()), calls sampler_write() with
 * each task event's time before writing that event, and then with the
 * cut, so TASK, MMAP and SAMPLE records come in time order in the file,
 * as the format promises: a reader knows a process's FORK (its parent's
 * mappings) and EXEC (none) before its own mappings and samples.
 *
 * WAKEUPS. Nobody waits on the sampler's rings: the collector drains
 * them on a clock. The kernel signals an fd with O_ASYNC on every sample
 * overflow, not at a watermark, and polling them would make exiting
 * tasks yield as the tracker's would (task_tracker.h).
 *
 * PRIVILEGES. Sampling the kernel side needs perf_event_paranoid <= 1 or
 * CAP_PERFMON; when it is refused (EACCES) the events are opened again
 * for user mode only, as perf does, and sampler.user_only says so.
 * Rings are locked memory, as the tracker's: SAMPLER_DEFAULT_RING_BYTES
 * per CPU next to the tracker's 128 KiB fits an unprivileged user's
 * 516 KiB per CPU; when mmap is refused anyway, smaller rings are tried
 * down to 32 KiB.
 */
#ifndef PPROBE_SAMPLER_H
#define PPROBE_SAMPLER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "recfile.h"

/* perf record's default frequency. */
#define SAMPLER_DEFAULT_HZ 999
/* 999 samples a second of 48 bytes, 20 KiB a second a CPU without -g:
 * a ring holds several seconds; with -g a 40-frame stack is 400 bytes,
 * still half a second's worth, and the collector drains every 100 ms. */
#define SAMPLER_DEFAULT_RING_BYTES (256u * 1024)

struct sampler_ring;
struct sampler_item;

struct sampler {
	struct sampler_ring *rings;  /* one per online CPU */
	size_t nr_rings;
	size_t ring_bytes;
	uint32_t frequency;
	int callchain;               /* -g */
	int user_only;               /* the kernel side is not sampled */
	int build_id;                /* the kernel gives build-ids */

	/* Read from the rings, waiting for their cut. */
	struct sampler_item *items;
	size_t nr_items, alloc_items;
	size_t first;                /* items before it are written */
	unsigned char *arena;        /* the items' records */
	size_t arena_len, arena_alloc;
	uint64_t seq;

	uint64_t samples;            /* SAMPLE records written */
	uint64_t lost;               /* samples the kernel dropped */
	uint64_t throttled;          /* THROTTLE records read */
	uint64_t dropped;            /* read, but not kept: out of memory */
};

/*
 * Opens the events on pid, a child that has not exec'd yet; sampling
 * begins at its exec. Returns 0, or -errno: -EACCES/-EPERM (not allowed
 * even in user mode), -ENOBUFS (even the smallest rings do not fit the
 * user's locked memory: perf_event_mlock_kb and RLIMIT_MEMLOCK), -EINVAL
 * (frequency above perf_event_max_sample_rate, say), -EMFILE, ...
 */
int sampler_open(struct sampler *s, pid_t pid, uint32_t frequency,
		 int callchain);

/*
 * Reads every ring into the queue, in time order. Returns 0, or -EIO
 * when a ring's framing was lost (its records were dropped). Out of
 * memory, records are dropped and counted in s->dropped.
 */
int sampler_read(struct sampler *s);

/*
 * Writes the queued MMAP and SAMPLE records stamped at or before cut, in
 * time order; the others wait. Call it as often as needed between reads:
 * it only moves along the queue.
 */
void sampler_write(struct sampler *s, uint64_t cut, struct rec_writer *w);

/* Closes the events and frees everything. */
void sampler_release(struct sampler *s);

#endif /* PPROBE_SAMPLER_H */

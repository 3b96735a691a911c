/*
 * task_tracker.c - the fork, exec and exit records of a process tree, read
 * from one perf ring buffer per CPU and delivered in time order. See
 * task_tracker.h for what a consumer gets and in which order.
 *
 * The records this file decodes, as the kernel writes them (all fields in
 * host byte order; every record is a multiple of 8 bytes and ends with the
 * sample_id trailer that sample_id_all adds, here PERF_SAMPLE_TIME only):
 *
 *   record   offset size  field
 *   any           0    4  type (PERF_RECORD_*)
 *                 4    2  misc (PERF_RECORD_MISC_COMM_EXEC for COMM)
 *                 6    2  size of the whole record, trailer included
 *   FORK, EXIT    8    4  pid      (process of the new / exiting task)
 *                12    4  ppid     (FORK: forking process; EXIT: parent)
 *                16    4  tid
 *                20    4  ptid     (FORK: forking thread; EXIT: parent)
 *                24    8  time     (taken a little after the trailer's)
 *   COMM          8    4  pid
 *                12    4  tid
 *                16    n  comm, NUL-terminated, padded to 8 bytes
 *   LOST          8    8  id of the event
 *                16    8  number of records dropped
 *   trailer  size-8    8  time, CLOCK_MONOTONIC ns
 *
 * Every event is stamped with its trailer's time, for all four types
 * alike. The trailer has the time only: the CPU is the ring's, and the
 * task ids are in the records themselves, so each record is 16 bytes
 * smaller (40 instead of 56 for FORK and EXIT) and a ring holds 40% more.
 *
 * The rings are read by perf_ring.c, which hands each record out whole
 * even when it wraps around the ring's end.
 */
#include "task_tracker.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "cpumap.h"
#include "event.h"
#include "perf_ring.h"

#define NSEC_PER_SEC 1000000000ull
#define RING_MAX_BYTES (1ul << 30)
#define TRAILER_BYTES 8
/* The largest record we decode: a COMM with a 16-byte name. */
#define RECORD_MAX_DECODED 64
#define PENDING_MIN 256
/* attach: rescans of /proc until no task appears that nothing covers */
#define ATTACH_MAX_ROUNDS 32
/* attach: how long to wait for a new task to have run, in 1 ms steps */
#define ATTACH_RUN_WAIT_MS 100

struct task_ring {
	int fd;                 /* the event whose ring this is, or -1 */
	uint32_t cpu;
	struct perf_event_mmap_page *meta; /* first page of the mapping */
	unsigned char *data;    /* ring_bytes of records */
	size_t map_bytes;       /* one page + ring_bytes; 0: not our mapping */
};

struct task_pending {
	struct task_event ev;
	uint64_t seq;           /* read order: ties in time keep it */
};

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void init_attr(struct perf_event_attr *attr, size_t ring_bytes,
		      int on_exec, int lost_count)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = PERF_TYPE_SOFTWARE;
	attr->config = PERF_COUNT_SW_DUMMY;
	/* Only for the trailer of side-band records: nothing is sampled. */
	attr->sample_type = PERF_SAMPLE_TIME;
	attr->read_format = lost_count ? PERF_FORMAT_LOST : 0;
	attr->inherit = 1;
	attr->task = 1;          /* FORK and EXIT */
	attr->comm = 1;          /* COMM ... */
	attr->comm_exec = 1;     /* ... flagged when it comes from exec */
	attr->sample_id_all = 1; /* a time on COMM and LOST too */
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
	/*
	 * Side-band records do not depend on the mode counted; user mode
	 * only is what an unprivileged user may open at paranoid 2.
	 */
	attr->exclude_kernel = 1;
	attr->exclude_hv = 1;
	attr->disabled = !!on_exec;
	attr->enable_on_exec = !!on_exec;
	/* Wake poll(2) each time half the ring has been written. */
	attr->watermark = 1;
	attr->wakeup_watermark = (uint32_t)(ring_bytes / 2);
}

/*
 * Opens the tracker's event on tid and cpu. The first open finds out
 * whether this kernel can report the lost count through read(2)
 * (PERF_FORMAT_LOST, Linux 6.0): older ones refuse the read_format bit
 * with EINVAL. Returns an fd or -errno.
 */
static int open_event(struct task_tracker *t, pid_t tid, uint32_t cpu, int on_exec)
{
	struct perf_event_attr attr;
	int fd;

	init_attr(&attr, t->ring_bytes, on_exec, t->kernel_lost_count);
	fd = sys_perf_event_open(&attr, tid, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && errno == EINVAL && t->kernel_lost_count) {
		init_attr(&attr, t->ring_bytes, on_exec, 0);
		fd = sys_perf_event_open(&attr, tid, (int)cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd >= 0)
			t->kernel_lost_count = 0;
	}
	return fd < 0 ? -errno : fd;
}

static int map_ring(struct task_tracker *t, struct task_ring *r)
{
	return perf_ring_map(r->fd, t->ring_bytes, &r->meta, &r->data,
			     &r->map_bytes);
}

/* The size of a ring: a power of two pages, at least one. */
static int ring_size(size_t asked, size_t *out)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t bytes = page;

	if (!asked)
		asked = TASK_TRACKER_DEFAULT_RING_BYTES;
	if (asked > RING_MAX_BYTES)
		return -EINVAL;
	while (bytes < asked)
		bytes *= 2;
	*out = bytes;
	return 0;
}

/* Sets up empty rings, one per online CPU, with nothing open. */
static int tracker_init(struct task_tracker *t, size_t ring_bytes_per_cpu)
{
	uint32_t *cpus = NULL;
	int n, err;

	memset(t, 0, sizeof(*t));
	t->kernel_lost_count = 1;
	err = ring_size(ring_bytes_per_cpu, &t->ring_bytes);
	if (err)
		return err;
	n = cpumap_online(&cpus);
	if (n < 0)
		return n;
	t->rings = calloc((size_t)n, sizeof(*t->rings));
	if (!t->rings) {
		free(cpus);
		return -ENOMEM;
	}
	t->nr_rings = (size_t)n;
	for (size_t i = 0; i < t->nr_rings; i++) {
		t->rings[i].fd = -1;
		t->rings[i].cpu = cpus[i];
	}
	free(cpus);
	return 0;
}

int task_tracker_open(struct task_tracker *t, pid_t pid, size_t ring_bytes_per_cpu)
{
	int err = tracker_init(t, ring_bytes_per_cpu);

	if (err)
		goto fail;
	for (size_t i = 0; i < t->nr_rings; i++) {
		struct task_ring *r = &t->rings[i];

		r->fd = open_event(t, pid, r->cpu, 1);
		if (r->fd < 0) {
			err = r->fd;
			r->fd = -1;
			goto fail;
		}
		err = map_ring(t, r);
		if (err)
			goto fail;
	}
	return 0;

fail:
	task_tracker_release(t);
	return err;
}

int task_tracker_open_memory(struct task_tracker *t, void *const *rings,
			     size_t nr, size_t ring_bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	memset(t, 0, sizeof(*t));
	if (!nr || ring_bytes < 8 || (ring_bytes & (ring_bytes - 1)))
		return -EINVAL;
	t->rings = calloc(nr, sizeof(*t->rings));
	if (!t->rings)
		return -ENOMEM;
	t->nr_rings = nr;
	t->ring_bytes = ring_bytes;
	for (size_t i = 0; i < nr; i++) {
		struct task_ring *r = &t->rings[i];

		r->fd = -1;
		r->cpu = (uint32_t)i;
		r->meta = rings[i];
		r->data = (unsigned char *)rings[i] + page;
		r->map_bytes = 0; /* not ours to unmap */
	}
	return 0;
}

/* ---- attaching to a running tree ---- */

struct tid_set {
	struct task_id {
		pid_t pid, tid;
	} *v;
	size_t nr, alloc;
};

static int tid_set_has(const struct tid_set *s, pid_t tid)
{
	for (size_t i = 0; i < s->nr; i++)
		if (s->v[i].tid == tid)
			return 1;
	return 0;
}

static int tid_set_add(struct tid_set *s, pid_t pid, pid_t tid)
{
	if (tid_set_has(s, tid))
		return 0;
	if (s->nr == s->alloc) {
		size_t n = s->alloc ? 2 * s->alloc : 64;
		struct task_id *v = realloc(s->v, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->alloc = n;
	}
	s->v[s->nr++] = (struct task_id){ .pid = pid, .tid = tid };
	return 1;
}

/*
 * Adds every thread of each process in pids, and of every process below
 * them, to tids. A process that has gone is skipped. O(tasks) opens of
 * /proc files, and O(tasks^2) set lookups: fine for the hundreds of tasks
 * `record -p` is for, slow for tens of thousands.
 */
static int scan_tree(const pid_t *pids, size_t nr, struct tid_set *tids)
{
	struct tid_set procs = { 0 };
	int err = 0;

	for (size_t i = 0; err >= 0 && i < nr; i++)
		err = tid_set_add(&procs, pids[i], pids[i]);
	for (size_t i = 0; err >= 0 && i < procs.nr; i++) {
		pid_t pid = procs.v[i].pid;
		char path[64];
		struct dirent *d;
		DIR *dir;

		snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
		dir = opendir(path);
		if (!dir)
			continue;
		while (err >= 0 && (d = readdir(dir))) {
			long tid = strtol(d->d_name, NULL, 10);
			long child;
			FILE *f;

			if (tid <= 0)
				continue;
			err = tid_set_add(tids, pid, (pid_t)tid);
			snprintf(path, sizeof(path), "/proc/%d/task/%ld/children",
				 (int)pid, tid);
			f = fopen(path, "re");
			if (!f)
				continue;
			while (err >= 0 && fscanf(f, "%ld", &child) == 1)
				err = tid_set_add(&procs, (pid_t)child, (pid_t)child);
			fclose(f);
		}
		closedir(dir);
	}
	free(procs.v);
	return err < 0 ? err : 0;
}

/*
 * Waits until tid has run at least once (its CPU time in
 * /proc/TID/schedstat is not 0): the kernel writes a task's FORK record
 * before it wakes the task up, so from then on that record, if the task's
 * creator was followed, is in a ring. Gives up after ATTACH_RUN_WAIT_MS,
 * or at once when tid has gone. Without /proc/TID/schedstat (a kernel
 * without CONFIG_SCHED_INFO) it cannot wait: a task caught in the few
 * microseconds between appearing in /proc and its FORK record may then
 * get a second event, and its records come twice.
 */
static void wait_until_ran(pid_t tid)
{
	for (int i = 0; i < ATTACH_RUN_WAIT_MS; i++) {
		char path[64];
		unsigned long long ran = 0;
		struct timespec ms = { 0, 1000000 };
		FILE *f;
		int n;

		snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)tid);
		f = fopen(path, "re");
		if (!f)
			return;
		n = fscanf(f, "%llu", &ran);
		fclose(f);
		if (n != 1 || ran)
			return;
		nanosleep(&ms, NULL);
	}
}

static int read_rings(struct task_tracker *t);

/* Whether a FORK record of tid has been read (attach: tid is followed). */
static int fork_seen(const struct task_tracker *t, pid_t tid)
{
	for (size_t i = 0; i < t->nr_pending; i++)
		if (t->pending[i].ev.kind == TASK_FORK &&
		    t->pending[i].ev.tid == (uint32_t)tid)
			return 1;
	return 0;
}

static int add_extra_fd(struct task_tracker *t, int fd)
{
	int *v = realloc(t->extra_fds, (t->nr_extra_fds + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->extra_fds = v;
	t->extra_fds[t->nr_extra_fds++] = fd;
	return 0;
}

/*
 * Opens the event of tid on every CPU; the first task opened on a CPU
 * gets the ring, the others write into it (PERF_EVENT_IOC_SET_OUTPUT, which
 * the kernel allows between events of one CPU). Returns 1 when opened,
 * 0 when tid has gone (ESRCH), or -errno.
 */
static int attach_task(struct task_tracker *t, pid_t tid)
{
	for (size_t i = 0; i < t->nr_rings; i++) {
		struct task_ring *r = &t->rings[i];
		int fd = open_event(t, tid, r->cpu, 0);
		int err;

		if (fd == -ESRCH)
			return 0;
		if (fd < 0)
			return fd;
		if (r->fd < 0) {
			r->fd = fd;
			err = map_ring(t, r);
			if (err)
				return err;
			continue;
		}
		if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) < 0) {
			err = -errno;
			close(fd);
			return err;
		}
		err = add_extra_fd(t, fd);
		if (err) {
			close(fd);
			return err;
		}
	}
	return 1;
}

int task_tracker_attach(struct task_tracker *t, const pid_t *pids, size_t nr,
			size_t ring_bytes_per_cpu,
			int (*on_task)(pid_t pid, pid_t tid, void *arg), void *arg)
{
	struct tid_set opened = { 0 }, found = { 0 };
	int err = tracker_init(t, ring_bytes_per_cpu);

	if (err)
		goto fail;
	for (int round = 0; round < ATTACH_MAX_ROUNDS; round++) {
		size_t before = opened.nr;

		found.nr = 0;
		err = scan_tree(pids, nr, &found);
		if (err)
			goto fail;
		for (size_t i = 0; round == 0 && i < nr; i++)
			if (!tid_set_has(&found, pids[i])) {
				err = -ESRCH;
				goto fail;
			}
		/*
		 * A task that appeared since the last round is followed already
		 * when a followed task created it: then its FORK is in a ring,
		 * once it has run. Only the others need an event of their own;
		 * opening a second one would write every record twice.
		 */
		if (round > 0) {
			for (size_t i = 0; i < found.nr; i++)
				if (!tid_set_has(&opened, found.v[i].tid))
					wait_until_ran(found.v[i].tid);
			err = read_rings(t);
			if (err)
				goto fail;
		}
		for (size_t i = 0; i < found.nr; i++) {
			struct task_id id = found.v[i];

			if (tid_set_has(&opened, id.tid) || fork_seen(t, id.tid))
				continue;
			err = attach_task(t, id.tid);
			if (err < 0)
				goto fail;
			if (!err)
				continue;
			err = tid_set_add(&opened, id.pid, id.tid);
			if (err >= 0 && on_task)
				err = on_task(id.pid, id.tid, arg);
			if (err < 0)
				goto fail;
		}
		if (round == 0 && !opened.nr) {
			err = -ESRCH;
			goto fail;
		}
		if (opened.nr == before && round > 0)
			break;
	}
	/* A CPU with no ring would mean no task could be opened on it. */
	for (size_t i = 0; i < t->nr_rings; i++)
		if (t->rings[i].fd < 0) {
			err = -ESRCH;
			goto fail;
		}
	free(opened.v);
	free(found.v);
	return 0;

fail:
	free(opened.v);
	free(found.v);
	task_tracker_release(t);
	return err;
}

/* ---- reading the rings ---- */

size_t task_tracker_nr_fds(const struct task_tracker *t)
{
	return t->nr_rings;
}

int task_tracker_fd(const struct task_tracker *t, size_t i)
{
	return i < t->nr_rings ? t->rings[i].fd : -1;
}

static struct task_event *queue_event(struct task_tracker *t)
{
	struct task_pending *p;

	if (t->nr_pending == t->alloc_pending) {
		size_t n = t->alloc_pending ? 2 * t->alloc_pending : PENDING_MIN;

		p = realloc(t->pending, n * sizeof(*p));
		if (!p)
			return NULL;
		t->pending = p;
		t->alloc_pending = n;
	}
	p = &t->pending[t->nr_pending++];
	memset(p, 0, sizeof(*p));
	p->seq = t->seq++;
	return &p->ev;
}

/*
 * Decodes one record of a type we follow into a queued event. A record
 * too short for its type is skipped (returns 0): the kernel never writes
 * one. Returns -ENOMEM when the queue cannot grow.
 */
static int decode(struct task_tracker *t, const struct task_ring *r,
		  const unsigned char *rec, const struct perf_event_header *h)
{
	struct task_event *ev;
	size_t body = h->size - TRAILER_BYTES;

	switch (h->type) {
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		if (h->size < 32 + TRAILER_BYTES)
			return 0;
		break;
	case PERF_RECORD_COMM:
		if (h->size < 17 + TRAILER_BYTES)
			return 0;
		break;
	case PERF_RECORD_LOST:
		if (h->size < 24 + TRAILER_BYTES)
			return 0;
		break;
	default:
		return 0;
	}

	ev = queue_event(t);
	if (!ev)
		return -ENOMEM;
	ev->time_ns = perf_get_u64(rec + body);
	ev->cpu = r->cpu;
	switch (h->type) {
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		ev->kind = h->type == PERF_RECORD_FORK ? TASK_FORK : TASK_EXIT;
		ev->pid = perf_get_u32(rec + 8);
		ev->ppid = perf_get_u32(rec + 12);
		ev->tid = perf_get_u32(rec + 16);
		ev->ptid = perf_get_u32(rec + 20);
		break;
	case PERF_RECORD_COMM: {
		size_t room = body - 16;

		if (room > sizeof(ev->comm) - 1)
			room = sizeof(ev->comm) - 1;
		ev->kind = TASK_COMM;
		ev->pid = perf_get_u32(rec + 8);
		ev->tid = perf_get_u32(rec + 12);
		ev->exec = !!(h->misc & PERF_RECORD_MISC_COMM_EXEC);
		memcpy(ev->comm, rec + 16, room);
		ev->comm[room] = '\0';
		break;
	}
	default: /* PERF_RECORD_LOST */
		ev->kind = TASK_LOST;
		ev->lost = perf_get_u64(rec + 16);
		t->stats.lost_reported += ev->lost;
		break;
	}
	return 0;
}

static int is_followed(uint32_t type)
{
	return type == PERF_RECORD_FORK || type == PERF_RECORD_EXIT ||
	       type == PERF_RECORD_COMM || type == PERF_RECORD_LOST;
}

struct ring_reader {
	struct task_tracker *t;
	const struct task_ring *r;
};

static int on_record(void *arg, const struct perf_event_header *h,
		     const unsigned char *rec)
{
	struct ring_reader *rd = arg;

	if (!rec || !is_followed(h->type))
		return 0;
	return decode(rd->t, rd->r, rec, h);
}

/*
 * Moves every complete record of one ring into the queue and gives the
 * space back to the kernel (perf_ring_read()). When the queue cannot
 * grow, the record stays in the ring.
 */
static int read_ring(struct task_tracker *t, struct task_ring *r)
{
	unsigned char rec[RECORD_MAX_DECODED];
	struct ring_reader rd = { t, r };
	uint64_t fill, records = 0;
	int err;

	if (!r->meta)
		return 0;
	err = perf_ring_read(r->meta, r->data, t->ring_bytes, rec, sizeof(rec),
			     on_record, &rd, &fill, &records);
	if (fill > t->stats.peak_fill)
		t->stats.peak_fill = fill;
	t->stats.records += records;
	t->stats.last_records += records;
	return err;
}

/* Reads every ring; returns the first error after reading them all. */
static int read_rings(struct task_tracker *t)
{
	int err = 0;

	for (size_t i = 0; i < t->nr_rings; i++) {
		int e = read_ring(t, &t->rings[i]);

		if (e && !err)
			err = e;
	}
	return err;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct task_pending *x = a, *y = b;

	if (x->ev.time_ns != y->ev.time_ns)
		return x->ev.time_ns < y->ev.time_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Delivers the pending events stamped at or before cut, in time order. */
static int drain_up_to(struct task_tracker *t, uint64_t cut,
		       int (*fn)(const struct task_event *ev, void *arg),
		       void *arg)
{
	size_t done = 0;
	int err, ret = 0;

	t->stats.drains++;
	t->stats.last_records = 0;
	err = read_rings(t);
	if (t->nr_pending > 1)
		qsort(t->pending, t->nr_pending, sizeof(*t->pending), cmp_pending);

	while (done < t->nr_pending && t->pending[done].ev.time_ns <= cut) {
		ret = fn(&t->pending[done++].ev, arg);
		t->stats.events++;
		if (ret)
			break;
	}
	if (done) {
		memmove(t->pending, t->pending + done,
			(t->nr_pending - done) * sizeof(*t->pending));
		t->nr_pending -= done;
	}
	return ret ? ret : err;
}

/*
 * How long a record may take from its timestamp to being visible in its
 * ring: the kernel writes it with preemption off, so microseconds, unless
 * the hypervisor stalls the vCPU in between. 20 ms covers such stalls.
 */
#define TASK_VISIBLE_NS (20 * 1000000ull)

uint64_t task_tracker_cut(void)
{
	/*
	 * A FORK stamped just before this drain may show up only after its
	 * ring was read, while its child's next event, on another CPU, is
	 * already here (seen on a loaded VM with the cut at "now"). So what
	 * was stamped in the last TASK_VISIBLE_NS waits for the next drain.
	 * A longer wait (the previous drain's start) made new processes late
	 * for the process tick: a child was missing from the sums for up to
	 * two ticks.
	 */
	uint64_t now = monotonic_ns();

	return now > TASK_VISIBLE_NS ? now - TASK_VISIBLE_NS : 0;
}

int task_tracker_drain(struct task_tracker *t,
		       int (*fn)(const struct task_event *ev, void *arg),
		       void *arg)
{
	return drain_up_to(t, task_tracker_cut(), fn, arg);
}

int task_tracker_drain_to(struct task_tracker *t, uint64_t cut,
			  int (*fn)(const struct task_event *ev, void *arg),
			  void *arg)
{
	return drain_up_to(t, cut, fn, arg);
}

int task_tracker_drain_all(struct task_tracker *t,
			   int (*fn)(const struct task_event *ev, void *arg),
			   void *arg)
{
	return drain_up_to(t, UINT64_MAX, fn, arg);
}

/* The lost count of one event, PERF_FORMAT_LOST: { value, lost }. */
static int read_lost(int fd, uint64_t *lost)
{
	uint64_t v[2];
	ssize_t n;

	do
		n = read(fd, v, sizeof(v));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(v))
		return -1;
	*lost += v[1];
	return 0;
}

uint64_t task_tracker_lost(const struct task_tracker *t)
{
	uint64_t lost = 0;
	int ok = t->kernel_lost_count;

	for (size_t i = 0; ok && i < t->nr_rings; i++)
		ok = t->rings[i].fd < 0 || read_lost(t->rings[i].fd, &lost) == 0;
	for (size_t i = 0; ok && i < t->nr_extra_fds; i++)
		ok = read_lost(t->extra_fds[i], &lost) == 0;
	if (!ok || lost < t->stats.lost_reported)
		return t->stats.lost_reported;
	return lost;
}

void task_tracker_release(struct task_tracker *t)
{
	for (size_t i = 0; i < t->nr_extra_fds; i++)
		close(t->extra_fds[i]);
	for (size_t i = 0; i < t->nr_rings; i++) {
		struct task_ring *r = &t->rings[i];

		if (r->meta && r->map_bytes)
			munmap(r->meta, r->map_bytes);
		if (r->fd >= 0)
			close(r->fd);
	}
	free(t->extra_fds);
	free(t->rings);
	free(t->pending);
	memset(t, 0, sizeof(*t));
}

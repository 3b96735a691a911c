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
#include "procfs.h"

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

/* What an event is opened on, and when it starts. */
enum open_how {
	OPEN_AT_EXEC, /* a held child: inherited, on from its exec */
	OPEN_NOW,     /* a running task (attach): inherited, on at once */
	OPEN_CGROUP,  /* a cgroup, per CPU: on at once, nothing to inherit */
};

static void init_attr(struct perf_event_attr *attr, size_t ring_bytes,
		      enum open_how how, int lost_count)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	attr->type = PERF_TYPE_SOFTWARE;
	attr->config = PERF_COUNT_SW_DUMMY;
	/* Only for the trailer of side-band records: nothing is sampled. */
	attr->sample_type = PERF_SAMPLE_TIME;
	attr->read_format = lost_count ? PERF_FORMAT_LOST : 0;
	attr->inherit = how != OPEN_CGROUP;
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
	attr->disabled = how == OPEN_AT_EXEC;
	attr->enable_on_exec = how == OPEN_AT_EXEC;
	/* Wake poll(2) each time half the ring has been written. */
	attr->watermark = 1;
	attr->wakeup_watermark = (uint32_t)(ring_bytes / 2);
}

/*
 * Opens the tracker's event on cpu and target: a thread id, or with
 * OPEN_CGROUP an open cgroup directory. The first open finds out whether
 * this kernel can report the lost count through read(2)
 * (PERF_FORMAT_LOST, Linux 6.0): older ones refuse the read_format bit
 * with EINVAL. Returns an fd or -errno.
 */
static int open_event(struct task_tracker *t, int target, uint32_t cpu,
		      enum open_how how)
{
	unsigned long flags = PERF_FLAG_FD_CLOEXEC |
			      (how == OPEN_CGROUP ? PERF_FLAG_PID_CGROUP : 0);
	struct perf_event_attr attr;
	int fd;

	init_attr(&attr, t->ring_bytes, how, t->kernel_lost_count);
	fd = sys_perf_event_open(&attr, target, (int)cpu, -1, flags);
	if (fd < 0 && errno == EINVAL && t->kernel_lost_count) {
		init_attr(&attr, t->ring_bytes, how, 0);
		fd = sys_perf_event_open(&attr, target, (int)cpu, -1, flags);
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

/* Opens one event per ring on target and maps the rings. */
static int open_rings(struct task_tracker *t, int target, enum open_how how,
		      size_t ring_bytes_per_cpu)
{
	int err = tracker_init(t, ring_bytes_per_cpu);

	if (err)
		goto fail;
	for (size_t i = 0; i < t->nr_rings; i++) {
		struct task_ring *r = &t->rings[i];

		r->fd = open_event(t, target, r->cpu, how);
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

int task_tracker_open(struct task_tracker *t, pid_t pid, size_t ring_bytes_per_cpu)
{
	return open_rings(t, pid, OPEN_AT_EXEC, ring_bytes_per_cpu);
}

int task_tracker_open_cgroup(struct task_tracker *t, int cgroup_fd,
			     size_t ring_bytes_per_cpu)
{
	int err = open_rings(t, cgroup_fd, OPEN_CGROUP, ring_bytes_per_cpu);

	if (!err)
		t->cgroup = 1;
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
		/* opened: when its events were all open, and when on_task had
		 * returned (0: its counters were inherited whole) */
		uint64_t events_end, counted_end;
	} *v;
	size_t nr, alloc;
};

static struct task_id *tid_set_find(const struct tid_set *s, pid_t tid)
{
	for (size_t i = 0; i < s->nr; i++)
		if (s->v[i].tid == tid)
			return &s->v[i];
	return NULL;
}

static int tid_set_has(const struct tid_set *s, pid_t tid)
{
	return tid_set_find(s, tid) != NULL;
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

/* The event of kind about tid read so far, or NULL. */
static const struct task_event *find_event(const struct task_tracker *t,
					   enum task_event_kind kind, pid_t tid)
{
	for (size_t i = 0; i < t->nr_pending; i++)
		if (t->pending[i].ev.kind == kind &&
		    t->pending[i].ev.tid == (uint32_t)tid)
			return &t->pending[i].ev;
	return NULL;
}

/*
 * A FORK stamped this long after its creator's events were all open may
 * still have copied them before the last one was: the kernel copies a
 * creator's events early in fork and writes the FORK record at its end,
 * and a stalled vCPU can stretch the time between (see TASK_VISIBLE_NS).
 */
#define ATTACH_FORK_SLACK_NS (20 * 1000000ull)
/* How far up its creators need_of() looks. */
#define ATTACH_MAX_DEPTH 64

/*
 * What a task that appeared during the attach needs of its own. Its
 * creator's events were opened one CPU after another, and a new task
 * copies the events its creator has at that moment: created in between,
 * it holds those of some CPUs only, and what it does on the others, its
 * EXIT included, is never written. The same holds for the counters that
 * on_task opens after them.
 */
enum attach_need {
	NEED_NOTHING,   /* created once its creator was fully followed */
	NEED_EVENTS,    /* may lack events of the tracker; counters whole */
	NEED_ALL,       /* may lack both, or was never followed at all */
};

static enum attach_need need_of(const struct task_tracker *t,
				const struct tid_set *opened, pid_t tid)
{
	for (int depth = 0; depth < ATTACH_MAX_DEPTH; depth++) {
		const struct task_event *fork = find_event(t, TASK_FORK, tid);
		const struct task_id *creator;

		if (!fork)
			return NEED_ALL; /* no record: nothing followed it */
		creator = tid_set_find(opened, (pid_t)fork->ptid);
		if (creator) {
			if (fork->time_ns <= creator->counted_end)
				return NEED_ALL;
			if (fork->time_ns <= creator->events_end + ATTACH_FORK_SLACK_NS)
				return NEED_EVENTS;
			return NEED_NOTHING;
		}
		/* Created by a task followed through its own creator: it
		 * holds what that one held when it forked. */
		tid = (pid_t)fork->ptid;
	}
	return NEED_ALL;
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
		int fd = open_event(t, tid, r->cpu, OPEN_NOW);
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

/* Whether tid runs still: not gone, not a zombie. */
static int task_alive(pid_t pid, pid_t tid)
{
	struct proc_figures fig = { 0 };
	char path[64], *text;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (proc_read_text(path, &text) < 0)
		return 0;
	ok = proc_parse_stat(text, strlen(text), sysconf(_SC_CLK_TCK), &fig) == 0 &&
	     (fig.have & PROC_HAVE_STATE) && fig.state != 'Z' && fig.state != 'X';
	free(text);
	return ok;
}

static struct task_event *queue_event(struct task_tracker *t);
static int cmp_pending(const void *a, const void *b);

/* Queues an event made up by the tracker (see mend_records()). */
static int queue_made_up(struct task_tracker *t, const struct task_event *ev)
{
	struct task_event *q;

	if (ev->kind == TASK_FORK) {
		size_t n = t->nr_made_up_forks + 1;
		struct task_made_up_fork *v = realloc(t->made_up_forks, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->made_up_forks = v;
		v[n - 1] = (struct task_made_up_fork){ .tid = ev->tid };
		t->nr_made_up_forks = n;
	}
	q = queue_event(t);
	if (!q)
		return -ENOMEM;
	*q = *ev;
	return 0;
}

/*
 * The records of tasks created while their creator's events were being
 * opened, once the attach is done and the rings read (need_of()):
 *   - one whose FORK was written on a CPU that had no event yet, but
 *     which then wrote on one that had: its first record gets a FORK
 *     before it, by its parent process (the creating thread is not
 *     known);
 *   - one gone (or a zombie) before the rescan could give it events of
 *     its own, with no EXIT read: it exited on a CPU it held no event
 *     of, and gets an EXIT, dated now.
 * So every task a consumer hears of has a FORK, unless it existed when
 * the attach began, and an EXIT once it has gone.
 */
static int mend_records(struct task_tracker *t, const struct tid_set *existed,
			const struct tid_set *opened)
{
	struct tid_set gone = { 0 };
	/*
	 * Twice: a FORK is written before anything else about its task, but
	 * perhaps into a ring read before that task's first record was
	 * written into another; read again, every FORK before the records
	 * of the first reading is in.
	 */
	int err = read_rings(t);
	size_t nr;

	if (!err)
		err = read_rings(t);
	if (err)
		return err;
	if (t->nr_pending > 1)
		qsort(t->pending, t->nr_pending, sizeof(*t->pending), cmp_pending);
	nr = t->nr_pending;
	for (size_t i = 0; i < nr && !err; i++) {
		struct task_event ev = t->pending[i].ev;
		pid_t tid = (pid_t)ev.tid;

		if (ev.kind == TASK_LOST || tid_set_has(existed, tid) ||
		    tid_set_has(opened, tid) || find_event(t, TASK_FORK, tid))
			continue;
		err = queue_made_up(t, &(struct task_event){
			.kind = TASK_FORK,
			.time_ns = ev.time_ns ? ev.time_ns - 1 : 0,
			.pid = ev.pid, .tid = ev.tid,
			.ppid = ev.pid == ev.tid ? ev.ppid : ev.pid,
			.ptid = ev.pid == ev.tid ? ev.ppid : ev.pid,
			.cpu = ev.cpu,
		});
	}
	/*
	 * Those gone first, the rings read again after: a task writes its
	 * EXIT before it is a zombie, so one gone by now has its EXIT in a
	 * ring by now, if it has one. (Read before, an EXIT written since
	 * was missed and made up a second time.)
	 */
	nr = t->nr_pending;
	for (size_t i = 0; i < nr && !err; i++) {
		struct task_event fork = t->pending[i].ev;

		if (fork.kind != TASK_FORK || tid_set_has(opened, (pid_t)fork.tid) ||
		    need_of(t, opened, (pid_t)fork.tid) == NEED_NOTHING ||
		    find_event(t, TASK_EXIT, (pid_t)fork.tid) ||
		    task_alive((pid_t)fork.pid, (pid_t)fork.tid))
			continue;
		err = tid_set_add(&gone, (pid_t)fork.pid, (pid_t)fork.tid);
		if (err > 0)
			err = 0;
	}
	if (!err)
		err = read_rings(t);
	for (size_t i = 0; i < gone.nr && !err; i++) {
		const struct task_event *fork = find_event(t, TASK_FORK, gone.v[i].tid);

		if (!fork || find_event(t, TASK_EXIT, gone.v[i].tid))
			continue;
		err = queue_made_up(t, &(struct task_event){
			.kind = TASK_EXIT,
			.time_ns = monotonic_ns(),
			.pid = fork->pid, .tid = fork->tid,
			.ppid = fork->ppid, .ptid = fork->ppid,
			.cpu = fork->cpu,
		});
	}
	free(gone.v);
	return err;
}

int task_tracker_attach(struct task_tracker *t, const pid_t *pids, size_t nr,
			size_t ring_bytes_per_cpu,
			int (*on_task)(pid_t pid, pid_t tid, void *arg), void *arg)
{
	struct tid_set opened = { 0 }, found = { 0 }, existed = { 0 };
	int err = tracker_init(t, ring_bytes_per_cpu);

	if (err)
		goto fail;
	for (int round = 0; round < ATTACH_MAX_ROUNDS; round++) {
		size_t before = opened.nr;

		found.nr = 0;
		err = scan_tree(pids, nr, &found);
		if (err)
			goto fail;
		for (size_t i = 0; round == 0 && i < found.nr && err >= 0; i++)
			err = tid_set_add(&existed, found.v[i].pid, found.v[i].tid);
		if (err < 0)
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
			enum attach_need need = round ? need_of(t, &opened, id.tid) : NEED_ALL;

			if (tid_set_has(&opened, id.tid) || need == NEED_NOTHING)
				continue;
			err = attach_task(t, id.tid);
			if (err < 0)
				goto fail;
			if (!err)
				continue;
			id.events_end = monotonic_ns();
			if (need == NEED_ALL && on_task) {
				err = on_task(id.pid, id.tid, arg);
				if (err < 0)
					goto fail;
				id.counted_end = monotonic_ns();
			}
			err = tid_set_add(&opened, id.pid, id.tid);
			if (err < 0)
				goto fail;
			opened.v[opened.nr - 1] = id;
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
	err = mend_records(t, &existed, &opened);
	if (err)
		goto fail;
	t->dedupe = 1;
	free(opened.v);
	free(found.v);
	free(existed.v);
	return 0;

fail:
	free(opened.v);
	free(found.v);
	free(existed.v);
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

/*
 * How close in time the two copies of one record are: the kernel writes
 * them one after the other, with interrupts off.
 */
#define DEDUPE_NS (2 * 1000000ull)

/*
 * Whether ev is the second copy of an event just delivered (see dedupe
 * in task_tracker.h): the same record about the same task, from the same
 * CPU, at nearly the same time. Nothing else can look like one: a task
 * forks once, and exits once but for the one EXIT its main thread gets
 * when another thread execs, which the process's own EXIT would have to
 * follow on the same CPU within DEDUPE_NS.
 */
static int is_copy(const struct task_tracker *t, const struct task_event *ev)
{
	size_t n = t->nr_recent < TASK_TRACKER_RECENT ? t->nr_recent : TASK_TRACKER_RECENT;

	if (!t->dedupe || ev->kind == TASK_LOST)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct task_event *r = &t->recent[i];

		if (r->kind == ev->kind && r->tid == ev->tid && r->pid == ev->pid &&
		    r->ppid == ev->ppid && r->ptid == ev->ptid && r->cpu == ev->cpu &&
		    r->exec == ev->exec && !strcmp(r->comm, ev->comm) &&
		    ev->time_ns - r->time_ns <= DEDUPE_NS)
			return 1;
	}
	return 0;
}

/*
 * The longest an exec's COMM and the EXIT a secure exec writes after it
 * may be apart: the kernel writes both in one pass through exec, 4 to 8
 * us apart here, but may sleep or be preempted in between. A program
 * that really exits so soon after its exec is rare (/bin/true takes 500
 * us): each such EXIT costs a read of /proc, and at times of the rings.
 */
#define EXEC_EXIT_NS (200 * 1000ull)

/*
 * Cgroup mode: notes a delivered exec's COMM, and says whether the EXIT
 * ev may be the one a secure exec writes (see task_tracker.h): the EXIT
 * of a main thread within EXEC_EXIT_NS of its exec's COMM, from any CPU.
 */
static int after_exec(struct task_tracker *t, const struct task_event *ev)
{
	size_t n = t->nr_execs < TASK_TRACKER_EXECS ? t->nr_execs : TASK_TRACKER_EXECS;

	if (ev->kind == TASK_COMM && ev->exec) {
		t->execs[t->nr_execs++ % TASK_TRACKER_EXECS] =
			(struct task_exec){ .tid = ev->tid, .time_ns = ev->time_ns };
		return 0;
	}
	if (ev->kind != TASK_EXIT || ev->pid != ev->tid)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t->execs[i].tid == ev->tid &&
		    ev->time_ns - t->execs[i].time_ns <= EXEC_EXIT_NS)
			return 1;
	return 0;
}

/*
 * What comes after pending[i] in the queue about its task: an EXIT
 * (1), a FORK of its tid, a new task's (0: its EXIT was real), or
 * nothing (-1).
 */
static int next_of_task(const struct task_tracker *t, size_t i)
{
	for (size_t j = i + 1; j < t->nr_pending; j++) {
		const struct task_event *e = &t->pending[j].ev;

		if (e->tid == t->pending[i].ev.tid &&
		    (e->kind == TASK_EXIT || e->kind == TASK_FORK))
			return e->kind == TASK_EXIT;
	}
	return -1;
}

/*
 * Cgroup mode: whether the EXIT pending[i], which after_exec() found
 * right after its exec, is the one a secure exec writes though its task
 * lives on. It is if another EXIT of the task follows: its real one,
 * written before it ended, so in a ring by now if it has ended. If none
 * is queued, it is if the task still runs (this is 20 ms after, at the
 * earliest, given the cut); else the rings are read again, in case the
 * task ended after the drain read them. A task that ended with no other
 * EXIT, or whose tid a FORK gave to another, exited for real right after
 * its exec. The rings read again, the queue past i is sorted again (and
 * may have moved); sets *err to their error, if it has none.
 */
static int is_exec_exit(struct task_tracker *t, size_t i, int *err)
{
	const struct task_event *ev = &t->pending[i].ev;
	int next = next_of_task(t, i), e;

	if (next >= 0)
		return next;
	if (task_alive((pid_t)ev->pid, (pid_t)ev->tid))
		return 1;
	e = read_rings(t);
	if (e && !*err)
		*err = e;
	if (t->nr_pending > i + 2)
		qsort(t->pending + i + 1, t->nr_pending - i - 1, sizeof(*t->pending),
		      cmp_pending);
	return next_of_task(t, i) == 1;
}

/*
 * Whether ev is a second FORK of a task given one made up (see
 * made_up_forks in task_tracker.h): the real one late, the made-up one
 * after the real one, or a copy of either. The task's EXIT ends the
 * watch.
 */
static int is_second_fork(struct task_tracker *t, const struct task_event *ev)
{
	for (size_t i = 0; i < t->nr_made_up_forks; i++) {
		struct task_made_up_fork *f = &t->made_up_forks[i];

		if (f->tid != ev->tid || (ev->kind != TASK_FORK && ev->kind != TASK_EXIT))
			continue;
		if (ev->kind == TASK_EXIT) {
			*f = t->made_up_forks[--t->nr_made_up_forks];
			return 0;
		}
		if (f->delivered)
			return 1;
		f->delivered = 1;
		return 0;
	}
	return 0;
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
		size_t i = done++;
		const struct task_event *ev;

		if (t->cgroup && after_exec(t, &t->pending[i].ev) &&
		    is_exec_exit(t, i, &err))
			continue;
		ev = &t->pending[i].ev;
		if (is_copy(t, ev) || is_second_fork(t, ev))
			continue;
		if (t->dedupe)
			t->recent[t->nr_recent++ % TASK_TRACKER_RECENT] = *ev;
		ret = fn(ev, arg);
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
	free(t->made_up_forks);
	memset(t, 0, sizeof(*t));
}

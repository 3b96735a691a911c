/*
 * proc_tree.c - the live process table of the recorded tree. See
 * proc_tree.h for what it does with task events and /proc.
 *
 * Processes are kept in an unordered array with an open-addressing hash
 * from pid to index (linear probing, backward-shift deletion), so a burst
 * of a thousand forks and exits costs a thousand O(1) updates, not a
 * thousand scans. Entries are removed by moving the last one into the
 * hole.
 */
#include "proc_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "usage.h"

#define MIN_ALLOC 64

static size_t slot_of(const struct proc_tree *t, pid_t pid)
{
	/* Multiplicative hashing; the mask keeps the low bits, which for
	 * an odd multiplier are a permutation of pid mod size: dense pids
	 * stay spread out. */
	return (size_t)(((uint32_t)pid * 2654435769u) & (t->index_size - 1));
}

static struct proc_tree_entry *find(const struct proc_tree *t, pid_t pid)
{
	if (!t->index_size)
		return NULL;
	for (size_t s = slot_of(t, pid);; s = (s + 1) & (t->index_size - 1)) {
		int32_t i = t->index[s];

		if (i < 0)
			return NULL;
		if (t->v[i].pid == pid)
			return &t->v[i];
	}
}

static void index_put(struct proc_tree *t, pid_t pid, int32_t i)
{
	size_t s = slot_of(t, pid);

	while (t->index[s] >= 0 && t->v[t->index[s]].pid != pid)
		s = (s + 1) & (t->index_size - 1);
	t->index[s] = i;
}

static void index_delete(struct proc_tree *t, pid_t pid)
{
	size_t mask = t->index_size - 1;
	size_t hole = slot_of(t, pid), j;

	while (t->index[hole] >= 0 && t->v[t->index[hole]].pid != pid)
		hole = (hole + 1) & mask;
	if (t->index[hole] < 0)
		return;
	/*
	 * Backward shift: a later member of the probe run moves into the
	 * hole unless its home slot lies cyclically in (hole, j].
	 */
	for (j = (hole + 1) & mask; t->index[j] >= 0; j = (j + 1) & mask) {
		size_t home = slot_of(t, t->v[t->index[j]].pid);
		int stays = hole <= j ? (hole < home && home <= j)
				      : (hole < home || home <= j);

		if (stays)
			continue;
		t->index[hole] = t->index[j];
		hole = j;
	}
	t->index[hole] = -1;
}

static int grow(struct proc_tree *t)
{
	size_t alloc = t->alloc ? t->alloc * 2 : MIN_ALLOC;
	struct proc_tree_entry *v = realloc(t->v, alloc * sizeof(*v));
	struct rec_proc *scratch;
	int32_t *index;

	if (!v)
		return -ENOMEM;
	t->v = v;
	scratch = realloc(t->scratch, alloc * sizeof(*scratch));
	if (!scratch)
		return -ENOMEM;
	t->scratch = scratch;
	index = malloc(4 * alloc * sizeof(*index));
	if (!index)
		return -ENOMEM;
	free(t->index);
	t->index = index;
	t->index_size = 4 * alloc;
	t->alloc = alloc;
	memset(t->index, 0xff, t->index_size * sizeof(*t->index));
	for (size_t i = 0; i < t->nr; i++)
		index_put(t, t->v[i].pid, (int32_t)i);
	return 0;
}

int proc_tree_init(struct proc_tree *t)
{
	memset(t, 0, sizeof(*t));
	return grow(t);
}

void proc_tree_release(struct proc_tree *t)
{
	for (size_t i = 0; i < t->nr; i++)
		if (t->v[i].open)
			proc_handle_release(&t->v[i].handle);
	free(t->v);
	free(t->index);
	free(t->scratch);
	memset(t, 0, sizeof(*t));
}

static struct proc_tree_entry *add(struct proc_tree *t, pid_t pid, pid_t ppid)
{
	struct proc_tree_entry *e = find(t, pid);

	if (e)
		return e;
	if (t->nr == t->alloc && grow(t) < 0)
		return NULL;
	e = &t->v[t->nr];
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->ppid = ppid;
	e->threads = 1;
	e->last.pid = (uint32_t)pid;
	index_put(t, pid, (int32_t)t->nr);
	t->nr++;
	t->processes++;
	return e;
}

static void remove_entry(struct proc_tree *t, struct proc_tree_entry *e)
{
	size_t i = (size_t)(e - t->v);

	if (e->open)
		proc_handle_release(&e->handle);
	index_delete(t, e->pid);
	t->nr--;
	if (i != t->nr) {
		t->v[i] = t->v[t->nr];
		index_put(t, t->v[i].pid, (int32_t)i);
	}
}

int proc_tree_add_command(struct proc_tree *t, pid_t pid, pid_t ppid)
{
	return add(t, pid, ppid) ? 0 : -ENOMEM;
}

int proc_tree_add_present(struct proc_tree *t, pid_t pid, pid_t tid, pid_t ppid)
{
	/* A process starts with its main thread: others add one each. */
	struct proc_tree_entry *e = add(t, pid, tid == pid ? ppid : 0);

	if (!e)
		return -ENOMEM;
	if (tid == pid) {
		e->ppid = ppid;
	} else {
		e->threads++;
		t->threads++;
	}
	return 0;
}

static void write_task(struct rec_writer *w, const struct task_event *ev,
		       uint32_t kind)
{
	struct rec_task task = {
		.time_ns = ev->time_ns,
		.kind = kind,
		.pid = ev->pid,
		.tid = ev->tid,
		.ppid = ev->ppid,
		.ptid = ev->ptid,
		.comm = ev->comm,
	};

	rec_write_task(w, &task);
}

int proc_tree_event(struct proc_tree *t, const struct task_event *ev,
		    struct rec_writer *w)
{
	struct proc_tree_entry *e;

	switch (ev->kind) {
	case TASK_FORK:
		write_task(w, ev, REC_TASK_FORK);
		if (ev->pid == ev->ppid && ev->tid != ev->pid) {
			/* A thread. Its process may be unknown after a loss. */
			e = add(t, (pid_t)ev->pid, 0);
			if (!e)
				return -ENOMEM;
			e->threads++;
			t->threads++;
			return 0;
		}
		return add(t, (pid_t)ev->pid, (pid_t)ev->ppid) ? 0 : -ENOMEM;
	case TASK_COMM:
		write_task(w, ev, ev->exec ? REC_TASK_EXEC : REC_TASK_COMM);
		/* An exec leaves exactly one thread, tid == pid. */
		e = find(t, (pid_t)ev->pid);
		if (e && ev->exec)
			e->threads = 1;
		return 0;
	case TASK_EXIT:
		write_task(w, ev, REC_TASK_EXIT);
		/* A process is gone once each of its threads has an EXIT. */
		e = find(t, (pid_t)ev->pid);
		if (e && --e->threads == 0)
			remove_entry(t, e);
		return 0;
	case TASK_LOST: {
		struct rec_lost lost = {
			.time_ns = ev->time_ns,
			.lost = ev->lost,
			.cpu = ev->cpu,
		};

		t->lost += ev->lost;
		rec_write_lost(w, &lost);
		return 0;
	}
	}
	return 0;
}

/* Folds fresh figures into an entry's latest: what was not read stays. */
static void fold(struct rec_proc *p, const struct proc_figures *f)
{
	if (f->have & PROC_HAVE_TIMES) {
		p->utime_ns = f->utime_ns;
		p->stime_ns = f->stime_ns;
		p->have |= REC_PROC_HAVE_CPU;
	}
	if (f->have & PROC_HAVE_FAULTS) {
		p->minflt = f->minflt;
		p->majflt = f->majflt;
		p->have |= REC_PROC_HAVE_FAULTS;
	}
	if (f->have & (PROC_HAVE_CTXSW | PROC_HAVE_CTXSW_MAIN)) {
		/*
		 * A live-thread sum drops when a thread exits: keep the
		 * largest seen, which is still a count the process reached.
		 */
		if (f->nvcsw > p->nvcsw)
			p->nvcsw = f->nvcsw;
		if (f->nivcsw > p->nivcsw)
			p->nivcsw = f->nivcsw;
		if (f->have & PROC_HAVE_CTXSW) {
			p->have |= REC_PROC_HAVE_CTXSW;
			p->have &= ~REC_PROC_HAVE_CTXSW_MAIN;
		} else if (!(p->have & REC_PROC_HAVE_CTXSW)) {
			p->have |= REC_PROC_HAVE_CTXSW_MAIN;
		}
	}
	if (f->have & PROC_HAVE_MIGRATIONS) {
		p->migrations = f->migrations;
		p->have |= REC_PROC_HAVE_MIGRATIONS;
	}
	if (f->have & PROC_HAVE_RSS) {
		p->rss_bytes = f->rss_bytes;
		p->have |= REC_PROC_HAVE_RSS;
	}
	if (f->have & PROC_HAVE_HWM) {
		p->hwm_bytes = f->hwm_bytes;
		p->have |= REC_PROC_HAVE_HWM;
	}
	if (f->have & PROC_HAVE_THREADS) {
		p->threads = f->threads;
		p->have |= REC_PROC_HAVE_THREADS;
	}
}

/*
 * Whether schedstat alone can tell that e's process has not run since its
 * figures were last read, so that reading them again would give the same:
 * when its one thread's CPU time there (~4 times cheaper than stat) has
 * not moved, proc_tree_sample() writes the figures as they were, and when
 * it has, reads the rest after it without reading it twice. Only a process
 * with one thread qualifies: schedstat is its main thread's, and a new
 * thread is created by a thread that runs. (Memory reclaim can lower an
 * idle process's RSS unseen; the slow read, once a second, catches up.)
 * PSS is not skipped: it changes as other processes drop shared pages.
 */
static int may_be_idle(const struct proc_tree_entry *e, unsigned what)
{
	return e->ran_known && !(what & PROC_READ_PSS) &&
	       (e->last.have & REC_PROC_HAVE_THREADS) && e->last.threads == 1;
}

/*
 * Whether e's peak RSS (VmHWM, in status, read once a second) may have
 * moved since it was read: resident above it now, or enough page faults
 * since for a spike that came and went between two ticks. Then status is
 * read at once, so the peak of a process that ends unread (reaped by its
 * parent, not by pprobe) is not lost; only processes that touch new
 * memory pay for it.
 */
#define PEAK_FAULTS 256  /* pages: 1 MiB of 4 KiB pages */

static int peak_may_have_moved(const struct proc_tree_entry *e, uint64_t rss)
{
	if (!(e->last.have & REC_PROC_HAVE_HWM))
		return 1;
	if (rss > e->last.hwm_bytes)
		return 1;
	return (e->last.have & REC_PROC_HAVE_FAULTS) &&
	       e->last.minflt + e->last.majflt >= e->faults_at_status + PEAK_FAULTS;
}

/*
 * Adds e's latest figures to the PROCS record, and to the sums with
 * rss_bytes, what this pass found resident.
 */
static void add_entry(struct proc_tree *t, struct proc_tree_sums *sums,
		      const struct proc_tree_entry *e, uint64_t rss_bytes,
		      uint32_t *nr)
{
	t->scratch[(*nr)++] = e->last;
	sums->processes++;
	sums->rss_bytes += rss_bytes;
	sums->hwm_bytes += (e->last.have & REC_PROC_HAVE_HWM) ? e->last.hwm_bytes : 0;
}

int proc_tree_sample(struct proc_tree *t, uint64_t time_ns, uint32_t run,
		     unsigned what, unsigned slow, uint64_t slow_ns,
		     struct rec_writer *w)
{
	struct proc_tree_sums sums = { .have_pss = !!(what & PROC_READ_PSS) };
	uint32_t nr = 0;

	for (size_t i = 0; i < t->nr; i++) {
		struct proc_tree_entry *e = &t->v[i];
		struct proc_figures f, ran;
		uint64_t rss, pss;
		unsigned reads;
		int err;

		if (!e->open) {
			/* Opened lazily: most short-lived processes never
			 * need an fd. */
			err = proc_handle_open(&e->handle, e->pid);
			if (err == -EMFILE || err == -ENFILE) {
				if (!t->out_of_fds)
					warning("out of file descriptors: some processes get no per-process figures (raise 'ulimit -n')");
				t->out_of_fds = 1;
			}
			if (err < 0)
				continue;
			e->open = 1;
		}
		/* schedstat first: a run after it shows at the next pass. */
		reads = what | PROC_READ_SCHEDSTAT;
		ran.have = 0;
		if (!e->slow_read_ns || time_ns - e->slow_read_ns >= slow_ns) {
			reads |= slow;
			e->slow_read_ns = time_ns;
		} else if (may_be_idle(e, what)) {
			err = proc_handle_read(&e->handle, PROC_READ_SCHEDSTAT, &ran);
			if (err == -ESRCH)
				continue;
			if (!err && ran.ran_ns == e->ran_ns) {
				/* Its figures cannot have changed: as last written. */
				add_entry(t, &sums, e, (e->last.have & REC_PROC_HAVE_RSS) ?
					  e->last.rss_bytes : 0, &nr);
				continue;
			}
			if (!err)
				reads &= ~PROC_READ_SCHEDSTAT; /* just read */
		}
		err = proc_handle_read(&e->handle, reads, &f);
		if (err == -ESRCH)
			continue;
		if (f.have & PROC_HAVE_RAN) {
			e->ran_ns = f.ran_ns;
			e->ran_known = 1;
		} else if (ran.have & PROC_HAVE_RAN) {
			e->ran_ns = ran.ran_ns;
			e->ran_known = 1;
		}
		fold(&e->last, &f);
		rss = (f.have & PROC_HAVE_RSS) ? f.rss_bytes : 0;
		pss = (f.have & PROC_HAVE_PSS) ? f.pss_bytes : 0;
		if (reads & PROC_READ_STATUS)
			e->faults_at_status = e->last.minflt + e->last.majflt;
		else if (peak_may_have_moved(e, rss) &&
			 proc_handle_read(&e->handle, PROC_READ_STATUS, &f) == 0) {
			fold(&e->last, &f);
			e->faults_at_status = e->last.minflt + e->last.majflt;
		}
		e->last.flags = 0;
		add_entry(t, &sums, e, rss, &nr);
		sums.pss_bytes += pss;
	}
	t->sums = sums;
	return rec_write_procs(w, time_ns, run, t->scratch, nr);
}

void proc_tree_before_reap(struct proc_tree *t, pid_t pid, uint64_t time_ns,
			   uint32_t run, struct rec_writer *w)
{
	struct proc_tree_entry *e = find(t, pid);
	struct proc_handle local, *h = &local;
	struct proc_figures f;
	struct rec_proc p = { .pid = (uint32_t)pid };

	/* Its EXIT may have been drained already: the zombie is still there. */
	if (e && e->open)
		h = &e->handle;
	else if (proc_handle_open(&local, pid) < 0)
		return;
	if (e)
		p = e->last;
	if (proc_handle_read(h, PROC_READ_STAT | PROC_READ_STATUS | PROC_READ_SCHED, &f) == 0 ||
	    f.have)
		fold(&p, &f);
	if (h == &local)
		proc_handle_release(&local);
	p.flags = REC_PROC_F_FINAL;
	rec_write_procs(w, time_ns, run, &p, 1);
}

void proc_tree_reaped(struct proc_tree *t, pid_t pid, int status,
		      const struct rusage *ru, uint64_t time_ns,
		      struct rec_writer *w)
{
	struct rec_proc_exit e = {
		.time_ns = time_ns,
		.pid = (uint32_t)pid,
		.exit_kind = WIFSIGNALED(status) ? REC_EXIT_SIGNAL : REC_EXIT_NORMAL,
		.exit_code = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
	};

	(void)t;
	proc_rusage_to_rec(ru, &e.rusage);
	rec_write_proc_exit(w, &e);
}

void proc_rusage_to_rec(const struct rusage *ru, struct rec_rusage *out)
{
	*out = (struct rec_rusage){
		.utime_us = (uint64_t)ru->ru_utime.tv_sec * 1000000 + (uint64_t)ru->ru_utime.tv_usec,
		.stime_us = (uint64_t)ru->ru_stime.tv_sec * 1000000 + (uint64_t)ru->ru_stime.tv_usec,
		.maxrss_kib = (uint64_t)ru->ru_maxrss,
		.minflt = (uint64_t)ru->ru_minflt,
		.majflt = (uint64_t)ru->ru_majflt,
		.nvcsw = (uint64_t)ru->ru_nvcsw,
		.nivcsw = (uint64_t)ru->ru_nivcsw,
		.inblock = (uint64_t)ru->ru_inblock,
		.oublock = (uint64_t)ru->ru_oublock,
	};
}

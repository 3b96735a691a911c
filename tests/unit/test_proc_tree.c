/*
 * test_proc_tree.c - unit tests of the collector's process table
 * (proc_tree.c) and of the memory backend list (memory.c).
 *
 * The table is driven with synthetic task events, as the task tracker
 * would deliver them, and writes into a memory-backed recording that is
 * read back with the format library: what the file says is what is
 * checked. Churn tests hammer the pid hash (insertions and backward-shift
 * deletions in colliding probe runs) against a plain array as the model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memory.h"
#include "proc_tree.h"
#include "recfile.h"

struct sink {
	FILE *f;
	struct rec_writer w;
};

static void sink_init(struct sink *s)
{
	s->f = tmpfile();
	assert_non_null(s->f);
	assert_int_equal(rec_writer_init(&s->w, fileno(s->f)), 0);
}

/* Counts the records of each type written so far. */
static void sink_count(struct sink *s, unsigned counts[16])
{
	struct rec_reader r;
	struct rec rec;
	int fd;

	assert_int_equal(rec_writer_flush(&s->w), 0);
	memset(counts, 0, 16 * sizeof(*counts));
	fd = dup(fileno(s->f));
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(rec_reader_open(&r, fd), REC_OK);
	while (rec_reader_next(&r, &rec) == REC_OK)
		if (rec.type < 16)
			counts[rec.type]++;
	rec_reader_release(&r);
	close(fd);
}

static void sink_release(struct sink *s)
{
	rec_writer_release(&s->w);
	fclose(s->f);
}

static struct task_event ev(enum task_event_kind kind, uint32_t pid,
			    uint32_t tid, uint32_t ppid)
{
	struct task_event e = {
		.kind = kind, .pid = pid, .tid = tid, .ppid = ppid, .ptid = ppid,
	};
	return e;
}

static int present(const struct proc_tree *t, pid_t pid)
{
	for (size_t i = 0; i < t->nr; i++)
		if (t->v[i].pid == pid)
			return 1;
	return 0;
}

static void test_fork_exec_exit(void **state)
{
	struct proc_tree t;
	struct sink s;
	struct task_event e;
	unsigned n[16];

	(void)state;
	sink_init(&s);
	assert_int_equal(proc_tree_init(&t), 0);
	assert_int_equal(proc_tree_add_command(&t, 100, 1), 0);

	assert_int_equal(proc_tree_event(&t, &(struct task_event){ .kind = TASK_FORK, .pid = 101, .tid = 101, .ppid = 100, .ptid = 100 }, &s.w), 0);
	e = ev(TASK_COMM, 101, 101, 0);
	e.exec = 1;
	strcpy(e.comm, "true");
	assert_int_equal(proc_tree_event(&t, &e, &s.w), 0);
	assert_int_equal(t.nr, 2);
	assert_int_equal(t.processes, 2);
	e = ev(TASK_EXIT, 101, 101, 100);
	assert_int_equal(proc_tree_event(&t, &e, &s.w), 0);
	assert_false(present(&t, 101));
	assert_true(present(&t, 100));

	sink_count(&s, n);
	assert_int_equal(n[REC_TASK], 3);
	proc_tree_release(&t);
	sink_release(&s);
}

/* A process is gone only when every thread has exited, in any order. */
static void test_threads(void **state)
{
	struct proc_tree t;
	struct sink s;
	struct task_event e;

	(void)state;
	sink_init(&s);
	assert_int_equal(proc_tree_init(&t), 0);
	assert_int_equal(proc_tree_add_command(&t, 200, 1), 0);
	for (uint32_t tid = 201; tid <= 203; tid++) {
		e = ev(TASK_FORK, 200, tid, 200);
		assert_int_equal(proc_tree_event(&t, &e, &s.w), 0);
	}
	assert_int_equal(t.threads, 3);
	assert_int_equal(t.processes, 1);
	/* The main thread's EXIT first, as the kernel may write it. */
	e = ev(TASK_EXIT, 200, 200, 1);
	proc_tree_event(&t, &e, &s.w);
	assert_true(present(&t, 200));
	e = ev(TASK_EXIT, 200, 202, 1);
	proc_tree_event(&t, &e, &s.w);
	e = ev(TASK_EXIT, 200, 201, 1);
	proc_tree_event(&t, &e, &s.w);
	assert_true(present(&t, 200));
	e = ev(TASK_EXIT, 200, 203, 1);
	proc_tree_event(&t, &e, &s.w);
	assert_false(present(&t, 200));
	proc_tree_release(&t);
	sink_release(&s);
}

/* exec by a multi-threaded process leaves exactly one thread. */
static void test_exec_resets_threads(void **state)
{
	struct proc_tree t;
	struct sink s;
	struct task_event e;

	(void)state;
	sink_init(&s);
	assert_int_equal(proc_tree_init(&t), 0);
	assert_int_equal(proc_tree_add_command(&t, 300, 1), 0);
	e = ev(TASK_FORK, 300, 301, 300);
	proc_tree_event(&t, &e, &s.w);
	e = ev(TASK_FORK, 300, 302, 300);
	proc_tree_event(&t, &e, &s.w);
	/* 302 execs: 301 and the main thread end, 302 becomes tid 300. */
	e = ev(TASK_EXIT, 300, 301, 1);
	proc_tree_event(&t, &e, &s.w);
	e = ev(TASK_EXIT, 300, 300, 1);
	proc_tree_event(&t, &e, &s.w);
	e = ev(TASK_COMM, 300, 300, 0);
	e.exec = 1;
	proc_tree_event(&t, &e, &s.w);
	assert_true(present(&t, 300));
	e = ev(TASK_EXIT, 300, 300, 1);
	proc_tree_event(&t, &e, &s.w);
	assert_false(present(&t, 300));
	proc_tree_release(&t);
	sink_release(&s);
}

/* Loss is recorded and counted; events of unknown pids do no harm. */
static void test_lost(void **state)
{
	struct proc_tree t;
	struct sink s;
	struct task_event e = { .kind = TASK_LOST, .lost = 7, .cpu = 1 };
	unsigned n[16];

	(void)state;
	sink_init(&s);
	assert_int_equal(proc_tree_init(&t), 0);
	assert_int_equal(proc_tree_event(&t, &e, &s.w), 0);
	assert_int_equal(t.lost, 7);
	e = ev(TASK_EXIT, 999, 999, 1);    /* its FORK was lost */
	assert_int_equal(proc_tree_event(&t, &e, &s.w), 0);
	e = ev(TASK_FORK, 998, 997, 998);  /* a thread of an unknown process */
	assert_int_equal(proc_tree_event(&t, &e, &s.w), 0);
	assert_true(present(&t, 998));
	sink_count(&s, n);
	assert_int_equal(n[REC_LOST], 1);
	assert_int_equal(n[REC_TASK], 2);
	proc_tree_release(&t);
	sink_release(&s);
}

/*
 * Thousands of processes born and ended in a shuffled order, with pids
 * chosen to collide in the hash: after every step the table holds exactly
 * the live set of a plain model.
 */
static void test_hash_churn(void **state)
{
	enum { N = 3000 };
	static unsigned char live[N * 8];
	struct proc_tree t;
	struct sink s;
	unsigned seed = 12345;
	size_t nr_live = 0;

	(void)state;
	sink_init(&s);
	assert_int_equal(proc_tree_init(&t), 0);
	for (int step = 0; step < 20000; step++) {
		/* Pids that are multiples of a power of two share low bits. */
		uint32_t pid = 1 + (uint32_t)(rand_r(&seed) % N) * 8;
		struct task_event e;

		if (!live[pid]) {
			e = ev(TASK_FORK, pid, pid, 1);
			assert_int_equal(proc_tree_event(&t, &e, &s.w), 0);
			live[pid] = 1;
			nr_live++;
		} else {
			e = ev(TASK_EXIT, pid, pid, 1);
			assert_int_equal(proc_tree_event(&t, &e, &s.w), 0);
			live[pid] = 0;
			nr_live--;
		}
		assert_int_equal(t.nr, nr_live);
		if (step % 997 == 0) {
			for (uint32_t p = 1; p < N * 8; p += 8)
				assert_int_equal(present(&t, (pid_t)p), live[p]);
		}
	}
	/* Every live one is still found through the hash: exit them all. */
	for (uint32_t p = 1; p < N * 8; p += 8) {
		if (live[p]) {
			struct task_event e = ev(TASK_EXIT, p, p, 1);

			proc_tree_event(&t, &e, &s.w);
		}
	}
	assert_int_equal(t.nr, 0);
	proc_tree_release(&t);
	sink_release(&s);
}

/* The command itself, read from /proc: our own process stands in. */
static void test_sample_reads_proc(void **state)
{
	struct proc_tree t;
	struct sink s;
	unsigned n[16];

	(void)state;
	sink_init(&s);
	assert_int_equal(proc_tree_init(&t), 0);
	assert_int_equal(proc_tree_add_command(&t, getpid(), getppid()), 0);
	assert_int_equal(proc_tree_sample(&t, 1, 0, PROC_READ_STAT | PROC_READ_STATM, PROC_READ_STATUS, 1000, &s.w), 0);
	assert_int_equal(t.sums.processes, 1);
	assert_true(t.sums.rss_bytes > 0);
	assert_true(t.sums.hwm_bytes >= t.sums.rss_bytes);
	assert_int_equal(t.v[0].last.have & (REC_PROC_HAVE_CPU | REC_PROC_HAVE_RSS | REC_PROC_HAVE_HWM),
			 REC_PROC_HAVE_CPU | REC_PROC_HAVE_RSS | REC_PROC_HAVE_HWM);
	sink_count(&s, n);
	assert_int_equal(n[REC_PROCS], 1);
	proc_tree_release(&t);
	sink_release(&s);
}

/*
 * A process that has not run since its last reading is written as it
 * was; one that ran in between is read afresh, even when the once-a-
 * second read is not due: the skip must never hide work.
 */
static void test_sample_skips_only_idle(void **state)
{
	const uint64_t never = UINT64_MAX; /* the slow read is never due again */
	int go[2];
	struct proc_tree t;
	struct sink s;
	uint64_t cpu0;
	pid_t pid;
	char c = 'g';

	(void)state;
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct timespec t0, t1;

		alarm(30);
		close(go[1]);
		/* Asleep, then 50 ms of CPU, then asleep until the end. */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		do
			clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		while ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 50000000L);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	usleep(20000);
	sink_init(&s);
	assert_int_equal(proc_tree_init(&t), 0);
	assert_int_equal(proc_tree_add_command(&t, pid, getpid()), 0);
	assert_int_equal(proc_tree_sample(&t, 1, 0, PROC_READ_STAT | PROC_READ_STATM,
					  PROC_READ_STATUS, never, &s.w), 0);
	assert_true(t.v[0].ran_known);
	cpu0 = t.v[0].last.utime_ns + t.v[0].last.stime_ns;
	/* Idle: the same figures again, sums included. */
	assert_int_equal(proc_tree_sample(&t, 2, 0, PROC_READ_STAT | PROC_READ_STATM,
					  PROC_READ_STATUS, never, &s.w), 0);
	assert_true(t.v[0].last.utime_ns + t.v[0].last.stime_ns == cpu0);
	assert_int_equal(t.sums.processes, 1);
	assert_true(t.sums.rss_bytes > 0);

	assert_int_equal(write(go[1], &c, 1), 1);
	usleep(200000); /* it burns 50 ms of CPU, then sleeps again */
	assert_int_equal(proc_tree_sample(&t, 3, 0, PROC_READ_STAT | PROC_READ_STATM,
					  PROC_READ_STATUS, never, &s.w), 0);
	/* stat counts in clock ticks (10 ms): at least 40 ms more. */
	assert_true(t.v[0].last.utime_ns + t.v[0].last.stime_ns >= cpu0 + 40000000ull);

	close(go[1]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	proc_tree_release(&t);
	sink_release(&s);
}

static void test_mem_parse(void **state)
{
	unsigned wanted;
	char err[256];

	(void)state;
	assert_int_equal(mem_backends_parse("rss", &wanted, err, sizeof(err)), 0);
	assert_int_equal(wanted, MEM_BACKEND_BIT(REC_MEM_RSS));
	assert_int_equal(mem_backends_parse("hwm,CGROUP,pss", &wanted, err, sizeof(err)), 0);
	assert_int_equal(wanted, MEM_BACKEND_BIT(REC_MEM_HWM) |
			 MEM_BACKEND_BIT(REC_MEM_CGROUP) | MEM_BACKEND_BIT(REC_MEM_PSS));
	assert_int_equal(mem_backends_parse("all", &wanted, err, sizeof(err)), 0);
	assert_int_equal(wanted, MEM_BACKEND_BIT(REC_MEM_RSS) | MEM_BACKEND_BIT(REC_MEM_PSS) |
			 MEM_BACKEND_BIT(REC_MEM_HWM) | MEM_BACKEND_BIT(REC_MEM_CGROUP) |
			 MEM_BACKEND_BIT(REC_MEM_RUSAGE));
	assert_int_equal(mem_backends_parse("rss,vsz", &wanted, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown memory backend 'vsz'"));
	assert_int_equal(mem_backends_parse("", &wanted, err, sizeof(err)), -1);
	assert_int_equal(mem_backends_parse(",", &wanted, err, sizeof(err)), -1);
	assert_int_equal(mem_backends_parse("rsss", &wanted, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_exec_exit),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_exec_resets_threads),
		cmocka_unit_test(test_lost),
		cmocka_unit_test(test_hash_churn),
		cmocka_unit_test(test_sample_reads_proc),
		cmocka_unit_test(test_sample_skips_only_idle),
		cmocka_unit_test(test_mem_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * forktree - a calibrated workload made of many short-lived processes.
 *
 *   forktree [--truth FILE] [CHILDREN [GRANDCHILDREN]]   (default 50, 0)
 *
 * The parent forks CHILDREN children. Each child forks GRANDCHILDREN
 * children of its own, then, like every grandchild, burns about 10 ms of
 * CPU, touches 4 MiB of fresh anonymous memory (one write per page, no huge
 * pages: 1024 minor faults with 4 KiB pages) and exits; a child waits for
 * its grandchildren before exiting. The parent waits for every child. So
 * `forktree 20 2` is 20 children with 2 grandchildren each, 60 processes.
 *
 * This checks that pprobe counts a whole tree, including processes that
 * live and die between two of its samples: every figure of the truth comes
 * from the children through RUSAGE_CHILDREN. At most 64 children are alive
 * at once (the parent waits for one before forking more), which bounds the
 * memory to about 64 * (1 + GRANDCHILDREN) * 4 MiB. Each process costs
 * about 15 ms of CPU, so the default takes under a second on two cores.
 *
 * Truth facts: children, grandchildren, processes (both plus the parent),
 * cpu_ms_per_process, kib_per_process.
 */
#include "truth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FORKTREE_MAX_CHILDREN 10000
#define FORKTREE_MAX_GRANDCHILDREN 100
#define FORKTREE_MAX_ALIVE 64
#define FORKTREE_CPU_NS (10 * 1000 * 1000LL)
#define FORKTREE_MIB 4

/* What every process below the parent does. Returns 0 or -1. */
static int do_work(void)
{
	long long end = truth_thread_cpu_ns() + FORKTREE_CPU_NS;
	unsigned long long x = 2463534242ull;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = (size_t)FORKTREE_MIB << 20, i;
	volatile unsigned char *mem;

	while (truth_thread_cpu_ns() < end) {
		for (i = 0; i < 4096; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -1;
	madvise((void *)mem, len, MADV_NOHUGEPAGE);
	for (i = 0; i < len; i += page)
		mem[i] = (unsigned char)x;
	munmap((void *)mem, len);
	return 0;
}

static void grandchild_main(long long unused)
{
	(void)unused;
	_exit(do_work() ? 1 : 0);
}

static void child_main(long long grandchildren)
{
	long long failed = 0, forked = 0, i;

	/* Fork first, so the grandchildren overlap with our own work. */
	for (i = 0; i < grandchildren; i++) {
		pid_t pid = fork();

		if (pid == 0)
			grandchild_main(0);
		if (pid < 0)
			failed++;
		else
			forked++;
	}
	if (do_work())
		failed++;
	for (i = 0; i < forked; i++)
		failed += truth_reap_one() ? 1 : 0;
	_exit(failed ? 1 : 0);
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long children = 50, grandchildren = 0, failed;

	if (argc > 3) {
		fprintf(stderr, "usage: forktree [--truth FILE] [CHILDREN [GRANDCHILDREN]]\n");
		return 2;
	}
	if (argc >= 2)
		children = truth_parse_count(argv[1], "number of children", FORKTREE_MAX_CHILDREN);
	if (argc >= 3)
		grandchildren = truth_parse_count(argv[2], "number of grandchildren",
						  FORKTREE_MAX_GRANDCHILDREN);

	/* Flush nothing twice: the children _exit without touching stdio. */
	fflush(NULL);
	failed = truth_fork_and_wait(children, FORKTREE_MAX_ALIVE, child_main,
				     grandchildren, "forktree");
	if (failed) {
		fprintf(stderr, "forktree: %lld of %lld children failed\n", failed, children);
		return 1;
	}
	truth_fact("children", children);
	truth_fact("grandchildren", children * grandchildren);
	truth_fact("processes", 1 + children + children * grandchildren);
	truth_fact("cpu_ms_per_process", FORKTREE_CPU_NS / 1000000);
	truth_fact("kib_per_process", FORKTREE_MIB * 1024);
	return truth_write(truth) ? 1 : 0;
}

/*
 * forkmany - a fork-heavy calibrated workload: many children, each living
 * about a millisecond.
 *
 *   forkmany [--truth FILE] [CHILDREN [KIB]]     (default 1000, 64)
 *
 * The parent forks CHILDREN children, keeping at most FORKMANY_MAX_ALIVE
 * alive at a time (it reaps one before forking more), and waits for them
 * all. Each child burns about 1 ms of CPU, writes KIB KiB of fresh
 * anonymous memory (one write per page, no huge pages: KIB / 4 minor faults
 * with 4 KiB pages) and exits. The whole run takes about a second on two
 * cores for the default.
 *
 * Compared with forktree (10 ms and 4 MiB per child), this is the case of
 * processes that are born and die between two samples by the hundred: the
 * process count must still be exact and every child's faults and context
 * switches must be in the totals.
 *
 * Truth facts: children, processes (children + the parent),
 * cpu_us_per_child, kib_per_child.
 */
#include "truth.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FORKMANY_MAX_CHILDREN 100000
#define FORKMANY_MAX_KIB (1024 * 1024)
#define FORKMANY_MAX_ALIVE 32
#define FORKMANY_CPU_NS (1000 * 1000LL)

static _Noreturn void child_main(long long kib)
{
	long long end = truth_thread_cpu_ns() + FORKMANY_CPU_NS;
	unsigned long long x = 2463534242ull;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = (size_t)kib << 10, i;
	volatile unsigned char *mem;

	while (truth_thread_cpu_ns() < end) {
		for (i = 0; i < 1024; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
	}
	if (len) {
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(1);
		madvise((void *)mem, len, MADV_NOHUGEPAGE);
		for (i = 0; i < len; i += page)
			mem[i] = (unsigned char)x;
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long children = 1000, kib = 64, failed;

	if (argc > 3) {
		fprintf(stderr, "usage: forkmany [--truth FILE] [CHILDREN [KIB]]\n");
		return 2;
	}
	if (argc >= 2)
		children = truth_parse_count(argv[1], "number of children", FORKMANY_MAX_CHILDREN);
	if (argc >= 3)
		kib = truth_parse_count(argv[2], "KiB per child", FORKMANY_MAX_KIB);

	fflush(NULL);
	failed = truth_fork_and_wait(children, FORKMANY_MAX_ALIVE, child_main, kib, "forkmany");
	if (failed) {
		fprintf(stderr, "forkmany: %lld of %lld children failed\n", failed, children);
		return 1;
	}
	truth_fact("children", children);
	truth_fact("processes", children + 1);
	truth_fact("cpu_us_per_child", FORKMANY_CPU_NS / 1000);
	truth_fact("kib_per_child", kib);
	return truth_write(truth) ? 1 : 0;
}

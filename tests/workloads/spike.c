/*
 * spike - a calibrated memory workload with one short spike on a steady
 * base, for checking that a memory peak is not missed.
 *
 *   spike [--truth FILE] [BASE_MIB [SPIKE_MIB]]     (default 32, 64)
 *
 * Maps BASE_MIB MiB of anonymous memory, writes every page and keeps it.
 * About 150 ms after it started it maps SPIKE_MIB MiB more, writes every
 * page, and unmaps it at once: the spike lasts as long as the page faults
 * and the unmap take, 30-50 ms for 64 MiB on the 2-vCPU VM of
 * docs/BENCHMARKS.md (a fault costs ~2 µs there; spike_us in the truth says
 * how long it really was). Then it stays about 300 ms on its base and
 * exits. Both mappings ask for no transparent huge pages, so the figures
 * move page by page and the spike is exactly SPIKE_MIB MiB of resident
 * memory.
 *
 * The true peak is base + spike + what the program itself has resident
 * (text, libc, stack: ~1 MiB): the kernel's ru_maxrss, maxrss_kib in the
 * truth. A sampler reading RSS every 100 ms from the program's start reads
 * at 100 and 200 ms, on either side of the spike, so it misses it unless
 * the start is late (a loaded machine); a high-water mark never misses it.
 *
 * Truth facts: base_bytes, spike_bytes, spike_us (from the first write of
 * the spike to the end of its munmap), page_size.
 */
#include "truth.h"

#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SPIKE_MAX_MIB (64LL * 1024)  /* a typo guard, not a limit */
#define SPIKE_BEFORE_S 0.150         /* on the base before the spike */
#define SPIKE_AFTER_S 0.300          /* on the base after it */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts))
		;
}

/* Maps len bytes with no huge pages and writes every page; NULL on failure. */
static volatile unsigned char *map_touched(size_t len, size_t page)
{
	volatile unsigned char *mem;
	size_t i;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("spike: mmap");
		return NULL;
	}
	/* Must work where the kernel has THP, or the sizes mean nothing. */
	if (madvise((void *)mem, len, MADV_NOHUGEPAGE) &&
	    !access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK)) {
		perror("spike: madvise(MADV_NOHUGEPAGE)");
		return NULL;
	}
	for (i = 0; i < len; i += page)
		mem[i] = (unsigned char)(i / page);
	return mem;
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long base_mib = 32, spike_mib = 64;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), base_len, spike_len;
	volatile unsigned char *base = NULL, *spike;
	double start, t0, t1;

	if (argc > 3) {
		fprintf(stderr, "usage: spike [--truth FILE] [BASE_MIB [SPIKE_MIB]]\n");
		return 2;
	}
	if (argc >= 2)
		base_mib = truth_parse_count(argv[1], "base size in MiB", SPIKE_MAX_MIB);
	if (argc >= 3)
		spike_mib = truth_parse_count(argv[2], "spike size in MiB", SPIKE_MAX_MIB);
	base_len = (size_t)base_mib << 20;
	spike_len = (size_t)spike_mib << 20;

	start = now_s();
	if (base_len && !(base = map_touched(base_len, page)))
		return 1;
	sleep_s(SPIKE_BEFORE_S - (now_s() - start) > 0 ? SPIKE_BEFORE_S - (now_s() - start) : 0.001);

	t0 = now_s();
	if (spike_len) {
		if (!(spike = map_touched(spike_len, page)))
			return 1;
		if (munmap((void *)spike, spike_len)) {
			perror("spike: munmap");
			return 1;
		}
	}
	t1 = now_s();
	sleep_s(SPIKE_AFTER_S);

	truth_fact("base_bytes", (long long)base_len);
	truth_fact("spike_bytes", (long long)spike_len);
	truth_fact("spike_us", (long long)((t1 - t0) * 1e6));
	truth_fact("page_size", (long long)page);
	if (truth_write(truth))
		return 1;
	/* The base is kept to the end: freeing it is the kernel's job. */
	(void)base;
	return 0;
}

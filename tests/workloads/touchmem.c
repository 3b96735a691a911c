/*
 * touchmem - a page-fault-heavy calibrated workload.
 *
 *   touchmem [--truth FILE] [MIB]     (default 256)
 *
 * Maps MIB MiB of anonymous memory, asks for no transparent huge pages
 * (MADV_NOHUGEPAGE: THP may be "always" on other machines, and one huge
 * page fault would stand for 512 small ones), writes one byte in every
 * page, then unmaps it. Each write hits a page that was never touched, so
 * it costs exactly one minor fault: MIB * 1024 * 1024 / page_size faults,
 * 65536 for the default with 4 KiB pages, which is the figure to check
 * against minor-faults. The resident peak grows by MIB MiB. It takes well
 * under a second for the default (a fault costs about 1 µs).
 *
 * Truth facts: pages_touched, bytes_touched (pages * page size), page_size.
 */
#include "truth.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define TOUCHMEM_MAX_MIB (64LL * 1024) /* 64 GiB: a typo guard, not a limit */

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long mib = 256;
	size_t page, len, pages, i;
	volatile unsigned char *mem;

	if (argc > 2) {
		fprintf(stderr, "usage: touchmem [--truth FILE] [MIB]\n");
		return 2;
	}
	if (argc == 2)
		mib = truth_parse_count(argv[1], "size in MiB", TOUCHMEM_MAX_MIB);

	page = (size_t)sysconf(_SC_PAGESIZE);
	len = (size_t)mib << 20;
	pages = len / page;
	if (len) {
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (mem == MAP_FAILED) {
			perror("touchmem: mmap");
			return 1;
		}
		/*
		 * Failing is fine where the kernel has no THP at all; where it
		 * has, this must work or the fault count means nothing.
		 */
		if (madvise((void *)mem, len, MADV_NOHUGEPAGE) &&
		    !access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK)) {
			perror("touchmem: madvise(MADV_NOHUGEPAGE)");
			return 1;
		}
		for (i = 0; i < pages; i++)
			mem[i * page] = (unsigned char)i;
		if (munmap((void *)mem, len)) {
			perror("touchmem: munmap");
			return 1;
		}
	}
	truth_fact("pages_touched", (long long)pages);
	truth_fact("bytes_touched", (long long)(pages * page));
	truth_fact("page_size", (long long)page);
	return truth_write(truth) ? 1 : 0;
}

/*
 * cowtree - a tree of processes sharing copy-on-write memory, for checking
 * that summed RSS over-counts and PSS does not.
 *
 *   cowtree [--truth FILE] [MIB [CHILDREN]]     (default 64, 3)
 *
 * The parent maps MIB MiB of anonymous memory (no transparent huge pages)
 * and writes every page, then forks CHILDREN children. Each child only
 * READS every page, so no copy-on-write is ever broken: the pages stay
 * shared, one physical copy for the whole tree, yet each child's RSS counts
 * all of them. Once every child has read everything, they all wait about
 * 300 ms more (so a sampler sees them all at once, however slowly each got
 * there on a loaded machine) and exit; the parent waits for them.
 *
 * So the tree's real footprint is MIB MiB plus each process's own few
 * private pages: summed RSS reads about (1 + CHILDREN) * MIB MiB, summed
 * PSS about MIB MiB.
 *
 * Truth facts: footprint_bytes (the shared mapping), children, page_size,
 * checksum_ok (1 when every child read back what the parent wrote).
 */
#include "truth.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COWTREE_MAX_MIB (64LL * 1024)
#define COWTREE_MAX_CHILDREN 64
#define COWTREE_CHILD_WAIT_NS (300 * 1000 * 1000L)

/* What the parent writes in page i, and the children check. */
static unsigned char page_mark(size_t i)
{
	return (unsigned char)(i * 131 + 7);
}

/*
 * A child: reads every page, says so on ready, waits for the parent to
 * close go (every child has read), then waits COWTREE_CHILD_WAIT_NS.
 */
static _Noreturn void child_main(const volatile unsigned char *mem, size_t len, size_t page,
				 int ready, int go)
{
	struct timespec wait = { 0, COWTREE_CHILD_WAIT_NS };
	size_t i, bad = 0;
	char c = 1;

	for (i = 0; i < len; i += page)
		bad += mem[i] != page_mark(i / page);
	if (write(ready, &c, 1) != 1)
		_exit(4);
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	while (nanosleep(&wait, &wait))
		;
	_exit(bad ? 3 : 0);
}

int main(int argc, char **argv)
{
	const char *truth = truth_take_option(&argc, argv);
	long long mib = 64, children = 3, i, started = 0, failed = 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len, p;
	volatile unsigned char *mem;
	int ready[2], go[2];
	char c;

	if (argc > 3) {
		fprintf(stderr, "usage: cowtree [--truth FILE] [MIB [CHILDREN]]\n");
		return 2;
	}
	if (argc >= 2)
		mib = truth_parse_count(argv[1], "size in MiB", COWTREE_MAX_MIB);
	if (argc >= 3)
		children = truth_parse_count(argv[2], "number of children", COWTREE_MAX_CHILDREN);
	len = (size_t)mib << 20;
	if (!len) {
		fprintf(stderr, "cowtree: the size must be at least 1 MiB\n");
		return 2;
	}

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("cowtree: mmap");
		return 1;
	}
	if (madvise((void *)mem, len, MADV_NOHUGEPAGE) &&
	    !access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK)) {
		perror("cowtree: madvise(MADV_NOHUGEPAGE)");
		return 1;
	}
	for (p = 0; p < len; p += page)
		mem[p] = page_mark(p / page);

	if (pipe(ready) || pipe(go)) {
		perror("cowtree: pipe");
		return 1;
	}
	fflush(NULL);
	for (i = 0; i < children; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			close(ready[0]);
			close(go[1]);
			child_main(mem, len, page, ready[1], go[0]);
		}
		if (pid < 0) {
			perror("cowtree: fork");
			failed++;
			continue;
		}
		started++;
	}
	/* Every child has read (or died: then its end of ready is closed and
	 * read() sees the end of the pipe once all are gone): let them go. */
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < started; i++)
		while (read(ready[0], &c, 1) < 0 && errno == EINTR)
			;
	close(go[1]);
	for (i = 0; i < started; i++) {
		int status;

		while (wait(&status) < 0) {
			if (errno != EINTR) {
				perror("cowtree: wait");
				return 1;
			}
		}
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	if (failed) {
		fprintf(stderr, "cowtree: %lld of %lld children failed\n", failed, children);
		return 1;
	}
	truth_fact("footprint_bytes", (long long)len);
	truth_fact("children", children);
	truth_fact("page_size", (long long)page);
	truth_fact("checksum_ok", 1);
	return truth_write(truth) ? 1 : 0;
}

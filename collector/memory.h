/*
 * memory.h - the memory backends of `pprobe record --mem=LIST`.
 *
 * Each backend measures the tree's memory its own way and writes its own
 * series of MEM records, after one MEM_SOURCE record saying where the
 * figure comes from (or why it is unavailable):
 *
 *   rss     sum of the live processes' RSS at each process tick
 *   pss     sum of their PSS (smaps_rollup), at most every --pss-interval
 *   hwm     sum of their high-water marks; at the end, at least the
 *           largest peak wait4() reported for a process pprobe reaped
 *   cgroup  the tree's own cgroup: current, and the kernel's peak
 *   rusage  ru_maxrss of everything pprobe reaped: one reading, at the end
 *
 * The figures are facts; what each one means (an upper bound, exact,
 * includes page cache) is the report's to say.
 */
#ifndef PPROBE_MEMORY_H
#define PPROBE_MEMORY_H

#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "proc_tree.h"
#include "recfile.h"

#define MEM_BACKEND_BIT(b) (1u << (b))   /* b: enum rec_mem_backend */
/* The backends recorded when --mem does not say. */
#define MEM_DEFAULT_LIST "rss"

struct mem_backends {
	unsigned wanted;            /* MEM_BACKEND_BIT()s */
	unsigned recording;         /* wanted and available */
	uint64_t pss_interval_ns;
	uint64_t last_pss_ns;       /* 0: never read */
	struct cgroup_mem cgroup;
	int prepared;               /* mem_backends_prepare() ran */
	int cgroup_err;             /* its -errno, with cgroup_why */
	char cgroup_why[512];
	uint64_t hwm_reaped_max;    /* largest ru_maxrss of a process reaped in
				     * this run, bytes (RUN_END's peak too) */
};

/*
 * Parses "rss,hwm,cgroup" (or "all") into *wanted. Returns 0, or -1 with
 * err set to "unknown memory backend 'x' (use rss, pss, hwm, cgroup,
 * rusage or all)".
 */
int mem_backends_parse(const char *list, unsigned *wanted, char *err, size_t errsz);

void mem_backends_init(struct mem_backends *m, unsigned wanted,
		       uint64_t pss_interval_ns);

/*
 * Before the command runs: creates its cgroup and moves pid (held, not
 * yet exec'd) into it, when the cgroup backend is asked for. What failed
 * is said by mem_backends_start().
 */
void mem_backends_prepare(struct mem_backends *m, pid_t pid);

/* Whether the command is in a memory cgroup of pprobe's. */
int mem_backends_cgroup(const struct mem_backends *m);

/* The command's memory cgroup when it is on cgroup v2, or NULL. */
const char *mem_backends_cgroup_v2(const struct mem_backends *m);

/*
 * Writes one MEM_SOURCE per backend. A backend that cannot work here is
 * recorded as unavailable and said in a note (unless quiet); the others
 * go on.
 */
void mem_backends_start(struct mem_backends *m, struct rec_writer *w, int quiet);

/* The PROC_READ_* files the process tick at now_ns needs for memory. */
unsigned mem_backends_reads(struct mem_backends *m, uint64_t now_ns);

/* After a process tick: one MEM record per recording backend. */
void mem_backends_tick(struct mem_backends *m, uint64_t now_ns, uint32_t run,
		       const struct proc_tree_sums *sums, struct rec_writer *w);

/* A process pprobe reaped had this ru_maxrss. */
void mem_backends_reaped(struct mem_backends *m, long maxrss_kib);

/*
 * After the whole tree ended: the FINAL readings (rusage's only one),
 * then the cgroup is removed. live is NULL when the tree is gone; after
 * an attach, the sums of the tree that runs on.
 */
void mem_backends_finish(struct mem_backends *m, uint64_t now_ns, uint32_t run,
			 const struct proc_tree_sums *live,
			 struct rec_writer *w, int quiet);

/*
 * After mem_backends_finish(), ready for the next run of a recording
 * (`record -r`): its cgroup is made again by mem_backends_prepare(), its
 * sources are the same and not written again.
 */
void mem_backends_new_run(struct mem_backends *m);

/* Removes the cgroup if still there (error paths); safe after finish. */
void mem_backends_release(struct mem_backends *m);

#endif /* PPROBE_MEMORY_H */

/*
 * cpumap.h - lists of CPUs as the kernel writes them ("0-3,5,7-8").
 *
 * The task tracker opens a ring per online CPU, cgroup counting an event
 * per online CPU. `record --cpus 0-3,8` pins the command to CPUs written
 * the same way, checked against the online ones first so a typo is told
 * apart from an offline CPU; the recording and the report write them back
 * in the same form. `pprobe scale --cpus 1,2,4` (or 1-8) reads CPU counts,
 * not CPU numbers, in that syntax, and runs the command on each count in
 * turn, on CPUs chosen one per physical core before any core's second
 * hardware thread (cpumap_pick()): two SMT siblings share a core's
 * execution units, so a "2 CPU" run on them would not measure two CPUs.
 *
 * Topology comes from sysfs, read in the few functions that say so; the
 * choices made on it are pure functions, unit-tested on made-up machines
 * (tests/unit/test_collector.c).
 */
#ifndef PPROBE_CPUMAP_H
#define PPROBE_CPUMAP_H

#include <stddef.h>
#include <stdint.h>

/* The largest CPU number accepted, as the kernel's NR_CPUS limit. */
#define CPUMAP_MAX_CPU 8191

/*
 * Parses "0-3,5" (optionally ending in a newline) into a fresh array of
 * CPU numbers in the order written, ranges expanded. Returns how many
 * (at least 1), -EINVAL for anything else (an empty list, "3-1", a CPU
 * above CPUMAP_MAX_CPU, a repeat), or -ENOMEM.
 */
int cpumap_parse(const char *s, uint32_t **out);

/*
 * The online CPUs, from /sys/devices/system/cpu/online; where sysfs is
 * missing, CPUs 0 .. N-1. Returns how many (at least 1) or -errno.
 */
int cpumap_online(uint32_t **out);

/*
 * The CPUs this machine has, online or not, from
 * /sys/devices/system/cpu/present; where that is missing, the online
 * ones. Returns how many (at least 1) or -errno.
 */
int cpumap_present(uint32_t **out);

/*
 * Checks that every CPU of cpus[0..nr) is online (in online[0..nr_online)).
 * Returns 0, or -ENODEV with why (one lowercase line, no full stop) about
 * the first that is not, saying what there is instead:
 *   "CPU 7 does not exist: this machine has CPUs 0-3"
 *   "CPU 1 is offline: the online CPUs are 0,2-3"
 * A CPU in present[0..nr_present) exists but is offline; any other does
 * not exist. why may be NULL (len 0); a long list is cut with "...".
 * Pure: cpumap_check_online() is the same with the present CPUs read
 * from sysfs.
 */
int cpumap_check_against(const uint32_t *cpus, size_t nr,
			 const uint32_t *online, size_t nr_online,
			 const uint32_t *present, size_t nr_present,
			 char *why, size_t len);

/*
 * cpumap_check_against() with cpumap_present(), read only when some CPU
 * is not online (where it cannot be read, every CPU not online is said
 * not to exist).
 */
int cpumap_check_online(const uint32_t *cpus, size_t nr,
			const uint32_t *online, size_t nr_online,
			char *why, size_t len);

/* Room for any list cpumap_format() writes: each CPU adds at most 4
 * digits and a separator, and there is the terminating NUL. */
#define CPUMAP_LIST_MAX (5 * (CPUMAP_MAX_CPU + 1) + 1)

/*
 * Writes cpus[0..nr) as the kernel writes lists: ascending, repeats
 * dropped, runs of consecutive CPUs as ranges ({3, 0, 1, 2, 5} gives
 * "0-3,5"; none gives ""). Where the list does not fit in len bytes, it
 * is cut after the last CPU or range that fits and ends in ",..." (or
 * "..." when none fits), always terminated. Returns buf; len 0 leaves buf
 * untouched. CPUs above CPUMAP_MAX_CPU, which no list of this file holds,
 * are left out.
 */
const char *cpumap_format(const uint32_t *cpus, size_t nr, char *buf,
			  size_t len);

/*
 * `pprobe scale --cpus 1,2,4` or `--cpus 1-8`: a list of CPU counts, not
 * CPU numbers, in cpumap_parse()'s syntax. Each count is at least 1 (and,
 * as there, at most CPUMAP_MAX_CPU); a repeat is refused as cpumap_parse()
 * refuses it. Returns how many, in a fresh array sorted ascending (a
 * scaling table reads from 1 up, however it was written), -EINVAL for 0 or
 * bad syntax, or -ENOMEM.
 */
int cpumap_parse_counts(const char *s, uint32_t **out);

/* Where a CPU is: the package (socket) and the core within it. */
struct cpumap_topo {
	uint32_t cpu;
	uint32_t package;   /* physical_package_id */
	uint32_t core;      /* core_id: unique within its package only */
};

/*
 * The n CPUs of t[0..nr) (distinct CPUs) to run on n CPUs, written to out
 * (room for n) in ascending order. CPUs sharing a package and a core are
 * hardware threads of one core: every core's first thread (its lowest
 * CPU) is taken before any core's second, so SMT siblings are used only
 * once every core is busy. Among threads of the same rank, the lower
 * package comes first, then the lower CPU: a run fills one package's
 * cores before spilling into the next, as its caches are shared.
 * Returns 0, -EINVAL when n > nr, or -ENOMEM.
 */
int cpumap_spread(const struct cpumap_topo *t, size_t nr, size_t n,
		  uint32_t *out);

/*
 * cpumap_spread() over online[0..nr_online), their topology read from
 * /sys/devices/system/cpu/cpuN/topology (core_id, physical_package_id).
 * A CPU whose core cannot be read is taken as a core of its own, after
 * the cores that can. Returns 0, -EINVAL when n > nr_online, or -ENOMEM.
 */
int cpumap_pick(const uint32_t *online, size_t nr_online, size_t n,
		uint32_t *out);

#endif /* PPROBE_CPUMAP_H */

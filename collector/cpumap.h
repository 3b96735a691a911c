/*
 * cpumap.h - lists of CPUs as the kernel writes them ("0-3,5,7-8").
 *
 * The task tracker opens a ring per online CPU, cgroup counting an event
 * per online CPU; `record --cpus` (later) takes the same syntax.
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

#endif /* PPROBE_CPUMAP_H */

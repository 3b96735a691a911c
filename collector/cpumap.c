/*
 * cpumap.c - CPU lists, and which CPUs to run on. See cpumap.h.
 *
 * Sets of CPUs are bitmaps of CPUMAP_MAX_CPU + 1 bits (1 KiB) on the
 * stack: membership and ascending order come free, with no allocation.
 */
#include "cpumap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSFS_CPU "/sys/devices/system/cpu"
#define MASK_BYTES (CPUMAP_MAX_CPU / 8 + 1)

static int mask_has(const unsigned char *mask, uint32_t cpu)
{
	return cpu <= CPUMAP_MAX_CPU && (mask[cpu / 8] & (1u << (cpu % 8)));
}

static void mask_set(unsigned char *mask, uint32_t cpu)
{
	if (cpu <= CPUMAP_MAX_CPU)
		mask[cpu / 8] |= (unsigned char)(1u << (cpu % 8));
}

/* mask (MASK_BYTES) = the CPUs of cpus[0..nr) up to CPUMAP_MAX_CPU. */
static void mask_fill(unsigned char *mask, const uint32_t *cpus, size_t nr)
{
	memset(mask, 0, MASK_BYTES);
	for (size_t i = 0; i < nr; i++)
		mask_set(mask, cpus[i]);
}

/* A CPU number at *p, at most CPUMAP_MAX_CPU; advances *p. */
static int parse_cpu(const char **p, uint32_t *cpu)
{
	unsigned long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s++ - '0');
		if (v > CPUMAP_MAX_CPU)
			return -EINVAL;
	}
	*p = s;
	*cpu = (uint32_t)v;
	return 0;
}

int cpumap_parse(const char *s, uint32_t **out)
{
	unsigned char seen[MASK_BYTES] = { 0 };
	uint32_t *cpus = NULL;
	size_t nr = 0, alloc = 0;
	const char *p = s;

	for (;;) {
		uint32_t lo, hi;

		if (parse_cpu(&p, &lo))
			goto invalid;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi) || hi < lo)
				goto invalid;
		}
		for (uint32_t c = lo; c <= hi; c++) {
			if (mask_has(seen, c))
				goto invalid;
			mask_set(seen, c);
			if (nr == alloc) {
				size_t n = alloc ? 2 * alloc : 16;
				uint32_t *v = realloc(cpus, n * sizeof(*v));

				if (!v) {
					free(cpus);
					return -ENOMEM;
				}
				cpus = v;
				alloc = n;
			}
			cpus[nr++] = c;
		}
		if (*p != ',')
			break;
		p++;
	}
	if (*p == '\n')
		p++;
	if (*p)
		goto invalid;
	*out = cpus;
	return (int)nr;

invalid:
	free(cpus);
	return -EINVAL;
}

/* The list in sysfs file `path`, as cpumap_parse() returns it; 0 (and
 * *out NULL) when the file cannot be read. */
static int read_list(const char *path, uint32_t **out)
{
	char buf[4096];
	FILE *f = fopen(path, "re");
	int ok;

	*out = NULL;
	if (!f)
		return 0;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	return ok ? cpumap_parse(buf, out) : 0;
}

int cpumap_online(uint32_t **out)
{
	char buf[32];
	long n;
	int nr = read_list(SYSFS_CPU "/online", out);

	if (nr)
		return nr;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(buf, sizeof(buf), "0-%ld", n > 1 ? n - 1 : 0);
	return cpumap_parse(buf, out);
}

int cpumap_present(uint32_t **out)
{
	int nr = read_list(SYSFS_CPU "/present", out);

	return nr ? nr : cpumap_online(out);
}

int cpumap_check_against(const uint32_t *cpus, size_t nr,
			 const uint32_t *online, size_t nr_online,
			 const uint32_t *present, size_t nr_present,
			 char *why, size_t len)
{
	unsigned char is_online[MASK_BYTES], is_present[MASK_BYTES];
	char list[256];
	size_t i;

	mask_fill(is_online, online, nr_online);
	for (i = 0; i < nr && mask_has(is_online, cpus[i]); i++)
		;
	if (i == nr)
		return 0;
	if (!why || !len)
		return -ENODEV;

	mask_fill(is_present, present, nr_present);
	if (mask_has(is_present, cpus[i])) {
		cpumap_format(online, nr_online, list, sizeof(list));
		snprintf(why, len, "CPU %u is offline: %s %s", cpus[i],
			 nr_online == 1 ? "the only online CPU is" :
			 "the online CPUs are", list);
	} else {
		cpumap_format(present, nr_present, list, sizeof(list));
		snprintf(why, len,
			 "CPU %u does not exist: this machine has %s %s",
			 cpus[i], nr_present == 1 ? "only CPU" : "CPUs", list);
	}
	return -ENODEV;
}

int cpumap_check_online(const uint32_t *cpus, size_t nr,
			const uint32_t *online, size_t nr_online,
			char *why, size_t len)
{
	uint32_t *present = NULL;
	int nr_present, err;

	/* All online, as nearly always: nothing to explain, no sysfs. */
	err = cpumap_check_against(cpus, nr, online, nr_online, online,
				   nr_online, NULL, 0);
	if (!err || !why || !len)
		return err;
	nr_present = cpumap_present(&present);
	if (nr_present < 0)
		return cpumap_check_against(cpus, nr, online, nr_online,
					    online, nr_online, why, len);
	err = cpumap_check_against(cpus, nr, online, nr_online, present,
				   (size_t)nr_present, why, len);
	free(present);
	return err;
}

/* Cuts buf (len > 0) back to `keep` bytes and marks the rest as "...". */
static void format_cut(char *buf, size_t len, size_t keep)
{
	if (keep) {
		strcpy(buf + keep, ",...");
		return;
	}
	/* Not even one CPU fits: as many dots as there is room for. */
	for (keep = 0; keep < 3 && keep + 1 < len; keep++)
		buf[keep] = '.';
	buf[keep] = '\0';
}

const char *cpumap_format(const uint32_t *cpus, size_t nr, char *buf,
			  size_t len)
{
	unsigned char mask[MASK_BYTES];
	size_t pos = 0, keep = 0;   /* keep: where ",..." still fits after */

	if (!len)
		return buf;
	buf[0] = '\0';
	mask_fill(mask, cpus, nr);
	for (uint32_t lo = 0; lo <= CPUMAP_MAX_CPU; lo++) {
		const char *comma = pos ? "," : "";
		char piece[24];
		uint32_t hi = lo;
		int n;

		if (!mask_has(mask, lo))
			continue;
		while (mask_has(mask, hi + 1))
			hi++;
		if (hi == lo)
			n = snprintf(piece, sizeof(piece), "%s%u", comma, lo);
		else
			n = snprintf(piece, sizeof(piece), "%s%u-%u", comma, lo,
				     hi);
		if (pos + (size_t)n >= len) {
			format_cut(buf, len, keep);
			return buf;
		}
		memcpy(buf + pos, piece, (size_t)n + 1);
		pos += (size_t)n;
		if (pos + 4 < len)
			keep = pos;
		lo = hi;
	}
	return buf;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int cpumap_parse_counts(const char *s, uint32_t **out)
{
	uint32_t *counts;
	int nr = cpumap_parse(s, &counts);

	if (nr < 0)
		return nr;
	qsort(counts, (size_t)nr, sizeof(*counts), compare_u32);
	/* Sorted, so a 0 is first. */
	if (counts[0] == 0) {
		free(counts);
		return -EINVAL;
	}
	*out = counts;
	return nr;
}

/* A CPU with its rank among the hardware threads of its core. */
struct spread_cpu {
	struct cpumap_topo topo;
	uint32_t thread;    /* 0 for the core's lowest CPU, 1 next ... */
};

/* Groups the threads of each core together, lowest CPU first. */
static int by_core(const void *a, const void *b)
{
	const struct cpumap_topo *x = &((const struct spread_cpu *)a)->topo;
	const struct cpumap_topo *y = &((const struct spread_cpu *)b)->topo;

	if (x->package != y->package)
		return x->package < y->package ? -1 : 1;
	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return compare_u32(&x->cpu, &y->cpu);
}

/* The order CPUs are taken in: see cpumap_spread() in cpumap.h. */
static int by_preference(const void *a, const void *b)
{
	const struct spread_cpu *x = a, *y = b;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	if (x->topo.package != y->topo.package)
		return x->topo.package < y->topo.package ? -1 : 1;
	return compare_u32(&x->topo.cpu, &y->topo.cpu);
}

int cpumap_spread(const struct cpumap_topo *t, size_t nr, size_t n,
		  uint32_t *out)
{
	struct spread_cpu *c;

	if (n > nr)
		return -EINVAL;
	if (!n)
		return 0;
	c = calloc(nr, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++)
		c[i].topo = t[i];
	qsort(c, nr, sizeof(*c), by_core);
	for (size_t i = 1; i < nr; i++)
		if (c[i].topo.package == c[i - 1].topo.package &&
		    c[i].topo.core == c[i - 1].topo.core)
			c[i].thread = c[i - 1].thread + 1;
	qsort(c, nr, sizeof(*c), by_preference);
	for (size_t i = 0; i < n; i++)
		out[i] = c[i].topo.cpu;
	free(c);
	qsort(out, n, sizeof(*out), compare_u32);
	return 0;
}

/* A topology id of a CPU from sysfs; -1 where missing (or negative, as
 * some architectures write for "unknown"). */
static int read_topology_id(uint32_t cpu, const char *name, uint32_t *id)
{
	char path[96];
	long v;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), SYSFS_CPU "/cpu%u/topology/%s", cpu, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fscanf(f, "%ld", &v) == 1 && v >= 0 && v <= UINT32_MAX;
	fclose(f);
	if (!ok)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/*
 * Where cpu is. A CPU whose core is unknown gets a package of its own
 * kind, numbered after every real one, and its number as its core: a core
 * of its own, taken after the known cores' first threads.
 */
static void read_topology(uint32_t cpu, struct cpumap_topo *t)
{
	t->cpu = cpu;
	if (read_topology_id(cpu, "core_id", &t->core) < 0) {
		t->package = UINT32_MAX;
		t->core = cpu;
		return;
	}
	if (read_topology_id(cpu, "physical_package_id", &t->package) < 0)
		t->package = 0;
}

int cpumap_pick(const uint32_t *online, size_t nr_online, size_t n,
		uint32_t *out)
{
	struct cpumap_topo *t;
	int err;

	if (n > nr_online)
		return -EINVAL;
	t = calloc(nr_online ? nr_online : 1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < nr_online; i++)
		read_topology(online[i], &t[i]);
	err = cpumap_spread(t, nr_online, n, out);
	free(t);
	return err;
}

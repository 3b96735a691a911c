/*
 * cpumap.c - CPU lists. See cpumap.h.
 */
#include "cpumap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	unsigned char seen[CPUMAP_MAX_CPU / 8 + 1] = { 0 };
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
			if (seen[c / 8] & (1u << (c % 8)))
				goto invalid;
			seen[c / 8] |= (unsigned char)(1u << (c % 8));
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

int cpumap_online(uint32_t **out)
{
	char buf[4096];
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		if (f)
			fclose(f);
		snprintf(buf, sizeof(buf), "0-%ld", n > 1 ? n - 1 : 0);
	} else {
		fclose(f);
	}
	return cpumap_parse(buf, out);
}
